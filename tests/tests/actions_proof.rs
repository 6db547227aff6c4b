//! Proof that the code actions' output works, not just parses: the fixture projects in
//! `tests/fixtures/actions/` are edited with `keel action run` (the editor's code path,
//! without a model) and then served by the real framework: FastAPI's `TestClient`, Flask's
//! `test_client`, Django's test `Client` and REST framework's `APIClient` (after the route
//! was added to the app's `urls.py`), an axum router called with
//! `tower::ServiceExt::oneshot` and an actix-web service called with `actix_web::test`
//! from the fixture crates' own tests (which also prove the Rust edits compile).
//!
//! The Python packages come from `scripts/python-web-venv` (PyPI, cached); the Rust
//! fixtures' builds are cached in `target/actions-fixture`.

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
    assert!(
        output.status.success(),
        "python {args:?} failed:\n{}\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
        shown(dir, &["app.py", "views.py", "urls.py"])
    );
}

/// The files named `names` under `dir`, for a failure message: what the actions wrote.
fn shown(dir: &Path, names: &[&str]) -> String {
    let mut out = String::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(next) = pending.pop() {
        for entry in std::fs::read_dir(&next).into_iter().flatten().flatten() {
            let path = entry.path();
            let named = path
                .file_name()
                .and_then(|name| name.to_str())
                .is_some_and(|name| names.contains(&name));
            if path.is_dir() {
                pending.push(path);
            } else if named {
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                out.push_str(&format!("--- {} ---\n{text}\n", path.display()));
            }
        }
    }
    out
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
fn django_views_and_rest_framework_viewsets_serve_real_requests() {
    let python = python();
    let dir = project("django");
    // `wiki`'s views are async, and so are the ones generated there.
    for app in ["shop", "blog", "wiki"] {
        let views = dir.path().join(app).join("views.py");
        act(&views, "generate-endpoint", "# GET /");
        act(&views, "generate-endpoint", "# POST /");
    }
    for app in ["shop", "blog"] {
        act(
            &dir.path().join(app).join("models.py"),
            "generate-crud",
            "(models.Model)",
        );
    }
    run_python(&python, dir.path(), &["-m", "compileall", "-q", "."]);
    run_python(&python, dir.path(), &["-W", "ignore", "check_app.py"]);
}

/// Without `--write`, an action that also routes the view in urls.py prints a diff of each
/// file and changes neither.
#[test]
fn keel_action_run_prints_a_diff_per_file_it_would_change() {
    let dir = project("django");
    let views = dir.path().join("shop/views.py");
    let urls = dir.path().join("shop/urls.py");
    let before = (
        std::fs::read_to_string(&views).unwrap(),
        std::fs::read_to_string(&urls).unwrap(),
    );
    let line = before
        .0
        .lines()
        .position(|l| l.starts_with("# GET"))
        .unwrap()
        + 1;
    let output = Command::new(keel_binary())
        .args(["action", "run", "generate-endpoint", "--no-model"])
        .arg(format!("{}:{line}", views.display()))
        .output()
        .unwrap();
    let diff = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        diff.contains(&format!("+++ {}\n", views.display()))
            && diff.contains("+def fetch_order(request, id):\n"),
        "{diff}"
    );
    assert!(
        diff.contains(&format!("+++ {}\n", urls.display()))
            && diff.contains(
                "+    path(\"orders/<int:id>/\", views.fetch_order, name=\"fetch_order\"),\n"
            ),
        "{diff}"
    );
    let after = (
        std::fs::read_to_string(&views).unwrap(),
        std::fs::read_to_string(&urls).unwrap(),
    );
    assert_eq!(after, before, "no file is written without --write");
}

/// `cargo test` of an edited fixture crate: it builds, and its test of the service passes.
fn cargo_test(dir: &Path, name: &str) {
    let main = dir.join("src/main.rs");
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/actions-fixture");
    let output = Command::new(env!("CARGO"))
        .args(["test", "--quiet", "--manifest-path"])
        .arg(dir.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", target)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "the edited {name} fixture does not build or its test fails:\n{}\n{}\n--- main.rs ---\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
        std::fs::read_to_string(&main).unwrap_or_default()
    );
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
    act(&main, "generate-crud", "struct Customer");
    cargo_test(dir.path(), "axum");
}

#[test]
fn actix_endpoints_compile_and_answer() {
    let dir = project("actix");
    let main = dir.path().join("src/main.rs");
    act(&main, "generate-endpoint", "// GET /orders");
    act(&main, "generate-endpoint", "// POST /orders");
    act(&main, "generate-crud", "struct Customer");
    cargo_test(dir.path(), "actix");
}
