//! Topics: defaults merged in, object names derived, deletion protection decided.

use super::TopicPlan;
use crate::model::bundle::{Deletion, Topic};
use crate::model::environment::EnvironmentSpec;
use crate::names::topic_object_name;

pub fn plan_topic(t: &Topic, env: &EnvironmentSpec) -> TopicPlan {
    // The Environment's topicConfig first, the topic's own config over it.
    let mut config: std::collections::BTreeMap<String, serde_json::Value> = env
        .defaults
        .topic_config
        .iter()
        .map(|(k, v)| (k.clone(), v.to_json()))
        .collect();
    for (k, v) in &t.config {
        config.insert(k.clone(), v.to_json());
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
