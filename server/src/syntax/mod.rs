//! Language registry: which languages Keel parses, and their tree-sitter grammars.
//!
//! Owns the mapping from LSP `languageId` / file extension to a grammar, one parser per
//! thread and language, and the identifiers of a stretch of code read from its text
//! (`words.rs`, for what cannot afford a tree walk). Knows nothing of LSP, documents or the network; it must never
//! hold a parser across threads (tree-sitter parsers are not `Sync`).

use std::cell::{Cell, RefCell};
use std::ops::ControlFlow;
use std::path::Path;
use std::time::{Duration, Instant};

use tree_sitter::{Node, ParseOptions, ParseState, Parser, Point, QueryCursorState, Tree};

pub mod words;

/// A language Keel has a grammar for. Documents in any other language are kept as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    Rust,
    Python,
}

impl Language {
    pub const ALL: [Language; 2] = [Language::Rust, Language::Python];

    /// The language for an LSP `languageId`, if Keel has a grammar for it.
    pub fn from_language_id(id: &str) -> Option<Language> {
        match id {
            "rust" => Some(Language::Rust),
            "python" => Some(Language::Python),
            _ => None,
        }
    }

    /// The language for a file path, by extension.
    pub fn from_path(path: &Path) -> Option<Language> {
        match path.extension()?.to_str()? {
            "rs" => Some(Language::Rust),
            "py" | "pyi" => Some(Language::Python),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Language::Rust => "rust",
            Language::Python => "python",
        }
    }

    pub fn grammar(self) -> tree_sitter::Language {
        match self {
            Language::Rust => tree_sitter_rust::LANGUAGE.into(),
            Language::Python => tree_sitter_python::LANGUAGE.into(),
        }
    }

    /// Runs `f` with this thread's parser for the language. Parsers are reused because
    /// creating one allocates; they are per thread because they are not `Sync`.
    pub fn with_parser<R>(self, f: impl FnOnce(&mut Parser) -> R) -> R {
        thread_local! {
            static PARSERS: RefCell<Vec<(Language, Parser)>> = const { RefCell::new(Vec::new()) };
        }
        PARSERS.with(|cell| {
            let mut parsers = cell.borrow_mut();
            let index = match parsers.iter().position(|(lang, _)| *lang == self) {
                Some(index) => index,
                None => {
                    let mut parser = Parser::new();
                    // The grammars are compiled in with a matching ABI; a mismatch is a build
                    // error caught by every test, not a runtime condition.
                    if let Err(err) = parser.set_language(&self.grammar()) {
                        tracing::error!("tree-sitter grammar for {} rejected: {err}", self.name());
                    }
                    parsers.push((self, parser));
                    parsers.len() - 1
                }
            };
            f(&mut parsers[index].1)
        })
    }

    /// Parses a whole text from scratch.
    pub fn parse_str(self, text: &str) -> Option<Tree> {
        let bytes = text.as_bytes();
        self.parse_with(
            &mut |byte: usize, _: Point| bytes.get(byte..).unwrap_or_default(),
            bytes.len(),
            None,
        )
    }

    /// Parses the text `read` gives (`len` bytes), reusing `old` (already edited) when
    /// given. `None` when the parse ran past `PARSE_DEADLINE`.
    pub fn parse_with<T: AsRef<[u8]>>(
        self,
        read: &mut impl FnMut(usize, Point) -> T,
        len: usize,
        old: Option<&Tree>,
    ) -> Option<Tree> {
        let start = Instant::now();
        let mut in_time = |_: &ParseState| {
            if start.elapsed() < PARSE_DEADLINE {
                ControlFlow::Continue(())
            } else {
                ControlFlow::Break(())
            }
        };
        self.with_parser(|parser| {
            let options = ParseOptions::new().progress_callback(&mut in_time);
            let tree = parser.parse_with_options(read, old, Some(options));
            if tree.is_none() {
                // A stopped parser resumes its old input on the next call unless reset.
                parser.reset();
                tracing::warn!(
                    "gave up parsing {len} bytes of {} after {} s; features that need the \
                     syntax tree are off for this text",
                    self.name(),
                    PARSE_DEADLINE.as_secs()
                );
            }
            tree
        })
    }
}

/// The longest a parse may take. tree-sitter's error recovery can take minutes on some
/// broken text (random fuzz input of 30 KB did, in a debug build); a normal 4 MB file
/// parses in about a second in a release build.
pub const PARSE_DEADLINE: Duration = Duration::from_secs(10);

/// Deeper than any real code nests (a few dozen levels): generated or hostile text. A
/// tree-sitter query costs each node its depth (the cursor recomputes its status up the
/// stack), so over 50,000 unclosed brackets one rule check took seconds in a release
/// build and most of a minute in a debug one.
pub const MAX_QUERY_DEPTH: usize = 1_000;

/// Whether `tree` nests deeper than `MAX_QUERY_DEPTH`, where whole-file queries (rules,
/// symbols, a file's facts) are not run. One walk down the tree, stopped at the first node
/// too deep.
pub fn too_deep_for_queries(tree: &Tree) -> bool {
    let mut cursor = tree.walk();
    let mut depth = 0;
    loop {
        if cursor.goto_first_child() {
            depth += 1;
            if depth > MAX_QUERY_DEPTH {
                return true;
            }
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                return false;
            }
            depth -= 1;
        }
    }
}

/// The CPU time one whole-file query (the rules, a file's symbols and facts) may use before
/// it stops with the matches it has. Real files take milliseconds in a release build (a
/// 20,000-line module about half a second, and files over 2 MB are not checked at all);
/// text whose tree hides deep nesting
/// where the depth guard cannot see it (50,000 unclosed `[` parse as one flat error node)
/// made each node cost its hidden depth: seconds in a release build, most of a minute in a
/// debug one. The thread's own CPU time, not the clock: a loaded machine must not cut a
/// normal file's check short.
pub const QUERY_CPU_BUDGET: Duration = Duration::from_secs(2);

/// Stops a query that has used `QUERY_CPU_BUDGET` of its thread's CPU time: pass `check`
/// as the query cursor's progress callback, then ask `stopped`.
pub struct QueryBudget {
    until: Duration,
    stopped: Cell<bool>,
}

impl QueryBudget {
    pub fn start() -> QueryBudget {
        QueryBudget::of(QUERY_CPU_BUDGET)
    }

    fn of(budget: Duration) -> QueryBudget {
        QueryBudget {
            until: thread_cpu_time() + budget,
            stopped: Cell::new(false),
        }
    }

    pub fn check(&self, _: &QueryCursorState) -> ControlFlow<()> {
        if thread_cpu_time() < self.until {
            return ControlFlow::Continue(());
        }
        self.stopped.set(true);
        ControlFlow::Break(())
    }

    /// Whether the query was stopped before it saw the whole tree.
    pub fn stopped(&self) -> bool {
        self.stopped.get()
    }
}

/// The CPU time this thread has used.
fn thread_cpu_time() -> Duration {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime only writes the timespec it is given, which lives on this stack.
    let failed = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) } != 0;
    if failed {
        // No thread clock: never stop a query for time.
        return Duration::ZERO;
    }
    Duration::new(
        u64::try_from(now.tv_sec).unwrap_or(0),
        u32::try_from(now.tv_nsec).unwrap_or(0),
    )
}

/// `node`, then each node enclosing it, up to `root`. `Node::parent` searches down from the
/// root on every call (tree-sitter keeps no parent links), so climbing with it costs depth²
/// steps: on one line of 25,000 `a + a + …` (a tree 25,000 deep) a completion's climb took
/// minutes. This walks down once: depth × children per level.
pub fn ancestors<'t>(root: Node<'t>, node: Node<'t>) -> impl Iterator<Item = Node<'t>> {
    let mut chain = vec![root];
    let mut current = root;
    while current != node {
        match current.child_with_descendant(node) {
            Some(child) => {
                chain.push(child);
                current = child;
            }
            // Not under `root`: nothing encloses it here.
            None => {
                chain = vec![node];
                break;
            }
        }
    }
    chain.into_iter().rev()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_languages_without_errors() {
        let rust = Language::Rust
            .parse_str("fn main() { let x = 1; }")
            .unwrap();
        assert!(!rust.root_node().has_error());
        let python = Language::Python
            .parse_str("def f(x):\n    return x\n")
            .unwrap();
        assert!(!python.root_node().has_error());
    }

    #[test]
    fn maps_ids_and_extensions() {
        assert_eq!(Language::from_language_id("python"), Some(Language::Python));
        assert_eq!(Language::from_language_id("markdown"), None);
        assert_eq!(
            Language::from_path(Path::new("a/b.rs")),
            Some(Language::Rust)
        );
        assert_eq!(Language::from_path(Path::new("a/b.txt")), None);
    }

    #[test]
    fn ancestors_climb_from_the_node_to_the_root_in_the_order_parent_gives() {
        let text = "def f():\n    return g(a + b)\n";
        let tree = Language::Python.parse_str(text).unwrap();
        let root = tree.root_node();
        let start = text.find('b').unwrap();
        let node = root.descendant_for_byte_range(start, start + 1).unwrap();
        let climbed: Vec<_> = std::iter::successors(Some(node), |node| node.parent()).collect();
        assert_eq!(ancestors(root, node).collect::<Vec<_>>(), climbed);
        assert_eq!(ancestors(root, root).collect::<Vec<_>>(), vec![root]);
    }

    #[test]
    fn only_trees_deeper_than_real_code_are_too_deep_for_queries() {
        let deep = format!("x = {}1{}\n", "(".repeat(2_000), ")".repeat(2_000));
        assert!(too_deep_for_queries(
            &Language::Python.parse_str(&deep).unwrap()
        ));
        // Sixty nested blocks: deeper than code is written, far from the limit.
        let nested: String = (0..60)
            .map(|depth| format!("{}if x:\n", "    ".repeat(depth)))
            .chain(std::iter::once(format!("{}pass\n", "    ".repeat(60))))
            .collect();
        let tree = Language::Python.parse_str(&nested).unwrap();
        assert!(!tree.root_node().has_error());
        assert!(!too_deep_for_queries(&tree));
    }

    #[test]
    fn a_query_out_of_cpu_time_stops_with_what_it_found() {
        use tree_sitter::{QueryCursor, QueryCursorOptions, StreamingIterator};
        let query =
            tree_sitter::Query::new(&Language::Python.grammar(), "(identifier) @name").unwrap();
        let count = |text: &str, budget: &QueryBudget| {
            let tree = Language::Python.parse_str(text).unwrap();
            let mut within = |state: &QueryCursorState| budget.check(state);
            let mut cursor = QueryCursor::new();
            let mut matches = cursor.matches_with_options(
                &query,
                tree.root_node(),
                text.as_bytes(),
                QueryCursorOptions::new().progress_callback(&mut within),
            );
            let mut found = 0;
            while matches.next().is_some() {
                found += 1;
            }
            found
        };
        let spent = QueryBudget::of(Duration::ZERO);
        count(&format!("x = {}\n", "[".repeat(50_000)), &spent);
        assert!(spent.stopped());
        // A real file is far inside the budget and is read whole.
        let normal = QueryBudget::start();
        let three_names = "def f(a):\n    return a\n";
        assert_eq!(count(&three_names.repeat(200), &normal), 200 * 3);
        assert!(!normal.stopped());
    }

    #[test]
    fn ancestors_of_a_node_25000_levels_deep_take_no_time() {
        let text = format!("x = {}1\n", "a + ".repeat(25_000));
        let tree = Language::Python.parse_str(&text).unwrap();
        let root = tree.root_node();
        let node = root.descendant_for_byte_range(4, 5).unwrap();
        let start = std::time::Instant::now();
        assert!(ancestors(root, node).count() > 25_000);
        // Climbing with `parent()` took minutes here (a debug build); this takes milliseconds.
        assert!(start.elapsed() < std::time::Duration::from_secs(5));
    }
}
