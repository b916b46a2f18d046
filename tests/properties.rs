//! Properties over generated bundles (issue 10, item 21), with proptest: for any bundle drawn
//! from the strategy below, rendering is deterministic, rendering its own output changes
//! nothing, an error means no output at all, and no role grants a write on a topic the principal
//! only consumes. Bounded: 96 cases, each a few milliseconds (shrinking included).

use kbundle::render::{Options, render};
use kbundle::source::read_stream;
use proptest::prelude::*;
use serde_json::{Value, json};
use std::collections::BTreeSet;

const TOPICS: &[&str] = &[
    "orders.created.v1",
    "orders.paid.v1",
    "payments.v1",
    "audit.v1",
];

#[derive(Debug, Clone)]
struct Drawn {
    topics: Vec<(usize, u32)>,
    principals: Vec<(Vec<usize>, Vec<usize>, bool)>,
}

fn drawn() -> impl Strategy<Value = Drawn> {
    let topics =
        proptest::sample::subsequence((0..TOPICS.len()).collect::<Vec<_>>(), 1..=TOPICS.len())
            // Partitions 0 is invalid: some cases are refused, for the error property.
            .prop_flat_map(|idx| {
                let n = idx.len();
                (Just(idx), proptest::collection::vec(0u32..13, n))
            })
            .prop_map(|(idx, parts)| idx.into_iter().zip(parts).collect::<Vec<_>>());
    let principal = (
        proptest::collection::vec(0..TOPICS.len(), 0..3),
        proptest::collection::vec(0..TOPICS.len(), 0..3),
        any::<bool>(),
    );
    (topics, proptest::collection::vec(principal, 0..4))
        .prop_map(|(topics, principals)| Drawn { topics, principals })
}

fn bundle(d: &Drawn) -> Value {
    let declared: Vec<&str> = d.topics.iter().map(|(i, _)| TOPICS[*i]).collect();
    let topics: Vec<Value> = d
        .topics
        .iter()
        .map(|(i, p)| json!({"name": TOPICS[*i], "partitions": p}))
        .collect();
    let principals: Vec<Value> = d
        .principals
        .iter()
        .enumerate()
        .map(|(n, (produces, consumes, tls))| {
            // Only declared topics, each once: undeclared ones are warnings, not the point here.
            let pick = |ix: &Vec<usize>| -> Vec<&str> {
                ix.iter()
                    .map(|i| TOPICS[*i])
                    .filter(|t| declared.contains(t))
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect()
            };
            let mut p = json!({"name": format!("app-{n}"),
                "authentication": if *tls { "tls" } else { "scram-sha-512" },
                "produces": pick(produces)});
            let consumed = pick(consumes);
            if !consumed.is_empty() {
                p["consumes"] = json!([{"topics": consumed, "group": format!("app-{n}")}]);
            }
            p
        })
        .collect();
    json!({"apiVersion": "kbundle.dev/v1alpha1", "kind": "AppBundle",
        "metadata": {"name": "orders"},
        "spec": {"owner": "team-orders", "topics": topics, "principals": principals}})
}

fn run(docs: &[Value]) -> (Vec<Value>, bool) {
    let text: String = docs
        .iter()
        .map(|d| format!("---\n{}\n", serde_json::to_string(d).unwrap()))
        .collect();
    let (items, read) = read_stream(&text, "drawn.yaml");
    assert!(read.is_empty(), "{read:?}");
    let r = render(items, None, &Options::default());
    (r.items.clone(), r.has_errors())
}

fn writes(ops: &Value) -> bool {
    ops.as_array().into_iter().flatten().any(|o| {
        matches!(
            o.as_str(),
            Some("Write" | "All" | "Create" | "Delete" | "Alter" | "AlterConfigs")
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, max_shrink_iters: 200, ..ProptestConfig::default() })]

    #[test]
    fn rendering_is_deterministic_idempotent_and_least_privilege(d in drawn()) {
        let b = bundle(&d);
        let (first, failed) = run(std::slice::from_ref(&b));
        let (second, failed_again) = run(std::slice::from_ref(&b));
        // Deterministic: the same objects, in the same order.
        prop_assert_eq!(&first, &second);
        prop_assert_eq!(failed, failed_again);
        let invalid = d.topics.iter().any(|(_, p)| *p == 0);
        // An error means no output at all, and only invalid input errs.
        prop_assert_eq!(failed, invalid);
        if failed {
            prop_assert!(first.is_empty(), "output beside an error: {:?}", first);
            return Ok(());
        }
        prop_assert!(!first.is_empty());
        // Idempotent: the output, rendered again, is itself.
        let (again, failed) = run(&first);
        prop_assert!(!failed);
        prop_assert_eq!(&again, &first);
        // No role writes to a topic its principal only consumes.
        for (n, (produces, _, _)) in d.principals.iter().enumerate() {
            let produced: BTreeSet<&str> = produces.iter().map(|i| TOPICS[*i]).collect();
            let name = format!("app-{n}");
            let user = first.iter().find(|o| {
                o["kind"] == "KafkaUser" && o["metadata"]["name"] == name.as_str()
            });
            // Every principal becomes a KafkaUser: a missing one would make this check vacuous.
            prop_assert!(user.is_some(), "no KafkaUser {}", name);
            let Some(user) = user else { continue };
            let acls = user["spec"]["authorization"]["acls"].as_array().cloned().unwrap_or_default();
            // The control: what it produces, it may write (so the check below can fail).
            let declared: BTreeSet<&str> = d.topics.iter().map(|(i, _)| TOPICS[*i]).collect();
            for t in produced.intersection(&declared) {
                prop_assert!(
                    acls.iter().any(|a| a["resource"]["name"] == *t && writes(&a["operations"])),
                    "{} produces {} without Write", name, t
                );
            }
            for acl in &acls {
                let r = &acl["resource"];
                if r["type"] == "topic" {
                    let topic = r["name"].as_str().unwrap_or_default();
                    prop_assert!(
                        !writes(&acl["operations"]) || produced.contains(topic),
                        "{} may write to {} it only consumes: {}", name, topic, acl
                    );
                }
            }
        }
    }
}
