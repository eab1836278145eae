//! # Caching: invalidation on write
//!
//! A cache holds copies. When the original changes, the copy is wrong until
//! something removes it: either a TTL runs out, or the code that writes also
//! *invalidates* the cached entry. "There are only two hard things in
//! computer science: cache invalidation and naming things."
//!
//! ```text
//!   rename(id) ──> repo.save(user) ──> cache.invalidate(id)
//!   user(id)   ──> cache.get(id) ── miss ──> repo.find_by_id(id) ──> cache.insert
//! ```
//!
//! ## The problem
//!
//! `UserService` caches users on read (cache-aside, from the last exercises).
//! A support agent renames a user, the page reloads, and shows the old name.
//! The rename worked: the database has the new name. The read was served from
//! the cache, which nobody told. Run the tests: the test
//! `a_rename_is_visible_to_the_next_cached_read` fails on exactly that, and a
//! deleted (maybe banned) user is still served too.
//!
//! ## Your task
//!
//! Make every write path of `UserService` (`rename` and `delete`) invalidate
//! the user's cache entry, after the write to the repository. Reads must stay
//! cached: turning the cache off, or clearing it all on every write, is not a
//! fix. An architecture check also requires both write methods to call
//! `UserCache::invalidate`, since a cache that is filled but never
//! invalidated is the classic bug. (Writing the new user into the cache
//! instead, "write-through", passes these one-at-a-time tests but goes
//! wrong with two concurrent writers; the solution says why.)
//!
//! ## When not to use it
//!
//! Invalidation only reaches the caches the writing code can see. If other
//! services write to the same table, or each instance keeps its own in-process
//! cache, the other copies stay stale: rely on a short TTL there, or on a
//! change feed (a message per write). For data where any staleness is a bug,
//! do not cache it.
//!
//! Nor is invalidation after the write airtight with concurrent readers. A
//! reader that missed and loaded the old row just before the write can put it
//! into the cache just after the write removed the entry; the old name is then
//! served until something else removes it. These tests run one thing at a
//! time, so they cannot show it. Real caches bound that window with a TTL, or
//! close it with a version kept with each entry (an older version is never
//! inserted) or with memcache-style leases (the module README says how).

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct UserId(u64);

#[derive(Debug, Clone, PartialEq, Eq)]
struct User {
    id: UserId,
    name: String,
}

/// The source of truth.
trait UserRepository {
    fn find_by_id(&self, id: UserId) -> Option<User>;
    /// Stores `user`, replacing any stored user with the same id.
    fn save(&mut self, user: User);
    /// Removes the user; `false` if there was none.
    fn delete(&mut self, id: UserId) -> bool;
}

/// Cached copies of users, shared by all readers.
#[derive(Default)]
struct UserCache {
    entries: Mutex<HashMap<UserId, User>>,
}

impl UserCache {
    fn get(&self, id: UserId) -> Option<User> {
        self.lock().get(&id).cloned()
    }

    fn insert(&self, user: User) {
        self.lock().insert(user.id, user);
    }

    /// Forgets the cached copy, so that the next read loads the stored one.
    fn invalidate(&self, id: UserId) {
        self.lock().remove(&id);
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<UserId, User>> {
        // Poisoning means a panic elsewhere; cached copies are still valid.
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[derive(Debug, PartialEq, Eq)]
enum RenameError {
    UnknownUser(UserId),
}

struct UserService<R: UserRepository> {
    repo: R,
    cache: UserCache,
}

impl<R: UserRepository> UserService<R> {
    fn new(repo: R) -> Self {
        Self {
            repo,
            cache: UserCache::default(),
        }
    }

    /// Cache-aside read, as in `cache_aside`.
    fn user(&self, id: UserId) -> Option<User> {
        if let Some(user) = self.cache.get(id) {
            return Some(user);
        }
        let user = self.repo.find_by_id(id)?;
        self.cache.insert(user.clone());
        Some(user)
    }

    /// Changes the user's display name.
    fn rename(&mut self, id: UserId, name: &str) -> Result<User, RenameError> {
        // A write starts from the source of truth, never from the cache: a
        // cached copy may be stale, and saving it back would undo someone
        // else's change.
        let mut user = self
            .repo
            .find_by_id(id)
            .ok_or(RenameError::UnknownUser(id))?;
        user.name = name.to_string();
        self.repo.save(user.clone());
        // TODO: the cached copy of this user is now stale.
        Ok(user)
    }

    /// Deletes the user; `false` if there was none.
    fn delete(&mut self, id: UserId) -> bool {
        let deleted = self.repo.delete(id);
        // TODO: so is this one.
        deleted
    }

    fn repository(&self) -> &R {
        &self.repo
    }
}

fn main() {
    // This exercise is checked by its tests.
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    /// A working store that counts `find_by_id` calls.
    #[derive(Default)]
    struct CountingRepository {
        users: HashMap<UserId, User>,
        loads: Cell<usize>,
    }

    impl CountingRepository {
        fn holding(users: &[User]) -> Self {
            Self {
                users: users.iter().map(|u| (u.id, u.clone())).collect(),
                loads: Cell::new(0),
            }
        }
    }

    impl UserRepository for CountingRepository {
        fn find_by_id(&self, id: UserId) -> Option<User> {
            self.loads.set(self.loads.get() + 1);
            self.users.get(&id).cloned()
        }

        fn save(&mut self, user: User) {
            self.users.insert(user.id, user);
        }

        fn delete(&mut self, id: UserId) -> bool {
            self.users.remove(&id).is_some()
        }
    }

    fn grace() -> User {
        User {
            id: UserId(1),
            name: "Grace Hopper".to_string(),
        }
    }

    #[test]
    fn a_rename_is_visible_to_the_next_cached_read() {
        let mut service = UserService::new(CountingRepository::holding(&[grace()]));
        assert_eq!(service.user(grace().id), Some(grace()), "warms the cache");

        service.rename(grace().id, "Rear Admiral Hopper").unwrap();

        assert_eq!(
            service.user(grace().id).map(|u| u.name),
            Some("Rear Admiral Hopper".to_string()),
            "the read after a rename served the old, cached name"
        );
    }

    #[test]
    fn a_deleted_user_is_no_longer_served_from_the_cache() {
        let mut service = UserService::new(CountingRepository::holding(&[grace()]));
        service.user(grace().id);

        assert!(service.delete(grace().id));

        assert_eq!(service.user(grace().id), None);
    }

    #[test]
    fn reads_are_still_cached_after_a_write() {
        let mut service = UserService::new(CountingRepository::holding(&[grace()]));
        service.user(grace().id);
        service.user(grace().id);
        assert_eq!(service.repository().loads.get(), 1, "one load, one hit");

        service.rename(grace().id, "Grace").unwrap();
        let loads_after_rename = service.repository().loads.get();
        service.user(grace().id);
        service.user(grace().id);

        assert_eq!(
            service.repository().loads.get(),
            loads_after_rename + 1,
            "after a write, one read reloads and the next one hits the cache again"
        );
    }

    #[test]
    fn renaming_an_unknown_user_fails() {
        let mut service = UserService::new(CountingRepository::default());

        assert_eq!(
            service.rename(UserId(7), "Nobody"),
            Err(RenameError::UnknownUser(UserId(7)))
        );
        assert_eq!(service.user(UserId(7)), None);
    }

    #[test]
    fn a_rename_does_not_touch_other_cached_users() {
        let ada = User {
            id: UserId(2),
            name: "Ada Lovelace".to_string(),
        };
        let mut service = UserService::new(CountingRepository::holding(&[grace(), ada.clone()]));
        service.user(ada.id);
        let loads = service.repository().loads.get();

        service.rename(grace().id, "Grace").unwrap();
        assert_eq!(service.user(ada.id), Some(ada));

        assert_eq!(
            service.repository().loads.get(),
            loads + 1,
            "only the rename loaded; Ada was still cached"
        );
    }
}
