//! The LSP session itself: handshake, encodings, shutdown, and bad input that must not
//! kill the server.

use keel_e2e::{Server, TIMEOUT, edit, utf8_client};
use serde_json::{Value, json};

#[test]
fn utf16_client_gets_utf16_and_only_working_capabilities() {
    let mut server = Server::start();
    let result = server.initialize_default();
    let capabilities = &result["capabilities"];
    assert_eq!(capabilities["positionEncoding"], "utf-16");
    assert_eq!(
        capabilities["textDocumentSync"]["change"], 2,
        "incremental sync"
    );
    assert_eq!(capabilities["textDocumentSync"]["openClose"], true);
    assert_eq!(
        capabilities["textDocumentSync"]["save"]["includeText"],
        true
    );
    assert_eq!(result["serverInfo"]["name"], "keel");
    assert!(server.shutdown().success());
}

#[test]
fn utf8_client_gets_utf8() {
    let mut server = Server::start();
    let result = server.initialize(utf8_client(), None, None);
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-8");
}

#[test]
fn client_offering_only_utf32_falls_back_to_utf16() {
    let mut server = Server::start();
    let result = server.initialize(
        json!({"general": {"positionEncodings": ["utf-32"]}}),
        None,
        None,
    );
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-16");
}

#[test]
fn serve_subcommand_speaks_lsp_and_exits_cleanly() {
    let mut server = Server::launch(keel_e2e::Launch {
        args: vec!["serve".into()],
        ..Default::default()
    });
    server.initialize_default();
    let status = server.shutdown();
    assert_eq!(status.code(), Some(0));
}

#[test]
fn garbage_json_gets_a_parse_error_and_the_server_keeps_serving() {
    let mut server = Server::start();
    server.initialize_default();
    let body = b"{this is not json";
    server.send_raw(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
    server.send_raw(body);
    server.open("file:///g.py", "python", "x = 1\n");
    assert_eq!(server.text("file:///g.py").unwrap(), "x = 1\n");
    assert!(server.is_alive());
    let parse_error = server
        .unparsed
        .iter()
        .find(|value| value["error"]["code"] == -32700);
    assert!(
        parse_error.is_some(),
        "the garbage got a JSON-RPC parse error: {:?}",
        server.unparsed
    );
}

/// A hostile or buggy client's broken frames must not cost the requests that follow them.
#[test]
fn after_a_broken_frame_the_server_resynchronises_on_the_next_header() {
    let mut server = Server::start();
    server.initialize_default();
    let body = br#"{"jsonrpc":"2.0","id":900,"method":"keel/status"}"#;
    // A length that is not a number, followed by a body.
    server.send_raw(b"Content-Length: abc\r\n\r\n");
    server.send_raw(body);
    server.open("file:///a.py", "python", "a = 1\n");
    assert_eq!(server.text("file:///a.py").unwrap(), "a = 1\n");
    // A declared length shorter than the body: its tail runs into the next header.
    server.send_raw(format!("Content-Length: {}\r\n\r\n", body.len() - 10).as_bytes());
    server.send_raw(body);
    server.open("file:///b.py", "python", "b = 2\n");
    assert_eq!(server.text("file:///b.py").unwrap(), "b = 2\n");
    // A header line that is not UTF-8.
    server.send_raw(b"X-Junk: \xff\xfe\r\n");
    server.open("file:///c.py", "python", "c = 3\n");
    assert_eq!(server.text("file:///c.py").unwrap(), "c = 3\n");
    assert!(server.is_alive());
}

#[test]
fn malformed_params_and_unknown_methods_get_errors_not_silence() {
    let mut server = Server::start();
    server.initialize_default();
    let err = server
        .request("keel/viewFileText", json!({"wrong": true}))
        .unwrap_err();
    assert_eq!(err.code, -32602, "invalid params: {err:?}");
    let err = server.request("keel/noSuchMethod", json!({})).unwrap_err();
    assert_eq!(err.code, -32601, "method not found: {err:?}");
    let err = server
        .request(
            "keel/viewFileText",
            json!({"textDocument": {"uri": "file:///never-opened.py"}}),
        )
        .unwrap_err();
    assert!(err.message.contains("not open"), "{}", err.message);
    // A request whose id has the wrong type is still a request: it gets an error.
    let body = br#"{"jsonrpc":"2.0","id":{"a":1},"method":"keel/status"}"#;
    server.send_raw(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
    server.send_raw(body);
    server.round_trip();
    assert!(
        server
            .unparsed
            .iter()
            .any(|reply| reply["id"].is_null() && reply["error"]["code"] == -32600),
        "{:?}",
        server.unparsed
    );
    // Notifications with bad params are dropped without killing the server.
    server.notify("textDocument/didChange", json!({"textDocument": 7}));
    server.open("file:///ok.rs", "rust", "fn main() {}\n");
    assert_eq!(server.text("file:///ok.rs").unwrap(), "fn main() {}\n");
}

/// Opens `uri`, sends a change that cannot apply, and returns the server with the document
/// out of sync.
fn out_of_sync(uri: &str, bad_change: Value, version: i32) -> Server {
    let mut server = Server::start();
    server.initialize_default();
    server.open(uri, "python", "def f():\n    return 1\n");
    server.change(uri, version, bad_change);
    server
}

#[test]
fn an_out_of_range_edit_is_rejected_once_and_the_save_resyncs() {
    let uri = "file:///range.py";
    let mut server = out_of_sync(uri, json!([edit((40, 0), (40, 3), "x")]), 2);
    let shown = server
        .wait_notification("window/showMessage", TIMEOUT)
        .expect("the user is told once");
    let message = shown["message"].as_str().unwrap();
    assert!(
        message.contains("out of sync") && message.contains("line 40"),
        "{message}"
    );
    let err = server.text(uri).unwrap_err();
    assert!(
        err.message.contains("save"),
        "the error says how to recover: {}",
        err.message
    );

    // More edits while out of sync are ignored, and nobody is told again.
    server.change(uri, 3, json!([edit((0, 0), (0, 0), "# hi\n")]));
    server.change(uri, 4, json!([edit((50, 0), (50, 0), "?")]));
    server.round_trip();
    let shown = server.seen("window/showMessage");
    assert_eq!(shown.len(), 1, "one message per outage: {shown:?}");

    // The editor's save carries the text: Keel resynchronises and edits apply again.
    let saved = "def f():\n    return 2\n";
    server.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri}, "text": saved}),
    );
    assert_eq!(server.text(uri).unwrap(), saved);
    server.change(uri, 5, json!([edit((1, 11), (1, 12), "3")]));
    assert_eq!(server.text(uri).unwrap(), "def f():\n    return 3\n");
    assert!(
        server.stderr().contains("out of sync"),
        "the rejection is logged"
    );
}

#[test]
fn a_version_going_backwards_is_rejected_and_a_full_change_resyncs() {
    let uri = "file:///version.py";
    let mut server = out_of_sync(uri, json!([edit((0, 0), (0, 0), "x")]), 0);
    let err = server.text(uri).unwrap_err();
    assert!(
        err.message.contains("older than the current version"),
        "{}",
        err.message
    );
    server.change(uri, 2, json!([{"text": "y = 2\n"}]));
    assert_eq!(server.text(uri).unwrap(), "y = 2\n");
}

#[test]
fn a_batch_with_one_bad_change_applies_none_of_it() {
    let uri = "file:///batch.py";
    let mut server = Server::start();
    server.initialize_default();
    server.open(uri, "python", "a = 1\n");
    server.change(
        uri,
        2,
        json!([edit((0, 0), (0, 0), "b = 0\n"), edit((0, 2), (9, 0), "")]),
    );
    server.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri}}),
    );
    // A save without text cannot resync: the document stays out of sync, not half-edited.
    assert!(server.text(uri).is_err());
    server.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri}, "text": "a = 1\n"}),
    );
    assert_eq!(server.text(uri).unwrap(), "a = 1\n");
}

#[test]
fn closed_documents_are_forgotten() {
    let uri = "file:///closed.rs";
    let mut server = Server::start();
    server.initialize_default();
    server.open(uri, "rust", "fn a() {}\n");
    assert!(server.text(uri).is_ok());
    server.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri}}),
    );
    assert!(server.text(uri).unwrap_err().message.contains("not open"));
}

#[test]
fn syntax_tree_is_served_for_grammars_and_null_otherwise() {
    let mut server = Server::start();
    server.initialize_default();
    server.open("file:///t.py", "python", "def f():\n    pass\n");
    server.open("file:///t.md", "markdown", "# title\n");
    let tree = server
        .syntax_tree("file:///t.py")
        .unwrap()
        .expect("python has a tree");
    assert!(tree.starts_with("(module (function_definition"), "{tree}");
    assert_eq!(server.syntax_tree("file:///t.md").unwrap(), None);
    assert_eq!(server.text("file:///t.md").unwrap(), "# title\n");
}

/// One LSP message in, its framed reply read back, over whatever `stream` is.
fn exchange(stream: &mut (impl std::io::Read + std::io::Write), body: &str) -> String {
    stream
        .write_all(format!("Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes())
        .unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        stream.read_exact(&mut byte).expect("a reply");
        head.push(byte[0]);
    }
    let length: usize = String::from_utf8_lossy(&head)
        .trim()
        .trim_start_matches("Content-Length:")
        .trim()
        .parse()
        .expect("a Content-Length header");
    let mut reply = vec![0u8; length];
    stream.read_exact(&mut reply).unwrap();
    String::from_utf8(reply).unwrap()
}

/// libuv-based editors (Neovim, VS Code's Node) give a language server a socket, not a
/// pipe, for its stdin and stdout.
#[test]
fn the_server_speaks_lsp_over_a_socket_as_its_stdin_and_stdout() {
    use std::os::fd::OwnedFd;
    use std::process::{Command, Stdio};
    let (mut ours, theirs) = std::os::unix::net::UnixStream::pair().unwrap();
    let theirs = OwnedFd::from(theirs);
    let mut child = Command::new(keel_e2e::keel_binary())
        .stdin(Stdio::from(theirs.try_clone().unwrap()))
        .stdout(Stdio::from(theirs))
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn keel");
    ours.set_read_timeout(Some(TIMEOUT)).unwrap();
    let reply = exchange(
        &mut ours,
        r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}"#,
    );
    assert!(reply.contains("\"capabilities\""), "{reply}");
    let reply = exchange(&mut ours, r#"{"jsonrpc":"2.0","id":2,"method":"shutdown"}"#);
    assert!(reply.contains("\"id\":2"), "{reply}");
    drop(ours);
    assert!(child.wait().unwrap().success());
}
