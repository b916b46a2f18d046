//! Strict parsing of a document into a typed kind. The published JSON Schema is checked first
//! (it reports every structural problem at once, with paths); serde then builds the typed value.
//! Running both keeps the schema users see in their editor and the parser in agreement.

use super::{AppBundle, Environment, Kind, json_schema};
use crate::diag::{Code, shown};
use crate::path::FieldPath;
use crate::suggest::did_you_mean;
use jsonschema::error::{TypeKind, ValidationErrorKind};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::sync::OnceLock;

/// One structural problem in a document.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    /// Stable diagnostic code: KB002 unknown field, KB003 invalid value, KB004 missing field.
    pub code: Code,
    pub path: FieldPath,
    pub message: String,
    pub hint: Option<String>,
}

pub fn parse_app_bundle(value: &Value) -> Result<AppBundle, Vec<ParseError>> {
    parse(Kind::AppBundle, value)
}

pub fn parse_environment(value: &Value) -> Result<Environment, Vec<ParseError>> {
    parse(Kind::Environment, value)
}

struct Compiled {
    schema: Value,
    validator: Option<jsonschema::Validator>,
}

fn compiled(kind: Kind) -> &'static Compiled {
    static BUNDLE: OnceLock<Compiled> = OnceLock::new();
    static ENV: OnceLock<Compiled> = OnceLock::new();
    let cell = match kind {
        Kind::AppBundle => &BUNDLE,
        Kind::Environment => &ENV,
    };
    cell.get_or_init(|| {
        let schema = json_schema(kind);
        // The schema is generated from our own types; if it ever failed to compile, serde
        // alone still parses strictly (only less completely).
        let validator = jsonschema::validator_for(&schema).ok();
        Compiled { schema, validator }
    })
}

pub(super) fn parse<T: DeserializeOwned>(kind: Kind, value: &Value) -> Result<T, Vec<ParseError>> {
    let c = compiled(kind);
    if let Some(validator) = &c.validator {
        let mut errors: Vec<ParseError> = validator
            .iter_errors(value)
            .flat_map(|e| describe(&c.schema, value, &e))
            .collect();
        if !errors.is_empty() {
            errors.sort_by(|a, b| a.path.cmp(&b.path).then(a.message.cmp(&b.message)));
            errors.dedup();
            return Err(errors);
        }
    }
    // JSON Schema counts `3.0` as an integer, serde does not: once the schema has accepted the
    // document, hand serde integers where the schema expects them.
    let normalized;
    let value = if c.validator.is_some() && has_integral_float(value) {
        let mut v = value.clone();
        integral_floats_to_integers(&c.schema, &c.schema, &mut v);
        normalized = v;
        &normalized
    } else {
        value
    };
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = FieldPath::from_serde(e.path());
        vec![ParseError {
            code: Code::InvalidValue,
            path,
            message: e.inner().to_string(),
            hint: None,
        }]
    })
}

fn has_integral_float(v: &Value) -> bool {
    match v {
        Value::Number(n) => n.as_f64().is_some_and(|f| n.is_f64() && f.fract() == 0.0),
        Value::Array(a) => a.iter().any(has_integral_float),
        Value::Object(m) => m.values().any(has_integral_float),
        _ => false,
    }
}

/// Replace integral floats (`3.0`, `1e3`) by integers wherever `node` (a subschema of `root`)
/// expects an integer and not any number. Config values (integer or number) keep their float.
fn integral_floats_to_integers(root: &Value, node: &Value, v: &mut Value) {
    let node = resolve(root, node);
    // `Option<T>` is `anyOf: [T, null]`: follow the one non-null branch.
    let branches: Vec<&Value> = ["anyOf", "oneOf"]
        .iter()
        .filter_map(|k| node.get(*k).and_then(Value::as_array))
        .flatten()
        .map(|b| resolve(root, b))
        .filter(|b| b.get("type").and_then(Value::as_str) != Some("null"))
        .collect();
    if let [only] = branches.as_slice() {
        return integral_floats_to_integers(root, only, v);
    }
    match v {
        Value::Number(n) if n.is_f64() && expects_integer(node) => {
            let f = n.as_f64().unwrap_or(f64::NAN);
            // From -2^63 (an i64) up to, not including, 2^64 (beyond u64): both exact in f64.
            if f.fract() == 0.0
                && (-9_223_372_036_854_775_808.0..18_446_744_073_709_551_616.0).contains(&f)
            {
                *v = if f < 0.0 {
                    Value::from(f as i64)
                } else {
                    Value::from(f as u64)
                };
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = node.get("items") {
                for item in items {
                    integral_floats_to_integers(root, item_schema, item);
                }
            }
        }
        Value::Object(fields) => {
            let properties = node.get("properties").and_then(Value::as_object);
            let additional = node.get("additionalProperties").filter(|a| a.is_object());
            for (key, field) in fields {
                if let Some(s) = properties.and_then(|p| p.get(key)).or(additional) {
                    integral_floats_to_integers(root, s, field);
                }
            }
        }
        _ => {}
    }
}

fn expects_integer(node: &Value) -> bool {
    let has = |t: &str| match node.get("type") {
        Some(Value::String(s)) => s == t,
        Some(Value::Array(a)) => a.iter().any(|x| x == t),
        _ => false,
    };
    has("integer") && !has("number")
}

fn describe(schema: &Value, root: &Value, e: &jsonschema::ValidationError) -> Vec<ParseError> {
    let path = FieldPath::from_pointer(root, e.instance_path().as_str());
    let instance = e.instance();
    let shown = shown::value(instance, &path);
    let err = |code, message: String, hint: Option<String>| ParseError {
        code,
        path: path.clone(),
        message,
        hint,
    };
    match e.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            let allowed = allowed_properties(schema, e.schema_path().as_str());
            unexpected
                .iter()
                .map(|field| {
                    let hint = match did_you_mean(field, allowed.iter().map(String::as_str)) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => format!("allowed fields here: {}", allowed.join(", ")),
                    };
                    ParseError {
                        code: Code::UnknownField,
                        path: path.child_key(field),
                        message: format!("unknown field `{field}`"),
                        hint: Some(hint),
                    }
                })
                .collect()
        }
        ValidationErrorKind::Required { property } => {
            let name = property.as_str().unwrap_or_default();
            vec![ParseError {
                code: Code::MissingField,
                path: path.child_key(name),
                message: format!("missing required field `{name}`"),
                hint: None,
            }]
        }
        ValidationErrorKind::Type { kind } => {
            let expected = match kind {
                TypeKind::Single(t) => t.to_string(),
                TypeKind::Multiple(set) => set
                    .iter()
                    .map(|t| t.to_string())
                    .filter(|t| t != "null")
                    .collect::<Vec<_>>()
                    .join(" or "),
            };
            vec![err(
                Code::InvalidValue,
                format!("{}, expected {expected}", found(instance, &path)),
                None,
            )]
        }
        ValidationErrorKind::Enum { options } => {
            // A field with a closed set of words never holds a credential: a short mistyped word
            // is shown, so the reader sees the typo next to the suggestion.
            let shown = enum_value(instance, &path);
            let allowed: Vec<&str> = options
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let hint = instance
                .as_str()
                .and_then(|s| did_you_mean(s, allowed.iter().copied()))
                .map(|s| format!("did you mean `{s}`?"));
            vec![err(
                Code::InvalidValue,
                format!("{shown} is not one of [{}]", allowed.join(", ")),
                hint,
            )]
        }
        ValidationErrorKind::Minimum { limit } => vec![err(
            Code::InvalidValue,
            format!("{shown} is below the minimum {limit}"),
            None,
        )],
        ValidationErrorKind::Maximum { limit } => vec![err(
            Code::InvalidValue,
            format!("{shown} is above the maximum {limit}"),
            None,
        )],
        ValidationErrorKind::MinLength { .. } => {
            vec![err(
                Code::InvalidValue,
                "must not be empty".to_string(),
                None,
            )]
        }
        ValidationErrorKind::MinItems { limit } => vec![err(
            Code::InvalidValue,
            format!(
                "needs at least {limit} item{}",
                if *limit == 1 { "" } else { "s" }
            ),
            None,
        )],
        ValidationErrorKind::Pattern { pattern } => vec![err(
            Code::InvalidValue,
            format!("{shown} does not match `{pattern}`"),
            duration_hint(pattern),
        )],
        ValidationErrorKind::AnyOf { .. } | ValidationErrorKind::OneOfNotValid { .. } => {
            if let Some(inner) = describe_within(schema, root, e) {
                return inner;
            }
            let (message, hint) =
                describe_alternatives(schema, e.schema_path().as_str(), instance, &path);
            vec![err(Code::InvalidValue, message, hint)]
        }
        _ => vec![err(Code::InvalidValue, e.to_string(), None)],
    }
}

/// `anyOf` comes from optional fields (`[T, null]`) and from config values (string, number or
/// boolean). Describe the failure in terms of the non-null alternatives.
fn describe_alternatives(
    schema: &Value,
    schema_path: &str,
    instance: &Value,
    path: &FieldPath,
) -> (String, Option<String>) {
    let branches: Vec<&Value> = schema
        .pointer(schema_path)
        .and_then(Value::as_array)
        .map(|a| a.iter().map(|b| resolve(schema, b)).collect())
        .unwrap_or_default();
    let non_null: Vec<&Value> = branches
        .into_iter()
        .filter(|b| b.get("type").and_then(Value::as_str) != Some("null"))
        .collect();
    if let [only] = non_null.as_slice() {
        if let Some(options) = only.get("enum").and_then(Value::as_array) {
            let allowed: Vec<&str> = options.iter().filter_map(Value::as_str).collect();
            let hint = instance
                .as_str()
                .and_then(|s| did_you_mean(s, allowed.iter().copied()))
                .map(|s| format!("did you mean `{s}`?"));
            return (
                format!(
                    "{} is not one of [{}]",
                    enum_value(instance, path),
                    allowed.join(", ")
                ),
                hint,
            );
        }
        if let Some(t) = only.get("type").and_then(Value::as_str) {
            return (format!("{}, expected {t}", found(instance, path)), None);
        }
    }
    let types: Vec<String> = non_null
        .iter()
        .filter_map(|b| b.get("type").and_then(Value::as_str))
        .map(str::to_string)
        .collect();
    let scalar = ["boolean", "integer", "number", "string"];
    let expected = if types.is_empty() {
        "another form".to_string()
    } else if types.len() >= 3 && types.iter().all(|t| scalar.contains(&t.as_str())) {
        "a string, number or boolean".to_string()
    } else {
        types.join(" or ")
    };
    (
        format!("{}, expected {expected}", found(instance, path)),
        None,
    )
}

/// Follow a local `$ref` (`#/$defs/Name`).
fn resolve<'a>(schema: &'a Value, node: &'a Value) -> &'a Value {
    node.get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix('#'))
        .and_then(|p| schema.pointer(p))
        .unwrap_or(node)
}

fn duration_hint(pattern: &str) -> Option<String> {
    pattern
        .contains("ms|s|m|h")
        .then(|| "use a duration such as 30s, 10m or 1h".to_string())
}

/// The `properties` of the object schema an `additionalProperties` error came from.
fn allowed_properties(schema: &Value, schema_path: &str) -> Vec<String> {
    let parent = schema_path
        .strip_suffix("/additionalProperties")
        .unwrap_or(schema_path);
    schema
        .pointer(parent)
        .and_then(|s| s.get("properties"))
        .and_then(Value::as_object)
        .map(|props| props.keys().cloned().collect())
        .unwrap_or_default()
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_f64() => "a number",
        Value::Number(_) => "an integer",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

/// What was found: `"six" is a string` where the value may be shown, `a list of 2 items`
/// otherwise.
fn found(instance: &Value, path: &FieldPath) -> String {
    // YAML's `.inf`/`.nan` are kept as text (not numbers JSON could hold), and an empty value
    // is null: say what they are in the user's terms.
    if let Some(s) = instance.as_str()
        && matches!(
            s.trim_start_matches(['-', '+']),
            ".inf" | ".Inf" | ".INF" | ".nan" | ".NaN" | ".NAN"
        )
    {
        return format!("`{s}` (YAML's infinity or not-a-number)");
    }
    if instance.is_null() {
        return "no value (the field is empty or null)".to_string();
    }
    match shown::literal(instance, path) {
        Some(l) if !instance.is_null() => format!("{l} is {}", type_name(instance)),
        _ => shown::shape(instance),
    }
}

/// A value checked against a closed set of words: shown when it is a short word (so the reader
/// sees the typo next to the suggestion), described otherwise.
fn enum_value(instance: &Value, path: &FieldPath) -> String {
    match instance.as_str() {
        Some(s)
            if s.chars().count() <= 64
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '/')) =>
        {
            format!("\"{s}\"")
        }
        _ => shown::value(instance, path),
    }
}

/// An optional object (`anyOf: [T, null]`) that is present but wrong inside: the errors of `T`
/// itself (the unknown field with its did-you-mean, the missing field), not "is a mapping,
/// expected object". `None` when the value is not of `T`'s type at all.
fn describe_within(
    schema: &Value,
    root: &Value,
    e: &jsonschema::ValidationError,
) -> Option<Vec<ParseError>> {
    let branches = schema.pointer(e.schema_path().as_str())?.as_array()?;
    let non_null: Vec<&Value> = branches
        .iter()
        .filter(|b| resolve(schema, b).get("type").and_then(Value::as_str) != Some("null"))
        .collect();
    let [only] = non_null.as_slice() else {
        return None;
    };
    let resolved = resolve(schema, only);
    let instance = e.instance();
    let same_type = match resolved.get("type").and_then(Value::as_str) {
        Some("object") => instance.is_object(),
        Some("array") => instance.is_array(),
        _ => false,
    };
    if !same_type {
        return None;
    }
    // The branch as a schema of its own, with the definitions its references need.
    let mut sub = (*only).clone();
    if let (Some(defs), Some(m)) = (schema.get("$defs"), sub.as_object_mut()) {
        m.insert("$defs".to_string(), defs.clone());
    }
    let validator = jsonschema::validator_for(&sub).ok()?;
    let base = e.instance_path().as_str().to_string();
    let mut out = Vec::new();
    for inner in validator.iter_errors(instance) {
        let pointer = format!("{base}{}", inner.instance_path().as_str());
        let rebased = FieldPath::from_pointer(root, &pointer);
        for mut d in describe(&sub, instance, &inner) {
            d.path = rebased_path(
                &rebased,
                &d.path,
                &FieldPath::from_pointer(instance, inner.instance_path().as_str()),
            );
            out.push(d);
        }
    }
    (!out.is_empty()).then_some(out)
}

/// `inner` is a path below the sub-document; `at_inner` the error's own position in it, and
/// `at_root` that same position from the document root. Children named by the inner error (an
/// unknown or missing field) keep their tail.
fn rebased_path(at_root: &FieldPath, inner: &FieldPath, at_inner: &FieldPath) -> FieldPath {
    let tail = inner.0.get(at_inner.0.len()..).unwrap_or_default();
    let mut p = at_root.clone();
    p.0.extend(tail.iter().cloned());
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn bundle(spec: Value) -> Value {
        json!({"apiVersion": "kbundle.dev/v1alpha1", "kind": "AppBundle",
               "metadata": {"name": "orders"}, "spec": spec})
    }

    #[test]
    fn minimal_bundle_parses() {
        let b = parse_app_bundle(&bundle(json!({"owner": "team"}))).unwrap();
        assert_eq!(b.spec.owner, "team");
        assert!(b.spec.topics.is_empty());
    }

    #[test]
    fn unknown_field_suggests_the_real_one() {
        let errs = parse_app_bundle(&bundle(
            json!({"owner": "t", "topics": [{"name": "a", "partitons": 3}]}),
        ))
        .unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].code, Code::UnknownField);
        assert_eq!(errs[0].path.to_string(), "spec.topics[0].partitons");
        assert_eq!(errs[0].hint.as_deref(), Some("did you mean `partitions`?"));
    }

    #[test]
    fn every_problem_is_reported() {
        let errs = parse_app_bundle(&bundle(json!({
            "topics": [{"name": "a", "partitions": "six"}, {"replicas": 0}]
        })))
        .unwrap_err();
        let paths: Vec<String> = errs.iter().map(|e| e.path.to_string()).collect();
        assert!(paths.contains(&"spec.owner".to_string()), "{paths:?}");
        assert!(paths.contains(&"spec.topics[0].partitions".to_string()));
        assert!(paths.contains(&"spec.topics[1].name".to_string()));
        assert!(paths.contains(&"spec.topics[1].replicas".to_string()));
    }

    #[test]
    fn wrong_type_names_value_and_expectation() {
        let errs = parse_app_bundle(&bundle(
            json!({"owner": "t", "topics": [{"name": "a", "partitions": "six"}]}),
        ))
        .unwrap_err();
        assert_eq!(
            errs[0].message, "\"six\" is a string, expected integer",
            "{errs:?}"
        );
    }

    /// Regression (issue 10, item 15): "\".inf\" is a string" and "null is null".
    #[test]
    fn yaml_infinity_and_empty_values_are_named_in_the_users_terms() {
        let errs = parse_app_bundle(&bundle(
            json!({"owner": "t", "topics": [{"name": "a", "partitions": ".inf"}, {"name": null}]}),
        ))
        .unwrap_err();
        let messages: Vec<&str> = errs.iter().map(|e| e.message.as_str()).collect();
        assert!(
            messages.contains(&"`.inf` (YAML's infinity or not-a-number), expected integer"),
            "{messages:?}"
        );
        assert!(
            messages.contains(&"no value (the field is empty or null), expected string"),
            "{messages:?}"
        );
    }

    #[test]
    fn enum_typo_gets_suggestion() {
        let errs = parse_app_bundle(&bundle(json!({"owner": "t", "principals": [
            {"name": "p", "authentication": "scram-sha512"}]})))
        .unwrap_err();
        assert_eq!(
            errs[0].path.to_string(),
            "spec.principals[0].authentication"
        );
        assert_eq!(
            errs[0].hint.as_deref(),
            Some("did you mean `scram-sha-512`?")
        );
    }

    #[test]
    fn environment_defaults_apply() {
        let env = parse_environment(&json!({"apiVersion": "kbundle.dev/v1alpha1",
            "kind": "Environment", "metadata": {"name": "dev"}}))
        .unwrap();
        assert_eq!(env.spec.defaults.partitions, 3);
        assert_eq!(env.spec.strimzi.cluster, "kafka");
    }
}
