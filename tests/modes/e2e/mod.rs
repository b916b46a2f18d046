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

use crate::support;

use support::{
    ORDERS, PAYMENTS, PROD, STAGING, annotation, assert_failed, assert_ok, docs, kbundle, kind,
    label, require, run, s, stderr, stdout,
};

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

mod files;
mod kpt;
mod kustomize;
mod render;

#[allow(unused_imports)]
use files::*;
#[allow(unused_imports)]
use kpt::*;
#[allow(unused_imports)]
use kustomize::*;
#[allow(unused_imports)]
use render::*;

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

/// Every test of this module and its submodules.
pub fn tests() -> Vec<support::Test> {
    [
        kpt::tests(),
        kustomize::tests(),
        files::tests(),
        render::tests(),
    ]
    .into_iter()
    .flatten()
    .collect()
}
