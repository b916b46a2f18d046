//! The neutral model between validation and a target: what each bundle needs, with defaults
//! applied and roles expanded, but no operator-specific shape yet.

pub mod access;
pub mod alerts;
pub mod connect_access;
pub mod connectors;
pub mod hooks;
pub mod ksql;
pub mod masking;
pub mod schemas;
pub mod tests;
pub mod topics;

use crate::model::bundle::{Authentication, Quotas};
use crate::model::environment::EnvironmentSpec;
use crate::validate::{BundleInput, CheckedBundle, EnvInput};
use serde_json::Value;
use std::collections::BTreeMap;

/// Everything to generate for one bundle.
#[derive(Debug, Clone)]
pub struct BundlePlan {
    pub name: String,
    pub owner: String,
    pub namespace: Option<String>,
    pub topics: Vec<TopicPlan>,
    pub users: Vec<UserPlan>,
    /// Schema Registry subjects to register.
    pub subjects: Vec<schemas::SubjectPlan>,
    /// PreSync/PostSync Jobs (migrations, acceptance tests), in emission order.
    pub hooks: Vec<hooks::HookJob>,
    /// Connectors, masking transforms already in place.
    pub connectors: Vec<connectors::ConnectorPlan>,
    /// The principal each connector runs as, when the Environment's `connect` asks for it
    /// (their users are in `users`).
    pub connector_principals: Vec<connect_access::ConnectorPrincipal>,
    /// The published masking policy (JSON), when the bundle masks anything.
    pub masking_policy: Option<String>,
    /// Lag and throughput alerts.
    pub alerts: Vec<alerts::AlertPlan>,
}

#[derive(Debug, Clone)]
pub struct TopicPlan {
    /// Exact Kafka topic name.
    pub topic_name: String,
    /// Kubernetes-safe `metadata.name`.
    pub object_name: String,
    pub partitions: u32,
    pub replicas: u32,
    pub config: BTreeMap<String, Value>,
    /// Protected from Argo CD prune and app deletion.
    pub retain: bool,
}

#[derive(Debug, Clone)]
pub struct UserPlan {
    pub name: String,
    pub authentication: Option<Authentication>,
    /// What the principal's roles allow, in role terms.
    pub grants: Vec<access::Grant>,
    /// Raw rules as the bundle wrote them.
    pub raw_acls: Vec<access::RawAcl>,
    pub quotas: Option<Quotas>,
}

/// Plan one bundle; call only after validation found no errors.
pub fn plan_bundle(b: &CheckedBundle, env: &EnvInput) -> BundlePlan {
    let env = &env.env.spec;
    let spec = &b.bundle.spec;
    let mut connectors = connectors::plan_connectors(b);
    let masked = masking::plan_masking(b, env);
    masking::enforce(&mut connectors, &masked);
    let masking_policy = (!masked.is_empty()).then(|| {
        masking::policy_document(&b.bundle.metadata.name, &spec.owner, &masked, &connectors)
    });
    let mut users: Vec<UserPlan> = spec.principals.iter().map(access::plan_user).collect();
    let connector_principals = if crate::derive::connect::enabled(env) {
        // CFK's connector principals have no `spec.connect` (and no exactly-once grants yet).
        let (connector_users, principals) =
            connect_access::plan(&spec.connectors, env.connect.as_ref());
        users.extend(connector_users);
        principals
    } else {
        Vec::new()
    };
    BundlePlan {
        connector_principals,
        name: b.bundle.metadata.name.clone(),
        owner: spec.owner.clone(),
        // The Environment decides; else the namespace kustomize or the user gave the bundle.
        namespace: env
            .namespace
            .clone()
            .or_else(|| b.bundle.metadata.namespace.clone()),
        topics: spec
            .topics
            .iter()
            .map(|t| topics::plan_topic(t, env))
            .collect(),
        users,
        subjects: subjects(b, env),
        hooks: {
            // Migrations (wave 0), then PostSync tests.
            let mut h = Vec::new();
            if let Some(Ok(files)) = &b.migrations {
                h.push(ksql::migration_job(b, env, files));
            }
            h.extend(tests::test_jobs(b, env));
            h
        },
        connectors,
        masking_policy,
        alerts: alerts::plan_alerts(b, env),
    }
}

fn subjects(b: &BundleInput, env: &EnvironmentSpec) -> Vec<schemas::SubjectPlan> {
    let spec = &b.bundle.spec;
    crate::derive::schemas::subjects_of(&b.bundle)
        .into_iter()
        .filter_map(|(i, subject)| {
            let s = spec.schemas.get(i)?;
            // Validation has read every file; a missing one cannot get here.
            let text = b.files.get(&s.file)?.as_ref().ok()?.text.clone();
            Some(schemas::SubjectPlan {
                subject,
                schema: s.name.clone(),
                text,
                compatibility: s.compatibility.unwrap_or(env.defaults.compatibility),
            })
        })
        .collect()
}
