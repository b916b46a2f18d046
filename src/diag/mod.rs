//! Diagnostics shared by every mode, and their renderers: human text (stderr), JSON
//! (`--format json`) and KRM `results`.

mod codes;
pub mod shown;

pub use codes::{Code, Level, markdown_table};
use serde::Serialize;
use serde_json::{Value, json};
use std::fmt::Write as _;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// The object a diagnostic is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResourceRef {
    #[serde(rename = "apiVersion")]
    pub api_version: String,
    pub kind: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// One problem found in the input. Every field but the message is optional so that file-level
/// problems (unreadable file, YAML syntax) and object-level ones share a type.
#[derive(Debug, Clone, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: Code,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// 1-based line in `file`, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// Index of the document within a multi-document file or of the item in a ResourceList.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<usize>,
    /// Field path such as `spec.topics[2].partitions`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<ResourceRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn error(code: Code, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, message)
    }

    pub fn warning(code: Code, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, code, message)
    }

    fn new(severity: Severity, code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            code,
            message: message.into(),
            file: None,
            line: None,
            index: None,
            field: None,
            resource: None,
            hint: None,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    pub fn with_file(mut self, file: Option<String>, line: Option<u32>) -> Self {
        self.file = file;
        self.line = line;
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Sort key: file, position, code — so output does not depend on rule order.
    fn sort_key(&self) -> (Option<&str>, Option<usize>, u32, &'static str, &str) {
        (
            self.file.as_deref(),
            self.index,
            self.line.unwrap_or(0),
            self.code.as_str(),
            &self.message,
        )
    }
}

/// The most diagnostics of one code shown; the rest are counted in one closing diagnostic. A
/// thousand copies of one mistake help nobody, and unbounded output is a cost an input can
/// force (a CI log, Argo CD's UI, a sidecar's memory).
pub const MAX_PER_CODE: usize = 100;

/// Sort diagnostics by file, position and code, drop exact duplicates, and keep at most
/// [`MAX_PER_CODE`] of each code.
pub fn sort(diags: &mut Vec<Diagnostic>) {
    diags.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    diags.dedup_by(|a, b| {
        a.code == b.code
            && a.message == b.message
            && a.file == b.file
            && a.line == b.line
            && a.index == b.index
            && a.field == b.field
    });
    let mut seen: std::collections::BTreeMap<(Code, Severity), usize> = Default::default();
    diags.retain(|d| {
        let n = seen.entry((d.code, d.severity)).or_default();
        *n += 1;
        *n <= MAX_PER_CODE
    });
    for ((code, severity), n) in seen {
        if n > MAX_PER_CODE {
            diags.push(Diagnostic::new(
                severity,
                code,
                format!(
                    "and {} more {code} {}s like the ones above (not shown)",
                    n - MAX_PER_CODE,
                    severity.as_str()
                ),
            ));
        }
    }
}

pub fn has_errors(diags: &[Diagnostic]) -> bool {
    diags.iter().any(Diagnostic::is_error)
}

/// Human form, modelled on rustc/ruff:
///
/// ```text
/// error[KB023]: spec.topics[0].partitions is 100, the environment allows at most 48
///   --> apps/orders/bundle.yaml:12  AppBundle/orders
///   = help: lower partitions or raise policy.maxPartitions in Environment/prod
/// ```
pub fn render_human(diags: &[Diagnostic]) -> String {
    let mut out = render_human_lines(diags);
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .count();
    if errors > 0 || warnings > 0 {
        let _ = writeln!(
            out,
            "{errors} error{}, {warnings} warning{}",
            plural(errors),
            plural(warnings)
        );
    }
    out
}

/// Control characters in text shown to a person, written as escapes: a pull request must not
/// be able to rewrite what a reviewer sees in a CI log (terminal titles, cleared screens, moved
/// cursors) through a key or a name it chose. Newlines stay in messages that use them (kustomize's
/// stderr), every other control character becomes `\u{..}`.
pub fn escape_controls(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(|c| hidden(c) && c != '\n') {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if hidden(c) && c != '\n' {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Characters that change what a reader sees rather than showing themselves: C0 and C1 controls
/// (escape sequences, CSI) and the bidirectional overrides and isolates that reorder text
/// ("Trojan Source", CVE-2021-42574).
fn hidden(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

impl Diagnostic {
    /// The diagnostic with every shown text escaped ([`escape_controls`]): JSON escapes C0
    /// controls itself, but not C1 controls or bidirectional overrides, and YAML results are
    /// printed by kpt as they are.
    ///
    /// Every text is also cut to [`MAX_SHOWN_CHARS`]: a 1 MB unknown key must not be printed
    /// whole, twice (message and field path).
    pub fn escaped(&self) -> Diagnostic {
        let e = |t: &str| cut(&escape_controls(t));
        let mut d = self.clone();
        d.message = e(&d.message);
        d.hint = d.hint.as_deref().map(e);
        d.field = d.field.as_deref().map(e);
        d.file = d.file.as_deref().map(e);
        if let Some(r) = &mut d.resource {
            r.name = e(&r.name);
            r.kind = e(&r.kind);
            r.api_version = e(&r.api_version);
            r.namespace = r.namespace.as_deref().map(e);
        }
        d
    }
}

/// The longest text of a diagnostic shown (message, hint, field path, file).
pub const MAX_SHOWN_CHARS: usize = 1000;

fn cut(text: &str) -> String {
    match text.char_indices().nth(MAX_SHOWN_CHARS) {
        None => text.to_string(),
        Some((at, _)) => format!(
            "{}... ({} more characters)",
            &text[..at],
            text[at..].chars().count()
        ),
    }
}

/// The diagnostics in human form, without the summary line.
pub fn render_human_lines(diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    let e = |t: &str| t.to_string();
    for d in diags.iter().map(Diagnostic::escaped) {
        let d = &d;
        let _ = writeln!(
            out,
            "{}[{}]: {}",
            d.severity.as_str(),
            d.code,
            e(&d.message)
        );
        let mut location = String::new();
        if let Some(file) = &d.file {
            location.push_str(&e(file));
            if let Some(line) = d.line.filter(|l| *l > 0) {
                let _ = write!(location, ":{line}");
            }
        }
        if let Some(r) = &d.resource {
            if !location.is_empty() {
                location.push_str("  ");
            }
            let _ = write!(location, "{}/{}", e(&r.kind), e(&r.name));
        }
        if let Some(field) = &d.field {
            if !location.is_empty() {
                location.push_str("  ");
            }
            location.push_str(&e(field));
        }
        if !location.is_empty() {
            let _ = writeln!(out, "  --> {location}");
        }
        if let Some(hint) = &d.hint {
            let _ = writeln!(out, "  = help: {}", e(hint));
        }
    }
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Machine-readable form for CI: `{"diagnostics": [...], "errors": N, "warnings": N}`.
pub fn render_json(diags: &[Diagnostic]) -> String {
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .count();
    let shown: Vec<Diagnostic> = diags.iter().map(Diagnostic::escaped).collect();
    let doc = json!({"diagnostics": shown, "errors": errors, "warnings": warnings});
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

/// KRM function `results` entries (kpt's `framework.Result` shape).
pub fn to_krm_results(diags: &[Diagnostic]) -> Vec<Value> {
    diags
        .iter()
        .map(Diagnostic::escaped)
        .map(|d| {
            let mut message = format!("[{}] {}", d.code, d.message);
            if let Some(h) = &d.hint {
                message.push_str(" (help: ");
                message.push_str(h);
                message.push(')');
            }
            let mut r = serde_json::Map::new();
            r.insert("message".into(), Value::String(message));
            r.insert("severity".into(), Value::String(d.severity.as_str().into()));
            if let Some(res) = &d.resource {
                r.insert(
                    "resourceRef".into(),
                    serde_json::to_value(res).unwrap_or(Value::Null),
                );
            }
            if let Some(field) = &d.field {
                r.insert("field".into(), json!({ "path": field }));
            }
            if let Some(file) = &d.file {
                let mut f = serde_json::Map::new();
                f.insert("path".into(), Value::String(file.to_string()));
                if let Some(i) = d.index {
                    f.insert("index".into(), json!(i));
                }
                r.insert("file".into(), Value::Object(f));
            }
            r.insert("tags".into(), json!({ "code": d.code.as_str() }));
            Value::Object(r)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression (issue 10, item 6): 4000 unknown pii paths gave 4000 diagnostics, 224 MB.
    #[test]
    fn many_diagnostics_of_one_code_are_counted_not_listed() {
        let mut diags: Vec<Diagnostic> = (0..MAX_PER_CODE + 25)
            .map(|i| Diagnostic::error(Code::MaskingPathUnknown, format!("path {i}")))
            .collect();
        diags.push(Diagnostic::warning(Code::UndeclaredTopic, "w"));
        sort(&mut diags);
        let errors = diags.iter().filter(|d| d.is_error()).count();
        assert_eq!(errors, MAX_PER_CODE + 1);
        let last = diags.iter().rfind(|d| d.is_error()).unwrap();
        assert!(
            last.message.starts_with("and 25 more KB082 errors"),
            "{}",
            last.message
        );
        assert!(diags.iter().any(|d| d.code == Code::UndeclaredTopic));
    }

    /// Regression (issue 10, item 4): names and keys were shown raw in JSON and KRM results.
    #[test]
    fn every_format_escapes_what_rewrites_a_terminal() {
        let mut d = Diagnostic::error(Code::UnknownField, "unknown field `a\u{1b}]0;pwned\u{7}`")
            .with_field("spec.\u{9b}2J")
            .with_hint("rename \u{202e}txt.exe");
        d.resource = Some(ResourceRef {
            api_version: "kbundle.dev/v1alpha1".into(),
            kind: "AppBundle".into(),
            name: "x\u{1b}[2J".into(),
            namespace: None,
        });
        let outputs = [
            render_human(std::slice::from_ref(&d)),
            render_json(std::slice::from_ref(&d)),
            serde_json::to_string(&to_krm_results(std::slice::from_ref(&d))).unwrap(),
        ];
        for out in outputs {
            // JSON writes ESC as `\u001b`, which a terminal shows as text; the raw characters
            // must not be there in any form.
            for bad in ['\u{1b}', '\u{7}', '\u{9b}', '\u{202e}'] {
                assert!(!out.contains(bad), "{bad:?} in {out}");
            }
            assert!(!out.contains("\\u001b"), "{out}");
            assert!(out.contains("\\u{1b}"), "{out}");
        }
    }

    #[test]
    fn human_form_names_file_resource_field_and_hint() {
        let mut d = Diagnostic::error(Code::PartitionsAboveMax, "partitions is 100, at most 48")
            .with_field("spec.topics[0].partitions")
            .with_hint("lower partitions")
            .with_file(Some("apps/b.yaml".into()), Some(12));
        d.resource = Some(ResourceRef {
            api_version: "kbundle.dev/v1alpha1".into(),
            kind: "AppBundle".into(),
            name: "orders".into(),
            namespace: None,
        });
        let text = render_human(&[d]);
        assert!(text.starts_with("error[KB023]: partitions is 100, at most 48\n"));
        assert!(text.contains("--> apps/b.yaml:12  AppBundle/orders  spec.topics[0].partitions"));
        assert!(text.contains("= help: lower partitions"));
        assert!(text.ends_with("1 error, 0 warnings\n"));
    }

    #[test]
    fn control_characters_are_escaped_in_human_output() {
        // OSC 0 (set the terminal title) and ESC[2J (clear the screen) in a name and a key.
        let mut d = Diagnostic::error(Code::UnknownField, "unknown field `a\u{1b}[2Jb`")
            .with_field("spec.a\u{1b}]0;owned\u{7}")
            .with_hint("did you mean `x\ry`?");
        d.resource = Some(ResourceRef {
            api_version: "kbundle.dev/v1alpha1".into(),
            kind: "AppBundle".into(),
            name: "n\u{1b}[31m".into(),
            namespace: None,
        });
        let text = render_human(&[d]);
        assert!(
            !text.chars().any(|c| c.is_control() && c != '\n'),
            "{text:?}"
        );
        assert!(text.contains("a\\u{1b}[2Jb"), "{text}");
        assert!(text.contains("AppBundle/n\\u{1b}[31m"), "{text}");
        assert!(text.contains("x\\u{d}y"), "{text}");
    }

    #[test]
    fn sort_orders_by_file_then_line() {
        let mut v = vec![
            Diagnostic::error(Code::InvalidValue, "b").with_file(Some("b.yaml".into()), Some(1)),
            Diagnostic::error(Code::UnknownField, "a").with_file(Some("a.yaml".into()), Some(9)),
            Diagnostic::error(Code::UnknownField, "a").with_file(Some("a.yaml".into()), Some(2)),
        ];
        sort(&mut v);
        let lines: Vec<_> = v.iter().map(|d| (d.file.clone(), d.line)).collect();
        assert_eq!(
            lines,
            vec![
                (Some("a.yaml".into()), Some(2)),
                (Some("a.yaml".into()), Some(9)),
                (Some("b.yaml".into()), Some(1))
            ]
        );
    }

    #[test]
    fn krm_results_carry_severity_and_field() {
        let d = Diagnostic::warning(Code::UndeclaredTopic, "x").with_field("spec.a");
        let r = to_krm_results(&[d]);
        assert_eq!(r[0]["severity"], "warning");
        assert_eq!(r[0]["field"]["path"], "spec.a");
        assert_eq!(r[0]["tags"]["code"], "KB040");
    }
}
