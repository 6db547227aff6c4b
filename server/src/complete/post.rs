//! Post-processing: what a model wrote, cut to fit the code around the cursor.

use ropey::Rope;
use tree_sitter::{InputEdit, Node, Point, Tree};

use super::Shape;
use crate::syntax::Language;

/// The code around the cursor that a suggestion must fit.
pub struct Surroundings<'a> {
    pub language: Option<Language>,
    pub shape: Shape,
    /// Indentation (in columns) of the line that opened the block: a line of the suggestion
    /// indented no deeper has left it (Python).
    pub floor: usize,
    /// The rest of the cursor's line.
    pub line_after: &'a str,
    /// The first non-blank line below the cursor's line.
    pub next_line: Option<&'a str>,
    pub max_lines: usize,
}

/// `raw` cut to the shape and the enclosing block, without what already follows the
/// cursor, trailing whitespace and lines past the cap. `None` when nothing is left.
pub fn clean(raw: &str, around: &Surroundings<'_>) -> Option<String> {
    let text = raw.replace("\r\n", "\n");
    let mut lines: Vec<&str> = text.split('\n').collect();
    match around.shape {
        Shape::Line => lines.truncate(1),
        Shape::Block => {
            let end = match around.language {
                Some(Language::Rust) | None => brace_end(&lines),
                Some(Language::Python) => indent_end(&lines, around.floor),
            };
            lines.truncate(end.lines);
            if let Some(column) = end.column
                && let Some(last) = lines.last_mut()
            {
                *last = last.get(..column).unwrap_or(last);
            }
        }
    }
    // Repeating the line below the cursor means the model ran past the gap.
    if let Some(next) = around.next_line.map(str::trim).filter(|l| !l.is_empty())
        && let Some(index) = lines.iter().skip(1).position(|line| line.trim() == next)
    {
        lines.truncate(index + 1);
    }
    lines.truncate(around.max_lines.max(1));
    let mut lines: Vec<&str> = lines.into_iter().map(str::trim_end).collect();
    while lines.last().is_some_and(|line| line.is_empty()) {
        lines.pop();
    }
    let mut text = lines.join("\n");
    if lines.len() <= 1 {
        text = drop_tail_overlap(&text, around.line_after);
    }
    let text = text.trim_end().to_string();
    (!text.trim().is_empty()).then_some(text)
}

/// Where a block suggestion ends: a whole number of lines, and perhaps a cut within the
/// last one (before a closing brace).
struct End {
    lines: usize,
    column: Option<usize>,
}

/// Rust: the end is the brace that closes the block the cursor is in. Braces in strings,
/// character literals and line comments do not count.
fn brace_end(lines: &[&str]) -> End {
    let mut depth = 0i32;
    for (index, line) in lines.iter().enumerate() {
        let mut in_string = false;
        let mut escaped = false;
        let mut chars = line.char_indices().peekable();
        while let Some((column, c)) = chars.next() {
            if in_string {
                match (escaped, c) {
                    (true, _) => escaped = false,
                    (false, '\\') => escaped = true,
                    (false, '"') => in_string = false,
                    _ => {}
                }
                continue;
            }
            match c {
                '"' => in_string = true,
                '/' if chars.peek().is_some_and(|(_, next)| *next == '/') => break,
                '\'' => {
                    // A character literal such as '{' or '\u{7b}'; a lifetime has no closing quote.
                    let rest = &line[column + 1..];
                    let longest = if rest.starts_with('\\') { 11 } else { 4 };
                    if let Some(close) = rest.char_indices().skip(1).find(|(_, c)| *c == '\'')
                        && close.0 <= longest
                    {
                        while chars
                            .peek()
                            .is_some_and(|(at, _)| *at <= column + 1 + close.0)
                        {
                            chars.next();
                        }
                    }
                }
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth < 0 {
                        return End {
                            lines: index + 1,
                            column: Some(column),
                        };
                    }
                }
                _ => {}
            }
        }
    }
    End {
        lines: lines.len(),
        column: None,
    }
}

/// Python: the end is the first non-blank line (after the cursor's own) indented no deeper
/// than the line that opened the block.
fn indent_end(lines: &[&str], floor: usize) -> End {
    let end = lines
        .iter()
        .enumerate()
        .skip(1)
        .find(|(_, line)| !line.trim().is_empty() && indentation(line) <= floor)
        .map_or(lines.len(), |(index, _)| index);
    End {
        lines: end,
        column: None,
    }
}

/// Indentation in columns, a tab counting as eight.
pub fn indentation(line: &str) -> usize {
    line.chars()
        .take_while(|c| c.is_whitespace())
        .map(|c| if c == '\t' { 8 } else { 1 })
        .sum()
}

/// Drops the end of a one-line suggestion that repeats the start of the text after the
/// cursor (`foo(|)` + `x)` -> `x`), but only when the repeated part is what unbalanced the
/// suggestion: `foo(|)` + `bar()` is left alone.
fn drop_tail_overlap(text: &str, line_after: &str) -> String {
    let tail = line_after.trim_start();
    if tail.is_empty() || balanced(text) {
        return text.to_string();
    }
    let longest = (1..=tail.len().min(text.len()))
        .rev()
        .filter(|k| tail.is_char_boundary(*k))
        .find(|k| text.ends_with(&tail[..*k]) && balanced(&text[..text.len() - k]));
    match longest {
        Some(k) => text[..text.len() - k].to_string(),
        None => text.to_string(),
    }
}

/// Brackets balanced and quotes paired.
fn balanced(text: &str) -> bool {
    let mut depth = 0i32;
    for c in text.chars() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            _ => {}
        }
        if depth < 0 {
            return false;
        }
    }
    let quotes = |q: char| text.chars().filter(|c| *c == q).count() % 2 == 0;
    depth == 0 && quotes('"') && quotes('\'')
}

/// Largest scope parsed on its own: a larger function or class is narrowed to the
/// statements at the cursor, so the check stays cheap in long functions and classes (it
/// runs on every completion: 2 KB parses twice in about 0.3 ms, 4 KB took twice that).
const MAX_SCOPE_BYTES: usize = 2048;

/// Nodes whose children are statements or items: where a narrowed scope is cut.
const CONTAINERS: [&str; 5] = [
    "module",
    "block",
    "source_file",
    "declaration_list",
    "field_declaration_list",
];

/// Whether inserting `insert` at `cursor` turns an error-free scope into one with errors.
/// The scope is the smallest function, class or item holding the cursor, else the
/// top-level items on either side of it; one larger than `MAX_SCOPE_BYTES` is narrowed to
/// the statements on either side of the cursor in the innermost block holding it, taken
/// as whole lines and dedented. It is parsed on its own with the suggestion, and before it
/// too unless the document's tree shows it error-free, so the check costs one or two small
/// parses however large the file. CPU work: call it off the LSP task.
///
/// In an error-free function larger than `NARROW_FIRST_BYTES`, those statements around
/// the cursor are tried first: when they still parse with the suggestion, and its lines
/// stay inside their block, the function does too, and the parse of the whole function
/// (about 0.2 µs a byte, the largest cost of a completion after its prompt) is skipped.
/// Any error there is judged on the whole scope, so only a suggestion that fits is
/// decided on the narrow text.
pub fn breaks_syntax(
    language: Language,
    text: &Rope,
    tree: &Tree,
    cursor: usize,
    insert: &str,
) -> bool {
    let root = tree.root_node();
    let scope = scope(language, text, root, cursor);
    // A scope over `MAX_SCOPE_BYTES` is already those statements, or has none to try.
    if scope.clean
        && (NARROW_FIRST_BYTES + 1..=MAX_SCOPE_BYTES).contains(&(scope.end - scope.start))
        && let Some(narrow) = statements_around(language, text, root, cursor)
        && narrow.clean
        && narrow.end - narrow.start <= (scope.end - scope.start) / 2
        && stays_inside(text, cursor, insert, narrow.indent)
        && !breaks(language, text, &narrow, cursor, insert)
    {
        return false;
    }
    breaks(language, text, &scope, cursor, insert)
}

/// Function scopes up to this size are checked whole: their parse costs about as much as
/// narrowing them would save.
const NARROW_FIRST_BYTES: usize = 384;

/// Whether the lines `insert` makes of the cursor's line are each blank or indented by at
/// least `indent` bytes. A line less indented would leave the block the narrow text was
/// cut from, which its dedented text cannot show (the suggestion's own lines, but also a
/// blank line typed into, or the rest of a line pushed onto a line of its own).
fn stays_inside(text: &Rope, cursor: usize, insert: &str, indent: usize) -> bool {
    let line = text.byte_to_line(cursor);
    let (start, end) = (text.line_to_byte(line), text.line_to_byte(line + 1));
    let (Some(before), Some(after)) = (
        text.get_byte_slice(start..cursor),
        text.get_byte_slice(cursor..end),
    ) else {
        return false;
    };
    format!("{before}{insert}{after}").split('\n').all(|line| {
        let code = line.trim_start_matches([' ', '\t']);
        code.trim().is_empty() || line.len() - code.len() >= indent
    })
}

/// `breaks_syntax` on `scope`, a clean one parsed once (with the suggestion), any other
/// twice (without it, to know it was error-free, then with it).
fn breaks(language: Language, text: &Rope, scope: &Scope, cursor: usize, insert: &str) -> bool {
    let Some(before) = text
        .get_byte_slice(scope.start..scope.end)
        .map(|slice| slice.to_string())
    else {
        return false;
    };
    let Some((head, tail)) = before.split_at_checked(cursor - scope.start) else {
        return false;
    };
    let inserted = format!("{head}{insert}{tail}");
    let new = dedent(&inserted, scope.indent);
    if scope.clean {
        return language
            .parse_str(&new)
            .is_none_or(|tree| tree.root_node().has_error());
    }
    let old = dedent(&before, scope.indent);
    let Some(mut old_tree) = language.parse_str(&old) else {
        return false;
    };
    if old_tree.root_node().has_error() {
        return false;
    }
    // The second parse reuses the first tree: only the suggestion's lines are new.
    old_tree.edit(&difference(&old, &new));
    let bytes = new.as_bytes();
    language
        .parse_with(
            &mut |at, _| bytes.get(at..).unwrap_or_default(),
            bytes.len(),
            Some(&old_tree),
        )
        .is_none_or(|tree| tree.root_node().has_error())
}

/// The edit that turns `old` into `new`: what lies between their common prefix and their
/// common suffix.
fn difference(old: &str, new: &str) -> InputEdit {
    let prefix = old
        .bytes()
        .zip(new.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    let suffix = old.as_bytes()[prefix..]
        .iter()
        .rev()
        .zip(new.as_bytes()[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let (old_end, new_end) = (old.len() - suffix, new.len() - suffix);
    InputEdit {
        start_byte: prefix,
        old_end_byte: old_end,
        new_end_byte: new_end,
        start_position: point(old.as_bytes(), prefix),
        old_end_position: point(old.as_bytes(), old_end),
        new_end_position: point(new.as_bytes(), new_end),
    }
}

/// Row and byte column of `byte` in `text`.
fn point(text: &[u8], byte: usize) -> Point {
    let head = &text[..byte];
    let row = head.iter().filter(|b| **b == b'\n').count();
    let column = head.iter().rev().take_while(|b| **b != b'\n').count();
    Point::new(row, column)
}

/// The code `breaks_syntax` parses: a byte range of the document, and the indentation (in
/// bytes) to take off each of its lines.
struct Scope {
    start: usize,
    end: usize,
    indent: usize,
    /// A whole definition of the document whose tree has no error in it: its text parses
    /// on its own, so only the text with the suggestion needs parsing.
    clean: bool,
}

fn scope(language: Language, text: &Rope, root: Node<'_>, cursor: usize) -> Scope {
    let holding = root
        .descendant_for_byte_range(cursor, cursor)
        .into_iter()
        .flat_map(|node| crate::syntax::ancestors(root, node))
        .find(|node| {
            matches!(
                node.kind(),
                "function_definition"
                    | "class_definition"
                    | "function_item"
                    | "impl_item"
                    | "trait_item"
                    | "mod_item"
            ) && node.start_byte() <= cursor
                && cursor <= node.end_byte()
        });
    let whole = match holding {
        Some(node) => Scope {
            start: node.start_byte(),
            end: node.end_byte(),
            indent: 0,
            clean: !node.has_error(),
        },
        None => around(language, root, cursor),
    };
    if whole.end - whole.start <= MAX_SCOPE_BYTES {
        return whole;
    }
    statements_around(language, text, root, cursor)
        .or_else(|| whole_lines(text, line_at(text, cursor)))
        .unwrap_or(whole)
}

/// The statements on either side of `cursor` in the innermost block holding it, as whole
/// lines; `None` when they are larger than `MAX_SCOPE_BYTES` or code precedes them on
/// their first line.
fn statements_around(
    language: Language,
    text: &Rope,
    root: Node<'_>,
    cursor: usize,
) -> Option<Scope> {
    let container = root
        .descendant_for_byte_range(cursor, cursor)
        .into_iter()
        .flat_map(|node| crate::syntax::ancestors(root, node))
        .find(|node| CONTAINERS.contains(&node.kind()) && node.start_byte() <= cursor)?;
    Some(around(language, container, cursor))
        .filter(|narrow| narrow.end - narrow.start <= MAX_SCOPE_BYTES)
        .and_then(|narrow| whole_lines(text, narrow))
}

/// `scope` widened to the start of its first line and dedented by that line's
/// indentation, so every line keeps its indentation relative to the first; `None` when
/// code comes before it on that line.
fn whole_lines(text: &Rope, scope: Scope) -> Option<Scope> {
    let line_start = text.line_to_byte(text.byte_to_line(scope.start));
    let blank = text
        .get_byte_slice(line_start..scope.start)?
        .chars()
        .all(|c| c == ' ' || c == '\t');
    blank.then_some(Scope {
        start: line_start,
        indent: scope.start - line_start,
        ..scope
    })
}

/// The cursor's own line, from its first non-blank character: the last resort when even
/// the statements around the cursor are too long to parse on every completion (a
/// 1,000-line literal). Only a line that parses on its own can veto a suggestion then.
fn line_at(text: &Rope, cursor: usize) -> Scope {
    let line = text.byte_to_line(cursor);
    let start = text.line_to_byte(line);
    let content = text.line(line).to_string();
    let code = content.trim_end_matches(['\r', '\n']);
    let indent = code.len() - code.trim_start_matches([' ', '\t']).len();
    Scope {
        start: (start + indent).min(cursor),
        end: (start + code.len()).max(cursor),
        indent: 0,
        clean: false,
    }
}

/// The named children of `parent` on either side of `cursor` (the one it is in, or the one
/// before it and the one after it); a block's braces are not statements.
fn around(language: Language, parent: Node<'_>, cursor: usize) -> Scope {
    // Found by byte, not by listing the children: a module has thousands.
    let (before, after) = match parent.first_named_child_for_byte(cursor) {
        Some(at) if at.start_byte() <= cursor => {
            let after = if at.start_byte() == cursor {
                Some(at)
            } else {
                at.next_named_sibling()
            };
            (Some(at), after)
        }
        Some(at) => (at.prev_named_sibling(), Some(at)),
        None => (
            parent
                .named_child_count()
                .checked_sub(1)
                .and_then(|last| parent.named_child(last as u32)),
            None,
        ),
    };
    let (start, end) = match (before.or(after), after.or(before)) {
        (Some(first), Some(last)) => (first.start_byte(), last.end_byte()),
        _ => (parent.start_byte(), parent.end_byte()),
    };
    let (start, end) = (start.min(cursor), end.max(cursor));
    // Python's statements parse alone anywhere; of Rust's, only items do (a block ends
    // with an expression that is no statement on its own, a struct's fields are no items).
    let parse_alone =
        language == Language::Python || matches!(parent.kind(), "source_file" | "declaration_list");
    Scope {
        start,
        end,
        indent: 0,
        clean: parse_alone && !has_error_within(parent, start, end),
    }
}

/// Whether a child of `parent` overlapping `start..end` holds an error in the document's
/// tree. Whole Python statements and Rust items without one parse on their own as they do
/// in place, so the text of the scope needs no parse of its own to know it was error-free.
fn has_error_within(parent: Node<'_>, start: usize, end: usize) -> bool {
    if !parent.has_error() {
        return false;
    }
    // A cursor, not `next_sibling`, which searches its parent's children again each time
    // (an error node can have 50,000 of them).
    let mut children = parent.walk();
    if children.goto_first_child_for_byte(start).is_none() {
        return false;
    }
    loop {
        let node = children.node();
        if node.start_byte() >= end {
            return false;
        }
        if node.has_error() {
            return true;
        }
        if !children.goto_next_sibling() {
            return false;
        }
    }
}

/// `code` with up to `indent` leading blanks taken off each line.
fn dedent(code: &str, indent: usize) -> std::borrow::Cow<'_, str> {
    if indent == 0 {
        return code.into();
    }
    code.split_inclusive('\n')
        .map(|line| {
            let blanks = line
                .bytes()
                .take(indent)
                .take_while(|b| *b == b' ' || *b == b'\t')
                .count();
            &line[blanks..]
        })
        .collect::<String>()
        .into()
}

/// Whether a suggestion is only commentary (comments, a docstring or its opener) although
/// the user is writing code (`before`, their line up to the cursor, is not a comment):
/// small models fall back on such text when they have nothing to say, and a comment the
/// user did not ask for is noise in the buffer.
pub fn only_commentary(language: Option<Language>, before: &str, text: &str) -> bool {
    let comments: &[&str] = match language {
        Some(Language::Python) => &["#", "\"\"\"", "'''", "r\"\"\""],
        Some(Language::Rust) => &["//", "/*"],
        None => &["#", "//", "/*"],
    };
    let commentary = |line: &str| comments.iter().any(|start| line.starts_with(start));
    let writing_one = ["#", "//", "\"\"\""]
        .iter()
        .any(|marker| before.contains(marker));
    let mut lines = text.lines().map(str::trim).filter(|line| !line.is_empty());
    !writing_one && lines.all(commentary)
}

/// With the cursor in a line's indentation (`indent`, spaces or tabs only), models often
/// repeat the indentation (`" return x"`) or end the blank line first
/// (`"\n    return x"`); either way the suggestion must start with the code itself, or
/// the inserted line would be indented twice or left blank.
pub fn after_indentation<'r>(raw: &'r str, indent: &str) -> &'r str {
    if indent.is_empty() || !indent.chars().all(|c| c == ' ' || c == '\t') {
        return raw;
    }
    let rest = raw.strip_prefix("\r\n").or_else(|| raw.strip_prefix('\n'));
    match rest {
        Some(rest) if rest.starts_with(indent) => &rest[indent.len()..],
        Some(_) => raw,
        None => raw.trim_start_matches([' ', '\t']),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_suggestion_typed_in_the_indentation_starts_with_its_code() {
        assert_eq!(after_indentation(" return x", "    "), "return x");
        assert_eq!(
            after_indentation("\n    total = 0\n    return total", "    "),
            "total = 0\n    return total"
        );
        // A newline into a shallower line is the model's real intent: left alone.
        assert_eq!(after_indentation("\nother()", "    "), "\nother()");
        // At column 0 (or after code), leading spaces are the model's own.
        assert_eq!(after_indentation(" 5", ""), " 5");
        assert_eq!(after_indentation(" 5", "x ="), " 5");
    }

    #[test]
    fn commentary_alone_is_noticed_unless_the_user_writes_a_comment() {
        let python = Some(Language::Python);
        assert!(only_commentary(python, "    ", "# TODO: handle the error"));
        assert!(only_commentary(python, "    ", "\"\"\"Return the user."));
        assert!(only_commentary(python, "    ", "# a\n    # b\n"));
        assert!(!only_commentary(python, "    ", "# a\n    return b"));
        assert!(!only_commentary(python, "    x = ", "compute()  # slow"));
        assert!(!only_commentary(python, "    # ", "handle the error"));
        assert!(only_commentary(
            Some(Language::Rust),
            "    ",
            "// unreachable"
        ));
        assert!(!only_commentary(
            Some(Language::Rust),
            "    ",
            "x += 1; // count"
        ));
        // A multiplication continuing the line is code, not a block comment's `*` line.
        assert!(!only_commentary(
            Some(Language::Rust),
            "    let b = a",
            " * 2;"
        ));
    }

    fn around(language: Language, shape: Shape) -> Surroundings<'static> {
        Surroundings {
            language: Some(language),
            shape,
            floor: 0,
            line_after: "",
            next_line: None,
            max_lines: 8,
        }
    }

    #[test]
    fn a_line_suggestion_keeps_its_first_line_without_trailing_space() {
        let around = around(Language::Python, Shape::Line);
        assert_eq!(
            clean("a + b   \nprint(1)\n", &around).as_deref(),
            Some("a + b")
        );
        assert_eq!(clean("  \n", &around), None);
    }

    #[test]
    fn python_blocks_stop_where_the_indentation_leaves_the_block() {
        let mut around = around(Language::Python, Shape::Block);
        around.floor = 4;
        let raw =
            "\n        total = a + b\n\n        return total\n    def other(self):\n        pass\n";
        assert_eq!(
            clean(raw, &around).as_deref(),
            Some("\n        total = a + b\n\n        return total")
        );
    }

    #[test]
    fn rust_blocks_stop_at_the_brace_closing_the_enclosing_block() {
        let around = around(Language::Rust, Shape::Block);
        let raw = "\n    let s = \"}\";\n    if x { y() } // }\n    s.len()\n}\n\nfn next() {}\n";
        assert_eq!(
            clean(raw, &around).as_deref(),
            Some("\n    let s = \"}\";\n    if x { y() } // }\n    s.len()")
        );
        assert_eq!(
            clean("let c = '{'; c }", &around).as_deref(),
            Some("let c = '{'; c")
        );
    }

    #[test]
    fn text_already_after_the_cursor_is_dropped() {
        let mut around = around(Language::Python, Shape::Line);
        around.line_after = "):";
        assert_eq!(clean("a, b):", &around).as_deref(), Some("a, b"));
        around.line_after = ")";
        assert_eq!(clean("bar()", &around).as_deref(), Some("bar()"));
        assert_eq!(clean("\"hi\")", &around).as_deref(), Some("\"hi\""));

        let mut around = super::tests::around(Language::Python, Shape::Block);
        around.next_line = Some("    return result");
        let raw = "\n    result = 1\n    return result\n";
        assert_eq!(clean(raw, &around).as_deref(), Some("\n    result = 1"));
    }

    #[test]
    fn lines_are_capped() {
        let mut around = around(Language::Rust, Shape::Block);
        around.max_lines = 2;
        assert_eq!(
            clean("a();\nb();\nc();\n", &around).as_deref(),
            Some("a();\nb();")
        );
    }

    /// `breaks_syntax` for `insert` typed right after the first `after` in `text`.
    fn breaks(language: Language, text: &str, after: &str, insert: &str) -> bool {
        let cursor = text.find(after).unwrap() + after.len();
        let tree = language.parse_str(text).unwrap();
        breaks_syntax(language, &Rope::from_str(text), &tree, cursor, insert)
    }

    #[test]
    fn a_suggestion_that_breaks_a_clean_scope_is_rejected() {
        let python = Language::Python;
        let text = "def f(a):\n    return \n\nx = 1\n";
        assert!(!breaks(python, text, "return ", "a + 1"));
        assert!(breaks(python, text, "return ", "a +* )"));
        // In a function too long to parse whole, the statements at the cursor decide.
        let long: String = (0..400).map(|i| format!("        v{i} = {i}\n")).collect();
        let text = format!("class C:\n    def f(self, a):\n{long}        return \n        w = 1\n");
        assert!(text.len() > MAX_SCOPE_BYTES);
        assert!(!breaks(python, &text, "return ", "a + 1"));
        assert!(!breaks(python, &text, "return ", "(a +\n            1)"));
        assert!(breaks(python, &text, "return ", "a +* )"));
        let long: String = (0..300).map(|i| format!("    let v{i} = {i};\n")).collect();
        let text = format!("impl S {{\n    fn f(&self) {{\n{long}    let x = 1;\n    }}\n}}\n");
        assert!(!breaks(Language::Rust, &text, "let x = ", "2 + "));
        assert!(breaks(Language::Rust, &text, "let x = ", "2 }} "));
        // In a literal too long for even its statement, the cursor's line decides.
        let items: String = (0..400).map(|i| format!("    item({i}),\n")).collect();
        let text = format!("DATA = [\n{items}]\n");
        assert!(!breaks(python, &text, "item(7),", " item(8),"));
        assert!(breaks(python, &text, "item(7),", " )(]"));
        // At the top level, the statements on either side of the cursor decide: between
        // two, after the last, before the first.
        let text = "import os\n\nx = f\n\ndef g():\n    pass\n";
        assert!(!breaks(python, text, "x = f", "(os.sep)"));
        assert!(breaks(python, text, "x = f", "(os.sep"));
        let text = "x = 1\n\n";
        assert!(!breaks(python, text, "x = 1\n\n", "y = [x]"));
        assert!(breaks(python, text, "x = 1\n\n", "y = [x"));
        let text = "\nx = 1\n";
        assert!(!breaks(python, text, "", "import os"));
        assert!(breaks(python, text, "", "import os("));
        // A scope that is already broken is not held against the suggestion.
        let broken = "def f(a):\n    return foo(\n";
        assert!(!breaks(python, broken, "foo(", "a +* )"));
        let broken = "x = foo(\n\ny = 1\n";
        assert!(!breaks(python, broken, "y = 1", " +* )"));
    }

    /// The check's shortcuts (the statements at the cursor tried first in a long function,
    /// the document's tree trusted for a scope's own errors) must not change a verdict: at
    /// every line end and every line's first character of two sample services, for
    /// suggestions that fit and ones that do not, they give what parsing the whole scope
    /// before and after the suggestion gives.
    #[test]
    fn the_shortcuts_keep_every_verdict_of_the_whole_scope() {
        let python = (
            Language::Python,
            include_str!("../../../tests/fixtures/syntax/orders.py"),
            &[
                "(request, **kwargs)\n        value = self.get_queryset()\n        return value\n",
                "\n        return None",
                "\n    def extra(self):\n        return 1\n",
                "\n            x = (1,\n",
                "\n        if x:\n",
                " + 1",
                "x\n",
                "\n                deeper = 1",
                "\n        else:\n            pass",
                "\nreturn value",
            ][..],
        );
        let rust = (
            Language::Rust,
            include_str!("../../../tests/fixtures/syntax/orders.rs"),
            &[
                "\n        let value = compute();",
                "\n    }\n",
                " {",
                "\n        let x = (1,",
                ";",
                "\n    fn extra(&self) -> u32 {\n        1\n    }\n",
                ".unwrap()",
                "x\n",
            ][..],
        );
        for (language, source, answers) in [python, rust] {
            let tree = language.parse_str(source).unwrap();
            let (root, rope) = (tree.root_node(), Rope::from_str(source));
            let mut spots: Vec<usize> = source.match_indices('\n').map(|(at, _)| at).collect();
            spots.extend(source.match_indices('\n').map(|(at, _)| {
                at + 1 + source[at + 1..].len() - source[at + 1..].trim_start_matches(' ').len()
            }));
            let mut narrowed = 0;
            for cursor in spots.into_iter().filter(|at| *at < source.len()) {
                let scope = scope(language, &rope, root, cursor);
                narrowed += usize::from(
                    scope.clean
                        && scope.end - scope.start > NARROW_FIRST_BYTES
                        && statements_around(language, &rope, root, cursor)
                            .is_some_and(|narrow| narrow.clean),
                );
                for answer in answers {
                    let whole = Scope {
                        clean: false,
                        ..scope
                    };
                    assert_eq!(
                        breaks_syntax(language, &rope, &tree, cursor, answer),
                        super::breaks(language, &rope, &whole, cursor, answer),
                        "{language:?}, line {}, {answer:?}",
                        rope.byte_to_line(cursor) + 1
                    );
                }
            }
            // The samples hold long functions whose statements were tried first.
            assert!(language == Language::Rust || narrowed > 20, "{narrowed}");
        }
    }
}
