//! Standalone kustomize (the pinned v5 of scripts/live/install-kustomize.sh) on a copy of
//! examples/gitops (base + overlays): kbundle as an `exec:` KRM function under `transformers:`
//! and under `generators:` (`kustomize build --enable-alpha-plugins --enable-exec`), and as the
//! legacy exec plugin (`--enable-alpha-plugins`). Each gives the objects `kbundle render` gives
//! for the same input; a policy violation exits non-zero with the diagnostic on stderr and no
//! manifest on stdout; without the flags kbundle never runs. Found through
//! `$KBUNDLE_KUSTOMIZE_BIN` or the cache: missing, the tests fail under KBUNDLE_REQUIRE_LIVE=1
//! and skip otherwise.

mod support;

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use support::{assert_ok, docs, kbundle, kind, run, s, stderr, stdout};

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// examples/gitops as a fresh repository, and a wrapper `kbundle-fn` that records each run in
/// `runs.log` before it execs kbundle (so a test can tell whether kustomize ran it).
fn setup(tmp: &Path) -> (PathBuf, PathBuf) {
    let repo = tmp.join("kafka-apps");
    copy_tree(&support::root().join("examples/gitops"), &repo);
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    let wrapper = tmp.join("kbundle-fn");
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\necho run >> '{}'\nexec '{}' \"$@\"\n",
            tmp.join("runs.log").display(),
            kbundle().display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
    (repo, wrapper)
}

fn runs(tmp: &Path) -> usize {
    std::fs::read_to_string(tmp.join("runs.log"))
        .unwrap_or_default()
        .lines()
        .count()
}

/// Annotates the Environment of overlays/<env> as an exec KRM function.
fn annotate_exec(file: &Path, exec: &Path) {
    let text = std::fs::read_to_string(file).unwrap();
    let (head, rest) = text.split_once("metadata:\n").unwrap();
    let annotated = format!(
        "{head}metadata:\n  annotations:\n    config.kubernetes.io/function: |\n      exec:\n        path: {}\n{rest}",
        exec.display()
    );
    std::fs::write(file, annotated).unwrap();
}

fn build(kustomize: &Path, dir: &Path, flags: &[&str], plugin_home: Option<&Path>) -> Output {
    let mut cmd = Command::new(kustomize);
    cmd.arg("build").args(flags).arg(dir);
    match plugin_home {
        Some(h) => cmd.env("KUSTOMIZE_PLUGIN_HOME", h),
        None => cmd.env("KUSTOMIZE_PLUGIN_HOME", dir.join("no-plugins-here")),
    };
    run(cmd)
}

fn render(repo: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(kbundle());
    cmd.current_dir(repo).arg("render").args(args);
    run(cmd)
}

/// (kind, name) -> object, without the annotations kustomize adds to say where an object came
/// from (kbundle render strips them; kustomize keeps them on generated objects).
fn by_id(text: &str) -> BTreeMap<(String, String), Value> {
    docs(text)
        .into_iter()
        .map(|mut o| {
            if let Some(a) = o
                .pointer_mut("/metadata/annotations")
                .and_then(Value::as_object_mut)
            {
                a.remove("config.kubernetes.io/origin");
                a.remove("alpha.config.kubernetes.io/transformations");
                if a.is_empty() {
                    o["metadata"].as_object_mut().unwrap().remove("annotations");
                }
            }
            let id = (
                kind(&o).to_string(),
                s(&o, "/metadata/name").unwrap_or("").to_string(),
            );
            (id, o)
        })
        .collect()
}

#[track_caller]
fn assert_refused_partitions(out: &Output, what: &str) {
    assert!(
        !out.status.success(),
        "{what} should fail:\n{}",
        stdout(out)
    );
    assert!(out.stdout.is_empty(), "{what}: stdout: {}", stdout(out));
    let err = stderr(out);
    assert!(
        err.contains("error[KB023]: partitions is 96, Environment/prod allows at most 48"),
        "{what}: stderr: {err}"
    );
}

/// kbundle as an exec KRM function under `transformers:` of every overlay: the same objects as
/// `kbundle render overlays/<env>`; a prod patch over policy.maxPartitions fails the build.
#[test]
fn exec_function_transformer_on_every_overlay() {
    let Some(kustomize) = support::live::kustomize() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let (repo, wrapper) = setup(tmp.path());
    for env in ["dev", "staging", "prod"] {
        let want = render(&repo, &[&format!("overlays/{env}")]);
        assert_ok(&want, &format!("kbundle render overlays/{env}"));
        let overlay = repo.join("overlays").join(env);
        annotate_exec(&overlay.join("environment.yaml"), &wrapper);
        let before = runs(tmp.path());
        let out = build(
            &kustomize,
            &overlay,
            &["--enable-alpha-plugins", "--enable-exec"],
            None,
        );
        assert_ok(
            &out,
            &format!("kustomize build --enable-exec overlays/{env}"),
        );
        assert_eq!(runs(tmp.path()), before + 1, "{env}: the function ran once");
        let got = by_id(&stdout(&out));
        assert_eq!(got.len(), 20, "{env}: {:?}", got.keys());
        assert_eq!(
            got,
            by_id(&stdout(&want)),
            "{env}: kustomize + exec function != kbundle render"
        );
    }

    // Policy violation: prod's patch raised to 96 partitions (at most 48).
    let k = repo.join("overlays/prod/kustomization.yaml");
    let text = std::fs::read_to_string(&k).unwrap();
    std::fs::write(&k, text.replace("value: 24", "value: 96")).unwrap();
    let out = build(
        &kustomize,
        &repo.join("overlays/prod"),
        &["--enable-alpha-plugins", "--enable-exec"],
        None,
    );
    assert_refused_partitions(
        &out,
        "kustomize build --enable-exec overlays/prod (96 partitions)",
    );
}

/// kbundle as an exec KRM function under `generators:`: an AppBundle with the function
/// annotation renders itself (built-in defaults, as a generator sees only its own config),
/// exactly as `kbundle render` of that bundle file.
#[test]
fn exec_function_generator() {
    let Some(kustomize) = support::live::kustomize() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let (repo, wrapper) = setup(tmp.path());
    let dir = repo.join("generated");
    std::fs::create_dir_all(&dir).unwrap();
    // A generator sees only its own config: a bundle that names no files (schemas would need
    // an Environment's registry) under the built-in defaults.
    let bundle = support::ORDERS;
    std::fs::write(dir.join("plain.yaml"), bundle).unwrap();
    let want = render(&dir, &["plain.yaml"]);
    assert_ok(&want, "kbundle render orders");
    std::fs::remove_file(dir.join("plain.yaml")).unwrap();
    std::fs::write(dir.join("orders.yaml"), bundle).unwrap();
    annotate_exec(&dir.join("orders.yaml"), &wrapper);
    std::fs::write(
        dir.join("kustomization.yaml"),
        "generators: [orders.yaml]\n",
    )
    .unwrap();
    let out = build(
        &kustomize,
        &dir,
        &["--enable-alpha-plugins", "--enable-exec"],
        None,
    );
    assert_ok(&out, "kustomize build --enable-exec (generator)");
    assert_eq!(runs(tmp.path()), 1);
    let got = by_id(&stdout(&out));
    assert!(got.keys().any(|(k, _)| k == "KafkaTopic"), "{got:?}");
    assert!(
        !got.keys().any(|(k, _)| k == "AppBundle"),
        "the bundle leaked: {got:?}"
    );
    assert_eq!(got, by_id(&stdout(&want)), "generator != kbundle render");
}

/// The legacy exec plugin under standalone kustomize: every overlay as `kbundle render`; the
/// policy violation fails the build.
#[test]
fn legacy_plugin_on_every_overlay() {
    let Some(kustomize) = support::live::kustomize() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let (repo, _) = setup(tmp.path());
    let home = tmp.path().join("plugins");
    let mut cmd = Command::new(kbundle());
    cmd.arg("install-plugin").arg("--plugin-home").arg(&home);
    assert_ok(&run(cmd), "kbundle install-plugin");
    for env in ["dev", "staging", "prod"] {
        let want = render(&repo, &[&format!("overlays/{env}")]);
        assert_ok(&want, &format!("kbundle render overlays/{env}"));
        let out = build(
            &kustomize,
            &repo.join("overlays").join(env),
            &["--enable-alpha-plugins"],
            Some(&home),
        );
        assert_ok(
            &out,
            &format!("kustomize build --enable-alpha-plugins overlays/{env}"),
        );
        let got = by_id(&stdout(&out));
        assert_eq!(got.len(), 20, "{env}");
        assert_eq!(
            got,
            by_id(&stdout(&want)),
            "{env}: kustomize + legacy plugin != kbundle render"
        );
    }
    let k = repo.join("overlays/prod/kustomization.yaml");
    let text = std::fs::read_to_string(&k).unwrap();
    std::fs::write(&k, text.replace("value: 24", "value: 96")).unwrap();
    let out = build(
        &kustomize,
        &repo.join("overlays/prod"),
        &["--enable-alpha-plugins"],
        Some(&home),
    );
    assert_refused_partitions(
        &out,
        "kustomize build --enable-alpha-plugins overlays/prod (96 partitions)",
    );
}

/// Without the flags kbundle never runs: no `--enable-alpha-plugins` is an error
/// (`external plugins disabled`) for both kinds; `--enable-alpha-plugins` without
/// `--enable-exec` skips the exec function silently and prints the unrendered inputs.
#[test]
fn nothing_runs_without_the_flags() {
    let Some(kustomize) = support::live::kustomize() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let (repo, wrapper) = setup(tmp.path());
    let overlay = repo.join("overlays/prod");

    // Legacy plugin installed, but no flag.
    let home = tmp.path().join("plugins");
    let wrapper_home = home.join("kbundle.dev/v1alpha1/environment");
    std::fs::create_dir_all(&wrapper_home).unwrap();
    std::fs::copy(&wrapper, wrapper_home.join("Environment")).unwrap();
    let out = build(&kustomize, &overlay, &[], Some(&home));
    assert!(!out.status.success(), "{}", stdout(&out));
    assert!(out.stdout.is_empty());
    assert!(
        stderr(&out).contains("external plugins disabled"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        runs(tmp.path()),
        0,
        "the legacy plugin ran without --enable-alpha-plugins"
    );

    annotate_exec(&overlay.join("environment.yaml"), &wrapper);
    let out = build(&kustomize, &overlay, &[], None);
    assert!(!out.status.success(), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("external plugins disabled"),
        "{}",
        stderr(&out)
    );
    let out = build(&kustomize, &overlay, &["--enable-alpha-plugins"], None);
    assert_ok(
        &out,
        "kustomize build --enable-alpha-plugins (exec function, no --enable-exec)",
    );
    let objs = docs(&stdout(&out));
    assert!(objs.iter().all(|o| kind(o) == "AppBundle"), "{objs:?}");
    assert_eq!(
        runs(tmp.path()),
        0,
        "the exec function ran without --enable-exec"
    );
}
