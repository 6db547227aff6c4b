//! Fill-in-the-middle prompts in each model family's own tokens, for backends that take a
//! raw prompt; and the same request put as a chat, for chat-only APIs.

use serde_json::{Map, Value, json};

use super::{ChatRequest, FimRequest, Message, Role, Snippet};
use crate::config::{FimTemplate, ProviderConfig, ProviderKind};

impl FimTemplate {
    /// The raw prompt for `request`. `None` gives the prefix alone (context first), for
    /// models without FIM tokens.
    pub fn prompt(self, request: &FimRequest) -> String {
        let prefix = request.prefix.as_str();
        let suffix = request.suffix.as_deref().unwrap_or("");
        let snippets = &request.snippets;
        match self {
            // StarCoder2 and Qwen2.5-Coder were trained on repository-level files, one per
            // separator token, which suits context snippets better than comments.
            FimTemplate::Starcoder => {
                let context: String = snippets
                    .iter()
                    .map(|snippet| format!("<file_sep>{}\n{}\n", snippet.path, snippet.text))
                    .collect();
                let separator = if snippets.is_empty() {
                    ""
                } else {
                    "<file_sep>"
                };
                format!("{context}{separator}<fim_prefix>{prefix}<fim_suffix>{suffix}<fim_middle>")
            }
            FimTemplate::Qwen => {
                let context: String = snippets
                    .iter()
                    .map(|snippet| format!("<|file_sep|>{}\n{}\n", snippet.path, snippet.text))
                    .collect();
                format!("{context}<|fim_prefix|>{prefix}<|fim_suffix|>{suffix}<|fim_middle|>")
            }
            FimTemplate::Codellama => {
                let prefix = with_comments(snippets, prefix);
                format!("<PRE> {prefix} <SUF>{suffix} <MID>")
            }
            FimTemplate::Deepseek => {
                let prefix = with_comments(snippets, prefix);
                format!("<｜fim▁begin｜>{prefix}<｜fim▁hole｜>{suffix}<｜fim▁end｜>")
            }
            // Mistral's order: the suffix comes first.
            FimTemplate::Codestral => {
                let prefix = with_comments(snippets, prefix);
                format!("[SUFFIX]{suffix}[PREFIX]{prefix}")
            }
            FimTemplate::None => with_comments(snippets, prefix),
        }
    }

    /// Tokens after which the family's models only ramble: added to the request's stops.
    pub fn stop_tokens(self) -> &'static [&'static str] {
        match self {
            FimTemplate::Starcoder => &["<|endoftext|>", "<file_sep>", "<fim_prefix>"],
            FimTemplate::Qwen => &[
                "<|endoftext|>",
                "<|file_sep|>",
                "<|fim_prefix|>",
                "<|im_end|>",
            ],
            FimTemplate::Codellama => &["<EOT>"],
            FimTemplate::Deepseek => &["<｜end▁of▁sentence｜>", "<｜fim▁begin｜>"],
            FimTemplate::Codestral => &["[PREFIX]", "[SUFFIX]"],
            FimTemplate::None => &[],
        }
    }
}

/// The request's stop sequences plus the template's own.
pub(crate) fn stops(template: Option<FimTemplate>, request: &FimRequest) -> Vec<String> {
    let mut stops = request.stop.clone();
    for token in template.map(FimTemplate::stop_tokens).unwrap_or_default() {
        if !stops.iter().any(|stop| stop == token) {
            stops.push(token.to_string());
        }
    }
    stops
}

/// `prompt` (and `suffix`) of a raw-completion body (`/v1/completions`, Ollama's
/// `/api/generate`): with a template, the whole prompt in the family's tokens; without,
/// the prefix (context as comments) and the suffix, for the server to put into the model's
/// own template. Returns whether the prompt is complete as it is (a template was used).
pub(crate) fn insert_prompt(
    body: &mut Map<String, Value>,
    template: Option<FimTemplate>,
    request: &FimRequest,
) -> bool {
    match template {
        Some(template) => {
            body.insert("prompt".into(), json!(template.prompt(request)));
            true
        }
        None => {
            let prompt = with_comments(&request.snippets, &request.prefix);
            body.insert("prompt".into(), json!(prompt));
            if let Some(suffix) = &request.suffix {
                body.insert("suffix".into(), json!(suffix));
            }
            false
        }
    }
}

/// Context snippets as comments headed by their path, before the prefix, for families
/// without file separator tokens.
pub(crate) fn with_comments(snippets: &[Snippet], prefix: &str) -> String {
    let mut text = String::new();
    for snippet in snippets {
        let marker = comment_marker(&snippet.path);
        text.push_str(&format!("{marker} {}\n{}\n\n", snippet.path, snippet.text));
    }
    text.push_str(prefix);
    text
}

fn comment_marker(path: &str) -> &'static str {
    let python = [".py", ".pyi", ".toml", ".yaml", ".yml", ".sh"];
    if python.iter().any(|extension| path.ends_with(extension)) {
        "#"
    } else {
        "//"
    }
}

/// Context snippets as fenced blocks headed by their path, for chat models, which read
/// Markdown better than comments.
fn with_fences(snippets: &[Snippet], code: &str) -> String {
    let mut text = String::new();
    for snippet in snippets {
        text.push_str(&format!(
            "`{}`:\n```\n{}\n```\n\n",
            snippet.path, snippet.text
        ));
    }
    text.push_str(code);
    text
}

/// The prompt text `complete` sends for `request` with this provider configuration: what
/// `keel complete --show-prompt` and `keel/contextAt` print. For chat APIs, the system
/// prompt and the user message; for raw-prompt APIs, the prompt (and the suffix, where the
/// API takes it as a separate field).
pub fn rendered_prompt(config: &ProviderConfig, request: &FimRequest) -> String {
    let suffix = request.suffix.as_deref().unwrap_or("");
    match (config.kind, config.fim) {
        (Some(ProviderKind::Openai | ProviderKind::Anthropic), _) => {
            let chat = as_chat(request);
            let user: Vec<&str> = chat.messages.iter().map(|m| m.content.as_str()).collect();
            format!("[system]\n{}\n[user]\n{}", chat.system, user.join("\n"))
        }
        (_, Some(template)) => template.prompt(request),
        (Some(ProviderKind::Llamacpp), None) => {
            let extra: String = request
                .snippets
                .iter()
                .map(|s| format!("[input_extra {}]\n{}\n", s.path, s.text))
                .collect();
            format!(
                "{extra}[input_prefix]\n{}\n[input_suffix]\n{suffix}",
                request.prefix
            )
        }
        (Some(ProviderKind::OpenaiCompletions | ProviderKind::Ollama), None) => format!(
            "{}\n[suffix]\n{suffix}",
            with_comments(&request.snippets, &request.prefix)
        ),
        (Some(ProviderKind::Local) | None, None) => FimTemplate::None.prompt(request),
    }
}

const FIM_AS_CHAT: &str = "You are a code completion engine. The user sends code with a \
<CURSOR> marker. Reply with only the text to insert at the marker: no explanation, no code \
fences, nothing already before or after the marker.";

/// A chat that asks a chat-only model for the middle part.
pub(crate) fn as_chat(request: &FimRequest) -> ChatRequest {
    let code = format!(
        "{}<CURSOR>{}",
        request.prefix,
        request.suffix.as_deref().unwrap_or("")
    );
    let content = with_fences(&request.snippets, &code);
    ChatRequest {
        system: FIM_AS_CHAT.to_string(),
        messages: vec![Message {
            role: Role::User,
            content,
        }],
        max_tokens: request.max_tokens,
        temperature: request.temperature,
        json: false,
        background: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> FimRequest {
        FimRequest {
            prefix: "def add(a, b):\n    ".into(),
            suffix: Some("\n\nprint(add(1, 2))\n".into()),
            snippets: vec![Snippet {
                path: "util.py".into(),
                text: "X = 1".into(),
            }],
            stop: vec!["\n\n".into()],
            max_tokens: 16,
            temperature: 0.0,
        }
    }

    #[test]
    fn each_family_uses_its_own_tokens() {
        let request = request();
        let cases = [
            (
                FimTemplate::Starcoder,
                "<file_sep>util.py\nX = 1\n<file_sep><fim_prefix>def add(a, b):\n    <fim_suffix>\n\nprint(add(1, 2))\n<fim_middle>",
            ),
            (
                FimTemplate::Qwen,
                "<|file_sep|>util.py\nX = 1\n<|fim_prefix|>def add(a, b):\n    <|fim_suffix|>\n\nprint(add(1, 2))\n<|fim_middle|>",
            ),
            (
                FimTemplate::Codellama,
                "<PRE> # util.py\nX = 1\n\ndef add(a, b):\n     <SUF>\n\nprint(add(1, 2))\n <MID>",
            ),
            (
                FimTemplate::Deepseek,
                "<｜fim▁begin｜># util.py\nX = 1\n\ndef add(a, b):\n    <｜fim▁hole｜>\n\nprint(add(1, 2))\n<｜fim▁end｜>",
            ),
            (
                FimTemplate::Codestral,
                "[SUFFIX]\n\nprint(add(1, 2))\n[PREFIX]# util.py\nX = 1\n\ndef add(a, b):\n    ",
            ),
            (
                FimTemplate::None,
                "# util.py\nX = 1\n\ndef add(a, b):\n    ",
            ),
        ];
        for (template, expected) in cases {
            assert_eq!(template.prompt(&request), expected, "{template:?}");
        }
    }

    #[test]
    fn stops_add_the_family_tokens_once() {
        let mut request = request();
        request.stop.push("<EOT>".into());
        assert_eq!(
            stops(Some(FimTemplate::Codellama), &request),
            vec!["\n\n".to_string(), "<EOT>".to_string()]
        );
        assert_eq!(stops(None, &request), request.stop);
    }

    #[test]
    fn chat_form_marks_the_cursor() {
        let chat = as_chat(&request());
        assert_eq!(
            chat.messages[0].content,
            "`util.py`:\n```\nX = 1\n```\n\ndef add(a, b):\n    <CURSOR>\n\nprint(add(1, 2))\n"
        );
        assert!(chat.system.contains("<CURSOR>"));
    }
}
