//! Small readings of text and trees shared by the actions: lines, indentation, node
//! search, and where imports go.

use tree_sitter::Node;

use super::Edit;

pub fn text_of<'t>(node: Node<'_>, text: &'t str) -> &'t str {
    text.get(node.byte_range()).unwrap_or_default()
}

/// The byte where the line holding `byte` starts.
pub fn line_start(text: &str, byte: usize) -> usize {
    text.get(..byte)
        .and_then(|before| before.rfind('\n'))
        .map_or(0, |newline| newline + 1)
}

/// The byte of the newline ending the line holding `byte` (or the end of the text).
pub fn line_end(text: &str, byte: usize) -> usize {
    text.get(byte..)
        .and_then(|after| after.find('\n'))
        .map_or(text.len(), |newline| byte + newline)
}

/// The blanks at the start of the line holding `byte`.
pub fn indent_at(text: &str, byte: usize) -> &str {
    let start = line_start(text, byte);
    let line = text.get(start..).unwrap_or_default();
    let blanks = line.len() - line.trim_start_matches([' ', '\t']).len();
    &line[..blanks]
}

/// The innermost node of one of `kinds` enclosing `start..end`.
pub fn enclosing<'t>(root: Node<'t>, start: usize, end: usize, kinds: &[&str]) -> Option<Node<'t>> {
    let node = root.descendant_for_byte_range(start, end)?;
    crate::syntax::ancestors(root, node).find(|node| kinds.contains(&node.kind()))
}

/// Every node under `node` (itself included), not descending into nodes `stop` accepts.
pub fn descendants<'t>(node: Node<'t>, stop: &dyn Fn(Node<'t>) -> bool) -> Vec<Node<'t>> {
    let mut found = Vec::new();
    let mut pending = vec![node];
    while let Some(next) = pending.pop() {
        found.push(next);
        if next != node && stop(next) {
            continue;
        }
        let mut cursor = next.walk();
        let children: Vec<Node<'t>> = next.children(&mut cursor).collect();
        pending.extend(children.into_iter().rev());
    }
    found
}

/// Whether `word` occurs in `text` as a whole identifier.
pub fn has_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        let boundary = |c: Option<char>| c.is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
        boundary(before) && boundary(after)
    })
}

/// `create a user` -> `create_user`: a snake_case name from words, articles dropped.
pub fn snake_name(words: &str) -> String {
    let parts: Vec<String> = words
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
        .filter(|word| !matches!(word.as_str(), "a" | "an" | "the" | "all" | "of"))
        .take(4)
        .collect();
    parts.join("_")
}

/// Python: the byte where a new import line goes (after the module docstring, `__future__`
/// imports and the existing imports), and whether the file has imports.
fn python_import_end(root: Node<'_>, text: &str) -> usize {
    let mut cursor = root.walk();
    let mut at = 0;
    for (index, statement) in root.named_children(&mut cursor).enumerate() {
        let docstring = index == 0
            && statement.kind() == "expression_statement"
            && statement.child(0).is_some_and(|s| s.kind() == "string");
        match statement.kind() {
            "import_statement" | "import_from_statement" | "future_import_statement" => {
                at = next_line(text, statement.end_byte());
            }
            _ if docstring => at = next_line(text, statement.end_byte()),
            "comment" => {}
            _ => break,
        }
    }
    at
}

fn next_line(text: &str, byte: usize) -> usize {
    (line_end(text, byte) + 1).min(text.len())
}

/// Python: `import module`, unless the file imports it already.
pub fn python_import(root: Node<'_>, text: &str, module: &str) -> Option<Edit> {
    let imported = python_statements(root, "import_statement").any(|statement| {
        let mut names = statement.walk();
        statement
            .children_by_field_name("name", &mut names)
            .any(|name| text_of(name, text) == module)
    });
    if imported {
        return None;
    }
    let at = python_import_end(root, text);
    Some(Edit {
        start_byte: at,
        end_byte: at,
        new_text: format!("{}import {module}\n", newline_before(text, at)),
    })
}

/// Python: `from module import name`, added to an existing one-line import from `module`
/// when there is one, unless `name` is imported already.
pub fn python_from_import(root: Node<'_>, text: &str, module: &str, name: &str) -> Option<Edit> {
    python_from_imports(root, text, module, &[name])
}

/// Python: `from module import a, b` for those of `names` not imported yet, added to an
/// existing one-line import from `module` when there is one.
pub fn python_from_imports(
    root: Node<'_>,
    text: &str,
    module: &str,
    names: &[&str],
) -> Option<Edit> {
    let mut existing = None;
    let mut missing: Vec<&str> = names.to_vec();
    for statement in python_statements(root, "import_from_statement") {
        let from = statement
            .child_by_field_name("module_name")
            .map(|module| text_of(module, text));
        let mut imported = statement.walk();
        for imported in statement.children_by_field_name("name", &mut imported) {
            let imported = imported.child_by_field_name("alias").unwrap_or(imported);
            missing.retain(|name| text_of(imported, text) != *name);
        }
        let statement_text = text_of(statement, text);
        if from == Some(module) && !statement_text.contains(['(', '*', '\\']) {
            existing = Some(statement);
        }
    }
    if missing.is_empty() {
        return None;
    }
    let missing = missing.join(", ");
    if let Some(statement) = existing {
        let end = statement.end_byte();
        return Some(Edit {
            start_byte: end,
            end_byte: end,
            new_text: format!(", {missing}"),
        });
    }
    let at = python_import_end(root, text);
    Some(Edit {
        start_byte: at,
        end_byte: at,
        new_text: format!(
            "{}from {module} import {missing}\n",
            newline_before(text, at)
        ),
    })
}

/// A newline when `at` is the end of a text that does not end with one.
fn newline_before(text: &str, at: usize) -> &'static str {
    if at == text.len() && !text.is_empty() && !text.ends_with('\n') {
        "\n"
    } else {
        ""
    }
}

/// Whether the Python file imports `module` (or a submodule of it) in any form.
pub fn python_imports(root: Node<'_>, text: &str, module: &str) -> bool {
    python_modules(root, text).has(module)
}

/// The modules a Python file imports, read once for many questions.
pub struct Modules(Vec<String>);

impl Modules {
    /// Whether `module` (or a submodule of it) is imported in any form.
    pub fn has(&self, module: &str) -> bool {
        self.0.iter().any(|name| {
            name == module
                || name
                    .strip_prefix(module)
                    .is_some_and(|rest| rest.starts_with('.'))
        })
    }
}

pub fn python_modules(root: Node<'_>, text: &str) -> Modules {
    let names = |statement: Node<'_>| -> Vec<String> {
        match statement.kind() {
            "import_statement" => {
                let mut cursor = statement.walk();
                statement
                    .children_by_field_name("name", &mut cursor)
                    .map(|name| {
                        let name = name.child_by_field_name("name").unwrap_or(name);
                        text_of(name, text).to_string()
                    })
                    .collect()
            }
            _ => statement
                .child_by_field_name("module_name")
                .map(|module| vec![text_of(module, text).to_string()])
                .unwrap_or_default(),
        }
    };
    Modules(
        python_statements(root, "import_statement")
            .chain(python_statements(root, "import_from_statement"))
            .flat_map(names)
            .collect(),
    )
}

/// Top-level statements of one kind, and those inside module-level `if`/`try` blocks.
fn python_statements<'t>(root: Node<'t>, kind: &'static str) -> impl Iterator<Item = Node<'t>> {
    descendants(root, &|node| {
        !matches!(
            node.kind(),
            "module" | "if_statement" | "try_statement" | "block" | "else_clause" | "except_clause"
        )
    })
    .into_iter()
    .filter(move |node| node.kind() == kind)
}

/// Rust: whether a `use` declaration of the file brings `name` into scope.
pub fn rust_imports(root: Node<'_>, text: &str, name: &str) -> bool {
    let mut cursor = root.walk();
    root.named_children(&mut cursor)
        .filter(|item| item.kind() == "use_declaration")
        .any(|item| has_word(text_of(item, text), name))
}

/// Rust: `use path;` (whose last segment is `name`), unless `name` is in scope.
pub fn rust_use(root: Node<'_>, text: &str, path: &str, name: &str) -> Option<Edit> {
    let prefix = path
        .strip_suffix(name)
        .and_then(|prefix| prefix.strip_suffix("::"))
        .unwrap_or(path);
    rust_uses(root, text, prefix, &[name])
}

/// Rust: `use prefix::{a, b};` for those of `names` not in scope: joined to the file's
/// one-line `use prefix::{..};` group when it has one, else a new line after the last
/// top-level `use`.
pub fn rust_uses(root: Node<'_>, text: &str, prefix: &str, names: &[&str]) -> Option<Edit> {
    let missing: Vec<&str> = names
        .iter()
        .copied()
        .filter(|name| !rust_imports(root, text, name))
        .collect();
    if missing.is_empty() {
        return None;
    }
    let mut cursor = root.walk();
    let uses: Vec<Node<'_>> = root
        .named_children(&mut cursor)
        .filter(|item| item.kind() == "use_declaration")
        .collect();
    let group = uses.iter().find_map(|item| {
        let argument = item.child_by_field_name("argument")?;
        let path = argument.child_by_field_name("path")?;
        let list = argument.child_by_field_name("list")?;
        let inside = text.get(list.start_byte() + 1..list.end_byte().saturating_sub(1))?;
        (argument.kind() == "scoped_use_list"
            && text_of(path, text) == prefix
            && !inside.contains('\n')
            && !inside.trim_end().ends_with(','))
        .then(|| list.end_byte() - 1)
    });
    if let Some(close) = group {
        return Some(Edit {
            start_byte: close,
            end_byte: close,
            new_text: format!(", {}", missing.join(", ")),
        });
    }
    let at = uses
        .last()
        .map_or(0, |item| next_line(text, item.end_byte()));
    let names = match missing.as_slice() {
        [one] => one.to_string(),
        _ => format!("{{{}}}", missing.join(", ")),
    };
    Some(Edit {
        start_byte: at,
        end_byte: at,
        new_text: format!("{}use {prefix}::{names};\n", newline_before(text, at)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actions::apply;
    use crate::syntax::Language;

    fn python(text: &str, edit: impl Fn(Node<'_>, &str) -> Option<Edit>) -> String {
        let tree = Language::Python.parse_str(text).unwrap();
        let edits: Vec<Edit> = edit(tree.root_node(), text).into_iter().collect();
        apply(text, &edits)
    }

    #[test]
    fn a_from_import_joins_the_existing_line_of_its_module() {
        let text = "\"\"\"Doc.\"\"\"\nfrom fastapi import FastAPI\nimport os\n\napp = FastAPI()\n";
        let added = python(text, |root, text| {
            python_from_import(root, text, "fastapi", "HTTPException")
        });
        assert!(added.contains("from fastapi import FastAPI, HTTPException\n"));
        let again = python(&added, |root, text| {
            python_from_import(root, text, "fastapi", "HTTPException")
        });
        assert_eq!(again, added);
    }

    #[test]
    fn a_new_import_goes_after_the_docstring_and_imports() {
        let text = "\"\"\"Doc.\"\"\"\nimport os\n\nx = 1\n";
        let added = python(text, |root, text| python_import(root, text, "logging"));
        assert_eq!(
            added,
            "\"\"\"Doc.\"\"\"\nimport os\nimport logging\n\nx = 1\n"
        );
        let none = python(&added, |root, text| python_import(root, text, "os"));
        assert_eq!(none, added);
    }

    #[test]
    fn names_come_from_the_words_of_a_description() {
        assert_eq!(snake_name("create a user"), "create_user");
        assert_eq!(snake_name("Fetch an order!"), "fetch_order");
    }

    #[test]
    fn a_rust_use_joins_the_group_of_its_path() {
        let rust = |text: &str, prefix: &str, names: &[&str]| {
            let tree = Language::Rust.parse_str(text).unwrap();
            let edits: Vec<Edit> = rust_uses(tree.root_node(), text, prefix, names)
                .into_iter()
                .collect();
            apply(text, &edits)
        };
        assert_eq!(
            rust(
                "use actix_web::{get, web};\n",
                "actix_web",
                &["post", "get"]
            ),
            "use actix_web::{get, web, post};\n"
        );
        assert_eq!(
            rust(
                "use serde::Serialize;\n\nfn f() {}\n",
                "std::sync",
                &["Mutex", "PoisonError"]
            ),
            "use serde::Serialize;\nuse std::sync::{Mutex, PoisonError};\n\nfn f() {}\n"
        );
    }
}
