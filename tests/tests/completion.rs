//! Completions end to end: the real `keel` binary over stdio, with a real HTTP server on
//! 127.0.0.1 standing in for an `openai-completions` model API.

#[path = "providers_support/mod.rs"]
mod support;

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use keel_e2e::{Launch, Server, TIMEOUT, utf8_client};
use serde_json::{Value, json};
use support::{Reply, TestServer, answer, answer_after};

const PY: &str = "file:///work/app.py";
const PY2: &str = "file:///work/other.py";
const RS: &str = "file:///work/lib.rs";

struct Session {
    runtime: tokio::runtime::Runtime,
    model: TestServer,
    keel: Server,
}

impl Session {
    fn start(replies: Vec<Reply>, completion: Value) -> Session {
        Session::start_with(replies, completion, json!({}))
    }

    fn start_with(replies: Vec<Reply>, completion: Value, capabilities: Value) -> Session {
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        let model = runtime.block_on(TestServer::start(replies));
        let mut keel = Server::start();
        let options = json!({
            "provider": {"kind": "openai-completions", "endpoint": model.url(), "model": "test-model"},
            "completion": completion,
        });
        let result = keel.initialize(capabilities, Some(options), None);
        let capabilities = &result["capabilities"];
        assert_eq!(capabilities["inlineCompletionProvider"], true);
        assert!(capabilities["completionProvider"].is_object());
        Session {
            runtime,
            model,
            keel,
        }
    }

    fn inline(&mut self, uri: &str, line: u32, character: u32) -> Vec<Value> {
        let result = self
            .keel
            .request(
                "textDocument/inlineCompletion",
                inline_params(uri, line, character),
            )
            .expect("inline completion answers");
        result["items"].as_array().cloned().unwrap_or_default()
    }

    fn items(&mut self, uri: &str, line: u32, character: u32) -> Value {
        self.keel
            .request("textDocument/completion", position(uri, line, character))
            .expect("completion answers")
    }

    fn status(&mut self) -> Value {
        self.keel
            .request("keel/status", Value::Null)
            .expect("status")
    }

    /// Waits until the model server has received `count` requests.
    fn model_received(&self, count: usize) {
        let deadline = Instant::now() + TIMEOUT;
        while self.model.received().len() < count {
            assert!(Instant::now() < deadline, "the model was never called");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

fn position(uri: &str, line: u32, character: u32) -> Value {
    json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}})
}

fn inline_params(uri: &str, line: u32, character: u32) -> Value {
    let mut params = position(uri, line, character);
    params["context"] = json!({"triggerKind": 2});
    params
}

fn range(start: (u32, u32), end: (u32, u32)) -> Value {
    json!({"start": {"line": start.0, "character": start.1}, "end": {"line": end.0, "character": end.1}})
}

#[test]
fn inline_python_line_drops_what_already_follows_the_cursor() {
    let mut s = Session::start(
        vec![answer("\"hello\", name)\n    return name\n")],
        json!({"debounce_ms": 0}),
    );
    s.keel.open(PY, "python", "def greet(name):\n    print()\n");
    let items = s.inline(PY, 1, 10);
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0]["insertText"], "print(\"hello\", name");
    assert_eq!(items[0]["range"], range((1, 4), (1, 10)));
    let body = s.model.received()[0].json();
    assert_eq!(body["prompt"], "def greet(name):\n    print(");
    assert_eq!(body["suffix"], ")\n");
}

#[test]
fn inline_python_block_stops_where_the_method_ends() {
    let text = "class Cart:\n    def total(self, items):\n\n    def other(self):\n        pass\n";
    let mut s = Session::start(
        vec![answer(
            "\n        s = sum(items)\n        return s\n    def helper(self):\n        pass\n",
        )],
        json!({"debounce_ms": 0}),
    );
    s.keel.open(PY, "python", text);
    let items = s.inline(PY, 1, 27);
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(
        items[0]["insertText"],
        "def total(self, items):\n        s = sum(items)\n        return s"
    );
    assert_eq!(items[0]["range"], range((1, 4), (1, 27)));
}

#[test]
fn rust_block_as_a_completion_item_stops_at_the_closing_brace() {
    let text = "fn area(w: u32, h: u32) -> u32 {\n}\n\nfn main() {}\n";
    let mut s = Session::start(
        vec![answer("\n    let a = w * h;\n    a\n}\n\nfn extra() {}\n")],
        json!({"debounce_ms": 0, "item_deadline_ms": 20000}),
    );
    s.keel.open(RS, "rust", text);
    let result = s.items(RS, 0, 32);
    assert_eq!(result["isIncomplete"], false);
    let item = &result["items"][0];
    assert_eq!(item["label"], "let a = w * h;");
    assert_eq!(
        item["textEdit"]["newText"],
        "fn area(w: u32, h: u32) -> u32 {\n    let a = w * h;\n    a"
    );
    assert_eq!(item["textEdit"]["range"], range((0, 0), (0, 32)));
    assert_eq!(item["filterText"], "fn area(w: u32, h: u32) -> u32 {");
}

#[test]
fn rust_line_in_an_expression_is_one_line_and_a_breaking_one_is_rejected() {
    let text = "fn f(a: i32) -> i32 {\n    let b = a\n    b\n}\n";
    let mut s = Session::start(
        vec![answer(" * 2;\n    let c = 3;\n"), answer(" +* ) {;\n")],
        json!({"debounce_ms": 0}),
    );
    s.keel.open(RS, "rust", text);
    // `let b = a` lacks its `;`, so the scope has an error already: no syntax veto.
    let items = s.inline(RS, 1, 13);
    assert_eq!(items[0]["insertText"], "let b = a * 2;");
    let body = s.model.received()[0].json();
    assert_eq!(body["stop"][0], "\n", "one line is asked for");

    s.keel
        .change(RS, 2, json!([keel_e2e::edit((1, 13), (1, 13), ";")]));
    // Now the function parses cleanly, and ` +* ) {;` would break it.
    let items = s.inline(RS, 2, 5);
    assert!(items.is_empty(), "{items:?}");
    assert_eq!(s.model.received().len(), 2);
}

#[test]
fn a_superseded_request_is_aborted_and_the_last_one_answered() {
    let stall = Reply::stream_stall("text/event-stream", &[]);
    let mut s = Session::start(vec![stall, answer("x + 1\n")], json!({"debounce_ms": 0}));
    s.keel.open(PY, "python", "def f(x):\n    return \n");
    let first = s
        .keel
        .request_async("textDocument/inlineCompletion", inline_params(PY, 1, 11));
    s.model_received(1);
    s.keel
        .change(PY, 2, json!([keel_e2e::edit((1, 11), (1, 11), " ")]));
    let second = s
        .keel
        .request_async("textDocument/inlineCompletion", inline_params(PY, 1, 12));
    let superseded = s
        .keel
        .response(&first, TIMEOUT)
        .expect("an answer, not silence");
    assert_eq!(superseded["items"], json!([]));
    s.runtime.block_on(s.model.client_closed());
    let last = s.keel.response(&second, TIMEOUT).expect("answered");
    assert_eq!(last["items"][0]["insertText"], "return  x + 1");
    let status = s.status();
    assert_eq!(status["providerCalls"], 2);
    assert!(status["cancellations"].as_u64() >= Some(1), "{status}");
}

#[test]
fn cancel_request_aborts_the_model_call() {
    let mut s = Session::start(
        vec![Reply::stream_stall("text/event-stream", &[])],
        json!({"debounce_ms": 0}),
    );
    s.keel.open(PY, "python", "x = \n");
    let id = s
        .keel
        .request_async("textDocument/inlineCompletion", inline_params(PY, 0, 4));
    s.model_received(1);
    s.keel.notify("$/cancelRequest", json!({"id": id}));
    let error = s.keel.response(&id, TIMEOUT).expect_err("cancelled");
    assert_eq!(error.code, -32800);
    s.runtime.block_on(s.model.client_closed());
    assert_eq!(s.status()["cancellations"], 1);
    // Editors record every stderr line of a server as an error: a cancelled request is
    // normal operation and writes nothing there.
    assert_eq!(s.keel.stderr(), "");
}

#[test]
fn typing_through_a_suggestion_makes_no_model_call() {
    let mut s = Session::start(
        vec![answer("compute_total(items)\n")],
        json!({"debounce_ms": 0}),
    );
    s.keel.open(PY, "python", "total = \n");
    let items = s.inline(PY, 0, 8);
    assert_eq!(items[0]["insertText"], "total = compute_total(items)");
    for (version, typed) in "comp".chars().enumerate() {
        let column = 8 + version as u32;
        let edit = keel_e2e::edit((0, column), (0, column), &typed.to_string());
        s.keel.change(PY, version as i32 + 2, json!([edit]));
        let items = s.inline(PY, 0, column + 1);
        assert_eq!(items[0]["insertText"], "total = compute_total(items)");
        assert_eq!(items[0]["range"], range((0, 0), (0, column + 1)));
    }
    assert_eq!(s.model.received().len(), 1);
    let status = s.status();
    assert_eq!(status["providerCalls"], 1);
    assert_eq!(status["typingThroughHits"], 4);
    assert_eq!(status["requests"], 5);
}

#[test]
fn a_slow_model_does_not_hold_item_completions_past_the_deadline() {
    let model_delay = Duration::from_millis(1500);
    let mut s = Session::start(
        vec![answer_after("len(items)\n", model_delay)],
        json!({"debounce_ms": 0, "item_deadline_ms": 300}),
    );
    s.keel.open(PY, "python", "count = \n");
    let first = s.items(PY, 0, 8);
    // A client held until the model finished (three chunks of 1.5 s) would get its text
    // here: an empty, incomplete answer is the deadline at work, however slow the machine.
    assert_eq!(first["isIncomplete"], true);
    assert_eq!(first["items"], json!([]));
    // The call goes on and fills the cache: once it is done, the answer costs nothing.
    let deadline = Instant::now() + TIMEOUT;
    let second = loop {
        std::thread::sleep(Duration::from_millis(500));
        let result = s.items(PY, 0, 8);
        if result["isIncomplete"] == false || Instant::now() > deadline {
            break result;
        }
    };
    assert_eq!(
        second["items"][0]["textEdit"]["newText"],
        "count = len(items)"
    );
    assert_eq!(
        s.model.received().len(),
        1,
        "one model call for all requests"
    );
}

#[test]
fn crlf_files_get_correct_ranges_for_utf8_and_utf16_clients() {
    let text = "def f():\r\n    s = \"é😀\" + \r\n    return s\r\n";
    for (capabilities, end) in [(json!({}), 16), (utf8_client(), 19)] {
        let mut s =
            Session::start_with(vec![answer("s\n")], json!({"debounce_ms": 0}), capabilities);
        s.keel.open(PY, "python", text);
        let items = s.inline(PY, 1, end);
        assert_eq!(items[0]["insertText"], "s = \"é😀\" + s");
        assert_eq!(items[0]["range"], range((1, 4), (1, end)));
        let body = s.model.received()[0].json();
        assert_eq!(body["prompt"], "def f():\r\n    s = \"é😀\" + ");
    }
}

#[test]
fn without_a_provider_completions_are_empty_and_status_says_why() {
    let mut keel = Server::start();
    let options =
        json!({"provider": {"kind": "openai-completions", "endpoint": "http://127.0.0.1:9"}});
    keel.initialize(json!({}), Some(options), None);
    keel.open(PY, "python", "x = \n");
    let items = keel
        .request("textDocument/inlineCompletion", inline_params(PY, 0, 4))
        .expect("answered");
    assert_eq!(items["items"], json!([]));
    let status = keel.request("keel/status", Value::Null).expect("status");
    assert!(
        status["health"]
            .as_str()
            .is_some_and(|h| h.starts_with("unavailable") && h.contains("provider.model")),
        "{status}"
    );
}

/// A server whose model endpoint (returned too) refuses connections, with a Python
/// document open.
fn with_the_endpoint_down() -> (Server, String) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let down = runtime.block_on(support::closed_port());
    let mut keel = Server::start();
    let options = json!({
        "provider": {"kind": "openai-completions", "endpoint": down, "model": "m", "retries": 0},
        "completion": {"debounce_ms": 0},
    });
    keel.initialize(json!({}), Some(options), None);
    keel.open(PY, "python", "x = \n");
    (keel, down)
}

/// An endpoint that is down: completions answer empty at once, and the user gets one
/// message for the outage, not one per keystroke; an unusable configuration is shown once.
#[test]
fn an_outage_is_told_once_and_a_broken_provider_config_once() {
    let (mut keel, down) = with_the_endpoint_down();
    for _ in 0..8 {
        let items = keel
            .request("textDocument/inlineCompletion", inline_params(PY, 0, 4))
            .expect("answered");
        assert_eq!(items["items"], json!([]));
    }
    keel.wait_notification_where("window/showMessage", TIMEOUT, |m| {
        m["message"]
            .as_str()
            .unwrap_or_default()
            .contains("failing")
    })
    .expect("the outage is told");
    keel.round_trip();
    let shown = keel.seen("window/showMessage");
    let outages: Vec<&Value> = shown
        .iter()
        .filter(|m| {
            m["message"]
                .as_str()
                .unwrap_or_default()
                .contains("failing")
        })
        .collect();
    assert_eq!(outages.len(), 1, "one message per outage: {shown:?}");
    assert_eq!(outages[0]["type"], 1, "an error");
    let status = keel.request("keel/status", Value::Null).expect("status");
    assert!(
        status["health"].as_str().unwrap().starts_with("failing"),
        "{status}"
    );

    // A provider that cannot be built (no API key in the environment) is shown once.
    keel.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"provider": {"kind": "openai", "endpoint": down, "model": "m", "api_key_env": "KEEL_TEST_NO_SUCH_KEY"}}}),
    );
    for _ in 0..3 {
        keel.request("textDocument/inlineCompletion", inline_params(PY, 0, 4))
            .expect("answered");
    }
    keel.wait_notification_where("window/showMessage", TIMEOUT, |m| {
        m["message"]
            .as_str()
            .unwrap_or_default()
            .contains("KEEL_TEST_NO_SUCH_KEY")
    })
    .expect("the broken configuration is told");
    keel.round_trip();
    let shown = keel.seen("window/showMessage");
    let config_errors = shown
        .iter()
        .filter(|m| {
            m["message"]
                .as_str()
                .unwrap_or_default()
                .contains("KEEL_TEST_NO_SUCH_KEY")
        })
        .count();
    assert_eq!(config_errors, 1, "{shown:?}");
    assert_eq!(keel.shutdown().code(), Some(0));
}

/// Completions in the editor carry the workspace's context: the definition of a function
/// imported from another file reaches the model, and a secret in the file does not.
#[test]
fn editor_completions_send_cross_file_definitions_and_redact_secrets() {
    let workspace = keel_e2e::TempDir::new("completion-context");
    let app = workspace.path().join("app");
    std::fs::create_dir_all(&app).unwrap();
    std::fs::write(app.join("__init__.py"), "").unwrap();
    std::fs::write(
        app.join("billing.py"),
        "def charge_card(user, cents: int, currency: str = \"eur\") -> str:\n    \"\"\"Charges the user's card; returns the receipt id.\"\"\"\n    raise NotImplementedError\n",
    )
    .unwrap();
    let api = app.join("api.py");
    let source = "from app.billing import charge_card\n\nSTRIPE_KEY = \"sk_live_4eC39HqLyjWDarjtT1zdp7dc\"\n\ndef checkout(user):\n    receipt = charge_card(\n";
    std::fs::write(&api, source).unwrap();
    let uri = keel_e2e::file_uri(&api);

    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let model = runtime.block_on(TestServer::start(vec![answer("user, 100)")]));
    let mut keel = Server::start();
    let options = json!({
        "provider": {"kind": "openai-completions", "endpoint": model.url(), "model": "test-model", "fim": "qwen"},
        "completion": {"debounce_ms": 0},
    });
    keel.initialize(
        json!({"window": {"workDoneProgress": true}}),
        Some(options),
        Some(workspace.path()),
    );
    // Wait for the background index to finish (its progress ends).
    keel.wait_notification_where("$/progress", TIMEOUT, |p| p["value"]["kind"] == "end")
        .expect("indexing finishes");
    keel.open(&uri, "python", source);
    let items = keel
        .request("textDocument/inlineCompletion", inline_params(&uri, 5, 26))
        .expect("answered");
    assert_eq!(
        items["items"][0]["insertText"],
        "receipt = charge_card(user, 100)"
    );
    let received = model.received();
    assert_eq!(received.len(), 1);
    let prompt = received[0].json()["prompt"].as_str().unwrap().to_string();
    assert!(
        prompt.contains("def charge_card(user, cents: int, currency: str = \"eur\") -> str"),
        "the imported definition is in the prompt: {prompt}"
    );
    assert!(prompt.contains("app/billing.py"), "{prompt}");
    assert!(
        !prompt.contains("sk_live_4eC39HqLyjWDarjtT1zdp7dc"),
        "{prompt}"
    );
    assert!(prompt.contains("STRIPE_KEY = "), "{prompt}");
    assert_eq!(keel.shutdown().code(), Some(0));
}

/// What Neovim and Helix send: completion items may be snippets.
fn snippet_client() -> Value {
    json!({"textDocument": {"completion": {"completionItem": {"snippetSupport": true}}}})
}

#[test]
fn an_item_is_a_snippet_a_client_inserts_whole_and_plain_text_for_others() {
    let text = "class Cart:\n    def total(self, items):\n\n    def other(self):\n        pass\n";
    let model = "\n        s = f\"${sum(items)}\"\n        return s\n    def helper(self):\n";
    let whole = "def total(self, items):\n        s = f\"${sum(items)}\"\n        return s";

    let mut s = Session::start_with(
        vec![answer(model)],
        json!({"debounce_ms": 0, "item_deadline_ms": 20000}),
        snippet_client(),
    );
    s.keel.open(PY, "python", text);
    let item = s.items(PY, 1, 27)["items"][0].clone();
    assert_eq!(item["insertTextFormat"], 2, "{item}");
    // `$` and `}` escaped; later lines relative to the cursor line, as editors re-indent them.
    assert_eq!(
        item["textEdit"]["newText"],
        "def total(self, items):\n    s = f\"\\${sum(items)\\}\"\n    return s"
    );
    assert_eq!(item["insertTextMode"], 2);
    assert_eq!(item["textEdit"]["range"], range((1, 4), (1, 27)));
    assert_eq!(item["filterText"], "def total(self, items):");

    let mut s = Session::start(
        vec![answer(model)],
        json!({"debounce_ms": 0, "item_deadline_ms": 20000}),
    );
    s.keel.open(PY, "python", text);
    let item = s.items(PY, 1, 27)["items"][0].clone();
    assert_eq!(item["insertTextFormat"], 1, "{item}");
    assert_eq!(item["textEdit"]["newText"], whole);
    assert_eq!(item["filterText"], "def total(self, items):");
}

#[test]
fn keel_status_takes_no_params_in_any_form_a_client_sends() {
    let mut s = Session::start(vec![], json!({}));
    for params in [Value::Null, json!({}), json!([])] {
        let status = s
            .keel
            .request("keel/status", params.clone())
            .unwrap_or_else(|err| panic!("keel/status with {params}: {err:?}"));
        assert_eq!(status["provider"], "openai-completions", "{params}");
    }
    // Requests that take params still refuse the wrong ones.
    let error = s
        .keel
        .request("keel/viewFileText", json!([]))
        .expect_err("params are required");
    assert_eq!(error.code, -32602);
}

#[test]
fn status_says_thinking_only_while_a_completion_takes_long() {
    // The second answer takes 1.6 s (four pieces, 400 ms apart): the thinking note, due
    // after 200 ms, comes while it runs however loaded the machine.
    let slow = answer_after("y + 2\n", Duration::from_millis(400));
    let mut s = Session::start(vec![answer("x + 1\n"), slow], json!({"debounce_ms": 0}));
    let first = s
        .keel
        .wait_notification("keel/status", TIMEOUT)
        .expect("the state after initialized");
    assert_eq!(first["state"], "idle", "{first}");
    assert_eq!(first["provider"], "openai-completions");
    assert_eq!(first["model"], "test-model");
    s.keel.open(PY, "python", "def f(x):\n    return \n");
    // Answered at once: the editor is not told twice for nothing. (On a machine so loaded
    // that the answer took longer than the note's 200 ms, a note is right: only a fast
    // answer, as the client measured it, proves anything.)
    let asked = Instant::now();
    assert_eq!(s.inline(PY, 1, 11).len(), 1);
    if asked.elapsed() < Duration::from_millis(200) {
        assert_eq!(
            s.keel.seen("keel/status").len(),
            1,
            "no note before the answer"
        );
    }
    // A slow one: thinking while it runs, idle once it is answered.
    s.keel.open(PY2, "python", "def g(y):\n    return \n");
    let id = s
        .keel
        .request_async("textDocument/inlineCompletion", inline_params(PY2, 1, 11));
    let thinking = s
        .keel
        .wait_notification("keel/status", TIMEOUT)
        .expect("thinking");
    assert_eq!(thinking["state"], "thinking", "{thinking}");
    let items = s.keel.response(&id, TIMEOUT).expect("answered");
    assert_eq!(items["items"].as_array().map(Vec::len), Some(1), "{items}");
    let idle = s
        .keel
        .wait_notification("keel/status", TIMEOUT)
        .expect("idle again");
    assert_eq!(idle["state"], "idle");
}

#[test]
fn status_says_error_with_the_reason_when_the_model_fails() {
    let (mut keel, _) = with_the_endpoint_down();
    let deadline = Instant::now() + TIMEOUT;
    let error = loop {
        assert!(Instant::now() < deadline, "no error state pushed");
        let _ = keel.request("textDocument/inlineCompletion", inline_params(PY, 0, 4));
        // Each failed request may or may not be the one that turns the state to error (the
        // breaker counts failures); the overall deadline bounds the retries.
        let wait = Duration::from_secs(1);
        if let Some(error) =
            keel.wait_notification_where("keel/status", wait, |note| note["state"] == "error")
        {
            break error;
        }
    };
    assert!(
        error["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("failing")),
        "{error}"
    );
}

// ---- connections to the model -------------------------------------------------------

/// The model's answer as `openai-completions` SSE events, `pieces` apart.
fn completion_events(pieces: &[&str]) -> Vec<String> {
    let mut events: Vec<String> = pieces
        .iter()
        .map(|piece| {
            json!({"choices": [{"index": 0, "text": piece, "finish_reason": null}]}).to_string()
        })
        .collect();
    events.push("[DONE]".into());
    events
        .iter()
        .map(|event| support::sse(&[(None, event.as_str())]).concat())
        .collect()
}

/// Keel with `endpoint` as its model and a file of `functions` functions, each ending in
/// an unfinished `return ` line (line `2 * i + 1`): a new prompt at each.
fn keel_on(endpoint: &str, env: Vec<(String, String)>, functions: usize) -> Server {
    let mut keel = Server::launch(Launch {
        env,
        ..Launch::default()
    });
    let options = json!({
        "provider": {"kind": "openai-completions", "endpoint": endpoint, "model": "test-model"},
        "completion": {"debounce_ms": 0},
    });
    keel.initialize(json!({}), Some(options), None);
    let text: String = (0..functions)
        .map(|i| format!("def f{i}(x):\n    return \n"))
        .collect();
    keel.open(PY, "python", &text);
    keel
}

fn suggest_at_each_function(keel: &mut Server, functions: usize, pause: Duration) {
    for i in 0..functions as u32 {
        let result = keel
            .request(
                "textDocument/inlineCompletion",
                inline_params(PY, 2 * i + 1, 11),
            )
            .expect("answered");
        let items = result["items"].as_array().cloned().unwrap_or_default();
        assert_eq!(items.len(), 1, "{result}");
        std::thread::sleep(pause);
    }
}

/// A one-line suggestion is complete at the answer's first line break and Keel stops
/// reading. Over HTTPS with HTTP/2 the stream is reset and the connection kept: one
/// connection (one TLS handshake) for every completion, even while the model would go on.
#[test]
fn streams_stopped_early_share_one_https_connection() {
    const FUNCTIONS: usize = 5;
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let first = completion_events(&["x + 1\n"]).remove(0);
    let model = runtime.block_on(support::TlsServer::start("text/event-stream", first));
    let trust = support::TlsServer::ca_file().display().to_string();
    let mut keel = keel_on(
        &model.url(),
        vec![("SSL_CERT_FILE".into(), trust)],
        FUNCTIONS,
    );
    suggest_at_each_function(&mut keel, FUNCTIONS, Duration::ZERO);
    let load = |counter: &std::sync::atomic::AtomicUsize| counter.load(Ordering::Relaxed);
    assert_eq!(load(&model.requests), FUNCTIONS, "each an HTTP/2 request");
    assert_eq!(load(&model.connections), 1);
    // Each stream was reset by Keel, not left open on the server.
    let deadline = Instant::now() + TIMEOUT;
    while load(&model.reset) < FUNCTIONS {
        assert!(Instant::now() < deadline, "{} reset", load(&model.reset));
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Over plain HTTP/1.1, stopping early would close the connection; when the rest of the
/// answer comes at once Keel reads it out instead, and the next completion reuses the
/// connection. (A pause between completions lets the rest be read; one reconnect is
/// allowed for a starved machine, where that read can miss its short window.)
#[test]
fn streams_stopped_early_keep_their_http1_connection_when_the_rest_comes_at_once() {
    const FUNCTIONS: usize = 6;
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let pieces = completion_events(&["x + 1\n", "    y = 2\n", "    return y\n"]);
    let model = runtime.block_on(support::KeepAliveServer::streaming(
        "text/event-stream",
        &pieces,
        Duration::ZERO,
    ));
    let mut keel = keel_on(&model.url(), Vec::new(), FUNCTIONS);
    suggest_at_each_function(&mut keel, FUNCTIONS, Duration::from_millis(100));
    assert_eq!(model.requests.load(Ordering::Relaxed), FUNCTIONS);
    let connections = model.connections.load(Ordering::Relaxed);
    assert!(
        connections <= 2,
        "{connections} connections for {FUNCTIONS} calls"
    );
}

/// TLS is verified: an endpoint whose certificate no trusted authority signed gets no
/// request at all (the handshake fails), and the completion is empty.
#[test]
fn an_https_endpoint_with_an_untrusted_certificate_gets_nothing() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let first = completion_events(&["x + 1\n"]).remove(0);
    let model = runtime.block_on(support::TlsServer::start("text/event-stream", first));
    // The system's authorities (whatever the environment names), which never include the
    // test's own.
    let mut keel = keel_on(&model.url(), Vec::new(), 1);
    let result = keel
        .request("textDocument/inlineCompletion", inline_params(PY, 1, 11))
        .expect("answered");
    assert_eq!(
        result["items"].as_array().map(Vec::len),
        Some(0),
        "{result}"
    );
    assert!(
        model.connections.load(Ordering::Relaxed) >= 1,
        "Keel did connect"
    );
    assert_eq!(
        model.requests.load(Ordering::Relaxed),
        0,
        "but sent nothing"
    );
}
