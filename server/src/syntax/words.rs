//! The identifiers of a stretch of code, read from its text rather than from its tree.
//!
//! Walking a syntax tree visits every token (punctuation included) through nodes spread
//! over the heap: about a microsecond per line of code, most of it cache misses, which is
//! the largest single cost of a completion's context in a large file. The text of the
//! same lines is one contiguous run of bytes. This lexer knows just enough of each
//! language to tell code from strings and comments (f-string replacement fields are
//! code); the caller starts it outside any string or comment (see `code_start`).

use std::ops::Range;

use tree_sitter::Tree;

use super::{Language, ancestors};

/// An identifier as it appears in code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Word<'t> {
    pub start: usize,
    pub text: &'t str,
    /// Written as a member of something other than `self` (`opts.get`, `x.clone()`), where
    /// the standard library's method of that name is the likeliest meaning.
    pub member_of_other: bool,
}

/// The identifiers that start in `range` of `text` (keywords, literals, strings and
/// comments left out), in order. `range` must start outside any string or comment.
pub fn identifiers(language: Language, text: &str, range: Range<usize>) -> Vec<Word<'_>> {
    let bytes = text.as_bytes();
    let end = range.end.min(bytes.len());
    let mut found = Vec::new();
    let mut at = range.start;
    while at < end {
        let byte = bytes[at];
        at = match (language, byte) {
            (Language::Python, b'#') => line_end(bytes, at),
            (Language::Python, b'"' | b'\'') => python_string(text, at, "", &mut found),
            (Language::Rust, b'/') if bytes.get(at + 1) == Some(&b'/') => line_end(bytes, at),
            (Language::Rust, b'/') if bytes.get(at + 1) == Some(&b'*') => block_comment(bytes, at),
            (Language::Rust, b'"') => quoted(bytes, at, b'"', true),
            (Language::Rust, b'\'') => rust_quote(bytes, at),
            (_, b'0'..=b'9') => word_end(bytes, at),
            _ if starts_word(byte) => {
                let word_end = word_end(bytes, at);
                let word = &text[at..word_end];
                match string_prefix(language, word, bytes.get(word_end).copied()) {
                    Some(Prefix::Python) => python_string(text, word_end, word, &mut found),
                    Some(Prefix::RustRaw) => rust_raw_string(bytes, word_end),
                    Some(Prefix::RustQuoted) => quoted(bytes, word_end, bytes[word_end], true),
                    None => {
                        keep_word(language, text, at..word_end, &mut found);
                        word_end
                    }
                }
            }
            _ => at + 1,
        };
    }
    found
}

/// `at`, or the end of the string or comment `at` lies inside: where `identifiers` can
/// start reading.
pub fn code_start(language: Language, tree: &Tree, at: usize) -> usize {
    let root = tree.root_node();
    let Some(node) = root.descendant_for_byte_range(at, at) else {
        return at;
    };
    let literal = |kind: &str| match language {
        Language::Python => matches!(kind, "string" | "comment"),
        Language::Rust => matches!(
            kind,
            "string_literal"
                | "raw_string_literal"
                | "char_literal"
                | "line_comment"
                | "block_comment"
        ),
    };
    // The outermost one: a string inside an f-string's replacement field is inside another.
    ancestors(root, node)
        .filter(|node| literal(node.kind()) && node.start_byte() < at)
        .last()
        .map_or(at, |node| node.end_byte().max(at))
}

/// The word at `range` of `text` into `found`, unless it is a keyword.
fn keep_word<'t>(
    language: Language,
    text: &'t str,
    range: Range<usize>,
    found: &mut Vec<Word<'t>>,
) {
    let word = &text[range.clone()];
    if !is_keyword(language, word) {
        found.push(Word {
            start: range.start,
            text: word,
            member_of_other: member_of_other(text.as_bytes(), range.start),
        });
    }
}

fn starts_word(byte: u8) -> bool {
    byte.is_ascii_alphabetic() || byte == b'_' || byte >= 0x80
}

/// Non-ASCII bytes count as word bytes: outside strings and comments they are identifiers.
fn word_end(bytes: &[u8], at: usize) -> usize {
    at + bytes[at..]
        .iter()
        .take_while(|byte| byte.is_ascii_alphanumeric() || **byte == b'_' || **byte >= 0x80)
        .count()
}

fn line_end(bytes: &[u8], at: usize) -> usize {
    bytes[at..]
        .iter()
        .position(|byte| *byte == b'\n')
        .map_or(bytes.len(), |found| at + found)
}

/// Whether the word at `at` follows a `.` (a member access, not `..` or `...`) whose
/// receiver is not `self` alone.
fn member_of_other(bytes: &[u8], at: usize) -> bool {
    let before = |at: usize| {
        bytes[..at]
            .iter()
            .rposition(|byte| !byte.is_ascii_whitespace())
    };
    let Some(dot) = before(at).filter(|dot| bytes[*dot] == b'.') else {
        return false;
    };
    if dot > 0 && bytes[dot - 1] == b'.' {
        return false;
    }
    let Some(receiver_end) = before(dot) else {
        return true;
    };
    let receiver_start = bytes[..=receiver_end]
        .iter()
        .rposition(|byte| !(byte.is_ascii_alphanumeric() || *byte == b'_' || *byte >= 0x80))
        .map_or(0, |found| found + 1);
    let receiver = &bytes[receiver_start..=receiver_end];
    let alone = receiver_start == 0 || bytes[receiver_start - 1] != b'.';
    !(receiver == b"self" && alone)
}

enum Prefix {
    Python,
    RustRaw,
    RustQuoted,
}

/// Whether `word`, followed by `next`, opens a string (`rb"`, `f'`, `r#"`, `b'`).
fn string_prefix(language: Language, word: &str, next: Option<u8>) -> Option<Prefix> {
    match (language, next?) {
        (Language::Python, b'"' | b'\'')
            if word.len() <= 2
                && word.bytes().all(|byte| {
                    matches!(byte.to_ascii_lowercase(), b'r' | b'b' | b'u' | b'f' | b't')
                }) =>
        {
            Some(Prefix::Python)
        }
        (Language::Rust, b'"' | b'#') if matches!(word, "r" | "br" | "cr") => Some(Prefix::RustRaw),
        (Language::Rust, b'"') if matches!(word, "b" | "c") => Some(Prefix::RustQuoted),
        (Language::Rust, b'\'') if word == "b" => Some(Prefix::RustQuoted),
        _ => None,
    }
}

/// Past the string whose opening quote is at `at`, with backslash escapes. `multiline`:
/// an unescaped line break does not end it.
fn quoted(bytes: &[u8], at: usize, quote: u8, multiline: bool) -> usize {
    let mut at = at + 1;
    while let Some(&byte) = bytes.get(at) {
        match byte {
            b'\\' => at += 2,
            b'\n' if !multiline => return at,
            _ if byte == quote => return at + 1,
            _ => at += 1,
        }
    }
    bytes.len()
}

/// Past a Rust `'`: a character literal (`'x'`, `'\n'`, `'é'`) or a lifetime or label
/// (`'a`, `'static`), neither of which is an identifier in play.
fn rust_quote(bytes: &[u8], at: usize) -> usize {
    match bytes.get(at + 1) {
        Some(b'\\') => quoted(bytes, at, b'\'', false),
        Some(&first) => {
            // One character (up to four bytes in UTF-8), then the closing quote.
            let width = match first {
                0xF0.. => 4,
                0xE0.. => 3,
                0xC0.. => 2,
                _ => 1,
            };
            if bytes.get(at + 1 + width) == Some(&b'\'') {
                at + 2 + width
            } else if starts_word(first) {
                word_end(bytes, at + 1)
            } else {
                at + 1
            }
        }
        None => at + 1,
    }
}

/// Past a Rust raw string whose `#`s or quote start at `at` (after `r`, `br` or `cr`).
fn rust_raw_string(bytes: &[u8], at: usize) -> usize {
    let hashes = bytes[at..].iter().take_while(|byte| **byte == b'#').count();
    if bytes.get(at + hashes) != Some(&b'"') {
        return at;
    }
    let mut from = at + hashes + 1;
    while let Some(found) = bytes[from..].iter().position(|byte| *byte == b'"') {
        let close = from + found;
        let closing = bytes[close + 1..]
            .iter()
            .take(hashes)
            .take_while(|byte| **byte == b'#')
            .count();
        if closing == hashes {
            return close + 1 + hashes;
        }
        from = close + 1;
    }
    bytes.len()
}

/// Past a nested Rust block comment starting at `at`.
fn block_comment(bytes: &[u8], at: usize) -> usize {
    let mut depth = 0;
    let mut at = at;
    while at + 1 < bytes.len() {
        match (bytes[at], bytes[at + 1]) {
            (b'/', b'*') => {
                depth += 1;
                at += 2;
            }
            (b'*', b'/') => {
                depth -= 1;
                at += 2;
                if depth == 0 {
                    return at;
                }
            }
            _ => at += 1,
        }
    }
    bytes.len()
}

/// Past the Python string whose quote is at `at`, written with `prefix`: the identifiers
/// of an f-string's replacement fields (`{user.name!r:>10}` gives `user` and `name`) go
/// into `found`.
fn python_string<'t>(text: &'t str, at: usize, prefix: &str, found: &mut Vec<Word<'t>>) -> usize {
    let bytes = text.as_bytes();
    let quote = bytes[at];
    let triple = bytes.get(at..at + 3) == Some(&[quote; 3][..]);
    let (delimiter, mut at) = if triple { (3, at + 3) } else { (1, at + 1) };
    let formatted = prefix
        .bytes()
        .any(|byte| matches!(byte.to_ascii_lowercase(), b'f' | b't'));
    while let Some(&byte) = bytes.get(at) {
        match byte {
            b'\\' => at += 2,
            b'\n' if !triple => return at,
            b'{' if formatted && bytes.get(at + 1) == Some(&b'{') => at += 2,
            b'{' if formatted => at = replacement_field(text, at + 1, quote, found),
            _ if byte == quote && (!triple || bytes.get(at..at + 3) == Some(&[quote; 3][..])) => {
                return at + delimiter;
            }
            _ => at += 1,
        }
    }
    bytes.len()
}

/// Past an f-string replacement field whose expression starts at `at`: up to its closing
/// `}`, the expression's identifiers going into `found`; a conversion (`!r`) and a format
/// spec (after a `:` outside brackets) are not code.
fn replacement_field<'t>(text: &'t str, at: usize, quote: u8, found: &mut Vec<Word<'t>>) -> usize {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut at = at;
    let mut code = true;
    while let Some(&byte) = bytes.get(at) {
        match byte {
            b'}' if depth == 0 => return at + 1,
            b'\n' => return at,
            _ if byte == quote => return at,
            b'(' | b'[' | b'{' => {
                depth += 1;
                at += 1;
            }
            b')' | b']' | b'}' => {
                depth = depth.saturating_sub(1);
                at += 1;
            }
            b'!' if depth == 0 && bytes.get(at + 1) != Some(&b'=') => {
                code = false;
                at += 1;
            }
            b':' if depth == 0 => {
                code = false;
                at += 1;
            }
            b'"' | b'\'' => at = quoted(bytes, at, byte, false),
            _ if code && starts_word(byte) => {
                let end = word_end(bytes, at);
                keep_word(Language::Python, text, at..end, found);
                at = end;
            }
            b'0'..=b'9' => at = word_end(bytes, at),
            _ => at += 1,
        }
    }
    bytes.len()
}

/// Words the grammar does not parse as identifiers: keywords, literals, Rust's primitive
/// types. Python's `self` is an identifier; its soft keywords (`match`, `case`, `type`)
/// are mostly names. A `match` on the string: it runs for every word read.
fn is_keyword(language: Language, word: &str) -> bool {
    match language {
        Language::Python => matches!(
            word,
            "False"
                | "None"
                | "True"
                | "and"
                | "as"
                | "assert"
                | "async"
                | "await"
                | "break"
                | "class"
                | "continue"
                | "def"
                | "del"
                | "elif"
                | "else"
                | "except"
                | "finally"
                | "for"
                | "from"
                | "global"
                | "if"
                | "import"
                | "in"
                | "is"
                | "lambda"
                | "nonlocal"
                | "not"
                | "or"
                | "pass"
                | "raise"
                | "return"
                | "try"
                | "while"
                | "with"
                | "yield"
        ),
        Language::Rust => matches!(
            word,
            "Self"
                | "as"
                | "async"
                | "await"
                | "bool"
                | "break"
                | "char"
                | "const"
                | "continue"
                | "crate"
                | "dyn"
                | "else"
                | "enum"
                | "extern"
                | "f32"
                | "f64"
                | "false"
                | "fn"
                | "for"
                | "i128"
                | "i16"
                | "i32"
                | "i64"
                | "i8"
                | "if"
                | "impl"
                | "in"
                | "isize"
                | "let"
                | "loop"
                | "match"
                | "mod"
                | "move"
                | "mut"
                | "pub"
                | "ref"
                | "return"
                | "self"
                | "static"
                | "str"
                | "struct"
                | "super"
                | "trait"
                | "true"
                | "type"
                | "u128"
                | "u16"
                | "u32"
                | "u64"
                | "u8"
                | "unsafe"
                | "use"
                | "usize"
                | "where"
                | "while"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each identifier of `code`, marked `.name` when it is a member of something other
    /// than `self`.
    fn words(language: Language, code: &str) -> Vec<String> {
        identifiers(language, code, 0..code.len())
            .into_iter()
            .map(|word| {
                assert_eq!(&code[word.start..word.start + word.text.len()], word.text);
                if word.member_of_other {
                    format!(".{}", word.text)
                } else {
                    word.text.to_string()
                }
            })
            .collect()
    }

    #[test]
    fn python_strings_and_comments_hold_no_names() {
        let code = r#"def handle(request):  # uses session
    """Reads the body; returns total."""
    label = 'it\'s total' + "say \"hi\" to user"
    raw = rb'\d+ count' + B"bytes"
    return compute(label, raw)
"#;
        assert_eq!(
            words(Language::Python, code),
            [
                "handle", "request", "label", "raw", "compute", "label", "raw"
            ]
        );
    }

    #[test]
    fn f_string_replacement_fields_are_code() {
        let code = r#"msg = f"{user.name!r:>{width}} owes {total(items)} {{literal}}" + rest"#;
        assert_eq!(
            words(Language::Python, code),
            ["msg", "user", ".name", "total", "items", "rest"]
        );
    }

    #[test]
    fn members_of_self_and_of_other_values_are_told_apart() {
        let code = "self.cache.get(key)\nself.get(key)\nitems\n    .copy()\nx = a...b\n";
        assert_eq!(
            words(Language::Python, code),
            [
                "self", "cache", ".get", "key", "self", "get", "key", "items", ".copy", "x", "a",
                "b"
            ]
        );
        let rust = "let n = self.len() + other.len(); for i in 0..n { v.push(i) }";
        assert_eq!(
            words(Language::Rust, rust),
            ["n", "len", "other", ".len", "i", "n", "v", ".push", "i"]
        );
    }

    #[test]
    fn rust_literals_lifetimes_and_comments_hold_no_names() {
        let code = r###"fn parse<'a>(input: &'a str) -> Result<u8, Error> { // parse it
    /* outer /* nested */ still comment */
    let quote = '\''; let c = 'x'; let e = 'é';
    let raw = r#"a "quoted" word"#; let b = b"bytes"; let ch = b'q';
    println!("{input} and {}", count);
    Ok(1u8)
}"###;
        assert_eq!(
            words(Language::Rust, code),
            [
                "parse", "input", "Result", "Error", "quote", "c", "e", "raw", "b", "ch",
                "println", "count", "Ok"
            ]
        );
    }

    /// Pieces that make lexers stumble: unterminated and escaped quotes, string prefixes,
    /// f-string braces, raw-string hashes, lifetimes, multi-byte characters.
    const PIECES: &[&str] = &[
        "\"", "'", "\"\"\"", "\\", "f", "rb", "r#", "#", "b'", "{", "}", "{{", "!r", ":", ".",
        "..", "/*", "*/", "//", "\n", " ", "x", "self", "é", "名", "😀", "'a", "1u8", "_",
    ];

    proptest::proptest! {
        /// Whatever the text and wherever reading starts, the lexer ends, never panics, and
        /// gives only whole identifiers of the text where it says they are.
        #[test]
        fn any_text_gives_whole_identifiers_where_they_are(
            picks in proptest::collection::vec(0..PIECES.len(), 0..60),
            from in 0usize..200,
            rust in proptest::bool::ANY,
        ) {
            let text: String = picks.iter().map(|at| PIECES[*at]).collect();
            let language = if rust { Language::Rust } else { Language::Python };
            let mut start = from.min(text.len());
            while !text.is_char_boundary(start) {
                start -= 1;
            }
            for word in identifiers(language, &text, start..text.len()) {
                let end = word.start + word.text.len();
                proptest::prop_assert_eq!(text.get(word.start..end), Some(word.text));
                proptest::prop_assert!(!word.text.is_empty() && !is_keyword(language, word.text));
                proptest::prop_assert!(word.text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80));
            }
        }
    }

    #[test]
    fn reading_starts_after_a_string_or_comment_the_start_lies_inside() {
        let code = "x = 1\ndoc = \"\"\"first line\nsecond value line\n\"\"\"\ny = doc\n";
        let tree = Language::Python.parse_str(code).unwrap();
        let inside = code.find("second").unwrap();
        let start = code_start(Language::Python, &tree, inside);
        assert_eq!(&code[start..], "\ny = doc\n");
        assert_eq!(
            words(Language::Python, &code[start..]),
            ["y", "doc"],
            "nothing of the docstring's second line"
        );
        let outside = code.find("y =").unwrap();
        assert_eq!(code_start(Language::Python, &tree, outside), outside);
    }
}
