//! # Auth: password hashing with Argon2id
//!
//! A service that lets people log in must store something that checks a
//! password without being the password. That something is a **password
//! hash**: slow on purpose, salted, and self-describing.
//!
//! ```text
//!   register: password ──> Argon2id(password, fresh random salt, m, t, p)
//!                            ──> "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>" ──> store
//!   login:    password + stored PHC string ──> Argon2id with the salt and the
//!             parameters written in the string ──> same output? ──> logged in
//! ```
//!
//! - **Slow**: SHA-256 is built to be fast; a GPU tries billions of guesses a
//!   second against it. Argon2id costs memory (`m`, KiB) and time (`t`,
//!   passes) per guess, for the attacker too.
//! - **Salted**: a random salt per hash, so equal passwords get different
//!   hashes and no precomputed table works for the whole database.
//! - **Self-describing**: the PHC string carries the algorithm, version,
//!   parameters and salt, so a hash made years ago still verifies after the
//!   parameters change (the next exercise upgrades such hashes).
//!
//! ## The problem
//!
//! The accounts service stores `sha256(password)` in hex. A backup leaked;
//! by the next morning 60 % of the hashes were cracked, and every user whose
//! password was `123456` had the same hash, so cracking one cracked them all.
//! The login also answered "no such account" in microseconds and "wrong
//! password" in tens of milliseconds, so anyone with a stopwatch could tell
//! which emails have accounts.
//!
//! ## Your task
//!
//! 1. `Passwords::hash`: hash with `self.argon2` (Argon2id) and a fresh
//!    random salt; return the PHC string.
//! 2. `Passwords::verify`: parse the stored PHC string and verify the
//!    password against it. A wrong password is `Ok(false)`; a stored hash
//!    that cannot be parsed or checked is `Err(HashError)`, not a wrong
//!    password (it is our failure: a 500 and a log line).
//! 3. `Accounts::login`: an unknown email answers the same error as a wrong
//!    password *and costs the same work*: verify the password against
//!    `self.dummy_hash` before answering.
//!
//! The tests use tiny Argon2 parameters (8 KiB, one pass) so that a debug
//! build stays fast; `Passwords::production()` shows the real ones.
//!
//! ## When not to use it
//!
//! For secrets *you* generate (API keys, session ids, reset tokens) a slow
//! hash buys nothing: they are long and random, so a single SHA-256 (or an
//! HMAC with a server key) is enough to store them, and is fast enough to
//! check on every request. Argon2 is for secrets people choose. And if you
//! can avoid storing passwords at all (single sign-on through an identity
//! provider, passkeys), do.

use std::cell::Cell;
use std::collections::HashMap;

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{self, PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct UserId(u64);

/// A user as the store keeps it: never the password, only its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
struct StoredUser {
    id: UserId,
    email: String,
    /// A PHC string: `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`.
    password_hash: String,
}

/// Hashing failed, or a stored hash cannot be read. Never the user's fault.
#[derive(Debug, thiserror::Error)]
#[error("password hashing failed")]
struct HashError(#[source] password_hash::Error);

/// Hashes and verifies passwords with Argon2id.
struct Passwords {
    argon2: Argon2<'static>,
    /// How many verifications ran: a metric in production, and how the tests
    /// see that an unknown email costs as much as a wrong password.
    verifications: Cell<u32>,
}

impl Passwords {
    /// OWASP's minimum for Argon2id (the crate's `Params::DEFAULT`): 19 MiB of
    /// memory, 2 passes, 1 lane. About 20-50 ms per hash on a server core in
    /// a release build, which is the point: it is per guess for an attacker
    /// too. Raise it as far as your login latency and memory allow.
    fn production() -> Self {
        Self::with_params(Params::DEFAULT)
    }

    fn with_params(params: Params) -> Self {
        Self {
            argon2: Argon2::new(Algorithm::Argon2id, Version::V0x13, params),
            verifications: Cell::new(0),
        }
    }

    fn verifications(&self) -> u32 {
        self.verifications.get()
    }

    /// A PHC string of `password`, with a fresh random salt.
    fn hash(&self, password: &str) -> Result<String, HashError> {
        // TODO: hash with self.argon2 and a fresh random salt (the
        // `PasswordHasher` trait), and return the PHC string. Delete the
        // legacy SHA-256 below: fast and unsalted.
        Ok(hex::encode(Sha256::digest(password.as_bytes())))
    }

    /// Whether `password` matches `stored`. A wrong password is `Ok(false)`;
    /// a stored hash that cannot be read is an error, not a wrong password.
    fn verify(&self, password: &str, stored: &str) -> Result<bool, HashError> {
        self.verifications.set(self.verifications.get() + 1);
        // TODO: parse `stored` as a PHC string and verify `password` against
        // it with self.argon2 (the `PasswordVerifier` trait). Which error
        // means "wrong password", and which ones mean "we cannot check"?
        Ok(hex::encode(Sha256::digest(password.as_bytes())) == stored)
    }
}

// ---- Storage ------------------------------------------------------------------

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
enum StoreError {
    #[error("email {0} is already registered")]
    EmailTaken(String),
}

trait UserStore {
    fn insert(&mut self, email: &str, password_hash: String) -> Result<UserId, StoreError>;
    fn find_by_email(&self, email: &str) -> Option<StoredUser>;
}

#[derive(Default)]
struct InMemoryUsers {
    users: HashMap<String, StoredUser>,
}

impl UserStore for InMemoryUsers {
    fn insert(&mut self, email: &str, password_hash: String) -> Result<UserId, StoreError> {
        if self.users.contains_key(email) {
            return Err(StoreError::EmailTaken(email.to_string()));
        }
        let id = UserId(self.users.len() as u64 + 1);
        let user = StoredUser {
            id,
            email: email.to_string(),
            password_hash,
        };
        self.users.insert(email.to_string(), user);
        Ok(id)
    }

    fn find_by_email(&self, email: &str) -> Option<StoredUser> {
        self.users.get(email).cloned()
    }
}

// ---- The service --------------------------------------------------------------

#[derive(Debug, thiserror::Error)]
enum RegisterError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Hash(#[from] HashError),
}

#[derive(Debug, thiserror::Error)]
enum LoginError {
    /// Unknown email or wrong password: one error, one message, so that the
    /// login form does not tell an attacker which emails have accounts.
    #[error("invalid email or password")]
    InvalidCredentials,
    /// A stored hash is unreadable: our bug or a corrupt row, to be logged
    /// and answered with a 500, never blamed on the user's typing.
    #[error("login is unavailable")]
    Internal(#[from] HashError),
}

struct Accounts<S> {
    store: S,
    passwords: Passwords,
    /// A hash of no one's password, verified when the email is unknown.
    dummy_hash: String,
}

impl<S: UserStore> Accounts<S> {
    fn new(store: S, passwords: Passwords) -> Result<Self, HashError> {
        let dummy_hash = passwords.hash("no account has this password")?;
        Ok(Self {
            store,
            passwords,
            dummy_hash,
        })
    }

    fn register(&mut self, email: &str, password: &str) -> Result<UserId, RegisterError> {
        let password_hash = self.passwords.hash(password)?;
        Ok(self.store.insert(email, password_hash)?)
    }

    fn login(&self, email: &str, password: &str) -> Result<UserId, LoginError> {
        // TODO: an unknown email must cost the same work as a wrong password,
        // or the response time tells which emails have accounts: verify
        // `password` against `self.dummy_hash` before answering.
        let user = self
            .store
            .find_by_email(email)
            .ok_or(LoginError::InvalidCredentials)?;
        if self.passwords.verify(password, &user.password_hash)? {
            Ok(user.id)
        } else {
            Err(LoginError::InvalidCredentials)
        }
    }
}

fn main() {
    // This exercise is checked by its tests.
}

#[cfg(test)]
mod tests {
    use super::*;

    /// TEST-ONLY parameters: 8 KiB and one pass, the least Argon2 allows, so
    /// that a debug build hashes in well under a millisecond. Production uses
    /// `Passwords::production()`; never ship these.
    fn test_params() -> Params {
        Params::new(Params::MIN_M_COST, 1, 1, None).unwrap()
    }

    fn accounts() -> Accounts<InMemoryUsers> {
        let passwords = Passwords::with_params(test_params());
        Accounts::new(InMemoryUsers::default(), passwords).unwrap()
    }

    fn stored_hash(accounts: &Accounts<InMemoryUsers>, email: &str) -> String {
        accounts.store.find_by_email(email).unwrap().password_hash
    }

    #[test]
    fn registering_stores_an_argon2id_hash_not_the_password() {
        let mut accounts = accounts();

        accounts
            .register("ada@example.com", "correct horse")
            .unwrap();

        let stored = stored_hash(&accounts, "ada@example.com");
        assert!(
            stored.starts_with("$argon2id$v=19$m=8,t=1,p=1$"),
            "expected a PHC string with the algorithm and the parameters, got {stored:?}"
        );
        assert!(!stored.contains("correct horse"));
    }

    #[test]
    fn the_same_password_is_stored_differently_for_two_users() {
        let mut accounts = accounts();

        accounts.register("ada@example.com", "123456").unwrap();
        accounts.register("bob@example.com", "123456").unwrap();

        assert_ne!(
            stored_hash(&accounts, "ada@example.com"),
            stored_hash(&accounts, "bob@example.com"),
            "every hash needs its own random salt, or equal passwords show"
        );
    }

    #[test]
    fn the_right_password_logs_in() {
        let mut accounts = accounts();
        let ada = accounts
            .register("ada@example.com", "correct horse")
            .unwrap();
        let bob = accounts
            .register("bob@example.com", "battery staple")
            .unwrap();
        assert_eq!((ada, bob), (UserId(1), UserId(2)), "ids count from 1");

        assert_eq!(
            accounts.login("ada@example.com", "correct horse").unwrap(),
            ada
        );
        assert_eq!(
            accounts.login("bob@example.com", "battery staple").unwrap(),
            bob
        );
    }

    #[test]
    fn a_wrong_password_is_invalid_credentials() {
        let mut accounts = accounts();
        accounts
            .register("ada@example.com", "correct horse")
            .unwrap();

        let wrong = accounts.login("ada@example.com", "correct hors");
        let other_users = accounts.login("ada@example.com", "battery staple");

        assert!(
            matches!(wrong, Err(LoginError::InvalidCredentials)),
            "{wrong:?}"
        );
        assert!(matches!(other_users, Err(LoginError::InvalidCredentials)));
    }

    #[test]
    fn an_unknown_email_is_the_same_error_as_a_wrong_password() {
        let mut accounts = accounts();
        accounts
            .register("ada@example.com", "correct horse")
            .unwrap();

        let unknown = accounts.login("eve@example.com", "correct horse");

        assert!(
            matches!(unknown, Err(LoginError::InvalidCredentials)),
            "an unknown email must look like a wrong password, got {unknown:?}"
        );
    }

    #[test]
    fn an_unknown_email_costs_one_verification_like_a_wrong_password() {
        let mut accounts = accounts();
        accounts
            .register("ada@example.com", "correct horse")
            .unwrap();

        let before = accounts.passwords.verifications();
        let _ = accounts.login("ada@example.com", "wrong");
        let for_wrong_password = accounts.passwords.verifications() - before;
        let _ = accounts.login("eve@example.com", "wrong");
        let for_unknown_email = accounts.passwords.verifications() - before - for_wrong_password;

        assert_eq!(for_wrong_password, 1);
        assert_eq!(
            for_unknown_email, 1,
            "an unknown email must cost a verification too (against the dummy hash), \
             or response times reveal which emails have accounts"
        );
    }

    #[test]
    fn a_hash_made_with_other_parameters_still_verifies() {
        let stronger = Passwords::with_params(Params::new(16, 2, 1, None).unwrap());
        let stored = stronger.hash("correct horse").unwrap();

        let current = Passwords::with_params(test_params());

        assert!(current.verify("correct horse", &stored).unwrap());
        assert!(!current.verify("battery staple", &stored).unwrap());
    }

    #[test]
    fn a_corrupt_stored_hash_is_an_internal_error_not_a_wrong_password() {
        let mut store = InMemoryUsers::default();
        store
            .insert("ada@example.com", "$argon2id$v=19$garbage".to_string())
            .unwrap();
        let accounts = Accounts::new(store, Passwords::with_params(test_params())).unwrap();

        let outcome = accounts.login("ada@example.com", "correct horse");

        assert!(
            matches!(outcome, Err(LoginError::Internal(_))),
            "a hash that cannot be read is our failure (500, logged), got {outcome:?}"
        );
    }

    #[test]
    fn the_production_parameters_meet_the_owasp_minimum() {
        let params = Passwords::production().argon2.params().clone();

        assert!(params.m_cost() >= 19 * 1024, "at least 19 MiB");
        assert!(params.t_cost() >= 2, "at least 2 passes");
        assert_eq!(params.p_cost(), 1);
    }
}
