//! The context queries (`queries/<lang>/symbols.scm` and `context.scm`), compiled once per
//! process. They are embedded in the binary; `KEEL_QUERIES_DIR` names a directory laid out
//! like `queries/` whose files replace the embedded ones (a file that is missing or does
//! not compile falls back to the embedded one, with a warning).

use std::path::PathBuf;
use std::sync::OnceLock;

use tree_sitter::Query;

use crate::syntax::Language;

/// The environment variable naming a directory that overrides the embedded queries.
pub const OVERRIDE_ENV: &str = "KEEL_QUERIES_DIR";

const PYTHON_SYMBOLS: &str = include_str!("../../../queries/python/symbols.scm");
const PYTHON_CONTEXT: &str = include_str!("../../../queries/python/context.scm");
const RUST_SYMBOLS: &str = include_str!("../../../queries/rust/symbols.scm");
const RUST_CONTEXT: &str = include_str!("../../../queries/rust/context.scm");

/// The two compiled queries of one language.
pub struct Queries {
    pub symbols: Query,
    pub context: Query,
}

/// The queries for `language`, compiled on first use.
pub fn for_language(language: Language) -> Option<&'static Queries> {
    static PYTHON: OnceLock<Option<Queries>> = OnceLock::new();
    static RUST: OnceLock<Option<Queries>> = OnceLock::new();
    let cell = match language {
        Language::Python => &PYTHON,
        Language::Rust => &RUST,
    };
    cell.get_or_init(|| compile(language)).as_ref()
}

fn compile(language: Language) -> Option<Queries> {
    let (symbols, context) = match language {
        Language::Python => (PYTHON_SYMBOLS, PYTHON_CONTEXT),
        Language::Rust => (RUST_SYMBOLS, RUST_CONTEXT),
    };
    Some(Queries {
        symbols: load(language, "symbols.scm", symbols)?,
        context: load(language, "context.scm", context)?,
    })
}

fn load(language: Language, file: &str, embedded: &str) -> Option<Query> {
    let grammar = language.grammar();
    if let Some(dir) = std::env::var_os(OVERRIDE_ENV) {
        let path = PathBuf::from(dir).join(language.name()).join(file);
        match std::fs::read_to_string(&path) {
            Ok(source) => match Query::new(&grammar, &source) {
                Ok(query) => return Some(query),
                Err(err) => tracing::warn!(
                    "{} does not compile ({err}); using the built-in {file}",
                    path.display()
                ),
            },
            Err(err) => tracing::debug!("no override {}: {err}", path.display()),
        }
    }
    match Query::new(&grammar, embedded) {
        Ok(query) => Some(query),
        Err(err) => {
            // Every test compiles the embedded queries, so this is a build mistake.
            tracing::error!(
                "built-in {} {file} does not compile: {err}",
                language.name()
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_queries_compile() {
        for language in Language::ALL {
            let queries = for_language(language).expect("queries compile");
            assert!(queries.symbols.capture_names().contains(&"name"));
            assert!(queries.context.capture_names().contains(&"import"));
        }
    }
}
