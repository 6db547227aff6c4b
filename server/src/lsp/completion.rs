//! `textDocument/inlineCompletion`, `textDocument/completion` and `keel/status`: LSP types to
//! the completion engine's plain values and back.

use std::sync::Arc;

use ropey::Rope;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{
    CompletionItem, CompletionItemKind, CompletionList, CompletionParams, CompletionResponse,
    CompletionTextEdit, InlineCompletionItem, InlineCompletionList, InlineCompletionParams,
    InlineCompletionResponse, InsertTextFormat, InsertTextMode, MessageType, Range,
    TextDocumentPositionParams, TextEdit, Uri,
};
use tracing::debug;

use super::{Backend, convert};
use crate::complete::{Answer, Mode, Request, Status, Suggestion};
use crate::workspace::position::{byte_offset, position_of};

/// How far below an edit the embedded model reads ahead: the next suggestion is usually
/// within a few dozen lines.
const PREFILL_AHEAD_LINES: usize = 40;

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
                let range = self.range(&text, &suggestion);
                let indent = self
                    .support()
                    .snippets
                    .then(|| indentation(&text, suggestion.start));
                (vec![item(&suggestion, range, indent.as_deref())], false)
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
        let workspace = self
            .context
            .workspace(&at.text_document.uri, snapshot.version);
        let config = self.config();
        let _thinking = self.status.thinking(config.clone());
        let answer = self
            .completions
            .complete(Request {
                documents: self.documents.clone(),
                snapshot,
                cursor,
                config,
                mode,
                workspace,
            })
            .await;
        Some((answer, text))
    }

    /// After an edit at `line` of `uri`: the embedded model reads ahead the prompt of a
    /// completion `PREFILL_AHEAD_LINES` further down, once the user pauses (see
    /// `Engine::prefill`), so the next suggestion between here and there comes quickly.
    pub(super) fn prefill_after_edit(&self, uri: &Uri, line: u32) {
        let Ok(snapshot) = self.documents.snapshot(uri.as_str()) else {
            return;
        };
        let text = &snapshot.text;
        // The end of a line, before its line break.
        let line_end = |line: usize| {
            let mut end = text.line_to_byte(line.min(text.len_lines()));
            for byte in [b'\n', b'\r'] {
                if end > 0 && text.byte(end - 1) == byte {
                    end -= 1;
                }
            }
            end
        };
        let from = line_end(line as usize + 1);
        let cursor = line_end(line as usize + PREFILL_AHEAD_LINES + 1).max(from);
        let workspace = self.context.workspace(uri, snapshot.version);
        self.completions.prefill(
            Request {
                documents: self.documents.clone(),
                cursor,
                snapshot,
                config: self.config(),
                mode: Mode::Inline,
                workspace,
            },
            from,
        );
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
                    self.status.watch(provider.circuit(), config.clone());
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

/// The completion item for `suggestion`, replacing `range` (what was typed on the line).
///
/// A client that takes snippets (`snippet_indent` is its cursor line's indentation) gets one:
/// Neovim inserts only the first word of a plain-text item, but every editor expands a
/// snippet whole. Otherwise the text is plain. Either way `filterText` is the edit's first
/// line, so the item keeps matching while the user types the suggestion's start.
fn item(suggestion: &Suggestion, range: Range, snippet_indent: Option<&str>) -> CompletionItem {
    let plain = suggestion.new_text();
    let filter_text = plain.lines().next().map(str::to_string);
    let (format, mode, new_text) = match snippet_indent.and_then(|indent| snippet(&plain, indent)) {
        Some(body) => (
            InsertTextFormat::SNIPPET,
            Some(InsertTextMode::ADJUST_INDENTATION),
            body,
        ),
        None => (InsertTextFormat::PLAIN_TEXT, None, plain),
    };
    CompletionItem {
        label: suggestion.label().to_string(),
        kind: Some(CompletionItemKind::TEXT),
        detail: Some("Keel".to_string()),
        filter_text,
        insert_text_format: Some(format),
        insert_text_mode: mode,
        text_edit: Some(CompletionTextEdit::Edit(TextEdit { range, new_text })),
        ..CompletionItem::default()
    }
}

/// `text` as a snippet body: `\`, `$` and `}` escaped, and each later line relative to
/// `indent`, because snippet clients indent every new line like the cursor's line (and drop
/// `\r`, which Neovim would insert literally). `None` when a later line is indented less than
/// the cursor's line, which a snippet cannot express.
fn snippet(text: &str, indent: &str) -> Option<String> {
    let mut body = String::with_capacity(text.len() + 8);
    for (index, line) in text.split('\n').enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let line = match index {
            0 => line,
            _ if line.trim().is_empty() => "",
            _ => line.strip_prefix(indent)?,
        };
        if index > 0 {
            body.push('\n');
        }
        for c in line.chars() {
            if matches!(c, '\\' | '$' | '}') {
                body.push('\\');
            }
            body.push(c);
        }
    }
    Some(body)
}

/// The indentation of the line holding byte `at`.
fn indentation(text: &Rope, at: usize) -> String {
    let line = text.byte_to_line(at.min(text.len_bytes()));
    text.line(line)
        .chars()
        .take_while(|c| matches!(c, ' ' | '\t'))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snippet_escapes_its_markers_and_is_relative_to_the_cursor_line() {
        let text = "    if x:\r\n        cost = f\"${a}\" \\ 2\r\n\r\n    return";
        assert_eq!(
            snippet(text, "    ").as_deref(),
            Some("    if x:\n    cost = f\"\\${a\\}\" \\\\ 2\n\nreturn")
        );
    }

    #[test]
    fn a_line_left_of_the_cursor_line_cannot_be_a_snippet() {
        assert_eq!(snippet("    return x\nprint(y)", "    "), None);
    }

    #[test]
    fn items_are_snippets_only_for_clients_that_take_them() {
        let suggestion = Suggestion {
            start: 4,
            cursor: 10,
            typed: "return".into(),
            text: " json.load(f)".into(),
        };
        let range = Range::default();
        let plain = item(&suggestion, range, None);
        assert_eq!(plain.insert_text_format, Some(InsertTextFormat::PLAIN_TEXT));
        let snippet = item(&suggestion, range, Some("    "));
        assert_eq!(snippet.insert_text_format, Some(InsertTextFormat::SNIPPET));
        for item in [plain, snippet] {
            let Some(CompletionTextEdit::Edit(edit)) = item.text_edit else {
                panic!("no text edit");
            };
            assert_eq!(edit.new_text, "return json.load(f)");
            assert_eq!(item.filter_text.as_deref(), Some("return json.load(f)"));
        }
    }
}
