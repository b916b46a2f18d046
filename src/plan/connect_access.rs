//! Connector access: with the Environment's `connect` set (on target confluent:
//! `confluent.connectorPrincipals`), each connector runs as a principal
//! kbundle generates for it (`connect-<connector>`), with the grants its type needs, in the
//! same neutral [`Grant`] terms as every principal. How the connector's clients are pointed at
//! that principal is the backend's business (Strimzi: client overrides reading the KafkaUser
//! Secret through `KubernetesSecretConfigProvider`, `backend::strimzi::connect_access`; CFK:
//! the same overrides reading a mounted Secret, `backend::confluent::connect_access`).

use super::UserPlan;
use super::access::{Access, Grant};
use crate::model::bundle::{
    AclResourceType, Authentication, Connector, ConnectorType, PatternType,
};
use crate::model::environment::ConnectPrincipals;
use crate::model::pattern::{Pattern, parse_pattern};
use crate::derive::connect::{ExactlyOnce, own_offsets_topic, exactly_once, user_name, sink_group, dlq_topic};

/// A connector and the principal it runs as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectorPrincipal {
    pub connector: String,
    pub user: String,
    pub connector_type: ConnectorType,
    /// A sink's dead-letter topic, written by the connector's producer.
    pub dlq: Option<String>,
    /// A source that reads its own offsets back as the connector's principal (exactly-once,
    /// or with an `offsets.storage.topic` of its own): its consumer is overridden too.
    pub offsets_consumer: bool,
}

impl ConnectorPrincipal {
    /// The Kafka clients of the connector that authenticate as its principal, on every
    /// backend: a sink's consumer, and its producer when it writes a dead-letter topic; a
    /// source's producer. Each with the admin client, which creates topics (a source's
    /// `topic.creation.*`, KIP-158; a sink's DLQ). A source that reads its offsets back as
    /// itself (exactly-once, or its own `offsets.storage.topic`) does so with a consumer built
    /// from `consumer.override.*` (Kafka's Worker.exactlyOnceSourceOffsetsConsumerConfigs,
    /// regularSourceOffsetsConsumerConfigs); exactly-once tasks are fenced with the admin.
    pub fn clients(&self) -> &'static [&'static str] {
        if self.offsets_consumer {
            return &["producer", "consumer", "admin"];
        }
        match (self.connector_type, self.dlq.is_some()) {
            (ConnectorType::Sink, false) => &["consumer"],
            (ConnectorType::Sink, true) => &["consumer", "producer", "admin"],
            (ConnectorType::Source, _) => &["producer", "admin"],
        }
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
pub fn grants(c: &Connector, eos: Option<&ExactlyOnce>) -> Vec<Grant> {
    use AclResourceType::{Group, Topic, TransactionalId};
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
            if let Some(e) = eos {
                let txn = format!("{}*", e.transactional_id_prefix);
                push(&mut out, TransactionalId, &txn, Access::Transact);
            }
            // Offsets are written by the task's producer (in its transaction, exactly-once)
            // and read back by a consumer built from the connector's overrides.
            let offsets = eos
                .map(|e| e.offsets_topic.clone())
                .or_else(|| own_offsets_topic(c));
            if let Some(t) = offsets {
                push(&mut out, Topic, &t, Access::Consume);
                push(&mut out, Topic, &t, Access::Produce);
            }
        }
    }
    out
}

/// Users and connector principals of a bundle's connectors.
pub fn plan(
    connectors: &[Connector],
    connect: Option<&ConnectPrincipals>,
) -> (Vec<UserPlan>, Vec<ConnectorPrincipal>) {
    connectors
        .iter()
        .map(|c| {
            let user = user_name(&c.name);
            let eos = connect.and_then(|connect| exactly_once(c, connect));
            (
                UserPlan {
                    name: user.clone(),
                    // The Connect workers authenticate with SCRAM; the override carries the
                    // generated user's `sasl.jaas.config` from its Secret.
                    authentication: Some(Authentication::ScramSha512),
                    grants: grants(c, eos.as_ref()),
                    raw_acls: Vec::new(),
                    quotas: None,
                },
                ConnectorPrincipal {
                    connector: c.name.clone(),
                    user,
                    connector_type: c.effective_type().unwrap_or(ConnectorType::Sink),
                    dlq: dlq_topic(c),
                    offsets_consumer: eos.is_some() || own_offsets_topic(c).is_some(),
                },
            )
        })
        .unzip()
}
