use super::*;

/// A destination cluster whose Strimzi serves only v1beta2: generate still succeeds (the CRDs
/// may come in the same sync) but warns with KB127 and names the Environment setting to change.
pub fn unserved_api_versions_are_warned_about() {
    let sidecar = Sidecar::kbundle();
    let repo = plain_repo();
    let app = Application::kbundle("kafka", "apps/kafka")
        .with_kube_api_versions("v1,batch/v1,kafka.strimzi.io/v1beta2,monitoring.coreos.com/v1");
    let g = sidecar.generate(&repo, &app);
    let objs = g.ok("a cluster with Strimzi v1beta2 only");
    assert!(objs.iter().any(|o| kind(o) == "KafkaTopic"));
    let run = g.run.as_ref().expect("generate ran");
    assert!(
        run.stderr.contains("warning[KB127]")
            && run
                .stderr
                .contains("does not serve kafka.strimzi.io/v1 (KafkaTopic, KafkaUser)")
            && run
                .stderr
                .contains("spec.strimzi.apiVersion: kafka.strimzi.io/v1beta2"),
        "{}",
        run.stderr
    );
    // The default simulated cluster serves everything: no warning.
    let g = sidecar.generate(&repo, &Application::kbundle("kafka", "apps/kafka"));
    g.ok("a cluster serving every API");
    assert!(!g.run.as_ref().unwrap().stderr.contains("KB127"));
}

/// On an overlay whose Environment is a transformer, the `environment` parameter can only
/// confirm that Environment: the deferred transformer (last in the list) makes another name
/// KB011; a transformer that cannot be deferred (another one runs after it) makes it KB125.
pub fn environment_parameter_on_an_overlay_confirms_its_environment() {
    // kbundle runs kubectl for the kustomization in this test.
    support::require("kubectl");
    let (_, repo) = gitops_repo();
    let sidecar = Sidecar::kbundle();
    let app = Application::kbundle("kafka-prod", "overlays/prod");
    let with_env = |name: &str| {
        app.clone()
            .with_parameters(json!([{"name": "environment", "string": name}]))
    };
    let prod = sidecar.generate(&repo, &with_env("prod"));
    let objs = prod.ok("environment=prod on overlays/prod");
    assert!(objs.iter().any(|o| kind(o) == "KafkaTopic"));
    assert_refused(
        &sidecar.generate(&repo, &with_env("dev")),
        "KB011",
        "environment=dev on overlays/prod (deferred transformer)",
    );

    // A LabelTransformer after the Environment: kustomize renders through the plugin.
    repo.write(
        "overlays/prod/labels.yaml",
        "apiVersion: builtin\nkind: LabelTransformer\nmetadata:\n  name: team\nlabels:\n  \
         team: platform\nfieldSpecs:\n- path: metadata/labels\n  create: true\n",
    );
    let k = repo.app_path("overlays/prod").join("kustomization.yaml");
    let text = std::fs::read_to_string(&k).unwrap();
    let text = text.replace(
        "  - environment.yaml\n",
        "  - environment.yaml\n  - labels.yaml\n",
    );
    assert!(text.contains("- labels.yaml"), "{text}");
    std::fs::write(&k, text).unwrap();
    let prod = sidecar.generate(&repo, &with_env("prod"));
    let objs = prod.ok("environment=prod, transformer not last");
    assert!(
        objs.iter()
            .filter(|o| kind(o) == "KafkaTopic")
            .all(|o| label(o, "team") == Some("platform")),
        "the later transformer reached the generated objects"
    );
    assert_refused(
        &sidecar.generate(&repo, &with_env("dev")),
        "KB125",
        "environment=dev on overlays/prod (transformer not deferred)",
    );
}

register!(
    unserved_api_versions_are_warned_about,
    environment_parameter_on_an_overlay_confirms_its_environment
);
