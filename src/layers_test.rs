//! The stages import only the stages before them (CONTRIBUTING.md, "Layers"): a source file of
//! one stage naming a later stage's module fails this test. Unit tests are exempt (they build
//! fixtures with whatever is handy): files named `tests.rs`, files under a `tests/` folder, and
//! everything after a file's `#[cfg(test)]`.

use std::path::Path;

/// The stages in pipeline order.
const STAGES: [&str; 8] = [
    "model", "derive", "validate", "plan", "backend", "emit", "render", "cli",
];

fn stage_of(rel: &str) -> Option<usize> {
    let first = rel.split('/').next()?.trim_end_matches(".rs");
    STAGES.iter().position(|s| *s == first)
}

fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).expect("src readable") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            if p.file_name().is_some_and(|n| n != "tests") {
                walk(&p, out);
            }
        } else if p.extension().is_some_and(|x| x == "rs")
            && p.file_name()
                .is_some_and(|n| n != "tests.rs" && n != "layers_test.rs")
        {
            out.push(p);
        }
    }
}

#[test]
fn stages_import_only_earlier_stages() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&src, &mut files);
    let mut wrong = Vec::new();
    let mut checked = 0;
    for f in &files {
        let rel = f
            .strip_prefix(&src)
            .expect("under src")
            .to_string_lossy()
            .to_string();
        let Some(own) = stage_of(&rel) else { continue };
        checked += 1;
        let text = std::fs::read_to_string(f).expect("readable");
        let code = text.split("#[cfg(test)]").next().unwrap_or("");
        for (later, name) in STAGES.iter().enumerate().skip(own + 1) {
            let used = format!("crate::{name}::");
            let used_bare = format!("crate::{name};");
            if code.lines().any(|l| {
                !l.trim_start().starts_with("//") && (l.contains(&used) || l.contains(&used_bare))
            }) {
                wrong.push(format!(
                    "{rel} ({}) uses crate::{name} ({later})",
                    STAGES[own]
                ));
            }
        }
    }
    assert!(
        checked > 50,
        "only {checked} files checked: the walk found no stages"
    );
    assert!(
        wrong.is_empty(),
        "stages importing later stages:\n{}",
        wrong.join("\n")
    );
}
