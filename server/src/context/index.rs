//! The workspace index: name -> definitions (file, lines, signature, doc) for every Rust and
//! Python file of the workspace folders. Compact on purpose: it keeps signatures and docs,
//! never file text, so its memory follows the number of symbols.

use foldhash::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use globset::GlobSet;

use super::symbols::{self, Symbol};
use crate::syntax::Language;
use crate::workspace::walk::{self, Entry, Walk};

/// One definition somewhere in the workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Definition {
    /// The path shown to the model: relative to its workspace folder.
    pub path: Arc<str>,
    pub language: Language,
    pub kind: Box<str>,
    /// 0-based lines, inclusive.
    pub start_line: u32,
    pub end_line: u32,
    pub signature: Box<str>,
    pub doc: Option<Box<str>>,
}

impl Definition {
    fn new(path: &Arc<str>, language: Language, symbol: Symbol) -> Definition {
        Definition {
            path: path.clone(),
            language,
            kind: symbol.kind.into(),
            start_line: symbol.start_line,
            end_line: symbol.end_line,
            signature: symbol.signature.into(),
            doc: symbol.doc.map(Into::into),
        }
    }

    /// The text shown to a model (same form as a same-file `Symbol`).
    pub fn render(&self) -> String {
        let symbol = Symbol {
            name: String::new(),
            kind: String::new(),
            start_byte: 0,
            end_byte: 0,
            start_line: self.start_line,
            end_line: self.end_line,
            signature: self.signature.to_string(),
            doc: self.doc.as_deref().map(str::to_string),
        };
        symbol.render(Some(self.language))
    }
}

/// What one build of the index did.
#[derive(Debug, Clone, Default)]
pub struct BuildStats {
    pub files: usize,
    pub symbols: usize,
    pub skipped: usize,
    pub failed: usize,
    pub elapsed: Duration,
}

#[derive(Default)]
struct Inner {
    by_name: HashMap<Box<str>, Vec<Arc<Definition>>>,
    /// Each file's definitions and re-exports, so its entries can be replaced.
    by_file: HashMap<PathBuf, IndexedFile>,
    /// The file each display path names, to find a definition's file without a scan.
    by_display: HashMap<Arc<str>, PathBuf>,
    /// Display paths by `file_key`, to resolve imports without a scan.
    by_file_key: HashMap<Box<str>, Vec<Arc<str>>>,
    /// The display paths of the files that re-export each name, so a request asks about
    /// the few names it needs instead of gathering everything its imports re-export.
    reexported_by: HashMap<Box<str>, Vec<Arc<str>>>,
    /// Bumped by every change, so resolved imports know when they are out of date.
    generation: u64,
    symbols: usize,
}

/// The index of some workspace folders. Shared (`Arc`) between the indexer and readers;
/// every method takes the lock only briefly.
#[derive(Default)]
pub struct Index {
    inner: RwLock<Inner>,
    roots: RwLock<Vec<PathBuf>>,
    exclude: RwLock<Option<GlobSet>>,
    /// The last few `files_ending_with` answers: a file's imports are resolved once, not
    /// on every completion (a file can import hundreds of modules).
    resolved: Mutex<Vec<ResolvedImports>>,
}

/// Import endings resolved to indexed files, at one generation of the index.
struct ResolvedImports {
    /// The very list asked with, kept alive here: the same list again is known by its
    /// address, without comparing its hundreds of strings (cold in memory by then).
    endings: Arc<[String]>,
    more: Vec<String>,
    generation: u64,
    files: Arc<ImportedFiles>,
}

/// The indexed files a document's imports name.
#[derive(Debug, Default)]
pub struct ImportedFiles {
    /// Their display paths: the very `Arc`s the index's definitions of them hold.
    pub files: HashSet<Arc<str>>,
    /// The same, by address. Asked for each of a common name's thousand definitions on
    /// every completion, where hashing and comparing the paths themselves was the cost.
    addresses: HashSet<usize>,
    /// What was picked for a name asked from a file, by file then name (see `picked`).
    picked: Mutex<HashMap<Box<str>, PickedByName>>,
}

type PickedByName = HashMap<Box<str>, Picked>;

/// Definitions picked for a name, each with the text shown to the model, and how many of
/// the first count as imported (see `context::rank`).
pub type Picked = Arc<(Vec<(Arc<Definition>, String)>, usize)>;

/// Names remembered per set of imported files before the memory starts again.
const PICKED_KEPT: usize = 4096;

impl ImportedFiles {
    pub fn new(files: HashSet<Arc<str>>) -> ImportedFiles {
        let addresses = files.iter().map(address).collect();
        ImportedFiles {
            files,
            addresses,
            picked: Mutex::default(),
        }
    }

    /// `pick`'s answer for `name` asked from the file `from`, remembered: a set of imported
    /// files stands for one state of the index and of a document's imports, and
    /// completions in a file ask for the same names again and again.
    pub fn picked(&self, from: &str, name: &str, pick: impl FnOnce() -> Picked) -> Picked {
        let lock = || {
            self.picked
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
        };
        if let Some(hit) = lock().get(from).and_then(|names| names.get(name)) {
            return hit.clone();
        }
        // Picked unlocked: two requests may both pick a name, never wait on each other.
        let picked = pick();
        let mut memory = lock();
        if memory.values().map(HashMap::len).sum::<usize>() >= PICKED_KEPT {
            memory.clear();
        }
        memory
            .entry(from.into())
            .or_default()
            .insert(name.into(), picked.clone());
        picked
    }

    pub fn contains(&self, display: &str) -> bool {
        self.files.contains(display)
    }

    /// Whether `definition` is in one of the files: by identity, no string compared.
    pub fn holds(&self, definition: &Definition) -> bool {
        self.addresses.contains(&address(&definition.path))
    }
}

/// Where a display path lives: each indexed file's path is one `Arc` shared by its
/// definitions (the index removes a file's definitions by it too).
fn address(path: &Arc<str>) -> usize {
    Arc::as_ptr(path).cast::<u8>() as usize
}

/// How many sets of resolved imports are kept: one per recently completed-in document.
const RESOLVED_KEPT: usize = 8;

impl Index {
    pub fn new() -> Index {
        Index::default()
    }

    /// Sets the folders and the exclude globs (`privacy.exclude`) that later updates obey.
    pub fn configure(&self, roots: Vec<PathBuf>, exclude: &[String]) -> Result<(), String> {
        let set = walk::exclude_set(exclude)?;
        if let Ok(mut slot) = self.exclude.write() {
            *slot = Some(set);
        }
        if let Ok(mut slot) = self.roots.write() {
            *slot = roots;
        }
        Ok(())
    }

    /// The name the model sees for `path`: relative to its workspace folder.
    pub fn display_path(&self, path: &Path) -> String {
        let roots = self.roots.read().map(|r| r.clone()).unwrap_or_default();
        display_path(&roots, path)
    }

    /// Whether `path` is one the index (and the context) must never read.
    pub fn is_excluded(&self, path: &Path) -> bool {
        let roots = self.roots.read().map(|r| r.clone()).unwrap_or_default();
        match self.exclude.read() {
            Ok(exclude) => exclude
                .as_ref()
                .is_some_and(|set| walk::is_excluded(set, &roots, path)),
            // A poisoned lock must not open the door to secrets.
            Err(_) => true,
        }
    }

    /// Indexes every file of the configured folders, in parallel on the walker's threads
    /// (call it off the LSP task). `progress` gets the number of files done so far, now
    /// and then. Replaces what the index held for those files.
    pub fn build(&self, progress: &(dyn Fn(usize) + Sync)) -> Result<BuildStats, String> {
        let started = Instant::now();
        let roots = self.roots.read().map(|r| r.clone()).unwrap_or_default();
        let globs = self.exclude.read().ok().and_then(|set| set.clone());
        let mut walk = Walk::new(roots.clone()).select(|path| Language::from_path(path).is_some());
        if let Some(set) = globs {
            walk = walk.exclude_set(set);
        }
        let done = AtomicUsize::new(0);
        let skipped = AtomicUsize::new(0);
        let failed = AtomicUsize::new(0);
        let parsed: Mutex<Vec<(PathBuf, Option<IndexedFile>)>> = Mutex::new(Vec::new());
        walk.run(|entry| match entry {
            Entry::File { path, text } => {
                let indexed = index_file(&roots, &path, &text);
                if let Ok(mut parsed) = parsed.lock() {
                    parsed.push((path, indexed));
                }
                let count = done.fetch_add(1, Ordering::Relaxed) + 1;
                if count.is_multiple_of(200) {
                    progress(count);
                }
            }
            Entry::Skipped { .. } => {
                skipped.fetch_add(1, Ordering::Relaxed);
            }
            Entry::Failed { message, .. } => {
                tracing::debug!("index: {message}");
                failed.fetch_add(1, Ordering::Relaxed);
            }
        });
        let parsed = parsed.into_inner().unwrap_or_default();
        let files = parsed.len();
        for (path, indexed) in parsed {
            self.replace(path, indexed);
        }
        Ok(BuildStats {
            files,
            symbols: self.symbol_count(),
            skipped: skipped.into_inner(),
            failed: failed.into_inner(),
            elapsed: started.elapsed(),
        })
    }

    /// Re-indexes one file from `text` (an open document or a saved file). Excluded and
    /// unknown-language files are dropped from the index instead.
    pub fn update_file(&self, path: &Path, text: &str) {
        if self.is_excluded(path) || Language::from_path(path).is_none() {
            self.remove_file(path);
            return;
        }
        let roots = self.roots.read().map(|r| r.clone()).unwrap_or_default();
        let indexed = index_file(&roots, path, text);
        self.replace(path.to_path_buf(), indexed);
    }

    /// Re-reads one file from disk; a file that is gone (or unreadable) leaves the index.
    pub fn refresh_from_disk(&self, path: &Path) {
        let too_large = std::fs::metadata(path)
            .map(|m| m.len() > walk::DEFAULT_MAX_FILE_SIZE)
            .unwrap_or(true);
        match std::fs::read_to_string(path) {
            Ok(text) if !too_large && !text.contains('\0') => self.update_file(path, &text),
            _ => self.remove_file(path),
        }
    }

    pub fn remove_file(&self, path: &Path) {
        self.replace(path.to_path_buf(), None);
    }

    /// Every definition of `name`.
    pub fn lookup(&self, name: &str) -> Vec<Arc<Definition>> {
        self.lookup_with(name, <[_]>::to_vec)
    }

    /// `read` of every definition of `name`, without copying the list: a common name has
    /// a thousand, looked up on every completion. The index is locked for reading meanwhile.
    pub fn lookup_with<R>(&self, name: &str, read: impl FnOnce(&[Arc<Definition>]) -> R) -> R {
        let inner = self.inner.read().ok();
        let definitions = inner
            .as_ref()
            .and_then(|inner| inner.by_name.get(name))
            .map_or(&[][..], Vec::as_slice);
        read(definitions)
    }

    /// The definitions of the files whose display path ends with one of `endings` (at a
    /// `/`), in file order, with their names, then the names those files re-export (a
    /// package's `from .engine import Engine as Engine`, a module's `pub use`) with where
    /// they are defined: what a module offers to an import of it.
    pub fn definitions_in(&self, endings: &[String]) -> Vec<(Box<str>, Arc<Definition>)> {
        let Ok(inner) = self.inner.read() else {
            return Vec::new();
        };
        let mut files: Vec<&IndexedFile> = inner
            .by_file
            .values()
            .filter(|file| {
                endings
                    .iter()
                    .any(|ending| ends_at_segment(&file.display, ending))
            })
            .collect();
        files.sort_by(|a, b| a.display.cmp(&b.display));
        let mut found: Vec<(Box<str>, Arc<Definition>)> = files
            .iter()
            .flat_map(|file| file.definitions.iter().cloned())
            .collect();
        let defined: HashSet<&str> = found.iter().map(|(name, _)| &**name).collect();
        let mut reexported: Vec<(Box<str>, Arc<Definition>)> = Vec::new();
        for file in &files {
            for name in file
                .reexports
                .iter()
                .filter(|name| !defined.contains(&***name))
            {
                let elsewhere = inner.by_name.get(name).into_iter().flatten().find(|d| {
                    d.language == file.language && !matches!(&*d.kind, "field" | "variant")
                });
                if let Some(definition) = elsewhere {
                    reexported.push((name.clone(), definition.clone()));
                }
            }
        }
        found.sort_by(|(_, a), (_, b)| (&a.path, a.start_line).cmp(&(&b.path, b.start_line)));
        found.extend(reexported);
        found
    }

    /// The definitions inside `container` (a class's methods and attributes, an impl
    /// block's functions), in file order.
    pub fn members(&self, container: &Definition) -> Vec<(Box<str>, Arc<Definition>)> {
        let Ok(inner) = self.inner.read() else {
            return Vec::new();
        };
        let Some(file) = inner
            .by_display
            .get(&container.path)
            .and_then(|path| inner.by_file.get(path))
        else {
            return Vec::new();
        };
        // Definitions are sorted by their first line: the members start inside.
        let definitions = &file.definitions;
        let first = definitions.partition_point(|(_, d)| d.start_line <= container.start_line);
        let end = definitions.partition_point(|(_, d)| d.start_line <= container.end_line);
        definitions[first..end.max(first)]
            .iter()
            .filter(|(_, definition)| definition.end_line <= container.end_line)
            .cloned()
            .collect()
    }

    /// The display paths of the indexed files that end with one of `endings` (at a `/`).
    pub fn files_ending_with(&self, endings: &[String]) -> Arc<ImportedFiles> {
        self.files_ending_with_either(&endings.into(), &[])
    }

    /// `files_ending_with` for `endings` and `more` together, without joining them: a
    /// document's few resolved relative imports beside its hundreds of others, asked on
    /// every completion.
    pub fn files_ending_with_either(
        &self,
        endings: &Arc<[String]>,
        more: &[String],
    ) -> Arc<ImportedFiles> {
        let Ok(inner) = self.inner.read() else {
            return Arc::default();
        };
        let current = |resolved: &ResolvedImports| resolved.generation == inner.generation;
        if let Ok(kept) = self.resolved.lock()
            && let Some(hit) = kept.iter().find(|r| {
                current(r)
                    && (Arc::ptr_eq(&r.endings, endings) || r.endings == *endings)
                    && r.more == more
            })
        {
            return hit.files.clone();
        }
        let files: HashSet<Arc<str>> = endings
            .iter()
            .chain(more)
            .flat_map(|ending| {
                let keyed = inner.by_file_key.get(file_key(ending));
                keyed
                    .into_iter()
                    .flatten()
                    .filter(|display| ends_at_segment(display, ending))
                    .cloned()
            })
            .collect();
        let files = Arc::new(ImportedFiles::new(files));
        if let Ok(mut kept) = self.resolved.lock() {
            kept.retain(current);
            if kept.len() >= RESOLVED_KEPT {
                kept.remove(0);
            }
            kept.push(ResolvedImports {
                endings: endings.clone(),
                more: more.to_vec(),
                generation: inner.generation,
                files: files.clone(),
            });
        }
        files
    }

    /// Whether one of `files` imports `name` in turn (a package's `from .schema import
    /// Column`): reached through it, wherever it is defined.
    pub fn reexported_from(&self, name: &str, files: &ImportedFiles) -> bool {
        self.inner.read().is_ok_and(|inner| {
            inner
                .reexported_by
                .get(name)
                .is_some_and(|by| by.iter().any(|display| files.contains(display)))
        })
    }

    pub fn symbol_count(&self) -> usize {
        self.inner.read().map(|inner| inner.symbols).unwrap_or(0)
    }

    pub fn file_count(&self) -> usize {
        self.inner
            .read()
            .map(|inner| inner.by_file.len())
            .unwrap_or(0)
    }

    fn replace(&self, path: PathBuf, indexed: Option<IndexedFile>) {
        let Ok(mut inner) = self.inner.write() else {
            return;
        };
        let inner = &mut *inner;
        inner.generation += 1;
        if let Some(old) = inner.by_file.remove(&path) {
            let display = &old.display;
            inner.by_display.remove(display);
            if let Some(list) = inner.by_file_key.get_mut(file_key(display)) {
                list.retain(|other| !Arc::ptr_eq(other, display));
                if list.is_empty() {
                    inner.by_file_key.remove(file_key(display));
                }
            }
            for name in &old.reexports {
                if let Some(by) = inner.reexported_by.get_mut(name) {
                    by.retain(|other| !Arc::ptr_eq(other, display));
                    if by.is_empty() {
                        inner.reexported_by.remove(name);
                    }
                }
            }
            let names: HashSet<&str> = old.definitions.iter().map(|(name, _)| &**name).collect();
            for name in names {
                if let Some(list) = inner.by_name.get_mut(name) {
                    let before = list.len();
                    // Every definition of one file shares its path `Arc`.
                    list.retain(|definition| !Arc::ptr_eq(&definition.path, display));
                    inner.symbols -= before - list.len();
                    if list.is_empty() {
                        inner.by_name.remove(name);
                    }
                }
            }
        }
        let Some(indexed) = indexed else {
            return;
        };
        for (name, definition) in &indexed.definitions {
            // Kept in path order, not in the order a parallel build happened to finish:
            // the same workspace gives the same context on every start.
            let list = inner.by_name.entry(name.clone()).or_default();
            let place = (&*definition.path, definition.start_line);
            let at = list.partition_point(|other| (&*other.path, other.start_line) <= place);
            list.insert(at, definition.clone());
            inner.symbols += 1;
        }
        for name in &indexed.reexports {
            let by = inner.reexported_by.entry(name.clone()).or_default();
            if !by.iter().any(|other| Arc::ptr_eq(other, &indexed.display)) {
                by.push(indexed.display.clone());
            }
        }
        inner
            .by_file_key
            .entry(file_key(&indexed.display).into())
            .or_default()
            .push(indexed.display.clone());
        inner
            .by_display
            .insert(indexed.display.clone(), path.clone());
        inner.by_file.insert(path, indexed);
    }
}

/// A file's definitions, each with the name it is found by.
type FileDefinitions = Vec<(Box<str>, Arc<Definition>)>;

/// What the index keeps of one file (never its text).
struct IndexedFile {
    display: Arc<str>,
    language: Language,
    /// Sorted by first line; the same `Arc`s as `by_name`, so a module or a class is
    /// listed without a search.
    definitions: FileDefinitions,
    /// The names its imports make part of it (Python `from .x import A as A`, Rust
    /// `pub use`).
    reexports: Vec<Box<str>>,
}

/// Parses `text` and keeps its definitions and re-exported names.
fn index_file(roots: &[PathBuf], path: &Path, text: &str) -> Option<IndexedFile> {
    let language = Language::from_path(path)?;
    let tree = language.parse_str(text)?;
    let display: Arc<str> = display_path(roots, path).into();
    let (symbols, reexports) = symbols::extract_with_reexports(language, text, &tree);
    let mut symbols = symbols;
    symbols.sort_by_key(|symbol| symbol.start_line);
    let definitions = symbols
        .into_iter()
        .map(|symbol| {
            let name: Box<str> = symbol.name.as_str().into();
            (name, Arc::new(Definition::new(&display, language, symbol)))
        })
        .collect();
    let reexports = reexports.into_iter().map(Into::into).collect();
    Some(IndexedFile {
        display,
        language,
        definitions,
        reexports,
    })
}

/// Whether `path` ends with `ending` at a path segment boundary.
pub fn ends_at_segment(path: &str, ending: &str) -> bool {
    path.ends_with(ending)
        && (path.len() == ending.len() || path[..path.len() - ending.len()].ends_with('/'))
}

/// The last segment of a `/`-separated path, or the last two when the last one names a
/// package rather than a module (`db/__init__.py`: Django has hundreds of `__init__.py`).
fn file_key(path: &str) -> &str {
    let mut starts = path.rmatch_indices('/').map(|(slash, _)| slash + 1);
    let last = starts.next().unwrap_or(0);
    if matches!(&path[last..], "__init__.py" | "mod.rs") {
        return &path[starts.next().unwrap_or(0)..];
    }
    &path[last..]
}

/// `path` relative to the folder it is in (with the folder's name first when there are
/// several), `/`-separated: what the model sees as the file's name.
pub fn display_path(roots: &[PathBuf], path: &Path) -> String {
    let relative = roots.iter().find_map(|root| {
        let rest = path.strip_prefix(root).ok()?;
        Some(if roots.len() > 1 {
            root.file_name()
                .map_or(rest.to_path_buf(), |name| Path::new(name).join(rest))
        } else {
            rest.to_path_buf()
        })
    });
    relative
        .as_deref()
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_updates_removes_and_honours_exclusions() {
        let root = std::env::temp_dir().join(format!("keel-index-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("pkg")).unwrap();
        std::fs::write(root.join("pkg/a.py"), "def alpha(x):\n    \"\"\"A.\"\"\"\n").unwrap();
        std::fs::write(root.join("pkg/b.rs"), "/// B.\npub fn beta() {}\n").unwrap();
        std::fs::write(root.join("pkg/api_secret.py"), "def hidden():\n    pass\n").unwrap();
        let index = Index::new();
        index
            .configure(vec![root.clone()], &["*secret*".to_string()])
            .unwrap();
        let stats = index.build(&|_| {}).unwrap();
        assert_eq!((stats.files, stats.symbols), (2, 2));
        let alpha = index.lookup("alpha");
        assert_eq!(alpha.len(), 1);
        assert_eq!(&*alpha[0].path, "pkg/a.py");
        assert_eq!(alpha[0].render(), "def alpha(x):\n    \"\"\"A.\"\"\"");
        assert_eq!(index.lookup("beta")[0].render(), "/// B.\npub fn beta()");
        assert!(index.lookup("hidden").is_empty());

        let a = root.join("pkg/a.py");
        index.update_file(&a, "def gamma():\n    pass\n");
        assert!(index.lookup("alpha").is_empty());
        assert_eq!(index.lookup("gamma").len(), 1);
        // An excluded file never enters, even when its text is handed over.
        index.update_file(&root.join("pkg/api_secret.py"), "def hidden():\n    pass\n");
        assert!(index.lookup("hidden").is_empty());
        std::fs::remove_file(&a).unwrap();
        index.refresh_from_disk(&a);
        assert!(index.lookup("gamma").is_empty());
        assert_eq!((index.file_count(), index.symbol_count()), (1, 1));
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn what_a_file_reexports_follows_the_file() {
        let root = PathBuf::from("/ws");
        let index = Index::new();
        index.configure(vec![root.clone()], &[]).unwrap();
        let package = root.join("pkg/__init__.py");
        index.update_file(&package, "from .schema import Column\n");
        let imported = ImportedFiles::new([Arc::from("pkg/__init__.py")].into_iter().collect());
        assert!(index.reexported_from("Column", &imported));
        assert!(!index.reexported_from("Table", &imported));
        assert!(!index.reexported_from("Column", &ImportedFiles::default()));
        index.update_file(&package, "from .schema import Table\n");
        assert!(!index.reexported_from("Column", &imported));
        assert!(index.reexported_from("Table", &imported));
        index.remove_file(&package);
        assert!(!index.reexported_from("Table", &imported));
    }

    #[test]
    fn imports_resolve_to_the_indexed_files_they_name_as_the_index_changes() {
        let root = PathBuf::from("/ws");
        let index = Index::new();
        index.configure(vec![root.clone()], &[]).unwrap();
        for file in [
            "a/models.py",
            "b/models.py",
            "pkg/__init__.py",
            "pkg/sub/__init__.py",
        ] {
            index.update_file(&root.join(file), "def f():\n    pass\n");
        }
        let resolve = |endings: &[&str]| {
            let endings: Vec<String> = endings.iter().map(|e| e.to_string()).collect();
            let mut files: Vec<String> = index
                .files_ending_with(&endings)
                .files
                .iter()
                .map(|file| file.to_string())
                .collect();
            files.sort();
            files
        };
        assert_eq!(resolve(&["models.py"]), ["a/models.py", "b/models.py"]);
        assert_eq!(resolve(&["b/models.py"]), ["b/models.py"]);
        assert_eq!(resolve(&["pkg/__init__.py"]), ["pkg/__init__.py"]);
        assert_eq!(resolve(&["sub/__init__.py"]), ["pkg/sub/__init__.py"]);
        assert!(resolve(&["els/models.py", "odels.py"]).is_empty());
        // Asked again after the index changed: the answer follows the change.
        index.remove_file(&root.join("b/models.py"));
        assert_eq!(resolve(&["models.py"]), ["a/models.py"]);
        index.update_file(&root.join("c/models.py"), "X = 1\n");
        assert_eq!(resolve(&["models.py"]), ["a/models.py", "c/models.py"]);
    }
}
