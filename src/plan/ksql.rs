//! ksqlDB migrations: the folder's `V<6 digits>__<description>.sql` files, shipped in a
//! ConfigMap, and the hook Job that runs the `ksql-migrations` tool against the Environment's
//! ksqlDB server: create the migrations metadata stream and table when missing, then apply every
//! pending migration. A failing migration fails the Job, and so the sync.
//!
//! By default the Job is a PreSync hook (DESIGN §2): a bad migration stops the release before
//! anything else of it is applied. It runs in wave 0, after the schema hooks (wave -1), so
//! streams declared with `VALUE_FORMAT='AVRO'` find their subjects registered; its ConfigMap is
//! in wave -1. PreSync runs before the sync creates this release's topics, so a migration that
//! reads a topic the same release adds would fail on that first sync: `spec.ksql.runAfterTopics`
//! makes the Job a Sync hook in wave 1 instead (ConfigMap in wave 0), which Argo CD starts once
//! the topics and users of wave 0 are healthy (its KafkaTopic health check waits for Strimzi's
//! Ready condition), still before the connectors (wave 2). Validation warns (KB109) when a
//! migration names one of the bundle's topics without it.

use super::hooks::{
    DEFAULT_BACKOFF_LIMIT, DEFAULT_DEADLINE_SECONDS, EnvValue, HookFiles, HookJob, Phase,
};
use crate::model::environment::EnvironmentSpec;
use crate::source::LoadedFile;
use crate::validate::BundleInput;
use std::collections::BTreeMap;
use crate::derive::ksql::{parse_migration_name, file_name};

/// Sync wave of the migrations Job as a PreSync hook: after schema registration (-1).
pub const KSQL_WAVE: i32 = 0;
/// Sync wave of the migrations Job as a Sync hook (`runAfterTopics`): after topics and users
/// (wave 0), before connectors (wave 2).
pub const KSQL_AFTER_TOPICS_WAVE: i32 = 1;

/// Where the migrations ConfigMap is mounted in the Job.
pub const MOUNT_PATH: &str = "/kbundle/migrations";

/// The migration script. It is fixed text: the server URL and credentials arrive as environment
/// variables (credentials from a Secret, written to a private file under /tmp at run time, never
/// into a manifest) and the migrations as mounted files, so nothing from a bundle is ever spliced
/// into shell code.
///
/// - ksql-migrations lists every name in its migrations folder and refuses any that is not a
///   migration, and a ConfigMap volume also holds `..data` links: the migrations are copied into
///   a project folder under /tmp, beside the generated `ksql-migrations.properties` (the tool
///   looks for `migrations/` next to its config file).
/// - `initialize-metadata` is not idempotent (it issues plain `CREATE STREAM`/`CREATE TABLE`), so
///   it runs only when `info` reports the metadata stream or table missing; any other `info`
///   failure (server unreachable, bad credentials) fails the Job.
/// - `apply --all` applies the pending migrations in version order and exits non-zero when one
///   fails, or when an applied migration's file has changed since (checksum mismatch).
pub const MIGRATE_SCRIPT: &str = r#"set -eu
project=/tmp/kbundle-ksql
config="$project/ksql-migrations.properties"
mkdir -p "$project/migrations"
cp /kbundle/migrations/V*.sql "$project/migrations/"
prop() {
  case "$2" in
    *'
'*) echo "kbundle: the value for $1 holds a line break" >&2; exit 1 ;;
  esac
  printf '%s=' "$1"
  printf '%s\n' "$2" | sed 's/\\/\\\\/g'
}
umask 077
{
  prop ksql.server.url "$KSQL_URL"
  if [ -n "${KSQL_USERNAME:-}" ]; then
    prop ksql.auth.basic.username "$KSQL_USERNAME"
    prop ksql.auth.basic.password "$KSQL_PASSWORD"
  fi
} > "$config"
if ksql-migrations --config-file "$config" info > /tmp/info.log 2>&1; then
  echo "kbundle: migrations metadata found on $KSQL_URL"
elif grep -q 'Failed to verify existence of migrations metadata' /tmp/info.log; then
  echo "kbundle: creating the migrations metadata stream and table on $KSQL_URL"
  ksql-migrations --config-file "$config" initialize-metadata
else
  cat /tmp/info.log >&2
  echo "kbundle: cannot read the migrations state from $KSQL_URL" >&2
  exit 1
fi
ksql-migrations --config-file "$config" apply --all
ksql-migrations --config-file "$config" info
"#;

/// The line of [`MIGRATE_SCRIPT`] after which the per-bundle metadata names are written.
const SERVER_URL_LINE: &str = "  prop ksql.server.url \"$KSQL_URL\"\n";

/// [`MIGRATE_SCRIPT`] for `ksqldb.perBundleMetadata`: it also names the bundle's own
/// migrations metadata stream and table (from environment variables, like every other value).
pub fn migrate_script_per_bundle() -> String {
    MIGRATE_SCRIPT.replacen(
        SERVER_URL_LINE,
        &format!(
            "{SERVER_URL_LINE}  prop ksql.migrations.stream.name \"$KSQL_MIGRATIONS_STREAM\"\n  prop ksql.migrations.table.name \"$KSQL_MIGRATIONS_TABLE\"\n"
        ),
        1,
    )
}

/// The ksqlDB identifier prefix of a bundle's own metadata stream and table: its name
/// upper-cased, `-` as `_` (bundle names are DNS labels, so two bundles never share it).
pub fn metadata_prefix(bundle: &str) -> String {
    bundle.to_ascii_uppercase().replace('-', "_")
}

/// The hook applying `files` (the folder as read; files that are not migrations are
/// left out). Validation has made sure the Environment names a ksqlDB server and image.
pub fn migration_job(b: &BundleInput, env: &EnvironmentSpec, files: &[LoadedFile]) -> HookJob {
    let ksqldb = env.ksqldb.as_ref();
    let mut vars = BTreeMap::from([
        (
            "KSQL_URL".to_string(),
            EnvValue::Literal(ksqldb.map(|k| k.url.clone()).unwrap_or_default()),
        ),
        // ksql-run-class writes its logs under LOG_DIR; the root filesystem is read-only.
        ("LOG_DIR".to_string(), EnvValue::Literal("/tmp/logs".into())),
    ]);
    // The bundle's own ksqlDB user when it names one, so that the server can tell bundles
    // apart; the Environment's shared credentials otherwise.
    let own = b
        .bundle
        .spec
        .ksql
        .as_ref()
        .and_then(|k| k.credentials_secret.as_ref());
    if let Some(secret) = own.or(ksqldb.and_then(|k| k.credentials_secret.as_ref())) {
        super::hooks::insert_basic_auth(&mut vars, secret, "KSQL_USERNAME", "KSQL_PASSWORD");
    }
    let mut script = MIGRATE_SCRIPT.to_string();
    if ksqldb.is_some_and(|k| k.per_bundle_metadata) {
        let prefix = metadata_prefix(&b.bundle.metadata.name);
        for (var, name) in [
            ("KSQL_MIGRATIONS_STREAM", "MIGRATION_EVENTS"),
            ("KSQL_MIGRATIONS_TABLE", "MIGRATION_SCHEMA_VERSIONS"),
        ] {
            vars.insert(var.into(), EnvValue::Literal(format!("{prefix}_{name}")));
        }
        script = migrate_script_per_bundle();
    }
    let migrations: BTreeMap<String, String> = files
        .iter()
        .filter(|f| parse_migration_name(file_name(f)).is_some())
        .map(|f| (file_name(f).to_string(), f.text.clone()))
        .collect();
    let spec = &b.bundle.spec;
    let (phase, wave) = if spec.ksql.as_ref().is_some_and(|k| k.run_after_topics) {
        (Phase::Sync, KSQL_AFTER_TOPICS_WAVE)
    } else {
        (Phase::PreSync, KSQL_WAVE)
    };
    let namespace = env
        .namespace
        .clone()
        .or_else(|| b.bundle.metadata.namespace.clone());
    HookJob {
        bundle: b.bundle.metadata.name.clone(),
        owner: spec.owner.clone(),
        namespace,
        purpose: "ksql-migrations".into(),
        phase,
        wave,
        image: ksqldb.map(|k| k.image.clone()).unwrap_or_default(),
        command: vec!["/bin/sh".into(), "-c".into(), script],
        args: vec![],
        env: vars,
        files: Some(HookFiles {
            purpose: "ksql-migrations".into(),
            mount_path: MOUNT_PATH.into(),
            files: migrations,
        }),
        service_account: env.hooks.as_ref().and_then(|h| h.service_account.clone()),
        deadline_seconds: DEFAULT_DEADLINE_SECONDS,
        backoff_limit: DEFAULT_BACKOFF_LIMIT,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::shared::jobs::hook_objects;
    use crate::source::Origin;
    use serde_json::{Value, json};

    pub(crate) fn bundle(v: Value) -> BundleInput {
        BundleInput {
            bundle: crate::model::parse_app_bundle(&v).expect("bundle"),
            origin: Origin::default(),
            files: BTreeMap::new(),
            migrations: None,
            resolved: Default::default(),
        }
    }

    fn env() -> EnvironmentSpec {
        serde_json::from_value(json!({
            "target": "strimzi",
            "namespace": "kafka",
            "ksqldb": {"url": "http://ksqldb.kafka:8088", "image": "confluentinc/ksqldb-cli:0.29.0",
                       "credentialsSecret": "ksql-auth"},
            "hooks": {"image": "curlimages/curl:8.11.0", "serviceAccount": "kbundle-hooks"}
        }))
        .expect("env")
    }

    fn orders() -> BundleInput {
        bundle(json!({
            "apiVersion": "kbundle.dev/v1alpha1", "kind": "AppBundle",
            "metadata": {"name": "orders"},
            "spec": {"owner": "team-orders", "ksql": {"migrations": "ksql/"}}
        }))
    }

    fn file(name: &str, text: &str) -> LoadedFile {
        LoadedFile {
            display: format!("apps/orders/ksql/{name}"),
            text: text.into(),
        }
    }

    #[test]
    fn migration_names() {
        assert_eq!(
            parse_migration_name("V000001__Initial_setup.sql"),
            Some((1, "Initial_setup"))
        );
        assert_eq!(
            parse_migration_name("V000120__add-col.sql"),
            Some((120, "add-col"))
        );
        for bad in [
            "V000000__zero.sql",
            "V1__short.sql",
            "V0000001__seven.sql",
            "v000001__lower.sql",
            "V000001_one_underscore.sql",
            "V000001__.sql",
            "V000001__a.b.sql",
            "V000001__a b.sql",
            "V000001__x.SQL",
            "V000001__x.sql.bak",
            "README.md",
            "V00000a__x.sql",
            "V",
        ] {
            assert_eq!(parse_migration_name(bad), None, "{bad}");
        }
    }

    #[test]
    fn job_runs_ksql_migrations_with_secret_credentials() {
        let files = [
            file(
                "V000001__init.sql",
                "CREATE STREAM a (id INT) WITH (KAFKA_TOPIC='a', VALUE_FORMAT='JSON');",
            ),
            file("README.md", "notes"),
        ];
        let job = migration_job(&orders(), &env(), &files);
        assert_eq!(job.phase, Phase::PreSync);
        assert_eq!(job.wave, KSQL_WAVE);
        assert_eq!(job.image, "confluentinc/ksqldb-cli:0.29.0");
        assert_eq!(job.namespace.as_deref(), Some("kafka"));
        assert_eq!(job.service_account.as_deref(), Some("kbundle-hooks"));
        let f = job.files.as_ref().expect("files");
        assert_eq!(f.files.keys().collect::<Vec<_>>(), ["V000001__init.sql"]);
        assert_eq!(f.mount_path, MOUNT_PATH);
        assert_eq!(
            job.env.get("KSQL_PASSWORD"),
            Some(&EnvValue::Secret {
                name: "ksql-auth".into(),
                key: "password".into(),
                optional: false
            })
        );
        // The script is the same text whatever the bundle says.
        assert_eq!(job.command[2], MIGRATE_SCRIPT);
        assert!(!MIGRATE_SCRIPT.contains("orders"));
        let objs = hook_objects(&job);
        assert_eq!(objs.len(), 2);
        assert_eq!(objs[0]["kind"], "ConfigMap");
        assert_eq!(
            objs[0]["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"],
            "-1"
        );
        for o in &objs {
            assert_eq!(
                o["metadata"]["annotations"]["argocd.argoproj.io/hook"],
                "PreSync"
            );
        }
        // After the topics, when the bundle asks.
        let mut late = orders();
        if let Some(k) = late.bundle.spec.ksql.as_mut() {
            k.run_after_topics = true;
        }
        let job = migration_job(&late, &env(), &files);
        assert_eq!((job.phase, job.wave), (Phase::Sync, KSQL_AFTER_TOPICS_WAVE));
        let objs = hook_objects(&job);
        let ann = |i: usize, k: &str| {
            objs[i]["metadata"]["annotations"][k]
                .as_str()
                .unwrap_or("")
                .to_string()
        };
        assert_eq!(ann(0, "argocd.argoproj.io/hook"), "Sync");
        assert_eq!(ann(0, "argocd.argoproj.io/sync-wave"), "0");
        assert_eq!(ann(1, "argocd.argoproj.io/sync-wave"), "1");
        let text = serde_json::to_string(&objs).unwrap_or_default();
        assert!(
            !text.contains("ksql.auth.basic.password="),
            "no credential in a manifest"
        );
    }

    #[test]
    fn the_bundles_own_credentials_come_first() {
        let mut own = orders();
        if let Some(k) = own.bundle.spec.ksql.as_mut() {
            k.credentials_secret = Some("orders-ksql".into());
        }
        let files = [file("V000001__init.sql", "CREATE TYPE t AS STRUCT<a INT>;")];
        let job = migration_job(&own, &env(), &files);
        assert_eq!(
            job.env.get("KSQL_USERNAME"),
            Some(&EnvValue::Secret {
                name: "orders-ksql".into(),
                key: "username".into(),
                optional: false
            })
        );
        let shared = migration_job(&orders(), &env(), &files);
        assert!(matches!(
            shared.env.get("KSQL_USERNAME"),
            Some(EnvValue::Secret { name, .. }) if name == "ksql-auth"
        ));
    }

    #[test]
    fn per_bundle_metadata_names_the_bundles_own_stream_and_table() {
        let script = migrate_script_per_bundle();
        assert_ne!(script, MIGRATE_SCRIPT, "the anchor line is in the script");
        assert!(script.contains("prop ksql.migrations.stream.name \"$KSQL_MIGRATIONS_STREAM\""));
        let mut env = env();
        if let Some(k) = env.ksqldb.as_mut() {
            k.per_bundle_metadata = true;
        }
        let mut b = orders();
        b.bundle.metadata.name = "order-totals".into();
        let job = migration_job(
            &b,
            &env,
            &[file("V000001__init.sql", "CREATE TYPE t AS STRUCT<a INT>;")],
        );
        assert_eq!(job.command[2], script);
        assert_eq!(
            job.env.get("KSQL_MIGRATIONS_STREAM"),
            Some(&EnvValue::Literal("ORDER_TOTALS_MIGRATION_EVENTS".into()))
        );
        assert_eq!(
            job.env.get("KSQL_MIGRATIONS_TABLE"),
            Some(&EnvValue::Literal(
                "ORDER_TOTALS_MIGRATION_SCHEMA_VERSIONS".into()
            ))
        );
        // The shell accepts the script.
        let ok = std::process::Command::new("sh")
            .args(["-n", "-c", &script])
            .status();
        assert!(ok.map(|s| s.success()).unwrap_or(true));
    }

    #[test]
    fn changed_migration_changes_the_job_name() {
        let a = hook_objects(&migration_job(
            &orders(),
            &env(),
            &[file("V000001__init.sql", "CREATE TYPE t AS STRUCT<a INT>;")],
        ));
        let b = hook_objects(&migration_job(
            &orders(),
            &env(),
            &[file(
                "V000001__init.sql",
                "CREATE TYPE t AS STRUCT<a BIGINT>;",
            )],
        ));
        let c = hook_objects(&migration_job(
            &orders(),
            &env(),
            &[
                file("V000001__init.sql", "CREATE TYPE t AS STRUCT<a INT>;"),
                file("V000002__more.sql", "CREATE TYPE u AS STRUCT<b INT>;"),
            ],
        ));
        let name = |objs: &[Value]| {
            objs[1]["metadata"]["name"]
                .as_str()
                .unwrap_or("")
                .to_string()
        };
        assert_ne!(name(&a), name(&b));
        assert_ne!(name(&a), name(&c));
        assert!(
            name(&a).starts_with("orders-ksql-migrations-"),
            "{}",
            name(&a)
        );
        assert_eq!(
            a,
            hook_objects(&migration_job(
                &orders(),
                &env(),
                &[file("V000001__init.sql", "CREATE TYPE t AS STRUCT<a INT>;")],
            ))
        );
    }
}
