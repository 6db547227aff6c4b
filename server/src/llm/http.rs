//! What every remote provider shares: the one HTTP client of the process, the endpoint
//! and its key, the overall timeout, retries with backoff, and the circuit breaker.

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant, SystemTime};

use futures_util::TryStreamExt;
use futures_util::stream;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{RequestBuilder, Response, StatusCode};
use serde_json::Value;

use super::TextStream;
use super::breaker::{Breaker, CircuitState};
use super::error::{ErrorKind, ProviderError, excerpt};
use super::wire::{self, Decode, Framing};
use crate::config::{ProviderConfig, ProviderKind};

const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// The longest pause we accept from `Retry-After`; past it the user hears of it at once.
const MAX_RETRY_WAIT: Duration = Duration::from_secs(20);
const BACKOFF_BASE: Duration = Duration::from_millis(250);
const BACKOFF_CAP: Duration = Duration::from_secs(8);
/// How much of an error response we read: enough for the API's message.
const ERROR_BODY_LIMIT: usize = 4096;

static CLIENT: OnceLock<Result<reqwest::Client, String>> = OnceLock::new();

/// The process's one HTTP client: connections and TLS sessions are reused across requests
/// and providers, and the CA bundle is read once.
pub(crate) fn client() -> Result<reqwest::Client, String> {
    CLIENT
        .get_or_init(|| {
            // reqwest is built without a crypto provider so that ring, not aws-lc (a long C
            // build), is the one linked. Err means one is installed already, which is fine.
            let _ = rustls::crypto::ring::default_provider().install_default();
            reqwest::Client::builder()
                .connect_timeout(CONNECT_TIMEOUT)
                .tcp_nodelay(true)
                .user_agent(concat!("keel/", env!("CARGO_PKG_VERSION")))
                .build()
                .map_err(|err| format!("cannot set up the HTTP client: {}", chain(&err)))
        })
        .clone()
}

/// Lines of the request shorter than this are too common to tell a quote from chance
/// (`return x`, `}`).
const QUOTED_LINE_MIN: usize = 12;

/// Whether an error answer quotes a line of the request's text (the prompt, the code sent):
/// read as it is and, when it is JSON, with its strings unescaped.
fn quotes_request(answer: &str, request: &Value) -> bool {
    fn strings<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
        match value {
            Value::String(text) => out.push(text),
            Value::Array(items) => items.iter().for_each(|item| strings(item, out)),
            Value::Object(members) => members.values().for_each(|member| strings(member, out)),
            _ => {}
        }
    }
    let mut sent = Vec::new();
    // The model's name is not the user's text, and "model x not found" must be shown.
    match request {
        Value::Object(members) => members
            .iter()
            .filter(|(key, _)| key.as_str() != "model")
            .for_each(|(_, member)| strings(member, &mut sent)),
        other => strings(other, &mut sent),
    }
    let parsed = serde_json::from_str::<Value>(answer).ok();
    let mut answered = vec![answer];
    if let Some(parsed) = &parsed {
        strings(parsed, &mut answered);
    }
    sent.iter()
        .flat_map(|text| text.lines())
        .map(str::trim)
        .filter(|line| line.len() >= QUOTED_LINE_MIN)
        .any(|line| answered.iter().any(|answer| answer.contains(line)))
}

/// One configured remote endpoint.
pub(crate) struct Api {
    pub(crate) provider: &'static str,
    base: String,
    /// The header carrying the key, marked sensitive so it never shows in debug output.
    auth: Option<(HeaderName, HeaderValue)>,
    /// The key itself, only to scrub it from anything a server echoes back.
    key: Option<String>,
    key_env: Option<String>,
    headers: HeaderMap,
    timeout: Duration,
    retries: u32,
    breaker: Breaker,
    client: reqwest::Client,
}

impl Api {
    pub(crate) fn new(kind: ProviderKind, config: &ProviderConfig) -> Result<Self, ProviderError> {
        let provider = kind.name();
        let Some(base) = endpoint(kind, config) else {
            return Err(ProviderError::config(provider, "has no HTTP endpoint"));
        };
        // The hosted API's usual variable, but only for the hosted API: a key must not be
        // sent to some other server the user did not name it for.
        let key_env = config.api_key_env.clone().or_else(|| {
            config
                .endpoint
                .is_none()
                .then(|| default_key_env(kind))
                .flatten()
                .map(str::to_string)
        });
        let key = match &key_env {
            Some(name) => match std::env::var(name) {
                Ok(value) if !value.trim().is_empty() => Some(value.trim().to_string()),
                _ => {
                    return Err(ProviderError::config(
                        provider,
                        format!(
                            "environment variable {name} is not set; set it or choose another provider"
                        ),
                    ));
                }
            },
            None => None,
        };
        let auth = match &key {
            Some(key) => {
                let (name, value) = match kind {
                    ProviderKind::Anthropic => (HeaderName::from_static("x-api-key"), key.clone()),
                    _ => (reqwest::header::AUTHORIZATION, format!("Bearer {key}")),
                };
                let mut value = HeaderValue::from_str(&value).map_err(|_| {
                    ProviderError::config(
                        provider,
                        format!(
                            "the key in {} holds characters an HTTP header cannot carry",
                            key_env.as_deref().unwrap_or("the key variable")
                        ),
                    )
                })?;
                value.set_sensitive(true);
                Some((name, value))
            }
            None => None,
        };
        let client = client().map_err(|message| ProviderError::config(provider, message))?;
        Ok(Api {
            provider,
            base,
            auth,
            key,
            key_env,
            headers: HeaderMap::new(),
            timeout: Duration::from_millis(config.timeout_ms),
            retries: config.retries,
            breaker: Breaker::new(Duration::from_millis(config.cooldown_ms)),
            client,
        })
    }

    /// A header sent with every request, e.g. an API version.
    pub(crate) fn with_header(mut self, name: &'static str, value: &'static str) -> Self {
        self.headers.insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
        self
    }

    pub(crate) fn url(&self, path: &str) -> String {
        // OpenAI-style bases are often given with their `/v1` already.
        match path.strip_prefix("/v1/") {
            Some(rest) if self.base.ends_with("/v1") => format!("{}/{rest}", self.base),
            _ => format!("{}{path}", self.base),
        }
    }

    pub(crate) fn circuit(&self) -> tokio::sync::watch::Receiver<CircuitState> {
        self.breaker.subscribe()
    }

    pub(crate) fn error(&self, url: &str, kind: ErrorKind, message: String) -> ProviderError {
        let message = match &self.key {
            Some(key) => message.replace(key.as_str(), "[redacted]"),
            None => message,
        };
        ProviderError {
            provider: self.provider,
            endpoint: Some(url.to_string()),
            kind,
            message,
        }
    }

    /// Counts a failed request towards opening the circuit. Configuration errors are the
    /// user's to fix and say nothing about the endpoint's health.
    pub(crate) fn record_failure(&self, error: &ProviderError) {
        if !matches!(error.kind, ErrorKind::Config | ErrorKind::CircuitOpen) {
            self.breaker.failure(&error.to_string());
        }
    }

    pub(crate) fn record_success(&self) {
        self.breaker.success();
    }

    /// POSTs `body` to `path` and streams the answer, decoded frame by frame.
    pub(crate) fn stream(
        self: &Arc<Self>,
        path: &'static str,
        body: Value,
        framing: Framing,
        decode: Decode,
    ) -> TextStream {
        let api = Arc::clone(self);
        let start = async move {
            let url = api.url(path);
            let response = api.post(&url, &body).await?;
            Ok(wire::decode(api, url, response, framing, decode))
        };
        Box::pin(stream::once(start).try_flatten())
    }

    /// A cheap GET for `keel doctor`: one attempt, no breaker. Any HTTP answer means the
    /// endpoint is reachable; the description says what it answered.
    pub(crate) async fn probe(&self, path: &str) -> Result<String, ProviderError> {
        let url = self.url(path);
        let request = self
            .client
            .get(&url)
            .timeout(self.timeout.min(Duration::from_secs(5)));
        let response = self
            .authorize(request)
            .send()
            .await
            .map_err(|err| self.transport_error(&url, &err))?;
        let status = response.status();
        let hint = match status {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => self.key_hint(),
            _ => String::new(),
        };
        Ok(format!("reachable: GET {url} answered {status}{hint}"))
    }

    /// Sends with retries within the overall timeout, and fails fast while the circuit is
    /// open. Returns the response once its status is a success.
    async fn post(&self, url: &str, body: &Value) -> Result<Response, ProviderError> {
        if let Err(remaining) = self.breaker.admit() {
            return Err(self.error(
                url,
                ErrorKind::CircuitOpen,
                format!(
                    "not called for another {} s: it failed repeatedly or asked to be left alone",
                    remaining.as_secs().max(1)
                ),
            ));
        }
        let deadline = Instant::now() + self.timeout;
        let mut attempt = 0;
        loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            let (error, retry_after) = match self.send(url, body, remaining).await {
                Ok(response) => return Ok(response),
                Err(failure) => failure,
            };
            // Counted now, not when the request gives up: a completion cancelled while it
            // waits to retry (the next keystroke) would never count, and a storm of 429s
            // would cost one call per keystroke. A `Retry-After` holds every request back.
            self.record_failure(&error);
            if let Some(wait) = retry_after {
                self.breaker.hold(wait);
            }
            let wait = retry_after.unwrap_or_else(|| backoff(attempt));
            let retry = error.is_transient()
                && attempt < self.retries
                && wait <= MAX_RETRY_WAIT
                && Instant::now() + wait < deadline;
            if !retry {
                return Err(error);
            }
            tracing::debug!(
                provider = self.provider,
                "attempt {} failed ({}); retrying in {} ms",
                attempt + 1,
                error.message,
                wait.as_millis()
            );
            tokio::time::sleep(wait).await;
            // The failures so far (this request's or others') opened the circuit.
            if self.breaker.admit().is_err() {
                return Err(error);
            }
            attempt += 1;
        }
    }

    async fn send(
        &self,
        url: &str,
        body: &Value,
        timeout: Duration,
    ) -> Result<Response, (ProviderError, Option<Duration>)> {
        let mut request = self
            .client
            .post(url)
            .timeout(timeout)
            .headers(self.headers.clone())
            .json(body);
        request = self.authorize(request);
        let response = request
            .send()
            .await
            .map_err(|err| (self.transport_error(url, &err), None))?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let retry_after = retry_after(response.headers(), SystemTime::now());
        let text = read_prefix(response, ERROR_BODY_LIMIT).await;
        let mut message = format!("the server answered {status}");
        if let Some(wait) = retry_after {
            message.push_str(&format!(" (retry after {} s)", wait.as_secs_f32().ceil()));
        }
        if quotes_request(&text, body) {
            // An endpoint that echoes the prompt would put the user's code in their log.
            tracing::debug!(
                provider = self.provider,
                "the error answer: {}",
                excerpt(&text, 300)
            );
            message.push_str(": its answer quotes the request, so it is shown only at debug level");
        } else if !text.trim().is_empty() {
            message.push_str(&format!(": {}", excerpt(&text, 300)));
        }
        if matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN) {
            message.push_str(&self.key_hint());
        }
        Err((
            self.error(url, ErrorKind::Status(status.as_u16()), message),
            retry_after,
        ))
    }

    fn authorize(&self, request: RequestBuilder) -> RequestBuilder {
        match &self.auth {
            Some((name, value)) => request.header(name.clone(), value.clone()),
            None => request,
        }
    }

    fn key_hint(&self) -> String {
        match &self.key_env {
            Some(name) => format!("; check the key in {name}"),
            None => "; the server wants a key: set provider.api_key_env to the variable holding it"
                .to_string(),
        }
    }

    pub(crate) fn transport_error(&self, url: &str, err: &reqwest::Error) -> ProviderError {
        let (kind, message) = if err.is_timeout() {
            (
                ErrorKind::Timeout,
                format!(
                    "no complete answer within {} ms (provider.timeout_ms)",
                    self.timeout.as_millis()
                ),
            )
        } else if err.is_connect() {
            (
                ErrorKind::Unreachable,
                format!("cannot connect: {}", chain(err)),
            )
        } else if err.is_body() || err.is_decode() {
            (
                ErrorKind::Interrupted,
                format!("the answer broke off: {}", chain(err)),
            )
        } else {
            (
                ErrorKind::Unreachable,
                format!("the request failed: {}", chain(err)),
            )
        };
        self.error(url, kind, message)
    }
}

/// The endpoint requests go to: the configured one, else the kind's default.
pub(crate) fn endpoint(kind: ProviderKind, config: &ProviderConfig) -> Option<String> {
    match (&config.endpoint, default_endpoint(kind)) {
        (Some(endpoint), _) => Some(endpoint.trim_end_matches('/').to_string()),
        (None, Some(default)) => Some(default.to_string()),
        (None, None) => None,
    }
}

/// Whether `endpoint` is on this machine: `localhost`, 127.0.0.0/8 or ::1. Anything that
/// does not parse as a URL counts as remote.
pub(crate) fn is_loopback(endpoint: &str) -> bool {
    let Ok(url) = reqwest::Url::parse(endpoint) else {
        return false;
    };
    let Some(host) = url.host_str() else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn default_endpoint(kind: ProviderKind) -> Option<&'static str> {
    match kind {
        ProviderKind::Openai | ProviderKind::OpenaiCompletions => Some("https://api.openai.com"),
        ProviderKind::Anthropic => Some("https://api.anthropic.com"),
        ProviderKind::Ollama => Some("http://127.0.0.1:11434"),
        ProviderKind::Llamacpp => Some("http://127.0.0.1:8080"),
        ProviderKind::Local => None,
    }
}

fn default_key_env(kind: ProviderKind) -> Option<&'static str> {
    match kind {
        ProviderKind::Openai | ProviderKind::OpenaiCompletions => Some("OPENAI_API_KEY"),
        ProviderKind::Anthropic => Some("ANTHROPIC_API_KEY"),
        _ => None,
    }
}

/// Exponential backoff with jitter, so that many clients do not retry in step.
fn backoff(attempt: u32) -> Duration {
    let full = BACKOFF_BASE
        .saturating_mul(1u32 << attempt.min(16))
        .min(BACKOFF_CAP);
    full.mul_f64(0.5 + fastrand::f64() * 0.5)
}

/// `retry-after-ms` (OpenAI), else `Retry-After` in seconds or as an HTTP date.
fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let text = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
    if let Some(ms) = text("retry-after-ms").and_then(|ms| ms.trim().parse::<f64>().ok())
        && ms.is_finite()
        && ms >= 0.0
    {
        return Some(Duration::from_secs_f64(ms / 1000.0));
    }
    let value = text("retry-after")?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

/// The start of an error response's body, bounded in size (the time is bounded by the
/// request's timeout).
async fn read_prefix(mut response: Response, limit: usize) -> String {
    let mut bytes = Vec::new();
    while bytes.len() < limit {
        match response.chunk().await {
            Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
            _ => break,
        }
    }
    bytes.truncate(limit);
    String::from_utf8_lossy(&bytes).into_owned()
}

/// What went wrong underneath: reqwest's own message only repeats the URL, which every
/// error names already, so the causes are what is shown (or the message, if it has none).
pub(crate) fn chain(err: &dyn std::error::Error) -> String {
    let mut causes: Vec<String> = Vec::new();
    let mut source = err.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        // hyper's wrapper ("client error (Connect)") says nothing its cause does not.
        if !text.starts_with("client error (") && !causes.iter().any(|seen| seen.contains(&text)) {
            causes.push(text);
        }
        source = cause.source();
    }
    if causes.is_empty() {
        err.to_string()
    } else {
        causes.join(": ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_dates_and_milliseconds() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let mut headers = HeaderMap::new();
        headers.insert("retry-after", HeaderValue::from_static("7"));
        assert_eq!(retry_after(&headers, now), Some(Duration::from_secs(7)));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(30));
        headers.insert("retry-after", HeaderValue::from_str(&later).unwrap());
        assert_eq!(retry_after(&headers, now), Some(Duration::from_secs(30)));
        headers.insert("retry-after-ms", HeaderValue::from_static("1500"));
        assert_eq!(
            retry_after(&headers, now),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(retry_after(&HeaderMap::new(), now), None);
    }

    #[test]
    fn backoff_grows_is_capped_and_jittered() {
        for attempt in 0..20 {
            let wait = backoff(attempt);
            let full = BACKOFF_BASE
                .saturating_mul(1 << attempt.min(16))
                .min(BACKOFF_CAP);
            assert!(wait >= full / 2 && wait <= full, "{attempt}: {wait:?}");
        }
        assert!(backoff(10) > backoff(0));
    }

    #[test]
    fn a_base_ending_in_v1_is_not_doubled() {
        let config = ProviderConfig {
            endpoint: Some("http://127.0.0.1:1234/v1/".into()),
            ..ProviderConfig::default()
        };
        let api = Api::new(ProviderKind::Openai, &config).unwrap();
        assert_eq!(
            api.url("/v1/chat/completions"),
            "http://127.0.0.1:1234/v1/chat/completions"
        );
        assert_eq!(api.url("/api/tags"), "http://127.0.0.1:1234/v1/api/tags");
    }
}
