//! # Repository: uniqueness conflicts as typed errors
//!
//! "Only one account per email" is a rule about all stored users at once, so
//! only the store can enforce it reliably: check and write in **one**
//! operation (a unique index, or one critical section). The repository
//! reports a violation as a typed error, and the service turns it into its
//! own error.
//!
//! ## The problem
//!
//! `register` does what most first versions do: it asks the store whether the
//! email is free, then inserts. In production, Ada double-clicked "Sign up".
//! Two requests ran at the same time. Both asked, both heard "free", both
//! inserted. Now Ada has two accounts, and password resets go to whichever
//! one the query finds first.
//!
//! ```text
//!  request 1: find_by_email ─ None ─────────────── insert ──> account #1
//!  request 2:       find_by_email ─ None ── insert ─────────> account #2
//! ```
//!
//! No amount of checking in the service closes that gap. The check and the
//! write must be one step, inside the store. In Postgres that step is a
//! unique index and an `INSERT` that fails with a unique violation. In
//! memory it is a method that holds exclusive access while it checks and
//! inserts (`&mut self` here, a `Mutex` in a shared store).
//!
//! ## Your task
//!
//! 1. `InMemoryUserRepository::insert`: refuse an email that any stored
//!    user has, in any letter case, with `RepoError::EmailTaken` carrying the
//!    email as given. Otherwise store the user under a fresh id. The check
//!    and the write happen in this one method.
//! 2. `From<RepoError> for RegisterError`: `EmailTaken` becomes
//!    `RegisterError::EmailTaken`; anything else is `Unavailable`, keeping
//!    the repository's error as its source.
//! 3. `UserService::register`: drop the "find first" step. Insert, and let
//!    the repository's answer decide (`?` uses your `From`).
//!
//! The tests include a store in which another signup always commits just
//! before yours. A service that checks first and then trusts the insert
//! crashes on it.
//!
//! ## When not to use it
//!
//! A service-level check is fine for a friendly early message ("this name
//! looks taken") when the store still enforces the rule. Invariants that span
//! several aggregates or services cannot be a unique index at all. They need
//! a different design, such as a reservation table or an idempotency key.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct UserId(u64);

#[derive(Debug, Clone, PartialEq, Eq)]
struct User {
    id: UserId,
    email: String,
    name: String,
}

/// A user before the store has given it an id.
#[derive(Debug, Clone, PartialEq, Eq)]
struct NewUser {
    email: String,
    name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
enum RepoError {
    /// A stored user already has this email (in any letter case).
    #[error("email {email} is already taken")]
    EmailTaken { email: String },
    /// The store could not be reached or failed; nothing was written.
    #[error("the user store is unavailable: {0}")]
    Unavailable(String),
}

/// Stores users. Every implementation must enforce: no two stored users
/// share an email, compared case-insensitively.
trait UserRepository {
    fn find_by_email(&self, email: &str) -> Result<Option<User>, RepoError>;
    /// Stores `new_user` under a fresh id, or fails with `EmailTaken`. The
    /// check and the write are one operation: no other insert can come
    /// between them.
    fn insert(&mut self, new_user: NewUser) -> Result<User, RepoError>;
}

// ---- The store --------------------------------------------------------------

#[derive(Default)]
struct InMemoryUserRepository {
    users: HashMap<UserId, User>,
    /// Lower-case email -> the id of the user who has it: the unique index.
    ids_by_email: HashMap<String, UserId>,
    last_id: u64,
}

fn email_key(email: &str) -> String {
    email.to_lowercase()
}

impl UserRepository for InMemoryUserRepository {
    fn find_by_email(&self, email: &str) -> Result<Option<User>, RepoError> {
        let id = self.ids_by_email.get(&email_key(email));
        Ok(id.and_then(|id| self.users.get(id)).cloned())
    }

    fn insert(&mut self, new_user: NewUser) -> Result<User, RepoError> {
        // TODO: refuse a taken email with `RepoError::EmailTaken`; otherwise
        // take a fresh id and store the user in both maps. (`Entry`, imported
        // above, lets you check and fill an index slot in one step.)
        todo!()
    }
}

// ---- The service --------------------------------------------------------------

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
enum RegisterError {
    #[error("an account with {email} already exists")]
    EmailTaken { email: String },
    #[error("registration is unavailable, try again later")]
    Unavailable(#[source] RepoError),
}

impl From<RepoError> for RegisterError {
    fn from(error: RepoError) -> Self {
        // TODO: a taken email is the caller's problem; anything else is ours.
        todo!()
    }
}

struct UserService<R> {
    repo: R,
}

impl<R: UserRepository> UserService<R> {
    fn new(repo: R) -> Self {
        Self { repo }
    }

    fn repository(&self) -> &R {
        &self.repo
    }

    fn register(&mut self, email: &str, name: &str) -> Result<User, RegisterError> {
        // TODO: this is the race from the story. Between the check and the
        // insert another signup can take the email, and then `expect` crashes.
        // Insert right away and let the repository's answer decide.
        if self.repo.find_by_email(email)?.is_some() {
            let email = email.to_string();
            return Err(RegisterError::EmailTaken { email });
        }
        let new_user = NewUser {
            email: email.to_string(),
            name: name.to_string(),
        };
        let user = self
            .repo
            .insert(new_user)
            .expect("the email was free a moment ago");
        Ok(user)
    }
}

fn main() {
    // This exercise is checked by its tests.
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error;

    fn new_user(email: &str, name: &str) -> NewUser {
        NewUser {
            email: email.to_string(),
            name: name.to_string(),
        }
    }

    /// A store in which another signup for the same email always commits
    /// just before our insert, however quickly the service moves: the race
    /// from the story, made deterministic.
    struct RivalCommitsFirst {
        inner: InMemoryUserRepository,
        rival: Option<NewUser>,
    }

    impl RivalCommitsFirst {
        fn new(rival: NewUser) -> Self {
            let inner = InMemoryUserRepository::default();
            let rival = Some(rival);
            Self { inner, rival }
        }
    }

    impl UserRepository for RivalCommitsFirst {
        fn find_by_email(&self, email: &str) -> Result<Option<User>, RepoError> {
            // The rival has not committed yet when we look.
            self.inner.find_by_email(email)
        }

        fn insert(&mut self, new_user: NewUser) -> Result<User, RepoError> {
            if let Some(rival) = self.rival.take() {
                self.inner.insert(rival)?;
            }
            self.inner.insert(new_user)
        }
    }

    /// A store whose database is down.
    struct DownRepository;

    impl UserRepository for DownRepository {
        fn find_by_email(&self, _: &str) -> Result<Option<User>, RepoError> {
            Err(RepoError::Unavailable("connection refused".to_string()))
        }

        fn insert(&mut self, _: NewUser) -> Result<User, RepoError> {
            Err(RepoError::Unavailable("connection refused".to_string()))
        }
    }

    // ---- The repository enforces the invariant -------------------------

    #[test]
    fn the_repository_gives_each_new_user_a_fresh_id() {
        let mut repo = InMemoryUserRepository::default();

        let ada = repo.insert(new_user("ada@example.com", "Ada")).unwrap();
        let grace = repo.insert(new_user("grace@example.com", "Grace")).unwrap();

        assert_ne!(ada.id, grace.id);
        assert_eq!(ada.email, "ada@example.com");
        assert_eq!(repo.find_by_email("GRACE@example.com"), Ok(Some(grace)));
    }

    #[test]
    fn the_repository_refuses_a_taken_email_in_any_letter_case() {
        let mut repo = InMemoryUserRepository::default();
        let ada = repo.insert(new_user("ada@example.com", "Ada")).unwrap();

        let result = repo.insert(new_user("Ada@Example.COM", "Impostor"));

        let taken = RepoError::EmailTaken {
            email: "Ada@Example.COM".to_string(),
        };
        assert_eq!(result, Err(taken));
        assert_eq!(repo.users.len(), 1, "the refused user must not be stored");
        assert_eq!(repo.find_by_email("ada@example.com"), Ok(Some(ada)));
    }

    // ---- The service maps the repository's answer ----------------------

    #[test]
    fn the_service_registers_a_new_user() {
        let mut service = UserService::new(InMemoryUserRepository::default());

        let ada = service.register("ada@example.com", "Ada").unwrap();

        assert_eq!(ada.name, "Ada");
        let stored = service.repository().find_by_email("ada@example.com");
        assert_eq!(stored, Ok(Some(ada)));
    }

    #[test]
    fn the_service_reports_a_second_signup_as_email_taken() {
        let mut service = UserService::new(InMemoryUserRepository::default());
        service.register("ada@example.com", "Ada").unwrap();

        let result = service.register("ADA@example.com", "Ada again");

        let taken = RegisterError::EmailTaken {
            email: "ADA@example.com".to_string(),
        };
        assert_eq!(result, Err(taken));
        assert_eq!(service.repository().users.len(), 1);
    }

    #[test]
    fn a_rival_signup_that_commits_first_is_email_taken_not_a_crash() {
        let rival = new_user("ada@example.com", "Ada (first click)");
        let mut service = UserService::new(RivalCommitsFirst::new(rival));

        let result = service.register("ada@example.com", "Ada (second click)");

        let taken = RegisterError::EmailTaken {
            email: "ada@example.com".to_string(),
        };
        assert_eq!(result, Err(taken));
        let stored = service.repository().inner.users.len();
        assert_eq!(stored, 1, "exactly one account for Ada");
    }

    #[test]
    fn a_failing_store_is_unavailable_and_keeps_the_cause() {
        let mut service = UserService::new(DownRepository);

        let error = service.register("ada@example.com", "Ada").unwrap_err();

        let cause = RepoError::Unavailable("connection refused".to_string());
        assert_eq!(error, RegisterError::Unavailable(cause));
        let source = error.source().map(|source| source.to_string());
        let expected = "the user store is unavailable: connection refused";
        assert_eq!(source.as_deref(), Some(expected));
    }
}
