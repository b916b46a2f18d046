//! Compatibility verdicts and the reasons given for them.

use super::*;
use crate::avro::compat::can_read;

#[test]
fn evolution_table_matches_the_spec_at_every_level() {
    let cases = cases();
    assert!(cases.len() >= 20);
    let mut failures = Vec::new();
    for case in &cases {
        if case.expect == "invalid" {
            assert!(
                parse(&case.new).is_err(),
                "case {}: the new schema should be rejected",
                case.name
            );
            continue;
        }
        let expect: Vec<bool> = case.expect.split_whitespace().map(|v| v == "y").collect();
        assert_eq!(expect.len(), LEVELS.len(), "case {}", case.name);
        let new = parsed(&case.new, case.name);
        let old: Vec<Schema> = case.old.iter().map(|s| parsed(s, case.name)).collect();
        for (level, expected) in LEVELS.iter().zip(&expect) {
            let verdict = check_compatibility(&new, &old, *level);
            if verdict.is_ok() != *expected {
                failures.push(format!(
                    "{} at {level:?}: expected {}, got {verdict:?}",
                    case.name,
                    if *expected {
                        "compatible"
                    } else {
                        "incompatible"
                    }
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn evolution_table_agrees_with_apache_avro_except_documented_deviations() {
    for case in cases().iter().filter(|c| c.expect != "invalid") {
        let new = parsed(&case.new, case.name);
        let mut disagreements = Vec::new();
        for old in &case.old {
            let old = parsed(old, case.name);
            let pairs = [
                (&old, &new, Direction::NewReadsOld),
                (&new, &old, Direction::OldReadsNew),
            ];
            for (writer, reader, direction) in pairs {
                let ours = can_read(writer.avro(), reader.avro(), direction);
                if ours.is_ok() != avro_can_read(writer, reader) {
                    disagreements.push(format!("{direction:?}: ours {ours:?}"));
                }
            }
        }
        match case.deviation {
            None => assert!(
                disagreements.is_empty(),
                "case {} disagrees with apache-avro: {disagreements:?}",
                case.name
            ),
            Some(why) => assert!(
                !disagreements.is_empty(),
                "case {} is documented as a deviation ({why}) but agrees",
                case.name
            ),
        }
    }
}

fn first_failure(case_name: &str, level: Compatibility) -> Incompatibility {
    let cases = cases();
    let Some(case) = cases.iter().find(|c| c.name == case_name) else {
        panic!("no case {case_name}");
    };
    let new = parsed(&case.new, case.name);
    let old: Vec<Schema> = case.old.iter().map(|s| parsed(s, case.name)).collect();
    match check_compatibility(&new, &old, level) {
        Err(failure) => failure,
        Ok(()) => panic!("case {case_name} passes at {level:?}"),
    }
}

#[test]
fn reasons_name_the_field_and_the_change() {
    use Compatibility as C;
    use Direction::{NewReadsOld as Back, OldReadsNew as Fwd};
    let expected: &[(&str, Compatibility, usize, Direction, &str)] = &[
        (
            "add_field_without_default",
            C::Backward,
            0,
            Back,
            "field currency (string) added without a default",
        ),
        (
            "remove_field_without_default",
            C::Forward,
            0,
            Fwd,
            "field note removed; readers of the old schema need it and it has no default",
        ),
        (
            "rename_field_without_alias",
            C::Backward,
            0,
            Back,
            "field total (int) added without a default",
        ),
        (
            "int_to_string",
            C::Full,
            0,
            Back,
            "type of field amount changed from int to string",
        ),
        (
            "narrow_long_to_int",
            C::Backward,
            0,
            Back,
            "type of field amount changed from long to int, which cannot hold every long value",
        ),
        (
            "promote_int_to_long",
            C::Forward,
            0,
            Fwd,
            "type of field amount changed from int to long; readers of the old schema cannot \
             read long values as int",
        ),
        (
            "promote_int_long_double_chain",
            C::ForwardTransitive,
            1,
            Fwd,
            "type of field amount changed from long to double; readers of the old schema \
             cannot read double values as long",
        ),
        (
            "enum_remove_symbol_without_default",
            C::Backward,
            0,
            Back,
            "enum status lost symbol REFUNDED and has no default",
        ),
        (
            "enum_add_symbol",
            C::Forward,
            0,
            Fwd,
            "enum status gained symbol REFUNDED, which readers of the old schema do not know \
             (their enum has no default)",
        ),
        (
            "record_renamed",
            C::Backward,
            0,
            Back,
            "reader expects a record named x.Purchase, data is x.Order",
        ),
        (
            "record_renamed_with_alias",
            C::Forward,
            0,
            Fwd,
            "reader expects a record named x.Order, data is x.Purchase",
        ),
        (
            "field_now_a_differently_named_record",
            C::Backward,
            0,
            Back,
            "field customer: reader expects a record named x.Client, data is x.Customer",
        ),
        (
            "nested_record_field_added_without_default",
            C::Backward,
            0,
            Back,
            "field customer.email (string) added without a default",
        ),
        (
            "record_in_nullable_union_gains_required_field",
            C::Backward,
            0,
            Back,
            "field payment.expiry (string) added without a default",
        ),
        (
            "nullable_to_non_null",
            C::Backward,
            0,
            Back,
            "type of field note changed from union [null, string] to string, which cannot \
             read the null branch",
        ),
        (
            "non_null_to_nullable",
            C::Forward,
            0,
            Fwd,
            "type of field note changed from string to union [null, string]; readers of the \
             old schema cannot read its null branch",
        ),
        (
            "union_narrowing",
            C::Backward,
            0,
            Back,
            "field note lost union branch int",
        ),
        (
            "union_widening",
            C::Forward,
            0,
            Fwd,
            "field note gained union branch int, which readers of the old schema cannot read",
        ),
        (
            "enum_to_string",
            C::Backward,
            0,
            Back,
            "type of field status changed from enum x.Status to string",
        ),
        (
            "array_item_promotion",
            C::Forward,
            0,
            Fwd,
            "type of the items of field tags changed from int to long; readers of the old \
             schema cannot read long values as int",
        ),
        (
            "map_value_change",
            C::Backward,
            0,
            Back,
            "type of the values of field prices changed from string to int",
        ),
        (
            "fixed_size_change",
            C::Backward,
            0,
            Back,
            "size of fixed x.Hash at field hash changed from 16 to 32",
        ),
        (
            "backward_transitive_only_failure",
            C::BackwardTransitive,
            0,
            Back,
            "field currency (string) added without a default",
        ),
        (
            "forward_transitive_only_failure",
            C::ForwardTransitive,
            0,
            Fwd,
            "field note removed; readers of the old schema need it and it has no default",
        ),
        (
            "add_field_without_default_two_versions",
            C::BackwardTransitive,
            1,
            Back,
            "field currency (string) added without a default",
        ),
        (
            "recursive_type_promotion",
            C::Forward,
            0,
            Fwd,
            "type of field value changed from int to long; readers of the old schema cannot \
             read long values as int",
        ),
        (
            "top_level_int_to_string",
            C::Backward,
            0,
            Back,
            "type of the top-level schema changed from int to string",
        ),
    ];
    for (case, level, against, direction, reason) in expected {
        let failure = first_failure(case, *level);
        assert_eq!(
            failure,
            Incompatibility {
                against: *against,
                direction: *direction,
                reason: reason.to_string(),
            },
            "case {case} at {level:?}"
        );
    }
}

#[test]
fn reader_field_matching_two_writer_fields_is_incompatible() {
    let old = parse(&order(
        r#"{"name":"amount","type":"int"},{"name":"total","type":"int"}"#,
    ))
    .unwrap();
    let new = parse(&order(
        r#"{"name":"total","type":"int","aliases":["amount"]}"#,
    ))
    .unwrap();
    let failure =
        check_compatibility(&new, std::slice::from_ref(&old), Compatibility::Backward).unwrap_err();
    assert_eq!(
        failure.reason,
        "field total matches two fields of the data, amount and total, by name or alias"
    );
    // A documented deviation: apache-avro quietly takes the field with the same name.
    assert!(avro_can_read(&old, &new));
}

#[test]
fn incompatibility_display_says_which_side_failed() {
    let failure = first_failure("remove_field_without_default", Compatibility::Full);
    assert_eq!(
        failure.to_string(),
        "readers using previous[0] cannot read data written with the new schema: field note \
         removed; readers of the old schema need it and it has no default"
    );
}

#[test]
fn shared_named_types_are_compared_once() {
    // T0 uses T1 twice, T1 uses T2 twice, ...: 2^24 paths if every use were re-compared.
    let depth = 24;
    let mut schema =
        r#"{"type":"record","name":"T24","fields":[{"name":"v","type":"int"}]}"#.to_string();
    for level in (0..depth).rev() {
        let next = level + 1;
        schema = format!(
            r#"{{"type":"record","name":"T{level}","fields":[{{"name":"a","type":{schema}}},{{"name":"b","type":"T{next}"}}]}}"#
        );
    }
    let old = parse(&schema).unwrap();
    let new = parse(&schema.replace(r#""name":"v","type":"int""#, r#""name":"v","type":"long""#))
        .unwrap();
    let started = std::time::Instant::now();
    assert!(check_compatibility(&new, std::slice::from_ref(&old), Compatibility::Backward).is_ok());
    let failure =
        check_compatibility(&new, std::slice::from_ref(&old), Compatibility::Forward).unwrap_err();
    assert!(
        failure.reason.starts_with("type of field a.a.a."),
        "{}",
        failure.reason
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}
