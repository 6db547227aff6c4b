//! Configuration as a user meets it: keel.toml, initializationOptions and
//! didChangeConfiguration in the editor, and `keel doctor` on the command line.

use std::process::Command;
use std::time::Duration;

use keel_e2e::{Server, TIMEOUT, TempDir, keel_binary};
use serde_json::json;

fn shown_messages(server: &mut Server) -> Vec<String> {
    server
        .collect_notifications("window/showMessage", Duration::from_millis(300))
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
    server
        .wait_notification("window/showMessage", TIMEOUT)
        .expect("a message about the config");
    let messages = shown_messages(&mut server);
    assert!(
        messages.iter().any(|m| m.contains("`completion.debounce`")
            && m.contains("`completion.debounce_ms`")
            && m.contains("keel.toml")),
        "unknown key named with the closest valid one and the file: {messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("\"gpt-9\"")
            && m.contains("`openai`")
            && m.contains("initializationOptions")),
        "bad value named with the allowed values: {messages:?}"
    );

    let bad = json!({"settings": {"keel": {"completion": {"max_lines": 0}}}});
    server.notify("workspace/didChangeConfiguration", bad.clone());
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
    let logged = server.collect_notifications("window/logMessage", Duration::from_millis(100));
    assert!(
        logged.iter().any(|p| p["message"]
            .as_str()
            .unwrap_or_default()
            .contains("max_lines")),
        "{logged:?}"
    );
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
