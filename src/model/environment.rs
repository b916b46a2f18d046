//! The Environment kind: one per cluster/stage, holding the platform's defaults and guardrails
//! (DESIGN §1).

use super::bundle::{ApiVersion, Compatibility};
pub use super::conventions::{KsqldbAccess, Naming};
use super::{ConfigValue, Metadata};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum EnvironmentKind {
    Environment,
}

/// A cluster's platform settings: target operator, defaults, policy, receivers, hook images.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(title = "kbundle Environment")]
pub struct Environment {
    pub api_version: ApiVersion,
    pub kind: EnvironmentKind,
    pub metadata: Metadata,
    #[serde(default)]
    pub spec: EnvironmentSpec,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EnvironmentSpec {
    /// Which Kafka operator runs in this cluster.
    #[serde(default)]
    pub target: Target,
    /// Namespace of every generated object; when absent, the bundle's own namespace, else left
    /// to kustomize.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(default)]
    pub strimzi: StrimziSettings,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confluent: Option<ConfluentSettings>,
    #[serde(default)]
    pub defaults: Defaults,
    #[serde(default)]
    pub policy: Policy,
    /// Connectors run as principals of their own (docs/reference/connector-access.md): the
    /// Connect cluster's prerequisites. Absent: connectors run as the Connect cluster's user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connect: Option<ConnectPrincipals>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_registry: Option<SchemaRegistry>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ksqldb: Option<Ksqldb>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hooks: Option<Hooks>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alerting: Option<Alerting>,
    /// Kafka Connect transforms that enforce masking rules the built-in `MaskField` cannot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub masking: Option<MaskingTransforms>,
    /// Flux delivery (`kbundle render --flux --out DIR`): where the committed stages live and how
    /// Flux Kustomizations sync them. Read only by the Flux output (docs/tutorials/flux.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flux: Option<FluxSettings>,
    /// The platform's own principals (Schema Registry, ksqlDB, Control Center, admin users): no
    /// bundle may declare a principal of one of these names (KB175).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub platform_principals: Vec<super::platform::PlatformPrincipal>,
}

/// How the Flux Kustomizations kbundle writes reach the committed stages.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FluxSettings {
    /// The Flux source (GitRepository, OCIRepository or Bucket) holding the rendered output.
    pub source_ref: FluxSourceRef,
    /// Path, inside that source, of the `--out` directory (each stage is
    /// `./<path>/<environment>/<stage>`).
    #[schemars(length(min = 1))]
    pub path: String,
    /// Namespace of the Flux Kustomization objects.
    #[serde(default = "default_flux_namespace")]
    pub namespace: String,
    /// How often Flux reconciles each stage (a Go duration: `10m`, `1h`).
    #[serde(default = "default_flux_interval")]
    pub interval: String,
    /// How long a stage may take to apply and become ready (its Jobs finished) before it fails.
    #[serde(default = "default_flux_timeout")]
    pub timeout: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FluxSourceRef {
    #[serde(default)]
    pub kind: FluxSourceKind,
    #[schemars(length(min = 1))]
    pub name: String,
    /// Default: the Kustomization's own namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum FluxSourceKind {
    #[default]
    GitRepository,
    OCIRepository,
    Bucket,
}

impl FluxSourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FluxSourceKind::GitRepository => "GitRepository",
            FluxSourceKind::OCIRepository => "OCIRepository",
            FluxSourceKind::Bucket => "Bucket",
        }
    }
}

fn default_flux_namespace() -> String {
    "flux-system".to_string()
}

fn default_flux_interval() -> String {
    "10m".to_string()
}

fn default_flux_timeout() -> String {
    "10m".to_string()
}

/// Transform classes installed on the platform's Connect cluster. Each is configured with
/// `fields` (comma-separated dotted paths) and, for `redact`, `replacement`; kbundle scopes it to
/// the masked topic with a `TopicNameMatches` predicate.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MaskingTransforms {
    /// Class enforcing `rule: hash` (top-level and nested fields), e.g. `com.example.HashField$Value`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash_transform: Option<String>,
    /// Class enforcing `redact`/`nullify` on nested fields (`customer.email`), which Kafka's
    /// `MaskField` cannot reach.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nested_transform: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    #[default]
    Strimzi,
    Confluent,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct StrimziSettings {
    /// Value of the `strimzi.io/cluster` label: the Kafka cluster's name.
    #[serde(default = "default_cluster")]
    pub cluster: String,
    /// `kafka.strimzi.io/v1` (Strimzi 0.49 and later, default) or `kafka.strimzi.io/v1beta2`
    /// (Strimzi 0.51 and earlier).
    #[serde(default)]
    pub api_version: StrimziApiVersion,
    /// KafkaConnect name that connectors run on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connect_cluster: Option<String>,
}

impl Default for StrimziSettings {
    fn default() -> Self {
        StrimziSettings {
            cluster: default_cluster(),
            api_version: StrimziApiVersion::default(),
            connect_cluster: None,
        }
    }
}

fn default_cluster() -> String {
    "kafka".to_string()
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum StrimziApiVersion {
    #[default]
    #[serde(rename = "kafka.strimzi.io/v1")]
    V1,
    #[serde(rename = "kafka.strimzi.io/v1beta2")]
    V1beta2,
}

impl StrimziApiVersion {
    pub fn as_str(self) -> &'static str {
        match self {
            StrimziApiVersion::V1 => "kafka.strimzi.io/v1",
            StrimziApiVersion::V1beta2 => "kafka.strimzi.io/v1beta2",
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ConfluentSettings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kafka_rest_class_ref: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kafka_cluster_ref: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_registry_cluster_ref: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connect_cluster_ref: Option<String>,
    /// The KafkaRestClass points at a Confluent Cloud REST endpoint: topics and schemas work,
    /// role bindings (MDS) do not.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cloud: bool,
    /// Parts of a bundle CFK cannot express that the platform manages by other means; kbundle
    /// then leaves them out with a warning instead of refusing the bundle.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub managed_elsewhere: Vec<ManagedElsewhere>,
    /// Connectors as their own principals on the CFK Connect cluster (CFK's `spec.connect`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connector_principals: Option<super::confluent::ConfluentConnectorPrincipals>,
    /// `Schema` objects register through this REST endpoint instead of
    /// `schemaRegistryClusterRef` (required with `cloud: true` when a bundle has schemas).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_registry_rest: Option<super::confluent::SchemaRegistryRest>,
}

/// A part of a bundle the platform manages outside CFK.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize, JsonSchema,
)]
#[serde(rename_all = "camelCase")]
pub enum ManagedElsewhere {
    /// Client quotas (`principals[].quotas`).
    Quotas,
    /// User creation (`principals[].authentication`: SCRAM or TLS credentials).
    Users,
    /// Raw ACL rules (`principals[].acls`).
    Acls,
    /// Role bindings of the principals' roles (on Confluent Cloud, where MDS role bindings do
    /// not work).
    RoleBindings,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Defaults {
    #[serde(default = "default_three")]
    #[schemars(range(min = 1, max = 1_000_000))]
    pub partitions: u32,
    #[serde(default = "default_three")]
    #[schemars(range(min = 1, max = 32767))]
    pub replicas: u32,
    #[serde(default = "default_compatibility")]
    pub compatibility: Compatibility,
    /// Topic configs merged under every topic's own `config`.
    #[serde(default)]
    pub topic_config: BTreeMap<String, ConfigValue>,
}

impl Default for Defaults {
    fn default() -> Self {
        Defaults {
            partitions: 3,
            replicas: 3,
            compatibility: Compatibility::Backward,
            topic_config: BTreeMap::new(),
        }
    }
}

fn default_three() -> u32 {
    3
}

fn default_compatibility() -> Compatibility {
    Compatibility::Backward
}

/// Guardrails: a bundle that breaks one is refused.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Policy {
    /// Regular expression every topic name must match (whole name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = u32::MAX))]
    pub min_replicas: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = u32::MAX))]
    pub max_partitions: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = i64::MAX))]
    pub max_retention_ms: Option<i64>,
    /// Every `pii` field must have a masking rule.
    #[serde(default)]
    pub mask_pii: bool,
    /// Topics with `deletion: allow` may be deleted by Argo CD.
    #[serde(default)]
    pub allow_topic_deletion: bool,
    /// Images need a digest or a fixed tag; never `latest` or none.
    #[serde(default)]
    pub pinned_images: bool,
    /// Every consumer group needs a consumerLag alert.
    #[serde(default)]
    pub lag_alerts: bool,
    /// Topics no bundle may declare or be granted, besides Kafka's and the platform's own
    /// (`__*`, `_schemas`, `_confluent*`): exact names, or prefixes written `name*` (e.g. the
    /// Connect cluster's `connect-*` storage topics).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reserved_topics: Vec<String>,
    /// Access to another bundle's topics: `open-read` (default: anyone may read, writes need
    /// the owner's grant) or `grants-only` (reads need a grant too).
    #[serde(default, skip_serializing_if = "AccessPolicy::is_default")]
    pub access: AccessPolicy,
    /// The naming convention: the prefix every topic, group, applicationId and transactional id
    /// of a bundle starts with (docs/reference/environment.md#naming).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub naming: Option<Naming>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum AccessPolicy {
    #[default]
    OpenRead,
    GrantsOnly,
}

impl AccessPolicy {
    fn is_default(&self) -> bool {
        *self == AccessPolicy::OpenRead
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SchemaRegistry {
    pub url: String,
    /// Secret holding basic-auth credentials (keys `username`, `password`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials_secret: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Ksqldb {
    pub url: String,
    pub image: String,
    /// Secret with basic-auth credentials (keys `username`, `password`) for the migration
    /// Jobs of bundles that do not name their own (`spec.ksql.credentialsSecret`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials_secret: Option<String>,
    /// The server's own Kafka user (a platform principal): no bundle may declare a principal
    /// of this name, since two bundles would both emit it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal: Option<String>,
    /// The server's `ksql.service.id` (ksqlDB's default `default_`): its internal topics and
    /// groups start `_confluent-ksql-<serviceId>`, and topics starting `<serviceId>` are its
    /// own (ksqlDB's documented ACLs grant both prefixes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_id: Option<String>,
    /// The server's `ksql.output.topic.name.prefix`: a `CREATE ... AS SELECT` without
    /// `KAFKA_TOPIC` writes to this prefix followed by the upper-cased object name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_topic_prefix: Option<String>,
    /// What the platform lets the server read and write; with it (or `serviceId`), a
    /// migration using another topic is refused (KB142). Absent: not checked (KB143).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access: Option<KsqldbAccess>,
    /// Each bundle keeps its migration history in its own metadata stream and table
    /// (`<BUNDLE>_MIGRATION_EVENTS`, `<BUNDLE>_MIGRATION_SCHEMA_VERSIONS`) instead of
    /// ksql-migrations' one `MIGRATION_EVENTS`, so bundles sharing the server cannot clash.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub per_bundle_metadata: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Hooks {
    pub image: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_account: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Alerting {
    /// Labels the Prometheus rule selector expects on PrometheusRules.
    #[serde(default)]
    pub rule_labels: BTreeMap<String, String>,
    #[serde(default)]
    pub receivers: Vec<Receiver>,
}

/// Where alerts go: exactly one of `pagerduty`, `slack`, `webhook` or `email` (checked by
/// validation, KB099). Every credential is a Secret reference, never a value.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Receiver {
    /// The name bundles use in `alerts[].notify`.
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pagerduty: Option<PagerDuty>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slack: Option<Slack>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook: Option<Webhook>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<Email>,
}

impl Receiver {
    /// The kinds this receiver sets (`pagerduty`, `slack`, `webhook`, `email`), in that order.
    pub fn kinds(&self) -> Vec<&'static str> {
        [
            (self.pagerduty.is_some(), "pagerduty"),
            (self.slack.is_some(), "slack"),
            (self.webhook.is_some(), "webhook"),
            (self.email.is_some(), "email"),
        ]
        .into_iter()
        .filter_map(|(on, kind)| on.then_some(kind))
        .collect()
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PagerDuty {
    /// The Events API v2 integration (routing) key.
    pub routing_key: SecretKeyRef,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Slack {
    /// The incoming-webhook URL.
    #[serde(rename = "apiURL")]
    pub api_url: SecretKeyRef,
    /// Channel (`#orders`); default: the webhook's own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub channel: Option<String>,
}

/// A generic webhook. The URL comes from a Secret because webhook URLs often embed a token.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Webhook {
    pub url: SecretKeyRef,
}

/// E-mail through an SMTP smarthost.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Email {
    /// Recipient address(es), comma-separated.
    #[schemars(length(min = 1))]
    pub to: String,
    /// Sender address; default: Alertmanager's global `smtp_from`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub from: Option<String>,
    /// SMTP server as `host:port`; default: Alertmanager's global `smtp_smarthost`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub smarthost: Option<String>,
    /// SMTP user name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub auth_username: Option<String>,
    /// SMTP password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_password: Option<SecretKeyRef>,
}

/// A reference to one key of a Kubernetes Secret; never the value itself.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SecretKeyRef {
    pub secret: String,
    pub key: String,
}

/// What kbundle needs to know about the Kafka Connect cluster to run each connector as its own
/// principal through client overrides.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ConnectPrincipals {
    /// The Connect pods' service account (Strimzi: `<KafkaConnect name>-connect`); it is bound
    /// to a Role that may read exactly the connectors' user Secrets.
    #[schemars(length(min = 1))]
    pub service_account: String,
    /// Namespace of the Connect cluster (of its service account); default: the bundle's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// The KafkaConnect's `connector.client.config.override.policy`: `All` or `Principal`
    /// allow the overrides kbundle writes; `None` (Kafka's default before 3.0) refuses them.
    pub client_override_policy: OverridePolicy,
    /// The KafkaConnect's `exactly.once.source.support` (KIP-618): `enabled` makes every
    /// source connector write in transactions, so its principal is granted its transactional
    /// ids and the offsets topic (docs/reference/connector-access.md). Absent: `disabled`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exactly_once_source_support: Option<ExactlyOnceSourceSupport>,
    /// The KafkaConnect's `group.id`: task transactional ids are `<groupId>-<connector>-<task>`.
    /// Needed with `exactlyOnceSourceSupport: enabled`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    /// The KafkaConnect's `offset.storage.topic`, which exactly-once source connectors read
    /// and write as their own principal unless their config names `offsets.storage.topic`.
    /// Needed with `exactlyOnceSourceSupport: enabled`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offsets_topic: Option<String>,
}

/// Kafka Connect's `exactly.once.source.support` worker setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExactlyOnceSourceSupport {
    Disabled,
    /// The first of the two rolling upgrades: only the workers need new ACLs.
    Preparing,
    Enabled,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum OverridePolicy {
    All,
    Principal,
    None,
}
