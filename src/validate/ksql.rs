//! ksqlDB migration rules: the folder `spec.ksql.migrations` names is readable and inside the
//! tree, holds `V<6 digits>__<description>.sql` files numbered 1..n without duplicates or gaps,
//! none empty, all small enough for the ConfigMap that carries them; and the Environment names
//! the ksqlDB server and the image that runs the migrations.
//!
//! Codes: KB100 Environment without `ksqldb` (or with an unusable url or image), KB101 file
//! name not a migration name, KB102 duplicate version, KB103 versions not 1..n (gap or not
//! starting at 1), KB104 empty migration, KB105 migration file too large, KB106 folder holds no
//! migration, KB107 warning: file that is not a migration (not shipped), KB108 migrations too
//! large together, KB109 warning: a migration names a topic of the bundle, and runs before it
//! exists on a first sync (set `runAfterTopics`). Folder problems keep their own codes (KB054 escape or absolute path, KB055
//! location unknown, KB056 missing or not a folder, KB050 unreadable, KB053 too large, KB001 not
//! UTF-8).

use super::{BundleInput, EnvInput};
use crate::diag::Code;
use crate::diag::Diagnostic;
use crate::model::bundle::Ksql;
use crate::path::FieldPath;
use crate::derive::ksql::{MAX_MIGRATIONS_BYTES, applied_size, file_name, parse_migration_name};
use crate::source::{FileProblem, LoadedFile};
use std::collections::BTreeMap;

const NAME_HINT: &str = "name migrations V<6 digits>__<description>.sql, e.g. V000001__create_orders_stream.sql; the description may hold letters, digits, `_` and `-`";

/// A name that looks meant as a migration: a `.sql` file (any case) or `V` and a digit.
fn looks_like_migration(name: &str) -> bool {
    name.to_ascii_lowercase().ends_with(".sql")
        || (name.starts_with('V') && name[1..].starts_with(|c: char| c.is_ascii_digit()))
}

fn environment(b: &BundleInput, env: &EnvInput, at: &FieldPath, out: &mut Vec<Diagnostic>) {
    let Some(k) = &env.env.spec.ksqldb else {
        out.push(
            b.at(
                Diagnostic::error(
                    Code::KsqldbConfigMissing,
                    format!(
                        "ksqlDB migrations run in a hook Job, but {} does not set spec.ksqldb (url and image)",
                        env.label()
                    ),
                )
                .with_hint("the platform's Environment names the ksqlDB server and the ksql-migrations image"),
                at,
            ),
        );
        return;
    };
    let url_ok = (k.url.starts_with("http://") || k.url.starts_with("https://"))
        && !k.url.chars().any(|c| c.is_whitespace() || c.is_control());
    if !url_ok {
        out.push(
            env.at(
                Diagnostic::error(
                    Code::KsqldbConfigMissing,
                    format!("spec.ksqldb.url {:?} is not an http(s) URL", k.url),
                )
                .with_hint("give the ksqlDB server's REST endpoint, e.g. http://ksqldb.kafka:8088"),
                &FieldPath::of("spec.ksqldb.url"),
            ),
        );
    }
    if k.image.trim().is_empty() {
        out.push(
            env.at(
                Diagnostic::error(Code::KsqldbConfigMissing, "spec.ksqldb.image is empty")
                    .with_hint(
                        "name an image holding ksql-migrations, e.g. confluentinc/ksqldb-cli",
                    ),
                &FieldPath::of("spec.ksqldb.image"),
            ),
        );
    }
}

/// `dir` is the folder as read by `load::read_relative_dir` (`None` when it was not read).
pub fn check(
    b: &BundleInput,
    env: &EnvInput,
    dir: Option<&Result<Vec<LoadedFile>, FileProblem>>,
    out: &mut Vec<Diagnostic>,
) {
    let Some(ksql) = &b.bundle.spec.ksql else {
        return;
    };
    let at = FieldPath::of("spec.ksql.migrations");
    environment(b, env, &FieldPath::of("spec.ksql"), out);
    let Some(files) = folder(b, dir, &at, out) else {
        return;
    };
    let mut versions: BTreeMap<u32, Vec<&str>> = BTreeMap::new();
    let mut total = 0usize;
    for f in files {
        let Some(version) = migration_version(b, ksql, f, &at, out) else {
            continue;
        };
        versions.entry(version).or_default().push(&f.display);
        if !ksql.run_after_topics {
            before_topics(b, f, out);
        }
        empty(b, f, &at, out);
        total += file_size(b, f, &at, out);
    }
    if versions.is_empty() {
        none(b, ksql, &at, out);
        return;
    }
    total_size(b, ksql, total, &at, out);
    versions_twice(b, &versions, &at, out);
    gap(b, &versions, &at, out);
}

/// The folder's files, or its problem (KB054, KB055, KB056, KB050, KB053, KB001).
fn folder<'a>(
    b: &BundleInput,
    dir: Option<&'a Result<Vec<LoadedFile>, FileProblem>>,
    at: &FieldPath,
    out: &mut Vec<Diagnostic>,
) -> Option<&'a [LoadedFile]> {
    match dir? {
        Err(p) => {
            let mut d = Diagnostic::error(p.code, p.message.clone());
            if let Some(h) = &p.hint {
                d = d.with_hint(h.clone());
            }
            out.push(b.at(d, at));
            None
        }
        Ok(files) => Some(files),
    }
}

/// A migration's version; a file that is not one is KB101 (meant as one) or KB107.
fn migration_version(
    b: &BundleInput,
    ksql: &Ksql,
    f: &LoadedFile,
    at: &FieldPath,
    out: &mut Vec<Diagnostic>,
) -> Option<u32> {
    let name = file_name(f);
    if let Some((version, _)) = parse_migration_name(name) {
        return Some(version);
    }
    if looks_like_migration(name) {
        out.push(
            b.at(
                Diagnostic::error(
                    Code::MigrationNameInvalid,
                    format!("{} is not named like a migration", f.display),
                )
                .with_hint(NAME_HINT),
                at,
            ),
        );
    } else {
        out.push(
            b.at(
                Diagnostic::warning(
                    Code::MigrationsStrayFile,
                    format!(
                        "{} is not a migration; it is not shipped to ksqlDB",
                        f.display
                    ),
                )
                .with_hint(format!("keep only migrations in {}", ksql.migrations)),
                at,
            ),
        );
    }
    None
}

/// KB109: a quoted topic name (`KAFKA_TOPIC='orders.created.v1'`) of this very bundle: on the
/// release that adds the topic, a PreSync Job runs before the topic exists.
fn before_topics(b: &BundleInput, f: &LoadedFile, out: &mut Vec<Diagnostic>) {
    let named: Vec<&str> = b
        .bundle
        .spec
        .topics
        .iter()
        .map(|t| t.name.as_str())
        .filter(|t| f.text.contains(&format!("'{t}'")))
        .collect();
    if named.is_empty() {
        return;
    }
    out.push(
        b.at(
            Diagnostic::warning(
                Code::MigrationBeforeTopics,
                format!(
                    "migration {} reads topic {} of this bundle, but migrations run \
                     before the sync (PreSync): on the release that adds the topic \
                     the migration fails",
                    f.display,
                    named.join(", ")
                ),
            )
            .with_hint(
                "set spec.ksql.runAfterTopics: true to run the migrations after the \
                 topics are ready",
            ),
            &FieldPath::of("spec.ksql"),
        ),
    );
}

/// KB104.
fn empty(b: &BundleInput, f: &LoadedFile, at: &FieldPath, out: &mut Vec<Diagnostic>) {
    if f.text.trim().is_empty() {
        out.push(
            b.at(
                Diagnostic::error(
                    Code::MigrationEmpty,
                    format!("migration {} is empty", f.display),
                )
                .with_hint("write the ksqlDB statements of this version, or remove the file"),
                at,
            ),
        );
    }
}

/// KB105; returns the size the file takes in the ConfigMap.
fn file_size(b: &BundleInput, f: &LoadedFile, at: &FieldPath, out: &mut Vec<Diagnostic>) -> usize {
    let size = applied_size(file_name(f)) + applied_size(&f.text);
    if size > MAX_MIGRATIONS_BYTES {
        out.push(
            b.at(
                Diagnostic::error(
                    Code::MigrationTooLarge,
                    format!(
                        "migration {} takes {} KiB in its ConfigMap, at most {} KiB are allowed",
                        f.display,
                        size.div_ceil(1024),
                        MAX_MIGRATIONS_BYTES / 1024
                    ),
                )
                .with_hint("split the migration into several versions"),
                at,
            ),
        );
    }
    size
}

/// KB106.
fn none(b: &BundleInput, ksql: &Ksql, at: &FieldPath, out: &mut Vec<Diagnostic>) {
    out.push(
        b.at(
            Diagnostic::error(
                Code::MigrationsNone,
                format!("{} holds no migration", ksql.migrations),
            )
            .with_hint("add V000001__<description>.sql, or remove spec.ksql"),
            at,
        ),
    );
}

/// KB108.
fn total_size(
    b: &BundleInput,
    ksql: &Ksql,
    total: usize,
    at: &FieldPath,
    out: &mut Vec<Diagnostic>,
) {
    if total > MAX_MIGRATIONS_BYTES {
        out.push(b.at(
            Diagnostic::error(
                Code::MigrationsTooLarge,
                format!(
                    "the migrations in {} take {} KiB in their ConfigMap, at most {} KiB are allowed",
                    ksql.migrations,
                    total.div_ceil(1024),
                    MAX_MIGRATIONS_BYTES / 1024
                ),
            )
            .with_hint("a ConfigMap applied by Argo CD holds at most 256 KiB; squash applied migrations into a new baseline in a fresh ksqlDB, or move them to another bundle"),
            at,
        ));
    }
}

/// KB102.
fn versions_twice(
    b: &BundleInput,
    versions: &BTreeMap<u32, Vec<&str>>,
    at: &FieldPath,
    out: &mut Vec<Diagnostic>,
) {
    for (version, shown) in versions {
        if shown.len() > 1 {
            out.push(
                b.at(
                    Diagnostic::error(
                        Code::MigrationVersionTwice,
                        format!(
                            "migration version {version} is used by {}",
                            shown.join(" and ")
                        ),
                    )
                    .with_hint("give every migration its own version number"),
                    at,
                ),
            );
        }
    }
}

/// KB103: versions are 1..n.
fn gap(
    b: &BundleInput,
    versions: &BTreeMap<u32, Vec<&str>>,
    at: &FieldPath,
    out: &mut Vec<Diagnostic>,
) {
    // BTreeMap keys are sorted and unique: 1..n means the i-th key is i + 1.
    if let Some((i, v)) = versions
        .keys()
        .enumerate()
        .find(|(i, v)| **v as usize != i + 1)
    {
        let message = if i == 0 {
            format!("migrations start at version {v}; the first must be version 1")
        } else {
            format!(
                "migration versions skip from {} to {v}: version {} is missing",
                i,
                i + 1
            )
        };
        out.push(b.at(
            Diagnostic::error(Code::MigrationGap, message).with_hint(
                "number migrations 1, 2, 3, … without gaps; never renumber applied ones",
            ),
            at,
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Origin;
    use serde_json::json;

    fn bundle() -> BundleInput {
        let v = json!({
            "apiVersion": "kbundle.dev/v1alpha1", "kind": "AppBundle",
            "metadata": {"name": "orders"},
            "spec": {"owner": "team-orders", "ksql": {"migrations": "ksql/"}}
        });
        BundleInput {
            bundle: crate::model::parse_app_bundle(&v).expect("bundle"),
            origin: Origin::default(),
            files: BTreeMap::new(),
            migrations: None,
            resolved: Default::default(),
        }
    }

    fn env(ksqldb: serde_json::Value) -> EnvInput {
        let mut e = crate::render::builtin_environment();
        e.spec = serde_json::from_value(json!({ "ksqldb": ksqldb })).expect("env");
        EnvInput {
            env: e,
            origin: None,
        }
    }

    fn good_env() -> EnvInput {
        env(json!({"url": "http://ksqldb:8088", "image": "confluentinc/ksqldb-cli:0.29.0"}))
    }

    fn f(name: &str, text: &str) -> LoadedFile {
        LoadedFile {
            display: format!("apps/ksql/{name}"),
            text: text.into(),
        }
    }

    fn codes(
        env: &EnvInput,
        dir: Option<&Result<Vec<LoadedFile>, FileProblem>>,
    ) -> Vec<(Code, bool)> {
        let mut out = Vec::new();
        check(&bundle(), env, dir, &mut out);
        out.iter().map(|d| (d.code, d.is_error())).collect()
    }

    #[test]
    fn a_clean_folder_passes() {
        let dir = Ok(vec![
            f(
                "V000001__init.sql",
                "CREATE STREAM a (x INT) WITH (KAFKA_TOPIC='a', VALUE_FORMAT='JSON');",
            ),
            f("V000002__more.sql", "CREATE TYPE t AS STRUCT<a INT>;"),
        ]);
        assert_eq!(codes(&good_env(), Some(&dir)), []);
    }

    #[test]
    fn each_folder_problem_has_its_code() {
        let dir = Ok(vec![
            f("README.md", "notes"),
            f("V000001__init.sql", "x;"),
            f("V000001__again.sql", "y;"),
            f("V000003__empty.sql", "  \n"),
            f("V2__short.sql", "z;"),
        ]);
        assert_eq!(
            codes(&good_env(), Some(&dir)),
            [
                (Code::MigrationsStrayFile, false),
                (Code::MigrationEmpty, true),
                (Code::MigrationNameInvalid, true),
                (Code::MigrationVersionTwice, true),
                (Code::MigrationGap, true),
            ]
        );
        let start = Ok(vec![f("V000002__two.sql", "x;")]);
        assert_eq!(
            codes(&good_env(), Some(&start)),
            [(Code::MigrationGap, true)]
        );
        let none = Ok(vec![f("notes.txt", "x")]);
        assert_eq!(
            codes(&good_env(), Some(&none)),
            [
                (Code::MigrationsStrayFile, false),
                (Code::MigrationsNone, true)
            ]
        );
        let empty = Ok(vec![]);
        assert_eq!(
            codes(&good_env(), Some(&empty)),
            [(Code::MigrationsNone, true)]
        );
    }

    #[test]
    fn sizes_are_limited_per_file_and_together() {
        let big = "a".repeat(MAX_MIGRATIONS_BYTES + 1);
        let dir = Ok(vec![f("V000001__big.sql", &big)]);
        assert_eq!(
            codes(&good_env(), Some(&dir)),
            [
                (Code::MigrationTooLarge, true),
                (Code::MigrationsTooLarge, true)
            ]
        );
        let half = "a".repeat(MAX_MIGRATIONS_BYTES / 2);
        let dir = Ok(vec![f("V000001__a.sql", &half), f("V000002__b.sql", &half)]);
        assert_eq!(
            codes(&good_env(), Some(&dir)),
            [(Code::MigrationsTooLarge, true)]
        );
    }

    #[test]
    fn folder_problems_keep_their_code() {
        let p = Err(FileProblem {
            code: Code::FileEscape,
            message: "\"../x\" leads outside".into(),
            hint: None,
        });
        let mut out = Vec::new();
        check(&bundle(), &good_env(), Some(&p), &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].code, Code::FileEscape);
        assert_eq!(out[0].field.as_deref(), Some("spec.ksql.migrations"));
    }

    #[test]
    fn environment_must_name_ksqldb() {
        let mut none = good_env();
        none.env.spec.ksqldb = None;
        let dir = Ok(vec![f("V000001__init.sql", "x;")]);
        assert_eq!(
            codes(&none, Some(&dir)),
            [(Code::KsqldbConfigMissing, true)]
        );
        let bad = env(json!({"url": "ksqldb:8088", "image": " "}));
        assert_eq!(
            codes(&bad, Some(&dir)),
            [
                (Code::KsqldbConfigMissing, true),
                (Code::KsqldbConfigMissing, true)
            ]
        );
    }
}
