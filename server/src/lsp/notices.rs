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

/// `$/progress` for one piece of work the user waits on: reports go to the editor while it
/// lasts; `finish` ends it. Empty (reports go nowhere) when the client shows no progress or
/// there is nothing to show.
#[derive(Default)]
pub struct Progress {
    sender: Option<mpsc::UnboundedSender<String>>,
    reporter: Option<tokio::task::JoinHandle<()>>,
}

impl Progress {
    /// Progress titled "Keel: `title`", if the client shows progress.
    pub async fn start(client: &Client, support: ClientSupport, title: &str) -> Progress {
        if !support.progress {
            return Progress::default();
        }
        let token = NumberOrString::String(format!("keel/work/{}", fastrand::u64(..)));
        if client
            .create_work_done_progress(token.clone())
            .await
            .is_err()
        {
            return Progress::default();
        }
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
        Progress {
            sender: Some(sender),
            reporter: Some(reporter),
        }
    }

    pub fn report(&self, message: &str) {
        if let Some(sender) = &self.sender {
            let _ = sender.send(message.to_string());
        }
    }

    /// Ends the progress once every report is out.
    pub async fn finish(mut self) {
        drop(self.sender.take());
        if let Some(reporter) = self.reporter.take() {
            let _ = reporter.await;
        }
    }
}
