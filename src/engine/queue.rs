//! The pending-event queue.
//!
//! A binary heap of `(time, seq)` keys, smallest first through [`std::cmp::Reverse`].
//! `seq` is unique and increasing, so two events at the same time pop in the order they
//! were pushed, and the order never depends on the events' payloads.

use std::cmp::{Ordering, Reverse};
use std::collections::{BTreeSet, BinaryHeap};

use super::SimTime;

/// Identifies a scheduled event, for [`EventQueue::cancel`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EventId(u64);

struct Entry<E> {
    time: SimTime,
    seq: u64,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        (self.time, self.seq) == (other.time, other.seq)
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Entry<E> {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.time, self.seq).cmp(&(other.time, other.seq))
    }
}

/// Events ordered by `(time, seq)`.
pub struct EventQueue<E> {
    heap: BinaryHeap<Reverse<Entry<E>>>,
    /// An entry earlier than every entry of `heap`, if any.
    front: Option<Entry<E>>,
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
        EventQueue { heap: BinaryHeap::new(), front: None, next_seq: 0, cancelled: BTreeSet::new() }
    }

    /// Add an event; same-time events keep their push order.
    pub fn push(&mut self, time: SimTime, event: E) -> EventId {
        let seq = self.next_seq;
        self.next_seq += 1;
        let entry = Entry { time, seq, event };
        // An event earlier than everything pending (a sign-in completing 50 ms from now, a
        // retry) waits in the front slot: it pops without a trip through the heap.
        let earliest = match (&self.front, self.heap.peek()) {
            (Some(front), _) => entry < *front,
            (None, Some(Reverse(top))) => entry < *top,
            (None, None) => true,
        };
        if earliest {
            if let Some(old) = self.front.replace(entry) {
                self.heap.push(Reverse(old));
            }
        } else {
            self.heap.push(Reverse(entry));
        }
        EventId(seq)
    }

    /// Remove and return the earliest live event.
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        // The front slot, when set, is earlier than every heap entry.
        while let Some(entry) = self.front.take().or_else(|| self.heap.pop().map(|Reverse(e)| e)) {
            if !self.cancelled.is_empty() && self.cancelled.remove(&entry.seq) {
                continue;
            }
            return Some((entry.time, entry.event));
        }
        None
    }

    /// Mark an event as cancelled; returns false if it already ran or was cancelled.
    pub fn cancel(&mut self, id: EventId) -> bool {
        let pending = self.front.as_ref().is_some_and(|e| e.seq == id.0)
            || self.heap.iter().any(|Reverse(e)| e.seq == id.0);
        pending && self.cancelled.insert(id.0)
    }

    /// Number of live pending events.
    pub fn len(&self) -> usize {
        self.heap.len() + usize::from(self.front.is_some()) - self.cancelled.len()
    }

    /// Whether no live event is pending.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
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
    fn the_front_slot_keeps_time_and_push_order() {
        // Pushes that are earlier than everything, later, and equal, mixed: pops come in
        // (time, push order) exactly as from a plain sorted list.
        let mut q = EventQueue::new();
        let mut expected = Vec::new();
        let mut x: u64 = 17;
        for i in 0..2_000u64 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let t = SimTime::from_millis((x >> 33) % 500);
            q.push(t, i);
            expected.push((t, i));
            if i % 7 == 0 {
                let got = q.pop().unwrap();
                expected.sort();
                assert_eq!(got, expected.remove(0));
            }
        }
        expected.sort();
        for e in expected {
            assert_eq!(q.pop(), Some(e));
        }
        let a = q.push(SimTime::from_secs(1), 1);
        assert!(q.cancel(a), "an event in the front slot can be cancelled");
        assert!(q.is_empty());
        assert_eq!(q.pop(), None);
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
