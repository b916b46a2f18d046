//! Files and folders a bundle names, resolved against its own file and confined to the tree
//! kbundle was given.

use super::*;

/// Why a file an object names could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileProblem {
    pub code: Code,
    pub message: String,
    pub hint: Option<String>,
}

/// A file an object names, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedFile {
    /// The path as shown to users: relative to where the object's own file was shown.
    pub display: String,
    pub text: String,
}

/// Largest schema or migration file read.
pub const MAX_REFERENCED_BYTES: u64 = 4 * 1024 * 1024;

/// Join `rel` to `base`, resolving `.` and `..` lexically (the result is then checked against
/// the root before the filesystem is asked anything).
pub fn join_lexically(base: &Path, rel: &Path) -> PathBuf {
    let mut out = base.to_path_buf();
    for c in rel.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

fn problem(code: Code, message: String, hint: Option<&str>) -> FileProblem {
    FileProblem {
        code,
        message,
        hint: hint.map(str::to_string),
    }
}

/// Resolve `rel` (a file or folder an object names) against the directory of the file the
/// object came from, refusing anything outside the tree the user gave kbundle: absolute paths,
/// `..` escapes and symbolic links that lead out. Returns the path as shown to users and the
/// real path.
fn resolve_confined(origin: &Origin, rel: &str) -> Result<(String, PathBuf), FileProblem> {
    let escape_hint =
        Some("files a bundle names must stay inside that tree: no `..` escapes, no links out");
    if rel.is_empty() {
        return Err(problem(Code::FileEscape, "the path is empty".into(), None));
    }
    // A URL is refused before it is shown anywhere: its user info or query may hold a password,
    // and kbundle reads files inside the tree, never the network.
    if rel.contains("://") || rel.contains('@') {
        return Err(problem(
            Code::FileEscape,
            format!(
                "the path, {}, looks like a URL",
                crate::diag::shown::shape(&serde_json::Value::String(rel.to_string()))
            ),
            Some("name a file relative to the bundle's own file; kbundle never fetches anything"),
        ));
    }
    let relp = Path::new(rel);
    if relp.is_absolute() {
        return Err(problem(
            Code::FileEscape,
            format!("{rel:?} is an absolute path"),
            Some("name files relative to the bundle's own file"),
        ));
    }
    let (Some(base), Some(root)) = (&origin.base_dir, &origin.root) else {
        return Err(problem(
            Code::FileUnresolvable,
            format!("cannot resolve {rel:?}: where the bundle's file is, is unknown"),
            Some(
                "under kpt use `kpt fn render`, or run `kpt fn eval .` from the package; under kustomize add `buildMetadata: [originAnnotations]`",
            ),
        ));
    };
    let shown_dir = origin
        .file
        .as_deref()
        .and_then(|f| Path::new(f).parent())
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let display = join_lexically(&shown_dir, relp).display().to_string();
    let joined = join_lexically(base, relp);
    if !joined.starts_with(root) {
        return Err(problem(
            Code::FileEscape,
            format!("{rel:?} leads outside the directory tree given to kbundle"),
            escape_hint,
        ));
    }
    let real = std::fs::canonicalize(&joined).map_err(|e| {
        let code = if e.kind() == std::io::ErrorKind::NotFound {
            Code::FileMissing
        } else {
            Code::InputUnreadable
        };
        problem(
            code,
            format!("cannot read {display}: {e}"),
            Some(if origin.base_dir_guessed {
                "kustomize did not say which file the bundle came from, so its files were looked \
                 up in the kustomization's directory: add `buildMetadata: [originAnnotations]` \
                 to the kustomization"
            } else {
                "check the path, relative to the bundle's file"
            }),
        )
    })?;
    let real_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.clone());
    if !real.starts_with(&real_root) {
        return Err(problem(
            Code::FileEscape,
            format!(
                "{display} is a symbolic link that leads outside the directory tree given to kbundle"
            ),
            escape_hint,
        ));
    }
    Ok((display, real))
}

/// Read a file an object names (a schema, a migration), with the confinement of
/// [`resolve_confined`] and the size limit [`MAX_REFERENCED_BYTES`].
pub fn read_relative(origin: &Origin, rel: &str) -> Result<LoadedFile, FileProblem> {
    let (display, real) = resolve_confined(origin, rel)?;
    let meta = std::fs::metadata(&real).map_err(|e| {
        problem(
            Code::InputUnreadable,
            format!("cannot read {display}: {e}"),
            None,
        )
    })?;
    if !meta.is_file() {
        return Err(problem(
            Code::FileMissing,
            format!("{display} is not a file"),
            None,
        ));
    }
    if meta.len() > MAX_REFERENCED_BYTES {
        return Err(problem(
            Code::InputTooLarge,
            format!(
                "{display} is larger than {} MiB",
                MAX_REFERENCED_BYTES / 1024 / 1024
            ),
            None,
        ));
    }
    let bytes = std::fs::read(&real).map_err(|e| {
        problem(
            Code::InputUnreadable,
            format!("cannot read {display}: {e}"),
            None,
        )
    })?;
    let text = String::from_utf8(bytes).map_err(|_| {
        problem(
            Code::InputSyntax,
            format!("{display} is not valid UTF-8"),
            None,
        )
    })?;
    Ok(LoadedFile { display, text })
}

/// Most entries a folder a bundle names (ksql migrations) may hold.
pub const MAX_DIR_ENTRIES: usize = 10_000;

/// The folder `rel` names, resolved and confined exactly like [`read_relative`] resolves a file:
/// its real path, or why it cannot be used.
fn resolve_relative_dir(origin: &Origin, rel: &str) -> Result<PathBuf, FileProblem> {
    let (display, real) = resolve_confined(origin, rel)?;
    if !real.is_dir() {
        return Err(problem(
            Code::FileMissing,
            format!("{display} is not a directory"),
            Some("name a folder that holds the files"),
        ));
    }
    Ok(real)
}

/// Read the regular files of a folder an object names (ksql migrations), relative to the
/// directory of the file the object came from, with the confinement of [`read_relative`]: the
/// folder and every file in it (links included) must stay inside the tree given to kbundle.
/// Not recursive: subfolders are skipped, and so are hidden entries (`.gitkeep`). Files come
/// sorted by name, each shown as `<bundle dir>/<folder>/<name>`. At most [`MAX_DIR_ENTRIES`]
/// entries and [`MAX_REFERENCED_BYTES`] in all are read; the first problem met (in name order)
/// is the answer.
pub fn read_relative_dir(origin: &Origin, rel: &str) -> Result<Vec<LoadedFile>, FileProblem> {
    let real = resolve_relative_dir(origin, rel)?;
    let shown = || {
        let shown_dir = origin
            .file
            .as_deref()
            .and_then(|f| Path::new(f).parent())
            .map(Path::to_path_buf)
            .unwrap_or_default();
        join_lexically(&shown_dir, Path::new(rel))
            .display()
            .to_string()
    };
    let read_error = |e: std::io::Error| FileProblem {
        code: Code::InputUnreadable,
        message: format!("cannot read {}: {e}", shown()),
        hint: None,
    };
    let mut names = Vec::new();
    for entry in std::fs::read_dir(&real).map_err(read_error)? {
        let entry = entry.map_err(read_error)?;
        let Some(name) = entry.file_name().to_str().map(str::to_string) else {
            return Err(FileProblem {
                code: Code::InputSyntax,
                message: format!(
                    "{} holds a file whose name is not valid UTF-8: {:?}",
                    shown(),
                    entry.file_name()
                ),
                hint: Some("rename the file".into()),
            });
        };
        if name.starts_with('.') {
            continue;
        }
        let ft = entry.file_type().map_err(read_error)?;
        // A link to a folder inside the tree is a subfolder: skipped like one. A link out, or a
        // broken one, is reported by read_relative below.
        let is_dir = ft.is_dir()
            || (ft.is_symlink() && entry.path().is_dir() && {
                let root = origin
                    .root
                    .as_ref()
                    .and_then(|r| std::fs::canonicalize(r).ok());
                let target = std::fs::canonicalize(entry.path()).ok();
                matches!((root, target), (Some(r), Some(t)) if t.starts_with(&r))
            });
        if is_dir {
            continue;
        }
        names.push(name);
        if names.len() > MAX_DIR_ENTRIES {
            return Err(FileProblem {
                code: Code::InputTooLarge,
                message: format!("{} holds more than {MAX_DIR_ENTRIES} files", shown()),
                hint: None,
            });
        }
    }
    names.sort();
    let mut out = Vec::with_capacity(names.len());
    let mut total: u64 = 0;
    for name in names {
        let child = Path::new(rel).join(&name).display().to_string();
        let f = read_relative(origin, &child)?;
        total += f.text.len() as u64;
        if total > MAX_REFERENCED_BYTES {
            return Err(FileProblem {
                code: Code::InputTooLarge,
                message: format!(
                    "the files in {} are larger than {} MiB in all",
                    shown(),
                    MAX_REFERENCED_BYTES / 1024 / 1024
                ),
                hint: None,
            });
        }
        out.push(f);
    }
    Ok(out)
}
