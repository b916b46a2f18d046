//! CFK's own checks. Environment: `spec.confluent` names exactly one cluster reference (KB150)
//! and only valid object names (KB157). Bundles (target confluent only): what CFK cannot express
//! is refused, never dropped — quotas (KB151), user creation (KB152), raw ACLs (KB153), role
//! bindings on Confluent Cloud (KB155), connector state (KB158) — unless
//! `spec.confluent.managedElsewhere` lists that part: then a warning in every run (KB154).
//! Connectors need `connectClusterRef` (KB156). Connector principals (KB159-KB161) and the
//! Schema Registry reference (KB162) have their own modules, called from here.

use crate::diag::{Code, Diagnostic};
use crate::model::environment::{ConfluentSettings, ManagedElsewhere, Target};
use crate::names::dns_label_problem;
use crate::path::FieldPath;
use crate::validate::{BundleInput, EnvInput};

fn settings(env: &EnvInput) -> ConfluentSettings {
    env.env.spec.confluent.clone().unwrap_or_default()
}

pub fn check_environment(env: &EnvInput, out: &mut Vec<Diagnostic>) {
    // spec.connect describes a Strimzi KafkaConnect (KafkaUser and Secret-reading Role per
    // connector); CFK's equivalent is spec.confluent.connectorPrincipals. Refused, not ignored.
    if env.env.spec.connect.is_some() {
        out.push(env.at(
            Diagnostic::error(
                Code::ConfluentConnectorPrincipals,
                "spec.connect (Strimzi's connectors as their own principals) is set for target confluent",
            )
            .with_hint("move it to spec.confluent.connectorPrincipals {clientOverridePolicy, mountedSecrets} (docs/reference/confluent.md), or remove it: connectors then run as the Connect cluster's own principal"),
            &FieldPath::of("spec.connect"),
        ));
    }
    let s = settings(env);
    super::connect_access::check_environment(env, &s, out);
    super::schema_registry::check_environment(env, &s, out);
    match (&s.kafka_rest_class_ref, &s.kafka_cluster_ref) {
        (Some(_), Some(_)) => out.push(
            env.at(
                Diagnostic::error(
                    Code::ConfluentClusterRef,
                    "spec.confluent sets both kafkaRestClassRef and kafkaClusterRef",
                )
                .with_hint(
                    "keep one: kafkaRestClassRef (required for Confluent Cloud) or kafkaClusterRef",
                ),
                &FieldPath::of("spec.confluent.kafkaClusterRef"),
            ),
        ),
        (None, None) => out.push(
            env.at(
                Diagnostic::error(
                    Code::ConfluentClusterRef,
                    "target confluent needs spec.confluent.kafkaRestClassRef or kafkaClusterRef",
                )
                .with_hint(
                    "name the KafkaRestClass (or the CFK Kafka cluster) topics are created through",
                ),
                &FieldPath::of("spec.confluent"),
            ),
        ),
        _ => {}
    }
    if s.cloud && s.kafka_rest_class_ref.is_none() {
        out.push(env.at(
            Diagnostic::error(
                Code::ConfluentClusterRef,
                "spec.confluent.cloud needs kafkaRestClassRef: Confluent Cloud is reached through a KafkaRestClass",
            )
            .with_hint("point a KafkaRestClass at the Confluent Cloud REST endpoint and name it here"),
            &FieldPath::of("spec.confluent.kafkaRestClassRef"),
        ));
    }
    for (field, value) in [
        ("kafkaRestClassRef", &s.kafka_rest_class_ref),
        ("kafkaClusterRef", &s.kafka_cluster_ref),
        ("schemaRegistryClusterRef", &s.schema_registry_cluster_ref),
        ("connectClusterRef", &s.connect_cluster_ref),
    ] {
        if let Some(v) = value
            && let Some(problem) = dns_label_problem(v)
        {
            out.push(
                env.at(
                    Diagnostic::error(
                        Code::ConfluentNameInvalid,
                        format!(
                            "confluent.{field} {:?} {problem}",
                            crate::diag::escape_controls(v)
                        ),
                    )
                    .with_hint("use the name of the CFK resource (a DNS-1123 label)"),
                    &FieldPath::of("spec.confluent").key(field),
                ),
            );
        }
    }
}

/// Refuse, or with `managedElsewhere` warn about, one bundle part CFK cannot express.
#[allow(clippy::too_many_arguments)]
pub(super) fn unsupported(
    b: &BundleInput,
    s: &ConfluentSettings,
    part: ManagedElsewhere,
    code: Code,
    path: FieldPath,
    what: String,
    instead: &str,
    out: &mut Vec<Diagnostic>,
) {
    let name = match part {
        ManagedElsewhere::Quotas => "quotas",
        ManagedElsewhere::Users => "users",
        ManagedElsewhere::Acls => "acls",
        ManagedElsewhere::RoleBindings => "roleBindings",
    };
    let d = if s.managed_elsewhere.contains(&part) {
        Diagnostic::warning(
            Code::ConfluentManagedElsewhere,
            format!("{what}; left out, because spec.confluent.managedElsewhere lists {name}"),
        )
        .with_hint("make sure the platform applies it by its own means")
    } else {
        Diagnostic::error(code, what).with_hint(format!(
            "{instead}, or list `{name}` in the Environment's spec.confluent.managedElsewhere if the platform manages it"
        ))
    };
    out.push(b.at(d, &path));
}

pub fn check_bundle(b: &BundleInput, env: &EnvInput, out: &mut Vec<Diagnostic>) {
    if env.env.spec.target != Target::Confluent {
        return;
    }
    let s = settings(env);
    let spec = &b.bundle.spec;
    for (i, p) in spec.principals.iter().enumerate() {
        let at = FieldPath::of("spec.principals").index(i);
        if p.quotas.is_some() {
            unsupported(
                b,
                &s,
                ManagedElsewhere::Quotas,
                Code::ConfluentQuotas,
                at.child_key("quotas"),
                format!(
                    "principal {:?} has quotas, which CFK has no resource for",
                    p.name
                ),
                "remove them and set client quotas with Confluent's tooling",
                out,
            );
        }
        if let Some(a) = p.authentication {
            unsupported(
                b,
                &s,
                ManagedElsewhere::Users,
                Code::ConfluentUsers,
                at.child_key("authentication"),
                format!(
                    "principal {:?} asks for a {} user, but CFK does not create users",
                    p.name,
                    a.as_str()
                ),
                "create the user in the identity provider and remove `authentication`",
                out,
            );
        }
        if !p.acls.is_empty() {
            unsupported(
                b,
                &s,
                ManagedElsewhere::Acls,
                Code::ConfluentRawAcls,
                at.child_key("acls"),
                format!(
                    "principal {:?} has {} raw ACL rule(s), which CFK has no resource for",
                    p.name,
                    p.acls.len()
                ),
                "express the access as roles (produces, consumes, streams, transactionalIds)",
                out,
            );
        }
        let has_roles = !p.produces.is_empty()
            || !p.consumes.is_empty()
            || !p.streams.is_empty()
            || !p.transactional_ids.is_empty();
        if s.cloud && has_roles {
            unsupported(
                b,
                &s,
                ManagedElsewhere::RoleBindings,
                Code::ConfluentCloudRoleBindings,
                at.clone(),
                format!(
                    "principal {:?} has roles, but role bindings through MDS do not work on Confluent Cloud (spec.confluent.cloud)",
                    p.name
                ),
                "grant Confluent Cloud RBAC with the Confluent CLI or Terraform",
                out,
            );
        }
    }
    if !spec.connectors.is_empty() && s.connect_cluster_ref.is_none() {
        out.push(
            b.at(
                Diagnostic::error(
                    Code::ConfluentConnectClusterMissing,
                    format!(
                        "the bundle has connectors, but {} names no spec.confluent.connectClusterRef",
                        env.label()
                    ),
                )
                .with_hint("set spec.confluent.connectClusterRef to the CFK Connect cluster that runs them"),
                &FieldPath::of("spec.connectors"),
            ),
        );
    }
    super::connect_access::check_bundle(b, env, &s, out);
    super::schema_registry::check_bundle(b, env, &s, out);
    for (i, c) in spec.connectors.iter().enumerate() {
        if let Some(state) = c.state
            && state != crate::model::bundle::ConnectorState::Running
        {
            out.push(
                b.at(
                    Diagnostic::error(
                        Code::ConfluentConnectorState,
                        format!(
                            "connector {:?} asks for state {}, but CFK's Connector has no state field",
                            c.name,
                            format!("{state:?}").to_lowercase()
                        ),
                    )
                    .with_hint("remove `state` (CFK runs connectors), or pause it through the Connect REST API"),
                    &FieldPath::of("spec.connectors").index(i).key("state"),
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Origin;
    use serde_json::{Value, json};

    fn codes(spec: Value) -> Vec<String> {
        let v = json!({
            "apiVersion": "kbundle.dev/v1alpha1", "kind": "Environment",
            "metadata": {"name": "prod"}, "spec": spec,
        });
        let env = EnvInput {
            env: crate::model::parse_environment(&v).expect("valid environment"),
            origin: Some(Origin::default()),
        };
        let mut out = Vec::new();
        check_environment(&env, &mut out);
        out.iter()
            .map(|d| format!("{} {}", d.code, d.field.as_deref().unwrap_or("")))
            .collect()
    }

    #[test]
    fn exactly_one_cluster_reference() {
        assert!(
            codes(json!({"target": "confluent", "confluent": {"kafkaRestClassRef": "default"}}))
                .is_empty()
        );
        assert!(
            codes(json!({"target": "confluent", "confluent": {"kafkaClusterRef": "kafka"}}))
                .is_empty()
        );
        assert_eq!(
            codes(json!({"target": "confluent"})),
            ["KB150 spec.confluent"]
        );
        assert_eq!(
            codes(
                json!({"target": "confluent", "confluent": {"kafkaRestClassRef": "a", "kafkaClusterRef": "b"}})
            ),
            ["KB150 spec.confluent.kafkaClusterRef"]
        );
    }

    #[test]
    fn cloud_goes_through_a_rest_class() {
        assert_eq!(
            codes(
                json!({"target": "confluent", "confluent": {"kafkaClusterRef": "kafka", "cloud": true}})
            ),
            ["KB150 spec.confluent.kafkaRestClassRef"]
        );
        assert_eq!(
            codes(
                json!({"target": "confluent", "confluent": {"kafkaRestClassRef": "Cloud REST", "cloud": true}})
            ),
            ["KB157 spec.confluent.kafkaRestClassRef"]
        );
    }
}
