//! Lifting ACLs into kbundle roles: reads a list of Strimzi-shaped ACL rules, emits the
//! `produces` / `consumes` / `transactionalIds` roles they contain exactly, and the rest as raw
//! rules. The role expansion it inverts is the one of `backend::strimzi::acl` (produces T: T
//! Write, Describe; consumes T with group G: T Read, Describe and G Read; transactionalIds X:
//! X Write, Describe), so rendering the result gives back the same effective ACL set
//! ([`effective`]).

use crate::model::bundle::{
    AclOperation, AclResource, AclResourceType, AclRule, AclRuleType, Consumes, PatternType,
};
use std::collections::{BTreeMap, BTreeSet};

/// The roles found in a set of ACL rules, and what is left over.
#[derive(Debug, Clone, Default)]
pub struct Lifted {
    pub produces: Vec<String>,
    pub consumes: Vec<Consumes>,
    pub transactional_ids: Vec<String>,
    pub acls: Vec<AclRule>,
}

type Key = (AclResourceType, PatternType, String);

/// kbundle's spelling of a resource name: `name` literal, `name*` prefixed. `None` where the
/// rule cannot be a role's (`*` in a literal name is Kafka's wildcard; an empty prefix).
fn role_pattern(pattern: PatternType, name: &str) -> Option<String> {
    match pattern {
        PatternType::Literal if !name.contains('*') && !name.is_empty() => Some(name.to_string()),
        PatternType::Prefix if !name.is_empty() && !name.contains('*') => Some(format!("{name}*")),
        _ => None,
    }
}

/// Whether a rule may be part of a role: an allow rule for any host, on a named topic, group or
/// transactional id, without `All`.
fn liftable(r: &AclRule) -> bool {
    r.rule_type.unwrap_or(AclRuleType::Allow) == AclRuleType::Allow
        && r.host.as_deref().is_none_or(|h| h == "*")
        && r.resource.resource_type != AclResourceType::Cluster
        && !r.operations.contains(&AclOperation::All)
        && r.resource.name.as_deref().is_some_and(|n| {
            role_pattern(r.resource.pattern_type.unwrap_or(PatternType::Literal), n).is_some()
        })
}

pub fn lift(rules: &[AclRule]) -> Lifted {
    use AclOperation::{Describe, Read, Write};
    use AclResourceType::{Group, Topic, TransactionalId};
    let mut out = Lifted::default();
    let mut kept: Vec<AclRule> = Vec::new();
    let mut ops: BTreeMap<Key, BTreeSet<AclOperation>> = BTreeMap::new();
    for r in rules {
        if liftable(r) {
            let key = (
                r.resource.resource_type,
                r.resource.pattern_type.unwrap_or(PatternType::Literal),
                r.resource.name.clone().unwrap_or_default(),
            );
            ops.entry(key)
                .or_default()
                .extend(r.operations.iter().copied());
        } else {
            kept.push(r.clone());
        }
    }
    let has =
        |set: &BTreeSet<AclOperation>, need: &[AclOperation]| need.iter().all(|o| set.contains(o));
    let name_of = |k: &Key| role_pattern(k.1, &k.2).unwrap_or_default();

    let consumed: Vec<Key> = ops
        .iter()
        .filter(|(k, s)| k.0 == Topic && has(s, &[Read, Describe]))
        .map(|(k, _)| k.clone())
        .collect();
    let groups: Vec<Key> = ops
        .iter()
        .filter(|(k, s)| k.0 == Group && s.contains(&Read))
        .map(|(k, _)| k.clone())
        .collect();
    // ACLs do not pair topics with groups; `consumes` grants the cross product, which is what
    // the ACLs grant too.
    let mut covered: BTreeMap<Key, BTreeSet<AclOperation>> = BTreeMap::new();
    if !consumed.is_empty() && !groups.is_empty() {
        let topics: Vec<String> = consumed.iter().map(name_of).collect();
        for g in &groups {
            out.consumes.push(Consumes {
                topics: topics.clone(),
                group: Some(name_of(g)),
            });
            covered.entry(g.clone()).or_default().insert(Read);
        }
        for t in &consumed {
            covered
                .entry(t.clone())
                .or_default()
                .extend([Read, Describe]);
        }
    }
    for (k, s) in &ops {
        if k.0 == Topic && has(s, &[Write, Describe]) {
            out.produces.push(name_of(k));
            covered
                .entry(k.clone())
                .or_default()
                .extend([Write, Describe]);
        }
        if k.0 == TransactionalId && has(s, &[Write, Describe]) {
            out.transactional_ids.push(name_of(k));
            covered
                .entry(k.clone())
                .or_default()
                .extend([Write, Describe]);
        }
    }
    for (k, s) in &ops {
        let cov = covered.get(k);
        let rest: Vec<AclOperation> = s
            .iter()
            .copied()
            .filter(|o| cov.is_none_or(|c| !c.contains(o)))
            .collect();
        if rest.is_empty() {
            continue;
        }
        out.acls.push(AclRule {
            resource: AclResource {
                resource_type: k.0,
                name: Some(k.2.clone()),
                pattern_type: Some(k.1),
            },
            operations: rest,
            host: None,
            rule_type: None,
        });
    }
    // Rules a role cannot hold, merged per resource, host and type (one rule per operation is
    // how kafka-gitops and JulieOps write them).
    for r in kept {
        match out.acls.iter_mut().find(|a| {
            a.resource.resource_type == r.resource.resource_type
                && a.resource.name == r.resource.name
                && a.resource.pattern_type.unwrap_or(PatternType::Literal)
                    == r.resource.pattern_type.unwrap_or(PatternType::Literal)
                && a.host == r.host
                && a.rule_type.unwrap_or(AclRuleType::Allow)
                    == r.rule_type.unwrap_or(AclRuleType::Allow)
        }) {
            Some(a) => {
                for op in r.operations {
                    if !a.operations.contains(&op) {
                        a.operations.push(op);
                    }
                }
            }
            None => out.acls.push(r),
        }
    }
    out
}

/// One access control entry as Kafka stores it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Ace {
    pub resource_type: AclResourceType,
    pub pattern_type: PatternType,
    /// `None` for the cluster.
    pub name: Option<String>,
    pub operation: AclOperation,
    /// `*` when unset (Strimzi's default).
    pub host: String,
    pub allow: bool,
}

/// The entries a list of rules creates: one per operation, host defaulted, cluster unnamed.
/// The ACLs kbundle renders for a principal (its roles expanded as on Strimzi), in the raw
/// rule shape, to compare with what a peer tool grants.
pub fn rendered_rules(p: &crate::model::bundle::Principal) -> Vec<AclRule> {
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
        .collect()
}

pub fn effective(rules: &[AclRule]) -> BTreeSet<Ace> {
    let mut out = BTreeSet::new();
    for r in rules {
        let cluster = r.resource.resource_type == AclResourceType::Cluster;
        for op in &r.operations {
            out.insert(Ace {
                resource_type: r.resource.resource_type,
                pattern_type: if cluster {
                    PatternType::Literal
                } else {
                    r.resource.pattern_type.unwrap_or(PatternType::Literal)
                },
                name: if cluster {
                    None
                } else {
                    r.resource.name.clone()
                },
                operation: *op,
                host: r.host.clone().unwrap_or_else(|| "*".into()),
                allow: r.rule_type.unwrap_or(AclRuleType::Allow) == AclRuleType::Allow,
            });
        }
    }
    out
}

impl std::fmt::Display for Ace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {} {:?} {:?} {:?} host {}",
            if self.allow { "allow" } else { "deny" },
            self.resource_type.as_str(),
            self.name.as_deref().unwrap_or("kafka-cluster"),
            self.pattern_type,
            self.operation,
            self.host
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::bundle::Principal;

    fn rule(
        ty: AclResourceType,
        name: &str,
        pattern: PatternType,
        ops: &[AclOperation],
    ) -> AclRule {
        AclRule {
            resource: AclResource {
                resource_type: ty,
                name: Some(name.into()),
                pattern_type: Some(pattern),
            },
            operations: ops.to_vec(),
            host: Some("*".into()),
            rule_type: None,
        }
    }

    /// Render the lifted roles with the Strimzi backend's expansion and compare entry sets.
    fn round_trip(rules: &[AclRule]) -> Lifted {
        let l = lift(rules);
        let p = Principal {
            name: "u".into(),
            authentication: None,
            produces: l.produces.clone(),
            consumes: l.consumes.clone(),
            streams: Default::default(),
            transactional_ids: l.transactional_ids.clone(),
            acls: l.acls.clone(),
            quotas: None,
        };
        let rendered = rendered_rules(&p);
        assert_eq!(effective(&rendered), effective(rules));
        l
    }

    #[test]
    fn consumer_and_producer_become_roles_with_create_left_raw() {
        use AclOperation::*;
        use AclResourceType::*;
        let l = round_trip(&[
            rule(Topic, "my-topic", PatternType::Literal, &[Describe, Read]),
            rule(Group, "my-group", PatternType::Literal, &[Read]),
            rule(
                Topic,
                "my-topic",
                PatternType::Literal,
                &[Create, Describe, Write],
            ),
        ]);
        assert_eq!(l.produces, ["my-topic"]);
        assert_eq!(l.consumes.len(), 1);
        assert_eq!(l.consumes[0].group.as_deref(), Some("my-group"));
        assert_eq!(l.acls.len(), 1);
        assert_eq!(l.acls[0].operations, [Create]);
    }

    #[test]
    fn prefixes_wildcards_and_denies() {
        use AclOperation::*;
        use AclResourceType::*;
        let mut deny = rule(Topic, "secret", PatternType::Literal, &[Read]);
        deny.rule_type = Some(AclRuleType::Deny);
        let l = round_trip(&[
            rule(Topic, "orders.", PatternType::Prefix, &[Write, Describe]),
            rule(Topic, "*", PatternType::Literal, &[Read, Describe]),
            rule(
                TransactionalId,
                "tx-",
                PatternType::Prefix,
                &[Write, Describe],
            ),
            deny,
        ]);
        assert_eq!(l.produces, ["orders.*"]);
        assert_eq!(l.transactional_ids, ["tx-*"]);
        assert!(l.consumes.is_empty());
        assert_eq!(l.acls.len(), 2);
    }

    #[test]
    fn reads_without_a_group_stay_raw() {
        use AclOperation::*;
        use AclResourceType::*;
        let l = round_trip(&[rule(Topic, "t", PatternType::Literal, &[Read, Describe])]);
        assert!(l.consumes.is_empty());
        assert_eq!(l.acls[0].operations, [Read, Describe]);
    }
}
