//! The pinned live-test tools (promtool, amtool, amconvert) that `scripts/live/alert-tools.sh`
//! builds into `${XDG_CACHE_HOME:-$HOME/.cache}/kbundle/go/bin` (or `$KBUNDLE_LIVE_BIN`).
//! Missing tools skip the test with a printed reason, unless `KBUNDLE_REQUIRE_LIVE=1` (set by
//! `.ci/run`), where they fail it.
#![allow(dead_code)]

use std::path::PathBuf;

/// Where the script puts the tools.
pub fn bin_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("KBUNDLE_LIVE_BIN") {
        return PathBuf::from(dir);
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(|| PathBuf::from("/nonexistent"));
    cache.join("kbundle/go/bin")
}

pub fn require_live() -> bool {
    std::env::var("KBUNDLE_REQUIRE_LIVE").as_deref() == Ok("1")
}

/// The tools, all or none: `None` (after printing why) when one is missing and live tests are
/// not required.
pub fn tools<const N: usize>(names: [&str; N]) -> Option<[PathBuf; N]> {
    let dir = bin_dir();
    let paths = names.map(|n| dir.join(n));
    let missing: Vec<String> = paths
        .iter()
        .filter(|p| !p.is_file())
        .map(|p| p.display().to_string())
        .collect();
    if missing.is_empty() {
        return Some(paths);
    }
    let why = format!(
        "{} not built; run `bash scripts/live/alert-tools.sh` (needs Go and the Go module proxy)",
        missing.join(", ")
    );
    if require_live() {
        panic!("KBUNDLE_REQUIRE_LIVE=1 and {why}");
    }
    eprintln!("SKIPPED: {why}");
    None
}
