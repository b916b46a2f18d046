//! Acceptance test rules: test names fit Job names and are unique, a test's own `env` leaves
//! the `KBUNDLE_*` variables to kbundle, and its `timeout` is a usable deadline. (Images are
//! checked in `images`.)
//!
//! Codes: KB113 test env sets a reserved `KBUNDLE_*` variable, KB114 test name not a DNS-1123
//! label or declared twice, KB115 timeout zero or too large.

use super::BundleInput;
use crate::diag::Code;
use crate::diag::Diagnostic;
use crate::names::dns_label_problem;
use crate::path::FieldPath;
use crate::derive::tests::{RESERVED_PREFIX, timeout_seconds};
use std::collections::BTreeMap;

pub fn check(b: &BundleInput, out: &mut Vec<Diagnostic>) {
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, t) in b.bundle.spec.tests.iter().enumerate() {
        let at = FieldPath::of("spec.tests").index(i);
        if let Some(p) = dns_label_problem(&t.name) {
            out.push(b.at(
                Diagnostic::error(Code::TestNameInvalid, format!("test name {:?} {p}", t.name)).with_hint(
                    "test names become part of Job names: use a DNS-1123 label such as `smoke`",
                ),
                &at.child_key("name"),
            ));
        }
        if let Some(first) = seen.insert(&t.name, i) {
            out.push(b.at(
                Diagnostic::error(
                    Code::TestNameInvalid,
                    format!(
                        "test name {:?} is declared twice (also spec.tests[{first}])",
                        t.name
                    ),
                ),
                &at.child_key("name"),
            ));
        }
        for key in t.env.keys().filter(|k| k.starts_with(RESERVED_PREFIX)) {
            out.push(b.at(
                Diagnostic::error(
                    Code::TestEnvReserved,
                    format!("test {:?} sets {key}, but {RESERVED_PREFIX}* variables are set by kbundle", t.name),
                )
                .with_hint("rename the variable; kbundle sets KBUNDLE_BUNDLE, KBUNDLE_NAMESPACE, KBUNDLE_TOPICS and KBUNDLE_TEST"),
                &at.child_key("env").key(key),
            ));
        }
        if let Some(timeout) = &t.timeout
            && timeout_seconds(timeout).is_none()
        {
            out.push(
                b.at(
                    Diagnostic::error(
                        Code::TestTimeoutInvalid,
                        format!(
                            "test {:?} has timeout {timeout:?}, which is zero or too large",
                            t.name
                        ),
                    )
                    .with_hint("give a positive duration such as `30s`, `10m` or `1h`"),
                    &at.child_key("timeout"),
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Origin;
    use serde_json::json;

    #[test]
    fn test_rules() {
        let v = json!({
            "apiVersion": "kbundle.dev/v1alpha1", "kind": "AppBundle",
            "metadata": {"name": "orders"},
            "spec": {"owner": "o", "tests": [
                {"name": "smoke", "image": "t:1", "env": {"KBUNDLE_TOPICS": "x", "MINE": "y"}},
                {"name": "smoke", "image": "t:1", "timeout": "0s"},
                {"name": "Deep_Test", "image": "t:1", "timeout": "10m"}
            ]}
        });
        let b = BundleInput {
            bundle: crate::model::parse_app_bundle(&v).expect("bundle"),
            origin: Origin::default(),
            files: Default::default(),
            migrations: None,
            resolved: Default::default(),
        };
        let mut out = Vec::new();
        check(&b, &mut out);
        let got: Vec<_> = out
            .iter()
            .map(|d| (d.code, d.field.clone().unwrap_or_default()))
            .collect();
        assert_eq!(
            got,
            [
                (
                    Code::TestEnvReserved,
                    "spec.tests[0].env.KBUNDLE_TOPICS".to_string()
                ),
                (Code::TestNameInvalid, "spec.tests[1].name".to_string()),
                (
                    Code::TestTimeoutInvalid,
                    "spec.tests[1].timeout".to_string()
                ),
                (Code::TestNameInvalid, "spec.tests[2].name".to_string()),
            ]
        );
    }
}
