//! Environment settings of the Confluent for Kubernetes target that are more than a name:
//! connectors as their own principals on a CFK Connect cluster, and a Schema Registry reached
//! over REST (Confluent Cloud). Parts of `spec.confluent` (docs/reference/confluent.md).

use super::environment::OverridePolicy;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// With this set, each connector runs as a principal of its own, `connect-<connector>`, as
/// `spec.connect` does on Strimzi: its clients' `sasl.jaas.config` is read from the Secret
/// `connect-<connector>` that the CFK Connect cluster mounts (`spec.mountedSecrets`), and
/// role bindings give that principal exactly what the connector uses. What the Connect
/// cluster is configured with is stated here, so kbundle can check it.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ConfluentConnectorPrincipals {
    /// The Connect CR's `connector.client.config.override.policy` (in
    /// `spec.configOverrides.server`): `All` or `Principal` allow the `sasl.jaas.config`
    /// overrides kbundle writes; `None` refuses them.
    pub client_override_policy: OverridePolicy,
    /// The Secrets the Connect CR lists in `spec.mountedSecrets[].secretRef`. CFK mounts each at
    /// `/mnt/secrets/<secret>`; every connector's `connect-<connector>` must be among them.
    #[serde(default)]
    pub mounted_secrets: Vec<String>,
}

/// A Schema Registry reached over its REST endpoint (`Schema.spec.schemaRegistryRest`):
/// Confluent Cloud's, or any registry CFK does not run.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SchemaRegistryRest {
    /// `http(s)://` URL of the registry, e.g. Confluent Cloud's `https://psrc-….confluent.cloud`.
    pub endpoint: String,
    /// How CFK authenticates to it; the credentials stay in a Secret.
    pub authentication: RestAuthentication,
}

/// Authentication to a REST endpoint by Secret reference, as CFK's `basic` / `bearer` types
/// read it (`basic`: keys `username`, `password`; `bearer`: `bearer.txt` or as CFK documents).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RestAuthentication {
    #[serde(rename = "type")]
    pub auth_type: RestAuthType,
    /// The Secret holding the credentials (a DNS-1123 label of at most 30 characters, CFK's
    /// limit for `secretRef`). Its value is never read by kbundle.
    pub secret_ref: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum RestAuthType {
    /// Confluent Cloud: an API key and secret as `username` / `password`.
    Basic,
    Bearer,
}

impl RestAuthType {
    pub fn as_str(self) -> &'static str {
        match self {
            RestAuthType::Basic => "basic",
            RestAuthType::Bearer => "bearer",
        }
    }
}
