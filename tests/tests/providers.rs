//! The HTTP providers against a real HTTP server on 127.0.0.1 that stands in for each API:
//! the request each one sends, how each reads its stream, and what happens on faults
//! (429, 5xx, a cut stream, garbage, a server that never answers, no server at all) and on
//! cancellation.

#[path = "providers_support/mod.rs"]
mod support;

use std::sync::{Arc, Once};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use keel::config::{FimTemplate, ProviderConfig, ProviderKind};
use keel::llm::{
    ChatRequest, CircuitState, ErrorKind, FimRequest, Message, Provider, ProviderError, Role,
    Snippet, TextStream,
};
use serde_json::json;
use support::{Reply, TestServer, closed_port, ndjson, sse};

const KEY_ENV: &str = "KEEL_TEST_PROVIDER_KEY";
const KEY: &str = "sk-test-0123456789abcdef";
const SSE: &str = "text/event-stream";
const NDJSON: &str = "application/x-ndjson";

fn set_key() {
    static SET: Once = Once::new();
    // Set once, before any provider reads it; nothing else in this process writes the
    // environment.
    SET.call_once(|| unsafe { std::env::set_var(KEY_ENV, KEY) });
}

fn config(kind: ProviderKind, endpoint: String) -> ProviderConfig {
    set_key();
    ProviderConfig {
        kind: Some(kind),
        endpoint: Some(endpoint),
        model: Some("test-model".into()),
        api_key_env: Some(KEY_ENV.into()),
        timeout_ms: 20_000,
        retries: 2,
        ..ProviderConfig::default()
    }
}

fn provider(config: &ProviderConfig) -> Arc<dyn Provider> {
    keel::llm::from_config(config).expect("provider")
}

fn fim() -> FimRequest {
    FimRequest {
        prefix: "def add(a, b):\n    ".into(),
        suffix: Some("\n\nprint(add(1, 2))\n".into()),
        snippets: vec![Snippet {
            path: "util.py".into(),
            text: "ZERO = 0".into(),
        }],
        stop: vec!["\n\n".into()],
        max_tokens: 32,
        temperature: 0.1,
    }
}

fn chat(json: bool) -> ChatRequest {
    ChatRequest {
        system: "You review code.".into(),
        messages: vec![
            Message {
                role: Role::User,
                content: "Is this fine?".into(),
            },
            Message {
                role: Role::Assistant,
                content: "Mostly.".into(),
            },
        ],
        max_tokens: 64,
        temperature: 0.0,
        json,
        background: false,
    }
}

/// Every chunk, and the error that ended the stream if one did.
async fn collect(mut stream: TextStream) -> (Vec<String>, Option<ProviderError>) {
    let mut chunks = Vec::new();
    let outcome = tokio::time::timeout(support::PATIENCE, async {
        while let Some(item) = stream.next().await {
            match item {
                Ok(chunk) => chunks.push(chunk),
                Err(error) => return Some(error),
            }
        }
        None
    })
    .await
    .expect("the stream neither ended nor failed");
    (chunks, outcome)
}

async fn text_of(stream: TextStream) -> String {
    let (chunks, error) = collect(stream).await;
    if let Some(error) = error {
        panic!("unexpected error: {error}");
    }
    chunks.concat()
}

fn openai_chat_chunks(texts: &[&str]) -> Vec<String> {
    let mut events: Vec<String> = vec![
        json!({"id": "c1", "object": "chat.completion.chunk", "choices": [{"index": 0, "delta": {"role": "assistant"}, "finish_reason": null}]}).to_string(),
    ];
    for text in texts {
        events.push(json!({"id": "c1", "choices": [{"index": 0, "delta": {"content": text}, "logprobs": null, "finish_reason": null}], "system_fingerprint": "fp"}).to_string());
    }
    events.push(
        json!({"id": "c1", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
            .to_string(),
    );
    events.push(
        json!({"id": "c1", "choices": null, "usage": {"prompt_tokens": 5, "completion_tokens": 2}})
            .to_string(),
    );
    events.push("[DONE]".to_string());
    let events: Vec<(Option<&str>, &str)> = events.iter().map(|e| (None, e.as_str())).collect();
    sse(&events)
}

fn ok_openai() -> Reply {
    Reply::stream(SSE, &openai_chat_chunks(&["ok"]), Duration::ZERO)
}

// ---- wire formats ------------------------------------------------------------------

#[tokio::test]
async fn openai_streams_chat_deltas_as_they_come_and_sends_the_documented_request() {
    let pieces = openai_chat_chunks(&["Hello", ", ", "world"]);
    let server =
        TestServer::start(vec![Reply::stream(SSE, &pieces, Duration::from_millis(40))]).await;
    let provider = provider(&config(ProviderKind::Openai, server.url()));
    let (chunks, error) = collect(provider.chat(chat(true))).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(chunks, ["Hello", ", ", "world"], "one chunk per delta");

    let request = &server.received()[0];
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/v1/chat/completions");
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );
    assert_eq!(request.header("content-type"), Some("application/json"));
    let body = request.json();
    assert_eq!(body["model"], "test-model");
    assert_eq!(body["stream"], true);
    assert_eq!(body["max_tokens"], 64);
    assert_eq!(body["temperature"], 0.0);
    assert_eq!(body["response_format"], json!({"type": "json_object"}));
    assert_eq!(
        body["messages"],
        json!([
            {"role": "system", "content": "You review code."},
            {"role": "user", "content": "Is this fine?"},
            {"role": "assistant", "content": "Mostly."},
        ])
    );
}

#[tokio::test]
async fn openai_asks_for_the_middle_as_a_chat_with_the_cursor_marked() {
    let server = TestServer::start(vec![ok_openai()]).await;
    // A base that already ends in /v1, as OpenAI-compatible servers document it.
    let provider = provider(&config(
        ProviderKind::Openai,
        format!("{}/v1", server.url()),
    ));
    assert_eq!(text_of(provider.complete(fim())).await, "ok");
    let request = &server.received()[0];
    assert_eq!(request.path, "/v1/chat/completions");
    let body = request.json();
    let user = body["messages"][1]["content"].as_str().unwrap();
    assert!(
        user.contains("def add(a, b):\n    <CURSOR>\n\nprint(add(1, 2))"),
        "{user}"
    );
    assert!(user.contains("util.py"), "{user}");
    assert_eq!(body["stop"], json!(["\n\n"]));
    assert!(body.get("response_format").is_none());
}

#[tokio::test]
async fn openai_completions_sends_a_fim_prompt_or_the_suffix_field() {
    let text_chunks = |texts: &[&str]| {
        let mut events: Vec<String> = texts
            .iter()
            .map(|text| json!({"id": "x", "object": "text_completion", "choices": [{"index": 0, "text": text, "finish_reason": null}]}).to_string())
            .collect();
        events.push(
            json!({"choices": [{"index": 0, "text": "", "finish_reason": "length"}]}).to_string(),
        );
        events.push("[DONE]".into());
        let events: Vec<(Option<&str>, &str)> = events.iter().map(|e| (None, e.as_str())).collect();
        sse(&events)
    };
    let reply = Reply::stream(
        SSE,
        &text_chunks(&["return ", "a + b"]),
        Duration::from_millis(20),
    );
    let server = TestServer::start(vec![reply]).await;

    let mut with_template = config(ProviderKind::OpenaiCompletions, server.url());
    with_template.fim = Some(FimTemplate::Qwen);
    let text = text_of(provider(&with_template).complete(fim())).await;
    assert_eq!(text, "return a + b");
    let without_template = config(ProviderKind::OpenaiCompletions, server.url());
    text_of(provider(&without_template).complete(fim())).await;

    let received = server.received();
    assert_eq!(received[0].path, "/v1/completions");
    let body = received[0].json();
    assert_eq!(
        body["prompt"],
        "<|file_sep|>util.py\nZERO = 0\n<|fim_prefix|>def add(a, b):\n    <|fim_suffix|>\n\nprint(add(1, 2))\n<|fim_middle|>"
    );
    assert!(body.get("suffix").is_none());
    assert_eq!(body["stream"], true);
    assert_eq!(body["max_tokens"], 32);
    let stops = body["stop"].as_array().unwrap();
    assert_eq!(stops[0], "\n\n");
    assert!(stops.contains(&json!("<|endoftext|>")), "{stops:?}");
    assert!(
        stops.len() <= 4,
        "OpenAI takes at most four stops: {stops:?}"
    );

    let body = received[1].json();
    assert_eq!(
        body["prompt"],
        "# util.py\nZERO = 0\n\ndef add(a, b):\n    "
    );
    assert_eq!(body["suffix"], "\n\nprint(add(1, 2))\n");
}

fn anthropic_events(texts: &[&str]) -> Vec<String> {
    let start = json!({"type": "message_start", "message": {"id": "m1", "type": "message", "role": "assistant", "content": [], "model": "test-model", "usage": {"input_tokens": 5, "output_tokens": 1}}}).to_string();
    let block_start = json!({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}).to_string();
    let deltas: Vec<String> = texts
        .iter()
        .map(|text| json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": text}}).to_string())
        .collect();
    let block_stop = json!({"type": "content_block_stop", "index": 0}).to_string();
    let message_delta = json!({"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": null}, "usage": {"output_tokens": 4}}).to_string();
    let stop = json!({"type": "message_stop"}).to_string();
    let mut events: Vec<(Option<&str>, &str)> = vec![
        (Some("message_start"), &start),
        (Some("content_block_start"), &block_start),
        (Some("ping"), r#"{"type": "ping"}"#),
    ];
    for delta in &deltas {
        events.push((Some("content_block_delta"), delta));
    }
    events.push((Some("content_block_stop"), &block_stop));
    events.push((Some("message_delta"), &message_delta));
    events.push((Some("message_stop"), &stop));
    sse(&events)
}

#[tokio::test]
async fn anthropic_reads_named_events_and_sends_its_own_headers() {
    let reply = Reply::stream(
        SSE,
        &anthropic_events(&["Looks", " fine"]),
        Duration::from_millis(20),
    );
    let server = TestServer::start(vec![reply.clone(), reply]).await;
    let provider = provider(&config(ProviderKind::Anthropic, server.url()));
    let (chunks, error) = collect(provider.chat(chat(true))).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(chunks, ["Looks", " fine"]);
    assert_eq!(text_of(provider.complete(fim())).await, "Looks fine");

    let received = server.received();
    let request = &received[0];
    assert_eq!(request.path, "/v1/messages");
    assert_eq!(request.header("x-api-key"), Some(KEY));
    assert_eq!(request.header("anthropic-version"), Some("2023-06-01"));
    assert_eq!(request.header("authorization"), None);
    let body = request.json();
    assert_eq!(body["model"], "test-model");
    assert_eq!(body["max_tokens"], 64);
    assert_eq!(body["stream"], true);
    let system = body["system"].as_str().unwrap();
    assert!(system.starts_with("You review code."), "{system}");
    assert!(
        system.contains("JSON"),
        "the JSON hint goes in the system prompt: {system}"
    );
    assert_eq!(
        body["messages"],
        json!([
            {"role": "user", "content": "Is this fine?"},
            {"role": "assistant", "content": "Mostly."},
        ])
    );
    // Whitespace-only stop sequences are refused by the API, so none is sent.
    assert!(received[1].json().get("stop_sequences").is_none());
}

#[tokio::test]
async fn anthropic_error_event_ends_the_stream_with_the_apis_message() {
    let start = json!({"type": "message_start", "message": {"id": "m1"}}).to_string();
    let delta = json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Par"}}).to_string();
    let error =
        json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})
            .to_string();
    let events = sse(&[
        (Some("message_start"), &start),
        (Some("content_block_delta"), &delta),
        (Some("error"), &error),
    ]);
    let server = TestServer::start(vec![Reply::stream(SSE, &events, Duration::ZERO)]).await;
    let provider = provider(&config(ProviderKind::Anthropic, server.url()));
    let (chunks, error) = collect(provider.chat(chat(false))).await;
    assert_eq!(chunks, ["Par"]);
    let error = error.expect("an error");
    assert_eq!(error.kind, ErrorKind::Api);
    assert!(
        error.to_string().contains("overloaded_error: Overloaded"),
        "{error}"
    );
}

#[tokio::test]
async fn ollama_generates_with_suffix_and_chats_over_json_lines() {
    let generate = ndjson(&[
        r#"{"model":"test-model","created_at":"2024-01-01T00:00:00Z","response":"return","done":false}"#,
        r#"{"model":"test-model","response":" a + b","done":false}"#,
        r#"{"model":"test-model","response":"","done":true,"done_reason":"stop","total_duration":1}"#,
    ]);
    let chat_lines = ndjson(&[
        r#"{"model":"test-model","message":{"role":"assistant","content":"{\"ok\":"},"done":false}"#,
        r#"{"model":"test-model","message":{"role":"assistant","content":"true}"},"done":false}"#,
        r#"{"model":"test-model","message":{"role":"assistant","content":""},"done":true}"#,
    ]);
    let server = TestServer::start(vec![
        Reply::stream(NDJSON, &generate, Duration::from_millis(20)),
        Reply::stream(NDJSON, &chat_lines, Duration::from_millis(20)),
        Reply::stream(NDJSON, &generate, Duration::ZERO),
    ])
    .await;
    let provider = provider(&config(ProviderKind::Ollama, server.url()));
    let (chunks, error) = collect(provider.complete(fim())).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(chunks, ["return", " a + b"]);
    assert_eq!(text_of(provider.chat(chat(true))).await, r#"{"ok":true}"#);
    let mut raw = config(ProviderKind::Ollama, server.url());
    raw.fim = Some(FimTemplate::Codellama);
    text_of(keel::llm::from_config(&raw).unwrap().complete(fim())).await;

    let received = server.received();
    assert_eq!(received[0].path, "/api/generate");
    assert_eq!(
        received[0].header("authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );
    let body = received[0].json();
    assert_eq!(body["model"], "test-model");
    assert_eq!(
        body["prompt"],
        "# util.py\nZERO = 0\n\ndef add(a, b):\n    "
    );
    assert_eq!(body["suffix"], "\n\nprint(add(1, 2))\n");
    assert_eq!(body["stream"], true);
    assert_eq!(body["options"]["num_predict"], 32);
    assert_eq!(body["options"]["stop"], json!(["\n\n"]));
    assert!(body.get("raw").is_none());

    assert_eq!(received[1].path, "/api/chat");
    let body = received[1].json();
    assert_eq!(body["format"], "json");
    assert_eq!(
        body["messages"][0],
        json!({"role": "system", "content": "You review code."})
    );
    assert_eq!(body["messages"].as_array().unwrap().len(), 3);

    let body = received[2].json();
    assert_eq!(body["raw"], true);
    assert!(
        body["prompt"].as_str().unwrap().starts_with("<PRE> "),
        "{body}"
    );
    assert!(body.get("suffix").is_none());
    assert!(
        body["options"]["stop"]
            .as_array()
            .unwrap()
            .contains(&json!("<EOT>"))
    );
}

#[tokio::test]
async fn llamacpp_uses_infill_with_extra_context_or_completion_with_a_template() {
    let chunks = |texts: &[&str]| {
        let mut events: Vec<String> = texts
            .iter()
            .map(|text| json!({"content": text, "stop": false, "id_slot": 0}).to_string())
            .collect();
        events.push(
            json!({"content": "", "stop": true, "stop_type": "eos", "timings": {}}).to_string(),
        );
        let events: Vec<(Option<&str>, &str)> = events.iter().map(|e| (None, e.as_str())).collect();
        sse(&events)
    };
    let reply = Reply::stream(
        SSE,
        &chunks(&["return", " a + b"]),
        Duration::from_millis(20),
    );
    let server = TestServer::start(vec![reply.clone(), reply, ok_openai()]).await;
    let mut plain = config(ProviderKind::Llamacpp, server.url());
    plain.api_key_env = None;
    plain.model = None;
    let llama = provider(&plain);
    assert_eq!(text_of(llama.complete(fim())).await, "return a + b");
    let mut templated = plain.clone();
    templated.fim = Some(FimTemplate::Starcoder);
    text_of(provider(&templated).complete(fim())).await;
    assert_eq!(text_of(llama.chat(chat(false))).await, "ok");

    let received = server.received();
    assert_eq!(received[0].path, "/infill");
    assert_eq!(received[0].header("authorization"), None);
    let body = received[0].json();
    assert_eq!(body["input_prefix"], "def add(a, b):\n    ");
    assert_eq!(body["input_suffix"], "\n\nprint(add(1, 2))\n");
    assert_eq!(
        body["input_extra"],
        json!([{"filename": "util.py", "text": "ZERO = 0"}])
    );
    assert_eq!(body["n_predict"], 32);
    assert_eq!(body["stream"], true);
    assert!(body.get("model").is_none());

    assert_eq!(received[1].path, "/completion");
    let prompt = received[1].json()["prompt"].as_str().unwrap().to_string();
    assert!(
        prompt.contains("<fim_prefix>def add(a, b):\n    <fim_suffix>"),
        "{prompt}"
    );

    assert_eq!(received[2].path, "/v1/chat/completions");
    assert!(received[2].json().get("model").is_none());
}

// ---- configuration -----------------------------------------------------------------

#[test]
fn a_missing_key_is_a_configuration_error_naming_the_variable() {
    let mut config = config(ProviderKind::Openai, "http://127.0.0.1:9".into());
    config.api_key_env = Some("KEEL_TEST_KEY_THAT_IS_NOT_SET".into());
    let error = keel::llm::from_config(&config).err().expect("an error");
    assert_eq!(error.kind, ErrorKind::Config);
    assert_eq!(
        error.to_string(),
        "provider `openai`: environment variable KEEL_TEST_KEY_THAT_IS_NOT_SET is not set; set it or choose another provider"
    );
    config.api_key_env = None;
    config.model = None;
    let error = keel::llm::from_config(&config).err().expect("an error");
    assert!(
        error.to_string().contains("`provider.model` is not set"),
        "{error}"
    );
}

// ---- faults ------------------------------------------------------------------------

#[tokio::test]
async fn a_429_is_retried_after_the_time_retry_after_asks() {
    let server = TestServer::start(vec![
        Reply::full(
            429,
            &[("retry-after", "1"), ("content-type", "application/json")],
            r#"{"error":{"message":"slow down"}}"#,
        ),
        ok_openai(),
    ])
    .await;
    let provider = provider(&config(ProviderKind::Openai, server.url()));
    assert_eq!(text_of(provider.chat(chat(false))).await, "ok");
    let received = server.received();
    assert_eq!(received.len(), 2);
    let waited = received[1].at.duration_since(received[0].at);
    assert!(
        waited >= Duration::from_millis(950),
        "retried after {waited:?}"
    );
}

#[tokio::test]
async fn a_500_then_success_is_retried_and_succeeds() {
    let server = TestServer::start(vec![
        Reply::full(500, &[], "upstream exploded"),
        ok_openai(),
    ])
    .await;
    let provider = provider(&config(ProviderKind::Openai, server.url()));
    assert_eq!(text_of(provider.chat(chat(false))).await, "ok");
    assert_eq!(server.received().len(), 2);
    assert_eq!(*provider.circuit().borrow(), CircuitState::Closed);
}

#[tokio::test]
async fn a_connection_closed_without_an_answer_is_retried() {
    let server = TestServer::start(vec![Reply(vec![support::Act::Close]), ok_openai()]).await;
    let provider = provider(&config(ProviderKind::Openai, server.url()));
    assert_eq!(text_of(provider.chat(chat(false))).await, "ok");
    assert_eq!(server.received().len(), 2);
}

#[tokio::test]
async fn retries_are_bounded_and_the_error_names_status_and_endpoint() {
    let server = TestServer::start(vec![Reply::full(503, &[], "try later")]).await;
    let mut config = config(ProviderKind::Ollama, server.url());
    config.retries = 2;
    let (chunks, error) = collect(provider(&config).complete(fim())).await;
    assert!(chunks.is_empty());
    let error = error.expect("an error");
    assert_eq!(error.kind, ErrorKind::Status(503));
    let message = error.to_string();
    assert!(message.contains("provider `ollama`"), "{message}");
    assert!(
        message.contains(&format!("{}/api/generate", server.url())),
        "{message}"
    );
    assert!(
        message.contains("503") && message.contains("try later"),
        "{message}"
    );
    assert_eq!(server.received().len(), 3, "one attempt and two retries");
}

#[tokio::test]
async fn a_client_error_is_not_retried_and_never_shows_the_key() {
    let echo = format!(r#"{{"error":{{"message":"Incorrect API key provided: {KEY}"}}}}"#);
    let server = TestServer::start(vec![Reply::full(401, &[], &echo)]).await;
    let provider = provider(&config(ProviderKind::Openai, server.url()));
    let (_, error) = collect(provider.chat(chat(false))).await;
    let error = error.expect("an error");
    assert_eq!(error.kind, ErrorKind::Status(401));
    let message = error.to_string();
    assert!(!message.contains(KEY), "{message}");
    assert!(message.contains("[redacted]"), "{message}");
    assert!(
        message.contains(KEY_ENV),
        "says where the key came from: {message}"
    );
    assert_eq!(server.received().len(), 1);
}

#[tokio::test]
async fn a_stream_cut_mid_way_keeps_the_text_and_reports_the_break() {
    let pieces = openai_chat_chunks(&["par", "tial", "never"]);
    // Role chunk and two deltas, then the connection dies.
    let server = TestServer::start(vec![Reply::stream_cut(
        SSE,
        &pieces[..3],
        Duration::from_millis(20),
    )])
    .await;
    let provider = provider(&config(ProviderKind::Openai, server.url()));
    let (chunks, error) = collect(provider.chat(chat(false))).await;
    assert_eq!(chunks, ["par", "tial"]);
    let error = error.expect("an error");
    assert_eq!(error.kind, ErrorKind::Interrupted, "{error}");
    assert!(error.to_string().contains("after 2 chunks"), "{error}");
}

#[tokio::test]
async fn a_body_that_ends_before_the_model_finished_is_an_interruption() {
    let lines = ndjson(&[r#"{"response":"half","done":false}"#]);
    let server = TestServer::start(vec![Reply::stream(NDJSON, &lines, Duration::ZERO)]).await;
    let provider = provider(&config(ProviderKind::Ollama, server.url()));
    let (chunks, error) = collect(provider.complete(fim())).await;
    assert_eq!(chunks, ["half"]);
    assert_eq!(error.expect("an error").kind, ErrorKind::Interrupted);
}

#[tokio::test]
async fn malformed_json_is_one_error_naming_provider_endpoint_and_what_came() {
    let server = TestServer::start(vec![Reply::stream(
        SSE,
        &sse(&[(None, r#"{"choices": [{"delta": oops"#)]),
        Duration::ZERO,
    )])
    .await;
    let provider = provider(&config(ProviderKind::Openai, server.url()));
    let (chunks, error) = collect(provider.chat(chat(false))).await;
    assert!(chunks.is_empty());
    let error = error.expect("an error");
    assert_eq!(error.kind, ErrorKind::Malformed);
    let message = error.to_string();
    assert!(message.contains("provider `openai`"), "{message}");
    assert!(
        message.contains(&format!("{}/v1/chat/completions", server.url())),
        "{message}"
    );
    assert!(message.contains("oops"), "{message}");
    assert!(!message.contains(KEY), "{message}");
}

#[tokio::test]
async fn a_body_that_is_not_a_stream_at_all_is_shown_truncated() {
    let page = format!("<html><body>{}</body></html>", "Bad gateway. ".repeat(100));
    let server = TestServer::start(vec![Reply::full(
        200,
        &[("content-type", "text/html")],
        &page,
    )])
    .await;
    for kind in [ProviderKind::Anthropic, ProviderKind::Ollama] {
        let provider = provider(&config(kind, server.url()));
        let (chunks, error) = collect(provider.chat(chat(false))).await;
        assert!(chunks.is_empty());
        let error = error.expect("an error");
        assert_eq!(error.kind, ErrorKind::Malformed, "{kind:?}: {error}");
        let message = error.to_string();
        assert!(message.contains("<html><body>Bad gateway."), "{message}");
        assert!(message.len() < 600, "truncated: {message}");
    }
}

#[tokio::test]
async fn headers_that_never_come_end_in_a_timeout() {
    let mut server = TestServer::start(vec![Reply::hang()]).await;
    let mut config = config(ProviderKind::Llamacpp, server.url());
    config.timeout_ms = 500;
    let (chunks, error) = collect(provider(&config).complete(fim())).await;
    assert!(chunks.is_empty());
    let error = error.expect("an error");
    assert_eq!(error.kind, ErrorKind::Timeout, "{error}");
    assert!(error.to_string().contains("500 ms"), "{error}");
    server.client_closed().await;
}

#[tokio::test]
async fn a_stalled_stream_ends_in_a_timeout_after_the_text_received() {
    let pieces = openai_chat_chunks(&["slow"]);
    let server = TestServer::start(vec![Reply::stream_stall(SSE, &pieces[..2])]).await;
    let mut config = config(ProviderKind::Openai, server.url());
    // Long enough for the first chunk on a loaded machine, short enough to wait for.
    config.timeout_ms = 2_000;
    let (chunks, error) = collect(provider(&config).chat(chat(false))).await;
    assert_eq!(chunks, ["slow"]);
    assert_eq!(error.expect("an error").kind, ErrorKind::Timeout);
}

#[tokio::test]
async fn an_endpoint_that_is_down_is_unreachable() {
    let mut config = config(ProviderKind::Ollama, closed_port().await);
    config.retries = 1;
    let (_, error) = collect(provider(&config).complete(fim())).await;
    let error = error.expect("an error");
    assert_eq!(error.kind, ErrorKind::Unreachable, "{error}");
    assert!(error.to_string().contains("cannot connect"), "{error}");
}

#[tokio::test]
async fn the_circuit_opens_after_repeated_failures_fails_fast_then_recovers() {
    let server = TestServer::start(vec![
        Reply::full(500, &[], "down"),
        Reply::full(500, &[], "down"),
        Reply::full(500, &[], "down"),
        ok_openai(),
    ])
    .await;
    let mut config = config(ProviderKind::Openai, server.url());
    config.retries = 0;
    // Long enough that a slow machine cannot reach its end before the check below.
    config.cooldown_ms = 3_000;
    let provider = provider(&config);
    let mut circuit = provider.circuit();
    for _ in 0..3 {
        let (_, error) = collect(provider.chat(chat(false))).await;
        assert_eq!(error.expect("an error").kind, ErrorKind::Status(500));
    }
    assert!(circuit.has_changed().unwrap(), "the outage is announced");
    match &*circuit.borrow_and_update() {
        CircuitState::Open { reason } => assert!(reason.contains("500"), "{reason}"),
        CircuitState::Closed => panic!("the circuit should be open"),
    }

    let (_, error) = collect(provider.chat(chat(false))).await;
    assert_eq!(error.expect("an error").kind, ErrorKind::CircuitOpen);
    assert_eq!(
        server.received().len(),
        3,
        "no request while the circuit is open"
    );
    assert!(
        !circuit.has_changed().unwrap(),
        "one announcement per outage"
    );

    tokio::time::sleep(Duration::from_millis(3_300)).await;
    assert_eq!(text_of(provider.chat(chat(false))).await, "ok");
    assert_eq!(server.received().len(), 4);
    assert!(circuit.has_changed().unwrap());
    assert_eq!(*circuit.borrow_and_update(), CircuitState::Closed);
}

#[tokio::test]
async fn garbage_counts_towards_the_circuit_too() {
    let server = TestServer::start(vec![Reply::json(r#"{"unexpected": "shape"}"#)]).await;
    let mut config = config(ProviderKind::Ollama, server.url());
    config.cooldown_ms = 60_000;
    let provider = provider(&config);
    for _ in 0..3 {
        let (_, error) = collect(provider.complete(fim())).await;
        assert_eq!(error.expect("an error").kind, ErrorKind::Interrupted);
    }
    assert!(matches!(
        *provider.circuit().borrow(),
        CircuitState::Open { .. }
    ));
}

// ---- cancellation ------------------------------------------------------------------

/// A configuration whose requests never time out within the test's patience, so that only
/// dropping the stream can close the connection.
fn patient_config(kind: ProviderKind, endpoint: String) -> ProviderConfig {
    let mut config = config(kind, endpoint);
    config.timeout_ms = 20 * support::PATIENCE.as_millis() as u64;
    config
}

/// Dropping a stream must close its connection; the server sees it. The server's answer
/// stalls and the request's timeout is far off, so nothing else can close it.
async fn assert_drop_closes_the_connection(
    mut server: TestServer,
    mut stream: TextStream,
    read_first: bool,
) {
    if read_first {
        let first = tokio::time::timeout(support::PATIENCE, stream.next())
            .await
            .expect("a first chunk")
            .expect("a first chunk")
            .expect("a first chunk");
        assert!(!first.is_empty());
    } else {
        // Poll until the request has reached the server; its headers never come.
        let started = Instant::now();
        while server.received().is_empty() {
            assert!(
                started.elapsed() < support::PATIENCE,
                "the request never arrived"
            );
            let polled = tokio::time::timeout(Duration::from_millis(20), stream.next()).await;
            assert!(polled.is_err(), "no answer should come");
        }
    }
    drop(stream);
    server.client_closed().await;
}

#[tokio::test]
async fn dropping_a_stream_mid_answer_closes_the_connection() {
    let pieces = openai_chat_chunks(&["first", "never sent"]);
    let server = TestServer::start(vec![Reply::stream_stall(SSE, &pieces[..2])]).await;
    let stream = provider(&patient_config(ProviderKind::Openai, server.url())).chat(chat(false));
    assert_drop_closes_the_connection(server, stream, true).await;
}

#[tokio::test]
async fn dropping_a_request_waiting_for_headers_closes_the_connection() {
    let server = TestServer::start(vec![Reply::hang()]).await;
    let stream = provider(&patient_config(ProviderKind::Ollama, server.url())).complete(fim());
    assert_drop_closes_the_connection(server, stream, false).await;
}

// ---- keel doctor -------------------------------------------------------------------

// `keel` runs on a blocking thread while the stand-in API serves on the runtime.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keel_doctor_reports_the_provider_its_endpoint_and_the_model_file() {
    let server = TestServer::start(vec![Reply::json(r#"{"version":"0.5.0"}"#)]).await;
    let dir = std::env::temp_dir().join(format!("keel-doctor-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("keel.toml"),
        format!(
            "[provider]\nkind = \"ollama\"\nendpoint = \"{}\"\nmodel = \"qwen2.5-coder:1.5b\"\n",
            server.url()
        ),
    )
    .unwrap();
    let doctor = {
        let dir = dir.clone();
        move || {
            std::process::Command::new(keel_e2e::keel_binary())
                .args(["doctor", "--root"])
                .arg(&dir)
                .env("XDG_CACHE_HOME", dir.join("empty-cache"))
                .output()
                .expect("run keel")
        }
    };
    let output = tokio::task::spawn_blocking(doctor.clone()).await.unwrap();
    let report = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "{report}");
    assert!(report.contains("provider: ollama (configured)"), "{report}");
    let reachable = format!(
        "reachable: GET {}/api/version answered 200 OK",
        server.url()
    );
    assert!(report.contains(&reachable), "{report}");
    assert!(
        report.contains("run `keel model fetch`"),
        "the default model is missing: {report}"
    );
    assert_eq!(server.received()[0].path, "/api/version");

    std::fs::write(
        dir.join("keel.toml"),
        format!(
            "[provider]\nkind = \"ollama\"\nendpoint = \"{}\"\nmodel = \"m\"\n",
            closed_port().await
        ),
    )
    .unwrap();
    let output = tokio::task::spawn_blocking(doctor).await.unwrap();
    let report = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(report.contains("endpoint: NOT reachable"), "{report}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// An endpoint whose error answer quotes the prompt (some servers echo the input they
/// reject) does not get the user's code into the warning, which the editor logs; an
/// ordinary error message is still shown, the model's name included.
#[tokio::test]
async fn an_error_answer_that_quotes_the_prompt_is_not_repeated() {
    let line = "print(add(1, 2))";
    let echo = format!(r#"{{"error":{{"message":"cannot tokenize input near:\n{line}\n"}}}}"#);
    let not_found = r#"{"error":{"message":"model 'test-model-with-a-long-name' not found"}}"#;
    let server = TestServer::start(vec![
        Reply::full(400, &[], &echo),
        Reply::full(404, &[], not_found),
    ])
    .await;
    let mut config = config(ProviderKind::OpenaiCompletions, server.url());
    let (_, error) = collect(provider(&config).complete(fim())).await;
    let message = error.expect("an error").to_string();
    assert!(!message.contains(line), "{message}");
    assert!(message.contains("400"), "{message}");
    assert!(message.contains("quotes the request"), "{message}");
    assert!(
        server.received()[0].body.contains("add(1, 2)"),
        "the prompt did carry it"
    );

    config.model = Some("test-model-with-a-long-name".into());
    let (_, error) = collect(provider(&config).complete(fim())).await;
    let message = error.expect("an error").to_string();
    assert!(message.contains("not found"), "{message}");
}
