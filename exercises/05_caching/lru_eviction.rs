//! # Caching: a bounded cache with LRU eviction
//!
//! Memory is finite, so a cache needs a size bound and a rule for what to
//! throw out when it is full: the *eviction policy*. Least Recently Used (LRU)
//! evicts the entry nobody has touched for the longest time, betting that
//! what was used recently will be used again soon.
//!
//! ```text
//!   capacity 3, least recent on the left:
//!   insert a, b, c  ->  [a b c]
//!   get a           ->  [b c a]      a read refreshes recency
//!   insert d        ->  [c a d]      b evicted, not a
//! ```
//!
//! ## The problem
//!
//! The avatar service caches resized images in a `HashMap`. It never removes
//! anything, so memory grows with every user who has ever logged in until
//! the container is killed for using too much, at 3 a.m., and the cold
//! restart hammers the image store. It needs a cache that keeps the hot
//! images and drops the cold ones.
//!
//! ## Your task
//!
//! Implement `get` and `insert` of `LruCache`, with `recency` holding the keys
//! from least to most recently used. A hit in `get` makes the key the most
//! recently used. `insert` of a new key, when the cache is full, evicts the
//! least recently used entry and returns it. `insert` of a key already stored
//! replaces its value, evicts nothing, and counts as a use. Scanning the
//! `VecDeque` (O(n)) is fine here.
//!
//! The plausible mistake is FIFO: evicting the oldest *insert* because `get`
//! forgot to refresh recency. The tests catch it.
//!
//! ## When not to use it
//!
//! Do not write your own for a service: use `moka` (concurrent, size- and
//! TTL-bounded, with an eviction policy that beats plain LRU) or the `lru`
//! crate for a single-threaded O(1) LRU. A cache whose key set is small and
//! fixed (ten feature flags, a few hundred countries) needs no eviction at all.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::num::NonZeroUsize;

/// A cache of at most `capacity` entries that evicts the least recently used.
///
/// The capacity is a `NonZeroUsize`, as in the `lru` crate: a cache that can
/// hold nothing is a configuration mistake, and the type rules it out instead
/// of a panic or a silent no-op.
///
/// This version keeps recency in a `VecDeque` of keys, so `get` and `insert`
/// are O(n) in the capacity: finding a key in the queue is a scan. That is
/// fine for a few hundred entries and keeps the idea visible. A production
/// LRU is O(1): a hash map whose values are nodes of a doubly linked list
/// (the `lru` crate, Java's `LinkedHashMap`), so moving a node to the front
/// needs no scan. `moka` goes further: its TinyLFU policy also counts how
/// *often* keys are used, so one large scan of cold keys cannot flush out the
/// hot ones, which plain LRU lets happen.
struct LruCache<K, V> {
    capacity: NonZeroUsize,
    entries: HashMap<K, V>,
    /// Keys from least recently used (front) to most recently used (back).
    recency: VecDeque<K>,
}

impl<K: Eq + Hash + Clone, V> LruCache<K, V> {
    fn new(capacity: NonZeroUsize) -> Self {
        Self {
            capacity,
            entries: HashMap::with_capacity(capacity.get()),
            recency: VecDeque::with_capacity(capacity.get()),
        }
    }

    /// The value under `key`; a hit makes `key` the most recently used.
    ///
    /// `&mut self` for a read is the price of LRU: every hit changes the
    /// order. Shared across threads, that means a lock around every read,
    /// which is why concurrent caches (moka) record hits in buffers and apply
    /// them to the order in batches.
    fn get(&mut self, key: &K) -> Option<&V> {
        // TODO: on a hit, move `key` to the most recently used end of
        // `self.recency`, then return the value.
        todo!()
    }

    /// Stores `value` under `key` as the most recently used entry. When that
    /// makes the cache exceed its capacity, the least recently used entry is
    /// evicted and returned.
    fn insert(&mut self, key: K, value: V) -> Option<(K, V)> {
        // TODO: store the value; a new key goes to the most recently used end,
        // and when the cache is over capacity the least recently used entry
        // is removed and returned. A stored key is updated and becomes the
        // most recently used.
        todo!()
    }

    /// Whether `key` is cached, *without* counting as a use (for tests and
    /// metrics, which must not change what gets evicted).
    fn contains(&self, key: &K) -> bool {
        self.entries.contains_key(key)
    }

    fn len(&self) -> usize {
        self.entries.len()
    }
}

fn main() {
    // This exercise is checked by its tests.
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache_of(capacity: usize) -> LruCache<&'static str, u32> {
        LruCache::new(NonZeroUsize::new(capacity).unwrap())
    }

    #[test]
    fn holds_up_to_its_capacity() {
        let mut cache = cache_of(3);

        assert_eq!(cache.insert("a", 1), None);
        assert_eq!(cache.insert("b", 2), None);
        assert_eq!(cache.insert("c", 3), None);

        assert_eq!(cache.len(), 3);
        assert_eq!(cache.get(&"a"), Some(&1));
        assert_eq!(cache.get(&"b"), Some(&2));
        assert_eq!(cache.get(&"c"), Some(&3));
    }

    #[test]
    fn inserting_one_more_evicts_the_least_recently_used() {
        let mut cache = cache_of(3);
        cache.insert("a", 1);
        cache.insert("b", 2);
        cache.insert("c", 3);

        let evicted = cache.insert("d", 4);

        assert_eq!(evicted, Some(("a", 1)));
        assert_eq!(cache.len(), 3);
        assert!(!cache.contains(&"a"));
        assert!(cache.contains(&"d"));
    }

    #[test]
    fn a_read_protects_an_entry_from_eviction() {
        let mut cache = cache_of(3);
        cache.insert("a", 1);
        cache.insert("b", 2);
        cache.insert("c", 3);

        assert_eq!(cache.get(&"a"), Some(&1));
        let evicted = cache.insert("d", 4);

        assert_eq!(
            evicted,
            Some(("b", 2)),
            "\"a\" was just read, so \"b\" is the least recently used; evicting \"a\" is FIFO, not LRU"
        );
        assert!(cache.contains(&"a"));
    }

    #[test]
    fn recency_follows_the_order_of_reads() {
        let mut cache = cache_of(3);
        cache.insert("a", 1);
        cache.insert("b", 2);
        cache.insert("c", 3);
        cache.get(&"b");
        cache.get(&"a");
        cache.get(&"c");

        assert_eq!(cache.insert("d", 4), Some(("b", 2)));
        assert_eq!(cache.insert("e", 5), Some(("a", 1)));
        assert_eq!(cache.insert("f", 6), Some(("c", 3)));
    }

    #[test]
    fn updating_a_key_replaces_its_value_evicts_nothing_and_counts_as_a_use() {
        let mut cache = cache_of(2);
        cache.insert("a", 1);
        cache.insert("b", 2);

        assert_eq!(cache.insert("a", 10), None, "no new key, nothing to evict");
        assert_eq!(cache.len(), 2);
        assert_eq!(cache.insert("c", 3), Some(("b", 2)));
        assert_eq!(cache.get(&"a"), Some(&10));
    }

    #[test]
    fn a_miss_changes_nothing() {
        let mut cache = cache_of(2);
        cache.insert("a", 1);
        cache.insert("b", 2);

        assert_eq!(cache.get(&"zzz"), None);

        assert_eq!(cache.insert("c", 3), Some(("a", 1)));
    }

    #[test]
    fn a_cache_of_one_keeps_only_the_latest() {
        let mut cache = cache_of(1);
        cache.insert("a", 1);

        assert_eq!(cache.insert("b", 2), Some(("a", 1)));
        assert_eq!(cache.get(&"b"), Some(&2));
        assert_eq!(cache.len(), 1);
    }
}
