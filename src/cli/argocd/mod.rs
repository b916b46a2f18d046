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
use crate::render::{self, is_kbundle_kind};
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
    crate::source::repo_root(app)
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
    if term::terminated() {
        return EXIT_ERRORS;
    }
    // The decisions (which bundles, which Environment, what is refused) are the pipeline's:
    // src/render/app.rs. This adapter only translates Argo CD's environment and output.
    let request = render::app::App {
        name: app_name,
        dir: app,
        items: loaded.items,
        built: loaded.built,
        diagnostics: loaded.diagnostics,
        environment: params.environment,
        bundles: params.bundles,
        served_api_versions: env_var("KUBE_API_VERSIONS"),
    };
    let mut stdout = ClaimedStdout(None);
    let mut yaml = emit::YamlStream::new(&mut stdout);
    let diags = match render::app::render_app(request, &mut yaml) {
        Ok(d) => d,
        Err(e) => return write_failed(&e),
    };
    if let Err(e) = yaml.finish() {
        return write_failed(&e);
    }
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
