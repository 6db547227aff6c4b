//! `# keel: ignore[rule-id, ...]` / `// keel: ignore[rule-id]` comments: a finding is
//! dropped when such a comment naming its rule is on its first line or the line above.

use tree_sitter::Node;

const MARKER: &str = "keel: ignore[";

/// The suppressions of one file: (line index, rule ids) for each marker in a comment.
pub(crate) struct Suppressions {
    lines: Vec<(usize, Vec<String>)>,
}

impl Suppressions {
    pub(crate) fn scan(text: &str, root: Node<'_>) -> Suppressions {
        let mut lines = Vec::new();
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
            lines.push((line, ids));
        }
        Suppressions { lines }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Whether `rule_id` is suppressed for a finding starting on `line` (0-based).
    pub(crate) fn covers(&self, rule_id: &str, line: usize) -> bool {
        self.lines.iter().any(|(marked, ids)| {
            (*marked == line || *marked + 1 == line) && ids.iter().any(|id| id == rule_id)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::Language;

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
}
