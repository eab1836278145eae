//! # Repository: the trait
//!
//! A repository gives the rest of the application a collection-like view of
//! stored domain objects ("find the user with this email", "save this user")
//! and hides how they are stored.
//!
//! ## The problem
//!
//! The signup handler runs `SELECT ... FROM users WHERE email = $1` itself, and
//! so do the password reset, the admin search and the invite flow. Renaming a
//! column now means hunting through handlers, and testing any of them needs a
//! running Postgres. A repository puts every query for one kind of object
//! behind one trait. Business code depends on the trait; only the adapter that
//! implements it knows SQL. Tests pass an in-memory implementation.
//!
//! ## Your task
//!
//! A teammate already wrote `display_name` and `change_email` against a
//! `UserRepository` trait, but the trait itself is empty, so the file does not
//! compile. Declare its three methods, then implement it for
//! `VecUserRepository`, a plain list of users:
//!
//! - `find_by_id` and `find_by_email` read; `save` inserts a new user or
//!   replaces the stored one with the same id.
//! - Which methods take `&self` and which `&mut self`?
//! - "No such user" is a normal answer, not an error and never a panic.
//! - Return owned `User`s, not references. A database adapter has no stored
//!   `User` to lend you a reference to: it builds a fresh one from each row.
//!   The trait must suit every implementation, not only this in-memory one.
//!
//! The functions your teammate wrote already pin most of these decisions: read
//! how they call the trait. Email lookup is an exact match in this exercise.
//!
//! ## When not to use it
//!
//! A small service whose handlers each run one query can call `sqlx` directly;
//! a trait with one implementation and no tests that swap it is ceremony. The
//! repository pays off when several use cases share queries, or when you want
//! the business rules tested without a database.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct UserId(u64);

#[derive(Debug, Clone, PartialEq, Eq)]
struct User {
    id: UserId,
    email: String,
    name: String,
}

/// Stores and finds users. Implementations decide where users live.
trait UserRepository {
    // TODO: declare `find_by_id`, `find_by_email` and `save`.
}

// ---- Code written against the trait (do not change) ----------------------

/// The name to show for `id`, or `None` if there is no such user.
fn display_name<R: UserRepository>(repo: &R, id: UserId) -> Option<String> {
    repo.find_by_id(id).map(|user| user.name)
}

/// Changes a user's email. Returns `false` if there is no such user.
fn change_email<R: UserRepository>(repo: &mut R, id: UserId, email: &str) -> bool {
    let Some(mut user) = repo.find_by_id(id) else {
        return false;
    };
    user.email = email.to_string();
    repo.save(user);
    true
}

// ---- An implementation ---------------------------------------------------

/// Users in a list, in the order they were first saved.
#[derive(Default)]
struct VecUserRepository {
    users: Vec<User>,
}

impl UserRepository for VecUserRepository {
    // TODO: implement the methods you declared. `save` of an id that is
    // already stored replaces that user; it does not add a second one.
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
            name: "Ada Lovelace".to_string(),
        }
    }

    fn grace() -> User {
        User {
            id: UserId(2),
            email: "grace@example.com".to_string(),
            name: "Grace Hopper".to_string(),
        }
    }

    fn repo_with(users: &[User]) -> VecUserRepository {
        let mut repo = VecUserRepository::default();
        for user in users {
            repo.save(user.clone());
        }
        repo
    }

    #[test]
    fn finds_a_saved_user_by_id() {
        let repo = repo_with(&[ada(), grace()]);
        assert_eq!(repo.find_by_id(UserId(2)), Some(grace()));
    }

    #[test]
    fn finds_a_saved_user_by_email() {
        let repo = repo_with(&[ada(), grace()]);
        assert_eq!(repo.find_by_email("ada@example.com"), Some(ada()));
    }

    #[test]
    fn finds_nobody_for_an_unknown_id_or_email() {
        let repo = repo_with(&[ada()]);
        assert_eq!(repo.find_by_id(UserId(99)), None);
        assert_eq!(repo.find_by_email("nobody@example.com"), None);
    }

    #[test]
    fn saving_an_existing_id_replaces_the_user() {
        let mut repo = repo_with(&[ada(), grace()]);
        let married = User {
            name: "Ada King".to_string(),
            ..ada()
        };
        repo.save(married.clone());

        assert_eq!(repo.find_by_id(UserId(1)), Some(married));
        assert_eq!(repo.users.len(), 2, "save must not add a second Ada");
    }

    #[test]
    fn display_name_works_through_the_trait() {
        let repo = repo_with(&[ada()]);
        assert_eq!(
            display_name(&repo, UserId(1)),
            Some("Ada Lovelace".to_string())
        );
        assert_eq!(display_name(&repo, UserId(99)), None);
    }

    #[test]
    fn change_email_moves_the_user_to_the_new_address() {
        let mut repo = repo_with(&[ada(), grace()]);

        assert!(change_email(&mut repo, UserId(1), "ada@lovelace.dev"));

        let moved = repo.find_by_email("ada@lovelace.dev").map(|user| user.id);
        assert_eq!(moved, Some(UserId(1)));
        assert_eq!(repo.find_by_email("ada@example.com"), None);
        assert_eq!(repo.find_by_id(UserId(2)), Some(grace()));
    }

    #[test]
    fn change_email_reports_an_unknown_user() {
        let mut repo = repo_with(&[ada()]);
        assert!(!change_email(&mut repo, UserId(99), "who@example.com"));
        assert_eq!(repo.find_by_id(UserId(1)), Some(ada()));
    }
}
