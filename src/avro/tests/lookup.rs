//! Field lookups for masking rules.

use super::*;

const CUSTOMER_ORDER: &str = r#"{
  "type": "record", "name": "Order", "namespace": "x",
  "fields": [
    {"name": "id", "type": "string"},
    {"name": "customer", "default": null, "type": ["null", {
      "type": "record", "name": "Customer",
      "fields": [
        {"name": "email", "type": "string"},
        {"name": "name", "type": "string"},
        {"name": "address", "type": {"type": "record", "name": "Address",
          "fields": [{"name": "city", "type": "string"}]}}
      ]}]},
    {"name": "billing", "type": "Address"},
    {"name": "note", "type": ["null", "string"], "default": null},
    {"name": "choice", "type": ["null", "string", "Address"], "default": null},
    {"name": "amount", "type": "int"},
    {"name": "tags", "type": {"type": "array", "items": "string"}}
  ]
}"#;

fn info(nested: bool, type_name: &str, nullable: bool) -> FieldInfo {
    FieldInfo {
        nested,
        type_name: type_name.to_string(),
        nullable,
    }
}

#[test]
fn lookup_field_walks_records_and_nullable_unions() {
    let schema = parse(CUSTOMER_ORDER).unwrap();
    let look = |path: &str| lookup_field(&schema, path);
    assert_eq!(look("id"), Ok(info(false, "string", false)));
    assert_eq!(
        look("customer"),
        Ok(info(false, "union [null, record x.Customer]", true))
    );
    assert_eq!(look("customer.email"), Ok(info(true, "string", false)));
    assert_eq!(
        look("customer.address"),
        Ok(info(true, "record x.Address", false))
    );
    assert_eq!(
        look("customer.address.city"),
        Ok(info(true, "string", false))
    );
    assert_eq!(look("billing"), Ok(info(false, "record x.Address", false)));
    assert_eq!(look("billing.city"), Ok(info(true, "string", false)));
    assert_eq!(look("note"), Ok(info(false, "union [null, string]", true)));
    assert_eq!(look("tags"), Ok(info(false, "array<string>", false)));
}

#[test]
fn lookup_field_explains_misses() {
    let schema = parse(CUSTOMER_ORDER).unwrap();
    let look = |path: &str| lookup_field(&schema, path).unwrap_err();
    assert_eq!(
        look("customer.emial"),
        "field customer.emial does not exist in record x.Customer (fields: email, name, \
         address), did you mean customer.email?"
    );
    assert_eq!(
        look("custmer"),
        "field custmer does not exist in record x.Order (fields: id, customer, billing, note, \
         choice, amount, tags), did you mean customer?"
    );
    assert_eq!(
        look("customer.phone"),
        "field customer.phone does not exist in record x.Customer (fields: email, name, \
         address)"
    );
    assert_eq!(
        look("amount.value"),
        "field amount.value does not exist: field amount is int, not a record"
    );
    assert_eq!(
        look("choice.city"),
        "field choice.city does not exist: field choice is union [null, string, record \
         x.Address], not a record (only a union of null and one record is looked through)"
    );
    assert_eq!(look(""), "the field path is empty");
    assert_eq!(
        look("customer..email"),
        "field path customer..email has an empty segment"
    );
    let primitive = parse(r#""string""#).unwrap();
    assert_eq!(
        lookup_field(&primitive, "a").unwrap_err(),
        "field a does not exist: the schema is string, not a record"
    );
}
