//! The command line: clap types, exit codes and printing live here, and only here. Each
//! command turns its arguments into plain values, calls the core (`context`,
//! `diagnostics`, `llm`), and prints what comes back.

pub mod eval;
