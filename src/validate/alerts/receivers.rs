//! Alerting in the Environment: reads `spec.alerting` (receivers and rule labels), reports
//! receivers without a channel or with a bad one, and labels Prometheus would refuse.

use super::EnvInput;
use crate::diag::{Code, Diagnostic};
use crate::model::environment::{Email, Receiver};
use crate::names::label_value_problem;
use crate::path::FieldPath;
use std::collections::HashMap;

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
                    format!(
                        "ruleLabels value of {k:?} ({}) {p}",
                        crate::diag::shown::shape(&serde_json::Value::String(v.clone()))
                    ),
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
pub(super) fn is_address(raw: &str) -> bool {
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
pub(super) fn is_host_port(raw: &str) -> bool {
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
