//! The context engine: symbol extraction (`queries/<lang>/symbols.scm`), the workspace
//! index, context building, ranking, the token budget, and secret redaction.
//! It takes plain values (text, trees, paths, configuration) and returns plain values; it
//! may read workspace files through `workspace::walk`, honouring `privacy.exclude`. It
//! must never do network or LSP work, nor log source text above debug level.

pub mod build;
pub mod eval;
pub mod index;
pub mod queries;
pub mod recent;
pub mod redact;
pub mod symbols;

pub use build::{Input, build};
pub use index::{BuildStats, Definition, Index};
pub use recent::RecentEdits;
pub use redact::{redact_chat, redact_request};
