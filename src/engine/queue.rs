//! The pending-event queue.
//!
//! Events pop in `(time, seq)` order. `seq` is unique and increasing, so two events at the
//! same time pop in the order they were pushed, and the order never depends on payloads.
//!
//! The queue is a *monotone* radix heap: nothing may be pushed before the last event
//! popped, which a discrete-event simulation never does (the [`Scheduler`] refuses it).
//! Pending events sit in 64 buckets by the highest bit in which their time differs from the
//! last popped time `last`; events at `last` itself wait in a FIFO lane. A push is O(1). A
//! pop takes the lane's front; when the lane is empty it empties the lowest non-empty
//! bucket, whose earliest time becomes `last`: its events at that time form the new lane
//! (sorted by `seq`) and the rest drop into strictly lower buckets. Each event therefore
//! moves at most once per bit of how far ahead it was scheduled, whatever the number pending,
//! and the moves are sequential scans instead of the cache-missing levels of a binary heap:
//! with a million per-user timers pending, `BinaryHeap::pop` took half of the million-user
//! benchmark. (The `radix-heap` crate keys on one integer and pops ties last-in first-out;
//! keying it on `(time, seq)` forces a bucket redistribution on every pop.)
//!
//! [`Scheduler`]: super::scheduler::Scheduler

use std::collections::{BTreeSet, VecDeque};

use super::time::SimTime;

/// Identifies a scheduled event, for [`EventQueue::cancel`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EventId(u64);

struct Entry<E> {
    time: u64,
    seq: u64,
    event: E,
}

/// Events ordered by `(time, seq)`.
pub struct EventQueue<E> {
    /// Events at time `last`, in `seq` order.
    lane: VecDeque<Entry<E>>,
    /// `buckets[b]` holds events whose time first differs from `last` at bit `b` (from 0).
    buckets: [Vec<Entry<E>>; 64],
    /// Bit `b` set when `buckets[b]` is not empty.
    occupied: u64,
    /// The time of the last popped event (0 before the first pop).
    last: u64,
    len: usize,
    next_seq: u64,
    cancelled: BTreeSet<u64>,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> EventQueue<E> {
    /// An empty queue.
    pub fn new() -> Self {
        EventQueue {
            lane: VecDeque::new(),
            buckets: std::array::from_fn(|_| Vec::new()),
            occupied: 0,
            last: 0,
            len: 0,
            next_seq: 0,
            cancelled: BTreeSet::new(),
        }
    }

    /// Add an event; same-time events keep their push order.
    ///
    /// # Panics
    /// If `time` is earlier than the last popped event: the queue is monotone. (The
    /// [`Scheduler`](super::scheduler::Scheduler) reports that as
    /// [`TimeError::InThePast`](super::time::TimeError::InThePast) before it gets here.)
    pub fn push(&mut self, time: SimTime, event: E) -> EventId {
        let time = time.as_millis();
        assert!(
            time >= self.last,
            "event pushed at {time} ms, before the last popped event at {} ms",
            self.last
        );
        let seq = self.next_seq;
        self.next_seq += 1;
        self.len += 1;
        let entry = Entry { time, seq, event };
        if time == self.last {
            // Every pending entry has a smaller seq: the back of the lane keeps its order.
            self.lane.push_back(entry);
        } else {
            let b = bucket(time, self.last);
            self.buckets[b].push(entry);
            self.occupied |= 1 << b;
        }
        EventId(seq)
    }

    /// Remove and return the earliest live event.
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        loop {
            if self.lane.is_empty() && !self.refill() {
                return None;
            }
            let entry = self.lane.pop_front().expect("the lane was refilled");
            self.len -= 1;
            if !self.cancelled.is_empty() && self.cancelled.remove(&entry.seq) {
                continue;
            }
            return Some((SimTime::from_millis(entry.time), entry.event));
        }
    }

    /// Empty the lowest non-empty bucket: its earliest time becomes `last`, its entries at
    /// that time the lane, the others go to lower buckets. False when nothing is pending.
    fn refill(&mut self) -> bool {
        if self.occupied == 0 {
            return false;
        }
        let b = self.occupied.trailing_zeros() as usize;
        self.occupied &= !(1 << b);
        let mut from = std::mem::take(&mut self.buckets[b]);
        let earliest = from.iter().map(|e| e.time).min().expect("an occupied bucket has entries");
        self.last = earliest;
        for entry in from.drain(..) {
            if entry.time == earliest {
                self.lane.push_back(entry);
            } else {
                // Below b: the times agree with `earliest` on every bit from b up.
                let to = bucket(entry.time, earliest);
                self.buckets[to].push(entry);
                self.occupied |= 1 << to;
            }
        }
        self.buckets[b] = from; // keep the allocation
        if self.lane.len() > 1 {
            self.lane.make_contiguous().sort_unstable_by_key(|e| e.seq);
        }
        true
    }

    /// Mark an event as cancelled; returns false if it already ran or was cancelled.
    pub fn cancel(&mut self, id: EventId) -> bool {
        let pending = self.lane.iter().chain(self.buckets.iter().flatten()).any(|e| e.seq == id.0);
        pending && self.cancelled.insert(id.0)
    }

    /// Number of live pending events.
    pub fn len(&self) -> usize {
        self.len - self.cancelled.len()
    }

    /// Whether no live event is pending.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The bucket of `time` relative to `last` (`time != last`): its highest differing bit.
fn bucket(time: u64, last: u64) -> usize {
    63 - (time ^ last).leading_zeros() as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_time_events_pop_in_push_order() {
        let mut q = EventQueue::new();
        let t = SimTime::from_secs(7);
        for i in 0..100 {
            q.push(t, i);
        }
        q.push(SimTime::from_secs(3), -1);
        assert_eq!(q.pop(), Some((SimTime::from_secs(3), -1)));
        for i in 0..100 {
            assert_eq!(q.pop(), Some((t, i)));
        }
        assert_eq!(q.pop(), None);
    }

    #[test]
    fn pops_follow_time_then_push_order_like_a_sorted_list() {
        // Pushes at or after the last popped time (the simulation's only pattern): near,
        // far, equal to pending ones and equal to now, mixed with pops. Pops come in
        // (time, push order) exactly as from a plain sorted list.
        let mut q = EventQueue::new();
        let mut expected = Vec::new();
        let mut now = 0u64;
        let mut x: u64 = 17;
        for i in 0..20_000u64 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let ahead = match (x >> 60) % 4 {
                0 => 0,
                1 => (x >> 33) % 50,
                2 => (x >> 33) % 600_000,
                _ => (x >> 20) % (1 << 40),
            };
            let t = SimTime::from_millis(now + ahead);
            q.push(t, i);
            expected.push((t, i));
            if i % 3 == 0 {
                let got = q.pop().unwrap();
                expected.sort();
                assert_eq!(got, expected.remove(0));
                now = got.0.as_millis();
            }
        }
        expected.sort();
        assert_eq!(q.len(), expected.len());
        for e in expected {
            assert_eq!(q.pop(), Some(e));
        }
        assert!(q.is_empty());
        assert_eq!(q.pop(), None);
    }

    #[test]
    #[should_panic(expected = "before the last popped event")]
    fn pushing_into_the_past_is_refused() {
        let mut q = EventQueue::new();
        q.push(SimTime::from_secs(5), 1);
        q.pop();
        q.push(SimTime::from_secs(4), 2);
    }

    #[test]
    fn cancelled_events_are_skipped() {
        let mut q = EventQueue::new();
        let a = q.push(SimTime::from_secs(1), "a");
        q.push(SimTime::from_secs(2), "b");
        assert!(q.cancel(a));
        assert!(!q.cancel(a), "cancelling twice reports false");
        assert_eq!(q.len(), 1);
        assert_eq!(q.pop(), Some((SimTime::from_secs(2), "b")));
        assert_eq!(q.pop(), None);
        assert!(!q.cancel(a), "cancelling an event that is gone reports false");
        assert!(q.is_empty());
    }
}
