//! kafka-gitops' platform settings and users, beside the services (`kafka_gitops.rs`):
//! - `settings.topics.defaults.replication` → the Environment's `defaults.replicas`;
//! - `settings.topics.blacklist.prefixed` (topics kafka-gitops leaves alone,
//!   `StateManager#getPrefixedTopicsToIgnore`) → `policy.reservedTopics` (`<prefix>*`): no bundle
//!   may declare them, unless an imported bundle uses one (then reported, not reserved);
//! - users whose custom ACLs are at cluster level (kafka-gitops' own admin user, as in its
//!   `examples/gitops-user`) → the Environment's `platformPrincipals`;
//! - user roles, from kafka-gitops' `service/RoleService.java`: `reader` Read on topic `*` and
//!   Read on group `*`; `writer` Write on topic `*`; `operator` cluster Describe, Describe and
//!   DescribeConfigs on topic `*`, Read and Describe on group `*` (all literal, host `*`). No
//!   kbundle role grants every topic, so none matches exactly: they become kafka-gitops custom
//!   ACLs of the user (the cluster rule is imported as a raw ACL; the literal `*` rules are
//!   refused by kbundle, KB136, and reported).

use super::environment::Settings;
use super::report::{Place, Report, Severity};
use crate::diag::Code;
use crate::model::AppBundle;
use crate::model::platform::PlatformPrincipal;
use serde_json::{Map, Value, json};

/// kafka-gitops' custom-ACL form of what a role grants (`RoleService#getAcls`), or why not.
pub fn role_acls(role: &str) -> Result<Vec<Value>, String> {
    let acl = |ty: &str, name: &str, op: &str| json!({"name": name, "type": ty, "pattern": "LITERAL", "host": "*", "operation": op, "permission": "ALLOW"});
    Ok(match role.to_ascii_lowercase().as_str() {
        "reader" => vec![acl("TOPIC", "*", "READ"), acl("GROUP", "*", "READ")],
        "writer" => vec![acl("TOPIC", "*", "WRITE")],
        "operator" => vec![
            acl("CLUSTER", "kafka-cluster", "DESCRIBE"),
            acl("TOPIC", "*", "DESCRIBE"),
            acl("TOPIC", "*", "DESCRIBE_CONFIGS"),
            acl("GROUP", "*", "READ"),
            acl("GROUP", "*", "DESCRIBE"),
        ],
        _ => {
            return Err(format!(
                "role {role:?} does not exist in kafka-gitops (reader, writer, operator)"
            ));
        }
    })
}

/// The roles of one user as custom ACLs named `role-<role>-<n>`, each role reported.
pub fn roles_as_custom(
    name: &str,
    roles: &[String],
    at: &Place,
    report: &mut Report,
) -> Map<String, Value> {
    let mut out = Map::new();
    for (i, role) in roles.iter().enumerate() {
        let path = format!("users.{name}.roles[{i}]");
        match role_acls(role) {
            Ok(acls) => {
                report.push(at, path, Severity::Warning, Code::ImportDifference, format!(
                    "role {role:?} grants every topic (and group) by kafka-gitops' literal `*` (RoleService): no kbundle role matches it exactly; imported as the user's raw ACLs, where kbundle refuses the `*` ones (KB136): grant this user the named topics it needs"));
                for (j, a) in acls.into_iter().enumerate() {
                    out.insert(format!("role-{role}-{j}"), a);
                }
            }
            Err(e) => report.push(at, path, Severity::Error, Code::ImportInvalid, e),
        }
    }
    out
}

/// Whether a custom ACL map holds a cluster-level rule.
pub fn has_cluster_acl(acls: &Value) -> bool {
    acls.as_object()
        .into_iter()
        .flatten()
        .any(|(_, a)| a.get("type").and_then(Value::as_str) == Some("CLUSTER"))
}

/// A user with cluster-level custom ACLs, as a platform principal.
pub fn platform_user(
    env: &mut Settings,
    name: &str,
    principal: &str,
    at: &Place,
    report: &mut Report,
) {
    let user = super::sanitize_label(principal.strip_prefix("User:").unwrap_or(principal));
    report.push(at, format!("customUserAcls.{name}"), Severity::Warning, Code::ImportDifference, format!(
        "{principal} holds cluster-level ACLs: an admin of the platform, not an application; it is the Environment's platform principal {user:?}, and its ACLs (each listed below as a difference) are the platform's to grant"));
    env.platform_principals.push(PlatformPrincipal {
        name: user,
        service: Some("admin".into()),
        principal: Some(principal.to_string()),
    });
}

/// `settings`: the Environment's part of it.
pub fn settings(v: &Value, env: &mut Settings) {
    if let Some(r) = v
        .pointer("/topics/defaults/replication")
        .and_then(Value::as_u64)
    {
        env.default_replicas = u32::try_from(r).ok();
    }
    for p in super::strs(v.pointer("/topics/blacklist/prefixed")) {
        env.reserved_topics.push(format!("{p}*"));
    }
}

/// Reserved prefixes an imported bundle uses are not reserved (the check would refuse the
/// import's own output): reported instead.
pub fn unreserve_used(env: &mut Settings, bundles: &[AppBundle], at: &Place, report: &mut Report) {
    env.reserved_topics.retain(|r| {
        let prefix = r.strip_suffix('*').unwrap_or(r);
        let used = bundles.iter().find(|b| {
            let s = &b.spec;
            s.topics.iter().any(|t| t.name.starts_with(prefix))
                || s.principals.iter().any(|p| {
                    p.produces.iter().any(|t| t.starts_with(prefix))
                        || p.consumes.iter().flat_map(|c| &c.topics).any(|t| t.starts_with(prefix))
                })
        });
        if let Some(b) = used {
            report.push(at, "settings.topics.blacklist.prefixed", Severity::Warning, Code::ImportDifference, format!(
                "bundle {:?} uses topics under the ignored prefix {prefix:?}: not reserved in the Environment (kbundle would refuse the bundle)", b.metadata.name));
        }
        used.is_none()
    });
}
