//! The rendered landscape (tests/live/landscape: bundles orders, stats, customers) on a real
//! Apache Kafka broker and Kafka Connect worker of the pinned release (tests/live/pom.xml):
//!
//! 1. kbundle renders the landscape; a stand-in for Strimzi's Topic and User Operators
//!    (tests/live/java/LiveOperator.java) applies its KafkaTopics and KafkaUsers.
//! 2. Real clients, each as its own principal with only the generated ACLs, do their jobs —
//!    produce, consume and commit in a group, commit a transaction, a Kafka Streams app with a
//!    repartition, a state store and exactly_once_v2 — and are refused everything else, with
//!    the broker's authorization error asserted.
//! 3. A Connect worker runs the rendered KafkaConnector (FileStreamSinkConnector) as the
//!    principal kbundle generated for it (client overrides resolved by a config provider; the
//!    worker's own principal has no ACLs): masked fields redacted or nulled, the unmasked topic
//!    untouched, a broken masking config refused by Connect's own validation.
//! 4. examples/gitops (two teams, prod): a cross-team write refused by the broker, the
//!    granted read served.
//!
//! One broker serves every part; it and the Connect worker are stopped by Drop guards however
//! the test ends (and killed with the test process: PR_SET_PDEATHSIG). Needs java, javac,
//! openssl and the Kafka jars (scripts/live/install-kafka.sh): missing, the test fails under
//! KBUNDLE_REQUIRE_LIVE=1 (.ci/run) and is skipped otherwise.

#[path = "live/broker.rs"]
mod broker;
#[path = "live/connect.rs"]
mod connect;
#[path = "live/procs.rs"]
mod procs;
#[path = "live/scenarios.rs"]
mod scenarios;
mod support;
#[path = "live/teams.rs"]
mod teams;

use broker::{Broker, Jvm};
use std::process::Command;
use std::time::Instant;
use support::live;

#[test]
fn live_kafka_landscape() {
    let (Some(lib), Some(java), Some(javac), Some(_)) = (
        live::kafka_lib(),
        live::tool("java"),
        live::tool("javac"),
        live::tool("openssl"),
    ) else {
        return;
    };
    let t0 = Instant::now();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();

    // The test's own Java: the operator stand-in, the client and the Streams app.
    let classes = dir.join("classes");
    let jars = format!("{}/*", lib.display());
    let srcs: Vec<_> = std::fs::read_dir(support::root().join("tests/live/java"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "java"))
        .collect();
    let out = Command::new(&javac)
        .args(["-d"])
        .arg(&classes)
        .args(["-cp", &jars])
        .args(&srcs)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "javac: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let jvm = Jvm {
        java,
        classpath: format!("{}:{jars}", classes.display()),
    };
    let t_javac = t0.elapsed();

    // The landscape, rendered as a user would.
    let rendered = dir.join("rendered.yaml");
    let out = support::run({
        let mut c = Command::new(support::kbundle());
        c.arg("render")
            .arg(support::root().join("tests/live/landscape"));
        c
    });
    support::assert_ok(&out, "kbundle render tests/live/landscape");
    std::fs::write(&rendered, &out.stdout).unwrap();

    let t1 = Instant::now();
    let broker = Broker::start(&jvm, &dir.join("kafka"));
    let t_broker = t1.elapsed();
    eprintln!(
        "live: Kafka {} broker up on SASL 127.0.0.1:{} and SSL 127.0.0.1:{} in {:.1}s (javac {:.1}s)",
        live::kafka_version(),
        broker.sasl_port,
        broker.ssl_port,
        t_broker.as_secs_f64(),
        t_javac.as_secs_f64()
    );

    let env = scenarios::Env::new(&jvm, &broker, dir, &rendered);
    let mut failures = Vec::new();
    for (name, f) in scenarios::ALL {
        let t = Instant::now();
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&env)));
        match result {
            Ok(()) => eprintln!("live: {name}: ok ({:.1}s)", t.elapsed().as_secs_f64()),
            Err(e) => {
                let msg = e
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                eprintln!("live: {name}: FAILED: {msg}");
                failures.push(name);
                // Later parts build on the operator's work: stop at the first failure there.
                if *name == "operator" {
                    break;
                }
            }
        }
        broker.proc.assert_alive();
    }
    eprintln!("live: total {:.1}s", t0.elapsed().as_secs_f64());
    assert!(
        failures.is_empty(),
        "live parts failed: {failures:?} (broker log: {})",
        broker.dir.join("server.log").display()
    );
    drop(broker);
}
