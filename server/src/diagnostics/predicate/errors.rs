//! What an `except` clause does with the error it catches: raise, log, warn, hand it on.
//! The names of loggers and handlers come from the vocabulary (`[python.logging]`,
//! `[python.error-handling]`).

use tree_sitter::Node;

use super::file::{File, contains_in_function};
use crate::diagnostics::vocabulary::listed;

/// An `except` clause whose body does something with the error: raises, logs (see
/// `is_logging_call`), warns (`warn(..)`, `util.warn(..)`), calls a handler
/// (`handle_error(..)`, `on_exception(..)`), uses the exception it bound with `as`, or
/// takes it from `sys.exc_info()` / `sys.exception()`.
pub(super) fn handles_exception(clause: Node<'_>, file: &File<'_>) -> bool {
    let source = |node: Node<'_>| file.text_of(node);
    let handling = &file.vocabulary.python.error_handling;
    let alias = clause
        .child_by_field_name("value")
        .and_then(|value| value.child_by_field_name("alias"))
        .and_then(|alias| alias.named_child(0))
        .map(source);
    let mut cursor = clause.walk();
    let Some(body) = clause
        .named_children(&mut cursor)
        .find(|child| child.kind() == "block")
    else {
        return false;
    };
    contains_in_function(body, &mut |node| match node.kind() {
        "raise_statement" => true,
        "identifier" => alias == Some(source(node)),
        "call" => {
            let callee = node
                .child_by_field_name("function")
                .map(source)
                .unwrap_or("");
            let name = callee.rsplit('.').next().unwrap_or(callee).to_lowercase();
            is_logging_call(node, file)
                || listed(&handling.calls, &name)
                || handling
                    .call_words
                    .iter()
                    .any(|word| name.contains(word.as_str()))
        }
        _ => false,
    })
}

/// A call that records something: a logger method (`logger.error`, `logging.warning`,
/// `self.log.info`), or one of the vocabulary's recording calls (`print`,
/// `traceback.print_exc`, Sentry's `capture_exception`) on any object or none.
fn is_logging_call(node: Node<'_>, file: &File<'_>) -> bool {
    let logging = &file.vocabulary.python.logging;
    let Some(callee) = node.child_by_field_name("function") else {
        return false;
    };
    let source = |node: Node<'_>| file.text_of(node);
    match callee.kind() {
        "identifier" => listed(&logging.calls, source(callee)),
        "attribute" => {
            let method = callee
                .child_by_field_name("attribute")
                .map(source)
                .unwrap_or("");
            let object = callee
                .child_by_field_name("object")
                .map(source)
                .unwrap_or("");
            (listed(&logging.methods, method) && is_logger(object, file))
                || listed(&logging.calls, method)
        }
        _ => false,
    }
}

/// `log`, `logger`, `logging`, `LOG`, `_logger`, `self.log`, `app.logger`, `structlog`...
fn is_logger(object: &str, file: &File<'_>) -> bool {
    let logging = &file.vocabulary.python.logging;
    let last = object.rsplit('.').next().unwrap_or(object).to_lowercase();
    let last = last.trim_start_matches('_');
    listed(&logging.loggers, last)
        || logging
            .logger_suffixes
            .iter()
            .any(|suffix| last.ends_with(suffix.as_str()))
}
