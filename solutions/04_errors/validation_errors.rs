//! # Typed errors: validation that reports every problem at once (solution)

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
///
/// Every check runs, whatever the others found: the checks are independent,
/// so nothing is gained by stopping, and the user fixes the whole form in one
/// round trip. Within a field, `else if` keeps one error per field: "must not
/// be empty" and "too long" cannot both be useful, and one message per field
/// is what a form can show next to it.
///
/// The `Vec` is never empty in the `Err` case; a `NonEmpty` type could say so,
/// but the one `return Err` below is easy to check by eye.
fn validate(form: &SignupForm) -> Result<ValidSignup, Vec<FieldError>> {
    let mut errors = Vec::new();

    let email = form.email.trim().to_lowercase();
    if !is_email(&email) {
        errors.push(FieldError::new(
            "email",
            "invalid",
            "not a valid email address",
        ));
    }

    let display_name = form.display_name.trim();
    if display_name.is_empty() {
        errors.push(FieldError::new(
            "display_name",
            "required",
            "must not be empty",
        ));
    } else if display_name.chars().count() > 30 {
        errors.push(FieldError::new(
            "display_name",
            "too_long",
            "at most 30 characters",
        ));
    }

    if form.password.chars().count() < 12 {
        errors.push(FieldError::new(
            "password",
            "too_short",
            "at least 12 characters",
        ));
    }

    // A cross-field rule is still reported on one field, the one the user
    // has to change.
    if form.password_confirmation != form.password {
        errors.push(FieldError::new(
            "password_confirmation",
            "mismatch",
            "does not match the password",
        ));
    }

    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(ValidSignup {
        email,
        display_name: display_name.to_string(),
        password: form.password.clone(),
    })
}

/// The status and JSON body of the response to an invalid form.
///
/// The same envelope as every other error (`error.code`, `error.message`),
/// plus `fields`: a client that only knows the general shape still shows
/// something sensible, and a form can put each message next to its field,
/// keyed by the field name and the stable per-field code.
fn render(errors: &[FieldError]) -> (u16, Value) {
    let body = json!({ "error": {
        "code": "validation_failed",
        "message": "some fields are invalid",
        "fields": errors,
    } });
    (422, body)
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
