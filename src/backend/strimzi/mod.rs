//! The Strimzi backend: the neutral plan as `KafkaTopic`, `KafkaUser` and `KafkaConnector`
//! objects of `kafka.strimzi.io/v1` (Strimzi 0.49+) or `v1beta2` (Strimzi up to 0.51), schema
//! registration as PreSync Jobs, alerts on Kafka Exporter metrics.

pub mod acl;
mod check;
pub mod connect;
pub mod connect_access;
pub mod metrics;

use crate::backend::shared::{self, object_meta};
use crate::diag::Diagnostic;
use crate::model::bundle::{AclRuleType, Quotas};
use crate::model::environment::EnvironmentSpec;
use crate::model::labels::labels;
use crate::plan::alerts::AlertCondition;
use crate::plan::{BundlePlan, TopicPlan, UserPlan};
use crate::validate::EnvInput;
use acl::AclPlan;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// Argo CD keeps a resource with this annotation when it leaves Git or the app is deleted.
pub const RETAIN_OPTIONS: &str = "Prune=false,Delete=false";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct KafkaTopic {
    api_version: &'static str,
    kind: &'static str,
    metadata: ObjectMeta,
    spec: KafkaTopicSpec,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct KafkaTopicSpec {
    topic_name: String,
    partitions: u32,
    replicas: u32,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    config: BTreeMap<String, Value>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct KafkaUser {
    api_version: &'static str,
    kind: &'static str,
    metadata: ObjectMeta,
    spec: KafkaUserSpec,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct KafkaUserSpec {
    #[serde(skip_serializing_if = "Option::is_none")]
    authentication: Option<UserAuthentication>,
    authorization: Authorization,
    #[serde(skip_serializing_if = "Option::is_none")]
    quotas: Option<Quotas>,
}

#[derive(Serialize)]
struct UserAuthentication {
    #[serde(rename = "type")]
    auth_type: &'static str,
}

#[derive(Serialize)]
struct Authorization {
    #[serde(rename = "type")]
    auth_type: &'static str,
    acls: Vec<AclRule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AclRule {
    resource: AclResource,
    operations: Vec<crate::model::bundle::AclOperation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    host: Option<String>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    rule_type: Option<AclRuleType>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AclResource {
    #[serde(rename = "type")]
    resource_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pattern_type: Option<crate::model::bundle::PatternType>,
}

/// The Strimzi backend.
pub struct Strimzi;

impl super::Backend for Strimzi {
    fn check_environment(&self, env: &EnvInput, out: &mut Vec<Diagnostic>) {
        check::check_environment(env, out);
    }

    /// Topics, users, connectors, then what every backend emits; Strimzi registers schemas
    /// through PreSync Jobs.
    fn objects(&self, plan: &BundlePlan, env: &EnvironmentSpec) -> Vec<Value> {
        let mut out = Vec::with_capacity(plan.topics.len() + plan.users.len());
        for t in &plan.topics {
            out.push(to_value(&kafka_topic(plan, t, env)));
        }
        for u in &plan.users {
            out.push(to_value(&kafka_user(plan, u, env)));
        }
        for c in &plan.connectors {
            let mut v = connect::kafka_connector(
                &plan.name,
                &plan.owner,
                plan.namespace.as_deref(),
                c,
                env,
            );
            // Validation requires a namespace when connectors run as their own principals.
            if let (Some(p), Some(ns)) = (
                plan.connector_principals
                    .iter()
                    .find(|p| p.connector == c.name),
                plan.namespace.as_deref(),
            ) {
                connect_access::add_overrides(&mut v, p, ns);
            }
            out.push(v);
        }
        if let Some(ns) = plan.namespace.as_deref() {
            out.extend(connect_access::rbac(plan, env, ns));
        }
        shared::common_objects(plan, env, &|c| self.alert_expr(c), true, &mut out);
        out
    }

    fn alert_expr(&self, condition: &AlertCondition) -> String {
        metrics::expr(condition)
    }

    fn config_reference(&self) -> crate::template::ReferenceSyntax {
        connect::config_reference
    }
}

fn to_value<T: Serialize>(v: &T) -> Value {
    // Serializing our own plain structs into a Value cannot fail (no non-string map keys).
    serde_json::to_value(v).unwrap_or(Value::Null)
}

fn cluster_labels(plan: &BundlePlan, env: &EnvironmentSpec) -> BTreeMap<String, String> {
    let mut l = labels(&plan.name, &plan.owner);
    l.insert("strimzi.io/cluster".into(), env.strimzi.cluster.clone());
    l
}

fn kafka_topic(plan: &BundlePlan, t: &TopicPlan, env: &EnvironmentSpec) -> KafkaTopic {
    let mut meta = object_meta(
        &t.object_name,
        plan.namespace.as_deref(),
        cluster_labels(plan, env),
    );
    if t.retain {
        meta.annotations = Some(BTreeMap::from([(
            "argocd.argoproj.io/sync-options".to_string(),
            RETAIN_OPTIONS.to_string(),
        )]));
    }
    KafkaTopic {
        api_version: env.strimzi.api_version.as_str(),
        kind: "KafkaTopic",
        metadata: meta,
        spec: KafkaTopicSpec {
            topic_name: t.topic_name.clone(),
            partitions: t.partitions,
            replicas: t.replicas,
            config: t.config.clone(),
        },
    }
}

fn kafka_user(plan: &BundlePlan, u: &UserPlan, env: &EnvironmentSpec) -> KafkaUser {
    KafkaUser {
        api_version: env.strimzi.api_version.as_str(),
        kind: "KafkaUser",
        metadata: object_meta(
            &u.name,
            plan.namespace.as_deref(),
            cluster_labels(plan, env),
        ),
        spec: KafkaUserSpec {
            authentication: u.authentication.map(|a| UserAuthentication {
                auth_type: a.as_str(),
            }),
            // Always present, even empty: Strimzi then removes ACLs no longer in Git.
            authorization: Authorization {
                auth_type: "simple",
                acls: acl::acls(u).iter().map(acl_rule).collect(),
            },
            quotas: u.quotas.clone(),
        },
    }
}

fn acl_rule(a: &AclPlan) -> AclRule {
    use crate::model::bundle::AclResourceType::Cluster;
    let is_cluster = a.resource_type == Cluster;
    AclRule {
        resource: AclResource {
            resource_type: a.resource_type.as_str(),
            name: if is_cluster { None } else { a.name.clone() },
            pattern_type: if is_cluster {
                None
            } else {
                Some(a.pattern_type)
            },
        },
        operations: a.operations.iter().copied().collect(),
        host: a.host.clone(),
        rule_type: a.rule_type,
    }
}
