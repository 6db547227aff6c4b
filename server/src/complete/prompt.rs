//! The one place a completion's model request is built: the context engine's prompt
//! (enclosing scopes, imports, definitions from the workspace, recent edits, within the
//! token budget, secrets redacted) with the limits the suggestion's shape allows. Text the
//! engine cannot parse gets whole lines around the cursor, redacted the same way.

use std::path::PathBuf;
use std::sync::Arc;

use ropey::Rope;

use super::{Shape, Site};
use crate::config::Config;
use crate::context::build::fit_to_tokens;
use crate::context::{self, FactsCache, Index, RecentEdits};
use crate::llm::{FimRequest, TokenCounter};

/// Tokens a one-line suggestion may take: a long line of code.
const LINE_TOKENS: u32 = 64;
/// Tokens per line of a block suggestion.
const BLOCK_TOKENS_PER_LINE: u32 = 24;

/// What the prompt may draw on beyond the document: the workspace index and recent edits,
/// and the document's file (for `privacy.exclude` and the name the model sees).
#[derive(Clone)]
pub struct Workspace {
    pub index: Arc<Index>,
    pub recent: Arc<RecentEdits>,
    /// Whole-file facts of the open documents.
    pub facts: Arc<FactsCache>,
    pub path: Option<PathBuf>,
    /// The document's name when it has no file (e.g. an untitled buffer's URI).
    pub name: String,
    /// The document's version the request is for.
    pub version: i32,
}

/// The model request for the cursor of `site`, or `None` when
/// `privacy.exclude` covers the document (nothing of it may reach a model). `tokens` is
/// the provider model's tokenizer, when Keel runs it (see `context::build::fit_to_tokens`).
pub fn build(
    site: &Site,
    shape: Shape,
    config: &Config,
    workspace: &Workspace,
    tokens: Option<&TokenCounter>,
) -> Option<FimRequest> {
    let (text, cursor) = (&site.text, site.cursor);
    let mut request = match (site.language, &site.tree) {
        (Some(language), Some(tree)) => {
            // Sized up front: `to_string` grows the string chunk by chunk.
            let whole = String::from(text);
            let document = context::Document {
                language,
                path: workspace.path.as_deref(),
                name: &workspace.name,
                version: workspace.version,
                text: &whole,
                tree,
            };
            let sources = context::Sources {
                index: &workspace.index,
                recent: &workspace.recent,
                facts: &workspace.facts,
            };
            context::completion_request(&sources, &document, cursor, config, tokens)?
        }
        _ => {
            if let Some(path) = &workspace.path
                && workspace.index.is_excluded(path)
            {
                return None;
            }
            let mut request = fit_to_tokens(config.context.budget_tokens, tokens, |total| {
                lines_around(text, cursor, total)
            });
            context::redact_request(&mut request, &config.privacy);
            request
        }
    };
    let (stop, max_tokens) = match shape {
        Shape::Line => (vec!["\n".to_string()], LINE_TOKENS),
        Shape::Block => (
            Vec::new(),
            config
                .completion
                .max_lines
                .saturating_mul(BLOCK_TOKENS_PER_LINE),
        ),
    };
    request.stop = stop;
    request.max_tokens = max_tokens;
    Some(request)
}

/// Whole lines of the current file around the cursor within `budget` bytes: three
/// quarters before it and the rest after.
fn lines_around(text: &Rope, cursor: usize, budget: usize) -> FimRequest {
    let before = budget / 4 * 3;
    let after = budget - before;
    let start = line_boundary_at_or_after(text, cursor.saturating_sub(before)).min(cursor);
    let end = line_boundary_at_or_before(text, cursor.saturating_add(after)).max(cursor);
    FimRequest::new(
        text.byte_slice(start..cursor).to_string(),
        text.byte_slice(cursor..end).to_string(),
    )
}

/// The first line start at or after `byte`: a prompt never begins mid-line.
fn line_boundary_at_or_after(text: &Rope, byte: usize) -> usize {
    let line = text.byte_to_line(byte);
    let start = text.line_to_byte(line);
    if start == byte {
        byte
    } else {
        text.line_to_byte((line + 1).min(text.len_lines()))
    }
}

/// The last line start at or before `byte`, or the end of the text.
fn line_boundary_at_or_before(text: &Rope, byte: usize) -> usize {
    if byte >= text.len_bytes() {
        return text.len_bytes();
    }
    text.line_to_byte(text.byte_to_line(byte))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unparsed_text_goes_whole_when_small_and_is_cut_at_line_starts_when_big() {
        let text = Rope::from_str("a = 1\nb = 2\nc = |\nd = 4\n");
        let cursor = text.to_string().find('|').unwrap();
        let config = Config::default();
        let workspace = Workspace {
            index: Arc::new(Index::new()),
            recent: Arc::new(RecentEdits::new()),
            facts: Arc::new(FactsCache::default()),
            path: None,
            name: "untitled".into(),
            version: 0,
        };
        let site = Site::new(text, None, None, cursor);
        let request = build(&site, Shape::Line, &config, &workspace, None).unwrap();
        assert_eq!(request.prefix, "a = 1\nb = 2\nc = ");
        assert_eq!(request.suffix.as_deref(), Some("|\nd = 4\n"));
        assert_eq!(request.stop, vec!["\n".to_string()]);

        let line = "x = 1234567\n";
        let big = Rope::from_str(&line.repeat(10_000));
        let cursor = big.line_to_byte(5_000) + 4;
        let site = Site::new(big, None, None, cursor);
        let request = build(&site, Shape::Block, &config, &workspace, None).unwrap();
        let budget = config.context.budget_tokens as usize * crate::context::build::BYTES_PER_TOKEN;
        assert!(request.prefix.len() <= budget / 4 * 3);
        assert!(request.prefix.starts_with("x = ") && request.prefix.ends_with("\nx = "));
        let suffix = request.suffix.unwrap();
        assert!(suffix.len() <= budget / 4 && suffix.ends_with('\n'));
        assert!(request.stop.is_empty());
    }
}
