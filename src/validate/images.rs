//! Pinned images: the images kbundle runs (acceptance tests, the Environment's hook and
//! ksql-migrations images) and the containers of every workload passing through kbundle
//! (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod: containers,
//! initContainers, ephemeralContainers) must name a fixed version. A digest
//! (`@sha256:<64 hex>`) always passes; a tag other than `latest` passes; no tag or `:latest` is
//! an error under the Environment's `policy.pinnedImages` and a warning otherwise.
//!
//! Codes: KB110 image without tag or digest, KB111 image tagged `latest`, KB112 image reference
//! that cannot be parsed (an error for images kbundle runs; for pass-through workloads it
//! follows `policy.pinnedImages` like the others, since a placeholder meant for a later
//! kustomize `images:` step is not kbundle's to refuse).

use super::{BundleInput, EnvInput, locate};
use crate::diag::Code;
use crate::diag::{Diagnostic, ResourceRef};
use crate::path::FieldPath;
use crate::source::Origin;
use serde_json::Value;

/// What is wrong with an image reference, if anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageProblem {
    /// Neither tag nor digest: the registry's `latest`, whatever that is today.
    NoTag,
    /// Tagged `latest`.
    Latest,
    /// Not an image reference at all; the text says why.
    Invalid(String),
}

fn is_hex(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// A `<algorithm>:<hex>` digest: sha256 with 64 hex digits, sha512 with 128.
fn digest_problem(d: &str) -> Option<String> {
    let ok = match d.split_once(':') {
        Some(("sha256", hex)) => hex.len() == 64 && is_hex(hex),
        Some(("sha512", hex)) => hex.len() == 128 && is_hex(hex),
        _ => false,
    };
    (!ok).then(|| format!("digest {d:?} is not sha256:<64 lowercase hex digits>"))
}

/// A tag: `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
fn tag_problem(t: &str) -> Option<String> {
    let ok = !t.is_empty()
        && t.len() <= 128
        && !t.starts_with(['.', '-'])
        && t.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    (!ok).then(|| format!("tag {t:?} is not valid"))
}

/// The repository path: an optional registry host (`[host|IP][:port]`, recognised by a `.` or
/// `:` or being `localhost`), then lowercase components separated by `/`.
fn repository_problem(repo: &str) -> Option<String> {
    if repo.is_empty() {
        return Some("the repository name is empty".into());
    }
    let mut parts: Vec<&str> = repo.split('/').collect();
    if parts.len() > 1 {
        let first = parts[0];
        if first.contains(['.', ':']) || first == "localhost" {
            let (host, port) = first.split_once(':').unwrap_or((first, ""));
            let host_ok = !host.is_empty()
                && host
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-'));
            let port_ok = first.contains(':').then_some(port).is_none_or(|p| {
                !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit())
            });
            if !host_ok || !port_ok {
                return Some(format!(
                    "registry {first:?} is not a host name with an optional port"
                ));
            }
            parts.remove(0);
        }
    }
    for p in parts {
        let ok = !p.is_empty()
            && p.chars().all(|c| {
                c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-')
            })
            && p.starts_with(|c: char| c.is_ascii_alphanumeric())
            && p.ends_with(|c: char| c.is_ascii_alphanumeric());
        if !ok {
            return Some(format!(
                "path component {p:?} must be lowercase letters and digits, separated by `.`, `_` or `-`"
            ));
        }
    }
    None
}

/// Check one image reference (`[registry[:port]/]path[:tag][@digest]`).
pub fn image_problem(image: &str) -> Option<ImageProblem> {
    if image.is_empty() {
        return Some(ImageProblem::Invalid("the image is empty".into()));
    }
    if image.len() > 4096 || image.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Some(ImageProblem::Invalid("the image holds white space".into()));
    }
    let (name, digest) = match image.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (image, None),
    };
    // The tag is after a `:` in the last path component; a `:` before a `/` is a port.
    let last_slash = name.rfind('/').map_or(0, |i| i + 1);
    let (repo, tag) = match name[last_slash..].rfind(':') {
        Some(i) => (&name[..last_slash + i], Some(&name[last_slash + i + 1..])),
        None => (name, None),
    };
    let invalid = repository_problem(repo)
        .or_else(|| tag.and_then(tag_problem))
        .or_else(|| digest.and_then(digest_problem));
    if let Some(why) = invalid {
        return Some(ImageProblem::Invalid(why));
    }
    if digest.is_some() {
        return None; // a digest pins the image whatever the tag says
    }
    match tag {
        None => Some(ImageProblem::NoTag),
        Some("latest") => Some(ImageProblem::Latest),
        Some(_) => None,
    }
}

/// `(code, what is wrong)` for a problem.
fn describe(p: &ImageProblem) -> (Code, String) {
    match p {
        ImageProblem::NoTag => (
            Code::ImageUntagged,
            "has neither a tag nor a digest".to_string(),
        ),
        ImageProblem::Latest => (Code::ImageLatest, "is tagged `latest`".to_string()),
        ImageProblem::Invalid(why) => (
            Code::ImageUnparsable,
            format!("is not a valid image reference: {why}"),
        ),
    }
}

const HINT: &str = "pin the image to a digest (`@sha256:…`) or a fixed version tag";

/// A diagnostic for `image` used by `who`; `always_error` for images kbundle itself runs.
fn image_diagnostic(
    env: &EnvInput,
    who: &str,
    image: &str,
    always_error: bool,
) -> Option<Diagnostic> {
    let p = image_problem(image)?;
    let (code, what) = describe(&p);
    let pinned = env.env.spec.policy.pinned_images;
    let message = format!("{who} image {image:?} {what}");
    let error = pinned || (always_error && matches!(p, ImageProblem::Invalid(_)));
    let d = if error {
        Diagnostic::error(code, message)
    } else {
        Diagnostic::warning(code, message)
    };
    let hint = if pinned || matches!(p, ImageProblem::Invalid(_)) {
        HINT.to_string()
    } else {
        format!(
            "{HINT}; {} sets no policy.pinnedImages, so this is a warning",
            env.label()
        )
    };
    Some(d.with_hint(hint))
}

/// The acceptance test images of a bundle.
pub fn check_bundle(b: &BundleInput, env: &EnvInput, out: &mut Vec<Diagnostic>) {
    for (i, t) in b.bundle.spec.tests.iter().enumerate() {
        let who = format!("acceptance test {:?}", t.name);
        if let Some(d) = image_diagnostic(env, &who, &t.image, true) {
            out.push(b.at(d, &FieldPath::of("spec.tests").index(i).key("image")));
        }
    }
}

/// The images the Environment gives hook Jobs and ksql migrations.
pub fn check_environment(env: &EnvInput, out: &mut Vec<Diagnostic>) {
    let spec = &env.env.spec;
    let images = [
        (
            spec.hooks.as_ref().map(|h| &h.image),
            "spec.hooks.image",
            "hook",
        ),
        (
            spec.ksqldb.as_ref().map(|k| &k.image),
            "spec.ksqldb.image",
            "ksql-migrations",
        ),
    ];
    for (image, path, who) in images {
        let Some(image) = image else { continue };
        if let Some(d) = image_diagnostic(env, who, image, true) {
            out.push(env.at(d, &FieldPath::of(path)));
        }
    }
}

/// Where the pod spec of a workload kind sits, as keys from the object's root.
fn pod_spec_path(api_version: &str, kind: &str) -> Option<&'static [&'static str]> {
    let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
    match (group, kind) {
        ("apps", "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet") | ("batch", "Job") => {
            Some(&["spec", "template", "spec"])
        }
        ("batch", "CronJob") => Some(&["spec", "jobTemplate", "spec", "template", "spec"]),
        ("", "Pod") => Some(&["spec"]),
        _ => None,
    }
}

/// The containers of a workload passing through kbundle. Objects kbundle generated are left
/// alone: their images come from the Environment and bundle, checked above.
pub fn check_workload(item: &Value, origin: &Origin, env: &EnvInput, out: &mut Vec<Diagnostic>) {
    let s = |p: &str| item.pointer(p).and_then(Value::as_str);
    let (Some(api_version), Some(kind)) = (s("/apiVersion"), s("/kind")) else {
        return;
    };
    let Some(path) = pod_spec_path(api_version, kind) else {
        return;
    };
    if s("/metadata/labels/app.kubernetes.io~1managed-by") == Some(crate::model::labels::MANAGER) {
        return;
    }
    let name = s("/metadata/name").unwrap_or("");
    let resource = ResourceRef {
        api_version: api_version.to_string(),
        kind: kind.to_string(),
        name: name.to_string(),
        namespace: s("/metadata/namespace").map(str::to_string),
    };
    let mut pod = item;
    let mut at = FieldPath::root();
    for key in path {
        let Some(next) = pod.get(key) else { return };
        pod = next;
        at = at.key(key);
    }
    for list in ["initContainers", "containers", "ephemeralContainers"] {
        let Some(containers) = pod.get(list).and_then(Value::as_array) else {
            continue;
        };
        for (i, c) in containers.iter().enumerate() {
            // Without an image there is nothing to pin (and the API server refuses it anyway).
            let Some(image) = c.get("image").and_then(Value::as_str) else {
                continue;
            };
            let container = c.get("name").and_then(Value::as_str).unwrap_or("");
            let who = format!("{kind}/{name} container {container:?}");
            if let Some(d) = image_diagnostic(env, &who, image, false) {
                let field = at.child_key(list).index(i).key("image");
                out.push(locate(d, origin, resource.clone(), &field));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SHA: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn image_references() {
        let invalid = |r: Option<ImageProblem>| matches!(r, Some(ImageProblem::Invalid(_)));
        let cases: Vec<(String, Option<ImageProblem>)> = vec![
            ("nginx".into(), Some(ImageProblem::NoTag)),
            ("nginx:latest".into(), Some(ImageProblem::Latest)),
            ("nginx:1.27".into(), None),
            ("library/nginx:1.27.3-alpine".into(), None),
            ("localhost:5000/app".into(), Some(ImageProblem::NoTag)),
            ("localhost:5000/app:1.0".into(), None),
            (
                "localhost:5000/app:latest".into(),
                Some(ImageProblem::Latest),
            ),
            (
                "registry.example.com/team/app".into(),
                Some(ImageProblem::NoTag),
            ),
            ("registry.example.com:443/team/app:v2".into(), None),
            (format!("registry.example.com/app@{SHA}"), None),
            (format!("app:latest@{SHA}"), None),
            (format!("localhost:5000/app@{SHA}"), None),
            ("confluentinc/ksqldb-cli:0.29.0".into(), None),
            ("ghcr.io/org/app:LATEST".into(), None),
            ("quay.io/org/sub/app:1_0".into(), None),
            ("app:v1.0.0-rc.1".into(), None),
        ];
        for (image, want) in cases {
            assert_eq!(image_problem(&image), want, "{image}");
        }
        for bad in [
            "",
            "nginx:",
            "Nginx:1.0",
            "app@sha256:abc",
            "app@md5:0123",
            format!("app@{}", SHA.to_uppercase().replace("SHA", "sha")).as_str(),
            "app:1 0",
            "app:-x",
            "registry.example.com:port/app:1",
            "a//b:1",
            "/app:1",
            "app/:1",
            "${IMAGE}",
        ] {
            assert!(
                invalid(image_problem(bad)),
                "{bad:?}: {:?}",
                image_problem(bad)
            );
        }
    }

    fn env(pinned: bool) -> EnvInput {
        let mut e = crate::render::builtin_environment();
        e.spec.policy.pinned_images = pinned;
        EnvInput {
            env: e,
            origin: None,
        }
    }

    fn origin() -> Origin {
        Origin {
            file: Some("apps/web.yaml".into()),
            ..Origin::default()
        }
    }

    #[test]
    fn workloads_name_each_offending_container() {
        let deploy = json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "shop"},
            "spec": {"template": {"spec": {
                "initContainers": [{"name": "init", "image": "busybox"}],
                "containers": [
                    {"name": "app", "image": "registry.example.com/web:1.2.3"},
                    {"name": "sidecar", "image": "envoyproxy/envoy:latest"}
                ]
            }}}
        });
        let mut out = Vec::new();
        check_workload(&deploy, &origin(), &env(true), &mut out);
        assert_eq!(out.len(), 2, "{out:?}");
        assert_eq!(out[0].code, Code::ImageUntagged);
        assert!(out[0].is_error());
        assert_eq!(
            out[0].field.as_deref(),
            Some("spec.template.spec.initContainers[0].image")
        );
        assert!(
            out[0].message.contains("Deployment/web container \"init\""),
            "{}",
            out[0].message
        );
        assert_eq!(out[1].code, Code::ImageLatest);
        assert_eq!(
            out[1].field.as_deref(),
            Some("spec.template.spec.containers[1].image")
        );
        assert_eq!(
            out[1].resource.as_ref().map(|r| r.name.as_str()),
            Some("web")
        );
        assert_eq!(out[1].file.as_deref(), Some("apps/web.yaml"));

        let mut out = Vec::new();
        check_workload(&deploy, &origin(), &env(false), &mut out);
        assert_eq!(out.len(), 2);
        assert!(
            out.iter().all(|d| !d.is_error()),
            "warnings without the policy"
        );
    }

    #[test]
    fn every_workload_kind_is_walked() {
        let pod_spec = json!({"containers": [{"name": "c", "image": "app"}]});
        let cases = [
            (
                json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "n"},
                    "spec": {"jobTemplate": {"spec": {"template": {"spec": pod_spec.clone()}}}}}),
                "spec.jobTemplate.spec.template.spec.containers[0].image",
            ),
            (
                json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "n"},
                    "spec": {"template": {"spec": pod_spec.clone()}}}),
                "spec.template.spec.containers[0].image",
            ),
            (
                json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "n"},
                    "spec": {"template": {"spec": pod_spec.clone()}}}),
                "spec.template.spec.containers[0].image",
            ),
            (
                json!({"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "n"},
                    "spec": {"template": {"spec": pod_spec.clone()}}}),
                "spec.template.spec.containers[0].image",
            ),
            (
                json!({"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "n"},
                    "spec": {"template": {"spec": pod_spec.clone()}}}),
                "spec.template.spec.containers[0].image",
            ),
            (
                json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "n"},
                    "spec": {"ephemeralContainers": [{"name": "dbg", "image": "busybox:latest"}]}}),
                "spec.ephemeralContainers[0].image",
            ),
        ];
        for (obj, field) in cases {
            let mut out = Vec::new();
            check_workload(&obj, &origin(), &env(true), &mut out);
            assert_eq!(out.len(), 1, "{obj}");
            assert_eq!(out[0].field.as_deref(), Some(field));
        }
        // Same kind name in another API group, kbundle's own Jobs, and non-workloads: skipped.
        for obj in [
            json!({"apiVersion": "example.com/v1", "kind": "Deployment", "metadata": {"name": "n"},
                   "spec": {"template": {"spec": pod_spec.clone()}}}),
            json!({"apiVersion": "batch/v1", "kind": "Job",
                   "metadata": {"name": "n", "labels": {"app.kubernetes.io/managed-by": "kbundle"}},
                   "spec": {"template": {"spec": pod_spec.clone()}}}),
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "n"}}),
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "n"}}),
        ] {
            let mut out = Vec::new();
            check_workload(&obj, &origin(), &env(true), &mut out);
            assert!(out.is_empty(), "{obj}: {out:?}");
        }
    }

    #[test]
    fn kbundle_images_are_checked() {
        let v = json!({
            "apiVersion": "kbundle.dev/v1alpha1", "kind": "AppBundle",
            "metadata": {"name": "orders"},
            "spec": {"owner": "o", "tests": [
                {"name": "ok", "image": format!("r.example.com/t@{SHA}")},
                {"name": "bad", "image": "r.example.com/t:latest"},
                {"name": "broken", "image": "T T"}
            ]}
        });
        let b = BundleInput {
            bundle: crate::model::parse_app_bundle(&v).expect("bundle"),
            origin: Origin::default(),
            files: Default::default(),
            migrations: None,
            resolved: Default::default(),
        };
        let mut out = Vec::new();
        check_bundle(&b, &env(false), &mut out);
        let got: Vec<_> = out
            .iter()
            .map(|d| (d.code, d.is_error(), d.field.clone().unwrap_or_default()))
            .collect();
        assert_eq!(
            got,
            [
                (Code::ImageLatest, false, "spec.tests[1].image".to_string()),
                (
                    Code::ImageUnparsable,
                    true,
                    "spec.tests[2].image".to_string()
                ),
            ]
        );

        let mut e = env(true);
        e.env.spec = serde_json::from_value(json!({
            "policy": {"pinnedImages": true},
            "hooks": {"image": "curlimages/curl"},
            "ksqldb": {"url": "http://k:8088", "image": "confluentinc/ksqldb-cli:0.29.0"}
        }))
        .expect("env");
        let mut out = Vec::new();
        check_environment(&e, &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].code, Code::ImageUntagged);
        assert!(out[0].is_error());
        assert_eq!(out[0].field.as_deref(), Some("spec.hooks.image"));
    }
}
