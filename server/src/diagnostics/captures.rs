//! The nodes one query match captured, looked up by name, and the `{capture}` templates of
//! messages and fixes filled from them.

use tree_sitter::{Node, Query, QueryMatch};

/// The captures of one match, by name.
pub(crate) struct Captured<'a, 'tree> {
    query: &'a Query,
    captures: &'a [tree_sitter::QueryCapture<'tree>],
    text: &'a str,
}

impl<'a, 'tree> Captured<'a, 'tree> {
    pub(crate) fn new(query: &'a Query, found: &'a QueryMatch<'a, 'tree>, text: &'a str) -> Self {
        Captured {
            query,
            captures: found.captures(),
            text,
        }
    }

    /// The first node captured under `name`, if the match has one.
    pub(crate) fn node(&self, name: &str) -> Option<Node<'tree>> {
        let index = self.query.capture_index_for_name(name)?;
        self.captures
            .iter()
            .find(|capture| capture.index == index)
            .map(|capture| capture.node)
    }

    pub(crate) fn node_by_index(&self, index: u32) -> Option<Node<'tree>> {
        self.captures
            .iter()
            .find(|capture| capture.index == index)
            .map(|capture| capture.node)
    }

    pub(crate) fn text_of(&self, node: Node<'_>) -> &'a str {
        self.text.get(node.byte_range()).unwrap_or_default()
    }

    /// The code of `node`, cut to one short line as in messages.
    pub(crate) fn render_code(&self, node: Node<'_>) -> String {
        shorten(self.text_of(node))
    }

    /// `template` with each `{name}` replaced by the code captured as `name`. With `short`,
    /// long or multi-line code is cut to its first line, so messages stay one line.
    pub(crate) fn render(&self, template: &str, short: bool) -> String {
        let mut out = String::with_capacity(template.len());
        let mut rest = template;
        while let Some((before, name, after)) = next_placeholder(rest) {
            out.push_str(before);
            let code = self.node(name).map(|node| self.text_of(node)).unwrap_or("");
            if short {
                out.push_str(&shorten(code));
            } else {
                out.push_str(code);
            }
            rest = after;
        }
        out.push_str(rest);
        out
    }
}

/// The capture names a template refers to, for checking a rule when it is loaded.
pub(crate) fn placeholders(template: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = template;
    while let Some((_, name, after)) = next_placeholder(rest) {
        names.push(name);
        rest = after;
    }
    names
}

/// Splits at the first `{name}` (a name is letters, digits and `_`): (before, name, after).
fn next_placeholder(text: &str) -> Option<(&str, &str, &str)> {
    let mut search_from = 0;
    while let Some(offset) = text[search_from..].find('{') {
        let open = search_from + offset;
        let after_open = &text[open + 1..];
        if let Some(close) = after_open.find('}') {
            let name = &after_open[..close];
            if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Some((&text[..open], name, &after_open[close + 1..]));
            }
        }
        search_from = open + 1;
    }
    None
}

const MESSAGE_CODE_CHARS: usize = 60;

fn shorten(code: &str) -> String {
    let first_line = code.lines().next().unwrap_or("").trim_end();
    let mut short: String = first_line.chars().take(MESSAGE_CODE_CHARS).collect();
    if short.len() < code.trim_end().len() {
        short.push('…');
    }
    short
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_placeholders_and_ignores_other_braces() {
        assert_eq!(
            placeholders("`{call}` in {fn_name}, not { this } or {}"),
            vec!["call", "fn_name"]
        );
    }

    #[test]
    fn shortens_long_and_multiline_code() {
        assert_eq!(shorten("requests.get(url)"), "requests.get(url)");
        assert_eq!(shorten("requests.get(\n    url)"), "requests.get(…");
        assert_eq!(shorten(&"x".repeat(100)).chars().count(), 61);
    }
}
