//! Keel: a language server for backend engineers.
//!
//! The binary (`main.rs`) hands the command line to `cli`, a thin layer over this library.
//! Core modules (`workspace`, `syntax`, `config`) take plain values and know nothing of LSP;
//! `lsp` converts protocol types to them and back and holds no logic of its own.

/// Code actions: candidates from the syntax tree, edits checked before they are returned.
pub mod actions;
/// The command line: clap types, exit codes and printing, one file per subcommand.
pub mod cli;
/// The completion engine: request building, debounce, cancellation, cache, post-processing.
pub mod complete;
/// The one configuration type, merged from its layers and validated.
pub mod config;
/// The workspace index and what a prompt holds: ranking, budget, redaction.
pub mod context;
/// The rule engine: rules, predicates, vocabulary, suppressions, fixes, reports.
pub mod diagnostics;
/// Model providers (HTTP and the embedded llama.cpp) and the model store.
pub mod llm;
/// `tracing` to stderr, quiet at the default level; warnings also go to the editor.
pub mod logging;
/// The protocol surface: stdio framing, capabilities, one thin handler per method.
pub mod lsp;
/// The server's use of the C allocator.
pub mod memory;
/// The request types the context engine builds and the providers send.
pub mod prompt;
/// AI review on save: changed functions sent to the model, its concerns anchored to the code.
pub mod review;
/// The language registry: grammars and per-thread parsers.
pub mod syntax;
/// Open documents, positions, file walking, debounce.
pub mod workspace;
