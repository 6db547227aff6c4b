//! The protocol surface: capabilities, and one thin handler per LSP method.
//!
//! Handlers convert LSP types to plain values, call the core modules, and convert back.
//! They must never hold logic of their own, never hold a lock across `.await`, and never do
//! CPU-heavy work on the LSP task (parsing goes to `spawn_blocking`). Document changes are
//! applied synchronously at the top of their handler, before any `.await`, so a later
//! request never sees stale text.

mod capabilities;
mod context;
mod convert;
mod notices;
mod transport;

use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock, RwLock};

use serde::Deserialize;
use serde_json::Value;
use tokio::sync::mpsc::UnboundedReceiver;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::{
    DidChangeConfigurationParams, DidChangeTextDocumentParams, DidChangeWatchedFilesParams,
    DidCloseTextDocumentParams, DidOpenTextDocumentParams, DidSaveTextDocumentParams,
    InitializeParams, InitializeResult, InitializedParams, MessageType, ServerInfo,
    TextDocumentIdentifier,
};
use tower_lsp_server::{Client, LanguageServer, LspService, Server};
use tracing::{debug, error, info, warn};

use crate::config::{Layers, Level, Problem, Resolved};
use crate::logging::Forwarded;
use crate::syntax::Language;
use crate::workspace::{
    ChangeOutcome, DocumentError, Documents, Encoding, documents::DEFAULT_TREE_CAPACITY,
};
use notices::Notices;

/// How many requests and notifications run at once. The default (4) lets a few slow model
/// calls hold back `didChange`.
const CONCURRENCY: usize = 32;

/// Speaks LSP on stdin/stdout until the client sends `exit`.
pub async fn serve_stdio(forwarded: UnboundedReceiver<Forwarded>) {
    let (service, socket) = LspService::build(|client| Backend::new(client, forwarded))
        .custom_method("keel/viewFileText", Backend::view_file_text)
        .custom_method("keel/viewSyntaxTree", Backend::view_syntax_tree)
        .custom_method("keel/contextAt", Backend::context_at)
        .finish();
    let pipes = transport::connect(tokio::io::stdin(), tokio::io::stdout());
    Server::new(pipes.server_input, pipes.server_output, socket)
        .concurrency_level(CONCURRENCY)
        .serve(service)
        .await;
    // The server's output pipe closed with `serve`; let the last replies reach the client.
    let _ = pipes.writer.await;
}

struct Settings {
    layers: Layers,
    resolved: Resolved,
}

pub struct Backend {
    client: Client,
    documents: Arc<Documents>,
    encoding: OnceLock<Encoding>,
    root: OnceLock<PathBuf>,
    settings: RwLock<Settings>,
    /// Configuration problems found before the client could be told (during `initialize`).
    pending_problems: Mutex<Vec<Problem>>,
    forwarded: Mutex<Option<UnboundedReceiver<Forwarded>>>,
    notices: Notices,
    /// The workspace index and recent edits; `context.index` is what completions read.
    context: context::ContextState,
}

/// Params of Keel's debug requests.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct DocumentParams {
    text_document: TextDocumentIdentifier,
}

impl Backend {
    fn new(client: Client, forwarded: UnboundedReceiver<Forwarded>) -> Self {
        let layers = Layers::default();
        let resolved = layers.resolve();
        Backend {
            client,
            documents: Arc::new(Documents::new(DEFAULT_TREE_CAPACITY)),
            encoding: OnceLock::new(),
            root: OnceLock::new(),
            settings: RwLock::new(Settings { layers, resolved }),
            pending_problems: Mutex::new(Vec::new()),
            forwarded: Mutex::new(Some(forwarded)),
            notices: Notices::default(),
            context: context::ContextState::default(),
        }
    }

    fn encoding(&self) -> Encoding {
        self.encoding.get().copied().unwrap_or_default()
    }

    /// Applies `update` to the configuration layers and re-resolves; returns the problems.
    fn update_settings(&self, update: impl FnOnce(&mut Layers) -> Vec<Problem>) -> Vec<Problem> {
        let Ok(mut settings) = self.settings.write() else {
            return Vec::new();
        };
        let problems = update(&mut settings.layers);
        settings.resolved = settings.layers.resolve();
        problems
    }

    /// Logs each problem, and shows each once to the person who must fix it.
    async fn report(&self, problems: Vec<Problem>) {
        for problem in problems {
            let kind = match problem.level {
                Level::Warning => {
                    warn!("configuration: {problem}");
                    MessageType::WARNING
                }
                Level::Error => {
                    error!("configuration: {problem}");
                    MessageType::ERROR
                }
            };
            let text = format!("Keel configuration {problem}");
            self.notices
                .show_once(&self.client, &text, kind, text.clone())
                .await;
        }
    }

    /// Sends Keel's warnings and errors to the editor's log, for as long as the session lasts.
    fn start_log_forwarding(&self) {
        let Some(mut receiver) = self.forwarded.lock().ok().and_then(|mut slot| slot.take()) else {
            return;
        };
        let client = self.client.clone();
        tokio::spawn(async move {
            while let Some(Forwarded { level, message }) = receiver.recv().await {
                let kind = if level == tracing::Level::ERROR {
                    MessageType::ERROR
                } else {
                    MessageType::WARNING
                };
                client.log_message(kind, message).await;
            }
        });
    }

    async fn view_file_text(&self, params: DocumentParams) -> Result<String> {
        let snapshot = self
            .documents
            .snapshot(params.text_document.uri.as_str())
            .map_err(convert::document_error)?;
        Ok(snapshot.text.to_string())
    }

    /// The configuration in force.
    fn config(&self) -> crate::config::Config {
        self.settings
            .read()
            .map(|settings| settings.resolved.config.clone())
            .unwrap_or_default()
    }

    async fn context_at(&self, params: context::ContextAtParams) -> Result<context::ContextAt> {
        self.context
            .context_at(&self.documents, self.encoding(), self.config(), params)
            .await
    }

    async fn view_syntax_tree(&self, params: DocumentParams) -> Result<Option<String>> {
        let snapshot = self
            .documents
            .snapshot(params.text_document.uri.as_str())
            .map_err(convert::document_error)?;
        let documents = self.documents.clone();
        let tree = tokio::task::spawn_blocking(move || documents.tree(&snapshot))
            .await
            .map_err(|err| Error {
                message: format!("parsing failed: {err}").into(),
                ..Error::internal_error()
            })?;
        Ok(tree.map(|tree| tree.root_node().to_sexp()))
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let encoding = capabilities::negotiate_encoding(&params);
        let _ = self.encoding.set(encoding);
        self.context.note_client(&params);
        #[allow(deprecated)] // root_uri is still what many clients send.
        let root = params
            .workspace_folders
            .as_ref()
            .and_then(|folders| folders.first())
            .map(|folder| folder.uri.clone())
            .or(params.root_uri.clone())
            .and_then(|uri| uri.to_file_path().map(|path| path.into_owned()));
        let mut problems = Vec::new();
        if let Some(root) = root {
            problems.extend(self.update_settings(|layers| layers.load_file(&root)));
            let _ = self.root.set(root);
        }
        let options = params.initialization_options.clone();
        problems.extend(self.update_settings(|layers| layers.set_initialization_options(options)));
        if let Ok(mut pending) = self.pending_problems.lock() {
            pending.extend(problems);
        }
        info!("initialized with position encoding {}", encoding.as_str());
        Ok(InitializeResult {
            capabilities: capabilities::server_capabilities(encoding),
            server_info: Some(ServerInfo {
                name: "keel".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        self.start_log_forwarding();
        let problems = self
            .pending_problems
            .lock()
            .map(|mut pending| std::mem::take(&mut *pending))
            .unwrap_or_default();
        self.report(problems).await;
        self.context.start(&self.client, &self.config()).await;
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let document = params.text_document;
        let language = Language::from_language_id(&document.language_id).or_else(|| {
            document
                .uri
                .to_file_path()
                .and_then(|path| Language::from_path(&path))
        });
        self.documents.open(
            document.uri.as_str(),
            language,
            document.version,
            &document.text,
        );
        debug!(
            uri = document.uri.as_str(),
            bytes = document.text.len(),
            "opened"
        );
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri.as_str();
        let edited_line = params
            .content_changes
            .last()
            .and_then(|change| change.range)
            .map(|range| range.start.line);
        let changes: Vec<_> = params
            .content_changes
            .into_iter()
            .map(convert::change)
            .collect();
        let outcome =
            self.documents
                .change(uri, params.text_document.version, &changes, self.encoding());
        match outcome {
            Ok(ChangeOutcome::Applied) => self.context.changed(&self.documents, uri, edited_line),
            Ok(ChangeOutcome::Ignored) => {
                debug!(uri, "change ignored: document out of sync until saved")
            }
            Err(err @ DocumentError::OutOfSync { .. }) => {
                error!("{err}");
                let key = format!("out-of-sync {uri}");
                let message = format!("Keel: {err}.");
                self.notices
                    .show_once(&self.client, &key, MessageType::ERROR, message)
                    .await;
            }
            Err(err) => warn!("didChange: {err}"),
        }
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        let uri = params.text_document.uri.as_str();
        match self.documents.save(uri, params.text.as_deref()) {
            Ok(true) => {
                info!(uri, "document resynchronised from the saved text");
                self.notices.forget(&format!("out-of-sync {uri}"));
            }
            Ok(false) => {}
            Err(err) => warn!("didSave: {err}"),
        }
        self.context.saved(&params.text_document.uri);
        if let Some(root) = self.root.get().cloned()
            && params
                .text_document
                .uri
                .to_file_path()
                .is_some_and(|path| path == root.join(crate::config::FILE_NAME))
        {
            let problems = self.update_settings(|layers| layers.load_file(&root));
            self.report(problems).await;
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        if !self.documents.close(params.text_document.uri.as_str()) {
            warn!(
                uri = params.text_document.uri.as_str(),
                "didClose for a document that is not open"
            );
        }
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        self.context.watched(params);
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        let settings: Value = params.settings;
        let problems = self.update_settings(|layers| layers.set_client_settings(settings));
        self.report(problems).await;
    }
}
