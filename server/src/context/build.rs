//! The context for one completion: prefix and suffix around the cursor plus ranked
//! snippets (enclosing scopes, imports, definitions of the names in play, recent edits),
//! fitted into a token budget. Pure: plain values in, a `FimRequest` out.

use std::collections::HashSet;
use std::sync::Arc;

use streaming_iterator::StreamingIterator;
use tree_sitter::{Node, QueryCursor, Tree};

use super::facts::{self, FileFacts};
use super::index::{Definition, ImportedFiles, Index};
use super::queries;
use super::stdlib;
use super::symbols::{self, Symbol};
use crate::llm::{FimRequest, Snippet, TokenCounter};
use crate::syntax::Language;

/// Bytes per token for the estimate: close enough for code in BPE vocabularies.
pub const BYTES_PER_TOKEN: usize = 4;
/// Times a prompt is rebuilt to fit the model's own token count. The first rebuild uses
/// the bytes per token measured on the prompt itself and almost always lands within
/// `FULL_ENOUGH` of the budget; the limit only bounds a pathological case.
const MAX_REFITS: usize = 3;
/// A prompt using at least this share of the token budget is not rebuilt to use more.
const FULL_ENOUGH: f64 = 0.9;
/// Shares of the budget the prefix and suffix may take before snippets get theirs; what
/// snippets leave unused goes back to the prefix, then the suffix. At 2,048 tokens 20%
/// still guarantees 40-50 lines of prefix; 0.5 -> 0.3 lifted definition recall by 1-7
/// points on every corpus, 0.3 -> 0.2 by up to 2 more (docs/PERFORMANCE.md).
const PREFIX_SHARE: f64 = 0.2;
const SUFFIX_SHARE: f64 = 0.15;
/// Lines around the cursor whose names count as "in play", besides the enclosing function.
const LINES_BEFORE: usize = 40;
const LINES_AFTER: usize = 10;
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
/// Room (bytes) below which no members listing is rendered: a header and one member.
const MIN_MEMBERS_ROOM: usize = 64;
/// Names an import line may be written for (used in the file, not yet imported) that get
/// their definitions looked up.
const MAX_UNRESOLVED: usize = 16;

/// Everything the builder needs about one cursor position.
pub struct Input<'a> {
    pub language: Language,
    /// The document's path as the model sees it (relative to the workspace folder).
    pub path: &'a str,
    pub text: &'a str,
    pub tree: &'a Tree,
    /// The file's definitions and imports; possibly from a slightly older version of it.
    pub facts: &'a FileFacts,
    /// Byte offset of the cursor in `text`.
    pub offset: usize,
    pub budget_tokens: u32,
    /// The provider model's tokenizer, when Keel runs it; otherwise the budget is counted
    /// with `BYTES_PER_TOKEN`.
    pub tokens: Option<&'a TokenCounter>,
    /// The workspace index, when cross-file context is on.
    pub index: Option<&'a Index>,
    /// Regions recently edited in other files, newest first (already privacy-filtered).
    pub recent: &'a [Snippet],
}

/// How strongly a snippet is tied to the cursor; lower goes in first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Tier {
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

struct Candidate<'a> {
    tier: Tier,
    /// Order within the tier: how near the cursor the name that asked for it is.
    nearness: usize,
    path: Arc<str>,
    /// Empty for `members`, which are rendered only if they are reached with room left.
    text: String,
    members: Option<MembersOf<'a>>,
    /// Where a definition of the document itself starts: once the prefix has grown into
    /// the room snippets left, it may show the definition, which then need not be sent
    /// twice.
    at: Option<usize>,
}

/// A class or impl block whose members are listed (lowest tier: most requests never
/// render them).
enum MembersOf<'a> {
    SameFile(&'a Symbol),
    Indexed(Arc<Definition>),
}

impl Candidate<'_> {
    fn new(tier: Tier, nearness: usize, path: Arc<str>, text: String) -> Self {
        Candidate {
            tier,
            nearness,
            path,
            text,
            members: None,
            at: None,
        }
    }

    /// A definition of the document itself, starting at byte `at`.
    fn in_document(mut self, at: usize) -> Self {
        self.at = Some(at);
        self
    }
}

/// Builds the request for a completion at `input.offset`.
pub fn build(input: &Input) -> FimRequest {
    fit_to_tokens(input.budget_tokens, input.tokens, |total| {
        build_in(input, total)
    })
}

/// The request `build_in(total bytes)` makes, with `total` chosen so that the request
/// holds at most `budget` tokens: `budget * BYTES_PER_TOKEN` with no tokenizer. With the
/// model's own, whose count covers the prompt exactly as it is sent (template tokens and
/// all, and without a suffix the template drops), `total` is rescaled by the tokens
/// counted until the request uses most of the budget without going over, or stops growing
/// (all the text there is fits).
pub fn fit_to_tokens(
    budget: u32,
    tokens: Option<&TokenCounter>,
    build_in: impl Fn(usize) -> FimRequest,
) -> FimRequest {
    let budget = budget as usize;
    let mut total = budget.saturating_mul(BYTES_PER_TOKEN);
    let mut request = build_in(total);
    let Some(counter) = tokens else {
        return request;
    };
    // The fullest request within the budget so far, with its tokens.
    let mut best: Option<(usize, FimRequest)> = None;
    for refit in 0..=MAX_REFITS {
        let Some(used) = counter.count(&request) else {
            return best.map_or(request, |(_, best)| best);
        };
        let over = used > budget;
        let grew = best.as_ref().is_none_or(|(most, _)| used > *most);
        if !over && grew {
            best = Some((used, request.clone()));
        }
        let full = !over && used as f64 >= budget as f64 * FULL_ENOUGH;
        if full || (!over && !grew) || refit == MAX_REFITS {
            break;
        }
        // Requests grow in whole lines and snippets, so the bytes they hold trail `total`:
        // rescale `total` itself. Over budget, aim a little under.
        let scale = budget as f64 / used.max(1) as f64 * if over { 0.97 } else { 1.0 };
        let next = (total as f64 * scale) as usize;
        if next == total {
            break;
        }
        total = next;
        request = build_in(total);
    }
    match best {
        Some((_, best)) => best,
        None => trim_to(request, budget, counter),
    }
}

/// Cuts a request still over `budget` tokens after the refits: the lowest-ranked
/// snippets go first (they come first), then the prefix's farthest lines.
fn trim_to(mut request: FimRequest, budget: usize, counter: &TokenCounter) -> FimRequest {
    loop {
        match counter.count(&request) {
            Some(used) if used > budget => {}
            _ => return request,
        }
        if !request.snippets.is_empty() {
            request.snippets.remove(0);
        } else if let Some(newline) = request.prefix.find('\n') {
            request.prefix.drain(..=newline);
        } else if !request.prefix.is_empty() {
            request.prefix.clear();
        } else {
            // Only the suffix is left: cut its farthest line.
            let Some(suffix) = request.suffix.as_mut() else {
                return request;
            };
            let keep = suffix
                .trim_end_matches('\n')
                .rfind('\n')
                .map_or(0, |i| i + 1);
            if keep == suffix.len() {
                return request;
            }
            suffix.truncate(keep);
        }
    }
}

/// `build` within `total` bytes.
fn build_in(input: &Input, total: usize) -> FimRequest {
    let text = input.text;
    let offset = floor_boundary(text, input.offset.min(text.len()));
    let prefix_cap = offset.min((total as f64 * PREFIX_SHARE) as usize);
    let suffix_cap = (text.len() - offset).min((total as f64 * SUFFIX_SHARE) as usize);
    let first_window = Window::new(text, offset, prefix_cap, suffix_cap);

    let candidates = candidates(input, offset, &first_window);
    let mut room = total.saturating_sub(prefix_cap + suffix_cap);
    let mut chosen: Vec<Candidate> = Vec::new();
    for mut candidate in candidates {
        if let Some(of) = candidate.members.take() {
            if room < MIN_MEMBERS_ROOM {
                continue;
            }
            let Some(text) = render_members(input, &of) else {
                continue;
            };
            candidate.text = text;
        }
        let cost = candidate.text.len() + candidate.path.len() + 2;
        // What does not fit is skipped before the (pairwise) repetition check.
        if cost > room {
            continue;
        }
        // A recent edit can hold a definition already chosen, or the other way round.
        let repeated = chosen
            .iter()
            .any(|other| other.path == candidate.path && other.text.contains(&candidate.text));
        if !repeated {
            room -= cost;
            chosen.push(candidate);
        }
    }
    // Definitions the grown window shows give their room back to it, until it shows no
    // more of them (the window only grows, so what was dropped stays in view).
    let window = loop {
        let window = grown_window(text, offset, prefix_cap, suffix_cap, room);
        let before = chosen.len();
        chosen.retain(|candidate| match candidate.at {
            Some(at) if window.shows(at) => {
                room += candidate.text.len() + candidate.path.len() + 2;
                false
            }
            _ => true,
        });
        if chosen.len() == before {
            break window;
        }
    };

    let mut request = FimRequest::new(
        text.get(window.start..offset).unwrap_or("").to_string(),
        text.get(offset..window.end).unwrap_or("").to_string(),
    );
    request.snippets = group(chosen);
    request
}

/// The window with `room` left by the snippets added: to the prefix first, then the suffix.
fn grown_window(
    text: &str,
    offset: usize,
    prefix_cap: usize,
    suffix_cap: usize,
    room: usize,
) -> Window {
    let prefix_room = (prefix_cap + room).min(offset);
    let room = room - (prefix_room - prefix_cap);
    let suffix_room = (suffix_cap + room).min(text.len() - offset);
    Window::new(text, offset, prefix_room, suffix_room)
}

/// The part of the file kept around the cursor: whole lines, nearest first.
struct Window {
    start: usize,
    end: usize,
}

impl Window {
    fn new(text: &str, offset: usize, before: usize, after: usize) -> Window {
        let prefix = text.get(..offset).unwrap_or("");
        let mut start = offset - before.min(offset);
        if start > 0 {
            // Whole lines only, unless the cursor's own line is longer than the room.
            let line_start = prefix.rfind('\n').map_or(0, |i| i + 1);
            start = match prefix.get(start..).and_then(|rest| rest.find('\n')) {
                Some(newline) if start + newline < offset => start + newline + 1,
                _ => ceil_boundary(text, start.max(line_start.min(offset))),
            };
        }
        let suffix = text.get(offset..).unwrap_or("");
        let mut end = offset + after.min(suffix.len());
        if end < text.len() {
            end = match suffix.get(..end - offset).and_then(|head| head.rfind('\n')) {
                Some(newline) => offset + newline + 1,
                None => floor_boundary(text, end),
            };
        }
        Window { start, end }
    }

    fn shows(&self, byte: usize) -> bool {
        (self.start..self.end).contains(&byte)
    }
}

fn floor_boundary(text: &str, mut index: usize) -> usize {
    while index > 0 && !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

fn ceil_boundary(text: &str, mut index: usize) -> usize {
    while index < text.len() && !text.is_char_boundary(index) {
        index += 1;
    }
    index
}

/// Every snippet worth sending, best first.
fn candidates<'a>(input: &Input<'a>, offset: usize, window: &Window) -> Vec<Candidate<'a>> {
    let text = input.text;
    let path: Arc<str> = input.path.into();
    let mut out = Vec::new();
    let Some(queries) = queries::for_language(input.language) else {
        return out;
    };
    // Only the scopes around the cursor: the query visits just the nodes that contain it.
    let context = &queries.context;
    let capture_names = context.capture_names();
    let mut scopes: Vec<Node> = Vec::new();
    let mut cursor = QueryCursor::new();
    cursor.set_byte_range(offset.saturating_sub(1)..offset + 1);
    let mut matches = cursor.matches(context, input.tree.root_node(), text.as_bytes());
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
    let facts = input.facts;

    // (a) Headers of the enclosing scopes the prefix no longer shows, outermost first.
    scopes.sort_by_key(|node| node.start_byte());
    scopes.dedup_by_key(|node| node.id());
    let headers: Vec<String> = scopes
        .iter()
        .filter(|node| !window.shows(node.start_byte()))
        .map(|node| {
            let indent = " ".repeat(node.start_position().column);
            format!("{indent}{}", symbols::signature("function", *node, text))
        })
        .collect();
    if !headers.is_empty() {
        out.push(Candidate::new(
            Tier::Scope,
            0,
            path.clone(),
            headers.join("\n"),
        ));
    }

    // (b) The file's imports the window does not show. On an import line they come after
    // what the modules in question offer: a package's `__init__.py` can hold hundreds of
    // them, which would leave no room for the name being imported.
    let writing_import = in_import(input, offset);
    let import_lines: Vec<&str> = facts
        .imports
        .iter()
        .filter(|import| !window.shows(import.start_byte))
        .map(|import| import.text.as_str())
        .collect();
    if !import_lines.is_empty() {
        let tier = if writing_import {
            Tier::SameFile
        } else {
            Tier::Import
        };
        out.push(Candidate::new(
            tier,
            0,
            path.clone(),
            import_lines.join("\n"),
        ));
    }

    // An import being written, or a module's member being typed (`util.|`, `db::|`): what
    // the module offers.
    if let Some(index) = input.index {
        let files = match importing_from(input, offset) {
            Some(module) => Some(module_paths(input, &module)),
            None => module_before_cursor(input, offset).map(|module| module_paths(input, &module)),
        };
        if let Some(files) = files {
            offer_module(input, offset, index, &files, &mut out);
        } else if writing_import {
            // Its module not written yet: imports come in runs from one module (a package
            // re-exporting its parts, `use crate::runtime::{..}` lines), so the modules of
            // the imports next to it are the likeliest.
            // So are a Rust file's `mod x;` submodules that no `use` names yet: a
            // `mod.rs` declares its parts, then re-exports each (`pub use self::x::{..}`).
            for module in neighbouring_modules(input, offset)
                .into_iter()
                .chain(unused_submodules(input))
            {
                offer_module(
                    input,
                    offset,
                    index,
                    &module_paths(input, &module),
                    &mut out,
                );
            }
        }
    }

    // An import line, whatever of it is written: the types the file uses but neither
    // defines nor imports are what it is most likely for (`from ..models import |` above a
    // body that uses `Dependant`).
    if let Some(index) = input.index
        && writing_import
    {
        let unresolved = facts
            .capitalized
            .iter()
            .map(String::as_str)
            .filter(|word| !facts.imported.contains(*word) && facts.named(word).next().is_none())
            .take(MAX_UNRESOLVED);
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
    }

    // (c) Definitions of the names in play: same file, then imported modules, then anywhere.
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
    let mut seen: HashSet<String> = HashSet::new();
    for (nearness, name) in names.iter().enumerate() {
        let here: Vec<&Symbol> = facts.named(name).collect();
        // The standard library's names: a workspace definition of the same name is not
        // what the code means.
        if here.is_empty()
            && (facts.foreign.contains(name) || stdlib::is_builtin(input.language, name))
        {
            continue;
        }
        if here.iter().any(|symbol| window.shows(symbol.start_byte)) {
            continue;
        }
        let mut found_here = false;
        for symbol in here {
            // The enclosing definitions are framed by (a) already.
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
            let rendered = symbol.render(Some(input.language));
            if seen.insert(rendered.clone()) {
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
        // Definitions in modules the file imports first, then the rest, in index order.
        // A common name has a thousand (`__init__`): one pass, no sort.
        let imported_files = imported_files.get_or_insert_with(|| {
            let relative: Vec<String> = facts
                .relative_modules
                .iter()
                .flat_map(|module| relative_module(input.path, module).unwrap_or_default())
                .collect();
            index.files_ending_with_either(&facts.module_files, &relative)
        });
        // Imported through a module that imports it in turn (`from ... import Column`,
        // the package re-exporting `sql.schema`'s): its definition elsewhere is the one.
        let reexported = index.reexported_from(name, imported_files);
        let mut imported = Vec::new();
        let mut others = Vec::new();
        let mut considered = 0;
        // A module's definition (`mod db;`) tells the model nothing.
        for definition in index.lookup(name).iter().filter(|definition| {
            definition.language == input.language
                && *definition.path != *input.path
                && &*definition.kind != "module"
        }) {
            if imported_files.contains(&definition.path) {
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
        let others = others.into_iter().map(|(_, definition)| definition);
        let imported_count = if imported.is_empty() && reexported {
            others.len()
        } else {
            imported.len()
        };
        let picked = imported.into_iter().chain(others);
        for (rank, definition) in picked.take(MAX_DEFINITIONS_PER_NAME).enumerate() {
            let tier = if rank < imported_count {
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
            let rendered = definition.render();
            if seen.insert(format!("{}\n{rendered}", definition.path)) {
                out.push(Candidate::new(
                    tier,
                    nearness,
                    definition.path.clone(),
                    rendered,
                ));
            }
        }
    }

    // The file's other top-level definitions, nearest first: the nearest on either side of
    // the cursor, found by position rather than by sorting thousands.
    let listed = |symbol: &&Symbol| {
        let encloses = symbol.start_byte <= offset && offset <= symbol.end_byte;
        !window.shows(symbol.start_byte)
            && !encloses
            && symbol.kind != "field"
            && symbol.kind != "variant"
    };
    let split = facts
        .symbols
        .partition_point(|symbol| symbol.start_byte < offset);
    let (above, below) = facts.symbols.split_at(split);
    let mut outline: Vec<&Symbol> = above
        .iter()
        .rev()
        .filter(listed)
        .take(MAX_OUTLINE)
        .chain(below.iter().filter(listed).take(MAX_OUTLINE))
        .collect();
    outline.sort_by_key(|symbol| (symbol.start_byte.abs_diff(offset), symbol.start_byte));
    for (nearness, symbol) in outline.into_iter().take(MAX_OUTLINE).enumerate() {
        let rendered = symbol.render(Some(input.language));
        if seen.insert(rendered.clone()) {
            out.push(
                Candidate::new(Tier::Outline, nearness, path.clone(), rendered)
                    .in_document(symbol.start_byte),
            );
        }
    }

    // (d) What the user just edited elsewhere.
    for (nearness, snippet) in input.recent.iter().enumerate() {
        if snippet.path != input.path {
            out.push(Candidate::new(
                Tier::Recent,
                nearness,
                snippet.path.as_str().into(),
                snippet.text.clone(),
            ));
        }
    }

    out.sort_by_key(|candidate| (candidate.tier, candidate.nearness));
    out
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
fn render_members(input: &Input, of: &MembersOf) -> Option<String> {
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

/// The files that may hold `module`, as an import in this file names it.
fn module_paths(input: &Input, module: &str) -> Vec<String> {
    match input.language {
        Language::Rust => rust_module_paths(input.path, module),
        Language::Python => relative_module(input.path, module)
            .unwrap_or_else(|| facts::module_files(input.language, &[module])),
    }
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
    let line_start = line_start(input.text, offset);
    let writing: HashSet<&str> = facts
        .imports
        .iter()
        .filter(|import| {
            import.start_byte <= offset && line_start <= import.start_byte + import.text.len()
        })
        .flat_map(|import| import.names.iter().map(String::as_str))
        .collect();
    let (after, before) = neighbouring_names(input.text, offset);
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

/// The modules named by the nearest import statement above the cursor's line and the
/// nearest below it (`from .engine import Engine` -> `.engine`, `use crate::db::{Pool};` ->
/// `crate::db`), each once.
fn neighbouring_modules(input: &Input, offset: usize) -> Vec<String> {
    let line_start = line_start(input.text, offset);
    let imports = &input.facts.imports;
    let below = imports.partition_point(|import| import.start_byte <= offset);
    let above = imports
        .get(..below)
        .unwrap_or_default()
        .iter()
        .rev()
        .find(|import| import.start_byte + import.text.len() < line_start);
    let mut modules: Vec<String> = Vec::new();
    for import in above.into_iter().chain(imports.get(below)) {
        if let Some(module) = import_module(input.language, &import.text)
            && !modules.contains(&module)
        {
            modules.push(module);
        }
    }
    modules
}

/// The `mod x;` items of a Rust file that none of its top-level `use` lines names, as
/// `self::x` (a nested `mod future { pub use super::x::ResponseFuture; }` does not count).
fn unused_submodules(input: &Input) -> Vec<String> {
    if input.language != Language::Rust {
        return Vec::new();
    }
    let facts = input.facts;
    let top_level = |start: usize| line_start(input.text, start) == start;
    facts
        .symbols
        .iter()
        .filter(|symbol| symbol.kind == "module" && symbol.signature.ends_with(';'))
        .filter(|symbol| {
            !facts.imports.iter().any(|import| {
                top_level(import.start_byte)
                    && import
                        .text
                        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                        .any(|word| word == symbol.name)
            })
        })
        .map(|symbol| format!("self::{}", symbol.name))
        .collect()
}

/// The names imported on the line above the cursor's (its last) and on the line below (its
/// first), case-folded, when those lines import: `from .a import b as b` -> `b`,
/// `use crate::x::{Y, Z};` -> `y` above and `z` below, `    Pool,` -> `pool`.
fn neighbouring_names(text: &str, offset: usize) -> (Option<String>, Option<String>) {
    let start = line_start(text, offset);
    let above = text
        .get(..start.saturating_sub(1))
        .map(|head| head.rsplit('\n').next().unwrap_or(head));
    let below = text
        .get(offset..)
        .and_then(|rest| rest.split_once('\n'))
        .and_then(|(_, rest)| rest.split('\n').next());
    let names = |line: &str| -> Vec<String> {
        let line = line.trim();
        // The part of the line that lists names, not the module they come from.
        let listed = match line.split_once(" import ") {
            Some((_, names)) => names,
            None if without_visibility(line).starts_with("use ") => {
                let path = without_visibility(line).trim_start_matches("use ");
                path.rsplit(['{', ':']).next().unwrap_or(path)
            }
            None if line.starts_with(['(', ')', '}']) || line.is_empty() => "",
            None if line.ends_with(',') || line.ends_with("};") => line,
            None => "",
        };
        listed
            .split(',')
            .filter_map(|item| {
                let item = item.trim_matches(|c: char| !(c.is_alphanumeric() || c == '_'));
                let name = item.split_whitespace().next()?;
                let name = name.rsplit("::").next().unwrap_or(name);
                (!name.is_empty()).then(|| name.to_lowercase())
            })
            .collect()
    };
    let above = above.and_then(|line| names(line).pop());
    let below = below.and_then(|line| names(line).into_iter().next());
    (above, below)
}

/// The module an import statement takes names from: `from X import ..` -> `X`,
/// `use a::b::C;` and `use a::b::{C, D};` -> `a::b`; `None` for `import X` (the next such
/// line names another module).
fn import_module(language: Language, import: &str) -> Option<String> {
    match language {
        Language::Python => {
            let rest = import.trim_start().strip_prefix("from ")?;
            let (module, _) = rest.split_once(" import")?;
            let module = module.trim();
            (!module.is_empty()).then(|| module.to_string())
        }
        Language::Rust => {
            let path = without_visibility(import)
                .strip_prefix("use ")?
                .split('{')
                .next()?;
            rust_use_module(path)
        }
    }
}

/// The module whose member is being typed (`util.|`, `util.upd|`, `db::|`), when the file
/// imports it by that name: as its import names it (`..util` for `from .. import util`).
fn module_before_cursor(input: &Input, offset: usize) -> Option<String> {
    let typed = typed_on_line(input.text, offset);
    let head = typed.trim_end_matches(|c: char| c.is_alphanumeric() || c == '_');
    let separator = match input.language {
        Language::Python => ".",
        Language::Rust => "::",
    };
    let head = head.strip_suffix(separator)?;
    let receiver_start = head
        .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
        .map_or(0, |at| at + 1);
    let receiver = head.get(receiver_start..)?;
    // Only a bare name: `a.b.|` is an attribute of `a.b`, not a module the file names.
    if receiver.is_empty() || head[..receiver_start].ends_with(['.', ':']) {
        return None;
    }
    input
        .facts
        .imports
        .iter()
        .filter(|import| import.names.iter().any(|name| name == receiver))
        .find_map(|import| imported_module(input.language, &import.text, receiver))
}

/// The module `import` binds to `receiver`, if it does (`from app import models` binds
/// `models` to `app.models`; `import app.models as m` binds `m`; `use crate::db;` binds
/// `db`).
fn imported_module(language: Language, import: &str, receiver: &str) -> Option<String> {
    let flat: String = import
        .chars()
        .map(|c| {
            if matches!(c, '(' | ')' | '\\' | '\n' | '\r') {
                ' '
            } else {
                c
            }
        })
        .collect();
    let flat = flat.trim().trim_end_matches(';');
    // Each bound name: (what is imported, the name it is bound to).
    let bound = |item: &str| -> (String, String) {
        let mut parts = item.split_whitespace();
        let name = parts.next().unwrap_or("").to_string();
        let alias = match (parts.next(), parts.next()) {
            (Some("as"), Some(alias)) => alias.to_string(),
            _ => name.clone(),
        };
        (name, alias)
    };
    match language {
        Language::Python => {
            if let Some(rest) = flat.strip_prefix("from ") {
                let (module, names) = rest.split_once(" import ")?;
                let module = module.trim();
                names.split(',').map(bound).find_map(|(name, alias)| {
                    (alias == receiver).then(|| {
                        if module.ends_with('.') {
                            format!("{module}{name}")
                        } else {
                            format!("{module}.{name}")
                        }
                    })
                })
            } else {
                let names = flat.strip_prefix("import ")?;
                names.split(',').map(bound).find_map(|(name, alias)| {
                    // `import a.b` binds `a` (the package); `import a.b as m` binds `a.b`.
                    let module = if alias == name {
                        name.split('.').next().unwrap_or("").to_string()
                    } else {
                        name
                    };
                    let bound_to = if alias.contains('.') { &module } else { &alias };
                    (bound_to == receiver).then_some(module)
                })
            }
        }
        Language::Rust => {
            let rest = flat.split_once("use ")?.1.trim();
            // Only a plain path (`use crate::db;`, `use crate::db as store;`).
            if rest.contains('{') {
                return None;
            }
            let (path, alias) = bound(rest);
            let last = path.rsplit("::").next().unwrap_or("");
            let bound_to = if alias == path { last } else { alias.as_str() };
            (bound_to == receiver && path != receiver).then_some(path)
        }
    }
}

/// The module named by the import statement the cursor is in (`from app.models import |`,
/// `use crate::db::{Pool, |`), when the part naming it is written.
fn importing_from(input: &Input, offset: usize) -> Option<String> {
    let text = input.text;
    let statement = import_at(input, offset);
    if input.language == Language::Rust {
        // What is written of the statement, read up to the cursor: a `use` being typed
        // rarely parses, and nested lists name their module in pieces.
        let written = match statement {
            Some(statement) => text.get(statement.start_byte()..offset)?,
            None => typed_on_line(text, offset),
        };
        return rust_use_module(without_visibility(written).strip_prefix("use ")?);
    }
    if let Some(module) =
        statement.and_then(|statement| statement.child_by_field_name("module_name"))
        && module.end_byte() <= offset
    {
        return text.get(module.byte_range()).map(str::to_string);
    }
    // An unfinished statement may not parse as one, or may run into the next one
    // (`from app.models ⏎ from django.db import A` parses as one odd module name): read
    // the cursor's line.
    let rest = typed_on_line(text, offset).strip_prefix("from ")?;
    let module = rest.split_whitespace().next()?;
    (!module.is_empty()).then(|| module.to_string())
}

/// A Rust item as written, without its leading `pub`/`pub(crate)`.
fn without_visibility(written: &str) -> &str {
    let written = written.trim_start();
    match written.strip_prefix("pub") {
        Some(rest) => rest.trim_start_matches(|c: char| c != ' ').trim_start(),
        None => written,
    }
}

/// The module a Rust `use` tree names at its end (`crate::db::{Pool, pool::` ->
/// `crate::db::pool`), from the text after `use `; `None` until a module is written.
fn rust_use_module(written: &str) -> Option<String> {
    let join = |base: &str, tail: &str| match (base.is_empty(), tail.is_empty()) {
        (true, _) => tail.to_string(),
        (_, true) => base.to_string(),
        _ => format!("{base}::{tail}"),
    };
    let mut bases: Vec<String> = vec![String::new()];
    let mut current = String::new();
    for character in written.chars() {
        match character {
            '{' => {
                let base = join(bases.last()?, current.trim_end_matches(':'));
                bases.push(base);
                current.clear();
            }
            '}' => {
                if bases.len() > 1 {
                    bases.pop();
                }
                current.clear();
            }
            ',' => current.clear(),
            c if c.is_whitespace() => {}
            c => current.push(c),
        }
    }
    let tail = current.rsplit_once("::").map_or("", |(module, _)| module);
    let module = join(bases.last()?, tail);
    (!module.is_empty()).then_some(module)
}

/// The files that may hold the Rust module `module`, written in the file at display path
/// `path`: `crate::`, `self::` and `super::` paths resolved against it (`super::pool` in
/// `src/db/query.rs` -> `src/db/pool.rs`), other paths by their last segment anywhere.
fn rust_module_paths(path: &str, module: &str) -> Vec<String> {
    let segments: Vec<&str> = module
        .split("::")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    let mut rest = segments.as_slice();
    let base = match rest.first().copied() {
        Some("crate") => {
            rest = &rest[1..];
            path.rfind("src/").map(|at| path[..at + 3].to_string())
        }
        Some("self" | "super") => {
            let mut dir = module_dir(path);
            if rest.first() == Some(&"self") {
                rest = &rest[1..];
            }
            while rest.first() == Some(&"super") {
                rest = &rest[1..];
                dir = dir.rsplit_once('/').map_or("", |(parent, _)| parent);
            }
            Some(dir.to_string())
        }
        _ => None,
    };
    let Some(base) = base else {
        return facts::rust_module_files(module);
    };
    if rest.is_empty() {
        // The module at `base` itself: a file beside its directory, or the directory's
        // `mod.rs`, or a crate root.
        return if base.is_empty() || base.ends_with("src") {
            let prefix = if base.is_empty() {
                String::new()
            } else {
                format!("{base}/")
            };
            vec![format!("{prefix}lib.rs"), format!("{prefix}main.rs")]
        } else {
            vec![format!("{base}.rs"), format!("{base}/mod.rs")]
        };
    }
    let joined = rest.join("/");
    let module = if base.is_empty() {
        joined
    } else {
        format!("{base}/{joined}")
    };
    vec![format!("{module}.rs"), format!("{module}/mod.rs")]
}

/// The directory holding the child modules of the Rust file at `path`: `src/db` for
/// `src/db/mod.rs` or `src/db.rs`, `src` for `src/lib.rs`.
fn module_dir(path: &str) -> &str {
    let (dir, file) = path.rsplit_once('/').unwrap_or(("", path));
    match file {
        "mod.rs" | "lib.rs" | "main.rs" => dir,
        _ => path.strip_suffix(".rs").unwrap_or(path),
    }
}

/// The import statement holding `offset`, as tree-sitter reads it.
fn import_at<'t>(input: &Input<'t>, offset: usize) -> Option<Node<'t>> {
    input
        .tree
        .root_node()
        .descendant_for_byte_range(offset.saturating_sub(1), offset)
        .into_iter()
        .flat_map(|node| std::iter::successors(Some(node), |node| node.parent()))
        .find(|node| {
            matches!(
                node.kind(),
                "import_from_statement" | "import_statement" | "use_declaration"
            )
        })
}

/// Whether `offset` is in an import statement, on a line starting one that does not
/// parse yet, or on an empty line between two imports (a new one being started).
fn in_import(input: &Input, offset: usize) -> bool {
    let line = typed_on_line(input.text, offset);
    let keywords: &[&str] = match input.language {
        Language::Python => &["from ", "import "],
        Language::Rust => &["use ", "pub use "],
    };
    keywords.iter().any(|keyword| line.starts_with(keyword))
        || import_at(input, offset).is_some()
        || (line.is_empty() && between_imports(input, offset))
}

/// Whether the lines just above and just below the cursor's line are import statements.
fn between_imports(input: &Input, offset: usize) -> bool {
    let text = input.text;
    let Some(newline) = text.get(..offset).and_then(|head| head.rfind('\n')) else {
        return false;
    };
    let above_end = text
        .get(..newline)
        .map_or(0, |head| head.trim_end_matches('\r').len());
    let Some(below_start) = text.get(offset..).and_then(|rest| rest.find('\n')) else {
        return false;
    };
    let below_start = offset + below_start + 1;
    let imports = &input.facts.imports;
    imports
        .iter()
        .any(|import| import.start_byte + import.text.len() == above_end)
        && imports
            .iter()
            .any(|import| import.start_byte == below_start)
}

/// Where the line holding `offset` starts.
fn line_start(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .and_then(|head| head.rfind('\n'))
        .map_or(0, |at| at + 1)
}

/// The cursor's line up to `offset`, without its indentation.
fn typed_on_line(text: &str, offset: usize) -> &str {
    let head = text.get(..offset).unwrap_or("");
    head.rsplit('\n').next().unwrap_or(head).trim_start()
}

/// The files a relative Python import names, from the importing file's display path
/// (`.base` in `pkg/sub/__init__.py` -> `pkg/sub/base.py`, `..` in `pkg/sub/x.py` ->
/// `pkg/__init__.py`); `None` for other imports.
fn relative_module(path: &str, module: &str) -> Option<Vec<String>> {
    if !module.starts_with('.') {
        return None;
    }
    let base = module_parts(path, module)?.join("/");
    if module.trim_start_matches('.').is_empty() {
        return Some(vec![if base.is_empty() {
            "__init__.py".to_string()
        } else {
            format!("{base}/__init__.py")
        }]);
    }
    Some(vec![format!("{base}.py"), format!("{base}/__init__.py")])
}

/// The path parts of the Python module an import in the file at display path `path`
/// names: `.base` in `pkg/sub/x.py` -> `pkg/sub/base`, `..` -> `pkg`, `app.models` ->
/// `app/models`; `None` when the dots climb above the workspace.
pub(super) fn module_parts<'a>(path: &'a str, module: &'a str) -> Option<Vec<&'a str>> {
    let rest = module.trim_start_matches('.');
    let dots = module.len() - rest.len();
    let mut parts: Vec<&str> = Vec::new();
    if dots > 0 {
        parts.extend(path.split('/'));
        parts.pop();
        for _ in 1..dots {
            parts.pop()?;
        }
    }
    parts.extend(rest.split('.').filter(|part| !part.is_empty()));
    Some(parts)
}

/// Identifiers in the enclosing function and in the lines around the cursor, nearest
/// first, each once.
fn names_in_play(input: &Input, offset: usize, function: Option<Node>) -> Vec<String> {
    let text = input.text;
    let (line_start, line_end) = line_span(text, offset);
    let mut start = line_start;
    let mut end = line_end;
    if let Some(function) = function {
        start = start.min(function.start_byte());
        end = end.max(function.end_byte());
    }
    let mut found: Vec<(usize, &str)> = Vec::new();
    // Only the nodes overlapping start..end: a cursor skips the siblings before them
    // without visiting them, which matters at the top level of a 20,000-line file.
    let mut cursor = input.tree.walk();
    let mut descend = true;
    loop {
        let node = cursor.node();
        if descend {
            if matches!(
                node.kind(),
                "identifier" | "type_identifier" | "field_identifier"
            ) {
                // `opts.get(..)`, `x.clone()`: the standard library's, not a namesake's. The
                // parent comes from a copy of the cursor (`Node::parent` would search down
                // from the root, through every top-level item of the file).
                let standard = matches!(cursor.field_name(), Some("attribute" | "field")) && {
                    let mut up = cursor.clone();
                    up.goto_parent()
                        && stdlib::is_standard_member(input.language, node, up.node(), text)
                };
                if let Some(name) = text.get(node.byte_range())
                    && !standard
                {
                    found.push((node.start_byte().abs_diff(offset), name));
                }
            } else if cursor.goto_first_child_for_byte(start).is_some() {
                descend = cursor.node().start_byte() <= end;
                continue;
            }
        }
        // On to the next sibling that starts within range, climbing when there is none.
        if node.start_byte() <= end && cursor.goto_next_sibling() {
            descend = cursor.node().start_byte() <= end;
        } else if cursor.goto_parent() {
            descend = false;
        } else {
            break;
        }
    }
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

/// The bytes of the `LINES_BEFORE` lines before the cursor to `LINES_AFTER` lines after.
fn line_span(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or("");
    let start = before
        .rmatch_indices('\n')
        .nth(LINES_BEFORE)
        .map_or(0, |(i, _)| i + 1);
    let after = text.get(offset..).unwrap_or("");
    let end = after
        .match_indices('\n')
        .nth(LINES_AFTER)
        .map_or(text.len(), |(i, _)| offset + i);
    (start, end)
}

/// Chosen candidates as one snippet per file, the most relevant file last (nearest the
/// prefix, where models look hardest).
fn group(chosen: Vec<Candidate>) -> Vec<Snippet> {
    let mut files: Vec<(Arc<str>, Vec<String>)> = Vec::new();
    for candidate in chosen {
        match files.iter_mut().find(|(path, _)| *path == candidate.path) {
            Some((_, texts)) => texts.push(candidate.text),
            None => files.push((candidate.path, vec![candidate.text])),
        }
    }
    files
        .into_iter()
        .rev()
        .map(|(path, texts)| Snippet {
            path: path.to_string(),
            text: texts.join("\n\n"),
        })
        .collect()
}

/// The baseline the evaluation compares against: prefix and suffix alone, nearest lines
/// first, in `total` bytes (see `fit_to_tokens`).
pub fn prefix_suffix_only(text: &str, offset: usize, total: usize) -> FimRequest {
    let offset = floor_boundary(text, offset.min(text.len()));
    let suffix_len = text.len() - offset;
    let prefix_room = offset.min(total - suffix_len.min(total / 4));
    let suffix_room = suffix_len.min(total - prefix_room);
    let window = Window::new(text, offset, prefix_room, suffix_room);
    FimRequest::new(
        text.get(window.start..offset).unwrap_or("").to_string(),
        text.get(offset..window.end).unwrap_or("").to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(text: &str, cursor: &str, budget: u32, index: Option<&Index>) -> FimRequest {
        counted_in(text, cursor, budget, index, None)
    }

    /// `request` with no index, counting tokens with `tokens`.
    fn counted(text: &str, cursor: &str, budget: u32, tokens: Option<&TokenCounter>) -> FimRequest {
        counted_in(text, cursor, budget, None, tokens)
    }

    fn counted_in(
        text: &str,
        cursor: &str,
        budget: u32,
        index: Option<&Index>,
        tokens: Option<&TokenCounter>,
    ) -> FimRequest {
        let tree = Language::Python.parse_str(text).unwrap();
        let offset = text.find(cursor).unwrap() + cursor.len();
        build(&Input {
            language: Language::Python,
            path: "app/main.py",
            text,
            tree: &tree,
            facts: &FileFacts::extract(Language::Python, text, &tree),
            offset,
            budget_tokens: budget,
            tokens,
            index,
            recent: &[],
        })
    }

    /// A workspace of `files` (display path, text) in a fresh temporary folder, indexed;
    /// remove the folder when done.
    fn indexed(name: &str, files: &[(&str, &str)]) -> (std::path::PathBuf, Index) {
        let root = std::env::temp_dir().join(format!("keel-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        for (path, text) in files {
            let path = root.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let index = Index::new();
        index.configure(vec![root.clone()], &[]).unwrap();
        index.build(&|_| {}).unwrap();
        (root, index)
    }

    fn padded(lines: usize) -> String {
        (0..lines).map(|i| format!("# filler {i:03}\n")).collect()
    }

    #[test]
    fn a_roomy_budget_sends_the_whole_file() {
        let text = "import os\n\ndef f():\n    return os.getcwd()\n";
        let request = request(text, "return ", 2048, None);
        assert_eq!(request.prefix, "import os\n\ndef f():\n    return ");
        assert_eq!(request.suffix.as_deref(), Some("os.getcwd()\n"));
        assert!(request.snippets.is_empty(), "{:?}", request.snippets);
    }

    #[test]
    fn the_budget_cuts_far_lines_first_and_keeps_whole_lines() {
        let text = format!(
            "{}def f():\n    x = 1\n    return x\n{}",
            padded(200),
            padded(200)
        );
        let request = request(&text, "    x = 1\n    ", 100, None);
        let used = request.prefix.len() + request.suffix.as_deref().unwrap_or("").len();
        assert!(used <= 100 * BYTES_PER_TOKEN, "{used}");
        assert!(
            request.prefix.ends_with("def f():\n    x = 1\n    "),
            "{}",
            request.prefix
        );
        assert!(
            request.prefix.starts_with("# filler"),
            "whole lines: {}",
            request.prefix
        );
        assert!(!request.prefix.contains("filler 000"));
        assert!(
            request
                .suffix
                .unwrap()
                .starts_with("return x\n# filler 000\n")
        );
    }

    /// A file with definitions far from a cursor at its end: more than any budget here.
    fn long_module() -> String {
        format!(
            "LIMIT = 10\n\n\ndef helper(a, b):\n    return a + b\n\n{}def handle():\n    y = helper(LIMIT, 2)\n{}",
            padded(300),
            padded(100)
        )
    }

    fn in_snippets(request: &FimRequest, text: &str) -> bool {
        request.snippets.iter().any(|s| s.text.contains(text))
    }

    /// What a model without FIM tokens is sent: snippets as comments, then the prefix;
    /// the suffix is dropped.
    fn rendered(request: &FimRequest) -> String {
        crate::config::FimTemplate::None.prompt(request)
    }

    #[test]
    fn the_models_own_token_count_of_the_prompt_it_is_sent_fills_the_budget_and_stays_within_it() {
        // A stand-in tokenizer with a known count: two bytes per token of what the
        // template renders (a denser vocabulary than the estimate's four).
        let two_bytes = TokenCounter::new(|request| Some(rendered(request).len().div_ceil(2)));
        let text = long_module();
        let request = counted(&text, "y = ", 300, Some(&two_bytes));
        let tokens = two_bytes.count(&request).unwrap();
        assert!((270..=300).contains(&tokens), "{tokens} tokens");
        assert!(request.prefix.ends_with("def handle():\n    y = "));
        assert!(
            in_snippets(&request, "def helper"),
            "{:?}",
            request.snippets
        );
        // The estimate alone would send half as much again.
        let estimated = counted(&text, "y = ", 300, None);
        assert!(two_bytes.count(&estimated).unwrap() > 400);
        // The suffix the template drops is not paid for: the prefix gets its room.
        assert!(request.prefix.len() > estimated.prefix.len() / 2);

        // A tokenizer that cannot count leaves the estimate in force.
        let silent = TokenCounter::new(|_| None);
        assert_eq!(counted(&text, "y = ", 300, Some(&silent)), estimated);
    }

    #[test]
    fn definitions_the_prefix_grows_to_show_are_not_sent_again_as_snippets() {
        let helpers: String = (0..40)
            .map(|i| format!("def helper_{i}(a):\n    return a + {i}\n\n\n"))
            .collect();
        let text = format!("{helpers}def main():\n    x = helper_3(1)\n");
        let request = request(&text, "x = ", 300, None);
        let shown_twice: Vec<&str> = request
            .snippets
            .iter()
            .flat_map(|snippet| snippet.text.lines())
            .filter(|line| line.starts_with("def ") && request.prefix.contains(line))
            .collect();
        assert!(shown_twice.is_empty(), "{shown_twice:?}");
        assert!(
            in_snippets(&request, "def helper_3(a)"),
            "{:?}",
            request.snippets
        );
    }

    #[test]
    fn a_tokenizer_that_defeats_rescaling_still_gets_a_prompt_within_its_budget() {
        // Tokens grow with the square of the text: no bytes-per-token figure holds.
        let square = TokenCounter::new(|request| {
            let bytes = rendered(request).len();
            Some(bytes * bytes / 2_000)
        });
        let text = long_module();
        let request = counted(&text, "y = ", 100, Some(&square));
        let tokens = square.count(&request).unwrap();
        assert!(tokens <= 100, "{tokens} tokens");
        assert!(request.prefix.ends_with("    y = "), "{}", request.prefix);
    }

    #[test]
    fn scopes_imports_and_same_file_definitions_outside_the_window_become_snippets() {
        let text = format!(
            "from app.models import User\n\nLIMIT = 10\n\n\ndef helper(a, b):\n    \"\"\"Adds.\"\"\"\n    return a + b\n\n{}class Api:\n    def handle(self):\n{}        y = helper(LIMIT, 2)\n",
            padded(100),
            padded(100).replace('#', "        #")
        );
        let request = request(&text, "y = ", 200, None);
        let snippet = request
            .snippets
            .iter()
            .find(|s| s.path == "app/main.py")
            .expect("a snippet of the file itself");
        assert!(
            snippet.text.contains("class Api:\n    def handle(self):"),
            "{}",
            snippet.text
        );
        assert!(
            snippet.text.contains("from app.models import User"),
            "{}",
            snippet.text
        );
        assert!(
            snippet
                .text
                .contains("def helper(a, b):\n    \"\"\"Adds.\"\"\""),
            "{}",
            snippet.text
        );
        assert!(snippet.text.contains("LIMIT = 10"), "{}", snippet.text);
    }

    #[test]
    fn imported_modules_outrank_other_files_and_other_languages_are_ignored() {
        let root = std::env::temp_dir().join(format!("keel-build-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("app")).unwrap();
        std::fs::create_dir_all(root.join("other")).unwrap();
        std::fs::write(root.join("app/models.py"), "def save(user):\n    pass\n").unwrap();
        std::fs::write(
            root.join("other/store.py"),
            "def save(thing, force):\n    pass\n",
        )
        .unwrap();
        std::fs::write(root.join("other/lib.rs"), "pub fn save() {}\n").unwrap();
        let index = Index::new();
        index.configure(vec![root.clone()], &[]).unwrap();
        index.build(&|_| {}).unwrap();
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
    fn an_import_being_written_brings_what_the_module_offers() {
        let root = std::env::temp_dir().join(format!("keel-import-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("app")).unwrap();
        std::fs::write(
            root.join("app/models.py"),
            "class User:\n    name = 1\n\ndef find_user(db, email):\n    pass\n",
        )
        .unwrap();
        std::fs::write(root.join("app/other.py"), "def unrelated():\n    pass\n").unwrap();
        // A package that re-exports its modules' names.
        std::fs::write(
            root.join("app/__init__.py"),
            "from .models import User as User\nfrom .models import find_user\n",
        )
        .unwrap();
        std::fs::create_dir_all(root.join("lib")).unwrap();
        std::fs::write(root.join("lib/models.py"), "class Decoy:\n    pass\n").unwrap();
        let index = Index::new();
        index.configure(vec![root.clone()], &[]).unwrap();
        index.build(&|_| {}).unwrap();
        for (text, cursor) in [
            ("from app.models import \n", "import "),
            (
                "from app.models import (\n    User,\n    \n)\n",
                "User,\n    ",
            ),
            ("from .models import \n", "import "),
            ("from app import \n", "import "),
            // A module's member being typed.
            (
                "from app import models\n\ndef f():\n    models.\n",
                "models.",
            ),
            ("from app import models as m\n\nm.fi\n", "m.fi"),
            ("import app.models as m\n\nm.\n", "m."),
            // With more imports below, which the unfinished line runs into.
            ("from app.models import \nfrom os import path\n", "import "),
            ("from app.models \nfrom os import path\n", "models "),
            // Parsed as one statement whose module name runs on into `django.db`.
            ("from app.models \nfrom django.db import A\n", "models "),
        ] {
            let request = request(text, cursor, 2048, Some(&index));
            let all: Vec<&str> = request.snippets.iter().map(|s| s.text.as_str()).collect();
            let joined = all.join("\n");
            assert!(joined.contains("class User:"), "{text:?}: {all:?}");
            assert!(joined.contains("def find_user(db, email):"), "{all:?}");
            assert!(!joined.contains("unrelated"), "{all:?}");
            // Members are not what a module offers (only listed under their class); a
            // relative import is this package's.
            assert!(!joined.lines().any(|line| line == "name = 1"), "{all:?}");
            if text.starts_with("from .") {
                assert!(!joined.contains("Decoy"), "{all:?}");
            }
        }
        // Before its module is written, an import line is likely for the types the file
        // uses without defining or importing them.
        let snippets = |text: &str| {
            let request = request(text, "from ", 2048, Some(&index));
            let all: Vec<String> = request.snippets.into_iter().map(|s| s.text).collect();
            all.join("\n")
        };
        // Used further down than the names in play reach.
        let far = "x = 1\n".repeat(LINES_AFTER + 5);
        let joined = snippets(&format!(
            "from \n{far}\ndef handler(db):\n    return Decoy(db)\n"
        ));
        assert!(joined.contains("class Decoy:"), "{joined}");
        // Not a type the file defines itself.
        let defined = "from \n\nclass Decoy:\n    pass\n\nDecoy()\n";
        assert!(!snippets(defined).contains("class Decoy:"));
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
    fn a_module_offers_first_the_name_being_imported_then_its_public_names() {
        let privates: String = (0..40)
            .map(|i| format!("def _helper_{i}(first, second):\n    pass\n\n"))
            .collect();
        let models = format!("{privates}def public_one(x):\n    pass\n\nclass Target:\n    pass\n");
        let (root, index) = indexed("offer", &[("app/models.py", &models)]);
        let offered = |text: &str| {
            let request = request(text, text.trim_end_matches('\n'), 128, Some(&index));
            let all: Vec<String> = request.snippets.into_iter().map(|s| s.text).collect();
            all.join("\n")
        };
        // `from app.models import Target |` goes on with `as Target`.
        assert!(offered("from app.models import Target \n").contains("class Target:"));
        // Another module's private names are rarely what is imported.
        let public = offered("from app.models import \n");
        assert!(public.contains("def public_one(x):"), "{public}");
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn in_a_sorted_import_list_the_names_that_sort_between_the_neighbours_come_first() {
        let helpers: String = (0..80)
            .map(|i| format!("def helper_{i:02}(first, second):\n    pass\n\n"))
            .collect();
        let rust: String = (0..80)
            .map(|i| format!("pub struct Item{i:02};\n"))
            .collect();
        let (root, index) = indexed(
            "sorted",
            &[("pkg/_collections.py", &helpers), ("src/items.rs", &rust)],
        );
        let cases = [
            (
                "pkg/__init__.py",
                "from ._collections import helper_40 as helper_40\nfrom ._collections import |\nfrom ._collections import helper_42 as helper_42\n",
                "def helper_41(first, second):",
            ),
            (
                "src/lib.rs",
                "pub use crate::items::{\n    Item40,\n    |\n    Item42,\n};\n",
                "pub struct Item41;",
            ),
        ];
        for (path, text, wanted) in cases {
            let cursor = text.find('|').unwrap();
            let text = text.replace('|', "");
            let language = if path.ends_with(".rs") {
                Language::Rust
            } else {
                Language::Python
            };
            let tree = language.parse_str(&text).unwrap();
            let request = build(&Input {
                language,
                path,
                text: &text,
                tree: &tree,
                facts: &FileFacts::extract(language, &text, &tree),
                offset: cursor,
                budget_tokens: 128,
                tokens: None,
                index: Some(&index),
                recent: &[],
            });
            let all: Vec<&str> = request.snippets.iter().map(|s| s.text.as_str()).collect();
            assert!(all.join("\n").contains(wanted), "{path}: {all:?}");
        }
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_new_import_among_others_brings_what_their_modules_offer() {
        let (root, index) = indexed(
            "neighbours",
            &[
                (
                    "app/models.py",
                    "class User:\n    pass\n\nclass Order:\n    pass\n\ndef find_user(db):\n    pass\n",
                ),
                ("app/other.py", "def unrelated():\n    pass\n"),
            ],
        );
        let imports = "from app.models import User\n|\nfrom app.other import unrelated\n";
        let body = "from app.models import User\n\ndef f():\n    |\n    return 1\n";
        for (text, offered) in [
            // An empty line in a run of imports, or one whose module is not written yet.
            (imports, true),
            (imports.replace('|', "from |").as_str(), true),
            // An empty line in a body is not an import.
            (body, false),
        ] {
            let cursor = text.find('|').unwrap();
            let text = text.replace('|', "");
            let request = request(&text, &text[..cursor], 2048, Some(&index));
            let all: Vec<&str> = request.snippets.iter().map(|s| s.text.as_str()).collect();
            assert_eq!(
                all.join("\n").contains("class Order:"),
                offered,
                "{text:?}: {all:?}"
            );
        }
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_rust_use_being_written_brings_what_the_module_offers() {
        let root = std::env::temp_dir().join(format!("keel-use-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("src/db")).unwrap();
        std::fs::write(
            root.join("src/lib.rs"),
            "pub mod db;\npub fn root_item() {}\n",
        )
        .unwrap();
        std::fs::write(
            root.join("src/db/mod.rs"),
            "pub mod query;\npub use self::query::run_query;\npub struct Pool;\npub fn connect() -> Pool { Pool }\n",
        )
        .unwrap();
        std::fs::write(root.join("src/db/query.rs"), "pub fn run_query() {}\n").unwrap();
        std::fs::write(
            root.join("src/db/extra.rs"),
            "pub struct Thing;\npub fn extra_item() {}\n",
        )
        .unwrap();
        std::fs::write(root.join("src/other.rs"), "pub fn unrelated() {}\n").unwrap();
        let index = Index::new();
        index.configure(vec![root.clone()], &[]).unwrap();
        index.build(&|_| {}).unwrap();
        let offered = |path: &str, text: &str| {
            let offset = text.find('|').unwrap();
            let text = &text.replace('|', "");
            let tree = Language::Rust.parse_str(text).unwrap();
            let request = build(&Input {
                language: Language::Rust,
                path,
                text,
                tree: &tree,
                facts: &FileFacts::extract(Language::Rust, text, &tree),
                offset,
                budget_tokens: 2048,
                tokens: None,
                index: Some(&index),
                recent: &[],
            });
            let all: Vec<String> = request.snippets.into_iter().map(|s| s.text).collect();
            all.join("\n")
        };
        for (path, text) in [
            ("src/main.rs", "use crate::db::|\n\nuse std::io;\n"),
            ("src/main.rs", "use crate::db::{Pool, |};\n"),
            (
                "src/main.rs",
                "pub(crate) use crate::{other, db::{\n    |\n}};\n",
            ),
            ("src/db/query.rs", "use super::|\nfn f() {}\n"),
            ("src/db/query.rs", "use self::super::con|\n"),
            ("src/main.rs", "use crate::db;\nfn f() {\n    db::|\n}\n"),
        ] {
            let joined = offered(path, text);
            assert!(joined.contains("pub struct Pool"), "{text:?}: {joined}");
            assert!(
                joined.contains("pub fn connect() -> Pool"),
                "{text:?}: {joined}"
            );
            assert!(!joined.contains("unrelated()"), "{text:?}: {joined}");
        }
        // What a module re-exports is part of what it offers.
        let joined = offered("src/main.rs", "use crate::db::|\n");
        assert!(joined.contains("pub fn run_query()"), "{joined}");
        // `super` of a module's `mod.rs` is the crate root.
        let joined = offered("src/db/mod.rs", "use super::|\n");
        assert!(joined.contains("pub fn root_item()"), "{joined}");
        assert!(!joined.contains("pub struct Pool"), "{joined}");
        // A new line among a `mod.rs`'s re-exports: what its submodules that no top-level
        // `use` names yet offer (a nested module's `use` does not count).
        let reexports = "pub mod extra;\npub use self::other::X;\n|\npub use self::other::Y;\nmod inner {\n    pub use super::extra::Thing;\n}\n";
        let joined = offered("src/db/mod.rs", reexports);
        assert!(joined.contains("pub fn extra_item()"), "{joined}");
        let named = "pub mod extra;\npub use self::extra::Thing;\npub use self::other::X;\n|\npub use self::other::Y;\n";
        let joined = offered("src/db/mod.rs", named);
        assert!(!joined.contains("pub fn extra_item()"), "{joined}");
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_type_in_play_brings_its_methods() {
        let root = std::env::temp_dir().join(format!("keel-members-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("src")).unwrap();
        std::fs::write(
            root.join("src/task.rs"),
            "pub struct JoinHandle {\n    id: u64,\n}\n\nimpl JoinHandle {\n    pub fn abort(&self) {\n        todo!()\n    }\n\n    pub fn is_finished(\n        &self,\n    ) -> bool {\n        false\n    }\n}\n",
        )
        .unwrap();
        std::fs::write(
            root.join("src/models.py"),
            "class User:\n    table = 'users'\n\n    def __init__(self, name):\n        self.name = name\n\n    def __repr__(self):\n        return self.name\n\n    def save(self, db):\n        db.add(self)\n",
        )
        .unwrap();
        let index = Index::new();
        index.configure(vec![root.clone()], &[]).unwrap();
        index.build(&|_| {}).unwrap();
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

    #[test]
    fn any_offset_of_any_text_is_safe() {
        let text = "def é(x):\n    return \"ü\" + x\n";
        let tree = Language::Python.parse_str(text).unwrap();
        let facts = FileFacts::extract(Language::Python, text, &tree);
        let per_byte = TokenCounter::new(|request| Some(rendered(request).len()));
        for offset in 0..=text.len() + 3 {
            for budget in [0, 1, 5, 2048] {
                for tokens in [None, Some(&per_byte)] {
                    build(&Input {
                        language: Language::Python,
                        path: "a.py",
                        text,
                        tree: &tree,
                        facts: &facts,
                        offset,
                        budget_tokens: budget,
                        tokens,
                        index: None,
                        recent: &[],
                    });
                }
                prefix_suffix_only(text, offset, budget as usize * BYTES_PER_TOKEN);
            }
        }
    }
}
