//! Keel's own work for one completion, in process: the prompt built at the end of lines of
//! a 13,000-line file in an indexed workspace of all of Django (the spots and the model's
//! answer of `outside_client`, without the server around them), and the answer
//! post-processed (syntax check included). CPU time of each, p50 / p99 / mean: the part of
//! a completion's overhead that is Keel's own code, measured without the noise of a
//! process round trip.
//!
//! Run: `scripts/bench-corpus && cargo bench -p keel --bench prompt_build`

use std::path::Path;
use std::sync::Arc;

use keel::complete::{Site, Workspace};
use keel::config::{Config, ProviderKind};
use keel::context::{FactsCache, Index, RecentEdits};
use keel::syntax::Language;
use ropey::Rope;

const SPOTS: usize = 2_000;
const ANSWER: &str =
    "(request, **kwargs)\n        value = self.get_queryset()\n        return value\n";

fn thread_cpu_us() -> f64 {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid, writable timespec; this clock exists on Linux and macOS.
    let status = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    assert_eq!(status, 0);
    now.tv_sec as f64 * 1e6 + now.tv_nsec as f64 / 1e3
}

fn main() {
    let root = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../target/bench-corpus"
    ));
    let path = root.join("python_13k.py");
    let text = std::fs::read_to_string(&path).expect("run scripts/bench-corpus first");
    let index = Arc::new(Index::new());
    index.configure(vec![root.to_path_buf()], &[]).unwrap();
    index.build(&|_| {}).unwrap();
    let tree = Language::Python.parse_str(&text).unwrap();
    let rope = Rope::from_str(&text);
    let flat: Arc<str> = text.as_str().into();
    let workspace = Workspace {
        index,
        recent: Arc::new(RecentEdits::new()),
        facts: Arc::new(FactsCache::default()),
        path: Some(path.clone()),
        name: "file:///python_13k.py".into(),
        version: 1,
    };
    // A hosted model's budget, as `outside_client` configures Keel.
    let mut config = Config::default();
    config.provider.kind = Some(ProviderKind::OpenaiCompletions);
    let lines: Vec<&str> = text.lines().collect();
    let starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(at, _)| at + 1))
        .collect();
    let spots = std::env::var("KEEL_BENCH_RUNS")
        .ok()
        .and_then(|runs| runs.parse().ok())
        .unwrap_or(SPOTS);
    let (mut build, mut finish) = (Vec::new(), Vec::new());
    let mut kept = 0;
    for run in 0..spots + 200 {
        let line = (run * 31 + 7) % lines.len();
        let line = (line..lines.len())
            .find(|&l| !lines[l].trim().is_empty())
            .unwrap_or(line);
        let cursor = starts[line] + lines[line].len();
        let site = Site::new(
            rope.clone(),
            Some(tree.clone()),
            Some(Language::Python),
            cursor,
        )
        .with_flat_text(flat.clone());
        let t0 = thread_cpu_us();
        let shape = site.shape();
        let request = site.request(shape, &config, &workspace, None, None);
        let t1 = thread_cpu_us();
        let suggestion = site.finish(shape, ANSWER, &config);
        let t2 = thread_cpu_us();
        assert!(request.is_some());
        if run >= 200 {
            build.push(t1 - t0);
            finish.push(t2 - t1);
            kept += usize::from(suggestion.is_some());
        }
    }
    let mut figures = serde_json::Map::new();
    for (name, key, times) in [
        ("prompt build", "build", &mut build),
        ("post-process", "post_process", &mut finish),
    ] {
        times.sort_by(f64::total_cmp);
        let mean = times.iter().sum::<f64>() / times.len() as f64;
        let (p50, p99) = (times[times.len() / 2], times[times.len() * 99 / 100]);
        println!("{name:14} p50 {p50:7.1} us  p99 {p99:7.1} us  mean {mean:7.1} us");
        figures.insert(
            key.into(),
            serde_json::json!({"p50_us": p50, "p99_us": p99, "mean_us": mean}),
        );
    }
    println!("{kept} of {spots} answers kept");
    println!(
        "{}",
        serde_json::json!({"benchmark": "prompt_build", "lines": lines.len(), "spots": spots, "kept": kept, "cpu": figures})
    );
}
