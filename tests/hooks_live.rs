//! The hook Jobs' scripts run for real, taken from the binary's rendered output (the example
//! GitOps repository, prod overlay): `/bin/sh` and `curl`, as the hook image
//! (curlimages/curl) has them, with the Job's environment (Secret references replaced by dummy
//! values here) and its ConfigMap's files.
//!
//! - Schema registration against a stand-in Confluent Schema Registry (`live/registry.rs`: the
//!   documented calls, bodies and status codes; basic auth required): a new subject is
//!   registered at the bundle's compatibility level; a re-run changes nothing; a compatible
//!   evolution adds a version; an incompatible one fails the script with the registry's message
//!   and registers nothing; bad credentials fail.
//! - ksql migrations against a stand-in `ksql-migrations` that keeps its applied versions in a
//!   state directory and logs its calls (tests/hooks.rs checks the script's branches; here it is
//!   the rendered Job, run twice): the first run initializes and applies every file in version
//!   order, the second applies nothing.
//!
//! The Job's mount paths (`/kbundle`, `/tmp`) are moved into a temporary directory by rewriting
//! those paths in the script text (no container can run here); the test asserts the script
//! holds them, so the rewrite is never a no-op.

#[path = "live/registry.rs"]
mod registry;
mod support;

use registry::Registry;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

const USER: &str = "kbundle-hooks";
const PASSWORD: &str = "dummy:pa$$ word";

fn have_curl() -> bool {
    let ok = Command::new("curl")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        let why = "curl is not installed (the hook image's tool; apt-get install curl)";
        if std::env::var("KBUNDLE_REQUIRE_LIVE").as_deref() == Ok("1") {
            panic!("KBUNDLE_REQUIRE_LIVE=1 and {why}");
        }
        eprintln!("SKIPPED: {why}");
    }
    ok
}

fn render() -> Vec<Value> {
    let mut cmd = Command::new(support::kbundle());
    cmd.current_dir(support::root()).args([
        "render",
        "examples/gitops/base",
        "examples/gitops/overlays/prod/environment.yaml",
    ]);
    let out = support::run(cmd);
    support::assert_ok(&out, "kbundle render");
    support::docs(&support::stdout(&out))
}

/// A rendered hook: its script, environment, and mounted files.
struct Hook {
    name: String,
    script: String,
    env: BTreeMap<String, String>,
    mount: String,
    files: BTreeMap<String, String>,
}

fn hooks(rendered: &[Value], name_part: &str) -> Vec<Hook> {
    let cms: BTreeMap<&str, &Value> = rendered
        .iter()
        .filter(|d| support::kind(d) == "ConfigMap")
        .map(|d| (support::s(d, "/metadata/name").expect("name"), d))
        .collect();
    let mut out = Vec::new();
    for job in rendered.iter().filter(|d| support::kind(d) == "Job") {
        let name = support::s(job, "/metadata/name").expect("name");
        if !name.contains(name_part) {
            continue;
        }
        let pod = &job["spec"]["template"]["spec"];
        let c = &pod["containers"][0];
        assert_eq!(c["command"][0], "/bin/sh", "{name}");
        assert_eq!(c["command"][1], "-c", "{name}");
        let script = c["command"][2].as_str().expect("script").to_string();
        let mut env = BTreeMap::new();
        for e in c["env"].as_array().into_iter().flatten() {
            let key = e["name"].as_str().expect("name").to_string();
            let value = match e["value"].as_str() {
                Some(v) => v.to_string(),
                None => {
                    // A Secret reference: the cluster's value, a dummy here.
                    let key_ref = e["valueFrom"]["secretKeyRef"]["key"]
                        .as_str()
                        .expect("secret key");
                    if key_ref == "password" {
                        PASSWORD
                    } else {
                        USER
                    }
                    .to_string()
                }
            };
            env.insert(key, value);
        }
        let volume = pod["volumes"]
            .as_array()
            .expect("volumes")
            .iter()
            .find(|v| v.get("configMap").is_some())
            .expect("a ConfigMap volume");
        let cm = cms[volume["configMap"]["name"].as_str().expect("cm name")];
        let mount = c["volumeMounts"]
            .as_array()
            .expect("mounts")
            .iter()
            .find(|m| m["name"] == volume["name"])
            .and_then(|m| m["mountPath"].as_str())
            .expect("mount path")
            .to_string();
        let files = cm["data"]
            .as_object()
            .expect("data")
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().expect("text").to_string()))
            .collect();
        out.push(Hook {
            name: name.to_string(),
            script,
            env,
            mount,
            files,
        });
    }
    out
}

struct Run {
    ok: bool,
    stdout: String,
    stderr: String,
}

/// Runs the hook's script with its mount and `/tmp` under `work`; `env` overrides.
fn run(h: &Hook, work: &Path, env: &[(&str, &str)], path_prefix: Option<&Path>) -> Run {
    let mount = work.join("mount");
    let tmp = work.join("tmp");
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&mount).expect("mkdir");
    std::fs::create_dir_all(&tmp).expect("mkdir");
    for (k, v) in &h.files {
        std::fs::write(mount.join(k), v).expect("write");
    }
    assert!(
        h.script.contains(&h.mount) && h.script.contains("/tmp/"),
        "{}",
        h.script
    );
    // /tmp first: the work directory itself may be under /tmp.
    let script = h
        .script
        .replace("/tmp/", &format!("{}/", tmp.display()))
        .replace(&h.mount, &mount.display().to_string());
    let mut cmd = Command::new("/bin/sh");
    cmd.arg("-c").arg(&script).env_clear();
    let path = std::env::var("PATH").unwrap_or_default();
    let path = match path_prefix {
        Some(p) => format!("{}:{path}", p.display()),
        None => path,
    };
    cmd.env("PATH", path);
    for (k, v) in &h.env {
        cmd.env(k, v);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = support::run(cmd);
    Run {
        ok: out.status.success(),
        stdout: support::stdout(&out),
        stderr: support::stderr(&out),
    }
}

fn canonical(s: &str) -> String {
    serde_json::from_str::<Value>(s).expect("json").to_string()
}

#[test]
fn schema_hooks_register_once_and_fail_on_an_incompatible_schema_with_the_registrys_message() {
    if !have_curl() {
        return;
    }
    let rendered = render();
    let hooks = hooks(&rendered, "-schema-");
    assert_eq!(
        hooks.len(),
        3,
        "{:?}",
        hooks.iter().map(|h| &h.name).collect::<Vec<_>>()
    );
    let t = tempfile::tempdir().expect("tempdir");

    // A fresh registry: every subject is new, registered at the bundle's level.
    let reg = Registry::start(Some((USER, PASSWORD)));
    for h in &hooks {
        let r = run(h, t.path(), &[("SR_URL", &reg.url)], None);
        assert!(r.ok, "{}: {}{}", h.name, r.stdout, r.stderr);
        assert!(
            r.stdout.contains("is new") && r.stdout.contains("registered"),
            "{}",
            r.stdout
        );
    }
    let after_first = reg.snapshot();
    for h in &hooks {
        let subject = &h.env["SUBJECT"];
        let versions = &after_first.subjects[subject];
        assert_eq!(versions.len(), 1, "{subject}");
        assert_eq!(
            versions[0].1,
            canonical(&h.files["schema.avsc"]),
            "{subject}"
        );
        let level: Value = serde_json::from_str(&h.files["compatibility.json"]).expect("json");
        assert_eq!(
            after_first.config[subject],
            level["compatibility"].as_str().expect("level")
        );
    }

    // A re-run changes nothing: no registration call, same versions and ids.
    let calls_before = after_first.log.len();
    for h in &hooks {
        let r = run(h, t.path(), &[("SR_URL", &reg.url)], None);
        assert!(r.ok, "{}: {}{}", h.name, r.stdout, r.stderr);
        assert!(r.stdout.contains("already has this schema"), "{}", r.stdout);
    }
    let after_second = reg.snapshot();
    assert_eq!(after_second.subjects, after_first.subjects);
    let second_calls = &after_second.log[calls_before..];
    assert!(
        second_calls.iter().all(|c| !c.ends_with("/versions")),
        "{second_calls:?}"
    );
    drop(reg);

    let value = hooks
        .iter()
        .find(|h| h.env["SUBJECT"] == "orders.created.v1-value")
        .expect("the orders value schema hook");
    let history = std::fs::read_to_string(
        support::root().join("examples/gitops/base/orders/schemas/history/order-created.1.avsc"),
    )
    .expect("history");

    // A compatible evolution (version 1 in the registry, the bundle's version 2 adds a field
    // with a default) becomes version 2.
    let reg = Registry::start(Some((USER, PASSWORD)));
    reg.preload("orders.created.v1-value", &history);
    let r = run(value, t.path(), &[("SR_URL", &reg.url)], None);
    assert!(r.ok, "{}{}", r.stdout, r.stderr);
    assert_eq!(reg.snapshot().subjects["orders.created.v1-value"].len(), 2);
    drop(reg);

    // An incompatible one (the registered version has `amount` as a string) fails with the
    // registry's own message, and registers nothing.
    let reg = Registry::start(Some((USER, PASSWORD)));
    let clash = history.replace(
        r#"{"name": "amount", "type": "long"}"#,
        r#"{"name": "amount", "type": "string"}"#,
    );
    assert_ne!(clash, history);
    reg.preload("orders.created.v1-value", &clash);
    let r = run(value, t.path(), &[("SR_URL", &reg.url)], None);
    assert!(!r.ok, "{}", r.stdout);
    assert!(r.stderr.contains("is not compatible"), "{}", r.stderr);
    assert!(
        r.stderr.contains("TYPE_MISMATCH") && r.stderr.contains("/fields/2/type"),
        "the registry's message: {}",
        r.stderr
    );
    let st = reg.snapshot();
    assert_eq!(st.subjects["orders.created.v1-value"].len(), 1);
    assert!(
        st.log.iter().all(|c| !c.ends_with("/versions")),
        "{:?}",
        st.log
    );

    // Wrong credentials: the first call fails, nothing is changed.
    let r = run(
        value,
        t.path(),
        &[("SR_URL", &reg.url), ("SR_PASSWORD", "wrong")],
        None,
    );
    assert!(!r.ok);
    assert!(r.stderr.contains("HTTP 401"), "{}", r.stderr);
    assert_eq!(reg.snapshot().subjects["orders.created.v1-value"].len(), 1);
}

/// A stand-in `ksql-migrations` (the ksqlDB migrations tool's commands as the script uses
/// them, https://docs.ksqldb.io/en/latest/operate-and-deploy/migrations-tool/): `info` fails
/// with the tool's "Failed to verify existence of migrations metadata" until
/// `initialize-metadata` ran; `apply --all` applies, in version order, every
/// `migrations/V*.sql` next to the config file not applied before. State and a call log live in
/// `state`.
fn fake_ksql_migrations(bin: &Path, state: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(bin).expect("mkdir");
    std::fs::create_dir_all(state).expect("mkdir");
    let script = format!(
        r#"#!/bin/sh
set -eu
state={state}
echo "$*" >> "$state/calls"
[ "$1" = --config-file ] || {{ echo "usage" >&2; exit 2; }}
config="$2"
grep -q '^ksql.server.url=' "$config" || {{ echo "no ksql.server.url in $config" >&2; exit 1; }}
case "$3" in
  info)
    if [ ! -e "$state/metadata" ]; then
      echo "Failed to verify existence of migrations metadata stream 'MIGRATION_EVENTS'."; exit 1
    fi
    cat "$state/applied" 2>/dev/null || true ;;
  initialize-metadata) touch "$state/metadata" ;;
  apply)
    [ -e "$state/metadata" ] || {{ echo "metadata missing" >&2; exit 1; }}
    for f in $(ls "$(dirname "$config")/migrations" | sort); do
      if ! grep -qx "$f" "$state/applied" 2>/dev/null; then
        echo "$f" >> "$state/applied"
        echo "applied $f" >> "$state/calls"
      fi
    done ;;
  *) echo "unknown command $3" >&2; exit 2 ;;
esac
"#,
        state = state.display()
    );
    let path = bin.join("ksql-migrations");
    std::fs::write(&path, script).expect("write");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

#[test]
fn the_rendered_ksql_migration_job_applies_each_migration_once() {
    let rendered = render();
    let hooks = hooks(&rendered, "-ksql-");
    assert_eq!(
        hooks.len(),
        1,
        "{:?}",
        hooks.iter().map(|h| &h.name).collect::<Vec<_>>()
    );
    let h = &hooks[0];
    let mut migrations: Vec<&String> = h.files.keys().filter(|k| k.starts_with('V')).collect();
    migrations.sort();
    assert!(migrations.len() >= 2, "{migrations:?}");
    let t = tempfile::tempdir().expect("tempdir");
    let (bin, state) = (t.path().join("bin"), t.path().join("state"));
    fake_ksql_migrations(&bin, &state);

    let first = run(h, t.path(), &[], Some(&bin));
    assert!(first.ok, "{}{}", first.stdout, first.stderr);
    let calls = std::fs::read_to_string(state.join("calls")).expect("calls");
    let commands: Vec<String> = calls
        .lines()
        .map(|l| l.split_whitespace().skip(2).collect::<Vec<_>>().join(" "))
        .collect();
    let mut want = vec![
        "info".to_string(),
        "initialize-metadata".into(),
        "apply --all".into(),
    ];
    want.extend(migrations.iter().map(|m| String::new() + m));
    want.push("info".into());
    // `applied <file>` lines have no config-file prefix: they keep their text after skip(2).
    let commands: Vec<String> = commands
        .into_iter()
        .zip(calls.lines())
        .map(|(c, l)| l.strip_prefix("applied ").map_or(c, str::to_string))
        .collect();
    assert_eq!(commands, want, "{calls}");
    // The properties file the Job wrote: the URL from the Job, the credentials from the Secret.
    let config =
        std::fs::read_to_string(t.path().join("tmp/kbundle-ksql/ksql-migrations.properties"))
            .expect("properties");
    assert!(
        config.contains(&format!("ksql.server.url={}\n", h.env["KSQL_URL"])),
        "{config}"
    );
    assert!(
        config.contains(&format!("ksql.auth.basic.username={USER}\n")),
        "{config}"
    );

    // Second sync: metadata found, nothing applied again.
    let second = run(h, t.path(), &[], Some(&bin));
    assert!(second.ok, "{}{}", second.stdout, second.stderr);
    let calls2 = std::fs::read_to_string(state.join("calls")).expect("calls");
    let new: Vec<&str> = calls2.lines().skip(calls.lines().count()).collect();
    assert_eq!(new.len(), 3, "{new:?}");
    assert!(
        new.iter()
            .all(|c| !c.starts_with("applied") && !c.contains("initialize")),
        "{new:?}"
    );
    let applied = std::fs::read_to_string(state.join("applied")).expect("applied");
    assert_eq!(applied.lines().collect::<Vec<_>>(), migrations);
}
