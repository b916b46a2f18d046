use super::*;

// ---------------------------------------------------------------------------------------------
// Schemas, connectors and masking: files a bundle names, found in every mode

pub const SCHEMA_BUNDLE: &str = "apiVersion: kbundle.dev/v1alpha1
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
      file: schemas/x.avsc
";

pub const SCHEMA_V1: &str = r#"{"type": "record", "name": "Created", "namespace": "com.example.orders", "fields": [{"name": "id", "type": "string"}]}
"#;

/// Version 2 of SCHEMA_V1: `amount` added without a default, which BACKWARD refuses.
pub const SCHEMA_V2_BREAKING: &str = r#"{"type": "record", "name": "Created", "namespace": "com.example.orders", "fields": [{"name": "id", "type": "string"}, {"name": "amount", "type": "long"}]}
"#;

/// PROD with what registering schemas needs.
pub fn schema_env() -> String {
    format!(
        "{PROD}  schemaRegistry:\n    url: http://schema-registry.kafka:8081\n  hooks:\n    image: curlimages/curl:8.11.0\n"
    )
}

/// The schema ConfigMap and registration Job rendered for subject `orders.created.v1-value`,
/// checked against each other; returns the schema text the ConfigMap carries.
#[track_caller]
pub fn assert_schema_hook(objs: &[Value]) -> String {
    let cms: Vec<&Value> = objs
        .iter()
        .filter(|o| kind(o) == "ConfigMap" && o.pointer("/data/schema.avsc").is_some())
        .collect();
    let jobs: Vec<&Value> = objs.iter().filter(|o| kind(o) == "Job").collect();
    assert_eq!((cms.len(), jobs.len()), (1, 1), "{objs:?}");
    let (cm, job) = (cms[0], jobs[0]);
    assert_eq!(annotation(job, "argocd.argoproj.io/hook"), Some("PreSync"));
    assert_eq!(annotation(cm, "argocd.argoproj.io/hook"), Some("PreSync"));
    assert_eq!(label(job, "app.kubernetes.io/part-of"), Some("orders"));
    assert_eq!(s(job, "/metadata/namespace"), Some("kafka-prod"));
    let container = job
        .pointer("/spec/template/spec/containers/0")
        .expect("container");
    let env: BTreeMap<&str, &str> = container["env"]
        .as_array()
        .expect("env")
        .iter()
        .filter_map(|e| Some((s(e, "/name")?, s(e, "/value")?)))
        .collect();
    assert_eq!(env.get("SUBJECT"), Some(&"orders.created.v1-value"));
    assert_eq!(
        env.get("SR_URL"),
        Some(&"http://schema-registry.kafka:8081")
    );
    assert_eq!(s(container, "/image"), Some("curlimages/curl:8.11.0"));
    // The Job mounts that ConfigMap.
    let volumes = job
        .pointer("/spec/template/spec/volumes")
        .and_then(Value::as_array)
        .expect("volumes");
    assert!(
        volumes
            .iter()
            .any(|v| s(v, "/configMap/name") == s(cm, "/metadata/name")),
        "{job}"
    );
    s(cm, "/data/schema.avsc").expect("schema.avsc").to_string()
}

/// `kpt fn render` with the bundle in `apps/orders/` and its schema in `apps/orders/schemas/`:
/// kbundle finds the file through kpt's `package-path` annotation, whatever kpt's working
/// directory. A second render changes nothing; an incompatible change fails with KB062 and
/// changes no file.
pub fn kpt_fn_render_finds_schema_files_beside_the_bundle() {
    let tmp = tempfile::tempdir().unwrap();
    let pkg = tmp.path().join("pkg");
    write(
        &pkg,
        "Kptfile",
        &kptfile_pipeline(&format!("{} fn", kbundle_str())),
    );
    write(&pkg, "apps/orders/bundle.yaml", SCHEMA_BUNDLE);
    write(&pkg, "apps/orders/schemas/x.avsc", SCHEMA_V1);
    write(&pkg, "env.yaml", &schema_env());

    // kpt runs from the test's working directory, not the package.
    let out = kpt_render(&pkg);
    assert_ok(&out, "kpt fn render of a bundle with a schema");
    let first = snapshot(&pkg);
    assert_eq!(
        first.keys().map(String::as_str).collect::<Vec<_>>(),
        [
            "Kptfile",
            "apps/orders/bundle.yaml",
            "apps/orders/generated/orders.yaml",
            "apps/orders/schemas/x.avsc",
            "env.yaml"
        ]
    );
    let generated = docs(&first["apps/orders/generated/orders.yaml"]);
    assert_eq!(assert_schema_hook(&generated), SCHEMA_V1);
    assert_eq!(
        generated.iter().filter(|o| kind(o) == "KafkaTopic").count(),
        1
    );
    assert_eq!(first["apps/orders/schemas/x.avsc"], SCHEMA_V1);

    let out = kpt_render(&pkg);
    assert_ok(&out, "second kpt fn render");
    assert_eq!(
        snapshot(&pkg),
        first,
        "a second kpt fn render changed files"
    );

    // The previous version listed, the new one breaking BACKWARD (the default level).
    write(&pkg, "apps/orders/schemas/x.v1.avsc", SCHEMA_V1);
    write(&pkg, "apps/orders/schemas/x.avsc", SCHEMA_V2_BREAKING);
    let bundle = read(&pkg, "apps/orders/bundle.yaml");
    let with_previous = bundle.replace(
        "      file: schemas/x.avsc\n",
        "      file: schemas/x.avsc\n      previous: [schemas/x.v1.avsc]\n",
    );
    assert_ne!(
        bundle, with_previous,
        "kpt reformatted the bundle:\n{bundle}"
    );
    write(&pkg, "apps/orders/bundle.yaml", &with_previous);
    let before = snapshot(&pkg);

    let out = kpt_render(&pkg);
    assert_failed(&out, "kpt fn render of an incompatible schema change");
    let err = stderr(&out);
    assert!(err.contains("KB062"), "stderr lacks KB062:\n{err}");
    assert!(
        err.contains("orders.created.v1-value") && err.contains("BACKWARD"),
        "{err}"
    );
    assert!(err.contains("amount"), "the reason names the field:\n{err}");
    assert_eq!(
        snapshot(&pkg),
        before,
        "a failed kpt fn render changed files"
    );
    assert_eq!(
        before["apps/orders/generated/orders.yaml"], first["apps/orders/generated/orders.yaml"],
        "the earlier output must stay as it was"
    );
}

pub fn kpt_eval_from(cwd: &Path, pkg: &str) -> Output {
    let mut cmd = Command::new(require("kpt"));
    cmd.current_dir(cwd)
        .args(["fn", "eval", pkg, "--exec"])
        .arg(format!("{} fn", kbundle_str()))
        .arg("--truncate-output=false");
    run(cmd)
}

pub fn schema_package(pkg: &Path) {
    write(pkg, "Kptfile", KPTFILE);
    write(pkg, "apps/orders/bundle.yaml", SCHEMA_BUNDLE);
    write(pkg, "apps/orders/schemas/x.avsc", SCHEMA_V1);
    write(pkg, "env.yaml", &schema_env());
}

/// `kpt fn eval` says nothing about where the package is (no `package-path` annotation, unlike
/// `fn render`): kbundle resolves files against kpt's working directory. Run from the package
/// (`kpt fn eval .`) the schema is found; run from elsewhere it is not, and nothing is written.
pub fn kpt_fn_eval_finds_schema_files_from_the_package_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let pkg = tmp.path().join("pkg");
    schema_package(&pkg);

    let out = kpt_eval_from(&pkg, ".");
    assert_ok(&out, "kpt fn eval . (cwd = package)");
    let first = snapshot(&pkg);
    assert!(first.contains_key("apps/orders/generated/orders.yaml"));
    let generated = docs(&first["apps/orders/generated/orders.yaml"]);
    assert_eq!(assert_schema_hook(&generated), SCHEMA_V1);
    let out = kpt_eval_from(&pkg, ".");
    assert_ok(&out, "second kpt fn eval .");
    assert_eq!(snapshot(&pkg), first, "a second kpt fn eval changed files");

    // From the parent directory the relative path misses the file.
    let other = tmp.path().join("other");
    schema_package(&other);
    let before = snapshot(&other);
    let out = kpt_eval_from(tmp.path(), "other");
    assert_failed(&out, "kpt fn eval other (cwd = parent)");
    // kpt tells `fn eval` no package path, and the bundle's file is not under kpt's directory:
    // kbundle refuses to guess.
    let err = stderr(&out);
    assert!(
        err.contains("KB055") && err.contains("kpt fn eval ."),
        "{err}"
    );
    assert_eq!(
        snapshot(&other),
        before,
        "a failed kpt fn eval changed files"
    );
}

/// Regression: under `kpt fn eval PKG` run from another directory, a file at the same
/// relative path under kpt's working directory was read instead of the package's own.
pub fn kpt_fn_eval_from_elsewhere_never_reads_files_outside_the_package() {
    let tmp = tempfile::tempdir().unwrap();
    let pkg = tmp.path().join("pkg");
    schema_package(&pkg);
    let decoy = r#"{"type": "record", "name": "Decoy", "fields": [{"name": "wrong", "type": "string"}]}
"#;
    write(tmp.path(), "apps/orders/schemas/x.avsc", decoy);
    let out = kpt_eval_from(tmp.path(), "pkg");
    assert_failed(&out, "kpt fn eval pkg (cwd holds a decoy)");
    assert!(stderr(&out).contains("KB055"), "{}", stderr(&out));
    if let Ok(generated) = std::fs::read_to_string(pkg.join("apps/orders/generated/orders.yaml")) {
        assert!(
            !generated.contains("Decoy"),
            "the schema from kpt's cwd was written into the package:\n{generated}"
        );
    }
}

pub fn write_overlay_repo(root: &Path, origin_annotations: bool) {
    write(
        root,
        "base/kustomization.yaml",
        "resources:\n- bundle.yaml\n",
    );
    write(root, "base/bundle.yaml", SCHEMA_BUNDLE);
    write(root, "base/schemas/x.avsc", SCHEMA_V1);
    write(root, "overlays/prod/env.yaml", &schema_env());
    let build_metadata = if origin_annotations {
        "buildMetadata:\n- originAnnotations\n"
    } else {
        ""
    };
    write(
        root,
        "overlays/prod/kustomization.yaml",
        &format!("resources:\n- ../../base\n{build_metadata}transformers:\n- env.yaml\n"),
    );
}

/// The overlay pattern with the schema beside the base's bundle. kustomize tells the plugin
/// where a resource came from only with `buildMetadata: [originAnnotations]`
/// (`config.kubernetes.io/origin: path: ../../base/bundle.yaml`, relative to the overlay);
/// files may come from the repository (nearest `.git`), here the temp dir.
pub fn kubectl_kustomize_overlay_finds_schema_files_with_origin_annotations() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("plugins");
    install_plugin(&home);

    let repo = tmp.path().join("repo");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    write_overlay_repo(&repo, true);
    let overlay = repo.join("overlays/prod");
    let out = kustomize(&home, &overlay, true);
    assert_ok(&out, "kubectl kustomize overlay with originAnnotations");
    let objs = docs(&stdout(&out));
    assert_eq!(assert_schema_hook(&objs), SCHEMA_V1);
    assert!(objs.iter().any(|o| kind(o) == "KafkaTopic"));
    // No input leaks. (The text does mention kbundle.dev/v1alpha1: with originAnnotations,
    // kustomize annotates every generated object with `config.kubernetes.io/origin:
    // configuredBy: {apiVersion: kbundle.dev/v1alpha1, kind: Environment, ...}`.)
    assert!(
        objs.iter()
            .all(|o| !matches!(kind(o), "AppBundle" | "Environment")),
        "{objs:?}"
    );
    for o in &objs {
        let origin = annotation(o, "config.kubernetes.io/origin").unwrap_or("");
        assert!(origin.contains("configuredIn: env.yaml"), "{o}");
    }
    let again = kustomize(&home, &overlay, true);
    assert_ok(&again, "second kubectl kustomize");
    assert_eq!(again.stdout, out.stdout);

    // Without buildMetadata the plugin only knows the overlay directory: the path is looked up
    // there (overlays/prod/schemas/x.avsc) and is not found.
    let repo = tmp.path().join("no-origin");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    write_overlay_repo(&repo, false);
    let out = kustomize(&home, &repo.join("overlays/prod"), true);
    assert_failed(&out, "kubectl kustomize overlay without originAnnotations");
    assert!(out.stdout.is_empty(), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains("KB056") && err.contains("schemas/x.avsc"),
        "stderr lacks KB056 naming the file:\n{err}"
    );

    // With originAnnotations but no `.git` above: the tree is the overlay directory, and
    // base/ is outside it.
    let repo = tmp.path().join("no-git");
    write_overlay_repo(&repo, true);
    let out = kustomize(&home, &repo.join("overlays/prod"), true);
    assert_failed(&out, "kubectl kustomize overlay outside a repository");
    assert!(out.stdout.is_empty(), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains("KB054") && err.contains("schemas/x.avsc"),
        "stderr lacks KB054 naming the file:\n{err}"
    );
}

/// The masked-sink golden case through kubectl kustomize: the sink connector carries the
/// MaskField transforms, scoped to the masked topic, ahead of its own transforms.
pub fn kubectl_kustomize_masked_sink_connector_has_mask_transforms() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("plugins");
    install_plugin(&home);
    let case = support::root().join("testdata/masking/masked-sink/input");
    let input = std::fs::read_to_string(case.join("bundle.yaml")).unwrap();
    let (bundle, env) = input
        .split_once("\n---\n")
        .expect("the case holds the bundle, then the Environment");
    let dir = tmp.path().join("masked");
    write(
        &dir,
        "kustomization.yaml",
        "resources:\n- bundle.yaml\ntransformers:\n- env.yaml\n",
    );
    write(&dir, "bundle.yaml", &format!("{bundle}\n"));
    write(&dir, "env.yaml", env);
    write(
        &dir,
        "schemas/profile.avsc",
        &std::fs::read_to_string(case.join("schemas/profile.avsc")).unwrap(),
    );

    let out = kustomize(&home, &dir, true);
    assert_ok(&out, "kubectl kustomize of the masked sink");
    let objs = docs(&stdout(&out));
    let sink = objs
        .iter()
        .find(|o| {
            kind(o) == "KafkaConnector" && s(o, "/metadata/name") == Some("customers-to-warehouse")
        })
        .expect("the sink connector");
    let config = sink.pointer("/spec/config").expect("config");
    let get = |k: &str| config.get(k).and_then(Value::as_str).unwrap_or("");
    let chain: Vec<&str> = get("transforms").split(',').collect();
    assert_eq!(
        chain.last(),
        Some(&"unwrap"),
        "its own transform stays last"
    );
    let mask_field = "org.apache.kafka.connect.transforms.MaskField$Value";
    let mut masked = BTreeMap::new();
    for t in &chain[..chain.len() - 1] {
        assert_eq!(
            get(&format!(
                "predicates.{}.pattern",
                get(&format!("transforms.{t}.predicate"))
            )),
            r"customers\.profile\.v1",
            "transform {t} must be scoped to the masked topic"
        );
        masked.insert(
            get(&format!("transforms.{t}.fields")),
            (
                get(&format!("transforms.{t}.type")),
                get(&format!("transforms.{t}.replacement")),
            ),
        );
    }
    assert_eq!(masked["email"], (mask_field, "****"));
    assert_eq!(masked["birthDate"], (mask_field, "1970-01-01"));
    assert_eq!(masked["phone"].0, "com.example.connect.HashField$Value");
    assert_eq!(
        masked["address.street"].0,
        "com.example.connect.MaskNested$Value"
    );
    // The source connector is not masked.
    let source = objs
        .iter()
        .find(|o| s(o, "/metadata/name") == Some("customers-cdc"))
        .expect("the source connector");
    assert!(!source.to_string().contains("MaskField"));
    // Same objects as the CLI renders for the golden case (kustomize adds only its origin
    // bookkeeping, which this overlay does not ask for).
    let golden =
        docs(&std::fs::read_to_string(case.parent().unwrap().join("expected.yaml")).unwrap());
    assert_eq!(ids(&objs), ids(&golden));
}

register!(
    kpt_fn_render_finds_schema_files_beside_the_bundle,
    kpt_fn_eval_finds_schema_files_from_the_package_directory,
    kpt_fn_eval_from_elsewhere_never_reads_files_outside_the_package,
    kubectl_kustomize_overlay_finds_schema_files_with_origin_annotations,
    kubectl_kustomize_masked_sink_connector_has_mask_transforms
);
