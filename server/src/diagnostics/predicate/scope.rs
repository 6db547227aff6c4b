//! Predicates about where code runs: in an async function, a loop, test code, an `except`
//! body, a route handler, a function returning `Result`; whether a lock guard lives across
//! an `.await`, what a Rust path was imported from, and calls to the file's async functions.

use tree_sitter::Node;

use super::file::{
    File, attributes, contains_word, is_async_function, is_function_boundary, visit,
};
use crate::diagnostics::vocabulary::listed;
use crate::syntax::Language;

pub(super) fn inside_async<'t>(node: Node<'t>, file: &File<'t>) -> bool {
    file.ancestors(node)
        .find(|(ancestor, _)| is_function_boundary(*ancestor))
        .is_some_and(|(function, _)| is_async_function(function))
}

/// Inside code that runs once per iteration: a loop body or condition, or a
/// comprehension past its first iterable (which is evaluated once).
pub(super) fn inside_loop<'t>(node: Node<'t>, file: &File<'t>) -> bool {
    let language = file.language;
    for (ancestor, child) in file.ancestors(node) {
        let is_field = |field: &str| ancestor.child_by_field_name(field) == Some(child);
        match (language, ancestor.kind()) {
            (Language::Python, "function_definition" | "lambda" | "class_definition")
            | (Language::Rust, "function_item") => return false,
            (Language::Python, "for_statement") | (Language::Rust, "for_expression")
                if is_field("body") =>
            {
                return true;
            }
            (Language::Python, "while_statement") | (Language::Rust, "while_expression")
                if is_field("body") || is_field("condition") =>
            {
                return true;
            }
            (Language::Rust, "loop_expression") => return true,
            (
                Language::Python,
                "list_comprehension"
                | "set_comprehension"
                | "dictionary_comprehension"
                | "generator_expression",
            ) => {
                let mut cursor = ancestor.walk();
                let first_iterable = ancestor
                    .named_children(&mut cursor)
                    .find(|clause| clause.kind() == "for_in_clause")
                    .and_then(|clause| clause.child_by_field_name("right"));
                let in_first_iterable = first_iterable.is_some_and(|iterable| {
                    iterable.start_byte() <= node.start_byte()
                        && node.end_byte() <= iterable.end_byte()
                });
                if !in_first_iterable {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

pub(super) fn inside_test<'t>(node: Node<'t>, file: &File<'t>) -> bool {
    match file.language {
        Language::Python => file.ancestors(node).any(|(ancestor, _)| {
            let name = ancestor
                .child_by_field_name("name")
                .map(|name| file.text_of(name))
                .unwrap_or("");
            match ancestor.kind() {
                // A route handler named `test_alert` serves requests; it is not a test.
                "function_definition" => {
                    (name.starts_with("test_") || name == "test")
                        && !is_route_function(ancestor, file)
                }
                "class_definition" => name.starts_with("Test"),
                _ => false,
            }
        }),
        Language::Rust => {
            let file_is_test = {
                let mut cursor = file.root.walk();
                file.root.named_children(&mut cursor).any(|item| {
                    item.kind() == "inner_attribute_item"
                        && item
                            .named_child(0)
                            .is_some_and(|attr| is_test_attribute(file.text_of(attr)))
                })
            };
            file_is_test
                || file.ancestors(node).any(|(ancestor, _)| {
                    matches!(ancestor.kind(), "function_item" | "mod_item" | "impl_item")
                        && attributes(ancestor)
                            .any(|attribute| is_test_attribute(file.text_of(attribute)))
                })
        }
    }
}

/// `test`, `tokio::test` (any `…::test`), `rstest`, `test_case(..)`, `cfg(test)` and
/// `cfg(all(test, ..))`, but not `cfg(not(test))`.
pub(super) fn is_test_attribute(attribute: &str) -> bool {
    let compact: String = attribute.chars().filter(|c| !c.is_whitespace()).collect();
    let path = compact.split('(').next().unwrap_or("");
    if path == "cfg" {
        return contains_word(&compact, "test") && !compact.contains("not(test");
    }
    path == "test" || path.ends_with("::test") || path == "rstest" || path == "test_case"
}

/// `node` is an argument (at any depth, within its statement) of a call to one of
/// `functions`, by the call's last name: `Exists(Order.objects.filter(..))`.
pub(super) fn inside_call<'t>(node: Node<'t>, functions: &[String], file: &File<'t>) -> bool {
    for (ancestor, child) in file.ancestors(node) {
        match ancestor.kind() {
            kind if kind.ends_with("statement") || kind.ends_with("definition") => return false,
            "call" | "call_expression"
                if ancestor.child_by_field_name("arguments") == Some(child) =>
            {
                let name = ancestor
                    .child_by_field_name("function")
                    .map(|function| file.text_of(function))
                    .unwrap_or("");
                let last = name.rsplit(['.', ':']).next().unwrap_or(name);
                if functions.iter().any(|function| function == last) {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

pub(super) fn inside_except<'t>(node: Node<'t>, file: &File<'t>) -> bool {
    for (ancestor, child) in file.ancestors(node) {
        match ancestor.kind() {
            "function_definition" | "lambda" | "class_definition" => return false,
            "except_clause" | "except_group_clause" if child.kind() == "block" => return true,
            _ => {}
        }
    }
    false
}

/// The nearest function is a web route (`[python.routes]` of the vocabulary): decorated
/// with `@app.get("/..")`, `@router.post("/..")`, `@bp.route("/..")` or `@api_view(..)`,
/// or a method named for an HTTP verb in a class whose base is a `…View`/`…ViewSet`.
pub(super) fn inside_route_handler<'t>(node: Node<'t>, file: &File<'t>) -> bool {
    let Some((function, _)) = file
        .ancestors(node)
        .find(|(ancestor, _)| matches!(ancestor.kind(), "function_definition" | "lambda"))
    else {
        return false;
    };
    function.kind() != "lambda" && is_route_function(function, file)
}

/// `function` (a `function_definition`) is a web route, as `inside_route_handler` says.
pub(super) fn is_route_function<'t>(function: Node<'t>, file: &File<'t>) -> bool {
    let routes = &file.vocabulary.python.routes;
    let source = |node: Node<'_>| file.text_of(node);
    if let Some(decorated) = file
        .parent(function)
        .filter(|p| p.kind() == "decorated_definition")
    {
        let mut cursor = decorated.walk();
        let routed = decorated.named_children(&mut cursor).any(|decorator| {
            let Some(expression) = decorator.named_child(0) else {
                return false;
            };
            if expression.kind() != "call" {
                return listed(&routes.decorators, source(expression));
            }
            let Some(callee) = expression.child_by_field_name("function") else {
                return false;
            };
            if listed(&routes.decorators, source(callee)) {
                return true;
            }
            let verb = callee
                .child_by_field_name("attribute")
                .map(source)
                .unwrap_or("");
            let first_argument = expression
                .child_by_field_name("arguments")
                .and_then(|args| args.named_child(0))
                .map(source)
                .unwrap_or("");
            listed(&routes.path_methods, verb)
                && (first_argument.starts_with("\"/") || first_argument.starts_with("'/"))
        });
        if routed {
            return true;
        }
    }
    let name = function
        .child_by_field_name("name")
        .map(source)
        .unwrap_or("");
    let class = file
        .ancestors(function)
        .map(|(ancestor, _)| ancestor)
        .find(|ancestor| matches!(ancestor.kind(), "class_definition" | "function_definition"))
        .filter(|ancestor| ancestor.kind() == "class_definition");
    let is_view_class = class
        .and_then(|class| class.child_by_field_name("superclasses"))
        .is_some_and(|bases| {
            let bases = source(bases);
            routes
                .view_bases
                .iter()
                .any(|base| bases.contains(base.as_str()))
        });
    is_view_class && listed(&routes.view_methods, name)
}

/// Rust: `value` (what `.unwrap()` is called on) was checked just before, so the unwrap
/// cannot panic: inside `if value.is_ok()`/`is_some()` (or after `&&`), in a `match value`
/// arm for `Ok(..)`/`Some(..)`, or after an earlier `if value.is_err()`/`is_none()` whose
/// branch leaves (`return`, `continue`, `break`, `?`, a panic).
pub(super) fn guarded<'t>(value: Node<'t>, file: &File<'t>) -> bool {
    let checked = file.text_of(value);
    if checked.is_empty() || checked.contains('(') {
        return false;
    }
    let tests = |condition: Node<'t>, methods: &[&str]| {
        let condition = file.text_of(condition);
        methods
            .iter()
            .any(|method| condition.contains(&format!("{checked}.{method}()")))
    };
    let leaves = |branch: Node<'t>| {
        let branch = file.text_of(branch);
        ["return", "continue", "break", "panic!", "unreachable!", "?"]
            .iter()
            .any(|exit| branch.contains(exit))
    };
    for (ancestor, child) in file.ancestors(value) {
        match ancestor.kind() {
            "function_item" | "closure_expression" => return false,
            "if_expression"
                if ancestor.child_by_field_name("consequence") == Some(child)
                    && ancestor
                        .child_by_field_name("condition")
                        .is_some_and(|condition| tests(condition, &["is_ok", "is_some"])) =>
            {
                return true;
            }
            "binary_expression"
                if ancestor.child_by_field_name("right") == Some(child)
                    && ancestor
                        .child_by_field_name("operator")
                        .is_some_and(|operator| file.text_of(operator) == "&&")
                    && ancestor
                        .child_by_field_name("left")
                        .is_some_and(|left| tests(left, &["is_ok", "is_some"])) =>
            {
                return true;
            }
            "match_arm" => {
                let scrutinee = file
                    .parent(ancestor)
                    .and_then(|arms| file.parent(arms))
                    .and_then(|matched| matched.child_by_field_name("value"))
                    .map(|matched| file.text_of(matched));
                let pattern = ancestor
                    .child_by_field_name("pattern")
                    .map(|pattern| file.text_of(pattern))
                    .unwrap_or("");
                if scrutinee == Some(checked)
                    && (pattern.starts_with("Ok(") || pattern.starts_with("Some("))
                {
                    return true;
                }
            }
            "block" => {
                // An earlier `if value.is_err() { return .. }` in this block.
                let mut cursor = ancestor.walk();
                let earlier = ancestor
                    .named_children(&mut cursor)
                    .take_while(|statement| statement.end_byte() <= child.start_byte())
                    .filter_map(|statement| {
                        if statement.kind() == "expression_statement" {
                            statement.named_child(0)
                        } else {
                            Some(statement)
                        }
                    })
                    .filter(|statement| statement.kind() == "if_expression")
                    .any(|check| {
                        check
                            .child_by_field_name("condition")
                            .is_some_and(|condition| tests(condition, &["is_err", "is_none"]))
                            && check.child_by_field_name("consequence").is_some_and(leaves)
                    });
                if earlier {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

/// Rust: the nearest function (closures and async blocks are their own) returns a
/// `Result` (`Result<..>`, `io::Result<..>`, an alias like `ApiResult<..>`), so `?` is
/// there to use. `Poll<Result<..>>` and the like do not count.
pub(super) fn inside_result_fn<'t>(node: Node<'t>, file: &File<'t>) -> bool {
    let text = file.text;
    let returns = file
        .ancestors(node)
        .find(|(ancestor, _)| is_function_boundary(*ancestor))
        .filter(|(function, _)| function.kind() == "function_item")
        .and_then(|(function, _)| function.child_by_field_name("return_type"));
    let Some(returns) = returns else {
        return false;
    };
    let outer = match returns.kind() {
        "generic_type" => returns.child_by_field_name("type").unwrap_or(returns),
        _ => returns,
    };
    text.get(outer.byte_range())
        .is_some_and(|name| name.ends_with("Result"))
}

/// Rust: the guard bound by this `let` is still alive at a later `.await` in its block
/// (before any `drop(guard)`).
pub(super) fn held_across_await<'t>(guard: Node<'t>, file: &File<'t>) -> bool {
    let text = file.text;
    let Some(declaration) = file.parent(guard).filter(|p| p.kind() == "let_declaration") else {
        return false;
    };
    let name = text.get(guard.byte_range()).unwrap_or("");
    let drop_call = format!("drop({name})");
    for statement in
        std::iter::successors(declaration.next_named_sibling(), |s| s.next_named_sibling())
    {
        let statement_text: String = text
            .get(statement.byte_range())
            .unwrap_or("")
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        if statement_text.starts_with(&drop_call) {
            return false;
        }
        let mut awaits = false;
        visit(statement, &mut |node| {
            if awaits || (node != statement && is_function_boundary(node)) {
                return false;
            }
            awaits = node.kind() == "await_expression";
            !awaits
        });
        if awaits {
            return true;
        }
    }
    false
}

/// Rust: the path's first segment is the crate `path` names (`reqwest::Client::new()`), or
/// a `use` of something under `path` brings it into scope (`use reqwest::Client;`).
pub(super) fn imported_from(node: Node<'_>, path: &str, file: &File<'_>) -> bool {
    let code: String = file
        .text_of(node)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let code = code.trim_start_matches("::");
    if code.starts_with(&format!("{path}::")) {
        return true;
    }
    let first_segment = code
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .next()
        .unwrap_or("");
    if first_segment.is_empty() {
        return false;
    }
    let prefix = format!("{path}::");
    file.use_declarations().iter().any(|declaration| {
        let used = declaration
            .trim_start_matches("pub")
            .trim_start_matches("(crate)")
            .trim_start_matches("use")
            .trim_start_matches("::")
            .trim_end_matches(';');
        let last_segment = path.rsplit("::").next().unwrap_or(path);
        (used == path && first_segment == last_segment)
            || used
                .strip_prefix(&prefix)
                .is_some_and(|rest| contains_word(rest, first_segment) || rest == "*")
    })
}

/// The call calls an `async` function defined in this file: a method on `self`/`cls`
/// defined async in the enclosing `impl`/class, or a function whose name is defined only
/// as an async function here.
pub(super) fn calls_local_async_fn<'t>(call: Node<'t>, file: &File<'t>) -> bool {
    if !file.defines_async() {
        return false;
    }
    let Some(callee) = call.child_by_field_name("function") else {
        return false;
    };
    let receiver = callee
        .child_by_field_name("value")
        .or_else(|| callee.child_by_field_name("object"));
    let method = callee
        .child_by_field_name("field")
        .or_else(|| callee.child_by_field_name("attribute"));
    match (callee.kind(), receiver, method) {
        ("identifier", ..) => file.async_fn_names().contains(&file.text_of(callee)),
        ("scoped_identifier", ..) => callee
            .child_by_field_name("name")
            .is_some_and(|name| file.async_fn_names().contains(&file.text_of(name))),
        ("field_expression" | "attribute", Some(receiver), Some(method))
            if matches!(file.text_of(receiver), "self" | "cls") =>
        {
            own_method_is_async(call, file.text_of(method), file)
        }
        _ => false,
    }
}

/// Whether the `impl` block or class around `node` defines `name` as an async method.
pub(super) fn own_method_is_async<'t>(node: Node<'t>, name: &str, file: &File<'t>) -> bool {
    let Some((owner, _)) = file
        .ancestors(node)
        .find(|(ancestor, _)| matches!(ancestor.kind(), "impl_item" | "class_definition"))
    else {
        return false;
    };
    let Some(body) = owner.child_by_field_name("body") else {
        return false;
    };
    let mut cursor = body.walk();
    body.named_children(&mut cursor)
        .map(|item| match item.kind() {
            "decorated_definition" => item.child_by_field_name("definition").unwrap_or(item),
            _ => item,
        })
        .filter(|item| {
            item.child_by_field_name("name")
                .is_some_and(|item_name| file.text_of(item_name) == name)
        })
        .any(|item| file.awaitable_definition(item) == Some(true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_attributes() {
        for yes in [
            "test",
            "tokio::test",
            "tokio::test(flavor = \"multi_thread\")",
            "cfg(test)",
            "cfg(all(test, unix))",
            "rstest",
        ] {
            assert!(is_test_attribute(yes), "{yes}");
        }
        for no in [
            "cfg(not(test))",
            "derive(Debug)",
            "testing",
            "cfg(feature = \"x\")",
        ] {
            assert!(!is_test_attribute(no), "{no}");
        }
    }
}
