//! A cursor in a document: everything the shape, the prompt and the post-processing read.

use std::borrow::Cow;
use std::sync::Arc;

use ropey::{Rope, RopeSlice};
use tree_sitter::Tree;

use super::post::{self, Surroundings};
use super::{Shape, prompt, shape};
use crate::config::Config;
use crate::context::Region;
use crate::llm::{FimRequest, TokenCounter};
use crate::syntax::Language;

/// How far to look for the nearest non-blank line above or below the cursor.
const NEARBY_LINES: usize = 64;

/// A document's text and tree with a cursor at a byte offset (on a character boundary).
pub struct Site {
    pub text: Rope,
    pub tree: Option<Tree>,
    pub language: Option<Language>,
    pub cursor: usize,
    /// The same text in one piece, when the caller keeps one (see `Documents::flat_text`).
    flat: Option<Arc<str>>,
}

/// A finished suggestion and where it goes. Clients replace `start..cursor` (what the user
/// typed on the line so far) with `typed + text`, so they keep showing it while the user
/// types on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    /// Byte offset of the first non-blank character of the cursor's line (or the cursor).
    pub start: usize,
    pub cursor: usize,
    /// The document's text from `start` to the cursor.
    pub typed: String,
    /// What the suggestion adds at the cursor.
    pub text: String,
}

impl Suggestion {
    /// The first line of what is added, for a completion menu.
    pub fn label(&self) -> &str {
        self.text
            .lines()
            .map(str::trim)
            .find(|line| !line.is_empty())
            .unwrap_or("")
    }

    pub fn new_text(&self) -> String {
        format!("{}{}", self.typed, self.text)
    }
}

impl Site {
    pub fn new(text: Rope, tree: Option<Tree>, language: Option<Language>, cursor: usize) -> Site {
        let cursor = cursor.min(text.len_bytes());
        Site {
            text,
            tree,
            language,
            cursor,
            flat: None,
        }
    }

    /// Lends the site `text`, the same text as its rope in one piece, which the prompt
    /// builder then does not copy again.
    pub fn with_flat_text(mut self, text: Arc<str>) -> Site {
        debug_assert_eq!(text.len(), self.text.len_bytes());
        self.flat = Some(text);
        self
    }

    /// The text in one piece: the lent copy, else a new one.
    pub fn flat_text(&self) -> Cow<'_, str> {
        match &self.flat {
            Some(text) => Cow::Borrowed(text),
            // Sized up front: `to_string` grows the string chunk by chunk.
            None => Cow::Owned(String::from(&self.text)),
        }
    }

    pub fn shape(&self) -> Shape {
        let before = self.before().to_string();
        let after = self.after().to_string();
        let previous = self.nearby_line(-1).map(|line| line.to_string());
        shape::decide(
            self.language,
            self.tree.as_ref(),
            self.cursor,
            &before,
            &after,
            previous.as_deref(),
        )
    }

    /// The model request for this cursor; `None` when `privacy.exclude` covers the file.
    /// `tokens` is the provider model's tokenizer, when Keel runs it; `region` the
    /// document's region of prompts, for a provider that reuses its last prompt's start.
    pub fn request(
        &self,
        shape: Shape,
        config: &Config,
        workspace: &prompt::Workspace,
        tokens: Option<&TokenCounter>,
        region: Option<&mut Option<Region>>,
    ) -> Option<FimRequest> {
        prompt::build(self, shape, config, workspace, tokens, region)
    }

    /// The model's `raw` text, post-processed for this cursor, in the document's line
    /// endings; `None` when nothing usable is left.
    pub fn finish(&self, shape: Shape, raw: &str, config: &Config) -> Option<Suggestion> {
        let before = self.before().to_string();
        let after = self.after().to_string();
        let next_line = self.nearby_line(1).map(|line| line.to_string());
        let floor = if shape::opens_block(self.language, &before) {
            post::indentation(&before)
        } else {
            self.nearby_line(-1)
                .map_or(0, |line| post::indentation(&line.to_string()))
        };
        let around = Surroundings {
            language: self.language,
            shape,
            floor,
            line_after: &after,
            next_line: next_line.as_deref(),
            max_lines: config.completion.max_lines as usize,
        };
        let raw = post::after_indentation(raw, &before);
        let text = post::clean(raw, &around)?;
        if post::only_commentary(self.language, &before, &text) {
            return None;
        }
        if let (Some(language), Some(tree)) = (self.language, &self.tree)
            && post::breaks_syntax(language, &self.text, tree, self.cursor, &text)
        {
            return None;
        }
        let text = if self.uses_crlf() {
            text.replace('\n', "\r\n")
        } else {
            text
        };
        let (start, typed) = typed_on_line(&self.text, self.cursor);
        Some(Suggestion {
            start,
            cursor: self.cursor,
            typed,
            text,
        })
    }

    fn line(&self) -> usize {
        self.text.byte_to_line(self.cursor)
    }

    fn line_start(&self) -> usize {
        self.text.line_to_byte(self.line())
    }

    /// The cursor's line up to the cursor.
    fn before(&self) -> RopeSlice<'_> {
        self.text.byte_slice(self.line_start()..self.cursor)
    }

    /// The cursor's line after the cursor, without its line ending.
    fn after(&self) -> RopeSlice<'_> {
        let line = self.text.line(self.line());
        let end = self.line_start() + line.len_bytes() - line_ending(line).len();
        self.text.byte_slice(self.cursor..end.max(self.cursor))
    }

    /// The nearest non-blank line above (`step` -1) or below (`step` 1) the cursor's line.
    fn nearby_line(&self, step: isize) -> Option<RopeSlice<'_>> {
        let line = self.line();
        (1..=NEARBY_LINES)
            .map_while(|distance| line.checked_add_signed(step * distance as isize))
            .take_while(|index| *index < self.text.len_lines())
            .map(|index| self.text.line(index))
            .find(|text| text.chars().any(|c| !c.is_whitespace()))
    }

    /// Whether the lines around the cursor end with `\r\n`.
    fn uses_crlf(&self) -> bool {
        let line = self.line();
        let ending = line_ending(self.text.line(line));
        if !ending.is_empty() || line == 0 {
            return ending == "\r\n";
        }
        line_ending(self.text.line(line - 1)) == "\r\n"
    }
}

/// Where the cursor's line starts past its indentation (the cursor at most), and the text
/// from there to the cursor: what the user has typed on the line.
pub(super) fn typed_on_line(text: &Rope, cursor: usize) -> (usize, String) {
    let line_start = text.line_to_byte(text.byte_to_line(cursor));
    let before = text.byte_slice(line_start..cursor).to_string();
    let indent = before.len() - before.trim_start().len();
    (line_start + indent, before[indent..].to_string())
}

fn line_ending(line: RopeSlice<'_>) -> &'static str {
    let len = line.len_bytes();
    let last = |back: usize| (len >= back).then(|| line.byte(len - back));
    match (last(2), last(1)) {
        (Some(b'\r'), Some(b'\n')) => "\r\n",
        (_, Some(b'\n')) => "\n",
        (_, Some(b'\r')) => "\r",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(language: Language, marked: &str) -> Site {
        let cursor = marked.find('|').unwrap();
        let text = marked.replacen('|', "", 1);
        let tree = language.parse_str(&text);
        Site::new(Rope::from_str(&text), tree, Some(language), cursor)
    }

    #[test]
    fn crlf_documents_get_crlf_suggestions_and_the_typed_text_is_kept() {
        let site = site(Language::Python, "def f(a):\r\n    return |\r\n");
        let config = Config::default();
        let suggestion = site.finish(Shape::Line, "a + 1\n", &config).unwrap();
        assert_eq!(suggestion.typed, "return ");
        assert_eq!(suggestion.new_text(), "return a + 1");
        assert_eq!(suggestion.start, "def f(a):\r\n    ".len());

        let site = self::tests::site(Language::Python, "def f(a):|\r\nx = 1\r\n");
        let block = site
            .finish(Shape::Block, "\n    b = a\n    return b\nx = 1\n", &config)
            .unwrap();
        assert_eq!(block.text, "\r\n    b = a\r\n    return b");
        assert_eq!(block.label(), "b = a");
    }

    #[test]
    fn a_python_block_in_an_empty_body_stops_at_the_dedent() {
        let site = site(Language::Python, "class A:\n    def f(self):\n        |\n");
        assert_eq!(site.shape(), Shape::Block);
        let raw = "x = 1\n        return x\n    def g(self):\n        pass\n";
        let suggestion = site.finish(Shape::Block, raw, &Config::default()).unwrap();
        assert_eq!(suggestion.text, "x = 1\n        return x");
    }
}
