//! JulieOps topics: the name built from the project's prefix and `dataType`, partitions and
//! replicas, the plan merged under the topic's own config.

use super::*;
use crate::model::ConfigValue;
use crate::model::bundle::Topic;

pub(super) fn topic_import(
    ctx: &mut Ctx,
    at: &Place,
    bi: usize,
    path: &str,
    t: &Value,
    names: &ProjectNames,
    plans: &BTreeMap<String, BTreeMap<String, String>>,
) {
    let Some(name) = t.get("name").and_then(Value::as_str) else {
        ctx.report.push(
            at,
            path,
            Severity::Error,
            Code::ImportInvalid,
            "missing topic name",
        );
        return;
    };
    // `Topic#toString` (default: `defaultTopicStructureString`).
    let dt = t.get("dataType").and_then(Value::as_str);
    let full = match ctx.naming.topic(names, name, dt) {
        Ok(f) => f,
        Err(e) => {
            ctx.report
                .push(at, path, Severity::Error, Code::ImportInvalid, e);
            return;
        }
    };
    // The plan's config first, the topic's own over it.
    let mut config: BTreeMap<String, String> = BTreeMap::new();
    if let Some(plan) = t.get("plan").and_then(Value::as_str) {
        match plans.get(plan) {
            Some(c) => config.extend(c.clone()),
            None => ctx.report.push(
                at,
                format!("{path}.plan"),
                Severity::Error,
                Code::ImportInvalid,
                format!("plan {plan:?} is not in the plans file (pass it with --plans)"),
            ),
        }
    }
    for (k, v) in t
        .get("config")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        match text(v) {
            Some(s) => {
                config.insert(k.clone(), s);
            }
            None => ctx.report.push(
                at,
                format!("{path}.config.{k}"),
                Severity::Error,
                Code::ImportInvalid,
                "not a scalar",
            ),
        }
    }
    let mut num = |k: &str, d: u32, ctx: &mut Ctx| match config.remove(k) {
        None => d,
        Some(s) => s.parse::<u32>().ok().filter(|n| *n > 0).unwrap_or_else(|| {
            ctx.report.push(
                at,
                format!("{path}.config.{k}"),
                Severity::Error,
                Code::ImportInvalid,
                format!("{s:?} is not a positive integer"),
            );
            d
        }),
    };
    let partitions = num("num.partitions", 3, ctx);
    let replicas = num("replication.factor", 2, ctx);
    ctx.expected
        .topics
        .insert(full.clone(), (partitions, replicas, config.clone()));
    let b = &mut ctx.bundles[bi];
    if b.spec.topics.iter().any(|x| x.name == full) {
        ctx.report.push(
            at,
            path,
            Severity::Warning,
            Code::ImportDifference,
            format!("topic {full:?} is declared twice in the project; the first one is imported"),
        );
        return;
    }
    let (value_schema, key_schema) = super::schemas::topic_schemas(ctx, at, bi, path, t, &full);
    let b = &mut ctx.bundles[bi];
    b.spec.topics.push(Topic {
        name: full.clone(),
        object_name: None,
        access: None,
        partitions: Some(partitions),
        replicas: Some(replicas),
        config: config
            .into_iter()
            .map(|(k, v)| (k, ConfigValue::String(v)))
            .collect(),
        value_schema,
        key_schema,
        pii: Vec::new(),
        deletion: None,
    });
    for (i, c) in t
        .get("consumers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        consumer(ctx, at, bi, &format!("{path}.consumers[{i}]"), c, &full);
    }
    for (i, c) in t
        .get("producers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        producer(ctx, at, bi, &format!("{path}.producers[{i}]"), c, &full);
    }
    report_extra(
        ctx,
        at,
        path,
        t,
        &[
            "name",
            "dataType",
            "plan",
            "config",
            "consumers",
            "producers",
            "schemas",
            "subject.name.strategy",
        ],
    );
}
