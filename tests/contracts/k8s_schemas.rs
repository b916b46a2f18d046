//! Every generated Job and ConfigMap validates against the Kubernetes v1.32 JSON Schemas in
//! ../shared/vendor/k8s (standalone-strict: unknown fields are errors), and every hook Job has
//! the safety settings kbundle promises.

use crate::support;

use serde_json::Value;
use std::path::Path;

fn validator(vendor: &Path, file: &str) -> jsonschema::Validator {
    let path = vendor.join("k8s/v1.32.2-standalone-strict").join(file);
    let text = std::fs::read_to_string(&path).expect("schema file");
    let mut schema: Value = serde_json::from_str(&text).expect("schema json");
    // `http://json-schema.org/schema#` names no draft; these files are draft 4.
    schema["$schema"] = Value::String("http://json-schema.org/draft-04/schema#".into());
    jsonschema::validator_for(&schema).expect("schema compiles")
}

fn render(dir: &str) -> Vec<Value> {
    let paths = vec![if Path::new(dir).is_absolute() {
        dir.to_string()
    } else {
        support::root().join(dir).display().to_string()
    }];
    let (items, diags) = kbundle::source::read_paths(&paths, &mut std::io::empty());
    assert!(!kbundle::diag::has_errors(&diags), "{diags:?}");
    let r = kbundle::render::render(items, None, &kbundle::render::Options::default());
    assert!(!r.has_errors(), "{:?}", r.diagnostics);
    r.items
}

fn errors(v: &jsonschema::Validator, obj: &Value) -> Vec<String> {
    v.iter_errors(obj)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

fn hook_jobs_and_config_maps_match_the_kubernetes_schemas() {
    let Some(vendor) = support::vendor() else {
        return;
    };
    let job_schema = validator(&vendor, "job-batch-v1.json");
    let cm_schema = validator(&vendor, "configmap-v1.json");
    let mut jobs = 0;
    let mut maps = 0;
    for case in success_cases() {
        for obj in render(&case) {
            if obj.pointer("/metadata/labels/app.kubernetes.io~1managed-by")
                != Some(&Value::from("kbundle"))
            {
                continue;
            }
            match obj["kind"].as_str() {
                Some("Job") => {
                    jobs += 1;
                    assert_eq!(errors(&job_schema, &obj), Vec::<String>::new(), "{obj:#}");
                    check_job_safety(&obj);
                }
                Some("ConfigMap") => {
                    maps += 1;
                    assert_eq!(errors(&cm_schema, &obj), Vec::<String>::new(), "{obj:#}");
                }
                _ => {}
            }
        }
    }
    // testdata/schemas/register: 3 subjects, each a Job and a ConfigMap; masking/masked-sink:
    // 1 subject plus the masking policy ConfigMap.
    assert!(jobs >= 4 && maps >= 5, "jobs {jobs}, config maps {maps}");
}

/// Every golden case that renders without extra arguments (no errors.txt, no args).
fn success_cases() -> Vec<String> {
    let mut out = Vec::new();
    for family in std::fs::read_dir(support::root().join("testdata"))
        .expect("testdata")
        .flatten()
        .filter(|family| family.path().is_dir())
    {
        for case in std::fs::read_dir(family.path()).expect("family").flatten() {
            let p = case.path();
            if p.join("input").is_dir()
                && !p.join("errors.txt").exists()
                && !p.join("args").exists()
            {
                out.push(p.join("input").display().to_string());
            }
        }
    }
    out.sort();
    out
}

fn the_validator_is_strict() {
    let Some(vendor) = support::vendor() else {
        return;
    };
    let job_schema = validator(&vendor, "job-batch-v1.json");
    let job = render("testdata/schemas/register/input")
        .into_iter()
        .find(|o| o["kind"] == "Job")
        .expect("a job");
    let mut bad = job.clone();
    bad["spec"]["backofLimit"] = Value::from(2);
    assert!(
        !errors(&job_schema, &bad).is_empty(),
        "unknown field accepted"
    );
    let mut bad = job;
    bad["spec"]["template"]["spec"]["containers"][0]["image"] = Value::from(3);
    assert!(!errors(&job_schema, &bad).is_empty(), "wrong type accepted");
}

fn check_job_safety(job: &Value) {
    let name = job["metadata"]["name"].as_str().expect("name");
    assert!(name.len() <= 63, "{name}");
    let ann = &job["metadata"]["annotations"];
    assert!(ann["argocd.argoproj.io/hook"].is_string());
    assert_eq!(
        ann["argocd.argoproj.io/hook-delete-policy"],
        "BeforeHookCreation,HookSucceeded"
    );
    let spec = &job["spec"];
    assert!(spec["backoffLimit"].is_i64());
    assert!(spec["activeDeadlineSeconds"].is_i64());
    assert!(spec["ttlSecondsAfterFinished"].is_i64());
    let pod = &spec["template"]["spec"];
    assert_eq!(pod["securityContext"]["runAsNonRoot"], true);
    assert_eq!(
        pod["securityContext"]["seccompProfile"]["type"],
        "RuntimeDefault"
    );
    assert_eq!(pod["automountServiceAccountToken"], false);
    assert!(pod["serviceAccountName"].is_null() || pod["serviceAccountName"].is_string());
    for c in pod["containers"].as_array().expect("containers") {
        let sc = &c["securityContext"];
        assert_eq!(sc["allowPrivilegeEscalation"], false);
        assert_eq!(sc["capabilities"]["drop"], serde_json::json!(["ALL"]));
        assert!(c["resources"]["limits"]["cpu"].is_string());
        assert!(c["resources"]["requests"]["memory"].is_string());
        // Credentials only by reference: no env var carries a literal password.
        for e in c["env"].as_array().into_iter().flatten() {
            if e["name"].as_str().is_some_and(|n| n.contains("PASSWORD")) {
                assert!(e.get("value").is_none() && e["valueFrom"]["secretKeyRef"].is_object());
            }
        }
    }
}

register!(
    hook_jobs_and_config_maps_match_the_kubernetes_schemas,
    the_validator_is_strict
);
