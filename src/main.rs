//! The `kbundle` binary: all behaviour lives in the library; this maps it to an exit code.

fn main() -> std::process::ExitCode {
    kbundle::run(std::env::args_os().collect())
}
