use super::*;
use crate::support::crds::{Seg, nodes_at, openapi_to_json_schema, seg_path};

// ---------------------------------------------------------------------------------------------
// The Prometheus Operator CRDs as strict JSON Schemas, and the operator's own checks
// ---------------------------------------------------------------------------------------------

// The converter is `support::crds::openapi_to_json_schema`, shared with the Strimzi checks.

/// The only CEL rule in the vendored CRDs (SNS sigv4 settings); evaluated by [`cel_ok`].
pub const SNS_RULE: &str = "!has(self.externalId) || has(self.roleArn)";

pub struct Crd {
    pub api_version: String,
    pub kind: String,
    pub validator: jsonschema::Validator,
    /// Schema paths (`/spec/receivers/[]/...`) where [`SNS_RULE`] applies.
    pub cel_at: Vec<Vec<Seg>>,
    /// The converted schema itself, for sub-schemas (AlertmanagerConfig routes).
    pub schema: Value,
}

pub fn load_crd(path: &Path, version: &str) -> Crd {
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
    let (schema, rules) = openapi_to_json_schema(&v["schema"]["openAPIV3Schema"]);
    for r in &rules {
        assert_eq!(
            r.rule,
            SNS_RULE,
            "{}: CEL rule this test cannot evaluate",
            seg_path(&r.at)
        );
    }
    jsonschema::draft202012::meta::validate(&schema).expect("converted schema is valid");
    Crd {
        api_version: format!(
            "{}/{version}",
            crd["spec"]["group"].as_str().expect("group")
        ),
        kind: crd["spec"]["names"]["kind"].as_str().expect("kind").into(),
        validator: jsonschema::draft202012::new(&schema).expect("validator"),
        cel_at: rules.into_iter().map(|r| r.at).collect(),
        schema,
    }
}

pub struct Crds {
    pub rule: Crd,
    pub routing: Crd,
    /// `spec.route` of the AlertmanagerConfig, for child routes.
    pub route: jsonschema::Validator,
}

pub fn crds() -> Option<Crds> {
    let dir = support::vendor()?.join("prometheus-operator");
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

pub static DNS1123_SUBDOMAIN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$").expect("re")
});
pub static DNS1123_LABEL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$").expect("re"));
pub static LABEL_VALUE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$").expect("re"));
/// Legacy Prometheus label/alert name (what every Prometheus version accepts).
pub static PROM_NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[a-zA-Z_][a-zA-Z0-9_]*$").expect("re"));

pub fn metadata_problems(obj: &Value) -> Vec<String> {
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

pub fn cel_ok(node: &Value) -> bool {
    node.get("externalId").is_none() || node.get("roleArn").is_some()
}

pub fn schema_problems(crd: &Crd, obj: &Value) -> Vec<String> {
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
        for node in nodes_at(obj, at) {
            if !cel_ok(node) {
                out.push(format!("{}: CEL rule failed: {SNS_RULE}", seg_path(at)));
            }
        }
    }
    out.extend(metadata_problems(obj));
    out
}

/// What the Prometheus Operator checks when it loads a PrometheusRule beyond the schema.
pub fn rule_problems(crds: &Crds, obj: &Value) -> Vec<String> {
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
pub fn routing_problems(crds: &Crds, obj: &Value) -> Vec<String> {
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

pub fn check_route(
    crds: &Crds,
    route: &Value,
    receivers: &[String],
    top: bool,
    out: &mut Vec<String>,
) {
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
