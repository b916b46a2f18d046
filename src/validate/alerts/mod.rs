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
use crate::model::pattern::{Pattern, parse_pattern};
use crate::names::dns_label_problem;
use crate::path::FieldPath;
use crate::suggest::did_you_mean;
use std::collections::HashMap;

mod receivers;
pub use receivers::check_environment;

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
            check_duration(b, "consumerLag.for", &lag.for_, &lat.child_key("for"), out);
            check_lag_group(b, &lag.group, &groups, &lat, out);
            if let Some(topic) = &lag.topic {
                check_lag_topic(b, &lag.group, topic, &lat, out);
            }
        }
        if let Some(t) = &a.throughput {
            let tat = at.child_key("throughput");
            check_duration(b, "throughput.for", &t.for_, &tat.child_key("for"), out);
            check_duration(b, "throughput.per", &t.per, &tat.child_key("per"), out);
            check_throughput(b, t, &tat, out);
        }
    }
    check_lag_policy(b, env, &groups, out);
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
        // Manual-assignment consumers (no group) have no lag to alert on.
        for g in p.consumes.iter().filter_map(|c| c.group.as_deref()) {
            // Invalid patterns are reported by the access rules (KB043).
            match parse_pattern(g) {
                Ok(Pattern::Literal(g)) => all.push(Group::Literal(g)),
                Ok(Pattern::Prefix(g)) => all.push(Group::Prefix(g)),
                Err(_) => {}
            }
        }
        for s in &p.streams {
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
            .filter(|c| c.group.as_deref().is_some_and(|g| matches(g, group)))
            .any(|c| c.topics.iter().any(|t| matches(t, topic)));
        let streams = p
            .streams
            .iter()
            .any(|s| s.application_id == group && s.reads.iter().any(|t| matches(t, topic)));
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

/// The longest duration Prometheus parses: `model.Duration` is a Go `time.Duration`, int64
/// nanoseconds (prometheus/common `model.ParseDuration` fails with "duration out of range"
/// beyond it), so a rule with a longer `for:` or range is refused by the operator's webhook or
/// by Prometheus itself, after render said yes.
const MAX_PROMETHEUS_MS: i128 = i64::MAX as i128 / 1_000_000;

/// A duration of the schema's form (`<digits><unit>`) in milliseconds, saturating.
fn duration_ms(d: &str) -> i128 {
    let digits_end = d.find(|c: char| !c.is_ascii_digit()).unwrap_or(d.len());
    let (digits, unit) = d.split_at(digits_end);
    // 40 digits are beyond any unit's range already; longer input cannot be in range.
    let n: i128 = if digits.len() > 38 {
        i128::MAX
    } else {
        digits.parse().unwrap_or(i128::MAX)
    };
    let per_unit: i128 = match unit {
        "ms" => 1,
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        "w" => 604_800_000,
        "y" => 31_536_000_000,
        _ => 1,
    };
    n.saturating_mul(per_unit)
}

fn check_duration(b: &BundleInput, what: &str, d: &str, at: &FieldPath, out: &mut Vec<Diagnostic>) {
    if duration_ms(d) > MAX_PROMETHEUS_MS {
        out.push(
            b.at(
                Diagnostic::error(
                    Code::DurationOutOfRange,
                    format!("{what} is longer than Prometheus can represent (about 292 years)"),
                )
                .with_hint("use a duration of minutes or hours, e.g. 10m"),
                at,
            ),
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
mod tests;
