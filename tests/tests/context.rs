//! The context engine through the real binary: the workspace index (built in the
//! background with progress, then kept current by edits, saves and watched-file changes),
//! ranking and budget as seen in `keel/contextAt`, and privacy on the exact text a model
//! API receives from `keel complete` (a real HTTP server on 127.0.0.1 stands in for it).

#[path = "providers_support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use keel_e2e::{Server, TempDir, copy_dir, file_uri, keel_binary};
use serde_json::{Value, json};
use support::{Reply, TestServer, sse};

const WAIT: Duration = Duration::from_secs(60);

/// A copy of `tests/fixtures/context` the test may change.
fn workspace(name: &str) -> TempDir {
    let dir = TempDir::new(name);
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/context");
    copy_dir(&fixture, dir.path());
    dir
}

/// A client that shows progress and lets the server register file watchers.
fn capable_client() -> Value {
    json!({
        "window": {"workDoneProgress": true},
        "workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}},
    })
}

fn options(budget: u32) -> Value {
    json!({
        "provider": {"kind": "openai-completions", "endpoint": "http://127.0.0.1:9", "model": "m", "fim": "qwen"},
        "context": {"budget_tokens": budget},
    })
}

/// Starts keel on `root` and waits until its first indexing has ended.
fn indexed_server(root: &Path, options: Value) -> Server {
    let mut server = Server::start();
    server.initialize(capable_client(), Some(options), Some(root));
    let deadline = Instant::now() + WAIT;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let progress = server
            .wait_notification("$/progress", left)
            .unwrap_or_else(|| panic!("indexing never ended; log:\n{}", server.stderr()));
        if progress["value"]["kind"] == "end" {
            break;
        }
    }
    server
}

fn open(server: &mut Server, root: &Path, relative: &str) -> String {
    let path = root.join(relative);
    let uri = file_uri(&path);
    let text = std::fs::read_to_string(&path).unwrap();
    server.open(&uri, "python", &text);
    uri
}

fn context_at(server: &mut Server, uri: &str, line: u32, character: u32) -> Value {
    server
        .request(
            "keel/contextAt",
            json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}),
        )
        .expect("keel/contextAt answers")
}

fn prompt(server: &mut Server, uri: &str, line: u32, character: u32) -> String {
    context_at(server, uri, line, character)["prompt"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Asks again until `accept` holds for the prompt (index updates are asynchronous).
fn eventually(
    server: &mut Server,
    uri: &str,
    at: (u32, u32),
    what: &str,
    accept: impl Fn(&str) -> bool,
) {
    let deadline = Instant::now() + WAIT;
    loop {
        let text = prompt(server, uri, at.0, at.1);
        if accept(&text) {
            return;
        }
        assert!(Instant::now() < deadline, "{what}; last prompt:\n{text}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// 0-based line of the first line of `relative` containing `needle`.
fn line_of(root: &Path, relative: &str, needle: &str) -> u32 {
    let text = std::fs::read_to_string(root.join(relative)).unwrap();
    text.lines().position(|line| line.contains(needle)).unwrap() as u32
}

#[test]
fn indexing_reports_progress_then_context_brings_imported_definitions() {
    let dir = workspace("ctx-index");
    let root = dir.path();
    let mut server = indexed_server(root, options(2048));
    let methods: Vec<&str> = server
        .server_requests
        .iter()
        .map(|r| r.method.as_str())
        .collect();
    assert!(
        methods.contains(&"window/workDoneProgress/create"),
        "{methods:?}"
    );
    let registration = server
        .server_requests
        .iter()
        .find(|r| r.method == "client/registerCapability")
        .expect("the file watcher is registered");
    assert_eq!(
        registration.params["registrations"][0]["method"],
        "workspace/didChangeWatchedFiles"
    );
    let kinds: Vec<Value> = server
        .seen_notifications
        .iter()
        .filter(|n| n.method == "$/progress")
        .map(|n| n.params["value"]["kind"].clone())
        .collect();
    assert_eq!(kinds.first(), Some(&json!("begin")), "{kinds:?}");

    let uri = open(&mut server, root, "app/api.py");
    let line = line_of(root, "app/api.py", "receipt = charge_card");
    let answer = context_at(&mut server, &uri, line, 14);
    let prompt = answer["prompt"].as_str().unwrap();
    assert!(
        prompt.contains("<|file_sep|>app/models.py\ndef find_user(db, email: str) -> \"User\":\n    \"\"\"Looks a user up by email; None when there is none.\"\"\""),
        "{prompt}"
    );
    assert!(
        prompt.contains(
            "def charge_card(user, cents: int, currency: str = DEFAULT_CURRENCY) -> str:"
        ),
        "{prompt}"
    );
    // The Rust `mod db` shares a name with the `db` parameter but not the language.
    assert!(!prompt.contains("mod db"), "{prompt}");
    // `*secret*` files are never read, even when the code calls into them.
    assert!(!prompt.contains("hidden-material"), "{prompt}");
    assert!(!prompt.contains("Never leaves this machine"), "{prompt}");
    let paths = answer["snippetPaths"].as_array().unwrap();
    assert!(paths.contains(&json!("app/models.py")), "{paths:?}");
    assert!(
        !paths.iter().any(|p| p.as_str().unwrap().contains("secret")),
        "{paths:?}"
    );
    assert!(answer["indexedFiles"].as_u64().unwrap() >= 6, "{answer}");
    server.shutdown();
}

#[test]
fn the_index_follows_watched_files_edits_and_saves() {
    let dir = workspace("ctx-updates");
    let root = dir.path().to_path_buf();
    let mut server = indexed_server(&root, options(2048));
    let api = open(&mut server, &root, "app/api.py");
    let at_return = line_of(&root, "app/api.py", "return receipt");

    // A new file, announced by the watcher, and a call to it typed in the editor.
    let mail = root.join("app/mail.py");
    std::fs::write(
        &mail,
        "def send_welcome(user, template: str) -> bool:\n    return True\n",
    )
    .unwrap();
    server.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": file_uri(&mail), "type": 1}]}),
    );
    server.change(
        &api,
        2,
        json!([keel_e2e::edit(
            (at_return, 0),
            (at_return, 0),
            "    sent = send_welcome(user, \"hi\")\n"
        )]),
    );
    let at = (at_return, 15);
    eventually(&mut server, &api, at, "the created file is indexed", |p| {
        p.contains("def send_welcome(user, template: str) -> bool:")
    });

    server.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": file_uri(&mail), "type": 3}]}),
    );
    std::fs::remove_file(&mail).unwrap();
    eventually(
        &mut server,
        &api,
        at,
        "the deleted file leaves the index",
        |p| !p.contains("def send_welcome"),
    );

    // An unsaved edit in another open document reaches the index after the debounce.
    let models = open(&mut server, &root, "app/models.py");
    let def_line = line_of(&root, "app/models.py", "def find_user");
    let column = "def find_user(db, email: str".len() as u32;
    server.change(
        &models,
        2,
        json!([keel_e2e::edit(
            (def_line, column),
            (def_line, column),
            ", strict: bool"
        )]),
    );
    eventually(
        &mut server,
        &api,
        at,
        "the edited signature is indexed",
        |p| p.contains("def find_user(db, email: str, strict: bool) -> \"User\":"),
    );

    // A save of a file that is not open: the saved file on disk is the truth.
    let billing = root.join("app/billing.py");
    let text = std::fs::read_to_string(&billing)
        .unwrap()
        .replace("cents: int,", "cents: int, idempotency_key: str,");
    std::fs::write(&billing, text).unwrap();
    server.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": file_uri(&billing)}}),
    );
    eventually(&mut server, &api, at, "the saved file is re-indexed", |p| {
        p.contains("def charge_card(user, cents: int, idempotency_key: str,")
    });
    server.shutdown();
}

#[test]
fn definitions_typed_in_the_current_file_reach_the_context_once_the_edits_pause() {
    let dir = workspace("ctx-own-file");
    let root = dir.path();
    let mut server = indexed_server(root, options(256));
    let uri = open(&mut server, root, "app/api.py");
    let line = line_of(root, "app/api.py", "receipt = charge_card");
    // A first request: the file's definitions are now known as they were when opened.
    assert!(!prompt(&mut server, &uri, line, 14).contains("audit_trail"));
    // A helper typed far above the cursor (out of a 256-token window), then called.
    server.change(
        &uri,
        2,
        json!([keel_e2e::edit(
            (3, 0),
            (3, 0),
            "def audit_trail(order_id: int, actor: str) -> None:\n    pass\n\n"
        )]),
    );
    let line = line + 3;
    server.change(
        &uri,
        3,
        json!([keel_e2e::edit(
            (line, 0),
            (line, 0),
            "    audit_trail(1, email)\n"
        )]),
    );
    eventually(
        &mut server,
        &uri,
        (line, 14),
        "the new definition in the same file is in the context",
        |p| {
            p.contains("def audit_trail(order_id: int, actor: str) -> None:")
                && !p.contains("padding line 1:")
        },
    );
    server.shutdown();
}

#[test]
fn a_small_budget_keeps_the_nearest_lines_and_the_framing() {
    let dir = workspace("ctx-budget");
    let root = dir.path();
    let mut server = indexed_server(root, options(256));
    let uri = open(&mut server, root, "app/api.py");
    let line = line_of(root, "app/api.py", "receipt = charge_card");
    let small = prompt(&mut server, &uri, line, 14);
    // The budget is in tokens of about 4 bytes; the template's own tokens come on top.
    assert!(
        small.len() <= 256 * 4 + 64,
        "{} bytes:\n{small}",
        small.len()
    );
    assert!(
        small.contains("    user = find_user(db, email)\n"),
        "{small}"
    );
    assert!(small.contains("def checkout(db, email):"), "{small}");
    assert!(!small.contains("padding line 1:"), "{small}");
    // Imports and the called function's definition outrank far-away padding.
    assert!(
        small.contains("from app.billing import charge_card"),
        "{small}"
    );
    assert!(small.contains("def charge_card("), "{small}");
    server.shutdown();

    let mut server = indexed_server(root, options(4096));
    let uri = open(&mut server, root, "app/api.py");
    let large = prompt(&mut server, &uri, line, 14);
    assert!(large.contains("padding line 1:"), "{large}");
    server.shutdown();
}

#[test]
fn chat_models_get_fenced_snippets_with_paths() {
    let dir = workspace("ctx-chat");
    let root = dir.path();
    let options = json!({
        "provider": {"kind": "openai", "endpoint": "http://127.0.0.1:9", "model": "m"},
    });
    let mut server = indexed_server(root, options);
    let uri = open(&mut server, root, "app/api.py");
    let line = line_of(root, "app/api.py", "receipt = charge_card");
    let prompt = prompt(&mut server, &uri, line, 14);
    assert!(
        prompt.contains("`app/models.py`:\n```\ndef find_user(db, email: str) -> \"User\":"),
        "{prompt}"
    );
    assert!(
        prompt.contains("    receipt = <CURSOR>charge_card(user, 100)"),
        "{prompt}"
    );
    server.shutdown();
}

// ---- keel complete: what the provider receives ---------------------------------------

fn completion_reply() -> Reply {
    let events = [
        json!({"choices": [{"index": 0, "text": "None", "finish_reason": null}]}).to_string(),
        "[DONE]".to_string(),
    ];
    let events: Vec<(Option<&str>, &str)> = events.iter().map(|e| (None, e.as_str())).collect();
    Reply::stream("text/event-stream", &sse(&events), Duration::from_millis(5))
}

fn write_config(root: &Path, endpoint: &str, privacy: &str) {
    std::fs::write(
        root.join("keel.toml"),
        format!(
            "[provider]\nkind = \"openai-completions\"\nendpoint = \"{endpoint}\"\nmodel = \"m\"\nfim = \"qwen\"\ntimeout_ms = 20000\n[privacy]\n{privacy}\n"
        ),
    )
    .unwrap();
}

async fn keel_complete(root: PathBuf, position: String) -> std::process::Output {
    tokio::task::spawn_blocking(move || {
        Command::new(keel_binary())
            .args(["complete", "--show-prompt", "--root"])
            .arg(&root)
            .arg(&position)
            .current_dir(&root)
            .output()
            .expect("run keel")
    })
    .await
    .unwrap()
}

const SECRETS: [&str; 9] = [
    "AKIAIOSFODNN7EXAMPLE",
    "ghp_abcdefghijklmnopqrstuvwxyzABCDEFGHIJ",
    "glpat-abcdefghij0123456789",
    "xoxb-123456789012-abcdefghijkl",
    "sk_live_abcdefghijklmnop1234",
    "eyJhbGciOiJIUzI1NiJ9",
    "hunter2pass",
    "correct-horse-battery",
    "MIIEowIBAAKCAQEAabcdefghijklmnop",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_secret_is_redacted_in_the_request_the_provider_receives() {
    let server = TestServer::start(vec![completion_reply()]).await;
    let dir = workspace("ctx-redact");
    let root = dir.path().to_path_buf();
    // allow_remote = false still allows this loopback test server.
    write_config(&root, &server.url(), "allow_remote = false");
    let line = line_of(&root, "app/settings.py", "return None") + 1;
    let output = keel_complete(root.clone(), format!("app/settings.py:{line}:12")).await;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let received = server.received();
    let body = received[0].json();
    let sent = body["prompt"].as_str().unwrap();
    for secret in SECRETS {
        assert!(!sent.contains(secret), "{secret} was sent:\n{sent}");
    }
    for kept in [
        "AWS_ACCESS_KEY_ID = \"<redacted>\"",
        "GITHUB = \"<redacted>\"",
        "GITLAB = \"<redacted>\"",
        "SLACK = \"<redacted>\"",
        "STRIPE = \"<redacted>\"",
        "SESSION = \"<redacted>\"",
        "DATABASE_URL = \"postgres://app:<redacted>@db.internal:5432/app\"",
        "db_password = \"<redacted>\"",
        "PRIVATE = \"\"\"\n<redacted>\n\"\"\"",
        "def connect():",
    ] {
        assert!(sent.contains(kept), "{kept:?} missing from:\n{sent}");
    }
    // --show-prompt prints exactly what was sent, then the completion.
    let shown = stdout
        .split_once("=== prompt ===\n")
        .and_then(|(_, rest)| rest.split_once("\n=== completion ===\n"))
        .map(|(prompt, _)| prompt)
        .unwrap_or_else(|| panic!("no prompt in {stdout}"));
    assert_eq!(shown, sent);
    assert!(stdout.ends_with("None\n"), "{stdout}");

    // With redaction off, the text goes as it is.
    write_config(&root, &server.url(), "redact_secrets = false");
    let output = keel_complete(root.clone(), format!("app/settings.py:{line}:12")).await;
    assert!(output.status.success());
    let body = server.received()[1].json();
    assert!(
        body["prompt"]
            .as_str()
            .unwrap()
            .contains("AKIAIOSFODNN7EXAMPLE")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remote_endpoints_and_excluded_files_are_refused() {
    let dir = workspace("ctx-refuse");
    let root = dir.path().to_path_buf();
    write_config(&root, "http://203.0.113.7:8080", "allow_remote = false");
    let output = keel_complete(root.clone(), "app/api.py:1:1".into()).await;
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!output.status.success());
    assert!(
        stderr.contains(
            "http://203.0.113.7:8080 is not on this machine and privacy.allow_remote is false"
        ),
        "{stderr}"
    );
    assert!(output.stdout.is_empty(), "nothing was built or sent");

    let server = TestServer::start(vec![completion_reply()]).await;
    write_config(&root, &server.url(), "");
    let output = keel_complete(root.clone(), "app/secret_keys.py:3:5".into()).await;
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!output.status.success());
    assert!(
        stderr.contains("privacy.exclude covers this file"),
        "{stderr}"
    );
    assert!(server.received().is_empty(), "nothing reached the provider");
}
