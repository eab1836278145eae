//! # Middleware: errors become responses
//!
//! Endpoints fail: a note is missing, the input is invalid, the database is
//! down, or there is a plain bug. Each endpoint returns
//! `Result<Response, AppError>` and stops there; one middleware turns every
//! error into an HTTP response, the same way everywhere. It is also the last
//! line of defence against panics.
//!
//! ```text
//!   Handler (server) ──> ErrorMapping ──> Endpoint
//!                          Ok(response)   ──> response
//!                          Err(AppError)  ──> status + {"error": {"code", "message"}}
//!                          panic          ──> 500 {"error": {"code": "internal", ...}}
//! ```
//!
//! ## The problem
//!
//! Every endpoint formatted its own errors: some as text, some as JSON built
//! with `format!` (broken by the first message with a quote in it), and one
//! printed the database's address to the client, while the log, where the
//! on-call engineer looked, had nothing. An `ids[0]` on an empty list in the
//! export endpoint panicked, and this small server, which runs every request
//! on one loop without a catch, died with every request in flight.
//!
//! (On tokio with hyper or axum, a handler's panic ends only the task of its
//! own connection: that client gets a reset or an empty reply, the others
//! carry on. `catch_unwind` does not reach across an `.await`; async stacks
//! catch panics with tower-http's `CatchPanicLayer`.)
//!
//! ## Your task
//!
//! 1. `json_error`: a response with the status, header
//!    `content-type: application/json` and the body
//!    `{"error": {"code": <code>, "message": <message>}}`. Build it with
//!    `serde_json::json!`, so any message stays valid JSON.
//! 2. `error_response`: a 4xx error (`error.status()`) keeps its code and its
//!    `Display` text; a 5xx error answers code `"internal"` and message
//!    `"internal error"`, never its detail.
//! 3. `ErrorMapping::handle`: run the endpoint inside
//!    `std::panic::catch_unwind(AssertUnwindSafe(|| ...))`. `Ok` passes
//!    through unchanged, an `AppError` goes through `error_response`, a panic
//!    becomes the same generic 500.
//! 4. Whatever the client does not see, the log must: for every 5xx error,
//!    one `self.logger.error(..)` line with the error's `Display`; for a
//!    panic, one line with the request's method and path (not the panic's
//!    message: the panic hook has printed it already, and it may hold
//!    anything, secrets included). Client errors are not logged.
//!
//! `catch_unwind` only catches unwinding panics: with `panic = "abort"` in
//! the Cargo profile, the process still dies. A panic is a bug to fix; the
//! catch only limits the damage to one request.
//!
//! ## When not to use it
//!
//! Mapping errors in one middleware assumes one error type and one error
//! format for the whole API. When parts of an application answer in
//! different formats (HTML pages and a JSON API), map per part. In axum, the
//! idiomatic form is `impl IntoResponse for AppError` (exercise
//! `axum_into_response`) plus tower-http's `CatchPanicLayer`.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use serde_json::json;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Request {
    method: String,
    path: String,
    body: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Response {
    status: u16,
    headers: BTreeMap<String, String>,
    body: String,
}

/// What endpoints fail with.
#[derive(Debug, thiserror::Error)]
enum AppError {
    #[error("note {0} not found")]
    NotFound(u64),
    #[error("invalid input: {0}")]
    Invalid(String),
    #[error("storage failed: {0}")]
    Internal(String),
}

impl AppError {
    fn status(&self) -> u16 {
        match self {
            AppError::NotFound(_) => 404,
            AppError::Invalid(_) => 422,
            AppError::Internal(_) => 500,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            AppError::NotFound(_) => "not_found",
            AppError::Invalid(_) => "invalid",
            AppError::Internal(_) => "internal",
        }
    }
}

/// The operators' log. (Given; in production, `tracing::error!`.)
trait Logger {
    fn error(&self, line: &str);
}

/// What the server runs: it must always produce a response.
trait Handler {
    fn handle(&self, req: Request) -> Response;
}

/// What endpoints are: they may fail, and say how with an `AppError`.
trait Endpoint {
    fn handle(&self, req: Request) -> Result<Response, AppError>;
}

impl<F: Fn(Request) -> Result<Response, AppError>> Endpoint for F {
    fn handle(&self, req: Request) -> Result<Response, AppError> {
        self(req)
    }
}

/// `{"error": {"code": .., "message": ..}}` with the JSON content type.
fn json_error(status: u16, code: &str, message: &str) -> Response {
    // TODO: build the body with serde_json's json! macro and set the
    // content-type header.
    todo!()
}

/// The one place where an `AppError` becomes HTTP.
fn error_response(error: &AppError) -> Response {
    // TODO: 4xx -> its code and Display text; 5xx -> "internal" and
    // "internal error", keeping the status.
    todo!()
}

// ---- The middleware ------------------------------------------------------

/// Turns an `Endpoint` into a `Handler`: errors and panics become JSON error
/// responses, so no endpoint can take the server down or answer with an
/// empty connection reset.
struct ErrorMapping<E> {
    inner: E,
    logger: Arc<dyn Logger>,
}

impl<E: Endpoint> ErrorMapping<E> {
    fn new(inner: E, logger: Arc<dyn Logger>) -> Self {
        Self { inner, logger }
    }
}

impl<E: Endpoint> Handler for ErrorMapping<E> {
    fn handle(&self, req: Request) -> Response {
        // TODO: call the endpoint inside catch_unwind(AssertUnwindSafe(..))
        // and turn each of the three outcomes into a response; log what a
        // 5xx hides.
        todo!()
    }
}

fn main() {
    // This exercise is checked by its tests.
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn get(path: &str) -> Request {
        Request {
            method: "GET".to_string(),
            path: path.to_string(),
            ..Request::default()
        }
    }

    fn body_json(response: &Response) -> Value {
        serde_json::from_str(&response.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", response.body))
    }

    fn content_type(response: &Response) -> Option<&str> {
        response.headers.get("content-type").map(String::as_str)
    }

    #[derive(Default)]
    struct RecordingLogger {
        lines: std::sync::Mutex<Vec<String>>,
    }

    impl Logger for RecordingLogger {
        fn error(&self, line: &str) {
            self.lines.lock().unwrap().push(line.to_string());
        }
    }

    impl RecordingLogger {
        fn lines(&self) -> Vec<String> {
            self.lines.lock().unwrap().clone()
        }
    }

    /// Fails in every way an endpoint can, depending on the path.
    fn notes(req: Request) -> Result<Response, AppError> {
        match req.path.as_str() {
            "/notes/1" => Ok(Response {
                status: 200,
                body: "first note".to_string(),
                ..Response::default()
            }),
            "/notes/7" => Err(AppError::NotFound(7)),
            "/notes/new" => Err(AppError::Invalid(
                "title \"Q3 \\ plans\" is too long".to_string(),
            )),
            "/notes/db" => Err(AppError::Internal(
                "connection refused at 10.0.0.3:5432".to_string(),
            )),
            "/notes/bug" => {
                let ids: Vec<u64> = Vec::new();
                let _first = ids[0]; // index out of bounds: a bug, a panic
                unreachable!()
            }
            _ => panic!("token sk_live_42 rejected"),
        }
    }

    #[test]
    fn a_successful_response_passes_through_unchanged() {
        let app = ErrorMapping::new(notes, Arc::new(RecordingLogger::default()));

        let response = app.handle(get("/notes/1"));

        assert_eq!(
            response,
            Response {
                status: 200,
                body: "first note".to_string(),
                ..Response::default()
            }
        );
    }

    #[test]
    fn a_client_error_becomes_its_status_with_a_json_body() {
        let app = ErrorMapping::new(notes, Arc::new(RecordingLogger::default()));

        let response = app.handle(get("/notes/7"));

        assert_eq!(response.status, 404);
        assert_eq!(content_type(&response), Some("application/json"));
        assert_eq!(
            body_json(&response),
            json!({ "error": { "code": "not_found", "message": "note 7 not found" } })
        );
    }

    #[test]
    fn a_message_with_quotes_and_backslashes_is_still_valid_json() {
        let app = ErrorMapping::new(notes, Arc::new(RecordingLogger::default()));

        let response = app.handle(get("/notes/new"));

        assert_eq!(response.status, 422);
        assert_eq!(
            body_json(&response),
            json!({ "error": {
                "code": "invalid",
                "message": "invalid input: title \"Q3 \\ plans\" is too long",
            } })
        );
    }

    #[test]
    fn an_internal_error_is_a_500_that_hides_the_detail() {
        let app = ErrorMapping::new(notes, Arc::new(RecordingLogger::default()));

        let response = app.handle(get("/notes/db"));

        assert_eq!(response.status, 500);
        assert_eq!(content_type(&response), Some("application/json"));
        assert_eq!(
            body_json(&response),
            json!({ "error": { "code": "internal", "message": "internal error" } })
        );
        assert!(!response.body.contains("10.0.0.3"));
    }

    #[test]
    fn a_panicking_endpoint_becomes_a_500_instead_of_crashing_the_pipeline() {
        let app = ErrorMapping::new(notes, Arc::new(RecordingLogger::default()));

        let response = app.handle(get("/notes/bug"));

        assert_eq!(response.status, 500);
        assert_eq!(
            body_json(&response),
            json!({ "error": { "code": "internal", "message": "internal error" } })
        );
    }

    #[test]
    fn a_panic_message_never_reaches_the_client() {
        let app = ErrorMapping::new(notes, Arc::new(RecordingLogger::default()));

        let response = app.handle(get("/admin"));

        assert_eq!(response.status, 500);
        assert!(!response.body.contains("sk_live_42"));
    }

    #[test]
    fn the_pipeline_keeps_serving_after_a_panic() {
        let app = ErrorMapping::new(notes, Arc::new(RecordingLogger::default()));

        app.handle(get("/notes/bug"));
        let response = app.handle(get("/notes/1"));

        assert_eq!(response.status, 200);
        assert_eq!(response.body, "first note");
    }

    #[test]
    fn an_internal_error_leaves_its_detail_in_the_log() {
        let logger = Arc::new(RecordingLogger::default());
        let app = ErrorMapping::new(notes, logger.clone());

        app.handle(get("/notes/db"));

        assert_eq!(
            logger.lines(),
            vec!["storage failed: connection refused at 10.0.0.3:5432".to_string()]
        );
    }

    #[test]
    fn a_panic_is_logged_with_its_request_but_without_its_message() {
        let logger = Arc::new(RecordingLogger::default());
        let app = ErrorMapping::new(notes, logger.clone());

        app.handle(get("/admin"));

        assert_eq!(
            logger.lines(),
            vec!["endpoint panicked on GET /admin".to_string()]
        );
    }

    #[test]
    fn client_errors_and_successes_are_not_logged() {
        let logger = Arc::new(RecordingLogger::default());
        let app = ErrorMapping::new(notes, logger.clone());

        for path in ["/notes/1", "/notes/7", "/notes/new"] {
            app.handle(get(path));
        }

        assert_eq!(logger.lines(), Vec::<String>::new());
    }
}
