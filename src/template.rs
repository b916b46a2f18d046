//! Connector config templates: reads one string value of an AppBundle connector config plus the
//! Environment and bundle names, emits the rendered string (Tera 2, sandboxed); also classifies
//! config keys that hold credentials and values that are config-provider references.
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

use std::fmt;
use std::io::Write;

use tera::{Context, ErrorKind, Kwargs, State, Tera, TeraResult};

use crate::names;
use crate::suggest::did_you_mean;

/// What a connector config template can see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateContext {
    /// `env.name`: the Environment's `metadata.name`.
    pub env_name: String,
    /// `env.namespace`: the Environment's `spec.namespace`; using it while unset is an error.
    pub env_namespace: Option<String>,
    /// `bundle.name`: the AppBundle's `metadata.name`.
    pub bundle_name: String,
}

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
// The sandbox

/// Largest rendered value; a Kafka config value is nowhere near this, a runaway template is.
const MAX_OUTPUT_BYTES: usize = 1 << 20;

/// Block tags a config value may use. Everything else is refused: `include`, `import`,
/// `extends`, `block` and `component` would load other templates; `for`, `set` and
/// `set_global` would allow loops and self-doubling strings (`{% set s = s ~ s %}`).
const ALLOWED_TAGS: &[&str] = &[
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
const LOADING_TAGS: &[&str] = &[
    "include",
    "import",
    "extends",
    "block",
    "component",
    "macro",
];

/// Pure, size-preserving filters (`replace` is re-registered with an output cap).
const ALLOWED_FILTERS: &[&str] = &[
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
const DISABLED_TERA_FILTERS: &[&str] = &[
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
const DISABLED_TERA_FUNCTIONS: &[&str] = &["range", "throw"];

const FUNCTIONS: &[&str] = &["configmap", "secret"];

/// Identifiers that are operators or literals, not variables or functions. (Tera also reserves
/// `loop` and `self`; without loops they are just unknown variables here.)
const KEYWORDS: &[&str] = &[
    "and", "else", "false", "False", "if", "in", "is", "none", "None", "not", "null", "or", "true",
    "True",
];

const VARIABLES: &str = "env.name, env.namespace, bundle.name";

const NO_NAMESPACE: &str = "env.namespace is not set in the Environment";

#[derive(serde::Serialize)]
struct EnvValue<'a> {
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
struct BundleValue<'a> {
    name: &'a str,
}

fn sandboxed_tera(ctx: &TemplateContext) -> Tera {
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

    let namespace = ctx.env_namespace.clone();
    tera.register_function("secret", move |kwargs: Kwargs, _: &State| {
        provider_reference(Provider::Secret, namespace.as_deref(), &kwargs)
    });
    let namespace = ctx.env_namespace.clone();
    tera.register_function("configmap", move |kwargs: Kwargs, _: &State| {
        provider_reference(Provider::ConfigMap, namespace.as_deref(), &kwargs)
    });
    tera
}

/// Tera's `replace`, refusing results over the output cap before allocating them: chained
/// replacements otherwise double a string per call.
fn capped_replace(value: &str, kwargs: Kwargs, _: &State) -> TeraResult<String> {
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
enum Provider {
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

    /// The provider prefix Strimzi's `KubernetesSecretConfigProvider` /
    /// `KubernetesConfigMapConfigProvider` are conventionally registered under
    /// (`config.providers: secrets,configmaps`).
    fn prefix(self) -> &'static str {
        match self {
            Provider::Secret => "secrets",
            Provider::ConfigMap => "configmaps",
        }
    }

    fn kind(self) -> &'static str {
        match self {
            Provider::Secret => "Secret",
            Provider::ConfigMap => "ConfigMap",
        }
    }
}

/// `secret(name=, key=)` / `configmap(name=, key=)` → `${secrets:<namespace>/<name>:<key>}`.
fn provider_reference(
    provider: Provider,
    namespace: Option<&str>,
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
            "{NO_NAMESPACE}; {function}() needs it to reference the {kind} as \
             ${{{}:<namespace>/{name}:{key}}}",
            provider.prefix()
        )));
    };
    if let Some(problem) = names::dns_label_problem(namespace) {
        return Err(tera::Error::message(format!(
            "env.namespace `{namespace}` is not a valid namespace: it {problem}"
        )));
    }
    Ok(format!(
        "${{{}:{namespace}/{name}:{key}}}",
        provider.prefix()
    ))
}

/// Kubernetes' rule for Secret and ConfigMap data keys (`IsConfigMapKey`).
fn data_key_problem(key: &str) -> Option<&'static str> {
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
struct CappedWriter {
    buf: Vec<u8>,
    exceeded: bool,
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

// ---------------------------------------------------------------------------------------------
// The allowlist check: a scan that follows Tera 2's lexer (markers, whitespace control, raw
// blocks, string quoting) closely enough to see every tag, function, filter and variable.
// Anything it cannot follow (unclosed string, tag, comment or raw block; a tag without a name)
// is an error here rather than left to Tera.

fn check_allowed(src: &str, ctx: &TemplateContext) -> Result<(), TemplateError> {
    let b = src.as_bytes();
    let mut i = 0;
    while let Some(start) = find_marker(b, i) {
        let mut j = start + 2;
        if b.get(j) == Some(&b'-') {
            j += 1;
        }
        let unclosed = |what: &str| TemplateError::at(format!("{what} is not closed"), src, start);
        i = match b[start + 1] {
            b'#' => find(b, j, b"#}").ok_or_else(|| unclosed("`{#`"))? + 2,
            b'{' => scan_expression(src, start, j, b"}}", false, ctx)?,
            _ => {
                if let Some(len) = skip_tag(&src[j..], "raw") {
                    i = find_endraw(src, j + len).ok_or_else(|| unclosed("`{% raw %}`"))?;
                    continue;
                }
                let name_at = skip_whitespace(b, j);
                let name_end = ident_end(b, name_at);
                let name = &src[name_at..name_end];
                if name.is_empty() {
                    return Err(TemplateError::at(
                        "expected a tag name after `{%`",
                        src,
                        name_at,
                    ));
                }
                if !ALLOWED_TAGS.contains(&name) {
                    return Err(TemplateError::at(tag_refusal(name), src, name_at));
                }
                scan_expression(src, start, name_end, b"%}", name == "filter", ctx)?
            }
        };
    }
    Ok(())
}

fn tag_refusal(name: &str) -> String {
    if LOADING_TAGS.contains(&name) {
        format!(
            "`{{% {name} %}}` is not available in connector config templates: a template cannot \
             load other templates or files"
        )
    } else {
        format!(
            "`{{% {name} %}}` is not available in connector config templates; allowed tags: {}",
            ALLOWED_TAGS.join(", ")
        )
    }
}

/// Tera's `find_start_marker`: the first `{{`, `{%` or `{#` at or after `from`.
fn find_marker(b: &[u8], from: usize) -> Option<usize> {
    b.get(from..)?
        .windows(2)
        .position(|w| w == b"{{" || w == b"{%" || w == b"{#")
        .map(|p| from + p)
}

fn find(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    b.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| from + p)
}

/// Tera's `skip_tag`: `s` starts right after `{%`; the length of `[-] name [-]%}` if it is
/// exactly that tag.
fn skip_tag(s: &str, name: &str) -> Option<usize> {
    let rest = s.strip_prefix('-').unwrap_or(s);
    let rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace());
    let rest = rest.strip_prefix(name)?;
    let rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace());
    let rest = rest.strip_prefix('-').unwrap_or(rest);
    let rest = rest.strip_prefix("%}")?;
    Some(s.len() - rest.len())
}

/// The offset just past the `{% endraw %}` closing a raw block whose body starts at `from`.
fn find_endraw(src: &str, from: usize) -> Option<usize> {
    let mut at = from;
    loop {
        let open = find(src.as_bytes(), at, b"{%")? + 2;
        if let Some(len) = skip_tag(&src[open..], "endraw") {
            return Some(open + len);
        }
        at = open;
    }
}

fn skip_whitespace(b: &[u8], mut i: usize) -> usize {
    while b.get(i).is_some_and(u8::is_ascii_whitespace) {
        i += 1;
    }
    i
}

/// Tera identifiers: `[A-Za-z_][A-Za-z0-9_]*`.
fn ident_end(b: &[u8], start: usize) -> usize {
    let mut i = start;
    while let Some(&c) = b.get(i) {
        let ok = c == b'_' || c.is_ascii_alphabetic() || (i > start && c.is_ascii_digit());
        if !ok {
            break;
        }
        i += 1;
    }
    i
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok<'a> {
    Ident(&'a str),
    Punct(&'a str),
    Literal,
}

/// Tokenizes the inside of `{{ }}` / `{% %}` (opened at `open`) from `from` up to `end` and
/// checks it. Returns the offset past `end`.
fn scan_expression(
    src: &str,
    open: usize,
    from: usize,
    end: &[u8],
    filter_tag: bool,
    ctx: &TemplateContext,
) -> Result<usize, TemplateError> {
    let b = src.as_bytes();
    let mut toks: Vec<(Tok, usize)> = Vec::new();
    let mut i = from;
    let close = loop {
        i = skip_whitespace(b, i);
        let Some(&c) = b.get(i) else {
            let marker = String::from_utf8_lossy(&b[open..open + 2]);
            return Err(TemplateError::at(
                format!("`{marker}` is not closed"),
                src,
                open,
            ));
        };
        if b[i..].starts_with(end) {
            break i + end.len();
        }
        let start = i;
        let tok = if c == b'"' || c == b'\'' || c == b'`' {
            // Tera's string lexing: backslash escapes the next byte.
            i += 1;
            loop {
                match b.get(i) {
                    None => {
                        return Err(TemplateError::at("string is not closed", src, start));
                    }
                    Some(b'\\') => i += 2,
                    Some(&q) if q == c => break,
                    Some(_) => i += 1,
                }
            }
            i += 1;
            Tok::Literal
        } else if c == b'_' || c.is_ascii_alphabetic() {
            i = ident_end(b, i);
            Tok::Ident(&src[start..i])
        } else if c.is_ascii_digit() {
            while b
                .get(i)
                .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_' || *c == b'.')
            {
                i += 1;
            }
            Tok::Literal
        } else {
            let len = ["...", "?.", "?[", "==", "!=", "<=", ">=", "//", "**", "</"]
                .iter()
                .find(|op| b[i..].starts_with(op.as_bytes()))
                .map_or_else(
                    || src[i..].chars().next().map_or(1, char::len_utf8),
                    |op| op.len(),
                );
            i += len;
            Tok::Punct(&src[start..i])
        };
        toks.push((tok, start));
    };
    check_tokens(src, &toks, filter_tag, ctx)?;
    Ok(close)
}

fn check_tokens(
    src: &str,
    toks: &[(Tok, usize)],
    filter_tag: bool,
    ctx: &TemplateContext,
) -> Result<(), TemplateError> {
    let tok = |i: usize| toks.get(i).map(|t| t.0);
    for (i, &(t, at)) in toks.iter().enumerate() {
        let Tok::Ident(name) = t else { continue };
        let prev = if i == 0 { None } else { tok(i - 1) };
        let prev2 = if i < 2 { None } else { tok(i - 2) };
        let is_filter = match prev {
            Some(Tok::Punct("|")) => true,
            None => filter_tag,
            _ => false,
        };
        if is_filter {
            if !ALLOWED_FILTERS.contains(&name) {
                return Err(TemplateError::at(
                    unavailable("filter", name, ALLOWED_FILTERS),
                    src,
                    at,
                ));
            }
            continue;
        }
        let after_is = prev == Some(Tok::Ident("is"))
            || (prev == Some(Tok::Ident("not")) && prev2 == Some(Tok::Ident("is")));
        let attribute = matches!(prev, Some(Tok::Punct("." | "?.")));
        if after_is || attribute || KEYWORDS.contains(&name) {
            continue;
        }
        match tok(i + 1) {
            Some(Tok::Punct("(")) => {
                if !FUNCTIONS.contains(&name) {
                    return Err(TemplateError::at(function_refusal(name), src, at));
                }
            }
            // A keyword argument's name.
            Some(Tok::Punct("=")) => {}
            next => check_variable(src, name, at, next, toks.get(i + 2), tok(i + 3), ctx)?,
        }
    }
    Ok(())
}

/// Only `env.name`, `env.namespace` and `bundle.name` exist, and checking them here (rather
/// than leaving it to Tera) matters: Tera 2 renders an undefined value as empty text in
/// several places (`~`, `if`, `?.`), which would silently produce a wrong config value.
fn check_variable(
    src: &str,
    name: &str,
    at: usize,
    next: Option<Tok>,
    field: Option<&(Tok, usize)>,
    after_field: Option<Tok>,
    ctx: &TemplateContext,
) -> Result<(), TemplateError> {
    let fields: &[&str] = match name {
        "env" => &["name", "namespace"],
        "bundle" => &["name"],
        _ => {
            let known = ["env", "bundle"];
            let hint = did_you_mean(name, known)
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            return Err(TemplateError::at(
                format!("unknown variable `{name}`{hint}; available: {VARIABLES}"),
                src,
                at,
            ));
        }
    };
    let Some(&(Tok::Ident(field), field_at)) =
        field.filter(|_| matches!(next, Some(Tok::Punct("." | "?."))))
    else {
        return Err(TemplateError::at(
            format!("`{name}` must be used with a field: {VARIABLES}"),
            src,
            at,
        ));
    };
    if !fields.contains(&field) {
        return Err(TemplateError::at(
            format!("`{name}` has no field `{field}`; available: {VARIABLES}"),
            src,
            field_at,
        ));
    }
    if name == "env" && field == "namespace" && ctx.env_namespace.is_none() {
        return Err(TemplateError::at(NO_NAMESPACE, src, at));
    }
    if let Some(Tok::Punct("." | "?.")) = after_field {
        return Err(TemplateError::at(
            format!("`{name}.{field}` is a string and has no fields"),
            src,
            field_at,
        ));
    }
    Ok(())
}

fn function_refusal(name: &str) -> String {
    let hint = did_you_mean(name, FUNCTIONS.iter().copied())
        .map(|s| format!(" (did you mean `{s}`?)"))
        .unwrap_or_default();
    format!(
        "function `{name}` is not available in connector config templates{hint}: templates have \
         no file, environment, network, clock or random access; available functions: \
         secret(name=..., key=...), configmap(name=..., key=...)"
    )
}

fn unavailable(what: &str, name: &str, allowed: &[&str]) -> String {
    let hint = did_you_mean(name, allowed.iter().copied())
        .map(|s| format!(" (did you mean `{s}`?)"))
        .unwrap_or_default();
    format!(
        "{what} `{name}` is not available in connector config templates{hint}; available: {}",
        allowed.join(", ")
    )
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

// ---------------------------------------------------------------------------------------------
// Credentials

/// Words that, as the last word or the end of a word of a config key, mean the key holds a
/// credential. Matched against single words and pairs of adjacent words joined
/// (`api.key` → `apikey`, `user.info` → `userinfo`).
const CREDENTIAL_ENDINGS: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
    "passcode",
    "secret",
    "token",
    "credential",
    "credentials",
    "apikey",
    "privatekey",
    "accesskey",
    "secretkey",
    "accountkey",
    "signingkey",
    "encryptionkey",
    "masterkey",
    "sharedkey",
    "customerkey",
    "clientkey",
    "keystorekey",
    "sslkey",
    "tlskey",
    "userinfo",
    "keyfile",
    "jaas",
    "authorization",
];

/// Words that, after the credential word, mean the key configures a credential rather than
/// holding one: `password.policy.enabled`, `basic.auth.credentials.source`,
/// `sasl.oauthbearer.token.endpoint.url`, `aws.credentials.provider.class`.
const SETTING_WORDS: &[&str] = &[
    "algorithm",
    "audience",
    "cache",
    "charset",
    "class",
    "count",
    "dir",
    "directory",
    "disable",
    "disabled",
    "enable",
    "enabled",
    "encoding",
    "endpoint",
    "expiration",
    "expiry",
    "field",
    "file",
    "format",
    "header",
    "interval",
    "length",
    "location",
    "manager",
    "max",
    "mechanism",
    "min",
    "minutes",
    "mode",
    "ms",
    "name",
    "path",
    "pattern",
    "policy",
    "prefix",
    "property",
    "provider",
    "refresh",
    "regex",
    "required",
    "retries",
    "rotation",
    "scope",
    "sec",
    "seconds",
    "size",
    "source",
    "strategy",
    "suffix",
    "timeout",
    "ttl",
    "type",
    "uri",
    "url",
    "validation",
    "version",
];

/// Whether a connector config key holds a credential (so its value must be a config-provider
/// reference, never a literal).
///
/// The key is split into lowercase words on `.`, `_`, `-` and camelCase; it is a credential
/// key when a word or two adjacent words joined end in a credential word (password, passwd,
/// passphrase, secret, token, credential(s), api key, private/access/secret/account key,
/// keystore key (`ssl.keystore.key` holds a PEM private key), user info (`basic.auth.user.info`),
/// keyfile (BigQuery), jaas (`sasl.jaas.config`), authorization (an HTTP header value), ...)
/// and no word after it names a setting about the credential.
///
/// Decisions: `password.policy.enabled`, `token.endpoint.url`, `basic.auth.credentials.source`,
/// `gcs.credentials.path` and `*.provider.class` are not credentials (they configure one);
/// `aws.access.key.id` is (it is half of a key pair); user names, `connection.url`,
/// `connection.uri` and `kerberos.keytab` (a file path) are not — a URL with an embedded
/// password is a value problem, not a key one.
pub fn is_credential_key(key: &str) -> bool {
    let words = key_words(key);
    let is_credential = |w: &str| w == "pwd" || CREDENTIAL_ENDINGS.iter().any(|e| w.ends_with(e));
    let mut last = None;
    for (i, word) in words.iter().enumerate() {
        if is_credential(word) {
            last = Some(i);
        }
        if let Some(next) = words.get(i + 1)
            && is_credential(&format!("{word}{next}"))
        {
            last = Some(i + 1);
        }
    }
    last.is_some_and(|i| {
        !words[i + 1..]
            .iter()
            .any(|w| SETTING_WORDS.contains(&w.as_str()))
    })
}

/// Lowercase words of a key, split on non-alphanumerics and camelCase boundaries.
fn key_words(key: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut prev_lower = false;
    for c in key.chars() {
        if !c.is_ascii_alphanumeric() {
            if !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        word.push(c.to_ascii_lowercase());
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// Characters that may join references without carrying secret material
/// (`${secrets:ns/sr:user}:${secrets:ns/sr:password}` for `basic.auth.user.info`).
const REFERENCE_SEPARATORS: &[char] = &[':', ',', ';', '/', '@', '|'];

/// Whether a value carries no literal credential: it is built only from config-provider
/// references (`${secrets:ns/name:key}`, `${configmaps:...}`, `${file:/path:key}`,
/// `${env:VAR}`, `${directory:/path:file}` or any other `${provider:...}`), optionally joined
/// by whitespace or `:,;/@|`; or it is a JAAS configuration (`sasl.jaas.config`) whose
/// credential options (`password`, `clientSecret`, `user_<name>`, ...) are each exactly one
/// reference while the rest (`username`, `clientId`, the login module) may be literal.
pub fn is_reference(value: &str) -> bool {
    let (count, literal) = split_references(value);
    if count > 0
        && literal
            .chars()
            .all(|c| c.is_whitespace() || REFERENCE_SEPARATORS.contains(&c))
    {
        return true;
    }
    jaas_options(value).is_some_and(|options| {
        options.iter().all(|(name, value)| {
            let credential =
                is_credential_key(name) || name.to_ascii_lowercase().starts_with("user_");
            !credential || is_single_reference(value)
        })
    })
}

/// The number of `${provider:...}` references in `value` and the text around them.
fn split_references(value: &str) -> (usize, String) {
    let mut count = 0;
    let mut literal = String::new();
    let mut rest = value;
    while let Some(open) = rest.find("${") {
        let after = &rest[open + 2..];
        match after
            .find('}')
            .filter(|&close| is_reference_body(&after[..close]))
        {
            Some(close) => {
                literal.push_str(&rest[..open]);
                count += 1;
                rest = &after[close + 1..];
            }
            None => {
                literal.push_str(&rest[..open + 2]);
                rest = after;
            }
        }
    }
    literal.push_str(rest);
    (count, literal)
}

/// Kafka's `ConfigTransformer` syntax inside `${...}`: `provider:[path:]key`.
fn is_reference_body(body: &str) -> bool {
    match body.split_once(':') {
        Some((provider, rest)) => {
            !rest.is_empty()
                && !body.contains('{')
                && provider.starts_with(|c: char| c.is_ascii_alphabetic())
                && provider
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        }
        None => false,
    }
}

fn is_single_reference(value: &str) -> bool {
    let (count, literal) = split_references(value.trim());
    count == 1 && literal.is_empty()
}

/// The options of a single-module JAAS configuration
/// (`<LoginModule> <flag> name="value" ... ;`), or `None` if `value` is not one.
fn jaas_options(value: &str) -> Option<Vec<(String, String)>> {
    let b = value.as_bytes();
    let word_end = |start: usize, extra: &[u8]| {
        let mut i = start;
        while b
            .get(i)
            .is_some_and(|c| c.is_ascii_alphanumeric() || extra.contains(c))
        {
            i += 1;
        }
        i
    };
    let mut i = skip_whitespace(b, 0);
    let module_end = word_end(i, b"_$.");
    if module_end == i || !b[i].is_ascii_alphabetic() {
        return None;
    }
    i = skip_whitespace(b, module_end);
    let flag_end = word_end(i, b"");
    let flag = value[i..flag_end].to_ascii_lowercase();
    if !matches!(
        flag.as_str(),
        "required" | "requisite" | "sufficient" | "optional"
    ) {
        return None;
    }
    i = flag_end;
    let mut options = Vec::new();
    loop {
        i = skip_whitespace(b, i);
        match b.get(i) {
            None => return None,
            Some(b';') => {
                return (skip_whitespace(b, i + 1) == b.len()).then_some(options);
            }
            Some(_) => {}
        }
        let name_end = word_end(i, b"_$.-");
        if name_end == i {
            return None;
        }
        let name = value[i..name_end].to_owned();
        i = skip_whitespace(b, name_end);
        if b.get(i) != Some(&b'=') {
            return None;
        }
        i = skip_whitespace(b, i + 1);
        let option_value = if let Some(&quote) = b.get(i).filter(|c| matches!(c, b'"' | b'\'')) {
            let start = i + 1;
            let mut j = start;
            loop {
                match b.get(j) {
                    None => return None,
                    Some(b'\\') => j += 2,
                    Some(&c) if c == quote => break,
                    Some(_) => j += 1,
                }
            }
            i = j + 1;
            value.get(start..j)?.to_owned()
        } else {
            let start = i;
            while b
                .get(i)
                .is_some_and(|c| !c.is_ascii_whitespace() && *c != b';')
            {
                i += 1;
            }
            if i == start {
                return None;
            }
            value[start..i].to_owned()
        };
        options.push((name, option_value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> TemplateContext {
        TemplateContext {
            env_name: "prod".into(),
            env_namespace: Some("kafka".into()),
            bundle_name: "orders".into(),
        }
    }

    fn no_namespace() -> TemplateContext {
        TemplateContext {
            env_namespace: None,
            ..ctx()
        }
    }

    fn ok(template: &str) -> String {
        match render(template, &ctx()) {
            Ok(s) => s,
            Err(e) => panic!("{template:?}: {e}"),
        }
    }

    fn err(template: &str) -> TemplateError {
        err_with(template, &ctx())
    }

    fn err_with(template: &str, ctx: &TemplateContext) -> TemplateError {
        match render(template, ctx) {
            Ok(s) => panic!("{template:?} rendered {s:?}, expected an error"),
            Err(e) => e,
        }
    }

    #[test]
    fn non_templates_come_back_unchanged() {
        for s in [
            "",
            "jdbc:postgresql://db:5432/orders",
            "${secrets:kafka/db:password}",
            "a { b } {# no tag, so not a template #} {",
            "x{#y",
            "}}%}",
        ] {
            assert_eq!(ok(s), s);
        }
    }

    #[test]
    fn renders_values_and_both_functions() {
        assert_eq!(ok("orders_{{ env.name }}"), "orders_prod");
        assert_eq!(ok("{{ bundle.name }}-{{ env.namespace }}"), "orders-kafka");
        assert_eq!(
            ok(
                "jdbc:{{ configmap(name='warehouse-db', key='url') }}?user={{ secret(name=\"warehouse-db\", key=\"user.name\") }}"
            ),
            "jdbc:${configmaps:kafka/warehouse-db:url}?user=${secrets:kafka/warehouse-db:user.name}"
        );
        assert_eq!(
            ok("{{ secret(key='password', name=bundle.name ~ '-db') }}"),
            "${secrets:kafka/orders-db:password}"
        );
    }

    #[test]
    fn whitespace_control_filters_and_conditions() {
        assert_eq!(ok("  {{- env.name | upper -}}  "), "PROD");
        assert_eq!(
            ok("{{ 'ABC' | lower }}/{{ bundle.name | title }}"),
            "abc/Orders"
        );
        assert_eq!(
            ok("{{ env.name | replace(from='o', to='0') | trim }}"),
            "pr0d"
        );
        assert_eq!(
            ok("{% if env.name == 'prod' -%}\n  big\n{%- else -%}\n  small\n{%- endif %}"),
            "big"
        );
        assert_eq!(
            ok("{% filter upper %}{{ bundle.name }}{% endfilter %}"),
            "ORDERS"
        );
        assert_eq!(
            ok("{{ env.name | split(pat='r') | first }}{{ 'x' if env.name is defined else 'y' }}"),
            "px"
        );
        assert_eq!(ok("a{# {% include 'x' %} #}b"), "ab");
        assert_eq!(ok("{% raw %}{{ now() }}{% endraw %}"), "{{ now() }}");
        assert_eq!(ok("{{ '{% for x in y %}' }}"), "{% for x in y %}");
        assert_eq!(ok("{{ \"}}\" ~ env.name }}"), "}}prod");
        assert_eq!(ok("{%- raw -%} {{ x }} {%- endraw %}"), "{{ x }}");
        assert_eq!(ok("{%raw%}{% for %}{%endraw%}"), "{% for %}");
        assert_eq!(
            ok("{% if env.namespace is defined %}{{ env.namespace }}{% endif %}"),
            "kafka"
        );
    }

    #[test]
    fn env_namespace_must_be_set_to_be_used() {
        let e = err_with("ns: {{ env.namespace }}", &no_namespace());
        assert_eq!(e.message, "env.namespace is not set in the Environment");
        assert_eq!((e.line, e.column), (Some(1), Some(8)));
        // Even where Tera would quietly render an undefined value as nothing.
        let e = err_with("{{ env.name ~ env.namespace }}", &no_namespace());
        assert_eq!(e.message, NO_NAMESPACE);
        for f in ["secret", "configmap"] {
            let e = err_with(
                &format!("{{{{ {f}(name='db', key='pw') }}}}"),
                &no_namespace(),
            );
            assert!(e.message.starts_with(NO_NAMESPACE), "{e}");
            assert_eq!((e.line, e.column), (Some(1), Some(4)));
        }
        assert_eq!(render("{{ env.name }}", &no_namespace()).unwrap(), "prod");
    }

    #[test]
    fn function_arguments_are_validated() {
        for (template, needle) in [
            (
                "{{ secret(name='Bad_Name', key='k') }}",
                "not a valid Secret name",
            ),
            (
                "{{ configmap(name='-x', key='k') }}",
                "not a valid ConfigMap name",
            ),
            (
                "{{ secret(name='db', key='a/b') }}",
                "not a valid Secret key",
            ),
            (
                "{{ secret(name='db', key='..x') }}",
                "must not be `.` or `..`",
            ),
            ("{{ secret(name='db', key='') }}", "it is empty"),
            ("{{ secret(name='db') }}", "secret() needs `key`"),
            ("{{ secret(name='db', key=1) }}", "`key` must be a string"),
            (
                "{{ secret(name='db', key='k', namespace='x') }}",
                "not `namespace`",
            ),
        ] {
            let e = err(template);
            assert!(e.message.contains(needle), "{template}: {e}");
            assert_eq!(e.line, Some(1), "{template}");
        }
        let bad_ns = TemplateContext {
            env_namespace: Some("Kafka".into()),
            ..ctx()
        };
        let e = err_with("{{ secret(name='db', key='k') }}", &bad_ns);
        assert!(e.message.contains("not a valid namespace"), "{e}");
    }

    #[test]
    fn no_environment_clock_random_or_file_access() {
        for (template, needle) in [
            (
                "{{ get_env(name=\"HOME\") }}",
                "function `get_env` is not available",
            ),
            ("{{ now() }}", "function `now` is not available"),
            (
                "{{ get_random(end=10) }}",
                "function `get_random` is not available",
            ),
            (
                "{{ read_file(path='/etc/passwd') }}",
                "function `read_file`",
            ),
            ("{{ range(end=5) }}", "function `range` is not available"),
            (
                "{{ throw(message='x') }}",
                "function `throw` is not available",
            ),
            (
                "{% include \"x\" %}",
                "cannot load other templates or files",
            ),
            (
                "{%- import 'x' as m -%}",
                "cannot load other templates or files",
            ),
            (
                "{% extends \"base\" %}",
                "cannot load other templates or files",
            ),
            (
                "{% block b %}{% endblock %}",
                "cannot load other templates or files",
            ),
            (
                "{% for c in 'abc' %}{{ c }}{% endfor %}",
                "`{% for %}` is not available",
            ),
            ("{% set x = 1 %}", "`{% set %}` is not available"),
            (
                "{{ env.name | join(sep=',') }}",
                "filter `join` is not available",
            ),
            (
                "{{ env.name | indent(width=9) }}",
                "filter `indent` is not available",
            ),
            (
                "{% filter safe %}x{% endfilter %}",
                "filter `safe` is not available",
            ),
        ] {
            let e = err(template);
            assert!(e.message.contains(needle), "{template}: {e}");
            assert!(e.line.is_some() && e.column.is_some(), "{template}: {e:?}");
        }
        assert!(err("{{ now() }}").message.contains("no file, environment"));
    }

    #[test]
    fn disabled_builtins_fail_even_past_the_allowlist() {
        let tera = sandboxed_tera(&ctx());
        for template in [
            "{{ range(end=3) }}",
            "{{ 'a' | join(sep=',') }}",
            "{{ 'x' | indent }}",
        ] {
            let e = tera
                .render_str(template, &Context::new(), false)
                .expect_err(template);
            assert!(
                from_tera(&e, template).message.contains("is not available"),
                "{template}"
            );
        }
    }

    #[test]
    fn unknown_names_are_reported_with_position_and_suggestion() {
        let e = err("a\n  {{ enve.name }}");
        assert_eq!(
            e.message,
            "unknown variable `enve` (did you mean `env`?); available: env.name, env.namespace, bundle.name"
        );
        assert_eq!((e.line, e.column), (Some(2), Some(6)));
        let e = err("{{ env.nmae }}");
        assert!(e.message.contains("no field `nmae`"), "{e}");
        assert_eq!(e.column, Some(8));
        let e = err("{{ 'x' ~ env }}");
        assert!(e.message.contains("must be used with a field"), "{e}");
        let e = err("{{ 'a' ~ loop.index }}");
        assert!(e.message.starts_with("unknown variable `loop`"), "{e}");
        let e = err("{{ env['name'] }}");
        assert!(e.message.contains("must be used with a field"), "{e}");
        let e = err("{{ secert(name='a', key='b') }}");
        assert!(e.message.contains("did you mean `secret`"), "{e}");
        let e = err("{{ env.name | uper }}");
        assert!(e.message.contains("did you mean `upper`"), "{e}");
        assert_eq!(e.column, Some(15));
        let e = err("{{ env.name is nosuchtest }}");
        assert!(e.message.contains("Unknown test `nosuchtest`"), "{e}");
        assert_eq!((e.line, e.column), (Some(1), Some(16)));
    }

    #[test]
    fn syntax_error_in_a_multi_line_template_names_the_position() {
        let e = err("line one\nline two {{ env.name }}\n  é {% if env.name %}x{% endif");
        assert_eq!(e.line, Some(3), "{e:?}");
        assert!(e.column.is_some());
        let e = err("first\nsecond {{ env.name ");
        assert_eq!(e.message, "`{{` is not closed");
        assert_eq!((e.line, e.column), (Some(2), Some(8)));
        for (template, message) in [
            ("{{ 'abc }}", "string is not closed"),
            ("{{ env.name }} {# b", "`{#` is not closed"),
            ("{% raw %}{{ x }}", "`{% raw %}` is not closed"),
            (
                "{%--for x in 'ab' %}{% endfor %}",
                "expected a tag name after `{%`",
            ),
            ("{% 'if' %}", "expected a tag name after `{%`"),
        ] {
            assert_eq!(err(template).message, message, "{template}");
        }
        let e = err("x\n\n  {% if %}y{% endif %}");
        assert!(e.message.starts_with("Found `%}`"), "{e}");
        assert_eq!((e.line, e.column), (Some(3), Some(9)));
        assert_eq!(e.to_string(), format!("{} (line 3, column 9)", e.message));
    }

    #[test]
    fn rendering_is_deterministic() {
        let t = "{{ secret(name='a', key='b') }}{{ {'b': 1, 'a': 2} }}{{ env.name | upper }}";
        let first = ok(t);
        for _ in 0..20 {
            assert_eq!(ok(t), first);
        }
        let e = err("{{ secret(name='a', key='b', z=1, y=2, x=3) }}");
        assert!(e.message.ends_with("not `x`, `y`, `z`"), "{e}");
    }

    #[test]
    fn runaway_output_is_refused() {
        let long = "x".repeat(2000);
        let e = err(&format!(
            "{{{{ '{long}' | replace(from='x', to='{long}') }}}}"
        ));
        assert!(e.message.contains("more than"), "{e}");
        let chained = format!("{{{{ '{}'{} }}}}", "ab".repeat(200), " ~ 'cd'".repeat(10));
        assert_eq!(ok(&chained).len(), 420);
    }

    #[test]
    fn arbitrary_input_never_panics() {
        // A fixed linear congruential generator: deterministic, no extra crate.
        let pieces = [
            "{{",
            "}}",
            "{%",
            "%}",
            "{#",
            "#}",
            "-",
            " ",
            "\n",
            "'",
            "\"",
            "`",
            "\\",
            "é",
            "€",
            "env",
            ".",
            "name",
            "namespace",
            "bundle",
            "|",
            "upper",
            "(",
            ")",
            "=",
            "raw",
            "endraw",
            "if",
            "endif",
            "for",
            "secret",
            "key",
            "'db'",
            "~",
            "[",
            "]",
            "?.",
            "is",
        ];
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..3000 {
            let mut template = String::new();
            for _ in 0..(state % 12 + 1) {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                template.push_str(pieces[(state >> 33) as usize % pieces.len()]);
            }
            for ctx in [ctx(), no_namespace()] {
                if let Err(e) = render(&template, &ctx) {
                    assert!(!e.message.is_empty(), "{template:?}");
                }
            }
        }
    }

    #[test]
    fn credential_keys() {
        let table: &[(&str, bool)] = &[
            ("connection.password", true),
            ("database.password", true),
            ("aws.secret.access.key", true),
            ("aws.access.key.id", true),
            ("snowflake.private.key", true),
            ("snowflake.private.key.passphrase", true),
            ("ssl.keystore.password", true),
            ("ssl.key.password", true),
            ("ssl.truststore.password", true),
            ("ssl.keystore.key", true),
            ("basic.auth.user.info", true),
            ("schema.registry.basic.auth.user.info", true),
            ("value.converter.basic.auth.user.info", true),
            ("bearer.auth.token", true),
            ("keyfile", true),
            ("keyFile", true),
            ("sasl.jaas.config", true),
            ("producer.override.sasl.jaas.config", true),
            ("oauth2.client.secret", true),
            ("clientSecret", true),
            ("datadog.api.key", true),
            ("api_key", true),
            ("apiKey", true),
            ("splunk.hec.token", true),
            ("snowflake.oauth.refresh.token", true),
            ("azblob.account.key", true),
            ("azblob.sas.token", true),
            ("github.access.token", true),
            ("http.headers.authorization", true),
            ("gcs.credentials.json", true),
            ("mongodb.passwd", true),
            ("db.pwd", true),
            ("s3.sse.customer.key", true),
            ("CONNECT_DB_PASSWORD", true),
            ("key.converter", false),
            ("value.converter", false),
            ("key.ignore", false),
            ("tasks.max", false),
            ("topics", false),
            ("connection.url", false),
            ("connection.uri", false),
            ("connection.user", false),
            ("connection.username", false),
            ("password.policy.enabled", false),
            ("token.endpoint.url", false),
            ("sasl.oauthbearer.token.endpoint.url", false),
            ("basic.auth.credentials.source", false),
            ("value.converter.basic.auth.credentials.source", false),
            ("aws.credentials.provider.class", false),
            ("gcs.credentials.path", false),
            ("ssl.keystore.location", false),
            ("ssl.keystore.type", false),
            ("ssl.key.location", false),
            ("sasl.mechanism", false),
            ("kerberos.keytab", false),
            ("keySource", false),
            ("s3.sse.kms.key.id", false),
            ("secret.name", false),
            ("config.providers.secrets.class", false),
            ("unsecuredLoginStringClaim_sub", false),
            ("tokenizer.type", false),
            ("table.name.format", false),
        ];
        assert!(table.len() >= 30);
        for (key, expected) in table {
            assert_eq!(is_credential_key(key), *expected, "{key}");
        }
    }

    #[test]
    fn references() {
        let table: &[(&str, bool)] = &[
            ("${secrets:kafka/db:password}", true),
            ("${configmaps:kafka/db:url}", true),
            (
                "${file:/opt/kafka/external-configuration/db/creds.properties:password}",
                true,
            ),
            ("${env:DB_PASSWORD}", true),
            ("${directory:/mnt/secrets:password}", true),
            ("  ${secrets:kafka/db:password}\n", true),
            (
                "${secrets:kafka/sr:user}:${secrets:kafka/sr:password}",
                true,
            ),
            ("${vault:secret/data/db:password}", true),
            ("hunter2", false),
            ("", false),
            ("${}", false),
            ("${password}", false),
            ("${:x}", false),
            ("alice:${secrets:kafka/sr:password}", false),
            ("${secrets:kafka/db:password}x", false),
            ("pre${secrets:kafka/db:password}", false),
            (
                "org.apache.kafka.common.security.scram.ScramLoginModule required \
                 username=\"orders\" password=\"${secrets:kafka/orders:password}\";",
                true,
            ),
            (
                "org.apache.kafka.common.security.scram.ScramLoginModule required \
                 username=\"orders\" password=\"hunter2\";",
                false,
            ),
            (
                "org.apache.kafka.common.security.plain.PlainLoginModule required \
                 username=${secrets:kafka/u:user} password=${secrets:kafka/u:password} ;",
                true,
            ),
            (
                "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required \
                 clientId=\"orders\" clientSecret=\"s3cr3t\";",
                false,
            ),
            (
                "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required \
                 clientId=\"orders\" clientSecret=\"${secrets:kafka/oauth:secret}\" scope=\"x\";",
                true,
            ),
            (
                "org.apache.kafka.common.security.plain.PlainLoginModule required \
                 user_admin=\"admin-secret\";",
                false,
            ),
            (
                "software.amazon.msk.auth.iam.IAMLoginModule required;",
                true,
            ),
            (
                "org.apache.kafka.common.security.plain.PlainLoginModule required \
                 password=\"${secrets:kafka/u:password}\"; extra",
                false,
            ),
            (
                "PlainLoginModule banana password=\"${secrets:kafka/u:password}\";",
                false,
            ),
        ];
        for (value, expected) in table {
            assert_eq!(is_reference(value), *expected, "{value}");
        }
        // What the template functions emit is a reference.
        assert!(is_reference(&ok("{{ secret(name='db', key='password') }}")));
    }
}
