//! The published JSON Schemas (`kbundle schema appbundle|environment`) and the parser
//! (`parse_app_bundle`/`parse_environment`) accept and reject the same documents.
//!
//! Each example is YAML (read the way kbundle reads files) and gets three independent verdicts:
//! - the published schema, compiled here as a draft 2020-12 validator (what an editor shows);
//! - serde alone, deserializing the typed model (`serde_json::from_value`);
//! - the parser, which kbundle actually runs (schema first, then serde).
//!
//! The schema and the parser must both give the expected verdict: an editor must never show a
//! document as valid that kbundle then rejects, or the reverse. Serde alone must agree too,
//! except for constraints only a schema can express (`minLength`, `minimum`, `pattern`, ...),
//! marked `Only::Schema` (serde accepts, the schema and so the parser refuse), and for integral
//! floats (`3.0`, `1e3`), marked `Only::Normalized`: JSON Schema counts them as integers, serde
//! does not, so the parser turns them into integers once the schema has accepted them.

use crate::support;

use kbundle::model::{self, AppBundle, Environment, Kind};
use serde_json::Value;
use std::process::Command;

#[derive(Clone, Copy, PartialEq, Debug)]
enum Verdict {
    Valid,
    Invalid,
}
use Verdict::*;

/// Which checks refuse an invalid example.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Only {
    /// Both the schema and serde refuse it (or it is valid).
    Both,
    /// Only the schema can say it: serde alone accepts.
    Schema,
    /// A valid integral float where an integer is expected: serde alone refuses it.
    Normalized,
}

struct Case {
    name: &'static str,
    kind: Kind,
    yaml: String,
    expect: Verdict,
    only: Only,
}

const BUNDLE_HEAD: &str =
    "apiVersion: kbundle.dev/v1alpha1\nkind: AppBundle\nmetadata: {name: orders}\n";
const ENV_HEAD: &str =
    "apiVersion: kbundle.dev/v1alpha1\nkind: Environment\nmetadata: {name: prod}\n";

/// A bundle with the given `spec` (YAML flow or block text).
fn spec(s: &str) -> String {
    format!("{BUNDLE_HEAD}spec: {s}\n")
}

/// An Environment with the given `spec`.
fn env_spec(s: &str) -> String {
    format!("{ENV_HEAD}spec: {s}\n")
}

/// A bundle with one topic (flow mapping body).
fn topic(body: &str) -> String {
    spec(&format!("{{owner: t, topics: [{{name: a.v1, {body}}}]}}"))
}

/// A bundle with one principal (flow mapping body).
fn principal(body: &str) -> String {
    spec(&format!("{{owner: t, principals: [{{name: p, {body}}}]}}"))
}

const FULL_BUNDLE: &str = r#"apiVersion: kbundle.dev/v1alpha1
kind: AppBundle
metadata:
  name: orders
  namespace: kafka
  labels: {team: orders}
  annotations: {config.kubernetes.io/local-config: "true"}
spec:
  owner: team-orders
  topics:
    - name: orders.created.v1
      partitions: 6
      replicas: 3
      config: {retention.ms: 604800000, cleanup.policy: delete, preallocate: false, min.cleanable.dirty.ratio: 0.5}
      valueSchema: orders-created
      keySchema: orders-key
      pii: [customer.email]
      deletion: retain
  schemas:
    - name: orders-created
      subject: orders.created.v1-value
      type: avro
      file: schemas/orders-created.avsc
      compatibility: BACKWARD_TRANSITIVE
      previous: [schemas/history/orders-created.1.avsc]
  principals:
    - name: orders-service
      authentication: scram-sha-512
      produces: [orders.created.v1]
      consumes: [{topics: [payments.settled.v1], group: orders-service}]
      streams: {applicationId: orders-enricher, reads: [payments.settled.v1], writes: [orders.enriched.v1]}
      transactionalIds: [orders-tx*]
      acls:
        - resource: {type: cluster}
          operations: [IdempotentWrite]
        - resource: {type: topic, name: orders., patternType: prefix}
          operations: [Describe]
          host: "10.0.0.1"
          type: deny
      quotas: {producerByteRate: 1048576, consumerByteRate: 2097152, requestPercentage: 25, controllerMutationRate: 1.5}
  connectors:
    - name: orders-to-warehouse
      class: io.confluent.connect.jdbc.JdbcSinkConnector
      tasksMax: 2
      topics: [orders.created.v1]
      config: {connection.url: "{{ secret(name='warehouse-db', key='url') }}", batch.size: 500, auto.create: true}
      state: paused
  ksql: {migrations: ksql/}
  masking:
    - topic: orders.created.v1
      fields: [{path: customer.email, rule: redact, replacement: "***"}, {path: customer.phone, rule: hash}]
  alerts:
    - name: payments-lag
      consumerLag: {group: orders-service, topic: payments.settled.v1, above: 10000, for: 10m}
      severity: critical
      notify: [oncall-orders]
    - name: orders-silent
      throughput: {topic: orders.created.v1, below: 1, per: 1m, for: 15m}
      severity: warning
  tests:
    - name: smoke
      image: registry.example.com/orders-tests@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
      command: [/bin/run-tests]
      args: [--suite, smoke]
      env: {SUITE: smoke}
      timeout: 10m
"#;

const FULL_ENV: &str = r##"apiVersion: kbundle.dev/v1alpha1
kind: Environment
metadata: {name: prod}
spec:
  target: strimzi
  namespace: kafka
  strimzi: {cluster: main, apiVersion: kafka.strimzi.io/v1beta2, connectCluster: connect}
  confluent: {kafkaRestClassRef: default, schemaRegistryClusterRef: schemaregistry, connectClusterRef: connect}
  defaults: {partitions: 3, replicas: 3, compatibility: FULL, topicConfig: {min.insync.replicas: 2, compression.type: zstd}}
  policy:
    topicName: '^[a-z0-9-]+(\.[a-z0-9-]+)*\.v[0-9]+$'
    minReplicas: 3
    maxPartitions: 120
    maxRetentionMs: 2592000000
    maskPii: true
    allowTopicDeletion: false
    pinnedImages: true
    lagAlerts: true
  schemaRegistry: {url: "http://schema-registry.kafka:8081", credentialsSecret: sr-basic-auth}
  ksqldb: {url: "http://ksqldb.kafka:8088", image: "confluentinc/ksqldb-cli:0.29.0"}
  hooks: {image: "curlimages/curl:8.11.0", serviceAccount: kbundle-hooks}
  alerting:
    ruleLabels: {release: kube-prometheus-stack}
    receivers:
      - name: oncall-orders
        pagerduty: {routingKey: {secret: pagerduty-orders, key: routing-key}}
      - name: slack-orders
        slack: {apiURL: {secret: slack-webhook, key: url}, channel: "#orders"}
"##;

fn cases() -> Vec<Case> {
    use Kind::{AppBundle as B, Environment as E};
    let c = |name, kind, yaml: String, expect, only| Case {
        name,
        kind,
        yaml,
        expect,
        only,
    };
    let ok = |name, kind, yaml: String| c(name, kind, yaml, Valid, Only::Both);
    let bad = |name, kind, yaml: String| c(name, kind, yaml, Invalid, Only::Both);
    let bad_schema = |name, kind, yaml: String| c(name, kind, yaml, Invalid, Only::Schema);
    let ok_float = |name, kind, yaml: String| c(name, kind, yaml, Valid, Only::Normalized);
    vec![
        // ---- valid AppBundles ----
        ok("minimal bundle", B, spec("{owner: t}")),
        ok("every field of a bundle", B, FULL_BUNDLE.to_string()),
        ok("empty lists", B, spec("{owner: t, topics: [], principals: [], alerts: []}")),
        ok(
            "null for optional topic fields",
            B,
            topic("partitions: null, replicas: ~, valueSchema: null, deletion: null"),
        ),
        ok("null ksql", B, spec("{owner: t, ksql: null}")),
        ok("null metadata.namespace", B, "apiVersion: kbundle.dev/v1alpha1\nkind: AppBundle\nmetadata: {name: o, namespace: null}\nspec: {owner: t}\n".to_string()),
        ok("partitions at the maximum", B, topic("partitions: 1000000")),
        ok("replicas at the maximum", B, topic("replicas: 32767")),
        ok(
            "config values: int, bool, float, string",
            B,
            topic("config: {retention.ms: 604800000, preallocate: true, min.cleanable.dirty.ratio: 0.5, cleanup.policy: compact}"),
        ),
        ok(
            "config value beyond i64 (kept as a float)",
            B,
            topic("config: {retention.ms: 9223372036854775808}"),
        ),
        ok("requestPercentage 0 and 100", B, principal("quotas: {requestPercentage: 100, producerByteRate: 0}")),
        ok("controllerMutationRate as an integer", B, principal("quotas: {controllerMutationRate: 2}")),
        ok(
            "largest u64 byte rate",
            B,
            principal("quotas: {producerByteRate: 18446744073709551615}"),
        ),
        ok("cluster ACL without a name", B, principal("acls: [{resource: {type: cluster}, operations: [Describe]}]")),
        ok("throughput with above only", B, spec("{owner: t, alerts: [{name: x, throughput: {topic: a, above: 1.5, per: 1m, for: 5m}, severity: info}]}")),
        // ---- unknown fields at every depth ----
        bad("unknown top-level field", B, format!("{}status: {{}}\n", spec("{owner: t}"))),
        bad("unknown metadata field", B, "apiVersion: kbundle.dev/v1alpha1\nkind: AppBundle\nmetadata: {name: o, uid: x}\nspec: {owner: t}\n".to_string()),
        bad("unknown spec field", B, spec("{owner: t, topic: []}")),
        bad("unknown topic field (typo)", B, topic("partitons: 3")),
        bad("unknown field in consumes", B, principal("consumes: [{topics: [a], group: g, groups: [h]}]")),
        bad("unknown field in an ACL resource", B, principal("acls: [{resource: {type: topic, name: a, pattern: prefix}, operations: [Read]}]")),
        bad("unknown field in quotas", B, principal("quotas: {producerByteRates: 1}")),
        bad("unknown field in consumerLag", B, spec("{owner: t, alerts: [{name: x, consumerLag: {group: g, above: 1, for: 1m, threshold: 2}, severity: info}]}")),
        // ---- wrong types ----
        bad("partitions as a word", B, topic("partitions: six")),
        bad("partitions as a quoted number", B, topic("partitions: '6'")),
        bad("owner as a number", B, spec("{owner: 5}")),
        bad("topics as a mapping", B, spec("{owner: t, topics: {name: a}}")),
        bad("produces as a string", B, principal("produces: a.v1")),
        bad_schema("spec as a list", B, spec("[owner]")),
        bad("label value as a number", B, "apiVersion: kbundle.dev/v1alpha1\nkind: AppBundle\nmetadata: {name: o, labels: {version: 1}}\nspec: {owner: t}\n".to_string()),
        bad("config value a list", B, topic("config: {cleanup.policy: [compact, delete]}")),
        bad("config value a mapping", B, topic("config: {retention: {ms: 1}}")),
        bad("config value null", B, topic("config: {retention.ms: null}")),
        bad("test env value a number", B, spec("{owner: t, tests: [{name: x, image: i, env: {N: 1}}]}")),
        // ---- bad enum values ----
        bad("authentication typo", B, principal("authentication: scram-sha512")),
        bad("deletion: delete", B, topic("deletion: delete")),
        bad("compatibility in lower case", B, spec("{owner: t, schemas: [{name: s, file: s.avsc, compatibility: backward}]}")),
        bad("schema type protobuf", B, spec("{owner: t, schemas: [{name: s, file: s.avsc, type: protobuf}]}")),
        bad("ACL operation in lower case", B, principal("acls: [{resource: {type: topic, name: a}, operations: [read]}]")),
        bad("ACL patternType prefixed", B, principal("acls: [{resource: {type: topic, name: a, patternType: prefixed}, operations: [Read]}]")),
        bad("severity page", B, spec("{owner: t, alerts: [{name: x, severity: page}]}")),
        bad("apiVersion v1", B, "apiVersion: kbundle.dev/v1\nkind: AppBundle\nmetadata: {name: o}\nspec: {owner: t}\n".to_string()),
        bad("kind Environment parsed as a bundle", B, env_spec("{}")),
        // ---- missing required fields ----
        bad("owner missing", B, spec("{topics: []}")),
        bad("spec missing", B, BUNDLE_HEAD.to_string()),
        bad("metadata.name missing", B, "apiVersion: kbundle.dev/v1alpha1\nkind: AppBundle\nmetadata: {namespace: x}\nspec: {owner: t}\n".to_string()),
        bad("topic name missing", B, spec("{owner: t, topics: [{partitions: 3}]}")),
        // A consumer without a group uses manual assignment (issue 12): valid.
        ok("consumes without group", B, principal("consumes: [{topics: [a]}]")),
        bad("ACL operations missing", B, principal("acls: [{resource: {type: topic, name: a}}]")),
        bad("alert severity missing", B, spec("{owner: t, alerts: [{name: x}]}")),
        // ---- null where a value is required ----
        bad("owner null", B, spec("{owner: null}")),
        bad("topics null", B, spec("{owner: t, topics: null}")),
        bad("topic config null", B, topic("config: null")),
        bad("labels null", B, "apiVersion: kbundle.dev/v1alpha1\nkind: AppBundle\nmetadata: {name: o, labels: null}\nspec: {owner: t}\n".to_string()),
        // ---- numbers out of range ----
        bad("partitions beyond u32", B, topic("partitions: 5000000000")),
        bad_schema("partitions beyond the maximum", B, topic("partitions: 1000001")),
        bad("tasksMax beyond u32", B, spec("{owner: t, connectors: [{name: c, class: k, tasksMax: 5000000000}]}")),
        bad("requestPercentage beyond u32", B, principal("quotas: {requestPercentage: 5000000000}")),
        bad("byte rate beyond u64", B, principal("quotas: {producerByteRate: 18446744073709551616}")),
        bad("lag threshold beyond u64", B, spec("{owner: t, alerts: [{name: x, consumerLag: {group: g, above: 18446744073709551616, for: 1m}, severity: info}]}")),
        bad("negative partitions", B, topic("partitions: -1")),
        bad("negative byte rate", B, principal("quotas: {consumerByteRate: -1}")),
        bad("negative lag threshold", B, spec("{owner: t, alerts: [{name: x, consumerLag: {group: g, above: -5, for: 1m}, severity: info}]}")),
        bad_schema("partitions 0", B, topic("partitions: 0")),
        bad_schema("replicas beyond 32767", B, topic("replicas: 40000")),
        bad_schema("requestPercentage 101", B, principal("quotas: {requestPercentage: 101}")),
        bad_schema("negative controllerMutationRate", B, principal("quotas: {controllerMutationRate: -0.5}")),
        bad_schema("tasksMax 0", B, spec("{owner: t, connectors: [{name: c, class: k, tasksMax: 0}]}")),
        // ---- floats where integers are expected ----
        bad("partitions 3.5", B, topic("partitions: 3.5")),
        bad("byte rate 0.5", B, principal("quotas: {producerByteRate: 0.5}")),
        bad("byte rate 2^64 written as a float", B, principal("quotas: {producerByteRate: 1.8446744073709552e19}")),
        ok_float("byte rate 1e19 (beyond i64, within u64)", B, principal("quotas: {producerByteRate: 1e19}")),
        ok_float("requestPercentage 50.0", B, principal("quotas: {requestPercentage: 50.0}")),
        ok("config value 1.0 stays a number", B, topic("config: {min.cleanable.dirty.ratio: 1.0}")),
        ok_float("partitions 3.0 (an integer in JSON Schema)", B, topic("partitions: 3.0")),
        ok_float("partitions 1e3 (an integer in JSON Schema)", B, topic("partitions: 1e3")),
        ok_float("lag threshold 1.0e4", B, spec("{owner: t, alerts: [{name: x, consumerLag: {group: g, above: 1.0e4, for: 1m}, severity: info}]}")),
        // ---- empty strings, empty lists, patterns ----
        bad_schema("owner empty", B, spec("{owner: ''}")),
        bad_schema("consumes without topics", B, principal("consumes: [{topics: [], group: g}]")),
        bad_schema("ACL without operations", B, principal("acls: [{resource: {type: topic, name: a}, operations: []}]")),
        bad_schema("masking without fields", B, spec("{owner: t, masking: [{topic: a, fields: []}]}")),
        bad_schema("duration without a unit", B, spec("{owner: t, alerts: [{name: x, consumerLag: {group: g, above: 1, for: '10'}, severity: info}]}")),
        bad_schema("duration in words", B, spec("{owner: t, tests: [{name: x, image: i, timeout: 10 minutes}]}")),
        // ---- Environments ----
        ok("environment without spec", E, ENV_HEAD.to_string()),
        ok("every field of an environment", E, FULL_ENV.to_string()),
        ok("environment target confluent", E, env_spec("{target: confluent}")),
        ok("environment null optionals", E, env_spec("{namespace: null, hooks: null, confluent: ~, policy: {minReplicas: null}}")),
        ok("maxRetentionMs at i64::MAX", E, env_spec("{policy: {maxRetentionMs: 9223372036854775807}}")),
        bad("environment unknown spec field", E, env_spec("{defualts: {}}")),
        bad("environment unknown policy field", E, env_spec("{policy: {maxReplicas: 3}}")),
        bad("environment slack apiUrl spelling", E, env_spec("{alerting: {receivers: [{name: r, slack: {apiUrl: {secret: s, key: k}}}]}}")),
        bad("environment literal slack URL", E, env_spec("{alerting: {receivers: [{name: r, slack: {apiURL: 'https://hooks.slack.com/x'}}]}}")),
        bad("environment strimzi v1beta1", E, env_spec("{strimzi: {apiVersion: kafka.strimzi.io/v1beta1}}")),
        bad("environment target kafka", E, env_spec("{target: kafka}")),
        bad("environment spec null", E, format!("{ENV_HEAD}spec: null\n")),
        bad("environment defaults null", E, env_spec("{defaults: null}")),
        bad("environment minReplicas beyond u32", E, env_spec("{policy: {minReplicas: 5000000000}}")),
        bad("environment maxPartitions beyond u32", E, env_spec("{policy: {maxPartitions: 4294967296}}")),
        bad("environment maxRetentionMs beyond i64", E, env_spec("{policy: {maxRetentionMs: 9223372036854775808}}")),
        bad("environment maskPii as a string", E, env_spec("{policy: {maskPii: 'yes'}}")),
        bad("environment maskPii yes (a string in YAML 1.2)", E, env_spec("{policy: {maskPii: yes}}")),
        bad("environment topicConfig list", E, env_spec("{defaults: {topicConfig: {cleanup.policy: [compact]}}}")),
        bad("environment receiver without name", E, env_spec("{alerting: {receivers: [{slack: {apiURL: {secret: s, key: k}}}]}}")),
        bad("environment default partitions 2.5", E, env_spec("{defaults: {partitions: 2.5}}")),
        ok_float("environment default partitions 2.0", E, env_spec("{defaults: {partitions: 2.0}}")),
        bad_schema("environment default partitions 0", E, env_spec("{defaults: {partitions: 0}}")),
        bad_schema("environment maxRetentionMs 0", E, env_spec("{policy: {maxRetentionMs: 0}}")),
        bad_schema("environment default replicas 40000", E, env_spec("{defaults: {replicas: 40000}}")),
    ]
}

fn yaml_value(name: &str, yaml: &str) -> Value {
    let mut docs = kbundle::yaml::parse_stream(yaml)
        .unwrap_or_else(|e| panic!("{name}: example is not YAML: {} ({yaml})", e.message));
    assert_eq!(docs.len(), 1, "{name}: one document expected");
    docs.remove(0).value
}

fn validator(kind: Kind) -> jsonschema::Validator {
    jsonschema::draft202012::new(&model::json_schema(kind)).expect("published schema compiles")
}

fn verdict(ok: bool) -> Verdict {
    if ok { Valid } else { Invalid }
}

fn schema_and_parser_agree_on_every_example() {
    let bundle_schema = validator(Kind::AppBundle);
    let env_schema = validator(Kind::Environment);
    let cases = cases();
    assert!(cases.len() >= 30, "only {} examples", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let v = yaml_value(case.name, &case.yaml);
        let (schema_ok, serde_ok, parser) = match case.kind {
            Kind::AppBundle => (
                bundle_schema.is_valid(&v),
                serde_json::from_value::<AppBundle>(v.clone()).is_ok(),
                model::parse_app_bundle(&v)
                    .map(|b| serde_json::to_value(b).expect("serialize"))
                    .map_err(|e| format!("{e:?}")),
            ),
            Kind::Environment => (
                env_schema.is_valid(&v),
                serde_json::from_value::<Environment>(v.clone()).is_ok(),
                model::parse_environment(&v)
                    .map(|e| serde_json::to_value(e).expect("serialize"))
                    .map_err(|e| format!("{e:?}")),
            ),
        };
        let schema = verdict(schema_ok);
        let parsed = verdict(parser.is_ok());
        let serde = verdict(serde_ok);
        let serde_expected = match (case.expect, case.only) {
            (Invalid, Only::Schema) => Valid,
            (Valid, Only::Normalized) => Invalid,
            (e, _) => e,
        };
        if schema != case.expect || parsed != case.expect || serde != serde_expected {
            failures.push(format!(
                "{}: expected {:?}; schema {schema:?}, parser {parsed:?}, serde alone {serde:?} \
                 (expected {serde_expected:?})\n    parser: {:?}\n    input: {}",
                case.name,
                case.expect,
                parser.as_ref().err(),
                case.yaml.replace('\n', "\n           ")
            ));
        }
        // What the parser built serializes back into a document the schema accepts.
        if let Ok(round_trip) = &parser {
            let ok = match case.kind {
                Kind::AppBundle => bundle_schema.is_valid(round_trip),
                Kind::Environment => env_schema.is_valid(round_trip),
            };
            if !ok {
                failures.push(format!(
                    "{}: the parsed value, serialized again, fails the schema: {round_trip}",
                    case.name
                ));
            }
        }
    }
    let valid = cases.iter().filter(|c| c.expect == Valid).count();
    eprintln!(
        "{} examples ({valid} valid, {} invalid, {} schema-only constraints)",
        cases.len(),
        cases.len() - valid,
        cases.iter().filter(|c| c.only == Only::Schema).count()
    );
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn example_names_are_unique() {
    let cases = cases();
    let mut names: Vec<&str> = cases.iter().map(|c| c.name).collect();
    names.sort();
    let before = names.len();
    names.dedup();
    assert_eq!(before, names.len(), "duplicate example names");
}

fn published_schemas_are_valid_draft_2020_12() {
    for kind in [Kind::AppBundle, Kind::Environment] {
        let schema = model::json_schema(kind);
        assert_eq!(
            schema["$schema"], "https://json-schema.org/draft/2020-12/schema",
            "{kind:?}"
        );
        if let Err(e) = jsonschema::draft202012::meta::validate(&schema) {
            panic!("{kind:?}: not a valid draft 2020-12 schema: {e}");
        }
        // Strict objects all the way down: every object with properties refuses others.
        let mut loose = Vec::new();
        find_loose_objects(&schema, "#", &mut loose);
        assert!(
            loose.is_empty(),
            "{kind:?}: objects accepting unknown fields: {loose:?}"
        );
    }
}

/// Object schemas listing `properties` without `additionalProperties: false`.
fn find_loose_objects(node: &Value, at: &str, out: &mut Vec<String>) {
    match node {
        Value::Object(m) => {
            if m.contains_key("properties")
                && m.get("additionalProperties") != Some(&Value::Bool(false))
            {
                out.push(at.to_string());
            }
            for (k, v) in m {
                find_loose_objects(v, &format!("{at}/{k}"), out);
            }
        }
        Value::Array(a) => {
            for (i, v) in a.iter().enumerate() {
                find_loose_objects(v, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

fn binary_prints_the_published_schema() {
    for (arg, kind) in [
        ("appbundle", Kind::AppBundle),
        ("environment", Kind::Environment),
    ] {
        let out = Command::new(support::kbundle_bin())
            .args(["schema", arg])
            .output()
            .expect("run kbundle schema");
        assert!(
            out.status.success(),
            "kbundle schema {arg}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let printed: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("kbundle schema {arg} is not JSON: {e}"));
        assert_eq!(printed, model::json_schema(kind), "kbundle schema {arg}");
    }
}

fn quickstart_examples_match_the_schema() {
    let dir = support::root().join("examples/quickstart");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("examples/quickstart")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .collect();
    files.sort();
    let bundle_schema = validator(Kind::AppBundle);
    let env_schema = validator(Kind::Environment);
    let mut seen = (0, 0);
    for file in &files {
        let text = std::fs::read_to_string(file).expect("read");
        for doc in kbundle::yaml::parse_stream(&text).expect("yaml") {
            let v = doc.value;
            let (validator, parsed) = match v["kind"].as_str() {
                Some("AppBundle") => {
                    seen.0 += 1;
                    (&bundle_schema, model::parse_app_bundle(&v).map(drop))
                }
                Some("Environment") => {
                    seen.1 += 1;
                    (&env_schema, model::parse_environment(&v).map(drop))
                }
                other => panic!("{}: unexpected kind {other:?}", file.display()),
            };
            let errors: Vec<String> = validator
                .iter_errors(&v)
                .map(|e| format!("{} {e}", e.instance_path().as_str()))
                .collect();
            assert!(errors.is_empty(), "{}: {errors:?}", file.display());
            assert!(parsed.is_ok(), "{}: {parsed:?}", file.display());
        }
    }
    assert!(
        seen.0 >= 2 && seen.1 >= 1,
        "quickstart: {seen:?} bundles/environments"
    );
}

/// The integers the parser makes of integral floats are the right ones, and config values,
/// which may be any number, keep their float.
fn integral_floats_become_the_same_integers() {
    let v = yaml_value(
        "floats",
        &spec(
            "{owner: t, topics: [{name: a.v1, partitions: 6.0, replicas: 3e0, \
             config: {min.cleanable.dirty.ratio: 1.0, retention.ms: 6.048e8}}], \
             principals: [{name: p, quotas: {producerByteRate: 1e19, controllerMutationRate: 2.0}}]}",
        ),
    );
    let b = model::parse_app_bundle(&v).expect("parses");
    let t = &b.spec.topics[0];
    assert_eq!((t.partitions, t.replicas), (Some(6), Some(3)));
    let config = serde_json::to_value(&t.config).expect("config");
    assert!(config["min.cleanable.dirty.ratio"].is_f64(), "{config}");
    assert!(config["retention.ms"].is_f64(), "{config}");
    let q = b.spec.principals[0].quotas.as_ref().expect("quotas");
    assert_eq!(q.producer_byte_rate, Some(10_000_000_000_000_000_000));
    assert_eq!(q.controller_mutation_rate, Some(2.0));
}

register!(
    schema_and_parser_agree_on_every_example,
    example_names_are_unique,
    published_schemas_are_valid_draft_2020_12,
    binary_prints_the_published_schema,
    quickstart_examples_match_the_schema,
    integral_floats_become_the_same_integers
);
