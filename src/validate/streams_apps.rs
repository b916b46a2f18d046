//! Several Streams apps per principal (`principals[].streams` as a list): within one bundle,
//! every app has its own applicationId. Across bundles the ownership rules (KB130, KB131,
//! KB141) claim each app's id and prefixes like any other.

use super::BundleInput;
use crate::diag::{Code, Diagnostic};
use crate::path::FieldPath;
use std::collections::BTreeMap;

pub fn check(b: &BundleInput, out: &mut Vec<Diagnostic>) {
    let mut seen: BTreeMap<&str, FieldPath> = BTreeMap::new();
    for (pi, p) in b.bundle.spec.principals.iter().enumerate() {
        let at = FieldPath::of("spec.principals").index(pi);
        for (s, sat) in p.streams.with_paths(&at) {
            let path = sat.key("applicationId");
            if let Some(first) = seen.get(s.application_id.as_str()) {
                out.push(b.at(
                    Diagnostic::error(
                        Code::StreamsAppDeclaredTwice,
                        format!(
                            "Streams applicationId {:?} is declared twice in this bundle (also {first})",
                            s.application_id
                        ),
                    )
                    .with_hint("an applicationId is one application: give each Streams app its own"),
                    &path,
                ));
            } else {
                seen.insert(&s.application_id, path);
            }
        }
    }
}
