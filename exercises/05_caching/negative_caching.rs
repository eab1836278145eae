//! # Caching: negative caching
//!
//! Negative caching remembers that something does *not* exist. Without it,
//! every lookup of a missing key is a cache miss, and goes to the database.
//!
//! ## The problem
//!
//! Public profile pages live at `/users/{username}` and are cached for five
//! minutes. A bot probes `/users/admin`, `/users/root`, `/users/test` a
//! hundred times a second. None of them exist, so nothing is ever cached, and
//! every probe is a database query: the cache protects the database from
//! everyone except the traffic it most needs protection from.
//!
//! The tempting fix has its own trap. Store `Option<User>` in the map, and a
//! lookup returns `Option<Option<User>>`; one `.flatten()`, or an
//! `if let Some(Some(user))`, and a cached "no such user" looks exactly like
//! "not cached" again.
//!
//! ## Your task
//!
//! `UserLookup::find` caches found users only. Make it cache the answer "no
//! such user" as well:
//!
//! 1. Let an `Entry` hold either a user or the fact that there is none. An
//!    enum with a `Missing` variant says it best.
//! 2. A cached miss is a hit: `find` returns `None` without asking the
//!    repository.
//! 3. A miss is cached for `missing_ttl` (30 s in the tests), a found user for
//!    `found_ttl` (300 s). As in `ttl_cache`, an entry is expired from exactly
//!    `inserted + ttl` on.
//! 4. A repository error is not an answer: `find` passes it on and caches
//!    nothing, so the next lookup asks again.
//!
//! ## When not to use it
//!
//! A cached miss hides whatever is created after it until it expires: a user
//! who just signed up gets "not found" on their own profile. Keep the negative
//! TTL short, and invalidate on create where you can (`invalidate` here). Do
//! not cache failures (a timeout is not "missing"): that turns a one-second
//! outage into a 30-second one. And when the key space is open-ended and
//! attacker-chosen, every probe adds an entry: bound the cache's size, or
//! filter impossible keys first (a Bloom filter, or a format check).

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

// TODO: an entry must also be able to say "there is no such user".
struct Entry {
    user: User,
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
            return Ok(Some(entry.user.clone()));
        }
        // TODO: a user who does not exist is not cached, so every lookup of a
        // missing name queries the repository again. Cache the miss too, for
        // `self.missing_ttl`. (An error is not a miss: pass it on, uncached.)
        let Some(user) = self.repo.find_by_username(username)? else {
            return Ok(None);
        };
        self.cache.insert(
            username.to_string(),
            Entry {
                user: user.clone(),
                expires_at: now + self.found_ttl,
            },
        );
        Ok(Some(user))
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
