//! Helpers of the context engine's tests: a prompt built at a cursor, and a temporary
//! indexed workspace.

use super::build::{Input, build};
use super::facts::FileFacts;
use super::index::Index;
use crate::prompt::{FimRequest, TokenCounter};
use crate::syntax::Language;

pub(super) fn request(text: &str, cursor: &str, budget: u32, index: Option<&Index>) -> FimRequest {
    counted_in(text, cursor, budget, index, None)
}

/// `request` with no index, counting tokens with `tokens`.
pub(super) fn counted(
    text: &str,
    cursor: &str,
    budget: u32,
    tokens: Option<&TokenCounter>,
) -> FimRequest {
    counted_in(text, cursor, budget, None, tokens)
}

pub(super) fn counted_in(
    text: &str,
    cursor: &str,
    budget: u32,
    index: Option<&Index>,
    tokens: Option<&TokenCounter>,
) -> FimRequest {
    let offset = text.find(cursor).unwrap() + cursor.len();
    with_input(text, offset, budget, index, tokens, build)
}

/// Runs `f` on the builder's input for a Python file `app/main.py` holding `text`, with the
/// cursor at byte `offset`.
pub(super) fn with_input<R>(
    text: &str,
    offset: usize,
    budget: u32,
    index: Option<&Index>,
    tokens: Option<&TokenCounter>,
    f: impl FnOnce(&Input) -> R,
) -> R {
    let tree = Language::Python.parse_str(text).unwrap();
    f(&Input {
        language: Language::Python,
        path: "app/main.py",
        text,
        tree: &tree,
        facts: &FileFacts::extract(Language::Python, text, &tree),
        offset,
        budget_tokens: budget,
        tokens,
        index,
        recent: &[],
    })
}

/// A workspace of `files` (display path, text) in a fresh temporary folder, indexed;
/// remove the folder when done.
pub(crate) fn indexed(name: &str, files: &[(&str, &str)]) -> (std::path::PathBuf, Index) {
    let root = std::env::temp_dir().join(format!("keel-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    for (path, text) in files {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let index = Index::new();
    index.configure(vec![root.clone()], &[]).unwrap();
    index.build(&|_| {}).unwrap();
    (root, index)
}

pub(super) fn padded(lines: usize) -> String {
    (0..lines).map(|i| format!("# filler {i:03}\n")).collect()
}

/// A file with definitions far from a cursor at its end: more than any budget here.
pub(super) fn long_module() -> String {
    format!(
        "LIMIT = 10\n\n\ndef helper(a, b):\n    return a + b\n\n{}def handle():\n    y = helper(LIMIT, 2)\n{}",
        padded(300),
        padded(100)
    )
}

pub(super) fn in_snippets(request: &FimRequest, text: &str) -> bool {
    request.snippets.iter().any(|s| s.text.contains(text))
}

/// What a model without FIM tokens is sent: snippets as comments, then the prefix;
/// the suffix is dropped.
pub(super) fn rendered(request: &FimRequest) -> String {
    crate::config::FimTemplate::None.prompt(request)
}
