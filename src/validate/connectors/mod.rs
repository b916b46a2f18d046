//! Connector rules: reads an AppBundle's `spec.connectors` and the Environment, emits
//! diagnostics for connectors that could not run, would leak a credential, or would collide.
//!
//! Codes:
//! - KB070 error: the bundle has connectors but the Environment names no
//!   `strimzi.connectCluster` to run them on.
//! - KB071 error: two connectors of one bundle share a name.
//! - KB072 error: a connector name is not a DNS-1123 subdomain (it is the KafkaConnector's
//!   `metadata.name`, and the connector's name in Kafka Connect, as is).
//! - KB073 error: a config template does not render; names connector, key, line and column.
//! - KB074 error: a config key that holds a credential has a literal value (credentials come
//!   from Secrets only). The value is never shown: it may be a real secret.
//! - KB075 error: whether a connector is a sink or a source is unknown (no `type`, and the
//!   class name does not say), or `type` contradicts the class name.
//! - KB076 error: `config` sets a key that a dedicated field sets (`name`, `connector.class`,
//!   `tasks.max`, a sink's `topics`), that Strimzi refuses (`connector.plugin.version`), or a
//!   sink's `topics.regex` (masking needs to know every topic a sink reads).
//! - KB077 error: two bundles declare a connector of the same name (one Connect cluster).
//! - KB078 error: a connector's `topics` hold an invalid or repeated topic name, or a sink
//!   lists no topic.
//! - KB079 error: the Environment's `strimzi.connectCluster` is not a valid KafkaConnect name.

use super::{BundleInput, EnvInput};
use crate::credentials;
use crate::diag::Code;
use crate::diag::Diagnostic;
use crate::model::ConfigValue;
use crate::model::bundle::{Connector, ConnectorType};
use crate::model::environment::EnvironmentSpec;
use crate::model::environment::Target;
use crate::names::{is_dns_subdomain, kafka_topic_problem};
use crate::path::FieldPath;
use crate::template::{self, ReferenceSyntax, TemplateContext, TemplateError};
use std::collections::HashMap;

const TEMPLATE_HELP: &str = "templates may use env.name, env.namespace, bundle.name, \
     secret(name=, key=) and configmap(name=, key=); for a literal `{{`, write \
     {% raw %}{{{% endraw %}";

const SECRET_HINT: &str = "write \"{{ secret(name='<Secret name>', key='<key in the Secret>') }}\" and keep the value in that Secret";

/// What a bundle's config templates see: the Environment's name, the namespace objects go to
/// (the Environment's, else the bundle's own) and the bundle's name.
fn template_context(
    b: &BundleInput,
    env: &EnvironmentSpec,
    env_name: &str,
    reference: ReferenceSyntax,
) -> TemplateContext {
    TemplateContext {
        reference,
        env_name: env_name.to_string(),
        env_namespace: env
            .namespace
            .clone()
            .or_else(|| b.bundle.metadata.namespace.clone()),
        bundle_name: b.bundle.metadata.name.clone(),
    }
}

/// One config value as Kafka Connect reads it: a string is rendered as a template, a number or
/// boolean becomes its text.
fn render_value(value: &ConfigValue, ctx: &TemplateContext) -> Result<String, TemplateError> {
    match value {
        ConfigValue::String(s) => template::render(s, ctx),
        other => Ok(other.as_text()),
    }
}

/// Template output of one whole run, all bundles together. One template is capped at 1 MiB
/// already, but a bundle of many keys each near that cap made 322 MB of output from 236 KB of
/// input: the run as a whole has a budget, far above any real connector config.
pub const TEMPLATE_BUDGET_BYTES: usize = 8 * 1024 * 1024;

/// The largest rendered config of one connector. The KafkaConnector holding it must fit in etcd
/// (about 1.5 MiB per object); refused at render time, naming the connector, rather than by the
/// API server after sync started.
pub const MAX_CONNECTOR_CONFIG_BYTES: usize = 512 * 1024;

/// Render every connector config value once, for the rules below and for the plan. `budget` is
/// what is left of [`TEMPLATE_BUDGET_BYTES`] for the run; once spent, the remaining values fail
/// as templates without being rendered.
pub fn resolve(
    b: &mut BundleInput,
    env: &EnvInput,
    reference: ReferenceSyntax,
    budget: &mut usize,
) {
    let ctx = template_context(b, &env.env.spec, &env.env.metadata.name, reference);
    b.resolved.connector_configs = b
        .bundle
        .spec
        .connectors
        .iter()
        .map(|c| {
            c.config
                .iter()
                .map(|(k, v)| {
                    if *budget == 0 {
                        let e = TemplateError {
                            message: format!(
                                "not rendered: the connector templates of this run produced more than {} MiB in all",
                                TEMPLATE_BUDGET_BYTES / 1024 / 1024
                            ),
                            line: None,
                            column: None,
                        };
                        return (k.clone(), Err(e));
                    }
                    let r = render_value(v, &ctx);
                    if let Ok(text) = &r {
                        *budget = budget.saturating_sub(text.len());
                    }
                    (k.clone(), r)
                })
                .collect()
        })
        .collect();
}

pub fn check(b: &BundleInput, env: &EnvInput, out: &mut Vec<Diagnostic>) {
    let connectors = &b.bundle.spec.connectors;
    if connectors.is_empty() {
        return;
    }
    let spec = &env.env.spec;
    if spec.target == Target::Strimzi && spec.strimzi.connect_cluster.is_none() {
        let hint = match &env.origin {
            Some(_) => format!(
                "set spec.strimzi.connectCluster in {} to the name of the KafkaConnect that runs them",
                env.label()
            ),
            None => "connectors need an Environment whose spec.strimzi.connectCluster names the \
                     KafkaConnect that runs them"
                .to_string(),
        };
        out.push(
            b.at(
                Diagnostic::error(
                    Code::ConnectClusterMissing,
                    format!(
                        "the bundle has connectors, but {} names no Connect cluster",
                        env.label()
                    ),
                )
                .with_hint(hint),
                &FieldPath::of("spec.connectors"),
            ),
        );
    }
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (i, c) in connectors.iter().enumerate() {
        let at = FieldPath::of("spec.connectors").index(i);
        if let Some(first) = seen.insert(&c.name, i) {
            out.push(b.at(
                Diagnostic::error(
                    Code::ConnectorDeclaredTwice,
                    format!(
                        "connector {:?} is declared twice in this bundle (also spec.connectors[{first}])",
                        c.name
                    ),
                )
                .with_hint("connector names are unique on the Connect cluster; rename one"),
                &at.child_key("name"),
            ));
        }
        check_connector(b, c, i, &at, out);
    }
}

fn check_connector(
    b: &BundleInput,
    c: &Connector,
    index: usize,
    at: &FieldPath,
    out: &mut Vec<Diagnostic>,
) {
    if !is_dns_subdomain(&c.name) {
        out.push(b.at(
            Diagnostic::error(
                Code::ConnectorNameInvalid,
                format!(
                    "connector name {:?} is not a DNS-1123 subdomain (lowercase letters, digits, \
                     `-` and `.`, at most 253 characters, alphanumeric at both ends of each part)",
                    c.name
                ),
            )
            .with_hint("the name becomes the KafkaConnector's metadata.name; use a name such as `orders-to-warehouse`"),
            &at.child_key("name"),
        ));
    }
    let connector_type = check_type(b, c, at, out);
    check_reserved_keys(b, c, connector_type, at, out);
    check_topics(b, c, connector_type, at, out);
    let rendered = b.resolved.connector_configs.get(index);
    for (key, value) in &c.config {
        let Some(result) = rendered.and_then(|r| r.get(key)) else {
            continue;
        };
        check_value(b, c, key, value, result, at, out);
    }
    let size: usize = rendered
        .into_iter()
        .flatten()
        .map(|(k, v)| k.len() + v.as_ref().map_or(0, String::len))
        .sum();
    if size > MAX_CONNECTOR_CONFIG_BYTES {
        out.push(b.at(
            Diagnostic::error(
                Code::ObjectTooLarge,
                format!(
                    "connector {:?}: its rendered config is {} KiB, more than the {} KiB a KafkaConnector may hold",
                    c.name,
                    size / 1024,
                    MAX_CONNECTOR_CONFIG_BYTES / 1024
                ),
            )
            .with_hint("the API server refuses objects over about 1.5 MiB; keep large data out of connector configs"),
            &at.child_key("config"),
        ));
    }
}

/// The connector's type, when known.
fn check_type(
    b: &BundleInput,
    c: &Connector,
    at: &FieldPath,
    out: &mut Vec<Diagnostic>,
) -> Option<ConnectorType> {
    let implied = ConnectorType::from_class(&c.class);
    match (c.connector_type, implied) {
        (None, None) => out.push(b.at(
            Diagnostic::error(
                Code::ConnectorTypeUnknown,
                format!(
                    "connector {:?}: class {:?} does not say whether it is a sink or a source",
                    c.name, c.class
                ),
            )
            .with_hint("set `type: sink` (reads topics out of Kafka) or `type: source` (writes into Kafka)"),
            &at.child_key("class"),
        )),
        (Some(declared), Some(implied)) if declared != implied => out.push(b.at(
            Diagnostic::error(
                Code::ConnectorTypeUnknown,
                format!(
                    "connector {:?} says type: {}, but its class {:?} is a {} connector",
                    c.name,
                    declared.as_str(),
                    c.class,
                    implied.as_str()
                ),
            )
            .with_hint("correct `type` or remove it; masking applies to sinks"),
            &at.child_key("type"),
        )),
        _ => {}
    }
    c.effective_type()
}

/// Config keys a dedicated field or Strimzi sets.
fn check_reserved_keys(
    b: &BundleInput,
    c: &Connector,
    connector_type: Option<ConnectorType>,
    at: &FieldPath,
    out: &mut Vec<Diagnostic>,
) {
    let sink = connector_type == Some(ConnectorType::Sink);
    for key in c.config.keys() {
        let (why, hint) = match key.as_str() {
            "name" => (
                "the connector's `name` sets it",
                "remove it; the connector is named by `name`",
            ),
            "connector.class" => ("`class` sets it", "remove it and set the class in `class`"),
            "tasks.max" => ("`tasksMax` sets it", "remove it and set `tasksMax` instead"),
            "connector.plugin.version" => (
                "Strimzi does not allow it in a KafkaConnector's config",
                "remove it",
            ),
            "topics" if sink => (
                "the connector's `topics` sets it",
                "list the topics in the connector's `topics` field (kbundle needs them to apply masking)",
            ),
            // Masking is enforced on the topics a sink reads; a pattern would hide them.
            "topics.regex" if sink => (
                "kbundle must know every topic a sink reads, to enforce masking",
                "list the topics in the connector's `topics` field",
            ),
            _ => continue,
        };
        out.push(
            b.at(
                Diagnostic::error(
                    Code::ConnectorReservedKey,
                    format!(
                        "connector {:?} config key {key:?} cannot be set here: {why}",
                        c.name
                    ),
                )
                .with_hint(hint),
                &at.child_key("config").key(key),
            ),
        );
    }
}

fn check_topics(
    b: &BundleInput,
    c: &Connector,
    connector_type: Option<ConnectorType>,
    at: &FieldPath,
    out: &mut Vec<Diagnostic>,
) {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (j, t) in c.topics.iter().enumerate() {
        let path = || at.child_key("topics").index(j);
        if let Some(problem) = kafka_topic_problem(t) {
            let mut d = Diagnostic::error(
                Code::ConnectorTopicInvalid,
                format!("connector {:?} topic name {t:?} {problem}", c.name),
            );
            if t.contains('*') {
                d = d.with_hint("connector topics are exact names; list each one");
            }
            out.push(b.at(d, &path()));
        } else if let Some(first) = seen.insert(t, j) {
            out.push(
                b.at(
                    Diagnostic::error(
                        Code::ConnectorTopicInvalid,
                        format!(
                            "connector {:?} lists topic {t:?} twice (also topics[{first}])",
                            c.name
                        ),
                    )
                    .with_hint("list each topic once"),
                    &path(),
                ),
            );
        }
    }
    if connector_type == Some(ConnectorType::Sink) && c.topics.is_empty() {
        out.push(
            b.at(
                Diagnostic::error(
                    Code::ConnectorTopicInvalid,
                    format!("sink connector {:?} reads no topic", c.name),
                )
                .with_hint("list the topics it reads in `topics`"),
                at,
            ),
        );
    }
}

/// One config value: it must render, and a credential must be a reference.
fn check_value(
    b: &BundleInput,
    c: &Connector,
    key: &str,
    value: &ConfigValue,
    rendered: &Result<String, TemplateError>,
    at: &FieldPath,
    out: &mut Vec<Diagnostic>,
) {
    let path = || at.child_key("config").key(key);
    let credential = credentials::is_credential_key(key);
    // Checked on the value as written: `secret()` renders to a reference pinned to the bundle's
    // namespace, a reference written by hand could name any Secret or file the worker can read.
    if let ConfigValue::String(raw) = value
        && let Some(provider) = credentials::provider_reference(raw)
    {
        out.push(b.at(
            Diagnostic::error(
                Code::RawProviderReference,
                format!(
                    "connector {:?} config key {key:?} writes a `${{{provider}:...}}` config-provider reference itself",
                    c.name
                ),
            )
            .with_hint("write {{ secret(\"<secret>\", \"<key>\") }} (or configmap()): kbundle writes the reference, pinned to the bundle's namespace"),
            &path(),
        ));
        return;
    }
    if let Ok(text) = rendered
        && let Some(what) = credentials::url_credential(text)
    {
        out.push(b.at(
            Diagnostic::error(
                Code::CredentialInUrl,
                format!("connector {:?} config key {key:?} holds {what}", c.name),
            )
            .with_hint("take the password out of the URL and set it with secret() in the connector's password key (e.g. connection.password)"),
            &path(),
        ));
        return;
    }
    match rendered {
        Err(e) => {
            // A literal secret that happens to contain `{{` or `{%` fails as a template, and
            // Tera's message may quote pieces of it: for credential keys, show the detail only
            // when the value is plainly a reference attempt.
            let shown_raw = match value {
                ConfigValue::String(s) => s.contains("secret(") || s.contains("configmap("),
                _ => true,
            };
            let d = if credential && !shown_raw {
                let position = match (e.line, e.column) {
                    (Some(l), Some(col)) => format!(" (line {l}, column {col})"),
                    (Some(l), None) => format!(" (line {l})"),
                    _ => String::new(),
                };
                Diagnostic::error(
                    Code::TemplateError,
                    format!(
                        "connector {:?} config key {key:?}: the value is not a valid template{position}; the details are not shown because the value may be a secret",
                        c.name
                    ),
                )
                .with_hint(SECRET_HINT)
            } else {
                Diagnostic::error(
                    Code::TemplateError,
                    format!("connector {:?} config key {key:?}: {e}", c.name),
                )
                .with_hint(TEMPLATE_HELP)
            };
            out.push(b.at(d, &path()));
        }
        Ok(rendered) => {
            if credential && !rendered.trim().is_empty() && !credentials::is_reference(rendered) {
                out.push(b.at(
                    Diagnostic::error(
                        Code::LiteralCredential,
                        format!(
                            "connector {:?} config key {key:?} holds a literal credential; credentials come from Secrets only",
                            c.name
                        ),
                    )
                    .with_hint(SECRET_HINT),
                    &path(),
                ));
            }
        }
    }
}

/// Connector names are unique across bundles: all run on the Environment's one Connect cluster.
pub fn check_across(bundles: &[BundleInput], out: &mut Vec<Diagnostic>) {
    let mut owners = super::claims::Owners::default();
    for (bi, b) in bundles.iter().enumerate() {
        for (ci, c) in b.bundle.spec.connectors.iter().enumerate() {
            if let super::claims::Claim::Other(obi) = owners.claim(&c.name, bi) {
                out.push(b.at(
                    super::claims::claimed_twice(
                        Code::ConnectorClaimedTwice,
                        "connector",
                        &c.name,
                        &bundles[obi],
                        b,
                        "connector names are unique on the Connect cluster",
                    ),
                    &FieldPath::of("spec.connectors").index(ci).key("name"),
                ));
            }
        }
    }
}

/// The Environment's Connect cluster name: a KafkaConnect name and a label value. Run once per
/// Environment, whether or not any bundle has connectors.
#[cfg(test)]
mod tests;
