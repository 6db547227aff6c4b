//! Code actions on a 20,000-line file: listing (what `textDocument/codeAction` does, on the
//! editor's current tree) at every 10th line, and the deterministic edit of each action
//! found (what `codeAction/resolve` does without a model). Per-call time p50/p99/max in
//! microseconds, and how many actions were offered.
//!
//! Run: `scripts/bench-corpus && cargo bench -p keel --bench actions`

use std::time::Instant;

use keel::actions::{self, Project, Source};
use keel::syntax::Language;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(index).copied().unwrap_or(0.0)
}

fn summary(times: &mut [f64]) -> (f64, f64, f64) {
    times.sort_by(f64::total_cmp);
    (
        percentile(times, 0.5),
        percentile(times, 0.99),
        times.last().copied().unwrap_or(0.0),
    )
}

fn bench(language: Language, path: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|err| panic!("{path}: {err}; run scripts/bench-corpus first"));
    let tree = language.parse_str(&text).expect("the corpus parses");
    let project = Project::from_manifest("[dependencies]\nanyhow = \"1\"\naxum = \"0.8\"\n");
    let source = Source {
        text: &text,
        tree: &tree,
        language,
        path: None,
        project: &project,
    };
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(at, _)| at + 1))
        .step_by(10)
        .collect();
    let mut listing = Vec::new();
    let mut resolving = Vec::new();
    let mut offered = 0;
    let mut resolved = 0;
    for &at in &line_starts {
        let at = text[at..]
            .find(|c: char| !c.is_whitespace())
            .map_or(at, |offset| at + offset);
        let started = Instant::now();
        let candidates = actions::list(&source, at, at);
        listing.push(started.elapsed().as_secs_f64() * 1e6);
        offered += candidates.len();
        for candidate in candidates {
            let started = Instant::now();
            let edits = actions::deterministic(&source, &candidate);
            resolving.push(started.elapsed().as_secs_f64() * 1e6);
            resolved += usize::from(edits.is_ok());
        }
    }
    let (list_p50, list_p99, list_max) = summary(&mut listing);
    let (resolve_p50, resolve_p99, resolve_max) = summary(&mut resolving);
    println!(
        "{:<7} {} lines: list at {} positions p50 {list_p50:.0} µs, p99 {list_p99:.0} µs, max {list_max:.0} µs; \
         {offered} actions offered, {resolved} resolved without a model: p50 {resolve_p50:.0} µs, \
         p99 {resolve_p99:.0} µs, max {resolve_max:.0} µs",
        language.name(),
        text.lines().count(),
        listing.len(),
    );
    serde_json::json!({
        "language": language.name(), "lines": text.lines().count(), "positions": listing.len(),
        "list_p50_us": list_p50, "list_p99_us": list_p99, "list_max_us": list_max,
        "offered": offered, "resolved": resolved,
        "resolve_p50_us": resolve_p50, "resolve_p99_us": resolve_p99, "resolve_max_us": resolve_max,
    })
}

fn main() {
    let corpus = concat!(env!("CARGO_MANIFEST_DIR"), "/../target/bench-corpus");
    let results = [
        bench(Language::Python, &format!("{corpus}/python_20k.py")),
        bench(Language::Rust, &format!("{corpus}/rust_20k.rs")),
    ];
    println!(
        "{}",
        serde_json::json!({"benchmark": "actions", "results": results})
    );
}
