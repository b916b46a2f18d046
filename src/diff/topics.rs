//! Topic changes: partitions, replicas, each config key with Kafka's defaults resolved,
//! deletion protection, PII markings and the owner's grants.

use super::*;

/// Kafka's defaults where a topic does not set the key: what a missing value means.
pub(super) fn effective(config: &BTreeMap<String, serde_json::Value>, key: &str) -> Option<String> {
    config.get(key).map(show).or(match key {
        "cleanup.policy" => Some("delete".into()),
        "retention.ms" => Some("604800000".into()),
        "retention.bytes" => Some("-1".into()),
        _ => None,
    })
}

/// A retention limit as a number, -1 (unlimited) as the largest.
pub(super) fn limit_of(v: Option<&String>) -> Option<i128> {
    let n: i128 = v?.trim().parse().ok()?;
    Some(if n < 0 { i128::MAX } else { n })
}

pub(super) fn normalize_policy(v: &Option<String>) -> BTreeSet<String> {
    v.clone()
        .unwrap_or_default()
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

pub(super) fn topics(o: &BundleSnap, n: &BundleSnap, out: &mut Out) {
    for (name, t) in &n.topics {
        let Some(was) = o.topics.get(name) else {
            out.push(
                "topic",
                name,
                format!(
                    "added: {} partitions, {} replicas{}",
                    t.partitions,
                    t.replicas,
                    if t.retain { "" } else { ", deletion allowed" }
                ),
            );
            continue;
        };
        topic(name, was, t, out);
    }
    for (name, t) in &o.topics {
        if n.topics.contains_key(name) {
            continue;
        }
        if t.retain {
            out.push(
                "topic",
                name,
                "removed from the bundle; deletion protection keeps the topic and its data".into(),
            );
        } else {
            out.risk(
                Code::DiffTopicDeleted,
                "topic",
                name,
                "removed, and its deletion is allowed: the topic and its data are deleted".into(),
            );
        }
    }
}

pub(super) fn topic(name: &str, o: &TopicSnap, n: &TopicSnap, out: &mut Out) {
    if n.partitions < o.partitions {
        out.risk(
            Code::DiffPartitionDecrease,
            "topic",
            name,
            format!(
                "partitions {} → {} (Kafka cannot decrease partitions)",
                o.partitions, n.partitions
            ),
        );
    } else if n.partitions > o.partitions {
        out.push(
            "topic",
            name,
            format!(
                "partitions {} → {} (keys map to new partitions)",
                o.partitions, n.partitions
            ),
        );
    }
    if n.replicas != o.replicas {
        out.risk(
            Code::DiffReplicasChanged,
            "topic",
            name,
            format!("replicas {} → {}", o.replicas, n.replicas),
        );
    }
    if n.retain != o.retain {
        let s = |r: bool| if r { "protected" } else { "deletion allowed" };
        out.push(
            "topic",
            name,
            format!("deletion protection: {} → {}", s(o.retain), s(n.retain)),
        );
    }
    let keys: BTreeSet<&String> = o.config.keys().chain(n.config.keys()).collect();
    for k in keys {
        let (a, b) = (o.config.get(k), n.config.get(k));
        if a == b {
            continue;
        }
        let detail = format!("{k} {}", arrow(a.map(show).as_ref(), b.map(show).as_ref()));
        let (ea, eb) = (effective(&o.config, k), effective(&n.config, k));
        match k.as_str() {
            "cleanup.policy" if normalize_policy(&ea) != normalize_policy(&eb) => {
                out.risk(Code::DiffCleanupPolicyChanged, "topic", name, detail)
            }
            "retention.ms" | "retention.bytes" if matches!((limit_of(ea.as_ref()), limit_of(eb.as_ref())), (Some(x), Some(y)) if y < x) => {
                out.risk(Code::DiffRetentionShrunk, "topic", name, detail)
            }
            "min.insync.replicas" => out.risk(Code::DiffMinIsrChanged, "topic", name, detail),
            _ => out.push("topic", name, detail),
        }
    }
    for p in o.pii.difference(&n.pii) {
        out.risk(
            Code::DiffMaskingRemoved,
            "topic",
            name,
            format!("PII marking of {p} removed"),
        );
    }
    for p in n.pii.difference(&o.pii) {
        out.push("topic", name, format!("field {p} marked PII"));
    }
    // The owner's grants to other bundles: a new write grant is a cross-team write.
    for g in n.grants.difference(&o.grants) {
        if g.starts_with("write ") {
            out.risk(
                Code::DiffAccessWidened,
                "topic",
                name,
                format!("grants {g} (a cross-team writer)"),
            );
        } else {
            out.push("topic", name, format!("grants {g}"));
        }
    }
    for g in o.grants.difference(&n.grants) {
        out.push("topic", name, format!("grant {g} withdrawn"));
    }
}
