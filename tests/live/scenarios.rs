//! The parts of the live test, run in order against one broker.

use super::broker::{Broker, Jvm};
use super::procs::{Proc, free_port};
use super::support::{self, kind, s};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub struct Env<'a> {
    pub jvm: &'a Jvm,
    pub broker: &'a Broker,
    pub dir: PathBuf,
    pub rendered: PathBuf,
    pub objects: Vec<Value>,
    /// Client settings file per principal (as the principal's own credentials).
    pub props: BTreeMap<String, PathBuf>,
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
    ("customers: Kafka Connect masking", connect),
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
            admin,
        }
    }

    fn props_of(&self, principal: &str) -> &Path {
        if principal == "admin" {
            return &self.admin;
        }
        self.props
            .get(principal)
            .unwrap_or_else(|| panic!("no rendered KafkaUser {principal}"))
    }

    /// Runs LiveClient steps as `principal`; returns (records, one result line per step).
    #[track_caller]
    fn client(&self, principal: &str, steps: &[&str]) -> (Vec<String>, Vec<String>) {
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
    fn ok(&self, principal: &str, step: &str) -> (Vec<String>, String) {
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
    fn denied(&self, principal: &str, steps: &[(&str, &str)]) {
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

/// customers: the rendered KafkaConnector on a real Connect worker.
fn connect(env: &Env) {
    let connector = env
        .objects
        .iter()
        .find(|o| kind(o) == "KafkaConnector")
        .expect("a rendered KafkaConnector");
    let name = s(connector, "/metadata/name").unwrap().to_string();
    let sink = env.dir.join("sink.txt");
    // What Strimzi's Cluster Operator sends Connect for a KafkaConnector: spec.config, then
    // tasks.max (spec.tasksMax) and connector.class (spec.class) over it
    // (cluster-operator/.../operator/assembly/AbstractConnectOperator.java,
    // asJson). Only `file`, the connector's own output path, is pointed at this
    // test's temp dir.
    let mut config = serde_json::Map::new();
    for (k, v) in connector["spec"]["config"].as_object().unwrap() {
        let v = match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        config.insert(k.clone(), Value::String(v));
    }
    assert!(config.contains_key("file"), "{config:?}");
    config.insert("file".into(), Value::String(sink.display().to_string()));
    config.insert(
        "connector.class".into(),
        Value::String(s(connector, "/spec/class").unwrap().into()),
    );
    config.insert(
        "tasks.max".into(),
        Value::String(connector["spec"]["tasksMax"].to_string()),
    );
    config.insert("name".into(), Value::String(name.clone()));
    assert!(
        config["transforms"]
            .as_str()
            .unwrap()
            .contains("kbundleMask")
    );

    // The worker: standalone mode, as the harness's super user (the Connect cluster's own
    // principal is the platform's, not a bundle's).
    let rest = free_port();
    let worker = env.dir.join("connect-worker.properties");
    let client = env.broker.admin_props();
    let consumer: String = client.lines().map(|l| format!("consumer.{l}\n")).collect();
    std::fs::write(
        &worker,
        format!(
            "{client}{consumer}key.converter=org.apache.kafka.connect.storage.StringConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
offset.storage.file.filename={}
offset.flush.interval.ms=1000
listeners=http://127.0.0.1:{rest}
plugin.discovery=only_scan
",
            env.dir.join("connect.offsets").display()
        ),
    )
    .unwrap();
    let log4j = env.broker.dir.join("log4j2.properties");
    let mut cmd = env.jvm.command_with(
        &[format!("-Dlog4j2.configurationFile={}", log4j.display())],
        "org.apache.kafka.connect.cli.ConnectStandalone",
    );
    cmd.arg(&worker);
    let worker = Proc::spawn("Connect worker", cmd, &env.dir.join("connect.log"));
    worker.wait_port(rest, Duration::from_secs(120));
    let base = format!("http://127.0.0.1:{rest}");

    let write = |file: &str, v: &Value| {
        let p = env.dir.join(file);
        std::fs::write(&p, v.to_string()).unwrap();
        p
    };
    let http = |method: &str, path: &str, body: Option<&Path>| -> (u16, Value) {
        let step = match body {
            Some(b) => format!("http:{method}:{base}{path}:{}", b.display()),
            None => format!("http:{method}:{base}{path}"),
        };
        let (_, d) = env.ok("admin", &step);
        let (status, body) = d
            .strip_prefix("status=")
            .and_then(|r| r.split_once(" body="))
            .unwrap_or_else(|| panic!("{d}"));
        (
            status.parse().unwrap(),
            serde_json::from_str(body).unwrap_or(Value::String(body.into())),
        )
    };
    let class = s(connector, "/spec/class").unwrap();
    let plugin = class.rsplit('.').next().unwrap();
    // The REST server answers before the herder is ready: retry a little.
    let validate = |cfg: &serde_json::Map<String, Value>| -> Value {
        let file = write("validate.json", &Value::Object(cfg.clone()));
        for _ in 0..20 {
            let (st, v) = http(
                "PUT",
                &format!("/connector-plugins/{plugin}/config/validate"),
                Some(&file),
            );
            if st == 200 {
                return v;
            }
            worker.assert_alive();
            std::thread::sleep(Duration::from_secs(1));
        }
        panic!("Connect validate never answered 200:\n{}", worker.tail());
    };
    let errors = |v: &Value| -> Vec<String> {
        v["configs"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|c| c["value"]["errors"].as_array().unwrap().clone())
            .map(|e| e.as_str().unwrap().to_string())
            .collect()
    };

    // Connect accepts the rendered config as it is.
    let v = validate(&config);
    assert_eq!(
        v["error_count"],
        0,
        "Connect refused the rendered config: {:?}",
        errors(&v)
    );

    // A broken masking transform (its `fields` gone) is refused by Connect itself.
    let mask = config["transforms"]
        .as_str()
        .unwrap()
        .split(',')
        .next()
        .unwrap()
        .to_string();
    let mut bad = config.clone();
    bad.remove(&format!("transforms.{mask}.fields"));
    let v = validate(&bad);
    let errs = errors(&v);
    assert!(v["error_count"].as_u64().unwrap() >= 1, "{v}");
    assert!(
        errs.iter().any(|e| e.contains(&format!(
            "Missing required configuration \"transforms.{mask}.fields\" which has no default value"
        ))),
        "Connect's message: {errs:?}"
    );
    let mut bad_named = bad.clone();
    bad_named.insert("name".into(), Value::String(format!("{name}-broken")));
    let file = write(
        "bad.json",
        &serde_json::json!({"name": format!("{name}-broken"), "config": bad_named}),
    );
    let (st, body) = http("POST", "/connectors", Some(&file));
    assert_eq!(st, 400, "{body}");
    assert!(body.to_string().contains("fields"), "{body}");
    eprintln!(
        "live:   Connect refused the broken masking config: {}",
        errs.join("; ")
    );

    // The real connector.
    let file = write(
        "create.json",
        &serde_json::json!({"name": name, "config": config}),
    );
    let (st, body) = http("POST", "/connectors", Some(&file));
    assert_eq!(st, 201, "{body}");

    let profiles = env.dir.join("profiles.jsonl");
    std::fs::write(
        &profiles,
        "{\"id\":\"c1\",\"name\":\"Ann\",\"email\":\"ann@example.com\",\"phone\":\"+44 20 7946 0001\"}\n\
         {\"id\":\"c2\",\"name\":\"Bob\",\"email\":\"bob@example.com\",\"phone\":\"+44 20 7946 0002\"}\n",
    )
    .unwrap();
    let notes = env.dir.join("notes.jsonl");
    std::fs::write(
        &notes,
        "{\"id\":\"c1\",\"note\":\"wrote from ann@example.com, +44 20 7946 0001\"}\n",
    )
    .unwrap();
    env.ok(
        "customers-writer",
        &format!("produce-lines:customers.profile.v1:{}", profiles.display()),
    );
    env.ok(
        "customers-writer",
        &format!("produce-lines:customers.notes.v1:{}", notes.display()),
    );

    let start = Instant::now();
    let lines = loop {
        let text = std::fs::read_to_string(&sink).unwrap_or_default();
        let lines: Vec<String> = text.lines().map(str::to_string).collect();
        if lines.len() >= 3 {
            break lines;
        }
        worker.assert_alive();
        assert!(
            start.elapsed() < Duration::from_secs(90),
            "the sink wrote {} of 3 records in 90 s:\n{}",
            lines.len(),
            worker.tail()
        );
        std::thread::sleep(Duration::from_millis(300));
    };
    // FileStreamSinkTask writes each value's toString(): a schemaless JSON value is a Map,
    // so a line reads {id=c1, email=****, ...}. Fields are parsed back from that.
    let fields = |line: &str| -> BTreeMap<String, String> {
        line.trim_matches(|c| c == '{' || c == '}')
            .split(", ")
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    let mut seen = 0;
    for line in &lines {
        let f = fields(line);
        if f.contains_key("note") {
            // The unmasked topic: exactly as produced.
            assert!(
                line.contains("note=wrote from ann@example.com, +44 20 7946 0001"),
                "{line}"
            );
            seen += 1;
        } else {
            // redact: the rule's replacement; nullify: MaskField's empty value for a string.
            assert_eq!(f["email"], "****", "{line}");
            assert_eq!(f["phone"], "", "{line}");
            assert!(matches!(f["name"].as_str(), "Ann" | "Bob"), "{line}");
            assert!(
                !line.contains("@example.com") && !line.contains("7946"),
                "{line}"
            );
            seen += 1;
        }
    }
    assert_eq!(seen, 3, "{lines:?}");
    eprintln!("live:   sink wrote: {}", lines.join(" | "));
}
