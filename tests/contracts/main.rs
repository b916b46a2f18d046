//! What kbundle emits, checked against the contracts of the systems that read it: the vendored
//! Strimzi and Prometheus Operator CRDs, the Kubernetes schemas of Jobs and ConfigMaps, PromQL,
//! and kbundle's own published JSON Schemas. One binary (`harness = false`):
//! `cargo test --test contracts [FILTER]`. Without the vendor directory the vendor-backed tests
//! are reported as skipped (fail instead with `KBUNDLE_REQUIRE_VENDOR=1` or `CI=true`).

#[macro_use]
#[path = "../support/mod.rs"]
mod support;

mod confluent;
mod crd;
mod k8s_schemas;
mod prometheus;
mod schema;

fn main() {
    support::run_tests(
        [
            confluent::tests(),
            crd::tests(),
            k8s_schemas::tests(),
            prometheus::tests(),
            schema::tests(),
        ]
        .into_iter()
        .flatten()
        .collect(),
    )
}
