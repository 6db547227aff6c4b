//! Keel's one configuration type, merged from layers (later wins): built-in defaults,
//! `keel.toml` at the workspace root, the client's `initializationOptions`, and
//! `workspace/didChangeConfiguration`.
//!
//! Each layer is checked on its own: an unknown key is a warning naming the closest valid
//! key; a bad value is an error naming the value and what is allowed, and that key keeps
//! its last good value. The schema is the `Config` type itself (its serialized defaults), so
//! there is no second list of keys to keep in step.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub const FILE_NAME: &str = "keel.toml";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub provider: ProviderConfig,
    pub completion: CompletionConfig,
    pub context: ContextConfig,
    pub diagnostics: DiagnosticsConfig,
    pub privacy: PrivacyConfig,
    pub actions: ActionsConfig,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProviderConfig {
    /// `None`: the embedded model if it is present, else no completions.
    pub kind: Option<ProviderKind>,
    pub endpoint: Option<String>,
    /// The model's name for the API; for `local`, the path of a GGUF file.
    pub model: Option<String>,
    /// The name of the environment variable holding the API key; keys never sit in files.
    pub api_key_env: Option<String>,
    pub fim: Option<FimTemplate>,
    /// Longest time one request may take, retries and streaming included.
    pub timeout_ms: u64,
    /// Extra attempts after a 429, a 5xx or a dropped connection.
    pub retries: u32,
    /// How long to stop calling an endpoint after repeated failures.
    pub cooldown_ms: u64,
    /// CPU threads for the `local` provider; 0: all cores (up to 4) read the prompt and
    /// half of them (1 to 4) generate.
    pub threads: u32,
}

impl Default for ProviderConfig {
    fn default() -> Self {
        ProviderConfig {
            kind: None,
            endpoint: None,
            model: None,
            api_key_env: None,
            fim: None,
            timeout_ms: 60_000,
            retries: 2,
            cooldown_ms: 30_000,
            threads: 0,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProviderKind {
    Local,
    Openai,
    OpenaiCompletions,
    Anthropic,
    Ollama,
    Llamacpp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FimTemplate {
    Starcoder,
    Codellama,
    Deepseek,
    Qwen,
    Codestral,
    None,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CompletionConfig {
    pub debounce_ms: u64,
    pub max_lines: u32,
    pub item_deadline_ms: u64,
}

impl Default for CompletionConfig {
    fn default() -> Self {
        CompletionConfig {
            debounce_ms: 75,
            max_lines: 8,
            item_deadline_ms: 400,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ActionsConfig {
    /// Longest wait for the model's version of an action; then the deterministic one is
    /// returned. Well under Helix's 20 s, after which it gives up on the request.
    pub deadline_ms: u64,
}

impl Default for ActionsConfig {
    fn default() -> Self {
        ActionsConfig { deadline_ms: 8_000 }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ContextConfig {
    /// Tokens a completion prompt may take; 0 picks one for the provider (see
    /// `Config::budget_tokens`).
    pub budget_tokens: u32,
    pub cross_file: bool,
}

impl Default for ContextConfig {
    fn default() -> Self {
        ContextConfig {
            budget_tokens: 0,
            cross_file: true,
        }
    }
}

/// The prompt budget for models behind an API: they read 2,048 tokens in well under a
/// second, and more context lifts definition recall (docs/PERFORMANCE.md).
const REMOTE_BUDGET_TOKENS: u32 = 2048;
/// The prompt budget for the embedded model, which reads about 350 tokens a second on two
/// quiet cores: a new region's first prompt takes 40% of it (about 0.9 s to read), and the rest
/// is room for the prompts further down, which read only their new lines
/// (docs/PERFORMANCE.md, "The embedded model in the editor").
const LOCAL_BUDGET_TOKENS: u32 = 768;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct DiagnosticsConfig {
    /// Rule ids to turn off.
    pub disable: Vec<String>,
    /// AI review of the functions changed since their last review, when a file is saved.
    pub ai_review: AiReview,
    /// AI review may also send code to a provider that is not on this machine (a hosted
    /// API): each save costs calls and sends the changed functions there.
    pub ai_review_remote: bool,
    /// Per-rule severity overrides: rule id -> severity.
    pub severity: BTreeMap<String, Severity>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum AiReview {
    OnSave,
    #[default]
    Off,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    Hint,
    Info,
    Warning,
    Error,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PrivacyConfig {
    /// Globs of files never read into a prompt.
    pub exclude: Vec<String>,
    pub redact_secrets: bool,
    /// `false`: refuse any model endpoint that is not on this machine.
    pub allow_remote: bool,
}

impl Default for PrivacyConfig {
    fn default() -> Self {
        let exclude = [
            ".env*",
            "*.pem",
            "*.key",
            "id_rsa*",
            "*secret*",
            "credentials*",
        ];
        PrivacyConfig {
            exclude: exclude.iter().map(|glob| glob.to_string()).collect(),
            redact_secrets: true,
            allow_remote: true,
        }
    }
}

impl Config {
    /// `context.budget_tokens`, or when it is 0, the budget for the provider in use.
    pub fn budget_tokens(&self) -> u32 {
        match (self.context.budget_tokens, self.provider.kind) {
            (0, None | Some(ProviderKind::Local)) => LOCAL_BUDGET_TOKENS,
            (0, Some(_)) => REMOTE_BUDGET_TOKENS,
            (budget, _) => budget,
        }
    }

    /// Range and shape checks that types alone cannot express: (dotted key, message).
    fn check(&self) -> Vec<(&'static str, String)> {
        let mut problems = Vec::new();
        let mut bound = |key: &'static str, value: u64, min: u64, max: u64| {
            if !(min..=max).contains(&value) {
                problems.push((
                    key,
                    format!("{value} is out of range; allowed: {min} to {max}"),
                ));
            }
        };
        bound(
            "completion.debounce_ms",
            self.completion.debounce_ms,
            0,
            5_000,
        );
        bound(
            "completion.max_lines",
            self.completion.max_lines.into(),
            1,
            200,
        );
        bound(
            "completion.item_deadline_ms",
            self.completion.item_deadline_ms,
            20,
            30_000,
        );
        if self.context.budget_tokens != 0 {
            bound(
                "context.budget_tokens",
                self.context.budget_tokens.into(),
                128,
                200_000,
            );
        }
        bound(
            "provider.timeout_ms",
            self.provider.timeout_ms,
            100,
            600_000,
        );
        bound("actions.deadline_ms", self.actions.deadline_ms, 100, 60_000);
        bound("provider.retries", self.provider.retries.into(), 0, 10);
        bound(
            "provider.cooldown_ms",
            self.provider.cooldown_ms,
            100,
            3_600_000,
        );
        bound("provider.threads", self.provider.threads.into(), 0, 256);
        if let Some(endpoint) = &self.provider.endpoint
            && !(endpoint.starts_with("http://") || endpoint.starts_with("https://"))
        {
            problems.push((
                "provider.endpoint",
                format!("\"{endpoint}\" is not an http:// or https:// URL"),
            ));
        }
        if let Some(name) = &self.provider.api_key_env
            && (name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        {
            problems.push((
                "provider.api_key_env",
                format!("\"{name}\" is not an environment variable name; give the variable's name (e.g. OPENAI_API_KEY), never the key itself"),
            ));
        }
        problems
    }
}

/// Where a configuration value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Default,
    File(PathBuf),
    InitializationOptions,
    ClientSettings,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Default => write!(f, "default"),
            Source::File(path) => write!(f, "{}", path.display()),
            Source::InitializationOptions => write!(f, "initializationOptions"),
            Source::ClientSettings => write!(f, "workspace/didChangeConfiguration"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Warning,
    Error,
}

/// Something wrong in one layer, worded for the person who wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub level: Level,
    pub source: Source,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.level {
            Level::Warning => "warning",
            Level::Error => "error",
        };
        write!(f, "{level}: {}: {}", self.source, self.message)
    }
}

/// The configuration in force and where each value came from.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub config: Config,
    pub sources: BTreeMap<String, Source>,
    /// What the layers ask for together that Keel will not do (see `Layers::resolve`).
    pub problems: Vec<Problem>,
}

impl Resolved {
    /// Every leaf setting as (dotted key, value as TOML-like text, source).
    pub fn entries(&self) -> Vec<(String, String, Source)> {
        let mut out = Vec::new();
        let value = serde_json::to_value(&self.config).unwrap_or(Value::Null);
        let mut leaves = Vec::new();
        collect_leaves(&value, String::new(), &mut leaves);
        for (key, value) in leaves {
            let source = self.sources.get(&key).cloned().unwrap_or(Source::Default);
            let shown = if value.is_null() {
                "(not set)".to_string()
            } else {
                value.to_string()
            };
            out.push((key, shown, source));
        }
        out
    }
}

/// The layers as last received, each already cleaned of unknown keys and bad values.
#[derive(Debug, Clone, Default)]
pub struct Layers {
    file: Option<(PathBuf, Value)>,
    initialization: Option<Value>,
    client: Option<Value>,
}

impl Layers {
    /// Reads `keel.toml` in `root`, if there is one. Returns the problems found in it.
    pub fn load_file(&mut self, root: &Path) -> Vec<Problem> {
        let path = root.join(FILE_NAME);
        let source = Source::File(path.clone());
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                self.file = None;
                return Vec::new();
            }
            Err(err) => {
                return vec![error(
                    source,
                    format!("cannot read the file: {err}; keeping the last good settings"),
                )];
            }
        };
        match toml::from_str::<Value>(&text) {
            Ok(value) => {
                let previous = self.file.as_ref().map(|(_, value)| value);
                let (clean, problems) = check_layer(&value, previous, &source);
                self.file = Some((path, clean));
                problems
            }
            Err(err) => {
                let message = err.to_string().replace('\n', " ");
                vec![error(
                    source,
                    format!(
                        "not valid TOML: {}; keeping the last good settings",
                        message.trim()
                    ),
                )]
            }
        }
    }

    pub fn set_initialization_options(&mut self, value: Option<Value>) -> Vec<Problem> {
        let (clean, problems) = match value.filter(|value| !value.is_null()) {
            Some(value) => {
                let (clean, problems) = check_layer(
                    &unwrap_namespace(value),
                    None,
                    &Source::InitializationOptions,
                );
                (Some(clean), problems)
            }
            None => (None, Vec::new()),
        };
        self.initialization = clean;
        problems
    }

    /// A `workspace/didChangeConfiguration` payload: replaces the previous one.
    pub fn set_client_settings(&mut self, value: Value) -> Vec<Problem> {
        if value.is_null() {
            return Vec::new();
        }
        let (clean, problems) = check_layer(
            &unwrap_namespace(value),
            self.client.as_ref(),
            &Source::ClientSettings,
        );
        self.client = Some(clean);
        problems
    }

    /// Merges the layers over the defaults.
    pub fn resolve(&self) -> Resolved {
        let mut merged = defaults();
        let mut sources = BTreeMap::new();
        let layers = [
            self.file
                .as_ref()
                .map(|(path, value)| (Source::File(path.clone()), value)),
            self.initialization
                .as_ref()
                .map(|value| (Source::InitializationOptions, value)),
            self.client
                .as_ref()
                .map(|value| (Source::ClientSettings, value)),
        ];
        for (source, layer) in layers.into_iter().flatten() {
            let mut leaves = Vec::new();
            collect_leaves(layer, String::new(), &mut leaves);
            for (key, value) in leaves {
                set_path(&mut merged, &key, value);
                sources.insert(key, source.clone());
            }
        }
        // Every leaf was checked on its own; together they still deserialize.
        let mut config: Config = serde_json::from_value(merged).unwrap_or_default();
        let mut problems = Vec::new();
        // A repository's `keel.toml` may choose where completions go, but a key from the
        // user's environment only ever goes where the user chose: otherwise opening a
        // repository could send any environment variable, named as the "key", to its server.
        if let Some(Source::File(path)) = sources.get("provider.endpoint")
            && config.provider.api_key_env.take().is_some()
        {
            problems.push(Problem {
                level: Level::Warning,
                source: Source::File(path.clone()),
                message: "sets provider.endpoint, so Keel sends that endpoint no key from your \
                          environment (provider.api_key_env is ignored); set the endpoint in \
                          your editor's Keel settings to use a key with it"
                    .to_string(),
            });
        }
        Resolved {
            config,
            sources,
            problems,
        }
    }
}

/// VS Code and Neovim users often nest settings under `keel`; accept both shapes.
fn unwrap_namespace(value: Value) -> Value {
    match value {
        Value::Object(mut map)
            if map.len() == 1 && map.get("keel").is_some_and(Value::is_object) =>
        {
            map.remove("keel").unwrap_or_default()
        }
        other => other,
    }
}

fn error(source: Source, message: String) -> Problem {
    Problem {
        level: Level::Error,
        source,
        message,
    }
}

fn defaults() -> Value {
    serde_json::to_value(Config::default()).unwrap_or(Value::Null)
}

/// Leaves of a layer as (dotted key, value). An empty object in the defaults is a map
/// (keys are the user's, e.g. rule ids), so it is one leaf per entry.
fn collect_leaves(value: &Value, prefix: String, out: &mut Vec<(String, Value)>) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (key, value) in map {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                if is_free_map(&path) {
                    out.push((path, value.clone()));
                } else {
                    collect_leaves(value, path, out);
                }
            }
        }
        _ => out.push((prefix, value.clone())),
    }
}

fn is_free_map(path: &str) -> bool {
    lookup(&defaults(), path).is_some_and(|value| value.as_object().is_some_and(Map::is_empty))
}

fn lookup<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(value, |value, key| value.get(key))
}

fn set_path(root: &mut Value, path: &str, value: Value) {
    let mut node = root;
    let mut keys = path.split('.').peekable();
    while let Some(key) = keys.next() {
        let Value::Object(map) = node else { return };
        if keys.peek().is_none() {
            map.insert(key.to_string(), value);
            return;
        }
        node = map
            .entry(key.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
    }
}

/// All valid dotted keys, for suggestions.
fn known_keys() -> Vec<String> {
    let mut leaves = Vec::new();
    collect_leaves(&defaults(), String::new(), &mut leaves);
    let mut keys: Vec<String> = leaves.into_iter().map(|(key, _)| key).collect();
    keys.sort();
    keys
}

fn closest(key: &str, candidates: &[String]) -> Option<String> {
    candidates
        .iter()
        .map(|candidate| {
            let leaf = candidate.rsplit('.').next().unwrap_or(candidate);
            let key_leaf = key.rsplit('.').next().unwrap_or(key);
            let score =
                strsim::jaro_winkler(key, candidate).max(strsim::jaro_winkler(key_leaf, leaf));
            (score, candidate)
        })
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate.clone())
}

/// Checks one layer: drops unknown keys (warning) and bad values (error, keeping the value
/// the same layer had before, if any). Returns the cleaned layer and the problems.
fn check_layer(layer: &Value, previous: Option<&Value>, source: &Source) -> (Value, Vec<Problem>) {
    let mut problems = Vec::new();
    let mut clean = Value::Object(Map::new());
    if !layer.is_object() {
        problems.push(error(
            source.clone(),
            format!("expected a table of settings, got {}", describe(layer)),
        ));
        return (previous.cloned().unwrap_or(clean), problems);
    }
    let defaults = defaults();
    let keys = known_keys();
    let mut leaves = Vec::new();
    collect_leaves(layer, String::new(), &mut leaves);
    for (key, value) in leaves {
        let Some(default) = lookup(&defaults, &key) else {
            let hint = closest(&key, &keys)
                .map(|best| format!("; the closest valid key is `{best}`"))
                .unwrap_or_default();
            problems.push(Problem {
                level: Level::Warning,
                source: source.clone(),
                message: format!("unknown key `{key}`{hint}"),
            });
            continue;
        };
        if default.is_object() && !default.as_object().is_some_and(Map::is_empty) {
            problems.push(error(
                source.clone(),
                format!(
                    "`{key}` is a section; expected a table, got {}",
                    describe(&value)
                ),
            ));
            continue;
        }
        match check_value(&key, &value) {
            Ok(()) => set_path(&mut clean, &key, value),
            Err(message) => {
                let kept = previous
                    .and_then(|previous| lookup(previous, &key))
                    .cloned();
                let fallback = if kept.is_some() {
                    "keeping its last good value"
                } else {
                    "using the default"
                };
                problems.push(error(
                    source.clone(),
                    format!("`{key}` = {}: {message}; {fallback}", describe(&value)),
                ));
                if let Some(kept) = kept {
                    set_path(&mut clean, &key, kept);
                }
            }
        }
    }
    (clean, problems)
}

/// Whether one value is valid for its key, judged by deserializing it into the defaults.
fn check_value(key: &str, value: &Value) -> Result<(), String> {
    let mut candidate = defaults();
    set_path(&mut candidate, key, value.clone());
    let config: Config =
        serde_json::from_value(candidate).map_err(|err| allowed_values(key, &err.to_string()))?;
    match config
        .check()
        .into_iter()
        .find(|(checked, _)| key == *checked || key.starts_with(&format!("{checked}.")))
    {
        Some((_, message)) => Err(message),
        None => Ok(()),
    }
}

/// serde's "unknown variant `x`, expected one of `a`, `b`" is already the list of allowed
/// values; other messages are kept as they are, without serde's position suffix.
fn allowed_values(key: &str, message: &str) -> String {
    let message = message.split(" at line ").next().unwrap_or(message);
    if let Some((_, expected)) = message.split_once("expected one of ") {
        format!("not a valid value for `{key}`; allowed: {expected}")
    } else {
        message.to_string()
    }
}

fn describe(value: &Value) -> String {
    match value {
        Value::String(text) => format!("\"{text}\""),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_key_from_the_environment_never_goes_to_an_endpoint_the_workspace_file_chose() {
        let file = |toml: &str| {
            let dir = std::env::temp_dir().join(format!(
                "keel-config-key-{}-{}",
                std::process::id(),
                toml.len()
            ));
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join(FILE_NAME), toml).unwrap();
            let mut layers = Layers::default();
            assert!(layers.load_file(&dir).is_empty());
            std::fs::remove_dir_all(&dir).unwrap();
            layers
        };
        let both = "[provider]\nendpoint = \"https://repo.example\"\napi_key_env = \"HOME\"\n";
        let resolved = file(both).resolve();
        assert_eq!(resolved.config.provider.api_key_env, None);
        assert_eq!(resolved.problems.len(), 1);
        assert!(
            resolved.problems[0]
                .message
                .contains("api_key_env is ignored")
        );

        // The editor's settings name the variable, the file the endpoint: still withheld.
        let mut layers = file("[provider]\nendpoint = \"https://repo.example\"\n");
        layers.set_client_settings(json!({"provider": {"api_key_env": "MY_KEY"}}));
        assert_eq!(layers.resolve().config.provider.api_key_env, None);

        // The user chose the endpoint: the key goes with it, wherever the variable is named.
        let mut layers = file(both);
        layers.set_client_settings(json!({"provider": {"endpoint": "https://mine.example"}}));
        let resolved = layers.resolve();
        assert_eq!(
            resolved.config.provider.api_key_env.as_deref(),
            Some("HOME")
        );
        assert!(resolved.problems.is_empty());

        // No endpoint: the provider's own API, the key the user keeps for it.
        let resolved = file("[provider]\nkind = \"openai\"\napi_key_env = \"HOME\"\n").resolve();
        assert_eq!(
            resolved.config.provider.api_key_env.as_deref(),
            Some("HOME")
        );
    }

    #[test]
    fn later_layers_win_and_sources_are_recorded() {
        let dir = std::env::temp_dir().join(format!("keel-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join(FILE_NAME),
            "[completion]\ndebounce_ms = 10\nmax_lines = 3\n",
        )
        .unwrap();
        let mut layers = Layers::default();
        assert!(layers.load_file(&dir).is_empty());
        assert!(
            layers
                .set_initialization_options(Some(json!({"completion": {"debounce_ms": 20}})))
                .is_empty()
        );
        assert!(
            layers
                .set_client_settings(json!({"keel": {"provider": {"kind": "ollama"}}}))
                .is_empty()
        );
        let resolved = layers.resolve();
        assert_eq!(resolved.config.completion.debounce_ms, 20);
        assert_eq!(resolved.config.completion.max_lines, 3);
        assert_eq!(resolved.config.provider.kind, Some(ProviderKind::Ollama));
        assert_eq!(
            resolved.sources["completion.max_lines"],
            Source::File(dir.join(FILE_NAME))
        );
        assert_eq!(
            resolved.sources["completion.debounce_ms"],
            Source::InitializationOptions
        );
        assert_eq!(resolved.sources["provider.kind"], Source::ClientSettings);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn ai_review_takes_on_save_or_off_and_nothing_else() {
        let mut layers = Layers::default();
        let problems = layers.set_client_settings(json!({"diagnostics": {"ai_review": "on-save"}}));
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            layers.resolve().config.diagnostics.ai_review,
            AiReview::OnSave
        );
        assert!(
            layers
                .set_client_settings(json!({"diagnostics": {"ai_review": "off"}}))
                .is_empty()
        );
        let problems = layers.set_client_settings(json!({"diagnostics": {"ai_review": "always"}}));
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(layers.resolve().config.diagnostics.ai_review, AiReview::Off);
    }

    #[test]
    fn unknown_keys_name_the_closest_valid_key() {
        let mut layers = Layers::default();
        let problems = layers.set_client_settings(
            json!({"completion": {"debounce": 5}, "privacy": {"alow_remote": false}}),
        );
        let messages: Vec<String> = problems
            .iter()
            .map(|problem| problem.message.clone())
            .collect();
        assert!(
            messages
                .iter()
                .any(|m| m.contains("`completion.debounce`")
                    && m.contains("`completion.debounce_ms`")),
            "{messages:?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.contains("`privacy.allow_remote`")),
            "{messages:?}"
        );
        assert!(
            problems
                .iter()
                .all(|problem| problem.level == Level::Warning)
        );
    }

    #[test]
    fn bad_values_name_the_value_and_what_is_allowed_and_keep_the_last_good_one() {
        let mut layers = Layers::default();
        assert!(
            layers
                .set_client_settings(json!({"provider": {"kind": "openai"}}))
                .is_empty()
        );
        let problems = layers.set_client_settings(
            json!({"provider": {"kind": "gpt"}, "completion": {"max_lines": 0}}),
        );
        let messages: Vec<String> = problems
            .iter()
            .map(|problem| problem.message.clone())
            .collect();
        assert!(
            messages.iter().any(|m| m.contains("\"gpt\"")
                && m.contains("`ollama`")
                && m.contains("last good")),
            "{messages:?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.contains("max_lines") && m.contains("1 to 200")),
            "{messages:?}"
        );
        let resolved = layers.resolve();
        assert_eq!(resolved.config.provider.kind, Some(ProviderKind::Openai));
        assert_eq!(resolved.config.completion.max_lines, 8);
    }

    #[test]
    fn rule_severity_is_a_free_map_but_checks_its_values() {
        let mut layers = Layers::default();
        assert!(
            layers
                .set_client_settings(
                    json!({"diagnostics": {"severity": {"py-eval-exec": "error"}}})
                )
                .is_empty()
        );
        assert_eq!(
            layers.resolve().config.diagnostics.severity["py-eval-exec"],
            Severity::Error
        );
        let problems = layers
            .set_client_settings(json!({"diagnostics": {"severity": {"py-eval-exec": "loud"}}}));
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].message.contains("\"loud\""));
    }

    #[test]
    fn broken_toml_is_an_error_with_a_location() {
        let dir = std::env::temp_dir().join(format!("keel-config-bad-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(FILE_NAME), "[completion\n").unwrap();
        let problems = Layers::default().load_file(&dir);
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].message.contains("not valid TOML"),
            "{}",
            problems[0]
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
