//! The example GitOps repository (`examples/gitops/`), driven through the real orchestrators
//! the way its README tells a new user to: `kubectl kustomize --enable-alpha-plugins
//! overlays/<env>` with the legacy plugin, `kpt fn eval . --exec "kbundle fn"` from the
//! package, and `kbundle render base overlays/<env>/environment.yaml`. Never skipped: without
//! `kpt` or `kubectl` on PATH the tests fail.
//!
//! Every test works on a copy of the example in a temp dir with a `.git` directory, as a user
//! who copied it into a fresh repository would (kbundle confines the files bundles name to the
//! repository holding the kustomization).

mod common;

use common::{annotation, assert_ok, docs, kbundle, kind, label, require, run, s, stderr, stdout};

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

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
    copy_tree(&common::root().join("examples/gitops"), &repo);
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

// ---------------------------------------------------------------------------------------------
// kustomize

/// Each overlay renders through `kubectl kustomize --enable-alpha-plugins` with the legacy
/// plugin: both bundles' objects under that overlay's Environment, with its patches (prod: 24
/// partitions for orders.created.v1; dev: the sink connector stopped), and nothing of the
/// inputs. A second build prints the same bytes.
#[test]
fn kustomize_renders_every_overlay() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("plugins");
    install_plugin(&home);
    let repo = copy_example(tmp.path());

    for env in ENVS {
        let out = kustomize(&home, &repo, env);
        assert_ok(&out, &format!("kubectl kustomize overlays/{env}"));
        let text = stdout(&out);
        let objs = docs(&text);
        assert_environment(&objs, env, true);
        assert!(
            objs.iter()
                .all(|o| !matches!(kind(o), "AppBundle" | "Environment" | "Application")),
            "inputs leaked into overlays/{env}:\n{text}"
        );
        // buildMetadata: [originAnnotations] is what lets kbundle find base/orders/schemas.
        for o in &objs {
            let origin = annotation(o, "config.kubernetes.io/origin").unwrap_or_default();
            assert!(
                origin.contains(&format!("name: {env}")),
                "{env}: origin of {o}"
            );
        }

        let again = kustomize(&home, &repo, env);
        assert_ok(&again, &format!("second kubectl kustomize overlays/{env}"));
        assert_eq!(
            again.stdout, out.stdout,
            "overlays/{env}: a second build differs"
        );
    }
}

/// A bundle change that breaks prod's guardrails (the prod patch raised to 96 partitions,
/// policy.maxPartitions is 48): kubectl fails, the KB023 diagnostic names the bundle file and
/// field, and no manifest reaches stdout. dev and staging are unaffected.
#[test]
fn kustomize_refuses_prod_over_max_partitions() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("plugins");
    install_plugin(&home);
    let repo = copy_example(tmp.path());
    let kustomization = repo.join("overlays/prod/kustomization.yaml");
    let text = std::fs::read_to_string(&kustomization).unwrap();
    assert!(text.contains("value: 24"), "{text}");
    std::fs::write(&kustomization, text.replace("value: 24", "value: 96")).unwrap();

    let out = kustomize(&home, &repo, "prod");
    assert!(
        !out.status.success(),
        "kubectl kustomize overlays/prod should fail:\n{}",
        stdout(&out)
    );
    assert!(out.stdout.is_empty(), "stdout: {}", stdout(&out));
    let err = stderr(&out);
    for needle in [
        "error[KB023]: partitions is 96, Environment/prod allows at most 48",
        "../../base/orders/appbundle.yaml",
        "AppBundle/orders",
        "spec.topics[0].partitions",
    ] {
        assert!(err.contains(needle), "stderr lacks {needle:?}:\n{err}");
    }

    for env in ["dev", "staging"] {
        assert_ok(
            &kustomize(&home, &repo, env),
            &format!("kubectl kustomize overlays/{env}"),
        );
    }
}

// ---------------------------------------------------------------------------------------------
// kpt

/// `kpt fn eval . --exec "kbundle fn" -o stdout -- environment=<env>` from the package renders
/// the base bundles under the chosen Environment (no kustomize patches: prod keeps 6
/// partitions), leaves the Argo CD Applications and kustomizations out (.krmignore), keeps the
/// inputs as local-config, writes no file, and prints the same bytes twice. `-o unwrap` prints
/// the same items as a YAML stream.
#[test]
fn kpt_renders_every_environment() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = copy_example(tmp.path());
    let before = snapshot(&repo);

    for env in ENVS {
        let out = kpt_eval(&repo, "stdout", env);
        assert_ok(&out, &format!("kpt fn eval -- environment={env}"));
        let (generated, others) = split_items(&stdout(&out));
        assert_environment(&generated, env, false);
        for o in &generated {
            let path = annotation(o, "internal.config.kubernetes.io/path").unwrap_or_default();
            let bundle = label(o, "app.kubernetes.io/part-of").unwrap_or_default();
            assert_eq!(
                path,
                format!("base/{bundle}/generated/{bundle}.yaml"),
                "{o}"
            );
        }
        let mut rest: Vec<(String, String)> = others
            .iter()
            .map(|o| (kind(o).to_string(), name(o).to_string()))
            .collect();
        rest.sort();
        assert_eq!(
            rest,
            [
                ("AppBundle", "orders"),
                ("AppBundle", "payments"),
                ("Environment", "dev"),
                ("Environment", "prod"),
                ("Environment", "staging"),
                ("Kptfile", "kafka-apps"),
            ]
            .map(|(k, n)| (k.to_string(), n.to_string())),
            "{env}: .krmignore keeps argocd/ and kustomization.yaml out"
        );
        for o in &others {
            assert_eq!(
                annotation(o, "config.kubernetes.io/local-config"),
                Some("true"),
                "{o}"
            );
        }

        let again = kpt_eval(&repo, "stdout", env);
        assert_ok(&again, &format!("second kpt fn eval -- environment={env}"));
        assert_eq!(again.stdout, out.stdout, "{env}: a second kpt run differs");

        let unwrap = kpt_eval(&repo, "unwrap", env);
        assert_ok(
            &unwrap,
            &format!("kpt fn eval -o unwrap -- environment={env}"),
        );
        let stream = docs(&stdout(&unwrap));
        let (stream_generated, _): (Vec<_>, Vec<_>) = stream
            .into_iter()
            .partition(|o| label(o, "app.kubernetes.io/managed-by") == Some("kbundle"));
        assert_eq!(
            by_id(&stream_generated),
            by_id(&generated),
            "{env}: -o unwrap"
        );
    }
    assert_eq!(
        snapshot(&repo),
        before,
        "kpt fn eval -o stdout/unwrap wrote into the package"
    );
}

// ---------------------------------------------------------------------------------------------
// All paths

/// The three paths agree where they should: staging has no overlay patches, so kustomize, kpt
/// and `kbundle render base overlays/staging/environment.yaml` give the same objects, apart
/// from where-from annotations. For prod, the only difference is the patched partition count.
#[test]
fn kustomize_kpt_and_cli_agree() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("plugins");
    install_plugin(&home);
    let repo = copy_example(tmp.path());

    for env in ["staging", "prod"] {
        let out = kustomize(&home, &repo, env);
        assert_ok(&out, &format!("kubectl kustomize overlays/{env}"));
        let mut kustomized = by_id(&docs(&stdout(&out)));

        let out = kpt_eval(&repo, "stdout", env);
        assert_ok(&out, &format!("kpt fn eval -- environment={env}"));
        let kpt = by_id(&split_items(&stdout(&out)).0);

        let out = cli_render(&repo, env);
        assert_ok(
            &out,
            &format!("kbundle render base overlays/{env}/environment.yaml"),
        );
        let cli = by_id(&docs(&stdout(&out)));
        assert_environment(&cli.values().cloned().collect::<Vec<_>>(), env, false);

        assert_eq!(kpt, cli, "{env}: kpt and the CLI differ");
        if env == "prod" {
            let key = ("KafkaTopic".to_string(), "orders.created.v1".to_string());
            let topic = kustomized.get_mut(&key).unwrap();
            assert_eq!(topic["spec"]["partitions"], 24);
            topic["spec"]["partitions"] = Value::from(6);
        }
        assert_eq!(kustomized, cli, "{env}: kustomize and the CLI differ");
    }
}

// ---------------------------------------------------------------------------------------------
// Argo CD

/// One Application per environment, pointing at its overlay through the kbundle CMP: the
/// overlay exists, no `environment` parameter competes with the overlay's Environment
/// transformer (KB125), automated sync with prune for dev and staging, manual for prod.
#[test]
fn argocd_applications_point_at_the_overlays() {
    let root = common::root().join("examples/gitops");
    for env in ENVS {
        let file = root.join(format!("argocd/orders-payments-{env}.yaml"));
        let text = std::fs::read_to_string(&file)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
        let apps = docs(&text);
        assert_eq!(apps.len(), 1, "{}", file.display());
        let app = &apps[0];
        assert_eq!(s(app, "/apiVersion"), Some("argoproj.io/v1alpha1"));
        assert_eq!(kind(app), "Application");
        assert_eq!(name(app), format!("orders-payments-{env}"));
        assert_eq!(s(app, "/metadata/namespace"), Some("argocd"));
        assert_eq!(
            s(app, "/spec/source/repoURL"),
            Some("https://git.example.com/platform/kafka-apps.git")
        );
        let path = s(app, "/spec/source/path").expect("source.path");
        assert_eq!(path, format!("overlays/{env}"));
        assert!(root.join(path).join("kustomization.yaml").is_file());
        assert!(root.join(path).join("environment.yaml").is_file());
        assert_eq!(s(app, "/spec/source/plugin/name"), Some("kbundle-v1"));
        assert!(
            app.pointer("/spec/source/plugin/parameters").is_none(),
            "{env}: the overlay already names its Environment"
        );
        assert_eq!(
            s(app, "/spec/destination/server"),
            Some("https://kubernetes.default.svc")
        );
        assert_eq!(s(app, "/spec/destination/namespace"), Some("kafka"));
        let automated = app.pointer("/spec/syncPolicy/automated");
        if env == "prod" {
            assert!(automated.is_none(), "prod syncs by hand: {app}");
        } else {
            assert_eq!(
                automated.and_then(|a| a.get("prune")),
                Some(&Value::Bool(true))
            );
        }
        assert!(
            app.pointer("/spec/syncPolicy/syncOptions")
                .and_then(Value::as_array)
                .is_some_and(|o| !o.is_empty()),
            "{app}"
        );
    }
}

/// `kbundle render overlays/<env>` (what the README's first command runs, and what the Argo CD
/// plugin does) builds each overlay itself — no plugin installed — and gives the same objects as
/// `kubectl kustomize` with the installed plugin, without kustomize's origin annotations.
#[test]
fn kbundle_render_of_every_overlay_matches_kubectl_kustomize() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("plugins");
    install_plugin(&home);
    let repo = copy_example(tmp.path());
    for env in ENVS {
        let mut cmd = Command::new(kbundle());
        cmd.current_dir(&repo)
            .arg("render")
            .arg(format!("overlays/{env}"))
            .env_remove("KUSTOMIZE_PLUGIN_HOME");
        let out = run(cmd);
        assert_ok(&out, &format!("kbundle render overlays/{env}"));
        assert!(stderr(&out).is_empty(), "{env}: {}", stderr(&out));
        let text = stdout(&out);
        assert!(!text.contains("config.kubernetes.io/origin"), "{env}");
        let objs = docs(&text);
        assert_environment(&objs, env, true);

        let by_kubectl = kustomize(&home, &repo, env);
        assert_ok(&by_kubectl, &format!("kubectl kustomize overlays/{env}"));
        assert_eq!(
            by_id(&objs),
            by_id(&docs(&stdout(&by_kubectl))),
            "{env}: kbundle render and kubectl kustomize differ"
        );

        let again = run({
            let mut c = Command::new(kbundle());
            c.current_dir(&repo)
                .arg("render")
                .arg(format!("overlays/{env}"));
            c
        });
        assert_eq!(again.stdout, out.stdout, "{env}: a second render differs");
    }
}
