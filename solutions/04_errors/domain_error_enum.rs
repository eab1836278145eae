//! # Typed errors: a domain error enum instead of strings (solution)

use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct UserId(u64);

/// Why a signup was refused.
///
/// Callers branch on the variant, never on the text: the `#[error]` strings
/// are for people and may be reworded at any time, while the variants are the
/// contract, checked by the compiler. `thiserror` writes the `Display` and
/// `std::error::Error` impls, so this type still works with `?`,
/// `Box<dyn Error>` and `anyhow` further up the stack.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
enum RegisterError {
    #[error("not a valid email address")]
    InvalidEmail,
    /// The reason is data, not part of a sentence: a client can show it next
    /// to the password field, and a test can compare it without parsing.
    /// `&'static str` is enough because the reasons are fixed texts.
    #[error("password is too weak: {reason}")]
    WeakPassword { reason: &'static str },
    #[error("an account with this email already exists")]
    EmailTaken,
}

#[derive(Default)]
struct Accounts {
    ids_by_email: HashMap<String, UserId>,
}

impl Accounts {
    /// Registers `email` with `password` and returns the new account's id.
    fn register(&mut self, email: &str, password: &str) -> Result<UserId, RegisterError> {
        let email = email.trim().to_lowercase();
        let Some((local, domain)) = email.split_once('@') else {
            return Err(RegisterError::InvalidEmail);
        };
        if local.is_empty() || !domain.contains('.') {
            return Err(RegisterError::InvalidEmail);
        }
        if password.chars().count() < 12 {
            return Err(RegisterError::WeakPassword {
                reason: "shorter than 12 characters",
            });
        }
        if !password.chars().any(|c| c.is_ascii_digit()) {
            return Err(RegisterError::WeakPassword { reason: "no digit" });
        }
        if self.ids_by_email.contains_key(&email) {
            return Err(RegisterError::EmailTaken);
        }
        let id = UserId(self.ids_by_email.len() as u64 + 1);
        self.ids_by_email.insert(email, id);
        Ok(id)
    }
}

/// The HTTP status a signup endpoint answers with for this error.
///
/// An exhaustive match without a `_` arm: adding a variant to `RegisterError`
/// fails to compile here until someone decides its status, instead of
/// silently falling through to 500 as the string version did.
fn status_for(error: &RegisterError) -> u16 {
    match error {
        RegisterError::EmailTaken => 409,
        RegisterError::InvalidEmail | RegisterError::WeakPassword { .. } => 422,
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
