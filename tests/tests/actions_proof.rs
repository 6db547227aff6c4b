//! Proof that the code actions' output works, not just parses: the fixture projects in
//! `tests/fixtures/actions/` are edited with `keel action run` (the editor's code path,
//! without a model) and then served by the real framework: FastAPI's `TestClient`, Flask's
//! `test_client`, and an axum router called with `tower::ServiceExt::oneshot` from the
//! fixture crate's own test (which also proves the Rust edits compile).
//!
//! The Python packages come from `scripts/python-web-venv` (PyPI, cached); the axum
//! fixture's build is cached in `target/actions-fixture`.

use std::path::{Path, PathBuf};
use std::process::Command;

use keel_e2e::{TempDir, copy_dir, keel_binary};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/actions")
        .join(name)
}

/// A copy of a fixture project to edit.
fn project(name: &str) -> TempDir {
    let dir = TempDir::new(&format!("actions-{name}"));
    copy_dir(&fixture(name), dir.path());
    dir
}

/// Runs `keel action run ID FILE:LINE --write` at the first line holding `marker`.
fn act(file: &Path, id: &str, marker: &str) {
    let text = std::fs::read_to_string(file).unwrap();
    let line = text
        .lines()
        .position(|line| line.contains(marker))
        .unwrap_or_else(|| panic!("no line holds {marker:?} in {}:\n{text}", file.display()))
        + 1;
    let output = Command::new(keel_binary())
        .args([
            "action",
            "run",
            id,
            &format!("{}:{line}", file.display()),
            "--write",
            "--no-model",
        ])
        .current_dir(file.parent().unwrap())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "keel action run {id} at {marker:?} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn python() -> String {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/python-web-venv");
    let output = Command::new("bash").arg(script).output().unwrap();
    assert!(
        output.status.success(),
        "scripts/python-web-venv failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap().trim().to_string()
}

fn run_python(python: &str, dir: &Path, args: &[&str]) {
    let output = Command::new(python)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    let app = std::fs::read_to_string(dir.join("app.py")).unwrap_or_default();
    assert!(
        output.status.success(),
        "python {args:?} failed:\n{}\n{}\n--- app.py ---\n{app}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn python_project(name: &str, handler: &str, model: &str) {
    let python = python();
    let dir = project(name);
    let app = dir.path().join("app.py");
    act(&app, "add-error-handling", handler);
    act(&app, "generate-crud", model);
    act(&app, "generate-endpoint", "# POST /");
    act(&app, "generate-endpoint", "# GET /");
    run_python(&python, dir.path(), &["-m", "py_compile", "app.py"]);
    run_python(&python, dir.path(), &["-W", "ignore", "check_app.py"]);
}

#[test]
fn fastapi_endpoints_and_error_handling_serve_real_requests() {
    python_project("fastapi", "response.raise_for_status()", "class User");
}

#[test]
fn flask_endpoints_and_error_handling_serve_real_requests() {
    python_project("flask", "response.raise_for_status()", "class Book");
}

#[test]
fn axum_endpoints_and_error_handling_compile_and_answer() {
    let dir = project("axum");
    let main = dir.path().join("src/main.rs");
    act(&main, "add-error-handling", "async fn main");
    act(&main, "add-error-handling", "fn port");
    act(&main, "add-error-handling", "names.get(id)");
    act(&main, "generate-endpoint", "// GET /orders");
    act(&main, "generate-endpoint", "// POST /orders");
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/actions-fixture");
    let output = Command::new(env!("CARGO"))
        .args(["test", "--quiet", "--manifest-path"])
        .arg(dir.path().join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", target)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "the edited axum fixture does not build or its test fails:\n{}\n{}\n--- main.rs ---\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
        std::fs::read_to_string(&main).unwrap_or_default()
    );
}
