//! The one place a completion's model request is built: the context engine's prompt
//! (enclosing scopes, imports, definitions from the workspace, recent edits, within the
//! token budget, secrets redacted) with the limits the suggestion's shape allows. Text the
//! engine cannot parse gets whole lines around the cursor, redacted the same way.

use std::path::PathBuf;
use std::sync::Arc;

use super::{Shape, Site};
use crate::config::Config;
use crate::context::{self, FactsCache, Index, RecentEdits, Region};
use crate::prompt::{FimRequest, TokenCounter};

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
/// the provider model's tokenizer, when Keel runs it (the budget is counted with it).
/// `region`, for a provider that reuses the start of its last prompt: the document's
/// current region, updated (see `context::build_in_region`).
pub fn build(
    site: &Site,
    shape: Shape,
    config: &Config,
    workspace: &Workspace,
    tokens: Option<&TokenCounter>,
    region: Option<&mut Option<Region>>,
) -> Option<FimRequest> {
    let text = site.flat_text();
    let mut request = match (site.language, &site.tree) {
        (Some(language), Some(tree)) => {
            let buffer = context::Buffer {
                language,
                path: workspace.path.as_deref(),
                name: &workspace.name,
                version: workspace.version,
                text: &text,
                tree,
            };
            let sources = context::Sources {
                index: &workspace.index,
                recent: &workspace.recent,
                facts: &workspace.facts,
            };
            context::completion_request(&sources, &buffer, site.cursor, config, tokens, region)?
        }
        _ => {
            if let Some(path) = &workspace.path
                && workspace.index.is_excluded(path)
            {
                return None;
            }
            let mut request =
                context::lines_around(&text, site.cursor, config.budget_tokens(), tokens);
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

#[cfg(test)]
mod tests {
    use ropey::Rope;

    use super::*;

    #[test]
    fn unparsed_text_gets_the_lines_around_the_cursor_whole_when_small() {
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
        let request = build(&site, Shape::Line, &config, &workspace, None, None).unwrap();
        assert_eq!(request.prefix, "a = 1\nb = 2\nc = ");
        assert_eq!(request.suffix.as_deref(), Some("|\nd = 4\n"));
        assert_eq!(request.stop, vec!["\n".to_string()]);

        // Bigger than the budget: the lines around the cursor that fit.
        let big = "x = 1234567\n".repeat(10_000);
        let cursor = big.len() / 2 + 4;
        let site = Site::new(Rope::from_str(&big), None, None, cursor);
        let request = build(&site, Shape::Block, &config, &workspace, None, None).unwrap();
        let lines = context::lines_around(&big, cursor, config.budget_tokens(), None);
        assert!(request.prefix.len() < cursor / 2 && request.prefix.starts_with("x = "));
        assert_eq!(request.prefix, lines.prefix);
        assert_eq!(request.suffix, lines.suffix);
        assert!(request.stop.is_empty());
    }
}
