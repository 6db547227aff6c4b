//! The `keel/status` notification: pushed when completions go idle, start thinking or fail,
//! so an editor's status item never polls. The full counters stay with the `keel/status`
//! request.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::watch;
use tower_lsp_server::Client;
use tower_lsp_server::ls_types::notification::Notification;

use crate::complete::{Engine, Health};
use crate::config::Config;
use crate::llm::CircuitState;

/// `keel/status`, server to client.
pub enum StatusNotification {}

impl Notification for StatusNotification {
    type Params = StatusNote;
    const METHOD: &'static str = "keel/status";
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    Idle,
    /// A completion is being computed.
    Thinking,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusNote {
    pub state: State,
    /// Why, for `error`.
    pub message: Option<String>,
    pub provider: Option<String>,
    pub model: Option<String>,
}

impl StatusNote {
    fn new(status: Health, thinking: bool) -> StatusNote {
        let (state, message) = if status.health != "ok" {
            (State::Error, Some(status.health))
        } else if thinking {
            (State::Thinking, None)
        } else {
            (State::Idle, None)
        };
        StatusNote {
            state,
            message,
            provider: status.provider,
            model: status.model,
        }
    }
}

/// How long a completion runs before the editor hears that Keel is thinking. Most answer
/// well within it; two notifications per keystroke would cost the client and Keel more
/// than the completion itself, and a spinner that flashes for 2 ms tells the user nothing.
const THINKING_AFTER: Duration = Duration::from_millis(200);

/// What was last pushed, and how many completions are being computed. Cheap to clone.
#[derive(Clone)]
pub struct StatusPush {
    client: Client,
    engine: Engine,
    shared: Arc<Shared>,
}

struct Shared {
    in_flight: AtomicUsize,
    /// Held while a note is computed and sent, so notes reach the client in order.
    last: tokio::sync::Mutex<Option<StatusNote>>,
}

impl StatusPush {
    pub fn new(client: Client, engine: Engine) -> StatusPush {
        StatusPush {
            client,
            engine,
            shared: Arc::new(Shared {
                in_flight: AtomicUsize::new(0),
                last: tokio::sync::Mutex::new(None),
            }),
        }
    }

    /// Sends the state now if it differs from the last one sent.
    pub async fn push(&self, config: &Config) {
        let mut last = self.shared.last.lock().await;
        let thinking = self.shared.in_flight.load(Ordering::SeqCst) > 0;
        let note = StatusNote::new(self.engine.health(config), thinking);
        if last.as_ref() != Some(&note) {
            *last = Some(note.clone());
            self.client
                .send_notification::<StatusNotification>(note)
                .await;
        }
    }

    /// Marks a completion as being computed until the returned guard is dropped (also when
    /// the request is cancelled and its future dropped); the editor hears of it once it has
    /// run for `THINKING_AFTER`.
    pub fn thinking(&self, config: Config) -> Thinking {
        self.shared.in_flight.fetch_add(1, Ordering::SeqCst);
        let (push, later) = (self.clone(), config.clone());
        let announce = tokio::spawn(async move {
            tokio::time::sleep(THINKING_AFTER).await;
            push.push(&later).await;
        });
        Thinking {
            push: self.clone(),
            config,
            announce,
        }
    }

    /// Pushes the state each time the provider's outage starts or ends.
    pub fn watch(&self, mut circuit: watch::Receiver<CircuitState>, config: Config) {
        let push = self.clone();
        tokio::spawn(async move {
            while circuit.changed().await.is_ok() {
                push.push(&config).await;
            }
        });
    }
}

pub struct Thinking {
    push: StatusPush,
    config: Config,
    announce: tokio::task::JoinHandle<()>,
}

impl Drop for Thinking {
    fn drop(&mut self) {
        self.announce.abort();
        self.push.shared.in_flight.fetch_sub(1, Ordering::SeqCst);
        // Only a state the editor was told of needs taking back; the lock is free unless a
        // note is being sent, which this drop then follows.
        let told = match self.push.shared.last.try_lock() {
            Ok(last) => last.as_ref().is_none_or(|note| note.state != State::Idle),
            Err(_) => true,
        };
        if told {
            let (push, config) = (self.push.clone(), self.config.clone());
            tokio::spawn(async move { push.push(&config).await });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(health: &str) -> Health {
        Health {
            provider: Some("local".into()),
            model: Some("/models/default.gguf".into()),
            health: health.into(),
        }
    }

    #[test]
    fn a_failing_provider_is_an_error_even_while_thinking() {
        let note = StatusNote::new(status("failing: connection refused"), true);
        assert_eq!(note.state, State::Error);
        assert_eq!(note.message.as_deref(), Some("failing: connection refused"));
        assert_eq!(StatusNote::new(status("ok"), true).state, State::Thinking);
        assert_eq!(StatusNote::new(status("ok"), false).state, State::Idle);
    }
}
