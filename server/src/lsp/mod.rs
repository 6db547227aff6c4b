//! The protocol surface: capabilities, one thin handler per LSP method, and the session
//! (negotiated encoding, client support, layered settings, messages shown once).
//!
//! Handlers convert LSP types to plain values, call the core modules (`workspace`,
//! `diagnostics`, `context`, `complete`, `llm`, `config`), and convert back. They must never
//! compute what the command line could also need (findings, caches, edits, prompts belong
//! to the core), never hold a lock across `.await`, and never do CPU-heavy work on the LSP
//! task (it goes to `spawn_blocking`). Document changes are applied synchronously at the
//! top of their handler, before any `.await`, so a later request never sees stale text.

mod actions;
mod capabilities;
mod completion;
mod context;
mod convert;
mod diagnostics;
mod model;
mod notices;
mod panics;
mod review;
mod status;
mod stdio;
mod tags;
mod transport;

use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock, RwLock};

use serde::Deserialize;
use serde_json::Value;
use tokio::sync::mpsc::UnboundedReceiver;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::{
    CodeAction, CodeActionKind, CodeActionParams, CodeActionResponse, CompletionParams,
    CompletionResponse, DidChangeConfigurationParams, DidChangeTextDocumentParams,
    DidChangeWatchedFilesParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
    DidSaveTextDocumentParams, DocumentDiagnosticParams, DocumentDiagnosticReport,
    DocumentDiagnosticReportResult, ExecuteCommandParams, FullDocumentDiagnosticReport,
    InitializeParams, InitializeResult, InitializedParams, MessageType,
    RelatedFullDocumentDiagnosticReport, ServerInfo, TextDocumentIdentifier,
};
use tower_lsp_server::{Client, LanguageServer, LspService, Server};
use tracing::{debug, error, info, warn};

use crate::config::{Layers, Level, Problem, Resolved};
use crate::diagnostics::RuleSet;
use crate::logging::Forwarded;
use crate::syntax::Language;
use crate::workspace::{
    ChangeOutcome, DocumentError, Documents, Encoding, documents::DEFAULT_TREE_CAPACITY,
};
use capabilities::ClientSupport;
use diagnostics::LiveDiagnostics;
use notices::Notices;

/// How many requests and notifications run at once. The default (4) lets a few slow model
/// calls hold back `didChange`.
const CONCURRENCY: usize = 32;

/// Speaks LSP on stdin/stdout until the client sends `exit`.
pub async fn serve_stdio(forwarded: UnboundedReceiver<Forwarded>) {
    let builder = LspService::build(|client| Backend::new(client, forwarded))
        .custom_method("keel/viewFileText", Backend::view_file_text)
        .custom_method("keel/viewSyntaxTree", Backend::view_syntax_tree)
        .custom_method("textDocument/inlineCompletion", Backend::inline_completion)
        .custom_method("keel/status", Backend::completion_status)
        .custom_method("keel/contextAt", Backend::context_at);
    #[cfg(debug_assertions)]
    let builder = builder.custom_method("keel/debugPanic", Backend::debug_panic);
    let (service, socket) = builder.finish();
    let pipes = transport::connect(stdio::stdin(), stdio::stdout());
    Server::new(pipes.server_input, pipes.server_output, socket)
        .concurrency_level(CONCURRENCY)
        .serve(panics::ContainPanics(tags::TagAiActions::new(service)))
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
    notices: Arc<Notices>,
    support: OnceLock<ClientSupport>,
    live: Arc<LiveDiagnostics>,
    completions: crate::complete::Engine,
    /// Pushes `keel/status` when completions go idle, start thinking or fail.
    status: status::StatusPush,
    /// The provider whose outages are being watched (its address), so each is watched once.
    watched_provider: Mutex<usize>,
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
        let trim = Arc::new(crate::memory::IdleTrim::default());
        let pool = crate::workspace::BackgroundPool::for_this_machine();
        let completions = crate::complete::Engine::default();
        Backend {
            status: status::StatusPush::new(client.clone(), completions.clone()),
            client,
            documents: Arc::new(Documents::new(DEFAULT_TREE_CAPACITY)),
            encoding: OnceLock::new(),
            root: OnceLock::new(),
            settings: RwLock::new(Settings { layers, resolved }),
            pending_problems: Mutex::new(Vec::new()),
            forwarded: Mutex::new(Some(forwarded)),
            notices: Arc::new(Notices::default()),
            support: OnceLock::new(),
            live: Arc::new(LiveDiagnostics::new(
                RuleSet::builtin(),
                trim.clone(),
                pool.clone(),
            )),
            completions,
            watched_provider: Mutex::new(0),
            context: context::ContextState::new(trim, pool),
        }
    }

    fn encoding(&self) -> Encoding {
        self.encoding.get().copied().unwrap_or_default()
    }

    fn support(&self) -> ClientSupport {
        self.support.get().copied().unwrap_or_default()
    }

    fn diagnostics_config(&self) -> crate::config::DiagnosticsConfig {
        self.config().diagnostics
    }

    /// Pushes fresh diagnostics for `uri` to a client that does not pull them.
    fn push_diagnostics(&self, uri: &str, opened: bool) {
        if self.support().pull {
            debug!(uri, "not pushing diagnostics: the client pulls them");
            return;
        }
        self.live.schedule(
            &self.client,
            &self.documents,
            self.diagnostics_config(),
            self.encoding(),
            uri,
            diagnostics::delay_after(opened),
        );
    }

    /// The rules or their configuration changed: every open document is checked again.
    async fn refresh_diagnostics(&self) {
        self.live.invalidate();
        let support = self.support();
        if support.pull {
            if support.refresh
                && let Err(err) = self.client.workspace_diagnostic_refresh().await
            {
                debug!("workspace/diagnostic/refresh: {err}");
            }
            return;
        }
        for uri in self.documents.uris() {
            self.push_diagnostics(&uri, true);
        }
    }

    /// Adds the team's rules in `.keel/rules/`; a broken rule file is shown once and the
    /// built-in rules stay on.
    async fn load_team_rules(&self) {
        let Some(root) = self.root.get().cloned() else {
            return;
        };
        let loaded =
            tokio::task::spawn_blocking(move || crate::diagnostics::check::load_rules(&root)).await;
        match loaded {
            Ok(Ok(rules)) => {
                self.live.set_rules(rules);
                self.refresh_diagnostics().await;
            }
            Ok(Err(problem)) => {
                error!("{problem}");
                let message = format!("Keel: {problem}");
                self.notices
                    .show_once(&self.client, "team-rules", MessageType::ERROR, message)
                    .await;
            }
            Err(err) => error!("loading the team's rules failed: {err}"),
        }
    }

    /// The resolved configuration now.
    fn config(&self) -> crate::config::Config {
        self.settings
            .read()
            .map(|settings| settings.resolved.config.clone())
            .unwrap_or_default()
    }

    /// Applies `update` to the configuration layers and re-resolves; returns the problems.
    fn update_settings(&self, update: impl FnOnce(&mut Layers) -> Vec<Problem>) -> Vec<Problem> {
        let Ok(mut settings) = self.settings.write() else {
            return Vec::new();
        };
        let mut problems = update(&mut settings.layers);
        settings.resolved = settings.layers.resolve();
        problems.extend(settings.resolved.problems.iter().cloned());
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
        Ok(String::from(&snapshot.text))
    }
    async fn context_at(&self, params: context::ContextAtParams) -> Result<context::ContextAt> {
        let config = self.config();
        // Counted as a completion's prompt is: with the model's tokenizer when Keel runs it.
        let provider = self.completions.provider(&config).ok();
        let tokens = provider.as_ref().and_then(|provider| provider.tokens());
        let region = provider
            .filter(|provider| provider.reuses_prompt_start())
            .map(|_| self.completions.region(params.text_document.uri.as_str()));
        self.context
            .context_at(
                &self.documents,
                self.encoding(),
                config,
                tokens,
                region,
                params,
            )
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
            .map_err(internal)?;
        Ok(tree.map(|tree| tree.root_node().to_sexp()))
    }
}

/// A background task that failed (it panicked or was cancelled): the request fails, the
/// server goes on. A panic was already reported by the panic hook.
fn internal(err: tokio::task::JoinError) -> Error {
    if err.is_panic() {
        debug!("a background task panicked");
    } else {
        error!("a background task failed: {err}");
    }
    Error {
        message: format!("internal error: {err}").into(),
        ..Error::internal_error()
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let encoding = capabilities::negotiate_encoding(&params);
        let _ = self.encoding.set(encoding);
        let _ = self
            .support
            .set(ClientSupport::from_capabilities(&params.capabilities));
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
            self.live.set_root(root.clone());
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
        tokio::spawn(model::offer_default_model(
            self.client.clone(),
            self.config().provider,
            self.support().progress,
        ));
        self.context
            .start(&self.client, &self.config(), self.support())
            .await;
        self.load_team_rules().await;
        self.status.push(&self.config()).await;
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
        self.push_diagnostics(document.uri.as_str(), true);
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
            Ok(ChangeOutcome::Applied) => {
                self.context.changed(&self.documents, uri, edited_line);
                if let Some(line) = edited_line {
                    self.prefill_after_edit(&params.text_document.uri, line);
                }
                self.push_diagnostics(uri, false);
            }
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
                self.push_diagnostics(uri, true);
            }
            Ok(false) => {}
            Err(err) => warn!("didSave: {err}"),
        }
        self.context.saved(&params.text_document.uri);
        self.review_after_save(&params.text_document.uri).await;
        if let Some(root) = self.root.get().cloned()
            && params
                .text_document
                .uri
                .to_file_path()
                .is_some_and(|path| path == root.join(crate::config::FILE_NAME))
        {
            let problems = self.update_settings(|layers| layers.load_file(&root));
            self.report(problems).await;
            // As for settings from the client: findings cached under the old rules go.
            self.refresh_diagnostics().await;
            self.status.push(&self.config()).await;
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri.as_str();
        // Forgotten before any `.await`, so no later request sees the closed document.
        if !self.documents.close(uri) {
            warn!(uri, "didClose for a document that is not open");
        }
        self.completions.forget(uri);
        self.live.forget(uri);
        self.context.closed(uri);
        if !self.support().pull {
            // A closed file's findings would otherwise stay in the problems list.
            self.client
                .publish_diagnostics(params.text_document.uri.clone(), Vec::new(), None)
                .await;
        }
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        self.completion_items(params).await
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        self.context.watched(params);
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        let settings: Value = params.settings;
        let problems = self.update_settings(|layers| layers.set_client_settings(settings));
        self.report(problems).await;
        self.refresh_diagnostics().await;
        self.status.push(&self.config()).await;
    }

    async fn diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> Result<DocumentDiagnosticReportResult> {
        let snapshot = self
            .documents
            .snapshot(params.text_document.uri.as_str())
            .map_err(convert::document_error)?;
        let (live, documents) = (self.live.clone(), self.documents.clone());
        let (config, encoding) = (self.diagnostics_config(), self.encoding());
        let items = tokio::task::spawn_blocking(move || {
            live.diagnostics(&documents, &snapshot, &config, encoding)
        })
        .await
        .map_err(internal)?;
        Ok(DocumentDiagnosticReportResult::Report(
            DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport {
                related_documents: None,
                full_document_diagnostic_report: FullDocumentDiagnosticReport {
                    result_id: None,
                    items,
                },
            }),
        ))
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let wants_quickfix = params.context.only.as_ref().is_none_or(|only| {
            only.iter()
                .any(|kind| CodeActionKind::QUICKFIX.as_str().starts_with(kind.as_str()))
        });
        let mut refactors = self.refactor_actions(&params).await?;
        if !wants_quickfix {
            return Ok(Some(refactors));
        }
        let snapshot = self
            .documents
            .snapshot(params.text_document.uri.as_str())
            .map_err(convert::document_error)?;
        let (live, documents) = (self.live.clone(), self.documents.clone());
        let (config, encoding, support) =
            (self.diagnostics_config(), self.encoding(), self.support());
        let offer_ai = self.offers_ai_fixes(&snapshot.uri);
        let actions = tokio::task::spawn_blocking(move || {
            let findings = live.findings(&documents, &snapshot, &config);
            diagnostics::code_actions(
                &live, &snapshot, &findings, &params, support, encoding, offer_ai,
            )
        })
        .await
        .map_err(internal)?;
        refactors.extend(actions);
        Ok(Some(refactors))
    }

    async fn code_action_resolve(&self, action: CodeAction) -> Result<CodeAction> {
        self.resolve_action(action).await
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<Value>> {
        self.run_action_command(params).await
    }
}
