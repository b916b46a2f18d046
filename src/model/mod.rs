//! Typed input kinds (`kbundle.dev/v1alpha1` AppBundle and Environment), their published JSON
//! Schemas, and the strict parser that turns a YAML document into them.

mod acl;
pub mod bundle;
pub mod confluent;
pub mod conventions;
pub mod environment;
pub mod labels;
mod parse;
pub mod pattern;
pub mod platform;
mod salvage;
pub mod streams;

pub use bundle::AppBundle;
pub use confluent::{ConfluentConnectorPrincipals, SchemaRegistryRest};
pub use environment::Environment;
use parse::parse;
pub use parse::{ParseError, parse_app_bundle, parse_environment};
pub use salvage::{Salvaged, original_path, salvage_app_bundle};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The API group and version of both kinds.
pub const API_VERSION: &str = "kbundle.dev/v1alpha1";
pub const GROUP: &str = "kbundle.dev";

/// Object metadata of the input kinds. kustomize and kpt add annotations of their own, so
/// `labels` and `annotations` accept anything; other metadata fields are refused.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Metadata {
    /// DNS-1123 label; the prefix of generated object names.
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
}

/// A Kafka or connector config value: YAML numbers and booleans are accepted and kept as typed.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum ConfigValue {
    Bool(bool),
    Int(i64),
    Float(f64),
    String(String),
}

impl ConfigValue {
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            ConfigValue::Bool(b) => (*b).into(),
            ConfigValue::Int(i) => (*i).into(),
            ConfigValue::Float(f) => serde_json::Number::from_f64(*f)
                .map(serde_json::Value::Number)
                .unwrap_or_else(|| f.to_string().into()),
            ConfigValue::String(s) => s.clone().into(),
        }
    }

    /// The value as Kafka reads it from a properties string.
    pub fn as_text(&self) -> String {
        match self {
            ConfigValue::Bool(b) => b.to_string(),
            ConfigValue::Int(i) => i.to_string(),
            ConfigValue::Float(f) => f.to_string(),
            ConfigValue::String(s) => s.clone(),
        }
    }
}

/// Which of the two kinds a JSON Schema is wanted for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    AppBundle,
    Environment,
}

/// The published JSON Schema (draft 2020-12) of a kind, for editors (yaml-language-server) and
/// for the parser itself.
pub fn json_schema(kind: Kind) -> serde_json::Value {
    let schema = match kind {
        Kind::AppBundle => schemars::schema_for!(AppBundle),
        Kind::Environment => schemars::schema_for!(Environment),
    };
    serde_json::to_value(schema).unwrap_or_default()
}
