//! The context engine: symbol extraction (`queries/<lang>/symbols.scm`), the workspace
//! index, context building, ranking, the token budget, and secret redaction.
//! It takes plain values (text, trees, paths, configuration) and returns plain values; it
//! may read workspace files through `workspace::walk`, honouring `privacy.exclude`. It
//! must never do network or LSP work, nor log source text above debug level.

pub mod build;
pub mod eval;
pub mod facts;
pub mod index;
pub mod queries;
pub mod recent;
pub mod redact;
mod stdlib;
pub mod symbols;

pub use build::{Input, build};
pub use facts::{FactsCache, FileFacts};
pub use index::{BuildStats, Definition, Index};
pub use recent::RecentEdits;
pub use redact::{redact_chat, redact_request};

use std::path::Path;

use tree_sitter::Tree;

use crate::config::Config;
use crate::llm::{FimRequest, TokenCounter};
use crate::syntax::Language;

/// Where a completion's context comes from besides the document itself.
pub struct Sources<'a> {
    pub index: &'a Index,
    pub recent: &'a RecentEdits,
    pub facts: &'a FactsCache,
}

/// The document a completion is for.
pub struct Document<'a> {
    pub language: Language,
    /// Its file, when it has one (for `privacy.exclude` and the name the model sees).
    pub path: Option<&'a Path>,
    /// Its name when it has no file (e.g. an untitled buffer's URI).
    pub name: &'a str,
    /// Its version, for the cache of whole-file facts.
    pub version: i32,
    pub text: &'a str,
    pub tree: &'a Tree,
}

/// The request to send for a completion at byte `offset` of `document`: context built
/// within `context.budget_tokens` (cross-file only with `context.cross_file`), then
/// redacted, counting tokens with `tokens` (the provider model's tokenizer) when given.
/// `None` when `privacy.exclude` covers the document itself. The document's
/// whole-file facts come from `sources.facts` (see `FactsCache` for when they are
/// computed).
/// CPU work: call it off the LSP task.
pub fn completion_request(
    sources: &Sources,
    document: &Document,
    offset: usize,
    config: &Config,
    tokens: Option<&TokenCounter>,
) -> Option<FimRequest> {
    let index = sources.index;
    if document.path.is_some_and(|path| index.is_excluded(path)) {
        return None;
    }
    let display = document.path.map_or_else(
        || document.name.to_string(),
        |path| index.display_path(path),
    );
    let cross_file = config.context.cross_file;
    let recent = if cross_file {
        sources.recent.snippets(&display)
    } else {
        Vec::new()
    };
    let facts = sources.facts.get_or_extract(
        document.name,
        document.version,
        document.language,
        document.text,
        document.tree,
    );
    let mut request = build(&Input {
        language: document.language,
        path: &display,
        text: document.text,
        tree: document.tree,
        facts: &facts,
        offset,
        budget_tokens: config.context.budget_tokens,
        tokens,
        index: cross_file.then_some(index),
        recent: &recent,
    });
    redact_request(&mut request, &config.privacy);
    Some(request)
}
