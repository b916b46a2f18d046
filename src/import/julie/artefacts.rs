//! JulieOps artefacts: Kafka Connect connectors (`connectors.artifacts`) become `spec.connectors`,
//! ksqlDB streams and tables (`ksql.artefacts`) numbered migrations `V000001__<name>.sql`.
//! Followed from JulieOps' source: `KafkaConnectArtefactManager` posts the artefact file's JSON
//! as the connector's config under the artefact's `name` to the Connect `server`;
//! `KSqlArtefactManager#parseNewArtefacts` runs streams before tables (`KsqlArtefact#compareTo`),
//! each in file order; paths are relative to the topology's folder (`#rootPath`).

use super::schemas::copy_file;
use super::*;
use crate::model::ConfigValue;
use crate::model::bundle::{Connector, Ksql};

/// Connector config keys kbundle sets itself (the class, the task count, the name).
const SET_BY_KBUNDLE: &[&str] = &["connector.class", "tasks.max", "name"];

pub(super) fn connectors(ctx: &mut Ctx, at: &Place, bi: usize, path: &str, artefacts: &Value) {
    for (i, a) in artefacts.as_array().into_iter().flatten().enumerate() {
        let apath = format!("{path}[{i}]");
        report_extra(ctx, at, &apath, a, &["path", "server", "name"]);
        let (Some(name), Some(file)) = (
            a.get("name").and_then(Value::as_str),
            a.get("path").and_then(Value::as_str),
        ) else {
            ctx.report.push(
                at,
                apath,
                Severity::Error,
                Code::ImportInvalid,
                "a connector artefact needs `name` and `path` (KafkaConnectArtefact)",
            );
            continue;
        };
        if let Some(server) = a.get("server").and_then(Value::as_str) {
            match &ctx.env.connect_cluster {
                None => ctx.env.connect_cluster = Some(server.to_string()),
                Some(c) if c != server => ctx.report.push(at, format!("{apath}.server"), Severity::Warning, Code::ImportDifference,
                    format!("a second Connect server {server:?}: one Environment names one Connect cluster ({c:?}); this connector is rendered for that one")),
                Some(_) => {}
            }
        }
        let Some(out) = copy_file(ctx, at, &format!("{apath}.path"), file) else {
            continue;
        };
        // The file was kept for the output only to be read here: a connector is declared in
        // the bundle, not copied.
        let Some(text) = ctx.files.remove(&out) else {
            continue;
        };
        let json: Value = match serde_json::from_str(&text) {
            Ok(v) => v,
            Err(e) => {
                ctx.report.push(
                    at,
                    format!("{apath}.path"),
                    Severity::Error,
                    Code::ImportInvalid,
                    format!("{file}: not JSON ({e})"),
                );
                continue;
            }
        };
        // Kafka Connect takes either the bare config or `{"name", "config"}`.
        let config = json.get("config").unwrap_or(&json);
        let Some(config) = config.as_object() else {
            ctx.report.push(
                at,
                format!("{apath}.path"),
                Severity::Error,
                Code::ImportInvalid,
                format!("{file}: not a connector config (a JSON object)"),
            );
            continue;
        };
        if let Some(c) = connector_of(ctx, at, &apath, name, file, config) {
            ctx.bundles[bi].spec.connectors.push(c);
        }
    }
}

fn connector_of(
    ctx: &mut Ctx,
    at: &Place,
    apath: &str,
    name: &str,
    file: &str,
    config: &serde_json::Map<String, Value>,
) -> Option<Connector> {
    let Some(class) = config.get("connector.class").and_then(Value::as_str) else {
        ctx.report.push(
            at,
            apath,
            Severity::Error,
            Code::ImportInvalid,
            format!("{file}: no `connector.class`"),
        );
        return None;
    };
    let tasks_max = config.get("tasks.max").and_then(|v| match v {
        Value::String(s) => s.parse::<u32>().ok(),
        v => v.as_u64().and_then(|n| u32::try_from(n).ok()),
    });
    let kname = sanitize_label(name);
    if kname != name {
        ctx.report.push(at, format!("{apath}.name"), Severity::Warning, Code::ImportDifference,
            format!("connector {name:?} is named {kname:?}: a KafkaConnector name is a DNS-1123 name, and it is the connector's name in Kafka Connect"));
    }
    let mut c = Connector {
        name: kname,
        class: class.to_string(),
        connector_type: None,
        tasks_max,
        topics: Vec::new(),
        config: BTreeMap::new(),
        state: None,
    };
    let sink = c.effective_type() == Some(crate::model::bundle::ConnectorType::Sink);
    for (k, v) in config {
        if SET_BY_KBUNDLE.contains(&k.as_str()) {
            continue;
        }
        if k == "topics"
            && sink
            && let Some(s) = v.as_str()
        {
            c.topics = s.split(',').map(|t| t.trim().to_string()).collect();
            continue;
        }
        let value = match v {
            Value::String(s) => ConfigValue::String(s.clone()),
            Value::Bool(b) => ConfigValue::Bool(*b),
            Value::Number(n) => match n.as_i64() {
                Some(i) => ConfigValue::Int(i),
                None => ConfigValue::Float(n.as_f64().unwrap_or_default()),
            },
            _ => {
                ctx.report.push(
                    at,
                    format!("{apath} {file}: {k}"),
                    Severity::Error,
                    Code::ImportInvalid,
                    "connector config values are strings, numbers or booleans",
                );
                continue;
            }
        };
        if let ConfigValue::String(s) = &value
            && (s.contains("{{") || s.contains("{%") || s.contains("{#"))
        {
            ctx.report.push(at, format!("{apath} {file}: {k}"), Severity::Warning, Code::ImportDifference,
                "kbundle reads connector config values as templates: check this value renders as meant");
        }
        c.config.insert(k.clone(), value);
    }
    Some(c)
}

/// `ksql`: `artefacts.streams` then `artefacts.tables` as migrations; the rest reported.
pub(super) fn ksql(ctx: &mut Ctx, at: &Place, bi: usize, path: &str, v: &Value) {
    for (k, _) in v.as_object().into_iter().flatten() {
        if k != "artefacts" && k != "artifacts" {
            ctx.report.push(at, format!("{path}.{k}"), Severity::Warning, Code::ImportUnmapped,
                "not imported: ksqlDB access is the platform's (the shared ksqlDB server's principal)");
        }
    }
    let Some(arts) = v.get("artefacts").or_else(|| v.get("artifacts")) else {
        return;
    };
    let apath = format!("{path}.artefacts");
    for (k, _) in arts.as_object().into_iter().flatten() {
        if k != "streams" && k != "tables" {
            ctx.report.push(at, format!("{apath}.{k}"), Severity::Warning, Code::ImportUnmapped,
                "not imported: kbundle migrations have no session variables; write the values into the statements");
        }
    }
    let bundle = ctx.bundles[bi].metadata.name.clone();
    let dir = format!("ksql/{bundle}");
    let mut n = ctx
        .files
        .keys()
        .filter(|f| f.starts_with(&format!("{dir}/")))
        .count();
    for kind in ["streams", "tables"] {
        for (i, a) in arts
            .get(kind)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let ipath = format!("{apath}.{kind}[{i}]");
            report_extra(ctx, at, &ipath, a, &["path", "name"]);
            let (Some(name), Some(file)) = (
                a.get("name").and_then(Value::as_str),
                a.get("path").and_then(Value::as_str),
            ) else {
                ctx.report.push(
                    at,
                    ipath,
                    Severity::Error,
                    Code::ImportInvalid,
                    "a ksql artefact needs `name` and `path`",
                );
                continue;
            };
            let Some(out) = copy_file(ctx, at, &format!("{ipath}.path"), file) else {
                continue;
            };
            let Some(text) = ctx.files.remove(&out) else {
                continue;
            };
            n += 1;
            let desc: String = name
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '-' {
                        c
                    } else {
                        '_'
                    }
                })
                .collect();
            ctx.files.insert(format!("{dir}/V{n:06}__{desc}.sql"), text);
            let b = &mut ctx.bundles[bi];
            if b.spec.ksql.is_none() {
                b.spec.ksql = Some(Ksql {
                    migrations: dir.clone(),
                    // JulieOps applies artefacts after topics and ACLs.
                    run_after_topics: true,
                    credentials_secret: None,
                });
            }
            ctx.env.needs_ksql = true;
        }
    }
}
