//! "Fix with AI": the quick fix of a rule's finding that has no deterministic fix. Listing
//! reads the finding only (no tree, no model); resolving (in `model`) asks the model for the
//! function or statement around the finding, and `check` refuses the edit unless that
//! finding is gone. There is no deterministic version: a refused edit is no edit, never an
//! unchecked one.

use std::ops::Range;

use tree_sitter::{Node, Tree};

use super::syntax::{line_end, line_start};
use super::{ActionId, Candidate, Flagged};
use crate::diagnostics::{Finding, RuleSet};
use crate::syntax::Language;

/// Why a fix resolves to no edit when the model's is not there or refused.
pub const NO_DETERMINISTIC: &str = "this finding has no deterministic fix, so nothing was changed";

/// The fix offered for `finding`, unless its rule has a deterministic fix of its own.
pub fn candidate(finding: &Finding) -> Option<Candidate> {
    if finding.fix.is_some() {
        return None;
    }
    Some(Candidate {
        id: ActionId::FixWithAi,
        title: format!("Fix {}{}", finding.rule_id, super::AI_MARK),
        start_byte: finding.start_byte,
        end_byte: finding.end_byte,
        finding: Some(Flagged {
            rule_id: finding.rule_id.clone(),
            message: finding.message.clone(),
        }),
    })
}

/// The fixes for the findings on the line holding `at`, as `keel action` lists them.
pub fn candidates(findings: &[Finding], text: &str, at: usize) -> Vec<Candidate> {
    let (start, end) = (line_start(text, at), line_end(text, at));
    findings
        .iter()
        .filter(|finding| finding.start_byte <= end && finding.end_byte >= start)
        .filter_map(candidate)
        .collect()
}

/// The whole lines the model rewrites: the innermost function around `start..end` (with
/// its decorators), or else the top-level statement holding it.
pub(super) fn region(text: &str, tree: &Tree, start: usize, end: usize) -> Range<usize> {
    let root = tree.root_node();
    let Some(node) = root.descendant_for_byte_range(start, end) else {
        return line_start(text, start)..line_end(text, end);
    };
    // Innermost first, the root last.
    let chain: Vec<Node<'_>> = crate::syntax::ancestors(root, node).collect();
    let function = chain
        .iter()
        .position(|node| matches!(node.kind(), "function_definition" | "function_item"));
    let chosen = match function {
        Some(at) => match chain.get(at + 1) {
            Some(parent) if parent.kind() == "decorated_definition" => *parent,
            _ => chain[at],
        },
        None => chain
            .len()
            .checked_sub(2)
            .and_then(|at| chain.get(at))
            .copied()
            .unwrap_or(node),
    };
    line_start(text, chosen.start_byte())..line_end(text, chosen.end_byte())
}

/// What the model is asked to do: the finding, with its rule's reasons and remedy.
pub(super) fn task(
    candidate: &Candidate,
    text: &str,
    language: Language,
    rules: &RuleSet,
) -> String {
    let (rule_id, message) = candidate
        .finding
        .as_ref()
        .map_or(("", ""), |flagged| (&flagged.rule_id, &flagged.message));
    let flagged = text
        .get(candidate.start_byte..candidate.end_byte)
        .unwrap_or_default();
    let line = text
        .get(..candidate.start_byte)
        .unwrap_or_default()
        .matches('\n')
        .count()
        + 1;
    let mut task = format!("Keel's rule `{rule_id}` flags `{flagged}` at line {line}: {message}\n");
    if let Some(rule) = rules
        .rules()
        .iter()
        .find(|rule| rule.id == rule_id && rule.language == language)
    {
        task.push_str(&format!(
            "Why it matters: {}\nWhat to write instead, for example:\n{}\n",
            rule.docs.why.trim(),
            rule.docs.instead.trim()
        ));
    }
    task.push_str(
        "Make the smallest change to the code below so that this rule no longer applies there, \
         keeping its decorators, names and everything else it does, and reply with the whole \
         code.",
    );
    task
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_region_is_the_decorated_function_around_the_finding_or_its_statement() {
        let text = "import os\n\n\n@app.get(\"/\")\ndef run():\n    return eval(os.environ[\"X\"])\n\n\nvalue = eval(os.environ[\"Y\"])\n";
        let tree = Language::Python.parse_str(text).unwrap();
        let inside = text.find("eval(os.environ[\"X").unwrap();
        let range = region(text, &tree, inside, inside + 4);
        assert_eq!(
            &text[range],
            "@app.get(\"/\")\ndef run():\n    return eval(os.environ[\"X\"])"
        );
        let outside = text.find("eval(os.environ[\"Y").unwrap();
        let range = region(text, &tree, outside, outside + 4);
        assert_eq!(&text[range], "value = eval(os.environ[\"Y\"])");
    }
}
