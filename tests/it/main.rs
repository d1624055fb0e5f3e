//! Integration tests: one binary, one module per topic.

mod behaviour;
mod cli;
mod determinism;
mod errors;
mod failover;
mod support;
