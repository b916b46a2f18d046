//! What a connector running as its own principal is named and uses besides its topics: the
//! facts the check stage and the plan both derive from the model.

use crate::model::ConfigValue;
use crate::model::bundle::{Connector, ConnectorType};
use crate::model::environment::{ConnectPrincipals, ExactlyOnceSourceSupport};

/// Kafka Connect's config key naming a sink's dead-letter topic.
pub const DLQ_TOPIC: &str = "errors.deadletterqueue.topic.name";

/// A source connector's own offsets topic (KIP-618), instead of the worker's.
pub const OFFSETS_TOPIC: &str = "offsets.storage.topic";

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
