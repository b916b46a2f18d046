//! `kbundle diff`: what a change does to the cluster, per bundle, in Kafka's terms, with each
//! risky change under a stable code (KB202-KB214, `kbundle explain`). Both sides are the
//! operator-neutral plan ([`snapshot`]), so the comparison never sees YAML layout, file order
//! or key order, and a changed Environment default shows on every topic it reaches.

mod access;
pub mod report;
pub mod snapshot;
mod topics;

use crate::avro;
use crate::derive::schemas::compatibility_name;
use crate::diag::{Code, Severity};
use crate::model::bundle::Compatibility;
use access::*;
use serde::Serialize;
use snapshot::{BundleSnap, Perm, PrincipalSnap, Snapshot, TopicSnap, show};
use std::collections::{BTreeMap, BTreeSet};
use topics::*;

/// One change. `scope` is a bundle name, or `Environment <name>` for the Environment's own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub scope: String,
    pub risk: Severity,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<Code>,
    /// What is changed: `topic`, `access`, `subject`, `connector`, ...
    pub kind: &'static str,
    pub name: String,
    /// What happens to it, e.g. `partitions 12 → 6`.
    pub detail: String,
}

/// The whole comparison.
#[derive(Debug, Clone, Default)]
pub struct Diff {
    pub changes: Vec<Change>,
    /// Owner of every bundle on either side (new side wins), for the report.
    pub owners: BTreeMap<String, String>,
    pub bundles_compared: usize,
}

impl Diff {
    pub fn count(&self, risk: Severity) -> usize {
        self.changes.iter().filter(|c| c.risk == risk).count()
    }
}

struct Out<'a> {
    scope: &'a str,
    changes: &'a mut Vec<Change>,
}

impl Out<'_> {
    fn push(&mut self, kind: &'static str, name: &str, detail: String) {
        self.changes.push(Change {
            scope: self.scope.to_string(),
            risk: Severity::Info,
            code: None,
            kind,
            name: name.to_string(),
            detail,
        });
    }
    fn risk(&mut self, code: Code, kind: &'static str, name: &str, detail: String) {
        let risk = match code.level() {
            crate::diag::Level::Error => Severity::Error,
            _ => Severity::Warning,
        };
        self.changes.push(Change {
            scope: self.scope.to_string(),
            risk,
            code: Some(code),
            kind,
            name: name.to_string(),
            detail,
        });
    }
}

/// Compare two sides. The old side may be empty (it did not render, or is new).
pub fn compare(old: &Snapshot, new: &Snapshot) -> Diff {
    let mut changes = Vec::new();
    let env_scope = format!("Environment {}", new.environment);
    {
        let mut out = Out {
            scope: &env_scope,
            changes: &mut changes,
        };
        if old.environment != new.environment && !old.environment.is_empty() {
            out.push(
                "environment",
                &new.environment,
                format!("was {}", old.environment),
            );
        }
        environment(old, new, &mut out);
    }
    let empty = BundleSnap::default();
    let names: BTreeSet<&String> = old.bundles.keys().chain(new.bundles.keys()).collect();
    let mut owners = BTreeMap::new();
    for name in &names {
        let o = old.bundles.get(*name);
        let n = new.bundles.get(*name);
        let mut out = Out {
            scope: name,
            changes: &mut changes,
        };
        match (o, n) {
            (None, Some(_)) => out.push("bundle", name, "added".into()),
            (Some(_), None) => out.push("bundle", name, "removed".into()),
            _ => {}
        }
        let (o, n) = (o.unwrap_or(&empty), n.unwrap_or(&empty));
        owners.insert(
            name.to_string(),
            if n.owner.is_empty() {
                &o.owner
            } else {
                &n.owner
            }
            .clone(),
        );
        if o.owner != n.owner && !o.owner.is_empty() && !n.owner.is_empty() {
            out.push("bundle", name, format!("owner {} → {}", o.owner, n.owner));
        }
        if o.namespace != n.namespace && !o.owner.is_empty() && !n.owner.is_empty() {
            out.push(
                "bundle",
                name,
                format!("namespace {} → {}", opt(&o.namespace), opt(&n.namespace)),
            );
        }
        bundle(o, n, old, new, name, &mut out);
    }
    Diff {
        changes,
        owners,
        bundles_compared: names.len(),
    }
}

fn opt(s: &Option<String>) -> String {
    s.clone().unwrap_or_else(|| "(none)".into())
}

fn arrow(o: Option<&String>, n: Option<&String>) -> String {
    match (o, n) {
        (Some(o), Some(n)) => format!("{o} → {n}"),
        (None, Some(n)) => format!("(unset) → {n}"),
        (Some(o), None) => format!("{o} → (unset)"),
        (None, None) => String::new(),
    }
}

/// Keys that differ between two flattened maps, in key order.
fn changed_keys<'a>(
    o: &'a BTreeMap<String, String>,
    n: &'a BTreeMap<String, String>,
) -> Vec<(&'a String, Option<&'a String>, Option<&'a String>)> {
    let keys: BTreeSet<&String> = o.keys().chain(n.keys()).collect();
    keys.into_iter()
        .filter_map(|k| {
            let (a, b) = (o.get(k), n.get(k));
            (a != b).then_some((k, a, b))
        })
        .collect()
}

fn environment(old: &Snapshot, new: &Snapshot, out: &mut Out) {
    if old.env_spec.is_empty() {
        // The old side did not render: nothing to compare the Environment with, and listing
        // every setting as new would bury the bundles' changes.
        return;
    }
    for (k, a, b) in changed_keys(&old.env_spec, &new.env_spec) {
        // Policy changes get their own line with a verdict below.
        if k.starts_with("policy.") {
            continue;
        }
        out.push("setting", k, arrow(a, b));
    }
    let (o, n) = (&old.policy, &new.policy);
    let mut flag = |name: &str, was: bool, now: bool, loose_when_now: bool| {
        if was != now {
            let detail = format!("{was} → {now}");
            if now == loose_when_now {
                out.risk(Code::DiffPolicyLoosened, "policy", name, detail);
            } else {
                out.push("policy", name, detail);
            }
        }
    };
    flag(
        "allowTopicDeletion",
        o.allow_topic_deletion,
        n.allow_topic_deletion,
        true,
    );
    flag("maskPii", o.mask_pii, n.mask_pii, false);
    flag("pinnedImages", o.pinned_images, n.pinned_images, false);
    flag("lagAlerts", o.lag_alerts, n.lag_alerts, false);
    let show_opt = |v: Option<String>| v.unwrap_or_else(|| "(none)".into());
    // A limit is loosened when it goes away or moves the permissive way.
    let mut limit = |name: &str, was: Option<i64>, now: Option<i64>, upper: bool| {
        if was == now {
            return;
        }
        let loose = match (was, now) {
            (Some(_), None) => true,
            (Some(a), Some(b)) => (b > a) == upper,
            _ => false,
        };
        let detail = format!(
            "{} → {}",
            show_opt(was.map(|v| v.to_string())),
            show_opt(now.map(|v| v.to_string()))
        );
        if loose {
            out.risk(Code::DiffPolicyLoosened, "policy", name, detail);
        } else {
            out.push("policy", name, detail);
        }
    };
    limit(
        "minReplicas",
        o.min_replicas.map(i64::from),
        n.min_replicas.map(i64::from),
        false,
    );
    limit(
        "maxPartitions",
        o.max_partitions.map(i64::from),
        n.max_partitions.map(i64::from),
        true,
    );
    limit(
        "maxRetentionMs",
        o.max_retention_ms,
        n.max_retention_ms,
        true,
    );
    if o.topic_name != n.topic_name {
        let detail = format!(
            "{} → {}",
            show_opt(o.topic_name.clone()),
            show_opt(n.topic_name.clone())
        );
        if n.topic_name.is_none() {
            out.risk(Code::DiffPolicyLoosened, "policy", "topicName", detail);
        } else {
            out.push("policy", "topicName", detail);
        }
    }
}

fn bundle(
    o: &BundleSnap,
    n: &BundleSnap,
    before: &Snapshot,
    new: &Snapshot,
    scope: &str,
    out: &mut Out,
) {
    topics(o, n, out);
    access(o, n, before, new, scope, out);
    subjects(o, n, out);
    connectors(o, n, out);
    for m in o.masking.difference(&n.masking) {
        out.risk(
            Code::DiffMaskingRemoved,
            "masking",
            m,
            "rule removed".into(),
        );
    }
    for m in n.masking.difference(&o.masking) {
        out.push("masking", m, "rule added".into());
    }
    for (name, text) in &n.migrations {
        match o.migrations.get(name) {
            None => out.push("migration", name, "added".into()),
            Some(was) if was != text => out.risk(
                Code::DiffMigrationEdited,
                "migration",
                name,
                "edited after it was applied".into(),
            ),
            Some(_) => {}
        }
    }
    for name in o.migrations.keys() {
        if !n.migrations.contains_key(name) {
            out.push(
                "migration",
                name,
                "removed (what it created stays in ksqlDB)".into(),
            );
        }
    }
    named_maps(
        "alert",
        &o.alerts,
        &n.alerts,
        Some(Code::DiffAlertRemoved),
        out,
    );
    named_maps("test", &o.tests, &n.tests, None, out);
}

fn named_maps(
    kind: &'static str,
    o: &BTreeMap<String, BTreeMap<String, String>>,
    n: &BTreeMap<String, BTreeMap<String, String>>,
    removed: Option<Code>,
    out: &mut Out,
) {
    for (name, fields) in n {
        match o.get(name) {
            None => out.push(kind, name, "added".into()),
            Some(was) => {
                for (k, a, b) in changed_keys(was, fields) {
                    out.push(kind, name, format!("{k} {}", arrow(a, b)));
                }
            }
        }
    }
    for name in o.keys().filter(|k| !n.contains_key(*k)) {
        match removed {
            Some(code) => out.risk(code, kind, name, "removed".into()),
            None => out.push(kind, name, "removed".into()),
        }
    }
}

/// (backward, forward, transitive) guarantees of a level.
fn guarantees(c: Compatibility) -> [bool; 3] {
    use Compatibility::*;
    match c {
        None => [false, false, false],
        Backward => [true, false, false],
        BackwardTransitive => [true, false, true],
        Forward => [false, true, false],
        ForwardTransitive => [false, true, true],
        Full => [true, true, false],
        FullTransitive => [true, true, true],
    }
}

fn subjects(o: &BundleSnap, n: &BundleSnap, out: &mut Out) {
    for (name, s) in &n.subjects {
        let level = compatibility_name(s.compatibility);
        let Some(was) = o.subjects.get(name) else {
            out.push("subject", name, format!("added at {level}"));
            continue;
        };
        if was.compatibility != s.compatibility {
            let detail = format!(
                "compatibility {} → {level}",
                compatibility_name(was.compatibility)
            );
            let (g, h) = (guarantees(was.compatibility), guarantees(s.compatibility));
            if g.iter().zip(h.iter()).any(|(a, b)| *a && !*b) {
                out.risk(Code::DiffCompatibilityLoosened, "subject", name, detail);
            } else {
                out.push("subject", name, detail);
            }
        }
        if was.text == s.text {
            continue;
        }
        if !(s.avro && was.avro) {
            out.push(
                "subject",
                name,
                "new version (not checked: not Avro)".into(),
            );
            continue;
        }
        let verdict = match (avro::parse(&s.text), avro::parse(&was.text)) {
            (Ok(new), Ok(prev)) => Some(new.check_compatibility(&[prev], s.compatibility)),
            _ => None,
        };
        match verdict {
            Some(Ok(())) => out.push(
                "subject",
                name,
                format!("new version, compatible with the previous one ({level})"),
            ),
            Some(Err(e)) => out.risk(
                Code::DiffSchemaIncompatible,
                "subject",
                name,
                format!(
                    "new version incompatible with the previous one ({level}): {}: {}",
                    match e.direction {
                        avro::Direction::NewReadsOld =>
                            "the new schema cannot read data written with the old",
                        avro::Direction::OldReadsNew =>
                            "readers of the old schema cannot read data written with the new",
                    },
                    e.reason
                ),
            ),
            // Same text after a whitespace-only edit parses the same; a schema that does not
            // parse cannot get here (validation refused it), so say what we know.
            None => out.push("subject", name, "new version (not parsed)".into()),
        }
    }
    for name in o.subjects.keys().filter(|k| !n.subjects.contains_key(*k)) {
        out.push(
            "subject",
            name,
            "no longer registered by the bundle (the registry keeps it)".into(),
        );
    }
}

fn connectors(o: &BundleSnap, n: &BundleSnap, out: &mut Out) {
    for (name, c) in &n.connectors {
        match o.connectors.get(name) {
            None => out.push(
                "connector",
                name,
                format!(
                    "added: {}",
                    c.fields.get("class").cloned().unwrap_or_default()
                ),
            ),
            Some(was) => {
                for (k, a, b) in changed_keys(&was.fields, &c.fields) {
                    out.push("connector", name, format!("{k} {}", arrow(a, b)));
                }
            }
        }
    }
    for name in o
        .connectors
        .keys()
        .filter(|k| !n.connectors.contains_key(*k))
    {
        out.push("connector", name, "removed".into());
    }
}

#[cfg(test)]
mod tests;
