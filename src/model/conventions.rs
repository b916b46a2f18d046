//! Environment settings for the shared ksqlDB server's access and for the platform's naming
//! convention (issue 12, items 2 and 4). Kept apart from environment.rs so the Environment kind
//! stays one screen of fields; both are re-exported there.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The topics the platform lets the shared ksqlDB server read and write (its own ACLs, which
/// the platform manages: kbundle never emits a KafkaUser or ACL for the server). Entries are
/// exact topic names or prefixes written `name*`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct KsqldbAccess {
    /// Topics the server may read (ACLs Read, Describe): sources of `CREATE STREAM/TABLE`
    /// and of queries.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub read: Vec<String>,
    /// Topics the server may write, and so create and read (ACLs Read, Write, Describe,
    /// Create): sinks of `CREATE ... AS SELECT` and `INSERT INTO`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub write: Vec<String>,
}

/// The platform's naming convention: every topic, consumer group, Streams applicationId and
/// transactional id a bundle declares starts with `prefix`, once its placeholders are filled
/// in from the bundle (docs/reference/environment.md#naming).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Naming {
    /// A template such as `{owner}.{bundle}.`: `{bundle}` is the bundle's `metadata.name`,
    /// `{owner}` its `spec.owner`, `{namespace}` its `metadata.namespace`, `{label:KEY}` the
    /// value of its label `KEY`. Other text is kept as written.
    #[schemars(length(min = 1))]
    pub prefix: String,
}
