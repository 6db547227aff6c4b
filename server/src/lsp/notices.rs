//! What the user is told: messages a person must act on, shown once with
//! `window/showMessage` and then only logged, and `$/progress` for work they wait on.

use std::collections::HashSet;
use std::sync::Mutex;

use tokio::sync::mpsc;
use tower_lsp_server::Client;
use tower_lsp_server::ls_types::{MessageType, NumberOrString};

use super::capabilities::ClientSupport;

#[derive(Default)]
pub struct Notices {
    shown: Mutex<HashSet<String>>,
}

impl Notices {
    /// Shows `message` unless a notice with the same `key` was shown before. Returns whether
    /// it was shown. `forget` makes a key showable again once its cause is gone.
    pub async fn show_once(
        &self,
        client: &Client,
        key: &str,
        kind: MessageType,
        message: String,
    ) -> bool {
        let first = self
            .shown
            .lock()
            .map(|mut shown| shown.insert(key.to_string()))
            .unwrap_or(false);
        if first {
            client.show_message(kind, message).await;
        }
        first
    }

    pub fn forget(&self, key: &str) {
        if let Ok(mut shown) = self.shown.lock() {
            shown.remove(key);
        }
    }
}

/// `$/progress` titled "Keel: `title`", if the client shows progress: a sender for the
/// messages, and the task that reports them and ends the progress once the sender drops.
pub async fn start_progress(
    client: &Client,
    support: ClientSupport,
    title: &str,
) -> Option<(mpsc::UnboundedSender<String>, tokio::task::JoinHandle<()>)> {
    if !support.progress {
        return None;
    }
    let token = NumberOrString::String(format!("keel/work/{}", fastrand::u64(..)));
    client.create_work_done_progress(token.clone()).await.ok()?;
    let ongoing = client
        .progress(token, format!("Keel: {title}"))
        .begin()
        .await;
    let (sender, mut receiver) = mpsc::unbounded_channel::<String>();
    let reporter = tokio::spawn(async move {
        while let Some(message) = receiver.recv().await {
            ongoing.report(message).await;
        }
        ongoing.finish().await;
    });
    Some((sender, reporter))
}
