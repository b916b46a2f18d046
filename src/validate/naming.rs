//! Naming conventions as policy (issue 12, item 4): the Environment's `policy.naming.prefix`
//! (a template filled in from each bundle) starts every topic, consumer group, Streams
//! applicationId and transactional id a bundle declares (KB144, as are an unusable template
//! or bundle prefix); and a bundle's own
//! `spec.prefix` lets it write those names short.
//!
//! Where `spec.prefix` applies (before any other rule runs, so every rule and the plan see full
//! names; docs/reference/appbundle.md#specprefix):
//! - declared names — `topics[].name`, `consumes[].group`, `streams.applicationId`,
//!   `transactionalIds` — get the prefix unless they already start with it;
//! - topic references — `produces`, `consumes[].topics`, `streams.reads`/`writes`,
//!   `connectors[].topics`, `masking[].topic`, the alerts' `topic` — get it only when the
//!   prefixed name is a topic the bundle declares (for `name*`, when it covers one); anything
//!   else is a full name, such as another bundle's topic;
//! - `alerts[].consumerLag.group` gets it when the prefixed name is a group the bundle declares.
//!
//! Raw `acls`, connector `config` values and ksqlDB statements are used as written.

use super::{BundleInput, EnvInput};
use crate::diag::{Code, Diagnostic};
use crate::model::AppBundle;
use crate::model::pattern::{Pattern, parse_pattern};
use crate::path::FieldPath;

/// A template's placeholder that the bundle cannot fill, or a template that is not one.
#[derive(Debug, PartialEq, Eq)]
enum TemplateError {
    /// The template itself is wrong (an unknown placeholder, an unclosed `{`).
    Syntax(String),
    /// The bundle lacks what a placeholder needs; the field path it would come from.
    Missing(String, &'static str),
}

/// Fill `template` in from the bundle: `{bundle}`, `{owner}`, `{namespace}`, `{label:KEY}`.
fn fill(template: &str, b: &AppBundle) -> Result<String, TemplateError> {
    fill_from(template, Some(b))
}

/// `None`: every known placeholder stands for `x`, so that only the template's own text is
/// judged.
fn fill_from(template: &str, b: Option<&AppBundle>) -> Result<String, TemplateError> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find(['{', '}']) {
        out.push_str(&rest[..open]);
        if rest[open..].starts_with('}') {
            return Err(TemplateError::Syntax(
                "has a `}` without its `{`".to_string(),
            ));
        }
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            return Err(TemplateError::Syntax("has a `{` that is not closed".into()));
        };
        let name = &after[..close];
        let known = matches!(name, "bundle" | "owner" | "namespace")
            || name.strip_prefix("label:").is_some_and(|k| !k.is_empty());
        let value = match (name, b) {
            _ if !known => {
                return Err(TemplateError::Syntax(format!(
                    "has the unknown placeholder {{{name}}}; known are {{bundle}}, {{owner}}, {{namespace}} and {{label:KEY}}"
                )));
            }
            (_, None) => "x".to_string(),
            ("bundle", Some(b)) => b.metadata.name.clone(),
            ("owner", Some(b)) => b.spec.owner.clone(),
            ("namespace", Some(b)) => {
                b.metadata.namespace.clone().ok_or(TemplateError::Missing(
                    "the bundle has no metadata.namespace for {namespace}".into(),
                    "metadata",
                ))?
            }
            (_, Some(b)) => match name.strip_prefix("label:") {
                Some(key) => b.metadata.labels.get(key).cloned().ok_or_else(|| {
                    TemplateError::Missing(
                        format!("the bundle has no label {key:?} for {{{name}}}"),
                        "metadata.labels",
                    )
                })?,
                None => String::new(),
            },
        };
        out.push_str(&value);
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// What is wrong with a prefix as the start of Kafka names, if anything.
fn prefix_problem(prefix: &str) -> Option<String> {
    if prefix.is_empty() {
        return Some("is empty".into());
    }
    let bad: String = prefix
        .chars()
        .filter(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
        .collect();
    (!bad.is_empty()).then(|| {
        format!(
            "holds {}, which Kafka topic names cannot (letters, digits, `.`, `_` and `-` only)",
            crate::diag::escape_controls(&format!("{bad:?}"))
        )
    })
}

/// The prefix the Environment's convention gives this bundle (`Ok(None)`: no convention).
fn expected(b: &AppBundle, env: &EnvInput) -> Result<Option<String>, TemplateError> {
    match &env.env.spec.policy.naming {
        Some(n) => fill(&n.prefix, b).map(Some),
        None => Ok(None),
    }
}

/// The template's own problems, reported once at the Environment.
pub fn check_environment(env: &EnvInput, out: &mut Vec<Diagnostic>) {
    let Some(n) = &env.env.spec.policy.naming else {
        return;
    };
    let problem = match fill_from(&n.prefix, None) {
        Err(TemplateError::Syntax(p)) => Some(p),
        Err(TemplateError::Missing(..)) => None,
        Ok(text) => prefix_problem(&text),
    };
    if let Some(p) = problem {
        out.push(
            env.at(
                Diagnostic::error(
                    Code::NamingConvention,
                    format!("policy.naming.prefix {:?} {p}", n.prefix),
                )
                .with_hint("write the prefix as text and placeholders, e.g. \"{owner}.{bundle}.\""),
                &FieldPath::of("spec.policy.naming.prefix"),
            ),
        );
    }
}

/// Expand the bundle's short names with its `spec.prefix` (see the module docs).
pub fn apply_prefix(b: &mut BundleInput, env: &EnvInput, out: &mut Vec<Diagnostic>) {
    let Some(prefix) = b.bundle.spec.prefix.clone() else {
        return;
    };
    let at = FieldPath::of("spec.prefix");
    if let Some(p) = prefix_problem(&prefix) {
        out.push(
            b.at(
                Diagnostic::error(
                    Code::NamingConvention,
                    format!(
                        "spec.prefix {} {p}",
                        crate::diag::shown::identifier(&prefix)
                    ),
                )
                .with_hint("a prefix such as `payments.checkout.`"),
                &at,
            ),
        );
        return;
    }
    if let Ok(Some(want)) = expected(&b.bundle, env)
        && !prefix.starts_with(&want)
    {
        out.push(b.at(
            Diagnostic::error(
                Code::NamingConvention,
                format!(
                    "spec.prefix {prefix:?} does not start with {want:?}, the prefix policy.naming of {} gives this bundle",
                    env.label()
                ),
            )
            .with_hint(format!("set spec.prefix: {want:?} (or a longer prefix starting with it)")),
            &at,
        ));
    }
    expand(&mut b.bundle, &prefix);
}

fn own(name: &mut String, prefix: &str) {
    if !name.starts_with(prefix) {
        name.insert_str(0, prefix);
    }
}

/// Where a bundle writes names the prefix applies to: what it declares (topics; groups and
/// applicationIds; transactional ids) and what refers to a declared topic or group. The one
/// list of those fields, for expanding short names and for the importer's shortening.
pub(crate) struct Sites<'a> {
    pub topics: Vec<&'a mut String>,
    pub groups: Vec<&'a mut String>,
    pub transactional_ids: Vec<&'a mut String>,
    pub topic_refs: Vec<&'a mut String>,
    pub group_refs: Vec<&'a mut String>,
}

pub(crate) fn sites(b: &mut AppBundle) -> Sites<'_> {
    let spec = &mut b.spec;
    let mut s = Sites {
        topics: spec.topics.iter_mut().map(|t| &mut t.name).collect(),
        groups: Vec::new(),
        transactional_ids: Vec::new(),
        topic_refs: Vec::new(),
        group_refs: Vec::new(),
    };
    for p in &mut spec.principals {
        s.topic_refs.extend(p.produces.iter_mut());
        for c in &mut p.consumes {
            s.groups.extend(c.group.as_mut());
            s.topic_refs.extend(c.topics.iter_mut());
        }
        for st in p.streams.iter_mut() {
            s.groups.push(&mut st.application_id);
            s.topic_refs.extend(st.reads.iter_mut());
            s.topic_refs.extend(st.writes.iter_mut());
        }
        s.transactional_ids.extend(p.transactional_ids.iter_mut());
    }
    for c in &mut spec.connectors {
        s.topic_refs.extend(c.topics.iter_mut());
    }
    for m in &mut spec.masking {
        s.topic_refs.push(&mut m.topic);
    }
    for a in &mut spec.alerts {
        if let Some(l) = a.consumer_lag.as_mut() {
            s.topic_refs.extend(l.topic.iter_mut());
            s.group_refs.push(&mut l.group);
        }
        if let Some(t) = a.throughput.as_mut() {
            s.topic_refs.push(&mut t.topic);
        }
    }
    s
}

pub(crate) fn expand(b: &mut AppBundle, prefix: &str) {
    let s = sites(b);
    let mut topics = s.topics;
    let mut groups = s.groups;
    for n in topics.iter_mut().chain(groups.iter_mut()) {
        own(n, prefix);
    }
    for t in s.transactional_ids {
        own(t, prefix);
    }
    let declared: Vec<String> = topics.iter().map(|t| t.to_string()).collect();
    let groups: Vec<String> = groups.iter().map(|g| g.to_string()).collect();
    for r in s.topic_refs {
        reference(r, prefix, &declared);
    }
    for r in s.group_refs {
        reference(r, prefix, &groups);
    }
}

/// A reference written short becomes the full name it stands for; a full name stays.
fn reference(r: &mut String, prefix: &str, declared: &[String]) {
    if r.starts_with(prefix) {
        return;
    }
    let full = format!("{prefix}{r}");
    let names_one = match parse_pattern(&full) {
        Ok(Pattern::Literal(l)) => declared.iter().any(|d| d == l),
        Ok(Pattern::Prefix(p)) => declared.iter().any(|d| d.starts_with(p)),
        Err(_) => false,
    };
    if names_one {
        *r = full;
    }
}

/// Every declared name starts with the prefix the Environment's convention gives the bundle.
pub fn check(b: &BundleInput, env: &EnvInput, out: &mut Vec<Diagnostic>) {
    let want = match expected(&b.bundle, env) {
        Ok(Some(w)) => w,
        Ok(None) | Err(TemplateError::Syntax(_)) => return,
        Err(TemplateError::Missing(m, field)) => {
            out.push(
                b.at(
                    Diagnostic::error(
                        Code::NamingConvention,
                        format!(
                            "policy.naming.prefix of {} cannot be filled in: {m}",
                            env.label()
                        ),
                    )
                    .with_hint(
                        "add what the platform's naming convention needs to the bundle's metadata",
                    ),
                    &FieldPath::of(field),
                ),
            );
            return;
        }
    };
    // A bundle prefix outside the convention is reported once, at spec.prefix.
    if b.bundle
        .spec
        .prefix
        .as_ref()
        .is_some_and(|p| !p.starts_with(&want))
    {
        return;
    }
    for (kind, name, at) in declared_names(&b.bundle) {
        let body = name.strip_suffix('*').unwrap_or(&name);
        if !body.starts_with(&want) {
            out.push(b.at(
                Diagnostic::error(
                    Code::NamingConvention,
                    format!(
                        "{kind} {name:?} does not start with {want:?}, the prefix policy.naming of {} gives this bundle",
                        env.label()
                    ),
                )
                .with_hint(format!(
                    "rename it {:?}, or set spec.prefix: {want:?} and write the names short",
                    format!("{want}{name}")
                )),
                &at,
            ));
        }
    }
}

/// The names a bundle claims: topics, groups, applicationIds, transactional ids.
fn declared_names(b: &AppBundle) -> Vec<(&'static str, String, FieldPath)> {
    let mut out = Vec::new();
    for (i, t) in b.spec.topics.iter().enumerate() {
        let at = FieldPath::of("spec.topics").index(i).key("name");
        out.push(("topic", t.name.clone(), at));
    }
    for (i, p) in b.spec.principals.iter().enumerate() {
        let at = FieldPath::of("spec.principals").index(i);
        for (j, c) in p.consumes.iter().enumerate() {
            if let Some(g) = &c.group {
                let path = at.child_key("consumes").index(j).key("group");
                out.push(("consumer group", g.clone(), path));
            }
        }
        for (s, path) in p.streams.with_paths(&at) {
            let path = path.key("applicationId");
            out.push(("Streams applicationId", s.application_id.clone(), path));
        }
        for (j, t) in p.transactional_ids.iter().enumerate() {
            let path = at.child_key("transactionalIds").index(j);
            out.push(("transactional id", t.clone(), path));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn bundle(spec: serde_json::Value) -> AppBundle {
        crate::model::parse_app_bundle(&json!({
            "apiVersion": "kbundle.dev/v1alpha1", "kind": "AppBundle",
            "metadata": {"name": "checkout", "labels": {"context": "shop"}},
            "spec": spec
        }))
        .expect("bundle")
    }

    #[test]
    fn templates_are_filled_from_the_bundle() {
        let b = bundle(json!({"owner": "payments"}));
        assert_eq!(
            fill("{owner}.{bundle}.", &b),
            Ok("payments.checkout.".into())
        );
        assert_eq!(fill("{label:context}.x-", &b), Ok("shop.x-".into()));
        assert!(matches!(fill("{team}.", &b), Err(TemplateError::Syntax(_))));
        assert!(matches!(fill("{owner.", &b), Err(TemplateError::Syntax(_))));
        assert!(matches!(fill("owner}.", &b), Err(TemplateError::Syntax(_))));
        assert!(matches!(
            fill("{label:missing}.", &b),
            Err(TemplateError::Missing(_, "metadata.labels"))
        ));
        assert!(matches!(
            fill("{namespace}.", &b),
            Err(TemplateError::Missing(_, "metadata"))
        ));
    }

    #[test]
    fn short_names_expand_and_full_names_stay() {
        let mut b = bundle(json!({
            "owner": "payments",
            "topics": [{"name": "orders"}, {"name": "payments.checkout.refunds"}],
            "principals": [{
                "name": "svc",
                "produces": ["orders", "ref*"],
                "consumes": [{"topics": ["billing.invoices.v1", "orders"], "group": "svc"}],
                "transactionalIds": ["tx*"]
            }],
            "alerts": [{"name": "lag", "consumerLag": {"group": "svc", "topic": "orders", "above": 1, "for": "5m"},
                        "notify": ["x"], "severity": "warning"}]
        }));
        expand(&mut b, "payments.checkout.");
        let s = &b.spec;
        assert_eq!(s.topics[0].name, "payments.checkout.orders");
        assert_eq!(s.topics[1].name, "payments.checkout.refunds");
        let p = &s.principals[0];
        assert_eq!(
            p.produces,
            ["payments.checkout.orders", "payments.checkout.ref*"]
        );
        assert_eq!(
            p.consumes[0].topics,
            ["billing.invoices.v1", "payments.checkout.orders"]
        );
        assert_eq!(
            p.consumes[0].group.as_deref(),
            Some("payments.checkout.svc")
        );
        assert_eq!(p.transactional_ids, ["payments.checkout.tx*"]);
        let lag = s.alerts[0].consumer_lag.as_ref().expect("lag");
        assert_eq!(lag.group, "payments.checkout.svc");
        assert_eq!(lag.topic.as_deref(), Some("payments.checkout.orders"));
    }
}
