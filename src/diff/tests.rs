//! Rules at their edges, on hand-made snapshots (the golden cases in testdata/diff/ drive the
//! binary end to end).

use super::snapshot::{BundleSnap, Snapshot, SubjectSnap, TopicSnap};
use super::*;
use serde_json::json;

fn side(topics: Vec<(&str, TopicSnap)>) -> Snapshot {
    let mut b = BundleSnap {
        owner: "team-a".into(),
        ..Default::default()
    };
    for (n, t) in topics {
        b.topics.insert(n.into(), t);
    }
    let mut s = Snapshot {
        environment: "prod".into(),
        ..Default::default()
    };
    s.env_spec.insert("target".into(), "strimzi".into());
    s.bundles.insert("a".into(), b);
    s
}

fn topic(config: serde_json::Value) -> TopicSnap {
    TopicSnap {
        partitions: 3,
        replicas: 3,
        config: serde_json::from_value(config).unwrap(),
        retain: true,
        pii: Default::default(),
        grants: Default::default(),
    }
}

fn codes(d: &Diff) -> Vec<Option<Code>> {
    d.changes.iter().map(|c| c.code).collect()
}

#[test]
fn retention_defaults_and_unlimited() {
    let cases = [
        // (old config, new config, shrinks)
        (json!({}), json!({"retention.ms": -1}), false),
        (json!({"retention.ms": 604800000}), json!({}), false),
        (
            json!({"retention.ms": -1}),
            json!({"retention.ms": 1000}),
            true,
        ),
        (json!({}), json!({"retention.ms": "86400000"}), true),
        (
            json!({"retention.bytes": 10}),
            json!({"retention.bytes": -1}),
            false,
        ),
    ];
    for (o, n, shrinks) in cases {
        let d = compare(
            &side(vec![("t", topic(o.clone()))]),
            &side(vec![("t", topic(n.clone()))]),
        );
        assert_eq!(d.changes.len(), 1, "{o} → {n}: {:?}", d.changes);
        assert_eq!(
            d.changes[0].code == Some(Code::DiffRetentionShrunk),
            shrinks,
            "{o} → {n}"
        );
    }
}

#[test]
fn cleanup_policy_compares_the_set_and_kafkas_default() {
    let d = compare(
        &side(vec![(
            "t",
            topic(json!({"cleanup.policy": "compact,delete"})),
        )]),
        &side(vec![(
            "t",
            topic(json!({"cleanup.policy": "delete, compact"})),
        )]),
    );
    assert_eq!(codes(&d), vec![None]);
    // Unset is delete: writing it out is no policy change.
    let d = compare(
        &side(vec![("t", topic(json!({})))]),
        &side(vec![("t", topic(json!({"cleanup.policy": "delete"})))]),
    );
    assert_eq!(codes(&d), vec![None]);
    let d = compare(
        &side(vec![("t", topic(json!({})))]),
        &side(vec![("t", topic(json!({"cleanup.policy": "compact"})))]),
    );
    assert_eq!(codes(&d), vec![Some(Code::DiffCleanupPolicyChanged)]);
}

#[test]
fn compatibility_loosening_by_guarantees() {
    use Compatibility::*;
    let cases = [
        (Full, Backward, true),
        (Backward, Full, false),
        (BackwardTransitive, Backward, true),
        (Backward, Forward, true),
        (None, Forward, false),
        (FullTransitive, None, true),
    ];
    let text = r#"{"type":"record","name":"R","fields":[]}"#;
    for (a, b, loosened) in cases {
        let mk = |c| {
            let mut s = side(vec![]);
            if let Some(bundle) = s.bundles.get_mut("a") {
                bundle.subjects.insert(
                    "t-value".into(),
                    SubjectSnap {
                        text: text.into(),
                        compatibility: c,
                        avro: true,
                    },
                );
            }
            s
        };
        let d = compare(&mk(a), &mk(b));
        assert_eq!(
            codes(&d) == vec![Some(Code::DiffCompatibilityLoosened)],
            loosened,
            "{a:?} → {b:?}: {:?}",
            d.changes
        );
    }
}

#[test]
fn reports_escape_control_characters() {
    let d = compare(
        &side(vec![("t", topic(json!({"x": "a"})))]),
        &side(vec![("t", topic(json!({"x": "a\u{1b}[2Jb"})))]),
    );
    for text in [
        report::human(&d, "prod", &[], false),
        report::markdown(&d, "prod", &[]),
    ] {
        assert!(!text.contains('\u{1b}'), "{text}");
        assert!(text.contains("x a → a"), "{text}");
    }
}

#[test]
fn a_removed_bundle_removes_its_topics_with_their_risk() {
    let mut t = topic(json!({}));
    t.retain = false;
    let old = side(vec![("gone", t)]);
    let mut new = old.clone();
    new.bundles.clear();
    let d = compare(&old, &new);
    assert!(
        codes(&d).contains(&Some(Code::DiffTopicDeleted)),
        "{:?}",
        d.changes
    );
}

#[test]
fn markdown_stays_under_githubs_comment_limit() {
    let changes: Vec<Change> = (0..5000)
        .map(|i| Change {
            scope: format!("bundle{:04}", i / 10),
            risk: if i % 2 == 0 {
                Severity::Warning
            } else {
                Severity::Info
            },
            code: (i % 2 == 0).then_some(Code::DiffRetentionShrunk),
            kind: "topic",
            name: format!("bundle{:04}.topic-{i}.v1", i / 10),
            detail: "retention.ms (unset) → 86400000".into(),
        })
        .collect();
    let d = Diff {
        changes,
        owners: Default::default(),
        bundles_compared: 500,
    };
    let text = report::markdown(&d, "prod", &[]);
    assert!(text.len() < 65_536, "{} bytes", text.len());
    assert!(text.contains("more not shown here"), "{text}");
    assert!(
        text.starts_with("### kbundle diff\n\n**0 errors, 2500 warnings, 2500 other changes**")
    );
}
