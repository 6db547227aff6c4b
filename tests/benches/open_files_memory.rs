//! Resident memory of `keel` with 200 Python files open (about 4 MB of Django), each one
//! parsed once, read from /proc twice: right after the server has answered, and once the
//! rule checks that opening pushes have all been published and the server has been quiet
//! for two seconds (what an editor with 200 files open holds).
//!
//! Run: `scripts/bench-corpus && cargo build --release -p keel && cargo bench -p keel-e2e --bench open_files_memory`

mod common;

use common::{corpus, mib, status_field};
use keel_e2e::Server;
use serde_json::json;
use std::time::{Duration, Instant};

fn main() {
    let dir = corpus().join("python_files");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|err| panic!("{dir:?}: {err}; run scripts/bench-corpus first"))
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .collect();
    files.sort();
    let mut server = Server::start();
    server.initialize_default();
    let baseline = status_field(server.pid(), "VmRSS:");
    let mut bytes = 0;
    for (index, path) in files.iter().enumerate() {
        let text = std::fs::read_to_string(path).expect("corpus file");
        bytes += text.len();
        let uri = format!("file:///bench/{index}.py");
        server.open(&uri, "python", &text);
        server.syntax_tree(&uri).expect("tree");
    }
    let answered = status_field(server.pid(), "VmRSS:");
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut published = 0;
    while published < files.len() {
        let left = deadline.saturating_duration_since(Instant::now());
        if server
            .wait_notification("textDocument/publishDiagnostics", left)
            .is_none()
        {
            break;
        }
        published += 1;
    }
    assert_eq!(
        published,
        files.len(),
        "every open publishes its diagnostics"
    );
    std::thread::sleep(Duration::from_secs(2));
    let settled = status_field(server.pid(), "VmRSS:");
    let peak = status_field(server.pid(), "VmHWM:");
    println!(
        "{} files, {:.1} MB of Python open: resident {:.1} MB settled, {:.1} MB right after the last answer (peak {:.1} MB; {:.1} MB before opening)",
        files.len(),
        bytes as f64 / 1e6,
        mib(settled),
        mib(answered),
        mib(peak),
        mib(baseline)
    );
    println!(
        "{}",
        json!({"benchmark": "open_files_memory", "files": files.len(), "bytes": bytes, "rss_mib": mib(settled), "answered_rss_mib": mib(answered), "peak_mib": mib(peak), "baseline_mib": mib(baseline)})
    );
}
