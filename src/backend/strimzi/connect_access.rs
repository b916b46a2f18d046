//! Connectors as their own principals on Strimzi: the KafkaConnector's clients authenticate as
//! the connector's KafkaUser through Kafka Connect client overrides
//! (`consumer.override.*`, `producer.override.*`, `admin.override.*`, allowed by the worker's
//! `connector.client.config.override.policy` `All` or `Principal`), whose `sasl.jaas.config`
//! is read from the KafkaUser's Secret by Strimzi's `KubernetesSecretConfigProvider`
//! (`${secrets:<namespace>/<user>:sasl.jaas.config}`). A Role lets the Connect cluster's
//! service account `get` exactly those Secrets, and a RoleBinding binds it.

use super::connect::config_reference;
use crate::backend::shared::object_meta;
use crate::model::environment::EnvironmentSpec;
use crate::model::labels::labels;
use crate::plan::BundlePlan;
use crate::plan::connect_access::ConnectorPrincipal;
use crate::template::ReferenceKind;
use serde_json::{Value, json};

/// The Secret key of a Strimzi SCRAM-SHA-512 KafkaUser holding a ready JAAS line.
const JAAS_KEY: &str = "sasl.jaas.config";

/// Add the overrides to a rendered KafkaConnector (`spec.config`).
pub fn add_overrides(connector: &mut Value, p: &ConnectorPrincipal, namespace: &str) {
    let Some(config) = connector
        .pointer_mut("/spec/config")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    let jaas = config_reference(ReferenceKind::Secret, namespace, &p.user, JAAS_KEY);
    for client in p.clients() {
        config.insert(
            format!("{client}.override.sasl.jaas.config"),
            Value::String(jaas.clone()),
        );
        config.insert(
            format!("{client}.override.sasl.mechanism"),
            Value::String("SCRAM-SHA-512".into()),
        );
    }
}

/// Role + RoleBinding: the Connect service account may read the connectors' user Secrets,
/// named one by one. Named after the bundle, so no two bundles emit the same object.
pub fn rbac(plan: &BundlePlan, env: &EnvironmentSpec, namespace: &str) -> Vec<Value> {
    let Some(connect) = &env.connect else {
        return Vec::new();
    };
    if plan.connector_principals.is_empty() {
        return Vec::new();
    }
    let name = format!("{}-connector-secrets", plan.name);
    let secrets: Vec<&str> = plan
        .connector_principals
        .iter()
        .map(|p| p.user.as_str())
        .collect();
    let meta = || {
        serde_json::to_value(object_meta(
            &name,
            Some(namespace),
            labels(&plan.name, &plan.owner),
        ))
        .unwrap_or(Value::Null)
    };
    vec![
        json!({
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "Role",
            "metadata": meta(),
            "rules": [{
                "apiGroups": [""],
                "resources": ["secrets"],
                "resourceNames": secrets,
                "verbs": ["get"],
            }],
        }),
        json!({
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": meta(),
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": name},
            "subjects": [{
                "kind": "ServiceAccount",
                "name": connect.service_account,
                "namespace": connect.namespace.as_deref().unwrap_or(namespace),
            }],
        }),
    ]
}
