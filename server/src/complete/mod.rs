//! The completion engine and its post-processing: the shape of a suggestion, the prompt,
//! debounce, cancellation of superseded requests, typing-through, the prompt cache, and the
//! clean-up that makes a model's text fit the code around the cursor.
//!
//! It takes plain values (ropes, trees, byte offsets, strings) and calls `llm` providers.
//! It never speaks LSP types and never blocks the LSP task: each request runs on a task of
//! its own (short CPU work in place, a reparse or whole-file scan on `spawn_blocking`), and
//! model calls are streams that stop when dropped.

mod cache;
mod engine;
mod post;
mod prompt;
mod shape;
mod site;
mod stats;

pub use engine::{Answer, Engine, Health, Mode, Request};
pub use prompt::Workspace;
pub use shape::Shape;
pub use site::{Site, Suggestion};
pub use stats::Status;
