//! Policy and cross-bundle checks. Every rule is a small function that adds diagnostics; all
//! rules run, so one run reports every problem.

pub mod acceptance;
mod access;
pub mod alerts;
mod claims;
mod connect_access;
mod connectors;
#[cfg(test)]
pub(crate) use connectors::resolve as resolve_connectors;
mod environment;
pub mod images;
pub mod ksql;
mod ksql_access;
mod ksql_sql;
pub mod masking;
pub(crate) mod naming;
mod ownership;
mod platform;
mod raw_acls;
mod reserved;
pub mod salvaged;
mod schemas;
mod streams_apps;
pub mod topic_config;
mod topics;

use crate::diag::{Diagnostic, ResourceRef};
use crate::model::{AppBundle, Environment};
use crate::path::FieldPath;
use crate::source::{FileProblem, LoadedFile, Origin};
use std::collections::BTreeMap;

/// A parsed AppBundle and where it came from.
#[derive(Debug, Clone)]
pub struct BundleInput {
    pub bundle: AppBundle,
    pub origin: Origin,
    /// Files the bundle names (schemas and their previous versions), read once, by the path as
    /// written in the bundle.
    pub files: BTreeMap<String, Result<LoadedFile, FileProblem>>,
    /// The ksql migrations folder, read, when the bundle has one.
    pub migrations: Option<Result<Vec<LoadedFile>, FileProblem>>,
    /// What the check stage worked out once, for its rules and for the plan.
    pub resolved: Resolved,
}

/// One connector's config values as rendered from their templates, by key.
pub type RenderedConfig = BTreeMap<String, Result<String, crate::template::TemplateError>>;

/// Values the check stage computes once per bundle: the rules report their problems, the plan
/// reads the results, and nothing is rendered twice.
#[derive(Debug, Clone, Default)]
pub struct Resolved {
    /// Per connector (in declaration order), its rendered config.
    pub connector_configs: Vec<RenderedConfig>,
    /// Every schema file read, parsed once, by the path as written in the bundle.
    pub schemas: BTreeMap<String, Result<crate::avro::Schema, crate::avro::SchemaProblem>>,
}

impl BundleInput {
    /// The parsed schema of a file the bundle names: the check stage's parse, or (where a
    /// bundle was never resolved, as in unit tests) a parse now.
    pub fn schema(
        &self,
        path: &str,
    ) -> Option<Result<crate::avro::Schema, crate::avro::SchemaProblem>> {
        if let Some(parsed) = self.resolved.schemas.get(path) {
            return Some(parsed.clone());
        }
        let file = self.files.get(path)?.as_ref().ok()?;
        Some(crate::avro::parse(&file.text))
    }
}

/// Bundles and the Environment that passed every check. Only the check stage makes one, so a
/// plan can only be built from input that has no error.
#[derive(Debug)]
pub struct Checked {
    pub env: EnvInput,
    bundles: Vec<BundleInput>,
}

/// One bundle of a [`Checked`] input.
#[derive(Debug)]
pub struct CheckedBundle(BundleInput);

impl std::ops::Deref for CheckedBundle {
    type Target = BundleInput;

    fn deref(&self) -> &BundleInput {
        &self.0
    }
}

impl Checked {
    /// The bundles, handed out one at a time so each can be freed once its objects exist.
    pub fn into_parts(self) -> (EnvInput, impl Iterator<Item = CheckedBundle>) {
        (self.env, self.bundles.into_iter().map(CheckedBundle))
    }
}

/// Parse every schema file the bundle names, once.
fn resolve_schemas(b: &mut BundleInput) {
    b.resolved.schemas = b
        .files
        .iter()
        .filter_map(|(path, f)| Some((path.clone(), crate::avro::parse(&f.as_ref().ok()?.text))))
        .collect();
}

/// Resolve what every rule and the plan need (rendered templates), then run every rule. The
/// diagnostics come back either way; `Checked` only when none is an error.
///
/// `reference` is the backend's syntax for Secret and ConfigMap references in connector
/// configs; `None` (a target without a backend, refused already) renders no template.
pub fn check(
    mut bundles: Vec<BundleInput>,
    env: EnvInput,
    reference: Option<crate::template::ReferenceSyntax>,
    mut diags: Vec<Diagnostic>,
) -> (Option<Checked>, Vec<Diagnostic>) {
    let mut budget = connectors::TEMPLATE_BUDGET_BYTES;
    for b in &mut bundles {
        // Short names become full names first: every rule and the plan see full names.
        naming::apply_prefix(b, &env, &mut diags);
        if let Some(reference) = reference {
            connectors::resolve(b, &env, reference, &mut budget);
        }
        resolve_schemas(b);
    }
    diags.extend(validate(&bundles, &env));
    crate::diag::sort(&mut diags);
    if crate::diag::has_errors(&diags) {
        return (None, diags);
    }
    (Some(Checked { env, bundles }), diags)
}

impl BundleInput {
    pub fn name(&self) -> &str {
        &self.bundle.metadata.name
    }

    pub fn resource(&self) -> ResourceRef {
        ResourceRef {
            api_version: crate::model::API_VERSION.into(),
            kind: "AppBundle".into(),
            name: self.bundle.metadata.name.clone(),
            namespace: self.bundle.metadata.namespace.clone(),
        }
    }

    /// A diagnostic pointing at `path` in this bundle's file.
    pub fn at(&self, d: Diagnostic, path: &FieldPath) -> Diagnostic {
        locate(d, &self.origin, self.resource(), path)
    }
}

/// The Environment in force, and where it came from (`None`: built-in defaults).
#[derive(Debug, Clone)]
pub struct EnvInput {
    pub env: Environment,
    pub origin: Option<Origin>,
}

impl EnvInput {
    pub fn label(&self) -> String {
        match &self.origin {
            Some(_) => format!("Environment/{}", self.env.metadata.name),
            None => "the built-in default Environment".to_string(),
        }
    }

    pub fn resource(&self) -> ResourceRef {
        ResourceRef {
            api_version: crate::model::API_VERSION.into(),
            kind: "Environment".into(),
            name: self.env.metadata.name.clone(),
            namespace: None,
        }
    }

    pub fn at(&self, d: Diagnostic, path: &FieldPath) -> Diagnostic {
        match &self.origin {
            Some(o) => locate(d, o, self.resource(), path),
            None => d.with_field(path.to_string()),
        }
    }
}

/// Fill a diagnostic's file, line, document index, resource and field from an origin.
pub fn locate(
    mut d: Diagnostic,
    origin: &Origin,
    resource: ResourceRef,
    path: &FieldPath,
) -> Diagnostic {
    let rebased;
    let path = if origin.left_out.is_empty() {
        path
    } else {
        rebased = crate::model::original_path(path.clone(), &origin.left_out);
        &rebased
    };
    d.file = origin.file.clone();
    d.index = Some(origin.index);
    d.line = origin.span.as_ref().map(|s| s.line_of(&path.0));
    d.resource = Some(resource);
    if !path.0.is_empty() {
        d.field = Some(path.to_string());
    }
    d
}

/// The most schema text one registration ConfigMap may carry: a ConfigMap holds at most 1 MiB
/// (Kubernetes' `MaxSecretSize`/ConfigMap limit), with room left for its metadata.
pub const MAX_SCHEMA_BYTES: usize = 900 * 1024;

fn check_schema_sizes(b: &BundleInput, out: &mut Vec<Diagnostic>) {
    for (i, s) in b.bundle.spec.schemas.iter().enumerate() {
        if let Some(Ok(f)) = b.files.get(&s.file)
            && f.text.len() > MAX_SCHEMA_BYTES
        {
            out.push(b.at(
                Diagnostic::error(
                    crate::diag::Code::ObjectTooLarge,
                    format!(
                        "schema {:?} ({}) is {} KiB: the ConfigMap carrying it to the registry holds at most {} KiB",
                        s.name,
                        f.display,
                        f.text.len() / 1024,
                        MAX_SCHEMA_BYTES / 1024
                    ),
                )
                .with_hint("split the schema into referenced schemas, or trim its documentation"),
                &FieldPath::of("spec.schemas").index(i).key("file"),
            ));
        }
    }
}

/// Run every rule on the bundles under the environment.
fn validate(bundles: &[BundleInput], env: &EnvInput) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    environment::check(env, &mut out);
    naming::check_environment(env, &mut out);
    alerts::check_environment(env, &mut out);
    images::check_environment(env, &mut out);
    let topic_name_re = environment::topic_name_regex(env, &mut out);
    for b in bundles {
        topics::check(b, env, topic_name_re.as_ref(), &mut out);
        access::check(b, &mut out);
        streams_apps::check(b, &mut out);
        reserved::check(b, env, &mut out);
        platform::check(b, env, &mut out);
        check_schema_sizes(b, &mut out);
        raw_acls::check(b, &mut out);
        schemas::check(b, env, &mut out);
        masking::check(b, env, &mut out);
        connectors::check(b, env, &mut out);
        alerts::check(b, env, &mut out);
        ksql::check(b, env, b.migrations.as_ref(), &mut out);
        ksql_access::check(b, env, &mut out);
        naming::check(b, env, &mut out);
        acceptance::check(b, &mut out);
        images::check_bundle(b, env, &mut out);
    }
    connectors::check_across(bundles, &mut out);
    schemas::check_across(bundles, &mut out);
    topics::check_across(bundles, &mut out);
    access::check_across(bundles, &mut out);
    ownership::check_across(bundles, env, &mut out);
    connect_access::check_across(bundles, env, &mut out);
    ksql_access::check_across(bundles, env, &mut out);
    out
}

#[cfg(test)]
mod resolve_tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn schemas_are_parsed_once_by_the_check_stage() {
        let v = json!({
            "apiVersion": "kbundle.dev/v1alpha1", "kind": "AppBundle",
            "metadata": {"name": "orders"},
            "spec": {"owner": "team"}
        });
        let file = |text: &str| {
            Ok(LoadedFile {
                display: "s.avsc".into(),
                text: text.into(),
            })
        };
        let mut b = BundleInput {
            bundle: crate::model::parse_app_bundle(&v).expect("bundle"),
            origin: Origin::default(),
            files: BTreeMap::from([("s.avsc".to_string(), file(r#""string""#))]),
            migrations: None,
            resolved: Resolved::default(),
        };
        resolve_schemas(&mut b);
        assert_eq!(b.resolved.schemas.len(), 1);
        // Rules and plan read the check stage's parse, not the file again.
        b.files.insert("s.avsc".into(), file("not a schema"));
        assert!(matches!(b.schema("s.avsc"), Some(Ok(_))));
        b.resolved.schemas.clear();
        assert!(matches!(b.schema("s.avsc"), Some(Err(_))));
    }
}
