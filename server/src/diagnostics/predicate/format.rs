//! Formatted strings: whether a value is a string built at run time from values (an
//! f-string, `%`, `.format(..)`, `+`, `format!`), following a variable back to where it
//! was assigned, and which values are constants or made safe to splice.

use tree_sitter::Node;

use super::file::{File, has_child, is_function_boundary, visit};
use crate::diagnostics::vocabulary::listed;

/// How many assignments back `formatted` follows a variable (`q = f"..."; run(q)`).
pub(super) const MAX_ASSIGNMENT_HOPS: u8 = 3;

/// A string built at run time from values: an f-string or `format!` with placeholders,
/// `%` or `.format(..)` with arguments, `+` joining a literal and a non-constant, or a
/// variable assigned one of those earlier in the same function.
pub(super) fn formatted<'t>(node: Node<'t>, file: &File<'t>, hops: u8) -> bool {
    let text = file.text;
    let source = |node: Node<'_>| text.get(node.byte_range()).unwrap_or("");
    match node.kind() {
        "parenthesized_expression" | "reference_expression" => node
            .child_by_field_name("value")
            .or_else(|| node.named_child(0))
            .is_some_and(|inner| formatted(inner, file, hops)),
        // Python; an f-string of constants (`f"{TABLE}"`) is a constant.
        "string" => {
            let mut cursor = node.walk();
            node.named_children(&mut cursor).any(|part| {
                part.kind() == "interpolation"
                    && !part
                        .child_by_field_name("expression")
                        .is_some_and(|value| is_inert_value(value, file))
            })
        }
        "concatenated_string" => {
            let mut cursor = node.walk();
            node.named_children(&mut cursor)
                .any(|part| formatted(part, file, hops))
        }
        "binary_operator" => {
            let operator = node.child_by_field_name("operator").map(|op| op.kind());
            let left = node.child_by_field_name("left");
            match operator {
                Some("%") => {
                    let right = node.child_by_field_name("right");
                    left.is_some_and(|left| matches!(left.kind(), "string" | "concatenated_string"))
                        && !right.is_some_and(|right| is_inert_value(right, file))
                }
                Some("+") => joins_literal_and_value(node, file),
                _ => false,
            }
        }
        "call" => {
            let callee = node.child_by_field_name("function");
            let is_format = callee
                .filter(|callee| callee.kind() == "attribute")
                .and_then(|callee| callee.child_by_field_name("attribute"))
                .is_some_and(|method| source(method) == "format");
            // `"{}".format(escape(x), _("Label"))` builds nothing from raw values.
            let builds_from_values = node.child_by_field_name("arguments").is_some_and(|args| {
                let mut cursor = args.walk();
                let mut values =
                    args.named_children(&mut cursor)
                        .map(|argument| match argument.kind() {
                            "keyword_argument" => {
                                argument.child_by_field_name("value").unwrap_or(argument)
                            }
                            _ => argument,
                        });
                let mut values = values.by_ref().peekable();
                values.peek().is_some() && !values.all(|value| is_inert_value(value, file))
            });
            is_format && builds_from_values
        }
        // Rust
        "macro_invocation" => is_formatting_macro(node, text),
        "binary_expression" => {
            node.child_by_field_name("operator").map(|op| op.kind()) == Some("+")
                && joins_literal_and_value(node, file)
        }
        "call_expression" => {
            // `format!(..).as_str()` and friends pass the string through.
            let callee = node.child_by_field_name("function");
            let passes_through = callee
                .filter(|callee| callee.kind() == "field_expression")
                .and_then(|callee| callee.child_by_field_name("field"))
                .is_some_and(|method| {
                    matches!(
                        source(method),
                        "as_str" | "as_ref" | "to_string" | "to_owned" | "clone" | "into"
                    )
                });
            passes_through
                && callee
                    .and_then(|callee| callee.child_by_field_name("value"))
                    .is_some_and(|receiver| formatted(receiver, file, hops))
        }
        "identifier" if hops < MAX_ASSIGNMENT_HOPS => assigned_formatted(node, file, hops + 1),
        _ => false,
    }
}

/// `format!`-family macro with a placeholder or argument that is not a constant
/// (`format!("{TABLE}")` and `format!("{}", TABLE)` build constants).
pub(super) fn is_formatting_macro(node: Node<'_>, text: &str) -> bool {
    let name = node
        .child_by_field_name("macro")
        .and_then(|m| text.get(m.byte_range()))
        .unwrap_or("");
    let name = name.rsplit("::").next().unwrap_or(name);
    if !matches!(name, "format" | "format_args") {
        return false;
    }
    let Some(tokens) = node.named_child(1).filter(|t| t.kind() == "token_tree") else {
        return false;
    };
    let mut cursor = tokens.walk();
    let mut parts = tokens.named_children(&mut cursor);
    let template = parts
        .next()
        .filter(|t| matches!(t.kind(), "string_literal" | "raw_string_literal"))
        .and_then(|t| text.get(t.byte_range()))
        .unwrap_or("");
    let variable_argument = parts.any(|argument| {
        argument.kind() != "identifier"
            || !is_constant_name(text.get(argument.byte_range()).unwrap_or(""))
    });
    variable_argument
        || format_placeholders(template)
            .iter()
            .any(|name| !is_constant_name(name))
}

/// The inline names of a format string's placeholders: `{}`/`{0}`/`{:?}` give `""`
/// (an argument follows), `{id}` gives `id`; `{{` is an escaped brace.
pub(super) fn format_placeholders(template: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        if let Some(escaped) = after.strip_prefix('{') {
            rest = escaped;
            continue;
        }
        let end = after.find('}').unwrap_or(after.len());
        let spec = &after[..end];
        let name = spec.split(':').next().unwrap_or("").trim();
        if !name.chars().all(|c| c.is_ascii_digit()) {
            names.push(name);
        }
        rest = after.get(end + 1..).unwrap_or("");
    }
    names
}

/// A `+` chain with at least one string literal and at least one value that is not a
/// constant (a literal, or an UPPER_CASE name).
pub(super) fn joins_literal_and_value<'t>(node: Node<'t>, file: &File<'t>) -> bool {
    let mut has_literal = false;
    let mut has_value = false;
    let mut stack = vec![node];
    while let Some(part) = stack.pop() {
        let is_plus = matches!(part.kind(), "binary_operator" | "binary_expression")
            && part.child_by_field_name("operator").map(|op| op.kind()) == Some("+");
        if is_plus {
            stack.extend(part.child_by_field_name("left"));
            stack.extend(part.child_by_field_name("right"));
            continue;
        }
        match part.kind() {
            "string" | "concatenated_string" | "string_literal" | "raw_string_literal"
                if !formatted(part, file, MAX_ASSIGNMENT_HOPS) =>
            {
                has_literal = true
            }
            "identifier" if is_constant_name(file.text_of(part)) => {}
            "call" if is_inert_value(part, file) => {}
            _ => {
                has_literal |= formatted(part, file, MAX_ASSIGNMENT_HOPS);
                has_value = true;
            }
        }
    }
    has_literal && has_value
}

/// A constant value, or a value made safe to splice: a call to one of the vocabulary's
/// `[python.formatting] inert-calls` (quoting, escaping, numbers), `str()` of one, or a
/// tuple or dict of such values.
pub(super) fn is_inert_value(node: Node<'_>, file: &File<'_>) -> bool {
    let text = file.text;
    let all_inert = |parts: &mut dyn Iterator<Item = Node<'_>>| {
        let mut parts = parts.peekable();
        parts.peek().is_some() && parts.all(|part| is_inert_value(part, file))
    };
    match node.kind() {
        "call" => {
            let name = node
                .child_by_field_name("function")
                .map(|callee| match callee.kind() {
                    "attribute" => callee.child_by_field_name("attribute").unwrap_or(callee),
                    _ => callee,
                })
                .and_then(|name| text.get(name.byte_range()))
                .unwrap_or("");
            let arguments = node.child_by_field_name("arguments");
            if name == "str" {
                let mut cursor = node.walk();
                return arguments.is_some_and(|args| {
                    args.named_child_count() == 1
                        && all_inert(&mut args.named_children(&mut cursor))
                });
            }
            listed(&file.vocabulary.python.formatting.inert_calls, name)
        }
        "tuple" | "parenthesized_expression" => {
            let mut cursor = node.walk();
            all_inert(&mut node.named_children(&mut cursor))
        }
        "dictionary" => {
            let mut cursor = node.walk();
            // A `**splat` entry has no value to check: not inert.
            let mut values = node.named_children(&mut cursor).map(|pair| {
                pair.child_by_field_name("value")
                    .filter(|_| pair.kind() == "pair")
                    .unwrap_or(pair)
            });
            all_inert(&mut values)
        }
        _ => is_constant_value(node, text),
    }
}

/// A literal (string without placeholders, number, `None`/`True`/`False`) or an
/// UPPER_CASE name: what `%` can format without building anything at run time.
pub(super) fn is_constant_value(node: Node<'_>, text: &str) -> bool {
    match node.kind() {
        "integer" | "float" | "none" | "true" | "false" => true,
        "identifier" => is_constant_name(text.get(node.byte_range()).unwrap_or("")),
        _ => is_literal(node),
    }
}

pub(super) fn is_constant_name(name: &str) -> bool {
    name.chars().any(|c| c.is_ascii_uppercase())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// A variable given a formatted value earlier in the same function (or module):
/// `q = f"..{x}"`, `q += f"..{x}"`, `let q = format!(..)`, `q = format!(..)`.
pub(super) fn assigned_formatted<'t>(name: Node<'t>, file: &File<'t>, hops: u8) -> bool {
    let wanted = file.text_of(name);
    let scope = file
        .ancestors(name)
        .map(|(ancestor, _)| ancestor)
        .find(|ancestor| is_function_boundary(*ancestor))
        .unwrap_or(file.root);
    let mut found = false;
    visit(scope, &mut |node| {
        if found || node.start_byte() >= name.start_byte() {
            return false;
        }
        if node != scope && is_function_boundary(node) {
            return false;
        }
        let (target, value, augmented) = match node.kind() {
            "assignment" => (
                node.child_by_field_name("left"),
                node.child_by_field_name("right"),
                false,
            ),
            "augmented_assignment" | "compound_assignment_expr" => (
                node.child_by_field_name("left"),
                node.child_by_field_name("right"),
                true,
            ),
            "let_declaration" => (
                node.child_by_field_name("pattern"),
                node.child_by_field_name("value"),
                false,
            ),
            "assignment_expression" => (
                node.child_by_field_name("left"),
                node.child_by_field_name("right"),
                false,
            ),
            _ => return true,
        };
        let targets_name =
            target.is_some_and(|t| t.kind() == "identifier" && file.text_of(t) == wanted);
        if let (true, Some(value)) = (targets_name, value) {
            let constant_literal = matches!(
                value.kind(),
                "string" | "string_literal" | "raw_string_literal"
            ) || (value.kind() == "identifier"
                && is_constant_name(file.text_of(value)));
            found = formatted(value, file, hops) || (augmented && !constant_literal);
        }
        true
    });
    found
}

/// A constant string: a literal without placeholders, or literals joined.
pub(super) fn is_literal(node: Node<'_>) -> bool {
    match node.kind() {
        "string" => !has_child(node, "interpolation"),
        "string_literal" | "raw_string_literal" => true,
        "concatenated_string" | "parenthesized_expression" => {
            let mut cursor = node.walk();
            let mut parts = node.named_children(&mut cursor).peekable();
            parts.peek().is_some() && parts.all(is_literal)
        }
        _ => false,
    }
}
