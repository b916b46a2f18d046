//! Context gathered from a schema's JSON before apache-avro parses it: where each named type,
//! reference and field is, so that a parse error can say where the problem is.

use serde_json::{Map, Value};
use std::collections::BTreeSet;

pub(super) const PRIMITIVES: [&str; 8] = [
    "null", "boolean", "int", "long", "float", "double", "bytes", "string",
];
pub(super) const COMPLEX: [&str; 5] = ["record", "enum", "array", "map", "fixed"];

/// Context gathered from the JSON before apache-avro parses it: apache-avro's errors name the
/// problem but rarely where it is.
#[derive(Default)]
pub(super) struct Facts {
    /// Full names of named types, in order of definition.
    pub(super) defined: Vec<String>,
    /// The first named type defined twice, and where.
    pub(super) redefined: Option<(String, String)>,
    /// Type names that are neither primitive nor defined before use: as written, resolved
    /// against the enclosing namespace, and where.
    pub(super) unknown_refs: Vec<(String, String, String)>,
    /// Records with a field that has no name.
    pub(super) unnamed_fields: Vec<String>,
    /// (field, record) pairs.
    pub(super) untyped_fields: Vec<(String, String)>,
    pub(super) duplicate_fields: Vec<(String, String)>,
    /// (symbol, enum) pairs.
    pub(super) duplicate_symbols: Vec<(String, String)>,
    /// Enums whose default is not one of their symbols.
    pub(super) bad_enum_defaults: Vec<String>,
    /// (field, record) pairs of union fields whose default fits none of the branches.
    pub(super) bad_union_defaults: Vec<(String, String)>,
    /// The first thing Java's parser refuses and apache-avro accepts (see `rules`).
    pub(super) refused: Option<String>,
    /// A record is written as `"type": "error"`, which apache-avro does not know.
    pub(super) has_error_type: bool,
}

impl Facts {
    pub(super) fn walk(&mut self, json: &Value, namespace: &str, at: &str) {
        match json {
            Value::String(name) => self.reference(name, namespace, at),
            Value::Array(branches) => {
                for branch in branches {
                    self.walk(branch, namespace, at);
                }
            }
            Value::Object(object) => self.object(object, namespace, at),
            _ => {}
        }
    }

    fn object(&mut self, object: &Map<String, Value>, namespace: &str, at: &str) {
        match object.get("type") {
            Some(Value::String(kind)) => match kind.as_str() {
                "record" => self.record(object, namespace, at),
                "error" => {
                    self.has_error_type = true;
                    self.record(object, namespace, at);
                }
                "enum" => self.enumeration(object, namespace, at),
                "fixed" => {
                    self.define(object, namespace, at);
                }
                "array" => {
                    if let Some(items) = object.get("items") {
                        self.walk(items, namespace, at);
                    }
                }
                "map" => {
                    if let Some(values) = object.get("values") {
                        self.walk(values, namespace, at);
                    }
                }
                other => self.reference(other, namespace, at),
            },
            Some(inner @ (Value::Object(_) | Value::Array(_))) => self.walk(inner, namespace, at),
            _ => {}
        }
    }

    /// Registers a named type; returns its full name and the namespace its children inherit.
    fn define(
        &mut self,
        object: &Map<String, Value>,
        namespace: &str,
        at: &str,
    ) -> (String, String) {
        let Some(name) = object.get("name").and_then(Value::as_str) else {
            return ("(unnamed)".to_string(), namespace.to_string());
        };
        let (space, short) = match name.rsplit_once('.') {
            Some((space, short)) => (space.to_string(), short),
            None => (
                object
                    .get("namespace")
                    .and_then(Value::as_str)
                    .unwrap_or(namespace)
                    .to_string(),
                name,
            ),
        };
        let full = if space.is_empty() {
            short.to_string()
        } else {
            format!("{space}.{short}")
        };
        self.check_named(object, &full, at);
        if self.defined.contains(&full) {
            if self.redefined.is_none() {
                self.redefined = Some((full.clone(), at.to_string()));
            }
        } else {
            self.defined.push(full.clone());
        }
        (full, space)
    }

    fn record(&mut self, object: &Map<String, Value>, namespace: &str, at: &str) {
        let (record, space) = self.define(object, namespace, at);
        let Some(Value::Array(fields)) = object.get("fields") else {
            return;
        };
        let mut seen = BTreeSet::new();
        for field in fields {
            let Value::Object(field) = field else {
                continue;
            };
            let Some(name) = field.get("name").and_then(Value::as_str) else {
                self.unnamed_fields.push(record.clone());
                continue;
            };
            self.check_field(field, name, &record);
            if !seen.insert(name) {
                self.duplicate_fields
                    .push((name.to_string(), record.clone()));
            }
            let Some(field_type) = field.get("type") else {
                self.untyped_fields.push((name.to_string(), record.clone()));
                continue;
            };
            self.walk(
                field_type,
                &space,
                &format!("field {name} of record {record}"),
            );
            if let (Value::Array(branches), Some(default)) = (field_type, field.get("default"))
                && !branches.iter().any(|branch| default_fits(default, branch))
            {
                self.bad_union_defaults
                    .push((name.to_string(), record.clone()));
            }
        }
    }

    fn enumeration(&mut self, object: &Map<String, Value>, namespace: &str, at: &str) {
        let (name, _) = self.define(object, namespace, at);
        let symbols: Vec<&str> = match object.get("symbols") {
            Some(Value::Array(symbols)) => symbols.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        let mut seen = BTreeSet::new();
        for symbol in &symbols {
            if !seen.insert(*symbol) {
                self.duplicate_symbols
                    .push((symbol.to_string(), name.clone()));
            }
        }
        if let Some(default) = object.get("default").and_then(Value::as_str)
            && !symbols.contains(&default)
        {
            self.bad_enum_defaults.push(name);
        }
    }

    fn reference(&mut self, name: &str, namespace: &str, at: &str) {
        if PRIMITIVES.contains(&name) {
            return;
        }
        let full = if name.contains('.') || namespace.is_empty() {
            name.to_string()
        } else {
            format!("{namespace}.{name}")
        };
        let known = |n: &str| self.defined.iter().any(|d| d == n);
        if !known(&full) && !known(name) {
            self.unknown_refs
                .push((name.to_string(), full, at.to_string()));
        }
    }
}

/// Whether a default's JSON kind can belong to a union branch; used only to point at the field
/// apache-avro rejected, so unknown shapes count as fitting.
fn default_fits(default: &Value, branch: &Value) -> bool {
    let kind = match branch {
        Value::String(kind) => kind.as_str(),
        Value::Object(object) => match object.get("type") {
            Some(Value::String(kind)) => kind.as_str(),
            _ => return true,
        },
        _ => return true,
    };
    match kind {
        "null" => default.is_null(),
        "boolean" => default.is_boolean(),
        "int" | "long" => default.is_i64() || default.is_u64(),
        "float" | "double" => default.is_number() || default.is_string(),
        "string" | "bytes" | "enum" | "fixed" => default.is_string(),
        "record" | "error" | "map" => default.is_object(),
        "array" => default.is_array(),
        _ => true,
    }
}
