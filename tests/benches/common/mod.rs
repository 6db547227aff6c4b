//! What the benchmarks share: starting Keel on an indexed workspace with a model server,
//! the request they send most, percentiles, and what /proc says of the server process.

#![allow(dead_code)] // each benchmark uses a different part

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use keel_e2e::Server;
use serde_json::{Value, json};

/// The benchmark corpora `scripts/bench-corpus` builds.
pub fn corpus() -> PathBuf {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../target/bench-corpus"
    ))
    .to_path_buf()
}

/// Reads a corpus file, or says how to make it.
pub fn corpus_text(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap_or_else(|err| panic!("{path:?}: {err}; run scripts/bench-corpus first"))
}

/// Keel's options for an OpenAI-style completions server at `url`.
pub fn options(url: &str, debounce_ms: u64) -> Value {
    json!({
        "provider": {"kind": "openai-completions", "endpoint": url, "model": "bench"},
        "completion": {"debounce_ms": debounce_ms},
    })
}

/// Keel on the workspace `root` with the model at `url`, once its index is built:
/// completions then draw on the definitions of every file in it.
pub fn keel_indexed(url: &str, root: &Path) -> Server {
    let mut server = Server::start();
    let client = json!({"window": {"workDoneProgress": true}});
    server.initialize(client, Some(options(url, 0)), Some(root));
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let progress = server
            .wait_notification("$/progress", left)
            .expect("indexing ends");
        if progress["value"]["kind"] == "end" {
            break;
        }
    }
    server
}

/// An automatic inline completion (as typing asks for one) at `line:character`.
pub fn inline_params(uri: &str, line: u32, character: u32) -> Value {
    json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}, "context": {"triggerKind": 2}})
}

/// One inline completion at `line:character`: its round trip in milliseconds, and whether
/// it brought a suggestion.
pub fn timed_completion(server: &mut Server, uri: &str, line: u32, character: u32) -> (f64, bool) {
    let started = Instant::now();
    let result = server
        .request(
            "textDocument/inlineCompletion",
            inline_params(uri, line, character),
        )
        .expect("answered");
    let suggested = result["items"]
        .as_array()
        .is_some_and(|items| !items.is_empty());
    (millis(started.elapsed()), suggested)
}

/// The `p` quantile (0..=1) of `values`, nearest rank; NaN when there are none.
pub fn percentile(values: &mut [f64], p: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    values[((values.len() as f64 - 1.0) * p).round() as usize]
}

pub fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// A field of /proc/PID/status, in its unit (kB for memory): 0 when unreadable.
pub fn status_field(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|value| value.parse().ok())
        .unwrap_or(0)
}

pub fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// CPU time the process has used, user and system, all threads.
pub fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The command name may hold spaces; the fields after it are fixed.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |index: usize| -> u64 {
        fields
            .get(index)
            .and_then(|value| value.parse().ok())
            .unwrap_or(0)
    };
    // utime and stime are fields 14 and 15 of stat, 11 and 12 after the name.
    // SAFETY: sysconf only reads a constant of the system.
    let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1);
    Duration::from_secs_f64((ticks(11) + ticks(12)) as f64 / per_second as f64)
}
