//! The AppBundle kind: one short file per Kafka application (DESIGN §1).

// The raw ACL types live in their own file; their paths under `model::bundle` stay.
pub use super::acl::*;
use super::{ConfigValue, Metadata};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `apiVersion` of both kbundle kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum ApiVersion {
    #[serde(rename = "kbundle.dev/v1alpha1")]
    V1alpha1,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum AppBundleKind {
    AppBundle,
}

/// Everything one Kafka application needs: topics, schemas, access, connectors, migrations,
/// masking, alerts and acceptance tests.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(title = "kbundle AppBundle")]
pub struct AppBundle {
    pub api_version: ApiVersion,
    pub kind: AppBundleKind,
    pub metadata: Metadata,
    pub spec: AppBundleSpec,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AppBundleSpec {
    /// The owning team; copied to the `kbundle.dev/owner` label of every generated object.
    #[schemars(length(min = 1))]
    pub owner: String,
    /// Prefix of this bundle's names, so they can be written short (appbundle.md#specprefix).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// Kafka topics this application owns.
    #[serde(default)]
    pub topics: Vec<Topic>,
    /// Schemas registered in the Schema Registry.
    #[serde(default)]
    pub schemas: Vec<Schema>,
    /// Kafka users (principals) and what they may do.
    #[serde(default)]
    pub principals: Vec<Principal>,
    /// Kafka Connect connectors.
    #[serde(default)]
    pub connectors: Vec<Connector>,
    /// ksqlDB migrations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ksql: Option<Ksql>,
    /// Masking of sensitive fields where data leaves Kafka.
    #[serde(default)]
    pub masking: Vec<Masking>,
    /// Consumer-lag and throughput alerts.
    #[serde(default)]
    pub alerts: Vec<Alert>,
    /// Acceptance tests run after each sync.
    #[serde(default)]
    pub tests: Vec<AcceptanceTest>,
}

/// A Kafka topic.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Topic {
    /// Exact Kafka topic name: `[a-zA-Z0-9._-]{1,249}`, not `.` or `..`.
    pub name: String,
    /// `metadata.name` of the generated KafkaTopic; default: derived from `name` (the name
    /// itself when it is a DNS-1123 subdomain). Set it to adopt an existing KafkaTopic whose
    /// object name differs, so that the adoption does not rename (delete and recreate) it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_name: Option<String>,
    /// Partition count; default: the Environment's `spec.defaults.partitions`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 1_000_000))]
    pub partitions: Option<u32>,
    /// Replication factor; default: the Environment's `spec.defaults.replicas`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 32767))]
    pub replicas: Option<u32>,
    /// Kafka topic configs (`retention.ms`, `cleanup.policy`, ...); numbers and booleans accepted.
    #[serde(default)]
    pub config: BTreeMap<String, ConfigValue>,
    /// Name of a schema in `spec.schemas` for record values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_schema: Option<String>,
    /// Name of a schema in `spec.schemas` for record keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_schema: Option<String>,
    /// Schema field paths that hold personal data.
    #[serde(default)]
    pub pii: Vec<String>,
    /// `retain` (default) keeps the topic when it leaves Git; `allow` lets Argo CD delete it,
    /// only where the Environment's `policy.allowTopicDeletion` is true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion: Option<Deletion>,
    /// Who outside this bundle may use the topic: `bundle` (any principal of that bundle) or
    /// `bundle/principal`. Writes from another bundle always need an entry in `write`; reads
    /// need one in `read` where the Environment's `policy.access` is `grants-only`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access: Option<TopicAccess>,
}

/// Grants by the owning bundle to other bundles (docs/reference/ownership.md).
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TopicAccess {
    /// Bundles (`bundle`) or principals (`bundle/principal`) that may write to the topic.
    #[serde(default)]
    pub write: Vec<String>,
    /// Bundles (`bundle`) or principals (`bundle/principal`) that may read the topic.
    #[serde(default)]
    pub read: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Deletion {
    Retain,
    Allow,
}

/// A schema registered under a Schema Registry subject.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Schema {
    /// Local name, referred to by topics' `valueSchema`/`keySchema`.
    pub name: String,
    /// Subject; default `<topic>-value` / `<topic>-key` for each topic referring to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Schema type.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub schema_type: Option<SchemaType>,
    /// Schema file, relative to the bundle file's directory and never outside it.
    pub file: String,
    /// Compatibility level; default: the Environment's `spec.defaults.compatibility`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compatibility: Option<Compatibility>,
    /// Earlier versions, oldest first, checked offline.
    #[serde(default)]
    pub previous: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SchemaType {
    Avro,
}

/// Schema Registry compatibility levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Compatibility {
    None,
    Backward,
    BackwardTransitive,
    Forward,
    ForwardTransitive,
    Full,
    FullTransitive,
}

/// A Kafka user and the roles it plays.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Principal {
    /// The KafkaUser name and Kafka user name: a DNS-1123 label.
    pub name: String,
    /// How the user authenticates; omit for users authenticated elsewhere (OAuth).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication: Option<Authentication>,
    /// Topics the user writes to; `prefix*` means every topic with that prefix.
    #[serde(default)]
    pub produces: Vec<String>,
    /// Topics the user reads, each with its consumer group.
    #[serde(default)]
    pub consumes: Vec<Consumes>,
    /// A Kafka Streams application run by this user, or a list of them.
    #[serde(default, skip_serializing_if = "super::streams::StreamsApps::is_empty")]
    pub streams: super::streams::StreamsApps,
    /// Transactional ids the user may use; `prefix*` allowed.
    #[serde(default)]
    pub transactional_ids: Vec<String>,
    /// Extra ACL rules in Strimzi's shape, validated and appended.
    #[serde(default)]
    pub acls: Vec<AclRule>,
    /// Client quotas.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quotas: Option<Quotas>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Authentication {
    #[serde(rename = "scram-sha-512")]
    ScramSha512,
    Tls,
    TlsExternal,
}

impl Authentication {
    pub fn as_str(self) -> &'static str {
        match self {
            Authentication::ScramSha512 => "scram-sha-512",
            Authentication::Tls => "tls",
            Authentication::TlsExternal => "tls-external",
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Consumes {
    /// Topics read; `prefix*` allowed.
    #[schemars(length(min = 1))]
    pub topics: Vec<String>,
    /// Consumer group id; `prefix*` allowed. Omit it for a consumer that assigns partitions
    /// itself (`assign()`, no group): it then gets no group ACL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Streams {
    /// `application.id`: the consumer group, and the prefix of internal topics and
    /// transactional ids.
    pub application_id: String,
    /// Input topics.
    #[serde(default)]
    pub reads: Vec<String>,
    /// Output topics.
    #[serde(default)]
    pub writes: Vec<String>,
    /// The app's `processing.guarantee`: transactional ids `<applicationId>-…` are granted
    /// (and claimed) only for `exactly_once_v2`; absent: granted, as for `exactly_once_v2`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processing_guarantee: Option<ProcessingGuarantee>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProcessingGuarantee {
    AtLeastOnce,
    ExactlyOnceV2,
}

impl Streams {
    /// Whether the app uses transactions (so its principal needs transactional ids).
    pub fn transactional(&self) -> bool {
        self.processing_guarantee != Some(ProcessingGuarantee::AtLeastOnce)
    }
}

/// Client quotas (Strimzi `KafkaUser.spec.quotas`).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Quotas {
    /// Bytes per second a client of this user may produce, per broker.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(max = u64::MAX))]
    pub producer_byte_rate: Option<u64>,
    /// Bytes per second a client of this user may fetch, per broker.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(max = u64::MAX))]
    pub consumer_byte_rate: Option<u64>,
    /// Share of broker request-handler and network threads, in percent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 100))]
    pub request_percentage: Option<u32>,
    /// Rate of partition mutations (create/delete topics, add partitions) per second.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub controller_mutation_rate: Option<f64>,
}

/// A Kafka Connect connector, run as a `KafkaConnector` on the Environment's Connect cluster.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Connector {
    /// The connector's name in Kafka Connect and its `KafkaConnector` name: a DNS-1123
    /// subdomain, unique on the Connect cluster.
    pub name: String,
    /// Connector class (`io.confluent.connect.jdbc.JdbcSinkConnector`).
    #[schemars(length(min = 1))]
    pub class: String,
    /// `sink` (reads topics out of Kafka) or `source` (writes into Kafka); default: from the
    /// class's simple name ending in `SinkConnector`/`Sink` or `SourceConnector`/`Source`.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub connector_type: Option<ConnectorType>,
    /// Most tasks the connector may run; default: Kafka Connect's (1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = u32::MAX))]
    pub tasks_max: Option<u32>,
    /// A sink's input topics (its `topics` config). A source's output topics, for the record
    /// only: sources name their topics in connector-specific keys (`topic`, `topic.prefix`).
    #[serde(default)]
    pub topics: Vec<String>,
    /// Connector config; string values are templates that may use `env.name`,
    /// `env.namespace`, `bundle.name`, `secret(name=, key=)` and `configmap(name=, key=)`.
    /// Credentials (passwords, tokens, keys) must come from `secret(...)`, never literals.
    #[serde(default)]
    pub config: BTreeMap<String, ConfigValue>,
    /// `running` (default), `paused` or `stopped`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<ConnectorState>,
}

impl Connector {
    /// The declared type, else the one the class name implies; `None` when neither says.
    pub fn effective_type(&self) -> Option<ConnectorType> {
        self.connector_type
            .or_else(|| ConnectorType::from_class(&self.class))
    }
}

/// Which way a connector moves data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ConnectorType {
    /// Reads topics and writes elsewhere: where data leaves Kafka (masking applies).
    Sink,
    /// Reads elsewhere and writes topics.
    Source,
}

impl ConnectorType {
    /// The type a class name implies: its simple name (after the last `.` or `$`) ending in
    /// `SinkConnector`/`Sink` or `SourceConnector`/`Source`.
    pub fn from_class(class: &str) -> Option<ConnectorType> {
        let simple = class.rsplit(['.', '$']).next().unwrap_or(class);
        if simple.ends_with("SinkConnector") || simple.ends_with("Sink") {
            Some(ConnectorType::Sink)
        } else if simple.ends_with("SourceConnector") || simple.ends_with("Source") {
            Some(ConnectorType::Source)
        } else {
            None
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ConnectorType::Sink => "sink",
            ConnectorType::Source => "source",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ConnectorState {
    Running,
    Paused,
    Stopped,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Ksql {
    /// Folder of `V000001__description.sql` files, relative to the bundle file.
    pub migrations: String,
    /// Run the migrations in the sync, after this release's topics are healthy (a Sync hook in
    /// wave 1), instead of before the sync (a PreSync hook). Needed when a migration reads a
    /// topic the same release creates.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub run_after_topics: bool,
    /// Secret with this bundle's ksqlDB login (`username`, `password`); default: the Environment's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials_secret: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Masking {
    pub topic: String,
    #[schemars(length(min = 1))]
    pub fields: Vec<MaskedField>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MaskedField {
    /// Field path in the topic's value schema (`customer.email`).
    pub path: String,
    pub rule: MaskRule,
    /// Replacement value for `redact`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replacement: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum MaskRule {
    Redact,
    Nullify,
    Hash,
}

/// An alert on consumer lag or topic throughput.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Alert {
    /// Unique in the bundle; a DNS-1123 label (it becomes part of the Prometheus alert name).
    pub name: String,
    /// Fire on consumer-group lag. Exactly one of `consumerLag` and `throughput`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumer_lag: Option<ConsumerLag>,
    /// Fire on too few or too many messages per period on a topic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub throughput: Option<Throughput>,
    /// The `severity` label of the alert.
    pub severity: AlertSeverity,
    /// Receiver names from the Environment's `spec.alerting.receivers`.
    #[serde(default)]
    pub notify: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ConsumerLag {
    /// A consumer group of one of the bundle's principals (`consumes[].group` or a Kafka
    /// Streams `applicationId`), named exactly.
    pub group: String,
    /// Only the lag on this topic; default: the group's lag summed over all its topics.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    /// Lag (messages) above which the alert fires.
    #[schemars(range(max = u64::MAX))]
    pub above: u64,
    /// How long the condition must hold (`10m`).
    #[serde(rename = "for")]
    #[schemars(regex(pattern = r"^[0-9]+(ms|s|m|h|d|w|y)$"))]
    pub for_: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Throughput {
    /// A topic this bundle declares.
    pub topic: String,
    /// Fire when fewer messages than this arrive per period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub below: Option<f64>,
    /// Fire when more messages than this arrive per period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub above: Option<f64>,
    /// The period (`1m`).
    #[schemars(regex(pattern = r"^[0-9]+(ms|s|m|h|d|w|y)$"))]
    pub per: String,
    /// How long the condition must hold (`15m`).
    #[serde(rename = "for")]
    #[schemars(regex(pattern = r"^[0-9]+(ms|s|m|h|d|w|y)$"))]
    pub for_: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum AlertSeverity {
    Critical,
    Warning,
    Info,
}

impl AlertSeverity {
    /// The `severity` label value.
    pub fn as_str(self) -> &'static str {
        match self {
            AlertSeverity::Critical => "critical",
            AlertSeverity::Warning => "warning",
            AlertSeverity::Info => "info",
        }
    }
}

/// An acceptance test, run as a PostSync Job.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AcceptanceTest {
    pub name: String,
    pub image: String,
    #[serde(default)]
    pub command: Vec<String>,
    #[serde(default)]
    pub args: Vec<String>,
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// Deadline (`10m`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[0-9]+(ms|s|m|h|d|w|y)$"))]
    pub timeout: Option<String>,
}
