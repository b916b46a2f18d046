//! Strimzi alert metrics: reads an [`AlertCondition`], emits PromQL over the metrics Strimzi's
//! Kafka Exporter (danielqsj/kafka_exporter) exposes:
//! - `kafka_consumergroup_lag_sum{consumergroup, topic}`: a group's lag on a topic, summed over
//!   the partitions (partitions without a committed offset, which `kafka_consumergroup_lag`
//!   reports as `-1`, are left out). A `consumerLag` alert with a topic sums it per group and
//!   topic; without a topic, per group (its lag over every topic it reads).
//! - `kafka_topic_partition_current_offset{topic, partition}`: a partition's end offset. The
//!   messages written per period are `increase(...[per])` summed over the partitions.
//!
//! Every expression keeps `namespace` in its `by (...)` clause and adds no namespace matcher:
//! the exporter's series carry the namespace they were scraped in (Strimzi runs the exporter
//! next to the Kafka cluster), and the Prometheus Operator routes an AlertmanagerConfig only the
//! alerts whose `namespace` label is its own namespace. A metric is never filtered by a label
//! the Environment does not name.

use crate::plan::alerts::{AlertCondition, number};

/// Consumer-group lag per topic, summed over partitions (kafka_exporter).
pub const LAG_METRIC: &str = "kafka_consumergroup_lag_sum";
/// End offset of each topic partition (kafka_exporter).
pub const OFFSET_METRIC: &str = "kafka_topic_partition_current_offset";

/// The PromQL of a condition.
pub fn expr(c: &AlertCondition) -> String {
    match c {
        AlertCondition::Lag {
            group,
            topic,
            above,
        } => {
            let mut matchers = vec![("consumergroup", group.as_str())];
            let by = match topic {
                Some(t) => {
                    matchers.push(("topic", t.as_str()));
                    "namespace, consumergroup, topic"
                }
                None => "namespace, consumergroup",
            };
            format!(
                "sum by ({by}) ({}) > {above}",
                selector(LAG_METRIC, &matchers)
            )
        }
        AlertCondition::ThroughputBelow { topic, below, per } => {
            format!("{} < {}", messages(topic, per), number(*below))
        }
        AlertCondition::ThroughputAbove { topic, above, per } => {
            format!("{} > {}", messages(topic, per), number(*above))
        }
    }
}

fn messages(topic: &str, per: &str) -> String {
    format!(
        "sum by (namespace, topic) (increase({}[{per}]))",
        selector(OFFSET_METRIC, &[("topic", topic)])
    )
}

/// `metric{name="value", ...}` with every value a PromQL string literal.
fn selector(metric: &str, matchers: &[(&str, &str)]) -> String {
    let inner: Vec<String> = matchers
        .iter()
        .map(|(name, value)| format!("{name}={}", promql_string(value)))
        .collect();
    format!("{metric}{{{}}}", inner.join(", "))
}

/// A double-quoted PromQL string literal (Go escape rules): `\` and `"` escaped, control
/// characters as `\n`, `\t`, `\r` or `\uXXXX`. Topic names cannot hold any of these, consumer
/// group ids can.
pub fn promql_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lag_with_topic_sums_per_group_and_topic() {
        let c = AlertCondition::Lag {
            group: "orders-service".into(),
            topic: Some("payments.settled.v1".into()),
            above: 10000,
        };
        assert_eq!(
            expr(&c),
            "sum by (namespace, consumergroup, topic) (kafka_consumergroup_lag_sum\
             {consumergroup=\"orders-service\", topic=\"payments.settled.v1\"}) > 10000"
        );
    }

    #[test]
    fn lag_without_topic_sums_over_all_topics() {
        let c = AlertCondition::Lag {
            group: "g".into(),
            topic: None,
            above: 5,
        };
        assert_eq!(
            expr(&c),
            "sum by (namespace, consumergroup) (kafka_consumergroup_lag_sum{consumergroup=\"g\"}) > 5"
        );
    }

    #[test]
    fn throughput_counts_messages_per_period() {
        let sum = "sum by (namespace, topic) (increase(kafka_topic_partition_current_offset\
                   {topic=\"orders.created.v1\"}[1m]))";
        let below = AlertCondition::ThroughputBelow {
            topic: "orders.created.v1".into(),
            below: 1.0,
            per: "1m".into(),
        };
        let above = AlertCondition::ThroughputAbove {
            topic: "orders.created.v1".into(),
            above: 2500.5,
            per: "1m".into(),
        };
        assert_eq!(expr(&below), format!("{sum} < 1"));
        assert_eq!(expr(&above), format!("{sum} > 2500.5"));
    }

    #[test]
    fn group_ids_are_quoted() {
        let c = AlertCondition::Lag {
            group: "g{{ evil }}".into(),
            topic: None,
            above: 1,
        };
        assert!(expr(&c).contains("consumergroup=\"g{{ evil }}\""));
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(promql_string("a.b"), "\"a.b\"");
        assert_eq!(promql_string(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(promql_string("a\nb\u{1}"), "\"a\\nb\\u0001\"");
    }
}
