//! The standard libraries' names: what code uses without the workspace defining it
//! (Python's builtins and standard modules, Rust's prelude and `std`/`core`/`alloc`). The
//! context builder does not look these up in the workspace (a same-named definition there
//! is not what the code means), and `keel eval` does not count them as needed.

use tree_sitter::Node;

use crate::syntax::Language;

/// Python's builtins and Rust's prelude: names code uses without defining or importing.
pub fn is_builtin(language: Language, name: &str) -> bool {
    const PYTHON: &[&str] = &[
        "abs",
        "all",
        "any",
        "bool",
        "bytearray",
        "bytes",
        "callable",
        "chr",
        "classmethod",
        "dict",
        "dir",
        "enumerate",
        "filter",
        "float",
        "format",
        "frozenset",
        "getattr",
        "globals",
        "hasattr",
        "hash",
        "id",
        "input",
        "int",
        "isinstance",
        "issubclass",
        "iter",
        "len",
        "list",
        "map",
        "max",
        "min",
        "next",
        "object",
        "open",
        "ord",
        "pow",
        "print",
        "property",
        "range",
        "repr",
        "reversed",
        "round",
        "set",
        "setattr",
        "slice",
        "sorted",
        "staticmethod",
        "str",
        "sum",
        "super",
        "tuple",
        "type",
        "vars",
        "zip",
        "Exception",
        "BaseException",
        "ValueError",
        "TypeError",
        "KeyError",
        "IndexError",
        "AttributeError",
        "RuntimeError",
        "NotImplementedError",
        "StopIteration",
        "NotImplemented",
        "Ellipsis",
        "self",
        "cls",
    ];
    const RUST: &[&str] = &[
        "Option",
        "Some",
        "None",
        "Result",
        "Ok",
        "Err",
        "Vec",
        "String",
        "Box",
        "ToString",
        "ToOwned",
        "Clone",
        "Copy",
        "Send",
        "Sync",
        "Sized",
        "Default",
        "Drop",
        "Fn",
        "FnMut",
        "FnOnce",
        "From",
        "Into",
        "TryFrom",
        "TryInto",
        "Iterator",
        "IntoIterator",
        "Extend",
        "PartialEq",
        "Eq",
        "PartialOrd",
        "Ord",
        "AsRef",
        "AsMut",
        "drop",
        "Self",
        "self",
    ];
    match language {
        Language::Python => PYTHON.contains(&name),
        Language::Rust => RUST.contains(&name),
    }
}

/// Rust crates that are the standard library.
pub fn is_std_crate(name: &str) -> bool {
    matches!(name, "std" | "core" | "alloc")
}

/// Whether an import statement takes its names from the standard library (`use
/// std::sync::Arc;`, `from typing import Any`, `import os.path`, `from __future__ import
/// annotations`).
pub fn is_standard_import(language: Language, statement: &str) -> bool {
    let statement = statement.trim_start();
    match language {
        Language::Rust => {
            let Some(at) = statement.find("use ") else {
                return false;
            };
            let path = statement[at + 4..].trim_start().trim_start_matches("::");
            let first = path.split(|c: char| c == ':' || c == '{' || c == ';' || c.is_whitespace());
            first.into_iter().next().is_some_and(is_std_crate)
        }
        Language::Python => {
            let rest = statement
                .strip_prefix("from ")
                .or_else(|| statement.strip_prefix("import "))
                .unwrap_or("")
                .trim_start();
            let first = rest.split(|c: char| c == '.' || c == ',' || c.is_whitespace());
            first
                .into_iter()
                .next()
                .is_some_and(|module| PYTHON_MODULES.contains(&module))
        }
    }
}

/// Whether `node` is the method or attribute name of a member access (`x.get`,
/// `opts.clone()`) that the standard library's everyday types provide: Python's `dict`,
/// `list`, `str` and `set` methods; Rust's `Option`, `Result`, `Vec`, `String`, slice,
/// map and iterator methods and the prelude traits' (`clone`, `into`, `fmt`). Without
/// types the receiver is unknown, and such a call almost always means the standard one:
/// a workspace method of the same name (`impl Clone for Route`, `Query.get`) is not
/// what it needs. A member of `self` is the workspace's own. `parent` is `node`'s parent,
/// which the caller has at hand: `Node::parent` searches down from the root, a cost in
/// proportion to the file's top-level items.
pub fn is_standard_member(language: Language, node: Node, parent: Node, text: &str) -> bool {
    let receiver = match (language, parent.kind()) {
        (Language::Python, "attribute") => parent.child_by_field_name("object"),
        (Language::Rust, "field_expression") => parent.child_by_field_name("value"),
        _ => None,
    };
    let Some(receiver) = receiver.filter(|receiver| receiver.id() != node.id()) else {
        return false;
    };
    if text.get(receiver.byte_range()) == Some("self") {
        return false;
    }
    text.get(node.byte_range())
        .is_some_and(|name| is_standard_method(language, name))
}

/// Whether `name` is one of the everyday methods `is_standard_member` means: for a
/// caller that knows already that it is a member of something other than `self`.
pub fn is_standard_method(language: Language, name: &str) -> bool {
    let names = match language {
        Language::Python => PYTHON_METHODS,
        Language::Rust => RUST_METHODS,
    };
    names.binary_search(&name).is_ok()
}

/// Methods of the standard library's everyday types (see `is_standard_member`), sorted.
const PYTHON_METHODS: &[&str] = &[
    "add",
    "append",
    "clear",
    "copy",
    "count",
    "decode",
    "difference",
    "discard",
    "encode",
    "endswith",
    "extend",
    "find",
    "format",
    "get",
    "index",
    "insert",
    "intersection",
    "issubset",
    "issuperset",
    "items",
    "join",
    "keys",
    "lower",
    "lstrip",
    "pop",
    "popitem",
    "remove",
    "replace",
    "reverse",
    "rfind",
    "rsplit",
    "rstrip",
    "setdefault",
    "sort",
    "split",
    "splitlines",
    "startswith",
    "strip",
    "union",
    "update",
    "upper",
    "values",
];
const RUST_METHODS: &[&str] = &[
    "all",
    "and_then",
    "any",
    "as_bytes",
    "as_deref",
    "as_deref_mut",
    "as_mut",
    "as_ref",
    "as_slice",
    "as_str",
    "borrow",
    "borrow_mut",
    "bytes",
    "chain",
    "chars",
    "clear",
    "clone",
    "clone_from",
    "cloned",
    "cmp",
    "collect",
    "contains",
    "contains_key",
    "copied",
    "count",
    "dedup",
    "ends_with",
    "entry",
    "enumerate",
    "eq",
    "err",
    "expect",
    "expect_err",
    "extend",
    "filter",
    "filter_map",
    "find",
    "first",
    "flat_map",
    "flatten",
    "fmt",
    "fold",
    "get",
    "get_mut",
    "hash",
    "insert",
    "into",
    "into_iter",
    "is_empty",
    "is_err",
    "is_none",
    "is_ok",
    "is_some",
    "iter",
    "iter_mut",
    "join",
    "last",
    "len",
    "lines",
    "map",
    "map_err",
    "max",
    "min",
    "ne",
    "next",
    "ok",
    "ok_or",
    "ok_or_else",
    "or_else",
    "partial_cmp",
    "pop",
    "push",
    "push_str",
    "remove",
    "retain",
    "rev",
    "skip",
    "sort",
    "sort_by",
    "sort_by_key",
    "split",
    "split_at",
    "starts_with",
    "sum",
    "take",
    "to_owned",
    "to_string",
    "to_vec",
    "trim",
    "truncate",
    "try_into",
    "unwrap",
    "unwrap_err",
    "unwrap_or",
    "unwrap_or_default",
    "unwrap_or_else",
    "zip",
];

/// Python's standard modules that backend code imports (a subset of
/// `sys.stdlib_module_names`: the ones whose names a workspace also tends to define).
const PYTHON_MODULES: &[&str] = &[
    "__future__",
    "abc",
    "argparse",
    "array",
    "ast",
    "asyncio",
    "base64",
    "binascii",
    "bisect",
    "builtins",
    "calendar",
    "cgi",
    "codecs",
    "collections",
    "concurrent",
    "configparser",
    "contextlib",
    "contextvars",
    "copy",
    "csv",
    "ctypes",
    "dataclasses",
    "datetime",
    "decimal",
    "difflib",
    "dis",
    "email",
    "enum",
    "errno",
    "fnmatch",
    "fractions",
    "functools",
    "gc",
    "getpass",
    "gettext",
    "glob",
    "gzip",
    "hashlib",
    "heapq",
    "hmac",
    "html",
    "http",
    "importlib",
    "inspect",
    "io",
    "ipaddress",
    "itertools",
    "json",
    "keyword",
    "locale",
    "logging",
    "lzma",
    "math",
    "mimetypes",
    "multiprocessing",
    "numbers",
    "operator",
    "os",
    "pathlib",
    "pickle",
    "pkgutil",
    "platform",
    "pprint",
    "queue",
    "random",
    "re",
    "reprlib",
    "secrets",
    "select",
    "selectors",
    "shlex",
    "shutil",
    "signal",
    "socket",
    "sqlite3",
    "ssl",
    "stat",
    "statistics",
    "string",
    "struct",
    "subprocess",
    "sys",
    "sysconfig",
    "tempfile",
    "textwrap",
    "threading",
    "time",
    "timeit",
    "token",
    "tokenize",
    "traceback",
    "types",
    "typing",
    "unicodedata",
    "unittest",
    "urllib",
    "uuid",
    "warnings",
    "weakref",
    "xml",
    "zipfile",
    "zlib",
    "zoneinfo",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_methods_are_told_from_the_workspaces_own() {
        let member = |language: Language, text: &str, name: &str| {
            let tree = language.parse_str(text).unwrap();
            let at = text.rfind(name).unwrap();
            let node = tree
                .root_node()
                .descendant_for_byte_range(at, at + name.len())
                .unwrap();
            is_standard_member(language, node, node.parent().unwrap(), text)
        };
        assert!(member(Language::Python, "x = opts.get('a')\n", "get"));
        assert!(member(
            Language::Python,
            "s.startswith('a')\n",
            "startswith"
        ));
        assert!(!member(Language::Python, "self.get('a')\n", "get"));
        assert!(!member(Language::Python, "session.execute(q)\n", "execute"));
        // A bare name is not a member.
        assert!(!member(Language::Python, "get(x)\n", "get"));
        assert!(member(
            Language::Rust,
            "fn f() { let y = x.clone(); }",
            "clone"
        ));
        assert!(member(
            Language::Rust,
            "fn f() { a.b.is_some(); }",
            "is_some"
        ));
        assert!(!member(Language::Rust, "fn f() { self.clone(); }", "clone"));
        assert!(!member(
            Language::Rust,
            "fn f() { router.route(\"/\"); }",
            "route"
        ));
        // A path is not a method call: `Type::new` names the workspace's type.
        assert!(!member(Language::Rust, "fn f() { Vec::new(); }", "new"));
        // The lists stay sorted for the binary search.
        assert!(PYTHON_METHODS.is_sorted() && RUST_METHODS.is_sorted());
    }

    #[test]
    fn standard_imports_are_told_from_the_workspaces() {
        for (language, statement, standard) in [
            (Language::Rust, "use std::sync::Arc;", true),
            (Language::Rust, "pub(crate) use ::core::{fmt, mem};", true),
            (Language::Rust, "use crate::db::Pool;", false),
            (Language::Rust, "use standard::Thing;", false),
            (Language::Python, "from typing import Any", true),
            (Language::Python, "import os.path", true),
            (Language::Python, "from __future__ import annotations", true),
            (Language::Python, "from .typing import Any", false),
            (Language::Python, "from app.models import User", false),
            (Language::Python, "import typing_extensions", false),
        ] {
            assert_eq!(
                is_standard_import(language, statement),
                standard,
                "{statement}"
            );
        }
    }
}
