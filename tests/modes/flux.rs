//! `kbundle render --flux --out DIR [--check]` on the example repository: the committed
//! examples/gitops/flux/ tree is current (`--check`), the stages keep the Argo CD order and lose
//! no object, the Flux Kustomizations validate against the vendored Flux CRD, every stage builds
//! with the standalone kustomize, and staleness is caught without writing.
//!
//! `UPDATE_GOLDEN=1 cargo test --test modes flux` renders examples/gitops/flux/ again.

use crate::support::{self, assert_failed, assert_ok, docs, kbundle, kind, live, run, stderr};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const ENVS: [&str; 3] = ["dev", "staging", "prod"];
const HOOK: &str = "argocd.argoproj.io/hook";
const WAVE: &str = "argocd.argoproj.io/sync-wave";
const FLUX_PRUNE: &str = "kustomize.toolkit.fluxcd.io/prune";
const FLUX_FORCE: &str = "kustomize.toolkit.fluxcd.io/force";
const RELEASE: &str = "kbundle.dev/release";

fn example() -> PathBuf {
    support::root().join("examples/gitops")
}

/// `kbundle render --flux overlays/<env> --out <out> [--check]`, run from examples/gitops.
fn render_flux(env: &str, out: &Path, check: bool) -> Output {
    let mut cmd = Command::new(kbundle());
    cmd.current_dir(example())
        .args(["render", "--flux"])
        .arg(format!("overlays/{env}"))
        .arg("--out")
        .arg(out);
    if check {
        cmd.arg("--check");
    }
    run(cmd)
}

/// Every file under `dir`, relative path → bytes.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                let rel = p.strip_prefix(base).unwrap().to_string_lossy().to_string();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// The stages of one rendered Environment in Flux's order (following `dependsOn`), each with the
/// objects its kustomization.yaml lists.
fn stages(env_dir: &Path) -> Vec<(String, Vec<Value>)> {
    let text = std::fs::read_to_string(env_dir.join("flux-kustomizations.yaml")).unwrap();
    let flux = docs(&text);
    let mut out = Vec::new();
    let mut previous: Option<String> = None;
    for k in &flux {
        assert_eq!(
            k["spec"]["dependsOn"]
                .as_array()
                .and_then(|d| d.first())
                .and_then(|d| d["name"].as_str())
                .map(str::to_string),
            previous,
            "{}: each stage depends on the one before",
            env_dir.display()
        );
        assert_eq!(k["spec"]["wait"], true);
        assert_eq!(k["spec"]["prune"], true);
        let path = k["spec"]["path"].as_str().unwrap();
        let stage = path.rsplit('/').next().unwrap().to_string();
        let dir = env_dir.join(&stage);
        let kust = docs(&std::fs::read_to_string(dir.join("kustomization.yaml")).unwrap());
        let mut objs = Vec::new();
        for r in kust[0]["resources"].as_array().unwrap() {
            let file = std::fs::read_to_string(dir.join(r.as_str().unwrap())).unwrap();
            objs.extend(docs(&file));
        }
        previous = k["metadata"]["name"].as_str().map(str::to_string);
        out.push((stage, objs));
    }
    out
}

/// What the Argo CD path orders by: (phase, wave), the phase PreSync < Sync < PostSync.
fn argo_order(v: &Value) -> (u8, i64) {
    let a = |k: &str| v.pointer("/metadata/annotations").and_then(|a| a.get(k));
    let phase = match a(HOOK).and_then(Value::as_str) {
        Some("PreSync") => 0,
        Some("PostSync") => 2,
        _ => 1,
    };
    let wave = a(WAVE)
        .and_then(Value::as_str)
        .map_or(0, |w| w.parse().unwrap());
    (phase, wave)
}

/// A staged object without what the Flux stage adds, to compare with `kbundle render`.
fn without_flux(mut v: Value) -> Value {
    if let Some(a) = v
        .pointer_mut("/metadata/annotations")
        .and_then(Value::as_object_mut)
    {
        a.remove(FLUX_PRUNE);
        a.remove(FLUX_FORCE);
    }
    if let Some(a) = v
        .pointer_mut("/spec/template/metadata/annotations")
        .and_then(Value::as_object_mut)
    {
        a.remove(RELEASE);
        if a.is_empty() {
            v["spec"]["template"]["metadata"]
                .as_object_mut()
                .unwrap()
                .remove("annotations");
        }
    }
    v
}

fn id(v: &Value) -> String {
    format!(
        "{}/{}",
        kind(v),
        v.pointer("/metadata/name").and_then(Value::as_str).unwrap()
    )
}

/// The committed examples/gitops/flux/ is what a render gives now (`--check` exits 0); with
/// UPDATE_GOLDEN=1 it is rendered again.
pub fn committed_example_is_current() {
    let out = example().join("flux");
    for env in ENVS {
        let update = std::env::var("UPDATE_GOLDEN").as_deref() == Ok("1");
        let res = render_flux(env, &out, !update);
        assert_ok(&res, &format!("render --flux overlays/{env} --check"));
        assert!(res.stdout.is_empty(), "--flux writes no manifest to stdout");
    }
}

/// Stages keep the Argo CD order: an object in a later stage never precedes, in phase and wave,
/// one in an earlier stage; schema registration runs in `pre`, topics in `main`, connectors
/// after topics, tests in `post`; the stages hold exactly the objects `kbundle render` gives,
/// plus the Flux annotations (prune disabled on protected objects, force on Jobs).
pub fn stages_follow_the_argocd_order_and_lose_nothing() {
    for env in ENVS {
        let tmp = tempfile::tempdir().unwrap();
        assert_ok(&render_flux(env, tmp.path(), false), "render --flux");
        let staged = stages(&tmp.path().join(env));
        let names: Vec<&str> = staged.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(names.first(), Some(&"pre"), "{env}: {names:?}");
        assert_eq!(names.last(), Some(&"post"), "{env}: {names:?}");
        assert!(names.contains(&"main"), "{env}: {names:?}");

        let mut high = (0u8, i64::MIN);
        for (stage, objs) in &staged {
            assert!(!objs.is_empty(), "{env}/{stage} is empty");
            let mut low = (u8::MAX, i64::MAX);
            for o in objs {
                // A hook ConfigMap rides with the Job one wave later (emit/flux.rs).
                let mut key = argo_order(o);
                if kind(o) == "ConfigMap" && support::annotation(o, HOOK).is_some() {
                    key.1 += 1;
                }
                low = low.min(key);
                let ann = |k| support::annotation(o, k);
                if kind(o) == "Job" {
                    assert_eq!(ann(FLUX_FORCE), Some("enabled"), "{env}: {}", id(o));
                    let release =
                        o.pointer("/spec/template/metadata/annotations/kbundle.dev~1release");
                    assert_eq!(
                        release.is_some(),
                        stage == "post",
                        "{env}/{stage}: {}",
                        id(o)
                    );
                    assert!(o["spec"].get("ttlSecondsAfterFinished").is_none());
                }
                let protected = ann("argocd.argoproj.io/sync-options")
                    .is_some_and(|s| s.contains("Prune=false"));
                assert_eq!(
                    ann(FLUX_PRUNE) == Some("disabled"),
                    protected,
                    "{env}: {} prune annotation",
                    id(o)
                );
            }
            assert!(
                high <= low,
                "{env}/{stage} holds an object Argo CD applies earlier"
            );
            high = objs.iter().map(argo_order).max().unwrap().max(high);
        }
        let stage_of = |want: &str| {
            staged
                .iter()
                .position(|(_, objs)| objs.iter().any(|o| kind(o) == want))
                .unwrap_or_else(|| panic!("{env}: no {want}"))
        };
        assert!(stage_of("KafkaTopic") < stage_of("KafkaConnector"), "{env}");
        let pre_jobs = &staged[0].1;
        assert!(
            pre_jobs.iter().any(|o| kind(o) == "Job"),
            "{env}: schema registration in pre"
        );
        assert!(
            staged.last().unwrap().1.iter().all(|o| kind(o) == "Job"),
            "{env}: post holds the acceptance tests"
        );

        // Nothing lost, nothing added: the same objects as the stream render.
        let mut cmd = Command::new(kbundle());
        cmd.current_dir(example())
            .arg("render")
            .arg(format!("overlays/{env}"));
        let plain = run(cmd);
        assert_ok(&plain, "render");
        let mut expected: BTreeMap<String, Value> = BTreeMap::new();
        for mut o in docs(&support::stdout(&plain)) {
            if kind(&o) == "Job" {
                o["spec"]
                    .as_object_mut()
                    .unwrap()
                    .remove("ttlSecondsAfterFinished");
            }
            assert!(expected.insert(id(&o), o).is_none());
        }
        let mut got: BTreeMap<String, Value> = BTreeMap::new();
        for (_, objs) in staged {
            for o in objs {
                assert!(got.insert(id(&o), without_flux(o)).is_none(), "duplicate");
            }
        }
        assert_eq!(
            got, expected,
            "{env}: staged objects differ from the render"
        );
    }
}

/// `--check` names every stale, missing and extra file, exits 1 and writes nothing; a render
/// repairs the tree (removing the extra file) and `--check` passes again.
pub fn check_catches_stale_missing_and_extra_files() {
    let tmp = tempfile::tempdir().unwrap();
    assert_ok(&render_flux("dev", tmp.path(), false), "render --flux");
    let dir = tmp.path().join("dev");
    let stale = dir.join("main/orders.kafkatopic.yaml");
    let text = std::fs::read_to_string(&stale).unwrap();
    std::fs::write(&stale, text.replace("partitions: 6", "partitions: 7")).unwrap();
    std::fs::remove_file(dir.join("post/orders.job.yaml")).unwrap();
    std::fs::write(dir.join("main/old.kafkatopic.yaml"), "{}\n").unwrap();
    std::fs::write(dir.join("README.md"), "kept\n").unwrap();
    let before = snapshot(tmp.path());

    let res = render_flux("dev", tmp.path(), true);
    assert_failed(&res, "--check on a stale tree");
    assert_eq!(res.status.code(), Some(1));
    let err = stderr(&res);
    for (file, what) in [
        ("main/orders.kafkatopic.yaml", "is stale"),
        ("post/orders.job.yaml", "is missing"),
        ("main/old.kafkatopic.yaml", "is extra"),
    ] {
        assert!(
            err.lines()
                .any(|l| l.contains("KB192") && l.contains(file) && l.contains(what)),
            "{file} {what}:\n{err}"
        );
    }
    assert_eq!(err.matches("KB192").count(), 3, "{err}");
    assert_eq!(snapshot(tmp.path()), before, "--check wrote");

    assert_ok(&render_flux("dev", tmp.path(), false), "render repairs");
    assert!(!dir.join("main/old.kafkatopic.yaml").exists());
    assert!(
        dir.join("README.md").exists(),
        "a non-YAML file is left alone"
    );
    assert_ok(
        &render_flux("dev", tmp.path(), true),
        "--check after render",
    );
    let again = snapshot(tmp.path());
    assert_ok(&render_flux("dev", tmp.path(), false), "second render");
    assert_eq!(snapshot(tmp.path()), again, "idempotent");
}

/// Without `spec.flux` the render fails with KB190 and writes nothing; `check --flux` is a usage
/// error.
pub fn missing_flux_settings_fail_cleanly() {
    let tmp = tempfile::tempdir().unwrap();
    let env = support::root().join("examples/quickstart/environment.yaml");
    let mut cmd = Command::new(kbundle());
    cmd.current_dir(support::root().join("examples/quickstart"))
        .args(["render", "--flux", "."])
        .arg("--out")
        .arg(tmp.path());
    let res = run(cmd);
    assert_eq!(res.status.code(), Some(1), "{}", stderr(&res));
    assert!(stderr(&res).contains("KB190"), "{}", stderr(&res));
    assert!(res.stdout.is_empty());
    assert!(snapshot(tmp.path()).is_empty(), "nothing written");
    assert!(env.is_file());

    let mut cmd = Command::new(kbundle());
    cmd.args(["check", "--flux", "--out"])
        .arg(tmp.path())
        .arg(&env);
    assert_eq!(run(cmd).status.code(), Some(2));
}

/// Every Flux Kustomization kbundle writes is valid against the vendored Flux CRD (v1,
/// kustomize-controller v1.9.4).
pub fn flux_kustomizations_validate_against_the_crd() {
    let Some(vendor) = support::vendor() else {
        return;
    };
    let crds = support::crds::Crds::load_files(
        &vendor.join("flux"),
        &["kustomize.toolkit.fluxcd.io_kustomizations.yaml"],
    );
    let mut n = 0;
    for env in ENVS {
        let text =
            std::fs::read_to_string(example().join(format!("flux/{env}/flux-kustomizations.yaml")))
                .unwrap();
        for k in docs(&text) {
            crds.assert_valid(&k, &format!("flux/{env}"));
            n += 1;
        }
    }
    assert!(n >= ENVS.len() * 3, "{n} Kustomizations");
    // The validator can fail: a duration the CRD's pattern refuses.
    let mut bad = docs(
        &std::fs::read_to_string(example().join("flux/dev/flux-kustomizations.yaml")).unwrap(),
    )
    .remove(0);
    bad["spec"]["timeout"] = "5 minutes".into();
    assert!(!crds.problems(&bad).is_empty());
}

/// Each stage (and the Environment's root, the Flux Kustomizations) builds with the real
/// standalone kustomize, giving exactly the objects of its files.
pub fn every_stage_builds_with_kustomize() {
    let Some(bin) = live::kustomize() else {
        return;
    };
    for env in ENVS {
        let env_dir = example().join("flux").join(env);
        let mut dirs: Vec<(String, Vec<Value>)> = stages(&env_dir);
        dirs.push((
            ".".into(),
            docs(&std::fs::read_to_string(env_dir.join("flux-kustomizations.yaml")).unwrap()),
        ));
        for (stage, objs) in dirs {
            let out = run({
                let mut c = Command::new(&bin);
                c.arg("build").arg(env_dir.join(&stage));
                c
            });
            assert_ok(&out, &format!("kustomize build flux/{env}/{stage}"));
            let mut built = docs(&support::stdout(&out));
            let mut objs = objs;
            let key = |v: &Value| id(v);
            built.sort_by_key(key);
            objs.sort_by_key(key);
            assert_eq!(built, objs, "flux/{env}/{stage}: kustomize build differs");
        }
    }
}

/// The Flux CLI: `$KBUNDLE_FLUX_BIN`, else the one scripts/live/install-flux.sh built into the
/// cache. Opt-in (never required by KBUNDLE_REQUIRE_LIVE, not installed by .ci/run): its cold
/// build from the Go module proxy takes about 9 minutes here, over the 5-minute budget.
fn flux_cli() -> Option<PathBuf> {
    let bin = std::env::var_os("KBUNDLE_FLUX_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| live::cache_dir().join("flux-v2.9.5/flux"));
    bin.is_file().then_some(bin)
}

/// `flux build kustomization <name> --path <stage> --kustomization-file <its object> --dry-run`
/// on every stage gives the objects of the stage's files, plus only the two labels Flux stamps.
pub fn flux_build_gives_the_same_objects() {
    let Some(bin) = flux_cli() else {
        support::skip(
            "no Flux CLI (run scripts/live/install-flux.sh, about 9 minutes cold, or set \
             KBUNDLE_FLUX_BIN)"
                .into(),
        );
    };
    let tmp = tempfile::tempdir().unwrap();
    let mut n = 0;
    for env in ENVS {
        let env_dir = example().join("flux").join(env);
        let flux =
            docs(&std::fs::read_to_string(env_dir.join("flux-kustomizations.yaml")).unwrap());
        for (k, (stage, objs)) in flux.iter().zip(stages(&env_dir)) {
            let name = k["metadata"]["name"].as_str().unwrap();
            let file = tmp.path().join(format!("{name}.yaml"));
            std::fs::write(&file, serde_json::to_string(k).unwrap()).unwrap();
            let mut cmd = Command::new(&bin);
            cmd.args(["build", "kustomization", name, "--dry-run", "--path"])
                .arg(env_dir.join(&stage))
                .arg("--kustomization-file")
                .arg(&file);
            let out = run(cmd);
            assert_ok(&out, &format!("flux build kustomization {name}"));
            let mut built: Vec<Value> = docs(&support::stdout(&out))
                .into_iter()
                .map(|mut o| {
                    let labels = o["metadata"]["labels"].as_object_mut().unwrap();
                    assert_eq!(
                        labels.remove("kustomize.toolkit.fluxcd.io/name"),
                        Some(name.into())
                    );
                    assert_eq!(
                        labels.remove("kustomize.toolkit.fluxcd.io/namespace"),
                        Some("flux-system".into())
                    );
                    o
                })
                .collect();
            let mut objs = objs;
            built.sort_by_key(id);
            objs.sort_by_key(id);
            assert_eq!(built, objs, "flux build {env}/{stage} differs");
            n += 1;
        }
    }
    assert!(n >= 9, "{n} stages built");
}

register!(
    committed_example_is_current,
    stages_follow_the_argocd_order_and_lose_nothing,
    check_catches_stale_missing_and_extra_files,
    missing_flux_settings_fail_cleanly,
    flux_kustomizations_validate_against_the_crd,
    every_stage_builds_with_kustomize,
    flux_build_gives_the_same_objects,
);
