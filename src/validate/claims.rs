//! Ownership between bundles: reads what each bundle claims (topics, principals, connectors,
//! subjects) and reports a name claimed by two bundles — one check, used by every family that
//! has names only one bundle may own.

use super::BundleInput;
use crate::diag::{Code, Diagnostic};
use crate::model::pattern::Pattern;
use std::collections::{BTreeMap, HashMap};

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

/// The first bundle to claim each name or prefix, for names that may be written as a prefix
/// (`name*`): consumer groups, Streams applicationIds, transactional ids. Two claims conflict
/// when some name could match both — equal literals, a literal under a prefix, or two prefixes
/// one of which starts the other — since then one bundle's ACLs cover the other's resource.
#[derive(Debug, Default)]
pub struct PatternOwners<'a> {
    literals: BTreeMap<&'a str, usize>,
    prefixes: BTreeMap<&'a str, usize>,
}

impl<'a> PatternOwners<'a> {
    /// Bundle `bundle` claims `pattern`; the first other bundle whose claim overlaps, with that
    /// claim as written (`name` or `prefix*`).
    pub fn claim(&mut self, pattern: Pattern<'a>, bundle: usize) -> Option<(usize, String)> {
        let other = |&(_, &b): &(&&'a str, &usize)| b != bundle;
        let found = match pattern {
            Pattern::Literal(name) => self
                .literals
                .get_key_value(name)
                .filter(|&(_, &b)| b != bundle)
                .map(|(n, &b)| (b, n.to_string()))
                .or_else(|| self.prefix_above(name, bundle)),
            Pattern::Prefix(prefix) => self
                .prefix_above(prefix, bundle)
                .or_else(|| {
                    self.prefixes
                        .range(prefix..)
                        .take_while(|(p, _)| p.starts_with(prefix))
                        .find(other)
                        .map(|(p, &b)| (b, format!("{p}*")))
                })
                .or_else(|| {
                    self.literals
                        .range(prefix..)
                        .take_while(|(n, _)| n.starts_with(prefix))
                        .find(other)
                        .map(|(n, &b)| (b, n.to_string()))
                }),
        };
        match pattern {
            Pattern::Literal(name) => self.literals.entry(name).or_insert(bundle),
            Pattern::Prefix(prefix) => self.prefixes.entry(prefix).or_insert(bundle),
        };
        found
    }

    /// A prefix of another bundle that covers `name` (every char-boundary cut of it).
    fn prefix_above(&self, name: &str, bundle: usize) -> Option<(usize, String)> {
        (0..=name.len())
            .filter(|&i| name.is_char_boundary(i))
            .filter_map(|i| self.prefixes.get_key_value(&name[..i]))
            .find(|&(_, &b)| b != bundle)
            .map(|(p, &b)| (b, format!("{p}*")))
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

    #[test]
    fn overlapping_prefixes_conflict() {
        use Pattern::{Literal, Prefix};
        let mut owners = PatternOwners::default();
        assert_eq!(owners.claim(Prefix("pay."), 0), None);
        assert_eq!(owners.claim(Literal("pay.x"), 0), None, "same bundle");
        assert_eq!(owners.claim(Literal("pay.y"), 1), Some((0, "pay.*".into())));
        assert_eq!(owners.claim(Prefix("pay.a"), 2), Some((0, "pay.*".into())));
        assert_eq!(owners.claim(Prefix("pa"), 3), Some((0, "pay.*".into())));
        assert_eq!(owners.claim(Literal("orders"), 3), None);
        assert_eq!(
            owners.claim(Literal("orders"), 4),
            Some((3, "orders".into()))
        );
        assert_eq!(owners.claim(Prefix("ord"), 5), Some((3, "orders".into())));
        assert_eq!(owners.claim(Literal("ordex"), 6), Some((5, "ord*".into())));
        assert_eq!(owners.claim(Literal("zzz"), 6), None);
    }
}
