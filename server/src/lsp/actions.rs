//! Keel's refactoring actions over LSP: `textDocument/codeAction` lists `crate::actions`
//! candidates (syntax tree only, never the model), `codeAction/resolve` computes the edit
//! (the model's when one is configured, with `$/progress` and a deadline), and for clients
//! that cannot resolve, the `keel.action.run` command applies it with `workspace/applyEdit`.
//! "Fix with AI" is offered beside a finding's quick fixes (`fix_with_ai`) when the model
//! may see the file, and resolves the same way; when the model's edit is refused it has no
//! edit, and the user is told why.
//! An action that also edits another file (a Django `urls.py`) gets that file's open text
//! when the editor has it, and one workspace edit for all files.
//! This file only converts; what an action does lives in `crate::actions`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::{
    self as lsp, CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, Command,
    Diagnostic, ExecuteCommandParams, MessageType, TextEdit, Uri,
};
use tracing::{debug, info};

use super::Backend;
use super::convert;
use super::diagnostics::workspace_edit;
use super::notices::Progress;
use crate::actions::{self, Candidate, Project, Source, model};
use crate::config::Config;
use crate::diagnostics::Finding;
use crate::workspace::Encoding;
use crate::workspace::position::{byte_offset, position_of};
use ropey::Rope;

/// The command a client without `codeAction/resolve` runs to apply an action.
pub const RUN_COMMAND: &str = "keel.action.run";

/// What an unresolved action carries back to `codeAction/resolve`.
#[derive(Debug, Serialize, Deserialize)]
struct ActionData {
    uri: String,
    version: i32,
    candidate: Candidate,
}

impl Backend {
    /// The refactorings at `params.range` whose kind the client asked for.
    pub(super) async fn refactor_actions(
        &self,
        params: &CodeActionParams,
    ) -> Result<Vec<CodeActionOrCommand>> {
        let only = params.context.only.clone();
        let wanted = |kind: &str| {
            only.as_ref()
                .is_none_or(|only| only.iter().any(|asked| kind.starts_with(asked.as_str())))
        };
        if !wanted("refactor.rewrite") && !wanted("refactor") {
            return Ok(Vec::new());
        }
        let snapshot = self
            .documents
            .snapshot(params.text_document.uri.as_str())
            .map_err(convert::document_error)?;
        let Some(language) = snapshot.language else {
            return Ok(Vec::new());
        };
        let (start, end) = (params.range.start, params.range.end);
        let encoding = self.encoding();
        let documents = self.documents.clone();
        let listed = tokio::task::spawn_blocking(move || {
            let tree = documents.tree(&snapshot)?;
            let text = String::from(&snapshot.text);
            let start = byte_offset(&snapshot.text, convert::position(start), encoding).ok()?;
            let end = byte_offset(&snapshot.text, convert::position(end), encoding).ok()?;
            // Listing reads the tree only; the project's facts are read when resolving.
            let project = Project::default();
            let source = Source {
                text: &text,
                tree: &tree,
                language,
                path: None,
                project: &project,
            };
            Some((actions::list(&source, start, end), snapshot.version))
        })
        .await
        .map_err(super::internal)?;
        let Some((candidates, version)) = listed else {
            return Ok(Vec::new());
        };
        let resolves = self.support().resolve_edit;
        let uri = params.text_document.uri.as_str();
        Ok(candidates
            .into_iter()
            .filter(|candidate| wanted(candidate.id.kind()))
            .map(|candidate| unresolved(uri, version, candidate, resolves))
            .collect())
    }

    /// Fills in the edit of an action listed by `refactor_actions`.
    pub(super) async fn resolve_action(&self, mut action: CodeAction) -> Result<CodeAction> {
        let Some(data) = action.data.clone() else {
            return Ok(action);
        };
        let Ok(data) = serde_json::from_value::<ActionData>(data) else {
            // Not one of Keel's refactorings (quick fixes come with their edit).
            return Ok(action);
        };
        // No edit (a refused fix, already explained to the user): the action does nothing.
        if let Some((edit, title)) = self.compute(&data).await? {
            action.edit = Some(edit);
            action.title = title;
        }
        action.command = None;
        Ok(action)
    }

    /// `keel.action.run`: computes the action and asks the client to apply it.
    pub(super) async fn run_action_command(
        &self,
        params: ExecuteCommandParams,
    ) -> Result<Option<Value>> {
        if params.command != RUN_COMMAND {
            return Err(Error::invalid_params(format!(
                "unknown command {:?}; Keel runs {RUN_COMMAND}",
                params.command
            )));
        }
        let data = params
            .arguments
            .into_iter()
            .next()
            .and_then(|argument| serde_json::from_value::<ActionData>(argument).ok())
            .ok_or_else(|| {
                Error::invalid_params(format!("{RUN_COMMAND} takes the action's data"))
            })?;
        let Some((edit, _)) = self.compute(&data).await? else {
            return Ok(None);
        };
        let applied = self.client.apply_edit(edit).await?;
        if !applied.applied {
            info!(
                reason = applied.failure_reason.as_deref().unwrap_or("none given"),
                "the editor did not apply the action"
            );
        }
        Ok(None)
    }

    /// What a model may be asked about the file at `path`: the provider the configuration
    /// allows (`privacy.allow_remote` included), the deadline, and whether `privacy.exclude`
    /// keeps the file from any model.
    fn model_for(&self, path: Option<&Path>, config: &Config) -> model::Model {
        model::Model {
            provider: self.completions.provider(config).ok(),
            deadline: Duration::from_millis(config.actions.deadline_ms),
            privacy: config.privacy.clone(),
            excluded: path.is_some_and(|path| self.context.index.is_excluded(path)),
        }
    }

    /// Whether "Fix with AI" may be offered in the document `uri`: a model is configured
    /// and may see the file. Decided from the configuration alone: no model call.
    pub(super) fn offers_ai_fixes(&self, uri: &str) -> bool {
        let path = uri
            .parse::<Uri>()
            .ok()
            .and_then(|uri| uri.to_file_path().map(|path| path.into_owned()));
        self.model_for(path.as_deref(), &self.config())
            .may_see_file()
    }

    /// The workspace edit and final title of an action, reporting progress while a model
    /// works; none when an action only a model can make was refused (the user is told why).
    /// Dropping the future (on `$/cancelRequest`) stops the model call.
    async fn compute(&self, data: &ActionData) -> Result<Option<(lsp::WorkspaceEdit, String)>> {
        let snapshot = self
            .documents
            .snapshot(&data.uri)
            .map_err(convert::document_error)?;
        if snapshot.version != data.version {
            return Err(Error::invalid_params(
                "the document changed since this action was listed; ask for code actions again",
            ));
        }
        let language = snapshot
            .language
            .ok_or_else(|| Error::invalid_params("Keel has no actions for this language"))?;
        let uri: Uri = data
            .uri
            .parse()
            .map_err(|_| Error::invalid_params(format!("not a URI: {}", data.uri)))?;
        let path: Option<PathBuf> = uri.to_file_path().map(|path| path.into_owned());
        let mut project = match path.clone() {
            Some(path) => tokio::task::spawn_blocking(move || Project::discover(&path))
                .await
                .map_err(super::internal)?,
            None => Project::default(),
        };
        // Another file the action edits may be open with unsaved changes: the edits are
        // computed on, and versioned against, the text the editor holds.
        let mut others = Vec::new();
        for file in project.files_mut() {
            let Some(uri) = Uri::from_file_path(&file.path) else {
                continue;
            };
            let (text, version) = match self.documents.snapshot(uri.as_str()) {
                Ok(open) => {
                    file.text = String::from(&open.text);
                    (open.text.clone(), Some(open.version))
                }
                Err(_) => (Rope::from_str(&file.text), None),
            };
            others.push((file.path.clone(), uri, text, version));
        }
        let tree = {
            let (documents, snapshot) = (self.documents.clone(), snapshot.clone());
            tokio::task::spawn_blocking(move || documents.tree(&snapshot))
                .await
                .map_err(super::internal)?
                .ok_or_else(|| Error::invalid_params("the document could not be parsed"))?
        };
        let config = self.config();
        let model = self.model_for(path.as_deref(), &config);
        let provider = model.provider.clone();
        let request = model::Request {
            text: String::from(&snapshot.text),
            tree,
            language,
            path,
            project,
            candidate: data.candidate.clone(),
        };
        let rules = self.live.rules();
        let progress = if provider.is_some() {
            Progress::start(&self.client, self.support(), &data.candidate.title).await
        } else {
            Progress::default()
        };
        let report = |message: &str| progress.report(message);
        let resolved = model::resolve(request, model, rules, config.diagnostics, &report).await;
        progress.finish().await;
        let mut title = data.candidate.title.clone();
        let resolved = match resolved {
            Ok(resolved) => resolved,
            Err(message) if data.candidate.id.model_only() => {
                debug!("{title}: no edit: {message}");
                let message = format!("Keel: {title}: {message}.");
                self.client
                    .show_message(MessageType::WARNING, message)
                    .await;
                return Ok(None);
            }
            Err(message) => {
                return Err(Error {
                    message: message.into(),
                    ..Error::invalid_params("")
                });
            }
        };
        if resolved.by_model && !title.ends_with(actions::AI_MARK) {
            title.push_str(actions::AI_MARK);
        }
        if let Some(note) = &resolved.note {
            debug!("action resolved without the model: {note}");
            let message = format!("Keel: {title}: {note}; the deterministic version is used.");
            self.client.show_message(MessageType::INFO, message).await;
        }
        let edits = to_text_edits(&snapshot.text, &resolved.edits, self.encoding());
        let mut edit = workspace_edit(&uri, snapshot.version, edits, self.support());
        for file in &resolved.elsewhere {
            let Some((_, other, text, version)) =
                others.iter().find(|(path, ..)| *path == file.path)
            else {
                continue;
            };
            let edits = to_text_edits(text, &file.edits, self.encoding());
            add_file_edits(&mut edit, other, *version, edits);
        }
        Ok(Some((edit, title)))
    }
}

fn unresolved(
    uri: &str,
    version: i32,
    candidate: Candidate,
    resolves: bool,
) -> CodeActionOrCommand {
    let title = candidate.title.clone();
    let kind = CodeActionKind::from(candidate.id.kind().to_string());
    let data = serde_json::to_value(ActionData {
        uri: uri.to_string(),
        version,
        candidate,
    })
    .ok();
    // Without resolve support, the client runs a command and Keel sends the edit.
    let command = (!resolves).then(|| Command {
        title: title.clone(),
        command: RUN_COMMAND.into(),
        arguments: data.clone().map(|data| vec![data]),
    });
    CodeActionOrCommand::CodeAction(CodeAction {
        title,
        kind: Some(kind),
        data: data.filter(|_| resolves),
        command,
        ..Default::default()
    })
}

/// "Fix with AI" for `finding` (shown as `diagnostic`), unless its rule has a deterministic
/// fix: never preferred, computed on resolve like the refactorings.
pub(super) fn fix_with_ai(
    uri: &str,
    version: i32,
    finding: &Finding,
    diagnostic: &Diagnostic,
    resolves: bool,
) -> Option<CodeActionOrCommand> {
    let candidate = actions::fix::candidate(finding)?;
    let CodeActionOrCommand::CodeAction(mut action) = unresolved(uri, version, candidate, resolves)
    else {
        return None;
    };
    action.diagnostics = Some(vec![diagnostic.clone()]);
    action.is_preferred = Some(false);
    Some(CodeActionOrCommand::CodeAction(action))
}

fn to_text_edits(text: &Rope, edits: &[actions::Edit], encoding: Encoding) -> Vec<TextEdit> {
    let position = |byte| {
        let position = position_of(text, byte, encoding);
        lsp::Position::new(position.line, position.character)
    };
    edits
        .iter()
        .map(|edit| TextEdit {
            range: lsp::Range::new(position(edit.start_byte), position(edit.end_byte)),
            new_text: edit.new_text.clone(),
        })
        .collect()
}

/// `edits` of another file added to `edit`, in the shape `workspace_edit` chose: versioned
/// when the file is open in the editor (so a stale edit is refused), plain otherwise.
fn add_file_edits(
    edit: &mut lsp::WorkspaceEdit,
    uri: &Uri,
    version: Option<i32>,
    edits: Vec<TextEdit>,
) {
    if let Some(lsp::DocumentChanges::Edits(changes)) = &mut edit.document_changes {
        changes.push(lsp::TextDocumentEdit {
            text_document: lsp::OptionalVersionedTextDocumentIdentifier {
                uri: uri.clone(),
                version,
            },
            edits: edits.into_iter().map(lsp::OneOf::Left).collect(),
        });
    } else {
        edit.changes
            .get_or_insert_default()
            .insert(uri.clone(), edits);
    }
}
