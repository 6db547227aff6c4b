//! Logging: `tracing` to stderr (stdout carries LSP), level from `KEEL_LOG` (default
//! `info` for commands, `warn` for the server: editors record every stderr line of a server
//! as an error, so in normal operation it writes nothing there). Keel's own warnings and
//! errors are also handed to the LSP layer, which sends them to the editor as
//! `window/logMessage`. Source text and keys are logged only at debug level or below.

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
    receiver
}
