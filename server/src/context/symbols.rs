//! Definitions in one file, found with the language's `symbols.scm`: name, kind, lines,
//! signature text and doc comment. Only these short texts are kept, never the file.

use streaming_iterator::StreamingIterator;
use tree_sitter::{Node, QueryCursor, QueryCursorOptions, QueryCursorState, Tree};

use super::queries;
use crate::syntax::Language;

/// Longest signature kept; longer ones are cut at a line end below it.
const MAX_SIGNATURE: usize = 400;
/// Longest doc kept: its first lines are what says what a thing is.
const MAX_DOC: usize = 300;

/// One definition in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Symbol {
    pub name: String,
    /// The `@definition.<kind>` of the query: function, class, struct, ...
    pub kind: String,
    /// Byte range of the whole definition.
    pub start_byte: usize,
    pub end_byte: usize,
    /// 0-based lines of the definition, inclusive.
    pub start_line: u32,
    pub end_line: u32,
    /// The definition's header (up to its body) or, for small items, the whole item.
    pub signature: String,
    pub doc: Option<String>,
}

impl Symbol {
    /// The text shown to a model: doc and signature, as the language would write them.
    pub fn render(&self, language: Option<Language>) -> String {
        match (&self.doc, language) {
            (Some(doc), Some(Language::Python)) => {
                let indent = " ".repeat(4);
                format!("{}\n{indent}{doc}", self.signature)
            }
            (Some(doc), _) => format!("{doc}\n{}", self.signature),
            (None, _) => self.signature.clone(),
        }
    }
}

/// Every definition the language's symbol query finds in `text` (whose tree is `tree`).
pub fn extract(language: Language, text: &str, tree: &Tree) -> Vec<Symbol> {
    extract_with_reexports(language, text, tree).0
}

/// The definitions, and the names the file's imports make part of it (`@reexport`: a
/// package's `from .engine import Engine as Engine`, a module's `pub use`), by the name
/// they are defined under.
pub fn extract_with_reexports(
    language: Language,
    text: &str,
    tree: &Tree,
) -> (Vec<Symbol>, Vec<String>) {
    let mut reexports = Vec::new();
    let Some(queries) = queries::for_language(language) else {
        return (Vec::new(), reexports);
    };
    if crate::syntax::too_deep_for_queries(tree) {
        return (Vec::new(), reexports);
    }
    let query = &queries.symbols;
    let names = query.capture_names();
    let mut cursor = QueryCursor::new();
    let budget = crate::syntax::QueryBudget::start();
    let mut within_budget = |state: &QueryCursorState| budget.check(state);
    let mut matches = cursor.matches_with_options(
        query,
        tree.root_node(),
        text.as_bytes(),
        QueryCursorOptions::new().progress_callback(&mut within_budget),
    );
    let mut symbols = Vec::new();
    while let Some(found) = matches.next() {
        let mut name = None;
        let mut definition = None;
        for capture in found.captures() {
            let capture_name = names.get(capture.index as usize).copied().unwrap_or("");
            if capture_name == "name" {
                name = Some(capture.node);
            } else if capture_name == "reexport" {
                reexports.extend(text.get(capture.node.byte_range()).map(str::to_string));
            } else if let Some(kind) = capture_name.strip_prefix("definition.") {
                definition = Some((kind, capture.node));
            }
        }
        let (Some(name), Some((kind, node))) = (name, definition) else {
            continue;
        };
        let Some(name_text) = text.get(name.byte_range()) else {
            continue;
        };
        symbols.push(Symbol {
            name: name_text.to_string(),
            kind: kind.to_string(),
            start_byte: node.start_byte(),
            end_byte: node.end_byte(),
            start_line: line(node.start_position().row),
            end_line: line(node.end_position().row),
            signature: signature(kind, node, text),
            doc: doc(language, node, text),
        });
    }
    (symbols, reexports)
}

fn line(row: usize) -> u32 {
    u32::try_from(row).unwrap_or(u32::MAX)
}

/// Kinds whose whole text is the useful part (fields, constants), versus kinds whose body
/// is too long and whose header says what they are.
fn is_header_kind(kind: &str) -> bool {
    matches!(
        kind,
        "function" | "class" | "impl" | "trait" | "module" | "macro"
    )
}

/// The header of `node`: its text up to the start of its body, or all of it for small
/// kinds; cut to `MAX_SIGNATURE` at a line end.
pub(crate) fn signature(kind: &str, node: Node, text: &str) -> String {
    let start = node.start_byte();
    let mut end = node.end_byte();
    if is_header_kind(kind)
        && let Some(body) = node.child_by_field_name("body")
    {
        // Up to the body, leaving out comments between the header and the body.
        let mut walker = node.walk();
        end = node
            .children(&mut walker)
            .take_while(|child| child.id() != body.id())
            .filter(|child| !child.kind().contains("comment"))
            .map(|child| child.end_byte())
            .max()
            .unwrap_or(body.start_byte());
    }
    let Some(slice) = text.get(start..end) else {
        return String::new();
    };
    let slice = slice.trim_end().trim_end_matches('{').trim_end();
    cut(slice, MAX_SIGNATURE)
}

/// A docstring's first paragraph, closed with its own quotes: the rest (arguments,
/// examples) costs more of a prompt than it tells.
fn summary(docstring: &str) -> String {
    let body_start = docstring.find(['"', '\'']).unwrap_or(0);
    let Some(blank) = docstring[body_start..]
        .split_inclusive('\n')
        .scan(body_start, |at, line| {
            let start = *at;
            *at += line.len();
            Some((start, line))
        })
        .skip(1)
        .find(|(_, line)| line.trim().is_empty())
        .map(|(start, _)| start)
    else {
        return docstring.to_string();
    };
    let quote = if docstring.ends_with("'''") {
        "'''"
    } else {
        "\"\"\""
    };
    format!("{}{quote}", docstring[..blank].trim_end())
}

/// At most `max` bytes of `text`, ending at a line end where one is near.
fn cut(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let head = &text[..end];
    match head.rfind('\n') {
        Some(newline) if newline > max / 2 => head[..newline].to_string(),
        _ => head.to_string(),
    }
}

/// The docstring (Python: first statement of the body) or doc comments (Rust: `///` lines
/// right above the item, attributes in between allowed).
fn doc(language: Language, node: Node, text: &str) -> Option<String> {
    match language {
        Language::Python => {
            let body = node.child_by_field_name("body")?;
            let first = body.named_child(0)?;
            let string = first.named_child(0)?;
            if first.kind() != "expression_statement" || string.kind() != "string" {
                return None;
            }
            Some(cut(&summary(text.get(string.byte_range())?), MAX_DOC))
        }
        Language::Rust => {
            let mut lines = Vec::new();
            let mut sibling = node.prev_sibling();
            while let Some(previous) = sibling {
                let content = text.get(previous.byte_range()).unwrap_or("");
                match previous.kind() {
                    "line_comment" if content.starts_with("///") => {
                        // A blank line ends the summary: what follows is detail.
                        if content.trim_end() == "///" {
                            lines.clear();
                        } else {
                            lines.push(content.trim_end());
                        }
                    }
                    "attribute_item" => {}
                    _ => break,
                }
                sibling = previous.prev_sibling();
            }
            if lines.is_empty() {
                return None;
            }
            lines.reverse();
            Some(cut(&lines.join("\n"), MAX_DOC))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn symbols(language: Language, text: &str) -> Vec<Symbol> {
        let tree = language.parse_str(text).unwrap();
        extract(language, text, &tree)
    }

    #[test]
    fn python_functions_classes_methods_and_constants() {
        let text = "TIMEOUT = 30\n\nclass User(Base):\n    \"\"\"A person.\"\"\"\n    name = Column(String)\n\n    def save(self, db):\n        db.add(self)\n\ndef load(id: int) -> User:\n    return User()\n";
        let found = symbols(Language::Python, text);
        let summary: Vec<(&str, &str, &str)> = found
            .iter()
            .map(|s| (s.name.as_str(), s.kind.as_str(), s.signature.as_str()))
            .collect();
        assert!(summary.contains(&("TIMEOUT", "constant", "TIMEOUT = 30")));
        assert!(summary.contains(&("User", "class", "class User(Base):")));
        assert!(summary.contains(&("name", "field", "name = Column(String)")));
        assert!(summary.contains(&("save", "function", "def save(self, db):")));
        assert!(summary.contains(&("load", "function", "def load(id: int) -> User:")));
        let user = found.iter().find(|s| s.name == "User").unwrap();
        assert_eq!(user.doc.as_deref(), Some("\"\"\"A person.\"\"\""));
        assert_eq!((user.start_line, user.end_line), (2, 7));
        assert_eq!(
            user.render(Some(Language::Python)),
            "class User(Base):\n    \"\"\"A person.\"\"\""
        );
    }

    #[test]
    fn docs_keep_their_first_paragraph() {
        let python = "def get(url):\n    \"\"\"Fetch a URL.\n    Follows redirects.\n\n    Args:\n        url: where.\n    \"\"\"\n\nclass A:\n    '''\n    One thing.\n\n    More.\n    '''\n";
        let found = symbols(Language::Python, python);
        let doc = |name: &str| found.iter().find(|s| s.name == name).unwrap().doc.clone();
        assert_eq!(
            doc("get").as_deref(),
            Some("\"\"\"Fetch a URL.\n    Follows redirects.\"\"\"")
        );
        assert_eq!(doc("A").as_deref(), Some("'''\n    One thing.'''"));
        let rust = "/// Opens a pool.\n/// Lazily.\n///\n/// # Examples\n///\n/// ```\n/// let p = open();\n/// ```\npub fn open() {}\n";
        let found = symbols(Language::Rust, rust);
        assert_eq!(
            found[0].doc.as_deref(),
            Some("/// Opens a pool.\n/// Lazily.")
        );
    }

    #[test]
    fn rust_items_with_doc_comments() {
        let text = "/// Where users live.\n#[derive(Debug)]\npub struct Store {\n    pool: Pool,\n}\n\nimpl Store {\n    /// Finds one.\n    pub async fn find(&self, id: i64) -> Option<User> {\n        None\n    }\n}\n\npub const LIMIT: usize = 10;\nenum Role { Admin, Guest }\ntrait Repo { fn get(&self); }\n";
        let found = symbols(Language::Rust, text);
        let find = |name: &str, kind: &str| {
            found
                .iter()
                .find(|s| s.name == name && s.kind == kind)
                .unwrap_or_else(|| panic!("{name} {kind} in {found:#?}"))
        };
        assert_eq!(
            find("Store", "struct").doc.as_deref(),
            Some("/// Where users live.")
        );
        assert_eq!(
            find("Store", "struct").signature,
            "pub struct Store {\n    pool: Pool,\n}"
        );
        assert_eq!(find("Store", "impl").signature, "impl Store");
        let method = find("find", "function");
        assert_eq!(
            method.signature,
            "pub async fn find(&self, id: i64) -> Option<User>"
        );
        assert_eq!(method.doc.as_deref(), Some("/// Finds one."));
        assert_eq!(
            find("LIMIT", "constant").signature,
            "pub const LIMIT: usize = 10;"
        );
        find("Admin", "variant");
        find("Role", "enum");
        find("get", "function");
        find("pool", "field");
    }

    #[test]
    fn module_level_imports_are_reexports_in_any_branch_but_not_inside_definitions() {
        let text = "from .a import top as top\nif TYPE_CHECKING:\n    from .b import in_if\nelif X:\n    from .c import in_elif\nelse:\n    from .d import (in_else as in_else)\ntry:\n    from .e import in_try\nexcept ImportError:\n    from .f import in_except\n\ndef f():\n    from .g import in_function\n\nclass C:\n    from .h import in_class\n";
        let tree = Language::Python.parse_str(text).unwrap();
        let (_, mut reexports) = extract_with_reexports(Language::Python, text, &tree);
        reexports.sort();
        assert_eq!(
            reexports,
            ["in_elif", "in_else", "in_except", "in_if", "in_try", "top"]
        );
    }

    #[test]
    fn broken_code_still_yields_what_parses() {
        let found = symbols(Language::Python, "def ok(a):\n    pass\n\ndef broken(:\n");
        assert!(found.iter().any(|s| s.name == "ok"));
    }
}
