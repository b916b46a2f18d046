//! Alert rules: reads a bundle's `alerts`, its principals' consumer groups and topics, and the
//! Environment's `alerting` and `policy.lagAlerts`; emits diagnostics.
//!
//! - KB090 an alert sets neither or both of `consumerLag` and `throughput`
//! - KB091 a throughput alert without `below` or `above`, with `below` not above 0, with `below`
//!   not under `above`, or with a zero `per`
//! - KB092 alert name not a DNS-1123 label, or declared twice in the bundle
//! - KB093 `notify` names a receiver the Environment does not define (or it defines none)
//! - KB094 `notify` is empty: an alert nobody receives is noise
//! - KB095 `consumerLag.group` is not a consumer group of the bundle's principals
//!   (`consumes[].group`, a `prefix*` group covering it, or a Streams `applicationId`), or is a
//!   pattern itself
//! - KB096 `throughput.topic` is not a topic this bundle declares
//! - KB097 warning: `consumerLag.topic` is not a topic the group reads in this bundle, so the
//!   alert may never fire
//! - KB098 `policy.lagAlerts`: consumer groups without a `consumerLag` alert (one diagnostic
//!   listing them all)
//! - KB099 Environment `alerting`: receiver name empty, invalid or repeated; a receiver without
//!   exactly one of `pagerduty`/`slack`/`webhook`/`email`; an e-mail address or smarthost that
//!   cannot work; a `ruleLabels` key or value Kubernetes refuses, or one that would replace a
//!   label kbundle sets

use super::{BundleInput, EnvInput};
use crate::diag::Code;
use crate::diag::Diagnostic;
use crate::model::bundle::{Alert, Principal, Throughput};
use crate::model::environment::{Email, Receiver};
use crate::model::pattern::{Pattern, parse_pattern};
use crate::names::{dns_label_problem, label_value_problem};
use crate::path::FieldPath;
use crate::suggest::did_you_mean;
use std::collections::HashMap;

/// Checks of one bundle's alerts under the Environment.
pub fn check(b: &BundleInput, env: &EnvInput, out: &mut Vec<Diagnostic>) {
    let receivers: Vec<&str> = env
        .env
        .spec
        .alerting
        .iter()
        .flat_map(|a| &a.receivers)
        .map(|r| r.name.as_str())
        .collect();
    let groups = consumer_groups(&b.bundle.spec.principals);
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (i, a) in b.bundle.spec.alerts.iter().enumerate() {
        let at = FieldPath::of("spec.alerts").index(i);
        check_name(b, a, i, &mut seen, &at, out);
        check_kind(b, a, &at, out);
        check_notify(b, env, a, &receivers, &at, out);
        if let Some(lag) = &a.consumer_lag {
            let lat = at.child_key("consumerLag");
            check_lag_group(b, &lag.group, &groups, &lat, out);
            if let Some(topic) = &lag.topic {
                check_lag_topic(b, &lag.group, topic, &lat, out);
            }
        }
        if let Some(t) = &a.throughput {
            check_throughput(b, t, &at.child_key("throughput"), out);
        }
    }
    check_lag_policy(b, env, &groups, out);
}

/// Checks of the Environment's `alerting` section.
pub fn check_environment(env: &EnvInput, out: &mut Vec<Diagnostic>) {
    let Some(alerting) = &env.env.spec.alerting else {
        return;
    };
    let base = FieldPath::of("spec.alerting");
    for (k, v) in &alerting.rule_labels {
        let at = base.child_key("ruleLabels").key(k);
        if let Some(p) = label_key_problem(k) {
            out.push(
                env.at(
                    Diagnostic::error(
                        Code::AlertingConfigInvalid,
                        format!("ruleLabels key {k:?} {p}"),
                    )
                    .with_hint("label keys are `[prefix/]name`, e.g. `release`"),
                    &at,
                ),
            );
        } else if crate::model::labels::labels("b", "o").contains_key(k) {
            out.push(
                env.at(
                    Diagnostic::error(
                        Code::AlertingConfigInvalid,
                        format!("ruleLabels key {k:?} is a label kbundle sets on every object"),
                    )
                    .with_hint("remove it; kbundle's own value identifies the generated objects"),
                    &at,
                ),
            );
        }
        if let Some(p) = label_value_problem(v) {
            out.push(env.at(
                Diagnostic::error(
                    Code::AlertingConfigInvalid,
                    format!("ruleLabels value {v:?} of {k:?} {p}"),
                ),
                &at,
            ));
        }
    }
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (i, r) in alerting.receivers.iter().enumerate() {
        let at = base.child_key("receivers").index(i);
        check_receiver(env, r, i, &mut seen, &at, out);
    }
}

fn check_receiver<'a>(
    env: &EnvInput,
    r: &'a Receiver,
    i: usize,
    seen: &mut HashMap<&'a str, usize>,
    at: &FieldPath,
    out: &mut Vec<Diagnostic>,
) {
    let name_problem = if r.name.is_empty() {
        Some("is empty".to_string())
    } else {
        label_value_problem(&r.name)
    };
    if let Some(p) = name_problem {
        out.push(
            env.at(
                Diagnostic::error(
                    Code::AlertingConfigInvalid,
                    format!("receiver name {:?} {p}", r.name),
                )
                .with_hint("use letters, digits, `-`, `_` and `.`, e.g. `oncall-orders`"),
                &at.child_key("name"),
            ),
        );
    } else if let Some(first) = seen.insert(&r.name, i) {
        out.push(
            env.at(
                Diagnostic::error(
                    Code::AlertingConfigInvalid,
                    format!(
                        "receiver {:?} is defined twice (also spec.alerting.receivers[{first}])",
                        r.name
                    ),
                )
                .with_hint("give each receiver its own name"),
                &at.child_key("name"),
            ),
        );
    }
    let kinds = r.kinds();
    if kinds.len() != 1 {
        let what = if kinds.is_empty() {
            "sets none".to_string()
        } else {
            format!("sets {}", kinds.join(" and "))
        };
        out.push(
            env.at(
                Diagnostic::error(
                    Code::AlertingConfigInvalid,
                    format!(
                        "receiver {:?} {what}; a receiver has exactly one of pagerduty, slack, \
                         webhook, email",
                        r.name
                    ),
                )
                .with_hint("define one receiver per destination and list several in notify"),
                at,
            ),
        );
    }
    if let Some(e) = &r.email {
        check_email(env, e, &at.child_key("email"), out);
    }
}

fn check_email(env: &EnvInput, e: &Email, at: &FieldPath, out: &mut Vec<Diagnostic>) {
    let bad_list = e.to.split(',').any(|a| !is_address(a));
    if bad_list {
        out.push(
            env.at(
                Diagnostic::error(
                    Code::AlertingConfigInvalid,
                    format!("email.to {:?} is not a list of e-mail addresses", e.to),
                )
                .with_hint("e.g. `orders-oncall@example.com` or `a@example.com, b@example.com`"),
                &at.child_key("to"),
            ),
        );
    }
    if let Some(from) = &e.from
        && !is_address(from)
    {
        out.push(
            env.at(
                Diagnostic::error(
                    Code::AlertingConfigInvalid,
                    format!("email.from {from:?} is not an e-mail address"),
                )
                .with_hint("e.g. `alertmanager@example.com`"),
                &at.child_key("from"),
            ),
        );
    }
    if let Some(host) = &e.smarthost
        && !is_host_port(host)
    {
        out.push(
            env.at(
                Diagnostic::error(
                    Code::AlertingConfigInvalid,
                    format!("email.smarthost {host:?} is not `host:port`"),
                )
                .with_hint("e.g. `smtp.example.com:587`"),
                &at.child_key("smarthost"),
            ),
        );
    }
}

/// `local@domain` or `Name <local@domain>`, without spaces in the address.
fn is_address(raw: &str) -> bool {
    let raw = raw.trim();
    let addr = match (raw.rfind('<'), raw.strip_suffix('>')) {
        (Some(open), Some(inner)) => &inner[open + 1..],
        _ => raw,
    };
    let Some((local, domain)) = addr.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.is_empty()
        && !domain.contains('@')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !addr
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ','))
}

/// `host:port` or `[v6]:port` with a numeric port, the way Go's `net.SplitHostPort` reads it.
fn is_host_port(raw: &str) -> bool {
    let Some((host, port)) = raw.rsplit_once(':') else {
        return false;
    };
    let host_ok = if let Some(v6) = host.strip_prefix('[') {
        v6.ends_with(']')
    } else {
        !host.is_empty() && !host.contains(':') && !host.contains(char::is_whitespace)
    };
    host_ok && !port.is_empty() && port.parse::<u16>().is_ok()
}

/// Kubernetes label key: `[prefix/]name`, prefix a DNS-1123 subdomain, name at most 63 of
/// `[A-Za-z0-9._-]` starting and ending alphanumeric.
fn label_key_problem(key: &str) -> Option<String> {
    let (prefix, name) = match key.split_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    if let Some(p) = prefix
        && !crate::names::is_dns_subdomain(p)
    {
        return Some(format!(
            "has a prefix {p:?} that is not a DNS-1123 subdomain"
        ));
    }
    if name.is_empty() {
        return Some("has an empty name".to_string());
    }
    label_value_problem(name)
}

fn check_name<'a>(
    b: &BundleInput,
    a: &'a Alert,
    i: usize,
    seen: &mut HashMap<&'a str, usize>,
    at: &FieldPath,
    out: &mut Vec<Diagnostic>,
) {
    if let Some(p) = dns_label_problem(&a.name) {
        out.push(
            b.at(
                Diagnostic::error(
                    Code::AlertNameInvalid,
                    format!("alert name {:?} {p}", a.name),
                )
                .with_hint(
                    "alert names are DNS-1123 labels such as `payments-lag`; they become \
                         part of the Prometheus alert name",
                ),
                &at.child_key("name"),
            ),
        );
    } else if let Some(first) = seen.insert(&a.name, i) {
        out.push(
            b.at(
                Diagnostic::error(
                    Code::AlertNameInvalid,
                    format!(
                        "alert {:?} is declared twice in this bundle (also spec.alerts[{first}])",
                        a.name
                    ),
                )
                .with_hint("give each alert its own name"),
                &at.child_key("name"),
            ),
        );
    }
}

fn check_kind(b: &BundleInput, a: &Alert, at: &FieldPath, out: &mut Vec<Diagnostic>) {
    let what = match (&a.consumer_lag, &a.throughput) {
        (Some(_), Some(_)) => "sets both consumerLag and throughput",
        (None, None) => "sets neither consumerLag nor throughput",
        _ => return,
    };
    out.push(b.at(
        Diagnostic::error(Code::AlertKindInvalid, format!("alert {:?} {what}", a.name)).with_hint(
            "an alert watches exactly one thing: split it into two alerts, or add the \
                 condition it is missing",
        ),
        at,
    ));
}

fn check_notify(
    b: &BundleInput,
    env: &EnvInput,
    a: &Alert,
    receivers: &[&str],
    at: &FieldPath,
    out: &mut Vec<Diagnostic>,
) {
    if a.notify.is_empty() {
        out.push(
            b.at(
                Diagnostic::error(
                    Code::AlertUnrouted,
                    format!("alert {:?} notifies nobody (notify is empty)", a.name),
                )
                .with_hint(
                    "name at least one receiver from the Environment's spec.alerting.receivers",
                ),
                at,
            ),
        );
        return;
    }
    for (j, r) in a.notify.iter().enumerate() {
        if receivers.contains(&r.as_str()) {
            continue;
        }
        let label = env.label();
        let (message, hint) = if receivers.is_empty() {
            (
                format!("notify names receiver {r:?}, but {label} defines no alert receivers"),
                format!("add spec.alerting.receivers to {label}"),
            )
        } else {
            let hint = match did_you_mean(r, receivers.iter().copied()) {
                Some(s) => format!("did you mean {s:?}?"),
                None => format!("{label} defines {}", receivers.join(", ")),
            };
            (
                format!("notify names receiver {r:?}, which {label} does not define"),
                hint,
            )
        };
        out.push(b.at(
            Diagnostic::error(Code::ReceiverUnknown, message).with_hint(hint),
            &at.child_key("notify").index(j),
        ));
    }
}

/// A consumer group of the bundle: a `consumes[].group` (literal or `prefix*`) or a Streams
/// `applicationId` (literal), in declaration order without repeats.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Group<'a> {
    Literal(&'a str),
    Prefix(&'a str),
}

impl Group<'_> {
    fn covers(&self, group: &str) -> bool {
        match self {
            Group::Literal(g) => *g == group,
            Group::Prefix(p) => group.starts_with(p),
        }
    }

    fn display(&self) -> String {
        match self {
            Group::Literal(g) => g.to_string(),
            Group::Prefix(p) => format!("{p}*"),
        }
    }
}

fn consumer_groups(principals: &[Principal]) -> Vec<Group<'_>> {
    let mut all: Vec<Group> = Vec::new();
    for p in principals {
        for c in &p.consumes {
            // Invalid patterns are reported by the access rules (KB043).
            match parse_pattern(&c.group) {
                Ok(Pattern::Literal(g)) => all.push(Group::Literal(g)),
                Ok(Pattern::Prefix(g)) => all.push(Group::Prefix(g)),
                Err(_) => {}
            }
        }
        if let Some(s) = &p.streams {
            all.push(Group::Literal(&s.application_id));
        }
    }
    let mut out: Vec<Group> = Vec::with_capacity(all.len());
    for g in all {
        if !out.contains(&g) {
            out.push(g);
        }
    }
    out
}

fn check_lag_group(
    b: &BundleInput,
    group: &str,
    groups: &[Group],
    at: &FieldPath,
    out: &mut Vec<Diagnostic>,
) {
    let path = at.child_key("group");
    if group.ends_with('*') {
        out.push(b.at(
            Diagnostic::error(
                Code::LagGroupNotConsumed,
                format!("consumerLag.group {group:?} is a pattern; lag is measured per consumer group"),
            )
            .with_hint("name one consumer group exactly; a prefix group of a principal covers every group it starts"),
            &path,
        ));
        return;
    }
    if groups.iter().any(|g| g.covers(group)) {
        return;
    }
    let literals = groups.iter().filter_map(|g| match g {
        Group::Literal(l) => Some(*l),
        Group::Prefix(_) => None,
    });
    let hint = match did_you_mean(group, literals) {
        Some(s) => format!("did you mean {s:?}?"),
        None if groups.is_empty() => {
            "no principal of this bundle consumes: alert on groups of principals this bundle \
             declares (consumes[].group or streams.applicationId)"
                .to_string()
        }
        None => format!(
            "this bundle's consumer groups are {}",
            groups
                .iter()
                .map(Group::display)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    out.push(
        b.at(
            Diagnostic::error(
                Code::LagGroupNotConsumed,
                format!("consumerLag.group {group:?} is not a consumer group of this bundle"),
            )
            .with_hint(hint),
            &path,
        ),
    );
}

/// Whether a principal of the bundle reads `topic` as (a member of) `group`.
fn group_reads(principals: &[Principal], group: &str, topic: &str) -> bool {
    let matches = |pattern: &str, name: &str| match parse_pattern(pattern) {
        Ok(Pattern::Literal(l)) => l == name,
        Ok(Pattern::Prefix(p)) => name.starts_with(p),
        Err(_) => false,
    };
    principals.iter().any(|p| {
        let consumes = p
            .consumes
            .iter()
            .filter(|c| matches(&c.group, group))
            .any(|c| c.topics.iter().any(|t| matches(t, topic)));
        let streams = p.streams.as_ref().is_some_and(|s| {
            s.application_id == group && s.reads.iter().any(|t| matches(t, topic))
        });
        consumes || streams
    })
}

fn check_lag_topic(
    b: &BundleInput,
    group: &str,
    topic: &str,
    at: &FieldPath,
    out: &mut Vec<Diagnostic>,
) {
    let principals = &b.bundle.spec.principals;
    // An unknown group is KB095 already.
    let known = consumer_groups(principals).iter().any(|g| g.covers(group));
    if !known || group_reads(principals, group, topic) {
        return;
    }
    out.push(
        b.at(
            Diagnostic::warning(
                Code::LagTopicNotRead,
                format!(
                    "consumer group {group:?} does not read topic {topic:?} in this bundle; \
                     the alert may never fire"
                ),
            )
            .with_hint("name a topic the group consumes, or leave topic out to watch all of them"),
            &at.child_key("topic"),
        ),
    );
}

fn check_throughput(b: &BundleInput, t: &Throughput, at: &FieldPath, out: &mut Vec<Diagnostic>) {
    let topics = &b.bundle.spec.topics;
    if !topics.iter().any(|d| d.name == t.topic) {
        let hint = match did_you_mean(&t.topic, topics.iter().map(|d| d.name.as_str())) {
            Some(s) => format!("did you mean {s:?}?"),
            None => "alert on the throughput of topics this bundle declares; the bundle that \
                     owns a topic alerts on it"
                .to_string(),
        };
        out.push(
            b.at(
                Diagnostic::error(
                    Code::ThroughputTopicUnknown,
                    format!(
                        "throughput.topic {:?} is not a topic of this bundle",
                        t.topic
                    ),
                )
                .with_hint(hint),
                &at.child_key("topic"),
            ),
        );
    }
    // `field` empty: the throughput mapping itself.
    let mut problem = |field: &str, message: String, hint: &str| {
        let path = if field.is_empty() {
            at.clone()
        } else {
            at.child_key(field)
        };
        out.push(b.at(
            Diagnostic::error(Code::ThroughputInvalid, message).with_hint(hint),
            &path,
        ));
    };
    for (field, v) in [("below", t.below), ("above", t.above)] {
        if let Some(v) = v
            && !(v.is_finite() && v >= 0.0)
        {
            problem(
                field,
                format!("throughput.{field} is {v}, a message count must be 0 or more"),
                "use a finite number of messages per period",
            );
        }
    }
    match (t.below, t.above) {
        (None, None) => problem(
            "",
            "throughput sets neither below nor above".to_string(),
            "set below (too few messages per period), above (too many), or both",
        ),
        (Some(0.0), _) => problem(
            "below",
            "throughput.below is 0: fewer than 0 messages can never arrive".to_string(),
            "use below: 1 to fire when no message arrives",
        ),
        (Some(below), Some(above)) if below >= above => problem(
            "below",
            format!(
                "throughput.below ({below}) is not under throughput.above ({above}): one of \
                 the two would always fire"
            ),
            "below must be less than above",
        ),
        _ => {}
    }
    if duration_is_zero(&t.per) {
        problem(
            "per",
            format!(
                "throughput.per is {:?}; the period must be longer than 0",
                t.per
            ),
            "e.g. per: 1m",
        );
    }
}

/// `0s`, `00m`, ... (the schema already requires digits and one unit).
fn duration_is_zero(d: &str) -> bool {
    let digits = d.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    !digits.is_empty() && digits.chars().all(|c| c == '0')
}

fn check_lag_policy(b: &BundleInput, env: &EnvInput, groups: &[Group], out: &mut Vec<Diagnostic>) {
    if !env.env.spec.policy.lag_alerts {
        return;
    }
    let watched: Vec<&str> = b
        .bundle
        .spec
        .alerts
        .iter()
        .filter_map(|a| a.consumer_lag.as_ref())
        .map(|l| l.group.as_str())
        .collect();
    let missing: Vec<String> = groups
        .iter()
        .filter(|g| !watched.iter().any(|w| g.covers(w)))
        .map(Group::display)
        .collect();
    if missing.is_empty() {
        return;
    }
    let label = env.label();
    let (noun, them) = if missing.len() == 1 {
        ("group", "it")
    } else {
        ("groups", "each")
    };
    let at = if b.bundle.spec.alerts.is_empty() {
        FieldPath::of("spec.principals")
    } else {
        FieldPath::of("spec.alerts")
    };
    out.push(
        b.at(
            Diagnostic::error(
                Code::LagAlertMissing,
                format!(
                    "consumer {noun} without a consumerLag alert: {}; policy.lagAlerts of \
                     {label} requires one for every consumer group",
                    missing.join(", ")
                ),
            )
            .with_hint(format!(
                "add an alert with consumerLag.group set to {them} (a prefix group `p*` is \
                 covered by an alert on any group starting with `p`)"
            )),
            &at,
        ),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::Origin;
    use crate::model::Environment;
    use serde_json::{Value, json};
    use std::collections::BTreeMap;

    fn bundle(spec: Value) -> BundleInput {
        let v = json!({
            "apiVersion": "kbundle.dev/v1alpha1", "kind": "AppBundle",
            "metadata": {"name": "orders"},
            "spec": spec
        });
        BundleInput {
            bundle: crate::model::parse_app_bundle(&v).expect("bundle"),
            origin: Origin::default(),
            files: BTreeMap::new(),
            migrations: None,
        }
    }

    fn env(spec: Value) -> EnvInput {
        let v = json!({
            "apiVersion": "kbundle.dev/v1alpha1", "kind": "Environment",
            "metadata": {"name": "prod"},
            "spec": spec
        });
        let env: Environment = crate::model::parse_environment(&v).expect("env");
        EnvInput {
            env,
            origin: Some(Origin::default()),
        }
    }

    fn prod() -> EnvInput {
        env(
            json!({"policy": {"lagAlerts": true}, "alerting": {"receivers": [
                {"name": "oncall-orders", "pagerduty": {"routingKey": {"secret": "pd", "key": "k"}}},
                {"name": "slack-orders", "slack": {"apiURL": {"secret": "sl", "key": "url"}}}
            ]}}),
        )
    }

    fn principals() -> Value {
        json!([
            {"name": "orders-service",
             "consumes": [{"topics": ["payments.settled.v1"], "group": "orders-service"},
                          {"topics": ["audit.*"], "group": "audit-*"}],
             "streams": {"applicationId": "orders-enricher", "reads": ["payments.settled.v1"]}}
        ])
    }

    fn run(b: &BundleInput, e: &EnvInput) -> Vec<(Code, String, String)> {
        let mut out = Vec::new();
        check(b, e, &mut out);
        check_environment(e, &mut out);
        out.iter()
            .map(|d| {
                (
                    d.code,
                    d.message.clone(),
                    d.field.clone().unwrap_or_default(),
                )
            })
            .collect()
    }

    fn codes(b: &BundleInput, e: &EnvInput) -> Vec<Code> {
        run(b, e).into_iter().map(|(c, _, _)| c).collect()
    }

    fn lag(name: &str, group: &str) -> Value {
        json!({"name": name, "severity": "critical", "notify": ["oncall-orders"],
               "consumerLag": {"group": group, "above": 100, "for": "5m"}})
    }

    fn good() -> Value {
        json!({
            "owner": "team-orders",
            "topics": [{"name": "orders.created.v1"}],
            "principals": principals(),
            "alerts": [
                {"name": "payments-lag", "severity": "critical", "notify": ["oncall-orders"],
                 "consumerLag": {"group": "orders-service", "topic": "payments.settled.v1",
                                 "above": 10000, "for": "10m"}},
                lag("enricher-lag", "orders-enricher"),
                lag("audit-lag", "audit-eu"),
                {"name": "orders-silent", "severity": "warning",
                 "notify": ["slack-orders", "oncall-orders"],
                 "throughput": {"topic": "orders.created.v1", "below": 1, "per": "1m", "for": "15m"}}
            ]
        })
    }

    #[test]
    fn a_complete_bundle_passes() {
        assert_eq!(run(&bundle(good()), &prod()), []);
    }

    #[test]
    fn unknown_receiver_suggests_the_closest() {
        let mut spec = good();
        spec["alerts"][0]["notify"] = json!(["oncall-order"]);
        let d = run(&bundle(spec), &prod());
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].0, Code::ReceiverUnknown);
        assert_eq!(
            d[0].1,
            "notify names receiver \"oncall-order\", which Environment/prod does not define"
        );
        assert_eq!(d[0].2, "spec.alerts[0].notify[0]");
    }

    #[test]
    fn receivers_without_an_alerting_section() {
        let b = bundle(good());
        let e = env(json!({}));
        let d = run(&b, &e);
        assert!(
            d.iter().all(|(c, _, _)| *c == Code::ReceiverUnknown),
            "{d:?}"
        );
        assert!(
            d[0].1
                .contains("Environment/prod defines no alert receivers")
        );
    }

    #[test]
    fn empty_notify_is_an_error() {
        let mut spec = good();
        spec["alerts"][1]["notify"] = json!([]);
        assert_eq!(codes(&bundle(spec), &prod()), [Code::AlertUnrouted]);
    }

    #[test]
    fn lag_alerts_policy_lists_every_group_without_one() {
        let mut spec = good();
        spec["alerts"] = json!([spec["alerts"][3].clone()]);
        let d = run(&bundle(spec), &prod());
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].0, Code::LagAlertMissing);
        assert!(
            d[0].1.starts_with(
                "consumer groups without a consumerLag alert: orders-service, audit-*, \
                 orders-enricher;"
            ),
            "{}",
            d[0].1
        );
        // Without the policy the same bundle passes.
        let relaxed = env(json!({"alerting": prod().env.spec.alerting}));
        let mut spec = good();
        spec["alerts"] = json!([spec["alerts"][3].clone()]);
        assert_eq!(run(&bundle(spec), &relaxed), []);
    }

    #[test]
    fn lag_group_must_belong_to_the_bundle() {
        let mut spec = good();
        spec["alerts"][1] = lag("enricher-lag", "orders-enrich");
        spec["alerts"]
            .as_array_mut()
            .expect("list")
            .push(lag("star", "audit-*"));
        let d = run(&bundle(spec), &prod());
        let kb095: Vec<_> = d
            .iter()
            .filter(|(c, _, _)| *c == Code::LagGroupNotConsumed)
            .collect();
        assert_eq!(kb095.len(), 2, "{d:?}");
        assert!(
            kb095[0]
                .1
                .contains("\"orders-enrich\" is not a consumer group")
        );
        assert!(kb095[1].1.contains("is a pattern"));
        // orders-enricher lost its alert.
        assert!(
            d.iter()
                .any(|(c, m, _)| *c == Code::LagAlertMissing && m.contains("orders-enricher"))
        );
    }

    #[test]
    fn lag_topic_not_read_is_a_warning() {
        let mut spec = good();
        spec["alerts"][0]["consumerLag"]["topic"] = json!("orders.created.v1");
        let b = bundle(spec);
        let mut out = Vec::new();
        check(&b, &prod(), &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].code, Code::LagTopicNotRead);
        assert!(!out[0].is_error());
        // A prefix group reading a prefix topic covers the literal pair.
        let mut spec = good();
        spec["alerts"][2]["consumerLag"]["topic"] = json!("audit.eu.v1");
        assert_eq!(codes(&bundle(spec), &prod()), Vec::<Code>::new());
    }

    #[test]
    fn alert_shape_and_names() {
        let mut spec = good();
        let alerts = spec["alerts"].as_array_mut().expect("list");
        alerts.push(json!({"name": "Bad_Name", "severity": "info", "notify": ["slack-orders"],
                           "throughput": {"topic": "orders.created.v1", "above": 5, "per": "1m", "for": "1m"}}));
        alerts
            .push(json!({"name": "payments-lag", "severity": "info", "notify": ["slack-orders"]}));
        alerts.push(json!({"name": "both", "severity": "info", "notify": ["slack-orders"],
                           "consumerLag": {"group": "orders-service", "above": 1, "for": "1m"},
                           "throughput": {"topic": "orders.created.v1", "above": 5, "per": "1m", "for": "1m"}}));
        let got = codes(&bundle(spec), &prod());
        assert_eq!(
            got,
            [
                Code::AlertNameInvalid,
                Code::AlertNameInvalid,
                Code::AlertKindInvalid,
                Code::AlertKindInvalid
            ]
        );
    }

    #[test]
    fn throughput_thresholds() {
        let cases = [
            (json!({"per": "1m"}), "neither below nor above"),
            (json!({"below": 0, "per": "1m"}), "below is 0"),
            (
                json!({"below": 10, "above": 10, "per": "1m"}),
                "is not under throughput.above",
            ),
            (json!({"above": 10, "per": "0s"}), "longer than 0"),
        ];
        for (t, want) in cases {
            let mut spec = good();
            let mut t = t;
            t["topic"] = json!("orders.created.v1");
            t["for"] = json!("5m");
            spec["alerts"][3]["throughput"] = t;
            let d = run(&bundle(spec), &prod());
            assert_eq!(d.len(), 1, "{want}: {d:?}");
            assert_eq!(d[0].0, Code::ThroughputInvalid);
            assert!(d[0].1.contains(want), "{want}: {}", d[0].1);
        }
        let mut spec = good();
        spec["alerts"][3]["throughput"]["topic"] = json!("orders.create.v1");
        let d = run(&bundle(spec), &prod());
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].0, Code::ThroughputTopicUnknown);
    }

    #[test]
    fn environment_receivers() {
        let e = env(json!({"alerting": {
        "ruleLabels": {"release": "kube-prometheus-stack", "app.kubernetes.io/part-of": "x",
                       "bad key!": "v"},
        "receivers": [
            {"name": "a", "slack": {"apiURL": {"secret": "s", "key": "k"}}},
            {"name": "a", "webhook": {"url": {"secret": "w", "key": "url"}}},
            {"name": "none"},
            {"name": "two", "webhook": {"url": {"secret": "w", "key": "url"}},
             "email": {"to": "ops@example.com"}},
            {"name": "mail", "email": {"to": "ops@example.com, Ops <b@example.com>",
             "from": "am@example.com", "smarthost": "smtp.example.com:587",
             "authUsername": "am", "authPassword": {"secret": "smtp", "key": "password"}}},
            {"name": "bad-mail", "email": {"to": "not an address", "smarthost": "smtp"}},
            {"name": "has space", "email": {"to": "x@y"}}
        ]}}));
        let mut out = Vec::new();
        check_environment(&e, &mut out);
        let msgs: Vec<String> = out.iter().map(|d| d.message.clone()).collect();
        assert!(
            out.iter()
                .all(|d| d.code == Code::AlertingConfigInvalid && d.is_error())
        );
        let expect = [
            "is a label kbundle sets",
            "ruleLabels key \"bad key!\"",
            "receiver \"a\" is defined twice",
            "receiver \"none\" sets none",
            "receiver \"two\" sets webhook and email",
            "email.to \"not an address\"",
            "email.smarthost \"smtp\"",
            "receiver name \"has space\"",
        ];
        assert_eq!(msgs.len(), expect.len(), "{msgs:#?}");
        for (m, want) in msgs.iter().zip(expect) {
            assert!(m.contains(want), "{m:?} should contain {want:?}");
        }
    }

    #[test]
    fn addresses() {
        assert!(is_address("a@example.com"));
        assert!(is_address(" Ops Team <ops@example.com>"));
        assert!(!is_address("example.com"));
        assert!(!is_address("a@"));
        assert!(!is_address("a b@example.com"));
        assert!(is_host_port("smtp.example.com:25"));
        assert!(is_host_port("[::1]:25"));
        assert!(!is_host_port("smtp.example.com"));
        assert!(!is_host_port("smtp:port"));
    }
}
