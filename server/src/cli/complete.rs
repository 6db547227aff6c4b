//! `keel complete FILE:LINE:COL`: the completion the configured model gives at a position,
//! built exactly as the editor's is.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use futures_util::StreamExt;

pub(super) fn run(position: &str, root: Option<PathBuf>, show_prompt: bool) -> ExitCode {
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
    let offset = match crate::llm::FimRequest::cursor(&text, line, column) {
        Ok(offset) => offset,
        Err(message) => {
            eprintln!("keel: {file}: {message}");
            return ExitCode::FAILURE;
        }
    };
    let root = super::root_or_current(root);
    let config = super::workspace_config(&root).config;
    let provider = match crate::llm::from_settings(&config) {
        Ok(provider) => provider,
        Err(err) => {
            eprintln!("keel: {err}");
            return ExitCode::FAILURE;
        }
    };
    let workspace = match workspace_at(&root, Path::new(file), &config) {
        Ok(workspace) => workspace,
        Err(message) => {
            eprintln!("keel: {file}: {message}");
            return ExitCode::FAILURE;
        }
    };
    // The same shape, context, redaction and post-processing as the editor gets.
    let language = crate::syntax::Language::from_path(Path::new(file));
    let tree = language.and_then(|language| language.parse_str(&text));
    let site = crate::complete::Site::new(ropey::Rope::from_str(&text), tree, language, offset);
    let shape = site.shape();
    let tokens = provider.tokens();
    // A first prompt in the file, laid out as the editor's first one would be.
    let mut region = provider.reuses_prompt_start().then_some(None);
    let Some(request) = site.request(shape, &config, &workspace, tokens.as_ref(), region.as_mut())
    else {
        eprintln!("keel: {file}: privacy.exclude covers this file; it is never sent to a model");
        return ExitCode::FAILURE;
    };
    if show_prompt {
        println!("=== prompt ===");
        println!(
            "{}",
            crate::llm::rendered_prompt(&config.provider, &request)
        );
        println!("=== completion ===");
    }
    let Some(runtime) = super::runtime() else {
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
    root: &Path,
    file: &Path,
    config: &crate::config::Config,
) -> Result<crate::complete::Workspace, String> {
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let path = file.canonicalize().unwrap_or_else(|_| file.to_path_buf());
    let index = crate::context::Index::new();
    index.configure(vec![root], &config.privacy.exclude)?;
    if config.context.cross_file {
        index.build(&|_| {})?;
    }
    Ok(crate::complete::Workspace {
        index: std::sync::Arc::new(index),
        recent: std::sync::Arc::new(crate::context::RecentEdits::new()),
        facts: std::sync::Arc::new(crate::context::FactsCache::default()),
        path: Some(path),
        name: file.display().to_string(),
        version: 0,
    })
}
