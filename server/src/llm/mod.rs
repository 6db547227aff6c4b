//! Model providers: the `Provider` trait, its HTTP backends (openai, openai-completions,
//! anthropic, ollama, llamacpp), the embedded `local` backend, and the store of model files.
//! Takes plain requests (`FimRequest`, `ChatRequest`) and returns text streams; each wire
//! format is written once and shared by the backends that speak it. May call the network
//! through the one shared HTTP client and read or write model files. Knows nothing of LSP,
//! documents or how a prompt's context is chosen; must never log prompt text or API keys
//! above debug level, nor run inference on the caller's task.

mod anthropic;
mod breaker;
mod error;
mod fim;
mod http;
mod llamacpp;
#[cfg(feature = "local-llm")]
mod local;
pub mod model_store;
mod ollama;
mod openai;
#[cfg(feature = "local-llm")]
mod requantize;
mod wire;

use std::pin::Pin;
use std::sync::Arc;

use futures_util::Stream;
use futures_util::future::BoxFuture;

use crate::config::{ProviderConfig, ProviderKind};

// The requests providers take are plain values shared with the context engine, which
// builds them; re-exported here as the types of `Provider`'s signature.
pub use crate::prompt::{ChatRequest, FimRequest, Message, Role, Snippet, TokenCounter};
pub use breaker::CircuitState;
pub use error::{ErrorKind, ProviderError};
pub use fim::rendered_prompt;

/// For backends with no JSON mode: the instruction that stands in for one.
const JSON_ONLY: &str = "Reply with a single JSON document and nothing else.";

/// Text chunks as the model produces them. Dropping the stream cancels the request: the
/// HTTP connection is closed, or local generation stops at the next token.
pub type TextStream = Pin<Box<dyn Stream<Item = Result<String, ProviderError>> + Send>>;

/// The whole of a model's answer, for callers that need all of it before they can use any
/// (an action's edit, a review's JSON).
pub async fn read_all(mut stream: TextStream) -> Result<String, ProviderError> {
    use futures_util::StreamExt;
    let mut reply = String::new();
    while let Some(piece) = stream.next().await {
        reply.push_str(&piece?);
    }
    Ok(reply)
}

/// Whether the configured provider sends prompts off this machine: an HTTP provider whose
/// endpoint is not loopback. The embedded model never does.
pub fn is_remote(config: &ProviderConfig) -> bool {
    config
        .kind
        .filter(|kind| *kind != ProviderKind::Local)
        .and_then(|kind| http::endpoint(kind, config))
        .is_some_and(|endpoint| !http::is_loopback(&endpoint))
}

impl Role {
    /// The role's name in the chat APIs.
    fn as_str(self) -> &'static str {
        match self {
            Role::User => "user",
            Role::Assistant => "assistant",
        }
    }
}

/// A model backend. Both operations return at once; the work happens as the stream is
/// polled, so a caller that stops polling (or drops the stream) costs nothing more.
pub trait Provider: Send + Sync {
    /// The `provider.kind` this backend implements, for messages.
    fn name(&self) -> &'static str;
    fn complete(&self, request: FimRequest) -> TextStream;
    fn chat(&self, request: ChatRequest) -> TextStream;
    /// A cheap check that the backend can answer: a small GET for HTTP backends, the
    /// model file's header for `local`. Returns a one-line description of what was found.
    fn probe(&self) -> BoxFuture<'static, Result<String, ProviderError>>;
    /// The circuit breaker's state; it changes once when an outage starts and once when
    /// it ends, so a watcher can tell the user once per outage.
    fn circuit(&self) -> tokio::sync::watch::Receiver<CircuitState>;
    /// The model's own token count, when Keel can run its tokenizer; HTTP backends'
    /// tokenizers are behind the network, too slow to ask on every keystroke.
    fn tokens(&self) -> Option<TokenCounter> {
        None
    }
    /// Whether the backend keeps its last prompt's KV cache, so that a prompt beginning as
    /// the last one did costs only its new tokens: completion prompts are then laid out in
    /// regions that keep their beginning (see `context::build_in_region`).
    fn reuses_prompt_start(&self) -> bool {
        false
    }
    /// Reads `request`'s prompt into that cache before anyone asks for it. Any request
    /// that arrives meanwhile goes first, and the prefill stops.
    fn prefill(&self, _request: FimRequest) {}
    /// The model file this backend runs, when it runs one itself (the configured model
    /// names the others).
    fn model_file(&self) -> Option<&std::path::Path> {
        None
    }
}

impl ProviderKind {
    pub fn name(self) -> &'static str {
        match self {
            ProviderKind::Local => "local",
            ProviderKind::Openai => "openai",
            ProviderKind::OpenaiCompletions => "openai-completions",
            ProviderKind::Anthropic => "anthropic",
            ProviderKind::Ollama => "ollama",
            ProviderKind::Llamacpp => "llamacpp",
        }
    }
}

/// The provider the configuration asks for. With no `provider.kind`, the embedded model
/// if it has been downloaded; otherwise an error telling the user how to get one.
pub fn from_config(config: &ProviderConfig) -> Result<Arc<dyn Provider>, ProviderError> {
    let kind = match config.kind {
        Some(kind) => kind,
        None => default_kind()?,
    };
    let provider: Arc<dyn Provider> = match kind {
        ProviderKind::Openai => {
            Arc::new(openai::OpenAi::chat(http::Api::new(kind, config)?, config)?)
        }
        ProviderKind::OpenaiCompletions => Arc::new(openai::OpenAi::completions(
            http::Api::new(kind, config)?,
            config,
        )?),
        ProviderKind::Anthropic => Arc::new(anthropic::Anthropic::new(
            http::Api::new(kind, config)?,
            config,
        )?),
        ProviderKind::Ollama => {
            Arc::new(ollama::Ollama::new(http::Api::new(kind, config)?, config)?)
        }
        ProviderKind::Llamacpp => Arc::new(llamacpp::LlamaServer::new(
            http::Api::new(kind, config)?,
            config,
        )),
        ProviderKind::Local => local_provider(config)?,
    };
    Ok(provider)
}

/// The provider for the whole configuration: `from_config`, after checking
/// `privacy.allow_remote` (when false, only endpoints on this machine are accepted).
pub fn from_settings(config: &crate::config::Config) -> Result<Arc<dyn Provider>, ProviderError> {
    if !config.privacy.allow_remote
        && let Some(kind) = config.provider.kind
        && let Some(endpoint) = http::endpoint(kind, &config.provider)
        && !http::is_loopback(&endpoint)
    {
        return Err(ProviderError::config(
            kind.name(),
            format!(
                "endpoint {endpoint} is not on this machine and privacy.allow_remote is false; use a loopback endpoint (127.0.0.1, ::1, localhost) or set privacy.allow_remote = true"
            ),
        ));
    }
    from_config(&config.provider)
}

/// What `keel doctor` shows of the model side, as (label, state) lines: the default
/// model file, the provider in force, and whether its endpoint or model file answers.
pub async fn diagnose(settings: &crate::config::Config) -> Vec<(&'static str, String)> {
    let config = &settings.provider;
    let store = model_store::ModelStore::from_env();
    let default_model = match model_store::describe(&store.default_model_path()) {
        Ok(description) => description,
        Err(problem) => format!("{problem}; run `keel model fetch`"),
    };
    let mut lines = vec![("default model", default_model)];
    let kind = match config.kind.map_or_else(default_kind, Ok) {
        Ok(kind) => kind,
        Err(err) => {
            lines.push(("provider", format!("none: {}", err.message)));
            return lines;
        }
    };
    let how = if config.kind.is_some() {
        "configured"
    } else {
        "none configured; the default model is present"
    };
    lines.push(("provider", format!("{} ({how})", kind.name())));
    if kind == ProviderKind::Local {
        // Only the file: loading the model is what `keel complete` is for.
        let path = config
            .model
            .as_ref()
            .map_or_else(|| store.default_model_path(), std::path::PathBuf::from);
        let state = model_store::describe(&path).unwrap_or_else(|problem| problem);
        lines.push(("model file", state));
        return lines;
    }
    // Through `from_settings`: probing an endpoint is a call like any other, so
    // `privacy.allow_remote` holds here too.
    let state = match from_settings(settings) {
        Ok(provider) => match tokio::time::timeout(PROBE_TIMEOUT, provider.probe()).await {
            Ok(Ok(state)) => state,
            Ok(Err(err)) => format!("NOT reachable: {err}"),
            Err(_) => format!(
                "NOT reachable: no answer within {} s",
                PROBE_TIMEOUT.as_secs()
            ),
        },
        Err(err) => format!("not usable: {err}"),
    };
    lines.push(("endpoint", state));
    lines
}

/// `diagnose` for callers without a runtime (or inside one: it runs on its own thread).
pub fn diagnose_blocking(config: &crate::config::Config) -> Vec<(&'static str, String)> {
    let config = config.clone();
    std::thread::spawn(move || {
        match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(runtime) => runtime.block_on(diagnose(&config)),
            Err(err) => vec![("provider", format!("cannot check: {err}"))],
        }
    })
    .join()
    .unwrap_or_else(|_| vec![("provider", "the check failed".to_string())])
}

const PROBE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(6);

/// `provider.model`, for APIs that cannot guess it.
fn required_model(
    provider: &'static str,
    config: &ProviderConfig,
) -> Result<String, ProviderError> {
    match config.model.as_deref().map(str::trim) {
        Some(model) if !model.is_empty() => Ok(model.to_string()),
        _ => Err(ProviderError::config(
            provider,
            "`provider.model` is not set; name the model to use",
        )),
    }
}

fn default_kind() -> Result<ProviderKind, ProviderError> {
    let store = model_store::ModelStore::from_env();
    let path = store.default_model_path();
    if !cfg!(feature = "local-llm") {
        return Err(ProviderError::config(
            "local",
            "no provider is configured and this keel was built without the embedded model (cargo feature `local-llm`); set [provider] kind in keel.toml",
        ));
    }
    if path.is_file() {
        return Ok(ProviderKind::Local);
    }
    Err(ProviderError::config(
        "local",
        format!(
            "no provider is configured and the default model is not downloaded ({} is missing); run `keel model fetch`, or set [provider] kind in keel.toml",
            path.display()
        ),
    ))
}

#[cfg(feature = "local-llm")]
fn local_provider(config: &ProviderConfig) -> Result<Arc<dyn Provider>, ProviderError> {
    Ok(Arc::new(local::Local::new(config)?))
}

#[cfg(not(feature = "local-llm"))]
fn local_provider(_: &ProviderConfig) -> Result<Arc<dyn Provider>, ProviderError> {
    Err(ProviderError::config(
        "local",
        "this keel was built without the embedded model (cargo feature `local-llm`); rebuild with it, or choose another provider",
    ))
}
