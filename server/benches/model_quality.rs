//! How well a model file predicts real code: mean negative log-likelihood per token,
//! perplexity and top-1 accuracy of the next token, over the same fixed sample of the
//! `scripts/eval-corpus` projects (Python and Rust) for every file given. Used to check
//! that a faster format of the default model predicts code as well as the original
//! (`llm::requantize`). Prints a table and one JSON line.
//!
//! `scripts/eval-corpus && KEEL_BENCH_MODELS=a.gguf,b.gguf cargo bench -p keel --bench model_quality`
//! (default: the default model and the copies Keel made of it).

use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use keel::llm::model_store::ModelStore;
use keel::workspace::walk::{Entry, Walk};
use llama_cpp_2::context::params::LlamaContextParams;
use llama_cpp_2::llama_backend::LlamaBackend;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::LlamaModel;
use llama_cpp_2::model::params::LlamaModelParams;

/// Tokens per scored window (each window is read from an empty context).
const WINDOW: usize = 512;
const WINDOWS_PER_FILE: usize = 4;
/// Files per project, the largest first.
const FILES_PER_PROJECT: usize = 3;
const PROJECTS: [(&str, &str); 5] = [
    ("starlette", "py"),
    ("fastapi", "py"),
    ("django", "py"),
    ("axum", "rs"),
    ("tokio", "rs"),
];

struct Score {
    nll: f64,
    top1: usize,
    tokens: usize,
}

fn main() {
    let models: Vec<PathBuf> = match std::env::var("KEEL_BENCH_MODELS") {
        Ok(list) => list.split(',').map(PathBuf::from).collect(),
        Err(_) => {
            let store = ModelStore::from_env();
            let mut models = vec![store.default_model_path()];
            if let Ok(entries) = std::fs::read_dir(store.derived_dir()) {
                models.extend(
                    entries
                        .filter_map(|entry| Some(entry.ok()?.path()))
                        .filter(|path| path.extension().is_some_and(|found| found == "gguf")),
                );
            }
            models
        }
    };
    let corpus = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../target/eval-corpus"
    ));
    let files = sample(corpus);
    assert!(
        !files.is_empty(),
        "no files in {corpus:?}: run scripts/eval-corpus"
    );
    let mut backend = LlamaBackend::init().expect("llama.cpp backend");
    backend.void_logs();
    let mut json = Vec::new();
    println!(
        "{} files of {} projects, {WINDOW}-token windows",
        files.len(),
        PROJECTS.len()
    );
    println!(
        "{:<60} {:>8} {:>11} {:>7} {:>8}",
        "model", "nll", "perplexity", "top-1", "tokens"
    );
    for path in &models {
        let score = score(&backend, path, &files);
        let nll = score.nll / score.tokens as f64;
        let top1 = score.top1 as f64 / score.tokens as f64;
        let name = path
            .file_name()
            .map_or_else(String::new, |name| name.to_string_lossy().into_owned());
        println!(
            "{name:<60} {nll:>8.4} {:>11.3} {top1:>7.4} {:>8}",
            nll.exp(),
            score.tokens
        );
        json.push(serde_json::json!({"model": name, "nll": nll, "perplexity": nll.exp(), "top1": top1, "tokens": score.tokens}));
    }
    println!(
        "JSON: {}",
        serde_json::json!({"bench": "model_quality", "window": WINDOW, "files": files.len(), "models": json})
    );
}

/// The largest source files of each project, in a fixed order, with their text.
fn sample(corpus: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    for (project, extension) in PROJECTS {
        let files = Mutex::new(Vec::new());
        Walk::new([corpus.join(project)])
            .select(move |path| path.extension().is_some_and(|found| found == extension))
            .run(|entry| {
                if let Entry::File { path, text } = entry {
                    files
                        .lock()
                        .expect("not poisoned")
                        .push((text.len(), path, text));
                }
            });
        let mut files = files.into_inner().expect("not poisoned");
        files.sort_by(|a, b| b.cmp(a));
        out.extend(
            files
                .into_iter()
                .take(FILES_PER_PROJECT)
                .map(|(_, path, text)| (path, text)),
        );
    }
    out
}

fn score(backend: &LlamaBackend, path: &Path, files: &[(PathBuf, String)]) -> Score {
    let model = LlamaModel::load_from_file(backend, path, &LlamaModelParams::default())
        .unwrap_or_else(|err| panic!("cannot load {}: {err}", path.display()));
    let vocab = model.vocab();
    let mut score = Score {
        nll: 0.0,
        top1: 0,
        tokens: 0,
    };
    for (_, text) in files {
        let tokens = vocab.tokenize(text.as_bytes(), true, false);
        for window in tokens
            .chunks(WINDOW)
            .take(WINDOWS_PER_FILE)
            .filter(|w| w.len() > 1)
        {
            let params = LlamaContextParams::default()
                .with_n_ctx(NonZeroU32::new(WINDOW as u32))
                .with_n_batch(WINDOW as u32)
                .with_n_ubatch(WINDOW as u32)
                .with_n_threads(2)
                .with_n_threads_batch(2);
            let mut context = model.new_context(backend, params).expect("context");
            let mut batch = LlamaBatch::new(WINDOW, 1);
            for (at, token) in window.iter().enumerate() {
                batch.add(*token, at as i32, &[0], true).expect("batch");
            }
            context.decode(&mut batch).expect("decode");
            for (at, next) in window.iter().enumerate().skip(1) {
                let logits = context.get_logits_ith(at as i32 - 1);
                let max = logits.iter().copied().fold(f32::MIN, f32::max);
                let sum: f64 = logits
                    .iter()
                    .map(|logit| f64::from(logit - max).exp())
                    .sum();
                let target = next.0 as usize;
                score.nll -= f64::from(logits[target] - max) - sum.ln();
                let best = logits
                    .iter()
                    .enumerate()
                    .max_by(|a, b| a.1.total_cmp(b.1))
                    .map_or(0, |(at, _)| at);
                score.top1 += usize::from(best == target);
                score.tokens += 1;
            }
        }
    }
    score
}
