//! Connector rules: reads an AppBundle's `spec.connectors` and the Environment, emits
//! diagnostics for connectors that could not run, would leak a credential, or would collide.
//!
//! Codes:
//! - KB070 error: the bundle has connectors but the Environment names no
//!   `strimzi.connectCluster` to run them on.
//! - KB071 error: two connectors of one bundle share a name.
//! - KB072 error: a connector name is not a DNS-1123 subdomain (it is the KafkaConnector's
//!   `metadata.name`, and the connector's name in Kafka Connect, as is).
//! - KB073 error: a config template does not render; names connector, key, line and column.
//! - KB074 error: a config key that holds a credential has a literal value (credentials come
//!   from Secrets only). The value is never shown: it may be a real secret.
//! - KB075 error: whether a connector is a sink or a source is unknown (no `type`, and the
//!   class name does not say), or `type` contradicts the class name.
//! - KB076 error: `config` sets a key that a dedicated field sets (`name`, `connector.class`,
//!   `tasks.max`, a sink's `topics`), that Strimzi refuses (`connector.plugin.version`), or a
//!   sink's `topics.regex` (masking needs to know every topic a sink reads).
//! - KB077 error: two bundles declare a connector of the same name (one Connect cluster).
//! - KB078 error: a connector's `topics` hold an invalid or repeated topic name, or a sink
//!   lists no topic.
//! - KB079 error: the Environment's `strimzi.connectCluster` is not a valid KafkaConnect name.

use super::{BundleInput, EnvInput};
use crate::credentials;
use crate::diag::Diagnostic;
use crate::model::ConfigValue;
use crate::model::bundle::{Connector, ConnectorType};
use crate::model::environment::Target;
use crate::names::{dns_label_problem, is_dns_subdomain, kafka_topic_problem};
use crate::path::FieldPath;
use crate::plan::connectors::{render_value, template_context};
use crate::template::TemplateContext;
use std::collections::HashMap;

const TEMPLATE_HELP: &str = "templates may use env.name, env.namespace, bundle.name, \
     secret(name=, key=) and configmap(name=, key=); for a literal `{{`, write \
     {% raw %}{{{% endraw %}";

const SECRET_HINT: &str = "write \"{{ secret(name='<Secret name>', key='<key in the Secret>') }}\" and keep the value in that Secret";

pub fn check(b: &BundleInput, env: &EnvInput, out: &mut Vec<Diagnostic>) {
    let connectors = &b.bundle.spec.connectors;
    if connectors.is_empty() {
        return;
    }
    let spec = &env.env.spec;
    if spec.target == Target::Strimzi && spec.strimzi.connect_cluster.is_none() {
        let hint = match &env.origin {
            Some(_) => format!(
                "set spec.strimzi.connectCluster in {} to the name of the KafkaConnect that runs them",
                env.label()
            ),
            None => "connectors need an Environment whose spec.strimzi.connectCluster names the \
                     KafkaConnect that runs them"
                .to_string(),
        };
        out.push(
            b.at(
                Diagnostic::error(
                    "KB070",
                    format!(
                        "the bundle has connectors, but {} names no Connect cluster",
                        env.label()
                    ),
                )
                .with_hint(hint),
                &FieldPath::of("spec.connectors"),
            ),
        );
    }
    let ctx = template_context(b, spec, &env.env.metadata.name);
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (i, c) in connectors.iter().enumerate() {
        let at = FieldPath::of("spec.connectors").index(i);
        if let Some(first) = seen.insert(&c.name, i) {
            out.push(b.at(
                Diagnostic::error(
                    "KB071",
                    format!(
                        "connector {:?} is declared twice in this bundle (also spec.connectors[{first}])",
                        c.name
                    ),
                )
                .with_hint("connector names are unique on the Connect cluster; rename one"),
                &at.child_key("name"),
            ));
        }
        check_connector(b, c, &at, &ctx, out);
    }
}

fn check_connector(
    b: &BundleInput,
    c: &Connector,
    at: &FieldPath,
    ctx: &TemplateContext,
    out: &mut Vec<Diagnostic>,
) {
    if !is_dns_subdomain(&c.name) {
        out.push(b.at(
            Diagnostic::error(
                "KB072",
                format!(
                    "connector name {:?} is not a DNS-1123 subdomain (lowercase letters, digits, \
                     `-` and `.`, at most 253 characters, alphanumeric at both ends of each part)",
                    c.name
                ),
            )
            .with_hint("the name becomes the KafkaConnector's metadata.name; use a name such as `orders-to-warehouse`"),
            &at.child_key("name"),
        ));
    }
    let connector_type = check_type(b, c, at, out);
    check_reserved_keys(b, c, connector_type, at, out);
    check_topics(b, c, connector_type, at, out);
    for (key, value) in &c.config {
        check_value(b, c, key, value, at, ctx, out);
    }
}

/// The connector's type, when known.
fn check_type(
    b: &BundleInput,
    c: &Connector,
    at: &FieldPath,
    out: &mut Vec<Diagnostic>,
) -> Option<ConnectorType> {
    let implied = ConnectorType::from_class(&c.class);
    match (c.connector_type, implied) {
        (None, None) => out.push(b.at(
            Diagnostic::error(
                "KB075",
                format!(
                    "connector {:?}: class {:?} does not say whether it is a sink or a source",
                    c.name, c.class
                ),
            )
            .with_hint("set `type: sink` (reads topics out of Kafka) or `type: source` (writes into Kafka)"),
            &at.child_key("class"),
        )),
        (Some(declared), Some(implied)) if declared != implied => out.push(b.at(
            Diagnostic::error(
                "KB075",
                format!(
                    "connector {:?} says type: {}, but its class {:?} is a {} connector",
                    c.name,
                    declared.as_str(),
                    c.class,
                    implied.as_str()
                ),
            )
            .with_hint("correct `type` or remove it; masking applies to sinks"),
            &at.child_key("type"),
        )),
        _ => {}
    }
    c.effective_type()
}

/// Config keys a dedicated field or Strimzi sets.
fn check_reserved_keys(
    b: &BundleInput,
    c: &Connector,
    connector_type: Option<ConnectorType>,
    at: &FieldPath,
    out: &mut Vec<Diagnostic>,
) {
    let sink = connector_type == Some(ConnectorType::Sink);
    for key in c.config.keys() {
        let (why, hint) = match key.as_str() {
            "name" => (
                "the connector's `name` sets it",
                "remove it; the connector is named by `name`",
            ),
            "connector.class" => ("`class` sets it", "remove it and set the class in `class`"),
            "tasks.max" => ("`tasksMax` sets it", "remove it and set `tasksMax` instead"),
            "connector.plugin.version" => (
                "Strimzi does not allow it in a KafkaConnector's config",
                "remove it",
            ),
            "topics" if sink => (
                "the connector's `topics` sets it",
                "list the topics in the connector's `topics` field (kbundle needs them to apply masking)",
            ),
            // Masking is enforced on the topics a sink reads; a pattern would hide them.
            "topics.regex" if sink => (
                "kbundle must know every topic a sink reads, to enforce masking",
                "list the topics in the connector's `topics` field",
            ),
            _ => continue,
        };
        out.push(
            b.at(
                Diagnostic::error(
                    "KB076",
                    format!(
                        "connector {:?} config key {key:?} cannot be set here: {why}",
                        c.name
                    ),
                )
                .with_hint(hint),
                &at.child_key("config").key(key),
            ),
        );
    }
}

fn check_topics(
    b: &BundleInput,
    c: &Connector,
    connector_type: Option<ConnectorType>,
    at: &FieldPath,
    out: &mut Vec<Diagnostic>,
) {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (j, t) in c.topics.iter().enumerate() {
        let path = || at.child_key("topics").index(j);
        if let Some(problem) = kafka_topic_problem(t) {
            let mut d = Diagnostic::error(
                "KB078",
                format!("connector {:?} topic name {t:?} {problem}", c.name),
            );
            if t.contains('*') {
                d = d.with_hint("connector topics are exact names; list each one");
            }
            out.push(b.at(d, &path()));
        } else if let Some(first) = seen.insert(t, j) {
            out.push(
                b.at(
                    Diagnostic::error(
                        "KB078",
                        format!(
                            "connector {:?} lists topic {t:?} twice (also topics[{first}])",
                            c.name
                        ),
                    )
                    .with_hint("list each topic once"),
                    &path(),
                ),
            );
        }
    }
    if connector_type == Some(ConnectorType::Sink) && c.topics.is_empty() {
        out.push(
            b.at(
                Diagnostic::error(
                    "KB078",
                    format!("sink connector {:?} reads no topic", c.name),
                )
                .with_hint("list the topics it reads in `topics`"),
                at,
            ),
        );
    }
}

/// One config value: it must render, and a credential must be a reference.
fn check_value(
    b: &BundleInput,
    c: &Connector,
    key: &str,
    value: &ConfigValue,
    at: &FieldPath,
    ctx: &TemplateContext,
    out: &mut Vec<Diagnostic>,
) {
    let path = || at.child_key("config").key(key);
    let credential = credentials::is_credential_key(key);
    match render_value(value, ctx) {
        Err(e) => {
            // A literal secret that happens to contain `{{` or `{%` fails as a template, and
            // Tera's message may quote pieces of it: for credential keys, show the detail only
            // when the value is plainly a reference attempt.
            let shown_raw = match value {
                ConfigValue::String(s) => s.contains("secret(") || s.contains("configmap("),
                _ => true,
            };
            let d = if credential && !shown_raw {
                let position = match (e.line, e.column) {
                    (Some(l), Some(col)) => format!(" (line {l}, column {col})"),
                    (Some(l), None) => format!(" (line {l})"),
                    _ => String::new(),
                };
                Diagnostic::error(
                    "KB073",
                    format!(
                        "connector {:?} config key {key:?}: the value is not a valid template{position}; the details are not shown because the value may be a secret",
                        c.name
                    ),
                )
                .with_hint(SECRET_HINT)
            } else {
                Diagnostic::error(
                    "KB073",
                    format!("connector {:?} config key {key:?}: {e}", c.name),
                )
                .with_hint(TEMPLATE_HELP)
            };
            out.push(b.at(d, &path()));
        }
        Ok(rendered) => {
            if credential && !rendered.trim().is_empty() && !credentials::is_reference(&rendered) {
                out.push(b.at(
                    Diagnostic::error(
                        "KB074",
                        format!(
                            "connector {:?} config key {key:?} holds a literal credential; credentials come from Secrets only",
                            c.name
                        ),
                    )
                    .with_hint(SECRET_HINT),
                    &path(),
                ));
            }
        }
    }
}

/// Connector names are unique across bundles: all run on the Environment's one Connect cluster.
pub fn check_across(bundles: &[BundleInput], out: &mut Vec<Diagnostic>) {
    let mut by_name: HashMap<&str, usize> = HashMap::new();
    for (bi, b) in bundles.iter().enumerate() {
        for (ci, c) in b.bundle.spec.connectors.iter().enumerate() {
            match by_name.get(c.name.as_str()) {
                Some(&obi) if obi != bi => out.push(
                    b.at(
                        Diagnostic::error(
                            "KB077",
                            format!(
                                "connector {:?} is declared by bundle {:?} and by bundle {:?}",
                                c.name,
                                bundles[obi].name(),
                                b.name()
                            ),
                        )
                        .with_hint(format!(
                            "connector names are unique on the Connect cluster; the other is in {}",
                            bundles[obi].origin.file.as_deref().unwrap_or("the input")
                        )),
                        &FieldPath::of("spec.connectors").index(ci).key("name"),
                    ),
                ),
                Some(_) => {}
                None => {
                    by_name.insert(&c.name, bi);
                }
            }
        }
    }
}

/// The Environment's Connect cluster name: a KafkaConnect name and a label value. Run once per
/// Environment, whether or not any bundle has connectors.
pub fn check_environment(env: &EnvInput, out: &mut Vec<Diagnostic>) {
    if let Some(name) = &env.env.spec.strimzi.connect_cluster
        && let Some(problem) = dns_label_problem(name)
    {
        out.push(env.at(
            Diagnostic::error(
                "KB079",
                format!("strimzi.connectCluster {name:?} {problem}"),
            )
            .with_hint("use the name of the KafkaConnect resource (a DNS-1123 label such as `connect`)"),
            &FieldPath::of("spec.strimzi.connectCluster"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::Origin;
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
        check(&bundle_named("orders", connectors), env, &mut out);
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
        assert_eq!(d[0].code, "KB073");
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
        assert_eq!(d[0].code, "KB073");
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
        let codes: Vec<(&str, &str)> = d
            .iter()
            .map(|d| (d.code, d.field.as_deref().unwrap_or("")))
            .collect();
        assert_eq!(
            codes,
            [
                ("KB074", "spec.connectors[0].config[\"api.key\"]"),
                (
                    "KB074",
                    "spec.connectors[0].config[\"aws.secret.access.key\"]"
                ),
                (
                    "KB074",
                    "spec.connectors[0].config[\"connection.password\"]"
                ),
                ("KB074", "spec.connectors[0].config[\"sasl.jaas.config\"]"),
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
        assert_eq!(d[0].code, "KB073");
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
        assert!(d.iter().all(|d| d.code == "KB076"), "{:?}", lines(&d));
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
        assert!(out.iter().all(|d| d.code == "KB077"));
        assert_eq!(
            out[0].message,
            "connector \"orders-to-warehouse\" is declared by bundle \"a\" and by bundle \"b\""
        );
        assert_eq!(out[0].file.as_deref(), Some("b.yaml"));
        assert!(out[0].hint.as_deref().unwrap_or("").contains("a.yaml"));
    }

    #[test]
    fn connect_cluster_must_be_a_kafkaconnect_name() {
        let mut out = Vec::new();
        check_environment(&prod(), &mut out);
        assert!(out.is_empty());
        check_environment(
            &env(json!({"strimzi": {"connectCluster": "My Connect"}})),
            &mut out,
        );
        assert_eq!(
            lines(&out),
            [
                "KB079 spec.strimzi.connectCluster: strimzi.connectCluster \"My Connect\" contains 'M'; only lowercase letters, digits and `-` are allowed"
            ]
        );
    }
}
