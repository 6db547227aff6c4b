//! The llama.cpp server: `/infill` (the server applies the model's FIM tokens),
//! `/completion` for a raw prompt, and its OpenAI-compatible chat.

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

pub(crate) struct LlamaServer {
    api: Arc<Api>,
    /// The server runs the model it was started with; a name is passed on if given.
    model: Option<String>,
    fim: Option<FimTemplate>,
}

impl LlamaServer {
    pub(crate) fn new(api: Api, config: &ProviderConfig) -> Self {
        LlamaServer {
            api: Arc::new(api),
            model: config.model.clone(),
            fim: config.fim,
        }
    }
}

impl Provider for LlamaServer {
    fn name(&self) -> &'static str {
        self.api.provider
    }

    fn complete(&self, request: FimRequest) -> TextStream {
        let mut body = Map::new();
        if let Some(model) = &self.model {
            body.insert("model".into(), json!(model));
        }
        let path = match self.fim {
            None => {
                let extra: Vec<Value> = request
                    .snippets
                    .iter()
                    .map(|snippet| json!({"filename": snippet.path, "text": snippet.text}))
                    .collect();
                body.insert("input_prefix".into(), json!(request.prefix));
                body.insert(
                    "input_suffix".into(),
                    json!(request.suffix.as_deref().unwrap_or("")),
                );
                body.insert("input_extra".into(), Value::Array(extra));
                "/infill"
            }
            Some(template) => {
                body.insert("prompt".into(), json!(template.prompt(&request)));
                "/completion"
            }
        };
        body.insert("n_predict".into(), json!(request.max_tokens));
        body.insert("temperature".into(), json!(request.temperature));
        body.insert("stop".into(), json!(fim::stops(self.fim, &request)));
        body.insert("stream".into(), json!(true));
        self.api
            .stream(path, Value::Object(body), Framing::Sse, decode)
    }

    fn chat(&self, request: ChatRequest) -> TextStream {
        openai::chat_stream(&self.api, self.model.as_deref(), &request, &[])
    }

    fn probe(&self) -> BoxFuture<'static, Result<String, ProviderError>> {
        let api = Arc::clone(&self.api);
        Box::pin(async move { api.probe("/health").await })
    }

    fn circuit(&self) -> tokio::sync::watch::Receiver<CircuitState> {
        self.api.circuit()
    }
}

#[derive(Deserialize)]
struct Chunk {
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    stop: bool,
    #[serde(default)]
    error: Option<Value>,
}

fn decode(frame: &Frame) -> Result<Piece, Fault> {
    let chunk: Chunk = wire::json(&frame.data)?;
    if let Some(error) = &chunk.error {
        return Err(wire::api_error(error));
    }
    let end = if chunk.stop { End::Done } else { End::No };
    Ok(Piece {
        text: chunk.content.unwrap_or_default(),
        end,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_content_until_stop() {
        let frame = |data: &str| Frame {
            event: "message".into(),
            data: data.into(),
        };
        assert_eq!(
            decode(&frame(r#"{"content":"x = ","stop":false,"id_slot":0}"#)),
            Ok(Piece::text("x = ".into()))
        );
        assert_eq!(
            decode(&frame(r#"{"content":"","stop":true,"timings":{}}"#)),
            Ok(Piece::end(End::Done))
        );
        assert_eq!(
            decode(&frame(r#"{"error":{"code":500,"message":"boom"}}"#)),
            Err(Fault::Api("boom".into()))
        );
    }
}
