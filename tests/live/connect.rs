//! customers: the rendered KafkaConnector on a real Connect worker (standalone mode), running
//! as the principal kbundle generated for it. The worker's own principal has no ACLs, so the
//! records the sink writes can only have been read as the connector's principal.

use super::procs::{Proc, free_port};
use super::scenarios::{Env, WORKER};
use super::support::{kind, s};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

/// customers: the rendered KafkaConnector on a real Connect worker.
pub fn connect(env: &Env) {
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

    let secrets = connector_secrets(env, &config);

    // The worker: standalone mode, as its own principal with no ACLs (the Connect cluster's
    // principal is the platform's, not a bundle's); the connector's client overrides switch
    // its consumer to the generated principal, which the worker's override policy allows.
    let rest = free_port();
    let worker = env.dir.join("connect-worker.properties");
    let client = std::fs::read_to_string(env.props_of(WORKER)).unwrap();
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
connector.client.config.override.policy=Principal
config.providers=secrets
config.providers.secrets.class=org.apache.kafka.common.config.provider.DirectoryConfigProvider
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
    // `${secrets:<namespace>/<user>:<key>}` resolves relative to the worker's directory.
    cmd.arg(&worker).current_dir(&secrets);
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

    // The worker's own principal can read none of it: the generated principal did.
    env.denied(
        WORKER,
        &[
            (
                "assign:customers.profile.v1:1",
                "TopicAuthorizationException",
            ),
            ("assign:customers.notes.v1:1", "TopicAuthorizationException"),
        ],
    );
}

/// The Connect worker's user (no ACLs) and the connector user's Secret as files. Strimzi's
/// `KubernetesSecretConfigProvider` reads `${secrets:<namespace>/<user>:sasl.jaas.config}`
/// from the Kubernetes API, which this test has none of. The stand-in is Kafka's own
/// `DirectoryConfigProvider` under the same provider name: path `<namespace>/<user>` is a
/// directory (relative to the worker's working directory), and each key a file in it holding
/// what Strimzi writes under that key of the KafkaUser's Secret (a ready JAAS line). So the
/// rendered references are resolved as written, by Connect's config-provider machinery.
fn connector_secrets(env: &Env, config: &serde_json::Map<String, Value>) -> std::path::PathBuf {
    let passwords = env.dir.join("passwords-worker.properties");
    std::fs::write(&passwords, env.add_scram(WORKER)).unwrap();
    let user = env.dir.join("worker-user.yaml");
    std::fs::write(
        &user,
        format!(
            "apiVersion: kafka.strimzi.io/v1beta2\nkind: KafkaUser\nmetadata: {{name: {WORKER}}}\n\
             spec: {{authentication: {{type: scram-sha-512}}}}\n"
        ),
    )
    .unwrap();
    let text = env.apply(&user, &passwords);
    assert!(
        text.contains("APPLIED topics=0 acls=0 quotas=0 scram=1"),
        "{text}"
    );

    let root = env.dir.join("connect-secrets");
    let mut refs = 0;
    for (key, v) in config
        .iter()
        .filter(|(k, _)| k.ends_with(".override.sasl.jaas.config"))
    {
        let v = v.as_str().unwrap();
        // ${secrets:kafka/connect-customers-archive:sasl.jaas.config}
        let inner = v
            .strip_prefix("${secrets:")
            .and_then(|r| r.strip_suffix('}'));
        let (path, secret_key) = inner
            .and_then(|r| r.rsplit_once(':'))
            .unwrap_or_else(|| panic!("{key}: not a config-provider reference: {v}"));
        let user = path.rsplit('/').next().unwrap();
        let props = std::fs::read_to_string(env.props_of(user)).unwrap();
        let jaas = props
            .lines()
            .find_map(|l| l.strip_prefix("sasl.jaas.config="))
            .unwrap();
        assert!(jaas.contains(&format!("username=\"{user}\"")), "{jaas}");
        std::fs::create_dir_all(root.join(path)).unwrap();
        std::fs::write(root.join(path).join(secret_key), jaas).unwrap();
        refs += 1;
    }
    assert!(
        refs >= 1,
        "the connector has no client override: {config:?}"
    );
    root
}
