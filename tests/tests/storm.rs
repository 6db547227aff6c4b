//! A minute of `429 Too Many Requests` from the model while the user types: every request
//! is answered, the model is not hammered (the circuit breaker holds calls back), the
//! rules keep working, the text stays in sync, the log does not fill up, and completions
//! come back once the storm passes.
//!
//! 60 seconds in the test command; `KEEL_STORM_SECS` sets another length.

#[path = "providers_support/mod.rs"]
mod support;

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use keel_e2e::{Server, TIMEOUT, edit, file_uri};
use lsp_server::RequestId;
use serde_json::{Value, json};

const DEFAULT_SECONDS: u64 = 60;
const TYPING: Duration = Duration::from_millis(100);
/// The breaker's pause after repeated failures, shortened so recovery comes soon after.
const COOLDOWN_MS: u64 = 5_000;
/// `RequestCancelled`.
const CANCELLED: i32 = -32800;

fn items(result: &Value) -> usize {
    result["items"]
        .as_array()
        .or_else(|| result.as_array())
        .map_or(0, Vec::len)
}

#[test]
fn a_minute_of_rate_limits_answers_everything_and_recovers() {
    let seconds = std::env::var("KEEL_STORM_SECS")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(DEFAULT_SECONDS);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let chunk = json!({"choices": [{"index": 0, "text": "value + 1", "finish_reason": "stop"}]})
        .to_string();
    let answer = support::sse(&[(None, chunk.as_str()), (None, "[DONE]")]);
    let storm_ends = Instant::now() + Duration::from_secs(seconds);
    let model = runtime.block_on(support::KeepAliveServer::storm(
        "text/event-stream",
        &answer,
        storm_ends,
    ));
    let dir = keel_e2e::TempDir::new("storm");
    let mut keel = Server::start();
    let options = json!({
        "provider": {
            "kind": "openai-completions", "endpoint": model.url(), "model": "m",
            "cooldown_ms": COOLDOWN_MS,
        },
    });
    keel.initialize(
        json!({"textDocument": {"diagnostic": {}}}),
        Some(options),
        Some(dir.path()),
    );
    let uri = file_uri(&dir.path().join("handlers.py"));
    let mut text = String::from(
        "import requests\n\n\ndef fetch(url):\n    return requests.get(url)\n\n\ndef total(value):\n    return ",
    );
    keel.open(&uri, "python", &text);

    let mut in_flight: HashMap<RequestId, &'static str> = HashMap::new();
    let (mut asked, mut answered, mut cancelled) = (0usize, 0usize, 0usize);
    let mut pulls_failed = Vec::new();
    let mut previous: Option<RequestId> = None;
    let mut version = 1;
    let mut settle =
        |keel: &mut Server, in_flight: &mut HashMap<RequestId, &'static str>, until: Instant| {
            for (id, outcome, _) in keel.responses_until(until) {
                let Some(method) = in_flight.remove(&id) else {
                    continue;
                };
                match (method, outcome) {
                    (_, Err(error)) if error.code == CANCELLED => cancelled += 1,
                    ("textDocument/diagnostic", Err(error)) => pulls_failed.push(error.message),
                    (_, _) => answered += 1,
                }
            }
        };
    while Instant::now() < storm_ends {
        // The user types one character at the end of the last line.
        let line = text.lines().count() - 1;
        let column = text.lines().last().map_or(0, |last| last.len());
        let typed = ["v", "a", "l", " ", "+", "1", "x"][version as usize % 7];
        keel.change(
            &uri,
            version + 1,
            json!([edit(
                (line as u32, column as u32),
                (line as u32, column as u32),
                typed
            )]),
        );
        text.push_str(typed);
        version += 1;
        if let Some(id) = previous.take() {
            keel.notify("$/cancelRequest", json!({"id": id}));
        }
        let position = json!({"line": line, "character": column + 1});
        let id = keel.request_async(
            "textDocument/completion",
            json!({"textDocument": {"uri": uri}, "position": position}),
        );
        in_flight.insert(id.clone(), "textDocument/completion");
        previous = Some(id);
        asked += 1;
        if version % 10 == 0 {
            let id = keel.request_async(
                "textDocument/diagnostic",
                json!({"textDocument": {"uri": uri}}),
            );
            in_flight.insert(id, "textDocument/diagnostic");
            asked += 1;
        }
        settle(&mut keel, &mut in_flight, Instant::now() + TYPING);
    }
    let deadline = Instant::now() + TIMEOUT;
    while !in_flight.is_empty() && Instant::now() < deadline {
        settle(&mut keel, &mut in_flight, Instant::now() + TYPING);
    }
    assert!(
        in_flight.is_empty(),
        "{} requests never answered",
        in_flight.len()
    );
    assert_eq!(answered + cancelled + pulls_failed.len(), asked);
    assert!(
        pulls_failed.is_empty(),
        "the rules do not depend on the model: {pulls_failed:?}"
    );
    let calls = model.requests.load(Ordering::Relaxed);
    eprintln!(
        "storm of {seconds} s: {asked} requests ({answered} answered, {cancelled} cancelled), {calls} model calls"
    );
    // Three failures open the breaker; afterwards one trial per cooldown, each with its
    // retries: about 3 calls per trial, not one per keystroke.
    let bound = 3 * (3 + (seconds * 1_000 / COOLDOWN_MS) as usize + 2);
    assert!(
        calls <= bound,
        "{calls} model calls for {asked} requests in {seconds} s (bound {bound})"
    );
    assert_eq!(
        keel.text(&uri).expect("text"),
        text,
        "the text stays in sync"
    );

    // The storm is over: a completion comes back once the breaker lets a trial through.
    let position = json!({"line": text.lines().count() - 1, "character": text.lines().last().map_or(0, str::len)});
    let recovered_by = Instant::now() + Duration::from_millis(COOLDOWN_MS) + TIMEOUT;
    let recovered = loop {
        let result = keel
            .request(
                "textDocument/completion",
                json!({"textDocument": {"uri": uri}, "position": position}),
            )
            .expect("a completion answer");
        if items(&result) > 0 {
            break true;
        }
        if Instant::now() > recovered_by {
            break false;
        }
        std::thread::sleep(Duration::from_millis(250));
    };
    assert!(recovered, "completions come back after the storm");
    // Warned about, not logged per request (nor per second of the cool-down). Every warning
    // of this session is about the storm.
    let stderr = keel.stderr();
    let warnings = stderr
        .lines()
        .filter(|line| line.contains(" WARN ") || line.contains(" ERROR "))
        .count();
    assert!(
        warnings <= 10,
        "{warnings} log lines about the 429s for {asked} requests:\n{stderr}"
    );
    assert_eq!(keel.shutdown().code(), Some(0));
}
