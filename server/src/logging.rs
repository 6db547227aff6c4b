//! Logging: `tracing` to stderr (stdout carries LSP), level from `KEEL_LOG` (default
//! `info` for commands, `warn` for the server: editors record every stderr line of a server
//! as an error, so in normal operation it writes nothing there). Keel's own warnings and
//! errors are also handed to the LSP layer, which sends them to the editor as
//! `window/logMessage`. Source text and keys are logged only at debug level or below.
//! A panic is reported here, once, at error level (see `report_panics`).

use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, fmt};

/// A warning or error to show in the editor's log.
#[derive(Debug, Clone)]
pub struct Forwarded {
    pub level: Level,
    pub message: String,
}

struct ForwardLayer {
    sender: UnboundedSender<Forwarded>,
}

struct MessageVisitor(String);

impl Visit for MessageVisitor {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.0 = format!("{value:?}");
        } else {
            self.0.push_str(&format!(" {}={value:?}", field.name()));
        }
    }
}

impl<S: Subscriber> Layer<S> for ForwardLayer {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let metadata = event.metadata();
        // Only Keel's own events: a failure inside the transport must not loop back into it.
        if !metadata.target().starts_with("keel") {
            return;
        }
        let mut visitor = MessageVisitor(String::new());
        event.record(&mut visitor);
        let _ = self.sender.send(Forwarded {
            level: *metadata.level(),
            message: visitor.0,
        });
    }
}

fn filter(default: &str) -> EnvFilter {
    EnvFilter::try_from_env("KEEL_LOG").unwrap_or_else(|_| EnvFilter::new(default))
}

/// Logging for CLI commands: stderr only.
pub fn init_cli() {
    let _ = tracing_subscriber::registry()
        .with(fmt::layer().with_writer(std::io::stderr).with_target(false))
        .with(filter("info"))
        .try_init();
}

/// Logging for the language server: stderr, plus warnings and errors for the editor.
pub fn init_server() -> UnboundedReceiver<Forwarded> {
    let (sender, receiver) = unbounded_channel();
    let _ = tracing_subscriber::registry()
        .with(
            fmt::layer()
                .with_writer(std::io::stderr)
                .with_ansi(false)
                .with_target(false)
                .with_filter(filter("warn")),
        )
        // Filtered by level, not inside `on_event`, so that `tracing::enabled!(DEBUG)` is
        // false unless `KEEL_LOG` asks for debug (llama.cpp's loading logs hang on it).
        .with(ForwardLayer { sender }.with_filter(LevelFilter::WARN))
        .try_init();
    report_panics();
    receiver
}

/// Replaces the default panic report (a bare `thread '…' panicked` line on stderr) with one
/// error event, which the editor's log also gets. The server survives panics (a failed
/// request is answered with an error, a failed background task is dropped), so each is
/// reported exactly here and nowhere else. The panic's message goes only to debug level: a
/// message can quote the text it failed on (a string slicing panic quotes the string), and
/// source text stays out of the log at the default level.
fn report_panics() {
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map_or_else(|| "an unknown place".to_string(), ToString::to_string);
        tracing::error!(
            "internal error: Keel panicked at {location}; the work it was doing failed and \
             the server goes on. Please report it, with the log at KEEL_LOG=debug"
        );
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|text| text.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let backtrace = std::backtrace::Backtrace::capture();
        tracing::debug!("panic message: {message}\n{backtrace}");
    }));
}
