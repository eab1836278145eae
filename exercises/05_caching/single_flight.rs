//! # Caching: stampede protection with single-flight
//!
//! When a popular entry expires, every request that arrives before it is
//! reloaded misses at the same moment, and every one of them runs the same
//! expensive load: a *cache stampede* (or "thundering herd"). Single-flight
//! lets the first miss load, makes the others wait for that one load, and
//! hands them all its result.
//!
//! ```text
//!   thread 1: miss ──> load ─────────────────> value ──┬──> 42
//!   thread 2: miss ──> wait for thread 1's load ───────┼──> 42
//!   thread 3: miss ──> wait for thread 1's load ───────┘──> 42
//! ```
//!
//! ## The problem
//!
//! The home page shows exchange rates from a report that takes two seconds
//! to compute. The cached rates expire every minute, and at that moment 300
//! requests in flight all miss and all start the report: the database sees 300
//! copies of its heaviest query at once, slows down, and the next minute is
//! worse. Check-then-load ("not in the map? load it, then insert") does not
//! help: all 300 check before the first one inserts.
//!
//! ## Your task
//!
//! Implement `LoadingCache::get_with(key, load)`, std only:
//!
//! - Concurrent callers for the same missing key run `load` once; the others
//!   block until it finishes and return the same value.
//! - A key that is loaded is served without calling `load`.
//! - A slow load of one key must not block callers of another key: do not
//!   hold the map's `Mutex` while loading.
//!
//! You may change the type of `slots`: a map of finished values cannot make a
//! caller wait for a load that is still running.
//!
//! The tests start 8 threads together and count the loads, then repeat a
//! shorter stampede of 16 threads a few hundred times. Two of them take a
//! tenth of a second each by design (their doc comment says why).
//!
//! On purpose, this cache never expires or evicts anything: it fits values
//! that do not change while the process runs. For the story above, the slot
//! must be replaced when its value expires (callers already waiting on the
//! old slot keep their handle to it), and a loader returning `Result` must
//! not keep its `Err`: a slot that can only be filled once would serve that
//! error forever.
//!
//! ## When not to use it
//!
//! Cheap loads do not need it: ten concurrent primary-key lookups are not a
//! stampede. Single-flight only coalesces within one process; 40 instances
//! still run 40 loads (add a distributed lock, or refresh hot keys in the
//! background before they expire). In a real service, `moka`'s `get_with`
//! coalesces for you, in both its sync and its async cache.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;

/// A cache that loads each key at most once, however many threads miss it
/// at the same time.
struct LoadingCache<K, V> {
    // TODO: a map of values cannot make callers wait for a load in progress.
    // What could each key hold instead?
    slots: Mutex<HashMap<K, V>>,
}

impl<K: Eq + Hash + Clone, V: Clone> LoadingCache<K, V> {
    fn new() -> Self {
        Self {
            slots: Mutex::new(HashMap::new()),
        }
    }

    /// The value under `key`, running `load` only if no one has loaded it
    /// and no one is loading it right now.
    fn get_with(&self, key: K, load: impl FnOnce(&K) -> V) -> V {
        // TODO: load each key once, even when many threads miss it at once,
        // without holding the map's lock while loading.
        todo!()
    }
}

fn main() {
    // This exercise is checked by its tests.
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Barrier, Condvar};
    use std::thread;
    use std::time::Duration;

    const THREADS: usize = 8;

    /// Counts events (threads arriving, loads starting) and lets a thread
    /// wait until a count is reached.
    #[derive(Default)]
    struct Counter {
        count: Mutex<usize>,
        changed: Condvar,
    }

    impl Counter {
        fn bump(&self) {
            *self.count.lock().unwrap() += 1;
            self.changed.notify_all();
        }

        /// Waits until the count reaches `n`, or `timeout` passes; returns
        /// whether it was reached.
        fn wait_for(&self, n: usize, timeout: Duration) -> bool {
            let count = self.count.lock().unwrap();
            let (count, _) = self
                .changed
                .wait_timeout_while(count, timeout, |count| *count < n)
                .unwrap();
            *count >= n
        }
    }

    /// Runs `THREADS` threads that all ask for `"rates"` at once, with a
    /// loader that cannot finish before every thread has arrived at the
    /// cache. Returns each thread's result and how many loads ran.
    ///
    /// How this stays deterministic without `sleep`: every thread bumps
    /// `arrived` right before calling `get_with`, and the loader first waits
    /// until all have. So while the first load runs, every other thread is
    /// at the cache: a correct cache makes them wait for that load, a naive
    /// one starts a load of its own. The loader then gives the other loads
    /// a grace period to show up. A correct cache never has them, so it
    /// always waits out the grace period, and its result does not depend on
    /// the period's length; only a wrong cache can finish earlier.
    fn stampede(cache: &LoadingCache<&'static str, u64>) -> (Vec<u64>, usize) {
        let start = Barrier::new(THREADS);
        let arrived = Counter::default();
        let loading = Counter::default();
        let loads = AtomicUsize::new(0);
        let results = thread::scope(|s| {
            let handles: Vec<_> = (0..THREADS)
                .map(|_| {
                    s.spawn(|| {
                        start.wait();
                        arrived.bump();
                        cache.get_with("rates", |_| {
                            loads.fetch_add(1, Ordering::SeqCst);
                            loading.bump();
                            assert!(arrived.wait_for(THREADS, Duration::from_secs(10)));
                            loading.wait_for(THREADS, Duration::from_millis(100));
                            42
                        })
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|handle| handle.join().unwrap())
                .collect()
        });
        (results, loads.load(Ordering::SeqCst))
    }

    #[test]
    fn concurrent_misses_for_one_key_run_one_load() {
        let cache = LoadingCache::new();

        let (_, loads) = stampede(&cache);

        assert_eq!(
            loads, 1,
            "{THREADS} threads missed at once; one should load, the rest wait for it"
        );

        // A cache that looks the slot up under one locking and creates it
        // under another lets two threads both miss, but only when a thread
        // slips in between the two: rarely. Many short stampedes with twice
        // the threads catch it every time (each round takes about a
        // millisecond; a correct cache passes all of them).
        for round in 1..=ROUNDS {
            let loads = quick_stampede(&LoadingCache::new());
            assert_eq!(
                loads, 1,
                "round {round}: {QUICK_THREADS} threads missed at once and {loads} loads ran; \
                 find or create the key's slot in one locking of the map"
            );
        }
    }

    const ROUNDS: usize = 300;
    const QUICK_THREADS: usize = 16;

    /// `QUICK_THREADS` threads released together ask for one key; returns how
    /// many loads ran. No waiting inside the loader: a thread that missed loads
    /// however late it gets there, so the count is final once all are joined.
    fn quick_stampede(cache: &LoadingCache<&'static str, u64>) -> usize {
        let start = Barrier::new(QUICK_THREADS);
        let loads = AtomicUsize::new(0);
        thread::scope(|s| {
            for _ in 0..QUICK_THREADS {
                s.spawn(|| {
                    start.wait();
                    cache.get_with("rates", |_| {
                        loads.fetch_add(1, Ordering::SeqCst);
                        thread::yield_now();
                        42
                    })
                });
            }
        });
        loads.load(Ordering::SeqCst)
    }

    #[test]
    fn every_waiting_caller_gets_the_loaded_value() {
        let cache = LoadingCache::new();

        let (results, _) = stampede(&cache);

        assert_eq!(results, vec![42; THREADS]);
    }

    #[test]
    fn a_loaded_value_is_served_without_loading_again() {
        let cache = LoadingCache::new();
        let loads = AtomicUsize::new(0);
        let load = |key: &&str| {
            loads.fetch_add(1, Ordering::SeqCst);
            key.len()
        };

        assert_eq!(cache.get_with("kettle", load), 6);
        assert_eq!(cache.get_with("kettle", load), 6);
        assert_eq!(cache.get_with("pot", load), 3);

        assert_eq!(loads.load(Ordering::SeqCst), 2, "one load per key");
    }

    #[test]
    fn a_slow_load_of_one_key_does_not_block_another_key() {
        let cache: LoadingCache<&str, &str> = LoadingCache::new();
        let a_loading = Counter::default();
        let b_loaded = Counter::default();

        let a = thread::scope(|s| {
            let a = s.spawn(|| {
                cache.get_with("a", |_| {
                    a_loading.bump();
                    // "a" finishes only once "b" has been loaded meanwhile.
                    // A cache that holds one lock during every load makes
                    // "b" wait for "a": then this gives up after 2 s.
                    if b_loaded.wait_for(1, Duration::from_secs(2)) {
                        "a"
                    } else {
                        "a, but b was blocked behind it"
                    }
                })
            });
            s.spawn(|| {
                // If "a" never starts loading, its thread has failed, and
                // joining it below reports why.
                if a_loading.wait_for(1, Duration::from_secs(2)) {
                    cache.get_with("b", |_| "b");
                    b_loaded.bump();
                }
            });
            a.join().unwrap()
        });

        assert_eq!(a, "a", "loading \"b\" had to wait for the load of \"a\"");
    }
}
