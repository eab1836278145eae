//! # Test doubles: a fake repository and a spy mailer
//!
//! A test double stands in for a real dependency in a test. The two you will
//! write most often in a backend:
//! - a **fake**: a working, simplified implementation (a repository in a
//!   `HashMap`). Tests check *outcomes* against it: "the user is stored".
//! - a **spy**: records the calls it receives, so a test can check a *side
//!   effect* that leaves no other trace: "one welcome mail, to this address".
//!
//! (A **stub** returns canned answers; a **mock** is told in advance which
//! calls to expect and fails otherwise. `SpyMailer::failing()` is a spy that
//! is also a stub.)
//!
//! ## The problem
//!
//! `RegistrationService` is finished and must not change. Its promises are
//! about side effects: a new user gets exactly one welcome mail, a refused
//! registration sends none, and a mail outage does not block a signup. None
//! of that is visible in the `Result`, and no test may send real mail or need
//! a database.
//!
//! ## Your task
//!
//! Write the two doubles in `mod doubles` (compiled only for tests), keeping
//! the contracts written on `UserRepository` and `Mailer`:
//! 1. `InMemoryUsers`, a fake `UserRepository`: emails compared ignoring case,
//!    `save` replaces a user with the same id, `next_id` never returns a
//!    stored id nor one it returned before (tests seed users with ids of
//!    their own), and `len()` counts stored users.
//! 2. `SpyMailer`, a spy `Mailer`: `sent()` returns every mail passed to
//!    `send`, in order; `SpyMailer::failing()` returns `Err(ServerDown)` from
//!    every `send` and still records the attempt. `send` takes `&self`.
//!
//! Some tests check the doubles themselves; the others use them to pin the
//! service's behaviour. A double that is wrong makes tests lie.
//!
//! ## When not to use it
//!
//! Don't spy on what the outcome already shows: asserting "save was called
//! once" when you can assert "the user is stored" ties the test to the
//! implementation. Don't double what is cheap and deterministic (a pure
//! function, a value type). And a fake of a database is no proof the SQL
//! works: test the real adapter against a real database too.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct UserId(u64);

#[derive(Debug, Clone, PartialEq, Eq)]
struct User {
    id: UserId,
    email: String,
    name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Mail {
    to: String,
    subject: String,
}

#[derive(Debug, PartialEq, Eq)]
enum MailError {
    ServerDown,
}

/// Stores users. Every implementation, the fake included, must:
/// - find by email ignoring case, returning the email as it was saved;
/// - on `save` of a stored id, replace that user;
/// - from `next_id`, return an id that no stored user has and that was not
///   handed out before, as a database sequence does.
trait UserRepository {
    fn find_by_email(&self, email: &str) -> Option<User>;
    fn save(&mut self, user: User);
    fn next_id(&mut self) -> UserId;
}

/// Sends mail. `&self`, because a real mailer is a shared client.
trait Mailer {
    fn send(&self, mail: Mail) -> Result<(), MailError>;
}

#[derive(Debug, PartialEq, Eq)]
enum RegisterError {
    InvalidEmail,
    EmailTaken,
}

// ---- The service under test (do not change) --------------------------------

struct RegistrationService<R: UserRepository, M: Mailer> {
    users: R,
    mailer: M,
}

impl<R: UserRepository, M: Mailer> RegistrationService<R, M> {
    fn new(users: R, mailer: M) -> Self {
        Self { users, mailer }
    }

    fn users(&self) -> &R {
        &self.users
    }

    fn mailer(&self) -> &M {
        &self.mailer
    }

    /// Creates an account and sends one welcome mail. A refused registration
    /// sends nothing. A mail that cannot be sent does not undo the account:
    /// the user can ask for the mail again, but could not register twice.
    fn register(&mut self, email: &str, name: &str) -> Result<User, RegisterError> {
        if !email.contains('@') {
            return Err(RegisterError::InvalidEmail);
        }
        // Look-then-save, simplified on purpose: `&mut self` rules out a
        // rival here, but behind a shared database the store must refuse the
        // duplicate itself (`uniqueness_conflict`).
        if self.users.find_by_email(email).is_some() {
            return Err(RegisterError::EmailTaken);
        }
        let user = User {
            id: self.users.next_id(),
            email: email.to_string(),
            name: name.to_string(),
        };
        self.users.save(user.clone());
        let welcome = Mail {
            to: user.email.clone(),
            subject: format!("Welcome, {name}!"),
        };
        // Best effort on purpose; a real service would log the failure or
        // put the mail on a retry queue.
        let _ = self.mailer.send(welcome);
        Ok(user)
    }
}

fn main() {
    // This exercise is checked by its tests.
}

// ---- The doubles (your part) -----------------------------------------------

/// Compiled only for tests, like any test double.
#[cfg(test)]
mod doubles {
    use super::*;

    /// A fake `UserRepository`: a working store, in memory.
    #[derive(Default)]
    pub struct InMemoryUsers {
        // TODO: the stored users, and whatever `next_id` needs to remember.
    }

    impl InMemoryUsers {
        /// How many users are stored.
        pub fn len(&self) -> usize {
            // TODO
            todo!()
        }
    }

    impl UserRepository for InMemoryUsers {
        fn find_by_email(&self, email: &str) -> Option<User> {
            // TODO: ignore case, return the user as saved.
            todo!()
        }

        fn save(&mut self, user: User) {
            // TODO: insert or replace by id.
            todo!()
        }

        fn next_id(&mut self) -> UserId {
            // TODO: never a stored id, never the same id twice.
            todo!()
        }
    }

    /// A spy `Mailer`: records every mail it is asked to send.
    #[derive(Default)]
    pub struct SpyMailer {
        // TODO: the recorded mails (`send` has only `&self`: see
        // `std::cell::RefCell`), and whether to fail.
    }

    impl SpyMailer {
        /// A spy whose every `send` fails with `ServerDown`.
        pub fn failing() -> Self {
            // TODO
            todo!()
        }

        /// Every mail `send` was called with, in order, failed ones included.
        pub fn sent(&self) -> Vec<Mail> {
            // TODO
            todo!()
        }
    }

    impl Mailer for SpyMailer {
        fn send(&self, mail: Mail) -> Result<(), MailError> {
            // TODO: record the mail; then fail if this spy was made failing.
            todo!()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::doubles::{InMemoryUsers, SpyMailer};
    use super::*;

    fn user(id: u64, email: &str) -> User {
        User {
            id: UserId(id),
            email: email.to_string(),
            name: "Someone".to_string(),
        }
    }

    fn welcome(to: &str, name: &str) -> Mail {
        Mail {
            to: to.to_string(),
            subject: format!("Welcome, {name}!"),
        }
    }

    // -- The doubles keep their contracts --

    #[test]
    fn the_fake_finds_a_user_by_email_ignoring_case() {
        let mut users = InMemoryUsers::default();
        users.save(user(1, "Ada@Example.com"));

        let found = users.find_by_email("ada@EXAMPLE.com");

        assert_eq!(found, Some(user(1, "Ada@Example.com")));
        assert_eq!(users.find_by_email("grace@example.com"), None);
    }

    #[test]
    fn the_fake_replaces_a_user_saved_again_with_the_same_id() {
        let mut users = InMemoryUsers::default();
        users.save(user(1, "ada@example.com"));
        users.save(user(1, "ada@lovelace.org"));

        assert_eq!(users.len(), 1);
        assert_eq!(users.find_by_email("ada@example.com"), None);
        assert_eq!(
            users.find_by_email("ada@lovelace.org"),
            Some(user(1, "ada@lovelace.org"))
        );
    }

    #[test]
    fn the_fake_never_hands_out_a_stored_or_repeated_id() {
        let mut users = InMemoryUsers::default();
        users.save(user(1, "ada@example.com"));
        users.save(user(2, "grace@example.com"));

        let first = users.next_id();
        let second = users.next_id();

        assert!(
            ![UserId(1), UserId(2)].contains(&first),
            "{first:?} is taken"
        );
        assert!(
            ![UserId(1), UserId(2)].contains(&second),
            "{second:?} is taken"
        );
        assert_ne!(first, second, "a sequence never repeats itself");
    }

    #[test]
    fn the_spy_records_every_mail_in_order() {
        let spy = SpyMailer::default();
        assert!(spy.sent().is_empty());

        spy.send(welcome("ada@example.com", "Ada")).unwrap();
        spy.send(welcome("grace@example.com", "Grace")).unwrap();

        assert_eq!(
            spy.sent(),
            [
                welcome("ada@example.com", "Ada"),
                welcome("grace@example.com", "Grace")
            ]
        );
    }

    #[test]
    fn a_failing_spy_fails_and_still_records_the_attempt() {
        let spy = SpyMailer::failing();

        let result = spy.send(welcome("ada@example.com", "Ada"));

        assert_eq!(result, Err(MailError::ServerDown));
        assert_eq!(spy.sent(), [welcome("ada@example.com", "Ada")]);
    }

    // -- The doubles pin the service's behaviour --

    #[test]
    fn registering_sends_exactly_one_welcome_mail() {
        let mut service = RegistrationService::new(InMemoryUsers::default(), SpyMailer::default());

        let ada = service.register("ada@example.com", "Ada").unwrap();

        assert_eq!(service.mailer().sent(), [welcome("ada@example.com", "Ada")]);
        assert_eq!(service.users().find_by_email("ada@example.com"), Some(ada));
    }

    #[test]
    fn a_taken_email_is_refused_and_sends_no_mail() {
        let mut users = InMemoryUsers::default();
        users.save(user(1, "ada@example.com"));
        let mut service = RegistrationService::new(users, SpyMailer::default());

        let result = service.register("ADA@example.com", "Impostor");

        assert_eq!(result, Err(RegisterError::EmailTaken));
        assert!(service.mailer().sent().is_empty(), "no mail on a refusal");
        assert_eq!(service.users().len(), 1);
    }

    #[test]
    fn an_invalid_email_saves_nothing_and_sends_no_mail() {
        let mut service = RegistrationService::new(InMemoryUsers::default(), SpyMailer::default());

        let result = service.register("not-an-address", "Ada");

        assert_eq!(result, Err(RegisterError::InvalidEmail));
        assert!(service.mailer().sent().is_empty());
        assert_eq!(service.users().len(), 0);
    }

    #[test]
    fn registering_twice_with_one_address_sends_one_mail() {
        let mut service = RegistrationService::new(InMemoryUsers::default(), SpyMailer::default());

        service.register("ada@example.com", "Ada").unwrap();
        let again = service.register("Ada@Example.com", "Ada");

        assert_eq!(again, Err(RegisterError::EmailTaken));
        assert_eq!(service.mailer().sent().len(), 1);
    }

    #[test]
    fn new_users_get_distinct_ids_even_after_seeded_ones() {
        let mut users = InMemoryUsers::default();
        users.save(user(1, "grace@example.com"));
        let mut service = RegistrationService::new(users, SpyMailer::default());

        let ada = service.register("ada@example.com", "Ada").unwrap();
        let alan = service.register("alan@example.com", "Alan").unwrap();

        assert_ne!(ada.id, UserId(1));
        assert_ne!(ada.id, alan.id);
        assert_eq!(
            service.users().len(),
            3,
            "no registration overwrote another"
        );
    }

    #[test]
    fn a_mail_outage_does_not_block_registration() {
        let mut service = RegistrationService::new(InMemoryUsers::default(), SpyMailer::failing());

        let ada = service.register("ada@example.com", "Ada");

        assert!(ada.is_ok(), "the account exists even if the mail failed");
        assert_eq!(service.users().len(), 1);
        assert_eq!(
            service.mailer().sent(),
            [welcome("ada@example.com", "Ada")],
            "the service did try to send it"
        );
    }
}
