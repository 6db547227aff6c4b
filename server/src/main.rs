//! The `keel` binary: parses the command line and hands over to `keel::cli` (which starts
//! the language server for `serve`, the default).

use std::process::ExitCode;

use clap::Parser;
use keel::cli::{Cli, Command};

fn main() -> ExitCode {
    keel::cli::run(Cli::parse().command.unwrap_or(Command::Serve))
}
