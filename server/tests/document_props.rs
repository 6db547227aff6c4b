//! Property test: random LSP range edits, in utf-8 and utf-16, applied to a `Document` give
//! exactly the text that plain `String` splicing gives, and after every edit the incremental
//! tree's S-expression equals a fresh parse of that text when the text parses cleanly; for
//! broken text both trees report the error (tree-sitter's error recovery may differ, see
//! `check`).

use keel::syntax::Language;
use keel::workspace::{Change, Document, Encoding, Position};
use proptest::prelude::*;

/// Fragments mixing code with the characters that break naive position handling.
const FRAGMENTS: &[&str] = &[
    "def f(x):\n    return x\n",
    "fn main() {\n    let s = \"😀\";\n}\n",
    "名前 = 1\n",
    "e\u{301}",
    "\r\n",
    "\r",
    "\n",
    "    ",
    "(",
    ")",
    "{",
    "}",
    ":",
    "🎉",
    "x",
    "let y = 2;",
    "class A:\n    pass\n",
    "\"",
    "#",
    "// c",
    "if a:\n",
    "中文",
    "\t",
    "",
];

/// Char indices of `text` where an edit may start or end: anywhere except between the \r
/// and \n of a CRLF (no LSP position names that place).
fn boundaries(text: &str) -> Vec<usize> {
    let chars: Vec<char> = text.chars().collect();
    (0..=chars.len())
        .filter(|&i| !(i > 0 && i < chars.len() && chars[i - 1] == '\r' && chars[i] == '\n'))
        .collect()
}

/// The LSP position of char index `index`, computed independently of Keel's rope code.
fn position(text: &str, index: usize, encoding: Encoding) -> Position {
    let chars: Vec<char> = text.chars().collect();
    let (mut line, mut column) = (0u32, 0u32);
    let mut i = 0;
    while i < index {
        match chars[i] {
            '\r' if chars.get(i + 1) == Some(&'\n') && i + 1 < index => {
                line += 1;
                column = 0;
                i += 2;
                continue;
            }
            '\r' | '\n' => {
                line += 1;
                column = 0;
            }
            c => {
                column += match encoding {
                    Encoding::Utf8 => c.len_utf8() as u32,
                    Encoding::Utf16 => c.len_utf16() as u32,
                    Encoding::Utf32 => 1,
                }
            }
        }
        i += 1;
    }
    Position::new(line, column)
}

#[derive(Debug, Clone)]
struct Edit {
    start: prop::sample::Index,
    len: prop::sample::Index,
    insert: Vec<prop::sample::Index>,
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    let edit = (
        any::<prop::sample::Index>(),
        any::<prop::sample::Index>(),
        prop::collection::vec(any::<prop::sample::Index>(), 0..3),
    )
        .prop_map(|(start, len, insert)| Edit { start, len, insert });
    prop::collection::vec(edit, 1..12)
}

fn check(
    language: Language,
    encoding: Encoding,
    initial: Vec<prop::sample::Index>,
    edits: Vec<Edit>,
) -> Result<(), TestCaseError> {
    let mut reference: String = initial.iter().map(|i| *i.get(FRAGMENTS)).collect();
    let mut document = Document::new(&reference, 1, Some(language));
    document.tree();
    for (step, edit) in edits.iter().enumerate() {
        let points = boundaries(&reference);
        let start = *edit.start.get(&points);
        let later: Vec<usize> = points.iter().copied().filter(|&p| p >= start).collect();
        let end = later[edit.len.index(later.len().min(6))];
        let insert: String = edit.insert.iter().map(|i| *i.get(FRAGMENTS)).collect();
        let range = (
            position(&reference, start, encoding),
            position(&reference, end, encoding),
        );
        let change = Change {
            range: Some(range),
            text: insert.clone(),
        };
        document
            .apply(step as i32 + 2, &[change], encoding)
            .map_err(|err| TestCaseError::fail(format!("{err}")))?;
        let start_byte = reference
            .char_indices()
            .nth(start)
            .map_or(reference.len(), |(b, _)| b);
        let end_byte = reference
            .char_indices()
            .nth(end)
            .map_or(reference.len(), |(b, _)| b);
        reference.replace_range(start_byte..end_byte, &insert);
        prop_assert_eq!(document.text().to_string(), reference.clone());
        let incremental = document.tree().map(|tree| tree.root_node());
        let fresh_tree = language.parse_str(&reference);
        let fresh = fresh_tree.as_ref().map(|tree| tree.root_node());
        let (Some(incremental), Some(fresh)) = (incremental, fresh) else {
            return Err(TestCaseError::fail("no tree for a language with a grammar"));
        };
        if fresh.has_error() {
            // Tree-sitter's error recovery depends on which old nodes it could reuse, so
            // for broken code it promises a tree of the same text that also reports the
            // error, not the same recovery. Valid code must give exactly the same tree.
            prop_assert!(
                incremental.has_error(),
                "the incremental tree misses the error in {:?}",
                reference
            );
            prop_assert_eq!(incremental.end_byte(), fresh.end_byte());
        } else {
            prop_assert_eq!(
                incremental.to_sexp(),
                fresh.to_sexp(),
                "tree differs after edit {} on {:?}",
                step,
                reference
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn utf16_edits_match_reference_python(initial in prop::collection::vec(any::<prop::sample::Index>(), 1..8), edits in edits()) {
        check(Language::Python, Encoding::Utf16, initial, edits)?;
    }

    #[test]
    fn utf8_edits_match_reference_python(initial in prop::collection::vec(any::<prop::sample::Index>(), 1..8), edits in edits()) {
        check(Language::Python, Encoding::Utf8, initial, edits)?;
    }

    #[test]
    fn utf16_edits_match_reference_rust(initial in prop::collection::vec(any::<prop::sample::Index>(), 1..8), edits in edits()) {
        check(Language::Rust, Encoding::Utf16, initial, edits)?;
    }

    #[test]
    fn utf8_edits_match_reference_rust(initial in prop::collection::vec(any::<prop::sample::Index>(), 1..8), edits in edits()) {
        check(Language::Rust, Encoding::Utf8, initial, edits)?;
    }
}
