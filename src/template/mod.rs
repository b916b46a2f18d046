//! Connector config templates: reads one string value of an AppBundle connector config plus the
//! Environment and bundle names, emits the rendered string (Tera 2, sandboxed). Which keys hold
//! credentials and which values are provider references is connector policy, in
//! `crate::credentials`.
//!
//! A template sees `env.name`, `env.namespace`, `bundle.name` and two functions,
//! `secret(name=, key=)` and `configmap(name=, key=)`, which emit Strimzi
//! `KubernetesSecretConfigProvider` / `KubernetesConfigMapConfigProvider` references
//! (`${secrets:<namespace>/<name>:<key>}`), so no secret value is ever read or written.
//!
//! The sandbox is an allowlist checked before Tera runs (tags, functions, filters, variables),
//! plus Tera builtins outside it overridden to fail (defense in depth) and an output cap:
//! templates get no file, environment, network, clock or randomness access, cannot loop or
//! assign (so they cannot blow up exponentially), and render deterministically.
//!
//! Layout: `sandbox` (the Tera instance, its allowlists, `secret()`/`configmap()`, the output
//! cap) and `lexer` (the allowlist check, a scan that follows Tera 2's lexer).

mod lexer;
mod sandbox;

#[cfg(test)]
mod tests;

use std::fmt;

use tera::{Context, ErrorKind};

use lexer::check_allowed;
use sandbox::{BundleValue, CappedWriter, EnvValue, MAX_OUTPUT_BYTES, sandboxed_tera};

/// What a connector config template can see.
#[derive(Debug, Clone)]
pub struct TemplateContext {
    /// How the backend writes `secret()` / `configmap()` in a connector config.
    pub reference: ReferenceSyntax,
    /// `env.name`: the Environment's `metadata.name`.
    pub env_name: String,
    /// `env.namespace`: the Environment's `spec.namespace`; using it while unset is an error.
    pub env_namespace: Option<String>,
    /// `bundle.name`: the AppBundle's `metadata.name`.
    pub bundle_name: String,
}

/// What `secret()` / `configmap()` reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferenceKind {
    Secret,
    ConfigMap,
}

/// How a backend writes a reference to one key of a Kubernetes Secret or ConfigMap in a
/// connector config, resolved by its Connect workers at run time (never a value): `(kind,
/// namespace, name, key) → text`. The backend owns it: Strimzi's config providers read
/// `${secrets:<namespace>/<name>:<key>}`.
pub type ReferenceSyntax = fn(ReferenceKind, &str, &str, &str) -> String;

/// A template that could not be rendered. `line`/`column` are 1-based (columns count
/// characters) and point into the template string; the caller adds connector name and key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    /// What is wrong, naming the bad name or construct and what is allowed.
    pub message: String,
    /// Line in the template, when the problem has a position.
    pub line: Option<u32>,
    /// Column (in characters) on that line.
    pub column: Option<u32>,
}

impl TemplateError {
    fn new(message: impl Into<String>) -> Self {
        TemplateError {
            message: message.into(),
            line: None,
            column: None,
        }
    }

    /// An error at byte offset `at` of `template`.
    fn at(message: impl Into<String>, template: &str, at: usize) -> Self {
        let (line, column) = line_column(template, at);
        TemplateError {
            message: message.into(),
            line: Some(line),
            column: Some(column),
        }
    }
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(line), Some(column)) => {
                write!(f, "{} (line {line}, column {column})", self.message)
            }
            (Some(line), None) => write!(f, "{} (line {line})", self.message),
            _ => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for TemplateError {}

/// Renders a connector config value. A value without `{{` or `{%` is not a template and comes
/// back unchanged without touching Tera (so `${secrets:...}` and lone braces are safe); write
/// `{% raw %}...{% endraw %}` for a literal `{{`.
pub fn render(template: &str, ctx: &TemplateContext) -> Result<String, TemplateError> {
    if !template.contains("{{") && !template.contains("{%") {
        return Ok(template.to_owned());
    }
    check_allowed(template, ctx)?;

    let tera = sandboxed_tera(ctx);
    let mut context = Context::new();
    context.insert("env", &EnvValue::from(ctx));
    context.insert(
        "bundle",
        &BundleValue {
            name: &ctx.bundle_name,
        },
    );

    let mut out = CappedWriter::default();
    match tera.render_str_to(template, &context, false, &mut out) {
        Ok(()) => String::from_utf8(out.buf)
            .map_err(|_| TemplateError::new("the template rendered invalid UTF-8")),
        Err(_) if out.exceeded => Err(TemplateError::new(format!(
            "the template renders more than {MAX_OUTPUT_BYTES} bytes"
        ))),
        Err(err) => Err(from_tera(&err, template)),
    }
}

// ---------------------------------------------------------------------------------------------
// Tera errors → TemplateError

fn from_tera(err: &tera::Error, template: &str) -> TemplateError {
    match err.kind() {
        ErrorKind::SyntaxError(report) | ErrorKind::RenderingError(report) => {
            TemplateError::at(report.message(), template, report.span().range.start)
        }
        // Reference checks (unknown test, component, ...) arrive as pre-rendered reports.
        ErrorKind::Msg(text) => first_report(text),
        _ => TemplateError::new(err.to_string()),
    }
}

/// Tera joins reference errors as reports (`error: <msg>\n --> <name>:<line>:<col>\n...`)
/// in hash-map order; keep the first by position so the message is deterministic.
fn first_report(text: &str) -> TemplateError {
    let mut best: Option<TemplateError> = None;
    for report in text.split("\n\n") {
        let mut lines = report.lines();
        let Some(message) = lines.next().and_then(|l| l.strip_prefix("error: ")) else {
            continue;
        };
        let position = lines
            .next()
            .and_then(|l| l.trim_start().strip_prefix("--> "))
            .and_then(|locus| {
                let mut parts = locus.rsplitn(3, ':');
                let column = parts.next()?.parse::<u32>().ok()?;
                let line = parts.next()?.parse::<u32>().ok()?;
                Some((line, column))
            });
        let candidate = TemplateError {
            message: message.to_owned(),
            line: position.map(|p| p.0),
            column: position.map(|p| p.1),
        };
        let earlier = |a: &TemplateError, b: &TemplateError| {
            (a.line.unwrap_or(u32::MAX), a.column) < (b.line.unwrap_or(u32::MAX), b.column)
        };
        if best.as_ref().is_none_or(|b| earlier(&candidate, b)) {
            best = Some(candidate);
        }
    }
    best.unwrap_or_else(|| TemplateError::new(text))
}

/// 1-based line and character column of byte offset `at`.
fn line_column(src: &str, at: usize) -> (u32, u32) {
    let at = at.min(src.len());
    let before = src.get(..at).unwrap_or(src);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |p| p + 1);
    let column = before[line_start..].chars().count() + 1;
    (
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(column).unwrap_or(u32::MAX),
    )
}
