//! Connectors as their own principals on CFK (`spec.confluent.connectorPrincipals`): reads a
//! [`ConnectorPrincipal`] and emits the client overrides of its `Connector`; checks what the
//! Connect cluster must be configured with.
//!
//! Confluent's "RBAC for self-managed connectors" (docs.confluent.io/platform/current/connect/
//! rbac/connect-rbac-connectors.html): a connector overrides the worker's principal with
//! `consumer.override.sasl.jaas.config` (sink), `producer.override.sasl.jaas.config` (source),
//! and for a sink with a dead-letter queue also the producer and admin client's; the worker
//! allows it with `connector.client.config.override.policy` (Confluent's worker guide sets
//! `All`; `Principal` allows exactly `sasl.jaas.config`, `sasl.mechanism` and
//! `security.protocol`). The mechanism stays the worker's own defaults (`producer.sasl.
//! mechanism`, …: PLAIN for LDAP, OAUTHBEARER for MDS tokens), so only the JAAS line is set.
//! It is never a value: the platform creates the principal in its identity provider and writes
//! its JAAS line into the Secret `connect-<connector>` (key `sasl.jaas.config`); the Connect CR
//! mounts it (`spec.mountedSecrets`, at `/mnt/secrets/<secret>`, one file per key) and
//! `DirectoryConfigProvider` reads the file when the task starts (super::connect::
//! config_reference). The principal's access is its plan grants, bound as
//! ConfluentRolebindings like every principal's (super::rolebinding).

use crate::diag::{Code, Diagnostic};
use crate::model::environment::{ConfluentSettings, ManagedElsewhere, OverridePolicy};
use crate::path::FieldPath;
use crate::plan::connect_access::ConnectorPrincipal;
use crate::derive::connect::user_name;
use crate::template::ReferenceKind;
use crate::validate::{BundleInput, EnvInput};
use serde_json::Value;

/// The key of the connector principal's Secret holding its ready JAAS line.
pub const JAAS_KEY: &str = "sasl.jaas.config";

/// Add the overrides to a rendered CFK Connector (`spec.configs`, created when absent).
pub fn add_overrides(connector: &mut Value, p: &ConnectorPrincipal) {
    let Some(spec) = connector.get_mut("spec").and_then(Value::as_object_mut) else {
        return;
    };
    let configs = spec
        .entry("configs")
        .or_insert_with(|| Value::Object(Default::default()));
    let Some(configs) = configs.as_object_mut() else {
        return;
    };
    let jaas = super::connect::config_reference(ReferenceKind::Secret, "", &p.user, JAAS_KEY);
    for client in p.clients() {
        configs.insert(
            format!("{client}.override.sasl.jaas.config"),
            Value::String(jaas.clone()),
        );
    }
}

fn at_principals() -> FieldPath {
    FieldPath::of("spec.confluent.connectorPrincipals")
}

/// The Environment: the override policy must allow the overrides (KB160); mounted Secret names
/// must be object names (KB157).
pub fn check_environment(env: &EnvInput, s: &ConfluentSettings, out: &mut Vec<Diagnostic>) {
    let Some(cp) = &s.connector_principals else {
        return;
    };
    if cp.client_override_policy == OverridePolicy::None {
        out.push(env.at(
            Diagnostic::error(
                Code::ConfluentConnectOverridePolicy,
                "connectors run as their own principals, but the Connect cluster refuses client overrides (clientOverridePolicy: None)",
            )
            .with_hint("add `connector.client.config.override.policy=All` (or Principal) to the Connect CR's spec.configOverrides.server and say so here, or remove connectorPrincipals"),
            &at_principals().key("clientOverridePolicy"),
        ));
    }
    for (i, secret) in cp.mounted_secrets.iter().enumerate() {
        if let Some(problem) = crate::names::dns_label_problem(secret) {
            out.push(
                env.at(
                    Diagnostic::error(
                        Code::ConfluentNameInvalid,
                        format!(
                            "connectorPrincipals.mountedSecrets[{i}] {:?} {problem}",
                            crate::diag::escape_controls(secret)
                        ),
                    )
                    .with_hint("list the names of the Secrets the Connect CR mounts"),
                    &at_principals().key("mountedSecrets").index(i),
                ),
            );
        }
    }
}

/// A bundle's connectors: each one's Secret must be mounted (KB161); on Confluent Cloud their
/// role bindings cannot be written (KB155, unless managed elsewhere). The rules shared with
/// Strimzi (listed topics, no exactly-once, no clash with a declared principal) run in
/// validate::connect_access.
pub fn check_bundle(
    b: &BundleInput,
    env: &EnvInput,
    s: &ConfluentSettings,
    out: &mut Vec<Diagnostic>,
) {
    let Some(cp) = &s.connector_principals else {
        return;
    };
    for (i, c) in b.bundle.spec.connectors.iter().enumerate() {
        let at = FieldPath::of("spec.connectors").index(i);
        let secret = user_name(&c.name);
        if !cp.mounted_secrets.contains(&secret) {
            out.push(b.at(
                Diagnostic::error(
                    Code::ConfluentConnectorSecretUnmounted,
                    format!(
                        "connector {:?} runs as principal {secret:?}, but {} does not list its Secret {secret:?} in spec.confluent.connectorPrincipals.mountedSecrets",
                        c.name,
                        env.label()
                    ),
                )
                .with_hint(format!(
                    "mount it on the Connect CR (`spec.mountedSecrets: [{{secretRef: {secret}}}]`) and list it in mountedSecrets; the platform writes the principal's `{JAAS_KEY}` into it"
                )),
                &at.child_key("name"),
            ));
        }
        if s.cloud {
            super::check::unsupported(
                b,
                s,
                ManagedElsewhere::RoleBindings,
                Code::ConfluentCloudRoleBindings,
                at.child_key("name"),
                format!(
                    "connector {:?} runs as principal {secret:?}, whose role bindings through MDS do not work on Confluent Cloud (spec.confluent.cloud)",
                    c.name
                ),
                "grant the service account its Confluent Cloud roles with the Confluent CLI or Terraform",
                out,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::connectors::ConnectorType;
    use serde_json::json;

    fn principal(connector_type: ConnectorType, dlq: Option<&str>) -> ConnectorPrincipal {
        ConnectorPrincipal {
            connector: "orders-to-warehouse".into(),
            user: "connect-orders-to-warehouse".into(),
            connector_type,
            dlq: dlq.map(str::to_string),
            offsets_consumer: false,
        }
    }

    #[test]
    fn overrides_reference_the_mounted_secret() {
        let mut c = json!({"spec": {"class": "x", "taskMax": 1}});
        add_overrides(&mut c, &principal(ConnectorType::Sink, None));
        assert_eq!(
            c["spec"]["configs"],
            json!({"consumer.override.sasl.jaas.config":
                "${directory:/mnt/secrets/connect-orders-to-warehouse:sasl.jaas.config}"})
        );
        let mut c = json!({"spec": {"configs": {"topics": "t"}}});
        add_overrides(&mut c, &principal(ConnectorType::Sink, Some("dlq")));
        let keys: Vec<&String> = c["spec"]["configs"]
            .as_object()
            .map(|m| m.keys().collect())
            .unwrap_or_default();
        assert_eq!(
            keys,
            [
                "topics",
                "consumer.override.sasl.jaas.config",
                "producer.override.sasl.jaas.config",
                "admin.override.sasl.jaas.config",
            ]
        );
        assert_eq!(
            principal(ConnectorType::Source, None).clients(),
            ["producer", "admin"]
        );
    }
}
