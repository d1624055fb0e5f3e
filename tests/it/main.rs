//! Integration tests: one binary, one module per topic.

mod behaviour;
mod cli;
mod determinism;
mod enterprise;
mod errors;
mod failover;
mod random;
mod review;
mod support;
