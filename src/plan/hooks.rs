//! Argo CD hook Jobs in neutral form: what runs, when, with which inputs. One builder in
//! `target::jobs` turns every one of them (schema registration, ksql migrations, acceptance
//! tests) into a Job with the same safety settings.

use std::collections::BTreeMap;

/// The Argo CD sync phase a hook runs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    PreSync,
    /// Among the ordinary resources, ordered by wave: Argo CD runs a wave's hooks once the
    /// earlier waves are applied and healthy.
    Sync,
    PostSync,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::PreSync => "PreSync",
            Phase::Sync => "Sync",
            Phase::PostSync => "PostSync",
        }
    }
}

/// An environment variable: a literal value, or a reference to one key of a Secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvValue {
    Literal(String),
    /// Secret name and key; `optional` lets the Job run without the Secret.
    Secret {
        name: String,
        key: String,
        optional: bool,
    },
}

/// Files handed to the Job through a ConfigMap mounted read-only at `mount_path`. The ConfigMap
/// is emitted as a hook of the same phase, one wave earlier: a PreSync Job runs before Argo CD
/// applies ordinary resources, so an ordinary ConfigMap would not exist yet, and a hook's
/// ConfigMap is replaced with it (BeforeHookCreation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookFiles {
    /// Part of the ConfigMap name after the bundle name (`schema-orders-created`).
    pub purpose: String,
    pub mount_path: String,
    /// File name → content.
    pub files: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookJob {
    pub bundle: String,
    pub owner: String,
    pub namespace: Option<String>,
    /// Part of the Job name after the bundle name (`schema-orders-created-value`).
    pub purpose: String,
    pub phase: Phase,
    /// Argo CD sync wave of the Job within its phase.
    pub wave: i32,
    pub image: String,
    pub command: Vec<String>,
    pub args: Vec<String>,
    pub env: BTreeMap<String, EnvValue>,
    pub files: Option<HookFiles>,
    pub service_account: Option<String>,
    /// Whole run time limit (`activeDeadlineSeconds`).
    pub deadline_seconds: i64,
    pub backoff_limit: i32,
}

/// Default deadline of a hook Job when nothing else is said: ten minutes.
pub const DEFAULT_DEADLINE_SECONDS: i64 = 600;
/// Retries before a hook fails the sync.
pub const DEFAULT_BACKOFF_LIMIT: i32 = 2;

/// Basic-auth credentials as environment variables taken from the `username` and `password`
/// keys of a Secret: the value never passes through kbundle.
pub fn insert_basic_auth(
    vars: &mut BTreeMap<String, EnvValue>,
    secret: &str,
    user_var: &str,
    password_var: &str,
) {
    for (var, key) in [(user_var, "username"), (password_var, "password")] {
        vars.insert(
            var.to_string(),
            EnvValue::Secret {
                name: secret.to_string(),
                key: key.to_string(),
                optional: false,
            },
        );
    }
}
