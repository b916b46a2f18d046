//! Schemas: reads a bundle's schemas and topics, emits which subjects each schema is registered
//! under, with the text and compatibility level to register. How they reach the registry is the
//! backend's choice (Strimzi: `backend::shared::registration`'s PreSync Job).

use crate::model::bundle::{AppBundle, Compatibility};

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

pub fn compatibility_name(c: Compatibility) -> &'static str {
    match c {
        Compatibility::None => "NONE",
        Compatibility::Backward => "BACKWARD",
        Compatibility::BackwardTransitive => "BACKWARD_TRANSITIVE",
        Compatibility::Forward => "FORWARD",
        Compatibility::ForwardTransitive => "FORWARD_TRANSITIVE",
        Compatibility::Full => "FULL",
        Compatibility::FullTransitive => "FULL_TRANSITIVE",
    }
}

/// Subjects of every schema in a bundle, in schema order: the explicit `subject`, else
/// TopicNameStrategy (`<topic>-value`, `<topic>-key`) for each topic that names the schema.
pub fn subjects_of(bundle: &AppBundle) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (i, s) in bundle.spec.schemas.iter().enumerate() {
        if let Some(subject) = &s.subject {
            out.push((i, subject.clone()));
            continue;
        }
        for t in &bundle.spec.topics {
            if t.value_schema.as_deref() == Some(s.name.as_str()) {
                out.push((i, format!("{}-value", t.name)));
            }
            if t.key_schema.as_deref() == Some(s.name.as_str()) {
                out.push((i, format!("{}-key", t.name)));
            }
        }
    }
    out
}
