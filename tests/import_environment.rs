//! `kbundle import` writes an Environment where the input carries platform settings, and it
//! passes `kbundle check` together with the bundles (issue 15, item 1): JulieOps' platform
//! principals, kafka-gitops' settings and admin users, Strimzi's cluster labels. Also: the
//! Environment's `platformPrincipals` guard (KB175), kafka-gitops' user roles, duplicate
//! Strimzi objects.

mod support;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use support::{
    assert_failed, assert_ok, docs, findings, kbundle, kind, run, s, stderr, stdout, vendor,
};

/// Import `args` into a fresh directory; the output directory and the report.
fn import(args: &[&str], paths: &[PathBuf]) -> (tempfile::TempDir, PathBuf, Value) {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    let report = dir.path().join("r.json");
    let mut cmd = Command::new(kbundle());
    cmd.arg("import").args(args).args(paths);
    cmd.arg("--out").arg(&out).arg("--report").arg(&report);
    assert_ok(&run(cmd), &format!("import {args:?} {paths:?}"));
    let r = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    (dir, out, r)
}

fn check(out: &Path) {
    let mut cmd = Command::new(kbundle());
    cmd.arg("check").arg(out);
    assert_ok(&run(cmd), &format!("check {}", out.display()));
}

fn environment(out: &Path) -> Option<Value> {
    let text = std::fs::read_to_string(out.join("environment.yaml")).ok()?;
    Some(docs(&text).remove(0))
}

#[test]
fn julie_platform_principals_become_the_environment_and_pass_check() {
    let Some(vendor) = vendor() else { return };
    let ex = vendor.join("julie/example");
    let mut with_env = 0;
    for f in std::fs::read_dir(&ex).unwrap() {
        let f = f.unwrap().path();
        let n = f.file_name().unwrap().to_string_lossy().to_string();
        if !n.starts_with("descriptor") {
            continue;
        }
        let (_d, out, _) = import(&["julie", "--plans"], &[ex.join("plans.yaml"), f.clone()]);
        check(&out);
        with_env += usize::from(environment(&out).is_some());
    }
    assert!(with_env >= 4, "{with_env}");
    let (_d, out, r) = import(&["julie"], &[ex.join("descriptor.yaml")]);
    let env = environment(&out).expect("environment.yaml");
    let pps: Vec<(&str, &str)> = env["spec"]["platformPrincipals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (s(p, "/name").unwrap(), s(p, "/service").unwrap()))
        .collect();
    assert_eq!(
        pps,
        [
            ("controlcenter", "controlCenter"),
            ("schemaregistry01", "schemaRegistry"),
            ("schemaregistry02", "schemaRegistry")
        ]
    );
    // The Schema Registry instances' own topics (`topic: foo`, `topic: zet`) are reserved.
    assert_eq!(
        env["spec"]["policy"]["reservedTopics"],
        serde_json::json!(["foo", "zet"])
    );
    // What JulieOps grants each platform principal is stated, not dropped.
    let diffs = findings(&r, "KB172");
    for p in [
        "User:SchemaRegistry01",
        "User:SchemaRegistry02",
        "User:ControlCenter",
    ] {
        assert!(
            diffs
                .iter()
                .any(|m| m.contains(&format!("JulieOps grants {p} "))),
            "{p}"
        );
    }
}

#[test]
fn a_bundle_may_not_claim_a_platform_principal() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("env.yaml"),
        "apiVersion: kbundle.dev/v1alpha1\nkind: Environment\nmetadata: {name: dev}\nspec:\n  platformPrincipals:\n  - {name: schemaregistry01, service: schemaRegistry}\n",
    )
    .unwrap();
    let bundle = |p: &str| {
        format!(
            "apiVersion: kbundle.dev/v1alpha1\nkind: AppBundle\nmetadata: {{name: a}}\nspec:\n  owner: t\n  topics: [{{name: a.orders}}]\n  principals:\n  - name: {p}\n    produces: [a.orders]\n"
        )
    };
    std::fs::write(dir.path().join("b.yaml"), bundle("schemaregistry01")).unwrap();
    let mut cmd = Command::new(kbundle());
    cmd.arg("check").arg(dir.path());
    let out = run(cmd);
    assert_failed(&out, "check");
    assert!(stderr(&out).contains("KB175"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("spec.principals[0].name"),
        "{}",
        stderr(&out)
    );
    std::fs::write(dir.path().join("b.yaml"), bundle("orders-app")).unwrap();
    check(dir.path());
}

#[test]
fn kafka_gitops_settings_and_admin_users_become_the_environment() {
    let Some(vendor) = vendor() else { return };
    let ex = vendor.join("kafka-gitops/examples");
    // gitops-user: the tool's own user with cluster-level ACLs is the platform's.
    let (_d, out, r) = import(&["kafka-gitops"], &[ex.join("gitops-user/state.yaml")]);
    check(&out);
    let env = environment(&out).expect("environment.yaml");
    assert_eq!(env["spec"]["platformPrincipals"][0]["name"], "gitops-user");
    assert_eq!(env["spec"]["platformPrincipals"][0]["service"], "admin");
    let bundles = std::fs::read_dir(&out).unwrap().count();
    assert!(
        !out.join("users.yaml").exists(),
        "no bundle holds the admin user ({bundles} files)"
    );
    let diffs = findings(&r, "KB172");
    assert!(diffs.iter().any(|m| m.contains("cluster-level ACLs")));
    assert!(
        diffs
            .iter()
            .any(|m| m.contains("kafka-gitops grants allow cluster") && m.contains("Alter")),
        "the admin's cluster Alter is listed as a difference: {diffs:#?}"
    );
    // confluent-cloud: the blacklisted prefix `_confluent` is reserved.
    let (_d, out, _) = import(&["kafka-gitops"], &[ex.join("confluent-cloud/state.yaml")]);
    check(&out);
    let env = environment(&out).expect("environment.yaml");
    assert_eq!(
        env["spec"]["policy"]["reservedTopics"],
        serde_json::json!(["_confluent*"])
    );
    // Default replication.
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("state.yaml");
    std::fs::write(&f, "settings:\n  topics:\n    defaults: {replication: 2}\n    blacklist: {prefixed: [legacy]}\ntopics:\n  orders: {partitions: 3}\nservices:\n  app: {type: application, produces: [orders]}\n").unwrap();
    let (_d, out, _) = import(&["kafka-gitops"], &[f]);
    check(&out);
    let env = environment(&out).unwrap();
    assert_eq!(env["spec"]["defaults"]["replicas"], 2);
    assert_eq!(
        env["spec"]["policy"]["reservedTopics"],
        serde_json::json!(["legacy*"])
    );
}

#[test]
fn kafka_gitops_roles_follow_role_service() {
    let Some(vendor) = vendor() else { return };
    let f = vendor.join("kafka-gitops/src/test/resources/plans/simple-users.yaml");
    let (_d, out, r) = import(&["kafka-gitops"], &[f]);
    check(&out);
    let mut cmd = Command::new(kbundle());
    cmd.arg("render").arg(&out);
    let rendered = run(cmd);
    assert_ok(&rendered, "render");
    let objects = docs(&stdout(&rendered));
    let user = objects
        .iter()
        .find(|o| kind(o) == "KafkaUser" && s(o, "/metadata/name") == Some("test"))
        .expect("KafkaUser test");
    // operator's only rule kbundle can hold: cluster Describe (RoleService#getClusterDescribeAcl).
    let acls = user["spec"]["authorization"]["acls"].as_array().unwrap();
    assert_eq!(acls.len(), 1, "{acls:?}");
    assert_eq!(acls[0]["resource"]["type"], "cluster");
    assert_eq!(acls[0]["operations"], serde_json::json!(["Describe"]));
    let diffs = findings(&r, "KB172");
    for role in ["operator", "reader", "writer"] {
        assert!(
            diffs
                .iter()
                .any(|m| m.contains(&format!("role \"{role}\""))),
            "{role}"
        );
    }
    // Every `*` rule of the three roles is named as not imported: reader 2, writer 1, operator 4.
    let wildcards = diffs.iter().filter(|m| m.contains("wildcard ACL")).count();
    assert_eq!(wildcards, 7, "{diffs:#?}");
}

#[test]
fn strimzi_environment_passes_check_and_duplicates_are_refused() {
    let Some(vendor) = vendor() else { return };
    let ex = vendor.join("strimzi/examples");
    for f in std::fs::read_dir(&ex).unwrap() {
        let f = f.unwrap().path();
        let (_d, out, _) = import(&["strimzi"], &[f]);
        assert!(environment(&out).is_some());
        check(&out);
    }
    // The examples folder holds alternatives of the same objects: a cluster holds one.
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(kbundle());
    cmd.args(["import", "strimzi"])
        .arg(&ex)
        .arg("--out")
        .arg(dir.path().join("o"));
    let out = run(cmd);
    assert_failed(&out, "import of conflicting copies");
    assert!(
        stderr(&out).contains("KafkaTopic/my-topic is in"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.path().join("o").exists(), "nothing written");
    // An identical copy is imported once.
    let f = ex.join("kafka-topic.yaml");
    let (_d, out, r) = import(&["strimzi"], &[f.clone(), f]);
    check(&out);
    assert!(
        findings(&r, "KB172")
            .iter()
            .any(|m| m.contains("identical copy"))
    );
}
