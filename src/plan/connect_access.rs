//! Connector access: with the Environment's `connect` set (on target confluent:
//! `confluent.connectorPrincipals`), each connector runs as a principal
//! kbundle generates for it (`connect-<connector>`), with the grants its type needs, in the
//! same neutral [`Grant`] terms as every principal. How the connector's clients are pointed at
//! that principal is the backend's business (Strimzi: client overrides reading the KafkaUser
//! Secret through `KubernetesSecretConfigProvider`, `backend::strimzi::connect_access`; CFK:
//! the same overrides reading a mounted Secret, `backend::confluent::connect_access`).

use super::UserPlan;
use super::access::{Access, Grant};
use crate::model::ConfigValue;
use crate::model::bundle::{
    AclResourceType, Authentication, Connector, ConnectorType, PatternType,
};
use crate::model::pattern::{Pattern, parse_pattern};

/// Kafka Connect's config key naming a sink's dead-letter topic.
pub const DLQ_TOPIC: &str = "errors.deadletterqueue.topic.name";

/// A connector and the principal it runs as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectorPrincipal {
    pub connector: String,
    pub user: String,
    pub connector_type: ConnectorType,
    /// A sink's dead-letter topic, written by the connector's producer.
    pub dlq: Option<String>,
}

/// Whether connectors run as their own principals: the Environment's `connect` (Strimzi), or
/// on target confluent its `confluent.connectorPrincipals` (`connect` there is refused, KB159,
/// so it switches nothing on).
pub fn enabled(env: &crate::model::environment::EnvironmentSpec) -> bool {
    use crate::model::environment::Target;
    (env.target != Target::Confluent && env.connect.is_some())
        || confluent_principals(env).is_some()
}

/// CFK's connector principals settings, when the target is confluent.
pub fn confluent_principals(
    env: &crate::model::environment::EnvironmentSpec,
) -> Option<&crate::model::confluent::ConfluentConnectorPrincipals> {
    if env.target != crate::model::environment::Target::Confluent {
        return None;
    }
    env.confluent.as_ref()?.connector_principals.as_ref()
}

/// The generated principal's name; also the KafkaUser and its Secret.
pub fn user_name(connector: &str) -> String {
    format!("connect-{connector}")
}

/// A sink's consumer group: Kafka Connect names it `connect-<connector>`.
pub fn sink_group(connector: &str) -> String {
    format!("connect-{connector}")
}

pub fn dlq_topic(c: &Connector) -> Option<String> {
    match c.config.get(DLQ_TOPIC) {
        Some(ConfigValue::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
        _ => None,
    }
}

fn push(out: &mut Vec<Grant>, resource_type: AclResourceType, raw: &str, access: Access) {
    let Ok(p) = parse_pattern(raw) else { return };
    let (pattern_type, name) = match p {
        Pattern::Literal(n) => (PatternType::Literal, n),
        Pattern::Prefix(n) => (PatternType::Prefix, n),
    };
    out.push(Grant {
        resource_type,
        pattern_type,
        name: name.to_string(),
        access,
    });
}

/// The grants of one connector: a sink reads its topics in group `connect-<name>` and writes
/// its dead-letter topic; a source writes its topics.
pub fn grants(c: &Connector) -> Vec<Grant> {
    use AclResourceType::{Group, Topic};
    let mut out = Vec::new();
    match c.effective_type().unwrap_or(ConnectorType::Sink) {
        ConnectorType::Sink => {
            for t in &c.topics {
                push(&mut out, Topic, t, Access::Consume);
            }
            push(&mut out, Group, &sink_group(&c.name), Access::JoinGroup);
            if let Some(dlq) = dlq_topic(c) {
                push(&mut out, Topic, &dlq, Access::Produce);
            }
        }
        ConnectorType::Source => {
            for t in &c.topics {
                push(&mut out, Topic, t, Access::Produce);
            }
        }
    }
    out
}

/// Users and connector principals of a bundle's connectors.
pub fn plan(connectors: &[Connector]) -> (Vec<UserPlan>, Vec<ConnectorPrincipal>) {
    connectors
        .iter()
        .map(|c| {
            let user = user_name(&c.name);
            (
                UserPlan {
                    name: user.clone(),
                    // The Connect workers authenticate with SCRAM; the override carries the
                    // generated user's `sasl.jaas.config` from its Secret.
                    authentication: Some(Authentication::ScramSha512),
                    grants: grants(c),
                    raw_acls: Vec::new(),
                    quotas: None,
                },
                ConnectorPrincipal {
                    connector: c.name.clone(),
                    user,
                    connector_type: c.effective_type().unwrap_or(ConnectorType::Sink),
                    dlq: dlq_topic(c),
                },
            )
        })
        .unzip()
}
