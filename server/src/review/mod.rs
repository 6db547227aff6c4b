//! AI review on save (`diagnostics.ai_review = "on-save"`): the functions of a saved file
//! that changed since their last review are sent to the model, one at a time, with a request
//! for backend problems as JSON; what comes back is anchored to the code it quotes
//! (`reply`) and placed in the current text beside the rules' findings.
//!
//! Owns which functions a save sends (a content-hash cache of reviewed functions: an
//! unchanged function is never sent twice), the request, the bounds on cost (one model call
//! at a time for the whole server, at most `MAX_PER_SAVE` functions per save, a timeout per
//! call), and where each concern is in the text now. Calls `llm` and `context::redact`;
//! knows nothing of LSP.
//! Must never: send a secret unredacted (the caller decides whether the file may be sent
//! at all, as for completions: `privacy.exclude`, `privacy.allow_remote`); report above a
//! warning; report a concern whose code is not in the function, or whose function changed
//! since it was reviewed; hold up the caller (the model is only awaited, never waited for).

mod reply;

use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, VecDeque};
use std::hash::{Hash, Hasher};
use std::ops::Range;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use dashmap::DashMap;
use tokio::sync::Semaphore;
use tree_sitter::{Node, Tree};

use crate::config::{PrivacyConfig, Severity};
use crate::llm::{ChatRequest, Message, Provider, Role};
use crate::syntax::Language;
use crate::workspace::Debounce;
pub use reply::Concern;

/// Functions sent per save; the others wait for a later save (the cache remembers what was
/// reviewed), so saving a large new file costs a few calls, not one per function.
pub const MAX_PER_SAVE: usize = 8;
/// A function larger than this (about 4,000 tokens) is not sent: too long for the small
/// models Keel runs, and too costly to send on every change.
const MAX_FUNCTION_BYTES: usize = 16_000;
/// Longest wait for one function's review. Nobody waits on it, but a stuck call must not
/// hold the one review slot forever.
const CALL_TIMEOUT: Duration = Duration::from_secs(90);
/// Reviewed functions remembered (their hash and concerns): far more than a day's edits.
const CACHE_ENTRIES: usize = 4_096;
/// Room for the JSON of a few concerns; a longer reply is cut, and its whole concerns kept.
const MAX_REPLY_TOKENS: u32 = 512;

const SYSTEM: &str = "You review one function of a backend service, as a senior engineer \
reviewing a pull request. Report only real problems you are sure of: security (injection, \
hard-coded secrets, unsafe deserialisation, missing authorisation), reliability (unhandled or \
swallowed errors, missing timeouts, leaked resources, races), performance (queries in loops, \
blocking calls in async code, unbounded reads). No style remarks. Answer with JSON only: \
{\"findings\": [{\"snippet\": \"the exact code the problem is on, copied from the function, \
one line at most\", \"severity\": \"warning\" or \"info\", \"category\": \"security\", \
\"reliability\" or \"performance\", \"message\": \"the problem and what to do, in one \
sentence\"}]}. Answer {\"findings\": []} when there is nothing to report.";

/// The model and what it may be sent.
pub struct Ask<'a> {
    pub provider: Arc<dyn Provider>,
    pub privacy: &'a PrivacyConfig,
    pub language: Language,
    /// Shown to the model (relative to the workspace where possible), never read.
    pub path: Option<&'a Path>,
}

/// How one save's review went.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Functions sent to the model.
    pub asked: usize,
    /// Functions left for a later save (over `MAX_PER_SAVE`, or after a failure).
    pub left: usize,
    /// Why the model could not be asked, if it could not.
    pub failure: Option<String>,
    /// A later save of the same document took over.
    pub superseded: bool,
}

/// A concern placed in a document's current text, in bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed {
    pub start_byte: usize,
    pub end_byte: usize,
    pub severity: Severity,
    pub category: &'static str,
    pub message: String,
}

/// A function as it was reviewed, with what the review found in it.
#[derive(Debug, Clone)]
struct Reviewed {
    function: Arc<str>,
    concerns: Arc<[Concern]>,
}

#[derive(Default)]
struct Cache {
    concerns: HashMap<u64, Arc<[Concern]>>,
    /// Insertion order, for forgetting the oldest.
    order: VecDeque<u64>,
}

/// The review state of every document.
pub struct Reviewer {
    /// One model call at a time, whatever the number of documents saved.
    slot: Semaphore,
    cache: Mutex<Cache>,
    /// Per document, the reviewed functions that had concerns.
    documents: DashMap<String, Vec<Reviewed>>,
    /// Per document, the latest save: an earlier save's review stops before its next call.
    saves: Debounce,
}

impl Default for Reviewer {
    fn default() -> Reviewer {
        Reviewer {
            slot: Semaphore::new(1),
            cache: Mutex::default(),
            documents: DashMap::new(),
            saves: Debounce::default(),
        }
    }
}

impl Reviewer {
    /// How many of `functions` a review would send now: those not reviewed before, up to
    /// `MAX_PER_SAVE`.
    pub fn to_send(&self, functions: &[String], ask: &Ask<'_>) -> usize {
        functions
            .iter()
            .filter(|function| self.cached(key(ask, function)).is_none())
            .take(MAX_PER_SAVE)
            .count()
    }

    /// Reviews `functions` (texts of the saved `document`, from `functions`): each one not
    /// reviewed before is sent to the model, up to `MAX_PER_SAVE`. `found` is called each
    /// time the document's concerns change, so they can be shown as they come; `progress`
    /// hears which call of how many is under way.
    pub async fn review(
        &self,
        document: &str,
        functions: Vec<String>,
        ask: &Ask<'_>,
        found: &(dyn Fn() + Send + Sync),
        progress: &(dyn Fn(&str) + Send + Sync),
    ) -> Outcome {
        let save = self.saves.ticket(document);
        let total = self.to_send(&functions, ask);
        let mut outcome = Outcome::default();
        let mut kept = Vec::new();
        for function in functions {
            let key = key(ask, &function);
            if let Some(concerns) = self.cached(key) {
                keep(&mut kept, function, concerns);
                continue;
            }
            if outcome.asked == MAX_PER_SAVE || outcome.failure.is_some() {
                outcome.left += 1;
                continue;
            }
            let Ok(_slot) = self.slot.acquire().await else {
                outcome.left += 1;
                continue;
            };
            if !self.saves.is_current(&save) {
                outcome.superseded = true;
                return outcome;
            }
            // Reviewed by another save while this one waited for the slot.
            if let Some(concerns) = self.cached(key) {
                keep(&mut kept, function, concerns);
                continue;
            }
            outcome.asked += 1;
            progress(&format!(
                "function {} of {}",
                outcome.asked,
                total.max(outcome.asked)
            ));
            let asked = tokio::time::timeout(CALL_TIMEOUT, review_one(&function, ask)).await;
            let concerns: Arc<[Concern]> = match asked {
                Ok(Ok(concerns)) => concerns.into(),
                Ok(Err(failure)) => {
                    outcome.failure = Some(failure);
                    continue;
                }
                Err(_) => {
                    outcome.failure = Some(format!(
                        "the model did not answer within {} s",
                        CALL_TIMEOUT.as_secs()
                    ));
                    continue;
                }
            };
            self.remember(key, concerns.clone());
            if !concerns.is_empty() {
                let reviewed = Reviewed {
                    function: function.as_str().into(),
                    concerns: concerns.clone(),
                };
                self.documents
                    .entry(document.to_string())
                    .or_default()
                    .push(reviewed);
                found();
            }
            keep(&mut kept, function, concerns);
        }
        if self.saves.is_current(&save) {
            // Only the functions the file has now: a deleted function's concerns go.
            self.documents.insert(document.to_string(), kept);
        } else {
            outcome.superseded = true;
        }
        outcome
    }

    /// The document's concerns in `text`, its current text: those of functions that are
    /// still exactly as reviewed, minus those on a line a rule's finding (`covered`, byte
    /// ranges) already flags.
    pub fn place(&self, document: &str, text: &str, covered: &[Range<usize>]) -> Vec<Placed> {
        let Some(reviewed) = self.documents.get(document) else {
            return Vec::new();
        };
        let line_of = |byte: usize| {
            text.get(..byte)
                .map_or(0, |before| before.matches('\n').count())
        };
        let covered: Vec<Range<usize>> = covered
            .iter()
            .map(|range| line_of(range.start)..line_of(range.end) + 1)
            .collect();
        let mut placed = Vec::new();
        for Reviewed { function, concerns } in reviewed.iter() {
            let Some(at) = text.find(&**function) else {
                continue;
            };
            for concern in concerns.iter() {
                let (start, end) = (at + concern.span.start, at + concern.span.end);
                let lines = line_of(start)..line_of(end) + 1;
                if covered
                    .iter()
                    .any(|rule| rule.start < lines.end && lines.start < rule.end)
                {
                    continue;
                }
                placed.push(Placed {
                    start_byte: start,
                    end_byte: end,
                    severity: concern.severity,
                    category: concern.category,
                    message: concern.message.clone(),
                });
            }
        }
        placed
    }

    /// Whether the document has concerns to place (a cheap check before copying its text).
    pub fn has_concerns(&self, document: &str) -> bool {
        self.documents
            .get(document)
            .is_some_and(|reviewed| !reviewed.is_empty())
    }

    /// The document was closed: its concerns go (the cache of reviewed functions stays).
    pub fn forget(&self, document: &str) {
        self.documents.remove(document);
        self.saves.forget(document);
    }

    fn cached(&self, key: u64) -> Option<Arc<[Concern]>> {
        self.cache.lock().ok()?.concerns.get(&key).cloned()
    }

    fn remember(&self, key: u64, concerns: Arc<[Concern]>) {
        let Ok(mut cache) = self.cache.lock() else {
            return;
        };
        if cache.concerns.insert(key, concerns).is_none() {
            cache.order.push_back(key);
        }
        while cache.order.len() > CACHE_ENTRIES {
            if let Some(oldest) = cache.order.pop_front() {
                cache.concerns.remove(&oldest);
            }
        }
    }
}

fn keep(kept: &mut Vec<Reviewed>, function: String, concerns: Arc<[Concern]>) {
    if !concerns.is_empty() {
        kept.push(Reviewed {
            function: function.into(),
            concerns,
        });
    }
}

/// The cache key of a function: its text, its language and the model that read it (another
/// model may see other problems).
fn key(ask: &Ask<'_>, function: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    (ask.provider.name(), ask.language.name(), function).hash(&mut hasher);
    hasher.finish()
}

async fn review_one(function: &str, ask: &Ask<'_>) -> Result<Vec<Concern>, String> {
    let file = ask
        .path
        .map_or("(unsaved)".to_string(), |path| path.display().to_string());
    let mut chat = ChatRequest {
        system: SYSTEM.into(),
        messages: vec![Message {
            role: Role::User,
            content: format!(
                "File {file} ({language}). The function to review:\n{function}\n",
                language = ask.language.name()
            ),
        }],
        max_tokens: MAX_REPLY_TOKENS,
        temperature: 0.0,
        json: true,
        // Completions and actions go first on a model that runs one request at a time.
        background: true,
    };
    crate::context::redact::redact_chat(&mut chat, ask.privacy);
    let reply = crate::llm::read_all(ask.provider.chat(chat))
        .await
        .map_err(|err| format!("the model failed: {err}"))?;
    // Anchored in the function as it is, not as sent: a snippet quoting a redacted secret
    // matches nothing and is dropped.
    Ok(reply::concerns(&reply, function))
}

/// The texts of the functions in `tree` a review covers: every function or method not
/// nested in another one, from the first line of its decorators or attributes to its end,
/// except those over `MAX_FUNCTION_BYTES`.
pub fn functions(text: &str, tree: &Tree) -> Vec<String> {
    let mut ranges = Vec::new();
    let mut stack = vec![tree.root_node()];
    let mut cursor = tree.walk();
    while let Some(node) = stack.pop() {
        let children: Vec<Node<'_>> = node.children(&mut cursor).collect();
        // Where the attributes just above a Rust function start (`#[get("/")]`).
        let mut attributes: Option<usize> = None;
        for child in children {
            match child.kind() {
                "attribute_item" => {
                    attributes.get_or_insert(child.start_byte());
                }
                "function_definition" | "function_item" => {
                    let start = attributes.take().unwrap_or(child.start_byte());
                    ranges.push(start..child.end_byte());
                }
                "decorated_definition"
                    if child
                        .child_by_field_name("definition")
                        .is_some_and(|definition| definition.kind() == "function_definition") =>
                {
                    attributes = None;
                    ranges.push(child.start_byte()..child.end_byte());
                }
                "line_comment" | "block_comment" | "comment" => {}
                _ => {
                    attributes = None;
                    if child.child_count() > 0 {
                        stack.push(child);
                    }
                }
            }
        }
    }
    ranges.sort_by_key(|range| range.start);
    ranges
        .into_iter()
        .filter(|range| range.len() <= MAX_FUNCTION_BYTES)
        .filter_map(|range| {
            let start = text
                .get(..range.start)?
                .rfind('\n')
                .map_or(0, |newline| newline + 1);
            text.get(start..range.end).map(str::to_string)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn functions_are_the_outermost_ones_with_their_decorators_and_attributes() {
        let python = "import os\n\n\n@app.get(\"/\")\ndef index():\n    def inner():\n        return 1\n    return inner()\n\n\nclass Service:\n    def run(self):\n        return os.getcwd()\n\n\nlabel = lambda: 1\n";
        let tree = Language::Python.parse_str(python).unwrap();
        assert_eq!(
            functions(python, &tree),
            [
                "@app.get(\"/\")\ndef index():\n    def inner():\n        return 1\n    return inner()",
                "    def run(self):\n        return os.getcwd()",
            ]
        );
        let rust = "use axum::Json;\n\n#[tracing::instrument]\n// Lists users.\npub async fn list() -> Json<u8> {\n    Json(1)\n}\n\nimpl Store {\n    fn get(&self) -> u8 {\n        let add = |x: u8| x + 1;\n        add(1)\n    }\n}\n";
        let tree = Language::Rust.parse_str(rust).unwrap();
        assert_eq!(
            functions(rust, &tree),
            [
                "#[tracing::instrument]\n// Lists users.\npub async fn list() -> Json<u8> {\n    Json(1)\n}",
                "    fn get(&self) -> u8 {\n        let add = |x: u8| x + 1;\n        add(1)\n    }",
            ]
        );
    }

    #[test]
    fn a_huge_function_is_not_sent() {
        let body = "    x = 1\n".repeat(MAX_FUNCTION_BYTES / 10 + 1);
        let text = format!("def small():\n    return 1\n\n\ndef huge():\n{body}");
        let tree = Language::Python.parse_str(&text).unwrap();
        assert_eq!(functions(&text, &tree), ["def small():\n    return 1"]);
    }

    fn reviewed(reviewer: &Reviewer, document: &str, function: &str, reply: &str) {
        let concerns: Arc<[Concern]> = reply::concerns(reply, function).into();
        assert!(!concerns.is_empty());
        reviewer.documents.insert(
            document.to_string(),
            vec![Reviewed {
                function: function.into(),
                concerns,
            }],
        );
    }

    #[test]
    fn concerns_follow_their_function_and_go_when_it_changes() {
        let reviewer = Reviewer::default();
        let function = "def fetch(url):\n    return requests.get(url).json()";
        reviewed(
            &reviewer,
            "file:///a.py",
            function,
            r#"[{"snippet": "requests.get(url)", "message": "no timeout"}]"#,
        );
        // Lines added above: the concern moves with its function.
        let text = format!("import requests\n\n\n{function}\n");
        let placed = reviewer.place("file:///a.py", &text, &[]);
        assert_eq!(placed.len(), 1);
        assert_eq!(
            &text[placed[0].start_byte..placed[0].end_byte],
            "requests.get(url)"
        );
        // The function was edited since: nothing is placed until it is reviewed again.
        let edited = text.replace("get(url)", "get(url, timeout=5)");
        assert!(reviewer.place("file:///a.py", &edited, &[]).is_empty());
        assert!(reviewer.place("file:///b.py", &text, &[]).is_empty());
    }

    #[test]
    fn a_concern_on_a_line_a_rule_flags_is_dropped() {
        let reviewer = Reviewer::default();
        let function = "def calc(expr):\n    value = eval(expr)\n    return requests.get(value)";
        reviewed(
            &reviewer,
            "file:///a.py",
            function,
            r#"[{"snippet": "eval(expr)", "message": "code injection"}, {"snippet": "requests.get(value)", "message": "no timeout"}]"#,
        );
        let text = format!("{function}\n");
        let eval = text.find("eval(expr)").unwrap();
        let flagged = eval..eval + 10;
        let placed = reviewer.place("file:///a.py", &text, std::slice::from_ref(&flagged));
        assert_eq!(placed.len(), 1);
        assert_eq!(placed[0].message, "no timeout");
    }
}
