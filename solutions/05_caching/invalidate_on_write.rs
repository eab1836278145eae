//! # Caching: invalidation on write (solution)

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
        // Invalidate *after* the write: invalidating first leaves a window
        // as long as the write in which any reader reloads the old row and
        // caches it again.
        //
        // After is better, not airtight: a reader that loaded the old row
        // just *before* the save can still insert it just after this removal,
        // and then the old name stays cached. This service has no TTL, so it
        // would stay for good; a real one needs a TTL as the backstop, or a
        // version stored with each entry (never insert an older version) or
        // leases (the reader's fill is dropped if a removal came in between).
        //
        // Why drop the entry instead of inserting the new user (write-
        // through)? With several writers, two `insert`s can land in the
        // opposite order of their saves and leave the older name cached. A
        // removal has no order to get wrong. With several instances behind a
        // shared cache (Redis), the same rules hold; with a per-instance
        // cache, the other instances only learn of the write through a TTL or
        // a message.
        self.cache.invalidate(id);
        Ok(user)
    }

    /// Deletes the user; `false` if there was none.
    fn delete(&mut self, id: UserId) -> bool {
        let deleted = self.repo.delete(id);
        // Every write path invalidates, deletes included: a deleted user still
        // served from the cache is the same bug as a stale name, and worse
        // when the deletion was a ban.
        self.cache.invalidate(id);
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
