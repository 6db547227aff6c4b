//! Keel in real VS Code: code-server with the packaged extension, driven through Debian's
//! Chromium (playwright-core), against the real `keel` binary and a model server on
//! 127.0.0.1. The steps are in `tests/vscode/session.mjs`; screenshots of the ghost text and
//! of the fixed line go to `target/editor-tests/vscode/`.
//!
//! Installing code-server takes minutes the first time (then it is cached), so this test is
//! its own step of `.ci/run`: `cargo test -p keel-e2e --test vscode -- --ignored`.

#[path = "providers_support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use keel_e2e::TempDir;
use support::{TestServer, answer};

/// code-server's first start builds its caches; every step then waits at most 60 s.
const SESSION: Duration = Duration::from_secs(600);

/// Line 7 lacks a timeout; line 12 is where the user asks for a suggestion.
const APP: &str = "import json\n\nimport requests\n\n\ndef fetch(url):\n    return requests.get(url)\n\n\ndef load(path):\n    with open(path) as f:\n        \n";

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is inside the repository")
        .to_path_buf()
}

/// Runs a project script and returns the last line it printed.
fn script(name: &str) -> String {
    let output = Command::new("bash")
        .arg(repository().join("scripts").join(name))
        .stderr(Stdio::inherit())
        .output()
        .unwrap_or_else(|err| panic!("run scripts/{name}: {err}"));
    assert!(output.status.success(), "scripts/{name} failed");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .last()
        .unwrap_or_default()
        .to_string()
}

fn with_path(first: &Path) -> std::ffi::OsString {
    std::env::join_paths(
        std::iter::once(first.to_path_buf()).chain(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        )),
    )
    .expect("PATH")
}

/// Builds `editors/vscode/keel.vsix` with Node.js 24.
fn package_extension(node_bin: &Path) -> PathBuf {
    let dir = repository().join("editors/vscode");
    for args in [
        &["ci", "--no-audit", "--no-fund"][..],
        &["run", "package"][..],
    ] {
        let status = Command::new("npm")
            .args(args)
            .current_dir(&dir)
            .env("PATH", with_path(node_bin))
            .status()
            .expect("run npm");
        assert!(status.success(), "npm {args:?} in editors/vscode failed");
    }
    dir.join("keel.vsix")
}

#[test]
#[ignore = "installs code-server (minutes, cached); run by .ci/run as its own step"]
fn a_user_session_in_vs_code() {
    let code_server = PathBuf::from(script("install-code-server"));
    let node_bin = PathBuf::from(script("install-vscode-tools"));
    let vsix = package_extension(&node_bin);

    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let model = runtime.block_on(TestServer::start(vec![answer("return json.load(f)\n")]));
    let port = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port");
        listener.local_addr().expect("its address").port()
    });
    let home = TempDir::new("keel-vscode");
    let workspace = home.0.join("workspace");
    std::fs::create_dir_all(&workspace).unwrap();
    std::fs::write(workspace.join("app.py"), APP).unwrap();
    let out = repository().join("target/editor-tests/vscode");
    let _ = std::fs::remove_dir_all(&out);

    let keel = keel_e2e::keel_binary();
    let keel_dir = keel.parent().expect("keel is in a directory");
    let path = std::env::join_paths(
        [node_bin.clone(), keel_dir.to_path_buf()]
            .into_iter()
            .chain(std::env::split_paths(
                &std::env::var_os("PATH").unwrap_or_default(),
            )),
    )
    .expect("PATH");
    let mut session = Command::new(node_bin.join("node"))
        .arg(repository().join("tests/vscode/session.mjs"))
        .env("PATH", path)
        .env("KEEL_TEST_CODE_SERVER", &code_server)
        .env("KEEL_TEST_VSIX", &vsix)
        .env("KEEL_TEST_HOME", &home.0)
        .env("KEEL_TEST_WORKSPACE", &workspace)
        .env("KEEL_TEST_ENDPOINT", model.url())
        .env("KEEL_TEST_KEEL", &keel)
        .env("KEEL_TEST_OUT", &out)
        .env("KEEL_TEST_PORT", port.to_string())
        .env_remove("KEEL_LOG")
        .stdin(Stdio::null())
        .spawn()
        .expect("start node");
    let deadline = Instant::now() + SESSION;
    let status = loop {
        if let Some(status) = session.try_wait().expect("wait for node") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = session.kill();
            break session.wait().expect("node killed");
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    assert!(status.success(), "the VS Code session failed ({status})");
    for shot in ["ghost-text.png", "fixed-line.png"] {
        let size = std::fs::metadata(out.join(shot)).map_or(0, |meta| meta.len());
        assert!(size > 0, "no screenshot {}", out.join(shot).display());
    }
}
