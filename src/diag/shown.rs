//! What a diagnostic may show of a value the user wrote.
//!
//! Diagnostics reach CI logs, pull-request comments and Argo CD's UI, so a value is shown only
//! when it is a short scalar in a field that can never hold a credential: an identifier a
//! reviewer needs to act on the message (a name, a topic, a group), a number, a closed set of
//! words, a duration. Everything else is described by its type and shape ("a list of 2 items",
//! "a mapping with keys name, pagerduty", "a string of 12 characters"). The list of such fields
//! is an allowlist: a new field is hidden until it is added here, so no field can start leaking by
//! being forgotten.

use crate::path::{FieldPath, PathSeg};
use serde_json::Value;

/// Field names whose values are identifiers, numbers, closed sets of words or durations.
const ECHOED: &[&str] = &[
    // identifiers
    "name",
    "owner",
    "namespace",
    "topics",
    "topic",
    "group",
    "applicationId",
    "reads",
    "writes",
    "produces",
    "transactionalIds",
    "subject",
    "cluster",
    "pattern",
    "notify",
    "receiver",
    "prefix",
    "objectName",
    // file paths inside the input tree (a URL is refused before it is shown)
    "file",
    "previous",
    "migrations",
    // numbers
    "partitions",
    "replicas",
    "minReplicas",
    "maxPartitions",
    "maxRetentionMs",
    "threshold",
    "tasksMax",
    "producerByteRate",
    "consumerByteRate",
    "requestPercentage",
    "controllerMutationRate",
    // closed sets of words
    "apiVersion",
    "kind",
    "target",
    "authentication",
    "type",
    "patternType",
    "operations",
    "rule",
    "severity",
    "compatibility",
    "deletion",
    "state",
    "cleanup.policy",
    // durations
    "for",
    "per",
    "timeout",
    "interval",
];

/// The longest string shown whole; identifiers are short, and a long value is more likely to be a
/// pasted blob.
const MAX_SHOWN: usize = 64;

/// Whether a value at `field` may be shown.
pub fn may_show(field: &FieldPath) -> bool {
    let last = field.0.iter().rev().find_map(|s| match s {
        PathSeg::Key(k) => Some(k.as_str()),
        PathSeg::Index(_) => None,
    });
    last.is_some_and(|k| ECHOED.contains(&k))
}

/// The value itself (quoted when a string), or its type and shape.
pub fn value(v: &Value, field: &FieldPath) -> String {
    literal(v, field).unwrap_or_else(|| shape(v))
}

/// The value as written, when it may be shown.
pub fn literal(v: &Value, field: &FieldPath) -> Option<String> {
    match v {
        Value::String(s) if may_show(field) && plain(s) => Some(format!("\"{s}\"")),
        Value::Number(_) | Value::Bool(_) if may_show(field) => Some(v.to_string()),
        Value::Null => Some("null".to_string()),
        _ => None,
    }
}

/// A URL as shown: quoted, with any user info replaced by `***` (it may hold a password).
pub fn url(u: &str) -> String {
    let redacted = match u.split_once("://") {
        Some((scheme, rest)) => {
            let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
            match rest[..end].rsplit_once('@') {
                Some((_, host)) => format!("{scheme}://***@{host}{}", &rest[end..]),
                None => u.to_string(),
            }
        }
        None => u.to_string(),
    };
    // The query may carry a password parameter.
    let redacted = match redacted.split_once('?') {
        Some((base, _)) => format!("{base}?..."),
        None => redacted,
    };
    if redacted.chars().count() > MAX_SHOWN {
        shape(&Value::String(u.to_string()))
    } else {
        format!("\"{redacted}\"")
    }
}

/// An identifier the user wrote, quoted, when it is short and cannot carry user info; otherwise
/// its shape (a grant or object name that is really a URL must not show its password).
pub fn identifier(s: &str) -> String {
    if plain(s) {
        format!("{s:?}")
    } else {
        shape(&Value::String(s.to_string()))
    }
}

/// Short, and not a URL or an address that could carry user info.
fn plain(s: &str) -> bool {
    s.chars().count() <= MAX_SHOWN && !s.contains("://") && !s.contains('@')
}

/// Type and shape, never content (mapping keys are field names, not values: they are shown).
pub fn shape(v: &Value) -> String {
    match v {
        Value::Null => "null".to_string(),
        Value::Bool(_) => "a boolean".to_string(),
        Value::Number(_) => "a number".to_string(),
        Value::String(s) => {
            let n = s.chars().count();
            format!("a string of {n} character{}", if n == 1 { "" } else { "s" })
        }
        Value::Array(a) => match a.len() {
            0 => "an empty list".to_string(),
            1 => "a list of 1 item".to_string(),
            n => format!("a list of {n} items"),
        },
        Value::Object(m) if m.is_empty() => "an empty mapping".to_string(),
        Value::Object(m) => {
            const MAX_KEYS: usize = 5;
            let mut keys: Vec<String> = m
                .keys()
                .take(MAX_KEYS)
                .map(|k| short_key(k).to_string())
                .collect();
            if m.len() > MAX_KEYS {
                keys.push(format!("and {} more", m.len() - MAX_KEYS));
            }
            format!("a mapping with keys {}", keys.join(", "))
        }
    }
}

/// Keys are shown, but a pasted blob used as a key is cut.
fn short_key(k: &str) -> std::borrow::Cow<'_, str> {
    if k.chars().count() <= MAX_SHOWN {
        std::borrow::Cow::Borrowed(k)
    } else {
        let cut: String = k.chars().take(MAX_SHOWN - 3).collect();
        std::borrow::Cow::Owned(format!("{cut}..."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn identifiers_are_shown_and_everything_else_is_described() {
        let name = FieldPath::of("spec.topics[0].name");
        assert_eq!(value(&json!("orders.v1"), &name), "\"orders.v1\"");
        let routing = FieldPath::of("spec.alerting.receivers[0].pagerduty.routingKey");
        assert_eq!(
            value(&json!("R0UTINGKEY-x"), &routing),
            "a string of 12 characters"
        );
        let password = FieldPath::of("spec.connectors[0].config").child_key("connection.password");
        assert_eq!(value(&json!(["hunter2"]), &password), "a list of 1 item");
        assert_eq!(value(&json!(123456), &password), "a number");
        let receivers = FieldPath::of("spec.alerting");
        assert_eq!(
            value(
                &json!({"name": "pd", "pagerduty": {"routingKey": "x"}}),
                &receivers
            ),
            "a mapping with keys name, pagerduty"
        );
        // A list of names is still a list: only its items are identifiers.
        assert_eq!(value(&json!(["a"]), &name), "a list of 1 item");
        let long = "x".repeat(65);
        assert_eq!(value(&json!(long), &name), "a string of 65 characters");
    }
}
