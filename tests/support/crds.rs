//! Validation against the real, vendored Strimzi CRDs, shared by the tests that check generated
//! objects (`contracts::crd`, `modes::argocd`), and the one OpenAPI -> JSON Schema converter
//! every CRD check uses (`contracts::prometheus` too).
//!
//! A CRD's `openAPIV3Schema` is converted to a JSON Schema (draft 2020-12) that is *stricter*
//! than the API server: an object that lists `properties` gets `additionalProperties: false`
//! unless it preserves unknown fields. The API server would silently prune a misspelled field
//! (or reject it under `kubectl apply --validate=strict`); here it fails the test. On top of the
//! schema, `metadata` is checked the way the API server checks it (DNS-1123 names, label
//! syntax), and the CRDs' CEL rules (`x-kubernetes-validations`) are evaluated by hand-written
//! equivalents: a CRD with a rule this file does not know fails loudly.

use regex::Regex;
use serde_json::{Map, Value, json};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

// ---------------------------------------------------------------------------------------------
// OpenAPI v3 (structural, Kubernetes flavour) -> JSON Schema draft 2020-12
// ---------------------------------------------------------------------------------------------

/// One step from a schema node to the instance nodes it describes.
#[derive(Debug, Clone)]
pub enum Seg {
    Key(String),
    Items,
    Values,
}

/// A CEL rule of `x-kubernetes-validations` and where it applies.
#[derive(Debug, Clone)]
pub struct CelRule {
    pub at: Vec<Seg>,
    pub rule: String,
    pub message: String,
}

/// Keywords copied unchanged: they mean the same in OpenAPI 3.0 and JSON Schema 2020-12.
const SAME: &[&str] = &[
    "required",
    "enum",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
    "multipleOf",
];

/// Keywords without effect on validity (annotations, defaulting, printing).
const IGNORED: &[&str] = &[
    "description",
    "title",
    "example",
    "externalDocs",
    "default",
    // Kubernetes checks only a few formats and never int32/int64/double; the Strimzi CRDs
    // use none that matter.
    "format",
    // Merge strategies; they do not make an object invalid.
    "x-kubernetes-list-map-keys",
    "x-kubernetes-map-type",
];

/// `metadata` of a generated object: only what a generator may set. The API server owns the
/// rest (uid, resourceVersion, managedFields, ...), so a generator emitting it is a bug.
pub fn object_meta_schema() -> Value {
    json!({
        "type": "object",
        "required": ["name"],
        "additionalProperties": false,
        "properties": {
            "name": {"type": "string", "minLength": 1},
            "namespace": {"type": "string", "minLength": 1},
            "labels": {"type": "object", "additionalProperties": {"type": "string"}},
            "annotations": {"type": "object", "additionalProperties": {"type": "string"}},
        }
    })
}

/// A CRD version's `openAPIV3Schema` as a strict JSON Schema (draft 2020-12, `$schema` set),
/// and the CEL rules (`x-kubernetes-validations`) found in it, for the caller to evaluate.
pub fn openapi_to_json_schema(openapi: &Value) -> (Value, Vec<CelRule>) {
    let mut rules = Vec::new();
    let mut schema = convert(openapi, &[], &mut rules);
    schema["$schema"] = json!("https://json-schema.org/draft/2020-12/schema");
    (schema, rules)
}

/// A schema path as text (`/spec/receivers/[]/sigv4`; `{}` for map values), for messages.
pub fn seg_path(at: &[Seg]) -> String {
    at.iter()
        .map(|s| match s {
            Seg::Key(k) => format!("/{k}"),
            Seg::Items => "/[]".into(),
            Seg::Values => "/{}".into(),
        })
        .collect()
}

fn convert(node: &Value, at: &[Seg], rules: &mut Vec<CelRule>) -> Value {
    let obj = node
        .as_object()
        .unwrap_or_else(|| panic!("schema node at {at:?} is not a mapping: {node}"));
    let flag = |k: &str| obj.get(k).and_then(Value::as_bool).unwrap_or(false);
    let preserve = flag("x-kubernetes-preserve-unknown-fields");
    let int_or_string = flag("x-kubernetes-int-or-string");
    let mut out = Map::new();
    for (k, v) in obj {
        let child = |seg: Seg| {
            let mut p = at.to_vec();
            p.push(seg);
            p
        };
        match k.as_str() {
            "type" if int_or_string => {}
            "type" => {
                let mut t = v.clone();
                if flag("nullable") {
                    t = json!([v, "null"]);
                }
                out.insert("type".into(), t);
            }
            // Folded into `type` and `enum` above; without a type, null is accepted anyway.
            "nullable" => {}
            "enum" if flag("nullable") => {
                let mut e = v.as_array().cloned().unwrap_or_default();
                e.push(Value::Null);
                out.insert("enum".into(), Value::Array(e));
            }
            "exclusiveMinimum" | "exclusiveMaximum" => {
                // OpenAPI 3.0: a boolean modifying minimum/maximum; 2020-12: the bound itself.
                let bound = if k == "exclusiveMinimum" {
                    "minimum"
                } else {
                    "maximum"
                };
                if v.as_bool() == Some(true) {
                    let limit = obj
                        .get(bound)
                        .cloned()
                        .unwrap_or_else(|| panic!("{k} without {bound} at {at:?}"));
                    out.insert(k.clone(), limit);
                }
            }
            "properties" => {
                let props = v
                    .as_object()
                    .unwrap_or_else(|| panic!("properties at {at:?} is not a mapping"))
                    .iter()
                    .map(|(name, s)| {
                        let converted = if at.is_empty() && name == "metadata" {
                            // The API server validates the root `metadata` as ObjectMeta,
                            // whatever the CRD says (it only says `type: object`).
                            object_meta_schema()
                        } else {
                            convert(s, &child(Seg::Key(name.clone())), rules)
                        };
                        (name.clone(), converted)
                    })
                    .collect();
                out.insert("properties".into(), Value::Object(props));
            }
            "items" => {
                out.insert("items".into(), convert(v, &child(Seg::Items), rules));
            }
            "additionalProperties" => {
                let converted = match v {
                    Value::Bool(b) => Value::Bool(*b),
                    s => convert(s, &child(Seg::Values), rules),
                };
                out.insert("additionalProperties".into(), converted);
            }
            "allOf" | "anyOf" | "oneOf" => {
                let branches = v
                    .as_array()
                    .unwrap_or_else(|| panic!("{k} at {at:?} is not a list"))
                    .iter()
                    .map(|b| convert(b, at, rules))
                    .collect();
                out.insert(k.clone(), Value::Array(branches));
            }
            "not" => {
                out.insert("not".into(), convert(v, at, rules));
            }
            "x-kubernetes-list-type" => {
                if v.as_str() == Some("set") {
                    out.insert("uniqueItems".into(), Value::Bool(true));
                }
            }
            "x-kubernetes-validations" => {
                for r in v.as_array().into_iter().flatten() {
                    rules.push(CelRule {
                        at: at.to_vec(),
                        rule: r["rule"].as_str().expect("CEL rule text").to_string(),
                        message: r
                            .get("message")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_string(),
                    });
                }
            }
            "x-kubernetes-preserve-unknown-fields"
            | "x-kubernetes-int-or-string"
            | "x-kubernetes-embedded-resource" => {}
            k if SAME.contains(&k) => {
                out.insert(k.to_string(), v.clone());
            }
            k if IGNORED.contains(&k) => {}
            other => panic!(
                "OpenAPI keyword {other:?} at {at:?} is not handled; teach tests/support/crds.rs \
                 what it means before trusting this validator"
            ),
        }
    }
    if int_or_string {
        out.insert(
            "anyOf".into(),
            json!([{"type": "integer"}, {"type": "string"}]),
        );
    }
    // Strictness: the API server prunes fields a structural schema does not list. For us an
    // unlisted field is a bug (a misspelling would silently disappear in the cluster).
    if !preserve && !out.contains_key("additionalProperties") {
        let is_object = obj.get("type").and_then(Value::as_str) == Some("object");
        if out.contains_key("properties") || is_object {
            out.insert("additionalProperties".into(), Value::Bool(false));
        }
    }
    Value::Object(out)
}

// ---------------------------------------------------------------------------------------------
// CRD registry
// ---------------------------------------------------------------------------------------------

pub struct CrdVersion {
    pub group: String,
    pub kind: String,
    pub version: String,
    pub validator: jsonschema::Validator,
    pub rules: Vec<CelRule>,
}

pub struct Crds {
    pub label: String,
    pub versions: Vec<CrdVersion>,
}

fn load_yaml(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut docs = kbundle::yaml::parse_stream(&text)
        .unwrap_or_else(|e| panic!("{}: {}", path.display(), e.message));
    assert_eq!(docs.len(), 1, "{}: expected one document", path.display());
    docs.remove(0).value
}

/// The converted JSON Schema of one served version of a CRD, and its CEL rules.
fn crd_version_schema(crd: &Value, version: &str) -> Option<(Value, Vec<CelRule>)> {
    let v = crd["spec"]["versions"]
        .as_array()?
        .iter()
        .find(|v| v["name"] == version && v["served"] == true)?;
    let openapi = &v["schema"]["openAPIV3Schema"];
    assert!(
        openapi.is_object(),
        "version {version} has no openAPIV3Schema"
    );
    Some(openapi_to_json_schema(openapi))
}

impl Crds {
    pub fn load(dir: &Path) -> Crds {
        Crds::load_files(
            dir,
            &[
                "043-Crd-kafkatopic.yaml",
                "044-Crd-kafkauser.yaml",
                "047-Crd-kafkaconnector.yaml",
            ],
        )
    }

    /// These CRD files of `dir` (the Flux Kustomization CRD, say).
    pub fn load_files(dir: &Path, files: &[&str]) -> Crds {
        let mut versions = Vec::new();
        for &file in files {
            let crd = load_yaml(&dir.join(file));
            assert_eq!(crd["kind"], "CustomResourceDefinition", "{file}");
            let group = crd["spec"]["group"].as_str().expect("group").to_string();
            let kind = crd["spec"]["names"]["kind"]
                .as_str()
                .expect("kind")
                .to_string();
            let names: Vec<String> = crd["spec"]["versions"]
                .as_array()
                .expect("versions")
                .iter()
                .filter_map(|v| v["name"].as_str().map(str::to_string))
                .collect();
            for version in names {
                let Some((schema, rules)) = crd_version_schema(&crd, &version) else {
                    continue;
                };
                jsonschema::draft202012::meta::validate(&schema).unwrap_or_else(|e| {
                    panic!("converted {kind} {version} is not a valid JSON Schema: {e}")
                });
                let validator = jsonschema::draft202012::new(&schema)
                    .unwrap_or_else(|e| panic!("converted {kind} {version}: {e}"));
                for r in &rules {
                    assert!(
                        KNOWN_CEL_RULES.contains(&r.rule.as_str()),
                        "{}: {kind} {version} has a CEL rule tests/support/crds.rs cannot evaluate: \
                         {:?} ({})",
                        dir.display(),
                        r.rule,
                        r.message
                    );
                }
                versions.push(CrdVersion {
                    group: group.clone(),
                    kind: kind.clone(),
                    version,
                    validator,
                    rules,
                });
            }
        }
        Crds {
            label: dir.display().to_string(),
            versions,
        }
    }

    pub fn served(&self, api_version: &str, kind: &str) -> Option<&CrdVersion> {
        self.versions
            .iter()
            .find(|v| format!("{}/{}", v.group, v.version) == api_version && v.kind == kind)
    }

    /// Every problem the API server (made strict) and the operator's CEL rules would report.
    pub fn problems(&self, obj: &Value) -> Vec<String> {
        let api = obj["apiVersion"].as_str().unwrap_or_default();
        let kind = obj["kind"].as_str().unwrap_or_default();
        let Some(crd) = self.served(api, kind) else {
            return vec![format!("{api} {kind} is not served by {}", self.label)];
        };
        let mut out: Vec<String> = crd
            .validator
            .iter_errors(obj)
            .map(|e| format!("{}: {e}", pointer_or_root(e.instance_path().as_str())))
            .collect();
        for r in &crd.rules {
            for node in nodes_at(obj, &r.at) {
                if !eval_cel(&r.rule, node) {
                    out.push(format!("{:?}: CEL rule failed: {}", r.at, r.message));
                }
            }
        }
        out.extend(metadata_problems(obj));
        out
    }

    #[track_caller]
    pub fn assert_valid(&self, obj: &Value, context: &str) {
        let problems = self.problems(obj);
        assert!(
            problems.is_empty(),
            "{context}: {} {} is invalid against {}:\n  {}\nobject: {}",
            obj["kind"].as_str().unwrap_or("?"),
            obj.pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or("?"),
            self.label,
            problems.join("\n  "),
            serde_json::to_string_pretty(obj).unwrap_or_default()
        );
    }
}

fn pointer_or_root(p: &str) -> &str {
    if p.is_empty() { "/" } else { p }
}

/// The instance nodes a schema path describes.
pub fn nodes_at<'a>(v: &'a Value, at: &[Seg]) -> Vec<&'a Value> {
    let Some((first, rest)) = at.split_first() else {
        return vec![v];
    };
    match (first, v) {
        (Seg::Key(k), Value::Object(m)) => m.get(k).map(|c| nodes_at(c, rest)).unwrap_or_default(),
        (Seg::Items, Value::Array(a)) => a.iter().flat_map(|c| nodes_at(c, rest)).collect(),
        (Seg::Values, Value::Object(m)) => m.values().flat_map(|c| nodes_at(c, rest)).collect(),
        _ => Vec::new(),
    }
}

// ---------------------------------------------------------------------------------------------
// CEL rules: hand-written equivalents of every rule in the vendored CRDs
// ---------------------------------------------------------------------------------------------

const TLS_ONLY: &str = "self.type == 'tls' || (!has(self.validityDays) && !has(self.renewalDays))";
const TOGETHER: &str = "self.type != 'tls' || (has(self.renewalDays) == has(self.validityDays))";
const RENEW_BEFORE_EXPIRY: &str = "self.type != 'tls' || !has(self.renewalDays) || \
     !has(self.validityDays) || self.renewalDays < self.validityDays";

/// Flux Kustomization `spec.kubeConfig`: exactly one of configMapRef, secretRef.
const KUBECONFIG_ONE: &str = "has(self.configMapRef) || has(self.secretRef)";
const KUBECONFIG_NOT_BOTH: &str = "!has(self.configMapRef) || !has(self.secretRef)";

pub const KNOWN_CEL_RULES: &[&str] = &[
    TLS_ONLY,
    TOGETHER,
    RENEW_BEFORE_EXPIRY,
    KUBECONFIG_ONE,
    KUBECONFIG_NOT_BOTH,
];

pub fn eval_cel(rule: &str, this: &Value) -> bool {
    let has = |f: &str| this.get(f).is_some();
    let int = |f: &str| this.get(f).and_then(Value::as_i64);
    let tls = this.get("type").and_then(Value::as_str) == Some("tls");
    match rule {
        TLS_ONLY => tls || (!has("validityDays") && !has("renewalDays")),
        TOGETHER => !tls || has("renewalDays") == has("validityDays"),
        RENEW_BEFORE_EXPIRY => {
            !tls || !has("renewalDays")
                || !has("validityDays")
                || int("renewalDays") < int("validityDays")
        }
        KUBECONFIG_ONE => has("configMapRef") || has("secretRef"),
        KUBECONFIG_NOT_BOTH => !has("configMapRef") || !has("secretRef"),
        other => panic!("no evaluator for CEL rule {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// metadata, as the API server validates ObjectMeta
// ---------------------------------------------------------------------------------------------

static DNS1123_LABEL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$").expect("regex"));
static DNS1123_SUBDOMAIN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$").expect("regex")
});
static QUALIFIED_NAME_PART: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$").expect("regex"));
static LABEL_VALUE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$").expect("regex"));

fn is_subdomain(s: &str) -> bool {
    s.len() <= 253 && DNS1123_SUBDOMAIN.is_match(s)
}

/// Label and annotation keys: `[prefix/]name`, prefix a DNS-1123 subdomain, name ≤ 63.
fn is_qualified_name(key: &str) -> bool {
    let (prefix, name) = match key.split_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    prefix.is_none_or(is_subdomain) && name.len() <= 63 && QUALIFIED_NAME_PART.is_match(name)
}

pub fn metadata_problems(obj: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let meta = &obj["metadata"];
    if let Some(name) = meta["name"].as_str()
        && !is_subdomain(name)
    {
        out.push(format!(
            "metadata.name {name:?} is not a DNS-1123 subdomain"
        ));
    }
    if let Some(ns) = meta["namespace"].as_str()
        && !(ns.len() <= 63 && DNS1123_LABEL.is_match(ns))
    {
        out.push(format!("metadata.namespace {ns:?} is not a DNS-1123 label"));
    }
    for (k, v) in meta["labels"].as_object().into_iter().flatten() {
        if !is_qualified_name(k) {
            out.push(format!("label key {k:?} is not a qualified name"));
        }
        let v = v.as_str().unwrap_or_default();
        if v.len() > 63 || !LABEL_VALUE.is_match(v) {
            out.push(format!("label {k:?} has an invalid value {v:?}"));
        }
    }
    for k in meta["annotations"]
        .as_object()
        .into_iter()
        .flat_map(|m| m.keys())
    {
        if !is_qualified_name(k) {
            out.push(format!("annotation key {k:?} is not a qualified name"));
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// the vendored Strimzi CRDs
// ---------------------------------------------------------------------------------------------

/// The Strimzi kinds whose CRDs are loaded (and so the kinds kbundle may generate).
pub const STRIMZI_KINDS: &[&str] = &["KafkaTopic", "KafkaUser", "KafkaConnector"];

pub struct Strimzi {
    /// `crds/`: Strimzi with `kafka.strimzi.io/v1` only.
    pub v1: Crds,
    /// `crds-0.51.0/`: Strimzi 0.51, serving v1beta2 (storage) and v1.
    pub v051: Crds,
    pub dir: PathBuf,
}

/// The vendored Strimzi CRDs, loaded and converted; `None` (with the reason printed) when the
/// vendor directory is missing, a failure under `KBUNDLE_REQUIRE_VENDOR=1` (see
/// [`super::vendor`]).
pub fn strimzi() -> Option<Strimzi> {
    let dir = super::vendor()?.join("strimzi");
    Some(Strimzi {
        v1: Crds::load(&dir.join("crds")),
        v051: Crds::load(&dir.join("crds-0.51.0")),
        dir,
    })
}

impl Strimzi {
    /// A generated Strimzi object against the CRDs serving its API version:
    /// `kafka.strimzi.io/v1` must pass both CRD sets (it works on both operator generations),
    /// `v1beta2` the 0.51 set only.
    #[track_caller]
    pub fn assert_valid(&self, obj: &Value, context: &str) {
        match obj["apiVersion"].as_str() {
            Some("kafka.strimzi.io/v1") => {
                self.v1.assert_valid(obj, context);
                self.v051.assert_valid(obj, context);
            }
            Some("kafka.strimzi.io/v1beta2") => self.v051.assert_valid(obj, context),
            other => panic!("{context}: {other:?} is not a Strimzi API version: {obj}"),
        }
    }
}
