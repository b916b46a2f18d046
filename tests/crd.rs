//! Every object kbundle generates for target strimzi is validated against the real, vendored
//! Strimzi CRDs (`../shared/vendor/strimzi/crds` for `kafka.strimzi.io/v1`,
//! `../shared/vendor/strimzi/crds-0.51.0` for `v1beta2`).
//!
//! A CRD's `openAPIV3Schema` is converted to a JSON Schema (draft 2020-12) that is *stricter*
//! than the API server: an object that lists `properties` gets `additionalProperties: false`
//! unless it preserves unknown fields. The API server would silently prune a misspelled field
//! (or reject it under `kubectl apply --validate=strict`); here it fails the test. On top of the
//! schema, `metadata` is checked the way the API server checks it (DNS-1123 names, label
//! syntax), and the CRDs' CEL rules (`x-kubernetes-validations`) are evaluated by hand-written
//! equivalents: a CRD with a rule this file does not know fails loudly.

mod common;

use kbundle::model::environment::{EnvironmentSpec, StrimziApiVersion};
use kbundle::plan::connectors::{ConnectorPlan, ConnectorState, ConnectorType, Transform};
use kbundle::render::{self, Options, Rendered};
use kbundle::target::connect;
use regex::Regex;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::LazyLock;

// ---------------------------------------------------------------------------------------------
// OpenAPI v3 (structural, Kubernetes flavour) -> JSON Schema draft 2020-12
// ---------------------------------------------------------------------------------------------

/// One step from a schema node to the instance nodes it describes.
#[derive(Debug, Clone)]
enum Seg {
    Key(String),
    Items,
    Values,
}

/// A CEL rule of `x-kubernetes-validations` and where it applies.
#[derive(Debug, Clone)]
struct CelRule {
    at: Vec<Seg>,
    rule: String,
    message: String,
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
fn object_meta_schema() -> Value {
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
                "OpenAPI keyword {other:?} at {at:?} is not handled; teach tests/crd.rs \
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

struct CrdVersion {
    group: String,
    kind: String,
    version: String,
    validator: jsonschema::Validator,
    rules: Vec<CelRule>,
}

struct Crds {
    label: String,
    versions: Vec<CrdVersion>,
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
    let mut rules = Vec::new();
    let mut schema = convert(openapi, &[], &mut rules);
    schema["$schema"] = json!("https://json-schema.org/draft/2020-12/schema");
    Some((schema, rules))
}

impl Crds {
    fn load(dir: &Path) -> Crds {
        let mut versions = Vec::new();
        for file in [
            "043-Crd-kafkatopic.yaml",
            "044-Crd-kafkauser.yaml",
            "047-Crd-kafkaconnector.yaml",
        ] {
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
                        "{}: {kind} {version} has a CEL rule tests/crd.rs cannot evaluate: \
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

    fn served(&self, api_version: &str, kind: &str) -> Option<&CrdVersion> {
        self.versions
            .iter()
            .find(|v| format!("{}/{}", v.group, v.version) == api_version && v.kind == kind)
    }

    /// Every problem the API server (made strict) and the operator's CEL rules would report.
    fn problems(&self, obj: &Value) -> Vec<String> {
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

    fn assert_valid(&self, obj: &Value, context: &str) {
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
fn nodes_at<'a>(v: &'a Value, at: &[Seg]) -> Vec<&'a Value> {
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

const KNOWN_CEL_RULES: &[&str] = &[TLS_ONLY, TOGETHER, RENEW_BEFORE_EXPIRY];

fn eval_cel(rule: &str, this: &Value) -> bool {
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

fn metadata_problems(obj: &Value) -> Vec<String> {
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
// fixtures
// ---------------------------------------------------------------------------------------------

struct Vendor {
    /// `crds/`: Strimzi with `kafka.strimzi.io/v1` only.
    v1: Crds,
    /// `crds-0.51.0/`: Strimzi 0.51, serving v1beta2 (storage) and v1.
    v051: Crds,
    dir: PathBuf,
}

fn vendor() -> Option<Vendor> {
    let dir = common::vendor()?.join("strimzi");
    Some(Vendor {
        v1: Crds::load(&dir.join("crds")),
        v051: Crds::load(&dir.join("crds-0.51.0")),
        dir,
    })
}

fn render_items(items: Vec<kbundle::load::Item>, context: &str) -> Vec<Value> {
    let Rendered { items, diagnostics } = render::render(items, None, &Options::default());
    let errors: Vec<String> = diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| format!("{} {}", d.code, d.message))
        .collect();
    assert!(errors.is_empty(), "{context}: render failed: {errors:?}");
    generated(items, context)
}

/// The Strimzi kinds whose CRDs are loaded (and so the kinds kbundle may generate).
const STRIMZI_KINDS: &[&str] = &["KafkaTopic", "KafkaUser", "KafkaConnector"];

/// The generated objects among the output items; every one must be a Strimzi kind.
fn generated(items: Vec<Value>, context: &str) -> Vec<Value> {
    let ours: Vec<Value> = items
        .into_iter()
        .filter(|v| {
            v.pointer("/metadata/labels/app.kubernetes.io~1managed-by")
                .and_then(Value::as_str)
                == Some("kbundle")
        })
        .collect();
    for o in &ours {
        let kind = o["kind"].as_str().unwrap_or_default();
        assert!(
            o["apiVersion"]
                .as_str()
                .is_some_and(|a| a.starts_with("kafka.strimzi.io/"))
                && STRIMZI_KINDS.contains(&kind),
            "{context}: generated {} {kind} has no vendored CRD to check it against",
            o["apiVersion"]
        );
    }
    assert!(!ours.is_empty(), "{context}: nothing was generated");
    ours
}

fn read_dir_items(dir: &Path) -> Vec<kbundle::load::Item> {
    let (items, diags) =
        kbundle::load::read_paths(&[dir.display().to_string()], &mut std::io::empty());
    assert!(
        diags.iter().all(|d| !d.is_error()),
        "{}: {diags:?}",
        dir.display()
    );
    items
}

fn read_text_items(text: &str, display: &str) -> Vec<kbundle::load::Item> {
    let (items, diags) = kbundle::load::read_stream(text, display);
    assert!(diags.iter().all(|d| !d.is_error()), "{display}: {diags:?}");
    items
}

/// Point every Environment among the items at a Strimzi API version.
fn with_strimzi_api(mut items: Vec<kbundle::load::Item>, api: &str) -> Vec<kbundle::load::Item> {
    let mut found = false;
    for item in &mut items {
        if item.value["kind"] == "Environment" {
            item.value["spec"]["strimzi"]["apiVersion"] = json!(api);
            found = true;
        }
    }
    assert!(found, "no Environment to set strimzi.apiVersion on");
    items
}

fn count_kinds(objs: &[Value]) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for o in objs {
        *m.entry(format!(
            "{} {}",
            o["apiVersion"].as_str().unwrap_or("?"),
            o["kind"].as_str().unwrap_or("?")
        ))
        .or_default() += 1;
    }
    m
}

fn assert_all(objs: &[Value], api: &str, crds: &[&Crds], context: &str) {
    for o in objs {
        assert_eq!(o["apiVersion"], api, "{context}: {o}");
        for c in crds {
            c.assert_valid(o, context);
        }
    }
    eprintln!(
        "{context}: {} objects valid: {:?}",
        objs.len(),
        count_kinds(objs)
    );
}

/// A bundle using every feature that reaches a KafkaTopic or KafkaUser.
const FULL_ENV: &str = r#"
apiVersion: kbundle.dev/v1alpha1
kind: Environment
metadata:
  name: full
spec:
  namespace: kafka
  strimzi: {cluster: main, apiVersion: kafka.strimzi.io/v1}
  defaults: {partitions: 2, replicas: 3, topicConfig: {min.insync.replicas: 2}}
  policy: {allowTopicDeletion: true}
"#;

const FULL_BUNDLE: &str = r#"
apiVersion: kbundle.dev/v1alpha1
kind: AppBundle
metadata:
  name: everything
spec:
  owner: team-everything
  topics:
    - name: every.events.v1
      partitions: 12
      replicas: 3
      config:
        retention.ms: 604800000
        cleanup.policy: compact,delete
        unclean.leader.election.enable: false
        min.cleanable.dirty.ratio: 0.5
        message.timestamp.type: CreateTime
      deletion: allow
    - name: every.audit.v1
      deletion: retain
    - name: Every_Mixed-Case.v1
  principals:
    - name: every-producer
      authentication: scram-sha-512
      produces: [every.events.v1, every.*]
      transactionalIds: [every-tx*, every-single-tx]
      quotas:
        producerByteRate: 1048576
        consumerByteRate: 2097152
        requestPercentage: 25
        controllerMutationRate: 1.5
    - name: every-consumer
      authentication: tls
      consumes:
        - topics: [every.events.v1, every.audit.v1]
          group: every-consumer
        - topics: [every.*]
          group: every-batch*
    - name: every-streams
      authentication: tls-external
      streams:
        applicationId: every-streams
        reads: [every.events.v1]
        writes: [every.audit.v1]
    - name: every-admin
      acls:
        - resource: {type: cluster}
          operations: [Describe, DescribeConfigs]
        - resource: {type: topic, name: every., patternType: prefix}
          operations: [Describe, DescribeConfigs, AlterConfigs]
          host: "*"
          type: allow
        - resource: {type: topic, name: every.events.v1}
          operations: [Delete]
          host: 10.0.0.1
          type: deny
        - resource: {type: group, name: every-admin}
          operations: [Read, Describe]
        - resource: {type: transactionalId, name: every-admin-tx, patternType: literal}
          operations: [Write, Describe]
      quotas: {controllerMutationRate: 0}
    - name: every-nobody
      authentication: scram-sha-512
"#;

fn full_items() -> Vec<kbundle::load::Item> {
    let mut items = read_text_items(FULL_ENV, "full-env.yaml");
    items.extend(read_text_items(FULL_BUNDLE, "full-bundle.yaml"));
    items
}

fn find<'a>(objs: &'a [Value], kind: &str, name: &str) -> &'a Value {
    objs.iter()
        .find(|o| o["kind"] == kind && o["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("no {kind} {name} in {objs:#?}"))
}

fn acls(user: &Value) -> &Vec<Value> {
    user["spec"]["authorization"]["acls"]
        .as_array()
        .expect("acls")
}

/// The full bundle really exercises what it claims to (so its validation means something).
fn assert_full_coverage(objs: &[Value]) {
    let events = find(objs, "KafkaTopic", "every.events.v1");
    let config = events["spec"]["config"].as_object().expect("config");
    assert!(config.values().any(Value::is_i64), "int config");
    assert!(config.values().any(Value::is_boolean), "bool config");
    assert!(config.values().any(Value::is_string), "string config");
    assert!(config.values().any(Value::is_f64), "float config");
    assert!(
        events.pointer("/metadata/annotations").is_none(),
        "deletion: allow with allowTopicDeletion drops the retain annotation"
    );
    let audit = find(objs, "KafkaTopic", "every.audit.v1");
    assert!(
        audit
            .pointer("/metadata/annotations/argocd.argoproj.io~1sync-options")
            .is_some()
    );
    assert!(
        objs.iter().any(|o| o["kind"] == "KafkaTopic"
            && o["spec"]["topicName"] == "Every_Mixed-Case.v1"
            && o["metadata"]["name"] != "Every_Mixed-Case.v1"),
        "a topic name that is not a Kubernetes name"
    );
    let auth = |name: &str| find(objs, "KafkaUser", name)["spec"]["authentication"]["type"].clone();
    assert_eq!(auth("every-producer"), "scram-sha-512");
    assert_eq!(auth("every-consumer"), "tls");
    assert_eq!(auth("every-streams"), "tls-external");
    assert!(
        find(objs, "KafkaUser", "every-admin")["spec"]
            .get("authentication")
            .is_none()
    );
    let all_acls: Vec<&Value> = objs
        .iter()
        .filter(|o| o["kind"] == "KafkaUser")
        .flat_map(acls)
        .collect();
    let res = |a: &Value, k: &str| a["resource"][k].as_str().unwrap_or_default().to_string();
    for (t, p) in [
        ("topic", "prefix"),
        ("topic", "literal"),
        ("group", "prefix"),
        ("group", "literal"),
        ("transactionalId", "prefix"),
        ("transactionalId", "literal"),
    ] {
        assert!(
            all_acls
                .iter()
                .any(|a| res(a, "type") == t && res(a, "patternType") == p),
            "an ACL on {t} with patternType {p}"
        );
    }
    assert!(
        all_acls.iter().any(|a| res(a, "type") == "cluster"),
        "a cluster ACL"
    );
    assert!(
        all_acls
            .iter()
            .any(|a| a["type"] == "deny" && a["host"] == "10.0.0.1"),
        "a deny rule with a host"
    );
    let producer = find(objs, "KafkaUser", "every-producer");
    assert_eq!(producer["spec"]["quotas"]["controllerMutationRate"], 1.5);
    let nobody = find(objs, "KafkaUser", "every-nobody");
    assert!(acls(nobody).is_empty(), "a user without any ACL: {nobody}");
}

// ---------------------------------------------------------------------------------------------
// tests
// ---------------------------------------------------------------------------------------------

#[test]
fn quickstart_is_valid_strimzi_v1() {
    let Some(v) = vendor() else { return };
    let objs = render_items(
        read_dir_items(&common::root().join("examples/quickstart")),
        "quickstart",
    );
    // crds-0.51.0 serves v1 as well: the output works on both operator generations.
    assert_all(
        &objs,
        "kafka.strimzi.io/v1",
        &[&v.v1, &v.v051],
        "quickstart (v1)",
    );
}

#[test]
fn quickstart_is_valid_strimzi_v1beta2() {
    let Some(v) = vendor() else { return };
    let items = with_strimzi_api(
        read_dir_items(&common::root().join("examples/quickstart")),
        "kafka.strimzi.io/v1beta2",
    );
    let objs = render_items(items, "quickstart v1beta2");
    assert_all(
        &objs,
        "kafka.strimzi.io/v1beta2",
        &[&v.v051],
        "quickstart (v1beta2)",
    );
    // The v1-only CRDs do not serve v1beta2: the API version switch is what makes it work.
    assert!(
        v.v1.problems(&objs[0])
            .iter()
            .any(|p| p.contains("not served"))
    );
}

#[test]
fn every_feature_is_valid_strimzi_v1() {
    let Some(v) = vendor() else { return };
    let objs = render_items(full_items(), "full bundle");
    assert_full_coverage(&objs);
    assert_all(
        &objs,
        "kafka.strimzi.io/v1",
        &[&v.v1, &v.v051],
        "full bundle (v1)",
    );
}

#[test]
fn every_feature_is_valid_strimzi_v1beta2() {
    let Some(v) = vendor() else { return };
    let objs = render_items(
        with_strimzi_api(full_items(), "kafka.strimzi.io/v1beta2"),
        "full bundle v1beta2",
    );
    assert_full_coverage(&objs);
    assert_all(
        &objs,
        "kafka.strimzi.io/v1beta2",
        &[&v.v051],
        "full bundle (v1beta2)",
    );
}

/// The CEL rules of the KafkaUser CRD concern `validityDays`/`renewalDays` of `tls` users;
/// kbundle never sets either, so they hold for every user it generates. This pins that down.
#[test]
fn tls_validity_rules_are_irrelevant_to_generated_users() {
    let Some(v) = vendor() else { return };
    let rules: Vec<&CelRule> = v.v1.versions.iter().flat_map(|c| &c.rules).collect();
    assert_eq!(
        rules.len(),
        3,
        "the v1 KafkaUser CRD has three CEL rules: {rules:?}"
    );
    let objs = render_items(full_items(), "full bundle");
    for u in objs.iter().filter(|o| o["kind"] == "KafkaUser") {
        if let Some(auth) = u["spec"].get("authentication") {
            let keys: Vec<&String> = auth.as_object().expect("authentication").keys().collect();
            assert_eq!(keys, ["type"], "{u}");
            for r in &rules {
                assert!(eval_cel(&r.rule, auth), "{}: {}", r.rule, u);
            }
        }
    }
}

fn strimzi_example(v: &Vendor, rel: &str) -> Vec<Value> {
    let path = v.dir.join(rel);
    let text = std::fs::read_to_string(&path).expect("vendor example");
    kbundle::yaml::parse_stream(&text)
        .unwrap_or_else(|e| panic!("{}: {}", path.display(), e.message))
        .into_iter()
        .map(|d| d.value)
        .filter(|o| {
            o["kind"]
                .as_str()
                .is_some_and(|k| STRIMZI_KINDS.contains(&k))
        })
        .collect()
}

/// Positive control: Strimzi's own examples pass the converted (strict) schemas.
#[test]
fn vendor_examples_pass() {
    let Some(v) = vendor() else { return };
    let mut n = 0;
    for rel in [
        "examples/kafka-topic.yaml",
        "examples/kafka-user.yaml",
        "examples/security_scram-sha-512-auth_topic.yaml",
        "examples/security_scram-sha-512-auth_user.yaml",
        "examples/security_tls-auth_topic.yaml",
        "examples/security_tls-auth_user.yaml",
        "examples/source-connector.yaml",
    ] {
        for o in strimzi_example(&v, rel) {
            v.v1.assert_valid(&o, rel);
            v.v051.assert_valid(&o, rel);
            n += 1;
        }
    }
    for rel in [
        "examples-v1beta2-0.48.0/kafka-topic.yaml",
        "examples-v1beta2-0.48.0/kafka-user.yaml",
        "examples-v1beta2-0.48.0/source-connector.yaml",
    ] {
        for o in strimzi_example(&v, rel) {
            assert_eq!(o["apiVersion"], "kafka.strimzi.io/v1beta2");
            v.v051.assert_valid(&o, rel);
            n += 1;
        }
    }
    assert!(n >= 10, "only {n} vendor examples found");
    eprintln!("vendor examples: {n} objects valid");
}

fn topic() -> Value {
    json!({
        "apiVersion": "kafka.strimzi.io/v1",
        "kind": "KafkaTopic",
        "metadata": {"name": "t", "labels": {"strimzi.io/cluster": "kafka"}},
        "spec": {"topicName": "t", "partitions": 3, "replicas": 3, "config": {"retention.ms": 1}}
    })
}

fn user() -> Value {
    json!({
        "apiVersion": "kafka.strimzi.io/v1",
        "kind": "KafkaUser",
        "metadata": {"name": "u", "labels": {"strimzi.io/cluster": "kafka"}},
        "spec": {
            "authentication": {"type": "tls"},
            "authorization": {"type": "simple", "acls": [
                {"resource": {"type": "topic", "name": "t", "patternType": "literal"},
                 "operations": ["Read"], "host": "*", "type": "allow"}
            ]},
            "quotas": {"producerByteRate": 1, "controllerMutationRate": 0.5}
        }
    })
}

// ---------------------------------------------------------------------------------------------
// connectors (the KafkaConnector builder, called directly)
// ---------------------------------------------------------------------------------------------

fn connect_env(api: StrimziApiVersion) -> EnvironmentSpec {
    let mut env = EnvironmentSpec::default();
    env.strimzi.api_version = api;
    env.strimzi.connect_cluster = Some("connect".into());
    env
}

fn strings(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Connectors covering every field the builder writes: sink with topics, own transforms and
/// masking transforms; source without tasksMax; each state; no config at all.
fn connector_plans() -> Vec<ConnectorPlan> {
    let sink = ConnectorPlan {
        name: "orders-to-warehouse".into(),
        class: "io.confluent.connect.jdbc.JdbcSinkConnector".into(),
        connector_type: ConnectorType::Sink,
        tasks_max: Some(2),
        topics: vec!["orders.created.v1".into(), "Orders_Mixed-Case.v1".into()],
        config: strings(&[
            ("connection.url", "${secrets:kafka/warehouse-db:url}"),
            (
                "connection.password",
                "${secrets:kafka/warehouse-db:password}",
            ),
            ("table.name.format", "orders_prod"),
            ("batch.size", "500"),
            ("transforms", "route"),
            (
                "transforms.route.type",
                "org.apache.kafka.connect.transforms.RegexRouter",
            ),
            ("transforms.route.regex", "(.*)"),
            ("transforms.route.replacement", "$1"),
        ]),
        state: Some(ConnectorState::Running),
        transforms: vec![Transform {
            alias: "kbundle-mask-0".into(),
            class: "org.apache.kafka.connect.transforms.MaskField$Value".into(),
            config: strings(&[("fields", "email,phone"), ("replacement", "***")]),
        }],
    };
    let source = ConnectorPlan {
        name: "orders.cdc".into(),
        class: "io.debezium.connector.postgresql.PostgresConnector".into(),
        connector_type: ConnectorType::Source,
        tasks_max: None,
        topics: vec!["orders.cdc.v1".into()],
        config: strings(&[
            ("database.hostname", "pg.db"),
            ("database.password", "${secrets:kafka/pg:password}"),
            ("topic.prefix", "orders.cdc"),
        ]),
        state: Some(ConnectorState::Paused),
        transforms: Vec::new(),
    };
    let stopped = ConnectorPlan {
        name: "orders-stopped".into(),
        class: "org.apache.kafka.connect.file.FileStreamSourceConnector".into(),
        connector_type: ConnectorType::Source,
        tasks_max: Some(1),
        topics: Vec::new(),
        config: BTreeMap::new(),
        state: Some(ConnectorState::Stopped),
        transforms: Vec::new(),
    };
    let bare = ConnectorPlan {
        name: "orders-bare".into(),
        state: None,
        ..stopped.clone()
    };
    vec![sink, source, stopped, bare]
}

fn connectors(api: StrimziApiVersion) -> Vec<Value> {
    let env = connect_env(api);
    connector_plans()
        .iter()
        .map(|c| connect::kafka_connector("orders", "team-orders", Some("kafka"), c, &env))
        .collect()
}

fn connector() -> Value {
    connectors(StrimziApiVersion::V1).remove(0)
}

#[test]
fn connectors_are_valid_strimzi_v1() {
    let Some(v) = vendor() else { return };
    let objs = connectors(StrimziApiVersion::V1);
    assert_eq!(
        objs[0]["spec"]["config"]["transforms"],
        "kbundle-mask-0,route"
    );
    assert_eq!(
        objs[0]["spec"]["config"]["topics"],
        "orders.created.v1,Orders_Mixed-Case.v1"
    );
    assert_eq!(
        objs[0]["metadata"]["labels"]["strimzi.io/cluster"],
        "connect"
    );
    assert_eq!(objs[3]["spec"].get("config"), None);
    assert_all(
        &objs,
        "kafka.strimzi.io/v1",
        &[&v.v1, &v.v051],
        "connectors (v1)",
    );
}

#[test]
fn connectors_are_valid_strimzi_v1beta2() {
    let Some(v) = vendor() else { return };
    let objs = connectors(StrimziApiVersion::V1beta2);
    assert_all(
        &objs,
        "kafka.strimzi.io/v1beta2",
        &[&v.v051],
        "connectors (v1beta2)",
    );
    assert!(
        v.v1.problems(&objs[0])
            .iter()
            .any(|p| p.contains("not served"))
    );
}

/// Negative control: the validator is strict; each of these mistakes is caught.
#[test]
fn deliberate_mistakes_fail() {
    let Some(v) = vendor() else { return };
    v.v1.assert_valid(&topic(), "control topic");
    v.v1.assert_valid(&user(), "control user");
    v.v1.assert_valid(&connector(), "control connector");

    let mutate = |base: Value, pointer: &str, value: Option<Value>| {
        let mut o = base;
        let (parent, key) = pointer.rsplit_once('/').expect("pointer");
        let target = o
            .pointer_mut(parent)
            .expect("parent")
            .as_object_mut()
            .expect("object");
        match value {
            Some(val) => target.insert(key.replace("~1", "/"), val),
            None => target.remove(key),
        };
        o
    };
    let cases: Vec<(&str, Value)> = vec![
        (
            "misspelled spec field",
            mutate(topic(), "/spec/partitons", Some(json!(3))),
        ),
        (
            "unknown top-level field",
            mutate(topic(), "/extra", Some(json!(1))),
        ),
        (
            "unknown metadata field",
            mutate(topic(), "/metadata/lables", Some(json!({}))),
        ),
        (
            "partitions below minimum",
            mutate(topic(), "/spec/partitions", Some(json!(0))),
        ),
        (
            "replicas above maximum",
            mutate(topic(), "/spec/replicas", Some(json!(40000))),
        ),
        (
            "partitions as a string",
            mutate(topic(), "/spec/partitions", Some(json!("3"))),
        ),
        (
            "partitions as a fraction",
            mutate(topic(), "/spec/partitions", Some(json!(1.5))),
        ),
        ("spec missing", mutate(topic(), "/spec", None)),
        ("name missing", mutate(topic(), "/metadata/name", None)),
        (
            "name not DNS-1123",
            mutate(topic(), "/metadata/name", Some(json!("My_Topic"))),
        ),
        (
            "bad label value",
            mutate(
                topic(),
                "/metadata/labels/strimzi.io~1cluster",
                Some(json!("a b")),
            ),
        ),
        (
            "bad namespace",
            mutate(topic(), "/metadata/namespace", Some(json!("Kafka"))),
        ),
        (
            "v1 is not v1beta1",
            mutate(
                topic(),
                "/apiVersion",
                Some(json!("kafka.strimzi.io/v1beta1")),
            ),
        ),
        (
            "bad auth type",
            mutate(user(), "/spec/authentication/type", Some(json!("scram"))),
        ),
        (
            "auth misspelled",
            mutate(user(), "/spec/authentication/typ", Some(json!("tls"))),
        ),
        (
            "authorization without acls",
            mutate(user(), "/spec/authorization/acls", None),
        ),
        (
            "v1 has no singular operation",
            mutate(
                user(),
                "/spec/authorization/acls/0/operation",
                Some(json!("Read")),
            ),
        ),
        (
            "unknown ACL operation",
            mutate(
                user(),
                "/spec/authorization/acls/0/operations",
                Some(json!(["Produce"])),
            ),
        ),
        (
            "bad pattern type",
            mutate(
                user(),
                "/spec/authorization/acls/0/resource/patternType",
                Some(json!("prefixed")),
            ),
        ),
        (
            "ACL resource type misspelled",
            mutate(
                user(),
                "/spec/authorization/acls/0/resource/type",
                Some(json!("transactionalID")),
            ),
        ),
        (
            "negative quota",
            mutate(user(), "/spec/quotas/producerByteRate", Some(json!(-1))),
        ),
        (
            "quota misspelled",
            mutate(user(), "/spec/quotas/producerByteRates", Some(json!(1))),
        ),
        (
            "CEL: validityDays on a scram user",
            mutate(
                user(),
                "/spec/authentication",
                Some(json!({"type": "scram-sha-512", "validityDays": 30, "renewalDays": 10})),
            ),
        ),
        (
            "CEL: renewalDays alone",
            mutate(
                user(),
                "/spec/authentication",
                Some(json!({"type": "tls", "renewalDays": 10})),
            ),
        ),
        (
            "connector tasksMax 0",
            mutate(connector(), "/spec/tasksMax", Some(json!(0))),
        ),
        (
            "connector tasksMax as a string",
            mutate(connector(), "/spec/tasksMax", Some(json!("2"))),
        ),
        (
            "connector state capitalized",
            mutate(connector(), "/spec/state", Some(json!("Running"))),
        ),
        (
            "v1 connector has no pause",
            mutate(connector(), "/spec/pause", Some(json!(true))),
        ),
        (
            "connector spec misspelled",
            mutate(connector(), "/spec/taskMax", Some(json!(1))),
        ),
        (
            "connector config not a mapping",
            mutate(connector(), "/spec/config", Some(json!("topics=a"))),
        ),
        (
            "connector name not DNS-1123",
            mutate(connector(), "/metadata/name", Some(json!("Orders_Sink"))),
        ),
        (
            "CEL: renewal after expiry",
            mutate(
                user(),
                "/spec/authentication",
                Some(json!({"type": "tls", "validityDays": 10, "renewalDays": 30})),
            ),
        ),
    ];
    let mut missed = Vec::new();
    for (what, obj) in &cases {
        if v.v1.problems(obj).is_empty() {
            missed.push(*what);
        }
    }
    assert!(missed.is_empty(), "the validator accepted: {missed:?}");
    // The literal example from the brief, with the error it gives.
    let problems =
        v.v1.problems(&mutate(topic(), "/spec/partitons", Some(json!(3))));
    assert!(
        problems.iter().any(|p| p.contains("partitons")),
        "{problems:?}"
    );
    // tls with both days, renewal first, is fine.
    v.v1.assert_valid(
        &mutate(
            user(),
            "/spec/authentication",
            Some(json!({"type": "tls", "validityDays": 30, "renewalDays": 10})),
        ),
        "tls validity",
    );
    // v1beta2 still had the singular `operation` and `acls` entries without `operations`.
    let mut old = mutate(user(), "/spec/authorization/acls/0/operations", None);
    old = mutate(
        old,
        "/spec/authorization/acls/0/operation",
        Some(json!("Read")),
    );
    old["apiVersion"] = json!("kafka.strimzi.io/v1beta2");
    v.v051.assert_valid(&old, "v1beta2 singular operation");
    eprintln!("negative controls: {} mistakes caught", cases.len());
}

/// Golden cases under `testdata/` that render successfully (no `errors.txt`).
fn golden_cases() -> Vec<PathBuf> {
    let root = common::root().join("testdata");
    let mut out = Vec::new();
    let Ok(families) = std::fs::read_dir(&root) else {
        return out;
    };
    for family in families.flatten() {
        let Ok(cases) = std::fs::read_dir(family.path()) else {
            continue;
        };
        for case in cases.flatten() {
            let case = case.path();
            if case.join("input").is_dir() && !case.join("errors.txt").exists() {
                out.push(case);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn golden_outputs_are_valid() {
    let Some(v) = vendor() else { return };
    let mut total = 0;
    for case in golden_cases() {
        let mut args = vec!["render".to_string(), "input".to_string()];
        if let Ok(extra) = std::fs::read_to_string(case.join("args")) {
            args.extend(
                extra
                    .lines()
                    .filter(|l| !l.trim().is_empty())
                    .map(str::to_string),
            );
        }
        let out = Command::new(common::kbundle_bin())
            .current_dir(&case)
            .args(&args)
            .stdin(Stdio::null())
            .output()
            .expect("run kbundle");
        let context = case.display().to_string();
        assert!(
            out.status.success(),
            "{context}: render failed (a case without errors.txt must render):\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).expect("utf-8");
        let items: Vec<Value> = kbundle::yaml::parse_stream(&text)
            .unwrap_or_else(|e| panic!("{context}: {}", e.message))
            .into_iter()
            .map(|d| d.value)
            .collect();
        let ours: Vec<&Value> = items
            .iter()
            .filter(|o| {
                o.pointer("/metadata/labels/app.kubernetes.io~1managed-by")
                    .and_then(Value::as_str)
                    == Some("kbundle")
            })
            .collect();
        for o in &ours {
            let crds = match o["apiVersion"].as_str() {
                Some("kafka.strimzi.io/v1") => vec![&v.v1, &v.v051],
                Some("kafka.strimzi.io/v1beta2") => vec![&v.v051],
                // Hook Jobs and their ConfigMaps: tests/k8s_schemas.rs checks those.
                Some("v1" | "batch/v1") => continue,
                // PrometheusRule and AlertmanagerConfig: tests/prometheus.rs checks those.
                Some("monitoring.coreos.com/v1" | "monitoring.coreos.com/v1alpha1") => continue,
                other => panic!("{context}: generated object of {other:?}: {o}"),
            };
            for c in crds {
                c.assert_valid(o, &context);
            }
        }
        total += ours.len();
    }
    eprintln!("testdata: {total} generated objects valid");
}
