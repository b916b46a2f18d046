//! `kbundle import SOURCE ...`: reads a peer tool's input, writes AppBundles and an
//! Environment into `--out`, and reports what could not be carried over
//! (docs/reference/import.md). Exit 0 written (warnings allowed), 1 input errors (nothing
//! written), 2 usage or I/O failure.

use super::{EXIT_ERRORS, EXIT_OK, EXIT_USAGE};
use crate::diag::escape_controls;
use crate::import::{self, report::Report, report::Severity, strimzi};
use std::path::PathBuf;

#[derive(clap::Subcommand, Debug)]
pub enum Source {
    /// Strimzi KafkaTopic, KafkaUser and KafkaConnector objects (files, directories or `-`).
    Strimzi {
        /// Files, directories (read recursively for *.yaml/*.yml) or `-` for stdin.
        #[arg(required = true)]
        paths: Vec<String>,
        /// How objects are grouped into bundles.
        #[arg(long, value_enum, default_value_t = strimzi::GroupBy::Label)]
        group_by: strimzi::GroupBy,
        /// The owner label read by `--group-by label`.
        #[arg(long, default_value = crate::model::labels::OWNER)]
        label: String,
        #[command(flatten)]
        out: OutArgs,
    },
    /// A kafka-gitops desired state file (and the files its `settings.files` names): one
    /// bundle per service.
    KafkaGitops {
        /// The state file (`state.yaml`).
        state: PathBuf,
        #[command(flatten)]
        out: OutArgs,
    },
    /// JulieOps topology descriptors: one bundle per project.
    Julie {
        /// Descriptor files (YAML).
        #[arg(required = true)]
        descriptors: Vec<PathBuf>,
        /// The plans file the descriptors' `plan:` keys refer to.
        #[arg(long)]
        plans: Option<PathBuf>,
        /// JulieOps' properties file: its topic/project prefix formats, separator,
        /// `topology.acls.optimized`, Schema Registry and ksqlDB URLs are read.
        #[arg(long)]
        properties: Option<PathBuf>,
        #[command(flatten)]
        env: EnvArgs,
        #[command(flatten)]
        out: OutArgs,
    },
}

/// Values the Environment needs that the input may not carry (else placeholders, KB176).
#[derive(clap::Args, Debug)]
pub struct EnvArgs {
    /// Schema Registry URL for the Environment (bundles with schemas need it).
    #[arg(long)]
    schema_registry_url: Option<String>,
    /// ksqlDB URL for the Environment (bundles with ksql migrations need it).
    #[arg(long)]
    ksqldb_url: Option<String>,
    /// The hook Job image (schema registration) for the Environment.
    #[arg(long)]
    hook_image: Option<String>,
    /// The ksql-migrations image for the Environment.
    #[arg(long)]
    ksqldb_image: Option<String>,
}

impl EnvArgs {
    fn given(self) -> import::environment::Given {
        import::environment::Given {
            schema_registry_url: self.schema_registry_url,
            ksqldb_url: self.ksqldb_url,
            hook_image: self.hook_image,
            ksqldb_image: self.ksqldb_image,
        }
    }
}

/// The first document of a YAML file, or a message naming the file.
fn read_yaml(path: &std::path::Path) -> Result<import::julie::Descriptor, String> {
    let file = path.display().to_string();
    let text = crate::source::read_text(path).map_err(|e| format!("cannot read {file}: {e}"))?;
    let docs = crate::yaml::parse_stream(&text)
        .map_err(|e| format!("{file}:{}: {}", e.line, e.message))?;
    let value = docs
        .into_iter()
        .next()
        .map(|d| d.value)
        .ok_or_else(|| format!("{file}: empty"))?;
    Ok(import::julie::Descriptor { file, value })
}

#[derive(clap::Args, Debug)]
pub struct OutArgs {
    /// Directory the bundles and the Environment are written to.
    #[arg(long)]
    out: PathBuf,
    /// Overwrite files that exist already.
    #[arg(long)]
    force: bool,
    /// Also write the report as JSON to this file.
    #[arg(long)]
    report: Option<PathBuf>,
    /// Keep every name in full; by default a prefix all of a bundle's names share is written
    /// once as `spec.prefix`.
    #[arg(long)]
    full_names: bool,
}

pub fn run(source: Source) -> u8 {
    let mut report = Report::default();
    let (imported, out) = match source {
        Source::Strimzi {
            paths,
            group_by,
            label,
            out,
        } => {
            let mut stdin = std::io::stdin().lock();
            let (items, diags) = crate::source::read_paths(&paths, &mut stdin);
            if !diags.is_empty() {
                eprint!("{}", crate::diag::render_human(&diags));
                if crate::diag::has_errors(&diags) {
                    return EXIT_USAGE;
                }
            }
            let opts = strimzi::Options { group_by, label };
            (strimzi::import(&items, &opts, &mut report), out)
        }
        Source::KafkaGitops { state, out } => {
            let main = match read_yaml(&state) {
                Ok(d) => d,
                Err(e) => {
                    eprintln!("error: {}", escape_controls(&e));
                    return EXIT_USAGE;
                }
            };
            let mut files = Vec::new();
            // `settings.files`: topics, services and users kept in files of their own,
            // relative to the state file.
            for k in ["topics", "services", "users"] {
                if let Some(f) = main
                    .value
                    .pointer(&format!("/settings/files/{k}"))
                    .and_then(serde_json::Value::as_str)
                {
                    let path = state.parent().unwrap_or(std::path::Path::new(".")).join(f);
                    match read_yaml(&path) {
                        Ok(d) => files.push(d),
                        Err(e) => {
                            eprintln!("error: {}", escape_controls(&e));
                            return EXIT_USAGE;
                        }
                    }
                }
            }
            let mut all = vec![import::kafka_gitops::State {
                file: main.file,
                value: main.value,
            }];
            all.extend(files.into_iter().map(|d| import::kafka_gitops::State {
                file: d.file,
                value: d.value,
            }));
            let (imported, _) = import::kafka_gitops::import(&all, &mut report);
            (imported, out)
        }
        Source::Julie {
            descriptors,
            plans,
            properties,
            env,
            out,
        } => {
            let mut opts = import::julie::Options {
                given: env.given(),
                ..Default::default()
            };
            if let Some(p) = &properties {
                match crate::source::read_text(p) {
                    Ok(text) => {
                        // Flags win over the properties file.
                        let flags = opts.given.clone();
                        opts.naming = import::julie::naming::read_properties(
                            &p.display().to_string(),
                            &text,
                            &mut opts.given,
                            &mut report,
                        );
                        opts.given.schema_registry_url =
                            flags.schema_registry_url.or(opts.given.schema_registry_url);
                        opts.given.ksqldb_url = flags.ksqldb_url.or(opts.given.ksqldb_url);
                    }
                    Err(e) => {
                        eprintln!(
                            "error: cannot read {}: {e}",
                            escape_controls(&p.display().to_string())
                        );
                        return EXIT_USAGE;
                    }
                }
            }
            let read: Result<Vec<_>, String> = descriptors.iter().map(|p| read_yaml(p)).collect();
            let plans = plans.as_deref().map(read_yaml).transpose();
            let (read, plans) = match (read, plans) {
                (Ok(r), Ok(p)) => (r, p),
                (Err(e), _) | (_, Err(e)) => {
                    eprintln!("error: {}", escape_controls(&e));
                    return EXIT_USAGE;
                }
            };
            let (imported, _) =
                import::julie::import_with(&read, plans.as_ref(), &opts, &mut report);
            (imported, out)
        }
    };
    finish(imported, &out, report)
}

fn finish(mut imported: import::Imported, out: &OutArgs, mut report: Report) -> u8 {
    if !out.full_names {
        for b in &mut imported.bundles {
            if let Some(short) = import::prefix::shorten(b) {
                *b = short;
            }
        }
    }
    report.sort();
    eprint!("{}", report.human());
    if let Some(path) = &out.report
        && let Err(e) = std::fs::write(path, report.json())
    {
        eprintln!("error: cannot write {}: {e}", path.display());
        return EXIT_USAGE;
    }
    if report.has_errors() {
        eprintln!(
            "error: {} input error(s); nothing written",
            report.count(Severity::Error)
        );
        return EXIT_ERRORS;
    }
    let files = match import::files(&imported) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: cannot serialize the bundles: {e}");
            return EXIT_USAGE;
        }
    };
    match crate::emit::tree::write_new(&out.out, out.force, &files) {
        Ok(written) => {
            eprintln!(
                "wrote {} bundle(s) and {} other file(s) to {} ({} warning(s), {} note(s))",
                imported.bundles.len(),
                written.len() - imported.bundles.len(),
                escape_controls(&out.out.display().to_string()),
                report.count(Severity::Warning),
                report.count(Severity::Info)
            );
            EXIT_OK
        }
        Err(e) => {
            eprintln!(
                "error[{}]: {}",
                crate::diag::Code::ImportOutputExists,
                escape_controls(&e)
            );
            EXIT_USAGE
        }
    }
}
