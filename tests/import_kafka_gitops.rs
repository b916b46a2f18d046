//! `kbundle import kafka-gitops`: on every vendored kafka-gitops example the rendered bundles
//! create the same topics, and every ACL difference is in the report; services of each type
//! map to kbundle roles with the peers' over-grants flagged.

mod support;

use kbundle::import::kafka_gitops::{State, import};
use kbundle::import::report::Report;
use kbundle::import::roles::effective;
use kbundle::model::bundle::AclRule;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;
use support::{assert_ok, docs, kbundle, kind, run, s, stdout, vendor};

fn state(path: &Path) -> Vec<State> {
    let read = |p: &Path| State {
        file: p.display().to_string(),
        value: docs(&std::fs::read_to_string(p).expect("read")).remove(0),
    };
    let main = read(path);
    let mut out = Vec::new();
    for k in ["topics", "services", "users"] {
        if let Some(f) = main
            .value
            .pointer(&format!("/settings/files/{k}"))
            .and_then(Value::as_str)
        {
            out.push(read(&path.parent().unwrap().join(f)));
        }
    }
    out.insert(0, main);
    out
}

fn round_trip(state_file: &Path) -> (Vec<Value>, BTreeSet<String>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let (out_dir, report_file) = (dir.path().join("out"), dir.path().join("r.json"));
    let mut cmd = Command::new(kbundle());
    cmd.args(["import", "kafka-gitops"])
        .arg(state_file)
        .arg("--out")
        .arg(&out_dir)
        .arg("--report")
        .arg(&report_file);
    assert_ok(&run(cmd), "import");
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(&report_file).unwrap()).unwrap();
    let messages = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect();
    let mut render = Command::new(kbundle());
    render.arg("render").arg(&out_dir);
    let out = run(render);
    assert_ok(&out, "render");
    (docs(&stdout(&out)), messages)
}

fn check(state_file: &Path) {
    let (objects, messages) = round_trip(state_file);
    let mut r = Report::default();
    let (_, expected) = import(&state(state_file), &mut r);
    let topics: BTreeMap<String, &Value> = objects
        .iter()
        .filter(|o| kind(o) == "KafkaTopic")
        .map(|o| (s(o, "/spec/topicName").unwrap().to_string(), o))
        .collect();
    assert_eq!(topics.len(), expected.topics.len());
    for (name, (p, rf, _)) in &expected.topics {
        assert_eq!(topics[name]["spec"]["partitions"], *p);
        assert_eq!(topics[name]["spec"]["replicas"], *rf);
    }
    let users: BTreeMap<String, BTreeSet<_>> = objects
        .iter()
        .filter(|o| kind(o) == "KafkaUser")
        .map(|o| {
            let rules: Vec<AclRule> =
                serde_json::from_value(o["spec"]["authorization"]["acls"].clone()).unwrap();
            (
                s(o, "/metadata/name").unwrap().to_string(),
                effective(&rules),
            )
        })
        .collect();
    assert!(!expected.acls.is_empty());
    for (who, want) in &expected.acls {
        let mut got = BTreeSet::new();
        // A platform principal (kafka-gitops' admin user) has no KafkaUser in the bundles.
        for u in expected.users.get(who).into_iter().flatten() {
            got.extend(users[u].iter().cloned());
        }
        for a in want.symmetric_difference(&got) {
            let a = a.to_string();
            assert!(
                messages.iter().any(|m| m.contains(&a)),
                "{who}: unreported {a}"
            );
        }
    }
}

#[test]
fn every_vendored_example_round_trips() {
    let Some(vendor) = vendor() else { return };
    let ex = vendor.join("kafka-gitops/examples");
    check(&ex.join("gitops-user/state.yaml"));
    check(&ex.join("confluent-cloud/state.yaml"));
}

#[test]
fn service_types_and_over_grants() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = dir.path().join("state.yaml");
    std::fs::write(
        &f,
        r#"
settings:
  topics:
    defaults:
      replication: 2
topics:
  orders: {partitions: 6, configs: {cleanup.policy: compact}}
  payments: {partitions: 3}
  connect-configs-my-connect: {partitions: 1}
services:
  my-stream:
    type: kafka-streams
    principal: User:stream
    consumes: [orders]
    produces: [payments]
  my-connect:
    type: kafka-connect
    principal: User:connect
    connectors:
      sink: {consumes: [payments]}
customServiceAcls:
  my-stream:
    read-audit: {name: audit., type: TOPIC, pattern: PREFIXED, host: "*", operation: READ, permission: ALLOW}
"#,
    )
    .unwrap();
    check(&f);
    let (_, messages) = round_trip(&f);
    assert!(
        messages
            .iter()
            .any(|m| m.contains("cluster-wide DescribeConfigs")),
        "{messages:#?}"
    );
    let mut r = Report::default();
    let (imported, expected) = import(&state(&f), &mut r);
    assert_eq!(expected.topics["orders"].1, 2, "the default replication");
    let stream = imported
        .bundles
        .iter()
        .find(|b| b.metadata.name == "my-stream")
        .unwrap();
    assert_eq!(
        stream.spec.principals[0]
            .streams
            .iter()
            .next()
            .unwrap()
            .application_id,
        "my-stream"
    );
    assert!(
        stream.spec.topics.iter().any(|t| t.name == "payments"),
        "topic joins its producer"
    );
    let connect = imported
        .bundles
        .iter()
        .find(|b| b.metadata.name == "my-connect")
        .unwrap();
    assert!(
        connect.spec.principals[0]
            .consumes
            .iter()
            .any(|c| c.group.as_deref() == Some("connect-sink"))
    );
}
