//! # Repository: a SQLite adapter, held to one contract (solution)
//!
//! The adapter is the only code that knows SQL, rows and SQLite's error
//! codes; it translates all three into the port's language (`User`,
//! `Option`, `RepoError`). The contract suite is what makes the in-memory
//! twin trustworthy: it is held to the same tests as the real thing.

use rusqlite::{Connection, OptionalExtension, Row, params};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct UserId(i64);

#[derive(Debug, Clone, PartialEq, Eq)]
struct User {
    id: UserId,
    email: String,
    name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct NewUser {
    email: String,
    name: String,
}

#[derive(Debug, thiserror::Error)]
enum RepoError {
    #[error("email {email} is already taken")]
    EmailTaken { email: String },
    #[error("there is no user {0:?}")]
    NotFound(UserId),
    /// The storage failed. The port must not name the adapter's error type
    /// (`rusqlite::Error`), so the cause is boxed: kept for the logs, opaque
    /// to the service.
    #[error("the user store failed")]
    Storage(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// The contract, for every implementation:
/// - emails are compared ignoring ASCII letter case (like SQLite's `NOCASE`)
///   and returned exactly as stored;
/// - no two users share an email: `insert` and `change_email` fail with
///   `EmailTaken` (changing the letter case of your own email is allowed);
/// - a missing user is `Ok(None)`, never an error; `change_email` of an
///   unknown id is `NotFound`.
trait UserRepository {
    fn insert(&mut self, new_user: NewUser) -> Result<User, RepoError>;
    fn find_by_id(&self, id: UserId) -> Result<Option<User>, RepoError>;
    fn find_by_email(&self, email: &str) -> Result<Option<User>, RepoError>;
    fn change_email(&mut self, id: UserId, email: &str) -> Result<(), RepoError>;
}

// ---- In memory (done, do not change) ----------------------------------------

#[derive(Default)]
struct InMemoryUserRepository {
    users: BTreeMap<UserId, User>,
    last_id: i64,
}

impl InMemoryUserRepository {
    /// Whether a user other than `except` has `email`. ASCII-only folding,
    /// because that is what SQLite's `NOCASE` does: a fake that folded
    /// Unicode would disagree with the real store on `É` and `é`.
    fn email_used(&self, email: &str, except: Option<UserId>) -> bool {
        self.users
            .values()
            .filter(|user| Some(user.id) != except)
            .any(|user| user.email.eq_ignore_ascii_case(email))
    }
}

impl UserRepository for InMemoryUserRepository {
    fn insert(&mut self, new_user: NewUser) -> Result<User, RepoError> {
        if self.email_used(&new_user.email, None) {
            let email = new_user.email;
            return Err(RepoError::EmailTaken { email });
        }
        self.last_id += 1;
        let id = UserId(self.last_id);
        let user = User {
            id,
            email: new_user.email,
            name: new_user.name,
        };
        self.users.insert(id, user.clone());
        Ok(user)
    }

    fn find_by_id(&self, id: UserId) -> Result<Option<User>, RepoError> {
        Ok(self.users.get(&id).cloned())
    }

    fn find_by_email(&self, email: &str) -> Result<Option<User>, RepoError> {
        let mut users = self.users.values();
        let found = users.find(|user| user.email.eq_ignore_ascii_case(email));
        Ok(found.cloned())
    }

    fn change_email(&mut self, id: UserId, email: &str) -> Result<(), RepoError> {
        if !self.users.contains_key(&id) {
            return Err(RepoError::NotFound(id));
        }
        if self.email_used(email, Some(id)) {
            let email = email.to_string();
            return Err(RepoError::EmailTaken { email });
        }
        if let Some(user) = self.users.get_mut(&id) {
            user.email = email.to_string();
        }
        Ok(())
    }
}

// ---- SQLite ---------------------------------------------------------------------

const SCHEMA: &str = "
    CREATE TABLE users (
        id    INTEGER PRIMARY KEY,
        email TEXT NOT NULL UNIQUE COLLATE NOCASE,
        name  TEXT NOT NULL
    );
";

struct SqliteUserRepository {
    conn: Connection,
}

impl SqliteUserRepository {
    /// A repository over a fresh in-memory database with the schema.
    fn open_in_memory() -> Result<Self, RepoError> {
        let conn = Connection::open_in_memory().map_err(storage)?;
        conn.execute_batch(SCHEMA).map_err(storage)?;
        Ok(Self { conn })
    }
}

/// Any rusqlite failure we have no better answer for.
fn storage(error: rusqlite::Error) -> RepoError {
    RepoError::Storage(Box::new(error))
}

/// A row of `SELECT id, email, name FROM users ...` as a `User`.
///
/// One mapping function for every query, so the row-to-`User` rules live in
/// one place; each `SELECT` lists the columns in this order.
fn user_from_row(row: &Row<'_>) -> rusqlite::Result<User> {
    Ok(User {
        id: UserId(row.get(0)?),
        email: row.get(1)?,
        name: row.get(2)?,
    })
}

/// Whether `error` is SQLite refusing a write that breaks a UNIQUE
/// constraint (and not, say, a NOT NULL one).
///
/// The extended code, not `ErrorCode::ConstraintViolation`: that one also
/// covers NOT NULL, CHECK and foreign keys, which are bugs, not "taken".
/// `email` is the table's only UNIQUE column, so a unique violation here can
/// only be about the email.
fn is_unique_violation(error: &rusqlite::Error) -> bool {
    error
        .sqlite_error()
        .is_some_and(|error| error.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE)
}

impl UserRepository for SqliteUserRepository {
    // Every value travels as a parameter (`?1`), never inside the SQL text:
    // a quote in an email cannot change the statement (no injection), and
    // the statement text stays the same, so SQLite can cache it.

    fn insert(&mut self, new_user: NewUser) -> Result<User, RepoError> {
        // No "SELECT first": the UNIQUE index checks and inserts in one step,
        // and its refusal is translated into the port's typed error.
        let inserted = self.conn.execute(
            "INSERT INTO users (email, name) VALUES (?1, ?2)",
            params![new_user.email, new_user.name],
        );
        match inserted {
            Ok(_) => Ok(User {
                id: UserId(self.conn.last_insert_rowid()),
                email: new_user.email,
                name: new_user.name,
            }),
            Err(error) if is_unique_violation(&error) => Err(RepoError::EmailTaken {
                email: new_user.email,
            }),
            Err(error) => Err(storage(error)),
        }
    }

    fn find_by_id(&self, id: UserId) -> Result<Option<User>, RepoError> {
        // `optional()` turns rusqlite's `QueryReturnedNoRows` error into
        // `Ok(None)`: absence is an answer, and only real failures stay errors.
        self.conn
            .query_row(
                "SELECT id, email, name FROM users WHERE id = ?1",
                params![id.0],
                user_from_row,
            )
            .optional()
            .map_err(storage)
    }

    fn find_by_email(&self, email: &str) -> Result<Option<User>, RepoError> {
        // The column's `COLLATE NOCASE` applies to `=`, and the UNIQUE index
        // was built with it, so this comparison and the uniqueness rule can
        // never disagree.
        self.conn
            .query_row(
                "SELECT id, email, name FROM users WHERE email = ?1",
                params![email],
                user_from_row,
            )
            .optional()
            .map_err(storage)
    }

    fn change_email(&mut self, id: UserId, email: &str) -> Result<(), RepoError> {
        let updated = self.conn.execute(
            "UPDATE users SET email = ?1 WHERE id = ?2",
            params![email, id.0],
        );
        match updated {
            // An UPDATE that matches no row is not an error to SQLite; the
            // row count is the only way to tell "no such user".
            Ok(0) => Err(RepoError::NotFound(id)),
            Ok(_) => Ok(()),
            Err(error) if is_unique_violation(&error) => Err(RepoError::EmailTaken {
                email: email.to_string(),
            }),
            Err(error) => Err(storage(error)),
        }
    }
}

fn main() {
    // This exercise is checked by its tests.
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_user(email: &str, name: &str) -> NewUser {
        NewUser {
            email: email.to_string(),
            name: name.to_string(),
        }
    }

    fn assert_email_taken<T: std::fmt::Debug>(result: Result<T, RepoError>, expected: &str) {
        match result {
            Err(RepoError::EmailTaken { email }) => assert_eq!(email, expected),
            other => panic!("expected EmailTaken for {expected}, got {other:?}"),
        }
    }

    /// One contract suite, written against the trait, instantiated once per
    /// implementation: `tests::in_memory::*` and `tests::sqlite::*`.
    macro_rules! user_repository_contract {
        ($module:ident, $new_repo:expr) => {
            mod $module {
                use super::*;

                fn repo() -> impl UserRepository {
                    $new_repo
                }

                #[test]
                fn insert_gives_fresh_ids_and_find_by_id_returns_the_user() {
                    let mut repo = repo();

                    let ada = repo.insert(new_user("ada@example.com", "Ada")).unwrap();
                    let grace = repo.insert(new_user("grace@example.com", "Grace")).unwrap();

                    assert_eq!(
                        (ada.id, grace.id),
                        (UserId(1), UserId(2)),
                        "ids count up from 1, like SQLite's rowid"
                    );
                    assert_eq!(ada.email, "ada@example.com");
                    assert_eq!(ada.name, "Ada");
                    assert_eq!(repo.find_by_id(ada.id).unwrap(), Some(ada));
                    assert_eq!(repo.find_by_id(grace.id).unwrap(), Some(grace));
                }

                #[test]
                fn a_missing_user_is_none_not_an_error() {
                    let mut repo = repo();
                    repo.insert(new_user("ada@example.com", "Ada")).unwrap();

                    assert_eq!(repo.find_by_id(UserId(999)).unwrap(), None);
                    assert_eq!(repo.find_by_email("nobody@example.com").unwrap(), None);
                }

                #[test]
                fn find_by_email_ignores_case_and_returns_the_email_as_stored() {
                    let mut repo = repo();
                    let ada = repo.insert(new_user("Ada@Example.com", "Ada")).unwrap();

                    let found = repo.find_by_email("ada@EXAMPLE.COM").unwrap();

                    assert_eq!(found, Some(ada));
                }

                #[test]
                fn a_taken_email_in_any_case_is_email_taken_and_stores_nothing() {
                    let mut repo = repo();
                    let ada = repo.insert(new_user("ada@example.com", "Ada")).unwrap();

                    let result = repo.insert(new_user("ADA@example.com", "Impostor"));

                    assert_email_taken(result, "ADA@example.com");
                    assert_eq!(repo.find_by_email("ada@example.com").unwrap(), Some(ada));
                }

                #[test]
                fn values_with_quotes_are_stored_exactly_as_given() {
                    let mut repo = repo();
                    let name = "Robert'); DROP TABLE users; --";

                    let bobby = repo.insert(new_user("o'brien@example.com", name)).unwrap();

                    let found = repo.find_by_email("o'brien@example.com").unwrap();
                    assert_eq!(found.map(|user| user.name), Some(name.to_string()));
                    assert_eq!(repo.find_by_id(bobby.id).unwrap(), Some(bobby));
                }

                #[test]
                fn change_email_moves_the_user_and_frees_the_old_address() {
                    let mut repo = repo();
                    let ada = repo.insert(new_user("ada@example.com", "Ada")).unwrap();

                    repo.change_email(ada.id, "ada@lovelace.dev").unwrap();

                    let moved = repo.find_by_email("ada@lovelace.dev").unwrap();
                    assert_eq!(moved.map(|user| user.id), Some(ada.id));
                    assert_eq!(repo.find_by_email("ada@example.com").unwrap(), None);
                    let newcomer = repo.insert(new_user("ada@example.com", "Another Ada"));
                    assert!(newcomer.is_ok(), "the old address is free: {newcomer:?}");
                }

                #[test]
                fn change_email_may_change_the_case_of_your_own_email() {
                    let mut repo = repo();
                    let ada = repo.insert(new_user("ada@example.com", "Ada")).unwrap();

                    repo.change_email(ada.id, "Ada@Example.com").unwrap();

                    let found = repo.find_by_id(ada.id).unwrap();
                    assert_eq!(
                        found.map(|user| user.email),
                        Some("Ada@Example.com".to_string())
                    );
                }

                #[test]
                fn change_email_to_another_users_email_is_email_taken() {
                    let mut repo = repo();
                    let ada = repo.insert(new_user("ada@example.com", "Ada")).unwrap();
                    repo.insert(new_user("grace@example.com", "Grace")).unwrap();

                    let result = repo.change_email(ada.id, "Grace@example.com");

                    assert_email_taken(result, "Grace@example.com");
                    assert_eq!(repo.find_by_id(ada.id).unwrap(), Some(ada));
                }

                #[test]
                fn change_email_of_an_unknown_user_is_not_found() {
                    let mut repo = repo();

                    let result = repo.change_email(UserId(42), "ghost@example.com");

                    assert!(
                        matches!(result, Err(RepoError::NotFound(UserId(42)))),
                        "expected NotFound(UserId(42)), got {result:?}"
                    );
                }
            }
        };
    }

    user_repository_contract!(in_memory, InMemoryUserRepository::default());
    user_repository_contract!(sqlite, SqliteUserRepository::open_in_memory().unwrap());

    // ---- Beyond the contract: what only the SQLite adapter can get wrong ----

    #[test]
    fn sqlite_reports_other_failures_as_storage_not_as_email_taken() {
        let mut repo = SqliteUserRepository::open_in_memory().unwrap();
        repo.conn.execute_batch("DROP TABLE users").unwrap();

        let result = repo.insert(new_user("ada@example.com", "Ada"));

        assert!(
            matches!(result, Err(RepoError::Storage(_))),
            "a missing table is not a taken email: {result:?}"
        );
    }

    #[test]
    fn sqlite_reports_other_constraint_failures_as_storage_not_as_email_taken() {
        let mut repo = SqliteUserRepository::open_in_memory().unwrap();
        // The same table with one more rule. A CHECK, a NOT NULL and a
        // foreign key all fail with SQLite's primary code CONSTRAINT, like
        // UNIQUE does; only the extended code tells them apart.
        repo.conn
            .execute_batch(
                "DROP TABLE users;
                 CREATE TABLE users (
                     id    INTEGER PRIMARY KEY,
                     email TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (instr(email, '@') > 1),
                     name  TEXT NOT NULL
                 );",
            )
            .unwrap();
        let ada = repo.insert(new_user("ada@example.com", "Ada")).unwrap();

        let inserted = repo.insert(new_user("no-at-sign", "Bob"));
        let changed = repo.change_email(ada.id, "no-at-sign");

        assert!(
            matches!(inserted, Err(RepoError::Storage(_))),
            "a failed CHECK on insert is not a taken email: {inserted:?}"
        );
        assert!(
            matches!(changed, Err(RepoError::Storage(_))),
            "a failed CHECK on change_email is not a taken email: {changed:?}"
        );
    }
}
