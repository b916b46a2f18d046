//! Connectors: reads an AppBundle's `spec.connectors` and the Environment, emits one
//! [`ConnectorPlan`] per connector with its type resolved and its config templates rendered to
//! the strings Kafka Connect reads; also merges extra single message transforms (masking) ahead
//! of a connector's own.

use crate::model::bundle::Connector;
use crate::validate::{BundleInput, RenderedConfig};
use std::collections::{BTreeMap, BTreeSet};

pub use crate::model::bundle::{ConnectorState, ConnectorType};

/// Kafka Connect's config key listing a connector's transform aliases, in order.
pub const TRANSFORMS: &str = "transforms";

/// One connector, ready for a target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectorPlan {
    /// Connector name in Kafka Connect and `metadata.name` of its KafkaConnector.
    pub name: String,
    pub class: String,
    pub connector_type: ConnectorType,
    pub tasks_max: Option<u32>,
    /// A sink's input topics (its `topics` config); a source's output topics, for the record.
    pub topics: Vec<String>,
    /// The user's config with templates rendered; numbers and booleans as text, because
    /// Kafka Connect reads every config value from a string.
    pub config: BTreeMap<String, String>,
    pub state: Option<ConnectorState>,
    /// Single message transforms to run before the connector's own (masking); see
    /// [`apply_transforms`].
    pub transforms: Vec<Transform>,
}

/// A Kafka Connect single message transform: `transforms.<alias>.type = <class>` plus
/// `transforms.<alias>.<key> = <value>` for each entry of `config`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transform {
    pub alias: String,
    pub class: String,
    pub config: BTreeMap<String, String>,
}

/// Plan every connector of a bundle; call only after validation found no errors.
pub fn plan_connectors(b: &BundleInput) -> Vec<ConnectorPlan> {
    b.bundle
        .spec
        .connectors
        .iter()
        .enumerate()
        .map(|(i, c)| plan_connector(c, b.resolved.connector_configs.get(i)))
        .collect()
}

fn plan_connector(c: &Connector, rendered: Option<&RenderedConfig>) -> ConnectorPlan {
    let config = c
        .config
        .iter()
        .map(|(k, v)| {
            // The check stage rendered every value once and refused failures (KB073); should
            // one be missing anyway, keep the unrendered text rather than invent a value.
            let text = match rendered.and_then(|r| r.get(k)) {
                Some(Ok(t)) => t.clone(),
                _ => v.as_text(),
            };
            (k.clone(), text)
        })
        .collect();
    ConnectorPlan {
        name: c.name.clone(),
        class: c.class.clone(),
        // Validation refuses a connector of unknown type (KB075); were one to get here, a sink
        // is the safe guess: masking applies to sinks.
        connector_type: c.effective_type().unwrap_or(ConnectorType::Sink),
        tasks_max: c.tasks_max,
        topics: c.topics.clone(),
        config,
        state: c.state,
        transforms: Vec::new(),
    }
}

/// The aliases of a Kafka Connect `transforms` value, parsed as Kafka parses a list config:
/// comma-separated, whitespace around entries ignored (empty entries are dropped).
pub fn transform_aliases(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(str::to_string)
        .collect()
}

/// Put `extra` transforms ahead of the connector's own: `transforms` becomes the extra aliases,
/// then the existing ones, and each extra transform's `transforms.<alias>.*` keys are added.
/// An extra alias already used by the connector (listed in `transforms` or owning any
/// `transforms.<alias>.` key) or by an earlier extra one is renamed `<alias>_2`, `<alias>_3`,
/// ...: the connector's own transforms are never touched. With no extra transforms the
/// config is left exactly as it is.
pub fn apply_transforms(config: &mut BTreeMap<String, String>, extra: &[Transform]) {
    if extra.is_empty() {
        return;
    }
    let existing = config
        .get(TRANSFORMS)
        .map(|v| transform_aliases(v))
        .unwrap_or_default();
    let mut taken: BTreeSet<String> = existing.iter().cloned().collect();
    let is_free = |alias: &str, taken: &BTreeSet<String>, config: &BTreeMap<String, String>| {
        let prefix = format!("{TRANSFORMS}.{alias}.");
        !taken.contains(alias)
            && config
                .range(prefix.clone()..)
                .next()
                .is_none_or(|(k, _)| !k.starts_with(&prefix))
    };
    let mut aliases = Vec::with_capacity(extra.len() + existing.len());
    for t in extra {
        let mut alias = t.alias.clone();
        let mut n = 2;
        while !is_free(&alias, &taken, config) {
            alias = format!("{}_{n}", t.alias);
            n += 1;
        }
        config.insert(format!("{TRANSFORMS}.{alias}.type"), t.class.clone());
        for (k, v) in &t.config {
            config.insert(format!("{TRANSFORMS}.{alias}.{k}"), v.clone());
        }
        taken.insert(alias.clone());
        aliases.push(alias);
    }
    aliases.extend(existing);
    config.insert(TRANSFORMS.to_string(), aliases.join(","));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::environment::EnvironmentSpec;
    use crate::source::Origin;
    use serde_json::json;

    fn input(connectors: serde_json::Value) -> BundleInput {
        let v = json!({
            "apiVersion": "kbundle.dev/v1alpha1", "kind": "AppBundle",
            "metadata": {"name": "orders", "namespace": "apps"},
            "spec": {"owner": "team-orders", "connectors": connectors},
        });
        BundleInput {
            bundle: crate::model::parse_app_bundle(&v).expect("valid bundle"),
            origin: Origin::default(),
            files: Default::default(),
            migrations: None,
            resolved: Default::default(),
        }
    }

    /// What the pipeline does: the check stage renders the templates, the plan reads them.
    fn planned(mut b: BundleInput, spec: &EnvironmentSpec, name: &str) -> Vec<ConnectorPlan> {
        let mut env = crate::model::parse_environment(&json!({
            "apiVersion": "kbundle.dev/v1alpha1", "kind": "Environment",
            "metadata": {"name": name}, "spec": {}
        }))
        .expect("environment");
        env.spec = spec.clone();
        let env = crate::validate::EnvInput { env, origin: None };
        let mut budget = usize::MAX;
        crate::validate::resolve_connectors(
            &mut b,
            &env,
            crate::backend::strimzi::connect::config_reference,
            &mut budget,
        );
        plan_connectors(&b)
    }

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn mask(alias: &str) -> Transform {
        Transform {
            alias: alias.into(),
            class: "org.apache.kafka.connect.transforms.MaskField$Value".into(),
            config: map(&[("fields", "email")]),
        }
    }

    #[test]
    fn renders_templates_and_scalars_as_text() {
        let b = input(json!([{
            "name": "orders-to-warehouse",
            "class": "io.confluent.connect.jdbc.JdbcSinkConnector",
            "tasksMax": 2,
            "topics": ["orders.created.v1"],
            "config": {
                "connection.url": "{{ secret(name='warehouse-db', key='url') }}",
                "table.name.format": "orders_{{ env.name }}_{{ bundle.name }}",
                "batch.size": 500,
                "auto.create": true,
                "ratio": 0.5,
                "literal": "${not:a-template}",
            },
            "state": "paused",
        }]));
        let env = EnvironmentSpec {
            namespace: Some("kafka".into()),
            ..Default::default()
        };
        let plans = planned(b, &env, "prod");
        assert_eq!(plans.len(), 1);
        let p = &plans[0];
        assert_eq!(p.connector_type, ConnectorType::Sink);
        assert_eq!(p.tasks_max, Some(2));
        assert_eq!(p.state, Some(ConnectorState::Paused));
        assert_eq!(
            p.config,
            map(&[
                ("auto.create", "true"),
                ("batch.size", "500"),
                ("connection.url", "${secrets:kafka/warehouse-db:url}"),
                ("literal", "${not:a-template}"),
                ("ratio", "0.5"),
                ("table.name.format", "orders_prod_orders"),
            ])
        );
        assert!(p.transforms.is_empty());
    }

    #[test]
    fn namespace_falls_back_to_the_bundle_and_type_to_the_declared_one() {
        let b = input(json!([{
            "name": "pg", "class": "io.debezium.connector.postgresql.PostgresConnector",
            "type": "source",
            "config": {"database.password": "{{ secret(name='pg', key='password') }}"},
        }]));
        let plans = planned(b, &EnvironmentSpec::default(), "dev");
        assert_eq!(plans[0].connector_type, ConnectorType::Source);
        assert_eq!(
            plans[0].config["database.password"],
            "${secrets:apps/pg:password}"
        );
    }

    #[test]
    fn type_is_inferred_from_the_simple_class_name() {
        let t = ConnectorType::from_class;
        assert_eq!(
            t("io.confluent.connect.jdbc.JdbcSinkConnector"),
            Some(ConnectorType::Sink)
        );
        assert_eq!(
            t("org.apache.kafka.connect.mirror.MirrorSourceConnector"),
            Some(ConnectorType::Source)
        );
        assert_eq!(t("com.example.HttpSink"), Some(ConnectorType::Sink));
        assert_eq!(
            t("com.example.Outer$JmsSource"),
            Some(ConnectorType::Source)
        );
        assert_eq!(t("io.debezium.connector.mysql.MySqlConnector"), None);
        // Only the simple name counts: a package called `sink` says nothing.
        assert_eq!(t("com.sink.Thing"), None);
        assert_eq!(t(""), None);
    }

    #[test]
    fn unrenderable_value_does_not_panic() {
        // Validation would refuse this (KB073); the plan must still not panic.
        let b = input(json!([{
            "name": "c", "class": "a.BSink", "topics": ["t"],
            "config": {"x": "{{ nope }}"},
        }]));
        let plans = planned(b, &EnvironmentSpec::default(), "dev");
        assert_eq!(plans[0].config["x"], "{{ nope }}");
    }

    #[test]
    fn extra_transforms_go_first() {
        let mut config = map(&[
            ("transforms", " route , unwrap "),
            (
                "transforms.route.type",
                "org.apache.kafka.connect.transforms.RegexRouter",
            ),
            (
                "transforms.unwrap.type",
                "io.debezium.transforms.ExtractNewRecordState",
            ),
        ]);
        apply_transforms(&mut config, &[mask("mask")]);
        assert_eq!(config["transforms"], "mask,route,unwrap");
        assert_eq!(
            config["transforms.mask.type"],
            "org.apache.kafka.connect.transforms.MaskField$Value"
        );
        assert_eq!(config["transforms.mask.fields"], "email");
        assert_eq!(
            config["transforms.route.type"],
            "org.apache.kafka.connect.transforms.RegexRouter"
        );
    }

    #[test]
    fn transforms_are_created_when_the_connector_has_none() {
        let mut config = map(&[("topics", "a")]);
        apply_transforms(&mut config, &[mask("mask0"), mask("mask1")]);
        assert_eq!(config["transforms"], "mask0,mask1");
        assert_eq!(config.len(), 6);
    }

    #[test]
    fn colliding_aliases_are_renamed_not_overwritten() {
        let mut config = map(&[
            ("transforms", "mask"),
            ("transforms.mask.type", "com.example.Own"),
            // Configured but not listed: still the user's, never overwritten.
            ("transforms.mask_2.type", "com.example.Unlisted"),
        ]);
        apply_transforms(&mut config, &[mask("mask"), mask("mask")]);
        assert_eq!(config["transforms"], "mask_3,mask_4,mask");
        assert_eq!(config["transforms.mask.type"], "com.example.Own");
        assert_eq!(config["transforms.mask_2.type"], "com.example.Unlisted");
        assert_eq!(config["transforms.mask_3.fields"], "email");
        assert_eq!(config["transforms.mask_4.fields"], "email");
    }

    #[test]
    fn alias_that_prefixes_another_is_free() {
        // `transforms.maskall.type` does not belong to alias `mask`.
        let mut config = map(&[("transforms", "maskall"), ("transforms.maskall.type", "X")]);
        apply_transforms(&mut config, &[mask("mask")]);
        assert_eq!(config["transforms"], "mask,maskall");
    }

    #[test]
    fn no_extra_transforms_change_nothing() {
        let mut config = map(&[("transforms", " a ,, b")]);
        let before = config.clone();
        apply_transforms(&mut config, &[]);
        assert_eq!(config, before);
    }

    #[test]
    fn empty_transforms_value_is_an_empty_list() {
        let mut config = map(&[("transforms", "  ")]);
        apply_transforms(&mut config, &[mask("m")]);
        assert_eq!(config["transforms"], "m");
    }
}
