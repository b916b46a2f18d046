//! A Git revision of the repository around the working directory, written out into a private
//! temporary directory with the `git` CLI (`git archive | tar -x`), so the old side goes through
//! the same source stage as the working tree. The index, the work tree and the refs of the
//! repository are never touched. The directory is removed when the [`Checkout`] is dropped.
//!
//! Why a written-out tree rather than a source reading blobs through `git cat-file --batch`:
//! a revision's side needs more than its YAML documents. Files its bundles name (schemas,
//! migrations) are read and confined by src/source/files.rs (symlinks resolved, the tree's
//! root enforced), and an overlay at the revision is built by kustomize, which reads files
//! itself. A blob source would need a second implementation of confinement and could not
//! serve kustomize; the written-out tree is read by the same [`super::Disk`] source as the
//! working tree, so both sides go through identical code.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub struct Checkout {
    dir: PathBuf,
    /// The repository's top level in the working tree.
    top: PathBuf,
    pub commit: String,
}

impl Drop for Checkout {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn git(args: &[&str]) -> Result<String, String> {
    let out = Command::new("git")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(err.trim().to_string());
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Whether `rev` names a commit of the current repository.
pub fn is_revision(rev: &str) -> bool {
    !rev.starts_with('-')
        && git(&[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{rev}^{{commit}}"),
        ])
        .is_ok()
}

impl Checkout {
    /// Write out `rev` (a commit, branch, tag, `origin/main`, ...).
    pub fn of(rev: &str) -> Result<Checkout, String> {
        if rev.starts_with('-') {
            return Err(format!("{rev:?} is not a revision"));
        }
        let top = git(&["rev-parse", "--show-toplevel"])
            .map_err(|e| format!("not inside a Git repository ({e})"))?;
        let commit = git(&[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{rev}^{{commit}}"),
        ])
        .map_err(|_| format!("{rev:?} is not a commit of this repository"))?;
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("kbundle-diff-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let checkout = Checkout {
            dir: dir.clone(),
            top: PathBuf::from(top),
            commit: commit.clone(),
        };
        // From the top level: in a subdirectory, git archive writes only that subdirectory.
        let mut archive = Command::new("git")
            .arg("-C")
            .arg(&checkout.top)
            .args(["archive", "--format=tar", &commit])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run git archive: {e}"))?;
        let Some(tar_in) = archive.stdout.take() else {
            return Err("git archive gave no output".into());
        };
        let tar = Command::new("tar")
            .arg("-x")
            .arg("-C")
            .arg(&dir)
            .stdin(tar_in)
            .stderr(Stdio::piped())
            .output()
            .map_err(|e| format!("cannot run tar: {e}"))?;
        let archived = archive
            .wait_with_output()
            .map_err(|e| format!("git archive failed: {e}"))?;
        if !archived.status.success() {
            return Err(format!(
                "git archive {rev} failed: {}",
                String::from_utf8_lossy(&archived.stderr).trim()
            ));
        }
        if !tar.status.success() {
            return Err(format!(
                "unpacking {rev} failed: {}",
                String::from_utf8_lossy(&tar.stderr).trim()
            ));
        }
        Ok(checkout)
    }

    /// Root of the written-out tree (the repository's top level at the revision).
    pub fn root(&self) -> &Path {
        &self.dir
    }

    /// Where a path of the working tree lies in the revision: the same place relative to the
    /// repository's top level. `None` when the path is outside the repository.
    pub fn map(&self, path: &str) -> Option<PathBuf> {
        let cwd = std::env::current_dir().ok()?;
        let abs = crate::source::join_lexically(&cwd, Path::new(path));
        // The top level git prints is canonical (symlinks resolved); so must the cwd be.
        let top = std::fs::canonicalize(&self.top).unwrap_or(self.top.clone());
        let abs_canon = canonical_prefix(&abs);
        let rel = abs_canon.strip_prefix(&top).ok()?;
        Some(self.dir.join(rel))
    }
}

/// Canonicalize the longest existing ancestor of `p` and keep the rest as written (a path may
/// exist in the revision but not in the working tree).
fn canonical_prefix(p: &Path) -> PathBuf {
    let mut tail = Vec::new();
    let mut cur = p.to_path_buf();
    loop {
        if let Ok(c) = std::fs::canonicalize(&cur) {
            let mut out = c;
            for t in tail.iter().rev() {
                out.push(t);
            }
            return out;
        }
        match (cur.file_name().map(|n| n.to_os_string()), cur.parent()) {
            (Some(name), Some(parent)) => {
                tail.push(name);
                cur = parent.to_path_buf();
            }
            _ => return p.to_path_buf(),
        }
    }
}
