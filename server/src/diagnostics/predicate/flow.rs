//! Local data flow for `#tainted?` and `#trusted?`: where a Python value may come from,
//! found by walking the function around it statement by statement (assignments, `+=`,
//! string building, containers and their keyed reads, `if`/`else` with dead branches
//! skipped, loops, `try`, allow-list guards, calls of the file's own helpers). The
//! sources and sanitisers are the vocabulary's `[python.taint]`.
//! Architecture invariant: reads only the file's own tree; runs only when a rule's pattern
//! asks about a value (so only in functions with a sink), and caches each answer per file.

use std::collections::HashMap;
use std::rc::Rc;

use tree_sitter::Node;

use super::file::File;
use super::names::{names_one_of, qualified_name};
use super::scope::is_route_function;
use crate::diagnostics::vocabulary::listed;
use crate::syntax::Language;

/// Where a value may come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flow<'t> {
    /// Only constants, or values made safe (a numeric cast, quoting, an allow-list check).
    Trusted,
    /// Something this file does not show: a parameter of a plain function, another
    /// module's value, the result of a call.
    Unknown,
    /// Outside data: the expression it was first read from.
    Tainted(Node<'t>),
}

impl<'t> Flow<'t> {
    /// What a value that may be either carries: taint wins, then doubt.
    pub(super) fn join(self, other: Flow<'t>) -> Flow<'t> {
        match (self, other) {
            (Flow::Tainted(_), _) => self,
            (_, Flow::Tainted(_)) => other,
            (Flow::Unknown, _) | (_, Flow::Unknown) => Flow::Unknown,
            _ => Flow::Trusted,
        }
    }
}

/// How many helper calls deep the walk follows a value (`a()` returning `b()`'s result).
const MAX_HELPER_DEPTH: u8 = 2;

/// Statements one walk may visit (loops are walked twice, so nested loops multiply): past
/// this the answer is unknown rather than slow.
const MAX_STEPS: u32 = 20_000;

/// How deep one expression is followed (`a + b + c ...` nests once per `+`): past this
/// the answer is unknown rather than a stack overflow on generated code.
const MAX_NESTING: u32 = 100;

/// Methods that add their arguments to the container they are called on.
const ADDING_METHODS: &[&str] = &[
    "append",
    "extend",
    "insert",
    "add",
    "update",
    "appendleft",
    "setdefault",
];

/// Methods that read one entry of a container: what they return is the entry (or the
/// default), whatever the key.
const LOOKUP_METHODS: &[&str] = &["get", "pop", "setdefault"];

/// What the walk knows about one value.
#[derive(Debug, Clone)]
pub(super) struct Value<'t> {
    flow: Flow<'t>,
    /// A literal that is false (`False`, `0`, `None`, `""`): code it guards never runs.
    falsy: bool,
    /// The entries of a dict, list or tuple literal, by key (`"name"`, `0`), so a read of
    /// a constant entry stays trusted when another entry is not.
    items: Option<Rc<Vec<(String, Flow<'t>)>>>,
}

impl<'t> Value<'t> {
    fn of(flow: Flow<'t>) -> Value<'t> {
        Value {
            flow,
            falsy: false,
            items: None,
        }
    }

    fn join(&self, other: &Value<'t>) -> Value<'t> {
        let items = match (&self.items, &other.items) {
            (Some(mine), Some(theirs))
                if mine.len() == theirs.len()
                    && mine.iter().zip(theirs.iter()).all(|(a, b)| a.0 == b.0) =>
            {
                Some(Rc::new(
                    mine.iter()
                        .zip(theirs.iter())
                        .map(|(a, b)| (a.0.clone(), a.1.join(b.1)))
                        .collect(),
                ))
            }
            _ => None,
        };
        Value {
            flow: self.flow.join(other.flow),
            falsy: self.falsy && other.falsy,
            items,
        }
    }

    fn item(&self, key: Option<String>) -> Flow<'t> {
        key.and_then(|key| {
            self.items
                .as_ref()?
                .iter()
                .find(|(name, _)| *name == key)
                .map(|(_, flow)| *flow)
        })
        .unwrap_or(self.flow)
    }
}

/// Names bound at one point of a function.
type Env<'t> = HashMap<&'t str, Value<'t>>;

/// The names bound where the walk is, or `None` once the code there cannot run (after a
/// `return`, `raise`, `continue`, or a call such as `abort(400)`).
type State<'t> = Option<Env<'t>>;

/// The module-level names of a file and what they hold, for functions that read them; and
/// what was bound before every `CHECKPOINT_EVERY`-th top-level statement, so that a value
/// in module code is followed from the checkpoint before it, not from the file's start
/// (2,000 sinks at a module's top level each walked the module: minutes).
pub(super) struct ModuleValues<'t> {
    at_end: Env<'t>,
    checkpoints: Vec<Env<'t>>,
}

/// Top-level statements between two saved states of the module walk.
const CHECKPOINT_EVERY: usize = 32;

/// Where the value of `node` (an expression) may come from, cached per node for the file.
pub(crate) fn flow_of<'t>(node: Node<'t>, file: &File<'t>) -> Flow<'t> {
    if let Some(flow) = file.cached_flow(node) {
        return flow;
    }
    let flow = match file.language {
        Language::Python => compute(node, file),
        Language::Rust => super::rust_flow::flow_of(node, file),
    };
    file.cache_flow(node, flow);
    flow
}

fn compute<'t>(node: Node<'t>, file: &File<'t>) -> Flow<'t> {
    let scope = file
        .ancestors(node)
        .map(|(ancestor, _)| ancestor)
        .find(|ancestor| {
            matches!(
                ancestor.kind(),
                "function_definition" | "lambda" | "class_definition"
            )
        });
    match scope {
        Some(function) if function.kind() == "function_definition" => {
            let mut walk = Walk::new(file, Some(node), 0, false);
            let env = walk.parameters(function);
            if let Some(body) = function.child_by_field_name("body") {
                walk.block(body, Some(env));
            }
            walk.verdict()
        }
        // A lambda's parameters or a class attribute: the value alone decides.
        Some(_) => Walk::new(file, None, 0, false).eval(node, &Env::new()).flow,
        None => {
            // From the last saved state before the target's statement.
            let statements = file.top_level();
            let index = statements.partition_point(|s| s.end_byte() <= node.start_byte());
            let checkpoints = &file.module_values().checkpoints;
            let slot = (index / CHECKPOINT_EVERY).min(checkpoints.len().saturating_sub(1));
            let env = checkpoints.get(slot).cloned().unwrap_or_default();
            let mut walk = Walk::new(file, Some(node), 0, true);
            let start = (slot * CHECKPOINT_EVERY).min(statements.len());
            walk.statements(&statements[start..], true, Some(env));
            walk.verdict()
        }
    }
}

/// What the file's top-level statements bind: constants, and `Unknown` for imports,
/// functions and classes.
pub(super) fn module_values<'t>(file: &File<'t>) -> ModuleValues<'t> {
    let mut walk = Walk::new(file, None, 0, true);
    let mut checkpoints = Vec::new();
    let mut state = Some(Env::new());
    let mut cursor = file.root.walk();
    for (index, statement) in file.root.named_children(&mut cursor).enumerate() {
        let Some(env) = state else { break };
        if index % CHECKPOINT_EVERY == 0 {
            checkpoints.push(env.clone());
        }
        state = walk.statement(statement, env);
    }
    ModuleValues {
        at_end: state.unwrap_or_default(),
        checkpoints,
    }
}

/// The functions defined at the top of the file (undecorated: a decorator may change what
/// a call returns), by name.
pub(super) fn local_functions<'t>(file: &File<'t>) -> HashMap<&'t str, Node<'t>> {
    let mut functions = HashMap::new();
    let mut cursor = file.root.walk();
    for statement in file.root.named_children(&mut cursor) {
        if statement.kind() == "function_definition"
            && let Some(name) = statement.child_by_field_name("name")
        {
            functions.insert(file.text_of(name), statement);
        }
    }
    functions
}

/// One walk through a function's statements, in order, with the names bound so far.
struct Walk<'a, 't> {
    file: &'a File<'t>,
    /// The expression asked about; `reached` joins its flow each time the walk gets there.
    target: Option<Node<'t>>,
    reached: Option<Flow<'t>>,
    /// The join of the values of `return` statements (when walking a helper).
    returned: Option<Flow<'t>>,
    depth: u8,
    /// Walking the module's own statements: no module values to fall back on.
    module_level: bool,
    steps: u32,
    nesting: u32,
    /// The walk stopped at `MAX_STEPS` or `MAX_NESTING`: what it found is incomplete.
    gave_up: bool,
}

impl<'a, 't> Walk<'a, 't> {
    fn new(file: &'a File<'t>, target: Option<Node<'t>>, depth: u8, module_level: bool) -> Self {
        Walk {
            file,
            target,
            reached: None,
            returned: None,
            depth,
            module_level,
            steps: 0,
            nesting: 0,
            gave_up: false,
        }
    }

    /// What the walk found at the target: unknown if it never got there or gave up.
    fn verdict(&self) -> Flow<'t> {
        match self.reached {
            Some(flow) if !self.gave_up => flow,
            _ => Flow::Unknown,
        }
    }

    fn text(&self, node: Node<'_>) -> &'t str {
        self.file.text_of(node)
    }

    fn taint(&self) -> &'a crate::diagnostics::vocabulary::Taint {
        &self.file.vocabulary.python.taint
    }

    /// Whether `node`, read through the file's imports, is one of the `patterns`.
    fn named(&self, node: Node<'t>, patterns: &[String]) -> bool {
        qualified_name(node, self.file).is_some_and(|name| names_one_of(&name, patterns))
    }

    fn is_request_object(&self, node: Node<'t>) -> bool {
        let compact: String = self
            .text(node)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        listed(&self.taint().request_objects, &compact)
    }

    /// The parameters of the function asked about: request data in a route (Flask, FastAPI,
    /// class-based views, or a Django view taking `request` first), unknown elsewhere.
    fn parameters(&mut self, function: Node<'t>) -> Env<'t> {
        let mut env = Env::new();
        let Some(parameters) = function.child_by_field_name("parameters") else {
            return env;
        };
        let mut cursor = parameters.walk();
        let all: Vec<Node<'t>> = parameters.named_children(&mut cursor).collect();
        let django_view = all
            .first()
            .and_then(|first| parameter_name(*first))
            .is_some_and(|name| self.is_request_object(name));
        let route = django_view || is_route_function(function, self.file);
        let decorators = match self.file.parent(function) {
            Some(parent) if parent.kind() == "decorated_definition" => self.text(parent),
            _ => "",
        };
        for parameter in all {
            let Some(name) = parameter_name(parameter) else {
                continue;
            };
            // Flask's `<int:order_id>` converts the path part before the view runs.
            let converted = ["int", "float", "uuid"].iter().any(|converter| {
                decorators.contains(&format!("<{converter}:{}>", self.text(name)))
            });
            let flow = if !route {
                Flow::Unknown
            } else if converted {
                Flow::Trusted
            } else {
                self.route_parameter(parameter, name)
            };
            env.insert(self.text(name), Value::of(flow));
        }
        env
    }

    fn route_parameter(&self, parameter: Node<'t>, name: Node<'t>) -> Flow<'t> {
        let taint = self.taint();
        if listed(&taint.framework_parameters, self.text(name)) {
            return Flow::Unknown;
        }
        if let Some(annotation) = parameter.child_by_field_name("type") {
            let typed = self.text(annotation);
            let words = |list: &[String]| {
                list.iter()
                    .any(|word| super::file::contains_word(typed, word))
            };
            if words(&taint.framework_annotations) {
                return Flow::Unknown;
            }
            // FastAPI converts and checks `item_id: int` before the handler runs.
            if annotation
                .named_child(0)
                .is_some_and(|inner| self.named(inner, &taint.sanitizers))
            {
                return Flow::Trusted;
            }
        }
        let injected = parameter
            .child_by_field_name("value")
            .filter(|default| default.kind() == "call")
            .and_then(|call| call.child_by_field_name("function"))
            .is_some_and(|callee| self.named(callee, &taint.framework_defaults));
        if injected {
            Flow::Unknown
        } else {
            Flow::Tainted(name)
        }
    }

    /// Joins the target's flow in `env` if the target is inside `part`.
    fn visit_target(&mut self, part: Node<'t>, env: &Env<'t>) {
        let Some(target) = self.target else { return };
        if !(part.start_byte() <= target.start_byte() && target.end_byte() <= part.end_byte()) {
            return;
        }
        // Names bound around the target by comprehensions and lambdas in this statement.
        let mut scopes: Vec<Node<'t>> = self
            .file
            .ancestors(target)
            .map(|(ancestor, _)| ancestor)
            .take_while(|ancestor| *ancestor != part)
            .filter(|ancestor| {
                matches!(
                    ancestor.kind(),
                    "list_comprehension"
                        | "set_comprehension"
                        | "dictionary_comprehension"
                        | "generator_expression"
                        | "lambda"
                )
            })
            .collect();
        let flow = if scopes.is_empty() {
            self.eval(target, env).flow
        } else {
            let mut inner = env.clone();
            scopes.reverse();
            for scope in scopes {
                if scope.kind() == "lambda" {
                    if let Some(parameters) = scope.child_by_field_name("parameters") {
                        let mut cursor = parameters.walk();
                        for parameter in parameters.named_children(&mut cursor) {
                            if let Some(name) = parameter_name(parameter) {
                                inner.insert(self.text(name), Value::of(Flow::Unknown));
                            }
                        }
                    }
                } else {
                    self.bind_clauses(scope, &mut inner);
                }
            }
            self.eval(target, &inner).flow
        };
        self.reached = Some(self.reached.map_or(flow, |seen| seen.join(flow)));
    }

    fn block(&mut self, block: Node<'t>, state: State<'t>) -> State<'t> {
        // In the outermost block walked (a function's body, the module), nothing after the
        // target's statement can change the target; a block inside a loop goes on, since
        // its later statements feed the next iteration.
        let outermost = block.kind() == "module"
            || self
                .file
                .parent(block)
                .is_some_and(|parent| parent.kind() == "function_definition");
        let mut cursor = block.walk();
        let statements: Vec<Node<'t>> = block.named_children(&mut cursor).collect();
        self.statements(&statements, outermost, state)
    }

    fn statements(
        &mut self,
        statements: &[Node<'t>],
        outermost: bool,
        state: State<'t>,
    ) -> State<'t> {
        let mut state = state;
        for &statement in statements {
            if outermost
                && self
                    .target
                    .is_some_and(|target| statement.start_byte() >= target.end_byte())
            {
                break;
            }
            let env = state?;
            self.steps += 1;
            if self.steps > MAX_STEPS {
                self.gave_up = true;
                return Some(env);
            }
            state = self.statement(statement, env);
        }
        state
    }

    fn statement(&mut self, statement: Node<'t>, mut env: Env<'t>) -> State<'t> {
        match statement.kind() {
            "expression_statement" => {
                self.visit_target(statement, &env);
                let mut cursor = statement.walk();
                let mut exits = false;
                for expression in statement.named_children(&mut cursor) {
                    match expression.kind() {
                        "assignment" => self.assign(expression, &mut env),
                        "augmented_assignment" => self.augment(expression, &mut env),
                        "call" => exits |= self.effect_of_call(expression, &mut env),
                        "await" => {
                            if let Some(call) = expression.named_child(0) {
                                exits |=
                                    call.kind() == "call" && self.effect_of_call(call, &mut env);
                            }
                        }
                        _ => {}
                    }
                }
                (!exits).then_some(env)
            }
            "return_statement" => {
                self.visit_target(statement, &env);
                let flow = statement
                    .named_child(0)
                    .map_or(Flow::Trusted, |value| self.eval(value, &env).flow);
                self.returned = Some(self.returned.map_or(flow, |seen| seen.join(flow)));
                None
            }
            "raise_statement" => {
                self.visit_target(statement, &env);
                None
            }
            "break_statement" | "continue_statement" => None,
            "if_statement" => self.if_statement(statement, env),
            "for_statement" => self.for_statement(statement, env),
            "while_statement" => self.while_statement(statement, env),
            "try_statement" => self.try_statement(statement, env),
            "with_statement" => {
                let mut cursor = statement.walk();
                for clause in statement.named_children(&mut cursor) {
                    if clause.kind() == "with_clause" {
                        self.visit_target(clause, &env);
                        self.bind_with_items(clause, &mut env);
                    }
                }
                match statement.child_by_field_name("body") {
                    Some(body) => self.block(body, Some(env)),
                    None => Some(env),
                }
            }
            "match_statement" => {
                if let Some(subject) = statement.child_by_field_name("subject") {
                    self.visit_target(subject, &env);
                }
                let mut after = Some(env.clone());
                if let Some(body) = statement.child_by_field_name("body") {
                    let mut cursor = body.walk();
                    for case in body.named_children(&mut cursor) {
                        if let Some(consequence) = case.child_by_field_name("consequence") {
                            let taken = self.block(consequence, Some(env.clone()));
                            after = join_states(after, taken);
                        }
                    }
                }
                after
            }
            "function_definition" | "class_definition" => {
                if let Some(name) = statement.child_by_field_name("name") {
                    env.insert(self.text(name), Value::of(Flow::Unknown));
                }
                Some(env)
            }
            "decorated_definition" => {
                if let Some(name) = statement
                    .child_by_field_name("definition")
                    .and_then(|definition| definition.child_by_field_name("name"))
                {
                    env.insert(self.text(name), Value::of(Flow::Unknown));
                }
                Some(env)
            }
            "import_statement" | "import_from_statement" => {
                let mut cursor = statement.walk();
                for imported in statement.children_by_field_name("name", &mut cursor) {
                    let local = imported.child_by_field_name("alias").unwrap_or(imported);
                    let name = self.text(local);
                    let first = name.split('.').next().unwrap_or(name).trim();
                    env.insert(first, Value::of(Flow::Unknown));
                }
                Some(env)
            }
            _ => {
                self.visit_target(statement, &env);
                Some(env)
            }
        }
    }

    fn if_statement(&mut self, statement: Node<'t>, env: Env<'t>) -> State<'t> {
        let mut clauses: Vec<(Option<Node<'t>>, Node<'t>)> = Vec::new();
        if let Some(consequence) = statement.child_by_field_name("consequence") {
            clauses.push((statement.child_by_field_name("condition"), consequence));
        }
        let mut cursor = statement.walk();
        for alternative in statement.children_by_field_name("alternative", &mut cursor) {
            match alternative.kind() {
                "elif_clause" => {
                    if let Some(consequence) = alternative.child_by_field_name("consequence") {
                        clauses.push((alternative.child_by_field_name("condition"), consequence));
                    }
                }
                _ => {
                    if let Some(body) = alternative.child_by_field_name("body") {
                        clauses.push((None, body));
                    }
                }
            }
        }
        self.branches(&clauses, env)
    }

    /// `if`/`elif`/`else`: each branch from the names its condition leaves, joined; a
    /// branch behind a condition that is always false is skipped.
    fn branches(&mut self, clauses: &[(Option<Node<'t>>, Node<'t>)], env: Env<'t>) -> State<'t> {
        let Some(((condition, body), rest)) = clauses.split_first() else {
            return Some(env);
        };
        let Some(condition) = condition else {
            return self.block(*body, Some(env));
        };
        self.visit_target(*condition, &env);
        if self.always(*condition, &env, false) {
            return self.branches(rest, env);
        }
        let when_true = self.refine(*condition, env.clone(), true);
        let taken = self.block(*body, Some(when_true));
        if self.always(*condition, &env, true) {
            return taken;
        }
        let when_false = self.refine(*condition, env, false);
        let other = self.branches(rest, when_false);
        join_states(taken, other)
    }

    fn for_statement(&mut self, statement: Node<'t>, env: Env<'t>) -> State<'t> {
        let (Some(left), Some(right), Some(body)) = (
            statement.child_by_field_name("left"),
            statement.child_by_field_name("right"),
            statement.child_by_field_name("body"),
        ) else {
            return Some(env);
        };
        self.visit_target(left, &env);
        self.visit_target(right, &env);
        let items = Value::of(self.eval(right, &env).flow);
        let mut after = Some(env);
        // Twice: what one iteration binds reaches the next.
        for _ in 0..2 {
            let Some(mut entry) = after.clone() else {
                break;
            };
            self.bind(left, &items, None, &mut entry);
            let end = self.block(body, Some(entry));
            after = join_states(after, end);
        }
        self.after_loop(statement, after)
    }

    fn while_statement(&mut self, statement: Node<'t>, env: Env<'t>) -> State<'t> {
        let (Some(condition), Some(body)) = (
            statement.child_by_field_name("condition"),
            statement.child_by_field_name("body"),
        ) else {
            return Some(env);
        };
        self.visit_target(condition, &env);
        if self.always(condition, &env, false) {
            return self.after_loop(statement, Some(env));
        }
        let mut after = Some(env);
        for _ in 0..2 {
            let Some(entry) = after.clone() else { break };
            let entry = self.refine(condition, entry, true);
            let end = self.block(body, Some(entry));
            after = join_states(after, end);
        }
        self.after_loop(statement, after)
    }

    /// The `else:` of a loop runs when it ends without `break`.
    fn after_loop(&mut self, statement: Node<'t>, after: State<'t>) -> State<'t> {
        match statement
            .child_by_field_name("alternative")
            .and_then(|alternative| alternative.child_by_field_name("body"))
        {
            Some(body) => {
                let ran = self.block(body, after.clone());
                join_states(after, ran)
            }
            None => after,
        }
    }

    fn try_statement(&mut self, statement: Node<'t>, env: Env<'t>) -> State<'t> {
        let Some(body) = statement.child_by_field_name("body") else {
            return Some(env);
        };
        let body_end = self.block(body, Some(env.clone()));
        // An exception can leave the body anywhere: a handler sees either state.
        let handler_entry = join_states(Some(env), body_end.clone());
        let mut after = body_end;
        let mut finally = None;
        let mut cursor = statement.walk();
        for clause in statement.named_children(&mut cursor) {
            match clause.kind() {
                "except_clause" | "except_group_clause" => {
                    let Some(mut entry) = handler_entry.clone() else {
                        continue;
                    };
                    let mut inner = clause.walk();
                    let parts: Vec<Node<'t>> = clause.named_children(&mut inner).collect();
                    for part in &parts {
                        // The handler's body is walked below, statement by statement.
                        if part.kind() != "block" {
                            self.visit_target(*part, &entry);
                        }
                        if part.kind() == "as_pattern"
                            && let Some(alias) = part.child_by_field_name("alias")
                        {
                            self.bind(alias, &Value::of(Flow::Unknown), None, &mut entry);
                        }
                    }
                    if let Some(block) = parts.iter().find(|part| part.kind() == "block") {
                        let handled = self.block(*block, Some(entry));
                        after = join_states(after, handled);
                    }
                }
                "else_clause" => {
                    if let Some(block) = clause.child_by_field_name("body") {
                        after = self.block(block, after);
                    }
                }
                "finally_clause" => finally = Some(clause),
                _ => {}
            }
        }
        match finally.and_then(|clause| clause.named_child(0)) {
            Some(block) => {
                let entry = join_states(after.clone(), handler_entry);
                let end = self.block(block, entry);
                after.and(end)
            }
            None => after,
        }
    }

    fn bind_with_items(&mut self, clause: Node<'t>, env: &mut Env<'t>) {
        let mut cursor = clause.walk();
        for item in clause.named_children(&mut cursor) {
            let Some(value) = item.child_by_field_name("value") else {
                continue;
            };
            if value.kind() == "as_pattern"
                && let (Some(expression), Some(alias)) =
                    (value.named_child(0), value.child_by_field_name("alias"))
            {
                let bound = Value::of(self.eval(expression, env).flow);
                self.bind(alias, &bound, None, env);
            }
        }
    }

    fn assign(&mut self, assignment: Node<'t>, env: &mut Env<'t>) {
        let Some(left) = assignment.child_by_field_name("left") else {
            return;
        };
        let Some(mut right) = assignment.child_by_field_name("right") else {
            return;
        };
        // `a = b = value`
        let mut lefts = vec![left];
        while right.kind() == "assignment" {
            lefts.extend(right.child_by_field_name("left"));
            let Some(next) = right.child_by_field_name("right") else {
                return;
            };
            right = next;
        }
        let mut value = self.eval(right, env);
        if self.module_level && is_empty_container(right, self) {
            // A module-level `CACHE = {}` is filled later, from anywhere.
            value = Value::of(Flow::Unknown);
        }
        for left in lefts {
            self.bind(left, &value, Some(right), env);
        }
    }

    fn augment(&mut self, assignment: Node<'t>, env: &mut Env<'t>) {
        let (Some(left), Some(right)) = (
            assignment.child_by_field_name("left"),
            assignment.child_by_field_name("right"),
        ) else {
            return;
        };
        let added = self.eval(right, env).flow;
        match left.kind() {
            "identifier" => {
                let before = self.name(left, env).flow;
                env.insert(self.text(left), Value::of(before.join(added)));
            }
            _ => self.bind(left, &Value::of(added), None, env),
        }
    }

    /// A call made for its effect: `parts.append(value)` adds to `parts`. Returns whether
    /// the call ends the branch (`abort(400)`, `sys.exit()`).
    fn effect_of_call(&mut self, call: Node<'t>, env: &mut Env<'t>) -> bool {
        let Some(function) = call.child_by_field_name("function") else {
            return false;
        };
        if self.named(function, &self.taint().exit_calls) {
            return true;
        }
        if function.kind() == "attribute"
            && let (Some(object), Some(method)) = (
                function.child_by_field_name("object"),
                function.child_by_field_name("attribute"),
            )
            && object.kind() == "identifier"
            && ADDING_METHODS.contains(&self.text(method))
        {
            let added = self.arguments(call, env);
            let before = self.name(object, env).flow;
            env.insert(self.text(object), Value::of(before.join(added)));
        }
        false
    }

    /// Binds `target` (a name, a tuple of names, `d["k"]`) to `value`; `source` is the
    /// expression assigned, to pair `a, b = x, y` item by item.
    fn bind(
        &mut self,
        target: Node<'t>,
        value: &Value<'t>,
        source: Option<Node<'t>>,
        env: &mut Env<'t>,
    ) {
        match target.kind() {
            "identifier" => {
                env.insert(self.text(target), value.clone());
            }
            "pattern_list" | "tuple_pattern" | "list_pattern" | "tuple" | "list" => {
                let mut cursor = target.walk();
                let targets: Vec<Node<'t>> = target.named_children(&mut cursor).collect();
                let sources: Option<Vec<Node<'t>>> = source
                    .filter(|source| {
                        matches!(
                            source.kind(),
                            "expression_list" | "tuple" | "list" | "pattern_list"
                        )
                    })
                    .map(|source| {
                        let mut cursor = source.walk();
                        source.named_children(&mut cursor).collect()
                    })
                    .filter(|sources: &Vec<Node<'t>>| sources.len() == targets.len());
                for (index, part) in targets.into_iter().enumerate() {
                    let item = match &sources {
                        Some(sources) => self.eval(sources[index], env),
                        None => Value::of(value.item(Some(index.to_string()))),
                    };
                    self.bind(part, &item, None, env);
                }
            }
            "as_pattern_target" => {
                if let Some(inner) = target.named_child(0) {
                    self.bind(inner, value, source, env);
                }
            }
            "list_splat_pattern" | "list_splat" | "parenthesized_expression" => {
                if let Some(inner) = target.named_child(0) {
                    self.bind(inner, &Value::of(value.flow), None, env);
                }
            }
            "subscript" => {
                let Some(container) = target
                    .child_by_field_name("value")
                    .filter(|container| container.kind() == "identifier")
                else {
                    return;
                };
                let key = target
                    .child_by_field_name("subscript")
                    .and_then(|key| literal_key(key, self));
                let before = self.name(container, env);
                let items = match (&before.items, key) {
                    (Some(items), Some(key)) => {
                        let mut items: Vec<(String, Flow<'t>)> = items.as_ref().clone();
                        match items.iter_mut().find(|(name, _)| *name == key) {
                            Some(entry) => entry.1 = value.flow,
                            None => items.push((key, value.flow)),
                        }
                        Some(Rc::new(items))
                    }
                    _ => None,
                };
                let flow = match &items {
                    Some(items) => items
                        .iter()
                        .fold(Flow::Trusted, |flow, (_, item)| flow.join(*item)),
                    None => before.flow.join(value.flow),
                };
                env.insert(
                    self.text(container),
                    Value {
                        flow,
                        falsy: false,
                        items,
                    },
                );
            }
            _ => {}
        }
    }

    /// Binds the loop names of a comprehension's `for` clauses in `env`.
    fn bind_clauses(&mut self, comprehension: Node<'t>, env: &mut Env<'t>) {
        let mut cursor = comprehension.walk();
        let clauses: Vec<Node<'t>> = comprehension
            .named_children(&mut cursor)
            .filter(|clause| clause.kind() == "for_in_clause")
            .collect();
        for clause in clauses {
            if let (Some(left), Some(right)) = (
                clause.child_by_field_name("left"),
                clause.child_by_field_name("right"),
            ) {
                let items = Value::of(self.eval(right, env).flow);
                self.bind(left, &items, None, env);
            }
        }
    }

    /// The names `condition` leaves when it is `truth`: a name checked against a constant
    /// (`x in ALLOWED`, `x == "asc"`) or by a validator (`x.isdigit()`) is trusted there.
    fn refine(&mut self, condition: Node<'t>, mut env: Env<'t>, truth: bool) -> Env<'t> {
        match condition.kind() {
            "parenthesized_expression" => match condition.named_child(0) {
                Some(inner) => self.refine(inner, env, truth),
                None => env,
            },
            "not_operator" => match condition.child_by_field_name("argument") {
                Some(inner) => self.refine(inner, env, !truth),
                None => env,
            },
            "boolean_operator" => {
                let operator = condition
                    .child_by_field_name("operator")
                    .map(|operator| operator.kind());
                // `a and b` true: both are; `a or b` false: neither is.
                let both = matches!((operator, truth), (Some("and"), true) | (Some("or"), false));
                if !both {
                    return env;
                }
                for side in ["left", "right"] {
                    if let Some(part) = condition.child_by_field_name(side) {
                        env = self.refine(part, env, truth);
                    }
                }
                env
            }
            "comparison_operator" => {
                let mut cursor = condition.walk();
                let operands: Vec<Node<'t>> = condition.named_children(&mut cursor).collect();
                let mut cursor = condition.walk();
                let operators: Vec<&str> = condition
                    .children_by_field_name("operators", &mut cursor)
                    .map(|operator| operator.kind())
                    .collect();
                let ([left, right], [operator]) = (operands.as_slice(), operators.as_slice())
                else {
                    return env;
                };
                let holds_when = match *operator {
                    "in" | "==" => true,
                    "not in" | "!=" => false,
                    _ => return env,
                };
                if holds_when != truth {
                    return env;
                }
                for (checked, against) in [(*left, *right), (*right, *left)] {
                    if checked.kind() == "identifier"
                        && self.eval(against, &env).flow == Flow::Trusted
                    {
                        env.insert(self.text(checked), Value::of(Flow::Trusted));
                    }
                }
                env
            }
            "call" if truth => {
                let checked = condition
                    .child_by_field_name("function")
                    .filter(|function| function.kind() == "attribute")
                    .filter(|function| {
                        function
                            .child_by_field_name("attribute")
                            .is_some_and(|method| {
                                listed(&self.taint().validator_methods, self.text(method))
                            })
                    })
                    .and_then(|function| function.child_by_field_name("object"))
                    .filter(|object| object.kind() == "identifier");
                if let Some(name) = checked {
                    env.insert(self.text(name), Value::of(Flow::Trusted));
                }
                env
            }
            _ => env,
        }
    }

    /// Whether `condition` is always `truth` (`if False:`, `if 0:`, a name bound only to
    /// `False`, `not` of one).
    fn always(&mut self, condition: Node<'t>, env: &Env<'t>, truth: bool) -> bool {
        match condition.kind() {
            "parenthesized_expression" => condition
                .named_child(0)
                .is_some_and(|inner| self.always(inner, env, truth)),
            "not_operator" => condition
                .child_by_field_name("argument")
                .is_some_and(|inner| self.always(inner, env, !truth)),
            "boolean_operator" => {
                let operator = condition
                    .child_by_field_name("operator")
                    .map(|operator| operator.kind());
                let mut side = |field: &str| {
                    condition
                        .child_by_field_name(field)
                        .is_some_and(|part| self.always(part, env, truth))
                };
                match (operator, truth) {
                    (Some("and"), false) | (Some("or"), true) => side("left") || side("right"),
                    _ => side("left") && side("right"),
                }
            }
            "true" => truth,
            "integer" | "false" | "none" | "string" | "identifier" => {
                let value = self.eval(condition, env);
                if truth {
                    condition.kind() == "integer" && !value.falsy
                } else {
                    value.falsy
                }
            }
            _ => false,
        }
    }

    fn eval(&mut self, node: Node<'t>, env: &Env<'t>) -> Value<'t> {
        if self.nesting >= MAX_NESTING {
            self.gave_up = true;
            return Value::of(Flow::Unknown);
        }
        self.nesting += 1;
        let value = self.eval_nested(node, env);
        self.nesting -= 1;
        value
    }

    fn eval_nested(&mut self, node: Node<'t>, env: &Env<'t>) -> Value<'t> {
        match node.kind() {
            "string" => {
                let mut flow = Flow::Trusted;
                let mut empty = true;
                let mut cursor = node.walk();
                for part in node.named_children(&mut cursor) {
                    match part.kind() {
                        "interpolation" => {
                            empty = false;
                            if let Some(value) = part.child_by_field_name("expression") {
                                flow = flow.join(self.eval(value, env).flow);
                            }
                        }
                        "string_content" | "escape_sequence" => empty = false,
                        _ => {}
                    }
                }
                Value {
                    flow,
                    falsy: empty,
                    items: None,
                }
            }
            "integer" => Value {
                flow: Flow::Trusted,
                falsy: matches!(self.text(node), "0" | "0x0" | "0o0" | "0b0"),
                items: None,
            },
            "float" | "true" | "ellipsis" | "not_operator" | "comparison_operator" => {
                Value::of(Flow::Trusted)
            }
            "false" | "none" => Value {
                flow: Flow::Trusted,
                falsy: true,
                items: None,
            },
            "identifier" => self.name(node, env),
            "attribute" => self.attribute(node, env),
            "subscript" => {
                let Some(container) = node.child_by_field_name("value") else {
                    return Value::of(Flow::Unknown);
                };
                let value = self.eval(container, env);
                let key = node
                    .child_by_field_name("subscript")
                    .and_then(|key| literal_key(key, self));
                Value::of(value.item(key))
            }
            "call" => self.call(node, env),
            "concatenated_string" | "binary_operator" | "boolean_operator" => {
                let mut cursor = node.walk();
                let parts: Vec<Node<'t>> = node.named_children(&mut cursor).collect();
                Value::of(self.join_all(&parts, env))
            }
            "await"
            | "parenthesized_expression"
            | "list_splat"
            | "dictionary_splat"
            | "unary_operator"
            | "keyword_argument"
            | "named_expression" => {
                let inner = node
                    .child_by_field_name("value")
                    .or_else(|| node.child_by_field_name("argument"))
                    .or_else(|| {
                        let last = node.named_child_count().checked_sub(1)?;
                        node.named_child(u32::try_from(last).ok()?)
                    });
                match inner {
                    Some(inner) => self.eval(inner, env),
                    None => Value::of(Flow::Unknown),
                }
            }
            "conditional_expression" => {
                let (Some(yes), Some(condition), Some(no)) = (
                    node.named_child(0),
                    node.named_child(1),
                    node.named_child(2),
                ) else {
                    return Value::of(Flow::Unknown);
                };
                if self.always(condition, env, false) {
                    self.eval(no, env)
                } else if self.always(condition, env, true) {
                    self.eval(yes, env)
                } else {
                    let yes = self.eval(yes, env);
                    yes.join(&self.eval(no, env))
                }
            }
            "list" | "tuple" | "set" | "expression_list" => {
                let mut cursor = node.walk();
                let parts: Vec<Node<'t>> = node.named_children(&mut cursor).collect();
                let mut flow = Flow::Trusted;
                let mut items = Vec::with_capacity(parts.len());
                for (index, part) in parts.into_iter().enumerate() {
                    let item = self.eval(part, env).flow;
                    flow = flow.join(item);
                    items.push((index.to_string(), item));
                }
                Value {
                    flow,
                    falsy: items.is_empty(),
                    items: Some(Rc::new(items)),
                }
            }
            "dictionary" => {
                let mut cursor = node.walk();
                let entries: Vec<Node<'t>> = node.named_children(&mut cursor).collect();
                let mut flow = Flow::Trusted;
                let mut items = Vec::with_capacity(entries.len());
                let mut keyed = true;
                for entry in entries {
                    if entry.kind() == "pair"
                        && let Some(value) = entry.child_by_field_name("value")
                    {
                        let item = self.eval(value, env).flow;
                        flow = flow.join(item);
                        match entry
                            .child_by_field_name("key")
                            .and_then(|key| literal_key(key, self))
                        {
                            Some(key) => items.push((key, item)),
                            None => keyed = false,
                        }
                    } else {
                        flow = flow.join(self.eval(entry, env).flow);
                        keyed = false;
                    }
                }
                Value {
                    flow,
                    falsy: items.is_empty() && keyed,
                    items: keyed.then(|| Rc::new(items)),
                }
            }
            "list_comprehension"
            | "set_comprehension"
            | "dictionary_comprehension"
            | "generator_expression" => {
                let mut inner = env.clone();
                self.bind_clauses(node, &mut inner);
                let body = node.child_by_field_name("body");
                let body = match body {
                    Some(pair) if pair.kind() == "pair" => pair.child_by_field_name("value"),
                    other => other,
                };
                match body {
                    Some(body) => Value::of(self.eval(body, &inner).flow),
                    None => Value::of(Flow::Unknown),
                }
            }
            _ => Value::of(Flow::Unknown),
        }
    }

    fn join_all(&mut self, parts: &[Node<'t>], env: &Env<'t>) -> Flow<'t> {
        parts.iter().fold(Flow::Trusted, |flow, part| {
            flow.join(self.eval(*part, env).flow)
        })
    }

    fn name(&mut self, node: Node<'t>, env: &Env<'t>) -> Value<'t> {
        if self.named(node, &self.taint().source_values) {
            return Value::of(Flow::Tainted(node));
        }
        let name = self.text(node);
        // Set by the interpreter for each module.
        if matches!(name, "__file__" | "__name__" | "__package__") {
            return Value::of(Flow::Trusted);
        }
        if let Some(value) = env.get(name) {
            return value.clone();
        }
        if self.module_level {
            return Value::of(Flow::Unknown);
        }
        self.file
            .module_values()
            .at_end
            .get(name)
            .cloned()
            .unwrap_or_else(|| Value::of(Flow::Unknown))
    }

    fn attribute(&mut self, node: Node<'t>, env: &Env<'t>) -> Value<'t> {
        if self.named(node, &self.taint().source_values) {
            return Value::of(Flow::Tainted(node));
        }
        let (Some(object), Some(attribute)) = (
            node.child_by_field_name("object"),
            node.child_by_field_name("attribute"),
        ) else {
            return Value::of(Flow::Unknown);
        };
        if self.is_request_object(object)
            && listed(&self.taint().request_attributes, self.text(attribute))
        {
            return Value::of(Flow::Tainted(node));
        }
        Value::of(self.eval(object, env).flow)
    }

    fn call(&mut self, node: Node<'t>, env: &Env<'t>) -> Value<'t> {
        let Some(function) = node.child_by_field_name("function") else {
            return Value::of(Flow::Unknown);
        };
        let taint = self.taint();
        if self.named(function, &taint.source_calls) {
            return Value::of(Flow::Tainted(node));
        }
        if self.named(function, &taint.sanitizers) {
            return Value::of(Flow::Trusted);
        }
        if self.named(function, &taint.pass_through_calls) {
            return Value::of(self.arguments(node, env));
        }
        match function.kind() {
            "attribute" => {
                let (Some(object), Some(method)) = (
                    function.child_by_field_name("object"),
                    function.child_by_field_name("attribute"),
                ) else {
                    return Value::of(Flow::Unknown);
                };
                let method_name = self.text(method);
                if self.is_request_object(object) && listed(&taint.request_methods, method_name) {
                    return Value::of(Flow::Tainted(node));
                }
                if matches!(self.text(object), "self" | "cls")
                    && let Some(helper) = method_of_class(node, method_name, self)
                {
                    return self.helper(helper, node, env, true);
                }
                if listed(&taint.validator_methods, method_name) {
                    return Value::of(Flow::Trusted);
                }
                let receiver = self.eval(object, env);
                if LOOKUP_METHODS.contains(&method_name) {
                    let positional = positional_arguments(node);
                    let key = positional.first().and_then(|key| literal_key(*key, self));
                    let default = positional
                        .get(1)
                        .map_or(Flow::Trusted, |default| self.eval(*default, env).flow);
                    return Value::of(receiver.item(key).join(default));
                }
                let arguments = self.arguments(node, env);
                Value::of(receiver.flow.join(arguments))
            }
            "identifier" => {
                let name = self.text(function);
                if !env.contains_key(name)
                    && let Some(helper) = self.file.local_functions().get(name).copied()
                {
                    return self.helper(helper, node, env, false);
                }
                Value::of(unknown_call(self.arguments(node, env)))
            }
            _ => Value::of(unknown_call(self.arguments(node, env))),
        }
    }

    /// The join of what a call's arguments carry.
    fn arguments(&mut self, call: Node<'t>, env: &Env<'t>) -> Flow<'t> {
        let Some(arguments) = call.child_by_field_name("arguments") else {
            return Flow::Trusted;
        };
        if arguments.kind() == "generator_expression" {
            return self.eval(arguments, env).flow;
        }
        let mut cursor = arguments.walk();
        let parts: Vec<Node<'t>> = arguments.named_children(&mut cursor).collect();
        self.join_all(&parts, env)
    }

    /// What a call of a function of this file returns, given what its arguments carry.
    fn helper(
        &mut self,
        function: Node<'t>,
        call: Node<'t>,
        env: &Env<'t>,
        method: bool,
    ) -> Value<'t> {
        if self.depth >= MAX_HELPER_DEPTH {
            return Value::of(unknown_call(self.arguments(call, env)));
        }
        let mut positional = Vec::new();
        let mut keywords: HashMap<&'t str, Value<'t>> = HashMap::new();
        let mut spread = Flow::Trusted;
        if let Some(arguments) = call.child_by_field_name("arguments") {
            let mut cursor = arguments.walk();
            for argument in arguments.named_children(&mut cursor) {
                match argument.kind() {
                    "keyword_argument" => {
                        if let (Some(name), Some(value)) = (
                            argument.child_by_field_name("name"),
                            argument.child_by_field_name("value"),
                        ) {
                            let value = self.eval(value, env);
                            keywords.insert(self.text(name), value);
                        }
                    }
                    "list_splat" | "dictionary_splat" => {
                        spread = spread.join(self.eval(argument, env).flow);
                    }
                    _ => positional.push(self.eval(argument, env)),
                }
            }
        }
        let mut inner_env = Env::new();
        if let Some(parameters) = function.child_by_field_name("parameters") {
            let mut cursor = parameters.walk();
            let mut position = 0;
            for (index, parameter) in parameters.named_children(&mut cursor).enumerate() {
                let Some(name) = parameter_name(parameter) else {
                    continue;
                };
                if method && index == 0 {
                    continue;
                }
                let text = self.text(name);
                let value = if matches!(
                    parameter.kind(),
                    "list_splat_pattern" | "dictionary_splat_pattern"
                ) {
                    Value::of(Flow::Unknown)
                } else if let Some(value) = positional.get(position) {
                    value.clone()
                } else if let Some(value) = keywords.get(text) {
                    value.clone()
                } else if spread != Flow::Trusted {
                    Value::of(spread)
                } else if let Some(default) = parameter.child_by_field_name("value") {
                    self.eval(default, &Env::new())
                } else {
                    Value::of(Flow::Unknown)
                };
                position += 1;
                inner_env.insert(text, value);
            }
        }
        // At module level the module's values are still being worked out: stay there.
        let mut walk = Walk::new(self.file, None, self.depth + 1, self.module_level);
        if let Some(body) = function.child_by_field_name("body") {
            walk.block(body, Some(inner_env));
        }
        if walk.gave_up {
            return Value::of(unknown_call(self.arguments(call, env)));
        }
        // A function that never returns a value returns `None`.
        Value::of(walk.returned.unwrap_or(Flow::Trusted))
    }
}

/// A call this file does not define: what it returns is unknown, unless an argument is
/// tainted (`base64.b64decode(request.data)`, `json.loads(body)` carry it on).
fn unknown_call(arguments: Flow<'_>) -> Flow<'_> {
    match arguments {
        Flow::Tainted(_) => arguments,
        _ => Flow::Unknown,
    }
}

fn join_states<'t>(a: State<'t>, b: State<'t>) -> State<'t> {
    match (a, b) {
        (None, other) | (other, None) => other,
        (Some(mut a), Some(b)) => {
            for (name, value) in b {
                let joined = match a.get(name) {
                    Some(mine) => mine.join(&value),
                    None => value,
                };
                a.insert(name, joined);
            }
            Some(a)
        }
    }
}

/// The name a parameter binds (`x`, `x: int`, `x=1`, `*args`).
fn parameter_name(parameter: Node<'_>) -> Option<Node<'_>> {
    match parameter.kind() {
        "identifier" => Some(parameter),
        "default_parameter" | "typed_default_parameter" => parameter.child_by_field_name("name"),
        "typed_parameter" | "list_splat_pattern" | "dictionary_splat_pattern" => parameter
            .named_child(0)
            .and_then(|inner| parameter_name(inner).or(Some(inner)))
            .filter(|name| name.kind() == "identifier"),
        _ => None,
    }
}

fn positional_arguments(call: Node<'_>) -> Vec<Node<'_>> {
    let Some(arguments) = call.child_by_field_name("arguments") else {
        return Vec::new();
    };
    let mut cursor = arguments.walk();
    arguments
        .named_children(&mut cursor)
        .filter(|argument| {
            !matches!(
                argument.kind(),
                "keyword_argument" | "list_splat" | "dictionary_splat" | "comment"
            )
        })
        .collect()
}

/// The key a literal subscript or dict key names: a string's text, an integer's digits.
fn literal_key(key: Node<'_>, walk: &Walk<'_, '_>) -> Option<String> {
    match key.kind() {
        "integer" => Some(walk.text(key).to_string()),
        "string" => {
            let mut cursor = key.walk();
            let mut content = String::new();
            for part in key.named_children(&mut cursor) {
                match part.kind() {
                    "interpolation" => return None,
                    "string_content" => content.push_str(walk.text(part)),
                    _ => {}
                }
            }
            Some(content)
        }
        _ => None,
    }
}

fn is_empty_container(node: Node<'_>, walk: &Walk<'_, '_>) -> bool {
    match node.kind() {
        "list" | "dictionary" | "set" => node.named_child_count() == 0,
        "call" => {
            node.child_by_field_name("function")
                .is_some_and(|function| matches!(walk.text(function), "dict" | "list" | "set"))
                && node
                    .child_by_field_name("arguments")
                    .is_some_and(|arguments| arguments.named_child_count() == 0)
        }
        _ => false,
    }
}

/// `self.name(..)`: the method `name` of the class the call is written in.
fn method_of_class<'t>(call: Node<'t>, name: &str, walk: &Walk<'_, 't>) -> Option<Node<'t>> {
    let class = walk
        .file
        .ancestors(call)
        .map(|(ancestor, _)| ancestor)
        .find(|ancestor| ancestor.kind() == "class_definition")?;
    let body = class.child_by_field_name("body")?;
    let mut cursor = body.walk();
    body.named_children(&mut cursor).find(|statement| {
        statement.kind() == "function_definition"
            && statement
                .child_by_field_name("name")
                .is_some_and(|method| walk.text(method) == name)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::predicate::file::visit;
    use crate::diagnostics::vocabulary::Vocabulary;
    use crate::syntax::Language;

    /// The flow of the first argument of each `sink(..)` call in `source`, in order:
    /// "tainted (code of the source)", "trusted" or "unknown".
    fn sinks(source: &str) -> Vec<String> {
        let tree = Language::Python.parse_str(source).unwrap();
        let file = File::new(
            Language::Python,
            source,
            tree.root_node(),
            None,
            Vocabulary::builtin(),
        );
        let mut arguments = Vec::new();
        visit(tree.root_node(), &mut |node| {
            if node.kind() == "call"
                && node
                    .child_by_field_name("function")
                    .is_some_and(|function| file.text_of(function) == "sink")
                && let Some(argument) = node
                    .child_by_field_name("arguments")
                    .and_then(|arguments| arguments.named_child(0))
            {
                arguments.push(argument);
            }
            true
        });
        arguments
            .into_iter()
            .map(|argument| match flow_of(argument, &file) {
                Flow::Tainted(from) => format!("tainted {}", file.text_of(from)),
                Flow::Trusted => "trusted".to_string(),
                Flow::Unknown => "unknown".to_string(),
            })
            .collect()
    }

    #[test]
    fn request_data_reaches_the_sink_through_assignments_building_and_containers() {
        let source = r#"
from flask import request

def view():
    name = request.args.get("name", "")
    query = "SELECT * FROM t WHERE n = '" + name + "'"
    sink(query)
    parts = ["echo"]
    parts.append(request.form["word"])
    sink(" ".join(parts))
    data = {"term": request.json["term"], "limit": 10}
    sink(f"{data['term']}")
    sink(data["limit"])
    sql = "SELECT 1"
    sql += " WHERE x = %s" % request.cookies.get("x")
    sink(sql)
    sink("{} {}".format("a", request.headers["h"]))
"#;
        assert_eq!(
            sinks(source),
            [
                "tainted request.args",
                "tainted request.form",
                "tainted request.json",
                "trusted",
                "tainted request.cookies",
                "tainted request.headers",
            ]
        );
    }

    #[test]
    fn the_traps_come_out_trusted() {
        let source = r#"
from flask import request
ALLOWED = {"a", "b"}
DEBUG = False
TABLE = {"disk": "df -h"}

def overwritten():
    cmd = request.args["cmd"]
    cmd = "uptime"
    sink(cmd)

def dead_branch():
    code = "x"
    if DEBUG:
        code = request.form["code"]
    if False:
        code = request.form["code"]
    sink(code)

def cast():
    n = int(request.args["n"])
    sink(f"{n} ** 2")

def allow_listed():
    sort = request.args["sort"]
    if sort not in ALLOWED:
        return None
    sink(sort)

def inside_the_check():
    sort = request.args["sort"]
    if sort in ALLOWED:
        sink(sort)

def constant_table():
    sink(TABLE.get(request.args.get("what"), "uptime"))
    sink(TABLE[request.args["what"]])

def fallback_in_a_handler():
    cmd = request.args["cmd"]
    try:
        run(cmd)
    except OSError:
        cmd = "uptime"
        sink(cmd)
"#;
        assert_eq!(sinks(source), ["trusted"; 8]);
    }

    #[test]
    fn branches_helpers_and_routes() {
        let source = r#"
import sys
from fastapi import APIRouter, Depends, Request

router = APIRouter()

def helper(value):
    return "SELECT " + value

def constant_helper(value):
    return "SELECT 1"

@router.get("/items/{item_id}")
async def read(item_id: int, q: str, db=Depends(get_db)):
    sink(item_id)
    sink(q)
    sink(db)

@router.post("/run")
async def run(request: Request):
    body = await request.json()
    sink(body["cmd"])
    sink(request)

def plain(value):
    sink(value)
    if value:
        expr = value
    else:
        expr = sys.argv[1]
    sink(expr)
    sink(helper(input()))
    sink(constant_helper(input()))

def django_view(request, slug):
    sink(slug)

@app.route("/orders/<int:order_id>/<path:rest>")
def order(order_id, rest):
    sink(order_id)
    sink(rest)
"#;
        assert_eq!(
            sinks(source),
            [
                "trusted",
                "tainted q",
                "unknown",
                "tainted request.json()",
                "unknown",
                "unknown",
                "tainted sys.argv",
                "tainted input()",
                "trusted",
                "tainted slug",
                "trusted",
                "tainted rest",
            ]
        );
    }

    #[test]
    fn generated_code_gives_up_as_unknown_instead_of_overflowing() {
        let terms = vec!["request.args['a']"; 5000].join(" + ");
        let source = format!("from flask import request\n\ndef view():\n    sink({terms})\n");
        assert_eq!(sinks(&source), ["unknown"]);
        let mut nested = String::from("def view(items):\n    cmd = 'ls'\n");
        for depth in 1..=16 {
            nested.push_str(&format!("{}for x{depth} in items:\n", "    ".repeat(depth)));
        }
        nested.push_str(&format!(
            "{}cmd = cmd + 'x'\n    sink(cmd)\n",
            "    ".repeat(17)
        ));
        assert_eq!(sinks(&nested), ["unknown"]);
    }
}
