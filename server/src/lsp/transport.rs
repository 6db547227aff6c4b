//! Framing between stdio and tower-lsp-server.
//!
//! tower-lsp-server's reader ends its input stream at the first frame it cannot decode
//! (tokio-util's `FramedRead` stops after an error), after which no request is answered.
//! So every frame is checked here first: well-formed JSON-RPC goes through; anything else is
//! answered here with a JSON-RPC error and logged, and the session goes on. Replies are
//! written to stdout a whole frame at a time, so they never interleave.

use serde_json::{Value, json};
use tokio::io::{
    AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader,
    DuplexStream,
};
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};
use tower_lsp_server::jsonrpc;
use tracing::error;

/// Large enough that a normal message passes in one write.
const PIPE_BYTES: usize = 1 << 16;

/// Largest message accepted; a bigger frame is skipped and answered with an error instead
/// of exhausting memory.
const MAX_FRAME_BYTES: usize = 256 << 20;

/// The pipes tower-lsp-server reads and writes, and the task that writes to the client.
pub struct Pipes {
    pub server_input: DuplexStream,
    pub server_output: DuplexStream,
    /// Finishes once the server's output is closed and everything is written.
    pub writer: tokio::task::JoinHandle<()>,
}

/// Connects `input`/`output` (stdio) to the returned pipes through the checking layer.
pub fn connect(
    input: impl AsyncRead + Unpin + Send + 'static,
    output: impl AsyncWrite + Unpin + Send + 'static,
) -> Pipes {
    let (server_input, to_server) = tokio::io::duplex(PIPE_BYTES);
    let (server_output, from_server) = tokio::io::duplex(PIPE_BYTES);
    let (outgoing, mut frames) = unbounded_channel::<Vec<u8>>();
    tokio::spawn(read_client(
        BufReader::new(input),
        to_server,
        outgoing.clone(),
    ));
    tokio::spawn(read_server(BufReader::new(from_server), outgoing));
    let writer = tokio::spawn(async move {
        let mut output = output;
        // An empty frame marks the end of the server's output; the client reader may still be
        // blocked on stdin, so its sender cannot be what ends this loop.
        while let Some(frame) = frames.recv().await.filter(|frame| !frame.is_empty()) {
            if output.write_all(&frame).await.is_err() || output.flush().await.is_err() {
                return;
            }
        }
    });
    Pipes {
        server_input,
        server_output,
        writer,
    }
}

/// One frame's body, or why there is none.
enum Body {
    Bytes(Vec<u8>),
    /// Skipped (bad header or too large); the reply, if one is due.
    Skipped(Option<Value>),
    End,
}

async fn read_client(
    mut input: impl AsyncBufRead + Unpin,
    mut to_server: DuplexStream,
    outgoing: UnboundedSender<Vec<u8>>,
) {
    loop {
        let reply = match read_body(&mut input).await {
            Body::Bytes(body) => match check(&body) {
                None => {
                    let body = drop_empty_params(body);
                    if to_server.write_all(&frame(&body)).await.is_err() {
                        return;
                    }
                    continue;
                }
                Some(reply) => reply,
            },
            Body::Skipped(reply) => reply,
            Body::End => return, // Dropping `to_server` ends the session, as EOF should.
        };
        if let Some(reply) = reply {
            let _ = outgoing.send(frame(reply.to_string().as_bytes()));
        }
    }
}

async fn read_server(
    mut from_server: impl AsyncBufRead + Unpin,
    outgoing: UnboundedSender<Vec<u8>>,
) {
    loop {
        match read_body(&mut from_server).await {
            Body::Bytes(body) => {
                if outgoing.send(frame(&body)).is_err() {
                    return;
                }
            }
            Body::Skipped(_) => {}
            Body::End => {
                let _ = outgoing.send(Vec::new());
                return;
            }
        }
    }
}

async fn read_body(input: &mut (impl AsyncBufRead + Unpin)) -> Body {
    let mut length: Option<Result<usize, String>> = None;
    loop {
        let mut raw = Vec::new();
        match input.read_until(b'\n', &mut raw).await {
            Ok(0) | Err(_) => return Body::End,
            Ok(_) => {}
        }
        // Bytes, not a String: a header line that is not UTF-8 is junk to skip, not the end
        // of the session.
        let line = String::from_utf8_lossy(&raw);
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            if length.is_some() {
                break;
            }
            continue; // Stray blank lines between frames.
        }
        // After a broken frame (a header that was not a number, a declared length shorter
        // than its body) the rest of that body runs into the next frame's header line, which
        // then reads `...}Content-Length: 52`. Resynchronise on the header wherever it starts.
        let Some(start) = header_start(line) else {
            continue;
        };
        if start > 0 {
            error!("skipped {start} bytes that were not part of any frame");
        }
        if let Some((_, value)) = line[start..].split_once(':') {
            length = Some(
                value
                    .trim()
                    .parse::<usize>()
                    .map_err(|_| value.trim().to_string()),
            );
        }
    }
    match length {
        Some(Ok(length)) if length <= MAX_FRAME_BYTES => {
            let mut body = vec![0; length];
            match input.read_exact(&mut body).await {
                Ok(_) => Body::Bytes(body),
                Err(_) => Body::End,
            }
        }
        Some(Ok(length)) => {
            error!(
                "skipping a {length}-byte message: larger than the {MAX_FRAME_BYTES}-byte limit"
            );
            match tokio::io::copy(&mut input.take(length as u64), &mut tokio::io::sink()).await {
                Ok(copied) if copied as usize == length => Body::Skipped(Some(error_reply(
                    Value::Null,
                    -32600,
                    "Invalid request: message too large",
                ))),
                _ => Body::End,
            }
        }
        Some(Err(value)) => {
            error!("bad Content-Length header {value:?}; skipping to the next frame");
            // The body's length is unknown, so neither is its id: the client still learns
            // that a message was dropped.
            Body::Skipped(Some(error_reply(
                Value::Null,
                -32600,
                "Invalid request: the Content-Length header is not a number",
            )))
        }
        None => Body::Skipped(None),
    }
}

/// Where a `Content-Length` header starts in `line`, ignoring case; other headers
/// (`Content-Type`) and junk are `None`.
fn header_start(line: &str) -> Option<usize> {
    const NAME: &str = "content-length";
    line.as_bytes()
        .windows(NAME.len())
        .position(|window| window.eq_ignore_ascii_case(NAME.as_bytes()))
        .filter(|&start| line[start + NAME.len()..].trim_start().starts_with(':'))
}

/// Keel's own requests that take no params. tower-lsp-server accepts only absent or `null`
/// params for them, but Neovim sends `[]` for an empty table and other clients `{}`.
const WITHOUT_PARAMS: &[&str] = &["keel/status"];

/// Larger than any request in `WITHOUT_PARAMS` can be: bigger frames (documents' text) are
/// not parsed a second time.
const SMALL_FRAME_BYTES: usize = 512;

/// The body with empty `[]`/`{}` params removed from a request in `WITHOUT_PARAMS`.
fn drop_empty_params(body: Vec<u8>) -> Vec<u8> {
    // Looked for before parsing: every small request (a completion) passes here.
    let names_one = |body: &[u8]| {
        WITHOUT_PARAMS.iter().any(|method| {
            body.windows(method.len())
                .any(|window| window == method.as_bytes())
        })
    };
    if body.len() > SMALL_FRAME_BYTES || !names_one(&body) {
        return body;
    }
    let Ok(request) = serde_json::from_slice::<jsonrpc::Request>(&body) else {
        return body;
    };
    let empty = match request.params() {
        Some(Value::Array(items)) => items.is_empty(),
        Some(Value::Object(members)) => members.is_empty(),
        _ => false,
    };
    if !empty || !WITHOUT_PARAMS.contains(&request.method()) {
        return body;
    }
    let (method, id, _) = request.into_parts();
    let mut rebuilt = jsonrpc::Request::build(method);
    if let Some(id) = id {
        rebuilt = rebuilt.id(id);
    }
    serde_json::to_vec(&rebuilt.finish()).unwrap_or(body)
}

/// `None` when tower-lsp-server can decode the body; otherwise the reply JSON-RPC gives
/// (-32700 parse error, -32600 invalid request; none for a notification).
fn check(body: &[u8]) -> Option<Option<Value>> {
    if serde_json::from_slice::<jsonrpc::Request>(body).is_ok()
        || serde_json::from_slice::<jsonrpc::Response>(body).is_ok()
    {
        return None;
    }
    let value: Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(err) => {
            error!("received a message that is not JSON ({err}); answered with a parse error");
            return Some(Some(error_reply(
                Value::Null,
                -32700,
                &format!("Parse error: {err}"),
            )));
        }
    };
    let id = value
        .get("id")
        .cloned()
        .filter(|id| id.is_number() || id.is_string());
    error!(
        "received JSON that is not a JSON-RPC 2.0 message; answered with an invalid-request error"
    );
    // A notification has no `id` member at all; an id of the wrong type (an object, an
    // array) still marks a request, which is owed an error.
    if value.get("id").is_none() && value.get("method").is_some() {
        return Some(None);
    }
    Some(Some(error_reply(
        id.unwrap_or(Value::Null),
        -32600,
        "Invalid request: not a JSON-RPC 2.0 message",
    )))
}

fn error_reply(id: Value, code: i64, message: &str) -> Value {
    json!({"jsonrpc": "2.0", "error": {"code": code, "message": message}, "id": id})
}

fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}
