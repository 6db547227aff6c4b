//! Seeded fuzzing of the core on random and adversarial source: the rule engine (with its
//! data-flow pass), the context builder, completion post-processing, and code actions'
//! listing, deterministic edits and the checks a model's edit passes. Every call must
//! return (no panic, no stack overflow) within the time a user would wait.
//!
//! Adversarial inputs: deep nesting, 100,000-character lines, long operator chains (deep
//! trees), NUL bytes, text decoded from invalid UTF-8. The normal suite runs a short,
//! fixed-seed pass; the long run is an ignored test:
//! `KEEL_FUZZ_SECS=300 cargo test --workspace --test fuzz_core -- --ignored --nocapture`
//! (`KEEL_FUZZ_SEED` repeats a run). docs/RELIABILITY.md has the figures.

use std::path::Path;
use std::time::{Duration, Instant};

use keel::actions::{self, Project, Source};
use keel::complete::Site;
use keel::config::{Config, DiagnosticsConfig};
use keel::context::{Buffer, FactsCache, Index, RecentEdits, Sources, completion_request};
use keel::diagnostics::RuleSet;
use keel::syntax::Language;
use ropey::Rope;

/// Pieces of code for both languages, and the characters that break naive text handling.
const PIECES: &[&str] = &[
    "def f(x):\n",
    "    return x\n",
    "async def handler(request):\n    data = await request.json()\n",
    "import requests, subprocess, pickle, yaml\n",
    "requests.get(url)\n",
    "subprocess.run(cmd, shell=True)\n",
    "cursor.execute(f\"SELECT * FROM t WHERE id = {user_id}\")\n",
    "password = \"hunter2hunter2\"\n",
    "@app.get(\"/items/{id}\")\n",
    "class A:\n    def m(self):\n        pass\n",
    "try:\n    x()\nexcept:\n    pass\n",
    "fn main() {\n",
    "    let v = x.unwrap();\n",
    "}\n",
    "async fn h() -> Result<(), E> { std::thread::sleep(d); Ok(()) }\n",
    "use std::process::Command;\n",
    "impl A for B { fn f(&self) {} }\n",
    "#[tokio::main]\n",
    "let q = format!(\"SELECT {}\", id);\n",
    "\0",
    "\u{FFFD}",
    "😀",
    "名前",
    "e\u{301}",
    "\r\n",
    "\r",
    "\t",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ":",
    "\"",
    "'",
    "\"\"\"",
    "#",
    "//",
    "/*",
    " ",
    "\n",
    "    ",
];

/// A random mix of `PIECES`, sometimes with a run of up to `longest` of one of them.
fn random_source(rng: &mut fastrand::Rng, longest: usize) -> String {
    let mut text = String::new();
    for _ in 0..rng.usize(0..60) {
        let piece = PIECES[rng.usize(..PIECES.len())];
        let times = if rng.u8(0..30) == 0 {
            rng.usize(1..longest.max(2))
        } else {
            1
        };
        text.push_str(&piece.repeat(times));
    }
    if rng.u8(0..8) == 0 {
        // What a file that is not UTF-8 becomes when it is read for context.
        let bytes: Vec<u8> = (0..rng.usize(0..200)).map(|_| rng.u8(..)).collect();
        text.push_str(&String::from_utf8_lossy(&bytes));
    }
    text
}

/// The fixed adversarial cases, in both languages.
fn adversarial() -> Vec<(&'static str, String)> {
    vec![
        (
            "a 100,000-character string",
            format!("x = \"{}\"\n", "a".repeat(100_000)),
        ),
        (
            "a 100,000-character f-string query",
            format!("cursor.execute(f\"SELECT {}\")\n", "{a}".repeat(33_000)),
        ),
        (
            "NUL bytes",
            "def f(\0):\n    return \0requests.get(\0)\n".repeat(500),
        ),
        ("only NUL bytes", "\0".repeat(100_000)),
        ("lone CRs", "def f():\r    return 1\r".repeat(2_000)),
        (
            "a 100,000-character comment",
            format!("# {}\nimport os\n", "é".repeat(50_000)),
        ),
        (
            "parentheses 200 deep",
            format!("x = {}1{}\n", "(".repeat(200), ")".repeat(200)),
        ),
        (
            "blocks 100 deep (Python)",
            (0..100)
                .map(|depth| format!("{}if x:\n", " ".repeat(depth)))
                .collect(),
        ),
    ]
}

/// Shapes that once took minutes (docs/RELIABILITY.md): deep trees made the completion and
/// context code climb with `Node::parent` (depth² steps) and tree-sitter's query cursor
/// cost nodes × depth; thousands of findings in one file cost the rule engine findings ×
/// file size.
fn hostile_shapes() -> Vec<(&'static str, String)> {
    let python_blocks: String = (0..1_000)
        .map(|depth| format!("{}if x:\n", " ".repeat(depth)))
        .collect();
    let rust_blocks = format!(
        "fn f() {{{}{}}}\n",
        "{ if a ".repeat(3_000),
        "}".repeat(3_000)
    );
    vec![
        (
            "parentheses 10,000 deep",
            format!("x = {}1{}\n", "(".repeat(10_000), ")".repeat(10_000)),
        ),
        (
            "a 100,000-character operator chain",
            format!("x = {}1\n", "a + ".repeat(25_000)),
        ),
        (
            "a 100,000-character call chain",
            format!("x = a{}\n", ".b()".repeat(25_000)),
        ),
        ("blocks 1,000 deep (Python)", python_blocks),
        ("blocks 3,000 deep (Rust)", rust_blocks),
        (
            "brackets 50,000 deep, unclosed",
            format!("x = {}\n", "[".repeat(50_000)),
        ),
        (
            "2,000 findings",
            "import subprocess\nsubprocess.run(cmd, shell=True)\n".repeat(2_000),
        ),
    ]
}

/// A model's reply made to hurt post-processing and the edit checks.
fn random_reply(rng: &mut fastrand::Rng, source: &str) -> String {
    match rng.u8(0..6) {
        0 => String::new(),
        1 => "```python\n".to_string() + &random_source(rng, 100) + "```",
        2 => source
            .get(..source.len().min(2_000))
            .unwrap_or("")
            .to_string(),
        3 => "}".repeat(rng.usize(1..5_000)),
        4 => "\n".repeat(rng.usize(1..5_000)) + "x",
        _ => random_source(rng, 100),
    }
}

/// A byte offset on a character boundary.
fn random_offset(rng: &mut fastrand::Rng, text: &str) -> usize {
    let mut offset = rng.usize(0..=text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// What one slow call took, for the report when a call is too slow.
struct Slowest {
    what: String,
    took: Duration,
}

struct Core {
    rules: RuleSet,
    diagnostics: DiagnosticsConfig,
    config: Config,
    index: Index,
    recent: RecentEdits,
    facts: FactsCache,
    project: Project,
    slowest: Slowest,
}

impl Core {
    fn new() -> Core {
        Core {
            rules: RuleSet::builtin(),
            diagnostics: DiagnosticsConfig::default(),
            config: Config::default(),
            index: Index::new(),
            recent: RecentEdits::new(),
            facts: FactsCache::default(),
            project: Project::default(),
            slowest: Slowest {
                what: String::new(),
                took: Duration::ZERO,
            },
        }
    }

    fn timed<R>(&mut self, what: &str, work: impl FnOnce(&Core) -> R) -> R {
        let start = Instant::now();
        let result = work(self);
        let took = start.elapsed();
        if took > Duration::from_secs(1) {
            eprintln!("slow: {what}: {took:?}");
        }
        if took > self.slowest.took {
            self.slowest = Slowest {
                what: what.to_string(),
                took,
            };
        }
        result
    }

    /// Everything the server runs on a document, at a few cursors.
    fn exercise(&mut self, case: &str, language: Language, text: &str, rng: &mut fastrand::Rng) {
        let extension = if language == Language::Python {
            "py"
        } else {
            "rs"
        };
        let path = format!("/fuzz/service.{extension}");
        let path = Path::new(&path);
        let Some(tree) = self.timed(&format!("parse: {case}"), |_| language.parse_str(text)) else {
            panic!("{case}: tree-sitter gave no tree");
        };
        let findings = self.timed(&format!("rules: {case}"), |core| {
            core.rules
                .check_file(Some(path), language, text, &tree, &core.diagnostics)
        });
        for finding in &findings {
            assert!(
                finding.start_byte <= text.len(),
                "{case}: a finding past the end of the text"
            );
        }
        self.timed(&format!("index: {case}"), |core| {
            core.index.update_file(path, text)
        });
        let rope = Rope::from_str(text);
        // The embedded model's region layout too: the three cursors share one region slot,
        // so later ones may continue the first one's region.
        let mut region = None;
        for _ in 0..3 {
            let offset = random_offset(rng, text);
            let request = self.timed(&format!("context at {offset}: {case}"), |core| {
                let sources = Sources {
                    index: &core.index,
                    recent: &core.recent,
                    facts: &core.facts,
                };
                let buffer = Buffer {
                    language,
                    path: Some(path),
                    name: "service",
                    version: 1,
                    text,
                    tree: &tree,
                };
                let slot = offset.is_multiple_of(2).then_some(&mut region);
                completion_request(&sources, &buffer, offset, &core.config, None, slot)
            });
            assert!(request.is_some(), "{case}: no request at {offset}");
            let reply = random_reply(rng, text);
            self.timed(&format!("post-processing at {offset}: {case}"), |core| {
                let site = Site::new(rope.clone(), Some(tree.clone()), Some(language), offset);
                let shape = site.shape();
                site.finish(shape, &reply, &core.config)
            });
            self.timed(&format!("actions at {offset}: {case}"), |core| {
                let source = Source {
                    text,
                    tree: &tree,
                    language,
                    path: Some(path),
                    project: &core.project,
                };
                let end = random_offset(rng, text).max(offset);
                for candidate in actions::list(&source, offset, end) {
                    let _ = actions::deterministic(&source, &candidate);
                }
            });
        }
    }
}

/// Runs random sources until `cases` are done or `budget` is spent; returns the count.
/// `longest`: the longest run of one piece (see `random_source`).
fn random_cases(
    core: &mut Core,
    seed: u64,
    longest: usize,
    cases: usize,
    budget: Duration,
) -> usize {
    let mut rng = fastrand::Rng::with_seed(seed);
    let start = Instant::now();
    let mut done = 0;
    while done < cases && start.elapsed() < budget {
        let text = random_source(&mut rng, longest);
        let language = if rng.bool() {
            Language::Python
        } else {
            Language::Rust
        };
        if let Some(dir) = std::env::var_os("KEEL_FUZZ_KEEP") {
            // Each case on disk before it runs: the last one is the one that hung or crashed.
            let _ = std::fs::write(Path::new(&dir).join(format!("case-{seed}-{done}")), &text);
        }
        core.exercise(
            &format!("seed {seed}, case {done}"),
            language,
            &text,
            &mut rng,
        );
        done += 1;
    }
    done
}

/// The most one call may take here: a debug build on a slow, loaded 2-core machine.
const SLOWEST_CALL: Duration = Duration::from_secs(20);

impl Core {
    /// No call took longer than `SLOWEST_CALL`.
    fn assert_no_slow_call(&self) {
        assert!(
            self.slowest.took < SLOWEST_CALL,
            "{} took {:?}",
            self.slowest.what,
            self.slowest.took
        );
    }
}

#[test]
fn adversarial_sources_are_handled_in_bounded_time() {
    let mut core = Core::new();
    let mut rng = fastrand::Rng::with_seed(1);
    for (case, text) in adversarial() {
        for language in [Language::Python, Language::Rust] {
            core.exercise(case, language, &text, &mut rng);
        }
    }
    core.assert_no_slow_call();
}

#[test]
fn random_sources_never_panic() {
    let mut core = Core::new();
    let done = random_cases(&mut core, 20, 200, 150, Duration::from_secs(60));
    assert!(done >= 20, "only {done} cases ran");
    core.assert_no_slow_call();
}

#[test]
#[ignore = "long fuzz run; see the module doc"]
fn core_long_run() {
    let secs = std::env::var("KEEL_FUZZ_SECS")
        .ok()
        .and_then(|secs| secs.parse().ok())
        .unwrap_or(300);
    let seed = std::env::var("KEEL_FUZZ_SEED")
        .ok()
        .and_then(|seed| seed.parse().ok())
        .unwrap_or_else(|| fastrand::u64(..));
    eprintln!("core: seed {seed}");
    let mut core = Core::new();
    let budget = Duration::from_secs(secs);
    let done = random_cases(&mut core, seed, 2_000, usize::MAX, budget);
    eprintln!(
        "core: {done} sources in {budget:?}, no failure; slowest call {:?} ({})",
        core.slowest.took, core.slowest.what
    );
}

#[test]
fn deep_trees_and_many_findings_are_handled_in_bounded_time() {
    let mut core = Core::new();
    let mut rng = fastrand::Rng::with_seed(1);
    for (case, text) in hostile_shapes() {
        for language in [Language::Python, Language::Rust] {
            core.exercise(case, language, &text, &mut rng);
        }
    }
    core.assert_no_slow_call();
}
