//! Name rules (Kafka topic names, DNS-1123 labels and subdomains, label values) and the
//! deterministic mapping from Kafka topic names to Kubernetes object names.

use sha2::{Digest, Sha256};

/// Kafka's own rule (`Topic.validate`): 1–249 characters of `[a-zA-Z0-9._-]`, not `.` or `..`.
pub fn kafka_topic_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("is empty".into());
    }
    if name == "." || name == ".." {
        return Some("cannot be `.` or `..`".into());
    }
    if name.len() > 249 {
        return Some(format!(
            "is {} characters long, Kafka allows at most 249",
            name.len()
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
    {
        return Some(format!(
            "contains {c:?}; Kafka allows only letters, digits, `.`, `_` and `-`"
        ));
    }
    None
}

/// RFC 1123 label: at most 63 of `[a-z0-9-]`, starting and ending alphanumeric.
pub fn dns_label_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("is empty".into());
    }
    if name.len() > 63 {
        return Some(format!(
            "is {} characters long, at most 63 are allowed",
            name.len()
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        return Some(format!(
            "contains {c:?}; only lowercase letters, digits and `-` are allowed"
        ));
    }
    if name.starts_with('-') || name.ends_with('-') {
        return Some("must start and end with a letter or digit".into());
    }
    None
}

/// RFC 1123 subdomain: dot-separated labels, at most 253 characters.
pub fn is_dns_subdomain(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|l| {
            !l.is_empty()
                && l.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        })
}

/// RFC 1123 subdomain of at most `max` characters (dot-separated labels), with the first
/// problem found in words that match the rule: dots are allowed, so the message says so.
pub fn dns_subdomain_problem(name: &str, max: usize) -> Option<String> {
    if name.is_empty() {
        return Some("is empty".into());
    }
    if name.len() > max {
        return Some(format!(
            "is {} characters long, at most {max} are allowed",
            name.len()
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '.')))
    {
        return Some(format!(
            "contains {c:?}; only lowercase letters, digits, `-` and `.` are allowed"
        ));
    }
    if name.split('.').any(str::is_empty) {
        return Some("has an empty part: it cannot start or end with `.` or contain `..`".into());
    }
    if name
        .split('.')
        .any(|l| l.starts_with('-') || l.ends_with('-'))
    {
        return Some(
            "must start and end with a letter or digit, and so must each part between dots".into(),
        );
    }
    None
}

/// Kubernetes label value: at most 63 of `[A-Za-z0-9._-]`, alphanumeric at both ends (or empty).
pub fn label_value_problem(value: &str) -> Option<String> {
    if value.len() > 63 {
        return Some(format!(
            "is {} characters long, a label value allows at most 63",
            value.len()
        ));
    }
    if let Some(c) = value
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
    {
        return Some(format!("contains {c:?}, which a label value cannot hold"));
    }
    let alnum = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    if !value.is_empty() && (!alnum(value.chars().next()) || !alnum(value.chars().last())) {
        return Some("must start and end with a letter or digit".into());
    }
    None
}

/// First `n` hex digits of the SHA-256 of `text`.
pub fn short_hash(text: &str, n: usize) -> String {
    let digest = Sha256::digest(text.as_bytes());
    let mut hex = String::with_capacity(64);
    for b in digest {
        hex.push_str(&format!("{b:02x}"));
    }
    hex.truncate(n);
    hex
}

/// `metadata.name` of the KafkaTopic for a Kafka topic name. A name that already is a valid
/// DNS-1123 subdomain is used as is; any other is lowercased, cleaned, and suffixed with a hash
/// of the exact topic name, so two topics never map to the same object (`Orders` and `orders`
/// differ in the suffix).
pub fn topic_object_name(topic: &str) -> String {
    if is_dns_subdomain(topic) {
        return topic.to_string();
    }
    let mut cleaned = String::with_capacity(topic.len());
    for c in topic.chars() {
        let c = c.to_ascii_lowercase();
        let c = if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' {
            c
        } else {
            '-'
        };
        cleaned.push(c);
    }
    // Each dot-separated label must be non-empty and alphanumeric at both ends.
    let labels: Vec<String> = cleaned
        .split('.')
        .map(|l| l.trim_matches('-').to_string())
        .filter(|l| !l.is_empty())
        .collect();
    let mut base = labels.join(".");
    let suffix = short_hash(topic, 10);
    // Room for "-" + suffix within 253 characters.
    base.truncate(253 - 1 - suffix.len());
    let base = base.trim_end_matches(['-', '.']);
    if base.is_empty() {
        format!("topic-{suffix}")
    } else {
        format!("{base}-{suffix}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_subdomain_names_are_kept() {
        assert_eq!(topic_object_name("orders.created.v1"), "orders.created.v1");
        assert_eq!(topic_object_name("a-b"), "a-b");
    }

    #[test]
    fn lossy_names_get_a_hash_and_stay_distinct() {
        let a = topic_object_name("Orders");
        let b = topic_object_name("orders_");
        let c = topic_object_name("__consumer_offsets");
        for n in [&a, &b, &c] {
            assert!(is_dns_subdomain(n), "{n}");
        }
        assert!(a.starts_with("orders-"));
        assert_ne!(a, b);
        assert!(c.starts_with("consumer-offsets-"), "{c}");
        assert_ne!(topic_object_name("a..b"), topic_object_name("a.b"));
        assert!(is_dns_subdomain(&topic_object_name("a..b")));
    }

    #[test]
    fn long_names_fit() {
        let long = format!("X{}", "y".repeat(248));
        let n = topic_object_name(&long);
        assert!(n.len() <= 253 && is_dns_subdomain(&n), "{n}");
        let odd = "_.-_";
        assert!(is_dns_subdomain(&topic_object_name(odd)));
    }

    #[test]
    fn kafka_rules() {
        assert!(kafka_topic_problem("orders.v1").is_none());
        assert!(kafka_topic_problem("..").is_some());
        assert!(kafka_topic_problem("a b").is_some());
        assert!(kafka_topic_problem(&"a".repeat(250)).is_some());
    }

    #[test]
    fn subdomains() {
        assert_eq!(dns_subdomain_problem("orders.service", 63), None);
        assert_eq!(dns_subdomain_problem("orders-service", 63), None);
        for bad in ["", "Orders.svc", "a..b", ".a", "a.", "a.-b", "a_b"] {
            let p = dns_subdomain_problem(bad, 63).unwrap();
            assert!(
                !p.contains("only lowercase letters, digits and `-`"),
                "{bad}: {p}"
            );
            assert!(!is_dns_subdomain(bad), "{bad}");
        }
        assert!(
            dns_subdomain_problem(&"a".repeat(64), 63)
                .unwrap()
                .contains("64")
        );
    }

    #[test]
    fn labels() {
        assert!(dns_label_problem("orders-1").is_none());
        assert!(dns_label_problem("Orders").is_some());
        assert!(dns_label_problem("-a").is_some());
        assert!(label_value_problem("team_orders.v2").is_none());
        assert!(label_value_problem("team orders").is_some());
    }
}
