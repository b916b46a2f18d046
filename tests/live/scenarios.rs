//! The parts of the live test, run in order against one broker.

use super::broker::{Broker, Jvm};
use super::connect::connect;
use super::procs::Proc;
use super::support::{self, kind, s};
use super::teams::cross_team;
use serde_json::Value;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The Connect worker's own principal: a SCRAM user with no ACLs at all, so whatever a
/// connector reads or writes, its generated principal did.
pub const WORKER: &str = "connect-worker";

pub struct Env<'a> {
    pub jvm: &'a Jvm,
    pub broker: &'a Broker,
    pub dir: PathBuf,
    pub rendered: PathBuf,
    pub objects: Vec<Value>,
    /// Client settings file per principal (as the principal's own credentials).
    pub props: BTreeMap<String, PathBuf>,
    /// Principals added by a part (another landscape's users, the Connect worker).
    pub extra: RefCell<BTreeMap<String, PathBuf>>,
    pub admin: PathBuf,
}

type Part = fn(&Env);

/// Writing without any Write ACL: refused on the topic, or on the cluster when the principal
/// can write nowhere (the idempotent producer's InitProducerId).
const WRITE_DENIED: &str = "TopicAuthorizationException|ClusterAuthorizationException";

pub const ALL: &[(&str, Part)] = &[
    ("operator", operator),
    (
        "orders: producer, consumer group over TLS, transactions",
        orders,
    ),
    ("stats: Kafka Streams exactly_once_v2", streams),
    (
        "customers: Kafka Connect masking, as the connector's own principal",
        connect,
    ),
    (
        "examples/gitops: a cross-team write refused, a granted read",
        cross_team,
    ),
];

impl<'a> Env<'a> {
    pub fn new(jvm: &'a Jvm, broker: &'a Broker, dir: &Path, rendered: &Path) -> Env<'a> {
        let objects = support::docs(&std::fs::read_to_string(rendered).unwrap());
        let mut props = BTreeMap::new();
        let mut passwords = String::new();
        let cdir = dir.join("clients");
        std::fs::create_dir_all(&cdir).unwrap();
        for u in objects.iter().filter(|o| kind(o) == "KafkaUser") {
            let name = s(u, "/metadata/name").unwrap();
            let text = match s(u, "/spec/authentication/type") {
                Some("scram-sha-512") => {
                    let pw = super::broker::secret(name);
                    passwords.push_str(&format!("{name}={pw}\n"));
                    broker.scram_props(name, &pw)
                }
                Some("tls") => broker.tls_props(name),
                other => panic!("{name}: authentication {other:?} is not covered here"),
            };
            let file = cdir.join(format!("{name}.properties"));
            std::fs::write(&file, text).unwrap();
            props.insert(name.to_string(), file);
        }
        std::fs::write(dir.join("passwords.properties"), passwords).unwrap();
        let admin = cdir.join("admin.properties");
        std::fs::write(&admin, broker.admin_props()).unwrap();
        Env {
            jvm,
            broker,
            dir: dir.to_path_buf(),
            rendered: rendered.to_path_buf(),
            objects,
            props,
            extra: RefCell::new(BTreeMap::new()),
            admin,
        }
    }

    /// The client settings file of a principal (`admin`: the harness's super user).
    pub fn props_of(&self, principal: &str) -> PathBuf {
        if principal == "admin" {
            return self.admin.clone();
        }
        if let Some(p) = self.extra.borrow().get(principal) {
            return p.clone();
        }
        self.props
            .get(principal)
            .unwrap_or_else(|| panic!("no rendered KafkaUser {principal}"))
            .clone()
    }

    /// A SCRAM principal outside the landscape: writes its client settings and its entry for
    /// LiveOperator's passwords file; returns the password file line.
    pub fn add_scram(&self, name: &str) -> String {
        let pw = super::broker::secret(name);
        let file = self.dir.join("clients").join(format!("{name}.properties"));
        std::fs::write(&file, self.broker.scram_props(name, &pw)).unwrap();
        self.extra.borrow_mut().insert(name.to_string(), file);
        format!("{name}={pw}\n")
    }

    /// Runs LiveOperator (the Strimzi stand-in) on a file of KafkaTopics and KafkaUsers.
    #[track_caller]
    pub fn apply(&self, objects: &Path, passwords: &Path) -> String {
        let mut cmd = self.jvm.command("LiveOperator");
        cmd.arg(&self.admin).arg(objects).arg(passwords).arg("1");
        let out = support::run(cmd);
        let text = support::stdout(&out);
        assert!(
            out.status.success(),
            "LiveOperator {}: {}\n{text}",
            objects.display(),
            support::stderr(&out)
        );
        text
    }

    /// Runs LiveClient steps as `principal`; returns (records, one result line per step).
    #[track_caller]
    pub fn client(&self, principal: &str, steps: &[&str]) -> (Vec<String>, Vec<String>) {
        let mut cmd = self.jvm.command("LiveClient");
        cmd.arg(self.props_of(principal)).args(steps);
        let out = support::run(cmd);
        let text = support::stdout(&out);
        assert!(
            out.status.success(),
            "LiveClient as {principal} {steps:?}: {}\n{text}",
            support::stderr(&out)
        );
        let (recs, results): (Vec<_>, Vec<_>) = text
            .lines()
            .filter(|l| {
                ["OK ", "DENIED ", "ERROR ", "REC "]
                    .iter()
                    .any(|p| l.starts_with(p))
            })
            .map(str::to_string)
            .partition(|l| l.starts_with("REC "));
        assert_eq!(
            results.len(),
            steps.len(),
            "LiveClient as {principal}: {text}"
        );
        (recs, results)
    }

    /// One step that must succeed; returns its records and detail.
    #[track_caller]
    pub fn ok(&self, principal: &str, step: &str) -> (Vec<String>, String) {
        let (recs, res) = self.client(principal, &[step]);
        assert!(
            res[0].starts_with("OK "),
            "{principal} `{step}` should succeed: {}",
            res[0]
        );
        (recs, res[0][3..].to_string())
    }

    /// Steps that the broker must refuse with the given AuthorizationException class (or one
    /// of `A|B`).
    #[track_caller]
    pub fn denied(&self, principal: &str, steps: &[(&str, &str)]) {
        let names: Vec<&str> = steps.iter().map(|(s, _)| *s).collect();
        let (_, res) = self.client(principal, &names);
        for ((step, classes), line) in steps.iter().zip(&res) {
            assert!(
                classes
                    .split('|')
                    .any(|class| line.starts_with(&format!("DENIED {class}:"))),
                "{principal} `{step}` should be refused with {classes}: {line}"
            );
        }
        eprintln!("live:   {principal}: refused {names:?}");
    }
}

/// The stand-in operators apply every KafkaTopic and KafkaUser; what they applied matches the
/// rendered objects one to one, and the broker holds it.
fn operator(env: &Env) {
    let mut cmd = env.jvm.command("LiveOperator");
    cmd.arg(&env.admin)
        .arg(&env.rendered)
        .arg(env.dir.join("passwords.properties"))
        .arg("1");
    let out = support::run(cmd);
    let text = support::stdout(&out);
    assert!(
        out.status.success(),
        "LiveOperator: {}\n{text}",
        support::stderr(&out)
    );
    let topics: Vec<&Value> = env
        .objects
        .iter()
        .filter(|o| kind(o) == "KafkaTopic")
        .collect();
    let users: Vec<&Value> = env
        .objects
        .iter()
        .filter(|o| kind(o) == "KafkaUser")
        .collect();
    let acl_count: usize = users
        .iter()
        .flat_map(|u| u["spec"]["authorization"]["acls"].as_array().unwrap())
        .map(|r| r["operations"].as_array().unwrap().len())
        .sum();
    let scram = users
        .iter()
        .filter(|u| s(u, "/spec/authentication/type") == Some("scram-sha-512"))
        .count();
    let quotas = users
        .iter()
        .filter(|u| u["spec"].get("quotas").is_some())
        .count();
    let summary = format!(
        "APPLIED topics={} acls={acl_count} quotas={quotas} scram={scram}",
        topics.len()
    );
    assert!(text.contains(&summary), "want {summary}:\n{text}");
    for t in &topics {
        let name = s(t, "/spec/topicName").unwrap();
        let partitions = &t["spec"]["partitions"];
        assert!(
            text.contains(&format!("TOPIC {name} partitions={partitions} replicas=1")),
            "{name}: {text}"
        );
    }
    // Principals as Strimzi names them.
    assert!(text.contains("principal=User:CN=orders-reader"), "{text}");
    assert!(text.contains("principal=User:orders-writer"), "{text}");
    assert!(
        text.contains("patternType=PREFIXED") && text.contains("host=127.0.0.1"),
        "{text}"
    );
    // The quota is on the broker, as client quotas of user orders-writer.
    let (_, q) = env.ok("admin", "quotas:orders-writer");
    for want in [
        "consumer_byte_rate=2097152.0",
        "producer_byte_rate=1048576.0",
        "request_percentage=50.0",
    ] {
        assert!(q.contains(want), "{q}");
    }
    eprintln!(
        "live:   {} topics, {acl_count} ACL bindings, {quotas} quota, {scram} SCRAM users applied",
        topics.len()
    );
}

/// orders: a SCRAM producer, a TLS consumer in its group, a transactional producer.
fn orders(env: &Env) {
    let (_, d) = env.ok("orders-writer", "produce:orders.created.v1:6:o");
    assert_eq!(d, "produced=6");
    let (recs, d) = env.ok(
        "orders-reader",
        "consume:orders.created.v1:orders-billing:6",
    );
    assert!(d.starts_with("consumed=6 committed-p0="), "{d}");
    assert!(
        !d.ends_with("=none"),
        "orders-billing committed nothing: {d}"
    );
    assert!(recs.iter().any(|r| r.contains("\"id\":\"o5\"")), "{recs:?}");

    let (_, d) = env.ok("orders-ledger", "txn:orders.ledger.v1:orders-ledger-tx:3");
    assert_eq!(d, "committed=3");
    // The committed transaction is visible to a read_committed reader (the harness).
    let (recs, d) = env.ok("admin", "consume:orders.ledger.v1:harness-check:3:rc");
    assert!(d.starts_with("consumed=3"), "{d} {recs:?}");

    env.denied(
        "orders-reader",
        &[
            // a consumer writing its input. It may write nowhere, so the broker already refuses
            // the idempotent producer's InitProducerId (IdempotentWrite on the cluster, or
            // Write on some topic, is required).
            ("produce:orders.created.v1:1", WRITE_DENIED),
            // joining another group
            (
                "consume:orders.created.v1:orders-other:1",
                "GroupAuthorizationException",
            ),
            // reading a topic it did not declare
            ("assign:orders.ledger.v1:1", "TopicAuthorizationException"),
        ],
    );
    env.denied(
        "orders-writer",
        &[
            // a producer reading
            ("assign:orders.created.v1:1", "TopicAuthorizationException"),
            // another bundle's topic
            ("produce:stats.events.v1:1", "TopicAuthorizationException"),
            // creating topics is the operator's job
            (
                "create-topic:orders.extra.v1",
                "TopicAuthorizationException",
            ),
        ],
    );
    env.denied(
        "orders-ledger",
        &[
            // a transactional id it was not given
            (
                "txn:orders.ledger.v1:someone-else-tx:1",
                "TransactionalIdAuthorizationException",
            ),
        ],
    );
}

/// stats: a Kafka Streams app counting events per user, fed over TLS, read by another principal.
fn streams(env: &Env) {
    let events = env.dir.join("events.jsonl");
    let users = ["ann", "bob", "ann", "cy", "bob", "ann"];
    std::fs::write(
        &events,
        users
            .iter()
            .map(|u| format!("{{\"user\":\"{u}\"}}\n"))
            .collect::<String>(),
    )
    .unwrap();
    let (_, d) = env.ok(
        "stats-feeder",
        &format!("produce-lines:stats.events.v1:{}", events.display()),
    );
    assert_eq!(d, "produced=6");

    let state = env.dir.join("streams-state");
    let mut cmd = env.jvm.command("StatsCounter");
    cmd.arg(env.props_of("stats-counter"))
        .args(["stats.events.v1", "stats.counts.v1"])
        .arg(&state)
        .arg("120");
    let log = env.dir.join("streams.log");
    let app = Proc::spawn("StatsCounter", cmd, &log);
    let start = Instant::now();
    let status = loop {
        if let Some(st) = app.child.borrow_mut().try_wait().unwrap() {
            break st;
        }
        assert!(
            start.elapsed() < Duration::from_secs(150),
            "StatsCounter still running after 150 s:\n{}",
            app.tail()
        );
        std::thread::sleep(Duration::from_millis(300));
    };
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        status.success(),
        "StatsCounter failed ({status}):\n{}",
        app.tail()
    );
    assert!(text.contains("EMITTED 6"), "{}", app.tail());
    // Its internal topics: a repartition topic and a changelog, both under `stats-counter-`.
    let (recs, d) = env.ok("stats-viewer", "consume:stats.counts.v1:stats-viewer:6:rc");
    assert!(d.starts_with("consumed=6"), "{d} {recs:?}");
    let mut last = BTreeMap::new();
    for r in &recs {
        let (k, v) = r[4..].split_once('\t').unwrap();
        last.insert(k.to_string(), v.to_string());
    }
    let want: BTreeMap<String, String> = [("ann", "3"), ("bob", "2"), ("cy", "1")]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    assert_eq!(last, want, "final counts");
    let (_, d) = env.ok("stats-viewer", "describe-configs:stats.counts.v1");
    assert!(d.starts_with("configs="), "{d}");

    env.denied(
        "stats-counter",
        &[
            // a topic outside its declaration: another bundle's, and one it would create
            ("produce:orders.created.v1:1", "TopicAuthorizationException"),
            ("assign:orders.created.v1:1", "TopicAuthorizationException"),
            (
                "create-topic:other-app-store-changelog",
                "TopicAuthorizationException",
            ),
            // its own input, written: it only reads it
            ("produce:stats.events.v1:1", "TopicAuthorizationException"),
        ],
    );
    env.denied(
        "stats-viewer",
        &[("produce:stats.counts.v1:1", WRITE_DENIED)],
    );
    env.denied(
        "stats-feeder",
        &[("assign:stats.events.v1:1", "TopicAuthorizationException")],
    );
    env.denied(
        "stats-viewer",
        &[
            (
                "consume:orders.created.v1:stats-viewer:1",
                "TopicAuthorizationException",
            ),
            // the raw ACL's host is another machine's: not from 127.0.0.1
            (
                "describe-configs:stats.events.v1",
                "TopicAuthorizationException",
            ),
        ],
    );
}
