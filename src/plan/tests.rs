//! Acceptance tests: one PostSync hook Job per `spec.tests` entry, running the test's own image,
//! command, args and env, with `KBUNDLE_*` variables telling it which bundle it tests.
//!
//! The test's `timeout` becomes the Job's `activeDeadlineSeconds` (default 600). The Job runs
//! with the same restricted settings as every hook (non-root uid 65532, read-only root
//! filesystem with a writable /tmp); a failing test fails the sync, which Argo CD shows as a
//! failed PostSync hook.

use super::hooks::{DEFAULT_DEADLINE_SECONDS, EnvValue, HookJob, Phase};
use crate::model::bundle::AcceptanceTest;
use crate::model::environment::EnvironmentSpec;
use crate::validate::BundleInput;
use std::collections::BTreeMap;
use crate::derive::tests::timeout_seconds;

/// Sync wave of test Jobs within PostSync: late, leaving room for PostSync hooks that must
/// run before the tests.
pub const TEST_WAVE: i32 = 10;

/// A test is a verdict, not a flaky step to retry until it passes by chance.
pub const TEST_BACKOFF_LIMIT: i32 = 0;

/// The bundle's name.
pub const VAR_BUNDLE: &str = "KBUNDLE_BUNDLE";
/// The namespace the bundle's objects go to, when known.
pub const VAR_NAMESPACE: &str = "KBUNDLE_NAMESPACE";
/// The bundle's exact Kafka topic names, comma-separated, in bundle order.
pub const VAR_TOPICS: &str = "KBUNDLE_TOPICS";
/// The test's name.
pub const VAR_TEST: &str = "KBUNDLE_TEST";

fn test_job(
    b: &BundleInput,
    env: &EnvironmentSpec,
    namespace: Option<&str>,
    t: &AcceptanceTest,
) -> HookJob {
    let spec = &b.bundle.spec;
    // The test's own variables first; kbundle's win (validation refuses the clash anyway).
    let mut vars: BTreeMap<String, EnvValue> = t
        .env
        .iter()
        .map(|(k, v)| (k.clone(), EnvValue::Literal(v.clone())))
        .collect();
    let topics: Vec<&str> = spec.topics.iter().map(|t| t.name.as_str()).collect();
    vars.insert(
        VAR_BUNDLE.into(),
        EnvValue::Literal(b.bundle.metadata.name.clone()),
    );
    vars.insert(VAR_TOPICS.into(), EnvValue::Literal(topics.join(",")));
    vars.insert(VAR_TEST.into(), EnvValue::Literal(t.name.clone()));
    if let Some(ns) = namespace {
        vars.insert(VAR_NAMESPACE.into(), EnvValue::Literal(ns.to_string()));
    }
    HookJob {
        bundle: b.bundle.metadata.name.clone(),
        owner: spec.owner.clone(),
        namespace: namespace.map(str::to_string),
        purpose: format!("test-{}", t.name),
        phase: Phase::PostSync,
        wave: TEST_WAVE,
        image: t.image.clone(),
        command: t.command.clone(),
        args: t.args.clone(),
        env: vars,
        files: None,
        service_account: env.hooks.as_ref().and_then(|h| h.service_account.clone()),
        deadline_seconds: t
            .timeout
            .as_deref()
            .and_then(timeout_seconds)
            .unwrap_or(DEFAULT_DEADLINE_SECONDS),
        backoff_limit: TEST_BACKOFF_LIMIT,
    }
}

/// One PostSync Job per acceptance test, in bundle order.
pub fn test_jobs(b: &BundleInput, env: &EnvironmentSpec) -> Vec<HookJob> {
    let namespace = env
        .namespace
        .as_deref()
        .or(b.bundle.metadata.namespace.as_deref());
    b.bundle
        .spec
        .tests
        .iter()
        .map(|t| test_job(b, env, namespace, t))
        .collect()
}

#[cfg(test)]
#[allow(clippy::module_inception)] // the family is named `tests`; its unit tests keep the usual name
mod tests {
    use super::*;
    use crate::backend::shared::jobs::hook_objects;
    use crate::source::Origin;
    use serde_json::json;

    fn bundle() -> BundleInput {
        let v = json!({
            "apiVersion": "kbundle.dev/v1alpha1", "kind": "AppBundle",
            "metadata": {"name": "orders", "namespace": "apps"},
            "spec": {
                "owner": "team-orders",
                "topics": [{"name": "orders.created.v1"}, {"name": "orders.paid.v1"}],
                "tests": [
                    {"name": "smoke", "image": "registry.example.com/t:1.0",
                     "command": ["/bin/run"], "args": ["--suite", "smoke"],
                     "env": {"SUITE": "smoke"}, "timeout": "10m"},
                    {"name": "deep", "image": "registry.example.com/t:1.0"}
                ]
            }
        });
        BundleInput {
            bundle: crate::model::parse_app_bundle(&v).expect("bundle"),
            origin: Origin::default(),
            files: BTreeMap::new(),
            migrations: None,
            resolved: Default::default(),
        }
    }

    #[test]
    fn timeouts() {
        for (text, want) in [
            ("30s", Some(30)),
            ("10m", Some(600)),
            ("1h", Some(3600)),
            ("2d", Some(172_800)),
            ("1w", Some(604_800)),
            ("1y", Some(31_536_000)),
            ("1500ms", Some(2)),
            ("1ms", Some(1)),
            ("0s", None),
            ("0ms", None),
            ("10", None),
            ("m", None),
            ("10x", None),
            ("-5s", None),
            ("", None),
            ("99999999999999999999s", None),
            ("999999999999999999y", None),
        ] {
            assert_eq!(timeout_seconds(text), want, "{text}");
        }
    }

    #[test]
    fn one_post_sync_job_per_test() {
        let env: EnvironmentSpec =
            serde_json::from_value(json!({"hooks": {"image": "x:1", "serviceAccount": "sa"}}))
                .expect("env");
        let jobs = test_jobs(&bundle(), &env);
        assert_eq!(jobs.len(), 2);
        let smoke = &jobs[0];
        assert_eq!(smoke.phase, Phase::PostSync);
        assert_eq!(smoke.wave, TEST_WAVE);
        assert_eq!(smoke.deadline_seconds, 600);
        assert_eq!(smoke.command, ["/bin/run"]);
        assert_eq!(smoke.args, ["--suite", "smoke"]);
        assert_eq!(smoke.service_account.as_deref(), Some("sa"));
        let lit = |k: &str| match smoke.env.get(k) {
            Some(EnvValue::Literal(v)) => v.clone(),
            other => panic!("{k}: {other:?}"),
        };
        assert_eq!(lit("SUITE"), "smoke");
        assert_eq!(lit(VAR_BUNDLE), "orders");
        assert_eq!(lit(VAR_NAMESPACE), "apps");
        assert_eq!(lit(VAR_TOPICS), "orders.created.v1,orders.paid.v1");
        assert_eq!(lit(VAR_TEST), "smoke");
        assert_eq!(jobs[1].deadline_seconds, DEFAULT_DEADLINE_SECONDS);
        assert!(jobs[1].command.is_empty());
        let objs = hook_objects(smoke);
        assert_eq!(objs.len(), 1, "no ConfigMap");
        assert_eq!(
            objs[0]["metadata"]["annotations"]["argocd.argoproj.io/hook"],
            "PostSync"
        );
        assert_eq!(objs[0]["spec"]["activeDeadlineSeconds"], 600);
        assert_eq!(objs[0]["spec"]["backoffLimit"], 0);
        assert!(
            objs[0]["metadata"]["name"]
                .as_str()
                .unwrap_or("")
                .starts_with("orders-test-smoke-")
        );
    }

    #[test]
    fn environment_namespace_wins_and_none_is_left_out() {
        let env: EnvironmentSpec =
            serde_json::from_value(json!({"namespace": "kafka"})).expect("env");
        let jobs = test_jobs(&bundle(), &env);
        assert_eq!(
            jobs[0].env.get(VAR_NAMESPACE),
            Some(&EnvValue::Literal("kafka".into()))
        );
        let mut b = bundle();
        b.bundle.metadata.namespace = None;
        let jobs = test_jobs(&b, &EnvironmentSpec::default());
        assert!(!jobs[0].env.contains_key(VAR_NAMESPACE));
        assert_eq!(jobs[0].service_account, None);
    }
}
