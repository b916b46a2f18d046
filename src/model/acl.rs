//! Raw ACL rules of an AppBundle's principals (`principals[].acls`), in Strimzi's
//! `KafkaUser.spec.authorization.acls[]` shape; re-exported from `model::bundle`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A raw ACL rule, Strimzi's `KafkaUser.spec.authorization.acls[]` shape.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AclRule {
    pub resource: AclResource,
    #[schemars(length(min = 1))]
    pub operations: Vec<AclOperation>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub rule_type: Option<AclRuleType>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AclResource {
    #[serde(rename = "type")]
    pub resource_type: AclResourceType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern_type: Option<PatternType>,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize, JsonSchema,
)]
#[serde(rename_all = "camelCase")]
pub enum AclResourceType {
    Topic,
    Group,
    Cluster,
    TransactionalId,
}

impl AclResourceType {
    pub fn as_str(self) -> &'static str {
        match self {
            AclResourceType::Topic => "topic",
            AclResourceType::Group => "group",
            AclResourceType::Cluster => "cluster",
            AclResourceType::TransactionalId => "transactionalId",
        }
    }

    /// The operations Kafka's authorizer checks on this resource type; anything else can never
    /// match a request and is almost certainly a mistake.
    pub fn valid_operations(self) -> &'static [AclOperation] {
        use AclOperation::*;
        match self {
            AclResourceType::Topic => &[
                Read,
                Write,
                Create,
                Delete,
                Alter,
                Describe,
                AlterConfigs,
                DescribeConfigs,
                All,
            ],
            AclResourceType::Group => &[Read, Delete, Describe, All],
            AclResourceType::Cluster => &[
                Create,
                Alter,
                Describe,
                ClusterAction,
                AlterConfigs,
                DescribeConfigs,
                IdempotentWrite,
                All,
            ],
            AclResourceType::TransactionalId => &[Write, Describe, All],
        }
    }
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum PatternType {
    Literal,
    Prefix,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum AclRuleType {
    Allow,
    Deny,
}

/// Kafka ACL operations, in Strimzi's spelling and order.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, JsonSchema,
)]
pub enum AclOperation {
    Read,
    Write,
    Create,
    Delete,
    Alter,
    Describe,
    ClusterAction,
    AlterConfigs,
    DescribeConfigs,
    IdempotentWrite,
    All,
}
