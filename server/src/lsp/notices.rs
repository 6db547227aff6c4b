//! Messages a person must act on: shown once with `window/showMessage`, then only logged.

use std::collections::HashSet;
use std::sync::Mutex;

use tower_lsp_server::Client;
use tower_lsp_server::ls_types::MessageType;

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
