//! Access changes per principal, and when a new permission widens access.

use super::*;

/// Operations that let a principal write records or change a resource.
pub(super) fn is_write(op: &str) -> bool {
    let op = op.split(" from ").next().unwrap_or(op);
    matches!(
        op,
        "produce" | "Write" | "All" | "Create" | "Delete" | "Alter" | "AlterConfigs"
    )
}

/// Why a new permission widens access, if it does.
pub(super) fn widening(
    p: &Perm,
    old: &PrincipalSnap,
    before: &Snapshot,
    new: &Snapshot,
    scope: &str,
) -> Option<String> {
    if p.operation.starts_with("deny ") {
        return None;
    }
    if p.operation.starts_with("All") || p.name == "*" {
        return Some("grants everything".into());
    }
    if p.pattern == "prefix"
        && old.perms.iter().any(|q| {
            q.pattern == "literal"
                && q.resource == p.resource
                && q.operation == p.operation
                && q.name.starts_with(&p.name)
        })
    {
        return Some("a literal grant becomes a prefix".into());
    }
    if p.resource == "topic" {
        let owner = new.bundles.get(scope).map(|b| b.owner.as_str());
        let covers = |t: &str| {
            if p.pattern == "prefix" {
                t.starts_with(&p.name)
            } else {
                t == p.name
            }
        };
        for (other, b) in &new.bundles {
            if other != scope
                && Some(b.owner.as_str()) != owner
                && b.topics.keys().any(|t| covers(t))
            {
                return Some(format!("on a topic of {} ({other})", b.owner));
            }
        }
    }
    // A new writer of data that exists already; producing to a topic the change adds is
    // part of adding it.
    if is_write(&p.operation) && p.resource == "topic" {
        let existed = before.bundles.values().any(|b| {
            b.topics.keys().any(|t| {
                if p.pattern == "prefix" {
                    t.starts_with(&p.name)
                } else {
                    *t == p.name
                }
            })
        });
        if existed {
            return Some("a new writer of an existing topic".into());
        }
    }
    if is_write(&p.operation) && p.resource != "topic" && p.resource != "transactionalId" {
        return Some("new write access".into());
    }
    None
}

pub(super) fn access(
    o: &BundleSnap,
    n: &BundleSnap,
    before: &Snapshot,
    new: &Snapshot,
    scope: &str,
    out: &mut Out,
) {
    let empty = PrincipalSnap::default();
    let names: BTreeSet<&String> = o.principals.keys().chain(n.principals.keys()).collect();
    for name in names {
        let (a, b) = (
            o.principals.get(name).unwrap_or(&empty),
            n.principals.get(name).unwrap_or(&empty),
        );
        let auth = |p: &PrincipalSnap| {
            p.authentication
                .as_ref()
                .map(|a| format!(" ({a})"))
                .unwrap_or_default()
        };
        let both = match (
            o.principals.contains_key(name),
            n.principals.contains_key(name),
        ) {
            (false, true) => {
                out.push("principal", name, format!("added{}", auth(b)));
                false
            }
            (true, false) => {
                out.push("principal", name, format!("removed{}", auth(a)));
                false
            }
            _ => true,
        };
        if both && a.authentication != b.authentication {
            out.push(
                "principal",
                name,
                format!(
                    "authentication {}",
                    arrow(a.authentication.as_ref(), b.authentication.as_ref())
                ),
            );
        }
        for p in b.perms.difference(&a.perms) {
            match widening(p, a, before, new, scope) {
                Some(why) => out.risk(
                    Code::DiffAccessWidened,
                    "access",
                    name,
                    format!("granted {p}: {why}"),
                ),
                None => out.push("access", name, format!("granted {p}")),
            }
        }
        for p in a.perms.difference(&b.perms) {
            out.push("access", name, format!("revoked {p}"));
        }
        for (k, x, y) in changed_keys(&a.quotas, &b.quotas) {
            out.push("quota", name, format!("{k} {}", arrow(x, y)));
        }
    }
}
