//! kbundle in each of its modes, driven through the built binary: the CLI, the KRM function
//! under kpt, the kustomize plugins under `kubectl kustomize`, the example GitOps repository,
//! the Argo CD CMP sidecar (simulated after Argo CD's source), and the hook Jobs' scripts.
//! One binary (`harness = false`): `cargo test --test modes [FILTER]`.

#[macro_use]
#[path = "../support/mod.rs"]
mod support;

mod argocd;
mod cli;
mod e2e;
mod flux;
mod gitops;
mod hooks;

fn main() {
    support::run_tests(
        // cli first: its alias-bomb test is the slowest (about 24 s in a debug build) and
        // should overlap with the others rather than run alone at the end.
        [
            cli::tests(),
            argocd::tests(),
            e2e::tests(),
            flux::tests(),
            gitops::tests(),
            hooks::tests(),
        ]
        .into_iter()
        .flatten()
        .collect(),
    )
}
