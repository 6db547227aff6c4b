//! A panic inside Keel costs only the work it happened in: the request gets a JSON-RPC
//! error, the log gets one report, and the session goes on with its documents in sync.
//! `keel/debugPanic` exists only in debug builds (the ones `cargo test` builds), so these
//! tests are compiled only there.
#![cfg(debug_assertions)]

use keel_e2e::{Server, TIMEOUT, edit};
use serde_json::json;

const HANDLER: &str = "import requests\n\ndef fetch(url):\n    return requests.get(url)\n";

#[test]
fn a_panic_anywhere_fails_only_its_request_and_is_reported_once() {
    // The default log level: what an editor's log shows a user.
    let mut server = Server::start();
    server.initialize_default();
    let uri = "file:///service.py";
    server.open(uri, "python", HANDLER);
    let mut expected = HANDLER.to_string();
    let mut version = 1;
    let sites = ["handler", "backgroundPool", "task"];
    for (done, site) in sites.iter().enumerate() {
        // Edits on both sides of the panicking request, sent without waiting: they are
        // applied while it fails.
        version += 1;
        server.change(uri, version, json!([edit((0, 0), (0, 0), "# a\n")]));
        let id = server.request_async("keel/debugPanic", json!({"in": site}));
        version += 1;
        server.change(uri, version, json!([edit((0, 0), (0, 0), "# b\n")]));
        expected.insert_str(0, "# b\n# a\n");

        let error = server
            .response(&id, TIMEOUT)
            .expect_err("a request whose work panicked is answered with an error");
        assert_eq!(error.code, -32603, "internal error ({site}): {error:?}");
        assert!(
            server.wait_log("Keel panicked at", done + 1, TIMEOUT),
            "the panic in the {site} is reported; log:\n{}",
            server.stderr()
        );
        assert_eq!(
            server.text(uri).unwrap(),
            expected,
            "in sync after the {site}"
        );
    }

    // Still serving, background pool included: the rule check of the edited document runs
    // and finds the call without a timeout.
    let report = server
        .request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": uri}}),
        )
        .expect("diagnostics after the panics");
    assert!(
        report["items"]
            .as_array()
            .is_some_and(|items| !items.is_empty()),
        "{report}"
    );

    let log = server.stderr();
    assert_eq!(
        log.matches("panicked").count(),
        sites.len(),
        "one report per panic, none from Rust's default panic hook:\n{log}"
    );
    assert_eq!(
        log.lines().filter(|line| line.contains("ERROR")).count(),
        sites.len(),
        "no second error-level line per panic:\n{log}"
    );
    assert!(
        !log.contains("panicking as asked"),
        "a panic's message can quote source text: it stays at debug level:\n{log}"
    );
    assert_eq!(server.shutdown().code(), Some(0));
}

#[test]
fn the_panic_message_and_place_are_in_the_debug_log() {
    let mut server = Server::launch(keel_e2e::Launch {
        env: vec![("KEEL_LOG".into(), "debug".into())],
        ..Default::default()
    });
    server.initialize_default();
    let _ = server.request("keel/debugPanic", json!({"in": "handler"}));
    assert!(
        server.wait_log(
            "panic message: keel/debugPanic: panicking as asked",
            1,
            TIMEOUT
        ),
        "{}",
        server.stderr()
    );
    assert!(server.stderr().contains("panics.rs"), "{}", server.stderr());
}
