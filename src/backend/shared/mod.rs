//! Builders every backend shares: Argo CD hook Jobs, Prometheus Operator objects, the masking
//! policy ConfigMap and schema registration Jobs.

pub mod jobs;
pub mod prometheus;
pub mod registration;

use crate::model::environment::EnvironmentSpec;
use crate::model::labels::labels;
use crate::plan::BundlePlan;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde_json::Value;
use std::collections::BTreeMap;

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

/// `<bundle>-masking-policy`: the bundle's masking rules as JSON (`policy.json`), for gateways
/// and audits.
pub fn masking_policy_config_map(p: &BundlePlan, policy: &str) -> Value {
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

/// What every backend emits after its own objects, in this order: alert rules and routing, the
/// masking policy, then hook Jobs (registration Jobs first when the backend asks for them).
pub fn common_objects(
    p: &BundlePlan,
    env: &EnvironmentSpec,
    expr: &dyn Fn(&crate::plan::alerts::AlertCondition) -> String,
    register_schemas: bool,
    out: &mut Vec<Value>,
) {
    let ns = p.namespace.as_deref();
    out.extend(prometheus::prometheus_rule(
        &p.name, &p.owner, ns, &p.alerts, env, expr,
    ));
    out.extend(prometheus::alertmanager_config(
        &p.name, &p.owner, ns, &p.alerts, env,
    ));
    if let Some(policy) = &p.masking_policy {
        out.push(masking_policy_config_map(p, policy));
    }
    if register_schemas {
        for s in &p.subjects {
            let job = registration::register_job(&p.name, &p.owner, ns, s, env);
            out.extend(jobs::hook_objects(&job));
        }
    }
    for h in &p.hooks {
        out.extend(jobs::hook_objects(h));
    }
}
