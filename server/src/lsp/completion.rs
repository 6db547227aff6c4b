//! `textDocument/inlineCompletion`, `textDocument/completion` and `keel/status`: LSP types to
//! the completion engine's plain values and back.

use std::sync::Arc;

use ropey::Rope;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{
    CompletionItem, CompletionItemKind, CompletionList, CompletionParams, CompletionResponse,
    CompletionTextEdit, InlineCompletionItem, InlineCompletionList, InlineCompletionParams,
    InlineCompletionResponse, InsertTextFormat, MessageType, Range, TextDocumentPositionParams,
    TextEdit,
};
use tracing::debug;

use super::{Backend, convert};
use crate::complete::{Answer, Mode, Request, Status, Suggestion, Workspace};
use crate::workspace::position::{byte_offset, position_of};

impl Backend {
    pub(super) async fn inline_completion(
        &self,
        params: InlineCompletionParams,
    ) -> Result<Option<InlineCompletionResponse>> {
        let items = match self
            .suggest(params.text_document_position, Mode::Inline)
            .await
        {
            Some((Answer::Ready(suggestion), text)) => vec![InlineCompletionItem {
                insert_text: suggestion.new_text(),
                filter_text: None,
                range: Some(self.range(&text, &suggestion)),
                command: None,
                insert_text_format: Some(InsertTextFormat::PLAIN_TEXT),
            }],
            _ => Vec::new(),
        };
        Ok(Some(InlineCompletionResponse::List(InlineCompletionList {
            items,
        })))
    }

    pub(super) async fn completion_items(
        &self,
        params: CompletionParams,
    ) -> Result<Option<CompletionResponse>> {
        let answer = self
            .suggest(params.text_document_position, Mode::Item)
            .await;
        let (items, is_incomplete) = match answer {
            Some((Answer::Ready(suggestion), text)) => {
                let new_text = suggestion.new_text();
                let item = CompletionItem {
                    label: suggestion.label().to_string(),
                    kind: Some(CompletionItemKind::TEXT),
                    detail: Some("Keel".to_string()),
                    // The first line of what the edit replaces the typed text with: it
                    // keeps matching while the user types the suggestion's start.
                    filter_text: new_text.lines().next().map(str::to_string),
                    insert_text_format: Some(InsertTextFormat::PLAIN_TEXT),
                    text_edit: Some(CompletionTextEdit::Edit(TextEdit {
                        range: self.range(&text, &suggestion),
                        new_text,
                    })),
                    ..CompletionItem::default()
                };
                (vec![item], false)
            }
            Some((Answer::Pending | Answer::Superseded, _)) => (Vec::new(), true),
            Some((Answer::Nothing, _)) | None => (Vec::new(), false),
        };
        Ok(Some(CompletionResponse::List(CompletionList {
            is_incomplete,
            items,
        })))
    }

    pub(super) async fn completion_status(&self) -> Result<Status> {
        Ok(self.completions.status(&self.config()))
    }

    /// The engine's answer and the text it was computed on; `None` for a document that is
    /// not open or a position outside it (an empty answer, logged).
    async fn suggest(&self, at: TextDocumentPositionParams, mode: Mode) -> Option<(Answer, Rope)> {
        let uri = at.text_document.uri.as_str();
        let snapshot = match self.documents.snapshot(uri) {
            Ok(snapshot) => snapshot,
            Err(err) => {
                debug!("completion: {err}");
                return None;
            }
        };
        let position = convert::position(at.position);
        let cursor = match byte_offset(&snapshot.text, position, self.encoding()) {
            Ok(cursor) => cursor,
            Err(err) => {
                debug!(uri, "completion: {err}");
                return None;
            }
        };
        let text = snapshot.text.clone();
        self.watch_provider();
        let workspace = Workspace {
            index: self.context.index.clone(),
            recent: self.context.recent.clone(),
            facts: self.context.facts.clone(),
            path: at
                .text_document
                .uri
                .to_file_path()
                .map(|path| path.into_owned()),
            name: uri.to_string(),
            version: snapshot.version,
        };
        let answer = self
            .completions
            .complete(Request {
                documents: self.documents.clone(),
                snapshot,
                cursor,
                config: self.config(),
                mode,
                workspace,
            })
            .await;
        Some((answer, text))
    }

    /// Tells the user once about a provider that cannot be used, and watches each new
    /// provider's outages. A missing default model is offered for download instead.
    fn watch_provider(&self) {
        let config = self.config();
        match self.completions.provider(&config) {
            Ok(provider) => {
                let id = Arc::as_ptr(&provider).cast::<()>() as usize;
                let new = self
                    .watched_provider
                    .lock()
                    .map(|mut watched| std::mem::replace(&mut *watched, id) != id)
                    .unwrap_or(false);
                if new {
                    super::model::watch_outages(
                        self.client.clone(),
                        provider.name(),
                        provider.circuit(),
                    );
                }
            }
            Err(message) if config.provider.kind.is_some() => {
                let (client, notices) = (self.client.clone(), self.notices.clone());
                tokio::spawn(async move {
                    let text = format!("Keel: completions are off: {message}");
                    notices
                        .show_once(&client, &text, MessageType::ERROR, text.clone())
                        .await;
                });
            }
            Err(_) => {}
        }
    }

    fn range(&self, text: &Rope, suggestion: &Suggestion) -> Range {
        let encoding = self.encoding();
        let lsp = |byte| {
            let position = position_of(text, byte, encoding);
            tower_lsp_server::ls_types::Position::new(position.line, position.character)
        };
        Range::new(lsp(suggestion.start), lsp(suggestion.cursor))
    }
}
