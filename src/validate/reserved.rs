//! Internal topics belong to Kafka and the platform, never to a bundle (issue 10, item 13).
//!
//! A bundle could declare `__consumer_offsets` with `cleanup.policy: delete` and a one-minute
//! retention, or consume `__transaction_state`: the topic operator would apply the first, and the
//! broker would honour the ACL of the second. Reserved are Kafka's own internal topics (every
//! name starting with `__`: `__consumer_offsets`, `__transaction_state`, `__cluster_metadata`,
//! `__share_group_state`, ... — Kafka's `Topic.isInternal` and the `__` convention of
//! `org.apache.kafka.common.internals.Topic`), the Schema Registry's `_schemas`, Confluent's
//! `_confluent*`, and whatever the Environment adds in `policy.reservedTopics` (names, or
//! prefixes written `name*`). Every place a bundle names a topic is checked: topics, roles,
//! raw topic ACLs, connectors and masking.

use super::{BundleInput, EnvInput};
use crate::diag::{Code, Diagnostic};
use crate::model::bundle::AclResourceType;
use crate::model::pattern::{Pattern, parse_pattern};
use crate::path::FieldPath;

/// Built-in reserved names and prefixes (`*` at the end).
const BUILT_IN: &[&str] = &["__*", "_schemas", "_confluent*"];

/// The reserved pattern `topic` collides with, if any. `topic` may itself be a prefix pattern:
/// `_*` reaches `_schemas`, `__consumer*` reaches `__consumer_offsets`.
fn collision<'a>(topic: &str, reserved: &'a [String]) -> Option<&'a str> {
    let wanted = parse_pattern(topic).ok()?;
    reserved.iter().map(String::as_str).find(|r| {
        let Ok(r_pat) = parse_pattern(r) else {
            return false;
        };
        match (wanted, r_pat) {
            (Pattern::Literal(t), Pattern::Literal(r)) => t == r,
            (Pattern::Literal(t), Pattern::Prefix(r)) => t.starts_with(r),
            (Pattern::Prefix(p), Pattern::Literal(r)) => r.starts_with(p),
            // Two prefixes overlap when one extends the other; an empty prefix is refused by the
            // pattern rules already.
            (Pattern::Prefix(p), Pattern::Prefix(r)) => {
                !p.is_empty() && (p.starts_with(r) || r.starts_with(p))
            }
        }
    })
}

pub fn check(b: &BundleInput, env: &EnvInput, out: &mut Vec<Diagnostic>) {
    let mut reserved: Vec<String> = BUILT_IN.iter().map(|s| s.to_string()).collect();
    reserved.extend(env.env.spec.policy.reserved_topics.iter().cloned());
    let spec = &b.bundle.spec;
    let mut refs: Vec<(&str, FieldPath)> = Vec::new();
    let at = |s: &str| FieldPath::of(s);
    for (i, t) in spec.topics.iter().enumerate() {
        refs.push((&t.name, at("spec.topics").index(i).key("name")));
    }
    for (i, p) in spec.principals.iter().enumerate() {
        let pat = at("spec.principals").index(i);
        for (j, t) in p.produces.iter().enumerate() {
            refs.push((t, pat.child_key("produces").index(j)));
        }
        for (j, c) in p.consumes.iter().enumerate() {
            for (k, t) in c.topics.iter().enumerate() {
                refs.push((t, pat.child_key("consumes").index(j).key("topics").index(k)));
            }
        }
        for (s, sat) in p.streams.with_paths(&pat) {
            for (j, t) in s.reads.iter().enumerate() {
                refs.push((t, sat.child_key("reads").index(j)));
            }
            for (j, t) in s.writes.iter().enumerate() {
                refs.push((t, sat.child_key("writes").index(j)));
            }
        }
        for (j, a) in p.acls.iter().enumerate() {
            if a.resource.resource_type == AclResourceType::Topic
                && let Some(name) = &a.resource.name
            {
                refs.push((
                    name,
                    pat.child_key("acls").index(j).key("resource").key("name"),
                ));
            }
        }
    }
    for (i, c) in spec.connectors.iter().enumerate() {
        for (j, t) in c.topics.iter().enumerate() {
            refs.push((t, at("spec.connectors").index(i).key("topics").index(j)));
        }
    }
    for (i, m) in spec.masking.iter().enumerate() {
        refs.push((&m.topic, at("spec.masking").index(i).key("topic")));
    }
    for (field, path) in refs {
        if let Some(r) = collision(field, &reserved) {
            let whose = if BUILT_IN.contains(&r) {
                "Kafka's and the platform's internal topics"
            } else {
                "the Environment's policy.reservedTopics"
            };
            let message = if field.ends_with('*') {
                format!("topic pattern {field:?} reaches names reserved for {whose} (`{r}`)")
            } else {
                format!("topic {field:?} is reserved for {whose} (`{r}`)")
            };
            out.push(b.at(
                Diagnostic::error(
                    Code::ReservedTopic,
                    message,
                )
                .with_hint(
                    "internal topics are run by the broker and the platform; name your own topics, and ask the platform team for access to internal data",
                ),
                &path,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::collision;

    #[test]
    fn reserved_names_and_overlapping_prefixes_collide() {
        let r: Vec<String> = ["__*", "_schemas", "_confluent*", "connect-*"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        for t in [
            "__consumer_offsets",
            "__transaction_state",
            "_schemas",
            "_confluent-metrics",
            "__*",
            "_*",
            "__consumer*",
            "connect-offsets",
            "conn*",
        ] {
            assert!(collision(t, &r).is_some(), "{t}");
        }
        for t in ["orders.v1", "orders.*", "schemas", "_schemas2x", "x__y"] {
            // `_schemas2x` is not `_schemas`: the registry's topic is one exact name.
            assert!(collision(t, &r).is_none(), "{t}");
        }
    }
}
