//! The one place a completion's model request is built. The context engine will replace
//! the body (cross-file snippets, redaction); callers only see `build`.

use ropey::Rope;

use super::Shape;
use crate::config::Config;
use crate::llm::FimRequest;

/// Rough bytes per token of source code, to turn the token budget into text.
const BYTES_PER_TOKEN: usize = 4;
/// Tokens a one-line suggestion may take: a long line of code.
const LINE_TOKENS: u32 = 64;
/// Tokens per line of a block suggestion.
const BLOCK_TOKENS_PER_LINE: u32 = 24;

/// The model request for a cursor at byte `cursor` of `text`: whole lines of the current
/// file around it, three quarters of the budget before the cursor and the rest after.
pub fn build(text: &Rope, cursor: usize, shape: Shape, config: &Config) -> FimRequest {
    let cursor = cursor.min(text.len_bytes());
    let budget = (config.context.budget_tokens as usize).saturating_mul(BYTES_PER_TOKEN);
    let before = budget / 4 * 3;
    let after = budget - before;
    let start = line_boundary_at_or_after(text, cursor.saturating_sub(before)).min(cursor);
    let end = line_boundary_at_or_before(text, cursor.saturating_add(after)).max(cursor);
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
    FimRequest {
        prefix: text.byte_slice(start..cursor).to_string(),
        suffix: Some(text.byte_slice(cursor..end).to_string()),
        snippets: Vec::new(),
        stop,
        max_tokens,
        temperature: 0.2,
    }
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
    fn small_files_go_whole_and_big_ones_are_cut_at_line_starts() {
        let text = Rope::from_str("a = 1\nb = 2\nc = |\nd = 4\n");
        let cursor = text.to_string().find('|').unwrap();
        let config = Config::default();
        let request = build(&text, cursor, Shape::Line, &config);
        assert_eq!(request.prefix, "a = 1\nb = 2\nc = ");
        assert_eq!(request.suffix.as_deref(), Some("|\nd = 4\n"));
        assert_eq!(request.stop, vec!["\n".to_string()]);

        let line = "x = 1234567\n";
        let big = Rope::from_str(&line.repeat(10_000));
        let cursor = big.line_to_byte(5_000) + 4;
        let request = build(&big, cursor, Shape::Block, &config);
        let budget = config.context.budget_tokens as usize * BYTES_PER_TOKEN;
        assert!(request.prefix.len() <= budget / 4 * 3);
        assert!(request.prefix.starts_with("x = ") && request.prefix.ends_with("\nx = "));
        let suffix = request.suffix.unwrap();
        assert!(suffix.len() <= budget / 4 && suffix.ends_with('\n'));
        assert!(request.stop.is_empty());
    }
}
