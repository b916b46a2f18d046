//! Which Schema Registry a CFK `Schema` registers in: reads `spec.confluent`, emits the
//! Schema's `schemaRegistryClusterRef` (a registry CFK runs) or `schemaRegistryRest` (an
//! endpoint and a Secret reference: Confluent Cloud's registry, or one CFK does not run), and
//! checks the choice (KB162, KB157).
//!
//! Field shapes from CFK's Schema CRD (vendored JSON Schema `schema_v1beta1.json`,
//! `spec.schemaRegistryRest`): `endpoint` matches `^https?://.*`; `authentication.type` is one
//! of basic, bearer, mtls, oauth; `authentication.basic.secretRef` / `bearer.secretRef` is a
//! DNS-1123 label of at most 30 characters.

use crate::diag::{Code, Diagnostic};
use crate::model::confluent::SchemaRegistryRest;
use crate::model::environment::ConfluentSettings;
use crate::path::FieldPath;
use crate::validate::{BundleInput, EnvInput};
use serde_json::{Value, json};

/// CFK's limit on a `secretRef` in `schemaRegistryRest.authentication`.
pub const SECRET_REF_MAX: usize = 30;

/// The registry reference of a Schema object: (field, value), or none when the Environment
/// names no registry (CFK then uses the Schema Registry of the Schema's namespace).
pub fn registry_ref(s: &ConfluentSettings) -> Option<(&'static str, Value)> {
    if let Some(rest) = &s.schema_registry_rest {
        return Some(("schemaRegistryRest", rest_value(rest)));
    }
    s.schema_registry_cluster_ref
        .as_ref()
        .map(|name| ("schemaRegistryClusterRef", json!({ "name": name })))
}

fn rest_value(rest: &SchemaRegistryRest) -> Value {
    let ty = rest.authentication.auth_type.as_str();
    let mut auth = serde_json::Map::new();
    auth.insert("type".into(), json!(ty));
    auth.insert(
        ty.into(),
        json!({"secretRef": rest.authentication.secret_ref}),
    );
    json!({"endpoint": rest.endpoint, "authentication": Value::Object(auth)})
}

fn error(env: &EnvInput, msg: String, hint: &str, at: FieldPath) -> Diagnostic {
    env.at(
        Diagnostic::error(Code::ConfluentSchemaRegistryRef, msg).with_hint(hint),
        &at,
    )
}

/// The Environment: at most one registry reference, none that is a CFK cluster on Confluent
/// Cloud, and a usable endpoint and Secret name.
pub fn check_environment(env: &EnvInput, s: &ConfluentSettings, out: &mut Vec<Diagnostic>) {
    let at = FieldPath::of("spec.confluent");
    if s.schema_registry_rest.is_some() && s.schema_registry_cluster_ref.is_some() {
        out.push(error(
            env,
            "spec.confluent sets both schemaRegistryClusterRef and schemaRegistryRest".into(),
            "keep one: schemaRegistryRest for Confluent Cloud or a registry CFK does not run, else schemaRegistryClusterRef",
            at.child_key("schemaRegistryRest"),
        ));
    } else if s.cloud && s.schema_registry_cluster_ref.is_some() {
        out.push(error(
            env,
            "spec.confluent.cloud is set, but schemaRegistryClusterRef names a CFK Schema Registry; Confluent Cloud's registry is reached over REST".into(),
            "replace it with schemaRegistryRest: {endpoint: https://<psrc-…>.confluent.cloud, authentication: {type: basic, secretRef: <Secret with the API key>}}",
            at.child_key("schemaRegistryClusterRef"),
        ));
    }
    let Some(rest) = &s.schema_registry_rest else {
        return;
    };
    let at = at.key("schemaRegistryRest");
    let endpoint = rest.endpoint.trim();
    let scheme_ok = ["http://", "https://"]
        .iter()
        .any(|p| endpoint.len() > p.len() && endpoint.starts_with(p));
    if !scheme_ok || endpoint != rest.endpoint {
        out.push(error(
            env,
            format!(
                "schemaRegistryRest.endpoint {:?} is not an http(s):// URL",
                crate::diag::escape_controls(&rest.endpoint)
            ),
            "write the registry's URL, e.g. https://psrc-xxxxx.us-east-2.aws.confluent.cloud",
            at.child_key("endpoint"),
        ));
    } else if s.cloud && !endpoint.starts_with("https://") {
        out.push(error(
            env,
            format!(
                "schemaRegistryRest.endpoint {:?} is plain http, but Confluent Cloud serves only https",
                crate::diag::escape_controls(endpoint)
            ),
            "use the https:// endpoint Confluent Cloud shows for the environment's Schema Registry",
            at.child_key("endpoint"),
        ));
    }
    let secret = &rest.authentication.secret_ref;
    let problem = crate::names::dns_label_problem(secret).or_else(|| {
        (secret.len() > SECRET_REF_MAX).then(|| {
            format!(
                "is {} characters long, CFK allows at most {SECRET_REF_MAX}",
                secret.len()
            )
        })
    });
    if let Some(problem) = problem {
        out.push(
            env.at(
                Diagnostic::error(
                    Code::ConfluentNameInvalid,
                    format!(
                        "schemaRegistryRest.authentication.secretRef {:?} {problem}",
                        crate::diag::escape_controls(secret)
                    ),
                )
                .with_hint("name the Secret holding the registry credentials (a DNS-1123 label, at most 30 characters)"),
                &at.child_key("authentication").key("secretRef"),
            ),
        );
    }
}

/// A bundle with schemas on Confluent Cloud needs `schemaRegistryRest`.
pub fn check_bundle(
    b: &BundleInput,
    env: &EnvInput,
    s: &ConfluentSettings,
    out: &mut Vec<Diagnostic>,
) {
    if !s.cloud || s.schema_registry_rest.is_some() || b.bundle.spec.schemas.is_empty() {
        return;
    }
    out.push(b.at(
        Diagnostic::error(
            Code::ConfluentSchemaRegistryRef,
            format!(
                "the bundle has schemas, but {} (spec.confluent.cloud) names no schemaRegistryRest to register them in",
                env.label()
            ),
        )
        .with_hint("set spec.confluent.schemaRegistryRest to the Confluent Cloud Schema Registry endpoint and the Secret with its API key"),
        &FieldPath::of("spec.schemas"),
    ));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::confluent::{RestAuthType, RestAuthentication};

    #[test]
    fn rest_reference_as_the_schema_crd_spells_it() {
        let s = ConfluentSettings {
            schema_registry_cluster_ref: None,
            schema_registry_rest: Some(SchemaRegistryRest {
                endpoint: "https://psrc-1.confluent.cloud".into(),
                authentication: RestAuthentication {
                    auth_type: RestAuthType::Basic,
                    secret_ref: "sr-cloud".into(),
                },
            }),
            ..Default::default()
        };
        let (key, v) = registry_ref(&s).expect("a reference");
        assert_eq!(key, "schemaRegistryRest");
        assert_eq!(
            v,
            json!({"endpoint": "https://psrc-1.confluent.cloud",
                   "authentication": {"type": "basic", "basic": {"secretRef": "sr-cloud"}}})
        );
        let s = ConfluentSettings {
            schema_registry_cluster_ref: Some("sr".into()),
            ..Default::default()
        };
        assert_eq!(
            registry_ref(&s),
            Some(("schemaRegistryClusterRef", json!({"name": "sr"})))
        );
        assert_eq!(registry_ref(&ConfluentSettings::default()), None);
    }
}
