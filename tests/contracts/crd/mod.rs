//! Every object kbundle generates for target strimzi is validated against the real, vendored
//! Strimzi CRDs (`../shared/vendor/strimzi/crds` for `kafka.strimzi.io/v1`,
//! `../shared/vendor/strimzi/crds-0.51.0` for `v1beta2`), with the validator in
//! `tests/common/crds.rs`.
//!
//! A CRD's `openAPIV3Schema` is converted to a JSON Schema (draft 2020-12) that is *stricter*
//! than the API server: an object that lists `properties` gets `additionalProperties: false`
//! unless it preserves unknown fields. The API server would silently prune a misspelled field
//! (or reject it under `kubectl apply --validate=strict`); here it fails the test. On top of the
//! schema, `metadata` is checked the way the API server checks it (DNS-1123 names, label
//! syntax), and the CRDs' CEL rules (`x-kubernetes-validations`) are evaluated by hand-written
//! equivalents: a CRD with a rule this file does not know fails loudly.

mod common;

use common::crds::{CelRule, Crds, STRIMZI_KINDS, eval_cel};
use kbundle::model::environment::{EnvironmentSpec, StrimziApiVersion};
use kbundle::plan::connectors::{ConnectorPlan, ConnectorState, ConnectorType, Transform};
use kbundle::render::{self, Options, Rendered};
use kbundle::target::connect;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

// ---------------------------------------------------------------------------------------------
// fixtures
// ---------------------------------------------------------------------------------------------

type Vendor = common::crds::Strimzi;

fn vendor() -> Option<Vendor> {
    common::crds::strimzi()
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
