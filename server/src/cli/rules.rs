//! `keel rules` and `keel rules explain ID`: the rules in force here and their docs.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::usage_error;
use crate::diagnostics::check::{explain, load_rules, rule_table};

#[derive(Debug, Args)]
pub struct RulesArgs {
    #[command(subcommand)]
    pub command: Option<RulesCommand>,
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Print a rule's documentation: what it does, why, an example and the fix.
    Explain { id: String },
}

pub(super) fn run(args: &RulesArgs) -> ExitCode {
    let root = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let rules = match load_rules(&root) {
        Ok(rules) => rules,
        Err(message) => return usage_error(&message),
    };
    let text = match &args.command {
        None => Ok(rule_table(&rules)),
        Some(RulesCommand::Explain { id }) => explain(&rules, id),
    };
    match text {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(message) => usage_error(&message),
    }
}
