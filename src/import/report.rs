//! The import report: every input field `kbundle import` could not carry over, and every
//! difference between what the peer tool would have created and what the imported bundles
//! render, with file, document and field path. Printed on stderr; `--report FILE` writes it as
//! JSON. Nothing is dropped silently (issue 15, "Nothing dropped silently").

use crate::diag::{Code, escape_controls};
use serde::Serialize;

/// The diagnostics' severities: error (nothing is written), warning (carried over differently,
/// or not at all: read it before adopting the bundles), info (not carried over on purpose:
/// server-set fields, labels kbundle writes itself).
pub use crate::diag::Severity;

/// One entry of the report.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Finding {
    pub file: String,
    /// Document index within the file (0-based).
    pub document: usize,
    /// `Kind/name` of the input object, or the peer's own unit (a project, a service).
    pub object: String,
    /// Field path within the document (`spec.authorization.acls[2].host`); empty: the object.
    pub path: String,
    pub severity: Severity,
    pub code: Code,
    pub message: String,
}

/// Where findings are about: one input object.
#[derive(Debug, Clone, Default)]
pub struct Place {
    pub file: String,
    pub document: usize,
    pub object: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub findings: Vec<Finding>,
}

impl Report {
    pub fn push(
        &mut self,
        at: &Place,
        path: impl Into<String>,
        severity: Severity,
        code: Code,
        message: impl Into<String>,
    ) {
        self.findings.push(Finding {
            file: at.file.clone(),
            document: at.document,
            object: at.object.clone(),
            path: path.into(),
            severity,
            code,
            message: message.into(),
        });
    }

    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }

    /// Findings in a stable order: by file, document, path.
    pub fn sort(&mut self) {
        self.findings.sort_by(|a, b| {
            (
                &a.file, a.document, &a.object, &a.path, a.severity, &a.message,
            )
                .cmp(&(
                    &b.file, b.document, &b.object, &b.path, b.severity, &b.message,
                ))
        });
        self.findings.dedup();
    }

    /// One line per finding, control characters escaped (input text is shown).
    pub fn human(&self) -> String {
        let mut out = String::new();
        for f in &self.findings {
            let path = if f.path.is_empty() {
                String::new()
            } else {
                format!(" {}", f.path)
            };
            out.push_str(&format!(
                "{}[{}]: {}#{} {}{}: {}\n",
                f.severity.as_str(),
                f.code,
                escape_controls(&f.file),
                f.document,
                escape_controls(&f.object),
                escape_controls(&path),
                escape_controls(&f.message)
            ));
        }
        out
    }

    pub fn json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }
}
