//! Keel measured the way an outside LSP harness measures every AI language server, so that
//! the figures from inside and outside agree:
//!
//! 1. completions asked at the end of lines of a 13,000-line file made of Django's largest
//!    modules (in an indexed workspace of all of Django), against a loopback model that
//!    streams each answer in four chunks, a multi-line answer that often does not fit the
//!    spot; 400 warm-up requests, then 400 measured: the client's round trip, the server's
//!    CPU time per completion (all threads, from /proc), and the TCP connections the model
//!    calls used;
//! 2. Django's 200 largest files opened at once in a workspace of them: the peak resident
//!    memory (the kernel's high-water mark, so every moment counts), memory and threads
//!    0.5 s after the last answer, the CPU of the next 5 s (the opened files' rule checks
//!    still running), and the CPU of 5 s once every file's diagnostics are published.
//!
//! Run: `scripts/bench-corpus && cargo build --release --workspace && cargo bench -p keel-e2e --bench outside_client`

#[path = "../tests/providers_support/mod.rs"]
mod support;

mod common;

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use common::{corpus, corpus_text, cpu_time, inline_params, keel_indexed, mib, millis};
use common::{percentile, status_field, timed_completion};
use keel_e2e::{TIMEOUT, file_uri};
use serde_json::json;
use support::{KeepAliveServer, sse};

const WARM_UP: usize = 400;
/// Measured completions, unless `KEEL_BENCH_RUNS` says otherwise (more, to profile;
/// `KEEL_BENCH_RUNS=0` runs only the open-files part).
const MEASURED: usize = 400;
const AFTER_LAST_ANSWER: Duration = Duration::from_millis(500);
const IDLE: Duration = Duration::from_secs(5);

/// The model's answer, four SSE events sent one by one: a call, then the lines of a block.
/// At the end of most lines it does not fit, and Keel's syntax check drops it.
fn four_chunks() -> Vec<String> {
    let texts = [
        "(request",
        ", **kwargs)\n",
        "        value = self.get_queryset()\n",
        "        return value\n",
    ];
    texts
        .iter()
        .enumerate()
        .map(|(index, text)| {
            let last = index + 1 == texts.len();
            let chunk = json!({"choices": [{"index": 0, "text": text, "finish_reason": if last { json!("stop") } else { json!(null) }}]})
                .to_string();
            let mut events = vec![(None, chunk.as_str())];
            if last {
                events.push((None, "[DONE]"));
            }
            sse(&events).concat()
        })
        .collect()
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let root = corpus();
    let measured = std::env::var("KEEL_BENCH_RUNS")
        .ok()
        .and_then(|runs| runs.parse().ok())
        .unwrap_or(MEASURED);

    // 1. Completions at line ends, a streamed model answer that often does not fit.
    let model = runtime.block_on(KeepAliveServer::streaming(
        "text/event-stream",
        &four_chunks(),
        Duration::ZERO,
    ));
    let path = root.join("python_13k.py");
    let text = corpus_text(&path);
    let lines: Vec<&str> = text.lines().collect();
    let mut server = keel_indexed(&model.url(), &root);
    let pid = server.pid();
    let uri = file_uri(&path);
    let uri = uri.as_str();
    server.open(uri, "python", &text);
    server
        .wait_notification_where("textDocument/publishDiagnostics", TIMEOUT, |params| {
            params["uri"] == uri
        })
        .expect("the file is checked");
    // The end of a different non-blank line each time: a new prompt, so a real model call.
    let spot = |run: usize| {
        let line = (run * 31 + 7) % lines.len();
        let line = (line..lines.len())
            .chain(0..line)
            .find(|&l| !lines[l].trim().is_empty())
            .unwrap_or(line);
        (line as u32, lines[line].encode_utf16().count() as u32)
    };
    let mut round_trips = Vec::new();
    let mut suggested = 0;
    let (mut cpu_before, mut calls_before, mut connections_before) = (Duration::ZERO, 0, 0);
    for run in 0..WARM_UP + measured {
        if run == WARM_UP {
            cpu_before = cpu_time(pid);
            calls_before = model.requests.load(Ordering::Relaxed);
            connections_before = model.connections.load(Ordering::Relaxed);
        }
        let (line, column) = spot(run);
        let (round_trip, suggestion) = timed_completion(&mut server, uri, line, column);
        if run >= WARM_UP {
            round_trips.push(round_trip);
            suggested += usize::from(suggestion);
        }
    }
    let cpu_per_completion = millis(cpu_time(pid) - cpu_before) / measured as f64;
    let calls = model.requests.load(Ordering::Relaxed) - calls_before;
    let connections = model.connections.load(Ordering::Relaxed) - connections_before;
    let all_connections = model.connections.load(Ordering::Relaxed);
    let all_calls = model.requests.load(Ordering::Relaxed);
    let (p50, p99) = (
        percentile(&mut round_trips, 0.5),
        percentile(&mut round_trips, 0.99),
    );
    println!(
        "completions at line ends ({} lines, 0 ms model in four chunks, {measured} after {WARM_UP} warm-up, {suggested} with a suggestion):",
        lines.len()
    );
    println!("  client round trip     p50 {p50:.2} ms  p99 {p99:.2} ms");
    println!("  server CPU            {cpu_per_completion:.2} ms per completion");
    println!(
        "  model calls {calls} over {connections} new TCP connection(s) ({all_calls} calls over {all_connections} in all)"
    );
    drop(server);

    // 2. Django's 200 largest files opened at once.
    let dir = root.join("python_largest");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|err| panic!("{dir:?}: {err}; run scripts/bench-corpus first"))
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .collect();
    files.sort();
    let texts: Vec<String> = files.iter().map(|path| corpus_text(path)).collect();
    let bytes: usize = texts.iter().map(String::len).sum();
    let mut server = keel_indexed(&model.url(), &dir);
    let pid = server.pid();
    let before = status_field(pid, "VmRSS:");
    let opened = Instant::now();
    for (path, text) in files.iter().zip(&texts) {
        server.open(&file_uri(path), "python", text);
    }
    // The last answer: a completion in the last file opened, at its end.
    let last = file_uri(files.last().expect("files"));
    let last_lines: Vec<&str> = texts.last().expect("texts").lines().collect();
    let end = (
        last_lines.len().saturating_sub(1) as u32,
        last_lines
            .last()
            .map_or(0, |line| line.encode_utf16().count()) as u32,
    );
    server
        .request(
            "textDocument/inlineCompletion",
            inline_params(&last, end.0, end.1),
        )
        .expect("answered");
    std::thread::sleep(AFTER_LAST_ANSWER);
    let rss = status_field(pid, "VmRSS:");
    let threads = status_field(pid, "Threads:");
    // The rule checks of the opened files go on meanwhile: the next seconds' CPU is theirs.
    let cpu_from = cpu_time(pid);
    std::thread::sleep(IDLE);
    let cpu_after_answer = millis(cpu_time(pid) - cpu_from);
    // Counted as received; waiting takes them from the queue, reading more once it is empty.
    while server.seen("textDocument/publishDiagnostics").len() < files.len() {
        let left = TIMEOUT.saturating_sub(opened.elapsed());
        server
            .wait_notification("textDocument/publishDiagnostics", left)
            .expect("every opened file is checked");
    }
    let checked_after = opened.elapsed();
    let idle_from = cpu_time(pid);
    std::thread::sleep(IDLE);
    let idle_cpu = millis(cpu_time(pid) - idle_from);
    let settled = status_field(pid, "VmRSS:");
    let peak = status_field(pid, "VmHWM:");
    println!(
        "{} files, {:.1} MB of Python opened at once ({:.1} MB resident before):",
        files.len(),
        bytes as f64 / 1e6,
        mib(before)
    );
    println!(
        "  resident {:.1} MB and {threads} threads {} ms after the last answer; peak {:.1} MB; {:.1} MB at the end",
        mib(rss),
        AFTER_LAST_ANSWER.as_millis(),
        mib(peak),
        mib(settled),
    );
    println!(
        "  CPU over the {} s after that: {cpu_after_answer:.0} ms (the rule checks of the opened files; all published {:.1} s after the opens)",
        IDLE.as_secs(),
        checked_after.as_secs_f64()
    );
    println!(
        "  idle CPU over the next {} s once they are: {idle_cpu:.0} ms ({:.2} %)",
        IDLE.as_secs(),
        idle_cpu / millis(IDLE) * 100.0
    );
    println!(
        "{}",
        json!({
            "benchmark": "outside_client",
            "completions": {"lines": lines.len(), "warm_up": WARM_UP, "measured": measured, "suggested": suggested,
                             "client_p50_ms": p50, "client_p99_ms": p99, "cpu_ms_per_completion": cpu_per_completion,
                             "model_calls": calls, "new_connections": connections,
                             "all_model_calls": all_calls, "all_connections": all_connections},
            "open_files": {"files": files.len(), "bytes": bytes, "rss_before_mib": mib(before),
                           "rss_after_last_answer_mib": mib(rss), "threads_after_last_answer": threads,
                           "peak_rss_mib": mib(peak), "rss_end_mib": mib(settled),
                           "cpu_ms_after_last_answer": cpu_after_answer, "checks_done_s": checked_after.as_secs_f64(),
                           "idle_cpu_ms": idle_cpu, "idle_seconds": IDLE.as_secs()},
        })
    );
}
