//! End-to-end tests against the real orchestrators installed on this machine: `kpt` (KRM
//! function via `fn eval --exec` and a Kptfile pipeline) and `kubectl kustomize` (legacy exec
//! plugin). They are never skipped: without `kpt` or `kubectl` on PATH they fail.
//!
//! Facts these tests pin down (checked with kpt 1.0.0-beta.56 and kubectl v1.32 / kustomize
//! v5.5.0):
//! - kpt resolves `--exec` and Kptfile `exec:` against its own working directory, so the tests
//!   use the binary's absolute path. A Kptfile `exec:` string is split on spaces into a command
//!   and arguments (`exec: /path/kbundle fn` works), and the bare binary works too (kbundle runs
//!   as a KRM function when stdin is not a terminal).
//! - kpt rewrites every file it reads in its own formatting, even with a pass-through function
//!   (`--exec cat`): quotes dropped in the Kptfile, one space before a trailing comment. The
//!   fixtures are written the way kpt writes them, so "untouched" can mean byte-identical.
//! - `kubectl kustomize` without flags refuses an `exec:` KRM function (it is an "external
//!   plugin"); with `--enable-alpha-plugins` it skips the function silently and passes the
//!   AppBundle through unrendered (see `kubectl_kustomize_exec_function_is_not_run`).

mod common;

use common::{
    ORDERS, PAYMENTS, PROD, STAGING, annotation, assert_failed, assert_ok, docs, kbundle, kind,
    label, require, run, s, stderr, stdout,
};

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

// ---------------------------------------------------------------------------------------------
// Fixtures

const KPTFILE: &str = "apiVersion: kpt.dev/v1
kind: Kptfile
metadata:
  name: pkg
";

const CONFIGMAP: &str = "# Not ours: kbundle must leave it alone.
apiVersion: v1
kind: ConfigMap
metadata:
  name: unrelated
data:
  greeting: hello # kpt keeps comments but normalises spacing: written as kpt writes it
";

// ---------------------------------------------------------------------------------------------
// Helpers

fn kbundle_str() -> String {
    kbundle().to_str().expect("UTF-8 binary path").to_string()
}

fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
}

fn read(dir: &Path, rel: &str) -> String {
    let path = dir.join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Every file under `dir` (relative path → content).
fn snapshot(dir: &Path) -> BTreeMap<String, String> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(base, &path, out);
            } else {
                let rel = path
                    .strip_prefix(base)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.insert(rel, std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// `spec.topicName` → `spec.partitions` of every KafkaTopic.
fn partitions(objs: &[Value]) -> BTreeMap<String, u64> {
    objs.iter()
        .filter(|o| kind(o) == "KafkaTopic")
        .map(|o| {
            (
                s(o, "/spec/topicName").expect("topicName").to_string(),
                o.pointer("/spec/partitions")
                    .and_then(Value::as_u64)
                    .expect("partitions"),
            )
        })
        .collect()
}

/// (kind, metadata.name) of every object, sorted.
fn ids(objs: &[Value]) -> Vec<(String, String)> {
    let mut ids: Vec<_> = objs
        .iter()
        .map(|o| {
            (
                kind(o).to_string(),
                s(o, "/metadata/name").unwrap_or("").to_string(),
            )
        })
        .collect();
    ids.sort();
    ids
}

/// Every object is a kbundle-generated Strimzi object of `bundle`, with the Environment's
/// namespace (`None`: no namespace) and cluster label.
#[track_caller]
fn assert_generated(objs: &[Value], bundle: &str, namespace: Option<&str>, cluster: &str) {
    assert!(!objs.is_empty(), "nothing generated");
    for o in objs {
        assert!(
            matches!(kind(o), "KafkaTopic" | "KafkaUser"),
            "unexpected object {o}"
        );
        assert!(
            s(o, "/apiVersion").is_some_and(|a| a.starts_with("kafka.strimzi.io/")),
            "{o}"
        );
        assert_eq!(
            label(o, "app.kubernetes.io/managed-by"),
            Some("kbundle"),
            "{o}"
        );
        assert_eq!(label(o, "app.kubernetes.io/part-of"), Some(bundle), "{o}");
        assert_eq!(label(o, "strimzi.io/cluster"), Some(cluster), "{o}");
        assert_eq!(s(o, "/metadata/namespace"), namespace, "{o}");
    }
}

/// The three objects ORDERS yields.
fn orders_ids() -> Vec<(String, String)> {
    let mut v = vec![
        ("KafkaTopic".to_string(), "orders.audit.v1".to_string()),
        ("KafkaTopic".to_string(), "orders.created.v1".to_string()),
        ("KafkaUser".to_string(), "orders-service".to_string()),
    ];
    v.sort();
    v
}

fn kpt_eval(pkg: &Path, params: &[&str]) -> Output {
    let mut cmd = Command::new(require("kpt"));
    cmd.args(["fn", "eval"])
        .arg(pkg)
        .arg("--exec")
        .arg(format!("{} fn", kbundle_str()))
        .arg("--truncate-output=false");
    if !params.is_empty() {
        cmd.arg("--").args(params);
    }
    run(cmd)
}

fn kpt_render(pkg: &Path) -> Output {
    let mut cmd = Command::new(require("kpt"));
    cmd.args(["fn", "render"])
        .arg(pkg)
        .args(["--allow-exec", "--truncate-output=false"]);
    run(cmd)
}

/// A Kptfile whose pipeline runs kbundle with the Environment file as functionConfig, in the
/// formatting kpt itself writes (so a render does not reformat it).
fn kptfile_pipeline(exec: &str) -> String {
    format!(
        "apiVersion: kpt.dev/v1
kind: Kptfile
metadata:
  name: pkg
pipeline:
  mutators:
    - exec: {exec}
      configPath: env.yaml
"
    )
}

/// `app/base` (kustomization + the orders bundle) and `app/overlays/prod/env.yaml` (the prod
/// Environment) under `dir`; each test writes its own overlay kustomization.
fn base_and_prod_env(dir: &Path) -> PathBuf {
    let root = dir.join("app");
    write(
        &root,
        "base/kustomization.yaml",
        "resources:\n- bundle.yaml\n",
    );
    write(&root, "base/bundle.yaml", ORDERS);
    write(&root, "overlays/prod/env.yaml", PROD);
    root
}

fn install_plugin(home: &Path) {
    let mut cmd = Command::new(kbundle());
    cmd.arg("install-plugin").arg("--plugin-home").arg(home);
    assert_ok(&run(cmd), "kbundle install-plugin");
    for (dir, kind) in [("appbundle", "AppBundle"), ("environment", "Environment")] {
        let p = home.join("kbundle.dev/v1alpha1").join(dir).join(kind);
        assert!(p.is_file(), "plugin not installed at {}", p.display());
    }
}

fn kustomize(plugin_home: &Path, dir: &Path, alpha_plugins: bool) -> Output {
    let mut cmd = Command::new(require("kubectl"));
    cmd.arg("kustomize");
    if alpha_plugins {
        cmd.arg("--enable-alpha-plugins");
    }
    cmd.arg(dir).env("KUSTOMIZE_PLUGIN_HOME", plugin_home);
    run(cmd)
}

// ---------------------------------------------------------------------------------------------
// kpt

/// `kpt fn eval --exec "kbundle fn"`: generated files land under `generated/`, the inputs stay
/// (marked local-config), unrelated files are untouched, and a second run changes nothing.
#[test]
fn kpt_fn_eval_writes_generated_files_and_is_idempotent() {
    let tmp = tempfile::tempdir().unwrap();
    let pkg = tmp.path().join("pkg");
    write(&pkg, "Kptfile", KPTFILE);
    write(&pkg, "bundle.yaml", ORDERS);
    write(&pkg, "env.yaml", PROD);
    write(&pkg, "cm.yaml", CONFIGMAP);

    let out = kpt_eval(&pkg, &[]);
    assert_ok(&out, "kpt fn eval");
    let after = snapshot(&pkg);
    assert_eq!(
        after.keys().map(String::as_str).collect::<Vec<_>>(),
        [
            "Kptfile",
            "bundle.yaml",
            "cm.yaml",
            "env.yaml",
            "generated/orders.yaml"
        ]
    );

    let generated = docs(&after["generated/orders.yaml"]);
    assert_eq!(ids(&generated), orders_ids());
    assert_generated(&generated, "orders", Some("kafka-prod"), "prod-cluster");
    assert_eq!(
        partitions(&generated),
        BTreeMap::from([
            ("orders.audit.v1".to_string(), 3),
            ("orders.created.v1".to_string(), 6)
        ])
    );
    // kpt consumes the path/index annotations; none may reach the files.
    assert!(!after["generated/orders.yaml"].contains("config.kubernetes.io/"));

    // The bundle and the Environment stay, marked local-config, otherwise as written.
    for (file, k) in [("bundle.yaml", "AppBundle"), ("env.yaml", "Environment")] {
        let d = docs(&after[file]);
        assert_eq!(d.len(), 1, "{file}");
        assert_eq!(kind(&d[0]), k);
        assert_eq!(
            annotation(&d[0], "config.kubernetes.io/local-config"),
            Some("true"),
            "{file}"
        );
    }
    let bundle = docs(&after["bundle.yaml"]).remove(0);
    assert_eq!(bundle.pointer("/spec"), docs(ORDERS)[0].pointer("/spec"));
    assert_eq!(
        after["cm.yaml"], CONFIGMAP,
        "the ConfigMap must be untouched"
    );
    assert_eq!(after["Kptfile"], KPTFILE);

    let out = kpt_eval(&pkg, &[]);
    assert_ok(&out, "second kpt fn eval");
    assert_eq!(snapshot(&pkg), after, "a second kpt fn eval changed files");
}

/// `kpt fn render --allow-exec` with a Kptfile pipeline `exec:` mutator and the Environment as
/// `configPath`, both as `exec: <kbundle> fn` and as the bare binary. Rendering twice changes
/// nothing; both spellings write the same files.
#[test]
fn kpt_fn_render_kptfile_pipeline_is_idempotent() {
    let tmp = tempfile::tempdir().unwrap();
    let bin = kbundle_str();
    let mut rendered = Vec::new();
    for (name, exec) in [("with-args", format!("{bin} fn")), ("bare", bin.clone())] {
        let pkg = tmp.path().join(name);
        write(&pkg, "Kptfile", &kptfile_pipeline(&exec));
        // A bundle below the package root: its output goes beside it.
        write(&pkg, "apps/orders/bundle.yaml", ORDERS);
        write(&pkg, "env.yaml", PROD);
        write(&pkg, "cm.yaml", CONFIGMAP);

        let out = kpt_render(&pkg);
        assert_ok(&out, &format!("kpt fn render ({name})"));
        let first = snapshot(&pkg);
        assert_eq!(
            first.keys().map(String::as_str).collect::<Vec<_>>(),
            [
                "Kptfile",
                "apps/orders/bundle.yaml",
                "apps/orders/generated/orders.yaml",
                "cm.yaml",
                "env.yaml"
            ],
            "{name}"
        );
        let generated = docs(&first["apps/orders/generated/orders.yaml"]);
        assert_eq!(ids(&generated), orders_ids());
        assert_generated(&generated, "orders", Some("kafka-prod"), "prod-cluster");
        assert_eq!(first["cm.yaml"], CONFIGMAP);
        let env = docs(&first["env.yaml"]).remove(0);
        assert_eq!(
            annotation(&env, "config.kubernetes.io/local-config"),
            Some("true")
        );
        let bundle = docs(&first["apps/orders/bundle.yaml"]).remove(0);
        assert_eq!(
            annotation(&bundle, "config.kubernetes.io/local-config"),
            Some("true")
        );

        let out = kpt_render(&pkg);
        assert_ok(&out, &format!("second kpt fn render ({name})"));
        assert_eq!(
            snapshot(&pkg),
            first,
            "a second kpt fn render changed files ({name})"
        );
        rendered.push(first);
    }
    let without_kptfile = |m: &BTreeMap<String, String>| {
        let mut m = m.clone();
        m.remove("Kptfile");
        m
    };
    assert_eq!(
        without_kptfile(&rendered[0]),
        without_kptfile(&rendered[1]),
        "`exec: kbundle fn` and `exec: kbundle` must render the same"
    );
}

/// A policy violation: kpt fails (both `fn eval` and `fn render`), names the kbundle code, and
/// leaves every file as it was, including output generated by an earlier good run.
#[test]
fn kpt_policy_violation_fails_and_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let pkg = tmp.path().join("pkg");
    write(
        &pkg,
        "Kptfile",
        &kptfile_pipeline(&format!("{} fn", kbundle_str())),
    );
    write(&pkg, "bundle.yaml", ORDERS);
    write(&pkg, "env.yaml", PROD);
    write(&pkg, "cm.yaml", CONFIGMAP);
    assert_ok(&kpt_render(&pkg), "kpt fn render of the good bundle");
    let good = snapshot(&pkg);
    assert!(good.contains_key("generated/orders.yaml"));

    // 500 partitions, the Environment allows at most 48.
    let bad = read(&pkg, "bundle.yaml").replace("partitions: 6", "partitions: 500");
    assert!(bad.contains("partitions: 500"));
    write(&pkg, "bundle.yaml", &bad);
    let before = snapshot(&pkg);

    let out = kpt_eval(&pkg, &[]);
    assert_failed(&out, "kpt fn eval of a bundle over maxPartitions");
    let err = stderr(&out);
    assert!(err.contains("KB023"), "stderr lacks KB023:\n{err}");
    assert!(
        err.contains("maxPartitions"),
        "stderr lacks the hint:\n{err}"
    );
    assert_eq!(snapshot(&pkg), before, "a failed kpt fn eval changed files");

    let out = kpt_render(&pkg);
    assert_failed(&out, "kpt fn render of a bundle over maxPartitions");
    let err = stderr(&out);
    assert!(err.contains("KB023"), "stderr lacks KB023:\n{err}");
    assert_eq!(
        snapshot(&pkg),
        before,
        "a failed kpt fn render changed files"
    );
    // In particular the earlier output is still there, as it was.
    assert_eq!(
        before["generated/orders.yaml"],
        good["generated/orders.yaml"]
    );
}

/// `kpt fn eval ... -- environment=NAME` picks one of two Environments in the package; switching
/// replaces the earlier output instead of adding to it.
#[test]
fn kpt_fn_eval_selects_environment_from_parameter() {
    let tmp = tempfile::tempdir().unwrap();
    let pkg = tmp.path().join("pkg");
    write(&pkg, "Kptfile", KPTFILE);
    write(&pkg, "bundle.yaml", ORDERS);
    write(&pkg, "envs/prod.yaml", PROD);
    write(&pkg, "envs/staging.yaml", STAGING);
    let initial = snapshot(&pkg);

    // Two Environments and no choice: an error, nothing written.
    let out = kpt_eval(&pkg, &[]);
    assert_failed(&out, "kpt fn eval with two Environments and no choice");
    assert!(stderr(&out).contains("KB010"), "{}", stderr(&out));
    assert_eq!(snapshot(&pkg), initial);

    // A misspelt name: an error with a suggestion, nothing written.
    let out = kpt_eval(&pkg, &["environment=stagin"]);
    assert_failed(&out, "kpt fn eval -- environment=stagin");
    let err = stderr(&out);
    assert!(err.contains("KB011") && err.contains("staging"), "{err}");
    assert_eq!(snapshot(&pkg), initial);

    let out = kpt_eval(&pkg, &["environment=staging"]);
    assert_ok(&out, "kpt fn eval -- environment=staging");
    let staged = snapshot(&pkg);
    let generated = docs(&staged["generated/orders.yaml"]);
    assert_eq!(ids(&generated), orders_ids());
    assert_generated(
        &generated,
        "orders",
        Some("kafka-staging"),
        "staging-cluster",
    );
    assert_eq!(
        partitions(&generated),
        BTreeMap::from([
            ("orders.audit.v1".to_string(), 1),
            ("orders.created.v1".to_string(), 6)
        ])
    );

    let out = kpt_eval(&pkg, &["environment=staging"]);
    assert_ok(&out, "second kpt fn eval -- environment=staging");
    assert_eq!(
        snapshot(&pkg),
        staged,
        "re-running with staging changed files"
    );

    let out = kpt_eval(&pkg, &["environment=prod"]);
    assert_ok(&out, "kpt fn eval -- environment=prod");
    let prod = snapshot(&pkg);
    assert_eq!(
        prod.keys().collect::<Vec<_>>(),
        staged.keys().collect::<Vec<_>>()
    );
    let generated = docs(&prod["generated/orders.yaml"]);
    assert_eq!(
        ids(&generated),
        orders_ids(),
        "staging output must be replaced"
    );
    assert_generated(&generated, "orders", Some("kafka-prod"), "prod-cluster");
    assert_eq!(
        partitions(&generated)["orders.audit.v1"],
        3,
        "prod default partitions"
    );
}

// ---------------------------------------------------------------------------------------------
// kubectl kustomize with the legacy exec plugin

/// base + overlay: the overlay patches the AppBundle and renders it with its Environment as a
/// transformer.
#[test]
fn kubectl_kustomize_overlay_with_environment_transformer() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("plugins");
    install_plugin(&home);
    let root = base_and_prod_env(tmp.path());
    write(
        &root,
        "overlays/prod/kustomization.yaml",
        "resources:
- ../../base
patches:
- target:
    group: kbundle.dev
    version: v1alpha1
    kind: AppBundle
    name: orders
  patch: |-
    - op: replace
      path: /spec/topics/0/partitions
      value: 24
transformers:
- env.yaml
",
    );
    let overlay = root.join("overlays/prod");

    let out = kustomize(&home, &overlay, true);
    assert_ok(
        &out,
        "kubectl kustomize --enable-alpha-plugins overlays/prod",
    );
    let text = stdout(&out);
    let objs = docs(&text);
    assert_eq!(ids(&objs), orders_ids());
    assert_generated(&objs, "orders", Some("kafka-prod"), "prod-cluster");
    assert_eq!(
        partitions(&objs),
        BTreeMap::from([
            ("orders.audit.v1".to_string(), 3),
            ("orders.created.v1".to_string(), 24)
        ]),
        "the prod patch raises orders.created.v1 to 24 partitions"
    );
    assert!(
        !text.contains("kbundle.dev/v1alpha1"),
        "inputs leaked:\n{text}"
    );
    assert!(!text.contains("local-config"), "{text}");

    let again = kustomize(&home, &overlay, true);
    assert_ok(&again, "second kubectl kustomize");
    assert_eq!(again.stdout, out.stdout, "kubectl kustomize output differs");

    // The base alone holds only the AppBundle: nothing renders it there.
    let base = kustomize(&home, &root.join("base"), true);
    assert_ok(&base, "kubectl kustomize base");
    let base = docs(&stdout(&base));
    assert_eq!(base.len(), 1);
    assert_eq!(kind(&base[0]), "AppBundle");
}

/// An AppBundle as a `generators:` entry uses the built-in defaults; with an Environment
/// transformer after it, the objects are rendered with the Environment's settings, once.
#[test]
fn kubectl_kustomize_appbundle_generator() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("plugins");
    install_plugin(&home);

    let alone = tmp.path().join("alone");
    write(&alone, "kustomization.yaml", "generators:\n- bundle.yaml\n");
    write(&alone, "bundle.yaml", PAYMENTS);
    let out = kustomize(&home, &alone, true);
    assert_ok(&out, "kubectl kustomize with an AppBundle generator");
    let plain = docs(&stdout(&out));
    let expected = vec![
        ("KafkaTopic".to_string(), "payments.settled.v1".to_string()),
        ("KafkaUser".to_string(), "payments-service".to_string()),
    ];
    assert_eq!(ids(&plain), expected);
    // Built-in defaults: cluster `kafka`, no namespace.
    assert_generated(&plain, "payments", None, "kafka");
    assert!(!stdout(&out).contains("kbundle.dev/v1alpha1"));

    let with_env = tmp.path().join("with-env");
    write(
        &with_env,
        "kustomization.yaml",
        "generators:\n- bundle.yaml\ntransformers:\n- env.yaml\n",
    );
    write(&with_env, "bundle.yaml", PAYMENTS);
    write(&with_env, "env.yaml", PROD);
    let out = kustomize(&home, &with_env, true);
    assert_ok(
        &out,
        "kubectl kustomize with generator + Environment transformer",
    );
    let objs = docs(&stdout(&out));
    assert_eq!(ids(&objs), expected, "no duplicates, nothing missing");
    assert_generated(&objs, "payments", Some("kafka-prod"), "prod-cluster");
    assert_eq!(partitions(&objs)["payments.settled.v1"], 12);
    assert!(!stdout(&out).contains("kbundle.dev/v1alpha1"));
}

/// A policy violation under the Environment transformer: kubectl fails with the kbundle code
/// and prints no manifests.
#[test]
fn kubectl_kustomize_policy_violation_fails() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("plugins");
    install_plugin(&home);
    let dir = tmp.path().join("bad");
    write(
        &dir,
        "kustomization.yaml",
        "resources:\n- bundle.yaml\ntransformers:\n- env.yaml\n",
    );
    write(
        &dir,
        "bundle.yaml",
        &PAYMENTS.replace("partitions: 12", "partitions: 500"),
    );
    write(&dir, "env.yaml", PROD);

    let out = kustomize(&home, &dir, true);
    assert_failed(&out, "kubectl kustomize of a bundle over maxPartitions");
    let err = stderr(&out);
    assert!(err.contains("KB023"), "stderr lacks KB023:\n{err}");
    assert!(out.stdout.is_empty(), "stdout: {}", stdout(&out));
}

/// Surprising kubectl behaviour with a KRM `exec:` function (`config.kubernetes.io/function`
/// annotation) instead of the legacy plugin. Observed with kubectl v1.32 (kustomize v5.5.0):
/// - without flags, kubectl refuses: "external plugins disabled; unable to load external
///   plugin 'Environment'" (non-zero exit) — no silent skip there;
/// - with `--enable-alpha-plugins`, kubectl has no `--enable-exec`, so the exec function is
///   skipped silently: exit 0, the function never runs, and the unrendered AppBundle goes to
///   stdout as if it were a cluster object. That happens even with the legacy plugin
///   installed: the annotation wins.
#[test]
fn kubectl_kustomize_exec_function_is_not_run() {
    let tmp = tempfile::tempdir().unwrap();
    let empty_home = tmp.path().join("no-plugins");
    std::fs::create_dir_all(&empty_home).unwrap();
    let home = tmp.path().join("plugins");
    install_plugin(&home);

    let fn_env = |path: &str| {
        PROD.replace(
            "  name: prod\n",
            &format!(
                "  name: prod\n  annotations:\n    config.kubernetes.io/function: |\n      \
                 exec:\n        path: {path}\n"
            ),
        )
    };
    let dir = tmp.path().join("krm");
    write(
        &dir,
        "kustomization.yaml",
        "resources:\n- bundle.yaml\ntransformers:\n- fn.yaml\n",
    );
    write(&dir, "bundle.yaml", PAYMENTS);
    write(&dir, "fn.yaml", &fn_env(&kbundle_str()));

    // No flags: an error, not a skip.
    for h in [&empty_home, &home] {
        let out = kustomize(h, &dir, false);
        assert_failed(&out, "kubectl kustomize (no flags) with an exec function");
        assert!(
            stderr(&out).contains("external plugins disabled"),
            "{}",
            stderr(&out)
        );
        assert!(out.stdout.is_empty());
    }

    // --enable-alpha-plugins: exit 0, nothing rendered, the AppBundle leaks into the output.
    for h in [&empty_home, &home] {
        let out = kustomize(h, &dir, true);
        assert_ok(
            &out,
            "kubectl kustomize --enable-alpha-plugins with an exec function",
        );
        let objs = docs(&stdout(&out));
        assert_eq!(
            ids(&objs),
            [("AppBundle".to_string(), "payments".to_string())]
        );
        assert!(objs.iter().all(|o| kind(o) != "KafkaTopic"));
    }

    // Proof that the function is never started: a script that would leave a marker and fail.
    let marker_dir = tmp.path().join("marker");
    write(
        &marker_dir,
        "kustomization.yaml",
        "resources:\n- bundle.yaml\ntransformers:\n- fn.yaml\n",
    );
    write(&marker_dir, "bundle.yaml", PAYMENTS);
    write(&marker_dir, "fn.yaml", &fn_env("./fn.sh"));
    write(
        &marker_dir,
        "fn.sh",
        "#!/bin/sh\ntouch \"$(dirname \"$0\")/MARKER\"\nexit 1\n",
    );
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            marker_dir.join("fn.sh"),
            std::fs::Permissions::from_mode(0o755),
        )
        .unwrap();
    }
    let out = kustomize(&empty_home, &marker_dir, true);
    assert_ok(
        &out,
        "kubectl kustomize --enable-alpha-plugins, failing exec function",
    );
    assert!(
        !marker_dir.join("MARKER").exists(),
        "the exec function ran after all"
    );
}

// ---------------------------------------------------------------------------------------------
// Schemas, connectors and masking: files a bundle names, found in every mode

const SCHEMA_BUNDLE: &str = "apiVersion: kbundle.dev/v1alpha1
kind: AppBundle
metadata:
  name: orders
spec:
  owner: team-orders
  topics:
    - name: orders.created.v1
      valueSchema: created
  schemas:
    - name: created
      file: schemas/x.avsc
";

const SCHEMA_V1: &str = r#"{"type": "record", "name": "Created", "namespace": "com.example.orders", "fields": [{"name": "id", "type": "string"}]}
"#;

/// Version 2 of SCHEMA_V1: `amount` added without a default, which BACKWARD refuses.
const SCHEMA_V2_BREAKING: &str = r#"{"type": "record", "name": "Created", "namespace": "com.example.orders", "fields": [{"name": "id", "type": "string"}, {"name": "amount", "type": "long"}]}
"#;

/// PROD with what registering schemas needs.
fn schema_env() -> String {
    format!(
        "{PROD}  schemaRegistry:\n    url: http://schema-registry.kafka:8081\n  hooks:\n    image: curlimages/curl:8.11.0\n"
    )
}

/// The schema ConfigMap and registration Job rendered for subject `orders.created.v1-value`,
/// checked against each other; returns the schema text the ConfigMap carries.
#[track_caller]
fn assert_schema_hook(objs: &[Value]) -> String {
    let cms: Vec<&Value> = objs
        .iter()
        .filter(|o| kind(o) == "ConfigMap" && o.pointer("/data/schema.avsc").is_some())
        .collect();
    let jobs: Vec<&Value> = objs.iter().filter(|o| kind(o) == "Job").collect();
    assert_eq!((cms.len(), jobs.len()), (1, 1), "{objs:?}");
    let (cm, job) = (cms[0], jobs[0]);
    assert_eq!(annotation(job, "argocd.argoproj.io/hook"), Some("PreSync"));
    assert_eq!(annotation(cm, "argocd.argoproj.io/hook"), Some("PreSync"));
    assert_eq!(label(job, "app.kubernetes.io/part-of"), Some("orders"));
    assert_eq!(s(job, "/metadata/namespace"), Some("kafka-prod"));
    let container = job
        .pointer("/spec/template/spec/containers/0")
        .expect("container");
    let env: BTreeMap<&str, &str> = container["env"]
        .as_array()
        .expect("env")
        .iter()
        .filter_map(|e| Some((s(e, "/name")?, s(e, "/value")?)))
        .collect();
    assert_eq!(env.get("SUBJECT"), Some(&"orders.created.v1-value"));
    assert_eq!(
        env.get("SR_URL"),
        Some(&"http://schema-registry.kafka:8081")
    );
    assert_eq!(s(container, "/image"), Some("curlimages/curl:8.11.0"));
    // The Job mounts that ConfigMap.
    let volumes = job
        .pointer("/spec/template/spec/volumes")
        .and_then(Value::as_array)
        .expect("volumes");
    assert!(
        volumes
            .iter()
            .any(|v| s(v, "/configMap/name") == s(cm, "/metadata/name")),
        "{job}"
    );
    s(cm, "/data/schema.avsc").expect("schema.avsc").to_string()
}

/// `kpt fn render` with the bundle in `apps/orders/` and its schema in `apps/orders/schemas/`:
/// kbundle finds the file through kpt's `package-path` annotation, whatever kpt's working
/// directory. A second render changes nothing; an incompatible change fails with KB062 and
/// changes no file.
#[test]
fn kpt_fn_render_finds_schema_files_beside_the_bundle() {
    let tmp = tempfile::tempdir().unwrap();
    let pkg = tmp.path().join("pkg");
    write(
        &pkg,
        "Kptfile",
        &kptfile_pipeline(&format!("{} fn", kbundle_str())),
    );
    write(&pkg, "apps/orders/bundle.yaml", SCHEMA_BUNDLE);
    write(&pkg, "apps/orders/schemas/x.avsc", SCHEMA_V1);
    write(&pkg, "env.yaml", &schema_env());

    // kpt runs from the test's working directory, not the package.
    let out = kpt_render(&pkg);
    assert_ok(&out, "kpt fn render of a bundle with a schema");
    let first = snapshot(&pkg);
    assert_eq!(
        first.keys().map(String::as_str).collect::<Vec<_>>(),
        [
            "Kptfile",
            "apps/orders/bundle.yaml",
            "apps/orders/generated/orders.yaml",
            "apps/orders/schemas/x.avsc",
            "env.yaml"
        ]
    );
    let generated = docs(&first["apps/orders/generated/orders.yaml"]);
    assert_eq!(assert_schema_hook(&generated), SCHEMA_V1);
    assert_eq!(
        generated.iter().filter(|o| kind(o) == "KafkaTopic").count(),
        1
    );
    assert_eq!(first["apps/orders/schemas/x.avsc"], SCHEMA_V1);

    let out = kpt_render(&pkg);
    assert_ok(&out, "second kpt fn render");
    assert_eq!(
        snapshot(&pkg),
        first,
        "a second kpt fn render changed files"
    );

    // The previous version listed, the new one breaking BACKWARD (the default level).
    write(&pkg, "apps/orders/schemas/x.v1.avsc", SCHEMA_V1);
    write(&pkg, "apps/orders/schemas/x.avsc", SCHEMA_V2_BREAKING);
    let bundle = read(&pkg, "apps/orders/bundle.yaml");
    let with_previous = bundle.replace(
        "      file: schemas/x.avsc\n",
        "      file: schemas/x.avsc\n      previous: [schemas/x.v1.avsc]\n",
    );
    assert_ne!(
        bundle, with_previous,
        "kpt reformatted the bundle:\n{bundle}"
    );
    write(&pkg, "apps/orders/bundle.yaml", &with_previous);
    let before = snapshot(&pkg);

    let out = kpt_render(&pkg);
    assert_failed(&out, "kpt fn render of an incompatible schema change");
    let err = stderr(&out);
    assert!(err.contains("KB062"), "stderr lacks KB062:\n{err}");
    assert!(
        err.contains("orders.created.v1-value") && err.contains("BACKWARD"),
        "{err}"
    );
    assert!(err.contains("amount"), "the reason names the field:\n{err}");
    assert_eq!(
        snapshot(&pkg),
        before,
        "a failed kpt fn render changed files"
    );
    assert_eq!(
        before["apps/orders/generated/orders.yaml"], first["apps/orders/generated/orders.yaml"],
        "the earlier output must stay as it was"
    );
}

fn kpt_eval_from(cwd: &Path, pkg: &str) -> Output {
    let mut cmd = Command::new(require("kpt"));
    cmd.current_dir(cwd)
        .args(["fn", "eval", pkg, "--exec"])
        .arg(format!("{} fn", kbundle_str()))
        .arg("--truncate-output=false");
    run(cmd)
}

fn schema_package(pkg: &Path) {
    write(pkg, "Kptfile", KPTFILE);
    write(pkg, "apps/orders/bundle.yaml", SCHEMA_BUNDLE);
    write(pkg, "apps/orders/schemas/x.avsc", SCHEMA_V1);
    write(pkg, "env.yaml", &schema_env());
}

/// `kpt fn eval` says nothing about where the package is (no `package-path` annotation, unlike
/// `fn render`): kbundle resolves files against kpt's working directory. Run from the package
/// (`kpt fn eval .`) the schema is found; run from elsewhere it is not, and nothing is written.
#[test]
fn kpt_fn_eval_finds_schema_files_from_the_package_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let pkg = tmp.path().join("pkg");
    schema_package(&pkg);

    let out = kpt_eval_from(&pkg, ".");
    assert_ok(&out, "kpt fn eval . (cwd = package)");
    let first = snapshot(&pkg);
    assert!(first.contains_key("apps/orders/generated/orders.yaml"));
    let generated = docs(&first["apps/orders/generated/orders.yaml"]);
    assert_eq!(assert_schema_hook(&generated), SCHEMA_V1);
    let out = kpt_eval_from(&pkg, ".");
    assert_ok(&out, "second kpt fn eval .");
    assert_eq!(snapshot(&pkg), first, "a second kpt fn eval changed files");

    // From the parent directory the relative path misses the file.
    let other = tmp.path().join("other");
    schema_package(&other);
    let before = snapshot(&other);
    let out = kpt_eval_from(tmp.path(), "other");
    assert_failed(&out, "kpt fn eval other (cwd = parent)");
    // kpt tells `fn eval` no package path, and the bundle's file is not under kpt's directory:
    // kbundle refuses to guess.
    let err = stderr(&out);
    assert!(
        err.contains("KB055") && err.contains("kpt fn eval ."),
        "{err}"
    );
    assert_eq!(
        snapshot(&other),
        before,
        "a failed kpt fn eval changed files"
    );
}

/// Regression: under `kpt fn eval PKG` run from another directory, a file at the same
/// relative path under kpt's working directory was read instead of the package's own.
#[test]
fn kpt_fn_eval_from_elsewhere_never_reads_files_outside_the_package() {
    let tmp = tempfile::tempdir().unwrap();
    let pkg = tmp.path().join("pkg");
    schema_package(&pkg);
    let decoy = r#"{"type": "record", "name": "Decoy", "fields": [{"name": "wrong", "type": "string"}]}
"#;
    write(tmp.path(), "apps/orders/schemas/x.avsc", decoy);
    let out = kpt_eval_from(tmp.path(), "pkg");
    assert_failed(&out, "kpt fn eval pkg (cwd holds a decoy)");
    assert!(stderr(&out).contains("KB055"), "{}", stderr(&out));
    if let Ok(generated) = std::fs::read_to_string(pkg.join("apps/orders/generated/orders.yaml")) {
        assert!(
            !generated.contains("Decoy"),
            "the schema from kpt's cwd was written into the package:\n{generated}"
        );
    }
}

fn write_overlay_repo(root: &Path, origin_annotations: bool) {
    write(
        root,
        "base/kustomization.yaml",
        "resources:\n- bundle.yaml\n",
    );
    write(root, "base/bundle.yaml", SCHEMA_BUNDLE);
    write(root, "base/schemas/x.avsc", SCHEMA_V1);
    write(root, "overlays/prod/env.yaml", &schema_env());
    let build_metadata = if origin_annotations {
        "buildMetadata:\n- originAnnotations\n"
    } else {
        ""
    };
    write(
        root,
        "overlays/prod/kustomization.yaml",
        &format!("resources:\n- ../../base\n{build_metadata}transformers:\n- env.yaml\n"),
    );
}

/// The overlay pattern with the schema beside the base's bundle. kustomize tells the plugin
/// where a resource came from only with `buildMetadata: [originAnnotations]`
/// (`config.kubernetes.io/origin: path: ../../base/bundle.yaml`, relative to the overlay);
/// files may come from the repository (nearest `.git`), here the temp dir.
#[test]
fn kubectl_kustomize_overlay_finds_schema_files_with_origin_annotations() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("plugins");
    install_plugin(&home);

    let repo = tmp.path().join("repo");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    write_overlay_repo(&repo, true);
    let overlay = repo.join("overlays/prod");
    let out = kustomize(&home, &overlay, true);
    assert_ok(&out, "kubectl kustomize overlay with originAnnotations");
    let objs = docs(&stdout(&out));
    assert_eq!(assert_schema_hook(&objs), SCHEMA_V1);
    assert!(objs.iter().any(|o| kind(o) == "KafkaTopic"));
    // No input leaks. (The text does mention kbundle.dev/v1alpha1: with originAnnotations,
    // kustomize annotates every generated object with `config.kubernetes.io/origin:
    // configuredBy: {apiVersion: kbundle.dev/v1alpha1, kind: Environment, ...}`.)
    assert!(
        objs.iter()
            .all(|o| !matches!(kind(o), "AppBundle" | "Environment")),
        "{objs:?}"
    );
    for o in &objs {
        let origin = annotation(o, "config.kubernetes.io/origin").unwrap_or("");
        assert!(origin.contains("configuredIn: env.yaml"), "{o}");
    }
    let again = kustomize(&home, &overlay, true);
    assert_ok(&again, "second kubectl kustomize");
    assert_eq!(again.stdout, out.stdout);

    // Without buildMetadata the plugin only knows the overlay directory: the path is looked up
    // there (overlays/prod/schemas/x.avsc) and is not found.
    let repo = tmp.path().join("no-origin");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    write_overlay_repo(&repo, false);
    let out = kustomize(&home, &repo.join("overlays/prod"), true);
    assert_failed(&out, "kubectl kustomize overlay without originAnnotations");
    assert!(out.stdout.is_empty(), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains("KB056") && err.contains("schemas/x.avsc"),
        "stderr lacks KB056 naming the file:\n{err}"
    );

    // With originAnnotations but no `.git` above: the tree is the overlay directory, and
    // base/ is outside it.
    let repo = tmp.path().join("no-git");
    write_overlay_repo(&repo, true);
    let out = kustomize(&home, &repo.join("overlays/prod"), true);
    assert_failed(&out, "kubectl kustomize overlay outside a repository");
    assert!(out.stdout.is_empty(), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains("KB054") && err.contains("schemas/x.avsc"),
        "stderr lacks KB054 naming the file:\n{err}"
    );
}

/// The masked-sink golden case through kubectl kustomize: the sink connector carries the
/// MaskField transforms, scoped to the masked topic, ahead of its own transforms.
#[test]
fn kubectl_kustomize_masked_sink_connector_has_mask_transforms() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("plugins");
    install_plugin(&home);
    let case = common::root().join("testdata/connectors/masked-sink/input");
    let input = std::fs::read_to_string(case.join("bundle.yaml")).unwrap();
    let (bundle, env) = input
        .split_once("\n---\n")
        .expect("the case holds the bundle, then the Environment");
    let dir = tmp.path().join("masked");
    write(
        &dir,
        "kustomization.yaml",
        "resources:\n- bundle.yaml\ntransformers:\n- env.yaml\n",
    );
    write(&dir, "bundle.yaml", &format!("{bundle}\n"));
    write(&dir, "env.yaml", env);
    write(
        &dir,
        "schemas/profile.avsc",
        &std::fs::read_to_string(case.join("schemas/profile.avsc")).unwrap(),
    );

    let out = kustomize(&home, &dir, true);
    assert_ok(&out, "kubectl kustomize of the masked sink");
    let objs = docs(&stdout(&out));
    let sink = objs
        .iter()
        .find(|o| {
            kind(o) == "KafkaConnector" && s(o, "/metadata/name") == Some("customers-to-warehouse")
        })
        .expect("the sink connector");
    let config = sink.pointer("/spec/config").expect("config");
    let get = |k: &str| config.get(k).and_then(Value::as_str).unwrap_or("");
    let chain: Vec<&str> = get("transforms").split(',').collect();
    assert_eq!(
        chain.last(),
        Some(&"unwrap"),
        "its own transform stays last"
    );
    let mask_field = "org.apache.kafka.connect.transforms.MaskField$Value";
    let mut masked = BTreeMap::new();
    for t in &chain[..chain.len() - 1] {
        assert_eq!(
            get(&format!(
                "predicates.{}.pattern",
                get(&format!("transforms.{t}.predicate"))
            )),
            r"customers\.profile\.v1",
            "transform {t} must be scoped to the masked topic"
        );
        masked.insert(
            get(&format!("transforms.{t}.fields")),
            (
                get(&format!("transforms.{t}.type")),
                get(&format!("transforms.{t}.replacement")),
            ),
        );
    }
    assert_eq!(masked["email"], (mask_field, "****"));
    assert_eq!(masked["birthDate"], (mask_field, "1970-01-01"));
    assert_eq!(masked["phone"].0, "com.example.connect.HashField$Value");
    assert_eq!(
        masked["address.street"].0,
        "com.example.connect.MaskNested$Value"
    );
    // The source connector is not masked.
    let source = objs
        .iter()
        .find(|o| s(o, "/metadata/name") == Some("customers-cdc"))
        .expect("the source connector");
    assert!(!source.to_string().contains("MaskField"));
    // Same objects as the CLI renders for the golden case (kustomize adds only its origin
    // bookkeeping, which this overlay does not ask for).
    let golden =
        docs(&std::fs::read_to_string(case.parent().unwrap().join("expected.yaml")).unwrap());
    assert_eq!(ids(&objs), ids(&golden));
}

// ---------------------------------------------------------------------------------------------
// CLI

/// `kbundle render examples/quickstart | kbundle render -` gives the same bytes: rendering
/// rendered output changes nothing.
#[test]
fn cli_render_pipe_is_idempotent() {
    let quickstart = common::root().join("examples/quickstart");
    let mut first = Command::new(kbundle())
        .arg("render")
        .arg(&quickstart)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn kbundle render");
    let second = Command::new(kbundle())
        .args(["render", "-"])
        .stdin(Stdio::from(first.stdout.take().unwrap()))
        .output()
        .expect("run kbundle render -");
    let first = first.wait_with_output().expect("kbundle render");
    assert_ok(&first, "kbundle render examples/quickstart");
    assert_ok(&second, "kbundle render -");

    // The same bytes once more, without the pipe, to compare against.
    let mut cmd = Command::new(kbundle());
    cmd.arg("render").arg(&quickstart);
    let direct = run(cmd);
    assert_ok(&direct, "kbundle render examples/quickstart");
    assert!(!direct.stdout.is_empty());
    assert_eq!(
        stdout(&second),
        stdout(&direct),
        "render | render - must be the identity"
    );

    let objs = docs(&stdout(&direct));
    assert!(objs.iter().any(|o| kind(o) == "KafkaTopic"));
    assert!(objs.iter().any(|o| kind(o) == "KafkaUser"));
    assert!(
        objs.iter()
            .all(|o| !kind(o).is_empty() && kind(o) != "AppBundle")
    );
}

// ---------------------------------------------------------------------------------------------
// `kbundle render DIR` on a kustomization

fn render_dir(dir: &Path, extra_env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(kbundle());
    cmd.arg("render").arg(dir);
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    run(cmd)
}

/// `kbundle render overlays/prod` builds the overlay the way kubectl kustomize does (with a
/// private plugin home: no plugin installed) and prints the same objects. An overlay that lists
/// its Environment under `resources:` instead of `transformers:` renders to the same objects.
#[test]
fn render_builds_a_kustomization_like_kubectl_kustomize() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("plugins");
    install_plugin(&home);
    let root = base_and_prod_env(tmp.path());
    let patch = "patches:
- target:
    kind: AppBundle
    name: orders
  patch: |-
    - op: replace
      path: /spec/topics/0/partitions
      value: 24
buildMetadata: [originAnnotations]
";
    write(
        &root,
        "overlays/prod/kustomization.yaml",
        &format!("resources:\n- ../../base\ntransformers:\n- env.yaml\n{patch}"),
    );
    write(&root, "overlays/asinput/env.yaml", PROD);
    write(
        &root,
        "overlays/asinput/kustomization.yaml",
        &format!("resources:\n- ../../base\n- env.yaml\n{patch}"),
    );

    let by_kubectl = kustomize(&home, &root.join("overlays/prod"), true);
    assert_ok(&by_kubectl, "kubectl kustomize overlays/prod");
    let kubectl_text = stdout(&by_kubectl);
    assert!(
        kubectl_text.contains("config.kubernetes.io/origin"),
        "originAnnotations should stamp the generated objects under kubectl:\n{kubectl_text}"
    );

    // No KUSTOMIZE_PLUGIN_HOME given: kbundle brings its own plugins.
    let rendered = render_dir(&root.join("overlays/prod"), &[]);
    assert_ok(&rendered, "kbundle render overlays/prod");
    let text = stdout(&rendered);
    assert!(
        !stderr(&rendered).contains("KB008"),
        "no 'no AppBundle' warning after a transformer rendered them: {}",
        stderr(&rendered)
    );
    assert!(
        !text.contains("config.kubernetes.io/origin"),
        "origin annotations must not reach the cluster:\n{text}"
    );
    let objs = docs(&text);
    assert_eq!(ids(&objs), orders_ids());
    assert_generated(&objs, "orders", Some("kafka-prod"), "prod-cluster");
    assert_eq!(partitions(&objs)["orders.created.v1"], 24);

    // Same objects as kubectl's, once its origin annotations are taken off.
    let mut from_kubectl = docs(&kubectl_text);
    for o in &mut from_kubectl {
        let meta = o["metadata"].as_object_mut().unwrap();
        if let Some(ann) = meta.get_mut("annotations").and_then(Value::as_object_mut) {
            ann.remove("config.kubernetes.io/origin");
            if ann.is_empty() {
                meta.remove("annotations");
            }
        }
    }
    let sorted = |mut v: Vec<Value>| {
        v.sort_by_key(|o| {
            (
                kind(o).to_string(),
                s(o, "/metadata/name").map(str::to_string),
            )
        });
        v
    };
    assert_eq!(sorted(objs.clone()), sorted(from_kubectl));

    let as_input = render_dir(&root.join("overlays/asinput"), &[]);
    assert_ok(&as_input, "kbundle render overlays/asinput");
    // kubectl sorts its output by kind and name; kbundle keeps its own order.
    assert_eq!(sorted(docs(&stdout(&as_input))), sorted(objs.clone()));

    // A failed build: the plugin's diagnostics come through, nothing on stdout.
    write(
        &root,
        "overlays/prod/kustomization.yaml",
        "resources:\n- ../../base\ntransformers:\n- env.yaml\npatches:\n- target:\n    kind: AppBundle\n    name: orders\n  patch: |-\n    - op: replace\n      path: /spec/topics/0/partitions\n      value: 100000\nbuildMetadata: [originAnnotations]\n",
    );
    let failed = render_dir(&root.join("overlays/prod"), &[]);
    assert_eq!(failed.status.code(), Some(1), "{}", stderr(&failed));
    assert!(failed.stdout.is_empty());
    let err = stderr(&failed);
    // The transformer was deferred: kbundle reports the violation itself, not through kubectl.
    assert!(
        err.contains("error[KB023]") && !err.contains("KB124"),
        "{err}"
    );
    assert!(
        err.contains("../../base/bundle.yaml") && err.contains("spec.topics[0].partitions"),
        "{err}"
    );

    // No kustomize to be found: KB123, nothing on stdout.
    let missing = render_dir(
        &root.join("overlays/asinput"),
        &[("KBUNDLE_KUSTOMIZE", "/nonexistent/kustomize")],
    );
    assert_eq!(missing.status.code(), Some(1));
    assert!(missing.stdout.is_empty());
    assert!(stderr(&missing).contains("KB123"), "{}", stderr(&missing));
}

/// The Environment transformer is deferred only when nothing in the kustomization runs after
/// it: with another transformer after it, kustomize renders through the plugin as usual, so the
/// later transformer still reaches the generated objects.
#[test]
fn render_does_not_defer_an_environment_followed_by_another_transformer() {
    let tmp = tempfile::tempdir().unwrap();
    let root = base_and_prod_env(tmp.path());
    write(
        &root,
        "overlays/prod/labels.yaml",
        "apiVersion: builtin
kind: LabelTransformer
metadata:
  name: team-labels
labels:
  team: platform
fieldSpecs:
- path: metadata/labels
  create: true
",
    );
    write(
        &root,
        "overlays/prod/kustomization.yaml",
        "resources:\n- ../../base\ntransformers:\n- env.yaml\n- labels.yaml\n",
    );
    let out = render_dir(&root.join("overlays/prod"), &[]);
    assert_ok(
        &out,
        "kbundle render with a transformer after the Environment",
    );
    let objs = docs(&stdout(&out));
    assert_eq!(ids(&objs), orders_ids());
    for o in &objs {
        assert_eq!(label(o, "team"), Some("platform"), "{o}");
        assert_eq!(
            label(o, "app.kubernetes.io/managed-by"),
            Some("kbundle"),
            "{o}"
        );
    }

    // Environment last: deferred, and the objects are the same as kubectl's.
    write(
        &root,
        "overlays/prod/kustomization.yaml",
        "resources:\n- ../../base\ntransformers:\n- labels.yaml\n- env.yaml\n",
    );
    let home = tmp.path().join("plugins");
    install_plugin(&home);
    let by_kubectl = kustomize(&home, &root.join("overlays/prod"), true);
    assert_ok(&by_kubectl, "kubectl kustomize, labels then Environment");
    let deferred = render_dir(&root.join("overlays/prod"), &[]);
    assert_ok(&deferred, "kbundle render, labels then Environment");
    let key = |mut v: Vec<Value>| {
        v.sort_by_key(|o| {
            (
                kind(o).to_string(),
                s(o, "/metadata/name").map(str::to_string),
            )
        });
        v
    };
    let objs = key(docs(&stdout(&deferred)));
    assert_eq!(objs, key(docs(&stdout(&by_kubectl))));
    // The label reached the bundle before it was rendered; kbundle does not copy bundle labels.
    assert!(objs.iter().all(|o| label(o, "team").is_none()));
}

/// An Environment listed under both `resources:` and `transformers:`: the deferred plugin must
/// not hand kustomize a second object with the same id.
#[test]
fn render_defers_an_environment_that_is_also_a_resource() {
    let tmp = tempfile::tempdir().unwrap();
    let root = base_and_prod_env(tmp.path());
    write(
        &root,
        "overlays/prod/kustomization.yaml",
        "resources:\n- ../../base\n- env.yaml\ntransformers:\n- env.yaml\n",
    );
    let out = render_dir(&root.join("overlays/prod"), &[]);
    assert_ok(
        &out,
        "kbundle render, Environment as resource and transformer",
    );
    let objs = docs(&stdout(&out));
    assert_eq!(ids(&objs), orders_ids());
    assert_generated(&objs, "orders", Some("kafka-prod"), "prod-cluster");
}
