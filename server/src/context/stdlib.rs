//! The standard libraries' names: what code uses without the workspace defining it
//! (Python's builtins and standard modules, Rust's prelude and `std`/`core`/`alloc`). The
//! context builder does not look these up in the workspace (a same-named definition there
//! is not what the code means), and `keel eval` does not count them as needed.

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
