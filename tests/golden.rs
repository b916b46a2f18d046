//! Golden cases under `testdata/<family>/<case>/`: `input/` is rendered with
//! `kbundle render input [args]` (extra arguments in `args`, one per line), run from the case
//! directory so diagnostics show stable relative paths.
//!
//! - `expected.yaml`: the exact stdout of a successful render; `warnings.txt`, when present,
//!   the exact stderr (otherwise stderr must be empty).
//! - `errors.txt`: the exact stderr of a failing render, which must exit 1 with empty stdout.
//!
//! Every case runs twice (same bytes), and a successful render is rendered again from its own
//! output (`kbundle render -`), which must change nothing. Each case is its own named test,
//! `golden::<family>::<case>` (`cargo test --test golden golden::topics::`);
//! `UPDATE_GOLDEN=1 cargo test --test golden` rewrites the expectations: review every rewritten
//! file before committing. The layout is described in `testdata/README.md`.

#[macro_use]
mod support;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(dir: &Path, args: &[String], stdin: Option<&str>) -> Run {
    let mut cmd = Command::new(support::kbundle_bin());
    cmd.current_dir(dir).args(args);
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn kbundle");
    if let Some(text) = stdin {
        let mut pipe = child.stdin.take().expect("stdin");
        pipe.write_all(text.as_bytes()).expect("write stdin");
    }
    let out = child.wait_with_output().expect("wait kbundle");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("utf-8 stderr"),
    }
}

fn cases() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let root = support::root().join("testdata");
    for family in std::fs::read_dir(&root).expect("testdata/") {
        let family = family.expect("entry").path();
        if !family.is_dir() {
            continue;
        }
        for case in std::fs::read_dir(&family).expect("family dir") {
            let case = case.expect("entry").path();
            if case.join("input").exists() {
                out.push(case);
            }
        }
    }
    out.sort();
    out
}

fn check_case(case: &Path, update: bool) -> Result<(), String> {
    let mut args = vec!["render".to_string(), "input".to_string()];
    if let Ok(extra) = std::fs::read_to_string(case.join("args")) {
        args.extend(
            extra
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(str::to_string),
        );
    }
    let first = run(case, &args, None);
    let second = run(case, &args, None);
    if first.stdout != second.stdout || first.stderr != second.stderr {
        return Err("two runs gave different output".into());
    }
    let expected_yaml = case.join("expected.yaml");
    let errors = case.join("errors.txt");
    let warnings = case.join("warnings.txt");
    if update {
        let _ = std::fs::remove_file(&expected_yaml);
        let _ = std::fs::remove_file(&errors);
        let _ = std::fs::remove_file(&warnings);
        if first.code == 0 {
            std::fs::write(&expected_yaml, &first.stdout).map_err(|e| e.to_string())?;
            if !first.stderr.is_empty() {
                std::fs::write(&warnings, &first.stderr).map_err(|e| e.to_string())?;
            }
        } else {
            std::fs::write(&errors, &first.stderr).map_err(|e| e.to_string())?;
        }
        return Ok(());
    }
    if errors.exists() {
        let want = std::fs::read_to_string(&errors).map_err(|e| e.to_string())?;
        if first.code != 1 {
            return Err(format!(
                "expected exit 1, got {}\n{}",
                first.code, first.stderr
            ));
        }
        if !first.stdout.is_empty() {
            return Err(format!(
                "stdout must be empty on error, got:\n{}",
                first.stdout
            ));
        }
        if first.stderr != want {
            return Err(format!(
                "stderr differs\n--- want\n{want}--- got\n{}",
                first.stderr
            ));
        }
        return Ok(());
    }
    let want = std::fs::read_to_string(&expected_yaml)
        .map_err(|e| format!("{}: {e}", expected_yaml.display()))?;
    if first.code != 0 {
        return Err(format!(
            "expected exit 0, got {}\n{}",
            first.code, first.stderr
        ));
    }
    if first.stdout != want {
        return Err(format!(
            "stdout differs\n--- want\n{want}--- got\n{}",
            first.stdout
        ));
    }
    let want_stderr = std::fs::read_to_string(&warnings).unwrap_or_default();
    if first.stderr != want_stderr {
        return Err(format!(
            "stderr differs\n--- want\n{want_stderr}--- got\n{}",
            first.stderr
        ));
    }
    // Idempotence: the output rendered again is the same output.
    let again = run(case, &["render".into(), "-".into()], Some(&first.stdout));
    if again.code != 0 {
        return Err(format!("re-render failed: {}", again.stderr));
    }
    if again.stdout != first.stdout {
        return Err(format!(
            "re-rendering the output changed it\n--- first\n{}--- again\n{}",
            first.stdout, again.stdout
        ));
    }
    Ok(())
}

fn main() {
    let update = std::env::var("UPDATE_GOLDEN").as_deref() == Ok("1");
    let cases = cases();
    assert!(
        cases.len() >= 20,
        "expected the golden cases, found {}",
        cases.len()
    );
    let tests = cases
        .into_iter()
        .map(|case| {
            let family = case.parent().and_then(Path::file_name).unwrap_or_default();
            let name = format!(
                "golden::{}::{}",
                family.to_string_lossy(),
                case.file_name().unwrap_or_default().to_string_lossy()
            );
            support::Test::named(name, move || {
                if let Err(e) = check_case(&case, update) {
                    panic!("{}: {e}", case.display());
                }
            })
        })
        .collect();
    support::run_tests(tests)
}
