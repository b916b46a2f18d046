//! KRM function adapter (kpt `fn eval --exec`/`fn render`, kustomize `exec:` functions):
//! ResourceList in, ResourceList with `results` out, exit 1 on any error result.

use super::{EXIT_ERRORS, EXIT_OK, EXIT_USAGE, read_stdin, write_stdout};
use crate::diag::{self};
use crate::render::{Consumed, Options, render};
use crate::source::read_resource_list;
use serde_json::{Value, json};

pub fn run() -> u8 {
    let text = match read_stdin() {
        Ok(t) => t,
        Err(d) => {
            // Unreadable, too large or not UTF-8: an input failure, exit 2 as in every mode,
            // and still a ResourceList whose result says why (kpt shows results).
            eprint!("{}", diag::render_human(std::slice::from_ref(&*d)));
            let _ = write_stdout(&error_list(&d));
            return EXIT_USAGE;
        }
    };
    let (code, out) = process(&text);
    if !write_stdout(&out) {
        return EXIT_USAGE;
    }
    code
}

/// An empty ResourceList whose one result is `d`.
fn error_list(d: &crate::diag::Diagnostic) -> String {
    let out = json!({
        "apiVersion": "config.kubernetes.io/v1",
        "kind": "ResourceList",
        "items": [],
        "results": diag::to_krm_results(std::slice::from_ref(d)),
    });
    crate::yaml::to_string(&out).unwrap_or_default()
}

/// The whole function as text in, text out: what the tests call.
pub fn process(text: &str) -> (u8, String) {
    let mut list = match read_resource_list(text) {
        Ok(l) => l,
        Err(d) => {
            eprint!("{}", diag::render_human(std::slice::from_ref(&*d)));
            return (EXIT_ERRORS, error_list(&d));
        }
    };
    // kustomize runs an `exec:` KRM function in the kustomization's directory and, with
    // `buildMetadata: [originAnnotations]`, says where each item came from: place those items
    // exactly as the legacy plugin does (files relative to their origin, inside the repository).
    if list
        .items
        .iter()
        .any(|i| i.origin.base_dir.is_none() && has_origin(&i.value))
        && let Ok(cwd) = std::env::current_dir()
    {
        let repo = super::legacy::repo_root(&cwd);
        for item in list.items.iter_mut() {
            if item.origin.base_dir.is_none() && has_origin(&item.value) {
                super::legacy::place(item, Some(&cwd), &repo);
            }
        }
    }
    let original: Vec<Value> = list.items.iter().map(|i| i.value.clone()).collect();
    let opts = Options {
        environment: None,
        consumed: Consumed::KeepAsLocalConfig,
        annotate_paths: true,
    };
    let rendered = render(list.items, list.function_config, &opts);
    let failed = rendered.has_errors();
    if !rendered.diagnostics.is_empty() {
        eprint!("{}", diag::render_human(&rendered.diagnostics));
    }
    // On error the items go back unchanged: orchestrators discard them, and nothing
    // half-rendered can leak.
    let items = if failed { original } else { rendered.items };
    let mut out = serde_json::Map::new();
    out.insert("apiVersion".into(), "config.kubernetes.io/v1".into());
    out.insert("kind".into(), "ResourceList".into());
    out.insert("items".into(), Value::Array(items));
    if !rendered.diagnostics.is_empty() {
        out.insert(
            "results".into(),
            Value::Array(diag::to_krm_results(&rendered.diagnostics)),
        );
    }
    let text = crate::yaml::to_string(&Value::Object(out)).unwrap_or_default();
    (if failed { EXIT_ERRORS } else { EXIT_OK }, text)
}

/// Whether kustomize stamped `config.kubernetes.io/origin` on the item.
fn has_origin(v: &Value) -> bool {
    v.pointer("/metadata/annotations/config.kubernetes.io~1origin")
        .is_some()
}
