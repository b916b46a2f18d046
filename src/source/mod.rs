//! Sources: the only code that touches the filesystem. Reads files, directories, stdin and KRM
//! ResourceLists, enforces the input limits and confinement, and turns every document into an
//! [`Item`] that remembers where it came from.
//!
//! - [`disk`]: paths and directories the user names, and the Argo CD discover scan;
//! - [`krm`]: ResourceLists from a KRM function's stdin;
//! - [`files`]: files and folders a bundle names (schemas, migrations), confined;
//! - [`git`]: a Git revision written out into a temporary directory, read like the disk;
//! - [`stream`]: the [`Source`] interface the pipeline reads (a file at a time), and the
//!   in-memory source.

mod disk;
mod files;
pub mod git;
mod krm;
mod stream;

pub use disk::{Disk, find_kbundle_objects, read_paths};
pub use files::{
    FileProblem, LoadedFile, MAX_DIR_ENTRIES, MAX_REFERENCED_BYTES, join_lexically, read_relative,
    read_relative_dir,
};
pub use krm::{ResourceList, read_resource_list};
pub use stream::{Input, Inputs, Memory, Source, inputs};

use crate::diag::{Code, Diagnostic};
use crate::yaml::{self, Children, Span};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Largest single input file or stdin stream accepted.
pub const MAX_INPUT_BYTES: u64 = 256 * 1024 * 1024;

/// Where an item came from, for diagnostics.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    /// Path as the user gave it (or as the orchestrator annotated it).
    pub file: Option<String>,
    /// Document index within the file, or item index within a ResourceList.
    pub index: usize,
    /// Spans of the document, when line numbers refer to `file`.
    pub span: Option<Span>,
    /// Where files the object names (schemas, migrations) are looked up: the directory of the
    /// file it came from. `None` when that is unknown.
    pub base_dir: Option<PathBuf>,
    /// The tree those files must stay inside: the directory the user gave kbundle.
    pub root: Option<PathBuf>,
    /// `base_dir` is a guess: kustomize built the object without origin annotations, so it is
    /// taken to be in the kustomization's directory. A missing file then says how to fix it.
    pub base_dir_guessed: bool,
    /// A salvaged AppBundle (see `model::salvage_app_bundle`) is checked without its broken
    /// list items; these are they, by list under `spec` and index in the document, so that a
    /// path into the salvaged bundle is shown as the document's.
    pub left_out: Vec<(String, usize)>,
}

/// One Kubernetes-style object read from the input.
#[derive(Debug, Clone)]
pub struct Item {
    pub value: Value,
    pub origin: Origin,
}

/// An object with a string apiVersion and kind.
pub fn is_object(v: &Value) -> bool {
    v.get("apiVersion").and_then(Value::as_str).is_some()
        && v.get("kind").and_then(Value::as_str).is_some()
}

/// Parse a whole YAML stream of objects (legacy plugin stdin, plugin config files).
pub fn read_stream(text: &str, display: &str) -> (Vec<Item>, Vec<Diagnostic>) {
    let mut items = Vec::new();
    let mut diags = Vec::new();
    disk::parse_file_bytes(
        display,
        text.as_bytes().to_vec(),
        false,
        &mut items,
        &mut diags,
    );
    (items, diags)
}

/// A whole text file the commands read besides their inputs (a plugin config, an import
/// descriptor, a kustomization), bounded like every input: larger than [`MAX_INPUT_BYTES`] or
/// not UTF-8 is an error, never a hang or an allocation the sidecar cannot hold.
pub fn read_text(path: &Path) -> std::io::Result<String> {
    use std::io::{Error, ErrorKind, Read};
    let mut buf = Vec::new();
    std::fs::File::open(path)?
        .take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut buf)?;
    if buf.len() as u64 > MAX_INPUT_BYTES {
        return Err(Error::new(
            ErrorKind::InvalidData,
            format!("larger than {} MiB", MAX_INPUT_BYTES / 1024 / 1024),
        ));
    }
    String::from_utf8(buf).map_err(|_| Error::new(ErrorKind::InvalidData, "not valid UTF-8"))
}

fn io_error(path: &str, e: &std::io::Error) -> Diagnostic {
    Diagnostic::error(Code::InputUnreadable, format!("cannot read {path}: {e}"))
        .with_file(Some(path.to_string()), None)
}

fn too_large(path: &str) -> Diagnostic {
    Diagnostic::error(
        Code::InputTooLarge,
        format!(
            "{path} is larger than {} MiB",
            MAX_INPUT_BYTES / 1024 / 1024
        ),
    )
    .with_file(Some(path.to_string()), None)
    .with_hint("split the input into several files")
}

/// The items of a Kubernetes list (`apiVersion: v1`, `kind: List` or any `<Kind>List`), which
/// kubectl and kustomize read as the objects it holds.
pub fn list_items(v: &Value) -> Option<&Vec<Value>> {
    let kind = v.get("kind").and_then(Value::as_str)?;
    let core = v.get("apiVersion").and_then(Value::as_str) == Some("v1");
    (core && kind.ends_with("List"))
        .then(|| v.get("items").and_then(Value::as_array))
        .flatten()
}

/// Spans of a child of a sequence node (used for ResourceList items).
pub fn seq_child(span: &Span, i: usize) -> Option<&Span> {
    match &span.children {
        Children::Seq(items) => items.get(i),
        _ => None,
    }
}

fn set_places(items: &mut [Item], base_dir: Option<PathBuf>, root: Option<PathBuf>) {
    for item in items {
        item.origin.base_dir = base_dir.clone();
        item.origin.root = root.clone();
    }
}

/// An absolute form of `p` without touching the filesystem (no symlink resolution).
fn absolute(p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|c| c.join(p))
            .unwrap_or_else(|_| p.to_path_buf())
    }
}

#[cfg(test)]
mod tests;

/// The repository holding `dir`: the nearest directory with `.git`, else `dir` itself. Files a
/// bundle names must stay inside it. The one place the repository root is looked for.
pub fn repo_root(dir: &Path) -> PathBuf {
    repository_of(dir).unwrap_or(dir).to_path_buf()
}

/// Whether `dir` is inside a Git repository (a `.git` in it or above it).
pub fn in_repository(dir: &Path) -> bool {
    repository_of(dir).is_some()
}

fn repository_of(dir: &Path) -> Option<&Path> {
    dir.ancestors().find(|d| d.join(".git").exists())
}
