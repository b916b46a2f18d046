//! The inputs of `kbundle render` / `check`: each path in order, a directory holding a
//! kustomization built by kustomize (an overlay is what its kustomization makes of it), every
//! other path read from disk a file at a time ([`crate::source::Disk`]). The pipeline reads
//! the stream as it classifies, so a large repository is never held parsed all at once.

use super::{kustomize, legacy};
use crate::diag::{Code, Diagnostic};
use crate::source::{Disk, Input, Source};
use std::cell::Cell;
use std::collections::VecDeque;
use std::io::Read;
use std::path::Path;

/// What reading met, known once the stream has been read to its end.
#[derive(Default)]
pub(super) struct Seen {
    /// A file could not be read (exit 2).
    pub io_failed: Cell<bool>,
    /// Any error while reading: a YAML syntax error, a failed kustomize build, an unreadable
    /// file. The output would be partial: the pipeline then renders for the diagnostics only.
    pub read_failed: Cell<bool>,
}

/// Whether any path is a directory holding a kustomization (checked without building it).
pub(super) fn builds(paths: &[String]) -> bool {
    paths.iter().any(|p| is_kustomization(p))
}

fn is_kustomization(p: &str) -> bool {
    let dir = Path::new(p);
    p != "-" && dir.is_dir() && kustomize::kustomization_in(dir).is_some()
}

/// The inputs of `paths`, in order, as a stream; `seen` records the problems met.
/// `repo` is the tree a kustomization's bundles must stay inside when the caller knows it (a
/// Git revision written out); else it is found from the kustomization's directory.
pub(super) fn stream<'a>(
    paths: &'a [String],
    stdin: &'a mut dyn Read,
    seen: &'a Seen,
    repo: Option<&'a Path>,
) -> impl Iterator<Item = Input> + 'a {
    PathInputs {
        paths: paths.iter(),
        stdin,
        repo,
        current: None,
        buffered: VecDeque::new(),
    }
    .inspect(move |i| {
        if let Input::Problem(d) = i {
            seen.io_failed
                .set(seen.io_failed.get() || d.code == Code::InputUnreadable);
            seen.read_failed
                .set(seen.read_failed.get() || d.severity == crate::diag::Severity::Error);
        }
    })
}

struct PathInputs<'a> {
    paths: std::slice::Iter<'a, String>,
    stdin: &'a mut dyn Read,
    repo: Option<&'a Path>,
    /// The path being read from disk, one file at a time.
    current: Option<Disk<std::io::Empty>>,
    buffered: VecDeque<Input>,
}

impl Iterator for PathInputs<'_> {
    type Item = Input;

    fn next(&mut self) -> Option<Input> {
        loop {
            if let Some(i) = self.buffered.pop_front() {
                return Some(i);
            }
            if let Some(disk) = &mut self.current {
                match disk.next_file() {
                    Some((items, diags)) => {
                        self.queue(items, diags);
                        continue;
                    }
                    None => self.current = None,
                }
            }
            let p = self.paths.next()?;
            if is_kustomization(p) {
                match build(Path::new(p), self.repo) {
                    Ok(items) => self.queue(items, Vec::new()),
                    Err(diags) => self.queue(Vec::new(), diags),
                }
            } else if p == "-" {
                // stdin is one stream: read it whole here.
                let (items, diags) =
                    crate::source::read_paths(std::slice::from_ref(p), &mut *self.stdin);
                self.queue(items, diags);
            } else {
                self.current = Some(Disk::new(std::slice::from_ref(p), std::io::empty()));
            }
        }
    }
}

impl PathInputs<'_> {
    fn queue(&mut self, items: Vec<crate::source::Item>, diags: Vec<Diagnostic>) {
        self.buffered.extend(diags.into_iter().map(Input::Problem));
        self.buffered.extend(items.into_iter().map(Input::Item));
    }
}

/// Build a kustomization. The tree a bundle's files must stay inside: the repository (nearest
/// `.git`), else the working directory when it holds the kustomization, else the latter.
fn build(dir: &Path, repo: Option<&Path>) -> Result<Vec<crate::source::Item>, Vec<Diagnostic>> {
    let dir = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    if let Some(repo) = repo {
        return kustomize::build(&dir, repo);
    }
    let repo = match std::env::current_dir() {
        Ok(cwd)
            if std::env::var_os("KBUNDLE_REPO_ROOT").is_none()
                && dir.starts_with(&cwd)
                && !crate::source::in_repository(&dir) =>
        {
            cwd
        }
        _ => legacy::repo_root(&dir),
    };
    kustomize::build(&dir, &repo)
}
