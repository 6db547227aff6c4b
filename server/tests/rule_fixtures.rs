//! Rule fixtures in semgrep's style: `tests/fixtures/rules/<lang>/<rule-id>.py|.rs`.
//!
//! The line after `# ruleid: <id>` (`// ruleid:` in Rust) must be flagged by that rule at
//! its own severity, the line after `# info: <id>` must be flagged by it at `info` (a note,
//! e.g. `eval` of a constant), the line after `# ok: <id>` must not be flagged, and any
//! other finding of any rule fails (strict).
//! Annotations stack: each applies to the next line that is not an annotation. A rule with a
//! quick fix has a `<rule-id>.<ext>.fixed` twin: the fixture with that rule's fixes applied.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use keel::config::{DiagnosticsConfig, Severity};
use keel::diagnostics::RuleSet;
use keel::syntax::Language;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/rules");

struct Fixture {
    language: Language,
    rule_id: String,
    path: PathBuf,
    text: String,
}

impl Fixture {
    fn name(&self) -> String {
        format!("{}/{}", self.language.name(), file_name(&self.path))
    }

    fn fixed_path(&self) -> PathBuf {
        PathBuf::from(format!("{}.fixed", self.path.display()))
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn extension(language: Language) -> &'static str {
    match language {
        Language::Python => "py",
        Language::Rust => "rs",
    }
}

fn comment(language: Language) -> &'static str {
    match language {
        Language::Python => "#",
        Language::Rust => "//",
    }
}

fn fixtures() -> Vec<Fixture> {
    let mut fixtures = Vec::new();
    for language in Language::ALL {
        let dir = Path::new(FIXTURES).join(language.name());
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.extension().and_then(|e| e.to_str()) != Some(extension(language)) {
                continue;
            }
            let rule_id = path.file_stem().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&path).unwrap();
            fixtures.push(Fixture {
                language,
                rule_id,
                path,
                text,
            });
        }
    }
    fixtures.sort_by(|a, b| a.path.cmp(&b.path));
    fixtures
}

#[derive(Default)]
struct Expectations {
    /// Line index -> rule ids that must flag it.
    flagged: BTreeMap<usize, Vec<String>>,
    /// Line index -> rule ids that must not flag it.
    ok: BTreeMap<usize, Vec<String>>,
    /// Line index -> rule ids that must flag it at `info` severity.
    info: BTreeMap<usize, Vec<String>>,
}

#[derive(Clone, Copy)]
enum Annotation {
    Flagged,
    Ok,
    Info,
}

fn expectations(fixture: &Fixture) -> Expectations {
    let mut expected = Expectations::default();
    let mut pending: Vec<(Annotation, Vec<String>)> = Vec::new();
    let prefix = comment(fixture.language);
    for (index, line) in fixture.text.lines().enumerate() {
        let annotation = line
            .trim_start()
            .strip_prefix(prefix)
            .map(str::trim)
            .and_then(|rest| {
                rest.strip_prefix("ruleid:")
                    .map(|ids| (Annotation::Flagged, ids))
                    .or_else(|| rest.strip_prefix("ok:").map(|ids| (Annotation::Ok, ids)))
                    .or_else(|| {
                        rest.strip_prefix("info:")
                            .map(|ids| (Annotation::Info, ids))
                    })
            });
        if let Some((kind, ids)) = annotation {
            let ids = ids.split(',').map(|id| id.trim().to_string()).collect();
            pending.push((kind, ids));
            continue;
        }
        for (kind, ids) in pending.drain(..) {
            let map = match kind {
                Annotation::Flagged => &mut expected.flagged,
                Annotation::Ok => &mut expected.ok,
                Annotation::Info => &mut expected.info,
            };
            map.entry(index).or_default().extend(ids);
        }
    }
    expected
}

fn line_of(text: &str, byte: usize) -> usize {
    text[..byte].matches('\n').count()
}

fn code_at(text: &str, line: usize) -> &str {
    text.lines().nth(line).unwrap_or("").trim()
}

#[test]
fn rules_flag_exactly_the_annotated_lines_and_fix_as_expected() {
    let rules = RuleSet::builtin();
    let known: Vec<&str> = rules.rules().iter().map(|rule| rule.id.as_str()).collect();
    let config = DiagnosticsConfig::default();
    let mut report = String::new();
    let mut checked = 0;
    for fixture in fixtures() {
        checked += 1;
        let name = fixture.name();
        let text = &fixture.text;
        let Some(tree) = fixture.language.parse_str(text) else {
            let _ = writeln!(report, "{name}: does not parse");
            continue;
        };
        if tree.root_node().has_error() {
            let _ = writeln!(
                report,
                "{name}: has syntax errors; a fixture must be valid code so queries see real trees"
            );
        }
        let expected = expectations(&fixture);
        for (line, ids) in expected
            .flagged
            .iter()
            .chain(&expected.ok)
            .chain(&expected.info)
        {
            for id in ids {
                if !known.contains(&id.as_str()) {
                    let _ = writeln!(
                        report,
                        "{name}:{}: annotation names unknown rule `{id}`",
                        line + 1
                    );
                }
            }
        }
        let findings =
            rules.check_file(Some(&fixture.path), fixture.language, text, &tree, &config);
        let mut found: BTreeMap<usize, Vec<&str>> = BTreeMap::new();
        for finding in &findings {
            let line = line_of(text, finding.start_byte);
            found.entry(line).or_default().push(&finding.rule_id);
            let listed = |map: &BTreeMap<usize, Vec<String>>| {
                map.get(&line)
                    .is_some_and(|ids| ids.contains(&finding.rule_id))
            };
            let declared = rules
                .rules()
                .iter()
                .find(|rule| rule.id == finding.rule_id && rule.language == fixture.language)
                .map(|rule| rule.severity);
            let wanted_severity = if listed(&expected.flagged) {
                declared
            } else if listed(&expected.info) {
                Some(Severity::Info)
            } else {
                None
            };
            if let Some(wanted) = wanted_severity {
                if finding.severity != wanted {
                    let _ = writeln!(
                        report,
                        "{name}:{}: {} flagged at {:?}, expected {wanted:?}\n    | {}",
                        line + 1,
                        finding.rule_id,
                        finding.severity,
                        code_at(text, line)
                    );
                }
                continue;
            }
            let marked_ok = expected
                .ok
                .get(&line)
                .is_some_and(|ids| ids.contains(&finding.rule_id));
            let what = if marked_ok {
                "flagged a line marked `ok`"
            } else {
                "unexpected finding"
            };
            let _ = writeln!(
                report,
                "{name}:{}: {what}: {} {}\n    | {}",
                line + 1,
                finding.rule_id,
                finding.message,
                code_at(text, line)
            );
        }
        for (line, ids) in expected.flagged.iter().chain(&expected.info) {
            for id in ids {
                let hit = found
                    .get(line)
                    .is_some_and(|hits| hits.contains(&id.as_str()));
                if !hit {
                    let _ = writeln!(
                        report,
                        "{name}:{}: expected {id} here, found nothing\n    | {}",
                        line + 1,
                        code_at(text, *line)
                    );
                }
            }
        }
        check_fixed(&rules, &fixture, &mut report);
    }
    assert!(checked > 0, "no fixtures found under {FIXTURES}");
    assert!(report.is_empty(), "rule fixtures failed:\n{report}");
}

/// The `.fixed` twin must equal the fixture with its own rule's fixes applied, and parse.
fn check_fixed(rules: &RuleSet, fixture: &Fixture, report: &mut String) {
    let name = fixture.name();
    let has_fix = rules
        .rules()
        .iter()
        .any(|rule| rule.id == fixture.rule_id && rule.fix.is_some());
    let fixed_path = fixture.fixed_path();
    let Ok(expected) = std::fs::read_to_string(&fixed_path) else {
        if has_fix {
            let _ = writeln!(
                report,
                "{name}: the rule has a fix but {} is missing",
                file_name(&fixed_path)
            );
        }
        return;
    };
    if !has_fix {
        let _ = writeln!(
            report,
            "{name}: {} exists but the rule has no fix",
            file_name(&fixed_path)
        );
        return;
    }
    // Only the fixture's own rule runs, so its .fixed shows that rule's fixes alone.
    let config = DiagnosticsConfig {
        disable: rules
            .rules()
            .iter()
            .filter(|rule| rule.id != fixture.rule_id)
            .map(|rule| rule.id.clone())
            .collect(),
        ..DiagnosticsConfig::default()
    };
    let fixed = rules.fix_text(
        Some(&fixture.path),
        fixture.language,
        &fixture.text,
        &config,
    );
    if fixed.text != expected {
        let (line, got, want) = fixed
            .text
            .lines()
            .zip(expected.lines())
            .enumerate()
            .find(|(_, (got, want))| got != want)
            .map(|(line, (got, want))| (line + 1, got, want))
            .unwrap_or((
                fixed.text.lines().count().min(expected.lines().count()) + 1,
                "(end of file)",
                "(end of file)",
            ));
        let _ = writeln!(
            report,
            "{}:{line}: fixed text differs\n    expected | {want}\n    got      | {got}",
            file_name(&fixed_path)
        );
    }
    let parses = fixture
        .language
        .parse_str(&fixed.text)
        .is_some_and(|tree| !tree.root_node().has_error());
    if !parses {
        let _ = writeln!(
            report,
            "{}: the fixed text has syntax errors",
            file_name(&fixed_path)
        );
    }
}

#[test]
fn every_builtin_rule_has_a_fixture_with_cases_both_ways() {
    let rules = RuleSet::builtin();
    assert!(!rules.rules().is_empty(), "no built-in rules loaded");
    let fixtures = fixtures();
    let mut report = String::new();
    for rule in rules.rules() {
        let Some(fixture) = fixtures
            .iter()
            .find(|f| f.rule_id == rule.id && f.language == rule.language)
        else {
            let _ = writeln!(
                report,
                "{} ({}): no fixture at tests/fixtures/rules/{}/{}.{}",
                rule.id,
                rule.language.name(),
                rule.language.name(),
                rule.id,
                extension(rule.language)
            );
            continue;
        };
        let expected = expectations(fixture);
        let count = |map: &BTreeMap<usize, Vec<String>>| {
            map.values().filter(|ids| ids.contains(&rule.id)).count()
        };
        let (flagged, ok) = (count(&expected.flagged), count(&expected.ok));
        if flagged < 2 || ok < 2 {
            let _ = writeln!(
                report,
                "{}: {flagged} `ruleid` and {ok} `ok` cases; each needs at least 2",
                fixture.name()
            );
        }
    }
    for fixture in &fixtures {
        let known = rules
            .rules()
            .iter()
            .any(|rule| rule.id == fixture.rule_id && rule.language == fixture.language);
        if !known {
            let _ = writeln!(
                report,
                "{}: no {} rule is named `{}`",
                fixture.name(),
                fixture.language.name(),
                fixture.rule_id
            );
        }
    }
    assert!(report.is_empty(), "rule coverage:\n{report}");
}

/// What `keel rules explain` shows is true: each rule flags its `docs.example` and leaves
/// its `docs.instead` alone.
#[test]
fn every_builtin_rule_flags_its_docs_example_and_not_what_it_says_to_write_instead() {
    let rules = RuleSet::builtin();
    let config = DiagnosticsConfig::default();
    let mut report = String::new();
    for rule in rules.rules() {
        for (field, code, should_flag) in [
            ("docs.example", &rule.docs.example, true),
            ("docs.instead", &rule.docs.instead, false),
        ] {
            let Some(tree) = rule.language.parse_str(code) else {
                let _ = writeln!(report, "{}: {field} does not parse", rule.id);
                continue;
            };
            let flagged = rules
                .check(rule.language, code, &tree, &config)
                .iter()
                .any(|finding| finding.rule_id == rule.id);
            if flagged != should_flag {
                let verdict = if flagged {
                    "is flagged"
                } else {
                    "is not flagged"
                };
                let _ = writeln!(
                    report,
                    "{} ({}): its {field} {verdict}:\n{code}",
                    rule.id,
                    rule.language.name()
                );
            }
        }
    }
    assert!(
        report.is_empty(),
        "rule docs that the rule contradicts:\n{report}"
    );
}
