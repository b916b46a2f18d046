//! Schema Registry compatibility: whether one schema version reads data written with another,
//! at each compatibility level, with a sentence naming the field and the change.

use super::types::{
    Encoding, NamedTypes, describe, encoding, name_matches, named_types, promotes, resolve,
};
use crate::model::bundle::Compatibility;
use apache_avro::Schema;
use apache_avro::schema::{Alias, EnumSchema, Name, RecordField, RecordSchema};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// Which side of a compatibility check could not read the other's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// The new schema, as reader, cannot read data written with the previous one (BACKWARD).
    NewReadsOld,
    /// The previous schema, as reader, cannot read data written with the new one (FORWARD).
    OldReadsNew,
}

/// The first compatibility failure found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
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

/// Checks `new` against `previous` (oldest first) with Schema Registry's meaning of `level`:
/// BACKWARD: `new` reads data written with the latest previous version; FORWARD: the latest
/// previous version reads data written with `new`; FULL: both; the `_TRANSITIVE` levels do the
/// same against every previous version; NONE checks nothing. No previous versions always passes.
///
/// The first failure is reported. Versions are checked newest first (as the registry does), and
/// for FULL levels the backward direction before the forward one, so the answer is deterministic.
pub fn check_compatibility(
    new: &super::Schema,
    previous: &[super::Schema],
    level: Compatibility,
) -> Result<(), Incompatibility> {
    compatibility(new, previous, level).map(|_| ())
}

/// [`check_compatibility`], and on success the hazards found on the way: changes the registry
/// accepts that change what the data means (a decimal's scale), one sentence each, in order.
pub fn compatibility(
    new: &super::Schema,
    previous: &[super::Schema],
    level: Compatibility,
) -> Result<Vec<String>, Incompatibility> {
    let (backward, forward, transitive) = match level {
        Compatibility::None => return Ok(Vec::new()),
        Compatibility::Backward => (true, false, false),
        Compatibility::BackwardTransitive => (true, false, true),
        Compatibility::Forward => (false, true, false),
        Compatibility::ForwardTransitive => (false, true, true),
        Compatibility::Full => (true, true, false),
        Compatibility::FullTransitive => (true, true, true),
    };
    let checked = if transitive { previous.len() } else { 1 };
    let mut hazards = Vec::new();
    for (against, old) in previous.iter().enumerate().rev().take(checked) {
        let mut run = |writer: &super::Schema, reader: &super::Schema, direction| {
            let outcome = walk(writer.avro(), reader.avro(), direction);
            for hazard in outcome.hazards {
                if !hazards.contains(&hazard) {
                    hazards.push(hazard);
                }
            }
            outcome.result.map_err(|reason| Incompatibility {
                against,
                direction,
                reason,
            })
        };
        if backward {
            run(old, new, Direction::NewReadsOld)?;
        }
        if forward {
            run(new, old, Direction::OldReadsNew)?;
        }
    }
    Ok(hazards)
}

/// What one walk found.
pub(super) struct Outcome {
    pub(super) result: Result<(), String>,
    pub(super) hazards: Vec<String>,
    /// Type pairs compared, to show in tests that the walk stays polynomial.
    #[cfg_attr(not(test), allow(dead_code))]
    pub(super) steps: usize,
}

/// Whether `reader` can read data written with `writer`; `direction` says which of them is the
/// new schema, so the reason can speak of fields added or removed.
#[cfg(test)]
pub(super) fn can_read(
    writer: &Schema,
    reader: &Schema,
    direction: Direction,
) -> Result<(), String> {
    walk(writer, reader, direction).result
}

pub(super) fn walk(writer: &Schema, reader: &Schema, direction: Direction) -> Outcome {
    let mut resolver = Resolver {
        writer_names: named_types(writer),
        reader_names: named_types(reader),
        direction,
        in_progress: BTreeSet::new(),
        proven: BTreeSet::new(),
        proven_log: Vec::new(),
        failed: BTreeMap::new(),
        hazards: Vec::new(),
        steps: 0,
    };
    let result = resolver.check(writer, reader, &mut Vec::new());
    Outcome {
        result,
        hazards: resolver.hazards,
        steps: resolver.steps,
    }
}

/// Where in the schema the walk is.
#[derive(Debug, Clone)]
pub(super) enum Step {
    Field(String),
    Items,
    Values,
}

/// `customer.email`, `lines[].sku`, `prices{}.amount`.
pub(super) fn render(path: &[Step]) -> String {
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
pub(super) fn subject(path: &[Step]) -> String {
    // Inside a top-level array or map, say so rather than rendering `field [].x`.
    match path {
        [Step::Items, rest @ ..] if !rest.is_empty() => {
            return format!("{} in the items of the top-level array", subject(rest));
        }
        [Step::Values, rest @ ..] if !rest.is_empty() => {
            return format!("{} in the values of the top-level map", subject(rest));
        }
        _ => {}
    }
    match path.split_last() {
        None => "the top-level schema".to_string(),
        Some((Step::Field(_), _)) => format!("field {}", render(path)),
        Some((Step::Items, [])) => "the items of the top-level array".to_string(),
        Some((Step::Items, rest)) => format!("the items of field {}", render(rest)),
        Some((Step::Values, [])) => "the values of the top-level map".to_string(),
        Some((Step::Values, rest)) => format!("the values of field {}", render(rest)),
    }
}

pub(super) struct Resolver<'a> {
    pub(super) writer_names: NamedTypes<'a>,
    pub(super) reader_names: NamedTypes<'a>,
    pub(super) direction: Direction,
    /// Record pairs being compared: meeting one again means a recursive type, which resolves
    /// if everything else does.
    pub(super) in_progress: BTreeSet<(String, String)>,
    /// Record pairs already found compatible, so a named type used many times (or a chain of
    /// types each used twice) is compared once instead of exponentially often.
    pub(super) proven: BTreeSet<(String, String)>,
    /// `proven` in insertion order, to retract what depended on a pair that then failed.
    pub(super) proven_log: Vec<(String, String)>,
    /// Record pairs found incompatible, with the reason, as Java's `SchemaCompatibility`
    /// memoizes them: without it a reader union whose branches share a short name (`a.Lk`,
    /// `b.Lk`, ...) at each level is tried exponentially often. A failure never rests on an
    /// assumption, so it is kept for the whole walk; where one pair fails at several places
    /// the reason names the first place it was found.
    pub(super) failed: BTreeMap<(String, String), String>,
    /// Sentences about accepted changes that alter the data's meaning.
    pub(super) hazards: Vec<String>,
    pub(super) steps: usize,
}

impl<'a> Resolver<'a> {
    pub(super) fn check(
        &mut self,
        writer: &'a Schema,
        reader: &'a Schema,
        path: &mut Vec<Step>,
    ) -> Result<(), String> {
        self.steps += 1;
        let writer = resolve(writer, &self.writer_names);
        let reader = resolve(reader, &self.reader_names);
        // The registry ignores logical types, so a decimal's precision and scale may change; a
        // scale change reads the same digits as a different number, which is worth a warning.
        if let (Schema::Decimal(w), Schema::Decimal(r)) = (writer, reader)
            && w.scale != r.scale
        {
            let (old, new) =
                self.old_new(self.describe_writer(writer), self.describe_reader(reader));
            let hazard = format!(
                "the scale of {} changed from {old} to {new}: the same bytes then read as a \
                 number {} times {}",
                subject(path),
                10u64.saturating_pow(u32::try_from(w.scale.abs_diff(r.scale)).unwrap_or(u32::MAX)),
                if self.old_new(w.scale, r.scale).1 > self.old_new(w.scale, r.scale).0 {
                    "smaller"
                } else {
                    "larger"
                }
            );
            if !self.hazards.contains(&hazard) {
                self.hazards.push(hazard);
            }
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
    pub(super) fn old_new<T>(&self, writer: T, reader: T) -> (T, T) {
        match self.direction {
            Direction::NewReadsOld => (writer, reader),
            Direction::OldReadsNew => (reader, writer),
        }
    }

    pub(super) fn describe_writer(&self, schema: &Schema) -> String {
        describe(schema, &self.writer_names)
    }

    pub(super) fn describe_reader(&self, schema: &Schema) -> String {
        describe(schema, &self.reader_names)
    }

    pub(super) fn type_changed(&self, writer: &Schema, reader: &Schema, path: &[Step]) -> String {
        let (old, new) = self.old_new(self.describe_writer(writer), self.describe_reader(reader));
        let mut reason = format!("type of {} changed from {old} to {new}", subject(path));
        // Same logical type, different encoding (a decimal moved from bytes to fixed).
        if old == new {
            let (old, new) = self.old_new(underlying(writer), underlying(reader));
            reason.push_str(&format!(": {old} → {new}"));
        }
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
        if let Some(reason) = self.failed.get(&key) {
            return Err(reason.clone());
        }
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
            Err(reason) => {
                for pair in self.proven_log.drain(mark..) {
                    self.proven.remove(&pair);
                }
                self.failed.insert(key, reason.clone());
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
        let name = subject(path);
        path.pop();
        match self.direction {
            Direction::NewReadsOld => format!(
                "{name} ({}) added without a default",
                self.describe_reader(&field.schema)
            ),
            Direction::OldReadsNew => {
                format!("{name} removed; readers of the old schema need it and it has no default")
            }
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
            Some(Step::Field(_)) => subject(path).replacen("field ", "", 1),
            None => reader.name.fullname(None),
            Some(_) => format!("{} ({})", reader.name.fullname(None), subject(path)),
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

/// How a schema is encoded, for logical types whose description hides it.
fn underlying(schema: &Schema) -> String {
    match encoding(schema) {
        Encoding::Fixed(fixed) => {
            format!("fixed {} (size {})", fixed.name.fullname(None), fixed.size)
        }
        Encoding::Primitive(primitive) => format!("{primitive:?}").to_ascii_lowercase(),
        _ => "another encoding".to_string(),
    }
}
