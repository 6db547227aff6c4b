//! Whether a suggestion should be one line or a block, decided from the code at the cursor.

use tree_sitter::Tree;

use crate::syntax::Language;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// The rest of an expression or statement: one line at most.
    Line,
    /// The body of a block the cursor's line opens: several lines.
    Block,
}

/// Python statements whose line ends with `:` and opens an indented body. A `:` ending any
/// other line is a dict entry, a slice or a lambda, which continue on one line.
const PYTHON_OPENERS: &[&str] = &[
    "def", "async", "class", "if", "elif", "else", "for", "while", "try", "except", "finally",
    "with", "match", "case",
];

/// The shape for a cursor whose line reads `before` up to the cursor and `after` past it;
/// `previous` is the nearest non-blank line above, `node` the smallest node at the cursor.
pub fn decide(
    language: Option<Language>,
    tree: Option<&Tree>,
    cursor: usize,
    before: &str,
    after: &str,
    previous: Option<&str>,
) -> Shape {
    if let Some(tree) = tree
        && inside_text_literal(tree, cursor)
    {
        return Shape::Line;
    }
    if opens_block(language, before) {
        return Shape::Block;
    }
    let blank = before.trim().is_empty() && after.trim().is_empty();
    if !blank {
        return Shape::Line;
    }
    // An empty body: a blank line right under the line that opened it.
    if previous.is_some_and(|line| opens_block(language, line)) {
        return Shape::Block;
    }
    if language == Some(Language::Rust)
        && let Some(tree) = tree
        && in_empty_rust_block(tree, cursor)
    {
        return Shape::Block;
    }
    Shape::Line
}

/// Whether `line` (up to the cursor) ends by opening a block.
pub fn opens_block(language: Option<Language>, line: &str) -> bool {
    let line = line.trim_end();
    match language {
        Some(Language::Python) => {
            let first_word = line
                .trim_start()
                .split(|c: char| !c.is_alphanumeric() && c != '_')
                .next()
                .unwrap_or("");
            line.ends_with(':') && PYTHON_OPENERS.contains(&first_word)
        }
        Some(Language::Rust) => line.ends_with('{'),
        None => line.ends_with('{') || line.ends_with(':'),
    }
}

fn inside_text_literal(tree: &Tree, cursor: usize) -> bool {
    let Some(node) = tree.root_node().descendant_for_byte_range(cursor, cursor) else {
        return false;
    };
    crate::syntax::ancestors(tree.root_node(), node).any(|node| {
        let literal = matches!(
            node.kind(),
            "string"
                | "string_literal"
                | "raw_string_literal"
                | "comment"
                | "line_comment"
                | "block_comment"
        );
        literal && node.start_byte() < cursor && cursor < node.end_byte()
    })
}

fn in_empty_rust_block(tree: &Tree, cursor: usize) -> bool {
    let Some(node) = tree.root_node().descendant_for_byte_range(cursor, cursor) else {
        return false;
    };
    crate::syntax::ancestors(tree.root_node(), node).any(|node| {
        matches!(node.kind(), "block" | "declaration_list") && node.named_child_count() == 0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(language: Language, text: &str) -> Shape {
        let cursor = text.find('|').expect("a cursor marker");
        let text = text.replacen('|', "", 1);
        let tree = language.parse_str(&text);
        let line_start = text[..cursor].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[cursor..].find('\n').map_or(text.len(), |i| cursor + i);
        let previous = text[..line_start]
            .lines()
            .rev()
            .find(|line| !line.trim().is_empty());
        decide(
            Some(language),
            tree.as_ref(),
            cursor,
            &text[line_start..cursor],
            &text[cursor..line_end],
            previous,
        )
    }

    #[test]
    fn python_blocks_open_after_a_statement_colon() {
        assert_eq!(shape(Language::Python, "def f(x):|\n"), Shape::Block);
        assert_eq!(shape(Language::Python, "def f(x):\n    |\n"), Shape::Block);
        assert_eq!(shape(Language::Python, "if x:   |\n"), Shape::Block);
        assert_eq!(shape(Language::Python, "d = {\"a\":|\n"), Shape::Line);
        assert_eq!(shape(Language::Python, "x = foo(|)\n"), Shape::Line);
        assert_eq!(
            shape(Language::Python, "def f():\n    y = 1\n    |\n"),
            Shape::Line
        );
        assert_eq!(shape(Language::Python, "s = \"if x:|\"\n"), Shape::Line);
    }

    #[test]
    fn rust_blocks_open_after_a_brace_or_in_an_empty_body() {
        assert_eq!(shape(Language::Rust, "fn f() {|\n"), Shape::Block);
        assert_eq!(shape(Language::Rust, "fn f() {|}\n"), Shape::Block);
        assert_eq!(shape(Language::Rust, "fn f() {\n    |\n}\n"), Shape::Block);
        assert_eq!(
            shape(Language::Rust, "fn f() {\n    let x = 1;\n\n    |\n}\n"),
            Shape::Line
        );
        assert_eq!(
            shape(Language::Rust, "fn f() { let x = |; }\n"),
            Shape::Line
        );
    }
}
