use super::*;

// ---------------------------------------------------------------------------------------------
// kbundle under the simulator
// ---------------------------------------------------------------------------------------------

/// The Applications of the GitOps example.
pub fn example_applications(gitops: &Path) -> Vec<Application> {
    let dir = gitops.join("argocd");
    assert!(
        dir.is_dir(),
        "{} is missing: the GitOps example (base/, overlays/, argocd/ Applications) is part of \
         the repository",
        dir.display()
    );
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("read argocd/")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .collect();
    files.sort();
    let mut apps = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).expect("read");
        let origin = f.strip_prefix(gitops).unwrap_or(&f).display().to_string();
        for chunk in split_yaml_stream(&text).expect("split") {
            if chunk
                .lines()
                .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
            {
                continue;
            }
            let v = parse_yaml_document(&chunk).unwrap_or_else(|e| panic!("{origin}: {e}"));
            if v["kind"] == "Application" {
                apps.push(Application::from_value(&v, &origin));
            }
        }
    }
    assert!(!apps.is_empty(), "{} holds no Application", dir.display());
    apps
}

/// The GitOps example as Argo CD sees it (repoURL's repository root = `examples/gitops`).
pub fn gitops_repo() -> (PathBuf, Repo) {
    let src = support::root().join("examples/gitops");
    assert!(
        src.is_dir(),
        "{} is missing: the GitOps example is part of the repository",
        src.display()
    );
    let repo = Repo::copy_of(&src);
    (src, repo)
}

/// What each overlay of the GitOps example must deploy: its Environment (and cluster), the
/// partitions of `orders.created.v1` (prod patches it to 24), whether dev's patch stopped the
/// sink connector.
pub const OVERLAYS: [(&str, &str, i64, bool); 3] = [
    ("dev", "kafka-dev", 6, true),
    ("staging", "kafka-staging", 6, false),
    ("prod", "kafka-prod", 24, false),
];

/// The schema files of the example, by the subject they are registered under.
pub const EXAMPLE_SUBJECTS: [(&str, &str); 3] = [
    (
        "orders.created.v1-key",
        "base/orders/schemas/order-key.avsc",
    ),
    (
        "orders.created.v1-value",
        "base/orders/schemas/order-created.avsc",
    ),
    (
        "payments.settled.v1-value",
        "base/payments/schemas/payment-settled.avsc",
    ),
];

pub fn annotation<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.pointer("/metadata/annotations")?.get(key)?.as_str()
}

pub fn container_env<'a>(job: &'a Value, var: &str) -> Option<&'a str> {
    job.pointer("/spec/template/spec/containers")?
        .as_array()?
        .iter()
        .flat_map(|c| c["env"].as_array().into_iter().flatten())
        .find(|e| e["name"] == var)?
        .get("value")?
        .as_str()
}

/// The overlay-specific content of one example Application's manifests.
pub fn assert_gitops_overlay(objs: &[Value], overlay: &str, src: &Path, what: &str) {
    let (_, cluster, created_partitions, stopped) = OVERLAYS
        .iter()
        .find(|o| o.0 == overlay)
        .unwrap_or_else(|| panic!("{what}: no expectations for overlay {overlay:?}"));
    let find = |k: &str, n: &str| {
        objs.iter()
            .find(|o| kind(o) == k && name(o) == n)
            .unwrap_or_else(|| panic!("{what}: no {k} {n} in {:?}", ids(objs)))
    };
    let of_kind = |k: &str| -> Vec<&Value> { objs.iter().filter(|o| kind(o) == k).collect() };
    let topics: BTreeMap<&str, i64> = of_kind("KafkaTopic")
        .iter()
        .map(|t| {
            (
                t["spec"]["topicName"].as_str().unwrap_or(name(t)),
                t["spec"]["partitions"].as_i64().unwrap_or(-1),
            )
        })
        .collect();
    assert_eq!(
        topics.keys().copied().collect::<Vec<_>>(),
        [
            "orders.audit.v1",
            "orders.created.v1",
            "payments.settled.v1"
        ],
        "{what}"
    );
    assert_eq!(topics["orders.created.v1"], *created_partitions, "{what}");
    let users: BTreeSet<&str> = of_kind("KafkaUser").iter().map(|u| name(u)).collect();
    assert_eq!(
        users,
        BTreeSet::from(["orders-service", "payments-service"]),
        "{what}"
    );
    for o in of_kind("KafkaTopic").iter().chain(&of_kind("KafkaUser")) {
        assert_eq!(
            label(o, "strimzi.io/cluster"),
            Some(*cluster),
            "{what}: {o}"
        );
    }
    let connector = find("KafkaConnector", "orders-to-warehouse");
    assert_eq!(
        connector["spec"]["state"] == "stopped",
        *stopped,
        "{what}: connector state {}",
        connector["spec"]["state"]
    );
    // Schema registration: one PreSync Job per subject, mounting a ConfigMap that holds the
    // schema file as the repository has it (found through kustomize, inside the copy).
    let mut subjects = BTreeMap::new();
    for job in of_kind("Job") {
        let hook = annotation(job, "argocd.argoproj.io/hook");
        assert!(
            hook.is_some(),
            "{what}: Job {} is not an Argo CD hook",
            name(job)
        );
        let Some(subject) = container_env(job, "SUBJECT") else {
            continue;
        };
        assert_eq!(hook, Some("PreSync"), "{what}: {}", name(job));
        let cm_name = job
            .pointer("/spec/template/spec/volumes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find_map(|v| v.pointer("/configMap/name").and_then(Value::as_str))
            .unwrap_or_else(|| panic!("{what}: Job {} mounts no ConfigMap", name(job)));
        let schema = find("ConfigMap", cm_name)["data"]["schema.avsc"]
            .as_str()
            .unwrap_or_else(|| panic!("{what}: ConfigMap {cm_name} holds no schema.avsc"));
        subjects.insert(subject.to_string(), schema.to_string());
    }
    let expected: BTreeMap<String, String> = EXAMPLE_SUBJECTS
        .iter()
        .map(|(subject, file)| {
            let text = std::fs::read_to_string(src.join(file)).expect("schema file");
            (subject.to_string(), text)
        })
        .collect();
    assert_eq!(subjects, expected, "{what}: schema subjects and contents");
    let hooks = |phase: &str| {
        of_kind("Job")
            .iter()
            .filter(|j| annotation(j, "argocd.argoproj.io/hook") == Some(phase))
            .count()
    };
    assert_eq!(
        hooks("PreSync"),
        EXAMPLE_SUBJECTS.len(),
        "{what}: one schema Job per subject"
    );
    assert_eq!(hooks("Sync"), 1, "{what}: one ksql migration Job");
    assert!(hooks("PostSync") >= 1, "{what}: no smoke-test Job");
    for k in ["PrometheusRule", "AlertmanagerConfig"] {
        let owners: BTreeSet<&str> = of_kind(k)
            .iter()
            .filter_map(|o| label(o, "app.kubernetes.io/part-of"))
            .collect();
        assert_eq!(
            owners,
            BTreeSet::from(["orders", "payments"]),
            "{what}: {k}"
        );
    }
    for o in objs {
        assert_eq!(
            o["metadata"]["namespace"],
            "kafka",
            "{what}: {} {}",
            kind(o),
            name(o)
        );
    }
}

/// Every Application of the GitOps example (one per overlay): the plugin is selected, announces
/// the overlay's Environment and bundles, and generates Kubernetes objects — the same bytes
/// twice — that hold what the overlay deploys, with every Strimzi object valid against the
/// vendored CRDs.
pub fn gitops_example_applications_generate_valid_manifests() {
    // kbundle runs kubectl for the kustomization in this test.
    support::require("kubectl");
    let (src, repo) = gitops_repo();
    let apps = example_applications(&src);
    let paths: BTreeSet<String> = apps
        .iter()
        .map(|a| clean_elements(&a.path).join("/"))
        .collect();
    let overlays: BTreeSet<String> = OVERLAYS
        .iter()
        .map(|o| format!("overlays/{}", o.0))
        .collect();
    assert_eq!(paths, overlays, "one Application per overlay");
    let sidecar = Sidecar::kbundle();
    let mut report = Vec::new();
    for app in &apps {
        let what = format!("{} ({})", app.origin, app.name);
        assert!(
            app.plugin_name.is_empty() || app.plugin_name == "kbundle-v1",
            "{what}: plugin.name {:?}",
            app.plugin_name
        );
        let overlay = clean_elements(&app.path)
            .last()
            .cloned()
            .unwrap_or_default();
        sidecar
            .select(&repo, app)
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        let params = sidecar
            .parameters(&repo, app)
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        let detected = |n: &str| {
            params
                .iter()
                .find(|a| a.name == n)
                .and_then(|a| a.array.clone())
                .unwrap_or_else(|| panic!("{what}: no {n} announcement in {params:?}"))
        };
        assert_eq!(
            detected("detected-environments"),
            std::slice::from_ref(&overlay),
            "{what}"
        );
        assert_eq!(
            detected("detected-bundles"),
            ["orders", "payments"],
            "{what}"
        );
        let g = sidecar.generate(&repo, app);
        let objs = g.ok(&what);
        let run = g.run.as_ref().expect("run");
        assert!(
            !objs.iter().any(|o| o["apiVersion"]
                .as_str()
                .is_some_and(|a| a.starts_with("kbundle.dev/"))),
            "{what}: kbundle inputs leaked into the manifests"
        );
        assert_eq!(
            by_bundle(objs).keys().collect::<Vec<_>>(),
            ["orders", "payments"],
            "{what}: every object belongs to a bundle"
        );
        assert_eq!(
            by_bundle(objs).values().map(Vec::len).sum::<usize>(),
            objs.len(),
            "{what}"
        );
        assert_gitops_overlay(objs, &overlay, &src, &what);
        let valid = assert_strimzi_valid(objs, &what);
        let again = sidecar.generate(&repo, app);
        assert_eq!(
            again.run.as_ref().expect("run").stdout,
            run.stdout,
            "{what}: a second generate printed different bytes"
        );
        report.push(format!(
            "{what}: {} objects {:?}, {valid} checked against the CRDs",
            objs.len(),
            count_kinds(objs)
        ));
    }
    eprintln!("{}", report.join("\n"));
}

/// A plain app directory (AppBundles and an Environment, no kustomization) is discovered;
/// a directory with only unrelated YAML is not, and discover prints nothing and exits 0.
pub fn discovery_matches_kbundle_apps_only() {
    let repo = plain_repo();
    repo.write("apps/web/deployment.yaml", UNRELATED)
        .write("apps/web/notes.txt", "kbundle.dev/v1alpha1 AppBundle\n")
        .write("apps/empty/.keep", "");
    let sidecar = Sidecar::kbundle();
    let app = Application::kbundle("kafka", "apps/kafka");
    assert_eq!(
        sidecar.discover(&repo.app_path("apps/kafka"), &app.env_entries()),
        Ok(Discovery::Matched)
    );
    sidecar.select(&repo, &app).expect("plain app");
    let objs = sidecar.generate(&repo, &app);
    let objs = objs.ok("plain app");
    assert_eq!(
        ids(objs),
        BTreeSet::from(
            [
                ("KafkaTopic", "orders.created.v1"),
                ("KafkaTopic", "orders.audit.v1"),
                ("KafkaTopic", "payments.settled.v1"),
                ("KafkaUser", "orders-service"),
                ("KafkaUser", "payments-service"),
            ]
            .map(|(k, n)| (k.to_string(), n.to_string()))
        )
    );
    assert!(
        objs.iter()
            .all(|o| o["metadata"]["namespace"] == "kafka-prod")
    );
    assert_strimzi_valid(objs, "plain app");

    for dir in ["apps/web", "apps/empty"] {
        let app = Application::kbundle("web", dir);
        let argv = &sidecar.plugin.spec.discover.find.command;
        let run = run_command(
            argv,
            &repo.app_path(dir),
            &sidecar.command_env(&app.env_entries()),
            ARGO_TIMEOUT,
            None,
        )
        .expect("discover");
        assert!(run.success(), "{dir}: {}", run.error());
        assert_eq!(run.stdout, "", "{dir}: discover printed something");
        assert_eq!(
            sidecar.discover(&repo.app_path(dir), &[]),
            Ok(Discovery::NotMatched)
        );
        let err = sidecar.select(&repo, &app).expect_err(dir);
        assert!(err.contains("does not support"), "{err}");
    }
}

pub fn announcement<'a>(list: &'a [Announcement], name: &str) -> &'a Announcement {
    list.iter()
        .find(|a| a.name == name)
        .unwrap_or_else(|| panic!("no announcement {name} in {list:#?}"))
}

register!(
    gitops_example_applications_generate_valid_manifests,
    discovery_matches_kbundle_apps_only
);
