//! Backend diagnostics: the rule engine. Owns the rules (`queries/<lang>/rules/`, a team's
//! `.keel/rules/`), their predicates and the vocabulary those read (`vocabulary.toml`
//! under `queries/` and `.keel/`, whose secret-name test prompt redaction shares),
//! suppressions, quick fixes and the reports of `keel check`. Calls only `syntax`,
//! `config` and `workspace::walk`; takes text and trees, returns findings in byte offsets.
//! Architecture invariant: no LSP types, no network, no printing (the CLI and `lsp/` show
//! what it returns), no panic on a user's rule, vocabulary or source file. It also owns the
//! findings cache (by document version and rule-set generation) and the edit that adds a
//! `keel: ignore[...]` comment, so the editor and `keel check` share them.

mod cache;
mod captures;
pub mod check;
mod fix;
mod predicate;
pub mod report;
mod rule;
mod ruleset;
mod suppress;
pub mod vocabulary;

use serde::Serialize;

use crate::config::Severity;

pub use cache::FindingsCache;
pub use fix::{Edit, EditSpec, Fix, FixSpec, apply_fixes};
pub use predicate::is_secret_name;
pub use rule::{Category, Docs, Equivalents, Rule, RuleError, severity_name};
pub use ruleset::{Fixed, LoadError, RuleSet};
pub use suppress::{LineInsert, ignore_edit};
pub use vocabulary::Vocabulary;

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
    /// Other places that explain the finding (where a tainted value was read).
    pub related: Vec<Related>,
}

/// A place in the same file that a finding refers to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Related {
    pub message: String,
    pub start_byte: usize,
    pub end_byte: usize,
}
