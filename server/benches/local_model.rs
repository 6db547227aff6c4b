//! The embedded model's speed: time to first token and generation speed of the `local`
//! provider on 2 threads with the default model, for prompts of 256 and 1024 tokens (new
//! ones, and the same again with a few characters typed, which reuses the cached prompt).
//! Prints a table and one JSON line.
//!
//! `cargo bench -p keel --bench local_model` (the model: `$KEEL_BENCH_MODEL`, else the
//! default model's path; fetch it with `keel model fetch`).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use keel::config::{ProviderConfig, ProviderKind};
use keel::llm::FimRequest;
use keel::llm::model_store::ModelStore;
use llama_cpp_2::llama_backend::LlamaBackend;
use llama_cpp_2::model::LlamaModel;
use llama_cpp_2::model::params::LlamaModelParams;

const THREADS: u32 = 2;
const PROMPT_TOKENS: [usize; 2] = [256, 1024];
const GENERATED_TOKENS: u32 = 64;
const RUNS: usize = 5;

/// Ordinary service code, repeated until it is long enough.
const CODE: &str = r#"
import json
from dataclasses import dataclass
from http import HTTPStatus


@dataclass
class Order:
    id: int
    customer_id: int
    total_cents: int
    status: str = "pending"


class OrderRepository:
    def __init__(self, db):
        self.db = db

    def get(self, order_id: int) -> Order | None:
        row = self.db.execute("SELECT * FROM orders WHERE id = ?", (order_id,)).fetchone()
        return Order(**row) if row else None

    def save(self, order: Order) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO orders VALUES (?, ?, ?, ?)",
            (order.id, order.customer_id, order.total_cents, order.status),
        )


def handle_get_order(request, repository: OrderRepository):
    order = repository.get(int(request.path_params["id"]))
    if order is None:
        return json.dumps({"error": "not found"}), HTTPStatus.NOT_FOUND
    return json.dumps(order.__dict__), HTTPStatus.OK
"#;

struct Figures {
    prompt_tokens: usize,
    first_token_ms: Vec<f64>,
    /// The same prompt with a few characters typed at its end: most of it is cached.
    typed_first_token_ms: Vec<f64>,
    tokens_per_second: Vec<f64>,
}

fn main() {
    let path = std::env::var_os("KEEL_BENCH_MODEL")
        .map(PathBuf::from)
        .unwrap_or_else(|| ModelStore::from_env().default_model_path());
    if !path.is_file() {
        eprintln!(
            "local_model: {} not found; run `keel model fetch` or set KEEL_BENCH_MODEL",
            path.display()
        );
        std::process::exit(1);
    }
    let prompts: Vec<(usize, String)> = PROMPT_TOKENS
        .iter()
        .map(|&tokens| (tokens, prompt_of(&path, tokens)))
        .collect();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let provider = keel::llm::from_config(&ProviderConfig {
        kind: Some(ProviderKind::Local),
        model: Some(path.display().to_string()),
        threads: THREADS,
        ..ProviderConfig::default()
    })
    .expect("local provider");

    let mut results = Vec::new();
    runtime.block_on(async {
        // One request to load the model and warm the caches.
        measure(provider.as_ref(), &prompts[0].1).await;
        for (tokens, prompt) in &prompts {
            let mut figures = Figures {
                prompt_tokens: *tokens,
                first_token_ms: Vec::new(),
                typed_first_token_ms: Vec::new(),
                tokens_per_second: Vec::new(),
            };
            for run in 0..RUNS {
                // A different first line each run, so nothing of the prompt is cached.
                let cold = format!("# request {run}\n{prompt}");
                let (first, rate) = measure(provider.as_ref(), &cold).await;
                figures.first_token_ms.push(first.as_secs_f64() * 1000.0);
                figures.tokens_per_second.push(rate);
                let (typed, _) = measure(provider.as_ref(), &format!("{cold}    ")).await;
                figures
                    .typed_first_token_ms
                    .push(typed.as_secs_f64() * 1000.0);
            }
            results.push(figures);
        }
    });

    println!(
        "local provider, {} threads, {}, {GENERATED_TOKENS} tokens generated, median of {RUNS} runs",
        THREADS,
        path.file_name()
            .map_or_else(String::new, |name| name.to_string_lossy().into_owned())
    );
    println!(
        "{:>14} {:>20} {:>26} {:>12}",
        "prompt tokens", "first token (ms)", "first token, typed (ms)", "tokens/s"
    );
    let mut json = Vec::new();
    for figures in &results {
        let first = median(&figures.first_token_ms);
        let typed = median(&figures.typed_first_token_ms);
        let rate = median(&figures.tokens_per_second);
        println!(
            "{:>14} {first:>20.1} {typed:>26.1} {rate:>12.1}",
            figures.prompt_tokens
        );
        json.push(format!(
            "{{\"prompt_tokens\":{},\"first_token_ms\":{first:.1},\"typed_first_token_ms\":{typed:.1},\"tokens_per_second\":{rate:.1}}}",
            figures.prompt_tokens
        ));
    }
    println!(
        "{{\"bench\":\"local_model\",\"threads\":{THREADS},\"generated_tokens\":{GENERATED_TOKENS},\"runs\":{RUNS},\"results\":[{}]}}",
        json.join(",")
    );
}

/// Time to the first chunk, and chunks per second after it (one chunk per token: no stop
/// sequences are set, so nothing is held back).
async fn measure(provider: &dyn keel::llm::Provider, prompt: &str) -> (Duration, f64) {
    let request = FimRequest {
        prefix: prompt.to_string(),
        suffix: None,
        snippets: Vec::new(),
        stop: Vec::new(),
        max_tokens: GENERATED_TOKENS,
        temperature: 0.0,
    };
    let started = Instant::now();
    let mut stream = provider.complete(request);
    let mut first = None;
    let mut chunks = 0usize;
    while let Some(chunk) = stream.next().await {
        chunk.expect("generation");
        chunks += 1;
        first.get_or_insert_with(|| started.elapsed());
    }
    let first = first.expect("at least one token");
    let rest = started.elapsed() - first;
    let rate = if chunks > 1 {
        (chunks - 1) as f64 / rest.as_secs_f64()
    } else {
        0.0
    };
    (first, rate)
}

/// Code that the model's tokenizer turns into `tokens` tokens: the benchmark asks for
/// prompt sizes in the model's own units.
fn prompt_of(path: &std::path::Path, tokens: usize) -> String {
    // The provider initialises llama.cpp again later; this backend is dropped first.
    let mut backend = LlamaBackend::init().expect("llama.cpp");
    backend.void_logs();
    let params = LlamaModelParams::default().with_vocab_only(true);
    let model = LlamaModel::load_from_file(&backend, path, &params).expect("model");
    let vocab = model.vocab();
    let mut text = String::new();
    while vocab.tokenize(text.as_bytes(), false, false).len() < tokens {
        text.push_str(CODE);
    }
    let all = vocab.tokenize(text.as_bytes(), false, false);
    String::from_utf8_lossy(&vocab.detokenize(&all[..tokens], false, false)).into_owned()
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[sorted.len() / 2]
}
