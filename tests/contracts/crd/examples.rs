use super::*;

// ---------------------------------------------------------------------------------------------
// tests
// ---------------------------------------------------------------------------------------------

pub fn quickstart_is_valid_strimzi_v1() {
    let Some(v) = vendor() else { return };
    let objs = render_items(
        read_dir_items(&support::root().join("examples/quickstart")),
        "quickstart",
    );
    // crds-0.51.0 serves v1 as well: the output works on both operator generations.
    assert_all(
        &objs,
        "kafka.strimzi.io/v1",
        &[&v.v1, &v.v051],
        "quickstart (v1)",
    );
}

pub fn quickstart_is_valid_strimzi_v1beta2() {
    let Some(v) = vendor() else { return };
    let items = with_strimzi_api(
        read_dir_items(&support::root().join("examples/quickstart")),
        "kafka.strimzi.io/v1beta2",
    );
    let objs = render_items(items, "quickstart v1beta2");
    assert_all(
        &objs,
        "kafka.strimzi.io/v1beta2",
        &[&v.v051],
        "quickstart (v1beta2)",
    );
    // The v1-only CRDs do not serve v1beta2: the API version switch is what makes it work.
    assert!(
        v.v1.problems(&objs[0])
            .iter()
            .any(|p| p.contains("not served"))
    );
}

pub fn every_feature_is_valid_strimzi_v1() {
    let Some(v) = vendor() else { return };
    let objs = render_items(full_items(), "full bundle");
    assert_full_coverage(&objs);
    assert_all(
        &objs,
        "kafka.strimzi.io/v1",
        &[&v.v1, &v.v051],
        "full bundle (v1)",
    );
}

pub fn every_feature_is_valid_strimzi_v1beta2() {
    let Some(v) = vendor() else { return };
    let objs = render_items(
        with_strimzi_api(full_items(), "kafka.strimzi.io/v1beta2"),
        "full bundle v1beta2",
    );
    assert_full_coverage(&objs);
    assert_all(
        &objs,
        "kafka.strimzi.io/v1beta2",
        &[&v.v051],
        "full bundle (v1beta2)",
    );
}

/// The CEL rules of the KafkaUser CRD concern `validityDays`/`renewalDays` of `tls` users;
/// kbundle never sets either, so they hold for every user it generates. This pins that down.
pub fn tls_validity_rules_are_irrelevant_to_generated_users() {
    let Some(v) = vendor() else { return };
    let rules: Vec<&CelRule> = v.v1.versions.iter().flat_map(|c| &c.rules).collect();
    assert_eq!(
        rules.len(),
        3,
        "the v1 KafkaUser CRD has three CEL rules: {rules:?}"
    );
    let objs = render_items(full_items(), "full bundle");
    for u in objs.iter().filter(|o| o["kind"] == "KafkaUser") {
        if let Some(auth) = u["spec"].get("authentication") {
            let keys: Vec<&String> = auth.as_object().expect("authentication").keys().collect();
            assert_eq!(keys, ["type"], "{u}");
            for r in &rules {
                assert!(eval_cel(&r.rule, auth), "{}: {}", r.rule, u);
            }
        }
    }
}

pub fn strimzi_example(v: &Vendor, rel: &str) -> Vec<Value> {
    let path = v.dir.join(rel);
    let text = std::fs::read_to_string(&path).expect("vendor example");
    kbundle::yaml::parse_stream(&text)
        .unwrap_or_else(|e| panic!("{}: {}", path.display(), e.message))
        .into_iter()
        .map(|d| d.value)
        .filter(|o| {
            o["kind"]
                .as_str()
                .is_some_and(|k| STRIMZI_KINDS.contains(&k))
        })
        .collect()
}

/// Positive control: Strimzi's own examples pass the converted (strict) schemas.
pub fn vendor_examples_pass() {
    let Some(v) = vendor() else { return };
    let mut n = 0;
    for rel in [
        "examples/kafka-topic.yaml",
        "examples/kafka-user.yaml",
        "examples/security_scram-sha-512-auth_topic.yaml",
        "examples/security_scram-sha-512-auth_user.yaml",
        "examples/security_tls-auth_topic.yaml",
        "examples/security_tls-auth_user.yaml",
        "examples/source-connector.yaml",
    ] {
        for o in strimzi_example(&v, rel) {
            v.v1.assert_valid(&o, rel);
            v.v051.assert_valid(&o, rel);
            n += 1;
        }
    }
    for rel in [
        "examples-v1beta2-0.48.0/kafka-topic.yaml",
        "examples-v1beta2-0.48.0/kafka-user.yaml",
        "examples-v1beta2-0.48.0/source-connector.yaml",
    ] {
        for o in strimzi_example(&v, rel) {
            assert_eq!(o["apiVersion"], "kafka.strimzi.io/v1beta2");
            v.v051.assert_valid(&o, rel);
            n += 1;
        }
    }
    assert!(n >= 10, "only {n} vendor examples found");
    eprintln!("vendor examples: {n} objects valid");
}

pub fn topic() -> Value {
    json!({
        "apiVersion": "kafka.strimzi.io/v1",
        "kind": "KafkaTopic",
        "metadata": {"name": "t", "labels": {"strimzi.io/cluster": "kafka"}},
        "spec": {"topicName": "t", "partitions": 3, "replicas": 3, "config": {"retention.ms": 1}}
    })
}

pub fn user() -> Value {
    json!({
        "apiVersion": "kafka.strimzi.io/v1",
        "kind": "KafkaUser",
        "metadata": {"name": "u", "labels": {"strimzi.io/cluster": "kafka"}},
        "spec": {
            "authentication": {"type": "tls"},
            "authorization": {"type": "simple", "acls": [
                {"resource": {"type": "topic", "name": "t", "patternType": "literal"},
                 "operations": ["Read"], "host": "*", "type": "allow"}
            ]},
            "quotas": {"producerByteRate": 1, "controllerMutationRate": 0.5}
        }
    })
}

register!(
    quickstart_is_valid_strimzi_v1,
    quickstart_is_valid_strimzi_v1beta2,
    every_feature_is_valid_strimzi_v1,
    every_feature_is_valid_strimzi_v1beta2,
    tls_validity_rules_are_irrelevant_to_generated_users,
    vendor_examples_pass
);
