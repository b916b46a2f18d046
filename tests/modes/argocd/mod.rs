//! `plugin.yaml` run the way Argo CD's config-management-plugin (CMP) sidecar runs it.
//!
//! The simulator below follows `argo-cd` (v2.6+ / v3): `cmpserver/plugin/{config,plugin}.go`,
//! `util/io/files/tar.go`, `reposerver/repository/repository.go` (`newEnv`, `getPluginEnvs`),
//! `pkg/apis/application/v1alpha1/types.go` (`Env.Envsubst`, `Parameters.Environ`) and
//! `util/app/discovery` (`DetectConfigManagementPlugin`):
//! - the repository is copied into a fresh work directory without `.git` and, with
//!   `preserveFileMode: false`, with every file 0644 and every directory 0755;
//! - discovery, first configured wins: `discover.fileName` (Go `filepath.Glob` below the app
//!   path), else `discover.find.glob` (zglob, `**` allowed), else `discover.find.command` (run in
//!   the app path: a match is exit 0 with stdout non-empty once one trailing newline is dropped;
//!   a non-zero exit is an error). An Application that names the plugin still goes through
//!   discovery, and fails when discovery is configured and does not match;
//! - `init` then `generate` are exec'd without a shell: argv = `command ++ args`, cwd = the app
//!   path, env = the sidecar's own environment + the app's entries (entries with an empty value
//!   dropped), in a process group of their own that gets SIGTERM on timeout and SIGKILL 5 s later;
//!   stdout is split as a YAML stream into manifests, each of which must be a Kubernetes object;
//! - the app's entries are `ARGOCD_APP_*`, `KUBE_VERSION`, `KUBE_API_VERSIONS`, each
//!   `spec.source.plugin.env` entry as `ARGOCD_ENV_<name>` (with `$VAR` expanded like Go's
//!   `os.Expand` over the `ARGOCD_APP_*`/`KUBE_*` entries), `ARGOCD_APP_PARAMETERS` (Go's
//!   `json.Marshal`: keys sorted, `null` when the app sets no parameter) and `PARAM_<NAME>`
//!   variables;
//! - the parameter announcements are the dynamic command's JSON list followed by the static ones.
//!
//! The simulator is stricter than Argo CD in one way: an unknown field in a plugin config or in a
//! parameter announcement is an error here, where Argo CD silently ignores it (a misspelled
//! `preserveFileMode` would be lost without a word).
//!
//! `kbundle` is found on the sidecar's PATH through a symlink to the binary under test; kubectl
//! (for kustomizations) comes from the test's own PATH. Nothing else of the test's environment
//! reaches the plugin.

mod common;

use common::{ORDERS, PAYMENTS, PROD, STAGING};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------------
// The plugin config (cmpserver/plugin/config.go)
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PluginConfig {
    #[serde(rename = "apiVersion", default)]
    api_version: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    metadata: ObjectMeta,
    #[serde(default)]
    spec: PluginSpec,
}

/// `metav1.ObjectMeta`: only the name matters to the CMP server.
#[derive(Debug, Clone, Default, Deserialize)]
struct ObjectMeta {
    #[serde(default)]
    name: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct PluginSpec {
    #[serde(default)]
    version: String,
    #[serde(default)]
    init: CommandSpec,
    #[serde(default)]
    generate: CommandSpec,
    #[serde(default)]
    discover: DiscoverSpec,
    #[serde(default)]
    parameters: ParametersSpec,
    #[serde(default)]
    preserve_file_mode: bool,
    #[serde(default)]
    provide_git_creds: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CommandSpec {
    #[serde(default)]
    command: Vec<String>,
    #[serde(default)]
    args: Vec<String>,
}

impl CommandSpec {
    /// What `exec.Command(command[0], command[1:]++args...)` runs.
    fn argv(&self) -> Vec<String> {
        self.command.iter().chain(&self.args).cloned().collect()
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct DiscoverSpec {
    #[serde(default)]
    find: FindSpec,
    #[serde(default)]
    file_name: String,
}

/// `Find` embeds `Command`: `command` and `args` sit beside `glob`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FindSpec {
    #[serde(default)]
    command: Vec<String>,
    #[serde(default)]
    args: Vec<String>,
    #[serde(default)]
    glob: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ParametersSpec {
    #[serde(default, rename = "static")]
    static_: Vec<Announcement>,
    #[serde(default)]
    dynamic: CommandSpec,
}

/// `apiclient.ParameterAnnouncement`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Announcement {
    #[serde(default)]
    name: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    tooltip: String,
    #[serde(default)]
    required: bool,
    #[serde(default)]
    item_type: String,
    #[serde(default)]
    collection_type: String,
    #[serde(default)]
    string: Option<String>,
    #[serde(default)]
    array: Option<Vec<String>>,
    #[serde(default)]
    map: Option<BTreeMap<String, String>>,
}

impl PluginConfig {
    /// `ReadPluginConfig` + `ValidatePluginConfig`.
    fn parse(text: &str) -> Result<PluginConfig, String> {
        let value = parse_yaml_document(text)?;
        let config: PluginConfig =
            serde_json::from_value(value).map_err(|e| format!("cannot read plugin config: {e}"))?;
        if config.metadata.name.is_empty() {
            return Err(
                "invalid plugin configuration file. metadata.name should be non-empty.".into(),
            );
        }
        if config.kind != "ConfigManagementPlugin" {
            return Err(format!(
                "invalid plugin configuration file. kind should be ConfigManagementPlugin, found {}",
                config.kind
            ));
        }
        if config.spec.generate.command.is_empty() {
            return Err(
                "invalid plugin configuration file. spec.generate command should be non-empty"
                    .into(),
            );
        }
        Ok(config)
    }

    fn load(path: &Path) -> PluginConfig {
        let text = std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        PluginConfig::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// The name Applications use: `<metadata.name>-<spec.version>`, or the bare name.
    fn full_name(&self) -> String {
        if self.spec.version.is_empty() {
            self.metadata.name.clone()
        } else {
            format!("{}-{}", self.metadata.name, self.spec.version)
        }
    }
}

/// The repository's plugin.yaml.
fn kbundle_plugin() -> PluginConfig {
    PluginConfig::load(&common::root().join("plugin.yaml"))
}

// ---------------------------------------------------------------------------------------------
// YAML, independently of kbundle's own reader
// ---------------------------------------------------------------------------------------------

/// One YAML document as JSON (what `sigs.k8s.io/yaml` gives Go).
fn parse_yaml_document(text: &str) -> Result<Value, String> {
    serde_saphyr::from_str::<Value>(text).map_err(|e| format!("invalid YAML: {e}"))
}

/// The chunks of a YAML stream, split the way `k8s.io/apimachinery`'s `YAMLReader` splits:
/// at lines starting with `---` followed by nothing but blanks or a comment.
fn split_yaml_stream(text: &str) -> Result<Vec<String>, String> {
    let mut docs = Vec::new();
    let mut current = String::new();
    for line in text.split_inclusive('\n') {
        if let Some(rest) = line.strip_prefix("---") {
            let rest = rest.trim();
            if !rest.is_empty() && !rest.starts_with('#') {
                return Err(format!(
                    "invalid Yaml document separator: {}",
                    line.trim_end()
                ));
            }
            docs.push(std::mem::take(&mut current));
            continue;
        }
        current.push_str(line);
    }
    docs.push(current);
    Ok(docs)
}

/// `kube.SplitYAMLToString` followed by the repo-server's unmarshalling into `Unstructured`:
/// empty and `null` documents are skipped; every other one must be a Kubernetes object.
fn split_manifests(text: &str) -> Result<Vec<Value>, String> {
    let mut out = Vec::new();
    for (i, chunk) in split_yaml_stream(text)?.iter().enumerate() {
        let meaningful = chunk
            .lines()
            .any(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'));
        if !meaningful {
            continue;
        }
        let value = parse_yaml_document(chunk)
            .map_err(|e| format!("failed to unmarshal manifest {i}: {e}\n{chunk}"))?;
        if value.is_null() {
            continue;
        }
        let problem = if !value.is_object() {
            Some("not a mapping")
        } else if value["kind"].as_str().is_none_or(str::is_empty) {
            Some("Object 'Kind' is missing")
        } else if value["apiVersion"].as_str().is_none_or(str::is_empty) {
            Some("Object 'apiVersion' is missing")
        } else if value
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            Some("metadata.name is missing")
        } else {
            None
        };
        if let Some(p) = problem {
            return Err(format!(
                "manifest {i} is not a Kubernetes object ({p}):\n{chunk}"
            ));
        }
        out.push(value);
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Globs: Go's filepath.Glob (discover.fileName) and zglob (discover.find.glob)
// ---------------------------------------------------------------------------------------------

/// Go's `filepath.Match` on one path element: `*`, `?`, `[...]` (with `^` and ranges) and `\`.
fn match_element(pattern: &[char], name: &[char]) -> Result<bool, String> {
    let Some((&p, prest)) = pattern.split_first() else {
        return Ok(name.is_empty());
    };
    match p {
        '*' => {
            // Every split is tried; the last one (nothing left) still parses the rest of the
            // pattern, so a malformed one is an error as in Go.
            for skip in 0..=name.len() {
                if match_element(prest, &name[skip..])? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        '?' => match name.split_first() {
            Some((_, nrest)) => match_element(prest, nrest),
            None => Ok(false),
        },
        '[' => {
            let mut i = 0;
            let negate = prest.first() == Some(&'^');
            if negate {
                i += 1;
            }
            let mut matched = false;
            let c = name.first().copied();
            let mut first = true;
            loop {
                let Some(&lo) = prest.get(i) else {
                    return Err("syntax error in pattern".into());
                };
                if lo == ']' && !first {
                    i += 1;
                    break;
                }
                first = false;
                let lo = if lo == '\\' {
                    i += 1;
                    *prest.get(i).ok_or("syntax error in pattern")?
                } else {
                    lo
                };
                i += 1;
                let mut hi = lo;
                if prest.get(i) == Some(&'-') && prest.get(i + 1).is_some_and(|&c| c != ']') {
                    i += 1;
                    hi = if prest[i] == '\\' {
                        i += 1;
                        *prest.get(i).ok_or("syntax error in pattern")?
                    } else {
                        prest[i]
                    };
                    i += 1;
                }
                if c.is_some_and(|c| lo <= c && c <= hi) {
                    matched = true;
                }
            }
            if c.is_none() || matched == negate {
                return Ok(false);
            }
            match_element(&prest[i..], &name[1..])
        }
        '\\' => {
            let (&lit, prest) = prest.split_first().ok_or("syntax error in pattern")?;
            match name.split_first() {
                Some((&n, nrest)) if n == lit => match_element(prest, nrest),
                _ => Ok(false),
            }
        }
        lit => match name.split_first() {
            Some((&n, nrest)) if n == lit => match_element(prest, nrest),
            _ => Ok(false),
        },
    }
}

fn has_meta(element: &str) -> bool {
    element.contains(['*', '?', '[', '\\'])
}

/// Lexical `filepath.Clean` of a relative pattern: `.` and empty elements dropped, `..` applied.
fn clean_elements(pattern: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for e in pattern.split('/') {
        match e {
            "" | "." => {}
            ".." => {
                if out.last().is_some_and(|l| l != "..") {
                    out.pop();
                } else {
                    out.push("..".into());
                }
            }
            e => out.push(e.to_string()),
        }
    }
    out
}

/// The paths below `base` that `pattern` matches, element by element. `**` (when `double_star`)
/// matches any number of directories, none included.
fn glob_below(base: &Path, pattern: &str, double_star: bool) -> Result<Vec<PathBuf>, String> {
    if double_star && pattern.contains(['{', '}']) {
        panic!("brace expansion in {pattern:?} is not simulated");
    }
    let mut current = vec![base.to_path_buf()];
    for element in clean_elements(pattern) {
        let mut next = Vec::new();
        for dir in &current {
            if double_star && element == "**" {
                // The directory itself and every directory below it.
                let mut stack = vec![dir.clone()];
                while let Some(d) = stack.pop() {
                    next.push(d.clone());
                    if let Ok(entries) = std::fs::read_dir(&d) {
                        for e in entries.flatten() {
                            if e.path().is_dir() {
                                stack.push(e.path());
                            }
                        }
                    }
                }
            } else if !has_meta(&element) {
                let p = dir.join(&element);
                if std::fs::symlink_metadata(&p).is_ok() {
                    next.push(p);
                }
            } else {
                let pattern: Vec<char> = element.chars().collect();
                // A malformed pattern is an error even when there is nothing to match.
                match_element(&pattern, &[])?;
                let Ok(entries) = std::fs::read_dir(dir) else {
                    continue;
                };
                for e in entries.flatten() {
                    let name: Vec<char> = e.file_name().to_string_lossy().chars().collect();
                    if match_element(&pattern, &name)? {
                        next.push(e.path());
                    }
                }
            }
        }
        next.sort();
        next.dedup();
        current = next;
    }
    Ok(current)
}

// ---------------------------------------------------------------------------------------------
// The Application (spec.source with a plugin) and the env Argo CD builds from it
// ---------------------------------------------------------------------------------------------

/// The fake commit every app is "at".
const REVISION: &str = "5d1f0c2a9b8e7d6c5b4a39281706f5e4d3c2b1a0";
const KUBE_VERSION: &str = "1.33.1";
const KUBE_API_VERSIONS: &str = "v1,apps/v1,batch/v1,apiextensions.k8s.io/v1,\
    kafka.strimzi.io/v1,kafka.strimzi.io/v1beta2,monitoring.coreos.com/v1,\
    monitoring.coreos.com/v1alpha1";

#[derive(Debug, Clone)]
struct Application {
    name: String,
    project: String,
    repo_url: String,
    path: String,
    target_revision: String,
    dest_namespace: String,
    /// `spec.source.plugin` is present (possibly empty).
    has_plugin: bool,
    plugin_name: String,
    /// `plugin.env` as written (values unexpanded).
    plugin_env: Vec<(String, String)>,
    /// `plugin.parameters` as written.
    parameters: Vec<Value>,
    /// Where it was read from (for messages).
    origin: String,
    /// What the destination cluster serves (`KUBE_API_VERSIONS`).
    kube_api_versions: String,
}

impl Application {
    fn from_value(v: &Value, origin: &str) -> Application {
        assert_eq!(v["apiVersion"], "argoproj.io/v1alpha1", "{origin}: {v}");
        assert_eq!(v["kind"], "Application", "{origin}");
        let s = |p: &str| {
            v.pointer(p)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        assert!(
            v.pointer("/spec/sources").is_none(),
            "{origin}: multi-source Applications are not simulated"
        );
        let source = v
            .pointer("/spec/source")
            .unwrap_or_else(|| panic!("{origin}: no spec.source"));
        let plugin = source.get("plugin");
        let plugin_env = plugin
            .and_then(|p| p.get("env"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|e| {
                (
                    e["name"].as_str().expect("plugin.env[].name").to_string(),
                    e["value"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect();
        let parameters = plugin
            .and_then(|p| p.get("parameters"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let app = Application {
            name: s("/metadata/name"),
            project: s("/spec/project"),
            repo_url: s("/spec/source/repoURL"),
            path: s("/spec/source/path"),
            target_revision: s("/spec/source/targetRevision"),
            dest_namespace: s("/spec/destination/namespace"),
            has_plugin: plugin.is_some(),
            plugin_name: plugin
                .and_then(|p| p.get("name"))
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            plugin_env,
            parameters,
            origin: origin.to_string(),
            kube_api_versions: KUBE_API_VERSIONS.to_string(),
        };
        assert!(!app.name.is_empty(), "{origin}: metadata.name");
        app
    }

    fn parse(text: &str, origin: &str) -> Application {
        let v = parse_yaml_document(text).unwrap_or_else(|e| panic!("{origin}: {e}"));
        Application::from_value(&v, origin)
    }

    /// An Application for the kbundle plugin (named, as the docs recommend) at `path`.
    fn kbundle(name: &str, path: &str) -> Application {
        Application::parse(
            &format!(
                "apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: {name}
  namespace: argocd
spec:
  project: kafka
  source:
    repoURL: https://git.example.com/platform/kafka-gitops.git
    targetRevision: main
    path: {path}
    plugin:
      name: kbundle-v1
  destination:
    server: https://kubernetes.default.svc
    namespace: kafka
"
            ),
            name,
        )
    }

    fn with_parameters(mut self, params: Value) -> Application {
        self.parameters = params.as_array().expect("a list").clone();
        self
    }

    fn with_kube_api_versions(mut self, versions: &str) -> Application {
        self.kube_api_versions = versions.into();
        self
    }

    fn with_env(mut self, name: &str, value: &str) -> Application {
        self.plugin_env.push((name.into(), value.into()));
        self
    }

    /// `newEnv` + `KUBE_*` (the entries `Envsubst` knows).
    fn standard_env(&self) -> Vec<(String, String)> {
        let short = |n: usize| REVISION.chars().take(n).collect::<String>();
        vec![
            ("ARGOCD_APP_NAME".into(), self.name.clone()),
            ("ARGOCD_APP_NAMESPACE".into(), self.dest_namespace.clone()),
            ("ARGOCD_APP_PROJECT_NAME".into(), self.project.clone()),
            ("ARGOCD_APP_REVISION".into(), REVISION.into()),
            ("ARGOCD_APP_REVISION_SHORT".into(), short(7)),
            ("ARGOCD_APP_REVISION_SHORT_8".into(), short(8)),
            ("ARGOCD_APP_SOURCE_REPO_URL".into(), self.repo_url.clone()),
            ("ARGOCD_APP_SOURCE_PATH".into(), self.path.clone()),
            (
                "ARGOCD_APP_SOURCE_TARGET_REVISION".into(),
                self.target_revision.clone(),
            ),
            ("KUBE_VERSION".into(), KUBE_VERSION.into()),
            ("KUBE_API_VERSIONS".into(), self.kube_api_versions.clone()),
        ]
    }

    /// Every entry the repo-server sends the sidecar (`getPluginEnvs`), before the sidecar
    /// drops the empty ones.
    fn env_entries(&self) -> Vec<(String, String)> {
        let mut env = self.standard_env();
        if self.has_plugin {
            let known: BTreeMap<String, String> = env.iter().cloned().collect();
            for (name, value) in &self.plugin_env {
                env.push((format!("ARGOCD_ENV_{name}"), go_expand(value, &known)));
            }
            env.push((
                "ARGOCD_APP_PARAMETERS".into(),
                go_marshal_parameters(&self.parameters),
            ));
            env.extend(param_env(&self.parameters));
        }
        env
    }
}

/// Go's `os.Expand` with `Envsubst`'s mapping (unknown names expand to nothing, `$$` to `$`).
fn go_expand(s: &str, vars: &BTreeMap<String, String>) -> String {
    let special = |c: u8| b"*#$@!?-0123456789".contains(&c);
    let alnum = |c: u8| c == b'_' || c.is_ascii_alphanumeric();
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut j = 0;
    while j < b.len() {
        if b[j] == b'$' && j + 1 < b.len() {
            out.extend_from_slice(&b[i..j]);
            let rest = &b[j + 1..];
            // getShellName
            let (name, w): (&[u8], usize) = if rest[0] == b'{' {
                if rest.len() > 2 && special(rest[1]) && rest[2] == b'}' {
                    (&rest[1..2], 3)
                } else {
                    match rest.iter().skip(1).position(|&c| c == b'}') {
                        Some(0) => (&[], 2),
                        Some(k) => (&rest[1..k + 1], k + 2),
                        None => (&[], 1),
                    }
                }
            } else if special(rest[0]) {
                (&rest[0..1], 1)
            } else {
                let n = rest.iter().take_while(|&&c| alnum(c)).count();
                (&rest[..n], n)
            };
            if name.is_empty() && w > 0 {
                // Bad syntax: the characters are eaten.
            } else if name.is_empty() {
                out.push(b'$');
            } else {
                let name = String::from_utf8_lossy(name);
                let value = if name == "$" {
                    "$".to_string()
                } else {
                    vars.get(name.as_ref()).cloned().unwrap_or_default()
                };
                out.extend_from_slice(value.as_bytes());
            }
            j += w;
            i = j + 1;
        }
        j += 1;
    }
    out.extend_from_slice(&b[i.min(b.len())..]);
    String::from_utf8(out).expect("utf-8")
}

/// `json.Marshal(ApplicationSourcePluginParameters)`: `null` for none; each parameter's keys in
/// Go's (sorted) order; `<`, `>`, `&`, U+2028 and U+2029 escaped as Go escapes them.
fn go_marshal_parameters(params: &[Value]) -> String {
    if params.is_empty() {
        return "null".into();
    }
    let list: Vec<Value> = params
        .iter()
        .map(|p| {
            let mut m = Map::new();
            if let Some(a) = p.get("array") {
                let items: Vec<Value> = a
                    .as_array()
                    .expect("parameter array")
                    .iter()
                    .map(|v| Value::String(v.as_str().expect("array items are strings").into()))
                    .collect();
                m.insert("array".into(), Value::Array(items));
            }
            if let Some(mp) = p.get("map") {
                let sorted: BTreeMap<String, String> = mp
                    .as_object()
                    .expect("parameter map")
                    .iter()
                    .map(|(k, v)| {
                        (
                            k.clone(),
                            v.as_str().expect("map values are strings").into(),
                        )
                    })
                    .collect();
                m.insert("map".into(), json!(sorted));
            }
            m.insert("name".into(), p["name"].clone());
            if let Some(s) = p.get("string") {
                m.insert(
                    "string".into(),
                    Value::String(s.as_str().expect("string").into()),
                );
            }
            Value::Object(m)
        })
        .collect();
    serde_json::to_string(&list)
        .expect("json")
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// `escaped()`: upper case, anything but `[A-Z0-9_]` becomes `_`.
fn param_env_name(name: &str) -> String {
    name.to_uppercase()
        .chars()
        .map(|c| {
            if c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The `PARAM_*` variables of `Parameters.Environ`.
fn param_env(params: &[Value]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for p in params {
        let base = format!("PARAM_{}", param_env_name(p["name"].as_str().unwrap_or("")));
        if let Some(s) = p.get("string").and_then(Value::as_str) {
            out.push((base.clone(), s.to_string()));
        }
        if let Some(m) = p.get("map").and_then(Value::as_object) {
            for (k, v) in m {
                out.push((
                    format!("{base}_{}", param_env_name(k)),
                    v.as_str().unwrap_or("").to_string(),
                ));
            }
        }
        if let Some(a) = p.get("array").and_then(Value::as_array) {
            for (i, v) in a.iter().enumerate() {
                out.push((format!("{base}_{i}"), v.as_str().unwrap_or("").to_string()));
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The repository copy the sidecar works in
// ---------------------------------------------------------------------------------------------

struct Repo {
    _tmp: tempfile::TempDir,
    /// The work directory holding the copy (the repository root).
    root: PathBuf,
}

impl Repo {
    fn empty() -> Repo {
        let tmp = tempfile::Builder::new()
            .prefix("cmp-work")
            .tempdir()
            .expect("tempdir");
        let root = tmp.path().join("repo");
        std::fs::create_dir(&root).expect("mkdir");
        set_mode(&root, 0o755);
        Repo { _tmp: tmp, root }
    }

    /// A copy of `src` as `Untgz` leaves it with `preserveFileMode: false`: no `.git`, files 0644,
    /// directories 0755, symlinks made relative (and refused when they leave the tree).
    fn copy_of(src: &Path) -> Repo {
        let repo = Repo::empty();
        copy_tree(src, src, &repo.root);
        repo
    }

    fn write(&self, rel: &str, text: &str) -> &Repo {
        let p = self.root.join(rel);
        let parent = p.parent().expect("parent");
        std::fs::create_dir_all(parent).expect("mkdir");
        let mut d = parent.to_path_buf();
        while d.starts_with(&self.root) {
            set_mode(&d, 0o755);
            if !d.pop() {
                break;
            }
        }
        std::fs::write(&p, text).expect("write");
        set_mode(&p, 0o644);
        self
    }

    /// `filepath.Clean(filepath.Join(workDir, appRelPath))`.
    fn app_path(&self, source_path: &str) -> PathBuf {
        let mut p = self.root.clone();
        for c in Path::new(source_path).components() {
            match c {
                Component::Normal(n) => p.push(n),
                Component::ParentDir => {
                    p.pop();
                }
                _ => {}
            }
        }
        assert!(
            p.starts_with(&self.root),
            "illegal appPath: out of workDir bound"
        );
        p
    }
}

fn set_mode(p: &Path, mode: u32) {
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

fn copy_tree(src_root: &Path, src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).expect("mkdir");
    set_mode(dst, 0o755);
    let mut entries: Vec<_> = std::fs::read_dir(src)
        .unwrap_or_else(|e| panic!("{}: {e}", src.display()))
        .flatten()
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name();
        if name == ".git" {
            continue;
        }
        let from = e.path();
        let to = dst.join(&name);
        let meta = std::fs::symlink_metadata(&from).expect("stat");
        if meta.file_type().is_symlink() {
            let target = std::fs::read_link(&from).expect("readlink");
            let resolved = from.parent().expect("parent").join(&target);
            let resolved = std::fs::canonicalize(&resolved).unwrap_or(resolved);
            let root = std::fs::canonicalize(src_root).expect("canonicalize");
            assert!(
                resolved.starts_with(&root),
                "{}: symlink leaves the repository (Argo CD refuses the archive)",
                from.display()
            );
            std::os::unix::fs::symlink(&target, &to).expect("symlink");
        } else if meta.is_dir() {
            copy_tree(src_root, &from, &to);
        } else if meta.is_file() {
            std::fs::copy(&from, &to).expect("copy");
            set_mode(&to, 0o644);
        }
        // Sockets, fifos and devices are not archived.
    }
}

// ---------------------------------------------------------------------------------------------
// Running commands the way runCommand does
// ---------------------------------------------------------------------------------------------

#[derive(Debug)]
struct Run {
    argv: Vec<String>,
    status: Option<std::process::ExitStatus>,
    stdout: String,
    stderr: String,
    /// The plugin timeout expired (SIGTERM to the group, SIGKILL 5 s later).
    timed_out: bool,
    /// How long until the process had exited and both pipes were closed.
    elapsed: Duration,
}

impl Run {
    fn success(&self) -> bool {
        self.status.is_some_and(|s| s.success())
    }

    fn code(&self) -> Option<i32> {
        self.status.and_then(|s| s.code())
    }

    /// Argo CD's `CmdError` text: what the UI shows when the command fails.
    fn error(&self) -> String {
        let cause = match self.status {
            Some(s) => match (s.code(), s.signal()) {
                (Some(c), _) => format!("exit status {c}"),
                (_, Some(sig)) => format!("signal: {sig}"),
                _ => format!("{s}"),
            },
            None => "not run".into(),
        };
        // getCommandArgsToLog: arguments holding white space are quoted.
        let args: Vec<String> = self
            .argv
            .iter()
            .map(|a| {
                if a.chars().any(char::is_whitespace) {
                    format!("{a:?}")
                } else {
                    a.clone()
                }
            })
            .collect();
        let args = args.join(" ");
        let stderr = self.stderr.trim();
        if stderr.is_empty() {
            format!("`{args}` failed {cause}")
        } else {
            format!("`{args}` failed {cause}: {stderr}")
        }
    }

    /// `strings.TrimSuffix(output, "\n")`.
    fn output(&self) -> &str {
        self.stdout.strip_suffix('\n').unwrap_or(&self.stdout)
    }
}

/// `exec.LookPath` against the sidecar's PATH.
fn look_path(program: &str, env: &[(String, String)]) -> Result<PathBuf, String> {
    if program.contains('/') {
        return Ok(PathBuf::from(program));
    }
    let path = env
        .iter()
        .rev()
        .find(|(k, _)| k == "PATH")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    std::env::split_paths(&path)
        .map(|d| d.join(program))
        .find(|p| {
            std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
        .ok_or_else(|| format!("exec: {program:?}: executable file not found in $PATH"))
}

/// `kill -SIGNAL -- TARGET` (no libc in the tests): a target that is already gone is fine, a
/// missing `kill` is not.
fn send(signal: &str, target: &str) {
    Command::new("kill")
        .args([&format!("-{signal}"), "--", target])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("run kill(1)");
}

fn signal_pid(pid: u32, signal: &str) {
    send(signal, &pid.to_string());
}

fn signal_group(pgid: u32, signal: &str) {
    send(signal, &format!("-{pgid}"));
}

/// Called while the command runs, with its pid (also its process group).
type Poll<'a> = &'a mut dyn FnMut(u32);

/// Run `argv` in `dir` with exactly `env`, in its own process group; stdout and stderr are read
/// to their end (as Go's `cmd.Wait` does); after `timeout` the group gets SIGTERM, 5 s later
/// SIGKILL.
fn run_command(
    argv: &[String],
    dir: &Path,
    env: &[(String, String)],
    timeout: Duration,
    mut poll: Option<Poll>,
) -> Result<Run, String> {
    let program = look_path(&argv[0], env)?;
    let mut child = Command::new(&program)
        .args(&argv[1..])
        .current_dir(dir)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", program.display()))?;
    let pid = child.id();
    let read = |mut r: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = r.read_to_end(&mut buf);
            String::from_utf8_lossy(&buf).into_owned()
        })
    };
    let out = read(Box::new(child.stdout.take().expect("stdout")));
    let err = read(Box::new(child.stderr.take().expect("stderr")));
    let start = Instant::now();
    let mut status = None;
    let mut termed = None::<Instant>;
    let mut killed = false;
    loop {
        if status.is_none() {
            status = child.try_wait().map_err(|e| e.to_string())?;
        }
        if status.is_some() && out.is_finished() && err.is_finished() {
            break;
        }
        if let Some(p) = poll.as_mut() {
            p(pid);
        }
        match termed {
            None if start.elapsed() >= timeout => {
                signal_group(pid, "TERM");
                termed = Some(Instant::now());
            }
            Some(t) if !killed && t.elapsed() >= Duration::from_secs(5) => {
                signal_group(pid, "KILL");
                killed = true;
            }
            _ => {}
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    Ok(Run {
        argv: argv.to_vec(),
        status,
        stdout: out.join().expect("stdout reader"),
        stderr: err.join().expect("stderr reader"),
        timed_out: termed.is_some(),
        elapsed: start.elapsed(),
    })
}

// ---------------------------------------------------------------------------------------------
// The sidecar
// ---------------------------------------------------------------------------------------------

/// Argo CD's default `server.repo.server.timeout.seconds`.
const ARGO_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug, PartialEq, Eq)]
enum Discovery {
    Matched,
    NotMatched,
    /// No discovery configured: only Applications naming the plugin use it.
    Disabled,
}

struct Generated {
    /// The `generate` run (`None` when `init` failed).
    run: Option<Run>,
    /// The manifests Argo CD would apply, or the error it would show.
    manifests: Result<Vec<Value>, String>,
}

impl Generated {
    #[track_caller]
    fn ok(&self, what: &str) -> &Vec<Value> {
        match &self.manifests {
            Ok(m) => m,
            Err(e) => panic!("{what}: manifest generation failed:\n{e}"),
        }
    }

    #[track_caller]
    fn err(&self, what: &str) -> (&Run, &str) {
        match (&self.manifests, &self.run) {
            (Err(e), Some(run)) => (run, e.as_str()),
            (Err(e), None) => panic!("{what}: init failed: {e}"),
            (Ok(m), _) => panic!("{what}: expected a failure, got {} manifests", m.len()),
        }
    }
}

struct Sidecar {
    plugin: PluginConfig,
    _tmp: tempfile::TempDir,
    /// First on PATH: `kbundle` (a symlink to the binary under test) and test doubles.
    bin: PathBuf,
    home: PathBuf,
    tmpdir: PathBuf,
    /// More of the sidecar's own environment (e.g. `KBUNDLE_KUSTOMIZE`).
    extra: Vec<(String, String)>,
    timeout: Duration,
}

impl Sidecar {
    fn new(plugin: PluginConfig) -> Sidecar {
        let tmp = tempfile::Builder::new()
            .prefix("cmp-sidecar")
            .tempdir()
            .expect("tempdir");
        let bin = tmp.path().join("bin");
        let home = tmp.path().join("home");
        let tmpdir = tmp.path().join("tmp");
        for d in [&bin, &home, &tmpdir] {
            std::fs::create_dir(d).expect("mkdir");
        }
        std::os::unix::fs::symlink(common::kbundle_bin(), bin.join("kbundle")).expect("symlink");
        Sidecar {
            plugin,
            _tmp: tmp,
            bin,
            home,
            tmpdir,
            extra: Vec::new(),
            timeout: ARGO_TIMEOUT,
        }
    }

    fn kbundle() -> Sidecar {
        Sidecar::new(kbundle_plugin())
    }

    /// A test double on the sidecar's PATH (ahead of everything but `kbundle`).
    fn install_tool(&self, name: &str, script: &str) -> PathBuf {
        let p = self.bin.join(name);
        std::fs::write(&p, script).expect("write tool");
        set_mode(&p, 0o755);
        p
    }

    /// The sidecar's own environment (`os.Environ()` of argocd-cmp-server).
    fn os_env(&self) -> Vec<(String, String)> {
        let host_path = std::env::var_os("PATH").unwrap_or_default();
        let path = std::env::join_paths(
            std::iter::once(self.bin.clone()).chain(std::env::split_paths(&host_path)),
        )
        .expect("PATH");
        let mut env = vec![
            ("PATH".to_string(), path.to_string_lossy().into_owned()),
            ("HOME".to_string(), self.home.display().to_string()),
            ("TMPDIR".to_string(), self.tmpdir.display().to_string()),
        ];
        env.extend(self.extra.iter().cloned());
        env
    }

    /// `append(os.Environ(), environ(entries)...)`: entries with an empty value are dropped;
    /// a later duplicate wins (as in `os/exec`).
    fn command_env(&self, entries: &[(String, String)]) -> Vec<(String, String)> {
        let mut env = self.os_env();
        env.extend(
            entries
                .iter()
                .filter(|(k, v)| !k.is_empty() && !v.is_empty())
                .cloned(),
        );
        env
    }

    /// `matchRepository`.
    fn discover(&self, app_path: &Path, entries: &[(String, String)]) -> Result<Discovery, String> {
        let d = &self.plugin.spec.discover;
        let found = |m: Vec<PathBuf>| {
            if m.is_empty() {
                Discovery::NotMatched
            } else {
                Discovery::Matched
            }
        };
        if !d.file_name.is_empty() {
            return glob_below(app_path, &d.file_name, false).map(found);
        }
        if !d.find.glob.is_empty() {
            return glob_below(app_path, &d.find.glob, true).map(found);
        }
        if !d.find.command.is_empty() {
            let argv: Vec<String> = d.find.command.iter().chain(&d.find.args).cloned().collect();
            let run = run_command(
                &argv,
                app_path,
                &self.command_env(entries),
                self.timeout,
                None,
            )?;
            if !run.success() {
                return Err(format!("error running find command: {}", run.error()));
            }
            return Ok(if run.output().is_empty() {
                Discovery::NotMatched
            } else {
                Discovery::Matched
            });
        }
        Ok(Discovery::Disabled)
    }

    /// `DetectConfigManagementPlugin` for this (only) sidecar: `Ok` when Argo CD would hand the
    /// app to the plugin.
    fn select(&self, repo: &Repo, app: &Application) -> Result<(), String> {
        let app_path = repo.app_path(&app.path);
        let named = !app.plugin_name.is_empty();
        if named && app.plugin_name != self.plugin.full_name() {
            return Err(format!(
                "couldn't find cmp-server plugin with name {:?} supporting the given repository \
                 (the sidecar serves {:?})",
                app.plugin_name,
                self.plugin.full_name()
            ));
        }
        match self.discover(&app_path, &app.env_entries()) {
            Ok(Discovery::Matched) => Ok(()),
            Ok(Discovery::Disabled) if named => Ok(()),
            Ok(other) => Err(format!(
                "{}: plugin {:?} does not support {} (discovery: {other:?})",
                app.origin,
                self.plugin.full_name(),
                app.path
            )),
            Err(e) => Err(format!(
                "{}: repository is not the match because {e}",
                app.origin
            )),
        }
    }

    /// `generateManifest`: init, generate, split.
    fn generate(&self, repo: &Repo, app: &Application) -> Generated {
        self.generate_with(repo, app, None)
    }

    fn generate_with(&self, repo: &Repo, app: &Application, poll: Option<Poll>) -> Generated {
        let app_path = repo.app_path(&app.path);
        let env = self.command_env(&app.env_entries());
        let spec = &self.plugin.spec;
        if !spec.init.command.is_empty() {
            match run_command(&spec.init.argv(), &app_path, &env, self.timeout, None) {
                Ok(run) if run.success() => {}
                Ok(run) => {
                    return Generated {
                        run: None,
                        manifests: Err(run.error()),
                    };
                }
                Err(e) => {
                    return Generated {
                        run: None,
                        manifests: Err(e),
                    };
                }
            }
        }
        match run_command(&spec.generate.argv(), &app_path, &env, self.timeout, poll) {
            Ok(run) => {
                let manifests = if run.success() {
                    split_manifests(run.output())
                } else {
                    Err(run.error())
                };
                Generated {
                    run: Some(run),
                    manifests,
                }
            }
            Err(e) => Generated {
                run: None,
                manifests: Err(e),
            },
        }
    }

    /// `getParametersAnnouncement`: the dynamic announcements, then the static ones.
    fn parameters(&self, repo: &Repo, app: &Application) -> Result<Vec<Announcement>, String> {
        let spec = &self.plugin.spec.parameters;
        let mut out = Vec::new();
        if !spec.dynamic.command.is_empty() {
            let app_path = repo.app_path(&app.path);
            let env = self.command_env(&app.env_entries());
            let run = run_command(&spec.dynamic.argv(), &app_path, &env, self.timeout, None)?;
            if !run.success() {
                return Err(format!(
                    "error executing dynamic parameter output command: {}",
                    run.error()
                ));
            }
            out = serde_json::from_str::<Vec<Announcement>>(run.output()).map_err(|e| {
                format!(
                    "error unmarshaling dynamic parameter output into \
                     ParametersAnnouncementResponse: {e}\n{}",
                    run.stdout
                )
            })?;
        }
        out.extend(spec.static_.iter().cloned());
        Ok(out)
    }
}

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

const UNRELATED: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: unrelated
data:
  greeting: hello
";

/// A plain (non-kustomize) app: `apps/kafka/` with two bundles and the prod Environment.
fn plain_repo() -> Repo {
    let repo = Repo::empty();
    repo.write("README.md", "# platform\n")
        .write("apps/kafka/orders.yaml", ORDERS)
        .write("apps/kafka/payments.yaml", PAYMENTS)
        .write("apps/kafka/env/prod.yaml", PROD);
    repo
}

fn kind(v: &Value) -> &str {
    v["kind"].as_str().unwrap_or("")
}

fn name(v: &Value) -> &str {
    v.pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("")
}

fn label<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.pointer("/metadata/labels")?.get(key)?.as_str()
}

fn ids(objs: &[Value]) -> BTreeSet<(String, String)> {
    objs.iter()
        .map(|o| (kind(o).to_string(), name(o).to_string()))
        .collect()
}

fn count_kinds(objs: &[Value]) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for o in objs {
        *m.entry(kind(o).to_string()).or_default() += 1;
    }
    m
}

/// The `KB...` codes in a text.
fn codes(text: &str) -> BTreeSet<String> {
    let b = text.as_bytes();
    let mut out = BTreeSet::new();
    for i in 0..(b.len() + 1).saturating_sub(5) {
        if &b[i..i + 2] == b"KB"
            && b[i + 2..i + 5].iter().all(u8::is_ascii_digit)
            && b.get(i + 5).is_none_or(|c| !c.is_ascii_digit())
            && (i == 0 || !b[i - 1].is_ascii_alphanumeric())
        {
            out.insert(String::from_utf8_lossy(&b[i..i + 5]).into_owned());
        }
    }
    out
}

/// A failed generation as Argo CD sees it: non-zero exit, the code on stderr, nothing on stdout.
#[track_caller]
fn assert_refused(g: &Generated, code: &str, what: &str) {
    let (run, error) = g.err(what);
    assert!(!run.success(), "{what}: exited 0");
    assert!(
        codes(&run.stderr).contains(code),
        "{what}: stderr lacks {code}:\n{}",
        run.stderr
    );
    assert!(
        run.stdout.is_empty(),
        "{what}: a failed generate printed on stdout:\n{}",
        run.stdout
    );
    assert!(
        error.contains(code),
        "{what}: the UI message lacks {code}: {error}"
    );
}

/// Objects kbundle generated (managed-by kbundle), by the bundle they belong to.
fn by_bundle(objs: &[Value]) -> BTreeMap<String, Vec<&Value>> {
    let mut m: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
    for o in objs {
        if label(o, "app.kubernetes.io/managed-by") == Some("kbundle") {
            let b = label(o, "app.kubernetes.io/part-of").unwrap_or("(none)");
            m.entry(b.to_string()).or_default().push(o);
        }
    }
    m
}

/// Every generated Strimzi object is valid against the vendored CRDs (skipped, with the reason
/// printed, when the vendor directory is missing).
fn assert_strimzi_valid(objs: &[Value], context: &str) -> usize {
    let strimzi: Vec<&Value> = objs
        .iter()
        .filter(|o| {
            o["apiVersion"]
                .as_str()
                .is_some_and(|a| a.starts_with("kafka.strimzi.io/"))
        })
        .collect();
    for o in &strimzi {
        assert!(
            common::crds::STRIMZI_KINDS.contains(&kind(o)),
            "{context}: {} {} has no vendored CRD to check it against",
            o["apiVersion"],
            kind(o)
        );
    }
    let Some(crds) = common::crds::strimzi() else {
        return 0;
    };
    for o in &strimzi {
        crds.assert_valid(o, context);
    }
    strimzi.len()
}

// ---------------------------------------------------------------------------------------------
// plugin.yaml and the simulator itself
// ---------------------------------------------------------------------------------------------

/// The repository's plugin.yaml is a valid CMP config that runs kbundle directly (no shell),
/// receives no executable bits and no git credentials, and announces what the contract says.
#[test]
fn plugin_yaml_is_a_valid_cmp_config_without_a_shell() {
    let p = kbundle_plugin();
    assert_eq!(p.api_version, "argoproj.io/v1alpha1");
    assert_eq!(p.full_name(), "kbundle-v1");
    let s = &p.spec;
    assert_eq!(s.generate.argv(), ["kbundle", "argocd", "generate"]);
    assert!(s.init.argv().is_empty(), "init: {:?}", s.init.argv());
    assert_eq!(
        s.discover.file_name, "",
        "fileName would win over find.command"
    );
    assert_eq!(
        s.discover.find.glob, "",
        "find.glob would win over find.command"
    );
    let discover: Vec<String> = s
        .discover
        .find
        .command
        .iter()
        .chain(&s.discover.find.args)
        .cloned()
        .collect();
    assert_eq!(discover, ["kbundle", "argocd", "discover"]);
    assert_eq!(
        s.parameters.dynamic.argv(),
        ["kbundle", "argocd", "parameters"]
    );
    let shells = [
        "sh",
        "bash",
        "dash",
        "ash",
        "zsh",
        "/bin/sh",
        "/bin/bash",
        "env",
    ];
    for argv in [
        s.generate.argv(),
        discover.clone(),
        s.parameters.dynamic.argv(),
    ] {
        assert_eq!(argv[0], "kbundle", "{argv:?}");
        assert!(
            argv.iter()
                .all(|a| !shells.contains(&a.as_str()) && a != "-c"),
            "a shell in {argv:?}"
        );
    }
    assert!(!s.preserve_file_mode, "preserveFileMode must be false");
    assert!(!s.provide_git_creds, "provideGitCreds must be false");
    let statics: Vec<(&str, &str, &str)> = s
        .parameters
        .static_
        .iter()
        .map(|a| {
            (
                a.name.as_str(),
                a.collection_type.as_str(),
                a.item_type.as_str(),
            )
        })
        .collect();
    assert_eq!(
        statics,
        [
            ("environment", "string", "string"),
            ("bundles", "array", "string")
        ]
    );
    for a in &s.parameters.static_ {
        assert!(!a.title.is_empty() && !a.tooltip.is_empty(), "{a:?}");
        assert!(!a.required, "{} must be optional", a.name);
        // Announced defaults are never sent back to the plugin: none is announced.
        assert!(
            a.string.is_none() && a.array.is_none() && a.map.is_none(),
            "{a:?}"
        );
    }
}

/// Positive and negative controls for the config reader: Argo CD's own examples parse; what
/// `ValidatePluginConfig` refuses is refused, with its message.
#[test]
fn config_reader_accepts_argo_examples_and_refuses_what_argo_refuses() {
    if let Some(vendor) = common::vendor() {
        let dir = vendor.join("argocd");
        let mut n = 0;
        for f in [
            "docs_plugin.yaml",
            "test_cmp_plugin.yaml",
            "examples_plugins_helm_plugin.yaml",
        ] {
            let p = PluginConfig::load(&dir.join(f));
            assert!(!p.spec.generate.command.is_empty(), "{f}");
            n += 1;
        }
        for f in [
            "docs_plugin-configmap.yaml",
            "test_manifests_cmp_plugin-configmap.yaml",
        ] {
            let cm =
                parse_yaml_document(&std::fs::read_to_string(dir.join(f)).expect("read")).expect(f);
            let text = cm
                .pointer("/data/plugin.yaml")
                .and_then(Value::as_str)
                .expect(f);
            PluginConfig::parse(text).unwrap_or_else(|e| panic!("{f}: {e}"));
            n += 1;
        }
        let docs = PluginConfig::load(&dir.join("docs_plugin.yaml"));
        assert_eq!(docs.full_name(), "my-plugin-v1.0");
        assert_eq!(docs.spec.discover.file_name, "./subdir/s*.yaml");
        assert_eq!(docs.spec.discover.find.glob, "**/Chart.yaml");
        assert_eq!(docs.spec.parameters.static_.len(), 3);
        assert_eq!(n, 5);
    }
    let base = "apiVersion: argoproj.io/v1alpha1
kind: ConfigManagementPlugin
metadata:
  name: p
spec:
  generate:
    command: [x]
";
    PluginConfig::parse(base).expect("minimal config");
    let cases = [
        (
            base.replace("  name: p\n", "  labels: {}\n"),
            "metadata.name should be non-empty",
        ),
        (
            base.replace("kind: ConfigManagementPlugin", "kind: Plugin"),
            "kind should be",
        ),
        (
            base.replace("command: [x]", "command: []"),
            "generate command should be non-empty",
        ),
        (
            base.replace("command: [x]", "args: [x]"),
            "generate command should be non-empty",
        ),
        (format!("{base}  preserveFileMod: false\n"), "unknown field"),
    ];
    for (text, wanted) in cases {
        let err = PluginConfig::parse(&text).expect_err(&text);
        assert!(err.contains(wanted), "{err}\n{text}");
    }
}

/// The three discovery kinds, in Argo CD's order, on fixture directories.
#[test]
fn discovery_kinds_behave_like_argo() {
    let plugin = |discover: &str| {
        PluginConfig::parse(&format!(
            "apiVersion: argoproj.io/v1alpha1
kind: ConfigManagementPlugin
metadata:
  name: p
spec:
  generate:
    command: [cat]
  discover:
{discover}"
        ))
        .expect("config")
    };
    let repo = Repo::empty();
    repo.write("a/subdir/s1.yaml", "x: 1\n")
        .write("b/subdir/t1.yaml", "x: 1\n")
        .write("c/kustomization.yaml", "resources: []\n")
        .write("d/deep/er/kustomization.yaml", "resources: []\n")
        .write("e/env.yaml", "x: 1\n")
        .write("f/[weird].yaml", "x: 1\n")
        .write("g/.hidden.yaml", "x: 1\n");
    std::fs::create_dir_all(repo.root.join("h")).expect("mkdir");
    let check =
        |p: &PluginConfig, dir: &str| Sidecar::new(p.clone()).discover(&repo.root.join(dir), &[]);
    use Discovery::*;

    let file_name = plugin("    fileName: ./subdir/s*.yaml\n");
    assert_eq!(check(&file_name, "a"), Ok(Matched));
    assert_eq!(check(&file_name, "b"), Ok(NotMatched));
    let escaped = plugin("    fileName: '\\[weird\\].yaml'\n");
    assert_eq!(check(&escaped, "f"), Ok(Matched));
    let class = plugin("    fileName: '[a-z]nv.yaml'\n");
    assert_eq!(check(&class, "e"), Ok(Matched));
    let negated = plugin("    fileName: '[^e]nv.yaml'\n");
    assert_eq!(check(&negated, "e"), Ok(NotMatched));
    let star = plugin("    fileName: '*.yaml'\n");
    assert_eq!(
        check(&star, "g"),
        Ok(Matched),
        "Go's Glob matches dot files"
    );
    assert_eq!(check(&star, "h"), Ok(NotMatched));
    let bad = plugin("    fileName: '[a-'\n");
    assert!(check(&bad, "h").is_err(), "a malformed pattern is an error");
    // `**` is not special to filepath.Glob: it is a `*`.
    let not_double = plugin("    fileName: '**/kustomization.yaml'\n");
    assert_eq!(check(&not_double, "d"), Ok(NotMatched));

    let glob = plugin("    find:\n      glob: '**/kustomization.yaml'\n");
    assert_eq!(
        check(&glob, "c"),
        Ok(Matched),
        "** matches no directory too"
    );
    assert_eq!(check(&glob, "d"), Ok(Matched));
    assert_eq!(check(&glob, "e"), Ok(NotMatched));
    assert_eq!(check(&glob, "."), Ok(Matched));

    let command = plugin("    find:\n      command: [sh, -c, find . -name env.yaml]\n");
    assert_eq!(check(&command, "e"), Ok(Matched));
    assert_eq!(check(&command, "a"), Ok(NotMatched));
    let newline = plugin("    find:\n      command: [echo]\n");
    assert_eq!(
        check(&newline, "a"),
        Ok(NotMatched),
        "one trailing newline is trimmed"
    );
    let failing = plugin("    find:\n      command: [sh, -c, 'echo yes; exit 3']\n");
    let err = check(&failing, "a").expect_err("non-zero exit");
    assert!(err.contains("exit status 3"), "{err}");
    let with_args = plugin(
        "    find:\n      command: [sh, -c]\n      args: ['test -f env.yaml && echo yes']\n",
    );
    assert_eq!(check(&with_args, "e"), Ok(Matched));
    assert_eq!(
        check(&with_args, "a"),
        Err(concat!(
            "error running find command: ",
            r#"`sh -c "test -f env.yaml && echo yes"` failed exit status 1"#
        )
        .into())
    );

    // First configured wins: fileName, even when the glob would match.
    let both =
        plugin("    fileName: ./subdir/s*.yaml\n    find:\n      glob: '**/kustomization.yaml'\n");
    assert_eq!(check(&both, "c"), Ok(NotMatched));
    assert_eq!(check(&plugin("    {}\n"), "c"), Ok(Disabled));

    // Selection: a named plugin with discovery must match; without discovery it is used.
    let app = |path: &str, plugin_name: &str| {
        let mut a = Application::kbundle("sel", path);
        a.plugin_name = plugin_name.into();
        a
    };
    let sidecar = Sidecar::new(glob.clone());
    assert!(sidecar.select(&repo, &app("c", "p")).is_ok());
    assert!(sidecar.select(&repo, &app("e", "p")).is_err());
    assert!(sidecar.select(&repo, &app("c", "other")).is_err());
    assert!(sidecar.select(&repo, &app("c", "")).is_ok());
    let undiscovering = Sidecar::new(plugin("    {}\n"));
    assert!(undiscovering.select(&repo, &app("e", "p")).is_ok());
    assert!(undiscovering.select(&repo, &app("e", "")).is_err());
}

/// The env the simulator gives the plugin, checked against Argo CD's documented examples (the
/// docs' generate command, the e2e test Application with `$ARGOCD_APP_REVISION` and an array
/// parameter); the copy has no `.git` and no executable bits; the test's environment does not
/// leak; the timeout kills the process group.
#[test]
fn simulator_env_and_workdir_follow_argo() {
    let plugin = PluginConfig::parse(
        r#"apiVersion: argoproj.io/v1alpha1
kind: ConfigManagementPlugin
metadata:
  name: my-plugin
spec:
  version: v1.0
  init:
    command: [sh, -c, 'test -n "$ARGOCD_APP_NAME" && test ! -x run.sh']
  generate:
    command: [sh, -c]
    args:
      - |
        echo "{\"kind\": \"ConfigMap\", \"apiVersion\": \"v1\", \"metadata\": { \"name\": \"$ARGOCD_APP_NAME\", \"namespace\": \"$ARGOCD_APP_NAMESPACE\", \"annotations\": {\"Foo\": \"$ARGOCD_ENV_FOO\", \"KubeVersion\": \"$KUBE_VERSION\", \"KubeApiVersion\": \"$KUBE_API_VERSIONS\",\"Bar\": \"baz\"}}}"
        echo ---
        env | sort | sed 's/^/# /'
        echo "---"
        printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: params\ndata:\n  json: %s\n' "'$ARGOCD_APP_PARAMETERS'"
"#,
    )
    .expect("plugin");
    // A checkout with .git and an executable script.
    let src = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(src.path().join(".git/objects")).expect("mkdir");
    std::fs::write(src.path().join(".git/HEAD"), "ref: refs/heads/main\n").expect("write");
    std::fs::create_dir_all(src.path().join("test/manifests/cmp/app")).expect("mkdir");
    let script = src.path().join("test/manifests/cmp/app/run.sh");
    std::fs::write(&script, "#!/bin/sh\n").expect("write");
    set_mode(&script, 0o755);
    let repo = Repo::copy_of(src.path());
    assert!(!repo.root.join(".git").exists());
    let copied = repo.root.join("test/manifests/cmp/app/run.sh");
    assert_eq!(
        std::fs::metadata(&copied)
            .expect("stat")
            .permissions()
            .mode()
            & 0o777,
        0o644
    );

    let app = Application::parse(
        "apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: plugin-test-app
spec:
  project: default
  source:
    repoURL: https://github.com/argoproj/argo-cd.git
    path: test/manifests/cmp/app
    plugin:
      env:
        - name: FOO
          value: bar
        - name: REV
          value: test-$ARGOCD_APP_REVISION
        - name: BRACED
          value: '${ARGOCD_APP_REVISION_SHORT}-$$-${NOPE}-$'
        - name: EMPTY
          value: ''
      parameters:
        - name: array-param
          array: [override, values]
        - name: map.param
          map: {b: '2', a: '<1>'}
        - name: s
          string: v
  destination:
    namespace: default
    server: https://kubernetes.default.svc
",
        "test_manifests_cmp_app.yaml",
    );
    let mut sidecar = Sidecar::new(plugin);
    sidecar.extra.push(("SIDECAR_ONLY".into(), "1".into()));
    let g = sidecar.generate(&repo, &app);
    let objs = g.ok("docs example");
    assert_eq!(objs.len(), 2, "{objs:?}");
    let cm = &objs[0];
    assert_eq!(name(cm), "plugin-test-app");
    assert_eq!(cm["metadata"]["namespace"], "default");
    assert_eq!(cm["metadata"]["annotations"]["Foo"], "bar");
    assert_eq!(cm["metadata"]["annotations"]["KubeVersion"], KUBE_VERSION);
    assert_eq!(
        cm["metadata"]["annotations"]["KubeApiVersion"],
        KUBE_API_VERSIONS
    );
    assert_eq!(
        objs[1]["data"]["json"],
        r#"[{"array":["override","values"],"name":"array-param"},{"map":{"a":"\u003c1\u003e","b":"2"},"name":"map.param"},{"name":"s","string":"v"}]"#
    );
    let env: BTreeMap<String, String> = g
        .run
        .as_ref()
        .expect("run")
        .stdout
        .lines()
        .filter_map(|l| l.strip_prefix("# "))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let want = [
        ("ARGOCD_APP_NAME", "plugin-test-app"),
        ("ARGOCD_APP_NAMESPACE", "default"),
        ("ARGOCD_APP_PROJECT_NAME", "default"),
        ("ARGOCD_APP_REVISION", REVISION),
        ("ARGOCD_APP_REVISION_SHORT", &REVISION[..7]),
        ("ARGOCD_APP_REVISION_SHORT_8", &REVISION[..8]),
        ("ARGOCD_APP_SOURCE_PATH", "test/manifests/cmp/app"),
        (
            "ARGOCD_APP_SOURCE_REPO_URL",
            "https://github.com/argoproj/argo-cd.git",
        ),
        ("ARGOCD_ENV_FOO", "bar"),
        ("ARGOCD_ENV_REV", &format!("test-{REVISION}")),
        ("ARGOCD_ENV_BRACED", &format!("{}-$--$", &REVISION[..7])),
        ("HOME", &sidecar.home.display().to_string()),
        ("PARAM_ARRAY_PARAM_0", "override"),
        ("PARAM_ARRAY_PARAM_1", "values"),
        ("PARAM_MAP_PARAM_A", "<1>"),
        ("PARAM_MAP_PARAM_B", "2"),
        ("PARAM_S", "v"),
        ("SIDECAR_ONLY", "1"),
    ];
    for (k, v) in want {
        assert_eq!(env.get(k).map(String::as_str), Some(v), "{k} in {env:#?}");
    }
    for absent in [
        "ARGOCD_ENV_EMPTY",
        "ARGOCD_APP_SOURCE_TARGET_REVISION",
        "CARGO_MANIFEST_DIR",
        "CARGO",
    ] {
        assert!(!env.contains_key(absent), "{absent} reached the plugin");
    }

    // No parameters at all: Go marshals the nil list as `null`.
    let plain = Application::kbundle("p", "x");
    let entries: BTreeMap<_, _> = plain.env_entries().into_iter().collect();
    assert_eq!(entries["ARGOCD_APP_PARAMETERS"], "null");
    // No plugin block (auto-detected): no parameters, no plugin env.
    let mut auto = plain.clone();
    auto.has_plugin = false;
    assert!(
        auto.env_entries()
            .iter()
            .all(
                |(k, _)| (k.starts_with("ARGOCD_APP_") && k != "ARGOCD_APP_PARAMETERS")
                    || k.starts_with("KUBE_")
            )
    );

    // Timeout: the whole group gets SIGTERM, children included.
    let mut slow = Sidecar::new(
        PluginConfig::parse(
            "apiVersion: argoproj.io/v1alpha1
kind: ConfigManagementPlugin
metadata: {name: slow}
spec:
  generate:
    command: [sh, -c, 'sleep 30 & sleep 30; echo never']
",
        )
        .expect("plugin"),
    );
    slow.timeout = Duration::from_millis(300);
    let g = slow.generate(&repo, &app);
    let run = g.run.as_ref().expect("run");
    assert!(run.timed_out && !run.success(), "{run:?}");
    assert!(run.elapsed < Duration::from_secs(4), "{:?}", run.elapsed);
    assert!(run.stdout.is_empty());
}

/// The stream splitter and object check the simulator applies to generate's stdout.
#[test]
fn manifest_splitting_follows_kubernetes() {
    let text = r#"---
# only a comment
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: a
--- # trailing comment
{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "b"}}
---
null
...
"#;
    let objs = split_manifests(text).expect("split");
    assert_eq!(ids(&objs).len(), 2, "{objs:?}");
    assert!(
        split_manifests("kind: ConfigMap\nmetadata: {name: a}\n").is_err(),
        "no apiVersion"
    );
    assert!(
        split_manifests("apiVersion: v1\nmetadata: {name: a}\n").is_err(),
        "no kind"
    );
    assert!(
        split_manifests("apiVersion: v1\nkind: A\nmetadata: {}\n").is_err(),
        "no name"
    );
    assert!(split_manifests("- a\n").is_err(), "a list");
    assert!(split_manifests("---x\n").is_err(), "bad separator");
    assert!(split_manifests("a: [\n").is_err(), "bad YAML");
}

// ---------------------------------------------------------------------------------------------
// kbundle under the simulator
// ---------------------------------------------------------------------------------------------

/// The Applications of the GitOps example.
fn example_applications(gitops: &Path) -> Vec<Application> {
    let dir = gitops.join("argocd");
    assert!(
        dir.is_dir(),
        "{} is missing: the GitOps example (base/, overlays/, argocd/ Applications) is part of \
         the repository",
        dir.display()
    );
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("read argocd/")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .collect();
    files.sort();
    let mut apps = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).expect("read");
        let origin = f.strip_prefix(gitops).unwrap_or(&f).display().to_string();
        for chunk in split_yaml_stream(&text).expect("split") {
            if chunk
                .lines()
                .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
            {
                continue;
            }
            let v = parse_yaml_document(&chunk).unwrap_or_else(|e| panic!("{origin}: {e}"));
            if v["kind"] == "Application" {
                apps.push(Application::from_value(&v, &origin));
            }
        }
    }
    assert!(!apps.is_empty(), "{} holds no Application", dir.display());
    apps
}

/// The GitOps example as Argo CD sees it (repoURL's repository root = `examples/gitops`).
fn gitops_repo() -> (PathBuf, Repo) {
    let src = common::root().join("examples/gitops");
    assert!(
        src.is_dir(),
        "{} is missing: the GitOps example is part of the repository",
        src.display()
    );
    let repo = Repo::copy_of(&src);
    (src, repo)
}

/// What each overlay of the GitOps example must deploy: its Environment (and cluster), the
/// partitions of `orders.created.v1` (prod patches it to 24), whether dev's patch stopped the
/// sink connector.
const OVERLAYS: [(&str, &str, i64, bool); 3] = [
    ("dev", "kafka-dev", 6, true),
    ("staging", "kafka-staging", 6, false),
    ("prod", "kafka-prod", 24, false),
];

/// The schema files of the example, by the subject they are registered under.
const EXAMPLE_SUBJECTS: [(&str, &str); 3] = [
    (
        "orders.created.v1-key",
        "base/orders/schemas/order-key.avsc",
    ),
    (
        "orders.created.v1-value",
        "base/orders/schemas/order-created.avsc",
    ),
    (
        "payments.settled.v1-value",
        "base/payments/schemas/payment-settled.avsc",
    ),
];

fn annotation<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.pointer("/metadata/annotations")?.get(key)?.as_str()
}

fn container_env<'a>(job: &'a Value, var: &str) -> Option<&'a str> {
    job.pointer("/spec/template/spec/containers")?
        .as_array()?
        .iter()
        .flat_map(|c| c["env"].as_array().into_iter().flatten())
        .find(|e| e["name"] == var)?
        .get("value")?
        .as_str()
}

/// The overlay-specific content of one example Application's manifests.
fn assert_gitops_overlay(objs: &[Value], overlay: &str, src: &Path, what: &str) {
    let (_, cluster, created_partitions, stopped) = OVERLAYS
        .iter()
        .find(|o| o.0 == overlay)
        .unwrap_or_else(|| panic!("{what}: no expectations for overlay {overlay:?}"));
    let find = |k: &str, n: &str| {
        objs.iter()
            .find(|o| kind(o) == k && name(o) == n)
            .unwrap_or_else(|| panic!("{what}: no {k} {n} in {:?}", ids(objs)))
    };
    let of_kind = |k: &str| -> Vec<&Value> { objs.iter().filter(|o| kind(o) == k).collect() };
    let topics: BTreeMap<&str, i64> = of_kind("KafkaTopic")
        .iter()
        .map(|t| {
            (
                t["spec"]["topicName"].as_str().unwrap_or(name(t)),
                t["spec"]["partitions"].as_i64().unwrap_or(-1),
            )
        })
        .collect();
    assert_eq!(
        topics.keys().copied().collect::<Vec<_>>(),
        [
            "orders.audit.v1",
            "orders.created.v1",
            "payments.settled.v1"
        ],
        "{what}"
    );
    assert_eq!(topics["orders.created.v1"], *created_partitions, "{what}");
    let users: BTreeSet<&str> = of_kind("KafkaUser").iter().map(|u| name(u)).collect();
    assert_eq!(
        users,
        BTreeSet::from(["orders-service", "payments-service"]),
        "{what}"
    );
    for o in of_kind("KafkaTopic").iter().chain(&of_kind("KafkaUser")) {
        assert_eq!(
            label(o, "strimzi.io/cluster"),
            Some(*cluster),
            "{what}: {o}"
        );
    }
    let connector = find("KafkaConnector", "orders-to-warehouse");
    assert_eq!(
        connector["spec"]["state"] == "stopped",
        *stopped,
        "{what}: connector state {}",
        connector["spec"]["state"]
    );
    // Schema registration: one PreSync Job per subject, mounting a ConfigMap that holds the
    // schema file as the repository has it (found through kustomize, inside the copy).
    let mut subjects = BTreeMap::new();
    for job in of_kind("Job") {
        let hook = annotation(job, "argocd.argoproj.io/hook");
        assert!(
            hook.is_some(),
            "{what}: Job {} is not an Argo CD hook",
            name(job)
        );
        let Some(subject) = container_env(job, "SUBJECT") else {
            continue;
        };
        assert_eq!(hook, Some("PreSync"), "{what}: {}", name(job));
        let cm_name = job
            .pointer("/spec/template/spec/volumes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find_map(|v| v.pointer("/configMap/name").and_then(Value::as_str))
            .unwrap_or_else(|| panic!("{what}: Job {} mounts no ConfigMap", name(job)));
        let schema = find("ConfigMap", cm_name)["data"]["schema.avsc"]
            .as_str()
            .unwrap_or_else(|| panic!("{what}: ConfigMap {cm_name} holds no schema.avsc"));
        subjects.insert(subject.to_string(), schema.to_string());
    }
    let expected: BTreeMap<String, String> = EXAMPLE_SUBJECTS
        .iter()
        .map(|(subject, file)| {
            let text = std::fs::read_to_string(src.join(file)).expect("schema file");
            (subject.to_string(), text)
        })
        .collect();
    assert_eq!(subjects, expected, "{what}: schema subjects and contents");
    let hooks = |phase: &str| {
        of_kind("Job")
            .iter()
            .filter(|j| annotation(j, "argocd.argoproj.io/hook") == Some(phase))
            .count()
    };
    assert_eq!(
        hooks("PreSync"),
        EXAMPLE_SUBJECTS.len(),
        "{what}: one schema Job per subject"
    );
    assert_eq!(hooks("Sync"), 1, "{what}: one ksql migration Job");
    assert!(hooks("PostSync") >= 1, "{what}: no smoke-test Job");
    for k in ["PrometheusRule", "AlertmanagerConfig"] {
        let owners: BTreeSet<&str> = of_kind(k)
            .iter()
            .filter_map(|o| label(o, "app.kubernetes.io/part-of"))
            .collect();
        assert_eq!(
            owners,
            BTreeSet::from(["orders", "payments"]),
            "{what}: {k}"
        );
    }
    for o in objs {
        assert_eq!(
            o["metadata"]["namespace"],
            "kafka",
            "{what}: {} {}",
            kind(o),
            name(o)
        );
    }
}

/// Every Application of the GitOps example (one per overlay): the plugin is selected, announces
/// the overlay's Environment and bundles, and generates Kubernetes objects — the same bytes
/// twice — that hold what the overlay deploys, with every Strimzi object valid against the
/// vendored CRDs.
#[test]
fn gitops_example_applications_generate_valid_manifests() {
    let (src, repo) = gitops_repo();
    let apps = example_applications(&src);
    let paths: BTreeSet<String> = apps
        .iter()
        .map(|a| clean_elements(&a.path).join("/"))
        .collect();
    let overlays: BTreeSet<String> = OVERLAYS
        .iter()
        .map(|o| format!("overlays/{}", o.0))
        .collect();
    assert_eq!(paths, overlays, "one Application per overlay");
    let sidecar = Sidecar::kbundle();
    let mut report = Vec::new();
    for app in &apps {
        let what = format!("{} ({})", app.origin, app.name);
        assert!(
            app.plugin_name.is_empty() || app.plugin_name == "kbundle-v1",
            "{what}: plugin.name {:?}",
            app.plugin_name
        );
        let overlay = clean_elements(&app.path)
            .last()
            .cloned()
            .unwrap_or_default();
        sidecar
            .select(&repo, app)
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        let params = sidecar
            .parameters(&repo, app)
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        let detected = |n: &str| {
            params
                .iter()
                .find(|a| a.name == n)
                .and_then(|a| a.array.clone())
                .unwrap_or_else(|| panic!("{what}: no {n} announcement in {params:?}"))
        };
        assert_eq!(
            detected("detected-environments"),
            std::slice::from_ref(&overlay),
            "{what}"
        );
        assert_eq!(
            detected("detected-bundles"),
            ["orders", "payments"],
            "{what}"
        );
        let g = sidecar.generate(&repo, app);
        let objs = g.ok(&what);
        let run = g.run.as_ref().expect("run");
        assert!(
            !objs.iter().any(|o| o["apiVersion"]
                .as_str()
                .is_some_and(|a| a.starts_with("kbundle.dev/"))),
            "{what}: kbundle inputs leaked into the manifests"
        );
        assert_eq!(
            by_bundle(objs).keys().collect::<Vec<_>>(),
            ["orders", "payments"],
            "{what}: every object belongs to a bundle"
        );
        assert_eq!(
            by_bundle(objs).values().map(Vec::len).sum::<usize>(),
            objs.len(),
            "{what}"
        );
        assert_gitops_overlay(objs, &overlay, &src, &what);
        let valid = assert_strimzi_valid(objs, &what);
        let again = sidecar.generate(&repo, app);
        assert_eq!(
            again.run.as_ref().expect("run").stdout,
            run.stdout,
            "{what}: a second generate printed different bytes"
        );
        report.push(format!(
            "{what}: {} objects {:?}, {valid} checked against the CRDs",
            objs.len(),
            count_kinds(objs)
        ));
    }
    eprintln!("{}", report.join("\n"));
}

/// A plain app directory (AppBundles and an Environment, no kustomization) is discovered;
/// a directory with only unrelated YAML is not, and discover prints nothing and exits 0.
#[test]
fn discovery_matches_kbundle_apps_only() {
    let repo = plain_repo();
    repo.write("apps/web/deployment.yaml", UNRELATED)
        .write("apps/web/notes.txt", "kbundle.dev/v1alpha1 AppBundle\n")
        .write("apps/empty/.keep", "");
    let sidecar = Sidecar::kbundle();
    let app = Application::kbundle("kafka", "apps/kafka");
    assert_eq!(
        sidecar.discover(&repo.app_path("apps/kafka"), &app.env_entries()),
        Ok(Discovery::Matched)
    );
    sidecar.select(&repo, &app).expect("plain app");
    let objs = sidecar.generate(&repo, &app);
    let objs = objs.ok("plain app");
    assert_eq!(
        ids(objs),
        BTreeSet::from(
            [
                ("KafkaTopic", "orders.created.v1"),
                ("KafkaTopic", "orders.audit.v1"),
                ("KafkaTopic", "payments.settled.v1"),
                ("KafkaUser", "orders-service"),
                ("KafkaUser", "payments-service"),
            ]
            .map(|(k, n)| (k.to_string(), n.to_string()))
        )
    );
    assert!(
        objs.iter()
            .all(|o| o["metadata"]["namespace"] == "kafka-prod")
    );
    assert_strimzi_valid(objs, "plain app");

    for dir in ["apps/web", "apps/empty"] {
        let app = Application::kbundle("web", dir);
        let argv = &sidecar.plugin.spec.discover.find.command;
        let run = run_command(
            argv,
            &repo.app_path(dir),
            &sidecar.command_env(&app.env_entries()),
            ARGO_TIMEOUT,
            None,
        )
        .expect("discover");
        assert!(run.success(), "{dir}: {}", run.error());
        assert_eq!(run.stdout, "", "{dir}: discover printed something");
        assert_eq!(
            sidecar.discover(&repo.app_path(dir), &[]),
            Ok(Discovery::NotMatched)
        );
        let err = sidecar.select(&repo, &app).expect_err(dir);
        assert!(err.contains("does not support"), "{err}");
    }
}

fn announcement<'a>(list: &'a [Announcement], name: &str) -> &'a Announcement {
    list.iter()
        .find(|a| a.name == name)
        .unwrap_or_else(|| panic!("no announcement {name} in {list:#?}"))
}

/// The dynamic announcements list what the app holds, for a plain app and for a kustomize
/// overlay (bundles in a base, the Environment as a transformer); the static ones follow.
#[test]
fn parameters_announce_detected_environments_and_bundles() {
    let sidecar = Sidecar::kbundle();
    let repo = plain_repo();
    repo.write("apps/kafka/env/staging.yaml", STAGING);
    let list = sidecar
        .parameters(&repo, &Application::kbundle("kafka", "apps/kafka"))
        .expect("parameters");
    let names: Vec<&str> = list.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "detected-environments",
            "detected-bundles",
            "environment",
            "bundles"
        ],
        "dynamic first, then static"
    );
    let envs = announcement(&list, "detected-environments");
    assert_eq!(envs.collection_type, "array");
    assert_eq!(
        envs.array.as_deref(),
        Some(&["prod".to_string(), "staging".to_string()][..])
    );
    let bundles = announcement(&list, "detected-bundles");
    assert_eq!(bundles.collection_type, "array");
    assert_eq!(
        bundles.array.as_deref(),
        Some(&["orders".to_string(), "payments".to_string()][..])
    );
    for a in &list[..2] {
        assert!(!a.title.is_empty() && !a.tooltip.is_empty(), "{a:?}");
    }

    let overlay = Repo::empty();
    overlay
        .write(
            "base/kustomization.yaml",
            "resources:\n- orders.yaml\n- payments.yaml\n",
        )
        .write("base/orders.yaml", ORDERS)
        .write("base/payments.yaml", PAYMENTS)
        .write("overlays/prod/env.yaml", PROD)
        .write(
            "overlays/prod/kustomization.yaml",
            "resources:\n- ../../base\ntransformers:\n- env.yaml\n",
        );
    let app = Application::kbundle("prod", "overlays/prod");
    sidecar.select(&overlay, &app).expect("overlay discovered");
    let list = sidecar.parameters(&overlay, &app).expect("parameters");
    assert_eq!(
        announcement(&list, "detected-environments")
            .array
            .as_deref(),
        Some(&["prod".to_string()][..])
    );
    assert_eq!(
        announcement(&list, "detected-bundles").array.as_deref(),
        Some(&["orders".to_string(), "payments".to_string()][..])
    );
    let objs = sidecar.generate(&overlay, &app);
    let objs = objs.ok("overlay");
    assert_eq!(
        by_bundle(objs).keys().collect::<Vec<_>>(),
        ["orders", "payments"]
    );
    assert!(
        objs.iter()
            .all(|o| o["metadata"]["namespace"] == "kafka-prod"),
        "{objs:?}"
    );
}

/// An Application with a plugin block and no parameters gets `ARGOCD_APP_PARAMETERS=null`
/// from Argo CD: that is "no parameters", not an error.
#[test]
fn argo_null_parameters_mean_none() {
    let sidecar = Sidecar::kbundle();
    let repo = plain_repo();
    let app = Application::kbundle("kafka", "apps/kafka");
    assert!(
        app.env_entries()
            .contains(&("ARGOCD_APP_PARAMETERS".into(), "null".into()))
    );
    let g = sidecar.generate(&repo, &app);
    g.ok("ARGOCD_APP_PARAMETERS=null");
    // `[]` (what a client that is not Go may send) is no parameters either.
    let mut entries = app.env_entries();
    entries.retain(|(k, _)| k != "ARGOCD_APP_PARAMETERS");
    entries.push(("ARGOCD_APP_PARAMETERS".into(), "[]".into()));
    let run = run_command(
        &sidecar.plugin.spec.generate.argv(),
        &repo.app_path("apps/kafka"),
        &sidecar.command_env(&entries),
        ARGO_TIMEOUT,
        None,
    )
    .expect("run");
    assert!(run.success(), "{}", run.error());
}

/// `environment` chooses among the app's Environments; `ARGOCD_ENV_KBUNDLE_ENVIRONMENT` (the
/// Application's plugin.env) is the fallback; without either, two Environments fail.
#[test]
fn environment_parameter_selects_the_environment() {
    let sidecar = Sidecar::kbundle();
    let repo = plain_repo();
    repo.write("apps/kafka/env/staging.yaml", STAGING);
    let app = Application::kbundle("kafka", "apps/kafka");
    let namespaces = |objs: &[Value]| -> BTreeSet<String> {
        objs.iter()
            .map(|o| {
                o["metadata"]["namespace"]
                    .as_str()
                    .unwrap_or("")
                    .to_string()
            })
            .collect()
    };
    let clusters = |objs: &[Value]| -> BTreeSet<String> {
        objs.iter()
            .filter_map(|o| label(o, "strimzi.io/cluster").map(str::to_string))
            .collect()
    };

    let g = sidecar.generate(&repo, &app);
    let (run, _) = g.err("two Environments, no choice");
    assert!(run.stdout.is_empty());

    for (env, ns, cluster) in [
        ("staging", "kafka-staging", "staging-cluster"),
        ("prod", "kafka-prod", "prod-cluster"),
    ] {
        let a = app
            .clone()
            .with_parameters(json!([{"name": "environment", "string": env}]));
        let g = sidecar.generate(&repo, &a);
        let objs = g.ok(env);
        assert_eq!(namespaces(objs), BTreeSet::from([ns.to_string()]), "{env}");
        assert_eq!(
            clusters(objs),
            BTreeSet::from([cluster.to_string()]),
            "{env}"
        );
    }
    // The staging defaults give one partition, prod's three.
    let staging = sidecar.generate(
        &repo,
        &app.clone()
            .with_parameters(json!([{"name": "environment", "string": "staging"}])),
    );
    let audit = staging
        .ok("staging")
        .iter()
        .find(|o| kind(o) == "KafkaTopic" && o["spec"]["topicName"] == "orders.audit.v1")
        .expect("orders.audit.v1");
    assert_eq!(audit["spec"]["partitions"], 1);

    let by_env = app.clone().with_env("KBUNDLE_ENVIRONMENT", "staging");
    let g = sidecar.generate(&repo, &by_env);
    assert_eq!(
        namespaces(g.ok("plugin.env")),
        BTreeSet::from(["kafka-staging".to_string()])
    );
    let both = by_env.with_parameters(json!([{"name": "environment", "string": "prod"}]));
    let g = sidecar.generate(&repo, &both);
    assert_eq!(
        namespaces(g.ok("parameter over plugin.env")),
        BTreeSet::from(["kafka-prod".to_string()]),
        "the parameter wins over ARGOCD_ENV_KBUNDLE_ENVIRONMENT"
    );

    let typo = app.with_parameters(json!([{"name": "environment", "string": "stagin"}]));
    let g = sidecar.generate(&repo, &typo);
    let (run, _) = g.err("unknown Environment");
    assert!(run.stdout.is_empty());
    assert!(run.stderr.contains("stagin"), "{}", run.stderr);
}

/// `bundles` restricts the output to those bundles' objects; a bundle the app lacks is KB122.
#[test]
fn bundles_parameter_restricts_the_output() {
    let sidecar = Sidecar::kbundle();
    let repo = plain_repo();
    let app = Application::kbundle("kafka", "apps/kafka");
    let all = sidecar.generate(&repo, &app);
    let all = all.ok("all bundles");
    assert_eq!(
        by_bundle(all).keys().collect::<Vec<_>>(),
        ["orders", "payments"]
    );

    let only = app
        .clone()
        .with_parameters(json!([{"name": "bundles", "array": ["payments"]}]));
    let g = sidecar.generate(&repo, &only);
    let objs = g.ok("bundles=[payments]");
    assert!(!objs.is_empty());
    for o in objs {
        assert_eq!(
            label(o, "app.kubernetes.io/part-of"),
            Some("payments"),
            "{o}"
        );
    }
    assert!(ids(objs).contains(&("KafkaTopic".to_string(), "payments.settled.v1".to_string())));
    let expected: BTreeSet<_> = by_bundle(all)["payments"]
        .iter()
        .map(|o| (kind(o).to_string(), name(o).to_string()))
        .collect();
    assert_eq!(
        ids(objs),
        expected,
        "exactly the payments objects of the full output"
    );

    let both = app
        .clone()
        .with_parameters(json!([{"name": "bundles", "array": ["payments", "orders"]}]));
    assert_eq!(ids(sidecar.generate(&repo, &both).ok("both")), ids(all));

    let missing = app.with_parameters(json!([{"name": "bundles", "array": ["paymnets"]}]));
    assert_refused(
        &sidecar.generate(&repo, &missing),
        "KB122",
        "bundles=[paymnets]",
    );
}

/// Parameters kbundle cannot use fail generation with KB121 and print nothing.
#[test]
fn bad_parameters_fail_with_kb121() {
    let sidecar = Sidecar::kbundle();
    let repo = plain_repo();
    let app = Application::kbundle("kafka", "apps/kafka");
    for (what, params) in [
        (
            "unknown name",
            json!([{"name": "enviroment", "string": "prod"}]),
        ),
        (
            "environment as an array",
            json!([{"name": "environment", "array": ["prod"]}]),
        ),
        (
            "bundles as a string",
            json!([{"name": "bundles", "string": "orders"}]),
        ),
        (
            "read-only announcement",
            json!([{"name": "detected-bundles", "array": ["orders"]}]),
        ),
    ] {
        let a = app.clone().with_parameters(params);
        assert_refused(&sidecar.generate(&repo, &a), "KB121", what);
    }
    // Malformed JSON cannot come from Argo CD itself, but the variable is plain text.
    for text in [
        "[{\"name\": \"environment\", ",
        "{\"name\": \"environment\"}",
        "42",
    ] {
        let mut entries = app.env_entries();
        entries.retain(|(k, _)| k != "ARGOCD_APP_PARAMETERS");
        entries.push(("ARGOCD_APP_PARAMETERS".into(), text.into()));
        let run = run_command(
            &sidecar.plugin.spec.generate.argv(),
            &repo.app_path("apps/kafka"),
            &sidecar.command_env(&entries),
            ARGO_TIMEOUT,
            None,
        )
        .expect("run");
        assert!(!run.success(), "{text}");
        assert!(
            codes(&run.stderr).contains("KB121"),
            "{text}: {}",
            run.stderr
        );
        assert!(run.stdout.is_empty(), "{text}");
    }
}

/// A bundle kbundle refuses (policy violation, malformed YAML) fails generation: non-zero, the
/// KB code on stderr, nothing on stdout — also through a kustomization.
#[test]
fn bad_bundles_fail_with_nothing_on_stdout() {
    let sidecar = Sidecar::kbundle();
    let app = Application::kbundle("kafka", "apps/kafka");

    let over = plain_repo();
    over.write(
        "apps/kafka/payments.yaml",
        &PAYMENTS.replace("partitions: 12", "partitions: 500"),
    );
    assert_refused(
        &sidecar.generate(&over, &app),
        "KB023",
        "over maxPartitions",
    );

    let broken = plain_repo();
    broken.write(
        "apps/kafka/payments.yaml",
        &PAYMENTS.replace("  topics:\n", "  topics: [\n"),
    );
    let g = sidecar.generate(&broken, &app);
    let (run, _) = g.err("malformed YAML");
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(
        codes(&run.stderr).contains("KB001"),
        "no KB001: {}",
        run.stderr
    );
    assert!(
        run.stderr.contains("payments.yaml"),
        "the file is not named: {}",
        run.stderr
    );

    let kustomized = Repo::empty();
    kustomized
        .write(
            "overlays/prod/kustomization.yaml",
            "resources:\n- payments.yaml\ntransformers:\n- env.yaml\n",
        )
        .write(
            "overlays/prod/payments.yaml",
            &PAYMENTS.replace("partitions: 12", "partitions: 500"),
        )
        .write("overlays/prod/env.yaml", PROD);
    let app = Application::kbundle("prod", "overlays/prod");
    sidecar.select(&kustomized, &app).expect("discovered");
    assert_refused(
        &sidecar.generate(&kustomized, &app),
        "KB023",
        "kustomize overlay over maxPartitions",
    );
}

/// Nothing to deploy is refused (KB120), never printed as an empty manifest set.
#[test]
fn empty_app_is_refused_with_kb120() {
    let sidecar = Sidecar::kbundle();
    let repo = Repo::empty();
    repo.write("only-env/prod.yaml", PROD)
        .write("nothing/.keep", "")
        .write("unrelated/cm.yaml", "# just a comment\n");
    for dir in ["only-env", "nothing", "unrelated"] {
        let app = Application::kbundle("empty", dir);
        let d = sidecar.discover(&repo.app_path(dir), &app.env_entries());
        // An Environment alone is a kbundle app (discovery matches) with nothing to deploy.
        let wanted = if dir == "only-env" {
            Discovery::Matched
        } else {
            Discovery::NotMatched
        };
        assert_eq!(d, Ok(wanted), "{dir}");
        // Generated anyway (a named plugin whose discovery is bypassed, or a manual run).
        assert_refused(&sidecar.generate(&repo, &app), "KB120", dir);
    }
}

/// Generating twice gives the same bytes (no timestamps, no map-order noise), for a plain app
/// and for a kustomize overlay.
#[test]
fn generate_is_deterministic() {
    let sidecar = Sidecar::kbundle();
    let repo = plain_repo();
    repo.write(
        "apps/base/kustomization.yaml",
        "resources:\n- orders.yaml\n- payments.yaml\n",
    )
    .write("apps/base/orders.yaml", ORDERS)
    .write("apps/base/payments.yaml", PAYMENTS)
    .write(
        "apps/overlay/kustomization.yaml",
        "resources:\n- ../base\ntransformers:\n- env.yaml\n",
    )
    .write("apps/overlay/env.yaml", STAGING);
    for path in ["apps/kafka", "apps/overlay"] {
        let app = Application::kbundle("kafka", path);
        let first = sidecar.generate(&repo, &app);
        first.ok(path);
        let second = sidecar.generate(&repo, &app);
        second.ok(path);
        assert_eq!(
            first.run.as_ref().expect("run").stdout,
            second.run.as_ref().expect("run").stdout,
            "{path}"
        );
    }
}

/// However the Application spells its path (`./x`, `x/`), files a bundle names are found
/// relative to the repository root of the sidecar's copy — and not outside it.
#[test]
fn source_path_spellings_keep_the_repository_root() {
    let sidecar = Sidecar::kbundle();
    let repo = Repo::empty();
    let schema = r#"{"type": "record", "name": "Created", "namespace": "com.example.orders", "fields": [{"name": "id", "type": "string"}]}
"#;
    repo.write(
        "base/kustomization.yaml",
        "resources:\n- orders.yaml\nbuildMetadata: [originAnnotations]\n",
    )
        .write(
            "base/orders.yaml",
            "apiVersion: kbundle.dev/v1alpha1
kind: AppBundle
metadata:
  name: orders
spec:
  owner: team-orders
  topics:
    - name: orders.created.v1
      valueSchema: created
  schemas:
    - name: created
      file: schemas/created.avsc
",
        )
        .write("base/schemas/created.avsc", schema)
        .write(
            "overlays/prod/env.yaml",
            &format!(
                "{PROD}  schemaRegistry:\n    url: http://schema-registry.kafka:8081\n  hooks:\n    image: curlimages/curl:8.11.0\n"
            ),
        )
        .write(
            "overlays/prod/kustomization.yaml",
            "resources:\n- ../../base\ntransformers:\n- env.yaml\nbuildMetadata: [originAnnotations]\n",
        );
    for path in [
        "overlays/prod",
        "./overlays/prod",
        "overlays/prod/",
        "overlays//prod",
    ] {
        let app = Application::kbundle("prod", path);
        let g = sidecar.generate(&repo, &app);
        let objs = g.ok(path);
        let cm = objs
            .iter()
            .find(|o| kind(o) == "ConfigMap" && o.pointer("/data/schema.avsc").is_some())
            .unwrap_or_else(|| panic!("{path}: no schema ConfigMap in {objs:?}"));
        assert_eq!(cm["data"]["schema.avsc"], schema, "{path}");
        assert!(
            objs.iter().any(|o| kind(o) == "Job"),
            "{path}: no schema Job"
        );
    }
    // A schema outside the repository is refused even though it exists on disk.
    let outside = repo.root.parent().expect("parent").join("outside.avsc");
    std::fs::write(&outside, schema).expect("write");
    repo.write(
        "base/orders.yaml",
        &std::fs::read_to_string(repo.root.join("base/orders.yaml"))
            .expect("read")
            .replace("file: schemas/created.avsc", "file: ../../outside.avsc"),
    );
    let g = sidecar.generate(&repo, &Application::kbundle("prod", "overlays/prod"));
    let (run, _) = g.err("schema outside the repository");
    assert!(run.stdout.is_empty());
    assert!(codes(&run.stderr).contains("KB054"), "{}", run.stderr);
}

// ---------------------------------------------------------------------------------------------
// SIGTERM
// ---------------------------------------------------------------------------------------------

fn alive(pid: u32) -> bool {
    // A zombie has exited: only its parent has not collected it yet.
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => {
            let state = stat.rsplit_once(") ").map(|(_, r)| r.chars().next());
            state != Some(Some('Z')) && state != Some(Some('X'))
        }
        Err(_) => false,
    }
}

#[track_caller]
fn assert_gone(pid: u32, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(2);
    while alive(pid) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    if alive(pid) {
        signal_pid(pid, "KILL");
        panic!("{what}: process {pid} is still running");
    }
}

/// A kustomize that never finishes: it records its pid (and its child's) and sleeps.
fn slow_kustomize(sidecar: &Sidecar, pids: &Path) -> PathBuf {
    sidecar.install_tool(
        "kustomize",
        &format!(
            "#!/bin/sh\nsleep 60 &\necho $$ $! > '{0}.tmp'\nmv '{0}.tmp' '{0}'\nwait\n",
            pids.display()
        ),
    )
}

fn read_pids(p: &Path) -> Option<Vec<u32>> {
    let text = std::fs::read_to_string(p).ok()?;
    Some(
        text.split_whitespace()
            .filter_map(|s| s.parse().ok())
            .collect(),
    )
}

fn kustomize_app() -> Repo {
    let repo = Repo::empty();
    repo.write(
        "app/kustomization.yaml",
        "resources:\n- orders.yaml\ntransformers:\n- env.yaml\n",
    )
    .write("app/orders.yaml", ORDERS)
    .write("app/env.yaml", PROD);
    repo
}

/// SIGTERM to kbundle alone while its kustomize runs: kbundle exits at once (143, KB126),
/// prints nothing on stdout, and takes its kustomize down with it.
#[test]
fn sigterm_stops_kbundle_and_its_kustomize() {
    let mut sidecar = Sidecar::kbundle();
    let pids = sidecar.tmpdir.join("kustomize.pids");
    let tool = slow_kustomize(&sidecar, &pids);
    sidecar
        .extra
        .push(("KBUNDLE_KUSTOMIZE".into(), tool.display().to_string()));
    let repo = kustomize_app();
    let app = Application::kbundle("slow", "app");
    let mut sent = None::<Instant>;
    let mut kustomize_pid = None;
    let mut poll = |pid: u32| {
        if sent.is_none()
            && let Some(p) = read_pids(&pids)
        {
            kustomize_pid = p.first().copied();
            signal_pid(pid, "TERM");
            sent = Some(Instant::now());
        }
    };
    let started = Instant::now();
    let g = sidecar.generate_with(&repo, &app, Some(&mut poll));
    let run = g.run.as_ref().expect("run");
    let sent = sent.unwrap_or_else(|| {
        panic!(
            "kustomize never started ({:?}): {}",
            started.elapsed(),
            run.stderr
        )
    });
    let took = sent.elapsed();
    let kpid = kustomize_pid.expect("pid");
    assert!(!run.timed_out, "the simulator's timeout fired");
    assert!(
        took < Duration::from_secs(5),
        "kbundle took {took:?} after SIGTERM"
    );
    assert_eq!(run.code(), Some(143), "{}", run.error());
    assert!(codes(&run.stderr).contains("KB126"), "{}", run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(g.manifests.is_err());
    assert_gone(kpid, "kustomize after kbundle's SIGTERM");
    // The grandchild (sleep) is kustomize's business; Argo CD's group signal reaches it. Here
    // it is only cleaned up.
    if let Some(p) = read_pids(&pids) {
        for pid in p {
            signal_pid(pid, "KILL");
        }
    }
}

/// What Argo CD really does on its timeout: SIGTERM to the plugin's whole process group. kbundle
/// fails without output well before the SIGKILL that follows 5 s later, and nothing survives.
#[test]
fn argo_timeout_terminates_the_process_group() {
    let mut sidecar = Sidecar::kbundle();
    let pids = sidecar.tmpdir.join("kustomize.pids");
    let tool = slow_kustomize(&sidecar, &pids);
    sidecar
        .extra
        .push(("KBUNDLE_KUSTOMIZE".into(), tool.display().to_string()));
    let repo = kustomize_app();
    let app = Application::kbundle("slow", "app");
    let mut ready = false;
    let mut poll = |_pid: u32| {
        ready = ready || pids.exists();
    };
    sidecar.timeout = Duration::from_secs(5);
    let g = sidecar.generate_with(&repo, &app, Some(&mut poll));
    let run = g.run.as_ref().expect("run");
    assert!(ready, "kustomize never started: {}", run.stderr);
    assert!(run.timed_out, "{run:?}");
    assert!(
        run.elapsed < Duration::from_secs(5 + 4),
        "kbundle needed the SIGKILL: {:?}",
        run.elapsed
    );
    assert!(!run.success());
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    let found = codes(&run.stderr);
    assert!(
        found.contains("KB126") || found.contains("KB124"),
        "neither KB126 nor KB124: {}",
        run.stderr
    );
    for pid in read_pids(&pids).expect("pids") {
        assert_gone(pid, "kustomize's process after the group SIGTERM");
    }
    eprintln!("group SIGTERM: exit {:?}, codes {found:?}", run.code());
}

/// A destination cluster whose Strimzi serves only v1beta2: generate still succeeds (the CRDs
/// may come in the same sync) but warns with KB127 and names the Environment setting to change.
#[test]
fn unserved_api_versions_are_warned_about() {
    let sidecar = Sidecar::kbundle();
    let repo = plain_repo();
    let app = Application::kbundle("kafka", "apps/kafka")
        .with_kube_api_versions("v1,batch/v1,kafka.strimzi.io/v1beta2,monitoring.coreos.com/v1");
    let g = sidecar.generate(&repo, &app);
    let objs = g.ok("a cluster with Strimzi v1beta2 only");
    assert!(objs.iter().any(|o| kind(o) == "KafkaTopic"));
    let run = g.run.as_ref().expect("generate ran");
    assert!(
        run.stderr.contains("warning[KB127]")
            && run
                .stderr
                .contains("does not serve kafka.strimzi.io/v1 (KafkaTopic, KafkaUser)")
            && run
                .stderr
                .contains("spec.strimzi.apiVersion: kafka.strimzi.io/v1beta2"),
        "{}",
        run.stderr
    );
    // The default simulated cluster serves everything: no warning.
    let g = sidecar.generate(&repo, &Application::kbundle("kafka", "apps/kafka"));
    g.ok("a cluster serving every API");
    assert!(!g.run.as_ref().unwrap().stderr.contains("KB127"));
}

/// On an overlay whose Environment is a transformer, the `environment` parameter can only
/// confirm that Environment: the deferred transformer (last in the list) makes another name
/// KB011; a transformer that cannot be deferred (another one runs after it) makes it KB125.
#[test]
fn environment_parameter_on_an_overlay_confirms_its_environment() {
    let (_, repo) = gitops_repo();
    let sidecar = Sidecar::kbundle();
    let app = Application::kbundle("kafka-prod", "overlays/prod");
    let with_env = |name: &str| {
        app.clone()
            .with_parameters(json!([{"name": "environment", "string": name}]))
    };
    let prod = sidecar.generate(&repo, &with_env("prod"));
    let objs = prod.ok("environment=prod on overlays/prod");
    assert!(objs.iter().any(|o| kind(o) == "KafkaTopic"));
    assert_refused(
        &sidecar.generate(&repo, &with_env("dev")),
        "KB011",
        "environment=dev on overlays/prod (deferred transformer)",
    );

    // A LabelTransformer after the Environment: kustomize renders through the plugin.
    repo.write(
        "overlays/prod/labels.yaml",
        "apiVersion: builtin\nkind: LabelTransformer\nmetadata:\n  name: team\nlabels:\n  \
         team: platform\nfieldSpecs:\n- path: metadata/labels\n  create: true\n",
    );
    let k = repo.app_path("overlays/prod").join("kustomization.yaml");
    let text = std::fs::read_to_string(&k).unwrap();
    let text = text.replace(
        "  - environment.yaml\n",
        "  - environment.yaml\n  - labels.yaml\n",
    );
    assert!(text.contains("- labels.yaml"), "{text}");
    std::fs::write(&k, text).unwrap();
    let prod = sidecar.generate(&repo, &with_env("prod"));
    let objs = prod.ok("environment=prod, transformer not last");
    assert!(
        objs.iter()
            .filter(|o| kind(o) == "KafkaTopic")
            .all(|o| label(o, "team") == Some("platform")),
        "the later transformer reached the generated objects"
    );
    assert_refused(
        &sidecar.generate(&repo, &with_env("dev")),
        "KB125",
        "environment=dev on overlays/prod (transformer not deferred)",
    );
}
