//! A set of rules with their queries compiled: one combined query per language, so a file
//! is scanned once whatever the number of rules. A language's query is compiled when a
//! file of that language is first checked: compiling is costly, and a Python-only run
//! never needs the Rust query.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use streaming_iterator::StreamingIterator;
use tree_sitter::{
    CaptureQuantifier, Query, QueryCursor, QueryCursorOptions, QueryCursorState, QueryError,
    QueryErrorKind, Tree,
};

use super::captures::{Captured, placeholders};
use super::fix::{EditSpec, apply_counted};
use super::predicate::{File, Predicate};
use super::rule::{Rule, RuleError, severity_name};
use super::suppress::Suppressions;
use super::vocabulary::Vocabulary;
use super::{Finding, Related};
use crate::config::{DiagnosticsConfig, Severity};
use crate::syntax::Language;

mod builtin {
    include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));
}

/// Rules ready to run.
#[derive(Debug)]
pub struct RuleSet {
    rules: Vec<Rule>,
    languages: Vec<LanguageRules>,
    /// The names the predicates know (route decorators, loggers, secret words).
    vocabulary: Vocabulary,
}

/// The rules of one language and, once a file needs it, their compiled query (`None` if it
/// does not compile, which rules checked when loaded never do).
#[derive(Debug)]
struct LanguageRules {
    language: Language,
    /// Indexes into `RuleSet::rules`.
    members: Vec<usize>,
    compiled: OnceLock<Option<CompiledLanguage>>,
}

#[derive(Debug)]
struct CompiledLanguage {
    query: Query,
    /// By pattern index of `query`.
    patterns: Vec<Pattern>,
}

#[derive(Debug)]
struct Pattern {
    /// Index of the pattern in the combined query.
    index: usize,
    /// Index into `RuleSet::rules`.
    rule: usize,
    target: u32,
    predicates: Vec<Predicate>,
    /// `(#set! severity "info")`: findings of this pattern have this severity, whatever the
    /// rule's (e.g. the same call on a constant value).
    severity: Option<Severity>,
}

/// Rule files that cannot be used; each problem names its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    pub problems: Vec<RuleError>,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lines: Vec<String> = self.problems.iter().map(ToString::to_string).collect();
        write!(f, "{}", lines.join("\n"))
    }
}

impl std::error::Error for LoadError {}

impl From<RuleError> for LoadError {
    fn from(problem: RuleError) -> Self {
        LoadError {
            problems: vec![problem],
        }
    }
}

/// A text with quick fixes applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fixed {
    pub text: String,
    /// How many fixes were applied.
    pub applied: usize,
}

/// Fixes can overlap (a fix inside another's range); each round applies those that fit.
const MAX_FIX_ROUNDS: usize = 8;

impl RuleSet {
    /// The rules compiled into Keel (`queries/<lang>/rules/`).
    pub fn builtin() -> RuleSet {
        match builtin_rules().and_then(Self::from_checked_rules) {
            Ok(rules) => rules,
            // Every built-in rule is compiled by the test suite, so this is a build defect.
            Err(err) => {
                tracing::error!("built-in rules are broken, diagnostics are off:\n{err}");
                RuleSet {
                    rules: Vec::new(),
                    languages: Vec::new(),
                    vocabulary: Vocabulary::builtin().clone(),
                }
            }
        }
    }

    /// Rules whose queries were checked already (built in and compiled by the test suite,
    /// or loaded with `from_rules`): only the ids are checked, queries compile when needed.
    fn from_checked_rules(rules: Vec<Rule>) -> Result<RuleSet, LoadError> {
        let mut problems = Vec::new();
        let mut seen = HashSet::new();
        for rule in &rules {
            if !seen.insert((rule.language, rule.id.as_str())) {
                problems.push(RuleError {
                    origin: rule.origin.clone(),
                    message: format!(
                        "two {} rules have the id \"{}\"; ids must be unique per language",
                        rule.language.name(),
                        rule.id
                    ),
                });
            }
        }
        if !problems.is_empty() {
            return Err(LoadError { problems });
        }
        let languages = Language::ALL
            .into_iter()
            .map(|language| LanguageRules {
                language,
                members: (0..rules.len())
                    .filter(|&index| rules[index].language == language)
                    .collect(),
                compiled: OnceLock::new(),
            })
            .filter(|language| !language.members.is_empty())
            .collect();
        Ok(RuleSet {
            rules,
            languages,
            vocabulary: Vocabulary::builtin().clone(),
        })
    }

    /// A team's rules: every `*.toml` under `dir` (e.g. `.keel/rules/`), in the same format
    /// as the built-in ones.
    pub fn load_dir(dir: &Path) -> Result<RuleSet, LoadError> {
        let mut files = Vec::new();
        collect_rule_files(dir, &mut files)?;
        files.sort();
        let mut rules = Vec::new();
        let mut problems = Vec::new();
        for path in files {
            let origin = path.display().to_string();
            let parsed = std::fs::read_to_string(&path)
                .map_err(|err| RuleError {
                    origin: origin.clone(),
                    message: format!("cannot read the rule file: {err}"),
                })
                .and_then(|text| Rule::parse(&origin, &text));
            match parsed {
                Ok(rule) => rules.push(rule),
                Err(problem) => problems.push(problem),
            }
        }
        if !problems.is_empty() {
            return Err(LoadError { problems });
        }
        Self::from_rules(rules)
    }

    /// Compiles rules, checking each query, its predicates, message and fix.
    pub fn from_rules(rules: Vec<Rule>) -> Result<RuleSet, LoadError> {
        let set = Self::from_checked_rules(rules)?;
        let mut problems = Vec::new();
        for language in &set.languages {
            match compile_language(language.language, &set.rules, &language.members) {
                Ok(compiled) => {
                    let _ = language.compiled.set(Some(compiled));
                }
                Err(mut found) => problems.append(&mut found),
            }
        }
        if !problems.is_empty() {
            return Err(LoadError { problems });
        }
        Ok(set)
    }

    /// This set with its predicates reading `vocabulary` (e.g. the built-in one with a
    /// team's `.keel/vocabulary.toml` added, from `Vocabulary::for_workspace`).
    pub fn with_vocabulary(mut self, vocabulary: Vocabulary) -> RuleSet {
        self.vocabulary = vocabulary;
        self
    }

    /// This set with `team`'s rules added; a team rule replaces a built-in one with the same
    /// id and language. Both sets were checked when loaded. The vocabulary stays this set's.
    pub fn merged(self, team: RuleSet) -> Result<RuleSet, LoadError> {
        let mut rules: Vec<Rule> = self
            .rules
            .into_iter()
            .filter(|rule| {
                !team
                    .rules
                    .iter()
                    .any(|own| own.id == rule.id && own.language == rule.language)
            })
            .collect();
        rules.extend(team.rules);
        Ok(Self::from_checked_rules(rules)?.with_vocabulary(self.vocabulary))
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The findings of every enabled rule for one file.
    pub fn check(
        &self,
        language: Language,
        text: &str,
        tree: &Tree,
        config: &DiagnosticsConfig,
    ) -> Vec<Finding> {
        self.check_file(None, language, text, tree, config)
    }

    /// Like `check`, knowing the file's path: test files (`test_*.py`, `tests/*.rs`, ...)
    /// count as test code for `#inside-test?`.
    pub fn check_file(
        &self,
        path: Option<&Path>,
        language: Language,
        text: &str,
        tree: &Tree,
        config: &DiagnosticsConfig,
    ) -> Vec<Finding> {
        let Some(compiled) = self.compiled(language) else {
            return Vec::new();
        };
        if crate::syntax::too_deep_for_queries(tree) {
            tracing::debug!(
                "not checked: the file nests deeper than {} levels",
                crate::syntax::MAX_QUERY_DEPTH
            );
            return Vec::new();
        }
        let root = tree.root_node();
        let file = File::new(language, text, root, path, &self.vocabulary);
        // (rule, range) -> index in `findings`: patterns of one rule may match one node.
        let mut seen: HashMap<(usize, usize, usize), usize> = HashMap::new();
        let mut findings: Vec<Finding> = Vec::new();
        let mut cursor = QueryCursor::new();
        let budget = crate::syntax::QueryBudget::start();
        let mut within_budget = |state: &QueryCursorState| budget.check(state);
        let mut matches = cursor.matches_with_options(
            &compiled.query,
            root,
            text.as_bytes(),
            QueryCursorOptions::new().progress_callback(&mut within_budget),
        );
        while let Some(found) = matches.next() {
            let Some(pattern) = compiled.patterns.get(found.pattern_index) else {
                continue;
            };
            let rule = &self.rules[pattern.rule];
            if config.disable.contains(&rule.id) {
                continue;
            }
            let captured = Captured::new(&compiled.query, found, text);
            // A predicate on an optional capture that matched nothing does not apply.
            let holds = pattern.predicates.iter().all(|predicate| {
                captured
                    .node_by_index(predicate.capture())
                    .is_none_or(|node| predicate.holds(node, &captured, &file))
            });
            let Some(target) = captured.node_by_index(pattern.target) else {
                continue;
            };
            if !holds {
                continue;
            }
            let fix = rule
                .fix
                .as_ref()
                .and_then(|fix| fix.build(&captured, root, text));
            let source = pattern.predicates.iter().find_map(|predicate| {
                let node = captured.node_by_index(predicate.capture())?;
                predicate.source(node, &file)
            });
            let key = (pattern.rule, target.start_byte(), target.end_byte());
            if let Some(&index) = seen.get(&key) {
                // The same finding again; keep a fix if only this pattern has one.
                if findings[index].fix.is_none() {
                    findings[index].fix = fix;
                }
                continue;
            }
            seen.insert(key, findings.len());
            let mut message = captured.render(&rule.message, true);
            let mut related = Vec::new();
            if let Some(source) = source {
                let line = text[..source.start_byte()].matches('\n').count() + 1;
                let code = captured.render_code(source);
                message.push_str(&format!(" (the value comes from `{code}`, line {line})"));
                related.push(Related {
                    message: format!("outside data enters here: `{code}`"),
                    start_byte: source.start_byte(),
                    end_byte: source.end_byte(),
                });
            }
            let severity = pattern
                .severity
                .or_else(|| config.severity.get(&rule.id).copied())
                .unwrap_or(rule.severity);
            findings.push(Finding {
                rule_id: rule.id.clone(),
                severity,
                message,
                start_byte: target.start_byte(),
                end_byte: target.end_byte(),
                fix,
                related,
            });
        }
        drop(matches);
        if budget.stopped() {
            tracing::debug!(
                "rules stopped after {:?} of CPU time: the findings so far are reported",
                crate::syntax::QUERY_CPU_BUDGET
            );
        }
        if !findings.is_empty() {
            let suppressions = Suppressions::scan(text, root);
            if !suppressions.is_empty() {
                findings.retain(|finding| {
                    let line = text[..finding.start_byte].matches('\n').count();
                    !suppressions.covers(&finding.rule_id, line)
                });
            }
        }
        findings.sort_by(|a, b| {
            (a.start_byte, &a.rule_id, a.end_byte).cmp(&(b.start_byte, &b.rule_id, b.end_byte))
        });
        findings
    }

    /// The query of `language`'s rules, compiled on first use; `None` when no rule is for
    /// that language.
    fn compiled(&self, language: Language) -> Option<&CompiledLanguage> {
        let rules = self.languages.iter().find(|c| c.language == language)?;
        rules
            .compiled
            .get_or_init(
                || match compile_language(language, &self.rules, &rules.members) {
                    Ok(compiled) => Some(compiled),
                    Err(problems) => {
                        let problems = LoadError { problems };
                        tracing::error!(
                            "the {} rules are broken, their diagnostics are off:\n{problems}",
                            language.name()
                        );
                        None
                    }
                },
            )
            .as_ref()
    }

    /// `text` with the quick fixes of every finding applied, re-checking and fixing again
    /// while fixes skipped for overlapping an applied one remain.
    pub fn fix_text(
        &self,
        path: Option<&Path>,
        language: Language,
        text: &str,
        config: &DiagnosticsConfig,
    ) -> Fixed {
        let mut fixed = Fixed {
            text: text.to_string(),
            applied: 0,
        };
        for _ in 0..MAX_FIX_ROUNDS {
            let Some(tree) = language.parse_str(&fixed.text) else {
                break;
            };
            let findings = self.check_file(path, language, &fixed.text, &tree, config);
            let (text, applied) = apply_counted(&fixed.text, &findings);
            if applied == 0 {
                break;
            }
            fixed.text = text;
            fixed.applied += applied;
        }
        fixed
    }
}

/// The rules compiled into Keel, parsed but not compiled.
fn builtin_rules() -> Result<Vec<Rule>, LoadError> {
    let mut rules = Vec::new();
    let mut problems = Vec::new();
    for (origin, text) in builtin::BUILTIN_RULES {
        match Rule::parse(origin, text) {
            Ok(rule) => rules.push(rule),
            Err(problem) => problems.push(problem),
        }
    }
    if !problems.is_empty() {
        return Err(LoadError { problems });
    }
    Ok(rules)
}

/// Compiles the queries of one language's rules into one query and checks each rule
/// against it: its target, predicates, message and fix.
fn compile_language(
    language: Language,
    rules: &[Rule],
    members: &[usize],
) -> Result<CompiledLanguage, Vec<RuleError>> {
    let mut source = String::new();
    // (offset of the rule's query in `source`, rule index), ascending.
    let mut starts = Vec::with_capacity(members.len());
    for &index in members {
        starts.push((source.len(), index));
        source.push_str(&rules[index].query);
        source.push('\n');
    }
    let grammar = language.grammar();
    let query = match Query::new(&grammar, &source) {
        Ok(query) => query,
        Err(combined) => {
            // Compile each query on its own so every broken rule is named, with line
            // numbers of its own query.
            let mut problems: Vec<RuleError> = members
                .iter()
                .filter_map(|&index| {
                    let rule = &rules[index];
                    let checked = Query::new(&grammar, &rule.query)
                        .map_err(|err| describe_query_error(&err))
                        .and_then(|alone| {
                            let all: Vec<usize> = (0..alone.pattern_count()).collect();
                            rule_patterns(&alone, rule, index, &all)
                        });
                    checked.err().map(|message| RuleError {
                        origin: rule.origin.clone(),
                        message,
                    })
                })
                .collect();
            if problems.is_empty() {
                problems.push(RuleError {
                    origin: format!("{} rules", language.name()),
                    message: format!("the rules' queries do not combine: {combined}"),
                });
            }
            return Err(problems);
        }
    };
    let rule_of = |pattern: usize| {
        let offset = query.start_byte_for_pattern(pattern);
        let position = starts.partition_point(|(start, _)| *start <= offset);
        starts[position.saturating_sub(1)].1
    };
    let mut patterns = Vec::with_capacity(query.pattern_count());
    let mut problems = Vec::new();
    for &rule_index in members {
        let own: Vec<usize> = (0..query.pattern_count())
            .filter(|&pattern| rule_of(pattern) == rule_index)
            .collect();
        match rule_patterns(&query, &rules[rule_index], rule_index, &own) {
            Ok(mut compiled) => patterns.append(&mut compiled),
            Err(message) => problems.push(RuleError {
                origin: rules[rule_index].origin.clone(),
                message,
            }),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    // Patterns are matched by index: keep them in the query's order.
    patterns.sort_by_key(|pattern| pattern.index);
    Ok(CompiledLanguage { query, patterns })
}

/// The compiled patterns of one rule (`own` patterns of `query`), after checking them.
fn rule_patterns(
    query: &Query,
    rule: &Rule,
    rule_index: usize,
    own: &[usize],
) -> Result<Vec<Pattern>, String> {
    let target = check_rule(query, rule, own)?;
    own.iter()
        .map(|&index| {
            let predicates = query
                .general_predicates(index)
                .iter()
                .map(|raw| Predicate::parse(raw, rule.language))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Pattern {
                index,
                rule: rule_index,
                target,
                predicates,
                severity: pattern_severity(query, index)?,
            })
        })
        .collect()
}

/// The severity a pattern sets with `(#set! severity "info")`, if any.
fn pattern_severity(query: &Query, pattern: usize) -> Result<Option<Severity>, String> {
    let mut severity = None;
    for property in query.property_settings(pattern) {
        let value = property.value.as_deref().unwrap_or("");
        if &*property.key != "severity" {
            return Err(format!(
                "unknown setting `(#set! {} ...)`; the only one is (#set! severity \"info\")",
                property.key
            ));
        }
        let all = [
            Severity::Hint,
            Severity::Info,
            Severity::Warning,
            Severity::Error,
        ];
        let Some(found) = all.into_iter().find(|level| severity_name(*level) == value) else {
            return Err(format!(
                "(#set! severity \"{value}\"): not a severity; use hint, info, warning or error"
            ));
        };
        severity = Some(found);
    }
    Ok(severity)
}

fn describe_query_error(err: &QueryError) -> String {
    let hint = if err.kind == QueryErrorKind::Capture {
        "; a predicate can only use captures named before it: write \
         ((call ...) @call (#inside-async? @call))"
    } else {
        ""
    };
    format!(
        "`query`, line {} column {}: {:?} error: {}{hint}",
        err.row + 1,
        err.column + 1,
        err.kind,
        err.message.lines().next().unwrap_or("").trim()
    )
}

/// Checks what a rule's metadata says about its patterns (`own_patterns` of `query`):
/// every pattern captures the target, and the message and fix use only captures the rule
/// has. Returns the target's capture index.
fn check_rule(query: &Query, rule: &Rule, own_patterns: &[usize]) -> Result<u32, String> {
    let captured_by_rule = |index: u32| {
        own_patterns.iter().any(|&pattern| {
            query.capture_quantifiers(pattern)[index as usize] != CaptureQuantifier::Zero
        })
    };
    let names: Vec<&str> = query
        .capture_names()
        .iter()
        .enumerate()
        .filter(|(index, _)| captured_by_rule(*index as u32))
        .map(|(_, name)| *name)
        .collect();
    let captured = |name: &str| names.contains(&name);
    let Some(target) = query
        .capture_index_for_name(&rule.target)
        .filter(|index| captured_by_rule(*index))
    else {
        return Err(format!(
            "`target` = \"{}\" but the query has no @{0} capture; captures: {}",
            rule.target,
            at_names(&names)
        ));
    };
    for (number, &pattern) in own_patterns.iter().enumerate() {
        if query.capture_quantifiers(pattern)[target as usize] == CaptureQuantifier::Zero {
            return Err(format!(
                "pattern {} of the query has no @{} capture; every pattern must capture the flagged code",
                number + 1,
                rule.target
            ));
        }
    }
    let mut templates = vec![("message", rule.message.as_str())];
    if let Some(fix) = &rule.fix {
        if fix.edits.is_empty() {
            return Err("`fix.edits` is empty; give at least one edit".to_string());
        }
        for edit in &fix.edits {
            if let EditSpec::Import { .. } = edit
                && rule.language != Language::Python
            {
                return Err("fix edit kind \"import\" is for Python rules only".to_string());
            }
            if let Some(capture) = edit.capture()
                && !captured(capture)
            {
                return Err(format!(
                    "fix edit refers to @{capture}, which the query does not capture; captures: {}",
                    at_names(&names)
                ));
            }
            if let Some(template) = edit.template() {
                templates.push(("fix edit text", template));
            }
        }
    }
    for (field, template) in templates {
        for name in placeholders(template) {
            if !captured(name) {
                return Err(format!(
                    "{field} uses {{{name}}}, which the query does not capture; captures: {}",
                    at_names(&names)
                ));
            }
        }
    }
    Ok(target)
}

fn at_names(names: &[&str]) -> String {
    let names: Vec<String> = names.iter().map(|name| format!("@{name}")).collect();
    names.join(", ")
}

fn collect_rule_files(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), RuleError> {
    let entries = std::fs::read_dir(dir).map_err(|err| RuleError {
        origin: dir.display().to_string(),
        message: format!("cannot read the rules directory: {err}"),
    })?;
    for entry in entries {
        let path = entry
            .map_err(|err| RuleError {
                origin: dir.display().to_string(),
                message: format!("cannot list the rules directory: {err}"),
            })?
            .path();
        if path.is_dir() {
            collect_rule_files(&path, files)?;
        } else if path.extension().is_some_and(|ext| ext == "toml") {
            files.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_rule_compiles() {
        if let Err(err) = builtin_rules().and_then(RuleSet::from_rules) {
            panic!("{err}");
        }
    }

    #[test]
    fn a_rule_set_can_be_shared_across_threads() {
        // The server checks documents on worker threads with one shared set.
        fn shareable<T: Send + Sync>(_: &T) {}
        shareable(&RuleSet::builtin());
    }

    #[test]
    fn builtin_rules_sit_in_the_directory_of_their_language() {
        for (origin, text) in builtin::BUILTIN_RULES {
            let rule = Rule::parse(origin, text).unwrap();
            let expected = format!("queries/{}/rules/{}.toml", rule.language.name(), rule.id);
            assert_eq!(*origin, expected, "file name and id/language disagree");
        }
    }

    fn team_rule(id: &str, query: &str, message: &str) -> String {
        format!(
            r#"
id = "{id}"
language = "python"
title = "Team rule"
severity = "info"
category = "reliability"
message = "{message}"
target = "call"
query = '''{query}'''
[docs]
what = "w"
why = "y"
example = "e"
instead = "i"
"#
        )
    }

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("keel-rules-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn team_rules_load_from_a_directory_and_run() {
        let dir = temp_dir("ok");
        std::fs::write(
            dir.join("no-print.toml"),
            team_rule(
                "team-no-print",
                r#"(call function: (identifier) @name (#eq? @name "print")) @call"#,
                "use the logger, not {call}",
            ),
        )
        .unwrap();
        let rules = RuleSet::load_dir(&dir).unwrap();
        let text = "print('hi')\nlog('hi')\n";
        let tree = Language::Python.parse_str(text).unwrap();
        let findings = rules.check(Language::Python, text, &tree, &DiagnosticsConfig::default());
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].message, "use the logger, not print('hi')");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn merged_team_rules_run_beside_the_builtin_ones_and_replace_their_namesakes() {
        let dir = temp_dir("merged");
        std::fs::write(
            dir.join("no-print.toml"),
            team_rule(
                "team-no-print",
                r#"(call function: (identifier) @name (#eq? @name "print")) @call"#,
                "use the logger",
            ),
        )
        .unwrap();
        std::fs::write(
            dir.join("eval.toml"),
            team_rule(
                "py-eval-exec",
                r#"(call function: (identifier) @name (#eq? @name "eval")) @call"#,
                "team eval",
            ),
        )
        .unwrap();
        let rules = RuleSet::builtin()
            .merged(RuleSet::load_dir(&dir).unwrap())
            .unwrap();
        let text = "print(x)\neval(code)\nimport requests\nrequests.get(url)\n";
        let tree = Language::Python.parse_str(text).unwrap();
        let findings = rules.check(Language::Python, text, &tree, &DiagnosticsConfig::default());
        let found: Vec<(&str, &str)> = findings
            .iter()
            .map(|finding| (finding.rule_id.as_str(), finding.message.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                ("team-no-print", "use the logger"),
                ("py-eval-exec", "team eval"),
                (
                    "py-http-no-timeout",
                    "`requests.get(url)` has no timeout: if the server never answers, this worker waits forever"
                ),
            ]
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn has_kwarg_and_lacks_kwarg_read_the_keyword_arguments_of_a_call() {
        let dir = temp_dir("kwargs");
        for (id, predicate) in [("team-has", "has-kwarg"), ("team-lacks", "lacks-kwarg")] {
            let query = format!(
                r#"(call arguments: (argument_list) @args (#{predicate}? @args "verify" "cert")) @call"#
            );
            std::fs::write(dir.join(format!("{id}.toml")), team_rule(id, &query, id)).unwrap();
        }
        let rules = RuleSet::load_dir(&dir).unwrap();
        let text = "get(url, verify=False)\nget(url, cert=c)\nget(url)\nget(url, **options)\n";
        let tree = Language::Python.parse_str(text).unwrap();
        let found: Vec<(usize, &str)> = rules
            .check(Language::Python, text, &tree, &DiagnosticsConfig::default())
            .iter()
            .map(|finding| {
                let line = text[..finding.start_byte].matches('\n').count() + 1;
                (
                    line,
                    if finding.rule_id == "team-has" {
                        "has"
                    } else {
                        "lacks"
                    },
                )
            })
            .collect();
        // `**options` may carry either keyword: neither predicate claims to know.
        assert_eq!(found, [(1, "has"), (2, "has"), (3, "lacks")]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_team_rule_flags_request_data_only_and_sets_a_pattern_severity() {
        let dir = temp_dir("tainted");
        let query = r#"
((call function: (identifier) @name arguments: (argument_list . (_) @value)
   (#eq? @name "render_template_string")
   (#tainted? @value)) @call)

((call function: (identifier) @name arguments: (argument_list . (_) @value)
   (#eq? @name "render_template_string")
   (#trusted? @value)) @call
  (#set! severity "hint"))
"#;
        std::fs::write(
            dir.join("ssti.toml"),
            team_rule("team-ssti", query, "template from {value}"),
        )
        .unwrap();
        let rules = RuleSet::load_dir(&dir).unwrap();
        let text = "from flask import request\n\n\ndef page(template):\n    render_template_string(template)\n    render_template_string(request.args[\"t\"])\n    render_template_string(\"<p>hi</p>\")\n";
        let tree = Language::Python.parse_str(text).unwrap();
        let found: Vec<(usize, Severity, String)> = rules
            .check(Language::Python, text, &tree, &DiagnosticsConfig::default())
            .into_iter()
            .map(|finding| {
                let line = text[..finding.start_byte].matches('\n').count() + 1;
                (line, finding.severity, finding.message)
            })
            .collect();
        // A plain function's parameter is neither: the team rule leaves it alone.
        assert_eq!(
            found,
            [
                (
                    6,
                    Severity::Info,
                    "template from request.args[\"t\"] (the value comes from `request.args`, line 6)"
                        .to_string()
                ),
                (7, Severity::Hint, "template from \"<p>hi</p>\"".to_string()),
            ]
        );
        std::fs::write(
            dir.join("ssti.toml"),
            team_rule("team-ssti", &query.replace("\"hint\"", "\"loud\""), "x"),
        )
        .unwrap();
        let err = RuleSet::load_dir(&dir).unwrap_err().to_string();
        assert!(
            err.contains("(#set! severity \"loud\"): not a severity"),
            "{err}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn load_errors_name_the_file_and_the_problem() {
        let dir = temp_dir("bad");
        std::fs::write(
            dir.join("broken.toml"),
            team_rule("team-broken", "(call", "x"),
        )
        .unwrap();
        std::fs::write(
            dir.join("unknown.toml"),
            team_rule("team-unknown", "((call) @call (#inside-lopp? @call))", "x"),
        )
        .unwrap();
        std::fs::write(
            dir.join("message.toml"),
            team_rule("team-message", "(call) @call", "{callee} is bad"),
        )
        .unwrap();
        let err = RuleSet::load_dir(&dir).unwrap_err().to_string();
        assert!(err.contains("broken.toml: `query`, line 1"), "{err}");
        assert!(err.contains("unknown predicate `#inside-lopp?`"), "{err}");
        assert!(err.contains("{callee}"), "{err}");
        let missing = RuleSet::load_dir(&dir.join("nope"))
            .unwrap_err()
            .to_string();
        assert!(
            missing.contains("nope: cannot read the rules directory"),
            "{missing}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn disable_and_severity_overrides_apply() {
        let rules = RuleSet::builtin();
        let text = "import requests\nrequests.get(url)\n";
        let tree = Language::Python.parse_str(text).unwrap();
        let mut config = DiagnosticsConfig::default();
        let findings = rules.check(Language::Python, text, &tree, &config);
        assert_eq!(findings.len(), 1, "{findings:?}");
        config.severity.insert(
            "py-http-no-timeout".to_string(),
            crate::config::Severity::Error,
        );
        let findings = rules.check(Language::Python, text, &tree, &config);
        assert_eq!(findings[0].severity, crate::config::Severity::Error);
        config.disable.push("py-http-no-timeout".to_string());
        assert!(
            rules
                .check(Language::Python, text, &tree, &config)
                .is_empty()
        );
    }
}
