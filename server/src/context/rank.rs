//! The snippets a completion's context may hold, one function per source, ranked by tier
//! (how strongly a snippet is tied to the cursor) and then by how near the cursor the name
//! that asked for it is: the enclosing scopes' headers, the file's imports, what the module
//! an import or a `module.` at the cursor names offers, the definitions of the names in
//! play (in the file, in the modules it imports, anywhere), the rest of the file's outline,
//! recent edits elsewhere, and the members of the types in play.

use foldhash::{HashSet, HashSetExt};
use std::borrow::Cow;
use std::sync::Arc;

use streaming_iterator::StreamingIterator;
use tree_sitter::{Node, QueryCursor};

use super::budget::{self, Window};
use super::build::Input;
use super::imports;
use super::index::{Definition, ImportedFiles, Index};
use super::queries;
use super::stdlib;
use super::symbols::{self, Symbol};
use crate::syntax::{Language, words};

/// Lines around the cursor whose names count as "in play", besides the enclosing function.
const LINES_BEFORE: usize = 40;
pub(super) const LINES_AFTER: usize = 10;
/// Names looked up per request, nearest first.
const MAX_NAMES: usize = 64;
/// Definitions of one name taken from elsewhere in the workspace.
const MAX_DEFINITIONS_PER_NAME: usize = 2;
/// Definitions of one name compared for nearness: a name defined a thousand times
/// (`name`, `get`) must not cost a thousand comparisons on every completion.
const MAX_NEAREST_SCAN: usize = 16;
/// Definitions offered from the module an import at the cursor names.
const MAX_MODULE_DEFINITIONS: usize = 48;
/// The file's other definitions offered, nearest first: more never fit in a budget.
const MAX_OUTLINE: usize = 64;
/// Types the file uses away from the cursor whose definitions are looked up.
const MAX_USED_TYPES: usize = 32;
/// Members listed with a class or impl block a name in play resolves to.
const MAX_MEMBERS: usize = 16;
/// Names an import line may be written for (used in the file, not yet imported) that get
/// their definitions looked up.
const MAX_UNRESOLVED: usize = 16;

/// How strongly a snippet is tied to the cursor; lower goes in first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Tier {
    Scope,
    Import,
    /// What the module named at the cursor offers (an import being written, `models.|`):
    /// what the next word is chosen from.
    Offered,
    SameFile,
    Imported,
    /// Definitions of the names in play found elsewhere: what the code at the cursor
    /// uses beats what the file defines far away (+1 to +3 points of recall on six of
    /// seven corpora, docs/PERFORMANCE.md).
    Workspace,
    /// The rest of the file's own top-level definitions.
    Outline,
    Recent,
    /// The methods of the classes and impl blocks the names in play resolve to.
    Members,
}

pub(super) struct Candidate<'a> {
    tier: Tier,
    /// Order within the tier: how near the cursor the name that asked for it is.
    nearness: usize,
    pub(super) path: Arc<str>,
    /// Empty for `members`, which are rendered only if they are reached with room left.
    /// Borrowed from the file's facts for its own definitions.
    pub(super) text: Cow<'a, str>,
    pub(super) members: Option<MembersOf<'a>>,
    /// Where a definition of the document itself starts: once the prefix has grown into
    /// the room snippets left, it may show the definition, which then need not be sent
    /// twice.
    pub(super) at: Option<usize>,
}

/// A class or impl block whose members are listed (lowest tier: most requests never
/// render them).
pub(super) enum MembersOf<'a> {
    SameFile(&'a Symbol),
    Indexed(Arc<Definition>),
}

impl<'a> Candidate<'a> {
    fn new(tier: Tier, nearness: usize, path: Arc<str>, text: impl Into<Cow<'a, str>>) -> Self {
        Candidate {
            tier,
            nearness,
            path,
            text: text.into(),
            members: None,
            at: None,
        }
    }

    /// The import lines of the document itself (which lead the prompt, see `build::group`).
    pub(super) fn is_file_imports(&self) -> bool {
        self.tier == Tier::Import
    }

    /// A definition of the document itself, starting at byte `at`.
    fn in_document(mut self, at: usize) -> Self {
        self.at = Some(at);
        self
    }
}

/// Every snippet worth sending, best first. `window` is the part of the file the prompt
/// shows around the cursor at least: what it shows needs no snippet.
pub(super) fn candidates<'a>(
    input: &Input<'a>,
    offset: usize,
    window: &Window,
) -> Vec<Candidate<'a>> {
    let mut out = Vec::new();
    if input.facts.too_deep {
        return out;
    }
    let Some(scopes) = enclosing_scopes(input, offset) else {
        return out;
    };
    let path: Arc<str> = input.path.into();
    let writing_import = imports::in_import(input, offset);
    out.extend(scope_headers(input, &scopes, window, &path));
    out.extend(file_imports(input, window, writing_import, &path));
    if let Some(index) = input.index {
        out.extend(module_offers(input, offset, index, writing_import));
        if writing_import {
            out.extend(unimported_types(input, index));
        }
    }
    // A definition reached twice (as a name in play and in the outline) is sent once.
    let mut seen: HashSet<&str> = HashSet::new();
    out.extend(definitions_in_play(
        input, offset, window, &scopes, &path, &mut seen,
    ));
    out.extend(outline(input, offset, window, &path, &mut seen));
    out.extend(recent_edits(input));
    out.sort_by_key(|candidate| (candidate.tier, candidate.nearness));
    out
}

/// The scopes around the cursor, outermost first; `None` for a language without context
/// queries.
fn enclosing_scopes<'t>(input: &Input<'t>, offset: usize) -> Option<Vec<Node<'t>>> {
    let queries = queries::for_language(input.language)?;
    let context = &queries.context;
    let capture_names = context.capture_names();
    let root = input.tree.root_node();
    let mut scopes: Vec<Node> = Vec::new();
    // A scope holds the cursor (starts before it, ends at or after it), and so does the
    // node its pattern starts at: the query runs on each node holding the cursor, for the
    // patterns that start right there. Run once from the root, even limited to the bytes at
    // the cursor, it stepped over every earlier sibling on the way (hundreds of a module's
    // statements and a class's methods).
    let Some(innermost) = root.descendant_for_byte_range(offset.saturating_sub(1), offset) else {
        return Some(scopes);
    };
    let mut cursor = QueryCursor::new();
    cursor
        .set_byte_range(offset.saturating_sub(1)..offset + 1)
        .set_max_start_depth(Some(0));
    for holding in crate::syntax::ancestors(root, innermost) {
        let mut matches = cursor.matches(context, holding, input.text.as_bytes());
        while let Some(found) = matches.next() {
            for capture in found.captures() {
                let node = capture.node;
                if capture_names.get(capture.index as usize) == Some(&"scope")
                    && node.start_byte() < offset
                    && offset <= node.end_byte()
                {
                    scopes.push(node);
                }
            }
        }
    }
    scopes.sort_by_key(|node| node.start_byte());
    scopes.dedup_by_key(|node| node.id());
    Some(scopes)
}

/// Headers of the enclosing scopes the window no longer shows, outermost first.
fn scope_headers<'a>(
    input: &Input,
    scopes: &[Node],
    window: &Window,
    path: &Arc<str>,
) -> Option<Candidate<'a>> {
    let headers: Vec<String> = scopes
        .iter()
        .filter(|node| !window.shows(node.start_byte()))
        .map(|node| {
            let indent = " ".repeat(node.start_position().column);
            format!(
                "{indent}{}",
                symbols::signature("function", *node, input.text)
            )
        })
        .collect();
    (!headers.is_empty()).then(|| Candidate::new(Tier::Scope, 0, path.clone(), headers.join("\n")))
}

/// The file's imports the window does not show. On an import line they come after what
/// the modules in question offer: a package's `__init__.py` can hold hundreds of them,
/// which would leave no room for the name being imported.
fn file_imports<'a>(
    input: &Input,
    window: &Window,
    writing_import: bool,
    path: &Arc<str>,
) -> Option<Candidate<'a>> {
    let import_lines: Vec<&str> = input
        .facts
        .imports
        .iter()
        .filter(|import| !window.shows(import.start_byte))
        .map(|import| import.text.as_str())
        .collect();
    if import_lines.is_empty() {
        return None;
    }
    let tier = if writing_import {
        Tier::SameFile
    } else {
        Tier::Import
    };
    Some(Candidate::new(
        tier,
        0,
        path.clone(),
        import_lines.join("\n"),
    ))
}

/// An import being written, or a module's member being typed (`util.|`, `db::|`): what the
/// module offers.
fn module_offers<'a>(
    input: &Input,
    offset: usize,
    index: &Index,
    writing_import: bool,
) -> Vec<Candidate<'a>> {
    let mut out = Vec::new();
    let module = imports::importing_from(input, offset)
        .or_else(|| imports::module_before_cursor(input, offset));
    if let Some(module) = module {
        offer_module(
            input,
            offset,
            index,
            &imports::module_paths(input, &module),
            &mut out,
        );
    } else if writing_import {
        // Its module not written yet: imports come in runs from one module (a package
        // re-exporting its parts, `use crate::runtime::{..}` lines), so the modules of
        // the imports next to it are the likeliest.
        // So are a Rust file's `mod x;` submodules that no `use` names yet: a
        // `mod.rs` declares its parts, then re-exports each (`pub use self::x::{..}`).
        for module in imports::neighbouring_modules(input, offset)
            .into_iter()
            .chain(imports::unused_submodules(input))
        {
            offer_module(
                input,
                offset,
                index,
                &imports::module_paths(input, &module),
                &mut out,
            );
        }
    }
    out
}

/// On an import line, whatever of it is written: the types the file uses but neither
/// defines nor imports are what it is most likely for (`from ..models import |` above a
/// body that uses `Dependant`).
fn unimported_types<'a>(input: &Input, index: &Index) -> Vec<Candidate<'a>> {
    let facts = input.facts;
    let unresolved = facts
        .capitalized
        .iter()
        .map(String::as_str)
        .filter(|word| !facts.imported.contains(*word) && facts.named(word).next().is_none())
        .take(MAX_UNRESOLVED);
    let mut out = Vec::new();
    for (nearness, name) in unresolved.enumerate() {
        let found = index.lookup(name);
        let elsewhere = found.iter().filter(|definition| {
            definition.language == input.language && *definition.path != *input.path
        });
        for definition in elsewhere.take(MAX_DEFINITIONS_PER_NAME) {
            out.push(Candidate::new(
                Tier::Imported,
                nearness,
                definition.path.clone(),
                definition.render(),
            ));
        }
    }
    out
}

/// Definitions of the names in play: in the file itself, then in the modules it imports,
/// then anywhere in the workspace, nearest name first; with the members of the classes
/// and impl blocks among them.
fn definitions_in_play<'a>(
    input: &Input<'a>,
    offset: usize,
    window: &Window,
    scopes: &[Node],
    path: &Arc<str>,
    seen: &mut HashSet<&'a str>,
) -> Vec<Candidate<'a>> {
    let facts = input.facts;
    let mut out = Vec::new();
    let function = scopes
        .iter()
        .rev()
        .find(|node| matches!(node.kind(), "function_definition" | "function_item"));
    let mut names = names_in_play(input, offset, function.copied());
    // Then what the file imports, nearest statements first: likely to be used next even if
    // not used yet.
    let mut imports: Vec<_> = facts.imports.iter().collect();
    imports.sort_by_key(|import| import.start_byte.abs_diff(offset));
    let mut listed: HashSet<&str> = names.iter().map(String::as_str).collect();
    let imported: Vec<&String> = imports
        .iter()
        .flat_map(|import| &import.names)
        .filter(|name| listed.insert(name.as_str()))
        .take(MAX_NAMES)
        .collect();
    // Then the types the file uses elsewhere: code tends to use them again.
    let used: Vec<&String> = facts
        .capitalized
        .iter()
        .filter(|name| listed.insert(name.as_str()))
        .take(MAX_USED_TYPES)
        .collect();
    let more: Vec<String> = imported.into_iter().chain(used).cloned().collect();
    names.extend(more);
    // The indexed files the imports name, found when a name first reaches the index.
    let mut imported_files: Option<Arc<ImportedFiles>> = None;
    let mut seen_indexed = HashSet::new();
    for (nearness, name) in names.iter().enumerate() {
        let here: Vec<(&Symbol, &str)> = facts.named_rendered(name).collect();
        // The standard library's names: a workspace definition of the same name is not
        // what the code means.
        if here.is_empty()
            && (facts.foreign.contains(name) || stdlib::is_builtin(input.language, name))
        {
            continue;
        }
        if here
            .iter()
            .any(|(symbol, _)| window.shows(symbol.start_byte))
        {
            continue;
        }
        let mut found_here = false;
        for (symbol, rendered) in here {
            // The enclosing definitions are framed by their headers already.
            if symbol.start_byte <= offset && offset <= symbol.end_byte {
                found_here = true;
                continue;
            }
            if lists_members(&symbol.kind) {
                out.push(Candidate {
                    members: Some(MembersOf::SameFile(symbol)),
                    ..Candidate::new(Tier::Members, nearness, path.clone(), String::new())
                });
            }
            if seen.insert(rendered) {
                out.push(
                    Candidate::new(Tier::SameFile, nearness, path.clone(), rendered)
                        .in_document(symbol.start_byte),
                );
            }
            found_here = true;
        }
        let Some(index) = input.index else { continue };
        if found_here {
            continue;
        }
        let imported_files = imported_files.get_or_insert_with(|| {
            let relative: Vec<String> = facts
                .relative_modules
                .iter()
                .flat_map(|module| {
                    imports::python_module_files(input.path, module).unwrap_or_default()
                })
                .collect();
            index.files_ending_with_either(&facts.module_files, &relative)
        });
        let picked = imported_files.picked(input.path, name, || {
            let (picked, imported_count) = indexed_definitions(input, index, name, imported_files);
            let rendered = picked
                .into_iter()
                .map(|definition| {
                    let text = definition.render();
                    (definition, text)
                })
                .collect();
            Arc::new((rendered, imported_count))
        });
        let (picked, imported_count) = &*picked;
        for (rank, (definition, rendered)) in picked.iter().enumerate() {
            let tier = if rank < *imported_count {
                Tier::Imported
            } else {
                Tier::Workspace
            };
            if lists_members(&definition.kind) {
                out.push(Candidate {
                    members: Some(MembersOf::Indexed(definition.clone())),
                    ..Candidate::new(
                        Tier::Members,
                        nearness,
                        definition.path.clone(),
                        String::new(),
                    )
                });
            }
            // Reached through two names: the same file and line is the same definition.
            let at = (
                Arc::as_ptr(&definition.path).cast::<u8>(),
                definition.start_line,
            );
            if seen_indexed.insert(at) {
                out.push(Candidate::new(
                    tier,
                    nearness,
                    definition.path.clone(),
                    rendered.clone(),
                ));
            }
        }
    }
    out
}

/// The workspace's definitions of `name` worth sending (at most
/// `MAX_DEFINITIONS_PER_NAME`), and how many of the first of them count as imported:
/// those in modules the file imports first, then the nearest others in the tree.
fn indexed_definitions(
    input: &Input,
    index: &Index,
    name: &str,
    imported_files: &ImportedFiles,
) -> (Vec<Arc<Definition>>, usize) {
    // Imported through a module that imports it in turn (`from ... import Column`,
    // the package re-exporting `sql.schema`'s): its definition elsewhere is the one.
    let reexported = index.reexported_from(name, imported_files);
    let mut imported = Vec::new();
    let mut others = Vec::new();
    let mut considered = 0;
    // A common name has a thousand definitions (`__init__`): one pass, no sort. A
    // module's definition (`mod db;`) tells the model nothing.
    index.lookup_with(name, |definitions| {
        for definition in definitions.iter().filter(|definition| {
            definition.language == input.language
                && *definition.path != *input.path
                && &*definition.kind != "module"
        }) {
            if imported_files.holds(definition) {
                imported.push(definition.clone());
                if imported.len() == MAX_DEFINITIONS_PER_NAME {
                    break;
                }
            } else if considered < MAX_NEAREST_SCAN
                && !(reexported && matches!(&*definition.kind, "field" | "variant"))
            {
                considered += 1;
                // The nearest in the tree: a package's own `Column`, not a dialect's.
                let distance = tree_distance(input.path, &definition.path);
                let at = others.partition_point(|(kept, _)| *kept <= distance);
                if at < MAX_DEFINITIONS_PER_NAME {
                    others.insert(at, (distance, definition.clone()));
                    others.truncate(MAX_DEFINITIONS_PER_NAME);
                }
            }
        }
    });
    let others = others.into_iter().map(|(_, definition)| definition);
    let imported_count = if imported.is_empty() && reexported {
        others.len()
    } else {
        imported.len()
    };
    let picked = imported
        .into_iter()
        .chain(others)
        .take(MAX_DEFINITIONS_PER_NAME)
        .collect();
    (picked, imported_count)
}

/// The file's other top-level definitions, nearest first: the nearest on either side of
/// the cursor, found by position rather than by sorting thousands.
fn outline<'a>(
    input: &Input<'a>,
    offset: usize,
    window: &Window,
    path: &Arc<str>,
    seen: &mut HashSet<&'a str>,
) -> Vec<Candidate<'a>> {
    let facts = input.facts;
    let listed = |(symbol, _): &(&Symbol, &str)| {
        let encloses = symbol.start_byte <= offset && offset <= symbol.end_byte;
        !window.shows(symbol.start_byte)
            && !encloses
            && symbol.kind != "field"
            && symbol.kind != "variant"
    };
    let split = facts
        .symbols
        .partition_point(|symbol| symbol.start_byte < offset);
    let mut outline: Vec<(&Symbol, &str)> = (0..split)
        .rev()
        .filter_map(|at| facts.symbol_at(at))
        .filter(listed)
        .take(MAX_OUTLINE)
        .chain(
            (split..facts.symbols.len())
                .filter_map(|at| facts.symbol_at(at))
                .filter(listed)
                .take(MAX_OUTLINE),
        )
        .collect();
    outline.sort_by_key(|(symbol, _)| (symbol.start_byte.abs_diff(offset), symbol.start_byte));
    let mut out = Vec::new();
    for (nearness, (symbol, rendered)) in outline.into_iter().take(MAX_OUTLINE).enumerate() {
        if seen.insert(rendered) {
            out.push(
                Candidate::new(Tier::Outline, nearness, path.clone(), rendered)
                    .in_document(symbol.start_byte),
            );
        }
    }
    out
}

/// What the user just edited in other files.
fn recent_edits<'a>(input: &Input) -> Vec<Candidate<'a>> {
    input
        .recent
        .iter()
        .enumerate()
        .filter(|(_, snippet)| snippet.path != input.path)
        .map(|(nearness, snippet)| {
            Candidate::new(
                Tier::Recent,
                nearness,
                snippet.path.as_str().into(),
                snippet.text.clone(),
            )
        })
        .collect()
}

/// The top-level definitions of `files` (and what they re-export) as candidates: names the
/// file uses without importing first (what an import or a `module.` is mostly written for),
/// names it imports already last.
fn offer_module(
    input: &Input,
    offset: usize,
    index: &Index,
    files: &[String],
    out: &mut Vec<Candidate>,
) {
    let facts = input.facts;
    let all = index.definitions_in(files);
    // What a module offers is its top-level items, not the members of its classes: one
    // pass, as the definitions come sorted by file and line.
    let mut container: Option<&Definition> = None;
    let mut offered: Vec<(&str, &Definition)> = Vec::new();
    for (name, definition) in &all {
        let inside = container.is_some_and(|outer| {
            outer.path == definition.path
                && outer.start_line < definition.start_line
                && definition.end_line <= outer.end_line
        });
        if inside {
            continue;
        }
        if matches!(&*definition.kind, "class" | "impl" | "trait") {
            container = Some(definition);
        }
        if !matches!(&*definition.kind, "field" | "variant") && *definition.path != *input.path {
            offered.push((name, definition));
        }
    }
    // What the statement being written names is not imported yet: `from .types import
    // Numeric |` goes on with `as Numeric`.
    let line_start = imports::line_start(input.text, offset);
    let writing: HashSet<&str> = facts
        .imports
        .iter()
        .filter(|import| {
            import.start_byte <= offset && line_start <= import.start_byte + import.text.len()
        })
        .flat_map(|import| import.names.iter().map(String::as_str))
        .collect();
    let (after, before) = imports::neighbouring_names(input.text, offset);
    offered.sort_by_cached_key(|(name, _)| {
        let folded = name.to_lowercase();
        let between = (after.is_some() || before.is_some())
            && after.as_ref().is_none_or(|after| folded > *after)
            && before.as_ref().is_none_or(|before| folded < *before);
        (
            facts.imported.contains(*name) && !writing.contains(*name),
            // Import lists are mostly sorted (rustfmt sorts them): what goes at the cursor
            // sorts between the names on the lines around it, nearest the one above first.
            !between,
            if between { folded } else { String::new() },
            !facts.words.contains(*name),
            // Another module's private names are rarely imported.
            name.starts_with('_'),
        )
    });
    let offered = offered.into_iter().map(|(_, definition)| definition);
    for (nearness, definition) in offered.take(MAX_MODULE_DEFINITIONS).enumerate() {
        out.push(Candidate::new(
            Tier::Offered,
            nearness,
            definition.path.clone(),
            definition.signature.to_string(),
        ));
    }
}

/// Identifiers in the enclosing function and in the lines around the cursor, nearest
/// first, each once.
fn names_in_play(input: &Input, offset: usize, function: Option<Node>) -> Vec<String> {
    let text = input.text;
    let lines = budget::line_span(text, offset, LINES_BEFORE, LINES_AFTER);
    let mut start = lines.start;
    let mut end = lines.end;
    if let Some(function) = function {
        start = start.min(function.start_byte());
        end = end.max(function.end_byte());
    }
    // Read from the text, not the tree: see `syntax::words`.
    let from = words::code_start(input.language, input.tree, start);
    let mut found: Vec<(usize, &str)> = words::identifiers(input.language, text, from..end)
        .into_iter()
        // `opts.get(..)`, `x.clone()`: the standard library's, not a namesake's.
        .filter(|word| {
            !(word.member_of_other && stdlib::is_standard_method(input.language, word.text))
        })
        .map(|word| (word.start.abs_diff(offset), word.text))
        .collect();
    // Copied only once chosen: a long function holds hundreds of identifiers.
    found.sort_unstable();
    let mut seen = HashSet::new();
    found
        .into_iter()
        .filter(|(_, name)| seen.insert(*name))
        .map(|(_, name)| name.to_string())
        .take(MAX_NAMES)
        .collect()
}

/// How many directories apart two display paths are (`a/b/x.py` and `a/c/y.py`: 2).
/// Allocation-free: it runs for each of a common name's thousand definitions.
fn tree_distance(from: &str, to: &str) -> usize {
    let dir = |path: &str| path.rfind('/').map_or(0, |at| at + 1);
    let (from, to) = (&from[..dir(from)], &to[..dir(to)]);
    // The longest shared run of whole directories.
    let mut shared = 0;
    for (at, (a, b)) in from.bytes().zip(to.bytes()).enumerate() {
        if a != b {
            break;
        }
        if a == b'/' {
            shared = at + 1;
        }
    }
    let below = |path: &str| {
        path.as_bytes()[shared..]
            .iter()
            .filter(|b| **b == b'/')
            .count()
    };
    below(from) + below(to)
}

/// Kinds whose members are what code naming them reaches for next (`user.save()`,
/// `handle.abort()`): listed with them.
fn lists_members(kind: &str) -> bool {
    matches!(kind, "class" | "impl")
}

/// The members listing of `of`, when it has members.
pub(super) fn render_members(input: &Input, of: &MembersOf) -> Option<String> {
    match of {
        MembersOf::SameFile(symbol) => {
            // Symbols are sorted by start: the members are the ones starting inside.
            let symbols = &input.facts.symbols;
            let first = symbols.partition_point(|s| s.start_byte <= symbol.start_byte);
            let end = symbols.partition_point(|s| s.start_byte < symbol.end_byte);
            let members = symbols.get(first..end.max(first))?.iter();
            let members = members
                .filter(|member| member.end_byte <= symbol.end_byte)
                .map(|member| (member.name.as_str(), member.signature.as_str()));
            members_of(input.language, &symbol.signature, members)
        }
        MembersOf::Indexed(definition) => {
            let members = input.index?.members(definition);
            let members = members
                .iter()
                .map(|(name, member)| (&**name, &*member.signature));
            members_of(input.language, &definition.signature, members)
        }
    }
}

/// A class or impl block as its header (`signature`) and the signatures of its members
/// (name, signature) without their bodies, at most `MAX_MEMBERS`; `None` when it has none.
/// Python's special methods other than `__init__` are left out: code rarely calls them by
/// name.
fn members_of<'a>(
    language: Language,
    signature: &str,
    members: impl Iterator<Item = (&'a str, &'a str)>,
) -> Option<String> {
    let header = signature.lines().next().unwrap_or(signature);
    let mut listed = String::new();
    let members = members.filter(|(name, _)| {
        language != Language::Python || !name.starts_with("__") || *name == "__init__"
    });
    for (_, signature) in members.take(MAX_MEMBERS) {
        listed.push_str("\n    ");
        listed.push_str(signature);
        let body = match language {
            Language::Python if signature.ends_with(':') => " ...",
            Language::Rust if !signature.ends_with([';', '}']) => ";",
            _ => "",
        };
        listed.push_str(body);
    }
    if listed.is_empty() {
        return None;
    }
    Some(match language {
        Language::Python => format!("{header}{listed}"),
        Language::Rust => format!("{header} {{{listed}\n}}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::build::build;
    use crate::context::facts::FileFacts;
    use crate::context::testing::{indexed, request};

    #[test]
    fn imported_modules_outrank_other_files_and_other_languages_are_ignored() {
        let (root, index) = indexed(
            "build",
            &[
                ("app/models.py", "def save(user):\n    pass\n"),
                ("other/store.py", "def save(thing, force):\n    pass\n"),
                ("other/lib.rs", "pub fn save() {}\n"),
            ],
        );
        let text = "from app.models import save\n\ndef go(user):\n    save(user)\n";
        // Room for the import line (outside the window) and one definition only: the
        // imported module's wins.
        let request = request(text, "    ", 32, Some(&index));
        let mut paths: Vec<&str> = request.snippets.iter().map(|s| s.path.as_str()).collect();
        paths.sort_unstable();
        assert_eq!(
            paths,
            ["app/main.py", "app/models.py"],
            "{:?}",
            request.snippets
        );
        let roomy = self::request(text, "    ", 2048, Some(&index));
        let all: Vec<&str> = roomy.snippets.iter().map(|s| s.text.as_str()).collect();
        assert!(all.contains(&"def save(thing, force):"), "{all:?}");
        assert!(!all.iter().any(|t| t.contains("pub fn save")), "{all:?}");
        // The most relevant file is last, nearest the prefix.
        assert_eq!(roomy.snippets.last().unwrap().path, "app/models.py");
        std::fs::remove_dir_all(&root).unwrap();
    }
    #[test]
    fn the_standard_librarys_names_do_not_bring_the_workspaces_namesakes() {
        let (root, index) = indexed(
            "stdnames",
            &[(
                "app/models.py",
                "class Any:\n    pass\n\ndef len(x):\n    pass\n\nclass User:\n    pass\n",
            )],
        );
        let text = "from typing import Any\nfrom app.models import User\n\ndef f(x: Any) -> User:\n    return len(x)\n";
        let request = request(text, "return ", 2048, Some(&index));
        let all: Vec<&str> = request.snippets.iter().map(|s| s.text.as_str()).collect();
        let joined = all.join("\n");
        assert!(joined.contains("class User:"), "{all:?}");
        assert!(!joined.contains("class Any:"), "{all:?}");
        assert!(!joined.contains("def len("), "{all:?}");
        std::fs::remove_dir_all(&root).unwrap();
    }
    #[test]
    fn a_name_imported_through_a_package_that_imports_it_counts_as_imported() {
        let (root, index) = indexed(
            "reexport",
            &[
                (
                    "pkg/__init__.py",
                    "from .sql.schema import Column as Column\n",
                ),
                (
                    "pkg/sql/schema.py",
                    "class Column:\n    \"\"\"A table's column.\"\"\"\n",
                ),
            ],
        );
        // The file's own definitions, far from the cursor, would fill a small budget first
        // if `Column` counted as just any workspace definition.
        let helpers: String = (0..60)
            .map(|i| format!("def helper_{i}(first, second):\n    return first\n\n"))
            .collect();
        let text = format!("from .. import Column\n\n{helpers}table = make(\n    Column(\n");
        let tree = Language::Python.parse_str(&text).unwrap();
        let request = build(&Input {
            language: Language::Python,
            path: "pkg/dialects/dictionary.py",
            text: &text,
            tree: &tree,
            facts: &FileFacts::extract(Language::Python, &text, &tree),
            offset: text.len() - 1,
            budget_tokens: 256,
            tokens: None,
            index: Some(&index),
            recent: &[],
        });
        let all: Vec<&str> = request.snippets.iter().map(|s| s.text.as_str()).collect();
        assert!(all.join("\n").contains("class Column:"), "{all:?}");
        std::fs::remove_dir_all(&root).unwrap();
    }
    #[test]
    fn what_the_cursor_uses_from_elsewhere_beats_the_files_far_definitions() {
        let (root, index) = indexed(
            "used",
            &[("app/mail.py", "def send_email(to, subject):\n    pass\n")],
        );
        let helpers: String = (0..60)
            .map(|i| format!("def helper_{i}(first, second):\n    return first\n\n"))
            .collect();
        let text = format!("{helpers}def notify(user):\n    send_email(user, \n");
        let request = request(&text, "send_email(user, ", 256, Some(&index));
        let all: Vec<&str> = request.snippets.iter().map(|s| s.text.as_str()).collect();
        assert!(
            all.join("\n").contains("def send_email(to, subject):"),
            "{all:?}"
        );
        std::fs::remove_dir_all(&root).unwrap();
    }
    #[test]
    fn the_nearest_of_same_named_definitions_are_taken_first() {
        assert_eq!(tree_distance("pkg/a/x.py", "pkg/a/y.py"), 0);
        assert_eq!(tree_distance("pkg/a/x.py", "pkg/b/y.py"), 2);
        assert_eq!(tree_distance("pkg/x.py", "pkg/sql/deep/y.py"), 2);
        assert_eq!(tree_distance("x.py", "other/y.py"), 1);
        // A shared prefix of a directory's name is not a shared directory.
        assert_eq!(tree_distance("pkg/a/x.py", "pkg/ab/y.py"), 2);
    }
    #[test]
    fn a_type_in_play_brings_its_methods() {
        let (root, index) = indexed(
            "members",
            &[
                (
                    "src/task.rs",
                    "pub struct JoinHandle {\n    id: u64,\n}\n\nimpl JoinHandle {\n    pub fn abort(&self) {\n        todo!()\n    }\n\n    pub fn is_finished(\n        &self,\n    ) -> bool {\n        false\n    }\n}\n",
                ),
                (
                    "src/models.py",
                    "class User:\n    table = 'users'\n\n    def __init__(self, name):\n        self.name = name\n\n    def __repr__(self):\n        return self.name\n\n    def save(self, db):\n        db.add(self)\n",
                ),
            ],
        );
        let snippets = |language: Language, text: &str| {
            let tree = language.parse_str(text).unwrap();
            let request = build(&Input {
                language,
                path: "src/main.rs",
                text,
                tree: &tree,
                facts: &FileFacts::extract(language, text, &tree),
                offset: text.find('|').unwrap(),
                budget_tokens: 2048,
                tokens: None,
                index: Some(&index),
                recent: &[],
            });
            let all: Vec<String> = request.snippets.into_iter().map(|s| s.text).collect();
            all.join("\n")
        };
        let rust = snippets(
            Language::Rust,
            "fn stop(handle: JoinHandle) {\n    handle.|\n}\n",
        );
        assert!(
            rust.contains("impl JoinHandle {\n    pub fn abort(&self);\n    pub fn is_finished(\n        &self,\n    ) -> bool;\n}"),
            "{rust}"
        );
        assert!(!rust.contains("todo!()"), "bodies are left out: {rust}");
        let python = snippets(Language::Python, "def rename(user: User):\n    user.|\n");
        assert!(
            python.contains("class User:\n    table = 'users'\n    def __init__(self, name): ...\n    def save(self, db): ..."),
            "{python}"
        );
        assert!(!python.contains("__repr__"), "{python}");
        std::fs::remove_dir_all(&root).unwrap();
    }
}
