//! What the context builder needs from the whole current file (its definitions, imports
//! and the modules they name), computed once per document version instead of once per
//! completion: on a 20,000-line file the two whole-file queries cost tens of milliseconds,
//! which a request at every pause in typing cannot afford.

use foldhash::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use streaming_iterator::StreamingIterator;
use tree_sitter::{Node, QueryCursor, QueryCursorOptions, QueryCursorState, Tree};

use super::imports;
use super::queries;
use super::stdlib;
use super::symbols::{self, Symbol};
use crate::syntax::Language;

/// One import statement of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    pub start_byte: usize,
    /// The statement as written, shown to the model as it is.
    pub text: String,
    /// The identifiers it mentions, in order: names the file is likely to use next.
    pub names: Vec<String>,
}

/// The whole-file part of a completion's context.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileFacts {
    /// In the order they start in the file.
    pub symbols: Vec<Symbol>,
    /// What the model is shown of each of `symbols` (`Symbol::render`), made once per
    /// version: a completion offers a hundred of them, and most are never sent.
    pub rendered: Vec<String>,
    pub imports: Vec<Import>,
    /// Path endings of the files the imports name (`app.models` -> `app/models.py`).
    /// Shared: the index knows a list it resolved before by its address.
    pub module_files: Arc<[String]>,
    /// Every identifier-like word of the file: what an import line ranks a module's
    /// definitions by (an import is mostly written for names the file already uses).
    pub words: HashSet<String>,
    /// The capitalised words (types, mostly), each once, in the order they first appear:
    /// what an import line whose module is not written yet may be for.
    pub capitalized: Vec<String>,
    /// Every name the imports bring in (and the identifiers of their module paths): what an
    /// import line being written is not for.
    pub imported: HashSet<String>,
    /// The names imports bring in from the standard library (`Arc` of `use
    /// std::sync::Arc;`, `Any` of `from typing import Any`): not the workspace's.
    pub foreign: HashSet<String>,
    /// Python relative modules as written (`..`, `.sql.schema`): resolved against the
    /// file's own path, which the facts do not know.
    pub relative_modules: Vec<String>,
    /// Indexes into `symbols` by name.
    by_name: HashMap<String, Vec<usize>>,
    /// The file nests deeper than `syntax::MAX_QUERY_DEPTH`: no query runs over it, so a
    /// prompt has only the text around the cursor.
    pub too_deep: bool,
}

impl FileFacts {
    /// Runs the language's symbol and context queries over the whole of `text`.
    pub fn extract(language: Language, text: &str, tree: &Tree) -> FileFacts {
        if crate::syntax::too_deep_for_queries(tree) {
            return FileFacts {
                too_deep: true,
                ..FileFacts::default()
            };
        }
        let mut symbols = symbols::extract(language, text, tree);
        symbols.sort_by_key(|symbol| symbol.start_byte);
        let rendered = symbols
            .iter()
            .map(|symbol| symbol.render(Some(language)))
            .collect();
        let mut facts = FileFacts {
            symbols,
            rendered,
            ..FileFacts::default()
        };
        let Some(queries) = queries::for_language(language) else {
            return facts;
        };
        let context = &queries.context;
        let names = context.capture_names();
        let mut modules = Vec::new();
        let mut cursor = QueryCursor::new();
        let budget = crate::syntax::QueryBudget::start();
        let mut within_budget = |state: &QueryCursorState| budget.check(state);
        let mut matches = cursor.matches_with_options(
            context,
            tree.root_node(),
            text.as_bytes(),
            QueryCursorOptions::new().progress_callback(&mut within_budget),
        );
        while let Some(found) = matches.next() {
            for capture in found.captures() {
                let node = capture.node;
                match names.get(capture.index as usize).copied() {
                    Some("import") => {
                        facts
                            .imports
                            .extend(text.get(node.byte_range()).map(|statement| Import {
                                start_byte: node.start_byte(),
                                text: statement.to_string(),
                                names: identifiers(node, text),
                            }))
                    }
                    Some("module") => modules.extend(text.get(node.byte_range())),
                    _ => {}
                }
            }
        }
        facts.imports.dedup_by_key(|import| import.start_byte);
        facts.imported = facts
            .imports
            .iter()
            .flat_map(|import| import.names.iter().cloned())
            .collect();
        facts.foreign = facts
            .imports
            .iter()
            .filter(|import| stdlib::is_standard_import(language, &import.text))
            .flat_map(|import| import.names.iter().cloned())
            .collect();
        facts.module_files = imports::import_file_endings(language, &modules).into();
        if language == Language::Python {
            facts.relative_modules = modules
                .iter()
                .filter(|module| module.starts_with('.'))
                .map(|module| module.to_string())
                .collect();
        }
        let words = text
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .filter(|word| !word.is_empty());
        for word in words {
            if !facts.words.contains(word) {
                if word.starts_with(|c: char| c.is_ascii_uppercase()) {
                    facts.capitalized.push(word.to_string());
                }
                facts.words.insert(word.to_string());
            }
        }
        for (at, symbol) in facts.symbols.iter().enumerate() {
            facts
                .by_name
                .entry(symbol.name.clone())
                .or_default()
                .push(at);
        }
        facts
    }

    /// The file's definitions of `name`.
    pub fn named<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a Symbol> + 'a {
        self.named_rendered(name).map(|(symbol, _)| symbol)
    }

    /// The file's definitions of `name`, each with what the model is shown of it.
    pub fn named_rendered<'a>(
        &'a self,
        name: &str,
    ) -> impl Iterator<Item = (&'a Symbol, &'a str)> + 'a {
        let found = self.by_name.get(name).map_or(&[][..], Vec::as_slice);
        found.iter().filter_map(|at| self.symbol_at(*at))
    }

    /// The `at`th definition of the file, with what the model is shown of it.
    pub fn symbol_at(&self, at: usize) -> Option<(&Symbol, &str)> {
        Some((self.symbols.get(at)?, self.rendered.get(at)?))
    }
}

/// The identifiers under `node`, in order.
fn identifiers(node: Node, text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![node];
    while let Some(node) = stack.pop() {
        if matches!(node.kind(), "identifier" | "type_identifier") {
            found.extend(text.get(node.byte_range()).map(str::to_string));
            continue;
        }
        let mut walker = node.walk();
        let children: Vec<Node> = node.children(&mut walker).collect();
        stack.extend(children.into_iter().rev());
    }
    found
}

/// The latest facts of each open document, by document name (its URI).
///
/// A request takes what is there even when the document has changed since: edits move
/// definitions by a few bytes, which only blurs the ranking (is a definition already in
/// the window?), while recomputing costs far more than the rest of the request. The editor
/// integration refreshes a document's facts when its edits pause; a document seen for the
/// first time is computed on the spot.
#[derive(Default)]
pub struct FactsCache {
    entries: Mutex<HashMap<String, (i32, Arc<FileFacts>)>>,
}

impl FactsCache {
    /// The facts to use for `name` at `version`, computing them only when there are none.
    pub fn get_or_extract(
        &self,
        name: &str,
        version: i32,
        language: Language,
        text: &str,
        tree: &Tree,
    ) -> Arc<FileFacts> {
        if let Some((_, facts)) = self.entries.lock().ok().and_then(|e| e.get(name).cloned()) {
            return facts;
        }
        self.refresh(name, version, language, text, tree)
    }

    /// Whether facts of `name` (of any version) are stored: `get_or_extract` is then a
    /// lookup, not a scan of the whole file.
    pub fn has(&self, name: &str) -> bool {
        self.entries
            .lock()
            .is_ok_and(|entries| entries.contains_key(name))
    }

    /// Recomputes the facts of `name` at `version`, unless newer ones are already stored.
    pub fn refresh(
        &self,
        name: &str,
        version: i32,
        language: Language,
        text: &str,
        tree: &Tree,
    ) -> Arc<FileFacts> {
        let facts = Arc::new(FileFacts::extract(language, text, tree));
        if let Ok(mut entries) = self.entries.lock() {
            let newer = entries
                .get(name)
                .is_some_and(|(stored, _)| *stored > version);
            if !newer {
                entries.insert(name.to_string(), (version, facts.clone()));
            }
        }
        facts
    }

    pub fn forget(&self, name: &str) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(name);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(language: Language, text: &str) -> FileFacts {
        let tree = language.parse_str(text).unwrap();
        FileFacts::extract(language, text, &tree)
    }

    #[test]
    fn imports_their_names_and_module_files() {
        let found = facts(
            Language::Python,
            "import os.path\nfrom .models import User, Order as O\n\ndef f():\n    import json\n",
        );
        let statements: Vec<&str> = found.imports.iter().map(|i| i.text.as_str()).collect();
        assert_eq!(
            statements,
            [
                "import os.path",
                "from .models import User, Order as O",
                "import json"
            ]
        );
        assert_eq!(found.imports[1].names, ["models", "User", "Order", "O"]);
        assert!(found.module_files.contains(&"models.py".to_string()));
        assert!(
            found
                .module_files
                .contains(&"os/path/__init__.py".to_string())
        );
        assert_eq!(found.named("f").count(), 1);
        assert_eq!(found.named("g").count(), 0);

        let rust = facts(
            Language::Rust,
            "use crate::db::{Pool, query};\nuse std::sync::Arc;\n",
        );
        assert!(rust.module_files.contains(&"db.rs".to_string()));
        assert!(rust.module_files.contains(&"sync/mod.rs".to_string()));
    }

    #[test]
    fn a_stale_entry_is_served_until_refreshed_and_never_replaced_by_an_older_one() {
        let cache = FactsCache::default();
        let old = "def old():\n    pass\n";
        let new = "def new():\n    pass\n";
        let tree = |text: &str| Language::Python.parse_str(text).unwrap();
        let first = cache.get_or_extract("a", 1, Language::Python, old, &tree(old));
        assert_eq!(first.symbols[0].name, "old");
        // Version 2 is not computed on the request path while version 1 is there.
        let served = cache.get_or_extract("a", 2, Language::Python, new, &tree(new));
        assert_eq!(served.symbols[0].name, "old");
        cache.refresh("a", 2, Language::Python, new, &tree(new));
        // A late refresh of an older version does not win.
        cache.refresh("a", 1, Language::Python, old, &tree(old));
        let served = cache.get_or_extract("a", 2, Language::Python, new, &tree(new));
        assert_eq!(served.symbols[0].name, "new");
        // Once forgotten, the next request computes from the text it is given.
        cache.forget("a");
        let served = cache.get_or_extract("a", 2, Language::Python, old, &tree(old));
        assert_eq!(served.symbols[0].name, "old");
    }
}
