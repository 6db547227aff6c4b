//! What a user waits for with the embedded default model, measured from an editor-like
//! client driving the real `keel` binary over stdio: real files of 600-1,400 lines from real
//! projects (the `scripts/eval-corpus` corpora), each project indexed as a workspace.
//!
//! In each file the client walks a few spots, each a line inside a body that the "user" is
//! writing (the rest of the line is deleted first, then restored when they move on):
//!
//! - (a) the first suggestion in a file just opened;
//! - (b) a suggestion at a new spot 5-40 lines away from the previous one, after a pause
//!   (the user moving the cursor and starting to type);
//! - (c) the next suggestion after typing characters that do not match the last one (the
//!   file's real next characters, when the suggestion did not guess them);
//! - (d) typing the suggestion's first characters (typing through).
//!
//! For each model call the server's debug log gives the prompt tokens, how many of them the
//! KV cache already held, and the prefill and generation times. Answers are classed as
//! empty, only a comment or docstring, prose, or code.
//!
//! Run: `scripts/bench-embedded` (fetches the corpora and the model, builds release).
//! Settings (environment): `KEEL_BENCH_FILES` files per project (default 3: 54 spots),
//! `KEEL_BENCH_SPOTS` spots per file (default 4), `KEEL_BENCH_PAUSE_MS` the pause before
//! each new spot (default 1000), `KEEL_BENCH_SEED`, `KEEL_BENCH_PROJECTS` (comma-separated),
//! `KEEL_BENCH_THREADS` (`provider.threads`; default: Keel's own default).
//! `KEEL_BENCH_MODEL` (a GGUF file for `provider.model`), `KEEL_BENCH_LOG` (a file the
//! server logs are appended to).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

mod common;

use common::percentile;
use keel_e2e::{Launch, Server, file_uri};
use serde_json::json;

/// The projects walked, with the language of their files.
const PROJECTS: &[(&str, &str)] = &[
    ("django", "python"),
    ("sqlalchemy", "python"),
    ("starlette", "python"),
    ("fastapi", "python"),
    ("tokio", "rust"),
    ("axum", "rust"),
];
const MIN_LINES: usize = 600;
const MAX_LINES: usize = 1_400;
/// Characters of the real code typed for case (c).
const MISMATCH_CHARS: usize = 2;
/// How long one suggestion may take before the bench calls it lost.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(120);

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

/// A small deterministic generator: the same seed walks the same spots.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Case {
    First,
    Nearby,
    Mismatch,
    TypeThrough,
}

impl Case {
    const ALL: [Case; 4] = [Case::First, Case::Nearby, Case::Mismatch, Case::TypeThrough];

    fn name(self) -> &'static str {
        match self {
            Case::First => "a_first_in_file",
            Case::Nearby => "b_new_spot_nearby",
            Case::Mismatch => "c_after_typing_other_chars",
            Case::TypeThrough => "d_typing_through",
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Empty,
    CommentOrDocstring,
    Prose,
    Code,
}

/// One model call as the server's debug log reports it.
#[derive(Default, Clone, Copy, Debug)]
struct Call {
    prompt: u64,
    reused: u64,
    prefill_ms: f64,
    generate_ms: f64,
    generated: u64,
}

struct Sample {
    case: Case,
    ms: f64,
    kind: Kind,
    calls: Vec<Call>,
}

/// The class of an answer: what a user sees in their buffer.
fn classify(text: &str) -> Kind {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if lines.is_empty() {
        return Kind::Empty;
    }
    let commentary = ["#", "//", "/*", "*", "\"\"\"", "'''", "r\"\"\""];
    if lines
        .iter()
        .all(|line| commentary.iter().any(|start| line.starts_with(start)))
    {
        return Kind::CommentOrDocstring;
    }
    // Prose: a run of five or more plain words with no code punctuation between them.
    let prose = lines.iter().any(|line| {
        let mut run = 0;
        for word in line.split(' ') {
            if word.len() > 1 && word.chars().all(|c| c.is_alphabetic() || ",.'".contains(c)) {
                run += 1;
                if run >= 5 {
                    return true;
                }
            } else {
                run = 0;
            }
        }
        false
    });
    if prose { Kind::Prose } else { Kind::Code }
}

/// Reads the model calls the server logged since `from` (a byte offset in its stderr).
fn calls_since(log: &str, from: usize) -> Vec<Call> {
    log.get(from..)
        .unwrap_or("")
        .lines()
        .filter_map(|line| {
            let at = line.find("local request:")?;
            let mut call = Call::default();
            for field in line[at..].split_whitespace() {
                let Some((key, value)) = field.split_once('=') else {
                    continue;
                };
                let value = value.trim_end_matches(',');
                match key {
                    "prompt" => call.prompt = value.parse().ok()?,
                    "reused" => call.reused = value.parse().ok()?,
                    "prefill_ms" => call.prefill_ms = value.parse().ok()?,
                    "generate_ms" => call.generate_ms = value.parse().ok()?,
                    "generated" => call.generated = value.parse().ok()?,
                    _ => {}
                }
            }
            Some(call)
        })
        .collect()
}

fn files_of(root: &Path, extension: &str) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == extension)
                && let Ok(text) = std::fs::read_to_string(&path)
                && (MIN_LINES..=MAX_LINES).contains(&text.lines().count())
            {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// Lines a user could be writing: inside a body, real code, long enough to cut.
fn writable(line: &str, language: &str) -> bool {
    let code = line.trim();
    let indented = line.starts_with(' ') || line.starts_with('\t');
    let commentary = ["#", "//", "/*", "*", "\"\"\"", "'''", "}", ")", "]", "@"];
    indented
        && code.len() >= 12
        && line.is_ascii()
        && !commentary.iter().any(|start| code.starts_with(start))
        && (language == "rust" || !code.ends_with('\\'))
}

/// The walk's next line: 5-40 lines away (down four times in five), a writable one.
fn next_spot(rng: &mut Rng, lines: &[&str], from: usize, language: &str) -> Option<usize> {
    for _ in 0..50 {
        let distance = 5 + rng.below(36);
        let line = if rng.below(5) == 0 {
            from.checked_sub(distance)?
        } else {
            from + distance
        };
        if line < lines.len() && writable(lines[line], language) {
            return Some(line);
        }
    }
    None
}

/// One open file's session: the client's copy of the text and the version sent.
struct Buffer {
    uri: String,
    lines: Vec<String>,
    version: i32,
}

impl Buffer {
    fn set_line(&mut self, server: &mut Server, line: usize, text: &str) {
        let old = self.lines[line].chars().count() as u32;
        self.version += 1;
        server.change(
            &self.uri,
            self.version,
            json!([{"range": {"start": {"line": line, "character": 0}, "end": {"line": line, "character": old}}, "text": text}]),
        );
        self.lines[line] = text.to_string();
    }

    /// Asks for an inline suggestion at the end of `line`; the added text, the time taken
    /// and the model calls logged meanwhile.
    fn suggest(&mut self, server: &mut Server, line: usize) -> (String, f64, Vec<Call>) {
        let column = self.lines[line].chars().count();
        let from = server.stderr().len();
        let started = Instant::now();
        let id = server.request_async(
            "textDocument/inlineCompletion",
            json!({"textDocument": {"uri": self.uri}, "position": {"line": line, "character": column}, "context": {"triggerKind": 2}}),
        );
        let result = server.response(&id, ANSWER_TIMEOUT).expect("answered");
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        let item = &result["items"][0];
        let text = item["insertText"].as_str().unwrap_or("");
        let start = item["range"]["start"]["character"].as_u64().unwrap_or(0) as usize;
        let typed: String = self.lines[line].chars().skip(start).collect();
        let added = text
            .strip_prefix(typed.as_str())
            .unwrap_or(text)
            .to_string();
        // The model thread logs its call as it ends, which can be just after the answer.
        let deadline = Instant::now() + Duration::from_millis(500);
        while ms > 50.0
            && calls_since(&server.stderr(), from).is_empty()
            && Instant::now() < deadline
        {
            std::thread::sleep(Duration::from_millis(10));
        }
        (added, ms, calls_since(&server.stderr(), from))
    }
}

fn main() {
    let corpus = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../target/eval-corpus"
    ));
    let files_per_project = env_usize("KEEL_BENCH_FILES", 3);
    let spots_per_file = env_usize("KEEL_BENCH_SPOTS", 4);
    let pause = Duration::from_millis(env_usize("KEEL_BENCH_PAUSE_MS", 1000) as u64);
    let mut rng = Rng(env_usize("KEEL_BENCH_SEED", 7) as u64 | 1);
    let chosen: Option<Vec<String>> = std::env::var("KEEL_BENCH_PROJECTS")
        .ok()
        .map(|list| list.split(',').map(str::to_string).collect());
    // Default settings, but for the threads when asked (to compare 1 and 2).
    let mut options = match env_usize("KEEL_BENCH_THREADS", 0) {
        0 => json!({}),
        threads => json!({"provider": {"threads": threads}}),
    };
    if let Ok(model) = std::env::var("KEEL_BENCH_MODEL") {
        options["provider"]["kind"] = json!("local");
        options["provider"]["model"] = json!(model);
    }
    let log_to = std::env::var_os("KEEL_BENCH_LOG").map(std::path::PathBuf::from);
    let mut samples: Vec<Sample> = Vec::new();
    let mut hits = 0;
    for &(project, language) in PROJECTS {
        if chosen
            .as_ref()
            .is_some_and(|chosen| !chosen.iter().any(|name| name == project))
        {
            continue;
        }
        let root = corpus.join(project);
        let extension = if language == "rust" { "rs" } else { "py" };
        let files = files_of(&root, extension);
        assert!(
            !files.is_empty(),
            "no {MIN_LINES}-{MAX_LINES}-line files in {root:?}: run scripts/eval-corpus"
        );
        let mut server = Server::launch(Launch {
            env: vec![("KEEL_LOG".into(), "keel=debug".into())],
            ..Launch::default()
        });
        let client = json!({"window": {"workDoneProgress": true}});
        server.initialize(client, Some(options.clone()), Some(&root));
        while let Some(progress) = server.wait_notification("$/progress", ANSWER_TIMEOUT) {
            if progress["value"]["kind"] == "end" {
                break;
            }
        }
        let step = (files.len() / files_per_project.max(1)).max(1);
        for path in files.iter().step_by(step).take(files_per_project) {
            let text = std::fs::read_to_string(path).expect("readable corpus file");
            let original: Vec<&str> = text.split('\n').collect();
            let mut buffer = Buffer {
                uri: file_uri(path),
                lines: original.iter().map(|l| l.to_string()).collect(),
                version: 1,
            };
            server.open(&buffer.uri, language, &text);
            let writable_lines: Vec<usize> = (original.len() / 10..original.len() * 6 / 10)
                .filter(|&l| writable(original[l], language))
                .collect();
            let Some(&first) = writable_lines.get(rng.below(writable_lines.len())) else {
                continue;
            };
            let mut line = first;
            for spot in 0..spots_per_file {
                if spot > 0 {
                    std::thread::sleep(pause);
                    match next_spot(&mut rng, &original, line, language) {
                        Some(next) => line = next,
                        None => break,
                    }
                }
                let full = original[line];
                let indent = full.len() - full.trim_start().len();
                let code = full.len() - indent;
                let cut = indent + (code * 2 / 5).max(3).min(code - 1);
                buffer.set_line(&mut server, line, &full[..cut]);
                let case = if spot == 0 { Case::First } else { Case::Nearby };
                let (suggestion, ms, calls) = buffer.suggest(&mut server, line);
                samples.push(Sample {
                    case,
                    ms,
                    kind: classify(&suggestion),
                    calls,
                });
                let real_next = &full[cut..];
                if !suggestion.is_empty() && real_next.starts_with(&suggestion[..1]) {
                    hits += 1;
                }
                // (d) typing the suggestion's first characters.
                let through: String = suggestion.chars().take(2).collect();
                if through.chars().count() == 2 && !through.contains('\n') {
                    buffer.set_line(&mut server, line, &format!("{}{through}", &full[..cut]));
                    let (rest, ms, calls) = buffer.suggest(&mut server, line);
                    samples.push(Sample {
                        case: Case::TypeThrough,
                        ms,
                        kind: classify(&rest),
                        calls,
                    });
                    buffer.set_line(&mut server, line, &full[..cut]);
                }
                // (c) typing the real code where the suggestion guessed otherwise.
                let typed = real_next.get(..MISMATCH_CHARS).unwrap_or(real_next);
                if !typed.is_empty() && !suggestion.starts_with(typed) {
                    buffer.set_line(&mut server, line, &format!("{}{typed}", &full[..cut]));
                    let (answer, ms, calls) = buffer.suggest(&mut server, line);
                    samples.push(Sample {
                        case: Case::Mismatch,
                        ms,
                        kind: classify(&answer),
                        calls,
                    });
                }
                buffer.set_line(&mut server, line, full);
            }
            server.notify(
                "textDocument/didClose",
                json!({"textDocument": {"uri": buffer.uri}}),
            );
        }
        if let Some(log_to) = &log_to {
            let mut log = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(log_to)
                .expect("the log file given by KEEL_BENCH_LOG");
            std::io::Write::write_all(&mut log, server.stderr().as_bytes()).expect("log written");
        }
        drop(server);
    }

    let spots = samples
        .iter()
        .filter(|s| matches!(s.case, Case::First | Case::Nearby))
        .count();
    println!(
        "embedded model, {spots} spots ({} files per project, {} ms pause before each new spot)",
        files_per_project,
        pause.as_millis()
    );
    println!(
        "{:<28} {:>5} {:>9} {:>9} {:>8} {:>8} {:>10} {:>10}",
        "case", "n", "p50 ms", "p90 ms", "prompt", "reused", "prefill ms", "gen ms"
    );
    let mut cases_json = Vec::new();
    for case in Case::ALL {
        let of: Vec<&Sample> = samples.iter().filter(|s| s.case == case).collect();
        let mut ms: Vec<f64> = of.iter().map(|s| s.ms).collect();
        let calls: Vec<&Call> = of.iter().flat_map(|s| s.calls.iter()).collect();
        let median = |values: Vec<f64>| {
            let mut values = values;
            percentile(&mut values, 0.5)
        };
        let prompt = median(calls.iter().map(|c| c.prompt as f64).collect());
        let reused = median(calls.iter().map(|c| c.reused as f64).collect());
        let prefill = median(calls.iter().map(|c| c.prefill_ms).collect());
        let generate = median(calls.iter().map(|c| c.generate_ms).collect());
        let reused_share = {
            let total: u64 = calls.iter().map(|c| c.prompt).sum();
            let kept: u64 = calls.iter().map(|c| c.reused).sum();
            kept as f64 / total.max(1) as f64
        };
        let (p50, p90) = (percentile(&mut ms, 0.5), percentile(&mut ms, 0.9));
        println!(
            "{:<28} {:>5} {p50:>9.0} {p90:>9.0} {prompt:>8.0} {reused:>8.0} {prefill:>10.0} {generate:>10.0}",
            case.name(),
            of.len()
        );
        cases_json.push(json!({
            "case": case.name(), "n": of.len(), "p50_ms": p50, "p90_ms": p90,
            "model_calls": calls.len(), "median_prompt_tokens": prompt,
            "median_reused_tokens": reused, "reused_share": reused_share,
            "median_prefill_ms": prefill, "median_generate_ms": generate,
        }));
    }
    let answered: Vec<&Sample> = samples
        .iter()
        .filter(|s| matches!(s.case, Case::First | Case::Nearby | Case::Mismatch))
        .collect();
    let share = |kind: Kind| {
        answered.iter().filter(|s| s.kind == kind).count() as f64 / answered.len().max(1) as f64
    };
    let (empty, commentary, prose, code) = (
        share(Kind::Empty),
        share(Kind::CommentOrDocstring),
        share(Kind::Prose),
        share(Kind::Code),
    );
    println!(
        "answers (a, b, c: {}): empty {:.0}%, only a comment or docstring {:.0}%, prose {:.0}%, code {:.0}%; first character right at {hits} of {spots} spots",
        answered.len(),
        empty * 100.0,
        commentary * 100.0,
        prose * 100.0,
        code * 100.0
    );
    let report = json!({
        "bench": "embedded_editor", "spots": spots, "pause_ms": pause.as_millis() as u64,
        "cases": cases_json,
        "answers": {"n": answered.len(), "empty": empty, "comment_or_docstring": commentary, "prose": prose, "code": code, "first_char_right": hits},
    });
    println!("JSON: {report}");
}
