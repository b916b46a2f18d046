//! `kbundle import julie`: on every vendored JulieOps example, the rendered bundles create the
//! topics JulieOps would (names, partitions, replicas, configs), and every difference between
//! JulieOps' ACLs and the rendered ones is in the report.

mod support;

use kbundle::import::julie::{Descriptor, Options, import_with};

/// JulieOps' default settings.
fn import(
    descriptors: &[Descriptor],
    plans: Option<&Descriptor>,
    report: &mut kbundle::import::report::Report,
) -> (kbundle::import::Imported, kbundle::import::julie::Expected) {
    import_with(descriptors, plans, &Options::default(), report)
}
use kbundle::import::report::Report;
use kbundle::import::roles::effective;
use kbundle::model::bundle::AclRule;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;
use support::{assert_ok, docs, kbundle, kind, run, s, stdout, vendor};

fn descriptor(path: &Path) -> Descriptor {
    let text = std::fs::read_to_string(path).expect("read");
    Descriptor {
        file: path.display().to_string(),
        value: docs(&text).remove(0),
    }
}

fn text(v: &Value) -> String {
    v.as_str()
        .map(str::to_string)
        .unwrap_or_else(|| v.to_string())
}

#[test]
fn every_vendored_descriptor_round_trips() {
    let Some(vendor) = vendor() else { return };
    let ex = vendor.join("julie/example");
    let plans = ex.join("plans.yaml");
    let mut files: Vec<_> = std::fs::read_dir(&ex)
        .expect("examples")
        .map(|e| e.expect("entry").path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy().to_string();
            n.starts_with("descriptor") && (n.ends_with(".yaml") || n.ends_with(".yml"))
        })
        .collect();
    files.sort();
    assert!(files.len() >= 8, "{files:?}");
    let mut checked_topics = 0;
    for f in &files {
        let dir = tempfile::tempdir().expect("tempdir");
        let report_file = dir.path().join("report.json");
        let out_dir = dir.path().join("out");
        let mut cmd = Command::new(kbundle());
        cmd.args(["import", "julie"])
            .arg(f)
            .arg("--plans")
            .arg(&plans)
            .arg("--out")
            .arg(&out_dir)
            .arg("--report")
            .arg(&report_file);
        let out = run(cmd);
        assert_ok(&out, &format!("import {}", f.display()));
        let report: Value =
            serde_json::from_str(&std::fs::read_to_string(&report_file).unwrap()).unwrap();
        let messages: BTreeSet<String> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| text(&x["message"]))
            .collect();

        let mut render = Command::new(kbundle());
        render.arg("render").arg(&out_dir);
        let rendered = run(render);
        assert_ok(&rendered, "render");
        let objects = docs(&stdout(&rendered));

        // What JulieOps would create, from the importer's model of JulieOps' builders.
        let mut r = Report::default();
        let (_, expected) = import(&[descriptor(f)], Some(&descriptor(&plans)), &mut r);
        let topics: BTreeMap<String, &Value> = objects
            .iter()
            .filter(|o| kind(o) == "KafkaTopic")
            .map(|o| (s(o, "/spec/topicName").unwrap().to_string(), o))
            .collect();
        assert_eq!(
            topics.keys().cloned().collect::<Vec<_>>(),
            expected.topics.keys().cloned().collect::<Vec<_>>(),
            "{}",
            f.display()
        );
        for (name, (partitions, replicas, config)) in &expected.topics {
            let o = topics[name];
            assert_eq!(o["spec"]["partitions"], *partitions, "{name}");
            assert_eq!(o["spec"]["replicas"], *replicas, "{name}");
            let got: BTreeMap<String, String> = o["spec"]
                .get("config")
                .and_then(Value::as_object)
                .map(|m| m.iter().map(|(k, v)| (k.clone(), text(v))).collect())
                .unwrap_or_default();
            assert_eq!(&got, config, "{name}");
            checked_topics += 1;
        }
        // Every ACL difference is reported.
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
        for (julie, want) in &expected.acls {
            let mut got = BTreeSet::new();
            for u in &expected.users[julie] {
                got.extend(users[u].iter().cloned());
            }
            for a in want.symmetric_difference(&got) {
                let a = a.to_string();
                assert!(
                    messages.iter().any(|m| m.contains(&a)),
                    "{}: {julie}: unreported difference {a}",
                    f.display()
                );
            }
        }
    }
    assert!(checked_topics >= 15, "{checked_topics}");
}

#[test]
fn names_plans_and_over_grants_follow_julieops() {
    let Some(vendor) = vendor() else { return };
    let ex = vendor.join("julie/example");
    let mut r = Report::default();
    let (imported, expected) = import(
        &[descriptor(&ex.join("descriptor-with-plans.yaml"))],
        Some(&descriptor(&ex.join("plans.yaml"))),
        &mut r,
    );
    // context, source (file order), project, topic.
    let (p, rf, c) = &expected.topics["contextOrg.source.foo.fooBar"];
    assert_eq!(
        (*p, *rf),
        (3, 1),
        "JulieOps' default partitions, own replication factor"
    );
    assert_eq!(c["retention.ms"], "6000", "the silver plan");
    assert!(
        expected
            .topics
            .contains_key("contextOrg.source.bar.bar.avro")
    );
    assert_eq!(imported.bundles.len(), 2);

    let mut r = Report::default();
    let (imported, _) = import(&[descriptor(&ex.join("descriptor.yaml"))], None, &mut r);
    let a = &imported.bundles[0];
    let app0 = a.spec.principals.iter().find(|p| p.name == "app0").unwrap();
    assert_ne!(
        app0.consumes[0].group.as_deref(),
        Some("*"),
        "least privilege instead of every group"
    );
    assert!(r.findings.iter().any(|f| f.message.contains("over-grant")));
    assert!(
        r.findings
            .iter()
            .any(|f| f.path.starts_with("platform.schema_registry.instances"))
    );
}
