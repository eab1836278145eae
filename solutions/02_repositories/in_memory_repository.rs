//! # Repository: an in-memory implementation (solution)

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

/// Two maps, like a table with a primary key and a unique index on
/// `lower(email)`: lookups by either are a hash probe, not a scan.
#[derive(Default)]
struct InMemoryUserRepository {
    users: HashMap<UserId, User>,
    /// Lookup form of each stored user's current email -> that user's id.
    ids_by_email: HashMap<String, UserId>,
}

/// The form of `email` used as the index key: equal for any two spellings of
/// the same address.
///
/// Saving and finding both go through this one function, so the rule cannot be
/// applied on one path and forgotten on the other. `to_lowercase`, not
/// `to_ascii_lowercase`: addresses may contain non-ASCII letters.
fn email_key(email: &str) -> String {
    email.to_lowercase()
}

impl UserRepository for InMemoryUserRepository {
    fn find_by_id(&self, id: UserId) -> Option<User> {
        self.users.get(&id).cloned()
    }

    fn find_by_email(&self, email: &str) -> Option<User> {
        // The index holds ids, not users: `users` stays the single copy of
        // each user, so a lookup by email can never return an older version
        // than a lookup by id.
        let id = self.ids_by_email.get(&email_key(email))?;
        self.users.get(id).cloned()
    }

    fn save(&mut self, user: User) {
        let key = email_key(&user.email);
        let id = user.id;
        // Drop the previous version's index entry before adding the new one.
        // In the other order, an email change that only differs in letter
        // case would remove the entry just written.
        if let Some(previous) = self.users.insert(id, user) {
            self.ids_by_email.remove(&email_key(&previous.email));
        }
        // This trusts the caller that no *other* user has this email: if one
        // had, the index would now point away from them and they could no
        // longer be found by email. `uniqueness_conflict` makes the store
        // refuse such a save instead of trusting anyone.
        self.ids_by_email.insert(key, id);
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
