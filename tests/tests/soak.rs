//! A bounded soak: an editor with 200 open documents, 50 edits a second spread over them,
//! a completion asked at every edit (the document's previous one cancelled), code actions
//! and pulled diagnostics, against a model server with random latency and 5% errors.
//! Every request must be answered (a result, a cancellation or an error, and those add up
//! to what was sent), the server's memory must stay bounded, and at the end every
//! document's text must be exactly the client's.
//!
//! 60 seconds in the test command; the long run (5 minutes, figures in
//! docs/RELIABILITY.md): `KEEL_SOAK_SECS=300 cargo test --workspace --test soak -- --nocapture`
//! (`--release` builds a release binary for it first: set `KEEL_BIN=target/release/keel`).

#[path = "providers_support/mod.rs"]
mod support;

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use keel_e2e::{Server, TIMEOUT, file_uri};
use lsp_server::RequestId;
use serde_json::{Value, json};

const DOCUMENTS: usize = 200;
const EDITS_PER_SECOND: u32 = 50;
/// Every this many edits, a code-action listing and a diagnostics pull as well.
const OTHERS_EVERY: u32 = 5;
const DEFAULT_SECONDS: u64 = 60;
/// How far the server's resident memory may grow between the start and the end.
const MEMORY_GROWTH_MIB: f64 = 40.0;
/// `RequestCancelled`.
const CANCELLED: i32 = -32800;

/// A document as the client holds it.
struct Document {
    uri: String,
    text: Vec<char>,
    version: i32,
    /// The completion in flight, cancelled by the next edit.
    completion: Option<RequestId>,
}

impl Document {
    /// The LSP position (UTF-16) of the character index `at`.
    fn position(&self, at: usize) -> Value {
        let line = self.text[..at].iter().filter(|c| **c == '\n').count();
        let start = self.text[..at]
            .iter()
            .rposition(|c| *c == '\n')
            .map_or(0, |newline| newline + 1);
        let character: usize = self.text[start..at].iter().map(|c| c.len_utf16()).sum();
        json!({"line": line, "character": character})
    }
}

#[derive(Default)]
struct Tally {
    sent: usize,
    answered: usize,
    cancelled: usize,
    errored: usize,
    millis: Vec<f64>,
}

fn rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|kib| kib.parse::<f64>().ok())
        .map_or(0.0, |kib| kib / 1024.0)
}

fn percentile(values: &mut [f64], p: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    values[((values.len() - 1) as f64 * p).round() as usize]
}

/// What a user types: code, a line break, a multi-byte character, or a deletion.
fn edit(rng: &mut fastrand::Rng, document: &mut Document) -> Value {
    let len = document.text.len();
    let start = rng.usize(..=len);
    let (end, inserted) = match rng.u32(..10) {
        0..=1 if len > 0 => ((start + rng.usize(1..=8)).min(len), String::new()),
        2 => (start, "\n    ".to_string()),
        3 => (start, ["é", "😀", "日本"][rng.usize(..3)].to_string()),
        _ => (
            start,
            ["x", "(", ")", " = ", "self.", "1", ":"][rng.usize(..7)].to_string(),
        ),
    };
    let range = json!({"start": document.position(start), "end": document.position(end)});
    document.text.splice(start..end, inserted.chars());
    document.version += 1;
    json!([{"range": range, "text": inserted}])
}

/// The editor's side: requests in flight and what became of the others, by method.
struct Client {
    keel: Server,
    in_flight: HashMap<RequestId, (&'static str, Instant)>,
    tallies: BTreeMap<&'static str, Tally>,
}

impl Client {
    fn ask(&mut self, method: &'static str, params: Value) -> RequestId {
        let id = self.keel.request_async(method, params);
        self.in_flight.insert(id.clone(), (method, Instant::now()));
        self.tallies.entry(method).or_default().sent += 1;
        id
    }

    /// Reads answers until `until`.
    fn settle(&mut self, until: Instant) {
        for (id, outcome, at) in self.keel.responses_until(until) {
            let Some((method, asked)) = self.in_flight.remove(&id) else {
                continue;
            };
            let tally = self.tallies.entry(method).or_default();
            match outcome {
                Ok(_) => {
                    tally.answered += 1;
                    tally.millis.push((at - asked).as_secs_f64() * 1000.0);
                }
                Err(error) if error.code == CANCELLED => tally.cancelled += 1,
                Err(_) => tally.errored += 1,
            }
        }
    }
}

#[test]
fn editing_200_documents_answers_every_request_and_keeps_every_text() {
    let seconds = std::env::var("KEEL_SOAK_SECS")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(DEFAULT_SECONDS);
    let seed = std::env::var("KEEL_SOAK_SEED")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(7);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let chunk = json!({"choices": [{"index": 0, "text": "value + 1\n", "finish_reason": "stop"}]})
        .to_string();
    let answer = support::sse(&[(None, chunk.as_str()), (None, "[DONE]")]);
    let model = runtime.block_on(support::KeepAliveServer::flaky(
        "text/event-stream",
        &answer,
        Duration::from_millis(150),
        5,
        seed,
    ));
    let dir = keel_e2e::TempDir::new("soak");
    let mut keel = Server::start();
    let options = json!({
        "provider": {"kind": "openai-completions", "endpoint": model.url(), "model": "m"},
    });
    let pull = json!({"textDocument": {"diagnostic": {}}});
    keel.initialize(pull, Some(options), Some(dir.path()));
    let pid = keel.pid();

    let mut rng = fastrand::Rng::with_seed(seed);
    let mut documents: Vec<Document> = (0..DOCUMENTS)
        .map(|index| {
            let text = format!(
                "import subprocess\n\n\ndef handler_{index}(request, value):\n    total = value * {index}\n    subprocess.run(request.args['cmd'], shell=True)\n    return total\n"
            );
            let uri = file_uri(&dir.path().join(format!("module_{index}.py")));
            keel.open(&uri, "python", &text);
            Document {
                uri,
                text: text.chars().collect(),
                version: 1,
                completion: None,
            }
        })
        .collect();
    keel.round_trip();
    let rss_start = rss_mib(pid);

    let mut client = Client {
        keel,
        in_flight: HashMap::new(),
        tallies: BTreeMap::new(),
    };
    let started = Instant::now();
    let tick = Duration::from_secs(1) / EDITS_PER_SECOND;
    let mut edits: u32 = 0;
    while started.elapsed() < Duration::from_secs(seconds) {
        let document = &mut documents[rng.usize(..DOCUMENTS)];
        let changes = edit(&mut rng, document);
        client.keel.change(&document.uri, document.version, changes);
        if let Some(previous) = document.completion.take() {
            client
                .keel
                .notify("$/cancelRequest", json!({"id": previous}));
        }
        let at = document.position(rng.usize(..=document.text.len()));
        let params = json!({"textDocument": {"uri": document.uri}, "position": at,
                            "context": {"triggerKind": 2}});
        document.completion = Some(client.ask("textDocument/inlineCompletion", params));
        edits += 1;
        if edits.is_multiple_of(OTHERS_EVERY) {
            let end = document.position(document.text.len());
            let uri = document.uri.clone();
            client.ask(
                "textDocument/codeAction",
                json!({"textDocument": {"uri": uri}, "range": {"start": {"line": 0, "character": 0}, "end": end},
                       "context": {"diagnostics": []}}),
            );
            client.ask(
                "textDocument/diagnostic",
                json!({"textDocument": {"uri": uri}}),
            );
        }
        let next = started + tick * edits;
        client.settle(next);
    }
    // Everything still in flight is answered.
    let deadline = Instant::now() + TIMEOUT;
    while !client.in_flight.is_empty() && Instant::now() < deadline {
        client.settle(Instant::now() + Duration::from_millis(50));
    }
    let Client {
        mut keel,
        in_flight,
        mut tallies,
    } = client;
    let rss_end = rss_mib(pid);

    let mut figures = serde_json::Map::new();
    println!(
        "soak: {seconds} s, {DOCUMENTS} documents, {edits} edits ({:.1}/s), model with random latency up to 150 ms and 5% errors",
        f64::from(edits) / started.elapsed().as_secs_f64()
    );
    for (method, tally) in &mut tallies {
        let (p50, p99) = (
            percentile(&mut tally.millis, 0.5),
            percentile(&mut tally.millis, 0.99),
        );
        println!(
            "  {method}: sent {}, answered {}, cancelled {}, errored {}; p50 {p50:.1} ms, p99 {p99:.1} ms",
            tally.sent, tally.answered, tally.cancelled, tally.errored
        );
        figures.insert(
            method.to_string(),
            json!({"sent": tally.sent, "answered": tally.answered, "cancelled": tally.cancelled,
                   "errored": tally.errored, "p50_ms": p50, "p99_ms": p99}),
        );
    }
    println!("  resident memory {rss_start:.1} MB at the start, {rss_end:.1} MB at the end");
    println!(
        "{}",
        json!({"soak_seconds": seconds, "documents": DOCUMENTS, "edits": edits, "methods": figures,
               "rss_start_mib": rss_start, "rss_end_mib": rss_end})
    );

    assert!(
        in_flight.is_empty(),
        "{} requests never answered: {:?}",
        in_flight.len(),
        in_flight
            .values()
            .map(|(method, _)| method)
            .collect::<Vec<_>>()
    );
    // Every request sent was answered one way or another (the in-flight map is empty, so
    // each was counted once).
    for (method, tally) in &tallies {
        assert_eq!(
            tally.answered + tally.cancelled + tally.errored,
            tally.sent,
            "{method}"
        );
        assert!(tally.answered > 0, "{method}: nothing answered");
    }
    assert!(
        tallies["textDocument/codeAction"].errored == 0
            && tallies["textDocument/diagnostic"].errored == 0,
        "listing actions and pulling diagnostics never fail"
    );
    assert!(
        rss_end - rss_start < MEMORY_GROWTH_MIB,
        "memory grew from {rss_start:.1} MB to {rss_end:.1} MB"
    );
    for document in &documents {
        let text: String = document.text.iter().collect();
        assert_eq!(
            keel.text(&document.uri).expect("the document is open"),
            text,
            "{} is out of sync",
            document.uri
        );
    }
    assert!(keel.is_alive());
}
