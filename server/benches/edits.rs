//! Single-character edits at random points of a 20,000-line file, each followed by the
//! reparse that makes the tree current: per-edit time p50/p99/max in microseconds.
//!
//! Edits come in pairs, a character typed then deleted (as a person types and backspaces),
//! so the file stays real code throughout.
//!
//! Besides wall-clock time, each edit's CPU time on the benchmark thread is reported: on a
//! shared machine the wall-clock tail includes time the thread spent preempted.
//!
//! Run: `scripts/bench-corpus && cargo bench -p keel --bench edits`

use std::time::Instant;

use keel::syntax::Language;
use keel::workspace::position::position_of;
use keel::workspace::{Change, Document, Encoding};

const EDIT_PAIRS: usize = 2_000;

/// xorshift64: deterministic, so every run edits the same places.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// CPU time consumed by the calling thread, in microseconds.
fn thread_cpu_us() -> f64 {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid, writable timespec; this clock exists on Linux and macOS.
    let status = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    assert_eq!(status, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
    now.tv_sec as f64 * 1e6 + now.tv_nsec as f64 / 1e3
}

/// p50, p99 and max of `times`, which it sorts.
fn summary(times: &mut [f64]) -> (f64, f64, f64) {
    times.sort_by(f64::total_cmp);
    (
        percentile(times, 0.5),
        percentile(times, 0.99),
        times[times.len() - 1],
    )
}

fn bench(language: Language, path: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|err| panic!("{path}: {err}; run scripts/bench-corpus first"));
    let mut document = Document::new(&text, 0, Some(language));
    document.tree();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut times = Vec::with_capacity(EDIT_PAIRS * 2);
    let mut cpu_times = Vec::with_capacity(EDIT_PAIRS * 2);
    let mut version = 0;
    for _ in 0..EDIT_PAIRS {
        let rope = document.text();
        let char_index = rng.below(rope.len_chars());
        let byte = rope.char_to_byte(char_index);
        let at = position_of(rope, byte, Encoding::Utf16);
        let typed = Change {
            range: Some((at, at)),
            text: "x".into(),
        };
        let mut after = at;
        after.character += 1;
        let deleted = Change {
            range: Some((at, after)),
            text: String::new(),
        };
        for change in [typed, deleted] {
            version += 1;
            let start = Instant::now();
            let cpu_start = thread_cpu_us();
            document
                .apply(version, &[change], Encoding::Utf16)
                .expect("edit applies");
            assert!(document.tree().is_some());
            cpu_times.push(thread_cpu_us() - cpu_start);
            times.push(start.elapsed().as_secs_f64() * 1e6);
        }
    }
    assert_eq!(
        document.text().to_string(),
        text,
        "every typed character was deleted again"
    );
    let (p50, p99, max) = summary(&mut times);
    let (cpu_p50, cpu_p99, cpu_max) = summary(&mut cpu_times);
    println!(
        "{:<7} {} lines: {} edits, edit+reparse p50 {p50:.0} µs, p99 {p99:.0} µs, max {max:.0} µs \
         (thread CPU: p50 {cpu_p50:.0} µs, p99 {cpu_p99:.0} µs, max {cpu_max:.0} µs)",
        language.name(),
        text.lines().count(),
        times.len()
    );
    serde_json::json!({"language": language.name(), "lines": text.lines().count(), "edits": times.len(), "p50_us": p50, "p99_us": p99, "max_us": max, "cpu_p50_us": cpu_p50, "cpu_p99_us": cpu_p99, "cpu_max_us": cpu_max})
}

fn main() {
    let corpus = concat!(env!("CARGO_MANIFEST_DIR"), "/../target/bench-corpus");
    let results = [
        bench(Language::Python, &format!("{corpus}/python_20k.py")),
        bench(Language::Rust, &format!("{corpus}/rust_20k.rs")),
    ];
    println!(
        "{}",
        serde_json::json!({"benchmark": "edits", "results": results})
    );
}
