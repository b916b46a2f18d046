//! A naming prefix shared by an imported bundle's names, written once as `spec.prefix` so the
//! bundle reads as its authors think of it (JulieOps builds every name from the context and the
//! project: `ctx.source.project.orders` becomes `orders` under `prefix: ctx.source.project.`).
//!
//! The short form is kept only when expanding it again, exactly as the check stage does
//! (`validate::naming::expand`), gives back the bundle as imported; otherwise the names stay
//! full. So the rendered output is the same either way.

use crate::model::AppBundle;
use crate::validate::naming::{expand, sites};

/// Characters a prefix ends with: Kafka's and JulieOps' usual separators.
const SEPARATORS: [char; 3] = ['.', '_', '-'];

/// The longest prefix ending in a separator that every declared name starts with, when the
/// bundle declares at least two topics (one name alone is no convention).
fn shared_prefix(b: &AppBundle) -> Option<String> {
    let mut copy = b.clone();
    let s = sites(&mut copy);
    if s.topics.len() < 2 {
        return None;
    }
    let names: Vec<&str> = s
        .topics
        .iter()
        .chain(&s.groups)
        .chain(&s.transactional_ids)
        .map(|n| n.as_str())
        .collect();
    let first = names.first()?;
    let mut len = first.len();
    for n in &names[1..] {
        len = first
            .char_indices()
            .zip(n.chars())
            .take_while(|((_, a), b)| a == b)
            .last()
            .map_or(0, |((i, a), _)| i + a.len_utf8())
            .min(len);
    }
    let common = &first[..len];
    let end = common.rfind(SEPARATORS)? + 1;
    Some(common[..end].to_string())
}

/// `name` without `prefix`, when what is left is a name expansion would prefix again.
fn strip(name: &str, prefix: &str) -> Option<String> {
    let rest = name.strip_prefix(prefix)?;
    (!rest.is_empty() && !rest.starts_with(prefix) && rest != "*").then(|| rest.to_string())
}

/// The bundle with its shared prefix written once, or `None` when there is none or the short
/// form would not mean the same.
pub fn shorten(b: &AppBundle) -> Option<AppBundle> {
    if b.spec.prefix.is_some() {
        return None;
    }
    let prefix = shared_prefix(b)?;
    let mut short = b.clone();
    {
        let mut copy = b.clone();
        let full = sites(&mut copy);
        let topics: Vec<String> = full.topics.iter().map(|t| t.to_string()).collect();
        let groups: Vec<String> = full.groups.iter().map(|g| g.to_string()).collect();
        let s = sites(&mut short);
        for n in s
            .topics
            .into_iter()
            .chain(s.groups)
            .chain(s.transactional_ids)
        {
            *n = strip(n, &prefix)?;
        }
        // Only references to the bundle's own names are written short; another bundle's topic
        // keeps its full name.
        for (refs, own) in [(s.topic_refs, &topics), (s.group_refs, &groups)] {
            for r in refs {
                if own.contains(r)
                    && let Some(short) = strip(r, &prefix)
                {
                    *r = short;
                }
            }
        }
    }
    let mut again = short.clone();
    expand(&mut again, &prefix);
    short.spec.prefix = Some(prefix);
    let same = serde_json::to_value(&again).ok()? == serde_json::to_value(b).ok()?;
    same.then_some(short)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn bundle(spec: serde_json::Value) -> AppBundle {
        let v = json!({"apiVersion": "kbundle.dev/v1alpha1", "kind": "AppBundle",
                       "metadata": {"name": "p"}, "spec": spec});
        crate::model::parse_app_bundle(&v).expect("bundle")
    }

    #[test]
    fn a_shared_prefix_is_written_once_and_own_references_short() {
        let b = bundle(json!({"owner": "t",
            "topics": [{"name": "ctx.proj.orders"}, {"name": "ctx.proj.payments"}],
            "principals": [{"name": "app", "produces": ["ctx.proj.orders", "other.topic"],
                            "consumes": [{"topics": ["ctx.proj.payments"], "group": "ctx.proj.app"}]}]}));
        let s = shorten(&b).expect("shortened");
        assert_eq!(s.spec.prefix.as_deref(), Some("ctx.proj."));
        assert_eq!(s.spec.topics[0].name, "orders");
        assert_eq!(s.spec.principals[0].produces, ["orders", "other.topic"]);
        assert_eq!(
            s.spec.principals[0].consumes[0].group.as_deref(),
            Some("app")
        );
    }

    #[test]
    fn names_outside_the_prefix_keep_the_bundle_full() {
        // The group does not share the topics' prefix: nothing is shortened.
        let b = bundle(json!({"owner": "t",
            "topics": [{"name": "ctx.proj.orders"}, {"name": "ctx.proj.payments"}],
            "principals": [{"name": "app",
                            "consumes": [{"topics": ["ctx.proj.payments"], "group": "app"}]}]}));
        assert!(shorten(&b).is_none());
        // One topic is no convention; no separator is no prefix.
        assert!(shorten(&bundle(json!({"owner": "t", "topics": [{"name": "a.b"}]}))).is_none());
        let b = bundle(json!({"owner": "t", "topics": [{"name": "orders"}, {"name": "ordersx"}]}));
        assert!(shorten(&b).is_none());
    }

    #[test]
    fn a_foreign_name_that_would_expand_into_an_own_one_keeps_the_bundle_full() {
        // `orders` is another bundle's topic; under prefix `p.` it would become `p.orders`.
        let b = bundle(json!({"owner": "t",
            "topics": [{"name": "p.orders"}, {"name": "p.payments"}],
            "principals": [{"name": "app", "produces": ["orders"]}]}));
        assert!(shorten(&b).is_none());
    }
}
