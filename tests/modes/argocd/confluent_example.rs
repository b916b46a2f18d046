//! The example's `confluent` overlay through the simulated Argo CD CMP sidecar (plugin.yaml):
//! CFK kinds only, none of Strimzi's, every object of a bundle, the same bytes twice.

use super::*;

pub fn confluent_overlay_through_the_cmp_sidecar() {
    // kbundle runs kubectl for the kustomization in this test.
    support::require("kubectl");
    let (_, repo) = gitops_repo();
    let app = Application::kbundle("orders-payments-confluent", "overlays/confluent");
    let sidecar = Sidecar::kbundle();
    sidecar
        .select(&repo, &app)
        .unwrap_or_else(|e| panic!("confluent: {e}"));
    let g = sidecar.generate(&repo, &app);
    let objs = g.ok("confluent");
    let kinds = count_kinds(objs);
    for k in ["KafkaTopic", "Schema", "Connector", "ConfluentRolebinding"] {
        assert!(kinds.contains_key(k), "no {k}: {kinds:?}");
    }
    for k in ["KafkaUser", "KafkaConnector"] {
        assert!(!kinds.contains_key(k), "a Strimzi {k}: {kinds:?}");
    }
    assert!(
        objs.iter()
            .all(|o| o["apiVersion"] != "kafka.strimzi.io/v1"),
        "Strimzi objects for target confluent"
    );
    let topic = objs
        .iter()
        .find(|o| kind(o) == "KafkaTopic" && name(o) == "orders.created.v1")
        .expect("orders.created.v1");
    assert_eq!(topic["apiVersion"], "platform.confluent.io/v1beta1");
    assert_eq!(topic["spec"]["kafkaRestClassRef"]["name"], "default");
    let again = sidecar.generate(&repo, &app);
    assert_eq!(
        again.run.as_ref().expect("run").stdout,
        g.run.as_ref().expect("run").stdout,
        "a second generate printed different bytes"
    );
    eprintln!("confluent via the CMP sidecar: {kinds:?}");
}

register!(confluent_overlay_through_the_cmp_sidecar);
