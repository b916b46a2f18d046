//! Annotations on the user's own items never widen where kbundle reads (issue 10, item 2).
//!
//! Regression: a bundle carrying `internal.config.kubernetes.io/package-path: /` set its own
//! confinement root, so `kbundle fn < rl.yaml` (and `kpt fn eval PKG --exec` run from outside the
//! package) embedded a file from outside the package in the output.

use serde_json::{Value, json};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

const OUTSIDE: &str = "{\"type\":\"record\",\"name\":\"Leak\",\"fields\":[{\"name\":\"outside_marker\",\"type\":\"string\"}]}";

fn bundle(package_path: &str) -> Value {
    json!({
        "apiVersion": "kbundle.dev/v1alpha1", "kind": "AppBundle",
        "metadata": {"name": "orders", "annotations": {
            "internal.config.kubernetes.io/package-path": package_path,
            "internal.config.kubernetes.io/path": "orders.yaml"}},
        "spec": {"owner": "team-orders",
            "topics": [{"name": "orders.created.v1", "valueSchema": "leak"}],
            "schemas": [{"name": "leak", "file": "leak.avsc"}]}
    })
}

fn run_fn(cwd: &Path, item: Value) -> (Option<i32>, String) {
    let env = json!({"apiVersion": "kbundle.dev/v1alpha1", "kind": "Environment",
        "metadata": {"name": "prod"},
        "spec": {"namespace": "kafka", "schemaRegistry": {"url": "http://sr.kafka:8081"},
                 "hooks": {"image": "curlimages/curl:8.11.0"}}});
    let rl = json!({"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList", "items": [item, env]});
    let mut child = Command::new(env!("CARGO_BIN_EXE_kbundle"))
        .arg("fn")
        .current_dir(cwd)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run kbundle fn");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(serde_json::to_string(&rl).unwrap().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn a_package_path_outside_the_working_directory_reads_nothing_there() {
    let outside = tempfile::tempdir().unwrap();
    let inside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("leak.avsc"), OUTSIDE).unwrap();
    for claimed in [outside.path().to_str().unwrap(), "/", ".."] {
        let (code, stdout) = run_fn(inside.path(), bundle(claimed));
        assert_ne!(code, Some(0), "{claimed}: accepted\n{stdout}");
        assert!(
            !stdout.contains("outside_marker"),
            "{claimed}: embedded the outside file\n{stdout}"
        );
        assert!(
            stdout.contains("KB05"),
            "{claimed}: no file error in the results\n{stdout}"
        );
    }
}

/// A kpt package elsewhere is believed only when it holds the item's own file, as under
/// `kpt fn render`: a Kptfile planted beside the file to steal is not enough.
#[test]
fn a_package_elsewhere_must_hold_the_items_own_file() {
    let outside = tempfile::tempdir().unwrap();
    let inside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("leak.avsc"), OUTSIDE).unwrap();
    std::fs::write(
        outside.path().join("Kptfile"),
        "apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata: {name: x}\n",
    )
    .unwrap();
    let (code, stdout) = run_fn(inside.path(), bundle(outside.path().to_str().unwrap()));
    assert_ne!(code, Some(0), "accepted\n{stdout}");
    assert!(!stdout.contains("outside_marker"), "{stdout}");
    // With the bundle's own file there, it is the package kpt rendered: believed.
    std::fs::write(
        outside.path().join("orders.yaml"),
        serde_json::to_string(&bundle(outside.path().to_str().unwrap())).unwrap(),
    )
    .unwrap();
    let (code, stdout) = run_fn(inside.path(), bundle(outside.path().to_str().unwrap()));
    assert_eq!(code, Some(0), "{stdout}");
    assert!(stdout.contains("outside_marker"), "{stdout}");
}

#[test]
fn a_package_path_inside_the_working_directory_is_honoured() {
    let cwd = tempfile::tempdir().unwrap();
    let pkg = cwd.path().join("pkg");
    std::fs::create_dir(&pkg).unwrap();
    std::fs::write(pkg.join("leak.avsc"), OUTSIDE).unwrap();
    // The control: the same file inside the working directory is read, so the test above fails
    // for the confinement and not for some other reason.
    let (code, stdout) = run_fn(cwd.path(), bundle("pkg"));
    assert_eq!(code, Some(0), "{stdout}");
    assert!(stdout.contains("outside_marker"), "{stdout}");
}

/// Regression: a file with a YAML syntax error beside valid bundles printed the valid bundles'
/// manifests on stdout, then exited 1 — partial output a pipeline could apply.
#[test]
fn a_broken_file_beside_valid_bundles_prints_no_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/quickstart");
    for f in ["orders.yaml", "payments.yaml", "environment.yaml"] {
        std::fs::copy(root.join(f), dir.path().join(f)).unwrap();
    }
    std::fs::write(
        dir.path().join("broken.yaml"),
        "kind: X\nmetadata: {name: [}\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_kbundle"))
        .args(["render", dir.path().to_str().unwrap()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        out.stdout.is_empty(),
        "partial output:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(stderr.contains("KB001"), "{stderr}");
    // The bundle that failed to parse has its own error: no "no AppBundle found" beside it.
    assert!(!stderr.contains("KB008"), "{stderr}");
}
