//! What the compatibility walker and the field lookups share: named-type resolution, schemas as
//! they are encoded, and types described as people write them.

use apache_avro::Schema;
use apache_avro::schema::{
    Alias, DecimalSchema, EnumSchema, FixedSchema, InnerDecimalSchema, Name, RecordSchema,
    UnionSchema, UuidSchema,
};
use std::collections::BTreeMap;

pub(super) type NamedTypes<'a> = BTreeMap<String, &'a Schema>;

/// Every named type defined in `schema`, by full name, to resolve references.
pub(super) fn named_types(schema: &Schema) -> NamedTypes<'_> {
    let mut names = BTreeMap::new();
    collect_named(schema, &mut names);
    names
}

fn collect_named<'a>(schema: &'a Schema, names: &mut NamedTypes<'a>) {
    // Names only: aliases match names across versions and never resolve a reference (Java's
    // parser refuses a reference to an alias; see `rules`).
    let mut define = |name: &Name, _aliases: Option<&Vec<Alias>>| {
        names.entry(name.fullname(None)).or_insert(schema);
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

pub(super) fn resolve<'a>(schema: &'a Schema, names: &NamedTypes<'a>) -> &'a Schema {
    match schema {
        Schema::Ref { name } => names.get(&name.fullname(None)).copied().unwrap_or(schema),
        _ => schema,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Primitive {
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
pub(super) enum Encoding<'a> {
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
    /// A record, enum or fixed: matched by name.
    pub(super) fn is_named(&self) -> bool {
        matches!(
            self,
            Encoding::Record(_) | Encoding::Enum(_) | Encoding::Fixed(_)
        )
    }

    pub(super) fn same_kind(&self, other: &Encoding<'_>) -> bool {
        match (self, other) {
            (Encoding::Primitive(a), Encoding::Primitive(b)) => a == b,
            _ => std::mem::discriminant(self) == std::mem::discriminant(other),
        }
    }
}

pub(super) fn encoding(schema: &Schema) -> Encoding<'_> {
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
pub(super) fn promotes(writer: Primitive, reader: Primitive) -> bool {
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

/// Java's `SchemaCompatibility.schemaNameEquals`: same unqualified name, or the reader lists the
/// writer's full name among its aliases.
pub(super) fn name_matches(
    writer: &Name,
    reader: &Name,
    reader_aliases: Option<&Vec<Alias>>,
) -> bool {
    writer.name() == reader.name()
        || reader_aliases
            .into_iter()
            .flatten()
            .any(|alias| alias.fullname(None) == writer.fullname(None))
}

/// A type as people write it: `string`, `array<int>`, `record x.Address`, `union [null, string]`.
pub(super) fn describe(schema: &Schema, names: &NamedTypes<'_>) -> String {
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
