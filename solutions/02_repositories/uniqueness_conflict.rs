//! # Repository: uniqueness conflicts as typed errors (solution)
//!
//! The invariant lives where it can be enforced atomically, in the store;
//! the service neither re-checks it nor assumes it, it translates the
//! store's typed answer into its own error.

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
        // One lookup decides and reserves: the entry API is this store's
        // unique index. `&mut self` already rules out a second insert in
        // between; in a store shared behind a `Mutex`, this whole method would
        // run under one lock for the same reason.
        match self.ids_by_email.entry(email_key(&new_user.email)) {
            Entry::Occupied(_) => Err(RepoError::EmailTaken {
                email: new_user.email,
            }),
            Entry::Vacant(slot) => {
                self.last_id += 1;
                let id = UserId(self.last_id);
                slot.insert(id);
                let user = User {
                    id,
                    email: new_user.email,
                    name: new_user.name,
                };
                self.users.insert(id, user.clone());
                Ok(user)
            }
        }
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
    /// Written once, used by every `?` in the service. A conflict is an
    /// answer the caller can act on (409: pick another email); any other
    /// failure is ours (503), and keeps its cause as `source()` for the logs
    /// without showing it to the client.
    fn from(error: RepoError) -> Self {
        match error {
            RepoError::EmailTaken { email } => RegisterError::EmailTaken { email },
            other => RegisterError::Unavailable(other),
        }
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

    /// No "is it free?" lookup first: its answer is stale the moment it
    /// arrives, so it would cost a round trip and prove nothing. The insert
    /// is the check, and its error is the answer.
    fn register(&mut self, email: &str, name: &str) -> Result<User, RegisterError> {
        let new_user = NewUser {
            email: email.to_string(),
            name: name.to_string(),
        };
        Ok(self.repo.insert(new_user)?)
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
