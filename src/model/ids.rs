//! Typed ids of the world's entities (pools, sites, front ends, users, routing groups) and
//! [`IdVec`], the vector they index: the world writes `pools[p]`, never `pools[p as usize]`.
//!
//! An id is a `u32` newtype; indexing through it compiles to the same bounds-checked `u32`
//! indexing as before, so a user still costs 24 bytes and no time.

use std::fmt;
use std::marker::PhantomData;
use std::ops::{Index, IndexMut};

/// A typed index: a `u32` newtype.
pub trait Id: Copy {
    /// The id of position `raw`.
    fn from_raw(raw: u32) -> Self;
    /// The position this id names.
    fn raw(self) -> u32;
}

macro_rules! id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub u32);

        impl Id for $name {
            #[inline]
            fn from_raw(raw: u32) -> Self {
                $name(raw)
            }

            #[inline]
            fn raw(self) -> u32 {
                self.0
            }
        }

        /// The bare number, as log lines and error messages print it.
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id! {
    /// Index of a pool in [`super::Config::pools`].
    PoolId
}
id! {
    /// Index of a site in [`super::Config::sites`].
    SiteId
}
id! {
    /// Index of a front-end server in its pool (0-based, the order the servers first started).
    FrontEndId
}
id! {
    /// Index of a user in the world; a pool's users are a contiguous block.
    UserId
}
id! {
    /// Index of a routing group in its pool (its GUID is [`super::routing_group_id`]).
    RoutingGroupId
}

/// A vector indexed by a typed id.
#[derive(Debug, Clone, PartialEq)]
pub struct IdVec<I, T> {
    raw: Vec<T>,
    id: PhantomData<fn(I)>,
}

impl<I: Id, T> IdVec<I, T> {
    /// An empty vector with room for `n` elements.
    pub fn with_capacity(n: usize) -> Self {
        IdVec { raw: Vec::with_capacity(n), id: PhantomData }
    }

    /// Append `value`.
    pub fn push(&mut self, value: T) {
        self.raw.push(value);
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.raw.len()
    }

    /// Whether there are no elements.
    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// Every id, in order (borrows nothing: the vector may change while it runs).
    pub fn ids(&self) -> IdRange<I> {
        IdRange::new(I::from_raw(0), self.raw.len() as u32)
    }

    /// The elements, in id order.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.raw.iter()
    }

    /// The elements, mutably, in id order.
    pub fn iter_mut(&mut self) -> std::slice::IterMut<'_, T> {
        self.raw.iter_mut()
    }

    /// `(id, element)` pairs, in id order.
    pub fn iter_enumerated(&self) -> impl Iterator<Item = (I, &T)> {
        self.raw.iter().enumerate().map(|(i, t)| (I::from_raw(i as u32), t))
    }

    /// `(id, element)` pairs, mutably, in id order.
    pub fn iter_enumerated_mut(&mut self) -> impl Iterator<Item = (I, &mut T)> {
        self.raw.iter_mut().enumerate().map(|(i, t)| (I::from_raw(i as u32), t))
    }
}

impl<I: Id, T> Index<I> for IdVec<I, T> {
    type Output = T;

    #[inline]
    fn index(&self, id: I) -> &T {
        &self.raw[id.raw() as usize]
    }
}

impl<I: Id, T> IndexMut<I> for IdVec<I, T> {
    #[inline]
    fn index_mut(&mut self, id: I) -> &mut T {
        &mut self.raw[id.raw() as usize]
    }
}

impl<I: Id, T> From<Vec<T>> for IdVec<I, T> {
    fn from(raw: Vec<T>) -> Self {
        IdVec { raw, id: PhantomData }
    }
}

impl<I: Id, T> FromIterator<T> for IdVec<I, T> {
    fn from_iter<It: IntoIterator<Item = T>>(iter: It) -> Self {
        IdVec::from(iter.into_iter().collect::<Vec<T>>())
    }
}

impl<'a, I: Id, T> IntoIterator for &'a IdVec<I, T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.raw.iter()
    }
}

impl<'a, I: Id, T> IntoIterator for &'a mut IdVec<I, T> {
    type Item = &'a mut T;
    type IntoIter = std::slice::IterMut<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.raw.iter_mut()
    }
}

/// Consecutive ids: `len` ids from `start` (a pool's users, a routing group's users).
#[derive(Debug, Clone)]
pub struct IdRange<I> {
    next: u32,
    end: u32,
    id: PhantomData<fn() -> I>,
}

impl<I: Id> IdRange<I> {
    /// The `len` ids from `start`.
    #[inline]
    pub fn new(start: I, len: u32) -> Self {
        IdRange { next: start.raw(), end: start.raw() + len, id: PhantomData }
    }
}

impl<I: Id> Iterator for IdRange<I> {
    type Item = I;

    #[inline]
    fn next(&mut self) -> Option<I> {
        if self.next < self.end {
            let id = I::from_raw(self.next);
            self.next += 1;
            Some(id)
        } else {
            None
        }
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = (self.end - self.next) as usize;
        (n, Some(n))
    }
}

impl<I: Id> ExactSizeIterator for IdRange<I> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_index_their_vector_and_ranges_count_from_their_start() {
        let mut v: IdVec<PoolId, &str> = IdVec::with_capacity(2);
        v.push("a");
        v.push("b");
        v[PoolId(1)] = "c";
        assert_eq!((v[PoolId(0)], v[PoolId(1)], v.len()), ("a", "c", 2));
        assert_eq!(v.ids().collect::<Vec<_>>(), [PoolId(0), PoolId(1)]);
        assert_eq!(IdRange::new(UserId(3), 2).collect::<Vec<_>>(), [UserId(3), UserId(4)]);
        assert_eq!(std::mem::size_of::<UserId>(), 4);
        assert_eq!(format!("{}", SiteId(7)), "7");
    }
}
