//! Connectors running as their own principals (the Environment's `connect`): the Connect
//! cluster's prerequisites and what a connector must say for its principal to be granted
//! exactly what it uses.

use super::{BundleInput, EnvInput};
use crate::diag::{Code, Diagnostic};
use crate::model::ConfigValue;
use crate::model::bundle::Connector;
use crate::model::bundle::ConnectorType;
use crate::model::environment::{ConnectPrincipals, ExactlyOnceSourceSupport, OverridePolicy};
use crate::path::FieldPath;
use crate::derive::connect::user_name;
use std::collections::HashSet;

/// Config keys that turn on exactly-once delivery for a source connector (KIP-618).
const EXACTLY_ONCE_KEYS: [&str; 2] = ["exactly.once.support", "transaction.boundary"];

pub fn check_across(bundles: &[BundleInput], env: &EnvInput, out: &mut Vec<Diagnostic>) {
    if !crate::derive::connect::enabled(&env.env.spec) {
        return;
    }
    // Strimzi's settings; CFK's (confluent.connectorPrincipals) are checked by its backend, and
    // the rules below the policy hold on both targets.
    let strimzi = env
        .env
        .spec
        .connect
        .as_ref()
        .filter(|_| env.env.spec.target != crate::model::environment::Target::Confluent);
    let any = bundles.iter().any(|b| !b.bundle.spec.connectors.is_empty());
    if let Some(connect) = strimzi
        && any
        && connect.client_override_policy == OverridePolicy::None
    {
        out.push(env.at(
            Diagnostic::error(
                Code::ConnectPrerequisite,
                "connectors run as their own principals, but the Connect cluster refuses client overrides (clientOverridePolicy: None)",
            )
            .with_hint("set `connector.client.config.override.policy: Principal` (or All) on the KafkaConnect's spec.config and say so here, or remove spec.connect"),
            &FieldPath::of("spec.connect").key("clientOverridePolicy"),
        ));
    }
    let eos = strimzi
        .filter(|c| c.exactly_once_source_support == Some(ExactlyOnceSourceSupport::Enabled));
    let eos_enabled = eos.is_some();
    if let Some(connect) = eos {
        check_exactly_once_settings(connect, env, out);
    }
    let declared: HashSet<&str> = bundles
        .iter()
        .flat_map(|b| b.bundle.spec.principals.iter().map(|p| p.name.as_str()))
        .collect();
    for b in bundles {
        let namespaced = env.env.spec.namespace.is_some() || b.bundle.metadata.namespace.is_some();
        for (ci, c) in b.bundle.spec.connectors.iter().enumerate() {
            let at = FieldPath::of("spec.connectors").index(ci);
            // Only Strimzi's reference names the Secret's namespace; CFK mounts it.
            if strimzi.is_some() && !namespaced && ci == 0 {
                out.push(b.at(
                    Diagnostic::error(
                        Code::ConnectPrerequisite,
                        format!("connector {:?} runs as its own principal, but its KafkaUser Secret has no namespace", c.name),
                    )
                    .with_hint("set spec.namespace in the Environment or metadata.namespace in the bundle: the config provider reads `${secrets:<namespace>/<user>:...}`"),
                    &at.child_key("name"),
                ));
            }
            let user = user_name(&c.name);
            if declared.contains(user.as_str()) {
                out.push(b.at(
                    Diagnostic::error(
                        Code::ConnectorPrincipalClash,
                        format!("connector {:?} runs as principal {user:?}, which a bundle also declares", c.name),
                    )
                    .with_hint("rename the connector or the principal"),
                    &at.child_key("name"),
                ));
            }
            let ty = c.effective_type();
            // A sink without topics is refused already (KB078); a source's are optional there.
            if c.topics.is_empty() && ty == Some(ConnectorType::Source) {
                out.push(b.at(
                    Diagnostic::error(
                        Code::ConnectorTopicsNeeded,
                        format!("source connector {:?} runs as its own principal but does not list the topics it writes", c.name),
                    )
                    .with_hint("list them in spec.connectors[].topics, exact names: its principal is granted Write on exactly those"),
                    &at.child_key("topics"),
                ));
            }
            if ty == Some(ConnectorType::Source) && !eos_enabled {
                check_exactly_once_asked(b, c, &at, strimzi.is_some(), out);
            }
        }
    }
}

/// A source that asks for exactly-once on workers the Environment does not declare
/// exactly-once: Connect would refuse it (`exactly.once.support: required`) or run it without
/// the transactions it asks for, and kbundle would not grant their ACLs.
fn check_exactly_once_asked(
    b: &BundleInput,
    c: &Connector,
    at: &FieldPath,
    strimzi: bool,
    out: &mut Vec<Diagnostic>,
) {
    let hint = if strimzi {
        "if the KafkaConnect sets it, say so in the Environment: spec.connect.exactlyOnceSourceSupport: enabled, with groupId and offsetsTopic; otherwise drop the key"
    } else {
        "kbundle does not grant exactly-once sources on CFK yet: drop the key, or remove spec.confluent.connectorPrincipals so the connector runs as the Connect cluster's user"
    };
    for key in EXACTLY_ONCE_KEYS {
        let on = match c.config.get(key) {
            // `requested` (the default) and `poll` leave it to the worker.
            Some(ConfigValue::String(v)) => !matches!(v.trim(), "" | "poll" | "requested"),
            Some(_) => true,
            None => false,
        };
        if on {
            out.push(b.at(
                Diagnostic::error(
                    Code::ConnectorExactlyOnceUnsupported,
                    if strimzi {
                        format!("source connector {:?} asks for exactly-once delivery ({key}), but the Environment does not say its Connect cluster runs with exactly.once.source.support=enabled", c.name)
                    } else {
                        format!("source connector {:?} asks for exactly-once delivery ({key}), which kbundle cannot grant its generated principal on CFK yet", c.name)
                    },
                )
                .with_hint(hint),
                &at.child_key("config").key(key),
            ));
        }
    }
}

/// With exactly-once sources on, their grants are named after the worker's `group.id` and
/// `offset.storage.topic`: both must be declared, never guessed.
fn check_exactly_once_settings(
    connect: &ConnectPrincipals,
    env: &EnvInput,
    out: &mut Vec<Diagnostic>,
) {
    let fields = [
        ("groupId", "group.id", &connect.group_id),
        (
            "offsetsTopic",
            "offset.storage.topic",
            &connect.offsets_topic,
        ),
    ];
    for (field, worker_key, value) in fields {
        if value.as_deref().is_none_or(|v| v.trim().is_empty()) {
            out.push(env.at(
                Diagnostic::error(
                    Code::ExactlyOnceSettingsMissing,
                    format!("spec.connect.exactlyOnceSourceSupport is enabled, but spec.connect.{field} (the KafkaConnect's {worker_key}) is not set"),
                )
                .with_hint(format!("copy {worker_key} from the KafkaConnect's spec.config: exactly-once source connectors are granted ACLs named after it")),
                &FieldPath::of("spec.connect").key(field),
            ));
        }
    }
}
