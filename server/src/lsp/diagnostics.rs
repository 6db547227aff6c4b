//! Rule findings in the editor: pushed after open and changes (debounced, computed off the
//! LSP task, tagged with the document version) for clients without pull diagnostics, served
//! by `textDocument/diagnostic` for the rest, and turned into `quickfix` code actions.
//! The rules, the findings cache and the suppression edit live in `crate::diagnostics`, the
//! debounce in `crate::workspace`; this file only schedules and converts.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock, RwLock};
use std::time::Duration;

use tower_lsp_server::Client;
use tower_lsp_server::ls_types::{
    self as lsp, CodeAction, CodeActionKind, CodeActionOrCommand, CodeDescription, Diagnostic,
    DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, OneOf,
    OptionalVersionedTextDocumentIdentifier, TextDocumentEdit, TextEdit, Uri, WorkspaceEdit,
};
use tracing::debug;

use crate::config::{DiagnosticsConfig, Severity};
use crate::diagnostics::{Finding, FindingsCache, RuleSet, ignore_edit};
use crate::memory::IdleTrim;
use crate::syntax::Language;
use crate::workspace::position::position_of;
use crate::workspace::{BackgroundPool, Debounce, Documents, Encoding, Snapshot};

use super::capabilities::ClientSupport;

/// Long enough that a typing burst is checked once, short enough to feel immediate.
const DEBOUNCE: Duration = Duration::from_millis(200);

/// The `source` of the AI review's diagnostics, so a user tells them from the rules' (and
/// can filter them) at a glance.
const AI_SOURCE: &str = "keel-ai";

pub struct LiveDiagnostics {
    rules: RwLock<Arc<RuleSet>>,
    /// Per document: only the last scheduled check publishes.
    pending: Debounce,
    checked: FindingsCache,
    /// Gives back what a burst of checks freed once they stop.
    trim: Arc<IdleTrim>,
    /// Where checks run: one at a time per core, however many files are opened at once.
    pub(super) pool: BackgroundPool,
    /// The workspace's root: rules see paths relative to it (`tests/test_api.py`).
    root: OnceLock<PathBuf>,
    /// The AI review's concerns, shown beside the findings (`lsp/review.rs` starts reviews).
    pub(super) review: crate::review::Reviewer,
}

impl LiveDiagnostics {
    pub fn new(rules: RuleSet, trim: Arc<IdleTrim>, pool: BackgroundPool) -> LiveDiagnostics {
        LiveDiagnostics {
            trim,
            pool,
            rules: RwLock::new(Arc::new(rules)),
            pending: Debounce::default(),
            checked: FindingsCache::default(),
            root: OnceLock::new(),
            review: crate::review::Reviewer::default(),
        }
    }

    /// The workspace's root, once known.
    pub fn set_root(&self, root: PathBuf) {
        let _ = self.root.set(root);
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
        self.checked.invalidate();
    }

    pub fn forget(&self, uri: &str) {
        self.pending.forget(uri);
        self.checked.forget(uri);
        self.review.forget(uri);
    }

    /// Everything the editor shows for `snapshot`: the rules' findings, then the AI
    /// review's concerns on lines no finding flags. CPU work: call it off the LSP task.
    pub fn diagnostics(
        &self,
        documents: &Documents,
        snapshot: &Snapshot,
        config: &DiagnosticsConfig,
        encoding: Encoding,
    ) -> Vec<Diagnostic> {
        let findings = self.findings(documents, snapshot, config);
        let mut diagnostics = to_lsp(self, snapshot, &findings, encoding);
        if self.review.has_concerns(&snapshot.uri) {
            let covered: Vec<_> = findings
                .iter()
                .map(|finding| finding.start_byte..finding.end_byte)
                .collect();
            let text = String::from(&snapshot.text);
            let placed = self.review.place(&snapshot.uri, &text, &covered);
            diagnostics.extend(placed.into_iter().map(|concern| Diagnostic {
                range: range(snapshot, concern.start_byte, concern.end_byte, encoding),
                severity: Some(severity(concern.severity)),
                code: Some(NumberOrString::String(format!("ai-{}", concern.category))),
                source: Some(AI_SOURCE.into()),
                message: concern.message,
                ..Default::default()
            }));
        }
        diagnostics
    }

    /// The findings for `snapshot`, from the cache when the text and rules have not changed.
    /// CPU work: call it off the LSP task.
    pub fn findings(
        &self,
        documents: &Documents,
        snapshot: &Snapshot,
        config: &DiagnosticsConfig,
    ) -> Arc<Vec<Finding>> {
        self.checked
            .get_or_check(&snapshot.uri, snapshot.version, || {
                self.compute(documents, snapshot, config)
            })
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
        // A document being edited keeps its tree, which the next edit reparses from. One the
        // editor only opened does not: an editor restoring 200 files would hold 200 trees
        // (a tree costs several times its text) for files the user may never touch.
        let tree = if snapshot.edited() {
            documents.tree(snapshot)
        } else {
            snapshot.tree()
        };
        let Some(tree) = tree else {
            return Vec::new();
        };
        let Ok(rules) = self.rules.read().map(|rules| rules.clone()) else {
            return Vec::new();
        };
        // The path tells test files apart, for rules that skip test code; inside the
        // workspace, relative to its root, so the directories above it do not count.
        let path = snapshot
            .uri
            .parse::<Uri>()
            .ok()
            .and_then(|uri| uri.to_file_path().map(|path| path.into_owned()));
        let path = path.map(|path| match self.root.get() {
            Some(root) => path
                .strip_prefix(root)
                .map(Path::to_path_buf)
                .unwrap_or(path),
            None => path,
        });
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
        let ticket = self.pending.ticket(uri);
        let live = self.clone();
        let client = client.clone();
        let documents = documents.clone();
        let uri = uri.to_string();
        tokio::spawn(async move {
            if !live.pending.settled(&ticket, delay).await {
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
                move || live.diagnostics(&documents, &snapshot, &config, encoding)
            };
            let checked = live.pool.run(work).await;
            drop(busy);
            let Some(diagnostics) = checked else {
                return;
            };
            let still_current = live.pending.is_current(&ticket)
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
            // Where a tainted value was read, as a place the editor can jump to.
            let related_information = snapshot
                .uri
                .parse::<Uri>()
                .ok()
                .map(|uri| {
                    finding
                        .related
                        .iter()
                        .map(|related| DiagnosticRelatedInformation {
                            location: Location {
                                uri: uri.clone(),
                                range: range(
                                    snapshot,
                                    related.start_byte,
                                    related.end_byte,
                                    encoding,
                                ),
                            },
                            message: related.message.clone(),
                        })
                        .collect::<Vec<_>>()
                })
                .filter(|related| !related.is_empty());
            Diagnostic {
                range: range(snapshot, finding.start_byte, finding.end_byte, encoding),
                related_information,
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

/// Whether `diagnostic` is on one of the lines of `requested`: editors ask with the cursor
/// anywhere on a flagged line (Neovim and Helix send an empty range at the cursor).
fn on_lines(diagnostic: &lsp::Range, requested: &lsp::Range) -> bool {
    diagnostic.start.line <= requested.end.line && requested.start.line <= diagnostic.end.line
}

/// Whether the client sent `diagnostic` in the request's `context.diagnostics`.
fn sent_by_client(diagnostic: &Diagnostic, sent: &[Diagnostic]) -> bool {
    sent.iter()
        .any(|other| other.range == diagnostic.range && other.code == diagnostic.code)
}

/// Quick fixes for the findings on the lines of the requested range and those the client
/// sent in the request's context: each rule's deterministic fix (preferred), else "Fix with
/// AI" when `offer_ai` (the model may see this file), and a comment that silences the rule
/// on that line.
pub fn code_actions(
    live: &LiveDiagnostics,
    snapshot: &Snapshot,
    findings: &[Finding],
    params: &lsp::CodeActionParams,
    support: ClientSupport,
    encoding: Encoding,
    offer_ai: bool,
) -> Vec<CodeActionOrCommand> {
    let Ok(uri) = snapshot.uri.parse::<Uri>() else {
        return Vec::new();
    };
    let (requested, sent) = (params.range, &params.context.diagnostics);
    let diagnostics = to_lsp(live, snapshot, findings, encoding);
    let mut actions = Vec::new();
    for (finding, diagnostic) in findings.iter().zip(diagnostics) {
        if !on_lines(&diagnostic.range, &requested) && !sent_by_client(&diagnostic, sent) {
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
        if offer_ai {
            actions.extend(super::actions::fix_with_ai(
                &snapshot.uri,
                snapshot.version,
                finding,
                &diagnostic,
                support.resolve_edit,
            ));
        }
        if let Some(edit) = ignore_comment(snapshot, finding) {
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

/// The suppression comment for `finding` (`diagnostics::ignore_edit`) as an LSP edit.
fn ignore_comment(snapshot: &Snapshot, finding: &Finding) -> Option<TextEdit> {
    let text = &snapshot.text;
    let line = text.try_byte_to_line(finding.start_byte).ok()?;
    let content = text.get_line(line)?.to_string();
    let insert = ignore_edit(snapshot.language?, line, &content, &finding.rule_id);
    let at = lsp::Position::new(u32::try_from(insert.line).ok()?, 0);
    Some(TextEdit {
        range: lsp::Range::new(at, at),
        new_text: insert.text,
    })
}
