//! Schema text → a parsed [`Schema`] or a [`SchemaProblem`] that says what is wrong and, where
//! it can, in which record and field.

use super::Schema;
use super::facts::{COMPLEX, Facts, PRIMITIVES};
use super::rules::errors_as_records;
use crate::suggest::did_you_mean;
use apache_avro::error::Details;
use serde_json::Value;

/// Why a schema text is not a valid Avro schema.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", position(*line, *column))]
pub struct SchemaProblem {
    pub message: String,
    /// 1-based line, known for JSON syntax errors only.
    pub line: Option<u32>,
    /// 1-based column, known for JSON syntax errors only.
    pub column: Option<u32>,
}

/// `line L, column C: `, `line L: ` or nothing.
fn position(line: Option<u32>, column: Option<u32>) -> String {
    match (line, column) {
        (Some(line), Some(column)) => format!("line {line}, column {column}: "),
        (Some(line), None) => format!("line {line}: "),
        _ => String::new(),
    }
}

/// Parses Avro schema text. Invalid JSON gives the syntax error with its line and column; valid
/// JSON that is not a valid Avro schema gives the reason, naming the record and field where it
/// can. Never panics.
pub fn parse(text: &str) -> Result<Schema, SchemaProblem> {
    if text.trim().is_empty() {
        return Err(problem("the schema is empty".to_string()));
    }
    let mut json: Value = serde_json::from_str(text).map_err(|e| json_problem(&e))?;
    let mut facts = Facts::default();
    facts.walk(&json, "", "the top-level schema");
    if facts.has_error_type {
        errors_as_records(&mut json);
    }
    let schema = apache_avro::Schema::parse(&json)
        .map_err(|e| problem(avro_message(e.into_details(), &facts)))?;
    if let Some(message) = facts.refused.take() {
        return Err(problem(message));
    }
    // apache-avro resolves a reference to another type's alias; Java's parser (and so the
    // registry) knows types only by their names.
    if let Some((written, _, _)) = facts.unknown_refs.first() {
        return Err(problem(format!(
            "{}; an alias names a type only when matching versions, never in a reference",
            unknown_type(written, &facts)
        )));
    }
    // apache-avro quietly turns a second definition of a name into a reference to the first;
    // Avro's Java parser (and so the registry) rejects it.
    if let Some((name, at)) = facts.redefined {
        return Err(problem(format!(
            "named type {name} is defined twice (again in {at})"
        )));
    }
    Ok(Schema::new(schema))
}

fn problem(message: String) -> SchemaProblem {
    SchemaProblem {
        message,
        line: None,
        column: None,
    }
}

fn json_problem(e: &serde_json::Error) -> SchemaProblem {
    let text = e.to_string();
    // serde_json appends " at line L column C"; the position goes into its own fields.
    let reason = match text.rsplit_once(" at line ") {
        Some((reason, _)) => reason,
        None => text.as_str(),
    };
    let position = |n: usize| u32::try_from(n).ok().filter(|n| *n > 0);
    SchemaProblem {
        message: format!("invalid JSON: {reason}"),
        line: position(e.line()),
        column: position(e.column()),
    }
}

/// apache-avro's reason, rewritten as a sentence that says where the problem is.
fn avro_message(details: Details, facts: &Facts) -> String {
    let in_record = |pairs: &[(String, String)], first: &str| {
        pairs
            .iter()
            .find(|(name, _)| name == first)
            .map(|(_, record)| record.clone())
    };
    match details {
        Details::ParsePrimitive(name) | Details::ParsePrimitiveSimilar(name, _) => {
            unknown_type(&name, facts)
        }
        Details::GetComplexType(value) => format!("unknown type {value}"),
        Details::GetNameField => "a record, enum or fixed type has no name".to_string(),
        Details::GetNameFieldFromRecord => match facts.unnamed_fields.first() {
            Some(record) => format!("a field of record {record} has no name"),
            None => "a record field has no name".to_string(),
        },
        Details::GetRecordFieldTypeField => match facts.untyped_fields.first() {
            Some((field, record)) => format!("field {field} of record {record} has no type"),
            None => "a record field has no type".to_string(),
        },
        Details::GetRecordFieldsJson => "a record has no fields array".to_string(),
        Details::FieldNameDuplicate(field) => match in_record(&facts.duplicate_fields, &field) {
            Some(record) => format!("record {record} has two fields named {field}"),
            None => format!("a record has two fields named {field}"),
        },
        Details::FieldName(field) => format!(
            "field name {field} is not valid: it must start with a letter or _ and contain only \
             letters, digits and _"
        ),
        Details::InvalidSchemaName(name, _) => format!(
            "type name {name} is not valid: each dot-separated part must start with a letter or \
             _ and contain only letters, digits and _"
        ),
        Details::InvalidNamespace(namespace, _) => format!(
            "namespace {namespace} is not valid: each dot-separated part must start with a letter \
             or _ and contain only letters, digits and _"
        ),
        Details::EnumSymbolName(symbol) => format!(
            "enum symbol {symbol} is not valid: it must start with a letter or _ and contain only \
             letters, digits and _"
        ),
        Details::EnumSymbolDuplicate(symbol) => {
            match in_record(&facts.duplicate_symbols, &symbol) {
                Some(name) => format!("enum {name} lists symbol {symbol} twice"),
                None => format!("an enum lists symbol {symbol} twice"),
            }
        }
        Details::GetEnumDefault { symbol, symbols } => {
            let which = match facts.bad_enum_defaults.first() {
                Some(name) => format!("enum {name}"),
                None => "an enum".to_string(),
            };
            format!(
                "the default {symbol} of {which} is not one of its symbols ({})",
                symbols.join(", ")
            )
        }
        Details::EnumDefaultWrongType(value) => {
            format!("the default of an enum must be one of its symbols, found {value}")
        }
        Details::GetEnumSymbolsField => "an enum has no symbols".to_string(),
        Details::GetEnumSymbols => "an enum's symbols must be an array of strings".to_string(),
        Details::GetDefaultRecordField(field, record, schema, value) => format!(
            "the default {value} of field {field} in record {record} is not a valid {}",
            canonical_type_name(&schema)
        ),
        Details::GetDefaultUnion(..) => match facts.bad_union_defaults.first() {
            Some((field, record)) => format!(
                "the default of field {field} in record {record} matches none of its union's types"
            ),
            None => "the default of a union field matches none of the union's types".to_string(),
        },
        Details::GetNestedUnion => {
            "a union directly contains another union, which Avro does not allow".to_string()
        }
        Details::GetUnionDuplicate(kind) => {
            format!(
                "a union lists {} more than once",
                format!("{kind:?}").to_ascii_lowercase()
            )
        }
        Details::GetUnionDuplicateNamedSchemas(name) => {
            format!("a union lists the named type {name} more than once")
        }
        Details::GetUnionDuplicateMap(..) => "a union lists more than one map".to_string(),
        Details::GetUnionDuplicateArray(..) => "a union lists more than one array".to_string(),
        Details::EmptyUnion => "a union has no types".to_string(),
        Details::GetArrayItemsField => "an array type has no items".to_string(),
        Details::GetMapValuesField => "a map type has no values".to_string(),
        Details::GetFixedSizeField => "a fixed type has no size".to_string(),
        Details::GetFixedSizeFieldPositive(value) => {
            format!("the size of a fixed type must be a positive integer, found {value}")
        }
        Details::GetComplexTypeField => "a type object has no \"type\"".to_string(),
        Details::ParseSchemaFromValidJson => {
            "a schema must be a JSON string, object or array".to_string()
        }
        Details::JsonNumberTooLarge(number) => {
            format!("the number {number} is too large for an Avro value")
        }
        other => lowercase_first(&other.to_string()),
    }
}

/// `name` is as apache-avro reports it, which may be qualified with the enclosing namespace.
fn unknown_type(name: &str, facts: &Facts) -> String {
    let found = facts
        .unknown_refs
        .iter()
        .find(|(written, full, _)| written == name || full == name);
    let name = found.map_or(name, |(written, _, _)| written.as_str());
    let mut message = format!("unknown type {name}");
    if let Some((_, _, at)) = found {
        message.push_str(&format!(" in {at}"));
    }
    if facts
        .defined
        .iter()
        .any(|d| d == name || d.ends_with(&format!(".{name}")))
    {
        message.push_str("; named types must be defined before they are used");
        return message;
    }
    let mut candidates: Vec<&str> = PRIMITIVES.iter().chain(COMPLEX.iter()).copied().collect();
    for defined in &facts.defined {
        candidates.push(defined);
        if let Some((_, short)) = defined.rsplit_once('.') {
            candidates.push(short);
        }
    }
    match did_you_mean(name, candidates) {
        Some(suggestion) => message.push_str(&format!("; did you mean {suggestion}?")),
        None => message
            .push_str(" (neither a primitive type nor a named type defined earlier in the schema)"),
    }
    message
}

/// `"int"` → `int`; `{"name":"B","type":"record",...}` → `record B`; anything else unchanged.
fn canonical_type_name(canonical: &str) -> String {
    match serde_json::from_str::<Value>(canonical) {
        Ok(Value::String(name)) => name,
        Ok(Value::Object(object)) => {
            let kind = object.get("type").and_then(Value::as_str).unwrap_or("type");
            match object.get("name").and_then(Value::as_str) {
                Some(name) => format!("{kind} {name}"),
                None => kind.to_string(),
            }
        }
        Ok(Value::Array(_)) => format!("union {canonical}"),
        _ => canonical.to_string(),
    }
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}
