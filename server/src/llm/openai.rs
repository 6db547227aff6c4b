//! OpenAI's API and everything that speaks it (vLLM, LM Studio, OpenRouter, llama.cpp's
//! and Ollama's `/v1`): `/v1/chat/completions` and `/v1/completions`, streamed as SSE.

use std::sync::Arc;

use futures_util::future::BoxFuture;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::http::Api;
use super::wire::{self, End, Fault, Frame, Framing, Piece};
use super::{ChatRequest, CircuitState, FimRequest, Provider, ProviderError, TextStream, fim};
use crate::config::{FimTemplate, ProviderConfig};

/// OpenAI's API takes at most four stop sequences.
const MAX_STOPS: usize = 4;

/// Which of OpenAI's endpoints completions go to.
enum Endpoint {
    /// `openai`: chat only; fill-in-the-middle is asked for as a chat.
    Chat,
    /// `openai-completions`: `/v1/completions`, with a FIM prompt in the configured
    /// family's tokens, or else the prefix as `prompt` and the `suffix` field.
    Completions(Option<FimTemplate>),
}

/// `openai` and `openai-completions`: the same API, chats and probe; they differ only in
/// how a completion is asked for.
pub(crate) struct OpenAi {
    api: Arc<Api>,
    model: String,
    endpoint: Endpoint,
}

impl OpenAi {
    pub(crate) fn chat(api: Api, config: &ProviderConfig) -> Result<Self, ProviderError> {
        OpenAi::new(api, config, Endpoint::Chat)
    }

    pub(crate) fn completions(api: Api, config: &ProviderConfig) -> Result<Self, ProviderError> {
        OpenAi::new(api, config, Endpoint::Completions(config.fim))
    }

    fn new(api: Api, config: &ProviderConfig, endpoint: Endpoint) -> Result<Self, ProviderError> {
        let model = super::required_model(api.provider, config)?;
        Ok(OpenAi {
            api: Arc::new(api),
            model,
            endpoint,
        })
    }
}

impl Provider for OpenAi {
    fn name(&self) -> &'static str {
        self.api.provider
    }

    fn complete(&self, request: FimRequest) -> TextStream {
        let Endpoint::Completions(template) = self.endpoint else {
            return chat_stream(
                &self.api,
                Some(&self.model),
                &fim::as_chat(&request),
                &request.stop,
            );
        };
        let mut body = Map::new();
        body.insert("model".into(), json!(self.model));
        fim::insert_prompt(&mut body, template, &request);
        body.insert("max_tokens".into(), json!(request.max_tokens));
        body.insert("temperature".into(), json!(request.temperature));
        body.insert("stream".into(), json!(true));
        insert_stops(&mut body, &fim::stops(template, &request));
        self.api
            .stream("/v1/completions", Value::Object(body), Framing::Sse, decode)
    }

    fn chat(&self, request: ChatRequest) -> TextStream {
        chat_stream(&self.api, Some(&self.model), &request, &[])
    }

    fn probe(&self) -> BoxFuture<'static, Result<String, ProviderError>> {
        let api = Arc::clone(&self.api);
        Box::pin(async move { api.probe("/v1/models").await })
    }

    fn circuit(&self) -> tokio::sync::watch::Receiver<CircuitState> {
        self.api.circuit()
    }
}

/// A chat's messages in OpenAI's shape (which Ollama's `/api/chat` shares): the system
/// prompt first, when there is one.
pub(crate) fn messages(request: &ChatRequest) -> Value {
    let mut messages = Vec::new();
    if !request.system.is_empty() {
        messages.push(json!({"role": "system", "content": request.system}));
    }
    for message in &request.messages {
        messages.push(json!({"role": message.role.as_str(), "content": message.content}));
    }
    Value::Array(messages)
}

/// A streamed `/v1/chat/completions` call; `model` may be left out for servers that run
/// one model (llama.cpp).
pub(crate) fn chat_stream(
    api: &Arc<Api>,
    model: Option<&str>,
    request: &ChatRequest,
    stop: &[String],
) -> TextStream {
    let mut body = Map::new();
    if let Some(model) = model {
        body.insert("model".into(), json!(model));
    }
    body.insert("messages".into(), messages(request));
    body.insert("max_tokens".into(), json!(request.max_tokens));
    body.insert("temperature".into(), json!(request.temperature));
    body.insert("stream".into(), json!(true));
    insert_stops(&mut body, stop);
    if request.json {
        body.insert("response_format".into(), json!({"type": "json_object"}));
    }
    api.stream(
        "/v1/chat/completions",
        Value::Object(body),
        Framing::Sse,
        decode,
    )
}

fn insert_stops(body: &mut Map<String, Value>, stops: &[String]) {
    if !stops.is_empty() {
        let kept: Vec<&String> = stops.iter().take(MAX_STOPS).collect();
        body.insert("stop".into(), json!(kept));
    }
}

#[derive(Deserialize)]
struct Chunk {
    /// `null` or missing in usage-only chunks and in some servers' keep-alives.
    #[serde(default)]
    choices: Option<Vec<Choice>>,
    #[serde(default)]
    error: Option<Value>,
}

#[derive(Deserialize)]
struct Choice {
    /// Chat completions.
    #[serde(default)]
    delta: Option<Delta>,
    /// Text completions.
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct Delta {
    #[serde(default)]
    content: Option<String>,
}

/// Chat and text completion chunks differ only in where the text sits.
fn decode(frame: &Frame) -> Result<Piece, Fault> {
    if frame.data.trim() == "[DONE]" {
        return Ok(Piece::end(End::Done));
    }
    let chunk: Chunk = wire::json(&frame.data)?;
    if let Some(error) = &chunk.error {
        return Err(wire::api_error(error));
    }
    let mut text = String::new();
    let mut end = End::No;
    for choice in chunk.choices.unwrap_or_default() {
        if let Some(content) = choice.delta.and_then(|delta| delta.content) {
            text.push_str(&content);
        }
        if let Some(content) = choice.text {
            text.push_str(&content);
        }
        if choice.finish_reason.is_some() {
            end = End::Finished;
        }
    }
    Ok(Piece { text, end })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(data: &str) -> Frame {
        Frame {
            event: "message".into(),
            data: data.into(),
        }
    }

    #[test]
    fn reads_chat_and_text_chunks_and_tolerates_null_choices() {
        let chat = r#"{"id":"x","choices":[{"index":0,"delta":{"role":"assistant","content":"Hi"},"finish_reason":null}],"new_field":1}"#;
        assert_eq!(decode(&frame(chat)), Ok(Piece::text("Hi".into())));
        let text = r#"{"choices":[{"text":" there","finish_reason":"stop"}]}"#;
        assert_eq!(
            decode(&frame(text)),
            Ok(Piece {
                text: " there".into(),
                end: End::Finished
            })
        );
        let usage = r#"{"choices":null,"usage":{"prompt_tokens":3}}"#;
        assert_eq!(decode(&frame(usage)), Ok(Piece::skip()));
        assert_eq!(decode(&frame(r#"{"choices":[]}"#)), Ok(Piece::skip()));
        assert_eq!(decode(&frame(" [DONE] ")), Ok(Piece::end(End::Done)));
    }

    #[test]
    fn garbage_and_errors_are_faults() {
        assert!(matches!(
            decode(&frame("{not json")),
            Err(Fault::Malformed(_))
        ));
        assert_eq!(
            decode(&frame(
                r#"{"error":{"message":"overloaded","type":"server_error"}}"#
            )),
            Err(Fault::Api("server_error: overloaded".into()))
        );
    }
}
