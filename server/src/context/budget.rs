//! Whole lines around the cursor, and fitting a prompt to the token budget: the window of
//! lines kept around the cursor, and the refits that size a request by the model's own
//! count of its tokens.

use std::ops::Range;

use crate::prompt::{FimRequest, TokenCounter};

/// Bytes per token for the estimate: close enough for code in BPE vocabularies.
pub(super) const BYTES_PER_TOKEN: usize = 4;
/// Times a prompt is rebuilt to fit the model's own token count. The first rebuild uses
/// the bytes per token measured on the prompt itself and almost always lands within
/// `FULL_ENOUGH` of the budget; the limit only bounds a pathological case.
const MAX_REFITS: usize = 3;
/// A prompt using at least this share of the token budget is not rebuilt to use more.
const FULL_ENOUGH: f64 = 0.9;

/// The bytes of the whole lines around `offset`: from the start of the line `before` lines
/// above its own to the end of the line `after` lines below (without its line break).
pub fn line_span(text: &str, offset: usize, before: usize, after: usize) -> Range<usize> {
    let head = text.get(..offset).unwrap_or("");
    let start = head
        .rmatch_indices('\n')
        .nth(before)
        .map_or(0, |(i, _)| i + 1);
    let tail = text.get(offset..).unwrap_or("");
    let end = tail
        .match_indices('\n')
        .nth(after)
        .map_or(text.len(), |(i, _)| offset + i);
    start..end
}

/// The request of whole lines around the cursor at `offset` and nothing else, within
/// `budget` tokens (counted as `fit_to_tokens` does): what a completion sends for text
/// Keel cannot parse, and what the context engine's recall is measured against.
pub fn lines_around(
    text: &str,
    offset: usize,
    budget: u32,
    tokens: Option<&TokenCounter>,
) -> FimRequest {
    fit_to_tokens(budget, tokens, |total| {
        prefix_suffix_only(text, offset, total)
    })
}

/// The request `build_in(total bytes)` makes, with `total` chosen so that the request
/// holds at most `budget` tokens: `budget * BYTES_PER_TOKEN` with no tokenizer. With the
/// model's own, whose count covers the prompt exactly as it is sent (template tokens and
/// all, and without a suffix the template drops), `total` is rescaled by the tokens
/// counted until the request uses most of the budget without going over, or stops growing
/// (all the text there is fits).
pub(super) fn fit_to_tokens(
    budget: u32,
    tokens: Option<&TokenCounter>,
    build_in: impl Fn(usize) -> FimRequest,
) -> FimRequest {
    let budget = budget as usize;
    let mut total = budget.saturating_mul(BYTES_PER_TOKEN);
    let mut request = build_in(total);
    let Some(counter) = tokens else {
        return request;
    };
    // The fullest request within the budget so far, with its tokens.
    let mut best: Option<(usize, FimRequest)> = None;
    for refit in 0..=MAX_REFITS {
        let Some(used) = counter.count(&request) else {
            return best.map_or(request, |(_, best)| best);
        };
        let over = used > budget;
        let grew = best.as_ref().is_none_or(|(most, _)| used > *most);
        if !over && grew {
            best = Some((used, request.clone()));
        }
        let full = !over && used as f64 >= budget as f64 * FULL_ENOUGH;
        if full || (!over && !grew) || refit == MAX_REFITS {
            break;
        }
        // Requests grow in whole lines and snippets, so the bytes they hold trail `total`:
        // rescale `total` itself. Over budget, aim a little under.
        let scale = budget as f64 / used.max(1) as f64 * if over { 0.97 } else { 1.0 };
        let next = (total as f64 * scale) as usize;
        if next == total {
            break;
        }
        total = next;
        request = build_in(total);
    }
    match best {
        Some((_, best)) => best,
        None => trim_to(request, budget, counter),
    }
}

/// Cuts a request still over `budget` tokens after the refits: the lowest-ranked
/// snippets go first (they come first), then the prefix's farthest lines.
fn trim_to(mut request: FimRequest, budget: usize, counter: &TokenCounter) -> FimRequest {
    loop {
        match counter.count(&request) {
            Some(used) if used > budget => {}
            _ => return request,
        }
        if !request.snippets.is_empty() {
            request.snippets.remove(0);
        } else if let Some(newline) = request.prefix.find('\n') {
            request.prefix.drain(..=newline);
        } else if !request.prefix.is_empty() {
            request.prefix.clear();
        } else {
            // Only the suffix is left: cut its farthest line.
            let Some(suffix) = request.suffix.as_mut() else {
                return request;
            };
            let keep = suffix
                .trim_end_matches('\n')
                .rfind('\n')
                .map_or(0, |i| i + 1);
            if keep == suffix.len() {
                return request;
            }
            suffix.truncate(keep);
        }
    }
}

/// Prefix and suffix alone, nearest lines first, in `total` bytes: the suffix takes at most
/// a quarter, and what it leaves goes to the prefix.
fn prefix_suffix_only(text: &str, offset: usize, total: usize) -> FimRequest {
    let offset = floor_boundary(text, offset.min(text.len()));
    let suffix_len = text.len() - offset;
    let prefix_room = offset.min(total - suffix_len.min(total / 4));
    let suffix_room = suffix_len.min(total - prefix_room);
    let window = Window::new(text, offset, prefix_room, suffix_room);
    FimRequest::new(
        text.get(window.start..offset).unwrap_or("").to_string(),
        text.get(offset..window.end).unwrap_or("").to_string(),
    )
}

/// The window with `room` left by the snippets added: to the prefix first, then the suffix.
pub(super) fn grown_window(
    text: &str,
    offset: usize,
    prefix_cap: usize,
    suffix_cap: usize,
    room: usize,
) -> Window {
    let prefix_room = (prefix_cap + room).min(offset);
    let room = room - (prefix_room - prefix_cap);
    let suffix_room = (suffix_cap + room).min(text.len() - offset);
    Window::new(text, offset, prefix_room, suffix_room)
}

/// The part of the file kept around the cursor: whole lines, nearest first.
pub(super) struct Window {
    pub(super) start: usize,
    pub(super) end: usize,
}

impl Window {
    pub(super) fn new(text: &str, offset: usize, before: usize, after: usize) -> Window {
        let prefix = text.get(..offset).unwrap_or("");
        let mut start = offset - before.min(offset);
        if start > 0 {
            // Whole lines only, unless the cursor's own line is longer than the room.
            let line_start = prefix.rfind('\n').map_or(0, |i| i + 1);
            start = match prefix.get(start..).and_then(|rest| rest.find('\n')) {
                Some(newline) if start + newline < offset => start + newline + 1,
                _ => ceil_boundary(text, start.max(line_start.min(offset))),
            };
        }
        let suffix = text.get(offset..).unwrap_or("");
        let mut end = offset + after.min(suffix.len());
        if end < text.len() {
            end = match suffix.get(..end - offset).and_then(|head| head.rfind('\n')) {
                Some(newline) => offset + newline + 1,
                None => floor_boundary(text, end),
            };
        }
        Window { start, end }
    }

    pub(super) fn shows(&self, byte: usize) -> bool {
        (self.start..self.end).contains(&byte)
    }
}

pub(super) fn floor_boundary(text: &str, mut index: usize) -> usize {
    while index > 0 && !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

fn ceil_boundary(text: &str, mut index: usize) -> usize {
    while index < text.len() && !text.is_char_boundary(index) {
        index += 1;
    }
    index
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::build::{Input, build};
    use crate::context::facts::FileFacts;
    use crate::context::testing::{counted, in_snippets, long_module, padded, rendered, request};
    use crate::syntax::Language;

    #[test]
    fn the_budget_cuts_far_lines_first_and_keeps_whole_lines() {
        let text = format!(
            "{}def f():\n    x = 1\n    return x\n{}",
            padded(200),
            padded(200)
        );
        let request = request(&text, "    x = 1\n    ", 100, None);
        let used = request.prefix.len() + request.suffix.as_deref().unwrap_or("").len();
        assert!(used <= 100 * BYTES_PER_TOKEN, "{used}");
        assert!(
            request.prefix.ends_with("def f():\n    x = 1\n    "),
            "{}",
            request.prefix
        );
        assert!(
            request.prefix.starts_with("# filler"),
            "whole lines: {}",
            request.prefix
        );
        assert!(!request.prefix.contains("filler 000"));
        assert!(
            request
                .suffix
                .unwrap()
                .starts_with("return x\n# filler 000\n")
        );
    }
    #[test]
    fn the_models_own_token_count_of_the_prompt_it_is_sent_fills_the_budget_and_stays_within_it() {
        // A stand-in tokenizer with a known count: two bytes per token of what the
        // template renders (a denser vocabulary than the estimate's four).
        let two_bytes = TokenCounter::new(|request| Some(rendered(request).len().div_ceil(2)));
        let text = long_module();
        let request = counted(&text, "y = ", 300, Some(&two_bytes));
        let tokens = two_bytes.count(&request).unwrap();
        assert!((270..=300).contains(&tokens), "{tokens} tokens");
        assert!(request.prefix.ends_with("def handle():\n    y = "));
        assert!(
            in_snippets(&request, "def helper"),
            "{:?}",
            request.snippets
        );
        // The estimate alone would send half as much again.
        let estimated = counted(&text, "y = ", 300, None);
        assert!(two_bytes.count(&estimated).unwrap() > 400);
        // The suffix the template drops is not paid for: the prefix gets its room.
        assert!(request.prefix.len() > estimated.prefix.len() / 2);

        // A tokenizer that cannot count leaves the estimate in force.
        let silent = TokenCounter::new(|_| None);
        assert_eq!(counted(&text, "y = ", 300, Some(&silent)), estimated);
    }
    #[test]
    fn a_tokenizer_that_defeats_rescaling_still_gets_a_prompt_within_its_budget() {
        // Tokens grow with the square of the text: no bytes-per-token figure holds.
        let square = TokenCounter::new(|request| {
            let bytes = rendered(request).len();
            Some(bytes * bytes / 2_000)
        });
        let text = long_module();
        let request = counted(&text, "y = ", 100, Some(&square));
        let tokens = square.count(&request).unwrap();
        assert!(tokens <= 100, "{tokens} tokens");
        assert!(request.prefix.ends_with("    y = "), "{}", request.prefix);
    }
    #[test]
    fn any_offset_of_any_text_is_safe() {
        let text = "def é(x):\n    return \"ü\" + x\n";
        let tree = Language::Python.parse_str(text).unwrap();
        let facts = FileFacts::extract(Language::Python, text, &tree);
        let per_byte = TokenCounter::new(|request| Some(rendered(request).len()));
        for offset in 0..=text.len() + 3 {
            for budget in [0, 1, 5, 2048] {
                for tokens in [None, Some(&per_byte)] {
                    build(&Input {
                        language: Language::Python,
                        path: "a.py",
                        text,
                        tree: &tree,
                        facts: &facts,
                        offset,
                        budget_tokens: budget,
                        tokens,
                        index: None,
                        recent: &[],
                    });
                    lines_around(text, offset, budget, tokens);
                }
            }
            let span = line_span(text, offset, 1, 1);
            assert!(text.get(span).is_some(), "{offset}");
        }
    }

    #[test]
    fn the_lines_around_the_cursor_are_whole_and_the_suffix_takes_at_most_a_quarter() {
        let text = "x = 1234567\n".repeat(10_000);
        let total = 2048 * BYTES_PER_TOKEN;
        let cursor = text.len() / 2 + 4;
        let request = lines_around(&text, cursor, 2048, None);
        let suffix = request.suffix.unwrap();
        assert!(
            suffix.len() <= total / 4 && suffix.ends_with('\n'),
            "{suffix}"
        );
        assert!(request.prefix.len() + suffix.len() <= total);
        assert!(request.prefix.starts_with("x = ") && request.prefix.ends_with("\nx = "));
        // Near the end of the file, the room the suffix leaves goes to the prefix.
        let request = lines_around(&text, text.len() - 8, 2048, None);
        assert!(
            request.prefix.len() > total / 4 * 3,
            "{}",
            request.prefix.len()
        );
    }

    #[test]
    fn a_line_span_counts_whole_lines_from_the_cursors_own() {
        let text = "a\nb\nc\nd\ne\n";
        let at_c = text.find('c').unwrap();
        assert_eq!(&text[line_span(text, at_c, 1, 1)], "b\nc\nd");
        assert_eq!(&text[line_span(text, at_c + 1, 0, 0)], "c");
        assert_eq!(&text[line_span(text, at_c, 5, 5)], text);
    }
}
