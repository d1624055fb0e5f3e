//! The run loop: [`run`] pops events in `(time, seq)` order and hands them to a [`Model`],
//! which reads the clock and schedules more through the [`Scheduler`].

use super::queue::{EventId, EventQueue};
use super::time::{SimTime, TimeError};

/// A simulated world driven by [`run`].
pub trait Model {
    /// The model's events: one plain enum, matched exhaustively.
    type Event;

    /// Handle one event at `sched.now()`.
    fn handle(&mut self, event: Self::Event, sched: &mut Scheduler<Self::Event>);

    /// Virtual time moves from `from` to `to` (`from < to`) with no event in between.
    fn advance(&mut self, _from: SimTime, _to: SimTime) {}
}

/// What a model may do while handling an event: read the clock and schedule more events.
pub struct Scheduler<E> {
    queue: EventQueue<E>,
    now: SimTime,
    horizon: SimTime,
    /// Schedule calls refused because they asked for a time before now.
    refused: u64,
}

impl<E> Scheduler<E> {
    /// A scheduler at time zero that keeps events up to `horizon` inclusive.
    pub fn new(horizon: SimTime) -> Self {
        Scheduler { queue: EventQueue::new(), now: SimTime::ZERO, horizon, refused: 0 }
    }

    /// The current virtual time.
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// The last instant the run will reach.
    pub fn horizon(&self) -> SimTime {
        self.horizon
    }

    /// Schedule `event` at absolute time `at`. Events after the horizon are dropped (they
    /// could never run) and return `None`; scheduling in the past is an error.
    pub fn schedule_at(&mut self, at: SimTime, event: E) -> Result<Option<EventId>, TimeError> {
        if at < self.now {
            self.refused += 1;
            return Err(TimeError::InThePast { now: self.now, at });
        }
        if at > self.horizon {
            return Ok(None);
        }
        Ok(Some(self.queue.push(at, event)))
    }

    /// Schedule `event` after `delay`; an overflow of virtual time is an error.
    pub fn schedule_in(&mut self, delay: SimTime, event: E) -> Result<Option<EventId>, TimeError> {
        let at = self.now.checked_add(delay)?;
        self.schedule_at(at, event)
    }

    /// Cancel a scheduled event; returns whether it was still pending.
    pub fn cancel(&mut self, id: EventId) -> bool {
        self.queue.cancel(id)
    }

    /// How many schedule calls were refused as [`TimeError::InThePast`]. A model that drops
    /// the error loses that event; a correct model never makes such a call (audits read it).
    pub fn refused(&self) -> u64 {
        self.refused
    }

    /// Number of events still pending.
    pub fn pending(&self) -> usize {
        self.queue.len()
    }
}

/// Counters of a finished run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunStats {
    /// Events popped and handed to the model.
    pub events_processed: u64,
}

/// Run `model` from the scheduler's current time to its horizon. Events at the horizon run;
/// the model's last [`Model::advance`] ends at the horizon.
pub fn run<M: Model>(model: &mut M, sched: &mut Scheduler<M::Event>) -> RunStats {
    let mut processed = 0u64;
    while let Some((at, event)) = sched.queue.pop() {
        debug_assert!(at >= sched.now, "event queue went back in time");
        if at > sched.now {
            model.advance(sched.now, at);
            sched.now = at;
        }
        processed += 1;
        model.handle(event, sched);
    }
    if sched.horizon > sched.now {
        model.advance(sched.now, sched.horizon);
        sched.now = sched.horizon;
    }
    RunStats { events_processed: processed }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Recorder {
        seen: Vec<(u64, u32)>,
        spans: Vec<(u64, u64)>,
    }

    impl Model for Recorder {
        type Event = u32;
        fn handle(&mut self, event: u32, sched: &mut Scheduler<u32>) {
            self.seen.push((sched.now().as_millis(), event));
            if event == 1 {
                sched.schedule_in(SimTime::from_secs(5), 10).unwrap();
                sched.schedule_in(SimTime::ZERO, 11).unwrap();
            }
        }
        fn advance(&mut self, from: SimTime, to: SimTime) {
            self.spans.push((from.as_millis(), to.as_millis()));
        }
    }

    #[test]
    fn runs_in_time_order_and_advances_between_instants() {
        let mut sched = Scheduler::new(SimTime::from_secs(100));
        sched.schedule_at(SimTime::from_secs(2), 2).unwrap();
        sched.schedule_at(SimTime::from_secs(1), 1).unwrap();
        sched.schedule_at(SimTime::from_secs(200), 99).unwrap();
        let mut m = Recorder { seen: vec![], spans: vec![] };
        let stats = run(&mut m, &mut sched);
        assert_eq!(m.seen, vec![(1000, 1), (1000, 11), (2000, 2), (6000, 10)]);
        assert_eq!(m.spans, vec![(0, 1000), (1000, 2000), (2000, 6000), (6000, 100_000)]);
        assert_eq!(stats.events_processed, 4);
    }

    #[test]
    fn scheduling_in_the_past_or_past_the_end_of_time_is_an_error() {
        let mut sched: Scheduler<u32> = Scheduler::new(SimTime::MAX);
        sched.now = SimTime::from_secs(10);
        assert!(matches!(sched.schedule_at(SimTime::from_secs(9), 0), Err(TimeError::InThePast { .. })));
        assert_eq!(sched.refused(), 1, "the refusal is counted");
        assert_eq!(sched.schedule_in(SimTime::MAX, 0), Err(TimeError::Overflow));
    }
}
