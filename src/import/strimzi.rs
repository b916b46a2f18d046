//! Importing Strimzi objects: reads `KafkaTopic`, `KafkaUser` and `KafkaConnector` objects
//! (`kafka.strimzi.io/v1` or `v1beta2`), emits AppBundles grouped by an owner label or by topic
//! prefix, and an Environment naming the Kafka and Connect clusters. Rendering the result gives
//! back the input objects: KafkaTopic names are kept (`objectName` where kbundle would derive
//! another), ACLs are lifted into roles where they match one exactly (`super::roles`).

use super::report::{Place, Report, Severity};
use super::{Imported, Taken, bundle, sanitize_label};
use crate::diag::Code;
use crate::model::bundle::{
    AclRule, Authentication, Connector, ConnectorState, ConnectorType, Principal, Quotas, Topic,
};
use crate::model::environment::StrimziApiVersion;
use crate::model::labels::{MANAGED_BY, OWNER, PART_OF};
use crate::model::{AppBundle, ConfigValue};
use crate::names::topic_object_name;
use crate::source::Item;
use serde_json::Value;
use std::collections::BTreeMap;

/// Label of the Kafka (or KafkaConnect) cluster an object belongs to.
const CLUSTER_LABEL: &str = "strimzi.io/cluster";

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GroupBy {
    /// One bundle per value of `--label` (default `kbundle.dev/owner`); objects without it
    /// are grouped by prefix.
    Label,
    /// One bundle per topic prefix (the name up to its first `.`, `-` or `_`); users and
    /// connectors join the bundle of the first topic they use.
    Prefix,
}

#[derive(Debug, Clone)]
pub struct Options {
    pub group_by: GroupBy,
    pub label: String,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            group_by: GroupBy::Label,
            label: OWNER.to_string(),
        }
    }
}

enum Object {
    Topic(Topic),
    User(Principal),
    Connector(Connector),
}

struct Read {
    object: Object,
    label: Option<String>,
    namespace: Option<String>,
    place: Place,
}

/// Whether `item` is an object seen already (same kind, namespace and name): one object in a
/// cluster, so a second copy is imported once when identical, and an error when it differs
/// (which one the cluster holds cannot be told).
fn duplicate(
    seen: &mut BTreeMap<(String, String, String), (Place, Value)>,
    item: &Item,
    kind: &str,
    name: &str,
    place: &Place,
    report: &mut Report,
) -> bool {
    let ns = item
        .value
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let key = (kind.to_string(), ns, name.to_string());
    let Some((first, value)) = seen.get(&key) else {
        seen.insert(key, (place.clone(), item.value.clone()));
        return false;
    };
    let (severity, code, what) = if *value == item.value {
        (
            Severity::Warning,
            Code::ImportDifference,
            "an identical copy: imported once",
        )
    } else {
        (
            Severity::Error,
            Code::ImportInvalid,
            "a different object of the same kind, namespace and name: a cluster holds only one; import the one it runs",
        )
    };
    report.push(
        place,
        "metadata.name",
        severity,
        code,
        format!(
            "{kind}/{name} is in {}#{} already; {what}",
            first.file, first.document
        ),
    );
    true
}

/// Import the objects of `items`. Errors are in the report; the bundles are then not usable.
pub fn import(items: &[Item], opts: &Options, report: &mut Report) -> Imported {
    let mut read = Vec::new();
    let mut clusters: BTreeMap<String, Place> = BTreeMap::new();
    let mut connect_clusters: BTreeMap<String, Place> = BTreeMap::new();
    let mut api_versions: BTreeMap<String, Place> = BTreeMap::new();
    let mut seen = BTreeMap::new();
    for item in items {
        let file = item.origin.file.clone().unwrap_or_else(|| "<stdin>".into());
        let kind = item.value.get("kind").and_then(Value::as_str).unwrap_or("");
        let name = item
            .value
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("");
        let place = Place {
            file,
            document: item.origin.index,
            object: format!("{kind}/{name}"),
        };
        let api = item
            .value
            .get("apiVersion")
            .and_then(Value::as_str)
            .unwrap_or("");
        if !api.starts_with("kafka.strimzi.io/") {
            report.push(
                &place,
                "",
                Severity::Warning,
                Code::ImportUnmapped,
                format!("{api} {kind} is not a Strimzi object; not imported"),
            );
            continue;
        }
        if !matches!(kind, "KafkaTopic" | "KafkaUser" | "KafkaConnector") {
            report.push(
                &place,
                "",
                Severity::Warning,
                Code::ImportUnmapped,
                format!(
                    "{kind} is platform infrastructure, not application configuration: not imported (an Environment names the clusters)"
                ),
            );
            continue;
        }
        if name.is_empty() {
            report.push(
                &place,
                "metadata.name",
                Severity::Error,
                Code::ImportInvalid,
                "missing metadata.name",
            );
            continue;
        }
        if duplicate(&mut seen, item, kind, name, &place, report) {
            continue;
        }
        api_versions.entry(api.to_string()).or_insert(place.clone());
        let mut t = Taken::new(item.value.clone());
        t.take("apiVersion");
        t.take("kind");
        t.take("metadata.name");
        let namespace = t.take_str("metadata.namespace");
        let cluster = t.take_str(&format!("metadata.labels.{CLUSTER_LABEL}"));
        let label = if opts.group_by == GroupBy::Label {
            t.take_str(&format!("metadata.labels.{}", opts.label))
        } else {
            None
        };
        // kbundle writes these itself on every object it renders.
        for l in [MANAGED_BY, PART_OF, OWNER] {
            if t.take(&format!("metadata.labels.{l}")).is_some() {
                report.push(
                    &place,
                    format!("metadata.labels.{l}"),
                    Severity::Info,
                    Code::ImportUnmapped,
                    "kbundle sets this label on what it renders",
                );
            }
        }
        let object = match kind {
            "KafkaTopic" => read_topic(&mut t, name, &place, report).map(Object::Topic),
            "KafkaUser" => read_user(&mut t, name, &place, report).map(Object::User),
            _ => read_connector(&mut t, name, &place, report).map(Object::Connector),
        };
        if let Some(c) = cluster {
            let map = if kind == "KafkaConnector" {
                &mut connect_clusters
            } else {
                &mut clusters
            };
            map.entry(c).or_insert(place.clone());
        } else if kind != "KafkaConnector" {
            report.push(
                &place,
                format!("metadata.labels.{CLUSTER_LABEL}"),
                Severity::Warning,
                Code::ImportDifference,
                "no cluster label: the object is rendered for the Environment's cluster",
            );
        }
        t.report_rest(&place, report);
        if let Some(object) = object {
            read.push(Read {
                object,
                label,
                namespace,
                place,
            });
        }
    }
    for (what, map) in [
        ("Kafka clusters", &clusters),
        ("Kafka Connect clusters", &connect_clusters),
        ("apiVersions", &api_versions),
    ] {
        if map.len() > 1 {
            let names: Vec<&str> = map.keys().map(String::as_str).collect();
            for place in map.values().skip(1) {
                report.push(
                    place,
                    "",
                    Severity::Error,
                    Code::ImportInvalid,
                    format!(
                        "the input spans several {what} ({}); one Environment holds one: import each separately",
                        names.join(", ")
                    ),
                );
            }
        }
    }
    let bundles = group(read, report);
    let cluster = clusters.keys().next().cloned();
    let mut strimzi = serde_json::Map::new();
    if let Some(c) = &cluster {
        strimzi.insert("cluster".into(), c.clone().into());
    }
    if api_versions.keys().next().map(String::as_str) == Some(StrimziApiVersion::V1beta2.as_str()) {
        strimzi.insert(
            "apiVersion".into(),
            StrimziApiVersion::V1beta2.as_str().into(),
        );
    }
    if let Some(c) = connect_clusters.keys().next() {
        strimzi.insert("connectCluster".into(), c.clone().into());
    }
    let environment = serde_json::json!({
        "apiVersion": crate::model::API_VERSION,
        "kind": "Environment",
        "metadata": {"name": sanitize_label(cluster.as_deref().unwrap_or("imported"))},
        "spec": {"strimzi": strimzi},
    });
    Imported {
        bundles,
        environment: Some(environment),
        files: Vec::new(),
    }
}

fn read_topic(t: &mut Taken, name: &str, at: &Place, report: &mut Report) -> Option<Topic> {
    let topic_name = t
        .take_str("spec.topicName")
        .unwrap_or_else(|| name.to_string());
    let partitions = t.take_u32("spec.partitions", at, report);
    let replicas = t.take_u32("spec.replicas", at, report);
    for (field, v) in [("partitions", partitions), ("replicas", replicas)] {
        if v.is_none() {
            report.push(
                at,
                format!("spec.{field}"),
                Severity::Warning,
                Code::ImportDifference,
                format!(
                    "unset: Strimzi leaves it to the broker default; kbundle renders the Environment's defaults.{field}"
                ),
            );
        }
    }
    let config = t.take_config("spec.config", at, report);
    // Adopting a topic must not rename its resource: keep the name when kbundle would
    // derive another one.
    let object_name = (topic_object_name(&topic_name) != name).then(|| name.to_string());
    Some(Topic {
        name: topic_name,
        object_name,
        access: None,
        partitions,
        replicas,
        config,
        value_schema: None,
        key_schema: None,
        pii: Vec::new(),
        deletion: None,
    })
}

fn read_user(t: &mut Taken, name: &str, at: &Place, report: &mut Report) -> Option<Principal> {
    let authentication = match t.peek_str("spec.authentication.type").as_deref() {
        None => None,
        Some("tls") => Some(Authentication::Tls),
        Some("tls-external") => Some(Authentication::TlsExternal),
        Some("scram-sha-512") => Some(Authentication::ScramSha512),
        Some(other) => {
            report.push(
                at,
                "spec.authentication.type",
                Severity::Warning,
                Code::ImportUnmapped,
                format!(
                    "authentication type {other:?} has no kbundle equivalent (tls, tls-external, scram-sha-512); the user is imported without authentication"
                ),
            );
            None
        }
    };
    if authentication.is_some() {
        t.take("spec.authentication.type");
    }
    let mut rules: Vec<AclRule> = Vec::new();
    match t.peek_str("spec.authorization.type").as_deref() {
        None => {}
        Some("simple") => {
            t.take("spec.authorization.type");
            if let Some(Value::Array(acls)) = t.take("spec.authorization.acls") {
                for (i, mut a) in acls.into_iter().enumerate() {
                    // v1beta2's deprecated single `operation`.
                    if let Some(obj) = a.as_object_mut()
                        && !obj.contains_key("operations")
                        && let Some(op) = obj.remove("operation")
                    {
                        obj.insert("operations".into(), Value::Array(vec![op]));
                    }
                    match serde_json::from_value::<AclRule>(a) {
                        Ok(r) => rules.push(r),
                        Err(e) => report.push(
                            at,
                            format!("spec.authorization.acls[{i}]"),
                            Severity::Error,
                            Code::ImportInvalid,
                            format!("cannot read this ACL rule: {e}"),
                        ),
                    }
                }
            }
        }
        Some(other) => report.push(
            at,
            "spec.authorization.type",
            Severity::Warning,
            Code::ImportUnmapped,
            format!("authorization type {other:?} is not imported: kbundle writes simple ACLs"),
        ),
    }
    let lifted = super::roles::lift(&rules);
    let quotas = match t.take("spec.quotas") {
        None => None,
        Some(q) => match serde_json::from_value::<Quotas>(q) {
            Ok(q) => Some(q),
            Err(e) => {
                report.push(
                    at,
                    "spec.quotas",
                    Severity::Error,
                    Code::ImportInvalid,
                    format!("cannot read the quotas: {e}"),
                );
                None
            }
        },
    };
    Some(Principal {
        name: name.to_string(),
        authentication,
        produces: lifted.produces,
        consumes: lifted.consumes,
        streams: Default::default(),
        transactional_ids: lifted.transactional_ids,
        acls: lifted.acls,
        quotas,
    })
}

fn read_connector(t: &mut Taken, name: &str, at: &Place, report: &mut Report) -> Option<Connector> {
    let Some(class) = t.take_str("spec.class") else {
        report.push(
            at,
            "spec.class",
            Severity::Error,
            Code::ImportInvalid,
            "missing spec.class",
        );
        return None;
    };
    let tasks_max = t.take_u32("spec.tasksMax", at, report);
    let mut config = t.take_config("spec.config", at, report);
    let mut state = match t.take_str("spec.state").as_deref() {
        None => None,
        Some("running") => Some(ConnectorState::Running),
        Some("paused") => Some(ConnectorState::Paused),
        Some("stopped") => Some(ConnectorState::Stopped),
        Some(other) => {
            report.push(
                at,
                "spec.state",
                Severity::Error,
                Code::ImportInvalid,
                format!("unknown state {other:?} (running, paused, stopped)"),
            );
            None
        }
    };
    if let Some(Value::Bool(p)) = t.take("spec.pause") {
        if p && state.is_none() {
            state = Some(ConnectorState::Paused);
        }
        report.push(
            at,
            "spec.pause",
            Severity::Info,
            Code::ImportUnmapped,
            "the deprecated `pause` is written as `state`",
        );
    }
    let connector_type = ConnectorType::from_class(&class);
    let mut topics = Vec::new();
    if connector_type == Some(ConnectorType::Sink)
        && let Some(v) = config.remove("topics")
    {
        topics = v
            .as_text()
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
    }
    for key in ["connector.class", "tasks.max", "name"] {
        if let Some(v) = config.remove(key) {
            report.push(
                at,
                format!("spec.config.{key}"),
                Severity::Warning,
                Code::ImportDifference,
                format!(
                    "{:?}: kbundle sets this key from the connector's name, class and tasksMax",
                    v.as_text()
                ),
            );
        }
    }
    for (k, v) in &config {
        if let ConfigValue::String(s) = v
            && (s.contains("{{") || s.contains("{%") || s.contains("{#"))
        {
            report.push(
                at,
                format!("spec.config.{k}"),
                Severity::Warning,
                Code::ImportDifference,
                "the value holds template delimiters, which kbundle reads as a connector config template",
            );
        }
    }
    Some(Connector {
        name: name.to_string(),
        class,
        connector_type: None,
        tasks_max,
        topics,
        config,
        state,
    })
}

/// The first `.`/`-`/`_`-separated part of a name, as a bundle name.
fn prefix(name: &str) -> String {
    let first = name.split(['.', '-', '_']).next().unwrap_or(name);
    sanitize_label(if first.is_empty() { name } else { first })
}

/// Whether a kbundle pattern (`name` or `prefix*`) covers a topic.
fn covers(pattern: &str, topic: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(p) => topic.starts_with(p),
        None => pattern == topic,
    }
}

fn group(read: Vec<Read>, report: &mut Report) -> Vec<AppBundle> {
    // Topics first: users and connectors join the bundle of a topic they use.
    let mut topic_group: Vec<(String, String)> = Vec::new();
    let mut keyed: Vec<(String, Read)> = Vec::new();
    for r in read {
        let key = match (&r.label, &r.object) {
            (Some(l), _) => l.clone(),
            (None, Object::Topic(t)) => prefix(&t.name),
            _ => String::new(),
        };
        if let Object::Topic(t) = &r.object {
            topic_group.push((t.name.clone(), key.clone()));
        }
        keyed.push((key, r));
    }
    let group_of = |patterns: &[&str]| {
        patterns.iter().find_map(|p| {
            topic_group
                .iter()
                .find(|(t, _)| covers(p, t))
                .map(|(_, g)| g.clone())
        })
    };
    let mut groups: BTreeMap<String, Vec<Read>> = BTreeMap::new();
    for (key, r) in keyed {
        let key = if !key.is_empty() {
            key
        } else {
            match &r.object {
                Object::User(p) => {
                    let mut used: Vec<&str> = p.produces.iter().map(String::as_str).collect();
                    for c in &p.consumes {
                        used.extend(c.topics.iter().map(String::as_str));
                    }
                    group_of(&used).unwrap_or_else(|| prefix(&p.name))
                }
                Object::Connector(c) => {
                    let mut used: Vec<String> = c.topics.clone();
                    for k in ["topic", "topic.prefix", "kafka.topic"] {
                        if let Some(v) = c.config.get(k) {
                            let v = v.as_text();
                            used.push(if k == "topic.prefix" {
                                format!("{v}*")
                            } else {
                                v
                            });
                        }
                    }
                    let used: Vec<&str> = used.iter().map(String::as_str).collect();
                    group_of(&used).unwrap_or_else(|| prefix(&c.name))
                }
                Object::Topic(t) => prefix(&t.name),
            }
        };
        groups.entry(key).or_default().push(r);
    }
    let mut out = Vec::new();
    for (owner, members) in groups {
        let name = sanitize_label(&owner);
        let mut b = bundle(&name, &owner);
        let mut namespace: Option<String> = None;
        for r in members {
            match (&namespace, &r.namespace) {
                (None, Some(ns)) => namespace = Some(ns.clone()),
                (Some(a), Some(ns)) if a != ns => report.push(
                    &r.place,
                    "metadata.namespace",
                    Severity::Warning,
                    Code::ImportDifference,
                    format!(
                        "bundle {name:?} holds objects of namespace {a:?}; this one ({ns:?}) is rendered there too"
                    ),
                ),
                _ => {}
            }
            match r.object {
                Object::Topic(t) => b.spec.topics.push(t),
                Object::User(p) => b.spec.principals.push(p),
                Object::Connector(c) => b.spec.connectors.push(c),
            }
        }
        b.metadata.namespace = namespace;
        b.spec.topics.sort_by(|a, b| a.name.cmp(&b.name));
        b.spec.principals.sort_by(|a, b| a.name.cmp(&b.name));
        b.spec.connectors.sort_by(|a, b| a.name.cmp(&b.name));
        out.push(b);
    }
    out
}
