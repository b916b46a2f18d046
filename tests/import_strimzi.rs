//! `kbundle import strimzi`: the round trip on Strimzi's own examples (import, then render,
//! gives back the input objects: names, partitions, replicas, config, the effective ACL set,
//! connectors), kept object names, the report, and the output rules (deterministic, no
//! overwrite without `--force`).

mod support;

use kbundle::import::roles::effective;
use kbundle::model::bundle::AclRule;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use support::{assert_failed, assert_ok, docs, kbundle, kind, run, s, stderr, stdout, vendor};

fn import(args: &[&str], inputs: &[PathBuf], out: &Path) -> std::process::Output {
    let mut cmd = Command::new(kbundle());
    cmd.args(["import", "strimzi"])
        .args(inputs)
        .arg("--out")
        .arg(out)
        .args(args);
    run(cmd)
}

fn render(dir: &Path) -> Vec<Value> {
    let mut cmd = Command::new(kbundle());
    cmd.arg("render").arg(dir);
    let out = run(cmd);
    assert_ok(&out, "render of the imported bundles");
    docs(&stdout(&out))
}

fn read_all(paths: &[PathBuf]) -> Vec<Value> {
    paths
        .iter()
        .flat_map(|p| docs(&std::fs::read_to_string(p).expect("read input")))
        .collect()
}

fn acl_rules(v: &Value) -> Vec<AclRule> {
    let acls = v
        .pointer("/spec/authorization/acls")
        .cloned()
        .unwrap_or(Value::Array(vec![]));
    serde_json::from_value(acls).expect("ACLs in Strimzi's shape")
}

fn config_text(v: Option<&Value>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = v
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    let t = v
                        .as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| v.to_string());
                    (k.clone(), t)
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// Every KafkaTopic, KafkaUser and KafkaConnector of the input is rendered back, same name.
fn assert_round_trip(input: &[Value], rendered: &[Value]) {
    let mut compared = 0;
    for want in input {
        let k = kind(want);
        if !matches!(k, "KafkaTopic" | "KafkaUser" | "KafkaConnector") {
            continue;
        }
        let name = s(want, "/metadata/name").expect("input name");
        let got = rendered
            .iter()
            .find(|o| kind(o) == k && s(o, "/metadata/name") == Some(name))
            .unwrap_or_else(|| panic!("{k}/{name} not rendered back"));
        assert_eq!(
            got["apiVersion"], want["apiVersion"],
            "{k}/{name} apiVersion"
        );
        assert_eq!(
            got.pointer("/metadata/labels/strimzi.io~1cluster"),
            want.pointer("/metadata/labels/strimzi.io~1cluster"),
            "{k}/{name} cluster"
        );
        match k {
            "KafkaTopic" => {
                let topic = s(want, "/spec/topicName").unwrap_or(name);
                assert_eq!(s(got, "/spec/topicName"), Some(topic));
                for f in ["/spec/partitions", "/spec/replicas", "/spec/config"] {
                    assert_eq!(got.pointer(f), want.pointer(f), "{k}/{name} {f}");
                }
            }
            "KafkaUser" => {
                assert_eq!(
                    got.pointer("/spec/authentication/type"),
                    want.pointer("/spec/authentication/type")
                );
                let (w, g) = (effective(&acl_rules(want)), effective(&acl_rules(got)));
                assert!(!w.is_empty());
                assert_eq!(g, w, "{k}/{name}: effective ACLs differ");
                assert_eq!(got.pointer("/spec/quotas"), want.pointer("/spec/quotas"));
            }
            _ => {
                assert_eq!(got.pointer("/spec/class"), want.pointer("/spec/class"));
                assert_eq!(
                    got.pointer("/spec/tasksMax"),
                    want.pointer("/spec/tasksMax")
                );
                assert_eq!(
                    config_text(got.pointer("/spec/config")),
                    config_text(want.pointer("/spec/config"))
                );
                assert_eq!(got.pointer("/spec/state"), want.pointer("/spec/state"));
            }
        }
        compared += 1;
    }
    assert!(compared > 0, "nothing compared");
}

#[test]
fn every_vendored_example_round_trips() {
    let Some(vendor) = vendor() else { return };
    let ex = vendor.join("strimzi/examples");
    // The examples reuse `my-topic`/`my-user`: each set is one cluster's worth of objects.
    let sets: &[&[&str]] = &[
        &[
            "kafka-topic.yaml",
            "kafka-user.yaml",
            "source-connector.yaml",
            "kafka-connect.yaml",
        ],
        &[
            "security_tls-auth_topic.yaml",
            "security_tls-auth_user.yaml",
        ],
        &[
            "security_scram-sha-512-auth_topic.yaml",
            "security_scram-sha-512-auth_user.yaml",
        ],
    ];
    for set in sets {
        let inputs: Vec<PathBuf> = set.iter().map(|f| ex.join(f)).collect();
        let dir = tempfile::tempdir().expect("tempdir");
        let out = import(&[], &inputs, dir.path());
        assert_ok(&out, "import");
        let rendered = render(dir.path());
        assert_round_trip(&read_all(&inputs), &rendered);
        // Roles, not raw ACLs, where they match: only `Create` stays raw.
        let bundle = std::fs::read_to_string(dir.path().join("my.yaml")).expect("bundle");
        assert!(
            bundle.contains("produces:") && bundle.contains("group: my-group"),
            "{bundle}"
        );
        // The only note is the KafkaConnect, which is platform, not application.
        let err = stderr(&out);
        assert_eq!(
            err.matches("KB171").count(),
            set.len().saturating_sub(3),
            "{err}"
        );
    }
}

const ODD: &str = r#"
apiVersion: kafka.strimzi.io/v1beta2
kind: KafkaTopic
metadata:
  name: orders-legacy
  namespace: shop
  uid: 1234
  labels:
    strimzi.io/cluster: prod
    kbundle.dev/owner: checkout
    team: a
spec:
  topicName: Orders_V1
  partitions: 6
  replicas: 3
  config:
    cleanup.policy: compact
    min.insync.replicas: 2
---
apiVersion: kafka.strimzi.io/v1beta2
kind: KafkaUser
metadata:
  name: checkout-app
  namespace: shop
  labels:
    strimzi.io/cluster: prod
spec:
  authentication:
    type: scram-sha-512
  quotas:
    producerByteRate: 1048576
  authorization:
    type: simple
    acls:
      - resource: {type: topic, name: Orders_V1, patternType: literal}
        operation: Write
      - resource: {type: topic, name: Orders_V1, patternType: literal}
        operations: [Describe]
      - resource: {type: topic, name: audit., patternType: prefix}
        operations: [Read, Describe]
      - resource: {type: group, name: checkout-, patternType: prefix}
        operations: [Read]
      - resource: {type: cluster}
        operations: [IdempotentWrite]
      - resource: {type: topic, name: secret}
        operations: [Read]
        type: deny
      - resource: {type: transactionalId, name: checkout-tx, patternType: literal}
        operations: [Write, Describe]
  template:
    secret:
      metadata: {labels: {a: b}}
"#;

#[test]
fn kept_names_lifted_roles_and_a_complete_report() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("in.yaml");
    std::fs::write(&input, ODD).expect("write");
    let out_dir = dir.path().join("out");
    let report = dir.path().join("report.json");
    let out = import(
        &["--report", report.to_str().unwrap()],
        std::slice::from_ref(&input),
        &out_dir,
    );
    assert_ok(&out, "import");
    let bundle = std::fs::read_to_string(out_dir.join("checkout.yaml")).expect("bundle by label");
    // The object name kbundle would derive for `Orders_V1` is another: it is kept.
    assert!(bundle.contains("objectName: orders-legacy"), "{bundle}");
    assert!(bundle.contains("namespace: shop"), "{bundle}");
    for role in [
        "produces:",
        "- Orders_V1",
        "- audit.*",
        "group: checkout-*",
        "transactionalIds:",
    ] {
        assert!(bundle.contains(role), "{role} missing:\n{bundle}");
    }
    let env = std::fs::read_to_string(out_dir.join("environment.yaml")).expect("env");
    assert!(
        env.contains("cluster: prod") && env.contains("kafka.strimzi.io/v1beta2"),
        "{env}"
    );

    let rendered = render(&out_dir);
    let mut input_docs = docs(ODD);
    // The deprecated single `operation` is Strimzi's spelling of a one-element list.
    let first = &mut input_docs[1]["spec"]["authorization"]["acls"][0];
    first.as_object_mut().unwrap().remove("operation");
    first["operations"] = serde_json::json!(["Write"]);
    assert_round_trip(&input_docs, &rendered);
    let topic = rendered.iter().find(|o| kind(o) == "KafkaTopic").unwrap();
    assert_eq!(s(topic, "/metadata/namespace"), Some("shop"));

    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(&report).expect("report")).expect("JSON");
    let findings = json["findings"].as_array().expect("findings");
    let has = |path: &str, severity: &str| {
        findings.iter().any(|f| {
            f["path"] == path
                && f["severity"] == severity
                && f["file"].as_str().unwrap().ends_with("in.yaml")
        })
    };
    assert!(has("metadata.labels.team", "warning"), "{json:#}");
    assert!(has("metadata.uid", "info"), "{json:#}");
    assert!(
        has("spec.template.secret.metadata.labels.a", "warning"),
        "{json:#}"
    );
    assert!(stderr(&out).contains("spec.template.secret.metadata.labels.a"));
}

#[test]
fn output_is_deterministic_and_never_overwritten_without_force() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("in.yaml");
    std::fs::write(&input, ODD).expect("write");
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    assert_ok(&import(&[], std::slice::from_ref(&input), &a), "import a");
    assert_ok(&import(&[], std::slice::from_ref(&input), &b), "import b");
    for f in ["checkout.yaml", "environment.yaml"] {
        assert_eq!(
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
            "{f}"
        );
    }
    std::fs::write(a.join("checkout.yaml"), "edited\n").unwrap();
    let again = import(&[], std::slice::from_ref(&input), &a);
    assert_failed(&again, "import over existing files");
    assert!(stderr(&again).contains("--force"), "{}", stderr(&again));
    assert!(stdout(&again).is_empty());
    assert_eq!(
        std::fs::read_to_string(a.join("checkout.yaml")).unwrap(),
        "edited\n"
    );
    assert_ok(
        &import(&["--force"], std::slice::from_ref(&input), &a),
        "import --force",
    );
    assert_eq!(
        std::fs::read(a.join("checkout.yaml")).unwrap(),
        std::fs::read(b.join("checkout.yaml")).unwrap()
    );
}

#[test]
fn group_by_prefix_and_bad_input() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("in.yaml");
    std::fs::write(&input, ODD).expect("write");
    let out_dir = dir.path().join("out");
    assert_ok(
        &import(
            &["--group-by", "prefix"],
            std::slice::from_ref(&input),
            &out_dir,
        ),
        "prefix",
    );
    // Topic `Orders_V1` → bundle `orders`; the user writes it, so it joins that bundle.
    let bundle = std::fs::read_to_string(out_dir.join("orders.yaml")).expect("orders bundle");
    assert!(bundle.contains("name: checkout-app"), "{bundle}");

    let bad = dir.path().join("bad.yaml");
    std::fs::write(
        &bad,
        "apiVersion: kafka.strimzi.io/v1\nkind: KafkaTopic\nmetadata: {name: t}\nspec: {partitions: -1}\n",
    )
    .unwrap();
    let out_dir = dir.path().join("bad-out");
    let out = import(&[], &[bad], &out_dir);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("spec.partitions"), "{}", stderr(&out));
    assert!(!out_dir.exists(), "nothing written on error");
}

#[test]
fn a_bad_object_name_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let b = dir.path().join("b.yaml");
    std::fs::write(
        &b,
        "apiVersion: kbundle.dev/v1alpha1\nkind: AppBundle\nmetadata: {name: a}\nspec:\n  owner: a\n  topics:\n  - {name: t, objectName: Not_A_Name}\n",
    )
    .unwrap();
    let mut cmd = Command::new(kbundle());
    cmd.arg("check").arg(&b);
    let out = run(cmd);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("KB170") && stderr(&out).contains("objectName"),
        "{}",
        stderr(&out)
    );
}
