//! `keel check` and `keel rules`: the rule engine over a workspace's files, for people and
//! CI. Reads `keel.toml` and `.keel/rules/` in the current directory.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use clap::{Args, Subcommand, ValueEnum};

use super::report::{self, LineIndex, Located, Report};
use super::rule::severity_name;
use super::{LoadError, RuleSet, Vocabulary};
use crate::config::{DiagnosticsConfig, Layers, Resolved, Severity};
use crate::syntax::Language;
use crate::workspace::walk::{Entry, Walk};

/// Where a workspace keeps its own rules.
pub const TEAM_RULES_DIR: &str = ".keel/rules";

const EXIT_FINDINGS: u8 = 1;
const EXIT_USAGE_OR_IO: u8 = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// `path:line:col: rule-id message`, then a summary.
    Text,
    Json,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files or directories to check (default: the current directory).
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Apply quick fixes in place, then report what is left.
    #[arg(long)]
    pub fix: bool,
    /// Run only these rules (comma-separated ids).
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    pub select: Vec<String>,
    /// Do not run these rules (comma-separated ids).
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    pub ignore: Vec<String>,
    /// Exit with 1 when a finding has this severity or a higher one.
    #[arg(long, value_name = "SEVERITY", default_value = "warning", value_parser = parse_severity)]
    pub fail_on: Severity,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    #[command(subcommand)]
    pub command: Option<RulesCommand>,
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Print a rule's documentation: what it does, why, an example and the fix.
    Explain { id: String },
}

fn parse_severity(value: &str) -> Result<Severity, String> {
    serde_json::from_value(serde_json::Value::String(value.to_string()))
        .map_err(|_| format!("unknown severity \"{value}\"; allowed: hint, info, warning, error"))
}

/// `keel check`.
pub fn run_check(args: &CheckArgs) -> ExitCode {
    let root = match std::env::current_dir() {
        Ok(root) => root,
        Err(err) => return usage_error(&format!("cannot read the current directory: {err}")),
    };
    let rules = match load_rules(&root) {
        Ok(rules) => rules,
        Err(message) => return usage_error(&message),
    };
    let Resolved { config, sources } = load_config(&root);
    // The default globs keep key files and `*secret*` out of prompts; a security check
    // must still read `secrets.py`. Globs a team writes in keel.toml leave files out of both.
    let exclude = if sources.contains_key("privacy.exclude") {
        config.privacy.exclude
    } else {
        Vec::new()
    };
    let config = match selection(&rules, &args.select, &args.ignore, config.diagnostics) {
        Ok(config) => config,
        Err(message) => return usage_error(&message),
    };
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let outcome = check_paths(&rules, &config, &exclude, &paths, args.fix);
    let enabled: Vec<_> = rules
        .rules()
        .iter()
        .filter(|rule| !config.disable.contains(&rule.id))
        .cloned()
        .collect();
    let output = match args.format {
        Format::Text => report::text(&outcome.report),
        Format::Json => pretty(&report::json(&outcome.report, &enabled)),
        Format::Sarif => pretty(&report::sarif(&outcome.report, &enabled)),
    };
    print!("{output}");
    for error in &outcome.errors {
        eprintln!("keel: {error}");
    }
    if !outcome.errors.is_empty() {
        return ExitCode::from(EXIT_USAGE_OR_IO);
    }
    let failing = outcome
        .report
        .findings
        .iter()
        .any(|located| located.finding.severity >= args.fail_on);
    if failing {
        ExitCode::from(EXIT_FINDINGS)
    } else {
        ExitCode::SUCCESS
    }
}

/// `keel rules` and `keel rules explain ID`.
pub fn run_rules(args: &RulesArgs) -> ExitCode {
    let root = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let rules = match load_rules(&root) {
        Ok(rules) => rules,
        Err(message) => return usage_error(&message),
    };
    match &args.command {
        None => {
            print!("{}", rule_table(&rules));
            ExitCode::SUCCESS
        }
        Some(RulesCommand::Explain { id }) => {
            let docs: Vec<String> = rules
                .rules()
                .iter()
                .filter(|rule| &rule.id == id)
                .map(|rule| rule.explain())
                .collect();
            if docs.is_empty() {
                return usage_error(&unknown_rule(&rules, id));
            }
            print!("{}", docs.join("\n"));
            ExitCode::SUCCESS
        }
    }
}

fn usage_error(message: &str) -> ExitCode {
    eprintln!("keel: {message}");
    ExitCode::from(EXIT_USAGE_OR_IO)
}

fn pretty(value: &serde_json::Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

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

/// `keel.toml`; problems in the file are reported and skipped.
fn load_config(root: &Path) -> Resolved {
    let mut layers = Layers::default();
    for problem in layers.load_file(root) {
        eprintln!("keel: {problem}");
    }
    layers.resolve()
}

/// The configuration with `--select`/`--ignore` applied, after checking their ids.
fn selection(
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

fn rule_table(rules: &RuleSet) -> String {
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
            match check_file(rules, config, &path, text, fix) {
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

fn check_file(
    rules: &RuleSet,
    config: &DiagnosticsConfig,
    path: &Path,
    text: String,
    fix: bool,
) -> Result<(Vec<Located>, usize), String> {
    let Some(language) = Language::from_path(path) else {
        return Ok((Vec::new(), 0));
    };
    let (text, fixes) = if fix {
        let fixed = rules.fix_text(Some(path), language, &text, config);
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
    let findings = rules.check_file(Some(path), language, &text, &tree, config);
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
    fn severities_parse_by_name() {
        assert_eq!(parse_severity("error"), Ok(Severity::Error));
        assert!(
            parse_severity("loud")
                .unwrap_err()
                .contains("hint, info, warning, error")
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
