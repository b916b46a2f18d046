//! Field paths such as `spec.topics[2].config["retention.ms"]`, as shown in diagnostics and
//! used to find a node's line in the YAML source.

use serde_json::Value;
use std::fmt;

/// One step of a field path.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum PathSeg {
    Key(String),
    Index(usize),
}

#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct FieldPath(pub Vec<PathSeg>);

impl FieldPath {
    pub fn root() -> Self {
        FieldPath(Vec::new())
    }

    /// Parse dotted shorthand (`spec.topics`) — for paths written in code, never user input.
    pub fn of(dotted: &str) -> Self {
        FieldPath(
            dotted
                .split('.')
                .filter(|s| !s.is_empty())
                .map(|s| PathSeg::Key(s.to_string()))
                .collect(),
        )
    }

    pub fn key(mut self, k: &str) -> Self {
        self.0.push(PathSeg::Key(k.to_string()));
        self
    }

    pub fn index(mut self, i: usize) -> Self {
        self.0.push(PathSeg::Index(i));
        self
    }

    pub fn child_key(&self, k: &str) -> Self {
        self.clone().key(k)
    }

    pub fn child_index(&self, i: usize) -> Self {
        self.clone().index(i)
    }

    /// From a JSON pointer into `root`: a segment is an index only where the value there is a
    /// list, so a mapping key spelled `0` stays a key.
    pub fn from_pointer(root: &Value, pointer: &str) -> Self {
        let mut segs = Vec::new();
        let mut node = Some(root);
        for raw in pointer.split('/').skip(1) {
            let key = raw.replace("~1", "/").replace("~0", "~");
            match node {
                Some(Value::Array(items)) => {
                    let i = key.parse::<usize>().unwrap_or(usize::MAX);
                    node = items.get(i);
                    segs.push(PathSeg::Index(i));
                }
                Some(Value::Object(map)) => {
                    node = map.get(&key);
                    segs.push(PathSeg::Key(key));
                }
                _ => {
                    node = None;
                    segs.push(PathSeg::Key(key));
                }
            }
        }
        FieldPath(segs)
    }

    pub fn from_serde(path: &serde_path_to_error::Path) -> Self {
        use serde_path_to_error::Segment;
        FieldPath(
            path.iter()
                .filter_map(|s| match s {
                    Segment::Seq { index } => Some(PathSeg::Index(*index)),
                    Segment::Map { key } => Some(PathSeg::Key(key.clone())),
                    Segment::Enum { variant } => Some(PathSeg::Key(variant.clone())),
                    Segment::Unknown => None,
                })
                .collect(),
        )
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                PathSeg::Index(n) => write!(f, "[{n}]")?,
                PathSeg::Key(k)
                    if k.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                        && !k.is_empty() =>
                {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    f.write_str(k)?;
                }
                PathSeg::Key(k) => write!(f, "[{k:?}]")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn renders_indices_and_dotted_keys() {
        let p = FieldPath::of("spec.topics")
            .index(2)
            .key("config")
            .key("retention.ms");
        assert_eq!(p.to_string(), "spec.topics[2].config[\"retention.ms\"]");
    }

    #[test]
    fn pointer_keeps_numeric_keys_of_mappings() {
        let v = json!({"a": {"0": [1, 2]}});
        let p = FieldPath::from_pointer(&v, "/a/0/1");
        assert_eq!(
            p.0,
            vec![
                PathSeg::Key("a".into()),
                PathSeg::Key("0".into()),
                PathSeg::Index(1)
            ]
        );
    }
}
