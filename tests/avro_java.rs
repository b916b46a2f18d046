//! Differential test: kbundle's Avro compatibility verdict against Apache Avro's Java
//! `SchemaCompatibility` 1.12.0 — the checker Confluent Schema Registry runs — on a generated
//! corpus: the unit tests' evolution table (src/avro/tests/cases.rs, included below), the
//! adversarial cases of issue 10 and a grid of primitive type changes, each at all seven levels.
//!
//! Live: needs `mvn`, `javac` and `java`; scripts/live/avro-java.sh fetches the pinned jars into
//! a cache outside the work tree. Required when KBUNDLE_REQUIRE_LIVE=1, skipped otherwise.
//! kbundle's side is `kbundle::avro::registry_verdict` (doc-hidden, made for this test).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

// The evolution table shared with the unit tests; these helpers are the ones it expects from
// its parent (src/avro/tests/mod.rs has the same).
#[allow(dead_code)]
struct Case {
    name: &'static str,
    old: Vec<String>,
    new: String,
    expect: &'static str,
    deviation: Option<&'static str>,
}

fn order(fields: &str) -> String {
    format!(r#"{{"type":"record","name":"Order","namespace":"x","fields":[{fields}]}}"#)
}

fn fields_case(name: &'static str, old: &[&str], new: &str, expect: &'static str) -> Case {
    raw_case(name, &[], &order(new), expect).with_old(old.iter().map(|f| order(f)).collect())
}

fn raw_case(name: &'static str, old: &[&str], new: &str, expect: &'static str) -> Case {
    Case {
        name,
        old: old.iter().map(|s| s.to_string()).collect(),
        new: new.to_string(),
        expect,
        deviation: None,
    }
}

impl Case {
    fn with_old(mut self, old: Vec<String>) -> Case {
        self.old = old;
        self
    }
}

#[allow(dead_code)]
#[path = "../src/avro/tests/cases.rs"]
mod cases;

const LEVELS: [&str; 7] = [
    "NONE",
    "BACKWARD",
    "BACKWARD_TRANSITIVE",
    "FORWARD",
    "FORWARD_TRANSITIVE",
    "FULL",
    "FULL_TRANSITIVE",
];

fn live_required() -> bool {
    std::env::var("KBUNDLE_REQUIRE_LIVE").as_deref() == Ok("1")
}

/// Fails under KBUNDLE_REQUIRE_LIVE=1, otherwise prints why the test is skipped.
fn unavailable(reason: String) -> Option<(PathBuf, String)> {
    assert!(!live_required(), "{reason} (KBUNDLE_REQUIRE_LIVE=1)");
    eprintln!("SKIPPED: {reason} (set KBUNDLE_REQUIRE_LIVE=1 to fail instead)");
    None
}

/// The compiled checker's directory and the class path to run it with.
fn java_checker(work: &Path) -> Option<(PathBuf, String)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let fetched = Command::new("bash")
        .arg(root.join("scripts/live/avro-java.sh"))
        .stderr(Stdio::inherit())
        .output();
    let lib = match fetched {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout)
            .lines()
            .last()
            .unwrap_or_default()
            .to_string(),
        Ok(out) => return unavailable(format!("scripts/live/avro-java.sh failed: {}", out.status)),
        Err(e) => return unavailable(format!("cannot run bash: {e}")),
    };
    let mut jars: Vec<String> = match std::fs::read_dir(&lib) {
        Ok(dir) => dir
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "jar"))
            .map(|p| p.display().to_string())
            .collect(),
        Err(e) => return unavailable(format!("{lib}: {e}")),
    };
    jars.sort();
    let classes = work.join("classes");
    let compiled = Command::new("javac")
        .args(["-nowarn", "-cp", &jars.join(":"), "-d"])
        .arg(&classes)
        .arg(root.join("tests/avro_java/Checker.java"))
        .status();
    match compiled {
        Ok(s) if s.success() => {}
        Ok(s) => return unavailable(format!("javac failed: {s}")),
        Err(e) => return unavailable(format!("javac is not available: {e}")),
    }
    let classpath = format!("{}:{}", classes.display(), jars.join(":"));
    Some((classes, classpath))
}

/// Java's verdict for each (writer, reader) pair, in order.
fn java_verdicts(classpath: &str, pairs: &[(String, String)]) -> Vec<String> {
    let input: Vec<serde_json::Value> = pairs
        .iter()
        .enumerate()
        .map(|(i, (w, r))| serde_json::json!({"id": i.to_string(), "writer": w, "reader": r}))
        .collect();
    let mut child = Command::new("java")
        .args(["-cp", classpath, "Checker"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("java runs");
    let text = serde_json::to_string(&input).expect("serializable");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(text.as_bytes())
        .expect("write to java");
    let out = child.wait_with_output().expect("java finishes");
    assert!(out.status.success(), "Checker failed: {}", out.status);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let verdicts: Vec<String> = stdout
        .lines()
        .filter_map(|l| l.split_once('\t').map(|(_, v)| v.to_string()))
        .collect();
    assert_eq!(verdicts.len(), pairs.len(), "one verdict per pair");
    verdicts
}

fn record(name: &str, fields: &str) -> String {
    format!(r#"{{"type":"record","name":"{name}","fields":[{fields}]}}"#)
}

/// Issue 10's cases (items 16-20) and neighbours: (name, old, new).
fn adversarial() -> Vec<(String, Vec<String>, String)> {
    let hijack = record(
        "R",
        r#"{"name":"a","type":{"type":"record","name":"New","aliases":["Old"],"fields":[{"name":"x","type":"int"}]}},{"name":"b","type":{"type":"record","name":"Old","fields":[{"name":"y","type":"string"}]}},{"name":"c","type":"Old"}"#,
    );
    let dec = |p: u32, s: u32| {
        record(
            "P",
            &format!(
                r#"{{"name":"amount","type":{{"type":"bytes","logicalType":"decimal","precision":{p},"scale":{s}}}}}"#
            ),
        )
    };
    let dec_fixed = record(
        "P",
        r#"{"name":"amount","type":{"type":"fixed","name":"D","size":8,"logicalType":"decimal","precision":10,"scale":2}}"#,
    );
    let field = |extra: &str| record("R", &format!(r#"{{"name":"a","type":"int"{extra}}}"#));
    let branch = |n: &str| {
        record(
            "R",
            &format!(
                r#"{{"name":"p","type":["null",{}],"default":null}}"#,
                record(n, "")
            ),
        )
    };
    let enum_in_array = |symbols: &str| {
        record(
            "R",
            &format!(
                r#"{{"name":"s","type":{{"type":"array","items":{{"type":"enum","name":"S","symbols":[{symbols}]}}}}}}"#
            ),
        )
    };
    let top_array = |fields: &str| format!(r#"{{"type":"array","items":{}}}"#, record("I", fields));
    let cases: Vec<(&str, String, String)> = vec![
        (
            "alias_hijack",
            hijack.replace(r#","aliases":["Old"]"#, ""),
            hijack.clone(),
        ),
        (
            "alias_hijack_reverse",
            hijack.clone(),
            hijack.replace(r#","aliases":["Old"]"#, ""),
        ),
        ("decimal_precision", dec(10, 2), dec(12, 2)),
        ("decimal_scale", dec(10, 2), dec(10, 3)),
        ("decimal_both", dec(10, 2), dec(8, 4)),
        ("decimal_bytes_to_fixed", dec(10, 2), dec_fixed.clone()),
        ("decimal_fixed_to_bytes", dec_fixed, dec(10, 2)),
        (
            "field_alias_own_name",
            field(""),
            field(r#","aliases":["a"]"#),
        ),
        (
            "field_alias_twice",
            record("R", r#"{"name":"b","type":"int"}"#),
            field(r#","aliases":["b","b"]"#),
        ),
        ("order_sideways", field(""), field(r#","order":"sideways""#)),
        (
            "order_descending",
            field(""),
            field(r#","order":"descending""#),
        ),
        (
            "field_aliases_string",
            field(""),
            field(r#","aliases":"b""#),
        ),
        (
            "record_aliases_string",
            record("R", ""),
            r#"{"type":"record","name":"R","aliases":"Old","fields":[]}"#.to_string(),
        ),
        ("record_named_int", record("R", ""), record("int", "")),
        (
            "record_named_int_in_namespace",
            record("R", ""),
            r#"{"type":"record","name":"int","namespace":"x","fields":[]}"#.to_string(),
        ),
        (
            "error_type",
            record("R", r#"{"name":"a","type":"int"}"#),
            r#"{"type":"error","name":"R","fields":[{"name":"a","type":"int"}]}"#.to_string(),
        ),
        (
            "reference_to_alias",
            record("R", ""),
            record(
                "R",
                r#"{"name":"a","type":{"type":"record","name":"New","aliases":["Old"],"fields":[]}},{"name":"c","type":"Old"}"#,
            ),
        ),
        ("union_branch_renamed", branch("RA"), branch("RB")),
        (
            "enum_in_array_lost_symbol",
            enum_in_array(r#""A","B""#),
            enum_in_array(r#""A""#),
        ),
        (
            "top_level_array_field_added",
            top_array(""),
            top_array(r#"{"name":"x","type":"int"}"#),
        ),
        (
            "top_level_array_field_defaulted",
            top_array(""),
            top_array(r#"{"name":"x","type":"int","default":1}"#),
        ),
    ];
    let mut all: Vec<(String, Vec<String>, String)> = cases
        .into_iter()
        .map(|(n, old, new)| (n.to_string(), vec![old], new))
        .collect();
    // Item 9: 14 levels of same-short-name union branches (about 4.5 KB), a change at the bottom.
    all.push((
        "same_short_name_unions".to_string(),
        vec![same_short_names(14, "int")],
        same_short_names(14, "string"),
    ));
    all
}

/// The shape of src/avro/tests/registry.rs's `same_short_names` (and scripts/bench-avro-unions.sh).
fn same_short_names(depth: usize, leaf: &str) -> String {
    let mut union =
        format!(r#"{{"type":"record","name":"Leaf","fields":[{{"name":"v","type":"{leaf}"}}]}}"#);
    for d in (0..depth).rev() {
        let next = d + 1;
        let refs = if next == depth {
            format!(r#""a{d}.Leaf""#)
        } else {
            format!(r#"["null","a{next}.Lk","b{next}.Lk","c{next}.Lk"]"#)
        };
        union = format!(
            r#"["null",{{"type":"record","name":"Lk","namespace":"a{d}","fields":[{{"name":"n","type":{union}}}]}},{{"type":"record","name":"Lk","namespace":"b{d}","fields":[{{"name":"n","type":{refs}}}]}},{{"type":"record","name":"Lk","namespace":"c{d}","fields":[{{"name":"n","type":{refs}}}]}}]"#
        );
    }
    record("Top", &format!(r#"{{"name":"n","type":{union}}}"#))
}

/// Every primitive (and a logical type or two) changed into every other as a field's type.
fn primitive_grid() -> Vec<(String, Vec<String>, String)> {
    let types = [
        r#""null""#,
        r#""boolean""#,
        r#""int""#,
        r#""long""#,
        r#""float""#,
        r#""double""#,
        r#""bytes""#,
        r#""string""#,
        r#"["null","int"]"#,
        r#"["null","string"]"#,
        r#"{"type":"int","logicalType":"date"}"#,
    ];
    let mut out = Vec::new();
    for (i, a) in types.iter().enumerate() {
        for (j, b) in types.iter().enumerate() {
            let f = |t: &str| record("G", &format!(r#"{{"name":"v","type":{t}}}"#));
            out.push((format!("grid_{i}_{j}"), vec![f(a)], f(b)));
        }
    }
    out
}

fn corpus() -> Vec<(String, Vec<String>, String)> {
    let mut all: Vec<(String, Vec<String>, String)> = cases::cases()
        .into_iter()
        .map(|c| (c.name.to_string(), c.old, c.new))
        .collect();
    all.extend(adversarial());
    all.extend(primitive_grid());
    all
}

/// The registry's verdict at `level` from Java's pairwise answers: the latest version (or all,
/// transitively), the new schema reading old data (BACKWARD) and old readers reading new data
/// (FORWARD); a schema that does not parse is invalid whatever the level.
fn registry(level: &str, backward: &[&str], forward: &[&str], new_valid: bool) -> &'static str {
    if !new_valid || backward.contains(&"invalid") || forward.contains(&"invalid") {
        return "invalid";
    }
    let take = |v: &[&str]| -> bool {
        let checked: Vec<&&str> = if level.ends_with("TRANSITIVE") {
            v.iter().collect()
        } else {
            v.iter().rev().take(1).collect()
        };
        checked.iter().all(|v| **v == "compatible")
    };
    let ok = match level.trim_end_matches("_TRANSITIVE") {
        "NONE" => true,
        "BACKWARD" => take(backward),
        "FORWARD" => take(forward),
        _ => take(backward) && take(forward),
    };
    if ok { "compatible" } else { "incompatible" }
}

#[test]
fn compatibility_verdicts_match_javas_schema_compatibility() {
    let work = tempfile::tempdir().expect("temp dir");
    let Some((_, classpath)) = java_checker(work.path()) else {
        return;
    };
    let corpus = corpus();
    // Per case: (new, new) for validity, then (old_i → new) and (new → old_i) per version.
    let mut pairs = Vec::new();
    for (_, old, new) in &corpus {
        pairs.push((new.clone(), new.clone()));
        for o in old {
            pairs.push((o.clone(), new.clone()));
            pairs.push((new.clone(), o.clone()));
        }
    }
    let verdicts = java_verdicts(&classpath, &pairs);
    let mut at = 0;
    let mut compared = 0;
    let mut disagreements = Vec::new();
    for (name, old, new) in &corpus {
        // A schema Java parses but cannot check against itself (a field listing its own name as
        // an alias makes SchemaCompatibility throw) fails every later check in the registry;
        // kbundle refuses it up front, so both count as invalid.
        let new_valid = !matches!(verdicts[at].as_str(), "invalid" | "error");
        at += 1;
        let (mut backward, mut forward) = (Vec::new(), Vec::new());
        for _ in old {
            backward.push(verdicts[at].as_str());
            forward.push(verdicts[at + 1].as_str());
            at += 2;
        }
        let previous: Vec<&str> = old.iter().map(String::as_str).collect();
        for level in LEVELS {
            let java = registry(level, &backward, &forward, new_valid);
            let ours = kbundle::avro::registry_verdict(new, &previous, level);
            compared += 1;
            if java != ours {
                disagreements.push(format!("{name} at {level}: Java {java}, kbundle {ours}"));
            }
        }
    }
    eprintln!("{compared} verdicts compared over {} cases", corpus.len());
    assert!(compared >= 500, "the corpus shrank to {compared} verdicts");
    assert!(
        disagreements.is_empty(),
        "{} disagreements:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
}
