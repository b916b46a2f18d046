//! Kafka's topic-level configs (Kafka 3.x/4.x `TopicConfig`) and the type of each, so a typo
//! (`retention.msx`) or a wrong value is caught at render time instead of leaving the
//! KafkaTopic NotReady in the cluster.

use crate::model::ConfigValue;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ConfigType {
    /// A whole number (Kafka's INT/LONG).
    Integer,
    /// A decimal such as `min.cleanable.dirty.ratio`.
    Decimal,
    Boolean,
    /// One of a fixed set of words (comma lists allowed for cleanup.policy).
    OneOf(&'static [&'static str]),
    /// Free text (replica lists, versions).
    Text,
}

use ConfigType::*;

const KNOWN: &[(&str, ConfigType)] = &[
    ("cleanup.policy", OneOf(&["delete", "compact"])),
    (
        "compression.type",
        OneOf(&["uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"]),
    ),
    ("compression.gzip.level", Integer),
    ("compression.lz4.level", Integer),
    ("compression.zstd.level", Integer),
    ("delete.retention.ms", Integer),
    ("file.delete.delay.ms", Integer),
    ("flush.messages", Integer),
    ("flush.ms", Integer),
    ("follower.replication.throttled.replicas", Text),
    ("index.interval.bytes", Integer),
    ("leader.replication.throttled.replicas", Text),
    ("local.retention.bytes", Integer),
    ("local.retention.ms", Integer),
    ("max.compaction.lag.ms", Integer),
    ("max.message.bytes", Integer),
    ("message.downconversion.enable", Boolean),
    ("message.format.version", Text),
    ("message.timestamp.after.max.ms", Integer),
    ("message.timestamp.before.max.ms", Integer),
    ("message.timestamp.difference.max.ms", Integer),
    (
        "message.timestamp.type",
        OneOf(&["CreateTime", "LogAppendTime"]),
    ),
    ("min.cleanable.dirty.ratio", Decimal),
    ("min.compaction.lag.ms", Integer),
    ("min.insync.replicas", Integer),
    ("preallocate", Boolean),
    ("remote.log.copy.disable", Boolean),
    ("remote.log.delete.on.disable", Boolean),
    ("remote.storage.enable", Boolean),
    ("retention.bytes", Integer),
    ("retention.ms", Integer),
    ("segment.bytes", Integer),
    ("segment.index.bytes", Integer),
    ("segment.jitter.ms", Integer),
    ("segment.ms", Integer),
    ("unclean.leader.election.enable", Boolean),
];

pub fn known_keys() -> impl Iterator<Item = &'static str> {
    KNOWN.iter().map(|(k, _)| *k)
}

pub fn config_type(key: &str) -> Option<ConfigType> {
    KNOWN.iter().find(|(k, _)| *k == key).map(|(_, t)| *t)
}

/// Vendor configs Kafka distributions accept beyond Apache Kafka's list.
pub fn is_vendor_key(key: &str) -> bool {
    key.starts_with("confluent.")
}

/// The value as an integer, when it is one (numbers or numeric strings).
pub fn as_integer(v: &ConfigValue) -> Option<i64> {
    match v {
        ConfigValue::Int(i) => Some(*i),
        ConfigValue::String(s) => s.trim().parse().ok(),
        ConfigValue::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e18 => Some(*f as i64),
        _ => None,
    }
}

/// Whether `value` is a whole number beyond Kafka's LONG (written `1e20`, or as digits too long
/// for 64 bits).
pub fn beyond_long(value: &ConfigValue) -> bool {
    match value {
        ConfigValue::Float(f) => f.fract() == 0.0 && f.abs() >= 9.0e18,
        ConfigValue::String(s) => {
            let t = s.trim();
            let digits = t.strip_prefix('-').unwrap_or(t);
            !digits.is_empty()
                && digits.chars().all(|c| c.is_ascii_digit())
                && t.parse::<i64>().is_err()
        }
        _ => false,
    }
}

/// Why `value` is not acceptable for a config of type `t`, if it is not.
pub fn value_problem(t: ConfigType, value: &ConfigValue) -> Option<String> {
    match t {
        Integer => as_integer(value)
            .is_none()
            .then(|| "must be a whole number".to_string()),
        Decimal => {
            let ok = match value {
                ConfigValue::Int(_) | ConfigValue::Float(_) => true,
                ConfigValue::String(s) => s.trim().parse::<f64>().is_ok(),
                ConfigValue::Bool(_) => false,
            };
            (!ok).then(|| "must be a number".to_string())
        }
        Boolean => {
            let ok = match value {
                ConfigValue::Bool(_) => true,
                ConfigValue::String(s) => s == "true" || s == "false",
                _ => false,
            };
            (!ok).then(|| "must be true or false".to_string())
        }
        OneOf(words) => {
            let text = value.as_text();
            let ok = text.split(',').map(str::trim).all(|w| words.contains(&w));
            (!ok).then(|| format!("must be one of [{}]", words.join(", ")))
        }
        Text => None,
    }
}
