//! One JulieOps project: its topics, users, Streams apps, connectors and ksql artefacts, in the
//! project's bundle.

use super::*;
use crate::model::streams::StreamsApps;

/// The full names of the project's topics (`Topic#toString`), for project-level users.
fn topic_names(ctx: &Ctx, project: &Value, names: &ProjectNames) -> Vec<String> {
    project
        .get("topics")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|t| {
            let name = t.get("name").and_then(Value::as_str)?;
            let dt = t.get("dataType").and_then(Value::as_str);
            ctx.naming.topic(names, name, dt).ok()
        })
        .collect()
}

pub(super) fn project_import(
    ctx: &mut Ctx,
    at: &Place,
    pi: usize,
    project: &Value,
    keys: &[(String, String)],
    plans: &BTreeMap<String, BTreeMap<String, String>>,
) {
    let ppath = format!("projects[{pi}]");
    let Some(name) = project.get("name").and_then(Value::as_str) else {
        ctx.report.push(
            at,
            format!("{ppath}.name"),
            Severity::Error,
            Code::ImportInvalid,
            "missing project name",
        );
        return;
    };
    let names = match ctx.naming.project(keys, name) {
        Ok(n) => n,
        Err(e) => {
            ctx.report
                .push(at, ppath, Severity::Error, Code::ImportInvalid, e);
            return;
        }
    };
    let bname = sanitize_label(name);
    let bi = match ctx.bundles.iter().position(|b| b.metadata.name == bname) {
        Some(i) => i,
        None => {
            ctx.bundles.push(bundle(&bname, name));
            ctx.bundles.len() - 1
        }
    };
    let Some(obj) = project.as_object() else {
        return;
    };
    // `AccessControlManager`: project-level consumers and producers get ACLs on every topic of
    // the project by its full name, or with `topology.acls.optimized` on the project prefix.
    let targets = if ctx.naming.optimized_acls {
        vec![format!("{}*", names.prefix)]
    } else {
        topic_names(ctx, project, &names)
    };
    for (key, v) in obj {
        let path = format!("{ppath}.{key}");
        match key.as_str() {
            "name" => {}
            "topics" => {
                for (ti, t) in v.as_array().into_iter().flatten().enumerate() {
                    topic_import(ctx, at, bi, &format!("{path}[{ti}]"), t, &names, plans);
                }
            }
            "consumers" | "producers" => {
                for (i, c) in v.as_array().into_iter().flatten().enumerate() {
                    let cpath = format!("{path}[{i}]");
                    if targets.is_empty() {
                        ctx.report.push(
                            at,
                            cpath,
                            Severity::Warning,
                            Code::ImportDifference,
                            "the project has no topics: JulieOps grants this user nothing, and nothing is imported",
                        );
                        continue;
                    }
                    for t in &targets {
                        if key == "consumers" {
                            consumer(ctx, at, bi, &cpath, c, t);
                        } else {
                            producer(ctx, at, bi, &cpath, c, t);
                        }
                    }
                }
            }
            "streams" => {
                for (i, s) in v.as_array().into_iter().flatten().enumerate() {
                    streams(ctx, at, bi, &format!("{path}[{i}]"), s, &names.prefix);
                }
            }
            "connectors" => {
                let (list, artefacts) = match v {
                    Value::Array(a) => (a.clone(), None),
                    Value::Object(m) => {
                        for k in m.keys() {
                            if !matches!(k.as_str(), "access_control" | "artifacts" | "artefacts") {
                                ctx.report.push(
                                    at,
                                    format!("{path}.{k}"),
                                    Severity::Warning,
                                    Code::ImportUnmapped,
                                    "not imported: no kbundle field holds this",
                                );
                            }
                        }
                        (
                            m.get("access_control")
                                .and_then(Value::as_array)
                                .cloned()
                                .unwrap_or_default(),
                            m.get("artifacts").or_else(|| m.get("artefacts")),
                        )
                    }
                    _ => (Vec::new(), None),
                };
                if let Some(a) = artefacts {
                    artefacts::connectors(ctx, at, bi, &format!("{path}.artifacts"), a);
                }
                for (i, c) in list.iter().enumerate() {
                    connector(ctx, at, bi, &format!("{path}[{i}]"), c);
                }
            }
            "ksql" => artefacts::ksql(ctx, at, bi, &path, v),
            _ => ctx.report.push(
                at,
                path,
                Severity::Warning,
                Code::ImportUnmapped,
                format!("project field `{key}` is not imported (no kbundle equivalent here yet)"),
            ),
        }
    }
}

/// A Streams app: `AclsBindingsBuilder#kstreamsAclsStream` (Read on inputs, Write on outputs,
/// All on topics and Read on groups prefixed by the application id; without one, the project
/// prefix, `AccessControlManager#syncApplicationAcls`).
fn streams(ctx: &mut Ctx, at: &Place, bi: usize, spath: &str, s: &Value, prefix: &str) {
    use AclOperation::*;
    use AclResourceType::{Group, Topic as T};
    let Some(principal) = super::principal_of(ctx, at, spath, s) else {
        return;
    };
    let app = s
        .get("applicationId")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| prefix.to_string());
    let reads = strs(s.pointer("/topics/read"));
    let writes = strs(s.pointer("/topics/write"));
    let mut aces = Vec::new();
    for r in &reads {
        aces.push(ace(T, PatternType::Literal, r, Read));
    }
    for w in &writes {
        aces.push(ace(T, PatternType::Literal, w, Write));
    }
    aces.push(ace(T, PatternType::Prefix, &app, All));
    aces.push(ace(Group, PatternType::Prefix, &app, Read));
    ctx.expect(principal, aces);
    let p = ctx.principal(bi, principal, at, spath);
    if !p.streams.is_empty() {
        // A second Streams app of the same principal: its ACLs as raw rules.
        for r in &reads {
            p.acls.push(raw(T, Some(r), &[Read, Describe]));
        }
        for w in &writes {
            p.acls.push(raw(T, Some(w), &[Write, Describe]));
        }
    } else {
        p.streams = StreamsApps::One(Streams {
            application_id: app,
            processing_guarantee: None,
            reads,
            writes,
        });
    }
    report_extra(ctx, at, spath, s, &["principal", "applicationId", "topics"]);
}
