//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod crds;

use std::path::PathBuf;

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared/vendor`, when present. With `KBUNDLE_REQUIRE_VENDOR=1` (set by `.ci/run`) a
/// missing vendor directory fails the test instead of skipping it.
pub fn vendor() -> Option<PathBuf> {
    let dir = root().join("../shared/vendor");
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("KBUNDLE_REQUIRE_VENDOR").as_deref() == Ok("1") {
        panic!("{} is missing and KBUNDLE_REQUIRE_VENDOR=1", dir.display());
    }
    eprintln!(
        "SKIPPED: {} not found (set KBUNDLE_REQUIRE_VENDOR=1 to fail instead)",
        dir.display()
    );
    None
}

/// The built kbundle binary.
pub fn kbundle_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_kbundle"))
}
