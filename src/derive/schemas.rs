//! The subjects a bundle's schemas are registered under, and the registry's names for
//! compatibility levels.

use crate::model::bundle::{AppBundle, Compatibility};

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
