//! Faults around the server, through the real binary: a configuration broken while Keel
//! runs, and an editor that goes away without saying `shutdown`.

use std::time::{Duration, Instant};

use keel_e2e::{Server, TIMEOUT, TempDir, file_uri};
use serde_json::{Value, json};

const HANDLER: &str = "import requests\n\ndef fetch(url):\n    return requests.get(url)\n";

fn pulled_codes(server: &mut Server, uri: &str) -> Vec<String> {
    let report = server
        .request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": uri}}),
        )
        .expect("a diagnostic report");
    report["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|item| item["code"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn a_config_broken_while_running_keeps_the_last_good_one_and_says_so() {
    let dir = TempDir::new("faults-config");
    let root = dir.path();
    let config = root.join("keel.toml");
    std::fs::write(
        &config,
        "[diagnostics]\ndisable = [\"py-http-no-timeout\"]\n",
    )
    .unwrap();
    let mut server = Server::start();
    server.initialize(
        json!({"textDocument": {"diagnostic": {"dynamicRegistration": false}}}),
        None,
        Some(root),
    );
    let uri = file_uri(&root.join("service.py"));
    server.open(&uri, "python", HANDLER);
    assert!(
        pulled_codes(&mut server, &uri).is_empty(),
        "the rule is off"
    );

    // The user saves a broken file.
    let broken = "[diagnostics\ndisable = [\"py-http-no-timeout\"]\n";
    std::fs::write(&config, broken).unwrap();
    let config_uri = file_uri(&config);
    server.open(&config_uri, "toml", broken);
    server.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": config_uri}, "text": broken}),
    );
    let shown = server
        .wait_notification_where("window/showMessage", TIMEOUT, |params: &Value| {
            params["message"]
                .as_str()
                .is_some_and(|message| message.contains("keeping the last good settings"))
        })
        .unwrap_or_else(|| panic!("no warning shown; log:\n{}", server.stderr()));
    assert!(
        shown["message"].as_str().unwrap().contains("keel.toml"),
        "names the file: {shown}"
    );
    assert!(
        pulled_codes(&mut server, &uri).is_empty(),
        "the last good settings still hold"
    );

    // Fixed again: the new settings apply.
    let fixed = "[diagnostics]\ndisable = []\n";
    std::fs::write(&config, fixed).unwrap();
    server.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": config_uri}, "text": fixed}),
    );
    let deadline = Instant::now() + TIMEOUT;
    while pulled_codes(&mut server, &uri) != ["py-http-no-timeout"] {
        assert!(
            Instant::now() < deadline,
            "the fixed settings never applied"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Whether a process with this id is still running (not a zombie).
fn running(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| {
            // The state follows the command name, which is in parentheses.
            let after = stat.rsplit_once(')')?.1.trim_start().chars().next()?;
            Some(after != 'Z' && after != 'X')
        })
        .unwrap_or(false)
}

#[test]
fn an_editor_that_exits_without_shutdown_leaves_no_process_behind() {
    let mut server = Server::start();
    server.initialize_default();
    server.open("file:///work/a.py", "python", HANDLER);
    // Work in flight when the editor goes: a pull of diagnostics.
    let _ = server.request_async(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": "file:///work/a.py"}}),
    );
    let pid = server.pid();
    // The editor dies: its end of the pipes closes, no `shutdown`, no `exit`.
    server.close_stdin();
    let deadline = Instant::now() + TIMEOUT;
    while server.is_alive() {
        assert!(
            Instant::now() < deadline,
            "keel still runs {TIMEOUT:?} after its client went away"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(!running(pid));
}

/// A workspace no one should have to open: a 50 MB source file, one that is not UTF-8, one
/// of NUL bytes, and a link that points at itself.
fn hostile_workspace(root: &std::path::Path) {
    let line = "x = compute(1, 2) + compute(3, 4)  # padding padding padding\n";
    std::fs::write(root.join("huge.py"), line.repeat((50 << 20) / line.len())).unwrap();
    std::fs::write(
        root.join("latin1.py"),
        b"name = '\xe9t\xe9'\nimport requests\nrequests.get(url)\n",
    )
    .unwrap();
    std::fs::write(root.join("nul.py"), vec![0u8; 100_000]).unwrap();
    std::os::unix::fs::symlink(root.join("loop"), root.join("loop")).unwrap();
    std::fs::write(
        root.join("service.py"),
        "import requests\n\ndef fetch(url):\n    return requests.get(url)\n",
    )
    .unwrap();
}

#[test]
fn a_hostile_workspace_is_checked_and_served_in_bounded_time() {
    let dir = TempDir::new("faults-hostile");
    let root = dir.path();
    hostile_workspace(root);

    let start = Instant::now();
    let output = std::process::Command::new(keel_e2e::keel_binary())
        .args(["check", "--format", "json"])
        .arg(root)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.code().is_some(),
        "keel check was killed by a signal"
    );
    assert!(
        report.contains("service.py") && report.contains("py-http-no-timeout"),
        "the ordinary file is still checked: {report}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        start.elapsed() < Duration::from_secs(120),
        "{:?}",
        start.elapsed()
    );

    // The server indexes the same workspace and serves the 50 MB file opened in the editor.
    let mut server = Server::start();
    server.initialize(
        json!({"window": {"workDoneProgress": true},
               "textDocument": {"diagnostic": {"dynamicRegistration": false}}}),
        None,
        Some(root),
    );
    let huge = std::fs::read_to_string(root.join("huge.py")).unwrap();
    let uri = file_uri(&root.join("huge.py"));
    server.open(&uri, "python", &huge);
    let served = server.text(&uri).expect("the 50 MB document is held");
    assert_eq!(served.len(), huge.len());
    let _ = server.request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": uri}}),
    );
    let context = server.request(
        "keel/contextAt",
        json!({"textDocument": {"uri": uri}, "position": {"line": 1000, "character": 4}}),
    );
    assert!(context.is_ok(), "{context:?}");
    let service = file_uri(&root.join("service.py"));
    server.open(
        &service,
        "python",
        "import requests\n\ndef fetch(url):\n    return requests.get(url)\n",
    );
    assert_eq!(pulled_codes(&mut server, &service), ["py-http-no-timeout"]);
    assert!(server.is_alive());
}

/// Files in the installed-packages folder of the unreadable-workspace test; the figure in
/// docs/RELIABILITY.md is from a run with `KEEL_NODE_MODULES_FILES=1000000`.
const NODE_MODULES_FILES: usize = 100_000;

#[test]
fn installed_packages_and_unreadable_files_are_passed_over() {
    let dir = TempDir::new("faults-packages");
    let root = dir.path();
    let count = std::env::var("KEEL_NODE_MODULES_FILES")
        .ok()
        .and_then(|count| count.parse().ok())
        .unwrap_or(NODE_MODULES_FILES);
    // A frontend's packages, with no ignore file naming them (node-gyp ships Python).
    for package in 0..count.div_ceil(1_000) {
        let folder = root.join("node_modules").join(format!("pkg{package}"));
        std::fs::create_dir_all(&folder).unwrap();
        for file in 0..1_000.min(count - package * 1_000) {
            std::fs::write(folder.join(format!("f{file}.js")), "").unwrap();
        }
    }
    let gyp = root.join("node_modules").join("node-gyp");
    std::fs::create_dir_all(&gyp).unwrap();
    std::fs::write(gyp.join("gyp.py"), HANDLER).unwrap();
    let venv = root
        .join("env")
        .join("lib")
        .join("site-packages")
        .join("lib");
    std::fs::create_dir_all(&venv).unwrap();
    std::fs::write(venv.join("client.py"), HANDLER).unwrap();
    // Files that cannot be read: a link to nothing, and a named pipe whose read would wait
    // forever. (The tests run as root, for whom a mode-000 file is readable.)
    std::os::unix::fs::symlink(root.join("gone.py"), root.join("dangling.py")).unwrap();
    let fifo = root.join("pipe.py");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|status| status.success()), "mkfifo");
    std::fs::write(root.join("service.py"), HANDLER).unwrap();

    let output = std::process::Command::new(keel_e2e::keel_binary())
        .args(["check", "--format", "json", "."])
        .current_dir(root)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|err| panic!("{err}: {}", String::from_utf8_lossy(&output.stderr)));
    let paths: Vec<&str> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|finding| finding["path"].as_str())
        .collect();
    assert_eq!(paths, ["service.py"], "only the project's own file");

    // The editor's index walks the same workspace and still serves the project's file.
    let mut server = Server::start();
    server.initialize(
        json!({"textDocument": {"diagnostic": {"dynamicRegistration": false}}}),
        None,
        Some(root),
    );
    let service = file_uri(&root.join("service.py"));
    server.open(&service, "python", HANDLER);
    assert_eq!(pulled_codes(&mut server, &service), ["py-http-no-timeout"]);
    let context = server.request(
        "keel/contextAt",
        json!({"textDocument": {"uri": service}, "position": {"line": 3, "character": 4}}),
    );
    assert!(context.is_ok(), "{context:?}");
    assert_eq!(server.shutdown().code(), Some(0));
}
