//! The registry of diagnostic codes: every code kbundle can report, with its severity, a
//! one-line summary and its documentation. Adapters and tests compare [`Code`] values, never
//! strings; `kbundle explain` and the generated diagnostics table read this list.

use serde::{Serialize, Serializer};

/// How severe a code is. Most codes have one severity; a few are errors only where the
/// Environment's policy asks for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Error,
    Warning,
    /// An error when a policy of the Environment demands it, a warning otherwise.
    ErrorUnderPolicy,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::ErrorUnderPolicy => "error under policy, else warning",
        }
    }
}

macro_rules! codes {
    ($( $name:ident = $code:literal, $level:ident, $summary:literal, $docs:literal; )*) => {
        /// A stable diagnostic code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code { $( $name, )* }

        impl Code {
            /// Every code, in registry (numeric) order.
            pub const ALL: &'static [Code] = &[ $( Code::$name, )* ];

            /// The code as users see it, e.g. `KB023`.
            pub fn as_str(self) -> &'static str {
                match self { $( Code::$name => $code, )* }
            }

            pub fn level(self) -> Level {
                match self { $( Code::$name => Level::$level, )* }
            }

            /// One line: what the code means.
            pub fn summary(self) -> &'static str {
                match self { $( Code::$name => $summary, )* }
            }

            /// What causes it and how to fix it.
            pub fn docs(self) -> &'static str {
                match self { $( Code::$name => $docs, )* }
            }
        }
    };
}

codes! {
    InputSyntax = "KB001", Error, "YAML syntax error, input not UTF-8, or an input budget exceeded",
        "The file could not be read as YAML: fix the syntax at the line shown. Alias and nesting budgets stop alias bombs; inputs must be UTF-8.";
    UnknownField = "KB002", Error, "unknown field (with did-you-mean)",
        "The AppBundle and Environment are parsed strictly: a field kbundle does not know is an error, with the closest known name as a hint.";
    InvalidValue = "KB003", Error, "wrong type or invalid value",
        "A field has a value of the wrong type or outside what is allowed; the message says what is expected.";
    MissingField = "KB004", Error, "missing required field",
        "A required field is absent (for example spec.owner of an AppBundle).";
    UnknownKind = "KB005", Error, "not a Kubernetes object, unknown kbundle kind, unsupported apiVersion",
        "Objects of the kbundle.dev group must be AppBundle or Environment at apiVersion kbundle.dev/v1alpha1; every document must be a mapping with apiVersion and kind.";
    TargetUnsupported = "KB006", Error, "part of the contract not supported yet by this version (no target is refused today)",
        "The Environment asks for a backend this version cannot render. A bundle never deploys with part of it silently dropped: use target strimzi.";
    BadResourceList = "KB007", Error, "stdin of the KRM function is not one ResourceList",
        "`kbundle fn` reads exactly one config.kubernetes.io/v1 ResourceList on stdin. For plain YAML streams use `kbundle render -`.";
    NoBundle = "KB008", Warning, "no AppBundle in the input",
        "Nothing was rendered because the input holds no AppBundle; pass the files or directories that hold your bundles.";
    BadFunctionConfig = "KB009", Error, "functionConfig or function parameter not understood",
        "The functionConfig must be an AppBundle, an Environment, or kpt's function-input ConfigMap with `environment: NAME`.";
    EnvironmentNotChosen = "KB010", Error, "several Environments and none chosen",
        "The input holds more than one Environment: choose one with --environment NAME (or the Argo CD `environment` parameter).";
    EnvironmentNotFound = "KB011", Error, "the chosen Environment is not in the input",
        "The Environment named with --environment is not among the inputs; pass the file that defines it.";
    EnvironmentConflict = "KB012", Error, "two different Environments with the same name",
        "Environment names are unique within one render; rename one or drop the duplicate.";
    TopicPatternInvalid = "KB013", Error, "`policy.topicName` is not a valid regular expression",
        "The Environment's topic-name policy must be a valid regular expression (Rust regex syntax, matched against the whole name).";
    BadPluginConfig = "KB014", Error, "the legacy kustomize plugin config is not one object",
        "kustomize passes the plugin its config file: it must hold exactly one AppBundle or Environment.";
    TopicNameInvalid = "KB020", Error, "topic name breaks Kafka's rules",
        "Kafka topic names are 1-249 characters of [a-zA-Z0-9._-], and not `.` or `..`.";
    TopicNamePolicy = "KB021", Error, "topic name does not match `policy.topicName`",
        "The Environment requires topic names to match its policy.topicName pattern (whole-name match).";
    ReplicasBelowMin = "KB022", Error, "replicas below `policy.minReplicas`",
        "Raise the topic's replicas (or its default) to at least the Environment's minReplicas.";
    PartitionsAboveMax = "KB023", Error, "partitions above `policy.maxPartitions`",
        "Lower the topic's partitions or raise policy.maxPartitions in the Environment.";
    RetentionAboveMax = "KB024", Error, "`retention.ms` above `policy.maxRetentionMs` (or infinite)",
        "Lower retention.ms; -1 (infinite) also breaks a retention limit.";
    DeletionForbidden = "KB025", Error, "`deletion: allow` where the Environment forbids topic deletion",
        "Topics are protected from pruning unless both the topic and the Environment's policy.allowTopicDeletion allow deletion.";
    MinIsrAboveReplicas = "KB026", Error, "`min.insync.replicas` above the replica count",
        "Producers with acks=all could never write: keep min.insync.replicas at or below replicas.";
    TopicConfigTypo = "KB027", Error, "unknown topic config that looks like a typo",
        "The key is close to a Kafka topic config; use the suggested name.";
    TopicConfigUnknown = "KB028", Warning, "topic config kbundle does not know",
        "The key is not a Kafka topic config kbundle knows; it is passed through unchanged.";
    TopicConfigType = "KB029", Error, "topic config value of the wrong type",
        "The value does not have the type Kafka expects for this config (whole number, boolean, one of a list...).";
    NameNotDnsLabel = "KB030", Error, "bundle or Environment name not a DNS-1123 label",
        "Names become prefixes of Kubernetes object names: lower-case letters, digits and `-`, at most 63 characters.";
    PrincipalNameInvalid = "KB031", Error, "principal name not a DNS-1123 subdomain of at most 63 characters",
        "A principal becomes a KafkaUser: its name must be a DNS-1123 subdomain (dots allowed), at most 63 characters.";
    TopicClaimedTwice = "KB032", Error, "topic declared twice (in one bundle or by two)",
        "Every topic belongs to exactly one bundle.";
    PrincipalClaimedTwice = "KB033", Error, "principal declared twice",
        "Every principal belongs to exactly one bundle.";
    TopicObjectNameClash = "KB034", Error, "two topics map to the same KafkaTopic name",
        "Two topic names map to the same Kubernetes object name; rename one.";
    BundleClaimedTwice = "KB035", Error, "two AppBundles with the same name",
        "Bundle names are unique across the input.";
    TopicCollision = "KB036", Error, "topic names collide in Kafka (`.` vs `_`)",
        "Kafka's metric names treat `.` and `_` alike: such topics collide.";
    UndeclaredTopic = "KB040", Warning, "a role names a topic no bundle declares",
        "The topic may be owned outside kbundle; check the spelling.";
    TopicPatternBad = "KB041", Error, "invalid topic pattern (bare `*`, inner `*`, empty)",
        "Roles grant access to named resources: `prefix*` is a prefixed pattern, `*` alone or inside a name is refused.";
    RawAclInvalid = "KB042", Error, "invalid raw ACL (operation not valid for the resource type, missing or extra name)",
        "Raw ACL rules are checked against what Kafka's authorizer checks per resource type.";
    GroupOrTxIdInvalid = "KB043", Error, "invalid consumer group or transactional id",
        "Consumer groups and transactional ids must be non-empty; `prefix*` is a prefix.";
    StrimziNameInvalid = "KB044", Error, "invalid Environment namespace or Strimzi cluster name",
        "The namespace and strimzi.cluster must be DNS-1123 labels.";
    OwnerInvalid = "KB045", Error, "owner is not a valid label value",
        "The owner goes into the kbundle.dev/owner label: at most 63 characters of [A-Za-z0-9._-], starting and ending alphanumeric.";
    ApplicationIdInvalid = "KB046", Error, "invalid Kafka Streams applicationId",
        "A Streams applicationId prefixes its internal topics and is its group: it must be a valid topic-name prefix.";
    InputUnreadable = "KB050", Error, "an input cannot be read",
        "A file, directory or stdin could not be read (permissions, I/O error). Exit code 2.";
    BrokenSymlink = "KB051", Error, "broken symbolic link",
        "A symbolic link in the input tree points nowhere.";
    SymlinkEscape = "KB052", Error, "symbolic link out of the input tree",
        "A symbolic link in a directory given to kbundle leads outside it.";
    InputTooLarge = "KB053", Error, "input larger than the limit",
        "A file or stdin is larger than kbundle's input limit.";
    FileEscape = "KB054", Error, "a file a bundle names is absolute or leads outside the input tree",
        "Files named by a bundle are relative to its own file and stay inside the tree kbundle was given.";
    FileUnresolvable = "KB055", Error, "a file a bundle names cannot be resolved (the bundle's location is unknown)",
        "kbundle does not know where the bundle's file is (stdin, a ResourceList without paths); run from the package or give paths.";
    FileMissing = "KB056", Error, "a file a bundle names does not exist",
        "The file named by the bundle is not there (under kustomize, add buildMetadata: [originAnnotations]).";
    DataMeaningChanged = "KB060", Warning, "an accepted schema change alters what data means (a decimal's scale)",
        "The Schema Registry accepts the change (it ignores logical types), but existing bytes read with the new scale mean a different number: migrate the data or keep the scale.";
    SchemaInvalid = "KB061", Error, "invalid Avro schema",
        "The schema file is not a valid Avro schema.";
    SchemaIncompatible = "KB062", Error, "incompatible schema change",
        "The schema breaks its compatibility level against an earlier version; the message names the version and the reason.";
    SchemaUnknown = "KB063", Error, "a topic names an unknown schema",
        "valueSchema/keySchema must name a schema in spec.schemas.";
    SchemaClaimedTwice = "KB064", Error, "schema name declared twice",
        "Schema names are unique within a bundle.";
    SubjectClaimedTwice = "KB065", Error, "subject registered twice",
        "A Schema Registry subject has one owner across all bundles.";
    RegistryMissing = "KB066", Error, "schemas without a registry or hook image in the Environment",
        "Registering schemas needs schemaRegistry.url and hooks.image in the Environment.";
    SubjectInvalid = "KB067", Error, "invalid subject",
        "Subjects must be non-empty and free of control characters.";
    SchemaUnused = "KB068", Warning, "schema used by no topic and without subject",
        "The schema would never be registered: name a subject or refer to it from a topic.";
    RegistryConfigInvalid = "KB069", Error, "invalid `schemaRegistry.url` or empty `hooks.image`",
        "The registry URL must be http(s) and the hook image non-empty.";
    ConnectClusterMissing = "KB070", Error, "connectors without `strimzi.connectCluster`",
        "Connectors run on the Environment's Kafka Connect cluster: name it.";
    ConnectorDeclaredTwice = "KB071", Error, "connector declared twice in a bundle",
        "Connector names are unique within a bundle.";
    ConnectorNameInvalid = "KB072", Error, "connector name not a DNS-1123 subdomain",
        "A connector becomes a KafkaConnector object: its name must be a DNS-1123 subdomain.";
    TemplateError = "KB073", Error, "connector config template error",
        "A template in a connector config value failed to parse or render; the message names the key and position.";
    LiteralCredential = "KB074", Error, "literal credential in connector config",
        "Credential-like keys must use secret(name=..., key=...); the value is never printed.";
    ConnectorTypeUnknown = "KB075", Error, "connector type unknown or contradicting its class",
        "Say type: sink or source when the class name does not tell.";
    ConnectorReservedKey = "KB076", Error, "reserved key inside connector config",
        "name, connector.class, tasks.max and a sink's topics come from the connector's own fields.";
    ConnectorClaimedTwice = "KB077", Error, "connector declared by two bundles",
        "Every connector belongs to one bundle.";
    ConnectorTopicInvalid = "KB078", Error, "invalid or repeated connector topic; sink without topics",
        "A sink needs topics; each topic once.";
    ConnectClusterInvalid = "KB079", Error, "invalid `strimzi.connectCluster`",
        "The Connect cluster name must be a DNS-1123 label.";
    MaskingTopicUnknown = "KB080", Error, "masking names a topic the bundle does not declare",
        "Masking rules apply to the bundle's own topics.";
    MaskingWithoutSchema = "KB081", Error, "masking or pii on a topic without a value schema",
        "Masking paths are checked against the topic's value schema: give the topic a valueSchema.";
    MaskingPathUnknown = "KB082", Error, "masking or pii path not in the schema",
        "The field path does not exist in the value schema (records and unions with null are followed).";
    PiiUnmasked = "KB083", Error, "pii field without a masking rule under `policy.maskPii`",
        "Every pii field needs a masking rule when the Environment demands it.";
    MaskingUnenforceable = "KB084", Error, "masking rule nothing can enforce",
        "Hash and nested rules need a transform class named in the Environment's spec.masking.";
    FieldMaskedTwice = "KB085", Error, "field masked twice",
        "One rule per field.";
    RedactReplacementInvalid = "KB086", Error, "bad or missing redact replacement",
        "A redact rule of a non-string field needs a replacement of the field's type.";
    AlertKindInvalid = "KB090", Error, "alert without exactly one of consumerLag/throughput",
        "Each alert is either a consumerLag or a throughput alert.";
    ThroughputInvalid = "KB091", Error, "invalid throughput thresholds or period",
        "Throughput alerts need a positive period and a threshold.";
    AlertNameInvalid = "KB092", Error, "invalid or repeated alert name",
        "Alert names are unique within a bundle and usable as Prometheus alert names.";
    ReceiverUnknown = "KB093", Error, "`notify` names an unknown receiver",
        "Receivers are defined in the Environment's alerting.receivers.";
    AlertUnrouted = "KB094", Error, "alert with no receiver",
        "An alert nobody receives: name a receiver in notify.";
    LagGroupNotConsumed = "KB095", Error, "lag alert on a group the bundle does not consume",
        "A consumerLag alert watches one of the bundle's own consumer groups.";
    ThroughputTopicUnknown = "KB096", Error, "throughput alert on a topic the bundle does not declare",
        "A throughput alert watches one of the bundle's own topics.";
    LagTopicNotRead = "KB097", Warning, "lag alert topic not read by the group",
        "The group does not consume that topic, so its lag stays empty.";
    LagAlertMissing = "KB098", Error, "consumer groups without a lag alert under `policy.lagAlerts`",
        "The Environment requires a consumerLag alert per consumer group.";
    AlertingConfigInvalid = "KB099", Error, "invalid receiver or rule labels in the Environment",
        "Receivers need a unique name and one channel given by Secret reference; rule labels must be valid label names.";
    KsqldbConfigMissing = "KB100", Error, "ksql migrations without `ksqldb` in the Environment, or a bad url/image",
        "Migrations need ksqldb.url and ksqldb.image in the Environment.";
    MigrationNameInvalid = "KB101", Error, "migration file not named `V<6 digits>__<description>.sql`",
        "ksql-migrations reads only files named V000001__description.sql.";
    MigrationVersionTwice = "KB102", Error, "duplicate migration version",
        "Each migration version appears once.";
    MigrationGap = "KB103", Error, "migration versions not exactly 1..n",
        "Versions run from 1 without gaps.";
    MigrationEmpty = "KB104", Error, "empty migration",
        "A migration file holds at least one statement.";
    MigrationTooLarge = "KB105", Error, "migration file too large",
        "Each migration file must stay under the per-file limit.";
    MigrationsNone = "KB106", Error, "migrations folder without a migration",
        "spec.ksql.migrations names a folder with no migration file.";
    MigrationsStrayFile = "KB107", Warning, "other file in the migrations folder",
        "Files that are not migrations are ignored.";
    MigrationsTooLarge = "KB108", Error, "migrations too large together",
        "All migrations go into one ConfigMap (240 KiB in all).";
    MigrationBeforeTopics = "KB109", Warning, "a migration reads one of the bundle's topics but runs before the sync (`runAfterTopics`)",
        "A PreSync migration runs before the bundle's topics exist: set spec.ksql.runAfterTopics.";
    ImageUntagged = "KB110", ErrorUnderPolicy, "image without tag or digest",
        "Under policy.pinnedImages images need a digest or a fixed tag.";
    ImageLatest = "KB111", ErrorUnderPolicy, "image tagged `latest`",
        "Under policy.pinnedImages `latest` is refused: pin a tag or digest.";
    ImageUnparsable = "KB112", Error, "unparsable image reference",
        "The image reference is not a valid container image reference.";
    TestEnvReserved = "KB113", Error, "test sets a `KBUNDLE_*` variable",
        "KBUNDLE_* variables are set by kbundle for acceptance tests.";
    TestNameInvalid = "KB114", Error, "invalid or repeated test name",
        "Test names are unique DNS-1123 labels.";
    TestTimeoutInvalid = "KB115", Error, "invalid test timeout",
        "Timeouts are durations such as 10m, within a day.";
    EmptyOutput = "KB120", Error, "Argo CD plugin: empty manifest set refused",
        "With auto-prune an empty result would delete everything: kbundle fails instead.";
    ArgoParameters = "KB121", Error, "Argo CD plugin: bad `ARGOCD_APP_PARAMETERS` (malformed, unknown name, wrong type)",
        "The Application's plugin parameters are `environment` (string) and `bundles` (array).";
    ArgoBundleUnknown = "KB122", Error, "Argo CD plugin: `bundles` names a bundle the app does not hold",
        "Name bundles the application's source holds.";
    KustomizeMissing = "KB123", Error, "no kustomize or kubectl to build the kustomization (or bad `KBUNDLE_KUSTOMIZE`)",
        "Install kustomize or kubectl, or point KBUNDLE_KUSTOMIZE at one.";
    KustomizeFailed = "KB124", Error, "the kustomize build failed (its stderr is in the message)",
        "Fix the kustomization; kustomize's own message is shown.";
    ArgoEnvironmentIneffective = "KB125", Error, "Argo CD plugin: the `environment` parameter cannot take effect",
        "The app's kustomization already applies an Environment transformer that is not deferred.";
    Interrupted = "KB126", Error, "stopped by SIGTERM/SIGINT before finishing; nothing written (exit 143)",
        "Argo CD's timeout or a user stopped kbundle; nothing was written.";
    ApiVersionNotServed = "KB127", Warning, "Argo CD plugin: the destination cluster does not serve an apiVersion of the output (`KUBE_API_VERSIONS`)",
        "Set the Environment's operator apiVersion to one the cluster serves.";
    GroupClaimedTwice = "KB130", Error, "consumer group or Streams applicationId claimed by two bundles (overlapping prefixes included)",
        "A consumer group (a Streams applicationId is one) belongs to exactly one bundle; another bundle joining it would read that bundle's partitions and commit its offsets.";
    TransactionalIdClaimedTwice = "KB131", Error, "transactional id claimed by two bundles (overlapping prefixes included)",
        "A transactional id belongs to exactly one bundle; a second producer with the same id fences the first.";
    WriteNeedsGrant = "KB132", Error, "writes to another bundle's topic without its grant",
        "The topic's owner must list the writer in `topics[].access.write` (`bundle` or `bundle/principal`).";
    ReadNeedsGrant = "KB133", Error, "reads another bundle's topic without its grant (`policy.access: grants-only`)",
        "The topic's owner must list the reader in `topics[].access.read` (`bundle` or `bundle/principal`).";
    GrantInvalid = "KB134", Error, "a topic access grant that names nothing",
        "A grant is `bundle` or `bundle/principal`; a principal named must exist in that bundle.";
    RawAclDead = "KB135", Error, "raw ACL that can never match (glob in a literal name, `*` as a prefix)",
        "Kafka matches literal names exactly and prefixes as plain text: `orders.*` as a literal and `*` as a prefix match no real resource.";
    RawAclOverWide = "KB136", Error, "raw ACL wider than it looks (literal `*`, `All` on a prefix)",
        "A literal `*` is Kafka's wildcard (every resource) and `All` includes Delete and Alter; name the resources and operations.";
    ConnectPrerequisite = "KB137", Error, "connectors cannot run as their own principals on this Connect cluster (override policy, namespace)",
        "Connectors authenticate through client overrides read from their KafkaUser Secret: the KafkaConnect needs `connector.client.config.override.policy` All or Principal, and the Secret a namespace.";
    ConnectorTopicsNeeded = "KB138", Error, "a connector running as its own principal does not list its topics",
        "Its principal is granted exactly `spec.connectors[].topics`: list them (a `topics.regex` cannot be granted).";
    ConnectorExactlyOnceUnsupported = "KB139", Error, "exactly-once source connector on a Connect cluster the Environment does not declare exactly-once (`spec.connect.exactlyOnceSourceSupport: enabled`)",
        "A source asking for exactly-once (`exactly.once.support: required`, `transaction.boundary` other than `poll`) needs workers with `exactly.once.source.support=enabled`; declare it in `spec.connect` so its principal gets its transactional ids and the offsets topic.";
    ConnectorPrincipalClash = "KB140", Error, "a connector's generated principal has the name of a declared principal",
        "Connector `x` runs as principal `connect-x`; rename the connector or the principal.";
    StreamsInternalOverlap = "KB141", Error, "a Streams app's internal-topic prefix covers another bundle's topics or internal topics",
        "A Streams app may create, delete and write every topic starting `<applicationId>-`; no other bundle's topic may start so.";
    KsqlTopicNotAllowed = "KB142", Error, "a ksqlDB migration reads or writes a topic the shared ksqlDB server may not access",
        "The Environment's `spec.ksqldb.access` (and `serviceId`) is what the platform lets its ksqlDB server read and write; a `CREATE ... AS SELECT` without `KAFKA_TOPIC` writes to `<outputTopicPrefix><OBJECT NAME>`.";
    KsqlAccessUnchecked = "KB143", Warning, "ksqlDB migrations whose topics are not checked",
        "The Environment does not say what the ksqlDB server may access, or a statement uses a stream or table these migrations do not declare.";
    NamingConvention = "KB144", Error, "a name outside the Environment's naming prefix, or an unusable naming template or bundle prefix",
        "`policy.naming.prefix`, filled in from the bundle (`{owner}`, `{bundle}`, `{namespace}`, `{label:KEY}`), starts every topic, group, applicationId and transactional id a bundle declares; a bundle's `spec.prefix` must start with it.";
    KsqlMetadataShared = "KB145", Error, "two bundles keep their ksqlDB migration history in the same metadata stream",
        "ksql-migrations records applied versions in one stream and table per configuration; bundles sharing them see each other's versions. Set `spec.ksqldb.perBundleMetadata: true`.";
    ExactlyOnceSettingsMissing = "KB146", Error, "`spec.connect.exactlyOnceSourceSupport: enabled` without the Connect cluster's `groupId` or `offsetsTopic`",
        "Exactly-once source tasks use transactional ids `<group.id>-<connector>-<task>` and write the worker's `offset.storage.topic`: kbundle grants them, so it needs both names as the KafkaConnect sets them.";
    StreamsAppDeclaredTwice = "KB147", Error, "two Streams apps of one bundle with the same applicationId",
        "An applicationId is one application (one consumer group, one set of internal topics); give each app its own.";
    ConfluentClusterRef = "KB150", Error, "target confluent: `spec.confluent` must name exactly one of `kafkaRestClassRef` or `kafkaClusterRef`",
        "CFK's KafkaTopic needs the KafkaRestClass (or Kafka cluster) it is created through.";
    ConfluentQuotas = "KB151", Error, "target confluent: `principals[].quotas` has no CFK resource",
        "Set quotas with Confluent's own tooling and list `quotas` in `spec.confluent.managedElsewhere`, or remove them.";
    ConfluentUsers = "KB152", Error, "target confluent: `principals[].authentication` asks for user creation, which CFK does not do",
        "Create the user in the identity provider (LDAP, OAuth, SCRAM via the platform) and drop `authentication`, or list `users` in `spec.confluent.managedElsewhere`.";
    ConfluentRawAcls = "KB153", Error, "target confluent: raw `principals[].acls` have no CFK resource",
        "Express access as roles (produces, consumes, streams, transactionalIds), or list `acls` in `spec.confluent.managedElsewhere`.";
    ConfluentManagedElsewhere = "KB154", Warning, "target confluent: a bundle part is left out because the Environment says it is managed elsewhere",
        "Shown in every run, so the platform team sees what kbundle did not apply.";
    ConfluentCloudRoleBindings = "KB155", Error, "target confluent with `cloud: true`: role bindings through MDS do not work on Confluent Cloud",
        "Grant Confluent Cloud RBAC with the Confluent CLI or Terraform and list `roleBindings` in `spec.confluent.managedElsewhere`.";
    ConfluentConnectClusterMissing = "KB156", Error, "target confluent: connectors without `spec.confluent.connectClusterRef`",
        "Name the CFK Connect cluster connectors run on.";
    ConfluentNameInvalid = "KB157", Error, "target confluent: a `spec.confluent` reference is not a Kubernetes object name",
        "Use the name of the CFK resource (a DNS-1123 label).";
    ConfluentConnectorState = "KB158", Error, "target confluent: `connectors[].state` paused/stopped has no CFK field",
        "CFK's Connector always runs; remove `state`.";
    ConfluentConnectorPrincipals = "KB159", Error, "target confluent: `spec.connect` (Strimzi's principal per connector) is set; CFK's is `spec.confluent.connectorPrincipals`",
        "`spec.connect` describes a Strimzi KafkaConnect (a KafkaUser and a Secret-reading Role per connector); on CFK the platform creates the principals and the Connect CR mounts their Secrets. Refused rather than silently dropped.";
    ConfluentConnectOverridePolicy = "KB160", Error, "target confluent: connectors as their own principals, but the Connect cluster refuses client overrides",
        "The connector's `consumer.override.sasl.jaas.config` (and producer, admin) need `connector.client.config.override.policy` All or Principal in the Connect CR's `configOverrides.server`.";
    ConfluentConnectorSecretUnmounted = "KB161", Error, "target confluent: a connector's credentials Secret is not among the Connect cluster's mounted Secrets",
        "Connector `x` reads its principal's `sasl.jaas.config` from `/mnt/secrets/connect-x`: list `connect-x` in the Connect CR's `spec.mountedSecrets` and in `spec.confluent.connectorPrincipals.mountedSecrets`.";
    ConfluentSchemaRegistryRef = "KB162", Error, "target confluent: the Schema Registry reference is missing, doubled or unusable",
        "`Schema` objects need exactly one of `schemaRegistryClusterRef` or `schemaRegistryRest`; Confluent Cloud's registry is only reachable through `schemaRegistryRest` (an `https://` endpoint and a Secret of at most 30 characters).";
    TopicObjectNameInvalid = "KB170", Error, "a topic's `objectName` is not a DNS-1123 subdomain",
        "`objectName` becomes the KafkaTopic's metadata.name; Kubernetes needs lowercase letters, digits, `-` and `.`.";
    ImportUnmapped = "KB171", Warning, "import: an input field has no home in kbundle (listed in the report)",
        "`kbundle import` lists every input field it could not carry over, with file and path; nothing is dropped silently.";
    ImportDifference = "KB172", Warning, "import: the imported bundle grants or creates something different from the input",
        "The peer tool's own over-grants are replaced by kbundle's least-privilege roles; the report states each difference.";
    ImportInvalid = "KB173", Error, "import: an input object cannot be imported",
        "The object is malformed for its kind or conflicts with another one; fix the input or import it separately.";
    ImportOutputExists = "KB174", Error, "import: an output file exists already",
        "Pass `--force` to overwrite, or choose another `--out` directory.";
    PlatformPrincipalClaimed = "KB175", Error, "a bundle declares a principal the Environment names as a platform principal",
        "The Environment's `platformPrincipals` are the platform's own Kafka users (Schema Registry, ksqlDB, Control Center, admin users). A bundle's KafkaUser of the same name would replace the platform's ACLs; give the application a principal of its own.";
    ImportPlaceholder = "KB176", Warning, "import: the Environment holds a placeholder the input did not give (a URL or an image)",
        "The imported bundles need it (schemas: `schemaRegistry.url` and `hooks.image`; ksql: `ksqldb.url` and `image`). Pass it to `kbundle import` (`--schema-registry-url`, `--ksqldb-url`, `--hook-image`, `--ksqldb-image`) or edit environment.yaml before rendering.";
    ImportFile = "KB177", Warning, "import: a file the input names cannot be read; what needs it is not imported",
        "Schema, ksql and connector artefact files are read relative to the descriptor's folder (a path outside it is refused, KB173). A missing file leaves out the schema, migration or connector that needs it; the report names it.";
    FluxSettingsMissing = "KB190", Error, "Flux output: no usable `spec.flux` in the Environment (or no single Environment)",
        "`kbundle render --flux` needs the Environment's `spec.flux` (sourceRef, path; interval and timeout are Go durations such as `10m`).";
    FluxPhaseUnsupported = "KB191", Error, "Flux output: an object asks for an Argo CD hook phase or wave Flux stages cannot express",
        "Flux stages express PreSync, Sync and PostSync with integer sync waves; SyncFail and Skip hooks have no Flux equivalent: drop them from the Flux overlay.";
    FluxOutputStale = "KB192", Error, "Flux output: the committed stages differ from a fresh render (`--check`)",
        "Run the same `kbundle render --flux --out DIR` without `--check` and commit the result.";
    DiffSideFailed = "KB200", Error, "diff: one side does not render (its diagnostics follow)",
        "`kbundle diff` runs both sides through the whole pipeline. The new side's errors are the change's errors: fix them. When only the old side fails, everything on the new side is shown as added.";
    DiffRevision = "KB201", Error, "diff: a Git revision cannot be read",
        "The revision given to `--base` (or as a side of `kbundle diff OLD NEW`) is not a commit of the repository around the working directory, or `git` is missing. Fetch it first (`git fetch origin main`); CI checkouts are often shallow (`fetch-depth: 0`).";
    DiffPartitionDecrease = "KB202", Error, "diff: a topic's partition count decreases",
        "Kafka cannot remove partitions: the topic operator refuses the change and the topic stays as it is. To have fewer partitions, create a new topic and migrate the producers and consumers.";
    DiffTopicDeleted = "KB203", Error, "diff: a topic whose deletion is allowed is removed (its data is lost)",
        "The old side allowed the topic's deletion (`deletion: allow` and the Environment's `allowTopicDeletion`), so removing it from the bundle deletes the topic and every record in it. If that is meant, say so in review and override the failure (`--fail-on never`); else keep the topic.";
    DiffMigrationEdited = "KB204", Error, "diff: an applied ksql migration is edited",
        "ksql-migrations stores a checksum of every applied migration and refuses to run when an applied file has changed. Revert the edit and add a new migration (`V<next>__...sql`) instead.";
    DiffSchemaIncompatible = "KB205", Error, "diff: a schema's new version is incompatible with the previous one",
        "The Schema Registry would refuse to register the new version at the subject's compatibility level. Make the change compatible (add fields with defaults, ...) or register under a new subject.";
    DiffReplicasChanged = "KB206", Warning, "diff: a topic's replication factor changes",
        "Changing replicas moves data between brokers (a reassignment) and, downwards, lowers durability; check the cluster has the capacity and the operator supports it.";
    DiffCleanupPolicyChanged = "KB207", Warning, "diff: a topic's `cleanup.policy` changes",
        "compact → delete removes old records by age, delete → compact keeps only the last value per key: either changes what consumers can read back.";
    DiffRetentionShrunk = "KB208", Warning, "diff: a topic's retention shrinks",
        "`retention.ms` or `retention.bytes` goes down (or from unlimited to limited): records older or beyond the new limit are deleted on the next cleanup.";
    DiffMinIsrChanged = "KB209", Warning, "diff: a topic's `min.insync.replicas` changes",
        "Raising it can make producers with `acks=all` fail when brokers are down; lowering it weakens durability.";
    DiffAccessWidened = "KB210", Warning, "diff: access widened (a new writer, literal → prefix, `All`, a grant on another team's topic)",
        "A principal gains write access, a literal grant becomes a prefix one, an `All` operation or `*` resource appears, or a grant reaches a topic another owner's bundle declares. Check the owner of the resource agreed.";
    DiffMaskingRemoved = "KB211", Warning, "diff: a masking rule or PII marking is removed",
        "Data that was masked or marked personal may now leave unmasked; check with the data owner.";
    DiffCompatibilityLoosened = "KB212", Warning, "diff: a subject's compatibility level is loosened",
        "The new level guarantees less than the old one (for example FULL → BACKWARD, or any level → NONE): consumers may meet schema versions they cannot read.";
    DiffAlertRemoved = "KB213", Warning, "diff: an alert is removed",
        "Nobody is paged any more for the condition the alert watched.";
    DiffPolicyLoosened = "KB214", Warning, "diff: the Environment's policy is loosened",
        "A policy rule is removed or relaxed (topic deletion allowed, PII masking or pinned images no longer required, a limit raised or dropped): it applies to every bundle of the cluster.";
    RawProviderReference = "KB230", Error, "a connector config writes a config-provider reference (`${secrets:...}`, `${file:...}`) itself",
        "Raw references bypass the namespace pinning of `secret()`/`configmap()` and can read any Secret or file the Connect worker can: write `{{ secret(\"name\", \"key\") }}`.";
    CredentialInUrl = "KB231", Error, "a URL carries a credential (`user:password@` or a password parameter)",
        "Credentials come from Secrets only: put the password in a Secret and reference it (a connector's `connection.password` with `secret()`, `schemaRegistry.credentialsSecret`).";
    ReservedTopic = "KB232", Error, "a bundle declares or is granted an internal topic (`__*`, `_schemas`, `_confluent*`, or the Environment's `policy.reservedTopics`)",
        "Internal topics belong to the broker and the platform: a bundle that declared `__consumer_offsets` could set its retention to a minute. Name your own topics; ask the platform team for access to internal data.";
    DurationOutOfRange = "KB233", Error, "an alert duration (`for`, `per`) is longer than Prometheus can represent",
        "Prometheus durations are Go `time.Duration`s (int64 nanoseconds, about 292 years); a longer one fails in the operator or in Prometheus after render accepted it.";
    ConfigOutOfRange = "KB234", Error, "a whole-number topic config is beyond Kafka's LONG range",
        "Kafka's INT and LONG configs are 32- and 64-bit: a larger value is refused by the broker; the value is named as out of range instead of being rounded.";
    ObjectTooLarge = "KB235", Error, "a generated object would be larger than the API server accepts (a connector config, a schema ConfigMap)",
        "etcd refuses objects over about 1.5 MiB and a ConfigMap holds at most 1 MiB: kbundle refuses at render time, naming the object, instead of failing mid-sync.";
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Code {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        Code::ALL
            .iter()
            .copied()
            .find(|c| c.as_str().eq_ignore_ascii_case(s))
            .ok_or(())
    }
}

/// The diagnostics table of docs/reference/diagnostics.md, generated from the registry.
pub fn markdown_table() -> String {
    let mut out = String::from("| code | severity | meaning |\n|---|---|---|\n");
    for c in Code::ALL {
        out.push_str(&format!(
            "| {} | {} | {} |\n",
            c.as_str(),
            c.level().as_str(),
            c.summary().replace('|', "\\|")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_sorted_and_documented() {
        let strs: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        let mut sorted = strs.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(strs, sorted, "codes must be unique and in numeric order");
        for c in Code::ALL {
            assert!(c.as_str().len() == 5 && c.as_str().starts_with("KB"));
            assert!(!c.summary().is_empty() && !c.docs().is_empty(), "{c}");
        }
    }

    #[test]
    fn parse_round_trips() {
        for c in Code::ALL {
            assert_eq!(c.as_str().parse::<Code>(), Ok(*c));
        }
        assert!("KB999".parse::<Code>().is_err());
    }
}
