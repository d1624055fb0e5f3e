//! Integration tests: one binary, one module per topic.

mod behaviour;
mod cli;
mod compare;
mod determinism;
mod enterprise;
mod errors;
mod failover;
mod html;
mod metrics;
mod monte;
mod oracle;
mod properties;
mod random;
mod review;
mod safety;
mod sensitivity;
mod shards;
mod size;
mod support;
mod sweep;
