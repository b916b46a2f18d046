//! Platform principals: the Kafka users of the platform's own services (Schema Registry, ksqlDB,
//! Control Center, Kafka Connect workers, operators' admin users). The platform team creates and
//! grants them; an Environment names them so that no bundle declares a principal of the same
//! name (its KafkaUser would replace the platform's, ACLs and all: KB175). `kbundle import`
//! writes them from JulieOps' `platform` block and kafka-gitops' cluster-level users.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PlatformPrincipal {
    /// The KafkaUser name (as a bundle's `principals[].name` would be).
    #[schemars(length(min = 1))]
    pub name: String,
    /// What the principal runs as, for the reader: `schemaRegistry`, `ksqldb`, `controlCenter`,
    /// `connect`, `admin`, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// The Kafka principal as the peer tool wrote it (`User:SchemaRegistry01`), for the record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal: Option<String>,
}
