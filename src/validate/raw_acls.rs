//! Raw ACL rules that can never match, or match far more than they seem to. Kafka compares a
//! literal resource name exactly (except the literal `*`, its wildcard for every resource) and a
//! prefixed name as plain text, so `orders.*` as a literal and `*` as a prefix match nothing,
//! while a literal `*` or `All` on a prefix grant much more than the author likely meant.

use super::BundleInput;
use crate::diag::{Code, Diagnostic};
use crate::model::bundle::{AclOperation, AclResourceType, PatternType};
use crate::path::FieldPath;

pub fn check(b: &BundleInput, out: &mut Vec<Diagnostic>) {
    for (pi, p) in b.bundle.spec.principals.iter().enumerate() {
        for (ri, rule) in p.acls.iter().enumerate() {
            let rat = FieldPath::of("spec.principals")
                .index(pi)
                .key("acls")
                .index(ri);
            let ty = rule.resource.resource_type;
            if ty == AclResourceType::Cluster {
                continue;
            }
            let Some(name) = rule.resource.name.as_deref() else {
                continue; // KB042 already
            };
            let prefix = rule.resource.pattern_type == Some(PatternType::Prefix);
            let what = ty.as_str();
            let glob = name.contains(['*', '?']);
            let d = if !prefix && name == "*" {
                Some(
                    Diagnostic::error(
                        Code::RawAclOverWide,
                        format!("literal {what} name \"*\" is Kafka's wildcard: it matches every {what}"),
                    )
                    .with_hint("name the resources, or use patternType: prefix with the common start of their names"),
                )
            } else if !prefix && glob {
                let start = name.split(['*', '?']).next().unwrap_or_default();
                Some(
                    Diagnostic::error(
                        Code::RawAclDead,
                        format!("literal {what} name {name:?} matches no {what}: Kafka does not expand `*` or `?` in a literal name"),
                    )
                    .with_hint(format!("for every {what} starting with {start:?} write name: {start:?} with patternType: prefix")),
                )
            } else if prefix && glob {
                let start = name.split(['*', '?']).next().unwrap_or_default();
                let hint = if start.is_empty() {
                    "a prefix is written without `*`; to grant every resource use a literal \"*\" only if that is really meant".to_string()
                } else {
                    format!("a prefix is written without `*`: name: {start:?}, patternType: prefix")
                };
                Some(
                    Diagnostic::error(
                        Code::RawAclDead,
                        format!("prefix {name:?} matches only {what} names that start with exactly these characters, `*` included"),
                    )
                    .with_hint(hint),
                )
            } else if prefix && rule.operations.contains(&AclOperation::All) {
                Some(
                    Diagnostic::error(
                        Code::RawAclOverWide,
                        format!("operation All on every {what} starting with {name:?} includes Delete and Alter"),
                    )
                    .with_hint(format!(
                        "name the operations, e.g. {}",
                        match ty {
                            AclResourceType::Topic => "[Read, Describe] or [Write, Describe]",
                            AclResourceType::Group => "[Read]",
                            _ => "[Write, Describe]",
                        }
                    )),
                )
            } else {
                None
            };
            if let Some(d) = d {
                out.push(b.at(d, &rat.child_key("resource").key("name")));
            }
        }
    }
}
