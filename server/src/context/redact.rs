//! Secret redaction: every text sent to a model passes through here, and secrets in it are
//! replaced with a placeholder the model can still read as "a value was here".

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::{Captures, Regex};

use crate::config::PrivacyConfig;
use crate::diagnostics::is_secret_name;
use crate::prompt::{ChatRequest, FimRequest};

/// What a secret becomes.
pub const PLACEHOLDER: &str = "<redacted>";

struct Rule {
    /// For logs and tests: which kind of secret.
    name: &'static str,
    pattern: Regex,
    /// Keep group 1 and the last group (the text around the secret) and replace the rest.
    keeps_context: bool,
}

// Word boundaries are ASCII (`(?-u:\b)`): secrets are ASCII, and a Unicode `\b` makes the
// regex engine fall back to its slowest matcher on any prompt with non-ASCII text.
static RULES: LazyLock<Vec<Rule>> = LazyLock::new(|| {
    let whole = |name, pattern: &str| (name, pattern.to_string(), false);
    let inner = |name, pattern: &str| (name, pattern.to_string(), true);
    let sources = [
        whole(
            "private key",
            r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----[\s\S]*?(-----END [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----|\z)",
        ),
        whole(
            "aws access key",
            r"(?-u:\b)(?:AKIA|ASIA|AGPA|AIDA|AROA)[0-9A-Z]{16}(?-u:\b)",
        ),
        whole(
            "github token",
            r"(?-u:\b)(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})(?-u:\b)",
        ),
        whole("gitlab token", r"(?-u:\b)glpat-[A-Za-z0-9_\-]{20,}"),
        whole("slack token", r"(?-u:\b)xox[abposr]-[A-Za-z0-9\-]{10,}"),
        whole(
            "slack webhook",
            r"https://hooks\.slack\.com/services/[A-Za-z0-9/_\-]+",
        ),
        whole(
            "stripe key",
            r"(?-u:\b)(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}(?-u:\b)",
        ),
        whole(
            "jwt",
            r"(?-u:\b)eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}",
        ),
        // scheme://user:PASSWORD@host keeps everything but the password.
        inner(
            "url password",
            r"((?-u:\b)[a-zA-Z][a-zA-Z0-9+.\-]*://[^\s:/@]+:)[^\s@/]+(@)",
        ),
    ];
    sources
        .into_iter()
        .filter_map(
            |(name, pattern, keeps_context)| match Regex::new(&pattern) {
                Ok(pattern) => Some(Rule {
                    name,
                    pattern,
                    keeps_context,
                }),
                Err(err) => {
                    tracing::error!("redaction rule {name} does not compile: {err}");
                    None
                }
            },
        )
        .collect()
});

/// A quoted value given to a name: `password = "..."`, `api_key: &str = "..."`,
/// `"token": "..."`, `secret => '...'`, `password == "..."`. Groups: 1 the name, 2 the
/// value. Whether the name holds a secret is decided by `diagnostics::is_secret_name`, the
/// test the hardcoded-secret rule uses, so what a rule flags is what a prompt hides.
static ASSIGNMENT: LazyLock<Option<Regex>> = LazyLock::new(|| {
    let pattern = r#"(?-u:\b)([\w\-]+)["']?\s*(?::\s*&?(?:'\w+\s+)?[\w<>\[\]]+\s*)?(?:==|!=|=|:|=>)\s*[brfuBRFU]{0,2}["']([^"'\n]+)["']"#;
    Regex::new(pattern)
        .inspect_err(|err| {
            tracing::error!("redaction of secret assignments does not compile: {err}")
        })
        .ok()
});

/// `text` with the values given to secret names replaced, or `None` if it has none.
///
/// Each match is found without its groups, which the pattern pins down: the name is the
/// run of word characters and hyphens it starts with (nothing after the name can be one),
/// the value what follows the last quote before the closing one (it holds no quote). Most
/// assignments in code are not secrets, and finding a match's groups costs several times
/// what finding the match does.
fn redact_assignments(text: &str) -> Option<String> {
    let pattern = ASSIGNMENT.as_ref()?;
    let mut out = String::new();
    let mut copied = 0;
    let mut at = 0;
    while let Some(found) = pattern.find_at(text, at) {
        let matched = found.as_str();
        let name_end = matched
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(matched.len());
        let value_end = matched.len() - 1;
        let Some(opening) = matched[..value_end].rfind(['"', '\'']) else {
            break;
        };
        let value = found.start() + opening + 1..found.start() + value_end;
        if is_secret_name(&matched[..name_end]) {
            out.push_str(&text[copied..value.start]);
            out.push_str(PLACEHOLDER);
            copied = value.end;
            at = value.end;
        } else {
            // What follows the name may hold an assignment of its own: in the value
            // (`msg = "password = 'hunter2'"`), or where the match took a type annotation
            // (`1\n: password = "..."`, the match of `1`). Always past the match's first
            // character: the regex's `\w` takes characters `is_alphanumeric` does not (a
            // combining mark), so `name_end` may be 0.
            let first = matched.chars().next().map_or(1, char::len_utf8);
            at = found.start() + name_end.max(first);
        }
    }
    if copied == 0 {
        return None;
    }
    out.push_str(&text[copied..]);
    Some(out)
}

/// `text` with every secret replaced by [`PLACEHOLDER`]; also says which kinds were found.
pub fn redact(text: &str) -> (String, Vec<&'static str>) {
    let (redacted, found) = redacted(text);
    (redacted.into_owned(), found)
}

/// `redact`, borrowing `text` when there is nothing to replace (nearly always).
fn redacted(text: &str) -> (Cow<'_, str>, Vec<&'static str>) {
    let mut out = Cow::Borrowed(text);
    let mut found = Vec::new();
    for rule in RULES.iter() {
        if !rule.pattern.is_match(&out) {
            continue;
        }
        found.push(rule.name);
        out = Cow::Owned(if rule.keeps_context {
            rule.pattern
                .replace_all(&out, |caps: &Captures| {
                    let first = caps.get(1).map_or("", |m| m.as_str());
                    let last = caps.get(caps.len() - 1).map_or("", |m| m.as_str());
                    format!("{first}{PLACEHOLDER}{last}")
                })
                .into_owned()
        } else {
            rule.pattern.replace_all(&out, PLACEHOLDER).into_owned()
        });
    }
    if let Some(redacted) = redact_assignments(&out) {
        out = Cow::Owned(redacted);
        found.push("secret assignment");
    }
    (out, found)
}

fn redact_in_place(text: &mut String, found: &mut Vec<&'static str>) {
    let (redacted, kinds) = redacted(text);
    if let Cow::Owned(redacted) = redacted {
        *text = redacted;
        found.extend(kinds);
    }
}

fn log(found: &[&'static str]) {
    if !found.is_empty() {
        tracing::info!(
            "redacted secrets before the model call: {}",
            found.join(", ")
        );
    }
}

/// Between texts searched at once. A match of a rule in one text is still one with this
/// around it (a line break is no word character, as the start and end of a text are not),
/// and no assignment's match can cross it (no name, operator or value holds a `;`), so a
/// search of the joined texts finds what a search of each would.
const BETWEEN: &str = "\n;\n";

/// Whether any of `texts` may hold a secret, from one search of them all. A completion's
/// prompt has dozens of snippets and nearly never a secret, and each search of a text has
/// a fixed cost: searched one by one, they cost more than the rest of the redaction.
fn may_hold_secret<'a>(texts: impl Iterator<Item = &'a str>) -> bool {
    let mut all = String::new();
    for text in texts {
        all.push_str(text);
        all.push_str(BETWEEN);
    }
    RULES.iter().any(|rule| rule.pattern.is_match(&all)) || redact_assignments(&all).is_some()
}

/// Redacts every text of a completion request (prefix, suffix, snippets), unless
/// `privacy.redact_secrets` is off. Call it right before handing the request to a provider.
pub fn redact_request(request: &mut FimRequest, privacy: &PrivacyConfig) {
    if !privacy.redact_secrets {
        return;
    }
    let texts = std::iter::once(request.prefix.as_str())
        .chain(request.suffix.as_deref())
        .chain(request.snippets.iter().map(|snippet| snippet.text.as_str()));
    if !may_hold_secret(texts) {
        return;
    }
    let mut found = Vec::new();
    redact_in_place(&mut request.prefix, &mut found);
    if let Some(suffix) = request.suffix.as_mut() {
        redact_in_place(suffix, &mut found);
    }
    for snippet in &mut request.snippets {
        redact_in_place(&mut snippet.text, &mut found);
    }
    log(&found);
}

/// Redacts every text of a chat request, unless `privacy.redact_secrets` is off.
pub fn redact_chat(request: &mut ChatRequest, privacy: &PrivacyConfig) {
    if !privacy.redact_secrets {
        return;
    }
    let mut found = Vec::new();
    redact_in_place(&mut request.system, &mut found);
    for message in &mut request.messages {
        redact_in_place(&mut message.content, &mut found);
    }
    log(&found);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(input: &str, expected: &str, kind: &str) {
        let (output, found) = redact(input);
        assert_eq!(output, expected, "input: {input}");
        assert!(found.contains(&kind), "{kind} not in {found:?}");
    }

    #[test]
    fn each_rule_replaces_only_the_secret() {
        check(
            "KEY = \"AKIAIOSFODNN7EXAMPLE\"\n",
            "KEY = \"<redacted>\"\n",
            "aws access key",
        );
        check(
            "-----BEGIN RSA PRIVATE KEY-----\nMIIE\nabc\n-----END RSA PRIVATE KEY-----\nx = 1",
            "<redacted>\nx = 1",
            "private key",
        );
        check(
            "url = \"postgres://app:hunter2@db:5432/app\"",
            "url = \"postgres://app:<redacted>@db:5432/app\"",
            "url password",
        );
        check(
            "const API_KEY: &str = \"k-123456\";",
            "const API_KEY: &str = \"<redacted>\";",
            "secret assignment",
        );
        check(
            "{\"db_password\": 'pa55'}",
            "{\"db_password\": '<redacted>'}",
            "secret assignment",
        );
    }

    #[test]
    fn values_of_secret_names_are_found_in_every_way_code_gives_them() {
        for (input, expected) in [
            (
                "static TOKEN: &'static str = \"k-123456\";",
                "static TOKEN: &'static str = \"<redacted>\";",
            ),
            ("if password == 'letmein':", "if password == '<redacted>':"),
            (
                "connect(db_passwd=\"pa55\")",
                "connect(db_passwd=\"<redacted>\")",
            ),
            // An assignment inside another's value is still found.
            (
                "msg = \"set password = 'hunter2' here\"",
                "msg = \"set password = '<redacted>' here\"",
            ),
        ] {
            check(input, expected, "secret assignment");
        }
    }

    /// The hardcoded-secret rule and the redaction of prompts share one test of a secret
    /// name: a value a rule would flag never reaches a model, and a value it calls harmless
    /// (`tokenizer = "..."`) stays readable.
    #[test]
    fn prompts_hide_exactly_the_names_the_secret_rule_flags() {
        use crate::config::DiagnosticsConfig;
        use crate::diagnostics::RuleSet;
        use crate::syntax::Language;

        let rules = RuleSet::builtin();
        for (name, secret) in [
            ("password", true),
            ("api_key", true),
            ("secret_key", true),
            ("DB_PASSWORD", true),
            ("authToken", true),
            ("client_secret", true),
            ("pwd", true),
            ("tokenizer", false),
            ("token_count", false),
            ("token_url", false),
            ("secretary", false),
            ("next_token", false),
            ("password_field", false),
        ] {
            let code = format!("{name} = \"a8f5f167f44f4964\"\n");
            let tree = Language::Python.parse_str(&code).unwrap();
            let flagged = rules
                .check(
                    Language::Python,
                    &code,
                    &tree,
                    &DiagnosticsConfig::default(),
                )
                .iter()
                .any(|finding| finding.rule_id == "sec-hardcoded-secret");
            let redacted = redact(&code).0.contains(PLACEHOLDER);
            assert_eq!((flagged, redacted), (secret, secret), "{name}");
        }
    }

    /// The texts of a request are searched at once first: a secret at the very start or
    /// end of any of them, after any neighbour, is still found and hidden.
    #[test]
    fn a_secret_in_any_text_of_a_request_is_hidden() {
        let secrets = [
            "AKIAIOSFODNN7EXAMPLE",
            "password = \"hunter2\"",
            ": password = \"hunter2\"",
            "postgres://app:hunter2@db/app",
            "-----BEGIN RSA PRIVATE KEY-----\nMIIE",
        ];
        let neighbours = ["", "foo", "x = ", "token", "\"", "value:"];
        for secret in secrets {
            for neighbour in neighbours {
                for (at, placed) in (0..4).flat_map(|at| {
                    [
                        secret.to_string(),
                        format!("{secret}\nx = 1"),
                        format!("x = 1\n{secret}"),
                    ]
                    .map(|placed| (at, placed))
                }) {
                    // The other texts, on either side of it, are the neighbour.
                    let mut texts: Vec<String> = vec![neighbour.to_string(); 4];
                    texts[at] = placed;
                    let mut request = FimRequest::new(texts[0].clone(), texts[1].clone());
                    request.snippets = texts[2..]
                        .iter()
                        .map(|text| crate::prompt::Snippet {
                            path: "a.py".into(),
                            text: text.clone(),
                        })
                        .collect();
                    redact_request(&mut request, &PrivacyConfig::default());
                    let sent = [request.prefix.as_str(), request.suffix.as_deref().unwrap()]
                        .into_iter()
                        .chain(request.snippets.iter().map(|snippet| snippet.text.as_str()))
                        .collect::<Vec<_>>()
                        .join("|");
                    assert!(
                        !sent.contains("hunter2")
                            && !sent.contains("AKIAIOSFODNN7EXAMPLE")
                            && !sent.contains("MIIE"),
                        "{secret:?} in text {at} beside {neighbour:?}: {sent}"
                    );
                }
            }
        }
    }

    /// A name the pattern's `\w` reads as a word but `char::is_alphanumeric` does not (a
    /// combining mark after a letter, where a match may start again) must not stop the
    /// search from moving on.
    #[test]
    fn an_assignment_to_an_odd_name_ends_the_search() {
        let code = "a\u{301}x = \"a\"\npassword = \"hunter2\"\n";
        let (redacted, _) = redact(code);
        assert!(!redacted.contains("hunter2"), "{redacted}");
    }

    #[test]
    fn ordinary_code_is_left_alone() {
        let code = "def get_token(user):\n    token = make_token(user)\n    password = input()\n    return \"\"\n";
        assert_eq!(redact(code), (code.to_string(), Vec::new()));
    }
}
