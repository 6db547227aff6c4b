//! The LSP side of the context engine: indexes the workspace folders in the background
//! with `$/progress`, keeps the index and each open document's whole-file facts current
//! (debounced edits, saves, watched files), remembers recent edits, and answers
//! `keel/contextAt` (with the request `crate::complete` builds for a completion there).
//! Conversion and scheduling only: the work is `crate::context`'s, and it runs off the LSP
//! task.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tower_lsp_server::Client;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::{
    DidChangeWatchedFilesParams, DidChangeWatchedFilesRegistrationOptions, FileChangeType,
    FileSystemWatcher, GlobPattern, InitializeParams, ProgressToken, Registration,
    TextDocumentIdentifier, Uri,
};
use tracing::{debug, info, warn};

use super::capabilities::ClientSupport;
use crate::complete::{Site, Workspace};
use crate::config::Config;
use crate::context::{self, FactsCache, Index, RecentEdits, Region};
use crate::memory::IdleTrim;
use crate::prompt::TokenCounter;
use crate::workspace::position::byte_offset;
use crate::workspace::{BackgroundPool, Debounce, Documents, Encoding, Position, Snapshot};

/// Quiet time after the last edit of a document before it is re-indexed and its facts
/// recomputed.
const REINDEX_DEBOUNCE: Duration = Duration::from_millis(300);
/// Lines around an edit remembered as a recent-edit snippet.
const RECENT_LINES: usize = 3;

#[derive(Default)]
pub struct ContextState {
    pub index: Arc<Index>,
    pub recent: Arc<RecentEdits>,
    /// Whole-file facts of open documents, for completions.
    pub facts: Arc<FactsCache>,
    folders: OnceLock<Vec<PathBuf>>,
    /// Per document: only the last edit of a burst re-indexes.
    edits: Arc<Debounce>,
    /// Gives back what indexing freed once the background work stops.
    trim: Arc<IdleTrim>,
    /// Where re-indexing after edits runs (shared with the rule checks).
    pool: BackgroundPool,
}

/// Params of `keel/contextAt`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContextAtParams {
    pub(super) text_document: TextDocumentIdentifier,
    position: tower_lsp_server::ls_types::Position,
}

/// The answer of `keel/contextAt`: what a completion at that position would send.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContextAt {
    /// The prompt rendered for the configured provider (file separators for FIM models).
    prompt: String,
    snippet_paths: Vec<String>,
    indexed_files: usize,
    indexed_symbols: usize,
}

impl ContextState {
    pub fn new(trim: Arc<IdleTrim>, pool: BackgroundPool) -> ContextState {
        ContextState {
            trim,
            pool,
            ..ContextState::default()
        }
    }

    /// Notes the workspace folders.
    pub fn note_client(&self, params: &InitializeParams) {
        #[allow(deprecated)] // root_uri is still what many clients send.
        let folders: Vec<PathBuf> = match &params.workspace_folders {
            Some(folders) => folders.iter().filter_map(|f| file_path(&f.uri)).collect(),
            None => params.root_uri.iter().filter_map(file_path).collect(),
        };
        let _ = self.folders.set(folders);
    }

    /// Registers the file watcher and indexes the folders in the background.
    pub async fn start(&self, client: &Client, config: &Config, support: ClientSupport) {
        let folders = self.folders.get().cloned().unwrap_or_default();
        if let Err(err) = self
            .index
            .configure(folders.clone(), &config.privacy.exclude)
        {
            warn!("privacy.exclude: {err}; the workspace is not indexed");
            return;
        }
        if folders.is_empty() || !config.context.cross_file {
            return;
        }
        if support.watch {
            let options = DidChangeWatchedFilesRegistrationOptions {
                watchers: vec![FileSystemWatcher {
                    glob_pattern: GlobPattern::String("**/*.{py,pyi,rs}".into()),
                    kind: None,
                }],
            };
            let registration = Registration {
                id: "keel-watch-sources".into(),
                method: "workspace/didChangeWatchedFiles".into(),
                register_options: serde_json::to_value(options).ok(),
            };
            if let Err(err) = client.register_capability(vec![registration]).await {
                warn!("the client refused the file watcher: {err}");
            }
        }
        let index = self.index.clone();
        let client = client.clone();
        let trim = self.trim.clone();
        tokio::spawn(async move {
            let token = ProgressToken::String("keel-index".into());
            let progress = if support.progress
                && client
                    .create_work_done_progress(token.clone())
                    .await
                    .is_ok()
            {
                Some(
                    client
                        .progress(token, "Indexing")
                        .with_message("walking the workspace")
                        .begin()
                        .await,
                )
            } else {
                None
            };
            let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel::<usize>();
            let _busy = trim.begin();
            let built = tokio::task::spawn_blocking(move || {
                index.build(&|done| {
                    let _ = sender.send(done);
                })
            });
            while let Some(done) = receiver.recv().await {
                if let Some(progress) = &progress {
                    progress.report(format!("{done} files")).await;
                }
            }
            let message = match built.await {
                Ok(Ok(stats)) => {
                    info!(
                        "indexed {} files ({} symbols) in {} ms",
                        stats.files,
                        stats.symbols,
                        stats.elapsed.as_millis()
                    );
                    format!("{} files, {} symbols", stats.files, stats.symbols)
                }
                Ok(Err(err)) => {
                    warn!("indexing failed: {err}");
                    format!("failed: {err}")
                }
                Err(err) => {
                    warn!("indexing stopped: {err}");
                    "stopped".to_string()
                }
            };
            if let Some(progress) = progress {
                progress.finish_with_message(message).await;
            }
        });
    }

    /// After an edit of `uri` at `line`: remember the region, and re-index the document
    /// and recompute its facts once the edits stop for a moment.
    pub fn changed(&self, documents: &Arc<Documents>, uri: &str, line: Option<u32>) {
        let ticket = self.edits.ticket(uri);
        let edits = self.edits.clone();
        let documents = documents.clone();
        let index = self.index.clone();
        let recent = self.recent.clone();
        let facts = self.facts.clone();
        let uri = uri.to_string();
        let trim = self.trim.clone();
        let pool = self.pool.clone();
        tokio::spawn(async move {
            if !edits.settled(&ticket, REINDEX_DEBOUNCE).await {
                return;
            }
            let Ok(snapshot) = documents.snapshot(&uri) else {
                return;
            };
            let path = uri_path(&uri);
            let _busy = trim.begin();
            let _ = pool
                .run(move || {
                    if path.as_deref().is_some_and(|path| index.is_excluded(path)) {
                        return;
                    }
                    let text = String::from(&snapshot.text);
                    if let (Some(language), Some(tree)) = (snapshot.language, snapshot.tree()) {
                        facts.refresh(&uri, snapshot.version, language, &text, &tree);
                    }
                    let Some(path) = path else { return };
                    if let Some(line) = line {
                        let display = index.display_path(&path);
                        recent.record(&display, line, lines_around(&snapshot, &text, line));
                    }
                    index.update_file(&path, &text);
                })
                .await;
        });
    }

    /// After `uri` is closed: its facts go (the index keeps what is on disk).
    pub fn closed(&self, uri: &str) {
        self.facts.forget(uri);
    }

    /// After a save: the saved text is the truth.
    pub fn saved(&self, uri: &Uri) {
        self.refresh(vec![(uri.clone(), false)]);
    }

    pub fn watched(&self, params: DidChangeWatchedFilesParams) {
        let changes = params
            .changes
            .into_iter()
            .map(|change| (change.uri, change.typ == FileChangeType::DELETED))
            .collect();
        self.refresh(changes);
    }

    fn refresh(&self, changes: Vec<(Uri, bool)>) {
        let index = self.index.clone();
        let recent = self.recent.clone();
        tokio::task::spawn_blocking(move || {
            for (uri, deleted) in changes {
                let Some(path) = file_path(&uri) else {
                    continue;
                };
                if deleted {
                    debug!(uri = uri.as_str(), "removed from the index");
                    index.remove_file(&path);
                    recent.forget(&index.display_path(&path));
                } else {
                    index.refresh_from_disk(&path);
                }
            }
        });
    }

    /// What a completion in `uri` (at `version`) draws on besides the document.
    pub fn workspace(&self, uri: &Uri, version: i32) -> Workspace {
        Workspace {
            index: self.index.clone(),
            recent: self.recent.clone(),
            facts: self.facts.clone(),
            path: file_path(uri),
            name: uri.to_string(),
            version,
        }
    }

    /// The request a completion at `params.position` would send, and its rendered prompt.
    /// `region`: the document's region of prompts, for a provider that reuses its last
    /// prompt's start (the prompt shown is then the one a completion would send now).
    pub async fn context_at(
        &self,
        documents: &Documents,
        encoding: Encoding,
        config: Config,
        tokens: Option<TokenCounter>,
        mut region: Option<Option<Region>>,
        params: ContextAtParams,
    ) -> Result<ContextAt> {
        let uri = params.text_document.uri;
        let snapshot = documents
            .snapshot(uri.as_str())
            .map_err(super::convert::document_error)?;
        let position = Position::new(params.position.line, params.position.character);
        let offset = byte_offset(&snapshot.text, position, encoding)
            .map_err(|err| Error::invalid_params(err.to_string()))?;
        let workspace = self.workspace(&uri, snapshot.version);
        let provider = config.provider.clone();
        let request = tokio::task::spawn_blocking(move || {
            let site = Site::new(
                snapshot.text.clone(),
                snapshot.tree(),
                snapshot.language,
                offset,
            );
            site.request(
                site.shape(),
                &config,
                &workspace,
                tokens.as_ref(),
                region.as_mut(),
            )
        })
        .await
        .map_err(|err| Error {
            message: format!("building the context failed: {err}").into(),
            ..Error::internal_error()
        })?;
        let Some(request) = request else {
            return Err(Error::invalid_params(
                "no context for this document: privacy.exclude covers it",
            ));
        };
        Ok(ContextAt {
            prompt: crate::llm::rendered_prompt(&provider, &request),
            snippet_paths: request.snippets.iter().map(|s| s.path.clone()).collect(),
            indexed_files: self.index.file_count(),
            indexed_symbols: self.index.symbol_count(),
        })
    }
}

/// The whole lines around an edit at `line` of `text` (the snapshot's text), as a recent
/// edit's snippet.
fn lines_around(snapshot: &Snapshot, text: &str, line: u32) -> String {
    let rope = &snapshot.text;
    let line = (line as usize).min(rope.len_lines().saturating_sub(1));
    let span = context::line_span(text, rope.line_to_byte(line), RECENT_LINES, RECENT_LINES);
    text.get(span).unwrap_or_default().trim_end().to_string()
}

fn file_path(uri: &Uri) -> Option<PathBuf> {
    uri.to_file_path().map(|path| path.into_owned())
}

fn uri_path(uri: &str) -> Option<PathBuf> {
    uri.parse::<Uri>().ok().as_ref().and_then(file_path)
}
