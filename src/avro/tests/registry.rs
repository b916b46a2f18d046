//! Where kbundle once decided differently from the Schema Registry (Java's SchemaCompatibility
//! 1.12.0), one test per fix; tests/avro_java.rs asks Java itself about the same cases.

use super::*;
use crate::avro::compat::walk;

fn record(name: &str, fields: &str) -> String {
    format!(r#"{{"type":"record","name":"{name}","fields":[{fields}]}}"#)
}

fn check(new: &str, old: &str, level: Compatibility) -> Result<Vec<String>, Incompatibility> {
    compatibility(&parsed(new, "new"), &[parsed(old, "old")], level)
}

#[test]
fn aliases_do_not_hijack_references() {
    let with_alias = record(
        "R",
        r#"{"name":"a","type":{"type":"record","name":"New","aliases":["Old"],"fields":[{"name":"x","type":"int"}]}},
           {"name":"b","type":{"type":"record","name":"Old","fields":[{"name":"y","type":"string"}]}},
           {"name":"c","type":"Old"}"#,
    );
    let without = with_alias.replace(r#","aliases":["Old"]"#, "");
    for level in [Compatibility::FullTransitive, Compatibility::Full] {
        assert_eq!(check(&with_alias, &without, level), Ok(Vec::new()));
        assert_eq!(check(&without, &with_alias, level), Ok(Vec::new()));
    }
}

#[test]
fn a_reference_to_an_alias_is_invalid() {
    let text = record(
        "R",
        r#"{"name":"a","type":{"type":"record","name":"New","aliases":["Old"],"fields":[]}},
           {"name":"c","type":"Old"}"#,
    );
    let message = parse(&text).unwrap_err().message;
    assert!(message.contains("unknown type Old"), "{message}");
    assert!(message.contains("never in a reference"), "{message}");
}

fn decimal(precision: u32, scale: u32) -> String {
    record(
        "Price",
        &format!(
            r#"{{"name":"amount","type":{{"type":"bytes","logicalType":"decimal","precision":{precision},"scale":{scale}}}}}"#
        ),
    )
}

#[test]
fn decimal_precision_and_scale_changes_pass_and_a_scale_change_warns() {
    assert_eq!(
        check(
            &decimal(12, 2),
            &decimal(10, 2),
            Compatibility::FullTransitive
        ),
        Ok(Vec::new())
    );
    let hazards = check(&decimal(10, 3), &decimal(10, 2), Compatibility::Full).unwrap();
    assert_eq!(
        hazards,
        vec![
            "the scale of field amount changed from decimal(10,2) to decimal(10,3): the same \
             bytes then read as a number 10 times smaller"
                .to_string()
        ]
    );
    // Nothing is checked at NONE, so nothing is warned about either.
    assert_eq!(
        check(&decimal(10, 3), &decimal(10, 2), Compatibility::None),
        Ok(Vec::new())
    );
}

#[test]
fn a_field_listing_its_own_name_as_alias_is_refused_a_repeated_alias_is_not() {
    let own = record("R", r#"{"name":"a","type":"int","aliases":["a"]}"#);
    let message = parse(&own).unwrap_err().message;
    assert_eq!(
        message,
        "field a of record R lists its own name among its aliases"
    );
    // Java keeps aliases in a set, so a repeated one is harmless there and here.
    let twice = record("R", r#"{"name":"a","type":"int","aliases":["b","b"]}"#);
    let old = record("R", r#"{"name":"b","type":"int"}"#);
    assert_eq!(check(&twice, &old, Compatibility::Backward), Ok(Vec::new()));
}

#[test]
fn validity_follows_javas_parser() {
    let refused = [
        (
            r#"{"type":"record","name":"int","fields":[]}"#,
            "the name of a primitive type",
        ),
        (
            &*record("R", r#"{"name":"a","type":"int","order":"sideways"}"#),
            "has order \"sideways\"; it must be one of ascending, descending, ignore",
        ),
        (
            r#"{"type":"record","name":"R","aliases":"Old","fields":[]}"#,
            "the aliases of R must be an array of names, not a string",
        ),
        (
            &*record("R", r#"{"name":"a","type":"int","aliases":"b"}"#),
            "the aliases of field a of record R must be an array of names, not a string",
        ),
    ];
    for (text, expected) in refused {
        let message = parse(text).unwrap_err().message;
        assert!(message.contains(expected), "{text}: {message}");
    }
    // A namespace makes the name legal, as in Java.
    parsed(
        r#"{"type":"record","name":"int","namespace":"x","fields":[]}"#,
        "int in x",
    );
    let error = r#"{"type":"error","name":"R","fields":[{"name":"a","type":"int"}]}"#;
    let as_record = error.replace("error", "record");
    assert_eq!(
        check(error, &as_record, Compatibility::FullTransitive),
        Ok(Vec::new())
    );
}

fn reason(new: &str, old: &str, level: Compatibility) -> String {
    check(new, old, level).unwrap_err().reason
}

#[test]
fn messages_name_the_field_and_say_what_changed() {
    let status = |symbols: &str| {
        format!(
            r#"{{"name":"states","type":{{"type":"array","items":{{"type":"enum","name":"S","symbols":[{symbols}]}}}}}}"#
        )
    };
    assert_eq!(
        reason(
            &record("R", &status(r#""A""#)),
            &record("R", &status(r#""A","B""#)),
            Compatibility::Backward
        ),
        "enum S (the items of field states) lost symbol B and has no default"
    );
    let fixed = record(
        "Price",
        r#"{"name":"amount","type":{"type":"fixed","name":"D","size":8,"logicalType":"decimal","precision":10,"scale":2}}"#,
    );
    assert_eq!(
        reason(&fixed, &decimal(10, 2), Compatibility::Backward),
        "type of field amount changed from decimal(10,2) to decimal(10,2): bytes → fixed D (size 8)"
    );
    let branch = |name: &str| {
        record(
            "R",
            &format!(
                r#"{{"name":"p","type":["null",{}],"default":null}}"#,
                record(name, "")
            ),
        )
    };
    assert_eq!(
        reason(&branch("RB"), &branch("RA"), Compatibility::Backward),
        "field p lost union branch record RA"
    );
    let array = |fields: &str| format!(r#"{{"type":"array","items":{}}}"#, record("I", fields));
    assert_eq!(
        reason(
            &array(r#"{"name":"x","type":"int"}"#),
            &array(""),
            Compatibility::Backward
        ),
        "field x in the items of the top-level array (int) added without a default"
    );
}

/// Level `depth` of a reader whose union branches `a<d>.Lk`, `b<d>.Lk`, `c<d>.Lk` share a short
/// name, each holding the next level's union: without memoized failures every branch is tried
/// at every level (~3^depth).
fn same_short_names(depth: usize, leaf: &str) -> String {
    let mut union =
        format!(r#"{{"type":"record","name":"Leaf","fields":[{{"name":"v","type":"{leaf}"}}]}}"#);
    for d in (0..depth).rev() {
        let next = d + 1;
        let refs = if d + 1 == depth {
            format!(r#""a{d}.Leaf""#)
        } else {
            format!(r#"["null","a{next}.Lk","b{next}.Lk","c{next}.Lk"]"#)
        };
        union = format!(
            r#"["null",{{"type":"record","name":"Lk","namespace":"a{d}","fields":[{{"name":"n","type":{union}}}]}},{{"type":"record","name":"Lk","namespace":"b{d}","fields":[{{"name":"n","type":{refs}}}]}},{{"type":"record","name":"Lk","namespace":"c{d}","fields":[{{"name":"n","type":{refs}}}]}}]"#
        );
    }
    record("Top", &format!(r#"{{"name":"n","type":{union}}}"#))
}

#[test]
fn union_branches_sharing_a_short_name_are_not_retried_exponentially() {
    let old = same_short_names(14, "int");
    let new = same_short_names(14, "string");
    assert!((4000..6000).contains(&new.len()), "{} bytes", new.len());
    let (old, new) = (parsed(&old, "old"), parsed(&new, "new"));
    let outcome = walk(old.avro(), new.avro(), Direction::NewReadsOld);
    assert!(outcome.result.is_err());
    // 14 levels × 3 writer branches × 3 reader branches, a few comparisons each; unmemoized
    // this is in the millions.
    assert!(outcome.steps < 5_000, "{} steps", outcome.steps);
}
