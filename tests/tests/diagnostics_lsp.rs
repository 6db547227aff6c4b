//! Backend diagnostics in the editor: pushed after open and edits (tagged with the document
//! version), pulled with `textDocument/diagnostic`, and their quick fixes as code actions,
//! all through the real binary.

use keel_e2e::{Launch, Server, TIMEOUT, TempDir, edit, file_uri, utf8_client};
use serde_json::{Value, json};

const HANDLER: &str = "import requests\n\ndef fetch(url):\n    return requests.get(url)\n\ndef fetch_ok(url):\n    return requests.get(url, timeout=5)\n";

/// A client that supports pull diagnostics, versioned workspace edits and refresh.
fn pull_client() -> Value {
    json!({
        "textDocument": {"diagnostic": {"dynamicRegistration": false}},
        "workspace": {
            "workspaceEdit": {"documentChanges": true},
            "diagnostics": {"refreshSupport": true},
        },
    })
}

/// Waits for the next `publishDiagnostics` for `uri` and returns it.
fn next_publish(server: &mut Server, uri: &str) -> Value {
    loop {
        let params = server
            .wait_notification("textDocument/publishDiagnostics", TIMEOUT)
            .expect("diagnostics are published");
        if params["uri"] == uri {
            return params;
        }
    }
}

fn codes(diagnostics: &Value) -> Vec<String> {
    diagnostics
        .as_array()
        .expect("a list of diagnostics")
        .iter()
        .map(|diagnostic| diagnostic["code"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn pull(server: &mut Server, uri: &str) -> Value {
    let report = server
        .request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": uri}}),
        )
        .expect("a diagnostic report");
    assert_eq!(report["kind"], "full");
    report["items"].clone()
}

/// Applies LSP text edits (utf-16 positions, single-line ASCII ranges here) to `text`.
fn apply(text: &str, edits: &[Value]) -> String {
    let offset = |position: &Value| {
        let line = position["line"].as_u64().unwrap() as usize;
        let character = position["character"].as_u64().unwrap() as usize;
        let line_start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        line_start + character
    };
    let mut spans: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|edit| {
            (
                offset(&edit["range"]["start"]),
                offset(&edit["range"]["end"]),
                edit["newText"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    spans.sort_by_key(|span| std::cmp::Reverse(span.0));
    let mut out = text.to_string();
    for (start, end, new_text) in spans {
        out.replace_range(start..end, &new_text);
    }
    out
}

#[test]
fn findings_are_pushed_on_open_with_rule_id_source_and_version() {
    let mut server = Server::start();
    server.initialize(json!({}), None, None);
    let uri = "file:///srv/app/handlers.py";
    server.open(uri, "python", HANDLER);
    let published = next_publish(&mut server, uri);
    assert_eq!(published["version"], 1);
    let diagnostics = published["diagnostics"].as_array().unwrap();
    assert_eq!(codes(&published["diagnostics"]), ["py-http-no-timeout"]);
    let diagnostic = &diagnostics[0];
    assert_eq!(diagnostic["source"], "keel");
    assert_eq!(diagnostic["severity"], 2, "a warning");
    // `requests.get(url)` on line 3 (0-based), after four spaces and `return `.
    assert_eq!(
        diagnostic["range"]["start"],
        json!({"line": 3, "character": 11})
    );
    assert_eq!(
        diagnostic["range"]["end"],
        json!({"line": 3, "character": 28})
    );
    assert!(
        diagnostic["message"]
            .as_str()
            .unwrap()
            .contains("requests.get(url)"),
        "the message names the call: {diagnostic}"
    );
    // CWE-linked rules carry a link a user can follow from the problems list.
    assert!(
        diagnostic["codeDescription"]["href"]
            .as_str()
            .is_some_and(|href| href.starts_with("https://cwe.mitre.org/")),
        "{diagnostic}"
    );
    assert_eq!(server.shutdown().code(), Some(0));
}

#[test]
fn a_finding_on_request_data_points_at_where_the_data_was_read() {
    let mut server = Server::start();
    server.initialize(json!({}), None, None);
    let uri = "file:///srv/app/admin.py";
    let text = "from flask import Flask, request\n\napp = Flask(__name__)\n\n\n@app.post(\"/calc\")\ndef calc():\n    expression = request.form[\"expr\"]\n    result = eval(expression)\n    return str(result)\n";
    server.open(uri, "python", text);
    let published = next_publish(&mut server, uri);
    let diagnostics = published["diagnostics"].as_array().unwrap();
    let finding = diagnostics
        .iter()
        .find(|d| d["code"] == "py-eval-exec")
        .unwrap_or_else(|| panic!("eval of request data is flagged: {published}"));
    let related = finding["relatedInformation"]
        .as_array()
        .unwrap_or_else(|| panic!("where the value came from: {finding}"));
    assert_eq!(related.len(), 1, "{finding}");
    assert_eq!(related[0]["location"]["uri"], uri);
    // `request.form["expr"]` is read on line 7 (0-based).
    assert_eq!(
        related[0]["location"]["range"]["start"]["line"], 7,
        "{finding}"
    );
    assert_eq!(server.shutdown().code(), Some(0));
}

#[test]
fn a_burst_of_edits_is_checked_once_and_tagged_with_the_final_version() {
    let mut server = Server::start();
    server.initialize(json!({}), None, None);
    let uri = "file:///srv/app/burst.py";
    server.open(
        uri,
        "python",
        "import yaml\n\ndef load(raw):\n    return raw\n",
    );
    let first = next_publish(&mut server, uri);
    assert_eq!(codes(&first["diagnostics"]), Vec::<String>::new());

    // Type `yaml.load(raw)` over `raw` one character at a time.
    let typed = "yaml.load(raw)";
    server.change(uri, 2, json!([edit((3, 11), (3, 14), "")]));
    for (index, character) in typed.chars().enumerate() {
        let column = 11 + index as u32;
        server.change(
            uri,
            3 + index as i32,
            json!([edit((3, column), (3, column), &character.to_string())]),
        );
    }
    let last_version = 2 + typed.len() as i64;
    while next_publish(&mut server, uri)["version"] != last_version {}
    let publishes = server.seen("textDocument/publishDiagnostics");
    let after_edits: Vec<&Value> = publishes.iter().skip(1).collect();
    assert!(
        !after_edits.is_empty() && after_edits.len() < typed.len() / 2,
        "a typing burst is debounced into a few checks, got {}",
        after_edits.len()
    );
    let last = after_edits.last().unwrap();
    assert_eq!(last["version"], last_version);
    assert_eq!(codes(&last["diagnostics"]), ["py-yaml-unsafe-load"]);
    // Every published set matches the version it names; none is older than one before it.
    let versions: Vec<i64> = after_edits
        .iter()
        .map(|p| p["version"].as_i64().unwrap())
        .collect();
    assert!(
        versions.windows(2).all(|pair| pair[0] < pair[1]),
        "{versions:?}"
    );
    assert_eq!(
        server.text(uri).unwrap(),
        "import yaml\n\ndef load(raw):\n    return yaml.load(raw)\n"
    );
    assert_eq!(server.shutdown().code(), Some(0));
}

#[test]
fn pull_clients_get_reports_on_request_and_nothing_pushed() {
    let mut server = Server::launch(Launch {
        env: vec![("KEEL_LOG".into(), "debug".into())],
        ..Launch::default()
    });
    let result = server.initialize(pull_client(), None, None);
    assert_eq!(
        result["capabilities"]["diagnosticProvider"]["identifier"],
        "keel"
    );
    let uri = "file:///srv/app/pulled.py";
    server.open(uri, "python", HANDLER);
    assert_eq!(codes(&pull(&mut server, uri)), ["py-http-no-timeout"]);
    server.change(uri, 2, json!([edit((3, 27), (3, 27), ", timeout=10")]));
    assert_eq!(codes(&pull(&mut server, uri)), Vec::<String>::new());
    // Pushes are debounced: the server saying it will not push is what proves none comes.
    let log = "not pushing diagnostics: the client pulls them";
    assert!(
        server.wait_log(log, 2, TIMEOUT),
        "the open and the change were each considered: {}",
        server.stderr()
    );
    server.round_trip();
    let pushed = server.seen("textDocument/publishDiagnostics");
    assert!(
        pushed.is_empty(),
        "a pulling client gets no pushes: {pushed:?}"
    );
    let unknown = server.request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": "file:///not/open.py"}}),
    );
    assert!(
        unknown.is_err(),
        "a document that is not open is an error, not a silence"
    );
    assert_eq!(server.shutdown().code(), Some(0));
}

#[test]
fn test_helpers_of_the_workspace_are_quiet_but_a_workspace_under_a_tests_folder_is_not() {
    // The project itself sits in a folder named `tests`: only the folders inside the
    // workspace say what is test code.
    let dir = TempDir::new("test-dirs");
    let root = dir.path().join("tests").join("shop");
    std::fs::create_dir_all(root.join("app")).unwrap();
    std::fs::create_dir_all(root.join("tests")).unwrap();
    let mut server = Server::start();
    server.initialize(pull_client(), None, Some(&root));
    let helper = file_uri(&root.join("tests").join("factories.py"));
    let app = file_uri(&root.join("app").join("client.py"));
    server.open(&helper, "python", HANDLER);
    server.open(&app, "python", HANDLER);
    assert_eq!(codes(&pull(&mut server, &app)), ["py-http-no-timeout"]);
    assert_eq!(codes(&pull(&mut server, &helper)), Vec::<String>::new());
    assert_eq!(server.shutdown().code(), Some(0));
}

#[test]
fn ranges_follow_the_negotiated_encoding() {
    let source = "async fn handler() {\n    let face = \"😀\"; std::thread::sleep(PAUSE);\n}\n";
    // `std::thread::sleep(PAUSE)` starts after 4 spaces, `let face = "` (12), the emoji,
    // and `"; ` (3): the emoji is 2 utf-16 units and 4 utf-8 bytes.
    for (capabilities, start) in [(json!({}), 4 + 12 + 2 + 3), (utf8_client(), 4 + 12 + 4 + 3)] {
        let mut server = Server::start();
        server.initialize(capabilities, None, None);
        let uri = "file:///srv/app/src/handler.rs";
        server.open(uri, "rust", source);
        let published = next_publish(&mut server, uri);
        let diagnostics = published["diagnostics"].as_array().unwrap();
        let sleep = diagnostics
            .iter()
            .find(|d| d["code"] == "rs-blocking-sleep-in-async")
            .unwrap_or_else(|| panic!("blocking sleep flagged: {published}"));
        assert_eq!(
            sleep["range"]["start"],
            json!({"line": 1, "character": start})
        );
        assert_eq!(server.shutdown().code(), Some(0));
    }
}

#[test]
fn the_quick_fix_edit_removes_the_finding() {
    let mut server = Server::start();
    server.initialize(pull_client(), None, None);
    let uri = "file:///srv/app/fixable.py";
    server.open(uri, "python", HANDLER);
    let items = pull(&mut server, uri);
    let diagnostic = items[0].clone();
    let actions = server
        .request(
            "textDocument/codeAction",
            json!({
                "textDocument": {"uri": uri},
                "range": diagnostic["range"],
                "context": {"diagnostics": [diagnostic]},
            }),
        )
        .expect("code actions");
    let actions = actions.as_array().unwrap();
    let fix = actions
        .iter()
        .find(|action| action["isPreferred"] == true)
        .unwrap_or_else(|| panic!("a preferred quick fix: {actions:?}"));
    assert_eq!(fix["kind"], "quickfix");
    assert_eq!(fix["diagnostics"][0]["code"], "py-http-no-timeout");
    let change = &fix["edit"]["documentChanges"][0];
    assert_eq!(
        change["textDocument"]["version"], 1,
        "the edit is for the version it saw"
    );
    let edits = change["edits"].as_array().unwrap();
    let fixed = apply(HANDLER, edits);
    assert!(fixed.contains("requests.get(url, timeout="), "{fixed}");

    // The editor applies the edit as a change: the finding is gone.
    let changes: Vec<Value> = edits
        .iter()
        .map(|e| json!({"range": e["range"], "text": e["newText"]}))
        .collect();
    server.change(uri, 2, Value::Array(changes));
    assert_eq!(server.text(uri).unwrap(), fixed);
    assert_eq!(codes(&pull(&mut server, uri)), Vec::<String>::new());

    // Asking for other kinds of actions gives no quick fixes.
    let refactors = server
        .request(
            "textDocument/codeAction",
            json!({
                "textDocument": {"uri": uri},
                "range": {"start": {"line": 0, "character": 0}, "end": {"line": 9, "character": 0}},
                "context": {"diagnostics": [], "only": ["refactor"]},
            }),
        )
        .unwrap();
    assert_eq!(refactors, json!([]));
    assert_eq!(server.shutdown().code(), Some(0));
}

#[test]
fn the_ignore_action_silences_the_rule_on_that_line_only() {
    let source = "import yaml\r\n\r\ndef load(raw):\r\n    first = yaml.load(raw)\r\n    return yaml.load(first)\r\n";
    let mut server = Server::start();
    // No documentChanges support: the edit comes as plain `changes`.
    server.initialize(json!({"textDocument": {"diagnostic": {}}}), None, None);
    let uri = "file:///srv/app/ignored.py";
    server.open(uri, "python", source);
    let items = pull(&mut server, uri);
    assert_eq!(
        codes(&items),
        ["py-yaml-unsafe-load", "py-yaml-unsafe-load"]
    );
    let actions = server
        .request(
            "textDocument/codeAction",
            json!({
                "textDocument": {"uri": uri},
                "range": items[0]["range"],
                "context": {"diagnostics": [items[0]]},
            }),
        )
        .unwrap();
    let ignore = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|action| action["title"].as_str().unwrap().starts_with("Ignore"))
        .unwrap_or_else(|| panic!("an ignore action: {actions}"));
    let edits = ignore["edit"]["changes"][uri].as_array().unwrap();
    let changes: Vec<Value> = edits
        .iter()
        .map(|e| json!({"range": e["range"], "text": e["newText"]}))
        .collect();
    server.change(uri, 2, Value::Array(changes));
    assert_eq!(
        server.text(uri).unwrap(),
        "import yaml\r\n\r\ndef load(raw):\r\n    # keel: ignore[py-yaml-unsafe-load]\r\n    first = yaml.load(raw)\r\n    return yaml.load(first)\r\n",
        "the comment keeps the indentation and the file's CRLF line endings"
    );
    let left = pull(&mut server, uri);
    assert_eq!(codes(&left), ["py-yaml-unsafe-load"]);
    assert_eq!(
        left[0]["range"]["start"]["line"], 5,
        "the other line is still flagged"
    );
    assert_eq!(server.shutdown().code(), Some(0));
}

#[test]
fn configuration_and_team_rules_change_what_is_flagged() {
    let workspace = TempDir::new("diagnostics-team");
    let rules = workspace.path().join(".keel/rules");
    std::fs::create_dir_all(&rules).unwrap();
    std::fs::write(rules.join("no-print.toml"), keel_e2e::TEAM_RULE).unwrap();
    let path = workspace.path().join("svc.py");
    let source = "import requests\n\ndef go(url):\n    print(url)\n    return requests.get(url)\n";
    std::fs::write(&path, source).unwrap();
    let uri = file_uri(&path);

    let mut server = Server::start();
    server.initialize(json!({}), None, Some(workspace.path()));
    server.open(&uri, "python", source);
    // The team's rules load after `initialized`; wait until a publish includes them.
    let deadline = std::time::Instant::now() + TIMEOUT;
    loop {
        let published = next_publish(&mut server, &uri);
        let found = codes(&published["diagnostics"]);
        if found.contains(&"team-no-print".to_string()) {
            assert_eq!(found, ["team-no-print", "py-http-no-timeout"]);
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "team rule never applied"
        );
    }
    server.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"diagnostics": {"disable": ["py-http-no-timeout"], "severity": {"team-no-print": "error"}}}}),
    );
    let published = next_publish(&mut server, &uri);
    assert_eq!(codes(&published["diagnostics"]), ["team-no-print"]);
    assert_eq!(
        published["diagnostics"][0]["severity"], 1,
        "raised to an error"
    );

    server.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri}}),
    );
    let cleared = next_publish(&mut server, &uri);
    assert_eq!(
        cleared["diagnostics"],
        json!([]),
        "closing a file clears its findings"
    );
    assert_eq!(server.shutdown().code(), Some(0));
}

/// Editors ask for code actions with the cursor wherever it is on the flagged line (Neovim
/// and Helix send an empty range there), sometimes with the line's diagnostics attached.
#[test]
fn quick_fixes_are_offered_anywhere_on_the_flagged_line_and_for_sent_diagnostics() {
    let mut server = Server::start();
    server.initialize(pull_client(), None, None);
    let uri = "file:///srv/app/anywhere.py";
    server.open(uri, "python", HANDLER);
    let diagnostic = pull(&mut server, uri)[0].clone();
    assert_eq!(diagnostic["range"]["start"]["line"], 3);
    assert!(diagnostic["range"]["start"]["character"].as_u64() > Some(0));
    let titles = |server: &mut Server, range: Value, sent: Value| -> Vec<String> {
        let actions = server
            .request(
                "textDocument/codeAction",
                json!({"textDocument": {"uri": uri}, "range": range, "context": {"diagnostics": sent}}),
            )
            .expect("code actions");
        // Only the quick fixes: refactorings (add error handling) depend on where the
        // cursor is, not on the diagnostics.
        actions
            .as_array()
            .expect("a list")
            .iter()
            .filter(|action| action["kind"] == "quickfix")
            .map(|action| action["title"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    let at = |line: u32, character: u32| json!({"start": {"line": line, "character": character}, "end": {"line": line, "character": character}});
    let start_of_line = titles(&mut server, at(3, 0), json!([]));
    assert!(
        start_of_line
            .iter()
            .any(|title| title.contains("py-http-no-timeout") && !title.starts_with("Ignore")),
        "the fix at the start of the line: {start_of_line:?}"
    );
    let sent = titles(&mut server, at(0, 0), json!([diagnostic]));
    assert_eq!(
        sent, start_of_line,
        "the fixes of the diagnostic the client sent"
    );
    assert_eq!(
        titles(&mut server, at(1, 0), json!([])),
        Vec::<String>::new(),
        "nothing on a line without findings"
    );
}

/// The threads the server process runs now.
fn threads(pid: u32) -> usize {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("Threads:"))
                .and_then(|count| count.trim().parse().ok())
        })
        .unwrap_or(0)
}

/// An editor restoring a session opens hundreds of files at once. Each open schedules a
/// rule check; they must queue for the cores, not each take a thread (and a parse) of its own.
#[test]
fn two_hundred_opens_at_once_keep_the_thread_count_near_the_core_count() {
    let mut server = Server::start();
    server.initialize_default();
    let pid = server.pid();
    const FILES: usize = 200;
    // A few hundred lines each, so a check takes long enough for the burst to overlap.
    let body = HANDLER.repeat(60);
    for n in 0..FILES {
        server.open(&format!("file:///srv/app/module_{n}.py"), "python", &body);
    }
    let mut most = threads(pid);
    let mut published = std::collections::HashSet::new();
    while published.len() < FILES {
        let note = server
            .wait_notification("textDocument/publishDiagnostics", TIMEOUT)
            .expect("every opened file gets its findings");
        most = most.max(threads(pid));
        if note["diagnostics"]
            .as_array()
            .is_some_and(|d| !d.is_empty())
        {
            published.insert(note["uri"].as_str().unwrap_or_default().to_string());
        }
    }
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    // Tokio's workers (one per core), the checks (one per core), stdio, and a few helpers.
    assert!(
        most <= 2 * cores + 8,
        "{most} threads while {FILES} files were checked on {cores} cores"
    );
}
