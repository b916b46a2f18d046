//! Ownership between bundles beyond topics and principals: consumer groups, Streams
//! applicationIds and transactional ids belong to one bundle each (overlapping prefixes
//! included, through [`PatternOwners`]), and a principal that uses another bundle's topic needs
//! that bundle's grant (`topics[].access`). The model is in docs/reference/ownership.md.
//!
//! Everything here needs every bundle in view: `kbundle check` at the repository root is the
//! authoritative run; a render of one application sees only its own bundles, so a topic owned
//! elsewhere is "undeclared" there (KB040, a warning) and no grant can be checked.

use super::claims::PatternOwners;
use super::{BundleInput, EnvInput};
use crate::diag::{Code, Diagnostic};
use crate::model::ConfigValue;
use crate::model::bundle::{ConnectorType, Principal, Topic};
use crate::model::environment::AccessPolicy;
use crate::model::pattern::{Pattern, parse_pattern};
use crate::path::FieldPath;
use crate::derive::connect::{DLQ_TOPIC, OFFSETS_TOPIC, exactly_once, user_name};
use std::collections::{BTreeMap, HashMap, HashSet};

pub fn check_across(bundles: &[BundleInput], env: &EnvInput, out: &mut Vec<Diagnostic>) {
    let app_clashed = claim_ids(bundles, env, out);
    claim_internal_topics(bundles, &app_clashed, out);
    check_grants_named(bundles, out);
    check_topic_use(bundles, env.env.spec.policy.access, out);
}

/// Groups (consumer groups and Streams applicationIds, which are group ids) and transactional
/// ids, claimed in bundle order: a later bundle overlapping an earlier one is the error.
/// Returns the Streams apps (bundle, principal) whose applicationId clashed: their prefix
/// clashes are the same mistake and are not reported again.
fn claim_ids(
    bundles: &[BundleInput],
    env: &EnvInput,
    out: &mut Vec<Diagnostic>,
) -> HashSet<(usize, AppAt)> {
    // Owned here, before the map that borrows them.
    let streams_prefixes = app_prefixes(bundles);
    let connectors = connector_txids(bundles, env);
    // Apps whose applicationId clash is reported already: their `<id>-` prefix clash is the
    // same mistake, not a second one.
    let mut app_clashed = HashSet::new();
    let mut groups = PatternOwners::default();
    let mut txids = PatternOwners::default();
    for (bi, b) in bundles.iter().enumerate() {
        for (pi, p) in b.bundle.spec.principals.iter().enumerate() {
            let at = FieldPath::of("spec.principals").index(pi);
            for (ci, c) in p.consumes.iter().enumerate() {
                let Some(group) = c.group.as_deref() else {
                    continue;
                };
                if let Ok(pat) = parse_pattern(group)
                    && let Some((obi, theirs)) = groups.claim(pat, bi)
                {
                    out.push(b.at(
                        overlap(
                            Code::GroupClaimedTwice,
                            "consumer group",
                            group,
                            &theirs,
                            &bundles[obi],
                            b,
                        ),
                        &at.child_key("consumes").index(ci).key("group"),
                    ));
                }
            }
            for (ai, (s, sat)) in p.streams.with_paths(&at).enumerate() {
                let sat = sat.key("applicationId");
                let app = s.application_id.as_str();
                if let Some((obi, theirs)) = groups.claim(Pattern::Literal(app), bi) {
                    app_clashed.insert((bi, (pi, ai)));
                    out.push(b.at(
                        overlap(
                            Code::GroupClaimedTwice,
                            "Streams applicationId (its consumer group)",
                            app,
                            &theirs,
                            &bundles[obi],
                            b,
                        ),
                        &sat,
                    ));
                }
            }
            for (ti, t) in p.transactional_ids.iter().enumerate() {
                if let Ok(pat) = parse_pattern(t)
                    && let Some((obi, theirs)) = txids.claim(pat, bi)
                {
                    out.push(b.at(
                        overlap(
                            Code::TransactionalIdClaimedTwice,
                            "transactional id",
                            t,
                            &theirs,
                            &bundles[obi],
                            b,
                        ),
                        &at.child_key("transactionalIds").index(ti),
                    ));
                }
            }
        }
    }
    // Streams' own transactional ids (`<applicationId>-…`, exactly-once) are claimed after
    // every explicit `transactionalIds` entry, so a clash is reported at the Streams app.
    for (bi, app, prefix, sat) in &streams_prefixes {
        let (bi, app) = (*bi, *app);
        let b = &bundles[bi];
        if let Some((obi, theirs)) = txids.claim(Pattern::Prefix(prefix), bi)
            && !app_clashed.contains(&(bi, app))
        {
            out.push(b.at(
                overlap(
                    Code::TransactionalIdClaimedTwice,
                    "Streams transactional-id prefix",
                    &format!("{prefix}*"),
                    &theirs,
                    &bundles[obi],
                    b,
                ),
                &sat.child_key("applicationId"),
            ));
        }
    }
    for (bi, ci, prefix) in &connectors {
        let b = &bundles[*bi];
        if let Some((obi, theirs)) = txids.claim(Pattern::Prefix(prefix), *bi) {
            out.push(b.at(
                overlap(
                    Code::TransactionalIdClaimedTwice,
                    "transactional-id prefix of an exactly-once connector",
                    &format!("{prefix}*"),
                    &theirs,
                    &bundles[obi],
                    b,
                ),
                &FieldPath::of("spec.connectors").index(*ci).key("name"),
            ));
        }
    }
    app_clashed
}

/// Exactly-once source connectors' task ids `<groupId>-<connector>-…` belong to their bundle:
/// (bundle, connector, prefix).
fn connector_txids(bundles: &[BundleInput], env: &EnvInput) -> Vec<(usize, usize, String)> {
    let Some(connect) = &env.env.spec.connect else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (bi, b) in bundles.iter().enumerate() {
        for (ci, c) in b.bundle.spec.connectors.iter().enumerate() {
            if let Some(eos) = exactly_once(c, connect) {
                out.push((bi, ci, eos.transactional_id_prefix));
            }
        }
    }
    out
}

/// A Streams app is granted create/delete/write on every topic starting `<applicationId>-`
/// (its internal topics): that prefix must not cover another bundle's topic, nor another
/// bundle's app's internal topics (`orders-` covers `orders-x-`).
fn claim_internal_topics(
    bundles: &[BundleInput],
    app_clashed: &HashSet<(usize, AppAt)>,
    out: &mut Vec<Diagnostic>,
) {
    let prefixes = app_prefixes(bundles);
    if prefixes.is_empty() {
        return;
    }
    let mut owners = PatternOwners::default();
    for (bi, b) in bundles.iter().enumerate() {
        for t in &b.bundle.spec.topics {
            owners.claim(Pattern::Literal(&t.name), bi);
        }
    }
    for (bi, app, prefix, sat) in &prefixes {
        let (bi, app) = (*bi, *app);
        let b = &bundles[bi];
        if let Some((obi, theirs)) = owners.claim(Pattern::Prefix(prefix), bi)
            && !app_clashed.contains(&(bi, app))
        {
            out.push(b.at(
                overlap(
                    Code::StreamsInternalOverlap,
                    "Streams internal-topic prefix",
                    &format!("{prefix}*"),
                    &theirs,
                    &bundles[obi],
                    b,
                ),
                &sat.child_key("applicationId"),
            ));
        }
    }
}

fn overlap(
    code: Code,
    what: &str,
    mine: &str,
    theirs: &str,
    first: &BundleInput,
    second: &BundleInput,
) -> Diagnostic {
    let with = if mine == theirs {
        String::new()
    } else {
        format!(" (overlaps {theirs:?})")
    };
    Diagnostic::error(
        code,
        format!(
            "{what} {mine:?}{with} is claimed by bundle {:?} and by bundle {:?}",
            first.name(),
            second.name()
        ),
    )
    .with_hint(format!(
        "a {what} belongs to one bundle: rename one, or narrow the prefix; the other is in {}",
        first.origin.file.as_deref().unwrap_or("the input")
    ))
}

/// Each grant is `bundle` or `bundle/principal`; a principal named in a bundle that is in view
/// must exist there. A bundle not in view is not an error: a per-app render cannot see it.
fn check_grants_named(bundles: &[BundleInput], out: &mut Vec<Diagnostic>) {
    let by_name: HashMap<&str, &BundleInput> = bundles.iter().map(|b| (b.name(), b)).collect();
    for b in bundles {
        for (ti, t) in b.bundle.spec.topics.iter().enumerate() {
            let Some(access) = &t.access else { continue };
            for (key, list) in [("write", &access.write), ("read", &access.read)] {
                for (gi, g) in list.iter().enumerate() {
                    let at = || {
                        FieldPath::of("spec.topics")
                            .index(ti)
                            .key("access")
                            .key(key)
                            .index(gi)
                    };
                    let (bundle, principal) = match g.split_once('/') {
                        Some((bn, pn)) => (bn, Some(pn)),
                        None => (g.as_str(), None),
                    };
                    let bad = |msg: String| {
                        b.at(
                            Diagnostic::error(Code::GrantInvalid, msg).with_hint(
                                "write `bundle` (every principal of it) or `bundle/principal`",
                            ),
                            &at(),
                        )
                    };
                    if bundle.is_empty()
                        || principal.is_some_and(|p| p.is_empty() || p.contains('/'))
                    {
                        out.push(bad(format!(
                            "grant {} is not `bundle` or `bundle/principal`",
                            crate::diag::shown::identifier(g)
                        )));
                    } else if let (Some(other), Some(pn)) = (by_name.get(bundle), principal)
                        && !other.bundle.spec.principals.iter().any(|p| p.name == pn)
                        && !other
                            .bundle
                            .spec
                            .connectors
                            .iter()
                            .any(|c| user_name(&c.name) == pn)
                    {
                        let known: Vec<&str> = other
                            .bundle
                            .spec
                            .principals
                            .iter()
                            .map(|p| p.name.as_str())
                            .collect();
                        out.push(bad(format!(
                            "grant {g:?} names principal {pn:?}, which bundle {bundle:?} does not declare (it has: {})",
                            if known.is_empty() { "none".to_string() } else { known.join(", ") }
                        )));
                    }
                }
            }
        }
    }
}

/// How a principal uses a topic.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Use {
    Read,
    Write,
}

/// A use of a topic (pattern as written) and where it is written.
type TopicUse<'a> = (Use, &'a str, FieldPath);

/// A Streams app: (principal, app) indexes within its bundle; a principal may run several.
type AppAt = (usize, usize);

/// A Streams app's `<applicationId>-` prefix: (bundle, app, prefix, path of the app).
type AppPrefix = (usize, AppAt, String, FieldPath);

/// Every topic reference of a principal that reads or writes, with its field path.
fn topic_uses<'p>(p: &'p Principal, at: &FieldPath) -> Vec<TopicUse<'p>> {
    let mut refs = Vec::new();
    for (i, t) in p.produces.iter().enumerate() {
        refs.push((Use::Write, t.as_str(), at.child_key("produces").index(i)));
    }
    for (i, c) in p.consumes.iter().enumerate() {
        for (j, t) in c.topics.iter().enumerate() {
            let path = at.child_key("consumes").index(i).key("topics").index(j);
            refs.push((Use::Read, t.as_str(), path));
        }
    }
    for (s, sat) in p.streams.with_paths(at) {
        for (i, t) in s.reads.iter().enumerate() {
            let path = sat.child_key("reads").index(i);
            refs.push((Use::Read, t.as_str(), path));
        }
        for (i, t) in s.writes.iter().enumerate() {
            let path = sat.child_key("writes").index(i);
            refs.push((Use::Write, t.as_str(), path));
        }
    }
    refs
}

fn granted(t: &Topic, how: Use, bundle: &str, principal: &str) -> bool {
    let Some(access) = &t.access else {
        return false;
    };
    let list = match how {
        Use::Write => &access.write,
        Use::Read => &access.read,
    };
    list.iter().any(|g| match g.split_once('/') {
        Some((bn, pn)) => bn == bundle && pn == principal,
        None => g == bundle,
    })
}

/// Writes to another bundle's topic always need its grant; reads only under `grants-only`.
fn check_topic_use(bundles: &[BundleInput], policy: AccessPolicy, out: &mut Vec<Diagnostic>) {
    // Topic name → (owning bundle, topic index): the first declaration (KB032 reports others).
    let mut owner: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for (bi, b) in bundles.iter().enumerate() {
        for (ti, t) in b.bundle.spec.topics.iter().enumerate() {
            owner.entry(t.name.as_str()).or_insert((bi, ti));
        }
    }
    for (bi, b) in bundles.iter().enumerate() {
        // Principals, then connectors as the principal they run as (`connect-<name>`): a sink
        // reads its topics and writes its dead-letter topic, a source writes its topics.
        let mut actors: Vec<(String, Vec<TopicUse>)> = b
            .bundle
            .spec
            .principals
            .iter()
            .enumerate()
            .map(|(pi, p)| {
                let at = FieldPath::of("spec.principals").index(pi);
                (p.name.clone(), topic_uses(p, &at))
            })
            .collect();
        for (ci, c) in b.bundle.spec.connectors.iter().enumerate() {
            let at = FieldPath::of("spec.connectors").index(ci);
            let how = match c.effective_type() {
                Some(ConnectorType::Source) => Use::Write,
                _ => Use::Read,
            };
            let mut uses: Vec<TopicUse> = c
                .topics
                .iter()
                .enumerate()
                .map(|(ti, t)| (how, t.as_str(), at.child_key("topics").index(ti)))
                .collect();
            if how == Use::Write
                && let Some(ConfigValue::String(t)) = c.config.get(OFFSETS_TOPIC)
            {
                // Its own offsets topic, written by its tasks.
                uses.push((
                    Use::Write,
                    t.as_str(),
                    at.child_key("config").key(OFFSETS_TOPIC),
                ));
            }
            if how == Use::Read
                && let Some(ConfigValue::String(dlq)) = c.config.get(DLQ_TOPIC)
            {
                uses.push((
                    Use::Write,
                    dlq.as_str(),
                    at.child_key("config").key(DLQ_TOPIC),
                ));
            }
            actors.push((user_name(&c.name), uses));
        }
        for (actor, uses) in &actors {
            let actor: &str = actor;
            for (how, raw, path) in uses.iter().map(|(h, r, p)| (*h, *r, p)) {
                if how == Use::Read && policy == AccessPolicy::OpenRead {
                    continue;
                }
                let matched: Vec<(&str, (usize, usize))> = match parse_pattern(raw) {
                    Ok(Pattern::Literal(n)) => owner
                        .get_key_value(n)
                        .map(|(k, v)| (*k, *v))
                        .into_iter()
                        .collect(),
                    Ok(Pattern::Prefix(pre)) => owner
                        .range(pre..)
                        .take_while(|(k, _)| k.starts_with(pre))
                        .map(|(k, v)| (*k, *v))
                        .collect(),
                    Err(_) => Vec::new(), // already an error
                };
                for (name, (obi, oti)) in matched {
                    if obi == bi {
                        continue;
                    }
                    let ob = &bundles[obi];
                    let topic = &ob.bundle.spec.topics[oti];
                    if granted(topic, how, b.name(), actor) {
                        continue;
                    }
                    let (code, verb, key) = match how {
                        Use::Write => (Code::WriteNeedsGrant, "writes to", "write"),
                        Use::Read => (Code::ReadNeedsGrant, "reads", "read"),
                    };
                    let via = if raw == name {
                        String::new()
                    } else {
                        format!(" (through {raw:?})")
                    };
                    let policy_note = if how == Use::Read {
                        " (the Environment's policy.access is grants-only)"
                    } else {
                        ""
                    };
                    out.push(b.at(
                        Diagnostic::error(
                            code,
                            format!(
                                "principal {:?} of bundle {:?} {verb} topic {name:?}{via}, owned by bundle {:?}, without its grant{policy_note}",
                                actor,
                                b.name(),
                                ob.name()
                            ),
                        )
                        .with_hint(format!(
                            "bundle {:?} must add \"{}/{}\" (or \"{}\") to spec.topics[{oti}].access.{key} in {}",
                            ob.name(),
                            b.name(),
                            actor,
                            b.name(),
                            ob.origin.file.as_deref().unwrap_or("its file")
                        )),
                        path,
                    ));
                }
            }
        }
    }
}

/// Every Streams app's `<applicationId>-` prefix (its internal topics and transactional ids),
/// with its bundle, its (principal, app) position and its field path.
fn app_prefixes(bundles: &[BundleInput]) -> Vec<AppPrefix> {
    bundles
    .iter()
    .enumerate()
    .flat_map(|(bi, b)| {
        b.bundle
            .spec
            .principals
            .iter()
            .enumerate()
            .flat_map(move |(pi, p)| {
                let at = FieldPath::of("spec.principals").index(pi);
                p.streams
                    .with_paths(&at)
                    .enumerate()
                    .map(move |(ai, (s, sat))| {
                        (bi, (pi, ai), format!("{}-", s.application_id), sat)
                    })
                    .collect::<Vec<_>>()
            })
    })
    .collect()
}
