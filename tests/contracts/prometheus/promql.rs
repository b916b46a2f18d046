use super::*;

// ---------------------------------------------------------------------------------------------
// PromQL
// ---------------------------------------------------------------------------------------------

/// What an expression must look like.
#[derive(Debug)]
pub struct Shape {
    pub comparison: &'static str,
    pub threshold: f64,
    pub by: Vec<&'static str>,
    pub metric: &'static str,
    pub matchers: Vec<(&'static str, String)>,
    /// `increase(...[range])` for throughput.
    pub range: Option<Duration>,
}

pub fn unparen(e: &Expr) -> &Expr {
    match e {
        Expr::Paren(p) => unparen(&p.expr),
        e => e,
    }
}

pub fn assert_shape(expr: &str, want: &Shape) {
    let ast = parser::parse(expr).unwrap_or_else(|e| panic!("{expr:?} is not PromQL: {e}"));
    let Expr::Binary(bin) = &ast else {
        panic!("{expr}: top level is not a comparison: {ast:?}")
    };
    assert_eq!(bin.op.to_string(), want.comparison, "{expr}");
    // A filtering comparison, not `bool`: the alert carries the aggregated series.
    assert!(
        bin.modifier.as_ref().is_none_or(|m| !m.return_bool),
        "{expr}"
    );
    let Expr::NumberLiteral(n) = unparen(&bin.rhs) else {
        panic!("{expr}: right side is not a number")
    };
    assert_eq!(n.val, want.threshold, "{expr}");
    let Expr::Aggregate(agg) = unparen(&bin.lhs) else {
        panic!("{expr}: left side is not an aggregation")
    };
    assert_eq!(agg.op.to_string(), "sum", "{expr}");
    let by = agg.modifier.as_ref().expect("by clause");
    assert!(by.is_include(), "{expr}: `without` instead of `by`");
    assert_eq!(by.labels().labels, want.by, "{expr}");
    let selector = match (unparen(&agg.expr), want.range) {
        (Expr::VectorSelector(vs), None) => vs,
        (Expr::Call(call), Some(range)) => {
            assert_eq!(call.func.name, "increase", "{expr}");
            assert_eq!(call.args.args.len(), 1, "{expr}");
            let Expr::MatrixSelector(ms) = unparen(&call.args.args[0]) else {
                panic!("{expr}: increase() of something else than a range selector")
            };
            assert_eq!(ms.range, range, "{expr}");
            &ms.vs
        }
        (other, _) => panic!("{expr}: unexpected aggregated expression {other:?}"),
    };
    assert_eq!(selector.name.as_deref(), Some(want.metric), "{expr}");
    assert!(selector.offset.is_none() && selector.at.is_none(), "{expr}");
    let mut got: Vec<(String, String)> = selector
        .matchers
        .matchers
        .iter()
        .map(|m| {
            assert!(matches!(m.op, MatchOp::Equal), "{expr}: {m:?} is not `=`");
            (m.name.clone(), m.value.clone())
        })
        .filter(|(name, _)| name != "__name__")
        .collect();
    got.sort();
    let mut want_m: Vec<(String, String)> = want
        .matchers
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    want_m.sort();
    assert_eq!(got, want_m, "{expr}");
    assert!(selector.matchers.or_matchers.is_empty(), "{expr}");
}

pub fn lag(group: &str, topic: Option<&str>, above: f64) -> Shape {
    let mut matchers = vec![("consumergroup", group.to_string())];
    let mut by = vec!["namespace", "consumergroup"];
    if let Some(t) = topic {
        matchers.push(("topic", t.to_string()));
        by.push("topic");
    }
    Shape {
        comparison: ">",
        threshold: above,
        by,
        metric: LAG_METRIC,
        matchers,
        range: None,
    }
}

pub fn throughput(topic: &str, comparison: &'static str, threshold: f64, range: u64) -> Shape {
    Shape {
        comparison,
        threshold,
        by: vec!["namespace", "topic"],
        metric: OFFSET_METRIC,
        matchers: vec![("topic", topic.to_string())],
        range: Some(Duration::from_secs(range)),
    }
}

pub fn every_expression_parses_as_the_intended_promql() {
    let (plans, rule, _) = generate(&bundle(ORDERS), &environment(PROD));
    let want: Vec<(&str, Shape)> = vec![
        (
            "KafkaConsumerLag_orders_payments_lag",
            lag("orders-service", Some("payments.settled.v1"), 10000.0),
        ),
        (
            "KafkaConsumerLag_orders_enricher_lag",
            lag("orders-enricher", None, 500.0),
        ),
        (
            "KafkaConsumerLag_orders_audit_lag",
            lag("audit-eu", None, 1.0),
        ),
        (
            "KafkaThroughputLow_orders_orders_silent",
            throughput("orders.created.v1", "<", 1.0, 60),
        ),
        (
            "KafkaThroughputLow_orders_orders_band",
            throughput("orders.created.v1", "<", 0.5, 300),
        ),
        (
            "KafkaThroughputHigh_orders_orders_band",
            throughput("orders.created.v1", ">", 25000.75, 300),
        ),
    ];
    let names: Vec<&str> = plans.iter().map(|p| p.alertname.as_str()).collect();
    assert_eq!(names, want.iter().map(|(n, _)| *n).collect::<Vec<_>>());
    for (p, (_, shape)) in plans.iter().zip(&want) {
        assert_shape(&strimzi_expr(&p.condition), shape);
    }
    // The object carries exactly the planned expressions.
    let exprs: Vec<&str> = rule["spec"]["groups"][0]["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .map(|r| r["expr"].as_str().expect("expr"))
        .collect();
    assert_eq!(
        exprs,
        plans
            .iter()
            .map(|p| strimzi_expr(&p.condition))
            .collect::<Vec<_>>()
    );

    let (plans, _, _) = generate(&bundle(BILLING), &environment(BILLING_ENV));
    assert_eq!(plans.len(), 1);
    assert_eq!(
        plans[0].alertname,
        "KafkaThroughputHigh_billing_v2_invoice_storm"
    );
    assert_shape(
        &strimzi_expr(&plans[0].condition),
        &throughput("billing.invoices.v1", ">", 100000.0, 3600),
    );
}

pub fn odd_consumer_group_ids_stay_inside_their_string_literal() {
    // Group ids are free text in Kafka; a quote or backslash must not end the literal early.
    let odd = r#"legacy "group" \ one"#;
    let text = ORDERS
        .replace(
            "group: orders-service}",
            &format!("group: {}}}", serde_json::to_string(odd).expect("json")),
        )
        .replace(
            "{group: orders-service, topic",
            &format!(
                "{{group: {}, topic",
                serde_json::to_string(odd).expect("json")
            ),
        );
    let b = bundle(&text);
    let plans = plan_alerts(&b, &environment(PROD).env.spec);
    assert_shape(
        &strimzi_expr(&plans[0].condition),
        &lag(odd, Some("payments.settled.v1"), 10000.0),
    );
}

register!(
    every_expression_parses_as_the_intended_promql,
    odd_consumer_group_ids_stay_inside_their_string_literal
);
