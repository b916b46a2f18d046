use super::*;

// ---------------------------------------------------------------------------------------------
// CRD validation
// ---------------------------------------------------------------------------------------------

pub fn generated_objects_are_valid_against_the_crds() {
    let Some(crds) = crds() else { return };
    for (b, env) in cases() {
        let (_, rule, amc) = generate(&b, &env);
        let p = rule_problems(&crds, &rule);
        assert!(p.is_empty(), "{}: {p:#?}\n{rule:#}", b.name());
        let p = routing_problems(&crds, &amc);
        assert!(p.is_empty(), "{}: {p:#?}\n{amc:#}", b.name());
        // The emitted YAML reads back identically (the `=` match type included).
        for obj in [&rule, &amc] {
            let text = kbundle::yaml::to_string(obj).expect("yaml");
            assert_eq!(&yaml(&text), obj, "{text}");
        }
    }
}

pub fn vendored_examples_pass() {
    // The converter and the hand-written operator checks accept the upstream examples.
    let Some(crds) = crds() else { return };
    let dir = support::vendor()
        .expect("vendor")
        .join("prometheus-operator/examples");
    let rule =
        yaml(&std::fs::read_to_string(dir.join("prometheus-example-rules.yaml")).expect("read"));
    let mut rule = rule;
    // `creationTimestamp: null` is server-owned metadata, not something a generator writes.
    rule["metadata"]
        .as_object_mut()
        .expect("metadata")
        .remove("creationTimestamp");
    assert_eq!(rule_problems(&crds, &rule), Vec::<String>::new());
    let amc =
        yaml(&std::fs::read_to_string(dir.join("alertmanager-config-example.yaml")).expect("read"));
    assert_eq!(routing_problems(&crds, &amc), Vec::<String>::new());
}

pub fn deliberate_mistakes_fail() {
    let Some(crds) = crds() else { return };
    let (_, rule, amc) = generate(&bundle(ORDERS), &environment(PROD));
    type Mutation = fn(&mut Value);
    let rule_mistakes: &[(&str, &str, Mutation)] = &[
        ("misspelled field", "'annotation' was unexpected", |o| {
            o["spec"]["groups"][0]["rules"][0]["annotation"] = json!({});
        }),
        ("missing expr", "\"expr\" is a required property", |o| {
            o["spec"]["groups"][0]["rules"][0]
                .as_object_mut()
                .expect("rule")
                .remove("expr");
        }),
        ("for in words", "/for:", |o| {
            o["spec"]["groups"][0]["rules"][0]["for"] = json!("10 minutes");
        }),
        ("expr not PromQL", "does not parse", |o| {
            o["spec"]["groups"][0]["rules"][0]["expr"] = json!("sum by (x) (");
        }),
        (
            "alert name with a dash",
            "not a valid Prometheus name",
            |o| {
                o["spec"]["groups"][0]["rules"][0]["alert"] = json!("Kafka-Lag");
            },
        ),
        ("label value not a string", "is not of type", |o| {
            o["spec"]["groups"][0]["rules"][0]["labels"]["severity"] = json!(1);
        }),
        ("repeated group", "repeated (list-map key)", |o| {
            let g = o["spec"]["groups"][0].clone();
            o["spec"]["groups"].as_array_mut().expect("groups").push(g);
        }),
        ("server-owned metadata", "'uid' was unexpected", |o| {
            o["metadata"]["uid"] = json!("x");
        }),
        (
            "wrong apiVersion",
            "is not monitoring.coreos.com/v1 PrometheusRule",
            |o| {
                o["apiVersion"] = json!("monitoring.coreos.com/v1beta1");
            },
        ),
    ];
    for (what, want, mutate) in rule_mistakes {
        let mut o = rule.clone();
        mutate(&mut o);
        let p = rule_problems(&crds, &o);
        assert!(
            p.iter().any(|m| m.contains(want)),
            "PrometheusRule {what}: expected a problem containing {want:?}, got {p:#?}"
        );
    }
    let amc_mistakes: &[(&str, &str, Mutation)] = &[
        (
            "pagerduty key spelled routingkey",
            "'routingkey' was unexpected",
            |o| {
                let p = &mut o["spec"]["receivers"][0]["pagerdutyConfigs"][0];
                let key = p["routingKey"].take();
                p.as_object_mut().expect("cfg").remove("routingKey");
                p["routingkey"] = key;
            },
        ),
        (
            "pagerduty without a key",
            "one of 'routingKey' or 'serviceKey'",
            |o| {
                o["spec"]["receivers"][0]["pagerdutyConfigs"][0] = json!({});
            },
        ),
        ("literal slack URL", "is not of type \"object\"", |o| {
            o["spec"]["receivers"][1]["slackConfigs"][0]["apiURL"] =
                json!("https://hooks.slack.com/x");
        }),
        ("matchType ==", "/matchType:", |o| {
            o["spec"]["route"]["matchers"][0]["matchType"] = json!("==");
        }),
        (
            "root route without receiver",
            "root route must define a receiver",
            |o| {
                o["spec"]["route"]
                    .as_object_mut()
                    .expect("route")
                    .remove("receiver");
            },
        ),
        (
            "child route to an unknown receiver",
            "receiver \"nobody\" not found",
            |o| {
                o["spec"]["route"]["routes"][0]["receiver"] = json!("nobody");
            },
        ),
        (
            "child route with a misspelled field",
            "'reciever' was unexpected",
            |o| {
                o["spec"]["route"]["routes"][0]["reciever"] = json!("x");
            },
        ),
        (
            "child route matcher without name",
            "\"name\" is a required property",
            |o| {
                o["spec"]["route"]["routes"][0]["matchers"][0]
                    .as_object_mut()
                    .expect("matcher")
                    .remove("name");
            },
        ),
        ("webhook without url", "one of 'url' or 'urlSecret'", |o| {
            o["spec"]["receivers"][2]["webhookConfigs"][0] = json!({});
        }),
        ("email without to", "missing 'to'", |o| {
            o["spec"]["receivers"][3]["emailConfigs"][0]
                .as_object_mut()
                .expect("email")
                .remove("to");
        }),
        ("SNS CEL rule", "CEL rule failed", |o| {
            o["spec"]["receivers"][0]["snsConfigs"] =
                json!([{"topicARN": "arn:x", "sigv4": {"externalId": "e"}}]);
        }),
        (
            "repeated receiver",
            "receiver \"oncall-orders\" repeated",
            |o| {
                let r = o["spec"]["receivers"][0].clone();
                o["spec"]["receivers"]
                    .as_array_mut()
                    .expect("receivers")
                    .push(r);
            },
        ),
        ("bad namespace", "is not a DNS-1123 label", |o| {
            o["metadata"]["namespace"] = json!("Kafka");
        }),
    ];
    for (what, want, mutate) in amc_mistakes {
        let mut o = amc.clone();
        mutate(&mut o);
        let p = routing_problems(&crds, &o);
        assert!(
            p.iter().any(|m| m.contains(want)),
            "AlertmanagerConfig {what}: expected a problem containing {want:?}, got {p:#?}"
        );
    }
}

register!(
    generated_objects_are_valid_against_the_crds,
    vendored_examples_pass,
    deliberate_mistakes_fail
);
