//! SIGTERM handling for the Argo CD plugin. The repo-server sends SIGTERM to the plugin's process
//! group when its timeout expires; kbundle must then stop at once, take its kustomize child down
//! with it, and leave stdout empty, so that no partial manifest set is ever read as the app.
//!
//! A watcher thread owns the signal. The main thread claims the right to write its output with
//! [`begin_output`]; once claimed, a late SIGTERM lets that single write finish (it takes
//! milliseconds) rather than cut a manifest stream in half.

use std::sync::atomic::{AtomicI32, AtomicU8, Ordering};

const RUNNING: u8 = 0;
const WRITING: u8 = 1;
const TERMINATED: u8 = 2;

static STATE: AtomicU8 = AtomicU8::new(RUNNING);
/// The running child (kustomize), 0 when there is none.
static CHILD: AtomicI32 = AtomicI32::new(0);

/// Exit status for "terminated by SIGTERM", as a shell reports it (128 + 15).
pub const EXIT_TERMINATED: i32 = 143;

/// Start watching for SIGTERM and SIGINT. Failing to install the handler is not fatal: the
/// default action (terminate) still stops kbundle, only without the message.
pub fn install() {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGTERM, SIGINT]) else {
        return;
    };
    std::thread::spawn(move || {
        if let Some(sig) = signals.forever().next() {
            terminate(sig);
        }
    });
}

fn terminate(sig: i32) {
    if STATE
        .compare_exchange(RUNNING, TERMINATED, Ordering::SeqCst, Ordering::SeqCst)
        .is_err()
    {
        // The output is being written: let it finish; main exits right after.
        return;
    }
    let child = CHILD.load(Ordering::SeqCst);
    if child > 0 {
        // SAFETY: kill(2) has no memory effects. The pid is our own child; the main thread
        // clears CHILD right after reaping it, so only that instant could see a reused pid.
        unsafe {
            libc::kill(child, libc::SIGKILL);
        }
    }
    let name = if sig == libc::SIGINT {
        "SIGINT"
    } else {
        "SIGTERM"
    };
    let d = crate::diag::Diagnostic::error(
        crate::diag::Code::Interrupted,
        format!("kbundle was stopped by {name} before it finished; no manifests were written"),
    )
    .with_hint(
        "Argo CD sends SIGTERM when the repo-server timeout expires: raise \
         server.repo.server.timeout.seconds if builds are slow",
    );
    // The summary line would be noise in a message Argo CD shows as the sync error.
    eprint!(
        "{}",
        crate::diag::render_human_lines(std::slice::from_ref(&d))
    );
    std::process::exit(EXIT_TERMINATED);
}

/// Claim stdout for the final write. `false` means a signal came first: write nothing.
pub fn begin_output() -> bool {
    STATE
        .compare_exchange(RUNNING, WRITING, Ordering::SeqCst, Ordering::SeqCst)
        .is_ok()
        || STATE.load(Ordering::SeqCst) == WRITING
}

/// Record the child to kill on termination (`None` once it has exited).
pub fn set_child(pid: Option<u32>) {
    let pid = pid.and_then(|p| i32::try_from(p).ok()).unwrap_or(0);
    CHILD.store(pid, Ordering::SeqCst);
}

/// Whether termination has begun (the caller should stop and write nothing).
pub fn terminated() -> bool {
    STATE.load(Ordering::SeqCst) == TERMINATED
}
