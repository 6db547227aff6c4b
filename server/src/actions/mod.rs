//! Code actions: "Add error handling" and "Generate endpoint", listed from the syntax tree
//! alone, computed deterministically, and (in `model`) rewritten by a model whose reply
//! passes `check` or is refused; "Fix with AI" (`fix`), listed from a rule's finding, which
//! only a model's checked edit can resolve. Takes text, a syntax tree and plain facts about the
//! project (`Project`, with the texts of the other files an action may edit); returns edits
//! in byte offsets, for the file and for those others (`Change`). May call `syntax`,
//! `diagnostics` (to re-check a result) and `llm` (only from `model`, never while
//! listing). Knows nothing of LSP, and must never return a model's edit that has not passed
//! `check`.

pub mod check;
mod django;
mod endpoint;
pub mod fix;
pub mod model;
mod project;
mod python;
mod rust;
mod rust_endpoint;
mod syntax;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tree_sitter::Tree;

pub use crate::diagnostics::Edit;
use crate::syntax::Language;
pub use project::{Project, ProjectFile};

/// The end of the title of an action whose edit a model writes: the user sees which edits
/// are AI's, and a client that takes LSP's `LLMGenerated` tag gets it (`lsp/tags.rs`).
pub const AI_MARK: &str = " (AI)";

/// The file an action reads and edits, as plain values.
#[derive(Clone, Copy)]
pub struct Source<'a> {
    pub text: &'a str,
    pub tree: &'a Tree,
    pub language: Language,
    pub path: Option<&'a Path>,
    pub project: &'a Project,
}

/// Which action a candidate is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ActionId {
    AddErrorHandling,
    GenerateEndpoint,
    GenerateCrud,
    FixWithAi,
}

impl ActionId {
    pub const ALL: [ActionId; 4] = [
        ActionId::AddErrorHandling,
        ActionId::GenerateEndpoint,
        ActionId::GenerateCrud,
        ActionId::FixWithAi,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ActionId::AddErrorHandling => "add-error-handling",
            ActionId::GenerateEndpoint => "generate-endpoint",
            ActionId::GenerateCrud => "generate-crud",
            ActionId::FixWithAi => "fix-with-ai",
        }
    }

    pub fn parse(name: &str) -> Option<ActionId> {
        ActionId::ALL.into_iter().find(|id| id.as_str() == name)
    }

    /// The LSP code action kind: a rewrite of existing code, new code, or the fix of a
    /// finding.
    pub fn kind(self) -> &'static str {
        match self {
            ActionId::AddErrorHandling => "refactor.rewrite",
            ActionId::GenerateEndpoint | ActionId::GenerateCrud => "refactor",
            ActionId::FixWithAi => "quickfix",
        }
    }

    /// Only a model can make this action's edit: without one that passes the checks there
    /// is no edit at all.
    pub fn model_only(self) -> bool {
        self == ActionId::FixWithAi
    }
}

/// An action offered at a position: cheap to compute, serialisable, turned into edits
/// only when chosen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    pub id: ActionId,
    pub title: String,
    /// The code the action rewrites (a function) or replaces (a comment), or the flagged
    /// code a fix targets, in bytes.
    pub start_byte: usize,
    pub end_byte: usize,
    /// The finding a fix targets ("Fix with AI" only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finding: Option<Flagged>,
}

/// A rule's finding, as much of it as a fix needs to be asked for and checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flagged {
    pub rule_id: String,
    pub message: String,
}

/// Edits to another file of the project than the one the action runs in (a route
/// registered in a Django app's `urls.py`), in byte offsets of the text `Project` gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileEdits {
    pub path: PathBuf,
    pub edits: Vec<Edit>,
}

/// What an action changes: its own file, and perhaps others.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Change {
    pub edits: Vec<Edit>,
    pub elsewhere: Vec<FileEdits>,
}

impl From<Vec<Edit>> for Change {
    fn from(edits: Vec<Edit>) -> Change {
        Change {
            edits,
            elsewhere: Vec::new(),
        }
    }
}

/// The actions that apply to the byte range `start..end` (a cursor when equal). Reads the
/// syntax tree only: no model, no file access.
pub fn list(source: &Source<'_>, start: usize, end: usize) -> Vec<Candidate> {
    let mut candidates = Vec::new();
    match source.language {
        Language::Python => {
            candidates.extend(python::error_handling_candidate(source, start, end));
        }
        Language::Rust => {
            candidates.extend(rust::error_handling_candidate(source, start, end));
        }
    }
    candidates.extend(endpoint::candidates(source, start));
    candidates
}

/// The deterministic edits of `candidate`, or why there are none.
pub fn deterministic(source: &Source<'_>, candidate: &Candidate) -> Result<Change, String> {
    let change = match (candidate.id, source.language) {
        (ActionId::AddErrorHandling, Language::Python) => {
            python::add_error_handling(source, candidate).map(Change::from)
        }
        (ActionId::AddErrorHandling, Language::Rust) => {
            rust::add_error_handling(source, candidate).map(Change::from)
        }
        (ActionId::GenerateEndpoint, _) => endpoint::from_comment(source, candidate),
        (ActionId::GenerateCrud, _) => endpoint::crud(source, candidate),
        (ActionId::FixWithAi, _) => Err(fix::NO_DETERMINISTIC.to_string()),
    }?;
    if change.edits.is_empty() && change.elsewhere.is_empty() {
        return Err(format!(
            "{}: nothing to change here",
            candidate.title.to_lowercase()
        ));
    }
    Ok(change)
}

/// `text` with `edits` applied. Edits are in byte offsets of `text` and must not overlap;
/// edits at the same offset are inserted in the order given.
pub fn apply(text: &str, edits: &[Edit]) -> String {
    let mut ordered: Vec<&Edit> = edits.iter().collect();
    ordered.sort_by_key(|edit| edit.start_byte);
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for edit in ordered {
        let start = edit.start_byte.clamp(at, text.len());
        out.push_str(text.get(at..start).unwrap_or_default());
        out.push_str(&edit.new_text);
        at = edit.end_byte.clamp(start, text.len());
    }
    out.push_str(text.get(at..).unwrap_or_default());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_apply_in_order_and_insertions_at_one_place_keep_their_order() {
        let edits = [
            Edit {
                start_byte: 4,
                end_byte: 5,
                new_text: "X".into(),
            },
            Edit {
                start_byte: 0,
                end_byte: 0,
                new_text: "a".into(),
            },
            Edit {
                start_byte: 0,
                end_byte: 0,
                new_text: "b".into(),
            },
        ];
        assert_eq!(apply("0123456", &edits), "ab0123X56");
    }
}
