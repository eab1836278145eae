//! # Repository: a service over the trait (solution)

use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct UserId(u64);

#[derive(Debug, Clone, PartialEq, Eq)]
struct User {
    id: UserId,
    email: String,
    name: String,
}

/// Stores and finds users. Emails are compared case-insensitively.
trait UserRepository {
    fn find_by_id(&self, id: UserId) -> Option<User>;
    fn find_by_email(&self, email: &str) -> Option<User>;
    /// Stores `user`, replacing any stored user with the same id.
    fn save(&mut self, user: User);
    /// An id no stored user has, the way a database sequence hands one out.
    fn next_id(&mut self) -> UserId;
}

#[derive(Debug, PartialEq, Eq)]
enum RegisterError {
    /// Another account already uses this address.
    EmailTaken,
}

#[derive(Debug, PartialEq, Eq)]
enum RenameError {
    UnknownUser(UserId),
}

// ---- The service ---------------------------------------------------------

/// Account rules, written once against the `UserRepository` port.
///
/// The type parameter is the whole point: the service compiles against the
/// trait alone, so the storage is chosen by whoever builds the service (the
/// application's `main` picks Postgres, a test picks a fake) and the rules
/// never change when the storage does. Static dispatch costs nothing at run
/// time; `Box<dyn UserRepository>` would be the choice if the store had to be
/// picked at run time, from configuration.
struct UserService<R: UserRepository> {
    repo: R,
}

impl<R: UserRepository> UserService<R> {
    fn new(repo: R) -> Self {
        Self { repo }
    }

    /// Read access to the store behind the service. Reads need no business
    /// rules, and tests use it to inspect their fake; writes must go through
    /// the service's methods, so no `&mut R` is handed out.
    fn repository(&self) -> &R {
        &self.repo
    }

    /// Creates an account for `email`, unless another account already uses it.
    fn register(&mut self, email: &str, name: &str) -> Result<User, RegisterError> {
        // Whether two addresses are "the same" is the store's rule (it mirrors
        // the database's unique index), so the service asks the store instead
        // of comparing strings itself. With a real database, keep the unique
        // index too: two concurrent signups can both pass this check, and only
        // the constraint stops the second one.
        if self.repo.find_by_email(email).is_some() {
            return Err(RegisterError::EmailTaken);
        }
        // The store hands out ids: it is the one party that knows which are
        // taken. A counter in the service would collide with existing users
        // and with every other instance of the service.
        let user = User {
            id: self.repo.next_id(),
            email: email.to_string(),
            name: name.to_string(),
        };
        self.repo.save(user.clone());
        Ok(user)
    }

    /// Changes the display name of the user with this id.
    fn rename(&mut self, id: UserId, name: &str) -> Result<User, RenameError> {
        // Load, change, save: the service changes only the field its rule is
        // about, and the rest of the user goes back as it was loaded.
        let mut user = self
            .repo
            .find_by_id(id)
            .ok_or(RenameError::UnknownUser(id))?;
        user.name = name.to_string();
        self.repo.save(user.clone());
        Ok(user)
    }
}

// ---- A concrete store (do not change) ------------------------------------

#[derive(Default)]
struct InMemoryUserRepository {
    users: HashMap<UserId, User>,
    last_id: u64,
}

impl UserRepository for InMemoryUserRepository {
    fn find_by_id(&self, id: UserId) -> Option<User> {
        self.users.get(&id).cloned()
    }

    fn find_by_email(&self, email: &str) -> Option<User> {
        let key = email.to_lowercase();
        self.users
            .values()
            .find(|user| user.email.to_lowercase() == key)
            .cloned()
    }

    fn save(&mut self, user: User) {
        self.users.insert(user.id, user);
    }

    fn next_id(&mut self) -> UserId {
        self.last_id += 1;
        UserId(self.last_id)
    }
}

fn main() {
    // This exercise is checked by its tests.
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A test double: a working store that also counts calls to `save`, so a
    /// test can check what the service did, not only what it returned.
    #[derive(Default)]
    struct CountingRepository {
        users: Vec<User>,
        saves: usize,
    }

    impl CountingRepository {
        /// A store that already holds `users`. Seeding does not count as a save.
        fn holding(users: &[User]) -> Self {
            Self {
                users: users.to_vec(),
                saves: 0,
            }
        }
    }

    impl UserRepository for CountingRepository {
        fn find_by_id(&self, id: UserId) -> Option<User> {
            self.users.iter().find(|user| user.id == id).cloned()
        }

        fn find_by_email(&self, email: &str) -> Option<User> {
            // Same rule as the real stores: a fake that differs would let
            // tests pass that fail in production.
            let key = email.to_lowercase();
            self.users
                .iter()
                .find(|user| user.email.to_lowercase() == key)
                .cloned()
        }

        fn save(&mut self, user: User) {
            self.saves += 1;
            self.users.retain(|stored| stored.id != user.id);
            self.users.push(user);
        }

        fn next_id(&mut self) -> UserId {
            let highest = self.users.iter().map(|user| user.id.0).max();
            UserId(highest.unwrap_or(0) + 1)
        }
    }

    fn grace() -> User {
        User {
            id: UserId(1),
            email: "grace@example.com".to_string(),
            name: "Grace Hopper".to_string(),
        }
    }

    #[test]
    fn registers_a_new_user_with_a_fresh_id_and_saves_it_once() {
        let mut service = UserService::new(CountingRepository::holding(&[grace()]));

        let ada = service.register("ada@example.com", "Ada").unwrap();

        assert_eq!(ada.email, "ada@example.com");
        assert_eq!(ada.name, "Ada");
        assert_ne!(ada.id, grace().id, "the new user must not take Grace's id");
        let repo = service.repository();
        assert_eq!(repo.saves, 1);
        assert_eq!(repo.find_by_id(ada.id), Some(ada));
        assert_eq!(repo.find_by_id(grace().id), Some(grace()));
    }

    #[test]
    fn rejects_a_taken_email_without_saving() {
        let mut service = UserService::new(CountingRepository::holding(&[grace()]));

        let result = service.register("Grace@Example.com", "Impostor");

        assert_eq!(result, Err(RegisterError::EmailTaken));
        assert_eq!(
            service.repository().saves,
            0,
            "a rejected signup saves nothing"
        );
        assert_eq!(service.repository().users, vec![grace()]);
    }

    #[test]
    fn renames_an_existing_user_and_keeps_everything_else() {
        let mut service = UserService::new(CountingRepository::holding(&[grace()]));

        let renamed = service.rename(grace().id, "Rear Admiral Hopper").unwrap();

        let expected = User {
            name: "Rear Admiral Hopper".to_string(),
            ..grace()
        };
        assert_eq!(renamed, expected);
        assert_eq!(service.repository().find_by_id(grace().id), Some(expected));
        assert_eq!(service.repository().saves, 1);
    }

    #[test]
    fn renaming_an_unknown_user_fails_and_saves_nothing() {
        let mut service = UserService::new(CountingRepository::default());

        let result = service.rename(UserId(99), "Nobody");

        assert_eq!(result, Err(RenameError::UnknownUser(UserId(99))));
        assert_eq!(service.repository().saves, 0);
    }

    #[test]
    fn works_the_same_over_the_in_memory_repository() {
        let mut service = UserService::new(InMemoryUserRepository::default());

        let ada = service.register("ada@example.com", "Ada").unwrap();
        let grace = service.register("grace@example.com", "Grace").unwrap();

        assert_ne!(ada.id, grace.id);
        assert_eq!(
            service.register("ADA@example.com", "Ada again"),
            Err(RegisterError::EmailTaken)
        );
        let renamed = service.rename(ada.id, "Ada King").unwrap();
        assert_eq!(
            service.repository().find_by_email("ada@example.com"),
            Some(renamed)
        );
    }
}
