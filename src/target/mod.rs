//! Targets turn the neutral plan into concrete objects for one Kafka operator.

pub mod connect;
pub mod jobs;
pub mod prometheus;
pub mod strimzi;

use crate::model::environment::{EnvironmentSpec, Target};
use crate::plan::BundlePlan;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde_json::Value;
use std::collections::BTreeMap;

pub const MANAGED_BY: &str = "app.kubernetes.io/managed-by";
pub const PART_OF: &str = "app.kubernetes.io/part-of";
pub const OWNER: &str = "kbundle.dev/owner";
pub const MANAGER: &str = "kbundle";

/// The labels every generated object carries (DESIGN §2).
pub fn labels(bundle: &str, owner: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        (MANAGED_BY.to_string(), MANAGER.to_string()),
        (PART_OF.to_string(), bundle.to_string()),
        (OWNER.to_string(), owner.to_string()),
    ])
}

pub fn object_meta(
    name: &str,
    namespace: Option<&str>,
    labels: BTreeMap<String, String>,
) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.to_string()),
        namespace: namespace.map(str::to_string),
        labels: Some(labels),
        ..ObjectMeta::default()
    }
}

/// Objects for every bundle, grouped by bundle in plan order.
pub fn generate(plans: &[BundlePlan], env: &EnvironmentSpec) -> Vec<(String, Vec<Value>)> {
    plans
        .iter()
        .map(|p| {
            let mut objects = match env.target {
                Target::Strimzi => strimzi::objects(p, env),
                // Refused during validation (KB006) until the confluent target lands.
                Target::Confluent => Vec::new(),
            };
            if env.target == Target::Strimzi {
                for c in &p.connectors {
                    objects.push(connect::kafka_connector(
                        &p.name,
                        &p.owner,
                        p.namespace.as_deref(),
                        c,
                        env,
                    ));
                }
            }
            let ns = p.namespace.as_deref();
            objects.extend(prometheus::prometheus_rule(
                &p.name, &p.owner, ns, &p.alerts, env,
            ));
            objects.extend(prometheus::alertmanager_config(
                &p.name, &p.owner, ns, &p.alerts, env,
            ));
            if let Some(policy) = &p.masking_policy {
                objects.push(masking_policy_config_map(p, policy));
            }
            for h in &p.hooks {
                objects.extend(jobs::hook_objects(h));
            }
            (p.name.clone(), objects)
        })
        .collect()
}

/// `<bundle>-masking-policy`: the bundle's masking rules as JSON (`policy.json`), for gateways
/// and audits.
fn masking_policy_config_map(p: &BundlePlan, policy: &str) -> Value {
    let cm = k8s_openapi::api::core::v1::ConfigMap {
        metadata: object_meta(
            &format!("{}-masking-policy", p.name),
            p.namespace.as_deref(),
            labels(&p.name, &p.owner),
        ),
        data: Some(BTreeMap::from([(
            "policy.json".to_string(),
            policy.to_string(),
        )])),
        ..Default::default()
    };
    serde_json::to_value(&cm).unwrap_or(Value::Null)
}
