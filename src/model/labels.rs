//! The labels every generated object carries (DESIGN §2): part of the contract, so every stage
//! may read them — validation checks user labels against them, emit recognises earlier output.

use std::collections::BTreeMap;

pub const MANAGED_BY: &str = "app.kubernetes.io/managed-by";
pub const PART_OF: &str = "app.kubernetes.io/part-of";
pub const OWNER: &str = "kbundle.dev/owner";
pub const MANAGER: &str = "kbundle";

/// The labels of every object generated for `bundle`, owned by `owner`.
pub fn labels(bundle: &str, owner: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        (MANAGED_BY.to_string(), MANAGER.to_string()),
        (PART_OF.to_string(), bundle.to_string()),
        (OWNER.to_string(), owner.to_string()),
    ])
}
