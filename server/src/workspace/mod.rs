//! Documents and positions: the exact text the editor has, and its syntax trees.
//!
//! Owns the open-document map (ropey + tree-sitter, incremental), position encodings, the
//! memory policy for trees, and the debounce of work that follows a burst of edits. Takes
//! plain values; knows nothing of LSP types or the network. It must never guess when a
//! change does not fit the text: it rejects it and says so, so Keel and the editor never
//! silently diverge.

pub mod background;
pub mod debounce;
pub mod document;
pub mod documents;
pub mod position;
pub mod walk;

pub use background::BackgroundPool;
pub use debounce::{Debounce, Ticket};
pub use document::{Change, Document, SyncError};
pub use documents::{ChangeOutcome, DocumentError, Documents, Snapshot};
pub use position::{Encoding, Position, PositionError};
