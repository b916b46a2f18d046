//! Prometheus Operator (`monitoring.coreos.com`), alerts: reads a bundle's
//! [`AlertPlan`]s and the Environment's `alerting`, emits one `PrometheusRule` (v1) and one
//! `AlertmanagerConfig` (v1alpha1, the version every Prometheus Operator install serves without a
//! conversion webhook).
//!
//! - `<bundle>-kbundle-alerts` (PrometheusRule): one group `kbundle.<bundle>`, one rule per plan
//!   with `alert`, `expr`, `for`, labels `severity`/`bundle`/`owner` and annotations
//!   `summary`/`description`.
//! - `<bundle>-kbundle-routing` (AlertmanagerConfig): the root route matches `bundle="<bundle>"`
//!   and the bundle's routed alert names, and has one child route per receiver, matching the
//!   alert names that notify it, with `continue: true` so an alert reaches every receiver it
//!   names. The root route's receiver (the operator requires one) is the first of them; it is
//!   never used because every alert the root matches matches a child route (without the alert
//!   name matcher on the root, any other alert labelled `bundle="<bundle>"` would reach it). Grouping and timing are left to the platform's root route. Only the
//!   receivers this bundle's alerts name are written, each by Secret reference
//!   (`{name, key}`); the Secrets must live in the AlertmanagerConfig's namespace.
//!
//! Both objects carry the kbundle labels plus `alerting.ruleLabels` (kbundle's own win on a
//! clash; validation refuses one, KB099): platforms usually select PrometheusRules and
//! AlertmanagerConfigs with the same label (kube-prometheus-stack's `release`), and an extra
//! label does no harm where the selector is empty. The Prometheus Operator adds a
//! `namespace="<AlertmanagerConfig namespace>"` matcher to the root route; the rules keep the
//! exporter's `namespace` label for it (see `plan::alerts`).

use super::object_meta;
use crate::model::environment::{EnvironmentSpec, Receiver, SecretKeyRef};
use crate::model::labels::labels;
use crate::plan::alerts::{AlertCondition, AlertPlan, LABEL_BUNDLE};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

pub const API_VERSION_RULE: &str = "monitoring.coreos.com/v1";
pub const API_VERSION_ROUTING: &str = "monitoring.coreos.com/v1alpha1";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PrometheusRule {
    api_version: &'static str,
    kind: &'static str,
    metadata: ObjectMeta,
    spec: PrometheusRuleSpec,
}

#[derive(Serialize)]
struct PrometheusRuleSpec {
    groups: Vec<RuleGroup>,
}

#[derive(Serialize)]
struct RuleGroup {
    name: String,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
struct Rule {
    alert: String,
    expr: String,
    #[serde(rename = "for")]
    for_: String,
    labels: BTreeMap<String, String>,
    annotations: BTreeMap<String, String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AlertmanagerConfig {
    api_version: &'static str,
    kind: &'static str,
    metadata: ObjectMeta,
    spec: AlertmanagerConfigSpec,
}

#[derive(Serialize)]
struct AlertmanagerConfigSpec {
    route: Route,
    receivers: Vec<AmReceiver>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Route {
    receiver: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    matchers: Vec<Matcher>,
    #[serde(rename = "continue", skip_serializing_if = "Option::is_none")]
    continue_: Option<bool>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    routes: Vec<Route>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Matcher {
    name: &'static str,
    match_type: &'static str,
    value: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AmReceiver {
    name: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pagerduty_configs: Vec<PagerDutyConfig>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    slack_configs: Vec<SlackConfig>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    webhook_configs: Vec<WebhookConfig>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    email_configs: Vec<EmailConfig>,
}

/// A `core/v1` SecretKeySelector: the Secret's name and the key inside it.
#[derive(Serialize)]
struct SecretKeySelector {
    name: String,
    key: String,
}

impl From<&SecretKeyRef> for SecretKeySelector {
    fn from(r: &SecretKeyRef) -> Self {
        SecretKeySelector {
            name: r.secret.clone(),
            key: r.key.clone(),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PagerDutyConfig {
    routing_key: SecretKeySelector,
}

#[derive(Serialize)]
struct SlackConfig {
    #[serde(rename = "apiURL")]
    api_url: SecretKeySelector,
    #[serde(skip_serializing_if = "Option::is_none")]
    channel: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WebhookConfig {
    url_secret: SecretKeySelector,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EmailConfig {
    to: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    smarthost: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    auth_username: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    auth_password: Option<SecretKeySelector>,
}

/// `metadata.name` of a bundle's PrometheusRule.
pub fn rule_name(bundle: &str) -> String {
    format!("{bundle}-kbundle-alerts")
}

/// `metadata.name` of a bundle's AlertmanagerConfig.
pub fn routing_name(bundle: &str) -> String {
    format!("{bundle}-kbundle-routing")
}

/// kbundle's labels over `alerting.ruleLabels`.
fn object_labels(bundle: &str, owner: &str, env: &EnvironmentSpec) -> BTreeMap<String, String> {
    let mut l = env
        .alerting
        .as_ref()
        .map(|a| a.rule_labels.clone())
        .unwrap_or_default();
    l.extend(labels(bundle, owner));
    l
}

/// The PrometheusRule for bundle `bundle` owned by `owner`; `None` when it has no alerts.
pub fn prometheus_rule(
    bundle: &str,
    owner: &str,
    namespace: Option<&str>,
    alerts: &[AlertPlan],
    env: &EnvironmentSpec,
    expr: &dyn Fn(&AlertCondition) -> String,
) -> Option<Value> {
    if alerts.is_empty() {
        return None;
    }
    let obj = PrometheusRule {
        api_version: API_VERSION_RULE,
        kind: "PrometheusRule",
        metadata: object_meta(
            &rule_name(bundle),
            namespace,
            object_labels(bundle, owner, env),
        ),
        spec: PrometheusRuleSpec {
            groups: vec![RuleGroup {
                name: format!("kbundle.{bundle}"),
                rules: alerts
                    .iter()
                    .map(|a| Rule {
                        alert: a.alertname.clone(),
                        expr: expr(&a.condition),
                        for_: a.for_.clone(),
                        labels: a.labels.clone(),
                        annotations: a.annotations.clone(),
                    })
                    .collect(),
            }],
        },
    };
    // Serializing our own plain struct into a Value cannot fail (string keys only).
    Some(serde_json::to_value(&obj).unwrap_or(Value::Null))
}

/// The AlertmanagerConfig routing bundle `bundle`'s alerts to their receivers; `None` when no
/// alert names a receiver the Environment defines.
pub fn alertmanager_config(
    bundle: &str,
    owner: &str,
    namespace: Option<&str>,
    alerts: &[AlertPlan],
    env: &EnvironmentSpec,
) -> Option<Value> {
    let defined: &[Receiver] = env
        .alerting
        .as_ref()
        .map(|a| a.receivers.as_slice())
        .unwrap_or_default();
    // Receivers in Environment order, each with the alert names that notify it (plan order).
    let mut routed: Vec<(&Receiver, Vec<&str>)> = Vec::new();
    for r in defined {
        if routed.iter().any(|(seen, _)| seen.name == r.name) {
            continue; // a repeated name is refused by validation (KB099)
        }
        let mut names: Vec<&str> = Vec::new();
        for a in alerts.iter().filter(|a| a.receivers.contains(&r.name)) {
            if !names.contains(&a.alertname.as_str()) {
                names.push(&a.alertname);
            }
        }
        if !names.is_empty() {
            routed.push((r, names));
        }
    }
    let first = routed.first()?.0.name.clone();
    // Every routed alert name, in plan order: the root route matches only these, so another
    // alert carrying `bundle="<bundle>"` falls through to the platform's routes instead of
    // reaching the root receiver (found by `amtool config routes test`, tests/alerts_live.rs).
    let mut all: Vec<&str> = Vec::new();
    for a in alerts {
        if routed
            .iter()
            .any(|(_, names)| names.contains(&a.alertname.as_str()))
            && !all.contains(&a.alertname.as_str())
        {
            all.push(&a.alertname);
        }
    }
    let routes = routed
        .iter()
        .map(|(r, names)| Route {
            receiver: r.name.clone(),
            matchers: vec![alertname_matcher(names)],
            continue_: Some(true),
            routes: Vec::new(),
        })
        .collect();
    let obj = AlertmanagerConfig {
        api_version: API_VERSION_ROUTING,
        kind: "AlertmanagerConfig",
        metadata: object_meta(
            &routing_name(bundle),
            namespace,
            object_labels(bundle, owner, env),
        ),
        spec: AlertmanagerConfigSpec {
            route: Route {
                receiver: first,
                matchers: vec![
                    Matcher {
                        name: LABEL_BUNDLE,
                        match_type: "=",
                        value: bundle.to_string(),
                    },
                    alertname_matcher(&all),
                ],
                continue_: None,
                routes,
            },
            receivers: routed.iter().map(|(r, _)| receiver(r)).collect(),
        },
    };
    Some(serde_json::to_value(&obj).unwrap_or(Value::Null))
}

/// `alertname="A"`, or `alertname=~"A|B"` for several (Alertmanager anchors the regex; alert
/// names are `[A-Za-z0-9_]`, so nothing needs escaping).
fn alertname_matcher(names: &[&str]) -> Matcher {
    let (match_type, value) = match names {
        [one] => ("=", one.to_string()),
        many => ("=~", many.join("|")),
    };
    Matcher {
        name: "alertname",
        match_type,
        value,
    }
}

fn receiver(r: &Receiver) -> AmReceiver {
    AmReceiver {
        name: r.name.clone(),
        pagerduty_configs: r
            .pagerduty
            .iter()
            .map(|p| PagerDutyConfig {
                routing_key: (&p.routing_key).into(),
            })
            .collect(),
        slack_configs: r
            .slack
            .iter()
            .map(|s| SlackConfig {
                api_url: (&s.api_url).into(),
                channel: s.channel.clone(),
            })
            .collect(),
        webhook_configs: r
            .webhook
            .iter()
            .map(|w| WebhookConfig {
                url_secret: (&w.url).into(),
            })
            .collect(),
        email_configs: r
            .email
            .iter()
            .map(|e| EmailConfig {
                to: e.to.clone(),
                from: e.from.clone(),
                smarthost: e.smarthost.clone(),
                auth_username: e.auth_username.clone(),
                auth_password: e.auth_password.as_ref().map(Into::into),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::bundle::AlertSeverity;
    use serde_json::json;

    fn env() -> EnvironmentSpec {
        serde_json::from_value(json!({"alerting": {
            "ruleLabels": {"release": "kube-prometheus-stack"},
            "receivers": [
                {"name": "unused", "webhook": {"url": {"secret": "hook", "key": "url"}}},
                {"name": "oncall", "pagerduty": {"routingKey": {"secret": "pd", "key": "routing-key"}}},
                {"name": "chat", "slack": {"apiURL": {"secret": "slack", "key": "url"}, "channel": "#orders"}},
                {"name": "mail", "email": {"to": "ops@example.com", "smarthost": "smtp.example.com:587",
                  "authUsername": "am", "authPassword": {"secret": "smtp", "key": "password"}}}
            ]}}))
        .expect("env")
    }

    fn fixed(_: &crate::plan::alerts::AlertCondition) -> String {
        "vector(1) > 0".to_string()
    }

    fn plan(alertname: &str, receivers: &[&str]) -> AlertPlan {
        AlertPlan {
            name: "x".into(),
            alertname: alertname.into(),
            condition: crate::plan::alerts::AlertCondition::Lag {
                group: "g".into(),
                topic: None,
                above: 1,
            },
            for_: "5m".into(),
            severity: AlertSeverity::Warning,
            labels: BTreeMap::from([("severity".to_string(), "warning".to_string())]),
            annotations: BTreeMap::from([("summary".to_string(), "s".to_string())]),
            receivers: receivers.iter().map(|r| r.to_string()).collect(),
        }
    }

    #[test]
    fn no_alerts_no_objects() {
        assert_eq!(prometheus_rule("o", "t", None, &[], &env(), &fixed), None);
        assert_eq!(alertmanager_config("o", "t", None, &[], &env()), None);
    }

    #[test]
    fn rule_object() {
        let o = prometheus_rule(
            "orders",
            "team-orders",
            Some("kafka"),
            &[plan("A", &["chat"])],
            &env(),
            &fixed,
        )
        .expect("rule");
        assert_eq!(
            o,
            json!({
                "apiVersion": "monitoring.coreos.com/v1",
                "kind": "PrometheusRule",
                "metadata": {
                    "name": "orders-kbundle-alerts",
                    "namespace": "kafka",
                    "labels": {
                        "app.kubernetes.io/managed-by": "kbundle",
                        "app.kubernetes.io/part-of": "orders",
                        "kbundle.dev/owner": "team-orders",
                        "release": "kube-prometheus-stack",
                    },
                },
                "spec": {"groups": [{
                    "name": "kbundle.orders",
                    "rules": [{
                        "alert": "A",
                        "expr": "vector(1) > 0",
                        "for": "5m",
                        "labels": {"severity": "warning"},
                        "annotations": {"summary": "s"},
                    }],
                }]},
            })
        );
    }

    #[test]
    fn routing_object() {
        let alerts = [
            plan("A", &["chat", "oncall"]),
            plan("B", &["chat"]),
            plan("C", &["mail"]),
        ];
        let o = alertmanager_config("orders", "team-orders", None, &alerts, &env()).expect("amc");
        assert_eq!(o["metadata"]["name"], "orders-kbundle-routing");
        assert_eq!(o["metadata"]["labels"]["release"], "kube-prometheus-stack");
        assert_eq!(
            o["spec"],
            json!({
                "route": {
                    "receiver": "oncall",
                    "matchers": [{"name": "bundle", "matchType": "=", "value": "orders"},
                                 {"name": "alertname", "matchType": "=~", "value": "A|B|C"}],
                    "routes": [
                        {"receiver": "oncall", "continue": true,
                         "matchers": [{"name": "alertname", "matchType": "=", "value": "A"}]},
                        {"receiver": "chat", "continue": true,
                         "matchers": [{"name": "alertname", "matchType": "=~", "value": "A|B"}]},
                        {"receiver": "mail", "continue": true,
                         "matchers": [{"name": "alertname", "matchType": "=", "value": "C"}]},
                    ],
                },
                "receivers": [
                    {"name": "oncall", "pagerdutyConfigs": [{"routingKey": {"name": "pd", "key": "routing-key"}}]},
                    {"name": "chat", "slackConfigs": [{"apiURL": {"name": "slack", "key": "url"}, "channel": "#orders"}]},
                    {"name": "mail", "emailConfigs": [{"to": "ops@example.com", "smarthost": "smtp.example.com:587",
                      "authUsername": "am", "authPassword": {"name": "smtp", "key": "password"}}]},
                ],
            })
        );
    }

    #[test]
    fn kbundle_labels_win_over_rule_labels() {
        let mut e = env();
        if let Some(a) = e.alerting.as_mut() {
            a.rule_labels
                .insert("app.kubernetes.io/part-of".into(), "other".into());
        }
        let o = prometheus_rule("orders", "t", None, &[plan("A", &["chat"])], &e, &fixed)
            .expect("rule");
        assert_eq!(
            o["metadata"]["labels"]["app.kubernetes.io/part-of"],
            "orders"
        );
    }

    #[test]
    fn webhook_by_secret_and_no_receivers() {
        let o =
            alertmanager_config("o", "t", None, &[plan("A", &["unused"])], &env()).expect("amc");
        assert_eq!(
            o["spec"]["receivers"],
            json!([{"name": "unused", "webhookConfigs": [{"urlSecret": {"name": "hook", "key": "url"}}]}])
        );
        assert_eq!(
            alertmanager_config("o", "t", None, &[plan("A", &["nobody"])], &env()),
            None
        );
    }
}
