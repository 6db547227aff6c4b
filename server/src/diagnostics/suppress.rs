//! `# keel: ignore[rule-id, ...]` / `// keel: ignore[rule-id]` comments: a finding is
//! dropped when such a comment naming its rule is on its first line or the line above.
//! A marker on a line of its own reaches past the comment lines under it, so a
//! suppression can sit in the comment that explains it. This file also writes the marker,
//! for the "Ignore <rule> on this line" quick fix.

use tree_sitter::Node;

use crate::syntax::Language;

const MARKER: &str = "keel: ignore[";

/// Text to insert at the start of a 0-based line (column 0, so the same in every position
/// encoding).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineInsert {
    pub line: usize,
    pub text: String,
}

/// The edit that silences `rule_id` for a finding starting on `line`, whose text (with its
/// line ending, if any) is `line_text`: `# keel: ignore[id]` (or `//`) on a line of its own
/// above it, indented like it, ending as the file's lines do.
pub fn ignore_edit(language: Language, line: usize, line_text: &str, rule_id: &str) -> LineInsert {
    let comment = match language {
        Language::Python => "#",
        Language::Rust => "//",
    };
    let indent: String = line_text
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    let newline = if line_text.ends_with("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    LineInsert {
        line,
        text: format!("{indent}{comment} {MARKER}{rule_id}]{newline}"),
    }
}

/// The suppressions of one file: (first line, last line covered, rule ids) for each
/// marker in a comment; lines are 0-based.
pub(crate) struct Suppressions {
    markers: Vec<(usize, usize, Vec<String>)>,
}

impl Suppressions {
    pub(crate) fn scan(text: &str, root: Node<'_>) -> Suppressions {
        let lines: Vec<&str> = text.split('\n').collect();
        let comment_only = |line: usize| {
            lines.get(line).is_some_and(|code| {
                let code = code.trim_start();
                code.starts_with('#') || code.starts_with("//")
            })
        };
        let mut markers = Vec::new();
        for (offset, _) in text.match_indices(MARKER) {
            // Only a comment counts: the same characters in a string are data.
            let in_comment = root
                .descendant_for_byte_range(offset, offset + MARKER.len())
                .is_some_and(|node| node.kind().contains("comment"));
            if !in_comment {
                continue;
            }
            let after = &text[offset + MARKER.len()..];
            let Some(close) = after.find(']') else {
                continue;
            };
            let ids = after[..close]
                .split(',')
                .map(|id| id.trim().to_string())
                .filter(|id| !id.is_empty())
                .collect();
            let line = text[..offset].matches('\n').count();
            let mut last_comment = line;
            if comment_only(line) {
                while comment_only(last_comment + 1) {
                    last_comment += 1;
                }
            }
            markers.push((line, last_comment + 1, ids));
        }
        Suppressions { markers }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.markers.is_empty()
    }

    /// Whether `rule_id` is suppressed for a finding starting on `line` (0-based).
    pub(crate) fn covers(&self, rule_id: &str, line: usize) -> bool {
        self.markers.iter().any(|(first, last, ids)| {
            (*first..=*last).contains(&line) && ids.iter().any(|id| id == rule_id)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `text` with `insert` applied.
    fn inserted(text: &str, insert: &LineInsert) -> String {
        let mut lines: Vec<&str> = text.split_inclusive('\n').collect();
        lines.insert(insert.line, &insert.text);
        lines.concat()
    }

    #[test]
    fn the_ignore_edit_silences_its_rule_on_that_line_and_keeps_indent_and_line_endings() {
        let code = "def f(code):\r\n\t  eval(code)\r\n";
        let edit = ignore_edit(Language::Python, 1, "\t  eval(code)\r\n", "py-eval-exec");
        assert_eq!(edit.line, 1);
        assert_eq!(edit.text, "\t  # keel: ignore[py-eval-exec]\r\n");
        let fixed = inserted(code, &edit);
        let tree = Language::Python.parse_str(&fixed).unwrap();
        let found = Suppressions::scan(&fixed, tree.root_node());
        assert!(found.covers("py-eval-exec", 2));
        assert!(!found.covers("py-other", 2));

        let rust = ignore_edit(Language::Rust, 0, "    panic!();", "rs-panic-macro");
        assert_eq!(rust.text, "    // keel: ignore[rs-panic-macro]\n");
    }

    #[test]
    fn reads_comments_on_the_line_and_the_line_above_but_not_strings() {
        let code = "a = 1  # keel: ignore[py-x, py-y]\n# keel: ignore[py-z]\nb = 2\nc = \"keel: ignore[py-w]\"\n";
        let tree = Language::Python.parse_str(code).unwrap();
        let found = Suppressions::scan(code, tree.root_node());
        assert!(found.covers("py-x", 0));
        assert!(found.covers("py-y", 0));
        assert!(found.covers("py-y", 1));
        assert!(found.covers("py-z", 2));
        assert!(!found.covers("py-z", 3));
        assert!(!found.covers("py-w", 3));
        assert!(!found.covers("py-other", 0));
    }

    #[test]
    fn a_marker_on_its_own_line_reaches_past_the_comment_under_it() {
        let code =
            "// keel: ignore[rs-x]\n// reviewed: the input is constant\nlet a = 1;\nlet b = 2;\n";
        let tree = Language::Rust.parse_str(code).unwrap();
        let found = Suppressions::scan(code, tree.root_node());
        assert!(found.covers("rs-x", 2));
        assert!(!found.covers("rs-x", 3));
    }
}
