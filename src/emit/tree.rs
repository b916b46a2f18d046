//! A directory of files as the output sink: the staged Flux tree (`render --flux --out`, kept
//! in step with the render: changed files written, files no longer rendered removed, `--check`
//! comparing without writing) and `import --out` (new files only, unless forced). The one
//! place output reaches the filesystem besides stdout.

use crate::diag::{Code, Diagnostic, escape_controls};
use crate::emit::flux::Files;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Write `content` to `path` (its directory created), unless it holds exactly that already:
/// `Ok(true)` when written. Unchanged files keep their timestamps, so Git and Flux see no
/// change.
pub fn write_file(path: &Path, content: &str) -> Result<bool, String> {
    let fail = |p: &Path, e: std::io::Error| {
        format!(
            "cannot write {}: {e}",
            escape_controls(&p.display().to_string())
        )
    };
    if std::fs::read(path).is_ok_and(|b| b == content.as_bytes()) {
        return Ok(false);
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| fail(parent, e))?;
    }
    std::fs::write(path, content).map_err(|e| fail(path, e))?;
    Ok(true)
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
        if write_file(&dir.join(rel), content)? {
            summary.changed += 1;
        }
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

/// Write the files into `dir` (created if missing). Without `force`, any existing file
/// stops the whole write before anything is written.
pub fn write_new(
    dir: &Path,
    force: bool,
    files: &[(String, String)],
) -> Result<Vec<PathBuf>, String> {
    if !force {
        let existing: Vec<String> = files
            .iter()
            .map(|(f, _)| dir.join(f))
            .filter(|p| p.exists())
            .map(|p| p.display().to_string())
            .collect();
        if !existing.is_empty() {
            return Err(format!(
                "{} exists already (pass --force to overwrite)",
                existing.join(", ")
            ));
        }
    }
    let mut written = Vec::new();
    for (f, text) in files {
        let p = dir.join(f);
        write_file(&p, text)?;
        written.push(p);
    }
    Ok(written)
}
