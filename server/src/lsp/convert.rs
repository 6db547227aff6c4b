//! LSP types to Keel's plain values and back. No logic beyond the mapping.

use tower_lsp_server::ls_types::{self as lsp, TextDocumentContentChangeEvent};

use crate::workspace::{Change, DocumentError, Position};

pub fn position(position: lsp::Position) -> Position {
    Position::new(position.line, position.character)
}

pub fn change(event: TextDocumentContentChangeEvent) -> Change {
    Change {
        range: event
            .range
            .map(|range| (position(range.start), position(range.end))),
        text: event.text,
    }
}

pub fn document_error(err: DocumentError) -> tower_lsp_server::jsonrpc::Error {
    tower_lsp_server::jsonrpc::Error::invalid_params(err.to_string())
}
