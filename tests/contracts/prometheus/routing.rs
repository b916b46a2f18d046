use super::*;

// ---------------------------------------------------------------------------------------------
// routing and errors
// ---------------------------------------------------------------------------------------------

pub fn routing_reaches_every_named_receiver_and_only_those() {
    let (plans, rule, amc) = generate(&bundle(ORDERS), &environment(PROD));
    let spec = &amc["spec"];
    assert_eq!(amc["metadata"]["name"], "orders-kbundle-routing");
    assert_eq!(amc["metadata"]["namespace"], "kafka");
    assert_eq!(rule["metadata"]["name"], "orders-kbundle-alerts");
    for obj in [&rule, &amc] {
        assert_eq!(
            obj["metadata"]["labels"]["release"],
            "kube-prometheus-stack"
        );
        assert_eq!(
            obj["metadata"]["labels"]["app.kubernetes.io/part-of"],
            "orders"
        );
    }
    // The root matches the bundle's routed alerts only: another alert labelled with the
    // bundle must not reach the root's receiver.
    let routed: Vec<&str> = plans
        .iter()
        .filter(|p| !p.receivers.is_empty())
        .map(|p| p.alertname.as_str())
        .collect();
    assert_eq!(
        spec["route"]["matchers"],
        json!([{"name": "bundle", "matchType": "=", "value": "orders"},
               {"name": "alertname", "matchType": "=~", "value": routed.join("|")}])
    );
    let receivers: Vec<&str> = spec["receivers"]
        .as_array()
        .expect("receivers")
        .iter()
        .map(|r| r["name"].as_str().expect("name"))
        .collect();
    assert_eq!(
        receivers,
        [
            "oncall-orders",
            "slack-orders",
            "hook-orders",
            "mail-orders"
        ],
        "Environment order, `unused` left out"
    );
    // Simulate Alertmanager: an alert goes to every child route it matches (all continue).
    let routes = spec["route"]["routes"].as_array().expect("routes");
    for p in &plans {
        assert_eq!(p.labels["bundle"], "orders");
        let mut got: Vec<&str> = routes
            .iter()
            .filter(|r| {
                r["continue"] == true
                    && r["matchers"].as_array().expect("m").iter().all(|m| {
                        let v = m["value"].as_str().expect("value");
                        match m["matchType"].as_str() {
                            Some("=") => p.alertname == v,
                            Some("=~") => Regex::new(&format!("^(?:{v})$"))
                                .expect("regex")
                                .is_match(&p.alertname),
                            other => panic!("matchType {other:?}"),
                        }
                    })
            })
            .map(|r| r["receiver"].as_str().expect("receiver"))
            .collect();
        got.sort();
        let mut want: Vec<&str> = p.receivers.iter().map(String::as_str).collect();
        want.sort();
        assert_eq!(got, want, "{}", p.alertname);
    }
    // Rules carry severity, bundle, owner and a summary and description.
    for r in rule["spec"]["groups"][0]["rules"]
        .as_array()
        .expect("rules")
    {
        let labels: Vec<&String> = r["labels"].as_object().expect("labels").keys().collect();
        assert_eq!(labels, ["bundle", "owner", "severity"]);
        let ann: Vec<&String> = r["annotations"].as_object().expect("ann").keys().collect();
        assert_eq!(ann, ["description", "summary"]);
    }
}

pub fn output_is_deterministic() {
    let a = generate(&bundle(ORDERS), &environment(PROD));
    let b = generate(&bundle(ORDERS), &environment(PROD));
    let text = |v: &Value| kbundle::yaml::to_string(v).expect("yaml");
    assert_eq!(text(&a.1), text(&b.1));
    assert_eq!(text(&a.2), text(&b.2));
}

pub fn codes(d: &[Diagnostic]) -> Vec<&str> {
    d.iter().map(|d| d.code.as_str()).collect()
}

pub fn unknown_receiver_is_an_error() {
    let text = ORDERS.replace("notify: [hook-orders]", "notify: [hook-order, pager]");
    let d = diagnostics(&bundle(&text), &environment(PROD));
    assert_eq!(codes(&d), ["KB093", "KB093"], "{d:#?}");
    assert!(d.iter().all(Diagnostic::is_error));
    assert_eq!(d[0].field.as_deref(), Some("spec.alerts[1].notify[0]"));
    assert_eq!(d[0].hint.as_deref(), Some("did you mean \"hook-orders\"?"));
    assert_eq!(
        d[1].message,
        "notify names receiver \"pager\", which Environment/prod does not define"
    );
}

pub fn missing_lag_alert_is_an_error_listing_the_groups() {
    // Drop the enricher and audit lag alerts: two groups lose their alert.
    let start = ORDERS.find("    - name: enricher-lag").expect("enricher");
    let end = ORDERS.find("    - name: orders-silent").expect("silent");
    let text = format!("{}{}", &ORDERS[..start], &ORDERS[end..]);
    let d = diagnostics(&bundle(&text), &environment(PROD));
    assert_eq!(codes(&d), ["KB098"], "{d:#?}");
    assert_eq!(
        d[0].message,
        "consumer groups without a consumerLag alert: audit-*, orders-enricher; \
         policy.lagAlerts of Environment/prod requires one for every consumer group"
    );
    // The same bundle under an Environment without the policy is fine.
    let relaxed = PROD.replace("policy: {lagAlerts: true}", "policy: {}");
    assert_eq!(
        codes(&diagnostics(&bundle(&text), &environment(&relaxed))),
        Vec::<&str>::new()
    );
}

/// The objects the whole pipeline writes for the golden cases pass the same CRD checks.
pub fn golden_pipeline_outputs_are_valid_against_the_crds() {
    let Some(crds) = crds() else { return };
    let mut seen = 0;
    for family in std::fs::read_dir(support::root().join("testdata"))
        .expect("testdata")
        .flatten()
        .filter(|family| family.path().is_dir())
    {
        for case in std::fs::read_dir(family.path()).expect("family").flatten() {
            let dir = case.path();
            if !dir.join("expected.yaml").exists() {
                continue;
            }
            let text = std::fs::read_to_string(dir.join("expected.yaml")).expect("expected.yaml");
            for obj in kbundle::yaml::parse_stream(&text)
                .expect("yaml")
                .into_iter()
                .map(|d| d.value)
            {
                let problems = match obj["kind"].as_str() {
                    Some("PrometheusRule") => rule_problems(&crds, &obj),
                    Some("AlertmanagerConfig") => routing_problems(&crds, &obj),
                    _ => continue,
                };
                seen += 1;
                assert!(problems.is_empty(), "{}: {problems:#?}", dir.display());
            }
        }
    }
    assert!(
        seen >= 2,
        "expected the delivery golden case's rule and routing, saw {seen}"
    );
}

register!(
    routing_reaches_every_named_receiver_and_only_those,
    output_is_deterministic,
    unknown_receiver_is_an_error,
    missing_lag_alert_is_an_error_listing_the_groups,
    golden_pipeline_outputs_are_valid_against_the_crds
);
