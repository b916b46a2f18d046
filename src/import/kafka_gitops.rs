//! Importing kafka-gitops desired state: reads `state.yaml` (and the files its
//! `settings.files` names), emits one AppBundle per service, and compares the ACLs kafka-gitops
//! would create with the rendered ones, reporting every difference.
//!
//! Followed from kafka-gitops' source (github.com/devshawn/kafka-gitops,
//! `domain/state/service/*.java`, `domain/state/AbstractService.java`):
//! - `application`: Write on `produces`, Read on `consumes`, Read on group = service name;
//! - `kafka-streams`: Write/Read as above; on topics prefixed by `application-id` (default:
//!   the service name) Read, Write, Describe, Delete, Create, Alter, AlterConfigs,
//!   DescribeConfigs; on group `application-id` Read, Describe, Delete; cluster
//!   DescribeConfigs;
//! - `kafka-connect`: Write on `produces`; Read and Write on `connect-configs-<service>`,
//!   `connect-offsets-<service>`, `connect-status-<service>`; Read on group = service name;
//!   per connector Write on its `produces`, Read on its `consumes` and on group
//!   `connect-<connector>`.

use super::julie::{Expected, ace, report_differences};
use super::report::{Place, Report, Severity};
use super::strs;
use super::{Imported, bundle, sanitize_label};
use crate::diag::Code;
use crate::model::ConfigValue;
use crate::model::bundle::{
    AclOperation, AclResource, AclResourceType, AclRule, AclRuleType, Consumes, PatternType,
    Principal, Streams, Topic,
};
use crate::model::streams::StreamsApps;
use serde_json::Value;
use std::collections::BTreeMap;

/// The state file and the files it names, read.
pub struct State {
    pub file: String,
    pub value: Value,
}

fn scalar(v: &Value) -> Option<ConfigValue> {
    Some(match v {
        Value::Bool(b) => ConfigValue::Bool(*b),
        Value::Number(n) => n.as_i64().map(ConfigValue::Int)?,
        Value::String(s) => ConfigValue::String(s.clone()),
        _ => return None,
    })
}

fn empty_principal(name: &str) -> Principal {
    Principal {
        name: name.to_string(),
        authentication: None,
        produces: Vec::new(),
        consumes: Vec::new(),
        streams: Default::default(),
        transactional_ids: Vec::new(),
        acls: Vec::new(),
        quotas: None,
    }
}

fn custom_acl(v: &Value) -> Result<(AclRule, Option<String>), String> {
    let get = |k: &str| v.get(k).and_then(Value::as_str);
    let ty = match get("type").unwrap_or("") {
        "TOPIC" => AclResourceType::Topic,
        "GROUP" => AclResourceType::Group,
        "CLUSTER" => AclResourceType::Cluster,
        "TRANSACTIONAL_ID" => AclResourceType::TransactionalId,
        t => return Err(format!("resource type {t:?} is not one Strimzi ACLs hold")),
    };
    let pattern = match get("pattern").unwrap_or("LITERAL") {
        "LITERAL" => PatternType::Literal,
        "PREFIXED" => PatternType::Prefix,
        p => return Err(format!("pattern {p:?} is not LITERAL or PREFIXED")),
    };
    let op_text = get("operation").unwrap_or("");
    let camel: String = op_text
        .split('_')
        .map(|w| {
            let w = w.to_ascii_lowercase();
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect();
    let op: AclOperation = serde_json::from_value(Value::String(camel))
        .map_err(|_| format!("operation {op_text:?} is not a Kafka ACL operation"))?;
    let cluster = ty == AclResourceType::Cluster;
    Ok((
        AclRule {
            resource: AclResource {
                resource_type: ty,
                name: if cluster {
                    None
                } else {
                    get("name").map(str::to_string)
                },
                pattern_type: if cluster { None } else { Some(pattern) },
            },
            operations: vec![op],
            host: get("host").filter(|h| *h != "*").map(str::to_string),
            rule_type: (get("permission") == Some("DENY")).then_some(AclRuleType::Deny),
        },
        get("principal").map(str::to_string),
    ))
}

pub fn import(state: &[State], report: &mut Report) -> (Imported, Expected) {
    use AclOperation::*;
    use AclResourceType::{Cluster, Group, Topic as T};
    let lit = PatternType::Literal;
    let pre = PatternType::Prefix;
    let mut expected = Expected::default();
    let mut bundles = Vec::new();
    let mut topics: Vec<(Topic, Place)> = Vec::new();
    let mut default_replication: Option<u32> = None;
    let mut principal_of: BTreeMap<String, String> = BTreeMap::new();
    let mut custom: Vec<(String, Value, Place, bool)> = Vec::new();
    let mut env = super::environment::Settings {
        name: "imported".into(),
        ..Default::default()
    };
    // Users holding cluster-level custom ACLs: the platform's (kafka_gitops_env.rs).
    let admins: Vec<String> = state
        .iter()
        .filter_map(|s| s.value.get("customUserAcls").and_then(Value::as_object))
        .flatten()
        .filter(|(_, acls)| super::kafka_gitops_env::has_cluster_acl(acls))
        .map(|(k, _)| k.clone())
        .collect();
    for s in state {
        let at = Place {
            file: s.file.clone(),
            document: 0,
            object: "state".into(),
        };
        let Some(top) = s.value.as_object() else {
            report.push(
                &at,
                "",
                Severity::Error,
                Code::ImportInvalid,
                "not a mapping",
            );
            continue;
        };
        for (key, v) in top {
            match key.as_str() {
                "settings" => {
                    if let Some(r) = v
                        .pointer("/topics/defaults/replication")
                        .and_then(Value::as_u64)
                    {
                        default_replication = u32::try_from(r).ok();
                    }
                    super::kafka_gitops_env::settings(v, &mut env);
                    for (k, _) in v.as_object().into_iter().flatten() {
                        if k != "files" && k != "topics" {
                            report.push(
                                &at,
                                format!("settings.{k}"),
                                Severity::Warning,
                                Code::ImportUnmapped,
                                "kafka-gitops setting without a kbundle equivalent: not imported",
                            );
                        }
                    }
                    if v.pointer("/topics/blacklist").is_some() {
                        report.push(
                            &at,
                            "settings.topics.blacklist",
                            Severity::Info,
                            Code::ImportUnmapped,
                            "kbundle never deletes topics it does not declare; the ignored prefixes are the Environment's policy.reservedTopics",
                        );
                    }
                }
                "topics" => {
                    for (name, t) in v.as_object().into_iter().flatten() {
                        let tat = Place {
                            object: format!("topic/{name}"),
                            ..at.clone()
                        };
                        let partitions = t
                            .get("partitions")
                            .and_then(Value::as_u64)
                            .and_then(|n| u32::try_from(n).ok());
                        let replicas = t
                            .get("replication")
                            .and_then(Value::as_u64)
                            .and_then(|n| u32::try_from(n).ok());
                        let mut config = BTreeMap::new();
                        for (k, c) in t
                            .get("configs")
                            .and_then(Value::as_object)
                            .into_iter()
                            .flatten()
                        {
                            match scalar(c) {
                                Some(c) => {
                                    config.insert(k.clone(), c);
                                }
                                None => report.push(
                                    &tat,
                                    format!("topics.{name}.configs.{k}"),
                                    Severity::Error,
                                    Code::ImportInvalid,
                                    "not a string, integer or boolean",
                                ),
                            }
                        }
                        for (k, _) in t.as_object().into_iter().flatten() {
                            if !matches!(k.as_str(), "partitions" | "replication" | "configs") {
                                report.push(
                                    &tat,
                                    format!("topics.{name}.{k}"),
                                    Severity::Warning,
                                    Code::ImportUnmapped,
                                    "not imported",
                                );
                            }
                        }
                        topics.push((
                            Topic {
                                name: name.clone(),
                                object_name: None,
                                access: None,
                                partitions,
                                replicas,
                                config,
                                value_schema: None,
                                key_schema: None,
                                pii: Vec::new(),
                                deletion: None,
                            },
                            tat,
                        ));
                    }
                }
                "services" => {
                    for (name, svc) in v.as_object().into_iter().flatten() {
                        let sat = Place {
                            object: format!("service/{name}"),
                            ..at.clone()
                        };
                        let julie_principal = svc
                            .get("principal")
                            .and_then(Value::as_str)
                            .map(str::to_string)
                            .unwrap_or_else(|| format!("User:{name}"));
                        let user = sanitize_label(
                            julie_principal
                                .strip_prefix("User:")
                                .unwrap_or(&julie_principal),
                        );
                        principal_of.insert(name.clone(), julie_principal.clone());
                        expected
                            .users
                            .entry(julie_principal.clone())
                            .or_default()
                            .push(user.clone());
                        let mut b = bundle(&sanitize_label(name), name);
                        let mut p = empty_principal(&user);
                        let produces = strs(svc.get("produces"));
                        let consumes = strs(svc.get("consumes"));
                        let mut aces = Vec::new();
                        for t in &produces {
                            aces.push(ace(T, lit, t, Write));
                        }
                        let ty = svc.get("type").and_then(Value::as_str).unwrap_or("");
                        if ty != "kafka-connect" {
                            for t in &consumes {
                                aces.push(ace(T, lit, t, Read));
                            }
                        }
                        let mut known = vec!["type", "principal", "produces", "consumes"];
                        match ty {
                            "application" => {
                                if !consumes.is_empty() {
                                    aces.push(ace(Group, lit, name, Read));
                                }
                                p.produces = produces.clone();
                                if !consumes.is_empty() {
                                    p.consumes.push(Consumes {
                                        topics: consumes.clone(),
                                        group: Some(name.clone()),
                                    });
                                }
                            }
                            "kafka-streams" => {
                                known.push("application-id");
                                let app = svc
                                    .get("application-id")
                                    .and_then(Value::as_str)
                                    .unwrap_or(name)
                                    .to_string();
                                for op in [
                                    Read,
                                    Write,
                                    Describe,
                                    Delete,
                                    Create,
                                    Alter,
                                    AlterConfigs,
                                    DescribeConfigs,
                                ] {
                                    aces.push(ace(T, pre, &app, op));
                                }
                                for op in [Read, Describe, Delete] {
                                    aces.push(ace(Group, lit, &app, op));
                                }
                                aces.push(ace(Cluster, lit, "", DescribeConfigs));
                                p.streams = StreamsApps::One(Streams {
                                    application_id: app,
                                    processing_guarantee: None,
                                    reads: consumes.clone(),
                                    writes: produces.clone(),
                                });
                            }
                            "kafka-connect" => {
                                known.extend(["group-id", "storage-topics", "connectors"]);
                                let group = svc
                                    .get("group-id")
                                    .and_then(Value::as_str)
                                    .unwrap_or(name)
                                    .to_string();
                                let st = |k: &str, d: &str| {
                                    svc.pointer(&format!("/storage-topics/{k}"))
                                        .and_then(Value::as_str)
                                        .map(str::to_string)
                                        .unwrap_or_else(|| format!("{d}-{name}"))
                                };
                                let storage = [
                                    st("config", "connect-configs"),
                                    st("offset", "connect-offsets"),
                                    st("status", "connect-status"),
                                ];
                                for s in &storage {
                                    aces.push(ace(T, lit, s, Read));
                                    aces.push(ace(T, lit, s, Write));
                                }
                                aces.push(ace(Group, lit, &group, Read));
                                p.produces = produces.clone();
                                p.produces.extend(storage.iter().cloned());
                                p.consumes.push(Consumes {
                                    topics: storage.to_vec(),
                                    group: Some(group),
                                });
                                for (cname, c) in svc
                                    .get("connectors")
                                    .and_then(Value::as_object)
                                    .into_iter()
                                    .flatten()
                                {
                                    let cp = strs(c.get("produces"));
                                    let cc = strs(c.get("consumes"));
                                    for t in &cp {
                                        aces.push(ace(T, lit, t, Write));
                                        if !p.produces.contains(t) {
                                            p.produces.push(t.clone());
                                        }
                                    }
                                    for t in &cc {
                                        aces.push(ace(T, lit, t, Read));
                                    }
                                    if !cc.is_empty() {
                                        let g = format!("connect-{cname}");
                                        aces.push(ace(Group, lit, &g, Read));
                                        p.consumes.push(Consumes {
                                            topics: cc,
                                            group: Some(g),
                                        });
                                    }
                                    report.push(&sat, format!("services.{name}.connectors.{cname}"), Severity::Info, Code::ImportUnmapped, "access imported; the connector itself (class, config) lives in Kafka Connect, not in the state file: declare it in `spec.connectors`");
                                }
                            }
                            other => {
                                report.push(&sat, format!("services.{name}.type"), Severity::Error, Code::ImportInvalid, format!("unknown service type {other:?} (application, kafka-streams, kafka-connect)"));
                            }
                        }
                        for (k, _) in svc.as_object().into_iter().flatten() {
                            if !known.contains(&k.as_str()) {
                                report.push(
                                    &sat,
                                    format!("services.{name}.{k}"),
                                    Severity::Warning,
                                    Code::ImportUnmapped,
                                    "not imported",
                                );
                            }
                        }
                        expected
                            .acls
                            .entry(julie_principal)
                            .or_default()
                            .extend(aces);
                        b.spec.principals.push(p);
                        bundles.push(b);
                    }
                }
                "users" => {
                    for (name, u) in v.as_object().into_iter().flatten() {
                        let uat = Place {
                            object: format!("user/{name}"),
                            ..at.clone()
                        };
                        let principal = u
                            .get("principal")
                            .and_then(Value::as_str)
                            .map(str::to_string)
                            .unwrap_or_else(|| format!("User:{name}"));
                        principal_of.insert(name.clone(), principal.clone());
                        let roles = strs(u.get("roles"));
                        let role_acls =
                            super::kafka_gitops_env::roles_as_custom(name, &roles, &uat, report);
                        custom.push((name.clone(), Value::Object(role_acls), uat, true));
                    }
                }
                "customServiceAcls" | "customUserAcls" => {
                    for (owner, acls) in v.as_object().into_iter().flatten() {
                        let cat = Place {
                            object: format!("{key}/{owner}"),
                            ..at.clone()
                        };
                        custom.push((owner.clone(), acls.clone(), cat, key == "customUserAcls"));
                    }
                }
                _ => report.push(
                    &at,
                    key.as_str(),
                    Severity::Warning,
                    Code::ImportUnmapped,
                    "not imported",
                ),
            }
        }
    }
    // Users (and their custom ACLs) get a bundle of their own, `users`.
    let mut users_bundle = bundle("users", "platform");
    for (owner, acls, at, is_user) in custom {
        let principal = principal_of
            .get(&owner)
            .cloned()
            .unwrap_or_else(|| format!("User:{owner}"));
        let mut rules = Vec::new();
        for (rname, a) in acls.as_object().into_iter().flatten() {
            match custom_acl(a) {
                // kbundle refuses a literal `*` (KB136): every topic or group, now and later.
                // Not carried over, and said so.
                Ok((r, _))
                    if r.resource.name.as_deref() == Some("*")
                        && r.resource.pattern_type != Some(PatternType::Prefix) =>
                {
                    report.push(
                        &at,
                        rname.as_str(),
                        Severity::Warning,
                        Code::ImportDifference,
                        "a wildcard ACL (`*`, every resource of its type) is not imported: kbundle refuses it (KB136); grant the named topics or a prefix instead".to_string(),
                    );
                }
                Ok((r, p)) => {
                    let who = p.unwrap_or_else(|| principal.clone());
                    let entry = expected.acls.entry(who).or_default();
                    entry.extend(super::roles::effective(std::slice::from_ref(&r)));
                    rules.push(r);
                }
                Err(e) => report.push(&at, rname.as_str(), Severity::Error, Code::ImportInvalid, e),
            }
        }
        let lifted = super::roles::lift(&rules);
        let user = sanitize_label(principal.strip_prefix("User:").unwrap_or(&principal));
        if is_user && admins.contains(&owner) {
            if !env.platform_principals.iter().any(|p| p.name == user) {
                super::kafka_gitops_env::platform_user(&mut env, &owner, &principal, &at, report);
            }
            continue;
        }
        let target = if is_user {
            Some(&mut users_bundle)
        } else {
            bundles
                .iter_mut()
                .find(|b: &&mut crate::model::AppBundle| b.metadata.name == sanitize_label(&owner))
        };
        let Some(b) = target else {
            report.push(
                &at,
                "",
                Severity::Error,
                Code::ImportInvalid,
                format!("custom ACLs for {owner:?}, which is not a service"),
            );
            continue;
        };
        if !b.spec.principals.iter().any(|p| p.name == user) {
            b.spec.principals.push(empty_principal(&user));
            expected
                .users
                .entry(principal.clone())
                .or_default()
                .push(user.clone());
            expected.acls.entry(principal.clone()).or_default();
        }
        let Some(p) = b.spec.principals.iter_mut().find(|p| p.name == user) else {
            continue;
        };
        p.produces.extend(lifted.produces);
        p.consumes.extend(lifted.consumes);
        p.transactional_ids.extend(lifted.transactional_ids);
        p.acls.extend(lifted.acls);
    }
    if !users_bundle.spec.principals.is_empty() {
        bundles.push(users_bundle);
    }
    // Topics go to the bundle of the first service producing them, else `topics`.
    let mut topics_bundle = bundle("topics", "platform");
    for (mut t, at) in topics {
        if t.replicas.is_none() {
            t.replicas = default_replication;
        }
        if t.partitions.is_none() || t.replicas.is_none() {
            report.push(&at, format!("topics.{}", t.name), Severity::Error, Code::ImportInvalid, "partitions and replication (or settings.topics.defaults.replication) are required by kafka-gitops");
            continue;
        }
        expected.topics.insert(
            t.name.clone(),
            (
                t.partitions.unwrap_or(0),
                t.replicas.unwrap_or(0),
                t.config
                    .iter()
                    .map(|(k, v)| (k.clone(), v.as_text()))
                    .collect(),
            ),
        );
        let owner = bundles.iter_mut().find(|b| {
            b.spec.principals.iter().any(|p| {
                p.produces.contains(&t.name) || p.streams.iter().any(|s| s.writes.contains(&t.name))
            })
        });
        match owner {
            Some(b) => b.spec.topics.push(t),
            None => topics_bundle.spec.topics.push(t),
        }
    }
    if !topics_bundle.spec.topics.is_empty() {
        bundles.push(topics_bundle);
    }
    let at = Place {
        file: state.first().map(|s| s.file.clone()).unwrap_or_default(),
        document: 0,
        object: "acls".into(),
    };
    report_differences(&bundles, &expected, "kafka-gitops", &at, report);
    super::kafka_gitops_env::unreserve_used(&mut env, &bundles, &at, report);
    let environment = (!env.is_empty()).then(|| {
        let at = Place {
            object: "environment".into(),
            ..at.clone()
        };
        env.document(&Default::default(), &at, report)
    });
    (
        Imported {
            bundles,
            environment,
            files: Vec::new(),
        },
        expected,
    )
}
