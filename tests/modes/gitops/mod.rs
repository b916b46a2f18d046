//! The example GitOps repository (`examples/gitops/`), driven through the real orchestrators
//! the way its README tells a new user to: `kubectl kustomize --enable-alpha-plugins
//! overlays/<env>` with the legacy plugin, `kpt fn eval . --exec "kbundle fn"` from the
//! package, and `kbundle render base overlays/<env>/environment.yaml`. Never skipped: without
//! `kpt` or `kubectl` on PATH the tests fail.
//!
//! Every test works on a copy of the example in a temp dir with a `.git` directory, as a user
//! who copied it into a fresh repository would (kbundle confines the files bundles name to the
//! repository holding the kustomization).

use crate::support;

use support::{annotation, assert_ok, docs, kbundle, kind, label, require, run, s, stderr, stdout};

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod confluent;
mod overlays;

#[allow(unused_imports)]
use overlays::*;

const ENVS: [&str; 3] = ["dev", "staging", "prod"];

// ---------------------------------------------------------------------------------------------
// Helpers

/// Copies `from` into `to` recursively (regular files and directories only).
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        let ty = entry.file_type().unwrap();
        if ty.is_dir() {
            copy_tree(&entry.path(), &target);
        } else if ty.is_file() {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A copy of `examples/gitops` as the root of a fresh repository: `<tmp>/kafka-apps`.
fn copy_example(tmp: &Path) -> PathBuf {
    let repo = tmp.join("kafka-apps");
    copy_tree(&support::root().join("examples/gitops"), &repo);
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    repo
}

/// Every file under `dir` (relative path → bytes), `.git` excluded.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.file_name().is_some_and(|n| n == ".git") {
                continue;
            }
            if path.is_dir() {
                walk(base, &path, out);
            } else {
                let rel = path.strip_prefix(base).unwrap().to_string_lossy();
                out.insert(rel.into_owned(), std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn install_plugin(home: &Path) {
    let mut cmd = Command::new(kbundle());
    cmd.arg("install-plugin").arg("--plugin-home").arg(home);
    assert_ok(&run(cmd), "kbundle install-plugin");
}

/// `kubectl kustomize --enable-alpha-plugins <repo>/overlays/<env>`.
fn kustomize(plugin_home: &Path, repo: &Path, env: &str) -> Output {
    let mut cmd = Command::new(require("kubectl"));
    cmd.args(["kustomize", "--enable-alpha-plugins"])
        .arg(repo.join("overlays").join(env))
        .env("KUSTOMIZE_PLUGIN_HOME", plugin_home);
    run(cmd)
}

/// `kpt fn eval . --exec "<kbundle> fn" -o <output> -- environment=<env>`, run from the package.
fn kpt_eval(repo: &Path, output: &str, env: &str) -> Output {
    let mut cmd = Command::new(require("kpt"));
    cmd.current_dir(repo)
        .args(["fn", "eval", ".", "--exec"])
        .arg(format!("{} fn", kbundle().display()))
        .args(["-o", output, "--truncate-output=false", "--"])
        .arg(format!("environment={env}"));
    run(cmd)
}

/// `kbundle render base overlays/<env>/environment.yaml`, run from the repository.
fn cli_render(repo: &Path, env: &str) -> Output {
    let mut cmd = Command::new(kbundle());
    cmd.current_dir(repo)
        .args(["render", "base"])
        .arg(format!("overlays/{env}/environment.yaml"));
    run(cmd)
}

fn name(v: &Value) -> &str {
    s(v, "/metadata/name").unwrap_or("")
}

/// The one object of `kind` whose name starts with `prefix`.
#[track_caller]
fn find<'a>(objs: &'a [Value], kind_: &str, prefix: &str) -> &'a Value {
    let found: Vec<_> = objs
        .iter()
        .filter(|o| kind(o) == kind_ && name(o).starts_with(prefix))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "expected one {kind_}/{prefix}*, got {found:?}"
    );
    found[0]
}

/// (kind, name) of every object, with the content hash kbundle appends to ConfigMap and Job
/// names dropped, so the list can be written down.
fn ids(objs: &[Value]) -> BTreeSet<(String, String)> {
    objs.iter()
        .map(|o| {
            let n = name(o);
            let n = match n.rsplit_once('-') {
                Some((stem, hash))
                    if matches!(kind(o), "ConfigMap" | "Job")
                        && hash.len() == 10
                        && hash.bytes().all(|b| b.is_ascii_hexdigit()) =>
                {
                    stem
                }
                _ => n,
            };
            (kind(o).to_string(), n.to_string())
        })
        .collect()
}

/// What both bundles render to, in every environment.
fn expected_ids() -> BTreeSet<(String, String)> {
    [
        ("KafkaTopic", "orders.created.v1"),
        ("KafkaTopic", "orders.audit.v1"),
        ("KafkaTopic", "payments.settled.v1"),
        ("KafkaUser", "orders-service"),
        ("KafkaUser", "payments-service"),
        ("KafkaConnector", "orders-to-warehouse"),
        ("PrometheusRule", "orders-kbundle-alerts"),
        ("PrometheusRule", "payments-kbundle-alerts"),
        ("AlertmanagerConfig", "orders-kbundle-routing"),
        ("AlertmanagerConfig", "payments-kbundle-routing"),
        ("ConfigMap", "orders-masking-policy"),
        ("ConfigMap", "orders-schema-orders-created-v1-key"),
        ("Job", "orders-schema-orders-created-v1-key"),
        ("ConfigMap", "orders-schema-orders-created-v1-value"),
        ("Job", "orders-schema-orders-created-v1-value"),
        ("ConfigMap", "payments-schema-payments-settled-v1-value"),
        ("Job", "payments-schema-payments-settled-v1-value"),
        ("ConfigMap", "orders-ksql-migrations"),
        ("Job", "orders-ksql-migrations"),
        ("Job", "orders-test-smoke"),
    ]
    .into_iter()
    .map(|(k, n)| (k.to_string(), n.to_string()))
    .collect()
}

/// `spec.topicName` → (partitions, replicas, min.insync.replicas) of every KafkaTopic.
fn topics(objs: &[Value]) -> BTreeMap<String, (u64, u64, u64)> {
    objs.iter()
        .filter(|o| kind(o) == "KafkaTopic")
        .map(|o| {
            let n = |p: &str| {
                o.pointer(p)
                    .and_then(Value::as_u64)
                    .unwrap_or_else(|| panic!("{p} missing in {o}"))
            };
            (
                s(o, "/spec/topicName").expect("topicName").to_string(),
                (
                    n("/spec/partitions"),
                    n("/spec/replicas"),
                    n("/spec/config/min.insync.replicas"),
                ),
            )
        })
        .collect()
}

/// What each Environment (and, under kustomize, its overlay's patches) makes of the topics.
fn expected_topics(env: &str, overlay_patches: bool) -> BTreeMap<String, (u64, u64, u64)> {
    let (replicas, min_insync) = if env == "dev" { (1, 1) } else { (3, 2) };
    // overlays/prod patches orders.created.v1 from 6 to 24 partitions; kpt and the CLI do not
    // apply kustomize patches.
    let created = if env == "prod" && overlay_patches {
        24
    } else {
        6
    };
    BTreeMap::from([
        (
            "orders.created.v1".to_string(),
            (created, replicas, min_insync),
        ),
        ("orders.audit.v1".to_string(), (1, replicas, min_insync)),
        (
            "payments.settled.v1".to_string(),
            (12, replicas, min_insync),
        ),
    ])
}

/// The objects of one environment, whichever path rendered them: namespaces, cluster labels,
/// hook Jobs, the schema and migration files found beside the bundles, the Environment's
/// receivers and credentials.
#[track_caller]
fn assert_environment(objs: &[Value], env: &str, overlay_patches: bool) {
    assert_eq!(ids(objs), expected_ids(), "objects rendered for {env}");
    assert_eq!(topics(objs), expected_topics(env, overlay_patches), "{env}");
    for o in objs {
        assert_eq!(s(o, "/metadata/namespace"), Some("kafka"), "{env}: {o}");
        assert_eq!(
            label(o, "app.kubernetes.io/managed-by"),
            Some("kbundle"),
            "{o}"
        );
        let cluster = label(o, "strimzi.io/cluster");
        match kind(o) {
            "KafkaTopic" | "KafkaUser" => {
                assert_eq!(cluster, Some(format!("kafka-{env}").as_str()), "{o}")
            }
            "KafkaConnector" => assert_eq!(cluster, Some("connect"), "{o}"),
            _ => {}
        }
        if kind(o) == "KafkaTopic" {
            assert_eq!(
                annotation(o, "argocd.argoproj.io/sync-options"),
                Some("Prune=false,Delete=false"),
                "{o}"
            );
        }
    }

    // Hook Jobs: schema registration before the sync, the ksqlDB migration in it (after the
    // topics it reads, before the connectors), the acceptance test after it.
    let hook = |prefix: &str| {
        let job = find(objs, "Job", prefix);
        annotation(job, "argocd.argoproj.io/hook").unwrap_or_default()
    };
    assert_eq!(hook("orders-schema-orders-created-v1-value-"), "PreSync");
    assert_eq!(hook("orders-schema-orders-created-v1-key-"), "PreSync");
    assert_eq!(
        hook("payments-schema-payments-settled-v1-value-"),
        "PreSync"
    );
    assert_eq!(hook("orders-ksql-migrations-"), "Sync");
    let wave = |o: &Value| {
        annotation(o, "argocd.argoproj.io/sync-wave")
            .unwrap_or("0")
            .parse::<i32>()
            .expect("numeric wave")
    };
    let migration = wave(find(objs, "Job", "orders-ksql-migrations-"));
    for o in objs {
        match kind(o) {
            "KafkaTopic" | "KafkaUser" => assert!(wave(o) < migration, "{o}"),
            "KafkaConnector" => assert!(wave(o) > migration, "{o}"),
            _ => {}
        }
    }
    assert_eq!(hook("orders-test-smoke-"), "PostSync");

    // The files beside base/orders/appbundle.yaml made it in: the current schema (v2, with
    // currency) and both migrations.
    let schema = find(objs, "ConfigMap", "orders-schema-orders-created-v1-value-").to_string();
    assert!(
        schema.contains("OrderCreated") && schema.contains("currency"),
        "{schema}"
    );
    let migrations = find(objs, "ConfigMap", "orders-ksql-migrations-");
    let files: BTreeSet<&str> = migrations
        .pointer("/data")
        .and_then(Value::as_object)
        .expect("migration data")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        files,
        BTreeSet::from([
            "V000001__create_orders_stream.sql",
            "V000002__create_order_totals.sql"
        ])
    );

    // Masking is enforced on the sink connector; dev's overlay creates it stopped.
    let connector = find(objs, "KafkaConnector", "orders-to-warehouse");
    assert!(
        connector.to_string().contains("MaskField"),
        "no mask transform: {connector}"
    );
    assert_eq!(
        s(connector, "/spec/state"),
        (env == "dev" && overlay_patches).then_some("stopped"),
        "{connector}"
    );

    // Receivers: dev and staging send everything to Slack, prod pages on PagerDuty.
    let routing = find(objs, "AlertmanagerConfig", "orders-kbundle-routing").to_string();
    assert_eq!(
        routing.contains("pagerduty-orders"),
        env == "prod",
        "{routing}"
    );
    assert!(routing.contains("slack-webhook"), "{routing}");
    // Credentials by Secret reference only where the Environment names them.
    let job = find(objs, "Job", "orders-schema-orders-created-v1-value-").to_string();
    assert_eq!(job.contains("sr-basic-auth"), env != "dev", "{job}");
    let job = find(objs, "Job", "orders-ksql-migrations-").to_string();
    assert_eq!(job.contains("ksqldb-auth"), env != "dev", "{job}");
}

/// Drops what the orchestrators add to say where an object came from or goes to
/// (`config.kubernetes.io/origin`, kpt's path and index annotations), so the objects of two
/// paths can be compared.
fn without_bookkeeping(mut o: Value) -> Value {
    if let Some(annotations) = o
        .pointer_mut("/metadata/annotations")
        .and_then(Value::as_object_mut)
    {
        annotations.retain(|k, _| {
            !(k.starts_with("internal.config.kubernetes.io/")
                || matches!(
                    k.as_str(),
                    "config.kubernetes.io/origin"
                        | "config.kubernetes.io/path"
                        | "config.kubernetes.io/index"
                ))
        });
        if annotations.is_empty() {
            o["metadata"].as_object_mut().unwrap().remove("annotations");
        }
    }
    o
}

/// The objects as a map from (kind, name), bookkeeping dropped.
fn by_id(objs: &[Value]) -> BTreeMap<(String, String), Value> {
    objs.iter()
        .map(|o| {
            (
                (kind(o).to_string(), name(o).to_string()),
                without_bookkeeping(o.clone()),
            )
        })
        .collect()
}

/// The items of a ResourceList kbundle generated (labelled `managed-by: kbundle`), and the
/// others.
fn split_items(resource_list: &str) -> (Vec<Value>, Vec<Value>) {
    let rl = docs(resource_list);
    assert_eq!(rl.len(), 1, "one ResourceList");
    assert_eq!(kind(&rl[0]), "ResourceList");
    let items = rl[0]["items"].as_array().expect("items").clone();
    items
        .into_iter()
        .partition(|o| label(o, "app.kubernetes.io/managed-by") == Some("kbundle"))
}

/// Every test of this module and its submodules.
pub fn tests() -> Vec<support::Test> {
    [overlays::tests(), confluent::tests()]
        .into_iter()
        .flatten()
        .collect()
}
