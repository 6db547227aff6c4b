//! Backend diagnostics: the rule engine (tree-sitter queries from `queries/` plus their
//! metadata), suppressions and the edit that adds one, quick fixes, the findings cache,
//! and what `keel check` computes, with text/JSON/SARIF reports as strings.
//! Takes text and syntax trees as plain values and returns findings in byte offsets; calls
//! only `syntax`, `config` and (for `keel check`) `workspace::walk`. Knows nothing of LSP,
//! the network or the terminal, and must never panic on a user's rule file or source file.

mod cache;
mod captures;
pub mod check;
mod fix;
mod predicate;
pub mod report;
mod rule;
mod ruleset;
mod suppress;

use serde::Serialize;

use crate::config::Severity;

pub use cache::FindingsCache;
pub use fix::{Edit, EditSpec, Fix, FixSpec, apply_fixes};
pub use rule::{Category, Docs, Equivalents, Rule, RuleError, severity_name};
pub use ruleset::{Fixed, LoadError, RuleSet};
pub use suppress::{LineInsert, ignore_edit};

/// One problem a rule found in a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub rule_id: String,
    /// The rule's severity, or the configured override for it.
    pub severity: Severity,
    pub message: String,
    pub start_byte: usize,
    pub end_byte: usize,
    pub fix: Option<Fix>,
}
