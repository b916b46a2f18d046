//! Unit tests of `connectors`.

use super::*;
use crate::source::Origin;
use serde_json::{Value, json};

fn bundle_named(name: &str, connectors: Value) -> BundleInput {
    let v = json!({
        "apiVersion": "kbundle.dev/v1alpha1", "kind": "AppBundle",
        "metadata": {"name": name},
        "spec": {"owner": "team", "connectors": connectors},
    });
    BundleInput {
        bundle: crate::model::parse_app_bundle(&v).expect("valid bundle"),
        origin: Origin {
            file: Some(format!("{name}.yaml")),
            ..Origin::default()
        },
        files: Default::default(),
        migrations: None,
        resolved: Default::default(),
    }
}

fn env(spec: Value) -> EnvInput {
    let v = json!({
        "apiVersion": "kbundle.dev/v1alpha1", "kind": "Environment",
        "metadata": {"name": "prod"}, "spec": spec,
    });
    EnvInput {
        env: crate::model::parse_environment(&v).expect("valid environment"),
        origin: Some(Origin::default()),
    }
}

fn prod() -> EnvInput {
    env(json!({"namespace": "kafka", "strimzi": {"connectCluster": "connect"}}))
}

fn run(connectors: Value, env: &EnvInput) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut b = bundle_named("orders", connectors);
    let mut budget = usize::MAX;
    resolve(
        &mut b,
        env,
        crate::backend::strimzi::connect::config_reference,
        &mut budget,
    );
    check(&b, env, &mut out);
    out
}

/// `code field: message` lines.
fn lines(diags: &[Diagnostic]) -> Vec<String> {
    diags
        .iter()
        .map(|d| {
            format!(
                "{} {}: {}",
                d.code,
                d.field.as_deref().unwrap_or(""),
                d.message
            )
        })
        .collect()
}

fn sink(config: Value) -> Value {
    json!({
        "name": "orders-to-warehouse",
        "class": "io.confluent.connect.jdbc.JdbcSinkConnector",
        "topics": ["orders.created.v1"],
        "config": config,
    })
}

#[test]
fn the_design_example_is_fine() {
    let d = run(
        json!([sink(json!({
            "connection.url": "{{ secret(name='warehouse-db', key='url') }}",
            "connection.password": "{{ secret(name='warehouse-db', key='password') }}",
            "table.name.format": "orders_{{ env.name }}",
            "batch.size": 500,
        }))]),
        &prod(),
    );
    assert!(d.is_empty(), "{:?}", lines(&d));
}

#[test]
fn no_bundle_connectors_no_diagnostics() {
    let d = run(json!([]), &env(json!({})));
    assert!(d.is_empty());
}

#[test]
fn connectors_need_a_connect_cluster() {
    let d = run(json!([sink(json!({}))]), &env(json!({})));
    assert_eq!(
        lines(&d),
        [
            "KB070 spec.connectors: the bundle has connectors, but Environment/prod names no Connect cluster"
        ]
    );
    assert!(
        d[0].hint
            .as_deref()
            .unwrap_or("")
            .contains("connectCluster")
    );
}

#[test]
fn duplicate_and_invalid_names() {
    let mut second = sink(json!({}));
    second["name"] = json!("orders-to-warehouse");
    let mut bad = sink(json!({}));
    bad["name"] = json!("Orders_To_Warehouse");
    let d = run(json!([sink(json!({})), second, bad]), &prod());
    assert_eq!(
        lines(&d),
        [
            "KB071 spec.connectors[1].name: connector \"orders-to-warehouse\" is declared twice in this bundle (also spec.connectors[0])",
            "KB072 spec.connectors[2].name: connector name \"Orders_To_Warehouse\" is not a DNS-1123 subdomain (lowercase letters, digits, `-` and `.`, at most 253 characters, alphanumeric at both ends of each part)",
        ]
    );
}

#[test]
fn template_error_names_connector_key_and_position() {
    let d = run(
        json!([sink(json!({"table.name.format": "orders_{{ env.nmae }}"}))]),
        &prod(),
    );
    assert_eq!(d.len(), 1, "{:?}", lines(&d));
    assert_eq!(d[0].code, Code::TemplateError);
    assert_eq!(
        d[0].field.as_deref(),
        Some("spec.connectors[0].config[\"table.name.format\"]")
    );
    let m = &d[0].message;
    assert!(
        m.starts_with("connector \"orders-to-warehouse\" config key \"table.name.format\": "),
        "{m}"
    );
    assert!(m.contains("line 1, column"), "{m}");
}

#[test]
fn secret_without_any_namespace_is_a_template_error() {
    let d = run(
        json!([sink(
            json!({"connection.url": "{{ secret(name='db', key='url') }}"})
        )]),
        &env(json!({"strimzi": {"connectCluster": "connect"}})),
    );
    assert_eq!(d.len(), 1, "{:?}", lines(&d));
    assert_eq!(d[0].code, Code::TemplateError);
    assert!(d[0].message.contains("env.namespace"), "{}", d[0].message);
}

#[test]
fn literal_credentials_are_refused_without_showing_them() {
    let d = run(
        json!([sink(json!({
            "connection.password": "hunter2",
            "api.key": 123456,
            "aws.secret.access.key": "{{ env.name }}-AKIASECRET",
            "sasl.jaas.config": "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"pw-literal\";",
            "password.policy.enabled": true,
            "connection.user": "orders",
            "empty.password": "",
            "token": "${file:/mnt/secrets/token:value}",
        }))]),
        &prod(),
    );
    let codes: Vec<(Code, &str)> = d
        .iter()
        .map(|d| (d.code, d.field.as_deref().unwrap_or("")))
        .collect();
    assert_eq!(
        codes,
        [
            (
                Code::LiteralCredential,
                "spec.connectors[0].config[\"api.key\"]"
            ),
            (
                Code::LiteralCredential,
                "spec.connectors[0].config[\"aws.secret.access.key\"]"
            ),
            (
                Code::LiteralCredential,
                "spec.connectors[0].config[\"connection.password\"]"
            ),
            (
                Code::LiteralCredential,
                "spec.connectors[0].config[\"sasl.jaas.config\"]"
            ),
            // A reference written by hand is refused as such (issue 10, item 3).
            (
                Code::RawProviderReference,
                "spec.connectors[0].config.token"
            ),
        ]
    );
    for x in &d {
        for secret in ["hunter2", "123456", "AKIASECRET", "pw-literal"] {
            assert!(!x.message.contains(secret), "{}", x.message);
            assert!(!x.hint.as_deref().unwrap_or("").contains(secret));
        }
    }
    assert_eq!(
        d[2].message,
        "connector \"orders-to-warehouse\" config key \"connection.password\" holds a literal credential; credentials come from Secrets only"
    );
}

#[test]
fn broken_template_in_a_credential_hides_the_detail() {
    // A generated password with `{%` in it: Tera's message could quote parts of it.
    let d = run(
        json!([sink(json!({"connection.password": "aB3{%xYzzy%}q"}))]),
        &prod(),
    );
    assert_eq!(d.len(), 1, "{:?}", lines(&d));
    assert_eq!(d[0].code, Code::TemplateError);
    assert!(!d[0].message.contains("xYzzy"), "{}", d[0].message);
    assert!(d[0].message.contains("may be a secret"), "{}", d[0].message);
    // A reference attempt keeps its detail.
    let d = run(
        json!([sink(
            json!({"connection.password": "{{ secret(name='db') }}"})
        )]),
        &prod(),
    );
    assert_eq!(d.len(), 1, "{:?}", lines(&d));
    assert!(d[0].message.contains("key"), "{}", d[0].message);
    assert!(!d[0].message.contains("may be a secret"));
}

#[test]
fn type_must_be_known_and_agree_with_the_class() {
    let d = run(
        json!([
            {"name": "pg", "class": "io.debezium.connector.postgresql.PostgresConnector"},
            {"name": "pg2", "class": "io.debezium.connector.postgresql.PostgresConnector", "type": "source"},
            {"name": "liar", "class": "io.confluent.connect.jdbc.JdbcSinkConnector", "type": "source"},
        ]),
        &prod(),
    );
    assert_eq!(
        lines(&d),
        [
            "KB075 spec.connectors[0].class: connector \"pg\": class \"io.debezium.connector.postgresql.PostgresConnector\" does not say whether it is a sink or a source",
            "KB075 spec.connectors[2].type: connector \"liar\" says type: source, but its class \"io.confluent.connect.jdbc.JdbcSinkConnector\" is a sink connector",
        ]
    );
}

#[test]
fn reserved_keys_conflict_with_dedicated_fields() {
    let d = run(
        json!([
            sink(json!({
                "name": "x", "connector.class": "y", "tasks.max": 3,
                "connector.plugin.version": "1.0", "topics": "a,b", "topics.regex": "a.*",
            })),
            // A source may use `topics` (MirrorSourceConnector's filter) and topics.regex.
            {"name": "mirror", "class": "org.apache.kafka.connect.mirror.MirrorSourceConnector",
             "config": {"topics": "orders.*", "topics.regex": "x"}},
        ]),
        &prod(),
    );
    let fields: Vec<&str> = d.iter().map(|d| d.field.as_deref().unwrap_or("")).collect();
    assert!(
        d.iter().all(|d| d.code == Code::ConnectorReservedKey),
        "{:?}",
        lines(&d)
    );
    assert_eq!(
        fields,
        [
            "spec.connectors[0].config[\"connector.class\"]",
            "spec.connectors[0].config[\"connector.plugin.version\"]",
            "spec.connectors[0].config.name",
            "spec.connectors[0].config[\"tasks.max\"]",
            "spec.connectors[0].config.topics",
            "spec.connectors[0].config[\"topics.regex\"]",
        ]
    );
}

#[test]
fn sink_topics_regex_is_refused_because_masking_needs_the_topics() {
    let d = run(
        json!([{"name": "s3", "class": "io.confluent.connect.s3.S3SinkConnector",
                "config": {"topics.regex": "orders\\..*"}}]),
        &prod(),
    );
    assert_eq!(
        lines(&d),
        [
            "KB076 spec.connectors[0].config[\"topics.regex\"]: connector \"s3\" config key \"topics.regex\" cannot be set here: kbundle must know every topic a sink reads, to enforce masking",
            "KB078 spec.connectors[0]: sink connector \"s3\" reads no topic",
        ]
    );
}

#[test]
fn sink_topics_are_checked() {
    let d = run(
        json!([
            {"name": "a", "class": "x.ASinkConnector"},
            {"name": "b", "class": "x.BSinkConnector", "topics": ["orders.*", "t", "t"]},
            // A source needs no topics.
            {"name": "c", "class": "x.CSourceConnector"},
        ]),
        &prod(),
    );
    assert_eq!(
        lines(&d),
        [
            "KB078 spec.connectors[0]: sink connector \"a\" reads no topic",
            "KB078 spec.connectors[1].topics[0]: connector \"b\" topic name \"orders.*\" contains '*'; Kafka allows only letters, digits, `.`, `_` and `-`",
            "KB078 spec.connectors[1].topics[2]: connector \"b\" lists topic \"t\" twice (also topics[1])",
        ]
    );
    assert!(d[1].hint.as_deref().unwrap_or("").contains("exact names"));
}

#[test]
fn connector_names_are_unique_across_bundles() {
    let a = bundle_named("a", json!([sink(json!({}))]));
    let b = bundle_named("b", json!([sink(json!({})), sink(json!({}))]));
    let mut out = Vec::new();
    check_across(&[a, b], &mut out);
    // Once per clashing declaration in the later bundle; the in-bundle repeat is KB071's.
    assert_eq!(out.len(), 2);
    assert!(out.iter().all(|d| d.code == Code::ConnectorClaimedTwice));
    assert_eq!(
        out[0].message,
        "connector \"orders-to-warehouse\" is declared by bundle \"a\" and by bundle \"b\""
    );
    assert_eq!(out[0].file.as_deref(), Some("b.yaml"));
    assert!(out[0].hint.as_deref().unwrap_or("").contains("a.yaml"));
}

/// Regression (issue 10, item 3): `${secrets:kube-system/admin-token:token}` written literally
/// passed the literal-credential check and escaped the namespace pinning of `secret()`.
#[test]
fn raw_provider_references_and_url_passwords_are_refused() {
    let d = run(
        json!([sink(json!({
            "connection.password": "${secrets:kube-system/admin-token:token}",
            "file": "${file:/etc/kafka/worker.properties:sasl.jaas.config}",
            "connection.url": "jdbc:postgresql://app:hunter2@db:5432/orders",
            "schema.registry.url": "https://sr.example.com?password=hunter2",
            "fine.url": "jdbc:postgresql://db:5432/orders",
        }))]),
        &prod(),
    );
    let codes: Vec<(Code, &str)> = d
        .iter()
        .map(|d| (d.code, d.field.as_deref().unwrap_or("")))
        .collect();
    assert_eq!(
        codes,
        [
            (
                Code::RawProviderReference,
                "spec.connectors[0].config[\"connection.password\"]"
            ),
            (
                Code::CredentialInUrl,
                "spec.connectors[0].config[\"connection.url\"]"
            ),
            (Code::RawProviderReference, "spec.connectors[0].config.file"),
            (
                Code::CredentialInUrl,
                "spec.connectors[0].config[\"schema.registry.url\"]"
            ),
        ],
        "{:?}",
        lines(&d)
    );
    let text = lines(&d).join("\n");
    assert!(
        !text.contains("hunter2") && !text.contains("admin-token"),
        "{text}"
    );
}

/// Regression (issue 10, item 5): 236 KB of templates made 322 MB of output. The run's template
/// output has a budget; past it, values are refused unrendered.
#[test]
fn the_template_output_of_a_run_is_bounded() {
    let mut b = bundle_named(
        "orders",
        json!([sink(
            json!({"a": "{{ 'x' ~ 'y' }}", "b": "{{ 'x' ~ 'y' }}", "c": "{{ 'x' ~ 'y' }}"})
        )]),
    );
    let mut budget = 3;
    resolve(
        &mut b,
        &prod(),
        crate::backend::strimzi::connect::config_reference,
        &mut budget,
    );
    let results = &b.resolved.connector_configs[0];
    let refused: Vec<&String> = results
        .iter()
        .filter(|(_, r)| {
            r.as_ref()
                .is_err_and(|e| e.message.contains("not rendered"))
        })
        .map(|(k, _)| k)
        .collect();
    // "xy" twice spends the 3 bytes: the third value is not rendered.
    assert_eq!(refused, ["c"], "{results:?}");
    let mut out = Vec::new();
    check(&b, &prod(), &mut out);
    assert!(
        out.iter().any(|d| d.code == Code::TemplateError),
        "{:?}",
        lines(&out)
    );
}
