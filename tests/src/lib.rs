//! End-to-end harness: spawns the real `keel` binary and speaks LSP over its stdio.
//!
//! Server-to-client requests (`client/registerCapability`, `window/workDoneProgress/create`,
//! ...) are answered (with `null` unless a test set an answer with `Server::answer`) and
//! recorded, so the server never waits on the test.
//! Every wait has a timeout: a hung server fails the test instead of hanging it.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use lsp_server::{Message, Notification, Request, RequestId, Response, ResponseError};
use serde_json::{Value, json};

/// Long enough for a debug build on a slow, loaded 2-core machine.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// The `keel` binary under test: `$KEEL_BIN`, or the one cargo built beside this test.
pub fn keel_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("KEEL_BIN") {
        return PathBuf::from(path);
    }
    let exe = std::env::current_exe().expect("the test binary has a path");
    // target/<profile>/deps/<test> -> target/<profile>/keel
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("test binary lives in target/<profile>/deps");
    let keel = profile_dir.join("keel");
    assert!(
        keel.exists(),
        "{} not found: build it first with `cargo build -p keel` (scripts/test does)",
        keel.display()
    );
    keel
}

/// A running `keel` and the client side of its LSP session.
pub struct Server {
    child: Child,
    /// `None` once the test closed it (an editor that went away).
    stdin: Option<ChildStdin>,
    incoming: Receiver<Incoming>,
    next_id: i32,
    /// Notifications received and not yet taken by `wait_notification`.
    notifications: VecDeque<Notification>,
    /// Every notification ever received, for assertions on counts.
    pub seen_notifications: Vec<Notification>,
    /// Requests the server sent to the client (already answered, see `answer`).
    pub server_requests: Vec<Request>,
    /// The client's answer per server-request method; `null` for any other method.
    answers: std::collections::HashMap<String, Value>,
    /// Responses that arrived while waiting for another one.
    responses: Vec<Response>,
    /// Well-framed JSON that is not a valid LSP message for the client library, such as the
    /// `id: null` error a server sends for a request it could not parse.
    pub unparsed: Vec<Value>,
    stderr: Arc<Mutex<String>>,
}

/// How to start the server.
#[derive(Default)]
pub struct Launch {
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    pub cwd: Option<PathBuf>,
}

impl Server {
    pub fn start() -> Server {
        Server::launch(Launch::default())
    }

    pub fn launch(launch: Launch) -> Server {
        let mut command = Command::new(keel_binary());
        command
            .args(&launch.args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(cwd) = &launch.cwd {
            command.current_dir(cwd);
        }
        for (key, value) in &launch.env {
            command.env(key, value);
        }
        let mut child = command.spawn().expect("spawn keel");
        let stdin = child.stdin.take().expect("piped stdin");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut stderr_pipe = child.stderr.take().expect("piped stderr");
        let (sender, incoming) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(body) = read_frame(&mut reader) {
                let incoming = match serde_json::from_value::<Message>(body.clone()) {
                    Ok(message) => Incoming::Message(message),
                    Err(_) => Incoming::Unparsed(body),
                };
                if sender.send(incoming).is_err() {
                    break;
                }
            }
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = stderr.clone();
        std::thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            while let Ok(read) = std::io::Read::read(&mut stderr_pipe, &mut buffer) {
                if read == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buffer[..read]));
            }
        });
        Server {
            child,
            stdin: Some(stdin),
            incoming,
            next_id: 1,
            notifications: VecDeque::new(),
            seen_notifications: Vec::new(),
            server_requests: Vec::new(),
            answers: std::collections::HashMap::new(),
            responses: Vec::new(),
            unparsed: Vec::new(),
            stderr,
        }
    }

    /// What the server wrote to stderr so far (its log).
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Waits until the server's log holds `needle` at least `times` times: for steps that
    /// show the client nothing.
    pub fn wait_log(&self, needle: &str, times: usize, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while self.stderr().matches(needle).count() < times {
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        true
    }

    /// `initialize` + `initialized` with the given client capabilities; returns the result.
    pub fn initialize(
        &mut self,
        capabilities: Value,
        options: Option<Value>,
        root: Option<&Path>,
    ) -> Value {
        let root_uri = root.map(file_uri);
        let folders = root_uri
            .as_ref()
            .map(|uri| json!([{"uri": uri, "name": "root"}]));
        let params = json!({
            "processId": std::process::id(),
            "rootUri": root_uri,
            "workspaceFolders": folders,
            "capabilities": capabilities,
            "initializationOptions": options,
        });
        let result = self
            .request("initialize", params)
            .expect("initialize succeeds");
        self.notify("initialized", json!({}));
        result
    }

    /// `initialize` as a utf-16-only client with no special capabilities.
    pub fn initialize_default(&mut self) -> Value {
        self.initialize(json!({}), None, None)
    }

    pub fn send(&mut self, message: Message) {
        message.write(self.input()).expect("write to keel's stdin");
    }

    /// Writes bytes as they are: for garbage and malformed frames.
    pub fn send_raw(&mut self, bytes: &[u8]) {
        let input = self.input();
        input.write_all(bytes).expect("write to keel's stdin");
        input.flush().expect("flush keel's stdin");
    }

    /// Closes keel's stdin, as an editor that exits (or crashes) without `shutdown` does.
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    fn input(&mut self) -> &mut ChildStdin {
        self.stdin
            .as_mut()
            .expect("keel's stdin was closed by the test")
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(Message::Notification(Notification {
            method: method.into(),
            params,
        }));
    }

    /// Sends a request without waiting; pair with `response`.
    pub fn request_async(&mut self, method: &str, params: Value) -> RequestId {
        let id = RequestId::from(self.next_id);
        self.next_id += 1;
        self.send(Message::Request(Request {
            id: id.clone(),
            method: method.into(),
            params,
        }));
        id
    }

    pub fn request(&mut self, method: &str, params: Value) -> Result<Value, ResponseError> {
        let id = self.request_async(method, params);
        self.response(&id, TIMEOUT)
    }

    /// Waits for the response to `id`.
    pub fn response(&mut self, id: &RequestId, timeout: Duration) -> Result<Value, ResponseError> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(index) = self
                .responses
                .iter()
                .position(|response| &response.id == id)
            {
                let response = self.responses.remove(index);
                return match response.error {
                    Some(error) => Err(error),
                    None => Ok(response.result.unwrap_or(Value::Null)),
                };
            }
            let message = self.next_message(deadline).unwrap_or_else(|| {
                panic!(
                    "no response to request {id:?} within {timeout:?}; server log:\n{}",
                    self.stderr()
                )
            });
            self.file(message);
        }
    }

    /// Reads what the server sent until `until` (nothing is waited for past it), then hands
    /// out every response received so far, with the time each was read: for clients that
    /// keep many requests in flight.
    pub fn responses_until(
        &mut self,
        until: Instant,
    ) -> Vec<(RequestId, Result<Value, ResponseError>, Instant)> {
        let outcome = |response: Response| match response.error {
            Some(error) => Err(error),
            None => Ok(response.result.unwrap_or(Value::Null)),
        };
        let now = Instant::now();
        let mut out: Vec<_> = self
            .responses
            .drain(..)
            .map(|response| (response.id.clone(), outcome(response), now))
            .collect();
        while let Some(message) = self.next_message(until) {
            match message {
                Message::Response(response) => {
                    out.push((response.id.clone(), outcome(response), Instant::now()));
                }
                other => self.file(other),
            }
        }
        out
    }

    /// Waits for the next notification named `method` (including ones already received).
    pub fn wait_notification(&mut self, method: &str, timeout: Duration) -> Option<Value> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(index) = self.notifications.iter().position(|n| n.method == method) {
                return self.notifications.remove(index).map(|n| n.params);
            }
            let message = self.next_message(deadline)?;
            self.file(message);
        }
    }

    /// Waits for the next notification named `method` whose params satisfy `wanted`
    /// (including ones already received); the others stay queued.
    pub fn wait_notification_where(
        &mut self,
        method: &str,
        timeout: Duration,
        wanted: impl Fn(&Value) -> bool,
    ) -> Option<Value> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(index) = self
                .notifications
                .iter()
                .position(|n| n.method == method && wanted(&n.params))
            {
                return self.notifications.remove(index).map(|n| n.params);
            }
            let message = self.next_message(deadline)?;
            self.file(message);
        }
    }

    /// Sends a cheap request and waits for its answer. The server handles messages in the
    /// order they come, so once it answers, whatever the messages sent before it made it
    /// send is here: call this before asserting that something did *not* happen.
    pub fn round_trip(&mut self) {
        let params = json!({"textDocument": {"uri": "file:///keel-e2e/round-trip"}});
        // The document is not open: the answer is an error, and that is all we need.
        let _ = self.request("keel/viewFileText", params);
    }

    /// The notifications named `method` received so far in the whole session.
    pub fn seen(&self, method: &str) -> Vec<Value> {
        self.seen_notifications
            .iter()
            .filter(|n| n.method == method)
            .map(|n| n.params.clone())
            .collect()
    }

    fn next_message(&mut self, deadline: Instant) -> Option<Message> {
        loop {
            let wait = deadline.saturating_duration_since(Instant::now());
            match self.incoming.recv_timeout(wait) {
                Ok(Incoming::Message(message)) => return Some(message),
                Ok(Incoming::Unparsed(value)) => self.unparsed.push(value),
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => return None,
            }
        }
    }

    fn file(&mut self, message: Message) {
        match message {
            Message::Response(response) => self.responses.push(response),
            Message::Notification(notification) => {
                self.seen_notifications.push(notification.clone());
                self.notifications.push_back(notification);
            }
            Message::Request(request) => {
                let answer = self.answers.get(&request.method).cloned();
                let reply = Response {
                    id: request.id.clone(),
                    result: Some(answer.unwrap_or(Value::Null)),
                    error: None,
                };
                self.server_requests.push(request);
                self.send(Message::Response(reply));
            }
        }
    }

    /// From now on, answer the server's `method` requests with `result` (like a user
    /// choosing "Download" in a `window/showMessageRequest`).
    pub fn answer(&mut self, method: &str, result: Value) {
        self.answers.insert(method.to_string(), result);
    }

    /// Waits for the server to send a request named `method` to the client.
    pub fn wait_server_request(&mut self, method: &str, timeout: Duration) -> Option<Value> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(request) = self.server_requests.iter().find(|r| r.method == method) {
                return Some(request.params.clone());
            }
            let message = self.next_message(deadline)?;
            self.file(message);
        }
    }

    pub fn open(&mut self, uri: &str, language_id: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": language_id, "version": 1, "text": text}}),
        );
    }

    /// Sends one `didChange` with the given `contentChanges`.
    pub fn change(&mut self, uri: &str, version: i32, changes: Value) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": changes}),
        );
    }

    /// The server's copy of a document (`keel/viewFileText`).
    pub fn text(&mut self, uri: &str) -> Result<String, ResponseError> {
        self.request("keel/viewFileText", json!({"textDocument": {"uri": uri}}))
            .map(|value| {
                value
                    .as_str()
                    .expect("viewFileText returns a string")
                    .to_string()
            })
    }

    /// The server's syntax tree as an S-expression (`keel/viewSyntaxTree`).
    pub fn syntax_tree(&mut self, uri: &str) -> Result<Option<String>, ResponseError> {
        self.request("keel/viewSyntaxTree", json!({"textDocument": {"uri": uri}}))
            .map(|value| value.as_str().map(str::to_string))
    }

    /// `shutdown` then `exit`; returns the exit status.
    pub fn shutdown(mut self) -> ExitStatus {
        self.request("shutdown", Value::Null)
            .expect("shutdown succeeds");
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait for keel") {
                return status;
            }
            assert!(Instant::now() < deadline, "keel did not exit after `exit`");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Whether the process is still running.
    pub fn is_alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

enum Incoming {
    Message(Message),
    Unparsed(Value),
}

/// Reads one `Content-Length` frame and parses its body as JSON; `None` at end of stream.
fn read_frame(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(value) = line.strip_prefix("Content-Length: ") {
            length = value.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A team rule (`team-no-print`, flagging `print(...)` in Python) as a workspace keeps it
/// in `.keel/rules/`.
pub const TEAM_RULE: &str = include_str!("../fixtures/team-rules/team-no-print.toml");

/// `$XDG_CACHE_HOME`, else `~/.cache`: where the scripts put what tests download.
pub fn user_cache_dir() -> PathBuf {
    std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))
        .expect("XDG_CACHE_HOME or HOME is set")
}

/// A `file://` URI for an absolute path.
pub fn file_uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// An LSP range change as JSON.
pub fn edit(start: (u32, u32), end: (u32, u32), text: &str) -> Value {
    json!({
        "range": {"start": {"line": start.0, "character": start.1}, "end": {"line": end.0, "character": end.1}},
        "text": text,
    })
}

/// Client capabilities offering utf-8 (and utf-16) position encodings.
pub fn utf8_client() -> Value {
    json!({"general": {"positionEncodings": ["utf-8", "utf-16"]}})
}

/// A fresh empty directory under the system temp dir, removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("keel-e2e-{name}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("create temp dir");
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Copies the directory tree `from` (a fixture) to `to`.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}
