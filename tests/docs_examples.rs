//! The documentation's shown runs are real: every fenced block right after the line
//! `<!-- output checked by tests/docs_examples.rs -->` in README.md or docs/**/*.md is a
//! transcript, and this test runs it and compares.
//!
//! A transcript is a `text` block of commands (`$ kbundle ARGS...`, run from the repository root,
//! arguments split at spaces) each followed by its expected output (stdout, then stderr), and
//! optionally `$ echo $?` followed by the expected exit code of the command before it. Nothing
//! is hard-coded here: the expectations are the documents themselves.
//!
//! Likewise a fenced block right after `<!-- file checked by tests/docs_examples.rs: PATH -->`
//! must be exactly the repository file PATH, so a shown input cannot drift from the example it
//! claims to be.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

const MARKER: &str = "<!-- output checked by tests/docs_examples.rs -->";
const FILE_MARKER: &str = "<!-- file checked by tests/docs_examples.rs: ";

struct Step {
    args: Vec<String>,
    expected: String,
    exit: Option<i32>,
}

struct Transcript {
    at: String,
    steps: Vec<Step>,
}

/// Every marked transcript of one document.
fn transcripts(rel: &Path, text: &str) -> Vec<Transcript> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if line.trim() != MARKER {
            continue;
        }
        let at = format!("{}:{}", rel.display(), i + 1);
        assert_eq!(
            lines.get(i + 1).map(|l| l.trim()),
            Some("```text"),
            "{at}: the marker must be followed by a ```text block"
        );
        let end = (i + 2..lines.len())
            .find(|&j| lines[j].trim() == "```")
            .unwrap_or_else(|| panic!("{at}: unterminated block"));
        out.push(Transcript {
            at: at.clone(),
            steps: parse_steps(&at, &lines[i + 2..end]),
        });
    }
    out
}

fn parse_steps(at: &str, body: &[&str]) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    let mut k = 0;
    while k < body.len() {
        let line = body[k];
        if line == "$ echo $?" {
            let code = body
                .get(k + 1)
                .and_then(|c| c.trim().parse().ok())
                .unwrap_or_else(|| panic!("{at}: `$ echo $?` needs an exit code on the next line"));
            steps
                .last_mut()
                .unwrap_or_else(|| panic!("{at}: `$ echo $?` before any command"))
                .exit = Some(code);
            k += 2;
            continue;
        }
        let Some(cmd) = line.strip_prefix("$ kbundle ") else {
            panic!("{at}: expected `$ kbundle ...` or `$ echo $?`, found {line:?}");
        };
        let mut expected = String::new();
        k += 1;
        while k < body.len() && !body[k].starts_with("$ ") {
            expected.push_str(body[k]);
            expected.push('\n');
            k += 1;
        }
        steps.push(Step {
            args: cmd.split_whitespace().map(String::from).collect(),
            expected,
            exit: None,
        });
    }
    assert!(!steps.is_empty(), "{at}: empty transcript");
    steps
}

fn docs_with_transcripts(root: &Path) -> Vec<(PathBuf, String)> {
    let mut files = vec![PathBuf::from("README.md")];
    let mut stack = vec![PathBuf::from("docs")];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(root.join(&dir)) else {
            continue;
        };
        for e in entries.filter_map(Result::ok) {
            let rel = dir.join(e.file_name());
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push(rel);
            } else if rel.extension().is_some_and(|x| x == "md") {
                files.push(rel);
            }
        }
    }
    files.sort();
    files
        .into_iter()
        .map(|rel| {
            let text = std::fs::read_to_string(root.join(&rel)).expect("readable Markdown");
            (rel, text)
        })
        .collect()
}

#[test]
fn shown_runs_match_the_real_binary() {
    let root = support::root();
    let mut all = Vec::new();
    for (rel, text) in docs_with_transcripts(&root) {
        all.extend(transcripts(&rel, &text));
    }
    // The README's tour shows a successful render and a governance failure; both must stay
    // checked, so a removed marker fails here instead of silently checking nothing.
    let readme: Vec<&Transcript> = all.iter().filter(|t| t.at.starts_with("README")).collect();
    assert!(
        readme
            .iter()
            .flat_map(|t| &t.steps)
            .any(|s| s.exit == Some(1)),
        "README.md must show a checked failing run"
    );
    assert!(
        readme
            .iter()
            .flat_map(|t| &t.steps)
            .any(|s| s.exit.is_none_or(|c| c == 0) && s.args.first().is_some_and(|a| a == "render")),
        "README.md must show a checked successful render"
    );

    let mut failures = Vec::new();
    for t in &all {
        for step in &t.steps {
            let out = support::run({
                let mut c = Command::new(support::kbundle());
                c.args(&step.args).current_dir(&root);
                c
            });
            let actual = format!("{}{}", support::stdout(&out), support::stderr(&out));
            let code = out.status.code();
            let want_code = step.exit.unwrap_or(0);
            if actual != step.expected || code != Some(want_code) {
                failures.push(format!(
                    "{}: `kbundle {}` exited {code:?} (documented: {want_code}); \
                     documented output:\n{}--- real output:\n{}",
                    t.at,
                    step.args.join(" "),
                    step.expected,
                    actual
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "the documentation shows outputs the binary does not print (paste the real ones):\n{}",
        failures.join("\n")
    );
}

/// `(where, path, shown text)` of every block marked as a copy of a repository file.
fn shown_files(rel: &Path, text: &str) -> Vec<(String, String, String)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(path) = line
            .trim()
            .strip_prefix(FILE_MARKER)
            .and_then(|r| r.strip_suffix(" -->"))
        else {
            continue;
        };
        let at = format!("{}:{}", rel.display(), i + 1);
        assert!(
            lines.get(i + 1).is_some_and(|l| l.starts_with("```")),
            "{at}: the marker must be followed by a fenced block"
        );
        let end = (i + 2..lines.len())
            .find(|&j| lines[j].trim() == "```")
            .unwrap_or_else(|| panic!("{at}: unterminated block"));
        let mut shown = lines[i + 2..end].join("\n");
        shown.push('\n');
        out.push((at, path.to_string(), shown));
    }
    out
}

#[test]
fn shown_files_match_the_repository() {
    let root = support::root();
    let mut checked = 0;
    let mut failures = Vec::new();
    for (rel, text) in docs_with_transcripts(&root) {
        for (at, path, shown) in shown_files(&rel, &text) {
            checked += 1;
            let real = std::fs::read_to_string(root.join(&path))
                .unwrap_or_else(|e| panic!("{at}: cannot read {path}: {e}"));
            if real != shown {
                failures.push(format!(
                    "{at}: the block differs from {path}:\n{shown}--- {path}:\n{real}"
                ));
            }
        }
    }
    assert!(
        checked >= 1,
        "README.md must show its tour bundle as a checked file"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn transcript_parser() {
    let text = format!(
        "x\n{MARKER}\n```text\n$ kbundle check a b\nerror[KB1]: x\n  more\n$ echo $?\n1\n\
         $ kbundle render c\nok\n```\n"
    );
    let ts = transcripts(Path::new("d.md"), &text);
    assert_eq!(ts.len(), 1);
    let s = &ts[0].steps;
    assert_eq!(s.len(), 2);
    assert_eq!(s[0].args, ["check", "a", "b"]);
    assert_eq!(s[0].expected, "error[KB1]: x\n  more\n");
    assert_eq!(s[0].exit, Some(1));
    assert_eq!((s[1].expected.as_str(), s[1].exit), ("ok\n", None));
}
