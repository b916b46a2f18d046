//! No value that could be a credential reaches a diagnostic (issue 10, item 1).
//!
//! A marker string is planted in every string field of the published JSON Schema of both kinds,
//! one field at a time and in three shapes (the string itself, a list holding it, a mapping
//! holding it), next to the quickstart example. Every run's diagnostics, rendered the way each mode
//! shows them (human, JSON, KRM results), must not contain the marker — except for the fields
//! echoed on purpose because they are identifiers (names, topics, groups) or closed sets of words,
//! listed in `ECHOED` below. A second pass plants the marker in every such field at once and runs
//! the binary in each mode.

use kbundle::model::{Kind, json_schema};
use kbundle::render::{Options, render};
use kbundle::source::read_stream;
use serde_json::{Map, Value, json};
use std::path::Path;
use std::process::{Command, Stdio};

const MARKER: &str = "S3CR3T-m4rk3r";

/// Last keys of fields whose value a diagnostic may show: identifiers a reviewer must see to
/// act on the message, none of which can hold a credential.
const ECHOED: &[&str] = &[
    "name",
    "owner",
    "namespace",
    "topics",
    "topic",
    "group",
    "applicationId",
    "reads",
    "writes",
    "produces",
    "transactionalIds",
    "subject",
    "cluster",
    "pattern",
    "connectCluster",
    "image",
    "prefix",
    "objectName",
    // file paths inside the input tree (a URL there is refused without being shown)
    "file",
    "previous",
    "migrations",
    // closed sets of words, checked after parsing
    "type",
    // durations
    "for",
    "per",
    "timeout",
    // a regular expression of names
    "topicName",
    // email addresses and a mail relay's host:port: addressing, not credentials
    "from",
    "to",
    "smarthost",
    // shown with any user info and query replaced
    "url",
];

/// A URL with credentials in it: shown nowhere, whatever the field.
fn url_with_credentials() -> String {
    format!("https://u:{MARKER}@h:8081/x?password={MARKER}")
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn resolve<'a>(schema: &'a Value, node: &'a Value) -> &'a Value {
    match node.get("$ref").and_then(Value::as_str) {
        Some(r) => schema.pointer(&r[1..]).unwrap_or(node),
        None => node,
    }
}

/// A document with every field of `node` filled in, and the pointer of every string leaf.
fn generate(
    schema: &Value,
    node: &Value,
    at: String,
    depth: usize,
    leaves: &mut Vec<(String, bool)>,
) -> Value {
    let node = resolve(schema, node);
    if depth > 14 {
        return Value::Null;
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(branches) = node.get(key).and_then(Value::as_array) {
            let non_null: Vec<&Value> = branches
                .iter()
                .map(|b| resolve(schema, b))
                .filter(|b| b.get("type").and_then(Value::as_str) != Some("null"))
                .collect();
            // A config value (string, number or boolean): a string leaf.
            if non_null.len() > 1
                && non_null
                    .iter()
                    .any(|b| b.get("type").and_then(Value::as_str) == Some("string"))
            {
                leaves.push((at, false));
                return json!("x");
            }
            if let Some(b) = non_null.first() {
                return generate(schema, b, at, depth + 1, leaves);
            }
        }
    }
    let ty = match node.get("type") {
        Some(Value::String(t)) => t.as_str(),
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .unwrap_or("null"),
        _ if node.get("properties").is_some() => "object",
        _ => "string",
    };
    match ty {
        "object" => {
            let mut m = Map::new();
            if let Some(props) = node.get("properties").and_then(Value::as_object) {
                for (k, v) in props {
                    let child = generate(schema, v, format!("{at}/{k}"), depth + 1, leaves);
                    m.insert(k.clone(), child);
                }
            } else if let Some(add) = node.get("additionalProperties").filter(|a| a.is_object()) {
                let child = generate(schema, add, format!("{at}/k"), depth + 1, leaves);
                m.insert("k".into(), child);
            }
            Value::Object(m)
        }
        "array" => match node.get("items") {
            Some(items) => Value::Array(vec![generate(
                schema,
                items,
                format!("{at}/0"),
                depth + 1,
                leaves,
            )]),
            None => json!([]),
        },
        "integer" | "number" => node.get("minimum").cloned().unwrap_or(json!(1)),
        "boolean" => json!(false),
        _ => {
            let closed = node.get("enum").is_some() || node.get("const").is_some();
            leaves.push((at, closed));
            node.get("enum")
                .and_then(|e| e.get(0))
                .or(node.get("const"))
                .cloned()
                .unwrap_or(json!("x"))
        }
    }
}

fn example(kind: Kind) -> Value {
    let file = match kind {
        Kind::AppBundle => "examples/quickstart/orders.yaml",
        Kind::Environment => "examples/quickstart/environment.yaml",
    };
    let text = std::fs::read_to_string(root().join(file)).expect("example");
    let (items, _) = read_stream(&text, file);
    items[0].value.clone()
}

fn other(kind: Kind) -> Value {
    example(match kind {
        Kind::AppBundle => Kind::Environment,
        Kind::Environment => Kind::AppBundle,
    })
}

/// Every diagnostic text a mode can show: human, JSON, KRM results.
fn shown(docs: &[Value]) -> String {
    let text: String = docs
        .iter()
        .map(|d| format!("---\n{}\n", serde_json::to_string(d).unwrap_or_default()))
        .collect();
    let (items, mut diags) = read_stream(&text, "sweep.yaml");
    let rendered = render(items, None, &Options::default());
    diags.extend(rendered.diagnostics);
    let mut out = kbundle::diag::render_human(&diags);
    out.push_str(&kbundle::diag::render_json(&diags));
    out.push_str(
        &serde_json::to_string(&kbundle::diag::to_krm_results(&diags)).unwrap_or_default(),
    );
    out
}

fn set(doc: &mut Value, pointer: &str, v: Value) {
    if let Some(slot) = doc.pointer_mut(pointer) {
        *slot = v;
    }
}

fn echoed(pointer: &str, closed: bool) -> bool {
    let last = pointer
        .rsplit('/')
        .find(|s| s.parse::<usize>().is_err())
        .unwrap_or("");
    closed || ECHOED.contains(&last)
}

fn sweep(kind: Kind) -> (usize, Vec<String>) {
    let schema = json_schema(kind);
    let mut leaves = Vec::new();
    let mut full = generate(&schema, &schema, String::new(), 0, &mut leaves);
    // The generated document is a mapping of every field; keep the kind's identity.
    let base = example(kind);
    for k in ["apiVersion", "kind"] {
        full[k] = base[k].clone();
    }
    full["metadata"] = base["metadata"].clone();
    let mut leaks = Vec::new();
    let mut runs = 0;
    let mut echoes = 0;
    for (pointer, closed) in &leaves {
        if pointer.starts_with("/metadata") || pointer == "/apiVersion" || pointer == "/kind" {
            continue;
        }
        for variant in [
            json!(MARKER),
            json!([MARKER]),
            json!({"k": MARKER}),
            json!(url_with_credentials()),
        ] {
            // Both in the example (valid everywhere else) and in the all-fields document.
            for start in [&base, &full] {
                let mut doc = start.clone();
                // Only plant where the path exists in this document.
                if doc.pointer(pointer).is_none() {
                    continue;
                }
                // Identifiers are echoed as written (a topic name cannot carry a URL's password:
                // it is refused as a name); every other field hides a URL's credentials too.
                let scalar = variant == json!(MARKER)
                    || (variant.is_string()
                        && echoed(pointer, false)
                        && !pointer.ends_with("/url"));
                set(&mut doc, pointer, variant.clone());
                runs += 1;
                let out = shown(&[doc, other(kind)]);
                if out.contains(MARKER) {
                    if scalar && echoed(pointer, *closed) {
                        echoes += 1;
                    } else {
                        leaks.push(format!("{kind:?} {pointer} as {variant}"));
                    }
                }
            }
        }
    }
    // The control: diagnostics do show the marker where it is an identifier, so a sweep that
    // saw no diagnostics at all cannot pass.
    assert!(
        echoes > 0,
        "{kind:?}: the marker never reached a diagnostic, even as a name"
    );
    leaks.sort();
    leaks.dedup();
    (runs, leaks)
}

#[test]
fn no_planted_value_reaches_a_diagnostic() {
    let mut all = Vec::new();
    let mut total = 0;
    for kind in [Kind::AppBundle, Kind::Environment] {
        let (runs, leaks) = sweep(kind);
        assert!(
            runs > 100,
            "{kind:?}: only {runs} runs: the sweep found no fields"
        );
        total += runs;
        all.extend(leaks);
    }
    assert!(
        all.is_empty(),
        "{} of {total} runs leaked the marker:\n{}",
        all.len(),
        all.join("\n")
    );
}

/// The marker in every non-echoed string field of a bundle at once, run through the binary in
/// each mode: stderr and stdout (results, error output) never show it.
#[test]
fn no_mode_prints_a_planted_value() {
    let schema = json_schema(Kind::AppBundle);
    let mut leaves = Vec::new();
    let _ = generate(&schema, &schema, String::new(), 0, &mut leaves);
    let mut doc = example(Kind::AppBundle);
    let mut planted = 0;
    for (pointer, closed) in &leaves {
        if !echoed(pointer, *closed) && doc.pointer(pointer).is_some() {
            set(&mut doc, pointer, json!([MARKER]));
            planted += 1;
        }
    }
    // A connector config with a wrong-typed credential and a test env list, as users write them.
    doc["spec"]["connectors"] = json!([{"name": "sink", "class": "FileStreamSink",
        "topics": ["orders.created.v1"], "config": {"connection.password": [MARKER]}}]);
    doc["spec"]["tests"] =
        json!([{"name": "t", "image": "busybox:1", "env": [{"name": "A", "value": MARKER}]}]);
    planted += 2;
    assert!(planted >= 2);
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("orders.yaml"),
        serde_json::to_string(&doc).unwrap(),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("environment.yaml"),
        serde_json::to_string(&other(Kind::AppBundle)).unwrap(),
    )
    .unwrap();
    let rl = json!({"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList",
        "items": [doc, other(Kind::AppBundle)]});
    let bin = env!("CARGO_BIN_EXE_kbundle");
    let p = dir.path().to_str().unwrap();
    let runs: Vec<(Vec<&str>, Option<String>)> = vec![
        (vec!["check", p], None),
        (vec!["check", "--format", "json", p], None),
        (vec!["render", p], None),
        (vec!["fn"], Some(serde_json::to_string(&rl).unwrap())),
    ];
    for (args, stdin) in runs {
        let mut cmd = Command::new(bin);
        cmd.args(&args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("run kbundle");
        if let Some(input) = stdin {
            use std::io::Write;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(input.as_bytes())
                .unwrap();
        } else {
            drop(child.stdin.take());
        }
        let out = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success(),
            "{args:?} accepted the planted document"
        );
        // `fn` echoes its input items in the ResourceList it returns; only its results count.
        let stdout_shown = if args[0] == "fn" {
            let docs = kbundle::yaml::parse_stream(&stdout).unwrap_or_default();
            docs.first()
                .map(|d| d.value["results"].to_string())
                .unwrap_or_default()
        } else {
            stdout.to_string()
        };
        assert!(
            !stderr.contains(MARKER),
            "{args:?} printed the marker on stderr:\n{stderr}"
        );
        assert!(
            !stdout_shown.contains(MARKER),
            "{args:?} printed the marker on stdout:\n{stdout_shown}"
        );
    }
}
