//! `keel doctor`: what Keel would run with here, and the state of each part.

use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::config::{FILE_NAME, Layers};
use crate::syntax::Language;

pub(super) fn run(root: Option<PathBuf>) -> ExitCode {
    print!("{}", report(&super::root_or_current(root)));
    ExitCode::SUCCESS
}

/// The report for a workspace rooted at `root`, as text for a terminal.
fn report(root: &Path) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "keel {}", env!("CARGO_PKG_VERSION"));
    let _ = writeln!(out, "\nworkspace: {}", root.display());
    let mut layers = Layers::default();
    let mut problems = layers.load_file(root);
    let file = root.join(FILE_NAME);
    let _ = writeln!(
        out,
        "config file: {}",
        if file.exists() {
            file.display().to_string()
        } else {
            format!("none ({FILE_NAME} not found; using defaults)")
        }
    );
    let resolved = layers.resolve();
    problems.extend(resolved.problems.iter().cloned());
    let _ = writeln!(out, "\nconfiguration (value, then where it came from):");
    for (key, value, source) in resolved.entries() {
        let _ = writeln!(out, "  {key} = {value}  [{source}]");
    }
    if !problems.is_empty() {
        let _ = writeln!(out, "\nconfiguration problems:");
        for problem in &problems {
            let _ = writeln!(out, "  {problem}");
        }
    }
    let _ = writeln!(out, "\nparts:");
    for language in Language::ALL {
        let grammar = language.grammar();
        let state = match language.parse_str("") {
            Some(_) => format!("ok (tree-sitter ABI {})", grammar.abi_version()),
            None => "FAILED to parse".to_string(),
        };
        let _ = writeln!(out, "  syntax {}: {state}", language.name());
    }
    let _ = writeln!(
        out,
        "  language server: stdio; position encodings utf-8 and utf-16; incremental sync"
    );
    let _ = writeln!(out, "\nmodel:");
    for (label, state) in crate::llm::diagnose_blocking(&resolved.config) {
        let _ = writeln!(out, "  {label}: {state}");
    }
    out
}
