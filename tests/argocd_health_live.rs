//! The Argo CD health checks for CFK kinds (deploy/argocd/argocd-cm-cfk-health.yaml), run for
//! real with gopher-lua — the Lua 5.1 interpreter Argo CD embeds — through tests/live/luahealth
//! (built by scripts/live/lua-health.sh; without it the tests skip, with
//! `KBUNDLE_REQUIRE_LIVE=1` they fail). Each kind is checked against status examples of every
//! state: created, failed, pending (no status yet, Unknown), stale (CFK has not seen the latest
//! generation) and deleting.

mod support;

use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::Command;

const KINDS: [&str; 3] = ["KafkaTopic", "Schema", "ConfluentRolebinding"];
const PATCH: &str = "deploy/argocd/argocd-cm-cfk-health.yaml";

fn runner() -> Option<PathBuf> {
    let bin = std::env::var_os("KBUNDLE_LUAHEALTH")
        .map(PathBuf::from)
        .unwrap_or_else(|| support::live::cache_dir().join("go/bin/luahealth"));
    if bin.exists() {
        Some(bin)
    } else {
        support::live::unavailable(&format!(
            "no gopher-lua runner at {} (run scripts/live/lua-health.sh)",
            bin.display()
        ))
    }
}

/// The scripts as shipped in the argocd-cm patch, by kind.
fn scripts() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(support::root().join(PATCH)).expect("patch file");
    let docs = support::docs(&text);
    assert_eq!(docs.len(), 1, "{PATCH}: one ConfigMap");
    assert_eq!(docs[0]["metadata"]["name"], "argocd-cm");
    let data = docs[0]["data"].as_object().expect("data");
    assert_eq!(data.len(), KINDS.len(), "{PATCH}: {:?}", data.keys());
    KINDS
        .iter()
        .map(|k| {
            let key = format!("resource.customizations.health.platform.confluent.io_{k}");
            let script = data[&key].as_str().expect("script").to_string();
            (k.to_string(), script)
        })
        .collect()
}

fn health(bin: &PathBuf, script: &str, obj: &Value) -> (String, String) {
    let dir = std::env::temp_dir().join(format!("kbundle-luahealth-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let (s, o) = (dir.join("health.lua"), dir.join("obj.json"));
    std::fs::write(&s, script).expect("write script");
    std::fs::write(&o, obj.to_string()).expect("write object");
    let out = Command::new(bin)
        .arg(&s)
        .arg(&o)
        .output()
        .expect("run luahealth");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        out.status.success(),
        "luahealth failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    (
        v["status"].as_str().unwrap_or_default().to_string(),
        v["message"].as_str().unwrap_or_default().to_string(),
    )
}

fn object(kind: &str, metadata: Value, status: Option<Value>) -> Value {
    let mut o = json!({
        "apiVersion": "platform.confluent.io/v1beta1", "kind": kind,
        "metadata": metadata, "spec": {},
    });
    if let Some(s) = status {
        o["status"] = s;
    }
    o
}

#[test]
fn shipped_scripts_equal_the_lua_files() {
    for (kind, script) in scripts() {
        let file = support::root().join(format!("deploy/argocd/cfk-health/{kind}.lua"));
        let text = std::fs::read_to_string(&file).expect("lua file");
        assert_eq!(script, text, "{PATCH} and {} differ", file.display());
    }
}

#[test]
fn every_state_of_every_kind() {
    let Some(bin) = runner() else { return };
    let meta = json!({"name": "x", "namespace": "confluent", "generation": 3});
    let mut checked = 0;
    for (kind, script) in scripts() {
        let cases: Vec<(&str, Value, &str, &str)> = vec![
            (
                "created",
                object(
                    kind.as_str(),
                    meta.clone(),
                    Some(
                        json!({"appState": "Created", "state": "CREATED", "observedGeneration": 3}),
                    ),
                ),
                "Healthy",
                "created",
            ),
            (
                "failed",
                object(
                    kind.as_str(),
                    meta.clone(),
                    Some(json!({
                        "appState": "Failed", "observedGeneration": 3,
                        "conditions": [
                            {"type": "platform.confluent.io/resource-ready", "status": "True", "message": "ok"},
                            {"type": "platform.confluent.io/app-ready", "status": "False", "message": "401 Unauthorized from the REST endpoint"},
                        ],
                    })),
                ),
                "Degraded",
                "401 Unauthorized from the REST endpoint",
            ),
            (
                "error state",
                object(kind.as_str(), meta.clone(), Some(json!({"state": "ERROR"}))),
                "Degraded",
                "CFK could not apply",
            ),
            (
                "pending, no status",
                object(kind.as_str(), meta.clone(), None),
                "Progressing",
                "Waiting for CFK",
            ),
            (
                "pending, unknown",
                object(
                    kind.as_str(),
                    meta.clone(),
                    Some(json!({"appState": "Unknown"})),
                ),
                "Progressing",
                "Waiting for CFK",
            ),
            (
                "stale generation",
                object(
                    kind.as_str(),
                    meta.clone(),
                    Some(json!({"appState": "Created", "observedGeneration": 2})),
                ),
                "Progressing",
                "Waiting for CFK",
            ),
            (
                "deleting",
                object(
                    kind.as_str(),
                    json!({"name": "x", "deletionTimestamp": "2026-01-01T00:00:00Z", "finalizers": ["kafkatopic.finalizers.platform.confluent.io"]}),
                    Some(json!({"appState": "Created"})),
                ),
                "Progressing",
                "blocked by finalizers: kafkatopic.finalizers.platform.confluent.io",
            ),
        ];
        for (name, obj, status, message) in cases {
            let (got_status, got_message) = health(&bin, &script, &obj);
            assert_eq!(got_status, status, "{kind} {name}: {got_message}");
            assert!(
                got_message.contains(message),
                "{kind} {name}: message {got_message:?} lacks {message:?}"
            );
            checked += 1;
        }
    }
    println!("{checked} health checks run with gopher-lua");
}
