//! Masking: the rules of a bundle, the Kafka Connect transforms that enforce them on every sink
//! connector reading a masked topic (ahead of the connector's own transforms, scoped to the topic
//! by a predicate), and the machine-readable policy published for gateways and audits.

use super::connectors::{ConnectorPlan, ConnectorType, Transform};
use crate::model::bundle::MaskRule;
use crate::model::environment::EnvironmentSpec;
use crate::validate::BundleInput;
use crate::validate::masking::{needs_custom, value_schema};
use serde_json::{Value, json};
use std::collections::BTreeMap;

pub const MASK_FIELD: &str = "org.apache.kafka.connect.transforms.MaskField$Value";
pub const TOPIC_PREDICATE: &str = "org.apache.kafka.connect.transforms.predicates.TopicNameMatches";
/// What `redact` writes into a string field when the rule gives no replacement.
pub const DEFAULT_REPLACEMENT: &str = "****";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaskedField {
    pub path: String,
    pub rule: MaskRule,
    pub replacement: Option<String>,
    /// The transform class that enforces it.
    pub class: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaskedTopic {
    pub topic: String,
    pub fields: Vec<MaskedField>,
}

fn rule_name(r: MaskRule) -> &'static str {
    match r {
        MaskRule::Redact => "redact",
        MaskRule::Nullify => "nullify",
        MaskRule::Hash => "hash",
    }
}

/// The bundle's rules with their enforcing classes; call only after validation passed.
pub fn plan_masking(b: &BundleInput, env: &EnvironmentSpec) -> Vec<MaskedTopic> {
    let transforms = env.masking.clone().unwrap_or_default();
    let mut out: Vec<MaskedTopic> = Vec::new();
    for m in &b.bundle.spec.masking {
        let Some(topic) = b.bundle.spec.topics.iter().find(|t| t.name == m.topic) else {
            continue;
        };
        let Some(schema) = value_schema(b, topic) else {
            continue;
        };
        let mut fields = Vec::new();
        for f in &m.fields {
            let Ok(info) = crate::avro::lookup_field(&schema, &f.path) else {
                continue;
            };
            let class = match needs_custom(f.rule, &info) {
                Some("hashTransform") => transforms.hash_transform.clone(),
                Some(_) => transforms.nested_transform.clone(),
                None => Some(MASK_FIELD.to_string()),
            };
            let Some(class) = class else { continue };
            let replacement = match f.rule {
                MaskRule::Redact => Some(
                    f.replacement
                        .clone()
                        .unwrap_or_else(|| DEFAULT_REPLACEMENT.to_string()),
                ),
                _ => None,
            };
            fields.push(MaskedField {
                path: f.path.clone(),
                rule: f.rule,
                replacement,
                class,
            });
        }
        match out.iter_mut().find(|t| t.topic == m.topic) {
            Some(t) => t.fields.extend(fields),
            None => out.push(MaskedTopic {
                topic: m.topic.clone(),
                fields,
            }),
        }
    }
    out
}

/// Enforce the masking on every sink connector that reads a masked topic: for each such topic a
/// `TopicNameMatches` predicate, and one transform per (class, rule, replacement) group, all put
/// ahead of the connector's own transforms and predicates.
pub fn enforce(connectors: &mut [ConnectorPlan], masked: &[MaskedTopic]) {
    for c in connectors.iter_mut() {
        if c.connector_type != ConnectorType::Sink {
            continue;
        }
        let mut transforms = Vec::new();
        let mut predicates: Vec<(String, String)> = Vec::new();
        for (ti, t) in masked.iter().enumerate() {
            if !c.topics.contains(&t.topic) || t.fields.is_empty() {
                continue;
            }
            let predicate = format!("kbundleTopic{ti}");
            predicates.push((predicate.clone(), regex::escape(&t.topic)));
            let mut groups: BTreeMap<(String, &'static str, Option<String>), Vec<String>> =
                BTreeMap::new();
            for f in &t.fields {
                groups
                    .entry((f.class.clone(), rule_name(f.rule), f.replacement.clone()))
                    .or_default()
                    .push(f.path.clone());
            }
            for (gi, ((class, _, replacement), paths)) in groups.into_iter().enumerate() {
                let mut config = BTreeMap::from([
                    ("fields".to_string(), paths.join(",")),
                    ("predicate".to_string(), predicate.clone()),
                ]);
                if let Some(r) = replacement {
                    config.insert("replacement".to_string(), r);
                }
                transforms.push(Transform {
                    alias: format!("kbundleMask{ti}x{gi}"),
                    class,
                    config,
                });
            }
        }
        if transforms.is_empty() {
            continue;
        }
        add_predicates(&mut c.config, &predicates);
        c.transforms.splice(0..0, transforms);
    }
}

/// Kafka Connect predicates: `predicates=a,b` plus `predicates.<alias>.type` and `.pattern`;
/// ours go first, the connector's own stay.
fn add_predicates(config: &mut BTreeMap<String, String>, ours: &[(String, String)]) {
    let mut list: Vec<String> = ours.iter().map(|(a, _)| a.clone()).collect();
    if let Some(existing) = config.get("predicates") {
        list.extend(
            existing
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string),
        );
    }
    config.insert("predicates".to_string(), list.join(","));
    for (alias, pattern) in ours {
        config.insert(
            format!("predicates.{alias}.type"),
            TOPIC_PREDICATE.to_string(),
        );
        config.insert(format!("predicates.{alias}.pattern"), pattern.clone());
    }
}

/// The published policy: every masked field, its rule, the class enforcing it and the
/// connectors it is enforced on. Keys come in a fixed order, so it is byte-stable.
pub fn policy_document(
    bundle: &str,
    owner: &str,
    masked: &[MaskedTopic],
    connectors: &[ConnectorPlan],
) -> String {
    let topics: Vec<Value> = masked
        .iter()
        .map(|t| {
            let enforced_on: Vec<&str> = connectors
                .iter()
                .filter(|c| c.connector_type == ConnectorType::Sink && c.topics.contains(&t.topic))
                .map(|c| c.name.as_str())
                .collect();
            let fields: Vec<Value> = t
                .fields
                .iter()
                .map(|f| {
                    json!({
                        "path": f.path,
                        "rule": rule_name(f.rule),
                        "replacement": f.replacement,
                        "transform": f.class,
                    })
                })
                .collect();
            json!({"topic": t.topic, "fields": fields, "sinkConnectors": enforced_on})
        })
        .collect();
    let doc = json!({
        "apiVersion": "kbundle.dev/v1alpha1",
        "kind": "MaskingPolicy",
        "bundle": bundle,
        "owner": owner,
        "topics": topics,
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}
