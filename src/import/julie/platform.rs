//! JulieOps' `platform` block: the principals of Schema Registry, Control Center, ksqlDB and
//! Kafka Connect become the Environment's `platformPrincipals` (their ACLs are the platform's:
//! each is reported with what JulieOps grants it), their topics `policy.reservedTopics`, and
//! `kafka.quotas` the principals' `quotas`. Followed from JulieOps' source:
//! `serdes/TopologyCustomDeserializer.java` (keys `schema_registry`, `control_center`, `ksql`,
//! `kafka_connect`, `kafka`), `model/users/platform/*Instance.java` (defaults: `_schemas`,
//! `schema-registry`; ksqlDB `_confluent-ksql-<ksqlDbId>` and `<ksqlDbId>ksql_processing_log`),
//! `roles/acls/AclsBindingsBuilder.java` (`schemaRegistryAclsStream`, `controlCenterStream`,
//! `ksqlServerStream`) and `model/users/Quota.java` (byte rates and request percentage as
//! doubles).

use super::*;
use crate::model::bundle::Quotas;
use crate::model::platform::PlatformPrincipal;

pub(super) fn platform_import(ctx: &mut Ctx, at: &Place, p: &Value) {
    for (k, v) in p.as_object().into_iter().flatten() {
        let path = format!("platform.{k}");
        match k.as_str() {
            "schema_registry" | "control_center" | "ksql" | "kafka_connect" => {
                for (i, inst) in v
                    .get("instances")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .enumerate()
                {
                    instance(ctx, at, &format!("{path}.instances[{i}]"), k, inst);
                }
                for key in v.as_object().into_iter().flatten().map(|(k, _)| k) {
                    if key != "instances" {
                        ctx.report.push(
                            at,
                            format!("{path}.{key}"),
                            Severity::Warning,
                            Code::ImportUnmapped,
                            "not imported: no kbundle field holds this",
                        );
                    }
                }
            }
            "kafka" => {
                for (key, q) in v.as_object().into_iter().flatten() {
                    if key == "quotas" {
                        for (i, q) in q.as_array().into_iter().flatten().enumerate() {
                            quota(ctx, at, &format!("{path}.quotas[{i}]"), q);
                        }
                    } else {
                        ctx.report.push(
                            at,
                            format!("{path}.{key}"),
                            Severity::Warning,
                            Code::ImportUnmapped,
                            "not imported: no kbundle field holds this",
                        );
                    }
                }
            }
            _ => ctx.report.push(
                at,
                path,
                Severity::Warning,
                Code::ImportUnmapped,
                "not imported: no kbundle field holds this",
            ),
        }
    }
}

/// One platform service instance: a platform principal, its topics reserved, and what JulieOps
/// grants it stated (kbundle leaves granting it to the platform).
fn instance(ctx: &mut Ctx, at: &Place, path: &str, kind: &str, v: &Value) {
    let Some(principal) = super::principal_of(ctx, at, path, v) else {
        return;
    };
    let s = |k: &str, d: &str| v.get(k).and_then(Value::as_str).unwrap_or(d).to_string();
    let (service, known, grants): (&str, &[&str], String) = match kind {
        "schema_registry" => {
            let topic = s("topic", "_schemas");
            ctx.env.reserved_topics.push(topic.clone());
            (
                "schemaRegistry",
                &["principal", "topic", "group", "consumer_offsets_topic"],
                format!(
                    "Create, DescribeConfigs, Describe, Write, Read on topic {topic}, Describe on {}, Read on group {} (schemaRegistryAclsStream)",
                    s("consumer_offsets_topic", "__consumer_offsets"),
                    s("group", "schema-registry")
                ),
            )
        }
        "control_center" => (
            "controlCenter",
            &["principal", "appId"],
            format!(
                "Read on groups prefixed {0} and {0}-command, Describe on every group, and the monitoring, command and metrics topics (controlCenterStream)",
                s("appId", "")
            ),
        ),
        "ksql" => {
            let id = s("ksqlDbId", "");
            ctx.env
                .reserved_topics
                .push(format!("{id}ksql_processing_log"));
            (
                "ksqldb",
                &["principal", "ksqlDbId", "owner"],
                format!(
                    "cluster DescribeConfigs, All on topics prefixed _confluent-ksql-{id} and on {id}ksql_processing_log, All on groups prefixed _confluent-ksql-{id} (ksqlServerStream)"
                ),
            )
        }
        _ => {
            for (k, d) in [
                ("status_topic", "connect-status"),
                ("offset_topic", "connect-offsets"),
                ("configs_topic", "connect-configs"),
            ] {
                ctx.env.reserved_topics.push(s(k, d));
            }
            (
                "connect",
                &[
                    "principal",
                    "group",
                    "status_topic",
                    "offset_topic",
                    "configs_topic",
                    "topics",
                ],
                "the Connect worker's storage topics and group (connectAclsStream)".to_string(),
            )
        }
    };
    report_extra(ctx, at, path, v, known);
    let name = sanitize_label(principal.strip_prefix("User:").unwrap_or(principal));
    if ctx.users.contains_key(&name) {
        ctx.report.push(at, path, Severity::Warning, Code::ImportDifference,
            format!("{principal} is a platform principal and a project's user: it stays the project's principal {name:?}, and the platform's grants are not imported"));
        return;
    }
    ctx.env.platform_principals.push(PlatformPrincipal {
        name: name.clone(),
        service: Some(service.to_string()),
        principal: Some(principal.to_string()),
    });
    ctx.report.push(at, path, Severity::Warning, Code::ImportDifference,
        format!("JulieOps grants {principal} {grants}; kbundle names it in the Environment's platformPrincipals as {name:?} and grants it nothing: the platform's own KafkaUser holds these ACLs"));
}

fn rate(ctx: &mut Ctx, at: &Place, path: &str, v: &Value) -> Option<f64> {
    let n = v.as_f64();
    if n.is_none_or(|n| n < 0.0) {
        ctx.report.push(
            at,
            path,
            Severity::Error,
            Code::ImportInvalid,
            format!("{v} is not a non-negative number"),
        );
        return None;
    }
    n
}

fn quota(ctx: &mut Ctx, at: &Place, path: &str, q: &Value) {
    report_extra(
        ctx,
        at,
        path,
        q,
        &[
            "principal",
            "producer_byte_rate",
            "consumer_byte_rate",
            "request_percentage",
        ],
    );
    let Some(principal) = super::principal_of(ctx, at, path, q) else {
        return;
    };
    let mut quotas = Quotas {
        producer_byte_rate: None,
        consumer_byte_rate: None,
        request_percentage: None,
        controller_mutation_rate: None,
    };
    for k in [
        "producer_byte_rate",
        "consumer_byte_rate",
        "request_percentage",
    ] {
        let Some(v) = q.get(k) else { continue };
        let kpath = format!("{path}.{k}");
        let Some(n) = rate(ctx, at, &kpath, v) else {
            continue;
        };
        if n.fract() != 0.0 {
            ctx.report.push(
                at,
                kpath.as_str(),
                Severity::Warning,
                Code::ImportDifference,
                format!(
                    "{n} is rounded to {}: Strimzi's quotas are integers",
                    n.round()
                ),
            );
        }
        let r = n.round();
        match k {
            "producer_byte_rate" => quotas.producer_byte_rate = Some(r as u64),
            "consumer_byte_rate" => quotas.consumer_byte_rate = Some(r as u64),
            _ => {
                if r > 100.0 {
                    ctx.report.push(
                        at,
                        kpath,
                        Severity::Error,
                        Code::ImportInvalid,
                        "a request percentage is at most 100",
                    );
                    continue;
                }
                quotas.request_percentage = Some(r as u32);
            }
        }
    }
    let users = ctx
        .expected
        .users
        .get(principal)
        .cloned()
        .unwrap_or_default();
    if users.is_empty() {
        ctx.report.push(at, path, Severity::Warning, Code::ImportUnmapped,
            format!("{principal} is no project's user: its quota has no KafkaUser in the bundles; not imported"));
        return;
    }
    if users.len() > 1 {
        ctx.report.push(at, path, Severity::Warning, Code::ImportDifference,
            format!("{principal} became several KafkaUsers ({}); each gets the quota, so together they may use it {} times", users.join(", "), users.len()));
    }
    for u in users {
        if let Some(&(b, p)) = ctx.users.get(&u) {
            ctx.bundles[b].spec.principals[p].quotas = Some(quotas.clone());
        }
    }
}
