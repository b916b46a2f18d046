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

use crate::model::bundle::Compatibility;
use crate::suggest::did_you_mean;
use apache_avro::Schema;
use apache_avro::error::Details;
use apache_avro::schema::{
    Alias, DecimalSchema, EnumSchema, FixedSchema, InnerDecimalSchema, Name, RecordField,
    RecordSchema, UnionSchema, UuidSchema,
};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// Why a schema text is not a valid Avro schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaProblem {
    pub message: String,
    /// 1-based line, known for JSON syntax errors only.
    pub line: Option<u32>,
    /// 1-based column, known for JSON syntax errors only.
    pub column: Option<u32>,
}

impl fmt::Display for SchemaProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(line), Some(column)) => write!(f, "line {line}, column {column}: ")?,
            (Some(line), None) => write!(f, "line {line}: ")?,
            _ => {}
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for SchemaProblem {}

/// Which side of a compatibility check could not read the other's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// The new schema, as reader, cannot read data written with the previous one (BACKWARD).
    NewReadsOld,
    /// The previous schema, as reader, cannot read data written with the new one (FORWARD).
    OldReadsNew,
}

/// The first compatibility failure found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incompatibility {
    /// Index into `previous` (0 = oldest) of the version the check failed against.
    pub against: usize,
    pub direction: Direction,
    /// A sentence naming the field and the change, e.g. `field currency (string) added without
    /// a default`.
    pub reason: String,
}

impl fmt::Display for Incompatibility {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.direction {
            Direction::NewReadsOld => write!(
                f,
                "the new schema cannot read data written with previous[{}]: {}",
                self.against, self.reason
            ),
            Direction::OldReadsNew => write!(
                f,
                "readers using previous[{}] cannot read data written with the new schema: {}",
                self.against, self.reason
            ),
        }
    }
}

impl std::error::Error for Incompatibility {}

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

// ---------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------

const PRIMITIVES: [&str; 8] = [
    "null", "boolean", "int", "long", "float", "double", "bytes", "string",
];
const COMPLEX: [&str; 5] = ["record", "enum", "array", "map", "fixed"];

/// Parses Avro schema text. Invalid JSON gives the syntax error with its line and column; valid
/// JSON that is not a valid Avro schema gives the reason, naming the record and field where it
/// can. Never panics.
pub fn parse(text: &str) -> Result<Schema, SchemaProblem> {
    if text.trim().is_empty() {
        return Err(problem("the schema is empty".to_string()));
    }
    let json: Value = serde_json::from_str(text).map_err(|e| json_problem(&e))?;
    let mut facts = Facts::default();
    facts.walk(&json, "", "the top-level schema");
    let schema =
        Schema::parse(&json).map_err(|e| problem(avro_message(e.into_details(), &facts)))?;
    // apache-avro quietly turns a second definition of a name into a reference to the first;
    // Avro's Java parser (and so the registry) rejects it.
    if let Some((name, at)) = facts.redefined {
        return Err(problem(format!(
            "named type {name} is defined twice (again in {at})"
        )));
    }
    Ok(schema)
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

/// Context gathered from the JSON before apache-avro parses it: apache-avro's errors name the
/// problem but rarely where it is.
#[derive(Default)]
struct Facts {
    /// Full names of named types, in order of definition.
    defined: Vec<String>,
    /// The first named type defined twice, and where.
    redefined: Option<(String, String)>,
    /// Type names that are neither primitive nor defined before use: as written, resolved
    /// against the enclosing namespace, and where.
    unknown_refs: Vec<(String, String, String)>,
    /// Records with a field that has no name.
    unnamed_fields: Vec<String>,
    /// (field, record) pairs.
    untyped_fields: Vec<(String, String)>,
    duplicate_fields: Vec<(String, String)>,
    /// (symbol, enum) pairs.
    duplicate_symbols: Vec<(String, String)>,
    /// Enums whose default is not one of their symbols.
    bad_enum_defaults: Vec<String>,
    /// (field, record) pairs of union fields whose default fits none of the branches.
    bad_union_defaults: Vec<(String, String)>,
}

impl Facts {
    fn walk(&mut self, json: &Value, namespace: &str, at: &str) {
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
                "record" | "error" => self.record(object, namespace, at),
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

// ---------------------------------------------------------------------------------------------
// Compatibility
// ---------------------------------------------------------------------------------------------

/// Checks `new` against `previous` (oldest first) with Schema Registry's meaning of `level`:
/// BACKWARD: `new` reads data written with the latest previous version; FORWARD: the latest
/// previous version reads data written with `new`; FULL: both; the `_TRANSITIVE` levels do the
/// same against every previous version; NONE checks nothing. No previous versions always passes.
///
/// The first failure is reported. Versions are checked newest first (as the registry does), and
/// for FULL levels the backward direction before the forward one, so the answer is deterministic.
pub fn check_compatibility(
    new: &Schema,
    previous: &[Schema],
    level: Compatibility,
) -> Result<(), Incompatibility> {
    let (backward, forward, transitive) = match level {
        Compatibility::None => return Ok(()),
        Compatibility::Backward => (true, false, false),
        Compatibility::BackwardTransitive => (true, false, true),
        Compatibility::Forward => (false, true, false),
        Compatibility::ForwardTransitive => (false, true, true),
        Compatibility::Full => (true, true, false),
        Compatibility::FullTransitive => (true, true, true),
    };
    let checked = if transitive { previous.len() } else { 1 };
    for (against, old) in previous.iter().enumerate().rev().take(checked) {
        if backward {
            can_read(old, new, Direction::NewReadsOld).map_err(|reason| Incompatibility {
                against,
                direction: Direction::NewReadsOld,
                reason,
            })?;
        }
        if forward {
            can_read(new, old, Direction::OldReadsNew).map_err(|reason| Incompatibility {
                against,
                direction: Direction::OldReadsNew,
                reason,
            })?;
        }
    }
    Ok(())
}

/// Whether `reader` can read data written with `writer`; `direction` says which of them is the
/// new schema, so the reason can speak of fields added or removed.
fn can_read(writer: &Schema, reader: &Schema, direction: Direction) -> Result<(), String> {
    let mut resolver = Resolver {
        writer_names: named_types(writer),
        reader_names: named_types(reader),
        direction,
        in_progress: BTreeSet::new(),
        proven: BTreeSet::new(),
        proven_log: Vec::new(),
    };
    resolver.check(writer, reader, &mut Vec::new())
}

type NamedTypes<'a> = BTreeMap<String, &'a Schema>;

/// Every named type defined in `schema`, by full name and by alias, to resolve references.
fn named_types(schema: &Schema) -> NamedTypes<'_> {
    let mut names = BTreeMap::new();
    collect_named(schema, &mut names);
    names
}

fn collect_named<'a>(schema: &'a Schema, names: &mut NamedTypes<'a>) {
    let mut define = |name: &Name, aliases: Option<&Vec<Alias>>| {
        names.entry(name.fullname(None)).or_insert(schema);
        for alias in aliases.into_iter().flatten() {
            names.entry(alias.fullname(None)).or_insert(schema);
        }
    };
    match schema {
        Schema::Record(record) => {
            define(&record.name, record.aliases.as_ref());
            for field in &record.fields {
                collect_named(&field.schema, names);
            }
        }
        Schema::Enum(EnumSchema { name, aliases, .. })
        | Schema::Fixed(FixedSchema { name, aliases, .. })
        | Schema::Decimal(DecimalSchema {
            inner: InnerDecimalSchema::Fixed(FixedSchema { name, aliases, .. }),
            ..
        })
        | Schema::Uuid(UuidSchema::Fixed(FixedSchema { name, aliases, .. }))
        | Schema::Duration(FixedSchema { name, aliases, .. }) => define(name, aliases.as_ref()),
        Schema::Array(array) => collect_named(&array.items, names),
        Schema::Map(map) => collect_named(&map.types, names),
        Schema::Union(union) => {
            for branch in union.variants() {
                collect_named(branch, names);
            }
        }
        _ => {}
    }
}

fn resolve<'a>(schema: &'a Schema, names: &NamedTypes<'a>) -> &'a Schema {
    match schema {
        Schema::Ref { name } => names.get(&name.fullname(None)).copied().unwrap_or(schema),
        _ => schema,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Primitive {
    Null,
    Boolean,
    Int,
    Long,
    Float,
    Double,
    Bytes,
    String,
}

/// A schema as it is encoded: logical types reduced to their underlying type.
#[derive(Clone, Copy)]
enum Encoding<'a> {
    Primitive(Primitive),
    Array(&'a Schema),
    Map(&'a Schema),
    Union(&'a UnionSchema),
    Record(&'a RecordSchema),
    Enum(&'a EnumSchema),
    Fixed(&'a FixedSchema),
    /// A reference to a name the schema does not define (apache-avro's parser rejects those).
    Unresolved,
}

impl Encoding<'_> {
    /// Same kind of type, ignoring names, sizes and contents.
    fn same_kind(&self, other: &Encoding<'_>) -> bool {
        match (self, other) {
            (Encoding::Primitive(a), Encoding::Primitive(b)) => a == b,
            _ => std::mem::discriminant(self) == std::mem::discriminant(other),
        }
    }
}

fn encoding(schema: &Schema) -> Encoding<'_> {
    use Primitive as P;
    match schema {
        Schema::Null => Encoding::Primitive(P::Null),
        Schema::Boolean => Encoding::Primitive(P::Boolean),
        Schema::Int | Schema::Date | Schema::TimeMillis => Encoding::Primitive(P::Int),
        Schema::Long
        | Schema::TimeMicros
        | Schema::TimestampMillis
        | Schema::TimestampMicros
        | Schema::TimestampNanos
        | Schema::LocalTimestampMillis
        | Schema::LocalTimestampMicros
        | Schema::LocalTimestampNanos => Encoding::Primitive(P::Long),
        Schema::Float => Encoding::Primitive(P::Float),
        Schema::Double => Encoding::Primitive(P::Double),
        Schema::Bytes
        | Schema::BigDecimal
        | Schema::Uuid(UuidSchema::Bytes)
        | Schema::Decimal(DecimalSchema {
            inner: InnerDecimalSchema::Bytes,
            ..
        }) => Encoding::Primitive(P::Bytes),
        Schema::String | Schema::Uuid(UuidSchema::String) => Encoding::Primitive(P::String),
        Schema::Array(array) => Encoding::Array(&array.items),
        Schema::Map(map) => Encoding::Map(&map.types),
        Schema::Union(union) => Encoding::Union(union),
        Schema::Record(record) => Encoding::Record(record),
        Schema::Enum(enumeration) => Encoding::Enum(enumeration),
        Schema::Fixed(fixed)
        | Schema::Uuid(UuidSchema::Fixed(fixed))
        | Schema::Decimal(DecimalSchema {
            inner: InnerDecimalSchema::Fixed(fixed),
            ..
        })
        | Schema::Duration(fixed) => Encoding::Fixed(fixed),
        Schema::Ref { .. } => Encoding::Unresolved,
    }
}

/// The specification's promotions: int → long, float, double; long → float, double;
/// float → double; string ↔ bytes.
fn promotes(writer: Primitive, reader: Primitive) -> bool {
    use Primitive as P;
    matches!(
        (writer, reader),
        (P::Int, P::Long | P::Float | P::Double)
            | (P::Long, P::Float | P::Double)
            | (P::Float, P::Double)
            | (P::String, P::Bytes)
            | (P::Bytes, P::String)
    )
}

/// Where in the schema the walk is.
#[derive(Debug, Clone)]
enum Step {
    Field(String),
    Items,
    Values,
}

/// `customer.email`, `lines[].sku`, `prices{}.amount`.
fn render(path: &[Step]) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            Step::Field(name) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(name);
            }
            Step::Items => out.push_str("[]"),
            Step::Values => out.push_str("{}"),
        }
    }
    out
}

/// The thing at `path`, for use in a sentence: `field customer.email`, `the items of field tags`.
fn subject(path: &[Step]) -> String {
    match path.split_last() {
        None => "the top-level schema".to_string(),
        Some((Step::Field(_), _)) => format!("field {}", render(path)),
        Some((Step::Items, [])) => "the items of the top-level array".to_string(),
        Some((Step::Items, rest)) => format!("the items of field {}", render(rest)),
        Some((Step::Values, [])) => "the values of the top-level map".to_string(),
        Some((Step::Values, rest)) => format!("the values of field {}", render(rest)),
    }
}

struct Resolver<'a> {
    writer_names: NamedTypes<'a>,
    reader_names: NamedTypes<'a>,
    direction: Direction,
    /// Record pairs being compared: meeting one again means a recursive type, which resolves
    /// if everything else does.
    in_progress: BTreeSet<(String, String)>,
    /// Record pairs already found compatible, so a named type used many times (or a chain of
    /// types each used twice) is compared once instead of exponentially often.
    proven: BTreeSet<(String, String)>,
    /// `proven` in insertion order, to retract what depended on a pair that then failed.
    proven_log: Vec<(String, String)>,
}

impl<'a> Resolver<'a> {
    fn check(
        &mut self,
        writer: &'a Schema,
        reader: &'a Schema,
        path: &mut Vec<Step>,
    ) -> Result<(), String> {
        let writer = resolve(writer, &self.writer_names);
        let reader = resolve(reader, &self.reader_names);
        if let (Schema::Decimal(w), Schema::Decimal(r)) = (writer, reader)
            && (w.precision != r.precision || w.scale != r.scale)
        {
            let (old, new) =
                self.old_new(self.describe_writer(writer), self.describe_reader(reader));
            return Err(format!(
                "type of {} changed from {old} to {new}; decimals resolve only with the same \
                 precision and scale",
                subject(path)
            ));
        }
        match (encoding(writer), encoding(reader)) {
            (Encoding::Union(branches), _) => self.writer_union(branches, writer, reader, path),
            (_, Encoding::Union(branches)) => match self.reader_union(writer, branches, path) {
                Ok(()) => Ok(()),
                Err(Some(reason)) => Err(reason),
                Err(None) => Err(self.no_reader_branch(writer, reader, path)),
            },
            (Encoding::Array(w), Encoding::Array(r)) => self.nested(w, r, path, Step::Items),
            (Encoding::Map(w), Encoding::Map(r)) => self.nested(w, r, path, Step::Values),
            (Encoding::Record(w), Encoding::Record(r)) => self.records(w, r, path),
            (Encoding::Enum(w), Encoding::Enum(r)) => self.enums(w, r, path),
            (Encoding::Fixed(w), Encoding::Fixed(r)) => {
                self.names_match("a fixed", &w.name, &r.name, r.aliases.as_ref(), path)?;
                if w.size == r.size {
                    Ok(())
                } else {
                    let (old, new) = self.old_new(w.size, r.size);
                    let at = if path.is_empty() {
                        String::new()
                    } else {
                        format!(" at {}", subject(path))
                    };
                    Err(format!(
                        "size of fixed {}{at} changed from {old} to {new}",
                        r.name.fullname(None)
                    ))
                }
            }
            (Encoding::Primitive(w), Encoding::Primitive(r)) if w == r || promotes(w, r) => Ok(()),
            _ => Err(self.type_changed(writer, reader, path)),
        }
    }

    fn nested(
        &mut self,
        writer: &'a Schema,
        reader: &'a Schema,
        path: &mut Vec<Step>,
        step: Step,
    ) -> Result<(), String> {
        path.push(step);
        let result = self.check(writer, reader, path);
        path.pop();
        result
    }

    /// Orders a (writer, reader) pair as (old, new).
    fn old_new<T>(&self, writer: T, reader: T) -> (T, T) {
        match self.direction {
            Direction::NewReadsOld => (writer, reader),
            Direction::OldReadsNew => (reader, writer),
        }
    }

    fn describe_writer(&self, schema: &Schema) -> String {
        describe(schema, &self.writer_names)
    }

    fn describe_reader(&self, schema: &Schema) -> String {
        describe(schema, &self.reader_names)
    }

    fn type_changed(&self, writer: &Schema, reader: &Schema, path: &[Step]) -> String {
        let (old, new) = self.old_new(self.describe_writer(writer), self.describe_reader(reader));
        let mut reason = format!("type of {} changed from {old} to {new}", subject(path));
        // A narrowing: the other direction would have been a promotion, so say which side fails.
        if let (Encoding::Primitive(w), Encoding::Primitive(r)) =
            (encoding(writer), encoding(reader))
            && promotes(r, w)
        {
            match self.direction {
                Direction::NewReadsOld => {
                    reason.push_str(&format!(", which cannot hold every {old} value"));
                }
                Direction::OldReadsNew => reason.push_str(&format!(
                    "; readers of the old schema cannot read {new} values as {old}"
                )),
            }
        }
        reason
    }

    /// Every branch of the writer's union must be readable.
    fn writer_union(
        &mut self,
        branches: &'a UnionSchema,
        writer: &'a Schema,
        reader: &'a Schema,
        path: &mut Vec<Step>,
    ) -> Result<(), String> {
        for branch in branches.variants() {
            let failure = match encoding(resolve(reader, &self.reader_names)) {
                Encoding::Union(reader_branches) => {
                    match self.reader_union(branch, reader_branches, path) {
                        Ok(()) => continue,
                        Err(Some(reason)) => return Err(reason),
                        Err(None) => {
                            let b = self.describe_writer(branch);
                            match self.direction {
                                Direction::NewReadsOld => {
                                    format!("{} lost union branch {b}", subject(path))
                                }
                                Direction::OldReadsNew => format!(
                                    "{} gained union branch {b}, which readers of the old schema \
                                     cannot read",
                                    subject(path)
                                ),
                            }
                        }
                    }
                }
                _ => match self.check(branch, reader, path) {
                    Ok(()) => continue,
                    Err(reason) if self.close(branch, reader) => return Err(reason),
                    Err(_) => {
                        let b = self.describe_writer(branch);
                        let (old, new) = self
                            .old_new(self.describe_writer(writer), self.describe_reader(reader));
                        match self.direction {
                            Direction::NewReadsOld => format!(
                                "type of {} changed from {old} to {new}, which cannot read the \
                                 {b} branch",
                                subject(path)
                            ),
                            Direction::OldReadsNew => format!(
                                "type of {} changed from {old} to {new}; readers of the old \
                                 schema cannot read its {b} branch",
                                subject(path)
                            ),
                        }
                    }
                },
            };
            return Err(failure);
        }
        Ok(())
    }

    /// Some branch of the reader's union must read the writer's (non-union) type. On failure,
    /// the reason from the branch most like the writer's type, if there is one.
    fn reader_union(
        &mut self,
        writer: &'a Schema,
        branches: &'a UnionSchema,
        path: &mut Vec<Step>,
    ) -> Result<(), Option<String>> {
        let mut failures = Vec::new();
        for branch in branches.variants() {
            match self.check(writer, branch, path) {
                Ok(()) => return Ok(()),
                Err(reason) => failures.push((branch, reason)),
            }
        }
        let closest = failures
            .iter()
            .position(|(branch, _)| self.close(writer, branch))
            .or_else(|| {
                let writer = encoding(resolve(writer, &self.writer_names));
                let same_kind: Vec<usize> = failures
                    .iter()
                    .enumerate()
                    .filter(|(_, (branch, _))| {
                        encoding(resolve(branch, &self.reader_names)).same_kind(&writer)
                    })
                    .map(|(i, _)| i)
                    .collect();
                match same_kind.as_slice() {
                    [only] => Some(*only),
                    _ => None,
                }
            });
        Err(closest.and_then(|i| failures.into_iter().nth(i).map(|(_, reason)| reason)))
    }

    /// Whether `reader` is the writer's type changed in place (same kind, and for named types
    /// the same name), so its own reason explains the failure better than "no branch".
    fn close(&self, writer: &Schema, reader: &Schema) -> bool {
        let writer = encoding(resolve(writer, &self.writer_names));
        let reader = encoding(resolve(reader, &self.reader_names));
        match (writer, reader) {
            (Encoding::Record(w), Encoding::Record(r)) => {
                name_matches(&w.name, &r.name, r.aliases.as_ref())
            }
            (Encoding::Enum(w), Encoding::Enum(r)) => {
                name_matches(&w.name, &r.name, r.aliases.as_ref())
            }
            (Encoding::Fixed(w), Encoding::Fixed(r)) => {
                name_matches(&w.name, &r.name, r.aliases.as_ref())
            }
            (w, r) => w.same_kind(&r),
        }
    }

    fn no_reader_branch(&self, writer: &Schema, reader: &Schema, path: &[Step]) -> String {
        let w = self.describe_writer(writer);
        let (old, new) = self.old_new(w.clone(), self.describe_reader(reader));
        match self.direction {
            Direction::NewReadsOld => format!(
                "type of {} changed from {old} to {new}, which has no branch that can read {w}",
                subject(path)
            ),
            Direction::OldReadsNew => format!(
                "type of {} changed from {old} to {new}; the old union has no branch that can \
                 read {w}",
                subject(path)
            ),
        }
    }

    fn names_match(
        &self,
        kind: &str,
        writer: &Name,
        reader: &Name,
        reader_aliases: Option<&Vec<Alias>>,
        path: &[Step],
    ) -> Result<(), String> {
        if name_matches(writer, reader, reader_aliases) {
            return Ok(());
        }
        let prefix = if path.is_empty() {
            String::new()
        } else {
            format!("{}: ", subject(path))
        };
        Err(format!(
            "{prefix}reader expects {kind} named {}, data is {}",
            reader.fullname(None),
            writer.fullname(None)
        ))
    }

    fn records(
        &mut self,
        writer: &'a RecordSchema,
        reader: &'a RecordSchema,
        path: &mut Vec<Step>,
    ) -> Result<(), String> {
        self.names_match(
            "a record",
            &writer.name,
            &reader.name,
            reader.aliases.as_ref(),
            path,
        )?;
        let key = (writer.name.fullname(None), reader.name.fullname(None));
        if self.proven.contains(&key) || !self.in_progress.insert(key.clone()) {
            return Ok(());
        }
        let mark = self.proven_log.len();
        let result = self.fields(writer, reader, path);
        self.in_progress.remove(&key);
        match &result {
            Ok(()) => {
                self.proven.insert(key.clone());
                self.proven_log.push(key);
            }
            // Pairs proven while this one was assumed compatible may have relied on it.
            Err(_) => {
                for pair in self.proven_log.drain(mark..) {
                    self.proven.remove(&pair);
                }
            }
        }
        result
    }

    fn fields(
        &mut self,
        writer: &'a RecordSchema,
        reader: &'a RecordSchema,
        path: &mut Vec<Step>,
    ) -> Result<(), String> {
        for field in &reader.fields {
            let matches: Vec<&'a RecordField> = writer
                .fields
                .iter()
                .filter(|w| w.name == field.name || field.aliases.contains(&w.name))
                .collect();
            match matches.as_slice() {
                [] if field.default.is_some() => {}
                [] => return Err(self.missing_field(field, path)),
                [w] => self.nested(
                    &w.schema,
                    &field.schema,
                    path,
                    Step::Field(field.name.clone()),
                )?,
                [first, second, ..] => {
                    path.push(Step::Field(field.name.clone()));
                    let reason = format!(
                        "{} matches two fields of the data, {} and {}, by name or alias",
                        subject(path),
                        first.name,
                        second.name
                    );
                    path.pop();
                    return Err(reason);
                }
            }
        }
        Ok(())
    }

    fn missing_field(&self, field: &RecordField, path: &mut Vec<Step>) -> String {
        path.push(Step::Field(field.name.clone()));
        let name = render(path);
        path.pop();
        match self.direction {
            Direction::NewReadsOld => format!(
                "field {name} ({}) added without a default",
                self.describe_reader(&field.schema)
            ),
            Direction::OldReadsNew => format!(
                "field {name} removed; readers of the old schema need it and it has no default"
            ),
        }
    }

    fn enums(&self, writer: &EnumSchema, reader: &EnumSchema, path: &[Step]) -> Result<(), String> {
        self.names_match(
            "an enum",
            &writer.name,
            &reader.name,
            reader.aliases.as_ref(),
            path,
        )?;
        let unknown: Vec<&str> = writer
            .symbols
            .iter()
            .filter(|s| !reader.symbols.contains(s))
            .map(String::as_str)
            .collect();
        if unknown.is_empty() || reader.default.is_some() {
            return Ok(());
        }
        let label = match path.last() {
            Some(Step::Field(_)) => render(path),
            _ => reader.name.fullname(None),
        };
        let symbols = match unknown.as_slice() {
            [one] => format!("symbol {one}"),
            many => format!("symbols {}", many.join(", ")),
        };
        Err(match self.direction {
            Direction::NewReadsOld => format!("enum {label} lost {symbols} and has no default"),
            Direction::OldReadsNew => format!(
                "enum {label} gained {symbols}, which readers of the old schema do not know (their \
                 enum has no default)"
            ),
        })
    }
}

/// Java's `SchemaCompatibility.schemaNameEquals`: same unqualified name, or the reader lists the
/// writer's full name among its aliases.
fn name_matches(writer: &Name, reader: &Name, reader_aliases: Option<&Vec<Alias>>) -> bool {
    writer.name() == reader.name()
        || reader_aliases
            .into_iter()
            .flatten()
            .any(|alias| alias.fullname(None) == writer.fullname(None))
}

/// A type as people write it: `string`, `array<int>`, `record x.Address`, `union [null, string]`.
fn describe(schema: &Schema, names: &NamedTypes<'_>) -> String {
    let list = |schemas: &[Schema]| {
        schemas
            .iter()
            .map(|s| describe(s, names))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match schema {
        Schema::Null => "null".to_string(),
        Schema::Boolean => "boolean".to_string(),
        Schema::Int => "int".to_string(),
        Schema::Long => "long".to_string(),
        Schema::Float => "float".to_string(),
        Schema::Double => "double".to_string(),
        Schema::Bytes => "bytes".to_string(),
        Schema::String => "string".to_string(),
        Schema::Array(array) => format!("array<{}>", describe(&array.items, names)),
        Schema::Map(map) => format!("map<{}>", describe(&map.types, names)),
        Schema::Union(union) => format!("union [{}]", list(union.variants())),
        Schema::Record(record) => format!("record {}", record.name.fullname(None)),
        Schema::Enum(enumeration) => format!("enum {}", enumeration.name.fullname(None)),
        Schema::Fixed(fixed) => {
            format!("fixed {} (size {})", fixed.name.fullname(None), fixed.size)
        }
        Schema::Decimal(decimal) => format!("decimal({},{})", decimal.precision, decimal.scale),
        Schema::BigDecimal => "big-decimal".to_string(),
        Schema::Uuid(_) => "uuid".to_string(),
        Schema::Date => "date".to_string(),
        Schema::TimeMillis => "time-millis".to_string(),
        Schema::TimeMicros => "time-micros".to_string(),
        Schema::TimestampMillis => "timestamp-millis".to_string(),
        Schema::TimestampMicros => "timestamp-micros".to_string(),
        Schema::TimestampNanos => "timestamp-nanos".to_string(),
        Schema::LocalTimestampMillis => "local-timestamp-millis".to_string(),
        Schema::LocalTimestampMicros => "local-timestamp-micros".to_string(),
        Schema::LocalTimestampNanos => "local-timestamp-nanos".to_string(),
        Schema::Duration(_) => "duration".to_string(),
        Schema::Ref { name } => match names.get(&name.fullname(None)) {
            Some(target) if !matches!(target, Schema::Ref { .. }) => describe(target, names),
            _ => name.fullname(None),
        },
    }
}

// ---------------------------------------------------------------------------------------------
// Field lookup
// ---------------------------------------------------------------------------------------------

/// Finds the field at a dot-separated `path` (`customer.email`), walking through records and
/// through unions of null and one record (`["null", Customer]`).
pub fn lookup_field(schema: &Schema, path: &str) -> Result<FieldInfo, String> {
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
                    candidates.join(", ")
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

#[cfg(test)]
mod tests {
    use super::*;
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

    const ID: &str = r#"{"name":"id","type":"string"}"#;

    fn customer(extra: &str) -> String {
        format!(
            r#"{ID},{{"name":"customer","type":{{"type":"record","name":"Customer","fields":[{{"name":"name","type":"string"}}{extra}]}}}}"#
        )
    }

    fn status(symbols: &str, default: &str) -> String {
        format!(
            r#"{ID},{{"name":"status","type":{{"type":"enum","name":"Status","symbols":[{symbols}]{default}}}}}"#
        )
    }

    fn payment(extra: &str) -> String {
        format!(
            r#"{ID},{{"name":"payment","type":["null",{{"type":"record","name":"Card","fields":[{{"name":"number","type":"string"}}{extra}]}}],"default":null}}"#
        )
    }

    const NODE_INT: &str = r#"{"type":"record","name":"Node","namespace":"x","fields":[{"name":"value","type":"int"},{"name":"next","type":["null","Node"],"default":null}]}"#;
    const NODE_LONG: &str = r#"{"type":"record","name":"Node","namespace":"x","fields":[{"name":"value","type":"long"},{"name":"next","type":["null","Node"],"default":null}]}"#;
    const ADDRESS: &str =
        r#"{"type":"record","name":"Address","fields":[{"name":"street","type":"string"}]}"#;

    fn cases() -> Vec<Case> {
        let billing_first = format!(
            r#"{{"name":"billing","type":{ADDRESS}}},{{"name":"shipping","type":"Address"}}"#
        );
        let shipping_first = format!(
            r#"{{"name":"shipping","type":{ADDRESS}}},{{"name":"billing","type":"Address"}}"#
        );
        let mut renamed_with_alias = raw_case(
            "record_renamed_with_alias",
            &[&order(ID)],
            &format!(
                r#"{{"type":"record","name":"Purchase","namespace":"x","aliases":["Order"],"fields":[{ID}]}}"#
            ),
            "y y y n n n n",
        );
        renamed_with_alias.deviation =
            Some("apache-avro ignores the aliases of named types; the spec and Java honour them");
        let mut reordered = fields_case(
            "named_type_reference_reordered",
            &[&billing_first],
            &shipping_first,
            "y y y y y y y",
        );
        reordered.deviation = Some(
            "apache-avro compares a definition of x.Address with a reference to it as different \
             types; both are the same record",
        );

        vec![
            fields_case(
                "add_field_with_default",
                &[ID],
                &format!(r#"{ID},{{"name":"currency","type":"string","default":"EUR"}}"#),
                "y y y y y y y",
            ),
            fields_case(
                "add_field_without_default",
                &[ID],
                &format!(r#"{ID},{{"name":"currency","type":"string"}}"#),
                "y n n y y n n",
            ),
            fields_case(
                "add_field_without_default_two_versions",
                &[ID, ID],
                &format!(r#"{ID},{{"name":"currency","type":"string"}}"#),
                "y n n y y n n",
            ),
            fields_case(
                "add_nullable_field_with_null_default",
                &[ID],
                &format!(r#"{ID},{{"name":"note","type":["null","string"],"default":null}}"#),
                "y y y y y y y",
            ),
            fields_case(
                "remove_field_with_default",
                &[&format!(
                    r#"{ID},{{"name":"note","type":"string","default":""}}"#
                )],
                ID,
                "y y y y y y y",
            ),
            fields_case(
                "remove_field_without_default",
                &[&format!(r#"{ID},{{"name":"note","type":"string"}}"#)],
                ID,
                "y y y n n n n",
            ),
            fields_case(
                "rename_field_with_alias",
                &[&format!(r#"{ID},{{"name":"amount","type":"int"}}"#)],
                &format!(r#"{ID},{{"name":"total","type":"int","aliases":["amount"]}}"#),
                "y y y n n n n",
            ),
            fields_case(
                "rename_field_without_alias",
                &[&format!(r#"{ID},{{"name":"amount","type":"int"}}"#)],
                &format!(r#"{ID},{{"name":"total","type":"int"}}"#),
                "y n n n n n n",
            ),
            fields_case(
                "promote_int_to_long",
                &[r#"{"name":"amount","type":"int"}"#],
                r#"{"name":"amount","type":"long"}"#,
                "y y y n n n n",
            ),
            fields_case(
                "narrow_long_to_int",
                &[r#"{"name":"amount","type":"long"}"#],
                r#"{"name":"amount","type":"int"}"#,
                "y n n y y n n",
            ),
            fields_case(
                "promote_int_long_double_chain",
                &[
                    r#"{"name":"amount","type":"int"}"#,
                    r#"{"name":"amount","type":"long"}"#,
                ],
                r#"{"name":"amount","type":"double"}"#,
                "y y y n n n n",
            ),
            fields_case(
                "string_to_bytes",
                &[r#"{"name":"payload","type":"string"}"#],
                r#"{"name":"payload","type":"bytes"}"#,
                "y y y y y y y",
            ),
            fields_case(
                "int_to_string",
                &[r#"{"name":"amount","type":"int"}"#],
                r#"{"name":"amount","type":"string"}"#,
                "y n n n n n n",
            ),
            fields_case(
                "timestamp_millis_to_long",
                &[r#"{"name":"at","type":{"type":"long","logicalType":"timestamp-millis"}}"#],
                r#"{"name":"at","type":"long"}"#,
                "y y y y y y y",
            ),
            fields_case(
                "decimal_scale_change",
                &[
                    r#"{"name":"amount","type":{"type":"bytes","logicalType":"decimal","precision":10,"scale":2}}"#,
                ],
                r#"{"name":"amount","type":{"type":"bytes","logicalType":"decimal","precision":10,"scale":3}}"#,
                "y n n n n n n",
            ),
            fields_case(
                "union_widening",
                &[r#"{"name":"note","type":["null","string"],"default":null}"#],
                r#"{"name":"note","type":["null","string","int"],"default":null}"#,
                "y y y n n n n",
            ),
            fields_case(
                "union_narrowing",
                &[r#"{"name":"note","type":["null","string","int"],"default":null}"#],
                r#"{"name":"note","type":["null","string"],"default":null}"#,
                "y n n y y n n",
            ),
            fields_case(
                "nullable_to_non_null",
                &[r#"{"name":"note","type":["null","string"],"default":null}"#],
                r#"{"name":"note","type":"string"}"#,
                "y n n y y n n",
            ),
            fields_case(
                "non_null_to_nullable",
                &[r#"{"name":"note","type":"string"}"#],
                r#"{"name":"note","type":["null","string"],"default":null}"#,
                "y y y n n n n",
            ),
            fields_case(
                "int_to_nullable_long",
                &[r#"{"name":"amount","type":"int"}"#],
                r#"{"name":"amount","type":["null","long"],"default":null}"#,
                "y y y n n n n",
            ),
            fields_case(
                "enum_add_symbol",
                &[&status(r#""NEW","PAID""#, "")],
                &status(r#""NEW","PAID","REFUNDED""#, ""),
                "y y y n n n n",
            ),
            fields_case(
                "enum_add_symbol_old_has_default",
                &[&status(
                    r#""UNKNOWN","NEW","PAID""#,
                    r#","default":"UNKNOWN""#,
                )],
                &status(
                    r#""UNKNOWN","NEW","PAID","REFUNDED""#,
                    r#","default":"UNKNOWN""#,
                ),
                "y y y y y y y",
            ),
            fields_case(
                "enum_remove_symbol_without_default",
                &[&status(r#""NEW","PAID","REFUNDED""#, "")],
                &status(r#""NEW","PAID""#, ""),
                "y n n y y n n",
            ),
            fields_case(
                "enum_remove_symbol_with_default",
                &[&status(
                    r#""UNKNOWN","NEW","PAID","REFUNDED""#,
                    r#","default":"UNKNOWN""#,
                )],
                &status(r#""UNKNOWN","NEW","PAID""#, r#","default":"UNKNOWN""#),
                "y y y y y y y",
            ),
            fields_case(
                "nested_record_field_added_without_default",
                &[&customer("")],
                &customer(r#",{"name":"email","type":"string"}"#),
                "y n n y y n n",
            ),
            fields_case(
                "nested_record_field_added_with_default",
                &[&customer("")],
                &customer(r#",{"name":"email","type":"string","default":""}"#),
                "y y y y y y y",
            ),
            fields_case(
                "record_in_nullable_union_gains_required_field",
                &[&payment("")],
                &payment(r#",{"name":"expiry","type":"string"}"#),
                "y n n y y n n",
            ),
            fields_case(
                "record_to_nullable_record",
                &[&customer("")],
                &format!(
                    r#"{ID},{{"name":"customer","type":["null",{{"type":"record","name":"Customer","fields":[{{"name":"name","type":"string"}}]}}],"default":null}}"#
                ),
                "y y y n n n n",
            ),
            fields_case(
                "field_now_a_differently_named_record",
                &[&customer("")],
                &format!(
                    r#"{ID},{{"name":"customer","type":{{"type":"record","name":"Client","fields":[{{"name":"name","type":"string"}}]}}}}"#
                ),
                "y n n n n n n",
            ),
            fields_case(
                "array_item_promotion",
                &[r#"{"name":"tags","type":{"type":"array","items":"int"}}"#],
                r#"{"name":"tags","type":{"type":"array","items":"long"}}"#,
                "y y y n n n n",
            ),
            fields_case(
                "map_value_change",
                &[r#"{"name":"prices","type":{"type":"map","values":"string"}}"#],
                r#"{"name":"prices","type":{"type":"map","values":"int"}}"#,
                "y n n n n n n",
            ),
            fields_case(
                "enum_to_string",
                &[&status(r#""NEW","PAID""#, "")],
                &format!(r#"{ID},{{"name":"status","type":"string"}}"#),
                "y n n n n n n",
            ),
            fields_case(
                "backward_transitive_only_failure",
                &[
                    ID,
                    &format!(r#"{ID},{{"name":"currency","type":"string","default":"EUR"}}"#),
                ],
                &format!(r#"{ID},{{"name":"currency","type":"string"}}"#),
                "y y n y y y n",
            ),
            fields_case(
                "forward_transitive_only_failure",
                &[
                    &format!(r#"{ID},{{"name":"note","type":"string"}}"#),
                    &format!(r#"{ID},{{"name":"note","type":"string","default":""}}"#),
                ],
                ID,
                "y y y y n y n",
            ),
            raw_case(
                "record_renamed",
                &[&order(ID)],
                &format!(
                    r#"{{"type":"record","name":"Purchase","namespace":"x","fields":[{ID}]}}"#
                ),
                "y n n n n n n",
            ),
            renamed_with_alias,
            raw_case(
                "namespace_changed",
                &[&order(ID)],
                &format!(r#"{{"type":"record","name":"Order","namespace":"y","fields":[{ID}]}}"#),
                "y y y y y y y",
            ),
            fields_case(
                "fixed_size_change",
                &[r#"{"name":"hash","type":{"type":"fixed","name":"Hash","size":16}}"#],
                r#"{"name":"hash","type":{"type":"fixed","name":"Hash","size":32}}"#,
                "y n n n n n n",
            ),
            fields_case(
                "default_of_wrong_type",
                &[ID],
                &format!(r#"{ID},{{"name":"currency","type":"int","default":"EUR"}}"#),
                "invalid",
            ),
            raw_case(
                "recursive_type_promotion",
                &[NODE_INT],
                NODE_LONG,
                "y y y n n n n",
            ),
            reordered,
            raw_case(
                "top_level_int_to_string",
                &[r#""int""#],
                r#""string""#,
                "y n n n n n n",
            ),
            raw_case("no_previous_versions", &[], r#""string""#, "y y y y y y y"),
        ]
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
            SchemaCompatibility::can_read(writer, reader),
            Ok(AvroVerdict::Full)
        )
    }

    #[test]
    fn evolution_table_matches_the_spec_at_every_level() {
        let cases = cases();
        assert!(cases.len() >= 20);
        let mut failures = Vec::new();
        for case in &cases {
            if case.expect == "invalid" {
                assert!(
                    parse(&case.new).is_err(),
                    "case {}: the new schema should be rejected",
                    case.name
                );
                continue;
            }
            let expect: Vec<bool> = case.expect.split_whitespace().map(|v| v == "y").collect();
            assert_eq!(expect.len(), LEVELS.len(), "case {}", case.name);
            let new = parsed(&case.new, case.name);
            let old: Vec<Schema> = case.old.iter().map(|s| parsed(s, case.name)).collect();
            for (level, expected) in LEVELS.iter().zip(&expect) {
                let verdict = check_compatibility(&new, &old, *level);
                if verdict.is_ok() != *expected {
                    failures.push(format!(
                        "{} at {level:?}: expected {}, got {verdict:?}",
                        case.name,
                        if *expected {
                            "compatible"
                        } else {
                            "incompatible"
                        }
                    ));
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn evolution_table_agrees_with_apache_avro_except_documented_deviations() {
        for case in cases().iter().filter(|c| c.expect != "invalid") {
            let new = parsed(&case.new, case.name);
            let mut disagreements = Vec::new();
            for old in &case.old {
                let old = parsed(old, case.name);
                let pairs = [
                    (&old, &new, Direction::NewReadsOld),
                    (&new, &old, Direction::OldReadsNew),
                ];
                for (writer, reader, direction) in pairs {
                    let ours = can_read(writer, reader, direction);
                    if ours.is_ok() != avro_can_read(writer, reader) {
                        disagreements.push(format!("{direction:?}: ours {ours:?}"));
                    }
                }
            }
            match case.deviation {
                None => assert!(
                    disagreements.is_empty(),
                    "case {} disagrees with apache-avro: {disagreements:?}",
                    case.name
                ),
                Some(why) => assert!(
                    !disagreements.is_empty(),
                    "case {} is documented as a deviation ({why}) but agrees",
                    case.name
                ),
            }
        }
    }

    fn first_failure(case_name: &str, level: Compatibility) -> Incompatibility {
        let cases = cases();
        let Some(case) = cases.iter().find(|c| c.name == case_name) else {
            panic!("no case {case_name}");
        };
        let new = parsed(&case.new, case.name);
        let old: Vec<Schema> = case.old.iter().map(|s| parsed(s, case.name)).collect();
        match check_compatibility(&new, &old, level) {
            Err(failure) => failure,
            Ok(()) => panic!("case {case_name} passes at {level:?}"),
        }
    }

    #[test]
    fn reasons_name_the_field_and_the_change() {
        use Compatibility as C;
        use Direction::{NewReadsOld as Back, OldReadsNew as Fwd};
        let expected: &[(&str, Compatibility, usize, Direction, &str)] = &[
            (
                "add_field_without_default",
                C::Backward,
                0,
                Back,
                "field currency (string) added without a default",
            ),
            (
                "remove_field_without_default",
                C::Forward,
                0,
                Fwd,
                "field note removed; readers of the old schema need it and it has no default",
            ),
            (
                "rename_field_without_alias",
                C::Backward,
                0,
                Back,
                "field total (int) added without a default",
            ),
            (
                "int_to_string",
                C::Full,
                0,
                Back,
                "type of field amount changed from int to string",
            ),
            (
                "narrow_long_to_int",
                C::Backward,
                0,
                Back,
                "type of field amount changed from long to int, which cannot hold every long value",
            ),
            (
                "promote_int_to_long",
                C::Forward,
                0,
                Fwd,
                "type of field amount changed from int to long; readers of the old schema cannot \
                 read long values as int",
            ),
            (
                "promote_int_long_double_chain",
                C::ForwardTransitive,
                1,
                Fwd,
                "type of field amount changed from long to double; readers of the old schema \
                 cannot read double values as long",
            ),
            (
                "decimal_scale_change",
                C::Backward,
                0,
                Back,
                "type of field amount changed from decimal(10,2) to decimal(10,3); decimals \
                 resolve only with the same precision and scale",
            ),
            (
                "enum_remove_symbol_without_default",
                C::Backward,
                0,
                Back,
                "enum status lost symbol REFUNDED and has no default",
            ),
            (
                "enum_add_symbol",
                C::Forward,
                0,
                Fwd,
                "enum status gained symbol REFUNDED, which readers of the old schema do not know \
                 (their enum has no default)",
            ),
            (
                "record_renamed",
                C::Backward,
                0,
                Back,
                "reader expects a record named x.Purchase, data is x.Order",
            ),
            (
                "record_renamed_with_alias",
                C::Forward,
                0,
                Fwd,
                "reader expects a record named x.Order, data is x.Purchase",
            ),
            (
                "field_now_a_differently_named_record",
                C::Backward,
                0,
                Back,
                "field customer: reader expects a record named x.Client, data is x.Customer",
            ),
            (
                "nested_record_field_added_without_default",
                C::Backward,
                0,
                Back,
                "field customer.email (string) added without a default",
            ),
            (
                "record_in_nullable_union_gains_required_field",
                C::Backward,
                0,
                Back,
                "field payment.expiry (string) added without a default",
            ),
            (
                "nullable_to_non_null",
                C::Backward,
                0,
                Back,
                "type of field note changed from union [null, string] to string, which cannot \
                 read the null branch",
            ),
            (
                "non_null_to_nullable",
                C::Forward,
                0,
                Fwd,
                "type of field note changed from string to union [null, string]; readers of the \
                 old schema cannot read its null branch",
            ),
            (
                "union_narrowing",
                C::Backward,
                0,
                Back,
                "field note lost union branch int",
            ),
            (
                "union_widening",
                C::Forward,
                0,
                Fwd,
                "field note gained union branch int, which readers of the old schema cannot read",
            ),
            (
                "enum_to_string",
                C::Backward,
                0,
                Back,
                "type of field status changed from enum x.Status to string",
            ),
            (
                "array_item_promotion",
                C::Forward,
                0,
                Fwd,
                "type of the items of field tags changed from int to long; readers of the old \
                 schema cannot read long values as int",
            ),
            (
                "map_value_change",
                C::Backward,
                0,
                Back,
                "type of the values of field prices changed from string to int",
            ),
            (
                "fixed_size_change",
                C::Backward,
                0,
                Back,
                "size of fixed x.Hash at field hash changed from 16 to 32",
            ),
            (
                "backward_transitive_only_failure",
                C::BackwardTransitive,
                0,
                Back,
                "field currency (string) added without a default",
            ),
            (
                "forward_transitive_only_failure",
                C::ForwardTransitive,
                0,
                Fwd,
                "field note removed; readers of the old schema need it and it has no default",
            ),
            (
                "add_field_without_default_two_versions",
                C::BackwardTransitive,
                1,
                Back,
                "field currency (string) added without a default",
            ),
            (
                "recursive_type_promotion",
                C::Forward,
                0,
                Fwd,
                "type of field value changed from int to long; readers of the old schema cannot \
                 read long values as int",
            ),
            (
                "top_level_int_to_string",
                C::Backward,
                0,
                Back,
                "type of the top-level schema changed from int to string",
            ),
        ];
        for (case, level, against, direction, reason) in expected {
            let failure = first_failure(case, *level);
            assert_eq!(
                failure,
                Incompatibility {
                    against: *against,
                    direction: *direction,
                    reason: reason.to_string(),
                },
                "case {case} at {level:?}"
            );
        }
    }

    #[test]
    fn reader_field_matching_two_writer_fields_is_incompatible() {
        let old = parse(&order(
            r#"{"name":"amount","type":"int"},{"name":"total","type":"int"}"#,
        ))
        .unwrap();
        let new = parse(&order(
            r#"{"name":"total","type":"int","aliases":["amount"]}"#,
        ))
        .unwrap();
        let failure =
            check_compatibility(&new, std::slice::from_ref(&old), Compatibility::Backward)
                .unwrap_err();
        assert_eq!(
            failure.reason,
            "field total matches two fields of the data, amount and total, by name or alias"
        );
        // A documented deviation: apache-avro quietly takes the field with the same name.
        assert!(avro_can_read(&old, &new));
    }

    #[test]
    fn incompatibility_display_says_which_side_failed() {
        let failure = first_failure("remove_field_without_default", Compatibility::Full);
        assert_eq!(
            failure.to_string(),
            "readers using previous[0] cannot read data written with the new schema: field note \
             removed; readers of the old schema need it and it has no default"
        );
    }

    #[test]
    fn json_syntax_errors_carry_line_and_column() {
        let text = "{\n  \"type\": \"record\",\n  \"name\": \"A\"\n  \"fields\": []\n}";
        let problem = parse(text).unwrap_err();
        assert_eq!(problem.message, "invalid JSON: expected `,` or `}`");
        assert_eq!((problem.line, problem.column), (Some(4), Some(3)));
        assert_eq!(
            problem.to_string(),
            "line 4, column 3: invalid JSON: expected `,` or `}`"
        );
        assert_eq!(parse("  \n").unwrap_err().message, "the schema is empty");
    }

    fn parse_error(text: &str) -> String {
        match parse(text) {
            Err(problem) => {
                assert_eq!((problem.line, problem.column), (None, None));
                problem.message
            }
            Ok(schema) => panic!("{text} parsed as {schema:?}"),
        }
    }

    #[test]
    fn avro_errors_say_what_and_where() {
        let record = |fields: &str| {
            format!(r#"{{"type":"record","name":"A","namespace":"x","fields":[{fields}]}}"#)
        };
        assert_eq!(
            parse_error(&record(r#"{"name":"a","type":"strin"}"#)),
            "unknown type strin in field a of record x.A; did you mean string?"
        );
        assert_eq!(
            parse_error(&record(r#"{"name":"a","type":"y.Money"}"#)),
            "unknown type y.Money in field a of record x.A (neither a primitive type nor a named \
             type defined earlier in the schema)"
        );
        assert_eq!(
            parse_error(&record(
                r#"{"name":"a","type":"B"},{"name":"b","type":{"type":"enum","name":"B","symbols":["X"]}}"#
            )),
            "unknown type B in field a of record x.A; named types must be defined before they are \
             used"
        );
        assert_eq!(
            parse_error(r#"{"type":"recrd","name":"A","fields":[]}"#),
            "unknown type recrd in the top-level schema; did you mean record?"
        );
        assert_eq!(
            parse_error(r#"{"type":"record","fields":[]}"#),
            "a record, enum or fixed type has no name"
        );
        assert_eq!(
            parse_error(&record(
                r#"{"name":"a","type":"int"},{"name":"a","type":"long"}"#
            )),
            "record x.A has two fields named a"
        );
        assert_eq!(
            parse_error(&record(r#"{"name":"a"}"#)),
            "field a of record x.A has no type"
        );
        assert_eq!(
            parse_error(&record(r#"{"name":"a","type":"int","default":"x"}"#)),
            r#"the default "x" of field a in record x.A is not a valid int"#
        );
        assert_eq!(
            parse_error(&record(
                r#"{"name":"a","type":["null","int"],"default":"x"}"#
            )),
            "the default of field a in record x.A matches none of its union's types"
        );
        assert_eq!(
            parse_error(r#"{"type":"enum","name":"E","symbols":["A","B","A"]}"#),
            "enum E lists symbol A twice"
        );
        assert_eq!(
            parse_error(r#"{"type":"enum","name":"E","symbols":["A","B"],"default":"C"}"#),
            "the default C of enum E is not one of its symbols (A, B)"
        );
        assert_eq!(
            parse_error(&record(r#"{"name":"a","type":["int","int"]}"#)),
            "a union lists int more than once"
        );
        assert_eq!(
            parse_error(r#"{"type":"fixed","name":"F"}"#),
            "a fixed type has no size"
        );
        assert_eq!(
            parse_error("42"),
            "a schema must be a JSON string, object or array"
        );
        assert_eq!(
            parse_error(&record(
                r#"{"name":"b","type":{"type":"record","name":"A","fields":[]}}"#
            )),
            "named type x.A is defined twice (again in field b of record x.A)"
        );
    }

    #[test]
    fn parse_never_panics_on_odd_input() {
        let inputs = [
            "null",
            "true",
            "[]",
            "{}",
            r#"{"type":null}"#,
            r#"{"type":[]}"#,
            r#"{"type":{}}"#,
            r#"{"type":"record","name":"A","fields":[1,"x",null]}"#,
            r#"{"type":"record","name":"A","fields":[{"name":1,"type":"int"}]}"#,
            r#"{"type":"enum","name":"E","symbols":[1,2]}"#,
            r#"{"type":"enum","name":"E","symbols":"A"}"#,
            r#"{"type":"fixed","name":"F","size":-1}"#,
            r#"{"type":"fixed","name":"F","size":1e40}"#,
            r#"{"type":"fixed","name":"F","size":18446744073709551615}"#,
            r#"{"type":"bytes","logicalType":"decimal","precision":-1,"scale":2}"#,
            r#"{"type":"bytes","logicalType":"decimal","precision":2,"scale":40}"#,
            r#"{"type":"fixed","name":"D","size":1,"logicalType":"decimal","precision":99}"#,
            r#"{"type":"string","logicalType":"uuid"}"#,
            r#"{"type":"fixed","name":"U","size":3,"logicalType":"uuid"}"#,
            r#"{"type":"fixed","name":"Du","size":3,"logicalType":"duration"}"#,
            r#"{"type":"int","logicalType":7}"#,
            r#"{"type":"array","items":{"type":"array"}}"#,
            r#"{"type":"map","values":[]}"#,
            r#"{"type":"record","name":"A","fields":[{"name":"a","type":"long","default":1e400}]}"#,
            r#"{"type":"record","name":"A","fields":[{"name":"a","type":"long","default":99999999999999999999}]}"#,
            r#"{"type":"record","name":"A","aliases":[1,"..",""],"fields":[]}"#,
            r#"{"type":"record","name":"","fields":[]}"#,
            r#"{"type":"record","name":"a.","fields":[]}"#,
            r#"{"type":"record","name":"A","namespace":7,"fields":[]}"#,
            r#"["null",["null"]]"#,
            r#"[{"type":"map","values":"int"},{"type":"map","values":"long"}]"#,
            "\"\u{0}\"",
        ];
        for input in inputs {
            let _ = parse(input);
        }
        let deep = format!("{}\"int\"{}", "[".repeat(200), "]".repeat(200));
        assert!(parse(&deep).is_err());
        let nested = (0..100).fold(r#""int""#.to_string(), |inner, _| {
            format!(r#"{{"type":"array","items":{inner}}}"#)
        });
        let schema = parse(&nested).unwrap();
        assert!(
            check_compatibility(
                &schema,
                std::slice::from_ref(&schema),
                Compatibility::FullTransitive
            )
            .is_ok()
        );
    }

    #[test]
    fn shared_named_types_are_compared_once() {
        // T0 uses T1 twice, T1 uses T2 twice, ...: 2^24 paths if every use were re-compared.
        let depth = 24;
        let mut schema =
            r#"{"type":"record","name":"T24","fields":[{"name":"v","type":"int"}]}"#.to_string();
        for level in (0..depth).rev() {
            let next = level + 1;
            schema = format!(
                r#"{{"type":"record","name":"T{level}","fields":[{{"name":"a","type":{schema}}},{{"name":"b","type":"T{next}"}}]}}"#
            );
        }
        let old = parse(&schema).unwrap();
        let new =
            parse(&schema.replace(r#""name":"v","type":"int""#, r#""name":"v","type":"long""#))
                .unwrap();
        let started = std::time::Instant::now();
        assert!(
            check_compatibility(&new, std::slice::from_ref(&old), Compatibility::Backward).is_ok()
        );
        let failure = check_compatibility(&new, std::slice::from_ref(&old), Compatibility::Forward)
            .unwrap_err();
        assert!(
            failure.reason.starts_with("type of field a.a.a."),
            "{}",
            failure.reason
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    const CUSTOMER_ORDER: &str = r#"{
      "type": "record", "name": "Order", "namespace": "x",
      "fields": [
        {"name": "id", "type": "string"},
        {"name": "customer", "default": null, "type": ["null", {
          "type": "record", "name": "Customer",
          "fields": [
            {"name": "email", "type": "string"},
            {"name": "name", "type": "string"},
            {"name": "address", "type": {"type": "record", "name": "Address",
              "fields": [{"name": "city", "type": "string"}]}}
          ]}]},
        {"name": "billing", "type": "Address"},
        {"name": "note", "type": ["null", "string"], "default": null},
        {"name": "choice", "type": ["null", "string", "Address"], "default": null},
        {"name": "amount", "type": "int"},
        {"name": "tags", "type": {"type": "array", "items": "string"}}
      ]
    }"#;

    fn info(nested: bool, type_name: &str, nullable: bool) -> FieldInfo {
        FieldInfo {
            nested,
            type_name: type_name.to_string(),
            nullable,
        }
    }

    #[test]
    fn lookup_field_walks_records_and_nullable_unions() {
        let schema = parse(CUSTOMER_ORDER).unwrap();
        let look = |path: &str| lookup_field(&schema, path);
        assert_eq!(look("id"), Ok(info(false, "string", false)));
        assert_eq!(
            look("customer"),
            Ok(info(false, "union [null, record x.Customer]", true))
        );
        assert_eq!(look("customer.email"), Ok(info(true, "string", false)));
        assert_eq!(
            look("customer.address"),
            Ok(info(true, "record x.Address", false))
        );
        assert_eq!(
            look("customer.address.city"),
            Ok(info(true, "string", false))
        );
        assert_eq!(look("billing"), Ok(info(false, "record x.Address", false)));
        assert_eq!(look("billing.city"), Ok(info(true, "string", false)));
        assert_eq!(look("note"), Ok(info(false, "union [null, string]", true)));
        assert_eq!(look("tags"), Ok(info(false, "array<string>", false)));
    }

    #[test]
    fn lookup_field_explains_misses() {
        let schema = parse(CUSTOMER_ORDER).unwrap();
        let look = |path: &str| lookup_field(&schema, path).unwrap_err();
        assert_eq!(
            look("customer.emial"),
            "field customer.emial does not exist in record x.Customer (fields: email, name, \
             address), did you mean customer.email?"
        );
        assert_eq!(
            look("custmer"),
            "field custmer does not exist in record x.Order (fields: id, customer, billing, note, \
             choice, amount, tags), did you mean customer?"
        );
        assert_eq!(
            look("customer.phone"),
            "field customer.phone does not exist in record x.Customer (fields: email, name, \
             address)"
        );
        assert_eq!(
            look("amount.value"),
            "field amount.value does not exist: field amount is int, not a record"
        );
        assert_eq!(
            look("choice.city"),
            "field choice.city does not exist: field choice is union [null, string, record \
             x.Address], not a record (only a union of null and one record is looked through)"
        );
        assert_eq!(look(""), "the field path is empty");
        assert_eq!(
            look("customer..email"),
            "field path customer..email has an empty segment"
        );
        let primitive = parse(r#""string""#).unwrap();
        assert_eq!(
            lookup_field(&primitive, "a").unwrap_err(),
            "field a does not exist: the schema is string, not a record"
        );
    }
}
