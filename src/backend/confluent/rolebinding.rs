//! CFK access: reads a [`UserPlan`]'s neutral grants, emits `ConfluentRolebinding`s with the
//! least Confluent RBAC roles that cover them (docs/reference/confluent.md, "Roles").
//!
//! Generic on purpose: a grant's meaning is the Kafka operations it needs on its resource
//! (the same table the Strimzi ACLs use, `strimzi::acl::operations`), and each resource gets the
//! smallest set of predefined roles whose documented operations cover them — fewest roles first,
//! then fewest operations beyond what is needed. A new kind of grant therefore needs no change
//! here. Bindings are one per (principal, role), listing every resource pattern of that role.

use crate::backend::shared::object_meta;
use crate::backend::strimzi::acl;
use crate::model::bundle::{AclOperation, AclResourceType, PatternType};
use crate::model::environment::ConfluentSettings;
use crate::model::labels::labels;
use crate::plan::{BundlePlan, UserPlan};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// The predefined Confluent RBAC roles kbundle binds on resources, least powerful first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    DeveloperRead,
    DeveloperWrite,
    DeveloperManage,
    ResourceOwner,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::DeveloperRead,
        Role::DeveloperWrite,
        Role::DeveloperManage,
        Role::ResourceOwner,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::DeveloperRead => "DeveloperRead",
            Role::DeveloperWrite => "DeveloperWrite",
            Role::DeveloperManage => "DeveloperManage",
            Role::ResourceOwner => "ResourceOwner",
        }
    }
}

/// The Kafka operations a role allows on a resource type, as MDS defines the role's
/// `accessPolicy.allowedOperations` (docs/reference/confluent.md, "Role definitions", which
/// cites each row; `roles_table_matches_the_docs` below keeps the two equal):
///
/// - DeveloperRead, DeveloperWrite: Confluent Platform MDS (`/security/1.0/roles/<role>`), as
///   recorded in confluentinc/cli `test/test-server/mds_routes_and_roles.go` @ 369b85f2 and the
///   on-prem `confluent iam rbac role list -o json` golden
///   `test/fixtures/output/iam/rbac/role/list-json-onprem.golden` @ 476f5de6.
/// - DeveloperManage, ResourceOwner on Topic and Group: Confluent Cloud's definitions of the
///   same predefined roles (confluentinc/cli `test/test-server/cloud_mds_handlers.go` @
///   0c354607); no published Platform definition was found, so these are marked unverified for
///   Platform in the docs.
/// - ResourceOwner on TransactionalId and Cluster: not found in any definition; the
///   docs' "Resource Read/Write/Manage: Yes" row of the predefined-roles page is all there is,
///   so kbundle never binds ResourceOwner there (developer roles cover every grant).
pub fn role_operations(role: Role, resource: AclResourceType) -> &'static [AclOperation] {
    use AclOperation::*;
    use AclResourceType::*;
    match (role, resource) {
        (Role::ResourceOwner, Topic) => &[
            Read,
            Write,
            Create,
            Delete,
            Alter,
            Describe,
            AlterConfigs,
            DescribeConfigs,
        ],
        (Role::ResourceOwner, Group) => &[Read, Delete, Describe],
        // Unverified (see above).
        (Role::ResourceOwner, TransactionalId) => &[Write, Describe],
        (Role::ResourceOwner, Cluster) => &[
            Create,
            Alter,
            Describe,
            ClusterAction,
            AlterConfigs,
            DescribeConfigs,
            IdempotentWrite,
        ],
        (Role::DeveloperRead, Topic) => &[Read, Describe],
        (Role::DeveloperRead, Group) => &[Read, Describe],
        (Role::DeveloperRead, TransactionalId) => &[Describe],
        (Role::DeveloperRead, Cluster) => &[],
        (Role::DeveloperWrite, Topic) => &[Write, Describe],
        (Role::DeveloperWrite, Group) => &[],
        (Role::DeveloperWrite, TransactionalId) => &[Write, Describe],
        (Role::DeveloperWrite, Cluster) => &[IdempotentWrite],
        // No Alter or AlterConfigs: changing a topic's configs needs ResourceOwner.
        (Role::DeveloperManage, Topic) => &[Create, Delete, Describe, DescribeConfigs],
        (Role::DeveloperManage, Group) => &[Describe, Delete],
        (Role::DeveloperManage, TransactionalId) => &[Describe],
        (Role::DeveloperManage, Cluster) => &[Create, DescribeConfigs],
    }
}

/// What a set of roles allows on one resource type.
pub fn allowed(roles: &BTreeSet<Role>, resource: AclResourceType) -> BTreeSet<AclOperation> {
    roles
        .iter()
        .flat_map(|r| role_operations(*r, resource).iter().copied())
        .collect()
}

/// The least set of roles covering `needed` on `resource`: without ResourceOwner when possible
/// (it also lets the principal manage the resource's role bindings), then fewest operations
/// beyond `needed`, then fewest roles. `All` is covered only by ResourceOwner.
pub fn least_roles(resource: AclResourceType, needed: &BTreeSet<AclOperation>) -> BTreeSet<Role> {
    type Key = (bool, usize, usize, BTreeSet<Role>);
    let mut best: Option<Key> = None;
    for mask in 1u8..16 {
        let roles: BTreeSet<Role> = Role::ALL
            .iter()
            .enumerate()
            .filter(|(i, _)| mask & (1 << i) != 0)
            .map(|(_, r)| *r)
            .collect();
        let ops = allowed(&roles, resource);
        let covers = needed
            .iter()
            .all(|o| ops.contains(o) || (roles.contains(&Role::ResourceOwner)));
        if !covers {
            continue;
        }
        let extra = ops.difference(needed).count();
        let key = (
            roles.contains(&Role::ResourceOwner),
            extra,
            roles.len(),
            roles,
        );
        if best.as_ref().is_none_or(|b| key < *b) {
            best = Some(key);
        }
    }
    best.map(|b| b.3)
        .unwrap_or_else(|| BTreeSet::from([Role::ResourceOwner]))
}

/// A resource pattern of a role binding: (resourceType, patternType, name) as CFK writes them.
pub type Pattern = (&'static str, &'static str, String);

fn resource_type(t: AclResourceType) -> &'static str {
    match t {
        AclResourceType::Topic => "Topic",
        AclResourceType::Group => "Group",
        AclResourceType::Cluster => "Cluster",
        AclResourceType::TransactionalId => "TransactionalId",
    }
}

fn pattern_type(p: PatternType) -> &'static str {
    match p {
        PatternType::Literal => "LITERAL",
        PatternType::Prefix => "PREFIXED",
    }
}

/// The roles of one user: per role, the resource patterns it is bound on.
pub fn user_roles(u: &UserPlan) -> BTreeMap<Role, BTreeSet<Pattern>> {
    let mut needed: BTreeMap<(AclResourceType, PatternType, String), BTreeSet<AclOperation>> =
        BTreeMap::new();
    for g in &u.grants {
        needed
            .entry((g.resource_type, g.pattern_type, g.name.clone()))
            .or_default()
            .extend(acl::operations(g.access).iter().copied());
    }
    let mut out: BTreeMap<Role, BTreeSet<Pattern>> = BTreeMap::new();
    for ((rt, pt, name), ops) in needed {
        // A cluster-wide grant is bound on the cluster resource, named `kafka-cluster` in MDS.
        let name = if rt == AclResourceType::Cluster {
            "kafka-cluster".to_string()
        } else {
            name
        };
        for role in least_roles(rt, &ops) {
            out.entry(role).or_default().insert((
                resource_type(rt),
                pattern_type(pt),
                name.clone(),
            ));
        }
    }
    out
}

/// `metadata.name` of a user's binding of one role.
pub fn binding_name(user: &str, role: Role) -> String {
    format!("{user}-{}", role.as_str().to_ascii_lowercase())
}

/// Every role binding of a bundle; none on Confluent Cloud, where MDS role bindings do not work
/// (validation refused them unless they are managed elsewhere, KB155).
pub fn role_bindings(plan: &BundlePlan, settings: &ConfluentSettings) -> Vec<Value> {
    if settings.cloud {
        return Vec::new();
    }
    let mut out = Vec::new();
    for u in &plan.users {
        for (role, patterns) in user_roles(u) {
            let patterns: Vec<Value> = patterns
                .iter()
                .map(|(rt, pt, name)| json!({"name": name, "patternType": pt, "resourceType": rt}))
                .collect();
            let meta = object_meta(
                &binding_name(&u.name, role),
                plan.namespace.as_deref(),
                labels(&plan.name, &plan.owner),
            );
            let mut spec = json!({
                "principal": {"type": "user", "name": u.name},
                "role": role.as_str(),
                "resourcePatterns": patterns,
            });
            if let Some(rest) = &settings.kafka_rest_class_ref {
                spec["kafkaRestClassRef"] = json!({"name": rest});
            }
            out.push(json!({
                "apiVersion": super::API_VERSION,
                "kind": "ConfluentRolebinding",
                "metadata": serde_json::to_value(&meta).unwrap_or(Value::Null),
                "spec": spec,
            }));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::access::Access;
    use AclOperation::*;

    fn ops(list: &[AclOperation]) -> BTreeSet<AclOperation> {
        list.iter().copied().collect()
    }

    #[test]
    fn least_roles_per_grant() {
        use AclResourceType::*;
        let one = |r| BTreeSet::from([r]);
        assert_eq!(
            least_roles(Topic, &ops(&[Read, Describe])),
            one(Role::DeveloperRead)
        );
        assert_eq!(
            least_roles(Topic, &ops(&[Write, Describe])),
            one(Role::DeveloperWrite)
        );
        assert_eq!(
            least_roles(Topic, &ops(&[Read, Write, Describe])),
            BTreeSet::from([Role::DeveloperRead, Role::DeveloperWrite])
        );
        assert_eq!(least_roles(Group, &ops(&[Read])), one(Role::DeveloperRead));
        assert_eq!(
            least_roles(TransactionalId, &ops(&[Write, Describe])),
            one(Role::DeveloperWrite)
        );
        // Streams internal topics: ResourceOwner would do it alone, but it also manages role
        // bindings; the three developer roles allow exactly the operations needed.
        let needed = ops(acl::operations(Access::StreamsInternal));
        let internal = least_roles(Topic, &needed);
        assert_eq!(
            internal,
            BTreeSet::from([
                Role::DeveloperRead,
                Role::DeveloperWrite,
                Role::DeveloperManage
            ])
        );
        assert_eq!(allowed(&internal, Topic), needed);
    }

    /// The roles table of docs/reference/confluent.md ("Role definitions"): role → operations
    /// per resource type (Topic, Group, TransactionalId, Cluster); `—` is none, `†` marks an
    /// unverified entry.
    fn documented_roles() -> BTreeMap<String, [BTreeSet<String>; 4]> {
        let doc = include_str!("../../../docs/reference/confluent.md");
        let section = doc
            .split("### Role definitions")
            .nth(1)
            .expect("a Role definitions section");
        let mut out = BTreeMap::new();
        for line in section.lines().take_while(|l| !l.starts_with("##")) {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let Some(role) = cells.get(1) else { continue };
            if !Role::ALL.iter().any(|r| r.as_str() == *role) {
                continue;
            }
            let parse = |i: usize| -> BTreeSet<String> {
                cells[i]
                    .split(',')
                    .map(|o| o.replace('†', "").trim().to_string())
                    .filter(|o| !o.is_empty() && o != "—")
                    .collect()
            };
            out.insert(role.to_string(), [parse(2), parse(3), parse(4), parse(5)]);
        }
        out
    }

    #[test]
    fn roles_table_matches_the_docs() {
        use AclResourceType::*;
        let documented = documented_roles();
        assert_eq!(documented.len(), Role::ALL.len(), "{documented:?}");
        for role in Role::ALL {
            let row = &documented[role.as_str()];
            for (i, rt) in [Topic, Group, TransactionalId, Cluster]
                .into_iter()
                .enumerate()
            {
                let code: BTreeSet<String> = role_operations(role, rt)
                    .iter()
                    .map(|o| {
                        serde_json::to_value(o)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_string))
                            .unwrap_or_default()
                    })
                    .collect();
                assert_eq!(code, row[i], "{role:?} on {rt:?}");
            }
        }
    }

    #[test]
    fn every_grant_is_covered() {
        use Access::*;
        for access in [
            Consume,
            Produce,
            StreamsInternal,
            JoinGroup,
            StreamsGroup,
            Transact,
        ] {
            for rt in [
                AclResourceType::Topic,
                AclResourceType::Group,
                AclResourceType::TransactionalId,
            ] {
                let needed = ops(acl::operations(access));
                let roles = least_roles(rt, &needed);
                let granted = allowed(&roles, rt);
                let owner = roles.contains(&Role::ResourceOwner);
                assert!(
                    owner || needed.is_subset(&granted),
                    "{access:?} on {rt:?}: {roles:?}"
                );
            }
        }
    }
}
