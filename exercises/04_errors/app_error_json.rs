//! # Typed errors: one application error, rendered as HTTP
//!
//! At the edge of the service, every failure becomes one `AppError`, and
//! `AppError` alone decides what the client sees: an HTTP status, a
//! machine-readable code, and a message for people, always in the same JSON
//! shape:
//!
//! ```json
//! { "error": { "code": "email_taken", "message": "an account with this email already exists" } }
//! ```
//!
//! ## The problem
//!
//! Each handler of the accounts API builds its own error responses. One
//! answers a missing user with 400 and `{"msg": "no user"}`, another with 404
//! and a plain-text body; the mobile client parses the message text to decide
//! whether to show "log in again". Every new handler invents a third variant,
//! and rewording a message breaks the app.
//!
//! ## Your task
//!
//! `AppError` is declared with its messages. Write the three functions that
//! turn it into a response:
//!
//! | variant          | `status()` | `code()`            |
//! |------------------|-----------:|---------------------|
//! | `UserNotFound`   | 404        | `"user_not_found"`  |
//! | `EmailTaken`     | 409        | `"email_taken"`     |
//! | `InvalidInput`   | 422        | `"invalid_input"`   |
//! | `Unauthenticated`| 401        | `"unauthenticated"` |
//! | `Forbidden`      | 403        | `"forbidden"`       |
//! | `Internal`       | 500        | `"internal"`        |
//!
//! `body()` returns an `ErrorBody`: give it fields so that it serialises
//! (with serde) to the shape above, with the
//! `Display` text as the message. The code is the contract clients branch on;
//! the message may be reworded at any time.
//!
//! ## When not to use it
//!
//! An internal service with a single caller you also own may not need
//! machine-readable codes: the status is enough. And if your organisation has
//! adopted RFC 9457 (`application/problem+json`), render that shape instead of
//! inventing one; the pattern (one type, one rendering) is the same.

use serde::Serialize;

#[derive(Debug, thiserror::Error)]
enum AppError {
    #[error("user {0} not found")]
    UserNotFound(u64),
    #[error("an account with this email already exists")]
    EmailTaken,
    #[error("{field}: {problem}")]
    InvalidInput {
        field: &'static str,
        problem: &'static str,
    },
    #[error("authentication required")]
    Unauthenticated,
    #[error("you may not do this")]
    Forbidden,
    #[error("internal error")]
    Internal,
}

/// The JSON body of every error response.
// TODO: give it fields (and a second struct if you need one), so that it
// serialises to {"error": {"code": ..., "message": ...}}.
#[derive(Serialize)]
struct ErrorBody {}

impl AppError {
    /// The HTTP status code of the response.
    fn status(&self) -> u16 {
        // TODO: one status per variant (see the table).
        todo!()
    }

    /// A stable, machine-readable code that clients may branch on.
    fn code(&self) -> &'static str {
        // TODO: one code per variant (see the table).
        todo!()
    }

    /// The body of the response.
    fn body(&self) -> ErrorBody {
        // TODO: the code and the Display text.
        todo!()
    }
}

fn main() {
    // This exercise is checked by its tests.
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn json_of(error: &AppError) -> serde_json::Value {
        serde_json::to_value(error.body()).expect("an ErrorBody always serialises")
    }

    #[test]
    fn each_variant_has_its_status() {
        let cases = [
            (AppError::UserNotFound(42), 404),
            (AppError::EmailTaken, 409),
            (
                AppError::InvalidInput {
                    field: "email",
                    problem: "must contain @",
                },
                422,
            ),
            (AppError::Unauthenticated, 401),
            (AppError::Forbidden, 403),
            (AppError::Internal, 500),
        ];
        for (error, status) in cases {
            assert_eq!(error.status(), status, "status of {error:?}");
        }
    }

    #[test]
    fn each_variant_has_its_stable_code() {
        assert_eq!(AppError::UserNotFound(42).code(), "user_not_found");
        assert_eq!(AppError::EmailTaken.code(), "email_taken");
        assert_eq!(
            AppError::InvalidInput {
                field: "email",
                problem: "must contain @"
            }
            .code(),
            "invalid_input"
        );
        assert_eq!(AppError::Unauthenticated.code(), "unauthenticated");
        assert_eq!(AppError::Forbidden.code(), "forbidden");
        assert_eq!(AppError::Internal.code(), "internal");
    }

    #[test]
    fn a_missing_user_renders_code_and_message_under_error() {
        assert_eq!(
            json_of(&AppError::UserNotFound(42)),
            json!({ "error": { "code": "user_not_found", "message": "user 42 not found" } })
        );
    }

    #[test]
    fn invalid_input_names_the_field_in_the_message() {
        let error = AppError::InvalidInput {
            field: "email",
            problem: "must contain @",
        };

        assert_eq!(
            json_of(&error),
            json!({ "error": { "code": "invalid_input", "message": "email: must contain @" } })
        );
    }

    #[test]
    fn every_variant_has_the_same_shape() {
        let errors = [
            AppError::UserNotFound(7),
            AppError::EmailTaken,
            AppError::Unauthenticated,
            AppError::Forbidden,
            AppError::Internal,
        ];
        for error in errors {
            assert_eq!(
                json_of(&error),
                json!({ "error": { "code": error.code(), "message": error.to_string() } }),
                "body of {error:?}"
            );
        }
    }
}
