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
use crate::model::environment::{ConnectPrincipals, ExactlyOnceSourceSupport};
use crate::model::pattern::{Pattern, parse_pattern};

/// Kafka Connect's config key naming a sink's dead-letter topic.
pub const DLQ_TOPIC: &str = "errors.deadletterqueue.topic.name";

/// A source connector's own offsets topic (KIP-618), instead of the worker's.
pub const OFFSETS_TOPIC: &str = "offsets.storage.topic";

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

/// What an exactly-once source connector writes besides its topics (Kafka's docs/connect.html,
/// "Exactly-once source connectors", ACL requirements per connector): its tasks' transactional
/// ids `<groupId>-<connector>-<task>` and its offsets topic (the connector's
/// `offsets.storage.topic`, else the worker's), which it reads back as well.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExactlyOnce {
    pub transactional_id_prefix: String,
    pub offsets_topic: String,
}

/// A source connector's own offsets topic (`offsets.storage.topic` in its config). On a
/// distributed Connect cluster its tasks write and read their offsets there with the
/// connector's own clients, exactly-once or not (`Worker.offsetStoreForRegularSourceTask`).
pub fn own_offsets_topic(c: &Connector) -> Option<String> {
    if c.effective_type() != Some(ConnectorType::Source) {
        return None;
    }
    match c.config.get(OFFSETS_TOPIC) {
        Some(ConfigValue::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
        _ => None,
    }
}

/// The exactly-once part of a source connector's access on this Connect cluster; `None` for
/// sinks, and unless the Environment says the workers run with
/// `exactly.once.source.support=enabled` (with `preparing`, only the workers need ACLs).
pub fn exactly_once(c: &Connector, connect: &ConnectPrincipals) -> Option<ExactlyOnce> {
    if c.effective_type() != Some(ConnectorType::Source)
        || connect.exactly_once_source_support != Some(ExactlyOnceSourceSupport::Enabled)
    {
        return None;
    }
    let own = own_offsets_topic(c);
    // Missing settings are refused by validation (KB146); nothing is guessed here.
    let offsets_topic = own.or_else(|| connect.offsets_topic.clone())?;
    let group = connect.group_id.as_deref()?;
    Some(ExactlyOnce {
        // Worker.taskTransactionalId: `String.format("%s-%s-%d", groupId, connector, taskId)`;
        // the trailing `-` keeps connector `a` from covering connector `a-b`'s ids.
        transactional_id_prefix: format!("{group}-{}-", c.name),
        offsets_topic,
    })
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
