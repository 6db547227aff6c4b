//! The context engine: what a completion's prompt holds besides the cursor's lines. It owns
//! symbol extraction, the workspace index, whole-file facts, imports and the files they
//! name, ranking the candidate snippets, the token budget, and secret redaction.
//! It may call `syntax`, `config`, `workspace::walk` (honouring `privacy.exclude`) and
//! `prompt`'s plain types. It must never do network, LSP or model work, print, nor log source
//! text above debug level.

mod budget;
pub mod build;
pub mod facts;
mod imports;
pub mod index;
pub mod queries;
mod rank;
pub mod recent;
pub mod redact;
pub mod stdlib;
pub mod symbols;
#[cfg(test)]
pub(crate) mod testing;

pub use budget::{line_span, lines_around};
pub use build::{Input, Region, build, build_in_region};
pub use facts::{FactsCache, FileFacts};
pub use imports::python_submodule_files;
pub use index::{BuildStats, Definition, Index};
pub use recent::RecentEdits;
pub use redact::{redact_chat, redact_request};

use std::path::Path;

use tree_sitter::Tree;

use crate::config::Config;
use crate::prompt::{FimRequest, TokenCounter};
use crate::syntax::Language;

/// Where a completion's context comes from besides the buffer itself.
pub struct Sources<'a> {
    pub index: &'a Index,
    pub recent: &'a RecentEdits,
    pub facts: &'a FactsCache,
}

/// The buffer a completion is for: a document's text as the editor holds it, parsed.
pub struct Buffer<'a> {
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

/// The request to send for a completion at byte `offset` of `buffer`: context built
/// within `context.budget_tokens` (cross-file only with `context.cross_file`), then
/// redacted, counting tokens with `tokens` (the provider model's tokenizer) when given.
/// `None` when `privacy.exclude` covers the document itself. The buffer's
/// whole-file facts come from `sources.facts` (see `FactsCache` for when they are
/// computed). With `region` (for a provider that reuses the start of its last prompt), the
/// prompt continues the document's region when the cursor is still in it, and `region` is
/// set to the one it belongs to (see `build_in_region`).
/// CPU work: call it off the LSP task.
pub fn completion_request(
    sources: &Sources,
    buffer: &Buffer,
    offset: usize,
    config: &Config,
    tokens: Option<&TokenCounter>,
    region: Option<&mut Option<Region>>,
) -> Option<FimRequest> {
    let index = sources.index;
    if buffer.path.is_some_and(|path| index.is_excluded(path)) {
        return None;
    }
    let display = buffer
        .path
        .map_or_else(|| buffer.name.to_string(), |path| index.display_path(path));
    let cross_file = config.context.cross_file;
    let recent = if cross_file {
        sources.recent.snippets(&display)
    } else {
        Vec::new()
    };
    let facts = sources.facts.get_or_extract(
        buffer.name,
        buffer.version,
        buffer.language,
        buffer.text,
        buffer.tree,
    );
    let input = Input {
        language: buffer.language,
        path: &display,
        text: buffer.text,
        tree: buffer.tree,
        facts: &facts,
        offset,
        budget_tokens: config.budget_tokens(),
        tokens,
        index: cross_file.then_some(index),
        recent: &recent,
    };
    let mut request = match region {
        Some(region) => {
            let (request, current) = build_in_region(&input, region.as_ref());
            *region = Some(current);
            request
        }
        None => build(&input),
    };
    redact_request(&mut request, &config.privacy);
    Some(request)
}
