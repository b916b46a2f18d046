//! The only module that names the YAML crate: reads YAML streams into JSON values with a span
//! tree (for line numbers in diagnostics) and writes values back as a YAML stream.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::fmt;

use crate::path::PathSeg;

/// Where a node of a parsed document starts, and the positions of its children.
#[derive(Debug, Clone, Default)]
pub struct Span {
    pub line: u32,
    pub column: u32,
    pub children: Children,
}

#[derive(Debug, Clone, Default)]
pub enum Children {
    #[default]
    None,
    Map(Vec<(String, Span)>),
    Seq(Vec<Span>),
}

impl Span {
    /// The line of the deepest node on `path` (JSON-pointer-like segments); falls back to the
    /// nearest ancestor that exists, so a missing field points at its parent mapping.
    pub fn line_of(&self, path: &[PathSeg]) -> u32 {
        let mut node = self;
        for seg in path {
            let next = match (&node.children, seg) {
                (Children::Map(entries), PathSeg::Key(k)) => {
                    entries.iter().find(|(name, _)| name == k).map(|(_, s)| s)
                }
                (Children::Seq(items), PathSeg::Index(i)) => items.get(*i),
                _ => None,
            };
            match next {
                Some(n) => node = n,
                None => break,
            }
        }
        node.line
    }
}

/// One parsed document: its value, its spans, and its position in the stream.
#[derive(Debug, Clone)]
pub struct Document {
    pub value: Value,
    pub span: Span,
}

/// A YAML syntax or limit error, with the position the parser reports.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct YamlError {
    pub message: String,
    pub line: u32,
    pub column: u32,
}

/// Input budgets: generous for real repositories (tens of thousands of topics), but they stop
/// alias bombs and absurd nesting before they cost memory.
///
/// The expansion budgets grow with the size of the text: a real file expands to well under one
/// event per byte, an alias bomb to millions from a few hundred bytes. With fixed budgets an
/// 821-byte file with 58 aliases cost 254 MB before tripping, and 30 such files over 10 s;
/// proportional budgets bound the whole run by the size of its input.
fn options(len: usize) -> serde_saphyr::Options {
    let scaled = |per_byte: usize, floor: usize, cap: usize| {
        len.saturating_mul(per_byte).saturating_add(floor).min(cap)
    };
    serde_saphyr::options! {
        // YAML 1.2 booleans only: `on`, `yes`, `y` stay strings, as kyaml (kustomize, kpt) reads them.
        strict_booleans: true,
        // `.inf`/`.nan` pass through as strings instead of failing or turning into null.
        non_finite_float_policy: serde_saphyr::NonFiniteFloatPolicy::AsString,
        // `0777` or `1_000` are strings in YAML 1.2; keep their spelling.
        leading_zero_numbers_as_strings: true,
        underscored_numbers_as_strings: true,
        budget: serde_saphyr::budget! {
            max_documents: 1_000_000,
            max_nodes: scaled(16, 20_000, 50_000_000),
            max_events: scaled(32, 40_000, 100_000_000),
            max_depth: 128,
            max_aliases: 10_000,
            max_anchors: 10_000,
            max_total_scalar_bytes: scaled(8, 1 << 20, 512 * 1024 * 1024),
        },
    }
}

/// Parse a YAML stream. Empty documents (a lone `---`, comments only) are skipped.
pub fn parse_stream(text: &str) -> Result<Vec<Document>, YamlError> {
    let raw: Vec<Option<serde_saphyr::Spanned<Raw>>> =
        serde_saphyr::from_multiple_with_options(text, options(text.len()))
            .map_err(to_yaml_error)?;
    Ok(raw
        .into_iter()
        .flatten()
        .filter(|node| !matches!(node.value, Raw::Null))
        .map(|node| {
            let (value, span) = convert(node);
            Document { value, span }
        })
        .collect())
}

fn to_yaml_error(err: serde_saphyr::Error) -> YamlError {
    let (line, column) = err
        .location()
        .map(|l| (l.line() as u32, l.column() as u32))
        .unwrap_or((0, 0));
    let full = err.without_snippet().to_string();
    // The crate prefixes "error: line L column C: "; the position is reported separately.
    let message = full
        .split_once(": ")
        .and_then(|(_, rest)| rest.split_once(": "))
        .filter(|(pos, _)| pos.starts_with("line "))
        .map(|(_, msg)| msg.to_string())
        .unwrap_or(full);
    let message = message.lines().next().unwrap_or_default().to_string();
    // The crate names its own budget types ("budget breached: Nodes { nodes: 126081 }"): say
    // what it means for the file instead.
    // serde-saphyr's advice is for programmers ("set DuplicateKeyPolicy in Options").
    let message = match message.split_once(", set DuplicateKeyPolicy") {
        Some((head, _)) => match head.strip_prefix("duplicate mapping key: ") {
            Some(key) => format!("duplicate key `{key}`: a mapping holds each key once"),
            None => format!("{head}: a mapping holds each key once"),
        },
        None => message,
    };
    let message = match message.strip_prefix("budget breached: ") {
        Some(what) => {
            let limit = what
                .split_whitespace()
                .next()
                .unwrap_or("size")
                .to_lowercase();
            format!(
                "the YAML expands beyond what a file of its size may hold ({limit}): aliases that repeat aliases multiply, and such a file is refused"
            )
        }
        None => message,
    };
    YamlError {
        message,
        line,
        column,
    }
}

/// Serialize values as a YAML stream (`---` between documents).
pub fn to_stream(values: &[Value]) -> Result<String, YamlError> {
    // Each document is written straight into the stream: no string per document to copy.
    let mut out = String::new();
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.push_str("---\n");
        }
        append_document(&mut out, v)?;
    }
    Ok(out)
}

/// Append one value as a YAML document (ending in a newline) to `out`.
pub fn append_document(out: &mut String, value: &Value) -> Result<(), YamlError> {
    let start = out.len();
    serde_saphyr::to_fmt_writer(out, value).map_err(write_error)?;
    if out.len() == start || !out.ends_with('\n') {
        out.push('\n');
    }
    Ok(())
}

/// Serialize one value as a YAML document (no leading `---`).
pub fn to_string(value: &Value) -> Result<String, YamlError> {
    let mut s = serde_saphyr::to_string(value).map_err(write_error)?;
    if !s.ends_with('\n') {
        s.push('\n');
    }
    Ok(s)
}

fn write_error(e: serde_saphyr::ser::Error) -> YamlError {
    YamlError {
        message: e.to_string(),
        line: 0,
        column: 0,
    }
}

/// Parser-side tree: every node carries its own span.
enum Raw {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    Seq(Vec<serde_saphyr::Spanned<Raw>>),
    Map(Vec<(String, serde_saphyr::Spanned<Raw>)>),
}

fn convert(node: serde_saphyr::Spanned<Raw>) -> (Value, Span) {
    let line = node.referenced.line() as u32;
    let column = node.referenced.column() as u32;
    let (value, children) = match node.value {
        Raw::Null => (Value::Null, Children::None),
        Raw::Bool(b) => (Value::Bool(b), Children::None),
        Raw::Number(n) => (Value::Number(n), Children::None),
        Raw::String(s) => (Value::String(s), Children::None),
        Raw::Seq(items) => {
            let mut values = Vec::with_capacity(items.len());
            let mut spans = Vec::with_capacity(items.len());
            for item in items {
                let (v, s) = convert(item);
                values.push(v);
                spans.push(s);
            }
            (Value::Array(values), Children::Seq(spans))
        }
        Raw::Map(entries) => {
            let mut map = Map::with_capacity(entries.len());
            let mut spans = Vec::with_capacity(entries.len());
            for (k, item) in entries {
                let (v, s) = convert(item);
                spans.push((k.clone(), s));
                map.insert(k, v);
            }
            (Value::Object(map), Children::Map(spans))
        }
    };
    (
        value,
        Span {
            line,
            column,
            children,
        },
    )
}

impl<'de> Deserialize<'de> for Raw {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(RawVisitor)
    }
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = Raw;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }
    fn visit_none<E>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Raw, D::Error> {
        Raw::deserialize(d)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Raw, E> {
        Ok(Raw::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Raw, E> {
        Ok(Raw::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Raw, E> {
        Ok(Raw::Number(v.into()))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Raw, E> {
        // Beyond 64 bits JSON numbers lose precision; keep the digits as text instead.
        Ok(i64::try_from(v)
            .map(|n| Raw::Number(n.into()))
            .unwrap_or_else(|_| Raw::String(v.to_string())))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Raw, E> {
        Ok(u64::try_from(v)
            .map(|n| Raw::Number(n.into()))
            .unwrap_or_else(|_| Raw::String(v.to_string())))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Raw, E> {
        Ok(Number::from_f64(v)
            .map(Raw::Number)
            .unwrap_or_else(|| Raw::String(v.to_string())))
    }
    fn visit_str<E>(self, v: &str) -> Result<Raw, E> {
        Ok(Raw::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Raw, E> {
        Ok(Raw::String(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Raw, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Raw::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Raw, A::Error> {
        let mut entries: Vec<(String, serde_saphyr::Spanned<Raw>)> =
            Vec::with_capacity(map.size_hint().unwrap_or(0));
        while let Some(key) = map.next_key::<KeyString>()? {
            let value = map.next_value()?;
            entries.push((key.0, value));
        }
        Ok(Raw::Map(entries))
    }
}

/// Mapping keys: Kubernetes objects only use string keys, but YAML allows `1:` or `true:`;
/// such keys are kept as their text.
struct KeyString(String);

impl<'de> Deserialize<'de> for KeyString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(KeyString)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_multiple_documents_with_lines() {
        let docs = parse_stream("a: 1\n---\nb:\n  c: [x, y]\n").unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[1].value["b"]["c"][1], "y");
        let path = [
            PathSeg::Key("b".into()),
            PathSeg::Key("c".into()),
            PathSeg::Index(0),
        ];
        assert_eq!(docs[1].span.line_of(&path), 4);
    }

    #[test]
    fn yaml_1_2_scalars_stay_strings() {
        let docs = parse_stream("a: yes\nb: on\nc: 0777\nd: y\ne: true\n").unwrap();
        let v = &docs[0].value;
        assert_eq!(v["a"], "yes");
        assert_eq!(v["b"], "on");
        assert_eq!(v["c"], "0777");
        assert_eq!(v["d"], "y");
        assert_eq!(v["e"], true);
    }

    #[test]
    fn empty_documents_are_skipped() {
        let docs = parse_stream("---\n# only a comment\n---\na: 1\n---\n").unwrap();
        assert_eq!(docs.len(), 1);
    }

    #[test]
    fn syntax_error_has_line() {
        let err = parse_stream("a: 1\nb: [1,\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.message.contains("bracket"), "{}", err.message);
    }

    #[test]
    fn duplicate_keys_are_errors() {
        let err = parse_stream("a: 1\na: 2\n").unwrap_err();
        assert!(err.message.contains("duplicate"), "{}", err.message);
    }

    #[test]
    fn round_trip_is_stable() {
        let text =
            "a: \"3\"\nb: 3\nc: \"true\"\nd: \"on\"\ne:\n- x: 1\nf: \"\"\ng: |\n  two\n  lines\n";
        let docs = parse_stream(text).unwrap();
        let out = to_string(&docs[0].value).unwrap();
        let again = parse_stream(&out).unwrap();
        assert_eq!(again[0].value, docs[0].value);
        assert_eq!(to_string(&again[0].value).unwrap(), out);
    }
}
