//! What the live tests (real kustomize, Kafka, Kafka Connect) need from the machine, and the
//! skip-or-fail rule: with `KBUNDLE_REQUIRE_LIVE=1` (set by `.ci/run`) a missing tool or
//! download fails the test; otherwise the test prints `SKIPPED: <reason>` and passes.

use std::path::{Path, PathBuf};

/// `true` when live tests must run (`KBUNDLE_REQUIRE_LIVE=1`).
pub fn required() -> bool {
    std::env::var("KBUNDLE_REQUIRE_LIVE").as_deref() == Ok("1")
}

/// Fails (KBUNDLE_REQUIRE_LIVE=1) or prints why the test is skipped; returns `None` to skip.
#[track_caller]
pub fn unavailable<T>(reason: &str) -> Option<T> {
    if required() {
        panic!("{reason} (KBUNDLE_REQUIRE_LIVE=1: live tests may not skip)");
    }
    eprintln!("SKIPPED: {reason} (set KBUNDLE_REQUIRE_LIVE=1 to fail instead)");
    None
}

/// `${XDG_CACHE_HOME:-$HOME/.cache}/kbundle`, where scripts/live/*.sh put their downloads.
pub fn cache_dir() -> PathBuf {
    match std::env::var_os("XDG_CACHE_HOME").filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir).join("kbundle"),
        None => PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/kbundle"),
    }
}

/// `NAME=value` from a script or `<name>value</name>` from the pom: the pins live in one place.
fn pin(file: &str, start: &str, end: &str) -> String {
    let text = std::fs::read_to_string(super::root().join(file)).unwrap();
    let line = text
        .lines()
        .find_map(|l| l.trim().strip_prefix(start))
        .unwrap_or_else(|| panic!("{file} has no {start}"));
    line.split(end).next().unwrap().to_string()
}

/// The pinned kustomize version (scripts/live/install-kustomize.sh).
pub fn kustomize_version() -> String {
    pin(
        "scripts/live/install-kustomize.sh",
        "KUSTOMIZE_VERSION=",
        "\n",
    )
}

/// The pinned Kafka version (tests/live/pom.xml).
pub fn kafka_version() -> String {
    pin("tests/live/pom.xml", "<kafka.version>", "<")
}

fn executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// Standalone kustomize: `$KBUNDLE_KUSTOMIZE_BIN`, else the one scripts/live/install-kustomize.sh
/// built into the cache.
pub fn kustomize() -> Option<PathBuf> {
    let version = kustomize_version();
    let bin = match std::env::var_os("KBUNDLE_KUSTOMIZE_BIN") {
        Some(p) => PathBuf::from(p),
        None => cache_dir().join(format!("kustomize-{version}/kustomize")),
    };
    if !executable(&bin) {
        return unavailable(&format!(
            "standalone kustomize {version} not found at {} (run scripts/live/install-kustomize.sh \
             or set KBUNDLE_KUSTOMIZE_BIN)",
            bin.display()
        ));
    }
    Some(bin)
}

/// A program on PATH (or under `$JAVA_HOME/bin` for java and javac).
pub fn tool(name: &str) -> Option<PathBuf> {
    if let Some(home) = std::env::var_os("JAVA_HOME").filter(|_| name.starts_with("java")) {
        let p = PathBuf::from(home).join("bin").join(name);
        if executable(&p) {
            return Some(p);
        }
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| executable(p))
        .or_else(|| unavailable(&format!("`{name}` is not on PATH")))
}

/// The jars of the pinned Kafka release: `$KBUNDLE_KAFKA_LIB`, else what
/// scripts/live/install-kafka.sh copied into the cache.
pub fn kafka_lib() -> Option<PathBuf> {
    let version = kafka_version();
    let lib = match std::env::var_os("KBUNDLE_KAFKA_LIB") {
        Some(p) => PathBuf::from(p),
        None => cache_dir().join(format!("kafka-{version}/lib")),
    };
    if !lib.join(format!("kafka_2.13-{version}.jar")).is_file() {
        return unavailable(&format!(
            "Apache Kafka {version} jars not found in {} (run scripts/live/install-kafka.sh or set \
             KBUNDLE_KAFKA_LIB)",
            lib.display()
        ));
    }
    Some(lib)
}
