//! The files of a workspace: a parallel walk of some roots that honours `.gitignore`
//! (inside a git repository or not), `.ignore`, `.keelignore` and exclude globs, skips
//! hidden files, installed packages (`node_modules`, `site-packages`), files over a size
//! limit and binary files, and hands each text file to a
//! callback with its contents. Used by `keel check` and the workspace index.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::{Glob, GlobSet, GlobSetBuilder};
use ignore::{WalkBuilder, WalkState};

/// Folders of installed packages and caches, never the project's own code, skipped even
/// when no ignore file names them: a `node_modules` can hold a million files (and Python
/// ones: node-gyp ships some). A root given by name is still walked.
const NEVER_WALKED: &[&str] = &["node_modules", "__pycache__", "site-packages"];

/// Keel's own ignore file, in `.gitignore` syntax.
pub const IGNORE_FILE: &str = ".keelignore";

/// Files larger than this are generated or vendored far more often than written.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 1024 * 1024;

/// How much of a file is searched for a NUL byte to tell binary from text, like git does.
const BINARY_PROBE_BYTES: usize = 8 * 1024;

/// One thing the walk found.
#[derive(Debug)]
pub enum Entry {
    /// A text file and its contents.
    File { path: PathBuf, text: String },
    /// A file left out, and why.
    Skipped { path: PathBuf, reason: SkipReason },
    /// A path that could not be read.
    Failed {
        path: Option<PathBuf>,
        message: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkipReason {
    TooLarge { bytes: u64 },
    Binary,
    NotUtf8,
}

impl std::fmt::Display for SkipReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SkipReason::TooLarge { bytes } => write!(f, "larger than the limit ({bytes} bytes)"),
            SkipReason::Binary => write!(f, "binary"),
            SkipReason::NotUtf8 => write!(f, "not UTF-8 text"),
        }
    }
}

type Select = Arc<dyn Fn(&Path) -> bool + Send + Sync>;

/// A walk over some roots (files or directories).
pub struct Walk {
    roots: Vec<PathBuf>,
    exclude: Option<GlobSet>,
    max_file_size: u64,
    select: Option<Select>,
}

impl Walk {
    pub fn new(roots: impl IntoIterator<Item = PathBuf>) -> Walk {
        Walk {
            roots: roots.into_iter().collect(),
            exclude: None,
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            select: None,
        }
    }

    /// Leaves out paths matching any of `globs` (e.g. `vendor/**`, `*.min.js`), matched
    /// against the path relative to its root and against the file name.
    pub fn exclude(self, globs: &[String]) -> Result<Walk, String> {
        Ok(self.exclude_set(exclude_set(globs)?))
    }

    /// `exclude` with globs already compiled by [`exclude_set`].
    pub fn exclude_set(mut self, set: GlobSet) -> Walk {
        self.exclude = Some(set);
        self
    }

    pub fn max_file_size(mut self, bytes: u64) -> Walk {
        self.max_file_size = bytes;
        self
    }

    /// Only files for which `select` is true are read (e.g. by extension). Directories are
    /// always entered.
    pub fn select(mut self, select: impl Fn(&Path) -> bool + Send + Sync + 'static) -> Walk {
        self.select = Some(Arc::new(select));
        self
    }

    /// Walks on all cores, calling `visit` for every selected file (from several threads
    /// at once). Hidden files and ignored paths are not reported at all.
    pub fn run(&self, visit: impl Fn(Entry) + Sync) {
        let Some((first, rest)) = self.roots.split_first() else {
            return;
        };
        let mut builder = WalkBuilder::new(first);
        for root in rest {
            builder.add(root);
        }
        builder
            .require_git(false)
            .add_custom_ignore_filename(IGNORE_FILE);
        let exclude = self.exclude.clone();
        let roots = self.roots.clone();
        builder.filter_entry(move |entry| {
            let installed = entry.depth() > 0
                && entry.file_type().is_some_and(|kind| kind.is_dir())
                && entry
                    .file_name()
                    .to_str()
                    .is_some_and(|name| NEVER_WALKED.contains(&name));
            !installed
                && exclude
                    .as_ref()
                    .is_none_or(|exclude| !is_excluded(exclude, &roots, entry.path()))
        });
        let visit = &visit;
        builder.build_parallel().run(|| {
            Box::new(move |result| {
                match result {
                    Ok(entry) => {
                        let is_file = entry.file_type().is_some_and(|kind| kind.is_file());
                        let selected = self
                            .select
                            .as_ref()
                            .is_none_or(|select| select(entry.path()));
                        if is_file && selected {
                            visit(self.read(entry.into_path()));
                        }
                    }
                    Err(err) => visit(Entry::Failed {
                        path: error_path(&err),
                        message: err.to_string(),
                    }),
                }
                WalkState::Continue
            })
        });
    }

    fn read(&self, path: PathBuf) -> Entry {
        let size = match std::fs::metadata(&path) {
            Ok(metadata) => metadata.len(),
            Err(err) => return failed(path, &err),
        };
        if size > self.max_file_size {
            return Entry::Skipped {
                path,
                reason: SkipReason::TooLarge { bytes: size },
            };
        }
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(err) => return failed(path, &err),
        };
        let probe = &bytes[..bytes.len().min(BINARY_PROBE_BYTES)];
        if probe.contains(&0) {
            return Entry::Skipped {
                path,
                reason: SkipReason::Binary,
            };
        }
        match String::from_utf8(bytes) {
            Ok(text) => Entry::File { path, text },
            Err(_) => Entry::Skipped {
                path,
                reason: SkipReason::NotUtf8,
            },
        }
    }
}

/// Compiles exclude globs, saying which one is wrong.
pub fn exclude_set(globs: &[String]) -> Result<GlobSet, String> {
    let mut set = GlobSetBuilder::new();
    for glob in globs {
        let parsed = Glob::new(glob).map_err(|err| {
            format!("exclude glob \"{glob}\" is not valid: {err}; use forms like `vendor/**` or `*.min.js`")
        })?;
        set.add(parsed);
    }
    set.build()
        .map_err(|err| format!("exclude globs cannot be combined: {err}"))
}

fn failed(path: PathBuf, err: &std::io::Error) -> Entry {
    Entry::Failed {
        message: format!("cannot read {}: {err}", path.display()),
        path: Some(path),
    }
}

fn error_path(err: &ignore::Error) -> Option<PathBuf> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        _ => None,
    }
}

/// Whether `path` matches an exclude glob, relative to the root it is under or by name.
/// A directory also counts as `dir/`, so `vendor/**` prunes the whole tree.
pub fn is_excluded(exclude: &GlobSet, roots: &[PathBuf], path: &Path) -> bool {
    let relative = roots
        .iter()
        .find_map(|root| path.strip_prefix(root).ok())
        .unwrap_or(path);
    let relative = relative.to_string_lossy().replace('\\', "/");
    if relative.is_empty() {
        return false;
    }
    let name = path.file_name().map(|name| name.to_string_lossy());
    exclude.is_match(&relative)
        || exclude.is_match(format!("{relative}/"))
        || name.is_some_and(|name| exclude.is_match(name.as_ref()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    fn collect(walk: &Walk) -> (Vec<String>, Vec<(String, SkipReason)>) {
        let files = Mutex::new(Vec::new());
        let skipped = Mutex::new(Vec::new());
        walk.run(|entry| match entry {
            Entry::File { path, .. } => files.lock().unwrap().push(path),
            Entry::Skipped { path, reason } => skipped.lock().unwrap().push((path, reason)),
            Entry::Failed { message, .. } => panic!("{message}"),
        });
        let root = &walk.roots[0];
        let name = |path: PathBuf| {
            path.strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        };
        let mut files: Vec<String> = files.into_inner().unwrap().into_iter().map(name).collect();
        files.sort();
        let mut skipped: Vec<(String, SkipReason)> = skipped
            .into_inner()
            .unwrap()
            .into_iter()
            .map(|(path, reason)| (name(path), reason))
            .collect();
        skipped.sort_by(|a, b| a.0.cmp(&b.0));
        (files, skipped)
    }

    #[test]
    fn honours_ignore_files_globs_size_and_binary_content() {
        let root = std::env::temp_dir().join(format!("keel-walk-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        for dir in ["src", "vendor/lib", "build", ".hidden", "gen"] {
            std::fs::create_dir_all(root.join(dir)).unwrap();
        }
        let files = [
            ("src/app.py", "print(1)\n"),
            ("src/lib.rs", "fn main() {}\n"),
            ("src/notes.txt", "notes\n"),
            ("vendor/lib/dep.py", "x = 1\n"),
            ("build/out.py", "x = 1\n"),
            (".hidden/secret.py", "x = 1\n"),
            ("gen/schema.py", "x = 1\n"),
            (".gitignore", "build/\n"),
            (".keelignore", "gen/\n"),
        ];
        for (path, text) in files {
            std::fs::write(root.join(path), text).unwrap();
        }
        std::fs::write(root.join("src/big.py"), "x".repeat(2048)).unwrap();
        std::fs::write(root.join("src/blob.py"), b"\x00\x01binary").unwrap();

        let walk = Walk::new([root.clone()])
            .exclude(&["vendor/**".to_string()])
            .unwrap()
            .max_file_size(1024)
            .select(|path| {
                path.extension()
                    .is_some_and(|ext| ext == "py" || ext == "rs")
            });
        let (files, skipped) = collect(&walk);
        assert_eq!(files, ["src/app.py", "src/lib.rs"]);
        assert_eq!(
            skipped,
            [
                (
                    "src/big.py".to_string(),
                    SkipReason::TooLarge { bytes: 2048 }
                ),
                ("src/blob.py".to_string(), SkipReason::Binary),
            ]
        );
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn bad_globs_say_which_glob() {
        let err = Walk::new([PathBuf::from(".")])
            .exclude(&["src/[".to_string()])
            .err()
            .unwrap();
        assert!(err.contains("\"src/[\""), "{err}");
    }

    #[test]
    fn a_missing_root_is_reported() {
        let failures = Mutex::new(Vec::new());
        Walk::new([PathBuf::from("/nonexistent/keel-walk")]).run(|entry| {
            if let Entry::Failed { message, .. } = entry {
                failures.lock().unwrap().push(message);
            }
        });
        assert_eq!(failures.into_inner().unwrap().len(), 1);
    }
}
