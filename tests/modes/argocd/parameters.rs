use super::*;

/// The dynamic announcements list what the app holds, for a plain app and for a kustomize
/// overlay (bundles in a base, the Environment as a transformer); the static ones follow.
pub fn parameters_announce_detected_environments_and_bundles() {
    // kbundle runs kubectl for the kustomization in this test.
    support::require("kubectl");
    let sidecar = Sidecar::kbundle();
    let repo = plain_repo();
    repo.write("apps/kafka/env/staging.yaml", STAGING);
    let list = sidecar
        .parameters(&repo, &Application::kbundle("kafka", "apps/kafka"))
        .expect("parameters");
    let names: Vec<&str> = list.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "detected-environments",
            "detected-bundles",
            "environment",
            "bundles"
        ],
        "dynamic first, then static"
    );
    let envs = announcement(&list, "detected-environments");
    assert_eq!(envs.collection_type, "array");
    assert_eq!(
        envs.array.as_deref(),
        Some(&["prod".to_string(), "staging".to_string()][..])
    );
    let bundles = announcement(&list, "detected-bundles");
    assert_eq!(bundles.collection_type, "array");
    assert_eq!(
        bundles.array.as_deref(),
        Some(&["orders".to_string(), "payments".to_string()][..])
    );
    for a in &list[..2] {
        assert!(!a.title.is_empty() && !a.tooltip.is_empty(), "{a:?}");
    }

    let overlay = Repo::empty();
    overlay
        .write(
            "base/kustomization.yaml",
            "resources:\n- orders.yaml\n- payments.yaml\n",
        )
        .write("base/orders.yaml", ORDERS)
        .write("base/payments.yaml", PAYMENTS)
        .write("overlays/prod/env.yaml", PROD)
        .write(
            "overlays/prod/kustomization.yaml",
            "resources:\n- ../../base\ntransformers:\n- env.yaml\n",
        );
    let app = Application::kbundle("prod", "overlays/prod");
    sidecar.select(&overlay, &app).expect("overlay discovered");
    let list = sidecar.parameters(&overlay, &app).expect("parameters");
    assert_eq!(
        announcement(&list, "detected-environments")
            .array
            .as_deref(),
        Some(&["prod".to_string()][..])
    );
    assert_eq!(
        announcement(&list, "detected-bundles").array.as_deref(),
        Some(&["orders".to_string(), "payments".to_string()][..])
    );
    let objs = sidecar.generate(&overlay, &app);
    let objs = objs.ok("overlay");
    assert_eq!(
        by_bundle(objs).keys().collect::<Vec<_>>(),
        ["orders", "payments"]
    );
    assert!(
        objs.iter()
            .all(|o| o["metadata"]["namespace"] == "kafka-prod"),
        "{objs:?}"
    );
}

/// An Application with a plugin block and no parameters gets `ARGOCD_APP_PARAMETERS=null`
/// from Argo CD: that is "no parameters", not an error.
pub fn argo_null_parameters_mean_none() {
    let sidecar = Sidecar::kbundle();
    let repo = plain_repo();
    let app = Application::kbundle("kafka", "apps/kafka");
    assert!(
        app.env_entries()
            .contains(&("ARGOCD_APP_PARAMETERS".into(), "null".into()))
    );
    let g = sidecar.generate(&repo, &app);
    g.ok("ARGOCD_APP_PARAMETERS=null");
    // `[]` (what a client that is not Go may send) is no parameters either.
    let mut entries = app.env_entries();
    entries.retain(|(k, _)| k != "ARGOCD_APP_PARAMETERS");
    entries.push(("ARGOCD_APP_PARAMETERS".into(), "[]".into()));
    let run = run_command(
        &sidecar.plugin.spec.generate.argv(),
        &repo.app_path("apps/kafka"),
        &sidecar.command_env(&entries),
        ARGO_TIMEOUT,
        None,
    )
    .expect("run");
    assert!(run.success(), "{}", run.error());
}

/// `environment` chooses among the app's Environments; `ARGOCD_ENV_KBUNDLE_ENVIRONMENT` (the
/// Application's plugin.env) is the fallback; without either, two Environments fail.
pub fn environment_parameter_selects_the_environment() {
    let sidecar = Sidecar::kbundle();
    let repo = plain_repo();
    repo.write("apps/kafka/env/staging.yaml", STAGING);
    let app = Application::kbundle("kafka", "apps/kafka");
    let namespaces = |objs: &[Value]| -> BTreeSet<String> {
        objs.iter()
            .map(|o| {
                o["metadata"]["namespace"]
                    .as_str()
                    .unwrap_or("")
                    .to_string()
            })
            .collect()
    };
    let clusters = |objs: &[Value]| -> BTreeSet<String> {
        objs.iter()
            .filter_map(|o| label(o, "strimzi.io/cluster").map(str::to_string))
            .collect()
    };

    let g = sidecar.generate(&repo, &app);
    let (run, _) = g.err("two Environments, no choice");
    assert!(run.stdout.is_empty());

    for (env, ns, cluster) in [
        ("staging", "kafka-staging", "staging-cluster"),
        ("prod", "kafka-prod", "prod-cluster"),
    ] {
        let a = app
            .clone()
            .with_parameters(json!([{"name": "environment", "string": env}]));
        let g = sidecar.generate(&repo, &a);
        let objs = g.ok(env);
        assert_eq!(namespaces(objs), BTreeSet::from([ns.to_string()]), "{env}");
        assert_eq!(
            clusters(objs),
            BTreeSet::from([cluster.to_string()]),
            "{env}"
        );
    }
    // The staging defaults give one partition, prod's three.
    let staging = sidecar.generate(
        &repo,
        &app.clone()
            .with_parameters(json!([{"name": "environment", "string": "staging"}])),
    );
    let audit = staging
        .ok("staging")
        .iter()
        .find(|o| kind(o) == "KafkaTopic" && o["spec"]["topicName"] == "orders.audit.v1")
        .expect("orders.audit.v1");
    assert_eq!(audit["spec"]["partitions"], 1);

    let by_env = app.clone().with_env("KBUNDLE_ENVIRONMENT", "staging");
    let g = sidecar.generate(&repo, &by_env);
    assert_eq!(
        namespaces(g.ok("plugin.env")),
        BTreeSet::from(["kafka-staging".to_string()])
    );
    let both = by_env.with_parameters(json!([{"name": "environment", "string": "prod"}]));
    let g = sidecar.generate(&repo, &both);
    assert_eq!(
        namespaces(g.ok("parameter over plugin.env")),
        BTreeSet::from(["kafka-prod".to_string()]),
        "the parameter wins over ARGOCD_ENV_KBUNDLE_ENVIRONMENT"
    );

    let typo = app.with_parameters(json!([{"name": "environment", "string": "stagin"}]));
    let g = sidecar.generate(&repo, &typo);
    let (run, _) = g.err("unknown Environment");
    assert!(run.stdout.is_empty());
    assert!(run.stderr.contains("stagin"), "{}", run.stderr);
}

/// `bundles` restricts the output to those bundles' objects; a bundle the app lacks is KB122.
pub fn bundles_parameter_restricts_the_output() {
    let sidecar = Sidecar::kbundle();
    let repo = plain_repo();
    let app = Application::kbundle("kafka", "apps/kafka");
    let all = sidecar.generate(&repo, &app);
    let all = all.ok("all bundles");
    assert_eq!(
        by_bundle(all).keys().collect::<Vec<_>>(),
        ["orders", "payments"]
    );

    let only = app
        .clone()
        .with_parameters(json!([{"name": "bundles", "array": ["payments"]}]));
    let g = sidecar.generate(&repo, &only);
    let objs = g.ok("bundles=[payments]");
    assert!(!objs.is_empty());
    for o in objs {
        assert_eq!(
            label(o, "app.kubernetes.io/part-of"),
            Some("payments"),
            "{o}"
        );
    }
    assert!(ids(objs).contains(&("KafkaTopic".to_string(), "payments.settled.v1".to_string())));
    let expected: BTreeSet<_> = by_bundle(all)["payments"]
        .iter()
        .map(|o| (kind(o).to_string(), name(o).to_string()))
        .collect();
    assert_eq!(
        ids(objs),
        expected,
        "exactly the payments objects of the full output"
    );

    let both = app
        .clone()
        .with_parameters(json!([{"name": "bundles", "array": ["payments", "orders"]}]));
    assert_eq!(ids(sidecar.generate(&repo, &both).ok("both")), ids(all));

    let missing = app.with_parameters(json!([{"name": "bundles", "array": ["paymnets"]}]));
    assert_refused(
        &sidecar.generate(&repo, &missing),
        "KB122",
        "bundles=[paymnets]",
    );
}

/// Parameters kbundle cannot use fail generation with KB121 and print nothing.
pub fn bad_parameters_fail_with_kb121() {
    let sidecar = Sidecar::kbundle();
    let repo = plain_repo();
    let app = Application::kbundle("kafka", "apps/kafka");
    for (what, params) in [
        (
            "unknown name",
            json!([{"name": "enviroment", "string": "prod"}]),
        ),
        (
            "environment as an array",
            json!([{"name": "environment", "array": ["prod"]}]),
        ),
        (
            "bundles as a string",
            json!([{"name": "bundles", "string": "orders"}]),
        ),
        (
            "read-only announcement",
            json!([{"name": "detected-bundles", "array": ["orders"]}]),
        ),
    ] {
        let a = app.clone().with_parameters(params);
        assert_refused(&sidecar.generate(&repo, &a), "KB121", what);
    }
    // Malformed JSON cannot come from Argo CD itself, but the variable is plain text.
    for text in [
        "[{\"name\": \"environment\", ",
        "{\"name\": \"environment\"}",
        "42",
    ] {
        let mut entries = app.env_entries();
        entries.retain(|(k, _)| k != "ARGOCD_APP_PARAMETERS");
        entries.push(("ARGOCD_APP_PARAMETERS".into(), text.into()));
        let run = run_command(
            &sidecar.plugin.spec.generate.argv(),
            &repo.app_path("apps/kafka"),
            &sidecar.command_env(&entries),
            ARGO_TIMEOUT,
            None,
        )
        .expect("run");
        assert!(!run.success(), "{text}");
        assert!(
            codes(&run.stderr).contains("KB121"),
            "{text}: {}",
            run.stderr
        );
        assert!(run.stdout.is_empty(), "{text}");
    }
}

/// A bundle kbundle refuses (policy violation, malformed YAML) fails generation: non-zero, the
/// KB code on stderr, nothing on stdout — also through a kustomization.
pub fn bad_bundles_fail_with_nothing_on_stdout() {
    // kbundle runs kubectl for the kustomization in this test.
    support::require("kubectl");
    let sidecar = Sidecar::kbundle();
    let app = Application::kbundle("kafka", "apps/kafka");

    let over = plain_repo();
    over.write(
        "apps/kafka/payments.yaml",
        &PAYMENTS.replace("partitions: 12", "partitions: 500"),
    );
    assert_refused(
        &sidecar.generate(&over, &app),
        "KB023",
        "over maxPartitions",
    );

    let broken = plain_repo();
    broken.write(
        "apps/kafka/payments.yaml",
        &PAYMENTS.replace("  topics:\n", "  topics: [\n"),
    );
    let g = sidecar.generate(&broken, &app);
    let (run, _) = g.err("malformed YAML");
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(
        codes(&run.stderr).contains("KB001"),
        "no KB001: {}",
        run.stderr
    );
    assert!(
        run.stderr.contains("payments.yaml"),
        "the file is not named: {}",
        run.stderr
    );

    let kustomized = Repo::empty();
    kustomized
        .write(
            "overlays/prod/kustomization.yaml",
            "resources:\n- payments.yaml\ntransformers:\n- env.yaml\n",
        )
        .write(
            "overlays/prod/payments.yaml",
            &PAYMENTS.replace("partitions: 12", "partitions: 500"),
        )
        .write("overlays/prod/env.yaml", PROD);
    let app = Application::kbundle("prod", "overlays/prod");
    sidecar.select(&kustomized, &app).expect("discovered");
    assert_refused(
        &sidecar.generate(&kustomized, &app),
        "KB023",
        "kustomize overlay over maxPartitions",
    );
}

/// Nothing to deploy is refused (KB120), never printed as an empty manifest set.
pub fn empty_app_is_refused_with_kb120() {
    let sidecar = Sidecar::kbundle();
    let repo = Repo::empty();
    repo.write("only-env/prod.yaml", PROD)
        .write("nothing/.keep", "")
        .write("unrelated/cm.yaml", "# just a comment\n");
    for dir in ["only-env", "nothing", "unrelated"] {
        let app = Application::kbundle("empty", dir);
        let d = sidecar.discover(&repo.app_path(dir), &app.env_entries());
        // An Environment alone is a kbundle app (discovery matches) with nothing to deploy.
        let wanted = if dir == "only-env" {
            Discovery::Matched
        } else {
            Discovery::NotMatched
        };
        assert_eq!(d, Ok(wanted), "{dir}");
        // Generated anyway (a named plugin whose discovery is bypassed, or a manual run).
        assert_refused(&sidecar.generate(&repo, &app), "KB120", dir);
    }
}

/// Generating twice gives the same bytes (no timestamps, no map-order noise), for a plain app
/// and for a kustomize overlay.
pub fn generate_is_deterministic() {
    // kbundle runs kubectl for the kustomization in this test.
    support::require("kubectl");
    let sidecar = Sidecar::kbundle();
    let repo = plain_repo();
    repo.write(
        "apps/base/kustomization.yaml",
        "resources:\n- orders.yaml\n- payments.yaml\n",
    )
    .write("apps/base/orders.yaml", ORDERS)
    .write("apps/base/payments.yaml", PAYMENTS)
    .write(
        "apps/overlay/kustomization.yaml",
        "resources:\n- ../base\ntransformers:\n- env.yaml\n",
    )
    .write("apps/overlay/env.yaml", STAGING);
    for path in ["apps/kafka", "apps/overlay"] {
        let app = Application::kbundle("kafka", path);
        let first = sidecar.generate(&repo, &app);
        first.ok(path);
        let second = sidecar.generate(&repo, &app);
        second.ok(path);
        assert_eq!(
            first.run.as_ref().expect("run").stdout,
            second.run.as_ref().expect("run").stdout,
            "{path}"
        );
    }
}

/// However the Application spells its path (`./x`, `x/`), files a bundle names are found
/// relative to the repository root of the sidecar's copy — and not outside it.
pub fn source_path_spellings_keep_the_repository_root() {
    // kbundle runs kubectl for the kustomization in this test.
    support::require("kubectl");
    let sidecar = Sidecar::kbundle();
    let repo = Repo::empty();
    let schema = r#"{"type": "record", "name": "Created", "namespace": "com.example.orders", "fields": [{"name": "id", "type": "string"}]}
"#;
    repo.write(
        "base/kustomization.yaml",
        "resources:\n- orders.yaml\nbuildMetadata: [originAnnotations]\n",
    )
        .write(
            "base/orders.yaml",
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
      file: schemas/created.avsc
",
        )
        .write("base/schemas/created.avsc", schema)
        .write(
            "overlays/prod/env.yaml",
            &format!(
                "{PROD}  schemaRegistry:\n    url: http://schema-registry.kafka:8081\n  hooks:\n    image: curlimages/curl:8.11.0\n"
            ),
        )
        .write(
            "overlays/prod/kustomization.yaml",
            "resources:\n- ../../base\ntransformers:\n- env.yaml\nbuildMetadata: [originAnnotations]\n",
        );
    for path in [
        "overlays/prod",
        "./overlays/prod",
        "overlays/prod/",
        "overlays//prod",
    ] {
        let app = Application::kbundle("prod", path);
        let g = sidecar.generate(&repo, &app);
        let objs = g.ok(path);
        let cm = objs
            .iter()
            .find(|o| kind(o) == "ConfigMap" && o.pointer("/data/schema.avsc").is_some())
            .unwrap_or_else(|| panic!("{path}: no schema ConfigMap in {objs:?}"));
        assert_eq!(cm["data"]["schema.avsc"], schema, "{path}");
        assert!(
            objs.iter().any(|o| kind(o) == "Job"),
            "{path}: no schema Job"
        );
    }
    // A schema outside the repository is refused even though it exists on disk.
    let outside = repo.root.parent().expect("parent").join("outside.avsc");
    std::fs::write(&outside, schema).expect("write");
    repo.write(
        "base/orders.yaml",
        &std::fs::read_to_string(repo.root.join("base/orders.yaml"))
            .expect("read")
            .replace("file: schemas/created.avsc", "file: ../../outside.avsc"),
    );
    let g = sidecar.generate(&repo, &Application::kbundle("prod", "overlays/prod"));
    let (run, _) = g.err("schema outside the repository");
    assert!(run.stdout.is_empty());
    assert!(codes(&run.stderr).contains("KB054"), "{}", run.stderr);
}

register!(
    parameters_announce_detected_environments_and_bundles,
    argo_null_parameters_mean_none,
    environment_parameter_selects_the_environment,
    bundles_parameter_restricts_the_output,
    bad_parameters_fail_with_kb121,
    bad_bundles_fail_with_nothing_on_stdout,
    empty_app_is_refused_with_kb120,
    generate_is_deterministic,
    source_path_spellings_keep_the_repository_root
);
