//! # Typed errors: one application error, rendered as HTTP (solution)

use serde::Serialize;

/// Every failure the API reports, whatever layer it came from.
///
/// The variants are the API's vocabulary of failures, not its handlers':
/// each handler converts its service's error into one of these (usually with
/// `From`), and the rendering below is written once for all of them.
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

/// The JSON body of every error response: `{"error": {"code", "message"}}`.
///
/// A struct rather than `json!`: the shape is a public contract, and a type
/// documents it, is checked by the compiler, and can be exported to an
/// OpenAPI schema. The envelope (`error`) leaves room for siblings such as a
/// request id without breaking clients that read `error.code`.
#[derive(Debug, Serialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Debug, Serialize)]
struct ErrorDetail {
    /// Stable and machine-readable: clients branch on this.
    code: &'static str,
    /// For people: may be reworded or translated at any time.
    message: String,
}

impl AppError {
    /// The HTTP status code of the response.
    ///
    /// `u16` keeps this exercise free of a web framework; with axum or
    /// `http` it would return `StatusCode`. Exhaustive matches, here and in
    /// `code`: a new variant does not compile until it has both.
    fn status(&self) -> u16 {
        match self {
            AppError::UserNotFound(_) => 404,
            AppError::EmailTaken => 409,
            AppError::InvalidInput { .. } => 422,
            AppError::Unauthenticated => 401,
            AppError::Forbidden => 403,
            AppError::Internal => 500,
        }
    }

    /// A stable, machine-readable code that clients may branch on.
    ///
    /// Finer than the status: 409 could one day also mean "version
    /// conflict", and a client must tell that apart from "email taken"
    /// without reading the message.
    fn code(&self) -> &'static str {
        match self {
            AppError::UserNotFound(_) => "user_not_found",
            AppError::EmailTaken => "email_taken",
            AppError::InvalidInput { .. } => "invalid_input",
            AppError::Unauthenticated => "unauthenticated",
            AppError::Forbidden => "forbidden",
            AppError::Internal => "internal",
        }
    }

    /// The body of the response.
    fn body(&self) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail {
                code: self.code(),
                message: self.to_string(),
            },
        }
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
