//! Keel: a language server for backend engineers.
//!
//! The binary (`main.rs`) is a thin CLI over this library. Core modules (`workspace`,
//! `syntax`, `config`) take plain values and know nothing of LSP; `lsp` converts protocol
//! types to them and back and holds no logic of its own.

pub mod actions;
pub mod complete;
pub mod config;
pub mod context;
pub mod diagnostics;
pub mod doctor;
pub mod llm;
pub mod logging;
pub mod lsp;
pub mod memory;
pub mod syntax;
pub mod workspace;
