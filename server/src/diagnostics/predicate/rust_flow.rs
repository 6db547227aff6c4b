//! Local data flow of Rust values for `#tainted?` and `#trusted?`: whether a value in a
//! function may hold a request's data, read back from the value through `let` bindings,
//! assignments, `format!`, references, field reads and method calls to the function's
//! parameters. A parameter is request data when its type is one of the web frameworks'
//! extractors (`Query<..>`, `web::Path<..>`, `Json<..>`) around anything but a type that
//! cannot carry text (`Path<i64>`, `Path<Uuid>`); a value of such a type, or converted to
//! one (`as i64`, `let id: u32 = s.parse()?`), is trusted. The lists are the
//! vocabulary's `[rust.taint]`.
//! Architecture invariant: reads only the function around the value; each answer is
//! bounded in steps, so generated code gets "unknown" rather than a slow walk.

use std::cell::{Cell, RefCell};

use tree_sitter::Node;

use super::file::File;
use super::flow::Flow;
use crate::diagnostics::vocabulary::{RustTaint, listed};

/// Expressions one answer may look at: past this the answer is unknown rather than slow.
const MAX_STEPS: u32 = 5_000;

/// Methods whose result is what their closure returns (`.map(|p| p.parse::<u32>())`),
/// besides any default they are given (`map_or(1, ..)`). Other methods given a closure
/// (`filter`, `inspect`) keep their receiver's values.
const MAPPING_METHODS: &[&str] = &[
    "map",
    "and_then",
    "map_or",
    "map_or_else",
    "flat_map",
    "filter_map",
    "then",
];

/// Methods whose result is their receiver's value or, failing that, what their closure
/// returns (`.unwrap_or_else(|| "50".into())`).
const FALLBACK_METHODS: &[&str] = &["unwrap_or_else", "or_else", "get_or_insert_with"];

/// The flow of `node`, a Rust expression, inside the function around it.
pub(super) fn flow_of<'t>(node: Node<'t>, file: &File<'t>) -> Flow<'t> {
    let function = file
        .ancestors(node)
        .map(|(ancestor, _)| ancestor)
        .find(|ancestor| ancestor.kind() == "function_item");
    let walk = Walk {
        file,
        taint: &file.vocabulary.rust.taint,
        function,
        steps: Cell::new(0),
        closure_parameters: RefCell::new(Vec::new()),
    };
    walk.eval(node)
}

struct Walk<'f, 't> {
    file: &'f File<'t>,
    taint: &'f RustTaint,
    function: Option<Node<'t>>,
    steps: Cell<u32>,
    /// The parameters of the closures being read (`|p|` in `.map(|p| ..)`), innermost
    /// last, with what the method hands them.
    closure_parameters: RefCell<Vec<(&'t str, Flow<'t>)>>,
}

impl<'t> Walk<'_, 't> {
    fn text(&self, node: Node<'_>) -> &'t str {
        self.file.text.get(node.byte_range()).unwrap_or("")
    }

    fn eval(&self, node: Node<'t>) -> Flow<'t> {
        self.steps.set(self.steps.get() + 1);
        if self.steps.get() > MAX_STEPS {
            return Flow::Unknown;
        }
        match node.kind() {
            "string_literal" | "raw_string_literal" | "integer_literal" | "float_literal"
            | "boolean_literal" | "char_literal" => Flow::Trusted,
            "identifier" => {
                let flow = self.name(self.text(node), node.start_byte());
                self.unless_allow_listed(node, self.text(node), flow)
            }
            "reference_expression"
            | "parenthesized_expression"
            | "try_expression"
            | "await_expression"
            | "unary_expression" => match node.named_child(0) {
                Some(inner) => self.eval(inner),
                None => Flow::Unknown,
            },
            "field_expression" | "index_expression" => match node.named_child(0) {
                Some(object) => self.unless_allow_listed(node, self.text(node), self.eval(object)),
                None => Flow::Unknown,
            },
            "type_cast_expression" => match node.child_by_field_name("type") {
                Some(kind) if self.safe_type(kind) => Flow::Trusted,
                _ => node
                    .child_by_field_name("value")
                    .map_or(Flow::Unknown, |value| self.eval(value)),
            },
            "binary_expression" => {
                let operator = node
                    .child_by_field_name("operator")
                    .map(|operator| self.text(operator))
                    .unwrap_or("");
                if matches!(
                    operator,
                    "==" | "!=" | "<" | ">" | "<=" | ">=" | "&&" | "||"
                ) {
                    return Flow::Trusted;
                }
                let side = |field| {
                    node.child_by_field_name(field)
                        .map_or(Flow::Unknown, |side| self.eval(side))
                };
                side("left").join(side("right"))
            }
            // What `push_str(..)` and its kin add to a string.
            "arguments" => self.join_children(node),
            "call_expression" => self.call(node),
            "macro_invocation" => self.macro_call(node),
            "range_expression" | "tuple_expression" | "array_expression" => {
                self.join_children(node)
            }
            // A branch or block yields its last expression; `match` any of its arms.
            "block" => self.tail(node),
            "if_expression" => {
                let branch = |field| {
                    node.child_by_field_name(field)
                        .map_or(Flow::Trusted, |branch| self.eval(branch))
                };
                branch("consequence").join(branch("alternative"))
            }
            "else_clause" => node
                .named_child(0)
                .map_or(Flow::Unknown, |inner| self.eval(inner)),
            "match_expression" => {
                let Some(arms) = node.child_by_field_name("body") else {
                    return Flow::Unknown;
                };
                let mut cursor = arms.walk();
                let arms: Vec<Node<'t>> = arms.named_children(&mut cursor).collect();
                arms.into_iter()
                    .filter_map(|arm| arm.child_by_field_name("value"))
                    .fold(Flow::Trusted, |flow, value| flow.join(self.eval(value)))
            }
            // Leaves the function: yields nothing here.
            "return_expression" | "break_expression" | "continue_expression" => Flow::Trusted,
            _ => Flow::Unknown,
        }
    }

    /// A block's value: its last expression, if it ends without `;`.
    fn tail(&self, block: Node<'t>) -> Flow<'t> {
        let Some(last) = block.named_children(&mut block.walk()).last() else {
            return Flow::Trusted;
        };
        if last.kind().ends_with("_statement")
            || last.kind() == "let_declaration"
            || last.kind().ends_with("_item")
        {
            // `{ ...; }` is `()`; a block ending in `return ..;` leaves instead.
            return Flow::Trusted;
        }
        self.eval(last)
    }

    /// A closure's body, its parameters holding `given`.
    fn closure(&self, closure: Node<'t>, given: Flow<'t>) -> Flow<'t> {
        let mut names = Vec::new();
        if let Some(parameters) = closure.child_by_field_name("parameters") {
            self.identifiers(parameters, &mut names);
        }
        let bound = names.len();
        self.closure_parameters
            .borrow_mut()
            .extend(names.into_iter().map(|name| (name, given)));
        let flow = closure
            .child_by_field_name("body")
            .map_or(Flow::Unknown, |body| self.eval(body));
        let mut parameters = self.closure_parameters.borrow_mut();
        let keep = parameters.len().saturating_sub(bound);
        parameters.truncate(keep);
        flow
    }

    /// The names a pattern binds (not the types in it: `Some(x)` binds `x`).
    fn identifiers(&self, pattern: Node<'t>, names: &mut Vec<&'t str>) {
        match pattern.kind() {
            "identifier" => names.push(self.text(pattern)),
            // The type of `|p: &str|` and the path of `Some(x)` bind nothing.
            kind if kind.ends_with("type") || kind == "scoped_identifier" => {}
            _ => {
                let mut cursor = pattern.walk();
                let children: Vec<Node<'t>> = pattern.named_children(&mut cursor).collect();
                for child in children {
                    if pattern.kind() == "tuple_struct_pattern"
                        && pattern.child_by_field_name("type") == Some(child)
                    {
                        continue;
                    }
                    self.identifiers(child, names);
                }
            }
        }
    }

    /// A method call carries what its receiver and arguments carry (`q.trim()`,
    /// `base.replace("x", &q)`), unless it answers with a number or a flag (`q.len()`)
    /// or parses into a type that cannot carry text (`q.parse::<i64>()`). A call of a
    /// constructor or conversion (`String::from(q)`) carries its arguments; another
    /// function's result is unknown.
    fn call(&self, node: Node<'t>) -> Flow<'t> {
        let Some(function) = node.child_by_field_name("function") else {
            return Flow::Unknown;
        };
        let arguments = || {
            node.child_by_field_name("arguments")
                .map_or(Flow::Trusted, |arguments| self.join_children(arguments))
        };
        let (function, turbofish) = match function.kind() {
            "generic_function" => (
                function.child_by_field_name("function").unwrap_or(function),
                function.child_by_field_name("type_arguments"),
            ),
            _ => (function, None),
        };
        match function.kind() {
            "field_expression" => {
                let method = function
                    .child_by_field_name("field")
                    .map(|field| self.text(field))
                    .unwrap_or("");
                if listed(&self.taint.clean_methods, method)
                    || turbofish.is_some_and(|types| self.all_safe_types(types))
                    || self.returns_no_text(method)
                {
                    return Flow::Trusted;
                }
                let receiver = function
                    .child_by_field_name("value")
                    .map_or(Flow::Unknown, |value| self.eval(value));
                let Some(list) = node.child_by_field_name("arguments") else {
                    return receiver;
                };
                let mut cursor = list.walk();
                let given: Vec<Node<'t>> = list.named_children(&mut cursor).collect();
                let mapping = listed_str(MAPPING_METHODS, method);
                // What a closure returns replaces the receiver's values in a mapping
                // method; elsewhere the closure only looks at them.
                let mut flow = if mapping && given.iter().any(|g| g.kind() == "closure_expression")
                {
                    Flow::Trusted
                } else {
                    receiver
                };
                for argument in given {
                    flow = flow.join(if argument.kind() == "closure_expression" {
                        if mapping || listed_str(FALLBACK_METHODS, method) {
                            self.closure(argument, receiver)
                        } else {
                            Flow::Trusted
                        }
                    } else {
                        self.eval(argument)
                    });
                }
                flow
            }
            "scoped_identifier" | "identifier" => {
                let path = self.text(function);
                let last = path.rsplit("::").next().unwrap_or(path);
                // `Uuid::new_v4()`, `Utc::now()`, `u32::try_from(n)`: a function of a type
                // whose values cannot carry text.
                let of_safe_type = function
                    .child_by_field_name("path")
                    .is_some_and(|owner| self.safe_type_name(self.text(owner)));
                if of_safe_type
                    || self.listed_path(&self.taint.sanitizers, path)
                    || self.returns_no_text(last)
                {
                    Flow::Trusted
                } else if listed(&self.taint.pass_through_functions, last) {
                    arguments()
                } else {
                    Flow::Unknown
                }
            }
            _ => Flow::Unknown,
        }
    }

    /// Whether every function or method of this file named `name` (at least one) returns
    /// a value that cannot carry request text: a `&'static str` (a literal, such as a
    /// `match` of a deserialised enum to fixed names) or a safe type (a number, a `Uuid`).
    fn returns_no_text(&self, name: &str) -> bool {
        let functions = self.file.rust_functions(name);
        !functions.is_empty()
            && functions.iter().all(|function| {
                function
                    .child_by_field_name("return_type")
                    .is_some_and(|kind| {
                        let text: String = self
                            .text(kind)
                            .split_whitespace()
                            .collect::<Vec<_>>()
                            .concat();
                        text == "&'staticstr" || self.safe_type(kind)
                    })
            })
    }

    /// `flow`, unless `value` (a name or a field, `q.region`, whose text is `checked`) was
    /// checked against a constant allow-list before this use: `if !ALLOWED.contains(&value) { return ..; }`
    /// above it, or `if ALLOWED.contains(&value) { .. }` around it. Only asked of tainted
    /// values, so the search costs nothing on the rest.
    fn unless_allow_listed(&self, value: Node<'t>, checked: &str, flow: Flow<'t>) -> Flow<'t> {
        if !matches!(flow, Flow::Tainted(_)) {
            return flow;
        }
        for (ancestor, child) in self.file.ancestors(value) {
            if Some(ancestor) == self.function {
                break;
            }
            // Around the use: the branch where the value is on the list.
            if ancestor.kind() == "if_expression"
                && ancestor.child_by_field_name("consequence") == Some(child)
                && ancestor
                    .child_by_field_name("condition")
                    .is_some_and(|condition| self.on_allow_list(condition, checked))
            {
                return Flow::Trusted;
            }
            // Above the use in the same block: a branch that leaves when it is not.
            if ancestor.kind() == "block" {
                let mut cursor = ancestor.walk();
                let earlier: Vec<Node<'t>> = ancestor
                    .named_children(&mut cursor)
                    .take_while(|statement| statement.end_byte() <= value.start_byte())
                    .collect();
                let guarded = earlier.into_iter().any(|statement| {
                    let branch = if statement.kind() == "expression_statement" {
                        statement.named_child(0)
                    } else {
                        Some(statement)
                    };
                    branch.is_some_and(|branch| {
                        branch.kind() == "if_expression"
                            && branch.child_by_field_name("alternative").is_none()
                            && branch
                                .child_by_field_name("consequence")
                                .is_some_and(|block| self.leaves(block))
                            && branch
                                .child_by_field_name("condition")
                                .and_then(|condition| {
                                    (condition.kind() == "unary_expression"
                                        && self.text(condition).starts_with('!'))
                                    .then(|| condition.named_child(0))
                                    .flatten()
                                })
                                .is_some_and(|inner| self.on_allow_list(inner, checked))
                    })
                });
                if guarded {
                    return Flow::Trusted;
                }
            }
        }
        flow
    }

    /// Whether `condition` is `LIST.contains(value)` for a constant `LIST` (an UPPER_CASE
    /// name or a literal array) and `value` the text `checked` (behind `&`, `*`,
    /// `.as_str()` and the like).
    fn on_allow_list(&self, condition: Node<'t>, checked: &str) -> bool {
        let condition = if condition.kind() == "parenthesized_expression" {
            condition.named_child(0).unwrap_or(condition)
        } else {
            condition
        };
        if condition.kind() != "call_expression" {
            return false;
        }
        let Some(function) = condition.child_by_field_name("function") else {
            return false;
        };
        let (Some(list), Some(method)) = (
            function.child_by_field_name("value"),
            function.child_by_field_name("field"),
        ) else {
            return false;
        };
        let list_text = self.text(list);
        let constant = list.kind() == "array_expression"
            || list_text.rsplit("::").next().is_some_and(|name| {
                name.chars().any(|c| c.is_ascii_uppercase())
                    && name
                        .chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
            });
        let Some(argument) = condition
            .child_by_field_name("arguments")
            .and_then(|arguments| arguments.named_child(0))
        else {
            return false;
        };
        let mut given = self.text(argument).trim_start_matches(['&', '*']);
        for conversion in [".as_str()", ".as_ref()", ".as_deref()", ".to_string()"] {
            given = given.strip_suffix(conversion).unwrap_or(given);
        }
        constant && self.text(method) == "contains" && given == checked
    }

    /// Whether running `block` always leaves the function (it ends in `return`).
    fn leaves(&self, block: Node<'t>) -> bool {
        let Some(last) = block.named_children(&mut block.walk()).last() else {
            return false;
        };
        let last = if last.kind() == "expression_statement" {
            last.named_child(0).unwrap_or(last)
        } else {
            last
        };
        last.kind() == "return_expression"
    }

    /// `format!("{}", a)` and its kin carry what their arguments and inline captures
    /// (`format!("{a}")`) carry; other macros are unknown.
    fn macro_call(&self, node: Node<'t>) -> Flow<'t> {
        let name = node
            .child_by_field_name("macro")
            .map(|name| self.text(name))
            .unwrap_or("");
        let name = name.rsplit("::").next().unwrap_or(name);
        if !listed(&self.taint.formatting_macros, name) {
            return Flow::Unknown;
        }
        let Some(tokens) = node.named_children(&mut node.walk()).last() else {
            return Flow::Unknown;
        };
        self.token_tree(tokens)
    }

    fn token_tree(&self, tokens: Node<'t>) -> Flow<'t> {
        let mut flow = Flow::Trusted;
        let mut cursor = tokens.walk();
        let children: Vec<Node<'t>> = tokens.children(&mut cursor).collect();
        for (at, token) in children.iter().enumerate() {
            let before = at.checked_sub(1).map(|at| self.text(children[at]));
            let after = children.get(at + 1).map(|next| self.text(*next));
            let part = match token.kind() {
                "string_literal" | "raw_string_literal" => self.captures(*token),
                "token_tree" => self.token_tree(*token),
                // A field or method name after `.`, a named argument before `=`: not a
                // value of its own.
                "identifier" if before == Some(".") || after == Some("=") => Flow::Trusted,
                // A function or macro called inside the arguments: its result is unknown
                // (unless it is a method, whose receiver was read above).
                "identifier" if matches!(after, Some("(" | "!" | "::")) => Flow::Unknown,
                "identifier" => {
                    // `q.region` in a macro is tokens: the path read, for an allow-list
                    // check of that field.
                    let mut path = self.text(*token).to_string();
                    let mut next = at + 1;
                    while children.get(next).is_some_and(|dot| self.text(*dot) == ".")
                        && children
                            .get(next + 1)
                            .is_some_and(|field| field.kind() == "identifier")
                        && children
                            .get(next + 2)
                            .is_none_or(|call| self.text(*call) != "(")
                    {
                        path.push('.');
                        path.push_str(self.text(children[next + 1]));
                        next += 2;
                    }
                    let flow = self.name(self.text(*token), token.start_byte());
                    self.unless_allow_listed(*token, &path, flow)
                }
                _ => Flow::Trusted,
            };
            flow = flow.join(part);
            if matches!(flow, Flow::Tainted(_)) {
                break;
            }
        }
        flow
    }

    /// The names a format string captures inline: `{name}`, `{name:>8}`, not `{{`.
    fn captures(&self, literal: Node<'t>) -> Flow<'t> {
        let text = self.text(literal);
        let mut flow = Flow::Trusted;
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            rest = &rest[open + 1..];
            if rest.starts_with('{') {
                rest = &rest[1..];
                continue;
            }
            let end = rest.find(['}', ':']).unwrap_or(rest.len());
            let name = rest[..end].trim();
            if !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_') {
                if name.chars().all(|c| c.is_ascii_digit()) {
                    continue;
                }
                flow = flow.join(self.name(name, literal.start_byte()));
            }
        }
        flow
    }

    fn join_children(&self, node: Node<'t>) -> Flow<'t> {
        let mut cursor = node.walk();
        let children: Vec<Node<'t>> = node.named_children(&mut cursor).collect();
        children
            .into_iter()
            .fold(Flow::Trusted, |flow, child| flow.join(self.eval(child)))
    }

    /// What `name` holds just before byte `at`: its bindings in the function before that
    /// point (the last one that surely ran, joined with later ones in branches that may
    /// have), else the function's parameter, else a constant (UPPER_CASE) or unknown.
    fn name(&self, name: &str, at: usize) -> Flow<'t> {
        if let Some((_, flow)) = self
            .closure_parameters
            .borrow()
            .iter()
            .rev()
            .find(|(parameter, _)| *parameter == name)
        {
            return *flow;
        }
        let Some(function) = self.function else {
            return constant_or_unknown(name);
        };
        let mut bindings = Vec::new();
        if let Some(body) = function.child_by_field_name("body") {
            self.bindings(body, name, at, &mut bindings);
        }
        let use_site = function.descendant_for_byte_range(at, at);
        // A binding surely ran before the use when it sits in the function's body or in a
        // block around the use; one in another branch may not have.
        let surely = |binding: &Binding<'t>| {
            binding.scope.is_none_or(|scope| {
                use_site.is_some_and(|site| self.file.ancestors(site).any(|(a, _)| a == scope))
            })
        };
        let last_replacing = bindings
            .iter()
            .rposition(|binding| !binding.adds && surely(binding));
        let (start, mut flow) = match last_replacing {
            Some(index) => (index, Flow::Trusted),
            None => (0, self.parameter(function, name)),
        };
        for binding in &bindings[start..] {
            let value = match binding.value {
                _ if binding.typed_safe => Flow::Trusted,
                Some(value) => self.eval(value),
                None => Flow::Unknown,
            };
            flow = if binding.adds || !surely(binding) {
                flow.join(value)
            } else {
                value
            };
        }
        flow
    }

    /// Every binding of `name` that ends before `at`, in source order.
    fn bindings(&self, node: Node<'t>, name: &str, at: usize, found: &mut Vec<Binding<'t>>) {
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            if child.start_byte() >= at {
                break;
            }
            // A nested function or another closure has its own names.
            if matches!(child.kind(), "function_item" | "closure_expression")
                && child.end_byte() <= at
            {
                continue;
            }
            if child.end_byte() > at {
                found.extend(self.pattern_binding(child, name));
            }
            self.bindings(child, name, at, found);
            if child.end_byte() > at {
                continue;
            }
            let binding = match child.kind() {
                "let_declaration" | "let_condition" => child
                    .child_by_field_name("pattern")
                    .filter(|pattern| self.binds(*pattern, name))
                    .map(|_| Binding {
                        value: child.child_by_field_name("value"),
                        typed_safe: child
                            .child_by_field_name("type")
                            .is_some_and(|kind| self.safe_type(kind)),
                        adds: false,
                        scope: self.scope_of(child),
                    }),
                "assignment_expression" | "compound_assignment_expr" => child
                    .child_by_field_name("left")
                    .filter(|left| left.kind() == "identifier" && self.text(*left) == name)
                    .map(|_| Binding {
                        value: child.child_by_field_name("right"),
                        typed_safe: false,
                        adds: child.kind() == "compound_assignment_expr",
                        scope: self.scope_of(child),
                    }),
                // `name.push_str(&x)`, `name.push(x)`: the string grows by what is added.
                "call_expression" => self.pushed_onto(child, name).map(|added| Binding {
                    value: Some(added),
                    typed_safe: false,
                    adds: true,
                    scope: self.scope_of(child),
                }),
                _ => None,
            };
            found.extend(binding);
        }
    }

    /// `match v { Some(x) => .. }` and `for x in v { .. }` around the use: the pattern
    /// binds what `v` holds.
    fn pattern_binding(&self, around: Node<'t>, name: &str) -> Option<Binding<'t>> {
        let value = match around.kind() {
            "match_arm" => {
                let arms = self.file.parent(around)?;
                self.file.parent(arms)?.child_by_field_name("value")?
            }
            "for_expression" => around.child_by_field_name("value")?,
            _ => return None,
        };
        around
            .child_by_field_name("pattern")
            .filter(|pattern| self.binds(*pattern, name))
            .map(|_| Binding {
                value: Some(value),
                typed_safe: false,
                adds: false,
                scope: None,
            })
    }

    fn pushed_onto(&self, call: Node<'t>, name: &str) -> Option<Node<'t>> {
        let function = call.child_by_field_name("function")?;
        let receiver = function.child_by_field_name("value")?;
        let method = self.text(function.child_by_field_name("field")?);
        (function.kind() == "field_expression"
            && receiver.kind() == "identifier"
            && self.text(receiver) == name
            && matches!(method, "push_str" | "push" | "extend" | "insert_str"))
        .then(|| call.child_by_field_name("arguments"))
        .flatten()
    }

    /// The block a binding sits in, when that is not the function's own body: code after
    /// a binding in a branch may run without it. `None` when it surely ran.
    fn scope_of(&self, binding: Node<'t>) -> Option<Node<'t>> {
        let body = self.function?.child_by_field_name("body")?;
        let block = self
            .file
            .ancestors(binding)
            .map(|(ancestor, _)| ancestor)
            .find(|ancestor| ancestor.kind() == "block" || *ancestor == body)?;
        (block != body).then_some(block)
    }

    fn binds(&self, pattern: Node<'t>, name: &str) -> bool {
        if pattern.kind() == "identifier" {
            return self.text(pattern) == name;
        }
        let mut cursor = pattern.walk();
        let children: Vec<Node<'t>> = pattern.named_children(&mut cursor).collect();
        children.into_iter().any(|child| self.binds(child, name))
    }

    /// The flow of a parameter of `function` named `name`: request data when its type is
    /// an extractor around a type that can carry text.
    fn parameter(&self, function: Node<'t>, name: &str) -> Flow<'t> {
        let Some(parameters) = function.child_by_field_name("parameters") else {
            return constant_or_unknown(name);
        };
        let mut cursor = parameters.walk();
        for parameter in parameters.named_children(&mut cursor) {
            let pattern = parameter
                .child_by_field_name("pattern")
                .unwrap_or(parameter);
            if !self.binds(pattern, name) {
                continue;
            }
            let Some(kind) = parameter.child_by_field_name("type") else {
                return Flow::Unknown;
            };
            if self.safe_type(kind) {
                return Flow::Trusted;
            }
            return match self.extractor(kind) {
                Some(inner) if inner.is_some_and(|inner| self.all_safe_types(inner)) => {
                    Flow::Trusted
                }
                Some(_) => Flow::Tainted(parameter),
                None => Flow::Unknown,
            };
        }
        constant_or_unknown(name)
    }

    /// For an extractor type (`Query<Params>`, `web::Path<(i64, i64)>`, `HeaderMap`):
    /// `Some` with its type arguments, if any.
    fn extractor(&self, kind: Node<'t>) -> Option<Option<Node<'t>>> {
        let (outer, arguments) = match kind.kind() {
            "generic_type" => (
                kind.child_by_field_name("type")?,
                kind.child_by_field_name("type_arguments"),
            ),
            "type_identifier" | "scoped_type_identifier" => (kind, None),
            "reference_type" => return self.extractor(kind.child_by_field_name("type")?),
            _ => return None,
        };
        let path = self.text(outer);
        let last = path.rsplit("::").next().unwrap_or(path);
        listed(&self.taint.extractors, last).then_some(arguments)
    }

    /// Every type named in `types` (type arguments, a tuple) cannot carry text.
    fn all_safe_types(&self, types: Node<'t>) -> bool {
        let mut cursor = types.walk();
        let children: Vec<Node<'t>> = types.named_children(&mut cursor).collect();
        !children.is_empty() && children.into_iter().all(|kind| self.safe_type(kind))
    }

    /// A type whose values cannot carry text of the caller's choosing: a number, a flag,
    /// an id (`Uuid`), or a tuple, `Option` or `Vec` of those.
    fn safe_type(&self, kind: Node<'t>) -> bool {
        match kind.kind() {
            "primitive_type" => self.text(kind) != "str",
            "type_identifier" | "scoped_type_identifier" => self.safe_type_name(self.text(kind)),
            "tuple_type" => self.all_safe_types(kind),
            "generic_type" => {
                let outer = kind
                    .child_by_field_name("type")
                    .map(|outer| self.text(outer))
                    .unwrap_or("");
                matches!(outer, "Option" | "Vec")
                    && kind
                        .child_by_field_name("type_arguments")
                        .is_some_and(|arguments| self.all_safe_types(arguments))
            }
            _ => false,
        }
    }

    /// A type's name or path (`i64`, `uuid::Uuid`) that cannot carry text.
    fn safe_type_name(&self, path: &str) -> bool {
        let last = path.rsplit("::").next().unwrap_or(path);
        PRIMITIVE_NUMBERS.contains(&last) || listed(&self.taint.safe_types, last)
    }

    fn listed_path(&self, list: &[String], path: &str) -> bool {
        list.iter().any(|entry| {
            path == entry
                || path.ends_with(&format!("::{entry}"))
                || entry.ends_with(&format!("::{path}"))
        })
    }
}

/// One binding of a name: `let`, `=`, `+=`, or a `push_str` onto it.
struct Binding<'t> {
    value: Option<Node<'t>>,
    /// `let id: i64 = ...`: the value has a type that cannot carry text.
    typed_safe: bool,
    /// Adds to what the name held (`+=`, `push_str`) rather than replacing it.
    adds: bool,
    /// The branch block it sits in, if not the function's body.
    scope: Option<Node<'t>>,
}

/// The primitive types that cannot carry text, as they appear in paths (`u32::try_from`).
const PRIMITIVE_NUMBERS: &[&str] = &[
    "i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16", "u32", "u64", "u128", "usize", "f32",
    "f64", "bool", "char",
];

fn listed_str(list: &[&str], word: &str) -> bool {
    list.contains(&word)
}

fn constant_or_unknown(name: &str) -> Flow<'static> {
    if name.chars().any(|c| c.is_ascii_uppercase())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
    {
        Flow::Trusted
    } else {
        Flow::Unknown
    }
}
