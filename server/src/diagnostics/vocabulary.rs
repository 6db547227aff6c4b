//! The names Keel's predicates know, as data: secret-name words (shared by every language
//! and by prompt redaction) and framework names (route decorators, loggers, quoting
//! functions). Built in from `queries/vocabulary.toml` and `queries/<lang>/vocabulary.toml`;
//! a team adds to the lists in `.keel/vocabulary.toml`, in the same format.

use std::path::Path;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

/// Where a workspace adds to the vocabulary.
pub const TEAM_VOCABULARY: &str = ".keel/vocabulary.toml";

/// The built-in vocabulary files: (path in the repository, contents).
const BUILTIN_FILES: &[(&str, &str)] = &[
    (
        "queries/vocabulary.toml",
        include_str!("../../../queries/vocabulary.toml"),
    ),
    (
        "queries/python/vocabulary.toml",
        include_str!("../../../queries/python/vocabulary.toml"),
    ),
    (
        "queries/rust/vocabulary.toml",
        include_str!("../../../queries/rust/vocabulary.toml"),
    ),
];

/// Every list the predicates read; `queries/README.md` ("Vocabulary") documents each key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Vocabulary {
    pub secret_names: SecretNames,
    pub python: Python,
    pub rust: Rust,
}

/// What a name that holds a secret looks like; see `is_secret_name`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct SecretNames {
    pub contains: Vec<String>,
    pub words: Vec<String>,
    pub password_contains: Vec<String>,
    pub password_words: Vec<String>,
    pub any_value_endings: Vec<String>,
    pub not_contains: Vec<String>,
    pub not_words: Vec<String>,
    pub not_last_words: Vec<String>,
    pub not_first_words: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Python {
    pub routes: Routes,
    pub logging: Logging,
    pub error_handling: ErrorHandling,
    pub formatting: Formatting,
    pub taint: Taint,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Routes {
    pub path_methods: Vec<String>,
    pub decorators: Vec<String>,
    pub view_methods: Vec<String>,
    pub view_bases: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Logging {
    pub methods: Vec<String>,
    pub loggers: Vec<String>,
    pub logger_suffixes: Vec<String>,
    pub calls: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct ErrorHandling {
    pub calls: Vec<String>,
    pub call_words: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Formatting {
    pub inert_calls: Vec<String>,
}

/// What `#tainted?` and `#trusted?` read: sources of outside data, what makes it safe.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Taint {
    pub request_objects: Vec<String>,
    pub request_attributes: Vec<String>,
    pub request_methods: Vec<String>,
    pub source_calls: Vec<String>,
    pub source_values: Vec<String>,
    pub framework_parameters: Vec<String>,
    pub framework_annotations: Vec<String>,
    pub framework_defaults: Vec<String>,
    pub sanitizers: Vec<String>,
    pub pass_through_calls: Vec<String>,
    pub validator_methods: Vec<String>,
    pub exit_calls: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Rust {
    pub taint: RustTaint,
}

/// What `#tainted?` and `#trusted?` read in Rust: the frameworks' extractors and the types
/// and calls whose values cannot carry text; see `predicate/rust_flow.rs`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct RustTaint {
    pub extractors: Vec<String>,
    pub safe_types: Vec<String>,
    pub clean_methods: Vec<String>,
    pub pass_through_functions: Vec<String>,
    pub sanitizers: Vec<String>,
    pub formatting_macros: Vec<String>,
}

static BUILTIN: LazyLock<Vocabulary> = LazyLock::new(|| {
    let mut merged = toml::Table::new();
    for (origin, text) in BUILTIN_FILES {
        match parse(origin, text) {
            Ok(table) => merge(&mut merged, table),
            // The test suite loads every built-in file, so this is a build defect.
            Err(err) => tracing::error!("{err}"),
        }
    }
    toml::Value::Table(merged).try_into().unwrap_or_else(|err| {
        tracing::error!("the built-in vocabulary does not combine: {err}");
        Vocabulary::default()
    })
});

impl Vocabulary {
    /// The vocabulary compiled into Keel.
    pub fn builtin() -> &'static Vocabulary {
        &BUILTIN
    }

    /// The built-in vocabulary with the lists of `root/.keel/vocabulary.toml` added, if the
    /// workspace has that file.
    pub fn for_workspace(root: &Path) -> Result<Vocabulary, String> {
        let path = root.join(TEAM_VOCABULARY);
        if !path.is_file() {
            return Ok(Self::builtin().clone());
        }
        let text = std::fs::read_to_string(&path)
            .map_err(|err| format!("{TEAM_VOCABULARY}: cannot read the file: {err}"))?;
        Self::builtin().extended(TEAM_VOCABULARY, &text)
    }

    /// This vocabulary with the lists of one more vocabulary file (`origin`, for errors)
    /// added to its own.
    pub fn extended(&self, origin: &str, text: &str) -> Result<Vocabulary, String> {
        let team = parse(origin, text)?;
        let mut merged = match toml::Value::try_from(self) {
            Ok(toml::Value::Table(table)) => table,
            _ => toml::Table::new(),
        };
        merge(&mut merged, team);
        toml::Value::Table(merged)
            .try_into()
            .map_err(|err| format!("{origin}: {err}"))
    }
}

/// Parses one vocabulary file and checks its keys and types, so a mistake is reported
/// against the file that has it.
fn parse(origin: &str, text: &str) -> Result<toml::Table, String> {
    let describe = |err: toml::de::Error| {
        let detail = err.to_string().replace('\n', " ");
        format!(
            "{origin}: not a valid vocabulary file: {}; every key is a list of strings, \
             listed in queries/README.md (\"Vocabulary\"); fix or remove the file",
            detail.trim()
        )
    };
    let table: toml::Table = toml::from_str(text).map_err(describe)?;
    toml::from_str::<Vocabulary>(text).map_err(describe)?;
    Ok(table)
}

/// Adds `extra` to `base`: lists are appended to, tables merged key by key.
fn merge(base: &mut toml::Table, extra: toml::Table) {
    for (key, value) in extra {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(base)), toml::Value::Table(extra)) => merge(base, extra),
            (Some(toml::Value::Array(base)), toml::Value::Array(extra)) => base.extend(extra),
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

/// Whether `list` holds `word` exactly.
pub(crate) fn listed(list: &[String], word: &str) -> bool {
    list.iter().any(|listed| listed == word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_file_is_valid_and_each_list_reaches_the_vocabulary() {
        for (origin, text) in BUILTIN_FILES {
            if let Err(err) = parse(origin, text) {
                panic!("{err}");
            }
        }
        let builtin = Vocabulary::builtin();
        assert!(listed(&builtin.secret_names.contains, "password"));
        assert!(listed(&builtin.python.routes.decorators, "api_view"));
        assert!(listed(&builtin.python.logging.loggers, "logger"));
        assert!(listed(&builtin.python.error_handling.calls, "exc_info"));
        assert!(listed(&builtin.python.formatting.inert_calls, "quote_name"));
        assert!(listed(&builtin.python.taint.request_attributes, "GET"));
        assert!(listed(&builtin.rust.taint.extractors, "Query"));
    }

    #[test]
    fn a_team_file_adds_to_the_builtin_lists() {
        let team = "[python.logging]\nloggers = [\"audit\"]\n\n[secret-names]\nwords = [\"pin\"]\n";
        let vocabulary = Vocabulary::builtin().extended("team.toml", team).unwrap();
        let loggers = &vocabulary.python.logging.loggers;
        assert!(
            listed(loggers, "audit") && listed(loggers, "logger"),
            "{loggers:?}"
        );
        assert!(listed(&vocabulary.secret_names.words, "pin"));
        assert!(listed(&vocabulary.secret_names.words, "pwd"));
        assert_eq!(
            vocabulary.python.routes,
            Vocabulary::builtin().python.routes
        );
    }

    #[test]
    fn mistakes_name_the_file_and_the_key() {
        let extend = |text: &str| Vocabulary::builtin().extended(".keel/vocabulary.toml", text);
        let err = extend("[python.logging]\nlogers = [\"audit\"]\n").unwrap_err();
        assert!(err.starts_with(".keel/vocabulary.toml: "), "{err}");
        assert!(err.contains("logers") && err.contains("loggers"), "{err}");
        assert!(err.contains("queries/README.md"), "{err}");
        let err = extend("[python.logging]\nloggers = \"audit\"\n").unwrap_err();
        assert!(err.contains("loggers") && err.contains("sequence"), "{err}");
        let err = extend("[ruby]\nloggers = []\n").unwrap_err();
        assert!(err.contains("ruby"), "{err}");
    }
}
