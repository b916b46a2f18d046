//! Every relative link and `#anchor` in the documentation resolves: README.md, CONTRIBUTING.md,
//! docs/**/*.md and examples/**/*.md. Web links are not followed (no network in tests).
//!
//! Anchors are computed the way GitHub renders headings (github/cmark-gfm's and
//! github-markdown's anchor rule, also documented in
//! https://docs.github.com/en/get-started/writing-on-github/getting-started-with-writing-and-formatting-on-github/basic-writing-and-formatting-syntax#section-links):
//! lower-case, drop every character that is not a letter, digit, space, `-` or `_`, spaces become
//! `-`, and a repeated heading gets `-1`, `-2`, ... appended.

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The Markdown files whose links are checked, relative to the repository root.
fn doc_files(root: &Path) -> Vec<PathBuf> {
    let mut files = vec![PathBuf::from("README.md"), PathBuf::from("CONTRIBUTING.md")];
    for dir in ["docs", "examples"] {
        collect_md(root, Path::new(dir), &mut files);
    }
    files
}

fn collect_md(root: &Path, rel: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(root.join(rel)) else {
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = rel.join(e.file_name());
        if e.file_type().is_ok_and(|t| t.is_dir()) {
            collect_md(root, &name, out);
        } else if name.extension().is_some_and(|x| x == "md") {
            out.push(name);
        }
    }
}

/// The text outside fenced code blocks, line by line (inline code spans removed), so that
/// examples of links inside code are not taken for links.
fn prose_lines(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut fence: Option<&str> = None;
    for line in text.lines() {
        let trimmed = line.trim_start();
        match fence {
            Some(f) => {
                if trimmed.starts_with(f) {
                    fence = None;
                }
                out.push(String::new());
            }
            None if trimmed.starts_with("```") || trimmed.starts_with("~~~") => {
                fence = Some(&trimmed[..3]);
                out.push(String::new());
            }
            None => out.push(strip_code_spans(line)),
        }
    }
    out
}

fn strip_code_spans(line: &str) -> String {
    let mut out = String::new();
    let mut in_code = false;
    for c in line.chars() {
        if c == '`' {
            in_code = !in_code;
            out.push('`');
        } else if !in_code {
            out.push(c);
        }
    }
    out
}

/// GitHub's anchor for a heading text.
fn slug(heading: &str) -> String {
    // Link text stands for the link: `[text](url)` renders as `text`.
    let mut text = String::new();
    let mut rest = heading;
    while let Some(open) = rest.find('[') {
        let Some(close) = rest[open..].find("](") else {
            break;
        };
        let Some(end) = rest[open + close..].find(')') else {
            break;
        };
        text.push_str(&rest[..open]);
        text.push_str(&rest[open + 1..open + close]);
        rest = &rest[open + close + end + 1..];
    }
    text.push_str(rest);
    text.trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// Every anchor a Markdown document defines: its headings (with GitHub's de-duplication) and
/// explicit `<a id=...>`/`<a name=...>` targets.
fn anchors(text: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut fence: Option<String> = None;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if let Some(f) = &fence {
            if trimmed.starts_with(f.as_str()) {
                fence = None;
            }
            continue;
        }
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fence = Some(trimmed[..3].to_string());
            continue;
        }
        let hashes = line.chars().take_while(|&c| c == '#').count();
        if (1..=6).contains(&hashes) && line[hashes..].starts_with(' ') {
            let base = slug(line[hashes..].trim().trim_end_matches('#'));
            let mut name = base.clone();
            let mut n = 0;
            while seen.contains(&name) {
                n += 1;
                name = format!("{base}-{n}");
            }
            seen.insert(name);
        }
        for attr in ["<a id=\"", "<a name=\""] {
            let mut rest = line;
            while let Some(i) = rest.find(attr) {
                let after = &rest[i + attr.len()..];
                if let Some(end) = after.find('"') {
                    seen.insert(after[..end].to_string());
                }
                rest = after;
            }
        }
    }
    seen
}

/// Link destinations in one line: inline links and images `[text](dest "title")` and reference
/// definitions `[label]: dest`.
fn destinations(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let trimmed = line.trim_start();
    if trimmed.starts_with('[')
        && let Some(i) = trimmed.find("]: ")
    {
        if let Some(dest) = trimmed[i + 3..].split_whitespace().next() {
            out.push(dest.trim_matches(['<', '>']).to_string());
        }
        return out;
    }
    let mut rest = line;
    while let Some(i) = rest.find("](") {
        let after = &rest[i + 2..];
        let end = after.find([')', ' ']).unwrap_or(after.len());
        out.push(after[..end].trim_matches(['<', '>']).to_string());
        rest = &after[end..];
    }
    out
}

/// Every broken relative link of one document, as `file:line: message`.
fn check_file(root: &Path, rel: &Path, text: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let dir = rel.parent().unwrap_or(Path::new(""));
    for (n, line) in prose_lines(text).iter().enumerate() {
        for dest in destinations(line) {
            let at = format!("{}:{}", rel.display(), n + 1);
            if dest.is_empty() {
                problems.push(format!("{at}: empty link"));
                continue;
            }
            if dest.contains("://") || dest.starts_with("mailto:") {
                continue;
            }
            let (path, anchor) = match dest.split_once('#') {
                Some((p, a)) => (p, Some(a)),
                None => (dest.as_str(), None),
            };
            if path.starts_with('/') {
                problems.push(format!("{at}: {dest}: absolute link (breaks on GitHub)"));
                continue;
            }
            let target_rel = if path.is_empty() {
                rel.to_path_buf()
            } else {
                normalize(&dir.join(path))
            };
            if target_rel.starts_with("..") {
                problems.push(format!("{at}: {dest}: leads outside the repository"));
                continue;
            }
            let target = root.join(&target_rel);
            if !target.exists() {
                problems.push(format!(
                    "{at}: {dest}: {} does not exist",
                    target_rel.display()
                ));
                continue;
            }
            let Some(anchor) = anchor else { continue };
            if target_rel.extension().is_none_or(|x| x != "md") {
                problems.push(format!(
                    "{at}: {dest}: anchor into a file that is not Markdown"
                ));
                continue;
            }
            // A link into the same document is checked against the text being checked.
            let target_text = if path.is_empty() {
                text.to_string()
            } else {
                std::fs::read_to_string(&target).expect("readable Markdown")
            };
            if !anchors(&target_text).contains(anchor) {
                problems.push(format!(
                    "{at}: {dest}: no heading with anchor #{anchor} in {}",
                    target_rel.display()
                ));
            }
        }
    }
    problems
}

/// `a/b/../c` → `a/c`, keeping leading `..` (a link out of the repository).
fn normalize(p: &Path) -> PathBuf {
    let mut parts: Vec<std::ffi::OsString> = Vec::new();
    for c in p.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                if parts.last().is_some_and(|l| l != "..") {
                    parts.pop();
                } else {
                    parts.push("..".into());
                }
            }
            other => parts.push(other.as_os_str().to_owned()),
        }
    }
    parts.iter().collect()
}

#[test]
fn every_relative_link_and_anchor_in_the_docs_resolves() {
    let root = support::root();
    let files = doc_files(&root);
    // The front door and the reference must be there: an empty file list would pass vacuously.
    for must in [
        "README.md",
        "CONTRIBUTING.md",
        "docs/reference/appbundle.md",
        "docs/reference/environment.md",
        "docs/reference/diagnostics.md",
    ] {
        assert!(
            files.iter().any(|f| f == Path::new(must)),
            "{must} is missing"
        );
    }
    let mut problems = Vec::new();
    let mut links = 0;
    for rel in &files {
        let text = std::fs::read_to_string(root.join(rel)).expect("readable Markdown");
        links += prose_lines(&text)
            .iter()
            .map(|l| destinations(l).len())
            .sum::<usize>();
        problems.extend(check_file(&root, rel, &text));
    }
    assert!(
        links > 50,
        "only {links} links found: is the parser broken?"
    );
    assert!(
        problems.is_empty(),
        "{} broken links:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn github_anchor_rule() {
    assert_eq!(
        slug("Argo CD (config-management plugin)"),
        "argo-cd-config-management-plugin"
    );
    assert_eq!(slug("`spec.topics[]`"), "spectopics");
    assert_eq!(slug("What comes out"), "what-comes-out");
    assert_eq!(slug("Alerts and routing"), "alerts-and-routing");
    assert_eq!(slug("See [the docs](x.md) now"), "see-the-docs-now");
    let a = anchors("# A\n## A\n```\n# not a heading\n```\n## B_c\n<a id=\"x\"></a>\n");
    let want: BTreeSet<String> = ["a", "a-1", "b_c", "x"].map(String::from).into();
    assert_eq!(a, want);
}

#[test]
fn the_checker_reports_broken_links() {
    let root = support::root();
    let text = "[ok](docs/reference/outputs.md#safety) [gone](docs/nope.md) \
                [bad anchor](docs/reference/outputs.md#no-such-section) [self](#here) \
                [web](https://example.com/x) `[code](ignored.md)`\n\n## Here\n\
                ```\n[fenced](ignored.md)\n```\n[out](../outside.md)\n";
    let problems = check_file(&root, Path::new("README.md"), text);
    assert_eq!(problems.len(), 3, "{problems:#?}");
    assert!(problems[0].contains("docs/nope.md does not exist"));
    assert!(problems[1].contains("#no-such-section"));
    assert!(problems[2].contains("outside the repository"));
}
