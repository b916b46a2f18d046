//! Strimzi's own Environment checks: reads `spec.strimzi`, reports names Strimzi would refuse.

use crate::diag::{Code, Diagnostic};
use crate::names::{dns_label_problem, label_value_problem};
use crate::path::FieldPath;
use crate::validate::EnvInput;

pub fn check_environment(env: &EnvInput, out: &mut Vec<Diagnostic>) {
    let spec = &env.env.spec;
    if let Some(p) = label_value_problem(&spec.strimzi.cluster).or_else(|| {
        spec.strimzi
            .cluster
            .is_empty()
            .then(|| "is empty".to_string())
    }) {
        out.push(
            env.at(
                Diagnostic::error(
                    Code::StrimziNameInvalid,
                    format!("strimzi.cluster {:?} {p}", spec.strimzi.cluster),
                )
                .with_hint("use the name of the Kafka resource Strimzi runs"),
                &FieldPath::of("spec.strimzi.cluster"),
            ),
        );
    }

    if let Some(name) = &env.env.spec.strimzi.connect_cluster
        && let Some(problem) = dns_label_problem(name)
    {
        out.push(env.at(
            Diagnostic::error(
                Code::ConnectClusterInvalid,
                format!("strimzi.connectCluster {name:?} {problem}"),
            )
            .with_hint("use the name of the KafkaConnect resource (a DNS-1123 label such as `connect`)"),
            &FieldPath::of("spec.strimzi.connectCluster"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Origin;
    use serde_json::{Value, json};

    fn env(spec: Value) -> EnvInput {
        let v = json!({
            "apiVersion": "kbundle.dev/v1alpha1", "kind": "Environment",
            "metadata": {"name": "prod"}, "spec": spec,
        });
        EnvInput {
            env: crate::model::parse_environment(&v).expect("valid environment"),
            origin: Some(Origin::default()),
        }
    }

    fn lines(env: &EnvInput) -> Vec<String> {
        let mut out = Vec::new();
        check_environment(env, &mut out);
        out.iter()
            .map(|d| {
                format!(
                    "{} {}: {}",
                    d.code,
                    d.field.as_deref().unwrap_or(""),
                    d.message
                )
            })
            .collect()
    }

    #[test]
    fn connect_cluster_must_be_a_kafkaconnect_name() {
        assert!(lines(&env(json!({"strimzi": {"connectCluster": "connect"}}))).is_empty());
        assert_eq!(
            lines(&env(json!({"strimzi": {"connectCluster": "My Connect"}}))),
            [
                "KB079 spec.strimzi.connectCluster: strimzi.connectCluster \"My Connect\" contains 'M'; only lowercase letters, digits and `-` are allowed"
            ]
        );
    }

    #[test]
    fn cluster_must_be_a_label_value() {
        let got = lines(&env(json!({"strimzi": {"cluster": "my cluster"}})));
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(got[0].starts_with("KB044 spec.strimzi.cluster:"), "{got:?}");
    }
}
