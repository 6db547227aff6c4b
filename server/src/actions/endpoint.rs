//! "Generate endpoint": a handler from a comment line (`# POST /users: create a user`,
//! `// GET /orders/{id}: fetch an order`), or create/read/update/delete handlers from a data
//! model (a pydantic model or dataclass, a Django model, a serde struct). Detects the
//! framework and writes FastAPI and Flask handlers here; Django's in `django`, axum's and
//! actix-web's in `rust_endpoint`. The code follows the file: the app, router or blueprint
//! object its routes use, `async` or not, `.route(..)` or `.get(..)` decorators.

use tree_sitter::Node;

use super::django;
use super::python::Framework;
use super::rust_endpoint::{self, Web};
use super::syntax::{
    descendants, enclosing, has_word, indent_at, line_end, line_start, python_from_import,
    python_modules, snake_name, text_of,
};
use super::{ActionId, Candidate, Change, Edit, Source};
use crate::syntax::Language;

/// `METHOD /path: description` read from a comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Spec {
    pub method: String,
    pub path: String,
    description: String,
}

impl Spec {
    fn parse(comment: &str) -> Option<Spec> {
        let body = comment.trim_start().trim_start_matches(['#', '/']).trim();
        let (method, rest) = body.split_once(char::is_whitespace)?;
        let method = method.to_uppercase();
        if !["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&method.as_str()) {
            return None;
        }
        let rest = rest.trim();
        if !rest.starts_with('/') {
            return None;
        }
        let (path, description) = match rest.split_once(char::is_whitespace) {
            Some((path, description)) => (path.trim_end_matches(':'), description),
            None => (rest.trim_end_matches(':'), ""),
        };
        let description = description
            .trim()
            .trim_start_matches(':')
            .trim()
            .to_string();
        Some(Spec {
            method,
            path: path.to_string(),
            description,
        })
    }

    /// `{id}` segments of the path, in order.
    pub fn parameters(&self) -> Vec<&str> {
        self.path
            .split('/')
            .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
            .collect()
    }

    /// `"id": id, ...`: the path parameters echoed back, as the entries of a Python dict
    /// or of `serde_json::json!`.
    pub fn echoed(&self) -> String {
        let pairs: Vec<String> = self
            .parameters()
            .into_iter()
            .map(|name| format!("\"{name}\": {name}"))
            .collect();
        pairs.join(", ")
    }

    pub fn function_name(&self) -> String {
        let from_words = snake_name(&self.description);
        if !from_words.is_empty() && !from_words.starts_with(|c: char| c.is_ascii_digit()) {
            return from_words;
        }
        let segments: Vec<String> = self
            .path
            .split('/')
            .filter(|segment| !segment.is_empty() && !segment.starts_with('{'))
            .map(snake_name)
            .collect();
        format!("{}_{}", self.method.to_lowercase(), segments.join("_"))
            .trim_end_matches('_')
            .to_string()
    }

    pub fn docstring(&self) -> String {
        let mut text = self.description.clone();
        if let Some(first) = text.get(..1) {
            text.replace_range(..1, &first.to_uppercase());
        }
        if !text.is_empty() && !text.ends_with('.') {
            text.push('.');
        }
        text
    }
}

/// Whether a path parameter holds a number (`id`, `user_id`).
pub(super) fn numeric(parameter: &str) -> bool {
    parameter == "id" || parameter.ends_with("_id")
}

pub fn candidates(source: &Source<'_>, at: usize) -> Vec<Candidate> {
    let mut found = Vec::new();
    let root = source.tree.root_node();
    let text = source.text;
    let framework = framework(source);
    if framework.is_none() {
        return found;
    }
    if let Some(comment) = enclosing(root, at, at, &["comment", "line_comment"])
        && let Some(spec) = Spec::parse(text_of(comment, text))
    {
        found.push(Candidate {
            id: ActionId::GenerateEndpoint,
            title: format!("Generate endpoint {} {}", spec.method, spec.path),
            start_byte: comment.start_byte(),
            end_byte: comment.end_byte(),
            finding: None,
        });
    }
    if let Some((model, start, end)) = model_at(source, at) {
        found.push(Candidate {
            id: ActionId::GenerateCrud,
            title: format!("Generate CRUD endpoints for {}", model.name),
            start_byte: start,
            end_byte: end,
            finding: None,
        });
    }
    found
}

/// The data model whose definition holds `at`, and the bytes of that definition (with its
/// decorators or attributes).
fn model_at<'t>(source: &Source<'t>, at: usize) -> Option<(DataModel, usize, usize)> {
    let root = source.tree.root_node();
    let text = source.text;
    match source.language {
        Language::Python => {
            let class = enclosing(root, at, at, &["class_definition"])?;
            let model = data_model(class, text)?;
            let definition = class
                .parent()
                .filter(|parent| parent.kind() == "decorated_definition")
                .unwrap_or(class);
            Some((model, definition.start_byte(), definition.end_byte()))
        }
        Language::Rust => {
            let item = enclosing(root, at, at, &["struct_item", "attribute_item"])?;
            // On one of its attributes: the struct they describe.
            let item = if item.kind() == "attribute_item" {
                let mut next = item.next_named_sibling();
                while let Some(node) = next.filter(|node| node.kind() != "struct_item") {
                    if node.kind() != "attribute_item" && node.kind() != "line_comment" {
                        return None;
                    }
                    next = node.next_named_sibling();
                }
                next?
            } else {
                item
            };
            let (model, start) = rust_endpoint::serde_struct(item, text)?;
            Some((model, start, item.end_byte()))
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Python(Framework),
    Django,
    Rust(Web),
}

fn framework(source: &Source<'_>) -> Option<Target> {
    if source.language == Language::Rust {
        return rust_endpoint::web_framework(source).map(Target::Rust);
    }
    let modules = python_modules(source.tree.root_node(), source.text);
    if modules.has("fastapi") {
        Some(Target::Python(Framework::FastApi))
    } else if modules.has("flask") {
        Some(Target::Python(Framework::Flask))
    } else if modules.has("django") || modules.has("rest_framework") {
        Some(Target::Django)
    } else {
        None
    }
}

/// How the file writes its routes.
struct Routes {
    /// The app, router or blueprint object routes hang on.
    object: String,
    is_async: bool,
    /// Flask: `@app.route(path, methods=[..])` rather than `@app.post(path)`.
    route_style: bool,
    /// Where the last route handler ends (new handlers go after it by default).
    last_handler_end: Option<usize>,
    /// Where the statement defining the object ends.
    object_defined_end: Option<usize>,
}

fn python_routes(root: Node<'_>, text: &str, framework: Framework) -> Routes {
    let mut routes = Routes {
        object: "app".into(),
        is_async: framework == Framework::FastApi,
        route_style: framework == Framework::Flask,
        last_handler_end: None,
        object_defined_end: None,
    };
    let mut found_handler = false;
    let mut cursor = root.walk();
    for statement in root.named_children(&mut cursor) {
        if statement.kind() == "expression_statement"
            && let Some(assignment) = statement
                .named_child(0)
                .filter(|a| a.kind() == "assignment")
            && let (Some(left), Some(right)) = (
                assignment.child_by_field_name("left"),
                assignment.child_by_field_name("right"),
            )
        {
            let constructor = text_of(right, text);
            let makes_app = ["FastAPI(", "APIRouter(", "Flask(", "Blueprint("]
                .iter()
                .any(|name| {
                    constructor.starts_with(name) || constructor.contains(&format!(".{name}"))
                });
            if makes_app && !found_handler {
                routes.object = text_of(left, text).to_string();
                routes.object_defined_end = Some(statement.end_byte());
            }
        }
        if statement.kind() != "decorated_definition" {
            continue;
        }
        let Some(function) = statement.child_by_field_name("definition") else {
            continue;
        };
        let mut decorators = statement.walk();
        for decorator in statement
            .children(&mut decorators)
            .filter(|d| d.kind() == "decorator")
        {
            let decorator = text_of(decorator, text).trim_start_matches('@');
            let Some((object, call)) = decorator.split_once('.') else {
                continue;
            };
            let method = call.split('(').next().unwrap_or_default();
            if ![
                "get",
                "post",
                "put",
                "patch",
                "delete",
                "route",
                "api_route",
            ]
            .contains(&method)
            {
                continue;
            }
            if !found_handler {
                routes.object = object.to_string();
                routes.is_async = text_of(function, text).starts_with("async");
                routes.route_style = method == "route";
                found_handler = true;
            }
            routes.last_handler_end = Some(statement.end_byte());
        }
    }
    routes
}

pub fn from_comment(source: &Source<'_>, candidate: &Candidate) -> Result<Change, String> {
    let text = source.text;
    let comment = text
        .get(candidate.start_byte..candidate.end_byte)
        .unwrap_or_default();
    let spec = Spec::parse(comment)
        .ok_or("the comment does not read `METHOD /path: what it does` any more")?;
    let root = source.tree.root_node();
    let indent = indent_at(text, candidate.start_byte).to_string();
    let replace = |code: String| Edit {
        start_byte: line_start(text, candidate.start_byte),
        end_byte: line_end(text, candidate.end_byte),
        new_text: code,
    };
    match framework(source).ok_or("no FastAPI, Flask, Django, axum or actix-web in this file")? {
        Target::Python(framework) => {
            let routes = python_routes(root, text, framework);
            let mut edits = Vec::new();
            let code = match framework {
                Framework::FastApi => fastapi_endpoint(&spec, &routes),
                Framework::Flask => {
                    edits.extend(python_from_import(root, text, "flask", "jsonify"));
                    if matches!(spec.method.as_str(), "POST" | "PUT" | "PATCH") {
                        edits.extend(python_from_import(root, text, "flask", "request"));
                    }
                    flask_endpoint(&spec, &routes)
                }
            };
            edits.push(replace(indented(&code, &indent)));
            Ok(edits.into())
        }
        Target::Django => django::view_from_comment(source, &spec, &indent, replace),
        Target::Rust(web) => {
            rust_endpoint::from_comment(source, web, &spec, &indent, replace).map(Change::from)
        }
    }
}

pub(super) fn indented(code: &str, indent: &str) -> String {
    code.lines()
        .map(|line| {
            if line.is_empty() {
                String::new()
            } else {
                format!("{indent}{line}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// FastAPI path parameters as function parameters: `id: int`.
fn typed_parameters(spec: &Spec) -> Vec<String> {
    spec.parameters()
        .into_iter()
        .map(|name| format!("{name}: {}", if numeric(name) { "int" } else { "str" }))
        .collect()
}

fn fastapi_endpoint(spec: &Spec, routes: &Routes) -> String {
    let method = spec.method.to_lowercase();
    let status = match spec.method.as_str() {
        "POST" => ", status_code=201",
        "DELETE" => ", status_code=204",
        _ => "",
    };
    let mut parameters = typed_parameters(spec);
    let echoed = spec.echoed();
    let (returns, body) = match spec.method.as_str() {
        "POST" => {
            parameters.push("payload: dict".into());
            ("dict", "return payload".to_string())
        }
        "PUT" | "PATCH" => {
            parameters.push("payload: dict".into());
            let body = if echoed.is_empty() {
                "return payload".to_string()
            } else {
                format!("return {{{echoed}, **payload}}")
            };
            ("dict", body)
        }
        "DELETE" => ("None", "return None".to_string()),
        _ if echoed.is_empty() => ("list[dict]", "return []".to_string()),
        _ => ("dict", format!("return {{{echoed}}}")),
    };
    let keyword = if routes.is_async { "async def" } else { "def" };
    format!(
        "@{object}.{method}(\"{path}\"{status})\n{keyword} {name}({parameters}) -> {returns}:\n    \"\"\"{doc}\"\"\"\n    {body}",
        object = routes.object,
        path = spec.path,
        name = spec.function_name(),
        parameters = parameters.join(", "),
        doc = spec.docstring(),
    )
}

pub(super) fn flask_path(path: &str) -> String {
    path.split('/')
        .map(
            |segment| match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) if numeric(name) => format!("<int:{name}>"),
                Some(name) => format!("<{name}>"),
                None => segment.to_string(),
            },
        )
        .collect::<Vec<_>>()
        .join("/")
}

fn flask_decorator(routes: &Routes, method: &str, path: &str) -> String {
    if routes.route_style {
        format!(
            "@{}.route(\"{path}\", methods=[\"{method}\"])",
            routes.object
        )
    } else {
        format!("@{}.{}(\"{path}\")", routes.object, method.to_lowercase())
    }
}

fn flask_endpoint(spec: &Spec, routes: &Routes) -> String {
    let echoed = spec.echoed();
    let body = match spec.method.as_str() {
        "POST" => "payload = request.get_json(silent=True) or {}\n    return jsonify(payload), 201"
            .to_string(),
        "PUT" | "PATCH" if echoed.is_empty() => {
            "payload = request.get_json(silent=True) or {}\n    return jsonify(payload)".to_string()
        }
        "PUT" | "PATCH" => format!(
            "payload = request.get_json(silent=True) or {{}}\n    return jsonify({{{echoed}, **payload}})"
        ),
        "DELETE" => "return \"\", 204".to_string(),
        _ if echoed.is_empty() => "return jsonify([])".to_string(),
        _ => format!("return jsonify({{{echoed}}})"),
    };
    let keyword = if routes.is_async { "async def" } else { "def" };
    format!(
        "{decorator}\n{keyword} {name}({parameters}):\n    \"\"\"{doc}\"\"\"\n    {body}",
        decorator = flask_decorator(routes, &spec.method, &flask_path(&spec.path)),
        name = spec.function_name(),
        parameters = spec.parameters().join(", "),
        doc = spec.docstring(),
    )
}

/// A class or struct that describes data.
pub(super) struct DataModel {
    pub name: String,
    kind: ModelKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ModelKind {
    Pydantic,
    Dataclass,
    Django,
    Serde,
}

impl DataModel {
    pub fn serde(name: String) -> DataModel {
        DataModel {
            name,
            kind: ModelKind::Serde,
        }
    }
}

fn data_model(class: Node<'_>, text: &str) -> Option<DataModel> {
    let name = text_of(class.child_by_field_name("name")?, text).to_string();
    let bases = class
        .child_by_field_name("superclasses")
        .map(|bases| text_of(bases, text))
        .unwrap_or_default();
    if has_word(bases, "BaseModel") || has_word(bases, "SQLModel") {
        return Some(DataModel {
            name,
            kind: ModelKind::Pydantic,
        });
    }
    if bases.contains("models.Model") {
        return Some(DataModel {
            name,
            kind: ModelKind::Django,
        });
    }
    let decorated = class
        .parent()
        .filter(|parent| parent.kind() == "decorated_definition")
        .is_some_and(|parent| {
            text_of(parent, text).trim_start().starts_with("@dataclass")
                || text_of(parent, text)
                    .trim_start()
                    .starts_with("@dataclasses.dataclass")
        });
    decorated.then_some(DataModel {
        name,
        kind: ModelKind::Dataclass,
    })
}

fn plural(name: &str) -> String {
    if name.ends_with('s') {
        format!("{name}es")
    } else if let Some(stem) = name
        .strip_suffix('y')
        .filter(|stem| !stem.ends_with(['a', 'e', 'o', 'u']))
    {
        format!("{stem}ies")
    } else {
        format!("{name}s")
    }
}

pub fn crud(source: &Source<'_>, candidate: &Candidate) -> Result<Change, String> {
    let text = source.text;
    let root = source.tree.root_node();
    let target = framework(source).ok_or(
        "no FastAPI, Flask, Django, axum or actix-web in this file to serve CRUD endpoints",
    )?;
    if let Target::Rust(web) = target {
        let item = descendants(root, &|_| false)
            .into_iter()
            .find(|node| node.kind() == "struct_item" && node.start_byte() >= candidate.start_byte)
            .ok_or("no struct here any more")?;
        let (model, _) = rust_endpoint::serde_struct(item, text)
            .ok_or("the struct does not derive serde's Serialize and Deserialize")?;
        return rust_endpoint::crud(source, web, item, &model).map(Change::from);
    }
    let class = enclosing(
        root,
        candidate.start_byte,
        candidate.end_byte,
        &["class_definition"],
    )
    .or_else(|| {
        descendants(root, &|_| false).into_iter().find(|node| {
            node.kind() == "class_definition" && node.start_byte() >= candidate.start_byte
        })
    })
    .ok_or("no class here any more")?;
    let model = data_model(class, text)
        .ok_or("the class is not a pydantic model, a dataclass or a Django model")?;
    let framework = match (target, model.kind) {
        (Target::Django, ModelKind::Django) => return django::crud(source, class, &model),
        (Target::Python(framework), ModelKind::Pydantic | ModelKind::Dataclass) => framework,
        _ => {
            return Err(format!(
                "{} is not a data model of this file's framework",
                model.name
            ));
        }
    };
    let routes = python_routes(root, text, framework);
    let mut edits = Vec::new();
    let dump = if model.kind == ModelKind::Pydantic {
        "{item}.model_dump()".to_string()
    } else {
        edits.extend(python_from_import(root, text, "dataclasses", "asdict"));
        "asdict({item})".to_string()
    };
    let code = match framework {
        Framework::FastApi => {
            edits.extend(python_from_import(root, text, "fastapi", "HTTPException"));
            fastapi_crud(&model, &routes, &dump)
        }
        Framework::Flask => {
            for name in ["abort", "jsonify", "request"] {
                edits.extend(python_from_import(root, text, "flask", name));
            }
            flask_crud(&model, &routes, &dump)
        }
    };
    // After both the model and the object the routes hang on, so each name exists.
    let class_end = class
        .parent()
        .filter(|parent| parent.kind() == "decorated_definition")
        .unwrap_or(class)
        .end_byte();
    let at = line_end(text, class_end.max(routes.object_defined_end.unwrap_or(0)));
    edits.push(Edit {
        start_byte: at,
        end_byte: at,
        new_text: format!("\n\n\n{code}"),
    });
    Ok(edits.into())
}

pub(super) struct Names {
    pub item: String,
    pub store: String,
    pub path: String,
    pub key: String,
}

pub(super) fn names(model: &DataModel) -> Names {
    let item = snake_name(&split_camel(&model.name));
    let items = plural(&item);
    Names {
        store: format!("_{items}"),
        path: format!("/{items}"),
        key: format!("{item}_id"),
        item,
    }
}

/// `OrderLine` -> `Order Line`.
fn split_camel(name: &str) -> String {
    let mut out = String::new();
    for (index, c) in name.chars().enumerate() {
        if index > 0 && c.is_uppercase() {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

fn fastapi_crud(model: &DataModel, routes: &Routes, dump: &str) -> String {
    let Names {
        item,
        store,
        path,
        key,
    } = names(model);
    let class = &model.name;
    let object = &routes.object;
    let def = if routes.is_async { "async def" } else { "def" };
    let dumped = dump.replace("{item}", &item);
    let missing =
        format!("raise HTTPException(status_code=404, detail=f\"{class} {{{key}}} not found\")");
    format!(
        "{store}: dict[int, {class}] = {{}}


@{object}.get(\"{path}\")
{def} list_{item}s() -> list[dict]:
    \"\"\"Every {class}.\"\"\"
    return [{{\"id\": {key}, **{row}}} for {key}, {item} in {store}.items()]


@{object}.post(\"{path}\", status_code=201)
{def} create_{item}({item}: {class}) -> dict:
    \"\"\"Store a new {class}.\"\"\"
    {key} = max({store}, default=0) + 1
    {store}[{key}] = {item}
    return {{\"id\": {key}, **{dumped}}}


@{object}.get(\"{path}/{{{key}}}\")
{def} get_{item}({key}: int) -> dict:
    \"\"\"One {class}.\"\"\"
    {item} = {store}.get({key})
    if {item} is None:
        {missing}
    return {{\"id\": {key}, **{dumped}}}


@{object}.put(\"{path}/{{{key}}}\")
{def} update_{item}({key}: int, {item}: {class}) -> dict:
    \"\"\"Replace a {class}.\"\"\"
    if {key} not in {store}:
        {missing}
    {store}[{key}] = {item}
    return {{\"id\": {key}, **{dumped}}}


@{object}.delete(\"{path}/{{{key}}}\", status_code=204)
{def} delete_{item}({key}: int) -> None:
    \"\"\"Remove a {class}.\"\"\"
    if {store}.pop({key}, None) is None:
        {missing}",
        row = dumped,
    )
}

fn flask_crud(model: &DataModel, routes: &Routes, dump: &str) -> String {
    let Names {
        item,
        store,
        path,
        key,
    } = names(model);
    let class = &model.name;
    let def = if routes.is_async { "async def" } else { "def" };
    let dumped = dump.replace("{item}", &item);
    let route = |method: &str, path: &str| flask_decorator(routes, method, path);
    let one = format!("{path}/<int:{key}>");
    format!(
        "{store}: dict[int, {class}] = {{}}


{list_route}
{def} list_{item}s():
    \"\"\"Every {class}.\"\"\"
    return jsonify([{{\"id\": {key}, **{dumped}}} for {key}, {item} in {store}.items()])


{create_route}
{def} create_{item}():
    \"\"\"Store a new {class}.\"\"\"
    try:
        {item} = {class}(**(request.get_json(silent=True) or {{}}))
    except (TypeError, ValueError):
        abort(400)
    {key} = max({store}, default=0) + 1
    {store}[{key}] = {item}
    return jsonify({{\"id\": {key}, **{dumped}}}), 201


{get_route}
{def} get_{item}({key}):
    \"\"\"One {class}.\"\"\"
    {item} = {store}.get({key})
    if {item} is None:
        abort(404)
    return jsonify({{\"id\": {key}, **{dumped}}})


{put_route}
{def} update_{item}({key}):
    \"\"\"Replace a {class}.\"\"\"
    if {key} not in {store}:
        abort(404)
    try:
        {item} = {class}(**(request.get_json(silent=True) or {{}}))
    except (TypeError, ValueError):
        abort(400)
    {store}[{key}] = {item}
    return jsonify({{\"id\": {key}, **{dumped}}})


{delete_route}
{def} delete_{item}({key}):
    \"\"\"Remove a {class}.\"\"\"
    if {store}.pop({key}, None) is None:
        abort(404)
    return \"\", 204",
        list_route = route("GET", &path),
        create_route = route("POST", &path),
        get_route = route("GET", &one),
        put_route = route("PUT", &one),
        delete_route = route("DELETE", &one),
    )
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::actions::{Project, ProjectFile, apply, deterministic, list};

    /// The change action `id` makes at the first line holding `marker`.
    fn generate(
        language: Language,
        path: &str,
        text: &str,
        project: &Project,
        marker: &str,
        id: ActionId,
    ) -> Change {
        let tree = language.parse_str(text).unwrap();
        let source = Source {
            text,
            tree: &tree,
            language,
            path: Some(Path::new(path)),
            project,
        };
        let at = text.find(marker).unwrap();
        let candidate = list(&source, at, at)
            .into_iter()
            .find(|candidate| candidate.id == id)
            .unwrap_or_else(|| panic!("{id:?} not offered at {marker:?}"));
        deterministic(&source, &candidate).unwrap()
    }

    fn rust(text: &str, marker: &str, id: ActionId) -> String {
        let change = generate(
            Language::Rust,
            "/p/src/main.rs",
            text,
            &Project::default(),
            marker,
            id,
        );
        apply(text, &change.edits)
    }

    #[test]
    fn a_flask_blueprint_gets_the_route() {
        let text = "from flask import Blueprint, Flask\n\nbp = Blueprint(\"loans\", __name__)\n\n# POST /loans: lend a book\n";
        let change = generate(
            Language::Python,
            "/p/loans.py",
            text,
            &Project::default(),
            "# POST",
            ActionId::GenerateEndpoint,
        );
        let edited = apply(text, &change.edits);
        assert!(
            edited.contains("@bp.route(\"/loans\", methods=[\"POST\"])\ndef lend_book():"),
            "{edited}"
        );
    }

    #[test]
    fn an_actix_handler_follows_the_files_routing_style() {
        let macros = "use actix_web::{get, web, HttpResponse, Responder};\n\n// GET /orders/{id}: fetch an order\n\nfn routes(cfg: &mut web::ServiceConfig) {\n    cfg.service(health);\n}\n";
        let edited = rust(macros, "// GET", ActionId::GenerateEndpoint);
        assert!(
            edited.contains("#[get(\"/orders/{id}\")]\nasync fn fetch_order(path: web::Path<u64>) -> impl Responder {\n    let id = path.into_inner();"),
            "{edited}"
        );
        assert!(
            edited.contains("cfg.service(health).service(fetch_order);"),
            "{edited}"
        );
        let routes = "use actix_web::{web, App, HttpResponse, Responder};\n\n// DELETE /orders/{id}: cancel an order\n\nfn app() {\n    App::new()\n        .route(\"/health\", web::get().to(health));\n}\n";
        let edited = rust(routes, "// DELETE", ActionId::GenerateEndpoint);
        assert!(
            edited.contains("async fn cancel_order(_path: web::Path<u64>)"),
            "{edited}"
        );
        assert!(!edited.contains("#[delete"), "{edited}");
        assert!(
            edited.contains(".route(\"/health\", web::get().to(health))\n        .route(\"/orders/{id}\", web::delete().to(cancel_order));"),
            "{edited}"
        );
        let resources = "use actix_web::{web, App};\n\n// GET /orders/{id}: fetch an order\n\n#[actix_web::main]\nasync fn main() {\n    App::new().service(web::resource(\"/health\").route(web::get().to(health)));\n}\n";
        let edited = rust(resources, "// GET", ActionId::GenerateEndpoint);
        assert!(!edited.contains("#[get"), "{edited}");
        assert!(
            edited.contains(
                ".service(web::resource(\"/orders/{id}\").route(web::get().to(fetch_order)))"
            ),
            "{edited}"
        );
    }

    #[test]
    fn a_serde_struct_gets_crud_handlers_registered_in_the_router() {
        let text = "use axum::Router;\nuse serde::{Deserialize, Serialize};\n\n/// A customer.\n#[derive(Serialize, Deserialize)]\nstruct Customer {\n    name: String,\n}\n\nfn app() -> Router {\n    Router::new()\n}\n";
        let edited = rust(text, "derive", ActionId::GenerateCrud);
        assert!(
            edited.contains("static CUSTOMERS: Mutex<BTreeMap<u64, Customer>>"),
            "{edited}"
        );
        assert!(
            edited.contains("    Router::new()\n        .route(\"/customers\", get(list_customers).post(create_customer))\n        .route(\"/customers/{customer_id}\", get(get_customer).put(update_customer).delete(delete_customer))\n"),
            "{edited}"
        );
        let colons = "use axum::Router;\n\n// DELETE /orders/{id}: cancel an order\n\nfn app() -> Router {\n    Router::new().route(\"/users/:id\", get(user))\n}\n";
        let edited = rust(colons, "// DELETE", ActionId::GenerateEndpoint);
        assert!(
            edited.contains(
                ".route(\"/users/:id\", get(user)).route(\"/orders/:id\", delete(cancel_order))"
            ),
            "axum before 0.8 writes `:id`: {edited}"
        );
        let actix = "use actix_web::{web, App};\nuse serde::{Deserialize, Serialize};\n\n#[derive(Serialize, Deserialize)]\nstruct Tag {\n    name: String,\n}\n\nfn app() {\n    App::new().service(web::resource(\"/health\").route(web::get().to(health)));\n}\n";
        let edited = rust(actix, "struct Tag", ActionId::GenerateCrud);
        assert!(
            edited.contains("        .service(web::resource(\"/tags\").route(web::get().to(list_tags)).route(web::post().to(create_tag)))\n        .service(web::resource(\"/tags/{tag_id}\").route(web::get().to(get_tag)).route(web::put().to(update_tag)).route(web::delete().to(delete_tag)));"),
            "one resource a path: {edited}"
        );
        let plain = "use axum::Router;\n\nstruct Customer {\n    name: String,\n}\n";
        let tree = Language::Rust.parse_str(plain).unwrap();
        let project = Project::default();
        let source = Source {
            text: plain,
            tree: &tree,
            language: Language::Rust,
            path: None,
            project: &project,
        };
        let at = plain.find("struct").unwrap();
        assert!(
            list(&source, at, at).is_empty(),
            "a struct without serde is not a model"
        );
    }

    /// A REST framework app `shop` with a `views.py`, a `urls.py` and perhaps a
    /// `serializers.py` holding `serializers`.
    fn shop_project(serializers: Option<&str>) -> Project {
        let file = |name: &str, text: &str| ProjectFile {
            path: format!("/p/shop/{name}").into(),
            text: text.into(),
        };
        Project {
            views: Some(file(
                "views.py",
                "from rest_framework.decorators import api_view\n",
            )),
            urls: Some(file(
                "urls.py",
                "from django.urls import path\n\nfrom . import views\n\nurlpatterns = []\n",
            )),
            serializers: serializers.map(|text| file("serializers.py", text)),
            ..Project::default()
        }
    }

    #[test]
    fn a_django_model_gets_a_viewset_in_views_py_and_a_router_in_urls_py() {
        let models = "from django.db import models\n\n\nclass Product(models.Model):\n    name = models.CharField(max_length=100)\n    price = models.IntegerField()\n\n    class Meta:\n        ordering = [\"name\"]\n";
        let project = shop_project(None);
        let change = generate(
            Language::Python,
            "/p/shop/models.py",
            models,
            &project,
            "class Product",
            ActionId::GenerateCrud,
        );
        assert!(change.edits.is_empty(), "models.py is left as it is");
        let [views, urls] = change.elsewhere.as_slice() else {
            panic!("views.py and urls.py are edited: {change:#?}");
        };
        let views_text = apply(&project.views.as_ref().unwrap().text, &views.edits);
        assert!(
            views_text.contains("from .models import Product\n"),
            "{views_text}"
        );
        assert!(
            views_text.contains("from rest_framework import serializers, viewsets\n"),
            "{views_text}"
        );
        assert!(
            views_text.contains("fields = [\"id\", \"name\", \"price\"]"),
            "{views_text}"
        );
        assert!(
            views_text.contains("class ProductViewSet(viewsets.ModelViewSet):"),
            "{views_text}"
        );
        let urls_text = apply(&project.urls.as_ref().unwrap().text, &urls.edits);
        assert!(
            urls_text.ends_with("urlpatterns = []\n\n\nrouter = DefaultRouter()\nrouter.register(\"products\", views.ProductViewSet)\nurlpatterns += router.urls\n"),
            "{urls_text}"
        );
        assert!(
            urls_text.contains("from rest_framework.routers import DefaultRouter\n"),
            "{urls_text}"
        );
    }

    #[test]
    fn a_django_models_serializer_goes_to_the_apps_serializers_py_or_is_reused() {
        let models = "from django.db import models\n\n\nclass Product(models.Model):\n    name = models.CharField(max_length=100)\n";
        let project = |serializers: &str| shop_project(Some(serializers));
        let other = "from rest_framework import serializers\n\nfrom .models import Order\n\n\nclass OrderSerializer(serializers.ModelSerializer):\n    class Meta:\n        model = Order\n        fields = \"__all__\"\n";
        let with_other = project(other);
        let change = generate(
            Language::Python,
            "/p/shop/models.py",
            models,
            &with_other,
            "class Product",
            ActionId::GenerateCrud,
        );
        let [views, serializers, _urls] = change.elsewhere.as_slice() else {
            panic!("views.py, serializers.py and urls.py are edited: {change:#?}");
        };
        assert!(serializers.path.ends_with("serializers.py"));
        let serializers_text = apply(other, &serializers.edits);
        assert!(
            serializers_text.contains("from .models import Order, Product\n")
                && serializers_text.ends_with("class ProductSerializer(serializers.ModelSerializer):\n    class Meta:\n        model = Product\n        fields = [\"id\", \"name\"]\n"),
            "{serializers_text}"
        );
        let views_text = apply(&with_other.views.as_ref().unwrap().text, &views.edits);
        assert!(
            views_text.contains("from .serializers import ProductSerializer\n")
                && views_text.contains("serializer_class = ProductSerializer")
                && !views_text.contains("class ProductSerializer")
                && !views_text.contains("import serializers"),
            "{views_text}"
        );
        // The app already has the serializer: it is used, not written again.
        let existing =
            format!("{other}\n\nclass ProductSerializer(serializers.ModelSerializer):\n    pass\n");
        let change = generate(
            Language::Python,
            "/p/shop/models.py",
            models,
            &project(&existing),
            "class Product",
            ActionId::GenerateCrud,
        );
        assert!(
            !change
                .elsewhere
                .iter()
                .any(|file| file.path.ends_with("serializers.py")),
            "{change:#?}"
        );
    }

    #[test]
    fn a_django_view_is_async_where_the_files_views_are() {
        let project = Project::default();
        let generated = |views: &str| {
            let change = generate(
                Language::Python,
                "/p/blog/views.py",
                views,
                &project,
                "# GET",
                ActionId::GenerateEndpoint,
            );
            apply(views, &change.edits)
        };
        let head = "from django.http import JsonResponse\n\n\n";
        let comment = "\n\n# GET /authors/{id}: fetch an author\n";
        let asynchronous = format!(
            "{head}async def health(request):\n    return JsonResponse({{}})\n\n\n@csrf_exempt\nasync def ping(request):\n    return JsonResponse({{}})\n{comment}"
        );
        assert!(
            generated(&asynchronous).contains("async def fetch_author(request, id):"),
            "{}",
            generated(&asynchronous)
        );
        let synchronous = format!(
            "{head}def health(request):\n    return JsonResponse({{}})\n\n\nasync def ping(request):\n    return JsonResponse({{}})\n\n\ndef ready(request):\n    return JsonResponse({{}})\n{comment}"
        );
        let text = generated(&synchronous);
        assert!(text.contains("\ndef fetch_author(request, id):"), "{text}");
    }

    #[test]
    fn a_comment_reads_as_method_path_and_description() {
        let spec = Spec::parse("# POST /users: create a user").unwrap();
        assert_eq!(spec.method, "POST");
        assert_eq!(spec.path, "/users");
        assert_eq!(spec.function_name(), "create_user");
        let spec = Spec::parse("// get /orders/{id}").unwrap();
        assert_eq!(spec.parameters(), ["id"]);
        assert_eq!(spec.function_name(), "get_orders");
        assert_eq!(Spec::parse("# TODO: posting users"), None);
        assert_eq!(Spec::parse("# GET users"), None);
    }

    #[test]
    fn flask_paths_type_numeric_parameters() {
        assert_eq!(
            flask_path("/orders/{id}/lines/{name}"),
            "/orders/<int:id>/lines/<name>"
        );
        assert_eq!(plural("category"), "categories");
        assert_eq!(plural("key"), "keys");
    }
}
