//! Principal rules: names, role patterns, raw ACLs, and references to topics no bundle declares.

use super::BundleInput;
use super::claims::{Claim, claimed_twice};
use crate::diag::Code;
use crate::diag::Diagnostic;
use crate::model::bundle::{AclResourceType, Principal};
use crate::model::pattern::{Pattern, parse_pattern};
use crate::names::{dns_subdomain_problem, kafka_topic_problem};
use crate::path::FieldPath;
use std::collections::{BTreeMap, BTreeSet};

pub fn check(b: &BundleInput, out: &mut Vec<Diagnostic>) {
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, p) in b.bundle.spec.principals.iter().enumerate() {
        let at = FieldPath::of("spec.principals").index(i);
        // A DNS-1123 subdomain (dots allowed), as Strimzi allows for KafkaUser names; at most
        // 63 characters so it still fits a TLS certificate's common name.
        if let Some(problem) = dns_subdomain_problem(&p.name, 63) {
            out.push(b.at(
                Diagnostic::error(Code::PrincipalNameInvalid, format!("principal name {:?} {problem}", p.name))
                    .with_hint("the principal becomes a KafkaUser; use a DNS-1123 subdomain of at most 63 characters such as `orders-service` or `orders.service`"),
                &at.child_key("name"),
            ));
        }
        if let Some(first) = seen.insert(&p.name, i) {
            out.push(b.at(
                Diagnostic::error(
                    Code::PrincipalClaimedTwice,
                    format!("principal {:?} is declared twice in this bundle (also spec.principals[{first}])", p.name),
                ),
                &at.child_key("name"),
            ));
        }
        check_principal(b, p, &at, out);
    }
}

fn check_principal(b: &BundleInput, p: &Principal, at: &FieldPath, out: &mut Vec<Diagnostic>) {
    // Paths are built only when a diagnostic needs one.
    for (i, t) in p.produces.iter().enumerate() {
        check_topic_pattern(b, t, || at.child_key("produces").index(i), out);
    }
    for (i, c) in p.consumes.iter().enumerate() {
        let cat = || at.child_key("consumes").index(i);
        for (j, t) in c.topics.iter().enumerate() {
            check_topic_pattern(b, t, || cat().key("topics").index(j), out);
        }
        if let Some(g) = &c.group {
            check_id_pattern(b, g, "consumer group", || cat().key("group"), out);
        }
    }
    for (s, sat) in p.streams.with_paths(at) {
        if let Some(problem) = kafka_topic_problem(&s.application_id) {
            out.push(b.at(
                Diagnostic::error(
                    Code::ApplicationIdInvalid,
                    format!("applicationId {:?} {problem}", s.application_id),
                )
                .with_hint("Kafka Streams prefixes internal topic names with the applicationId, so it follows topic naming rules"),
                &sat.child_key("applicationId"),
            ));
        }
        for (i, t) in s.reads.iter().enumerate() {
            check_topic_pattern(b, t, || sat.child_key("reads").index(i), out);
        }
        for (i, t) in s.writes.iter().enumerate() {
            check_topic_pattern(b, t, || sat.child_key("writes").index(i), out);
        }
    }
    for (i, t) in p.transactional_ids.iter().enumerate() {
        check_id_pattern(
            b,
            t,
            "transactional id",
            || at.child_key("transactionalIds").index(i),
            out,
        );
    }
    for (i, rule) in p.acls.iter().enumerate() {
        let rat = at.child_key("acls").index(i);
        let ty = rule.resource.resource_type;
        let valid = ty.valid_operations();
        for (j, op) in rule.operations.iter().enumerate() {
            if !valid.contains(op) {
                let allowed: Vec<String> = valid.iter().map(|o| format!("{o:?}")).collect();
                out.push(
                    b.at(
                        Diagnostic::error(
                            Code::RawAclInvalid,
                            format!(
                                "operation {op:?} does not apply to {} resources",
                                ty.as_str()
                            ),
                        )
                        .with_hint(format!(
                            "{} resources take {}",
                            ty.as_str(),
                            allowed.join(", ")
                        )),
                        &rat.child_key("operations").index(j),
                    ),
                );
            }
        }
        match (ty, rule.resource.name.as_deref()) {
            (AclResourceType::Cluster, Some(n)) if n != "kafka-cluster" => out.push(
                b.at(
                    Diagnostic::error(
                        Code::RawAclInvalid,
                        format!("a cluster resource has no name, found {n:?}"),
                    )
                    .with_hint("remove resource.name for type cluster"),
                    &rat.child_key("resource").key("name"),
                ),
            ),
            (AclResourceType::Cluster, _) => {}
            (_, None) | (_, Some("")) => out.push(
                b.at(
                    Diagnostic::error(
                        Code::RawAclInvalid,
                        format!("a {} ACL needs resource.name", ty.as_str()),
                    )
                    .with_hint("name the resource, with patternType: prefix for a prefix"),
                    &rat.child_key("resource"),
                ),
            ),
            _ => {}
        }
    }
}

fn check_topic_pattern(
    b: &BundleInput,
    raw: &str,
    at: impl Fn() -> FieldPath,
    out: &mut Vec<Diagnostic>,
) {
    match parse_pattern(raw) {
        Err(problem) => out.push(
            b.at(
                Diagnostic::error(
                    Code::TopicPatternBad,
                    format!("topic pattern {raw:?} {problem}"),
                )
                .with_hint("name a topic exactly, or end a prefix with `*` (`orders.*`)"),
                &at(),
            ),
        ),
        Ok(Pattern::Literal(name)) => {
            if let Some(problem) = kafka_topic_problem(name) {
                out.push(b.at(
                    Diagnostic::error(
                        Code::TopicNameInvalid,
                        format!("topic name {name:?} {problem}"),
                    ),
                    &at(),
                ));
            }
        }
        Ok(Pattern::Prefix(_)) => {}
    }
}

fn check_id_pattern(
    b: &BundleInput,
    raw: &str,
    what: &str,
    at: impl Fn() -> FieldPath,
    out: &mut Vec<Diagnostic>,
) {
    let problem = match parse_pattern(raw) {
        Err(p) => Some(p),
        Ok(Pattern::Literal(s) | Pattern::Prefix(s)) if s.trim() != s => {
            Some("has leading or trailing spaces".to_string())
        }
        Ok(_) => None,
    };
    if let Some(problem) = problem {
        out.push(
            b.at(
                Diagnostic::error(
                    Code::GroupOrTxIdInvalid,
                    format!("{what} {raw:?} {problem}"),
                )
                .with_hint("name it exactly, or end a prefix with `*`"),
                &at(),
            ),
        );
    }
}

/// Principals are unique across bundles; every topic a role names should be declared by some
/// bundle (a warning: it may be owned outside kbundle).
pub fn check_across(bundles: &[BundleInput], out: &mut Vec<Diagnostic>) {
    let declared: BTreeSet<&str> = bundles
        .iter()
        .flat_map(|b| b.bundle.spec.topics.iter().map(|t| t.name.as_str()))
        .collect();
    let mut owners = super::claims::Owners::default();
    for (bi, b) in bundles.iter().enumerate() {
        for (pi, p) in b.bundle.spec.principals.iter().enumerate() {
            let at = || FieldPath::of("spec.principals").index(pi);
            if let Claim::Other(obi) = owners.claim(&p.name, bi) {
                out.push(b.at(
                    claimed_twice(
                        Code::PrincipalClaimedTwice,
                        "principal",
                        &p.name,
                        &bundles[obi],
                        b,
                        "a KafkaUser belongs to one bundle",
                    ),
                    &at().key("name"),
                ));
            }
            for (place, raw) in topic_refs(p) {
                let matched = match parse_pattern(raw) {
                    Ok(Pattern::Literal(name)) => declared.contains(name),
                    Ok(Pattern::Prefix(prefix)) => declared
                        .range(prefix..)
                        .next()
                        .is_some_and(|t| t.starts_with(prefix)),
                    Err(_) => true, // already an error
                };
                if !matched {
                    out.push(
                        b.at(
                            Diagnostic::warning(
                                Code::UndeclaredTopic,
                                format!("topic {raw:?} is not declared in any bundle"),
                            )
                            .with_hint(
                                "declare it in the bundle that owns it, or check the spelling",
                            ),
                            &place.path(at()),
                        ),
                    );
                }
            }
        }
    }
}

/// Where in a principal a topic reference is; turned into a field path only for a diagnostic.
enum RefPlace {
    Produces(usize),
    Consumes(usize, usize),
    /// (app index when `streams` is a list, topic index)
    Reads(Option<usize>, usize),
    Writes(Option<usize>, usize),
}

impl RefPlace {
    fn path(&self, principal: FieldPath) -> FieldPath {
        match *self {
            RefPlace::Produces(i) => principal.key("produces").index(i),
            RefPlace::Consumes(i, j) => principal.key("consumes").index(i).key("topics").index(j),
            RefPlace::Reads(a, i) => app_path(principal, a).key("reads").index(i),
            RefPlace::Writes(a, i) => app_path(principal, a).key("writes").index(i),
        }
    }
}

fn app_path(principal: FieldPath, app: Option<usize>) -> FieldPath {
    let at = principal.key("streams");
    match app {
        Some(a) => at.index(a),
        None => at,
    }
}

/// Every topic a principal's roles refer to, with where it is.
fn topic_refs(p: &Principal) -> Vec<(RefPlace, &str)> {
    let mut refs = Vec::new();
    for (i, t) in p.produces.iter().enumerate() {
        refs.push((RefPlace::Produces(i), t.as_str()));
    }
    for (i, c) in p.consumes.iter().enumerate() {
        for (j, t) in c.topics.iter().enumerate() {
            refs.push((RefPlace::Consumes(i, j), t.as_str()));
        }
    }
    let list = p.streams.is_list();
    for (a, s) in p.streams.iter().enumerate() {
        let a = list.then_some(a);
        for (i, t) in s.reads.iter().enumerate() {
            refs.push((RefPlace::Reads(a, i), t.as_str()));
        }
        for (i, t) in s.writes.iter().enumerate() {
            refs.push((RefPlace::Writes(a, i), t.as_str()));
        }
    }
    refs
}
