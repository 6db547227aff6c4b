//! Completion cost and latency, measured from an editor-like client driving the real `keel`
//! binary over stdio, with a keep-alive HTTP model server on 127.0.0.1:
//!
//! 1. overhead: p50/p99 of an inline completion on a 20,000-line Python file with a
//!    zero-latency model (the client's round trip, and Keel's own `keel/status` figures),
//!    each at a new line so each is a new prompt and a real model call; the file sits in a
//!    workspace of about 1,000 Django files that Keel indexes first, so prompts carry
//!    definitions from other files; the reparse after an edit is measured by the `edits`
//!    benchmark;
//! 2. typist: 200 characters at one per 30 ms, each keystroke a didChange, a
//!    `$/cancelRequest` of the previous request and a new request; 150 ms model;
//! 3. concurrency: a request made while another document's 300 ms model call is in flight;
//! 4. connections: how many TCP connections all those model calls used;
//! 5. accepting a suggestion character by character: model calls made.
//!
//! Run: `scripts/bench-corpus && cargo build --release -p keel && cargo bench -p keel-e2e --bench completion`

#[path = "../tests/providers_support/mod.rs"]
mod support;

mod common;

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use common::timed_completion;
use common::{corpus, corpus_text, inline_params, keel_indexed, options, percentile};
use keel_e2e::{Server, TIMEOUT, edit, file_uri};
use serde_json::{Value, json};
use support::{KeepAliveServer, sse};

const OVERHEAD_RUNS: usize = 400;
const WARM_UP: usize = 20;
/// Prompts inspected to show the cross-file context is in play.
const CONTEXT_SAMPLES: usize = 50;
const TYPIST_CHARS: usize = 200;
const KEYSTROKE: Duration = Duration::from_millis(30);

/// A `/v1/completions` SSE body that says `text`.
fn body(text: &str) -> String {
    let chunk =
        json!({"choices": [{"index": 0, "text": text, "finish_reason": "stop"}]}).to_string();
    sse(&[(None, chunk.as_str()), (None, "[DONE]")]).concat()
}

fn keel(model: &KeepAliveServer, debounce_ms: u64) -> Server {
    let mut server = Server::start();
    server.initialize(json!({}), Some(options(&model.url(), debounce_ms)), None);
    server
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let root = corpus();
    let corpus = root.join("python_20k.py");
    let text = corpus_text(&corpus);
    let lines: Vec<&str> = text.lines().collect();

    // 1. Overhead per completion, zero-latency model.
    let model = runtime.block_on(KeepAliveServer::start(
        "text/event-stream",
        body(" if ready else None"),
        Duration::ZERO,
    ));
    // The 20,000-line file in a workspace of 1,000 more Django files, all indexed.
    let mut server = keel_indexed(&model.url(), &root);
    let uri = file_uri(&corpus);
    let uri = uri.as_str();
    server.open(uri, "python", &text);
    server.syntax_tree(uri).expect("tree");
    // A different non-blank line each time: a new prompt, so a real model call.
    let spot = |run: usize| {
        let line = (lines.len() / 3 + run * 37) % lines.len();
        let line = (line..lines.len())
            .find(|&l| !lines[l].trim().is_empty())
            .unwrap_or(line);
        (line as u32, lines[line].encode_utf16().count() as u32)
    };
    let (mut indexed, mut cross_file) = (0, 0);
    for run in 0..CONTEXT_SAMPLES {
        let (line, column) = spot(run);
        let context = server
            .request(
                "keel/contextAt",
                json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": column}}),
            )
            .expect("context");
        indexed = context["indexedFiles"].as_u64().unwrap_or(0);
        let paths = context["snippetPaths"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        cross_file += usize::from(paths.iter().any(|path| path != "python_20k.py"));
    }
    let mut round_trips: Vec<f64> = Vec::new();
    let mut answered = 0;
    for run in 0..OVERHEAD_RUNS + WARM_UP {
        let (line, column) = spot(run);
        let (round_trip, suggested) = timed_completion(&mut server, uri, line, column);
        if run >= WARM_UP {
            round_trips.push(round_trip);
            answered += usize::from(suggested);
        }
    }
    let status = server.request("keel/status", Value::Null).expect("status");
    let client_p50 = percentile(&mut round_trips, 0.5);
    let client_p99 = percentile(&mut round_trips, 0.99);
    let server_p50 = status["latencyMs"]["p50"].as_f64().unwrap_or(f64::NAN);
    let server_p99 = status["latencyMs"]["p99"].as_f64().unwrap_or(f64::NAN);
    let overhead_calls = model.requests.load(Ordering::Relaxed);
    let overhead_connections = model.connections.load(Ordering::Relaxed);
    println!(
        "overhead ({} lines, zero-latency model, {OVERHEAD_RUNS} completions, {answered} with a suggestion):",
        lines.len()
    );
    println!("  client round trip  p50 {client_p50:.2} ms  p99 {client_p99:.2} ms");
    println!(
        "  keel/status        p50 {server_p50:.2} ms  p99 {server_p99:.2} ms (time in Keel, model excluded)"
    );
    println!("  model calls {overhead_calls} over {overhead_connections} TCP connection(s)");
    println!(
        "  context: {indexed} files indexed; {cross_file} of {CONTEXT_SAMPLES} prompts carry definitions from other files"
    );
    drop(server);

    // 2. A simulated typist with a 150 ms model and the default debounce.
    let model = runtime.block_on(KeepAliveServer::start(
        "text/event-stream",
        body("total"),
        Duration::from_millis(150),
    ));
    let debounce = 75;
    let mut server = keel(&model, debounce);
    let uri = "file:///bench/typist.py";
    server.open(uri, "python", "def handler(request):\n    \n");
    let typed: String = "value = compute(request.user, request.items) + 1; "
        .chars()
        .cycle()
        .take(TYPIST_CHARS)
        .collect();
    let mut ids = Vec::new();
    let mut last_sent = Instant::now();
    for (index, character) in typed.chars().enumerate() {
        let column = 4 + index as u32;
        server.change(
            uri,
            index as i32 + 2,
            json!([edit((1, column), (1, column), &character.to_string())]),
        );
        if let Some(previous) = ids.last() {
            server.notify("$/cancelRequest", json!({"id": previous}));
        }
        last_sent = Instant::now();
        ids.push(server.request_async(
            "textDocument/inlineCompletion",
            inline_params(uri, 1, column + 1),
        ));
        std::thread::sleep(KEYSTROKE);
    }
    let last = ids.last().cloned().expect("requests sent");
    let final_result = server.response(&last, TIMEOUT);
    let final_latency = last_sent.elapsed();
    let final_items = final_result
        .as_ref()
        .map(|value| value["items"].as_array().map_or(0, Vec::len))
        .unwrap_or(0);
    let mut typist_answered = 1;
    for id in &ids[..ids.len() - 1] {
        // An answer is a result or an error (cancelled); silence would panic here.
        let _ = server.response(id, TIMEOUT);
        typist_answered += 1;
    }
    let typist_calls = model.requests.load(Ordering::Relaxed);
    println!("typist ({TYPIST_CHARS} chars at 30 ms/char, 150 ms model, debounce {debounce} ms):");
    println!("  model calls {typist_calls}, requests answered {typist_answered}/{TYPIST_CHARS}");
    println!(
        "  final suggestion ({final_items} item) after {:.0} ms (model + debounce = {} ms)",
        final_latency.as_secs_f64() * 1000.0,
        150 + debounce
    );
    drop(server);

    // 3. A request while another document's 300 ms model call is in flight.
    let model_delay = Duration::from_millis(300);
    let model = runtime.block_on(KeepAliveServer::start(
        "text/event-stream",
        body("  # concurrent"),
        model_delay,
    ));
    let mut server = keel(&model, 0);
    server.open("file:///bench/a.py", "python", "x = 1\n");
    server.open("file:///bench/b.py", "python", "y = 2\n");
    let mut ratios = Vec::new();
    for round in 0..5u32 {
        server.change(
            "file:///bench/a.py",
            round as i32 + 2,
            json!([edit((0, 5), (0, 5), "1")]),
        );
        server.change(
            "file:///bench/b.py",
            round as i32 + 2,
            json!([edit((0, 5), (0, 5), "2")]),
        );
        let before = model.requests.load(Ordering::Relaxed);
        let first = server.request_async(
            "textDocument/inlineCompletion",
            inline_params("file:///bench/a.py", 0, 6 + round),
        );
        while model.requests.load(Ordering::Relaxed) == before {
            std::thread::sleep(Duration::from_millis(1));
        }
        let started = Instant::now();
        let second = server.request_async(
            "textDocument/inlineCompletion",
            inline_params("file:///bench/b.py", 0, 6 + round),
        );
        server.response(&second, TIMEOUT).expect("second answered");
        ratios.push(started.elapsed().as_secs_f64() / model_delay.as_secs_f64());
        server.response(&first, TIMEOUT).expect("first answered");
    }
    ratios.sort_by(f64::total_cmp);
    let ratio = ratios[ratios.len() / 2];
    println!(
        "concurrency (300 ms model): the second request took {ratio:.2}x the model delay (median of 5)"
    );
    drop(server);

    // 5. Accepting a suggestion character by character.
    let model = runtime.block_on(KeepAliveServer::start(
        "text/event-stream",
        body("compute_total(items)"),
        Duration::ZERO,
    ));
    let mut server = keel(&model, 0);
    let uri = "file:///bench/accept.py";
    server.open(uri, "python", "total = \n");
    server
        .request("textDocument/inlineCompletion", inline_params(uri, 0, 8))
        .expect("answered");
    let calls_before = model.requests.load(Ordering::Relaxed);
    // All but the last character: typing that one ends the suggestion, and the request
    // that follows is for a new one.
    let suggestion = "compute_total(items)";
    for (index, character) in suggestion.chars().take(suggestion.len() - 1).enumerate() {
        let column = 8 + index as u32;
        server.change(
            uri,
            index as i32 + 2,
            json!([edit((0, column), (0, column), &character.to_string())]),
        );
        server
            .request(
                "textDocument/inlineCompletion",
                inline_params(uri, 0, column + 1),
            )
            .expect("answered");
    }
    let accept_calls = model.requests.load(Ordering::Relaxed) - calls_before;
    println!(
        "accepting a {}-char suggestion char by char: {accept_calls} model calls",
        suggestion.len()
    );

    let figures = json!({
        "overhead": {"lines": lines.len(), "runs": OVERHEAD_RUNS, "client_p50_ms": client_p50, "client_p99_ms": client_p99,
                      "keel_p50_ms": server_p50, "keel_p99_ms": server_p99,
                      "model_calls": overhead_calls, "connections": overhead_connections,
                      "indexed_files": indexed, "cross_file_prompts": cross_file, "context_samples": CONTEXT_SAMPLES},
        "typist": {"chars": TYPIST_CHARS, "model_calls": typist_calls, "answered": typist_answered,
                    "final_latency_ms": final_latency.as_secs_f64() * 1000.0, "final_items": final_items},
        "concurrency": {"model_delay_ms": 300, "second_request_ratio": ratio},
        "accept_char_by_char": {"model_calls": accept_calls},
    });
    println!("{figures}");
}
