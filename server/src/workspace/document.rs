//! One open document: its text as a rope, its version, and a syntax tree kept current
//! with incremental edits and a lazy reparse.

use ropey::Rope;
use tree_sitter::{InputEdit, Point, Tree};

use super::position::{Encoding, Position, PositionError, byte_offset};
use crate::syntax::Language;

/// Documents larger than this keep their text but get no syntax tree: parsing them would
/// cost more time and memory than any feature is worth.
pub const MAX_PARSE_BYTES: usize = 4 << 20;

/// One `contentChanges` entry: replace `range` (or the whole text when `None`) by `text`.
#[derive(Debug, Clone)]
pub struct Change {
    pub range: Option<(Position, Position)>,
    pub text: String,
}

/// Why a change was not applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncError {
    VersionWentBackwards { current: i32, received: i32 },
    BadPosition(PositionError),
    InvertedRange { start: Position, end: Position },
}

impl std::fmt::Display for SyncError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SyncError::VersionWentBackwards { current, received } => {
                write!(
                    f,
                    "version {received} is older than the current version {current}"
                )
            }
            SyncError::BadPosition(err) => write!(f, "{err}"),
            SyncError::InvertedRange { start, end } => write!(
                f,
                "range starts at {}:{} after it ends at {}:{}",
                start.line, start.character, end.line, end.character
            ),
        }
    }
}

/// The state of a document's tree. `Stale` trees have had every edit applied with
/// `Tree::edit` and need one incremental reparse, however many edits came in between.
#[derive(Clone)]
pub enum Syntax {
    /// No grammar for the language, or the text is too large to parse.
    Unparsed,
    /// Never parsed, or the tree was dropped to save memory.
    Missing,
    Stale(Tree),
    Current(Tree),
}

pub struct Document {
    text: Rope,
    version: i32,
    language: Option<Language>,
    syntax: Syntax,
    /// New with every applied change, so a tree parsed from an older snapshot is never
    /// stored. Unique in the process (a reopened document does not start again), so a copy
    /// of the text is known by its revision alone.
    revision: u64,
    /// Changed since it was opened: being worked on, not just restored by the editor.
    edited: bool,
}

fn next_revision() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

impl Document {
    pub fn new(text: &str, version: i32, language: Option<Language>) -> Self {
        let mut document = Document {
            text: Rope::from_str(text),
            version,
            language,
            syntax: Syntax::Missing,
            revision: next_revision(),
            edited: false,
        };
        document.reset_syntax();
        document
    }

    pub fn text(&self) -> &Rope {
        &self.text
    }

    pub fn version(&self) -> i32 {
        self.version
    }

    pub fn language(&self) -> Option<Language> {
        self.language
    }

    pub fn revision(&self) -> u64 {
        self.revision
    }

    pub fn edited(&self) -> bool {
        self.edited
    }

    pub fn syntax(&self) -> &Syntax {
        &self.syntax
    }

    pub fn has_tree(&self) -> bool {
        matches!(self.syntax, Syntax::Stale(_) | Syntax::Current(_))
    }

    /// Drops the tree to save memory; the next use reparses from scratch.
    pub fn drop_tree(&mut self) {
        if self.has_tree() {
            self.syntax = Syntax::Missing;
        }
    }

    fn reset_syntax(&mut self) {
        self.syntax = if self.language.is_some() && self.text.len_bytes() <= MAX_PARSE_BYTES {
            Syntax::Missing
        } else {
            Syntax::Unparsed
        };
    }

    /// Replaces the whole text, as on a full-sync change or a save that carries the text.
    pub fn replace(&mut self, text: &str, version: Option<i32>) {
        self.text = Rope::from_str(text);
        if let Some(version) = version {
            self.version = version;
        }
        self.revision = next_revision();
        self.edited = true;
        self.reset_syntax();
    }

    /// Applies one `didChange` batch atomically: either every change applies, or the
    /// document is left exactly as it was and the error says which change failed.
    pub fn apply(
        &mut self,
        version: i32,
        changes: &[Change],
        encoding: Encoding,
    ) -> Result<(), SyncError> {
        if version < self.version {
            return Err(SyncError::VersionWentBackwards {
                current: self.version,
                received: version,
            });
        }
        // Rope and Tree clones are O(1) (shared nodes), so the rollback copy is cheap.
        let saved = (self.text.clone(), self.syntax.clone());
        for change in changes {
            let applied = match change.range {
                None => {
                    self.replace(&change.text, None);
                    Ok(())
                }
                Some((start, end)) => self.apply_range(start, end, &change.text, encoding),
            };
            if let Err(err) = applied {
                (self.text, self.syntax) = saved;
                return Err(err);
            }
        }
        self.version = version;
        self.revision = next_revision();
        self.edited = true;
        Ok(())
    }

    fn apply_range(
        &mut self,
        start: Position,
        end: Position,
        text: &str,
        encoding: Encoding,
    ) -> Result<(), SyncError> {
        let start_byte =
            byte_offset(&self.text, start, encoding).map_err(SyncError::BadPosition)?;
        let old_end_byte =
            byte_offset(&self.text, end, encoding).map_err(SyncError::BadPosition)?;
        if start_byte > old_end_byte {
            return Err(SyncError::InvertedRange { start, end });
        }
        let start_position = point_at(&self.text, start_byte);
        let old_end_position = point_at(&self.text, old_end_byte);
        let start_char = self.text.byte_to_char(start_byte);
        let old_end_char = self.text.byte_to_char(old_end_byte);
        self.text.remove(start_char..old_end_char);
        self.text.insert(start_char, text);
        let new_end_byte = start_byte + text.len();
        let edit = InputEdit {
            start_byte,
            old_end_byte,
            new_end_byte,
            start_position,
            old_end_position,
            new_end_position: point_at(&self.text, new_end_byte),
        };
        self.syntax = match std::mem::replace(&mut self.syntax, Syntax::Missing) {
            Syntax::Stale(mut tree) | Syntax::Current(mut tree) => {
                tree.edit(&edit);
                Syntax::Stale(tree)
            }
            other => other,
        };
        if self.text.len_bytes() > MAX_PARSE_BYTES {
            self.syntax = Syntax::Unparsed;
        } else if matches!(self.syntax, Syntax::Unparsed) && self.language.is_some() {
            self.syntax = Syntax::Missing;
        }
        Ok(())
    }

    /// Brings the tree up to date (one incremental reparse for any number of edits) and
    /// returns it; `None` when the document has no grammar or is too large.
    pub fn tree(&mut self) -> Option<&Tree> {
        if let Some(tree) = current_tree(self.language, &self.text, &self.syntax) {
            self.syntax = Syntax::Current(tree);
        }
        match &self.syntax {
            Syntax::Current(tree) => Some(tree),
            _ => None,
        }
    }

    /// Stores a tree parsed from a snapshot, if no change has landed since that snapshot.
    pub fn store_tree(&mut self, revision: u64, tree: Tree) -> bool {
        if revision != self.revision {
            return false;
        }
        self.syntax = Syntax::Current(tree);
        true
    }
}

/// The current tree for `text`: reuses a current tree, reparses a stale one incrementally,
/// or parses from scratch. `None` when the document has no grammar or is too large.
pub fn current_tree(language: Option<Language>, text: &Rope, syntax: &Syntax) -> Option<Tree> {
    let language = language?;
    match syntax {
        Syntax::Unparsed => None,
        Syntax::Current(tree) => Some(tree.clone()),
        Syntax::Stale(old) => parse_rope(language, text, Some(old)),
        Syntax::Missing => parse_rope(language, text, None),
    }
}

/// Parses a rope by handing tree-sitter its chunks: no copy of the whole text.
pub fn parse_rope(language: Language, text: &Rope, old: Option<&Tree>) -> Option<Tree> {
    let len = text.len_bytes();
    let mut read = |byte: usize, _: Point| -> &[u8] {
        if byte >= len {
            return &[];
        }
        let (chunk, chunk_start, _, _) = text.chunk_at_byte(byte);
        &chunk.as_bytes()[byte - chunk_start..]
    };
    language.parse_with(&mut read, len, old)
}

/// A tree-sitter point (row, byte column) for a byte offset.
fn point_at(text: &Rope, byte: usize) -> Point {
    let row = text.byte_to_line(byte);
    Point::new(row, byte - text.line_to_byte(row))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(a: (u32, u32), b: (u32, u32)) -> Option<(Position, Position)> {
        Some((Position::new(a.0, a.1), Position::new(b.0, b.1)))
    }

    #[test]
    fn incremental_edits_keep_tree_equal_to_fresh_parse() {
        let mut doc = Document::new("def f(x):\n    return x\n", 1, Some(Language::Python));
        assert!(doc.tree().is_some());
        let changes = [
            Change {
                range: range((1, 11), (1, 12)),
                text: "x + 1".into(),
            },
            Change {
                range: range((2, 0), (2, 0)),
                text: "\nclass A:\n    pass\n".into(),
            },
        ];
        doc.apply(2, &changes, Encoding::Utf16).unwrap();
        let text = doc.text().to_string();
        assert_eq!(text, "def f(x):\n    return x + 1\n\nclass A:\n    pass\n");
        let incremental = doc.tree().unwrap().root_node().to_sexp();
        let fresh = Language::Python
            .parse_str(&text)
            .unwrap()
            .root_node()
            .to_sexp();
        assert_eq!(incremental, fresh);
    }

    #[test]
    fn a_failing_batch_leaves_the_document_untouched() {
        let mut doc = Document::new("abc\n", 1, None);
        let changes = [
            Change {
                range: range((0, 0), (0, 0)),
                text: "X".into(),
            },
            Change {
                range: range((9, 0), (9, 1)),
                text: "Y".into(),
            },
        ];
        let err = doc.apply(2, &changes, Encoding::Utf16).unwrap_err();
        assert!(matches!(
            err,
            SyncError::BadPosition(PositionError::LineOutOfRange { .. })
        ));
        assert_eq!(doc.text().to_string(), "abc\n");
        assert_eq!(doc.version(), 1);
        assert_eq!(
            doc.apply(0, &[], Encoding::Utf16),
            Err(SyncError::VersionWentBackwards {
                current: 1,
                received: 0
            })
        );
    }

    #[test]
    fn huge_documents_keep_text_but_no_tree() {
        let big = "x = 1\n".repeat(MAX_PARSE_BYTES / 6 + 1);
        let mut doc = Document::new(&big, 1, Some(Language::Python));
        assert!(doc.tree().is_none());
        assert_eq!(doc.text().len_bytes(), big.len());
    }
}
