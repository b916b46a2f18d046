//! Rendering a GitOps application: what Argo CD's `generate` asks of the pipeline. The adapter
//! (src/cli/argocd) translates the plugin's environment into an [`App`] and prints what comes
//! back; the decisions are made here:
//!
//! - KB125: the `environment` parameter cannot take effect when the app's kustomization renders
//!   its bundles itself (an Environment transformer);
//! - KB122: every bundle the `bundles` parameter names is one the app holds; only those
//!   bundles' objects are written (objects of no bundle stay: they belong to the app);
//! - local-config objects (kpt setters, function configs) are left out, as kustomize and
//!   `kpt live apply` leave them out, and kustomize's origin annotations are stripped;
//! - KB127: objects of an apiVersion the destination cluster does not serve (a warning);
//! - KB120: an empty manifest set is refused (with auto-prune it deletes the app).

use super::{Consumed, Options, is_kbundle_kind, render_to};
use crate::diag::{self, Code, Diagnostic};
use crate::emit;
use crate::source::{Input, Item};
use crate::suggest::did_you_mean;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// An application, as the adapter read it.
pub(crate) struct App {
    /// The application's name (messages only).
    pub name: String,
    /// The application's directory.
    pub dir: PathBuf,
    /// What it holds: its kustomization's output when `built`, else its YAML files.
    pub items: Vec<Item>,
    pub built: bool,
    /// Problems met reading it.
    pub diagnostics: Vec<Diagnostic>,
    /// The `environment` and `bundles` parameters.
    pub environment: Option<String>,
    pub bundles: Option<Vec<String>>,
    /// `KUBE_API_VERSIONS`: what the destination cluster serves, when Argo CD says.
    pub served_api_versions: Option<String>,
}

/// Render `app` into `sink`. The diagnostics come back sorted; nothing is written when there
/// is an error among them, except that objects already written stay written (the checks after
/// the render are about the output as a whole). `Err` is a failed write.
pub(crate) fn render_app(
    app: App,
    sink: &mut dyn emit::Sink,
) -> Result<Vec<Diagnostic>, emit::EmitError> {
    let mut diags = app.diagnostics;
    let input_bundles: BTreeSet<String> = app
        .items
        .iter()
        .filter(|i| is_kbundle_kind(&i.value) && kind_of(&i.value) == "AppBundle")
        .filter_map(|i| name_of(&i.value).map(str::to_string))
        .collect();
    // When the kustomization renders the bundles itself, none are left to expand.
    let self_rendered = app.built && input_bundles.is_empty();
    if self_rendered
        && let Some(env) = &app.environment
        && !diag::has_errors(&diags)
        && !environment_in(&app.dir, env)
    {
        diags.push(environment_ineffective(env));
    }
    if let Some(wanted) = &app.bundles
        && !diag::has_errors(&diags)
    {
        let known: BTreeSet<&str> = input_bundles
            .iter()
            .map(String::as_str)
            .chain(app.items.iter().filter_map(|i| emit::bundle_of(&i.value)))
            .collect();
        diags.extend(unknown_bundles(wanted, &known));
    }
    let mut out = emit::Emitter::new(
        emit::Options {
            strip_origin: true,
            drop_local_config: true,
            only_bundles: app.bundles.clone(),
        },
        sink,
    );
    if !diag::has_errors(&diags) {
        // With no bundle left to expand, a (confirmed) Environment name has nothing to choose.
        let opts = Options {
            environment: app.environment.filter(|_| !self_rendered),
            consumed: Consumed::Remove,
            annotate_paths: false,
        };
        let inputs = app.items.into_iter().map(Input::Item);
        let d = render_to(inputs, None, &opts, &mut out)?;
        // After a kustomization that renders its bundles itself, "no AppBundle found" is
        // expected; the output check below still applies.
        diags.extend(
            d.into_iter()
                .filter(|d| !(app.built && d.code == Code::NoBundle)),
        );
    }
    if !diag::has_errors(&diags)
        && let Some(served) = &app.served_api_versions
    {
        diags.extend(unserved_api_versions(&out.api_versions, served));
    }
    if !diag::has_errors(&diags) && out.count == 0 {
        diags.push(empty_output(&app.name, &app.dir));
    }
    diag::sort(&mut diags);
    Ok(diags)
}

fn name_of(v: &Value) -> Option<&str> {
    v.pointer("/metadata/name").and_then(Value::as_str)
}

fn kind_of(v: &Value) -> &str {
    v.get("kind").and_then(Value::as_str).unwrap_or("")
}

/// Whether the app's own files hold the Environment `name` (an overlay's transformer config).
fn environment_in(dir: &std::path::Path, name: &str) -> bool {
    crate::source::find_kbundle_objects(dir)
        .iter()
        .any(|(_, what)| *what == format!("Environment/{name}"))
}

/// KB125.
fn environment_ineffective(env: &str) -> Diagnostic {
    Diagnostic::error(
        Code::ArgoEnvironmentIneffective,
        format!(
            "the `environment` parameter ({env:?}) cannot apply: this app's kustomization \
             renders its bundles itself"
        ),
    )
    .with_file(Some("kustomization.yaml".into()), None)
    .with_hint(
        "the Environment listed under the kustomization's `transformers:` is the one used; \
         remove the parameter, or list the Environments under `resources:` instead",
    )
}

/// KB120.
fn empty_output(app_name: &str, dir: &std::path::Path) -> Diagnostic {
    Diagnostic::error(
        Code::EmptyOutput,
        format!("refusing to print an empty manifest set for app {app_name}"),
    )
    .with_file(Some(dir.display().to_string()), None)
    .with_hint(
        "with auto-prune, Argo CD would delete every resource of the app: check the app's \
         path (ARGOCD_APP_SOURCE_PATH) and that it holds AppBundles, and the `bundles` \
         parameter",
    )
}

/// KB122 for each name in the `bundles` parameter the app does not hold.
fn unknown_bundles(wanted: &[String], known: &BTreeSet<&str>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (i, name) in wanted.iter().enumerate() {
        if !known.contains(name.as_str()) {
            let mut d = Diagnostic::error(
                Code::ArgoBundleUnknown,
                format!("parameter `bundles` names {name:?}, which this app does not hold"),
            )
            .with_file(Some("ARGOCD_APP_PARAMETERS".into()), None)
            .with_field(format!("bundles[{i}]"));
            d = match did_you_mean(name, known.iter().copied()) {
                Some(s) => d.with_hint(format!("did you mean `{s}`?")),
                None => d.with_hint(format!(
                    "bundles found: {}",
                    known.iter().copied().collect::<Vec<_>>().join(", ")
                )),
            };
            out.push(d);
        }
    }
    out
}

/// Argo CD passes the destination cluster's API versions (`group/version`, and with some
/// versions also `group/version/Kind`, comma-separated). An object whose apiVersion the cluster
/// does not serve cannot sync: say so at generate time, where the fix (usually
/// `spec.strimzi.apiVersion` in the Environment, or installing the operator) is clear. A warning,
/// not an error: the CRDs may arrive in the same sync.
pub(crate) fn unserved_api_versions(
    written: &BTreeMap<String, BTreeSet<String>>,
    served: &str,
) -> Vec<Diagnostic> {
    let served: BTreeSet<&str> = served.split(',').map(str::trim).collect();
    let is_served = |api: &str| {
        served.contains(api)
            || served.iter().any(|s| {
                s.strip_prefix(api)
                    .is_some_and(|rest| rest.starts_with('/'))
            })
    };
    written
        .iter()
        .filter(|(api, _)| !is_served(api))
        .map(|(api, kinds)| {
            let api = api.as_str();
            let kinds: Vec<&str> = kinds.iter().map(String::as_str).collect();
            let hint = if api.starts_with("kafka.strimzi.io/") {
                let other = if api.ends_with("/v1") {
                    "kafka.strimzi.io/v1beta2"
                } else {
                    "kafka.strimzi.io/v1"
                };
                if is_served(other) {
                    format!(
                        "the cluster serves {other}: set spec.strimzi.apiVersion: {other} in the \
                         Environment"
                    )
                } else {
                    "install the Strimzi operator (its CRDs) on the destination cluster".into()
                }
            } else if api.starts_with("monitoring.coreos.com/") {
                "install the prometheus-operator CRDs on the destination cluster, or remove the \
                 bundle's alerts"
                    .into()
            } else {
                "install the CRD that serves it on the destination cluster".into()
            };
            Diagnostic::warning(
                Code::ApiVersionNotServed,
                format!(
                    "the destination cluster does not serve {api} ({}), per KUBE_API_VERSIONS",
                    kinds.join(", ")
                ),
            )
            .with_hint(hint)
        })
        .collect()
}
