//! # Caching: a TTL cache with an injected clock (solution)

use std::cell::Cell;
use std::collections::HashMap;
use std::hash::Hash;
use std::time::{Duration, Instant};

/// A monotonic clock: the time elapsed since some fixed starting point.
///
/// Caches measure *durations*, so they want a clock that only moves forward.
/// Wall-clock time (`SystemTime`) jumps when NTP corrects it; an entry could
/// then live for hours, or die at once. `Instant` never goes backwards.
trait Clock {
    fn now(&self) -> Duration;
}

/// Lets a cache borrow a clock the caller keeps, so a test can advance it.
impl<C: Clock + ?Sized> Clock for &C {
    fn now(&self) -> Duration {
        (**self).now()
    }
}

/// The real clock, for production.
struct SystemClock {
    start: Instant,
}

impl SystemClock {
    fn new() -> Self {
        Self {
            start: Instant::now(),
        }
    }
}

impl Clock for SystemClock {
    fn now(&self) -> Duration {
        self.start.elapsed()
    }
}

/// A clock that moves only when a test says so.
#[derive(Default)]
struct FakeClock {
    now: Cell<Duration>,
}

impl FakeClock {
    fn advance(&self, by: Duration) {
        self.now.set(self.now.get() + by);
    }
}

impl Clock for FakeClock {
    fn now(&self) -> Duration {
        self.now.get()
    }
}

struct Entry<V> {
    value: V,
    /// The first instant at which the entry is no longer served.
    expires_at: Duration,
}

/// A cache whose entries are served for `ttl` after they were inserted.
///
/// The contract: an entry inserted at `t` is served while `now < t + ttl` and
/// is expired from `t + ttl` on. A TTL of 60 s means "at most 60 s old", and
/// the boundary belongs to the expired side.
struct TtlCache<K, V, C: Clock> {
    entries: HashMap<K, Entry<V>>,
    ttl: Duration,
    clock: C,
}

impl<K: Eq + Hash, V, C: Clock> TtlCache<K, V, C> {
    fn new(ttl: Duration, clock: C) -> Self {
        Self {
            entries: HashMap::new(),
            ttl,
            clock,
        }
    }

    /// Stores `value` under `key`; inserting again restarts the entry's TTL.
    fn insert(&mut self, key: K, value: V) {
        // The deadline is computed once, at insert time, so that `get` is a
        // single comparison and a change of `ttl` would not rewrite history.
        // Saturating: `+` panics on overflow, and a TTL of `Duration::MAX`
        // means "never expires", which `Duration::MAX` as a deadline is, for
        // the next 584 billion years.
        let expires_at = self.clock.now().saturating_add(self.ttl);
        self.entries.insert(key, Entry { value, expires_at });
    }

    /// The value under `key`, unless it is missing or expired.
    fn get(&self, key: &K) -> Option<&V> {
        // Expiry is decided on every read, not by a background sweep: an
        // expired entry may still sit in the map (no one has purged it yet),
        // and it must never be served. `<` puts the boundary instant on the
        // expired side, as the contract says; `<=` would serve one instant
        // too long, and that off-by-one is exactly what the tests pin.
        let now = self.clock.now();
        self.entries
            .get(key)
            .filter(|entry| now < entry.expires_at)
            .map(|entry| &entry.value)
    }

    /// Drops every expired entry and returns how many there were.
    ///
    /// `get` only hides expired entries; without a purge, keys that are never
    /// read again would stay in memory forever. A service calls this from a
    /// periodic task, or on insert every so often.
    fn purge_expired(&mut self) -> usize {
        let now = self.clock.now();
        let before = self.entries.len();
        self.entries.retain(|_, entry| now < entry.expires_at);
        before - self.entries.len()
    }

    /// How many entries are held in memory, expired or not.
    fn stored_len(&self) -> usize {
        self.entries.len()
    }
}

fn main() {
    // This exercise is checked by its tests. In a service the cache would be
    // built over the real clock:
    let mut cache = TtlCache::new(Duration::from_secs(60), SystemClock::new());
    cache.insert("greeting", "hello");
    assert_eq!(cache.get(&"greeting"), Some(&"hello"));
}

#[cfg(test)]
mod tests {
    use super::*;

    const TTL: Duration = Duration::from_secs(60);

    #[test]
    fn a_fresh_entry_is_served() {
        let clock = FakeClock::default();
        let mut cache = TtlCache::new(TTL, &clock);

        cache.insert("ada", 36);

        assert_eq!(cache.get(&"ada"), Some(&36));
        assert_eq!(cache.get(&"grace"), None, "a key never inserted is a miss");
    }

    #[test]
    fn an_entry_is_still_served_just_before_its_ttl_ends() {
        let clock = FakeClock::default();
        let mut cache = TtlCache::new(TTL, &clock);
        cache.insert("ada", 36);

        clock.advance(TTL - Duration::from_millis(1));

        assert_eq!(cache.get(&"ada"), Some(&36));
    }

    #[test]
    fn an_entry_expires_exactly_at_insert_time_plus_ttl() {
        let clock = FakeClock::default();
        clock.advance(Duration::from_secs(1_000));
        let mut cache = TtlCache::new(TTL, &clock);
        cache.insert("ada", 36);

        clock.advance(TTL);

        assert_eq!(
            cache.get(&"ada"),
            None,
            "at inserted + ttl the entry is expired: the boundary is not served"
        );
    }

    #[test]
    fn an_entry_is_gone_long_after_its_ttl() {
        let clock = FakeClock::default();
        let mut cache = TtlCache::new(TTL, &clock);
        cache.insert("ada", 36);

        clock.advance(Duration::from_secs(3_600));

        assert_eq!(cache.get(&"ada"), None);
    }

    #[test]
    fn an_expired_entry_is_not_served_although_it_is_still_stored() {
        let clock = FakeClock::default();
        let mut cache = TtlCache::new(TTL, &clock);
        cache.insert("ada", 36);

        clock.advance(TTL + Duration::from_secs(1));

        assert_eq!(cache.stored_len(), 1, "nothing has purged the entry yet");
        assert_eq!(cache.get(&"ada"), None);
    }

    #[test]
    fn inserting_again_restarts_the_ttl() {
        let clock = FakeClock::default();
        let mut cache = TtlCache::new(TTL, &clock);
        cache.insert("ada", 36);
        clock.advance(Duration::from_secs(50));

        cache.insert("ada", 37);
        clock.advance(Duration::from_secs(50));

        assert_eq!(
            cache.get(&"ada"),
            Some(&37),
            "the second insert was 50 s ago, within the 60 s TTL"
        );
        clock.advance(Duration::from_secs(10));
        assert_eq!(cache.get(&"ada"), None);
    }

    #[test]
    fn purging_drops_only_the_expired_entries() {
        let clock = FakeClock::default();
        let mut cache = TtlCache::new(TTL, &clock);
        cache.insert("old", 1);
        clock.advance(Duration::from_secs(30));
        cache.insert("new", 2);
        clock.advance(Duration::from_secs(30));

        let purged = cache.purge_expired();

        assert_eq!(purged, 1, "\"old\" reached its TTL, \"new\" is 30 s old");
        assert_eq!(cache.stored_len(), 1);
        assert_eq!(cache.get(&"new"), Some(&2));
        assert_eq!(cache.purge_expired(), 0);
    }

    #[test]
    fn a_ttl_too_long_to_add_never_expires_and_does_not_panic() {
        let clock = FakeClock::default();
        clock.advance(Duration::from_secs(1));
        let mut cache = TtlCache::new(Duration::MAX, &clock);

        cache.insert("config", 1);
        clock.advance(Duration::from_secs(10 * 365 * 24 * 3600));

        assert_eq!(cache.get(&"config"), Some(&1));
        assert_eq!(cache.purge_expired(), 0);
        cache.insert("flags", 2);
        assert_eq!(cache.stored_len(), 2);
    }
}
