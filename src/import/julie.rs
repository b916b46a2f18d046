//! Importing JulieOps topologies: reads descriptor files (and a plans file), emits one
//! AppBundle per project, and compares the ACLs JulieOps would create with the ones the
//! bundles render, reporting every difference.
//!
//! Followed from JulieOps' source (github.com/kafka-ops/julie, formerly purbon/julie):
//! - topic names: `ProjectImpl#namePrefix` (`context`, then the other top-level keys in file
//!   order, then the project name, joined by `topology.topic.prefix.separator`, default `.`)
//!   and `TopicImpl#defaultTopicStructureString` (prefix, topic name, then `dataType`);
//! - `num.partitions` / `replication.factor` default to 3 / 2 (`TopicImpl`), and are not
//!   topic configs (`TopicImpl#getRawConfig`);
//! - ACLs: `roles/acls/AclsBindingsBuilder.java`: consumers Describe+Read on the project
//!   prefix (prefixed) and Read on their group, `*` when none (`Consumer#groupString`);
//!   producers Describe+Write, transactional ids Describe+Write and cluster IdempotentWrite;
//!   Streams apps Read on inputs, Write on outputs, All on topics and Read on groups prefixed
//!   by the application id (else the project prefix); connectors Read+Write on their storage
//!   topics, Read on their group, cluster Create (`topology.connector.allow.topic.create`,
//!   default true), Read on read topics, Write on write topics.

mod topic;
mod users;
use super::report::{Place, Report, Severity};
use super::roles::{Ace, effective};
use super::strs;
use super::{Imported, bundle, sanitize_label};
use crate::diag::Code;
use crate::model::AppBundle;
use crate::model::bundle::{
    AclOperation, AclResource, AclResourceType, AclRule, Consumes, PatternType, Principal, Streams,
};
use crate::model::streams::StreamsApps;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use topic::*;
use users::*;

/// One descriptor, read.
pub struct Descriptor {
    pub file: String,
    pub value: Value,
}

/// What JulieOps would create, for the round trip: topics (name → partitions, replicas,
/// config) and ACL entries per Kafka principal.
#[derive(Debug, Default)]
pub struct Expected {
    pub topics: BTreeMap<String, (u32, u32, BTreeMap<String, String>)>,
    pub acls: BTreeMap<String, BTreeSet<Ace>>,
    /// JulieOps principal → the KafkaUser names it became.
    pub users: BTreeMap<String, Vec<String>>,
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// JulieOps' `*`-suffix convention (`evaluateResourcePattern`): `x*` is prefixed `x`.
fn julie_pattern(res: &str) -> (PatternType, String) {
    if res.len() > 1 && res.ends_with('*') {
        (PatternType::Prefix, res[..res.len() - 1].to_string())
    } else {
        (PatternType::Literal, res.to_string())
    }
}

pub(super) fn ace(ty: AclResourceType, pattern: PatternType, name: &str, op: AclOperation) -> Ace {
    Ace {
        resource_type: ty,
        pattern_type: pattern,
        name: (ty != AclResourceType::Cluster).then(|| name.to_string()),
        operation: op,
        host: "*".into(),
        allow: true,
    }
}

pub(super) fn raw(ty: AclResourceType, name: Option<&str>, ops: &[AclOperation]) -> AclRule {
    AclRule {
        resource: AclResource {
            resource_type: ty,
            name: name.map(str::to_string),
            pattern_type: name.map(|_| PatternType::Literal),
        },
        operations: ops.to_vec(),
        host: None,
        rule_type: None,
    }
}

struct Ctx<'a> {
    report: &'a mut Report,
    expected: Expected,
    /// KafkaUser name → (bundle index, principal index).
    users: BTreeMap<String, (usize, usize)>,
    bundles: Vec<AppBundle>,
}

impl Ctx<'_> {
    fn expect(&mut self, principal: &str, aces: impl IntoIterator<Item = Ace>) {
        self.expected
            .acls
            .entry(principal.to_string())
            .or_default()
            .extend(aces);
    }

    /// The principal of bundle `bi` for JulieOps principal `julie`: one per bundle; a
    /// principal of an earlier bundle is renamed (a KafkaUser belongs to one bundle).
    fn principal(&mut self, bi: usize, julie: &str, at: &Place, path: &str) -> &mut Principal {
        let base = sanitize_label(julie.strip_prefix("User:").unwrap_or(julie));
        let mut name = base.clone();
        if let Some(&(obi, _)) = self.users.get(&name)
            && obi != bi
        {
            name = sanitize_label(&format!("{base}-{}", self.bundles[bi].metadata.name));
            if !self.users.contains_key(&name) {
                self.report.push(
                    at,
                    path,
                    Severity::Warning,
                    Code::ImportDifference,
                    format!(
                        "{julie} is used by several projects; a kbundle principal belongs to one bundle, so this project's is {name:?}"
                    ),
                );
            }
        }
        if !self.users.contains_key(&name) {
            let list = self.expected.users.entry(julie.to_string()).or_default();
            list.push(name.clone());
            if julie.strip_prefix("User:") != Some(name.as_str()) && list.len() == 1 {
                self.report.push(
                    at,
                    path,
                    Severity::Warning,
                    Code::ImportDifference,
                    format!(
                        "principal {julie} becomes KafkaUser {name:?}: its Kafka principal is User:{name} (SCRAM) or User:CN={name} (TLS); set `authentication`"
                    ),
                );
            }
            let b = &mut self.bundles[bi];
            b.spec.principals.push(Principal {
                name: name.clone(),
                authentication: None,
                produces: Vec::new(),
                consumes: Vec::new(),
                streams: Default::default(),
                transactional_ids: Vec::new(),
                acls: Vec::new(),
                quotas: None,
            });
            self.users
                .insert(name.clone(), (bi, b.spec.principals.len() - 1));
        }
        let (b, p) = self.users[&name];
        &mut self.bundles[b].spec.principals[p]
    }
}

fn push_unique(v: &mut Vec<String>, s: String) {
    if !v.contains(&s) {
        v.push(s);
    }
}

/// Import descriptors (each one JulieOps topology) with an optional plans document.
pub fn import(
    descriptors: &[Descriptor],
    plans: Option<&Descriptor>,
    report: &mut Report,
) -> (Imported, Expected) {
    let mut ctx = Ctx {
        report,
        expected: Expected::default(),
        users: BTreeMap::new(),
        bundles: Vec::new(),
    };
    let plan_configs: BTreeMap<String, BTreeMap<String, String>> = plans
        .and_then(|p| p.value.get("plans"))
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    let config = v
                        .get("config")
                        .and_then(Value::as_object)
                        .map(|c| {
                            c.iter()
                                .filter_map(|(k, v)| text(v).map(|t| (k.clone(), t)))
                                .collect()
                        })
                        .unwrap_or_default();
                    (k.clone(), config)
                })
                .collect()
        })
        .unwrap_or_default();
    for d in descriptors {
        let at = Place {
            file: d.file.clone(),
            document: 0,
            object: "topology".into(),
        };
        let Some(top) = d.value.as_object() else {
            ctx.report.push(
                &at,
                "",
                Severity::Error,
                Code::ImportInvalid,
                "not a mapping",
            );
            continue;
        };
        let Some(context) = top.get("context").and_then(text) else {
            ctx.report.push(
                &at,
                "context",
                Severity::Error,
                Code::ImportInvalid,
                "missing `context`: JulieOps builds every topic name from it",
            );
            continue;
        };
        // `ProjectImpl#buildNamePrefix`: context, then the other keys in file order.
        let mut topology_prefix = context;
        for (k, v) in top {
            match k.as_str() {
                "context" | "projects" | "platform" => {}
                _ => match text(v) {
                    Some(t) => {
                        topology_prefix.push('.');
                        topology_prefix.push_str(&t);
                    }
                    None => ctx.report.push(
                        &at,
                        k.as_str(),
                        Severity::Warning,
                        Code::ImportUnmapped,
                        "not a scalar: JulieOps does not use it in names; not imported",
                    ),
                },
            }
        }
        if let Some(p) = top.get("platform").and_then(Value::as_object) {
            for (k, _) in p {
                ctx.report.push(
                    &at,
                    format!("platform.{k}"),
                    Severity::Warning,
                    Code::ImportUnmapped,
                    "platform principals (Schema Registry, ksqlDB, Control Center) are the platform team's, not an application's: not imported; grant them with the platform's own KafkaUsers",
                );
            }
        }
        for (pi, project) in top
            .get("projects")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            project_import(&mut ctx, &at, pi, project, &topology_prefix, &plan_configs);
        }
    }
    let at = Place {
        file: descriptors
            .first()
            .map(|d| d.file.clone())
            .unwrap_or_default(),
        document: 0,
        object: "acls".into(),
    };
    report_differences(&ctx.bundles, &ctx.expected, "JulieOps", &at, ctx.report);
    let expected = std::mem::take(&mut ctx.expected);
    (
        Imported {
            bundles: ctx.bundles,
            environment: None,
            files: Vec::new(),
        },
        expected,
    )
}

fn project_import(
    ctx: &mut Ctx,
    at: &Place,
    pi: usize,
    project: &Value,
    topology_prefix: &str,
    plans: &BTreeMap<String, BTreeMap<String, String>>,
) {
    use AclOperation::*;
    use AclResourceType::{Group, Topic as T};
    let ppath = format!("projects[{pi}]");
    let Some(name) = project.get("name").and_then(Value::as_str) else {
        ctx.report.push(
            at,
            format!("{ppath}.name"),
            Severity::Error,
            Code::ImportInvalid,
            "missing project name",
        );
        return;
    };
    let prefix = format!("{topology_prefix}.{name}");
    let bname = sanitize_label(name);
    let bi = match ctx.bundles.iter().position(|b| b.metadata.name == bname) {
        Some(i) => i,
        None => {
            ctx.bundles.push(bundle(&bname, name));
            ctx.bundles.len() - 1
        }
    };
    let Some(obj) = project.as_object() else {
        return;
    };
    for (key, v) in obj {
        let path = format!("{ppath}.{key}");
        match key.as_str() {
            "name" => {}
            "topics" => {
                for (ti, t) in v.as_array().into_iter().flatten().enumerate() {
                    topic_import(ctx, at, bi, &format!("{path}[{ti}]"), t, &prefix, plans);
                }
            }
            "consumers" => {
                for (i, c) in v.as_array().into_iter().flatten().enumerate() {
                    consumer(
                        ctx,
                        at,
                        bi,
                        &format!("{path}[{i}]"),
                        c,
                        &format!("{prefix}*"),
                    );
                }
            }
            "producers" => {
                for (i, c) in v.as_array().into_iter().flatten().enumerate() {
                    producer(
                        ctx,
                        at,
                        bi,
                        &format!("{path}[{i}]"),
                        c,
                        &format!("{prefix}*"),
                    );
                }
            }
            "streams" => {
                for (i, s) in v.as_array().into_iter().flatten().enumerate() {
                    let spath = format!("{path}[{i}]");
                    let Some(principal) = s.get("principal").and_then(Value::as_str) else {
                        ctx.report.push(
                            at,
                            spath,
                            Severity::Error,
                            Code::ImportInvalid,
                            "missing principal",
                        );
                        continue;
                    };
                    let app = s
                        .get("applicationId")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                        .unwrap_or_else(|| prefix.clone());
                    let reads = strs(s.pointer("/topics/read"));
                    let writes = strs(s.pointer("/topics/write"));
                    let mut aces = Vec::new();
                    for r in &reads {
                        aces.push(ace(T, PatternType::Literal, r, Read));
                    }
                    for w in &writes {
                        aces.push(ace(T, PatternType::Literal, w, Write));
                    }
                    aces.push(ace(T, PatternType::Prefix, &app, All));
                    aces.push(ace(Group, PatternType::Prefix, &app, Read));
                    ctx.expect(principal, aces);
                    let p = ctx.principal(bi, principal, at, &spath);
                    if !p.streams.is_empty() {
                        // A second Streams app of the same principal: its ACLs as raw rules.
                        for r in &reads {
                            p.acls.push(raw(T, Some(r), &[Read, Describe]));
                        }
                        for w in &writes {
                            p.acls.push(raw(T, Some(w), &[Write, Describe]));
                        }
                    } else {
                        p.streams = StreamsApps::One(Streams {
                            application_id: app,
                            processing_guarantee: None,
                            reads,
                            writes,
                        });
                    }
                    report_extra(
                        ctx,
                        at,
                        &spath,
                        s,
                        &["principal", "applicationId", "topics"],
                    );
                }
            }
            "connectors" => {
                let (list, artefacts) = match v {
                    Value::Array(a) => (a.clone(), None),
                    Value::Object(m) => (
                        m.get("access_control")
                            .and_then(Value::as_array)
                            .cloned()
                            .unwrap_or_default(),
                        m.get("artifacts").or_else(|| m.get("artefacts")),
                    ),
                    _ => (Vec::new(), None),
                };
                if let Some(a) = artefacts {
                    ctx.report.push(
                        at,
                        format!("{path}.artifacts"),
                        Severity::Warning,
                        Code::ImportUnmapped,
                        format!(
                            "{} connector artefact(s) not imported: declare them as `spec.connectors` (class, config) by hand",
                            a.as_array().map_or(0, Vec::len)
                        ),
                    );
                }
                for (i, c) in list.iter().enumerate() {
                    connector(ctx, at, bi, &format!("{path}[{i}]"), c);
                }
            }
            _ => ctx.report.push(
                at,
                path,
                Severity::Warning,
                Code::ImportUnmapped,
                format!("project field `{key}` is not imported (no kbundle equivalent here yet)"),
            ),
        }
    }
}

/// Report every ACL entry only one side has: what `peer` grants per principal (`expected`)
/// against what the bundles render with kbundle's own role expansion.
pub(super) fn report_differences(
    bundles: &[AppBundle],
    expected: &Expected,
    peer: &str,
    at: &Place,
    report: &mut Report,
) {
    let mut rendered: BTreeMap<String, BTreeSet<Ace>> = BTreeMap::new();
    for b in bundles {
        for p in &b.spec.principals {
            let rules: Vec<AclRule> =
                crate::backend::strimzi::acl::acls(&crate::plan::access::plan_user(p))
                    .into_iter()
                    .map(|a| AclRule {
                        resource: AclResource {
                            resource_type: a.resource_type,
                            name: a.name,
                            pattern_type: Some(a.pattern_type),
                        },
                        operations: a.operations.into_iter().collect(),
                        host: a.host,
                        rule_type: a.rule_type,
                    })
                    .collect();
            rendered.insert(p.name.clone(), effective(&rules));
        }
    }
    for (julie, want) in &expected.acls {
        let mut got = BTreeSet::new();
        for u in expected.users.get(julie).into_iter().flatten() {
            got.extend(rendered.get(u).into_iter().flatten().cloned());
        }
        for a in want.difference(&got) {
            let why = if a.name.as_deref() == Some("*") {
                " (the peer's over-grant: every group)"
            } else if a.resource_type == AclResourceType::Cluster
                && a.operation == AclOperation::DescribeConfigs
            {
                " (the peer's over-grant: cluster-wide DescribeConfigs)"
            } else if a.operation == AclOperation::All {
                " (kbundle's role lists what the client needs instead of All)"
            } else {
                ""
            };
            report.push(
                at,
                julie.as_str(),
                Severity::Warning,
                Code::ImportDifference,
                format!("{peer} grants {a}; the bundle does not{why}"),
            );
        }
        for a in got.difference(want) {
            report.push(
                at,
                julie.as_str(),
                Severity::Warning,
                Code::ImportDifference,
                format!("the bundle grants {a}; {peer} does not"),
            );
        }
    }
}
