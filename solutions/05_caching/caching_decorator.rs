//! # Caching: a caching decorator over the repository, with moka (solution)

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use moka::sync::Cache;

/// At most this many users are cached; moka evicts the least useful beyond.
const MAX_ENTRIES: u64 = 10_000;

/// A cached user is served for at most this long after it was loaded.
const TIME_TO_LIVE: Duration = Duration::from_secs(5 * 60);

/// The namespace and version of every key the decorator writes.
const KEY_PREFIX: &str = "user:v2";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct UserId(u64);

#[derive(Debug, Clone, PartialEq, Eq)]
struct User {
    id: UserId,
    email: String,
    name: String,
}

// ---- The port and the database (do not change) ---------------------------

/// How the database compares emails (its collation): surrounding spaces
/// ignored, ASCII letters in any case. "Ada@Example.com " finds
/// "ada@example.com"; "ÄDA@x" does not find "äda@x".
fn normalise_email(email: &str) -> String {
    email.trim().to_ascii_lowercase()
}

trait UserRepository {
    fn find_by_id(&self, id: UserId) -> Option<User>;
    /// The user whose email equals `email` after `normalise_email`.
    fn find_by_email(&self, email: &str) -> Option<User>;
    /// The stored user, for a write to be based on: never from a cache.
    fn find_for_update(&self, id: UserId) -> Option<User>;
    /// Inserts the user, or replaces the one with the same id.
    fn save(&self, user: User);
    /// Removes the user; `false` if there was none.
    fn delete(&self, id: UserId) -> bool;
}

/// Lets a caller lend a repository and keep it (the tests keep the database
/// to look into it).
impl<R: UserRepository + ?Sized> UserRepository for &R {
    fn find_by_id(&self, id: UserId) -> Option<User> {
        (**self).find_by_id(id)
    }
    fn find_by_email(&self, email: &str) -> Option<User> {
        (**self).find_by_email(email)
    }
    fn find_for_update(&self, id: UserId) -> Option<User> {
        (**self).find_for_update(id)
    }
    fn save(&self, user: User) {
        (**self).save(user);
    }
    fn delete(&self, id: UserId) -> bool {
        (**self).delete(id)
    }
}

/// The database, in memory. It counts the reads that reach it.
#[derive(Default)]
struct InMemoryUsers {
    users: Mutex<Vec<User>>,
    reads: AtomicUsize,
}

impl InMemoryUsers {
    fn with(users: &[User]) -> Self {
        let db = Self::default();
        for user in users {
            db.save(user.clone());
        }
        db
    }

    /// How many `find_*` calls reached the database.
    fn reads(&self) -> usize {
        self.reads.load(Ordering::SeqCst)
    }

    fn find(&self, matches: impl Fn(&User) -> bool) -> Option<User> {
        self.reads.fetch_add(1, Ordering::SeqCst);
        let users = self.users.lock().unwrap_or_else(PoisonError::into_inner);
        users.iter().find(|user| matches(user)).cloned()
    }
}

impl UserRepository for InMemoryUsers {
    fn find_by_id(&self, id: UserId) -> Option<User> {
        self.find(|user| user.id == id)
    }
    fn find_by_email(&self, email: &str) -> Option<User> {
        let email = normalise_email(email);
        self.find(|user| normalise_email(&user.email) == email)
    }
    fn find_for_update(&self, id: UserId) -> Option<User> {
        self.find(|user| user.id == id)
    }
    fn save(&self, user: User) {
        let mut users = self.users.lock().unwrap_or_else(PoisonError::into_inner);
        users.retain(|stored| stored.id != user.id);
        users.push(user);
    }
    fn delete(&self, id: UserId) -> bool {
        let mut users = self.users.lock().unwrap_or_else(PoisonError::into_inner);
        let before = users.len();
        users.retain(|stored| stored.id != id);
        users.len() < before
    }
}

// ---- The service (do not change) -----------------------------------------

/// Knows the port, nothing else: given the decorator or the database, it
/// cannot tell, and it needs no change to be cached.
struct UserService<R> {
    users: R,
}

impl<R: UserRepository> UserService<R> {
    fn new(users: R) -> Self {
        Self { users }
    }

    fn profile(&self, id: UserId) -> Option<User> {
        self.users.find_by_id(id)
    }

    fn lookup_email(&self, email: &str) -> Option<User> {
        self.users.find_by_email(email)
    }

    /// Load, change, save: on the stored row, never on a cached copy, or
    /// the save writes back whatever was stale in it.
    fn change_email(&self, id: UserId, email: &str) -> Option<User> {
        let mut user = self.users.find_for_update(id)?;
        user.email = email.trim().to_string();
        self.users.save(user.clone());
        Some(user)
    }

    fn close_account(&self, id: UserId) -> bool {
        self.users.delete(id)
    }
}

// ---- The decorator -------------------------------------------------------

/// The key of a lookup by id: `user:v2:id:42`.
///
/// `user` is the namespace: it keeps users apart from whatever else shares
/// the cache (in a shared Redis, every service's ids), and it makes keys
/// readable on an ops screen. `v2` is the version of what a key holds:
/// bump it when the cached value changes shape or meaning, and no entry
/// written under the old meaning is read again (they age out by TTL). `id`
/// and `email` keep the two lookups apart.
fn id_key(id: UserId) -> String {
    format!("{KEY_PREFIX}:id:{}", id.0)
}

/// The key of a lookup by email: `user:v2:email:ada@example.com`.
///
/// Normalised with the database's own rule, so that two lookups share an
/// entry exactly when the database would answer them with the same row. A
/// looser rule (`to_lowercase`, which also folds "Ä") would serve a user
/// the database would not have found; a stricter one (the email as typed)
/// caches the same user once per spelling, and a write forgets only one of
/// them.
fn email_key(email: &str) -> String {
    format!("{KEY_PREFIX}:email:{}", normalise_email(email))
}

/// A `UserRepository` that answers lookups from a moka cache and passes
/// everything else to the repository it wraps.
///
/// It implements the port and holds the port, so it slides between the
/// service and the database without either knowing: the composition root
/// decides whether there is a cache, and the caching policy (what, how
/// long, what a write forgets) lives in this one type.
struct CachedUsers<R> {
    inner: R,
    cache: Cache<String, User>,
}

impl<R: UserRepository> CachedUsers<R> {
    fn new(inner: R) -> Self {
        // Bounded twice: by size, or the cache grows with every user ever
        // looked up; by time, to bound the staleness of the writes this
        // decorator never sees (another instance, a fix made in SQL).
        let cache = Cache::builder()
            .max_capacity(MAX_ENTRIES)
            .time_to_live(TIME_TO_LIVE)
            .build();
        Self { inner, cache }
    }

    /// The cache itself, for the tests (and an ops endpoint) to look into.
    fn cache(&self) -> &Cache<String, User> {
        &self.cache
    }

    /// Drops every key under which `user` may be cached.
    fn forget(&self, user: &User) {
        self.cache.invalidate(&id_key(user.id));
        self.cache.invalidate(&email_key(&user.email));
    }
}

impl<R: UserRepository> UserRepository for CachedUsers<R> {
    fn find_by_id(&self, id: UserId) -> Option<User> {
        // Read-through: a miss loads and keeps the user; `None` is not
        // kept, so a user who signs up a second later is found. moka runs
        // one load per key when several threads miss it at once.
        self.cache
            .optionally_get_with(id_key(id), || self.inner.find_by_id(id))
    }

    fn find_by_email(&self, email: &str) -> Option<User> {
        self.cache
            .optionally_get_with(email_key(email), || self.inner.find_by_email(email))
    }

    fn find_for_update(&self, id: UserId) -> Option<User> {
        // The one read that must not be cached: a write based on a cached
        // copy writes back whatever changed in the database since.
        self.inner.find_for_update(id)
    }

    fn save(&self, user: User) {
        // The stored version says which email the user had: its key must go
        // too, or a lookup by the old address keeps finding this user. The
        // cache cannot say (the user may be cached by email only).
        let before = self.inner.find_for_update(user.id);
        self.inner.save(user.clone());
        // After the write: a reader in between would reload the old row.
        if let Some(before) = before {
            self.forget(&before);
        }
        self.forget(&user);
    }

    fn delete(&self, id: UserId) -> bool {
        let before = self.inner.find_for_update(id);
        let deleted = self.inner.delete(id);
        match before {
            Some(before) => self.forget(&before),
            // Nothing stored, yet this cache may still hold the user by id
            // (another instance deleted the row first): that key goes anyway.
            None => self.cache.invalidate(&id_key(id)),
        }
        deleted
    }
}

fn main() {
    // This exercise is checked by its tests.
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ada() -> User {
        User {
            id: UserId(1),
            email: "ada@example.com".to_string(),
            name: "Ada".to_string(),
        }
    }

    fn grace() -> User {
        User {
            id: UserId(2),
            email: "Grace@Example.com".to_string(),
            name: "Grace".to_string(),
        }
    }

    fn keys(cached: &CachedUsers<&InMemoryUsers>) -> Vec<String> {
        let mut keys: Vec<String> = cached
            .cache()
            .iter()
            .map(|(key, _)| key.to_string())
            .collect();
        keys.sort();
        keys
    }

    #[test]
    fn a_second_lookup_by_id_is_served_from_the_cache() {
        let db = InMemoryUsers::with(&[ada()]);
        let cached = CachedUsers::new(&db);
        let service = UserService::new(&cached);

        assert_eq!(service.profile(UserId(1)), Some(ada()));
        assert_eq!(service.profile(UserId(1)), Some(ada()));

        assert_eq!(
            db.reads(),
            1,
            "the second lookup must not reach the database"
        );
    }

    #[test]
    fn lookups_by_email_share_an_entry_whatever_the_case_and_spaces() {
        let db = InMemoryUsers::with(&[ada()]);
        let cached = CachedUsers::new(&db);
        let service = UserService::new(&cached);

        assert_eq!(service.lookup_email("ada@example.com"), Some(ada()));
        assert_eq!(service.lookup_email(" Ada@Example.COM "), Some(ada()));

        assert_eq!(
            db.reads(),
            1,
            "the database treats both spellings as one email, so the cache must too"
        );
    }

    #[test]
    fn keys_are_namespaced_versioned_and_normalised() {
        let db = InMemoryUsers::with(&[ada(), grace()]);
        let cached = CachedUsers::new(&db);
        let service = UserService::new(&cached);

        service.profile(UserId(1));
        service.lookup_email("  GRACE@example.com");

        assert_eq!(
            keys(&cached),
            ["user:v2:email:grace@example.com", "user:v2:id:1"]
        );
    }

    #[test]
    fn an_entry_under_an_older_key_version_is_never_served() {
        let db = InMemoryUsers::with(&[ada()]);
        let cached = CachedUsers::new(&db);
        let stale = User {
            name: "Ada (cached by the previous release)".to_string(),
            ..ada()
        };
        for old_key in ["user:v1:id:1", "user:1", "1"] {
            cached.cache().insert(old_key.to_string(), stale.clone());
        }
        let service = UserService::new(&cached);

        assert_eq!(service.profile(UserId(1)), Some(ada()));
    }

    #[test]
    fn a_user_who_is_not_there_is_not_cached() {
        let db = InMemoryUsers::with(&[ada()]);
        let cached = CachedUsers::new(&db);
        let service = UserService::new(&cached);

        assert_eq!(service.profile(UserId(2)), None);
        db.save(grace());

        assert_eq!(
            service.profile(UserId(2)),
            Some(grace()),
            "\"not found\" was cached: a user who just signed up is not found"
        );
    }

    #[test]
    fn keys_normalise_exactly_as_the_database_compares() {
        let umlaut = User {
            id: UserId(3),
            email: "äda@example.com".to_string(),
            name: "Äda".to_string(),
        };
        let db = InMemoryUsers::with(&[ada(), umlaut.clone()]);
        let cached = CachedUsers::new(&db);
        let service = UserService::new(&cached);

        assert_eq!(service.lookup_email("äda@example.com"), Some(umlaut));

        assert_eq!(
            service.lookup_email("ÄDA@EXAMPLE.COM"),
            db.find_by_email("ÄDA@EXAMPLE.COM"),
            "the cache answered differently from the database: normalise keys with the \
             database's rule (normalise_email), no looser, no stricter"
        );
    }

    #[test]
    fn changing_the_email_drops_the_entry_of_the_old_email() {
        let db = InMemoryUsers::with(&[ada()]);
        let cached = CachedUsers::new(&db);
        let service = UserService::new(&cached);
        assert_eq!(service.lookup_email("ADA@example.com"), Some(ada()));

        service.change_email(UserId(1), "ada@lovelace.org");

        assert_eq!(
            service.lookup_email("ADA@example.com"),
            None,
            "the old address still finds Ada: a write must also drop the key of the email she had before"
        );
        let moved = service
            .lookup_email("ada@lovelace.org")
            .map(|user| user.email);
        assert_eq!(moved.as_deref(), Some("ada@lovelace.org"));
    }

    #[test]
    fn changing_the_email_updates_the_lookup_by_id() {
        let db = InMemoryUsers::with(&[ada()]);
        let cached = CachedUsers::new(&db);
        let service = UserService::new(&cached);
        service.profile(UserId(1));

        service.change_email(UserId(1), "ada@lovelace.org");

        let email = service.profile(UserId(1)).map(|user| user.email);
        assert_eq!(
            email.as_deref(),
            Some("ada@lovelace.org"),
            "the lookup by id still answers the copy cached before the write"
        );
    }

    #[test]
    fn a_write_drops_the_entries_of_that_user_only() {
        let db = InMemoryUsers::with(&[ada(), grace()]);
        let cached = CachedUsers::new(&db);
        let service = UserService::new(&cached);
        service.profile(UserId(2));
        service.lookup_email("grace@example.com");

        service.change_email(UserId(1), "ada@lovelace.org");
        let reads = db.reads();
        service.profile(UserId(2));
        service.lookup_email("grace@example.com");

        assert_eq!(
            db.reads(),
            reads,
            "Grace's lookups reached the database again: a write to Ada must leave her entries cached"
        );
    }

    #[test]
    fn closing_an_account_drops_its_entries() {
        let db = InMemoryUsers::with(&[ada()]);
        let cached = CachedUsers::new(&db);
        let service = UserService::new(&cached);
        service.profile(UserId(1));
        service.lookup_email("ada@example.com");

        assert!(service.close_account(UserId(1)));

        assert_eq!(
            service.profile(UserId(1)),
            None,
            "the closed account is still served by id"
        );
        assert_eq!(
            service.lookup_email("ada@example.com"),
            None,
            "the closed account is still served by email"
        );
        assert!(
            !service.close_account(UserId(1)),
            "there is nobody left to close"
        );
    }

    #[test]
    fn a_write_is_based_on_the_stored_row_not_the_cached_copy() {
        let db = InMemoryUsers::with(&[ada()]);
        let cached = CachedUsers::new(&db);
        let service = UserService::new(&cached);
        service.profile(UserId(1));
        // Another instance renames Ada; this instance's cache does not hear of it.
        db.save(User {
            name: "Ada Lovelace".to_string(),
            ..ada()
        });

        service.change_email(UserId(1), "ada@lovelace.org");

        let stored = db.find_by_id(UserId(1)).map(|user| user.name);
        assert_eq!(
            stored.as_deref(),
            Some("Ada Lovelace"),
            "the write was based on the cached copy and undid the rename"
        );
    }

    #[test]
    fn the_cache_is_bounded_by_size_and_time() {
        let db = InMemoryUsers::default();
        let cached = CachedUsers::new(&db);

        let policy = cached.cache().policy();
        assert_eq!(
            policy.max_capacity(),
            Some(10_000),
            "no size bound: the cache grows with every user ever looked up"
        );
        assert_eq!(
            policy.time_to_live(),
            Some(Duration::from_secs(5 * 60)),
            "no time to live: a write this instance never sees stays cached for ever"
        );
    }
}
