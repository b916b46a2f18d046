//! Roles to ACL rules, least privilege (README "Roles and ACLs"):
//!
//! | role | grants |
//! |---|---|
//! | produces T | topic T: Write, Describe |
//! | consumes T, group G | topic T: Read, Describe; group G: Read |
//! | streams app A reads R, writes W | R: Read, Describe; W: Write, Describe; topics `A-*`: Create, Delete, Describe, DescribeConfigs, Read, Write; group A: Read, Describe; transactional ids `A-*`: Write, Describe |
//! | transactionalIds X | transactionalId X: Write, Describe |
//!
//! Rules on the same resource are merged; raw `acls` are appended unchanged.

use super::UserPlan;
use crate::model::bundle::{AclOperation, AclResourceType, AclRuleType, PatternType, Principal};
use std::collections::{BTreeMap, BTreeSet};

/// A topic, group or transactional-id reference: exact, or a prefix written `name*`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pattern<'a> {
    Literal(&'a str),
    Prefix(&'a str),
}

/// Parse `name` or `prefix*`. A bare `*` (everything) and a `*` anywhere else are refused:
/// a role never grants more than the names it lists.
pub fn parse_pattern(raw: &str) -> Result<Pattern<'_>, String> {
    if raw.is_empty() {
        return Err("is empty".into());
    }
    if raw == "*" {
        return Err("would match everything; roles grant access to named resources only (use raw acls for a wildcard)".into());
    }
    let (body, prefix) = match raw.strip_suffix('*') {
        Some(body) => (body, true),
        None => (raw, false),
    };
    if body.contains('*') {
        return Err("has `*` before the end; only a trailing `*` (prefix) is supported".into());
    }
    Ok(if prefix {
        Pattern::Prefix(body)
    } else {
        Pattern::Literal(body)
    })
}

/// One Strimzi ACL rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AclPlan {
    pub resource_type: AclResourceType,
    pub name: Option<String>,
    pub pattern_type: PatternType,
    pub operations: BTreeSet<AclOperation>,
    pub host: Option<String>,
    pub rule_type: Option<AclRuleType>,
}

type RuleKey = (AclResourceType, PatternType, String);

fn grant(
    rules: &mut BTreeMap<RuleKey, BTreeSet<AclOperation>>,
    ty: AclResourceType,
    raw: &str,
    ops: &[AclOperation],
) {
    // Validation has refused bad patterns already; skip rather than guess.
    let Ok(p) = parse_pattern(raw) else { return };
    let key = match p {
        Pattern::Literal(n) => (ty, PatternType::Literal, n.to_string()),
        Pattern::Prefix(n) => (ty, PatternType::Prefix, n.to_string()),
    };
    rules.entry(key).or_default().extend(ops.iter().copied());
}

pub fn plan_user(p: &Principal) -> UserPlan {
    use AclOperation::*;
    use AclResourceType::{Group, Topic, TransactionalId};
    let mut rules: BTreeMap<RuleKey, BTreeSet<AclOperation>> = BTreeMap::new();
    for t in &p.produces {
        grant(&mut rules, Topic, t, &[Write, Describe]);
    }
    for c in &p.consumes {
        for t in &c.topics {
            grant(&mut rules, Topic, t, &[Read, Describe]);
        }
        grant(&mut rules, Group, &c.group, &[Read]);
    }
    if let Some(s) = &p.streams {
        for t in &s.reads {
            grant(&mut rules, Topic, t, &[Read, Describe]);
        }
        for t in &s.writes {
            grant(&mut rules, Topic, t, &[Write, Describe]);
        }
        let app = &s.application_id;
        // Internal repartition and changelog topics are named `<applicationId>-...`; the
        // dash keeps the prefix from covering another app whose id merely starts the same.
        // Delete is needed to purge consumed repartition records.
        grant(
            &mut rules,
            Topic,
            &format!("{app}-*"),
            &[Create, Delete, Describe, DescribeConfigs, Read, Write],
        );
        grant(&mut rules, Group, app, &[Read, Describe]);
        // exactly_once_v2 uses transactional ids `<applicationId>-<processId>-<n>`.
        grant(
            &mut rules,
            TransactionalId,
            &format!("{app}-*"),
            &[Write, Describe],
        );
    }
    for t in &p.transactional_ids {
        grant(&mut rules, TransactionalId, t, &[Write, Describe]);
    }
    let mut acls: Vec<AclPlan> = rules
        .into_iter()
        .map(
            |((resource_type, pattern_type, name), operations)| AclPlan {
                resource_type,
                name: Some(name),
                pattern_type,
                operations,
                host: None,
                rule_type: None,
            },
        )
        .collect();
    for raw in &p.acls {
        acls.push(AclPlan {
            resource_type: raw.resource.resource_type,
            name: raw.resource.name.clone(),
            pattern_type: raw.resource.pattern_type.unwrap_or(PatternType::Literal),
            operations: raw.operations.iter().copied().collect(),
            host: raw.host.clone(),
            rule_type: raw.rule_type,
        });
    }
    UserPlan {
        name: p.name.clone(),
        authentication: p.authentication,
        acls,
        quotas: p.quotas.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::bundle::{Consumes, Streams};

    fn principal() -> Principal {
        Principal {
            name: "p".into(),
            authentication: None,
            produces: vec![],
            consumes: vec![],
            streams: None,
            transactional_ids: vec![],
            acls: vec![],
            quotas: None,
        }
    }

    fn ops(plan: &UserPlan, ty: AclResourceType, name: &str) -> Vec<AclOperation> {
        plan.acls
            .iter()
            .find(|a| a.resource_type == ty && a.name.as_deref() == Some(name))
            .map(|a| a.operations.iter().copied().collect())
            .unwrap_or_default()
    }

    #[test]
    fn consumer_can_never_write_its_input() {
        let mut p = principal();
        p.consumes = vec![Consumes {
            topics: vec!["in".into()],
            group: "g".into(),
        }];
        let plan = plan_user(&p);
        assert_eq!(
            ops(&plan, AclResourceType::Topic, "in"),
            vec![AclOperation::Read, AclOperation::Describe]
        );
        assert_eq!(
            ops(&plan, AclResourceType::Group, "g"),
            vec![AclOperation::Read]
        );
        assert_eq!(plan.acls.len(), 2);
    }

    #[test]
    fn producer_gets_write_and_describe_only() {
        let mut p = principal();
        p.produces = vec!["out".into(), "events.*".into()];
        let plan = plan_user(&p);
        assert_eq!(
            ops(&plan, AclResourceType::Topic, "out"),
            vec![AclOperation::Write, AclOperation::Describe]
        );
        let prefix = plan
            .acls
            .iter()
            .find(|a| a.name.as_deref() == Some("events."))
            .unwrap();
        assert_eq!(prefix.pattern_type, PatternType::Prefix);
    }

    #[test]
    fn roles_on_one_topic_merge() {
        let mut p = principal();
        p.produces = vec!["t".into()];
        p.consumes = vec![Consumes {
            topics: vec!["t".into()],
            group: "g".into(),
        }];
        let plan = plan_user(&p);
        assert_eq!(
            ops(&plan, AclResourceType::Topic, "t"),
            vec![
                AclOperation::Read,
                AclOperation::Write,
                AclOperation::Describe
            ]
        );
    }

    #[test]
    fn streams_internal_topics_are_scoped_to_the_application_id() {
        let mut p = principal();
        p.streams = Some(Streams {
            application_id: "app".into(),
            reads: vec!["in".into()],
            writes: vec!["out".into()],
        });
        let plan = plan_user(&p);
        let internal = plan
            .acls
            .iter()
            .find(|a| {
                a.resource_type == AclResourceType::Topic && a.name.as_deref() == Some("app-")
            })
            .unwrap();
        assert_eq!(internal.pattern_type, PatternType::Prefix);
        assert!(!internal.operations.contains(&AclOperation::All));
        assert!(!internal.operations.contains(&AclOperation::Alter));
        assert_eq!(
            ops(&plan, AclResourceType::Topic, "in"),
            vec![AclOperation::Read, AclOperation::Describe]
        );
        assert_eq!(
            ops(&plan, AclResourceType::Group, "app"),
            vec![AclOperation::Read, AclOperation::Describe]
        );
        assert_eq!(
            ops(&plan, AclResourceType::TransactionalId, "app-"),
            vec![AclOperation::Write, AclOperation::Describe]
        );
    }

    #[test]
    fn patterns() {
        assert_eq!(parse_pattern("a*"), Ok(Pattern::Prefix("a")));
        assert_eq!(parse_pattern("a"), Ok(Pattern::Literal("a")));
        assert!(parse_pattern("*").is_err());
        assert!(parse_pattern("a*b").is_err());
        assert!(parse_pattern("").is_err());
    }
}
