//! Parse errors: JSON syntax with positions, Avro errors naming where they are.

use super::*;

#[test]
fn json_syntax_errors_carry_line_and_column() {
    let text = "{\n  \"type\": \"record\",\n  \"name\": \"A\"\n  \"fields\": []\n}";
    let problem = parse(text).unwrap_err();
    assert_eq!(problem.message, "invalid JSON: expected `,` or `}`");
    assert_eq!((problem.line, problem.column), (Some(4), Some(3)));
    assert_eq!(
        problem.to_string(),
        "line 4, column 3: invalid JSON: expected `,` or `}`"
    );
    assert_eq!(parse("  \n").unwrap_err().message, "the schema is empty");
}

fn parse_error(text: &str) -> String {
    match parse(text) {
        Err(problem) => {
            assert_eq!((problem.line, problem.column), (None, None));
            problem.message
        }
        Ok(schema) => panic!("{text} parsed as {schema:?}"),
    }
}

#[test]
fn avro_errors_say_what_and_where() {
    let record = |fields: &str| {
        format!(r#"{{"type":"record","name":"A","namespace":"x","fields":[{fields}]}}"#)
    };
    assert_eq!(
        parse_error(&record(r#"{"name":"a","type":"strin"}"#)),
        "unknown type strin in field a of record x.A; did you mean string?"
    );
    assert_eq!(
        parse_error(&record(r#"{"name":"a","type":"y.Money"}"#)),
        "unknown type y.Money in field a of record x.A (neither a primitive type nor a named \
         type defined earlier in the schema)"
    );
    assert_eq!(
        parse_error(&record(
            r#"{"name":"a","type":"B"},{"name":"b","type":{"type":"enum","name":"B","symbols":["X"]}}"#
        )),
        "unknown type B in field a of record x.A; named types must be defined before they are \
         used"
    );
    assert_eq!(
        parse_error(r#"{"type":"recrd","name":"A","fields":[]}"#),
        "unknown type recrd in the top-level schema; did you mean record?"
    );
    assert_eq!(
        parse_error(r#"{"type":"record","fields":[]}"#),
        "a record, enum or fixed type has no name"
    );
    assert_eq!(
        parse_error(&record(
            r#"{"name":"a","type":"int"},{"name":"a","type":"long"}"#
        )),
        "record x.A has two fields named a"
    );
    assert_eq!(
        parse_error(&record(r#"{"name":"a"}"#)),
        "field a of record x.A has no type"
    );
    assert_eq!(
        parse_error(&record(r#"{"name":"a","type":"int","default":"x"}"#)),
        r#"the default "x" of field a in record x.A is not a valid int"#
    );
    assert_eq!(
        parse_error(&record(
            r#"{"name":"a","type":["null","int"],"default":"x"}"#
        )),
        "the default of field a in record x.A matches none of its union's types"
    );
    assert_eq!(
        parse_error(r#"{"type":"enum","name":"E","symbols":["A","B","A"]}"#),
        "enum E lists symbol A twice"
    );
    assert_eq!(
        parse_error(r#"{"type":"enum","name":"E","symbols":["A","B"],"default":"C"}"#),
        "the default C of enum E is not one of its symbols (A, B)"
    );
    assert_eq!(
        parse_error(&record(r#"{"name":"a","type":["int","int"]}"#)),
        "a union lists int more than once"
    );
    assert_eq!(
        parse_error(r#"{"type":"fixed","name":"F"}"#),
        "a fixed type has no size"
    );
    assert_eq!(
        parse_error("42"),
        "a schema must be a JSON string, object or array"
    );
    assert_eq!(
        parse_error(&record(
            r#"{"name":"b","type":{"type":"record","name":"A","fields":[]}}"#
        )),
        "named type x.A is defined twice (again in field b of record x.A)"
    );
}

#[test]
fn parse_never_panics_on_odd_input() {
    let inputs = [
        "null",
        "true",
        "[]",
        "{}",
        r#"{"type":null}"#,
        r#"{"type":[]}"#,
        r#"{"type":{}}"#,
        r#"{"type":"record","name":"A","fields":[1,"x",null]}"#,
        r#"{"type":"record","name":"A","fields":[{"name":1,"type":"int"}]}"#,
        r#"{"type":"enum","name":"E","symbols":[1,2]}"#,
        r#"{"type":"enum","name":"E","symbols":"A"}"#,
        r#"{"type":"fixed","name":"F","size":-1}"#,
        r#"{"type":"fixed","name":"F","size":1e40}"#,
        r#"{"type":"fixed","name":"F","size":18446744073709551615}"#,
        r#"{"type":"bytes","logicalType":"decimal","precision":-1,"scale":2}"#,
        r#"{"type":"bytes","logicalType":"decimal","precision":2,"scale":40}"#,
        r#"{"type":"fixed","name":"D","size":1,"logicalType":"decimal","precision":99}"#,
        r#"{"type":"string","logicalType":"uuid"}"#,
        r#"{"type":"fixed","name":"U","size":3,"logicalType":"uuid"}"#,
        r#"{"type":"fixed","name":"Du","size":3,"logicalType":"duration"}"#,
        r#"{"type":"int","logicalType":7}"#,
        r#"{"type":"array","items":{"type":"array"}}"#,
        r#"{"type":"map","values":[]}"#,
        r#"{"type":"record","name":"A","fields":[{"name":"a","type":"long","default":1e400}]}"#,
        r#"{"type":"record","name":"A","fields":[{"name":"a","type":"long","default":99999999999999999999}]}"#,
        r#"{"type":"record","name":"A","aliases":[1,"..",""],"fields":[]}"#,
        r#"{"type":"record","name":"","fields":[]}"#,
        r#"{"type":"record","name":"a.","fields":[]}"#,
        r#"{"type":"record","name":"A","namespace":7,"fields":[]}"#,
        r#"["null",["null"]]"#,
        r#"[{"type":"map","values":"int"},{"type":"map","values":"long"}]"#,
        "\"\u{0}\"",
    ];
    for input in inputs {
        let _ = parse(input);
    }
    let deep = format!("{}\"int\"{}", "[".repeat(200), "]".repeat(200));
    assert!(parse(&deep).is_err());
    let nested = (0..100).fold(r#""int""#.to_string(), |inner, _| {
        format!(r#"{{"type":"array","items":{inner}}}"#)
    });
    let schema = parse(&nested).unwrap();
    assert!(
        check_compatibility(
            &schema,
            std::slice::from_ref(&schema),
            Compatibility::FullTransitive
        )
        .is_ok()
    );
}
