//! What Keel must never leak or touch, checked through the real binary: the log at the
//! default level holds no source text, prompt, model output or key; files outside the
//! workspace never reach a prompt, symlinks included; `privacy.allow_remote = false` holds
//! for every path that contacts a model. SECURITY.md states these promises.

#[path = "providers_support/mod.rs"]
mod support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use keel_e2e::{Launch, Server, TIMEOUT, TempDir, file_uri, keel_binary};
use serde_json::json;
use support::{TestServer, answer};

const KEY_VARIABLE: &str = "KEEL_SECURITY_TEST_KEY";
const KEY: &str = "sk-live-4f8a9c2e7b1d6053aa91";
const SECRET: &str = "hunter2-db-password-9931";
const SOURCE_MARK: &str = "reconcile_ledger_entries";
const MODEL_MARK: &str = "settle_batch_7731";

#[test]
fn the_default_log_holds_no_source_prompt_model_output_or_key() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let model = runtime.block_on(TestServer::start(vec![
        answer(&format!("{MODEL_MARK}(entries)\n")),
        answer(&format!("{MODEL_MARK}(entries) + 1\n")),
    ]));
    let mut keel = Server::launch(Launch {
        // The default level, said explicitly so the caller's environment cannot change it.
        env: vec![
            ("KEEL_LOG".into(), "warn".into()),
            (KEY_VARIABLE.into(), KEY.into()),
        ],
        ..Default::default()
    });
    let options = json!({
        "provider": {"kind": "openai-completions", "endpoint": model.url(), "model": "m",
                     "api_key_env": KEY_VARIABLE},
        "completion": {"debounce_ms": 0},
        "privacy": {"redact_secrets": false},
    });
    keel.initialize(json!({}), Some(options), None);
    let uri = "file:///work/ledger.py";
    let text = format!(
        "DB_PASSWORD = \"{SECRET}\"\n\ndef {SOURCE_MARK}(entries):\n    total = 0\n    return \n"
    );
    keel.open(uri, "python", &text);
    let at = json!({"textDocument": {"uri": uri}, "position": {"line": 4, "character": 11},
                    "context": {"triggerKind": 1}});
    let first = keel
        .request("textDocument/inlineCompletion", at.clone())
        .expect("a completion");
    assert!(first.to_string().contains(MODEL_MARK), "{first}");
    keel.change(
        uri,
        2,
        json!([{"range": {"start": {"line": 3, "character": 13}, "end": {"line": 3, "character": 13}},
                "text": " + 1"}]),
    );
    let _ = keel.request("textDocument/inlineCompletion", at);
    let deadline = Instant::now() + TIMEOUT;
    while model.received().len() < 2 {
        assert!(Instant::now() < deadline, "the model was asked only once");
        std::thread::sleep(Duration::from_millis(10));
    }
    let _ = keel.request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": uri}}),
    );
    keel.round_trip();

    // The test can fail: the key and the source did go to the model.
    let received = model.received();
    assert_eq!(
        received[0].header("authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );
    assert!(received[0].json().to_string().contains(SOURCE_MARK));
    let log = keel.stderr();
    for (what, needle) in [
        ("the key", KEY),
        ("a secret in the source", SECRET),
        ("source text", SOURCE_MARK),
        ("the model's output", MODEL_MARK),
    ] {
        assert!(
            !log.contains(needle),
            "{what} is in the log at the default level:\n{log}"
        );
    }
}

/// A workspace whose `main.py` imports one module from inside it and two that resolve,
/// through symlinks, to files outside it.
fn workspace_with_links(outside: &Path, root: &Path) {
    std::fs::write(
        outside.join("leaked.py"),
        "def outside_secret_helper():\n    return 1\n",
    )
    .unwrap();
    std::fs::create_dir_all(outside.join("pkg")).unwrap();
    std::fs::write(
        outside.join("pkg/__init__.py"),
        "def outside_package_helper():\n    return 2\n",
    )
    .unwrap();
    std::fs::write(
        root.join("inside.py"),
        "def inside_helper():\n    return 0\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(outside.join("leaked.py"), root.join("leaked.py")).unwrap();
    std::os::unix::fs::symlink(outside.join("pkg"), root.join("pkg")).unwrap();
    std::fs::write(
        root.join("main.py"),
        "from inside import inside_helper\nfrom leaked import outside_secret_helper\nfrom pkg import outside_package_helper\n\ndef run():\n    inside_helper()\n    outside_secret_helper()\n    outside_package_helper()\n    \n",
    )
    .unwrap();
}

#[test]
fn files_outside_the_workspace_never_reach_a_prompt_even_through_symlinks() {
    let outside = TempDir::new("security-outside");
    let dir = TempDir::new("security-root");
    let root = dir.path();
    workspace_with_links(outside.path(), root);
    let mut keel = Server::start();
    let options = json!({
        "provider": {"kind": "openai-completions", "endpoint": "http://127.0.0.1:9", "model": "m", "fim": "qwen"},
        "context": {"budget_tokens": 4096},
    });
    keel.initialize(
        json!({"window": {"workDoneProgress": true}}),
        Some(options),
        Some(root),
    );
    let deadline = Instant::now() + TIMEOUT;
    while !keel
        .seen("$/progress")
        .iter()
        .any(|progress| progress["value"]["kind"] == "end")
    {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(
            keel.wait_notification("$/progress", left).is_some(),
            "indexing never ended; log:\n{}",
            keel.stderr()
        );
    }
    let path = root.join("main.py");
    let uri = file_uri(&path);
    keel.open(&uri, "python", &std::fs::read_to_string(&path).unwrap());
    let context = keel
        .request(
            "keel/contextAt",
            json!({"textDocument": {"uri": uri}, "position": {"line": 8, "character": 4}}),
        )
        .expect("keel/contextAt answers");
    let prompt = context.to_string();
    // The inside module is read (the test can fail), the linked ones are not.
    assert!(prompt.contains("def inside_helper"), "{context:#}");
    assert!(
        !prompt.contains("def outside_secret_helper")
            && !prompt.contains("def outside_package_helper"),
        "a file outside the workspace reached the prompt:\n{context:#}"
    );
}

#[test]
fn doctor_does_not_probe_a_remote_endpoint_when_remote_models_are_off() {
    let root = TempDir::new("security-doctor");
    // 203.0.113.0/24 is reserved for documentation: nothing answers there.
    std::fs::write(
        root.path().join("keel.toml"),
        "[provider]\nkind = \"openai\"\nendpoint = \"http://203.0.113.7:8080\"\nmodel = \"m\"\n[privacy]\nallow_remote = false\n",
    )
    .unwrap();
    let output = Command::new(keel_binary())
        .args(["doctor", "--root"])
        .arg(root.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("privacy.allow_remote is false"),
        "the endpoint was not refused:\n{stdout}"
    );
    assert!(!stdout.contains("NOT reachable"), "{stdout}");
}

#[test]
fn a_workspace_config_names_keys_only_by_environment_variable() {
    let root = TempDir::new("security-key-file");
    std::fs::write(root.path().join("key.txt"), KEY).unwrap();
    // What an untrusted repository might try: a key read from a file, a command to run.
    std::fs::write(
        root.path().join("keel.toml"),
        "[provider]\nkind = \"openai\"\nmodel = \"m\"\napi_key_file = \"key.txt\"\napi_key_command = \"cat key.txt\"\napi_key_env = \"$(cat key.txt)\"\n",
    )
    .unwrap();
    let output = Command::new(keel_binary())
        .args(["doctor", "--root"])
        .arg(root.path())
        .env_remove("OPENAI_API_KEY")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    for field in ["provider.api_key_file", "provider.api_key_command"] {
        assert!(
            stdout.contains(&format!("`{field}`")),
            "{field} is not reported as unknown:\n{stdout}"
        );
    }
    assert!(
        stdout.contains("is not an environment variable name"),
        "{stdout}"
    );
    assert!(!stdout.contains(KEY), "{stdout}");
}

/// An untrusted repository's `keel.toml` points Keel at its own server and names one of
/// the user's environment variables as the key: the server gets completions' requests (the
/// repository chose the endpoint; its own code is what it sees) but never the variable, and
/// the user is told why.
#[test]
fn a_workspace_config_cannot_send_an_environment_variable_to_its_own_endpoint() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let model = runtime.block_on(TestServer::start(vec![answer("total + 1\n")]));
    let root = TempDir::new("security-exfiltration");
    std::fs::write(
        root.path().join("keel.toml"),
        format!(
            "[provider]\nkind = \"openai-completions\"\nmodel = \"m\"\nendpoint = \"{}\"\napi_key_env = \"{KEY_VARIABLE}\"\n\n[completion]\ndebounce_ms = 0\n",
            model.url()
        ),
    )
    .unwrap();
    let main = root.path().join("main.py");
    let text = "def f(total):\n    return \n";
    std::fs::write(&main, text).unwrap();
    let mut keel = Server::launch(Launch {
        env: vec![(KEY_VARIABLE.into(), KEY.into())],
        ..Default::default()
    });
    keel.initialize(json!({}), None, Some(root.path()));
    let warning = keel
        .wait_notification_where("window/showMessage", TIMEOUT, |params| {
            params["message"]
                .as_str()
                .is_some_and(|message| message.contains("api_key_env is ignored"))
        })
        .expect("the user is told the key is withheld");
    assert!(!warning.to_string().contains(KEY), "{warning}");
    let uri = file_uri(&main);
    keel.open(&uri, "python", text);
    let at = json!({"textDocument": {"uri": uri}, "position": {"line": 1, "character": 11},
                    "context": {"triggerKind": 1}});
    let result = keel
        .request("textDocument/inlineCompletion", at)
        .expect("a completion");
    assert!(result.to_string().contains("total + 1"), "{result}");
    let received = model.received();
    assert_eq!(received.len(), 1, "the repository's endpoint was asked");
    assert_eq!(received[0].header("authorization"), None);
    assert!(!format!("{:?}", received[0].headers).contains(KEY));

    // `keel doctor` in that repository says the same.
    let output = Command::new(keel_binary())
        .args(["doctor", "--root"])
        .arg(root.path())
        .env(KEY_VARIABLE, KEY)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("api_key_env is ignored"), "{stdout}");
    assert!(!stdout.contains(KEY), "{stdout}");
}
