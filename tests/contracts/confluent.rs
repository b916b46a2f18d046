//! Target confluent: every generated CFK object (`KafkaTopic`, `Schema`, `Connector`,
//! `ConfluentRolebinding`) validates against the vendored CFK JSON Schemas
//! (../shared/vendor/confluent/jsonschema), and the same bundles give the same effective access
//! on both targets (docs/reference/confluent.md, "Same access on both targets").

use crate::support;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const KINDS: [(&str, &str); 4] = [
    ("KafkaTopic", "kafkatopic_v1beta1.json"),
    ("Schema", "schema_v1beta1.json"),
    ("Connector", "connector_v1beta1.json"),
    ("ConfluentRolebinding", "confluentrolebinding_v1beta1.json"),
];

fn validators(vendor: &Path) -> BTreeMap<&'static str, jsonschema::Validator> {
    KINDS
        .iter()
        .map(|(kind, file)| {
            let path = vendor.join("confluent/jsonschema").join(file);
            let text = std::fs::read_to_string(&path).expect("schema file");
            let schema: Value = serde_json::from_str(&text).expect("schema json");
            (
                *kind,
                jsonschema::validator_for(&schema).expect("schema compiles"),
            )
        })
        .collect()
}

fn errors(v: &jsonschema::Validator, obj: &Value) -> Vec<String> {
    v.iter_errors(obj)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

fn render(paths: &[PathBuf]) -> Vec<Value> {
    let paths: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    let (items, diags) = kbundle::source::read_paths(&paths, &mut std::io::empty());
    assert!(!kbundle::diag::has_errors(&diags), "{diags:?}");
    let r = kbundle::render::render(items, None, &kbundle::render::Options::default());
    assert!(!r.has_errors(), "{:?}", r.diagnostics);
    r.items
}

/// Successful golden cases of the confluent family, plus the gitops example's overlay input.
fn confluent_inputs() -> Vec<Vec<PathBuf>> {
    let example = support::root().join("examples/gitops");
    let mut out = vec![vec![
        example.join("base"),
        example.join("overlays/confluent/environment.yaml"),
    ]];
    let family = support::root().join("testdata/confluent");
    for case in std::fs::read_dir(&family)
        .expect("testdata/confluent")
        .flatten()
    {
        if case.path().join("expected.yaml").exists() && !case.path().join("args").exists() {
            out.push(vec![case.path().join("input")]);
        }
    }
    out.sort();
    out
}

fn cfk_objects_match_the_vendored_json_schemas() {
    let Some(vendor) = support::vendor() else {
        return;
    };
    let v = validators(&vendor);
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for input in confluent_inputs() {
        for obj in render(&input) {
            let kind = obj["kind"].as_str().unwrap_or_default().to_string();
            if obj["apiVersion"] == "platform.confluent.io/v1beta1" {
                let validator = v
                    .get(kind.as_str())
                    .unwrap_or_else(|| panic!("no schema for CFK kind {kind}"));
                assert_eq!(errors(validator, &obj), Vec::<String>::new(), "{obj:#}");
                assert_eq!(
                    support::crds::metadata_problems(&obj),
                    Vec::<String>::new(),
                    "{obj:#}"
                );
            }
            *counts.entry(kind).or_default() += 1;
        }
    }
    for (kind, _) in KINDS {
        assert!(
            counts.get(kind).copied().unwrap_or(0) > 0,
            "no {kind} rendered: {counts:?}"
        );
    }
    println!("validated: {counts:?}");
}

/// The validators are not vacuous: the vendored CFK examples pass, the Confluent Cloud example
/// with its `<rest-endpoint>` placeholder fails, and a Strimzi-shaped field is refused.
fn the_schemas_can_fail() {
    let Some(vendor) = support::vendor() else {
        return;
    };
    let v = validators(&vendor);
    let examples = vendor.join("confluent/examples");
    let mut checked = 0;
    for entry in std::fs::read_dir(&examples).expect("examples").flatten() {
        if entry.path().extension().and_then(|e| e.to_str()) != Some("yaml") {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        for obj in support::docs(&text) {
            let Some(validator) = v.get(obj["kind"].as_str().unwrap_or_default()) else {
                continue;
            };
            checked += 1;
            let errs = errors(validator, &obj);
            let placeholder = entry.path().ends_with("ccloud-topic_topic.yaml");
            assert_eq!(
                !errs.is_empty(),
                placeholder,
                "{}: {errs:?}",
                entry.path().display()
            );
        }
    }
    assert!(checked >= 8, "{checked} examples");
    let strimzi_shaped = serde_json::json!({
        "apiVersion": "platform.confluent.io/v1beta1", "kind": "Connector",
        "metadata": {"name": "c"},
        "spec": {"class": "x", "tasksMax": 1},
    });
    assert!(!errors(&v["Connector"], &strimzi_shaped).is_empty());
    // The Confluent Cloud registry reference: a schemaRegistryRest without an http(s)
    // endpoint or an authentication type is refused, the shape kbundle writes is not.
    let rest = |rest: Value| {
        serde_json::json!({
            "apiVersion": "platform.confluent.io/v1beta1", "kind": "Schema",
            "metadata": {"name": "s"},
            "spec": {"data": {"configRef": "c", "format": "avro"}, "schemaRegistryRest": rest},
        })
    };
    let bad = rest(serde_json::json!({"endpoint": "psrc-1.confluent.cloud",
        "authentication": {"basic": {"secretRef": "sr"}}}));
    assert_eq!(
        errors(&v["Schema"], &bad).len(),
        2,
        "{:?}",
        errors(&v["Schema"], &bad)
    );
    let good = rest(
        serde_json::json!({"endpoint": "https://psrc-1.confluent.cloud",
        "authentication": {"type": "basic", "basic": {"secretRef": "sr"}}}),
    );
    assert_eq!(errors(&v["Schema"], &good), Vec::<String>::new());
}

/// (principal, operation, resource type, pattern type, name)
type Permission = (String, String, String, String, String);

fn strimzi_permissions(objects: &[Value]) -> BTreeSet<Permission> {
    let mut out = BTreeSet::new();
    for u in objects.iter().filter(|o| o["kind"] == "KafkaUser") {
        let user = u["metadata"]["name"].as_str().unwrap_or_default();
        for acl in u["spec"]["authorization"]["acls"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let r = &acl["resource"];
            let rt = match r["type"].as_str().unwrap_or_default() {
                "topic" => "Topic",
                "group" => "Group",
                "transactionalId" => "TransactionalId",
                "cluster" => "Cluster",
                other => panic!("unexpected ACL resource type {other}"),
            };
            // A cluster ACL has no name; MDS names the cluster resource `kafka-cluster`.
            let name = if rt == "Cluster" {
                "kafka-cluster"
            } else {
                r["name"].as_str().unwrap_or_default()
            };
            let pt = match r["patternType"].as_str().unwrap_or("literal") {
                "prefix" => "PREFIXED",
                _ => "LITERAL",
            };
            for op in acl["operations"].as_array().into_iter().flatten() {
                out.insert((
                    user.to_string(),
                    op.as_str().unwrap_or_default().to_string(),
                    rt.to_string(),
                    pt.to_string(),
                    name.to_string(),
                ));
            }
        }
    }
    out
}

/// The role definitions as docs/reference/confluent.md ("Role definitions") documents them:
/// (role, resource type) → operations. Read from the docs, not from kbundle, so the comparison
/// holds the output to what the README's roles table says (`—` none, `†` unverified).
fn documented_roles() -> BTreeMap<(String, String), BTreeSet<String>> {
    let doc = std::fs::read_to_string(support::root().join("docs/reference/confluent.md"))
        .expect("docs/reference/confluent.md");
    let section = doc
        .split("### Role definitions")
        .nth(1)
        .expect("a Role definitions section")
        .to_string();
    let mut out = BTreeMap::new();
    let mut header: Vec<String> = Vec::new();
    for line in section.lines().take_while(|l| !l.starts_with("##")) {
        let cells: Vec<String> = line.split('|').map(|c| c.trim().to_string()).collect();
        if cells.get(1).map(String::as_str) == Some("role") {
            header = cells;
            continue;
        }
        let Some(role) = cells
            .get(1)
            .filter(|r| r.starts_with("Developer") || r.as_str() == "ResourceOwner")
        else {
            continue;
        };
        for (i, rt) in header.iter().enumerate().skip(2) {
            if !["Topic", "Group", "TransactionalId", "Cluster"].contains(&rt.as_str()) {
                continue;
            }
            let ops: BTreeSet<String> = cells[i]
                .split(',')
                .map(|o| o.replace('†', "").trim().to_string())
                .filter(|o| !o.is_empty() && o != "—")
                .collect();
            out.insert((role.clone(), rt.clone()), ops);
        }
    }
    assert_eq!(out.len(), 16, "4 roles x 4 resource types: {out:?}");
    out
}

fn cfk_permissions(objects: &[Value]) -> BTreeSet<Permission> {
    let roles = documented_roles();
    let mut out = BTreeSet::new();
    for b in objects
        .iter()
        .filter(|o| o["kind"] == "ConfluentRolebinding")
    {
        let user = b["spec"]["principal"]["name"].as_str().unwrap_or_default();
        let role = b["spec"]["role"].as_str().unwrap_or_default();
        for p in b["spec"]["resourcePatterns"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let rt = p["resourceType"].as_str().unwrap_or_default();
            let ops = roles
                .get(&(role.to_string(), rt.to_string()))
                .unwrap_or_else(|| panic!("undocumented role {role} on {rt}"));
            for op in ops {
                out.insert((
                    user.to_string(),
                    op.clone(),
                    rt.to_string(),
                    p["patternType"].as_str().unwrap_or("LITERAL").to_string(),
                    p["name"].as_str().unwrap_or_default().to_string(),
                ));
            }
        }
    }
    out
}

const STRIMZI_ENV: &str = "apiVersion: kbundle.dev/v1alpha1
kind: Environment
metadata: {name: prod}
spec:
  namespace: confluent
  strimzi: {cluster: main, connectCluster: connect}
  policy: {maskPii: true, allowTopicDeletion: true}
  schemaRegistry: {url: \"http://schema-registry.kafka:8081\"}
  hooks: {image: \"curlimages/curl:8.11.0\"}
  masking:
    hashTransform: com.example.connect.HashField$Value
    nestedTransform: com.example.connect.MaskNested$Value
  alerting:
    receivers:
      - name: oncall-crm
        pagerduty: {routingKey: {secret: pagerduty-crm, key: routing-key}}
";

const STRIMZI_CONNECT_ENV: &str = "apiVersion: kbundle.dev/v1alpha1
kind: Environment
metadata: {name: prod}
spec:
  namespace: confluent
  strimzi: {cluster: main, connectCluster: connect}
  connect: {serviceAccount: connect-connect, clientOverridePolicy: All}
";

/// Render a confluent golden case's bundle (its `files`) under a Strimzi Environment, and the
/// case itself, and compare the effective permissions: CFK grants everything Strimzi grants,
/// and the only extra permission is the one docs/reference/confluent.md lists, Describe on a
/// group the principal may Read (DeveloperRead has both). Returns (strimzi, cfk, extra).
fn compare(case: &str, files: &[&str], strimzi_env: &str) -> (usize, usize, usize) {
    let case = support::root()
        .join("testdata/confluent")
        .join(case)
        .join("input");
    let dir = std::env::temp_dir().join(format!(
        "kbundle-same-access-{}-{}",
        std::process::id(),
        files.len()
    ));
    for f in files {
        let to = dir.join(f);
        std::fs::create_dir_all(to.parent().expect("a parent")).expect("temp dir");
        std::fs::copy(case.join(f), to).expect("copy input");
    }
    std::fs::write(dir.join("env.yaml"), strimzi_env).expect("write env");
    let strimzi = strimzi_permissions(&render(std::slice::from_ref(&dir)));
    let _ = std::fs::remove_dir_all(&dir);
    let cfk = cfk_permissions(&render(&[case]));
    assert!(!strimzi.is_empty());
    let missing: Vec<_> = strimzi.difference(&cfk).collect();
    assert_eq!(
        missing,
        Vec::<&Permission>::new(),
        "CFK grants less than Strimzi"
    );
    let extra: Vec<&Permission> = cfk.difference(&strimzi).collect();
    for (user, op, rt, pt, name) in &extra {
        let reads_it = strimzi.contains(&(
            user.clone(),
            "Read".to_string(),
            rt.clone(),
            pt.clone(),
            name.clone(),
        ));
        let justified = rt == "Group" && op == "Describe" && reads_it;
        assert!(
            justified,
            "unjustified extra permission: {user} {op} {rt} {pt} {name}"
        );
    }
    assert!(
        !extra.is_empty(),
        "the documented differences disappeared; update the docs"
    );
    (strimzi.len(), cfk.len(), extra.len())
}

/// Same bundles, both targets: principals with every kind of role (produce, consume, streams,
/// transactional ids).
fn same_access_on_both_targets() {
    let (s, c, e) = compare(
        "platform",
        &["bundle.yaml", "schemas/profile.avsc"],
        STRIMZI_ENV,
    );
    println!("strimzi {s} permissions, cfk {c} ({e} extra, all documented)");
}

/// Connectors as their own principals (Strimzi `spec.connect`, CFK
/// `confluent.connectorPrincipals`): a sink with a dead-letter topic and a source.
fn same_access_for_connector_principals() {
    let (s, c, e) = compare(
        "connector-principals",
        &["bundle.yaml"],
        STRIMZI_CONNECT_ENV,
    );
    assert!(
        s >= 7,
        "{s} permissions: the connector principals are missing"
    );
    println!("strimzi {s} permissions, cfk {c} ({e} extra, all documented)");
}

register!(
    cfk_objects_match_the_vendored_json_schemas,
    the_schemas_can_fail,
    same_access_on_both_targets,
    same_access_for_connector_principals,
);
