//! CLI behaviour: exit codes, which stream gets what, and every mode adapter through the real
//! binary.

use crate::support;

use serde_json::Value;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

fn kbundle(args: &[&str], stdin: Option<&str>, dir: Option<&Path>) -> Out {
    let mut cmd = Command::new(support::kbundle_bin());
    cmd.args(args);
    if let Some(d) = dir {
        cmd.current_dir(d);
    }
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn");
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(text.as_bytes())
            .expect("write");
    }
    let o = child.wait_with_output().expect("wait");
    Out {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

fn docs(text: &str) -> Vec<Value> {
    kbundle::yaml::parse_stream(text)
        .expect("output parses")
        .into_iter()
        .map(|d| d.value)
        .collect()
}

const BUNDLE: &str = "apiVersion: kbundle.dev/v1alpha1
kind: AppBundle
metadata:
  name: orders
spec:
  owner: team-orders
  topics:
    - name: orders.created.v1
  principals:
    - name: orders-service
      produces: [orders.created.v1]
";

const BAD_BUNDLE: &str = "apiVersion: kbundle.dev/v1alpha1
kind: AppBundle
metadata:
  name: orders
spec:
  owner: team-orders
  topics:
    - name: orders.created.v1
      partitons: 3
";

fn render_succeeds_with_exit_0_and_manifests_on_stdout() {
    let o = kbundle(
        &["render", "examples/quickstart"],
        None,
        Some(&support::root()),
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let d = docs(&o.stdout);
    let kinds: Vec<&str> = d.iter().filter_map(|v| v["kind"].as_str()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "KafkaTopic").count(), 4);
    assert_eq!(kinds.iter().filter(|k| **k == "KafkaUser").count(), 4);
    assert!(!kinds.contains(&"AppBundle") && !kinds.contains(&"Environment"));
    assert!(o.stderr.is_empty(), "{}", o.stderr);
}

fn errors_exit_1_with_nothing_on_stdout() {
    let o = kbundle(&["render", "-"], Some(BAD_BUNDLE), None);
    assert_eq!(o.code, 1);
    assert!(o.stdout.is_empty());
    assert!(
        o.stderr.contains("error[KB002]: unknown field `partitons`"),
        "{}",
        o.stderr
    );
    assert!(
        o.stderr
            .contains("--> <stdin>:9  AppBundle/orders  spec.topics[0].partitons"),
        "{}",
        o.stderr
    );
    assert!(o.stderr.contains("= help: did you mean `partitions`?"));
}

fn missing_file_and_bad_flag_exit_2() {
    let o = kbundle(&["render", "/nonexistent/bundle.yaml"], None, None);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(o.stderr.contains("KB050") && o.stderr.contains("/nonexistent/bundle.yaml"));
    assert!(o.stdout.is_empty());
    let o = kbundle(&["render", "--frobnicate"], None, None);
    assert_eq!(o.code, 2);
    assert!(o.stdout.is_empty());
}

fn check_prints_no_manifests() {
    let o = kbundle(&["check", "-"], Some(BUNDLE), None);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stdout.is_empty());
    let o = kbundle(&["check", "-"], Some(BAD_BUNDLE), None);
    assert_eq!(o.code, 1);
    assert!(o.stderr.contains("KB002"));
}

fn check_json_is_machine_readable() {
    let o = kbundle(&["check", "--format", "json", "-"], Some(BAD_BUNDLE), None);
    assert_eq!(o.code, 1);
    let v: Value = serde_json::from_str(&o.stdout).expect("json on stdout");
    assert_eq!(v["errors"], 1);
    let d = &v["diagnostics"][0];
    assert_eq!(d["code"], "KB002");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["file"], "<stdin>");
    assert_eq!(d["line"], 9);
    assert_eq!(d["field"], "spec.topics[0].partitons");
    assert_eq!(d["resource"]["kind"], "AppBundle");
    assert_eq!(d["hint"], "did you mean `partitions`?");
}

fn schema_command_prints_json_schema() {
    for kind in ["appbundle", "environment"] {
        let o = kbundle(&["schema", kind], None, None);
        assert_eq!(o.code, 0);
        let v: Value = serde_json::from_str(&o.stdout).expect("schema json");
        assert!(v["$schema"].as_str().unwrap_or("").contains("2020-12"));
        assert!(v["properties"]["spec"].is_object());
    }
}

fn resource_list(items: &[&str], function_config: Option<&str>) -> String {
    let mut list = serde_json::Map::new();
    list.insert("apiVersion".into(), "config.kubernetes.io/v1".into());
    list.insert("kind".into(), "ResourceList".into());
    let items: Vec<Value> = items.iter().flat_map(|t| docs(t)).collect();
    list.insert("items".into(), Value::Array(items));
    if let Some(fc) = function_config {
        list.insert("functionConfig".into(), docs(fc).remove(0));
    }
    serde_json::to_string(&Value::Object(list)).expect("json")
}

fn krm_function_replaces_nothing_it_does_not_own() {
    let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: unrelated\n  annotations:\n    config.kubernetes.io/path: cm.yaml\ndata: {a: \"1\"}\n";
    let mut bundle = BUNDLE.to_string();
    bundle = bundle.replace(
        "  name: orders\n",
        "  name: orders\n  annotations:\n    internal.config.kubernetes.io/path: apps/orders/bundle.yaml\n",
    );
    let input = resource_list(&[cm, &bundle], None);
    let o = kbundle(&["fn"], Some(&input), None);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let out = docs(&o.stdout).remove(0);
    assert_eq!(out["kind"], "ResourceList");
    let items = out["items"].as_array().expect("items");
    // The unrelated ConfigMap is byte-for-byte the same value.
    assert_eq!(items[0], docs(cm)[0]);
    // The bundle stays, marked local-config, so kpt keeps its file and kustomize drops it.
    assert_eq!(items[1]["kind"], "AppBundle");
    assert_eq!(
        items[1]["metadata"]["annotations"]["config.kubernetes.io/local-config"],
        "true"
    );
    let topic = items
        .iter()
        .find(|i| i["kind"] == "KafkaTopic")
        .expect("topic");
    assert_eq!(
        topic["metadata"]["annotations"]["internal.config.kubernetes.io/path"],
        "apps/orders/generated/orders.yaml"
    );
    assert!(out.get("results").is_none());

    // Running the function on its own output changes nothing.
    let again = kbundle(&["fn"], Some(&o.stdout), None);
    assert_eq!(again.code, 0);
    assert_eq!(again.stdout, o.stdout);
}

fn krm_function_reports_errors_as_results_and_exits_1() {
    let input = resource_list(&[BAD_BUNDLE], None);
    let o = kbundle(&["fn"], Some(&input), None);
    assert_eq!(o.code, 1);
    let out = docs(&o.stdout).remove(0);
    let r = &out["results"][0];
    assert_eq!(r["severity"], "error");
    assert_eq!(r["field"]["path"], "spec.topics[0].partitons");
    assert_eq!(r["resourceRef"]["name"], "orders");
    assert!(r["message"].as_str().unwrap_or("").contains("KB002"));
    // Items come back as they went in: nothing half-rendered.
    let items = out["items"].as_array().expect("items");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["kind"], "AppBundle");
    assert!(items[0]["metadata"].get("annotations").is_none());
}

fn bare_kbundle_with_a_resource_list_on_stdin_is_the_function() {
    let input = resource_list(&[BUNDLE], None);
    let o = kbundle(&[], Some(&input), None);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let out = docs(&o.stdout).remove(0);
    assert!(
        out["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|i| i["kind"] == "KafkaUser")
    );
}

fn krm_function_config_may_be_the_bundle_or_the_environment_or_a_parameter() {
    // The bundle as functionConfig and also as an item (kpt's configPath): rendered once.
    let input = resource_list(&[BUNDLE], Some(BUNDLE));
    let o = kbundle(&["fn"], Some(&input), None);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let out = docs(&o.stdout).remove(0);
    let topics = out["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|i| i["kind"] == "KafkaTopic")
        .count();
    assert_eq!(topics, 1);

    let env = |name: &str, ns: &str| {
        format!(
            "apiVersion: kbundle.dev/v1alpha1\nkind: Environment\nmetadata:\n  name: {name}\nspec:\n  namespace: {ns}\n"
        )
    };
    let (dev, prod) = (env("dev", "kafka-dev"), env("prod", "kafka-prod"));
    // Two Environments among the items: the one given as functionConfig wins.
    let input = resource_list(&[BUNDLE, &dev, &prod], Some(&prod));
    let out = docs(&kbundle(&["fn"], Some(&input), None).stdout).remove(0);
    let topic = out["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["kind"] == "KafkaTopic")
        .cloned()
        .expect("topic");
    assert_eq!(topic["metadata"]["namespace"], "kafka-prod");

    // `kpt fn eval -- environment=dev` arrives as the function-input ConfigMap.
    let param = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: function-input\ndata:\n  environment: dev\n";
    let input = resource_list(&[BUNDLE, &dev, &prod], Some(param));
    let out = docs(&kbundle(&["fn"], Some(&input), None).stdout).remove(0);
    let topic = out["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["kind"] == "KafkaTopic")
        .cloned()
        .expect("topic");
    assert_eq!(topic["metadata"]["namespace"], "kafka-dev");

    // An unknown parameter is an error, not silently ignored.
    let param = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: function-input\ndata:\n  enviroment: dev\n";
    let o = kbundle(&["fn"], Some(&resource_list(&[BUNDLE], Some(param))), None);
    assert_eq!(o.code, 1);
    assert!(o.stderr.contains("KB009"), "{}", o.stderr);
}

fn krm_function_rejects_a_plain_stream() {
    let o = kbundle(&["fn"], Some(BUNDLE), None);
    assert_eq!(o.code, 1);
    assert!(o.stderr.contains("ResourceList"), "{}", o.stderr);
}

fn legacy_generator_and_transformer() {
    let dir = tempfile::tempdir().expect("tmp");
    let config = dir.path().join("bundle.yaml");
    std::fs::write(&config, BUNDLE).expect("write");
    // Generator: empty stdin → generated objects plus the bundle as local-config.
    let o = kbundle(&["legacy", config.to_str().expect("utf-8")], Some(""), None);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let d = docs(&o.stdout);
    assert_eq!(d[0]["kind"], "AppBundle");
    assert_eq!(
        d[0]["metadata"]["annotations"]["config.kubernetes.io/local-config"],
        "true"
    );
    assert!(
        d.iter().any(|v| v["kind"] == "KafkaTopic"
            && v["metadata"]["labels"]["strimzi.io/cluster"] == "kafka")
    );

    // Transformer: the Environment as config re-renders what the generator produced.
    let env = dir.path().join("env.yaml");
    std::fs::write(&env, "apiVersion: kbundle.dev/v1alpha1\nkind: Environment\nmetadata:\n  name: prod\nspec:\n  strimzi: {cluster: main}\n").expect("write");
    let t = kbundle(
        &["legacy", env.to_str().expect("utf-8")],
        Some(&o.stdout),
        None,
    );
    assert_eq!(t.code, 0, "{}", t.stderr);
    let d = docs(&t.stdout);
    let topics: Vec<&Value> = d.iter().filter(|v| v["kind"] == "KafkaTopic").collect();
    assert_eq!(topics.len(), 1, "stale generator output must be replaced");
    assert_eq!(
        topics[0]["metadata"]["labels"]["strimzi.io/cluster"],
        "main"
    );

    // A failing transformer prints nothing on stdout.
    let t = kbundle(
        &["legacy", env.to_str().expect("utf-8")],
        Some(BAD_BUNDLE),
        None,
    );
    assert_eq!(t.code, 1);
    assert!(t.stdout.is_empty());
    assert!(t.stderr.contains("KB002"));
}

fn install_plugin_places_executables_for_both_kinds() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tmp");
    let o = kbundle(
        &[
            "install-plugin",
            "--plugin-home",
            dir.path().to_str().expect("utf-8"),
        ],
        None,
        None,
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    for (lower, kind) in [("appbundle", "AppBundle"), ("environment", "Environment")] {
        let p = dir
            .path()
            .join("kbundle.dev/v1alpha1")
            .join(lower)
            .join(kind);
        let mode = std::fs::metadata(&p)
            .expect("installed")
            .permissions()
            .mode();
        assert!(mode & 0o111 != 0, "{} not executable", p.display());
    }
}

fn render_reads_directories_recursively_and_skips_tool_config() {
    // kbundle runs kubectl for the kustomization in this test.
    support::require("kubectl");
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::create_dir_all(dir.path().join("apps/orders")).expect("mkdir");
    std::fs::write(dir.path().join("apps/orders/bundle.yml"), BUNDLE).expect("write");
    std::fs::write(
        dir.path().join("kustomization.yaml"),
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [apps/orders/bundle.yml]\n",
    )
    .expect("write");
    std::fs::write(dir.path().join("notes.txt"), "not yaml").expect("write");
    let o = kbundle(&["render", dir.path().to_str().expect("utf-8")], None, None);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let d = docs(&o.stdout);
    assert_eq!(d.len(), 2);
    assert!(d.iter().all(|v| v["kind"] != "Kustomization"));
}

fn symlink_out_of_the_tree_is_refused() {
    let outside = tempfile::tempdir().expect("tmp");
    std::fs::write(outside.path().join("secret.yaml"), BUNDLE).expect("write");
    let dir = tempfile::tempdir().expect("tmp");
    std::os::unix::fs::symlink(
        outside.path().join("secret.yaml"),
        dir.path().join("link.yaml"),
    )
    .expect("symlink");
    let o = kbundle(&["render", dir.path().to_str().expect("utf-8")], None, None);
    assert_eq!(o.code, 1);
    assert!(o.stderr.contains("KB052"), "{}", o.stderr);
    assert!(o.stdout.is_empty());
}

fn no_bundle_is_a_warning_not_silence() {
    let o = kbundle(
        &["render", "-"],
        Some("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"),
        None,
    );
    assert_eq!(o.code, 0);
    assert!(o.stderr.contains("warning[KB008]"), "{}", o.stderr);
    assert_eq!(docs(&o.stdout)[0]["kind"], "ConfigMap");
}

fn alias_bomb_is_stopped_by_the_input_budget() {
    let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 0..12 {
        let prev = if i == 0 {
            "a".to_string()
        } else {
            format!("b{}", i - 1)
        };
        bomb.push_str(&format!("b{i}: &b{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
    }
    let o = kbundle(&["render", "-"], Some(&bomb), None);
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(o.stderr.contains("KB001"), "{}", o.stderr);
}

const SCHEMA_V1: &str = r#"{"type":"record","name":"Created","fields":[{"name":"id","type":"string"}]}
"#;

/// A bundle whose topic uses schema `file` (with `previous` versions), plus an Environment that
/// can register it.
fn schema_bundle(file: &str, previous: &[&str]) -> String {
    let previous = if previous.is_empty() {
        String::new()
    } else {
        format!("      previous: [{}]\n", previous.join(", "))
    };
    format!(
        "apiVersion: kbundle.dev/v1alpha1
kind: AppBundle
metadata:
  name: orders
spec:
  owner: team-orders
  topics:
    - name: orders.created.v1
      valueSchema: created
  schemas:
    - name: created
      file: {file}
{previous}---
apiVersion: kbundle.dev/v1alpha1
kind: Environment
metadata:
  name: prod
spec:
  schemaRegistry: {{url: \"http://schema-registry:8081\"}}
  hooks: {{image: \"curlimages/curl:8.11.0\"}}
"
    )
}

/// The `schema.avsc` of every schema ConfigMap in a render.
fn rendered_schemas(stdout: &str) -> Vec<String> {
    docs(stdout)
        .iter()
        .filter(|v| v["kind"] == "ConfigMap")
        .filter_map(|v| v["data"]["schema.avsc"].as_str().map(str::to_string))
        .collect()
}

fn schema_file_linked_out_of_the_tree_is_refused() {
    let outside = tempfile::tempdir().expect("tmp");
    std::fs::write(outside.path().join("created.avsc"), SCHEMA_V1).expect("write");
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::create_dir(dir.path().join("schemas")).expect("mkdir");
    std::os::unix::fs::symlink(
        outside.path().join("created.avsc"),
        dir.path().join("schemas/created.avsc"),
    )
    .expect("symlink");
    let bundle = dir.path().join("bundle.yaml");
    std::fs::write(&bundle, schema_bundle("schemas/created.avsc", &[])).expect("write");

    // The bundle file given alone: its directory is the tree.
    let o = kbundle(&["render", bundle.to_str().expect("utf-8")], None, None);
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(o.stdout.is_empty(), "{}", o.stdout);
    assert!(
        o.stderr.contains("error[KB054]")
            && o.stderr
                .contains("schemas/created.avsc is a symbolic link that leads outside"),
        "{}",
        o.stderr
    );
    assert!(o.stderr.contains("spec.schemas[0].file"), "{}", o.stderr);
    assert!(!o.stderr.contains("KB052"), "{}", o.stderr);

    // The directory given: the walk skips the link (it reads only YAML files, issue 10 item
    // 14), and the schema read through it is refused all the same.
    let o = kbundle(&["render", dir.path().to_str().expect("utf-8")], None, None);
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(o.stdout.is_empty(), "{}", o.stdout);
    assert!(o.stderr.contains("error[KB054]"), "{}", o.stderr);
    assert!(!o.stderr.contains("KB052"), "{}", o.stderr);

    // From stdin the tree is the working directory: the same link is refused there too.
    let text = std::fs::read_to_string(&bundle).expect("read");
    let o = kbundle(&["render", "-"], Some(&text), Some(dir.path()));
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(o.stdout.is_empty(), "{}", o.stdout);
    assert!(o.stderr.contains("error[KB054]"), "{}", o.stderr);
}

fn schema_file_linked_inside_the_tree_is_read() {
    let dir = tempfile::tempdir().expect("tmp");
    let versions = dir.path().join("schemas/versions");
    std::fs::create_dir_all(&versions).expect("mkdir");
    let v2 = SCHEMA_V1.replace(
        r#"{"name":"id","type":"string"}"#,
        r#"{"name":"id","type":"string"},{"name":"note","type":["null","string"],"default":null}"#,
    );
    std::fs::write(versions.join("v1.avsc"), SCHEMA_V1).expect("write");
    std::fs::write(versions.join("v2.avsc"), &v2).expect("write");
    // A file link and a directory link, both staying inside the tree.
    std::os::unix::fs::symlink("versions/v2.avsc", dir.path().join("schemas/current.avsc"))
        .expect("symlink");
    std::os::unix::fs::symlink("schemas/versions", dir.path().join("history")).expect("symlink");
    let bundle = dir.path().join("bundle.yaml");
    std::fs::write(
        &bundle,
        schema_bundle("schemas/current.avsc", &["history/v1.avsc"]),
    )
    .expect("write");

    for target in [dir.path(), bundle.as_path()] {
        let o = kbundle(&["render", target.to_str().expect("utf-8")], None, None);
        assert_eq!(o.code, 0, "{}: {}", target.display(), o.stderr);
        assert!(o.stderr.is_empty(), "{}", o.stderr);
        assert_eq!(rendered_schemas(&o.stdout), std::slice::from_ref(&v2));
        assert!(docs(&o.stdout).iter().any(|v| v["kind"] == "Job"));
    }
}

fn schema_files_from_stdin_resolve_against_the_working_directory() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::create_dir(dir.path().join("schemas")).expect("mkdir");
    std::fs::write(dir.path().join("schemas/created.avsc"), SCHEMA_V1).expect("write");
    let bundle = schema_bundle("schemas/created.avsc", &[]);

    let o = kbundle(&["render", "-"], Some(&bundle), Some(dir.path()));
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stderr.is_empty(), "{}", o.stderr);
    assert_eq!(rendered_schemas(&o.stdout), [SCHEMA_V1.to_string()]);

    // Elsewhere the same stream finds no schema: the working directory is what counts.
    let elsewhere = tempfile::tempdir().expect("tmp");
    let o = kbundle(&["render", "-"], Some(&bundle), Some(elsewhere.path()));
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(o.stdout.is_empty());
    assert!(
        o.stderr
            .contains("error[KB056]: cannot read schemas/created.avsc"),
        "{}",
        o.stderr
    );

    // And `..` cannot climb out of the working directory, even to a file that exists.
    std::fs::create_dir(dir.path().join("sub")).expect("mkdir");
    let o = kbundle(
        &["render", "-"],
        Some(&schema_bundle("../schemas/created.avsc", &[])),
        Some(&dir.path().join("sub")),
    );
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(o.stdout.is_empty());
    assert!(o.stderr.contains("error[KB054]"), "{}", o.stderr);
}

register!(
    render_succeeds_with_exit_0_and_manifests_on_stdout,
    errors_exit_1_with_nothing_on_stdout,
    missing_file_and_bad_flag_exit_2,
    check_prints_no_manifests,
    check_json_is_machine_readable,
    schema_command_prints_json_schema,
    krm_function_replaces_nothing_it_does_not_own,
    krm_function_reports_errors_as_results_and_exits_1,
    bare_kbundle_with_a_resource_list_on_stdin_is_the_function,
    krm_function_config_may_be_the_bundle_or_the_environment_or_a_parameter,
    krm_function_rejects_a_plain_stream,
    legacy_generator_and_transformer,
    install_plugin_places_executables_for_both_kinds,
    render_reads_directories_recursively_and_skips_tool_config,
    symlink_out_of_the_tree_is_refused,
    no_bundle_is_a_warning_not_silence,
    alias_bomb_is_stopped_by_the_input_budget,
    schema_file_linked_out_of_the_tree_is_refused,
    schema_file_linked_inside_the_tree_is_read,
    schema_files_from_stdin_resolve_against_the_working_directory
);
