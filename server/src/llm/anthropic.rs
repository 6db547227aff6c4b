//! Anthropic's Messages API: `/v1/messages`, `x-api-key`, named SSE events.

use std::sync::Arc;

use futures_util::future::BoxFuture;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::http::Api;
use super::wire::{self, End, Fault, Frame, Framing, Piece};
use super::{
    ChatRequest, CircuitState, FimRequest, JSON_ONLY, Provider, ProviderError, TextStream, fim,
};
use crate::config::ProviderConfig;

const VERSION: &str = "2023-06-01";

pub(crate) struct Anthropic {
    api: Arc<Api>,
    model: String,
}

impl Anthropic {
    pub(crate) fn new(api: Api, config: &ProviderConfig) -> Result<Self, ProviderError> {
        let model = super::required_model(api.provider, config)?;
        Ok(Anthropic {
            api: Arc::new(api.with_header("anthropic-version", VERSION)),
            model,
        })
    }

    fn messages(&self, request: &ChatRequest, stop: &[String]) -> TextStream {
        let mut system = request.system.clone();
        if request.json {
            if !system.is_empty() {
                system.push_str("\n\n");
            }
            system.push_str(JSON_ONLY);
        }
        let messages: Vec<Value> = request
            .messages
            .iter()
            .map(|message| json!({"role": message.role.as_str(), "content": message.content}))
            .collect();
        let mut body = Map::new();
        body.insert("model".into(), json!(self.model));
        body.insert("max_tokens".into(), json!(request.max_tokens));
        if !system.is_empty() {
            body.insert("system".into(), json!(system));
        }
        body.insert("messages".into(), Value::Array(messages));
        body.insert("temperature".into(), json!(request.temperature));
        body.insert("stream".into(), json!(true));
        // The API rejects stop sequences made only of whitespace.
        let stop: Vec<&String> = stop.iter().filter(|stop| !stop.trim().is_empty()).collect();
        if !stop.is_empty() {
            body.insert("stop_sequences".into(), json!(stop));
        }
        self.api
            .stream("/v1/messages", Value::Object(body), Framing::Sse, decode)
    }
}

impl Provider for Anthropic {
    fn name(&self) -> &'static str {
        self.api.provider
    }

    fn complete(&self, request: FimRequest) -> TextStream {
        self.messages(&fim::as_chat(&request), &request.stop)
    }

    fn chat(&self, request: ChatRequest) -> TextStream {
        self.messages(&request, &[])
    }

    fn probe(&self) -> BoxFuture<'static, Result<String, ProviderError>> {
        let api = Arc::clone(&self.api);
        Box::pin(async move { api.probe("/v1/models").await })
    }

    fn circuit(&self) -> tokio::sync::watch::Receiver<CircuitState> {
        self.api.circuit()
    }
}

#[derive(Deserialize)]
struct Event {
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    delta: Option<Delta>,
    #[serde(default)]
    error: Option<Value>,
}

#[derive(Deserialize)]
struct Delta {
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    text: Option<String>,
}

/// `message_start`, `content_block_start/stop` and `ping` carry nothing to show; events
/// added to the API later are skipped the same way.
fn decode(frame: &Frame) -> Result<Piece, Fault> {
    let event: Event = wire::json(&frame.data)?;
    let kind = event.kind.as_deref().unwrap_or(frame.event.as_str());
    match kind {
        "content_block_delta" => match event.delta {
            Some(Delta {
                kind: Some(kind),
                text: Some(text),
            }) if kind == "text_delta" => Ok(Piece::text(text)),
            _ => Ok(Piece::skip()),
        },
        "message_delta" => Ok(Piece::end(End::Finished)),
        "message_stop" => Ok(Piece::end(End::Done)),
        "error" => Err(wire::api_error(
            event.error.as_ref().unwrap_or(&Value::Null),
        )),
        _ => Ok(Piece::skip()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(event: &str, data: &str) -> Frame {
        Frame {
            event: event.into(),
            data: data.into(),
        }
    }

    #[test]
    fn reads_text_deltas_and_the_end_and_skips_the_rest() {
        let delta =
            r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}"#;
        assert_eq!(
            decode(&frame("content_block_delta", delta)),
            Ok(Piece::text("Hi".into()))
        );
        let thinking = r#"{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"hm"}}"#;
        assert_eq!(
            decode(&frame("content_block_delta", thinking)),
            Ok(Piece::skip())
        );
        assert_eq!(
            decode(&frame("ping", r#"{"type": "ping"}"#)),
            Ok(Piece::skip())
        );
        assert_eq!(
            decode(&frame(
                "message_delta",
                r#"{"type":"message_delta","delta":{"stop_reason":"end_turn"}}"#
            )),
            Ok(Piece::end(End::Finished))
        );
        assert_eq!(
            decode(&frame("message_stop", r#"{"type":"message_stop"}"#)),
            Ok(Piece::end(End::Done))
        );
    }

    #[test]
    fn error_events_are_api_faults() {
        let error =
            r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#;
        assert_eq!(
            decode(&frame("error", error)),
            Err(Fault::Api("overloaded_error: Overloaded".into()))
        );
    }
}
