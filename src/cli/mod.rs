//! Command line: argument parsing and the mode adapters (CLI, KRM function, legacy kustomize
//! plugin). Each adapter reads its input, calls [`crate::render::render`], and writes.

mod argocd;
mod diff;
mod flux;
mod import;
mod inputs;
mod install;
mod krm;
mod kustomize;
mod legacy;
mod term;

use crate::diag::Code;
use crate::diag::{self, Diagnostic};
use crate::emit;
use crate::model::{self, Kind};
use crate::render::{self, Consumed, Options};
use clap::{Parser, Subcommand, ValueEnum};
use std::ffi::OsString;
use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit codes: 0 ok, 1 error diagnostics, 2 usage or I/O failure.
pub const EXIT_OK: u8 = 0;
pub const EXIT_ERRORS: u8 = 1;
pub const EXIT_USAGE: u8 = 2;

#[derive(Parser, Debug)]
#[command(
    name = "kbundle",
    version,
    about = "Render Kafka AppBundles into Strimzi, Prometheus and Argo CD manifests",
    long_about = "Render Kafka AppBundles into Strimzi, Prometheus and Argo CD manifests.\n\n\
        With no subcommand and a ResourceList on stdin, kbundle runs as a KRM function (`kbundle fn`)."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Render bundles to a YAML stream of manifests on stdout.
    Render(RenderArgs),
    /// Validate bundles: diagnostics and exit code only.
    Check(RenderArgs),
    /// What a change does to the cluster, per bundle, risky changes first (docs/reference/diff.md).
    Diff(diff::DiffArgs),
    /// Print the JSON Schema of a kind (for yaml-language-server and other editors).
    Schema {
        #[arg(value_enum)]
        kind: SchemaKind,
    },
    /// Run as a KRM function: ResourceList on stdin, ResourceList with results on stdout.
    Fn,
    /// Explain a diagnostic code (`kbundle explain KB023`), or list every code.
    Explain {
        /// A code such as KB023; without one, every code is listed.
        code: Option<String>,
        /// Print the list as the Markdown table of docs/reference/diagnostics.md.
        #[arg(long)]
        markdown: bool,
    },
    /// Argo CD config-management plugin commands (see plugin.yaml); run in the app directory.
    Argocd {
        #[command(subcommand)]
        action: argocd::Action,
    },
    /// Write AppBundles from what a team already runs (Strimzi objects, JulieOps, kafka-gitops).
    Import {
        #[command(subcommand)]
        source: import::Source,
    },
    /// Install the legacy kustomize exec plugin for both kinds.
    InstallPlugin {
        /// Plugin home; default: $KUSTOMIZE_PLUGIN_HOME, $XDG_CONFIG_HOME/kustomize/plugin or
        /// ~/.config/kustomize/plugin.
        #[arg(long)]
        plugin_home: Option<PathBuf>,
    },
    /// Run as the legacy kustomize exec plugin (what the installed plugin does).
    #[command(hide = true)]
    Legacy { config: PathBuf },
}

#[derive(clap::Args, Debug)]
struct RenderArgs {
    /// Files, directories (read recursively for *.yaml/*.yml) or `-` for stdin.
    #[arg(default_value = ".")]
    paths: Vec<String>,
    /// The Environment to use when the input holds several.
    #[arg(long, short = 'e')]
    environment: Option<String>,
    /// Diagnostics format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Write Flux stages (pre/, main/, post/ and Flux Kustomizations chaining them) into
    /// `--out DIR/<environment>/` instead of a stream on stdout (render only).
    #[arg(long, requires = "out")]
    flux: bool,
    /// The directory the Flux stages are written to (with --flux).
    #[arg(long, requires = "flux")]
    out: Option<PathBuf>,
    /// With --flux: write nothing; exit 1 naming every stale, missing or extra file in --out.
    #[arg(long, requires = "flux")]
    check: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum Format {
    Human,
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum SchemaKind {
    Appbundle,
    Environment,
}

/// Entry point used by `main`: returns the process exit code.
pub fn run(args: Vec<OsString>) -> ExitCode {
    // Installed as a legacy kustomize plugin, the binary is called `AppBundle` or `Environment`.
    let program = args
        .first()
        .map(PathBuf::from)
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().to_string()))
        .unwrap_or_default();
    if program == "AppBundle" || program == "Environment" {
        let config = args.get(1).map(PathBuf::from);
        return ExitCode::from(legacy::run(config));
    }

    let cli = match Cli::try_parse_from(&args) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { EXIT_USAGE } else { EXIT_OK });
        }
    };
    let code = match cli.command {
        Some(Command::Render(a)) => render_cmd(a, true),
        Some(Command::Check(a)) => render_cmd(a, false),
        Some(Command::Diff(a)) => diff::run(a),
        Some(Command::Schema { kind }) => schema_cmd(kind),
        Some(Command::Fn) => krm::run(),
        Some(Command::Explain { code, markdown }) => explain_cmd(code.as_deref(), markdown),
        Some(Command::Argocd { action }) => argocd::run(action),
        Some(Command::Import { source }) => import::run(source),
        Some(Command::InstallPlugin { plugin_home }) => install::run(plugin_home),
        Some(Command::Legacy { config }) => legacy::run(Some(config)),
        None => {
            if std::io::stdin().is_terminal() {
                let _ = <Cli as clap::CommandFactory>::command().print_help();
                EXIT_USAGE
            } else {
                krm::run()
            }
        }
    };
    ExitCode::from(code)
}

fn render_cmd(a: RenderArgs, emit: bool) -> u8 {
    if a.flux && !emit {
        eprintln!("error: --flux is an option of `kbundle render` (use `render --flux --check`)");
        return EXIT_USAGE;
    }
    let mut stdin = std::io::stdin().lock();
    let mut diags = Vec::new();
    let built = inputs::builds(&a.paths);
    let seen = inputs::Seen::default();
    let mut stream: Box<dyn Iterator<Item = crate::source::Input>> =
        Box::new(inputs::stream(&a.paths, &mut stdin, &seen, None));
    // Flux output: the objects are collected, then laid out as stages (see emit::flux); the
    // stages need the Environment first, so the inputs are read whole.
    let flux_target = if a.flux {
        let all: Vec<crate::source::Input> = stream.collect();
        let items: Vec<crate::source::Item> = all
            .iter()
            .filter_map(|i| match i {
                crate::source::Input::Item(i) => Some(i.clone()),
                crate::source::Input::Problem(_) => None,
            })
            .collect();
        stream = Box::new(all.into_iter());
        match flux::environment(&items, a.environment.as_deref()) {
            Ok(t) => Some(t),
            Err(d) => {
                diags.push(*d);
                None
            }
        }
    } else {
        None
    };
    let mut collect = emit::Collect::default();
    let opts = Options {
        environment: a.environment,
        consumed: Consumed::Remove,
        annotate_paths: false,
    };
    // Manifests stream to stdout as they are made; validation has finished before the first
    // one, so on error nothing is written (a problem reading is an error of the run: the
    // output would be partial). `check` renders into nothing.
    let stdout = std::io::stdout();
    let mut yaml = emit::YamlStream::new(std::io::BufWriter::with_capacity(1 << 16, stdout.lock()));
    let mut discard = emit::Discard;
    let sink: &mut dyn emit::Sink = if flux_target.is_some() {
        &mut collect
    } else if emit && !a.flux {
        &mut yaml
    } else {
        &mut discard
    };
    let mut out = emit::Emitter::new(
        emit::Options {
            strip_origin: true,
            ..Default::default()
        },
        sink,
    );
    let result = render::render_to(stream, None, &opts, &mut out);
    let (io_failed, read_failed) = (seen.io_failed.get(), seen.read_failed.get());
    let written = match result {
        Ok(mut d) => {
            // An overlay whose Environment transformer rendered the bundles leaves none to
            // expand (and a failed build has its own error): "no AppBundle found" would only
            // mislead.
            // Likewise when a file failed to parse: the bundle is likely in it, and its own
            // error says so.
            if built || read_failed {
                d.retain(|d| d.code != Code::NoBundle);
            }
            diags.append(&mut d);
            yaml.finish().map(|_| ())
        }
        Err(e) => Err(e),
    };
    let mut flux_failed = None;
    if let (Some((env, settings)), Some(out)) = (&flux_target, &a.out)
        && !io_failed
        && !diag::has_errors(&diags)
    {
        match emit::flux::stage(env, settings, std::mem::take(&mut collect.0)) {
            Err(mut d) => diags.append(&mut d),
            Ok(files) if a.check => match crate::emit::tree::check(out, env, &files) {
                Ok(mut d) => diags.append(&mut d),
                Err(e) => flux_failed = Some(e),
            },
            Ok(files) => match crate::emit::tree::write(out, env, &files) {
                Ok(s) => eprintln!(
                    "kbundle: {} files in {}: {} written, {} removed",
                    s.files,
                    diag::escape_controls(&out.join(env).display().to_string()),
                    s.changed,
                    s.removed
                ),
                Err(e) => flux_failed = Some(e),
            },
        }
    }
    diag::sort(&mut diags);
    let failed = diag::has_errors(&diags);

    let report = match a.format {
        Format::Human => diag::render_human(&diags),
        Format::Json => diag::render_json(&diags),
    };
    // `check --format json` is for CI: the report is the output. Everything else keeps
    // stdout for manifests.
    if !emit && a.format == Format::Json {
        if !write_stdout(&report) {
            return EXIT_USAGE;
        }
    } else if !report.is_empty() {
        eprint!("{report}");
    }
    if let Err(e) = written
        && !e.is_broken_pipe()
    {
        eprintln!("error: {}", e.describe());
        return EXIT_USAGE;
    }
    if io_failed {
        return EXIT_USAGE;
    }
    if let Some(e) = flux_failed {
        eprintln!("error: {e}");
        return EXIT_USAGE;
    }
    if failed {
        return EXIT_ERRORS;
    }
    EXIT_OK
}

fn explain_cmd(code: Option<&str>, markdown: bool) -> u8 {
    use crate::diag::Code;
    let text = match code {
        None if markdown => diag::markdown_table(),
        None => {
            let mut text = String::new();
            for c in Code::ALL {
                text.push_str(&format!(
                    "{}  {:<8} {}\n",
                    c,
                    c.level().as_str(),
                    c.summary()
                ));
            }
            text
        }
        Some(s) => match s.parse::<Code>() {
            Ok(c) => format!(
                "{c} ({}): {}\n\n{}\n",
                c.level().as_str(),
                c.summary(),
                c.docs()
            ),
            Err(()) => {
                // Debug formatting escapes control characters.
                eprintln!("error: unknown diagnostic code {s:?}; `kbundle explain` lists them");
                return EXIT_USAGE;
            }
        },
    };
    print(&text)
}

fn schema_cmd(kind: SchemaKind) -> u8 {
    let schema = model::json_schema(match kind {
        SchemaKind::Appbundle => Kind::AppBundle,
        SchemaKind::Environment => Kind::Environment,
    });
    let text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    print(&format!("{text}\n"))
}

/// Print to stdout: exit 0, or 2 when the write failed.
fn print(text: &str) -> u8 {
    if write_stdout(text) {
        EXIT_OK
    } else {
        EXIT_USAGE
    }
}

/// Write everything at once; `false` (exit 2) when the write failed. A closed pipe (`kbundle
/// render | head`) is not an error.
fn write_stdout(text: &str) -> bool {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            eprintln!("error: cannot write output: {e}");
            false
        }
        _ => true,
    }
}

fn read_stdin() -> Result<String, Box<Diagnostic>> {
    let mut buf = Vec::new();
    std::io::stdin()
        .lock()
        .take(crate::source::MAX_INPUT_BYTES + 1)
        .read_to_end(&mut buf)
        .map_err(|e| {
            Box::new(Diagnostic::error(
                Code::InputUnreadable,
                format!("cannot read stdin: {e}"),
            ))
        })?;
    if buf.len() as u64 > crate::source::MAX_INPUT_BYTES {
        return Err(Box::new(Diagnostic::error(
            Code::InputTooLarge,
            "stdin is larger than the input limit",
        )));
    }
    String::from_utf8(buf).map_err(|_| {
        Box::new(Diagnostic::error(
            Code::InputSyntax,
            "stdin is not valid UTF-8",
        ))
    })
}
