//! AI review on save end to end: the real `keel` binary over stdio, with a real HTTP server
//! on 127.0.0.1 standing in for an `openai` chat model whose replies are scripted. A save
//! sends the functions changed since their last review, one request each; the concerns come
//! back as `keel-ai` diagnostics, at most warnings, anchored to the code they quote (an
//! invented snippet is dropped, as is a concern on a line a rule already flags); a function
//! edited since its review loses its concerns; nothing is sent when review is off, for an
//! excluded file, or to a remote provider without its own opt-in; secrets are redacted.

#[path = "providers_support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use keel_e2e::{Launch, Server, TIMEOUT, TempDir, edit};
use serde_json::{Value, json};
use support::{Reply, TestServer, chat_answer};

const URI: &str = "file:///work/service/app.py";

/// Two functions: `fetch` (line 5) has a rule finding (no timeout) and a problem no rule
/// sees (a missing key); `run` has nothing.
const APP: &str = "\
import subprocess

import requests


def fetch(url):
    data = requests.get(url).json()
    return data[\"items\"]


def run(name):
    return subprocess.run([\"ls\", name], check=True)
";

/// The review of `fetch`: one concern anchored in it, one on the line the no-timeout rule
/// flags (a duplicate), one quoting code that is not there (invented).
const FETCH_REVIEW: &str = r#"{"findings": [
  {"snippet": "return data[\"items\"]", "severity": "error", "category": "reliability", "message": "A reply without \"items\" raises KeyError; answer 502 instead."},
  {"snippet": "requests.get(url)", "severity": "warning", "category": "reliability", "message": "No timeout."},
  {"snippet": "cursor.execute(query % url)", "severity": "error", "category": "security", "message": "SQL injection."}
]}"#;

const NOTHING: &str = r#"{"findings": []}"#;

struct Session {
    _runtime: tokio::runtime::Runtime,
    model: TestServer,
    keel: Server,
    _cache: TempDir,
}

impl Session {
    /// Keel with the scripted model, `options` merged over the provider's, a client that
    /// pulls diagnostics (`pull`) or takes pushes, and the log at debug level (the review's
    /// end shows only there).
    fn start(
        replies: Vec<Reply>,
        options: Value,
        pull: bool,
        root: Option<&std::path::Path>,
    ) -> Session {
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        let model = runtime.block_on(TestServer::start(replies));
        let cache = TempDir::new("review-cache");
        let mut keel = Server::launch(Launch {
            env: vec![
                ("XDG_CACHE_HOME".into(), cache.path().display().to_string()),
                ("KEEL_LOG".into(), "keel=debug".into()),
            ],
            ..Launch::default()
        });
        let mut all =
            json!({"provider": {"kind": "openai", "endpoint": model.url(), "model": "m"}});
        for (key, value) in options.as_object().into_iter().flatten() {
            all[key] = value.clone();
        }
        let mut capabilities = json!({"window": {"workDoneProgress": true}});
        if pull {
            capabilities["textDocument"] = json!({"diagnostic": {}});
            capabilities["workspace"] = json!({"diagnostics": {"refreshSupport": true}});
        }
        keel.initialize(capabilities, Some(all), root);
        Session {
            _runtime: runtime,
            model,
            keel,
            _cache: cache,
        }
    }

    fn on() -> Value {
        json!({"diagnostics": {"ai_review": "on-save"}})
    }

    fn save(&mut self, uri: &str) {
        self.keel.notify(
            "textDocument/didSave",
            json!({"textDocument": {"uri": uri}}),
        );
    }

    /// Waits for the `n`th review to end and returns how many functions it sent.
    fn review_done(&mut self, n: usize) -> usize {
        self.until(|s| s.keel.stderr().matches("review done").count() >= n);
        let log = self.keel.stderr();
        let line = log
            .lines()
            .filter(|line| line.contains("review done"))
            .nth(n - 1)
            .expect("the line")
            .to_string();
        let asked = line
            .split("asked: ")
            .nth(1)
            .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|digits| digits.parse().ok());
        asked.unwrap_or_else(|| panic!("no count in {line}"))
    }

    /// Waits for `done`, reading the server's messages meanwhile and answering its requests
    /// (the progress it creates) as an editor does.
    fn until(&mut self, done: impl Fn(&Session) -> bool) {
        let deadline = Instant::now() + TIMEOUT;
        while !done(self) {
            assert!(
                Instant::now() < deadline,
                "waited in vain; log:\n{}",
                self.keel.stderr()
            );
            self.keel.round_trip();
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn pull(&mut self, uri: &str) -> Vec<Value> {
        let report = self
            .keel
            .request(
                "textDocument/diagnostic",
                json!({"textDocument": {"uri": uri}}),
            )
            .expect("a diagnostic report");
        report["items"].as_array().cloned().unwrap_or_default()
    }

    fn bodies(&self) -> Vec<String> {
        self.model
            .received()
            .iter()
            .map(|r| r.body.clone())
            .collect()
    }
}

fn from(diagnostics: &[Value], source: &str) -> Vec<Value> {
    diagnostics
        .iter()
        .filter(|d| d["source"] == source)
        .cloned()
        .collect()
}

#[test]
fn a_save_shows_anchored_concerns_as_warnings_and_drops_invented_and_duplicate_ones() {
    let mut s = Session::start(
        vec![chat_answer(FETCH_REVIEW), chat_answer(NOTHING)],
        Session::on(),
        false,
        None,
    );
    s.keel.open(URI, "python", APP);
    s.save(URI);
    let published = s
        .keel
        .wait_notification_where("textDocument/publishDiagnostics", TIMEOUT, |params| {
            params["diagnostics"]
                .as_array()
                .is_some_and(|all| all.iter().any(|d| d["source"] == "keel-ai"))
        })
        .expect("the review's concerns are pushed");
    let all = published["diagnostics"].as_array().unwrap().clone();
    let ai = from(&all, "keel-ai");
    assert_eq!(ai.len(), 1, "{ai:#?}");
    assert!(ai[0]["message"].as_str().unwrap().contains("KeyError"));
    assert_eq!(
        ai[0]["severity"], 2,
        "a model's error is shown as a warning"
    );
    assert_eq!(ai[0]["code"], "ai-reliability");
    assert_eq!(ai[0]["range"]["start"], json!({"line": 7, "character": 4}));
    assert_eq!(ai[0]["range"]["end"], json!({"line": 7, "character": 24}));
    // The rule's own finding stays; the model's copy of it is not added.
    let rules = from(&all, "keel");
    assert!(
        rules.iter().any(|d| d["code"] == "py-http-no-timeout"),
        "{rules:#?}"
    );
    assert_eq!(s.review_done(1), 2);
    let bodies = s.bodies();
    assert_eq!(bodies.len(), 2, "one request per function");
    assert!(bodies[0].contains("def fetch(url)") && !bodies[0].contains("def run"));
    assert!(bodies[1].contains("def run(name)") && !bodies[1].contains("def fetch"));
    let asked = s.model.received()[0].json();
    assert_eq!(asked["response_format"]["type"], "json_object");
    // The user saw the review under way, call by call, and its end.
    s.keel.round_trip();
    let progress: Vec<Value> = s
        .keel
        .seen("$/progress")
        .into_iter()
        .map(|params| params["value"].clone())
        .collect();
    assert_eq!(
        progress.first().map(|v| &v["title"]),
        Some(&json!("Keel: AI review")),
        "{progress:#?}"
    );
    assert!(
        progress.iter().any(|v| v["message"] == "function 2 of 2"),
        "{progress:#?}"
    );
    assert_eq!(
        progress.last().map(|v| &v["kind"]),
        Some(&json!("end")),
        "{progress:#?}"
    );
}

#[test]
fn only_functions_changed_since_their_review_are_sent_and_stale_concerns_go() {
    let mut s = Session::start(
        vec![chat_answer(FETCH_REVIEW), chat_answer(NOTHING)],
        Session::on(),
        true,
        None,
    );
    s.keel.open(URI, "python", APP);
    s.save(URI);
    assert_eq!(s.review_done(1), 2);
    let ai = from(&s.pull(URI), "keel-ai");
    assert_eq!(ai.len(), 1, "{ai:#?}");
    assert!(
        s.keel
            .wait_server_request("workspace/diagnostic/refresh", TIMEOUT)
            .is_some(),
        "a pulling client is asked to pull again"
    );

    // Saved again unchanged: nothing is sent, and no progress flashes by.
    s.save(URI);
    assert_eq!(s.review_done(2), 0);
    assert_eq!(s.model.received().len(), 2);
    s.keel.round_trip();
    let begun = s
        .keel
        .seen("$/progress")
        .iter()
        .filter(|params| params["value"]["kind"] == "begin")
        .count();
    assert_eq!(begun, 1, "one progress, the first review's");

    // `run` edited (line 11, "ls" -> "cat"): only `run` is sent; `fetch`'s concern stays.
    s.keel
        .change(URI, 2, json!([edit((11, 28), (11, 30), "cat")]));
    s.save(URI);
    assert_eq!(s.review_done(3), 1);
    let bodies = s.bodies();
    assert_eq!(bodies.len(), 3);
    assert!(bodies[2].contains("[\\\"cat\\\", name]") && !bodies[2].contains("def fetch"));
    assert_eq!(from(&s.pull(URI), "keel-ai").len(), 1);

    // `fetch` edited where its concern was: the concern goes at once, before any review.
    s.keel.change(
        URI,
        3,
        json!([edit((7, 15), (7, 24), ".get(\"items\", [])")]),
    );
    let text = s.keel.text(URI).expect("the text");
    assert!(text.contains("return data.get(\"items\", [])"), "{text}");
    assert!(from(&s.pull(URI), "keel-ai").is_empty());
}

#[test]
fn review_is_off_by_default_and_starts_when_turned_on() {
    let mut s = Session::start(vec![chat_answer(NOTHING)], json!({}), false, None);
    s.keel.open(URI, "python", APP);
    s.save(URI);
    s.keel.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"diagnostics": {"ai_review": "on-save"}}}),
    );
    s.save(URI);
    assert_eq!(s.review_done(1), 2);
    // Both requests are the second save's: the first sent nothing.
    assert_eq!(s.model.received().len(), 2);
}

#[test]
fn excluded_files_are_never_sent_and_secrets_are_redacted() {
    const SECRET: &str = "sk_live_51HqLyjWDarjtT1zdp7dcXYZ9876";
    let root = TempDir::new("review-root");
    std::fs::create_dir_all(root.path().join("legacy")).unwrap();
    let mut options = Session::on();
    options["privacy"] = json!({"exclude": ["legacy/**"]});
    let mut s = Session::start(
        vec![chat_answer(NOTHING)],
        options,
        false,
        Some(root.path()),
    );
    let excluded = keel_e2e::file_uri(&root.path().join("legacy/old.py"));
    s.keel.open(
        &excluded,
        "python",
        "def legacy_marker():\n    return requests.get(URL)\n",
    );
    s.save(&excluded);
    let app = keel_e2e::file_uri(&root.path().join("app.py"));
    let text = APP.replace(
        "    data = requests.get(url).json()\n",
        &format!("    api_key = \"{SECRET}\"\n    data = requests.get(url, headers={{\"key\": api_key}}).json()\n"),
    );
    s.keel.open(&app, "python", &text);
    s.save(&app);
    assert_eq!(s.review_done(1), 2);
    s.keel.round_trip();
    assert_eq!(
        s.keel.stderr().matches("review done").count(),
        1,
        "the excluded file was not reviewed"
    );
    let bodies = s.bodies();
    assert_eq!(bodies.len(), 2);
    for body in &bodies {
        assert!(
            !body.contains("legacy_marker"),
            "the excluded file was sent"
        );
        assert!(!body.contains("sk_live_51Hq"), "the secret was sent");
    }
    assert!(
        bodies[0].contains("api_key = "),
        "the function was sent, redacted"
    );
}

#[test]
fn a_remote_provider_needs_its_own_opt_in() {
    let mut s = Session::start(vec![chat_answer(NOTHING)], Session::on(), false, None);
    // A hosted endpoint (nothing is sent to it: the review stops before asking).
    s.keel.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"provider": {"kind": "openai", "endpoint": "https://api.example.com", "model": "m"}, "diagnostics": {"ai_review": "on-save"}}}),
    );
    s.keel.open(URI, "python", APP);
    s.save(URI);
    let shown = s
        .keel
        .wait_notification_where("window/showMessage", TIMEOUT, |m| {
            m["message"]
                .as_str()
                .is_some_and(|text| text.contains("ai_review_remote"))
        });
    assert!(shown.is_some(), "the user is told how to allow it");
    // Opted in, but `privacy.allow_remote = false` still refuses the endpoint.
    s.keel.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"provider": {"kind": "openai", "endpoint": "https://api.example.com", "model": "m"}, "diagnostics": {"ai_review": "on-save", "ai_review_remote": true}, "privacy": {"allow_remote": false}}}),
    );
    s.save(URI);
    let refused = s
        .keel
        .wait_notification_where("window/showMessage", TIMEOUT, |m| {
            m["message"]
                .as_str()
                .is_some_and(|text| text.contains("AI review") && text.contains("allow_remote"))
        });
    assert!(
        refused.is_some(),
        "the user is told why nothing is reviewed"
    );
    s.keel.round_trip();
    assert!(!s.keel.stderr().contains("review done"));
    assert!(s.model.received().is_empty());
}

#[test]
fn a_garbage_reply_or_a_hung_model_shows_nothing_and_blocks_nothing() {
    let mut s = Session::start(
        vec![
            chat_answer("I think this code is fine!!! ```"),
            Reply::hang(),
        ],
        Session::on(),
        true,
        None,
    );
    s.keel.open(URI, "python", APP);
    s.save(URI);
    // The first function's reply is garbage; the second's never comes.
    s.until(|s| s.model.received().len() >= 2);
    // While the model hangs, edits and requests are answered and the text stays in sync.
    s.keel
        .change(URI, 2, json!([edit((0, 0), (0, 0), "# edited\n")]));
    let text = s.keel.text(URI).expect("the text");
    assert_eq!(text, format!("# edited\n{APP}"));
    let all = s.pull(URI);
    assert!(from(&all, "keel-ai").is_empty(), "{all:#?}");
    assert!(
        !from(&all, "keel").is_empty(),
        "the rules' findings are intact"
    );
    assert!(s.keel.is_alive());
}
