//! Alerts: reads a bundle's `alerts` (and the Environment's receivers), emits one neutral
//! [`AlertPlan`] per alerting rule — its alert name, the condition in Kafka's terms (group, topic,
//! threshold), labels, annotations and the receivers it goes to. The backend writes the
//! condition as PromQL on the metrics its operator exposes (`backend::strimzi::metrics`);
//! `backend::shared::prometheus` turns the plans into a PrometheusRule and an
//! AlertmanagerConfig.
//!
//! Alert names are `KafkaConsumerLag_<bundle>_<alert>`, `KafkaThroughputLow_<bundle>_<alert>`
//! and `KafkaThroughputHigh_<bundle>_<alert>` with `-` turned into `_`: valid in every
//! Prometheus version (`[a-zA-Z_][a-zA-Z0-9_]*`), and distinct within a bundle because bundle
//! and alert names are DNS-1123 labels, which never contain `_`. A throughput alert with both
//! `below` and `above` becomes two rules (`Low` and `High`), so each notification says which
//! way the topic is off. Annotations name groups and topics through `{{ $labels.… }}`, never by
//! pasting the user's text into a template.

use crate::model::bundle::{Alert, AlertSeverity, ConsumerLag, Throughput};
use crate::model::environment::EnvironmentSpec;
use crate::validate::BundleInput;
use std::collections::BTreeMap;

/// Labels every kbundle alert carries; the AlertmanagerConfig routes on `bundle`.
pub const LABEL_SEVERITY: &str = "severity";
pub const LABEL_BUNDLE: &str = "bundle";
pub const LABEL_OWNER: &str = "owner";

/// One alerting rule.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertPlan {
    /// The bundle's alert name (`payments-lag`); a throughput alert with both thresholds gives
    /// two plans with the same `name`.
    pub name: String,
    /// The Prometheus alert name (`KafkaConsumerLag_orders_payments_lag`).
    pub alertname: String,
    /// When it fires, in Kafka's terms.
    pub condition: AlertCondition,
    /// How long the condition must hold (`10m`).
    pub for_: String,
    pub severity: AlertSeverity,
    /// `severity`, `bundle`, `owner`.
    pub labels: BTreeMap<String, String>,
    /// `summary`, `description`.
    pub annotations: BTreeMap<String, String>,
    /// Receiver names from the Environment, in `notify` order, without repeats.
    pub receivers: Vec<String>,
}

/// What an alerting rule watches.
#[derive(Debug, Clone, PartialEq)]
pub enum AlertCondition {
    /// A group's lag, on one topic or summed over every topic it reads, above a threshold.
    Lag {
        group: String,
        topic: Option<String>,
        above: u64,
    },
    /// Messages written to a topic per period below a threshold.
    ThroughputBelow {
        topic: String,
        below: f64,
        per: String,
    },
    /// Messages written to a topic per period above a threshold.
    ThroughputAbove {
        topic: String,
        above: f64,
        per: String,
    },
}

/// The rules of one bundle, in declaration order. Call only after validation found no errors:
/// an alert that is neither lag nor throughput is skipped, and receivers the Environment does
/// not define are left out.
pub fn plan_alerts(b: &BundleInput, env: &EnvironmentSpec) -> Vec<AlertPlan> {
    let bundle = &b.bundle.metadata.name;
    let owner = &b.bundle.spec.owner;
    let defined: Vec<&str> = env
        .alerting
        .iter()
        .flat_map(|a| &a.receivers)
        .map(|r| r.name.as_str())
        .collect();
    let mut out = Vec::new();
    for a in &b.bundle.spec.alerts {
        let mut receivers: Vec<String> = Vec::new();
        for r in &a.notify {
            if defined.contains(&r.as_str()) && !receivers.contains(r) {
                receivers.push(r.clone());
            }
        }
        let ctx = Context {
            bundle,
            owner,
            alert: a,
            receivers,
        };
        match (&a.consumer_lag, &a.throughput) {
            (Some(lag), None) => out.push(lag_rule(&ctx, lag)),
            (None, Some(t)) => out.extend(throughput_rules(&ctx, t)),
            // Refused by validation (KB090).
            _ => {}
        }
    }
    out
}

/// What every rule of one alert shares.
struct Context<'a> {
    bundle: &'a str,
    owner: &'a str,
    alert: &'a Alert,
    receivers: Vec<String>,
}

impl Context<'_> {
    fn plan(
        &self,
        kind: &str,
        condition: AlertCondition,
        for_: &str,
        summary: String,
        description: String,
    ) -> AlertPlan {
        let a = self.alert;
        AlertPlan {
            name: a.name.clone(),
            alertname: alertname(kind, self.bundle, &a.name),
            condition,
            for_: for_.to_string(),
            severity: a.severity,
            labels: BTreeMap::from([
                (LABEL_SEVERITY.to_string(), a.severity.as_str().to_string()),
                (LABEL_BUNDLE.to_string(), self.bundle.to_string()),
                (LABEL_OWNER.to_string(), self.owner.to_string()),
            ]),
            annotations: BTreeMap::from([
                ("summary".to_string(), summary),
                ("description".to_string(), description),
            ]),
            receivers: self.receivers.clone(),
        }
    }

    /// `bundle orders (owner team-orders)`: both are validated names, safe in a template.
    fn whose(&self) -> String {
        format!("bundle {} (owner {})", self.bundle, self.owner)
    }
}

/// `<Kind>_<bundle>_<alert>` with `-` as `_`.
pub fn alertname(kind: &str, bundle: &str, alert: &str) -> String {
    format!(
        "{kind}_{}_{}",
        bundle.replace('-', "_"),
        alert.replace('-', "_")
    )
}

fn lag_rule(ctx: &Context, lag: &ConsumerLag) -> AlertPlan {
    let condition = AlertCondition::Lag {
        group: lag.group.clone(),
        topic: lag.topic.clone(),
        above: lag.above,
    };
    let on_topic = if lag.topic.is_some() {
        " on topic {{ $labels.topic }}"
    } else {
        " over all its topics"
    };
    ctx.plan(
        "KafkaConsumerLag",
        condition,
        &lag.for_,
        "Kafka consumer group {{ $labels.consumergroup }} is lagging behind".to_string(),
        format!(
            "Consumer group {{{{ $labels.consumergroup }}}} of {} has been more than {} \
             messages behind{on_topic} for {}; lag now: {{{{ $value }}}}.",
            ctx.whose(),
            lag.above,
            lag.for_
        ),
    )
}

fn throughput_rules(ctx: &Context, t: &Throughput) -> Vec<AlertPlan> {
    let mut out = Vec::new();
    if let Some(below) = t.below {
        out.push(ctx.plan(
            "KafkaThroughputLow",
            AlertCondition::ThroughputBelow {
                topic: t.topic.clone(),
                below,
                per: t.per.clone(),
            },
            &t.for_,
            "Kafka topic {{ $labels.topic }} receives too few messages".to_string(),
            format!(
                "Topic {{{{ $labels.topic }}}} of {} has received fewer than {} messages per \
                 {} for {}; now: {{{{ $value }}}}.",
                ctx.whose(),
                number(below),
                t.per,
                t.for_
            ),
        ));
    }
    if let Some(above) = t.above {
        out.push(ctx.plan(
            "KafkaThroughputHigh",
            AlertCondition::ThroughputAbove {
                topic: t.topic.clone(),
                above,
                per: t.per.clone(),
            },
            &t.for_,
            "Kafka topic {{ $labels.topic }} receives too many messages".to_string(),
            format!(
                "Topic {{{{ $labels.topic }}}} of {} has received more than {} messages per \
                 {} for {}; now: {{{{ $value }}}}.",
                ctx.whose(),
                number(above),
                t.per,
                t.for_
            ),
        ));
    }
    out
}

/// A threshold as a PromQL number: `1`, `0.5`, `1500` (never an exponent or `inf`; validation
/// refuses non-finite values).
pub fn number(f: f64) -> String {
    if f.is_finite() {
        format!("{f}")
    } else {
        "0".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Origin;
    use serde_json::{Value, json};

    fn bundle(alerts: Value) -> BundleInput {
        let v = json!({
            "apiVersion": "kbundle.dev/v1alpha1", "kind": "AppBundle",
            "metadata": {"name": "order-svc"},
            "spec": {"owner": "team-orders", "alerts": alerts}
        });
        BundleInput {
            bundle: crate::model::parse_app_bundle(&v).expect("bundle"),
            origin: Origin::default(),
            files: BTreeMap::new(),
            migrations: None,
            resolved: Default::default(),
        }
    }

    fn env() -> EnvironmentSpec {
        serde_json::from_value(json!({"alerting": {"receivers": [
            {"name": "oncall", "pagerduty": {"routingKey": {"secret": "pd", "key": "k"}}},
            {"name": "chat", "slack": {"apiURL": {"secret": "sl", "key": "url"}}}
        ]}}))
        .expect("env")
    }

    #[test]
    fn lag_with_topic_sums_per_group_and_topic() {
        let b = bundle(json!([{
            "name": "payments-lag", "severity": "critical", "notify": ["oncall", "chat", "oncall"],
            "consumerLag": {"group": "orders-service", "topic": "payments.settled.v1",
                            "above": 10000, "for": "10m"}
        }]));
        let plans = plan_alerts(&b, &env());
        assert_eq!(plans.len(), 1);
        let p = &plans[0];
        assert_eq!(p.alertname, "KafkaConsumerLag_order_svc_payments_lag");
        assert_eq!(
            p.condition,
            AlertCondition::Lag {
                group: "orders-service".into(),
                topic: Some("payments.settled.v1".into()),
                above: 10000
            }
        );
        assert_eq!(p.for_, "10m");
        assert_eq!(p.receivers, ["oncall", "chat"]);
        assert_eq!(p.labels["severity"], "critical");
        assert_eq!(p.labels["bundle"], "order-svc");
        assert_eq!(p.labels["owner"], "team-orders");
        assert!(p.annotations["description"].contains("on topic {{ $labels.topic }}"));
        assert!(p.annotations["description"].contains("more than 10000 messages"));
    }

    #[test]
    fn lag_without_topic_sums_over_all_topics() {
        let b = bundle(json!([{
            "name": "lag", "severity": "warning", "notify": ["oncall"],
            "consumerLag": {"group": "g", "above": 5, "for": "1m"}
        }]));
        let p = &plan_alerts(&b, &env())[0];
        assert!(matches!(
            &p.condition,
            AlertCondition::Lag {
                topic: None,
                above: 5,
                ..
            }
        ));
        assert!(p.annotations["description"].contains("over all its topics"));
    }

    #[test]
    fn throughput_with_both_thresholds_is_two_rules() {
        let b = bundle(json!([{
            "name": "orders-silent", "severity": "warning", "notify": ["chat"],
            "throughput": {"topic": "orders.created.v1", "below": 1, "above": 2500.5,
                           "per": "1m", "for": "15m"}
        }]));
        let plans = plan_alerts(&b, &env());
        let names: Vec<&str> = plans.iter().map(|p| p.alertname.as_str()).collect();
        assert_eq!(
            names,
            [
                "KafkaThroughputLow_order_svc_orders_silent",
                "KafkaThroughputHigh_order_svc_orders_silent"
            ]
        );
        assert!(matches!(&plans[0].condition,
            AlertCondition::ThroughputBelow { below, per, .. } if *below == 1.0 && per == "1m"));
        assert!(matches!(&plans[1].condition,
            AlertCondition::ThroughputAbove { above, .. } if *above == 2500.5));
        assert!(plans.iter().all(|p| p.name == "orders-silent"));
    }

    #[test]
    fn unknown_receivers_are_left_out() {
        let b = bundle(json!([{
            "name": "x", "severity": "info", "notify": ["nobody", "chat"],
            "consumerLag": {"group": "g", "above": 1, "for": "1m"}
        }]));
        assert_eq!(plan_alerts(&b, &env())[0].receivers, ["chat"]);
        assert!(
            plan_alerts(&b, &EnvironmentSpec::default())[0]
                .receivers
                .is_empty()
        );
    }

    #[test]
    fn annotations_never_paste_user_text() {
        // Consumer group ids may hold `{{`; they reach annotations only through $labels.
        let b = bundle(json!([{
            "name": "x", "severity": "info", "notify": ["chat"],
            "consumerLag": {"group": "g{{ evil }}", "above": 1, "for": "1m"}
        }]));
        let p = &plan_alerts(&b, &env())[0];
        assert!(p.annotations.values().all(|a| !a.contains("evil")));
        assert!(
            matches!(&p.condition, AlertCondition::Lag { group, .. } if group == "g{{ evil }}")
        );
    }
}
