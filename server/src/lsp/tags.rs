//! LSP 3.18's code action tags, which the protocol types Keel is built on do not carry yet:
//! an action whose edit a model writes (its title ends with `actions::AI_MARK`) is tagged
//! `LLMGenerated`, for a client that said in `initialize` that it takes the tag
//! (`textDocument.codeAction.tagSupport.valueSet`), so the editor can mark AI edits as such.
//! A wrapper around the service, like `panics.rs`: it reads `initialize`'s parameters and
//! adds the tag to the answers of `textDocument/codeAction` and `codeAction/resolve`; it
//! touches no other message.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use serde_json::Value;
use tower::Service;
use tower_lsp_server::jsonrpc::{Request, Response};

use crate::actions::AI_MARK;

/// `CodeActionTag.LLMGenerated`.
const LLM_GENERATED: u64 = 1;

/// A service whose code actions written by a model carry the `LLMGenerated` tag.
pub struct TagAiActions<S> {
    inner: S,
    /// The client takes the tag (known once `initialize` arrived).
    supported: Arc<AtomicBool>,
}

impl<S> TagAiActions<S> {
    pub fn new(inner: S) -> TagAiActions<S> {
        TagAiActions {
            inner,
            supported: Arc::new(AtomicBool::new(false)),
        }
    }
}

impl<S> Service<Request> for TagAiActions<S>
where
    S: Service<Request, Response = Option<Response>>,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
{
    type Response = Option<Response>;
    type Error = S::Error;
    type Future = BoxFuture<'static, Result<Option<Response>, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let method = request.method();
        if method == "initialize" {
            self.supported
                .store(takes_the_tag(request.params()), Ordering::Relaxed);
        }
        let tags = matches!(method, "textDocument/codeAction" | "codeAction/resolve")
            && self.supported.load(Ordering::Relaxed);
        let answered = self.inner.call(request);
        if !tags {
            return answered.boxed();
        }
        answered
            .map(|answered| answered.map(|response| response.map(tagged)))
            .boxed()
    }
}

/// Whether `initialize`'s parameters list `LLMGenerated` among the code action tags the
/// client takes.
fn takes_the_tag(params: Option<&Value>) -> bool {
    params
        .and_then(|params| {
            params.pointer("/capabilities/textDocument/codeAction/tagSupport/valueSet")
        })
        .and_then(Value::as_array)
        .is_some_and(|tags| tags.iter().any(|tag| tag.as_u64() == Some(LLM_GENERATED)))
}

/// The response with every model-written action in it tagged: a list of actions
/// (`textDocument/codeAction`) or one (`codeAction/resolve`).
fn tagged(response: Response) -> Response {
    let (id, result) = response.into_parts();
    let result = result.map(|mut result| {
        match &mut result {
            Value::Array(actions) => actions.iter_mut().for_each(tag),
            action => tag(action),
        }
        result
    });
    Response::from_parts(id, result)
}

fn tag(action: &mut Value) {
    let written_by_model = action
        .get("title")
        .and_then(Value::as_str)
        .is_some_and(|title| title.ends_with(AI_MARK));
    // A bare command (no `kind`, no `edit`) cannot carry tags.
    if written_by_model
        && action
            .get("command")
            .is_none_or(|command| !command.is_string())
        && let Some(action) = action.as_object_mut()
    {
        action.insert("tags".into(), Value::from(vec![LLM_GENERATED]));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_actions_titled_as_written_by_a_model_are_tagged() {
        let mut ai = json!({"title": format!("Fix py-eval{AI_MARK}"), "kind": "quickfix"});
        let mut plain = json!({"title": "Add error handling to `f`", "kind": "refactor.rewrite"});
        let mut command = json!({"title": format!("Run{AI_MARK}"), "command": "keel.action.run"});
        tag(&mut ai);
        tag(&mut plain);
        tag(&mut command);
        assert_eq!(ai["tags"], json!([1]));
        assert!(plain.get("tags").is_none());
        assert!(command.get("tags").is_none(), "a Command has no tags");
    }

    #[test]
    fn the_tag_is_used_only_when_the_client_lists_it() {
        let with = json!({"capabilities": {"textDocument": {"codeAction": {"tagSupport": {"valueSet": [1]}}}}});
        let without = json!({"capabilities": {"textDocument": {"codeAction": {}}}});
        assert!(takes_the_tag(Some(&with)));
        assert!(!takes_the_tag(Some(&without)));
        assert!(!takes_the_tag(None));
    }
}
