//! Legacy kustomize exec plugin adapter (`kubectl kustomize --enable-alpha-plugins`):
//! argv[1] is the plugin's config file; a transformer gets the resources as a YAML stream on
//! stdin, a generator gets nothing. Output is a YAML stream.

use super::{EXIT_ERRORS, EXIT_OK, EXIT_USAGE, read_stdin, write_stdout};
use crate::diag::Code;
use crate::diag::{self, Diagnostic};
use crate::render::{Consumed, Options, render};
use crate::source::{Item, Origin, read_stream};
use std::path::{Path, PathBuf};

pub fn run(config: Option<PathBuf>) -> u8 {
    let Some(config) = config else {
        eprintln!("error: the kustomize plugin needs its config file as the first argument");
        return EXIT_USAGE;
    };
    let config_text = match crate::source::read_text(&config) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read plugin config {}: {e}", config.display());
            return EXIT_USAGE;
        }
    };
    let stdin = match read_stdin() {
        Ok(t) => t,
        Err(d) => {
            eprint!("{}", diag::render_human(&[*d]));
            return EXIT_USAGE;
        }
    };
    // kustomize runs the plugin in the kustomization's directory and says so.
    let config_root = std::env::var_os("KUSTOMIZE_PLUGIN_CONFIG_ROOT")
        .map(PathBuf::from)
        .or_else(|| std::env::current_dir().ok());
    let (code, out, report) = process(&config_text, &stdin, config_root.as_deref());
    if !report.is_empty() {
        eprint!("{report}");
    }
    if !write_stdout(&out) {
        return EXIT_USAGE;
    }
    code
}

/// The tree files named by bundles under a kustomization may come from: `KBUNDLE_REPO_ROOT` when
/// it holds the kustomization (`kbundle argocd generate` sets it: Argo CD checkouts carry no
/// `.git`), else the repository holding it (the nearest directory with `.git`), else the
/// kustomization directory itself.
pub fn repo_root(kustomization_dir: &Path) -> PathBuf {
    if let Some(root) = std::env::var_os("KBUNDLE_REPO_ROOT").map(PathBuf::from)
        && kustomization_dir.starts_with(&root)
    {
        return root;
    }
    crate::source::repo_root(kustomization_dir)
}

/// Where files a bundle names are looked up under kustomize. kustomize does not say which file
/// a resource came from unless the kustomization asks for `buildMetadata: [originAnnotations]`;
/// then `config.kubernetes.io/origin` holds its path, relative to the kustomization directory.
/// Without it, the kustomization directory itself. Files must stay inside `repo`.
pub fn place(item: &mut Item, config_root: Option<&Path>, repo: &Path) {
    let Some(root_dir) = config_root else { return };
    let origin_path = item
        .value
        .pointer("/metadata/annotations")
        .and_then(|a| a.get("config.kubernetes.io/origin"))
        .and_then(|v| v.as_str())
        .and_then(|text| {
            text.lines()
                .find_map(|l| l.trim().strip_prefix("path:"))
                .map(|p| p.trim().trim_matches(['"', '\'']).to_string())
        });
    let base = match &origin_path {
        Some(p) => {
            item.origin.file = Some(p.clone());
            // Line numbers would count lines of kustomize's stream, not of that file.
            item.origin.span = None;
            Path::new(p)
                .parent()
                .map(|d| root_dir.join(d))
                .unwrap_or_else(|| root_dir.to_path_buf())
        }
        None => {
            item.origin.base_dir_guessed = true;
            root_dir.to_path_buf()
        }
    };
    item.origin.base_dir = Some(crate::source::join_lexically(Path::new(""), &base));
    item.origin.root = Some(repo.to_path_buf());
}

/// Whether this transformer run is the one `kbundle render DIR` / `kbundle argocd generate`
/// asked to defer: the Environment it named (`KBUNDLE_DEFER_ENVIRONMENT`), in the kustomization
/// it builds (`KBUNDLE_DEFER_ROOT`). See `kustomize::deferrable_environment`.
fn is_deferred(config: &serde_json::Value, config_root: Option<&Path>) -> bool {
    let (Some(name), Some(root), Some(here)) = (
        std::env::var_os("KBUNDLE_DEFER_ENVIRONMENT"),
        std::env::var_os("KBUNDLE_DEFER_ROOT"),
        config_root,
    ) else {
        return false;
    };
    let same_dir = match (std::fs::canonicalize(here), std::fs::canonicalize(&root)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    same_dir
        && config.get("kind").and_then(serde_json::Value::as_str) == Some("Environment")
        && config
            .pointer("/metadata/name")
            .and_then(serde_json::Value::as_str)
            == name.to_str()
}

/// Config text and stdin in; exit code, stdout and stderr out.
pub fn process(config_text: &str, stdin: &str, config_root: Option<&Path>) -> (u8, String, String) {
    // kustomize writes the config to a temp file; name the object instead of that path.
    let (mut config_items, mut diags) = read_stream(config_text, "kustomize plugin config");
    let (mut items, stdin_diags) = read_stream(stdin, "kustomize input");
    diags.extend(stdin_diags);
    if config_items.len() != 1 {
        diags.push(Diagnostic::error(
            Code::BadPluginConfig,
            format!(
                "the plugin config must hold one object, found {}",
                config_items.len()
            ),
        ));
    }
    if diag::has_errors(&diags) {
        return (EXIT_ERRORS, String::new(), diag::render_human(&diags));
    }
    let mut config = config_items.remove(0);
    config.origin = Origin::default();
    if !items.is_empty() && is_deferred(&config.value, config_root) {
        // kbundle builds this kustomization and renders its output itself: hand the inputs
        // back untouched, with the Environment, instead of rendering them here.
        let mut values: Vec<serde_json::Value> = items.into_iter().map(|i| i.value).collect();
        // Listed under `resources:` too, it is already in the stream (kustomize refuses a
        // second object with the same id).
        let id =
            |v: &serde_json::Value| (v.get("kind").cloned(), v.pointer("/metadata/name").cloned());
        if !values.iter().any(|v| id(v) == id(&config.value)) {
            values.push(config.value);
        }
        return match crate::yaml::to_stream(&values) {
            Ok(text) => (EXIT_OK, text, String::new()),
            // An output failure exits 2, as in every mode (render, fn, argocd generate).
            Err(e) => (
                EXIT_USAGE,
                String::new(),
                format!("error: cannot write YAML: {e}\n"),
            ),
        };
    }
    if let Some(dir) = config_root {
        let repo = repo_root(dir);
        place(&mut config, Some(dir), &repo);
        for item in &mut items {
            place(item, Some(dir), &repo);
        }
    }
    let opts = Options {
        environment: None,
        consumed: Consumed::KeepAsLocalConfig,
        annotate_paths: false,
    };
    // A generator (nothing on stdin) emits its own bundle too, marked local-config: kustomize
    // drops it from the final output, but an Environment transformer later in the same
    // kustomization sees it and re-renders it with that Environment.
    let rendered = if items.is_empty() {
        items.push(config);
        render(items, None, &opts)
    } else {
        render(items, Some(config), &opts)
    };
    let report = diag::render_human(&rendered.diagnostics);
    if rendered.has_errors() {
        return (EXIT_ERRORS, String::new(), report);
    }
    match crate::yaml::to_stream(&rendered.items) {
        Ok(text) => (EXIT_OK, text, report),
        // An output failure exits 2, as in every mode (render, fn, argocd generate).
        Err(e) => (
            EXIT_USAGE,
            String::new(),
            format!("error: cannot write YAML: {e}\n"),
        ),
    }
}
