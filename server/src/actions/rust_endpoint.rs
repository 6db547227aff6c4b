//! "Generate endpoint" for Rust web services: an axum or actix-web handler from a comment
//! line, and create/read/update/delete handlers over an in-memory store from a serde
//! struct. Handlers are registered where the file registers its routes: the `Router::new()`
//! chain (axum), the `App::new()` chain or a `ServiceConfig` function (actix-web), with
//! actix's route macros or `.route(path, web::get().to(..))`, whichever the file uses.

use tree_sitter::Node;

use super::endpoint::{DataModel, Spec, indented, names, numeric};
use super::syntax::{
    descendants, has_word, indent_at, line_end, line_start, rust_use, rust_uses, text_of,
};
use super::{Edit, Source};

/// The Rust web framework a file serves with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Web {
    Axum,
    Actix,
}

/// The framework of `source`: from its `use` lines, else from the crate's dependencies.
pub fn web_framework(source: &Source<'_>) -> Option<Web> {
    if has_word(source.text, "actix_web") {
        Some(Web::Actix)
    } else if has_word(source.text, "axum") {
        Some(Web::Axum)
    } else if source.project.depends_on("actix-web") {
        Some(Web::Actix)
    } else if source.project.depends_on("axum") {
        Some(Web::Axum)
    } else {
        None
    }
}

/// A struct serde can read and write: `#[derive(Serialize, Deserialize)]` above it. Returns
/// the model and the first byte of its attributes.
pub fn serde_struct(item: Node<'_>, text: &str) -> Option<(DataModel, usize)> {
    if item.kind() != "struct_item" {
        return None;
    }
    let name = text_of(item.child_by_field_name("name")?, text).to_string();
    let mut start = item.start_byte();
    let mut derives = String::new();
    let mut previous = item.prev_named_sibling();
    while let Some(attribute) = previous.filter(|node| {
        node.kind() == "attribute_item" || (node.kind() == "line_comment" && is_doc(*node, text))
    }) {
        derives.push_str(text_of(attribute, text));
        start = attribute.start_byte();
        previous = attribute.prev_named_sibling();
    }
    (has_word(&derives, "Serialize") && has_word(&derives, "Deserialize"))
        .then_some((DataModel::serde(name), start))
}

fn is_doc(comment: Node<'_>, text: &str) -> bool {
    text_of(comment, text).starts_with("///")
}

/// The handler `spec` describes, replacing the comment, and its registration.
pub fn from_comment(
    source: &Source<'_>,
    web: Web,
    spec: &Spec,
    indent: &str,
    replace: impl Fn(String) -> Edit,
) -> Result<Vec<Edit>, String> {
    match web {
        Web::Axum => axum_endpoint(source, spec, indent, replace),
        Web::Actix => actix_endpoint(source, spec, indent, replace),
    }
}

/// Path parameters as one extractor type: `u64`, or `(u64, String)` for several.
fn path_type(parameters: &[&str]) -> (String, String) {
    let types: Vec<&str> = parameters
        .iter()
        .map(|name| if numeric(name) { "u64" } else { "String" })
        .collect();
    match (parameters, types.as_slice()) {
        ([one], [ty]) => (one.to_string(), ty.to_string()),
        _ => (
            format!("({})", parameters.join(", ")),
            format!("({})", types.join(", ")),
        ),
    }
}

fn axum_endpoint(
    source: &Source<'_>,
    spec: &Spec,
    indent: &str,
    replace: impl Fn(String) -> Edit,
) -> Result<Vec<Edit>, String> {
    let text = source.text;
    let root = source.tree.root_node();
    let name = spec.function_name();
    let parameters = spec.parameters();
    let mut arguments = Vec::new();
    let mut edits = Vec::new();
    if !parameters.is_empty() {
        let (pattern, ty) = path_type(&parameters);
        // A delete answers without reading its parameters.
        let pattern = if spec.method == "DELETE" {
            "_".to_string()
        } else {
            pattern
        };
        arguments.push(format!("Path({pattern}): Path<{ty}>"));
        edits.extend(rust_use(root, text, "axum::extract::Path", "Path"));
    }
    let echoed = spec.echoed();
    let (returns, body) = match spec.method.as_str() {
        "POST" => {
            arguments.push("Json(payload): Json<serde_json::Value>".into());
            (
                "(StatusCode, Json<serde_json::Value>)",
                "(StatusCode::CREATED, Json(payload))".to_string(),
            )
        }
        "PUT" | "PATCH" => {
            arguments.push("Json(payload): Json<serde_json::Value>".into());
            let body = if echoed.is_empty() {
                "Json(payload)".to_string()
            } else {
                format!("Json(serde_json::json!({{ {echoed}, \"data\": payload }}))")
            };
            ("Json<serde_json::Value>", body)
        }
        "DELETE" => ("StatusCode", "StatusCode::NO_CONTENT".to_string()),
        _ if echoed.is_empty() => (
            "Json<Vec<serde_json::Value>>",
            "Json(Vec::new())".to_string(),
        ),
        _ => (
            "Json<serde_json::Value>",
            format!("Json(serde_json::json!({{ {echoed} }}))"),
        ),
    };
    edits.extend(axum_uses(root, text, returns));
    let method = spec.method.to_lowercase();
    edits.extend(rust_use(
        root,
        text,
        &format!("axum::routing::{method}"),
        &method,
    ));
    let code = format!(
        "/// {doc}\nasync fn {name}({arguments}) -> {returns} {{\n    {body}\n}}",
        doc = spec.docstring(),
        arguments = arguments.join(", "),
    );
    edits.push(replace(indented(&code, indent)));
    let router = axum_router(root, text)?;
    edits.push(register(
        text,
        router,
        &["route"],
        &[format!(
            ".route(\"{}\", {method}({name}))",
            axum_path(text, &spec.path)
        )],
    ));
    Ok(edits)
}

/// `path` as the file's routes write parameters: `{id}` (axum 0.8), or `:id` when they
/// use the colon of earlier versions.
fn axum_path(text: &str, path: &str) -> String {
    let colons = text
        .match_indices(".route(\"")
        .filter_map(|(at, call)| text.get(at + call.len()..)?.split('"').next())
        .any(|route| route.contains("/:"));
    if !colons {
        return path.to_string();
    }
    path.split('/')
        .map(
            |segment| match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) => format!(":{name}"),
                None => segment.to_string(),
            },
        )
        .collect::<Vec<_>>()
        .join("/")
}

/// The `use` lines for axum's `Json` and `StatusCode` when `code` names them.
fn axum_uses(root: Node<'_>, text: &str, code: &str) -> Vec<Edit> {
    let mut edits = Vec::new();
    if has_word(code, "Json") {
        edits.extend(rust_use(root, text, "axum::Json", "Json"));
    }
    if has_word(code, "StatusCode") {
        edits.extend(rust_use(root, text, "axum::http::StatusCode", "StatusCode"));
    }
    edits
}

/// The file's `Router::new()` call, where axum routes are chained.
fn axum_router<'t>(root: Node<'t>, text: &str) -> Result<Node<'t>, String> {
    descendants(root, &|_| false)
        .into_iter()
        .find(|node| {
            node.kind() == "call_expression"
                && node
                    .child_by_field_name("function")
                    .is_some_and(|callee| text_of(callee, text).ends_with("Router::new"))
        })
        .ok_or_else(|| "no `Router::new()` in this file to register the route in".to_string())
}

/// Where actix-web routes are chained: the parameter of a function taking a
/// `ServiceConfig` (the project's route table), else the file's `App::new()` call.
fn actix_chain<'t>(root: Node<'t>, text: &str) -> Option<Node<'t>> {
    let nodes = descendants(root, &|_| false);
    let config = nodes.iter().find_map(|node| {
        if node.kind() != "parameter" || !text_of(*node, text).contains("ServiceConfig") {
            return None;
        }
        let name = text_of(node.child_by_field_name("pattern")?, text);
        let function = crate::syntax::ancestors(root, *node)
            .find(|ancestor| ancestor.kind() == "function_item")?;
        let body = function.child_by_field_name("body")?;
        descendants(body, &|_| false).into_iter().find(|use_| {
            use_.kind() == "identifier"
                && text_of(*use_, text) == name
                && use_
                    .parent()
                    .is_some_and(|parent| parent.kind() == "field_expression")
        })
    });
    config.or_else(|| {
        nodes.into_iter().find(|node| {
            node.kind() == "call_expression"
                && node
                    .child_by_field_name("function")
                    .is_some_and(|callee| text_of(callee, text).ends_with("App::new"))
        })
    })
}

/// `calls` (`.route(..)`, `.service(..)`) after the last call named in `methods` of the
/// method chain starting at `start`: each on a line of its own when the chain is written
/// so or would grow past rustfmt's line width, else on the same line.
fn register(text: &str, start: Node<'_>, methods: &[&str], calls: &[String]) -> Edit {
    // Climb the method chain: each call is a call whose callee holds the chain so far.
    let mut last = start;
    let mut node = start;
    while let Some(field) = node
        .parent()
        .filter(|parent| parent.kind() == "field_expression")
    {
        let Some(outer) = field
            .parent()
            .filter(|parent| parent.kind() == "call_expression")
        else {
            break;
        };
        let method = field
            .child_by_field_name("field")
            .map(|field| text_of(field, text));
        if method.is_some_and(|method| methods.contains(&method)) {
            last = outer;
        }
        node = outer;
    }
    let line_begins_with_dot = |node: Node<'_>| {
        let start = line_start(text, node.end_byte());
        text.get(start..)
            .is_some_and(|line| line.trim_start().starts_with('.'))
    };
    let line = text
        .get(line_start(text, last.end_byte())..line_end(text, last.end_byte()))
        .unwrap_or_default();
    let grown = line.len() + calls.iter().map(String::len).sum::<usize>();
    let separator = if last != start && line_begins_with_dot(last) {
        format!("\n{}", indent_at(text, last.end_byte()))
    } else if grown > 100 {
        format!("\n{}    ", indent_at(text, last.end_byte()))
    } else {
        String::new()
    };
    let new_text: Vec<String> = calls
        .iter()
        .map(|call| format!("{separator}{call}"))
        .collect();
    Edit {
        start_byte: last.end_byte(),
        end_byte: last.end_byte(),
        new_text: new_text.concat(),
    }
}

/// How an actix-web file routes its handlers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ActixStyle {
    /// `#[get("/path")]` on the handler, `.service(handler)` in the chain.
    Macros,
    /// `.route("/path", web::get().to(handler))`.
    Routes,
    /// `.service(web::resource("/path").route(web::get().to(handler)))`.
    Resources,
}

/// The style of the file's routes; route macros when it has none yet.
fn actix_style(text: &str) -> ActixStyle {
    let macros = ["get", "post", "put", "patch", "delete", "route"];
    let uses_macros = macros.iter().any(|name| {
        text.contains(&format!("#[{name}(")) || text.contains(&format!("#[actix_web::{name}("))
    });
    if uses_macros {
        ActixStyle::Macros
    } else if text.contains("web::resource(") {
        ActixStyle::Resources
    } else if text.contains(".to(") {
        ActixStyle::Routes
    } else {
        ActixStyle::Macros
    }
}

/// The attribute a handler answering `method` at `path` carries (macro style only).
fn actix_attribute(style: ActixStyle, method: &str, path: &str) -> String {
    match style {
        ActixStyle::Macros => format!("#[{}(\"{path}\")]\n", method.to_lowercase()),
        ActixStyle::Routes | ActixStyle::Resources => String::new(),
    }
}

/// What the chain gains for handlers `(method, path, name)`: one resource a path in
/// resource style (two resources of one path would answer 405 for the second's methods).
fn actix_registrations(style: ActixStyle, handlers: &[(&str, &str, String)]) -> Vec<String> {
    let to = |method: &str, name: &str| format!("web::{}().to({name})", method.to_lowercase());
    match style {
        ActixStyle::Macros => handlers
            .iter()
            .map(|(_, _, name)| format!(".service({name})"))
            .collect(),
        ActixStyle::Routes => handlers
            .iter()
            .map(|(method, path, name)| format!(".route(\"{path}\", {})", to(method, name)))
            .collect(),
        ActixStyle::Resources => {
            let mut paths: Vec<&str> = handlers.iter().map(|(_, path, _)| *path).collect();
            paths.dedup();
            paths
                .into_iter()
                .map(|path| {
                    let routes: Vec<String> = handlers
                        .iter()
                        .filter(|(_, of, _)| *of == path)
                        .map(|(method, _, name)| format!(".route({})", to(method, name)))
                        .collect();
                    format!(".service(web::resource(\"{path}\"){})", routes.concat())
                })
                .collect()
        }
    }
}

/// The `use actix_web::..` of the names `code` uses.
fn actix_uses(root: Node<'_>, text: &str, code: &str) -> Option<Edit> {
    let used: Vec<&str> = [
        "get",
        "post",
        "put",
        "patch",
        "delete",
        "web",
        "HttpResponse",
        "Responder",
    ]
    .into_iter()
    .filter(|name| match *name {
        "web" => code.contains("web::"),
        "HttpResponse" | "Responder" => has_word(code, name),
        _ => code.contains(&format!("#[{name}(")),
    })
    .collect();
    rust_uses(root, text, "actix_web", &used)
}

fn actix_endpoint(
    source: &Source<'_>,
    spec: &Spec,
    indent: &str,
    replace: impl Fn(String) -> Edit,
) -> Result<Vec<Edit>, String> {
    let text = source.text;
    let root = source.tree.root_node();
    let name = spec.function_name();
    let parameters = spec.parameters();
    let mut arguments = Vec::new();
    let mut lines = Vec::new();
    if !parameters.is_empty() {
        let (pattern, ty) = path_type(&parameters);
        if spec.method == "DELETE" {
            // A delete answers without reading its parameters.
            arguments.push(format!("_path: web::Path<{ty}>"));
        } else {
            arguments.push(format!("path: web::Path<{ty}>"));
            lines.push(format!("let {pattern} = path.into_inner();"));
        }
    }
    let echoed = spec.echoed();
    let answer = match spec.method.as_str() {
        "POST" => {
            arguments.push("payload: web::Json<serde_json::Value>".into());
            "HttpResponse::Created().json(payload.into_inner())".to_string()
        }
        "PUT" | "PATCH" if echoed.is_empty() => {
            arguments.push("payload: web::Json<serde_json::Value>".into());
            "HttpResponse::Ok().json(payload.into_inner())".to_string()
        }
        "PUT" | "PATCH" => {
            arguments.push("payload: web::Json<serde_json::Value>".into());
            format!(
                "HttpResponse::Ok().json(serde_json::json!({{ {echoed}, \"data\": payload.into_inner() }}))"
            )
        }
        "DELETE" => "HttpResponse::NoContent().finish()".to_string(),
        _ if echoed.is_empty() => {
            "HttpResponse::Ok().json(Vec::<serde_json::Value>::new())".to_string()
        }
        _ => format!("HttpResponse::Ok().json(serde_json::json!({{ {echoed} }}))"),
    };
    lines.push(answer);
    let style = actix_style(text);
    let registrations = actix_registrations(style, &[(&spec.method, &spec.path, name.clone())]);
    let code = format!(
        "/// {doc}\n{attribute}async fn {name}({arguments}) -> impl Responder {{\n    {body}\n}}",
        doc = spec.docstring(),
        attribute = actix_attribute(style, &spec.method, &spec.path),
        arguments = arguments.join(", "),
        body = lines.join("\n    "),
    );
    let mut edits: Vec<Edit> =
        actix_uses(root, text, &format!("{code}\n{}", registrations.concat()))
            .into_iter()
            .collect();
    edits.push(replace(indented(&code, indent)));
    if let Some(chain) = actix_chain(root, text) {
        edits.push(register(
            text,
            chain,
            &["service", "route", "configure"],
            &registrations,
        ));
    }
    Ok(edits)
}

/// Create/read/update/delete handlers for a serde struct over an in-memory store, after
/// the struct, registered in the file's router.
pub fn crud(
    source: &Source<'_>,
    web: Web,
    item: Node<'_>,
    model: &DataModel,
) -> Result<Vec<Edit>, String> {
    let text = source.text;
    let root = source.tree.root_node();
    let class = &model.name;
    let names = names(model);
    let item_name = &names.item;
    let key = &names.key;
    let store = names.store.trim_start_matches('_').to_uppercase();
    let path = &names.path;
    let one = format!("{path}/{{{key}}}");
    let mut edits = Vec::new();
    edits.extend(rust_use(
        root,
        text,
        "std::collections::BTreeMap",
        "BTreeMap",
    ));
    edits.extend(rust_uses(
        root,
        text,
        "std::sync",
        &["Mutex", "MutexGuard", "PoisonError"],
    ));
    let shared = format!(
        "/// The stored {class} records, by id.
static {store}: Mutex<BTreeMap<u64, {class}>> = Mutex::new(BTreeMap::new());

/// The {class} store; a handler that panicked while holding it leaves it usable.
fn {item_name}_store() -> MutexGuard<'static, BTreeMap<u64, {class}>> {{
    {store}.lock().unwrap_or_else(PoisonError::into_inner)
}}

/// A stored {class} as clients see it: its id and its fields.
fn {item_name}_json(id: u64, {item_name}: &{class}) -> serde_json::Value {{
    let mut body = serde_json::json!({{ \"id\": id }});
    if let (Some(body), Ok(serde_json::Value::Object(fields))) =
        (body.as_object_mut(), serde_json::to_value({item_name}))
    {{
        body.extend(fields);
    }}
    body
}}"
    );
    let handlers = match web {
        Web::Axum => {
            let code = axum_crud(class, item_name, key);
            edits.extend(rust_use(root, text, "axum::extract::Path", "Path"));
            edits.extend(axum_uses(root, text, &code));
            edits.extend(rust_use(root, text, "axum::routing::get", "get"));
            let router = axum_router(root, text)?;
            let one = axum_path(text, &one);
            let routes = [
                format!(".route(\"{path}\", get(list_{item_name}s).post(create_{item_name}))"),
                format!(
                    ".route(\"{one}\", get(get_{item_name}).put(update_{item_name}).delete(delete_{item_name}))"
                ),
            ];
            edits.push(register(text, router, &["route"], &routes));
            code
        }
        Web::Actix => {
            let style = actix_style(text);
            let handlers = [
                ("GET", path.as_str(), format!("list_{item_name}s")),
                ("POST", path.as_str(), format!("create_{item_name}")),
                ("GET", one.as_str(), format!("get_{item_name}")),
                ("PUT", one.as_str(), format!("update_{item_name}")),
                ("DELETE", one.as_str(), format!("delete_{item_name}")),
            ];
            let attributes = handlers
                .each_ref()
                .map(|(method, path, _)| actix_attribute(style, method, path));
            let code = actix_crud(class, item_name, key, &attributes);
            let registrations = actix_registrations(style, &handlers);
            edits.extend(actix_uses(
                root,
                text,
                &format!("{code}\n{}", registrations.join("\n")),
            ));
            if let Some(chain) = actix_chain(root, text) {
                edits.push(register(
                    text,
                    chain,
                    &["service", "route", "configure"],
                    &registrations,
                ));
            }
            code
        }
    };
    let at = line_end(text, item.end_byte());
    edits.push(Edit {
        start_byte: at,
        end_byte: at,
        new_text: format!("\n\n{shared}\n\n{handlers}"),
    });
    Ok(edits)
}

fn axum_crud(class: &str, item: &str, key: &str) -> String {
    format!(
        "/// Every {class}.
async fn list_{item}s() -> Json<Vec<serde_json::Value>> {{
    Json({item}_store().iter().map(|(id, {item})| {item}_json(*id, {item})).collect())
}}

/// Store a new {class}.
async fn create_{item}(Json({item}): Json<{class}>) -> (StatusCode, Json<serde_json::Value>) {{
    let mut store = {item}_store();
    let id = store.keys().next_back().map_or(1, |last| last + 1);
    let body = {item}_json(id, &{item});
    store.insert(id, {item});
    (StatusCode::CREATED, Json(body))
}}

/// One {class}.
async fn get_{item}(Path({key}): Path<u64>) -> Result<Json<serde_json::Value>, StatusCode> {{
    {item}_store()
        .get(&{key})
        .map(|{item}| Json({item}_json({key}, {item})))
        .ok_or(StatusCode::NOT_FOUND)
}}

/// Replace a {class}.
async fn update_{item}(
    Path({key}): Path<u64>,
    Json({item}): Json<{class}>,
) -> Result<Json<serde_json::Value>, StatusCode> {{
    let mut store = {item}_store();
    let stored = store.get_mut(&{key}).ok_or(StatusCode::NOT_FOUND)?;
    *stored = {item};
    Ok(Json({item}_json({key}, stored)))
}}

/// Remove a {class}.
async fn delete_{item}(Path({key}): Path<u64>) -> StatusCode {{
    match {item}_store().remove(&{key}) {{
        Some(_) => StatusCode::NO_CONTENT,
        None => StatusCode::NOT_FOUND,
    }}
}}"
    )
}

fn actix_crud(class: &str, item: &str, key: &str, attributes: &[String; 5]) -> String {
    let [list, create, get, update, delete] = attributes;
    format!(
        "/// Every {class}.
{list}async fn list_{item}s() -> HttpResponse {{
    let all: Vec<serde_json::Value> =
        {item}_store().iter().map(|(id, {item})| {item}_json(*id, {item})).collect();
    HttpResponse::Ok().json(all)
}}

/// Store a new {class}.
{create}async fn create_{item}({item}: web::Json<{class}>) -> HttpResponse {{
    let {item} = {item}.into_inner();
    let mut store = {item}_store();
    let id = store.keys().next_back().map_or(1, |last| last + 1);
    let body = {item}_json(id, &{item});
    store.insert(id, {item});
    HttpResponse::Created().json(body)
}}

/// One {class}.
{get}async fn get_{item}(path: web::Path<u64>) -> HttpResponse {{
    let {key} = path.into_inner();
    match {item}_store().get(&{key}) {{
        Some({item}) => HttpResponse::Ok().json({item}_json({key}, {item})),
        None => HttpResponse::NotFound().finish(),
    }}
}}

/// Replace a {class}.
{update}async fn update_{item}(path: web::Path<u64>, {item}: web::Json<{class}>) -> HttpResponse {{
    let {key} = path.into_inner();
    let mut store = {item}_store();
    match store.get_mut(&{key}) {{
        Some(stored) => {{
            *stored = {item}.into_inner();
            HttpResponse::Ok().json({item}_json({key}, stored))
        }}
        None => HttpResponse::NotFound().finish(),
    }}
}}

/// Remove a {class}.
{delete}async fn delete_{item}(path: web::Path<u64>) -> HttpResponse {{
    match {item}_store().remove(&path.into_inner()) {{
        Some(_) => HttpResponse::NoContent().finish(),
        None => HttpResponse::NotFound().finish(),
    }}
}}"
    )
}
