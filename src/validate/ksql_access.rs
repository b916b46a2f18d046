//! What a bundle's ksqlDB migrations may touch on the shared ksqlDB server (issue 12, item 2).
//!
//! The ksqlDB server is one platform principal: its ACLs are the platform's, and kbundle never
//! emits a KafkaUser or ACL for it (two bundles would emit the same object). The Environment
//! says in `spec.ksqldb` what the platform lets the server read and write (`access`, and the
//! topics its `serviceId` owns); a migration that reads or writes another topic is refused here
//! (KB142), naming the topic and the statement, instead of failing inside the Job with an
//! authorization error — or, worse, succeeding because the server's user can reach another
//! team's topic. Without `access` or `serviceId` nothing is checked, and the bundle is told so
//! (KB143). A bundle declaring the server's own principal is KB033; two bundles sharing the
//! migrations' metadata stream are KB145.
//!
//! Statements are read by [`super::ksql_sql`]; the topic of a source (`FROM orders`) is found
//! through the `CREATE STREAM/TABLE` statements of the same migrations, in version order.

use super::ksql_sql::{Statement, statements};
use super::{BundleInput, EnvInput};
use crate::diag::{Code, Diagnostic};
use crate::model::environment::Ksqldb;
use crate::model::pattern::{Pattern, parse_pattern};
use crate::path::FieldPath;
use crate::derive::ksql::{file_name, parse_migration_name};
use crate::source::LoadedFile;
use std::collections::BTreeMap;

/// The topics the server may read and write, as `name` / `prefix*` patterns.
struct Allowed {
    read: Vec<String>,
    write: Vec<String>,
}

impl Allowed {
    /// `None`: the Environment says nothing about the server's access.
    fn of(k: &Ksqldb) -> Option<Allowed> {
        if k.access.is_none() && k.service_id.is_none() {
            return None;
        }
        let access = k.access.clone().unwrap_or_default();
        // ksqlDB's documented ACLs give the server every topic starting with its service id
        // and its internal `_confluent-ksql-<serviceId>` topics.
        let own: Vec<String> = k
            .service_id
            .iter()
            .flat_map(|id| [format!("_confluent-ksql-{id}*"), format!("{id}*")])
            .collect();
        let write: Vec<String> = access.write.iter().cloned().chain(own).collect();
        let read = access.read.iter().cloned().chain(write.clone()).collect();
        Some(Allowed { read, write })
    }

    fn may(&self, write: bool, topic: &str) -> bool {
        let list = if write { &self.write } else { &self.read };
        list.iter().any(|p| match parse_pattern(p) {
            Ok(Pattern::Literal(l)) => l == topic,
            Ok(Pattern::Prefix(pre)) => topic.starts_with(pre),
            Err(_) => false,
        })
    }
}

/// Where a statement is: the migration file and line, in the bundle.
fn at_statement(b: &BundleInput, f: &LoadedFile, line: u32, d: Diagnostic) -> Diagnostic {
    let mut d = b.at(d, &FieldPath::of("spec.ksql.migrations"));
    d.file = Some(f.display.clone());
    d.line = Some(line);
    d.index = None;
    d
}

pub fn check(b: &BundleInput, env: &EnvInput, out: &mut Vec<Diagnostic>) {
    check_server_principal(b, env, out);
    let (Some(_), Some(k), Some(Ok(files))) = (
        &b.bundle.spec.ksql,
        &env.env.spec.ksqldb,
        b.migrations.as_ref(),
    ) else {
        return;
    };
    let Some(allowed) = Allowed::of(k) else {
        out.push(b.at(
            Diagnostic::warning(
                Code::KsqlAccessUnchecked,
                format!(
                    "the topics these migrations read and write are not checked: {} does not say what its ksqlDB server may access",
                    env.label()
                ),
            )
            .with_hint("the platform lists the server's topics in spec.ksqldb.access (read, write) or names its spec.ksqldb.serviceId"),
            &FieldPath::of("spec.ksql"),
        ));
        return;
    };
    check_statements(b, env, k, &allowed, files, out);
}

/// ksql-migrations keeps the applied versions in one metadata stream and table per
/// configuration (`MIGRATION_EVENTS`, `MIGRATION_SCHEMA_VERSIONS` by default): two bundles on
/// one server would each see the other's version 1 as their own (a checksum mismatch, or a
/// migration silently skipped). Only a run that sees both bundles can tell.
pub fn check_across(bundles: &[BundleInput], env: &EnvInput, out: &mut Vec<Diagnostic>) {
    if env
        .env
        .spec
        .ksqldb
        .as_ref()
        .is_none_or(|k| k.per_bundle_metadata)
    {
        return;
    }
    let mut with_ksql = bundles.iter().filter(|b| b.bundle.spec.ksql.is_some());
    let Some(first) = with_ksql.next() else {
        return;
    };
    for b in with_ksql {
        out.push(b.at(
            Diagnostic::error(
                Code::KsqlMetadataShared,
                format!(
                    "bundles {} and {} both run ksqlDB migrations on the server of {}, which keeps every bundle's history in one metadata stream (MIGRATION_EVENTS): their versions would collide",
                    first.name(),
                    b.name(),
                    env.label()
                ),
            )
            .with_hint("the platform sets spec.ksqldb.perBundleMetadata: true, so each bundle keeps its own <BUNDLE>_MIGRATION_EVENTS stream and table"),
            &FieldPath::of("spec.ksql"),
        ));
    }
}

/// The shared server's principal is the platform's; a bundle declaring it would emit a
/// KafkaUser every other bundle using ksqlDB could emit too.
fn check_server_principal(b: &BundleInput, env: &EnvInput, out: &mut Vec<Diagnostic>) {
    let Some(server) = env
        .env
        .spec
        .ksqldb
        .as_ref()
        .and_then(|k| k.principal.as_deref())
    else {
        return;
    };
    for (i, p) in b.bundle.spec.principals.iter().enumerate() {
        if p.name == server {
            out.push(b.at(
                Diagnostic::error(
                    Code::PrincipalClaimedTwice,
                    format!(
                        "principal {server:?} is the shared ksqlDB server's user (spec.ksqldb.principal of {})",
                        env.label()
                    ),
                )
                .with_hint("the platform manages the ksqlDB server's ACLs; give this principal another name"),
                &FieldPath::of("spec.principals").index(i).key("name"),
            ));
        }
    }
}

fn check_statements(
    b: &BundleInput,
    env: &EnvInput,
    k: &Ksqldb,
    allowed: &Allowed,
    files: &[LoadedFile],
    out: &mut Vec<Diagnostic>,
) {
    let mut migrations: Vec<(u32, &LoadedFile)> = files
        .iter()
        .filter_map(|f| Some((parse_migration_name(file_name(f))?.0, f)))
        .collect();
    migrations.sort_by_key(|(v, _)| *v);
    // ksqlDB object → its topic, as the migrations declared it so far.
    let mut topics: BTreeMap<String, String> = BTreeMap::new();
    let prefix = k.output_topic_prefix.as_deref().unwrap_or_default();
    // Each refused topic once, at its first statement: later uses are the same problem.
    let mut refused_once: std::collections::BTreeSet<(bool, String)> = Default::default();
    for (_, f) in migrations {
        for s in statements(&f.text) {
            let mut uses: Vec<(bool, String, String)> = Vec::new();
            let mut unknown: Vec<String> = Vec::new();
            let (line, sources) = match s {
                Statement::Declare {
                    line,
                    object,
                    topic: Some(topic),
                    creates,
                } => {
                    uses.push((creates, topic.clone(), format!("the topic of {object}")));
                    topics.insert(object, topic);
                    (line, Vec::new())
                }
                Statement::Declare { .. } => continue,
                Statement::CreateAs {
                    line,
                    object,
                    topic,
                    sources,
                } => {
                    let (sink, why) = match topic {
                        Some(t) => (t, format!("the KAFKA_TOPIC of {object}")),
                        None => (
                            format!("{prefix}{object}"),
                            format!(
                                "the default topic of {object}: the statement names no KAFKA_TOPIC"
                            ),
                        ),
                    };
                    uses.push((true, sink.clone(), why));
                    topics.insert(object, sink);
                    (line, sources)
                }
                Statement::Insert {
                    line,
                    object,
                    sources,
                } => {
                    match topics.get(&object) {
                        Some(t) => uses.push((true, t.clone(), format!("the topic of {object}"))),
                        None => unknown.push(object),
                    }
                    (line, sources)
                }
            };
            for src in sources {
                match topics.get(&src) {
                    Some(t) => uses.push((false, t.clone(), format!("the topic of {src}"))),
                    None => unknown.push(src),
                }
            }
            for (write, topic, why) in uses {
                // `${name}`: a ksql-migrations variable (DEFINE), known only when it runs.
                if topic.contains("${") {
                    out.push(at_statement(
                        b,
                        f,
                        line,
                        Diagnostic::warning(
                            Code::KsqlAccessUnchecked,
                            format!("this statement names topic {topic}, which holds a ksql-migrations variable: not checked"),
                        )
                        .with_hint("write the topic name itself, so that the platform's access can be checked"),
                    ));
                    continue;
                }
                if !allowed.may(write, &topic) && refused_once.insert((write, topic.clone())) {
                    out.push(refused(b, env, f, line, write, &topic, &why));
                }
            }
            if !unknown.is_empty() {
                out.push(at_statement(
                    b,
                    f,
                    line,
                    Diagnostic::warning(
                        Code::KsqlAccessUnchecked,
                        format!(
                            "this statement uses {}, which these migrations do not declare: its topic is not checked",
                            unknown.join(", ")
                        ),
                    )
                    .with_hint("declare the stream or table in an earlier migration of this bundle (CREATE STREAM ... WITH (KAFKA_TOPIC=...))"),
                ));
            }
        }
    }
}

fn refused(
    b: &BundleInput,
    env: &EnvInput,
    f: &LoadedFile,
    line: u32,
    write: bool,
    topic: &str,
    why: &str,
) -> Diagnostic {
    let (verb, list) = if write {
        ("writes", "write")
    } else {
        ("reads", "read")
    };
    let hint = if write && why.starts_with("the default topic") {
        format!(
            "name a topic the server may write with WITH (KAFKA_TOPIC='...'), or ask the platform to add {topic} to spec.ksqldb.access.write of {}",
            env.label()
        )
    } else {
        format!(
            "use a topic the ksqlDB server may {list}, or ask the platform to add {topic} to spec.ksqldb.access.{list} of {}",
            env.label()
        )
    };
    at_statement(
        b,
        f,
        line,
        Diagnostic::error(
            Code::KsqlTopicNotAllowed,
            format!(
                "this statement {verb} topic {topic} ({why}), which {} does not let the shared ksqlDB server {list}",
                env.label()
            ),
        )
        .with_hint(hint),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn server(v: serde_json::Value) -> Ksqldb {
        let mut base =
            json!({"url": "http://ksqldb:8088", "image": "confluentinc/ksqldb-cli:0.29.0"});
        if let (Some(b), Some(extra)) = (base.as_object_mut(), v.as_object()) {
            b.extend(extra.clone());
        }
        serde_json::from_value(base).expect("ksqldb")
    }

    #[test]
    fn nothing_declared_means_nothing_checked() {
        assert!(Allowed::of(&server(json!({}))).is_none());
    }

    #[test]
    fn the_service_id_owns_its_prefixes_and_write_implies_read() {
        let a = Allowed::of(&server(json!({
            "serviceId": "fraud_",
            "access": {"read": ["payments.*"], "write": ["fraud.out.v1"]}
        })))
        .expect("checked");
        assert!(a.may(false, "payments.settled.v1"));
        assert!(!a.may(true, "payments.settled.v1"));
        assert!(a.may(true, "fraud.out.v1") && a.may(false, "fraud.out.v1"));
        assert!(a.may(true, "_confluent-ksql-fraud_query_CTAS_1-changelog"));
        assert!(a.may(true, "fraud_ksql_processing_log"));
        assert!(!a.may(false, "orders.created.v1"));
        // A pattern is a prefix, never a glob in the middle.
        assert!(!a.may(false, "payments"));
    }
}
