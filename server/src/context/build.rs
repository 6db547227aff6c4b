//! The context for one completion: prefix and suffix around the cursor plus ranked
//! snippets (see `rank`), fitted into a token budget (see `budget`). Pure: plain values in,
//! a `FimRequest` out.

use std::borrow::Cow;
use std::sync::Arc;

use tree_sitter::Tree;

use super::budget::{BYTES_PER_TOKEN, Window, fit_to_tokens, floor_boundary, grown_window};
use super::facts::FileFacts;
use super::index::Index;
use super::rank::{self, Candidate};
use crate::prompt::{FimRequest, Snippet, TokenCounter};
use crate::syntax::Language;

/// Shares of the budget the prefix and suffix may take before snippets get theirs; what
/// snippets leave unused goes back to the prefix, then the suffix. At 2,048 tokens 20%
/// still guarantees 40-50 lines of prefix; 0.5 -> 0.3 lifted definition recall by 1-7
/// points on every corpus, 0.3 -> 0.2 by up to 2 more (docs/PERFORMANCE.md).
const PREFIX_SHARE: f64 = 0.2;
const SUFFIX_SHARE: f64 = 0.15;
/// Room (bytes) below which no members listing is rendered: a header and one member.
const MIN_MEMBERS_ROOM: usize = 64;

/// Everything the builder needs about one cursor position.
pub struct Input<'a> {
    pub language: Language,
    /// The document's path as the model sees it (relative to the workspace folder).
    pub path: &'a str,
    pub text: &'a str,
    pub tree: &'a Tree,
    /// The file's definitions and imports; possibly from a slightly older version of it.
    pub facts: &'a FileFacts,
    /// Byte offset of the cursor in `text`.
    pub offset: usize,
    pub budget_tokens: u32,
    /// The provider model's tokenizer, when Keel runs it; otherwise the budget is counted
    /// with `BYTES_PER_TOKEN`.
    pub tokens: Option<&'a TokenCounter>,
    /// The workspace index, when cross-file context is on.
    pub index: Option<&'a Index>,
    /// Regions recently edited in other files, newest first (already privacy-filtered).
    pub recent: &'a [Snippet],
}

/// Builds the request for a completion at `input.offset`, within `input.budget_tokens`
/// (see `budget::fit_to_tokens`).
pub fn build(input: &Input) -> FimRequest {
    fit_to_tokens(input.budget_tokens, input.tokens, |total| {
        build_in(input, total)
    })
}

/// Share of the budget the first prompt of a region takes. The rest is room for its prefix
/// to grow while the user works further down: at 0.4 of 768 tokens, about 300 tokens (0.9 s
/// for the embedded model on two cores) and then 460 more, about 45 lines of code.
const REGION_START_SHARE: f64 = 0.4;

/// Where the prompts of a document's current region begin: the line their prefix starts at
/// and the snippets chosen when the region began. For a provider that keeps the last
/// prompt's KV cache (the embedded model), every prompt in the region then starts with the
/// same bytes, and only what follows the last prompt's cursor is decoded again.
#[derive(Debug, Clone, PartialEq)]
pub struct Region {
    line: usize,
    snippets: Vec<Snippet>,
}

/// `build` for a provider that reuses the longest common start of consecutive prompts.
/// While the cursor stays at or below `region`'s first line and the prompt from there fits
/// `input.budget_tokens`, the prompt is the region's snippets and the text from that line
/// to the cursor; otherwise a new region starts with a `build` of `REGION_START_SHARE` of
/// the budget (the same choice of snippets and window as ever, in less room). Returns the
/// request and the region it belongs to.
pub fn build_in_region(input: &Input, region: Option<&Region>) -> (FimRequest, Region) {
    if let Some(region) = region
        && let Some(request) = continue_region(input, region)
    {
        return (request, region.clone());
    }
    let budget = (f64::from(input.budget_tokens) * REGION_START_SHARE) as u32;
    let request = fit_to_tokens(budget.max(1), input.tokens, |total| build_in(input, total));
    let offset = floor_boundary(input.text, input.offset.min(input.text.len()));
    let start = offset.saturating_sub(request.prefix.len());
    let region = Region {
        line: input
            .text
            .get(..start)
            .map_or(0, |head| head.matches('\n').count()),
        snippets: request.snippets.clone(),
    };
    (request, region)
}

/// The request in `region`, when the cursor is still in it and it fits the budget.
fn continue_region(input: &Input, region: &Region) -> Option<FimRequest> {
    let text = input.text;
    let offset = floor_boundary(text, input.offset.min(text.len()));
    let start = match region.line {
        0 => 0,
        line => text.match_indices('\n').nth(line - 1)?.0 + 1,
    };
    if start > offset {
        return None;
    }
    let total = input.budget_tokens as usize * BYTES_PER_TOKEN;
    let suffix_cap = (text.len() - offset).min((total as f64 * SUFFIX_SHARE) as usize);
    let window = Window::new(text, offset, 0, suffix_cap);
    let mut request = FimRequest::new(
        text[start..offset].to_string(),
        text.get(offset..window.end).unwrap_or("").to_string(),
    );
    request.snippets = region.snippets.clone();
    let used = match input.tokens {
        Some(counter) => counter.count(&request)?,
        None => request_bytes(&request) / BYTES_PER_TOKEN,
    };
    (used <= input.budget_tokens as usize).then_some(request)
}

fn request_bytes(request: &FimRequest) -> usize {
    let snippets: usize = request
        .snippets
        .iter()
        .map(|snippet| snippet.path.len() + snippet.text.len() + 2)
        .sum();
    snippets + request.prefix.len() + request.suffix.as_ref().map_or(0, String::len)
}

/// `build` within `total` bytes.
fn build_in(input: &Input, total: usize) -> FimRequest {
    let text = input.text;
    let offset = floor_boundary(text, input.offset.min(text.len()));
    let prefix_cap = offset.min((total as f64 * PREFIX_SHARE) as usize);
    let suffix_cap = (text.len() - offset).min((total as f64 * SUFFIX_SHARE) as usize);
    let first_window = Window::new(text, offset, prefix_cap, suffix_cap);

    let candidates = rank::candidates(input, offset, &first_window);
    let mut room = total.saturating_sub(prefix_cap + suffix_cap);
    let mut chosen: Vec<Candidate> = Vec::new();
    for mut candidate in candidates {
        if let Some(of) = candidate.members.take() {
            if room < MIN_MEMBERS_ROOM {
                continue;
            }
            let Some(text) = rank::render_members(input, &of) else {
                continue;
            };
            candidate.text = text.into();
        }
        let cost = candidate.text.len() + candidate.path.len() + 2;
        // What does not fit is skipped before the (pairwise) repetition check.
        if cost > room {
            continue;
        }
        // A recent edit can hold a definition already chosen, or the other way round. The
        // lengths first: `contains` prepares its search of the text sought before looking.
        let repeated = chosen.iter().any(|other| {
            other.text.len() >= candidate.text.len()
                && other.path == candidate.path
                && other.text.contains(candidate.text.as_ref())
        });
        if !repeated {
            room -= cost;
            chosen.push(candidate);
        }
    }
    // Definitions the grown window shows give their room back to it, until it shows no
    // more of them (the window only grows, so what was dropped stays in view).
    let window = loop {
        let window = grown_window(text, offset, prefix_cap, suffix_cap, room);
        let before = chosen.len();
        chosen.retain(|candidate| match candidate.at {
            Some(at) if window.shows(at) => {
                room += candidate.text.len() + candidate.path.len() + 2;
                false
            }
            _ => true,
        });
        if chosen.len() == before {
            break window;
        }
    };

    let mut request = FimRequest::new(
        text.get(window.start..offset).unwrap_or("").to_string(),
        text.get(offset..window.end).unwrap_or("").to_string(),
    );
    request.snippets = group(chosen);
    request
}

/// Chosen candidates as one snippet per file, the most relevant file last (nearest the
/// prefix, where models look hardest), after the file's own imports: they are the same
/// wherever the cursor is in the file, so prompts of the file's different regions still
/// begin with the same bytes, which a provider that keeps its KV cache reads only once.
fn group(chosen: Vec<Candidate>) -> Vec<Snippet> {
    let (imports, chosen): (Vec<Candidate>, Vec<Candidate>) =
        chosen.into_iter().partition(Candidate::is_file_imports);
    let mut files: Vec<(Arc<str>, Vec<Cow<str>>)> = Vec::new();
    for candidate in chosen {
        match files.iter_mut().find(|(path, _)| *path == candidate.path) {
            Some((_, texts)) => texts.push(candidate.text),
            None => files.push((candidate.path, vec![candidate.text])),
        }
    }
    let imports = imports
        .into_iter()
        .map(|candidate| (candidate.path, vec![candidate.text]));
    imports
        .chain(files.into_iter().rev())
        .map(|(path, texts)| Snippet {
            path: path.to_string(),
            text: texts.join("\n\n"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{Region, build_in_region};
    use crate::context::testing::{in_snippets, padded, rendered, request, with_input};
    use crate::prompt::FimRequest;

    /// The request at the end of the first line holding `marker`, in `region`.
    fn in_region(
        text: &str,
        marker: &str,
        budget: u32,
        region: Option<&Region>,
    ) -> (FimRequest, Region) {
        let at = text.find(marker).unwrap();
        let offset = at + text[at..].find('\n').unwrap_or(text.len() - at);
        with_input(text, offset, budget, None, None, |input| {
            build_in_region(input, region)
        })
    }

    fn handlers(count: usize) -> String {
        let mut text = String::from(
            "import json\n\nLIMIT = 10\n\n\ndef helper(a):\n    return a + LIMIT\n\n\n",
        );
        for i in 0..count {
            text.push_str(&format!(
                "def handler_{i}(request):\n    body = json.loads(request.body)\n    total_{i} = helper(body['n'])\n    return total_{i}\n\n\n"
            ));
        }
        text
    }

    #[test]
    fn prompts_of_far_apart_regions_of_a_file_begin_with_its_imports() {
        // Methods of classes whose headers the window no longer shows: each region's
        // prompt frames its cursor with a different class.
        let mut text = String::from(
            "import json\nimport logging\nfrom decimal import Decimal\nfrom app.models import Order, User\n\nLIMIT = 10\n\n\n",
        );
        for class in 0..8 {
            text.push_str(&format!("class Group{class}:\n"));
            for i in class * 30..class * 30 + 30 {
                text.push_str(&format!(
                    "    def handler_{i}(self, request):\n        body = json.loads(request.body)\n        total_{i} = body['n'] + LIMIT\n        return total_{i}\n\n"
                ));
            }
            text.push('\n');
        }
        let (first, region) = in_region(&text, "total_45 =", 768, None);
        let (far, other) = in_region(&text, "total_165 =", 768, Some(&region));
        assert_ne!(other, region, "a new region");
        let (first, far) = (rendered(&first), rendered(&far));
        let shared = shared_start(&first, &far);
        assert!(
            first[..shared].contains("from app.models import Order, User"),
            "shared only {:?}",
            &first[..shared]
        );
    }

    /// How many bytes two prompts begin with in common: what a kept KV cache covers.
    fn shared_start(a: &str, b: &str) -> usize {
        a.bytes().zip(b.bytes()).take_while(|(a, b)| a == b).count()
    }

    #[test]
    fn nearby_prompts_in_a_region_begin_with_the_same_bytes() {
        let text = handlers(200);
        let (first, region) = in_region(&text, "total_100 =", 1024, None);
        let first = rendered(&first);
        // Further down, and back up: the same start, so a kept KV cache covers it.
        for marker in ["total_103 =", "total_106 =", "total_99 ="] {
            let (next, same) = in_region(&text, marker, 1024, Some(&region));
            assert_eq!(same, region, "{marker}");
            let next = rendered(&next);
            let shared = shared_start(&first, &next);
            assert!(
                shared >= first.len().min(next.len()) - "total_100 = helper(body['n'])".len(),
                "{marker}: only {shared} of {} bytes shared",
                first.len()
            );
        }
        // The first prompt leaves room to grow: it uses well under the budget.
        assert!(first.len() / 4 < 1024 * 7 / 10, "{} bytes", first.len());
    }

    #[test]
    fn leaving_the_region_starts_a_new_one() {
        let text = handlers(200);
        let (_, region) = in_region(&text, "total_100 =", 1024, None);
        // Above its first line.
        let (above, new) = in_region(&text, "total_10 =", 1024, Some(&region));
        assert_ne!(new, region);
        assert!(above.prefix.ends_with("total_10 = helper(body['n'])"));
        // So far below that the prompt would not fit the budget.
        let (below, new) = in_region(&text, "total_190 =", 1024, Some(&region));
        assert_ne!(new, region);
        assert!(!below.prefix.contains("def handler_100("));
        assert!(below.prefix.ends_with("total_190 = helper(body['n'])"));
    }

    #[test]
    fn a_roomy_budget_sends_the_whole_file() {
        let text = "import os\n\ndef f():\n    return os.getcwd()\n";
        let request = request(text, "return ", 2048, None);
        assert_eq!(request.prefix, "import os\n\ndef f():\n    return ");
        assert_eq!(request.suffix.as_deref(), Some("os.getcwd()\n"));
        assert!(request.snippets.is_empty(), "{:?}", request.snippets);
    }
    #[test]
    fn definitions_the_prefix_grows_to_show_are_not_sent_again_as_snippets() {
        let helpers: String = (0..40)
            .map(|i| format!("def helper_{i}(a):\n    return a + {i}\n\n\n"))
            .collect();
        let text = format!("{helpers}def main():\n    x = helper_3(1)\n");
        let request = request(&text, "x = ", 300, None);
        let shown_twice: Vec<&str> = request
            .snippets
            .iter()
            .flat_map(|snippet| snippet.text.lines())
            .filter(|line| line.starts_with("def ") && request.prefix.contains(line))
            .collect();
        assert!(shown_twice.is_empty(), "{shown_twice:?}");
        assert!(
            in_snippets(&request, "def helper_3(a)"),
            "{:?}",
            request.snippets
        );
    }
    #[test]
    fn scopes_imports_and_same_file_definitions_outside_the_window_become_snippets() {
        let text = format!(
            "from app.models import User\n\nLIMIT = 10\n\n\ndef helper(a, b):\n    \"\"\"Adds.\"\"\"\n    return a + b\n\n{}class Api:\n    def handle(self):\n{}        y = helper(LIMIT, 2)\n",
            padded(100),
            padded(100).replace('#', "        #")
        );
        let request = request(&text, "y = ", 200, None);
        let own: Vec<&str> = request
            .snippets
            .iter()
            .filter(|s| s.path == "app/main.py")
            .map(|s| s.text.as_str())
            .collect();
        // The imports lead the prompt; the rest of the file's own snippets come last.
        assert_eq!(own.len(), 2, "{own:?}");
        assert_eq!(own[0], "from app.models import User");
        assert_eq!(request.snippets[0].text, own[0]);
        let snippet = own[1];
        assert!(
            snippet.contains("class Api:\n    def handle(self):"),
            "{snippet}"
        );
        assert!(
            snippet.contains("def helper(a, b):\n    \"\"\"Adds.\"\"\""),
            "{snippet}"
        );
        assert!(snippet.contains("LIMIT = 10"), "{snippet}");
    }
}
