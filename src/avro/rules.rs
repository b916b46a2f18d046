//! Rules of Avro's Java parser (and so of the Schema Registry) that apache-avro does not check;
//! each was confirmed against `org.apache.avro.Schema.Parser` 1.12.0 (tests/avro_java.rs).

use super::facts::{Facts, PRIMITIVES};
use serde_json::{Map, Value};

/// Java's `Schema.Field.Order`.
const ORDERS: [&str; 3] = ["ascending", "descending", "ignore"];

impl Facts {
    /// A named type: not named like a primitive in the null namespace (Java: "Schemas cannot be
    /// named primitive types"), and `aliases`, if present, an array of strings.
    pub(super) fn check_named(&mut self, object: &Map<String, Value>, full: &str, at: &str) {
        if PRIMITIVES.contains(&full) {
            self.refuse(format!(
                "a named type in {at} is called {full}, the name of a primitive type; give it \
                 another name or a namespace"
            ));
        }
        if !aliases_are_strings(object) {
            self.refuse(format!(
                "the aliases of {full} must be an array of names, not {}",
                shape(object.get("aliases"))
            ));
        }
    }

    /// A record field: `order` one of Java's three, `aliases` an array of strings that does not
    /// list the field's own name (Java's `lookupWriterField` then finds the writer's field twice
    /// and throws, so the registry fails every later compatibility check of the subject).
    pub(super) fn check_field(&mut self, field: &Map<String, Value>, name: &str, record: &str) {
        if let Some(order) = field.get("order")
            && !order.as_str().is_some_and(|o| ORDERS.contains(&o))
        {
            self.refuse(format!(
                "field {name} of record {record} has order {order}; it must be one of {}",
                ORDERS.join(", ")
            ));
        }
        if !aliases_are_strings(field) {
            self.refuse(format!(
                "the aliases of field {name} of record {record} must be an array of names, not {}",
                shape(field.get("aliases"))
            ));
        } else if let Some(Value::Array(aliases)) = field.get("aliases")
            && aliases.iter().any(|a| a.as_str() == Some(name))
        {
            self.refuse(format!(
                "field {name} of record {record} lists its own name among its aliases"
            ));
        }
    }

    /// Keeps the first refusal, so the message is about the first problem in the text.
    fn refuse(&mut self, message: String) {
        if self.refused.is_none() {
            self.refused = Some(message);
        }
    }
}

fn aliases_are_strings(object: &Map<String, Value>) -> bool {
    match object.get("aliases") {
        None => true,
        Some(Value::Array(aliases)) => aliases.iter().all(Value::is_string),
        Some(_) => false,
    }
}

/// The JSON kind of a value, never the value itself.
fn shape(value: Option<&Value>) -> &'static str {
    match value {
        Some(Value::String(_)) => "a string",
        Some(Value::Number(_)) => "a number",
        Some(Value::Bool(_)) => "a boolean",
        Some(Value::Object(_)) => "an object",
        Some(Value::Array(_)) => "an array with a non-string element",
        Some(Value::Null) | None => "null",
    }
}

/// `"type": "error"` (Java's name for a record thrown by a protocol message) as `"record"`,
/// which is how Java's parser reads it and the only spelling apache-avro knows.
pub(super) fn errors_as_records(json: &mut Value) {
    match json {
        Value::Array(items) => items.iter_mut().for_each(errors_as_records),
        Value::Object(object) => {
            if object.get("type").and_then(Value::as_str) == Some("error") {
                object.insert("type".to_string(), Value::String("record".to_string()));
            }
            object.values_mut().for_each(errors_as_records);
        }
        _ => {}
    }
}
