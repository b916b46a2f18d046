use super::*;

// ---------------------------------------------------------------------------------------------
// The Application (spec.source with a plugin) and the env Argo CD builds from it
// ---------------------------------------------------------------------------------------------

/// The fake commit every app is "at".
pub const REVISION: &str = "5d1f0c2a9b8e7d6c5b4a39281706f5e4d3c2b1a0";
pub const KUBE_VERSION: &str = "1.33.1";
pub const KUBE_API_VERSIONS: &str = "v1,apps/v1,batch/v1,apiextensions.k8s.io/v1,\
    kafka.strimzi.io/v1,kafka.strimzi.io/v1beta2,monitoring.coreos.com/v1,\
    monitoring.coreos.com/v1alpha1";

#[derive(Debug, Clone)]
pub struct Application {
    pub name: String,
    pub project: String,
    pub repo_url: String,
    pub path: String,
    pub target_revision: String,
    pub dest_namespace: String,
    /// `spec.source.plugin` is present (possibly empty).
    pub has_plugin: bool,
    pub plugin_name: String,
    /// `plugin.env` as written (values unexpanded).
    pub plugin_env: Vec<(String, String)>,
    /// `plugin.parameters` as written.
    pub parameters: Vec<Value>,
    /// Where it was read from (for messages).
    pub origin: String,
    /// What the destination cluster serves (`KUBE_API_VERSIONS`).
    pub kube_api_versions: String,
}

impl Application {
    pub fn from_value(v: &Value, origin: &str) -> Application {
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

    pub fn parse(text: &str, origin: &str) -> Application {
        let v = parse_yaml_document(text).unwrap_or_else(|e| panic!("{origin}: {e}"));
        Application::from_value(&v, origin)
    }

    /// An Application for the kbundle plugin (named, as the docs recommend) at `path`.
    pub fn kbundle(name: &str, path: &str) -> Application {
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

    pub fn with_parameters(mut self, params: Value) -> Application {
        self.parameters = params.as_array().expect("a list").clone();
        self
    }

    pub fn with_kube_api_versions(mut self, versions: &str) -> Application {
        self.kube_api_versions = versions.into();
        self
    }

    pub fn with_env(mut self, name: &str, value: &str) -> Application {
        self.plugin_env.push((name.into(), value.into()));
        self
    }

    /// `newEnv` + `KUBE_*` (the entries `Envsubst` knows).
    pub fn standard_env(&self) -> Vec<(String, String)> {
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
    pub fn env_entries(&self) -> Vec<(String, String)> {
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
pub fn go_expand(s: &str, vars: &BTreeMap<String, String>) -> String {
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
pub fn go_marshal_parameters(params: &[Value]) -> String {
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
pub fn param_env_name(name: &str) -> String {
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
pub fn param_env(params: &[Value]) -> Vec<(String, String)> {
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
