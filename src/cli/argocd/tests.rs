//! Unit tests of `argocd`.

use super::*;
use crate::render::app::unserved_api_versions;

#[test]
fn params_default_and_fallback() {
    assert_eq!(parse_params(None, None).unwrap(), Params::default());
    assert_eq!(parse_params(Some("null"), None).unwrap(), Params::default());
    assert_eq!(parse_params(Some(" [] "), None).unwrap(), Params::default());
    let p = parse_params(Some(""), Some("prod")).unwrap();
    assert_eq!(p.environment.as_deref(), Some("prod"));
    let p = parse_params(
        Some(r#"[{"name":"environment","string":"dev"},{"name":"bundles","array":["a","b"]}]"#),
        Some("prod"),
    )
    .unwrap();
    assert_eq!(p.environment.as_deref(), Some("dev"));
    assert_eq!(p.bundles, Some(vec!["a".to_string(), "b".to_string()]));
    // An empty string or list means the default.
    let p = parse_params(
        Some(r#"[{"name":"environment","string":""},{"name":"bundles","array":[]}]"#),
        Some("prod"),
    )
    .unwrap();
    assert_eq!(p.environment.as_deref(), Some("prod"));
    assert_eq!(p.bundles, None);
}

#[test]
fn params_errors_name_the_problem() {
    let codes = |t: &str| {
        parse_params(Some(t), None)
            .unwrap_err()
            .into_iter()
            .map(|d| (d.code, d.message, d.hint))
            .collect::<Vec<_>>()
    };
    let e = codes("not json");
    assert_eq!(e[0].0, Code::ArgoParameters);
    assert!(e[0].1.contains("not valid JSON"));
    let e = codes(r#"{"name":"environment"}"#);
    assert!(e[0].1.contains("not a JSON list"));
    let e = codes(r#"[{"name":"enviroment","string":"x"}]"#);
    assert!(e[0].1.contains("unknown parameter"));
    assert_eq!(e[0].2.as_deref(), Some("did you mean `environment`?"));
    let e = codes(r#"[{"name":"environment","array":["x"]}]"#);
    assert!(e[0].1.contains("must be a string"));
    let e = codes(r#"[{"name":"bundles","array":[1]}]"#);
    assert!(e[0].1.contains("array of names"));
    let e = codes(r#"[{"name":"detected-bundles","array":["x"]}]"#);
    assert!(e[0].1.contains("information only"));
}

/// What the emit stage records of these objects.
fn written(objs: &[Value]) -> std::collections::BTreeMap<String, BTreeSet<String>> {
    let mut sink = emit::Collect::default();
    let mut e = emit::Emitter::new(emit::Options::default(), &mut sink);
    for o in objs {
        e.emit(o.clone()).expect("collect");
    }
    e.api_versions
}

#[test]
fn unserved_api_versions_are_named_with_the_fix() {
    let objs = vec![
        json!({"apiVersion": "kafka.strimzi.io/v1", "kind": "KafkaTopic"}),
        json!({"apiVersion": "kafka.strimzi.io/v1", "kind": "KafkaUser"}),
        json!({"apiVersion": "batch/v1", "kind": "Job"}),
        json!({"apiVersion": "v1", "kind": "ConfigMap"}),
        json!({"apiVersion": "monitoring.coreos.com/v1", "kind": "PrometheusRule"}),
    ];
    let all = "v1,batch/v1,kafka.strimzi.io/v1,monitoring.coreos.com/v1";
    assert!(unserved_api_versions(&written(&objs), all).is_empty());
    // group/version/Kind entries count as serving group/version.
    let by_kind = "v1,batch/v1/Job,kafka.strimzi.io/v1/KafkaTopic,monitoring.coreos.com/v1";
    assert!(unserved_api_versions(&written(&objs), by_kind).is_empty());
    let old = unserved_api_versions(&written(&objs), "v1,batch/v1,kafka.strimzi.io/v1beta2");
    assert_eq!(old.len(), 2);
    assert_eq!(old[0].code, Code::ApiVersionNotServed);
    assert!(!old[0].is_error());
    assert!(
        old[0]
            .message
            .contains("kafka.strimzi.io/v1 (KafkaTopic, KafkaUser)")
    );
    assert!(
        old[0]
            .hint
            .as_deref()
            .unwrap()
            .contains("spec.strimzi.apiVersion: kafka.strimzi.io/v1beta2")
    );
    assert!(old[1].message.contains("monitoring.coreos.com/v1"));
    let none = unserved_api_versions(&written(&objs), "v1,batch/v1");
    assert!(
        none[0]
            .hint
            .as_deref()
            .unwrap()
            .contains("install the Strimzi operator")
    );
    // "kafka.strimzi.io/v1beta2" does not serve "kafka.strimzi.io/v1".
    assert_eq!(
        unserved_api_versions(&written(&objs[..1]), "kafka.strimzi.io/v1beta2").len(),
        1
    );
}

#[test]
fn repo_root_strips_the_source_path() {
    let app = Path::new("/tmp/_cmp/abc/apps/overlays/prod");
    assert_eq!(
        repo_root(app, Some("apps/overlays/prod")),
        Path::new("/tmp/_cmp/abc")
    );
    assert_eq!(
        repo_root(app, Some("./apps/overlays/prod/")),
        Path::new("/tmp/_cmp/abc")
    );
    assert_eq!(repo_root(app, Some(".")), app);
    // A source path that is not the end of the directory confines to the app itself.
    assert_eq!(repo_root(app, Some("other/prod")), app);
}
