//! "Add error handling" for Python: the statements of a function that make risky calls
//! (HTTP, database, files, subprocesses, parsing) go inside one `try`, whose `except`
//! names the libraries' own exceptions, logs with `logger.exception` and answers the
//! framework's way (FastAPI `HTTPException`, Flask `abort`) or re-raises.

use tree_sitter::Node;

use super::syntax::{
    Modules, descendants, enclosing, indent_at, line_end, line_start, python_from_import,
    python_import, python_imports, python_modules, text_of,
};
use super::{ActionId, Candidate, Edit, Source};

/// What a risky call can raise, and how a web handler should answer it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Risk {
    /// The exception as written in the `except` clause.
    exception: &'static str,
    /// `(module, name)` of a `from module import name` the exception needs, if any.
    from_import: Option<(&'static str, &'static str)>,
    /// `import module` the exception needs, if any.
    import: Option<&'static str>,
    /// A failure of another service (502) rather than of this one (500).
    upstream: bool,
}

const fn risk(exception: &'static str, import: &'static str, upstream: bool) -> Risk {
    Risk {
        exception,
        from_import: None,
        import: Some(import),
        upstream,
    }
}

const REQUESTS: Risk = risk("requests.RequestException", "requests", true);
const HTTPX: Risk = risk("httpx.HTTPError", "httpx", true);
const JSON: Risk = risk("json.JSONDecodeError", "json", false);
const YAML: Risk = risk("yaml.YAMLError", "yaml", false);
const SUBPROCESS: Risk = risk("subprocess.SubprocessError", "subprocess", false);
const OS: Risk = Risk {
    exception: "OSError",
    from_import: None,
    import: None,
    upstream: false,
};
const SQLALCHEMY: Risk = Risk {
    exception: "SQLAlchemyError",
    from_import: Some(("sqlalchemy.exc", "SQLAlchemyError")),
    import: None,
    upstream: false,
};

/// Module functions that raise, by qualified name prefix.
const MODULE_CALLS: &[(&str, Risk)] = &[
    ("requests.", REQUESTS),
    ("httpx.", HTTPX),
    ("json.load", JSON),
    ("yaml.safe_load", YAML),
    ("yaml.load", YAML),
    ("subprocess.run", SUBPROCESS),
    ("subprocess.check_", SUBPROCESS),
    ("subprocess.call", SUBPROCESS),
    ("subprocess.Popen", SUBPROCESS),
    ("shutil.", OS),
    ("os.remove", OS),
    ("os.rename", OS),
    ("os.replace", OS),
    ("os.makedirs", OS),
    ("os.mkdir", OS),
    ("os.listdir", OS),
    ("os.unlink", OS),
    ("os.rmdir", OS),
    ("os.stat", OS),
];

/// Methods of `pathlib.Path` that touch the file system.
const PATH_METHODS: &[&str] = &[
    "read_text",
    "write_text",
    "read_bytes",
    "write_bytes",
    "unlink",
    "mkdir",
    "rmdir",
    "iterdir",
    "rename",
];

/// Methods of an HTTP client or session object (`client.get(...)`).
const HTTP_METHODS: &[&str] = &[
    "get", "post", "put", "patch", "delete", "head", "request", "send",
];

/// Methods of a database session or connection.
const DB_METHODS: &[&str] = &["execute", "commit", "flush", "scalars", "scalar", "refresh"];

/// The framework a function answers requests for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Framework {
    FastApi,
    Flask,
}

/// The framework whose route decorator sits on `definition` (a `decorated_definition`).
pub(super) fn handler_framework(
    definition: Node<'_>,
    root: Node<'_>,
    text: &str,
) -> Option<Framework> {
    if definition.kind() != "decorated_definition" {
        return None;
    }
    let mut cursor = definition.walk();
    let routes = definition
        .children(&mut cursor)
        .filter(|child| child.kind() == "decorator")
        .any(|decorator| {
            let decorator = text_of(decorator, text);
            [
                ".get(",
                ".post(",
                ".put(",
                ".patch(",
                ".delete(",
                ".route(",
                ".api_route(",
            ]
            .iter()
            .any(|method| decorator.contains(method))
        });
    if !routes {
        None
    } else if python_imports(root, text, "fastapi") {
        Some(Framework::FastApi)
    } else if python_imports(root, text, "flask") {
        Some(Framework::Flask)
    } else {
        None
    }
}

/// The function at the cursor, with its decorators.
fn function_at<'t>(root: Node<'t>, start: usize, end: usize) -> Option<(Node<'t>, Node<'t>)> {
    let function = enclosing(root, start, end, &["function_definition"])?;
    let definition = function
        .parent()
        .filter(|parent| parent.kind() == "decorated_definition")
        .unwrap_or(function);
    Some((definition, function))
}

/// The function (with its decorators) a candidate was listed for.
fn listed_function<'t>(root: Node<'t>, candidate: &Candidate) -> Option<(Node<'t>, Node<'t>)> {
    let kinds = ["decorated_definition", "function_definition"];
    let definition = enclosing(root, candidate.start_byte, candidate.end_byte, &kinds)?;
    let function = match definition.kind() {
        "decorated_definition" => definition.child_by_field_name("definition")?,
        _ => definition,
    };
    Some((definition, function))
}

pub fn error_handling_candidate(
    source: &Source<'_>,
    start: usize,
    end: usize,
) -> Option<Candidate> {
    let root = source.tree.root_node();
    let (definition, function) = function_at(root, start, end)?;
    let body = function.child_by_field_name("body")?;
    let modules = python_modules(root, source.text);
    if risky_statements(body, &modules, source.text).is_empty() {
        return None;
    }
    let name = text_of(function.child_by_field_name("name")?, source.text);
    Some(Candidate {
        id: ActionId::AddErrorHandling,
        title: format!("Add error handling to `{name}`"),
        start_byte: definition.start_byte(),
        end_byte: definition.end_byte(),
        finding: None,
    })
}

/// The statements of `body` (its own, not nested functions') that make a risky call outside
/// any `try`, each with the risks of its calls.
fn risky_statements<'t>(
    body: Node<'t>,
    modules: &Modules,
    text: &str,
) -> Vec<(Node<'t>, Vec<Risk>)> {
    let mut cursor = body.walk();
    body.named_children(&mut cursor)
        .filter_map(|statement| {
            let nested = |node: Node<'_>| {
                matches!(
                    node.kind(),
                    "function_definition" | "lambda" | "class_definition" | "try_statement"
                )
            };
            if nested(statement) {
                return None;
            }
            let mut risks: Vec<Risk> = descendants(statement, &nested)
                .into_iter()
                .filter(|node| node.kind() == "call")
                .filter_map(|call| call_risk(call, modules, text))
                .collect();
            risks.dedup();
            (!risks.is_empty()).then_some((statement, risks))
        })
        .collect()
}

fn call_risk(call: Node<'_>, modules: &Modules, text: &str) -> Option<Risk> {
    let callee = call.child_by_field_name("function")?;
    let name = text_of(callee, text);
    if name == "open" {
        return Some(OS);
    }
    if let Some((_, risk)) = MODULE_CALLS
        .iter()
        .find(|(prefix, _)| name.starts_with(prefix))
    {
        return Some(*risk);
    }
    if callee.kind() != "attribute" {
        return None;
    }
    let method = text_of(callee.child_by_field_name("attribute")?, text);
    let receiver = text_of(callee.child_by_field_name("object")?, text).to_lowercase();
    if PATH_METHODS.contains(&method) && (receiver.contains("path") || receiver.contains("file")) {
        return Some(OS);
    }
    let database = ["session", "db", "conn", "connection", "cursor"]
        .iter()
        .any(|word| receiver.ends_with(word));
    let sql = ["sqlalchemy", "flask_sqlalchemy", "sqlmodel"]
        .iter()
        .any(|module| modules.has(module));
    if sql && database && DB_METHODS.contains(&method) {
        return Some(SQLALCHEMY);
    }
    let client = receiver.ends_with("client") || receiver.ends_with("session");
    // A response's `raise_for_status()` raises the HTTP library's own error.
    if (client && HTTP_METHODS.contains(&method)) || method == "raise_for_status" {
        if modules.has("httpx") {
            return Some(HTTPX);
        }
        if modules.has("requests") {
            return Some(REQUESTS);
        }
    }
    None
}

pub fn add_error_handling(source: &Source<'_>, candidate: &Candidate) -> Result<Vec<Edit>, String> {
    let text = source.text;
    let root = source.tree.root_node();
    let (definition, function) =
        listed_function(root, candidate).ok_or("no Python function here any more")?;
    let body = function
        .child_by_field_name("body")
        .ok_or("the function has no body")?;
    let name = function
        .child_by_field_name("name")
        .map_or("function", |name| text_of(name, text));
    let statements = risky_statements(body, &python_modules(root, text), text);
    let (Some((first, _)), Some((last, _))) = (statements.first(), statements.last()) else {
        return Err(format!("`{name}` makes no risky call outside a try"));
    };
    let mut risks: Vec<Risk> = Vec::new();
    for (_, found) in &statements {
        for risk in found {
            if !risks.contains(risk) {
                risks.push(*risk);
            }
        }
    }

    let indent = indent_at(text, first.start_byte()).to_string();
    let def_indent = indent_at(text, function.start_byte());
    let unit = indent
        .strip_prefix(def_indent)
        .filter(|unit| !unit.is_empty())
        .unwrap_or("    ");
    let inner = format!("{indent}{unit}");
    let start = line_start(text, first.start_byte());
    let end = line_end(text, last.end_byte());
    let wrapped = reindent(text, start, end, unit, &string_lines(*first, *last));

    let mut edits = Vec::new();
    let (logger, logger_edits) = module_logger(root, text);
    edits.extend(logger_edits);
    for risk in &risks {
        if let Some(module) = risk.import {
            edits.extend(python_import(root, text, module));
        }
        if let Some((module, imported)) = risk.from_import {
            edits.extend(python_from_import(root, text, module, imported));
        }
    }

    let upstream = risks.iter().any(|risk| risk.upstream);
    let exceptions = risks.iter().map(|risk| risk.exception).collect::<Vec<_>>();
    let caught = match exceptions.as_slice() {
        [one] => one.to_string(),
        many => format!("({})", many.join(", ")),
    };
    let what = if upstream {
        "upstream call"
    } else {
        "operation"
    };
    let (binding, answer) = match handler_framework(definition, root, text) {
        Some(Framework::FastApi) => {
            edits.extend(python_from_import(root, text, "fastapi", "HTTPException"));
            let status = if upstream { 502 } else { 500 };
            (
                " as exc",
                format!(
                    "raise HTTPException(status_code={status}, detail=\"{name}: {what} failed\") from exc"
                ),
            )
        }
        Some(Framework::Flask) => {
            edits.extend(python_from_import(root, text, "flask", "abort"));
            let status = if upstream { 502 } else { 500 };
            ("", format!("abort({status})"))
        }
        None => ("", "raise".to_string()),
    };
    let rewritten = format!(
        "{indent}try:\n{wrapped}\n{indent}except {caught}{binding}:\n\
         {inner}{logger}.exception(\"{name}: {what} failed\")\n{inner}{answer}"
    );
    edits.push(Edit {
        start_byte: start,
        end_byte: end,
        new_text: rewritten,
    });
    Ok(edits)
}

/// The module's logger variable (`logger = logging.getLogger(...)`), and the edits that
/// create one when the module has none.
fn module_logger(root: Node<'_>, text: &str) -> (String, Vec<Edit>) {
    let mut cursor = root.walk();
    let existing = root
        .named_children(&mut cursor)
        .filter(|statement| statement.kind() == "expression_statement")
        .filter_map(|statement| statement.named_child(0))
        .filter(|assignment| assignment.kind() == "assignment")
        .find_map(|assignment| {
            let right = text_of(assignment.child_by_field_name("right")?, text);
            let left = assignment.child_by_field_name("left")?;
            (right.starts_with("logging.getLogger(") && left.kind() == "identifier")
                .then(|| text_of(left, text).to_string())
        });
    if let Some(name) = existing {
        return (name, Vec::new());
    }
    let mut edits: Vec<Edit> = python_import(root, text, "logging").into_iter().collect();
    // Right after the imports (where the import above also goes), before any code.
    let at = edits
        .first()
        .map(|edit| edit.start_byte)
        .unwrap_or_else(|| {
            let mut at = 0;
            let mut cursor = root.walk();
            for statement in root.named_children(&mut cursor) {
                if statement.kind().contains("import") {
                    at = (line_end(text, statement.end_byte()) + 1).min(text.len());
                }
            }
            at
        });
    let lead = if at == text.len() && !text.ends_with('\n') {
        "\n"
    } else {
        ""
    };
    edits.push(Edit {
        start_byte: at,
        end_byte: at,
        new_text: format!("{lead}\nlogger = logging.getLogger(__name__)\n"),
    });
    ("logger".to_string(), edits)
}

/// Byte offsets of line starts that lie inside a multi-line string between `first` and
/// `last`: re-indenting those lines would change the string.
fn string_lines(first: Node<'_>, last: Node<'_>) -> Vec<(usize, usize)> {
    let mut ranges = Vec::new();
    let mut node = Some(first);
    while let Some(statement) = node {
        for string in descendants(statement, &|_| false) {
            if string.kind() == "string" && string.start_position().row != string.end_position().row
            {
                ranges.push((string.start_byte(), string.end_byte()));
            }
        }
        if statement == last {
            break;
        }
        node = statement.next_named_sibling();
    }
    ranges
}

/// The lines of `start..end`, each indented by `unit` more, except lines that start inside
/// one of `strings`.
fn reindent(
    text: &str,
    start: usize,
    end: usize,
    unit: &str,
    strings: &[(usize, usize)],
) -> String {
    let mut out = String::new();
    let mut at = start;
    for line in text.get(start..end).unwrap_or_default().split('\n') {
        let inside = strings.iter().any(|(from, to)| *from < at && at < *to);
        if !out.is_empty() {
            out.push('\n');
        }
        if !inside && !line.trim().is_empty() {
            out.push_str(unit);
        }
        out.push_str(line);
        at += line.len() + 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actions::{Project, apply, list};
    use crate::syntax::Language;

    /// Calls `body` with `text` as a Python source of a project with no facts.
    fn with_source<R>(text: &str, body: impl FnOnce(&Source) -> R) -> R {
        let tree = Language::Python.parse_str(text).unwrap();
        let project = Project::default();
        body(&Source {
            text,
            tree: &tree,
            language: Language::Python,
            path: None,
            project: &project,
        })
    }

    fn run(text: &str, line_with: &str) -> String {
        with_source(text, |source| {
            let at = text.find(line_with).unwrap();
            let candidate = list(source, at, at)
                .into_iter()
                .find(|candidate| candidate.id == ActionId::AddErrorHandling)
                .expect("offered");
            let edits = add_error_handling(source, &candidate).unwrap();
            apply(text, &edits)
        })
    }

    #[test]
    fn a_fastapi_handler_answers_502_when_the_upstream_call_fails() {
        let text = "\
from fastapi import FastAPI
import requests

app = FastAPI()


@app.get(\"/rates\")
def rates():
    \"\"\"Rates.\"\"\"
    response = requests.get(\"https://example.com/rates\", timeout=5)
    response.raise_for_status()
    return response.json()
";
        let fixed = run(text, "response.raise");
        assert_eq!(
            fixed,
            "\
from fastapi import FastAPI, HTTPException
import requests
import logging

logger = logging.getLogger(__name__)

app = FastAPI()


@app.get(\"/rates\")
def rates():
    \"\"\"Rates.\"\"\"
    try:
        response = requests.get(\"https://example.com/rates\", timeout=5)
        response.raise_for_status()
    except requests.RequestException as exc:
        logger.exception(\"rates: upstream call failed\")
        raise HTTPException(status_code=502, detail=\"rates: upstream call failed\") from exc
    return response.json()
"
        );
    }

    #[test]
    fn a_flask_view_aborts_and_a_plain_function_logs_and_reraises() {
        let flask = "\
import json
import logging
from flask import Flask

log = logging.getLogger(__name__)
app = Flask(__name__)


@app.route(\"/config\")
def config():
    with open(\"config.json\") as handle:
        return json.loads(handle.read())
";
        let fixed = run(flask, "with open");
        assert!(
            fixed.contains("from flask import Flask, abort\n"),
            "{fixed}"
        );
        assert!(
            fixed.contains(
                "    try:\n        with open(\"config.json\") as handle:\n            return json.loads(handle.read())\n    except (OSError, json.JSONDecodeError):\n        log.exception(\"config: operation failed\")\n        abort(500)\n"
            ),
            "{fixed}"
        );

        let plain =
            "import subprocess\n\ndef build():\n    subprocess.run([\"make\"], check=True)\n";
        let fixed = run(plain, "subprocess.run(");
        assert!(fixed.contains("except subprocess.SubprocessError:\n        logger.exception(\"build: operation failed\")\n        raise\n"), "{fixed}");
        assert!(fixed.contains("import logging\n"), "{fixed}");
    }

    #[test]
    fn a_function_without_risky_calls_or_already_guarded_is_not_offered() {
        let text = "import requests\n\ndef safe(x):\n    return x + 1\n\ndef guarded():\n    try:\n        requests.get(\"u\", timeout=1)\n    except requests.RequestException:\n        pass\n";
        with_source(text, |source| {
            for line in ["return x", "requests.get"] {
                let at = text.find(line).unwrap();
                assert!(list(source, at, at).is_empty(), "offered at {line}");
            }
        });
    }

    #[test]
    fn lines_inside_a_multiline_string_keep_their_indentation() {
        let text = "import subprocess\n\ndef run():\n    subprocess.run([\"sh\", \"-c\", \"\"\"\necho hi\n\"\"\"], check=True)\n";
        let fixed = run(text, "subprocess.run(");
        assert!(
            fixed.contains(
                "        subprocess.run([\"sh\", \"-c\", \"\"\"\necho hi\n\"\"\"], check=True)\n"
            ),
            "{fixed}"
        );
    }
}
