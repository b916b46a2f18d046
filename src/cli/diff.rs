//! `kbundle diff OLD NEW` and `kbundle diff --base REV [PATH...]`: both sides through the whole
//! pipeline (source, parse, check, plan) with the same Environment selection, then
//! [`crate::diff::compare`] and one of the three reports. Exit 0, or 1 when a change is at the
//! `--fail-on` level or the new side does not render, 2 on usage, I/O or Git failures.

use super::{EXIT_ERRORS, EXIT_OK, EXIT_USAGE, write_stdout};
use crate::diag::{self, Code, Diagnostic, Severity};
use crate::diff::report::{self, Failed};
use crate::diff::snapshot::{self, Snapshot};
use crate::render::{self, Consumed, Options};
use crate::source::git::{self, Checkout};
use clap::ValueEnum;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct DiffArgs {
    /// Without --base: OLD and NEW, each a path (file, directory, kustomization) or a Git
    /// revision of the repository around the working directory (then the whole of `.` at that
    /// revision). With --base: the paths of the working tree to compare (default `.`).
    args: Vec<String>,
    /// Compare the working tree with this Git revision (e.g. `origin/main`), path by path.
    #[arg(long)]
    base: Option<String>,
    /// The Environment to use when the input holds several (both sides).
    #[arg(long, short = 'e')]
    environment: Option<String>,
    #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
    format: DiffFormat,
    /// Exit 1 when a change is at this level or above.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    fail_on: FailOn,
    /// Colour the human output: auto (only on a terminal), always, never.
    #[arg(long, value_enum, default_value_t = Colour::Auto)]
    color: Colour,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum DiffFormat {
    Human,
    Markdown,
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum FailOn {
    Error,
    Warning,
    Never,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum Colour {
    Auto,
    Always,
    Never,
}

/// One side: where its inputs are, and the written-out revision they live in (kept alive
/// while the side is read).
struct Side {
    label: String,
    paths: Vec<PathBuf>,
    /// The tree a bundle's files must stay inside when a kustomization is built.
    repo: Option<PathBuf>,
    _checkout: Option<Checkout>,
}

fn usage(msg: &str) -> u8 {
    eprintln!("error: {msg}");
    EXIT_USAGE
}

fn revision_side(rev: &str, paths: &[String]) -> Result<Side, String> {
    let co = Checkout::of(rev)?;
    let mut mapped = Vec::new();
    for p in paths {
        match co.map(p) {
            Some(m) => mapped.push(m),
            None => return Err(format!("{p:?} is outside the Git repository")),
        }
    }
    Ok(Side {
        label: format!("{rev} ({})", &co.commit[..co.commit.len().min(12)]),
        paths: mapped,
        repo: Some(co.root().to_path_buf()),
        _checkout: Some(co),
    })
}

fn path_side(paths: &[String]) -> Side {
    Side {
        label: paths.join(" "),
        paths: paths.iter().map(PathBuf::from).collect(),
        repo: None,
        _checkout: None,
    }
}

fn one_side(arg: &str) -> Result<Side, String> {
    if Path::new(arg).exists() {
        return Ok(path_side(&[arg.to_string()]));
    }
    if git::is_revision(arg) {
        return revision_side(arg, &[".".to_string()]);
    }
    Err(format!("{arg:?} is neither a path nor a Git revision"))
}

/// Run one side through the pipeline: its snapshot, or the diagnostics that stopped it.
fn snapshot_of(
    side: &Side,
    environment: &Option<String>,
) -> Result<(Snapshot, Vec<Diagnostic>), Vec<Diagnostic>> {
    // A side's inputs are read as `render` reads them (src/cli/inputs.rs): a directory with a
    // kustomization is built, the rest read a file at a time.
    let paths: Vec<String> = side
        .paths
        .iter()
        .map(|p| p.to_string_lossy().to_string())
        .collect();
    let built = super::inputs::builds(&paths);
    let seen = super::inputs::Seen::default();
    let mut stdin = std::io::empty();
    let inputs = super::inputs::stream(&paths, &mut stdin, &seen, side.repo.as_deref());
    let opts = Options {
        environment: environment.clone(),
        consumed: Consumed::Remove,
        annotate_paths: false,
    };
    let (prepared, mut diags) = render::prepare(inputs, None, &opts);
    if built {
        diags.retain(|d| d.code != Code::NoBundle);
    }
    diag::sort(&mut diags);
    match prepared {
        Some(p) if !diag::has_errors(&diags) => Ok((snapshot::of(&p), diags)),
        _ => Err(diags),
    }
}

pub fn run(a: DiffArgs) -> u8 {
    let sides = match &a.base {
        Some(rev) => {
            let paths = if a.args.is_empty() {
                vec![".".to_string()]
            } else {
                a.args.clone()
            };
            revision_side(rev, &paths).map(|old| (old, path_side(&paths)))
        }
        None => match a.args.as_slice() {
            [old, new] => one_side(old).and_then(|o| one_side(new).map(|n| (o, n))),
            _ => return usage("kbundle diff takes OLD and NEW, or --base REV [PATH...]"),
        },
    };
    let (old, new) = match sides {
        Ok(s) => s,
        Err(e) => {
            let d = Diagnostic::error(Code::DiffRevision, e)
                .with_hint("pass two paths, or --base with a commit of this repository");
            eprint!("{}", diag::render_human(&[d]));
            return EXIT_USAGE;
        }
    };
    let old_snap = snapshot_of(&old, &a.environment);
    let new_snap = snapshot_of(&new, &a.environment);
    // Temporary paths of a written-out revision mean nothing to the reader.
    let tidy = |side: &Side, diags: Vec<Diagnostic>| -> Vec<Diagnostic> {
        let Some(root) = side.repo.as_ref().map(|r| r.to_string_lossy().to_string()) else {
            return diags;
        };
        let tag = side.label.split(' ').next().unwrap_or("").to_string();
        diags
            .into_iter()
            .map(|mut d| {
                let show = |t: &str| {
                    t.replace(&format!("{root}/"), &format!("{tag}:"))
                        .replace(&root, &format!("{tag}:"))
                };
                d.file = d.file.as_deref().map(show);
                d.message = show(&d.message);
                d
            })
            .collect()
    };
    // The old side's warnings are the base's business, not the change's.
    let (old_snap, old_failed) = match old_snap {
        Ok((s, _)) => (s, None),
        Err(d) => (Snapshot::default(), Some(tidy(&old, d))),
    };
    // The new side's warnings are the change's: on stderr, as `kbundle check` shows them.
    let (new_snap, new_failed) = match new_snap {
        Ok((s, warnings)) => {
            if !warnings.is_empty() {
                eprint!("{}", diag::render_human(&warnings));
            }
            (Some(s), None)
        }
        Err(d) => (None, Some(d)),
    };
    let mut failed = Vec::new();
    if let Some(d) = &old_failed {
        failed.push(Failed {
            side: "old",
            label: &old.label,
            diagnostics: d,
        });
    }
    if let Some(d) = &new_failed {
        failed.push(Failed {
            side: "new",
            label: &new.label,
            diagnostics: d,
        });
    }
    let diff = match &new_snap {
        Some(n) => crate::diff::compare(&old_snap, n),
        None => Default::default(),
    };
    let env = new_snap
        .as_ref()
        .map(|s| s.environment.clone())
        .unwrap_or_else(|| old_snap.environment.clone());
    let colour = match a.color {
        Colour::Always => true,
        Colour::Never => false,
        Colour::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let text = match a.format {
        DiffFormat::Human => report::human(&diff, &env, &failed, colour),
        DiffFormat::Markdown => report::markdown(&diff, &env, &failed),
        DiffFormat::Json => report::json(&diff, &env, &failed),
    };
    if !write_stdout(&text) {
        return EXIT_USAGE;
    }
    if new_failed.is_some() {
        return EXIT_ERRORS;
    }
    let worst = diff.changes.iter().map(|c| c.risk).min();
    let fails = match (a.fail_on, worst) {
        (FailOn::Never, _) | (_, None) => false,
        (FailOn::Error, Some(w)) => w == Severity::Error,
        (FailOn::Warning, Some(w)) => w <= Severity::Warning,
    };
    if fails { EXIT_ERRORS } else { EXIT_OK }
}
