//! `kbundle diff` golden cases under `testdata/diff/<case>/`: `old/` and `new/` are compared
//! with `kbundle diff old new [args]` (extra arguments in `args`, one per line), run from the
//! case directory, once per format:
//!
//! - `expected.txt` (human), `expected.md` (`--format markdown`), `expected.json`
//!   (`--format json`): the exact stdout; `exit`: the exit code of every run.
//!
//! Each runs twice (same bytes). `UPDATE_GOLDEN=1 cargo test --test diff_golden` rewrites the
//! expectations: review every rewritten file. Beside the cases: the noise test (a reordered,
//! reformatted copy of a bundle set is "no change"), the Git-revision test on a temporary
//! repository, and the CI recipe test (examples/ci/kbundle-pr.sh on a two-commit repository).

#[macro_use]
mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run_in(dir: &Path, args: &[String]) -> Run {
    let out = Command::new(support::kbundle_bin())
        .current_dir(dir)
        .args(args)
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .output()
        .expect("spawn kbundle");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("utf-8 stderr"),
    }
}

fn cases() -> Vec<PathBuf> {
    let root = support::root().join("testdata/diff");
    let mut out: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("testdata/diff/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.join("old").exists() && p.join("new").exists())
        .collect();
    out.sort();
    out
}

fn check_case(case: &Path, update: bool) -> Result<(), String> {
    let mut base = vec!["diff".to_string(), "old".to_string(), "new".to_string()];
    if let Ok(extra) = std::fs::read_to_string(case.join("args")) {
        base.extend(
            extra
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(str::to_string),
        );
    }
    let mut codes = Vec::new();
    for (format, file) in [
        ("human", "expected.txt"),
        ("markdown", "expected.md"),
        ("json", "expected.json"),
    ] {
        let mut args = base.clone();
        args.extend(["--format".to_string(), format.to_string()]);
        let first = run_in(case, &args);
        let second = run_in(case, &args);
        if first.stdout != second.stdout || first.code != second.code {
            return Err(format!("{format}: two runs gave different output"));
        }
        // The new side's warnings, on stderr whatever the format.
        let warnings = case.join("warnings.txt");
        if update {
            let _ = std::fs::remove_file(&warnings);
            if !first.stderr.is_empty() {
                std::fs::write(&warnings, &first.stderr).map_err(|e| e.to_string())?;
            }
        } else {
            let want = std::fs::read_to_string(&warnings).unwrap_or_default();
            if first.stderr != want {
                return Err(format!(
                    "{format}: stderr differs\n--- want\n{want}--- got\n{}",
                    first.stderr
                ));
            }
        }
        // Human output to a pipe has no colour.
        if first.stdout.contains('\x1b') {
            return Err(format!("{format}: escape sequences in piped output"));
        }
        let path = case.join(file);
        if update {
            std::fs::write(&path, &first.stdout).map_err(|e| e.to_string())?;
        } else {
            let want =
                std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            if first.stdout != want {
                return Err(format!(
                    "{format}: stdout differs\n--- want\n{want}--- got\n{}",
                    first.stdout
                ));
            }
        }
        if format == "json" {
            serde_json::from_str::<serde_json::Value>(&first.stdout)
                .map_err(|e| format!("json output does not parse: {e}"))?;
        }
        codes.push(first.code);
    }
    if codes.iter().any(|c| *c != codes[0]) {
        return Err(format!("exit codes differ between formats: {codes:?}"));
    }
    let exit = case.join("exit");
    if update {
        std::fs::write(&exit, format!("{}\n", codes[0])).map_err(|e| e.to_string())?;
    } else {
        let want = std::fs::read_to_string(&exit).map_err(|e| e.to_string())?;
        if want.trim() != codes[0].to_string() {
            return Err(format!("exit {} (expected {})", codes[0], want.trim()));
        }
    }
    Ok(())
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read_dir") {
        let e = e.expect("entry");
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).expect("copy");
        }
    }
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("run git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A repository with the `realistic-pr` case's old side committed, then its new side
/// committed on top (`HEAD~1` is the base); the work tree is the new side.
fn two_commit_repo() -> tempfile::TempDir {
    let case = support::root().join("testdata/diff/realistic-pr");
    let tmp = tempfile::tempdir().expect("tempdir");
    let repo = tmp.path();
    git(repo, &["init", "-q", "-b", "main"]);
    copy_dir(&case.join("old"), &repo.join("kafka"));
    git(repo, &["add", "-A"]);
    git(repo, &["commit", "-q", "-m", "base"]);
    std::fs::remove_dir_all(repo.join("kafka")).expect("rm");
    copy_dir(&case.join("new"), &repo.join("kafka"));
    git(repo, &["add", "-A"]);
    git(repo, &["commit", "-q", "-m", "change"]);
    tmp
}

mod diff {
    use super::*;

    /// Reordering bundles, files, topics, principals, config keys and reformatting the YAML
    /// (flow style, quotes, comments, indentation) changes nothing.
    pub fn noise_is_no_change() {
        let case = support::root().join("testdata/diff/noise");
        let r = run_in(&case, &["diff".into(), "old".into(), "new".into()]);
        assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
        assert_eq!(
            r.stdout, "kbundle diff: no change (2 bundles, environment prod)\n",
            "{}",
            r.stderr
        );
        // The two sides really are different files, so the test could fail.
        let a = std::fs::read_to_string(case.join("old/bundles.yaml")).expect("old");
        let b = std::fs::read_to_string(case.join("new/b-payments.yaml")).expect("new");
        assert_ne!(a, b);
        // And a real change on top of the noise is seen.
        let tmp = tempfile::tempdir().expect("tempdir");
        copy_dir(&case.join("new"), &tmp.path().join("new"));
        let p = tmp.path().join("new/b-payments.yaml");
        let text = std::fs::read_to_string(&p).expect("read");
        std::fs::write(&p, text.replace("partitions: 12", "partitions: 24")).expect("write");
        let r = run_in(
            tmp.path(),
            &[
                "diff".into(),
                case.join("old").display().to_string(),
                "new".into(),
            ],
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(r.stdout.contains("partitions 12 → 24"), "{}", r.stdout);
    }

    /// `--base REV` reads the revision with git, path by path, and compares it with the work
    /// tree; `OLD NEW` takes revisions too. A missing revision exits 2 with KB201.
    pub fn git_revision() {
        support::require("git");
        support::require("tar");
        let tmp = two_commit_repo();
        let repo = tmp.path();
        let case = support::root().join("testdata/diff/realistic-pr");
        let want = std::fs::read_to_string(case.join("expected.txt")).expect("expected");
        // The paths differ from the golden case (kafka/ instead of old/ and new/), the report
        // does not: it speaks of bundles, not files.
        let r = run_in(
            repo,
            &[
                "diff".into(),
                "--base".into(),
                "HEAD~1".into(),
                "kafka".into(),
            ],
        );
        assert_eq!(r.code, 1, "{}", r.stderr);
        assert_eq!(r.stdout, want);
        // From a subdirectory, with the default path `.`.
        let r = run_in(
            &repo.join("kafka"),
            &["diff".into(), "--base".into(), "HEAD~1".into()],
        );
        assert_eq!(r.stdout, want, "{}", r.stderr);
        // Two revisions.
        let r = run_in(
            &repo.join("kafka"),
            &["diff".into(), "HEAD~1".into(), "HEAD".into()],
        );
        assert_eq!(r.stdout, want, "{}", r.stderr);
        // The same revision on both sides is no change.
        let r = run_in(
            repo,
            &[
                "diff".into(),
                "--base".into(),
                "HEAD".into(),
                "kafka".into(),
            ],
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(
            r.stdout.starts_with("kbundle diff: no change"),
            "{}",
            r.stdout
        );
        // An unknown revision.
        let r = run_in(repo, &["diff".into(), "--base".into(), "nope".into()]);
        assert_eq!(r.code, 2);
        assert!(r.stderr.contains("KB201"), "{}", r.stderr);
        assert!(r.stdout.is_empty());
        // Nothing left behind in the repository.
        let status = Command::new("git")
            .current_dir(repo)
            .args(["status", "--porcelain"])
            .output()
            .expect("git status");
        assert!(
            status.stdout.is_empty(),
            "{}",
            String::from_utf8_lossy(&status.stdout)
        );
    }

    /// The CI recipes' script on a two-commit repository: `kbundle check`, then the Markdown
    /// of `kbundle diff --base`, written where the workflow posts it from; exit 1 on the
    /// partition decrease, 0 with `KBUNDLE_FAIL_ON=never`.
    pub fn ci_script() {
        support::require("git");
        support::require("tar");
        support::require("bash");
        let tmp = two_commit_repo();
        let repo = tmp.path();
        let script = support::root().join("examples/ci/kbundle-pr.sh");
        let bin_dir = support::kbundle_bin()
            .parent()
            .expect("bin dir")
            .to_path_buf();
        let path = format!(
            "{}:{}",
            bin_dir.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let out_file = repo.join("kbundle-diff.md");
        let run = |fail_on: &str| {
            Command::new("bash")
                .arg(&script)
                .current_dir(repo)
                .env("PATH", &path)
                .env("KBUNDLE_BASE", "HEAD~1")
                .env("KBUNDLE_PATHS", "kafka")
                .env("KBUNDLE_FAIL_ON", fail_on)
                .env("KBUNDLE_DIFF_OUT", &out_file)
                .output()
                .expect("run script")
        };
        let out = run("error");
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let md = std::fs::read_to_string(&out_file).expect("markdown written");
        let want =
            std::fs::read_to_string(support::root().join("testdata/diff/realistic-pr/expected.md"))
                .expect("expected.md");
        assert_eq!(md, want);
        let out = run("never");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        // Both workflows call the script, so the test runs what CI runs.
        for wf in ["github-actions.yaml", "gitlab-ci.yaml"] {
            let text = std::fs::read_to_string(support::root().join("examples/ci").join(wf))
                .expect("workflow");
            assert!(
                text.contains("kbundle-pr.sh"),
                "{wf} does not call the script"
            );
        }
    }

    /// `--fail-on` moves the exit threshold; colour appears only when asked (a pipe gets
    /// none, see the golden cases); usage errors exit 2 with nothing on stdout.
    pub fn flags() {
        let dir = support::root().join("testdata/diff");
        let args = |case: &str, extra: &[&str]| {
            let mut v = vec![
                "diff".to_string(),
                format!("{case}/old"),
                format!("{case}/new"),
            ];
            v.extend(extra.iter().map(|s| s.to_string()));
            v
        };
        // access: warnings only.
        assert_eq!(run_in(&dir, &args("access", &[])).code, 0);
        assert_eq!(
            run_in(&dir, &args("access", &["--fail-on", "warning"])).code,
            1
        );
        // topics-risk: errors.
        assert_eq!(run_in(&dir, &args("topics-risk", &[])).code, 1);
        assert_eq!(
            run_in(&dir, &args("topics-risk", &["--fail-on", "never"])).code,
            0
        );
        // noise: nothing at any level.
        assert_eq!(
            run_in(&dir, &args("noise", &["--fail-on", "warning"])).code,
            0
        );
        let r = run_in(&dir, &args("topics-risk", &["--color", "always"]));
        assert!(r.stdout.contains("\x1b[1;31merror"), "{}", r.stdout);
        let r = run_in(&dir, &["diff".into(), "only-one".into()]);
        assert_eq!(r.code, 2);
        assert!(r.stdout.is_empty());
        let r = run_in(
            &dir,
            &["diff".into(), "no/such/dir".into(), "noise/new".into()],
        );
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(
            r.stderr.contains("neither a path nor a Git revision"),
            "{}",
            r.stderr
        );
    }

    /// A kustomize overlay at a revision against the work tree: the example GitOps
    /// repository committed, then its prod overlay's partition patch lowered. The overlay is
    /// built on both sides (kubectl's kustomize), so the patch's effect is what is compared.
    pub fn overlay_at_revision() {
        support::require("git");
        support::require("kubectl");
        let tmp = tempfile::tempdir().expect("tempdir");
        let repo = tmp.path();
        git(repo, &["init", "-q", "-b", "main"]);
        copy_dir(&support::root().join("examples/gitops"), repo);
        git(repo, &["add", "-A"]);
        git(repo, &["commit", "-q", "-m", "base"]);
        let r = run_in(
            repo,
            &[
                "diff".into(),
                "--base".into(),
                "HEAD".into(),
                "overlays/prod".into(),
            ],
        );
        assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
        assert!(
            r.stdout
                .starts_with("kbundle diff: no change (2 bundles, environment prod)"),
            "{}",
            r.stdout
        );
        let k = repo.join("overlays/prod/kustomization.yaml");
        let text = std::fs::read_to_string(&k).expect("read");
        assert!(text.contains("value: 24"));
        std::fs::write(&k, text.replace("value: 24", "value: 12")).expect("write");
        let r = run_in(
            repo,
            &[
                "diff".into(),
                "--base".into(),
                "HEAD".into(),
                "overlays/prod".into(),
            ],
        );
        assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
        assert!(
            r.stdout
                .contains("error   KB202 topic orders.created.v1: partitions 24 → 12"),
            "{}",
            r.stdout
        );
        // Staging against prod: two Environments, the policy difference called out.
        let r = run_in(
            repo,
            &[
                "diff".into(),
                "overlays/staging".into(),
                "overlays/prod".into(),
            ],
        );
        assert!(
            r.stdout
                .contains("warning KB214 policy maxPartitions: 24 → 48"),
            "{}",
            r.stdout
        );
    }

    register!(
        noise_is_no_change,
        git_revision,
        ci_script,
        flags,
        overlay_at_revision
    );
}

fn main() {
    let update = std::env::var("UPDATE_GOLDEN").as_deref() == Ok("1");
    let cases = cases();
    assert!(
        cases.len() >= 8,
        "expected the diff cases, found {}",
        cases.len()
    );
    let mut tests: Vec<support::Test> = cases
        .into_iter()
        .map(|case| {
            let name = format!(
                "diff_golden::{}",
                case.file_name().unwrap_or_default().to_string_lossy()
            );
            support::Test::named(name, move || {
                if let Err(e) = check_case(&case, update) {
                    panic!("{}: {e}", case.display());
                }
            })
        })
        .collect();
    tests.extend(diff::tests());
    support::run_tests(tests)
}
