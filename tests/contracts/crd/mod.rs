//! Every object kbundle generates for target strimzi is validated against the real, vendored
//! Strimzi CRDs (`../shared/vendor/strimzi/crds` for `kafka.strimzi.io/v1`,
//! `../shared/vendor/strimzi/crds-0.51.0` for `v1beta2`), with the validator in
//! `tests/support/crds.rs`.
//!
//! A CRD's `openAPIV3Schema` is converted to a JSON Schema (draft 2020-12) that is *stricter*
//! than the API server: an object that lists `properties` gets `additionalProperties: false`
//! unless it preserves unknown fields. The API server would silently prune a misspelled field
//! (or reject it under `kubectl apply --validate=strict`); here it fails the test. On top of the
//! schema, `metadata` is checked the way the API server checks it (DNS-1123 names, label
//! syntax), and the CRDs' CEL rules (`x-kubernetes-validations`) are evaluated by hand-written
//! equivalents: a CRD with a rule this file does not know fails loudly.

use crate::support;

use kbundle::backend::strimzi::connect;
use kbundle::model::environment::{EnvironmentSpec, StrimziApiVersion};
use kbundle::plan::connectors::{ConnectorPlan, ConnectorState, ConnectorType, Transform};
use kbundle::render::{self, Options, Rendered};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use support::crds::{CelRule, Crds, STRIMZI_KINDS, eval_cel};

mod connectors;
mod examples;
mod golden;
mod mistakes;

#[allow(unused_imports)]
use connectors::*;
#[allow(unused_imports)]
use examples::*;
#[allow(unused_imports)]
use golden::*;
#[allow(unused_imports)]
use mistakes::*;

// ---------------------------------------------------------------------------------------------
// fixtures
// ---------------------------------------------------------------------------------------------

type Vendor = support::crds::Strimzi;

fn vendor() -> Option<Vendor> {
    support::crds::strimzi()
}

fn render_items(items: Vec<kbundle::source::Item>, context: &str) -> Vec<Value> {
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

fn read_dir_items(dir: &Path) -> Vec<kbundle::source::Item> {
    let (items, diags) =
        kbundle::source::read_paths(&[dir.display().to_string()], &mut std::io::empty());
    assert!(
        diags.iter().all(|d| !d.is_error()),
        "{}: {diags:?}",
        dir.display()
    );
    items
}

fn read_text_items(text: &str, display: &str) -> Vec<kbundle::source::Item> {
    let (items, diags) = kbundle::source::read_stream(text, display);
    assert!(diags.iter().all(|d| !d.is_error()), "{display}: {diags:?}");
    items
}

/// Point every Environment among the items at a Strimzi API version.
fn with_strimzi_api(
    mut items: Vec<kbundle::source::Item>,
    api: &str,
) -> Vec<kbundle::source::Item> {
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

fn full_items() -> Vec<kbundle::source::Item> {
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

/// Every test of this module and its submodules.
pub fn tests() -> Vec<support::Test> {
    [
        examples::tests(),
        connectors::tests(),
        mistakes::tests(),
        golden::tests(),
    ]
    .into_iter()
    .flatten()
    .collect()
}
