//! Building a kustomization before rendering it (`kbundle argocd generate`, `kbundle render DIR`).
//!
//! kbundle runs the kustomize that is available — `$KBUNDLE_KUSTOMIZE`, else `kustomize`, else
//! `kubectl kustomize` — with `--enable-alpha-plugins` and a private plugin home holding kbundle's
//! own legacy plugins, so an overlay that lists an Environment under `transformers:` works without
//! any installation step. `--enable-exec` is never passed: it would let a repository run
//! programs of its own choosing inside the plugin.

use super::term;
use crate::diag::Code;
use crate::diag::Diagnostic;
use crate::source::{Item, MAX_INPUT_BYTES, read_stream};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The file names kustomize accepts, in its own order of preference.
const KUSTOMIZATION_FILES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// The kustomization file directly in `dir`, if any.
pub fn kustomization_in(dir: &Path) -> Option<PathBuf> {
    KUSTOMIZATION_FILES
        .iter()
        .map(|f| dir.join(f))
        .find(|p| p.is_file())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flavor {
    /// `kustomize build --enable-alpha-plugins DIR`
    Kustomize,
    /// `kubectl kustomize --enable-alpha-plugins DIR`
    Kubectl,
}

/// Look a program up on PATH (a name with a slash is taken as a path).
fn which(program: &str) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let executable = |p: &Path| {
        std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    };
    if program.contains('/') {
        let p = PathBuf::from(program);
        return executable(&p).then_some(p);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(program))
        .find(|p| executable(p))
}

fn choose_tool() -> Result<(PathBuf, Flavor), Box<Diagnostic>> {
    let flavor_of = |p: &Path| {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with("kubectl") {
            Flavor::Kubectl
        } else {
            Flavor::Kustomize
        }
    };
    if let Some(wanted) = std::env::var_os("KBUNDLE_KUSTOMIZE") {
        let wanted = wanted.to_string_lossy().to_string();
        return match which(&wanted) {
            Some(p) => {
                let f = flavor_of(&p);
                Ok((p, f))
            }
            None => Err(Box::new(
                Diagnostic::error(
                    Code::KustomizeMissing,
                    format!("KBUNDLE_KUSTOMIZE names {wanted:?}, which is not an executable"),
                )
                .with_hint("set it to a kustomize or kubectl binary, or unset it"),
            )),
        };
    }
    if let Some(p) = which("kustomize") {
        return Ok((p, Flavor::Kustomize));
    }
    if let Some(p) = which("kubectl") {
        return Ok((p, Flavor::Kubectl));
    }
    Err(Box::new(
        Diagnostic::error(
            Code::KustomizeMissing,
            "the directory holds a kustomization, but neither kustomize nor kubectl is on PATH",
        )
        .with_hint(
            "install kustomize (the kbundle Argo CD image ships it) or set KBUNDLE_KUSTOMIZE",
        ),
    ))
}

/// A temporary plugin home with kbundle's legacy plugins as symlinks to this binary; removed
/// when dropped.
struct PluginHome(PathBuf);

impl PluginHome {
    fn create() -> std::io::Result<PluginHome> {
        let exe = std::env::current_exe()?;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let home =
            std::env::temp_dir().join(format!("kbundle-plugins-{}-{nanos}", std::process::id()));
        let guard = PluginHome(home);
        for kind in ["AppBundle", "Environment"] {
            let target = super::install::plugin_path(&guard.0, kind);
            if let Some(dir) = target.parent() {
                std::fs::create_dir_all(dir)?;
            }
            // The plugin recognises itself by the file name it is called through.
            std::os::unix::fs::symlink(&exe, &target)?;
        }
        Ok(guard)
    }
}

impl Drop for PluginHome {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The Environment to defer, when the kustomization in `dir` ends its `transformers:` with a
/// file holding one kbundle Environment.
///
/// Why: kustomize reconciles a transformer's output with its resource map at a cost that grows
/// with the square of the objects (measured: 1,000 topics 2.8 s, 2,000 topics 12 s, 10,000 more
/// than 10 minutes — past Argo CD's 60 s timeout). When kbundle builds the kustomization itself,
/// it has the transformer hand its inputs back unchanged, and renders them after the build
/// (10,000 topics in 1.3 s). Only the last transformer of the top kustomization is deferred:
/// nothing in that kustomization runs after it, so the objects come out the same; one earlier
/// in the list, or in a base, would have later steps applied to its objects.
fn deferrable_environment(dir: &Path) -> Option<String> {
    let file = kustomization_in(dir)?;
    let text = crate::source::read_text(&file).ok()?;
    let doc = crate::yaml::parse_stream(&text).ok()?.into_iter().next()?;
    let last = doc
        .value
        .get("transformers")?
        .as_array()?
        .last()?
        .as_str()?;
    // A path (not an inline object) inside the kustomization's directory.
    if last.contains('\n') || Path::new(last).is_absolute() {
        return None;
    }
    let config = crate::source::read_text(&dir.join(last)).ok()?;
    let docs = crate::yaml::parse_stream(&config).ok()?;
    let [only] = docs.as_slice() else {
        return None;
    };
    let v = &only.value;
    (crate::render::is_kbundle_kind(v)
        && v.get("kind").and_then(serde_json::Value::as_str) == Some("Environment"))
    .then(|| {
        v.pointer("/metadata/name")
            .and_then(serde_json::Value::as_str)
    })
    .flatten()
    .map(str::to_string)
}

/// Build the kustomization in `dir` and read its output as items placed for file lookups:
/// origin annotations (`buildMetadata: [originAnnotations]`) are relative to `dir`, and files
/// must stay inside `repo`.
pub fn build(dir: &Path, repo: &Path) -> Result<Vec<Item>, Vec<Diagnostic>> {
    let (tool, flavor) = choose_tool().map_err(|d| vec![*d])?;
    let home = PluginHome::create().map_err(|e| {
        vec![
            Diagnostic::error(
                Code::KustomizeMissing,
                format!("cannot prepare a kustomize plugin home in the temp directory: {e}"),
            )
            .with_hint("the Argo CD sidecar needs a writable /tmp (an emptyDir)"),
        ]
    })?;
    let mut cmd = Command::new(&tool);
    match flavor {
        Flavor::Kustomize => cmd.arg("build"),
        Flavor::Kubectl => cmd.arg("kustomize"),
    };
    cmd.arg("--enable-alpha-plugins")
        .arg(dir)
        .env("KUSTOMIZE_PLUGIN_HOME", &home.0)
        .env("KBUNDLE_REPO_ROOT", repo)
        .env_remove("KBUNDLE_DEFER_ENVIRONMENT")
        .env_remove("KBUNDLE_DEFER_ROOT");
    if let Some(env) = deferrable_environment(dir) {
        cmd.env("KBUNDLE_DEFER_ENVIRONMENT", env)
            .env("KBUNDLE_DEFER_ROOT", dir);
    }
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let shown = format!(
        "{} {} --enable-alpha-plugins {}",
        tool.display(),
        if flavor == Flavor::Kustomize {
            "build"
        } else {
            "kustomize"
        },
        dir.display()
    );
    let mut child = cmd.spawn().map_err(|e| {
        vec![Diagnostic::error(
            Code::KustomizeMissing,
            format!("cannot run {shown}: {e}"),
        )]
    })?;
    term::set_child(Some(child.id()));
    // stderr on its own thread, so that neither pipe can fill up and stall the child.
    let stderr = child.stderr.take().map(|mut e| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = (&mut e).take(1024 * 1024).read_to_end(&mut buf);
            String::from_utf8_lossy(&buf).into_owned()
        })
    });
    let mut out = Vec::new();
    let read = child
        .stdout
        .take()
        .map(|o| o.take(MAX_INPUT_BYTES + 1).read_to_end(&mut out));
    let status = child.wait();
    term::set_child(None);
    let err_text = stderr
        .and_then(|h| h.join().ok())
        .unwrap_or_default()
        .trim()
        .to_string();
    let status = status.map_err(|e| {
        vec![Diagnostic::error(
            Code::KustomizeFailed,
            format!("{shown} did not finish: {e}"),
        )]
    })?;
    if !status.success() {
        let mut d = Diagnostic::error(
            Code::KustomizeFailed,
            format!(
                "{shown} failed ({status}){}",
                if err_text.is_empty() {
                    String::new()
                } else {
                    format!(":\n{err_text}")
                }
            ),
        );
        d.file = Some(dir.display().to_string());
        return Err(vec![d.with_hint(
            "the kustomize output quoted above holds the diagnostics of the kbundle plugin it \
             ran; run the same command locally to reproduce",
        )]);
    }
    if let Some(Err(e)) = read {
        return Err(vec![Diagnostic::error(
            Code::KustomizeFailed,
            format!("cannot read the output of {shown}: {e}"),
        )]);
    }
    if out.len() as u64 > MAX_INPUT_BYTES {
        return Err(vec![Diagnostic::error(
            Code::InputTooLarge,
            format!("the output of {shown} is larger than the input limit"),
        )]);
    }
    let text = String::from_utf8(out).map_err(|_| {
        vec![Diagnostic::error(
            Code::InputSyntax,
            format!("the output of {shown} is not valid UTF-8"),
        )]
    })?;
    let display = format!("kustomize build {}", dir.display());
    let (mut items, diags) = read_stream(&text, &display);
    if crate::diag::has_errors(&diags) {
        return Err(diags);
    }
    for item in &mut items {
        super::legacy::place(item, Some(dir), repo);
    }
    Ok(items)
}
