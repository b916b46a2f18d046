use super::*;

// ---------------------------------------------------------------------------------------------
// CLI

/// `kbundle render examples/quickstart | kbundle render -` gives the same bytes: rendering
/// rendered output changes nothing.
pub fn cli_render_pipe_is_idempotent() {
    let quickstart = support::root().join("examples/quickstart");
    let mut first = Command::new(kbundle())
        .arg("render")
        .arg(&quickstart)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn kbundle render");
    let second = Command::new(kbundle())
        .args(["render", "-"])
        .stdin(Stdio::from(first.stdout.take().unwrap()))
        .output()
        .expect("run kbundle render -");
    let first = first.wait_with_output().expect("kbundle render");
    assert_ok(&first, "kbundle render examples/quickstart");
    assert_ok(&second, "kbundle render -");

    // The same bytes once more, without the pipe, to compare against.
    let mut cmd = Command::new(kbundle());
    cmd.arg("render").arg(&quickstart);
    let direct = run(cmd);
    assert_ok(&direct, "kbundle render examples/quickstart");
    assert!(!direct.stdout.is_empty());
    assert_eq!(
        stdout(&second),
        stdout(&direct),
        "render | render - must be the identity"
    );

    let objs = docs(&stdout(&direct));
    assert!(objs.iter().any(|o| kind(o) == "KafkaTopic"));
    assert!(objs.iter().any(|o| kind(o) == "KafkaUser"));
    assert!(
        objs.iter()
            .all(|o| !kind(o).is_empty() && kind(o) != "AppBundle")
    );
}

// ---------------------------------------------------------------------------------------------
// `kbundle render DIR` on a kustomization

pub fn render_dir(dir: &Path, extra_env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(kbundle());
    cmd.arg("render").arg(dir);
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    run(cmd)
}

/// `kbundle render overlays/prod` builds the overlay the way kubectl kustomize does (with a
/// private plugin home: no plugin installed) and prints the same objects. An overlay that lists
/// its Environment under `resources:` instead of `transformers:` renders to the same objects.
pub fn render_builds_a_kustomization_like_kubectl_kustomize() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("plugins");
    install_plugin(&home);
    let root = base_and_prod_env(tmp.path());
    let patch = "patches:
- target:
    kind: AppBundle
    name: orders
  patch: |-
    - op: replace
      path: /spec/topics/0/partitions
      value: 24
buildMetadata: [originAnnotations]
";
    write(
        &root,
        "overlays/prod/kustomization.yaml",
        &format!("resources:\n- ../../base\ntransformers:\n- env.yaml\n{patch}"),
    );
    write(&root, "overlays/asinput/env.yaml", PROD);
    write(
        &root,
        "overlays/asinput/kustomization.yaml",
        &format!("resources:\n- ../../base\n- env.yaml\n{patch}"),
    );

    let by_kubectl = kustomize(&home, &root.join("overlays/prod"), true);
    assert_ok(&by_kubectl, "kubectl kustomize overlays/prod");
    let kubectl_text = stdout(&by_kubectl);
    assert!(
        kubectl_text.contains("config.kubernetes.io/origin"),
        "originAnnotations should stamp the generated objects under kubectl:\n{kubectl_text}"
    );

    // No KUSTOMIZE_PLUGIN_HOME given: kbundle brings its own plugins.
    let rendered = render_dir(&root.join("overlays/prod"), &[]);
    assert_ok(&rendered, "kbundle render overlays/prod");
    let text = stdout(&rendered);
    assert!(
        !stderr(&rendered).contains("KB008"),
        "no 'no AppBundle' warning after a transformer rendered them: {}",
        stderr(&rendered)
    );
    assert!(
        !text.contains("config.kubernetes.io/origin"),
        "origin annotations must not reach the cluster:\n{text}"
    );
    let objs = docs(&text);
    assert_eq!(ids(&objs), orders_ids());
    assert_generated(&objs, "orders", Some("kafka-prod"), "prod-cluster");
    assert_eq!(partitions(&objs)["orders.created.v1"], 24);

    // Same objects as kubectl's, once its origin annotations are taken off.
    let mut from_kubectl = docs(&kubectl_text);
    for o in &mut from_kubectl {
        let meta = o["metadata"].as_object_mut().unwrap();
        if let Some(ann) = meta.get_mut("annotations").and_then(Value::as_object_mut) {
            ann.remove("config.kubernetes.io/origin");
            if ann.is_empty() {
                meta.remove("annotations");
            }
        }
    }
    let sorted = |mut v: Vec<Value>| {
        v.sort_by_key(|o| {
            (
                kind(o).to_string(),
                s(o, "/metadata/name").map(str::to_string),
            )
        });
        v
    };
    assert_eq!(sorted(objs.clone()), sorted(from_kubectl));

    let as_input = render_dir(&root.join("overlays/asinput"), &[]);
    assert_ok(&as_input, "kbundle render overlays/asinput");
    // kubectl sorts its output by kind and name; kbundle keeps its own order.
    assert_eq!(sorted(docs(&stdout(&as_input))), sorted(objs.clone()));

    // A failed build: the plugin's diagnostics come through, nothing on stdout.
    write(
        &root,
        "overlays/prod/kustomization.yaml",
        "resources:\n- ../../base\ntransformers:\n- env.yaml\npatches:\n- target:\n    kind: AppBundle\n    name: orders\n  patch: |-\n    - op: replace\n      path: /spec/topics/0/partitions\n      value: 100000\nbuildMetadata: [originAnnotations]\n",
    );
    let failed = render_dir(&root.join("overlays/prod"), &[]);
    assert_eq!(failed.status.code(), Some(1), "{}", stderr(&failed));
    assert!(failed.stdout.is_empty());
    let err = stderr(&failed);
    // The transformer was deferred: kbundle reports the violation itself, not through kubectl.
    assert!(
        err.contains("error[KB023]") && !err.contains("KB124"),
        "{err}"
    );
    assert!(
        err.contains("../../base/bundle.yaml") && err.contains("spec.topics[0].partitions"),
        "{err}"
    );

    // No kustomize to be found: KB123, nothing on stdout.
    let missing = render_dir(
        &root.join("overlays/asinput"),
        &[("KBUNDLE_KUSTOMIZE", "/nonexistent/kustomize")],
    );
    assert_eq!(missing.status.code(), Some(1));
    assert!(missing.stdout.is_empty());
    assert!(stderr(&missing).contains("KB123"), "{}", stderr(&missing));
}

/// The Environment transformer is deferred only when nothing in the kustomization runs after
/// it: with another transformer after it, kustomize renders through the plugin as usual, so the
/// later transformer still reaches the generated objects.
pub fn render_does_not_defer_an_environment_followed_by_another_transformer() {
    // kbundle runs kubectl for the kustomization in this test.
    support::require("kubectl");
    let tmp = tempfile::tempdir().unwrap();
    let root = base_and_prod_env(tmp.path());
    write(
        &root,
        "overlays/prod/labels.yaml",
        "apiVersion: builtin
kind: LabelTransformer
metadata:
  name: team-labels
labels:
  team: platform
fieldSpecs:
- path: metadata/labels
  create: true
",
    );
    write(
        &root,
        "overlays/prod/kustomization.yaml",
        "resources:\n- ../../base\ntransformers:\n- env.yaml\n- labels.yaml\n",
    );
    let out = render_dir(&root.join("overlays/prod"), &[]);
    assert_ok(
        &out,
        "kbundle render with a transformer after the Environment",
    );
    let objs = docs(&stdout(&out));
    assert_eq!(ids(&objs), orders_ids());
    for o in &objs {
        assert_eq!(label(o, "team"), Some("platform"), "{o}");
        assert_eq!(
            label(o, "app.kubernetes.io/managed-by"),
            Some("kbundle"),
            "{o}"
        );
    }

    // Environment last: deferred, and the objects are the same as kubectl's.
    write(
        &root,
        "overlays/prod/kustomization.yaml",
        "resources:\n- ../../base\ntransformers:\n- labels.yaml\n- env.yaml\n",
    );
    let home = tmp.path().join("plugins");
    install_plugin(&home);
    let by_kubectl = kustomize(&home, &root.join("overlays/prod"), true);
    assert_ok(&by_kubectl, "kubectl kustomize, labels then Environment");
    let deferred = render_dir(&root.join("overlays/prod"), &[]);
    assert_ok(&deferred, "kbundle render, labels then Environment");
    let key = |mut v: Vec<Value>| {
        v.sort_by_key(|o| {
            (
                kind(o).to_string(),
                s(o, "/metadata/name").map(str::to_string),
            )
        });
        v
    };
    let objs = key(docs(&stdout(&deferred)));
    assert_eq!(objs, key(docs(&stdout(&by_kubectl))));
    // The label reached the bundle before it was rendered; kbundle does not copy bundle labels.
    assert!(objs.iter().all(|o| label(o, "team").is_none()));
}

/// An Environment listed under both `resources:` and `transformers:`: the deferred plugin must
/// not hand kustomize a second object with the same id.
pub fn render_defers_an_environment_that_is_also_a_resource() {
    // kbundle runs kubectl for the kustomization in this test.
    support::require("kubectl");
    let tmp = tempfile::tempdir().unwrap();
    let root = base_and_prod_env(tmp.path());
    write(
        &root,
        "overlays/prod/kustomization.yaml",
        "resources:\n- ../../base\n- env.yaml\ntransformers:\n- env.yaml\n",
    );
    let out = render_dir(&root.join("overlays/prod"), &[]);
    assert_ok(
        &out,
        "kbundle render, Environment as resource and transformer",
    );
    let objs = docs(&stdout(&out));
    assert_eq!(ids(&objs), orders_ids());
    assert_generated(&objs, "orders", Some("kafka-prod"), "prod-cluster");
}

register!(
    cli_render_pipe_is_idempotent,
    render_builds_a_kustomization_like_kubectl_kustomize,
    render_does_not_defer_an_environment_followed_by_another_transformer,
    render_defers_an_environment_that_is_also_a_resource
);
