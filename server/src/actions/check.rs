//! The checks a model's code passes before it becomes an edit: what it may contain (no
//! markdown fence left, no ellipsis or placeholder body, no secret), what it may define (the
//! same top-level names as the code it replaces: nothing outside the target), and what the
//! edited file must be (no new syntax error, no new rule finding, and for a fix, not the
//! finding it fixes). Indentation is normalised to the target's and leading imports go
//! where the file's imports are.

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

use tree_sitter::{Node, Tree};

use super::syntax::{line_end, text_of};
use super::{Edit, apply};
use crate::config::DiagnosticsConfig;
use crate::diagnostics::RuleSet;
use crate::syntax::Language;

/// Where a model's code goes, and what must hold of the file afterwards.
pub struct Target<'a> {
    pub text: &'a str,
    pub tree: &'a Tree,
    pub language: Language,
    pub path: Option<&'a Path>,
    /// The whole lines the model's code replaces.
    pub range: Range<usize>,
    /// The top-level names the replacement must define, no more and no fewer.
    pub names: Vec<String>,
    /// Edits outside the range kept from the deterministic version (imports, a route's
    /// registration).
    pub kept: Vec<Edit>,
    /// The rule whose finding in the range the edit must remove ("Fix with AI").
    pub fixes: Option<String>,
}

/// The edits that put `reply` in place, or why it is refused (fed back to the model).
pub fn check(
    reply: &str,
    target: &Target<'_>,
    rules: &RuleSet,
    config: &DiagnosticsConfig,
) -> Result<Vec<Edit>, String> {
    let code = unfenced(reply)?;
    let original = target.text.get(target.range.clone()).unwrap_or_default();
    refuse_placeholders(code, original)?;
    refuse_secrets(code, original)?;
    let (imports, code) = split_imports(code, target.language);
    if code.trim().is_empty() {
        return Err("the reply holds no code".into());
    }
    let indent: String = original
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    let code = reindent(code, &indent);
    check_names(&code, target)?;

    let mut edits = target.kept.clone();
    edits.extend(import_edits(&imports, target));
    // Where the code lands in the edited file, behind what the other edits insert above it.
    let (added, removed) = edits
        .iter()
        .filter(|edit| edit.start_byte <= target.range.start)
        .fold((0, 0), |(added, removed), edit| {
            (
                added + edit.new_text.len(),
                removed + edit.end_byte.saturating_sub(edit.start_byte),
            )
        });
    let landed = (target.range.start + added).saturating_sub(removed);
    let landed = landed..landed + code.len();
    edits.push(Edit {
        start_byte: target.range.start,
        end_byte: target.range.end,
        new_text: code,
    });
    let edited = apply(target.text, &edits);
    let tree = target
        .language
        .parse_str(&edited)
        .ok_or("the edited file could not be parsed")?;
    if let Some(line) = first_new_error(target.tree, &tree) {
        return Err(format!("the edited file has a syntax error at line {line}"));
    }
    let before = rules.check_file(
        target.path,
        target.language,
        target.text,
        target.tree,
        config,
    );
    let after = rules.check_file(target.path, target.language, &edited, &tree, config);
    let line_of = |byte: usize| edited[..byte.min(edited.len())].matches('\n').count() + 1;
    if let Some(rule) = &target.fixes
        && let Some(kept) = after.iter().find(|finding| {
            finding.rule_id == *rule
                && finding.start_byte >= landed.start
                && finding.start_byte <= landed.end
        })
    {
        return Err(format!(
            "the edited code still has the `{rule}` finding at line {}: {}; change the flagged code so that the rule no longer applies",
            line_of(kept.start_byte),
            kept.message
        ));
    }
    let mut counts: HashMap<&str, i64> = HashMap::new();
    for finding in &before {
        *counts.entry(&finding.rule_id).or_default() -= 1;
    }
    for finding in &after {
        let count = counts.entry(&finding.rule_id).or_default();
        *count += 1;
        if *count > 0 {
            return Err(format!(
                "the edit adds a `{}` finding at line {}: {}",
                finding.rule_id,
                line_of(finding.start_byte),
                finding.message
            ));
        }
    }
    Ok(edits)
}

/// The code of a reply: a reply wrapped in one markdown fence is unwrapped; any other
/// fence is refused.
fn unfenced(reply: &str) -> Result<&str, String> {
    let trimmed = reply.trim_matches('\n').trim_end();
    let code = match trimmed.trim_start().strip_prefix("```") {
        Some(rest) => {
            let (_, body) = rest.split_once('\n').unwrap_or(("", ""));
            body.trim_end()
                .strip_suffix("```")
                .ok_or("the reply opens a markdown fence and does not close it")?
                .trim_end_matches('\n')
        }
        None => trimmed,
    };
    if code.contains("```") {
        return Err("the reply mixes prose and markdown fences; reply with code only".into());
    }
    Ok(code)
}

/// Lines that stand for code the model did not write.
fn refuse_placeholders(code: &str, original: &str) -> Result<(), String> {
    for line in code.lines() {
        let line = line.trim();
        let lower = line.to_lowercase();
        let placeholder = matches!(line, "..." | "…" | "pass  # TODO" | "pass # TODO")
            || line.starts_with("# ...")
            || line.starts_with("// ...")
            || lower.contains("rest of the code")
            || lower.contains("existing code")
            || ((line.contains("todo!(") || line.contains("unimplemented!("))
                && !original.contains(line));
        if placeholder && !original.lines().any(|old| old.trim() == line) {
            return Err(format!(
                "the reply has a placeholder instead of code: `{line}`"
            ));
        }
    }
    Ok(())
}

fn refuse_secrets(code: &str, original: &str) -> Result<(), String> {
    let (_, found) = crate::context::redact::redact(code);
    let (_, before) = crate::context::redact::redact(original);
    match found.iter().find(|kind| !before.contains(kind)) {
        Some(kind) => Err(format!("the reply holds what looks like a secret ({kind})")),
        None => Ok(()),
    }
}

/// The reply's leading import lines, and the code after them.
fn split_imports(code: &str, language: Language) -> (Vec<String>, &str) {
    let mut imports = Vec::new();
    let mut rest = code;
    loop {
        let (line, after) = rest.split_once('\n').unwrap_or((rest, ""));
        let trimmed = line.trim();
        let import = match language {
            Language::Python => {
                trimmed.starts_with("import ")
                    || (trimmed.starts_with("from ") && trimmed.contains(" import "))
            }
            Language::Rust => trimmed.starts_with("use ") && trimmed.ends_with(';'),
        };
        if import {
            imports.push(trimmed.to_string());
        } else if !trimmed.is_empty() {
            return (imports, rest);
        }
        if after.is_empty() {
            return (imports, "");
        }
        rest = after;
    }
}

fn import_edits(imports: &[String], target: &Target<'_>) -> Vec<Edit> {
    let root = target.tree.root_node();
    let mut at = 0;
    let mut cursor = root.walk();
    for item in root.named_children(&mut cursor) {
        let is_import = match target.language {
            Language::Python => item.kind().contains("import"),
            Language::Rust => item.kind() == "use_declaration",
        };
        if is_import {
            at = (line_end(target.text, item.end_byte()) + 1).min(target.text.len());
        }
    }
    imports
        .iter()
        .filter(|line| {
            !target
                .text
                .lines()
                .any(|existing| existing.trim() == line.as_str())
        })
        .map(|line| Edit {
            start_byte: at,
            end_byte: at,
            new_text: format!("{line}\n"),
        })
        .collect()
}

/// `code` with its common indentation replaced by `indent`.
fn reindent(code: &str, indent: &str) -> String {
    let common = code
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| line.len() - line.trim_start().len())
        .min()
        .unwrap_or(0);
    code.lines()
        .map(|line| match line.get(common..) {
            Some(rest) if !line.trim().is_empty() => format!("{indent}{rest}"),
            _ => String::new(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The names of the top-level definitions of `code` (functions, classes, types).
pub fn top_level_names(code: &str, language: Language) -> Vec<String> {
    let Some(tree) = language.parse_str(code) else {
        return Vec::new();
    };
    let root = tree.root_node();
    let mut names = Vec::new();
    let mut cursor = root.walk();
    for item in root.named_children(&mut cursor) {
        let item = match item.kind() {
            "decorated_definition" => item.child_by_field_name("definition").unwrap_or(item),
            _ => item,
        };
        let defines = matches!(
            item.kind(),
            "function_definition"
                | "class_definition"
                | "function_item"
                | "struct_item"
                | "enum_item"
                | "impl_item"
                | "trait_item"
        );
        if let Some(name) = item.child_by_field_name("name").filter(|_| defines) {
            names.push(text_of(name, code).to_string());
        }
    }
    names.sort();
    names
}

fn check_names(code: &str, target: &Target<'_>) -> Result<(), String> {
    let names = top_level_names(code, target.language);
    let mut expected = target.names.clone();
    expected.sort();
    if let Some(extra) = names.iter().find(|name| !expected.contains(name)) {
        return Err(format!(
            "the reply defines `{extra}`, outside the code to rewrite; reply with only {}",
            quoted(&expected)
        ));
    }
    if let Some(missing) = expected.iter().find(|name| !names.contains(name)) {
        return Err(format!("the reply does not define `{missing}`"));
    }
    Ok(())
}

fn quoted(names: &[String]) -> String {
    let names: Vec<String> = names.iter().map(|name| format!("`{name}`")).collect();
    names.join(", ")
}

/// The 1-based line of the first syntax error of `after` beyond those `before` had.
fn first_new_error(before: &Tree, after: &Tree) -> Option<usize> {
    let old = errors(before.root_node());
    let new = errors(after.root_node());
    (new.len() > old.len()).then(|| new.first().copied().unwrap_or(0) + 1)
}

/// The rows of ERROR and MISSING nodes.
fn errors(root: Node<'_>) -> Vec<usize> {
    let mut rows = Vec::new();
    let mut pending = vec![root];
    while let Some(node) = pending.pop() {
        if node.is_error() || node.is_missing() {
            rows.push(node.start_position().row);
            continue;
        }
        if !node.has_error() {
            continue;
        }
        let mut cursor = node.walk();
        pending.extend(node.children(&mut cursor));
    }
    rows.sort_unstable();
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "import requests\n\n\ndef rates():\n    return requests.get(\"u\", timeout=5).json()\n\n\ndef other():\n    return 1\n";

    fn target<'a>(tree: &'a Tree) -> Target<'a> {
        let start = FILE.find("def rates").unwrap();
        let end = FILE.find("\n\n\ndef other").unwrap();
        Target {
            text: FILE,
            tree,
            language: Language::Python,
            path: None,
            range: start..end,
            names: vec!["rates".into()],
            kept: Vec::new(),
            fixes: None,
        }
    }

    fn run(reply: &str) -> Result<String, String> {
        let tree = Language::Python.parse_str(FILE).unwrap();
        let edits = check(
            reply,
            &target(&tree),
            &RuleSet::builtin(),
            &DiagnosticsConfig::default(),
        )?;
        Ok(apply(FILE, &edits))
    }

    const GOOD: &str = "import logging\ndef rates():\n    try:\n        return requests.get(\"u\", timeout=5).json()\n    except requests.RequestException:\n        logging.exception(\"rates failed\")\n        raise";

    #[test]
    fn good_code_is_placed_with_its_imports_and_a_fence_around_it_is_removed() {
        let placed = run(GOOD).unwrap();
        assert!(
            placed.starts_with("import requests\nimport logging\n"),
            "{placed}"
        );
        assert!(placed.contains("def rates():\n    try:\n"), "{placed}");
        assert!(
            placed.ends_with("\n\n\ndef other():\n    return 1\n"),
            "{placed}"
        );
        assert_eq!(run(&format!("```python\n{GOOD}\n```\n")).unwrap(), placed);
        let shifted: String = GOOD.lines().map(|line| format!("  {line}\n")).collect();
        assert_eq!(run(&shifted).unwrap(), placed);
    }

    #[test]
    fn a_fix_is_refused_while_the_finding_it_fixes_stays_in_the_rewritten_code() {
        let file = "import os\n\n\ndef run():\n    return eval(os.environ[\"CODE\"])\n";
        let tree = Language::Python.parse_str(file).unwrap();
        let target = Target {
            text: file,
            tree: &tree,
            language: Language::Python,
            path: None,
            range: file.find("def run").unwrap()..file.len() - 1,
            names: vec!["run".into()],
            kept: Vec::new(),
            fixes: Some("py-eval-exec".into()),
        };
        let run = |reply: &str| {
            check(
                reply,
                &target,
                &RuleSet::builtin(),
                &DiagnosticsConfig::default(),
            )
        };
        // Moved down by an import, the finding is still the one the fix targets.
        let kept = run("import json\ndef run():\n    return eval(os.environ[\"CODE\"])");
        let err = kept.expect_err("the finding stays");
        assert!(
            err.contains("still has the `py-eval-exec` finding at line 6"),
            "{err}"
        );
        let fixed =
            run("import ast\ndef run():\n    return ast.literal_eval(os.environ[\"CODE\"])");
        assert_eq!(
            apply(file, &fixed.unwrap()),
            "import os\nimport ast\n\n\ndef run():\n    return ast.literal_eval(os.environ[\"CODE\"])\n"
        );
    }

    #[test]
    fn broken_out_of_range_placeholder_and_chatty_replies_are_refused() {
        let refused = |reply: &str, reason: &str| {
            let err = run(reply).expect_err(reply);
            assert!(err.contains(reason), "{reply:?}: {err}");
        };
        refused("def rates(:\n    return 1", "syntax error");
        refused(
            &format!("{GOOD}\n\ndef other():\n    return 2"),
            "defines `other`",
        );
        refused("def rates():\n    ...", "placeholder");
        refused("def rates():\n    pass  # TODO", "placeholder");
        refused(&format!("Here you go:\n```python\n{GOOD}\n```"), "markdown");
        refused("Sure! I can help with that.", "does not define `rates`");
        refused(
            "def rates():\n    return requests.get(\"u\").json()",
            "adds a `",
        );
        refused(
            "def rates():\n    key = \"AKIAABCDEFGHIJKLMNOP\"\n    return key",
            "secret",
        );
    }
}
