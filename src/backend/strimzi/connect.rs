//! Strimzi connectors: reads a [`ConnectorPlan`] and the Environment, emits a
//! `KafkaConnector` (`kafka.strimzi.io/v1` or `v1beta2`) on the Environment's Connect cluster.
//!
//! A sink's topics become its `topics` config (comma-separated); a source's `topics` are not
//! written anywhere, because source connectors name their output topics in keys of their own
//! (`topic`, `topic.prefix`, ...) that the user sets in `config`. Extra transforms (masking) go
//! ahead of the connector's own. `state` is written as is: both the v1 and the v1beta2 (0.51)
//! CRDs have it, and kbundle never writes the deprecated `pause`.

use crate::backend::shared::jobs::SYNC_WAVE;
use crate::backend::shared::object_meta;
use crate::model::environment::EnvironmentSpec;
use crate::model::labels::labels;
use crate::plan::connectors::{ConnectorPlan, ConnectorState, ConnectorType, apply_transforms};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// How a Strimzi connector config references a Secret or ConfigMap key: through Strimzi's
/// `KubernetesSecretConfigProvider` / `KubernetesConfigMapConfigProvider`, conventionally
/// registered as `config.providers: secrets,configmaps` on the KafkaConnect, which read
/// `${secrets:<namespace>/<name>:<key>}` when the task starts.
pub fn config_reference(
    kind: crate::template::ReferenceKind,
    namespace: &str,
    name: &str,
    key: &str,
) -> String {
    let provider = match kind {
        crate::template::ReferenceKind::Secret => "secrets",
        crate::template::ReferenceKind::ConfigMap => "configmaps",
    };
    format!("${{{provider}:{namespace}/{name}:{key}}}")
}

/// Label naming the KafkaConnect a KafkaConnector runs on.
pub const CLUSTER_LABEL: &str = "strimzi.io/cluster";

/// Argo CD sync wave of connectors: after topics and users (wave 0), so that what a connector
/// reads and writes, and the user it runs as, exist first (DESIGN §2); after ksql migrations
/// (wave 1), so that a sink reading a query's output starts once the query exists.
pub const CONNECTOR_WAVE: i32 = 2;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct KafkaConnector {
    api_version: &'static str,
    kind: &'static str,
    metadata: ObjectMeta,
    spec: KafkaConnectorSpec,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct KafkaConnectorSpec {
    class: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    tasks_max: Option<u32>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    config: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    state: Option<ConnectorState>,
}

/// The KafkaConnector for one connector of bundle `bundle` owned by `owner`.
pub fn kafka_connector(
    bundle: &str,
    owner: &str,
    namespace: Option<&str>,
    c: &ConnectorPlan,
    env: &EnvironmentSpec,
) -> Value {
    let mut l = labels(bundle, owner);
    // Validation requires a Connect cluster when a bundle has connectors (KB070).
    if let Some(cluster) = &env.strimzi.connect_cluster {
        l.insert(CLUSTER_LABEL.to_string(), cluster.clone());
    }
    let mut meta = object_meta(&c.name, namespace, l);
    meta.annotations = Some(BTreeMap::from([(
        SYNC_WAVE.to_string(),
        CONNECTOR_WAVE.to_string(),
    )]));

    let mut config = c.config.clone();
    if c.connector_type == ConnectorType::Sink && !c.topics.is_empty() {
        config.insert("topics".to_string(), c.topics.join(","));
    }
    apply_transforms(&mut config, &c.transforms);

    let obj = KafkaConnector {
        api_version: env.strimzi.api_version.as_str(),
        kind: "KafkaConnector",
        metadata: meta,
        spec: KafkaConnectorSpec {
            class: c.class.clone(),
            tasks_max: c.tasks_max,
            config,
            state: c.state,
        },
    };
    // Serializing our own plain struct into a Value cannot fail (string keys only).
    serde_json::to_value(&obj).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::environment::StrimziApiVersion;
    use crate::plan::connectors::Transform;
    use serde_json::json;

    fn plan(connector_type: ConnectorType) -> ConnectorPlan {
        ConnectorPlan {
            name: "orders-to-warehouse".into(),
            class: "io.confluent.connect.jdbc.JdbcSinkConnector".into(),
            connector_type,
            tasks_max: Some(2),
            topics: vec!["orders.created.v1".into(), "orders.updated.v1".into()],
            config: BTreeMap::from([(
                "connection.url".to_string(),
                "${secrets:kafka/warehouse-db:url}".to_string(),
            )]),
            state: Some(ConnectorState::Running),
            transforms: Vec::new(),
        }
    }

    fn env() -> EnvironmentSpec {
        let mut env = EnvironmentSpec::default();
        env.strimzi.connect_cluster = Some("connect".into());
        env
    }

    #[test]
    fn sink_connector_on_the_connect_cluster() {
        let o = kafka_connector(
            "orders",
            "team-orders",
            Some("kafka"),
            &plan(ConnectorType::Sink),
            &env(),
        );
        assert_eq!(
            o,
            json!({
                "apiVersion": "kafka.strimzi.io/v1",
                "kind": "KafkaConnector",
                "metadata": {
                    "name": "orders-to-warehouse",
                    "namespace": "kafka",
                    "labels": {
                        "app.kubernetes.io/managed-by": "kbundle",
                        "app.kubernetes.io/part-of": "orders",
                        "kbundle.dev/owner": "team-orders",
                        "strimzi.io/cluster": "connect",
                    },
                    "annotations": {"argocd.argoproj.io/sync-wave": "2"},
                },
                "spec": {
                    "class": "io.confluent.connect.jdbc.JdbcSinkConnector",
                    "tasksMax": 2,
                    "config": {
                        "connection.url": "${secrets:kafka/warehouse-db:url}",
                        "topics": "orders.created.v1,orders.updated.v1",
                    },
                    "state": "running",
                },
            })
        );
    }

    #[test]
    fn source_topics_are_not_config() {
        let mut p = plan(ConnectorType::Source);
        p.config.insert("topic".into(), "orders.created.v1".into());
        let o = kafka_connector("orders", "team-orders", None, &p, &env());
        assert_eq!(o["spec"]["config"].get("topics"), None);
        assert_eq!(o["spec"]["config"]["topic"], "orders.created.v1");
        assert_eq!(o["metadata"].get("namespace"), None);
    }

    #[test]
    fn optional_fields_are_left_out() {
        let mut p = plan(ConnectorType::Source);
        p.tasks_max = None;
        p.state = None;
        p.config.clear();
        let mut e = env();
        e.strimzi.api_version = StrimziApiVersion::V1beta2;
        let o = kafka_connector("orders", "t", None, &p, &e);
        assert_eq!(o["apiVersion"], "kafka.strimzi.io/v1beta2");
        assert_eq!(
            o["spec"],
            json!({"class": "io.confluent.connect.jdbc.JdbcSinkConnector"})
        );
    }

    #[test]
    fn extra_transforms_run_first() {
        let mut p = plan(ConnectorType::Sink);
        p.config.insert("transforms".into(), "route".into());
        p.config
            .insert("transforms.route.type".into(), "RegexRouter".into());
        p.transforms = vec![Transform {
            alias: "kbundle-mask".into(),
            class: "org.apache.kafka.connect.transforms.MaskField$Value".into(),
            config: BTreeMap::from([("fields".to_string(), "email".to_string())]),
        }];
        let o = kafka_connector("orders", "t", None, &p, &env());
        let config = &o["spec"]["config"];
        assert_eq!(config["transforms"], "kbundle-mask,route");
        assert_eq!(
            config["transforms.kbundle-mask.type"],
            "org.apache.kafka.connect.transforms.MaskField$Value"
        );
        assert_eq!(config["transforms.kbundle-mask.fields"], "email");
    }
}
