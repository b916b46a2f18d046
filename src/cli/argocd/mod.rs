//! Argo CD config-management plugin adapter (`plugin.yaml` at the repository root).
//!
//! Argo CD runs `generate`, `discover` and the dynamic `parameters` command in the app's source
//! directory, inside a fresh copy of the repository (no `.git`, file modes stripped), with the
//! app's settings in `ARGOCD_*` variables. stdout is read as the app's manifests: it holds only
//! Kubernetes objects, and never an empty set — with auto-prune, an empty set deletes the app.

use super::kustomize;
use super::{EXIT_ERRORS, EXIT_OK, EXIT_USAGE, term, write_stdout};
use crate::diag::Code;
use crate::diag::{self, Diagnostic};
use crate::emit;
use crate::render::{Consumed, Options, is_kbundle_kind, render_to};
use crate::source::Item;
use crate::suggest::did_you_mean;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

#[derive(clap::Subcommand, Debug, Clone, Copy)]
pub enum Action {
    /// Render the app in the current directory (what plugin.yaml's `generate` runs).
    Generate,
    /// Print the parameter announcements for the app in the current directory (JSON).
    Parameters,
    /// Print the kbundle objects found below the current directory; nothing if none.
    Discover,
}

pub fn run(action: Action) -> u8 {
    match action {
        Action::Generate => generate(),
        Action::Parameters => parameters(),
        Action::Discover => discover(),
    }
}

/// Parameter names kbundle understands, and the read-only ones it announces.
const ENVIRONMENT: &str = "environment";
const BUNDLES: &str = "bundles";
const DETECTED_ENVIRONMENTS: &str = "detected-environments";
const DETECTED_BUNDLES: &str = "detected-bundles";

/// The app's parameters, with kbundle's own defaults applied (Argo CD never sends announced
/// defaults back).
#[derive(Debug, Default, PartialEq)]
struct Params {
    environment: Option<String>,
    bundles: Option<Vec<String>>,
}

fn param_error(message: String) -> Diagnostic {
    Diagnostic::error(Code::ArgoParameters, message)
        .with_file(Some("ARGOCD_APP_PARAMETERS".into()), None)
        .with_hint(
            "set spec.source.plugin.parameters to `environment` (string) and/or `bundles` (array)",
        )
}

/// `ARGOCD_APP_PARAMETERS` is `[{"name": .., "string"|"array"|"map": ..}, ..]`.
fn parse_params(
    json_text: Option<&str>,
    env_fallback: Option<&str>,
) -> Result<Params, Vec<Diagnostic>> {
    let mut params = Params::default();
    let mut errors = Vec::new();
    // Argo CD sends `null` when the Application sets no parameters (it marshals a nil list).
    let text = json_text
        .map(str::trim)
        .filter(|t| !t.is_empty() && *t != "null");
    if let Some(text) = text {
        match serde_json::from_str::<Value>(text) {
            Ok(Value::Array(list)) => {
                for (i, p) in list.iter().enumerate() {
                    let name = p.get("name").and_then(Value::as_str).unwrap_or("");
                    let field = format!("[{i}]");
                    match name {
                        ENVIRONMENT => match p.get("string") {
                            Some(Value::String(s)) => {
                                params.environment = Some(s.clone()).filter(|s| !s.is_empty())
                            }
                            _ => errors.push(
                                param_error(format!(
                                    "parameter `{ENVIRONMENT}` must be a string, got {}",
                                    short(p)
                                ))
                                .with_field(field),
                            ),
                        },
                        BUNDLES => match p.get("array") {
                            Some(Value::Array(items)) => {
                                let names: Option<Vec<String>> = items
                                    .iter()
                                    .map(|v| v.as_str().map(str::to_string))
                                    .collect();
                                match names {
                                    Some(n) if n.is_empty() => params.bundles = None,
                                    Some(n) => params.bundles = Some(n),
                                    None => errors.push(
                                        param_error(format!(
                                            "parameter `{BUNDLES}` must be an array of names, got {}",
                                            short(p)
                                        ))
                                        .with_field(field),
                                    ),
                                }
                            }
                            _ => errors.push(
                                param_error(format!(
                                    "parameter `{BUNDLES}` must be an array, got {}",
                                    short(p)
                                ))
                                .with_field(field),
                            ),
                        },
                        DETECTED_ENVIRONMENTS | DETECTED_BUNDLES => errors.push(
                            param_error(format!(
                                "parameter `{name}` is announced for information only and cannot be set"
                            ))
                            .with_field(field)
                            .with_hint(format!(
                                "set `{}` instead",
                                if name == DETECTED_BUNDLES { BUNDLES } else { ENVIRONMENT }
                            )),
                        ),
                        other => {
                            let mut d = param_error(format!("unknown parameter {other:?}"))
                                .with_field(field);
                            if let Some(s) = did_you_mean(other, [ENVIRONMENT, BUNDLES]) {
                                d = d.with_hint(format!("did you mean `{s}`?"));
                            }
                            errors.push(d);
                        }
                    }
                }
            }
            Ok(other) => errors.push(param_error(format!(
                "ARGOCD_APP_PARAMETERS is not a JSON list: {}",
                short(&other)
            ))),
            Err(e) => errors.push(param_error(format!(
                "ARGOCD_APP_PARAMETERS is not valid JSON: {e}"
            ))),
        }
    }
    if params.environment.is_none() {
        params.environment = env_fallback
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string);
    }
    if errors.is_empty() {
        Ok(params)
    } else {
        Err(errors)
    }
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 80 {
        format!("{}…", s.chars().take(80).collect::<String>())
    } else {
        s
    }
}

/// The checkout's root: the app directory with `ARGOCD_APP_SOURCE_PATH` taken off its end (Argo
/// CD's copy has no `.git`); else the repository holding it; else the app directory. Files a
/// bundle names must stay inside it.
fn repo_root(app: &Path, source_path: Option<&str>) -> PathBuf {
    if let Some(sp) = source_path {
        let parts: Vec<&std::ffi::OsStr> = Path::new(sp)
            .components()
            .filter_map(|c| match c {
                Component::Normal(n) => Some(n),
                _ => None,
            })
            .collect();
        let mut root = app.to_path_buf();
        let mut matched = true;
        for part in parts.iter().rev() {
            if root.file_name() == Some(part) {
                root.pop();
            } else {
                matched = false;
                break;
            }
        }
        if matched {
            return root;
        }
    }
    app.ancestors()
        .find(|d| d.join(".git").exists())
        .unwrap_or(app)
        .to_path_buf()
}

/// What the app holds: its kustomization's output when it has one, else its YAML files.
struct App {
    items: Vec<Item>,
    diagnostics: Vec<Diagnostic>,
    built: bool,
}

fn load_app(app: &Path, root: &Path) -> App {
    if kustomize::kustomization_in(app).is_some() {
        return match kustomize::build(app, root) {
            Ok(items) => App {
                items,
                diagnostics: Vec::new(),
                built: true,
            },
            Err(diagnostics) => App {
                items: Vec::new(),
                diagnostics,
                built: true,
            },
        };
    }
    let (mut items, diagnostics) =
        crate::source::read_paths(&[".".to_string()], &mut std::io::empty());
    for item in &mut items {
        item.origin.root = Some(root.to_path_buf());
    }
    App {
        items,
        diagnostics,
        built: false,
    }
}

fn current_dir() -> Result<PathBuf, u8> {
    std::env::current_dir().map_err(|e| {
        let d = Diagnostic::error(
            Code::InputUnreadable,
            format!("cannot read the current directory: {e}"),
        );
        eprint!("{}", diag::render_human(std::slice::from_ref(&d)));
        EXIT_USAGE
    })
}

fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn name_of(v: &Value) -> Option<&str> {
    v.pointer("/metadata/name").and_then(Value::as_str)
}

fn kind_of(v: &Value) -> &str {
    v.get("kind").and_then(Value::as_str).unwrap_or("")
}

fn generate() -> u8 {
    term::install();
    let app = match current_dir() {
        Ok(d) => d,
        Err(code) => return code,
    };
    let app_name = env_var("ARGOCD_APP_NAME").unwrap_or_else(|| "(unnamed)".into());
    let params = match parse_params(
        env_var("ARGOCD_APP_PARAMETERS").as_deref(),
        env_var("ARGOCD_ENV_KBUNDLE_ENVIRONMENT").as_deref(),
    ) {
        Ok(p) => p,
        Err(diags) => {
            eprint!("{}", diag::render_human(&diags));
            return EXIT_ERRORS;
        }
    };
    let root = repo_root(&app, env_var("ARGOCD_APP_SOURCE_PATH").as_deref());
    let loaded = load_app(&app, &root);
    let mut diags = loaded.diagnostics;
    if term::terminated() {
        return EXIT_ERRORS;
    }
    let input_bundles: BTreeSet<String> = loaded
        .items
        .iter()
        .filter(|i| is_kbundle_kind(&i.value) && kind_of(&i.value) == "AppBundle")
        .filter_map(|i| name_of(&i.value).map(str::to_string))
        .collect();
    // When the kustomization renders the bundles itself (an Environment transformer), the
    // parameter can only confirm the Environment the overlay holds, not choose another.
    if loaded.built
        && input_bundles.is_empty()
        && let Some(env) = &params.environment
        && !diag::has_errors(&diags)
        && !crate::source::find_kbundle_objects(&app)
            .iter()
            .any(|(_, what)| *what == format!("Environment/{env}"))
    {
        diags.push(
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
            ),
        );
    }
    // Objects of other bundles are left out; everything else (pass-through objects) stays, as
    // it belongs to the app rather than to a bundle.
    if let Some(wanted) = &params.bundles
        && !diag::has_errors(&diags)
    {
        let known: BTreeSet<&str> = input_bundles
            .iter()
            .map(String::as_str)
            .chain(
                loaded
                    .items
                    .iter()
                    .filter_map(|i| emit::bundle_of(&i.value)),
            )
            .collect();
        diags.extend(unknown_bundles(wanted, &known));
    }
    let mut stdout = ClaimedStdout(None);
    let mut yaml = emit::YamlStream::new(&mut stdout);
    let mut out = emit::Emitter::new(
        emit::Options {
            strip_origin: true,
            // Local-config objects (kpt setters, function configs) describe the package, not
            // the cluster: kustomize and `kpt live apply` leave them out, and so does the plugin.
            drop_local_config: true,
            only_bundles: params.bundles.clone(),
        },
        &mut yaml,
    );
    if !diag::has_errors(&diags) {
        // With no bundle left to expand, a (confirmed) Environment name has nothing to choose.
        let environment = params
            .environment
            .clone()
            .filter(|_| !(loaded.built && input_bundles.is_empty()));
        let opts = Options {
            environment,
            consumed: Consumed::Remove,
            annotate_paths: false,
        };
        match render_to(
            loaded.items.into_iter().map(crate::source::Input::Item),
            None,
            &opts,
            &mut out,
        ) {
            // After a kustomization that renders its bundles itself, none are left to expand:
            // "no AppBundle found" is expected then, and the output check below still applies.
            Ok(d) => diags.extend(
                d.into_iter()
                    .filter(|d| !(loaded.built && d.code == Code::NoBundle)),
            ),
            Err(e) => return write_failed(&e),
        }
    }
    let (count, api_versions) = (out.count, std::mem::take(&mut out.api_versions));
    if let Err(e) = yaml.finish() {
        return write_failed(&e);
    }
    if !diag::has_errors(&diags)
        && let Some(served) = env_var("KUBE_API_VERSIONS")
    {
        diags.extend(unserved_api_versions(&api_versions, &served));
    }
    if !diag::has_errors(&diags) && count == 0 {
        diags.push(
            Diagnostic::error(
                Code::EmptyOutput,
                format!("refusing to print an empty manifest set for app {app_name}"),
            )
            .with_file(Some(app.display().to_string()), None)
            .with_hint(
                "with auto-prune, Argo CD would delete every resource of the app: check the app's \
                 path (ARGOCD_APP_SOURCE_PATH) and that it holds AppBundles, and the `bundles` \
                 parameter",
            ),
        );
    }
    diag::sort(&mut diags);
    let report = diag::render_human(&diags);
    if !report.is_empty() {
        eprint!("{report}");
    }
    if diag::has_errors(&diags) {
        return EXIT_ERRORS;
    }
    EXIT_OK
}

fn write_failed(e: &emit::EmitError) -> u8 {
    if e.is_broken_pipe() {
        return EXIT_OK;
    }
    eprintln!("error: {}", e.describe());
    EXIT_USAGE
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

/// stdout, claimed from the signal handler at the first write: once output has begun, a
/// SIGTERM waits for it instead of cutting it short; before, the process exits with nothing
/// written.
struct ClaimedStdout(Option<std::io::BufWriter<std::io::StdoutLock<'static>>>);

impl std::io::Write for ClaimedStdout {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.0.is_none() {
            if !term::begin_output() {
                return Err(std::io::Error::other("stopped by a signal"));
            }
            self.0 = Some(std::io::BufWriter::with_capacity(
                1 << 16,
                std::io::stdout().lock(),
            ));
        }
        match &mut self.0 {
            Some(w) => w.write(buf),
            None => Ok(0),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.0 {
            Some(w) => w.flush(),
            None => Ok(()),
        }
    }
}

/// Argo CD passes the destination cluster's API versions (`group/version`, and with some
/// versions also `group/version/Kind`, comma-separated). An object whose apiVersion the cluster
/// does not serve cannot sync: say so at generate time, where the fix (usually
/// `spec.strimzi.apiVersion` in the Environment, or installing the operator) is clear. A warning,
/// not an error: the CRDs may arrive in the same sync.
fn unserved_api_versions(
    written: &std::collections::BTreeMap<String, BTreeSet<String>>,
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

/// Dynamic parameter announcements: what the app holds, for the Argo CD UI. Problems go to
/// stderr as warnings; `generate` is where they fail the app.
fn parameters() -> u8 {
    term::install();
    let app = match current_dir() {
        Ok(d) => d,
        Err(code) => return code,
    };
    let root = repo_root(&app, env_var("ARGOCD_APP_SOURCE_PATH").as_deref());
    // The app's own files hold the Environment of an overlay (a transformer's config); the
    // kustomization's output holds the bundles it renders, or their generated objects.
    let (files, mut diags) = crate::source::read_paths(&[".".to_string()], &mut std::io::empty());
    let mut values: Vec<Value> = files.into_iter().map(|i| i.value).collect();
    if kustomize::kustomization_in(&app).is_some() {
        match kustomize::build(&app, &root) {
            Ok(items) => values.extend(items.into_iter().map(|i| i.value)),
            Err(d) => diags.extend(d),
        }
    }
    let mut envs = BTreeSet::new();
    let mut bundles = BTreeSet::new();
    for v in &values {
        if is_kbundle_kind(v) {
            match (kind_of(v), name_of(v)) {
                ("Environment", Some(n)) => {
                    envs.insert(n.to_string());
                }
                ("AppBundle", Some(n)) => {
                    bundles.insert(n.to_string());
                }
                _ => {}
            }
        } else if let Some(b) = emit::bundle_of(v) {
            bundles.insert(b.to_string());
        }
    }
    for d in &mut diags {
        d.severity = diag::Severity::Warning;
    }
    let report = diag::render_human(&diags);
    if !report.is_empty() {
        eprint!("{report}");
    }
    let list = |s: BTreeSet<String>| Value::Array(s.into_iter().map(Value::String).collect());
    let announcements = json!([
        {
            "name": DETECTED_ENVIRONMENTS,
            "title": "Environments in this app (read-only)",
            "tooltip": "kbundle Environments found in the app directory and its kustomization; \
                        choose one with the `environment` parameter when there are several",
            "collectionType": "array",
            "array": list(envs),
        },
        {
            "name": DETECTED_BUNDLES,
            "title": "AppBundles in this app (read-only)",
            "tooltip": "AppBundles this app renders; the `bundles` parameter can restrict the \
                        output to some of them",
            "collectionType": "array",
            "array": list(bundles),
        },
    ]);
    if !term::begin_output() {
        return EXIT_ERRORS;
    }
    write_stdout(&format!("{announcements}\n"));
    EXIT_OK
}

/// The discover rule: succeed with output when the app directory holds kbundle objects. A file
/// that mentions the kbundle API group but does not parse still counts — `generate` then reports
/// the error, where a silent non-match would hand the app to another tool.
fn discover() -> u8 {
    let app = match current_dir() {
        Ok(d) => d,
        Err(code) => return code,
    };
    let found = crate::source::find_kbundle_objects(&app);
    let mut text = String::new();
    for (file, what) in found {
        text.push_str(&format!("{what}\t{file}\n"));
    }
    write_stdout(&text);
    EXIT_OK
}

#[cfg(test)]
mod tests;
