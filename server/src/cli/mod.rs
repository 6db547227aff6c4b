//! The `keel` command line: one file per subcommand, over the library.
//!
//! Owns the clap types, exit codes and all printing to the terminal; the core modules
//! return values and strings, and this layer writes them out. It must never hold logic the
//! editor also needs (that belongs in the core, where `lsp/` can call it too).

mod action;
mod check;
mod complete;
mod doctor;
mod eval;
mod model;
mod rules;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "keel",
    version,
    about = "A language server for backend engineers"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand)]
pub enum Command {
    /// Speak LSP on stdin/stdout (the default with no command).
    Serve,
    /// Print the resolved configuration, where each value came from, and the state of each part.
    Doctor {
        /// Workspace root holding keel.toml (default: the current directory).
        #[arg(long)]
        root: Option<PathBuf>,
    },
    /// Print the completion the configured model gives at FILE:LINE:COL (1-based; the
    /// column counts characters).
    Complete {
        position: String,
        /// Workspace root holding keel.toml (default: the current directory).
        #[arg(long)]
        root: Option<PathBuf>,
        /// Print the exact prompt sent to the model (after redaction) before the completion.
        #[arg(long)]
        show_prompt: bool,
    },
    /// Measure things: `eval context` reports definition recall and prompt-build time.
    Eval {
        #[command(subcommand)]
        what: EvalWhat,
    },
    /// Model files: fetch the default model, print its path, list what is present.
    Model {
        #[command(subcommand)]
        action: model::ModelAction,
    },
    /// Run the diagnostics rules over files, as the editor does (exit 1 on findings).
    Check(check::CheckArgs),
    /// List the diagnostics rules, or print one's documentation with `rules explain ID`.
    Rules(rules::RulesArgs),
    /// Code actions from the command line: `action list FILE:LINE`, `action run ID FILE:LINE`.
    Action {
        #[command(subcommand)]
        command: action::ActionCommand,
    },
}

#[derive(Subcommand)]
pub enum EvalWhat {
    /// Definition recall of Keel's context vs prefix+suffix alone, on holes cut in real code.
    Context {
        /// Directory of Rust/Python sources (see scripts/eval-corpus).
        #[arg(long)]
        corpus: PathBuf,
        #[arg(long, default_value_t = 200)]
        holes: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Token budget (context.budget_tokens).
        #[arg(long, default_value_t = 2048)]
        budget: u32,
        /// Count the budget with this GGUF model's tokenizer, as completions with the
        /// embedded model do (default: the four-bytes-per-token estimate).
        #[arg(long)]
        model: Option<PathBuf>,
        /// Print the report as one JSON object instead of a table.
        #[arg(long)]
        json: bool,
    },
}

/// Runs a subcommand and says how the process should exit.
pub fn run(command: Command) -> ExitCode {
    match command {
        Command::Serve => serve(),
        Command::Doctor { root } => {
            crate::logging::init_cli();
            doctor::run(root)
        }
        Command::Complete {
            position,
            root,
            show_prompt,
        } => {
            crate::logging::init_cli();
            complete::run(&position, root, show_prompt)
        }
        Command::Eval {
            what:
                EvalWhat::Context {
                    corpus,
                    holes,
                    seed,
                    budget,
                    model,
                    json,
                },
        } => {
            crate::logging::init_cli();
            eval_context(&corpus, holes, seed, budget, model, json)
        }
        Command::Model { action } => {
            crate::logging::init_cli();
            model::run(action)
        }
        Command::Check(args) => {
            crate::logging::init_cli();
            check::run(&args)
        }
        Command::Rules(args) => rules::run(&args),
        Command::Action { command } => {
            crate::logging::init_cli();
            action::run(command)
        }
    }
}

/// `keel serve`: hands stdin/stdout to the language server until the client says `exit`.
fn serve() -> ExitCode {
    crate::memory::limit_arenas();
    let forwarded = crate::logging::init_server();
    let Some(runtime) = runtime_with(Some(SERVER_WORKERS)) else {
        return ExitCode::FAILURE;
    };
    // On the worker, not on this thread: `block_on` polls its future here, so every
    // message would cross between this thread and the worker that polls the pipes and
    // sockets (two wake-ups each way per completion).
    let served = runtime.block_on(async { tokio::spawn(crate::lsp::serve_stdio(forwarded)).await });
    // The stdin reader may be blocked in a read that will never finish; do not wait for it.
    runtime.shutdown_background();
    match served {
        Ok(()) => ExitCode::SUCCESS,
        // A panic outside every handler (they contain their own); the hook logged it.
        Err(_) => ExitCode::FAILURE,
    }
}

/// The server's async threads. Its async work is messages and sockets; CPU work of any size
/// runs on the blocking pool (bounded, see `workspace::background`) or, under a
/// millisecond, in place. With a thread per core, each completion's hops between the
/// transport, the handler, the model call and its connection crossed threads, and the
/// wake-ups cost a quarter of its CPU (1.73 ms against 1.30 ms on one thread).
const SERVER_WORKERS: usize = 1;

/// The async runtime for the commands that talk to a model or the network.
fn runtime() -> Option<tokio::runtime::Runtime> {
    runtime_with(None)
}

/// The async runtime with `workers` threads, else one per core.
fn runtime_with(workers: Option<usize>) -> Option<tokio::runtime::Runtime> {
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if let Some(workers) = workers {
        builder.worker_threads(workers);
    }
    match builder.enable_all().build() {
        Ok(runtime) => Some(runtime),
        Err(err) => {
            eprintln!("keel: cannot start the async runtime: {err}");
            None
        }
    }
}

/// Bad arguments, unreadable paths, broken rule files: not the same as findings.
const EXIT_USAGE_OR_IO: u8 = 2;

fn usage_error(message: &str) -> ExitCode {
    eprintln!("keel: {message}");
    ExitCode::from(EXIT_USAGE_OR_IO)
}

/// The configuration of the workspace at `root` (its `keel.toml` over the defaults), every
/// problem in it printed.
fn workspace_config(root: &std::path::Path) -> crate::config::Resolved {
    let mut layers = crate::config::Layers::default();
    let problems = layers.load_file(root);
    let resolved = layers.resolve();
    for problem in problems.iter().chain(&resolved.problems) {
        eprintln!("keel: {problem}");
    }
    resolved
}

/// The workspace root: the one given, else the current directory.
fn root_or_current(root: Option<PathBuf>) -> PathBuf {
    root.or_else(|| std::env::current_dir().ok())
        .unwrap_or_else(|| PathBuf::from("."))
}

/// `keel eval context`.
fn eval_context(
    corpus: &std::path::Path,
    holes: usize,
    seed: u64,
    budget: u32,
    model: Option<PathBuf>,
    json: bool,
) -> ExitCode {
    let tokens = match model.map(|model| eval_tokenizer(&model)).transpose() {
        Ok(tokens) => tokens,
        Err(err) => {
            eprintln!("keel: {err}");
            return ExitCode::FAILURE;
        }
    };
    match eval::run(corpus, holes, seed, budget, tokens.as_ref()) {
        Ok(report) if json => {
            println!("{}", serde_json::to_string(&report).unwrap_or_default());
            ExitCode::SUCCESS
        }
        Ok(report) => {
            println!("{report}");
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("keel: {err}");
            ExitCode::FAILURE
        }
    }
}

/// The tokenizer of the GGUF file at `model`, counting prompts in the template the
/// evaluation checks them in.
fn eval_tokenizer(model: &std::path::Path) -> Result<crate::llm::TokenCounter, String> {
    let provider = crate::llm::from_config(&crate::config::ProviderConfig {
        kind: Some(crate::config::ProviderKind::Local),
        model: Some(model.display().to_string()),
        fim: Some(eval::TEMPLATE),
        ..crate::config::ProviderConfig::default()
    })
    .map_err(|err| err.to_string())?;
    provider
        .tokens()
        .ok_or_else(|| format!("cannot count tokens with {}", model.display()))
}
