//! One rule: its metadata and docs as written in its `.toml` file, checked when loaded.

use std::fmt;

use serde::Deserialize;

use super::fix::FixSpec;
use crate::config::Severity;
use crate::syntax::Language;

/// What kind of harm a rule guards against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    Security,
    Reliability,
    Performance,
}

impl Category {
    pub fn name(self) -> &'static str {
        match self {
            Category::Security => "security",
            Category::Reliability => "reliability",
            Category::Performance => "performance",
        }
    }
}

/// The same check in other tools, so a team can map its existing suppressions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Equivalents {
    pub bandit: Option<String>,
    pub ruff: Option<String>,
    pub clippy: Option<String>,
    pub semgrep: Option<String>,
}

impl Equivalents {
    /// (tool, rule id) for each tool that has one.
    pub fn entries(&self) -> Vec<(&'static str, &str)> {
        [
            ("bandit", &self.bandit),
            ("ruff", &self.ruff),
            ("clippy", &self.clippy),
            ("semgrep", &self.semgrep),
        ]
        .into_iter()
        .filter_map(|(tool, id)| id.as_deref().map(|id| (tool, id)))
        .collect()
    }
}

/// A rule's documentation, in the sections ruff uses.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Docs {
    /// What it does.
    pub what: String,
    /// Why it matters.
    pub why: String,
    /// Code it flags.
    pub example: String,
    /// The code to write instead.
    pub instead: String,
}

/// A rule as loaded: metadata, docs and the query text (compiled by `RuleSet`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub id: String,
    #[serde(deserialize_with = "language_by_name")]
    pub language: Language,
    pub title: String,
    pub severity: Severity,
    pub category: Category,
    /// e.g. `CWE-400`.
    pub cwe: Option<String>,
    /// Shown for each finding; `{capture}` is replaced by the captured code.
    pub message: String,
    /// The capture whose range is flagged; every pattern of the query must have it.
    pub target: String,
    /// The tree-sitter query, with Keel's predicates (see `queries/README.md`).
    pub query: String,
    #[serde(default)]
    pub equivalents: Equivalents,
    pub docs: Docs,
    pub fix: Option<FixSpec>,
    /// Where the rule came from: its file, or its path in the repository if built in.
    #[serde(skip)]
    pub origin: String,
}

fn language_by_name<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Language, D::Error> {
    let name = String::deserialize(deserializer)?;
    Language::from_language_id(&name).ok_or_else(|| {
        let known: Vec<&str> = Language::ALL.iter().map(|lang| lang.name()).collect();
        serde::de::Error::custom(format!(
            "unknown language \"{name}\"; allowed: {}",
            known.join(", ")
        ))
    })
}

/// A rule file that cannot be used, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    /// The rule file (a path, or the built-in rule's path in the repository).
    pub origin: String,
    pub message: String,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.origin, self.message)
    }
}

impl std::error::Error for RuleError {}

impl Rule {
    /// Parses and checks the metadata of one rule file (the query is checked when compiled).
    pub fn parse(origin: &str, text: &str) -> Result<Rule, RuleError> {
        let error = |message: String| RuleError {
            origin: origin.to_string(),
            message,
        };
        let mut rule: Rule = toml::from_str(text).map_err(|err| {
            let detail = err.to_string().replace('\n', " ");
            error(format!(
                "not a valid rule file: {}; see queries/README.md for the format",
                detail.trim()
            ))
        })?;
        if !is_rule_id(&rule.id) {
            return Err(error(format!(
                "id \"{}\" must be lowercase words joined by `-`, e.g. \"py-http-no-timeout\"",
                rule.id
            )));
        }
        for (field, value) in [
            ("title", &rule.title),
            ("message", &rule.message),
            ("docs.what", &rule.docs.what),
            ("docs.why", &rule.docs.why),
            ("docs.example", &rule.docs.example),
            ("docs.instead", &rule.docs.instead),
        ] {
            if value.trim().is_empty() {
                return Err(error(format!(
                    "`{field}` is empty; write it for the reader"
                )));
            }
        }
        rule.origin = origin.to_string();
        Ok(rule)
    }

    /// The rule's documentation as Markdown, for `keel rules explain` and SARIF help.
    pub fn explain(&self) -> String {
        let mut out = format!(
            "# {} ({})\n\n{} · {} · {}",
            self.title,
            self.id,
            self.language.name(),
            self.category.name(),
            severity_name(self.severity)
        );
        if let Some(cwe) = &self.cwe {
            out.push_str(&format!(" · {cwe}"));
        }
        if self.fix.is_some() {
            out.push_str(" · quick fix available");
        }
        out.push_str(&format!(
            "\n\n## What it does\n\n{}\n\n## Why it matters\n\n{}\n\n## Example\n\n```{lang}\n{}\n```\n\n## Use instead\n\n```{lang}\n{}\n```\n",
            self.docs.what.trim(),
            self.docs.why.trim(),
            self.docs.example.trim_matches('\n'),
            self.docs.instead.trim_matches('\n'),
            lang = self.language.name(),
        ));
        let equivalents = self.equivalents.entries();
        if !equivalents.is_empty() {
            out.push_str("\n## Equivalent rules\n\n");
            for (tool, id) in equivalents {
                out.push_str(&format!("- {tool}: `{id}`\n"));
            }
        }
        out
    }
}

pub fn severity_name(severity: Severity) -> &'static str {
    match severity {
        Severity::Hint => "hint",
        Severity::Info => "info",
        Severity::Warning => "warning",
        Severity::Error => "error",
    }
}

/// Lowercase ASCII words joined by single dashes: rule ids become file names and flags.
fn is_rule_id(id: &str) -> bool {
    !id.is_empty()
        && id.split('-').all(|word| {
            !word.is_empty()
                && word
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
id = "py-demo"
language = "python"
title = "Demo"
severity = "warning"
category = "reliability"
message = "demo {call}"
target = "call"
query = "(call) @call"
[docs]
what = "w"
why = "y"
example = "e"
instead = "i"
"#;

    #[test]
    fn parses_a_minimal_rule() {
        let rule = Rule::parse("demo.toml", MINIMAL).unwrap();
        assert_eq!(rule.id, "py-demo");
        assert_eq!(rule.language, Language::Python);
        assert_eq!(rule.severity, Severity::Warning);
        assert!(rule.explain().contains("## Why it matters"));
    }

    #[test]
    fn errors_name_the_file_and_the_problem() {
        let bad_language = MINIMAL.replace("\"python\"", "\"cobol\"");
        let err = Rule::parse("team/demo.toml", &bad_language).unwrap_err();
        assert!(err.to_string().starts_with("team/demo.toml: "), "{err}");
        assert!(err.to_string().contains("\"cobol\""), "{err}");

        let bad_id = MINIMAL.replace("\"py-demo\"", "\"Py_Demo\"");
        let err = Rule::parse("demo.toml", &bad_id).unwrap_err();
        assert!(err.message.contains("\"Py_Demo\""), "{err}");

        let unknown_key = format!("colour = \"red\"\n{MINIMAL}");
        let err = Rule::parse("demo.toml", &unknown_key).unwrap_err();
        assert!(err.message.contains("colour"), "{err}");
    }
}
