//! "Generate endpoint" for Django: a view from a comment line (a Django REST framework
//! `@api_view` when the app uses it, else a plain view answering `JsonResponse`), or
//! create/read/update/delete views from a `models.Model` class (a `ModelSerializer` and a
//! `ModelViewSet`, or plain function views), each registered in the app's `urls.py`.
//! The other files come as text in `Project`; this file never reads one.

use std::path::Path;

use tree_sitter::Node;

use super::endpoint::{DataModel, Spec, flask_path, indented, names};
use super::syntax::{
    has_word, indent_at, line_end, line_start, python_from_import, python_from_imports,
    python_import, python_imports, text_of,
};
use super::{Change, Edit, FileEdits, ProjectFile, Source};
use crate::syntax::Language;

/// Whether the app answers with Django REST framework: the file, its `views.py` or its
/// `urls.py` imports `rest_framework`.
pub fn uses_rest_framework(source: &Source<'_>) -> bool {
    let mentions = |file: &Option<ProjectFile>| {
        file.as_ref()
            .is_some_and(|file| file.text.contains("rest_framework"))
    };
    python_imports(source.tree.root_node(), source.text, "rest_framework")
        || mentions(&source.project.views)
        || mentions(&source.project.urls)
}

/// The view `spec` describes, replacing the comment (`replace` makes that edit), and its
/// route in `urls.py`.
pub fn view_from_comment(
    source: &Source<'_>,
    spec: &Spec,
    indent: &str,
    replace: impl Fn(String) -> Edit,
) -> Result<Change, String> {
    let root = source.tree.root_node();
    let text = source.text;
    let mut edits = Vec::new();
    let name = spec.function_name();
    let rest = uses_rest_framework(source);
    let code = if rest {
        rest_view(spec, &name)
    } else {
        plain_view(spec, &name, views_are_async(root, text))
    };
    let wanted: &[(&str, &str)] = if rest {
        &[
            ("rest_framework", "status"),
            ("rest_framework.decorators", "api_view"),
            ("rest_framework.response", "Response"),
        ]
    } else {
        &[
            ("django.http", "HttpResponse"),
            ("django.http", "JsonResponse"),
            ("django.views.decorators.csrf", "csrf_exempt"),
            ("django.views.decorators.http", "require_http_methods"),
        ]
    };
    let used: Vec<(&str, &str)> = wanted
        .iter()
        .copied()
        .filter(|(_, name)| has_word(&code, name))
        .collect();
    edits.extend(from_imports(root, text, &used));
    if code.contains("json.loads") {
        edits.extend(python_import(root, text, "json"));
    }
    edits.push(replace(indented(&code, indent)));
    let route = format!(
        "path(\"{path}\", {{views}}.{name}, name=\"{name}\")",
        path = django_path(&spec.path)
    );
    let elsewhere = register(source, source.path, Registration::Paths(vec![route]))?;
    Ok(Change { edits, elsewhere })
}

/// `from module import a, b`, one line a module, for the `(module, name)` pairs not yet
/// imported.
fn from_imports(root: Node<'_>, text: &str, wanted: &[(&str, &str)]) -> Vec<Edit> {
    let mut modules: Vec<&str> = wanted.iter().map(|(module, _)| *module).collect();
    modules.dedup();
    modules
        .into_iter()
        .filter_map(|module| {
            let names: Vec<&str> = wanted
                .iter()
                .filter(|(from, _)| *from == module)
                .map(|(_, name)| *name)
                .collect();
            python_from_imports(root, text, module, &names)
        })
        .collect()
}

/// `/orders/{id}` -> `orders/<int:id>/`: no leading slash, a trailing one, as Django's
/// URLs are written.
fn django_path(path: &str) -> String {
    let path = flask_path(path);
    let path = path.trim_matches('/');
    if path.is_empty() {
        String::new()
    } else {
        format!("{path}/")
    }
}

/// The view's arguments: the request, then the path parameters.
fn arguments(spec: &Spec) -> String {
    let mut arguments = vec!["request"];
    arguments.extend(spec.parameters());
    arguments.join(", ")
}

fn rest_view(spec: &Spec, name: &str) -> String {
    let echoed = spec.echoed();
    let body = match spec.method.as_str() {
        "POST" => "return Response(request.data, status=status.HTTP_201_CREATED)".to_string(),
        "PUT" | "PATCH" if echoed.is_empty() => "return Response(request.data)".to_string(),
        "PUT" | "PATCH" => format!("return Response({{{echoed}, **request.data}})"),
        "DELETE" => "return Response(status=status.HTTP_204_NO_CONTENT)".to_string(),
        _ if echoed.is_empty() => "return Response([])".to_string(),
        _ => format!("return Response({{{echoed}}})"),
    };
    format!(
        "@api_view([\"{method}\"])\ndef {name}({arguments}):\n    \"\"\"{doc}\"\"\"\n    {body}",
        method = spec.method,
        arguments = arguments(spec),
        doc = spec.docstring(),
    )
}

/// Reads a JSON object from the request body, or answers 400.
const READ_OBJECT: &str = "try:
    payload = json.loads(request.body or b\"{}\")
except json.JSONDecodeError:
    payload = None
if not isinstance(payload, dict):
    return JsonResponse({\"error\": \"the body must be a JSON object\"}, status=400)";

/// Whether the file's views are written `async def`: more of its top-level functions are
/// than are not. (REST framework's `@api_view` has no async form: plain views only.)
fn views_are_async(root: Node<'_>, text: &str) -> bool {
    let mut cursor = root.walk();
    let (mut asynchronous, mut synchronous) = (0, 0);
    for statement in root.named_children(&mut cursor) {
        let function = match statement.kind() {
            "function_definition" => Some(statement),
            "decorated_definition" => statement
                .child_by_field_name("definition")
                .filter(|definition| definition.kind() == "function_definition"),
            _ => None,
        };
        match function {
            Some(function) if text_of(function, text).starts_with("async") => asynchronous += 1,
            Some(_) => synchronous += 1,
            None => {}
        }
    }
    asynchronous > synchronous
}

/// A plain Django view answering JSON; `async def` where the file's views are (Django's
/// method and CSRF decorators take both).
fn plain_view(spec: &Spec, name: &str, is_async: bool) -> String {
    let echoed = spec.echoed();
    let read = indented(READ_OBJECT, "    ");
    let body = match spec.method.as_str() {
        "POST" => format!("{read}\n    return JsonResponse(payload, status=201)"),
        "PUT" | "PATCH" if echoed.is_empty() => format!("{read}\n    return JsonResponse(payload)"),
        "PUT" | "PATCH" => format!("{read}\n    return JsonResponse({{{echoed}, **payload}})"),
        "DELETE" => "    return HttpResponse(status=204)".to_string(),
        _ if echoed.is_empty() => "    return JsonResponse([], safe=False)".to_string(),
        _ => format!("    return JsonResponse({{{echoed}}})"),
    };
    // A JSON API is called without Django's CSRF token; reads need no exemption.
    let exempt = if spec.method == "GET" {
        ""
    } else {
        "@csrf_exempt\n"
    };
    format!(
        "{exempt}@require_http_methods([\"{method}\"])\n{def} {name}({arguments}):\n    \"\"\"{doc}\"\"\"\n{body}",
        def = if is_async { "async def" } else { "def" },
        method = spec.method,
        arguments = arguments(spec),
        doc = spec.docstring(),
    )
}

/// The names of the fields of a Django model class (`name = models.CharField(..)`).
pub fn model_fields(class: Node<'_>, text: &str) -> Vec<String> {
    let Some(body) = class.child_by_field_name("body") else {
        return Vec::new();
    };
    let mut cursor = body.walk();
    body.named_children(&mut cursor)
        .filter(|statement| statement.kind() == "expression_statement")
        .filter_map(|statement| statement.named_child(0))
        .filter(|assignment| assignment.kind() == "assignment")
        .filter_map(|assignment| {
            let left = assignment.child_by_field_name("left")?;
            let right = assignment.child_by_field_name("right")?;
            let is_field = right.kind() == "call"
                && right
                    .child_by_field_name("function")
                    .is_some_and(|function| text_of(function, text).starts_with("models."));
            (is_field && left.kind() == "identifier").then(|| text_of(left, text).to_string())
        })
        .collect()
}

/// Create/read/update/delete views for a Django model, in the app's `views.py` when the
/// model sits in `models.py` beside one, else after the class; routed in `urls.py`.
pub fn crud(source: &Source<'_>, class: Node<'_>, model: &DataModel) -> Result<Change, String> {
    let text = source.text;
    let fields = model_fields(class, text);
    let rest = uses_rest_framework(source);
    let names = names(model);
    let class_name = &model.name;
    let serializer_name = format!("{class_name}Serializer");
    // The app keeps its serializers in serializers.py: the model's goes there (unless it is
    // there already) and the views import it.
    let serializers = source
        .project
        .serializers
        .as_ref()
        .filter(|_| rest && source.project.views.is_some());
    let serializer = {
        let mut listed = vec!["\"id\"".to_string()];
        listed.extend(fields.iter().map(|field| format!("\"{field}\"")));
        format!(
            "class {serializer_name}(serializers.ModelSerializer):
    class Meta:
        model = {class_name}
        fields = [{fields}]",
            fields = listed.join(", "),
        )
    };
    let (code, imports) = if rest {
        let serializer_here = if serializers.is_some() {
            String::new()
        } else {
            format!("{serializer}\n\n\n")
        };
        let mut imports = vec![("rest_framework", "viewsets")];
        if serializers.is_none() {
            imports.insert(0, ("rest_framework", "serializers"));
        }
        (
            format!(
                "{serializer_here}class {class_name}ViewSet(viewsets.ModelViewSet):
    \"\"\"Create, read, update and delete {class_name} records.\"\"\"

    queryset = {class_name}.objects.all()
    serializer_class = {serializer_name}",
            ),
            imports,
        )
    } else {
        (
            plain_crud(class_name, &names.item, &names.key),
            vec![
                ("django.core.exceptions", "ValidationError"),
                ("django.forms.models", "model_to_dict"),
                ("django.http", "HttpResponse"),
                ("django.http", "JsonResponse"),
                ("django.views.decorators.csrf", "csrf_exempt"),
                ("django.views.decorators.http", "require_http_methods"),
            ],
        )
    };
    let routes = if rest {
        Registration::Router {
            prefix: names.path.trim_start_matches('/').to_string(),
            viewset: format!("{class_name}ViewSet"),
        }
    } else {
        let plural = names.path.trim_start_matches('/');
        Registration::Paths(vec![
            format!(
                "path(\"{plural}/\", {{views}}.{item}_list, name=\"{item}_list\")",
                item = names.item
            ),
            format!(
                "path(\"{plural}/<int:{key}>/\", {{views}}.{item}_detail, name=\"{item}_detail\")",
                item = names.item,
                key = names.key
            ),
        ])
    };
    let needs_json = !rest;
    let add_imports = |root: Node<'_>, text: &str, edits: &mut Vec<Edit>| {
        edits.extend(from_imports(root, text, &imports));
        if needs_json {
            edits.extend(python_import(root, text, "json"));
        }
    };
    match &source.project.views {
        // The model lives in models.py: the views go to the views.py beside it.
        Some(views) => {
            let tree = Language::Python
                .parse_str(&views.text)
                .ok_or("views.py could not be parsed")?;
            let root = tree.root_node();
            let mut edits = Vec::new();
            add_imports(root, &views.text, &mut edits);
            edits.extend(python_from_import(root, &views.text, ".models", class_name));
            let mut elsewhere = Vec::new();
            if let Some(serializers) = serializers {
                edits.extend(python_from_import(
                    root,
                    &views.text,
                    ".serializers",
                    &serializer_name,
                ));
                if !defines_class(&serializers.text, &serializer_name) {
                    let tree = Language::Python
                        .parse_str(&serializers.text)
                        .ok_or("serializers.py could not be parsed")?;
                    let root = tree.root_node();
                    let mut added = Vec::new();
                    added.extend(from_imports(
                        root,
                        &serializers.text,
                        &[("rest_framework", "serializers")],
                    ));
                    added.extend(python_from_import(
                        root,
                        &serializers.text,
                        ".models",
                        class_name,
                    ));
                    added.push(append(&serializers.text, &serializer));
                    elsewhere.push(FileEdits {
                        path: serializers.path.clone(),
                        edits: added,
                    });
                }
            }
            edits.push(append(&views.text, &code));
            elsewhere.insert(
                0,
                FileEdits {
                    path: views.path.clone(),
                    edits,
                },
            );
            elsewhere.extend(register(source, Some(&views.path), routes)?);
            Ok(Change {
                edits: Vec::new(),
                elsewhere,
            })
        }
        None => {
            let root = source.tree.root_node();
            let mut edits = Vec::new();
            add_imports(root, text, &mut edits);
            let class_end = class
                .parent()
                .filter(|parent| parent.kind() == "decorated_definition")
                .unwrap_or(class)
                .end_byte();
            let at = line_end(text, class_end);
            edits.push(Edit {
                start_byte: at,
                end_byte: at,
                new_text: format!("\n\n\n{code}"),
            });
            let elsewhere = register(source, source.path, routes)?;
            Ok(Change { edits, elsewhere })
        }
    }
}

/// Whether `text` defines a top-level class `name` (a serializer the app already has).
fn defines_class(text: &str, name: &str) -> bool {
    text.lines().any(|line| {
        line.strip_prefix("class ")
            .and_then(|rest| rest.strip_prefix(name))
            .is_some_and(|rest| rest.starts_with(['(', ':']))
    })
}

fn plain_crud(class: &str, item: &str, key: &str) -> String {
    let read = indented(
        &format!(
            "try:
    {item} = {class}(**json.loads(request.body or b\"{{}}\"))
    {item}.full_clean()
except (json.JSONDecodeError, TypeError, ValueError, ValidationError) as error:
    return JsonResponse({{\"error\": str(error)}}, status=400)"
        ),
        "    ",
    );
    format!(
        "@csrf_exempt
@require_http_methods([\"GET\", \"POST\"])
def {item}_list(request):
    \"\"\"Every {class}, or a new one.\"\"\"
    if request.method == \"GET\":
        return JsonResponse([model_to_dict({item}) for {item} in {class}.objects.all()], safe=False)
{read}
    {item}.save()
    return JsonResponse(model_to_dict({item}), status=201)


@csrf_exempt
@require_http_methods([\"GET\", \"PUT\", \"DELETE\"])
def {item}_detail(request, {key}):
    \"\"\"One {class}: read, replace or remove it.\"\"\"
    stored = {class}.objects.filter(pk={key}).first()
    if stored is None:
        return JsonResponse({{\"error\": f\"{class} {{{key}}} not found\"}}, status=404)
    if request.method == \"DELETE\":
        stored.delete()
        return HttpResponse(status=204)
    if request.method == \"GET\":
        return JsonResponse(model_to_dict(stored))
{read}
    {item}.pk = stored.pk
    {item}.save()
    return JsonResponse(model_to_dict({item}))"
    )
}

/// Code added at the end of a file, two blank lines after what is there. Inserted at the
/// very end, so an import added at the end of an imports-only file stays above it.
fn append(text: &str, code: &str) -> Edit {
    let trailing_newlines = text
        .get(text.trim_end().len()..)
        .unwrap_or_default()
        .matches('\n')
        .count();
    let separator = if text.trim().is_empty() {
        String::new()
    } else {
        "\n".repeat(3usize.saturating_sub(trailing_newlines))
    };
    Edit {
        start_byte: text.len(),
        end_byte: text.len(),
        new_text: format!("{separator}{code}\n"),
    }
}

/// How views are routed: `path(..)` entries (with `{views}` standing for the views module
/// as `urls.py` names it), or a viewset registered with a DRF router.
enum Registration {
    Paths(Vec<String>),
    Router { prefix: String, viewset: String },
}

/// The edits of `urls.py` routing the views of `views_file`, or none when the project has
/// no `urls.py` (the view still works once routed by hand).
fn register(
    source: &Source<'_>,
    views_file: Option<&Path>,
    registration: Registration,
) -> Result<Vec<FileEdits>, String> {
    let Some(urls) = &source.project.urls else {
        return Ok(Vec::new());
    };
    let views_file = views_file.ok_or("save the file first: urls.py imports it by its path")?;
    let tree = Language::Python
        .parse_str(&urls.text)
        .filter(|tree| !tree.root_node().has_error())
        .ok_or_else(|| {
            format!(
                "{} has a syntax error: fix it, then generate the endpoint again",
                urls.path.display()
            )
        })?;
    let root = tree.root_node();
    let text = urls.text.as_str();
    let (import, views) = views_import(
        &urls.path,
        views_file,
        source.project.python_root.as_deref(),
    )?;
    let mut edits = Vec::new();
    let imported = text.lines().any(|line| {
        (line.starts_with("from ") || line.starts_with("import ")) && has_word(line, &views)
    });
    if !imported {
        edits.extend(python_from_import(root, text, &import.0, &import.1));
    }
    match registration {
        Registration::Paths(entries) => {
            edits.extend(python_from_import(root, text, "django.urls", "path"));
            let entries: Vec<String> = entries
                .iter()
                .map(|entry| entry.replace("{views}", &views))
                .collect();
            edits.extend(add_to_urlpatterns(root, text, &entries));
        }
        Registration::Router { prefix, viewset } => {
            let register = format!("register(\"{prefix}\", {views}.{viewset})");
            match router(root, text) {
                Some((name, after)) => edits.push(Edit {
                    start_byte: after,
                    end_byte: after,
                    new_text: format!("\n{name}.{register}"),
                }),
                None => {
                    edits.extend(python_from_import(
                        root,
                        text,
                        "rest_framework.routers",
                        "DefaultRouter",
                    ));
                    let include = if urlpatterns(root, text).is_some() {
                        "urlpatterns += router.urls"
                    } else {
                        "urlpatterns = router.urls"
                    };
                    edits.push(append(
                        text,
                        &format!("router = DefaultRouter()\nrouter.{register}\n{include}"),
                    ));
                }
            }
        }
    }
    Ok(vec![FileEdits {
        path: urls.path.clone(),
        edits,
    }])
}

/// The `from MODULE import NAME [as ALIAS]` that brings the views module into `urls.py`,
/// and the name it is known by there: `views` beside it, `shop_views` from elsewhere.
fn views_import(
    urls: &Path,
    views: &Path,
    python_root: Option<&Path>,
) -> Result<((String, String), String), String> {
    let stem = views
        .file_stem()
        .and_then(|stem| stem.to_str())
        .ok_or("the views file has no name")?;
    let views_dir = views.parent().unwrap_or(Path::new(""));
    let urls_dir = urls.parent().unwrap_or(Path::new(""));
    if views_dir == urls_dir {
        return Ok(((".".into(), stem.into()), stem.into()));
    }
    let dotted = |relative: &Path| -> Option<String> {
        let parts: Vec<&str> = relative
            .components()
            .map(|part| part.as_os_str().to_str())
            .collect::<Option<_>>()?;
        (!parts.is_empty()).then(|| parts.join("."))
    };
    let module = python_root
        .and_then(|root| views_dir.strip_prefix(root).ok())
        .and_then(dotted)
        .or_else(|| {
            views_dir
                .strip_prefix(urls_dir)
                .ok()
                .and_then(dotted)
                .map(|module| format!(".{module}"))
        })
        .ok_or_else(|| {
            format!(
                "{} is not below {}: import its views there by hand",
                views.display(),
                urls.display()
            )
        })?;
    let package = module.rsplit('.').next().unwrap_or(&module).to_string();
    let alias = format!("{package}_{stem}");
    Ok(((module, format!("{stem} as {alias}")), alias))
}

/// The list assigned to `urlpatterns` at the top level of `urls.py`.
fn urlpatterns<'t>(root: Node<'t>, text: &str) -> Option<Node<'t>> {
    let mut cursor = root.walk();
    root.named_children(&mut cursor)
        .filter(|statement| statement.kind() == "expression_statement")
        .filter_map(|statement| statement.named_child(0))
        .filter(|assignment| assignment.kind() == "assignment")
        .find(|assignment| {
            assignment
                .child_by_field_name("left")
                .is_some_and(|left| text_of(left, text) == "urlpatterns")
        })
        .and_then(|assignment| assignment.child_by_field_name("right"))
        .filter(|right| right.kind() == "list")
}

/// `entries` added at the end of `urlpatterns`, one a line as the list is written; a new
/// `urlpatterns` at the end of the file when there is none.
fn add_to_urlpatterns(root: Node<'_>, text: &str, entries: &[String]) -> Vec<Edit> {
    let Some(list) = urlpatterns(root, text) else {
        let lines: Vec<String> = entries
            .iter()
            .map(|entry| format!("    {entry},"))
            .collect();
        return vec![append(
            text,
            &format!("urlpatterns = [\n{}\n]", lines.join("\n")),
        )];
    };
    let mut cursor = list.walk();
    let last = list
        .named_children(&mut cursor)
        .filter(|child| child.kind() != "comment")
        .last();
    let close = list.end_byte().saturating_sub(1);
    let Some(last) = last else {
        let lines: Vec<String> = entries
            .iter()
            .map(|entry| format!("    {entry},\n"))
            .collect();
        return vec![Edit {
            start_byte: close,
            end_byte: close,
            new_text: format!("\n{}", lines.concat()),
        }];
    };
    let multiline = text_of(list, text).contains('\n');
    let after_last = text.get(last.end_byte()..close).unwrap_or_default();
    let trailing_comma = after_last.trim_start().starts_with(',');
    let at = if trailing_comma {
        last.end_byte() + after_last.find(',').map_or(0, |comma| comma + 1)
    } else {
        last.end_byte()
    };
    if multiline {
        let indent = indent_at(text, last.start_byte());
        let lines: Vec<String> = entries
            .iter()
            .map(|entry| format!("\n{indent}{entry},"))
            .collect();
        let mut edits = Vec::new();
        if !trailing_comma {
            edits.push(Edit {
                start_byte: at,
                end_byte: at,
                new_text: ",".into(),
            });
        }
        // A comment ending the last entry's line stays with that entry.
        let rest = text.get(at..line_end(text, at)).unwrap_or_default();
        let at = if rest.trim_start().starts_with('#') {
            line_end(text, at)
        } else {
            at
        };
        edits.push(Edit {
            start_byte: at,
            end_byte: at,
            new_text: lines.concat(),
        });
        return edits;
    }
    let new_text = {
        let items = entries.join(", ");
        let line = text
            .get(line_start(text, list.start_byte())..line_end(text, list.end_byte()))
            .unwrap_or_default();
        // Past black's line length, the list is rewritten one entry a line.
        if line.len() + items.len() + 2 > 88 {
            let indent = format!("{}    ", indent_at(text, list.start_byte()));
            let mut cursor = list.walk();
            let lines: Vec<String> = list
                .named_children(&mut cursor)
                .map(|child| text_of(child, text).to_string())
                .chain(entries.iter().cloned())
                .map(|entry| format!("{indent}{entry},\n"))
                .collect();
            return vec![Edit {
                start_byte: list.start_byte(),
                end_byte: list.end_byte(),
                new_text: format!(
                    "[\n{}{}]",
                    lines.concat(),
                    indent_at(text, list.start_byte())
                ),
            }];
        }
        if trailing_comma {
            format!(" {items},")
        } else {
            format!(", {items}")
        }
    };
    vec![Edit {
        start_byte: at,
        end_byte: at,
        new_text,
    }]
}

/// A DRF router of `urls.py` (`router = DefaultRouter()`): its name, and the end of the
/// last statement that registers on it (or defines it).
fn router(root: Node<'_>, text: &str) -> Option<(String, usize)> {
    let mut found: Option<(String, usize)> = None;
    let mut cursor = root.walk();
    for statement in root.named_children(&mut cursor) {
        let code = text_of(statement, text);
        match &mut found {
            None => {
                let Some((name, value)) = code.split_once('=') else {
                    continue;
                };
                let value = value.trim();
                if value.starts_with("DefaultRouter(")
                    || value.starts_with("SimpleRouter(")
                    || value.contains("routers.DefaultRouter(")
                    || value.contains("routers.SimpleRouter(")
                {
                    found = Some((name.trim().to_string(), statement.end_byte()));
                }
            }
            Some((name, end)) => {
                if code.starts_with(&format!("{name}.register(")) {
                    *end = statement.end_byte();
                }
            }
        }
    }
    found.filter(|(name, _)| !name.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actions::apply;

    fn added(urls: &str, entries: &[&str]) -> String {
        let tree = Language::Python.parse_str(urls).unwrap();
        let entries: Vec<String> = entries.iter().map(|entry| entry.to_string()).collect();
        apply(urls, &add_to_urlpatterns(tree.root_node(), urls, &entries))
    }

    #[test]
    fn a_route_joins_urlpatterns_as_the_list_is_written() {
        assert_eq!(
            added(
                "urlpatterns = [\n    path(\"a/\", views.a),\n]\n",
                &["path(\"b/\", views.b)"]
            ),
            "urlpatterns = [\n    path(\"a/\", views.a),\n    path(\"b/\", views.b),\n]\n"
        );
        assert_eq!(
            added("urlpatterns = [\n    path(\"a/\", views.a)\n]\n", &["B"]),
            "urlpatterns = [\n    path(\"a/\", views.a),\n    B,\n]\n"
        );
        assert_eq!(
            added("urlpatterns = [A]\n", &["B"]),
            "urlpatterns = [A, B]\n"
        );
        assert_eq!(
            added(
                "urlpatterns = [\n    A  # the first\n    # more to come\n]\n",
                &["B"]
            ),
            "urlpatterns = [\n    A,  # the first\n    B,\n    # more to come\n]\n"
        );
        assert_eq!(
            added("urlpatterns = []\n", &["B"]),
            "urlpatterns = [\n    B,\n]\n"
        );
        assert_eq!(
            added("from x import y\n", &["B"]),
            "from x import y\n\n\nurlpatterns = [\n    B,\n]\n"
        );
    }

    #[test]
    fn views_are_imported_beside_urls_or_by_their_package() {
        let beside = views_import(
            Path::new("/p/shop/urls.py"),
            Path::new("/p/shop/views.py"),
            None,
        );
        assert_eq!(beside, Ok(((".".into(), "views".into()), "views".into())));
        let below = views_import(
            Path::new("/p/site/urls.py"),
            Path::new("/p/site/shop/views.py"),
            Some(Path::new("/p")),
        );
        assert_eq!(
            below,
            Ok((
                ("site.shop".into(), "views as shop_views".into()),
                "shop_views".into()
            ))
        );
        assert_eq!(django_path("/orders/{id}"), "orders/<int:id>/");
        assert_eq!(django_path("/"), "");
    }
}
