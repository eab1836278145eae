//! # Typed errors: internal errors stay inside
//!
//! A client error (404, 409, 422) is the client's business: tell it exactly
//! what was wrong. A server error (5xx) is ours: the client gets a generic
//! message and a correlation id, and the detail goes to the log under the same
//! id, where an engineer can find it when the customer quotes the id.
//!
//! ## The problem
//!
//! `respond` renders every error with its `Display` text. During an outage,
//! the public API answered
//! `{"error": {"code": "internal", "message": "query failed on 10.0.0.3:5432"}}`,
//! handing out the database's address, and the payment provider's raw
//! answer, which echoed our API key, appeared in a customer's browser.
//! Meanwhile nothing was logged, so support could not match a customer's
//! complaint to a cause.
//!
//! The payment error has been fixed already: it now keeps only the
//! provider's status and its request id (enough to find the call in the
//! provider's dashboard), never its body. Moving a secret from the response
//! into the log is no fix: logs are shipped to vendors, kept for months and
//! read by more people than the code.
//!
//! ## Your task
//!
//! Rewrite `respond` so that:
//!
//! - a 4xx error keeps its body (`code` and `Display` text) and is not logged:
//!   it is not our failure, and logging it at error level drowns real alerts;
//! - a 5xx error keeps its status, takes one fresh id from `ids`, logs
//!   `report(error)` (the error and all its causes: `to_string()` alone says
//!   only "query failed") with `logger.error(id, ...)`, and answers
//!   `{"error": {"code": "internal", "message": "internal error", "correlation_id": id}}`.
//!
//! The logger and the id source are traits, so tests record the log lines and
//! choose the ids.
//!
//! ## When not to use it
//!
//! Hiding detail costs debugging comfort. On a developer's machine, or in an
//! internal tool behind the VPN whose only users are its authors, a debug mode
//! that returns the full error can be worth it; make it a setting that is off
//! by default, never the default.

use std::error::Error;

use serde_json::{Value, json};

/// Where error details go: a log file, stderr, a tracing subscriber.
trait Logger {
    fn error(&self, correlation_id: &str, detail: &str);
}

/// Hands out ids that tie a response to its log line.
trait CorrelationIds {
    fn next_id(&self) -> String;
}

/// What the database driver reports (a stand-in for `sqlx::Error`): what
/// failed, and why in its `source()`.
#[derive(Debug, thiserror::Error)]
#[error("query failed on {addr}")]
struct DbError {
    addr: String,
    #[source]
    cause: std::io::Error,
}

#[derive(Debug, thiserror::Error)]
enum AppError {
    #[error("user {0} not found")]
    UserNotFound(u64),
    #[error("an account with this email already exists")]
    EmailTaken,
    #[error(transparent)]
    Database(#[from] DbError),
    /// Only the status and the provider's request id: its body may echo
    /// our credentials, so it is not kept.
    #[error("payment provider answered {status} (its request id {upstream_request_id})")]
    PaymentProvider {
        status: u16,
        upstream_request_id: String,
    },
}

impl AppError {
    fn status(&self) -> u16 {
        match self {
            AppError::UserNotFound(_) => 404,
            AppError::EmailTaken => 409,
            AppError::Database(_) => 500,
            AppError::PaymentProvider { .. } => 502,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            AppError::UserNotFound(_) => "user_not_found",
            AppError::EmailTaken => "email_taken",
            AppError::Database(_) | AppError::PaymentProvider { .. } => "internal",
        }
    }
}

/// The error and all its causes on one line.
fn report(error: &dyn Error) -> String {
    let mut line = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        line.push_str(": ");
        line.push_str(&inner.to_string());
        cause = inner.source();
    }
    line
}

/// The status and JSON body the client receives for `error`.
fn respond(error: &AppError, logger: &dyn Logger, ids: &dyn CorrelationIds) -> (u16, Value) {
    // TODO: for a 5xx, log the detail under a fresh correlation id and answer
    // with the generic body; only a 4xx may show its Display text.
    let body = json!({ "error": { "code": error.code(), "message": error.to_string() } });
    (error.status(), body)
}

fn main() {
    // This exercise is checked by its tests.
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::{Cell, RefCell};

    /// Keeps every log line so tests can read them.
    #[derive(Default)]
    struct RecordingLogger {
        lines: RefCell<Vec<(String, String)>>,
    }

    impl Logger for RecordingLogger {
        fn error(&self, correlation_id: &str, detail: &str) {
            self.lines
                .borrow_mut()
                .push((correlation_id.to_string(), detail.to_string()));
        }
    }

    impl RecordingLogger {
        fn lines(&self) -> Vec<(String, String)> {
            self.lines.borrow().clone()
        }
    }

    /// Hands out `req-1`, `req-2`, ...
    #[derive(Default)]
    struct SequentialIds {
        issued: Cell<u32>,
    }

    impl CorrelationIds for SequentialIds {
        fn next_id(&self) -> String {
            self.issued.set(self.issued.get() + 1);
            format!("req-{}", self.issued.get())
        }
    }

    fn database_down() -> AppError {
        AppError::from(DbError {
            addr: "10.0.0.3:5432".to_string(),
            cause: std::io::Error::from(std::io::ErrorKind::ConnectionRefused),
        })
    }

    fn payment_rejected() -> AppError {
        AppError::PaymentProvider {
            status: 401,
            upstream_request_id: "req_8f2kQ".to_string(),
        }
    }

    #[test]
    fn a_database_failure_does_not_reach_the_client() {
        let logger = RecordingLogger::default();

        let (status, body) = respond(&database_down(), &logger, &SequentialIds::default());

        assert_eq!(status, 500);
        let text = body.to_string();
        assert!(
            !text.contains("10.0.0.3"),
            "the body leaks the address: {text}"
        );
        assert!(!text.contains("query"), "the body leaks the cause: {text}");
        assert_eq!(
            body,
            json!({ "error": {
                "code": "internal",
                "message": "internal error",
                "correlation_id": "req-1",
            } })
        );
    }

    #[test]
    fn the_detail_goes_to_the_log_under_the_same_id() {
        let logger = RecordingLogger::default();

        respond(&database_down(), &logger, &SequentialIds::default());

        assert_eq!(
            logger.lines(),
            vec![(
                "req-1".to_string(),
                "query failed on 10.0.0.3:5432: connection refused".to_string()
            )],
            "the log line needs the whole chain: report(error), not error.to_string()"
        );
    }

    #[test]
    fn an_upstream_failure_keeps_its_status_and_hides_its_answer() {
        let logger = RecordingLogger::default();

        let (status, body) = respond(&payment_rejected(), &logger, &SequentialIds::default());

        assert_eq!(status, 502);
        assert!(
            !body.to_string().contains("req_8f2kQ"),
            "the body leaks the upstream call: {body}"
        );
        assert_eq!(body["error"]["message"], "internal error");
        assert_eq!(
            logger.lines(),
            vec![(
                "req-1".to_string(),
                "payment provider answered 401 (its request id req_8f2kQ)".to_string()
            )]
        );
    }

    #[test]
    fn each_failure_gets_its_own_id_and_the_body_quotes_the_logged_one() {
        let logger = RecordingLogger::default();
        let ids = SequentialIds::default();

        let (_, first) = respond(&database_down(), &logger, &ids);
        let (_, second) = respond(&payment_rejected(), &logger, &ids);

        let logged: Vec<String> = logger.lines().into_iter().map(|(id, _)| id).collect();
        assert_eq!(logged, ["req-1", "req-2"]);
        assert_eq!(first["error"]["correlation_id"], "req-1");
        assert_eq!(second["error"]["correlation_id"], "req-2");
    }

    #[test]
    fn client_errors_keep_their_message_and_are_not_logged() {
        let logger = RecordingLogger::default();
        let ids = SequentialIds::default();

        let not_found = respond(&AppError::UserNotFound(42), &logger, &ids);
        let taken = respond(&AppError::EmailTaken, &logger, &ids);

        assert_eq!(
            not_found,
            (
                404,
                json!({ "error": { "code": "user_not_found", "message": "user 42 not found" } })
            )
        );
        assert_eq!(
            taken,
            (
                409,
                json!({ "error": {
                    "code": "email_taken",
                    "message": "an account with this email already exists",
                } })
            )
        );
        assert!(logger.lines().is_empty(), "logged: {:?}", logger.lines());
    }
}
