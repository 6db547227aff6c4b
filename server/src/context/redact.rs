//! Secret redaction: every text sent to a model passes through here, and secrets in it are
//! replaced with a placeholder the model can still read as "a value was here".

use std::sync::LazyLock;

use regex::{Captures, Regex};

use crate::config::PrivacyConfig;
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
        // password = "...", api_key: &str = "...", "token": "...", secret => '...'
        inner(
            "secret assignment",
            r#"(?i)((?-u:\b)[\w\-]*(?:password|passwd|pwd|secret|token|api[_\-]?key|apikey|access[_\-]?key|private[_\-]?key|auth[_\-]?key|credentials?)[\w\-]*["']?\s*(?::\s*&?'?[\w<>\[\]]+\s*)?(?:=|:|=>)\s*[brfuBRFU]{0,2}["'])[^"'\n]+(["'])"#,
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

/// `text` with every secret replaced by [`PLACEHOLDER`]; also says which kinds were found.
pub fn redact(text: &str) -> (String, Vec<&'static str>) {
    let mut out = text.to_string();
    let mut found = Vec::new();
    for rule in RULES.iter() {
        if !rule.pattern.is_match(&out) {
            continue;
        }
        found.push(rule.name);
        out = if rule.keeps_context {
            rule.pattern
                .replace_all(&out, |caps: &Captures| {
                    let first = caps.get(1).map_or("", |m| m.as_str());
                    let last = caps.get(caps.len() - 1).map_or("", |m| m.as_str());
                    format!("{first}{PLACEHOLDER}{last}")
                })
                .into_owned()
        } else {
            rule.pattern.replace_all(&out, PLACEHOLDER).into_owned()
        };
    }
    (out, found)
}

fn redact_in_place(text: &mut String, found: &mut Vec<&'static str>) {
    let (redacted, kinds) = redact(text);
    if !kinds.is_empty() {
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

/// Redacts every text of a completion request (prefix, suffix, snippets), unless
/// `privacy.redact_secrets` is off. Call it right before handing the request to a provider.
pub fn redact_request(request: &mut FimRequest, privacy: &PrivacyConfig) {
    if !privacy.redact_secrets {
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
    fn ordinary_code_is_left_alone() {
        let code = "def get_token(user):\n    token = make_token(user)\n    password = input()\n    return \"\"\n";
        assert_eq!(redact(code), (code.to_string(), Vec::new()));
    }
}
