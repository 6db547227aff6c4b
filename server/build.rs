//! Compiles the built-in rules (`queries/<lang>/rules/*.toml`) into the binary: writes a
//! table of `include_str!`s to `$OUT_DIR/builtin_rules.rs`, so the binary needs no files
//! beside it and a changed rule file rebuilds the crate.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs};

fn main() {
    let manifest_dir = env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
    let out_dir = env::var_os("OUT_DIR").map(PathBuf::from);
    let (Some(manifest_dir), Some(out_dir)) = (manifest_dir, out_dir) else {
        panic!("CARGO_MANIFEST_DIR and OUT_DIR are set by cargo; run this through cargo");
    };
    let queries = manifest_dir.join("..").join("queries");
    // A directory makes cargo rescan everything below it, so new rule files count too.
    println!("cargo:rerun-if-changed={}", queries.display());

    let mut table = String::from(
        "/// Built-in rules: (path relative to the repository, file contents).\n\
         pub(crate) const BUILTIN_RULES: &[(&str, &str)] = &[\n",
    );
    for (relative, absolute) in rule_files(&queries) {
        let _ = writeln!(
            table,
            "    ({relative:?}, include_str!({:?})),",
            absolute.display().to_string()
        );
    }
    table.push_str("];\n");
    let target = out_dir.join("builtin_rules.rs");
    if let Err(err) = fs::write(&target, table) {
        panic!("cannot write {}: {err}", target.display());
    }
}

/// Every `queries/<lang>/rules/*.toml`, sorted so the table (and rule order) is stable.
fn rule_files(queries: &Path) -> Vec<(String, PathBuf)> {
    let mut files = Vec::new();
    let Ok(languages) = fs::read_dir(queries) else {
        panic!(
            "cannot read {}: the built-in rules live there",
            queries.display()
        );
    };
    for language in languages.flatten() {
        let rules_dir = language.path().join("rules");
        let Ok(entries) = fs::read_dir(&rules_dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|ext| ext == "toml") {
                let relative = format!(
                    "queries/{}/rules/{}",
                    language.file_name().to_string_lossy(),
                    entry.file_name().to_string_lossy()
                );
                files.push((relative, path));
            }
        }
    }
    files.sort();
    files
}
