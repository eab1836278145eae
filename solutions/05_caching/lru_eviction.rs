//! # Caching: a bounded cache with LRU eviction (solution)

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
        if !self.entries.contains_key(key) {
            return None;
        }
        self.touch(key);
        self.entries.get(key)
    }

    /// Stores `value` under `key` as the most recently used entry. When that
    /// makes the cache exceed its capacity, the least recently used entry is
    /// evicted and returned.
    fn insert(&mut self, key: K, value: V) -> Option<(K, V)> {
        if self.entries.insert(key.clone(), value).is_some() {
            // An update replaces in place: the size does not change, so
            // nothing is evicted, but it counts as a use.
            self.touch(&key);
            return None;
        }
        self.recency.push_back(key);
        if self.entries.len() <= self.capacity.get() {
            return None;
        }
        let oldest = self.recency.pop_front()?;
        let value = self.entries.remove(&oldest)?;
        Some((oldest, value))
    }

    /// Whether `key` is cached, *without* counting as a use (for tests and
    /// metrics, which must not change what gets evicted).
    fn contains(&self, key: &K) -> bool {
        self.entries.contains_key(key)
    }

    fn len(&self) -> usize {
        self.entries.len()
    }

    /// Moves `key` to the most recently used end.
    fn touch(&mut self, key: &K) {
        if let Some(position) = self.recency.iter().position(|k| k == key)
            && let Some(k) = self.recency.remove(position)
        {
            self.recency.push_back(k);
        }
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
