//! # Caching: negative caching (solution)

use std::cell::Cell;
use std::collections::HashMap;
use std::time::Duration;

/// A monotonic clock, as in `ttl_cache`.
trait Clock {
    fn now(&self) -> Duration;
}

impl<C: Clock + ?Sized> Clock for &C {
    fn now(&self) -> Duration {
        (**self).now()
    }
}

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

#[derive(Debug, Clone, PartialEq, Eq)]
struct User {
    username: String,
    display_name: String,
}

/// The store failed: a timeout, a lost connection. Not an answer about the
/// user.
#[derive(Debug, Clone, PartialEq, Eq)]
struct RepoError(String);

trait UserRepository {
    /// `Ok(None)`: there is no such user. `Err`: we do not know.
    fn find_by_username(&self, username: &str) -> Result<Option<User>, RepoError>;
}

impl<R: UserRepository + ?Sized> UserRepository for &R {
    fn find_by_username(&self, username: &str) -> Result<Option<User>, RepoError> {
        (**self).find_by_username(username)
    }
}

/// What the cache knows about a username.
///
/// An enum instead of `Option<User>`: the map lookup already returns an
/// `Option` ("is anything cached?"), and an `Option<Option<User>>` invites
/// `.flatten()` or `if let Some(Some(user))`, which turn a cached "no such
/// user" back into "not cached" and bring the database calls back. A named
/// variant cannot be confused with a miss.
#[derive(Debug, Clone)]
enum Cached {
    Found(User),
    Missing,
}

struct Entry {
    value: Cached,
    expires_at: Duration,
}

/// Looks up profiles by username, for the public profile pages.
struct UserLookup<R: UserRepository, C: Clock> {
    repo: R,
    clock: C,
    found_ttl: Duration,
    missing_ttl: Duration,
    /// Unbounded, to keep this exercise about misses. With keys an attacker
    /// chooses, a real one needs a size bound too (moka's `max_capacity`).
    cache: HashMap<String, Entry>,
}

impl<R: UserRepository, C: Clock> UserLookup<R, C> {
    fn new(repo: R, clock: C, found_ttl: Duration, missing_ttl: Duration) -> Self {
        Self {
            repo,
            clock,
            found_ttl,
            missing_ttl,
            cache: HashMap::new(),
        }
    }

    /// The user with this username, if there is one.
    fn find(&mut self, username: &str) -> Result<Option<User>, RepoError> {
        let now = self.clock.now();
        if let Some(entry) = self.cache.get(username)
            && now < entry.expires_at
        {
            return Ok(match &entry.value {
                Cached::Found(user) => Some(user.clone()),
                // A hit, not a miss: the answer "nobody" is remembered too.
                Cached::Missing => None,
            });
        }
        // Absence gets the shorter TTL. A cached `Missing` goes wrong the
        // moment someone signs up with that name, and nothing may tell the
        // cache (a signup on another instance); keeping it short bounds how
        // long a new user is invisible. The point is only to absorb bursts:
        // a bot probing `/users/admin1..admin9999`, or a page polled every
        // second for a name that does not exist.
        //
        // An error leaves through `?` before anything is cached: "the
        // database timed out" is not "there is no such user", and caching it
        // would turn a one-second outage into a `missing_ttl`-long one.
        let found = self.repo.find_by_username(username)?;
        let (value, ttl) = match &found {
            Some(user) => (Cached::Found(user.clone()), self.found_ttl),
            None => (Cached::Missing, self.missing_ttl),
        };
        self.cache.insert(
            username.to_string(),
            Entry {
                value,
                expires_at: now + ttl,
            },
        );
        Ok(found)
    }

    /// Forgets what is cached for `username`, found or missing. The signup
    /// path calls this, so that a new user is visible at once on this
    /// instance.
    fn invalidate(&mut self, username: &str) {
        self.cache.remove(username);
    }
}

fn main() {
    // This exercise is checked by its tests.
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    const FOUND_TTL: Duration = Duration::from_secs(300);
    const MISSING_TTL: Duration = Duration::from_secs(30);

    /// A store the test can add users to while the lookup holds it, and that
    /// counts every query.
    #[derive(Default)]
    struct CountingRepository {
        users: RefCell<Vec<User>>,
        loads: Cell<usize>,
        /// While set, every query fails (a timeout).
        down: Cell<bool>,
    }

    impl CountingRepository {
        fn add(&self, user: User) {
            self.users.borrow_mut().push(user);
        }
    }

    impl UserRepository for CountingRepository {
        fn find_by_username(&self, username: &str) -> Result<Option<User>, RepoError> {
            self.loads.set(self.loads.get() + 1);
            if self.down.get() {
                return Err(RepoError("query timed out".to_string()));
            }
            Ok(self
                .users
                .borrow()
                .iter()
                .find(|u| u.username == username)
                .cloned())
        }
    }

    fn user(username: &str) -> User {
        User {
            username: username.to_string(),
            display_name: username.to_uppercase(),
        }
    }

    #[test]
    fn a_found_user_is_loaded_once() {
        let repo = CountingRepository::default();
        repo.add(user("ada"));
        let clock = FakeClock::default();
        let mut lookup = UserLookup::new(&repo, &clock, FOUND_TTL, MISSING_TTL);

        assert_eq!(lookup.find("ada").unwrap(), Some(user("ada")));
        assert_eq!(lookup.find("ada").unwrap(), Some(user("ada")));

        assert_eq!(repo.loads.get(), 1);
    }

    #[test]
    fn a_missing_user_is_looked_up_once_within_the_negative_ttl() {
        let repo = CountingRepository::default();
        let clock = FakeClock::default();
        let mut lookup = UserLookup::new(&repo, &clock, FOUND_TTL, MISSING_TTL);

        for _ in 0..5 {
            assert_eq!(lookup.find("admin").unwrap(), None);
        }

        assert_eq!(
            repo.loads.get(),
            1,
            "a cached \"no such user\" must be a hit, not a miss that queries again"
        );
    }

    #[test]
    fn a_cached_miss_expires_after_the_shorter_ttl() {
        let repo = CountingRepository::default();
        let clock = FakeClock::default();
        let mut lookup = UserLookup::new(&repo, &clock, FOUND_TTL, MISSING_TTL);
        assert_eq!(lookup.find("grace").unwrap(), None);
        repo.add(user("grace"));

        clock.advance(MISSING_TTL - Duration::from_millis(1));
        assert_eq!(
            lookup.find("grace").unwrap(),
            None,
            "the miss is still cached"
        );

        clock.advance(Duration::from_millis(1));
        assert_eq!(
            lookup.find("grace").unwrap(),
            Some(user("grace")),
            "after the negative TTL the new user must be found"
        );
        assert_eq!(repo.loads.get(), 2);
    }

    #[test]
    fn a_found_user_stays_cached_for_the_longer_ttl() {
        let repo = CountingRepository::default();
        repo.add(user("ada"));
        let clock = FakeClock::default();
        let mut lookup = UserLookup::new(&repo, &clock, FOUND_TTL, MISSING_TTL);
        lookup.find("ada").unwrap();

        clock.advance(MISSING_TTL);
        lookup.find("ada").unwrap();
        assert_eq!(repo.loads.get(), 1, "30 s is within a found user's TTL");

        clock.advance(FOUND_TTL - MISSING_TTL);
        assert_eq!(lookup.find("ada").unwrap(), Some(user("ada")));
        assert_eq!(repo.loads.get(), 2, "after 300 s the user is loaded again");
    }

    #[test]
    fn misses_are_cached_per_username() {
        let repo = CountingRepository::default();
        let clock = FakeClock::default();
        let mut lookup = UserLookup::new(&repo, &clock, FOUND_TTL, MISSING_TTL);

        lookup.find("admin").unwrap();
        lookup.find("root").unwrap();
        lookup.find("admin").unwrap();
        lookup.find("root").unwrap();

        assert_eq!(repo.loads.get(), 2);
    }

    #[test]
    fn invalidating_a_username_forgets_a_cached_miss() {
        let repo = CountingRepository::default();
        let clock = FakeClock::default();
        let mut lookup = UserLookup::new(&repo, &clock, FOUND_TTL, MISSING_TTL);
        assert_eq!(lookup.find("linus").unwrap(), None);

        repo.add(user("linus"));
        lookup.invalidate("linus");

        assert_eq!(lookup.find("linus").unwrap(), Some(user("linus")));
    }

    #[test]
    fn a_repository_error_is_passed_on_and_not_cached_as_missing() {
        let repo = CountingRepository::default();
        repo.add(user("ada"));
        let clock = FakeClock::default();
        let mut lookup = UserLookup::new(&repo, &clock, FOUND_TTL, MISSING_TTL);

        repo.down.set(true);
        let during_outage = lookup.find("ada");
        repo.down.set(false);
        let after_outage = lookup.find("ada");

        assert_eq!(during_outage, Err(RepoError("query timed out".to_string())));
        assert_eq!(
            after_outage,
            Ok(Some(user("ada"))),
            "the outage ended; a cached \"missing\" would still hide Ada"
        );
        assert_eq!(repo.loads.get(), 2);
    }
}
