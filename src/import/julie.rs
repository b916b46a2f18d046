//! Importing JulieOps topologies: reads descriptor files (and a plans file), emits one
//! AppBundle per project, and compares the ACLs JulieOps would create with the ones the
//! bundles render, reporting every difference.
//!
//! Followed from JulieOps' source (github.com/kafka-ops/julie, formerly purbon/julie):
//! - topic names: `naming.rs` (`ProjectImpl#namePrefix`, `Topic#toString`, the prefix-format
//!   settings);
//! - `num.partitions` / `replication.factor` default to 3 / 2 (`TopicImpl`), and are not
//!   topic configs (`TopicImpl#getRawConfig`);
//! - ACLs: `roles/acls/AclsBindingsBuilder.java`: consumers Describe+Read on each project topic
//!   (`AccessControlManager`; on the project prefix with `topology.acls.optimized`, see
//!   `naming`) and Read on their group, `*` when none (`Consumer#groupString`);
//!   producers Describe+Write, transactional ids Describe+Write and cluster IdempotentWrite;
//!   Streams apps Read on inputs, Write on outputs, All on topics and Read on groups prefixed
//!   by the application id (else the project prefix); connectors Read+Write on their storage
//!   topics, Read on their group, cluster Create (`topology.connector.allow.topic.create`,
//!   default true), Read on read topics, Write on write topics.

mod artefacts;
pub mod naming;
mod platform;
mod project;
mod schemas;
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
use naming::{Naming, ProjectNames};
use project::project_import;

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
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
    naming: Naming,
    /// The folder of the descriptor being read: schema and artefact paths are relative to it.
    dir: PathBuf,
    /// Files written next to the bundles (schemas, migrations), by output path.
    files: BTreeMap<String, String>,
    env: crate::import::environment::Settings,
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

/// How to read the descriptors: JulieOps' naming settings and the Environment's values.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub naming: Naming,
    pub given: crate::import::environment::Given,
}

/// Import descriptors with the given settings.
pub fn import_with(
    descriptors: &[Descriptor],
    plans: Option<&Descriptor>,
    opts: &Options,
    report: &mut Report,
) -> (Imported, Expected) {
    let mut ctx = Ctx {
        report,
        expected: Expected::default(),
        users: BTreeMap::new(),
        bundles: Vec::new(),
        naming: opts.naming.clone(),
        dir: PathBuf::new(),
        files: BTreeMap::new(),
        env: crate::import::environment::Settings::default(),
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
        ctx.dir = std::path::Path::new(&d.file)
            .parent()
            .map(std::path::Path::to_path_buf)
            .unwrap_or_default();
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
        if ctx.env.name.is_empty() {
            ctx.env.name = context.clone();
        }
        // `ProjectImpl#buildNamePrefix`: context, then the other keys in file order.
        let mut keys = vec![("context".to_string(), context)];
        for (k, v) in top {
            match k.as_str() {
                "context" | "projects" | "platform" => {}
                _ => match text(v) {
                    Some(t) => keys.push((k.clone(), t)),
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
        for (pi, project) in top
            .get("projects")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            project_import(&mut ctx, &at, pi, project, &keys, &plan_configs);
        }
        // After the projects: quotas apply to their principals.
        if let Some(p) = top.get("platform") {
            platform::platform_import(&mut ctx, &at, p);
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
    let environment = (!ctx.env.is_empty()).then(|| {
        let at = Place {
            object: "environment".into(),
            ..at.clone()
        };
        ctx.env.document(&opts.given, &at, ctx.report)
    });
    (
        Imported {
            bundles: ctx.bundles,
            environment,
            files: ctx.files.into_iter().collect(),
        },
        expected,
    )
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
            let rules = super::roles::rendered_rules(p);
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

/// The `principal` of a JulieOps user entry, or an error finding at `path` (the entry is then
/// left out).
fn principal_of<'v>(
    ctx: &mut Ctx,
    at: &Place,
    path: &str,
    v: &'v Value,
) -> Option<&'v str> {
    let p = v.get("principal").and_then(Value::as_str);
    if p.is_none() {
        ctx.report
            .push(at, path, Severity::Error, Code::ImportInvalid, "missing principal");
    }
    p
}
