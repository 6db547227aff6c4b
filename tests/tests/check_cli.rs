//! `keel check` and `keel rules` as a user and CI meet them: the real binary on temporary
//! workspaces and on the rule fixture tree, its three output formats, `--fix`, rule
//! selection, exit codes, ignore files, a team's own rules and suppression comments.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use keel_e2e::{TempDir, keel_binary};
use serde_json::Value;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/rules");

/// What one run of the binary gave back.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|err| panic!("stdout is not JSON ({err}):\n{}", self.stdout))
    }

    /// `(path, line, rule id)` of each `path:line:col: rule-id message` line.
    fn text_findings(&self) -> BTreeSet<(String, usize, String)> {
        self.stdout
            .lines()
            .filter_map(|line| {
                let mut parts = line.splitn(4, ':');
                let path = parts.next()?;
                let line_no = parts.next()?.parse().ok()?;
                let _column: usize = parts.next()?.parse().ok()?;
                let rule = parts.next()?.trim_start().split(' ').next()?;
                Some((path.to_string(), line_no, rule.to_string()))
            })
            .collect()
    }
}

/// Runs `keel ARGS` in `cwd` with no inherited keel configuration.
fn keel(cwd: &Path, args: &[&str]) -> Run {
    let output = Command::new(keel_binary())
        .args(args)
        .current_dir(cwd)
        .env_remove("RUST_LOG")
        .output()
        .expect("run keel");
    let run = Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    assert!(
        !run.stderr.contains("panicked"),
        "keel {args:?} panicked:\n{}",
        run.stderr
    );
    run
}

fn write(root: &Path, path: &str, text: &str) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn workspace(name: &str, files: &[(&str, &str)]) -> TempDir {
    let dir = TempDir::new(name);
    for (path, text) in files {
        write(dir.path(), path, text);
    }
    dir
}

const APP: &str = "import requests\n\n\ndef load(url, code):\n    body = requests.get(url)\n    return eval(code)\n";

#[test]
fn text_output_lists_each_finding_ruff_style_then_a_summary_and_exits_1() {
    let ws = workspace("text", &[("app/views.py", APP), ("app/ok.py", "x = 1\n")]);
    let run = keel(ws.path(), &["check"]);
    assert_eq!(run.code, 1, "findings at warning or above: {}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        lines.len(),
        3,
        "two findings and a summary:\n{}",
        run.stdout
    );
    assert!(
        lines[0].starts_with("app/views.py:5:12: py-http-no-timeout ")
            && lines[0].contains("requests.get(url)"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with("app/views.py:6:12: py-eval-exec ") && lines[1].contains("eval(code)"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].starts_with("Found 2 findings (1 error, 1 warning) in 1 file of 2 checked."),
        "{}",
        lines[2]
    );
    assert!(lines[2].contains("1 fixable with `--fix`"), "{}", lines[2]);
}

#[test]
fn a_clean_workspace_passes_with_exit_0() {
    let ws = workspace(
        "clean",
        &[
            (
                "svc/api.py",
                "import requests\n\n\ndef load(url):\n    return requests.get(url, timeout=10)\n",
            ),
            (
                "src/lib.rs",
                "pub fn add(a: u32, b: u32) -> u32 {\n    a + b\n}\n",
            ),
        ],
    );
    let run = keel(ws.path(), &["check"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.stdout.trim(), "All checks passed (2 files checked).");
}

/// The line after each `ruleid:` or `info:` annotation (an `info` finding is printed too),
/// per fixture file, as `keel check` prints it.
fn annotated_findings(
    dir: &Path,
    language: &str,
    comment: &str,
) -> BTreeSet<(String, usize, String)> {
    let mut expected = BTreeSet::new();
    for entry in std::fs::read_dir(dir.join(language)).unwrap() {
        let path = entry.unwrap().path();
        let ext = path.extension().and_then(|e| e.to_str());
        if !matches!(ext, Some("py" | "rs")) {
            continue;
        }
        let shown = format!("{language}/{}", path.file_name().unwrap().to_string_lossy());
        let text = std::fs::read_to_string(&path).unwrap();
        let mut pending: Vec<String> = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let rest = line.trim_start().strip_prefix(comment).map(str::trim);
            let annotation = ["ruleid:", "info:", "ok:"];
            if let Some(rest) = rest.filter(|r| annotation.iter().any(|a| r.starts_with(a))) {
                let flagged = rest
                    .strip_prefix("ruleid:")
                    .or_else(|| rest.strip_prefix("info:"));
                if let Some(ids) = flagged {
                    pending.extend(ids.split(',').map(|id| id.trim().to_string()));
                }
                continue;
            }
            for id in pending.drain(..) {
                expected.insert((shown.clone(), index + 1, id));
            }
        }
    }
    expected
}

#[test]
fn on_the_fixture_tree_it_flags_exactly_the_annotated_lines() {
    let root = Path::new(FIXTURES);
    let run = keel(root, &["check", "python", "rust"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let mut expected = annotated_findings(root, "python", "#");
    expected.extend(annotated_findings(root, "rust", "//"));
    let found = run.text_findings();
    let missing: Vec<_> = expected.difference(&found).collect();
    let extra: Vec<_> = found.difference(&expected).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing: {missing:#?}\nunexpected: {extra:#?}"
    );
    assert!(
        found.len() > 100,
        "the fixtures have many cases: {}",
        found.len()
    );
}

#[test]
fn json_output_has_positions_severity_category_fix_and_a_summary() {
    let ws = workspace("json", &[("app/views.py", APP)]);
    let run = keel(ws.path(), &["check", "--format", "json"]);
    assert_eq!(run.code, 1);
    let value = run.json();
    let findings = value["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 2);
    let timeout = &findings[0];
    assert_eq!(timeout["path"], "app/views.py");
    assert_eq!(timeout["rule_id"], "py-http-no-timeout");
    assert_eq!(timeout["severity"], "warning");
    assert_eq!(timeout["category"], "reliability");
    assert_eq!(timeout["start"]["line"], 5);
    assert_eq!(timeout["start"]["column"], 12);
    assert_eq!(timeout["end"]["line"], 5);
    let edit = &timeout["fix"]["edits"][0];
    assert!(
        edit["new_text"].as_str().unwrap().contains("timeout="),
        "{edit}"
    );
    let eval = &findings[1];
    assert_eq!(eval["rule_id"], "py-eval-exec");
    assert_eq!(eval["severity"], "error");
    assert_eq!(eval["category"], "security");
    assert!(eval["fix"].is_null());
    assert_eq!(value["summary"]["files_checked"], 1);
    assert_eq!(value["summary"]["findings"], 2);
    assert_eq!(value["summary"]["by_severity"]["error"], 1);
    assert_eq!(value["summary"]["by_severity"]["warning"], 1);
}

/// The official SARIF 2.1.0 schema, put in place by `scripts/fetch-sarif-schema`.
fn sarif_schema() -> Value {
    let path = std::env::var_os("KEEL_SARIF_SCHEMA")
        .map(PathBuf::from)
        .unwrap_or_else(|| keel_e2e::user_cache_dir().join("keel/sarif-schema-2.1.0.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|err| {
        panic!(
            "{} cannot be read ({err}): run scripts/fetch-sarif-schema",
            path.display()
        )
    });
    serde_json::from_str(&text).unwrap()
}

/// Replaces every `"pattern": from` in a schema; returns how many there were.
fn replace_pattern(schema: &mut Value, from: &str, to: &str) -> usize {
    match schema {
        Value::Object(map) => map
            .iter_mut()
            .map(|(key, value)| {
                if key == "pattern" && value == from {
                    *value = Value::from(to);
                    1
                } else {
                    replace_pattern(value, from, to)
                }
            })
            .sum(),
        Value::Array(items) => items
            .iter_mut()
            .map(|item| replace_pattern(item, from, to))
            .sum(),
        _ => 0,
    }
}

#[test]
fn sarif_on_the_fixture_tree_is_valid_sarif_2_1_0_as_github_reads_it() {
    let root = Path::new(FIXTURES);
    let run = keel(root, &["check", "--format", "sarif", "python", "rust"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let log = run.json();

    let mut schema = sarif_schema();
    // The published schema's pattern for `language` properties (which Keel does not emit)
    // has a stray `]`: valid in JavaScript, not in Rust's regex dialect. Use its intent.
    let replaced = replace_pattern(
        &mut schema,
        "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$",
        "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$",
    );
    assert!(replaced > 0, "the schema changed; revisit this workaround");
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .take(10)
        .map(|err| format!("{} at {}", err, err.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "not valid SARIF 2.1.0:\n{}",
        errors.join("\n")
    );
    // The validator is live: a level SARIF does not define is rejected.
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = Value::from("fatal");
    assert!(!validator.is_valid(&broken));

    // What GitHub code scanning needs beyond the schema's required fields.
    assert!(log["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    assert_eq!(log["version"], "2.1.0");
    let run0 = &log["runs"][0];
    let driver = &run0["tool"]["driver"];
    assert_eq!(driver["name"], "keel");
    let rules = driver["rules"].as_array().unwrap();
    assert!(
        rules.len() >= 30,
        "every enabled rule is described: {}",
        rules.len()
    );
    for rule in rules {
        let id = rule["id"].as_str().unwrap();
        for text in [
            &rule["shortDescription"]["text"],
            &rule["fullDescription"]["text"],
            &rule["help"]["text"],
        ] {
            assert!(
                text.as_str().is_some_and(|t| !t.trim().is_empty()),
                "{id}: {rule}"
            );
        }
        assert!(rule["properties"]["tags"].is_array(), "{id}");
    }
    let ids: BTreeSet<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let results = run0["results"].as_array().unwrap();
    let from_text = keel(root, &["check", "python", "rust"]).text_findings();
    assert_eq!(
        results.len(),
        from_text.len(),
        "the same findings as the text output"
    );
    for result in results {
        let rule_id = result["ruleId"].as_str().unwrap();
        assert!(ids.contains(rule_id), "{rule_id} has a rule descriptor");
        assert!(["error", "warning", "note"].contains(&result["level"].as_str().unwrap()));
        assert!(!result["message"]["text"].as_str().unwrap().is_empty());
        let location = &result["locations"][0]["physicalLocation"];
        let uri = location["artifactLocation"]["uri"].as_str().unwrap();
        assert!(
            (uri.starts_with("python/") || uri.starts_with("rust/")) && !uri.contains(':'),
            "a relative URI: {uri}"
        );
        let line = location["region"]["startLine"].as_u64().unwrap() as usize;
        assert!(location["region"]["startColumn"].as_u64().unwrap() >= 1);
        assert!(
            from_text.contains(&(uri.to_string(), line, rule_id.to_string())),
            "{uri}:{line} {rule_id} is also in the text output"
        );
    }
}

#[test]
fn fix_rewrites_each_fixture_to_its_fixed_twin() {
    let ws = TempDir::new("fix");
    let mut twins = 0;
    for language in ["python", "rust"] {
        for entry in std::fs::read_dir(Path::new(FIXTURES).join(language)).unwrap() {
            let fixed = entry.unwrap().path();
            let Some(name) = fixed
                .file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .strip_suffix(".fixed")
            else {
                continue;
            };
            let source = fixed.with_file_name(name);
            let rule_id = Path::new(name).file_stem().unwrap().to_str().unwrap();
            let copy = ws.path().join(name);
            std::fs::copy(&source, &copy).unwrap();

            let run = keel(ws.path(), &["check", "--fix", "--select", rule_id, name]);
            assert!(run.code <= 1, "{rule_id}: {}", run.stderr);
            assert!(run.stdout.contains("Fixed "), "{rule_id}: {}", run.stdout);
            let want = std::fs::read_to_string(&fixed).unwrap();
            let got = std::fs::read_to_string(&copy).unwrap();
            assert!(
                got == want,
                "{name} after --fix differs from {name}.fixed:\n{got}"
            );

            // Nothing fixable is left: a second run changes nothing.
            let again = keel(ws.path(), &["check", "--fix", "--select", rule_id, name]);
            assert!(
                !again.stdout.contains("Fixed "),
                "{rule_id}: {}",
                again.stdout
            );
            assert_eq!(std::fs::read_to_string(&copy).unwrap(), want);
            twins += 1;
        }
    }
    assert!(twins >= 10, "at least ten rules have quick fixes: {twins}");
}

#[test]
fn fix_then_reports_what_is_left_and_exit_code_follows_the_rest() {
    let ws = workspace("fix-left", &[("app.py", APP)]);
    let run = keel(ws.path(), &["check", "--fix"]);
    assert_eq!(run.code, 1, "eval is not fixable and stays: {}", run.stdout);
    assert!(run.stdout.contains("Fixed 1 finding."), "{}", run.stdout);
    let findings = run.text_findings();
    assert_eq!(
        findings.into_iter().map(|f| f.2).collect::<Vec<_>>(),
        ["py-eval-exec"]
    );
    let text = std::fs::read_to_string(ws.path().join("app.py")).unwrap();
    assert!(text.contains("requests.get(url, timeout="), "{text}");
    assert!(text.contains("return eval(code)"), "{text}");
}

#[test]
fn select_and_ignore_choose_rules_and_unknown_ids_are_usage_errors() {
    let ws = workspace("select", &[("app.py", APP)]);
    let rules_of =
        |run: &Run| -> Vec<String> { run.text_findings().into_iter().map(|f| f.2).collect() };

    let run = keel(ws.path(), &["check", "--select", "py-eval-exec"]);
    assert_eq!(rules_of(&run), ["py-eval-exec"]);
    let run = keel(ws.path(), &["check", "--ignore", "py-eval-exec"]);
    assert_eq!(rules_of(&run), ["py-http-no-timeout"]);
    let run = keel(
        ws.path(),
        &[
            "check",
            "--select",
            "py-eval-exec,py-http-no-timeout",
            "--ignore",
            "py-eval-exec",
        ],
    );
    assert_eq!(rules_of(&run), ["py-http-no-timeout"]);
    let run = keel(
        ws.path(),
        &["check", "--ignore", "py-eval-exec,py-http-no-timeout"],
    );
    assert_eq!(run.code, 0, "{}", run.stdout);

    let run = keel(ws.path(), &["check", "--select", "py-eval-exek"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("`py-eval-exek`") && run.stderr.contains("`py-eval-exec`"),
        "names the typo and the closest rule: {}",
        run.stderr
    );
}

#[test]
fn fail_on_sets_the_severity_that_fails_the_run() {
    // py-bind-all-interfaces is an info finding; py-http-no-timeout a warning.
    let ws = workspace(
        "fail-on",
        &[(
            "serve.py",
            "import uvicorn\n\nuvicorn.run(\"app:app\", host=\"0.0.0.0\")\n",
        )],
    );
    let run = keel(ws.path(), &["check"]);
    assert_eq!(
        run.code, 0,
        "an info finding is below the default `warning`: {}",
        run.stdout
    );
    assert!(
        run.stdout.contains("py-bind-all-interfaces"),
        "still shown: {}",
        run.stdout
    );
    assert_eq!(keel(ws.path(), &["check", "--fail-on", "info"]).code, 1);
    assert_eq!(keel(ws.path(), &["check", "--fail-on", "hint"]).code, 1);

    write(
        ws.path(),
        "client.py",
        "import requests\nrequests.get(url)\n",
    );
    assert_eq!(keel(ws.path(), &["check"]).code, 1);
    assert_eq!(keel(ws.path(), &["check", "--fail-on", "warning"]).code, 1);
    assert_eq!(keel(ws.path(), &["check", "--fail-on", "error"]).code, 0);

    let run = keel(ws.path(), &["check", "--fail-on", "loud"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("hint, info, warning, error"),
        "{}",
        run.stderr
    );
}

#[test]
fn usage_and_io_errors_exit_2_with_a_message() {
    let ws = workspace("errors", &[("app.py", APP)]);

    let run = keel(ws.path(), &["check", "no/such/dir"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stderr.contains("no/such/dir"), "{}", run.stderr);
    assert!(
        !run.stdout.contains("All checks passed"),
        "a missing path is not a pass: {}",
        run.stdout
    );

    // A missing path among real ones: the real ones are still checked and reported.
    let run = keel(ws.path(), &["check", "app.py", "missing.py"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stdout.contains("app.py:6:12: py-eval-exec"),
        "{}",
        run.stdout
    );

    let run = keel(ws.path(), &["check", "--format", "xml"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("xml"), "{}", run.stderr);

    let run = keel(ws.path(), &["check", "--no-such-flag"]);
    assert_eq!(run.code, 2);

    write(ws.path(), ".keel/rules/broken.toml", "id = \"team-rule\"\n");
    let run = keel(ws.path(), &["check"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains(".keel/rules") && run.stderr.contains("broken.toml"),
        "names the bad rule file: {}",
        run.stderr
    );
}

#[test]
fn files_that_are_not_code_or_not_text_are_skipped_without_failing() {
    let ws = workspace(
        "skip",
        &[("app.py", "x = 1\n"), ("notes.txt", "eval(code)\n")],
    );
    std::fs::write(ws.path().join("latin1.py"), b"s = '\xe9'\neval(code)\n").unwrap();
    std::fs::write(ws.path().join("blob.py"), b"\x00\x01eval(code)\n").unwrap();
    write(ws.path(), "broken.py", "def f(:\n    eval(code\n");
    let run = keel(ws.path(), &["check", "--format", "json"]);
    assert!(run.code <= 1, "{}", run.stderr);
    let value = run.json();
    let paths: BTreeSet<&str> = value["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert!(
        !paths.contains("notes.txt") && !paths.contains("latin1.py") && !paths.contains("blob.py")
    );
}

#[test]
fn gitignore_keelignore_hidden_dirs_and_privacy_exclude_are_honoured() {
    let bad = "eval(code)\n";
    let ws = workspace(
        "ignore",
        &[
            ("app/main.py", bad),
            ("build/gen.py", bad),
            ("app/generated_pb2.py", bad),
            ("vendor/lib/x.py", bad),
            (".venv/lib/site.py", bad),
            (".gitignore", "build/\n"),
            (".keelignore", "*_pb2.py\n"),
            ("keel.toml", "[privacy]\nexclude = [\"vendor/**\"]\n"),
        ],
    );
    let run = keel(ws.path(), &["check", "--format", "json"]);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    let value = run.json();
    let paths: Vec<&str> = value["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["app/main.py"]);
    assert_eq!(value["summary"]["files_checked"], 1);

    // The built-in privacy globs keep `*secret*` files out of prompts, not out of checks:
    // a secrets module is where a hardcoded secret is most likely.
    std::fs::remove_file(ws.path().join("keel.toml")).unwrap();
    write(
        ws.path(),
        "app/secrets.py",
        "API_TOKEN = \"tok_8f2a9c4e1b7d\"\n",
    );
    let run = keel(ws.path(), &["check"]);
    let found: Vec<(String, String)> = run
        .text_findings()
        .into_iter()
        .map(|f| (f.0, f.2))
        .collect();
    assert!(
        found.contains(&(
            "app/secrets.py".to_string(),
            "sec-hardcoded-secret".to_string()
        )),
        "{}",
        run.stdout
    );
}

#[test]
fn a_workspace_rule_in_dot_keel_rules_is_run_listed_and_explained() {
    let ws = workspace(
        "team-rule",
        &[
            (".keel/rules/team-no-print.toml", keel_e2e::TEAM_RULE),
            (
                "svc/orders.py",
                "def place(order):\n    print(order)\n    return order\n",
            ),
        ],
    );
    let run = keel(ws.path(), &["check"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("svc/orders.py:2:5: team-no-print `print(order)` writes to stdout"),
        "{}",
        run.stdout
    );
    // The rule files themselves are not checked as code, and built-in rules still run.
    write(
        ws.path(),
        "svc/load.py",
        "import yaml\n\n\ndef load(s):\n    return yaml.load(s)\n",
    );
    let ids: BTreeSet<String> = keel(ws.path(), &["check"])
        .text_findings()
        .into_iter()
        .map(|f| f.2)
        .collect();
    assert_eq!(
        ids,
        BTreeSet::from([
            "team-no-print".to_string(),
            "py-yaml-unsafe-load".to_string()
        ])
    );

    let list = keel(ws.path(), &["rules"]);
    assert!(
        list.stdout
            .lines()
            .any(|l| l.starts_with("team-no-print ") && l.contains("print() in service code")),
        "{}",
        list.stdout
    );
    let explain = keel(ws.path(), &["rules", "explain", "team-no-print"]);
    assert_eq!(explain.code, 0);
    assert!(
        explain.stdout.contains("Services log through the logger"),
        "{}",
        explain.stdout
    );

    let run = keel(ws.path(), &["check", "--select", "team-no-print"]);
    assert_eq!(run.text_findings().len(), 1);
}

const ORDERS: &str = r#"import audit
from myapp import api


def sync(client):
    try:
        client.push()
    except Exception:
        audit.warning("push failed")


@api.handler
def list_orders(session):
    return session.query(Order).all()
"#;

#[test]
fn a_team_vocabulary_in_dot_keel_teaches_the_rules_its_logger_and_route_decorator() {
    let ws = workspace("team-vocabulary", &[("svc/orders.py", ORDERS)]);
    let finding = |line: usize, rule: &str| ("svc/orders.py".to_string(), line, rule.to_string());
    // Keel knows neither `audit` as a logger nor `@api.handler` as a route.
    let run = keel(ws.path(), &["check"]);
    assert_eq!(
        run.text_findings(),
        BTreeSet::from([finding(8, "py-swallowed-exception")]),
        "{}",
        run.stdout
    );

    write(
        ws.path(),
        ".keel/vocabulary.toml",
        "[python.logging]\nloggers = [\"audit\"]\n\n[python.routes]\ndecorators = [\"api.handler\"]\n",
    );
    let run = keel(ws.path(), &["check"]);
    assert_eq!(
        run.text_findings(),
        BTreeSet::from([finding(14, "py-unbounded-query")]),
        "{}",
        run.stderr
    );

    // A mistake in the file stops the run with the file, the key and what to do.
    write(
        ws.path(),
        ".keel/vocabulary.toml",
        "[python.logging]\nlogers = [\"audit\"]\n",
    );
    let run = keel(ws.path(), &["check"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    for part in [".keel/vocabulary.toml", "logers", "queries/README.md"] {
        assert!(run.stderr.contains(part), "{part} not in: {}", run.stderr);
    }
}

#[test]
fn suppression_comments_silence_only_the_named_rule_on_their_line_or_the_next() {
    let ws = workspace(
        "suppress",
        &[
            (
                "jobs.py",
                "\
def run(code, expr, other):
    eval(code)  # keel: ignore[py-eval-exec]
    # keel: ignore[py-eval-exec]
    exec(expr)
    eval(other)  # keel: ignore[py-http-no-timeout]
    return eval(\"# keel: ignore[py-eval-exec]\" + other)
",
            ),
            (
                "src/main.rs",
                "\
fn main() {
    // keel: ignore[rs-panic-macro]
    panic!(\"boom\");
    todo!();
}
",
            ),
        ],
    );
    let run = keel(ws.path(), &["check"]);
    let found: Vec<(String, usize, String)> = run.text_findings().into_iter().collect();
    let lines: Vec<(&str, usize)> = found.iter().map(|(p, l, _)| (p.as_str(), *l)).collect();
    assert_eq!(
        lines,
        [("jobs.py", 5), ("jobs.py", 6), ("src/main.rs", 4)],
        "a marker for another rule, or inside a string, suppresses nothing:\n{}",
        run.stdout
    );
}

#[test]
fn keel_toml_disable_and_severity_overrides_apply_to_check() {
    let ws = workspace("config", &[("app.py", APP)]);
    write(
        ws.path(),
        "keel.toml",
        "[diagnostics]\ndisable = [\"py-eval-exec\"]\n",
    );
    let run = keel(ws.path(), &["check"]);
    let ids: Vec<String> = run.text_findings().into_iter().map(|f| f.2).collect();
    assert_eq!(ids, ["py-http-no-timeout"]);

    write(
        ws.path(),
        "keel.toml",
        "[diagnostics.severity]\npy-eval-exec = \"info\"\npy-http-no-timeout = \"hint\"\n",
    );
    let run = keel(ws.path(), &["check", "--format", "json"]);
    assert_eq!(
        run.code, 0,
        "both findings are now below warning: {}",
        run.stdout
    );
    let value = run.json();
    let severities: Vec<&str> = value["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["severity"].as_str().unwrap())
        .collect();
    assert_eq!(severities, ["hint", "info"]);
}

#[test]
fn rules_lists_every_rule_and_explain_prints_its_docs() {
    let dir = TempDir::new("rules");
    let run = keel(dir.path(), &["rules"]);
    assert_eq!(run.code, 0);
    let mut lines = run.stdout.lines();
    let header = lines.next().unwrap();
    for column in ["ID", "LANGUAGE", "SEVERITY", "CATEGORY", "TITLE"] {
        assert!(header.contains(column), "{header}");
    }
    let ids: BTreeSet<&str> = lines.filter_map(|l| l.split_whitespace().next()).collect();
    assert!(ids.len() >= 30, "{ids:?}");
    for id in [
        "py-http-no-timeout",
        "py-sql-string-build",
        "sec-hardcoded-secret",
        "rs-lock-across-await",
        "rs-reqwest-no-timeout",
        "rs-dropped-future",
    ] {
        assert!(ids.contains(id), "{id} listed");
    }

    let run = keel(dir.path(), &["rules", "explain", "py-yaml-unsafe-load"]);
    assert_eq!(run.code, 0);
    for section in [
        "## What it does",
        "## Why it matters",
        "## Example",
        "## Use instead",
    ] {
        assert!(run.stdout.contains(section), "{section}:\n{}", run.stdout);
    }
    assert!(run.stdout.contains("yaml.safe_load"), "{}", run.stdout);
    assert!(run.stdout.contains("CWE-502"), "{}", run.stdout);

    let run = keel(dir.path(), &["rules", "explain", "py-yaml-unsafe-lod"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("`py-yaml-unsafe-load`"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_file_with_two_thousand_findings_reports_every_one() {
    // Each finding used to walk the module around it, and every climb up the tree started
    // from the root: the check ran out of time and reported a fraction.
    let text = "import subprocess\nsubprocess.run(cmd, shell=True)\n".repeat(2_000);
    let ws = workspace("many-findings", &[("jobs.py", &text)]);
    let run = keel(ws.path(), &["check", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let value = run.json();
    let findings = value["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 2_000);
    assert!(
        findings
            .iter()
            .all(|f| f["rule_id"] == "py-subprocess-shell")
    );
}
