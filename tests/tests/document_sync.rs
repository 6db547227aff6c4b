//! Edit sequences through the real server, in both encodings, checked against the text
//! the editor would have: emoji (surrogate pairs), CJK, combining characters, CRLF, lone CR.

use keel_e2e::{Server, edit, utf8_client};
use serde_json::{Value, json};

/// Starts a server with the given client capabilities, opens `text`, applies each batch of
/// changes in turn, and returns the server's final text and whether its incremental tree
/// matches a fresh parse of that text.
fn run(capabilities: Value, language: &str, text: &str, batches: &[Value]) -> (String, bool) {
    let mut server = Server::start();
    server.initialize(capabilities, None, None);
    let uri = format!(
        "file:///doc.{}",
        if language == "rust" { "rs" } else { "py" }
    );
    server.open(&uri, language, text);
    // Parse once first so the later edits exercise the incremental path.
    server.syntax_tree(&uri).unwrap();
    for (index, batch) in batches.iter().enumerate() {
        server.change(&uri, index as i32 + 2, batch.clone());
    }
    let final_text = server.text(&uri).unwrap();
    let incremental = server.syntax_tree(&uri).unwrap();
    server.open("file:///fresh.x", language, &final_text);
    let fresh = server.syntax_tree("file:///fresh.x").unwrap();
    (final_text, incremental == fresh && incremental.is_some())
}

fn utf16_client() -> Value {
    json!({})
}

#[test]
fn emoji_counts_two_units_in_utf16_and_four_bytes_in_utf8() {
    let text = "s = \"😀\"\nt = 1\n";
    // Insert after the emoji: column 7 in UTF-16 (s, space, =, space, quote, 2 units)...
    let (after_utf16, tree_ok) = run(
        utf16_client(),
        "python",
        text,
        &[json!([edit((0, 7), (0, 7), "🎉")])],
    );
    assert_eq!(after_utf16, "s = \"😀🎉\"\nt = 1\n");
    assert!(tree_ok);
    // ...and column 9 in UTF-8 (4 bytes of emoji).
    let (after_utf8, _) = run(
        utf8_client(),
        "python",
        text,
        &[json!([edit((0, 9), (0, 9), "🎉")])],
    );
    assert_eq!(after_utf8, after_utf16);
    // Deleting the emoji: two UTF-16 units.
    let (deleted, _) = run(
        utf16_client(),
        "python",
        text,
        &[json!([edit((0, 5), (0, 7), "")])],
    );
    assert_eq!(deleted, "s = \"\"\nt = 1\n");
}

#[test]
fn a_position_inside_a_surrogate_pair_is_rejected_not_guessed() {
    let mut server = Server::start();
    server.initialize_default();
    server.open("file:///e.py", "python", "s = \"😀\"\n");
    server.change("file:///e.py", 2, json!([edit((0, 6), (0, 6), "x")]));
    server.change("file:///e.py", 3, json!([edit((0, 5), (0, 6), "x")]));
    let err = server.text("file:///e.py").unwrap_err();
    assert!(
        err.message.contains("inside a character"),
        "{}",
        err.message
    );
}

#[test]
fn cjk_and_combining_characters_in_both_encodings() {
    let text = "名前 = \"café\"\n";
    // "é" here is e + U+0301: two code points, two UTF-16 units, three UTF-8 bytes.
    let text = text.replace('é', "e\u{301}");
    let batches16 = [
        json!([edit((0, 2), (0, 2), "_x")]),
        json!([edit((0, 13), (0, 13), "!")]),
    ];
    let (out16, tree_ok) = run(utf16_client(), "python", &text, &batches16);
    assert_eq!(out16, "名前_x = \"cafe\u{301}!\"\n");
    assert!(tree_ok);
    let batches8 = [
        json!([edit((0, 6), (0, 6), "_x")]),
        json!([edit((0, 18), (0, 18), "!")]),
    ];
    let (out8, _) = run(utf8_client(), "python", &text, &batches8);
    assert_eq!(out8, out16);
}

#[test]
fn crlf_line_endings_are_one_line_break() {
    let text = "fn a() {\r\n    1\r\n}\r\n";
    let batches = [
        json!([edit((1, 4), (1, 5), "2 + 2")]),
        json!([edit((2, 1), (2, 1), "\r\nfn b() {}")]),
        // A column past the end of a line means its end, before the \r\n.
        json!([edit((0, 99), (0, 99), " // c")]),
    ];
    let (out, tree_ok) = run(utf16_client(), "rust", text, &batches);
    assert_eq!(out, "fn a() { // c\r\n    2 + 2\r\n}\r\nfn b() {}\r\n");
    assert!(tree_ok);
}

#[test]
fn a_lone_cr_ends_a_line() {
    let text = "a = 1\rb = 2\rc = 3\n";
    let (out, tree_ok) = run(
        utf16_client(),
        "python",
        text,
        &[json!([edit((1, 4), (1, 5), "20")])],
    );
    assert_eq!(out, "a = 1\rb = 20\rc = 3\n");
    // tree-sitter-python does not treat a lone CR as a line break the way LSP does, so only
    // the text is compared here; the tree is checked on the other edits.
    let _ = tree_ok;
}

#[test]
fn many_small_edits_in_one_batch_and_across_batches() {
    let text = "def f(x):\n    return x\n";
    let batches = [
        json!([
            edit((1, 12), (1, 12), " * 2"),
            edit((0, 6), (0, 7), "value"),
            edit((1, 11), (1, 12), "value")
        ]),
        json!([edit((2, 0), (2, 0), "\n\ndef g():\n    pass\n")]),
        json!([edit((5, 4), (5, 8), "return f(1)")]),
        json!([{"text": "x = 1\n"}, edit((0, 4), (0, 5), "2")]),
    ];
    let (out, tree_ok) = run(utf16_client(), "python", text, &batches);
    assert_eq!(out, "x = 2\n");
    assert!(tree_ok);
}
