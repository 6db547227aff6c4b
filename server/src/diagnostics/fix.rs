//! Quick fixes: the edits a rule file describes, made concrete for one match, and
//! applied to a text.

use serde::{Deserialize, Serialize};
use tree_sitter::Node;

use super::Finding;
use super::captures::{Captured, placeholders};

/// A rule's fix as written in its file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixSpec {
    /// Shown as the code action's title, e.g. "Add `timeout=30`".
    pub title: String,
    pub edits: Vec<EditSpec>,
}

/// One edit of a fix. An edit whose capture (or a capture its text uses) is absent from a
/// match is skipped, so one fix can cover several patterns of a query; a match where no
/// anchored edit applies gets no fix.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum EditSpec {
    /// Replace the captured code with `text`.
    Replace { capture: String, text: String },
    /// Insert `text` just before the captured code.
    InsertBefore { capture: String, text: String },
    /// Insert `text` just after the captured code.
    InsertAfter { capture: String, text: String },
    /// Append `text` as the last argument of the captured argument list, with a comma
    /// when there are arguments already.
    AddArgument { capture: String, text: String },
    /// Python: add `import <module>` at the top of the file unless it is imported already.
    Import { module: String },
}

impl EditSpec {
    /// The capture this edit is anchored to (none for an import).
    pub(crate) fn capture(&self) -> Option<&str> {
        match self {
            EditSpec::Replace { capture, .. }
            | EditSpec::InsertBefore { capture, .. }
            | EditSpec::InsertAfter { capture, .. }
            | EditSpec::AddArgument { capture, .. } => Some(capture),
            EditSpec::Import { .. } => None,
        }
    }

    pub(crate) fn template(&self) -> Option<&str> {
        match self {
            EditSpec::Replace { text, .. }
            | EditSpec::InsertBefore { text, .. }
            | EditSpec::InsertAfter { text, .. }
            | EditSpec::AddArgument { text, .. } => Some(text),
            EditSpec::Import { .. } => None,
        }
    }
}

/// A fix for one finding: edits in byte offsets of the checked text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fix {
    pub title: String,
    pub edits: Vec<Edit>,
}

/// Replace `start_byte..end_byte` with `new_text` (an insertion when the range is empty).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Edit {
    pub start_byte: usize,
    pub end_byte: usize,
    pub new_text: String,
}

impl FixSpec {
    /// The fix for one match, or `None` when none of its anchored edits applies.
    pub(crate) fn build(
        &self,
        captured: &Captured<'_, '_>,
        root: Node<'_>,
        text: &str,
    ) -> Option<Fix> {
        let mut edits = Vec::new();
        let mut anchored = false;
        for spec in &self.edits {
            let complete = spec.template().is_none_or(|template| {
                placeholders(template)
                    .iter()
                    .all(|name| captured.node(name).is_some())
            });
            if !complete {
                continue;
            }
            let edit = match spec {
                EditSpec::Import { module } => python_import(root, text, module),
                EditSpec::Replace { capture, text } => captured.node(capture).map(|node| Edit {
                    start_byte: node.start_byte(),
                    end_byte: node.end_byte(),
                    new_text: captured.render(text, false),
                }),
                EditSpec::InsertBefore { capture, text } => {
                    captured.node(capture).map(|node| Edit {
                        start_byte: node.start_byte(),
                        end_byte: node.start_byte(),
                        new_text: captured.render(text, false),
                    })
                }
                EditSpec::InsertAfter { capture, text } => {
                    captured.node(capture).map(|node| Edit {
                        start_byte: node.end_byte(),
                        end_byte: node.end_byte(),
                        new_text: captured.render(text, false),
                    })
                }
                EditSpec::AddArgument { capture, text } => captured
                    .node(capture)
                    .and_then(|list| add_argument(list, &captured.render(text, false))),
            };
            if let Some(edit) = edit {
                anchored |= spec.capture().is_some();
                edits.push(edit);
            }
        }
        (anchored && !edits.is_empty()).then(|| Fix {
            title: self.title.clone(),
            edits,
        })
    }
}

/// Appends an argument after the last one (comments are not arguments), or right after
/// `(` when the list is empty. Works for Python `argument_list` and Rust `arguments`.
fn add_argument(list: Node<'_>, argument: &str) -> Option<Edit> {
    let mut cursor = list.walk();
    let last = list
        .named_children(&mut cursor)
        .filter(|child| !child.kind().contains("comment"))
        .last();
    match last {
        Some(last) => Some(Edit {
            start_byte: last.end_byte(),
            end_byte: last.end_byte(),
            new_text: format!(", {argument}"),
        }),
        None => {
            let open = list.child(0).filter(|open| open.kind() == "(")?;
            Some(Edit {
                start_byte: open.end_byte(),
                end_byte: open.end_byte(),
                new_text: argument.to_string(),
            })
        }
    }
}

/// `import <module>` before the first top-level import (after `from __future__` ones), or at
/// the top; `None` when the module is imported already.
fn python_import(root: Node<'_>, text: &str, module: &str) -> Option<Edit> {
    let mut cursor = root.walk();
    let mut insert_at = 0;
    let mut seen_import = false;
    for statement in root.named_children(&mut cursor) {
        match statement.kind() {
            "import_statement" => {
                let mut names = statement.walk();
                let imported = statement
                    .children_by_field_name("name", &mut names)
                    .any(|name| text.get(name.byte_range()) == Some(module));
                if imported {
                    return None;
                }
                if !seen_import {
                    insert_at = statement.start_byte();
                    seen_import = true;
                }
            }
            "future_import_statement" => insert_at = line_after(text, statement.end_byte()),
            "import_from_statement" if !seen_import => {
                insert_at = statement.start_byte();
                seen_import = true;
            }
            "comment" | "import_from_statement" => {}
            // A module docstring stays first.
            "expression_statement"
                if !seen_import
                    && insert_at == 0
                    && statement.child(0).is_some_and(|s| s.kind() == "string") =>
            {
                insert_at = line_after(text, statement.end_byte());
            }
            _ => break,
        }
    }
    Some(Edit {
        start_byte: insert_at,
        end_byte: insert_at,
        new_text: format!("import {module}\n"),
    })
}

/// The offset of the start of the line after `offset`'s line.
fn line_after(text: &str, offset: usize) -> usize {
    text.get(offset..)
        .and_then(|rest| rest.find('\n'))
        .map_or(text.len(), |newline| offset + newline + 1)
}

/// `text` with the fixes of `findings` applied. A fix is applied whole or not at all: one
/// whose edits overlap an edit already taken is skipped (run again to apply it). An edit
/// equal to one already taken (e.g. the same import) is applied once.
pub fn apply_fixes(text: &str, findings: &[Finding]) -> String {
    apply_counted(text, findings).0
}

/// `apply_fixes`, also returning how many fixes were applied.
pub(crate) fn apply_counted(text: &str, findings: &[Finding]) -> (String, usize) {
    let mut taken: Vec<&Edit> = Vec::new();
    let mut applied = 0;
    let mut fixes: Vec<&Fix> = findings.iter().filter_map(|f| f.fix.as_ref()).collect();
    fixes.sort_by_key(|fix| fix.edits.iter().map(|e| e.start_byte).min());
    for fix in fixes {
        let fresh: Vec<&Edit> = fix
            .edits
            .iter()
            .filter(|edit| !taken.contains(edit))
            .collect();
        let in_bounds = fresh.iter().all(|edit| {
            edit.start_byte <= edit.end_byte
                && text.is_char_boundary(edit.start_byte)
                && text.is_char_boundary(edit.end_byte)
        });
        // A rule's own edits may collide too (a team rule replacing a node and inserting
        // inside it): such a fix is never applied rather than applied wrongly.
        let conflicts = fresh.iter().enumerate().any(|(index, edit)| {
            taken.iter().any(|other| conflict(edit, other))
                || fresh[index + 1..].iter().any(|other| conflict(edit, other))
        });
        if in_bounds && !conflicts {
            taken.extend(fresh);
            applied += 1;
        }
    }
    // An insertion sorts before a replacement starting at the same offset.
    taken.sort_by_key(|edit| (edit.start_byte, edit.end_byte));
    let mut out = String::with_capacity(text.len());
    let mut copied_to = 0;
    for edit in taken {
        out.push_str(&text[copied_to..edit.start_byte]);
        out.push_str(&edit.new_text);
        copied_to = edit.end_byte;
    }
    out.push_str(&text[copied_to..]);
    (out, applied)
}

/// Two edits conflict when their ranges overlap, or when both insert at one offset
/// (their order would be a guess).
fn conflict(a: &Edit, b: &Edit) -> bool {
    let overlap = a.start_byte < b.end_byte && b.start_byte < a.end_byte;
    let same_insertion_point =
        a.start_byte == a.end_byte && b.start_byte == b.end_byte && a.start_byte == b.start_byte;
    let insertion_inside = |insert: &Edit, range: &Edit| {
        insert.start_byte == insert.end_byte
            && range.start_byte < insert.start_byte
            && insert.start_byte < range.end_byte
    };
    overlap || same_insertion_point || insertion_inside(a, b) || insertion_inside(b, a)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Severity;
    use crate::syntax::Language;

    fn finding(edits: Vec<Edit>) -> Finding {
        Finding {
            rule_id: "demo".to_string(),
            severity: Severity::Warning,
            message: String::new(),
            start_byte: 0,
            end_byte: 0,
            fix: Some(Fix {
                title: "demo".to_string(),
                edits,
            }),
            related: Vec::new(),
        }
    }

    fn edit(start_byte: usize, end_byte: usize, new_text: &str) -> Edit {
        Edit {
            start_byte,
            end_byte,
            new_text: new_text.to_string(),
        }
    }

    #[test]
    fn applies_non_overlapping_fixes_and_skips_conflicting_ones_whole() {
        let text = "abcdef";
        let findings = [
            finding(vec![edit(0, 1, "A"), edit(5, 6, "F")]),
            finding(vec![edit(2, 3, "C")]),
            // Overlaps the first fix's second edit: skipped entirely, first edit included.
            finding(vec![edit(3, 4, "D"), edit(4, 6, "x")]),
        ];
        assert_eq!(apply_fixes(text, &findings), "AbCdeF");
    }

    #[test]
    fn a_fix_whose_own_edits_overlap_is_not_applied() {
        let findings = [finding(vec![edit(0, 4, "x"), edit(2, 2, "y")])];
        assert_eq!(apply_fixes("abcdef", &findings), "abcdef");
    }

    #[test]
    fn a_shared_edit_is_applied_once() {
        let text = "x\ny\n";
        let import = edit(0, 0, "import asyncio\n");
        let findings = [
            finding(vec![import.clone(), edit(0, 1, "X")]),
            finding(vec![import, edit(2, 3, "Y")]),
        ];
        assert_eq!(apply_fixes(text, &findings), "import asyncio\nX\nY\n");
    }

    #[test]
    fn adds_arguments_after_the_last_one_or_inside_empty_parens() {
        let cases = [
            ("f(a)\n", "f(a, t=1)\n"),
            ("f()\n", "f(t=1)\n"),
            ("f(\n    a,  # note\n)\n", "f(\n    a, t=1,  # note\n)\n"),
        ];
        for (before, after) in cases {
            let tree = Language::Python.parse_str(before).unwrap();
            let call = tree.root_node().child(0).unwrap().child(0).unwrap();
            let list = call.child_by_field_name("arguments").unwrap();
            let edit = add_argument(list, "t=1").unwrap();
            let fixed = apply_fixes(before, &[finding(vec![edit])]);
            assert_eq!(fixed, after);
        }
    }

    #[test]
    fn imports_go_after_the_docstring_and_future_imports_and_only_once() {
        let cases = [
            ("x = 1\n", Some("import asyncio\nx = 1\n")),
            (
                "\"\"\"Doc.\"\"\"\nx = 1\n",
                Some("\"\"\"Doc.\"\"\"\nimport asyncio\nx = 1\n"),
            ),
            (
                "from __future__ import annotations\nimport os\n",
                Some("from __future__ import annotations\nimport asyncio\nimport os\n"),
            ),
            ("import os\nimport asyncio\n", None),
        ];
        for (before, after) in cases {
            let tree = Language::Python.parse_str(before).unwrap();
            let edit = python_import(tree.root_node(), before, "asyncio");
            let fixed = edit.map(|edit| apply_fixes(before, &[finding(vec![edit])]));
            assert_eq!(fixed.as_deref(), after, "{before:?}");
        }
    }
}
