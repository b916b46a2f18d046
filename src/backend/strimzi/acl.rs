//! Strimzi ACLs: reads a [`UserPlan`]'s grants, emits Kafka ACL rules, least privilege
//! (docs/reference/outputs.md, "Roles and ACLs"):
//!
//! | role | grants |
//! |---|---|
//! | produces T | topic T: Write, Describe |
//! | consumes T, group G | topic T: Read, Describe; group G: Read |
//! | streams app A reads R, writes W | R: Read, Describe; W: Write, Describe; topics `A-*`: Create, Delete, Describe, DescribeConfigs, Read, Write; group A: Read, Describe; transactional ids `A-*`: Write, Describe |
//! | transactionalIds X | transactionalId X: Write, Describe |
//!
//! Rules on the same resource are merged; raw `acls` are appended unchanged.

use crate::model::bundle::{AclOperation, AclResourceType, AclRuleType, PatternType};
use crate::plan::UserPlan;
use crate::plan::access::Access;
use std::collections::{BTreeMap, BTreeSet};

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

/// The Kafka operations a grant needs (Kafka's "operations and resources on protocols").
pub fn operations(access: Access) -> &'static [AclOperation] {
    use AclOperation::*;
    match access {
        Access::Consume => &[Read, Describe],
        Access::Produce => &[Write, Describe],
        // Delete is needed to purge consumed repartition records.
        Access::StreamsInternal => &[Create, Delete, Describe, DescribeConfigs, Read, Write],
        Access::JoinGroup => &[Read],
        Access::StreamsGroup => &[Read, Describe],
        Access::Transact => &[Write, Describe],
    }
}

type RuleKey = (AclResourceType, PatternType, String);

/// The ACL rules of one user: grants merged per resource, then the raw rules.
pub fn acls(u: &UserPlan) -> Vec<AclPlan> {
    let mut rules: BTreeMap<RuleKey, BTreeSet<AclOperation>> = BTreeMap::new();
    for g in &u.grants {
        rules
            .entry((g.resource_type, g.pattern_type, g.name.clone()))
            .or_default()
            .extend(operations(g.access).iter().copied());
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
    for raw in &u.raw_acls {
        acls.push(AclPlan {
            resource_type: raw.resource.resource_type,
            name: raw.resource.name.clone(),
            pattern_type: raw.resource.pattern_type.unwrap_or(PatternType::Literal),
            operations: raw.operations.iter().copied().collect(),
            host: raw.host.clone(),
            rule_type: raw.rule_type,
        });
    }
    acls
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::bundle::{Consumes, Principal, Streams};
    use crate::model::streams::StreamsApps;
    use crate::plan::access::plan_user;

    fn principal() -> Principal {
        Principal {
            name: "p".into(),
            authentication: None,
            produces: vec![],
            consumes: vec![],
            streams: Default::default(),
            transactional_ids: vec![],
            acls: vec![],
            quotas: None,
        }
    }

    fn ops(plan: &[AclPlan], ty: AclResourceType, name: &str) -> Vec<AclOperation> {
        plan.iter()
            .find(|a| a.resource_type == ty && a.name.as_deref() == Some(name))
            .map(|a| a.operations.iter().copied().collect())
            .unwrap_or_default()
    }

    #[test]
    fn consumer_can_never_write_its_input() {
        let mut p = principal();
        p.consumes = vec![Consumes {
            topics: vec!["in".into()],
            group: Some("g".into()),
        }];
        let plan = acls(&plan_user(&p));
        assert_eq!(
            ops(&plan, AclResourceType::Topic, "in"),
            vec![AclOperation::Read, AclOperation::Describe]
        );
        assert_eq!(
            ops(&plan, AclResourceType::Group, "g"),
            vec![AclOperation::Read]
        );
        assert_eq!(plan.len(), 2);
    }

    #[test]
    fn producer_gets_write_and_describe_only() {
        let mut p = principal();
        p.produces = vec!["out".into(), "events.*".into()];
        let plan = acls(&plan_user(&p));
        assert_eq!(
            ops(&plan, AclResourceType::Topic, "out"),
            vec![AclOperation::Write, AclOperation::Describe]
        );
        let prefix = plan
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
            group: Some("g".into()),
        }];
        let plan = acls(&plan_user(&p));
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
        p.streams = StreamsApps::One(Streams {
            application_id: "app".into(),
            reads: vec!["in".into()],
            writes: vec!["out".into()],
            processing_guarantee: None,
        });
        let plan = acls(&plan_user(&p));
        let internal = plan
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
}
