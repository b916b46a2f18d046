//! The Confluent for Kubernetes (CFK) backend: the neutral plan as `platform.confluent.io/v1beta1`
//! `KafkaTopic`, `Schema` (+ its `ConfigMap`), `Connector` and `ConfluentRolebinding` objects
//! (docs/reference/confluent.md). CFK registers schemas itself, so there are no registration
//! Jobs; the offline compatibility check still runs at render time (validate::schemas). What CFK
//! cannot express (quotas, user creation, raw ACLs) is refused by [`check`], never dropped.

pub mod check;
pub mod connect;
pub mod connect_access;
pub mod rolebinding;
pub mod schema_registry;

use crate::backend::shared::jobs::SYNC_WAVE;
use crate::backend::shared::registration::SCHEMA_WAVE;
use crate::backend::shared::{self, object_meta};
use crate::backend::strimzi::RETAIN_OPTIONS;
use crate::diag::Diagnostic;
use crate::model::environment::{ConfluentSettings, EnvironmentSpec};
use crate::model::labels::labels;
use crate::names::topic_object_name;
use crate::plan::alerts::AlertCondition;
use crate::plan::schemas::SubjectPlan;
use crate::derive::schemas::compatibility_name;
use crate::plan::{BundlePlan, TopicPlan};
use crate::validate::EnvInput;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// The CFK API group and version of every kind this backend writes.
pub const API_VERSION: &str = "platform.confluent.io/v1beta1";

/// The CFK backend.
pub struct Confluent;

impl super::Backend for Confluent {
    fn check_environment(&self, env: &EnvInput, out: &mut Vec<Diagnostic>) {
        check::check_environment(env, out);
    }

    fn check_bundle(
        &self,
        bundle: &crate::validate::BundleInput,
        env: &EnvInput,
        out: &mut Vec<Diagnostic>,
    ) {
        check::check_bundle(bundle, env, out);
    }

    /// Topics, schemas, connectors, role bindings, then what every backend emits (without
    /// registration Jobs: the Schema objects register).
    fn objects(&self, plan: &BundlePlan, env: &EnvironmentSpec) -> Vec<Value> {
        let settings = env.confluent.clone().unwrap_or_default();
        let ns = plan.namespace.as_deref();
        let mut out = Vec::new();
        for t in &plan.topics {
            out.push(kafka_topic(plan, t, &settings));
        }
        for s in &plan.subjects {
            out.push(schema_config_map(plan, s));
            out.push(schema(plan, s, &settings));
        }
        for c in &plan.connectors {
            let mut v = connect::connector(&plan.name, &plan.owner, ns, c, &settings);
            if let Some(p) = plan
                .connector_principals
                .iter()
                .find(|p| p.connector == c.name)
            {
                connect_access::add_overrides(&mut v, p);
            }
            out.push(v);
        }
        out.extend(rolebinding::role_bindings(plan, &settings));
        shared::common_objects(plan, env, &|c| self.alert_expr(c), false, &mut out);
        out
    }

    /// CFK ships no Kafka Exporter; the same exporter metric names are used and the platform
    /// runs one (docs/reference/confluent.md, "Alerts").
    fn alert_expr(&self, condition: &AlertCondition) -> String {
        crate::backend::strimzi::metrics::expr(condition)
    }

    fn config_reference(&self) -> crate::template::ReferenceSyntax {
        connect::config_reference
    }
}

/// A reference `{name}` to a CFK object in the generated objects' own namespace.
fn reference(name: &str) -> Value {
    json!({ "name": name })
}

/// The cluster a KafkaTopic or role binding is created through: the KafkaRestClass when set,
/// else the Kafka cluster (validation requires exactly one, KB150).
fn cluster_ref(settings: &ConfluentSettings) -> (&'static str, Option<&str>) {
    match (&settings.kafka_rest_class_ref, &settings.kafka_cluster_ref) {
        (Some(r), _) => ("kafkaRestClassRef", Some(r.as_str())),
        (None, Some(c)) => ("kafkaClusterRef", Some(c.as_str())),
        (None, None) => ("kafkaRestClassRef", None),
    }
}

/// CFK's `configs` are a string map: numbers and booleans become their text.
fn config_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn retain(meta: &mut BTreeMap<String, String>) {
    meta.insert(
        "argocd.argoproj.io/sync-options".to_string(),
        RETAIN_OPTIONS.to_string(),
    );
}

fn with_annotations(
    mut meta: k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
    annotations: BTreeMap<String, String>,
) -> Value {
    if !annotations.is_empty() {
        meta.annotations = Some(annotations);
    }
    serde_json::to_value(&meta).unwrap_or(Value::Null)
}

fn kafka_topic(plan: &BundlePlan, t: &TopicPlan, settings: &ConfluentSettings) -> Value {
    let meta = object_meta(
        &t.object_name,
        plan.namespace.as_deref(),
        labels(&plan.name, &plan.owner),
    );
    let mut annotations = BTreeMap::new();
    if t.retain {
        retain(&mut annotations);
    }
    let mut spec = Map::new();
    spec.insert("name".into(), json!(t.topic_name));
    spec.insert("partitionCount".into(), json!(t.partitions));
    spec.insert("replicas".into(), json!(t.replicas));
    if !t.config.is_empty() {
        let configs: BTreeMap<&str, String> = t
            .config
            .iter()
            .map(|(k, v)| (k.as_str(), config_string(v)))
            .collect();
        spec.insert("configs".into(), json!(configs));
    }
    if let (key, Some(name)) = cluster_ref(settings) {
        spec.insert(key.into(), reference(name));
    }
    json!({
        "apiVersion": API_VERSION,
        "kind": "KafkaTopic",
        "metadata": with_annotations(meta, annotations),
        "spec": Value::Object(spec),
    })
}

/// `metadata.name` of the Schema object of a subject; its ConfigMap is `<bundle>-schema-<that>`.
pub fn schema_object_name(subject: &str) -> String {
    topic_object_name(subject)
}

fn schema_config_map_name(plan: &BundlePlan, s: &SubjectPlan) -> String {
    format!("{}-schema-{}", plan.name, schema_object_name(&s.subject))
}

fn wave(annotations: &mut BTreeMap<String, String>, wave: i32) {
    annotations.insert(SYNC_WAVE.to_string(), wave.to_string());
}

/// The ConfigMap CFK reads the schema text from (key `schema`).
fn schema_config_map(plan: &BundlePlan, s: &SubjectPlan) -> Value {
    let meta = object_meta(
        &schema_config_map_name(plan, s),
        plan.namespace.as_deref(),
        labels(&plan.name, &plan.owner),
    );
    let mut annotations = BTreeMap::new();
    wave(&mut annotations, SCHEMA_WAVE);
    json!({
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": with_annotations(meta, annotations),
        "data": {"schema": s.text},
    })
}

/// The Schema object: CFK registers `data` under subject `spec.name` with the compatibility
/// level. Deleting a Schema object makes CFK delete the subject, so it carries the same
/// protection as topics (DESIGN §3).
fn schema(plan: &BundlePlan, s: &SubjectPlan, settings: &ConfluentSettings) -> Value {
    let meta = object_meta(
        &schema_object_name(&s.subject),
        plan.namespace.as_deref(),
        labels(&plan.name, &plan.owner),
    );
    let mut annotations = BTreeMap::new();
    wave(&mut annotations, SCHEMA_WAVE);
    retain(&mut annotations);
    let mut spec = Map::new();
    spec.insert("name".into(), json!(s.subject));
    spec.insert(
        "data".into(),
        json!({"configRef": schema_config_map_name(plan, s), "format": "avro"}),
    );
    spec.insert(
        "compatibilityLevel".into(),
        json!(compatibility_name(s.compatibility)),
    );
    if let Some((key, value)) = schema_registry::registry_ref(settings) {
        spec.insert(key.into(), value);
    }
    json!({
        "apiVersion": API_VERSION,
        "kind": "Schema",
        "metadata": with_annotations(meta, annotations),
        "spec": Value::Object(spec),
    })
}
