use super::*;

/// Golden cases under `testdata/` that render successfully (no `errors.txt`).
pub fn golden_cases() -> Vec<PathBuf> {
    let root = support::root().join("testdata");
    let mut out = Vec::new();
    let Ok(families) = std::fs::read_dir(&root) else {
        return out;
    };
    for family in families.flatten() {
        let Ok(cases) = std::fs::read_dir(family.path()) else {
            continue;
        };
        for case in cases.flatten() {
            let case = case.path();
            if case.join("input").is_dir() && !case.join("errors.txt").exists() {
                out.push(case);
            }
        }
    }
    out.sort();
    out
}

pub fn golden_outputs_are_valid() {
    let Some(v) = vendor() else { return };
    let mut total = 0;
    for case in golden_cases() {
        let mut args = vec!["render".to_string(), "input".to_string()];
        if let Ok(extra) = std::fs::read_to_string(case.join("args")) {
            args.extend(
                extra
                    .lines()
                    .filter(|l| !l.trim().is_empty())
                    .map(str::to_string),
            );
        }
        let out = Command::new(support::kbundle_bin())
            .current_dir(&case)
            .args(&args)
            .stdin(Stdio::null())
            .output()
            .expect("run kbundle");
        let context = case.display().to_string();
        assert!(
            out.status.success(),
            "{context}: render failed (a case without errors.txt must render):\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).expect("utf-8");
        let items: Vec<Value> = kbundle::yaml::parse_stream(&text)
            .unwrap_or_else(|e| panic!("{context}: {}", e.message))
            .into_iter()
            .map(|d| d.value)
            .collect();
        let ours: Vec<&Value> = items
            .iter()
            .filter(|o| {
                o.pointer("/metadata/labels/app.kubernetes.io~1managed-by")
                    .and_then(Value::as_str)
                    == Some("kbundle")
            })
            .collect();
        for o in &ours {
            let crds = match o["apiVersion"].as_str() {
                Some("kafka.strimzi.io/v1") => vec![&v.v1, &v.v051],
                Some("kafka.strimzi.io/v1beta2") => vec![&v.v051],
                // Hook Jobs and their ConfigMaps: tests/k8s_schemas.rs checks those.
                Some("v1" | "batch/v1") => continue,
                // PrometheusRule and AlertmanagerConfig: contracts::prometheus checks those.
                Some("monitoring.coreos.com/v1" | "monitoring.coreos.com/v1alpha1") => continue,
                // Role/RoleBinding of connector principals (no vendored RBAC schema):
                // tests/connect_access.rs checks their shape and what they name.
                Some("rbac.authorization.k8s.io/v1") => continue,
                // CFK objects (target confluent): contracts::confluent checks those.
                Some("platform.confluent.io/v1beta1") => continue,
                other => panic!("{context}: generated object of {other:?}: {o}"),
            };
            for c in crds {
                c.assert_valid(o, &context);
            }
        }
        total += ours.len();
    }
    eprintln!("testdata: {total} generated objects valid");
}

register!(golden_outputs_are_valid);
