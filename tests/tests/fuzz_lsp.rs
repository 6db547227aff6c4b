//! Seeded fuzzing of the real `keel` binary over stdio, the way a hostile or buggy client
//! talks to it: broken framing and JSON-RPC, and random edits in both position encodings
//! checked against a reference model of the text.
//!
//! The normal suite runs a short, fixed-seed pass. The long runs are ignored tests:
//! `KEEL_FUZZ_SECS=300 cargo test --workspace --test fuzz_lsp -- --ignored --nocapture`
//! (`KEEL_FUZZ_SEED` repeats a run; the seed is printed). docs/RELIABILITY.md has the figures.

use std::time::{Duration, Instant};

use keel_e2e::{Server, TIMEOUT, edit, utf8_client};
use lsp_server::RequestId;
use serde_json::{Value, json};

/// How long a long run lasts, and its seed.
fn long_run() -> (Duration, u64) {
    let secs = std::env::var("KEEL_FUZZ_SECS")
        .ok()
        .and_then(|secs| secs.parse().ok())
        .unwrap_or(300);
    let seed = std::env::var("KEEL_FUZZ_SEED")
        .ok()
        .and_then(|seed| seed.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |elapsed| elapsed.as_secs())
        });
    (Duration::from_secs(secs), seed)
}

/// Runs `step` until `cases` are done or `budget` is spent; returns the number of cases.
fn run_for(cases: usize, budget: Duration, mut step: impl FnMut(usize)) -> usize {
    let start = Instant::now();
    let mut done = 0;
    while done < cases && start.elapsed() < budget {
        step(done);
        done += 1;
    }
    done
}

// ---------------------------------------------------------------------------------------
// Framing and JSON-RPC

const DOC: &str = "file:///fuzz/framing.py";
const DOC_TEXT: &str = "def handler(request):\n    return request.json()\n";

/// Methods a client may call, each with params of the wrong type below.
const METHODS: &[&str] = &[
    "textDocument/completion",
    "textDocument/inlineCompletion",
    "textDocument/codeAction",
    "codeAction/resolve",
    "textDocument/diagnostic",
    "workspace/executeCommand",
    "keel/contextAt",
    "keel/viewFileText",
    "keel/viewSyntaxTree",
];

fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

fn random_scalar(rng: &mut fastrand::Rng) -> Value {
    match rng.u8(0..6) {
        0 => json!(rng.i64(..)),
        1 => json!(rng.f64() * 1e300),
        2 => json!("x".repeat(rng.usize(0..50))),
        3 => json!(rng.bool()),
        4 => Value::Null,
        _ => json!([rng.u32(..), "a", null]),
    }
}

/// Params whose shape is wrong for every method in `METHODS`: a scalar, or an object whose
/// document and position have the wrong types.
fn wrong_params(rng: &mut fastrand::Rng) -> Value {
    if rng.bool() {
        return random_scalar(rng);
    }
    json!({
        "textDocument": random_scalar(rng),
        "position": {"line": -1, "character": random_scalar(rng)},
        "range": random_scalar(rng),
        "title": random_scalar(rng),
        "command": random_scalar(rng),
        "context": random_scalar(rng),
    })
}

/// Random bytes that are not JSON.
fn not_json(rng: &mut fastrand::Rng) -> Vec<u8> {
    let valid = json!({"jsonrpc": "2.0", "id": 1, "method": "keel/status"}).to_string();
    match rng.u8(0..4) {
        // A message cut short.
        0 => valid.as_bytes()[..rng.usize(1..valid.len())].to_vec(),
        // Noise, including NUL bytes and invalid UTF-8.
        1 => (0..rng.usize(1..300)).map(|_| rng.u8(..)).collect(),
        2 => b"{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"keel/status\",}".to_vec(),
        _ => "[".repeat(rng.usize(1..100_000)).into_bytes(),
    }
}

/// A client session that checks every answer.
struct Client {
    server: Server,
    rng: fastrand::Rng,
    /// Error replies without an id (to bodies that are not JSON-RPC) so far.
    null_id_errors: usize,
}

impl Client {
    fn start(seed: u64) -> Client {
        let mut server = Server::start();
        server.initialize(utf8_client(), None, None);
        server.open(DOC, "python", DOC_TEXT);
        Client {
            server,
            rng: fastrand::Rng::with_seed(seed),
            null_id_errors: 0,
        }
    }

    /// The server answers a request and its copy of the document is intact.
    fn still_serving(&mut self, case: &str) {
        let text = self.server.text(DOC);
        assert_eq!(
            text.as_deref().ok(),
            Some(DOC_TEXT),
            "after {case}: {text:?}"
        );
    }

    /// The server answered the body that was not JSON-RPC with an error without an id.
    fn expect_null_id_error(&mut self, case: &str) {
        self.still_serving(case);
        let errors = self
            .server
            .unparsed
            .iter()
            .filter(|reply| reply["id"].is_null() && reply["error"]["code"].is_i64())
            .count();
        assert!(
            errors > self.null_id_errors,
            "{case} got no JSON-RPC error; replies without an id: {:?}",
            self.server.unparsed
        );
        self.null_id_errors = errors;
    }

    fn expect_error(&mut self, id: RequestId, case: &str) {
        let answer = self.server.response(&id, TIMEOUT);
        assert!(
            answer.is_err(),
            "{case} was not answered with an error: {answer:?}"
        );
        self.still_serving(case);
    }

    fn one_case(&mut self) {
        let rng = &mut self.rng;
        match rng.u8(0..10) {
            0 => {
                let body = not_json(rng);
                self.server.send_raw(&frame(&body));
                self.expect_null_id_error("a body that is not JSON");
            }
            1 => {
                let method = METHODS[rng.usize(..METHODS.len())];
                let params = wrong_params(rng);
                let case = format!("{method} with params {params}");
                let id = self.server.request_async(method, params);
                self.expect_error(id, &case);
            }
            2 => {
                let method = format!("fuzz/{}", rng.u32(..));
                let id = self.server.request_async(&method, json!({}));
                self.expect_error(id, "an unknown method");
            }
            3 => {
                // JSON that is not a JSON-RPC message: a batch, a scalar, an odd id.
                let body = match rng.u8(0..4) {
                    0 => json!([{"jsonrpc": "2.0", "id": 1, "method": "keel/status"}]),
                    1 => random_scalar(rng),
                    2 => json!({"jsonrpc": "2.0", "id": {"a": 1}, "method": "keel/status"}),
                    // An id the harness never uses.
                    _ => json!({"jsonrpc": "1.0", "id": 2_000_000_000, "method": "keel/status"}),
                };
                self.server.send_raw(&frame(body.to_string().as_bytes()));
                if body["id"] == 2_000_000_000 {
                    self.expect_error(RequestId::from(2_000_000_000), &format!("{body}"));
                } else {
                    self.expect_null_id_error(&format!("{body}"));
                }
            }
            4 => {
                // Notifications with wrong types: nothing to answer, nothing changed.
                let method = ["textDocument/didChange", "textDocument/didOpen"][rng.usize(..2)];
                let params = json!({"textDocument": {"uri": DOC, "version": random_scalar(rng)},
                    "contentChanges": random_scalar(rng)});
                self.server.notify(method, params);
                self.still_serving(&format!("{method} with wrong types"));
            }
            5 => {
                // A length that is not a number, or a header cut short.
                let header: &[u8] = match rng.u8(0..4) {
                    0 => b"Content-Length: abc\r\n\r\n",
                    1 => b"Content-Length: -5\r\n\r\n",
                    2 => b"Content-Len",
                    _ => b"Content-Length: 99999999999999999999999\r\n\r\n",
                };
                self.server.send_raw(header);
                self.server
                    .send_raw(b"{\"jsonrpc\":\"2.0\",\"method\":\"x\"}");
                if header.ends_with(b"\r\n\r\n") {
                    // The frame's length is unknown, so is its id: an error without one.
                    self.expect_null_id_error("a length that is not a number");
                } else {
                    self.still_serving("a header cut short");
                }
            }
            6 => {
                // A declared length shorter than the body.
                let body = json!({"jsonrpc": "2.0", "id": 77, "method": "keel/status"}).to_string();
                let short = rng.usize(1..body.len());
                self.server
                    .send_raw(format!("Content-Length: {short}\r\n\r\n").as_bytes());
                self.server.send_raw(body.as_bytes());
                self.still_serving("a length shorter than the body");
            }
            7 => {
                // A declared length longer than the body swallows what follows it: the
                // requests sent next may be lost, but the server must find its feet again.
                let body = b"{\"jsonrpc\":\"2.0\",\"method\":\"x\"}";
                let excess = rng.usize(1..2_000);
                self.server.send_raw(
                    format!("Content-Length: {}\r\n\r\n", body.len() + excess).as_bytes(),
                );
                self.server.send_raw(body);
                let probe = json!({"textDocument": {"uri": DOC}});
                // The shortest a probe can be (ids grow), so enough of them are sent.
                let probe_len = frame(
                    json!({"jsonrpc": "2.0", "id": 1, "method": "keel/viewFileText", "params": probe})
                        .to_string()
                        .as_bytes(),
                )
                .len();
                let mut last = None;
                for _ in 0..excess / probe_len + 2 {
                    last = Some(
                        self.server
                            .request_async("keel/viewFileText", probe.clone()),
                    );
                }
                let last = last.expect("at least one probe");
                let answer = self.server.response(&last, TIMEOUT);
                assert_eq!(
                    answer.ok().as_ref().and_then(Value::as_str),
                    Some(DOC_TEXT),
                    "after a length {excess} bytes too long"
                );
            }
            8 => {
                // A large, valid message: a document of a few megabytes on one line.
                let uri = "file:///fuzz/large.py";
                let text = format!("x = \"{}\"\n", "a".repeat(rng.usize(1..2 << 20)));
                self.server.open(uri, "python", &text);
                let served = self.server.text(uri);
                assert_eq!(served.as_deref().ok().map(str::len), Some(text.len()));
                self.server.notify(
                    "textDocument/didClose",
                    json!({"textDocument": {"uri": uri}}),
                );
                self.still_serving("a large message");
            }
            _ => {
                // Stray bytes between frames.
                let junk: Vec<u8> = (0..rng.usize(1..64))
                    .map(|_| rng.u8(..))
                    .filter(|byte| *byte != b'C' && *byte != b'c')
                    .collect();
                self.server.send_raw(&junk);
                self.server.send_raw(b"\r\n");
                self.still_serving("junk between frames");
            }
        }
    }
}

#[test]
fn broken_framing_and_json_rpc_are_answered_and_the_session_goes_on() {
    let mut client = Client::start(20);
    let done = run_for(120, Duration::from_secs(120), |_| client.one_case());
    assert!(done >= 30, "only {done} cases ran");
    assert!(client.server.is_alive());
    assert_eq!(client.server.shutdown().code(), Some(0));
}

#[test]
#[ignore = "long fuzz run; see the module doc"]
fn framing_long_run() {
    let (budget, seed) = long_run();
    eprintln!("framing: seed {seed}");
    let mut client = Client::start(seed);
    let done = run_for(usize::MAX, budget, |_| client.one_case());
    // An over-limit frame, once per long run: skipped without holding it in memory.
    let huge = 300usize << 20;
    client
        .server
        .send_raw(format!("Content-Length: {huge}\r\n\r\n").as_bytes());
    let chunk = vec![b' '; 1 << 20];
    for _ in 0..huge >> 20 {
        client.server.send_raw(&chunk);
    }
    client.expect_null_id_error("a 300 MB frame");
    eprintln!("framing: {done} cases in {:?}, no failure", budget);
    assert!(client.server.is_alive());
}

// ---------------------------------------------------------------------------------------
// Document edits against a reference model

#[derive(Clone, Copy, Debug, PartialEq)]
enum Units {
    Utf8,
    Utf16,
}

/// What the editor holds, and whether the server must have it: after a change the server
/// rejects, it refuses to serve the document until the whole text comes again.
struct Model {
    text: String,
    in_sync: bool,
    units: Units,
}

/// Line starts and ends (before the terminator) by LSP's rules: \n, \r\n and \r end lines.
fn lines(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut lines = Vec::new();
    let (mut start, mut i) = (0, 0);
    while i < bytes.len() {
        match bytes[i] {
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                lines.push((start, i));
                i += 2;
                start = i;
            }
            b'\r' | b'\n' => {
                lines.push((start, i));
                i += 1;
                start = i;
            }
            _ => i += 1,
        }
    }
    lines.push((start, bytes.len()));
    lines
}

impl Model {
    /// The byte offset of (line, column), or `None` where LSP names no place: a line past
    /// the end, or a column inside a character. A column past a line's end is its end.
    fn offset(&self, line: u32, column: u32) -> Option<usize> {
        let lines = lines(&self.text);
        let Some(&(start, end)) = lines.get(line as usize) else {
            return (line as usize == lines.len() && column == 0).then_some(self.text.len());
        };
        let mut units = 0;
        for (index, ch) in self.text[start..end].char_indices() {
            if units == column as usize {
                return Some(start + index);
            }
            units += match self.units {
                Units::Utf8 => ch.len_utf8(),
                Units::Utf16 => ch.len_utf16(),
            };
            if units > column as usize {
                return None;
            }
        }
        Some(end)
    }

    /// Applies a batch as the server must: all of it or none of it.
    fn apply(&mut self, changes: &[Change]) {
        let from = changes.iter().rposition(|change| change.range.is_none());
        let changes = match (self.in_sync, from) {
            (false, None) => return,
            (false, Some(index)) => &changes[index..],
            (true, _) => changes,
        };
        let mut text = self.text.clone();
        for change in changes {
            match change.range {
                None => text = change.text.clone(),
                Some(((l1, c1), (l2, c2))) => {
                    let current = Model {
                        text: text.clone(),
                        in_sync: true,
                        units: self.units,
                    };
                    match (current.offset(l1, c1), current.offset(l2, c2)) {
                        (Some(start), Some(end)) if start <= end => {
                            text.replace_range(start..end, &change.text)
                        }
                        _ => {
                            self.in_sync = false;
                            return;
                        }
                    }
                }
            }
        }
        self.text = text;
        self.in_sync = true;
    }
}

#[derive(Debug, Clone)]
struct Change {
    range: Option<((u32, u32), (u32, u32))>,
    text: String,
}

const PIECES: &[&str] = &[
    "a",
    "é",
    "😀",
    "名",
    "\n",
    "\r\n",
    "\r",
    " ",
    "e\u{301}",
    "\0",
    "(",
    "{",
    "\"",
    "def f():\n",
    "    ",
];

fn random_text(rng: &mut fastrand::Rng, pieces: usize) -> String {
    (0..rng.usize(0..pieces))
        .map(|_| PIECES[rng.usize(..PIECES.len())])
        .collect()
}

/// A change to the text: mostly one that fits it (a column past a line's end included);
/// one in ten anywhere, so past the last line, inside a character or with its ends
/// reversed; and, while the server refuses the document, often the whole text (a save).
fn random_change(rng: &mut fastrand::Rng, model: &Model) -> Change {
    if rng.u8(0..20) == 0 || (!model.in_sync && rng.bool()) {
        return Change {
            range: None,
            text: random_text(rng, 40),
        };
    }
    let lines = lines(&model.text);
    let wild = rng.u8(0..10) == 0;
    let position = |rng: &mut fastrand::Rng| {
        if wild {
            let line = rng.usize(0..lines.len() + 2);
            let width = lines.get(line).map_or(0, |(start, end)| end - start);
            return (line as u32, rng.usize(0..width + 3) as u32);
        }
        let line = rng.usize(0..lines.len());
        let (start, end) = lines[line];
        let mut columns = vec![0];
        for ch in model.text[start..end].chars() {
            let width = match model.units {
                Units::Utf8 => ch.len_utf8(),
                Units::Utf16 => ch.len_utf16(),
            };
            columns.push(columns[columns.len() - 1] + width);
        }
        let index = rng.usize(0..columns.len() + 1);
        // One past the last boundary: a column past the line's end.
        let column = columns
            .get(index)
            .copied()
            .unwrap_or(columns[columns.len() - 1] + 3);
        (line as u32, column as u32)
    };
    let (mut start, mut end) = (position(rng), position(rng));
    if start > end && !(wild && rng.bool()) {
        (start, end) = (end, start);
    }
    Change {
        range: Some((start, end)),
        text: random_text(rng, 6),
    }
}

/// Batches run, and how many of them the server had to reject.
struct EditRun {
    batches: usize,
    rejected: usize,
}

fn edit_session(units: Units, seed: u64, cases: usize, budget: Duration) -> EditRun {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut server = Server::start();
    let capabilities = match units {
        Units::Utf8 => utf8_client(),
        Units::Utf16 => json!({}),
    };
    let negotiated = server.initialize(capabilities, None, None);
    let expected = if units == Units::Utf8 {
        "utf-8"
    } else {
        "utf-16"
    };
    assert_eq!(negotiated["capabilities"]["positionEncoding"], expected);
    let uri = "file:///fuzz/edits.py";
    let mut model = Model {
        text: "def f(x):\n    return \"😀\" + x\r\n名 = 1\rz\n".into(),
        in_sync: true,
        units,
    };
    server.open(uri, "python", &model.text);
    let mut version = 1;
    let mut history: Vec<Vec<Change>> = Vec::new();
    let mut rejected = 0;
    let batches = run_for(cases, budget, |_| {
        let batch: Vec<Change> = (0..rng.usize(1..4))
            .map(|_| random_change(&mut rng, &model))
            .collect();
        version += 1;
        let json_changes: Vec<Value> = batch
            .iter()
            .map(|change| match change.range {
                Some((start, end)) => edit(start, end, &change.text),
                None => json!({"text": change.text}),
            })
            .collect();
        server.change(uri, version, json!(json_changes));
        model.apply(&batch);
        history.push(batch);
        let served = server.text(uri);
        if model.in_sync {
            assert_eq!(
                served.as_deref().ok(),
                Some(model.text.as_str()),
                "{units:?}, seed {seed}: the server's text differs after these batches (last \
                 last): {:?}",
                &history[history.len().saturating_sub(3)..]
            );
        } else {
            rejected += 1;
            assert!(
                served.is_err(),
                "{units:?}, seed {seed}: the server applied a change LSP names no place for: {:?}",
                history.last()
            );
        }
    });
    assert!(server.is_alive());
    EditRun { batches, rejected }
}

#[test]
fn random_edits_in_utf8_and_utf16_keep_the_server_equal_to_the_editor() {
    for units in [Units::Utf8, Units::Utf16] {
        let run = edit_session(units, 7, 300, Duration::from_secs(120));
        eprintln!(
            "{units:?}: {} batches, {} rejected",
            run.batches, run.rejected
        );
        assert!(
            run.batches >= 50,
            "only {} batches ran ({units:?})",
            run.batches
        );
        // Both paths are exercised: edits that apply, and edits the server must refuse.
        assert!(
            run.rejected > 0 && run.rejected < run.batches / 2,
            "{} of {} batches rejected ({units:?})",
            run.rejected,
            run.batches
        );
    }
}

#[test]
#[ignore = "long fuzz run; see the module doc"]
fn edits_long_run() {
    let (budget, seed) = long_run();
    eprintln!("edits: seed {seed}");
    for units in [Units::Utf8, Units::Utf16] {
        let run = edit_session(units, seed, usize::MAX, budget / 2);
        eprintln!(
            "edits {units:?}: {} batches ({} rejected as LSP requires) in {:?}, no failure",
            run.batches,
            run.rejected,
            budget / 2
        );
    }
}
