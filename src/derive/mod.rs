//! What kbundle derives from the model alone — names, limits and settings that both the check
//! stage and the plan use (a connector's generated principal, a migration's file name rule, a
//! schema's subjects). It sits between `model` and `validate`, so that every stage imports only
//! the stages before it.

pub mod connect;
pub mod ksql;
pub mod schemas;
pub mod tests;
