//! examples/gitops rendered for prod (`policy.access: grants-only`): team-payments' bundle
//! grants team-orders' bundle read on `payments.settled.v1` and no write. On the broker,
//! orders' principal is refused writing that topic (TopicAuthorizationException) and reads it:
//! the ownership model holds where it matters, not only in kbundle's checks.

use super::scenarios::Env;
use super::support::{self, kind, s};
use serde_json::Value;
use std::collections::BTreeSet;
use std::process::Command;

const TOPIC: &str = "payments.settled.v1";

pub fn cross_team(env: &Env) {
    let mut cmd = Command::new(support::kbundle());
    cmd.current_dir(support::root()).args([
        "render",
        "examples/gitops/base",
        "examples/gitops/overlays/prod/environment.yaml",
    ]);
    let out = support::run(cmd);
    support::assert_ok(&out, "kbundle render examples/gitops (prod)");
    let rendered = support::docs(&support::stdout(&out));

    // Topics the landscape made already (orders.created.v1) are left as they are. prod's
    // min.insync.replicas (2) cannot be met by one broker: set to 1, as replicas are capped.
    let existing: BTreeSet<&str> = env
        .objects
        .iter()
        .filter(|o| kind(o) == "KafkaTopic")
        .filter_map(|o| s(o, "/spec/topicName"))
        .collect();
    let mut passwords = String::new();
    let mut docs = Vec::new();
    for mut o in rendered {
        match kind(&o) {
            "KafkaTopic" if !existing.contains(s(&o, "/spec/topicName").unwrap()) => {
                if let Some(c) = o.pointer_mut("/spec/config").and_then(Value::as_object_mut) {
                    c.insert("min.insync.replicas".into(), Value::from(1));
                }
                docs.push(o);
            }
            "KafkaUser" => {
                let name = s(&o, "/metadata/name").unwrap().to_string();
                assert_eq!(s(&o, "/spec/authentication/type"), Some("scram-sha-512"));
                passwords.push_str(&env.add_scram(&name));
                docs.push(o);
            }
            _ => {}
        }
    }
    let users: Vec<&str> = docs
        .iter()
        .filter(|o| kind(o) == "KafkaUser")
        .filter_map(|o| s(o, "/metadata/name"))
        .collect();
    assert!(
        users.contains(&"orders-service") && users.contains(&"payments-service"),
        "{users:?}"
    );
    let file = env.dir.join("gitops.yaml");
    let text: Vec<String> = docs.iter().map(Value::to_string).collect();
    std::fs::write(&file, text.join("\n---\n")).unwrap();
    let pw_file = env.dir.join("passwords-gitops.properties");
    std::fs::write(&pw_file, passwords).unwrap();
    let applied = env.apply(&file, &pw_file);
    assert!(applied.contains(&format!("TOPIC {TOPIC} ")), "{applied}");

    // The owner writes; the other team is refused by the broker, and reads what it was granted.
    env.ok("payments-service", &format!("produce:{TOPIC}:2:settled-"));
    env.denied(
        "orders-service",
        &[(
            &format!("produce:{TOPIC}:1:forged-"),
            "TopicAuthorizationException",
        )],
    );
    let (recs, detail) = env.ok(
        "orders-service",
        &format!("consume:{TOPIC}:orders-service:2"),
    );
    assert_eq!(recs.len(), 2, "{recs:?} {detail}");
    assert!(
        recs.iter()
            .all(|r| r.contains("settled-") && !r.contains("forged-")),
        "{recs:?}"
    );
    eprintln!(
        "live:   orders-service: write to {TOPIC} refused, read {} records",
        recs.len()
    );
}
