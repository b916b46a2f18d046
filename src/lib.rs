//! kbundle: renders Kafka AppBundles into Strimzi custom resources and the rest of what an
//! application needs, under an Environment's defaults and guardrails.

pub mod avro;
pub mod backend;
pub mod cli;
pub mod credentials;
pub mod diag;
pub mod diff;
pub mod emit;
pub mod import;
pub mod model;
pub mod names;
pub mod path;
pub mod plan;
pub mod render;
pub mod source;
pub mod suggest;
pub mod template;
pub mod validate;
pub mod yaml;
