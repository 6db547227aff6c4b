//! Code actions end to end: the real `keel` binary over stdio, with a real HTTP server on
//! 127.0.0.1 standing in for an `openai` chat model whose replies are scripted: good,
//! fenced, syntax-breaking, out of range, garbage, slow. Nothing that fails the checks
//! reaches the edit; listing never calls the model; resolve reports progress, honours the
//! deadline and can be cancelled. "Fix with AI" is offered only where a model may see the
//! file and no deterministic fix exists, and its edit must remove the finding it targets.

#[path = "providers_support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use keel_e2e::{Launch, Server, TIMEOUT, TempDir};
use serde_json::{Value, json};
use support::{Reply, TestServer, chat_answer as chat};

const URI: &str = "file:///work/service/app.py";

const APP: &str = "\
from fastapi import FastAPI
import requests

app = FastAPI()


@app.get(\"/rates\")
def rates():
    response = requests.get(\"https://rates.example.com\", timeout=5)
    response.raise_for_status()
    return response.json()
";

/// The line of `def rates` (0-based).
const HANDLER_LINE: u32 = 7;

/// The deterministic version's answer to a failed upstream call.
const DETERMINISTIC: &str =
    "raise HTTPException(status_code=502, detail=\"rates: upstream call failed\") from exc";

/// A model's version that passes every check (its own log message tells it apart).
const GOOD: &str = "\
@app.get(\"/rates\")
def rates():
    try:
        response = requests.get(\"https://rates.example.com\", timeout=5)
        response.raise_for_status()
    except requests.RequestException as exc:
        logger.exception(\"the rate service failed\")
        raise HTTPException(status_code=502, detail=\"rates unavailable\") from exc
    return response.json()";

struct Session {
    runtime: tokio::runtime::Runtime,
    model: TestServer,
    keel: Server,
    _cache: TempDir,
    /// The document the actions are asked on.
    uri: String,
}

impl Session {
    /// Keel with the scripted model as its provider (`None`: no provider and no default
    /// model), and a client that resolves code actions and shows progress.
    fn start(replies: Option<Vec<Reply>>, deadline_ms: u64, resolve: bool) -> Session {
        Session::start_in(replies, deadline_ms, resolve, json!({}), None, URI, APP)
    }

    /// `start` with more options (`"tagSupport": true` is not one: the client then takes
    /// LSP 3.18's code action tags), a workspace folder, and the document `uri` holding `text`.
    fn start_in(
        replies: Option<Vec<Reply>>,
        deadline_ms: u64,
        resolve: bool,
        more: Value,
        root: Option<&std::path::Path>,
        uri: &str,
        text: &str,
    ) -> Session {
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        let has_model = replies.is_some();
        let model = runtime.block_on(TestServer::start(replies.unwrap_or_default()));
        // An empty cache: no downloaded default model stands in for the scripted one.
        let cache = TempDir::new("actions-cache");
        let mut keel = Server::launch(Launch {
            env: vec![("XDG_CACHE_HOME".into(), cache.path().display().to_string())],
            ..Launch::default()
        });
        let mut options = json!({"actions": {"deadline_ms": deadline_ms}});
        if has_model {
            options["provider"] = json!({"kind": "openai", "endpoint": model.url(), "model": "m"});
        }
        for (key, value) in more.as_object().into_iter().flatten() {
            if key != "tagSupport" {
                options[key] = value.clone();
            }
        }
        let mut capabilities = json!({"window": {"workDoneProgress": true}});
        if resolve {
            capabilities["textDocument"] = json!({"codeAction": {"resolveSupport": {"properties": ["edit"]}, "dataSupport": true}});
        }
        if more["tagSupport"] == true {
            capabilities["textDocument"]["codeAction"]["tagSupport"] = json!({"valueSet": [1]});
        }
        let result = keel.initialize(capabilities, Some(options), root);
        assert_eq!(
            result["capabilities"]["codeActionProvider"]["resolveProvider"],
            true
        );
        keel.open(uri, "python", text);
        Session {
            runtime,
            model,
            keel,
            _cache: cache,
            uri: uri.to_string(),
        }
    }

    /// The "Add error handling" action listed at the handler.
    fn listed(&mut self) -> Value {
        let started = Instant::now();
        let actions = self
            .keel
            .request(
                "textDocument/codeAction",
                json!({
                    "textDocument": {"uri": self.uri},
                    "range": {"start": {"line": HANDLER_LINE, "character": 4}, "end": {"line": HANDLER_LINE, "character": 4}},
                    "context": {"diagnostics": []},
                }),
            )
            .expect("codeAction answers");
        assert!(started.elapsed() < TIMEOUT);
        actions
            .as_array()
            .into_iter()
            .flatten()
            .find(|action| action["title"] == "Add error handling to `rates`")
            .cloned()
            .unwrap_or_else(|| panic!("no error-handling action in {actions:#}"))
    }

    /// The resolved action's title and the text of its edits.
    fn resolve(&mut self) -> (String, String) {
        let action = self.listed();
        assert_eq!(action["kind"], "refactor.rewrite");
        assert!(
            action.get("edit").is_none_or(Value::is_null),
            "listing computed an edit"
        );
        let resolved = self
            .keel
            .request("codeAction/resolve", action)
            .expect("resolve answers");
        let edits = resolved["edit"]["changes"][self.uri.as_str()]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let text: Vec<&str> = edits
            .iter()
            .filter_map(|edit| edit["newText"].as_str())
            .collect();
        (
            resolved["title"].as_str().unwrap_or_default().to_string(),
            text.join("\n"),
        )
    }

    fn requests_received(&self) -> usize {
        self.model.received().len()
    }
}

#[test]
fn a_fenced_good_reply_passes_the_checks_and_is_titled_ai() {
    let fenced = format!("```python\n{GOOD}\n```\n");
    let mut s = Session::start(Some(vec![chat(&fenced)]), 20_000, true);
    let (title, edit) = s.resolve();
    assert_eq!(title, "Add error handling to `rates` (AI)");
    assert!(
        edit.contains("logger.exception(\"the rate service failed\")"),
        "{edit}"
    );
    assert!(!edit.contains("```"), "{edit}");
    // The deterministic version's imports and logger are kept around the model's code.
    assert!(
        edit.contains("logger = logging.getLogger(__name__)"),
        "{edit}"
    );
    assert!(edit.contains(", HTTPException"), "{edit}");
    let prompt = s.model.received()[0].json();
    assert!(prompt.to_string().contains("def rates()"), "{prompt}");
}

#[test]
fn a_models_edit_carries_the_llm_generated_tag_for_a_client_that_takes_it() {
    let tags = json!({"tagSupport": true});
    let resolved = |s: &mut Session| {
        let action = s.listed();
        assert!(action.get("tags").is_none(), "nothing a model wrote yet");
        s.keel
            .request("codeAction/resolve", action)
            .expect("resolve answers")
    };
    let mut s = Session::start_in(
        Some(vec![chat(GOOD)]),
        20_000,
        true,
        tags.clone(),
        None,
        URI,
        APP,
    );
    let by_model = resolved(&mut s);
    assert_eq!(by_model["title"], "Add error handling to `rates` (AI)");
    assert_eq!(by_model["tags"], json!([1]));
    // The deterministic version is no model's.
    let mut s = Session::start_in(None, 20_000, true, tags, None, URI, APP);
    let deterministic = resolved(&mut s);
    assert_eq!(deterministic["title"], "Add error handling to `rates`");
    assert!(deterministic.get("tags").is_none(), "{deterministic:#}");
    // A client that does not list the tag never gets it.
    let mut s = Session::start(Some(vec![chat(GOOD)]), 20_000, true);
    let untagged = resolved(&mut s);
    assert_eq!(untagged["title"], "Add error handling to `rates` (AI)");
    assert!(untagged.get("tags").is_none(), "{untagged:#}");
}

#[test]
fn replies_that_fail_the_checks_never_reach_the_edit() {
    let out_of_range = format!("{GOOD}\n\n\ndef extra():\n    return 1");
    let cases = [
        ("syntax-breaking", "def rates(:\n    return response.json("),
        ("out of range", out_of_range.as_str()),
        ("garbage", "I'm sorry, as an AI I cannot see your code."),
        ("placeholder", "def rates():\n    ..."),
    ];
    let mut s = Session::start(Some(Vec::new()), 20_000, true);
    for (round, (name, reply)) in cases.iter().enumerate() {
        // The first reply and the retry both fail.
        s.model.push(chat(reply));
        s.model.push(chat(reply));
        let (title, edit) = s.resolve();
        assert_eq!(title, "Add error handling to `rates`", "{name}");
        assert!(edit.contains(DETERMINISTIC), "{name}: {edit}");
        assert!(!edit.contains("the rate service failed"), "{name}: {edit}");
        assert_eq!(s.requests_received(), 2 * (round + 1), "{name}: one retry");
        let retry = s.model.received()[2 * round + 1].json().to_string();
        assert!(
            retry.contains("was refused"),
            "{name}: the retry says why: {retry}"
        );
        assert!(fallback_message(&mut s).contains("deterministic"));
    }
}

/// The next message the user is shown: why the model's version is not the one used.
fn fallback_message(s: &mut Session) -> String {
    let shown = s
        .keel
        .wait_notification("window/showMessage", TIMEOUT)
        .expect("the fallback is told");
    shown["message"].as_str().unwrap_or_default().to_string()
}

#[test]
fn a_refused_reply_is_retried_with_the_reason_and_a_good_retry_is_used() {
    let mut s = Session::start(
        Some(vec![chat("def rates():\n    pass  # TODO"), chat(GOOD)]),
        20_000,
        true,
    );
    let (title, edit) = s.resolve();
    assert_eq!(title, "Add error handling to `rates` (AI)");
    assert!(edit.contains("the rate service failed"), "{edit}");
    let retry = s.model.received()[1].json().to_string();
    assert!(retry.contains("placeholder"), "{retry}");
}

#[test]
fn a_slow_model_falls_back_to_the_deterministic_version_at_the_deadline() {
    let mut s = Session::start(Some(vec![Reply::hang()]), 600, true);
    let started = Instant::now();
    let (title, edit) = s.resolve();
    let took = started.elapsed();
    assert!(edit.contains(DETERMINISTIC), "{edit}");
    assert_eq!(title, "Add error handling to `rates`");
    assert!(
        took >= Duration::from_millis(600) && took < Duration::from_secs(10),
        "{took:?}"
    );
    let message = fallback_message(&mut s);
    assert!(
        message.contains("did not answer within 600 ms"),
        "{message}"
    );
    s.runtime.block_on(s.model.client_closed());
}

#[test]
fn resolve_reports_progress_and_cancelling_it_stops_the_model_call() {
    let mut s = Session::start(Some(vec![Reply::hang()]), 30_000, true);
    let action = s.listed();
    let id = s.keel.request_async("codeAction/resolve", action);
    s.keel
        .wait_server_request("window/workDoneProgress/create", TIMEOUT)
        .expect("progress is created");
    let begin = s
        .keel
        .wait_notification("$/progress", TIMEOUT)
        .expect("progress begins");
    assert_eq!(begin["value"]["kind"], "begin");
    let deadline = Instant::now() + TIMEOUT;
    while s.requests_received() == 0 {
        assert!(Instant::now() < deadline, "the model was never called");
        std::thread::sleep(Duration::from_millis(10));
    }
    s.keel.notify("$/cancelRequest", json!({"id": id}));
    let error = s.keel.response(&id, TIMEOUT).expect_err("cancelled");
    assert_eq!(error.code, -32800);
    s.runtime.block_on(s.model.client_closed());
}

#[test]
fn without_a_model_or_resolve_support_a_command_applies_the_deterministic_edit() {
    let mut s = Session::start(None, 20_000, false);
    s.keel
        .answer("workspace/applyEdit", json!({"applied": true}));
    let action = s.listed();
    let command = action["command"].clone();
    assert_eq!(command["command"], "keel.action.run");
    s.keel
        .request(
            "workspace/executeCommand",
            json!({"command": command["command"], "arguments": command["arguments"]}),
        )
        .expect("the command runs");
    let applied = s
        .keel
        .wait_server_request("workspace/applyEdit", TIMEOUT)
        .expect("the edit is sent to the client");
    let text = applied["edit"]["changes"][URI].to_string();
    assert!(text.contains("status_code=502"), "{text}");
    assert_eq!(s.requests_received(), 0);
}

// ---- privacy -------------------------------------------------------------------------

/// A file `privacy.exclude` covers never reaches the model through a code action either:
/// the action resolves to the deterministic version and says why.
#[test]
fn an_excluded_file_is_never_sent_to_the_model_by_an_action() {
    let root = TempDir::new("actions-excluded");
    let path = root.path().join("secret_rates.py");
    std::fs::write(&path, APP).unwrap();
    let uri = keel_e2e::file_uri(&path);
    let more = json!({"privacy": {"exclude": ["secret_*.py"]}});
    let mut s = Session::start_in(
        Some(vec![chat(GOOD)]),
        60_000,
        true,
        more,
        Some(root.path()),
        &uri,
        APP,
    );
    let (title, text) = s.resolve();
    assert_eq!(title, "Add error handling to `rates`");
    assert!(text.contains(DETERMINISTIC), "{text}");
    assert!(
        fallback_message(&mut s).contains("privacy.exclude"),
        "the user is told why"
    );
    assert_eq!(s.requests_received(), 0, "nothing of the file was sent");
}

/// A secret in the function an action rewrites is redacted from what the model receives
/// (the exact bytes on the wire), while the rest of the function is sent.
#[test]
fn secrets_in_the_code_an_action_sends_are_redacted() {
    const SECRET: &str = "sk_live_51HqLyjWDarjtT1zdp7dcXYZ9876";
    let app = APP.replace(
        "    response = requests.get(\"https://rates.example.com\", timeout=5)\n",
        &format!(
            "    api_key = \"{SECRET}\"\n    response = requests.get(\"https://rates.example.com\", headers={{\"key\": api_key}}, timeout=5)\n"
        ),
    );
    let mut s = Session::start_in(
        Some(vec![chat(GOOD), chat(GOOD)]),
        60_000,
        true,
        json!({}),
        None,
        URI,
        &app,
    );
    let _ = s.resolve();
    let received = s.model.received();
    assert!(!received.is_empty(), "the model was asked");
    for request in &received {
        assert!(
            request.body.contains("rates.example.com"),
            "the code was sent"
        );
        assert!(!request.body.contains(SECRET), "the secret was sent");
        assert!(
            !request.body.contains("sk_live_51Hq"),
            "part of the secret was sent"
        );
    }
}

// ---- edits of other files --------------------------------------------------------------

/// `edits` (LSP text edits on ASCII text) applied to `text`, as a client applies them.
fn applied(text: &str, edits: &[Value]) -> String {
    let offset = |position: &Value| {
        let line = position["line"].as_u64().unwrap() as usize;
        let character = position["character"].as_u64().unwrap() as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        start + character
    };
    let mut ranges: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|edit| {
            (
                offset(&edit["range"]["start"]),
                offset(&edit["range"]["end"]),
                edit["newText"].as_str().unwrap(),
            )
        })
        .collect();
    // Stable: insertions at one place keep the order they were sent in.
    ranges.sort_by_key(|(start, ..)| *start);
    let mut out = String::new();
    let mut at = 0;
    for (start, end, new_text) in ranges {
        out.push_str(&text[at..start]);
        out.push_str(new_text);
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

const DJANGO_VIEWS: &str = "\
from rest_framework.decorators import api_view
from rest_framework.response import Response


# GET /orders/{id}: fetch an order
";

/// The files of a Django app, and the text of its urls.py the editor holds open with
/// unsaved changes (the route must go where that text has the list).
const DJANGO_URLS_OPEN: &str = "from django.urls import path\n\n# the app's routes\nurlpatterns = [\n    path(\"health/\", views.health),\n]\n";

/// Resolves "Generate endpoint" in a Django app's views.py (no model) with a client that
/// takes `documentChanges` or not, with urls.py open or not; returns the views.py and
/// urls.py edits and the version urls.py's edit names (documentChanges only).
fn django_endpoint(document_changes: bool, urls_open: bool) -> (Vec<Value>, Vec<Value>, Value) {
    let root = TempDir::new("actions-django");
    let views = root.path().join("views.py");
    let urls = root.path().join("urls.py");
    std::fs::write(&views, DJANGO_VIEWS).unwrap();
    std::fs::write(&urls, "from django.urls import path\n\nurlpatterns = []\n").unwrap();
    let (views_uri, urls_uri) = (keel_e2e::file_uri(&views), keel_e2e::file_uri(&urls));
    let cache = TempDir::new("actions-cache");
    let mut keel = Server::launch(Launch {
        env: vec![("XDG_CACHE_HOME".into(), cache.path().display().to_string())],
        ..Launch::default()
    });
    let capabilities = json!({
        "textDocument": {"codeAction": {"resolveSupport": {"properties": ["edit"]}, "dataSupport": true}},
        "workspace": {"workspaceEdit": {"documentChanges": document_changes}},
    });
    keel.initialize(capabilities, Some(json!({})), Some(root.path()));
    keel.open(&views_uri, "python", DJANGO_VIEWS);
    if urls_open {
        keel.open(&urls_uri, "python", DJANGO_URLS_OPEN);
    }
    let actions = keel
        .request(
            "textDocument/codeAction",
            json!({
                "textDocument": {"uri": views_uri},
                "range": {"start": {"line": 4, "character": 2}, "end": {"line": 4, "character": 2}},
                "context": {"diagnostics": []},
            }),
        )
        .expect("codeAction answers");
    let action = actions
        .as_array()
        .into_iter()
        .flatten()
        .find(|action| action["title"] == "Generate endpoint GET /orders/{id}")
        .cloned()
        .unwrap_or_else(|| panic!("no generate-endpoint action in {actions:#}"));
    let resolved = keel
        .request("codeAction/resolve", action)
        .expect("resolve answers");
    let edit = &resolved["edit"];
    let edits_of = |uri: &str| -> (Vec<Value>, Value) {
        if document_changes {
            let change = edit["documentChanges"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|change| change["textDocument"]["uri"] == uri)
                .unwrap_or_else(|| panic!("no edit of {uri} in {edit:#}"));
            (
                change["edits"].as_array().cloned().unwrap_or_default(),
                change["textDocument"]["version"].clone(),
            )
        } else {
            let edits = edit["changes"][uri]
                .as_array()
                .cloned()
                .unwrap_or_else(|| panic!("no edit of {uri} in {edit:#}"));
            (edits, Value::Null)
        }
    };
    let (views_edits, _) = edits_of(&views_uri);
    let (urls_edits, urls_version) = edits_of(&urls_uri);
    (views_edits, urls_edits, urls_version)
}

/// "Generate endpoint" in a Django app's views.py routes the view in the urls.py beside
/// it, in the same workspace edit; the urls.py edit fits the text the editor holds.
#[test]
fn a_django_view_is_routed_in_the_urls_py_beside_it_in_one_edit() {
    let (views, urls, _) = django_endpoint(false, true);
    let view = applied(DJANGO_VIEWS, &views);
    assert!(
        view.contains("@api_view([\"GET\"])\ndef fetch_order(request, id):"),
        "{view}"
    );
    assert_eq!(
        applied(DJANGO_URLS_OPEN, &urls),
        "from django.urls import path\nfrom . import views\n\n# the app's routes\nurlpatterns = [\n    path(\"health/\", views.health),\n    path(\"orders/<int:id>/\", views.fetch_order, name=\"fetch_order\"),\n]\n"
    );
}

/// With `documentChanges`, the edit of an open urls.py names its version (a client refuses
/// it if the file changed since), and that of a closed one names none.
#[test]
fn the_urls_py_edit_is_versioned_when_the_file_is_open() {
    let (_, urls, version) = django_endpoint(true, true);
    assert_eq!(version, json!(1));
    assert!(applied(DJANGO_URLS_OPEN, &urls).contains("    path(\"orders/<int:id>/\""));
    let (_, urls, version) = django_endpoint(true, false);
    assert_eq!(version, Value::Null);
    assert_eq!(
        applied("from django.urls import path\n\nurlpatterns = []\n", &urls),
        "from django.urls import path\nfrom . import views\n\nurlpatterns = [\n    path(\"orders/<int:id>/\", views.fetch_order, name=\"fetch_order\"),\n]\n"
    );
}

// ---- Fix with AI -----------------------------------------------------------------------

/// A Flask app with two findings: `py-eval-exec` (no deterministic fix) and
/// `py-http-no-timeout` (which has one).
const FLASK: &str = "\
from flask import Flask, request
import requests

app = Flask(__name__)


@app.route(\"/calc\")
def calc():
    expr = request.args[\"expr\"]
    return str(eval(expr))


@app.route(\"/proxy\")
def proxy():
    return requests.get(request.args[\"u\"]).text
";

const FLASK_URI: &str = "file:///work/service/calc.py";

/// The lines (0-based) of the `eval` call and of the `requests.get` call.
const EVAL_LINE: u32 = 9;
const GET_LINE: u32 = 14;

/// A model's fix of `calc` that removes the finding.
const GOOD_FIX: &str = "\
import ast
@app.route(\"/calc\")
def calc():
    expr = request.args[\"expr\"]
    return str(ast.literal_eval(expr))";

const FIX_TITLE: &str = "Fix py-eval-exec (AI)";

impl Session {
    /// Keel on the Flask app, with the scripted model (`None`: no provider) and `more`
    /// options.
    fn flask(replies: Option<Vec<Reply>>, more: Value, resolve: bool) -> Session {
        Session::start_in(replies, 20_000, resolve, more, None, FLASK_URI, FLASK)
    }

    /// The code actions listed on `line` of the document (no model call: checked by callers).
    fn actions_on(&mut self, line: u32) -> Vec<Value> {
        let actions = self
            .keel
            .request(
                "textDocument/codeAction",
                json!({
                    "textDocument": {"uri": self.uri},
                    "range": {"start": {"line": line, "character": 4}, "end": {"line": line, "character": 4}},
                    "context": {"diagnostics": []},
                }),
            )
            .expect("codeAction answers");
        actions.as_array().cloned().unwrap_or_default()
    }

    fn titles_on(&mut self, line: u32) -> Vec<String> {
        self.actions_on(line)
            .iter()
            .filter_map(|action| action["title"].as_str().map(str::to_string))
            .collect()
    }

    /// The "Fix with AI" action on the `eval` line.
    fn fix_listed(&mut self) -> Value {
        let actions = self.actions_on(EVAL_LINE);
        actions
            .iter()
            .find(|action| action["title"] == FIX_TITLE)
            .cloned()
            .unwrap_or_else(|| panic!("no Fix with AI in {actions:#?}"))
    }

    /// The document's findings' rule ids, pulled after replacing its text with `text`.
    fn rules_flagged_in(&mut self, text: &str) -> Vec<String> {
        let uri = self.uri.clone();
        self.keel.change(&uri, 2, json!([{"text": text}]));
        let report = self
            .keel
            .request(
                "textDocument/diagnostic",
                json!({"textDocument": {"uri": uri}}),
            )
            .expect("diagnostics answer");
        report["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|item| item["code"].as_str().map(str::to_string))
            .collect()
    }
}

/// The edits of a resolved action, on the document `uri`.
fn edits_of(resolved: &Value, uri: &str) -> Vec<Value> {
    resolved["edit"]["changes"][uri]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[test]
fn fix_with_ai_is_listed_without_a_model_call_and_its_checked_edit_removes_the_finding() {
    let mut s = Session::flask(Some(vec![chat(GOOD_FIX)]), json!({}), true);
    assert_eq!(
        s.titles_on(EVAL_LINE),
        [FIX_TITLE, "Ignore py-eval-exec on this line"]
    );
    let action = s.fix_listed();
    assert_eq!(action["kind"], "quickfix");
    assert_eq!(action["isPreferred"], false);
    assert_eq!(action["diagnostics"][0]["code"], "py-eval-exec");
    assert!(action.get("edit").is_none_or(Value::is_null));
    assert_eq!(s.requests_received(), 0, "listing called the model");

    let resolved = s
        .keel
        .request("codeAction/resolve", action)
        .expect("resolve answers");
    assert_eq!(resolved["title"], FIX_TITLE);
    let fixed = applied(FLASK, &edits_of(&resolved, FLASK_URI));
    assert!(
        fixed.contains("import requests\nimport ast\n")
            && fixed.contains("    return str(ast.literal_eval(expr))\n\n\n@app.route(\"/proxy\")"),
        "{fixed}"
    );
    // The prompt names the finding and gives the rule's reasons and remedy.
    let prompt = s.model.received()[0].json().to_string();
    for part in [
        "py-eval-exec",
        "runs text as Python code",
        "full power of the process",
        "ast.literal_eval(request.args",
        "def calc():",
    ] {
        assert!(prompt.contains(part), "{part} not in {prompt}");
    }
    assert_eq!(s.rules_flagged_in(&fixed), ["py-http-no-timeout"]);
}

#[test]
fn fix_with_ai_edits_that_fail_the_checks_never_reach_the_buffer() {
    let original = "@app.route(\"/calc\")\ndef calc():\n    expr = request.args[\"expr\"]\n    return str(eval(expr))";
    let cases = [
        (
            "keeps the finding",
            original,
            "still has the `py-eval-exec` finding",
        ),
        (
            "syntax-breaking",
            "@app.route(\"/calc\")\ndef calc(:\n    return str(ast.literal_eval(",
            "syntax error",
        ),
        (
            "prose and a fence",
            "Here is the fix:\n```python\ndef calc():\n    return 1\n```",
            "markdown fences",
        ),
        (
            "placeholder",
            "@app.route(\"/calc\")\ndef calc():\n    ...",
            "placeholder",
        ),
    ];
    let mut s = Session::flask(Some(Vec::new()), json!({}), true);
    for (round, (name, reply, reason)) in cases.iter().enumerate() {
        // The first reply and the retry both fail.
        s.model.push(chat(reply));
        s.model.push(chat(reply));
        let action = s.fix_listed();
        let resolved = s
            .keel
            .request("codeAction/resolve", action)
            .expect("resolve answers");
        assert!(
            resolved.get("edit").is_none_or(Value::is_null),
            "{name}: {resolved:#}"
        );
        assert_eq!(s.requests_received(), 2 * (round + 1), "{name}: one retry");
        let retry = s.model.received()[2 * round + 1].json().to_string();
        assert!(
            retry.contains("was refused") && retry.contains(reason),
            "{name}: the retry says why: {retry}"
        );
        let message = fallback_message(&mut s);
        assert!(
            message.contains(FIX_TITLE)
                && message.contains("no deterministic fix")
                && message.contains(reason),
            "{name}: {message}"
        );
    }
}

#[test]
fn fix_with_ai_runs_as_a_command_for_clients_without_resolve() {
    let mut s = Session::flask(Some(vec![chat(GOOD_FIX)]), json!({}), false);
    s.keel
        .answer("workspace/applyEdit", json!({"applied": true}));
    let command = s.fix_listed()["command"].clone();
    assert_eq!(command["command"], "keel.action.run");
    assert_eq!(s.requests_received(), 0, "listing called the model");
    s.keel
        .request(
            "workspace/executeCommand",
            json!({"command": command["command"], "arguments": command["arguments"]}),
        )
        .expect("the command runs");
    let sent = s
        .keel
        .wait_server_request("workspace/applyEdit", TIMEOUT)
        .expect("the edit is sent to the client");
    let edits = sent["edit"]["changes"][FLASK_URI]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(applied(FLASK, &edits).contains("ast.literal_eval(expr)"));
}

/// "Fix with AI" is offered only where a model may be asked: a provider is configured, it
/// is allowed (`privacy.allow_remote`), the file is not excluded; and only for findings
/// without a deterministic fix.
#[test]
fn fix_with_ai_is_not_offered_where_no_model_may_see_the_file_or_a_fix_exists() {
    let mut s = Session::flask(Some(Vec::new()), json!({}), true);
    let titles = s.titles_on(GET_LINE);
    assert!(
        titles
            .iter()
            .any(|title| title.contains("(py-http-no-timeout)")),
        "{titles:?}"
    );
    assert!(
        !titles.iter().any(|title| title.ends_with("(AI)")),
        "{titles:?}"
    );

    let mut s = Session::flask(None, json!({}), true);
    assert_eq!(s.titles_on(EVAL_LINE), ["Ignore py-eval-exec on this line"]);

    let remote = json!({
        "provider": {"kind": "openai", "endpoint": "http://192.0.2.10:8080", "model": "m"},
        "privacy": {"allow_remote": false},
    });
    let mut s = Session::flask(None, remote, true);
    assert_eq!(s.titles_on(EVAL_LINE), ["Ignore py-eval-exec on this line"]);

    let root = TempDir::new("fix-excluded");
    let path = root.path().join("secret_calc.py");
    std::fs::write(&path, FLASK).unwrap();
    let uri = keel_e2e::file_uri(&path);
    let more = json!({"privacy": {"exclude": ["secret_*.py"]}});
    let mut s = Session::start_in(
        Some(Vec::new()),
        20_000,
        true,
        more,
        Some(root.path()),
        &uri,
        FLASK,
    );
    assert_eq!(s.titles_on(EVAL_LINE), ["Ignore py-eval-exec on this line"]);
    assert_eq!(s.requests_received(), 0);
}

/// `keel action list` and `keel action run fix-with-ai` take the editor's code path: the
/// same listing, the same model call and checks.
#[test]
fn keel_action_lists_and_runs_fix_with_ai() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let model = runtime.block_on(TestServer::start(vec![chat(GOOD_FIX)]));
    let root = TempDir::new("fix-cli");
    let app = root.path().join("calc.py");
    std::fs::write(&app, FLASK).unwrap();
    std::fs::write(
        root.path().join("keel.toml"),
        format!(
            "[provider]\nkind = \"openai\"\nendpoint = \"{}\"\nmodel = \"m\"\n",
            model.url()
        ),
    )
    .unwrap();
    let keel = |args: &[&str]| {
        let output = std::process::Command::new(keel_e2e::keel_binary())
            .args(args)
            .current_dir(root.path())
            .output()
            .expect("keel runs");
        (
            output.status.success(),
            String::from_utf8_lossy(&output.stdout).to_string(),
            String::from_utf8_lossy(&output.stderr).to_string(),
        )
    };
    let (ok, listed, _) = keel(&["action", "list", "calc.py:10"]);
    assert!(ok);
    assert_eq!(listed, format!("fix-with-ai\t{FIX_TITLE}\n"));
    assert!(model.received().is_empty(), "listing called the model");
    let (ok, _, _) = keel(&["action", "run", "fix-with-ai", "calc.py:10", "--write"]);
    assert!(ok);
    let written = std::fs::read_to_string(&app).unwrap();
    assert!(
        written.contains("return str(ast.literal_eval(expr))"),
        "{written}"
    );
    // With the model's edit refused twice, nothing is written and the reason is given.
    model.push(chat("def calc():\n    ..."));
    model.push(chat("def calc():\n    ..."));
    std::fs::write(&app, FLASK).unwrap();
    let (ok, _, stderr) = keel(&["action", "run", "fix-with-ai", "calc.py:10", "--write"]);
    assert!(!ok);
    assert!(
        stderr.contains("no deterministic fix") && stderr.contains("placeholder"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&app).unwrap(), FLASK);
}

/// A model that does not answer within `actions.deadline_ms`: no edit (there is no
/// deterministic fix to fall back on), and the user is told both.
#[test]
fn fix_with_ai_gives_no_edit_at_the_deadline_and_says_why() {
    let mut s = Session::start_in(
        Some(vec![Reply::hang()]),
        600,
        true,
        json!({}),
        None,
        FLASK_URI,
        FLASK,
    );
    let action = s.fix_listed();
    let started = Instant::now();
    let resolved = s
        .keel
        .request("codeAction/resolve", action)
        .expect("resolve answers");
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(
        resolved.get("edit").is_none_or(Value::is_null),
        "{resolved:#}"
    );
    let message = fallback_message(&mut s);
    assert!(
        message.contains("did not answer within 600 ms")
            && message.contains("no deterministic fix"),
        "{message}"
    );
    s.runtime.block_on(s.model.client_closed());
}

/// SQL built with `format!` from a request's data in an axum handler, and a model's fix
/// that binds the value instead.
const SQL_HANDLER: &str = "\
use axum::extract::Query;
use sqlx::PgPool;

async fn find_user(Query(email): Query<String>, pool: PgPool) -> Option<String> {
    let sql = format!(\"SELECT name FROM users WHERE email = '{}'\", email);
    sqlx::query_scalar(&sql).fetch_one(&pool).await.ok()
}
";

const SQL_FIX: &str = "\
async fn find_user(Query(email): Query<String>, pool: PgPool) -> Option<String> {
    sqlx::query_scalar(\"SELECT name FROM users WHERE email = $1\")
        .bind(email)
        .fetch_one(&pool)
        .await
        .ok()
}";

/// `keel action run fix-with-ai` on a Rust file prints the model's checked fix as a diff,
/// and `keel check` finds nothing left once it is written.
#[test]
fn keel_action_fixes_sql_built_with_format_by_binding_the_value() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let model = runtime.block_on(TestServer::start(vec![chat(SQL_FIX), chat(SQL_FIX)]));
    let root = TempDir::new("fix-sql");
    std::fs::create_dir_all(root.path().join("src")).unwrap();
    let file = root.path().join("src/users.rs");
    std::fs::write(&file, SQL_HANDLER).unwrap();
    std::fs::write(
        root.path().join("keel.toml"),
        format!(
            "[provider]\nkind = \"openai\"\nendpoint = \"{}\"\nmodel = \"m\"\n",
            model.url()
        ),
    )
    .unwrap();
    let keel = |args: &[&str]| {
        std::process::Command::new(keel_e2e::keel_binary())
            .args(args)
            .current_dir(root.path())
            .output()
            .expect("keel runs")
    };
    let before = keel(&["check", "src/users.rs"]);
    assert!(String::from_utf8_lossy(&before.stdout).contains("rs-sql-format"));
    let diff = keel(&["action", "run", "fix-with-ai", "src/users.rs:6"]);
    let printed = String::from_utf8_lossy(&diff.stdout);
    assert!(
        diff.status.success(),
        "{}",
        String::from_utf8_lossy(&diff.stderr)
    );
    assert!(
        printed.contains("-    let sql = format!(") && printed.contains("+        .bind(email)\n"),
        "{printed}"
    );
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        SQL_HANDLER,
        "no --write"
    );
    let prompt = model.received()[0].json().to_string();
    assert!(
        prompt.contains("rs-sql-format") && prompt.contains(".bind(email)"),
        "{prompt}"
    );

    let written = keel(&["action", "run", "fix-with-ai", "src/users.rs:6", "--write"]);
    assert!(written.status.success());
    let after = keel(&["check", "src/users.rs"]);
    let report = String::from_utf8_lossy(&after.stdout);
    assert!(
        after.status.success() && !report.contains("rs-sql-format"),
        "{report}"
    );
}

#[test]
fn with_the_embedded_model_an_action_leaves_code_that_compiles() {
    // The tiny test model writes nonsense: whatever it writes, the checks stand between it
    // and the buffer, and the edit applied is code that compiles.
    let models = std::env::var_os("KEEL_TEST_MODELS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| keel_e2e::user_cache_dir().join("keel").join("test-models"));
    let tiny = models.join("tiny.gguf");
    assert!(
        tiny.is_file(),
        "{} is missing: run scripts/fetch-test-models",
        tiny.display()
    );
    let provider = json!({"kind": "local", "model": tiny.display().to_string(), "threads": 1});
    let mut s = Session::start_in(
        None,
        60_000,
        true,
        json!({"provider": provider}),
        None,
        URI,
        APP,
    );
    let action = s.listed();
    let resolved = s
        .keel
        .request("codeAction/resolve", action)
        .expect("resolve answers");
    let edits = resolved["edit"]["changes"][URI]
        .as_array()
        .cloned()
        .expect("an edit");
    let edited = applied(APP, &edits);
    assert_ne!(edited, APP);
    let title = resolved["title"].as_str().unwrap_or_default();
    if !title.ends_with("(AI)") {
        // The model ran and its edit was refused: the user is told why.
        let told = fallback_message(&mut s);
        assert!(
            told.contains("refused") || told.contains("in time"),
            "{told}"
        );
    }
    let dir = TempDir::new("embedded-action");
    let file = dir.path().join("app.py");
    std::fs::write(&file, &edited).unwrap();
    let compiled = std::process::Command::new("python3")
        .args(["-m", "py_compile"])
        .arg(&file)
        .output()
        .expect("python3");
    assert!(
        compiled.status.success(),
        "{}\n{edited}",
        String::from_utf8_lossy(&compiled.stderr)
    );
}

#[test]
fn secrets_in_the_code_fix_with_ai_sends_are_redacted() {
    const SECRET: &str = "sk_live_51HqLyjWDarjtT1zdp7dcXYZ9876";
    // On the line above the finding, so the finding's line does not move.
    let flask = FLASK.replace(
        "    expr = request.args[\"expr\"]\n",
        &format!("    api_key = \"{SECRET}\"; expr = request.args[\"expr\"]\n"),
    );
    let mut s = Session::start_in(
        Some(vec![chat(GOOD_FIX), chat(GOOD_FIX)]),
        20_000,
        true,
        json!({}),
        None,
        FLASK_URI,
        &flask,
    );
    let action = s.fix_listed();
    let _ = s
        .keel
        .request("codeAction/resolve", action)
        .expect("resolve answers");
    let received = s.model.received();
    assert!(!received.is_empty(), "the model was asked");
    for request in &received {
        assert!(request.body.contains("def calc"), "the code was sent");
        assert!(
            request.body.contains("api_key = "),
            "the line holding the secret was sent, redacted"
        );
        assert!(!request.body.contains(SECRET), "the secret was sent");
        assert!(
            !request.body.contains("sk_live_51Hq"),
            "part of the secret was sent"
        );
    }
}
