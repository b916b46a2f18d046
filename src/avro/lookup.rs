//! Field paths (`customer.email`) looked up in a parsed schema, for masking and pii rules.

use super::types::{NamedTypes, describe, named_types, resolve};
use crate::suggest::did_you_mean;
use apache_avro::Schema;
use apache_avro::schema::RecordSchema;

/// What a masking rule's field path points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldInfo {
    /// The path has more than one segment (`customer.email`).
    pub nested: bool,
    /// The field's type: `string`, `int`, `record x.Address`, `union [null, string]`, ...
    pub type_name: String,
    /// The field can hold null (its type is null or a union with null).
    pub nullable: bool,
}

/// Finds the field at a dot-separated `path` (`customer.email`), walking through records and
/// through unions of null and one record (`["null", Customer]`).
pub fn lookup_field(schema: &super::Schema, path: &str) -> Result<FieldInfo, String> {
    let schema = schema.avro();
    if path.is_empty() {
        return Err("the field path is empty".to_string());
    }
    let segments: Vec<&str> = path.split('.').collect();
    if segments.iter().any(|s| s.is_empty()) {
        return Err(format!("field path {path} has an empty segment"));
    }
    let names = named_types(schema);
    let mut current = schema;
    let mut walked: Vec<&str> = Vec::new();
    for segment in &segments {
        let Some(record) = as_record(current, &names) else {
            let what = describe(current, &names);
            let owner = if walked.is_empty() {
                "the schema".to_string()
            } else {
                format!("field {}", walked.join("."))
            };
            let mut message =
                format!("field {path} does not exist: {owner} is {what}, not a record");
            if matches!(resolve(current, &names), Schema::Union(_)) {
                message.push_str(" (only a union of null and one record is looked through)");
            }
            return Err(message);
        };
        walked.push(segment);
        let Some(field) = record.fields.iter().find(|f| f.name == *segment) else {
            let candidates: Vec<&str> = record.fields.iter().map(|f| f.name.as_str()).collect();
            let mut message = format!(
                "field {} does not exist in record {} (fields: {})",
                walked.join("."),
                record.name.fullname(None),
                if candidates.is_empty() {
                    "none".to_string()
                } else {
                    crate::suggest::short_list(&candidates, 20)
                }
            );
            if let Some(suggestion) = did_you_mean(segment, candidates.iter().copied()) {
                walked.pop();
                walked.push(suggestion);
                message.push_str(&format!(", did you mean {}?", walked.join(".")));
            }
            return Err(message);
        };
        current = &field.schema;
    }
    let resolved = resolve(current, &names);
    Ok(FieldInfo {
        nested: segments.len() > 1,
        type_name: describe(current, &names),
        nullable: match resolved {
            Schema::Null => true,
            Schema::Union(union) => union.is_nullable(),
            _ => false,
        },
    })
}

/// The record `schema` is, or the record in a union of null and one record.
fn as_record<'a>(schema: &'a Schema, names: &NamedTypes<'a>) -> Option<&'a RecordSchema> {
    match resolve(schema, names) {
        Schema::Record(record) => Some(record),
        Schema::Union(union) if union.is_nullable() => {
            let others: Vec<&Schema> = union
                .variants()
                .iter()
                .filter(|v| !matches!(v, Schema::Null))
                .collect();
            match others.as_slice() {
                [only] => match resolve(only, names) {
                    Schema::Record(record) => Some(record),
                    _ => None,
                },
                _ => None,
            }
        }
        _ => None,
    }
}
