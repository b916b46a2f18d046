//! Alerts end to end, without the pipeline: bundles and Environments parsed from YAML, checked by
//! `validate::alerts`, planned by `plan::alerts`, turned into objects by `target::prometheus`.
//!
//! - Every PrometheusRule and AlertmanagerConfig is validated against the vendored Prometheus
//!   Operator CRDs (`../shared/vendor/prometheus-operator`, v0.93.0: PrometheusRule v1, the plain
//!   AlertmanagerConfig CRD serving v1alpha1). The CRDs' OpenAPI schemas are converted to JSON
//!   Schema and made strict: an object that lists `properties` gets `additionalProperties: false`
//!   unless it preserves unknown fields. AlertmanagerConfig child routes are schemaless in the CRD
//!   (`x-kubernetes-preserve-unknown-fields`, the type is recursive); the operator decodes them as
//!   routes, so they are validated against the `route` schema here. The operator's own checks
//!   (root receiver, receiver references, one of routingKey/serviceKey, ...) are hand-written.
//!   Deliberately broken objects must fail (negative controls).
//! - Every generated `expr` is parsed as PromQL (`promql-parser`) and its AST checked: the
//!   comparison, the aggregation and its `by` labels, the metric name and matchers, the range.

mod common;

use kbundle::diag::Diagnostic;
use kbundle::load::Origin;
use kbundle::model::environment::EnvironmentSpec;
use kbundle::plan::alerts::{AlertPlan, LAG_METRIC, OFFSET_METRIC, plan_alerts};
use kbundle::target::prometheus::{alertmanager_config, prometheus_rule};
use kbundle::validate::{BundleInput, EnvInput, alerts};
use promql_parser::label::MatchOp;
use promql_parser::parser::{self, Expr};
use regex::Regex;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::LazyLock;
use std::time::Duration;

// ---------------------------------------------------------------------------------------------
// inputs
// ---------------------------------------------------------------------------------------------

fn yaml(text: &str) -> Value {
    let mut docs = kbundle::yaml::parse_stream(text).expect("yaml");
    assert_eq!(docs.len(), 1);
    docs.remove(0).value
}

fn bundle(text: &str) -> BundleInput {
    BundleInput {
        bundle: kbundle::model::parse_app_bundle(&yaml(text)).expect("bundle"),
        origin: Origin::default(),
        files: BTreeMap::new(),
        migrations: None,
    }
}

fn environment(text: &str) -> EnvInput {
    EnvInput {
        env: kbundle::model::parse_environment(&yaml(text)).expect("environment"),
        origin: Some(Origin::default()),
    }
}

const PROD: &str = r##"
apiVersion: kbundle.dev/v1alpha1
kind: Environment
metadata: {name: prod}
spec:
  namespace: kafka
  policy: {lagAlerts: true}
  alerting:
    ruleLabels: {release: kube-prometheus-stack}
    receivers:
      - name: oncall-orders
        pagerduty: {routingKey: {secret: pagerduty-orders, key: routing-key}}
      - name: slack-orders
        slack: {apiURL: {secret: slack-webhook, key: url}, channel: "#orders"}
      - name: hook-orders
        webhook: {url: {secret: orders-hook, key: url}}
      - name: mail-orders
        email:
          to: orders-oncall@example.com, Orders Team <orders@example.com>
          from: alertmanager@example.com
          smarthost: smtp.example.com:587
          authUsername: alertmanager
          authPassword: {secret: smtp, key: password}
      - name: unused
        slack: {apiURL: {secret: other, key: url}}
"##;

/// The DESIGN example, plus every receiver kind and a prefix consumer group.
const ORDERS: &str = r#"
apiVersion: kbundle.dev/v1alpha1
kind: AppBundle
metadata: {name: orders}
spec:
  owner: team-orders
  topics:
    - name: orders.created.v1
  principals:
    - name: orders-service
      produces: [orders.created.v1]
      consumes:
        - {topics: [payments.settled.v1], group: orders-service}
        - {topics: ["audit.*"], group: "audit-*"}
      streams:
        applicationId: orders-enricher
        reads: [payments.settled.v1]
  alerts:
    - name: payments-lag
      consumerLag: {group: orders-service, topic: payments.settled.v1, above: 10000, for: 10m}
      severity: critical
      notify: [oncall-orders, slack-orders]
    - name: enricher-lag
      consumerLag: {group: orders-enricher, above: 500, for: 5m}
      severity: warning
      notify: [hook-orders]
    - name: audit-lag
      consumerLag: {group: audit-eu, above: 1, for: 0s}
      severity: info
      notify: [mail-orders]
    - name: orders-silent
      throughput: {topic: orders.created.v1, below: 1, per: 1m, for: 15m}
      severity: warning
      notify: [slack-orders]
    - name: orders-band
      throughput: {topic: orders.created.v1, below: 0.5, above: 25000.75, per: 5m, for: 1h}
      severity: critical
      notify: [mail-orders, oncall-orders]
"#;

/// A second bundle: throughput above only, one receiver, no namespace from the Environment.
const BILLING: &str = r#"
apiVersion: kbundle.dev/v1alpha1
kind: AppBundle
metadata: {name: billing-v2, namespace: billing}
spec:
  owner: team-billing
  topics:
    - name: billing.invoices.v1
  alerts:
    - name: invoice-storm
      throughput: {topic: billing.invoices.v1, above: 100000, per: 1h, for: 5m}
      severity: warning
      notify: [webhook]
"#;

const BILLING_ENV: &str = r#"
apiVersion: kbundle.dev/v1alpha1
kind: Environment
metadata: {name: dev}
spec:
  alerting:
    receivers:
      - name: webhook
        webhook: {url: {secret: billing-hook, key: url}}
"#;

fn diagnostics(b: &BundleInput, env: &EnvInput) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    alerts::check_environment(env, &mut out);
    alerts::check(b, env, &mut out);
    out
}

/// (plans, PrometheusRule, AlertmanagerConfig) of a bundle that must validate cleanly.
fn generate(b: &BundleInput, env: &EnvInput) -> (Vec<AlertPlan>, Value, Value) {
    let d = diagnostics(b, env);
    assert!(d.is_empty(), "unexpected diagnostics: {d:#?}");
    let spec: &EnvironmentSpec = &env.env.spec;
    let plans = plan_alerts(b, spec);
    let name = &b.bundle.metadata.name;
    let owner = &b.bundle.spec.owner;
    let ns = spec
        .namespace
        .as_deref()
        .or(b.bundle.metadata.namespace.as_deref());
    let rule = prometheus_rule(name, owner, ns, &plans, spec).expect("a PrometheusRule");
    let amc = alertmanager_config(name, owner, ns, &plans, spec).expect("an AlertmanagerConfig");
    (plans, rule, amc)
}

fn cases() -> Vec<(BundleInput, EnvInput)> {
    vec![
        (bundle(ORDERS), environment(PROD)),
        (bundle(BILLING), environment(BILLING_ENV)),
    ]
}

// ---------------------------------------------------------------------------------------------
// OpenAPI v3 (Kubernetes structural) -> strict JSON Schema 2020-12
// ---------------------------------------------------------------------------------------------

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
];
const IGNORED: &[&str] = &[
    "description",
    "title",
    "default",
    "format",
    "example",
    "x-kubernetes-list-map-keys",
    "x-kubernetes-map-type",
    "x-kubernetes-preserve-unknown-fields",
    "x-kubernetes-int-or-string",
    "x-kubernetes-embedded-resource",
];

/// The only CEL rule in the vendored CRDs (SNS sigv4 settings); evaluated by [`cel_ok`].
const SNS_RULE: &str = "!has(self.externalId) || has(self.roleArn)";

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

/// `rules` collects (JSON pointer-ish path of the schema node, CEL rule).
fn convert(node: &Value, at: &str, rules: &mut Vec<(String, String)>) -> Value {
    let obj = node
        .as_object()
        .unwrap_or_else(|| panic!("{at}: not a mapping"));
    let flag = |k: &str| obj.get(k).and_then(Value::as_bool).unwrap_or(false);
    let preserve = flag("x-kubernetes-preserve-unknown-fields");
    let int_or_string = flag("x-kubernetes-int-or-string");
    let mut out = Map::new();
    for (k, v) in obj {
        match k.as_str() {
            "type" if int_or_string => {}
            "type" if flag("nullable") => {
                out.insert("type".into(), json!([v, "null"]));
            }
            "type" => {
                out.insert("type".into(), v.clone());
            }
            "nullable" => {}
            "properties" => {
                let props = v
                    .as_object()
                    .expect("properties")
                    .iter()
                    .map(|(name, s)| {
                        let c = if at.is_empty() && name == "metadata" {
                            object_meta_schema()
                        } else {
                            convert(s, &format!("{at}/{name}"), rules)
                        };
                        (name.clone(), c)
                    })
                    .collect();
                out.insert("properties".into(), Value::Object(props));
            }
            "items" => {
                out.insert("items".into(), convert(v, &format!("{at}/[]"), rules));
            }
            "additionalProperties" => {
                let c = match v {
                    Value::Bool(b) => Value::Bool(*b),
                    s => convert(s, &format!("{at}/{{}}"), rules),
                };
                out.insert("additionalProperties".into(), c);
            }
            "allOf" | "anyOf" | "oneOf" => {
                let branches = v
                    .as_array()
                    .expect("branches")
                    .iter()
                    .map(|b| convert(b, at, rules))
                    .collect();
                out.insert(k.clone(), Value::Array(branches));
            }
            "x-kubernetes-list-type" => {
                if v.as_str() == Some("set") {
                    out.insert("uniqueItems".into(), Value::Bool(true));
                }
            }
            "x-kubernetes-validations" => {
                for r in v.as_array().into_iter().flatten() {
                    rules.push((at.to_string(), r["rule"].as_str().expect("rule").into()));
                }
            }
            k if SAME.contains(&k) => {
                out.insert(k.to_string(), v.clone());
            }
            k if IGNORED.contains(&k) => {}
            other => panic!("{at}: OpenAPI keyword {other:?} is not handled by this converter"),
        }
    }
    if int_or_string {
        out.insert(
            "anyOf".into(),
            json!([{"type": "integer"}, {"type": "string"}]),
        );
    }
    if !preserve
        && !out.contains_key("additionalProperties")
        && (out.contains_key("properties") || obj.get("type") == Some(&json!("object")))
    {
        out.insert("additionalProperties".into(), Value::Bool(false));
    }
    Value::Object(out)
}

struct Crd {
    api_version: String,
    kind: String,
    validator: jsonschema::Validator,
    /// Schema paths (`/spec/receivers/[]/...`) where [`SNS_RULE`] applies.
    cel_at: Vec<String>,
    /// The converted schema itself, for sub-schemas (AlertmanagerConfig routes).
    schema: Value,
}

fn load_crd(path: &Path, version: &str) -> Crd {
    let text = std::fs::read_to_string(path).expect("read CRD");
    // The AlertmanagerConfig CRD has an unquoted `=` enum value (SOURCES.md): fine for a YAML 1.2
    // parser, which is what kbundle uses.
    let crd = yaml(&text);
    let v = crd["spec"]["versions"]
        .as_array()
        .expect("versions")
        .iter()
        .find(|v| v["name"] == version && v["served"] == true)
        .unwrap_or_else(|| panic!("{} does not serve {version}", path.display()))
        .clone();
    let mut rules = Vec::new();
    let mut schema = convert(&v["schema"]["openAPIV3Schema"], "", &mut rules);
    for (at, rule) in &rules {
        assert_eq!(rule, SNS_RULE, "{at}: CEL rule this test cannot evaluate");
    }
    schema["$schema"] = json!("https://json-schema.org/draft/2020-12/schema");
    jsonschema::draft202012::meta::validate(&schema).expect("converted schema is valid");
    Crd {
        api_version: format!(
            "{}/{version}",
            crd["spec"]["group"].as_str().expect("group")
        ),
        kind: crd["spec"]["names"]["kind"].as_str().expect("kind").into(),
        validator: jsonschema::draft202012::new(&schema).expect("validator"),
        cel_at: rules.into_iter().map(|(at, _)| at).collect(),
        schema,
    }
}

struct Crds {
    rule: Crd,
    routing: Crd,
    /// `spec.route` of the AlertmanagerConfig, for child routes.
    route: jsonschema::Validator,
}

fn crds() -> Option<Crds> {
    let dir = common::vendor()?.join("prometheus-operator");
    let rule = load_crd(
        &dir.join("monitoring.coreos.com_prometheusrules.yaml"),
        "v1",
    );
    let routing = load_crd(
        &dir.join("monitoring.coreos.com_alertmanagerconfigs.yaml"),
        "v1alpha1",
    );
    let mut route = routing.schema["properties"]["spec"]["properties"]["route"].clone();
    route["$schema"] = json!("https://json-schema.org/draft/2020-12/schema");
    let route = jsonschema::draft202012::new(&route).expect("route validator");
    Some(Crds {
        rule,
        routing,
        route,
    })
}

static DNS1123_SUBDOMAIN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$").expect("re")
});
static DNS1123_LABEL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$").expect("re"));
static LABEL_VALUE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$").expect("re"));
/// Legacy Prometheus label/alert name (what every Prometheus version accepts).
static PROM_NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[a-zA-Z_][a-zA-Z0-9_]*$").expect("re"));

fn metadata_problems(obj: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let meta = &obj["metadata"];
    let name = meta["name"].as_str().unwrap_or_default();
    if name.len() > 253 || !DNS1123_SUBDOMAIN.is_match(name) {
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
        let v = v.as_str().unwrap_or_default();
        let key_name = k.rsplit('/').next().unwrap_or_default();
        if key_name.is_empty() || key_name.len() > 63 || !LABEL_VALUE.is_match(key_name) {
            out.push(format!("label key {k:?} is invalid"));
        }
        if v.len() > 63 || !LABEL_VALUE.is_match(v) {
            out.push(format!("label {k:?} has an invalid value {v:?}"));
        }
    }
    out
}

fn cel_ok(node: &Value) -> bool {
    node.get("externalId").is_none() || node.get("roleArn").is_some()
}

/// The instance nodes a schema path (`/spec/receivers/[]/snsConfigs/[]/sigv4`) describes.
fn nodes_at<'a>(v: &'a Value, path: &[&str]) -> Vec<&'a Value> {
    let Some((first, rest)) = path.split_first() else {
        return vec![v];
    };
    match (*first, v) {
        ("[]", Value::Array(items)) => items.iter().flat_map(|c| nodes_at(c, rest)).collect(),
        ("{}", Value::Object(m)) => m.values().flat_map(|c| nodes_at(c, rest)).collect(),
        (key, Value::Object(m)) => m.get(key).map(|c| nodes_at(c, rest)).unwrap_or_default(),
        _ => Vec::new(),
    }
}

fn schema_problems(crd: &Crd, obj: &Value) -> Vec<String> {
    let mut out = Vec::new();
    if obj["apiVersion"] != crd.api_version.as_str() || obj["kind"] != crd.kind.as_str() {
        out.push(format!(
            "{} {} is not {} {}",
            obj["apiVersion"], obj["kind"], crd.api_version, crd.kind
        ));
    }
    out.extend(
        crd.validator
            .iter_errors(obj)
            .map(|e| format!("{}: {e}", e.instance_path())),
    );
    for at in &crd.cel_at {
        let path: Vec<&str> = at.split('/').filter(|s| !s.is_empty()).collect();
        for node in nodes_at(obj, &path) {
            if !cel_ok(node) {
                out.push(format!("{at}: CEL rule failed: {SNS_RULE}"));
            }
        }
    }
    out.extend(metadata_problems(obj));
    out
}

/// What the Prometheus Operator checks when it loads a PrometheusRule beyond the schema.
fn rule_problems(crds: &Crds, obj: &Value) -> Vec<String> {
    let mut out = schema_problems(&crds.rule, obj);
    let groups = obj["spec"]["groups"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut names = Vec::new();
    for g in &groups {
        let name = g["name"].as_str().unwrap_or_default().to_string();
        if names.contains(&name) {
            out.push(format!("group name {name:?} repeated (list-map key)"));
        }
        names.push(name);
        for r in g["rules"].as_array().into_iter().flatten() {
            let alert = r["alert"].as_str().unwrap_or_default();
            if !PROM_NAME.is_match(alert) {
                out.push(format!(
                    "alert name {alert:?} is not a valid Prometheus name"
                ));
            }
            if let Err(e) = parser::parse(r["expr"].as_str().unwrap_or_default()) {
                out.push(format!("expr of {alert} does not parse: {e}"));
            }
            for k in r["labels"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, _)| k)
            {
                if !PROM_NAME.is_match(k) {
                    out.push(format!("rule label {k:?} is not a valid label name"));
                }
            }
        }
    }
    out
}

/// What the Prometheus Operator checks when it loads an AlertmanagerConfig beyond the schema
/// (`pkg/alertmanager/validation/v1alpha1`).
fn routing_problems(crds: &Crds, obj: &Value) -> Vec<String> {
    let mut out = schema_problems(&crds.routing, obj);
    let spec = &obj["spec"];
    let mut receivers = Vec::new();
    for r in spec["receivers"].as_array().into_iter().flatten() {
        let name = r["name"].as_str().unwrap_or_default().to_string();
        if receivers.contains(&name) {
            out.push(format!("receiver {name:?} repeated"));
        }
        receivers.push(name);
        for p in r["pagerdutyConfigs"].as_array().into_iter().flatten() {
            if p.get("routingKey").is_none() && p.get("serviceKey").is_none() {
                out.push("one of 'routingKey' or 'serviceKey' is required".into());
            }
        }
        for w in r["webhookConfigs"].as_array().into_iter().flatten() {
            if w.get("url").is_none() && w.get("urlSecret").is_none() {
                out.push("one of 'url' or 'urlSecret' must be specified".into());
            }
        }
        for e in r["emailConfigs"].as_array().into_iter().flatten() {
            if e.get("to").is_none() {
                out.push("missing 'to' in an email config".into());
            }
            if let Some(h) = e["smarthost"].as_str()
                && h.rsplit_once(':')
                    .is_none_or(|(_, p)| p.parse::<u16>().is_err())
            {
                out.push(format!("invalid 'smarthost' {h}"));
            }
        }
    }
    check_route(crds, &spec["route"], &receivers, true, &mut out);
    out
}

fn check_route(crds: &Crds, route: &Value, receivers: &[String], top: bool, out: &mut Vec<String>) {
    if !top {
        out.extend(
            crds.route
                .iter_errors(route)
                .map(|e| format!("child route{}: {e}", e.instance_path())),
        );
    }
    match route["receiver"].as_str() {
        None | Some("") if top => out.push("root route must define a receiver".into()),
        Some(r) if !r.is_empty() && !receivers.iter().any(|x| x == r) => {
            out.push(format!("receiver {r:?} not found"))
        }
        _ => {}
    }
    let group_by: Vec<&str> = route["groupBy"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    for (i, g) in group_by.iter().enumerate() {
        if group_by[..i].contains(g) {
            out.push(format!("duplicate groupBy {g}"));
        }
    }
    for m in route["matchers"].as_array().into_iter().flatten() {
        if matches!(m["matchType"].as_str(), Some("=~" | "!~"))
            && Regex::new(&format!(
                "^(?:{})$",
                m["value"].as_str().unwrap_or_default()
            ))
            .is_err()
        {
            out.push(format!("matcher {m} has an invalid regex"));
        }
    }
    for child in route["routes"].as_array().into_iter().flatten() {
        check_route(crds, child, receivers, false, out);
    }
}

// ---------------------------------------------------------------------------------------------
// CRD validation
// ---------------------------------------------------------------------------------------------

#[test]
fn generated_objects_are_valid_against_the_crds() {
    let Some(crds) = crds() else { return };
    for (b, env) in cases() {
        let (_, rule, amc) = generate(&b, &env);
        let p = rule_problems(&crds, &rule);
        assert!(p.is_empty(), "{}: {p:#?}\n{rule:#}", b.name());
        let p = routing_problems(&crds, &amc);
        assert!(p.is_empty(), "{}: {p:#?}\n{amc:#}", b.name());
        // The emitted YAML reads back identically (the `=` match type included).
        for obj in [&rule, &amc] {
            let text = kbundle::yaml::to_string(obj).expect("yaml");
            assert_eq!(&yaml(&text), obj, "{text}");
        }
    }
}

#[test]
fn vendored_examples_pass() {
    // The converter and the hand-written operator checks accept the upstream examples.
    let Some(crds) = crds() else { return };
    let dir = common::vendor()
        .expect("vendor")
        .join("prometheus-operator/examples");
    let rule =
        yaml(&std::fs::read_to_string(dir.join("prometheus-example-rules.yaml")).expect("read"));
    let mut rule = rule;
    // `creationTimestamp: null` is server-owned metadata, not something a generator writes.
    rule["metadata"]
        .as_object_mut()
        .expect("metadata")
        .remove("creationTimestamp");
    assert_eq!(rule_problems(&crds, &rule), Vec::<String>::new());
    let amc =
        yaml(&std::fs::read_to_string(dir.join("alertmanager-config-example.yaml")).expect("read"));
    assert_eq!(routing_problems(&crds, &amc), Vec::<String>::new());
}

#[test]
fn deliberate_mistakes_fail() {
    let Some(crds) = crds() else { return };
    let (_, rule, amc) = generate(&bundle(ORDERS), &environment(PROD));
    type Mutation = fn(&mut Value);
    let rule_mistakes: &[(&str, &str, Mutation)] = &[
        ("misspelled field", "'annotation' was unexpected", |o| {
            o["spec"]["groups"][0]["rules"][0]["annotation"] = json!({});
        }),
        ("missing expr", "\"expr\" is a required property", |o| {
            o["spec"]["groups"][0]["rules"][0]
                .as_object_mut()
                .expect("rule")
                .remove("expr");
        }),
        ("for in words", "/for:", |o| {
            o["spec"]["groups"][0]["rules"][0]["for"] = json!("10 minutes");
        }),
        ("expr not PromQL", "does not parse", |o| {
            o["spec"]["groups"][0]["rules"][0]["expr"] = json!("sum by (x) (");
        }),
        (
            "alert name with a dash",
            "not a valid Prometheus name",
            |o| {
                o["spec"]["groups"][0]["rules"][0]["alert"] = json!("Kafka-Lag");
            },
        ),
        ("label value not a string", "is not of type", |o| {
            o["spec"]["groups"][0]["rules"][0]["labels"]["severity"] = json!(1);
        }),
        ("repeated group", "repeated (list-map key)", |o| {
            let g = o["spec"]["groups"][0].clone();
            o["spec"]["groups"].as_array_mut().expect("groups").push(g);
        }),
        ("server-owned metadata", "'uid' was unexpected", |o| {
            o["metadata"]["uid"] = json!("x");
        }),
        (
            "wrong apiVersion",
            "is not monitoring.coreos.com/v1 PrometheusRule",
            |o| {
                o["apiVersion"] = json!("monitoring.coreos.com/v1beta1");
            },
        ),
    ];
    for (what, want, mutate) in rule_mistakes {
        let mut o = rule.clone();
        mutate(&mut o);
        let p = rule_problems(&crds, &o);
        assert!(
            p.iter().any(|m| m.contains(want)),
            "PrometheusRule {what}: expected a problem containing {want:?}, got {p:#?}"
        );
    }
    let amc_mistakes: &[(&str, &str, Mutation)] = &[
        (
            "pagerduty key spelled routingkey",
            "'routingkey' was unexpected",
            |o| {
                let p = &mut o["spec"]["receivers"][0]["pagerdutyConfigs"][0];
                let key = p["routingKey"].take();
                p.as_object_mut().expect("cfg").remove("routingKey");
                p["routingkey"] = key;
            },
        ),
        (
            "pagerduty without a key",
            "one of 'routingKey' or 'serviceKey'",
            |o| {
                o["spec"]["receivers"][0]["pagerdutyConfigs"][0] = json!({});
            },
        ),
        ("literal slack URL", "is not of type \"object\"", |o| {
            o["spec"]["receivers"][1]["slackConfigs"][0]["apiURL"] =
                json!("https://hooks.slack.com/x");
        }),
        ("matchType ==", "/matchType:", |o| {
            o["spec"]["route"]["matchers"][0]["matchType"] = json!("==");
        }),
        (
            "root route without receiver",
            "root route must define a receiver",
            |o| {
                o["spec"]["route"]
                    .as_object_mut()
                    .expect("route")
                    .remove("receiver");
            },
        ),
        (
            "child route to an unknown receiver",
            "receiver \"nobody\" not found",
            |o| {
                o["spec"]["route"]["routes"][0]["receiver"] = json!("nobody");
            },
        ),
        (
            "child route with a misspelled field",
            "'reciever' was unexpected",
            |o| {
                o["spec"]["route"]["routes"][0]["reciever"] = json!("x");
            },
        ),
        (
            "child route matcher without name",
            "\"name\" is a required property",
            |o| {
                o["spec"]["route"]["routes"][0]["matchers"][0]
                    .as_object_mut()
                    .expect("matcher")
                    .remove("name");
            },
        ),
        ("webhook without url", "one of 'url' or 'urlSecret'", |o| {
            o["spec"]["receivers"][2]["webhookConfigs"][0] = json!({});
        }),
        ("email without to", "missing 'to'", |o| {
            o["spec"]["receivers"][3]["emailConfigs"][0]
                .as_object_mut()
                .expect("email")
                .remove("to");
        }),
        ("SNS CEL rule", "CEL rule failed", |o| {
            o["spec"]["receivers"][0]["snsConfigs"] =
                json!([{"topicARN": "arn:x", "sigv4": {"externalId": "e"}}]);
        }),
        (
            "repeated receiver",
            "receiver \"oncall-orders\" repeated",
            |o| {
                let r = o["spec"]["receivers"][0].clone();
                o["spec"]["receivers"]
                    .as_array_mut()
                    .expect("receivers")
                    .push(r);
            },
        ),
        ("bad namespace", "is not a DNS-1123 label", |o| {
            o["metadata"]["namespace"] = json!("Kafka");
        }),
    ];
    for (what, want, mutate) in amc_mistakes {
        let mut o = amc.clone();
        mutate(&mut o);
        let p = routing_problems(&crds, &o);
        assert!(
            p.iter().any(|m| m.contains(want)),
            "AlertmanagerConfig {what}: expected a problem containing {want:?}, got {p:#?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// PromQL
// ---------------------------------------------------------------------------------------------

/// What an expression must look like.
#[derive(Debug)]
struct Shape {
    comparison: &'static str,
    threshold: f64,
    by: Vec<&'static str>,
    metric: &'static str,
    matchers: Vec<(&'static str, String)>,
    /// `increase(...[range])` for throughput.
    range: Option<Duration>,
}

fn unparen(e: &Expr) -> &Expr {
    match e {
        Expr::Paren(p) => unparen(&p.expr),
        e => e,
    }
}

fn assert_shape(expr: &str, want: &Shape) {
    let ast = parser::parse(expr).unwrap_or_else(|e| panic!("{expr:?} is not PromQL: {e}"));
    let Expr::Binary(bin) = &ast else {
        panic!("{expr}: top level is not a comparison: {ast:?}")
    };
    assert_eq!(bin.op.to_string(), want.comparison, "{expr}");
    // A filtering comparison, not `bool`: the alert carries the aggregated series.
    assert!(
        bin.modifier.as_ref().is_none_or(|m| !m.return_bool),
        "{expr}"
    );
    let Expr::NumberLiteral(n) = unparen(&bin.rhs) else {
        panic!("{expr}: right side is not a number")
    };
    assert_eq!(n.val, want.threshold, "{expr}");
    let Expr::Aggregate(agg) = unparen(&bin.lhs) else {
        panic!("{expr}: left side is not an aggregation")
    };
    assert_eq!(agg.op.to_string(), "sum", "{expr}");
    let by = agg.modifier.as_ref().expect("by clause");
    assert!(by.is_include(), "{expr}: `without` instead of `by`");
    assert_eq!(by.labels().labels, want.by, "{expr}");
    let selector = match (unparen(&agg.expr), want.range) {
        (Expr::VectorSelector(vs), None) => vs,
        (Expr::Call(call), Some(range)) => {
            assert_eq!(call.func.name, "increase", "{expr}");
            assert_eq!(call.args.args.len(), 1, "{expr}");
            let Expr::MatrixSelector(ms) = unparen(&call.args.args[0]) else {
                panic!("{expr}: increase() of something else than a range selector")
            };
            assert_eq!(ms.range, range, "{expr}");
            &ms.vs
        }
        (other, _) => panic!("{expr}: unexpected aggregated expression {other:?}"),
    };
    assert_eq!(selector.name.as_deref(), Some(want.metric), "{expr}");
    assert!(selector.offset.is_none() && selector.at.is_none(), "{expr}");
    let mut got: Vec<(String, String)> = selector
        .matchers
        .matchers
        .iter()
        .map(|m| {
            assert!(matches!(m.op, MatchOp::Equal), "{expr}: {m:?} is not `=`");
            (m.name.clone(), m.value.clone())
        })
        .filter(|(name, _)| name != "__name__")
        .collect();
    got.sort();
    let mut want_m: Vec<(String, String)> = want
        .matchers
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    want_m.sort();
    assert_eq!(got, want_m, "{expr}");
    assert!(selector.matchers.or_matchers.is_empty(), "{expr}");
}

fn lag(group: &str, topic: Option<&str>, above: f64) -> Shape {
    let mut matchers = vec![("consumergroup", group.to_string())];
    let mut by = vec!["namespace", "consumergroup"];
    if let Some(t) = topic {
        matchers.push(("topic", t.to_string()));
        by.push("topic");
    }
    Shape {
        comparison: ">",
        threshold: above,
        by,
        metric: LAG_METRIC,
        matchers,
        range: None,
    }
}

fn throughput(topic: &str, comparison: &'static str, threshold: f64, range: u64) -> Shape {
    Shape {
        comparison,
        threshold,
        by: vec!["namespace", "topic"],
        metric: OFFSET_METRIC,
        matchers: vec![("topic", topic.to_string())],
        range: Some(Duration::from_secs(range)),
    }
}

#[test]
fn every_expression_parses_as_the_intended_promql() {
    let (plans, rule, _) = generate(&bundle(ORDERS), &environment(PROD));
    let want: Vec<(&str, Shape)> = vec![
        (
            "KafkaConsumerLag_orders_payments_lag",
            lag("orders-service", Some("payments.settled.v1"), 10000.0),
        ),
        (
            "KafkaConsumerLag_orders_enricher_lag",
            lag("orders-enricher", None, 500.0),
        ),
        (
            "KafkaConsumerLag_orders_audit_lag",
            lag("audit-eu", None, 1.0),
        ),
        (
            "KafkaThroughputLow_orders_orders_silent",
            throughput("orders.created.v1", "<", 1.0, 60),
        ),
        (
            "KafkaThroughputLow_orders_orders_band",
            throughput("orders.created.v1", "<", 0.5, 300),
        ),
        (
            "KafkaThroughputHigh_orders_orders_band",
            throughput("orders.created.v1", ">", 25000.75, 300),
        ),
    ];
    let names: Vec<&str> = plans.iter().map(|p| p.alertname.as_str()).collect();
    assert_eq!(names, want.iter().map(|(n, _)| *n).collect::<Vec<_>>());
    for (p, (_, shape)) in plans.iter().zip(&want) {
        assert_shape(&p.expr, shape);
    }
    // The object carries exactly the planned expressions.
    let exprs: Vec<&str> = rule["spec"]["groups"][0]["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .map(|r| r["expr"].as_str().expect("expr"))
        .collect();
    assert_eq!(
        exprs,
        plans.iter().map(|p| p.expr.as_str()).collect::<Vec<_>>()
    );

    let (plans, _, _) = generate(&bundle(BILLING), &environment(BILLING_ENV));
    assert_eq!(plans.len(), 1);
    assert_eq!(
        plans[0].alertname,
        "KafkaThroughputHigh_billing_v2_invoice_storm"
    );
    assert_shape(
        &plans[0].expr,
        &throughput("billing.invoices.v1", ">", 100000.0, 3600),
    );
}

#[test]
fn odd_consumer_group_ids_stay_inside_their_string_literal() {
    // Group ids are free text in Kafka; a quote or backslash must not end the literal early.
    let odd = r#"legacy "group" \ one"#;
    let text = ORDERS
        .replace(
            "group: orders-service}",
            &format!("group: {}}}", serde_json::to_string(odd).expect("json")),
        )
        .replace(
            "{group: orders-service, topic",
            &format!(
                "{{group: {}, topic",
                serde_json::to_string(odd).expect("json")
            ),
        );
    let b = bundle(&text);
    let plans = plan_alerts(&b, &environment(PROD).env.spec);
    assert_shape(
        &plans[0].expr,
        &lag(odd, Some("payments.settled.v1"), 10000.0),
    );
}

// ---------------------------------------------------------------------------------------------
// routing and errors
// ---------------------------------------------------------------------------------------------

#[test]
fn routing_reaches_every_named_receiver_and_only_those() {
    let (plans, rule, amc) = generate(&bundle(ORDERS), &environment(PROD));
    let spec = &amc["spec"];
    assert_eq!(amc["metadata"]["name"], "orders-kbundle-routing");
    assert_eq!(amc["metadata"]["namespace"], "kafka");
    assert_eq!(rule["metadata"]["name"], "orders-kbundle-alerts");
    for obj in [&rule, &amc] {
        assert_eq!(
            obj["metadata"]["labels"]["release"],
            "kube-prometheus-stack"
        );
        assert_eq!(
            obj["metadata"]["labels"]["app.kubernetes.io/part-of"],
            "orders"
        );
    }
    // The root matches the bundle's routed alerts only: another alert labelled with the
    // bundle must not reach the root's receiver.
    let routed: Vec<&str> = plans
        .iter()
        .filter(|p| !p.receivers.is_empty())
        .map(|p| p.alertname.as_str())
        .collect();
    assert_eq!(
        spec["route"]["matchers"],
        json!([{"name": "bundle", "matchType": "=", "value": "orders"},
               {"name": "alertname", "matchType": "=~", "value": routed.join("|")}])
    );
    let receivers: Vec<&str> = spec["receivers"]
        .as_array()
        .expect("receivers")
        .iter()
        .map(|r| r["name"].as_str().expect("name"))
        .collect();
    assert_eq!(
        receivers,
        [
            "oncall-orders",
            "slack-orders",
            "hook-orders",
            "mail-orders"
        ],
        "Environment order, `unused` left out"
    );
    // Simulate Alertmanager: an alert goes to every child route it matches (all continue).
    let routes = spec["route"]["routes"].as_array().expect("routes");
    for p in &plans {
        assert_eq!(p.labels["bundle"], "orders");
        let mut got: Vec<&str> = routes
            .iter()
            .filter(|r| {
                r["continue"] == true
                    && r["matchers"].as_array().expect("m").iter().all(|m| {
                        let v = m["value"].as_str().expect("value");
                        match m["matchType"].as_str() {
                            Some("=") => p.alertname == v,
                            Some("=~") => Regex::new(&format!("^(?:{v})$"))
                                .expect("regex")
                                .is_match(&p.alertname),
                            other => panic!("matchType {other:?}"),
                        }
                    })
            })
            .map(|r| r["receiver"].as_str().expect("receiver"))
            .collect();
        got.sort();
        let mut want: Vec<&str> = p.receivers.iter().map(String::as_str).collect();
        want.sort();
        assert_eq!(got, want, "{}", p.alertname);
    }
    // Rules carry severity, bundle, owner and a summary and description.
    for r in rule["spec"]["groups"][0]["rules"]
        .as_array()
        .expect("rules")
    {
        let labels: Vec<&String> = r["labels"].as_object().expect("labels").keys().collect();
        assert_eq!(labels, ["bundle", "owner", "severity"]);
        let ann: Vec<&String> = r["annotations"].as_object().expect("ann").keys().collect();
        assert_eq!(ann, ["description", "summary"]);
    }
}

#[test]
fn output_is_deterministic() {
    let a = generate(&bundle(ORDERS), &environment(PROD));
    let b = generate(&bundle(ORDERS), &environment(PROD));
    let text = |v: &Value| kbundle::yaml::to_string(v).expect("yaml");
    assert_eq!(text(&a.1), text(&b.1));
    assert_eq!(text(&a.2), text(&b.2));
}

fn codes(d: &[Diagnostic]) -> Vec<&str> {
    d.iter().map(|d| d.code).collect()
}

#[test]
fn unknown_receiver_is_an_error() {
    let text = ORDERS.replace("notify: [hook-orders]", "notify: [hook-order, pager]");
    let d = diagnostics(&bundle(&text), &environment(PROD));
    assert_eq!(codes(&d), ["KB093", "KB093"], "{d:#?}");
    assert!(d.iter().all(Diagnostic::is_error));
    assert_eq!(d[0].field.as_deref(), Some("spec.alerts[1].notify[0]"));
    assert_eq!(d[0].hint.as_deref(), Some("did you mean \"hook-orders\"?"));
    assert_eq!(
        d[1].message,
        "notify names receiver \"pager\", which Environment/prod does not define"
    );
}

#[test]
fn missing_lag_alert_is_an_error_listing_the_groups() {
    // Drop the enricher and audit lag alerts: two groups lose their alert.
    let start = ORDERS.find("    - name: enricher-lag").expect("enricher");
    let end = ORDERS.find("    - name: orders-silent").expect("silent");
    let text = format!("{}{}", &ORDERS[..start], &ORDERS[end..]);
    let d = diagnostics(&bundle(&text), &environment(PROD));
    assert_eq!(codes(&d), ["KB098"], "{d:#?}");
    assert_eq!(
        d[0].message,
        "consumer groups without a consumerLag alert: audit-*, orders-enricher; \
         policy.lagAlerts of Environment/prod requires one for every consumer group"
    );
    // The same bundle under an Environment without the policy is fine.
    let relaxed = PROD.replace("policy: {lagAlerts: true}", "policy: {}");
    assert_eq!(
        codes(&diagnostics(&bundle(&text), &environment(&relaxed))),
        Vec::<&str>::new()
    );
}

/// The objects the whole pipeline writes for the golden cases pass the same CRD checks.
#[test]
fn golden_pipeline_outputs_are_valid_against_the_crds() {
    let Some(crds) = crds() else { return };
    let mut seen = 0;
    for family in std::fs::read_dir(common::root().join("testdata"))
        .expect("testdata")
        .flatten()
    {
        for case in std::fs::read_dir(family.path()).expect("family").flatten() {
            let dir = case.path();
            if !dir.join("expected.yaml").exists() {
                continue;
            }
            let text = std::fs::read_to_string(dir.join("expected.yaml")).expect("expected.yaml");
            for obj in kbundle::yaml::parse_stream(&text)
                .expect("yaml")
                .into_iter()
                .map(|d| d.value)
            {
                let problems = match obj["kind"].as_str() {
                    Some("PrometheusRule") => rule_problems(&crds, &obj),
                    Some("AlertmanagerConfig") => routing_problems(&crds, &obj),
                    _ => continue,
                };
                seen += 1;
                assert!(problems.is_empty(), "{}: {problems:#?}", dir.display());
            }
        }
    }
    assert!(
        seen >= 2,
        "expected the delivery golden case's rule and routing, saw {seen}"
    );
}
