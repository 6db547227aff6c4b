//! Keel's query predicates: the questions a plain tree-sitter query cannot ask (is this
//! call inside an `async` function, inside a loop, inside test code; is this string built
//! by formatting). Each is written `(#name? @capture args...)` and negated as
//! `(#not-name? @capture ...)`; `queries/README.md` documents them for rule authors.

use std::cell::OnceCell;
use std::path::Path;

use tree_sitter::{Node, QueryPredicate, QueryPredicateArg};

use super::captures::Captured;
use crate::syntax::Language;

/// One predicate of one query pattern, ready to evaluate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Predicate {
    condition: Condition,
    capture: u32,
    negated: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Condition {
    InsideAsync,
    InsideLoop,
    InsideTest,
    InsideExcept,
    InsideRouteHandler,
    InsideResultFn,
    HasKwarg(Vec<String>),
    LacksKwarg(Vec<String>),
    Formatted,
    Awaited,
    HeldAcrossAwait,
    SecretName,
    /// With the capture of the name the literal is given to.
    SecretLiteral(u32),
    ImportedFrom(String),
    CallsLocalAsyncFn,
    Literal,
    Raises,
    Handles,
    MentionsPassword,
}

/// What a predicate takes after its first capture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Arguments {
    Nothing,
    /// One or more strings.
    Strings,
    /// Exactly one string.
    OneString,
    /// Exactly one more capture.
    Capture,
}

/// The arguments of one use of a predicate, checked against its `Arguments`.
struct Given {
    strings: Vec<String>,
    capture: Option<u32>,
}

struct Spec {
    name: &'static str,
    languages: &'static [Language],
    arguments: Arguments,
    /// Its arguments as written, for error messages: `@args "timeout" ...`.
    usage: &'static str,
    build: fn(Given) -> Condition,
}

const BOTH: &[Language] = &[Language::Python, Language::Rust];
const PYTHON: &[Language] = &[Language::Python];
const RUST: &[Language] = &[Language::Rust];

const fn spec(
    name: &'static str,
    languages: &'static [Language],
    arguments: Arguments,
    usage: &'static str,
    build: fn(Given) -> Condition,
) -> Spec {
    Spec {
        name,
        languages,
        arguments,
        usage,
        build,
    }
}

/// Every predicate Keel adds to tree-sitter's. `queries/README.md` documents each.
const PREDICATES: &[Spec] = &[
    spec("inside-async", BOTH, Arguments::Nothing, "@call", |_| {
        Condition::InsideAsync
    }),
    spec("inside-loop", BOTH, Arguments::Nothing, "@call", |_| {
        Condition::InsideLoop
    }),
    spec("inside-test", BOTH, Arguments::Nothing, "@call", |_| {
        Condition::InsideTest
    }),
    spec("inside-except", PYTHON, Arguments::Nothing, "@call", |_| {
        Condition::InsideExcept
    }),
    spec(
        "inside-route-handler",
        PYTHON,
        Arguments::Nothing,
        "@call",
        |_| Condition::InsideRouteHandler,
    ),
    spec(
        "inside-result-fn",
        RUST,
        Arguments::Nothing,
        "@call",
        |_| Condition::InsideResultFn,
    ),
    spec(
        "has-kwarg",
        PYTHON,
        Arguments::Strings,
        "@args \"timeout\" ...",
        |given| Condition::HasKwarg(given.strings),
    ),
    spec(
        "lacks-kwarg",
        PYTHON,
        Arguments::Strings,
        "@args \"timeout\" ...",
        |given| Condition::LacksKwarg(given.strings),
    ),
    spec("formatted", BOTH, Arguments::Nothing, "@sql", |_| {
        Condition::Formatted
    }),
    spec("awaited", BOTH, Arguments::Nothing, "@call", |_| {
        Condition::Awaited
    }),
    spec(
        "held-across-await",
        RUST,
        Arguments::Nothing,
        "@guard",
        |_| Condition::HeldAcrossAwait,
    ),
    spec("secret-name", BOTH, Arguments::Nothing, "@name", |_| {
        Condition::SecretName
    }),
    spec(
        "secret-literal",
        BOTH,
        Arguments::Capture,
        "@value @name",
        |given| Condition::SecretLiteral(given.capture.unwrap_or_default()),
    ),
    spec(
        "imported-from",
        RUST,
        Arguments::OneString,
        "@path \"reqwest\"",
        |given| Condition::ImportedFrom(given.strings.into_iter().next().unwrap_or_default()),
    ),
    spec(
        "calls-local-async-fn",
        BOTH,
        Arguments::Nothing,
        "@call",
        |_| Condition::CallsLocalAsyncFn,
    ),
    spec("literal", BOTH, Arguments::Nothing, "@value", |_| {
        Condition::Literal
    }),
    spec("raises", PYTHON, Arguments::Nothing, "@body", |_| {
        Condition::Raises
    }),
    spec("handles", PYTHON, Arguments::Nothing, "@clause", |_| {
        Condition::Handles
    }),
    spec(
        "mentions-password",
        PYTHON,
        Arguments::Nothing,
        "@arguments",
        |_| Condition::MentionsPassword,
    ),
];

impl Predicate {
    /// Reads one of Keel's predicates, or says what is wrong with it.
    pub(crate) fn parse(raw: &QueryPredicate, language: Language) -> Result<Predicate, String> {
        let operator = &*raw.operator;
        let Some(name) = operator.strip_suffix('?') else {
            return Err(format!(
                "unknown directive `#{operator}`; Keel's predicates end in `?` (see queries/README.md)"
            ));
        };
        let (negated, name) = match name.strip_prefix("not-") {
            Some(rest) => (true, rest),
            None => (false, name),
        };
        let Some(spec) = PREDICATES.iter().find(|spec| spec.name == name) else {
            let known: Vec<String> = PREDICATES
                .iter()
                .map(|spec| format!("#{}?", spec.name))
                .collect();
            return Err(format!(
                "unknown predicate `#{operator}`; known: {} and tree-sitter's #eq?, #match?, #any-of?",
                known.join(", ")
            ));
        };
        if !spec.languages.contains(&language) {
            return Err(format!(
                "predicate `#{operator}` does not apply to {} code",
                language.name()
            ));
        }
        let usage = || format!("write it as (#{operator} {})", spec.usage);
        let Some((QueryPredicateArg::Capture(capture), rest)) = raw.args.split_first() else {
            return Err(usage());
        };
        let mut given = Given {
            strings: Vec::new(),
            capture: None,
        };
        let mut extra_captures = 0;
        for arg in rest {
            match arg {
                QueryPredicateArg::String(value) => given.strings.push(value.to_string()),
                QueryPredicateArg::Capture(index) => {
                    given.capture = Some(*index);
                    extra_captures += 1;
                }
            }
        }
        let fits = match spec.arguments {
            Arguments::Nothing => given.strings.is_empty() && extra_captures == 0,
            Arguments::Strings => !given.strings.is_empty() && extra_captures == 0,
            Arguments::OneString => given.strings.len() == 1 && extra_captures == 0,
            Arguments::Capture => given.strings.is_empty() && extra_captures == 1,
        };
        if !fits {
            return Err(usage());
        }
        Ok(Predicate {
            condition: (spec.build)(given),
            capture: *capture,
            negated,
        })
    }

    pub(crate) fn capture(&self) -> u32 {
        self.capture
    }

    /// Whether the predicate holds for `node` (the node of its capture) in this match.
    pub(crate) fn holds(
        &self,
        node: Node<'_>,
        captured: &Captured<'_, '_>,
        file: &File<'_>,
    ) -> bool {
        let result = match &self.condition {
            Condition::InsideAsync => inside_async(node),
            Condition::InsideLoop => inside_loop(node, file.language),
            Condition::InsideTest => file.is_test_file() || inside_test(node, file),
            Condition::InsideExcept => inside_except(node),
            Condition::InsideRouteHandler => inside_route_handler(node, file.text),
            Condition::InsideResultFn => inside_result_fn(node, file.text),
            Condition::HasKwarg(names) => keyword_argument(node, names, file.text),
            Condition::LacksKwarg(names) => {
                !keyword_argument(node, names, file.text) && !has_child(node, "dictionary_splat")
            }
            Condition::Formatted => formatted(node, file, 0),
            Condition::Awaited => node
                .parent()
                .is_some_and(|parent| matches!(parent.kind(), "await_expression" | "await")),
            Condition::HeldAcrossAwait => held_across_await(node, file.text),
            Condition::SecretName => is_secret_name(&name_text(node, file.text)),
            Condition::SecretLiteral(name) => {
                let name = captured
                    .node_by_index(*name)
                    .map(|name| name_text(name, file.text))
                    .unwrap_or_default();
                is_secret_literal(node, &name, file.text)
            }
            Condition::ImportedFrom(path) => imported_from(node, path, file),
            Condition::CallsLocalAsyncFn => calls_local_async_fn(node, file),
            Condition::Literal => is_literal(node),
            Condition::Raises => contains_in_function(node, &mut |n| n.kind() == "raise_statement"),
            Condition::Handles => handles_exception(node, file.text),
            Condition::MentionsPassword => mentions_password(node, file.text),
        };
        result != self.negated
    }
}

/// The file being checked, with facts about it computed once and only when asked.
pub(crate) struct File<'t> {
    pub language: Language,
    pub text: &'t str,
    pub root: Node<'t>,
    pub path: Option<&'t Path>,
    use_declarations: OnceCell<Vec<String>>,
    async_fn_names: OnceCell<Vec<&'t str>>,
    defines_async: OnceCell<bool>,
}

impl<'t> File<'t> {
    pub(crate) fn new(
        language: Language,
        text: &'t str,
        root: Node<'t>,
        path: Option<&'t Path>,
    ) -> Self {
        File {
            language,
            text,
            root,
            path,
            use_declarations: OnceCell::new(),
            async_fn_names: OnceCell::new(),
            defines_async: OnceCell::new(),
        }
    }

    fn text_of(&self, node: Node<'_>) -> &'t str {
        self.text.get(node.byte_range()).unwrap_or_default()
    }

    /// Test files by name: pytest's `test_*.py`, `*_test.py`, `conftest.py`; Rust's
    /// integration tests and benches (`tests/*.rs`, `benches/*.rs`) and `tests.rs` modules.
    fn is_test_file(&self) -> bool {
        let Some(path) = self.path else { return false };
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

    /// The text of every Rust `use` declaration, without whitespace.
    fn use_declarations(&self) -> &[String] {
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

    /// Whether the file can define an async function at all: both languages spell it with
    /// the `async` keyword. Saves walking the tree of the many files that have none.
    fn defines_async(&self) -> bool {
        *self
            .defines_async
            .get_or_init(|| self.text.contains("async"))
    }

    /// Names of the `async` functions and methods defined in this file.
    fn async_fn_names(&self) -> &[&'t str] {
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
    fn awaitable_definition(&self, node: Node<'_>) -> Option<bool> {
        if !matches!(node.kind(), "function_item" | "function_definition") {
            return None;
        }
        let transformed = attributes(node).any(|attribute| {
            let text = self.text_of(attribute);
            let path = text.split('(').next().unwrap_or("").trim();
            path == "main" || path.ends_with("::main") || is_test_attribute(text)
        }) || node
            .parent()
            .is_some_and(|parent| parent.kind() == "decorated_definition");
        Some(is_async_function(node) && !transformed)
    }
}

/// Depth-first walk; `enter` returns whether to look inside the node.
fn visit<'t>(root: Node<'t>, enter: &mut impl FnMut(Node<'t>) -> bool) {
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

/// (ancestor, the child of it on the way down to the start node), innermost first.
fn ancestors(node: Node<'_>) -> impl Iterator<Item = (Node<'_>, Node<'_>)> {
    std::iter::successors(node.parent().map(|parent| (parent, node)), |(parent, _)| {
        parent.parent().map(|grand| (grand, *parent))
    })
}

fn has_child(node: Node<'_>, kind: &str) -> bool {
    let mut cursor = node.walk();
    node.children(&mut cursor).any(|child| child.kind() == kind)
}

fn is_async_function(node: Node<'_>) -> bool {
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
fn is_function_boundary(node: Node<'_>) -> bool {
    matches!(
        node.kind(),
        "function_definition" | "lambda" | "function_item" | "closure_expression" | "async_block"
    )
}

fn inside_async(node: Node<'_>) -> bool {
    ancestors(node)
        .find(|(ancestor, _)| is_function_boundary(*ancestor))
        .is_some_and(|(function, _)| is_async_function(function))
}

/// Inside code that runs once per iteration: a loop body or condition, or a
/// comprehension past its first iterable (which is evaluated once).
fn inside_loop(node: Node<'_>, language: Language) -> bool {
    for (ancestor, child) in ancestors(node) {
        let is_field = |field: &str| ancestor.child_by_field_name(field) == Some(child);
        match (language, ancestor.kind()) {
            (Language::Python, "function_definition" | "lambda" | "class_definition")
            | (Language::Rust, "function_item") => return false,
            (Language::Python, "for_statement") | (Language::Rust, "for_expression")
                if is_field("body") =>
            {
                return true;
            }
            (Language::Python, "while_statement") | (Language::Rust, "while_expression")
                if is_field("body") || is_field("condition") =>
            {
                return true;
            }
            (Language::Rust, "loop_expression") => return true,
            (
                Language::Python,
                "list_comprehension"
                | "set_comprehension"
                | "dictionary_comprehension"
                | "generator_expression",
            ) => {
                let mut cursor = ancestor.walk();
                let first_iterable = ancestor
                    .named_children(&mut cursor)
                    .find(|clause| clause.kind() == "for_in_clause")
                    .and_then(|clause| clause.child_by_field_name("right"));
                let in_first_iterable = first_iterable.is_some_and(|iterable| {
                    iterable.start_byte() <= node.start_byte()
                        && node.end_byte() <= iterable.end_byte()
                });
                if !in_first_iterable {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

fn inside_test(node: Node<'_>, file: &File<'_>) -> bool {
    match file.language {
        Language::Python => ancestors(node).any(|(ancestor, _)| {
            let name = ancestor
                .child_by_field_name("name")
                .map(|name| file.text_of(name))
                .unwrap_or("");
            match ancestor.kind() {
                "function_definition" => name.starts_with("test_") || name == "test",
                "class_definition" => name.starts_with("Test"),
                _ => false,
            }
        }),
        Language::Rust => {
            let file_is_test = {
                let mut cursor = file.root.walk();
                file.root.named_children(&mut cursor).any(|item| {
                    item.kind() == "inner_attribute_item"
                        && item
                            .named_child(0)
                            .is_some_and(|attr| is_test_attribute(file.text_of(attr)))
                })
            };
            file_is_test
                || ancestors(node).any(|(ancestor, _)| {
                    matches!(ancestor.kind(), "function_item" | "mod_item" | "impl_item")
                        && attributes(ancestor)
                            .any(|attribute| is_test_attribute(file.text_of(attribute)))
                })
        }
    }
}

/// The `attribute` nodes of the `#[...]` items written just before a Rust item.
fn attributes(item: Node<'_>) -> impl Iterator<Item = Node<'_>> {
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

/// `test`, `tokio::test` (any `…::test`), `rstest`, `test_case(..)`, `cfg(test)` and
/// `cfg(all(test, ..))`, but not `cfg(not(test))`.
fn is_test_attribute(attribute: &str) -> bool {
    let compact: String = attribute.chars().filter(|c| !c.is_whitespace()).collect();
    let path = compact.split('(').next().unwrap_or("");
    if path == "cfg" {
        return contains_word(&compact, "test") && !compact.contains("not(test");
    }
    path == "test" || path.ends_with("::test") || path == "rstest" || path == "test_case"
}

fn inside_except(node: Node<'_>) -> bool {
    for (ancestor, child) in ancestors(node) {
        match ancestor.kind() {
            "function_definition" | "lambda" | "class_definition" => return false,
            "except_clause" | "except_group_clause" if child.kind() == "block" => return true,
            _ => {}
        }
    }
    false
}

const ROUTE_DECORATORS: &[&str] = &[
    "get",
    "post",
    "put",
    "patch",
    "delete",
    "head",
    "options",
    "route",
    "api_route",
    "websocket",
];
const VIEW_METHODS: &[&str] = &["get", "post", "put", "patch", "delete", "list", "retrieve"];

/// The nearest function is a web route: decorated with `@app.get("/..")`,
/// `@router.post("/..")`, `@bp.route("/..")` or `@api_view(..)`, or a method named for an
/// HTTP verb in a class whose base is a `…View`/`…ViewSet`.
fn inside_route_handler(node: Node<'_>, text: &str) -> bool {
    let Some((function, _)) = ancestors(node)
        .find(|(ancestor, _)| matches!(ancestor.kind(), "function_definition" | "lambda"))
    else {
        return false;
    };
    if function.kind() == "lambda" {
        return false;
    }
    let source = |node: Node<'_>| text.get(node.byte_range()).unwrap_or("");
    if let Some(decorated) = function
        .parent()
        .filter(|p| p.kind() == "decorated_definition")
    {
        let mut cursor = decorated.walk();
        let routed = decorated.named_children(&mut cursor).any(|decorator| {
            let Some(call) = decorator.named_child(0).filter(|c| c.kind() == "call") else {
                return false;
            };
            let Some(callee) = call.child_by_field_name("function") else {
                return false;
            };
            if source(callee) == "api_view" {
                return true;
            }
            let verb = callee
                .child_by_field_name("attribute")
                .map(source)
                .unwrap_or("");
            let first_argument = call
                .child_by_field_name("arguments")
                .and_then(|args| args.named_child(0))
                .map(source)
                .unwrap_or("");
            ROUTE_DECORATORS.contains(&verb)
                && (first_argument.starts_with("\"/") || first_argument.starts_with("'/"))
        });
        if routed {
            return true;
        }
    }
    let name = function
        .child_by_field_name("name")
        .map(source)
        .unwrap_or("");
    let class = ancestors(function)
        .map(|(ancestor, _)| ancestor)
        .find(|ancestor| matches!(ancestor.kind(), "class_definition" | "function_definition"))
        .filter(|ancestor| ancestor.kind() == "class_definition");
    let is_view_class = class
        .and_then(|class| class.child_by_field_name("superclasses"))
        .is_some_and(|bases| source(bases).contains("View"));
    is_view_class && VIEW_METHODS.contains(&name)
}

/// Rust: the nearest function (closures and async blocks are their own) returns a
/// `Result` (`Result<..>`, `io::Result<..>`, an alias like `ApiResult<..>`), so `?` is
/// there to use. `Poll<Result<..>>` and the like do not count.
fn inside_result_fn(node: Node<'_>, text: &str) -> bool {
    let returns = ancestors(node)
        .find(|(ancestor, _)| is_function_boundary(*ancestor))
        .filter(|(function, _)| function.kind() == "function_item")
        .and_then(|(function, _)| function.child_by_field_name("return_type"));
    let Some(returns) = returns else {
        return false;
    };
    let outer = match returns.kind() {
        "generic_type" => returns.child_by_field_name("type").unwrap_or(returns),
        _ => returns,
    };
    text.get(outer.byte_range())
        .is_some_and(|name| name.ends_with("Result"))
}

fn keyword_argument(arguments: Node<'_>, names: &[String], text: &str) -> bool {
    let mut cursor = arguments.walk();
    arguments.named_children(&mut cursor).any(|argument| {
        argument.kind() == "keyword_argument"
            && argument
                .child_by_field_name("name")
                .and_then(|name| text.get(name.byte_range()))
                .is_some_and(|name| names.iter().any(|wanted| wanted == name))
    })
}

/// How many assignments back `formatted` follows a variable (`q = f"..."; run(q)`).
const MAX_ASSIGNMENT_HOPS: u8 = 3;

/// A string built at run time from values: an f-string or `format!` with placeholders,
/// `%` or `.format(..)` with arguments, `+` joining a literal and a non-constant, or a
/// variable assigned one of those earlier in the same function.
fn formatted(node: Node<'_>, file: &File<'_>, hops: u8) -> bool {
    let text = file.text;
    let source = |node: Node<'_>| text.get(node.byte_range()).unwrap_or("");
    match node.kind() {
        "parenthesized_expression" | "reference_expression" => node
            .child_by_field_name("value")
            .or_else(|| node.named_child(0))
            .is_some_and(|inner| formatted(inner, file, hops)),
        // Python; an f-string of constants (`f"{TABLE}"`) is a constant.
        "string" => {
            let mut cursor = node.walk();
            node.named_children(&mut cursor).any(|part| {
                part.kind() == "interpolation"
                    && !part
                        .child_by_field_name("expression")
                        .is_some_and(|value| is_inert_value(value, file.text))
            })
        }
        "concatenated_string" => {
            let mut cursor = node.walk();
            node.named_children(&mut cursor)
                .any(|part| formatted(part, file, hops))
        }
        "binary_operator" => {
            let operator = node.child_by_field_name("operator").map(|op| op.kind());
            let left = node.child_by_field_name("left");
            match operator {
                Some("%") => {
                    let right = node.child_by_field_name("right");
                    left.is_some_and(|left| matches!(left.kind(), "string" | "concatenated_string"))
                        && !right.is_some_and(|right| is_inert_value(right, file.text))
                }
                Some("+") => joins_literal_and_value(node, file),
                _ => false,
            }
        }
        "call" => {
            let callee = node.child_by_field_name("function");
            let is_format = callee
                .filter(|callee| callee.kind() == "attribute")
                .and_then(|callee| callee.child_by_field_name("attribute"))
                .is_some_and(|method| source(method) == "format");
            let has_arguments = node
                .child_by_field_name("arguments")
                .is_some_and(|args| args.named_child_count() > 0);
            is_format && has_arguments
        }
        // Rust
        "macro_invocation" => is_formatting_macro(node, text),
        "binary_expression" => {
            node.child_by_field_name("operator").map(|op| op.kind()) == Some("+")
                && joins_literal_and_value(node, file)
        }
        "call_expression" => {
            // `format!(..).as_str()` and friends pass the string through.
            let callee = node.child_by_field_name("function");
            let passes_through = callee
                .filter(|callee| callee.kind() == "field_expression")
                .and_then(|callee| callee.child_by_field_name("field"))
                .is_some_and(|method| {
                    matches!(
                        source(method),
                        "as_str" | "as_ref" | "to_string" | "to_owned" | "clone" | "into"
                    )
                });
            passes_through
                && callee
                    .and_then(|callee| callee.child_by_field_name("value"))
                    .is_some_and(|receiver| formatted(receiver, file, hops))
        }
        "identifier" if hops < MAX_ASSIGNMENT_HOPS => assigned_formatted(node, file, hops + 1),
        _ => false,
    }
}

/// `format!`-family macro with a placeholder or argument that is not a constant
/// (`format!("{TABLE}")` and `format!("{}", TABLE)` build constants).
fn is_formatting_macro(node: Node<'_>, text: &str) -> bool {
    let name = node
        .child_by_field_name("macro")
        .and_then(|m| text.get(m.byte_range()))
        .unwrap_or("");
    let name = name.rsplit("::").next().unwrap_or(name);
    if !matches!(name, "format" | "format_args") {
        return false;
    }
    let Some(tokens) = node.named_child(1).filter(|t| t.kind() == "token_tree") else {
        return false;
    };
    let mut cursor = tokens.walk();
    let mut parts = tokens.named_children(&mut cursor);
    let template = parts
        .next()
        .filter(|t| matches!(t.kind(), "string_literal" | "raw_string_literal"))
        .and_then(|t| text.get(t.byte_range()))
        .unwrap_or("");
    let variable_argument = parts.any(|argument| {
        argument.kind() != "identifier"
            || !is_constant_name(text.get(argument.byte_range()).unwrap_or(""))
    });
    variable_argument
        || format_placeholders(template)
            .iter()
            .any(|name| !is_constant_name(name))
}

/// The inline names of a format string's placeholders: `{}`/`{0}`/`{:?}` give `""`
/// (an argument follows), `{id}` gives `id`; `{{` is an escaped brace.
fn format_placeholders(template: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        if let Some(escaped) = after.strip_prefix('{') {
            rest = escaped;
            continue;
        }
        let end = after.find('}').unwrap_or(after.len());
        let spec = &after[..end];
        let name = spec.split(':').next().unwrap_or("").trim();
        if !name.chars().all(|c| c.is_ascii_digit()) {
            names.push(name);
        }
        rest = after.get(end + 1..).unwrap_or("");
    }
    names
}

/// A `+` chain with at least one string literal and at least one value that is not a
/// constant (a literal, or an UPPER_CASE name).
fn joins_literal_and_value(node: Node<'_>, file: &File<'_>) -> bool {
    let mut has_literal = false;
    let mut has_value = false;
    let mut stack = vec![node];
    while let Some(part) = stack.pop() {
        let is_plus = matches!(part.kind(), "binary_operator" | "binary_expression")
            && part.child_by_field_name("operator").map(|op| op.kind()) == Some("+");
        if is_plus {
            stack.extend(part.child_by_field_name("left"));
            stack.extend(part.child_by_field_name("right"));
            continue;
        }
        match part.kind() {
            "string" | "concatenated_string" | "string_literal" | "raw_string_literal"
                if !formatted(part, file, MAX_ASSIGNMENT_HOPS) =>
            {
                has_literal = true
            }
            "identifier" if is_constant_name(file.text_of(part)) => {}
            "call" if is_inert_value(part, file.text) => {}
            _ => {
                has_literal |= formatted(part, file, MAX_ASSIGNMENT_HOPS);
                has_value = true;
            }
        }
    }
    has_literal && has_value
}

/// Functions whose result cannot carry SQL or markup of its own: identifier quoting
/// (Django's `quote_name`, SQLAlchemy's `quote`, psycopg's `quote_ident`), escaping, and
/// numbers. Table and column names cannot be bound parameters, so quoting is the fix.
const INERT_CALLS: &[&str] = &[
    "quote_name",
    "quote_identifier",
    "quote_ident",
    "quote",
    "escape",
    "conditional_escape",
    "escape_string",
    "int",
    "float",
    "len",
];

/// A constant value, or a value made safe to splice: a call to one of `INERT_CALLS`,
/// `str()` of one, or a tuple or dict of such values.
fn is_inert_value(node: Node<'_>, text: &str) -> bool {
    let all_inert = |parts: &mut dyn Iterator<Item = Node<'_>>| {
        let mut parts = parts.peekable();
        parts.peek().is_some() && parts.all(|part| is_inert_value(part, text))
    };
    match node.kind() {
        "call" => {
            let name = node
                .child_by_field_name("function")
                .map(|callee| match callee.kind() {
                    "attribute" => callee.child_by_field_name("attribute").unwrap_or(callee),
                    _ => callee,
                })
                .and_then(|name| text.get(name.byte_range()))
                .unwrap_or("");
            let arguments = node.child_by_field_name("arguments");
            if name == "str" {
                let mut cursor = node.walk();
                return arguments.is_some_and(|args| {
                    args.named_child_count() == 1
                        && all_inert(&mut args.named_children(&mut cursor))
                });
            }
            INERT_CALLS.contains(&name)
        }
        "tuple" | "parenthesized_expression" => {
            let mut cursor = node.walk();
            all_inert(&mut node.named_children(&mut cursor))
        }
        "dictionary" => {
            let mut cursor = node.walk();
            // A `**splat` entry has no value to check: not inert.
            let mut values = node.named_children(&mut cursor).map(|pair| {
                pair.child_by_field_name("value")
                    .filter(|_| pair.kind() == "pair")
                    .unwrap_or(pair)
            });
            all_inert(&mut values)
        }
        _ => is_constant_value(node, text),
    }
}

/// A literal (string without placeholders, number, `None`/`True`/`False`) or an
/// UPPER_CASE name: what `%` can format without building anything at run time.
fn is_constant_value(node: Node<'_>, text: &str) -> bool {
    match node.kind() {
        "integer" | "float" | "none" | "true" | "false" => true,
        "identifier" => is_constant_name(text.get(node.byte_range()).unwrap_or("")),
        _ => is_literal(node),
    }
}

fn is_constant_name(name: &str) -> bool {
    name.chars().any(|c| c.is_ascii_uppercase())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// A variable given a formatted value earlier in the same function (or module):
/// `q = f"..{x}"`, `q += f"..{x}"`, `let q = format!(..)`, `q = format!(..)`.
fn assigned_formatted(name: Node<'_>, file: &File<'_>, hops: u8) -> bool {
    let wanted = file.text_of(name);
    let scope = ancestors(name)
        .map(|(ancestor, _)| ancestor)
        .find(|ancestor| is_function_boundary(*ancestor))
        .unwrap_or(file.root);
    let mut found = false;
    visit(scope, &mut |node| {
        if found || node.start_byte() >= name.start_byte() {
            return false;
        }
        if node != scope && is_function_boundary(node) {
            return false;
        }
        let (target, value, augmented) = match node.kind() {
            "assignment" => (
                node.child_by_field_name("left"),
                node.child_by_field_name("right"),
                false,
            ),
            "augmented_assignment" | "compound_assignment_expr" => (
                node.child_by_field_name("left"),
                node.child_by_field_name("right"),
                true,
            ),
            "let_declaration" => (
                node.child_by_field_name("pattern"),
                node.child_by_field_name("value"),
                false,
            ),
            "assignment_expression" => (
                node.child_by_field_name("left"),
                node.child_by_field_name("right"),
                false,
            ),
            _ => return true,
        };
        let targets_name =
            target.is_some_and(|t| t.kind() == "identifier" && file.text_of(t) == wanted);
        if let (true, Some(value)) = (targets_name, value) {
            let constant_literal = matches!(
                value.kind(),
                "string" | "string_literal" | "raw_string_literal"
            ) || (value.kind() == "identifier"
                && is_constant_name(file.text_of(value)));
            found = formatted(value, file, hops) || (augmented && !constant_literal);
        }
        true
    });
    found
}

/// Rust: the guard bound by this `let` is still alive at a later `.await` in its block
/// (before any `drop(guard)`).
fn held_across_await(guard: Node<'_>, text: &str) -> bool {
    let Some(declaration) = guard.parent().filter(|p| p.kind() == "let_declaration") else {
        return false;
    };
    let name = text.get(guard.byte_range()).unwrap_or("");
    let drop_call = format!("drop({name})");
    for statement in
        std::iter::successors(declaration.next_named_sibling(), |s| s.next_named_sibling())
    {
        let statement_text: String = text
            .get(statement.byte_range())
            .unwrap_or("")
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        if statement_text.starts_with(&drop_call) {
            return false;
        }
        let mut awaits = false;
        visit(statement, &mut |node| {
            if awaits || (node != statement && is_function_boundary(node)) {
                return false;
            }
            awaits = node.kind() == "await_expression";
            !awaits
        });
        if awaits {
            return true;
        }
    }
    false
}

/// A name that says it holds a secret (`password`, `api_key`, `DB_PASSWD`, `authToken`),
/// but not one about a secret (`token_url`, `password_field`, `tokenizer`, `is_secret`,
/// `next_token`, `http_tokens`), nor a key that is not a name at all (`"AWS::Secret"`).
pub(crate) fn is_secret_name(name: &str) -> bool {
    let looks_like_a_name = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if !looks_like_a_name {
        return false;
    }
    let words = split_words(name);
    let joined: String = words.concat();
    let has_secret = [
        "password",
        "passwd",
        "secret",
        "token",
        "apikey",
        "privatekey",
    ]
    .iter()
    .any(|word| joined.contains(word))
        || words.iter().any(|word| word == "pwd");
    let about_a_secret = ["tokeniz", "tokenis", "secretar", "tokenname", "tokentype"]
        .iter()
        .any(|word| joined.contains(word))
        || words
            .iter()
            .any(|word| NOT_SECRET_WORDS.contains(&word.as_str()))
        || words
            .last()
            .is_some_and(|last| NOT_SECRET_LAST_WORDS.contains(&last.as_str()))
        || words
            .first()
            .is_some_and(|first| NOT_SECRET_FIRST_WORDS.contains(&first.as_str()));
    has_secret && !about_a_secret
}

/// Words that make a name about something other than a secret's value wherever they are:
/// plurals (settings, lists), and the tokens of parsers, pagination and concurrency.
const NOT_SECRET_WORDS: &[&str] = &[
    "tokens",
    "secrets",
    "passwords",
    "keys",
    "next",
    "page",
    "continuation",
    "pagination",
    "starting",
    "cancel",
    "cancellation",
    "acquire",
    "lexer",
    "parser",
    "idempotency",
    "pos",
    "position",
    "index",
    "idx",
    "offset",
    "span",
];
const NOT_SECRET_LAST_WORDS: &[&str] = &[
    "url",
    "uri",
    "endpoint",
    "field",
    "fields",
    "name",
    "label",
    "type",
    "header",
    "env",
    "var",
    "path",
    "file",
    "dir",
    "len",
    "length",
    "prefix",
    "suffix",
    "param",
    "regex",
    "pattern",
    "prompt",
    "hint",
    "placeholder",
    "help",
    "message",
    "msg",
    "error",
    "id",
    "expiry",
    "expires",
    "ttl",
    "count",
    "min",
    "max",
    "format",
    "hash",
    "hashed",
    "algorithm",
    "kind",
    "mode",
    "policy",
    "validator",
    "required",
    "enabled",
    "column",
    "attr",
    "attribute",
    "lifetime",
    "timeout",
    "size",
    "class",
    "cls",
    "widget",
    "form",
    "placement",
    "option",
    "location",
    "style",
    "source",
    "strategy",
    "method",
    "provider",
    "scheme",
    "storage",
    "invalid",
    "valid",
    "expired",
    "missing",
    "mismatch",
    "failed",
    "use",
    "usage",
    "hasher",
    "hashers",
    "encoder",
    "backend",
    "backends",
    "handler",
    "generator",
    "manager",
    "checker",
];
const NOT_SECRET_FIRST_WORDS: &[&str] = &[
    "is", "has", "use", "enable", "require", "show", "hide", "validate", "check", "min", "max",
    "num", "new",
];

/// Lowercase words of an identifier: split at `_`, `-`, `.`, spaces and camelCase humps.
fn split_words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            previous_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_lower && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_lowercase() || c.is_ascii_digit();
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// The name a node stands for: a string's content (a dict key), else its text.
fn name_text(node: Node<'_>, text: &str) -> String {
    string_content(node, text)
        .unwrap_or_else(|| text.get(node.byte_range()).unwrap_or(""))
        .to_string()
}

/// The content of a string literal without quotes or prefix; `None` for other nodes and
/// for f-strings with placeholders.
fn string_content<'t>(node: Node<'_>, text: &'t str) -> Option<&'t str> {
    if !matches!(
        node.kind(),
        "string" | "string_literal" | "raw_string_literal"
    ) {
        return None;
    }
    if has_child(node, "interpolation") {
        return None;
    }
    let (first, last) = (
        node.child(0)?,
        node.child(node.child_count().checked_sub(1)?)?,
    );
    if first == last {
        return None;
    }
    text.get(first.end_byte()..last.start_byte())
}

/// A string literal that could be a real secret: not empty, not a placeholder
/// (`changeme`, `<token>`, `${TOKEN}`, `xxxx`, `****`), not prose, a regex, a path, a URL,
/// a number or the name of something (`"next_token"`, `"SECRET_KEY"`). A password may be
/// any word (`"admin"`); other secrets (tokens, keys) look like credentials: 8 characters
/// or more with letters and digits. Python raw strings (regexes) are skipped.
pub(crate) fn is_secret_literal(node: Node<'_>, name: &str, text: &str) -> bool {
    let Some(value) = string_content(node, text) else {
        return false;
    };
    let raw_string = node
        .child(0)
        .filter(|start| start.kind() == "string_start")
        .and_then(|start| text.get(start.byte_range()))
        .is_some_and(|prefix| prefix.contains(['r', 'R']));
    if raw_string || !value.chars().any(char::is_alphanumeric) {
        return false;
    }
    let lower = value.to_lowercase();
    let placeholder_words = [
        "changeme",
        "change_me",
        "change-me",
        "replace",
        "placeholder",
        "example",
        "dummy",
        "your",
        "xxx",
        "***",
        "todo",
        "redacted",
        "fixme",
        "<",
        "${",
        "{{",
        "%(",
    ];
    let regex_syntax = [
        "\\w", "\\d", "\\s", "\\W", "(?", "[^", "]{", "]*", "]+", ".*",
    ];
    let first = value.chars().next();
    let single_character = first.is_some_and(|first| value.chars().all(|c| c == first));
    let env_var_name = value.contains('_')
        && value
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    let path_or_url = ["/", "./", "~/", "http://", "https://", "file:", "$"]
        .iter()
        .any(|prefix| value.starts_with(prefix))
        || value.contains("::");
    let bracketed = [('{', '}'), ('[', ']'), ('<', '>')]
        .iter()
        .any(|(open, close)| value.starts_with(*open) && value.ends_with(*close));
    let snake_case_words = value.contains(['_', '-'])
        && value
            .chars()
            .all(|c| c.is_ascii_lowercase() || matches!(c, '_' | '-'));
    let digits_only = value.chars().all(|c| c.is_ascii_digit());
    // The names themselves, and the stand-ins test and sample code uses.
    let secret_word = [
        "password", "passwd", "secret", "token", "apikey", "api_key", "test", "testing", "foo",
        "bar", "foobar",
    ]
    .contains(&lower.as_str());
    let base = value.chars().count() >= 4
        && !single_character
        && !value.chars().any(char::is_whitespace)
        && !placeholder_words.iter().any(|word| lower.contains(word))
        && !regex_syntax.iter().any(|syntax| value.contains(syntax))
        && !env_var_name
        && !path_or_url
        && !bracketed
        && !snake_case_words
        && !digits_only
        && !secret_word;
    let credential_like = value.chars().count() >= 8
        && value.chars().any(|c| c.is_ascii_digit())
        && value.chars().any(char::is_alphabetic);
    base && (is_password_name(name) || credential_like)
}

/// A secret name for a password in particular (`password`, `db_passwd`, `pwd`).
fn is_password_name(name: &str) -> bool {
    is_secret_name(name)
        && split_words(name)
            .iter()
            .any(|word| word.contains("password") || word.contains("passwd") || word == "pwd")
}

/// An identifier inside `node` (nested functions aside) names a password: `password`,
/// `user.password`, `pwd.encode()`.
fn mentions_password(node: Node<'_>, text: &str) -> bool {
    contains_in_function(node, &mut |inner| {
        inner.kind() == "identifier" && is_password_name(text.get(inner.byte_range()).unwrap_or(""))
    })
}

/// Rust: the path's first segment is the crate `path` names (`reqwest::Client::new()`), or
/// a `use` of something under `path` brings it into scope (`use reqwest::Client;`).
fn imported_from(node: Node<'_>, path: &str, file: &File<'_>) -> bool {
    let code: String = file
        .text_of(node)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let code = code.trim_start_matches("::");
    if code.starts_with(&format!("{path}::")) {
        return true;
    }
    let first_segment = code
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .next()
        .unwrap_or("");
    if first_segment.is_empty() {
        return false;
    }
    let prefix = format!("{path}::");
    file.use_declarations().iter().any(|declaration| {
        let used = declaration
            .trim_start_matches("pub")
            .trim_start_matches("(crate)")
            .trim_start_matches("use")
            .trim_start_matches("::")
            .trim_end_matches(';');
        let last_segment = path.rsplit("::").next().unwrap_or(path);
        (used == path && first_segment == last_segment)
            || used
                .strip_prefix(&prefix)
                .is_some_and(|rest| contains_word(rest, first_segment) || rest == "*")
    })
}

/// The call calls an `async` function defined in this file: a method on `self`/`cls`
/// defined async in the enclosing `impl`/class, or a function whose name is defined only
/// as an async function here.
fn calls_local_async_fn(call: Node<'_>, file: &File<'_>) -> bool {
    if !file.defines_async() {
        return false;
    }
    let Some(callee) = call.child_by_field_name("function") else {
        return false;
    };
    let receiver = callee
        .child_by_field_name("value")
        .or_else(|| callee.child_by_field_name("object"));
    let method = callee
        .child_by_field_name("field")
        .or_else(|| callee.child_by_field_name("attribute"));
    match (callee.kind(), receiver, method) {
        ("identifier", ..) => file.async_fn_names().contains(&file.text_of(callee)),
        ("scoped_identifier", ..) => callee
            .child_by_field_name("name")
            .is_some_and(|name| file.async_fn_names().contains(&file.text_of(name))),
        ("field_expression" | "attribute", Some(receiver), Some(method))
            if matches!(file.text_of(receiver), "self" | "cls") =>
        {
            own_method_is_async(call, file.text_of(method), file)
        }
        _ => false,
    }
}

/// Whether the `impl` block or class around `node` defines `name` as an async method.
fn own_method_is_async(node: Node<'_>, name: &str, file: &File<'_>) -> bool {
    let Some((owner, _)) = ancestors(node)
        .find(|(ancestor, _)| matches!(ancestor.kind(), "impl_item" | "class_definition"))
    else {
        return false;
    };
    let Some(body) = owner.child_by_field_name("body") else {
        return false;
    };
    let mut cursor = body.walk();
    body.named_children(&mut cursor)
        .map(|item| match item.kind() {
            "decorated_definition" => item.child_by_field_name("definition").unwrap_or(item),
            _ => item,
        })
        .filter(|item| {
            item.child_by_field_name("name")
                .is_some_and(|item_name| file.text_of(item_name) == name)
        })
        .any(|item| file.awaitable_definition(item) == Some(true))
}

/// A constant string: a literal without placeholders, or literals joined.
fn is_literal(node: Node<'_>) -> bool {
    match node.kind() {
        "string" => !has_child(node, "interpolation"),
        "string_literal" | "raw_string_literal" => true,
        "concatenated_string" | "parenthesized_expression" => {
            let mut cursor = node.walk();
            let mut parts = node.named_children(&mut cursor).peekable();
            parts.peek().is_some() && parts.all(is_literal)
        }
        _ => false,
    }
}

/// Whether `found` holds for a node inside `node`, not counting nested functions (their
/// code runs elsewhere).
fn contains_in_function(node: Node<'_>, found: &mut impl FnMut(Node<'_>) -> bool) -> bool {
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

const LOG_METHODS: &[&str] = &[
    "debug",
    "info",
    "warning",
    "warn",
    "error",
    "exception",
    "critical",
    "fatal",
    "log",
];

/// An `except` clause whose body does something with the error: raises, logs (see
/// `is_logging_call`), warns (`warn(..)`, `util.warn(..)`), calls a handler
/// (`handle_error(..)`, `on_exception(..)`), uses the exception it bound with `as`, or
/// takes it from `sys.exc_info()` / `sys.exception()`.
fn handles_exception(clause: Node<'_>, text: &str) -> bool {
    let source = |node: Node<'_>| text.get(node.byte_range()).unwrap_or("");
    let alias = clause
        .child_by_field_name("value")
        .and_then(|value| value.child_by_field_name("alias"))
        .and_then(|alias| alias.named_child(0))
        .map(source);
    let mut cursor = clause.walk();
    let Some(body) = clause
        .named_children(&mut cursor)
        .find(|child| child.kind() == "block")
    else {
        return false;
    };
    contains_in_function(body, &mut |node| match node.kind() {
        "raise_statement" => true,
        "identifier" => alias == Some(source(node)),
        "call" => {
            let callee = node
                .child_by_field_name("function")
                .map(source)
                .unwrap_or("");
            let name = callee.rsplit('.').next().unwrap_or(callee).to_lowercase();
            is_logging_call(node, text)
                || matches!(name.as_str(), "exc_info" | "warn")
                || ["exception", "error", "fail", "abort"]
                    .iter()
                    .any(|word| name.contains(word))
        }
        _ => false,
    })
}

/// A call that records something: a logger method (`logger.error`, `logging.warning`,
/// `self.log.info`), `print`, `traceback.print_exc`, `warnings.warn`, or Sentry's
/// `capture_exception`.
fn is_logging_call(node: Node<'_>, text: &str) -> bool {
    if node.kind() != "call" {
        return false;
    }
    let Some(callee) = node.child_by_field_name("function") else {
        return false;
    };
    let source = |node: Node<'_>| text.get(node.byte_range()).unwrap_or("");
    match callee.kind() {
        "identifier" => matches!(
            source(callee),
            "print" | "capture_exception" | "capture_message"
        ),
        "attribute" => {
            let method = callee
                .child_by_field_name("attribute")
                .map(source)
                .unwrap_or("");
            let object = callee
                .child_by_field_name("object")
                .map(source)
                .unwrap_or("");
            (LOG_METHODS.contains(&method) && is_logger(object))
                || matches!(
                    method,
                    "print_exc" | "print_exception" | "capture_exception" | "capture_message"
                )
                || (object == "warnings" && method == "warn")
        }
        _ => false,
    }
}

/// `log`, `logger`, `logging`, `LOG`, `_logger`, `self.log`, `app.logger`, `structlog`...
fn is_logger(object: &str) -> bool {
    let last = object.rsplit('.').next().unwrap_or(object).to_lowercase();
    let last = last.trim_start_matches('_');
    matches!(last, "log" | "logger" | "logging" | "structlog")
        || last.ends_with("_log")
        || last.ends_with("_logger")
}

/// `word` occurs in `text` delimited by non-identifier characters.
fn contains_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        let is_ident = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        !is_ident(before) && !is_ident(after)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names_are_recognised_but_names_about_secrets_are_not() {
        for name in [
            "password",
            "DB_PASSWORD",
            "apiKey",
            "api_key",
            "SECRET_KEY",
            "authToken",
            "pwd",
            "client_secret",
            "PRIVATE_KEY",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
        for name in [
            "token_url",
            "password_field",
            "tokenizer",
            "is_secret",
            "secretary",
            "PASSWORD_MIN_LENGTH",
            "TOKEN_TYPE",
            "api_key_env",
            "username",
        ] {
            assert!(!is_secret_name(name), "{name}");
        }
    }

    fn literal_verdicts(name: &str, code: &str) -> Vec<bool> {
        let tree = Language::Python.parse_str(code).unwrap();
        let list = tree.root_node().child(0).unwrap().child(0).unwrap();
        let mut cursor = list.walk();
        list.named_children(&mut cursor)
            .map(|item| is_secret_literal(item, name, code))
            .collect()
    }

    #[test]
    fn secret_literals_skip_placeholders_and_names_of_things() {
        let code = r#"[
    "hunter2!", "sk_live_51Habc", "a8f5f167f44f4964",
    "", "changeme", "<your-token>", "${TOKEN}", "xxxx", "****", "SECRET_KEY", "/etc/secret",
    "Enter password", "abc", f"{x}", "next_token", "[UNK]", r"[^\W\d]\w*", "12345",
]"#;
        let verdicts = literal_verdicts("api_token", code);
        assert_eq!(verdicts[..3], [true, true, true]);
        assert!(verdicts[3..].iter().all(|v| !v), "{verdicts:?}");
    }

    #[test]
    fn any_word_can_be_a_password_but_a_token_must_look_like_one() {
        let code = r#"["admin", "keyword", "AWSSecretKey", "ABC12345"]"#;
        assert_eq!(literal_verdicts("password", code), [true, true, true, true]);
        assert_eq!(literal_verdicts("token", code), [false, false, false, true]);
    }

    fn parse_first(query: &str, language: Language) -> Result<Predicate, String> {
        let query = tree_sitter::Query::new(&language.grammar(), query).unwrap();
        Predicate::parse(&query.general_predicates(0)[0], language)
    }

    #[test]
    fn misuse_says_how_to_write_the_predicate() {
        let err = parse_first("((string) @v (#secret-literal? @v))", Language::Python).unwrap_err();
        assert!(err.contains("(#secret-literal? @value @name)"), "{err}");
        let err =
            parse_first("((call) @c (#inside-async? @c \"x\"))", Language::Python).unwrap_err();
        assert!(err.contains("(#inside-async? @call)"), "{err}");
        let err = parse_first(
            "((call_expression) @c (#inside-except? @c))",
            Language::Rust,
        )
        .unwrap_err();
        assert!(err.contains("does not apply to rust code"), "{err}");
        let negated = parse_first(
            "((call) @c (#not-lacks-kwarg? @c \"timeout\"))",
            Language::Python,
        );
        assert!(negated.is_ok_and(|predicate| predicate.negated));
    }

    #[test]
    fn test_attributes() {
        for yes in [
            "test",
            "tokio::test",
            "tokio::test(flavor = \"multi_thread\")",
            "cfg(test)",
            "cfg(all(test, unix))",
            "rstest",
        ] {
            assert!(is_test_attribute(yes), "{yes}");
        }
        for no in [
            "cfg(not(test))",
            "derive(Debug)",
            "testing",
            "cfg(feature = \"x\")",
        ] {
            assert!(!is_test_attribute(no), "{no}");
        }
    }
}
