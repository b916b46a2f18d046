//! Backends: each turns the operator-neutral plan into the concrete objects of one Kafka
//! operator, and owns everything operator-specific — the Environment checks only that operator
//! needs, ACL or role-binding shape, connector kind, alert metric names. Operator-independent
//! builders (hook Jobs, Prometheus objects, masking policy, schema registration Jobs) live in
//! [`shared`].
//!
//! A new operator is one folder here and one line in [`for_target`].

pub mod confluent;
pub mod shared;
pub mod strimzi;

use crate::diag::Diagnostic;
use crate::model::environment::{EnvironmentSpec, Target};
use crate::plan::BundlePlan;
use crate::plan::alerts::AlertCondition;
use crate::validate::EnvInput;
use serde_json::Value;


/// One Kafka operator.
pub trait Backend: Sync {
    /// Checks of the Environment that only this operator needs (its cluster names, the Connect
    /// cluster connectors run on, ...).
    fn check_environment(&self, env: &EnvInput, out: &mut Vec<Diagnostic>);

    /// Checks of one bundle that only this operator needs (what it cannot express). Run on the
    /// bundle as written, before the check stage.
    fn check_bundle(&self, _bundle: &crate::validate::BundleInput, _env: &EnvInput, _out: &mut Vec<Diagnostic>) {}

    /// Every object for one bundle, in emission order.
    fn objects(&self, plan: &BundlePlan, env: &EnvironmentSpec) -> Vec<Value>;

    /// An alert condition as PromQL over the metrics this operator's exporters expose.
    fn alert_expr(&self, condition: &AlertCondition) -> String;

    /// How connector configs reference Secret and ConfigMap keys (`secret()` in templates).
    fn config_reference(&self) -> crate::template::ReferenceSyntax;
}

/// The backend of a target; `None` for a target this version cannot render (refused by the
/// Environment checks, KB006; every target has one today).
pub fn for_target(target: Target) -> Option<&'static dyn Backend> {
    match target {
        Target::Strimzi => Some(&strimzi::Strimzi),
        Target::Confluent => Some(&confluent::Confluent),
    }
}
