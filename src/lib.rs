//! kbundle: renders Kafka AppBundles into Strimzi custom resources and the rest of what an
//! application needs, under an Environment's defaults and guardrails.
//!
//! # The library's facade
//!
//! The binary (`src/main.rs` calls [`run`]) is the product; the library exists so that tests,
//! benchmarks and fuzz targets can drive the same pipeline in-process. What it offers:
//!
//! - [`render`]: the pipeline — `render::render(items, function_config, &Options)` returns the
//!   output objects or every diagnostic ([`render::Rendered`]);
//! - [`source`]: reading inputs into [`source::Item`]s (paths, YAML streams, ResourceLists);
//! - [`model`]: the AppBundle and Environment types, their JSON Schema, and the strict parsers
//!   [`model::parse_app_bundle`] and [`model::parse_environment`];
//! - [`yaml`]: parsing and writing YAML as kbundle does (spans, budgets);
//! - [`diag`]: diagnostics, their code registry and renderers (human, JSON, KRM results);
//! - [`path`]: the field paths diagnostics and parse errors point at;
//! - [`avro`]: Avro parsing and Schema Registry compatibility verdicts (the Java cross-check
//!   test and a fuzz target call them directly);
//! - [`template`]: the connector config template sandbox (fuzzed directly).
//!
//! Every other module is crate-private, except the ones under "Test access" below.
//!
//! # Test access
//!
//! `backend`, `plan`, `validate`, `import` and `names` are crate-private. The crate's own
//! integration tests (tests/modes/hooks.rs, the prometheus, crd and confluent contract tests,
//! tests/import_*.rs) build plans and objects from them directly, against vendored CRDs that
//! only `tests/support` reaches: the `internals` feature, which only the crate's dev-dependency
//! on itself turns on, makes them public (and hidden from the docs) for those tests. New tests
//! drive the binary or the facade above (CONTRIBUTING.md, "The library facade").

/// A module public to the crate's own tests (`internals` feature), crate-private otherwise.
macro_rules! internal {
    ($($m:ident),* $(,)?) => {
        $(
            #[cfg(feature = "internals")]
            #[doc(hidden)]
            pub mod $m;
            #[cfg(not(feature = "internals"))]
            pub(crate) mod $m;
        )*
    };
}

internal!(backend, import, names, plan, validate);
pub mod avro;
pub(crate) mod cli;
pub(crate) mod credentials;
pub(crate) mod derive;
pub mod diag;
pub(crate) mod diff;
pub(crate) mod emit;
pub mod model;
pub mod path;
pub mod render;
pub mod source;
pub(crate) mod suggest;
pub mod template;
pub mod yaml;

/// The `kbundle` command line: parses `args` (the program name first), runs the command and
/// returns its exit code.
pub use cli::run;

#[cfg(test)]
mod layers_test;
