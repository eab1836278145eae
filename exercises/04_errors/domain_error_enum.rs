//! # Typed errors: a domain error enum instead of strings
//!
//! An error that callers branch on is part of the API. Give it a type: one enum
//! variant per way the operation can fail, so the compiler checks every branch.
//!
//! ## The problem
//!
//! `Accounts::register` returns `Result<UserId, String>`, and `status_for`
//! picks the HTTP status by searching the message for words. Last week someone
//! polished the duplicate-email message from "email already registered" to
//! "an account with this email already exists". Nothing failed to compile, no
//! test broke, and every duplicate signup became a 500 that paged the on-call
//! engineer. Words are for people; code needs something it can match on.
//!
//! ## Your task
//!
//! 1. Declare `RegisterError`, deriving `Debug, PartialEq, Eq` and
//!    `thiserror::Error`, with these variants and `#[error(...)]` texts:
//!    - `InvalidEmail`: "not a valid email address"
//!    - `WeakPassword { reason: &'static str }`: "password is too weak: {reason}"
//!    - `EmailTaken`: "an account with this email already exists"
//! 2. Make `register` return `Result<UserId, RegisterError>`. The reasons for a
//!    weak password stay the fixed texts they are today.
//! 3. Make `status_for` take a `&RegisterError` and `match` on the variants:
//!    409 for a taken email, 422 for the two input problems. No wildcard arm:
//!    when someone adds a variant, the compiler shows every place to decide.
//!
//! The tests name `RegisterError` and its variants, so they do not compile
//! until step 1 is done.
//!
//! ## When not to use it
//!
//! When no caller branches on the error, only reports it (a CLI that prints it
//! and exits, a one-off script), a typed enum is ceremony: `anyhow::Error` with
//! `.context("...")` carries the message and its causes with less code.

use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct UserId(u64);

// TODO: declare `RegisterError` here (see the task above).

#[derive(Default)]
struct Accounts {
    ids_by_email: HashMap<String, UserId>,
}

impl Accounts {
    /// Registers `email` with `password` and returns the new account's id.
    // TODO: return `Result<UserId, RegisterError>` and a variant for each failure.
    fn register(&mut self, email: &str, password: &str) -> Result<UserId, String> {
        let email = email.trim().to_lowercase();
        let Some((local, domain)) = email.split_once('@') else {
            return Err("not a valid email address".to_string());
        };
        if local.is_empty() || !domain.contains('.') {
            return Err("not a valid email address".to_string());
        }
        if password.chars().count() < 12 {
            return Err("password is too weak: shorter than 12 characters".to_string());
        }
        if !password.chars().any(|c| c.is_ascii_digit()) {
            return Err("password is too weak: no digit".to_string());
        }
        if self.ids_by_email.contains_key(&email) {
            return Err("an account with this email already exists".to_string());
        }
        let id = UserId(self.ids_by_email.len() as u64 + 1);
        self.ids_by_email.insert(email, id);
        Ok(id)
    }
}

/// The HTTP status a signup endpoint answers with for this error.
// TODO: take `&RegisterError` and match on its variants, with no wildcard arm.
fn status_for(error: &str) -> u16 {
    if error.contains("already registered") {
        409
    } else if error.contains("too weak") || error.contains("not a valid") {
        422
    } else {
        500
    }
}

fn main() {
    // This exercise is checked by its tests.
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD_PASSWORD: &str = "correct horse 42";

    fn accounts_with_ada() -> Accounts {
        let mut accounts = Accounts::default();
        accounts
            .register("ada@example.com", GOOD_PASSWORD)
            .expect("Ada's signup is valid");
        accounts
    }

    /// Compiles only if `E` is a real error type, one that `?` can turn into
    /// `Box<dyn Error>` or `anyhow::Error` further up.
    fn assert_is_error<E: std::error::Error>(_: &E) {}

    #[test]
    fn a_valid_signup_gets_a_fresh_id() {
        let mut accounts = accounts_with_ada();

        let grace = accounts.register("grace@example.com", GOOD_PASSWORD);

        assert_eq!(grace, Ok(UserId(2)));
    }

    #[test]
    fn a_taken_email_is_its_own_variant_whatever_the_case() {
        let mut accounts = accounts_with_ada();

        let result = accounts.register("  ADA@example.com", GOOD_PASSWORD);

        assert_eq!(result, Err(RegisterError::EmailTaken));
    }

    #[test]
    fn a_malformed_email_is_invalid_email() {
        let mut accounts = Accounts::default();

        for email in ["ada", "@example.com", "ada@localhost"] {
            assert_eq!(
                accounts.register(email, GOOD_PASSWORD),
                Err(RegisterError::InvalidEmail),
                "{email:?} is not an address"
            );
        }
    }

    #[test]
    fn a_weak_password_carries_the_reason_as_data() {
        let mut accounts = Accounts::default();

        let short = accounts.register("ada@example.com", "s3cret");
        let no_digit = accounts.register("ada@example.com", "correct horse battery");

        assert!(
            matches!(&short, Err(RegisterError::WeakPassword { reason }) if *reason == "shorter than 12 characters"),
            "got {short:?}"
        );
        assert!(
            matches!(&no_digit, Err(RegisterError::WeakPassword { reason }) if *reason == "no digit"),
            "got {no_digit:?}"
        );
    }

    #[test]
    fn display_texts_are_the_messages_users_see() {
        assert_eq!(
            RegisterError::InvalidEmail.to_string(),
            "not a valid email address"
        );
        assert_eq!(
            RegisterError::WeakPassword { reason: "no digit" }.to_string(),
            "password is too weak: no digit"
        );
        assert_eq!(
            RegisterError::EmailTaken.to_string(),
            "an account with this email already exists"
        );
    }

    #[test]
    fn register_error_is_a_std_error() {
        assert_is_error(&RegisterError::EmailTaken);
    }

    #[test]
    fn each_variant_maps_to_its_status() {
        assert_eq!(status_for(&RegisterError::EmailTaken), 409);
        assert_eq!(status_for(&RegisterError::InvalidEmail), 422);
        assert_eq!(
            status_for(&RegisterError::WeakPassword { reason: "no digit" }),
            422
        );
    }

    #[test]
    fn a_duplicate_signup_is_a_conflict_not_a_server_error() {
        let mut accounts = accounts_with_ada();

        let error = accounts
            .register("ada@example.com", GOOD_PASSWORD)
            .unwrap_err();

        assert_eq!(status_for(&error), 409);
    }

    #[test]
    fn twelve_characters_with_a_digit_are_enough() {
        let mut accounts = Accounts::default();

        assert_eq!(
            accounts.register("ada@example.com", "abcdefghijk1"),
            Ok(UserId(1))
        );
        assert_eq!(
            accounts.register("grace@example.com", "abcdefghij1"),
            Err(RegisterError::WeakPassword {
                reason: "shorter than 12 characters"
            })
        );
    }
}
