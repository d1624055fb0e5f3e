//! The discrete-event engine: virtual time (`time.rs`), the pending-event queue
//! (`queue.rs`), random streams (`rng.rs`) and the run loop with the [`Scheduler`] a model
//! schedules through (`scheduler.rs`). It knows nothing about Lync: a model plugs in
//! through [`Model`].
//!
//! # Ordering contract
//! Events run in `(time, seq)` order. `seq` is a counter that grows with every schedule
//! call, so events at the same virtual time run in the order they were scheduled (FIFO).
//! There are no priority classes. Before the events of a new instant run, the model's
//! [`Model::advance`] sees the interval since the previous instant, with the state left by
//! all events up to it; statistics integrate and sample there, never inside an instant.
//!
//! # Stale timers
//! [`Scheduler::cancel`] removes a scheduled event by id (a tombstone, skipped on pop).
//! Models with many timers should prefer generation counters on their entities: a timer
//! carries the generation it was scheduled under and is ignored if the entity moved on.

mod queue;
mod rng;
mod scheduler;
mod time;

pub use queue::{EventId, EventQueue};
pub use rng::{stream_id, Streams};
pub use scheduler::{run, Model, RunStats, Scheduler};
pub use time::{SimTime, TimeError};
