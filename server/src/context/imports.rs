//! Import statements and the modules they name: what an import line being written is for
//! (the module it takes names from, the modules of the imports around it, the module whose
//! member is being typed), and the files a module as written may be (Python dotted and
//! relative modules, Rust `crate::`, `self::` and `super::` paths). The statement being
//! typed rarely parses, so most of this reads the text as written.

use tree_sitter::Node;

use super::build::Input;
use crate::syntax::Language;

/// The files that may hold `module`, as an import in this file names it.
pub(super) fn module_paths(input: &Input, module: &str) -> Vec<String> {
    match input.language {
        Language::Rust => rust_module_paths(input.path, module),
        Language::Python => {
            python_module_files(input.path, module).unwrap_or_else(|| python_file_endings(module))
        }
    }
}

/// The modules named by the nearest import statement above the cursor's line and the
/// nearest below it (`from .engine import Engine` -> `.engine`, `use crate::db::{Pool};` ->
/// `crate::db`), each once.
pub(super) fn neighbouring_modules(input: &Input, offset: usize) -> Vec<String> {
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
pub(super) fn unused_submodules(input: &Input) -> Vec<String> {
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
pub(super) fn neighbouring_names(text: &str, offset: usize) -> (Option<String>, Option<String>) {
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
pub(super) fn module_before_cursor(input: &Input, offset: usize) -> Option<String> {
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
                names
                    .split(',')
                    .map(bound)
                    .find_map(|(name, alias)| (alias == receiver).then(|| submodule(module, &name)))
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
pub(super) fn importing_from(input: &Input, offset: usize) -> Option<String> {
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
        return rust_module_files(module);
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
    let root = input.tree.root_node();
    root.descendant_for_byte_range(offset.saturating_sub(1), offset)
        .into_iter()
        .flat_map(|node| crate::syntax::ancestors(root, node))
        .find(|node| {
            matches!(
                node.kind(),
                "import_from_statement" | "import_statement" | "use_declaration"
            )
        })
}

/// Whether `offset` is in an import statement, on a line starting one that does not
/// parse yet, or on an empty line between two imports (a new one being started).
pub(super) fn in_import(input: &Input, offset: usize) -> bool {
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
pub(super) fn line_start(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .and_then(|head| head.rfind('\n'))
        .map_or(0, |at| at + 1)
}

/// The cursor's line up to `offset`, without its indentation.
fn typed_on_line(text: &str, offset: usize) -> &str {
    let head = text.get(..offset).unwrap_or("");
    head.rsplit('\n').next().unwrap_or(head).trim_start()
}

/// The files that may hold the Python module `module`, as an import in the file at display
/// path `path` writes it: a relative module resolved against `path` (`.base` in
/// `pkg/sub/x.py` -> `pkg/sub/base.py`, `..` -> `pkg/__init__.py`), another by its dotted
/// path wherever it is (`app.models` -> `app/models.py`); `None` when the dots climb above
/// the workspace.
pub(super) fn python_module_files(path: &str, module: &str) -> Option<Vec<String>> {
    if !module.starts_with('.') {
        return Some(python_file_endings(module));
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

/// The files that may hold `name` of `from module import name` written in the file at
/// display path `path`, should `name` be a module (`from .. import util` in `pkg/sub/x.py`
/// -> `pkg/util.py`, `pkg/util/__init__.py`); `None` when the dots climb above the
/// workspace.
pub fn python_submodule_files(path: &str, module: &str, name: &str) -> Option<Vec<String>> {
    python_module_files(path, &submodule(module, name))
}

/// The module `name` inside `module` (`app.models`, `..util` after `..`).
fn submodule(module: &str, name: &str) -> String {
    if module.ends_with('.') {
        format!("{module}{name}")
    } else {
        format!("{module}.{name}")
    }
}

/// The path parts of the Python module an import in the file at display path `path`
/// names: `.base` in `pkg/sub/x.py` -> `pkg/sub/base`, `..` -> `pkg`, `app.models` ->
/// `app/models`; `None` when the dots climb above the workspace.
fn module_parts<'a>(path: &'a str, module: &'a str) -> Option<Vec<&'a str>> {
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

/// Path endings of the files the modules imports name, found wherever they are in the
/// workspace (`app.models` -> `app/models.py`, `use crate::db::Pool;` -> `db.rs`): what a
/// file's imports name without knowing the file's own path.
pub(super) fn import_file_endings(language: Language, modules: &[&str]) -> Vec<String> {
    let mut files = Vec::new();
    for module in modules {
        match language {
            Language::Python => files.extend(python_file_endings(module)),
            Language::Rust => {
                let path = module.split('{').next().unwrap_or("").trim_end_matches(':');
                let path = match path.rsplit_once("::") {
                    // The last segment is the item itself.
                    Some((module_path, _)) if !module.contains('{') => module_path,
                    _ => path,
                };
                files.extend(rust_module_files(path));
            }
        }
    }
    files
}

/// The path endings of the Python module `module` by its dotted path, leading dots dropped
/// (`app.models` -> `app/models.py`, `app/models/__init__.py`).
fn python_file_endings(module: &str) -> Vec<String> {
    let dotted = module.trim_start_matches('.').replace('.', "/");
    if dotted.is_empty() {
        return Vec::new();
    }
    vec![format!("{dotted}.py"), format!("{dotted}/__init__.py")]
}

/// The file endings that may hold the Rust module `path` (`crate::db::pool` -> `pool.rs`,
/// `pool/mod.rs`); none when it names no module by name (`crate`, `super`).
fn rust_module_files(path: &str) -> Vec<String> {
    let last = path
        .split("::")
        .map(str::trim)
        .filter(|s| !s.is_empty() && !matches!(*s, "crate" | "self" | "super"))
        .last();
    match last {
        Some(last) => vec![format!("{last}.rs"), format!("{last}/mod.rs")],
        None => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use crate::context::build::{Input, build};
    use crate::context::facts::FileFacts;
    use crate::context::rank::LINES_AFTER;
    use crate::context::testing::{indexed, request};
    use crate::syntax::Language;

    #[test]
    fn an_import_being_written_brings_what_the_module_offers() {
        let (root, index) = indexed(
            "import",
            &[
                (
                    "app/models.py",
                    "class User:\n    name = 1\n\ndef find_user(db, email):\n    pass\n",
                ),
                ("app/other.py", "def unrelated():\n    pass\n"),
                // A package that re-exports its modules' names.
                (
                    "app/__init__.py",
                    "from .models import User as User\nfrom .models import find_user\n",
                ),
                ("lib/models.py", "class Decoy:\n    pass\n"),
            ],
        );
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
        let (root, index) = indexed(
            "use",
            &[
                ("src/lib.rs", "pub mod db;\npub fn root_item() {}\n"),
                (
                    "src/db/mod.rs",
                    "pub mod query;\npub use self::query::run_query;\npub struct Pool;\npub fn connect() -> Pool { Pool }\n",
                ),
                ("src/db/query.rs", "pub fn run_query() {}\n"),
                (
                    "src/db/extra.rs",
                    "pub struct Thing;\npub fn extra_item() {}\n",
                ),
                ("src/other.rs", "pub fn unrelated() {}\n"),
            ],
        );
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
}
