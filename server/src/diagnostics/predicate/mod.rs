//! Keel's query predicates: the questions a plain tree-sitter query cannot ask (is this
//! call inside an `async` function, inside a loop, inside test code; is this string built
//! by formatting). Each is written `(#name? @capture args...)` and negated as
//! `(#not-name? @capture ...)`; `queries/README.md` documents them for rule authors.

mod errors;
mod file;
mod flow;
mod format;
mod names;
mod rust_flow;
mod scope;
mod secret;

use tree_sitter::{Node, QueryPredicate, QueryPredicateArg};

use super::captures::Captured;
use crate::syntax::Language;
use errors::handles_exception;
pub(crate) use file::File;
use file::{contains_in_function, has_child};
use flow::{Flow, flow_of};
use format::{formatted, is_literal};
use names::{names_one_of, qualified_name};
use scope::{
    calls_local_async_fn, guarded, held_across_await, imported_from, inside_async, inside_call,
    inside_except, inside_loop, inside_result_fn, inside_route_handler, inside_test,
};
pub use secret::is_secret_name;
use secret::{Holder, is_secret_literal, mentions_password, name_text};

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
    InDirectory(Vec<String>),
    InsideCall(Vec<String>),
    InsideExcept,
    InsideRouteHandler,
    InsideResultFn,
    Guarded,
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
    Names(Vec<String>),
    Tainted,
    Trusted,
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
    spec(
        "in-directory",
        BOTH,
        Arguments::Strings,
        "@call \"migrations\" ...",
        |given| Condition::InDirectory(given.strings),
    ),
    spec(
        "inside-call",
        BOTH,
        Arguments::Strings,
        "@call \"Exists\" ...",
        |given| Condition::InsideCall(given.strings),
    ),
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
    spec("guarded", RUST, Arguments::Nothing, "@receiver", |_| {
        Condition::Guarded
    }),
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
    spec(
        "names",
        PYTHON,
        Arguments::Strings,
        "@function \"pickle|marshal.load|loads\" ...",
        |given| Condition::Names(given.strings),
    ),
    spec("tainted", BOTH, Arguments::Nothing, "@value", |_| {
        Condition::Tainted
    }),
    spec("trusted", BOTH, Arguments::Nothing, "@value", |_| {
        Condition::Trusted
    }),
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
    pub(crate) fn holds<'t>(
        &self,
        node: Node<'t>,
        captured: &Captured<'_, 't>,
        file: &File<'t>,
    ) -> bool {
        let result = match &self.condition {
            Condition::InsideAsync => inside_async(node, file),
            Condition::InsideLoop => inside_loop(node, file),
            Condition::InsideTest => file.is_test_file() || inside_test(node, file),
            Condition::InDirectory(names) => file.in_directory(names),
            Condition::InsideCall(functions) => inside_call(node, functions, file),
            Condition::InsideExcept => inside_except(node, file),
            Condition::InsideRouteHandler => inside_route_handler(node, file),
            Condition::InsideResultFn => inside_result_fn(node, file),
            Condition::Guarded => guarded(node, file),
            Condition::HasKwarg(names) => keyword_argument(node, names, file.text),
            Condition::LacksKwarg(names) => {
                !keyword_argument(node, names, file.text) && !has_child(node, "dictionary_splat")
            }
            Condition::Formatted => formatted(node, file, 0),
            Condition::Awaited => file
                .parent(node)
                .is_some_and(|parent| matches!(parent.kind(), "await_expression" | "await")),
            Condition::HeldAcrossAwait => held_across_await(node, file),
            Condition::SecretName => file
                .vocabulary
                .secret_names
                .holds_secret(&name_text(node, file.text)),
            Condition::SecretLiteral(name) => {
                let name = captured.node_by_index(*name);
                // A call's function as the name: the value is that call's key.
                let call_key = name.is_some_and(|name| {
                    file.parent(name).is_some_and(|parent| {
                        parent.kind() == "call"
                            && parent.child_by_field_name("function") == Some(name)
                    })
                });
                let name = name
                    .map(|name| name_text(name, file.text))
                    .unwrap_or_default();
                let holder = if call_key {
                    Holder::CallKey
                } else {
                    Holder::Name(&name)
                };
                is_secret_literal(node, holder, &file.vocabulary.secret_names, file.text)
            }
            Condition::ImportedFrom(path) => imported_from(node, path, file),
            Condition::CallsLocalAsyncFn => calls_local_async_fn(node, file),
            Condition::Literal => is_literal(node),
            Condition::Raises => contains_in_function(node, &mut |n| n.kind() == "raise_statement"),
            Condition::Handles => handles_exception(node, file),
            Condition::MentionsPassword => {
                mentions_password(node, &file.vocabulary.secret_names, file.text)
            }
            Condition::Names(patterns) => qualified_name(node, file)
                .is_some_and(|qualified| names_one_of(&qualified, patterns)),
            Condition::Tainted => matches!(flow_of(node, file), Flow::Tainted(_)),
            Condition::Trusted => flow_of(node, file) == Flow::Trusted,
        };
        result != self.negated
    }

    /// For a data-flow predicate whose value is tainted: the expression the outside data
    /// was read from, so the finding can point at it.
    pub(crate) fn source<'t>(&self, node: Node<'t>, file: &File<'t>) -> Option<Node<'t>> {
        if !matches!(self.condition, Condition::Tainted | Condition::Trusted) {
            return None;
        }
        match flow_of(node, file) {
            Flow::Tainted(source) => Some(source),
            _ => None,
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

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

    /// `queries/README.md` is how rule authors learn the predicates: its table lists each
    /// one the engine knows, for the languages it applies to, and no other.
    #[test]
    fn the_readme_table_lists_exactly_the_predicates_the_engine_knows() {
        let readme = include_str!("../../../../queries/README.md");
        let documented: Vec<(&str, &str)> = readme
            .lines()
            .filter_map(|line| line.strip_prefix("| `#"))
            .filter_map(|row| {
                let name = row.split(['?', ' ', '`']).next()?;
                let languages = row.split('|').nth(1)?.trim();
                Some((name, languages))
            })
            .collect();
        let known: Vec<(&str, &str)> = PREDICATES
            .iter()
            .map(|spec| {
                let languages = match spec.languages {
                    BOTH => "both",
                    PYTHON => "Python",
                    _ => "Rust",
                };
                (spec.name, languages)
            })
            .collect();
        let sorted = |mut rows: Vec<(&'static str, &'static str)>| {
            rows.sort_unstable();
            rows
        };
        assert_eq!(sorted(documented), sorted(known));
    }
}
