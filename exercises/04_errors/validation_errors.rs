//! # Typed errors: validation that reports every problem at once
//!
//! Validation errors are not like other errors: the request is not "failed",
//! it is a form with several things to fix. Check every field, collect one
//! error per broken field, and answer them all in one 422 response.
//!
//! ## The problem
//!
//! The signup form's `validate` returns at the first problem. A user fills in
//! the form, submits, reads "email: not a valid email address", fixes it,
//! submits again, reads "password: at least 12 characters", fixes it, and
//! learns on the third try that the confirmation does not match. The mobile
//! team asked for all problems in one answer, so the app can mark every field
//! red at once.
//!
//! ## Your task
//!
//! 1. Make `validate` check every field and return *all* errors, in the
//!    order of the form, with at most one error per field (the first rule that
//!    field breaks). It still returns the normalised `ValidSignup` when
//!    nothing is wrong.
//! 2. Write `render`: status 422 and
//!    `{"error": {"code": "validation_failed", "message": "some fields are invalid", "fields": [...]}}`,
//!    where each entry of `fields` is a `FieldError` as JSON
//!    (`{"field": ..., "code": ..., "message": ...}`).
//!
//! ## When not to use it
//!
//! Checks that depend on each other or need a round trip do not belong in
//! this pass: "is this email already taken?" needs the database and is a
//! business rule, answered after the form is valid (409, not 422). And a
//! machine-to-machine API whose clients never show a form is fine with the
//! first error.

use serde::Serialize;
use serde_json::{Value, json};

/// The form as the client sent it.
struct SignupForm {
    email: String,
    display_name: String,
    password: String,
    password_confirmation: String,
}

/// A signup that passed validation, normalised.
#[derive(Debug, PartialEq, Eq)]
struct ValidSignup {
    email: String,
    display_name: String,
    password: String,
}

/// What is wrong with one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct FieldError {
    field: &'static str,
    code: &'static str,
    message: &'static str,
}

impl FieldError {
    fn new(field: &'static str, code: &'static str, message: &'static str) -> Self {
        Self {
            field,
            code,
            message,
        }
    }
}

fn is_email(email: &str) -> bool {
    match email.split_once('@') {
        Some((local, domain)) => !local.is_empty() && domain.contains('.'),
        None => false,
    }
}

/// Checks the form; on failure, says what is wrong with each broken field.
fn validate(form: &SignupForm) -> Result<ValidSignup, Vec<FieldError>> {
    // TODO: check every field and collect the errors instead of returning at
    // the first one. At most one error per field, in the order of the form.
    let email = form.email.trim().to_lowercase();
    if !is_email(&email) {
        return Err(vec![FieldError::new(
            "email",
            "invalid",
            "not a valid email address",
        )]);
    }

    let display_name = form.display_name.trim();
    if display_name.is_empty() {
        return Err(vec![FieldError::new(
            "display_name",
            "required",
            "must not be empty",
        )]);
    }
    if display_name.chars().count() > 30 {
        return Err(vec![FieldError::new(
            "display_name",
            "too_long",
            "at most 30 characters",
        )]);
    }

    if form.password.chars().count() < 12 {
        return Err(vec![FieldError::new(
            "password",
            "too_short",
            "at least 12 characters",
        )]);
    }

    if form.password_confirmation != form.password {
        return Err(vec![FieldError::new(
            "password_confirmation",
            "mismatch",
            "does not match the password",
        )]);
    }

    Ok(ValidSignup {
        email,
        display_name: display_name.to_string(),
        password: form.password.clone(),
    })
}

/// The status and JSON body of the response to an invalid form.
fn render(errors: &[FieldError]) -> (u16, Value) {
    // TODO: 422 and the body described at the top.
    todo!()
}

fn main() {
    // This exercise is checked by its tests.
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good_form() -> SignupForm {
        SignupForm {
            email: " Ada@Example.com ".to_string(),
            display_name: " Ada ".to_string(),
            password: "correct horse 42".to_string(),
            password_confirmation: "correct horse 42".to_string(),
        }
    }

    #[test]
    fn a_good_form_becomes_a_normalised_signup() {
        assert_eq!(
            validate(&good_form()),
            Ok(ValidSignup {
                email: "ada@example.com".to_string(),
                display_name: "Ada".to_string(),
                password: "correct horse 42".to_string(),
            })
        );
    }

    #[test]
    fn every_broken_field_is_reported_at_once_in_form_order() {
        let form = SignupForm {
            email: "ada".to_string(),
            display_name: "   ".to_string(),
            password: "short".to_string(),
            password_confirmation: "shirt".to_string(),
        };

        assert_eq!(
            validate(&form),
            Err(vec![
                FieldError::new("email", "invalid", "not a valid email address"),
                FieldError::new("display_name", "required", "must not be empty"),
                FieldError::new("password", "too_short", "at least 12 characters"),
                FieldError::new(
                    "password_confirmation",
                    "mismatch",
                    "does not match the password"
                ),
            ])
        );
    }

    #[test]
    fn later_fields_are_checked_even_when_earlier_ones_are_fine() {
        let form = SignupForm {
            display_name: "A".repeat(31),
            password_confirmation: "correct horse 43".to_string(),
            ..good_form()
        };

        assert_eq!(
            validate(&form),
            Err(vec![
                FieldError::new("display_name", "too_long", "at most 30 characters"),
                FieldError::new(
                    "password_confirmation",
                    "mismatch",
                    "does not match the password"
                ),
            ])
        );
    }

    #[test]
    fn the_length_limits_are_inclusive_and_count_characters() {
        // 30 characters of two bytes each: 60 bytes, still 30 characters.
        let at_the_limits = SignupForm {
            display_name: "é".repeat(30),
            password: "twelve chars".to_string(),
            password_confirmation: "twelve chars".to_string(),
            ..good_form()
        };
        let one_short = SignupForm {
            password: "eleven char".to_string(),
            password_confirmation: "eleven char".to_string(),
            ..good_form()
        };

        assert!(
            validate(&at_the_limits).is_ok(),
            "30 characters and 12 characters are allowed: {:?}",
            validate(&at_the_limits)
        );
        assert_eq!(
            validate(&one_short),
            Err(vec![FieldError::new(
                "password",
                "too_short",
                "at least 12 characters"
            )])
        );
    }

    #[test]
    fn an_email_needs_a_name_before_the_at() {
        let form = SignupForm {
            email: "@example.com".to_string(),
            ..good_form()
        };

        assert_eq!(
            validate(&form).unwrap_err()[0].field,
            "email",
            "an address without a name before the @ is invalid"
        );
    }

    #[test]
    fn a_single_problem_is_a_list_of_one() {
        let form = SignupForm {
            email: "ada@localhost".to_string(),
            ..good_form()
        };

        assert_eq!(
            validate(&form),
            Err(vec![FieldError::new(
                "email",
                "invalid",
                "not a valid email address"
            )])
        );
    }

    #[test]
    fn the_response_is_422_with_every_field_error() {
        let errors = [
            FieldError::new("email", "invalid", "not a valid email address"),
            FieldError::new("password", "too_short", "at least 12 characters"),
        ];

        assert_eq!(
            render(&errors),
            (
                422,
                json!({ "error": {
                    "code": "validation_failed",
                    "message": "some fields are invalid",
                    "fields": [
                        { "field": "email", "code": "invalid", "message": "not a valid email address" },
                        { "field": "password", "code": "too_short", "message": "at least 12 characters" },
                    ],
                } })
            )
        );
    }
}
