//! Alerts end to end, without the pipeline: bundles and Environments parsed from YAML, checked by
//! `validate::alerts`, planned by `plan::alerts`, turned into objects by `target::prometheus`.
//!
//! - Every PrometheusRule and AlertmanagerConfig is validated against the vendored Prometheus
//!   Operator CRDs (`../shared/vendor/prometheus-operator`, v0.93.0: PrometheusRule v1, the plain
//!   AlertmanagerConfig CRD serving v1alpha1). The CRDs' OpenAPI schemas are converted to JSON
//!   Schema and made strict: an object that lists `properties` gets `additionalProperties: false`
//!   unless it preserves unknown fields. AlertmanagerConfig child routes are schemaless in the CRD
//!   (`x-kubernetes-preserve-unknown-fields`, the type is recursive); the operator decodes them as
//!   routes, so they are validated against the `route` schema here. The operator's own checks
//!   (root receiver, receiver references, one of routingKey/serviceKey, ...) are hand-written.
//!   Deliberately broken objects must fail (negative controls).
//! - Every generated `expr` is parsed as PromQL (`promql-parser`) and its AST checked: the
//!   comparison, the aggregation and its `by` labels, the metric name and matchers, the range.

use crate::support;

use kbundle::backend::shared::prometheus::{alertmanager_config, prometheus_rule};
use kbundle::backend::strimzi::metrics::{LAG_METRIC, OFFSET_METRIC, expr as strimzi_expr};
use kbundle::diag::Diagnostic;
use kbundle::model::environment::EnvironmentSpec;
use kbundle::plan::alerts::{AlertPlan, plan_alerts};
use kbundle::source::Origin;
use kbundle::validate::{BundleInput, EnvInput, alerts};
use promql_parser::label::MatchOp;
use promql_parser::parser::{self, Expr};
use regex::Regex;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::LazyLock;
use std::time::Duration;

mod operator;
mod promql;
mod routing;
mod validation;

#[allow(unused_imports)]
use operator::*;
#[allow(unused_imports)]
use promql::*;
#[allow(unused_imports)]
use routing::*;
#[allow(unused_imports)]
use validation::*;

// ---------------------------------------------------------------------------------------------
// inputs
// ---------------------------------------------------------------------------------------------

fn yaml(text: &str) -> Value {
    let mut docs = kbundle::yaml::parse_stream(text).expect("yaml");
    assert_eq!(docs.len(), 1);
    docs.remove(0).value
}

fn bundle(text: &str) -> BundleInput {
    BundleInput {
        bundle: kbundle::model::parse_app_bundle(&yaml(text)).expect("bundle"),
        origin: Origin::default(),
        files: BTreeMap::new(),
        migrations: None,
        resolved: Default::default(),
    }
}

fn environment(text: &str) -> EnvInput {
    EnvInput {
        env: kbundle::model::parse_environment(&yaml(text)).expect("environment"),
        origin: Some(Origin::default()),
    }
}

const PROD: &str = r##"
apiVersion: kbundle.dev/v1alpha1
kind: Environment
metadata: {name: prod}
spec:
  namespace: kafka
  policy: {lagAlerts: true}
  alerting:
    ruleLabels: {release: kube-prometheus-stack}
    receivers:
      - name: oncall-orders
        pagerduty: {routingKey: {secret: pagerduty-orders, key: routing-key}}
      - name: slack-orders
        slack: {apiURL: {secret: slack-webhook, key: url}, channel: "#orders"}
      - name: hook-orders
        webhook: {url: {secret: orders-hook, key: url}}
      - name: mail-orders
        email:
          to: orders-oncall@example.com, Orders Team <orders@example.com>
          from: alertmanager@example.com
          smarthost: smtp.example.com:587
          authUsername: alertmanager
          authPassword: {secret: smtp, key: password}
      - name: unused
        slack: {apiURL: {secret: other, key: url}}
"##;

/// The DESIGN example, plus every receiver kind and a prefix consumer group.
const ORDERS: &str = r#"
apiVersion: kbundle.dev/v1alpha1
kind: AppBundle
metadata: {name: orders}
spec:
  owner: team-orders
  topics:
    - name: orders.created.v1
  principals:
    - name: orders-service
      produces: [orders.created.v1]
      consumes:
        - {topics: [payments.settled.v1], group: orders-service}
        - {topics: ["audit.*"], group: "audit-*"}
      streams:
        applicationId: orders-enricher
        reads: [payments.settled.v1]
  alerts:
    - name: payments-lag
      consumerLag: {group: orders-service, topic: payments.settled.v1, above: 10000, for: 10m}
      severity: critical
      notify: [oncall-orders, slack-orders]
    - name: enricher-lag
      consumerLag: {group: orders-enricher, above: 500, for: 5m}
      severity: warning
      notify: [hook-orders]
    - name: audit-lag
      consumerLag: {group: audit-eu, above: 1, for: 0s}
      severity: info
      notify: [mail-orders]
    - name: orders-silent
      throughput: {topic: orders.created.v1, below: 1, per: 1m, for: 15m}
      severity: warning
      notify: [slack-orders]
    - name: orders-band
      throughput: {topic: orders.created.v1, below: 0.5, above: 25000.75, per: 5m, for: 1h}
      severity: critical
      notify: [mail-orders, oncall-orders]
"#;

/// A second bundle: throughput above only, one receiver, no namespace from the Environment.
const BILLING: &str = r#"
apiVersion: kbundle.dev/v1alpha1
kind: AppBundle
metadata: {name: billing-v2, namespace: billing}
spec:
  owner: team-billing
  topics:
    - name: billing.invoices.v1
  alerts:
    - name: invoice-storm
      throughput: {topic: billing.invoices.v1, above: 100000, per: 1h, for: 5m}
      severity: warning
      notify: [webhook]
"#;

const BILLING_ENV: &str = r#"
apiVersion: kbundle.dev/v1alpha1
kind: Environment
metadata: {name: dev}
spec:
  alerting:
    receivers:
      - name: webhook
        webhook: {url: {secret: billing-hook, key: url}}
"#;

fn diagnostics(b: &BundleInput, env: &EnvInput) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    alerts::check_environment(env, &mut out);
    alerts::check(b, env, &mut out);
    out
}

/// (plans, PrometheusRule, AlertmanagerConfig) of a bundle that must validate cleanly.
fn generate(b: &BundleInput, env: &EnvInput) -> (Vec<AlertPlan>, Value, Value) {
    let d = diagnostics(b, env);
    assert!(d.is_empty(), "unexpected diagnostics: {d:#?}");
    let spec: &EnvironmentSpec = &env.env.spec;
    let plans = plan_alerts(b, spec);
    let name = &b.bundle.metadata.name;
    let owner = &b.bundle.spec.owner;
    let ns = spec
        .namespace
        .as_deref()
        .or(b.bundle.metadata.namespace.as_deref());
    let rule =
        prometheus_rule(name, owner, ns, &plans, spec, &strimzi_expr).expect("a PrometheusRule");
    let amc = alertmanager_config(name, owner, ns, &plans, spec).expect("an AlertmanagerConfig");
    (plans, rule, amc)
}

fn cases() -> Vec<(BundleInput, EnvInput)> {
    vec![
        (bundle(ORDERS), environment(PROD)),
        (bundle(BILLING), environment(BILLING_ENV)),
    ]
}

/// Every test of this module and its submodules.
pub fn tests() -> Vec<support::Test> {
    [validation::tests(), promql::tests(), routing::tests()]
        .into_iter()
        .flatten()
        .collect()
}
