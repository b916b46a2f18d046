//! CFK connectors: reads a [`ConnectorPlan`] and `spec.confluent`, emits a `Connector`
//! (`platform.confluent.io/v1beta1`) on the Environment's CFK Connect cluster.
//!
//! Same rules as Strimzi's (backend::strimzi::connect): a sink's topics become its `topics`
//! config, masking transforms go ahead of the connector's own. CFK requires `taskMax`; a
//! connector without `tasksMax` gets 1, Kafka Connect's own default for `tasks.max`. CFK's
//! Connector has no state field, so `state: paused|stopped` is refused by check (KB158).

use crate::backend::shared::jobs::SYNC_WAVE;
use crate::backend::shared::object_meta;
use crate::backend::strimzi::connect::CONNECTOR_WAVE;
use crate::model::environment::ConfluentSettings;
use crate::model::labels::labels;
use crate::plan::connectors::{ConnectorPlan, ConnectorType, apply_transforms};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// Where a CFK Connect pod sees a Secret listed in its `spec.mountedSecrets`: CFK mounts each
/// one as a directory, one file per key, under `/mnt/secrets/<secret>`.
pub const SECRETS_DIR: &str = "/mnt/secrets";

/// Where kbundle expects ConfigMaps to be mounted on the Connect pods (`spec.mountedVolumes`),
/// one file per key, under `/mnt/configmaps/<configmap>`.
pub const CONFIGMAPS_DIR: &str = "/mnt/configmaps";

/// How a CFK connector config references a Secret or ConfigMap key: Kafka's
/// `DirectoryConfigProvider` (KIP-632), registered on the Connect cluster as
/// `config.providers=directory`, reads `${directory:<dir>:<key>}` — the file `<key>` in the
/// mounted directory — when the task starts. The namespace is not part of the reference: CFK
/// mounts Secrets of the Connect cluster's own namespace.
pub fn config_reference(
    kind: crate::template::ReferenceKind,
    _namespace: &str,
    name: &str,
    key: &str,
) -> String {
    let dir = match kind {
        crate::template::ReferenceKind::Secret => SECRETS_DIR,
        crate::template::ReferenceKind::ConfigMap => CONFIGMAPS_DIR,
    };
    format!("${{directory:{dir}/{name}:{key}}}")
}

/// The Connector for one connector of bundle `bundle` owned by `owner`.
pub fn connector(
    bundle: &str,
    owner: &str,
    namespace: Option<&str>,
    c: &ConnectorPlan,
    settings: &ConfluentSettings,
) -> Value {
    let mut meta = object_meta(&c.name, namespace, labels(bundle, owner));
    meta.annotations = Some(BTreeMap::from([(
        SYNC_WAVE.to_string(),
        CONNECTOR_WAVE.to_string(),
    )]));
    let mut config = c.config.clone();
    if c.connector_type == ConnectorType::Sink && !c.topics.is_empty() {
        config.insert("topics".to_string(), c.topics.join(","));
    }
    apply_transforms(&mut config, &c.transforms);

    let mut spec = Map::new();
    spec.insert("class".into(), json!(c.class));
    spec.insert("taskMax".into(), json!(c.tasks_max.unwrap_or(1)));
    if !config.is_empty() {
        spec.insert("configs".into(), json!(config));
    }
    // Validation requires a Connect cluster when a bundle has connectors (KB156).
    if let Some(cluster) = &settings.connect_cluster_ref {
        spec.insert("connectClusterRef".into(), json!({"name": cluster}));
    }
    json!({
        "apiVersion": super::API_VERSION,
        "kind": "Connector",
        "metadata": serde_json::to_value(&meta).unwrap_or(Value::Null),
        "spec": Value::Object(spec),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::connectors::Transform;
    use crate::template::ReferenceKind;

    fn plan() -> ConnectorPlan {
        ConnectorPlan {
            name: "orders-to-warehouse".into(),
            class: "io.confluent.connect.jdbc.JdbcSinkConnector".into(),
            connector_type: ConnectorType::Sink,
            tasks_max: None,
            topics: vec!["orders.created.v1".into()],
            config: BTreeMap::from([("transforms".to_string(), "route".to_string())]),
            state: None,
            transforms: vec![Transform {
                alias: "kbundle-mask".into(),
                class: "org.apache.kafka.connect.transforms.MaskField$Value".into(),
                config: BTreeMap::from([("fields".to_string(), "email".to_string())]),
            }],
        }
    }

    #[test]
    fn connector_on_the_cfk_connect_cluster() {
        let settings = ConfluentSettings {
            connect_cluster_ref: Some("connect".into()),
            ..Default::default()
        };
        let o = connector("orders", "team", Some("confluent"), &plan(), &settings);
        assert_eq!(o["kind"], "Connector");
        assert_eq!(o["spec"]["taskMax"], 1);
        assert_eq!(o["spec"]["connectClusterRef"]["name"], "connect");
        assert_eq!(o["spec"]["configs"]["topics"], "orders.created.v1");
        assert_eq!(o["spec"]["configs"]["transforms"], "kbundle-mask,route");
        assert_eq!(o["spec"].get("tasksMax"), None);
    }

    #[test]
    fn secrets_are_read_from_the_mounted_directory() {
        assert_eq!(
            config_reference(ReferenceKind::Secret, "kafka", "warehouse-db", "url"),
            "${directory:/mnt/secrets/warehouse-db:url}"
        );
        assert_eq!(
            config_reference(ReferenceKind::ConfigMap, "kafka", "cfg", "k"),
            "${directory:/mnt/configmaps/cfg:k}"
        );
    }
}
