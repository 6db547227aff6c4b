//! The open documents, shared by every handler, and the memory policy for their trees.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use dashmap::DashMap;
use ropey::Rope;
use tree_sitter::Tree;

use super::document::{Change, Document, Syntax, current_tree};
use super::position::Encoding;
use crate::syntax::Language;

/// How many documents keep a parse tree at once. A tree costs several times the text it
/// covers; documents beyond this reparse on demand (a few milliseconds).
pub const DEFAULT_TREE_CAPACITY: usize = 32;

/// An immutable view of a document at one version. Cloning the rope and tree is O(1), so a
/// snapshot is taken under the map's lock and used after it is released.
#[derive(Clone)]
pub struct Snapshot {
    pub uri: String,
    pub version: i32,
    pub language: Option<Language>,
    pub text: Rope,
    syntax: Syntax,
    revision: u64,
    edited: bool,
}

impl Snapshot {
    /// Whether the document changed since it was opened (see `Document::edited`).
    pub fn edited(&self) -> bool {
        self.edited
    }

    /// The current syntax tree, reparsing if needed. CPU work: call it off the LSP task.
    pub fn tree(&self) -> Option<Tree> {
        current_tree(self.language, &self.text, &self.syntax)
    }

    /// Whether `tree` has to parse (the document changed since its last parse, or its tree
    /// was dropped), rather than hand out the current tree.
    pub fn needs_parse(&self) -> bool {
        self.language.is_some() && matches!(self.syntax, Syntax::Stale(_) | Syntax::Missing)
    }
}

/// Why a document cannot be served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocumentError {
    NotOpen(String),
    /// A change could not be applied, so Keel's copy no longer matches the editor's. Features
    /// for the document are off until the editor sends the whole text again (on save).
    OutOfSync {
        uri: String,
        reason: String,
    },
}

impl std::fmt::Display for DocumentError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DocumentError::NotOpen(uri) => write!(f, "document {uri} is not open"),
            DocumentError::OutOfSync { uri, reason } => write!(
                f,
                "document {uri} is out of sync ({reason}); save the file to resynchronise"
            ),
        }
    }
}

struct Entry {
    document: Document,
    out_of_sync: Option<String>,
}

/// What a `didChange` did.
#[derive(Debug, PartialEq, Eq)]
pub enum ChangeOutcome {
    Applied,
    /// The document was already out of sync; the change was ignored.
    Ignored,
}

#[derive(Default)]
pub struct Documents {
    entries: DashMap<String, Entry>,
    /// Documents holding a tree, most recently used last.
    with_trees: Mutex<VecDeque<String>>,
    tree_capacity: usize,
    /// The text of the last document asked for in one piece, by revision: completions in a
    /// large file ask again and again without an edit between, and copying 500 KB out of the
    /// rope each time cost more than the rest of the prompt.
    flat: Mutex<Option<(u64, Arc<str>)>>,
}

impl Documents {
    pub fn new(tree_capacity: usize) -> Self {
        Documents {
            entries: DashMap::new(),
            with_trees: Mutex::new(VecDeque::new()),
            tree_capacity,
            flat: Mutex::new(None),
        }
    }

    pub fn open(&self, uri: &str, language: Option<Language>, version: i32, text: &str) {
        let document = Document::new(text, version, language);
        self.entries.insert(
            uri.to_string(),
            Entry {
                document,
                out_of_sync: None,
            },
        );
    }

    pub fn close(&self, uri: &str) -> bool {
        self.forget_tree(uri);
        self.entries.remove(uri).is_some()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Applies a `didChange` batch. On error the document is marked out of sync (and the
    /// error returned once); later changes are ignored until the whole text comes again.
    /// A batch that carries the whole text resynchronises at once.
    pub fn change(
        &self,
        uri: &str,
        version: i32,
        changes: &[Change],
        encoding: Encoding,
    ) -> Result<ChangeOutcome, DocumentError> {
        let mut entry = self
            .entries
            .get_mut(uri)
            .ok_or_else(|| DocumentError::NotOpen(uri.to_string()))?;
        let last_full = changes.iter().rposition(|change| change.range.is_none());
        let changes = match (&entry.out_of_sync, last_full) {
            (Some(_), None) => return Ok(ChangeOutcome::Ignored),
            (Some(_), Some(index)) => {
                entry.out_of_sync = None;
                &changes[index..]
            }
            (None, _) => changes,
        };
        match entry.document.apply(version, changes, encoding) {
            Ok(()) => Ok(ChangeOutcome::Applied),
            Err(err) => {
                let reason = format!("change to version {version} rejected: {err}");
                entry.out_of_sync = Some(reason.clone());
                Err(DocumentError::OutOfSync {
                    uri: uri.to_string(),
                    reason,
                })
            }
        }
    }

    /// A save. When the editor sends the text, it replaces Keel's copy: this is the resync path.
    /// Returns true when that ended an out-of-sync state.
    pub fn save(&self, uri: &str, text: Option<&str>) -> Result<bool, DocumentError> {
        let mut entry = self
            .entries
            .get_mut(uri)
            .ok_or_else(|| DocumentError::NotOpen(uri.to_string()))?;
        let Some(text) = text else { return Ok(false) };
        if entry.document.text() != text {
            entry.document.replace(text, None);
        }
        Ok(entry.out_of_sync.take().is_some())
    }

    /// The URIs of the open documents.
    pub fn uris(&self) -> Vec<String> {
        self.entries
            .iter()
            .map(|entry| entry.key().clone())
            .collect()
    }

    /// A snapshot of the document, or why there is none.
    pub fn snapshot(&self, uri: &str) -> Result<Snapshot, DocumentError> {
        let entry = self
            .entries
            .get(uri)
            .ok_or_else(|| DocumentError::NotOpen(uri.to_string()))?;
        if let Some(reason) = &entry.out_of_sync {
            return Err(DocumentError::OutOfSync {
                uri: uri.to_string(),
                reason: reason.clone(),
            });
        }
        let document = &entry.document;
        Ok(Snapshot {
            uri: uri.to_string(),
            version: document.version(),
            language: document.language(),
            text: document.text().clone(),
            syntax: document.syntax().clone(),
            revision: document.revision(),
            edited: document.edited(),
        })
    }

    /// The snapshot's current tree; keeps it for later requests when the document has not
    /// changed since, within the tree budget. CPU work: call it off the LSP task.
    pub fn tree(&self, snapshot: &Snapshot) -> Option<Tree> {
        let tree = snapshot.tree()?;
        let stored = match self.entries.get_mut(&snapshot.uri) {
            Some(mut entry) => entry.document.store_tree(snapshot.revision, tree.clone()),
            None => false,
        };
        if stored {
            self.touch_tree(&snapshot.uri);
        }
        Some(tree)
    }

    /// The snapshot's text in one piece, copied out of the rope once per revision.
    pub fn flat_text(&self, snapshot: &Snapshot) -> Arc<str> {
        let mut flat = self
            .flat
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match &*flat {
            Some((revision, text)) if *revision == snapshot.revision => text.clone(),
            _ => {
                let text: Arc<str> = String::from(&snapshot.text).into();
                *flat = Some((snapshot.revision, text.clone()));
                text
            }
        }
    }

    /// Marks `uri` as the most recent user of a tree and drops the least recent trees
    /// beyond the capacity. Entry locks are taken one at a time, never while holding the list.
    fn touch_tree(&self, uri: &str) {
        let evicted: Vec<String> = {
            let Ok(mut recent) = self.with_trees.lock() else {
                return;
            };
            recent.retain(|other| other != uri);
            recent.push_back(uri.to_string());
            let excess = recent.len().saturating_sub(self.tree_capacity);
            recent.drain(..excess).collect()
        };
        for uri in evicted {
            if let Some(mut entry) = self.entries.get_mut(&uri) {
                entry.document.drop_tree();
            }
        }
    }

    fn forget_tree(&self, uri: &str) {
        if let Ok(mut recent) = self.with_trees.lock() {
            recent.retain(|other| other != uri);
        }
    }

    /// How many documents hold a tree now.
    pub fn trees_held(&self) -> usize {
        self.entries
            .iter()
            .filter(|entry| entry.document.has_tree())
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::position::Position;

    #[test]
    fn out_of_range_change_marks_out_of_sync_until_save_with_text() {
        let docs = Documents::new(4);
        docs.open("file:///a.py", Some(Language::Python), 1, "x = 1\n");
        let bad = [Change {
            range: Some((Position::new(5, 0), Position::new(5, 1))),
            text: "y".into(),
        }];
        assert!(matches!(
            docs.change("file:///a.py", 2, &bad, Encoding::Utf16),
            Err(DocumentError::OutOfSync { .. })
        ));
        assert!(docs.snapshot("file:///a.py").is_err());
        let good = [Change {
            range: Some((Position::new(0, 0), Position::new(0, 0))),
            text: "z".into(),
        }];
        assert_eq!(
            docs.change("file:///a.py", 3, &good, Encoding::Utf16),
            Ok(ChangeOutcome::Ignored)
        );
        assert_eq!(docs.save("file:///a.py", Some("x = 2\n")), Ok(true));
        assert_eq!(
            docs.snapshot("file:///a.py").unwrap().text.to_string(),
            "x = 2\n"
        );
    }

    #[test]
    fn trees_are_kept_only_for_recent_documents() {
        let docs = Documents::new(2);
        for i in 0..5 {
            let uri = format!("file:///{i}.py");
            docs.open(&uri, Some(Language::Python), 1, "def f():\n    pass\n");
            let snapshot = docs.snapshot(&uri).unwrap();
            assert!(docs.tree(&snapshot).is_some());
        }
        assert_eq!(docs.trees_held(), 2);
        // A document whose tree was dropped still answers, by reparsing.
        let snapshot = docs.snapshot("file:///0.py").unwrap();
        assert!(docs.tree(&snapshot).is_some());
    }
}
