//! The three renderings of a [`Diff`]: human text (colour only when asked, i.e. on a TTY),
//! Markdown for a pull-request comment (counts, then every risky change, then one collapsible
//! section per bundle), and JSON for bots. All of them are deterministic: the changes come in
//! the order [`super::compare`] made them (sorted by scope, kind, name), risky ones first
//! where the format lists them separately. Every text from the input is shown with control
//! characters escaped.

use super::{Change, Diff};
use crate::diag::{Diagnostic, Severity, escape_controls};
use serde_json::json;
use std::collections::BTreeMap;

/// A side that did not render, for the report.
pub struct Failed<'a> {
    pub side: &'static str,
    pub label: &'a str,
    pub diagnostics: &'a [Diagnostic],
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn counts(d: &Diff) -> String {
    let (e, w, i) = (
        d.count(Severity::Error),
        d.count(Severity::Warning),
        d.count(Severity::Info),
    );
    format!(
        "{}, {}, {}",
        plural(e, "error", "errors"),
        plural(w, "warning", "warnings"),
        plural(i, "other change", "other changes")
    )
}

/// Risky first (errors, then warnings), otherwise in comparison order.
fn ordered(d: &Diff) -> Vec<&Change> {
    let mut v: Vec<&Change> = d.changes.iter().collect();
    v.sort_by_key(|c| c.risk);
    v
}

/// Changes per bundle (or Environment), the riskiest scope first, then by name.
fn by_scope(d: &Diff) -> Vec<(&str, Vec<&Change>)> {
    let mut m: BTreeMap<&str, Vec<&Change>> = BTreeMap::new();
    for c in ordered(d) {
        m.entry(c.scope.as_str()).or_default().push(c);
    }
    let mut v: Vec<(&str, Vec<&Change>)> = m.into_iter().collect();
    // `ordered` put each scope's worst change first; a stable sort keeps names in order.
    v.sort_by_key(|(_, changes)| changes.first().map(|c| c.risk));
    v
}

/// `3 bundles and the Environment`.
fn scopes_line(d: &Diff) -> String {
    let scopes = by_scope(d);
    let env = scopes.iter().any(|(s, _)| s.starts_with("Environment "));
    let bundles = scopes.len() - usize::from(env);
    match (bundles, env) {
        (0, true) => "the Environment".to_string(),
        (n, true) => format!("{} and the Environment", plural(n, "bundle", "bundles")),
        (n, false) => plural(n, "bundle", "bundles"),
    }
}

fn no_change_line(d: &Diff, env: &str) -> String {
    format!(
        "kbundle diff: no change ({}, environment {})\n",
        plural(d.bundles_compared, "bundle", "bundles"),
        escape_controls(env)
    )
}

pub fn human(d: &Diff, env: &str, failed: &[Failed], colour: bool) -> String {
    let mut s = String::new();
    for f in failed {
        s.push_str(&format!(
            "kbundle diff: the {} side ({}) does not render:\n",
            f.side,
            escape_controls(f.label)
        ));
        s.push_str(&crate::diag::render_human(f.diagnostics));
    }
    if d.changes.is_empty() {
        if failed.iter().all(|f| f.side != "new") {
            s.push_str(&no_change_line(d, env));
        }
        return s;
    }
    let paint = |risk: Severity, text: &str| -> String {
        if !colour {
            return text.to_string();
        }
        let code = match risk {
            Severity::Error => "1;31",
            Severity::Warning => "33",
            Severity::Info => "2",
        };
        format!("\x1b[{code}m{text}\x1b[0m")
    };
    s.push_str(&format!(
        "kbundle diff: {} in {} (environment {})\n",
        counts(d),
        scopes_line(d),
        escape_controls(env)
    ));
    for (scope, changes) in by_scope(d) {
        let owner = d
            .owners
            .get(scope)
            .map(|o| format!(" ({})", escape_controls(o)));
        s.push_str(&format!(
            "\n{}{}\n",
            escape_controls(scope),
            owner.unwrap_or_default()
        ));
        for c in changes {
            let level = paint(c.risk, &format!("{:<7}", c.risk.as_str()));
            let code = c.code.map(|c| format!(" {c}")).unwrap_or_default();
            s.push_str(&format!(
                "  {level}{code} {} {}: {}\n",
                c.kind,
                escape_controls(&c.name),
                escape_controls(&c.detail)
            ));
        }
    }
    s
}

/// Text inside a Markdown table cell or list item: no control characters, no pipes, no HTML.
fn md(text: &str) -> String {
    escape_controls(text)
        .replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('`', "'")
}

fn icon(r: Severity) -> &'static str {
    match r {
        Severity::Error => "🛑 **error**",
        Severity::Warning => "⚠️ **warning**",
        Severity::Info => "info",
    }
}

fn md_change(c: &Change) -> String {
    format!(
        "{}{} {} `{}`: {}",
        icon(c.risk),
        c.code.map(|c| format!(" {c}")).unwrap_or_default(),
        c.kind,
        md(&c.name),
        md(&c.detail)
    )
}

/// GitHub refuses comments over 65,536 characters: past this many bytes the Markdown stops
/// adding rows and sections and says how many it left out (a section may overshoot it, so
/// the budget leaves room).
const COMMENT_BUDGET: usize = 50_000;

pub fn markdown(d: &Diff, env: &str, failed: &[Failed]) -> String {
    let mut s = String::from("### kbundle diff\n\n");
    for f in failed {
        s.push_str(&format!(
            "🛑 **The {} side (`{}`) does not render:**\n\n",
            f.side,
            md(f.label)
        ));
        for d in f.diagnostics {
            let at = d
                .file
                .as_ref()
                .map(|f| match d.line {
                    Some(l) => format!(" `{}:{l}`", md(f)),
                    None => format!(" `{}`", md(f)),
                })
                .unwrap_or_default();
            s.push_str(&format!(
                "- {} {}{at}: {}\n",
                d.severity.as_str(),
                d.code,
                md(&d.message)
            ));
        }
        s.push('\n');
    }
    if d.changes.is_empty() {
        if failed.iter().all(|f| f.side != "new") {
            s.push_str(&no_change_line(d, env));
        }
        return s;
    }
    s.push_str(&format!(
        "**{}** in {} (environment `{}`)\n\n",
        counts(d),
        scopes_line(d),
        md(env)
    ));
    let risky: Vec<&Change> = ordered(d)
        .into_iter()
        .filter(|c| c.risk != Severity::Info)
        .collect();
    if !risky.is_empty() {
        s.push_str("| risk | bundle | change |\n|---|---|---|\n");
        for (i, c) in risky.iter().enumerate() {
            if s.len() > COMMENT_BUDGET {
                s.push_str(&format!(
                    "| … | | {} more not shown here (comment size); the job log and `--format json` have them all |\n",
                    risky.len() - i
                ));
                break;
            }
            s.push_str(&format!(
                "| {}{} | {} | {} `{}`: {} |\n",
                icon(c.risk),
                c.code.map(|c| format!(" {c}")).unwrap_or_default(),
                md(&c.scope),
                c.kind,
                md(&c.name),
                md(&c.detail)
            ));
        }
        s.push_str("\n`kbundle explain KB2xx` says why each is risky.\n\n");
    }
    let scopes = by_scope(d);
    let total = scopes.len();
    for (shown, (scope, changes)) in scopes.into_iter().enumerate() {
        if s.len() > COMMENT_BUDGET {
            s.push_str(&format!(
                "{} more not shown here (comment size); the job log and `--format json` have every change.\n",
                plural(total - shown, "section", "sections")
            ));
            break;
        }
        let e = changes.iter().filter(|c| c.risk == Severity::Error).count();
        let w = changes
            .iter()
            .filter(|c| c.risk == Severity::Warning)
            .count();
        let mut tags = Vec::new();
        if e > 0 {
            tags.push(plural(e, "error", "errors"));
        }
        if w > 0 {
            tags.push(plural(w, "warning", "warnings"));
        }
        tags.push(plural(changes.len(), "change", "changes"));
        let owner = d
            .owners
            .get(scope)
            .map(|o| format!(" ({})", md(o)))
            .unwrap_or_default();
        s.push_str(&format!(
            "<details><summary><b>{}</b>{owner}: {}</summary>\n\n",
            md(scope),
            tags.join(", ")
        ));
        for c in changes {
            s.push_str(&format!("- {}\n", md_change(c)));
        }
        s.push_str("\n</details>\n\n");
    }
    s
}

pub fn json(d: &Diff, env: &str, failed: &[Failed]) -> String {
    let v = json!({
        "environment": env,
        "summary": {
            "error": d.count(Severity::Error),
            "warning": d.count(Severity::Warning),
            "info": d.count(Severity::Info),
            "bundles": d.bundles_compared,
        },
        "failed": failed.iter().map(|f| json!({
            "side": f.side,
            "input": f.label,
            "diagnostics": f.diagnostics,
        })).collect::<Vec<_>>(),
        "changes": ordered(d),
    });
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}
