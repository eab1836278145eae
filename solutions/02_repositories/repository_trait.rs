//! # Repository: the trait (solution)

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct UserId(u64);

#[derive(Debug, Clone, PartialEq, Eq)]
struct User {
    id: UserId,
    email: String,
    name: String,
}

/// Stores and finds users. Implementations decide where users live.
///
/// The trait speaks the domain's language (users, ids, emails), never the
/// storage's (rows, keys, SQL), so business code written against it survives a
/// change of database.
trait UserRepository {
    /// The user with this id, or `None` if there is none.
    ///
    /// `&self`: reading never changes the store, so any number of readers may
    /// hold the repository at once. `Option`: a missing user is an ordinary
    /// answer the caller must handle, so it is a value, not a panic. An owned
    /// `User`: a SQL adapter builds a fresh value from each row and has nothing
    /// to lend a reference to, and the caller is free to modify its copy.
    fn find_by_id(&self, id: UserId) -> Option<User>;

    /// The user with this email address, or `None` if there is none.
    ///
    /// `&str`, not `String`: a lookup only needs to read the address.
    fn find_by_email(&self, email: &str) -> Option<User>;

    /// Stores `user`, replacing any stored user with the same id.
    ///
    /// One method for insert and update (an "upsert") keeps callers simple:
    /// load, change, save. `&mut self` lets the borrow checker prove that no
    /// one reads while the store changes. Taking `User` by value hands it to
    /// the store, which keeps it, so no clone is hidden inside.
    ///
    /// A repository backed by a connection pool would take `&self` here (the
    /// pool synchronises access) and return a `Result`, because the database
    /// can fail. This workbook keeps storage infallible to focus on the shape.
    fn save(&mut self, user: User);
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
    fn find_by_id(&self, id: UserId) -> Option<User> {
        // Cloning is the price of owned results; for an in-memory store it is
        // a few small strings, and it keeps callers from holding a borrow.
        self.users.iter().find(|user| user.id == id).cloned()
    }

    fn find_by_email(&self, email: &str) -> Option<User> {
        self.users.iter().find(|user| user.email == email).cloned()
    }

    fn save(&mut self, user: User) {
        // The id is the identity: a second save of the same id is the same
        // user in a new state, so it replaces the old entry in place.
        match self.users.iter_mut().find(|stored| stored.id == user.id) {
            Some(stored) => *stored = user,
            None => self.users.push(user),
        }
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
