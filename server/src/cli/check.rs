//! `keel check`: the rule engine over a workspace's files, for people and CI. Reads
//! `keel.toml` and `.keel/rules/` in the current directory.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use super::{EXIT_USAGE_OR_IO, usage_error};
use crate::config::Severity;
use crate::diagnostics::check::{check_paths, enabled_rules, load_rules, scan_exclude, selection};
use crate::diagnostics::report;

const EXIT_FINDINGS: u8 = 1;

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

fn parse_severity(value: &str) -> Result<Severity, String> {
    serde_json::from_value(serde_json::Value::String(value.to_string()))
        .map_err(|_| format!("unknown severity \"{value}\"; allowed: hint, info, warning, error"))
}

pub(super) fn run(args: &CheckArgs) -> ExitCode {
    let root = match std::env::current_dir() {
        Ok(root) => root,
        Err(err) => return usage_error(&format!("cannot read the current directory: {err}")),
    };
    let rules = match load_rules(&root) {
        Ok(rules) => rules,
        Err(message) => return usage_error(&message),
    };
    let resolved = super::workspace_config(&root);
    let exclude = scan_exclude(&resolved);
    let config = match selection(
        &rules,
        &args.select,
        &args.ignore,
        resolved.config.diagnostics,
    ) {
        Ok(config) => config,
        Err(message) => return usage_error(&message),
    };
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let outcome = check_paths(&rules, &config, &exclude, &paths, args.fix);
    let enabled = enabled_rules(&rules, &config);
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

fn pretty(value: &serde_json::Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_parse_by_name() {
        assert_eq!(parse_severity("error"), Ok(Severity::Error));
        assert!(
            parse_severity("loud")
                .unwrap_err()
                .contains("hint, info, warning, error")
        );
    }
}
