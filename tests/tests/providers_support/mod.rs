//! A real HTTP/1.1 server on 127.0.0.1 that stands in for a model API. Each test scripts
//! the replies byte by byte (so it can stall, cut a stream or send garbage) and reads back
//! the requests it received and when each connection was closed by the client.

#![allow(dead_code)] // each test binary uses a different part

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

/// Generous: a debug build on a slow, loaded 2-core machine.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// One step of a scripted reply.
#[derive(Debug, Clone)]
pub enum Act {
    Send(Vec<u8>),
    Sleep(Duration),
    /// Close the connection, whatever was promised.
    Close,
    /// Send nothing more and keep the connection open until the client leaves.
    Hang,
}

/// A scripted reply to one request.
#[derive(Debug, Clone)]
pub struct Reply(pub Vec<Act>);

impl Reply {
    /// A complete response with a body of known length.
    pub fn full(status: u16, headers: &[(&str, &str)], body: &str) -> Reply {
        Reply::bytes(status, headers, body.as_bytes())
    }

    pub fn bytes(status: u16, headers: &[(&str, &str)], body: &[u8]) -> Reply {
        let mut bytes = head(status, headers, body.len()).into_bytes();
        bytes.extend_from_slice(body);
        Reply(vec![Act::Send(bytes)])
    }

    /// Promises `body` in full but closes the connection halfway through it.
    pub fn truncated(body: &[u8]) -> Reply {
        let mut bytes = head(200, &[], body.len()).into_bytes();
        bytes.extend_from_slice(&body[..body.len() / 2]);
        Reply(vec![
            Act::Send(bytes),
            Act::Sleep(Duration::from_millis(50)),
            Act::Close,
        ])
    }

    pub fn json(body: &str) -> Reply {
        Reply::full(200, &[("content-type", "application/json")], body)
    }

    /// A chunked streaming response: the head, then each piece as one chunk with `delay`
    /// before it, then the end of the body.
    pub fn stream(content_type: &str, pieces: &[String], delay: Duration) -> Reply {
        let mut reply = Reply::stream_open(content_type, pieces, delay);
        reply.0.push(Act::Send(b"0\r\n\r\n".to_vec()));
        reply
    }

    /// Like `stream`, but the body never ends properly: the connection is closed after
    /// the pieces, as when a proxy or the server dies mid-answer.
    pub fn stream_cut(content_type: &str, pieces: &[String], delay: Duration) -> Reply {
        let mut reply = Reply::stream_open(content_type, pieces, delay);
        reply.0.push(Act::Close);
        reply
    }

    /// The pieces, then silence with the connection open.
    pub fn stream_stall(content_type: &str, pieces: &[String]) -> Reply {
        let mut reply = Reply::stream_open(content_type, pieces, Duration::ZERO);
        reply.0.push(Act::Hang);
        reply
    }

    fn stream_open(content_type: &str, pieces: &[String], delay: Duration) -> Reply {
        let mut head = status_line(200);
        head.push_str(&format!(
            "content-type: {content_type}\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n"
        ));
        let mut acts = vec![Act::Send(head.into_bytes())];
        for piece in pieces {
            if !delay.is_zero() {
                acts.push(Act::Sleep(delay));
            }
            acts.push(Act::Send(
                format!("{:x}\r\n{piece}\r\n", piece.len()).into_bytes(),
            ));
        }
        Reply(acts)
    }

    /// Accept the request and never answer.
    pub fn hang() -> Reply {
        Reply(vec![Act::Hang])
    }
}

fn head(status: u16, headers: &[(&str, &str)], length: usize) -> String {
    let mut head = status_line(status);
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!(
        "content-length: {length}\r\nconnection: close\r\n\r\n"
    ));
    head
}

fn status_line(status: u16) -> String {
    let reason = match status {
        200 => "OK",
        401 => "Unauthorized",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    };
    format!("HTTP/1.1 {status} {reason}\r\n")
}

/// SSE events (`event` name, or none, and `data`) as stream pieces.
pub fn sse(events: &[(Option<&str>, &str)]) -> Vec<String> {
    events
        .iter()
        .map(|(event, data)| match event {
            Some(event) => format!("event: {event}\ndata: {data}\n\n"),
            None => format!("data: {data}\n\n"),
        })
        .collect()
}

/// A streamed `/v1/chat/completions` (`openai`) answer in two chunks.
pub fn chat_answer(text: &str) -> Reply {
    let half = (0..=text.len() / 2)
        .rev()
        .find(|at| text.is_char_boundary(*at))
        .unwrap_or(0);
    let mut events: Vec<String> = [&text[..half], &text[half..]]
        .iter()
        .map(|piece| {
            serde_json::json!({"choices": [{"index": 0, "delta": {"content": piece}}]}).to_string()
        })
        .collect();
    events.push("[DONE]".into());
    let events: Vec<(Option<&str>, &str)> = events.iter().map(|e| (None, e.as_str())).collect();
    Reply::stream("text/event-stream", &sse(&events), Duration::from_millis(5))
}

/// A streamed `/v1/completions` (`openai-completions`) answer in three chunks.
pub fn answer(text: &str) -> Reply {
    answer_after(text, Duration::from_millis(5))
}

/// The same, with `delay` before each of its three chunks.
pub fn answer_after(text: &str, delay: Duration) -> Reply {
    let third = text.len() / 3;
    let cut = |at: usize| {
        (0..=at)
            .rev()
            .find(|i| text.is_char_boundary(*i))
            .unwrap_or(0)
    };
    let (a, b) = (cut(third), cut(2 * third));
    let mut events: Vec<String> = [&text[..a], &text[a..b], &text[b..]]
        .iter()
        .map(|piece| {
            serde_json::json!({"choices": [{"index": 0, "text": piece, "finish_reason": null}]})
                .to_string()
        })
        .collect();
    events.push("[DONE]".into());
    let events: Vec<(Option<&str>, &str)> = events.iter().map(|e| (None, e.as_str())).collect();
    Reply::stream("text/event-stream", &sse(&events), delay)
}

/// JSON lines as stream pieces.
pub fn ndjson(lines: &[&str]) -> Vec<String> {
    lines.iter().map(|line| format!("{line}\n")).collect()
}

/// A request as the server received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    pub path: String,
    /// Names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub at: Instant,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("the request body is JSON")
    }
}

pub struct TestServer {
    pub addr: SocketAddr,
    replies: Arc<Mutex<Vec<Reply>>>,
    received: Arc<Mutex<Vec<Received>>>,
    closed: mpsc::UnboundedReceiver<Instant>,
    task: tokio::task::JoinHandle<()>,
}

impl TestServer {
    /// Serves the replies in order, one per request; requests past the end get the last.
    pub async fn start(replies: Vec<Reply>) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("local address");
        let received = Arc::new(Mutex::new(Vec::new()));
        let replies = Arc::new(Mutex::new(replies));
        let (closed_tx, closed) = mpsc::unbounded_channel();
        let log = Arc::clone(&received);
        let script = Arc::clone(&replies);
        let task = tokio::spawn(async move {
            let mut served = 0;
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let reply = {
                    let replies = script.lock().expect("replies");
                    replies
                        .get(served)
                        .or(replies.last())
                        .cloned()
                        .unwrap_or_else(Reply::hang)
                };
                served += 1;
                tokio::spawn(serve(stream, reply, Arc::clone(&log), closed_tx.clone()));
            }
        });
        TestServer {
            addr,
            replies,
            received,
            closed,
            task,
        }
    }

    /// Adds a reply after those given at the start (for replies that need the URL).
    pub fn push(&self, reply: Reply) {
        self.replies.lock().expect("replies").push(reply);
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().expect("log").clone()
    }

    /// When the client closed a connection while the server still had more to send (or
    /// was waiting): how the server observes a cancelled request.
    pub async fn client_closed(&mut self) -> Instant {
        tokio::time::timeout(PATIENCE, self.closed.recv())
            .await
            .expect("the client never closed the connection")
            .expect("server running")
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// An address where nothing listens.
pub async fn closed_port() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("local address");
    drop(listener);
    format!("http://{addr}")
}

async fn serve(
    stream: TcpStream,
    reply: Reply,
    log: Arc<Mutex<Vec<Received>>>,
    closed: mpsc::UnboundedSender<Instant>,
) {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    let Some(request) = read_request(&mut reader).await else {
        return;
    };
    log.lock().expect("log").push(request);
    let client_gone = async {
        let mut byte = [0u8; 1];
        loop {
            match reader.read(&mut byte).await {
                Ok(0) | Err(_) => return Instant::now(),
                Ok(_) => {}
            }
        }
    };
    let script = async {
        for act in reply.0 {
            match act {
                Act::Send(bytes) => {
                    if write.write_all(&bytes).await.is_err() {
                        return;
                    }
                    let _ = write.flush().await;
                }
                Act::Sleep(pause) => tokio::time::sleep(pause).await,
                Act::Close => return,
                Act::Hang => std::future::pending::<()>().await,
            }
        }
    };
    tokio::select! {
        at = client_gone => {
            let _ = closed.send(at);
        }
        () = script => {}
    }
}

async fn read_request(reader: &mut BufReader<tokio::net::tcp::OwnedReadHalf>) -> Option<Received> {
    let mut line = String::new();
    reader.read_line(&mut line).await.ok()?;
    let at = Instant::now();
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let path = parts.next()?.to_string();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).await.ok()?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':')?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
    }
    let length = headers
        .iter()
        .find(|(name, _)| name == "content-length")
        .and_then(|(_, value)| value.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body).await.ok()?;
    Some(Received {
        method,
        path,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
        at,
    })
}

/// A model server that keeps connections open between requests (as real APIs do) and
/// answers every request with the same body after `delay`: for counting connections.
pub struct KeepAliveServer {
    pub addr: SocketAddr,
    pub connections: Arc<std::sync::atomic::AtomicUsize>,
    pub requests: Arc<std::sync::atomic::AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl KeepAliveServer {
    /// Answers with `body` in one write, its length announced.
    pub async fn start(content_type: &str, body: String, delay: Duration) -> KeepAliveServer {
        let head = format!(
            "{}content-type: {content_type}\r\ncontent-length: {}\r\n\r\n",
            status_line(200),
            body.len()
        );
        KeepAliveServer::serve(vec![format!("{head}{body}")], delay).await
    }

    /// Answers chunked, each of `pieces` written (and sent) on its own, as a model streams
    /// its answer.
    pub async fn streaming(
        content_type: &str,
        pieces: &[String],
        delay: Duration,
    ) -> KeepAliveServer {
        KeepAliveServer::serve(KeepAliveServer::chunked(content_type, pieces), delay).await
    }

    /// Like `streaming`, but each answer comes after a random delay up to `max_delay`, and
    /// `errors` in a hundred are a 500 instead: a model API having a bad day.
    pub async fn flaky(
        content_type: &str,
        pieces: &[String],
        max_delay: Duration,
        errors: u32,
        seed: u64,
    ) -> KeepAliveServer {
        let good = KeepAliveServer::chunked(content_type, pieces).concat();
        let bad = format!(
            "{}content-type: application/json\r\ncontent-length: 2\r\n\r\n{{}}",
            status_line(500)
        );
        let rng = Arc::new(Mutex::new(fastrand::Rng::with_seed(seed)));
        KeepAliveServer::serve_with(Arc::new(move || {
            let mut rng = rng.lock().expect("rng");
            let delay = max_delay.mul_f64(rng.f64());
            let answer = if rng.u32(..100) < errors { &bad } else { &good };
            (vec![answer.clone()], delay)
        }))
        .await
    }

    /// Answers `429 Too Many Requests` (asking for a second's wait) to everything until
    /// `until`, then streams `pieces`: a rate-limit storm that passes.
    pub async fn storm(
        content_type: &str,
        pieces: &[String],
        until: std::time::Instant,
    ) -> KeepAliveServer {
        let good = KeepAliveServer::chunked(content_type, pieces).concat();
        let body = r#"{"error":{"message":"rate limit reached"}}"#;
        let limited = format!(
            "{}retry-after: 1\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            status_line(429),
            body.len()
        );
        KeepAliveServer::serve_with(Arc::new(move || {
            let answer = if std::time::Instant::now() < until {
                &limited
            } else {
                &good
            };
            (vec![answer.clone()], Duration::ZERO)
        }))
        .await
    }

    fn chunked(content_type: &str, pieces: &[String]) -> Vec<String> {
        let mut writes = vec![format!(
            "{}content-type: {content_type}\r\ntransfer-encoding: chunked\r\n\r\n",
            status_line(200)
        )];
        writes.extend(
            pieces
                .iter()
                .map(|piece| format!("{:x}\r\n{piece}\r\n", piece.len())),
        );
        writes.push("0\r\n\r\n".to_string());
        writes
    }

    async fn serve(writes: Vec<String>, delay: Duration) -> KeepAliveServer {
        KeepAliveServer::serve_with(Arc::new(move || (writes.clone(), delay))).await
    }

    /// Serves each request with the writes and the delay `answer` gives.
    async fn serve_with(
        answer: Arc<dyn Fn() -> (Vec<String>, Duration) + Send + Sync>,
    ) -> KeepAliveServer {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("local address");
        let connections = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(AtomicUsize::new(0));
        let (opened, served) = (Arc::clone(&connections), Arc::clone(&requests));
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let _ = stream.set_nodelay(true);
                opened.fetch_add(1, Ordering::Relaxed);
                let (served, answer) = (Arc::clone(&served), Arc::clone(&answer));
                tokio::spawn(async move {
                    let (read, mut write) = stream.into_split();
                    let mut reader = BufReader::new(read);
                    while read_request(&mut reader).await.is_some() {
                        served.fetch_add(1, Ordering::Relaxed);
                        let (writes, delay) = answer();
                        if !delay.is_zero() {
                            tokio::time::sleep(delay).await;
                        }
                        for piece in &writes {
                            if write.write_all(piece.as_bytes()).await.is_err() {
                                return;
                            }
                        }
                    }
                });
            }
        });
        KeepAliveServer {
            addr,
            connections,
            requests,
            task,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for KeepAliveServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A model API over TLS that speaks only HTTP/2 (ALPN `h2`), with the test certificate of
/// `tests/fixtures/tls` (trust it with `SSL_CERT_FILE`, see `TlsServer::ca_file`). Every
/// request gets `first`, then nothing more with the stream left open: a model still
/// generating. Counts TCP connections, HTTP/2 requests, and streams the client reset.
pub struct TlsServer {
    pub addr: SocketAddr,
    pub connections: Arc<std::sync::atomic::AtomicUsize>,
    pub requests: Arc<std::sync::atomic::AtomicUsize>,
    pub reset: Arc<std::sync::atomic::AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl TlsServer {
    pub async fn start(content_type: &'static str, first: String) -> TlsServer {
        use futures_util::StreamExt as _;
        use hyper::body::{Bytes, Frame};
        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::{CertificateDer, PrivateKeyDer};
        use std::sync::atomic::{AtomicUsize, Ordering};

        let tls = TlsServer::fixtures();
        let certs = CertificateDer::pem_file_iter(tls.join("localhost.pem"))
            .expect("certificate")
            .collect::<Result<Vec<_>, _>>()
            .expect("certificate");
        let key = PrivateKeyDer::from_pem_file(tls.join("localhost.key")).expect("key");
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("protocol versions")
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .expect("server certificate");
        config.alpn_protocols = vec![b"h2".to_vec()];
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("local address");
        let connections = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(AtomicUsize::new(0));
        let reset = Arc::new(AtomicUsize::new(0));
        let (opened, served, cut) = (connections.clone(), requests.clone(), reset.clone());
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                opened.fetch_add(1, Ordering::Relaxed);
                let (acceptor, served, cut) = (acceptor.clone(), served.clone(), cut.clone());
                let first = Bytes::from(first.clone());
                tokio::spawn(async move {
                    let Ok(stream) = acceptor.accept(stream).await else {
                        return;
                    };
                    let service = hyper::service::service_fn(move |request| {
                        if request.version() == hyper::Version::HTTP_2 {
                            served.fetch_add(1, Ordering::Relaxed);
                        }
                        // Counts the stream's end when the client resets it: the body's
                        // stream is dropped then, never finished.
                        let guard = CountOnDrop(cut.clone());
                        let body = futures_util::stream::once(std::future::ready(Ok::<
                            _,
                            std::convert::Infallible,
                        >(
                            Frame::data(first.clone()),
                        )))
                        .chain(futures_util::stream::pending())
                        .map(move |frame| {
                            let _ = &guard;
                            frame
                        });
                        let response = hyper::Response::builder()
                            .header("content-type", content_type)
                            .body(http_body_util::StreamBody::new(body))
                            .expect("response");
                        std::future::ready(Ok::<_, std::convert::Infallible>(response))
                    });
                    let _ = hyper::server::conn::http2::Builder::new(
                        hyper_util::rt::TokioExecutor::new(),
                    )
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                    .await;
                });
            }
        });
        TlsServer {
            addr,
            connections,
            requests,
            reset,
            task,
        }
    }

    fn fixtures() -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/tls")
    }

    /// The certificate authority that signed the server's certificate.
    pub fn ca_file() -> std::path::PathBuf {
        TlsServer::fixtures().join("ca.pem")
    }

    pub fn url(&self) -> String {
        format!("https://{}", self.addr)
    }
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

struct CountOnDrop(Arc<std::sync::atomic::AtomicUsize>);

impl Drop for CountOnDrop {
    fn drop(&mut self) {
        self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
}
