//! `kbundle import julie`: schema files copied and referenced, ksql artefacts as numbered
//! migrations, connector artefacts as connectors, quotas, and JulieOps' prefix-format settings
//! (issue 15, item 2). Round trip: the rendered objects carry what JulieOps would have created
//! from the same files (the expectations below are read from the inputs, not from the importer).

mod support;

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};
use support::{
    assert_failed, assert_ok, docs, findings, kbundle, kind, run, s, stderr, stdout, vendor,
};

fn import(args: &[&str], out: &Path) -> (Output, Value) {
    let report = out.with_extension("json");
    let mut cmd = Command::new(kbundle());
    cmd.args(["import", "julie"]).args(args);
    cmd.arg("--out").arg(out).arg("--report").arg(&report);
    let o = run(cmd);
    let r = std::fs::read_to_string(&report)
        .map(|t| serde_json::from_str(&t).unwrap())
        .unwrap_or(Value::Null);
    (o, r)
}

fn render(out: &Path) -> Vec<Value> {
    let mut cmd = Command::new(kbundle());
    cmd.arg("check").arg(out);
    assert_ok(&run(cmd), "check");
    let mut cmd = Command::new(kbundle());
    cmd.arg("render").arg(out);
    let o = run(cmd);
    assert_ok(&o, "render");
    docs(&stdout(&o))
}

#[test]
fn schemas_are_copied_and_registered_under_julieops_subjects() {
    let Some(vendor) = vendor() else { return };
    let ex = vendor.join("julie/example");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let d = ex.join("descriptor-with-schemas.yaml");
    let (o, r) = import(
        &[
            d.to_str().unwrap(),
            "--schema-registry-url",
            "https://sr.example:8081",
            "--hook-image",
            "ghcr.io/example/hooks:1.0",
        ],
        &out,
    );
    assert_ok(&o, "import");
    for f in [
        "schemas/foo-value.avsc",
        "schemas/bar-value.avsc",
        "schemas/bar-key.avsc",
    ] {
        assert_eq!(
            std::fs::read(out.join(f)).unwrap(),
            std::fs::read(ex.join(f)).unwrap(),
            "{f} copied byte for byte"
        );
    }
    assert!(
        findings(&r, "KB176").is_empty(),
        "URLs given: no placeholder"
    );
    let objects = render(&out);
    // TopicNameStrategy (the default): subjects `<topic>-value` and `<topic>-key`.
    let text = objects
        .iter()
        .filter(|o| kind(o) == "Job" || kind(o) == "ConfigMap")
        .map(|o| serde_json::to_string(o).unwrap())
        .collect::<String>();
    for subject in [
        "context.company.env.source.projectA.foo-value",
        "context.company.env.source.projectA.bar.avro-value",
        "context.company.env.source.projectA.bar.avro-key",
    ] {
        assert!(text.contains(subject), "subject {subject} registered");
    }
    // The same schema listed three times is imported once, and said so.
    assert_eq!(
        findings(&r, "KB172")
            .iter()
            .filter(|m| m.contains("same schema files again"))
            .count(),
        2
    );
}

#[test]
fn schema_paths_outside_the_descriptor_folder_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("topology/d.yaml");
    std::fs::create_dir_all(d.parent().unwrap()).unwrap();
    std::fs::write(dir.path().join("secret.avsc"), "\"string\"").unwrap();
    std::fs::write(&d, "context: c\nprojects:\n- name: p\n  topics:\n  - name: t\n    schemas:\n      value.schema.file: ../secret.avsc\n").unwrap();
    let out = dir.path().join("out");
    let (o, _) = import(&[d.to_str().unwrap()], &out);
    assert_failed(&o, "import");
    assert!(
        stderr(&o).contains("leaves the descriptor's folder"),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists(), "nothing written");
}

#[test]
fn ksql_artefacts_become_numbered_migrations_streams_first() {
    let Some(vendor) = vendor() else { return };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("descriptor-ksql.yaml");
    std::fs::copy(vendor.join("julie/example/descriptor-ksql.yaml"), &d).unwrap();
    // The vendored example names its .sql files without shipping them: written here.
    std::fs::create_dir_all(dir.path().join("ksql")).unwrap();
    let sql = |name: &str| {
        format!(
            "CREATE STREAM {name} (id INT) WITH (KAFKA_TOPIC='{name}', VALUE_FORMAT='JSON', PARTITIONS=1);\n"
        )
    };
    for f in ["riderlocations", "orders", "users", "moreOrders"] {
        std::fs::write(dir.path().join(format!("ksql/{f}.sql")), sql(f)).unwrap();
    }
    let out = dir.path().join("out");
    let (o, r) = import(
        &[
            d.to_str().unwrap(),
            "--ksqldb-url",
            "https://ksqldb.example:8088",
            "--ksqldb-image",
            "confluentinc/ksqldb-server:0.29.0",
        ],
        &out,
    );
    assert_ok(&o, "import");
    assert!(findings(&r, "KB176").is_empty());
    // KSqlArtefactManager: streams before tables, each in file order.
    for (n, (desc, file)) in [
        ("riderLocations", "riderlocations"),
        ("ordersStream", "orders"),
        ("users", "users"),
        ("moreOrders", "moreOrders"),
    ]
    .iter()
    .enumerate()
    {
        let m = out.join(format!("ksql/foo/V{:06}__{desc}.sql", n + 1));
        assert_eq!(
            std::fs::read_to_string(&m).unwrap(),
            sql(file),
            "{}",
            m.display()
        );
    }
    let bundle = docs(&std::fs::read_to_string(out.join("foo.yaml")).unwrap()).remove(0);
    assert_eq!(bundle["spec"]["ksql"]["migrations"], "ksql/foo");
    let objects = render(&out);
    assert!(
        objects.iter().any(|o| kind(o) == "Job"),
        "the migration Job"
    );

    // Without the files (as vendored) the import still writes the topics and names each
    // missing artefact; without URLs the Environment's placeholders are reported.
    let out2 = dir.path().join("out2");
    let (o, r) = import(
        &[vendor
            .join("julie/example/descriptor-ksql.yaml")
            .to_str()
            .unwrap()],
        &out2,
    );
    assert_ok(&o, "import");
    let missing = findings(&r, "KB177");
    assert_eq!(missing.len(), 4, "{missing:#?}");
    assert!(missing[0].contains("ksql/"), "{missing:?}");
}

#[test]
fn connector_artefacts_become_connectors_with_their_files_config() {
    let Some(vendor) = vendor() else { return };
    let ex = vendor.join("julie/example");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let (o, _) = import(
        &[ex.join("descriptor-connect.yaml").to_str().unwrap()],
        &out,
    );
    assert_ok(&o, "import");
    let objects = render(&out);
    for (name, file) in [
        ("source-jdbc", "connectors/source-jdbc.json"),
        ("sink-jdbc", "connectors/sink-jdbc.json"),
    ] {
        let want: Value =
            serde_json::from_str(&std::fs::read_to_string(ex.join(file)).unwrap()).unwrap();
        let c = objects
            .iter()
            .find(|o| kind(o) == "KafkaConnector" && s(o, "/metadata/name") == Some(name))
            .unwrap_or_else(|| panic!("KafkaConnector {name}"));
        assert_eq!(c["spec"]["class"], want["connector.class"]);
        assert_eq!(
            c["spec"]["tasksMax"].to_string(),
            want["tasks.max"].as_str().unwrap()
        );
        // The descriptor's `server: connect` is the Connect cluster.
        assert_eq!(
            s(c, "/metadata/labels/strimzi.io~1cluster"),
            Some("connect")
        );
        for (k, v) in want.as_object().unwrap() {
            if k != "connector.class" && k != "tasks.max" {
                assert_eq!(&c["spec"]["config"][k], v, "{name} config {k}");
            }
        }
    }
}

#[test]
fn quotas_land_on_the_principals() {
    let Some(vendor) = vendor() else { return };
    let d = vendor.join("julie/src/test/resources/descriptor-with-quotas.yaml");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let (o, _) = import(&[d.to_str().unwrap()], &out);
    assert_ok(&o, "import");
    let objects = render(&out);
    let quotas = |u: &str| {
        objects
            .iter()
            .find(|o| kind(o) == "KafkaUser" && s(o, "/metadata/name") == Some(u))
            .map(|o| o["spec"]["quotas"].clone())
            .unwrap_or_else(|| panic!("KafkaUser {u}"))
    };
    assert_eq!(
        quotas("app0"),
        serde_json::json!({"producerByteRate": 1024, "consumerByteRate": 1024, "requestPercentage": 50})
    );
    assert_eq!(
        quotas("app1"),
        serde_json::json!({"producerByteRate": 2048, "consumerByteRate": 2048})
    );
    assert_eq!(quotas("app2"), serde_json::json!({"requestPercentage": 80}));
}

/// The ACL rules of one rendered KafkaUser, as (type, name, patternType) triples.
fn resources(objects: &[Value], user: &str) -> Vec<(String, String, String)> {
    let u = objects
        .iter()
        .find(|o| kind(o) == "KafkaUser" && s(o, "/metadata/name") == Some(user))
        .unwrap_or_else(|| panic!("KafkaUser {user}"));
    let mut v: Vec<_> = u["spec"]["authorization"]["acls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let r = &a["resource"];
            (
                r["type"].as_str().unwrap_or("").to_string(),
                r["name"].as_str().unwrap_or("").to_string(),
                r["patternType"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    v.sort();
    v.dedup();
    v
}

#[test]
fn prefix_formats_and_acl_optimisation_follow_julieops_settings() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("d.yaml");
    std::fs::write(&d, "context: ctx\nsource: src\nprojects:\n- name: proj\n  consumers:\n  - {principal: 'User:reader', group: g}\n  topics:\n  - {name: orders, dataType: avro}\n  - {name: refunds}\n").unwrap();
    // Defaults: `ctx.src.proj.` + name + `.dataType`; project consumers on each topic, literal.
    let out = dir.path().join("a");
    assert_ok(&import(&[d.to_str().unwrap()], &out).0, "import");
    let objects = render(&out);
    let topics: Vec<&str> = objects
        .iter()
        .filter(|o| kind(o) == "KafkaTopic")
        .filter_map(|o| s(o, "/spec/topicName"))
        .collect();
    assert_eq!(topics, ["ctx.src.proj.orders.avro", "ctx.src.proj.refunds"]);
    let r = resources(&objects, "reader");
    assert!(
        r.contains(&(
            "topic".into(),
            "ctx.src.proj.orders.avro".into(),
            "literal".into()
        )),
        "{r:?}"
    );
    assert!(
        r.contains(&(
            "topic".into(),
            "ctx.src.proj.refunds".into(),
            "literal".into()
        )),
        "{r:?}"
    );
    // Custom formats, separator and optimised ACLs from JulieOps' properties file.
    let props = dir.path().join("topology-builder.properties");
    std::fs::write(&props, "bootstrap.servers=localhost:9092\nsasl.jaas.config=do-not-show-me\ntopology.topic.prefix.separator=_\ntopology.project.prefix.format={{context}}-{{project}}-\ntopology.topic.prefix.format={{context}}-{{project}}-{{topic}}\ntopology.acls.optimized=true\n").unwrap();
    let out = dir.path().join("b");
    let (o, r) = import(
        &[d.to_str().unwrap(), "--properties", props.to_str().unwrap()],
        &out,
    );
    assert_ok(&o, "import");
    assert!(
        !stderr(&o).contains("do-not-show-me"),
        "a properties value is never shown"
    );
    assert!(!r.to_string().contains("do-not-show-me"));
    let objects = render(&out);
    let topics: Vec<&str> = objects
        .iter()
        .filter(|o| kind(o) == "KafkaTopic")
        .filter_map(|o| s(o, "/spec/topicName"))
        .collect();
    assert_eq!(topics, ["ctx-proj-orders", "ctx-proj-refunds"]);
    let r = resources(&objects, "reader");
    assert!(
        r.contains(&("topic".into(), "ctx-proj-".into(), "prefix".into())),
        "{r:?}"
    );
    // JulieOps refuses a topic format that does not start with the project format.
    std::fs::write(&props, "topology.project.prefix.format={{project}}\ntopology.topic.prefix.format={{context}}{{topic}}\n").unwrap();
    let (o, _) = import(
        &[d.to_str().unwrap(), "--properties", props.to_str().unwrap()],
        &dir.path().join("c"),
    );
    assert_failed(&o, "inconsistent formats");
    assert!(stderr(&o).contains("start with"), "{}", stderr(&o));
}
