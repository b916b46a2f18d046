//! Access: reads a bundle's principals, emits one neutral [`UserPlan`] each — who may do what
//! on which resource, as [`Grant`]s in role terms. What a grant means in ACL operations (Strimzi)
//! or role bindings is the backend's business (`backend::strimzi::acl`); the roles table is in
//! docs/reference/outputs.md.

use super::UserPlan;
use crate::model::bundle::{AclResourceType, AclRule, PatternType, Principal};
use crate::model::pattern::{Pattern, parse_pattern};
use serde::Serialize;

/// What a role needs on one resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Access {
    /// Read records of a topic.
    Consume,
    /// Write records to a topic.
    Produce,
    /// A Kafka Streams application's own internal (repartition, changelog) topics: create,
    /// purge, read and write them.
    StreamsInternal,
    /// Be a member of a consumer group and commit its offsets.
    JoinGroup,
    /// A Kafka Streams application's group: membership, and describing it (the Streams admin
    /// client does).
    StreamsGroup,
    /// Use transactional ids.
    Transact,
}

/// One permission a role gives a principal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Grant {
    pub resource_type: AclResourceType,
    pub pattern_type: PatternType,
    pub name: String,
    pub access: Access,
}

fn grant(out: &mut Vec<Grant>, resource_type: AclResourceType, raw: &str, access: Access) {
    // Validation has refused bad patterns already; skip rather than guess.
    let Ok(p) = parse_pattern(raw) else { return };
    let (pattern_type, name) = match p {
        Pattern::Literal(n) => (PatternType::Literal, n),
        Pattern::Prefix(n) => (PatternType::Prefix, n),
    };
    out.push(Grant {
        resource_type,
        pattern_type,
        name: name.to_string(),
        access,
    });
}

/// The grants of one principal's roles, in declaration order.
pub fn grants(p: &Principal) -> Vec<Grant> {
    use AclResourceType::{Group, Topic, TransactionalId};
    let mut out = Vec::new();
    for t in &p.produces {
        grant(&mut out, Topic, t, Access::Produce);
    }
    for c in &p.consumes {
        for t in &c.topics {
            grant(&mut out, Topic, t, Access::Consume);
        }
        if let Some(g) = &c.group {
            grant(&mut out, Group, g, Access::JoinGroup);
        }
    }
    for s in &p.streams {
        for t in &s.reads {
            grant(&mut out, Topic, t, Access::Consume);
        }
        for t in &s.writes {
            grant(&mut out, Topic, t, Access::Produce);
        }
        let app = &s.application_id;
        // Internal repartition and changelog topics are named `<applicationId>-...`; the
        // dash keeps the prefix from covering another app whose id merely starts the same.
        grant(
            &mut out,
            Topic,
            &format!("{app}-*"),
            Access::StreamsInternal,
        );
        grant(&mut out, Group, app, Access::StreamsGroup);
        // exactly_once_v2 uses transactional ids `<applicationId>-<processId>-<n>`;
        // at_least_once uses none.
        if s.transactional() {
            grant(
                &mut out,
                TransactionalId,
                &format!("{app}-*"),
                Access::Transact,
            );
        }
    }
    for t in &p.transactional_ids {
        grant(&mut out, TransactionalId, t, Access::Transact);
    }
    out
}

pub fn plan_user(p: &Principal) -> UserPlan {
    UserPlan {
        name: p.name.clone(),
        authentication: p.authentication,
        grants: grants(p),
        raw_acls: p.acls.clone(),
        quotas: p.quotas.clone(),
    }
}

/// Raw rules are Strimzi-shaped in the bundle; kept as written for the backend to check.
pub type RawAcl = AclRule;
