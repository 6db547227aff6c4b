//! Streamed answers on the wire: server-sent events or JSON lines, cut into frames, each
//! decoded by its provider into text. Whatever the server sends, the result is text or one
//! clear error; the circuit breaker hears how each stream ended.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use eventsource_stream::{EventStreamError, Eventsource};
use futures_util::stream::{self, BoxStream};
use futures_util::{Stream, StreamExt};
use reqwest::Response;
use serde::de::DeserializeOwned;

use super::TextStream;
use super::error::{ErrorKind, ProviderError, excerpt};
use super::http::{Api, chain};

/// How much of the start of a body is kept to show in an error.
const HEAD_LIMIT: usize = 400;

/// How long the rest of a stream its reader stopped early (the suggestion was complete, or
/// the request was cancelled) is read and thrown away, so that its HTTP/1.1 connection
/// serves the next request instead of closing: long enough for what the server has sent
/// or is about to (the last text, usage, `[DONE]`), short enough that a local server still
/// generating is soon cut off, as closing the connection is what stops it. Over HTTP/2 a
/// dropped stream is reset and the connection kept, so nothing is read there.
const DRAIN_WINDOW: Duration = Duration::from_millis(50);
/// At most this many frames are read so: a server that streams without end is cut off.
const DRAIN_FRAMES: usize = 256;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Framing {
    /// `text/event-stream`: `event:` and `data:` lines.
    Sse,
    /// One JSON document per line.
    Ndjson,
}

impl Framing {
    fn describe(self) -> &'static str {
        match self {
            Framing::Sse => "a server-sent event stream",
            Framing::Ndjson => "a stream of JSON lines",
        }
    }
}

/// One unit of a stream: an SSE event (name and data) or one JSON line (no name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Frame {
    pub(crate) event: String,
    pub(crate) data: String,
}

/// Where a frame leaves the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum End {
    /// More is coming.
    No,
    /// The model has finished; the server may still send trailing frames (usage, [DONE]),
    /// so a clean end of the body after this is a success.
    Finished,
    /// This is the last frame.
    Done,
}

/// What a frame holds for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Piece {
    pub(crate) text: String,
    pub(crate) end: End,
}

impl Piece {
    pub(crate) fn text(text: String) -> Self {
        Piece { text, end: End::No }
    }

    pub(crate) fn skip() -> Self {
        Piece::text(String::new())
    }

    pub(crate) fn end(end: End) -> Self {
        Piece {
            text: String::new(),
            end,
        }
    }
}

/// Why a frame could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Fault {
    /// Not the shape the API promises: why not.
    Malformed(String),
    /// The API itself reported an error: its message.
    Api(String),
}

/// A provider's reading of one frame. Unknown fields and events are skipped, so a newer
/// server version does not break an older Keel.
pub(crate) type Decode = fn(&Frame) -> Result<Piece, Fault>;

/// Parses a frame's data, turning serde's complaint into a `Fault`.
pub(crate) fn json<T: DeserializeOwned>(data: &str) -> Result<T, Fault> {
    serde_json::from_str(data).map_err(|err| Fault::Malformed(err.to_string()))
}

enum FrameError {
    Transport(reqwest::Error),
    Malformed(String),
}

pub(crate) fn decode(
    api: Arc<Api>,
    url: String,
    response: Response,
    framing: Framing,
    decode: Decode,
) -> TextStream {
    let head = Arc::new(Mutex::new(String::new()));
    let seen = Arc::clone(&head);
    let drain = response.version() < reqwest::Version::HTTP_2;
    let bytes = response.bytes_stream().inspect(move |chunk| {
        if let Ok(chunk) = chunk
            && let Ok(mut head) = seen.lock()
            && head.len() < HEAD_LIMIT
        {
            head.push_str(&String::from_utf8_lossy(chunk));
        }
    });
    let frames: BoxStream<'static, Result<Frame, FrameError>> = match framing {
        Framing::Sse => bytes
            .eventsource()
            .map(|event| match event {
                Ok(event) => Ok(Frame {
                    event: event.event,
                    data: event.data,
                }),
                Err(EventStreamError::Transport(err)) => Err(FrameError::Transport(err)),
                Err(EventStreamError::Utf8(err)) => Err(FrameError::Malformed(err.to_string())),
                Err(EventStreamError::Parser(err)) => Err(FrameError::Malformed(err.to_string())),
            })
            .boxed(),
        Framing::Ndjson => lines(bytes).boxed(),
    };
    let reader = Reader {
        api,
        url,
        framing,
        decode,
        frames,
        head,
        decoded: 0,
        chunks: 0,
        finished: false,
        over: false,
        drain,
        eof: false,
    };
    Box::pin(stream::unfold(reader, |mut reader| async move {
        let item = reader.next().await?;
        Some((item, reader))
    }))
}

struct Reader {
    api: Arc<Api>,
    url: String,
    framing: Framing,
    decode: Decode,
    frames: BoxStream<'static, Result<Frame, FrameError>>,
    /// The start of the body, for errors about garbage.
    head: Arc<Mutex<String>>,
    /// Frames read so far: none means the body was never the stream it should be.
    decoded: usize,
    chunks: usize,
    finished: bool,
    over: bool,
    /// Whether a stream dropped before its end is read on (`DRAIN_WINDOW`).
    drain: bool,
    /// The body has ended. Until then its connection is busy, even after the model's last
    /// frame (`[DONE]` comes before the end of a chunked body).
    eof: bool,
}

impl Drop for Reader {
    fn drop(&mut self) {
        if self.eof || !self.drain {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let mut frames = std::mem::replace(&mut self.frames, stream::empty().boxed());
        runtime.spawn(async move {
            let rest = async {
                let mut read = 0;
                while let Some(Ok(_)) = frames.next().await {
                    read += 1;
                    if read == DRAIN_FRAMES {
                        break;
                    }
                }
            };
            // Past the window `frames` is dropped with the connection, as before.
            let _ = tokio::time::timeout(DRAIN_WINDOW, rest).await;
        });
    }
}

impl Reader {
    async fn next(&mut self) -> Option<Result<String, ProviderError>> {
        while !self.over {
            let frame = match self.frames.next().await {
                Some(Ok(frame)) => frame,
                Some(Err(FrameError::Transport(err))) => {
                    let error = self.api.transport_error(&self.url, &err);
                    let error = match error.kind {
                        ErrorKind::Timeout => error,
                        _ => self.fail(
                            ErrorKind::Interrupted,
                            format!(
                                "the stream broke off after {} chunks: {}",
                                self.chunks,
                                chain(&err)
                            ),
                        ),
                    };
                    return Some(Err(self.finish_with(error)));
                }
                Some(Err(FrameError::Malformed(reason))) => {
                    let error = self.fail(
                        ErrorKind::Malformed,
                        format!(
                            "the answer is not {} ({reason}); received {}",
                            self.framing.describe(),
                            self.head_excerpt()
                        ),
                    );
                    return Some(Err(self.finish_with(error)));
                }
                None => {
                    self.eof = true;
                    return self.end_of_body();
                }
            };
            self.decoded += 1;
            match (self.decode)(&frame) {
                Ok(piece) => {
                    match piece.end {
                        End::No => {}
                        End::Finished => self.finished = true,
                        End::Done => {
                            self.over = true;
                            self.api.record_success();
                        }
                    }
                    if !piece.text.is_empty() {
                        self.chunks += 1;
                        return Some(Ok(piece.text));
                    }
                }
                Err(fault) => {
                    let (kind, message) = match fault {
                        Fault::Malformed(reason) => (
                            ErrorKind::Malformed,
                            format!(
                                "cannot read a {} stream chunk ({reason}); received {}",
                                self.api.provider,
                                excerpt(&frame.data, 200)
                            ),
                        ),
                        Fault::Api(message) => (
                            ErrorKind::Api,
                            format!("the API reported an error mid-stream: {message}"),
                        ),
                    };
                    let error = self.fail(kind, message);
                    return Some(Err(self.finish_with(error)));
                }
            }
        }
        None
    }

    /// The body ended: fine if the model said it had finished, else the stream was cut.
    fn end_of_body(&mut self) -> Option<Result<String, ProviderError>> {
        self.over = true;
        if self.finished {
            self.api.record_success();
            return None;
        }
        let error = if self.decoded == 0 {
            self.fail(
                ErrorKind::Malformed,
                format!(
                    "the answer is not {}; received {}",
                    self.framing.describe(),
                    self.head_excerpt()
                ),
            )
        } else if self.chunks == 0 {
            self.fail(
                ErrorKind::Interrupted,
                format!(
                    "the stream ended before the model finished, with no text; received {}",
                    self.head_excerpt()
                ),
            )
        } else {
            self.fail(
                ErrorKind::Interrupted,
                format!(
                    "the stream ended after {} chunks, before the model finished",
                    self.chunks
                ),
            )
        };
        Some(Err(self.finish_with(error)))
    }

    fn fail(&self, kind: ErrorKind, message: String) -> ProviderError {
        self.api.error(&self.url, kind, message)
    }

    fn finish_with(&mut self, error: ProviderError) -> ProviderError {
        self.over = true;
        self.api.record_failure(&error);
        error
    }

    fn head_excerpt(&self) -> String {
        match self.head.lock() {
            Ok(head) if !head.trim().is_empty() => excerpt(&head, 200),
            _ => "nothing".to_string(),
        }
    }
}

/// Splits a body into its non-empty lines, as frames without an event name.
fn lines(
    bytes: impl Stream<Item = reqwest::Result<Bytes>> + Send + 'static,
) -> impl Stream<Item = Result<Frame, FrameError>> + Send {
    let state = (Box::pin(bytes), Vec::<u8>::new(), false);
    stream::unfold(state, |(mut bytes, mut buffer, mut eof)| async move {
        loop {
            let line = match buffer.iter().position(|byte| *byte == b'\n') {
                Some(end) => Some(buffer.drain(..=end).collect::<Vec<u8>>()),
                None if eof && !buffer.is_empty() => Some(std::mem::take(&mut buffer)),
                None if eof => return None,
                None => None,
            };
            if let Some(line) = line {
                let data = String::from_utf8_lossy(&line).trim().to_string();
                if data.is_empty() {
                    continue;
                }
                let frame = Frame {
                    event: String::new(),
                    data,
                };
                return Some((Ok(frame), (bytes, buffer, eof)));
            }
            match bytes.next().await {
                Some(Ok(chunk)) => buffer.extend_from_slice(&chunk),
                Some(Err(err)) => {
                    return Some((Err(FrameError::Transport(err)), (bytes, buffer, true)));
                }
                None => eof = true,
            }
        }
    })
}

/// An API's error object (`{"message": ..}`, or a bare string) as a fault.
pub(crate) fn api_error(error: &serde_json::Value) -> Fault {
    let message = match error {
        serde_json::Value::String(text) => text.clone(),
        serde_json::Value::Object(fields) => {
            let kind = fields.get("type").and_then(serde_json::Value::as_str);
            let message = fields.get("message").and_then(serde_json::Value::as_str);
            match (kind, message) {
                (Some(kind), Some(message)) => format!("{kind}: {message}"),
                (None, Some(message)) => message.to_string(),
                _ => excerpt(&error.to_string(), 200),
            }
        }
        other => excerpt(&other.to_string(), 200),
    };
    Fault::Api(message)
}
