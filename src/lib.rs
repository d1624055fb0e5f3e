//! lyncsim: a deterministic discrete-event simulator of Lync Server 2013 / Skype for
//! Business Server under failures, failover and failback. (Design essay: see README.)

#![warn(missing_docs)]

pub mod cli;
pub mod engine;
pub mod model;
pub mod report;
pub mod scenario;
pub mod stats;
