//! Schema registration as an Argo CD hook: reads a [`SubjectPlan`], emits the PreSync Job that
//! checks compatibility against the live registry and registers the schema (Confluent Schema
//! Registry REST API). Used by backends whose operator does not register schemas itself.

use crate::model::environment::EnvironmentSpec;
use crate::plan::hooks::{self, EnvValue, HookFiles, HookJob, Phase};
use crate::plan::schemas::SubjectPlan;
use crate::derive::schemas::compatibility_name;
use serde_json::json;
use std::collections::BTreeMap;

/// Sync wave of schema hooks: after nothing, before everything (PreSync runs before the sync).
pub const SCHEMA_WAVE: i32 = -1;

/// The registration script. It is fixed text: the subject, the registry URL and credentials
/// arrive as environment variables and the schema as mounted files, so nothing from a bundle is
/// ever spliced into shell code. Steps: set the subject's compatibility level; stop if this exact
/// schema is already registered (idempotent); ask the registry whether the schema is compatible
/// and fail the sync with its message if not; register.
pub const REGISTER_SCRIPT: &str = r#"set -eu
base="${SR_URL%/}"
files=/kbundle
call() {
  if [ -n "${SR_USERNAME:-}" ]; then
    curl -sS -o /tmp/response -w '%{http_code}' -X "$1" \
      -H 'Content-Type: application/vnd.schemaregistry.v1+json' \
      -u "$SR_USERNAME:$SR_PASSWORD" --data-binary "@$3" "$2"
  else
    curl -sS -o /tmp/response -w '%{http_code}' -X "$1" \
      -H 'Content-Type: application/vnd.schemaregistry.v1+json' \
      --data-binary "@$3" "$2"
  fi
}
code=$(call PUT "$base/config/$SUBJECT" "$files/compatibility.json")
case "$code" in
  2*) ;;
  *) echo "kbundle: setting compatibility of $SUBJECT failed (HTTP $code): $(cat /tmp/response)" >&2; exit 1 ;;
esac
code=$(call POST "$base/subjects/$SUBJECT" "$files/schema.json")
if [ "$code" = 200 ]; then
  echo "kbundle: $SUBJECT already has this schema: $(cat /tmp/response)"
  exit 0
fi
code=$(call POST "$base/compatibility/subjects/$SUBJECT/versions/latest?verbose=true" "$files/schema.json")
case "$code" in
  200)
    if ! grep -Eq '"is_compatible" *: *true' /tmp/response; then
      echo "kbundle: the new schema of $SUBJECT is not compatible: $(cat /tmp/response)" >&2
      exit 1
    fi ;;
  404) echo "kbundle: $SUBJECT is new" ;;
  *) echo "kbundle: compatibility check of $SUBJECT failed (HTTP $code): $(cat /tmp/response)" >&2; exit 1 ;;
esac
code=$(call POST "$base/subjects/$SUBJECT/versions" "$files/schema.json")
case "$code" in
  2*) echo "kbundle: registered $SUBJECT: $(cat /tmp/response)" ;;
  *) echo "kbundle: registering $SUBJECT failed (HTTP $code): $(cat /tmp/response)" >&2; exit 1 ;;
esac
"#;

/// The PreSync hook for one subject. `hooks` image and service account come from the
/// Environment; validation has made sure they and the registry are set.
pub fn register_job(
    bundle: &str,
    owner: &str,
    namespace: Option<&str>,
    s: &SubjectPlan,
    env: &EnvironmentSpec,
) -> HookJob {
    let registry = env.schema_registry.as_ref();
    let mut vars = BTreeMap::from([
        ("SUBJECT".to_string(), EnvValue::Literal(s.subject.clone())),
        (
            "SR_URL".to_string(),
            EnvValue::Literal(registry.map(|r| r.url.clone()).unwrap_or_default()),
        ),
    ]);
    if let Some(secret) = registry.and_then(|r| r.credentials_secret.as_ref()) {
        hooks::insert_basic_auth(&mut vars, secret, "SR_USERNAME", "SR_PASSWORD");
    }
    // The request bodies are built here, as JSON, so the script never has to quote a schema.
    let schema_body = json!({"schemaType": "AVRO", "schema": s.text});
    let compat_body = json!({"compatibility": compatibility_name(s.compatibility)});
    let files = BTreeMap::from([
        ("schema.avsc".to_string(), s.text.clone()),
        ("schema.json".to_string(), schema_body.to_string()),
        ("compatibility.json".to_string(), compat_body.to_string()),
    ]);
    let hooks = env.hooks.as_ref();
    HookJob {
        bundle: bundle.to_string(),
        owner: owner.to_string(),
        namespace: namespace.map(str::to_string),
        purpose: format!("schema-{}", s.subject),
        phase: Phase::PreSync,
        wave: SCHEMA_WAVE,
        image: hooks.map(|h| h.image.clone()).unwrap_or_default(),
        command: vec!["/bin/sh".into(), "-c".into(), REGISTER_SCRIPT.into()],
        args: vec![],
        env: vars,
        files: Some(HookFiles {
            purpose: format!("schema-{}", s.subject),
            mount_path: "/kbundle".into(),
            files,
        }),
        service_account: hooks.and_then(|h| h.service_account.clone()),
        deadline_seconds: hooks::DEFAULT_DEADLINE_SECONDS,
        backoff_limit: hooks::DEFAULT_BACKOFF_LIMIT,
    }
}
