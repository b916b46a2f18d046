//! The one pipeline every mode runs: classify and parse the kbundle kinds among the input items,
//! choose the Environment, validate, plan, generate, and assemble the output items.

use crate::backend;
use crate::diag::Code;
use crate::diag::{self, Diagnostic};
use crate::model::labels::{MANAGED_BY, MANAGER, PART_OF};
use crate::model::{self, Environment, ParseError};
use crate::path::FieldPath;
use crate::source::{Input, Item, Origin};
use crate::suggest::did_you_mean;
use crate::validate::{self, BundleInput, EnvInput, locate};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

pub use crate::emit::LOCAL_CONFIG;
use crate::emit::{self, annotate_path, generated_path};

pub(crate) mod app;

/// What happens to the AppBundles and Environments in the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Consumed {
    /// Dropped: the CLI prints only what goes to the cluster.
    Remove,
    /// Kept, annotated `config.kubernetes.io/local-config: "true"`: kpt would otherwise delete
    /// the bundle's file, and kustomize drops local-config objects from its final output.
    KeepAsLocalConfig,
}

#[derive(Debug, Clone)]
pub struct Options {
    /// Name of the Environment to use when the input holds several.
    pub environment: Option<String>,
    pub consumed: Consumed,
    /// Set `internal.config.kubernetes.io/path` and `index` on generated items (KRM mode), so
    /// kpt writes them next to their bundle.
    pub annotate_paths: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            environment: None,
            consumed: Consumed::Remove,
            annotate_paths: false,
        }
    }
}

/// Output items, or none at all when any diagnostic is an error.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    pub items: Vec<Value>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Rendered {
    pub fn has_errors(&self) -> bool {
        diag::has_errors(&self.diagnostics)
    }
}

enum Class {
    Bundle(Box<BundleInput>),
    /// An AppBundle that failed to parse, without its broken parts: checked, never rendered.
    Salvaged(Box<BundleInput>),
    Environment(Box<(Environment, Origin)>),
    /// A kbundle kind that failed to parse.
    Broken,
    Other,
}

const KINDS: [&str; 2] = ["AppBundle", "Environment"];

/// Classify and parse one input; the origin moves into the parsed kind (no copy of its spans).
fn classify(v: &Value, origin: Origin, out: &mut Vec<Diagnostic>) -> Class {
    let api = v.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    let kind = v.get("kind").and_then(Value::as_str).unwrap_or("");
    let Some(version) = api.strip_prefix(&format!("{}/", model::GROUP)) else {
        return Class::Other;
    };
    let name = v
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let resource = crate::diag::ResourceRef {
        api_version: api.to_string(),
        kind: kind.to_string(),
        name,
        namespace: None,
    };
    if version != "v1alpha1" {
        out.push(locate(
            Diagnostic::error(
                Code::UnknownKind,
                format!("apiVersion {api:?} is not supported"),
            )
            .with_hint(format!("use apiVersion: {}", model::API_VERSION)),
            &origin,
            resource,
            &FieldPath::of("apiVersion"),
        ));
        return Class::Broken;
    }
    let report = |errors: Vec<ParseError>, out: &mut Vec<Diagnostic>| {
        for e in errors {
            let mut d = Diagnostic::error(e.code, e.message);
            if let Some(h) = e.hint {
                d = d.with_hint(h);
            }
            out.push(locate(d, &origin, resource.clone(), &e.path));
        }
    };
    match kind {
        "AppBundle" => match model::parse_app_bundle(v) {
            Ok(bundle) => Class::Bundle(Box::new(BundleInput {
                bundle,
                origin,
                files: BTreeMap::new(),
                migrations: None,
                resolved: Default::default(),
            })),
            Err(e) => {
                let salvaged = model::salvage_app_bundle(v, &e);
                report(e, out);
                match salvaged {
                    Some(s) => {
                        report(s.more_errors, out);
                        let origin = Origin {
                            left_out: s.left_out,
                            ..origin
                        };
                        Class::Salvaged(Box::new(BundleInput {
                            bundle: s.bundle,
                            origin,
                            files: BTreeMap::new(),
                            migrations: None,
                            resolved: Default::default(),
                        }))
                    }
                    None => Class::Broken,
                }
            }
        },
        "Environment" => match model::parse_environment(v) {
            Ok(env) => Class::Environment(Box::new((env, origin))),
            Err(e) => {
                report(e, out);
                Class::Broken
            }
        },
        other => {
            let mut d = Diagnostic::error(
                Code::UnknownKind,
                format!("kind {other:?} is not a kbundle kind (AppBundle, Environment)"),
            );
            if let Some(s) = did_you_mean(other, KINDS) {
                d = d.with_hint(format!("did you mean `{s}`?"));
            }
            out.push(locate(d, &origin, resource.clone(), &FieldPath::of("kind")));
            Class::Broken
        }
    }
}

/// Kinds whose pod templates `policy.pinnedImages` governs.
fn is_workload(v: &Value) -> bool {
    matches!(
        v.get("kind").and_then(Value::as_str),
        Some("Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Job" | "CronJob" | "Pod")
    )
}

/// Whether an object is of the kbundle API group (AppBundle, Environment, or a mistyped kind).
pub fn is_kbundle_kind(v: &Value) -> bool {
    v.get("apiVersion")
        .and_then(Value::as_str)
        .is_some_and(|a| a.starts_with(&format!("{}/", model::GROUP)))
}

fn identity(v: &Value) -> (String, String, String) {
    let s = |p: &str| {
        v.pointer(p)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    (s("/kind"), s("/metadata/name"), s("/metadata/namespace"))
}

/// Run the pipeline. `function_config` is the KRM functionConfig or legacy plugin config: an
/// AppBundle or Environment (used as if it were one more item, unless the same object is also
/// an item, as kpt delivers a `configPath` file), or kpt's `function-input` ConfigMap.
pub fn render(items: Vec<Item>, function_config: Option<Item>, opts: &Options) -> Rendered {
    let mut sink = emit::Collect::default();
    let mut out = emit::Emitter::new(emit::Options::default(), &mut sink);
    // Collecting cannot fail.
    let inputs = items.into_iter().map(Input::Item);
    let diagnostics = render_to(inputs, function_config, opts, &mut out).unwrap_or_default();
    Rendered {
        items: sink.0,
        diagnostics,
    }
}

/// Run the pipeline, streaming the output into `out` one bundle at a time. Nothing is emitted
/// when any diagnostic is an error (a problem a source met while reading included); the
/// diagnostics come back either way. `Err` is a failed write. The inputs are read as they are
/// classified (a [`crate::source::Source`] streams them a file at a time).
pub(crate) fn render_to(
    items: impl IntoIterator<Item = Input>,
    function_config: Option<Item>,
    opts: &Options,
    out: &mut emit::Emitter,
) -> Result<Vec<Diagnostic>, emit::EmitError> {
    let (prepared, diags) = prepare(items, function_config, opts);
    let Some(Prepared {
        env,
        bundles,
        backend,
        passed,
    }) = prepared
    else {
        return Ok(diags);
    };
    let rendered: BTreeSet<String> = bundles.iter().map(|b| b.name().to_string()).collect();
    for (kbundle, value) in passed {
        if kbundle {
            out.emit(emit::mark_local_config(value))?;
        } else if !is_stale_output(&value, &rendered) {
            out.emit(value)?;
        }
    }
    // One bundle at a time: plan, build its objects, write them, free all of it before the
    // next. Names are unique once validation passed.
    for b in bundles {
        let plan = crate::plan::plan_bundle(&b, &env);
        let objects = backend.objects(&plan, &env.env.spec);
        drop(plan);
        let path = generated_path(b.origin.file.as_deref(), b.name());
        drop(b);
        for (i, mut obj) in objects.into_iter().enumerate() {
            if opts.annotate_paths {
                annotate_path(&mut obj, &path, i);
            }
            out.emit(obj)?;
        }
    }
    Ok(diags)
}

/// The checked inputs of a run that found no error: what [`render_to`] emits, and what
/// `kbundle diff` plans and compares.
pub struct Prepared {
    pub env: EnvInput,
    pub bundles: Vec<validate::CheckedBundle>,
    pub backend: &'static dyn backend::Backend,
    /// Inputs passing through, flagged as kbundle kind or not.
    passed: Vec<(bool, Value)>,
}

/// Classify, parse, choose the Environment and check: everything before planning. `None` when
/// any diagnostic is an error (or no backend renders the target). The problems of the inputs
/// come first in the diagnostics, as the source met them.
pub(crate) fn prepare(
    items: impl IntoIterator<Item = Input>,
    function_config: Option<Item>,
    opts: &Options,
) -> (Option<Prepared>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut chosen_env = opts.environment.clone();
    let mut config_env: Option<String> = None;
    let mut extra: Option<Item> = None;
    let mut items: Box<dyn Iterator<Item = Input>> = Box::new(items.into_iter());
    if let Some(fc) = function_config {
        if is_kbundle_kind(&fc.value) {
            let id = identity(&fc.value);
            if fc.value.get("kind").and_then(Value::as_str) == Some("Environment") {
                config_env = Some(id.1.clone());
            }
            // Only a function's config needs every item seen first (KRM and legacy modes,
            // whose input is one stream anyway).
            let all: Vec<Input> = items.collect();
            let is_item = |i: &Input| matches!(i, Input::Item(i) if identity(&i.value) == id);
            if !all.iter().any(is_item) {
                extra = Some(fc);
            }
            items = Box::new(all.into_iter());
        } else {
            read_function_input(&fc, &mut chosen_env, &mut diags);
        }
    }
    // A problem reading goes first, before any problem of the config or the objects.
    let mut read_problems = Vec::new();

    let mut bundles: Vec<BundleInput> = Vec::new();
    let mut envs: Vec<(Environment, Origin)> = Vec::new();
    let mut env_broken = false;
    let mut salvaged: BTreeSet<String> = BTreeSet::new();
    // The items are consumed here, so that inputs no longer needed free their memory early
    // (it matters at tens of thousands of topics): a kbundle kind's origin moves into its parsed
    // form, and its value is kept only when the output keeps it. The rest passes through, in
    // order, flagged as kbundle kind or not. The functionConfig is classified, never output.
    let mut passed: Vec<(bool, Value)> = Vec::with_capacity(items.size_hint().0);
    let inputs = items
        .filter_map(|i| match i {
            Input::Item(i) => Some(i),
            Input::Problem(d) => {
                read_problems.push(d);
                None
            }
        })
        .map(|i| (i, true))
        .chain(extra.map(|i| (i, false)));
    // Workloads passing through keep their origin for the image check (index into `passed`).
    let mut workloads: Vec<(usize, Origin)> = Vec::new();
    for (Item { value, origin }, is_item) in inputs {
        if is_item && is_workload(&value) {
            workloads.push((passed.len(), origin.clone()));
        }
        match classify(&value, origin, &mut diags) {
            Class::Bundle(b) => bundles.push(*b),
            Class::Salvaged(b) => {
                salvaged.insert(b.name().to_string());
                bundles.push(*b);
            }
            Class::Environment(e) => envs.push(*e),
            Class::Broken => {
                env_broken |= value.get("kind").and_then(Value::as_str) == Some("Environment");
            }
            Class::Other => {}
        }
        let kbundle = is_kbundle_kind(&value);
        if is_item && (!kbundle || opts.consumed == Consumed::KeepAsLocalConfig) {
            passed.push((kbundle, value));
        }
    }
    read_problems.append(&mut diags);
    let mut diags = read_problems;

    for b in &mut bundles {
        read_bundle_files(b);
    }

    // An Environment given as the function's own config is the one meant.
    let wanted = chosen_env.or(config_env);
    let env = choose_environment(envs, wanted.as_deref(), &mut diags);
    check_bundle_names(&bundles, &mut diags);

    let no_bundles = bundles.is_empty();
    let no_bundle_warning = |mut diags: Vec<Diagnostic>| {
        if no_bundles && !diag::has_errors(&diags) {
            diags.push(
                Diagnostic::warning(Code::NoBundle, "no AppBundle found in the input")
                    .with_hint("pass the files or directories that hold your AppBundles"),
            );
            diag::sort(&mut diags);
        }
        diags
    };
    // Check even when some other input is broken, so one run reports every problem; but never
    // against the built-in defaults when the Environment meant failed to parse.
    let Some(env) = env.filter(|_| !env_broken) else {
        diag::sort(&mut diags);
        return (None, no_bundle_warning(diags));
    };
    for (i, origin) in &workloads {
        if let Some((_, value)) = passed.get(*i) {
            validate::images::check_workload(value, origin, &env, &mut diags);
        }
    }
    // The operator's own Environment checks; a target without a backend is refused (KB006).
    let backend = backend::for_target(env.env.spec.target);
    if let Some(b) = backend {
        b.check_environment(&env, &mut diags);
        for bundle in &bundles {
            b.check_bundle(bundle, &env, &mut diags);
        }
    }
    let reference = backend.map(|b| b.config_reference());
    let (checked, diags) = validate::check(bundles, env, reference, diags);
    let diags = validate::salvaged::keep_reliable(diags, &salvaged);
    let diags = no_bundle_warning(diags);
    let (Some(checked), Some(backend)) = (checked, backend) else {
        return (None, diags);
    };
    let (env, bundles) = checked.into_parts();
    let bundles: Vec<validate::CheckedBundle> = bundles.collect();
    (
        Some(Prepared {
            env,
            bundles,
            backend,
            passed,
        }),
        diags,
    )
}

/// Read every file the bundle names, once; problems are reported by validation, at the field
/// that names the file.
fn read_bundle_files(b: &mut BundleInput) {
    let paths: Vec<String> = b
        .bundle
        .spec
        .schemas
        .iter()
        .flat_map(|s| std::iter::once(s.file.clone()).chain(s.previous.iter().cloned()))
        .collect();
    for p in paths {
        if !b.files.contains_key(&p) {
            let loaded = crate::source::read_relative(&b.origin, &p);
            b.files.insert(p, loaded);
        }
    }
    if let Some(k) = &b.bundle.spec.ksql {
        b.migrations = Some(crate::source::read_relative_dir(&b.origin, &k.migrations));
    }
}

/// kpt passes `kpt fn eval ... -- environment=prod` as a ConfigMap named `function-input`.
fn read_function_input(fc: &Item, chosen: &mut Option<String>, diags: &mut Vec<Diagnostic>) {
    let kind = fc.value.get("kind").and_then(Value::as_str).unwrap_or("");
    if kind != "ConfigMap" {
        diags.push(
            Diagnostic::error(
                Code::BadFunctionConfig,
                format!("functionConfig of kind {kind:?} is not understood"),
            )
            .with_hint("use an AppBundle, an Environment, or `-- environment=NAME`"),
        );
        return;
    }
    if let Some(data) = fc.value.get("data").and_then(Value::as_object) {
        for (k, v) in data {
            match (k.as_str(), v.as_str()) {
                ("environment", Some(name)) if !name.is_empty() => {
                    if chosen.is_none() {
                        *chosen = Some(name.to_string());
                    }
                }
                _ => diags.push(
                    Diagnostic::error(
                        Code::BadFunctionConfig,
                        format!("unknown function parameter {k:?}"),
                    )
                    .with_hint("the only parameter is environment=NAME"),
                ),
            }
        }
    }
}

fn choose_environment(
    envs: Vec<(Environment, Origin)>,
    wanted: Option<&str>,
    diags: &mut Vec<Diagnostic>,
) -> Option<EnvInput> {
    // The same Environment may arrive twice (as functionConfig and as an item): keep one.
    let mut unique: Vec<(Environment, Origin)> = Vec::new();
    for (env, origin) in envs {
        match unique
            .iter()
            .find(|(e, _)| e.metadata.name == env.metadata.name)
        {
            Some((first, first_origin)) => {
                let same =
                    serde_json::to_value(&first.spec).ok() == serde_json::to_value(&env.spec).ok();
                if !same {
                    diags.push(locate(
                        Diagnostic::error(
                            Code::EnvironmentConflict,
                            format!(
                                "two different Environments are named {:?}",
                                env.metadata.name
                            ),
                        )
                        .with_hint(format!(
                            "the other is in {}",
                            first_origin.file.as_deref().unwrap_or("the input")
                        )),
                        &origin,
                        env_ref(&env),
                        &FieldPath::of("metadata.name"),
                    ));
                }
            }
            None => unique.push((env, origin)),
        }
    }
    let names: Vec<String> = unique
        .iter()
        .map(|(e, _)| e.metadata.name.clone())
        .collect();
    let pick = match wanted {
        Some(name) => match unique.into_iter().find(|(e, _)| e.metadata.name == name) {
            Some(found) => Some(found),
            None => {
                let mut d = Diagnostic::error(
                    Code::EnvironmentNotFound,
                    format!("environment {name:?} is not in the input"),
                );
                d = match did_you_mean(name, names.iter().map(String::as_str)) {
                    Some(s) => d.with_hint(format!("did you mean `{s}`?")),
                    None if names.is_empty() => {
                        d.with_hint("no Environment was found; pass the file that defines it")
                    }
                    None => d.with_hint(format!("environments found: {}", names.join(", "))),
                };
                diags.push(d);
                return None;
            }
        },
        None if unique.len() > 1 => {
            diags.push(
                Diagnostic::error(
                    Code::EnvironmentNotChosen,
                    format!(
                        "{} Environments found ({}) and none chosen",
                        names.len(),
                        names.join(", ")
                    ),
                )
                .with_hint("choose one with --environment NAME"),
            );
            return None;
        }
        None => unique.into_iter().next(),
    };
    Some(match pick {
        Some((env, origin)) => EnvInput {
            env,
            origin: Some(origin),
        },
        None => EnvInput {
            env: builtin_environment(),
            origin: None,
        },
    })
}

fn env_ref(env: &Environment) -> crate::diag::ResourceRef {
    crate::diag::ResourceRef {
        api_version: model::API_VERSION.into(),
        kind: "Environment".into(),
        name: env.metadata.name.clone(),
        namespace: None,
    }
}

/// DESIGN §1: without an Environment, target strimzi, cluster `kafka`, 3 partitions,
/// 3 replicas, BACKWARD, and no policy beyond the always-on safety rules.
pub fn builtin_environment() -> Environment {
    Environment {
        api_version: model::bundle::ApiVersion::V1alpha1,
        kind: model::environment::EnvironmentKind::Environment,
        metadata: model::Metadata {
            name: "default".into(),
            namespace: None,
            labels: Default::default(),
            annotations: Default::default(),
        },
        spec: Default::default(),
    }
}

fn check_bundle_names(bundles: &[BundleInput], diags: &mut Vec<Diagnostic>) {
    for (i, b) in bundles.iter().enumerate() {
        if let Some(first) = bundles[..i].iter().find(|o| o.name() == b.name()) {
            diags.push(
                b.at(
                    Diagnostic::error(
                        Code::BundleClaimedTwice,
                        format!("two AppBundles are named {:?}", b.name()),
                    )
                    .with_hint(format!(
                        "bundle names are unique; the other is in {}",
                        first.origin.file.as_deref().unwrap_or("the input")
                    )),
                    &FieldPath::of("metadata.name"),
                ),
            );
        }
    }
}

/// Objects kbundle generated earlier for a bundle rendered now (kpt writes our output back into
/// the package; a legacy generator may have run before this transformer): they are replaced.
fn is_stale_output(v: &Value, rendered: &BTreeSet<String>) -> bool {
    let label = |k: &str| {
        v.pointer("/metadata/labels")
            .and_then(|l| l.get(k))
            .and_then(Value::as_str)
    };
    label(MANAGED_BY) == Some(MANAGER) && label(PART_OF).is_some_and(|b| rendered.contains(b))
}
