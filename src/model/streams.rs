//! `principals[].streams`: one Kafka Streams app (a map, the original form) or several (a
//! list), for a principal that runs more than one application. Both forms parse to
//! [`StreamsApps`]; a single app is written back as a map, so existing bundles and every
//! importer's output keep their shape.

use super::bundle::Streams;
use crate::path::FieldPath;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use std::borrow::Cow;
use std::fmt;

/// The Streams apps of one principal, in declaration order.
#[derive(Debug, Clone, Default)]
pub enum StreamsApps {
    /// `streams:` absent (or `null`).
    #[default]
    None,
    /// `streams: {applicationId: …}`.
    One(Streams),
    /// `streams: [{applicationId: …}, …]`.
    Many(Vec<Streams>),
}

impl StreamsApps {
    pub fn iter(&self) -> std::slice::Iter<'_, Streams> {
        match self {
            StreamsApps::None => [].iter(),
            StreamsApps::One(s) => std::slice::from_ref(s).iter(),
            StreamsApps::Many(v) => v.iter(),
        }
    }

    pub fn iter_mut(&mut self) -> std::slice::IterMut<'_, Streams> {
        match self {
            StreamsApps::None => [].iter_mut(),
            StreamsApps::One(s) => std::slice::from_mut(s).iter_mut(),
            StreamsApps::Many(v) => v.iter_mut(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.iter().next().is_none()
    }

    /// Whether apps are written as a list, so field paths say `streams[i]`.
    pub fn is_list(&self) -> bool {
        matches!(self, StreamsApps::Many(_))
    }

    /// Each app with the field path it was written at (`<principal>.streams` for the map
    /// form, `<principal>.streams[i]` for the list form).
    pub fn with_paths<'a>(
        &'a self,
        principal: &FieldPath,
    ) -> impl Iterator<Item = (&'a Streams, FieldPath)> + use<'a> {
        let list = self.is_list();
        let principal = principal.clone();
        self.iter().enumerate().map(move |(i, s)| {
            let at = principal.child_key("streams");
            (s, if list { at.index(i) } else { at })
        })
    }
}

impl From<Streams> for StreamsApps {
    fn from(s: Streams) -> Self {
        StreamsApps::One(s)
    }
}

impl<'a> IntoIterator for &'a StreamsApps {
    type Item = &'a Streams;
    type IntoIter = std::slice::Iter<'a, Streams>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl Serialize for StreamsApps {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            StreamsApps::None => s.serialize_none(),
            StreamsApps::One(one) => one.serialize(s),
            StreamsApps::Many(many) => many.serialize(s),
        }
    }
}

/// A map is one app, a list is several; each app is parsed by `Streams`' own strict rules,
/// so an unknown or missing field inside either form is reported at its own path.
impl<'de> Deserialize<'de> for StreamsApps {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = StreamsApps;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a Streams app (a map with `applicationId`) or a list of them")
            }
            fn visit_unit<E: de::Error>(self) -> Result<StreamsApps, E> {
                Ok(StreamsApps::None)
            }
            fn visit_none<E: de::Error>(self) -> Result<StreamsApps, E> {
                Ok(StreamsApps::None)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<StreamsApps, A::Error> {
                Streams::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(StreamsApps::One)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<StreamsApps, A::Error> {
                Vec::<Streams>::deserialize(de::value::SeqAccessDeserializer::new(seq))
                    .map(StreamsApps::Many)
            }
        }
        d.deserialize_any(V)
    }
}

/// One schema for both forms: JSON Schema's object keywords (properties, required,
/// additionalProperties) apply only to objects and `items` only to arrays, so
/// `type: [object, array]` keeps the single-map form's schema exactly and adds the list
/// without an `anyOf` (whose errors editors and kbundle report less precisely).
impl JsonSchema for StreamsApps {
    fn schema_name() -> Cow<'static, str> {
        "StreamsApps".into()
    }

    fn json_schema(g: &mut SchemaGenerator) -> Schema {
        let mut schema = Streams::json_schema(g);
        let item = g.subschema_for::<Streams>();
        if let Some(m) = schema.as_object_mut() {
            m.insert(
                "type".into(),
                serde_json::json!(["object", "array", "null"]),
            );
            m.insert("items".into(), item.to_value());
            m.insert(
                "description".into(),
                "A Kafka Streams application run by this user, or a list of them (each with its own applicationId).".into(),
            );
        }
        schema
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(v: serde_json::Value) -> Result<StreamsApps, String> {
        serde_path_to_error::deserialize(v).map_err(|e| format!("{}: {}", e.path(), e.inner()))
    }

    #[test]
    fn both_forms() {
        let one = parse(json!({"applicationId": "a", "reads": ["t"]})).unwrap();
        assert!(!one.is_list());
        assert_eq!(
            one.iter()
                .map(|s| s.application_id.as_str())
                .collect::<Vec<_>>(),
            ["a"]
        );
        let many = parse(json!([{"applicationId": "a"}, {"applicationId": "b"}])).unwrap();
        assert!(many.is_list());
        assert_eq!(many.iter().count(), 2);
        assert!(parse(json!(null)).unwrap().is_empty());
        // A single app is written back as a map.
        assert!(serde_json::to_value(&one).unwrap().is_object());
        assert!(serde_json::to_value(&many).unwrap().is_array());
    }

    #[test]
    fn errors_name_the_app() {
        let e = parse(json!([{"applicationId": "a"}, {"applicationid": "b"}])).unwrap_err();
        assert!(e.starts_with("[1]"), "{e}");
        let e = parse(json!("a")).unwrap_err();
        assert!(e.contains("a list of them"), "{e}");
    }
}
