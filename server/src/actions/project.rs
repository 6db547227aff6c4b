//! What an action needs to know about the project beyond the file: the crate's
//! dependencies. `Project::discover` is the only code of `actions` that reads a file.

use std::path::Path;

/// Facts about the project a file belongs to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Project {
    /// The names under `[dependencies]` of the nearest `Cargo.toml` above a Rust file.
    pub rust_dependencies: Vec<String>,
}

impl Project {
    /// Reads the nearest `Cargo.toml` above `file`; a missing or broken one gives no facts.
    pub fn discover(file: &Path) -> Project {
        let manifest = file
            .ancestors()
            .skip(1)
            .map(|dir| dir.join("Cargo.toml"))
            .find(|manifest| manifest.is_file());
        let Some(manifest) = manifest else {
            return Project::default();
        };
        let text = std::fs::read_to_string(&manifest).unwrap_or_default();
        Project::from_manifest(&text)
    }

    pub fn from_manifest(text: &str) -> Project {
        let parsed: toml::Table = toml::from_str(text).unwrap_or_default();
        let rust_dependencies = parsed
            .get("dependencies")
            .and_then(|deps| deps.as_table())
            .map(|deps| deps.keys().cloned().collect())
            .unwrap_or_default();
        Project { rust_dependencies }
    }

    pub fn depends_on(&self, name: &str) -> bool {
        self.rust_dependencies.iter().any(|dep| dep == name)
    }
}
