//! # Typed errors: internal errors stay inside (solution)

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
///
/// The line between "tell" and "hide" is the status class, not a list of
/// variants: a 5xx variant added next year is hidden without anyone
/// remembering to add it here. Hiding is the default for anything that is
/// our fault, because its text was written for engineers (addresses, SQL,
/// upstream answers) and nobody reviews it for what a stranger may read.
fn respond(error: &AppError, logger: &dyn Logger, ids: &dyn CorrelationIds) -> (u16, Value) {
    let status = error.status();
    if status < 500 {
        // The client can act on this; its message was written for it.
        let body = json!({ "error": { "code": error.code(), "message": error.to_string() } });
        return (status, body);
    }
    // One id, used twice: the log line and the body must quote the same one,
    // or support cannot get from a customer's screenshot to the cause.
    let correlation_id = ids.next_id();
    // The whole chain: the top error alone often says only "query failed".
    logger.error(&correlation_id, &report(error));
    let body = json!({ "error": {
        "code": "internal",
        "message": "internal error",
        "correlation_id": correlation_id,
    } });
    (status, body)
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
