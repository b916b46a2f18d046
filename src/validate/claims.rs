//! Ownership between bundles: reads what each bundle claims (topics, principals, connectors,
//! subjects) and reports a name claimed by two bundles — one check, used by every family that
//! has names only one bundle may own.

use super::BundleInput;
use crate::diag::{Code, Diagnostic};
use std::collections::HashMap;

/// Who claimed a name first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// Nobody before: this bundle owns it now.
    New,
    /// This bundle already claimed it (a duplicate inside one bundle, its own check's business).
    Same,
    /// Another bundle (its index) claimed it first.
    Other(usize),
}

/// The first bundle to claim each name.
#[derive(Debug, Default)]
pub struct Owners<'a>(HashMap<&'a str, usize>);

impl<'a> Owners<'a> {
    pub fn with_capacity(n: usize) -> Self {
        Owners(HashMap::with_capacity(n))
    }

    /// Bundle `bundle` claims `name`.
    pub fn claim(&mut self, name: &'a str, bundle: usize) -> Claim {
        match self.0.get(name) {
            Some(&first) if first == bundle => Claim::Same,
            Some(&first) => Claim::Other(first),
            None => {
                self.0.insert(name, bundle);
                Claim::New
            }
        }
    }
}

/// `<what> "<name>" is declared by bundle "<first>" and by bundle "<second>"`, with `why` and
/// where the other declaration is as the hint.
pub fn claimed_twice(
    code: Code,
    what: &str,
    name: &str,
    first: &BundleInput,
    second: &BundleInput,
    why: &str,
) -> Diagnostic {
    Diagnostic::error(
        code,
        format!(
            "{what} {name:?} is declared by bundle {:?} and by bundle {:?}",
            first.name(),
            second.name()
        ),
    )
    .with_hint(format!(
        "{why}; the other is in {}",
        first.origin.file.as_deref().unwrap_or("the input")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_bundle_owns_a_name() {
        let mut owners = Owners::default();
        assert_eq!(owners.claim("t", 0), Claim::New);
        assert_eq!(owners.claim("t", 0), Claim::Same);
        assert_eq!(owners.claim("t", 1), Claim::Other(0));
        assert_eq!(owners.claim("u", 1), Claim::New);
    }
}
