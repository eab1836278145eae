//! # Caching: stampede protection with single-flight (solution)

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, OnceLock};

/// A cache that loads each key at most once, however many threads miss it
/// at the same time.
///
/// Each key has a slot, an `Arc<OnceLock<V>>`. The map's mutex is held only
/// long enough to find or create the slot, never during a load, so a slow
/// load of one key does not block readers of another. The slot's `OnceLock`
/// does the coalescing: the first caller of `get_or_init` runs the loader,
/// and everyone else who arrives meanwhile blocks until it is done and then
/// reads the same value.
///
/// Simplified on purpose: nothing expires and nothing is evicted, so this
/// suits values that never change while the process runs. A real loading
/// cache (moka's `get_with`) replaces the slot once its value expires;
/// callers still waiting on the old slot keep their `Arc` to it.
struct LoadingCache<K, V> {
    slots: Mutex<HashMap<K, Arc<OnceLock<V>>>>,
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
        let slot = {
            // Poisoning would mean a panic while the map itself was being
            // changed; inserting an empty slot cannot leave it inconsistent.
            let mut slots = self
                .slots
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            // The slot is created under the lock, so all concurrent callers
            // for `key` get the *same* `OnceLock`: that is what makes them
            // one flight. The clone of the `Arc` lets us drop the map lock
            // before loading.
            Arc::clone(slots.entry(key.clone()).or_default())
        };
        // If `load` panics, the `OnceLock` stays empty and the next caller
        // tries again: a failed load is not cached. A loader that returns
        // `Result` is different: its `Err` is a value, and a `OnceLock` keeps
        // it for good. A fallible loading cache must drop the slot after an
        // `Err` (moka's `try_get_with` shares the error with the waiters of
        // that one flight, then forgets it).
        slot.get_or_init(|| load(&key)).clone()
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
