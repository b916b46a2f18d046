//! Alerts proven by the real tools (issue 16), driving the built binary:
//!
//! - `promtool check rules` accepts every generated PrometheusRule's groups.
//! - `promtool test rules` runs tests generated here from the *bundle input* (threshold, `for`,
//!   group, topic, severity, owner), against the rules kbundle rendered, with synthetic series
//!   shaped like Strimzi's Kafka Exporter's (kafka_exporter's metric and label names plus the
//!   scrape labels `namespace`, `pod`, `instance`, `job`): each alert fires once its condition has
//!   held for `for`, not one evaluation earlier, not on the other side of its threshold, not for
//!   another group or topic, and with the labels routing depends on. Mutating a rendered
//!   threshold, `for` or label makes those tests fail (negative control).
//! - Routing: every AlertmanagerConfig goes through prometheus-operator's own conversion
//!   (`tests/live/amconvert`, the operator's Go package at the vendored CRDs' version) merged
//!   into a platform base configuration with the operator's namespace matcher; `amtool
//!   check-config` accepts the result and `amtool config routes test` sends each alert to exactly
//!   the receivers its bundle named.
//!
//! The tools come from `scripts/live/alert-tools.sh` (pinned versions there); without them the
//! tests skip, with `KBUNDLE_REQUIRE_LIVE=1` they fail.

mod support;
#[path = "live/tools.rs"]
mod tools;

use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

const FIXTURE: &str = "testdata/live/alerts";
/// Scrape and rule evaluation interval of the synthetic series (kube-prometheus' 30s).
const STEP: u64 = 30;

// ---------------------------------------------------------------------------------------------
// input and output

/// One alert as the bundle declares it, with what the generated rule must do.
#[derive(Debug, Clone)]
struct Expect {
    bundle: String,
    owner: String,
    severity: String,
    notify: Vec<String>,
    alertname: String,
    kind: Kind,
    for_s: u64,
}

#[derive(Debug, Clone)]
enum Kind {
    Lag {
        group: String,
        topic: Option<String>,
        above: u64,
    },
    Throughput {
        topic: String,
        threshold: f64,
        low: bool,
        per_s: u64,
    },
}

/// `10m` -> 600 (the bundle schema allows one unit).
fn seconds(d: &str) -> u64 {
    let split = d.find(|c: char| !c.is_ascii_digit()).expect("a unit");
    let n: u64 = d[..split].parse().expect("a number");
    n * match &d[split..] {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86400,
        "w" => 7 * 86400,
        other => panic!("unit {other} in {d}"),
    }
}

fn name_part(s: &str) -> String {
    s.replace('-', "_")
}

/// Every alert of every AppBundle in the fixture, read from the input files.
fn expectations(input: &[Value]) -> Vec<Expect> {
    let mut out = Vec::new();
    for b in input.iter().filter(|d| support::kind(d) == "AppBundle") {
        let bundle = support::s(b, "/metadata/name").expect("name").to_string();
        let owner = support::s(b, "/spec/owner").expect("owner").to_string();
        for a in b["spec"]["alerts"].as_array().into_iter().flatten() {
            let name = a["name"].as_str().expect("alert name");
            let notify: Vec<String> = a["notify"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|n| n.as_str().expect("receiver").to_string())
                .collect();
            let base = |prefix: &str, kind: Kind, for_: &str| Expect {
                bundle: bundle.clone(),
                owner: owner.clone(),
                severity: a["severity"].as_str().expect("severity").to_string(),
                notify: notify.clone(),
                alertname: format!("{prefix}_{}_{}", name_part(&bundle), name_part(name)),
                kind,
                for_s: seconds(for_),
            };
            if let Some(l) = a.get("consumerLag") {
                let kind = Kind::Lag {
                    group: l["group"].as_str().expect("group").into(),
                    topic: l["topic"].as_str().map(str::to_string),
                    above: l["above"].as_u64().expect("above"),
                };
                out.push(base(
                    "KafkaConsumerLag",
                    kind,
                    l["for"].as_str().expect("for"),
                ));
            }
            if let Some(t) = a.get("throughput") {
                let for_ = t["for"].as_str().expect("for");
                let per_s = seconds(t["per"].as_str().expect("per"));
                let topic = t["topic"].as_str().expect("topic").to_string();
                for (prefix, key, low) in [
                    ("KafkaThroughputLow", "below", true),
                    ("KafkaThroughputHigh", "above", false),
                ] {
                    if let Some(threshold) = t.get(key).and_then(Value::as_f64) {
                        let kind = Kind::Throughput {
                            topic: topic.clone(),
                            threshold,
                            low,
                            per_s,
                        };
                        out.push(base(prefix, kind, for_));
                    }
                }
            }
        }
    }
    out
}

fn read_inputs(dir: &Path) -> Vec<Value> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("fixture dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
        .iter()
        .flat_map(|f| support::docs(&std::fs::read_to_string(f).expect("read")))
        .collect()
}

fn render(paths: &[&str]) -> Vec<Value> {
    let mut cmd = Command::new(support::kbundle());
    cmd.current_dir(support::root()).arg("render").args(paths);
    let out = support::run(cmd);
    support::assert_ok(&out, "kbundle render");
    support::docs(&support::stdout(&out))
}

fn namespace(input: &[Value]) -> String {
    input
        .iter()
        .find(|d| support::kind(d) == "Environment")
        .and_then(|e| support::s(e, "/spec/namespace"))
        .expect("the fixture's Environment names a namespace")
        .to_string()
}

/// `{groups: ...}` of each rendered PrometheusRule, by bundle.
fn rule_files(rendered: &[Value]) -> BTreeMap<String, Value> {
    rendered
        .iter()
        .filter(|d| support::kind(d) == "PrometheusRule")
        .map(|r| {
            let bundle = support::label(r, "app.kubernetes.io/part-of").expect("part-of");
            (bundle.to_string(), json!({"groups": r["spec"]["groups"]}))
        })
        .collect()
}

fn rules_of(file: &Value) -> impl Iterator<Item = &Value> {
    file["groups"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|g| g["rules"].as_array().into_iter().flatten())
}

fn write_json(path: &Path, v: &Value) {
    std::fs::write(path, serde_json::to_string_pretty(v).expect("json")).expect("write");
}

// ---------------------------------------------------------------------------------------------
// promtool rule tests, generated from the expectations

/// kafka_exporter's scrape labels as a kube-prometheus ServiceMonitor on Strimzi's exporter adds
/// them.
fn scrape_labels(ns: &str) -> Vec<(&'static str, String)> {
    vec![
        ("instance", "10.0.3.7:9404".into()),
        ("job", "kafka-prod-kafka-exporter".into()),
        ("namespace", ns.into()),
        ("pod", "kafka-prod-kafka-exporter-6d8f9c7b5-x2x7q".into()),
    ]
}

fn series(metric: &str, labels: &[(&str, String)]) -> String {
    let inner: Vec<String> = labels
        .iter()
        .map(|(k, v)| format!("{k}={}", serde_json::to_string(v).expect("string")))
        .collect();
    format!("{metric}{{{}}}", inner.join(", "))
}

/// `start+incxN` (N+1 samples), in plain decimals.
fn values(start: f64, inc: f64, n: u64) -> String {
    if inc == 0.0 {
        format!("{start}x{n}")
    } else {
        format!("{start}+{inc}x{n}")
    }
}

fn dur(s: u64) -> String {
    format!("{s}s")
}

/// One scenario: series, and at each eval time whether the alert must be firing.
struct Scenario {
    name: String,
    series: Vec<(String, String)>,
    checks: Vec<(u64, bool)>,
    /// The labels of the firing alert (without `alertname`).
    labels: BTreeMap<String, String>,
}

/// Per alert: fires after `for` and not one step before (with noise that must not alert), and
/// does not fire on the other side of the threshold.
fn scenarios(e: &Expect, ns: &str) -> Vec<Scenario> {
    let mut labels = BTreeMap::from([
        ("bundle".to_string(), e.bundle.clone()),
        ("owner".to_string(), e.owner.clone()),
        ("severity".to_string(), e.severity.clone()),
        ("namespace".to_string(), ns.to_string()),
    ]);
    let f = e.for_s;
    match &e.kind {
        Kind::Lag {
            group,
            topic,
            above,
        } => {
            labels.insert("consumergroup".into(), group.clone());
            if let Some(t) = topic {
                labels.insert("topic".into(), t.clone());
            }
            let n = (f + 600) / STEP;
            // The lag on each topic the group reads: with a topic, that one topic (and another
            // topic of the group that must be ignored); without, spread over two topics so only
            // the sum crosses the threshold.
            let lag_series = |total: u64, noise: bool| -> Vec<(String, String)> {
                let mut out = Vec::new();
                let mut push = |g: &str, t: &str, v: u64| {
                    let mut l = vec![("consumergroup", g.to_string()), ("topic", t.to_string())];
                    l.extend(scrape_labels(ns));
                    out.push((
                        series("kafka_consumergroup_lag_sum", &l),
                        values(v as f64, 0.0, n),
                    ));
                };
                match topic {
                    Some(t) => {
                        push(group, t, total);
                        if noise {
                            push(group, "some.other.topic.v1", above * 10 + 1);
                        }
                    }
                    None => {
                        push(group, "first.topic.v1", total / 2);
                        push(group, "second.topic.v1", total - total / 2);
                    }
                }
                if noise {
                    push(
                        "another-group",
                        topic.as_deref().unwrap_or("first.topic.v1"),
                        above * 10 + 1,
                    );
                }
                out
            };
            // Pending from the first evaluation (t=0), firing once it held for `for`.
            vec![
                Scenario {
                    name: format!(
                        "{}: lag {} > {above} fires after {f}s",
                        e.alertname,
                        above + 1
                    ),
                    series: lag_series(above + 1, true),
                    checks: vec![(f - STEP, false), (f, true), (f + 300, true)],
                    labels: labels.clone(),
                },
                Scenario {
                    name: format!("{}: lag {above} (not above) never fires", e.alertname),
                    series: lag_series(*above, false),
                    checks: vec![(f, false), (f + 300, false)],
                    labels,
                },
            ]
        }
        Kind::Throughput {
            topic,
            threshold,
            low,
            per_s,
        } => {
            labels.insert("topic".into(), topic.clone());
            let p = *per_s;
            assert!(
                p >= 2 * STEP,
                "{}: per {p}s holds fewer than two samples",
                e.alertname
            );
            let n = (p + f + 600) / STEP;
            // Messages per `per` just past and just short of the threshold: a relative margin far
            // above float error, far below any threshold change worth catching.
            let (fire, calm) = if *low {
                (threshold * (1.0 - 1e-6), threshold * (1.0 + 1e-6))
            } else {
                (threshold * (1.0 + 1e-6), threshold * (1.0 - 1e-6))
            };
            // Two partitions share the messages; a sample every STEP seconds, so a full window
            // of `per` extrapolates to `per` exactly.
            let offset_series = |per_window: f64, t: &str| -> Vec<(String, String)> {
                let inc = per_window * STEP as f64 / p as f64 / 2.0;
                (0..2)
                    .map(|part| {
                        let mut l = vec![("partition", part.to_string()), ("topic", t.to_string())];
                        l.extend(scrape_labels(ns));
                        (
                            series("kafka_topic_partition_current_offset", &l),
                            values(1_000_000.0 + part as f64 * 1000.0, inc, n),
                        )
                    })
                    .collect()
            };
            // Another topic on the wrong side: silent for a low alert, busy for a high one.
            let noise = offset_series(
                if *low { 0.0 } else { threshold * 10.0 + 10.0 },
                "some.other.topic.v1",
            );
            // When the condition starts to hold: a low alert at the first evaluation with two
            // samples (a partial window counts fewer messages), a high one at the first full
            // window (`per` minus one step: the range is left-open).
            let active = if *low { STEP } else { p - STEP };
            if *low && *threshold <= 0.0 {
                // `< 0` never fires; only the calm side can be checked.
                return vec![];
            }
            let mut s = vec![Scenario {
                name: format!("{}: {fire} messages per {p}s fires after {f}s", e.alertname),
                series: [offset_series(fire, topic), noise.clone()].concat(),
                checks: vec![
                    (active + f - STEP, false),
                    (active + f, true),
                    (active + f + 300, true),
                ],
                labels: labels.clone(),
            }];
            s.push(Scenario {
                name: format!("{}: {calm} messages per {p}s never fires", e.alertname),
                series: [offset_series(calm, topic), noise].concat(),
                checks: vec![(p + f + STEP, false), (p + f + 300, false)],
                labels,
            });
            s
        }
    }
}

/// `{{ $labels.x }}` expanded; `{{ $value }}` was replaced by VALUE in the rules under test.
fn expand(template: &str, labels: &BTreeMap<String, String>) -> String {
    let mut out = template.replace("{{ $value }}", "VALUE");
    for (k, v) in labels {
        out = out.replace(&format!("{{{{ $labels.{k} }}}}"), v);
    }
    assert!(!out.contains("{{"), "unexpanded template left in {out:?}");
    out
}

/// The promtool test file for one bundle's rules.
fn promtool_tests(expects: &[&Expect], rules: &Value, ns: &str) -> Value {
    let mut tests = Vec::new();
    for e in expects {
        let rule = rules_of(rules)
            .find(|r| r["alert"] == e.alertname.as_str())
            .unwrap_or_else(|| panic!("no rule {} in {rules:#}", e.alertname));
        for s in scenarios(e, ns) {
            let annotations: Map<String, Value> = rule["annotations"]
                .as_object()
                .expect("annotations")
                .iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        json!(expand(v.as_str().expect("text"), &s.labels)),
                    )
                })
                .collect();
            let alert_rule_test: Vec<Value> = s
                .checks
                .iter()
                .map(|(t, firing)| {
                    let exp = if *firing {
                        json!([{"exp_labels": s.labels, "exp_annotations": annotations}])
                    } else {
                        json!([])
                    };
                    json!({"eval_time": dur(*t), "alertname": e.alertname, "exp_alerts": exp})
                })
                .collect();
            tests.push(json!({
                "name": s.name,
                "interval": dur(STEP),
                "input_series": s.series.iter().map(|(series, values)| json!({"series": series, "values": values})).collect::<Vec<_>>(),
                "alert_rule_test": alert_rule_test,
            }));
        }
    }
    json!({"rule_files": ["rules.json"], "evaluation_interval": dur(STEP), "tests": tests})
}

/// The rules as promtool tests them: `{{ $value }}` fixed to VALUE in annotations (its text
/// depends on float formatting of an extrapolated increase), nothing else touched.
fn for_testing(rules: &Value) -> Value {
    let text = serde_json::to_string(rules).expect("json");
    serde_json::from_str(&text.replace("{{ $value }}", "VALUE")).expect("json")
}

struct RuleRun {
    ok: bool,
    output: String,
}

fn promtool_test(promtool: &Path, dir: &Path, rules: &Value, tests: &Value) -> RuleRun {
    write_json(&dir.join("rules.json"), &for_testing(rules));
    write_json(&dir.join("tests.json"), tests);
    let mut cmd = Command::new(promtool);
    cmd.current_dir(dir).args(["test", "rules", "tests.json"]);
    let out = support::run(cmd);
    RuleRun {
        ok: out.status.success(),
        output: format!("{}{}", support::stdout(&out), support::stderr(&out)),
    }
}

struct Fixture {
    expects: Vec<Expect>,
    rules: BTreeMap<String, Value>,
    ns: String,
    rendered: Vec<Value>,
}

fn fixture() -> Fixture {
    let input = read_inputs(&support::root().join(FIXTURE));
    let rendered = render(&[FIXTURE]);
    Fixture {
        expects: expectations(&input),
        rules: rule_files(&rendered),
        ns: namespace(&input),
        rendered,
    }
}

// ---------------------------------------------------------------------------------------------
// tests: rules

#[test]
fn promtool_check_rules_accepts_every_generated_rule_group() {
    let Some([promtool]) = tools::tools(["promtool"]) else {
        return;
    };
    let mut files = fixture().rules;
    // And the example the README walks through.
    let example = render(&[
        "examples/gitops/base",
        "examples/gitops/overlays/prod/environment.yaml",
    ]);
    for (bundle, rules) in rule_files(&example) {
        files.insert(format!("example-{bundle}"), rules);
    }
    assert!(files.len() >= 4, "{files:?}");
    let t = tempfile::tempdir().expect("tempdir");
    for (bundle, rules) in &files {
        let path = t.path().join(format!("{bundle}.json"));
        write_json(&path, rules);
        let mut cmd = Command::new(&promtool);
        cmd.args(["check", "rules"]).arg(&path);
        let out = support::run(cmd);
        support::assert_ok(&out, &format!("promtool check rules ({bundle})"));
        let n = rules_of(rules).count();
        assert!(
            support::stdout(&out).contains(&format!("SUCCESS: {n} rules found")),
            "{}",
            support::stdout(&out)
        );
    }
    // Negative control: promtool does reject a broken rule.
    let mut broken = files.values().next().expect("a file").clone();
    broken["groups"][0]["rules"][0]["expr"] =
        json!("sum by (namespace (kafka_consumergroup_lag_sum)");
    let path = t.path().join("broken.json");
    write_json(&path, &broken);
    let mut cmd = Command::new(&promtool);
    cmd.args(["check", "rules"]).arg(&path);
    support::assert_failed(&support::run(cmd), "promtool check rules on a broken expr");
}

#[test]
fn every_alert_fires_after_for_past_its_threshold_and_only_then() {
    let Some([promtool]) = tools::tools(["promtool"]) else {
        return;
    };
    let fx = fixture();
    // Every kind kbundle generates is covered by the fixture.
    for prefix in [
        "KafkaConsumerLag",
        "KafkaThroughputLow",
        "KafkaThroughputHigh",
    ] {
        assert!(
            fx.expects.iter().any(|e| e.alertname.starts_with(prefix)),
            "{prefix}"
        );
    }
    assert!(
        fx.expects
            .iter()
            .any(|e| matches!(&e.kind, Kind::Lag { topic: None, .. }))
    );
    let generated: usize = fx.rules.values().map(|r| rules_of(r).count()).sum();
    assert_eq!(generated, fx.expects.len(), "one rule per expected alert");
    let t = tempfile::tempdir().expect("tempdir");
    for (bundle, rules) in &fx.rules {
        let mine: Vec<&Expect> = fx.expects.iter().filter(|e| &e.bundle == bundle).collect();
        let tests = promtool_tests(&mine, rules, &fx.ns);
        let run = promtool_test(&promtool, t.path(), rules, &tests);
        assert!(run.ok, "promtool test rules for {bundle}:\n{}", run.output);
        assert!(run.output.contains("SUCCESS"), "{}", run.output);
    }
}

/// Rewrites one rule of `rules` with `f`.
fn mutate(rules: &Value, alertname: &str, f: impl Fn(&mut Value)) -> Value {
    let mut out = rules.clone();
    for g in out["groups"].as_array_mut().expect("groups") {
        for r in g["rules"].as_array_mut().expect("rules") {
            if r["alert"] == alertname {
                f(r);
            }
        }
    }
    out
}

/// `expr` with its trailing comparison's number changed by `f`.
fn with_threshold(expr: &str, f: impl Fn(f64) -> f64) -> String {
    let at = expr.rfind(' ').expect("a threshold at the end");
    let n: f64 = expr[at + 1..].parse().expect("a number");
    format!("{} {}", &expr[..at], f(n))
}

#[test]
fn the_rule_tests_fail_when_a_threshold_duration_or_label_changes() {
    let Some([promtool]) = tools::tools(["promtool"]) else {
        return;
    };
    let fx = fixture();
    let t = tempfile::tempdir().expect("tempdir");
    type Mutation = (&'static str, Box<dyn Fn(&mut Value, &Expect)>);
    let mutations: Vec<Mutation> = vec![
        (
            "threshold up",
            Box::new(|r, e| {
                let expr = r["expr"].as_str().expect("expr");
                r["expr"] = json!(with_threshold(expr, |n| match e.kind {
                    Kind::Lag { .. } => n + 1.0,
                    Kind::Throughput { .. } => n * 1.0001,
                }));
            }),
        ),
        (
            "threshold down",
            Box::new(|r, e| {
                let expr = r["expr"].as_str().expect("expr");
                r["expr"] = json!(with_threshold(expr, |n| match e.kind {
                    Kind::Lag { .. } => n - 1.0,
                    Kind::Throughput { .. } => n * 0.9999,
                }));
            }),
        ),
        (
            "for longer",
            Box::new(|r, e| r["for"] = json!(dur(e.for_s + STEP))),
        ),
        (
            "for shorter",
            Box::new(|r, e| r["for"] = json!(dur(e.for_s - STEP))),
        ),
        (
            "owner label",
            Box::new(|r, _| r["labels"]["owner"] = json!("team-someone-else")),
        ),
        (
            "severity label",
            Box::new(|r, _| r["labels"]["severity"] = json!("none")),
        ),
        (
            "bundle label dropped",
            Box::new(|r, _| {
                r["labels"]
                    .as_object_mut()
                    .expect("labels")
                    .remove("bundle");
            }),
        ),
    ];
    for (bundle, rules) in &fx.rules {
        let mine: Vec<&Expect> = fx.expects.iter().filter(|e| &e.bundle == bundle).collect();
        let tests = promtool_tests(&mine, rules, &fx.ns);
        for e in &mine {
            for (what, m) in &mutations {
                let changed = mutate(rules, &e.alertname, |r| m(r, e));
                let run = promtool_test(&promtool, t.path(), &changed, &tests);
                assert!(
                    !run.ok,
                    "{what} of {} went unnoticed:\n{}",
                    e.alertname, run.output
                );
                assert!(run.output.contains(&e.alertname), "{what}: {}", run.output);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// tests: routing

/// Every `{name, key}` Secret reference in the AlertmanagerConfigs.
fn secret_refs(v: &Value, out: &mut BTreeSet<(String, String)>) {
    match v {
        Value::Object(m) => {
            if let (Some(Value::String(n)), Some(Value::String(k)), 2) =
                (m.get("name"), m.get("key"), m.len())
            {
                out.insert((n.clone(), k.clone()));
            }
            m.values().for_each(|x| secret_refs(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| secret_refs(x, out)),
        _ => {}
    }
}

/// Dummy material for a referenced Secret key, unique per reference so the generated
/// configuration shows which Secret each receiver got: a URL for URL fields, else a token.
fn dummy(name: &str, key: &str) -> String {
    if key.contains("url") {
        format!("https://hooks.example.invalid/{name}/{key}")
    } else {
        format!("dummy-{name}-{key}")
    }
}

/// The platform's own Alertmanager configuration that the operator merges into.
const BASE: &str = "route:
  receiver: platform-default
  group_by: [alertname, namespace]
receivers:
  - name: platform-default
";

fn amtool_routes(
    amtool: &Path,
    config: &Path,
    labels: &BTreeMap<String, String>,
) -> BTreeSet<String> {
    let mut cmd = Command::new(amtool);
    cmd.args(["config", "routes", "test"])
        .arg(format!("--config.file={}", config.display()));
    for (k, v) in labels {
        cmd.arg(format!("{k}={v}"));
    }
    let out = support::run(cmd);
    support::assert_ok(&out, "amtool config routes test");
    support::stdout(&out)
        .trim()
        .split(',')
        .map(str::to_string)
        .collect()
}

#[test]
fn the_operator_routes_each_bundles_alerts_to_exactly_its_receivers() {
    let Some([amtool, amconvert]) = tools::tools(["amtool", "amconvert"]) else {
        return;
    };
    let fx = fixture();
    let amcs: Vec<&Value> = fx
        .rendered
        .iter()
        .filter(|d| support::kind(d) == "AlertmanagerConfig")
        .collect();
    assert_eq!(amcs.len(), 2);
    let mut refs = BTreeSet::new();
    for a in &amcs {
        secret_refs(&a["spec"]["receivers"], &mut refs);
    }
    // kbundle writes references only: no dummy value (nor any URL) is in its output.
    let rendered_text = serde_json::to_string(&amcs).expect("json");
    assert!(!rendered_text.contains("hooks.example.invalid") && !rendered_text.contains("dummy-"));
    assert!(refs.len() >= 5, "{refs:?}");

    // The harness supplies the Secrets a cluster would hold.
    let mut by_secret: BTreeMap<&str, Map<String, Value>> = BTreeMap::new();
    for (n, k) in &refs {
        by_secret
            .entry(n)
            .or_default()
            .insert(k.clone(), json!(dummy(n, k)));
    }
    let mut stream = String::new();
    for a in &amcs {
        stream.push_str(&serde_json::to_string(a).expect("json"));
        stream.push_str("\n---\n");
    }
    for (n, data) in &by_secret {
        let s = json!({"apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": n, "namespace": fx.ns}, "stringData": data});
        stream.push_str(&serde_json::to_string(&s).expect("json"));
        stream.push_str("\n---\n");
    }
    let t = tempfile::tempdir().expect("tempdir");
    std::fs::write(t.path().join("base.yaml"), BASE).expect("write");
    let convert = |input: &str| {
        std::fs::write(t.path().join("input.yaml"), input).expect("write");
        let mut cmd = Command::new(&amconvert);
        cmd.arg("-base")
            .arg(t.path().join("base.yaml"))
            .stdin(std::fs::File::open(t.path().join("input.yaml")).expect("open"));
        cmd.output().expect("amconvert runs")
    };
    let out = convert(&stream);
    support::assert_ok(&out, "amconvert");
    let generated = support::stdout(&out);
    let config = t.path().join("alertmanager.yaml");
    std::fs::write(&config, &generated).expect("write");

    // Each reference resolved to its own Secret's key.
    for (n, k) in &refs {
        assert!(
            generated.contains(&dummy(n, k)),
            "{n}/{k} not resolved:\n{generated}"
        );
    }

    let mut cmd = Command::new(&amtool);
    cmd.args(["check-config"]).arg(&config);
    let out = support::run(cmd);
    support::assert_ok(&out, "amtool check-config");
    assert!(
        support::stdout(&out).contains("SUCCESS"),
        "{}",
        support::stdout(&out)
    );

    let receiver = |bundle: &str, r: &str| format!("{}/{bundle}-kbundle-routing/{r}", fx.ns);
    let mut checked = 0;
    for e in &fx.expects {
        let mut labels = BTreeMap::from([
            ("alertname".to_string(), e.alertname.clone()),
            ("bundle".to_string(), e.bundle.clone()),
            ("owner".to_string(), e.owner.clone()),
            ("severity".to_string(), e.severity.clone()),
            ("namespace".to_string(), fx.ns.clone()),
        ]);
        match &e.kind {
            Kind::Lag { group, topic, .. } => {
                labels.insert("consumergroup".into(), group.clone());
                if let Some(t) = topic {
                    labels.insert("topic".into(), t.clone());
                }
            }
            Kind::Throughput { topic, .. } => {
                labels.insert("topic".into(), topic.clone());
            }
        }
        let want: BTreeSet<String> = e.notify.iter().map(|r| receiver(&e.bundle, r)).collect();
        let got = amtool_routes(&amtool, &config, &labels);
        assert_eq!(got, want, "{} with {labels:?}", e.alertname);
        // Never another bundle's receiver (team-chat exists under both bundles).
        assert!(
            got.iter()
                .all(|r| r.contains(&format!("/{}-kbundle-routing/", e.bundle))),
            "{got:?}"
        );
        // The operator's namespace matcher: the same alert from another namespace's exporter is
        // not this AlertmanagerConfig's.
        labels.insert("namespace".into(), "elsewhere".into());
        let got = amtool_routes(&amtool, &config, &labels);
        assert_eq!(
            got,
            BTreeSet::from(["platform-default".to_string()]),
            "{labels:?}"
        );
        checked += 1;
    }
    assert_eq!(checked, fx.expects.len());
    // An alert claiming another bundle's name, or kbundle's alert name under another bundle
    // label, reaches neither bundle's pager.
    let orders = fx
        .expects
        .iter()
        .find(|e| e.bundle == "orders")
        .expect("orders");
    let labels = BTreeMap::from([
        ("alertname".to_string(), orders.alertname.clone()),
        ("bundle".to_string(), "payments".to_string()),
        ("namespace".to_string(), fx.ns.clone()),
    ]);
    assert_eq!(
        amtool_routes(&amtool, &config, &labels),
        BTreeSet::from(["platform-default".to_string()])
    );
    // Nor does another alert that merely carries a bundle's label (a platform rule, or one the
    // bundle no longer declares): the root route matches the bundle's alert names only.
    let labels = BTreeMap::from([
        ("alertname".to_string(), "KafkaBrokerDown".to_string()),
        ("bundle".to_string(), "orders".to_string()),
        ("namespace".to_string(), fx.ns.clone()),
    ]);
    assert_eq!(
        amtool_routes(&amtool, &config, &labels),
        BTreeSet::from(["platform-default".to_string()])
    );

    // A Secret the cluster lacks fails the conversion, as the operator rejects the config.
    let (missing, _) = refs.iter().next().expect("a ref");
    let without: String = stream
        .split("\n---\n")
        .filter(|d| !d.contains(&format!("\"name\":\"{missing}\",\"namespace\"")))
        .collect::<Vec<_>>()
        .join("\n---\n");
    assert!(without.len() < stream.len());
    let out = convert(&without);
    support::assert_failed(&out, "amconvert without a referenced Secret");
    assert!(
        support::stderr(&out).contains(missing.as_str()),
        "{}",
        support::stderr(&out)
    );
}
