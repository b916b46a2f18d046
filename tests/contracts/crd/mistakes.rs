use super::*;

/// Negative control: the validator is strict; each of these mistakes is caught.
pub fn deliberate_mistakes_fail() {
    let Some(v) = vendor() else { return };
    v.v1.assert_valid(&topic(), "control topic");
    v.v1.assert_valid(&user(), "control user");
    v.v1.assert_valid(&connector(), "control connector");

    let mutate = |base: Value, pointer: &str, value: Option<Value>| {
        let mut o = base;
        let (parent, key) = pointer.rsplit_once('/').expect("pointer");
        let target = o
            .pointer_mut(parent)
            .expect("parent")
            .as_object_mut()
            .expect("object");
        match value {
            Some(val) => target.insert(key.replace("~1", "/"), val),
            None => target.remove(key),
        };
        o
    };
    let cases: Vec<(&str, Value)> = vec![
        (
            "misspelled spec field",
            mutate(topic(), "/spec/partitons", Some(json!(3))),
        ),
        (
            "unknown top-level field",
            mutate(topic(), "/extra", Some(json!(1))),
        ),
        (
            "unknown metadata field",
            mutate(topic(), "/metadata/lables", Some(json!({}))),
        ),
        (
            "partitions below minimum",
            mutate(topic(), "/spec/partitions", Some(json!(0))),
        ),
        (
            "replicas above maximum",
            mutate(topic(), "/spec/replicas", Some(json!(40000))),
        ),
        (
            "partitions as a string",
            mutate(topic(), "/spec/partitions", Some(json!("3"))),
        ),
        (
            "partitions as a fraction",
            mutate(topic(), "/spec/partitions", Some(json!(1.5))),
        ),
        ("spec missing", mutate(topic(), "/spec", None)),
        ("name missing", mutate(topic(), "/metadata/name", None)),
        (
            "name not DNS-1123",
            mutate(topic(), "/metadata/name", Some(json!("My_Topic"))),
        ),
        (
            "bad label value",
            mutate(
                topic(),
                "/metadata/labels/strimzi.io~1cluster",
                Some(json!("a b")),
            ),
        ),
        (
            "bad namespace",
            mutate(topic(), "/metadata/namespace", Some(json!("Kafka"))),
        ),
        (
            "v1 is not v1beta1",
            mutate(
                topic(),
                "/apiVersion",
                Some(json!("kafka.strimzi.io/v1beta1")),
            ),
        ),
        (
            "bad auth type",
            mutate(user(), "/spec/authentication/type", Some(json!("scram"))),
        ),
        (
            "auth misspelled",
            mutate(user(), "/spec/authentication/typ", Some(json!("tls"))),
        ),
        (
            "authorization without acls",
            mutate(user(), "/spec/authorization/acls", None),
        ),
        (
            "v1 has no singular operation",
            mutate(
                user(),
                "/spec/authorization/acls/0/operation",
                Some(json!("Read")),
            ),
        ),
        (
            "unknown ACL operation",
            mutate(
                user(),
                "/spec/authorization/acls/0/operations",
                Some(json!(["Produce"])),
            ),
        ),
        (
            "bad pattern type",
            mutate(
                user(),
                "/spec/authorization/acls/0/resource/patternType",
                Some(json!("prefixed")),
            ),
        ),
        (
            "ACL resource type misspelled",
            mutate(
                user(),
                "/spec/authorization/acls/0/resource/type",
                Some(json!("transactionalID")),
            ),
        ),
        (
            "negative quota",
            mutate(user(), "/spec/quotas/producerByteRate", Some(json!(-1))),
        ),
        (
            "quota misspelled",
            mutate(user(), "/spec/quotas/producerByteRates", Some(json!(1))),
        ),
        (
            "CEL: validityDays on a scram user",
            mutate(
                user(),
                "/spec/authentication",
                Some(json!({"type": "scram-sha-512", "validityDays": 30, "renewalDays": 10})),
            ),
        ),
        (
            "CEL: renewalDays alone",
            mutate(
                user(),
                "/spec/authentication",
                Some(json!({"type": "tls", "renewalDays": 10})),
            ),
        ),
        (
            "connector tasksMax 0",
            mutate(connector(), "/spec/tasksMax", Some(json!(0))),
        ),
        (
            "connector tasksMax as a string",
            mutate(connector(), "/spec/tasksMax", Some(json!("2"))),
        ),
        (
            "connector state capitalized",
            mutate(connector(), "/spec/state", Some(json!("Running"))),
        ),
        (
            "v1 connector has no pause",
            mutate(connector(), "/spec/pause", Some(json!(true))),
        ),
        (
            "connector spec misspelled",
            mutate(connector(), "/spec/taskMax", Some(json!(1))),
        ),
        (
            "connector config not a mapping",
            mutate(connector(), "/spec/config", Some(json!("topics=a"))),
        ),
        (
            "connector name not DNS-1123",
            mutate(connector(), "/metadata/name", Some(json!("Orders_Sink"))),
        ),
        (
            "CEL: renewal after expiry",
            mutate(
                user(),
                "/spec/authentication",
                Some(json!({"type": "tls", "validityDays": 10, "renewalDays": 30})),
            ),
        ),
    ];
    let mut missed = Vec::new();
    for (what, obj) in &cases {
        if v.v1.problems(obj).is_empty() {
            missed.push(*what);
        }
    }
    assert!(missed.is_empty(), "the validator accepted: {missed:?}");
    // The literal example from the brief, with the error it gives.
    let problems =
        v.v1.problems(&mutate(topic(), "/spec/partitons", Some(json!(3))));
    assert!(
        problems.iter().any(|p| p.contains("partitons")),
        "{problems:?}"
    );
    // tls with both days, renewal first, is fine.
    v.v1.assert_valid(
        &mutate(
            user(),
            "/spec/authentication",
            Some(json!({"type": "tls", "validityDays": 30, "renewalDays": 10})),
        ),
        "tls validity",
    );
    // v1beta2 still had the singular `operation` and `acls` entries without `operations`.
    let mut old = mutate(user(), "/spec/authorization/acls/0/operations", None);
    old = mutate(
        old,
        "/spec/authorization/acls/0/operation",
        Some(json!("Read")),
    );
    old["apiVersion"] = json!("kafka.strimzi.io/v1beta2");
    v.v051.assert_valid(&old, "v1beta2 singular operation");
    eprintln!("negative controls: {} mistakes caught", cases.len());
}

register!(deliberate_mistakes_fail);
