//! The results of `keel check` as text (ruff-like), JSON, or SARIF 2.1.0 for GitHub code
//! scanning. Positions are 1-based lines and 1-based columns counted in characters.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{Value, json};

use super::rule::severity_name;
use super::{Category, Finding, Rule};
use crate::config::Severity;

/// A 1-based line and a 1-based column in characters (Unicode scalar values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// Byte offsets to positions for one text.
pub struct LineIndex<'t> {
    text: &'t str,
    line_starts: Vec<usize>,
}

impl<'t> LineIndex<'t> {
    pub fn new(text: &'t str) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(at, _)| at + 1))
            .collect();
        LineIndex { text, line_starts }
    }

    pub fn position(&self, byte: usize) -> Position {
        let byte = byte.min(self.text.len());
        let line = self.line_starts.partition_point(|&start| start <= byte) - 1;
        let start = self.line_starts[line];
        let column = self
            .text
            .get(start..byte)
            .map_or(byte - start, |prefix| prefix.chars().count());
        Position {
            line: line + 1,
            column: column + 1,
        }
    }
}

/// A finding with its positions, and the file it is in.
#[derive(Debug, Clone)]
pub struct Located {
    pub path: String,
    pub finding: Finding,
    pub start: Position,
    pub end: Position,
    /// Positions of the fix's edits: (start, end, new text).
    pub edits: Vec<(Position, Position, String)>,
    /// Positions of the finding's related places: (start, end, message).
    pub related: Vec<(Position, Position, String)>,
}

impl Located {
    pub fn new(path: &str, index: &LineIndex<'_>, finding: Finding) -> Located {
        let edits = finding
            .fix
            .iter()
            .flat_map(|fix| &fix.edits)
            .map(|edit| {
                (
                    index.position(edit.start_byte),
                    index.position(edit.end_byte),
                    edit.new_text.clone(),
                )
            })
            .collect();
        let related = finding
            .related
            .iter()
            .map(|place| {
                (
                    index.position(place.start_byte),
                    index.position(place.end_byte),
                    place.message.clone(),
                )
            })
            .collect();
        Located {
            path: path.to_string(),
            related,
            start: index.position(finding.start_byte),
            end: index.position(finding.end_byte),
            edits,
            finding,
        }
    }
}

/// Everything one run of `keel check` found.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Sorted by path, then position.
    pub findings: Vec<Located>,
    pub files_checked: usize,
    /// Quick fixes applied with `--fix`.
    pub fixed: usize,
    /// Paths that could not be read, parsed or written.
    pub failed: usize,
}

impl Report {
    fn count_by_severity(&self) -> BTreeMap<Severity, usize> {
        let mut counts = BTreeMap::new();
        for located in &self.findings {
            *counts.entry(located.finding.severity).or_insert(0) += 1;
        }
        counts
    }
}

fn plural(count: usize, word: &str) -> String {
    if count == 1 {
        format!("{count} {word}")
    } else {
        format!("{count} {word}s")
    }
}

/// `path:line:col: rule-id message` per finding, then a summary.
pub fn text(report: &Report) -> String {
    let mut out = String::new();
    for located in &report.findings {
        let _ = writeln!(
            out,
            "{}:{}:{}: {} {}",
            located.path,
            located.start.line,
            located.start.column,
            located.finding.rule_id,
            located.finding.message
        );
    }
    if report.fixed > 0 {
        let _ = writeln!(out, "Fixed {}.", plural(report.fixed, "finding"));
    }
    if report.findings.is_empty() && report.failed > 0 {
        // Not "passed": what could not be read was not checked.
        let _ = writeln!(
            out,
            "No findings in {} checked; {} could not be checked.",
            plural(report.files_checked, "file"),
            plural(report.failed, "path")
        );
        return out;
    }
    if report.findings.is_empty() {
        let _ = writeln!(
            out,
            "All checks passed ({} checked).",
            plural(report.files_checked, "file")
        );
        return out;
    }
    let counts: Vec<String> = report
        .count_by_severity()
        .iter()
        .rev()
        .map(|(severity, count)| plural(*count, severity_name(*severity)))
        .collect();
    let files = report
        .findings
        .iter()
        .map(|located| located.path.as_str())
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    let _ = write!(
        out,
        "Found {} ({}) in {} of {} checked.",
        plural(report.findings.len(), "finding"),
        counts.join(", "),
        plural(files, "file"),
        report.files_checked
    );
    let fixable = report
        .findings
        .iter()
        .filter(|located| located.finding.fix.is_some())
        .count();
    if fixable > 0 {
        let _ = write!(out, " {fixable} fixable with `--fix`.");
    }
    out.push('\n');
    out
}

fn position_json(position: Position) -> Value {
    json!({ "line": position.line, "column": position.column })
}

/// `{"findings": [...], "summary": {...}}`; each finding has its rule's category.
pub fn json(report: &Report, rules: &[Rule]) -> Value {
    let findings: Vec<Value> = report
        .findings
        .iter()
        .map(|located| {
            let finding = &located.finding;
            let category = rules
                .iter()
                .find(|rule| rule.id == finding.rule_id)
                .map(|rule| rule.category.name());
            let fix = finding.fix.as_ref().map(|fix| {
                let edits: Vec<Value> = located
                    .edits
                    .iter()
                    .map(|(start, end, new_text)| {
                        json!({
                            "start": position_json(*start),
                            "end": position_json(*end),
                            "new_text": new_text,
                        })
                    })
                    .collect();
                json!({ "title": fix.title, "edits": edits })
            });
            json!({
                "path": located.path,
                "rule_id": finding.rule_id,
                "severity": severity_name(finding.severity),
                "category": category,
                "message": finding.message,
                "start": position_json(located.start),
                "end": position_json(located.end),
                "fix": fix,
                "related": related_json(located),
            })
        })
        .collect();
    let by_severity: serde_json::Map<String, Value> = report
        .count_by_severity()
        .into_iter()
        .map(|(severity, count)| (severity_name(severity).to_string(), json!(count)))
        .collect();
    json!({
        "findings": findings,
        "summary": {
            "files_checked": report.files_checked,
            "findings": report.findings.len(),
            "fixed": report.fixed,
            "failed": report.failed,
            "by_severity": by_severity,
        },
    })
}

fn related_json(located: &Located) -> Vec<Value> {
    located
        .related
        .iter()
        .map(|(start, end, message)| {
            json!({
                "message": message,
                "start": position_json(*start),
                "end": position_json(*end),
            })
        })
        .collect()
}

fn sarif_level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info | Severity::Hint => "note",
    }
}

/// GitHub ranks security alerts by this 0-10 score.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "8.0",
        Severity::Warning => "5.5",
        Severity::Info => "3.0",
        Severity::Hint => "1.0",
    }
}

/// `py-http-no-timeout` -> `PyHttpNoTimeout`: SARIF's "name" is an identifier-like label.
fn pascal_case(id: &str) -> String {
    id.split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// A relative path as a URI reference: `/` separators, unsafe bytes percent-encoded.
fn uri_reference(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.replace('\\', "/").bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(byte as char);
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// SARIF 2.1.0 as GitHub code scanning reads it: every rule that ran (with help text) in
/// `tool.driver.rules`, and one result per finding with a physical location.
pub fn sarif(report: &Report, rules: &[Rule]) -> Value {
    // One descriptor per id: a rule written for both languages shares its id.
    let mut descriptors: Vec<&Rule> = Vec::new();
    for rule in rules {
        if !descriptors.iter().any(|seen| seen.id == rule.id) {
            descriptors.push(rule);
        }
    }
    let driver_rules: Vec<Value> = descriptors
        .iter()
        .map(|rule| {
            let mut tags = vec![rule.category.name().to_string()];
            if let Some(cwe) = &rule.cwe {
                tags.push(format!("external/cwe/{}", cwe.to_lowercase()));
            }
            let mut properties = json!({
                "tags": tags,
                "precision": "high",
                "problem.severity": sarif_level(rule.severity).replace("note", "recommendation"),
            });
            if rule.category == Category::Security {
                properties["security-severity"] = json!(security_severity(rule.severity));
            }
            let help = rule.explain();
            json!({
                "id": rule.id,
                "name": pascal_case(&rule.id),
                "shortDescription": { "text": rule.title },
                "fullDescription": { "text": rule.docs.what.trim() },
                "help": { "text": help, "markdown": help },
                "defaultConfiguration": { "level": sarif_level(rule.severity) },
                "properties": properties,
            })
        })
        .collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|located| {
            let finding = &located.finding;
            let rule_index = descriptors
                .iter()
                .position(|rule| rule.id == finding.rule_id);
            let physical = |start: Position, end: Position| {
                json!({
                    "artifactLocation": {
                        "uri": uri_reference(&located.path),
                        "uriBaseId": "%SRCROOT%",
                    },
                    "region": {
                        "startLine": start.line,
                        "startColumn": start.column,
                        "endLine": end.line,
                        "endColumn": end.column,
                    },
                })
            };
            let mut result = json!({
                "ruleId": finding.rule_id,
                "ruleIndex": rule_index,
                "level": sarif_level(finding.severity),
                "message": { "text": finding.message },
                "locations": [{ "physicalLocation": physical(located.start, located.end) }],
            });
            if !located.related.is_empty() {
                let related: Vec<Value> = located
                    .related
                    .iter()
                    .enumerate()
                    .map(|(id, (start, end, message))| {
                        json!({
                            "id": id,
                            "message": { "text": message },
                            "physicalLocation": physical(*start, *end),
                        })
                    })
                    .collect();
                result["relatedLocations"] = json!(related);
            }
            result
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "keel",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": driver_rules,
                },
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::RuleSet;
    use crate::syntax::Language;

    fn report_for(path: &str, text: &str, language: Language) -> (Report, RuleSet) {
        let rules = RuleSet::builtin();
        let tree = language.parse_str(text).unwrap();
        let index = LineIndex::new(text);
        let findings = rules
            .check(language, text, &tree, &Default::default())
            .into_iter()
            .map(|finding| Located::new(path, &index, finding))
            .collect();
        let report = Report {
            findings,
            files_checked: 1,
            fixed: 0,
            failed: 0,
        };
        (report, rules)
    }

    const CODE: &str = "import requests, yaml\n\ndef f(url, s):\n    # é\n    résumé = requests.get(url)\n    return yaml.load(s)\n";

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let index = LineIndex::new("ab\néé x\n");
        assert_eq!(index.position(0), Position { line: 1, column: 1 });
        // 'x' is byte 8 (é is two bytes) but character 4 of its line.
        assert_eq!(index.position(8), Position { line: 2, column: 4 });
        assert_eq!(index.position(10), Position { line: 3, column: 1 });
    }

    #[test]
    fn text_lists_findings_ruff_style_with_a_summary() {
        let (report, _) = report_for("app/views.py", CODE, Language::Python);
        let out = text(&report);
        assert!(
            out.contains(
                "app/views.py:5:14: py-http-no-timeout `requests.get(url)` has no timeout"
            ),
            "{out}"
        );
        assert!(
            out.contains("app/views.py:6:12: py-yaml-unsafe-load "),
            "{out}"
        );
        assert!(out.contains("Found 2 findings (1 error, 1 warning) in 1 file of 1 checked. 2 fixable with `--fix`."), "{out}");
    }

    #[test]
    fn json_has_positions_severity_category_and_fix_edits() {
        let (report, rules) = report_for("app/views.py", CODE, Language::Python);
        let value = json(&report, rules.rules());
        let first = &value["findings"][0];
        assert_eq!(first["path"], "app/views.py");
        assert_eq!(first["rule_id"], "py-http-no-timeout");
        assert_eq!(first["severity"], "warning");
        assert_eq!(first["category"], "reliability");
        assert_eq!(first["start"], json!({"line": 5, "column": 14}));
        assert_eq!(first["end"], json!({"line": 5, "column": 31}));
        assert_eq!(first["fix"]["title"], "Set `timeout=30`");
        assert_eq!(first["fix"]["edits"][0]["new_text"], ", timeout=30");
        assert_eq!(
            first["fix"]["edits"][0]["start"],
            json!({"line": 5, "column": 30})
        );
        assert_eq!(value["summary"]["findings"], 2);
        assert_eq!(value["summary"]["by_severity"]["error"], 1);
    }

    #[test]
    fn sarif_has_the_structure_github_code_scanning_requires() {
        let (report, rules) = report_for("src/my app/views.py", CODE, Language::Python);
        let value = sarif(&report, rules.rules());
        assert_eq!(value["version"], "2.1.0");
        assert!(value["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
        let run = &value["runs"][0];
        let driver = &run["tool"]["driver"];
        assert_eq!(driver["name"], "keel");
        let descriptors = driver["rules"].as_array().unwrap();
        let ids: Vec<&str> = descriptors
            .iter()
            .map(|r| r["id"].as_str().unwrap())
            .collect();
        let unique: std::collections::BTreeSet<&&str> = ids.iter().collect();
        assert_eq!(ids.len(), unique.len(), "rule ids must be unique");
        for descriptor in descriptors {
            for key in ["id", "name"] {
                assert!(descriptor[key].is_string(), "{key} in {descriptor}");
            }
            assert!(descriptor["shortDescription"]["text"].is_string());
            assert!(descriptor["fullDescription"]["text"].is_string());
            assert!(descriptor["help"]["text"].is_string());
            assert!(
                descriptor["help"]["markdown"]
                    .as_str()
                    .unwrap()
                    .contains("## Why it matters")
            );
            assert!(descriptor["properties"]["tags"].is_array());
        }
        let results = run["results"].as_array().unwrap();
        assert_eq!(results.len(), 2);
        for result in results {
            let rule_index = result["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(descriptors[rule_index]["id"], result["ruleId"]);
            assert!(["error", "warning", "note"].contains(&result["level"].as_str().unwrap()));
            assert!(result["message"]["text"].is_string());
            let location = &result["locations"][0]["physicalLocation"];
            assert_eq!(location["artifactLocation"]["uri"], "src/my%20app/views.py");
            let region = &location["region"];
            for key in ["startLine", "startColumn", "endLine", "endColumn"] {
                assert!(region[key].as_u64().unwrap() >= 1, "{key} in {region}");
            }
        }
        let yaml = results
            .iter()
            .find(|r| r["ruleId"] == "py-yaml-unsafe-load")
            .unwrap();
        let descriptor = &descriptors[yaml["ruleIndex"].as_u64().unwrap() as usize];
        assert_eq!(descriptor["properties"]["security-severity"], "8.0");
        assert!(
            descriptor["properties"]["tags"]
                .as_array()
                .unwrap()
                .contains(&json!("external/cwe/cwe-502"))
        );
    }

    #[test]
    fn a_tainted_finding_names_its_source_and_a_constant_one_is_a_note() {
        let text = "from flask import request\n\nBOOT = \"x = 1\"\n\n\ndef view():\n    expr = request.args[\"expr\"]\n    exec(BOOT, {})\n    return eval(expr)\n";
        let (report, rules) = report_for("app.py", text, Language::Python);
        let found: Vec<(usize, &str, Severity)> = report
            .findings
            .iter()
            .map(|l| (l.start.line, l.finding.message.as_str(), l.finding.severity))
            .collect();
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].0, 8);
        assert_eq!(found[0].2, Severity::Info);
        assert!(!found[0].1.contains("comes from"), "{}", found[0].1);
        assert_eq!(found[1].2, Severity::Error);
        assert!(
            found[1]
                .1
                .ends_with("(the value comes from `request.args`, line 7)"),
            "{}",
            found[1].1
        );
        let sarif = sarif(&report, rules.rules());
        let results = sarif["runs"][0]["results"].as_array().unwrap();
        assert!(results[0].get("relatedLocations").is_none());
        let related = &results[1]["relatedLocations"][0];
        assert_eq!(related["physicalLocation"]["region"]["startLine"], 7);
        assert_eq!(related["physicalLocation"]["region"]["startColumn"], 12);
        let json = json(&report, rules.rules());
        assert_eq!(json["findings"][1]["related"][0]["start"]["line"], 7);
    }
}
