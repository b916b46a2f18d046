//! The one hook Job builder: every Job kbundle emits (schema registration, ksql migrations,
//! acceptance tests) gets a content-hashed name, Argo CD hook annotations, restricted pod
//! security, resource limits and time limits from here.

use super::object_meta;
use crate::model::labels::labels;
use crate::names::short_hash;
use crate::plan::hooks::{EnvValue, HookFiles, HookJob};
use k8s_openapi::api::batch::v1::{Job, JobSpec};
use k8s_openapi::api::core::v1::{
    Capabilities, ConfigMap, ConfigMapVolumeSource, Container, EmptyDirVolumeSource, EnvVar,
    EnvVarSource, PodSecurityContext, PodSpec, PodTemplateSpec, ResourceRequirements,
    SeccompProfile, SecretKeySelector, SecurityContext, Volume, VolumeMount,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use serde_json::Value;
use std::collections::BTreeMap;

pub const HOOK: &str = "argocd.argoproj.io/hook";
pub const HOOK_DELETE_POLICY: &str = "argocd.argoproj.io/hook-delete-policy";
pub const SYNC_WAVE: &str = "argocd.argoproj.io/sync-wave";
/// A Job's pod template is immutable: without BeforeHookCreation a fixed-name hook fails on
/// the next sync; HookSucceeded removes finished Jobs so they do not pile up.
pub const JOB_DELETE_POLICY: &str = "BeforeHookCreation,HookSucceeded";
/// Kept until the next sync replaces it: the Job may still be starting when a HookSucceeded
/// ConfigMap would already be gone.
pub const FILES_DELETE_POLICY: &str = "BeforeHookCreation";
/// Failed Jobs stay a day for inspection, then Kubernetes removes them.
pub const TTL_SECONDS_AFTER_FINISHED: i32 = 86_400;
/// Any non-root uid works for the images kbundle runs; a fixed one satisfies runAsNonRoot
/// even for images whose USER is a name.
pub const RUN_AS_USER: i64 = 65_532;

/// Kubernetes names for a hook: `<bundle>-<purpose>-<hash>`, at most 63 characters (a Job's
/// name becomes a pod label value). The hash covers everything the Job does, so a changed
/// schema or migration gives a new Job that Argo CD runs again.
pub fn hook_name(bundle: &str, purpose: &str, digest: &str) -> String {
    let hash = short_hash(digest, 10);
    let mut base: String = format!("{bundle}-{purpose}")
        .chars()
        .map(|c| {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_lowercase() || c.is_ascii_digit() {
                c
            } else {
                '-'
            }
        })
        .collect();
    base.truncate(63 - 1 - hash.len());
    let base = base.trim_matches('-');
    format!("{base}-{hash}")
}

fn hook_annotations(phase: &str, wave: i32, delete_policy: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        (HOOK.to_string(), phase.to_string()),
        (HOOK_DELETE_POLICY.to_string(), delete_policy.to_string()),
        (SYNC_WAVE.to_string(), wave.to_string()),
    ])
}

fn files_config_map(h: &HookJob, files: &HookFiles) -> ConfigMap {
    let digest = serde_json::to_string(&files.files).unwrap_or_default();
    let name = hook_name(&h.bundle, &files.purpose, &digest);
    let mut meta = object_meta(&name, h.namespace.as_deref(), labels(&h.bundle, &h.owner));
    meta.annotations = Some(hook_annotations(
        h.phase.as_str(),
        h.wave - 1,
        FILES_DELETE_POLICY,
    ));
    ConfigMap {
        metadata: meta,
        data: Some(files.files.clone()),
        ..ConfigMap::default()
    }
}

fn quantity(s: &str) -> Quantity {
    Quantity(s.to_string())
}

fn env_vars(env: &BTreeMap<String, EnvValue>) -> Vec<EnvVar> {
    env.iter()
        .map(|(name, v)| match v {
            EnvValue::Literal(value) => EnvVar {
                name: name.clone(),
                value: Some(value.clone()),
                value_from: None,
            },
            EnvValue::Secret {
                name: secret,
                key,
                optional,
            } => EnvVar {
                name: name.clone(),
                value: None,
                value_from: Some(EnvVarSource {
                    secret_key_ref: Some(SecretKeySelector {
                        name: secret.clone(),
                        key: key.clone(),
                        optional: optional.then_some(true),
                    }),
                    ..EnvVarSource::default()
                }),
            },
        })
        .collect()
}

/// The Job and, when it has files, the ConfigMap that carries them (ConfigMap first).
pub fn hook_objects(h: &HookJob) -> Vec<Value> {
    let config_map = h.files.as_ref().map(|f| files_config_map(h, f));
    let mut volumes = vec![Volume {
        name: "tmp".into(),
        // A writable /tmp for tools that need scratch space; the root filesystem stays read-only.
        empty_dir: Some(EmptyDirVolumeSource {
            size_limit: Some(quantity("64Mi")),
            ..EmptyDirVolumeSource::default()
        }),
        ..Volume::default()
    }];
    let mut mounts = vec![VolumeMount {
        name: "tmp".into(),
        mount_path: "/tmp".into(),
        ..VolumeMount::default()
    }];
    if let (Some(cm), Some(files)) = (&config_map, &h.files) {
        volumes.push(Volume {
            name: "files".into(),
            config_map: Some(ConfigMapVolumeSource {
                name: cm.metadata.name.clone().unwrap_or_default(),
                ..ConfigMapVolumeSource::default()
            }),
            ..Volume::default()
        });
        mounts.push(VolumeMount {
            name: "files".into(),
            mount_path: files.mount_path.clone(),
            read_only: Some(true),
            ..VolumeMount::default()
        });
    }
    let container = Container {
        name: "hook".into(),
        image: Some(h.image.clone()),
        command: (!h.command.is_empty()).then(|| h.command.clone()),
        args: (!h.args.is_empty()).then(|| h.args.clone()),
        env: (!h.env.is_empty()).then(|| env_vars(&h.env)),
        resources: Some(ResourceRequirements {
            requests: Some(BTreeMap::from([
                ("cpu".to_string(), quantity("50m")),
                ("memory".to_string(), quantity("64Mi")),
            ])),
            limits: Some(BTreeMap::from([
                ("cpu".to_string(), quantity("500m")),
                ("memory".to_string(), quantity("512Mi")),
            ])),
            ..ResourceRequirements::default()
        }),
        security_context: Some(SecurityContext {
            allow_privilege_escalation: Some(false),
            capabilities: Some(Capabilities {
                drop: Some(vec!["ALL".into()]),
                add: None,
            }),
            privileged: Some(false),
            read_only_root_filesystem: Some(true),
            run_as_non_root: Some(true),
            ..SecurityContext::default()
        }),
        volume_mounts: Some(mounts),
        ..Container::default()
    };
    let pod = PodSpec {
        restart_policy: Some("Never".into()),
        service_account_name: h.service_account.clone(),
        // Hooks talk to Kafka-side services, never to the Kubernetes API.
        automount_service_account_token: Some(false),
        security_context: Some(PodSecurityContext {
            run_as_non_root: Some(true),
            run_as_user: Some(RUN_AS_USER),
            run_as_group: Some(RUN_AS_USER),
            seccomp_profile: Some(SeccompProfile {
                type_: "RuntimeDefault".into(),
                localhost_profile: None,
            }),
            ..PodSecurityContext::default()
        }),
        containers: vec![container],
        volumes: Some(volumes),
        ..PodSpec::default()
    };
    let pod_labels = labels(&h.bundle, &h.owner);
    let mut job = Job {
        metadata: object_meta("", h.namespace.as_deref(), labels(&h.bundle, &h.owner)),
        spec: Some(JobSpec {
            backoff_limit: Some(h.backoff_limit),
            active_deadline_seconds: Some(h.deadline_seconds),
            ttl_seconds_after_finished: Some(TTL_SECONDS_AFTER_FINISHED),
            template: PodTemplateSpec {
                metadata: Some(k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
                    labels: Some(pod_labels),
                    ..Default::default()
                }),
                spec: Some(pod),
            },
            ..JobSpec::default()
        }),
        status: None,
    };
    job.metadata.annotations = Some(hook_annotations(
        h.phase.as_str(),
        h.wave,
        JOB_DELETE_POLICY,
    ));
    // The name hashes the Job as built (which names its ConfigMap, itself content-hashed).
    let digest = serde_json::to_string(&job).unwrap_or_default();
    job.metadata.name = Some(hook_name(&h.bundle, &h.purpose, &digest));

    let mut out = Vec::with_capacity(2);
    if let Some(cm) = config_map {
        out.push(serde_json::to_value(&cm).unwrap_or(Value::Null));
    }
    out.push(serde_json::to_value(&job).unwrap_or(Value::Null));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::hooks::Phase;

    fn job() -> HookJob {
        HookJob {
            bundle: "orders".into(),
            owner: "team".into(),
            namespace: Some("kafka".into()),
            purpose: "schema-orders-created-value".into(),
            phase: Phase::PreSync,
            wave: -1,
            image: "curlimages/curl:8.11.0".into(),
            command: vec!["/bin/sh".into(), "-c".into(), "true".into()],
            args: vec![],
            env: BTreeMap::from([("A".into(), EnvValue::Literal("1".into()))]),
            files: Some(HookFiles {
                purpose: "schema-orders-created".into(),
                mount_path: "/kbundle".into(),
                files: BTreeMap::from([("schema.avsc".into(), "{}".into())]),
            }),
            service_account: Some("hooks".into()),
            deadline_seconds: 300,
            backoff_limit: 2,
        }
    }

    #[test]
    fn names_fit_and_change_with_content() {
        let a = hook_objects(&job());
        let mut changed = job();
        if let Some(f) = changed.files.as_mut() {
            f.files
                .insert("schema.avsc".into(), "{\"type\":\"string\"}".into());
        }
        let b = hook_objects(&changed);
        let name = |v: &Value| {
            v["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        };
        assert_ne!(
            name(&a[0]),
            name(&b[0]),
            "ConfigMap name follows its content"
        );
        assert_ne!(
            name(&a[1]),
            name(&b[1]),
            "Job name follows the ConfigMap it mounts"
        );
        assert_eq!(hook_objects(&job()), a, "deterministic");
        let long = hook_name(&"b".repeat(63), &"p".repeat(80), "x");
        assert!(
            long.len() <= 63 && crate::names::dns_label_problem(&long).is_none(),
            "{long}"
        );
    }

    #[test]
    fn job_is_a_restricted_hook() {
        let objs = hook_objects(&job());
        let j = &objs[1];
        let ann = &j["metadata"]["annotations"];
        assert_eq!(ann[HOOK], "PreSync");
        assert_eq!(ann[HOOK_DELETE_POLICY], "BeforeHookCreation,HookSucceeded");
        assert_eq!(objs[0]["metadata"]["annotations"][SYNC_WAVE], "-2");
        let pod = &j["spec"]["template"]["spec"];
        assert_eq!(pod["securityContext"]["runAsNonRoot"], true);
        assert_eq!(
            pod["securityContext"]["seccompProfile"]["type"],
            "RuntimeDefault"
        );
        let c = &pod["containers"][0];
        assert_eq!(c["securityContext"]["allowPrivilegeEscalation"], false);
        assert_eq!(c["securityContext"]["capabilities"]["drop"][0], "ALL");
        assert!(c["resources"]["limits"]["memory"].is_string());
        assert_eq!(j["spec"]["backoffLimit"], 2);
        assert_eq!(j["spec"]["activeDeadlineSeconds"], 300);
        assert_eq!(pod["serviceAccountName"], "hooks");
    }
}
