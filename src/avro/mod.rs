//! Avro schemas, offline: reads `.avsc` text and emits parsed schemas or positioned problems,
//! Schema Registry compatibility verdicts with a sentence naming the field, and field lookups for
//! masking rules.
//!
//! Compatibility follows the Avro specification's schema-resolution rules as implemented by
//! Avro's Java `SchemaCompatibility`, which is what Confluent Schema Registry runs:
//! - logical types resolve as their underlying type, except that two decimals must agree on
//!   precision and scale (the specification says so; Java does not check it, so we are stricter
//!   there than the registry);
//! - names of records, enums and fixed types match on the unqualified name or when the reader
//!   lists the writer's full name among its aliases;
//! - a reader field takes the writer field with its name or one of its aliases, otherwise it needs
//!   a default; a reader field matching two writer fields is an error;
//! - a writer union needs every branch readable; a reader union needs one branch that reads the
//!   writer's type.
//!
//! apache-avro's own checker is the cross-check in the tests. We differ from it on purpose where
//! it ignores named-type aliases, compares a named type's definition with a later reference to it
//! as a type mismatch, and takes the first writer field when a reader field's name and alias match
//! two (Java throws); and its "partially compatible" (`Ok(Partial)`: some writer union branch or
//! enum symbol cannot be read) is, for us as for the registry, incompatible.
//!
//! Layout: `parse` (schema text → [`Schema`] or a positioned [`SchemaProblem`]; `facts` gathers
//! the context its messages need), `compat` and `unions` (the compatibility walker), `types`
//! (what the walker and the lookups share: named-type resolution, encodings, descriptions) and
//! `lookup` (field paths for masking and pii rules). Parse a schema once and pass the same
//! [`Schema`] to [`check_compatibility`] and [`lookup_field`].

mod compat;
mod facts;
mod lookup;
mod parse;
mod rules;
mod types;
mod unions;

#[cfg(test)]
mod tests;

pub use compat::{Direction, Incompatibility, check_compatibility, compatibility};
pub use lookup::{FieldInfo, lookup_field};
pub use parse::{SchemaProblem, parse};

use crate::model::bundle::Compatibility;
use std::sync::Arc;

/// A parsed, valid Avro schema. Cloning is cheap (the parsed tree is shared), so one parse can
/// serve the compatibility check and every masking or pii lookup.
#[derive(Debug, Clone)]
pub struct Schema(Arc<apache_avro::Schema>);

impl Schema {
    pub(crate) fn new(schema: apache_avro::Schema) -> Self {
        Schema(Arc::new(schema))
    }

    /// The apache-avro tree underneath; kept crate-private so the crate can be replaced.
    pub(crate) fn avro(&self) -> &apache_avro::Schema {
        &self.0
    }

    /// [`lookup_field`] on this schema.
    pub fn lookup_field(&self, path: &str) -> Result<FieldInfo, String> {
        lookup_field(self, path)
    }

    /// [`check_compatibility`] of this schema as the new version against `previous`.
    pub fn check_compatibility(
        &self,
        previous: &[Schema],
        level: Compatibility,
    ) -> Result<(), Incompatibility> {
        check_compatibility(self, previous, level)
    }
}

/// kbundle's verdict for the differential test against Java's `SchemaCompatibility`
/// (tests/avro_java.rs): `new` checked against `previous` (oldest first) at `level`, written as
/// the registry spells it (`BACKWARD_TRANSITIVE`). Answers `compatible`, `incompatible`, or
/// `invalid` when a schema does not parse. Not part of the interface.
#[doc(hidden)]
pub fn registry_verdict(new: &str, previous: &[&str], level: &str) -> &'static str {
    let level = match level {
        "NONE" => Compatibility::None,
        "BACKWARD" => Compatibility::Backward,
        "BACKWARD_TRANSITIVE" => Compatibility::BackwardTransitive,
        "FORWARD" => Compatibility::Forward,
        "FORWARD_TRANSITIVE" => Compatibility::ForwardTransitive,
        "FULL" => Compatibility::Full,
        "FULL_TRANSITIVE" => Compatibility::FullTransitive,
        _ => return "unknown level",
    };
    let Ok(new) = parse(new) else {
        return "invalid";
    };
    let Ok(previous) = previous
        .iter()
        .map(|p| parse(p))
        .collect::<Result<Vec<_>, _>>()
    else {
        return "invalid";
    };
    match check_compatibility(&new, &previous, level) {
        Ok(()) => "compatible",
        Err(_) => "incompatible",
    }
}
