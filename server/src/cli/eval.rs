//! `keel eval context`: how often the definitions a completion needs are in the prompt.
//! Cuts random holes in real code (a line from some column to its end), builds the context
//! as for a completion there, and measures definition recall against a prompt of the lines
//! around the cursor alone at the same budget (what Keel sends for text it cannot parse),
//! plus the time to build each prompt.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::config::{FimTemplate, PrivacyConfig};
use crate::context::index::{Index, display_path};
use crate::context::{FileFacts, Input, python_submodule_files, stdlib, symbols};
use crate::prompt::TokenCounter;
use crate::syntax::Language;
use crate::workspace::walk::{Entry, Walk};

/// What one evaluation run measured.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub corpus: String,
    pub files: usize,
    pub symbols: usize,
    pub index_ms: f64,
    pub holes: usize,
    /// Identifiers in the removed text that are defined in the workspace.
    pub needed: usize,
    pub keel_found: usize,
    pub baseline_found: usize,
    pub keel_recall: f64,
    pub baseline_recall: f64,
    pub build_p50_ms: f64,
    pub build_p99_ms: f64,
    /// The whole-file facts of the holed file, computed once per document version (in the
    /// editor, in the background after edits pause), outside the build time.
    pub facts_p50_ms: f64,
    pub facts_p99_ms: f64,
    pub budget_tokens: u32,
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "corpus            {}", self.corpus)?;
        writeln!(
            f,
            "index             {} files, {} symbols, {:.0} ms",
            self.files, self.symbols, self.index_ms
        )?;
        writeln!(
            f,
            "holes             {} ({} identifiers defined in the workspace)",
            self.holes, self.needed
        )?;
        writeln!(
            f,
            "recall @{:<5}     keel {:.3} ({}/{})   prefix+suffix {:.3} ({}/{})",
            self.budget_tokens,
            self.keel_recall,
            self.keel_found,
            self.needed,
            self.baseline_recall,
            self.baseline_found,
            self.needed
        )?;
        writeln!(
            f,
            "prompt build      p50 {:.2} ms   p99 {:.2} ms",
            self.build_p50_ms, self.build_p99_ms
        )?;
        write!(
            f,
            "file facts        p50 {:.2} ms   p99 {:.2} ms   (once per document version)",
            self.facts_p50_ms, self.facts_p99_ms
        )
    }
}

/// The template prompts are rendered in before recall is checked: one with repository
/// context, as FIM code models get.
pub const TEMPLATE: FimTemplate = FimTemplate::Qwen;

/// Runs the evaluation over the Rust and Python files under `corpus`, counting the budget
/// with `tokens` when given (a model's tokenizer), else the estimate.
pub fn run(
    corpus: &Path,
    holes: usize,
    seed: u64,
    budget_tokens: u32,
    tokens: Option<&TokenCounter>,
) -> Result<Report, String> {
    let privacy = PrivacyConfig::default();
    let index = Index::new();
    index.configure(vec![corpus.to_path_buf()], &privacy.exclude)?;
    let stats = index.build(&|_| {})?;
    if stats.files == 0 {
        return Err(format!(
            "{} holds no Rust or Python files to evaluate on",
            corpus.display()
        ));
    }
    let files = source_files(corpus, &privacy.exclude)?;
    let packages = top_level_names(corpus);
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut needed = 0;
    let mut keel_found = 0;
    let mut baseline_found = 0;
    let mut times: Vec<Duration> = Vec::new();
    let mut fact_times: Vec<Duration> = Vec::new();
    let mut attempts = 0;
    while times.len() < holes && attempts < holes * 50 {
        attempts += 1;
        let Some(path) = files.get(rng.usize(..files.len().max(1))) else {
            break;
        };
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let Some(hole) = Hole::pick(&mut rng, path, &text) else {
            continue;
        };
        let shown = display_path(&[corpus.to_path_buf()], path);
        let wanted = hole.wanted(&index, &packages, &shown, &text);
        let Some(tree) = hole.language.parse_str(&hole.holed) else {
            continue;
        };
        let started = Instant::now();
        let facts = FileFacts::extract(hole.language, &hole.holed, &tree);
        fact_times.push(started.elapsed());
        let started = Instant::now();
        let request = crate::context::build(&Input {
            language: hole.language,
            path: &shown,
            text: &hole.holed,
            tree: &tree,
            facts: &facts,
            offset: hole.cut,
            budget_tokens,
            tokens,
            index: Some(&index),
            recent: &[],
        });
        times.push(started.elapsed());
        let prompt = TEMPLATE.prompt(&request);
        let baseline = crate::context::lines_around(&hole.holed, hole.cut, budget_tokens, tokens);
        let baseline = TEMPLATE.prompt(&baseline);
        for signatures in wanted {
            let keel = signatures.iter().any(|s| prompt.contains(s.as_str()));
            let alone = signatures.iter().any(|s| baseline.contains(s.as_str()));
            if !keel {
                tracing::debug!(
                    "missed {}:{}: {:?} for {:?}{}",
                    shown,
                    hole.line + 1,
                    signatures.first(),
                    text.get(hole.removed.clone()),
                    if alone {
                        " (prefix+suffix alone has it)"
                    } else {
                        ""
                    }
                );
            }
            needed += 1;
            keel_found += usize::from(keel);
            baseline_found += usize::from(alone);
        }
    }
    times.sort();
    fact_times.sort();
    let ratio = |found: usize| {
        if needed == 0 {
            0.0
        } else {
            found as f64 / needed as f64
        }
    };
    Ok(Report {
        corpus: corpus.display().to_string(),
        files: stats.files,
        symbols: stats.symbols,
        index_ms: stats.elapsed.as_secs_f64() * 1000.0,
        holes: times.len(),
        needed,
        keel_found,
        baseline_found,
        keel_recall: ratio(keel_found),
        baseline_recall: ratio(baseline_found),
        build_p50_ms: percentile(&times, 0.50),
        build_p99_ms: percentile(&times, 0.99),
        facts_p50_ms: percentile(&fact_times, 0.50),
        facts_p99_ms: percentile(&fact_times, 0.99),
        budget_tokens,
    })
}

fn percentile(sorted: &[Duration], quantile: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((sorted.len() as f64 * quantile).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1].as_secs_f64() * 1000.0
}

fn source_files(corpus: &Path, exclude: &[String]) -> Result<Vec<PathBuf>, String> {
    let found = Mutex::new(Vec::new());
    Walk::new([corpus.to_path_buf()])
        .exclude(exclude)?
        .select(|path| Language::from_path(path).is_some())
        .run(|entry| {
            if let (Entry::File { path, .. }, Ok(mut found)) = (entry, found.lock()) {
                found.push(path);
            }
        });
    let mut files = found.into_inner().unwrap_or_default();
    // The walk's order depends on thread timing; the seed must pick the same holes.
    files.sort();
    Ok(files)
}

/// One line cut from a column to its end.
struct Hole {
    language: Language,
    /// The text with the hole cut out.
    holed: String,
    /// Where the hole starts (the cursor).
    cut: usize,
    /// The removed bytes, in the original text.
    removed: std::ops::Range<usize>,
    /// 0-based line of the hole.
    line: u32,
}

impl Hole {
    fn pick(rng: &mut fastrand::Rng, path: &Path, text: &str) -> Option<Hole> {
        let language = Language::from_path(path)?;
        let lines: Vec<(usize, &str)> = line_starts(text)
            .filter(|(_, line)| {
                let code = line.trim();
                code.len() >= 12 && !code.starts_with('#') && !code.starts_with("//")
            })
            .collect();
        let (start, line) = *lines.get(rng.usize(..lines.len().max(1)))?;
        let indent = line.len() - line.trim_start().len();
        let end = line.trim_end().len();
        let mut column = rng.usize(indent..end);
        // Cut where a token starts, as when someone types there.
        let bytes = line.as_bytes();
        while column > indent && is_word(bytes[column - 1]) && is_word(bytes[column]) {
            column -= 1;
        }
        if !line.is_char_boundary(column) {
            return None;
        }
        let cut = start + column;
        let eol = start + end;
        let mut holed = String::with_capacity(text.len());
        holed.push_str(text.get(..cut)?);
        holed.push_str(text.get(eol..)?);
        let line_number = text.get(..start)?.matches('\n').count();
        Some(Hole {
            language,
            holed,
            cut,
            removed: cut..eol,
            line: u32::try_from(line_number).ok()?,
        })
    }

    /// For each identifier of the removed text defined in the workspace (other than by
    /// the hole's own line): the signatures whose presence in a prompt counts as found.
    fn wanted(
        &self,
        index: &Index,
        packages: &HashSet<String>,
        display: &str,
        text: &str,
    ) -> Vec<Vec<String>> {
        let Some(tree) = self.language.parse_str(text) else {
            return Vec::new();
        };
        let (foreign, imported) = imported_names(
            self.language,
            tree.root_node(),
            text,
            packages,
            display,
            index,
        );
        let here = symbols::extract(self.language, text, &tree);
        let locals = local_names(tree.root_node(), text, self.removed.start);
        let mut names = Vec::new();
        let mut seen = HashSet::new();
        let mut stack = vec![tree.root_node()];
        while let Some(node) = stack.pop() {
            if node.end_byte() <= self.removed.start || node.start_byte() >= self.removed.end {
                continue;
            }
            if matches!(
                node.kind(),
                "identifier" | "type_identifier" | "field_identifier"
            ) && node.start_byte() >= self.removed.start
                && !is_binding(node)
                && node
                    .parent()
                    .is_none_or(|parent| parent.kind() != "lifetime")
                && !is_module_path(self.language, node)
                && let Some(name) = text.get(node.byte_range())
                && !foreign.contains(name)
                && !path_root(node).is_some_and(|root| {
                    text.get(root.byte_range()).is_some_and(|root| {
                        foreign.contains(root)
                            || stdlib::is_std_crate(root)
                            || (stdlib::is_builtin(self.language, root)
                                && !imported.contains(root)
                                && !here.iter().any(|s| s.name == root))
                    })
                })
                && !(self.language == Language::Rust && stdlib::is_std_crate(name))
                && !node.parent().is_some_and(|parent| {
                    stdlib::is_standard_member(self.language, node, parent, text)
                })
                && (!locals.contains(name) || is_member(node))
                && !(stdlib::is_builtin(self.language, name)
                    && !is_member(node)
                    && !imported.contains(name)
                    && !here.iter().any(|s| s.name == name))
                && seen.insert(name.to_string())
            {
                names.push((name.to_string(), Role::of(node)));
            }
            let mut walker = node.walk();
            stack.extend(node.children(&mut walker));
        }
        names
            .into_iter()
            .filter_map(|(name, role)| {
                let fits = |kind: &str| role.fits(kind);
                let mut signatures: Vec<String> = index
                    .lookup(&name)
                    .iter()
                    .filter(|d| *d.path != *display && fits(&d.kind))
                    .map(|d| first_line(&d.signature))
                    .collect();
                signatures.extend(
                    here.iter()
                        .filter(|s| s.name == name && s.start_line != self.line && fits(&s.kind))
                        .map(|s| first_line(&s.signature)),
                );
                signatures.retain(|s| !s.trim().is_empty());
                (!signatures.is_empty()).then_some(signatures)
            })
            .collect()
    }
}

/// Names bound inside the function around `offset` (parameters, assignment and loop
/// targets) and the generic parameters of the Rust items around it: local names, whatever
/// the workspace defines under the same name.
fn local_names(root: tree_sitter::Node, text: &str, offset: usize) -> HashSet<String> {
    let ancestors = || {
        root.descendant_for_byte_range(offset, offset)
            .into_iter()
            .flat_map(|node| std::iter::successors(Some(node), |node| node.parent()))
    };
    let function =
        ancestors().find(|node| matches!(node.kind(), "function_definition" | "function_item"));
    let mut locals = HashSet::new();
    for generics in ancestors().filter_map(|node| node.child_by_field_name("type_parameters")) {
        let mut walker = generics.walk();
        for parameter in generics.named_children(&mut walker) {
            let name = match parameter.kind() {
                "type_identifier" => Some(parameter),
                _ => parameter
                    .child_by_field_name("name")
                    .or_else(|| parameter.named_child(0))
                    .filter(|n| n.kind() == "type_identifier"),
            };
            locals.extend(
                name.and_then(|n| text.get(n.byte_range()))
                    .map(str::to_string),
            );
        }
    }
    let mut stack: Vec<tree_sitter::Node> = function.into_iter().collect();
    while let Some(node) = stack.pop() {
        if node.kind() == "identifier" && (is_binding(node) || is_loop_target(node)) {
            locals.extend(text.get(node.byte_range()).map(str::to_string));
        }
        let mut walker = node.walk();
        stack.extend(node.children(&mut walker));
    }
    locals
}

/// Whether `node` is (part of) what a loop, comprehension or `as` binds.
fn is_loop_target(node: tree_sitter::Node) -> bool {
    std::iter::successors(node.parent(), |n| n.parent())
        .take(3)
        .any(|ancestor| match ancestor.kind() {
            "for_statement" | "for_in_clause" | "for_expression" => ancestor
                .child_by_field_name(if ancestor.kind() == "for_expression" {
                    "pattern"
                } else {
                    "left"
                })
                .is_some_and(|target| {
                    target.start_byte() <= node.start_byte() && node.end_byte() <= target.end_byte()
                }),
            "as_pattern_target" => true,
            _ => false,
        })
}

/// The names of the corpus's top-level packages and modules (`fastapi`, `app.py` ->
/// `app`): an import whose first component is not one of them comes from outside the
/// workspace (the standard library or another package).
fn top_level_names(corpus: &Path) -> HashSet<String> {
    let Ok(entries) = std::fs::read_dir(corpus) else {
        return HashSet::new();
    };
    entries
        .flatten()
        .map(|entry| {
            let name = entry.file_name().to_string_lossy().to_string();
            name.strip_suffix(".py").unwrap_or(&name).to_string()
        })
        .collect()
}

/// The names the file binds by importing them from outside the workspace (`from typing
/// import Any`, `use std::sync::Arc`) and Python modules bound by `import x` (whatever the
/// workspace defines under the same name is not what the code means), then every
/// identifier of the file's imports.
fn imported_names(
    language: Language,
    root: tree_sitter::Node,
    text: &str,
    packages: &HashSet<String>,
    display: &str,
    index: &Index,
) -> (HashSet<String>, HashSet<String>) {
    let mut foreign = HashSet::new();
    let mut imported = HashSet::new();
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        let source = |n: tree_sitter::Node| text.get(n.byte_range()).unwrap_or("").to_string();
        if matches!(
            node.kind(),
            "import_statement" | "import_from_statement" | "use_declaration"
        ) {
            let mut inner = vec![node];
            while let Some(n) = inner.pop() {
                if n.kind() == "identifier" || n.kind() == "type_identifier" {
                    imported.insert(source(n));
                }
                let mut walker = n.walk();
                inner.extend(n.children(&mut walker));
            }
        }
        match (language, node.kind()) {
            (Language::Python, "import_statement") => {
                let mut walker = node.walk();
                for name in node.children_by_field_name("name", &mut walker) {
                    let bound = match name.kind() {
                        "aliased_import" => name.child_by_field_name("alias").map(source),
                        _ => source(name).split('.').next().map(str::to_string),
                    };
                    foreign.extend(bound);
                }
            }
            // `from __future__ import annotations`: the standard library's.
            (Language::Python, "future_import_statement") => {
                let mut walker = node.walk();
                for name in node.children_by_field_name("name", &mut walker) {
                    let bound = match name.kind() {
                        "aliased_import" => name.child_by_field_name("alias"),
                        _ => Some(name),
                    };
                    foreign.extend(bound.map(source));
                }
            }
            (Language::Python, "import_from_statement") => {
                let module = node.child_by_field_name("module_name").map(source);
                let first = module.as_deref().and_then(|m| m.split('.').next());
                let outside =
                    first.is_some_and(|first| !first.is_empty() && !packages.contains(first));
                let mut walker = node.walk();
                for name in node.children_by_field_name("name", &mut walker) {
                    let (imported_name, bound) = match name.kind() {
                        "aliased_import" => (
                            name.child_by_field_name("name"),
                            name.child_by_field_name("alias"),
                        ),
                        _ => (Some(name), Some(name)),
                    };
                    // `from .. import util`: a module of the workspace, not a definition.
                    let is_module = || {
                        let (Some(module), Some(imported_name)) = (&module, imported_name) else {
                            return false;
                        };
                        let files = python_submodule_files(display, module, &source(imported_name));
                        files.is_some_and(|files| !index.files_ending_with(&files).files.is_empty())
                    };
                    if outside {
                        foreign.extend(bound.map(source));
                    } else if is_module() {
                        // Both the module's name and what it is bound to (`types as sqltypes`).
                        foreign.extend(bound.map(source));
                        foreign.extend(imported_name.map(source));
                    }
                }
            }
            (Language::Rust, "use_declaration") => {
                let path = node.child_by_field_name("argument").map(source);
                let first = path.as_deref().and_then(|p| p.split("::").next());
                let local = ["crate", "self", "super"];
                if first.is_some_and(|f| !local.contains(&f) && !packages.contains(f)) {
                    let mut inner = vec![node];
                    while let Some(n) = inner.pop() {
                        if n.kind() == "identifier" || n.kind() == "type_identifier" {
                            foreign.insert(source(n));
                        }
                        let mut walker = n.walk();
                        inner.extend(n.children(&mut walker));
                    }
                }
            }
            _ => {
                let mut walker = node.walk();
                stack.extend(node.children(&mut walker));
            }
        }
    }
    (foreign, imported)
}

/// Whether `node` is part of a Python import's module path (`from app.models import X`:
/// `app`, `models`): a module, which the index does not hold as a definition.
fn is_module_path(language: Language, node: tree_sitter::Node) -> bool {
    if language != Language::Python {
        return false;
    }
    let mut current = node;
    while let Some(parent) = current.parent() {
        match parent.kind() {
            "dotted_name" | "relative_import" | "aliased_import" => current = parent,
            "import_statement" => return true,
            "import_from_statement" => {
                return parent
                    .child_by_field_name("module_name")
                    .is_some_and(|module| module.id() == current.id());
            }
            _ => return false,
        }
    }
    false
}

/// The leftmost name of the path or attribute chain `node` is a member of (`io` for
/// `io::Error`, `os` for `os.path.join`), when it is a plain name.
fn path_root(node: tree_sitter::Node) -> Option<tree_sitter::Node> {
    if !is_member(node) {
        return None;
    }
    let mut current = node.parent()?;
    loop {
        let first = current.named_child(0)?;
        match first.kind() {
            "identifier" | "type_identifier" | "crate" | "self" | "super" => return Some(first),
            "attribute" | "scoped_identifier" | "scoped_type_identifier" => current = first,
            _ => return None,
        }
    }
}

/// What a used Rust name can only be, from where it stands: its definition must be of a
/// fitting kind (`file!()` needs a macro, not the workspace's `mod file`; `runtime::coop`
/// a module or type, not a field named `runtime`). With none, it is the standard
/// library's.
#[derive(Debug, Clone, Copy)]
enum Role {
    Any,
    /// The macro a macro call invokes.
    Macro,
    /// A path segment before `::`.
    Qualifier,
}

impl Role {
    fn of(node: tree_sitter::Node) -> Role {
        let is_field = |parent: tree_sitter::Node, field: &str, child: tree_sitter::Node| {
            parent
                .child_by_field_name(field)
                .is_some_and(|found| found.id() == child.id())
        };
        let scoped = |kind: &str| {
            matches!(
                kind,
                "scoped_identifier" | "scoped_type_identifier" | "scoped_use_list"
            )
        };
        let Some(parent) = node.parent() else {
            return Role::Any;
        };
        if parent.kind() == "macro_invocation" && is_field(parent, "macro", node) {
            return Role::Macro;
        }
        // `b` in `a::b::c` is the name of `a::b`, which is the path of `a::b::c`.
        let segment = if scoped(parent.kind()) && is_field(parent, "name", node) {
            parent
        } else {
            node
        };
        match segment.parent() {
            Some(outer) if scoped(outer.kind()) && is_field(outer, "path", segment) => {
                Role::Qualifier
            }
            _ => Role::Any,
        }
    }

    fn fits(self, kind: &str) -> bool {
        match self {
            // A module (`mod db;`) is not a definition, as in Python.
            Role::Any => kind != "module",
            Role::Macro => kind == "macro",
            Role::Qualifier => matches!(kind, "struct" | "enum" | "trait" | "type" | "impl"),
        }
    }
}

/// Whether `node` is reached through a value (`x.name`, `x::name`, `x.name()`): a member,
/// which a builtin of the same name is not.
fn is_member(node: tree_sitter::Node) -> bool {
    node.parent().is_some_and(|parent| {
        matches!(
            parent.kind(),
            "attribute" | "field_expression" | "scoped_identifier"
        ) && parent
            .named_child(0)
            .is_some_and(|first| first.id() != node.id())
    })
}

/// Whether `node` names something being defined or bound here (a parameter, an assignment
/// target, a keyword argument's name, a definition's own name) rather than used: such a
/// name needs no definition from elsewhere.
fn is_binding(node: tree_sitter::Node) -> bool {
    let Some(parent) = node.parent() else {
        return false;
    };
    let is_field = |field: &str| {
        parent
            .child_by_field_name(field)
            .is_some_and(|child| child.id() == node.id())
    };
    match parent.kind() {
        "keyword_argument"
        | "function_definition"
        | "class_definition"
        | "function_item"
        | "struct_item"
        | "enum_item"
        | "trait_item"
        | "const_item"
        | "static_item"
        | "type_item"
        | "mod_item"
        | "field_declaration" => is_field("name"),
        "assignment" | "augmented_assignment" => is_field("left"),
        "let_declaration" | "parameter" => is_field("pattern"),
        "parameters"
        | "list_splat_pattern"
        | "dictionary_splat_pattern"
        | "default_parameter"
        | "typed_parameter"
        | "typed_default_parameter"
        | "lambda_parameters"
        | "closure_parameters" => true,
        _ => false,
    }
}

fn first_line(signature: &str) -> String {
    signature.lines().next().unwrap_or("").to_string()
}

fn is_word(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

fn line_starts(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut start = 0;
    text.split_inclusive('\n').map(move |line| {
        let at = start;
        start += line.len();
        (at, line.trim_end_matches(['\n', '\r']))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::testing::indexed;

    #[test]
    fn only_names_the_workspace_defines_are_wanted() {
        // The workspace happens to define names that builtins and foreign imports also use.
        let (root, index) = indexed(
            "eval",
            &[(
                "app/models.py",
                "class User:\n    pass\n\ndef Any():\n    pass\n\ndef len(x):\n    pass\n\ndef typing():\n    pass\n\ndef options():\n    pass\n\nkw = None\nannotations = None\nmodels = None\nm = None\n",
            )],
        );
        let packages = top_level_names(&root);
        assert!(packages.contains("app"));
        // `from __future__` is the standard library's; `**kw` is the function's own.
        let text = "from __future__ import annotations\nfrom typing import Any\nimport typing\nfrom app.models import User\nfrom app import models as m\n\ndef f(options, **kw):\n    return User(len(options), Any, typing.options, annotations, m.User, **kw)\n";
        let start = text.find("User(").unwrap();
        let hole = Hole {
            language: Language::Python,
            holed: String::new(),
            cut: start,
            removed: start..text.len() - 1,
            line: 7,
        };
        let wanted = hole.wanted(&index, &packages, "app/views.py", text);
        assert_eq!(wanted, vec![vec!["class User:".to_string()]]);
        // An import line of a workspace module needs no definition either.
        let start = text.find("models as m").unwrap();
        let hole = Hole {
            language: Language::Python,
            holed: String::new(),
            cut: start,
            removed: start..start + "models as m".len(),
            line: 4,
        };
        assert!(
            hole.wanted(&index, &packages, "app/views.py", text)
                .is_empty()
        );

        // Rust: a generic parameter or a lifetime is not the workspace's item of that name.
        std::fs::write(
            root.join("app/lib.rs"),
            "pub struct S;\npub struct Pool;\nfn a() {}\nmod file;\npub fn new() {}\npub struct W { std: u8 }\n",
        )
        .unwrap();
        index.build(&|_| {}).unwrap();
        // Nor is the standard library's `file!` or `Vec::new` the workspace's `mod file` or
        // `fn new`.
        let text = "fn run<'a, S: Clone>(s: &'a S) -> Pool {\n    make::<'a, S, Pool>(s, file!(), Vec::new(), std::env::args(), a::x())\n}\n";
        let start = text.find("make").unwrap();
        let hole = Hole {
            language: Language::Rust,
            holed: String::new(),
            cut: start,
            removed: start..text.find(")\n}").unwrap() + 1,
            line: 1,
        };
        let wanted = hole.wanted(&index, &packages, "app/main.rs", text);
        assert_eq!(wanted, vec![vec!["pub struct Pool;".to_string()]]);
        std::fs::remove_dir_all(&root).unwrap();
    }
}
