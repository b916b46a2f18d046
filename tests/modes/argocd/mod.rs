//! `plugin.yaml` run the way Argo CD's config-management-plugin (CMP) sidecar runs it.
//!
//! The simulator below follows `argo-cd` (v2.6+ / v3): `cmpserver/plugin/{config,plugin}.go`,
//! `util/io/files/tar.go`, `reposerver/repository/repository.go` (`newEnv`, `getPluginEnvs`),
//! `pkg/apis/application/v1alpha1/types.go` (`Env.Envsubst`, `Parameters.Environ`) and
//! `util/app/discovery` (`DetectConfigManagementPlugin`):
//! - the repository is copied into a fresh work directory without `.git` and, with
//!   `preserveFileMode: false`, with every file 0644 and every directory 0755;
//! - discovery, first configured wins: `discover.fileName` (Go `filepath.Glob` below the app
//!   path), else `discover.find.glob` (zglob, `**` allowed), else `discover.find.command` (run in
//!   the app path: a match is exit 0 with stdout non-empty once one trailing newline is dropped;
//!   a non-zero exit is an error). An Application that names the plugin still goes through
//!   discovery, and fails when discovery is configured and does not match;
//! - `init` then `generate` are exec'd without a shell: argv = `command ++ args`, cwd = the app
//!   path, env = the sidecar's own environment + the app's entries (entries with an empty value
//!   dropped), in a process group of their own that gets SIGTERM on timeout and SIGKILL 5 s later;
//!   stdout is split as a YAML stream into manifests, each of which must be a Kubernetes object;
//! - the app's entries are `ARGOCD_APP_*`, `KUBE_VERSION`, `KUBE_API_VERSIONS`, each
//!   `spec.source.plugin.env` entry as `ARGOCD_ENV_<name>` (with `$VAR` expanded like Go's
//!   `os.Expand` over the `ARGOCD_APP_*`/`KUBE_*` entries), `ARGOCD_APP_PARAMETERS` (Go's
//!   `json.Marshal`: keys sorted, `null` when the app sets no parameter) and `PARAM_<NAME>`
//!   variables;
//! - the parameter announcements are the dynamic command's JSON list followed by the static ones.
//!
//! The simulator is stricter than Argo CD in one way: an unknown field in a plugin config or in a
//! parameter announcement is an error here, where Argo CD silently ignores it (a misspelled
//! `preserveFileMode` would be lost without a word).
//!
//! `kbundle` is found on the sidecar's PATH through a symlink to the binary under test; kubectl
//! (for kustomizations) comes from the test's own PATH. Nothing else of the test's environment
//! reaches the plugin.

use crate::support;

use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::{ORDERS, PAYMENTS, PROD, STAGING};

mod app;
mod config;
mod confluent_example;
mod fixtures;
mod gitops_example;
mod matching;
mod overlays;
mod parameters;
mod repo;
mod sidecar;
mod sigterm;
mod simulator;

#[allow(unused_imports)]
use app::*;
#[allow(unused_imports)]
use config::*;
#[allow(unused_imports)]
use fixtures::*;
#[allow(unused_imports)]
use gitops_example::*;
#[allow(unused_imports)]
use matching::*;
#[allow(unused_imports)]
use overlays::*;
#[allow(unused_imports)]
use parameters::*;
#[allow(unused_imports)]
use repo::*;
#[allow(unused_imports)]
use sidecar::*;
#[allow(unused_imports)]
use sigterm::*;
#[allow(unused_imports)]
use simulator::*;

/// Every test of this module and its submodules.
pub fn tests() -> Vec<support::Test> {
    [
        simulator::tests(),
        gitops_example::tests(),
        parameters::tests(),
        sigterm::tests(),
        overlays::tests(),
        confluent_example::tests(),
    ]
    .into_iter()
    .flatten()
    .collect()
}
