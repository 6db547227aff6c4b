//! Resolving a chosen action: the deterministic edits, or the model's version of them when
//! a provider is configured, answers in time and passes `check` (one retry with the
//! refusal fed back). Dropping the future stops the model call. Whatever happens, the
//! caller gets edits that passed the checks, or the deterministic ones with a note saying
//! why, or a message.

use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tree_sitter::Tree;

use super::check::{Target, check, top_level_names};
use super::syntax::{line_end, line_start};
use super::{
    ActionId, Candidate, Change, Edit, FileEdits, Project, Source, apply, deterministic, fix,
};
use crate::config::{DiagnosticsConfig, PrivacyConfig};
use crate::diagnostics::RuleSet;
use crate::llm::{ChatRequest, Message, Provider, Role};
use crate::syntax::Language;

/// A file and the action chosen in it, as owned values (resolving outlives the request's
/// borrow of the document).
#[derive(Debug, Clone)]
pub struct Request {
    pub text: String,
    /// The syntax tree of `text` (the editor's current one: no reparse).
    pub tree: Tree,
    pub language: Language,
    pub path: Option<PathBuf>,
    pub project: Project,
    pub candidate: Candidate,
}

/// What the model side needs: the provider (none: deterministic only) and the limits.
#[derive(Clone)]
pub struct Model {
    pub provider: Option<Arc<dyn Provider>>,
    pub deadline: Duration,
    pub privacy: PrivacyConfig,
    /// `privacy.exclude` covers the file: nothing of it may reach a model, whatever the
    /// provider (the caller knows the workspace roots the globs are relative to).
    pub excluded: bool,
}

impl Model {
    /// A model is configured and may be sent this file: what offering an action that only
    /// a model can make ("Fix with AI") takes.
    pub fn may_see_file(&self) -> bool {
        self.provider.is_some() && !self.excluded
    }
}

/// The edits to apply, and how they were made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub edits: Vec<Edit>,
    /// The edits to other files (a route's registration): always the deterministic ones.
    pub elsewhere: Vec<FileEdits>,
    /// The model wrote them (and they passed the checks).
    pub by_model: bool,
    /// Why the model's version is not the one returned, when a model was asked.
    pub note: Option<String>,
}

/// What to rewrite, computed from the file once.
struct Prepared {
    deterministic: Result<Change, String>,
    /// What the model may rewrite; none for actions that are deterministic only.
    region: Option<Region>,
}

/// The lines the model rewrites, with what the deterministic version makes of them.
struct Region {
    range: Range<usize>,
    /// The deterministic code for the range, shown to the model as a reference.
    reference: String,
    /// The top-level names the model's code must define.
    names: Vec<String>,
    /// The deterministic edits outside the range (imports, a route's registration).
    kept: Vec<Edit>,
}

fn prepare(request: &Request) -> Prepared {
    let text = request.text.as_str();
    let source = Source {
        text,
        tree: &request.tree,
        language: request.language,
        path: request.path.as_deref(),
        project: &request.project,
    };
    let deterministic = deterministic(&source, &request.candidate);
    let (start, end) = (request.candidate.start_byte, request.candidate.end_byte);
    let range = line_start(text, start)..line_end(text, end);
    // CRUD handlers are many and placed away from the model class: deterministic only.
    let region = match (&deterministic, request.candidate.id) {
        // No reference: the model's code is the only version there is. Without the finding
        // (data a client altered) there is nothing to check the fix against: no model.
        (_, ActionId::FixWithAi) if request.candidate.finding.is_some() => {
            let range = fix::region(text, &request.tree, start, end);
            let original = text.get(range.clone()).unwrap_or_default().to_string();
            Some(Region {
                names: top_level_names(&original, request.language),
                range,
                reference: original,
                kept: Vec::new(),
            })
        }
        (Ok(change), ActionId::AddErrorHandling | ActionId::GenerateEndpoint) => {
            let (inside, outside): (Vec<Edit>, Vec<Edit>) = change
                .edits
                .iter()
                .cloned()
                .partition(|edit| edit.start_byte >= range.start && edit.end_byte <= range.end);
            let shifted: Vec<Edit> = inside
                .into_iter()
                .map(|edit| Edit {
                    start_byte: edit.start_byte - range.start,
                    end_byte: edit.end_byte - range.start,
                    new_text: edit.new_text,
                })
                .collect();
            let reference = apply(text.get(range.clone()).unwrap_or_default(), &shifted);
            Some(Region {
                names: top_level_names(&reference, request.language),
                range,
                reference,
                kept: outside,
            })
        }
        _ => None,
    };
    Prepared {
        deterministic,
        region,
    }
}

/// The edits of `request`'s action: the model's when it passes the checks in time, else
/// the deterministic ones. `progress` hears what is happening, for the editor's progress.
pub async fn resolve(
    request: Request,
    model: Model,
    rules: Arc<RuleSet>,
    config: DiagnosticsConfig,
    progress: &(dyn Fn(&str) + Send + Sync),
) -> Result<Resolved, String> {
    let request = Arc::new(request);
    let prepared = {
        let request = request.clone();
        tokio::task::spawn_blocking(move || prepare(&request))
            .await
            .map_err(|err| format!("internal error: {err}"))?
    };
    let fallback = |note: Option<String>| match &prepared.deterministic {
        Ok(change) => Ok(Resolved {
            edits: change.edits.clone(),
            elsewhere: change.elsewhere.clone(),
            by_model: false,
            note,
        }),
        Err(err) => Err(match note {
            Some(note) => format!("{err}; {note}"),
            None => err.clone(),
        }),
    };
    let (Some(provider), Some(region)) = (model.provider.clone(), prepared.region.as_ref()) else {
        return fallback(None);
    };
    if model.excluded {
        return fallback(Some(
            "privacy.exclude covers this file, so nothing of it goes to a model".to_string(),
        ));
    }
    progress("asking the model");
    let asked = ask(
        &request,
        region,
        provider,
        &model.privacy,
        rules,
        config,
        progress,
    );
    match tokio::time::timeout(model.deadline, asked).await {
        Ok(Ok(edits)) => Ok(Resolved {
            edits,
            elsewhere: prepared
                .deterministic
                .as_ref()
                .map(|change| change.elsewhere.clone())
                .unwrap_or_default(),
            by_model: true,
            note: None,
        }),
        Ok(Err(refused)) => fallback(Some(refused)),
        Err(_) => fallback(Some(format!(
            "the model did not answer within {} ms (actions.deadline_ms)",
            model.deadline.as_millis()
        ))),
    }
}

async fn ask(
    request: &Arc<Request>,
    region: &Region,
    provider: Arc<dyn Provider>,
    privacy: &PrivacyConfig,
    rules: Arc<RuleSet>,
    config: DiagnosticsConfig,
    progress: &(dyn Fn(&str) + Send + Sync),
) -> Result<Vec<Edit>, String> {
    let Region {
        range,
        reference,
        names,
        kept,
    } = region;
    let mut chat = ChatRequest {
        system: SYSTEM.into(),
        messages: vec![Message {
            role: Role::User,
            content: prompt(request, range.clone(), reference, &rules),
        }],
        max_tokens: 1024,
        temperature: 0.2,
        json: false,
        background: false,
    };
    crate::context::redact::redact_chat(&mut chat, privacy);
    let mut refusal = String::new();
    for attempt in 1..=2 {
        if attempt == 2 {
            progress("the model's edit was refused; asking once more");
        }
        let reply = crate::llm::read_all(provider.chat(chat.clone()))
            .await
            .map_err(|err| format!("the model failed: {err}"))?;
        progress("checking the model's edit");
        let checked = {
            let (request, rules, config, reply) = (
                request.clone(),
                rules.clone(),
                config.clone(),
                reply.clone(),
            );
            let (range, names, kept) = (range.clone(), names.clone(), kept.clone());
            tokio::task::spawn_blocking(move || {
                let target = Target {
                    text: &request.text,
                    tree: &request.tree,
                    language: request.language,
                    path: request.path.as_deref(),
                    range,
                    names,
                    kept,
                    fixes: request
                        .candidate
                        .finding
                        .as_ref()
                        .map(|flagged| flagged.rule_id.clone()),
                };
                check(&reply, &target, &rules, &config)
            })
            .await
            .map_err(|err| format!("internal error: {err}"))?
        };
        match checked {
            Ok(edits) => return Ok(edits),
            Err(reason) => {
                refusal = reason;
                chat.messages.push(Message {
                    role: Role::Assistant,
                    content: reply,
                });
                chat.messages.push(Message {
                    role: Role::User,
                    content: format!(
                        "That reply was refused: {refusal}. Reply again with the corrected code only."
                    ),
                });
            }
        }
    }
    Err(format!("the model's edit was refused: {refusal}"))
}

const SYSTEM: &str = "You are a senior backend engineer editing one piece of code in a file. \
Reply with the complete rewritten code only: no explanation, no markdown fence, no placeholder \
or ellipsis, nothing outside the piece you were given. Put any import the code needs on the \
first lines of the reply.";

fn prompt(request: &Request, range: Range<usize>, reference: &str, rules: &RuleSet) -> String {
    let text = &request.text;
    let original = text.get(range.clone()).unwrap_or_default();
    // The top of the file holds the imports and the app object the code must follow.
    let head: String = text
        .get(..range.start)
        .unwrap_or_default()
        .lines()
        .take(40)
        .collect::<Vec<_>>()
        .join("\n");
    let file = request
        .path
        .as_ref()
        .map_or("(unsaved)".to_string(), |path| path.display().to_string());
    let task = match (request.candidate.id, request.language) {
        (ActionId::AddErrorHandling, Language::Python) => {
            "Add error handling: wrap the risky calls (HTTP, database, file, subprocess, \
             parsing) in try/except with the specific exceptions of the libraries in use, log \
             with logger.exception, and answer the framework's way (FastAPI HTTPException, \
             Flask abort) or re-raise with `from`."
        }
        (ActionId::AddErrorHandling, Language::Rust) => {
            "Add error handling: replace unwrap()/expect() with `?`, adding context (anyhow's \
             Context when the crate uses anyhow), return a Result when the function does not, \
             and in a web handler answer with a status code instead of panicking."
        }
        (ActionId::FixWithAi, language) => {
            let task = fix::task(&request.candidate, text, language, rules);
            return format!(
                "File {file} ({language}), top of the file:\n{head}\n\n{task}\n\nThe code to rewrite:\n{original}\n",
                language = language.name(),
            );
        }
        _ => "Write the endpoint the comment describes, following the file's conventions.",
    };
    format!(
        "File {file} ({language}), top of the file:\n{head}\n\n{task}\n\nThe code to rewrite:\n{original}\n\n\
         A mechanical version of the result, to improve on (keep its names):\n{reference}\n",
        language = request.language.name(),
    )
}
