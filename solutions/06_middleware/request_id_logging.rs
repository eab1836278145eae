//! # Middleware: request id, timing and structured logs (solution)

use std::collections::BTreeMap;
use std::sync::Arc;

const REQUEST_ID: &str = "x-request-id";

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Request {
    method: String,
    path: String,
    headers: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Response {
    status: u16,
    headers: BTreeMap<String, String>,
    body: String,
}

trait Handler {
    fn handle(&self, req: Request) -> Response;
}

impl<F: Fn(Request) -> Response> Handler for F {
    fn handle(&self, req: Request) -> Response {
        self(req)
    }
}

/// Hands out fresh request ids (a UUID or ULID generator in production).
trait IdGenerator {
    fn next_id(&self) -> String;
}

/// Milliseconds from some fixed start (a monotonic clock in production).
trait Clock {
    fn now_millis(&self) -> u64;
}

/// One structured log record per request: fields, not a sentence, so the log
/// pipeline can filter on `status >= 500` or group by `path`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct RequestLog {
    request_id: String,
    method: String,
    path: String,
    status: u16,
    duration_ms: u64,
}

/// Where request logs go (a `tracing` subscriber, stdout as JSON, ...).
trait Logger {
    fn log(&self, entry: RequestLog);
}

/// Whether an id sent by the client may be kept: 1 to 64 ASCII letters,
/// digits or dashes. Anything else (a newline, 10 kB of text) is replaced, so
/// a client cannot forge log lines or bloat every record.
fn is_acceptable_id(id: &str) -> bool {
    (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

// ---- The middleware ------------------------------------------------------

/// Gives every request an id, times it, logs one `RequestLog` for it and
/// echoes the id in the response.
///
/// Its three collaborators are traits behind `Arc`: the middleware is built
/// once at startup and shared, and tests hand it fakes they keep a handle to.
struct RequestIdLogging<H> {
    inner: H,
    ids: Arc<dyn IdGenerator>,
    clock: Arc<dyn Clock>,
    logger: Arc<dyn Logger>,
}

impl<H: Handler> RequestIdLogging<H> {
    fn new(
        inner: H,
        ids: Arc<dyn IdGenerator>,
        clock: Arc<dyn Clock>,
        logger: Arc<dyn Logger>,
    ) -> Self {
        Self {
            inner,
            ids,
            clock,
            logger,
        }
    }
}

impl<H: Handler> Handler for RequestIdLogging<H> {
    fn handle(&self, mut req: Request) -> Response {
        // Keep the caller's id: a gateway or another service chose it, and
        // one id across every hop is what makes a request traceable.
        let request_id = match req.headers.get(REQUEST_ID) {
            Some(id) if is_acceptable_id(id) => id.clone(),
            _ => self.ids.next_id(),
        };
        // Put it on the request too, so the endpoint and everything it calls
        // can tag their own logs (and outgoing calls) with the same id.
        req.headers
            .insert(REQUEST_ID.to_string(), request_id.clone());
        let method = req.method.clone();
        let path = req.path.clone();

        let started = self.clock.now_millis();
        let mut response = self.inner.handle(req);
        let duration_ms = self.clock.now_millis().saturating_sub(started);

        // Logged after the call, once the status and the duration exist; and
        // for every status, since the failures are the requests someone will
        // come looking for.
        self.logger.log(RequestLog {
            request_id: request_id.clone(),
            method,
            path,
            status: response.status,
            duration_ms,
        });
        // The client gets the id back: it is what a user quotes to support.
        response.headers.insert(REQUEST_ID.to_string(), request_id);
        response
    }
}

fn main() {
    // This exercise is checked by its tests.
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicU64, Ordering};

    /// "req-1", "req-2", ...
    #[derive(Default)]
    struct SequentialIds(AtomicU64);

    impl IdGenerator for SequentialIds {
        fn next_id(&self) -> String {
            format!("req-{}", self.0.fetch_add(1, Ordering::SeqCst) + 1)
        }
    }

    /// A clock that moves only when a test says so.
    struct FakeClock(AtomicU64);

    impl FakeClock {
        fn advance(&self, millis: u64) {
            self.0.fetch_add(millis, Ordering::SeqCst);
        }
    }

    impl Clock for FakeClock {
        fn now_millis(&self) -> u64 {
            self.0.load(Ordering::SeqCst)
        }
    }

    #[derive(Default)]
    struct RecordingLogger(Mutex<Vec<RequestLog>>);

    impl RecordingLogger {
        fn entries(&self) -> Vec<RequestLog> {
            self.0.lock().unwrap().clone()
        }
    }

    impl Logger for RecordingLogger {
        fn log(&self, entry: RequestLog) {
            self.0.lock().unwrap().push(entry);
        }
    }

    struct Fixture {
        ids: Arc<SequentialIds>,
        clock: Arc<FakeClock>,
        logger: Arc<RecordingLogger>,
    }

    impl Fixture {
        fn new() -> Self {
            Self {
                ids: Arc::new(SequentialIds::default()),
                clock: Arc::new(FakeClock(AtomicU64::new(1_000))),
                logger: Arc::new(RecordingLogger::default()),
            }
        }

        fn wrap<H: Handler>(&self, inner: H) -> RequestIdLogging<H> {
            RequestIdLogging::new(
                inner,
                self.ids.clone(),
                self.clock.clone(),
                self.logger.clone(),
            )
        }
    }

    fn get(path: &str) -> Request {
        Request {
            method: "GET".to_string(),
            path: path.to_string(),
            ..Request::default()
        }
    }

    fn with_id(mut req: Request, id: &str) -> Request {
        req.headers.insert(REQUEST_ID.to_string(), id.to_string());
        req
    }

    /// Answers 200 with the request id it was given as the body.
    fn echo_id(req: Request) -> Response {
        Response {
            status: 200,
            body: req.headers.get(REQUEST_ID).cloned().unwrap_or_default(),
            ..Response::default()
        }
    }

    #[test]
    fn a_request_without_an_id_gets_a_fresh_one_on_the_request_and_the_response() {
        let fixture = Fixture::new();
        let app = fixture.wrap(echo_id);

        let response = app.handle(get("/users"));

        assert_eq!(response.body, "req-1", "the endpoint must see the id");
        assert_eq!(
            response.headers.get(REQUEST_ID).map(String::as_str),
            Some("req-1")
        );
    }

    #[test]
    fn an_incoming_id_is_kept_and_no_new_one_is_drawn() {
        let fixture = Fixture::new();
        let app = fixture.wrap(echo_id);

        let response = app.handle(with_id(get("/users"), "gateway-7f3a"));
        let next = app.handle(get("/users"));

        assert_eq!(response.body, "gateway-7f3a");
        assert_eq!(
            response.headers.get(REQUEST_ID).map(String::as_str),
            Some("gateway-7f3a")
        );
        assert_eq!(next.body, "req-1", "the kept id must not use up an id");
    }

    #[test]
    fn an_incoming_id_that_could_forge_log_lines_is_replaced() {
        let fixture = Fixture::new();
        let app = fixture.wrap(echo_id);

        let response = app.handle(with_id(get("/users"), "x\nlevel=error msg=forged"));

        assert_eq!(response.body, "req-1");
        assert_eq!(fixture.logger.entries()[0].request_id, "req-1");
    }

    #[test]
    fn the_duration_comes_from_the_injected_clock() {
        let fixture = Fixture::new();
        let clock = fixture.clock.clone();
        let app = fixture.wrap(move |_req: Request| {
            clock.advance(25);
            Response {
                status: 200,
                ..Response::default()
            }
        });

        app.handle(get("/reports"));

        assert_eq!(fixture.logger.entries()[0].duration_ms, 25);
    }

    #[test]
    fn one_structured_entry_is_logged_per_request_with_the_final_status() {
        let fixture = Fixture::new();
        let clock = fixture.clock.clone();
        let app = fixture.wrap(move |req: Request| {
            clock.advance(3);
            let status = if req.path == "/broken" { 503 } else { 200 };
            Response {
                status,
                ..Response::default()
            }
        });

        app.handle(get("/users"));
        app.handle(Request {
            method: "POST".to_string(),
            ..with_id(get("/broken"), "abc-1")
        });

        assert_eq!(
            fixture.logger.entries(),
            vec![
                RequestLog {
                    request_id: "req-1".to_string(),
                    method: "GET".to_string(),
                    path: "/users".to_string(),
                    status: 200,
                    duration_ms: 3,
                },
                RequestLog {
                    request_id: "abc-1".to_string(),
                    method: "POST".to_string(),
                    path: "/broken".to_string(),
                    status: 503,
                    duration_ms: 3,
                },
            ]
        );
    }

    #[test]
    fn the_response_is_otherwise_the_endpoints() {
        let fixture = Fixture::new();
        let app = fixture.wrap(|_req: Request| {
            let mut response = Response {
                status: 201,
                body: "created".to_string(),
                ..Response::default()
            };
            response
                .headers
                .insert("location".to_string(), "/users/7".to_string());
            response
        });

        let response = app.handle(get("/users"));

        assert_eq!(response.status, 201);
        assert_eq!(response.body, "created");
        assert_eq!(
            response.headers.get("location").map(String::as_str),
            Some("/users/7")
        );
    }
}
