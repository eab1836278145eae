//! # Repository: a service over the trait
//!
//! The repository exists so that business code does not care where users are
//! stored. That only holds if the business code names the trait, never a
//! concrete store.
//!
//! ## The problem
//!
//! `UserService` holds the rules for accounts: registering with an address that
//! is taken must fail, and must not touch the store. Today the service holds an
//! `InMemoryUserRepository` field. To run it on Postgres you would have to edit
//! the service, and a test cannot hand it a fake that records what the service
//! did. The rules are welded to one storage choice.
//!
//! ## Your task
//!
//! 1. Make `UserService` generic over `R: UserRepository`, so it accepts any
//!    implementation: the in-memory one, a Postgres one, or the tests' fake.
//!    Nothing in `UserService` should name `InMemoryUserRepository` afterwards.
//! 2. Implement `register`: reject an email that is already taken (the store
//!    compares case-insensitively, so ask the store), otherwise save a new user
//!    with an id from `next_id` and return it.
//! 3. Implement `rename`: load, change the name, save, return the updated user.
//!
//! The trait here has a fourth method, `next_id`: registering needs a fresh id,
//! and only the store knows which ids are taken, as a database sequence does.
//!
//! The tests use `CountingRepository`, a fake defined in the test module that
//! counts how often `save` is called. Until step 1 is done the tests do not
//! compile: `UserService::new` only accepts the concrete type. That compile
//! error is the point of the exercise.
//!
//! `Box<dyn UserRepository>` would decouple the service as well, at the cost of
//! a heap allocation and dynamic dispatch; a type parameter costs nothing at
//! run time and lets the tests get their fake back through `repository()`.
//!
//! ## When not to use it
//!
//! If the service only forwards calls to the repository, it is a layer with no
//! rules in it: let the handler use the repository directly. And when a rule
//! needs a transaction across several repositories, a plain generic service is
//! not enough; that needs a unit of work.

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
    /// An id that no stored user has.
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

// TODO: make the service generic over any `R: UserRepository`.
struct UserService {
    repo: InMemoryUserRepository,
}

// TODO: this impl block needs the type parameter as well.
impl UserService {
    // TODO: accept any repository.
    fn new(repo: InMemoryUserRepository) -> Self {
        Self { repo }
    }

    /// Read access to the store behind the service.
    // TODO: return whatever repository the service holds.
    fn repository(&self) -> &InMemoryUserRepository {
        &self.repo
    }

    /// Creates an account for `email`, unless another account already uses it.
    fn register(&mut self, email: &str, name: &str) -> Result<User, RegisterError> {
        // TODO: reject a taken email without saving; otherwise save and return
        // a new user with an id from `next_id`.
        todo!()
    }

    /// Changes the display name of the user with this id.
    fn rename(&mut self, id: UserId, name: &str) -> Result<User, RenameError> {
        // TODO: load the user, change the name, save, return the updated user.
        todo!()
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
