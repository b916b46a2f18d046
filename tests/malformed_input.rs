//! Malformed ResourceLists are refused and Kubernetes Lists are expanded (issue 10, item 11).
//!
//! Regressions: `items:` as a mapping gave exit 0 with `items: []`; scalar items were passed
//! through; a `v1/List` holding an AppBundle passed through unrendered with exit 0.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn kbundle(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kbundle"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run kbundle");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn resource_lists_whose_items_are_not_objects_are_refused() {
    for items in ["{a: 1}", "[1, x]", "[{apiVersion: v1}]", "hello"] {
        let rl =
            format!("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: {items}\n");
        let out = kbundle(&["fn"], &rl);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(!out.status.success(), "items: {items} accepted:\n{stdout}");
        assert!(
            stdout.contains("KB007"),
            "items: {items}: no KB007 result:\n{stdout}"
        );
    }
}

#[test]
fn a_kubernetes_list_is_expanded_as_kubectl_does() {
    let list = "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: kbundle.dev/v1alpha1\n    kind: AppBundle\n    metadata: {name: orders}\n    spec:\n      owner: team-orders\n      topics: [{name: orders.created.v1}]\n  - 42\n";
    let out = kbundle(&["render", "-"], list);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // The scalar item is an error, naming its place in the List.
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("items[1] of the List"), "{stderr}");
    let valid = list.replace("  - 42\n", "");
    let out = kbundle(&["render", "-"], &valid);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("kind: KafkaTopic") && stdout.contains("topicName: orders.created.v1"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("kind: List"),
        "the List passed through:\n{stdout}"
    );
}

/// Regression (issue 10, item 14): a dangling `notes.txt` link or a `docs` link out of the tree
/// failed the whole render, though kbundle reads only YAML files. A YAML link out still fails.
#[test]
fn links_kbundle_would_not_read_do_not_fail_the_render() {
    let dir = tempfile::tempdir().unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/quickstart");
    for f in ["orders.yaml", "payments.yaml", "environment.yaml"] {
        std::fs::copy(root.join(f), dir.path().join(f)).unwrap();
    }
    std::os::unix::fs::symlink("/nonexistent/notes", dir.path().join("notes.txt")).unwrap();
    std::os::unix::fs::symlink("/usr", dir.path().join("docs")).unwrap();
    let render = || {
        Command::new(env!("CARGO_BIN_EXE_kbundle"))
            .args(["check", dir.path().to_str().unwrap()])
            .output()
            .unwrap()
    };
    let out = render();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::os::unix::fs::symlink("/etc/hostname", dir.path().join("stolen.yaml")).unwrap();
    let out = render();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && stderr.contains("KB052"),
        "{stderr}"
    );
}
