//! One completion request from arrival to answer: typing-through, debounce, superseding,
//! the prompt cache, shared model calls, the item deadline, and the counters.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use ropey::Rope;
use tokio::sync::watch;
use tokio::task::AbortHandle;
use tracing::{debug, warn};

use super::cache::{self, Lru};
use super::site::{Site, typed_on_line};
use super::stats::{Stats, Status, bump};
use super::{Shape, Suggestion, Workspace};
use crate::config::{Config, ProviderConfig};
use crate::context::Region;
use crate::llm::{CircuitState, FimRequest, Provider, TextStream};
use crate::workspace::{Debounce, Documents, Snapshot};

/// Model answers kept, keyed by prompt.
const CACHE_ENTRIES: usize = 256;
/// Quiet time after an edit before the embedded model reads ahead: typing goes on
/// (each keystroke asks for a completion anyway) until the user pauses.
const PREFILL_QUIET: Duration = Duration::from_millis(250);
/// Documents up to this size reparse in place (under a millisecond after a keystroke, a few
/// at worst); larger ones on the blocking pool.
const SHORT_PARSE_BYTES: usize = 64 * 1024;

/// Which LSP method asked: item completions must answer by `completion.item_deadline_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Inline,
    Item,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Ready(Suggestion),
    /// No suggestion here: no provider, an empty or unusable answer, or a failed call.
    Nothing,
    /// A newer request for the same document took over (or the document was closed).
    Superseded,
    /// The item deadline passed first; the model call goes on and fills the cache.
    Pending,
}

/// One completion to make: where, on what, and with which settings.
pub struct Request {
    pub documents: Arc<Documents>,
    pub snapshot: Snapshot,
    /// Byte offset in `snapshot`, on a character boundary.
    pub cursor: usize,
    pub config: Config,
    pub mode: Mode,
    pub workspace: Workspace,
}

/// What `Engine::health` reports: the provider's name, its model (the configured one, or the
/// file the embedded model runs) and `ok` / `failing: <why>` / `unavailable: <why>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Health {
    pub provider: Option<String>,
    pub model: Option<String>,
    pub health: String,
}

/// The completion engine of one server. Cheap to share: clones see the same state.
#[derive(Clone, Default)]
pub struct Engine {
    shared: Arc<Shared>,
}

struct Shared {
    provider: Mutex<Option<Built>>,
    cache: Mutex<Lru>,
    /// Model calls in flight, by prompt: a second request for the same prompt joins.
    generations: Mutex<HashMap<u64, Arc<Generation>>>,
    documents: Mutex<HashMap<String, DocumentState>>,
    /// The last provider error logged, so an outage is logged once, not per keystroke.
    last_error: Mutex<Option<String>>,
    stats: Stats,
    /// Prefills waiting for a quiet moment; a request or a later edit supersedes them.
    prefills: Debounce,
}

impl Default for Shared {
    fn default() -> Self {
        Shared {
            provider: Mutex::new(None),
            cache: Mutex::new(Lru::new(CACHE_ENTRIES)),
            generations: Mutex::new(HashMap::new()),
            documents: Mutex::new(HashMap::new()),
            last_error: Mutex::new(None),
            stats: Stats::default(),
            prefills: Debounce::default(),
        }
    }
}

struct Built {
    /// The provider settings it was built from, and `privacy.allow_remote`.
    config: (ProviderConfig, bool),
    provider: Result<Arc<dyn Provider>, String>,
}

struct DocumentState {
    /// The number of the newest request for the document; older ones give way to it.
    newest: watch::Sender<u64>,
    /// The last suggestion answered, for typing-through.
    shown: Option<Suggestion>,
    /// Where the document's prompts begin, for a provider that reuses its last prompt's
    /// start (see `context::build_in_region`).
    region: Option<Region>,
}

impl Engine {
    /// Completes at byte `cursor` of `snapshot`. Dropping the future (a `$/cancelRequest`)
    /// drops the model call with it, unless an item request already handed that call on
    /// to fill the cache.
    ///
    /// The request runs on a task of its own, so its CPU work never stalls the LSP task
    /// (which drives every handler); short work runs in place on it (see `cpu`).
    pub async fn complete(&self, request: Request) -> Answer {
        let engine = self.clone();
        let task = AbortOnDrop(tokio::spawn(async move { engine.run(request).await }));
        task.join().await
    }

    async fn run(&self, asked: Request) -> Answer {
        let Request {
            documents,
            snapshot,
            cursor,
            config,
            mode,
            workspace,
        } = asked;
        let started = Instant::now();
        let stats = &self.shared.stats;
        bump(&stats.requests);
        let mut guard = Unsettled {
            stats,
            settled: false,
        };
        let uri = snapshot.uri.clone();
        let (mine, newest) = self.register(&uri);
        // The model is wanted now: a prefill waiting for a quiet moment would only delay it.
        self.shared.prefills.ticket(&uri);
        if let Some(suggestion) = self.type_through(&uri, &snapshot.text, cursor) {
            bump(&stats.typing_through);
            guard.settled = true;
            stats.record(started.elapsed());
            return Answer::Ready(suggestion);
        }
        let deadline = (mode == Mode::Item)
            .then(|| started + Duration::from_millis(config.completion.item_deadline_ms));
        // Waiting on purpose (debounce) and on the model is not Keel's own latency.
        let mut excluded = Duration::ZERO;
        let mut pause = Duration::from_millis(config.completion.debounce_ms);
        if let Some(deadline) = deadline {
            pause = pause.min(deadline.saturating_duration_since(Instant::now()));
        }
        if !pause.is_zero() {
            tokio::select! {
                () = tokio::time::sleep(pause) => excluded += pause,
                () = superseded(newest.clone(), mine) => return guard.superseded(),
            }
        }
        let provider = match self.provider(&config) {
            Ok(provider) => provider,
            Err(_) => {
                guard.settled = true;
                return Answer::Nothing;
            }
        };
        let text = snapshot.text.clone();
        let language = snapshot.language;
        // Reparsing a large file or scanning a whole file can take tens of milliseconds;
        // the rest of the prompt is bounded (the nodes around the cursor, lookups by name).
        let parse_is_short =
            !snapshot.needs_parse() || snapshot.text.len_bytes() <= SHORT_PARSE_BYTES;
        let short = parse_is_short && workspace.facts.has(&workspace.name);
        // Counting with the model's tokenizer takes milliseconds (and the first count waits
        // for the model to load): never in place on this task.
        let tokens = provider.tokens();
        let short = short && tokens.is_none();
        let mut region = provider.reuses_prompt_start().then(|| self.region(&uri));
        let planned = cpu(short, move || {
            let tree = documents.tree(&snapshot);
            let flat = documents.flat_text(&snapshot);
            let site = Site::new(text, tree, language, cursor).with_flat_text(flat);
            let shape = site.shape();
            let request =
                site.request(shape, &config, &workspace, tokens.as_ref(), region.as_mut());
            (site, shape, request, config, region)
        })
        .await;
        let Some((site, shape, request, config, region)) = planned else {
            bump(&stats.errors);
            guard.settled = true;
            return Answer::Nothing;
        };
        if let Some(region) = region {
            self.set_region(&uri, region);
        }
        // `privacy.exclude` covers the file: nothing of it goes to a model.
        let Some(request) = request else {
            guard.settled = true;
            return Answer::Nothing;
        };
        if *newest.borrow() != mine {
            return guard.superseded();
        }
        let key = cache::key(&request);
        let cached = lock(&self.shared.cache).get(key);
        let raw = match cached {
            Some(raw) => {
                bump(&stats.cache_hits);
                raw
            }
            None => {
                let lines = match shape {
                    Shape::Line => 1,
                    Shape::Block => config.completion.max_lines as usize,
                };
                let waiter = self.generate(key, provider, request, lines);
                let waiting = Instant::now();
                let timeout = async {
                    match deadline {
                        Some(deadline) => tokio::time::sleep_until(deadline.into()).await,
                        None => std::future::pending().await,
                    }
                };
                let result = tokio::select! {
                    result = waiter.wait() => result,
                    () = superseded(newest.clone(), mine) => return guard.superseded(),
                    () = timeout => {
                        waiter.detach();
                        guard.settled = true;
                        let own = started.elapsed().saturating_sub(excluded + waiting.elapsed());
                        stats.record(own);
                        return Answer::Pending;
                    }
                };
                excluded += waiting.elapsed();
                match result {
                    Ok(raw) => raw,
                    Err(()) => {
                        guard.settled = true;
                        return Answer::Nothing;
                    }
                }
            }
        };
        // Bounded: at most two parses of about 2 KB.
        let finished = cpu(true, move || site.finish(shape, &raw, &config))
            .await
            .flatten();
        guard.settled = true;
        stats.record(started.elapsed().saturating_sub(excluded));
        match finished {
            Some(suggestion) => {
                self.remember(&uri, mine, &suggestion);
                Answer::Ready(suggestion)
            }
            None => Answer::Nothing,
        }
    }

    /// Forgets a closed document; its pending requests answer at once.
    pub fn forget(&self, uri: &str) {
        lock(&self.shared.documents).remove(uri);
        self.shared.prefills.forget(uri);
    }

    /// After an edit at byte `from`, with `ahead.cursor` where the user may ask next: once
    /// the document has been quiet for `PREFILL_QUIET` and no completion was asked
    /// meanwhile, a provider that reuses its last prompt's start (the embedded model) reads
    /// the prompt a completion there would send, so that a request anywhere between the
    /// edit and that cursor finds most of its prompt decoded. The prompt is built exactly as
    /// a completion's (privacy, redaction, budget), in the document's region; when that
    /// region cannot reach so far, in a new one that starts above `from` (see
    /// `read_ahead_request`).
    ///
    /// Only in documents where completions were asked for: a user who only reads
    /// diagnostics never pays for a model.
    pub fn prefill(&self, ahead: Request, from: usize) {
        let uri = ahead.snapshot.uri.clone();
        if !lock(&self.shared.documents).contains_key(&uri) {
            return;
        }
        let ticket = self.shared.prefills.ticket(&uri);
        let engine = self.clone();
        tokio::spawn(async move {
            if !engine.shared.prefills.settled(&ticket, PREFILL_QUIET).await {
                return;
            }
            let Ok(provider) = engine.provider(&ahead.config) else {
                return;
            };
            if !provider.reuses_prompt_start() {
                return;
            }
            let tokens = provider.tokens();
            let current = engine.region(&uri);
            let built = cpu(false, move || {
                let tree = ahead.documents.tree(&ahead.snapshot);
                let build = |cursor: usize, region: &mut Option<Region>| {
                    let site = Site::new(
                        ahead.snapshot.text.clone(),
                        tree.clone(),
                        ahead.snapshot.language,
                        cursor,
                    );
                    site.request(
                        site.shape(),
                        &ahead.config,
                        &ahead.workspace,
                        tokens.as_ref(),
                        Some(region),
                    )
                };
                read_ahead_request(current, from, ahead.cursor, build)
            })
            .await;
            let Some(Some((request, region))) = built else {
                return;
            };
            if engine.shared.prefills.is_current(&ticket) {
                engine.set_region(&uri, Some(region));
                provider.prefill(request);
            }
        });
    }

    /// The document's current region of prompts (see `context::build_in_region`).
    pub fn region(&self, uri: &str) -> Option<Region> {
        lock(&self.shared.documents)
            .get(uri)
            .and_then(|state| state.region.clone())
    }

    fn set_region(&self, uri: &str, region: Option<Region>) {
        if let Some(state) = lock(&self.shared.documents).get_mut(uri) {
            state.region = region;
        }
    }

    /// The provider for `config`, built on first use and rebuilt when the configuration
    /// changes. A failure is logged once per configuration.
    pub fn provider(&self, config: &Config) -> Result<Arc<dyn Provider>, String> {
        let key = (config.provider.clone(), config.privacy.allow_remote);
        let mut built = lock(&self.shared.provider);
        if let Some(built) = built.as_ref()
            && built.config == key
        {
            return built.provider.clone();
        }
        let provider = crate::llm::from_settings(config).map_err(|err| err.to_string());
        if let Err(message) = &provider {
            warn!("completions are off: {message}");
        }
        lock(&self.shared.cache).clear();
        *built = Some(Built {
            config: key,
            provider: provider.clone(),
        });
        provider
    }

    pub fn status(&self, config: &Config) -> Status {
        let Health {
            provider,
            model,
            health,
        } = self.health(config);
        self.shared.stats.status(provider, model, health)
    }

    /// The provider in use, its model and whether it answers, without the counters.
    pub fn health(&self, config: &Config) -> Health {
        let built = self.provider(config);
        let config = &config.provider;
        let health = match &built {
            Ok(provider) => match &*provider.circuit().borrow() {
                CircuitState::Closed => "ok".to_string(),
                CircuitState::Open { reason } => format!("failing: {reason}"),
            },
            Err(message) => format!("unavailable: {message}"),
        };
        let (provider, model) = match &built {
            Ok(provider) => (
                Some(provider.name().to_string()),
                provider
                    .model_file()
                    .map(|path| path.display().to_string())
                    .or_else(|| config.model.clone()),
            ),
            Err(_) => (
                config.kind.map(|kind| kind.name().to_string()),
                config.model.clone(),
            ),
        };
        Health {
            provider,
            model,
            health,
        }
    }

    fn register(&self, uri: &str) -> (u64, watch::Receiver<u64>) {
        let mut documents = lock(&self.shared.documents);
        let state = documents
            .entry(uri.to_string())
            .or_insert_with(|| DocumentState {
                newest: watch::Sender::new(0),
                shown: None,
                region: None,
            });
        state.newest.send_modify(|newest| *newest += 1);
        let mine = *state.newest.borrow();
        (mine, state.newest.subscribe())
    }

    fn remember(&self, uri: &str, mine: u64, suggestion: &Suggestion) {
        if let Some(state) = lock(&self.shared.documents).get_mut(uri)
            && *state.newest.borrow() == mine
        {
            state.shown = Some(suggestion.clone());
        }
    }

    /// The rest of the last suggestion, when the user has typed its beginning since.
    fn type_through(&self, uri: &str, text: &Rope, cursor: usize) -> Option<Suggestion> {
        let documents = lock(&self.shared.documents);
        let shown = documents.get(uri)?.shown.as_ref()?;
        let typed = cursor.checked_sub(shown.cursor).filter(|n| *n > 0)?;
        let accepted = shown.text.get(..typed)?;
        let rest = shown.text.get(typed..)?;
        if rest.trim().is_empty()
            || text.get_byte_slice(shown.cursor..cursor)? != accepted
            || text.get_byte_slice(shown.start..shown.cursor)? != shown.typed.as_str()
        {
            return None;
        }
        let (start, on_line) = typed_on_line(text, cursor);
        Some(Suggestion {
            start,
            cursor,
            typed: on_line,
            text: rest.to_string(),
        })
    }

    /// Joins the model call for `key`, or starts one.
    fn generate(
        &self,
        key: u64,
        provider: Arc<dyn Provider>,
        request: FimRequest,
        lines: usize,
    ) -> Waiter {
        let shared = Arc::clone(&self.shared);
        let mut generations = lock(&self.shared.generations);
        if let Some(generation) = generations.get(&key) {
            generation.waiters.fetch_add(1, Ordering::Relaxed);
            return Waiter {
                shared,
                key,
                generation: Arc::clone(generation),
            };
        }
        bump(&self.shared.stats.provider_calls);
        let (sender, result) = watch::channel(None);
        let task_shared = Arc::clone(&shared);
        let id = Arc::new(());
        let task_id = Arc::clone(&id);
        let task = tokio::spawn(async move {
            let outcome = collect(provider.complete(request), lines).await;
            match &outcome {
                Ok(text) => {
                    lock(&task_shared.cache).insert(key, text.clone());
                }
                Err(message) => {
                    bump(&task_shared.stats.errors);
                    task_shared.log_error(message);
                }
            }
            let mut generations = lock(&task_shared.generations);
            if generations
                .get(&key)
                .is_some_and(|generation| Arc::ptr_eq(&generation.id, &task_id))
            {
                generations.remove(&key);
            }
            let _ = sender.send(Some(outcome.map_err(|_| ())));
        });
        let generation = Arc::new(Generation {
            id,
            result,
            task: task.abort_handle(),
            waiters: AtomicUsize::new(1),
            detached: AtomicBool::new(false),
        });
        generations.insert(key, Arc::clone(&generation));
        Waiter {
            shared,
            key,
            generation,
        }
    }
}

impl Shared {
    fn log_error(&self, message: &str) {
        // The same failure with other numbers ("not called for another 3 s") is the same
        // failure: a countdown must not become a warning a second.
        let shape =
            |message: &str| -> String { message.chars().filter(|c| !c.is_ascii_digit()).collect() };
        let mut last = lock(&self.last_error);
        if last.as_deref().map(shape) == Some(shape(message)) {
            debug!("completion failed again: {message}");
        } else {
            warn!("completion failed: {message}");
            *last = Some(message.to_string());
        }
    }
}

/// One model call, shared by every request with the same prompt.
struct Generation {
    /// Identity, so a finished call removes its own entry and not a newer one.
    id: Arc<()>,
    result: watch::Receiver<Option<Result<String, ()>>>,
    task: AbortHandle,
    waiters: AtomicUsize,
    /// Handed on to fill the cache: it runs to the end whoever waits.
    detached: AtomicBool,
}

/// A request's hold on a model call. The last holder to leave stops the call, unless it
/// was detached.
struct Waiter {
    shared: Arc<Shared>,
    key: u64,
    generation: Arc<Generation>,
}

impl Waiter {
    async fn wait(&self) -> Result<String, ()> {
        let mut result = self.generation.result.clone();
        match result.wait_for(Option::is_some).await {
            Ok(done) => done.clone().unwrap_or(Err(())),
            Err(_) => Err(()),
        }
    }

    fn detach(&self) {
        self.generation.detached.store(true, Ordering::Relaxed);
    }
}

impl Drop for Waiter {
    fn drop(&mut self) {
        let mut generations = lock(&self.shared.generations);
        let left = self.generation.waiters.fetch_sub(1, Ordering::Relaxed) - 1;
        if left > 0 || self.generation.detached.load(Ordering::Relaxed) {
            return;
        }
        self.generation.task.abort();
        if generations
            .get(&self.key)
            .is_some_and(|generation| Arc::ptr_eq(generation, &self.generation))
        {
            generations.remove(&self.key);
        }
    }
}

/// Counts a request that ends without an answer of its own: superseded, or dropped on
/// `$/cancelRequest`.
struct Unsettled<'a> {
    stats: &'a Stats,
    settled: bool,
}

impl Unsettled<'_> {
    fn superseded(mut self) -> Answer {
        self.settled = true;
        bump(&self.stats.cancellations);
        Answer::Superseded
    }
}

impl Drop for Unsettled<'_> {
    fn drop(&mut self) {
        if !self.settled {
            bump(&self.stats.cancellations);
        }
    }
}

/// The state behind a mutex, even if a thread panicked while holding it: each value here
/// stays valid after any single update.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Resolves once a newer request for the document arrives, or the document closes.
async fn superseded(mut newest: watch::Receiver<u64>, mine: u64) {
    let _ = newest.wait_for(|newest| *newest != mine).await;
}

/// The model's text, read until the stream ends or `lines` full lines have come (more
/// would be cut by post-processing anyway; dropping the stream stops the call).
async fn collect(mut stream: TextStream, lines: usize) -> Result<String, String> {
    let mut text = String::new();
    while let Some(chunk) = stream.next().await {
        text.push_str(&chunk.map_err(|err| err.to_string())?);
        if text.matches('\n').count() >= lines.max(1) && !text.trim().is_empty() {
            break;
        }
    }
    Ok(text)
}

/// Runs a request's CPU work. Work known to be short (under a millisecond) runs right here
/// on the request's own task: handing it to the blocking pool and back cost as much as the
/// work itself on a busy 2-core machine. Longer work (a reparse, a first whole-file scan)
/// goes to the blocking pool, so no worker thread stalls on it. A panic gives `None`, as
/// with `spawn_blocking`.
async fn cpu<R: Send + 'static>(
    short: bool,
    work: impl FnOnce() -> R + Send + 'static,
) -> Option<R> {
    if short {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).ok()
    } else {
        tokio::task::spawn_blocking(work).await.ok()
    }
}

/// A request's task, stopped when the request is dropped (`$/cancelRequest`).
struct AbortOnDrop(tokio::task::JoinHandle<Answer>);

impl AbortOnDrop {
    async fn join(mut self) -> Answer {
        match (&mut self.0).await {
            Ok(answer) => answer,
            // A bug in the engine: carried on to the request's handler, whose panic becomes
            // the client's error answer (`lsp::panics`); the hook logged it where it began.
            Err(err) if err.is_panic() => std::panic::resume_unwind(err.into_panic()),
            Err(_) => Answer::Nothing,
        }
    }
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The prompt to read ahead and the region it belongs to. `build(cursor, region)` builds a
/// completion's request at `cursor` in `region` (continuing it, or starting a new one in
/// its place). The request at `ahead` in the `current` region when it still fits; else a
/// new region started at `from`, where the user is (so that the spots between there and
/// `ahead` continue it rather than each starting another), read as far towards `ahead` as
/// it reaches.
fn read_ahead_request(
    current: Option<Region>,
    from: usize,
    ahead: usize,
    build: impl Fn(usize, &mut Option<Region>) -> Option<FimRequest>,
) -> Option<(FimRequest, Region)> {
    if current.is_some() {
        let mut region = current.clone();
        let request = build(ahead, &mut region);
        if region == current {
            return request.zip(region);
        }
    }
    let mut fresh = None;
    let here = build(from, &mut fresh);
    for cursor in [ahead, from + (ahead.saturating_sub(from)) / 2] {
        let mut region = fresh.clone();
        let request = build(cursor, &mut region);
        if region == fresh {
            return request.zip(region);
        }
    }
    here.zip(fresh)
}
