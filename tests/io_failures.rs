//! Input and output failures exit 2 in every mode. A failed write never exits 0 (regression:
//! `kbundle render X > /dev/full` printed "No space left on device" and exited 0).

use std::fs::OpenOptions;
use std::process::{Command, Stdio};

fn kbundle() -> Command {
    Command::new(env!("CARGO_BIN_EXE_kbundle"))
}

fn to_dev_full(mut cmd: Command) -> (Option<i32>, String) {
    let full = OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    let out = cmd
        .stdout(Stdio::from(full))
        .stdin(Stdio::null())
        .output()
        .expect("run kbundle");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn render_to_a_full_disk_exits_2() {
    let mut cmd = kbundle();
    cmd.args(["render", "examples/quickstart"])
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    let (code, stderr) = to_dev_full(cmd);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("cannot write"), "{stderr}");
}

#[test]
fn schema_check_json_and_explain_to_a_full_disk_exit_2() {
    for args in [
        &["schema", "appbundle"][..],
        &["check", "--format", "json", "examples/quickstart"],
        &["explain"],
    ] {
        let mut cmd = kbundle();
        cmd.args(args).current_dir(env!("CARGO_MANIFEST_DIR"));
        let (code, stderr) = to_dev_full(cmd);
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
    }
}

#[test]
fn krm_function_with_unreadable_stdin_exits_2_with_an_error_result() {
    use std::io::Write;
    let mut child = kbundle()
        .arg("fn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run kbundle fn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"apiVersion: v1\nkind: ResourceList\nitems: [\xff]\n")
        .expect("write stdin");
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(2));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("kind: ResourceList"), "{stdout}");
    assert!(stdout.contains("code: KB001"), "{stdout}");
}
