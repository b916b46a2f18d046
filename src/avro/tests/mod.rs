//! Unit tests of the Avro module: an evolution table checked at every compatibility level (and
//! against apache-avro's own checker), the reasons given, parse errors, and field lookups.

use super::*;
use crate::model::bundle::Compatibility;
use apache_avro::schema_compatibility::{Compatibility as AvroVerdict, SchemaCompatibility};

/// Columns of every `expect` string below.
const LEVELS: [Compatibility; 7] = [
    Compatibility::None,
    Compatibility::Backward,
    Compatibility::BackwardTransitive,
    Compatibility::Forward,
    Compatibility::ForwardTransitive,
    Compatibility::Full,
    Compatibility::FullTransitive,
];

struct Case {
    name: &'static str,
    /// Previous versions, oldest first.
    old: Vec<String>,
    new: String,
    /// `y`/`n` for NONE BACKWARD BACKWARD_T FORWARD FORWARD_T FULL FULL_T, or `invalid` when
    /// the new schema must not even parse.
    expect: &'static str,
    /// Why apache-avro's `can_read` disagrees with us on this case, if it does.
    deviation: Option<&'static str>,
}

/// `x.Order` with the given fields.
fn order(fields: &str) -> String {
    format!(r#"{{"type":"record","name":"Order","namespace":"x","fields":[{fields}]}}"#)
}

fn fields_case(name: &'static str, old: &[&str], new: &str, expect: &'static str) -> Case {
    Case {
        name,
        old: old.iter().map(|f| order(f)).collect(),
        new: order(new),
        expect,
        deviation: None,
    }
}

fn raw_case(name: &'static str, old: &[&str], new: &str, expect: &'static str) -> Case {
    Case {
        name,
        old: old.iter().map(|s| s.to_string()).collect(),
        new: new.to_string(),
        expect,
        deviation: None,
    }
}

fn parsed(text: &str, case: &str) -> Schema {
    match parse(text) {
        Ok(schema) => schema,
        Err(e) => panic!("case {case}: {text} does not parse: {e}"),
    }
}

fn avro_can_read(writer: &Schema, reader: &Schema) -> bool {
    // Partial compatibility means some data cannot be read: the registry calls that
    // incompatible, and so do we.
    matches!(
        SchemaCompatibility::can_read(writer.avro(), reader.avro()),
        Ok(AvroVerdict::Full)
    )
}

mod cases;
mod compat;
mod lookup;
mod parse;
mod registry;

use cases::cases;
