//! Ollama's native API: `/api/generate` (with `suffix` for fill-in-the-middle) and
//! `/api/chat`, streamed as JSON lines.

use std::sync::Arc;

use futures_util::future::BoxFuture;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::http::Api;
use super::wire::{self, End, Fault, Frame, Framing, Piece};
use super::{
    ChatRequest, CircuitState, FimRequest, Provider, ProviderError, TextStream, fim, openai,
};
use crate::config::{FimTemplate, ProviderConfig};

pub(crate) struct Ollama {
    api: Arc<Api>,
    model: String,
    fim: Option<FimTemplate>,
}

impl Ollama {
    pub(crate) fn new(api: Api, config: &ProviderConfig) -> Result<Self, ProviderError> {
        let model = super::required_model(api.provider, config)?;
        Ok(Ollama {
            api: Arc::new(api),
            model,
            fim: config.fim,
        })
    }
}

impl Provider for Ollama {
    fn name(&self) -> &'static str {
        self.api.provider
    }

    /// Without `fim`, Ollama applies the model's own FIM template to `prompt` + `suffix`;
    /// with one, Keel builds the prompt and asks Ollama to pass it through untouched.
    fn complete(&self, request: FimRequest) -> TextStream {
        let mut body = Map::new();
        body.insert("model".into(), json!(self.model));
        if fim::insert_prompt(&mut body, self.fim, &request) {
            body.insert("raw".into(), json!(true));
        }
        body.insert("stream".into(), json!(true));
        let stops = fim::stops(self.fim, &request);
        body.insert(
            "options".into(),
            options(request.max_tokens, request.temperature, &stops),
        );
        self.api.stream(
            "/api/generate",
            Value::Object(body),
            Framing::Ndjson,
            decode,
        )
    }

    fn chat(&self, request: ChatRequest) -> TextStream {
        let mut body = Map::new();
        body.insert("model".into(), json!(self.model));
        body.insert("messages".into(), openai::messages(&request));
        body.insert("stream".into(), json!(true));
        body.insert(
            "options".into(),
            options(request.max_tokens, request.temperature, &[]),
        );
        if request.json {
            body.insert("format".into(), json!("json"));
        }
        self.api
            .stream("/api/chat", Value::Object(body), Framing::Ndjson, decode)
    }

    fn probe(&self) -> BoxFuture<'static, Result<String, ProviderError>> {
        let api = Arc::clone(&self.api);
        Box::pin(async move { api.probe("/api/version").await })
    }

    fn circuit(&self) -> tokio::sync::watch::Receiver<CircuitState> {
        self.api.circuit()
    }
}

fn options(max_tokens: u32, temperature: f32, stops: &[String]) -> Value {
    let mut options = json!({"num_predict": max_tokens, "temperature": temperature});
    if !stops.is_empty()
        && let Some(fields) = options.as_object_mut()
    {
        fields.insert("stop".into(), json!(stops));
    }
    options
}

#[derive(Deserialize)]
struct Line {
    /// `/api/generate`.
    #[serde(default)]
    response: Option<String>,
    /// `/api/chat`.
    #[serde(default)]
    message: Option<ChatMessage>,
    #[serde(default)]
    done: bool,
    #[serde(default)]
    error: Option<Value>,
}

#[derive(Deserialize)]
struct ChatMessage {
    #[serde(default)]
    content: Option<String>,
}

fn decode(frame: &Frame) -> Result<Piece, Fault> {
    let line: Line = wire::json(&frame.data)?;
    if let Some(error) = &line.error {
        return Err(wire::api_error(error));
    }
    let mut text = line.response.unwrap_or_default();
    if let Some(content) = line.message.and_then(|message| message.content) {
        text.push_str(&content);
    }
    let end = if line.done { End::Done } else { End::No };
    Ok(Piece { text, end })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(data: &str) -> Frame {
        Frame {
            event: String::new(),
            data: data.into(),
        }
    }

    #[test]
    fn reads_generate_and_chat_lines() {
        assert_eq!(
            decode(&frame(r#"{"model":"m","response":"def","done":false}"#)),
            Ok(Piece::text("def".into()))
        );
        assert_eq!(
            decode(&frame(
                r#"{"message":{"role":"assistant","content":"ok"},"done":false}"#
            )),
            Ok(Piece::text("ok".into()))
        );
        assert_eq!(
            decode(&frame(
                r#"{"response":"","done":true,"done_reason":"stop","eval_count":3}"#
            )),
            Ok(Piece::end(End::Done))
        );
        assert_eq!(
            decode(&frame(r#"{"error":"model 'x' not found"}"#)),
            Err(Fault::Api("model 'x' not found".into()))
        );
    }
}
