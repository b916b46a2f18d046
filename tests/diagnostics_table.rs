//! docs/reference/diagnostics.md's table is generated from the code registry (`kbundle explain
//! --markdown`): this fails when they differ. `UPDATE_DOCS=1 cargo test --test
//! diagnostics_table` rewrites the table between its markers.

use std::process::Command;

const BEGIN: &str = "<!-- BEGIN GENERATED: diagnostics -->\n";
const END: &str = "<!-- END GENERATED: diagnostics -->";

#[test]
fn diagnostics_table_matches_the_registry() {
    let out = Command::new(env!("CARGO_BIN_EXE_kbundle"))
        .args(["explain", "--markdown"])
        .output()
        .expect("run kbundle explain");
    assert!(out.status.success());
    let table = String::from_utf8(out.stdout).expect("utf8");
    assert!(table.contains("| KB023 | error |"), "{table}");
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/reference/diagnostics.md");
    let doc = std::fs::read_to_string(&path).expect("read diagnostics.md");
    let start = doc.find(BEGIN).expect("BEGIN marker") + BEGIN.len();
    let end = doc.find(END).expect("END marker");
    if std::env::var_os("UPDATE_DOCS").is_some() {
        let new = format!("{}{table}{}", &doc[..start], &doc[end..]);
        std::fs::write(&path, new).expect("write diagnostics.md");
        return;
    }
    assert_eq!(
        &doc[start..end],
        table,
        "docs/reference/diagnostics.md is out of date: run UPDATE_DOCS=1 cargo test --test diagnostics_table"
    );
}
