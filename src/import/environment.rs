//! The Environment an import writes next to the bundles: the platform settings the input carried
//! (platform principals, default replication, reserved topics, the Kafka cluster) and what the
//! imported bundles need to pass `kbundle check` (Schema Registry, ksqlDB, the hook image). A
//! value the input did not give is written as a placeholder and reported (KB176), never guessed
//! silently.

use super::report::{Place, Report, Severity};
use crate::diag::Code;
use crate::model::platform::PlatformPrincipal;
use serde_json::{Map, Value, json};

/// Values given on the command line (or read from the peer's own properties file).
#[derive(Debug, Clone, Default)]
pub struct Given {
    pub schema_registry_url: Option<String>,
    pub ksqldb_url: Option<String>,
    pub hook_image: Option<String>,
    pub ksqldb_image: Option<String>,
}

/// What the import collected for the Environment.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub name: String,
    pub cluster: Option<String>,
    pub connect_cluster: Option<String>,
    pub default_replicas: Option<u32>,
    pub reserved_topics: Vec<String>,
    pub platform_principals: Vec<PlatformPrincipal>,
    /// The bundles register schemas / run ksql migrations.
    pub needs_schemas: bool,
    pub needs_ksql: bool,
}

pub const PLACEHOLDER_URL_SR: &str = "https://schema-registry.invalid";
pub const PLACEHOLDER_URL_KSQL: &str = "https://ksqldb.invalid";
pub const PLACEHOLDER_IMAGE: &str = "replace-me.invalid/kbundle-hooks:set-me";

impl Settings {
    /// Whether there is anything to write.
    pub fn is_empty(&self) -> bool {
        self.cluster.is_none()
            && self.connect_cluster.is_none()
            && self.default_replicas.is_none()
            && self.reserved_topics.is_empty()
            && self.platform_principals.is_empty()
            && !self.needs_schemas
            && !self.needs_ksql
    }

    /// The Environment document; placeholders reported at `at`.
    pub fn document(&self, given: &Given, at: &Place, report: &mut Report) -> Value {
        let mut spec = Map::new();
        let mut placeholder = |field: &str, value: Option<&String>, fallback: &str, why: &str| {
            value.cloned().unwrap_or_else(|| {
                report.push(
                    at,
                    format!("environment.yaml spec.{field}"),
                    Severity::Warning,
                    Code::ImportPlaceholder,
                    format!("{why}; the input does not say, so environment.yaml holds the placeholder {fallback:?}: set it before rendering"),
                );
                fallback.to_string()
            })
        };
        let mut strimzi = Map::new();
        if let Some(c) = &self.cluster {
            strimzi.insert("cluster".into(), c.clone().into());
        }
        if let Some(c) = &self.connect_cluster {
            strimzi.insert("connectCluster".into(), super::sanitize_label(c).into());
        }
        if !strimzi.is_empty() {
            spec.insert("strimzi".into(), Value::Object(strimzi));
        }
        if let Some(r) = self.default_replicas {
            spec.insert("defaults".into(), json!({"replicas": r}));
        }
        let mut reserved = self.reserved_topics.clone();
        reserved.sort();
        reserved.dedup();
        if !reserved.is_empty() {
            spec.insert("policy".into(), json!({"reservedTopics": reserved}));
        }
        if self.needs_schemas {
            let url = placeholder(
                "schemaRegistry.url",
                given.schema_registry_url.as_ref(),
                PLACEHOLDER_URL_SR,
                "the bundles register schemas",
            );
            spec.insert("schemaRegistry".into(), json!({"url": url}));
        }
        if self.needs_ksql {
            let url = placeholder(
                "ksqldb.url",
                given.ksqldb_url.as_ref(),
                PLACEHOLDER_URL_KSQL,
                "the bundles run ksql migrations",
            );
            let image = placeholder(
                "ksqldb.image",
                given.ksqldb_image.as_ref(),
                PLACEHOLDER_IMAGE,
                "ksql migrations run in a Job with the ksql-migrations image",
            );
            spec.insert("ksqldb".into(), json!({"url": url, "image": image}));
        }
        if self.needs_schemas {
            let image = placeholder(
                "hooks.image",
                given.hook_image.as_ref(),
                PLACEHOLDER_IMAGE,
                "schemas are registered by a hook Job",
            );
            spec.insert("hooks".into(), json!({"image": image}));
        }
        if !self.platform_principals.is_empty() {
            let mut pps = self.platform_principals.clone();
            pps.sort_by(|a, b| a.name.cmp(&b.name));
            pps.dedup_by(|a, b| a.name == b.name);
            spec.insert(
                "platformPrincipals".into(),
                serde_json::to_value(pps).unwrap_or(Value::Null),
            );
        }
        json!({
            "apiVersion": crate::model::API_VERSION,
            "kind": "Environment",
            "metadata": {"name": super::sanitize_label(&self.name)},
            "spec": spec,
        })
    }
}
