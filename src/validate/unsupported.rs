//! Parts of the AppBundle contract that this version parses but does not render yet. They are
//! refused, never silently dropped: a bundle that asks for masking must not deploy unmasked.

use super::BundleInput;
use crate::diag::Diagnostic;
use crate::path::FieldPath;

pub fn check(b: &BundleInput, out: &mut Vec<Diagnostic>) {
    let spec = &b.bundle.spec;
    let mut refuse = |present: bool, path: FieldPath, what: &str| {
        if present {
            out.push(
                b.at(
                    Diagnostic::error(
                        "KB006",
                        format!("{what} are not supported yet by this version of kbundle"),
                    )
                    .with_hint(
                        "remove the field, or render with a kbundle release that supports it",
                    ),
                    &path,
                ),
            );
        }
    };
    refuse(
        spec.ksql.is_some(),
        FieldPath::of("spec.ksql"),
        "ksqlDB migrations",
    );
    refuse(
        !spec.alerts.is_empty(),
        FieldPath::of("spec.alerts"),
        "alerts",
    );
    refuse(
        !spec.tests.is_empty(),
        FieldPath::of("spec.tests"),
        "acceptance tests",
    );
}
