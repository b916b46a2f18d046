//! Masking rules: each names a topic of the bundle with a value schema, and fields that exist in
//! that schema; `pii` fields exist too; under `policy.maskPii` every pii field has a rule; and
//! every rule can be enforced — by Kafka's `MaskField` (top-level redact/nullify) or by a
//! transform class the Environment names — never a policy that is silently not enforced.
//!
//! Codes: KB080 topic not in the bundle, KB081 topic without a value schema, KB082 field not in
//! the schema, KB083 pii field without a rule, KB084 rule nothing can enforce, KB085 field masked
//! twice, KB086 bad replacement.

use super::{BundleInput, EnvInput};
use crate::avro::{self, FieldInfo};
use crate::diag::Code;
use crate::diag::Diagnostic;
use crate::model::bundle::{MaskRule, MaskedField, Masking, Topic};
use crate::path::FieldPath;
use crate::suggest::did_you_mean;
use std::collections::BTreeMap;

/// The parsed value schema of a topic, when it has one that validation of schemas accepted.
pub fn value_schema(b: &BundleInput, topic: &Topic) -> Option<avro::Schema> {
    let name = topic.value_schema.as_deref()?;
    let schema = b.bundle.spec.schemas.iter().find(|s| s.name == name)?;
    b.schema(&schema.file)?.ok()
}

/// Whether a rule on a field needs a transform class from the Environment, and which.
pub fn needs_custom(rule: MaskRule, info: &FieldInfo) -> Option<&'static str> {
    match rule {
        MaskRule::Hash => Some("hashTransform"),
        _ if info.nested => Some("nestedTransform"),
        _ => None,
    }
}

fn is_primitive_for_mask(type_name: &str) -> bool {
    let t = type_name
        .trim_start_matches("union [null, ")
        .trim_end_matches(']');
    matches!(
        t,
        "string" | "int" | "long" | "float" | "double" | "boolean" | "bytes"
    ) || type_name.starts_with("enum")
}

/// topic → path → (rule index, field index): which fields a rule masks, to find pii fields
/// without a rule and fields masked twice.
type Masked<'a> = BTreeMap<&'a str, BTreeMap<&'a str, (usize, usize)>>;

pub fn check(b: &BundleInput, env: &EnvInput, out: &mut Vec<Diagnostic>) {
    let mut masked: Masked = BTreeMap::new();
    for (mi, m) in b.bundle.spec.masking.iter().enumerate() {
        check_rule(b, env, mi, m, &mut masked, out);
    }
    for (ti, t) in b.bundle.spec.topics.iter().enumerate() {
        if t.pii.is_empty() {
            continue;
        }
        let at = FieldPath::of("spec.topics").index(ti).key("pii");
        check_pii_paths(b, t, &at, out);
        if env.env.spec.policy.mask_pii {
            check_pii_masked(b, env, t, masked.get(t.name.as_str()), &at, out);
        }
    }
}

/// One `spec.masking` entry: its topic (KB080, KB081), then each of its fields.
fn check_rule<'a>(
    b: &'a BundleInput,
    env: &EnvInput,
    mi: usize,
    m: &'a Masking,
    masked: &mut Masked<'a>,
    out: &mut Vec<Diagnostic>,
) {
    let spec = &b.bundle.spec;
    let at = FieldPath::of("spec.masking").index(mi);
    let Some(topic) = spec.topics.iter().find(|t| t.name == m.topic) else {
        let topics = spec.topics.iter().map(|t| t.name.as_str());
        let mut d = Diagnostic::error(
            Code::MaskingTopicUnknown,
            format!(
                "masking names topic {:?}, which this bundle does not declare",
                m.topic
            ),
        );
        d = match did_you_mean(&m.topic, topics) {
            Some(s) => d.with_hint(format!("did you mean `{s}`?")),
            None => d.with_hint("a bundle masks its own topics"),
        };
        out.push(b.at(d, &at.child_key("topic")));
        return;
    };
    if topic.value_schema.is_none() {
        out.push(
            b.at(
                Diagnostic::error(
                    Code::MaskingWithoutSchema,
                    format!(
                        "topic {:?} has no valueSchema, so its fields cannot be masked",
                        m.topic
                    ),
                )
                .with_hint("give the topic a valueSchema"),
                &at.child_key("topic"),
            ),
        );
        return;
    }
    // A schema problem is reported by the schema rules; nothing more to say here.
    let Some(schema) = value_schema(b, topic) else {
        return;
    };
    for (fi, f) in m.fields.iter().enumerate() {
        let fat = at.child_key("fields").index(fi);
        let info = match avro::lookup_field(&schema, &f.path) {
            Ok(info) => info,
            Err(reason) => {
                out.push(b.at(
                    Diagnostic::error(
                        Code::MaskingPathUnknown,
                        format!("masking path {:?}: {reason}", f.path),
                    ),
                    &fat.child_key("path"),
                ));
                continue;
            }
        };
        check_masked_twice(b, topic, f, (mi, fi), masked, &fat, out);
        check_replacement_rule(b, f, &fat, out);
        match needs_custom(f.rule, &info) {
            Some(field) => check_transform_configured(b, env, &m.topic, f, field, &fat, out),
            None => check_mask_field_can(b, m, f, &info, &fat, out),
        }
    }
}

/// KB085: a field masked by two rules.
fn check_masked_twice<'a>(
    b: &BundleInput,
    topic: &'a Topic,
    f: &'a MaskedField,
    here: (usize, usize),
    masked: &mut Masked<'a>,
    fat: &FieldPath,
    out: &mut Vec<Diagnostic>,
) {
    let first = masked
        .entry(topic.name.as_str())
        .or_default()
        .insert(f.path.as_str(), here);
    if let Some((pmi, pfi)) = first {
        out.push(b.at(
            Diagnostic::error(
                Code::FieldMaskedTwice,
                format!(
                    "field {} of topic {:?} is masked twice (also spec.masking[{pmi}].fields[{pfi}])",
                    f.path, topic.name
                ),
            ),
            &fat.child_key("path"),
        ));
    }
}

/// KB086: a replacement on a rule other than redact.
fn check_replacement_rule(
    b: &BundleInput,
    f: &MaskedField,
    fat: &FieldPath,
    out: &mut Vec<Diagnostic>,
) {
    if f.replacement.is_some() && f.rule != MaskRule::Redact {
        out.push(
            b.at(
                Diagnostic::error(
                    Code::RedactReplacementInvalid,
                    "only rule redact takes a replacement",
                )
                .with_hint("remove replacement, or use rule: redact"),
                &fat.child_key("replacement"),
            ),
        );
    }
}

/// KB084: a rule only a transform class can enforce, and the Environment names none.
fn check_transform_configured(
    b: &BundleInput,
    env: &EnvInput,
    topic: &str,
    f: &MaskedField,
    field: &str,
    fat: &FieldPath,
    out: &mut Vec<Diagnostic>,
) {
    let transforms = env.env.spec.masking.as_ref();
    let configured = match field {
        "hashTransform" => transforms.is_some_and(|t| t.hash_transform.is_some()),
        _ => transforms.is_some_and(|t| t.nested_transform.is_some()),
    };
    if configured {
        return;
    }
    let why = if f.rule == MaskRule::Hash {
        "Kafka's MaskField cannot hash".to_string()
    } else {
        format!("Kafka's MaskField cannot reach the nested field {}", f.path)
    };
    out.push(b.at(
        Diagnostic::error(
            Code::MaskingUnenforceable,
            format!("masking {} of topic {:?} cannot be enforced: {why}", f.path, topic),
        )
        .with_hint(format!(
            "the platform sets spec.masking.{field} in {} to a transform class installed on Connect",
            env.label()
        )),
        fat,
    ));
}

/// KB084 / KB086 for Kafka's MaskField: primitive fields only, and redacting a non-string
/// needs a replacement.
fn check_mask_field_can(
    b: &BundleInput,
    m: &Masking,
    f: &MaskedField,
    info: &FieldInfo,
    fat: &FieldPath,
    out: &mut Vec<Diagnostic>,
) {
    if !is_primitive_for_mask(&info.type_name) {
        out.push(b.at(
            Diagnostic::error(
                Code::MaskingUnenforceable,
                format!(
                    "masking {} of topic {:?} cannot be enforced: MaskField masks primitive fields, this one is {}",
                    f.path, m.topic, info.type_name
                ),
            )
            .with_hint("mask the primitive fields inside it"),
            fat,
        ));
    } else if f.rule == MaskRule::Redact
        && f.replacement.is_none()
        && !info.type_name.contains("string")
    {
        out.push(
            b.at(
                Diagnostic::error(
                    Code::RedactReplacementInvalid,
                    format!(
                        "redacting {} ({}) needs a replacement value",
                        f.path, info.type_name
                    ),
                )
                .with_hint("set replacement, or use rule: nullify"),
                fat,
            ),
        );
    }
}

/// KB082 / KB081 for a topic's `pii` list: each path exists in the value schema, and there is
/// a value schema to look in.
fn check_pii_paths(b: &BundleInput, t: &Topic, at: &FieldPath, out: &mut Vec<Diagnostic>) {
    if let Some(schema) = value_schema(b, t) {
        for (pi, p) in t.pii.iter().enumerate() {
            if let Err(reason) = avro::lookup_field(&schema, p) {
                out.push(b.at(
                    Diagnostic::error(
                        Code::MaskingPathUnknown,
                        format!("pii path {p:?}: {reason}"),
                    ),
                    &at.child_index(pi),
                ));
            }
        }
    } else if t.value_schema.is_none() {
        out.push(
            b.at(
                Diagnostic::error(
                    Code::MaskingWithoutSchema,
                    format!("topic {:?} lists pii fields but has no valueSchema", t.name),
                )
                .with_hint("give the topic a valueSchema, so the fields can be checked and masked"),
                at,
            ),
        );
    }
}

/// KB083: under `policy.maskPii`, every pii field of the topic has a rule.
fn check_pii_masked(
    b: &BundleInput,
    env: &EnvInput,
    t: &Topic,
    rules: Option<&BTreeMap<&str, (usize, usize)>>,
    at: &FieldPath,
    out: &mut Vec<Diagnostic>,
) {
    let unmasked: Vec<&str> = t
        .pii
        .iter()
        .map(String::as_str)
        .filter(|p| !rules.is_some_and(|r| r.contains_key(p)))
        .collect();
    if unmasked.is_empty() {
        return;
    }
    out.push(
        b.at(
            Diagnostic::error(
                Code::PiiUnmasked,
                format!(
                    "topic {:?} has personal data without a masking rule: {}",
                    t.name,
                    unmasked.join(", ")
                ),
            )
            .with_hint(format!(
                "{} sets policy.maskPii: add a spec.masking rule for each field",
                env.label()
            )),
            at,
        ),
    );
}
