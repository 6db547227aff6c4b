//! What Keel tells the client it can do. Only what works is advertised.

use tower_lsp_server::ls_types::{
    self as lsp, CodeActionKind, CodeActionOptions, CodeActionProviderCapability,
    CompletionOptions, DiagnosticOptions, DiagnosticServerCapabilities, InitializeParams, OneOf,
    PositionEncodingKind, SaveOptions, ServerCapabilities, TextDocumentSyncCapability,
    TextDocumentSyncKind, TextDocumentSyncOptions, TextDocumentSyncSaveOptions,
};

use crate::workspace::Encoding;

/// What the client can take, read once from `initialize`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ClientSupport {
    /// The client asks with `textDocument/diagnostic`, so nothing is pushed.
    pub pull: bool,
    /// `workspace/diagnostic/refresh` can tell a pulling client to ask again.
    pub refresh: bool,
    /// Versioned `documentChanges` in workspace edits, so a stale fix is refused.
    pub document_changes: bool,
    /// `$/progress` for long work (indexing, model download).
    pub progress: bool,
    /// A file watcher can be registered with `client/registerCapability`.
    pub watch: bool,
    /// Completion items may be snippets, which every editor inserts whole (Neovim inserts
    /// only the first word of a plain-text item whose text has spaces).
    pub snippets: bool,
    /// `codeAction/resolve` can fill in an action's edit (else a command applies it).
    pub resolve_edit: bool,
}

impl ClientSupport {
    pub fn from_capabilities(capabilities: &lsp::ClientCapabilities) -> ClientSupport {
        let workspace = capabilities.workspace.as_ref();
        ClientSupport {
            pull: capabilities
                .text_document
                .as_ref()
                .is_some_and(|text| text.diagnostic.is_some()),
            refresh: workspace
                .and_then(|workspace| workspace.diagnostics.as_ref())
                .and_then(|diagnostics| diagnostics.refresh_support)
                .unwrap_or(false),
            document_changes: workspace
                .and_then(|workspace| workspace.workspace_edit.as_ref())
                .and_then(|edit| edit.document_changes)
                .unwrap_or(false),
            progress: capabilities
                .window
                .as_ref()
                .and_then(|window| window.work_done_progress)
                .unwrap_or(false),
            watch: workspace
                .and_then(|workspace| workspace.did_change_watched_files.as_ref())
                .and_then(|watched| watched.dynamic_registration)
                .unwrap_or(false),
            snippets: capabilities
                .text_document
                .as_ref()
                .and_then(|text| text.completion.as_ref())
                .and_then(|completion| completion.completion_item.as_ref())
                .and_then(|item| item.snippet_support)
                .unwrap_or(false),
            resolve_edit: capabilities
                .text_document
                .as_ref()
                .and_then(|text| text.code_action.as_ref())
                .and_then(|action| action.resolve_support.as_ref())
                .is_some_and(|resolve| resolve.properties.iter().any(|p| p == "edit")),
        }
    }
}

/// utf-8 when the client offers it (no conversion at all), else utf-16, the LSP default.
pub fn negotiate_encoding(params: &InitializeParams) -> Encoding {
    let offered = params
        .capabilities
        .general
        .as_ref()
        .and_then(|general| general.position_encodings.as_ref());
    match offered {
        Some(kinds) if kinds.contains(&PositionEncodingKind::UTF8) => Encoding::Utf8,
        _ => Encoding::Utf16,
    }
}

pub fn encoding_kind(encoding: Encoding) -> PositionEncodingKind {
    match encoding {
        Encoding::Utf8 => PositionEncodingKind::UTF8,
        Encoding::Utf16 => PositionEncodingKind::UTF16,
        Encoding::Utf32 => PositionEncodingKind::UTF32,
    }
}

pub fn server_capabilities(encoding: Encoding) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(encoding_kind(encoding)),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                // The saved text is the resync path when a change could not be applied.
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(true),
                })),
                ..Default::default()
            },
        )),
        // Pull for clients that ask; the rest get `publishDiagnostics`.
        diagnostic_provider: Some(DiagnosticServerCapabilities::Options(DiagnosticOptions {
            identifier: Some("keel".into()),
            inter_file_dependencies: false,
            workspace_diagnostics: false,
            ..Default::default()
        })),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![
                CodeActionKind::QUICKFIX,
                CodeActionKind::REFACTOR,
                CodeActionKind::REFACTOR_REWRITE,
            ]),
            resolve_provider: Some(true),
            ..Default::default()
        })),
        execute_command_provider: Some(lsp::ExecuteCommandOptions {
            commands: vec![super::actions::RUN_COMMAND.into()],
            ..Default::default()
        }),
        completion_provider: Some(CompletionOptions::default()),
        inline_completion_provider: Some(OneOf::Left(true)),
        ..Default::default()
    }
}
