//! Helpers shared by the integration tests, and the runner of the `modes` and `contracts`
//! binaries (`harness = false`, libtest-mimic): one named test per function, with tests that
//! lack a prerequisite (the vendor directory, kpt, kubectl) reported as skipped, with the
//! reason, on stderr as they happen and in a list after the summary.
#![allow(dead_code, unused_macros)]

pub mod crds;
pub mod live;
#[macro_use]
mod runner;

#[allow(unused_imports)]
pub use runner::{Skip, Test, note_skip, run_tests, skip};

use std::path::PathBuf;

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The vendored CRDs, schemas and examples: `$KBUNDLE_VENDOR_DIR` when set, else
/// `../shared/vendor` beside the repository. Missing, the calling test is reported as skipped
/// (`SKIPPED: ...` on stderr and in the runner's final list) and `None` is returned; with
/// `KBUNDLE_REQUIRE_VENDOR=1` or `CI=true` (CI must never pass by skipping) it fails instead.
pub fn vendor() -> Option<PathBuf> {
    let dir = match std::env::var_os("KBUNDLE_VENDOR_DIR") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => root().join("../shared/vendor"),
    };
    if dir.is_dir() {
        return Some(dir);
    }
    if required("KBUNDLE_REQUIRE_VENDOR") {
        panic!(
            "{} is missing and KBUNDLE_REQUIRE_VENDOR=1 or CI=true: the vendor-backed tests are \
             required (clone the repository with shared/ beside it, or set KBUNDLE_VENDOR_DIR)",
            dir.display()
        );
    }
    note_skip(format!(
        "{} not found: vendor-backed checks skipped (set KBUNDLE_VENDOR_DIR to another copy; \
         KBUNDLE_REQUIRE_VENDOR=1 or CI=true fails instead)",
        dir.display()
    ));
    None
}

/// Whether a missing prerequisite fails instead of skipping: `<var>=1`, or `CI=true`.
pub fn required(var: &str) -> bool {
    std::env::var(var).as_deref() == Ok("1") || std::env::var("CI").as_deref() == Ok("true")
}

/// The built kbundle binary.
pub fn kbundle_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_kbundle"))
}

// ---------------------------------------------------------------------------------------------
// Running programs

use serde_json::Value;
use std::process::{Command, Output, Stdio};

/// The absolute path of an orchestrator the end-to-end tests drive for real (kpt, kubectl).
/// Missing, the test stops and is reported as skipped with the reason; with
/// `KBUNDLE_REQUIRE_LIVE=1` or `CI=true` (set by `.ci/run` in CI) it fails instead.
pub fn require(tool: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        let candidate = dir.join(tool);
        if std::fs::metadata(&candidate)
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        {
            return candidate;
        }
    }
    let hint = match tool {
        "kpt" => "kpt 1.0.0-beta (Debian package google-cloud-cli-kpt)",
        "kubectl" => "kubectl >= 1.32 (embedded kustomize v5.5.0)",
        _ => tool,
    };
    let reason = format!(
        "`{tool}` was not found on PATH: install {hint} (see ../shared/INTEGRATION.md); \
         KBUNDLE_REQUIRE_LIVE=1 or CI=true fails instead"
    );
    if required("KBUNDLE_REQUIRE_LIVE") {
        panic!("{reason} (PATH={})", path.to_string_lossy());
    }
    skip(reason)
}

/// The kbundle binary as an absolute path (kpt resolves exec paths against its cwd).
pub fn kbundle() -> PathBuf {
    let bin = kbundle_bin();
    let bin = if bin.is_absolute() {
        bin
    } else {
        root().join(bin)
    };
    assert!(bin.is_file(), "kbundle binary missing at {}", bin.display());
    bin
}

/// Run with stdin closed and capture the output.
pub fn run(mut cmd: Command) -> Output {
    let shown = format!("{cmd:?}");
    cmd.stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {shown}: {e}"))
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("stdout is UTF-8")
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[track_caller]
pub fn assert_ok(out: &Output, what: &str) {
    assert!(
        out.status.success(),
        "{what} failed ({}):\n--- stdout\n{}\n--- stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        stderr(out)
    );
}

#[track_caller]
pub fn assert_failed(out: &Output, what: &str) {
    assert!(
        !out.status.success(),
        "{what} should have failed but exited 0:\n--- stdout\n{}\n--- stderr\n{}",
        String::from_utf8_lossy(&out.stdout),
        stderr(out)
    );
}

// ---------------------------------------------------------------------------------------------
// Reading objects

/// Every document of a YAML stream.
pub fn docs(text: &str) -> Vec<Value> {
    kbundle::yaml::parse_stream(text)
        .unwrap_or_else(|e| panic!("output is not YAML ({e}):\n{text}"))
        .into_iter()
        .map(|d| d.value)
        .collect()
}

pub fn s<'a>(v: &'a Value, pointer: &str) -> Option<&'a str> {
    v.pointer(pointer).and_then(Value::as_str)
}

pub fn kind(v: &Value) -> &str {
    s(v, "/kind").unwrap_or("")
}

pub fn label<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.pointer("/metadata/labels")
        .and_then(|l| l.get(key))
        .and_then(Value::as_str)
}

pub fn annotation<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.pointer("/metadata/annotations")
        .and_then(|a| a.get(key))
        .and_then(Value::as_str)
}

// ---------------------------------------------------------------------------------------------
// Fixtures shared by the end-to-end tests (two bundles, two Environments)

pub const ORDERS: &str = "apiVersion: kbundle.dev/v1alpha1
kind: AppBundle
metadata:
  name: orders
spec:
  owner: team-orders
  topics:
    - name: orders.created.v1
      partitions: 6
    - name: orders.audit.v1
  principals:
    - name: orders-service
      authentication: scram-sha-512
      produces: [orders.created.v1]
      consumes:
        - topics: [orders.audit.v1]
          group: orders-service
";

pub const PAYMENTS: &str = "apiVersion: kbundle.dev/v1alpha1
kind: AppBundle
metadata:
  name: payments
spec:
  owner: team-payments
  topics:
    - name: payments.settled.v1
      partitions: 12
  principals:
    - name: payments-service
      authentication: scram-sha-512
      produces: [payments.settled.v1]
";

pub const PROD: &str = "apiVersion: kbundle.dev/v1alpha1
kind: Environment
metadata:
  name: prod
spec:
  target: strimzi
  namespace: kafka-prod
  strimzi:
    cluster: prod-cluster
  defaults:
    partitions: 3
    replicas: 3
  policy:
    minReplicas: 3
    maxPartitions: 48
";

pub const STAGING: &str = "apiVersion: kbundle.dev/v1alpha1
kind: Environment
metadata:
  name: staging
spec:
  target: strimzi
  namespace: kafka-staging
  strimzi:
    cluster: staging-cluster
  defaults:
    partitions: 1
    replicas: 1
";

/// `<path> <message>` of every finding with `code` in an `import --report` JSON.
pub fn findings(report: &Value, code: &str) -> Vec<String> {
    report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["code"] == code)
        .map(|f| {
            format!(
                "{} {}",
                f["path"].as_str().unwrap_or(""),
                f["message"].as_str().unwrap_or("")
            )
        })
        .collect()
}
