//! `kbundle render --flux --out DIR [--check]`: write the Flux stages of one Environment into
//! `DIR/<environment>/`, or (`--check`) compare them with what is committed there and name every
//! stale, missing and extra file without writing anything.

use crate::diag::{Code, Diagnostic, escape_controls};
use crate::emit::flux::Files;
use crate::model::environment::FluxSettings;
use crate::source::Item;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The Environment the render uses (the one named, or the only one) and its `spec.flux`.
pub fn environment(
    items: &[Item],
    wanted: Option<&str>,
) -> Result<(String, FluxSettings), Box<Diagnostic>> {
    let envs: Vec<&Item> = items
        .iter()
        .filter(|i| {
            crate::render::is_kbundle_kind(&i.value)
                && i.value.get("kind").and_then(serde_json::Value::as_str) == Some("Environment")
        })
        .collect();
    let name_of = |i: &Item| {
        i.value
            .pointer("/metadata/name")
            .and_then(serde_json::Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let chosen = match wanted {
        Some(w) => envs.iter().find(|i| name_of(i) == w),
        None if envs.len() == 1 => envs.first(),
        None => None,
    };
    let Some(item) = chosen else {
        return Err(Box::new(
            Diagnostic::error(
                Code::FluxSettingsMissing,
                format!(
                    "--flux needs one Environment; the input holds {} and --environment {}",
                    envs.len(),
                    match wanted {
                        Some(w) => format!("names {:?}", escape_controls(w)),
                        None => "is not given".into(),
                    }
                ),
            )
            .with_hint("pass the overlay of one Environment, or --environment NAME"),
        ));
    };
    let name = name_of(item);
    // The name becomes a directory and part of object names.
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(Box::new(Diagnostic::error(
            Code::FluxSettingsMissing,
            format!(
                "Environment name {:?} is not a DNS label: it names the output directory",
                escape_controls(&name)
            ),
        )));
    }
    // A broken Environment is reported by the render itself.
    let env = crate::model::parse_environment(&item.value).map_err(|_| {
        Box::new(Diagnostic::error(
            Code::FluxSettingsMissing,
            format!("Environment {name:?} does not parse; see its other errors"),
        ))
    })?;
    match env.spec.flux {
        Some(f) => Ok((name, f)),
        None => Err(Box::new(
            Diagnostic::error(
                Code::FluxSettingsMissing,
                format!("Environment {name:?} has no spec.flux"),
            )
            .with_hint("add spec.flux with sourceRef and path (docs/tutorials/flux.md)"),
        )),
    }
}

/// What a write did, for stderr.
#[derive(Debug, Default)]
pub struct Summary {
    pub files: usize,
    pub changed: usize,
    pub removed: usize,
}

/// `*.yaml` files under `dir`, relative, `/`-separated. The directory belongs to kbundle; any
/// other file (a README) is left alone.
fn existing(dir: &Path) -> std::io::Result<BTreeSet<String>> {
    let mut out = BTreeSet::new();
    if !dir.exists() {
        return Ok(out);
    }
    let mut todo = vec![PathBuf::new()];
    // Bounded: the tree is kbundle's own output, a few levels deep.
    while let Some(rel) = todo.pop() {
        for entry in std::fs::read_dir(dir.join(&rel))? {
            let entry = entry?;
            let path = rel.join(entry.file_name());
            let ty = entry.file_type()?;
            if ty.is_dir() && todo.len() < 10_000 {
                todo.push(path);
            } else if ty.is_file() && path.extension().is_some_and(|e| e == "yaml") {
                out.insert(path.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    Ok(out)
}

/// Compare `files` with `out/<environment>/`: one error per stale, missing or extra file.
pub fn check(out: &Path, environment: &str, files: &Files) -> Result<Vec<Diagnostic>, String> {
    let dir = out.join(environment);
    let on_disk = existing(&dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut diags = Vec::new();
    let shown = |rel: &str| escape_controls(&dir.join(rel).display().to_string()).into_owned();
    let stale = |rel: &str, what: &str| {
        Diagnostic::error(Code::FluxOutputStale, format!("{} is {what}", shown(rel)))
            .with_hint("render again without --check and commit the result")
    };
    for (rel, content) in files {
        match std::fs::read(dir.join(rel)) {
            Ok(bytes) if bytes == content.as_bytes() => {}
            Ok(_) => diags.push(stale(rel, "stale")),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => diags.push(stale(rel, "missing")),
            Err(e) => return Err(format!("cannot read {}: {e}", shown(rel))),
        }
    }
    for rel in on_disk.iter().filter(|r| !files.contains_key(*r)) {
        diags.push(stale(rel, "extra (no longer rendered)"));
    }
    Ok(diags)
}

/// Write `files` into `out/<environment>/`: changed and new files, removing `*.yaml` files no
/// longer rendered (and directories left empty). Unchanged files are not touched.
pub fn write(out: &Path, environment: &str, files: &Files) -> Result<Summary, String> {
    let dir = out.join(environment);
    let fail = |p: &Path, e: std::io::Error| {
        format!(
            "cannot write {}: {e}",
            escape_controls(&p.display().to_string())
        )
    };
    let on_disk = existing(&dir).map_err(|e| fail(&dir, e))?;
    let mut summary = Summary {
        files: files.len(),
        ..Summary::default()
    };
    for (rel, content) in files {
        let path = dir.join(rel);
        if std::fs::read(&path).is_ok_and(|b| b == content.as_bytes()) {
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| fail(parent, e))?;
        }
        std::fs::write(&path, content).map_err(|e| fail(&path, e))?;
        summary.changed += 1;
    }
    for rel in on_disk.iter().filter(|r| !files.contains_key(*r)) {
        let path = dir.join(rel);
        std::fs::remove_file(&path).map_err(|e| fail(&path, e))?;
        summary.removed += 1;
        // A stage that disappeared leaves an empty directory: remove it (fails harmlessly
        // when something else is still in it).
        if let Some(parent) = path.parent()
            && parent != dir
        {
            let _ = std::fs::remove_dir(parent);
        }
    }
    Ok(summary)
}
