//! `keel action list FILE:LINE[:COL]` and `keel action run ID FILE:LINE[:COL] [--write]`:
//! the editor's code actions from the command line, through the same `actions` code path
//! (listing, the model with its checks and deadline, the deterministic fallback), printed
//! as a unified diff so they can be scripted and reviewed: one per file, when an action
//! also edits another file (a Django route in `urls.py`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use crate::actions::{self, ActionId, Project, ProjectFile, Source, model};
use crate::config::Config;
use crate::diagnostics::RuleSet;
use crate::syntax::Language;
use clap::{Args, Subcommand};

#[derive(Subcommand)]
pub enum ActionCommand {
    /// List the actions offered at FILE:LINE[:COL] (1-based; COL counts characters and
    /// defaults to the line's first non-blank character).
    List {
        position: String,
        /// Workspace root holding keel.toml (default: the current directory).
        #[arg(long)]
        root: Option<PathBuf>,
    },
    /// Run action ID at FILE:LINE[:COL] and print the change as a unified diff.
    Run(RunArgs),
}

#[derive(Args)]
pub struct RunArgs {
    /// The action's id, as `keel action list` prints it (e.g. add-error-handling).
    id: String,
    position: String,
    /// Write the result to the file instead of printing the diff.
    #[arg(long)]
    write: bool,
    /// Use the deterministic version even when a model is configured.
    #[arg(long)]
    no_model: bool,
    /// Workspace root holding keel.toml (default: the current directory).
    #[arg(long)]
    root: Option<PathBuf>,
}

pub fn run(command: ActionCommand) -> ExitCode {
    let result = match command {
        ActionCommand::List { position, root } => list(&position, root.as_deref()),
        ActionCommand::Run(args) => run_action(&args),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("keel: {message}");
            ExitCode::FAILURE
        }
    }
}

/// A file read and parsed, and the byte the position names.
struct Opened {
    path: PathBuf,
    text: String,
    tree: tree_sitter::Tree,
    language: Language,
    at: usize,
}

fn open(position: &str) -> Result<Opened, String> {
    // FILE:LINE[:COL], where FILE may itself hold colons.
    let parsed = position.rsplit_once(':').and_then(|(rest, last)| {
        let last = last.parse::<usize>().ok()?;
        match rest.rsplit_once(':') {
            Some((file, line)) if line.parse::<usize>().is_ok() => {
                Some((file.to_string(), line.parse::<usize>().ok()?, Some(last)))
            }
            _ => Some((rest.to_string(), last, None)),
        }
    });
    let Some((file, line, column)) = parsed else {
        return Err(format!("expected FILE:LINE[:COL], got {position:?}"));
    };
    let path = PathBuf::from(&file);
    let text =
        std::fs::read_to_string(&path).map_err(|err| format!("cannot read {file}: {err}"))?;
    let language = Language::from_path(&path)
        .ok_or_else(|| format!("{file}: Keel has actions for Rust and Python files only"))?;
    let column = match column {
        Some(column) => column,
        None => {
            let content = text.lines().nth(line.saturating_sub(1)).unwrap_or_default();
            content.chars().take_while(|c| c.is_whitespace()).count() + 1
        }
    };
    let at = crate::llm::FimRequest::cursor(&text, line, column)
        .map_err(|err| format!("{file}: {err}"))?;
    let tree = language
        .parse_str(&text)
        .ok_or_else(|| format!("{file}: could not be parsed"))?;
    Ok(Opened {
        path,
        text,
        tree,
        language,
        at,
    })
}

/// The workspace an action runs in: its configuration, its rules, and what a model may be
/// asked about the file.
struct Setting {
    config: Config,
    rules: Arc<RuleSet>,
    model: model::Model,
}

fn setting(root: Option<&Path>, opened: &Opened, no_model: bool) -> Result<Setting, String> {
    let root = root
        .map(Path::to_path_buf)
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_else(|| PathBuf::from("."));
    let config = super::workspace_config(&root).config;
    let rules = Arc::new(crate::diagnostics::check::load_rules(&root)?);
    // The same provider the editor would use; none (or --no-model) means deterministic.
    let provider = if no_model {
        None
    } else {
        crate::llm::from_settings(&config).ok()
    };
    // The same exclusion the editor's index applies, relative to the same root.
    let index = crate::context::Index::new();
    index.configure(vec![root], &config.privacy.exclude)?;
    let model = model::Model {
        provider,
        deadline: Duration::from_millis(config.actions.deadline_ms),
        privacy: config.privacy.clone(),
        excluded: index.is_excluded(&opened.path),
    };
    Ok(Setting {
        config,
        rules,
        model,
    })
}

/// The actions at the position, as the editor lists them: those of the syntax tree, and
/// "Fix with AI" for the findings on the line when a model may see the file.
fn candidates(opened: &Opened, project: &Project, setting: &Setting) -> Vec<actions::Candidate> {
    let source = Source {
        text: &opened.text,
        tree: &opened.tree,
        language: opened.language,
        path: Some(&opened.path),
        project,
    };
    let mut found = actions::list(&source, opened.at, opened.at);
    if setting.model.may_see_file() {
        let findings = setting.rules.check_file(
            Some(&opened.path),
            opened.language,
            &opened.text,
            &opened.tree,
            &setting.config.diagnostics,
        );
        found.extend(actions::fix::candidates(&findings, &opened.text, opened.at));
    }
    found
}

fn list(position: &str, root: Option<&Path>) -> Result<ExitCode, String> {
    let opened = open(position)?;
    let setting = setting(root, &opened, false)?;
    let found = candidates(&opened, &Project::default(), &setting);
    if found.is_empty() {
        eprintln!("keel: no action here");
    }
    for candidate in found {
        println!("{}\t{}", candidate.id.as_str(), candidate.title);
    }
    Ok(ExitCode::SUCCESS)
}

fn run_action(args: &RunArgs) -> Result<ExitCode, String> {
    let id = ActionId::parse(&args.id).ok_or_else(|| {
        let known: Vec<&str> = ActionId::ALL.iter().map(|id| id.as_str()).collect();
        format!("unknown action {:?}; one of: {}", args.id, known.join(", "))
    })?;
    let opened = open(&args.position)?;
    let project = Project::discover(&opened.path);
    // The other files an action may edit, as the edits' offsets expect them.
    let others: Vec<ProjectFile> = project.files().cloned().collect();
    let setting = setting(args.root.as_deref(), &opened, args.no_model)?;
    let candidate = candidates(&opened, &project, &setting)
        .into_iter()
        .find(|candidate| candidate.id == id)
        .ok_or_else(|| {
            let needs = if id.model_only() {
                " (it needs a configured model that may see the file)"
            } else {
                ""
            };
            format!("{} is not offered at {}{needs}", id.as_str(), args.position)
        })?;
    let request = model::Request {
        text: opened.text.clone(),
        tree: opened.tree.clone(),
        language: opened.language,
        path: Some(opened.path.clone()),
        project,
        candidate,
    };
    let Setting {
        config,
        rules,
        model,
    } = setting;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|err| format!("cannot start the async runtime: {err}"))?;
    let progress = |message: &str| eprintln!("keel: {message}");
    let resolved = runtime.block_on(model::resolve(
        request,
        model,
        rules,
        config.diagnostics,
        &progress,
    ))?;
    if let Some(note) = &resolved.note {
        eprintln!("keel: {note}; the deterministic version is used");
    } else if resolved.by_model {
        eprintln!("keel: the model's version passed the checks (AI)");
    }
    let mut changed = vec![(
        opened.path.clone(),
        opened.text.clone(),
        actions::apply(&opened.text, &resolved.edits),
    )];
    for file in &resolved.elsewhere {
        let original = others
            .iter()
            .find(|other| other.path == file.path)
            .ok_or_else(|| format!("internal error: {} was not read", file.path.display()))?;
        changed.push((
            file.path.clone(),
            original.text.clone(),
            actions::apply(&original.text, &file.edits),
        ));
    }
    for (path, old, new) in changed {
        if args.write {
            if old != new {
                std::fs::write(&path, &new)
                    .map_err(|err| format!("cannot write {}: {err}", path.display()))?;
            }
        } else {
            print!("{}", unified_diff(&path, &old, &new));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A unified diff of two texts, three lines of context.
pub fn unified_diff(path: &Path, old: &str, new: &str) -> String {
    let old: Vec<&str> = old.lines().collect();
    let new: Vec<&str> = new.lines().collect();
    let prefix = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
    let suffix = old[prefix..]
        .iter()
        .rev()
        .zip(new[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let (a, b) = (
        &old[prefix..old.len() - suffix],
        &new[prefix..new.len() - suffix],
    );
    // Longest common subsequence of the changed middle: small for an action's edit.
    let mut table = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            table[i][j] = if a[i] == b[j] {
                table[i + 1][j + 1] + 1
            } else {
                table[i + 1][j].max(table[i][j + 1])
            };
        }
    }
    // (tag, line) for the whole file, then cut into hunks.
    let mut lines: Vec<(char, &str)> = old[..prefix].iter().map(|line| (' ', *line)).collect();
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            lines.push((' ', a[i]));
            (i, j) = (i + 1, j + 1);
        } else if i < a.len() && (j == b.len() || table[i + 1][j] >= table[i][j + 1]) {
            lines.push(('-', a[i]));
            i += 1;
        } else {
            lines.push(('+', b[j]));
            j += 1;
        }
    }
    lines.extend(old[old.len() - suffix..].iter().map(|line| (' ', *line)));
    if lines.iter().all(|(tag, _)| *tag == ' ') {
        return String::new();
    }
    let name = path.display();
    let mut out = format!("--- {name}\n+++ {name}\n");
    let changed: Vec<usize> = (0..lines.len()).filter(|&k| lines[k].0 != ' ').collect();
    let mut k = 0;
    while k < changed.len() {
        let start = changed[k].saturating_sub(3);
        let mut end = (changed[k] + 4).min(lines.len());
        while k + 1 < changed.len() && changed[k + 1] < end + 3 {
            k += 1;
            end = (changed[k] + 4).min(lines.len());
        }
        let before = |tag: char| lines[..start].iter().filter(|(t, _)| *t != tag).count();
        let count = |tag: char| lines[start..end].iter().filter(|(t, _)| *t != tag).count();
        let (old_count, new_count) = (count('+'), count('-'));
        out.push_str(&format!(
            "@@ -{},{old_count} +{},{new_count} @@\n",
            before('+') + usize::from(old_count > 0),
            before('-') + usize::from(new_count > 0),
        ));
        for (tag, line) in &lines[start..end] {
            out.push_str(&format!("{tag}{line}\n"));
        }
        k += 1;
    }
    out
}
