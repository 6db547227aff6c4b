//! The requests a model is asked, as plain values: the fill-in-the-middle request the
//! context engine builds (with `Snippet`s of other files) and a provider sends, the chat
//! request, and the token count a prompt is fitted with. A module of its own so that
//! `context` (which builds and redacts requests) and `llm` (which renders and sends them)
//! share these types without either depending on the other. No I/O and no rendering here:
//! each provider renders its own template.

use std::sync::Arc;

/// A fill-in-the-middle request: the model writes what goes between `prefix` and `suffix`.
#[derive(Debug, Clone, PartialEq)]
pub struct FimRequest {
    pub prefix: String,
    pub suffix: Option<String>,
    /// Other code the model may look at, e.g. definitions of names near the cursor.
    pub snippets: Vec<Snippet>,
    pub stop: Vec<String>,
    pub max_tokens: u32,
    pub temperature: f32,
}

impl FimRequest {
    /// The byte offset of a 1-based line and column (the column counts characters).
    pub fn cursor(text: &str, line: usize, column: usize) -> Result<usize, String> {
        if line == 0 || column == 0 {
            return Err("lines and columns count from 1".to_string());
        }
        let line_starts: Vec<usize> = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(index, _)| index + 1))
            .collect();
        let Some(&start) = line_starts.get(line - 1) else {
            return Err(format!(
                "line {line} is past the end of the text ({} lines)",
                line_starts.len()
            ));
        };
        let end = line_starts.get(line).map_or(text.len(), |next| next - 1);
        let content = text[start..end].trim_end_matches('\r');
        let characters = content.chars().count();
        let offset = match content.char_indices().nth(column - 1) {
            Some((offset, _)) => offset,
            None if column - 1 == characters => content.len(),
            None => {
                return Err(format!(
                    "column {column} is past the end of line {line} ({characters} characters)"
                ));
            }
        };
        Ok(start + offset)
    }

    /// A request with Keel's usual limits and no context snippets.
    pub fn new(prefix: String, suffix: String) -> FimRequest {
        FimRequest {
            prefix,
            suffix: Some(suffix),
            snippets: Vec::new(),
            stop: Vec::new(),
            max_tokens: 128,
            // Greedy: the same spot gets the same suggestion, as the prompt cache assumes.
            // Sampled at 0.2, the small embedded model wrote an answer that did not fit
            // (rejected by post-processing) about once in six runs of `scripts/demo`.
            temperature: 0.0,
        }
    }
}

/// How many tokens the prompt a provider sends for a request is, counted by the model's
/// own tokenizer where Keel runs it (the embedded model). `None` when it cannot say (the
/// model did not load); prompts are then fitted to the budget with an estimate.
#[derive(Clone)]
pub struct TokenCounter(Arc<CountTokens>);

type CountTokens = dyn Fn(&FimRequest) -> Option<usize> + Send + Sync;

impl TokenCounter {
    pub fn new(count: impl Fn(&FimRequest) -> Option<usize> + Send + Sync + 'static) -> Self {
        TokenCounter(Arc::new(count))
    }

    pub fn count(&self, request: &FimRequest) -> Option<usize> {
        (self.0)(request)
    }
}

/// A piece of another file given to the model as context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    pub path: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChatRequest {
    pub system: String,
    pub messages: Vec<Message>,
    pub max_tokens: u32,
    pub temperature: f32,
    /// Ask for a JSON document as the whole answer (where the API has a way to say so).
    pub json: bool,
    /// Nobody waits on the answer right now (an AI review): a backend that runs one request
    /// at a time (the embedded model) lets any request the editor waits for go first, and
    /// this one fails saying so.
    pub background: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub role: Role,
    pub content: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    User,
    Assistant,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_and_column_is_a_byte_offset_counting_characters() {
        let text = "def f():\r\n    return 1\nprint(\"é\")";
        assert_eq!(FimRequest::cursor(text, 2, 5), Ok("def f():\r\n    ".len()));
        assert_eq!(FimRequest::cursor(text, 1, 9), Ok("def f():".len()));
        let after_accent = FimRequest::cursor(text, 3, 9).unwrap();
        assert_eq!(&text[..after_accent], text.trim_end_matches("\")"));
        assert!(FimRequest::cursor(text, 4, 1).is_err());
        assert!(FimRequest::cursor(text, 1, 10).is_err());
        assert!(FimRequest::cursor(text, 0, 1).is_err());
    }
}
