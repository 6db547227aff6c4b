//! "Add error handling" for Rust: each `unwrap()`/`expect()` of a function becomes `?`,
//! with context from `anyhow` when the crate uses it; the function returns `Result` when it
//! did not (tail and `return`s wrapped in `Ok`); an axum handler answers with a status code
//! instead of panicking.

use tree_sitter::Node;

use super::syntax::{descendants, enclosing, has_word, indent_at, rust_imports, rust_use, text_of};
use super::{ActionId, Candidate, Edit, Source};

/// Methods that return an `Option` (so `?` needs an error made up for `None`).
const OPTION_METHODS: &[&str] = &[
    "get",
    "get_mut",
    "first",
    "last",
    "next",
    "find",
    "parent",
    "pop",
    "file_name",
    "extension",
    "to_str",
    "strip_prefix",
    "strip_suffix",
    "position",
    "max",
    "min",
    "nth",
    "find_map",
    "split_once",
    "rsplit_once",
    "checked_add",
    "checked_sub",
    "checked_mul",
    "checked_div",
    "captures",
    "get_one",
    "file_stem",
    "peek",
    "last_mut",
    "first_mut",
];

/// Receivers whose `unwrap()` is the idiom (a poisoned lock is a bug, not an error).
const KEPT_RECEIVERS: &[&str] = &["lock", "read", "write"];

/// How failures leave the function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    /// `anyhow::Result`: `.context("...")?` works for `Option` and `Result` alike.
    Anyhow,
    /// An axum handler: `(StatusCode, String)` is the error response.
    Axum,
    /// Another `Result`: `?` converts errors with `From`; `None` becomes a `&str` error.
    Plain,
}

fn function_at<'t>(root: Node<'t>, start: usize, end: usize) -> Option<Node<'t>> {
    enclosing(root, start, end, &["function_item"])
}

pub fn error_handling_candidate(
    source: &Source<'_>,
    start: usize,
    end: usize,
) -> Option<Candidate> {
    let function = function_at(source.tree.root_node(), start, end)?;
    if is_test(function, source.text) || panics(function, source.text).is_empty() {
        return None;
    }
    let name = text_of(function.child_by_field_name("name")?, source.text);
    Some(Candidate {
        id: ActionId::AddErrorHandling,
        title: format!("Add error handling to `{name}`"),
        start_byte: function.start_byte(),
        end_byte: function.end_byte(),
        finding: None,
    })
}

fn is_test(function: Node<'_>, text: &str) -> bool {
    let mut previous = function.prev_named_sibling();
    while let Some(item) = previous.filter(|item| item.kind() == "attribute_item") {
        if text_of(item, text).contains("test") {
            return true;
        }
        previous = item.prev_named_sibling();
    }
    false
}

/// Nodes whose `?` would belong to something else than the function.
fn own_scope_ends(node: Node<'_>) -> bool {
    matches!(
        node.kind(),
        "closure_expression" | "function_item" | "async_block" | "const_block"
    )
}

/// The function's own `x.unwrap()` / `x.expect(..)` calls, outermost first.
fn panics<'t>(function: Node<'t>, text: &str) -> Vec<Node<'t>> {
    let Some(body) = function.child_by_field_name("body") else {
        return Vec::new();
    };
    descendants(body, &own_scope_ends)
        .into_iter()
        .filter(|node| node.kind() == "call_expression")
        .filter(|call| {
            let Some(callee) = call.child_by_field_name("function") else {
                return false;
            };
            let method = callee
                .child_by_field_name("field")
                .map(|field| text_of(field, text));
            let receiver_method = callee
                .child_by_field_name("value")
                .and_then(|value| last_method(value, text));
            callee.kind() == "field_expression"
                && matches!(method, Some("unwrap" | "expect"))
                && !receiver_method.is_some_and(|name| KEPT_RECEIVERS.contains(&name))
        })
        .collect()
}

/// `a.b().c()` -> `c`; `f(x)` -> `f`; `Path::new(p)` -> `new`.
fn last_method<'t>(node: Node<'_>, text: &'t str) -> Option<&'t str> {
    let node = if matches!(node.kind(), "try_expression" | "await_expression") {
        node.named_child(0)?
    } else {
        node
    };
    if node.kind() != "call_expression" {
        return None;
    }
    let callee = node.child_by_field_name("function")?;
    let name = match callee.kind() {
        "field_expression" => callee.child_by_field_name("field")?,
        "scoped_identifier" => callee.child_by_field_name("name")?,
        "generic_function" => callee.child_by_field_name("function")?,
        _ => callee,
    };
    Some(text_of(name, text))
}

pub fn add_error_handling(source: &Source<'_>, candidate: &Candidate) -> Result<Vec<Edit>, String> {
    let text = source.text;
    let root = source.tree.root_node();
    let function = function_at(root, candidate.start_byte, candidate.start_byte)
        .ok_or("no Rust function here any more")?;
    let name = function
        .child_by_field_name("name")
        .map_or("function", |name| text_of(name, text));
    let calls = panics(function, text);
    if calls.is_empty() {
        return Err(format!("`{name}` has no unwrap() or expect() of its own"));
    }
    let returns = function.child_by_field_name("return_type");
    let returns_text = returns.map(|node| text_of(node, text));
    let is_async = text_of(function, text)
        .split('(')
        .next()
        .is_some_and(|head| has_word(head, "async"));
    let uses_anyhow = source.project.depends_on("anyhow") || text.contains("anyhow::");
    let axum_handler = is_async && name != "main" && has_word(text, "axum");
    let returns_result = returns_text.is_some_and(|returns| {
        returns.starts_with("Result<") || returns.contains("::Result<") || returns == "Result"
    });
    let anyhow_result = returns_text.is_some_and(|returns| {
        returns.starts_with("anyhow::Result")
            || returns.contains("anyhow::Error")
            || (returns.starts_with("Result<")
                && !returns.contains(',')
                && rust_imports(root, text, "anyhow"))
    });
    let style = if anyhow_result || (!returns_result && uses_anyhow && !axum_handler) {
        Style::Anyhow
    } else if axum_handler && !returns_result {
        Style::Axum
    } else {
        Style::Plain
    };

    let mut edits = Vec::new();
    for call in &calls {
        edits.push(replace_panic(*call, text, style)?);
    }
    match style {
        Style::Anyhow => edits.extend(rust_use(root, text, "anyhow::Context", "Context")),
        Style::Axum => edits.extend(rust_use(root, text, "axum::http::StatusCode", "StatusCode")),
        Style::Plain => {}
    }
    if !returns_result {
        edits.extend(return_result(function, returns, text, style, root)?);
        edits.extend(propagate_in_callers(root, text, name, function));
    }
    Ok(edits)
}

/// `?` after each call of `name` in the file's other functions that return a `Result`, so
/// they still get the value (callers that do not return one must be changed by hand).
fn propagate_in_callers(root: Node<'_>, text: &str, name: &str, changed: Node<'_>) -> Vec<Edit> {
    descendants(root, &|_| false)
        .into_iter()
        .filter(|node| node.kind() == "function_item" && *node != changed)
        .filter(|caller| {
            caller
                .child_by_field_name("return_type")
                .is_some_and(|returns| text_of(returns, text).contains("Result"))
        })
        .filter_map(|caller| caller.child_by_field_name("body"))
        .flat_map(|body| descendants(body, &own_scope_ends))
        .filter(|call| {
            call.kind() == "call_expression"
                && call
                    .child_by_field_name("function")
                    .is_some_and(|callee| text_of(callee, text) == name)
                && call
                    .parent()
                    .is_none_or(|parent| parent.kind() != "try_expression")
        })
        .map(|call| Edit {
            start_byte: call.end_byte(),
            end_byte: call.end_byte(),
            new_text: "?".into(),
        })
        .collect()
}

/// `.unwrap()` / `.expect("m")` (from the dot to the closing parenthesis) as a `?` form.
fn replace_panic(call: Node<'_>, text: &str, style: Style) -> Result<Edit, String> {
    let callee = call
        .child_by_field_name("function")
        .ok_or("a call without a callee")?;
    let receiver = callee
        .child_by_field_name("value")
        .ok_or("a method call without a receiver")?;
    let arguments = call.child_by_field_name("arguments");
    let message = arguments
        .and_then(|arguments| arguments.named_child(0))
        .map(|message| text_of(message, text).to_string())
        .unwrap_or_else(|| match last_method(receiver, text) {
            Some(method) if OPTION_METHODS.contains(&method) => "\"not found\"".to_string(),
            Some(method) => format!("\"{method} failed\""),
            None => "\"failed\"".to_string(),
        });
    let option = last_method(receiver, text).is_some_and(|method| OPTION_METHODS.contains(&method));
    let replacement = match (style, option) {
        (Style::Anyhow, _) => format!(".context({message})?"),
        (Style::Axum, true) => format!(".ok_or((StatusCode::NOT_FOUND, {message}.to_string()))?"),
        (Style::Axum, false) => {
            ".map_err(|err| (StatusCode::INTERNAL_SERVER_ERROR, err.to_string()))?".to_string()
        }
        (Style::Plain, true) => format!(".ok_or({message})?"),
        (Style::Plain, false) => "?".to_string(),
    };
    Ok(Edit {
        start_byte: receiver.end_byte(),
        end_byte: call.end_byte(),
        new_text: replacement,
    })
}

/// The edits that make `function` return a `Result`: its signature, its tail expression
/// and its `return`s.
fn return_result(
    function: Node<'_>,
    returns: Option<Node<'_>>,
    text: &str,
    style: Style,
    root: Node<'_>,
) -> Result<Vec<Edit>, String> {
    let body = function
        .child_by_field_name("body")
        .ok_or("the function has no body")?;
    let ok_type = returns.map_or("()", |node| text_of(node, text));
    let result = match style {
        Style::Anyhow if rust_imports(root, text, "Result") && text.contains("anyhow::Result") => {
            format!("Result<{ok_type}>")
        }
        Style::Anyhow => format!("anyhow::Result<{ok_type}>"),
        Style::Axum => format!("Result<{ok_type}, (StatusCode, String)>"),
        Style::Plain => format!("Result<{ok_type}, Box<dyn std::error::Error + Send + Sync>>"),
    };
    let mut edits = vec![match returns {
        Some(node) => Edit {
            start_byte: node.start_byte(),
            end_byte: node.end_byte(),
            new_text: result,
        },
        None => {
            let parameters = function
                .child_by_field_name("parameters")
                .ok_or("the function has no parameter list")?;
            Edit {
                start_byte: parameters.end_byte(),
                end_byte: parameters.end_byte(),
                new_text: format!(" -> {result}"),
            }
        }
    }];

    for node in descendants(body, &own_scope_ends) {
        if node.kind() != "return_expression" {
            continue;
        }
        match node.named_child(0) {
            Some(value) => edits.extend(wrap_ok(value)),
            None => edits.push(Edit {
                start_byte: node.end_byte(),
                end_byte: node.end_byte(),
                new_text: " Ok(())".into(),
            }),
        }
    }

    let mut cursor = body.walk();
    let last = body
        .named_children(&mut cursor)
        .filter(|child| !matches!(child.kind(), "line_comment" | "block_comment"))
        .last();
    let statement_kinds = ["expression_statement", "let_declaration", "empty_statement"];
    let tail = last.filter(|last| {
        !statement_kinds.contains(&last.kind()) && !last.kind().ends_with("_item")
            || (last.kind() == "expression_statement" && !text_of(*last, text).ends_with(';'))
    });
    let unit = returns.is_none();
    match tail {
        Some(tail) if tail.kind() == "return_expression" => {}
        Some(tail) if !unit => {
            let value = if tail.kind() == "expression_statement" {
                tail.named_child(0).unwrap_or(tail)
            } else {
                tail
            };
            edits.extend(wrap_ok(value));
        }
        _ => {
            let close = body.end_byte().saturating_sub(1);
            let indent = format!("{}    ", indent_at(text, function.start_byte()));
            // A unit tail expression (a call without `;`) becomes a statement first.
            let semicolon = tail
                .filter(|tail| tail.kind() != "expression_statement")
                .map(|tail| Edit {
                    start_byte: tail.end_byte(),
                    end_byte: tail.end_byte(),
                    new_text: ";".into(),
                });
            edits.extend(semicolon);
            let before_close = text.get(..close).unwrap_or_default();
            let trimmed = before_close.trim_end_matches([' ', '\t']);
            let lead = if trimmed.ends_with('\n') { "" } else { "\n" };
            edits.push(Edit {
                start_byte: trimmed.len(),
                end_byte: close,
                new_text: format!(
                    "{lead}{indent}Ok(())\n{}",
                    indent_at(text, function.start_byte())
                ),
            });
        }
    }
    Ok(edits)
}

fn wrap_ok(value: Node<'_>) -> [Edit; 2] {
    [
        Edit {
            start_byte: value.start_byte(),
            end_byte: value.start_byte(),
            new_text: "Ok(".into(),
        },
        Edit {
            start_byte: value.end_byte(),
            end_byte: value.end_byte(),
            new_text: ")".into(),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actions::{Project, apply, list};
    use crate::syntax::Language;

    fn run(text: &str, project: &Project, at: &str) -> String {
        let tree = Language::Rust.parse_str(text).unwrap();
        let source = Source {
            text,
            tree: &tree,
            language: Language::Rust,
            path: None,
            project,
        };
        let at = text.find(at).unwrap();
        let candidate = list(&source, at, at)
            .into_iter()
            .find(|candidate| candidate.id == ActionId::AddErrorHandling)
            .expect("offered");
        apply(text, &add_error_handling(&source, &candidate).unwrap())
    }

    fn anyhow() -> Project {
        Project::from_manifest("[dependencies]\nanyhow = \"1\"\n")
    }

    #[test]
    fn with_anyhow_unwraps_become_context_and_the_function_returns_result() {
        let text = "use std::fs;\n\nfn load(path: &str) -> u32 {\n    let text = fs::read_to_string(path).unwrap();\n    let line = text.lines().next().expect(\"empty file\");\n    line.trim().parse().unwrap()\n}\n";
        assert_eq!(
            run(text, &anyhow(), "let text"),
            "use std::fs;\nuse anyhow::Context;\n\nfn load(path: &str) -> anyhow::Result<u32> {\n    let text = fs::read_to_string(path).context(\"read_to_string failed\")?;\n    let line = text.lines().next().context(\"empty file\")?;\n    Ok(line.trim().parse().context(\"parse failed\")?)\n}\n"
        );
    }

    #[test]
    fn a_unit_function_gets_ok_at_its_end_and_returns_are_wrapped() {
        let text = "fn main() {\n    let n: u32 = \"4\".parse().unwrap();\n    if n > 3 {\n        return;\n    }\n    println!(\"{n}\")\n}\n";
        assert_eq!(
            run(text, &Project::default(), "let n"),
            "fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {\n    let n: u32 = \"4\".parse()?;\n    if n > 3 {\n        return Ok(());\n    }\n    println!(\"{n}\");\n    Ok(())\n}\n"
        );
    }

    #[test]
    fn an_axum_handler_answers_with_a_status_code() {
        let text = "use axum::Json;\nuse std::collections::HashMap;\n\nasync fn user(map: HashMap<u32, String>) -> Json<String> {\n    let name = map.get(&1).expect(\"no such user\");\n    Json(name.clone())\n}\n";
        assert_eq!(
            run(text, &Project::default(), "let name"),
            "use axum::Json;\nuse std::collections::HashMap;\nuse axum::http::StatusCode;\n\nasync fn user(map: HashMap<u32, String>) -> Result<Json<String>, (StatusCode, String)> {\n    let name = map.get(&1).ok_or((StatusCode::NOT_FOUND, \"no such user\".to_string()))?;\n    Ok(Json(name.clone()))\n}\n"
        );
    }

    #[test]
    fn lock_unwraps_closures_and_tests_are_left_alone() {
        let text = "fn a(m: &std::sync::Mutex<u8>) -> u8 {\n    *m.lock().unwrap()\n}\nfn b() -> Vec<u8> {\n    vec![\"1\"].iter().map(|s| s.parse().unwrap()).collect()\n}\n#[test]\nfn c() {\n    \"1\".parse::<u8>().unwrap();\n}\n";
        let tree = Language::Rust.parse_str(text).unwrap();
        let project = Project::default();
        let source = Source {
            text,
            tree: &tree,
            language: Language::Rust,
            path: None,
            project: &project,
        };
        for at in ["lock()", "s.parse", "parse::<u8>"] {
            let at = text.find(at).unwrap();
            assert!(list(&source, at, at).is_empty(), "offered at byte {at}");
        }
    }
}
