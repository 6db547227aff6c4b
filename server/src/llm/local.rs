//! The embedded model: llama.cpp in this process, through `llama-cpp-2`. The model is
//! loaded once, on a thread of its own that runs one request at a time and keeps the last
//! prompt's KV cache for the next; callers get a stream fed from that thread, and dropping
//! it stops generation at the next token. Work nobody waits for (a read-ahead prefill, an
//! AI review) gives way to any request the editor waits for (`Priority`).

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::num::NonZeroU32;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock, mpsc as std_mpsc};
use std::time::Instant;

use futures_util::future::BoxFuture;
use futures_util::stream;
use llama_cpp_2::context::LlamaContext;
use llama_cpp_2::context::params::LlamaContextParams;
use llama_cpp_2::llama_backend::LlamaBackend;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::params::LlamaModelParams;
use llama_cpp_2::model::{LlamaChatMessage, LlamaModel};
use llama_cpp_2::sampling::LlamaSampler;
use llama_cpp_2::token::LlamaToken;
use llama_cpp_2::vocab::LlamaVocab;
use tokio::sync::{mpsc, watch};

use super::model_store::{self, ModelStore};
use super::requantize;
use super::{
    ChatRequest, CircuitState, FimRequest, JSON_ONLY, Provider, ProviderError, TextStream,
    TokenCounter, fim,
};
use crate::config::{FimTemplate, ProviderConfig};

/// The most context a request gets (less if the model was trained on less).
const CONTEXT_TOKENS: usize = 4096;
/// Prompt tokens decoded per step; cancellation is checked between steps.
const PREFILL_CHUNK: usize = 256;
/// Prompt tokens decoded per step of work nobody waits for yet (a prefill, a review).
const SPECULATIVE_CHUNK: usize = 32;
/// Chunks buffered between the inference thread and a slow reader.
const CHANNEL_CHUNKS: usize = 64;

/// CPU threads for reading a prompt (a batch of tokens) and for generating (one token at a
/// time). llama.cpp's threads spin at a barrier after every step, so a thread that another
/// process keeps off its core stalls the others: on two cores with one other busy process,
/// two threads read a prompt no faster than one (68 tokens/s) and generate a third slower
/// (17 against 25 tokens/s). On an idle machine two threads read 1.7x faster (129 against
/// 76 tokens/s) and generate 1.6x faster. A prompt is read in large steps, where the gain
/// is worth the risk; tokens are generated one by one, where a stall costs most: so all
/// cores (up to 4) read, and half of them (1 to 4) generate (docs/PERFORMANCE.md).
#[derive(Debug, Clone, Copy)]
struct Threads {
    prefill: usize,
    generate: usize,
}

impl Threads {
    /// `provider.threads`, or when it is 0, the split above.
    fn for_config(threads: u32) -> Threads {
        let cores = std::thread::available_parallelism().map_or(1, |cores| cores.get());
        match threads {
            0 => Threads {
                prefill: cores.clamp(1, 4),
                generate: (cores / 2).clamp(1, 4),
            },
            threads => Threads {
                prefill: threads as usize,
                generate: threads as usize,
            },
        }
    }
}

/// llama.cpp's global state: it may be initialised once per process.
static BACKEND: OnceLock<Result<LlamaBackend, String>> = OnceLock::new();

fn backend() -> Result<&'static LlamaBackend, ProviderError> {
    BACKEND
        .get_or_init(|| {
            // llama.cpp reports every tensor it loads; that is debugging detail.
            let enabled = tracing::enabled!(tracing::Level::DEBUG);
            llama_cpp_2::send_logs_to_tracing(
                llama_cpp_2::LogOptions::default().with_logs_enabled(enabled),
            );
            LlamaBackend::init().map_err(|err| err.to_string())
        })
        .as_ref()
        .map_err(|err| ProviderError::model(format!("cannot start llama.cpp: {err}")))
}

pub(crate) struct Local {
    jobs: std_mpsc::Sender<Job>,
    path: PathBuf,
    fim: Option<FimTemplate>,
    /// The embedded model has no endpoint to fail: the circuit opens only when the model
    /// file cannot be loaded, so that the status and the editor say why nothing comes.
    circuit: Arc<watch::Sender<CircuitState>>,
    loaded: Arc<Loaded>,
    line_tokens: Arc<LineTokens>,
    /// Requests sent and not yet taken up by the inference thread: a prefill stops for them.
    waiting: Arc<AtomicUsize>,
}

/// Token counts of prompt lines, kept across requests. llama.cpp tokenizes code at about
/// 2 MB/s, so counting a whole 2,048-token prompt takes milliseconds; while the user
/// types, a prompt is almost all lines counted before.
///
/// A line is counted with the newline that starts it (`\n    return x`): BPE
/// vocabularies split text into words before merging, and a newline with the next line's
/// indentation is one such word, so the sum matches a count of the whole text except
/// around blank lines and trailing spaces, where it counts a token more.
#[derive(Default)]
struct LineTokens {
    counts: Mutex<HashMap<u64, u32>>,
}

/// Lines remembered before the counts start over: a few megabytes at most.
const MAX_COUNTED_LINES: usize = 65_536;

impl LineTokens {
    fn count(&self, vocab: &LlamaVocab, text: &str, special: bool) -> usize {
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        if counts.len() > MAX_COUNTED_LINES {
            counts.clear();
        }
        // The begin-of-text token, as the prompt is tokenized.
        let mut total = tokenize(vocab, "", special).len();
        let mut start = 0;
        while start < text.len() {
            let end = text[start + 1..]
                .find('\n')
                .map_or(text.len(), |at| start + 1 + at);
            let line = &text[start..end];
            let mut hasher = std::hash::DefaultHasher::new();
            (line, special).hash(&mut hasher);
            total += *counts
                .entry(hasher.finish())
                .or_insert_with(|| vocab.tokenize(line.as_bytes(), false, special).len() as u32)
                as usize;
            start = end;
        }
        total
    }
}

/// The model once the inference thread has loaded it (or failed to), so that prompts can
/// be measured with its tokenizer on other threads while it generates: tokenizing only
/// reads the vocabulary, as llama-server's HTTP threads also rely on.
#[derive(Default)]
struct Loaded {
    model: Mutex<Option<Result<Arc<LlamaModel>, ProviderError>>>,
    ready: Condvar,
}

impl Loaded {
    fn set(&self, model: Result<Arc<LlamaModel>, ProviderError>) {
        *self.model.lock().unwrap_or_else(|e| e.into_inner()) = Some(model);
        self.ready.notify_all();
    }

    /// The model, once loading has ended; `None` when it failed.
    fn wait(&self) -> Option<Arc<LlamaModel>> {
        let mut model = self.model.lock().unwrap_or_else(|e| e.into_inner());
        while model.is_none() {
            model = self.ready.wait(model).unwrap_or_else(|e| e.into_inner());
        }
        model.as_ref()?.as_ref().ok().cloned()
    }
}

struct Job {
    prompt: Prompt,
    max_tokens: u32,
    temperature: f32,
    stop: Vec<String>,
    out: mpsc::Sender<Result<String, ProviderError>>,
    priority: Priority,
}

/// How a job stands towards the others on the one inference thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Priority {
    /// Someone waits for the answer: a completion, an action. Counted in `waiting`.
    Asked,
    /// Nobody waits on the answer right now (an AI review): it gives way to any asked
    /// request that arrives meanwhile, and fails saying so.
    Background,
    /// A prefill nobody waits for: it only fills the KV cache, and gives way likewise.
    Prefill,
}

impl Job {
    /// Whether to stop: the reader went away, or (for work nobody waits for) a request is
    /// waiting.
    fn stopped(&self, waiting: &AtomicUsize) -> bool {
        let asked = waiting.load(Ordering::Acquire) > 0;
        match self.priority {
            Priority::Asked => self.out.is_closed(),
            Priority::Background => asked || self.out.is_closed(),
            Priority::Prefill => asked,
        }
    }

    /// What a stopped job ends with: a background request's reader must not take the
    /// part it got (or nothing) for a whole answer.
    fn gave_way(&self) -> Result<(), ProviderError> {
        if self.priority == Priority::Background && !self.out.is_closed() {
            return Err(ProviderError::model(
                "gave way to a request the editor waits for",
            ));
        }
        Ok(())
    }

    fn stop(&self, timing: &Timing, why: &str) -> Result<(), ProviderError> {
        timing.log(why);
        self.gave_way()
    }
}

enum Prompt {
    /// Text to tokenize as it is; `special` lets template tokens such as `<fim_prefix>`
    /// become the model's special tokens (never for the user's own code alone).
    Raw {
        text: String,
        special: bool,
    },
    Chat(ChatRequest),
}

impl Local {
    pub(crate) fn new(config: &ProviderConfig) -> Result<Self, ProviderError> {
        let path = match &config.model {
            Some(model) => PathBuf::from(model),
            None => ModelStore::from_env().default_model_path(),
        };
        if !path.is_file() {
            return Err(ProviderError::config(
                "local",
                format!(
                    "model file {} not found; run `keel model fetch` for the default model, or set provider.model to a GGUF file",
                    path.display()
                ),
            ));
        }
        let threads = Threads::for_config(config.threads);
        let (jobs, queue) = std_mpsc::channel();
        let model_path = path.clone();
        let loaded = Arc::new(Loaded::default());
        let published = Arc::clone(&loaded);
        let waiting = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&waiting);
        let circuit = Arc::new(watch::Sender::new(CircuitState::Closed));
        let failing = Arc::clone(&circuit);
        std::thread::Builder::new()
            .name("keel-local-model".into())
            .spawn(move || {
                run(&model_path, threads, queue, &published, &counted, &failing);
            })
            .map_err(|err| {
                ProviderError::model(format!("cannot start the inference thread: {err}"))
            })?;
        Ok(Local {
            jobs,
            path,
            fim: config.fim,
            circuit,
            loaded,
            line_tokens: Arc::default(),
            waiting,
        })
    }

    fn submit(
        &self,
        prompt: Prompt,
        max_tokens: u32,
        temperature: f32,
        stop: Vec<String>,
        priority: Priority,
    ) -> TextStream {
        let (out, results) = mpsc::channel(CHANNEL_CHUNKS);
        let job = Job {
            prompt,
            max_tokens,
            temperature,
            stop,
            out,
            priority,
        };
        if priority == Priority::Asked {
            self.waiting.fetch_add(1, Ordering::AcqRel);
        }
        if let Err(std_mpsc::SendError(job)) = self.jobs.send(job) {
            let _ = job.out.try_send(Err(ProviderError::model(
                "the inference thread has stopped",
            )));
        }
        Box::pin(stream::unfold(results, |mut results| async move {
            let item = results.recv().await?;
            Some((item, results))
        }))
    }
}

impl Provider for Local {
    fn name(&self) -> &'static str {
        "local"
    }

    fn model_file(&self) -> Option<&Path> {
        Some(&self.path)
    }

    fn complete(&self, request: FimRequest) -> TextStream {
        let (text, special) = raw_prompt(self.fim, &request);
        let prompt = Prompt::Raw { text, special };
        let stop = fim::stops(self.fim, &request);
        self.submit(
            prompt,
            request.max_tokens,
            request.temperature,
            stop,
            Priority::Asked,
        )
    }

    fn chat(&self, request: ChatRequest) -> TextStream {
        let (max_tokens, temperature) = (request.max_tokens, request.temperature);
        let priority = if request.background {
            Priority::Background
        } else {
            Priority::Asked
        };
        self.submit(
            Prompt::Chat(request),
            max_tokens,
            temperature,
            Vec::new(),
            priority,
        )
    }

    fn probe(&self) -> BoxFuture<'static, Result<String, ProviderError>> {
        let path = self.path.clone();
        Box::pin(async move { model_store::describe(&path).map_err(ProviderError::model) })
    }

    fn circuit(&self) -> watch::Receiver<CircuitState> {
        self.circuit.subscribe()
    }

    fn reuses_prompt_start(&self) -> bool {
        true
    }

    fn prefill(&self, request: FimRequest) {
        let (text, special) = raw_prompt(self.fim, &request);
        // Its stream is never read: the job ends when the prompt is decoded or a request
        // comes in.
        let (out, _) = mpsc::channel(1);
        let job = Job {
            prompt: Prompt::Raw { text, special },
            max_tokens: 0,
            temperature: 0.0,
            stop: Vec::new(),
            out,
            priority: Priority::Prefill,
        };
        let _ = self.jobs.send(job);
    }

    fn tokens(&self) -> Option<TokenCounter> {
        let (loaded, fim) = (Arc::clone(&self.loaded), self.fim);
        let lines = Arc::clone(&self.line_tokens);
        Some(TokenCounter::new(move |request| {
            let model = loaded.wait()?;
            let (text, special) = raw_prompt(fim, request);
            // As in `run`: an assertion in llama-cpp-2 leaves the estimate in force.
            std::panic::catch_unwind(AssertUnwindSafe(|| {
                lines.count(&model.vocab(), &text, special)
            }))
            .ok()
        }))
    }
}

/// The prompt `complete` sends, in the configured FIM template, and whether its template
/// tokens are to become the model's special tokens (never for the user's own code alone).
fn raw_prompt(fim: Option<FimTemplate>, request: &FimRequest) -> (String, bool) {
    match fim {
        Some(template) if template != FimTemplate::None => (template.prompt(request), true),
        _ => (FimTemplate::None.prompt(request), false),
    }
}

/// A prompt's tokens as the model reads them: with its begin-of-text token.
fn tokenize(vocab: &LlamaVocab, text: &str, special: bool) -> Vec<LlamaToken> {
    vocab.tokenize(text.as_bytes(), true, special)
}

/// The inference thread: loads the model, then serves jobs until the provider is dropped.
fn run(
    path: &Path,
    threads: Threads,
    queue: std_mpsc::Receiver<Job>,
    published: &Loaded,
    waiting: &AtomicUsize,
    circuit: &watch::Sender<CircuitState>,
) {
    // A panic while loading must still end the wait of whoever counts tokens.
    let loaded = std::panic::catch_unwind(|| load(path))
        .unwrap_or_else(|_| Err(ProviderError::model("llama.cpp failed to load the model")));
    if let Err(err) = &loaded {
        circuit.send_replace(CircuitState::Open {
            reason: err.message.clone(),
        });
    }
    published.set(
        loaded
            .as_ref()
            .map(|(_, model)| Arc::clone(model))
            .map_err(Clone::clone),
    );
    let mut cache = None;
    for job in queue {
        if job.priority == Priority::Asked {
            waiting.fetch_sub(1, Ordering::AcqRel);
        }
        if job.stopped(waiting) {
            if let Err(err) = job.gave_way() {
                let _ = job.out.blocking_send(Err(err));
            }
            continue;
        }
        let result = match &loaded {
            Ok((backend, model)) => {
                // llama-cpp-2 asserts in places; a failed assertion fails this request,
                // not the editor's session.
                std::panic::catch_unwind(AssertUnwindSafe(|| {
                    generate(backend, model, threads, &mut cache, &job, waiting)
                }))
                .unwrap_or_else(|_| Err(ProviderError::model("llama.cpp failed on this request")))
            }
            Err(err) => Err(err.clone()),
        };
        if let Err(err) = result {
            // What the context holds is unknown after a failure: start the next one afresh.
            cache = None;
            let _ = job.out.blocking_send(Err(err));
        }
    }
}

fn load(path: &Path) -> Result<(&'static LlamaBackend, Arc<LlamaModel>), ProviderError> {
    let backend = backend()?;
    model_store::describe(path).map_err(ProviderError::model)?;
    let fast = requantize::fast_prompt_copy(backend, path, &ModelStore::from_env().derived_dir());
    let model = LlamaModel::load_from_file(backend, &fast, &LlamaModelParams::default())
        .map_err(|err| ProviderError::model(format!("cannot load {}: {err}", path.display())))?;
    Ok((backend, Arc::new(model)))
}

/// A llama.cpp context kept across requests, and the tokens its KV cache holds: a request
/// whose prompt starts the same way (the usual case while the user types) decodes only
/// what is new.
struct Cache<'m> {
    context: LlamaContext<'m>,
    tokens: Vec<LlamaToken>,
}

fn generate<'m>(
    backend: &LlamaBackend,
    model: &'m LlamaModel,
    threads: Threads,
    cache: &mut Option<Cache<'m>>,
    job: &Job,
    waiting: &AtomicUsize,
) -> Result<(), ProviderError> {
    let failed =
        |what: &str, err: &dyn std::fmt::Display| ProviderError::model(format!("{what}: {err}"));
    let (text, special) = match &job.prompt {
        Prompt::Raw { text, special } => (text.clone(), *special),
        Prompt::Chat(chat) => (chat_prompt(model, chat)?, true),
    };
    let vocab = model.vocab();
    let mut tokens = tokenize(&vocab, &text, special);
    let window = CONTEXT_TOKENS.min(model.n_ctx_train().max(64) as usize);
    let max_tokens = (job.max_tokens as usize).clamp(1, window / 2);
    // Over-long prompts keep their end: the text nearest the cursor matters most.
    let room = window - max_tokens;
    if tokens.len() > room {
        tokens.drain(..tokens.len() - room);
    }
    if tokens.is_empty() {
        tokens.push(vocab.bos());
    }
    let cache = match cache {
        Some(cache) => cache,
        None => {
            let params = LlamaContextParams::default()
                .with_n_ctx(NonZeroU32::new(window as u32))
                .with_n_batch(PREFILL_CHUNK as u32)
                .with_n_ubatch(PREFILL_CHUNK as u32)
                .with_n_threads(threads.generate as i32)
                .with_n_threads_batch(threads.prefill as i32);
            let context = model
                .new_context(backend, params)
                .map_err(|err| failed("cannot create a llama.cpp context", &err))?;
            cache.insert(Cache {
                context,
                tokens: Vec::new(),
            })
        }
    };
    // The last prompt token is always decoded again: its logits pick the first new token.
    let reused = cache
        .tokens
        .iter()
        .zip(&tokens)
        .take_while(|(cached, new)| cached == new)
        .count()
        .min(tokens.len() - 1);
    let kept = cache
        .context
        .clear_kv_cache_seq(Some(0), Some(reused as u32), None)
        .unwrap_or(false);
    let reused = if kept {
        reused
    } else {
        cache.context.clear_kv_cache();
        0
    };
    cache.tokens.truncate(reused);
    let mut timing = Timing {
        speculative: job.priority == Priority::Prefill,
        prompt: tokens.len(),
        reused,
        started: Instant::now(),
        prefilled: None,
        generated: 0,
    };
    let mut batch = LlamaBatch::new(PREFILL_CHUNK, 1);
    let last = tokens.len() - 1;
    // Work nobody waits for reads in smaller steps, so that a request arriving meanwhile
    // waits at most one of them (about 0.25 s on two cores).
    let chunk_size = if job.priority == Priority::Asked {
        PREFILL_CHUNK
    } else {
        SPECULATIVE_CHUNK
    };
    for chunk in tokens[reused..].chunks(chunk_size) {
        if job.stopped(waiting) {
            return job.stop(&timing, "stopped while reading the prompt");
        }
        batch.clear();
        let start = cache.tokens.len();
        for (offset, token) in chunk.iter().enumerate() {
            let position = start + offset;
            batch
                .add(*token, position as i32, &[0], position == last)
                .map_err(|err| failed("cannot batch the prompt", &err))?;
        }
        cache
            .context
            .decode(&mut batch)
            .map_err(|err| failed("cannot read the prompt", &err))?;
        cache.tokens.extend_from_slice(chunk);
    }
    let mut sampler = if job.temperature <= 0.0 {
        LlamaSampler::greedy()
    } else {
        LlamaSampler::chain_simple([
            LlamaSampler::temp(job.temperature),
            LlamaSampler::dist(fastrand::u32(..)),
        ])
    };
    timing.prefilled = Some(Instant::now());
    if job.priority == Priority::Prefill {
        timing.log("prefilled");
        return Ok(());
    }
    let mut utf8 = Utf8Stream::default();
    let mut stops = StopScanner::new(&job.stop);
    for _ in 0..max_tokens {
        if job.stopped(waiting) {
            let why = if job.out.is_closed() {
                "stopped by the reader"
            } else {
                "gave way to a request"
            };
            return job.stop(&timing, why);
        }
        let token = sampler.sample(&cache.context, batch.n_tokens() - 1);
        if vocab.is_eog(token) {
            break;
        }
        let piece = utf8.push(&vocab.token_to_piece(token, false, None));
        let (ready, stopped) = stops.push(&piece);
        timing.generated += 1;
        if !ready.is_empty() && job.out.blocking_send(Ok(ready)).is_err() {
            timing.log("stopped by the reader");
            return Ok(());
        }
        if stopped {
            timing.log("stop sequence");
            return Ok(());
        }
        batch.clear();
        batch
            .add(token, cache.tokens.len() as i32, &[0], true)
            .map_err(|err| failed("cannot batch a token", &err))?;
        cache
            .context
            .decode(&mut batch)
            .map_err(|err| failed("cannot generate", &err))?;
        cache.tokens.push(token);
    }
    timing.log("end of text");
    let (rest, _) = stops.push(&utf8.finish());
    let rest = rest + &stops.finish();
    if !rest.is_empty() {
        let _ = job.out.blocking_send(Ok(rest));
    }
    Ok(())
}

/// Where one request's time went, for the debug log (and `scripts/bench-embedded`, which
/// reads it): prompt tokens, those the KV cache already held, prefill and generation time.
struct Timing {
    /// A prefill nobody waits for yet (`Priority::Prefill`).
    speculative: bool,
    prompt: usize,
    reused: usize,
    started: Instant,
    prefilled: Option<Instant>,
    generated: usize,
}

impl Timing {
    fn log(&self, ended: &str) {
        let ms = |from: Instant, to: Instant| to.duration_since(from).as_secs_f64() * 1000.0;
        let now = Instant::now();
        let prefill = ms(self.started, self.prefilled.unwrap_or(now));
        let generate = self.prefilled.map_or(0.0, |prefilled| ms(prefilled, now));
        let what = if self.speculative {
            "local prefill"
        } else {
            "local request"
        };
        tracing::debug!(
            "{what}: prompt={} reused={} prefill_ms={prefill:.1} generate_ms={generate:.1} generated={} ({ended})",
            self.prompt,
            self.reused,
            self.generated,
        );
    }
}

/// The chat in the model's own template, or a plain transcript for models without one.
fn chat_prompt(model: &LlamaModel, chat: &ChatRequest) -> Result<String, ProviderError> {
    let mut system = chat.system.clone();
    if chat.json {
        if !system.is_empty() {
            system.push_str("\n\n");
        }
        system.push_str(JSON_ONLY);
    }
    let mut turns = Vec::new();
    if !system.is_empty() {
        turns.push(("system", system));
    }
    for message in &chat.messages {
        turns.push((message.role.as_str(), message.content.clone()));
    }
    let Ok(template) = model.chat_template(None) else {
        let mut text: String = turns
            .iter()
            .map(|(role, content)| format!("{role}: {content}\n"))
            .collect();
        text.push_str("assistant:");
        return Ok(text);
    };
    let messages = turns
        .into_iter()
        .map(|(role, content)| LlamaChatMessage::new(role.to_string(), content))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|err| ProviderError::model(format!("cannot pass the chat to llama.cpp: {err}")))?;
    model
        .apply_chat_template(&template, &messages, true)
        .map_err(|err| {
            ProviderError::model(format!("cannot apply the model's chat template: {err}"))
        })
}

/// Token pieces are bytes and may split a character: whole characters go out, the rest
/// waits for the next piece.
#[derive(Default)]
struct Utf8Stream {
    pending: Vec<u8>,
}

impl Utf8Stream {
    fn push(&mut self, bytes: &[u8]) -> String {
        self.pending.extend_from_slice(bytes);
        let ready = match std::str::from_utf8(&self.pending) {
            Ok(_) => self.pending.len(),
            // An incomplete character at the end: keep it for the next piece.
            Err(err) if err.error_len().is_none() => err.valid_up_to(),
            Err(_) => self.pending.len(),
        };
        let text = String::from_utf8_lossy(&self.pending[..ready]).into_owned();
        self.pending.drain(..ready);
        text
    }

    fn finish(&mut self) -> String {
        let text = String::from_utf8_lossy(&self.pending).into_owned();
        self.pending.clear();
        text
    }
}

/// Cuts generated text at the first stop sequence. Text that could be the start of one is
/// held back until it is known not to be, so no part of a stop sequence is ever shown.
struct StopScanner {
    stops: Vec<String>,
    held: String,
}

impl StopScanner {
    fn new(stops: &[String]) -> Self {
        StopScanner {
            stops: stops
                .iter()
                .filter(|stop| !stop.is_empty())
                .cloned()
                .collect(),
            held: String::new(),
        }
    }

    /// The text that is safe to show, and whether a stop sequence was reached.
    fn push(&mut self, text: &str) -> (String, bool) {
        self.held.push_str(text);
        if let Some(at) = self
            .stops
            .iter()
            .filter_map(|stop| self.held.find(stop.as_str()))
            .min()
        {
            let ready = self.held[..at].to_string();
            self.held.clear();
            return (ready, true);
        }
        let keep = self
            .stops
            .iter()
            .map(|stop| partial_overlap(&self.held, stop))
            .max()
            .unwrap_or(0);
        let ready = self.held[..self.held.len() - keep].to_string();
        self.held.drain(..self.held.len() - keep);
        (ready, false)
    }

    fn finish(&mut self) -> String {
        std::mem::take(&mut self.held)
    }
}

/// The length of the longest end of `text` that is a proper start of `stop`.
fn partial_overlap(text: &str, stop: &str) -> usize {
    (1..stop.len())
        .rev()
        .find(|&length| stop.is_char_boundary(length) && text.ends_with(&stop[..length]))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_sequences_cut_the_text_and_are_never_shown_in_part() {
        let mut scanner = StopScanner::new(&["\n\n".to_string(), "END".to_string()]);
        assert_eq!(scanner.push("return a"), ("return a".to_string(), false));
        assert_eq!(scanner.push(" + b\n"), (" + b".to_string(), false));
        assert_eq!(scanner.push("x"), ("\nx".to_string(), false));
        assert_eq!(scanner.push(" E"), (" ".to_string(), false));
        assert_eq!(scanner.push("NDING"), (String::new(), true));
    }

    #[test]
    fn held_text_is_released_at_the_end() {
        let mut scanner = StopScanner::new(&["###".to_string()]);
        assert_eq!(scanner.push("a#"), ("a".to_string(), false));
        assert_eq!(scanner.finish(), "#");
    }

    #[test]
    fn split_characters_wait_for_their_remaining_bytes() {
        let mut stream = Utf8Stream::default();
        let bytes = "é!".as_bytes();
        assert_eq!(stream.push(&bytes[..1]), "");
        assert_eq!(stream.push(&bytes[1..]), "é!");
        assert_eq!(stream.push(&[0xE2, 0x82]), "");
        assert_eq!(stream.finish(), "\u{FFFD}");
    }
}
