//! # Repository: an in-memory implementation
//!
//! The trait from the last exercise is only a promise. Every implementation
//! must keep it the same way, or code that passes its tests against the
//! in-memory store breaks against Postgres.
//!
//! ## The problem
//!
//! The domain's rule: email addresses are compared case-insensitively, so
//! `Ada@Example.com` and `ada@example.com` are the same account. The address is
//! still stored exactly as the user typed it; we never rewrite what they gave us.
//! In Postgres this rule is a unique index on `lower(email)`, and a change of
//! email updates that index in the same statement. An in-memory repository has
//! to do that bookkeeping itself.
//!
//! `InMemoryUserRepository` keeps two maps: users by id, and an index from the
//! lookup form of an email to the id that owns it, so that finding by email
//! does not scan every user. Two maps that must agree are exactly where
//! in-memory implementations go wrong: a user changes email and the old
//! address still finds them; an index built from the raw string misses a
//! differently-cased lookup.
//!
//! ## Your task
//!
//! Implement `email_key` (the one place that knows the rule) and the three
//! trait methods. `save` of an id that is already stored replaces that user and
//! must leave the index pointing only at the user's current address.
//!
//! For now, the service layer makes sure two users never share an address
//! (the next exercise), and the repository may assume it. That will not last:
//! `uniqueness_conflict` shows why the check must move into the store.
//!
//! ## When not to use it
//!
//! Do not ship an in-memory store as the real one for data that must survive a
//! restart or be shared between instances. And a fake that behaves differently
//! from the real database (case rules, uniqueness) is worse than none: tests
//! pass, production fails. When exact database behaviour matters, test the SQL
//! adapter against a real database instead.

use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct UserId(u64);

#[derive(Debug, Clone, PartialEq, Eq)]
struct User {
    id: UserId,
    email: String,
    name: String,
}

/// Stores and finds users. Every implementation must:
/// - return `None` for a missing user, never panic;
/// - compare emails case-insensitively, and return them as they were saved;
/// - on `save` of a stored id, replace that user, so later finds (by id or by
///   the current email) return the new version and the old email finds nobody.
trait UserRepository {
    fn find_by_id(&self, id: UserId) -> Option<User>;
    fn find_by_email(&self, email: &str) -> Option<User>;
    fn save(&mut self, user: User);
}

#[derive(Default)]
struct InMemoryUserRepository {
    users: HashMap<UserId, User>,
    /// Lookup form of each stored user's current email -> that user's id.
    ids_by_email: HashMap<String, UserId>,
}

/// The form of `email` used as the index key: equal for any two spellings of
/// the same address.
fn email_key(email: &str) -> String {
    // TODO: apply the domain's rule.
    todo!()
}

impl UserRepository for InMemoryUserRepository {
    fn find_by_id(&self, id: UserId) -> Option<User> {
        // TODO: look the user up in `users`.
        todo!()
    }

    fn find_by_email(&self, email: &str) -> Option<User> {
        // TODO: go through the index.
        todo!()
    }

    fn save(&mut self, user: User) {
        // TODO: store the user and keep `ids_by_email` in step with `users`.
        // What happens to the index when a stored user comes back with a
        // different email? With the same email in different letter case?
        todo!()
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
            email: "Ada.Lovelace@Example.com".to_string(),
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

    fn repo_with(users: &[User]) -> InMemoryUserRepository {
        let mut repo = InMemoryUserRepository::default();
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
    fn finds_nobody_for_an_unknown_id_or_email() {
        let repo = repo_with(&[ada()]);
        assert_eq!(repo.find_by_id(UserId(99)), None);
        assert_eq!(repo.find_by_email("nobody@example.com"), None);
    }

    #[test]
    fn finds_a_user_by_email_in_any_letter_case() {
        let repo = repo_with(&[ada(), grace()]);
        for spelling in [
            "Ada.Lovelace@Example.com",
            "ada.lovelace@example.com",
            "ADA.LOVELACE@EXAMPLE.COM",
        ] {
            let found = repo.find_by_email(spelling).map(|user| user.id);
            assert_eq!(found, Some(UserId(1)), "lookup: {spelling:?}");
        }
        let found = repo.find_by_email("Grace@Example.COM").map(|user| user.id);
        assert_eq!(found, Some(UserId(2)));
    }

    #[test]
    fn returns_the_email_as_the_user_typed_it() {
        let repo = repo_with(&[ada()]);
        assert_eq!(repo.find_by_email("ada.lovelace@example.com"), Some(ada()));
        assert_eq!(repo.find_by_id(UserId(1)), Some(ada()));
    }

    #[test]
    fn saving_an_existing_id_replaces_the_user() {
        let mut repo = repo_with(&[ada(), grace()]);
        let married = User {
            name: "Ada King".to_string(),
            ..ada()
        };
        repo.save(married.clone());

        assert_eq!(repo.find_by_id(UserId(1)), Some(married.clone()));
        assert_eq!(
            repo.find_by_email("ada.lovelace@example.com"),
            Some(married)
        );
        assert_eq!(repo.find_by_id(UserId(2)), Some(grace()));
        assert_eq!(repo.users.len(), 2, "save must not add a second Ada");
    }

    #[test]
    fn forgets_the_old_email_after_an_email_change() {
        let mut repo = repo_with(&[ada(), grace()]);
        let moved = User {
            email: "ada@lovelace.dev".to_string(),
            ..ada()
        };
        repo.save(moved.clone());

        assert_eq!(repo.find_by_email("ada@lovelace.dev"), Some(moved));
        assert_eq!(
            repo.find_by_email("ada.lovelace@example.com"),
            None,
            "the old address must not find Ada any more"
        );
        assert_eq!(repo.ids_by_email.len(), 2, "one index entry per user");
    }

    #[test]
    fn still_finds_a_user_whose_email_changed_only_in_letter_case() {
        let mut repo = repo_with(&[ada()]);
        let recased = User {
            email: "ada.lovelace@example.com".to_string(),
            ..ada()
        };
        repo.save(recased.clone());

        assert_eq!(
            repo.find_by_email("Ada.Lovelace@Example.com"),
            Some(recased)
        );
    }
}
