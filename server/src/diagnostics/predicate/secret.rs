//! Secret names and secret literals: whether a name says it holds a secret
//! (`api_key`, `DB_PASSWORD`) and whether a string given to it could be a real one.

use tree_sitter::Node;

use super::file::{contains_in_function, has_child};
use crate::diagnostics::vocabulary::{SecretNames, Vocabulary, listed};

impl SecretNames {
    /// A name that says it holds a secret (`password`, `api_key`, `DB_PASSWD`,
    /// `authToken`), but not one about a secret (`token_url`, `password_field`,
    /// `tokenizer`, `is_secret`, `next_token`, `http_tokens`), nor a key that is not a name
    /// at all (`"AWS::Secret"`). The words are the vocabulary's `[secret-names]`.
    pub fn holds_secret(&self, name: &str) -> bool {
        let looks_like_a_name = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'));
        if !looks_like_a_name {
            return false;
        }
        let words = split_words(name);
        let joined: String = words.concat();
        let has_secret = self
            .contains
            .iter()
            .any(|word| joined.contains(word.as_str()))
            || words.iter().any(|word| listed(&self.words, word));
        let about_a_secret = self
            .not_contains
            .iter()
            .any(|word| joined.contains(word.as_str()))
            || words.iter().any(|word| listed(&self.not_words, word))
            || words
                .last()
                .is_some_and(|last| listed(&self.not_last_words, last))
            || words
                .first()
                .is_some_and(|first| listed(&self.not_first_words, first));
        has_secret && !about_a_secret
    }

    /// A secret name that any word is a credible value for: a password, or a name that
    /// ends in one of the vocabulary's `any-value-endings` (`SESSION_SECRET`,
    /// `SECRET_KEY`), where even `"devkey"` is the secret itself.
    fn takes_any_value(&self, name: &str) -> bool {
        if self.holds_password(name) {
            return true;
        }
        let words = split_words(name);
        let last_two = words[words.len().saturating_sub(2)..].concat();
        self.holds_secret(name)
            && (words
                .last()
                .is_some_and(|last| listed(&self.any_value_endings, last))
                || listed(&self.any_value_endings, &last_two))
    }

    /// A secret name for a password in particular (`password`, `db_passwd`, `pwd`).
    fn holds_password(&self, name: &str) -> bool {
        self.holds_secret(name)
            && split_words(name).iter().any(|word| {
                self.password_contains
                    .iter()
                    .any(|part| word.contains(part.as_str()))
                    || listed(&self.password_words, word)
            })
    }
}

/// Whether `name` holds a secret by the built-in vocabulary: the one test of a secret
/// name, shared by the rules and the redaction of prompts.
pub fn is_secret_name(name: &str) -> bool {
    Vocabulary::builtin().secret_names.holds_secret(name)
}

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
pub(super) fn name_text(node: Node<'_>, text: &str) -> String {
    string_content(node, text)
        .unwrap_or_else(|| text.get(node.byte_range()).unwrap_or(""))
        .to_string()
}

/// The content of a string literal without quotes or prefix; `None` for other nodes and
/// for f-strings with placeholders.
pub(super) fn string_content<'t>(node: Node<'_>, text: &'t str) -> Option<&'t str> {
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

/// What a literal is given to: a name (`api_key = "..."`), or the key parameter of a
/// signing or encryption call the rule names (`jwt.encode(payload, "...")`).
#[derive(Debug, Clone, Copy)]
pub(super) enum Holder<'n> {
    Name(&'n str),
    CallKey,
}

/// A string literal that could be a real secret: not empty, not a placeholder
/// (`changeme`, `<token>`, `${TOKEN}`, `xxxx`, `****`), not prose, a regex, a path, a URL,
/// a number or the name of something (`"next_token"`, `"SECRET_KEY"`). A password, a name
/// as unmistakable (`SESSION_SECRET`) or a call's key may be any word (`"admin"`); other
/// secrets (tokens, keys) look like credentials: 8 characters or more with letters and
/// digits. Python raw strings (regexes) are skipped.
pub(super) fn is_secret_literal(
    node: Node<'_>,
    holder: Holder<'_>,
    names: &SecretNames,
    text: &str,
) -> bool {
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
    let any_word = match holder {
        Holder::Name(name) => names.takes_any_value(name),
        Holder::CallKey => true,
    };
    // Names of things are snake_case (`"next_token"`); kebab-case words name things too,
    // except where any word is credible (`SECRET_KEY = "dev-secret-key"`).
    let word_separators: &[char] = if any_word { &['_'] } else { &['_', '-'] };
    let snake_case_words = value.contains(word_separators)
        && value
            .chars()
            .all(|c| c.is_ascii_lowercase() || matches!(c, '_' | '-'));
    let digits_only = value.chars().all(|c| c.is_ascii_digit());
    // The names themselves, and the stand-ins test and sample code uses. A call's key
    // is never a field name: `jwt.encode(payload, "secret")` signs with "secret".
    let secret_word = matches!(holder, Holder::Name(_))
        && [
            "password",
            "passwd",
            "secret",
            "token",
            "apikey",
            "api_key",
            "test",
            "testing",
            "foo",
            "bar",
            "foobar",
            "null",
            "none",
            "nil",
            "undefined",
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
    // Last: climbing the tree costs more than every test above.
    base && (any_word || credential_like) && !in_sample_code(node, text)
}

/// Words that open the name of code building sample data: previews, examples, fixtures.
const SAMPLE_PREFIXES: &[&str] = &[
    "sample", "preview", "example", "dummy", "fake", "mock", "demo",
];

/// `node` is in a function, or a lambda given to a name, for sample data
/// (`def sample_order()`, `sample_url_func=lambda: ...`): its values are stand-ins.
fn in_sample_code(node: Node<'_>, text: &str) -> bool {
    // `Node::parent` searches from the root, but this runs only for a literal that is
    // otherwise a secret, rare enough for that.
    std::iter::successors(node.parent(), Node::parent).any(|ancestor| {
        let name = match ancestor.kind() {
            "function_definition" | "function_item" | "keyword_argument" => {
                ancestor.child_by_field_name("name")
            }
            "assignment" => ancestor
                .child_by_field_name("left")
                .filter(|left| left.kind() == "identifier"),
            _ => None,
        };
        name.and_then(|name| text.get(name.byte_range()))
            .map(str::to_lowercase)
            .is_some_and(|name| {
                let name = name.trim_start_matches('_');
                SAMPLE_PREFIXES
                    .iter()
                    .any(|prefix| name.starts_with(prefix))
            })
    })
}

/// An identifier inside `node` (nested functions aside) names a password: `password`,
/// `user.password`, `pwd.encode()`.
pub(super) fn mentions_password(node: Node<'_>, names: &SecretNames, text: &str) -> bool {
    contains_in_function(node, &mut |inner| {
        inner.kind() == "identifier"
            && names.holds_password(text.get(inner.byte_range()).unwrap_or(""))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::Language;

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
            .map(|item| {
                is_secret_literal(
                    item,
                    Holder::Name(name),
                    &Vocabulary::builtin().secret_names,
                    code,
                )
            })
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

    #[test]
    fn unmistakable_names_take_any_word_but_names_merely_mentioning_a_secret_do_not() {
        let code = r#"["devkey", "s3cr3t-k3y", "dev-secret-key", "next_key"]"#;
        for name in [
            "SESSION_SECRET",
            "SECRET_KEY",
            "jwt_signing_key",
            "client_secret",
        ] {
            assert_eq!(
                literal_verdicts(name, code),
                [true, true, true, false],
                "{name}"
            );
        }
        for name in ["auth_token", "secret_store", "SECRET_KEY_FALLBACKS"] {
            assert_eq!(
                literal_verdicts(name, code),
                [false, true, false, false],
                "{name}"
            );
        }
    }
}
