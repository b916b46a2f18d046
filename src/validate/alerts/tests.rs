//! Unit tests of `alerts`.

use super::receivers::{is_address, is_host_port};
use super::*;
use crate::model::Environment;
use crate::source::Origin;
use serde_json::{Value, json};
use std::collections::BTreeMap;

fn bundle(spec: Value) -> BundleInput {
    let v = json!({
        "apiVersion": "kbundle.dev/v1alpha1", "kind": "AppBundle",
        "metadata": {"name": "orders"},
        "spec": spec
    });
    BundleInput {
        bundle: crate::model::parse_app_bundle(&v).expect("bundle"),
        origin: Origin::default(),
        files: BTreeMap::new(),
        migrations: None,
        resolved: Default::default(),
    }
}

fn env(spec: Value) -> EnvInput {
    let v = json!({
        "apiVersion": "kbundle.dev/v1alpha1", "kind": "Environment",
        "metadata": {"name": "prod"},
        "spec": spec
    });
    let env: Environment = crate::model::parse_environment(&v).expect("env");
    EnvInput {
        env,
        origin: Some(Origin::default()),
    }
}

fn prod() -> EnvInput {
    env(
        json!({"policy": {"lagAlerts": true}, "alerting": {"receivers": [
            {"name": "oncall-orders", "pagerduty": {"routingKey": {"secret": "pd", "key": "k"}}},
            {"name": "slack-orders", "slack": {"apiURL": {"secret": "sl", "key": "url"}}}
        ]}}),
    )
}

fn principals() -> Value {
    json!([
        {"name": "orders-service",
         "consumes": [{"topics": ["payments.settled.v1"], "group": "orders-service"},
                      {"topics": ["audit.*"], "group": "audit-*"}],
         "streams": {"applicationId": "orders-enricher", "reads": ["payments.settled.v1"]}}
    ])
}

fn run(b: &BundleInput, e: &EnvInput) -> Vec<(Code, String, String)> {
    let mut out = Vec::new();
    check(b, e, &mut out);
    check_environment(e, &mut out);
    out.iter()
        .map(|d| {
            (
                d.code,
                d.message.clone(),
                d.field.clone().unwrap_or_default(),
            )
        })
        .collect()
}

fn codes(b: &BundleInput, e: &EnvInput) -> Vec<Code> {
    run(b, e).into_iter().map(|(c, _, _)| c).collect()
}

fn lag(name: &str, group: &str) -> Value {
    json!({"name": name, "severity": "critical", "notify": ["oncall-orders"],
           "consumerLag": {"group": group, "above": 100, "for": "5m"}})
}

fn good() -> Value {
    json!({
        "owner": "team-orders",
        "topics": [{"name": "orders.created.v1"}],
        "principals": principals(),
        "alerts": [
            {"name": "payments-lag", "severity": "critical", "notify": ["oncall-orders"],
             "consumerLag": {"group": "orders-service", "topic": "payments.settled.v1",
                             "above": 10000, "for": "10m"}},
            lag("enricher-lag", "orders-enricher"),
            lag("audit-lag", "audit-eu"),
            {"name": "orders-silent", "severity": "warning",
             "notify": ["slack-orders", "oncall-orders"],
             "throughput": {"topic": "orders.created.v1", "below": 1, "per": "1m", "for": "15m"}}
        ]
    })
}

#[test]
fn a_complete_bundle_passes() {
    assert_eq!(run(&bundle(good()), &prod()), []);
}

#[test]
fn unknown_receiver_suggests_the_closest() {
    let mut spec = good();
    spec["alerts"][0]["notify"] = json!(["oncall-order"]);
    let d = run(&bundle(spec), &prod());
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].0, Code::ReceiverUnknown);
    assert_eq!(
        d[0].1,
        "notify names receiver \"oncall-order\", which Environment/prod does not define"
    );
    assert_eq!(d[0].2, "spec.alerts[0].notify[0]");
}

#[test]
fn receivers_without_an_alerting_section() {
    let b = bundle(good());
    let e = env(json!({}));
    let d = run(&b, &e);
    assert!(
        d.iter().all(|(c, _, _)| *c == Code::ReceiverUnknown),
        "{d:?}"
    );
    assert!(
        d[0].1
            .contains("Environment/prod defines no alert receivers")
    );
}

#[test]
fn empty_notify_is_an_error() {
    let mut spec = good();
    spec["alerts"][1]["notify"] = json!([]);
    assert_eq!(codes(&bundle(spec), &prod()), [Code::AlertUnrouted]);
}

#[test]
fn lag_alerts_policy_lists_every_group_without_one() {
    let mut spec = good();
    spec["alerts"] = json!([spec["alerts"][3].clone()]);
    let d = run(&bundle(spec), &prod());
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].0, Code::LagAlertMissing);
    assert!(
        d[0].1.starts_with(
            "consumer groups without a consumerLag alert: orders-service, audit-*, \
             orders-enricher;"
        ),
        "{}",
        d[0].1
    );
    // Without the policy the same bundle passes.
    let relaxed = env(json!({"alerting": prod().env.spec.alerting}));
    let mut spec = good();
    spec["alerts"] = json!([spec["alerts"][3].clone()]);
    assert_eq!(run(&bundle(spec), &relaxed), []);
}

#[test]
fn lag_group_must_belong_to_the_bundle() {
    let mut spec = good();
    spec["alerts"][1] = lag("enricher-lag", "orders-enrich");
    spec["alerts"]
        .as_array_mut()
        .expect("list")
        .push(lag("star", "audit-*"));
    let d = run(&bundle(spec), &prod());
    let kb095: Vec<_> = d
        .iter()
        .filter(|(c, _, _)| *c == Code::LagGroupNotConsumed)
        .collect();
    assert_eq!(kb095.len(), 2, "{d:?}");
    assert!(
        kb095[0]
            .1
            .contains("\"orders-enrich\" is not a consumer group")
    );
    assert!(kb095[1].1.contains("is a pattern"));
    // orders-enricher lost its alert.
    assert!(
        d.iter()
            .any(|(c, m, _)| *c == Code::LagAlertMissing && m.contains("orders-enricher"))
    );
}

#[test]
fn lag_topic_not_read_is_a_warning() {
    let mut spec = good();
    spec["alerts"][0]["consumerLag"]["topic"] = json!("orders.created.v1");
    let b = bundle(spec);
    let mut out = Vec::new();
    check(&b, &prod(), &mut out);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].code, Code::LagTopicNotRead);
    assert!(!out[0].is_error());
    // A prefix group reading a prefix topic covers the literal pair.
    let mut spec = good();
    spec["alerts"][2]["consumerLag"]["topic"] = json!("audit.eu.v1");
    assert_eq!(codes(&bundle(spec), &prod()), Vec::<Code>::new());
}

#[test]
fn alert_shape_and_names() {
    let mut spec = good();
    let alerts = spec["alerts"].as_array_mut().expect("list");
    alerts.push(json!({"name": "Bad_Name", "severity": "info", "notify": ["slack-orders"],
                       "throughput": {"topic": "orders.created.v1", "above": 5, "per": "1m", "for": "1m"}}));
    alerts.push(json!({"name": "payments-lag", "severity": "info", "notify": ["slack-orders"]}));
    alerts.push(json!({"name": "both", "severity": "info", "notify": ["slack-orders"],
                       "consumerLag": {"group": "orders-service", "above": 1, "for": "1m"},
                       "throughput": {"topic": "orders.created.v1", "above": 5, "per": "1m", "for": "1m"}}));
    let got = codes(&bundle(spec), &prod());
    assert_eq!(
        got,
        [
            Code::AlertNameInvalid,
            Code::AlertNameInvalid,
            Code::AlertKindInvalid,
            Code::AlertKindInvalid
        ]
    );
}

#[test]
fn throughput_thresholds() {
    let cases = [
        (json!({"per": "1m"}), "neither below nor above"),
        (json!({"below": 0, "per": "1m"}), "below is 0"),
        (
            json!({"below": 10, "above": 10, "per": "1m"}),
            "is not under throughput.above",
        ),
        (json!({"above": 10, "per": "0s"}), "longer than 0"),
    ];
    for (t, want) in cases {
        let mut spec = good();
        let mut t = t;
        t["topic"] = json!("orders.created.v1");
        t["for"] = json!("5m");
        spec["alerts"][3]["throughput"] = t;
        let d = run(&bundle(spec), &prod());
        assert_eq!(d.len(), 1, "{want}: {d:?}");
        assert_eq!(d[0].0, Code::ThroughputInvalid);
        assert!(d[0].1.contains(want), "{want}: {}", d[0].1);
    }
    let mut spec = good();
    spec["alerts"][3]["throughput"]["topic"] = json!("orders.create.v1");
    let d = run(&bundle(spec), &prod());
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].0, Code::ThroughputTopicUnknown);
}

#[test]
fn environment_receivers() {
    let e = env(json!({"alerting": {
    "ruleLabels": {"release": "kube-prometheus-stack", "app.kubernetes.io/part-of": "x",
                   "bad key!": "v"},
    "receivers": [
        {"name": "a", "slack": {"apiURL": {"secret": "s", "key": "k"}}},
        {"name": "a", "webhook": {"url": {"secret": "w", "key": "url"}}},
        {"name": "none"},
        {"name": "two", "webhook": {"url": {"secret": "w", "key": "url"}},
         "email": {"to": "ops@example.com"}},
        {"name": "mail", "email": {"to": "ops@example.com, Ops <b@example.com>",
         "from": "am@example.com", "smarthost": "smtp.example.com:587",
         "authUsername": "am", "authPassword": {"secret": "smtp", "key": "password"}}},
        {"name": "bad-mail", "email": {"to": "not an address", "smarthost": "smtp"}},
        {"name": "has space", "email": {"to": "x@y"}}
    ]}}));
    let mut out = Vec::new();
    check_environment(&e, &mut out);
    let msgs: Vec<String> = out.iter().map(|d| d.message.clone()).collect();
    assert!(
        out.iter()
            .all(|d| d.code == Code::AlertingConfigInvalid && d.is_error())
    );
    let expect = [
        "is a label kbundle sets",
        "ruleLabels key \"bad key!\"",
        "receiver \"a\" is defined twice",
        "receiver \"none\" sets none",
        "receiver \"two\" sets webhook and email",
        "email.to \"not an address\"",
        "email.smarthost \"smtp\"",
        "receiver name \"has space\"",
    ];
    assert_eq!(msgs.len(), expect.len(), "{msgs:#?}");
    for (m, want) in msgs.iter().zip(expect) {
        assert!(m.contains(want), "{m:?} should contain {want:?}");
    }
}

#[test]
fn addresses() {
    assert!(is_address("a@example.com"));
    assert!(is_address(" Ops Team <ops@example.com>"));
    assert!(!is_address("example.com"));
    assert!(!is_address("a@"));
    assert!(!is_address("a b@example.com"));
    assert!(is_host_port("smtp.example.com:25"));
    assert!(is_host_port("[::1]:25"));
    assert!(!is_host_port("smtp.example.com"));
    assert!(!is_host_port("smtp:port"));
}
