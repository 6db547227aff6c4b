//! Reading a review's reply: the model's JSON, however it was wrapped, turned into concerns
//! anchored to the code they quote. A concern whose snippet is not in the function is
//! dropped: a model's line numbers and paraphrases are not trusted, only code it copied.

use std::ops::Range;

use serde_json::Value;

use crate::config::Severity;

/// At most this many concerns per function: a reply listing more is not a review a person
/// reads, and the first ones are the model's surest.
const MAX_PER_FUNCTION: usize = 5;
/// A snippet shorter than this (`x`, `)`) anchors anywhere and says nothing.
const MIN_SNIPPET_CHARS: usize = 4;
/// Messages are one sentence in a problems list, not an essay.
const MAX_MESSAGE_CHARS: usize = 300;

/// One problem the model found, anchored: `span` is where its snippet is in the function's
/// text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Concern {
    pub span: Range<usize>,
    /// At most a warning: a model's opinion never outranks a rule's error.
    pub severity: Severity,
    /// `security`, `reliability`, `performance`, or `other`.
    pub category: &'static str,
    pub message: String,
}

/// The concerns in `reply` whose snippet is in `function`, in the reply's order, without
/// repeats. Anything that is not the JSON asked for gives none.
pub fn concerns(reply: &str, function: &str) -> Vec<Concern> {
    let Some(document) = json_in(reply) else {
        return Vec::new();
    };
    let items = match &document {
        Value::Array(items) => items.as_slice(),
        Value::Object(object) => ["findings", "issues", "problems", "concerns"]
            .iter()
            .find_map(|key| object.get(*key).and_then(Value::as_array))
            .map_or(&[][..], Vec::as_slice),
        _ => &[],
    };
    let mut out: Vec<Concern> = Vec::new();
    for item in items {
        let text = |keys: &[&str]| {
            keys.iter()
                .find_map(|key| item.get(*key).and_then(Value::as_str))
                .map(str::trim)
                .filter(|text| !text.is_empty())
        };
        let (Some(snippet), Some(message)) = (
            text(&["snippet", "code"]),
            text(&["message", "description", "problem"]),
        ) else {
            continue;
        };
        let Some(span) = anchor(snippet, function) else {
            continue;
        };
        let concern = Concern {
            span,
            severity: severity(text(&["severity", "level"]).unwrap_or("warning")),
            category: category(text(&["category", "kind"]).unwrap_or("")),
            message: one_line(message),
        };
        if !out
            .iter()
            .any(|seen| seen.span == concern.span && seen.message == concern.message)
        {
            out.push(concern);
        }
        if out.len() == MAX_PER_FUNCTION {
            break;
        }
    }
    out
}

/// The JSON document in `reply`: the whole reply, or the part from its first `{`/`[` to its
/// last `}`/`]` (models wrap JSON in fences and sentences despite being asked not to).
fn json_in(reply: &str) -> Option<Value> {
    if let Ok(value) = serde_json::from_str(reply.trim()) {
        return Some(value);
    }
    let start = reply.find(['{', '['])?;
    let end = reply.rfind(['}', ']'])?;
    serde_json::from_str(reply.get(start..=end)?).ok()
}

/// Where `snippet` is in `function`: the snippet itself, or else its first line without its
/// indentation (a model re-indents what it quotes).
fn anchor(snippet: &str, function: &str) -> Option<Range<usize>> {
    let long_enough = |text: &str| text.chars().filter(|c| !c.is_whitespace()).count();
    if long_enough(snippet) < MIN_SNIPPET_CHARS {
        return None;
    }
    if let Some(at) = function.find(snippet) {
        return Some(at..at + snippet.len());
    }
    let first = snippet
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty())?;
    if long_enough(first) < MIN_SNIPPET_CHARS {
        return None;
    }
    function.find(first).map(|at| at..at + first.len())
}

fn severity(said: &str) -> Severity {
    match said.to_ascii_lowercase().as_str() {
        "info" | "information" | "low" | "note" => Severity::Info,
        "hint" | "style" => Severity::Hint,
        // "error", "critical", "high", "medium", anything else: capped at a warning.
        _ => Severity::Warning,
    }
}

fn category(said: &str) -> &'static str {
    let said = said.to_ascii_lowercase();
    ["security", "reliability", "performance"]
        .into_iter()
        .find(|known| said.contains(known))
        .unwrap_or("other")
}

fn one_line(message: &str) -> String {
    let joined = message.split_whitespace().collect::<Vec<_>>().join(" ");
    match joined.char_indices().nth(MAX_MESSAGE_CHARS) {
        Some((at, _)) => format!("{}…", &joined[..at]),
        None => joined,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FUNCTION: &str =
        "def fetch(url):\n    data = requests.get(url).json()\n    return data[\"items\"]\n";

    #[test]
    fn a_quoted_snippet_is_anchored_and_an_invented_one_dropped() {
        let reply = r#"{"findings": [
            {"snippet": "requests.get(url)", "severity": "error", "category": "Reliability", "message": "No timeout:\n a slow upstream hangs the worker."},
            {"snippet": "requests.post(url, verify=False)", "severity": "warning", "category": "security", "message": "TLS off."}
        ]}"#;
        let found = concerns(reply, FUNCTION);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(&FUNCTION[found[0].span.clone()], "requests.get(url)");
        assert_eq!(found[0].severity, Severity::Warning, "capped at a warning");
        assert_eq!(found[0].category, "reliability");
        assert_eq!(
            found[0].message,
            "No timeout: a slow upstream hangs the worker."
        );
    }

    #[test]
    fn a_reindented_or_multi_line_snippet_is_found_by_its_first_line() {
        let reply = r#"[{"snippet": "data = requests.get(url).json()\nreturn data", "message": "m", "severity": "low"}]"#;
        let found = concerns(reply, FUNCTION);
        assert_eq!(
            &FUNCTION[found[0].span.clone()],
            "data = requests.get(url).json()"
        );
        assert_eq!(found[0].severity, Severity::Info);
    }

    #[test]
    fn json_wrapped_in_a_fence_and_prose_is_read() {
        let reply = "Here is my review:\n```json\n{\"issues\": [{\"code\": \"data[\\\"items\\\"]\", \"description\": \"KeyError when the upstream changes\"}]}\n```\nHope it helps.";
        let found = concerns(reply, FUNCTION);
        assert_eq!(found.len(), 1);
        assert_eq!(&FUNCTION[found[0].span.clone()], "data[\"items\"]");
        assert_eq!(found[0].category, "other");
    }

    #[test]
    fn garbage_empty_and_tiny_snippets_give_nothing() {
        for reply in [
            "",
            "no problems here",
            "{\"findings\": \"none\"}",
            "{\"findings\": [{\"snippet\": \"(\", \"message\": \"bad\"}]}",
            "{\"findings\": [{\"snippet\": \"requests.get(url)\"}]}",
            "[1, 2, 3]",
            "{\"findings\": [",
        ] {
            assert!(concerns(reply, FUNCTION).is_empty(), "{reply:?}");
        }
    }

    #[test]
    fn repeats_are_dropped_and_a_long_list_is_cut() {
        let item = r#"{"snippet": "requests.get(url)", "message": "no timeout"}"#;
        let reply = format!("[{item}, {item}]");
        assert_eq!(concerns(&reply, FUNCTION).len(), 1);
        let many: Vec<String> = (0..9)
            .map(|n| format!(r#"{{"snippet": "requests.get(url)", "message": "problem {n}"}}"#))
            .collect();
        let reply = format!("[{}]", many.join(","));
        assert_eq!(concerns(&reply, FUNCTION).len(), MAX_PER_FUNCTION);
    }

    #[test]
    fn a_long_message_is_cut_on_a_character_boundary() {
        let message = "é".repeat(400);
        let reply = format!(r#"[{{"snippet": "requests.get(url)", "message": "{message}"}}]"#);
        let found = concerns(&reply, FUNCTION);
        assert_eq!(found[0].message.chars().count(), MAX_MESSAGE_CHARS + 1);
    }
}
