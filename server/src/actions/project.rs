//! What an action needs to know about the project beyond the file: the crate's
//! dependencies, and for a Django app the `urls.py` its routes are registered in, the
//! `views.py` generated views go to and the `serializers.py` holding its serializers. `Project::discover` is the only code of `actions` that
//! reads a file; everything else gets the texts it found.

use std::path::{Path, PathBuf};

/// Another file of the project an action reads, and may edit, as its path and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectFile {
    pub path: PathBuf,
    pub text: String,
}

impl ProjectFile {
    fn read(path: PathBuf) -> Option<ProjectFile> {
        let text = std::fs::read_to_string(&path).ok()?;
        Some(ProjectFile { path, text })
    }
}

/// Facts about the project a file belongs to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Project {
    /// The names under `[dependencies]` of the nearest `Cargo.toml` above a Rust file.
    pub rust_dependencies: Vec<String>,
    /// Django: the `urls.py` beside a Python file, else the nearest one above it.
    pub urls: Option<ProjectFile>,
    /// Django: the `views.py` beside a `models.py`, where views generated from a model go.
    pub views: Option<ProjectFile>,
    /// Django REST framework: the `serializers.py` beside a `models.py`, where a model's
    /// serializer goes (or is found).
    pub serializers: Option<ProjectFile>,
    /// Django: the folder holding `manage.py`, from which the project's modules import.
    pub python_root: Option<PathBuf>,
}

impl Project {
    /// Reads what the actions of `file` may need: the nearest `Cargo.toml` above a Rust
    /// file, the Django files near a Python one. Missing or broken files give no facts.
    pub fn discover(file: &Path) -> Project {
        let extension = file.extension().and_then(|e| e.to_str());
        if extension == Some("py") {
            return Project::discover_python(file);
        }
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

    fn discover_python(file: &Path) -> Project {
        let urls = file
            .ancestors()
            .skip(1)
            .map(|dir| dir.join("urls.py"))
            .find(|urls| urls.is_file() && urls != file)
            .and_then(ProjectFile::read);
        let beside_models = |name: &str| {
            (file.file_name().and_then(|name| name.to_str()) == Some("models.py"))
                .then(|| file.with_file_name(name))
                .and_then(ProjectFile::read)
        };
        let (views, serializers) = (beside_models("views.py"), beside_models("serializers.py"));
        let python_root = file
            .ancestors()
            .skip(1)
            .find(|dir| dir.join("manage.py").is_file())
            .map(Path::to_path_buf);
        Project {
            urls,
            views,
            serializers,
            python_root,
            ..Project::default()
        }
    }

    pub fn from_manifest(text: &str) -> Project {
        let parsed: toml::Table = toml::from_str(text).unwrap_or_default();
        let rust_dependencies = parsed
            .get("dependencies")
            .and_then(|deps| deps.as_table())
            .map(|deps| deps.keys().cloned().collect())
            .unwrap_or_default();
        Project {
            rust_dependencies,
            ..Project::default()
        }
    }

    /// The other files an action may edit, as they were read.
    pub fn files(&self) -> impl Iterator<Item = &ProjectFile> {
        [&self.urls, &self.views, &self.serializers]
            .into_iter()
            .flatten()
    }

    /// The same, to replace a text with the editor's unsaved one.
    pub fn files_mut(&mut self) -> impl Iterator<Item = &mut ProjectFile> {
        [&mut self.urls, &mut self.views, &mut self.serializers]
            .into_iter()
            .flatten()
    }

    pub fn depends_on(&self, name: &str) -> bool {
        self.rust_dependencies.iter().any(|dep| dep == name)
    }
}
