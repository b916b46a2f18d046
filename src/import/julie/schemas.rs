//! JulieOps topic schemas, copied next to the bundles and declared in `spec.schemas`.
//! Followed from JulieOps' `serdes/TopicCustomDeserializer.java`: `schemas` is one mapping or a
//! list of them with `value.schema.file` (required), `key.schema.file`, `*.format` (default
//! AVRO), `*.record.type` and `*.compatibility`; the topic's `subject.name.strategy` is
//! `TopicNameStrategy` (default: subjects `<topic>-value`/`<topic>-key`; several schemas
//! refused), `RecordNameStrategy` (subject: the record type) or `TopicRecordNameStrategy`
//! (`<topic>-<record type>`). Files are read relative to the descriptor's folder
//! (`ArtefactManager#rootPath` and `SchemaRegistryManager` use the topology's folder), and
//! never outside it.

use super::*;
use crate::model::bundle::{Compatibility, Schema};
use std::path::{Component, Path};

/// `rel` resolved inside `dir`: the normalised relative path, or why not.
pub(super) fn inside(rel: &str) -> Result<String, String> {
    let p = Path::new(rel);
    let mut parts: Vec<String> = Vec::new();
    for c in p.components() {
        match c {
            Component::Normal(s) => parts.push(s.to_string_lossy().into_owned()),
            Component::CurDir => {}
            Component::ParentDir => {
                if parts.pop().is_none() {
                    return Err(format!("{rel:?} leaves the descriptor's folder"));
                }
            }
            Component::RootDir | Component::Prefix(_) => {
                return Err(format!(
                    "{rel:?} is absolute: only paths inside the descriptor's folder are read"
                ));
            }
        }
    }
    if parts.is_empty() {
        return Err(format!("{rel:?} names no file"));
    }
    Ok(parts.join("/"))
}

/// Read `rel` (relative to the descriptor) and keep it for the output at the same relative
/// path; the output path, or `None` (reported) when it cannot be.
pub(super) fn copy_file(ctx: &mut Ctx, at: &Place, path: &str, rel: &str) -> Option<String> {
    let fail = |ctx: &mut Ctx, msg: String| {
        ctx.report
            .push(at, path, Severity::Warning, Code::ImportFile, msg);
        None
    };
    let out = match inside(rel) {
        Ok(o) => o,
        Err(e) => {
            ctx.report
                .push(at, path, Severity::Error, Code::ImportInvalid, e);
            return None;
        }
    };
    let full = ctx.dir.join(&out);
    let text = match crate::source::read_text(&full) {
        Ok(t) => t,
        Err(e) => return fail(ctx, format!("cannot read {}: {e}", full.display())),
    };
    match ctx.files.get(&out) {
        Some(prev) if *prev != text => {
            ctx.report.push(at, path, Severity::Error, Code::ImportInvalid,
                format!("{out:?} is named by two descriptors with different contents; import them separately"));
            None
        }
        _ => {
            ctx.files.insert(out.clone(), text);
            Some(out)
        }
    }
}

/// The topic's schemas: the (value, key) schema names its `valueSchema`/`keySchema` take.
pub(super) fn topic_schemas(
    ctx: &mut Ctx,
    at: &Place,
    bi: usize,
    path: &str,
    t: &Value,
    topic: &str,
) -> (Option<String>, Option<String>) {
    let entries: Vec<Value> = match t.get("schemas") {
        None | Some(Value::Null) => return (None, None),
        Some(Value::Array(a)) => a.clone(),
        Some(v) => vec![v.clone()],
    };
    let strategy = t
        .get("subject.name.strategy")
        .and_then(Value::as_str)
        .unwrap_or("TopicNameStrategy");
    if !matches!(
        strategy,
        "TopicNameStrategy" | "RecordNameStrategy" | "TopicRecordNameStrategy"
    ) {
        ctx.report.push(
            at,
            format!("{path}.subject.name.strategy"),
            Severity::Error,
            Code::ImportInvalid,
            format!("{strategy:?} is not a JulieOps subject name strategy"),
        );
        return (None, None);
    }
    let mut seen: Vec<&Value> = Vec::new();
    let mut first = (None, None);
    for (i, e) in entries.iter().enumerate() {
        let epath = if matches!(t.get("schemas"), Some(Value::Array(_))) {
            format!("{path}.schemas[{i}]")
        } else {
            format!("{path}.schemas")
        };
        if seen.contains(&e) {
            ctx.report.push(at, epath, Severity::Warning, Code::ImportDifference,
                "the same schema files again: imported once (JulieOps registers the same version again)");
            continue;
        }
        if strategy == "TopicNameStrategy" && !seen.is_empty() {
            ctx.report.push(at, epath, Severity::Warning, Code::ImportDifference,
                "JulieOps refuses several schemas under TopicNameStrategy (one subject per topic and side): only the first is imported");
            continue;
        }
        seen.push(e);
        report_extra(
            ctx,
            at,
            &epath,
            e,
            &[
                "value.schema.file",
                "key.schema.file",
                "value.format",
                "key.format",
                "value.record.type",
                "key.record.type",
                "value.compatibility",
                "key.compatibility",
            ],
        );
        let mut got = [None, None];
        for (si, side) in ["value", "key"].iter().enumerate() {
            got[si] = side_schema(ctx, at, bi, &epath, e, side, topic, strategy);
        }
        if e.get("value.schema.file").is_none() {
            ctx.report.push(at, format!("{epath}.value.schema.file"), Severity::Error, Code::ImportInvalid,
                "missing: JulieOps requires value.schema.file (TopicCustomDeserializer#validateSchemaKeys)");
        }
        if first == (None, None) {
            let [v, k] = got;
            first = (v, k);
        }
    }
    if first != (None, None) {
        ctx.env.needs_schemas = true;
    }
    first
}

/// One side (`value`/`key`) of a schema entry: the file copied, a `spec.schemas` entry (reused
/// when the bundle has the same one already), its name.
#[allow(clippy::too_many_arguments)]
fn side_schema(
    ctx: &mut Ctx,
    at: &Place,
    bi: usize,
    epath: &str,
    e: &Value,
    side: &str,
    topic: &str,
    strategy: &str,
) -> Option<String> {
    let file = e.get(format!("{side}.schema.file"))?.as_str()?;
    let fpath = format!("{epath}.{side}.schema.file");
    let format = e
        .get(format!("{side}.format"))
        .and_then(Value::as_str)
        .unwrap_or("AVRO");
    if !format.eq_ignore_ascii_case("AVRO") {
        ctx.report.push(at, format!("{epath}.{side}.format"), Severity::Warning, Code::ImportUnmapped,
            format!("{format} schemas are not imported: kbundle registers and checks Avro schemas only; register it by hand"));
        return None;
    }
    let compatibility = match e
        .get(format!("{side}.compatibility"))
        .and_then(Value::as_str)
    {
        None => None,
        Some(c) => {
            match serde_json::from_value::<Compatibility>(Value::String(c.to_ascii_uppercase())) {
                Ok(c) => Some(c),
                Err(_) => {
                    ctx.report.push(
                        at,
                        format!("{epath}.{side}.compatibility"),
                        Severity::Error,
                        Code::ImportInvalid,
                        format!("{c:?} is not a Schema Registry compatibility level"),
                    );
                    return None;
                }
            }
        }
    };
    let record = e.get(format!("{side}.record.type")).and_then(Value::as_str);
    let subject = match (strategy, record) {
        ("TopicNameStrategy", _) => None,
        ("RecordNameStrategy", Some(r)) => Some(r.to_string()),
        (_, Some(r)) => Some(format!("{topic}-{r}")),
        (_, None) => {
            ctx.report.push(
                at,
                format!("{epath}.{side}.record.type"),
                Severity::Error,
                Code::ImportInvalid,
                format!(
                    "{strategy} needs the record type (TopicCustomDeserializer#validateSchemaKeys)"
                ),
            );
            return None;
        }
    };
    let out = copy_file(ctx, at, &fpath, file)?;
    let b = &mut ctx.bundles[bi];
    if let Some(s) = b
        .spec
        .schemas
        .iter()
        .find(|s| s.file == out && s.subject == subject && s.compatibility == compatibility)
    {
        return Some(s.name.clone());
    }
    let stem = Path::new(&out)
        .file_stem()
        .map(|s| sanitize_label(&s.to_string_lossy()))
        .unwrap_or_else(|| "schema".into());
    let mut name = stem.clone();
    let mut n = 2;
    while b.spec.schemas.iter().any(|s| s.name == name) {
        name = format!("{stem}-{n}");
        n += 1;
    }
    b.spec.schemas.push(Schema {
        name: name.clone(),
        subject,
        schema_type: None,
        file: out,
        compatibility,
        previous: Vec::new(),
    });
    Some(name)
}

#[cfg(test)]
mod tests {
    use super::inside;

    #[test]
    fn paths_stay_inside_the_descriptor_folder() {
        assert_eq!(inside("schemas/a.avsc").unwrap(), "schemas/a.avsc");
        assert_eq!(inside("./x/../a.avsc").unwrap(), "a.avsc");
        assert!(inside("../a.avsc").is_err());
        assert!(inside("x/../../a.avsc").is_err());
        assert!(inside("/etc/passwd").is_err());
        assert!(inside(".").is_err());
    }
}
