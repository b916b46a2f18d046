//! Topics: defaults merged in, object names derived, deletion protection decided.

use super::TopicPlan;
use crate::model::ConfigValue;
use crate::model::bundle::{Deletion, Topic};
use crate::model::environment::EnvironmentSpec;
use crate::names::topic_object_name;
use crate::validate::topic_config::{ConfigType, as_integer, config_type};

/// A config value as emitted. Kafka's INT and LONG configs are emitted as integers even when
/// written `1e9` or `1.0e6` (YAML floats): the topic operator hands Kafka `1000000000.0`
/// otherwise, which Kafka refuses for a LONG. Validation has checked the value is whole and in
/// range.
fn config_json(key: &str, v: &ConfigValue) -> serde_json::Value {
    match (config_type(key), v) {
        (Some(ConfigType::Integer), ConfigValue::Float(_)) => {
            as_integer(v).map_or_else(|| v.to_json(), serde_json::Value::from)
        }
        _ => v.to_json(),
    }
}

pub fn plan_topic(t: &Topic, env: &EnvironmentSpec) -> TopicPlan {
    // The Environment's topicConfig first, the topic's own config over it.
    let mut config: std::collections::BTreeMap<String, serde_json::Value> = env
        .defaults
        .topic_config
        .iter()
        .map(|(k, v)| (k.clone(), config_json(k, v)))
        .collect();
    for (k, v) in &t.config {
        config.insert(k.clone(), config_json(k, v));
    }
    TopicPlan {
        topic_name: t.name.clone(),
        object_name: t
            .object_name
            .clone()
            .unwrap_or_else(|| topic_object_name(&t.name)),
        partitions: t.partitions.unwrap_or(env.defaults.partitions),
        replicas: t.replicas.unwrap_or(env.defaults.replicas),
        config,
        // Deletion needs both the topic's and the platform's consent (DESIGN §3).
        retain: !(t.deletion == Some(Deletion::Allow) && env.policy.allow_topic_deletion),
    }
}
