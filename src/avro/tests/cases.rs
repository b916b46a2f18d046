//! The evolution table: each case, its previous versions and the verdict at every level.

use super::*;

pub(super) const ID: &str = r#"{"name":"id","type":"string"}"#;

pub(super) fn customer(extra: &str) -> String {
    format!(
        r#"{ID},{{"name":"customer","type":{{"type":"record","name":"Customer","fields":[{{"name":"name","type":"string"}}{extra}]}}}}"#
    )
}

pub(super) fn status(symbols: &str, default: &str) -> String {
    format!(
        r#"{ID},{{"name":"status","type":{{"type":"enum","name":"Status","symbols":[{symbols}]{default}}}}}"#
    )
}

pub(super) fn payment(extra: &str) -> String {
    format!(
        r#"{ID},{{"name":"payment","type":["null",{{"type":"record","name":"Card","fields":[{{"name":"number","type":"string"}}{extra}]}}],"default":null}}"#
    )
}

pub(super) const NODE_INT: &str = r#"{"type":"record","name":"Node","namespace":"x","fields":[{"name":"value","type":"int"},{"name":"next","type":["null","Node"],"default":null}]}"#;
pub(super) const NODE_LONG: &str = r#"{"type":"record","name":"Node","namespace":"x","fields":[{"name":"value","type":"long"},{"name":"next","type":["null","Node"],"default":null}]}"#;
pub(super) const ADDRESS: &str =
    r#"{"type":"record","name":"Address","fields":[{"name":"street","type":"string"}]}"#;

pub(super) fn cases() -> Vec<Case> {
    let billing_first =
        format!(r#"{{"name":"billing","type":{ADDRESS}}},{{"name":"shipping","type":"Address"}}"#);
    let shipping_first =
        format!(r#"{{"name":"shipping","type":{ADDRESS}}},{{"name":"billing","type":"Address"}}"#);
    let mut renamed_with_alias = raw_case(
        "record_renamed_with_alias",
        &[&order(ID)],
        &format!(
            r#"{{"type":"record","name":"Purchase","namespace":"x","aliases":["Order"],"fields":[{ID}]}}"#
        ),
        "y y y n n n n",
    );
    renamed_with_alias.deviation =
        Some("apache-avro ignores the aliases of named types; the spec and Java honour them");
    let mut decimal_scale = fields_case(
        "decimal_scale_change",
        &[
            r#"{"name":"amount","type":{"type":"bytes","logicalType":"decimal","precision":10,"scale":2}}"#,
        ],
        r#"{"name":"amount","type":{"type":"bytes","logicalType":"decimal","precision":10,"scale":3}}"#,
        "y y y y y y y",
    );
    decimal_scale.deviation = Some(
        "apache-avro refuses a decimal precision or scale change; Java (the registry) ignores \
         logical types, and kbundle follows it with a KB060 warning",
    );
    let mut reordered = fields_case(
        "named_type_reference_reordered",
        &[&billing_first],
        &shipping_first,
        "y y y y y y y",
    );
    reordered.deviation = Some(
        "apache-avro compares a definition of x.Address with a reference to it as different \
         types; both are the same record",
    );

    vec![
        fields_case(
            "add_field_with_default",
            &[ID],
            &format!(r#"{ID},{{"name":"currency","type":"string","default":"EUR"}}"#),
            "y y y y y y y",
        ),
        fields_case(
            "add_field_without_default",
            &[ID],
            &format!(r#"{ID},{{"name":"currency","type":"string"}}"#),
            "y n n y y n n",
        ),
        fields_case(
            "add_field_without_default_two_versions",
            &[ID, ID],
            &format!(r#"{ID},{{"name":"currency","type":"string"}}"#),
            "y n n y y n n",
        ),
        fields_case(
            "add_nullable_field_with_null_default",
            &[ID],
            &format!(r#"{ID},{{"name":"note","type":["null","string"],"default":null}}"#),
            "y y y y y y y",
        ),
        fields_case(
            "remove_field_with_default",
            &[&format!(
                r#"{ID},{{"name":"note","type":"string","default":""}}"#
            )],
            ID,
            "y y y y y y y",
        ),
        fields_case(
            "remove_field_without_default",
            &[&format!(r#"{ID},{{"name":"note","type":"string"}}"#)],
            ID,
            "y y y n n n n",
        ),
        fields_case(
            "rename_field_with_alias",
            &[&format!(r#"{ID},{{"name":"amount","type":"int"}}"#)],
            &format!(r#"{ID},{{"name":"total","type":"int","aliases":["amount"]}}"#),
            "y y y n n n n",
        ),
        fields_case(
            "rename_field_without_alias",
            &[&format!(r#"{ID},{{"name":"amount","type":"int"}}"#)],
            &format!(r#"{ID},{{"name":"total","type":"int"}}"#),
            "y n n n n n n",
        ),
        fields_case(
            "promote_int_to_long",
            &[r#"{"name":"amount","type":"int"}"#],
            r#"{"name":"amount","type":"long"}"#,
            "y y y n n n n",
        ),
        fields_case(
            "narrow_long_to_int",
            &[r#"{"name":"amount","type":"long"}"#],
            r#"{"name":"amount","type":"int"}"#,
            "y n n y y n n",
        ),
        fields_case(
            "promote_int_long_double_chain",
            &[
                r#"{"name":"amount","type":"int"}"#,
                r#"{"name":"amount","type":"long"}"#,
            ],
            r#"{"name":"amount","type":"double"}"#,
            "y y y n n n n",
        ),
        fields_case(
            "string_to_bytes",
            &[r#"{"name":"payload","type":"string"}"#],
            r#"{"name":"payload","type":"bytes"}"#,
            "y y y y y y y",
        ),
        fields_case(
            "int_to_string",
            &[r#"{"name":"amount","type":"int"}"#],
            r#"{"name":"amount","type":"string"}"#,
            "y n n n n n n",
        ),
        fields_case(
            "timestamp_millis_to_long",
            &[r#"{"name":"at","type":{"type":"long","logicalType":"timestamp-millis"}}"#],
            r#"{"name":"at","type":"long"}"#,
            "y y y y y y y",
        ),
        decimal_scale,
        fields_case(
            "union_widening",
            &[r#"{"name":"note","type":["null","string"],"default":null}"#],
            r#"{"name":"note","type":["null","string","int"],"default":null}"#,
            "y y y n n n n",
        ),
        fields_case(
            "union_narrowing",
            &[r#"{"name":"note","type":["null","string","int"],"default":null}"#],
            r#"{"name":"note","type":["null","string"],"default":null}"#,
            "y n n y y n n",
        ),
        fields_case(
            "nullable_to_non_null",
            &[r#"{"name":"note","type":["null","string"],"default":null}"#],
            r#"{"name":"note","type":"string"}"#,
            "y n n y y n n",
        ),
        fields_case(
            "non_null_to_nullable",
            &[r#"{"name":"note","type":"string"}"#],
            r#"{"name":"note","type":["null","string"],"default":null}"#,
            "y y y n n n n",
        ),
        fields_case(
            "int_to_nullable_long",
            &[r#"{"name":"amount","type":"int"}"#],
            r#"{"name":"amount","type":["null","long"],"default":null}"#,
            "y y y n n n n",
        ),
        fields_case(
            "enum_add_symbol",
            &[&status(r#""NEW","PAID""#, "")],
            &status(r#""NEW","PAID","REFUNDED""#, ""),
            "y y y n n n n",
        ),
        fields_case(
            "enum_add_symbol_old_has_default",
            &[&status(
                r#""UNKNOWN","NEW","PAID""#,
                r#","default":"UNKNOWN""#,
            )],
            &status(
                r#""UNKNOWN","NEW","PAID","REFUNDED""#,
                r#","default":"UNKNOWN""#,
            ),
            "y y y y y y y",
        ),
        fields_case(
            "enum_remove_symbol_without_default",
            &[&status(r#""NEW","PAID","REFUNDED""#, "")],
            &status(r#""NEW","PAID""#, ""),
            "y n n y y n n",
        ),
        fields_case(
            "enum_remove_symbol_with_default",
            &[&status(
                r#""UNKNOWN","NEW","PAID","REFUNDED""#,
                r#","default":"UNKNOWN""#,
            )],
            &status(r#""UNKNOWN","NEW","PAID""#, r#","default":"UNKNOWN""#),
            "y y y y y y y",
        ),
        fields_case(
            "nested_record_field_added_without_default",
            &[&customer("")],
            &customer(r#",{"name":"email","type":"string"}"#),
            "y n n y y n n",
        ),
        fields_case(
            "nested_record_field_added_with_default",
            &[&customer("")],
            &customer(r#",{"name":"email","type":"string","default":""}"#),
            "y y y y y y y",
        ),
        fields_case(
            "record_in_nullable_union_gains_required_field",
            &[&payment("")],
            &payment(r#",{"name":"expiry","type":"string"}"#),
            "y n n y y n n",
        ),
        fields_case(
            "record_to_nullable_record",
            &[&customer("")],
            &format!(
                r#"{ID},{{"name":"customer","type":["null",{{"type":"record","name":"Customer","fields":[{{"name":"name","type":"string"}}]}}],"default":null}}"#
            ),
            "y y y n n n n",
        ),
        fields_case(
            "field_now_a_differently_named_record",
            &[&customer("")],
            &format!(
                r#"{ID},{{"name":"customer","type":{{"type":"record","name":"Client","fields":[{{"name":"name","type":"string"}}]}}}}"#
            ),
            "y n n n n n n",
        ),
        fields_case(
            "array_item_promotion",
            &[r#"{"name":"tags","type":{"type":"array","items":"int"}}"#],
            r#"{"name":"tags","type":{"type":"array","items":"long"}}"#,
            "y y y n n n n",
        ),
        fields_case(
            "map_value_change",
            &[r#"{"name":"prices","type":{"type":"map","values":"string"}}"#],
            r#"{"name":"prices","type":{"type":"map","values":"int"}}"#,
            "y n n n n n n",
        ),
        fields_case(
            "enum_to_string",
            &[&status(r#""NEW","PAID""#, "")],
            &format!(r#"{ID},{{"name":"status","type":"string"}}"#),
            "y n n n n n n",
        ),
        fields_case(
            "backward_transitive_only_failure",
            &[
                ID,
                &format!(r#"{ID},{{"name":"currency","type":"string","default":"EUR"}}"#),
            ],
            &format!(r#"{ID},{{"name":"currency","type":"string"}}"#),
            "y y n y y y n",
        ),
        fields_case(
            "forward_transitive_only_failure",
            &[
                &format!(r#"{ID},{{"name":"note","type":"string"}}"#),
                &format!(r#"{ID},{{"name":"note","type":"string","default":""}}"#),
            ],
            ID,
            "y y y y n y n",
        ),
        raw_case(
            "record_renamed",
            &[&order(ID)],
            &format!(r#"{{"type":"record","name":"Purchase","namespace":"x","fields":[{ID}]}}"#),
            "y n n n n n n",
        ),
        renamed_with_alias,
        raw_case(
            "namespace_changed",
            &[&order(ID)],
            &format!(r#"{{"type":"record","name":"Order","namespace":"y","fields":[{ID}]}}"#),
            "y y y y y y y",
        ),
        fields_case(
            "fixed_size_change",
            &[r#"{"name":"hash","type":{"type":"fixed","name":"Hash","size":16}}"#],
            r#"{"name":"hash","type":{"type":"fixed","name":"Hash","size":32}}"#,
            "y n n n n n n",
        ),
        fields_case(
            "default_of_wrong_type",
            &[ID],
            &format!(r#"{ID},{{"name":"currency","type":"int","default":"EUR"}}"#),
            "invalid",
        ),
        raw_case(
            "recursive_type_promotion",
            &[NODE_INT],
            NODE_LONG,
            "y y y n n n n",
        ),
        reordered,
        raw_case(
            "top_level_int_to_string",
            &[r#""int""#],
            r#""string""#,
            "y n n n n n n",
        ),
        raw_case("no_previous_versions", &[], r#""string""#, "y y y y y y y"),
    ]
}
