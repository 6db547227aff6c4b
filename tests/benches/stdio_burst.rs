//! A burst of 5,000 single-character `didChange` notifications over stdio, sent as fast as
//! a client can write them, then one request (`keel/viewFileText`): edits per second and
//! the time until that request is answered. The answer is checked against the text the
//! client holds, so the figure counts only edits that really landed.
//!
//! Run: `scripts/bench-corpus && cargo build --release -p keel && cargo bench -p keel-e2e --bench stdio_burst`

use std::time::Instant;

use keel_e2e::{Server, edit};
use serde_json::json;

const EDITS: usize = 5_000;

fn main() {
    let corpus = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../target/bench-corpus/python_20k.py"
    );
    let text = std::fs::read_to_string(corpus)
        .unwrap_or_else(|err| panic!("{corpus}: {err}; run scripts/bench-corpus first"));
    let mut server = Server::start();
    server.initialize_default();
    let uri = "file:///bench/python_20k.py";
    server.open(uri, "python", &text);
    server.syntax_tree(uri).expect("tree");
    let line = text.lines().count() as u32 / 2;
    let mut expected_line: String = text
        .lines()
        .nth(line as usize)
        .unwrap_or_default()
        .to_string();
    let start = Instant::now();
    // Typing at the start of one line, as a person would: each edit inserts one character.
    for version in 0..EDITS {
        let column = version as u32 % 40;
        server.change(
            uri,
            version as i32 + 2,
            json!([edit((line, column), (line, column), "a")]),
        );
        let byte = expected_line
            .char_indices()
            .nth(column as usize)
            .map_or(expected_line.len(), |(b, _)| b);
        expected_line.insert(byte, 'a');
    }
    let sent = start.elapsed();
    let id = server.request_async("keel/viewFileText", json!({"textDocument": {"uri": uri}}));
    let answer = server.response(&id, keel_e2e::TIMEOUT).expect("text");
    let answered = start.elapsed();
    let final_text = answer.as_str().unwrap_or_default();
    assert_eq!(
        final_text.lines().nth(line as usize),
        Some(expected_line.as_str()),
        "every edit landed"
    );
    let edits_per_second = EDITS as f64 / answered.as_secs_f64();
    let answer_ms = (answered - sent).as_secs_f64() * 1e3;
    println!(
        "{EDITS} didChange on {} lines: {edits_per_second:.0} edits/s (sent in {:.0} ms); request answered {answer_ms:.1} ms after the last edit was sent",
        text.lines().count(),
        sent.as_secs_f64() * 1e3
    );
    println!(
        "{}",
        json!({"benchmark": "stdio_burst", "edits": EDITS, "edits_per_second": edits_per_second, "answer_after_last_edit_ms": answer_ms})
    );
}
