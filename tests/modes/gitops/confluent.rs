//! The example's `confluent` overlay (Environment/confluent, target confluent) through every
//! mode: `kubectl kustomize` with the legacy plugin, `kpt fn eval -- environment=confluent`,
//! and `kbundle render base overlays/confluent/environment.yaml` give the same CFK objects,
//! each valid against the vendored CFK JSON Schemas, with no Strimzi kind among them, and the
//! KB154 warnings for the parts the Environment says are managed elsewhere.

use super::*;

/// What both bundles render to for CFK.
fn expected_cfk_ids() -> BTreeSet<(String, String)> {
    [
        ("KafkaTopic", "orders.created.v1"),
        ("KafkaTopic", "orders.audit.v1"),
        ("KafkaTopic", "payments.settled.v1"),
        ("Schema", "orders.created.v1-key"),
        ("Schema", "orders.created.v1-value"),
        ("Schema", "payments.settled.v1-value"),
        ("ConfigMap", "orders-schema-orders.created.v1-key"),
        ("ConfigMap", "orders-schema-orders.created.v1-value"),
        ("ConfigMap", "payments-schema-payments.settled.v1-value"),
        ("Connector", "orders-to-warehouse"),
        ("PrometheusRule", "orders-kbundle-alerts"),
        ("PrometheusRule", "payments-kbundle-alerts"),
        ("AlertmanagerConfig", "orders-kbundle-routing"),
        ("AlertmanagerConfig", "payments-kbundle-routing"),
        ("ConfigMap", "orders-masking-policy"),
        ("ConfigMap", "orders-ksql-migrations"),
        ("Job", "orders-ksql-migrations"),
        ("Job", "orders-test-smoke"),
    ]
    .into_iter()
    .map(|(k, n)| (k.to_string(), n.to_string()))
    .chain(
        objects_of_role_bindings()
            .into_iter()
            .map(|n| ("ConfluentRolebinding".to_string(), n)),
    )
    .collect()
}

fn objects_of_role_bindings() -> Vec<String> {
    [
        "orders-service-developerread",
        "orders-service-developerwrite",
        "payments-service-developerread",
        "payments-service-developerwrite",
        // The sink runs as its own principal (connectorPrincipals): its topic and group.
        "connect-orders-to-warehouse-developerread",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn check_cfk(objs: &[Value], mode: &str) {
    let ours: Vec<Value> = objs
        .iter()
        .filter(|o| label(o, "app.kubernetes.io/managed-by") == Some("kbundle"))
        .cloned()
        .collect();
    let got = ids(&ours);
    let want = expected_cfk_ids();
    assert_eq!(
        got.symmetric_difference(&want).collect::<Vec<_>>(),
        Vec::<&(String, String)>::new(),
        "{mode}: got {got:?}"
    );
    let connector = ours
        .iter()
        .find(|o| kind(o) == "Connector")
        .expect("the Connector");
    assert_eq!(
        s(
            connector,
            "/spec/configs/consumer.override.sasl.jaas.config"
        ),
        Some("${directory:/mnt/secrets/connect-orders-to-warehouse:sasl.jaas.config}"),
        "{mode}: {connector}"
    );
    for o in &ours {
        assert!(
            !s(o, "/apiVersion")
                .unwrap_or("")
                .starts_with("kafka.strimzi.io"),
            "{mode}: a Strimzi object for target confluent: {o}"
        );
    }
    let Some(vendor) = support::vendor() else {
        return;
    };
    for o in ours
        .iter()
        .filter(|o| s(o, "/apiVersion") == Some("platform.confluent.io/v1beta1"))
    {
        let file = format!("{}_v1beta1.json", kind(o).to_ascii_lowercase());
        let text = std::fs::read_to_string(vendor.join("confluent/jsonschema").join(&file))
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        let schema: Value = serde_json::from_str(&text).unwrap();
        let v = jsonschema::validator_for(&schema).unwrap();
        let errs: Vec<String> = v.iter_errors(o).map(|e| e.to_string()).collect();
        assert!(errs.is_empty(), "{mode}: {o}: {errs:?}");
    }
}

fn assert_managed_elsewhere_warnings(err: &str, mode: &str) {
    assert_eq!(err.matches("KB154").count(), 3, "{mode}: {err}");
}

pub fn confluent_overlay_through_every_mode() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("plugins");
    install_plugin(&home);
    let repo = copy_example(tmp.path());

    let out = kustomize(&home, &repo, "confluent");
    assert_ok(&out, "kubectl kustomize overlays/confluent");
    let kustomized = docs(&stdout(&out));
    check_cfk(&kustomized, "kustomize");

    let out = kpt_eval(&repo, "stdout", "confluent");
    assert_ok(&out, "kpt fn eval -- environment=confluent");
    let (generated, _) = split_items(&stdout(&out));
    check_cfk(&generated, "kpt");
    // kpt prints the function's results on stderr (each warning may appear more than once).
    let err = stderr(&out);
    assert!(
        err.contains("[KB154]") && err.contains("lists quotas"),
        "kpt: {err}"
    );

    let out = cli_render(&repo, "confluent");
    assert_ok(
        &out,
        "kbundle render base overlays/confluent/environment.yaml",
    );
    check_cfk(&docs(&stdout(&out)), "cli");
    assert_managed_elsewhere_warnings(&stderr(&out), "cli");
}

register!(confluent_overlay_through_every_mode);
