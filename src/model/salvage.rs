//! What is left of an AppBundle that failed to parse, so that its other parts can still be
//! checked: a wrong value in `spec.topics[3]` should not hide that `spec.topics[5]` claims an
//! internal topic or that a principal writes to another team's data. The parse errors are
//! reported as they are; the salvaged bundle only feeds the checks, never the output (an error
//! was reported, so nothing renders).
//!
//! A part is one element of a list directly under `spec` (`spec.topics[3]`) or one key of `spec`
//! (`spec.ksql`). A problem anywhere else (metadata, `apiVersion`, `spec` itself, a required
//! key that is missing) leaves nothing to salvage.

use super::{AppBundle, Kind, ParseError, parse};
use crate::path::{FieldPath, PathSeg};
use serde_json::Value;
use std::collections::BTreeSet;

/// Removing parts can surface a serde error the JSON Schema let through (serde stops at the
/// first): a few rounds report those too; each round removes at least one more part.
const MAX_ROUNDS: usize = 8;

/// The bundle without its broken parts, and the parse errors found on the way that the first
/// parse did not report.
pub struct Salvaged {
    pub bundle: AppBundle,
    pub more_errors: Vec<ParseError>,
    /// The list items left out, by list under `spec` and index in the document, ascending: for
    /// `Origin::left_out`, so that diagnostics name the document's paths and lines.
    pub left_out: Vec<(String, usize)>,
}

/// One removable part of a bundle's spec.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Part {
    Item(String, usize),
    Key(String),
}

fn part_of(path: &FieldPath) -> Option<Part> {
    match path.0.as_slice() {
        [
            PathSeg::Key(spec),
            PathSeg::Key(field),
            PathSeg::Index(i),
            ..,
        ] if spec == "spec" => Some(Part::Item(field.clone(), *i)),
        [PathSeg::Key(spec), PathSeg::Key(field), ..] if spec == "spec" => {
            Some(Part::Key(field.clone()))
        }
        _ => None,
    }
}

/// `value` without `parts`; `None` when a part is not there to remove (a missing required key,
/// say), so removing it would change nothing.
fn without(value: &Value, parts: &BTreeSet<Part>) -> Option<Value> {
    let mut v = value.clone();
    let spec = v.get_mut("spec")?.as_object_mut()?;
    let mut whole = BTreeSet::new();
    for part in parts {
        if let Part::Key(field) = part {
            spec.remove(field)?;
            whole.insert(field);
        }
    }
    // Highest index first, so the lower ones still point at their element.
    for part in parts.iter().rev() {
        if let Part::Item(field, i) = part
            && !whole.contains(field)
        {
            match spec.get_mut(field) {
                Some(Value::Array(items)) if *i < items.len() => {
                    items.remove(*i);
                }
                _ => return None,
            }
        }
    }
    Some(v)
}

/// Salvage what parses of a bundle whose parse failed with `errors`.
pub fn salvage_app_bundle(value: &Value, errors: &[ParseError]) -> Option<Salvaged> {
    let mut parts = BTreeSet::new();
    for e in errors {
        parts.insert(part_of(&e.path)?);
    }
    let mut more_errors = Vec::new();
    for _ in 0..MAX_ROUNDS {
        let repaired = without(value, &parts)?;
        match parse::<AppBundle>(Kind::AppBundle, &repaired) {
            Ok(bundle) => {
                return Some(Salvaged {
                    bundle,
                    more_errors,
                    left_out: items(&parts),
                });
            }
            Err(found) => {
                // Paths into the repaired value: items after a removed one moved up.
                let removed = items(&parts);
                for mut e in found {
                    e.path = original_path(e.path, &removed);
                    if !parts.insert(part_of(&e.path)?) {
                        // Removed already, yet still failing: nothing more to salvage.
                        return None;
                    }
                    more_errors.push(e);
                }
            }
        }
    }
    None
}

/// The list items of `removed`, as `Origin::left_out` keeps them.
fn items(removed: &BTreeSet<Part>) -> Vec<(String, usize)> {
    removed
        .iter()
        .filter_map(|p| match p {
            Part::Item(f, i) => Some((f.clone(), *i)),
            Part::Key(_) => None,
        })
        .collect()
}

/// A path into a bundle without the `left_out` items of its spec lists (by list and original
/// index, ascending), rebased onto the document: item `i` of a list is the `i`-th item kept.
pub fn original_path(mut path: FieldPath, left_out: &[(String, usize)]) -> FieldPath {
    if let [
        PathSeg::Key(spec),
        PathSeg::Key(field),
        PathSeg::Index(i),
        ..,
    ] = path.0.as_mut_slice()
        && spec == "spec"
    {
        for (f, j) in left_out {
            if f == field && *j <= *i {
                *i += 1;
            }
        }
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::parse_app_bundle;
    use serde_json::json;

    fn bundle(spec: Value) -> Value {
        json!({"apiVersion": "kbundle.dev/v1alpha1", "kind": "AppBundle",
               "metadata": {"name": "b"}, "spec": spec})
    }

    fn salvage(v: &Value) -> Option<Salvaged> {
        let errors = parse_app_bundle(v).expect_err("a broken bundle");
        salvage_app_bundle(v, &errors)
    }

    #[test]
    fn broken_list_items_are_left_out_and_the_rest_kept() {
        let v = bundle(json!({"owner": "t", "topics": [
            {"name": "a", "partitions": "six"}, {"name": "b"}, {"name": 42}, {"name": "d"}]}));
        let s = salvage(&v).expect("salvaged");
        let names: Vec<&str> = s
            .bundle
            .spec
            .topics
            .iter()
            .map(|t| t.name.as_str())
            .collect();
        assert_eq!(names, ["b", "d"]);
        assert_eq!(
            s.left_out,
            [("topics".to_string(), 0), ("topics".to_string(), 2)]
        );
        assert!(s.more_errors.is_empty());
    }

    #[test]
    fn paths_into_the_salvaged_bundle_are_shown_as_the_documents() {
        let left_out = [("topics".to_string(), 0), ("topics".to_string(), 2)];
        let at = |i| original_path(FieldPath::of("spec.topics").index(i).key("name"), &left_out);
        assert_eq!(at(0).to_string(), "spec.topics[1].name");
        assert_eq!(at(1).to_string(), "spec.topics[3].name");
        // Other lists keep their numbers.
        let p = original_path(FieldPath::of("spec.principals").index(0), &left_out);
        assert_eq!(p.to_string(), "spec.principals[0]");
    }

    #[test]
    fn a_broken_optional_section_is_dropped_whole() {
        let v = bundle(json!({"owner": "t", "topics": [{"name": "a"}],
                              "ksql": {"migrations": 7}}));
        let s = salvage(&v).expect("salvaged");
        assert!(s.bundle.spec.ksql.is_none());
        assert_eq!(s.bundle.spec.topics.len(), 1);
    }

    #[test]
    fn nothing_is_salvaged_outside_spec_parts() {
        // A missing required key cannot be removed, and metadata is not a part.
        assert!(salvage(&bundle(json!({"topics": [{"name": "a"}]}))).is_none());
        let mut v = bundle(json!({"owner": "t"}));
        v["metadata"]["name"] = json!(5);
        assert!(salvage(&v).is_none());
    }
}
