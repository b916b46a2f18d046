//! Schema rules: files readable and inside the tree, valid Avro, compatible with their previous
//! versions at the subject's level, referenced by name correctly, one owner per subject, and an
//! Environment that can register them.
//!
//! Codes: KB061 invalid Avro, KB062 incompatible change, KB063 unknown schema name, KB064
//! duplicate schema name, KB065 duplicate subject, KB066 registry or hook image missing from the
//! Environment, KB067 invalid subject, KB068 schema used by nothing (warning). File problems keep
//! their own codes (KB054 escape, KB055 location unknown, KB056 missing, KB050 unreadable).

use super::{BundleInput, EnvInput};
use crate::avro::{self, Direction, Incompatibility};
use crate::diag::Code;
use crate::diag::Diagnostic;
use crate::model::bundle::{Compatibility, Schema};
use crate::path::FieldPath;
use crate::derive::schemas::{compatibility_name, subjects_of};
use crate::source::LoadedFile;
use crate::suggest::did_you_mean;
use std::collections::BTreeMap;

/// Subjects travel in registry URLs: keep to characters that need no escaping.
fn subject_problem(subject: &str) -> Option<String> {
    if subject.is_empty() || subject.len() > 255 {
        return Some("must be 1 to 255 characters".into());
    }
    subject
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | ':')))
        .map(|c| format!("contains {c:?}; kbundle allows letters, digits, `.`, `_`, `-` and `:`"))
}

/// The file at `path`, or a diagnostic at `at` explaining why it cannot be used.
fn file<'a>(
    b: &'a BundleInput,
    path: &str,
    at: &FieldPath,
    out: &mut Vec<Diagnostic>,
) -> Option<&'a LoadedFile> {
    match b.files.get(path) {
        Some(Ok(f)) => Some(f),
        Some(Err(p)) => {
            let mut d = Diagnostic::error(p.code, p.message.clone());
            if let Some(h) = &p.hint {
                d = d.with_hint(h.clone());
            }
            out.push(b.at(d, at));
            None
        }
        None => None,
    }
}

fn parse(
    b: &BundleInput,
    key: &str,
    f: &LoadedFile,
    at: &FieldPath,
    out: &mut Vec<Diagnostic>,
) -> Option<avro::Schema> {
    match b.schema(key)? {
        Ok(s) => Some(s),
        Err(p) => {
            let position = match (p.line, p.column) {
                (Some(l), Some(c)) => format!(":{l}:{c}"),
                (Some(l), None) => format!(":{l}"),
                _ => String::new(),
            };
            out.push(
                b.at(
                    Diagnostic::error(
                        Code::SchemaInvalid,
                        format!(
                            "{}{position} is not a valid Avro schema: {}",
                            f.display, p.message
                        ),
                    )
                    .with_hint("fix the schema file; see the Avro specification"),
                    at,
                ),
            );
            None
        }
    }
}

pub fn check(b: &BundleInput, env: &EnvInput, out: &mut Vec<Diagnostic>) {
    let spec = &b.bundle.spec;
    if spec.schemas.is_empty()
        && !spec
            .topics
            .iter()
            .any(|t| t.value_schema.is_some() || t.key_schema.is_some())
    {
        return;
    }
    check_topic_references(b, out);
    check_registry_configured(b, env, out);
    let subjects = subjects_of(&b.bundle);
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, s) in spec.schemas.iter().enumerate() {
        let at = FieldPath::of("spec.schemas").index(i);
        if let Some(first) = seen.insert(&s.name, i) {
            out.push(b.at(
                Diagnostic::error(
                    Code::SchemaClaimedTwice,
                    format!(
                        "schema name {:?} is declared twice (also spec.schemas[{first}])",
                        s.name
                    ),
                ),
                &at.child_key("name"),
            ));
        }
        check_subject(b, s, &at, out);
        if !subjects.iter().any(|(si, _)| *si == i) {
            out.push(b.at(
                Diagnostic::warning(
                    Code::SchemaUnused,
                    format!("schema {:?} is used by no topic and has no subject, so it is not registered", s.name),
                )
                .with_hint("set valueSchema/keySchema on a topic, or give the schema a subject"),
                &at,
            ));
        }
        check_compatibility(b, env, i, s, &subjects, &at, out);
    }
}

/// KB063: topics name schemas that exist.
fn check_topic_references(b: &BundleInput, out: &mut Vec<Diagnostic>) {
    let spec = &b.bundle.spec;
    let names: Vec<&str> = spec.schemas.iter().map(|s| s.name.as_str()).collect();
    for (i, t) in spec.topics.iter().enumerate() {
        for (field, name) in [
            ("valueSchema", &t.value_schema),
            ("keySchema", &t.key_schema),
        ] {
            let Some(name) = name else { continue };
            if !names.contains(&name.as_str()) {
                let mut d = Diagnostic::error(
                    Code::SchemaUnknown,
                    format!(
                        "topic {:?} names schema {name:?}, which spec.schemas does not declare",
                        t.name
                    ),
                );
                d = match did_you_mean(name, names.iter().copied()) {
                    Some(s) => d.with_hint(format!("did you mean `{s}`?")),
                    None => d.with_hint("declare it under spec.schemas"),
                };
                out.push(b.at(d, &FieldPath::of("spec.topics").index(i).key(field)));
            }
        }
    }
}

/// KB066: CFK registers schemas itself (Schema objects); only Strimzi needs the PreSync Job's
/// registry URL and image.
fn check_registry_configured(b: &BundleInput, env: &EnvInput, out: &mut Vec<Diagnostic>) {
    let env_spec = &env.env.spec;
    if b.bundle.spec.schemas.is_empty()
        || env_spec.target == crate::model::environment::Target::Confluent
    {
        return;
    }
    let missing: Vec<&str> = [
        (
            env_spec.schema_registry.is_none(),
            "spec.schemaRegistry.url",
        ),
        (env_spec.hooks.is_none(), "spec.hooks.image"),
    ]
    .into_iter()
    .filter_map(|(m, f)| m.then_some(f))
    .collect();
    if !missing.is_empty() {
        out.push(
            b.at(
                Diagnostic::error(
                    Code::RegistryMissing,
                    format!(
                        "schemas are registered by a PreSync Job, but {} does not set {}",
                        env.label(),
                        missing.join(" and ")
                    ),
                )
                .with_hint(
                    "the platform's Environment names the Schema Registry and the hook image",
                ),
                &FieldPath::of("spec.schemas"),
            ),
        );
    }
}

/// KB067: an explicit subject the registry URL can carry.
fn check_subject(b: &BundleInput, s: &Schema, at: &FieldPath, out: &mut Vec<Diagnostic>) {
    if let Some(subject) = &s.subject
        && let Some(p) = subject_problem(subject)
    {
        out.push(b.at(
            Diagnostic::error(Code::SubjectInvalid, format!("subject {subject:?} {p}")),
            &at.child_key("subject"),
        ));
    }
}

/// The schema file and its history read and parsed (file codes, KB061), then the new version
/// checked against the previous ones at the subject's level (KB062, data-meaning warnings).
fn check_compatibility(
    b: &BundleInput,
    env: &EnvInput,
    i: usize,
    s: &Schema,
    subjects: &[(usize, String)],
    at: &FieldPath,
    out: &mut Vec<Diagnostic>,
) {
    let Some(current) = file(b, &s.file, &at.child_key("file"), out) else {
        return;
    };
    let Some(new_schema) = parse(b, &s.file, current, &at.child_key("file"), out) else {
        return;
    };
    let mut previous = Vec::with_capacity(s.previous.len());
    let mut previous_files = Vec::with_capacity(s.previous.len());
    for (j, p) in s.previous.iter().enumerate() {
        let pat = at.child_key("previous").index(j);
        if let Some(f) = file(b, p, &pat, out)
            && let Some(schema) = parse(b, p, f, &pat, out)
        {
            previous.push(schema);
            previous_files.push(f.display.clone());
        }
    }
    if previous.len() != s.previous.len() {
        return; // already reported; a partial history would give a wrong verdict
    }
    let level = s
        .compatibility
        .unwrap_or(env.env.spec.defaults.compatibility);
    match avro::compatibility(&new_schema, &previous, level) {
        Ok(hazards) => {
            for hazard in hazards {
                out.push(b.at(
                    Diagnostic::warning(
                        Code::DataMeaningChanged,
                        format!("schema {:?}: {hazard}", s.name),
                    )
                    .with_hint("the registry accepts this change; make sure every producer and consumer moves to the new scale together"),
                    &at.child_key("file"),
                ));
            }
        }
        Err(e) => {
            let against = previous_files.get(e.against).cloned().unwrap_or_default();
            let named = registered_as(i, s, subjects);
            out.push(incompatible(b, &named, level, &e, &against, at));
        }
    }
}

/// How KB062 names a schema: by the subjects it is registered under, else by its name.
fn registered_as(i: usize, s: &Schema, subjects: &[(usize, String)]) -> String {
    let subject_list: Vec<&str> = subjects
        .iter()
        .filter(|(si, _)| *si == i)
        .map(|(_, s)| s.as_str())
        .collect();
    if subject_list.is_empty() {
        format!("schema {:?}", s.name)
    } else {
        format!("subject {}", subject_list.join(", "))
    }
}

/// KB062, naming the schema and the version it breaks.
fn incompatible(
    b: &BundleInput,
    named: &str,
    level: Compatibility,
    e: &Incompatibility,
    against: &str,
    at: &FieldPath,
) -> Diagnostic {
    let side = match e.direction {
        Direction::NewReadsOld => "consumers using the new schema cannot read data written with",
        Direction::OldReadsNew => "consumers still using",
    };
    let what = match e.direction {
        Direction::NewReadsOld => format!("{side} version {} ({against})", e.against + 1),
        Direction::OldReadsNew => format!(
            "{side} version {} ({against}) cannot read data written with the new schema",
            e.against + 1
        ),
    };
    b.at(
        Diagnostic::error(
            Code::SchemaIncompatible,
            format!(
                "{named} breaks {} compatibility: {what}: {}",
                compatibility_name(level),
                e.reason
            ),
        )
        .with_hint("make the change compatible (e.g. give new fields a default), or register it under a new subject"),
        &at.child_key("file"),
    )
}

/// A subject has one owner across all bundles.
pub fn check_across(bundles: &[BundleInput], out: &mut Vec<Diagnostic>) {
    let mut owners: BTreeMap<String, usize> = BTreeMap::new();
    for (bi, b) in bundles.iter().enumerate() {
        for (si, subject) in subjects_of(&b.bundle) {
            let at = FieldPath::of("spec.schemas").index(si);
            match owners.get(&subject) {
                Some(&obi) => {
                    let other = if obi == bi {
                        "this bundle".to_string()
                    } else {
                        format!("bundle {:?}", bundles[obi].name())
                    };
                    out.push(b.at(
                        Diagnostic::error(
                            Code::SubjectClaimedTwice,
                            format!("subject {subject:?} is registered twice (also by {other})"),
                        )
                        .with_hint("one schema per subject: give the schemas distinct subjects or topics"),
                        &at,
                    ));
                }
                None => {
                    owners.insert(subject, bi);
                }
            }
        }
    }
}
