//! The model as the editor sees it: offering the default model when there is none (a
//! `window/showMessageRequest` whose "Download" runs the download with `$/progress`), and
//! one message when a provider's outage starts and one when it ends. The download itself
//! is `llm::model_store`'s; the outages are the provider's circuit breaker's.

use tokio::sync::{mpsc, watch};
use tower_lsp_server::Client;
use tower_lsp_server::ls_types::{MessageActionItem, MessageType, NumberOrString};
use tracing::{debug, error, info, warn};

use crate::config::ProviderConfig;
use crate::llm::CircuitState;
use crate::llm::model_store::{ModelStore, Progress, Source};

const DOWNLOAD: &str = "Download";
const NOT_NOW: &str = "Not now";
const PROGRESS_TOKEN: &str = "keel/model-download";

/// With no provider configured and no default model on disk, asks once whether to download
/// it. Everything that needs no model (sync, diagnostics, fixes) works meanwhile.
pub async fn offer_default_model(client: Client, provider: ProviderConfig, progress: bool) {
    let store = ModelStore::from_env();
    if provider.kind.is_some() || !cfg!(feature = "local-llm") {
        debug!("no default model offered: a provider is configured or none is embedded");
        return;
    }
    let path = store.default_model_path();
    if path.is_file() {
        return;
    }
    info!(
        "no provider configured and no default model at {}",
        path.display()
    );
    let actions = [DOWNLOAD, NOT_NOW]
        .map(|title| MessageActionItem {
            title: title.into(),
            properties: Default::default(),
        })
        .to_vec();
    let message = "Keel has no model: none is configured and the default one (SmolLM2-135M, \
                   about 100 MB) is not downloaded. AI completions are off until there is one; \
                   diagnostics and quick fixes work without it. Download the default model now? \
                   (Or run `keel model fetch`, or set [provider] in keel.toml.)";
    let answer = client
        .show_message_request(MessageType::INFO, message, Some(actions))
        .await;
    match answer {
        Ok(Some(item)) if item.title == DOWNLOAD => download(&client, &store, progress).await,
        Ok(_) => info!("default model download declined"),
        Err(err) => warn!("the editor did not answer the model download offer: {err}"),
    }
}

async fn download(client: &Client, store: &ModelStore, progress: bool) {
    let token = NumberOrString::String(PROGRESS_TOKEN.into());
    // Progress only if the editor shows it and accepted the token.
    let report = progress
        && client
            .create_work_done_progress(token.clone())
            .await
            .is_ok();
    let ongoing = if report {
        Some(
            client
                .progress(token, "Keel: downloading the default model")
                .with_percentage(0)
                .begin()
                .await,
        )
    } else {
        None
    };
    // The store reports from inside its future; a channel carries that to the editor.
    let (sender, mut receiver) = mpsc::unbounded_channel::<(u32, &'static str)>();
    let forward = async {
        let mut last = None;
        while let Some((percent, stage)) = receiver.recv().await {
            if last == Some((percent, stage)) {
                continue;
            }
            last = Some((percent, stage));
            if let Some(ongoing) = &ongoing {
                ongoing.report_with_message(stage, percent).await;
            }
        }
    };
    let fetch = async {
        let mut on_progress = move |step: Progress| {
            let update = match step {
                Progress::Downloading { done, total } => {
                    let percent = total
                        .filter(|total| *total > 0)
                        .map_or(0, |total| (done.saturating_mul(100) / total).min(99) as u32);
                    (percent, "downloading")
                }
                Progress::Verifying => (99, "verifying"),
                Progress::Extracting => (99, "extracting"),
            };
            let _ = sender.send(update);
        };
        store
            .fetch(&Source::from_env(), false, &mut on_progress)
            .await
    };
    let (result, ()) = tokio::join!(fetch, forward);
    match result {
        Ok(_) => {
            let done = format!(
                "Keel: the default model is ready ({}); AI completions are on.",
                store.default_model_path().display()
            );
            if let Some(ongoing) = ongoing {
                ongoing.finish_with_message("done").await;
            }
            info!("{done}");
            client.show_message(MessageType::INFO, done).await;
        }
        Err(err) => {
            if let Some(ongoing) = ongoing {
                ongoing.finish_with_message("failed").await;
            }
            let message = format!(
                "Keel: downloading the default model failed: {err:#}. Run `keel model fetch` in a terminal to retry."
            );
            error!("{message}");
            client.show_message(MessageType::ERROR, message).await;
        }
    }
}
/// Tells the user once when the provider starts failing (the circuit opens) and once when
/// it answers again, for as long as the provider is in use.
pub fn watch_outages(
    client: Client,
    provider: &'static str,
    mut circuit: watch::Receiver<CircuitState>,
) {
    tokio::spawn(async move {
        while circuit.changed().await.is_ok() {
            let state = circuit.borrow_and_update().clone();
            let (kind, message) = match state {
                CircuitState::Open { reason } => (
                    MessageType::ERROR,
                    format!(
                        "Keel: the {provider} model is failing ({reason}); completions pause and retry after a cool-down."
                    ),
                ),
                CircuitState::Closed => (
                    MessageType::INFO,
                    format!("Keel: the {provider} model answers again."),
                ),
            };
            warn!("{message}");
            client.show_message(kind, message).await;
        }
    });
}
