//! The test runner: libtest-mimic trials built from plain functions and closures, so `cargo test NAME`,
//! `--list`, `--exact`, `--test-threads` and `--ignored` work as with libtest.
//!
//! A test that lacks a prerequisite calls [`skip`] (it stops there) or [`note_skip`] (it goes
//! on without the checks that need it). Either way it passes, `SKIPPED: <test>: <reason>` is
//! printed to stderr, and the runner lists every skipped test after the summary, so a run that
//! checked less than everything says so at the end.

use libtest_mimic::{Arguments, Failed, Trial};
use std::cell::RefCell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Mutex;

/// One registered test: its full name (`module::function`) and body.
pub struct Test {
    pub name: String,
    pub run: Box<dyn FnOnce() + Send + 'static>,
}

impl Test {
    /// `module` is `module_path!()` of the test's module; the crate (binary) name is dropped.
    pub fn new(module: &str, function: &str, run: impl FnOnce() + Send + 'static) -> Test {
        let module = module.split_once("::").map_or("", |(_, rest)| rest);
        let name = if module.is_empty() {
            function.to_string()
        } else {
            format!("{module}::{function}")
        };
        Test {
            name,
            run: Box::new(run),
        }
    }

    /// A test named exactly `name` (generated tests: one per golden case).
    pub fn named(name: String, run: impl FnOnce() + Send + 'static) -> Test {
        Test {
            name,
            run: Box::new(run),
        }
    }
}

/// The panic payload of [`skip`]: the runner reports it as a skip, not a failure.
pub struct Skip(pub String);

thread_local! {
    static NOTES: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// Set by [`run_tests`]: only this runner turns a [`Skip`] panic into a skip.
static ACTIVE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

static SKIPPED: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());
static TIMES: Mutex<Vec<(std::time::Duration, String)>> = Mutex::new(Vec::new());

/// Stop the current test and report it as skipped.
pub fn skip(reason: String) -> ! {
    if !ACTIVE.load(std::sync::atomic::Ordering::Relaxed) {
        // A binary on libtest's own harness cannot skip at run time: fail with the reason.
        panic!("SKIPPED: {reason} (libtest cannot skip at run time: this fails instead)");
    }
    panic::panic_any(Skip(reason))
}

/// Report the current test as (partly) skipped and let it go on.
pub fn note_skip(reason: String) {
    NOTES.with(|n| n.borrow_mut().push(reason));
}

fn record(name: &str, reason: String) {
    eprintln!("SKIPPED: {name}: {reason}");
    SKIPPED
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push((name.to_string(), reason));
}

fn trial(test: Test) -> Trial {
    let Test { name, run } = test;
    Trial::test(name.clone(), move || {
        NOTES.with(|n| n.borrow_mut().clear());
        let started = std::time::Instant::now();
        let outcome = panic::catch_unwind(AssertUnwindSafe(run));
        TIMES
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((started.elapsed(), name.clone()));
        let notes = NOTES.with(|n| std::mem::take(&mut *n.borrow_mut()));
        match outcome {
            Ok(()) => {
                for reason in notes {
                    record(&name, reason);
                }
                Ok(())
            }
            Err(payload) => match payload.downcast::<Skip>() {
                Ok(skip) => {
                    record(&name, skip.0);
                    Ok(())
                }
                Err(payload) => {
                    let message = payload
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_else(|| "the test panicked".into());
                    Err(Failed::from(message))
                }
            },
        }
    })
}

/// Run `tests` (the binary's `main`) and exit with libtest's exit code.
pub fn run_tests(tests: Vec<Test>) -> ! {
    ACTIVE.store(true, std::sync::atomic::Ordering::Relaxed);
    // A skip is not a panic worth a backtrace; every other panic prints as usual.
    let default_hook = panic::take_hook();
    panic::set_hook(Box::new(move |info| {
        if info.payload().downcast_ref::<Skip>().is_none() {
            default_hook(info);
        }
    }));
    let args = Arguments::from_args();
    let conclusion = libtest_mimic::run(&args, tests.into_iter().map(trial).collect());
    let mut skipped = SKIPPED.lock().unwrap_or_else(|e| e.into_inner());
    skipped.sort();
    if !skipped.is_empty() {
        eprintln!(
            "\nSKIPPED: {} test(s) passed without running all their checks, for these reasons:",
            skipped.len()
        );
        for (name, reason) in skipped.iter() {
            eprintln!("    {name}: {reason}");
        }
        eprintln!();
    }
    // KBUNDLE_TEST_TIMES=N: the N slowest tests, to see what a run waits for.
    if let Some(n) = std::env::var("KBUNDLE_TEST_TIMES")
        .ok()
        .and_then(|n| n.parse::<usize>().ok())
    {
        let mut times = TIMES.lock().unwrap_or_else(|e| e.into_inner());
        times.sort_by(|a, b| b.cmp(a));
        eprintln!("slowest tests:");
        for (took, name) in times.iter().take(n) {
            eprintln!("  {:>7.2}s  {name}", took.as_secs_f64());
        }
    }
    conclusion.exit()
}

/// `register!(a, b, c);` at the end of a test module: its `pub fn tests()`, one [`Test`] per
/// function, named `module::function`. A test function left out of the list is never called,
/// so it is dead code: the build warns and `cargo clippy -- -D warnings` fails.
macro_rules! register {
    ($($name:ident),* $(,)?) => {
        /// The tests of this module.
        pub fn tests() -> Vec<$crate::support::Test> {
            vec![$($crate::support::Test::new(module_path!(), stringify!($name), $name)),*]
        }
    };
}
