//! What `keel check` and `keel rules` compute: the rule engine over a workspace's files,
//! the team's rules in `.keel/rules/`, the `--select`/`--ignore` choice, and the rule table.
//! Returns values and text; printing and exit codes are the command line's.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::report::{LineIndex, Located, Report};
use super::rule::severity_name;
use super::{LoadError, Rule, RuleSet, Vocabulary};
use crate::config::{DiagnosticsConfig, Resolved};
use crate::syntax::Language;
use crate::workspace::walk::{Entry, Walk};

/// Where a workspace keeps its own rules.
pub const TEAM_RULES_DIR: &str = ".keel/rules";

/// The built-in rules with the team's rules in `root/.keel/rules/` added, reading the
/// vocabulary with the team's `root/.keel/vocabulary.toml` added.
pub fn load_rules(root: &Path) -> Result<RuleSet, String> {
    let builtin = RuleSet::builtin().with_vocabulary(Vocabulary::for_workspace(root)?);
    let team_dir = root.join(TEAM_RULES_DIR);
    if !team_dir.is_dir() {
        return Ok(builtin);
    }
    let describe = |err: LoadError| {
        format!("the rules in {TEAM_RULES_DIR} cannot be used; fix or remove them:\n{err}")
    };
    let team = RuleSet::load_dir(&team_dir).map_err(describe)?;
    builtin.merged(team).map_err(describe)
}

/// The globs that keep files out of a check. The default `privacy.exclude` keeps key files
/// and `*secret*` out of prompts, but a security check must still read `secrets.py`; globs
/// a team writes in keel.toml leave files out of both.
pub fn scan_exclude(resolved: &Resolved) -> Vec<String> {
    if resolved.sources.contains_key("privacy.exclude") {
        resolved.config.privacy.exclude.clone()
    } else {
        Vec::new()
    }
}

/// The rules `config` leaves on, as the reports list them.
pub fn enabled_rules(rules: &RuleSet, config: &DiagnosticsConfig) -> Vec<Rule> {
    rules
        .rules()
        .iter()
        .filter(|rule| !config.disable.contains(&rule.id))
        .cloned()
        .collect()
}

/// The documentation of every rule named `id` (one per language it is written for).
pub fn explain(rules: &RuleSet, id: &str) -> Result<String, String> {
    let docs: Vec<String> = rules
        .rules()
        .iter()
        .filter(|rule| rule.id == id)
        .map(|rule| rule.explain())
        .collect();
    if docs.is_empty() {
        return Err(unknown_rule(rules, id));
    }
    Ok(docs.join("\n"))
}

/// The configuration with `--select`/`--ignore` applied, after checking their ids.
pub fn selection(
    rules: &RuleSet,
    select: &[String],
    ignore: &[String],
    mut config: DiagnosticsConfig,
) -> Result<DiagnosticsConfig, String> {
    for id in select.iter().chain(ignore) {
        if !rules.rules().iter().any(|rule| &rule.id == id) {
            return Err(unknown_rule(rules, id));
        }
    }
    config.disable.extend(ignore.iter().cloned());
    if !select.is_empty() {
        let unselected = rules
            .rules()
            .iter()
            .filter(|rule| !select.contains(&rule.id))
            .map(|rule| rule.id.clone());
        config.disable.extend(unselected);
    }
    Ok(config)
}

fn unknown_rule(rules: &RuleSet, id: &str) -> String {
    let closest = rules
        .rules()
        .iter()
        .map(|rule| (strsim::jaro_winkler(id, &rule.id), &rule.id))
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .filter(|(score, _)| *score > 0.8)
        .map(|(_, best)| format!("; did you mean `{best}`?"))
        .unwrap_or_default();
    format!("unknown rule `{id}`{closest} (`keel rules` lists them)")
}

/// `keel rules`: one row per rule, in aligned columns.
pub fn rule_table(rules: &RuleSet) -> String {
    let rows: Vec<[String; 6]> = rules
        .rules()
        .iter()
        .map(|rule| {
            [
                rule.id.clone(),
                rule.language.name().to_string(),
                severity_name(rule.severity).to_string(),
                rule.category.name().to_string(),
                if rule.fix.is_some() { "fix" } else { "" }.to_string(),
                rule.title.clone(),
            ]
        })
        .collect();
    let header = ["ID", "LANGUAGE", "SEVERITY", "CATEGORY", "FIX", "TITLE"].map(String::from);
    let mut widths = header.clone().map(|cell| cell.len());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        let cells: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

/// What checking some paths produced.
pub struct Outcome {
    pub report: Report,
    /// Files or paths that could not be read, parsed or written.
    pub errors: Vec<String>,
}

/// Checks every Rust and Python file under `paths` in parallel (applying fixes with
/// `fix`), honouring ignore files and the `exclude` globs (`privacy.exclude`), as the
/// workspace index does.
pub fn check_paths(
    rules: &RuleSet,
    config: &DiagnosticsConfig,
    exclude: &[String],
    paths: &[PathBuf],
    fix: bool,
) -> Outcome {
    let findings = Mutex::new(Vec::new());
    let errors = Mutex::new(Vec::new());
    let files_checked = AtomicUsize::new(0);
    let fixed = AtomicUsize::new(0);
    let walk = match Walk::new(paths.iter().cloned()).exclude(exclude) {
        Ok(walk) => walk.select(|path| Language::from_path(path).is_some()),
        Err(message) => {
            return Outcome {
                report: Report::default(),
                errors: vec![format!("privacy.exclude in keel.toml: {message}")],
            };
        }
    };
    walk.run(|entry| match entry {
        Entry::File { path, text } => {
            files_checked.fetch_add(1, Ordering::Relaxed);
            match check_file(rules, config, &path, project_path(&path, paths), text, fix) {
                Ok((found, fixes)) => {
                    fixed.fetch_add(fixes, Ordering::Relaxed);
                    lock(&findings).extend(found);
                }
                Err(message) => lock(&errors).push(message),
            }
        }
        Entry::Skipped { path, reason } => {
            tracing::debug!("skipped {}: {reason}", path.display());
        }
        Entry::Failed { message, .. } => lock(&errors).push(message),
    });
    let mut findings = findings.into_inner().unwrap_or_else(|err| err.into_inner());
    findings.sort_by(|a, b| {
        (&a.path, a.start, &a.finding.rule_id).cmp(&(&b.path, b.start, &b.finding.rule_id))
    });
    let mut errors = errors.into_inner().unwrap_or_else(|err| err.into_inner());
    errors.sort();
    Outcome {
        report: Report {
            findings,
            files_checked: files_checked.into_inner(),
            fixed: fixed.into_inner(),
            failed: errors.len(),
        },
        errors,
    }
}

/// A poisoned lock here only means another file's thread panicked; the data is still whole.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|err| err.into_inner())
}

/// `path` as the rules see it: relative to the root it was found under (`tests/x.py`
/// under `.`), so that directories above the project (`/home/me/tests/project/`) do not
/// make its files test code; a root that is the file itself leaves its name.
fn project_path<'p>(path: &'p Path, roots: &[PathBuf]) -> &'p Path {
    roots
        .iter()
        .find_map(|root| path.strip_prefix(root).ok())
        .filter(|relative| !relative.as_os_str().is_empty())
        .or_else(|| path.file_name().map(Path::new))
        .unwrap_or(path)
}

fn check_file(
    rules: &RuleSet,
    config: &DiagnosticsConfig,
    path: &Path,
    project_path: &Path,
    text: String,
    fix: bool,
) -> Result<(Vec<Located>, usize), String> {
    let Some(language) = Language::from_path(path) else {
        return Ok((Vec::new(), 0));
    };
    let (text, fixes) = if fix {
        let fixed = rules.fix_text(Some(project_path), language, &text, config);
        if fixed.applied > 0 {
            std::fs::write(path, &fixed.text)
                .map_err(|err| format!("cannot write the fixes to {}: {err}", path.display()))?;
        }
        (fixed.text, fixed.applied)
    } else {
        (text, 0)
    };
    let tree = language
        .parse_str(&text)
        .ok_or_else(|| format!("cannot parse {}", path.display()))?;
    let findings = rules.check_file(Some(project_path), language, &text, &tree, config);
    let shown = display_path(path);
    let index = LineIndex::new(&text);
    let located = findings
        .into_iter()
        .map(|finding| Located::new(&shown, &index, finding))
        .collect();
    Ok((located, fixes))
}

/// The path as the user would type it: relative as given, without a leading `./`.
fn display_path(path: &Path) -> String {
    let shown = path.to_string_lossy().replace('\\', "/");
    shown.strip_prefix("./").unwrap_or(&shown).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn select_and_ignore_check_ids_and_turn_rules_off() {
        let rules = RuleSet::builtin();
        let config = selection(
            &rules,
            &["py-eval-exec".to_string()],
            &[],
            DiagnosticsConfig::default(),
        )
        .unwrap();
        assert!(!config.disable.contains(&"py-eval-exec".to_string()));
        assert!(config.disable.contains(&"py-http-no-timeout".to_string()));

        let err = selection(
            &rules,
            &[],
            &["py-eval-exek".to_string()],
            DiagnosticsConfig::default(),
        )
        .unwrap_err();
        assert!(
            err.contains("`py-eval-exek`") && err.contains("`py-eval-exec`"),
            "{err}"
        );
    }

    #[test]
    fn fix_writes_files_and_reports_what_is_left() {
        let dir = std::env::temp_dir().join(format!("keel-check-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("app.py");
        std::fs::write(&file, "import requests\nrequests.get(url)\neval(code)\n").unwrap();
        let rules = RuleSet::builtin();
        let outcome = check_paths(
            &rules,
            &DiagnosticsConfig::default(),
            &[],
            std::slice::from_ref(&dir),
            true,
        );
        assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
        assert_eq!(outcome.report.fixed, 1);
        let ids: Vec<&str> = outcome
            .report
            .findings
            .iter()
            .map(|l| l.finding.rule_id.as_str())
            .collect();
        assert_eq!(ids, ["py-eval-exec"]);
        assert_eq!(
            std::fs::read_to_string(&file).unwrap(),
            "import requests\nrequests.get(url, timeout=30)\neval(code)\n"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
