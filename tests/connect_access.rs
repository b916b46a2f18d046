//! Connectors as their own principals, end to end through the binary: the rendered Role names
//! exactly the Secrets the KafkaConnectors' overrides read, the RoleBinding binds the
//! Environment's service account, and each connector's KafkaUser holds the ACLs of its type.

use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn render(case: &str) -> Vec<Value> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(case);
    let out = Command::new(env!("CARGO_BIN_EXE_kbundle"))
        .current_dir(&dir)
        .args(["render", "input"])
        .output()
        .expect("run kbundle");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("utf-8");
    kbundle::yaml::parse_stream(&text)
        .expect("yaml")
        .into_iter()
        .map(|d| d.value)
        .collect()
}

fn of_kind<'a>(objs: &'a [Value], kind: &str) -> Vec<&'a Value> {
    objs.iter().filter(|o| o["kind"] == kind).collect()
}

/// `${secrets:<ns>/<name>:<key>}` → (ns, name, key).
fn secret_ref(v: &str) -> (String, String, String) {
    let inner = v
        .strip_prefix("${secrets:")
        .and_then(|r| r.strip_suffix('}'))
        .unwrap_or_else(|| panic!("not a secrets reference: {v}"));
    let (ns, rest) = inner.split_once('/').expect("namespace");
    let (name, key) = rest.split_once(':').expect("key");
    (ns.into(), name.into(), key.into())
}

fn acls(user: &Value) -> Vec<(String, String, Vec<String>)> {
    user["spec"]["authorization"]["acls"]
        .as_array()
        .expect("acls")
        .iter()
        .map(|a| {
            let ops = a["operations"]
                .as_array()
                .expect("ops")
                .iter()
                .map(|o| o.as_str().expect("op").to_string())
                .collect();
            (
                a["resource"]["type"].as_str().expect("type").to_string(),
                a["resource"]["name"].as_str().unwrap_or("").to_string(),
                ops,
            )
        })
        .collect()
}

#[test]
fn role_names_exactly_the_secrets_the_overrides_read() {
    let objs = render("testdata/connectors/own-principal");
    let role = of_kind(&objs, "Role");
    let binding = of_kind(&objs, "RoleBinding");
    assert_eq!((role.len(), binding.len()), (1, 1));
    let rules = role[0]["rules"].as_array().expect("rules");
    assert_eq!(rules.len(), 1);
    assert_eq!(rules[0]["verbs"], serde_json::json!(["get"]));
    assert_eq!(rules[0]["resources"], serde_json::json!(["secrets"]));
    let mut allowed: Vec<&str> = rules[0]["resourceNames"]
        .as_array()
        .expect("names")
        .iter()
        .map(|n| n.as_str().expect("name"))
        .collect();
    allowed.sort();
    let mut read = Vec::new();
    for c in of_kind(&objs, "KafkaConnector") {
        let config = c["spec"]["config"].as_object().expect("config");
        let refs: Vec<_> = config
            .iter()
            .filter(|(k, _)| k.ends_with(".override.sasl.jaas.config"))
            .map(|(_, v)| secret_ref(v.as_str().expect("string")))
            .collect();
        assert!(!refs.is_empty(), "no override in {c}");
        for (ns, name, key) in refs {
            assert_eq!(ns, c["metadata"]["namespace"].as_str().expect("ns"));
            assert_eq!(key, "sasl.jaas.config");
            assert_eq!(
                name,
                format!("connect-{}", c["metadata"]["name"].as_str().expect("n"))
            );
            read.push(name);
        }
    }
    read.sort();
    read.dedup();
    assert_eq!(allowed, read, "Role names exactly the Secrets read");
    assert_eq!(binding[0]["roleRef"]["name"], role[0]["metadata"]["name"]);
    assert_eq!(binding[0]["subjects"][0]["name"], "connect-connect");
    // Each Secret is the one Strimzi writes for a SCRAM KafkaUser of that name.
    let users = of_kind(&objs, "KafkaUser");
    for name in &read {
        let u = users
            .iter()
            .find(|u| u["metadata"]["name"] == name.as_str())
            .unwrap_or_else(|| panic!("no KafkaUser {name}"));
        assert_eq!(u["spec"]["authentication"]["type"], "scram-sha-512");
    }
}

#[test]
fn sink_and_source_principals_get_their_types_acls() {
    let objs = render("testdata/connectors/own-principal");
    let users = of_kind(&objs, "KafkaUser");
    let user = |n: &str| {
        *users
            .iter()
            .find(|u| u["metadata"]["name"] == n)
            .unwrap_or_else(|| panic!("no KafkaUser {n}"))
    };
    let ops = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let sink = acls(user("connect-orders-warehouse"));
    assert!(sink.contains(&(
        "topic".into(),
        "orders.created.v1".into(),
        ops(&["Read", "Describe"])
    )));
    assert!(sink.contains(&(
        "topic".into(),
        "orders.dlq.v1".into(),
        ops(&["Write", "Describe"])
    )));
    assert!(sink.contains(&(
        "group".into(),
        "connect-orders-warehouse".into(),
        ops(&["Read"])
    )));
    assert_eq!(sink.len(), 3, "nothing more: {sink:?}");
    let source = acls(user("connect-orders-cdc"));
    assert_eq!(
        source,
        vec![(
            "topic".into(),
            "orders.cdc.v1".into(),
            ops(&["Write", "Describe"])
        )]
    );
}
