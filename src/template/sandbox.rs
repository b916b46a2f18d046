//! The sandbox: a Tera instance with builtins outside the allowlist overridden to fail, the
//! `secret()` / `configmap()` functions, `replace` capped, and an output writer that refuses to
//! grow past the cap.

use std::io::Write;

use tera::{Kwargs, State, Tera, TeraResult};

use super::TemplateContext;
use crate::names;

/// Largest rendered value; a Kafka config value is nowhere near this, a runaway template is.
pub(super) const MAX_OUTPUT_BYTES: usize = 1 << 20;

/// Block tags a config value may use. Everything else is refused: `include`, `import`,
/// `extends`, `block` and `component` would load other templates; `for`, `set` and
/// `set_global` would allow loops and self-doubling strings (`{% set s = s ~ s %}`).
pub(super) const ALLOWED_TAGS: &[&str] = &[
    "if",
    "elif",
    "else",
    "endif",
    "filter",
    "endfilter",
    "raw",
    "endraw",
];

/// Tags that would read other templates (files, in other setups).
pub(super) const LOADING_TAGS: &[&str] = &[
    "include",
    "import",
    "extends",
    "block",
    "component",
    "macro",
];

/// Pure, size-preserving filters (`replace` is re-registered with an output cap).
pub(super) const ALLOWED_FILTERS: &[&str] = &[
    "abs",
    "capitalize",
    "default",
    "first",
    "float",
    "int",
    "last",
    "length",
    "lower",
    "nth",
    "replace",
    "reverse",
    "round",
    "split",
    "str",
    "title",
    "trim",
    "trim_end",
    "trim_start",
    "truncate",
    "upper",
];

/// Tera 2.4's builtin filters outside [`ALLOWED_FILTERS`]: HTML escaping, size amplifiers
/// (`indent`, `join`) and map iteration (`keys`, `values`, `pairs`, `group_by`). The
/// allowlist check already refuses them; they are also overridden so a gap in that check
/// cannot reach them.
pub(super) const DISABLED_TERA_FILTERS: &[&str] = &[
    "escape",
    "escape_html",
    "escape_xml",
    "get",
    "group_by",
    "indent",
    "join",
    "keys",
    "newlines_to_br",
    "pairs",
    "pluralize",
    "safe",
    "sort",
    "unique",
    "values",
    "wordcount",
];

/// Tera 2.4's builtin functions (`range` would feed loops, `throw` is not needed); tera 2
/// keeps `now`, `get_env`, `get_random` and file loading out of its core, and the allowlist
/// refuses them should a later version add them.
pub(super) const DISABLED_TERA_FUNCTIONS: &[&str] = &["range", "throw"];

pub(super) const FUNCTIONS: &[&str] = &["configmap", "secret"];

/// Identifiers that are operators or literals, not variables or functions. (Tera also reserves
/// `loop` and `self`; without loops they are just unknown variables here.)
pub(super) const KEYWORDS: &[&str] = &[
    "and", "else", "false", "False", "if", "in", "is", "none", "None", "not", "null", "or", "true",
    "True",
];

pub(super) const VARIABLES: &str = "env.name, env.namespace, bundle.name";

pub(super) const NO_NAMESPACE: &str = "env.namespace is not set in the Environment";

#[derive(serde::Serialize)]
pub(super) struct EnvValue<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    namespace: Option<&'a str>,
}

impl<'a> From<&'a TemplateContext> for EnvValue<'a> {
    fn from(ctx: &'a TemplateContext) -> Self {
        EnvValue {
            name: &ctx.env_name,
            namespace: ctx.env_namespace.as_deref(),
        }
    }
}

#[derive(serde::Serialize)]
pub(super) struct BundleValue<'a> {
    pub(super) name: &'a str,
}

pub(super) fn sandboxed_tera(ctx: &TemplateContext) -> Tera {
    // No template is ever registered, so an `include` that got past the allowlist would find
    // nothing; `render` passes autoescape = false because config values are not HTML.
    let mut tera = Tera::default();
    for name in DISABLED_TERA_FILTERS {
        tera.register_filter(*name, move |_: tera::Value, _: Kwargs, _: &State| {
            TeraResult::<String>::Err(tera::Error::message(format!(
                "filter `{name}` is not available in connector config templates"
            )))
        });
    }
    for name in DISABLED_TERA_FUNCTIONS {
        tera.register_function(*name, move |_: Kwargs, _: &State| {
            TeraResult::<String>::Err(tera::Error::message(format!(
                "function `{name}` is not available in connector config templates"
            )))
        });
    }
    tera.register_filter("replace", capped_replace);

    let (namespace, syntax) = (ctx.env_namespace.clone(), ctx.reference);
    tera.register_function("secret", move |kwargs: Kwargs, _: &State| {
        provider_reference(Provider::Secret, namespace.as_deref(), syntax, &kwargs)
    });
    let namespace = ctx.env_namespace.clone();
    tera.register_function("configmap", move |kwargs: Kwargs, _: &State| {
        provider_reference(Provider::ConfigMap, namespace.as_deref(), syntax, &kwargs)
    });
    tera
}

/// Tera's `replace`, refusing results over the output cap before allocating them: chained
/// replacements otherwise double a string per call.
pub(super) fn capped_replace(value: &str, kwargs: Kwargs, _: &State) -> TeraResult<String> {
    let from = kwargs.must_get::<&str>("from")?;
    let to = kwargs.must_get::<&str>("to")?;
    let hits = if from.is_empty() {
        value.chars().count() + 1
    } else {
        value.matches(from).count()
    };
    let len = hits
        .checked_mul(to.len())
        .and_then(|added| (value.len() - hits * from.len()).checked_add(added));
    match len {
        Some(len) if len <= MAX_OUTPUT_BYTES => Ok(value.replace(from, to)),
        _ => Err(tera::Error::message(format!(
            "`replace` would produce more than {MAX_OUTPUT_BYTES} bytes"
        ))),
    }
}

#[derive(Clone, Copy)]
pub(super) enum Provider {
    Secret,
    ConfigMap,
}

impl Provider {
    fn function(self) -> &'static str {
        match self {
            Provider::Secret => "secret",
            Provider::ConfigMap => "configmap",
        }
    }

    fn reference_kind(self) -> super::ReferenceKind {
        match self {
            Provider::Secret => super::ReferenceKind::Secret,
            Provider::ConfigMap => super::ReferenceKind::ConfigMap,
        }
    }

    fn kind(self) -> &'static str {
        match self {
            Provider::Secret => "Secret",
            Provider::ConfigMap => "ConfigMap",
        }
    }
}

/// `secret(name=, key=)` / `configmap(name=, key=)` → the backend's reference syntax (Strimzi:
/// `${secrets:<namespace>/<name>:<key>}`).
pub(super) fn provider_reference(
    provider: Provider,
    namespace: Option<&str>,
    syntax: super::ReferenceSyntax,
    kwargs: &Kwargs,
) -> TeraResult<String> {
    let function = provider.function();
    let kind = provider.kind();
    // Kwargs is a hash map: sort so the message does not depend on its order.
    let mut unexpected: Vec<String> = kwargs
        .iter()
        .map(|(k, _)| k.as_str().unwrap_or("?").to_owned())
        .filter(|k| k != "name" && k != "key")
        .collect();
    unexpected.sort();
    if !unexpected.is_empty() {
        return Err(tera::Error::message(format!(
            "{function}() takes only `name` and `key`, not `{}`",
            unexpected.join("`, `")
        )));
    }
    let string_arg = |arg: &str| -> TeraResult<String> {
        match kwargs.get::<&tera::Value>(arg)? {
            None => Err(tera::Error::message(format!(
                "{function}() needs `{arg}`: {function}(name=\"<{kind} name>\", key=\"<key>\")"
            ))),
            Some(v) => match v.as_str() {
                Some(s) => Ok(s.to_owned()),
                None => Err(tera::Error::message(format!(
                    "{function}(): `{arg}` must be a string, got `{v}`"
                ))),
            },
        }
    };
    let name = string_arg("name")?;
    let key = string_arg("key")?;
    if !names::is_dns_subdomain(&name) {
        return Err(tera::Error::message(format!(
            "{function}(): `{name}` is not a valid {kind} name (a DNS-1123 subdomain: lowercase \
             letters, digits, `-` and `.`, at most 253 characters)"
        )));
    }
    if let Some(problem) = data_key_problem(&key) {
        return Err(tera::Error::message(format!(
            "{function}(): key `{key}` is not a valid {kind} key: {problem}"
        )));
    }
    let Some(namespace) = namespace else {
        return Err(tera::Error::message(format!(
            "{NO_NAMESPACE}; {function}() needs it to reference the {kind} as {}",
            syntax(provider.reference_kind(), "<namespace>", &name, &key)
        )));
    };
    if let Some(problem) = names::dns_label_problem(namespace) {
        return Err(tera::Error::message(format!(
            "env.namespace `{namespace}` is not a valid namespace: it {problem}"
        )));
    }
    Ok(syntax(provider.reference_kind(), namespace, &name, &key))
}

/// Kubernetes' rule for Secret and ConfigMap data keys (`IsConfigMapKey`).
pub(super) fn data_key_problem(key: &str) -> Option<&'static str> {
    if key.is_empty() {
        Some("it is empty")
    } else if key.len() > 253 {
        Some("it is longer than 253 characters")
    } else if !key
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
    {
        Some("only letters, digits, `-`, `_` and `.` are allowed")
    } else if key == "." || key == ".." || key.starts_with("..") {
        Some("it must not be `.` or `..` or start with `..`")
    } else {
        None
    }
}

/// Collects output and refuses to grow past [`MAX_OUTPUT_BYTES`].
#[derive(Default)]
pub(super) struct CappedWriter {
    pub(super) buf: Vec<u8>,
    pub(super) exceeded: bool,
}

impl Write for CappedWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        if self.buf.len() + data.len() > MAX_OUTPUT_BYTES {
            self.exceeded = true;
            return Err(std::io::Error::other("output limit"));
        }
        self.buf.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
