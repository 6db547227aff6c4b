//! The file being checked, with the facts about it that several predicates ask for
//! (computed once, only when asked), and the ways of walking its syntax tree they share.

use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;
use std::path::Path;

use tree_sitter::Node;

use super::flow::{Flow, ModuleValues, local_functions, module_values};
use super::names::import_aliases;
use super::scope::is_test_attribute;
use crate::diagnostics::vocabulary::Vocabulary;
use crate::syntax::Language;

/// Directories of test code, fixtures and samples: every file under one is test code.
const TEST_DIRECTORIES: &[&str] = &["tests", "test", "testing", "benches", "examples"];

/// The file being checked, with facts about it computed once and only when asked.
pub(crate) struct File<'t> {
    pub language: Language,
    pub text: &'t str,
    pub root: Node<'t>,
    pub path: Option<&'t Path>,
    /// The names the predicates know: the built-in ones and the team's.
    pub vocabulary: &'t Vocabulary,
    use_declarations: OnceCell<Vec<String>>,
    async_fn_names: OnceCell<Vec<&'t str>>,
    defines_async: OnceCell<bool>,
    import_aliases: OnceCell<HashMap<&'t str, String>>,
    module_values: OnceCell<ModuleValues<'t>>,
    /// The root's children, in order: where `ancestors` starts its walk down.
    top_level: OnceCell<Vec<Node<'t>>>,
    local_functions: OnceCell<HashMap<&'t str, Node<'t>>>,
    rust_functions: OnceCell<HashMap<&'t str, Vec<Node<'t>>>>,
    /// `#tainted?`/`#trusted?` answers by node id: a rule's patterns often ask both.
    flows: RefCell<HashMap<usize, Flow<'t>>>,
}

impl<'t> File<'t> {
    pub(crate) fn new(
        language: Language,
        text: &'t str,
        root: Node<'t>,
        path: Option<&'t Path>,
        vocabulary: &'t Vocabulary,
    ) -> Self {
        File {
            language,
            text,
            root,
            path,
            vocabulary,
            use_declarations: OnceCell::new(),
            async_fn_names: OnceCell::new(),
            defines_async: OnceCell::new(),
            import_aliases: OnceCell::new(),
            module_values: OnceCell::new(),
            top_level: OnceCell::new(),
            local_functions: OnceCell::new(),
            rust_functions: OnceCell::new(),
            flows: RefCell::new(HashMap::new()),
        }
    }

    pub(super) fn text_of(&self, node: Node<'_>) -> &'t str {
        self.text.get(node.byte_range()).unwrap_or_default()
    }

    /// Test files by name: pytest's `test_*.py`, `*_test.py`, `conftest.py`; Rust's
    /// integration tests and benches (`tests/*.rs`, `benches/*.rs`) and `tests.rs` modules;
    /// and, for a path inside the project, any file under a `tests`, `test`, `testing`,
    /// `benches` or `examples` directory (fixtures, helpers, sample code).
    pub(super) fn is_test_file(&self) -> bool {
        let Some(path) = self.path else { return false };
        if self.in_directory(TEST_DIRECTORIES) {
            return true;
        }
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        match self.language {
            Language::Python => {
                name.starts_with("test_") || name.ends_with("_test.py") || name == "conftest.py"
            }
            Language::Rust => {
                let parent = path
                    .parent()
                    .and_then(|p| p.file_name())
                    .and_then(|n| n.to_str());
                name == "tests.rs" || matches!(parent, Some("tests" | "benches"))
            }
        }
    }

    /// Whether one of the directories the file is in, within the project, has one of
    /// `names`. Only a path relative to the project's root counts (the editor's and
    /// `keel check`'s both are): the directories above a project say nothing about it.
    pub(super) fn in_directory(&self, names: &[impl AsRef<str>]) -> bool {
        let Some(directory) = self
            .path
            .filter(|path| path.is_relative())
            .and_then(Path::parent)
        else {
            return false;
        };
        directory.components().any(|component| {
            component
                .as_os_str()
                .to_str()
                .is_some_and(|part| names.iter().any(|name| name.as_ref() == part))
        })
    }

    /// (ancestor, the child of it on the way down to `node`), innermost first.
    /// `Node::parent` searches down from the root on every call, past every top-level
    /// statement before the node: climbing with it cost each finding in a module of 2,000
    /// statements thousands of steps. This finds the node's top-level statement by binary
    /// search and walks down from there once.
    pub(super) fn ancestors(&self, node: Node<'t>) -> impl Iterator<Item = (Node<'t>, Node<'t>)> {
        let top_level = self.top_level();
        let index = top_level.partition_point(|statement| statement.end_byte() < node.end_byte());
        let statement = top_level[index.min(top_level.len().saturating_sub(1))..]
            .iter()
            .take(2)
            .find(|statement| {
                statement.start_byte() <= node.start_byte()
                    && node.end_byte() <= statement.end_byte()
            })
            .copied();
        let mut chain: Vec<Node<'t>> = match statement {
            Some(statement) if node != self.root => {
                let down = from_root(statement, node);
                if down.first() == Some(&statement) && down.last() == Some(&node) {
                    let mut chain = vec![self.root];
                    chain.extend(down);
                    chain
                } else {
                    from_root(self.root, node)
                }
            }
            _ => from_root(self.root, node),
        };
        // Root first, `node` last: pairs from the innermost out.
        if chain.first() != Some(&self.root) {
            chain.clear();
        }
        (1..chain.len())
            .rev()
            .map(move |at| (chain[at - 1], chain[at]))
    }

    /// The root's named children (the file's top-level statements), in order.
    pub(super) fn top_level(&self) -> &[Node<'t>] {
        self.top_level.get_or_init(|| {
            let mut cursor = self.root.walk();
            self.root.named_children(&mut cursor).collect()
        })
    }

    /// The node's parent, without `Node::parent`'s search from the root.
    pub(super) fn parent(&self, node: Node<'t>) -> Option<Node<'t>> {
        self.ancestors(node).next().map(|(parent, _)| parent)
    }

    /// The text of every Rust `use` declaration, without whitespace.
    pub(super) fn use_declarations(&self) -> &[String] {
        self.use_declarations.get_or_init(|| {
            let mut uses = Vec::new();
            visit(self.root, &mut |node| {
                if node.kind() == "use_declaration" {
                    let text: String = self
                        .text_of(node)
                        .chars()
                        .filter(|c| !c.is_whitespace())
                        .collect();
                    uses.push(text);
                    return false;
                }
                true
            });
            uses
        })
    }

    /// Local name -> qualified name, from the file's imports; a file without the word
    /// `import` is not walked.
    pub(super) fn import_aliases(&self) -> &HashMap<&'t str, String> {
        self.import_aliases.get_or_init(|| {
            if self.text.contains("import") {
                import_aliases(self)
            } else {
                HashMap::new()
            }
        })
    }

    /// What the file's top-level names hold, for the data flow of its functions.
    pub(super) fn module_values(&self) -> &ModuleValues<'t> {
        self.module_values.get_or_init(|| module_values(self))
    }

    /// The file's top-level functions by name, whose returns the data flow follows.
    pub(super) fn local_functions(&self) -> &HashMap<&'t str, Node<'t>> {
        self.local_functions.get_or_init(|| local_functions(self))
    }

    /// A Rust file's functions and methods named `name`: at the top level, in `impl`
    /// blocks and in inline modules.
    pub(super) fn rust_functions(&self, name: &str) -> &[Node<'t>] {
        let functions = self.rust_functions.get_or_init(|| {
            let mut functions: HashMap<&'t str, Vec<Node<'t>>> = HashMap::new();
            let mut pending = vec![self.root];
            while let Some(container) = pending.pop() {
                let mut cursor = container.walk();
                for item in container.named_children(&mut cursor) {
                    match item.kind() {
                        "function_item" => {
                            if let Some(name) = item.child_by_field_name("name") {
                                functions.entry(self.text_of(name)).or_default().push(item);
                            }
                        }
                        "impl_item" | "mod_item" | "trait_item" => {
                            pending.extend(item.child_by_field_name("body"));
                        }
                        _ => {}
                    }
                }
            }
            functions
        });
        functions.get(name).map_or(&[], Vec::as_slice)
    }

    pub(super) fn cached_flow(&self, node: Node<'_>) -> Option<Flow<'t>> {
        self.flows.borrow().get(&node.id()).copied()
    }

    pub(super) fn cache_flow(&self, node: Node<'_>, flow: Flow<'t>) {
        self.flows.borrow_mut().insert(node.id(), flow);
    }

    /// Whether the file can define an async function at all: both languages spell it with
    /// the `async` keyword. Saves walking the tree of the many files that have none.
    pub(super) fn defines_async(&self) -> bool {
        *self
            .defines_async
            .get_or_init(|| self.text.contains("async"))
    }

    /// Names of the `async` functions and methods defined in this file.
    pub(super) fn async_fn_names(&self) -> &[&'t str] {
        self.async_fn_names.get_or_init(|| {
            let mut async_names = Vec::new();
            let mut other_names = Vec::new();
            visit(self.root, &mut |node| {
                // Only definitions have a name worth looking up: the lookup compares field
                // names as strings, too slow to do for every node of the file.
                if let Some(is_async) = self.awaitable_definition(node)
                    && let Some(name) = node.child_by_field_name("name")
                {
                    if is_async {
                        async_names.push(self.text_of(name));
                    } else {
                        other_names.push(self.text_of(name));
                    }
                }
                true
            });
            // A name also defined as a plain function is ambiguous: leave it alone.
            async_names.retain(|name| !other_names.contains(name));
            async_names
        })
    }

    /// For a function definition: whether calling it gives something to await. `None` for
    /// other nodes. `#[tokio::main]`/`#[tokio::test]` make an async fn a plain one, and a
    /// Python decorator may return anything, so those count as plain.
    pub(super) fn awaitable_definition(&self, node: Node<'t>) -> Option<bool> {
        if !matches!(node.kind(), "function_item" | "function_definition") {
            return None;
        }
        let transformed = attributes(node).any(|attribute| {
            let text = self.text_of(attribute);
            let path = text.split('(').next().unwrap_or("").trim();
            path == "main" || path.ends_with("::main") || is_test_attribute(text)
        }) || self
            .parent(node)
            .is_some_and(|parent| parent.kind() == "decorated_definition");
        Some(is_async_function(node) && !transformed)
    }
}

/// `root`, then each node on the way down to `node` (just `[node]` when `node` is not
/// under `root`).
fn from_root<'t>(root: Node<'t>, node: Node<'t>) -> Vec<Node<'t>> {
    let mut chain: Vec<Node<'t>> = crate::syntax::ancestors(root, node).collect();
    chain.reverse();
    chain
}

/// Depth-first walk; `enter` returns whether to look inside the node.
pub(super) fn visit<'t>(root: Node<'t>, enter: &mut impl FnMut(Node<'t>) -> bool) {
    let mut cursor = root.walk();
    loop {
        let node = cursor.node();
        if enter(node) && cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.node() == root {
                return;
            }
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return;
            }
        }
    }
}

pub(super) fn has_child(node: Node<'_>, kind: &str) -> bool {
    let mut cursor = node.walk();
    node.children(&mut cursor).any(|child| child.kind() == kind)
}

pub(super) fn is_async_function(node: Node<'_>) -> bool {
    match node.kind() {
        "function_definition" | "closure_expression" => has_child(node, "async"),
        "function_item" => {
            let mut cursor = node.walk();
            node.children(&mut cursor)
                .any(|child| child.kind() == "function_modifiers" && has_child(child, "async"))
        }
        "async_block" => true,
        _ => false,
    }
}

/// Where code runs as part of a function that is not its enclosing one: a nested function,
/// a lambda or closure, or (Rust) an async block, which is a separate future.
pub(super) fn is_function_boundary(node: Node<'_>) -> bool {
    matches!(
        node.kind(),
        "function_definition" | "lambda" | "function_item" | "closure_expression" | "async_block"
    )
}

/// The `attribute` nodes of the `#[...]` items written just before a Rust item.
pub(super) fn attributes(item: Node<'_>) -> impl Iterator<Item = Node<'_>> {
    std::iter::successors(item.prev_named_sibling(), |node| node.prev_named_sibling())
        .take_while(|node| {
            matches!(
                node.kind(),
                "attribute_item" | "line_comment" | "block_comment"
            )
        })
        .filter(|node| node.kind() == "attribute_item")
        .filter_map(|node| node.named_child(0))
}

/// Whether `found` holds for a node inside `node`, not counting nested functions (their
/// code runs elsewhere).
pub(super) fn contains_in_function(
    node: Node<'_>,
    found: &mut impl FnMut(Node<'_>) -> bool,
) -> bool {
    let mut any = false;
    visit(node, &mut |inner| {
        if any
            || (inner != node
                && matches!(
                    inner.kind(),
                    "function_definition" | "lambda" | "class_definition"
                ))
        {
            return false;
        }
        any = found(inner);
        !any
    });
    any
}

/// `word` occurs in `text` delimited by non-identifier characters.
pub(super) fn contains_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        let is_ident = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        !is_ident(before) && !is_ident(after)
    })
}
