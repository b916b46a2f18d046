//! What one side of a diff is, in Kafka's terms: the neutral plans of its bundles (defaults of
//! the Environment already resolved) plus the few facts the plan does not keep (PII markings,
//! the migrations' text, alerts and tests as written). Everything is keyed by name in sorted
//! maps, so the order of bundles, files, topics or keys in the sources never shows.

use crate::model::bundle::{Compatibility, SchemaType};
use crate::model::environment::Policy;
use crate::plan::{self, BundlePlan};
use crate::render::Prepared;
use crate::validate::CheckedBundle;
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub environment: String,
    /// The Environment's spec as JSON, flattened to `path → value` for the diff.
    pub env_spec: BTreeMap<String, String>,
    pub policy: Policy,
    pub bundles: BTreeMap<String, BundleSnap>,
}

#[derive(Debug, Clone, Default)]
pub struct BundleSnap {
    pub owner: String,
    pub namespace: Option<String>,
    pub topics: BTreeMap<String, TopicSnap>,
    pub principals: BTreeMap<String, PrincipalSnap>,
    pub subjects: BTreeMap<String, SubjectSnap>,
    pub connectors: BTreeMap<String, ConnectorSnap>,
    /// `topic field: rule` lines.
    pub masking: BTreeSet<String>,
    /// Migration file name → text.
    pub migrations: BTreeMap<String, String>,
    pub alerts: BTreeMap<String, BTreeMap<String, String>>,
    pub tests: BTreeMap<String, BTreeMap<String, String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TopicSnap {
    pub partitions: u32,
    pub replicas: u32,
    pub config: BTreeMap<String, Value>,
    pub retain: bool,
    pub pii: BTreeSet<String>,
    /// The owner's grants (`topics[].access`): `write bundle/principal`, `read bundle`.
    pub grants: BTreeSet<String>,
}

/// One permission: on which resource, by which pattern, what operation (a role's access such
/// as `produce`, or a raw ACL operation such as `Write`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Perm {
    pub resource: String,
    pub pattern: String,
    pub name: String,
    pub operation: String,
}

impl std::fmt::Display for Perm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Prefixes as the bundle writes them: `orders.*`.
        let star = if self.pattern == "prefix" { "*" } else { "" };
        write!(
            f,
            "{} on {} {}{star}",
            self.operation, self.resource, self.name
        )
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct PrincipalSnap {
    pub authentication: Option<String>,
    pub perms: BTreeSet<Perm>,
    pub quotas: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SubjectSnap {
    pub text: String,
    pub compatibility: Compatibility,
    pub avro: bool,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConnectorSnap {
    /// class, type, tasksMax, state, topics, `config.<key>`, `transform.<alias>.<key>`.
    pub fields: BTreeMap<String, String>,
}

/// Plan every bundle of a side that rendered.
pub fn of(p: &Prepared) -> Snapshot {
    let spec = &p.env.env.spec;
    let mut env_spec = BTreeMap::new();
    if let Ok(v) = serde_json::to_value(spec) {
        flatten("", &v, &mut env_spec);
    }
    Snapshot {
        environment: p.env.env.metadata.name.clone(),
        env_spec,
        policy: spec.policy.clone(),
        bundles: p
            .bundles
            .iter()
            .map(|b| {
                let plan = plan::plan_bundle(b, &p.env);
                (plan.name.clone(), bundle(b, &plan))
            })
            .collect(),
    }
}

/// A serde enum's name as it is written in YAML.
pub fn name_of<T: Serialize>(t: &T) -> String {
    match serde_json::to_value(t) {
        Ok(Value::String(s)) => s,
        Ok(v) => v.to_string(),
        Err(_) => String::new(),
    }
}

/// Show a value as YAML users wrote it: strings bare, everything else as JSON.
pub fn show(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `a.b[0].c → value` for every scalar; an empty list or map is kept as `[]`/`{}` so that
/// its appearance still shows.
pub fn flatten(prefix: &str, v: &Value, out: &mut BTreeMap<String, String>) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            for (k, v) in m {
                let p = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&p, v, out);
            }
        }
        Value::Array(a) if !a.is_empty() => {
            // Lists of named things (receivers, ...) are keyed by name, so that reordering
            // them is no change and a removal does not shift every later entry.
            let names: Option<Vec<&str>> = a
                .iter()
                .map(|v| v.get("name").and_then(Value::as_str))
                .collect();
            let unique = names
                .as_ref()
                .is_some_and(|n| n.iter().collect::<BTreeSet<_>>().len() == n.len());
            for (i, v) in a.iter().enumerate() {
                match names.as_ref().and_then(|n| n.get(i)).filter(|_| unique) {
                    Some(name) => {
                        let mut v = v.clone();
                        if let Some(m) = v.as_object_mut() {
                            m.remove("name");
                        }
                        flatten(&format!("{prefix}[{name}]"), &v, out);
                    }
                    None => flatten(&format!("{prefix}[{i}]"), v, out),
                }
            }
        }
        Value::Null => {}
        other => {
            out.insert(prefix.to_string(), show(other));
        }
    }
}

fn flat<T: Serialize>(t: &T) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if let Ok(v) = serde_json::to_value(t) {
        flatten("", &v, &mut out);
    }
    out
}

fn bundle(b: &CheckedBundle, plan: &BundlePlan) -> BundleSnap {
    let spec = &b.bundle.spec;
    let topics = plan
        .topics
        .iter()
        .map(|t| {
            let declared = spec.topics.iter().find(|m| m.name == t.topic_name);
            let pii = declared
                .map(|m| m.pii.iter().cloned().collect())
                .unwrap_or_default();
            let grants = declared
                .and_then(|m| m.access.as_ref())
                .map(|a| {
                    let w = a.write.iter().map(|g| format!("write {g}"));
                    let r = a.read.iter().map(|g| format!("read {g}"));
                    w.chain(r).collect()
                })
                .unwrap_or_default();
            (
                t.topic_name.clone(),
                TopicSnap {
                    partitions: t.partitions,
                    replicas: t.replicas,
                    config: t.config.clone(),
                    retain: t.retain,
                    pii,
                    grants,
                },
            )
        })
        .collect();
    let mut principals: BTreeMap<String, PrincipalSnap> = BTreeMap::new();
    for u in &plan.users {
        let mut perms = BTreeSet::new();
        for g in &u.grants {
            perms.insert(Perm {
                resource: g.resource_type.as_str().to_string(),
                pattern: name_of(&g.pattern_type),
                name: g.name.clone(),
                operation: name_of(&g.access),
            });
        }
        for a in &u.raw_acls {
            let deny = a.rule_type == Some(crate::model::bundle::AclRuleType::Deny);
            let host = a.host.as_deref().filter(|h| *h != "*");
            for op in &a.operations {
                let mut operation = name_of(op);
                if deny {
                    operation = format!("deny {operation}");
                }
                if let Some(h) = host {
                    operation = format!("{operation} from {h}");
                }
                perms.insert(Perm {
                    resource: a.resource.resource_type.as_str().to_string(),
                    pattern: a
                        .resource
                        .pattern_type
                        .map(|p| name_of(&p))
                        .unwrap_or_else(|| "literal".into()),
                    name: a
                        .resource
                        .name
                        .clone()
                        .unwrap_or_else(|| "kafka-cluster".into()),
                    operation,
                });
            }
        }
        principals.insert(
            u.name.clone(),
            PrincipalSnap {
                authentication: u.authentication.map(|a| name_of(&a)),
                perms,
                quotas: u.quotas.as_ref().map(flat).unwrap_or_default(),
            },
        );
    }
    let subjects = plan
        .subjects
        .iter()
        .map(|s| {
            let avro = spec
                .schemas
                .iter()
                .find(|m| m.name == s.schema)
                .is_none_or(|m| matches!(m.schema_type, None | Some(SchemaType::Avro)));
            (
                s.subject.clone(),
                SubjectSnap {
                    text: s.text.clone(),
                    compatibility: s.compatibility,
                    avro,
                },
            )
        })
        .collect();
    let connectors = plan
        .connectors
        .iter()
        .map(|c| {
            let mut fields = BTreeMap::new();
            fields.insert("class".to_string(), c.class.clone());
            fields.insert("type".to_string(), name_of(&c.connector_type));
            if let Some(t) = c.tasks_max {
                fields.insert("tasksMax".to_string(), t.to_string());
            }
            if let Some(s) = &c.state {
                fields.insert("state".to_string(), name_of(s));
            }
            if !c.topics.is_empty() {
                fields.insert("topics".to_string(), c.topics.join(","));
            }
            // The plan holds references (`${secrets:...}`), never secret values: the
            // credential policy admits nothing else into a connector's config.
            for (k, v) in &c.config {
                fields.insert(format!("config.{k}"), v.clone());
            }
            // The masking transforms kbundle puts in front, keyed by the fields they mask
            // rather than by their generated aliases (which renumber when a rule goes).
            for t in &c.transforms {
                let masked = t
                    .config
                    .get("fields")
                    .cloned()
                    .unwrap_or_else(|| t.alias.clone());
                let mut how = t.class.clone();
                for (k, v) in t.config.iter().filter(|(k, _)| k.as_str() != "fields") {
                    if k != "predicate" {
                        how.push_str(&format!(" {k}={v}"));
                    }
                }
                fields.insert(format!("masking.{masked}"), how);
            }
            (c.name.clone(), ConnectorSnap { fields })
        })
        .collect();
    let masking = spec
        .masking
        .iter()
        .flat_map(|m| {
            m.fields
                .iter()
                .map(move |f| format!("{} {}: {}", m.topic, f.path, name_of(&f.rule)))
        })
        .collect();
    let migrations = match &b.migrations {
        Some(Ok(files)) => files
            .iter()
            .map(|f| {
                let name = std::path::Path::new(&f.display)
                    .file_name()
                    .map(|n| n.to_string_lossy().to_string())
                    .unwrap_or_else(|| f.display.clone());
                (name, f.text.clone())
            })
            .collect(),
        _ => BTreeMap::new(),
    };
    BundleSnap {
        owner: plan.owner.clone(),
        namespace: plan.namespace.clone(),
        topics,
        principals,
        subjects,
        connectors,
        masking,
        migrations,
        alerts: spec
            .alerts
            .iter()
            .map(|a| (a.name.clone(), flat(a)))
            .collect(),
        tests: spec
            .tests
            .iter()
            .map(|t| (t.name.clone(), flat(t)))
            .collect(),
    }
}
