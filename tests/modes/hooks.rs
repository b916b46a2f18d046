//! ksql migration and acceptance test hooks, built from parsed bundles: the Jobs and ConfigMaps
//! validate against the Kubernetes v1.32 JSON Schemas in ../shared/vendor/k8s, and the fixed
//! migration script does what it promises when run against a stand-in `ksql-migrations`.

use crate::support;

use kbundle::backend::shared::jobs::hook_objects;
use kbundle::model::environment::EnvironmentSpec;
use kbundle::plan::ksql::{MIGRATE_SCRIPT, MOUNT_PATH, migration_job};
use kbundle::plan::tests::test_jobs;
use kbundle::source::{Origin, read_relative_dir};
use kbundle::validate::BundleInput;
use serde_json::{Value, json};
use std::path::Path;

fn validator(vendor: &Path, file: &str) -> jsonschema::Validator {
    let path = vendor.join("k8s/v1.32.2-standalone-strict").join(file);
    let text = std::fs::read_to_string(&path).expect("schema file");
    let mut schema: Value = serde_json::from_str(&text).expect("schema json");
    // `http://json-schema.org/schema#` names no draft; these files are draft 4.
    schema["$schema"] = Value::String("http://json-schema.org/draft-04/schema#".into());
    jsonschema::validator_for(&schema).expect("schema compiles")
}

fn errors(v: &jsonschema::Validator, obj: &Value) -> Vec<String> {
    v.iter_errors(obj)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

fn bundle(root: &Path) -> BundleInput {
    let v = json!({
        "apiVersion": "kbundle.dev/v1alpha1", "kind": "AppBundle",
        "metadata": {"name": "orders"},
        "spec": {
            "owner": "team-orders",
            "topics": [{"name": "orders.created.v1"}],
            "ksql": {"migrations": "ksql/"},
            "tests": [
                {"name": "smoke", "image": "registry.example.com/orders-tests:1.4.2",
                 "command": ["/bin/run-tests"], "args": ["--suite", "smoke"],
                 "env": {"SUITE": "smoke"}, "timeout": "10m"},
                {"name": "minimal", "image": "registry.example.com/orders-tests:1.4.2"}
            ]
        }
    });
    BundleInput {
        bundle: kbundle::model::parse_app_bundle(&v).expect("bundle"),
        origin: Origin {
            file: Some("apps/orders/bundle.yaml".into()),
            index: 0,
            span: None,
            base_dir: Some(root.to_path_buf()),
            root: Some(root.to_path_buf()),
            base_dir_guessed: false,
            left_out: Vec::new(),
        },
        files: Default::default(),
        migrations: None,
        resolved: Default::default(),
    }
}

fn env() -> EnvironmentSpec {
    serde_json::from_value(json!({
        "namespace": "kafka",
        "ksqldb": {"url": "http://ksqldb.kafka:8088", "image": "confluentinc/ksqldb-cli:0.29.0",
                   "credentialsSecret": "ksqldb-basic-auth"},
        "hooks": {"image": "curlimages/curl:8.11.0", "serviceAccount": "kbundle-hooks"}
    }))
    .expect("env")
}

fn migrations_dir() -> tempfile::TempDir {
    let t = tempfile::tempdir().expect("tempdir");
    let d = t.path().join("ksql");
    std::fs::create_dir_all(&d).expect("mkdir");
    std::fs::write(
        d.join("V000001__create_orders_stream.sql"),
        "CREATE STREAM orders (id STRING KEY, total DOUBLE)\n  WITH (KAFKA_TOPIC='orders.created.v1', VALUE_FORMAT='JSON');\n",
    )
    .expect("write");
    std::fs::write(
        d.join("V000002__big_orders.sql"),
        "CREATE STREAM big_orders AS SELECT * FROM orders WHERE total > 1000 & total < 1e9;\n",
    )
    .expect("write");
    t
}

fn migration_and_test_jobs_match_the_kubernetes_schemas() {
    let Some(vendor) = support::vendor() else {
        return;
    };
    let job_schema = validator(&vendor, "job-batch-v1.json");
    let cm_schema = validator(&vendor, "configmap-v1.json");
    let dir = migrations_dir();
    let b = bundle(dir.path());
    let files = read_relative_dir(&b.origin, "ksql/").expect("folder");
    assert_eq!(files.len(), 2);
    assert_eq!(
        files[0].display,
        "apps/orders/ksql/V000001__create_orders_stream.sql"
    );
    let mut hooks = vec![migration_job(&b, &env(), &files)];
    hooks.extend(test_jobs(&b, &env()));
    let mut kinds = Vec::new();
    for h in &hooks {
        for obj in hook_objects(h) {
            let schema = match obj["kind"].as_str() {
                Some("Job") => &job_schema,
                Some("ConfigMap") => &cm_schema,
                other => panic!("unexpected kind {other:?}"),
            };
            assert_eq!(errors(schema, &obj), Vec::<String>::new(), "{obj:#}");
            let name = obj["metadata"]["name"].as_str().expect("name");
            assert!(
                name.len() <= 63 && kbundle::names::dns_label_problem(name).is_none(),
                "{name}"
            );
            kinds.push((
                obj["kind"].as_str().unwrap_or("").to_string(),
                obj["metadata"]["annotations"]["argocd.argoproj.io/hook"]
                    .as_str()
                    .unwrap_or("")
                    .to_string(),
            ));
        }
    }
    let want = [
        ("ConfigMap", "PreSync"),
        ("Job", "PreSync"),
        ("Job", "PostSync"),
        ("Job", "PostSync"),
    ];
    let got: Vec<(&str, &str)> = kinds
        .iter()
        .map(|(k, h)| (k.as_str(), h.as_str()))
        .collect();
    assert_eq!(got, want);
}

fn the_migration_job_mounts_its_files_and_reads_credentials_by_reference() {
    let dir = migrations_dir();
    let b = bundle(dir.path());
    let files = read_relative_dir(&b.origin, "ksql").expect("folder");
    let objs = hook_objects(&migration_job(&b, &env(), &files));
    let (cm, job) = (&objs[0], &objs[1]);
    assert_eq!(
        cm["data"]["V000002__big_orders.sql"],
        files[1].text.as_str()
    );
    let pod = &job["spec"]["template"]["spec"];
    let cm_name = cm["metadata"]["name"].as_str().expect("name");
    let volume = pod["volumes"]
        .as_array()
        .expect("volumes")
        .iter()
        .find(|v| v["configMap"]["name"] == cm_name)
        .expect("the ConfigMap is mounted");
    let c = &pod["containers"][0];
    let mount = c["volumeMounts"]
        .as_array()
        .expect("mounts")
        .iter()
        .find(|m| m["name"] == volume["name"])
        .expect("mount");
    assert_eq!(mount["mountPath"], MOUNT_PATH);
    assert_eq!(c["image"], "confluentinc/ksqldb-cli:0.29.0");
    let env = c["env"].as_array().expect("env");
    let password = env
        .iter()
        .find(|e| e["name"] == "KSQL_PASSWORD")
        .expect("password");
    assert_eq!(
        password["valueFrom"]["secretKeyRef"],
        json!({"name": "ksqldb-basic-auth", "key": "password"})
    );
    assert_eq!(pod["serviceAccountName"], "kbundle-hooks");
}

/// Run the migration script with its paths moved into `work` and a stand-in `ksql-migrations`
/// that logs its arguments; `info` fails with `info_error` until `initialize-metadata` ran.
#[cfg(unix)]
fn run_script(work: &Path, info_error: &str, password: &str) -> (bool, String, String) {
    use std::os::unix::fs::PermissionsExt;
    let mounted = work.join("mounted");
    std::fs::create_dir_all(mounted.join("..2025_01_01")).expect("mkdir");
    std::fs::write(
        mounted.join("V000001__a.sql"),
        "CREATE TYPE a AS STRUCT<x INT>;",
    )
    .expect("w");
    std::fs::write(mounted.join("..data"), "").expect("w");
    let bin = work.join("bin");
    std::fs::create_dir_all(&bin).expect("mkdir");
    let fake = format!(
        r#"#!/bin/sh
echo "$*" >> {log}
config="$2"
case "$3" in
  info)
    if [ ! -e {state} ]; then echo '{info_error}'; exit 1; fi ;;
  initialize-metadata) touch {state} ;;
  apply) ls "$(dirname "$config")/migrations" >> {log}; cp "$config" {work}/config.copy ;;
esac
"#,
        log = work.join("log").display(),
        state = work.join("state").display(),
        work = work.display(),
    );
    let fake_path = bin.join("ksql-migrations");
    std::fs::write(&fake_path, fake).expect("w");
    std::fs::set_permissions(&fake_path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let tmp = work.join("tmp");
    std::fs::create_dir_all(&tmp).expect("mkdir");
    // /tmp first: the temporary directory standing in for the mount may itself be under /tmp.
    let script = MIGRATE_SCRIPT
        .replace("/tmp/", &format!("{}/", tmp.display()))
        .replace(MOUNT_PATH, &mounted.display().to_string());
    let out = std::process::Command::new("/bin/sh")
        .arg("-c")
        .arg(&script)
        .env(
            "PATH",
            format!(
                "{}:{}",
                bin.display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        )
        .env("KSQL_URL", "http://ksqldb:8088")
        .env("KSQL_USERNAME", "svc")
        .env("KSQL_PASSWORD", password)
        .output()
        .expect("sh runs");
    let log = std::fs::read_to_string(work.join("log")).unwrap_or_default();
    let config = std::fs::read_to_string(work.join("config.copy")).unwrap_or_default();
    (out.status.success(), log, config)
}

#[cfg(unix)]
fn the_script_initializes_missing_metadata_then_applies_everything() {
    let t = tempfile::tempdir().expect("tempdir");
    let missing = "Failed to verify existence of migrations metadata stream 'MIGRATION_EVENTS'.";
    let (ok, log, config) = run_script(t.path(), missing, r"p\w=d");
    assert!(ok, "{log}");
    let commands: Vec<String> = log
        .lines()
        .map(|l| l.split_whitespace().skip(2).collect::<Vec<_>>().join(" "))
        .collect();
    assert_eq!(
        commands,
        ["info", "initialize-metadata", "apply --all", "", "info"],
        "{log}"
    );
    assert!(
        log.contains("V000001__a.sql") && !log.contains("..data"),
        "{log}"
    );
    assert_eq!(
        config,
        "ksql.server.url=http://ksqldb:8088\nksql.auth.basic.username=svc\nksql.auth.basic.password=p\\\\w=d\n"
    );

    // Metadata present: no initialization.
    let t = tempfile::tempdir().expect("tempdir");
    std::fs::write(t.path().join("state"), "").expect("w");
    let (ok, log, _) = run_script(t.path(), missing, "pw");
    assert!(ok);
    assert!(!log.contains("initialize-metadata"), "{log}");

    // Any other failure (server down, bad credentials) fails without applying.
    let t = tempfile::tempdir().expect("tempdir");
    let (ok, log, _) = run_script(t.path(), "Connection refused", "pw");
    assert!(!ok);
    assert_eq!(log.lines().count(), 1, "{log}");
    assert!(log.trim_end().ends_with(" info"), "{log}");
}

register!(
    migration_and_test_jobs_match_the_kubernetes_schemas,
    the_migration_job_mounts_its_files_and_reads_credentials_by_reference,
    the_script_initializes_missing_metadata_then_applies_everything
);
