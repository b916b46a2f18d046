//! Reading inputs: files, directories, stdin and KRM ResourceLists. The only module that
//! touches the filesystem; it enforces the input limits and turns every document into an
//! [`Item`] that remembers where it came from.

use crate::diag::Code;
use crate::diag::Diagnostic;
use crate::yaml::{self, Children, Span};
use serde_json::Value;
use std::io::Read;
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
}

/// One Kubernetes-style object read from the input.
#[derive(Debug, Clone)]
pub struct Item {
    pub value: Value,
    pub origin: Origin,
}

/// Tool configuration that is not a cluster object and is never passed through when reading
/// directories: kustomizations, kpt's Kptfile.
fn is_tool_config(value: &Value) -> bool {
    let api = value
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or("");
    let kind = value.get("kind").and_then(Value::as_str).unwrap_or("");
    (api.starts_with("kustomize.config.k8s.io/")
        && (kind == "Kustomization" || kind == "Component"))
        || (api.starts_with("kpt.dev/") && kind == "Kptfile")
}

/// Read every path (`-` is stdin). Directories are walked recursively in sorted order for
/// `*.yaml`/`*.yml`, skipping hidden entries. Problems become diagnostics; reading goes on so
/// that one run reports everything.
pub fn read_paths(paths: &[String], stdin: &mut dyn Read) -> (Vec<Item>, Vec<Diagnostic>) {
    let mut items = Vec::new();
    let mut diags = Vec::new();
    for p in paths {
        if p == "-" {
            let mut buf = Vec::new();
            match stdin.take(MAX_INPUT_BYTES + 1).read_to_end(&mut buf) {
                Ok(n) if n as u64 > MAX_INPUT_BYTES => diags.push(too_large("<stdin>")),
                Ok(_) => {
                    let first = items.len();
                    parse_file_bytes("<stdin>", buf, false, &mut items, &mut diags);
                    // Files named from stdin resolve against the working directory.
                    let cwd = std::env::current_dir().ok();
                    set_places(&mut items[first..], cwd.clone(), cwd);
                }
                Err(e) => diags.push(io_error("<stdin>", &e)),
            }
            continue;
        }
        let path = Path::new(p);
        match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => {
                let mut files = Vec::new();
                walk(path, path, &mut files, &mut diags);
                files.sort();
                let root = absolute(path);
                for f in files {
                    let first = items.len();
                    read_file(&f, true, &mut items, &mut diags);
                    let base = f.parent().map(absolute);
                    set_places(&mut items[first..], base, Some(root.clone()));
                }
            }
            Ok(_) => {
                let first = items.len();
                read_file(path, false, &mut items, &mut diags);
                // A single file: its own directory is the tree it may reach into.
                let dir = path.parent().map(|d| {
                    if d.as_os_str().is_empty() {
                        Path::new(".")
                    } else {
                        d
                    }
                });
                let dir = dir.map(absolute);
                set_places(&mut items[first..], dir.clone(), dir);
            }
            Err(e) => diags.push(io_error(p, &e)),
        }
    }
    (items, diags)
}

fn walk(root: &Path, dir: &Path, files: &mut Vec<PathBuf>, diags: &mut Vec<Diagnostic>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            diags.push(io_error(&dir.display().to_string(), &e));
            return;
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().to_string();
        if name.starts_with('.') {
            continue;
        }
        let Ok(ft) = entry.file_type() else { continue };
        if ft.is_symlink() {
            // A link may point anywhere: read it only if it stays inside the tree given.
            match (std::fs::canonicalize(&path), std::fs::canonicalize(root)) {
                (Ok(target), Ok(root_real)) if target.starts_with(&root_real) => {
                    if target.is_file() && is_yaml(&name) {
                        files.push(path);
                    }
                    // Linked directories inside the tree are already walked through their
                    // real path; following them could only loop or duplicate.
                }
                (Ok(target), Ok(_)) => diags.push(
                    Diagnostic::error(
                        Code::SymlinkEscape,
                        format!(
                            "symbolic link {} points outside the input tree, to {}",
                            path.display(),
                            target.display()
                        ),
                    )
                    .with_file(Some(path.display().to_string()), None)
                    .with_hint("inputs must stay inside the directory given to kbundle"),
                ),
                _ => diags.push(
                    Diagnostic::error(
                        Code::BrokenSymlink,
                        format!("broken symbolic link {}", path.display()),
                    )
                    .with_file(Some(path.display().to_string()), None),
                ),
            }
        } else if ft.is_dir() {
            walk(root, &path, files, diags);
        } else if ft.is_file() && is_yaml(&name) && !is_tool_config_file(&name) {
            files.push(path);
        }
    }
}

/// kustomize knows its files by name, and they need no apiVersion or kind: skip them by name
/// as well as by kind.
fn is_tool_config_file(name: &str) -> bool {
    matches!(name, "kustomization.yaml" | "kustomization.yml" | "Kptfile")
}

fn is_yaml(name: &str) -> bool {
    name.ends_with(".yaml") || name.ends_with(".yml")
}

fn read_file(path: &Path, in_dir: bool, items: &mut Vec<Item>, diags: &mut Vec<Diagnostic>) {
    let display = path.display().to_string();
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => return diags.push(io_error(&display, &e)),
    };
    let mut buf = Vec::new();
    match file.take(MAX_INPUT_BYTES + 1).read_to_end(&mut buf) {
        Ok(n) if n as u64 > MAX_INPUT_BYTES => diags.push(too_large(&display)),
        Ok(_) => parse_file_bytes(&display, buf, in_dir, items, diags),
        Err(e) => diags.push(io_error(&display, &e)),
    }
}

fn parse_file_bytes(
    display: &str,
    bytes: Vec<u8>,
    in_dir: bool,
    items: &mut Vec<Item>,
    diags: &mut Vec<Diagnostic>,
) {
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(_) => {
            return diags.push(
                Diagnostic::error(Code::InputSyntax, "file is not valid UTF-8")
                    .with_file(Some(display.to_string()), None),
            );
        }
    };
    let docs = match yaml::parse_stream(&text) {
        Ok(d) => d,
        Err(e) => {
            return diags.push(
                Diagnostic::error(Code::InputSyntax, format!("invalid YAML: {}", e.message))
                    .with_file(Some(display.to_string()), Some(e.line))
                    .with_hint("fix the YAML syntax at the position shown"),
            );
        }
    };
    for (index, doc) in docs.into_iter().enumerate() {
        if in_dir && is_tool_config(&doc.value) {
            continue;
        }
        if !is_object(&doc.value) {
            let mut d = Diagnostic::error(
                Code::UnknownKind,
                "document is not a Kubernetes object (it needs apiVersion and kind)",
            )
            .with_file(Some(display.to_string()), Some(doc.span.line));
            d.index = Some(index);
            diags.push(d);
            continue;
        }
        items.push(Item {
            value: doc.value,
            origin: Origin {
                file: Some(display.to_string()),
                index,
                span: Some(doc.span),
                base_dir: None,
                root: None,
                base_dir_guessed: false,
            },
        });
    }
}

/// An object with a string apiVersion and kind.
pub fn is_object(v: &Value) -> bool {
    v.get("apiVersion").and_then(Value::as_str).is_some()
        && v.get("kind").and_then(Value::as_str).is_some()
}

/// A ResourceList read from a KRM function's stdin.
pub struct ResourceList {
    pub items: Vec<Item>,
    pub function_config: Option<Item>,
}

/// Parse a ResourceList (YAML or JSON). Item origins come from the orchestrator's path and index
/// annotations, so diagnostics name the user's files, not positions in the stream.
pub fn read_resource_list(text: &str) -> Result<ResourceList, Box<Diagnostic>> {
    let docs = yaml::parse_stream(text).map_err(|e| {
        Box::new(
            Diagnostic::error(
                Code::InputSyntax,
                format!("invalid ResourceList YAML: {}", e.message),
            )
            .with_file(Some("<stdin>".into()), Some(e.line)),
        )
    })?;
    let [doc] = <[yaml::Document; 1]>::try_from(docs).map_err(|docs| {
        Box::new(
            Diagnostic::error(
                Code::BadResourceList,
                format!(
                    "expected one ResourceList on stdin, found {} documents",
                    docs.len()
                ),
            )
            .with_hint("run `kbundle render` for plain YAML streams"),
        )
    })?;
    let kind = doc.value.get("kind").and_then(Value::as_str).unwrap_or("");
    if kind != "ResourceList" {
        return Err(Box::new(
            Diagnostic::error(
                Code::BadResourceList,
                format!("expected kind ResourceList on stdin, found {kind:?}"),
            )
            .with_hint("run `kbundle render -` for plain YAML streams"),
        ));
    }
    let mut items = Vec::new();
    if let Some(list) = doc.value.get("items").and_then(Value::as_array) {
        for (i, v) in list.iter().enumerate() {
            items.push(Item {
                value: v.clone(),
                origin: krm_origin(v, i),
            });
        }
    }
    let function_config = doc
        .value
        .get("functionConfig")
        .filter(|v| !v.is_null())
        .map(|v| Item {
            value: v.clone(),
            origin: krm_origin(v, 0),
        });
    Ok(ResourceList {
        items,
        function_config,
    })
}

fn is_kbundle_item(v: &Value) -> bool {
    v.get("apiVersion")
        .and_then(Value::as_str)
        .is_some_and(|a| a.starts_with("kbundle.dev/"))
}

/// Whether the YAML file at `path` holds an object of the same kind and name as `v`.
fn holds_same_object(path: &Path, v: &Value) -> bool {
    let id = |o: &Value| {
        (
            o.get("kind").and_then(Value::as_str).map(str::to_string),
            o.pointer("/metadata/name")
                .and_then(Value::as_str)
                .map(str::to_string),
        )
    };
    let Ok(text) = std::fs::read_to_string(path) else {
        return false;
    };
    yaml::parse_stream(&text)
        .map(|docs| docs.iter().any(|d| id(&d.value) == id(v)))
        .unwrap_or(false)
}

fn krm_origin(v: &Value, fallback_index: usize) -> Origin {
    let ann = |k: &str| {
        v.pointer("/metadata/annotations")
            .and_then(|a| a.get(k))
            .and_then(Value::as_str)
    };
    let file = ann("internal.config.kubernetes.io/path")
        .or_else(|| ann("config.kubernetes.io/path"))
        .map(str::to_string);
    let index = ann("internal.config.kubernetes.io/index")
        .or_else(|| ann("config.kubernetes.io/index"))
        .and_then(|s| s.parse().ok())
        .unwrap_or(fallback_index);
    // `kpt fn render` tells the package directory; `kpt fn eval` does not, and runs the function
    // in kpt's own working directory, which is the package when run as `kpt fn eval .`.
    // Trust that working directory only when the item's own file is really there: run from
    // elsewhere, a same-named file under kpt's directory must never be read instead.
    let root = ann("internal.config.kubernetes.io/package-path")
        .map(PathBuf::from)
        .or_else(|| {
            let cwd = std::env::current_dir().ok()?;
            is_kbundle_item(v)
                .then_some(file.as_deref())
                .flatten()
                .filter(|f| holds_same_object(&cwd.join(f), v))
                .map(|_| cwd)
        });
    let base_dir =
        root.as_ref().map(
            |r| match file.as_deref().and_then(|f| Path::new(f).parent()) {
                Some(dir) => r.join(dir),
                None => r.clone(),
            },
        );
    Origin {
        file,
        index,
        span: None,
        base_dir,
        root,
        base_dir_guessed: false,
    }
}

/// Parse a whole YAML stream of objects (legacy plugin stdin, plugin config files).
pub fn read_stream(text: &str, display: &str) -> (Vec<Item>, Vec<Diagnostic>) {
    let mut items = Vec::new();
    let mut diags = Vec::new();
    parse_file_bytes(
        display,
        text.as_bytes().to_vec(),
        false,
        &mut items,
        &mut diags,
    );
    (items, diags)
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

/// The kbundle objects in the `*.yaml`/`*.yml` files below `dir` (hidden entries skipped), as
/// `(file relative to dir, "Kind/name")`, for the Argo CD discover rule. Lenient on purpose: a
/// file that names the kbundle API group but does not parse is reported as `unparsable`, so
/// that the app is still claimed and rendering reports the error.
pub fn find_kbundle_objects(dir: &Path) -> Vec<(String, String)> {
    let mut files = Vec::new();
    let mut ignored = Vec::new();
    walk(dir, dir, &mut files, &mut ignored);
    files.sort();
    let group = format!("{}/", crate::model::GROUP);
    let mut found = Vec::new();
    for f in files {
        let rel = f
            .strip_prefix(dir)
            .unwrap_or(&f)
            .to_string_lossy()
            .to_string();
        let Ok(file) = std::fs::File::open(&f) else {
            continue;
        };
        let mut text = String::new();
        if file
            .take(MAX_INPUT_BYTES)
            .read_to_string(&mut text)
            .is_err()
            || !text.contains(&group)
        {
            continue;
        }
        match yaml::parse_stream(&text) {
            Ok(docs) => {
                for doc in docs {
                    let v = &doc.value;
                    let api = v.get("apiVersion").and_then(Value::as_str).unwrap_or("");
                    if api.starts_with(&group) {
                        let kind = v.get("kind").and_then(Value::as_str).unwrap_or("?");
                        let name = v
                            .pointer("/metadata/name")
                            .and_then(Value::as_str)
                            .unwrap_or("?");
                        found.push((rel.clone(), format!("{kind}/{name}")));
                    }
                }
            }
            Err(_) => found.push((rel, "unparsable".to_string())),
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin(root: &Path) -> Origin {
        Origin {
            file: Some("input/bundle.yaml".into()),
            index: 0,
            span: None,
            base_dir: Some(root.to_path_buf()),
            root: Some(root.to_path_buf()),
            base_dir_guessed: false,
        }
    }

    #[test]
    fn dir_lists_sorted_regular_files_without_hidden_or_subfolders() {
        let t = tempfile::tempdir().unwrap();
        let d = t.path().join("ksql");
        std::fs::create_dir_all(d.join("sub")).unwrap();
        std::fs::write(d.join("V000002__b.sql"), "B").unwrap();
        std::fs::write(d.join("V000001__a.sql"), "A").unwrap();
        std::fs::write(d.join(".gitkeep"), "").unwrap();
        std::fs::write(d.join("sub/V000003__c.sql"), "C").unwrap();
        let files = read_relative_dir(&origin(t.path()), "ksql/").unwrap();
        let shown: Vec<&str> = files.iter().map(|f| f.display.as_str()).collect();
        assert_eq!(
            shown,
            ["input/ksql/V000001__a.sql", "input/ksql/V000002__b.sql"]
        );
        assert_eq!(files[0].text, "A");
    }

    #[test]
    fn dir_is_confined() {
        let t = tempfile::tempdir().unwrap();
        let root = t.path().join("root");
        std::fs::create_dir_all(root.join("ksql")).unwrap();
        std::fs::write(root.join("file.sql"), "x").unwrap();
        std::fs::create_dir_all(t.path().join("outside")).unwrap();
        std::fs::write(t.path().join("outside/V000001__x.sql"), "x").unwrap();
        let o = origin(&root);
        let code = |rel: &str| read_relative_dir(&o, rel).map(|_| ()).unwrap_err().code;
        assert_eq!(code("/etc"), Code::FileEscape);
        assert_eq!(code("../outside"), Code::FileEscape);
        assert_eq!(code("missing"), Code::FileMissing);
        assert_eq!(code("file.sql"), Code::FileMissing);
        assert_eq!(code(""), Code::FileEscape);
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(t.path().join("outside"), root.join("linked")).unwrap();
            assert_eq!(code("linked"), Code::FileEscape);
            std::os::unix::fs::symlink(
                t.path().join("outside/V000001__x.sql"),
                root.join("ksql/V000001__x.sql"),
            )
            .unwrap();
            assert_eq!(
                code("ksql"),
                Code::FileEscape,
                "a file linked out of the tree"
            );
        }
        let unknown = Origin::default();
        assert_eq!(
            read_relative_dir(&unknown, "ksql").unwrap_err().code,
            Code::FileUnresolvable
        );
    }
}
