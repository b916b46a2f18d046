//! Diagnostics of a salvaged bundle (one that failed to parse, checked without its broken parts,
//! see `model::salvage_app_bundle`) that can be trusted. A rule that looks at one part alone —
//! a topic's name or config, a principal's grants, a connector's credentials — says the same
//! with or without the broken parts. A rule that relates two parts of the bundle may fire only
//! because the other part was left out (a lag alert on a group whose principal did not parse),
//! so its findings are dropped: they come back, if real, once the parse errors are fixed.

use crate::diag::{Code, Diagnostic};
use std::collections::BTreeSet;

/// Rules that relate one part of a bundle to another, so that a part left out can set them off.
fn relates_parts(code: Code) -> bool {
    matches!(
        code,
        Code::UndeclaredTopic
            | Code::SchemaUnknown
            | Code::SchemaUnused
            | Code::MaskingTopicUnknown
            | Code::MaskingWithoutSchema
            | Code::MaskingPathUnknown
            | Code::PiiUnmasked
            | Code::LagGroupNotConsumed
            | Code::ThroughputTopicUnknown
            | Code::LagTopicNotRead
            | Code::LagAlertMissing
            | Code::MigrationBeforeTopics
            | Code::ConnectorTopicsNeeded
    )
}

/// `diags` without the findings of part-relating rules on the `salvaged` bundles.
pub fn keep_reliable(diags: Vec<Diagnostic>, salvaged: &BTreeSet<String>) -> Vec<Diagnostic> {
    if salvaged.is_empty() {
        return diags;
    }
    diags
        .into_iter()
        .filter(|d| {
            let on_salvaged = d
                .resource
                .as_ref()
                .is_some_and(|r| r.kind == "AppBundle" && salvaged.contains(&r.name));
            !(on_salvaged && relates_parts(d.code))
        })
        .collect()
}
