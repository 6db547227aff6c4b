//! Rule findings in the editor: pushed after open and changes (debounced, computed off the
//! LSP task, tagged with the document version) for clients without pull diagnostics, served
//! by `textDocument/diagnostic` for the rest, and turned into `quickfix` code actions.
//! The rules themselves live in `crate::diagnostics`; this file only schedules and converts.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use dashmap::DashMap;
use tower_lsp_server::Client;
use tower_lsp_server::ls_types::{
    self as lsp, CodeAction, CodeActionKind, CodeActionOrCommand, CodeDescription, Diagnostic,
    DiagnosticSeverity, NumberOrString, OneOf, OptionalVersionedTextDocumentIdentifier,
    TextDocumentEdit, TextEdit, Uri, WorkspaceEdit,
};
use tracing::debug;

use crate::config::{DiagnosticsConfig, Severity};
use crate::diagnostics::{Finding, RuleSet};
use crate::memory::IdleTrim;
use crate::syntax::Language;
use crate::workspace::position::position_of;
use crate::workspace::{Documents, Encoding, Snapshot};

use super::capabilities::ClientSupport;

/// Long enough that a typing burst is checked once, short enough to feel immediate.
const DEBOUNCE: Duration = Duration::from_millis(200);

/// The findings of one document at one revision of the rules and the text.
struct Checked {
    version: i32,
    rules: u64,
    findings: Arc<Vec<Finding>>,
}

pub struct LiveDiagnostics {
    rules: RwLock<Arc<RuleSet>>,
    /// Bumped when the rules or their configuration change, so cached findings expire.
    rules_generation: AtomicU64,
    /// Per document: bumped by every change, so only the last scheduled check publishes.
    pending: DashMap<String, u64>,
    checked: DashMap<String, Checked>,
    /// Gives back what a burst of checks freed once they stop.
    trim: Arc<IdleTrim>,
}

impl LiveDiagnostics {
    pub fn new(rules: RuleSet, trim: Arc<IdleTrim>) -> LiveDiagnostics {
        LiveDiagnostics {
            trim,
            rules: RwLock::new(Arc::new(rules)),
            rules_generation: AtomicU64::new(0),
            pending: DashMap::new(),
            checked: DashMap::new(),
        }
    }

    pub fn set_rules(&self, rules: RuleSet) {
        if let Ok(mut slot) = self.rules.write() {
            *slot = Arc::new(rules);
        }
        self.invalidate();
    }

    /// The rules in force, for checking an edit as diagnostics would.
    pub fn rules(&self) -> Arc<RuleSet> {
        self.rules
            .read()
            .map(|rules| rules.clone())
            .unwrap_or_else(|_| Arc::new(RuleSet::builtin()))
    }

    /// Cached findings are stale (e.g. the diagnostics configuration changed).
    pub fn invalidate(&self) {
        self.rules_generation.fetch_add(1, Ordering::SeqCst);
        self.checked.clear();
    }

    pub fn forget(&self, uri: &str) {
        self.pending.remove(uri);
        self.checked.remove(uri);
    }

    /// The findings for `snapshot`, from the cache when the text and rules have not changed.
    /// CPU work: call it off the LSP task.
    pub fn findings(
        &self,
        documents: &Documents,
        snapshot: &Snapshot,
        config: &DiagnosticsConfig,
    ) -> Arc<Vec<Finding>> {
        let generation = self.rules_generation.load(Ordering::SeqCst);
        if let Some(checked) = self.checked.get(&snapshot.uri)
            && checked.version == snapshot.version
            && checked.rules == generation
        {
            return checked.findings.clone();
        }
        let findings = Arc::new(self.compute(documents, snapshot, config));
        self.checked.insert(
            snapshot.uri.clone(),
            Checked {
                version: snapshot.version,
                rules: generation,
                findings: findings.clone(),
            },
        );
        findings
    }

    fn compute(
        &self,
        documents: &Documents,
        snapshot: &Snapshot,
        config: &DiagnosticsConfig,
    ) -> Vec<Finding> {
        let Some(language) = snapshot.language else {
            return Vec::new();
        };
        let Some(tree) = documents.tree(snapshot) else {
            return Vec::new();
        };
        let Ok(rules) = self.rules.read().map(|rules| rules.clone()) else {
            return Vec::new();
        };
        // The path tells test files apart, for rules that skip test code.
        let path = snapshot
            .uri
            .parse::<Uri>()
            .ok()
            .and_then(|uri| uri.to_file_path().map(|path| path.into_owned()));
        let text = String::from(&snapshot.text);
        rules.check_file(path.as_deref(), language, &text, &tree, config)
    }

    /// Starts a check of `uri` after `delay`; a later call for the same document supersedes
    /// it. The result is published only if the document is still at the checked version.
    pub fn schedule(
        self: &Arc<Self>,
        client: &Client,
        documents: &Arc<Documents>,
        config: DiagnosticsConfig,
        encoding: Encoding,
        uri: &str,
        delay: Duration,
    ) {
        let ticket = {
            let mut entry = self.pending.entry(uri.to_string()).or_insert(0);
            *entry += 1;
            *entry
        };
        let live = self.clone();
        let client = client.clone();
        let documents = documents.clone();
        let uri = uri.to_string();
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            if !live.is_current(&uri, ticket) {
                return;
            }
            let Ok(snapshot) = documents.snapshot(&uri) else {
                return;
            };
            let version = snapshot.version;
            let busy = live.trim.begin();
            let work = {
                let live = live.clone();
                let documents = documents.clone();
                tokio::task::spawn_blocking(move || {
                    let findings = live.findings(&documents, &snapshot, &config);
                    to_lsp(&live, &snapshot, &findings, encoding)
                })
            };
            let checked = work.await;
            drop(busy);
            let Ok(diagnostics) = checked else {
                return;
            };
            let still_current = live.is_current(&uri, ticket)
                && documents
                    .snapshot(&uri)
                    .is_ok_and(|now| now.version == version);
            if !still_current {
                debug!(uri, version, "diagnostics superseded before publishing");
                return;
            }
            if let Ok(uri) = uri.parse::<Uri>() {
                client
                    .publish_diagnostics(uri, diagnostics, Some(version))
                    .await;
            }
        });
    }

    fn is_current(&self, uri: &str, ticket: u64) -> bool {
        self.pending
            .get(uri)
            .is_some_and(|current| *current == ticket)
    }

    fn rule_cwe(&self, rule_id: &str, language: Option<Language>) -> Option<String> {
        let rules = self.rules.read().ok()?;
        rules
            .rules()
            .iter()
            .find(|rule| rule.id == rule_id && Some(rule.language) == language)
            .and_then(|rule| rule.cwe.clone())
    }
}

/// The delay before a check: none for a document just opened, a debounce for edits.
pub fn delay_after(opened: bool) -> Duration {
    if opened { Duration::ZERO } else { DEBOUNCE }
}

/// Findings as LSP diagnostics, positions in the negotiated encoding.
pub fn to_lsp(
    live: &LiveDiagnostics,
    snapshot: &Snapshot,
    findings: &[Finding],
    encoding: Encoding,
) -> Vec<Diagnostic> {
    let mut cwe_links: HashMap<&str, Option<CodeDescription>> = HashMap::new();
    findings
        .iter()
        .map(|finding| {
            let code_description = cwe_links
                .entry(finding.rule_id.as_str())
                .or_insert_with(|| {
                    live.rule_cwe(&finding.rule_id, snapshot.language)
                        .and_then(|cwe| cwe_link(&cwe))
                })
                .clone();
            Diagnostic {
                range: range(snapshot, finding.start_byte, finding.end_byte, encoding),
                severity: Some(severity(finding.severity)),
                code: Some(NumberOrString::String(finding.rule_id.clone())),
                code_description,
                source: Some("keel".into()),
                message: finding.message.clone(),
                ..Default::default()
            }
        })
        .collect()
}

/// The MITRE page of a CWE id such as `CWE-89`: the rule's docs a user can follow.
fn cwe_link(cwe: &str) -> Option<CodeDescription> {
    let number = cwe.strip_prefix("CWE-")?;
    if number.is_empty() || !number.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    let href = format!("https://cwe.mitre.org/data/definitions/{number}.html")
        .parse::<Uri>()
        .ok()?;
    Some(CodeDescription { href })
}

fn severity(severity: Severity) -> DiagnosticSeverity {
    match severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
        Severity::Hint => DiagnosticSeverity::HINT,
    }
}

fn range(snapshot: &Snapshot, start: usize, end: usize, encoding: Encoding) -> lsp::Range {
    let position = |byte| {
        let position = position_of(&snapshot.text, byte, encoding);
        lsp::Position::new(position.line, position.character)
    };
    lsp::Range::new(position(start), position(end))
}

fn overlaps(a: &lsp::Range, b: &lsp::Range) -> bool {
    let before =
        |x: &lsp::Position, y: &lsp::Position| (x.line, x.character) < (y.line, y.character);
    !before(&a.end, &b.start) && !before(&b.end, &a.start)
}

/// Quick fixes for the findings whose range touches `requested`: each rule's deterministic
/// fix (preferred), and a comment that silences the rule on that line.
pub fn code_actions(
    live: &LiveDiagnostics,
    snapshot: &Snapshot,
    findings: &[Finding],
    requested: lsp::Range,
    support: ClientSupport,
    encoding: Encoding,
) -> Vec<CodeActionOrCommand> {
    let Ok(uri) = snapshot.uri.parse::<Uri>() else {
        return Vec::new();
    };
    let diagnostics = to_lsp(live, snapshot, findings, encoding);
    let mut actions = Vec::new();
    for (finding, diagnostic) in findings.iter().zip(diagnostics) {
        if !overlaps(&diagnostic.range, &requested) {
            continue;
        }
        if let Some(fix) = &finding.fix {
            let edits = fix
                .edits
                .iter()
                .map(|edit| TextEdit {
                    range: range(snapshot, edit.start_byte, edit.end_byte, encoding),
                    new_text: edit.new_text.clone(),
                })
                .collect();
            actions.push(quickfix(
                format!("{} ({})", fix.title, finding.rule_id),
                true,
                &diagnostic,
                workspace_edit(&uri, snapshot.version, edits, support),
            ));
        }
        if let Some(edit) = ignore_comment(snapshot, finding, encoding) {
            actions.push(quickfix(
                format!("Ignore {} on this line", finding.rule_id),
                false,
                &diagnostic,
                workspace_edit(&uri, snapshot.version, vec![edit], support),
            ));
        }
    }
    actions
}

fn quickfix(
    title: String,
    preferred: bool,
    diagnostic: &Diagnostic,
    edit: WorkspaceEdit,
) -> CodeActionOrCommand {
    CodeActionOrCommand::CodeAction(CodeAction {
        title,
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![diagnostic.clone()]),
        edit: Some(edit),
        is_preferred: Some(preferred),
        ..Default::default()
    })
}

pub(super) fn workspace_edit(
    uri: &Uri,
    version: i32,
    edits: Vec<TextEdit>,
    support: ClientSupport,
) -> WorkspaceEdit {
    if support.document_changes {
        WorkspaceEdit {
            document_changes: Some(lsp::DocumentChanges::Edits(vec![TextDocumentEdit {
                text_document: OptionalVersionedTextDocumentIdentifier {
                    uri: uri.clone(),
                    version: Some(version),
                },
                edits: edits.into_iter().map(OneOf::Left).collect(),
            }])),
            ..Default::default()
        }
    } else {
        WorkspaceEdit {
            changes: Some([(uri.clone(), edits)].into_iter().collect()),
            ..Default::default()
        }
    }
}

/// `# keel: ignore[id]` (or `//`) on its own line above the finding, indented like it.
fn ignore_comment(snapshot: &Snapshot, finding: &Finding, encoding: Encoding) -> Option<TextEdit> {
    let marker = match snapshot.language? {
        Language::Python => "#",
        Language::Rust => "//",
    };
    let text = &snapshot.text;
    let line = text.try_byte_to_line(finding.start_byte).ok()?;
    let line_start = text.try_line_to_byte(line).ok()?;
    let content = text.line(line);
    let indent: String = content
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    // Keep the file's own line endings.
    let newline = if content.to_string().ends_with("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    let at = range(snapshot, line_start, line_start, encoding);
    Some(TextEdit {
        range: at,
        new_text: format!(
            "{indent}{marker} keel: ignore[{}]{newline}",
            finding.rule_id
        ),
    })
}
