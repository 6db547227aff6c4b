//! Keel as Helix 25.07 sees it: the `initialize` capabilities Helix sends (utf-8, utf-32 and
//! utf-16 offered; snippets on by default, off with `editor.lsp.snippets = false`; no inline
//! completion, no pull diagnostics, versioned workspace edits), completion items applied as
//! Helix applies them, pushed diagnostics, and quick fixes with the cursor at the start of
//! the flagged line. And the snippet in `editors/helix/languages.toml`.

#[path = "providers_support/mod.rs"]
mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use keel_e2e::{Server, TIMEOUT};
use serde_json::{Value, json};
use support::{TestServer, answer};

const PY: &str = "file:///srv/app/store.py";

/// What Helix 25.07 sends in `initialize` (helix-lsp's client), trimmed to what Keel reads
/// or could misread.
fn helix_capabilities(snippets: bool) -> Value {
    json!({
        "general": {"positionEncodings": ["utf-8", "utf-32", "utf-16"]},
        "window": {"workDoneProgress": true},
        "workspace": {
            "configuration": true,
            "didChangeConfiguration": {"dynamicRegistration": false},
            "workspaceFolders": true,
            "applyEdit": true,
            "executeCommand": {"dynamicRegistration": false},
            "workspaceEdit": {
                "documentChanges": true,
                "resourceOperations": ["create", "rename", "delete"],
                "failureHandling": "abort",
                "normalizesLineEndings": false,
            },
            "didChangeWatchedFiles": {"dynamicRegistration": true, "relativePatternSupport": false},
            "fileOperations": {"willRename": true, "didRename": true},
        },
        "textDocument": {
            "completion": {
                "completionItem": {
                    "snippetSupport": snippets,
                    "resolveSupport": {"properties": ["documentation", "detail", "additionalTextEdits"]},
                    "insertReplaceSupport": true,
                    "deprecatedSupport": true,
                    "tagSupport": {"valueSet": [1]},
                },
                "completionItemKind": {},
            },
            "codeAction": {
                "codeActionLiteralSupport": {"codeActionKind": {"valueSet": [
                    "", "quickfix", "refactor", "refactor.extract", "refactor.inline",
                    "refactor.rewrite", "source", "source.organizeImports",
                ]}},
                "isPreferredSupport": true,
                "disabledSupport": true,
                "dataSupport": true,
                "resolveSupport": {"properties": ["edit", "command"]},
            },
            "publishDiagnostics": {"versionSupport": true, "tagSupport": {"valueSet": [1, 2]}},
        },
    })
}

fn start(snippets: bool, model: &TestServer) -> Server {
    let mut keel = Server::start();
    let options = json!({
        "provider": {"kind": "openai-completions", "endpoint": model.url(), "model": "test-model"},
        "completion": {"debounce_ms": 0},
    });
    let result = keel.initialize(helix_capabilities(snippets), Some(options), None);
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-8");
    keel
}

/// The text of a snippet without its escapes, as Helix renders one with no tab stops.
fn unescape(snippet: &str) -> String {
    let mut text = String::new();
    let mut chars = snippet.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => text.extend(chars.next()),
            '$' => panic!("a tab stop or variable in Keel's snippet: {snippet}"),
            c => text.push(c),
        }
    }
    text
}

/// `text` with `item` accepted as Helix does: the edit's range replaced by its text; a
/// snippet's new lines get the cursor line's indentation.
fn accept(text: &str, item: &Value) -> String {
    let edit = &item["textEdit"];
    let offset = |position: &Value| {
        let line = position["line"].as_u64().unwrap() as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        start + position["character"].as_u64().unwrap() as usize
    };
    let (start, end) = (
        offset(&edit["range"]["start"]),
        offset(&edit["range"]["end"]),
    );
    let new_text = edit["newText"].as_str().unwrap();
    let inserted = if item["insertTextFormat"] == 2 {
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let indent: String = text[line_start..]
            .chars()
            .take_while(|c| *c == ' ')
            .collect();
        unescape(new_text).replace('\n', &format!("\n{indent}"))
    } else {
        new_text.to_string()
    };
    format!("{}{inserted}{}", &text[..start], &text[end..])
}

#[test]
fn helix_inserts_the_whole_item_with_snippets_on_and_off() {
    let text = "class Store:\n    def total(self, items):\n\n    def other(self):\n        pass\n";
    let model_text = "\n        s = f\"${sum(items)}\"\n        return s\n";
    let whole = "class Store:\n    def total(self, items):\n        s = f\"${sum(items)}\"\n        return s\n\n    def other(self):\n        pass\n";
    for snippets in [true, false] {
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        let model = runtime.block_on(TestServer::start(vec![answer(model_text)]));
        let mut keel = start(snippets, &model);
        keel.open(PY, "python", text);
        // Helix asks again as the user types; each answer must come within the deadline
        // (400 ms by default), far inside Helix's 20 s request timeout.
        let deadline = Instant::now() + TIMEOUT;
        let item = loop {
            let asked = Instant::now();
            let list = keel
                .request(
                    "textDocument/completion",
                    json!({"textDocument": {"uri": PY}, "position": {"line": 1, "character": 27}}),
                )
                .expect("completion answers");
            assert!(
                asked.elapsed() < Duration::from_secs(5),
                "answered after {:?}",
                asked.elapsed()
            );
            if let Some(item) = list["items"].get(0) {
                break item.clone();
            }
            assert!(Instant::now() < deadline, "no item: {list}");
            assert_eq!(list["isIncomplete"], true, "{list}");
        };
        let format = if snippets { 2 } else { 1 };
        assert_eq!(item["insertTextFormat"], format, "{item}");
        assert_eq!(accept(text, &item), whole, "snippets: {snippets}");
    }
}

#[test]
fn helix_gets_pushed_diagnostics_and_a_quick_fix_at_the_start_of_the_line() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let model = runtime.block_on(TestServer::start(vec![answer("\n")]));
    let mut keel = start(true, &model);
    let text = "import requests\n\ndef fetch(url):\n    return requests.get(url)\n";
    keel.open(PY, "python", text);
    let published = keel
        .wait_notification("textDocument/publishDiagnostics", TIMEOUT)
        .expect("diagnostics are pushed to Helix, which does not pull them");
    let diagnostic = published["diagnostics"]
        .as_array()
        .and_then(|all| all.iter().find(|d| d["code"] == "py-http-no-timeout"))
        .unwrap_or_else(|| panic!("the missing timeout is flagged: {published}"))
        .clone();
    assert_eq!(diagnostic["range"]["start"]["line"], 3);
    // Helix's cursor is a one-character selection; at the line's start it touches no
    // diagnostic, so none is sent along.
    let actions = keel
        .request(
            "textDocument/codeAction",
            json!({
                "textDocument": {"uri": PY},
                "range": {"start": {"line": 3, "character": 0}, "end": {"line": 3, "character": 1}},
                "context": {"diagnostics": [], "triggerKind": 1},
            }),
        )
        .expect("code actions");
    let fix = actions
        .as_array()
        .and_then(|all| all.iter().find(|a| a["isPreferred"] == true))
        .unwrap_or_else(|| panic!("the fix is offered at the start of the line: {actions}"));
    let change = &fix["edit"]["documentChanges"][0];
    assert_eq!(change["textDocument"]["version"], 1);
    let edits: Vec<Value> = change["edits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| json!({"range": e["range"], "text": e["newText"]}))
        .collect();
    keel.change(PY, 2, Value::Array(edits));
    let fixed = keel.text(PY).unwrap();
    assert!(fixed.contains("requests.get(url, timeout="), "{fixed}");
    let after = loop {
        let published = keel
            .wait_notification("textDocument/publishDiagnostics", TIMEOUT)
            .expect("diagnostics after the fix");
        if published["version"] == 2 {
            break published;
        }
    };
    assert_eq!(after["diagnostics"], json!([]), "the finding is gone");
}

#[test]
fn the_helix_snippet_parses_and_runs_keel_after_the_main_servers() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../editors/helix/languages.toml");
    let text = std::fs::read_to_string(&path).expect("editors/helix/languages.toml");
    let config: toml::Table = toml::from_str(&text).expect("the snippet is valid TOML");
    let server = &config["language-server"]["keel"];
    let command = server["command"].as_str().expect("a command");
    assert_eq!(
        keel_e2e::keel_binary()
            .file_name()
            .and_then(|name| name.to_str()),
        Some(command),
        "the command is the binary `cargo install --path server` installs"
    );
    assert!(server["config"].is_table(), "settings go under config");
    let languages = config["language"].as_array().expect("[[language]] entries");
    for name in ["python", "rust"] {
        let language = languages
            .iter()
            .find(|language| language["name"].as_str() == Some(name))
            .unwrap_or_else(|| panic!("a [[language]] entry for {name}"));
        let servers: Vec<&str> = language["language-servers"]
            .as_array()
            .expect("language-servers")
            .iter()
            .filter_map(|server| server.as_str())
            .collect();
        assert_eq!(servers.last(), Some(&"keel"), "{name}: {servers:?}");
        assert!(servers.len() > 1, "{name} keeps its main server first");
    }
}
