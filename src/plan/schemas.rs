//! Schemas: reads a bundle's schemas and topics, emits which subjects each schema is registered
//! under, with the text and compatibility level to register. How they reach the registry is the
//! backend's choice (Strimzi: `backend::shared::registration`'s PreSync Job).

use crate::model::bundle::Compatibility;
use crate::derive::schemas::compatibility_name;

/// One subject to register.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SubjectPlan {
    pub subject: String,
    /// Local schema name in the bundle.
    pub schema: String,
    pub text: String,
    #[serde(serialize_with = "ser_compat")]
    pub compatibility: Compatibility,
}

fn ser_compat<S: serde::Serializer>(c: &Compatibility, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(compatibility_name(*c))
}

