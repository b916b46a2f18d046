use super::*;

// ---------------------------------------------------------------------------------------------
// plugin.yaml and the simulator itself
// ---------------------------------------------------------------------------------------------

/// The repository's plugin.yaml is a valid CMP config that runs kbundle directly (no shell),
/// receives no executable bits and no git credentials, and announces what the contract says.
pub fn plugin_yaml_is_a_valid_cmp_config_without_a_shell() {
    let p = kbundle_plugin();
    assert_eq!(p.api_version, "argoproj.io/v1alpha1");
    assert_eq!(p.full_name(), "kbundle-v1");
    let s = &p.spec;
    assert_eq!(s.generate.argv(), ["kbundle", "argocd", "generate"]);
    assert!(s.init.argv().is_empty(), "init: {:?}", s.init.argv());
    assert_eq!(
        s.discover.file_name, "",
        "fileName would win over find.command"
    );
    assert_eq!(
        s.discover.find.glob, "",
        "find.glob would win over find.command"
    );
    let discover: Vec<String> = s
        .discover
        .find
        .command
        .iter()
        .chain(&s.discover.find.args)
        .cloned()
        .collect();
    assert_eq!(discover, ["kbundle", "argocd", "discover"]);
    assert_eq!(
        s.parameters.dynamic.argv(),
        ["kbundle", "argocd", "parameters"]
    );
    let shells = [
        "sh",
        "bash",
        "dash",
        "ash",
        "zsh",
        "/bin/sh",
        "/bin/bash",
        "env",
    ];
    for argv in [
        s.generate.argv(),
        discover.clone(),
        s.parameters.dynamic.argv(),
    ] {
        assert_eq!(argv[0], "kbundle", "{argv:?}");
        assert!(
            argv.iter()
                .all(|a| !shells.contains(&a.as_str()) && a != "-c"),
            "a shell in {argv:?}"
        );
    }
    assert!(!s.preserve_file_mode, "preserveFileMode must be false");
    assert!(!s.provide_git_creds, "provideGitCreds must be false");
    let statics: Vec<(&str, &str, &str)> = s
        .parameters
        .static_
        .iter()
        .map(|a| {
            (
                a.name.as_str(),
                a.collection_type.as_str(),
                a.item_type.as_str(),
            )
        })
        .collect();
    assert_eq!(
        statics,
        [
            ("environment", "string", "string"),
            ("bundles", "array", "string")
        ]
    );
    for a in &s.parameters.static_ {
        assert!(!a.title.is_empty() && !a.tooltip.is_empty(), "{a:?}");
        assert!(!a.required, "{} must be optional", a.name);
        // Announced defaults are never sent back to the plugin: none is announced.
        assert!(
            a.string.is_none() && a.array.is_none() && a.map.is_none(),
            "{a:?}"
        );
    }
}

/// Positive and negative controls for the config reader: Argo CD's own examples parse; what
/// `ValidatePluginConfig` refuses is refused, with its message.
pub fn config_reader_accepts_argo_examples_and_refuses_what_argo_refuses() {
    if let Some(vendor) = support::vendor() {
        let dir = vendor.join("argocd");
        let mut n = 0;
        for f in [
            "docs_plugin.yaml",
            "test_cmp_plugin.yaml",
            "examples_plugins_helm_plugin.yaml",
        ] {
            let p = PluginConfig::load(&dir.join(f));
            assert!(!p.spec.generate.command.is_empty(), "{f}");
            n += 1;
        }
        for f in [
            "docs_plugin-configmap.yaml",
            "test_manifests_cmp_plugin-configmap.yaml",
        ] {
            let cm =
                parse_yaml_document(&std::fs::read_to_string(dir.join(f)).expect("read")).expect(f);
            let text = cm
                .pointer("/data/plugin.yaml")
                .and_then(Value::as_str)
                .expect(f);
            PluginConfig::parse(text).unwrap_or_else(|e| panic!("{f}: {e}"));
            n += 1;
        }
        let docs = PluginConfig::load(&dir.join("docs_plugin.yaml"));
        assert_eq!(docs.full_name(), "my-plugin-v1.0");
        assert_eq!(docs.spec.discover.file_name, "./subdir/s*.yaml");
        assert_eq!(docs.spec.discover.find.glob, "**/Chart.yaml");
        assert_eq!(docs.spec.parameters.static_.len(), 3);
        assert_eq!(n, 5);
    }
    let base = "apiVersion: argoproj.io/v1alpha1
kind: ConfigManagementPlugin
metadata:
  name: p
spec:
  generate:
    command: [x]
";
    PluginConfig::parse(base).expect("minimal config");
    let cases = [
        (
            base.replace("  name: p\n", "  labels: {}\n"),
            "metadata.name should be non-empty",
        ),
        (
            base.replace("kind: ConfigManagementPlugin", "kind: Plugin"),
            "kind should be",
        ),
        (
            base.replace("command: [x]", "command: []"),
            "generate command should be non-empty",
        ),
        (
            base.replace("command: [x]", "args: [x]"),
            "generate command should be non-empty",
        ),
        (format!("{base}  preserveFileMod: false\n"), "unknown field"),
    ];
    for (text, wanted) in cases {
        let err = PluginConfig::parse(&text).expect_err(&text);
        assert!(err.contains(wanted), "{err}\n{text}");
    }
}

/// The three discovery kinds, in Argo CD's order, on fixture directories.
pub fn discovery_kinds_behave_like_argo() {
    let plugin = |discover: &str| {
        PluginConfig::parse(&format!(
            "apiVersion: argoproj.io/v1alpha1
kind: ConfigManagementPlugin
metadata:
  name: p
spec:
  generate:
    command: [cat]
  discover:
{discover}"
        ))
        .expect("config")
    };
    let repo = Repo::empty();
    repo.write("a/subdir/s1.yaml", "x: 1\n")
        .write("b/subdir/t1.yaml", "x: 1\n")
        .write("c/kustomization.yaml", "resources: []\n")
        .write("d/deep/er/kustomization.yaml", "resources: []\n")
        .write("e/env.yaml", "x: 1\n")
        .write("f/[weird].yaml", "x: 1\n")
        .write("g/.hidden.yaml", "x: 1\n");
    std::fs::create_dir_all(repo.root.join("h")).expect("mkdir");
    let check =
        |p: &PluginConfig, dir: &str| Sidecar::new(p.clone()).discover(&repo.root.join(dir), &[]);
    use Discovery::*;

    let file_name = plugin("    fileName: ./subdir/s*.yaml\n");
    assert_eq!(check(&file_name, "a"), Ok(Matched));
    assert_eq!(check(&file_name, "b"), Ok(NotMatched));
    let escaped = plugin("    fileName: '\\[weird\\].yaml'\n");
    assert_eq!(check(&escaped, "f"), Ok(Matched));
    let class = plugin("    fileName: '[a-z]nv.yaml'\n");
    assert_eq!(check(&class, "e"), Ok(Matched));
    let negated = plugin("    fileName: '[^e]nv.yaml'\n");
    assert_eq!(check(&negated, "e"), Ok(NotMatched));
    let star = plugin("    fileName: '*.yaml'\n");
    assert_eq!(
        check(&star, "g"),
        Ok(Matched),
        "Go's Glob matches dot files"
    );
    assert_eq!(check(&star, "h"), Ok(NotMatched));
    let bad = plugin("    fileName: '[a-'\n");
    assert!(check(&bad, "h").is_err(), "a malformed pattern is an error");
    // `**` is not special to filepath.Glob: it is a `*`.
    let not_double = plugin("    fileName: '**/kustomization.yaml'\n");
    assert_eq!(check(&not_double, "d"), Ok(NotMatched));

    let glob = plugin("    find:\n      glob: '**/kustomization.yaml'\n");
    assert_eq!(
        check(&glob, "c"),
        Ok(Matched),
        "** matches no directory too"
    );
    assert_eq!(check(&glob, "d"), Ok(Matched));
    assert_eq!(check(&glob, "e"), Ok(NotMatched));
    assert_eq!(check(&glob, "."), Ok(Matched));

    let command = plugin("    find:\n      command: [sh, -c, find . -name env.yaml]\n");
    assert_eq!(check(&command, "e"), Ok(Matched));
    assert_eq!(check(&command, "a"), Ok(NotMatched));
    let newline = plugin("    find:\n      command: [echo]\n");
    assert_eq!(
        check(&newline, "a"),
        Ok(NotMatched),
        "one trailing newline is trimmed"
    );
    let failing = plugin("    find:\n      command: [sh, -c, 'echo yes; exit 3']\n");
    let err = check(&failing, "a").expect_err("non-zero exit");
    assert!(err.contains("exit status 3"), "{err}");
    let with_args = plugin(
        "    find:\n      command: [sh, -c]\n      args: ['test -f env.yaml && echo yes']\n",
    );
    assert_eq!(check(&with_args, "e"), Ok(Matched));
    assert_eq!(
        check(&with_args, "a"),
        Err(concat!(
            "error running find command: ",
            r#"`sh -c "test -f env.yaml && echo yes"` failed exit status 1"#
        )
        .into())
    );

    // First configured wins: fileName, even when the glob would match.
    let both =
        plugin("    fileName: ./subdir/s*.yaml\n    find:\n      glob: '**/kustomization.yaml'\n");
    assert_eq!(check(&both, "c"), Ok(NotMatched));
    assert_eq!(check(&plugin("    {}\n"), "c"), Ok(Disabled));

    // Selection: a named plugin with discovery must match; without discovery it is used.
    let app = |path: &str, plugin_name: &str| {
        let mut a = Application::kbundle("sel", path);
        a.plugin_name = plugin_name.into();
        a
    };
    let sidecar = Sidecar::new(glob.clone());
    assert!(sidecar.select(&repo, &app("c", "p")).is_ok());
    assert!(sidecar.select(&repo, &app("e", "p")).is_err());
    assert!(sidecar.select(&repo, &app("c", "other")).is_err());
    assert!(sidecar.select(&repo, &app("c", "")).is_ok());
    let undiscovering = Sidecar::new(plugin("    {}\n"));
    assert!(undiscovering.select(&repo, &app("e", "p")).is_ok());
    assert!(undiscovering.select(&repo, &app("e", "")).is_err());
}

/// The env the simulator gives the plugin, checked against Argo CD's documented examples (the
/// docs' generate command, the e2e test Application with `$ARGOCD_APP_REVISION` and an array
/// parameter); the copy has no `.git` and no executable bits; the test's environment does not
/// leak; the timeout kills the process group.
pub fn simulator_env_and_workdir_follow_argo() {
    let plugin = PluginConfig::parse(
        r#"apiVersion: argoproj.io/v1alpha1
kind: ConfigManagementPlugin
metadata:
  name: my-plugin
spec:
  version: v1.0
  init:
    command: [sh, -c, 'test -n "$ARGOCD_APP_NAME" && test ! -x run.sh']
  generate:
    command: [sh, -c]
    args:
      - |
        echo "{\"kind\": \"ConfigMap\", \"apiVersion\": \"v1\", \"metadata\": { \"name\": \"$ARGOCD_APP_NAME\", \"namespace\": \"$ARGOCD_APP_NAMESPACE\", \"annotations\": {\"Foo\": \"$ARGOCD_ENV_FOO\", \"KubeVersion\": \"$KUBE_VERSION\", \"KubeApiVersion\": \"$KUBE_API_VERSIONS\",\"Bar\": \"baz\"}}}"
        echo ---
        env | sort | sed 's/^/# /'
        echo "---"
        printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: params\ndata:\n  json: %s\n' "'$ARGOCD_APP_PARAMETERS'"
"#,
    )
    .expect("plugin");
    // A checkout with .git and an executable script.
    let src = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(src.path().join(".git/objects")).expect("mkdir");
    std::fs::write(src.path().join(".git/HEAD"), "ref: refs/heads/main\n").expect("write");
    std::fs::create_dir_all(src.path().join("test/manifests/cmp/app")).expect("mkdir");
    let script = src.path().join("test/manifests/cmp/app/run.sh");
    std::fs::write(&script, "#!/bin/sh\n").expect("write");
    set_mode(&script, 0o755);
    let repo = Repo::copy_of(src.path());
    assert!(!repo.root.join(".git").exists());
    let copied = repo.root.join("test/manifests/cmp/app/run.sh");
    assert_eq!(
        std::fs::metadata(&copied)
            .expect("stat")
            .permissions()
            .mode()
            & 0o777,
        0o644
    );

    let app = Application::parse(
        "apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: plugin-test-app
spec:
  project: default
  source:
    repoURL: https://github.com/argoproj/argo-cd.git
    path: test/manifests/cmp/app
    plugin:
      env:
        - name: FOO
          value: bar
        - name: REV
          value: test-$ARGOCD_APP_REVISION
        - name: BRACED
          value: '${ARGOCD_APP_REVISION_SHORT}-$$-${NOPE}-$'
        - name: EMPTY
          value: ''
      parameters:
        - name: array-param
          array: [override, values]
        - name: map.param
          map: {b: '2', a: '<1>'}
        - name: s
          string: v
  destination:
    namespace: default
    server: https://kubernetes.default.svc
",
        "test_manifests_cmp_app.yaml",
    );
    let mut sidecar = Sidecar::new(plugin);
    sidecar.extra.push(("SIDECAR_ONLY".into(), "1".into()));
    let g = sidecar.generate(&repo, &app);
    let objs = g.ok("docs example");
    assert_eq!(objs.len(), 2, "{objs:?}");
    let cm = &objs[0];
    assert_eq!(name(cm), "plugin-test-app");
    assert_eq!(cm["metadata"]["namespace"], "default");
    assert_eq!(cm["metadata"]["annotations"]["Foo"], "bar");
    assert_eq!(cm["metadata"]["annotations"]["KubeVersion"], KUBE_VERSION);
    assert_eq!(
        cm["metadata"]["annotations"]["KubeApiVersion"],
        KUBE_API_VERSIONS
    );
    assert_eq!(
        objs[1]["data"]["json"],
        r#"[{"array":["override","values"],"name":"array-param"},{"map":{"a":"\u003c1\u003e","b":"2"},"name":"map.param"},{"name":"s","string":"v"}]"#
    );
    let env: BTreeMap<String, String> = g
        .run
        .as_ref()
        .expect("run")
        .stdout
        .lines()
        .filter_map(|l| l.strip_prefix("# "))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let want = [
        ("ARGOCD_APP_NAME", "plugin-test-app"),
        ("ARGOCD_APP_NAMESPACE", "default"),
        ("ARGOCD_APP_PROJECT_NAME", "default"),
        ("ARGOCD_APP_REVISION", REVISION),
        ("ARGOCD_APP_REVISION_SHORT", &REVISION[..7]),
        ("ARGOCD_APP_REVISION_SHORT_8", &REVISION[..8]),
        ("ARGOCD_APP_SOURCE_PATH", "test/manifests/cmp/app"),
        (
            "ARGOCD_APP_SOURCE_REPO_URL",
            "https://github.com/argoproj/argo-cd.git",
        ),
        ("ARGOCD_ENV_FOO", "bar"),
        ("ARGOCD_ENV_REV", &format!("test-{REVISION}")),
        ("ARGOCD_ENV_BRACED", &format!("{}-$--$", &REVISION[..7])),
        ("HOME", &sidecar.home.display().to_string()),
        ("PARAM_ARRAY_PARAM_0", "override"),
        ("PARAM_ARRAY_PARAM_1", "values"),
        ("PARAM_MAP_PARAM_A", "<1>"),
        ("PARAM_MAP_PARAM_B", "2"),
        ("PARAM_S", "v"),
        ("SIDECAR_ONLY", "1"),
    ];
    for (k, v) in want {
        assert_eq!(env.get(k).map(String::as_str), Some(v), "{k} in {env:#?}");
    }
    for absent in [
        "ARGOCD_ENV_EMPTY",
        "ARGOCD_APP_SOURCE_TARGET_REVISION",
        "CARGO_MANIFEST_DIR",
        "CARGO",
    ] {
        assert!(!env.contains_key(absent), "{absent} reached the plugin");
    }

    // No parameters at all: Go marshals the nil list as `null`.
    let plain = Application::kbundle("p", "x");
    let entries: BTreeMap<_, _> = plain.env_entries().into_iter().collect();
    assert_eq!(entries["ARGOCD_APP_PARAMETERS"], "null");
    // No plugin block (auto-detected): no parameters, no plugin env.
    let mut auto = plain.clone();
    auto.has_plugin = false;
    assert!(
        auto.env_entries()
            .iter()
            .all(
                |(k, _)| (k.starts_with("ARGOCD_APP_") && k != "ARGOCD_APP_PARAMETERS")
                    || k.starts_with("KUBE_")
            )
    );

    // Timeout: the whole group gets SIGTERM, children included.
    let mut slow = Sidecar::new(
        PluginConfig::parse(
            "apiVersion: argoproj.io/v1alpha1
kind: ConfigManagementPlugin
metadata: {name: slow}
spec:
  generate:
    command: [sh, -c, 'sleep 30 & sleep 30; echo never']
",
        )
        .expect("plugin"),
    );
    slow.timeout = Duration::from_millis(300);
    let g = slow.generate(&repo, &app);
    let run = g.run.as_ref().expect("run");
    assert!(run.timed_out && !run.success(), "{run:?}");
    assert!(run.elapsed < Duration::from_secs(4), "{:?}", run.elapsed);
    assert!(run.stdout.is_empty());
}

/// The stream splitter and object check the simulator applies to generate's stdout.
pub fn manifest_splitting_follows_kubernetes() {
    let text = r#"---
# only a comment
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: a
--- # trailing comment
{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "b"}}
---
null
...
"#;
    let objs = split_manifests(text).expect("split");
    assert_eq!(ids(&objs).len(), 2, "{objs:?}");
    assert!(
        split_manifests("kind: ConfigMap\nmetadata: {name: a}\n").is_err(),
        "no apiVersion"
    );
    assert!(
        split_manifests("apiVersion: v1\nmetadata: {name: a}\n").is_err(),
        "no kind"
    );
    assert!(
        split_manifests("apiVersion: v1\nkind: A\nmetadata: {}\n").is_err(),
        "no name"
    );
    assert!(split_manifests("- a\n").is_err(), "a list");
    assert!(split_manifests("---x\n").is_err(), "bad separator");
    assert!(split_manifests("a: [\n").is_err(), "bad YAML");
}

register!(
    plugin_yaml_is_a_valid_cmp_config_without_a_shell,
    config_reader_accepts_argo_examples_and_refuses_what_argo_refuses,
    discovery_kinds_behave_like_argo,
    simulator_env_and_workdir_follow_argo,
    manifest_splitting_follows_kubernetes
);
