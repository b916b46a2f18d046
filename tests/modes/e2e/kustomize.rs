use super::*;

// ---------------------------------------------------------------------------------------------
// kubectl kustomize with the legacy exec plugin

/// base + overlay: the overlay patches the AppBundle and renders it with its Environment as a
/// transformer.
pub fn kubectl_kustomize_overlay_with_environment_transformer() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("plugins");
    install_plugin(&home);
    let root = base_and_prod_env(tmp.path());
    write(
        &root,
        "overlays/prod/kustomization.yaml",
        "resources:
- ../../base
patches:
- target:
    group: kbundle.dev
    version: v1alpha1
    kind: AppBundle
    name: orders
  patch: |-
    - op: replace
      path: /spec/topics/0/partitions
      value: 24
transformers:
- env.yaml
",
    );
    let overlay = root.join("overlays/prod");

    let out = kustomize(&home, &overlay, true);
    assert_ok(
        &out,
        "kubectl kustomize --enable-alpha-plugins overlays/prod",
    );
    let text = stdout(&out);
    let objs = docs(&text);
    assert_eq!(ids(&objs), orders_ids());
    assert_generated(&objs, "orders", Some("kafka-prod"), "prod-cluster");
    assert_eq!(
        partitions(&objs),
        BTreeMap::from([
            ("orders.audit.v1".to_string(), 3),
            ("orders.created.v1".to_string(), 24)
        ]),
        "the prod patch raises orders.created.v1 to 24 partitions"
    );
    assert!(
        !text.contains("kbundle.dev/v1alpha1"),
        "inputs leaked:\n{text}"
    );
    assert!(!text.contains("local-config"), "{text}");

    let again = kustomize(&home, &overlay, true);
    assert_ok(&again, "second kubectl kustomize");
    assert_eq!(again.stdout, out.stdout, "kubectl kustomize output differs");

    // The base alone holds only the AppBundle: nothing renders it there.
    let base = kustomize(&home, &root.join("base"), true);
    assert_ok(&base, "kubectl kustomize base");
    let base = docs(&stdout(&base));
    assert_eq!(base.len(), 1);
    assert_eq!(kind(&base[0]), "AppBundle");
}

/// An AppBundle as a `generators:` entry uses the built-in defaults; with an Environment
/// transformer after it, the objects are rendered with the Environment's settings, once.
pub fn kubectl_kustomize_appbundle_generator() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("plugins");
    install_plugin(&home);

    let alone = tmp.path().join("alone");
    write(&alone, "kustomization.yaml", "generators:\n- bundle.yaml\n");
    write(&alone, "bundle.yaml", PAYMENTS);
    let out = kustomize(&home, &alone, true);
    assert_ok(&out, "kubectl kustomize with an AppBundle generator");
    let plain = docs(&stdout(&out));
    let expected = vec![
        ("KafkaTopic".to_string(), "payments.settled.v1".to_string()),
        ("KafkaUser".to_string(), "payments-service".to_string()),
    ];
    assert_eq!(ids(&plain), expected);
    // Built-in defaults: cluster `kafka`, no namespace.
    assert_generated(&plain, "payments", None, "kafka");
    assert!(!stdout(&out).contains("kbundle.dev/v1alpha1"));

    let with_env = tmp.path().join("with-env");
    write(
        &with_env,
        "kustomization.yaml",
        "generators:\n- bundle.yaml\ntransformers:\n- env.yaml\n",
    );
    write(&with_env, "bundle.yaml", PAYMENTS);
    write(&with_env, "env.yaml", PROD);
    let out = kustomize(&home, &with_env, true);
    assert_ok(
        &out,
        "kubectl kustomize with generator + Environment transformer",
    );
    let objs = docs(&stdout(&out));
    assert_eq!(ids(&objs), expected, "no duplicates, nothing missing");
    assert_generated(&objs, "payments", Some("kafka-prod"), "prod-cluster");
    assert_eq!(partitions(&objs)["payments.settled.v1"], 12);
    assert!(!stdout(&out).contains("kbundle.dev/v1alpha1"));
}

/// A policy violation under the Environment transformer: kubectl fails with the kbundle code
/// and prints no manifests.
pub fn kubectl_kustomize_policy_violation_fails() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("plugins");
    install_plugin(&home);
    let dir = tmp.path().join("bad");
    write(
        &dir,
        "kustomization.yaml",
        "resources:\n- bundle.yaml\ntransformers:\n- env.yaml\n",
    );
    write(
        &dir,
        "bundle.yaml",
        &PAYMENTS.replace("partitions: 12", "partitions: 500"),
    );
    write(&dir, "env.yaml", PROD);

    let out = kustomize(&home, &dir, true);
    assert_failed(&out, "kubectl kustomize of a bundle over maxPartitions");
    let err = stderr(&out);
    assert!(err.contains("KB023"), "stderr lacks KB023:\n{err}");
    assert!(out.stdout.is_empty(), "stdout: {}", stdout(&out));
}

/// Surprising kubectl behaviour with a KRM `exec:` function (`config.kubernetes.io/function`
/// annotation) instead of the legacy plugin. Observed with kubectl v1.32 (kustomize v5.5.0):
/// - without flags, kubectl refuses: "external plugins disabled; unable to load external
///   plugin 'Environment'" (non-zero exit) — no silent skip there;
/// - with `--enable-alpha-plugins`, kubectl has no `--enable-exec`, so the exec function is
///   skipped silently: exit 0, the function never runs, and the unrendered AppBundle goes to
///   stdout as if it were a cluster object. That happens even with the legacy plugin
///   installed: the annotation wins.
pub fn kubectl_kustomize_exec_function_is_not_run() {
    let tmp = tempfile::tempdir().unwrap();
    let empty_home = tmp.path().join("no-plugins");
    std::fs::create_dir_all(&empty_home).unwrap();
    let home = tmp.path().join("plugins");
    install_plugin(&home);

    let fn_env = |path: &str| {
        PROD.replace(
            "  name: prod\n",
            &format!(
                "  name: prod\n  annotations:\n    config.kubernetes.io/function: |\n      \
                 exec:\n        path: {path}\n"
            ),
        )
    };
    let dir = tmp.path().join("krm");
    write(
        &dir,
        "kustomization.yaml",
        "resources:\n- bundle.yaml\ntransformers:\n- fn.yaml\n",
    );
    write(&dir, "bundle.yaml", PAYMENTS);
    write(&dir, "fn.yaml", &fn_env(&kbundle_str()));

    // No flags: an error, not a skip.
    for h in [&empty_home, &home] {
        let out = kustomize(h, &dir, false);
        assert_failed(&out, "kubectl kustomize (no flags) with an exec function");
        assert!(
            stderr(&out).contains("external plugins disabled"),
            "{}",
            stderr(&out)
        );
        assert!(out.stdout.is_empty());
    }

    // --enable-alpha-plugins: exit 0, nothing rendered, the AppBundle leaks into the output.
    for h in [&empty_home, &home] {
        let out = kustomize(h, &dir, true);
        assert_ok(
            &out,
            "kubectl kustomize --enable-alpha-plugins with an exec function",
        );
        let objs = docs(&stdout(&out));
        assert_eq!(
            ids(&objs),
            [("AppBundle".to_string(), "payments".to_string())]
        );
        assert!(objs.iter().all(|o| kind(o) != "KafkaTopic"));
    }

    // Proof that the function is never started: a script that would leave a marker and fail.
    let marker_dir = tmp.path().join("marker");
    write(
        &marker_dir,
        "kustomization.yaml",
        "resources:\n- bundle.yaml\ntransformers:\n- fn.yaml\n",
    );
    write(&marker_dir, "bundle.yaml", PAYMENTS);
    write(&marker_dir, "fn.yaml", &fn_env("./fn.sh"));
    write(
        &marker_dir,
        "fn.sh",
        "#!/bin/sh\ntouch \"$(dirname \"$0\")/MARKER\"\nexit 1\n",
    );
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            marker_dir.join("fn.sh"),
            std::fs::Permissions::from_mode(0o755),
        )
        .unwrap();
    }
    let out = kustomize(&empty_home, &marker_dir, true);
    assert_ok(
        &out,
        "kubectl kustomize --enable-alpha-plugins, failing exec function",
    );
    assert!(
        !marker_dir.join("MARKER").exists(),
        "the exec function ran after all"
    );
}

register!(
    kubectl_kustomize_overlay_with_environment_transformer,
    kubectl_kustomize_appbundle_generator,
    kubectl_kustomize_policy_violation_fails,
    kubectl_kustomize_exec_function_is_not_run
);
