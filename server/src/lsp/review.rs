//! AI review on save over LSP: after `didSave`, decides whether the file may be reviewed
//! (`diagnostics.ai_review`, a model the configuration allows, `privacy.exclude`, and for a
//! provider off this machine `diagnostics.ai_review_remote`), then runs the review in the
//! background (with `$/progress` while the model is asked) and shows its concerns with the
//! document's diagnostics as they come: pushed again to a client that takes pushes, a
//! refresh asked of one that pulls.
//! What is reviewed and how lives in `crate::review`; this file only decides and schedules.

use std::path::Path;
use std::time::Duration;

use tower_lsp_server::ls_types::{MessageType, Uri};
use tracing::{debug, info};

use super::Backend;
use super::notices::Progress;
use crate::config::AiReview;
use crate::review::{self, Ask};

impl Backend {
    /// Starts the review of the saved document `uri`, if it is on and allowed; returns at
    /// once (the review runs on its own task, so typing is never held up).
    pub(super) async fn review_after_save(&self, uri: &Uri) {
        let config = self.config();
        if config.diagnostics.ai_review != AiReview::OnSave {
            return;
        }
        let Ok(snapshot) = self.documents.snapshot(uri.as_str()) else {
            return;
        };
        let Some(language) = snapshot.language else {
            return;
        };
        let path = uri.to_file_path().map(|path| path.into_owned());
        if path
            .as_deref()
            .is_some_and(|path| self.context.index.is_excluded(path))
        {
            debug!(
                uri = uri.as_str(),
                "not reviewed: privacy.exclude covers it"
            );
            return;
        }
        if crate::llm::is_remote(&config.provider) && !config.diagnostics.ai_review_remote {
            let message = "Keel: AI review is on, but the provider is not on this machine; \
                           set diagnostics.ai_review_remote = true to send changed functions \
                           to it on save"
                .to_string();
            self.notices
                .show_once(&self.client, "review-remote", MessageType::INFO, message)
                .await;
            return;
        }
        let provider = match self.completions.provider(&config) {
            Ok(provider) => provider,
            Err(problem) => {
                let message =
                    format!("Keel: AI review is on, but no model can be asked: {problem}");
                self.notices
                    .show_once(
                        &self.client,
                        "review-no-model",
                        MessageType::WARNING,
                        message,
                    )
                    .await;
                return;
            }
        };
        // Shown to the model relative to the workspace, as a reviewer would see it.
        let shown = path.map(|path| match self.root.get() {
            Some(root) => path
                .strip_prefix(root)
                .map(Path::to_path_buf)
                .unwrap_or(path),
            None => path,
        });
        let (live, documents, client) = (
            self.live.clone(),
            self.documents.clone(),
            self.client.clone(),
        );
        let (support, encoding) = (self.support(), self.encoding());
        let uri = uri.as_str().to_string();
        tokio::spawn(async move {
            let functions = {
                let documents = documents.clone();
                live.pool
                    .run(move || {
                        let tree = documents.tree(&snapshot)?;
                        Some(review::functions(&String::from(&snapshot.text), &tree))
                    })
                    .await
                    .flatten()
            };
            let Some(functions) = functions else {
                return;
            };
            let show = || {
                if support.pull {
                    if support.refresh {
                        let client = client.clone();
                        tokio::spawn(async move {
                            if let Err(err) = client.workspace_diagnostic_refresh().await {
                                debug!("workspace/diagnostic/refresh: {err}");
                            }
                        });
                    }
                } else {
                    live.schedule(
                        &client,
                        &documents,
                        config.diagnostics.clone(),
                        encoding,
                        &uri,
                        Duration::ZERO,
                    );
                }
            };
            let ask = Ask {
                provider,
                privacy: &config.privacy,
                language,
                path: shown.as_deref(),
            };
            // Progress only when the model is asked: saving an unchanged file shows nothing.
            let progress = if live.review.to_send(&functions, &ask) > 0 {
                Progress::start(&client, support, "AI review").await
            } else {
                Progress::default()
            };
            let report = |message: &str| progress.report(message);
            let outcome = live
                .review
                .review(&uri, functions, &ask, &show, &report)
                .await;
            progress.finish().await;
            debug!(uri, ?outcome, "review done");
            if let Some(failure) = &outcome.failure {
                // Once per save at most; the next save tries again.
                info!("AI review stopped: {failure}");
            }
            if !outcome.superseded {
                // Concerns of functions that changed or went are gone now.
                show();
            }
        });
    }
}
