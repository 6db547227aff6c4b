use std::fmt;

/// What went wrong, coarse enough for a caller to decide what to do about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The configuration cannot work (no key, no model): the user must change it.
    Config,
    /// No connection could be made or kept (refused, reset, DNS, TLS).
    Unreachable,
    /// No complete answer within `provider.timeout_ms`.
    Timeout,
    /// The server answered with this HTTP status.
    Status(u16),
    /// The answer was not what the API promises.
    Malformed,
    /// The API reported an error inside its stream.
    Api,
    /// The stream stopped before the model finished.
    Interrupted,
    /// Too many failures lately: not tried again until the cool-down ends.
    CircuitOpen,
    /// The embedded model failed to load or run.
    Model,
}

/// One failure of a provider, worded for the person who has to fix it. It names the
/// provider and endpoint and never holds the API key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderError {
    pub provider: &'static str,
    /// The URL called, when there is one.
    pub endpoint: Option<String>,
    pub kind: ErrorKind,
    pub message: String,
}

impl ProviderError {
    pub fn config(provider: &'static str, message: impl Into<String>) -> Self {
        ProviderError {
            provider,
            endpoint: None,
            kind: ErrorKind::Config,
            message: message.into(),
        }
    }

    #[cfg(feature = "local-llm")]
    pub(crate) fn model(message: impl Into<String>) -> Self {
        ProviderError {
            provider: "local",
            endpoint: None,
            kind: ErrorKind::Model,
            message: message.into(),
        }
    }

    /// Worth another attempt after a pause: the same request may well succeed.
    pub(crate) fn is_transient(&self) -> bool {
        match self.kind {
            ErrorKind::Unreachable => true,
            ErrorKind::Status(status) => status == 429 || (500..=599).contains(&status),
            _ => false,
        }
    }
}

impl fmt::Display for ProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.endpoint {
            Some(endpoint) => write!(
                f,
                "provider `{}` ({endpoint}): {}",
                self.provider, self.message
            ),
            None => write!(f, "provider `{}`: {}", self.provider, self.message),
        }
    }
}

impl std::error::Error for ProviderError {}

/// At most `limit` characters of what a server sent, on one line, for an error message.
pub(crate) fn excerpt(received: &str, limit: usize) -> String {
    let flat: String = received
        .trim()
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let total = flat.chars().count();
    if total <= limit {
        return format!("`{flat}`");
    }
    let kept: String = flat.chars().take(limit).collect();
    format!("`{kept}…` ({total} characters in all)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_is_one_line_and_bounded() {
        assert_eq!(excerpt(" a\nb ", 10), "`a b`");
        let long = "x".repeat(500);
        let shown = excerpt(&long, 20);
        assert!(
            shown.starts_with(&format!("`{}…`", "x".repeat(20))),
            "{shown}"
        );
        assert!(shown.contains("500 characters"), "{shown}");
    }
}
