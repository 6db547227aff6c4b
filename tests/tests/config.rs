//! Configuration as a user meets it: keel.toml, initializationOptions and
//! didChangeConfiguration in the editor, and `keel doctor` on the command line.

use std::process::Command;

use keel_e2e::{Server, TIMEOUT, TempDir, keel_binary};
use serde_json::json;

/// The next `window/showMessage` whose text satisfies `wanted`.
fn wait_message(server: &mut Server, wanted: impl Fn(&str) -> bool) -> String {
    let shown = server.wait_notification_where("window/showMessage", TIMEOUT, |params| {
        wanted(params["message"].as_str().unwrap_or_default())
    });
    let shown = shown.unwrap_or_else(|| {
        panic!(
            "not shown within {TIMEOUT:?}; shown: {:?}",
            server.seen("window/showMessage")
        )
    });
    shown["message"].as_str().unwrap_or_default().to_string()
}

/// Every message shown so far, once the server has handled all that was sent before.
fn shown_messages(server: &mut Server) -> Vec<String> {
    server.round_trip();
    server
        .seen("window/showMessage")
        .iter()
        .map(|params| params["message"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn problems_in_every_layer_are_shown_once_with_the_fix() {
    let root = TempDir::new("config-layers");
    std::fs::write(
        root.path().join("keel.toml"),
        "[completion]\ndebounce = 10\n",
    )
    .unwrap();
    let mut server = Server::start();
    let options = json!({"provider": {"kind": "gpt-9"}});
    server.initialize(json!({}), Some(options), Some(root.path()));
    let unknown_key = wait_message(&mut server, |m| m.contains("`completion.debounce`"));
    assert!(
        unknown_key.contains("`completion.debounce_ms`") && unknown_key.contains("keel.toml"),
        "unknown key named with the closest valid one and the file: {unknown_key}"
    );
    let bad_value = wait_message(&mut server, |m| m.contains("\"gpt-9\""));
    assert!(
        bad_value.contains("`openai`") && bad_value.contains("initializationOptions"),
        "bad value named with the allowed values: {bad_value}"
    );

    let bad = json!({"settings": {"keel": {"completion": {"max_lines": 0}}}});
    server.notify("workspace/didChangeConfiguration", bad.clone());
    wait_message(&mut server, |m| m.contains("max_lines"));
    server.notify("workspace/didChangeConfiguration", bad);
    let messages = shown_messages(&mut server);
    let about_max_lines: Vec<_> = messages
        .iter()
        .filter(|m| m.contains("max_lines"))
        .collect();
    assert_eq!(
        about_max_lines.len(),
        1,
        "shown once however often it is sent: {messages:?}"
    );
    assert!(
        about_max_lines[0].contains("1 to 200"),
        "{}",
        about_max_lines[0]
    );
    // Warnings and errors also reach the editor's log.
    let logged = server.wait_notification_where("window/logMessage", TIMEOUT, |p| {
        p["message"]
            .as_str()
            .unwrap_or_default()
            .contains("max_lines")
    });
    assert!(logged.is_some(), "{:?}", server.seen("window/logMessage"));
    assert!(server.is_alive());
}

#[test]
fn doctor_prints_each_value_and_where_it_came_from() {
    let root = TempDir::new("doctor");
    std::fs::write(
        root.path().join("keel.toml"),
        "[context]\nbudget_tokens = 4096\n[privacy]\nallow_remot = false\n",
    )
    .unwrap();
    let output = Command::new(keel_binary())
        .args(["doctor", "--root"])
        .arg(root.path())
        .output()
        .unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    let toml_path = root.path().join("keel.toml").display().to_string();
    assert!(
        stdout.contains(&format!("context.budget_tokens = 4096  [{toml_path}]")),
        "{stdout}"
    );
    assert!(
        stdout.contains("completion.debounce_ms = 75  [default]"),
        "{stdout}"
    );
    assert!(
        stdout.contains("`privacy.allow_remot`") && stdout.contains("`privacy.allow_remote`"),
        "{stdout}"
    );
    assert!(
        stdout.contains("syntax python: ok") && stdout.contains("syntax rust: ok"),
        "{stdout}"
    );
}

#[test]
fn version_flag_prints_the_version() {
    let output = Command::new(keel_binary())
        .arg("--version")
        .output()
        .unwrap();
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        format!("keel {}", env!("CARGO_PKG_VERSION"))
    );
}
