//! Call names through the file's imports: `pk.loads` after `import pickle as pk` and
//! `loads` after `from pickle import loads` both name `pickle.loads`, so a rule written
//! against the qualified name catches every spelling of it.

use std::collections::HashMap;

use tree_sitter::Node;

use super::file::{File, visit};

/// Local name -> the qualified name it was imported as, from every `import` and
/// `from ... import` of a Python file.
pub(super) fn import_aliases<'t>(file: &File<'t>) -> HashMap<&'t str, String> {
    let mut aliases = HashMap::new();
    visit(file.root, &mut |node| {
        match node.kind() {
            "import_statement" => {
                for imported in names_of(node) {
                    if imported.kind() == "aliased_import" {
                        bind_alias(imported, String::new(), file, &mut aliases);
                    } else {
                        // `import os.path` binds `os`, which names the package itself.
                        let path = file.text_of(imported);
                        let first = path.split('.').next().unwrap_or(path).trim();
                        aliases.insert(first, first.to_string());
                    }
                }
                false
            }
            "import_from_statement" => {
                let module = node
                    .child_by_field_name("module_name")
                    .map(|module| compact(file.text_of(module)))
                    .unwrap_or_default();
                for imported in names_of(node) {
                    if imported.kind() == "aliased_import" {
                        bind_alias(imported, format!("{module}."), file, &mut aliases);
                    } else {
                        let name = file.text_of(imported);
                        aliases.insert(name, format!("{module}.{}", compact(name)));
                    }
                }
                false
            }
            // Imports are statements: no need to look inside expressions.
            kind => !kind.ends_with("expression") && kind != "call" && kind != "string",
        }
    });
    // `yaml = YAML(typ="safe")` at module level: from here on `yaml` is that object, not
    // the module, so `yaml.load` names `YAML().load`. (`yaml = None` after a failed import
    // is not a call and keeps the module.)
    let mut cursor = file.root.walk();
    for statement in file.root.named_children(&mut cursor) {
        let Some(assignment) = statement
            .named_child(0)
            .filter(|_| statement.kind() == "expression_statement")
            .filter(|child| child.kind() == "assignment")
        else {
            continue;
        };
        if let (Some(left), Some(callee)) = (
            assignment
                .child_by_field_name("left")
                .filter(|left| left.kind() == "identifier"),
            assignment
                .child_by_field_name("right")
                .filter(|right| right.kind() == "call")
                .and_then(|call| call.child_by_field_name("function")),
        ) {
            aliases.insert(
                file.text_of(left),
                format!("{}()", compact(file.text_of(callee))),
            );
        }
    }
    aliases
}

fn names_of(statement: Node<'_>) -> Vec<Node<'_>> {
    let mut cursor = statement.walk();
    statement
        .children_by_field_name("name", &mut cursor)
        .collect()
}

/// `import a.b as c` (prefix empty) or `from m import a as c` (prefix `m.`).
fn bind_alias<'t>(
    imported: Node<'t>,
    prefix: String,
    file: &File<'t>,
    aliases: &mut HashMap<&'t str, String>,
) {
    if let (Some(name), Some(alias)) = (
        imported.child_by_field_name("name"),
        imported.child_by_field_name("alias"),
    ) {
        aliases.insert(
            file.text_of(alias),
            format!("{prefix}{}", compact(file.text_of(name))),
        );
    }
}

fn compact(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The qualified name a call's function (an identifier or a chain of attributes on one)
/// stands for: its first identifier resolved through the file's imports. A name the file
/// did not import stands for itself, so a local `def loads` is just `loads`.
pub(super) fn qualified_name(node: Node<'_>, file: &File<'_>) -> Option<String> {
    match node.kind() {
        "identifier" => {
            let name = file.text_of(node);
            Some(
                file.import_aliases()
                    .get(name)
                    .cloned()
                    .unwrap_or_else(|| name.to_string()),
            )
        }
        "attribute" => {
            let object = qualified_name(node.child_by_field_name("object")?, file)?;
            let attribute = file.text_of(node.child_by_field_name("attribute")?);
            Some(format!("{object}.{attribute}"))
        }
        _ => None,
    }
}

/// Whether `qualified` fits one of the patterns: `"pickle|marshal.load|loads"` is any of
/// the modules (before the last dot) with any of the names (after it); `"eval|exec"` names
/// without a module.
pub(super) fn names_one_of(qualified: &str, patterns: &[String]) -> bool {
    let (module, name) = match qualified.rsplit_once('.') {
        Some((module, name)) => (Some(module), name),
        None => (None, qualified),
    };
    patterns.iter().any(|pattern| {
        let (modules, names) = match pattern.rsplit_once('.') {
            Some((modules, names)) => (Some(modules), names),
            None => (None, pattern.as_str()),
        };
        let module_fits = match (module, modules) {
            (Some(module), Some(modules)) => modules.split('|').any(|m| m == module),
            (None, None) => true,
            _ => false,
        };
        module_fits && names.split('|').any(|n| n == name)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::vocabulary::Vocabulary;
    use crate::syntax::Language;

    fn resolve_calls(source: &str) -> Vec<String> {
        let mut parser = tree_sitter::Parser::new();
        parser.set_language(&Language::Python.grammar()).unwrap();
        let tree = parser.parse(source, None).unwrap();
        let vocabulary = Vocabulary::default();
        let file = File::new(
            Language::Python,
            source,
            tree.root_node(),
            None,
            &vocabulary,
        );
        let mut names = Vec::new();
        visit(tree.root_node(), &mut |node| {
            if node.kind() == "call"
                && let Some(function) = node.child_by_field_name("function")
            {
                names.extend(qualified_name(function, &file));
            }
            true
        });
        names
    }

    #[test]
    fn names_resolve_through_every_form_of_import() {
        let source = "import pickle as pk\nimport subprocess\nimport xml.etree.ElementTree as ET\nimport os.path\nfrom yaml import load, FullLoader as FL\nfrom marshal import loads as m_loads\n\
pk.loads(b)\nsubprocess.run(c)\nET.parse(f)\nos.path.join(a)\nload(s)\nm_loads(b)\nloads(b)\nFL(s)\n\
from ruamel.yaml import YAML\nyaml = YAML(typ='safe')\nyaml.load(s)\n";
        assert_eq!(
            resolve_calls(source),
            [
                "pickle.loads",
                "subprocess.run",
                "xml.etree.ElementTree.parse",
                "os.path.join",
                "yaml.load",
                "marshal.loads",
                "loads",
                "yaml.FullLoader",
                "ruamel.yaml.YAML",
                "YAML().load",
            ]
        );
    }

    #[test]
    fn patterns_pair_any_module_with_any_name() {
        let patterns = ["pickle|marshal.load|loads".to_string(), "eval".to_string()];
        assert!(names_one_of("marshal.load", &patterns));
        assert!(names_one_of("eval", &patterns));
        assert!(!names_one_of("loads", &patterns));
        assert!(!names_one_of("json.loads", &patterns));
        assert!(!names_one_of("builtins.eval", &patterns));
    }
}
