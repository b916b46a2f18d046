//! Paths the user names: files, directories walked for `*.yaml`/`*.yml`, stdin.

use super::*;
use std::io::Read;

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
    let mut disk = Disk::new(paths, stdin);
    while let Some((mut i, mut d)) = disk.next_file() {
        items.append(&mut i);
        diags.append(&mut d);
    }
    (items, diags)
}

/// What is left to read: a path as the user named it, or a file found in a directory.
enum Pending {
    Arg(String),
    DirFile { file: PathBuf, root: PathBuf },
}

/// The paths the user names, read one file at a time (see [`Source`]): the objects of a
/// directory of thousands of files are never all parsed at once unless the caller keeps them.
pub struct Disk<R> {
    pending: std::collections::VecDeque<Pending>,
    /// What `-` reads.
    stdin: R,
}

impl<R: Read> Disk<R> {
    pub fn new(paths: &[String], stdin: R) -> Disk<R> {
        Disk {
            pending: paths.iter().cloned().map(Pending::Arg).collect(),
            stdin,
        }
    }

    fn arg(&mut self, p: &str, items: &mut Vec<Item>, diags: &mut Vec<Diagnostic>) {
        if p == "-" {
            let mut buf = Vec::new();
            match (&mut self.stdin)
                .take(MAX_INPUT_BYTES + 1)
                .read_to_end(&mut buf)
            {
                Ok(n) if n as u64 > MAX_INPUT_BYTES => diags.push(too_large("<stdin>")),
                Ok(_) => {
                    parse_file_bytes("<stdin>", buf, false, items, diags);
                    // Files named from stdin resolve against the working directory.
                    let cwd = std::env::current_dir().ok();
                    set_places(items, cwd.clone(), cwd);
                }
                Err(e) => diags.push(io_error("<stdin>", &e)),
            }
            return;
        }
        let path = Path::new(p);
        match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => {
                // The walk's own problems come first, then its files, in sorted order.
                let mut files = Vec::new();
                walk(path, path, &mut files, diags);
                files.sort();
                let root = absolute(path);
                for file in files.into_iter().rev() {
                    let root = root.clone();
                    self.pending.push_front(Pending::DirFile { file, root });
                }
            }
            Ok(_) => {
                read_file(path, false, items, diags);
                // A single file: its own directory is the tree it may reach into.
                let dir = path.parent().map(|d| {
                    if d.as_os_str().is_empty() {
                        Path::new(".")
                    } else {
                        d
                    }
                });
                let dir = dir.map(absolute);
                set_places(items, dir.clone(), dir);
            }
            Err(e) => diags.push(io_error(p, &e)),
        }
    }
}

impl<R: Read> Source for Disk<R> {
    fn next_file(&mut self) -> Option<(Vec<Item>, Vec<Diagnostic>)> {
        let next = self.pending.pop_front()?;
        let mut items = Vec::new();
        let mut diags = Vec::new();
        match next {
            Pending::Arg(p) => self.arg(&p, &mut items, &mut diags),
            Pending::DirFile { file, root } => {
                read_file(&file, true, &mut items, &mut diags);
                let base = file.parent().map(absolute);
                set_places(&mut items, base, Some(root));
            }
        }
        Some((items, diags))
    }
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
        // kbundle reads only `*.yaml`/`*.yml` files and never follows a directory link: a link
        // by any other name (a dangling `notes.txt`, a `docs` link out of the tree) is nothing
        // it would read, so it cannot fail the render. Regression: it failed with KB051/KB052.
        if ft.is_symlink() && !is_yaml(&name) {
            continue;
        }
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

pub(super) fn parse_file_bytes(
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
        // A `v1/List` is expanded as kubectl expands it: its items are the objects. Left
        // whole, an AppBundle inside one passed through unrendered with exit 0.
        if let Some(list) = super::list_items(&doc.value) {
            let spans = match &doc.span.children {
                crate::yaml::Children::Map(entries) => entries
                    .iter()
                    .find(|(k, _)| k == "items")
                    .map(|(_, s)| s.clone()),
                _ => None,
            };
            for (j, v) in list.iter().enumerate() {
                let span = spans.as_ref().and_then(|s| super::seq_child(s, j)).cloned();
                if !is_object(v) {
                    let mut d = Diagnostic::error(
                        Code::UnknownKind,
                        format!("items[{j}] of the List is not a Kubernetes object (it needs apiVersion and kind)"),
                    )
                    .with_file(Some(display.to_string()), span.as_ref().map(|s| s.line));
                    d.index = Some(index);
                    diags.push(d);
                    continue;
                }
                items.push(Item {
                    value: v.clone(),
                    origin: Origin {
                        file: Some(display.to_string()),
                        index,
                        span,
                        base_dir: None,
                        root: None,
                        base_dir_guessed: false,
                        left_out: Vec::new(),
                    },
                });
            }
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
                left_out: Vec::new(),
            },
        });
    }
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
