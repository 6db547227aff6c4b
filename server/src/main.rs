//! The `keel` command line: a thin layer over the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

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
    }
}

fn serve() -> ExitCode {
    let forwarded = keel::logging::init_server();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("keel: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(keel::lsp::serve_stdio(forwarded));
    // The stdin reader may be blocked in a read that will never finish; do not wait for it.
    runtime.shutdown_background();
    ExitCode::SUCCESS
}
