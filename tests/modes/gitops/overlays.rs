use super::*;

// ---------------------------------------------------------------------------------------------
// kustomize

/// Each overlay renders through `kubectl kustomize --enable-alpha-plugins` with the legacy
/// plugin: both bundles' objects under that overlay's Environment, with its patches (prod: 24
/// partitions for orders.created.v1; dev: the sink connector stopped), and nothing of the
/// inputs. A second build prints the same bytes.
pub fn kustomize_renders_every_overlay() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("plugins");
    install_plugin(&home);
    let repo = copy_example(tmp.path());

    for env in ENVS {
        let out = kustomize(&home, &repo, env);
        assert_ok(&out, &format!("kubectl kustomize overlays/{env}"));
        let text = stdout(&out);
        let objs = docs(&text);
        assert_environment(&objs, env, true);
        assert!(
            objs.iter()
                .all(|o| !matches!(kind(o), "AppBundle" | "Environment" | "Application")),
            "inputs leaked into overlays/{env}:\n{text}"
        );
        // buildMetadata: [originAnnotations] is what lets kbundle find base/orders/schemas.
        for o in &objs {
            let origin = annotation(o, "config.kubernetes.io/origin").unwrap_or_default();
            assert!(
                origin.contains(&format!("name: {env}")),
                "{env}: origin of {o}"
            );
        }

        let again = kustomize(&home, &repo, env);
        assert_ok(&again, &format!("second kubectl kustomize overlays/{env}"));
        assert_eq!(
            again.stdout, out.stdout,
            "overlays/{env}: a second build differs"
        );
    }
}

/// A bundle change that breaks prod's guardrails (the prod patch raised to 96 partitions,
/// policy.maxPartitions is 48): kubectl fails, the KB023 diagnostic names the bundle file and
/// field, and no manifest reaches stdout. dev and staging are unaffected.
pub fn kustomize_refuses_prod_over_max_partitions() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("plugins");
    install_plugin(&home);
    let repo = copy_example(tmp.path());
    let kustomization = repo.join("overlays/prod/kustomization.yaml");
    let text = std::fs::read_to_string(&kustomization).unwrap();
    assert!(text.contains("value: 24"), "{text}");
    std::fs::write(&kustomization, text.replace("value: 24", "value: 96")).unwrap();

    let out = kustomize(&home, &repo, "prod");
    assert!(
        !out.status.success(),
        "kubectl kustomize overlays/prod should fail:\n{}",
        stdout(&out)
    );
    assert!(out.stdout.is_empty(), "stdout: {}", stdout(&out));
    let err = stderr(&out);
    for needle in [
        "error[KB023]: partitions is 96, Environment/prod allows at most 48",
        "../../base/orders/appbundle.yaml",
        "AppBundle/orders",
        "spec.topics[0].partitions",
    ] {
        assert!(err.contains(needle), "stderr lacks {needle:?}:\n{err}");
    }

    for env in ["dev", "staging"] {
        assert_ok(
            &kustomize(&home, &repo, env),
            &format!("kubectl kustomize overlays/{env}"),
        );
    }
}

// ---------------------------------------------------------------------------------------------
// kpt

/// `kpt fn eval . --exec "kbundle fn" -o stdout -- environment=<env>` from the package renders
/// the base bundles under the chosen Environment (no kustomize patches: prod keeps 6
/// partitions), leaves the Argo CD Applications and kustomizations out (.krmignore), keeps the
/// inputs as local-config, writes no file, and prints the same bytes twice. `-o unwrap` prints
/// the same items as a YAML stream.
pub fn kpt_renders_every_environment() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = copy_example(tmp.path());
    let before = snapshot(&repo);

    for env in ENVS {
        let out = kpt_eval(&repo, "stdout", env);
        assert_ok(&out, &format!("kpt fn eval -- environment={env}"));
        let (generated, others) = split_items(&stdout(&out));
        assert_environment(&generated, env, false);
        for o in &generated {
            let path = annotation(o, "internal.config.kubernetes.io/path").unwrap_or_default();
            let bundle = label(o, "app.kubernetes.io/part-of").unwrap_or_default();
            assert_eq!(
                path,
                format!("base/{bundle}/generated/{bundle}.yaml"),
                "{o}"
            );
        }
        let mut rest: Vec<(String, String)> = others
            .iter()
            .map(|o| (kind(o).to_string(), name(o).to_string()))
            .collect();
        rest.sort();
        assert_eq!(
            rest,
            [
                ("AppBundle", "orders"),
                ("AppBundle", "payments"),
                ("Environment", "confluent"),
                ("Environment", "dev"),
                ("Environment", "prod"),
                ("Environment", "staging"),
                ("Kptfile", "kafka-apps"),
            ]
            .map(|(k, n)| (k.to_string(), n.to_string())),
            "{env}: .krmignore keeps argocd/ and kustomization.yaml out"
        );
        for o in &others {
            assert_eq!(
                annotation(o, "config.kubernetes.io/local-config"),
                Some("true"),
                "{o}"
            );
        }

        let again = kpt_eval(&repo, "stdout", env);
        assert_ok(&again, &format!("second kpt fn eval -- environment={env}"));
        assert_eq!(again.stdout, out.stdout, "{env}: a second kpt run differs");

        let unwrap = kpt_eval(&repo, "unwrap", env);
        assert_ok(
            &unwrap,
            &format!("kpt fn eval -o unwrap -- environment={env}"),
        );
        let stream = docs(&stdout(&unwrap));
        let (stream_generated, _): (Vec<_>, Vec<_>) = stream
            .into_iter()
            .partition(|o| label(o, "app.kubernetes.io/managed-by") == Some("kbundle"));
        assert_eq!(
            by_id(&stream_generated),
            by_id(&generated),
            "{env}: -o unwrap"
        );
    }
    assert_eq!(
        snapshot(&repo),
        before,
        "kpt fn eval -o stdout/unwrap wrote into the package"
    );
}

// ---------------------------------------------------------------------------------------------
// All paths

/// The three paths agree where they should: staging has no overlay patches, so kustomize, kpt
/// and `kbundle render base overlays/staging/environment.yaml` give the same objects, apart
/// from where-from annotations. For prod, the only difference is the patched partition count.
pub fn kustomize_kpt_and_cli_agree() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("plugins");
    install_plugin(&home);
    let repo = copy_example(tmp.path());

    for env in ["staging", "prod"] {
        let out = kustomize(&home, &repo, env);
        assert_ok(&out, &format!("kubectl kustomize overlays/{env}"));
        let mut kustomized = by_id(&docs(&stdout(&out)));

        let out = kpt_eval(&repo, "stdout", env);
        assert_ok(&out, &format!("kpt fn eval -- environment={env}"));
        let kpt = by_id(&split_items(&stdout(&out)).0);

        let out = cli_render(&repo, env);
        assert_ok(
            &out,
            &format!("kbundle render base overlays/{env}/environment.yaml"),
        );
        let cli = by_id(&docs(&stdout(&out)));
        assert_environment(&cli.values().cloned().collect::<Vec<_>>(), env, false);

        assert_eq!(kpt, cli, "{env}: kpt and the CLI differ");
        if env == "prod" {
            let key = ("KafkaTopic".to_string(), "orders.created.v1".to_string());
            let topic = kustomized.get_mut(&key).unwrap();
            assert_eq!(topic["spec"]["partitions"], 24);
            topic["spec"]["partitions"] = Value::from(6);
        }
        assert_eq!(kustomized, cli, "{env}: kustomize and the CLI differ");
    }
}

// ---------------------------------------------------------------------------------------------
// Argo CD

/// One Application per environment, pointing at its overlay through the kbundle CMP: the
/// overlay exists, no `environment` parameter competes with the overlay's Environment
/// transformer (KB125), automated sync with prune for dev and staging, manual for prod.
pub fn argocd_applications_point_at_the_overlays() {
    let root = support::root().join("examples/gitops");
    for env in ENVS {
        let file = root.join(format!("argocd/orders-payments-{env}.yaml"));
        let text = std::fs::read_to_string(&file)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
        let apps = docs(&text);
        assert_eq!(apps.len(), 1, "{}", file.display());
        let app = &apps[0];
        assert_eq!(s(app, "/apiVersion"), Some("argoproj.io/v1alpha1"));
        assert_eq!(kind(app), "Application");
        assert_eq!(name(app), format!("orders-payments-{env}"));
        assert_eq!(s(app, "/metadata/namespace"), Some("argocd"));
        assert_eq!(
            s(app, "/spec/source/repoURL"),
            Some("https://git.example.com/platform/kafka-apps.git")
        );
        let path = s(app, "/spec/source/path").expect("source.path");
        assert_eq!(path, format!("overlays/{env}"));
        assert!(root.join(path).join("kustomization.yaml").is_file());
        assert!(root.join(path).join("environment.yaml").is_file());
        assert_eq!(s(app, "/spec/source/plugin/name"), Some("kbundle-v1"));
        assert!(
            app.pointer("/spec/source/plugin/parameters").is_none(),
            "{env}: the overlay already names its Environment"
        );
        assert_eq!(
            s(app, "/spec/destination/server"),
            Some("https://kubernetes.default.svc")
        );
        assert_eq!(s(app, "/spec/destination/namespace"), Some("kafka"));
        let automated = app.pointer("/spec/syncPolicy/automated");
        if env == "prod" {
            assert!(automated.is_none(), "prod syncs by hand: {app}");
        } else {
            assert_eq!(
                automated.and_then(|a| a.get("prune")),
                Some(&Value::Bool(true))
            );
        }
        assert!(
            app.pointer("/spec/syncPolicy/syncOptions")
                .and_then(Value::as_array)
                .is_some_and(|o| !o.is_empty()),
            "{app}"
        );
    }
}

/// `kbundle render overlays/<env>` (what the README's first command runs, and what the Argo CD
/// plugin does) builds each overlay itself — no plugin installed — and gives the same objects as
/// `kubectl kustomize` with the installed plugin, without kustomize's origin annotations.
pub fn kbundle_render_of_every_overlay_matches_kubectl_kustomize() {
    // kbundle runs kubectl for the kustomization in this test.
    support::require("kubectl");
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("plugins");
    install_plugin(&home);
    let repo = copy_example(tmp.path());
    for env in ENVS {
        let mut cmd = Command::new(kbundle());
        cmd.current_dir(&repo)
            .arg("render")
            .arg(format!("overlays/{env}"))
            .env_remove("KUSTOMIZE_PLUGIN_HOME");
        let out = run(cmd);
        assert_ok(&out, &format!("kbundle render overlays/{env}"));
        assert!(stderr(&out).is_empty(), "{env}: {}", stderr(&out));
        let text = stdout(&out);
        assert!(!text.contains("config.kubernetes.io/origin"), "{env}");
        let objs = docs(&text);
        assert_environment(&objs, env, true);

        let by_kubectl = kustomize(&home, &repo, env);
        assert_ok(&by_kubectl, &format!("kubectl kustomize overlays/{env}"));
        assert_eq!(
            by_id(&objs),
            by_id(&docs(&stdout(&by_kubectl))),
            "{env}: kbundle render and kubectl kustomize differ"
        );

        let again = run({
            let mut c = Command::new(kbundle());
            c.current_dir(&repo)
                .arg("render")
                .arg(format!("overlays/{env}"));
            c
        });
        assert_eq!(again.stdout, out.stdout, "{env}: a second render differs");
    }
}

register!(
    kustomize_renders_every_overlay,
    kustomize_refuses_prod_over_max_partitions,
    kpt_renders_every_environment,
    kustomize_kpt_and_cli_agree,
    argocd_applications_point_at_the_overlays,
    kbundle_render_of_every_overlay_matches_kubectl_kustomize
);
