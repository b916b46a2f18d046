//! JulieOps users: consumers, producers and connectors of a project or a topic, turned into
//! kbundle roles, with the ACLs JulieOps itself would create (`AclsBindingsBuilder`) kept for the
//! round-trip comparison.

use super::*;

pub(super) fn report_extra(ctx: &mut Ctx, at: &Place, path: &str, v: &Value, known: &[&str]) {
    for (k, _) in v.as_object().into_iter().flatten() {
        if !known.contains(&k.as_str()) {
            let why = if k == "schemas" {
                "not imported yet: declare the schema files in `spec.schemas` and the topic's \
                 `valueSchema`/`keySchema` (registration needs the Environment's `schemaRegistry`)"
            } else {
                "not imported: no kbundle field holds this"
            };
            ctx.report.push(
                at,
                format!("{path}.{k}"),
                Severity::Warning,
                Code::ImportUnmapped,
                why,
            );
        }
    }
}

pub(super) fn consumer(ctx: &mut Ctx, at: &Place, bi: usize, path: &str, c: &Value, topic: &str) {
    use AclOperation::*;
    let Some(principal) = super::principal_of(ctx, at, path, c) else {
        return;
    };
    let (tp, tn) = julie_pattern(topic);
    let given = c.get("group").and_then(Value::as_str);
    let julie_group = given.unwrap_or("*");
    let (gp, gn) = julie_pattern(julie_group);
    ctx.expect(
        principal,
        [
            ace(AclResourceType::Topic, tp, &tn, Describe),
            ace(AclResourceType::Topic, tp, &tn, Read),
            ace(AclResourceType::Group, gp, &gn, Read),
        ],
    );
    let p = ctx.principal(bi, principal, at, path);
    let group = match given {
        Some(g) => g.to_string(),
        None => format!("{}*", p.name),
    };
    if given.is_none() {
        let g = group.clone();
        ctx.report.push(
            at,
            format!("{path}.group"),
            Severity::Warning,
            Code::ImportDifference,
            format!(
                "no group: JulieOps grants Read on every group (`*`); the bundle grants groups {g:?} only — set the consumer's real group"
            ),
        );
    }
    let p = ctx.principal(bi, principal, at, path);
    match p
        .consumes
        .iter_mut()
        .find(|x| x.group.as_deref() == Some(group.as_str()))
    {
        Some(x) => push_unique(&mut x.topics, topic.to_string()),
        None => p.consumes.push(Consumes {
            topics: vec![topic.to_string()],
            group: Some(group),
        }),
    }
    report_extra(ctx, at, path, c, &["principal", "group"]);
}

pub(super) fn producer(ctx: &mut Ctx, at: &Place, bi: usize, path: &str, c: &Value, topic: &str) {
    use AclOperation::*;
    let Some(principal) = super::principal_of(ctx, at, path, c) else {
        return;
    };
    let (tp, tn) = julie_pattern(topic);
    let mut aces = vec![
        ace(AclResourceType::Topic, tp, &tn, Describe),
        ace(AclResourceType::Topic, tp, &tn, Write),
    ];
    let tx = c
        .get("transactionId")
        .and_then(Value::as_str)
        .map(str::to_string);
    let idem = c.get("idempotence").is_some_and(|v| !v.is_null());
    if let Some(t) = &tx {
        let (xp, xn) = julie_pattern(t);
        aces.push(ace(AclResourceType::TransactionalId, xp, &xn, Describe));
        aces.push(ace(AclResourceType::TransactionalId, xp, &xn, Write));
    }
    if tx.is_some() || idem {
        aces.push(ace(
            AclResourceType::Cluster,
            PatternType::Literal,
            "",
            IdempotentWrite,
        ));
    }
    ctx.expect(principal, aces);
    let p = ctx.principal(bi, principal, at, path);
    push_unique(&mut p.produces, topic.to_string());
    if let Some(t) = tx {
        push_unique(&mut p.transactional_ids, t);
    }
    if (c.get("transactionId").is_some() || idem)
        && !p
            .acls
            .iter()
            .any(|a| a.resource.resource_type == AclResourceType::Cluster)
    {
        // Kept so the effective set stays equal; Kafka 3.0+ no longer checks it.
        p.acls
            .push(raw(AclResourceType::Cluster, None, &[IdempotentWrite]));
    }
    report_extra(
        ctx,
        at,
        path,
        c,
        &["principal", "transactionId", "idempotence"],
    );
}

pub(super) fn connector(ctx: &mut Ctx, at: &Place, bi: usize, path: &str, c: &Value) {
    use AclOperation::*;
    let Some(principal) = super::principal_of(ctx, at, path, c) else {
        return;
    };
    let get = |k: &str, d: &str| c.get(k).and_then(Value::as_str).unwrap_or(d).to_string();
    let storage = [
        get("status_topic", "connect-status"),
        get("offset_topic", "connect-offsets"),
        get("configs_topic", "connect-configs"),
    ];
    let group = get("group", "connect-cluster");
    let reads = strs(c.pointer("/topics/read"));
    let writes = strs(c.pointer("/topics/write"));
    let lit = PatternType::Literal;
    let mut aces = Vec::new();
    for s in &storage {
        aces.push(ace(AclResourceType::Topic, lit, s, Read));
        aces.push(ace(AclResourceType::Topic, lit, s, Write));
    }
    aces.push(ace(AclResourceType::Cluster, lit, "", Create));
    aces.push(ace(AclResourceType::Group, lit, &group, Read));
    for r in &reads {
        aces.push(ace(AclResourceType::Topic, lit, r, Read));
    }
    for w in &writes {
        aces.push(ace(AclResourceType::Topic, lit, w, Write));
    }
    ctx.expect(principal, aces);
    let p = ctx.principal(bi, principal, at, path);
    let mut consumed: Vec<String> = storage.to_vec();
    consumed.extend(reads);
    p.consumes.push(Consumes {
        topics: consumed,
        group: Some(group),
    });
    for s in storage.iter().chain(writes.iter()) {
        push_unique(&mut p.produces, s.clone());
    }
    p.acls.push(raw(AclResourceType::Cluster, None, &[Create]));
    report_extra(
        ctx,
        at,
        path,
        c,
        &[
            "principal",
            "group",
            "status_topic",
            "offset_topic",
            "configs_topic",
            "topics",
        ],
    );
}
