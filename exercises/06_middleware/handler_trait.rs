//! # Middleware: a handler that wraps a handler
//!
//! Middleware is code that runs around every request without being part of any
//! endpoint: logging, timing, authentication, compression. The shape behind it
//! is the decorator: a wrapper that *is* a handler and *holds* a handler. It
//! does its work, calls the inner handler once, and does more work on the
//! response. Because the wrapper is a handler too, wrappers stack.
//!
//! ```text
//!   request ──> Logging ──> NormalizePath ──> endpoint
//!   response <──  (logs)  <──────────────────────┘
//! ```
//!
//! ## The problem
//!
//! The team copied `log(...)` lines into thirty endpoints. Eleven of them forgot
//! to log errors, two log before the status is known, and the new endpoint logs
//! nothing at all. Mobile clients also call `/users/` with a trailing slash and
//! get a 404, and each endpoint has its own half-fix for it.
//!
//! ## Your task
//!
//! Implement `Handler` for the two wrappers below:
//!
//! 1. `Logging<H>`: call the inner handler exactly once, record
//!    `"METHOD PATH -> STATUS"` (e.g. `"GET /users -> 200"`) in `self.lines`,
//!    and return the inner handler's response unchanged. The request is moved
//!    into the inner handler, so copy what the line needs first.
//! 2. `NormalizePath<H>`: remove one trailing `/` from the path before the
//!    inner handler sees it. The root path `/` stays `/`.
//!
//! An architecture check makes sure both wrappers call the inner `handle`: a
//! wrapper that builds its own response bypasses every endpoint behind it.
//!
//! ## When not to use it
//!
//! Middleware is for concerns that apply to (nearly) every request. Logic that
//! one endpoint needs belongs in that endpoint, where a reader finds it; a
//! middleware that checks `if req.path == "/checkout"` is an endpoint in
//! disguise. And a stack of ten wrappers for a three-endpoint service costs
//! more reading than it saves.
//!
//! A path-rewriting wrapper like `NormalizePath` must run before routing. In
//! axum, `Router::layer` and `route_layer` run after the route was chosen, so
//! `NormalizePathLayer` has no effect there: wrap the whole router with it
//! (`NormalizePathLayer::trim_trailing_slash().layer(app)`) and serve that.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq)]
struct Request {
    method: String,
    path: String,
    headers: BTreeMap<String, String>,
}

impl Request {
    fn new(method: &str, path: &str) -> Self {
        Self {
            method: method.to_string(),
            path: path.to_string(),
            headers: BTreeMap::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Response {
    status: u16,
    headers: BTreeMap<String, String>,
    body: String,
}

impl Response {
    fn new(status: u16, body: &str) -> Self {
        Self {
            status,
            headers: BTreeMap::new(),
            body: body.to_string(),
        }
    }
}

/// Anything that turns a request into a response.
trait Handler {
    fn handle(&self, req: Request) -> Response;
}

/// Plain functions and closures are handlers.
impl<F: Fn(Request) -> Response> Handler for F {
    fn handle(&self, req: Request) -> Response {
        self(req)
    }
}

// ---- Middleware ----------------------------------------------------------

/// Records one line per request: `"GET /users -> 200"`.
struct Logging<H> {
    inner: H,
    lines: RefCell<Vec<String>>,
}

impl<H: Handler> Logging<H> {
    fn new(inner: H) -> Self {
        Self {
            inner,
            lines: RefCell::new(Vec::new()),
        }
    }

    fn lines(&self) -> Vec<String> {
        self.lines.borrow().clone()
    }
}

impl<H: Handler> Handler for Logging<H> {
    fn handle(&self, req: Request) -> Response {
        // TODO: remember method and path, call the inner handler once, push
        // "METHOD PATH -> STATUS" onto self.lines, return the inner response.
        todo!()
    }
}

/// Removes one trailing slash from the path, so `/users/` reaches the same
/// endpoint as `/users`.
struct NormalizePath<H> {
    inner: H,
}

impl<H: Handler> NormalizePath<H> {
    fn new(inner: H) -> Self {
        Self { inner }
    }
}

impl<H: Handler> Handler for NormalizePath<H> {
    fn handle(&self, req: Request) -> Response {
        // TODO: strip one trailing '/' (but keep "/" as it is), then pass the
        // request on to the inner handler.
        todo!()
    }
}

fn main() {
    // This exercise is checked by its tests.
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An endpoint that knows only `/users` and counts how often it runs.
    struct UsersEndpoint {
        calls: Cell<usize>,
        seen_paths: RefCell<Vec<String>>,
    }

    impl UsersEndpoint {
        fn new() -> Self {
            Self {
                calls: Cell::new(0),
                seen_paths: RefCell::new(Vec::new()),
            }
        }
    }

    impl Handler for &UsersEndpoint {
        fn handle(&self, req: Request) -> Response {
            self.calls.set(self.calls.get() + 1);
            self.seen_paths.borrow_mut().push(req.path.clone());
            match req.path.as_str() {
                "/users" => {
                    let mut response = Response::new(200, "[\"ada\"]");
                    response
                        .headers
                        .insert("content-type".into(), "application/json".into());
                    response
                }
                "/" => Response::new(200, "home"),
                _ => Response::new(404, "not found"),
            }
        }
    }

    #[test]
    fn logging_calls_the_inner_handler_exactly_once() {
        let endpoint = UsersEndpoint::new();
        let app = Logging::new(&endpoint);

        app.handle(Request::new("GET", "/users"));

        assert_eq!(endpoint.calls.get(), 1);
    }

    #[test]
    fn logging_returns_the_inner_response_unchanged() {
        let endpoint = UsersEndpoint::new();
        let app = Logging::new(&endpoint);

        let response = app.handle(Request::new("GET", "/users"));

        let mut expected = Response::new(200, "[\"ada\"]");
        expected
            .headers
            .insert("content-type".into(), "application/json".into());
        assert_eq!(response, expected);
    }

    #[test]
    fn logging_records_method_path_and_the_status_the_inner_handler_chose() {
        let endpoint = UsersEndpoint::new();
        let app = Logging::new(&endpoint);

        app.handle(Request::new("GET", "/users"));
        app.handle(Request::new("DELETE", "/nowhere"));

        assert_eq!(
            app.lines(),
            vec!["GET /users -> 200", "DELETE /nowhere -> 404"]
        );
    }

    #[test]
    fn normalize_path_strips_one_trailing_slash_before_the_endpoint_sees_it() {
        let endpoint = UsersEndpoint::new();
        let app = NormalizePath::new(&endpoint);

        let response = app.handle(Request::new("GET", "/users/"));

        assert_eq!(response.status, 200);
        assert_eq!(*endpoint.seen_paths.borrow(), vec!["/users"]);
        assert_eq!(endpoint.calls.get(), 1);
    }

    #[test]
    fn normalize_path_leaves_the_root_path_alone() {
        let endpoint = UsersEndpoint::new();
        let app = NormalizePath::new(&endpoint);

        let response = app.handle(Request::new("GET", "/"));

        assert_eq!(response.body, "home");
        assert_eq!(*endpoint.seen_paths.borrow(), vec!["/"]);
    }

    #[test]
    fn wrappers_stack_because_a_wrapped_handler_is_a_handler() {
        let endpoint = UsersEndpoint::new();
        // Logging is outside: it sees the request as the client sent it, and
        // the response after the inner layers are done with it.
        let app = Logging::new(NormalizePath::new(&endpoint));

        let response = app.handle(Request::new("GET", "/users/"));

        assert_eq!(response.status, 200);
        assert_eq!(app.lines(), vec!["GET /users/ -> 200"]);
        assert_eq!(endpoint.calls.get(), 1);
    }

    #[test]
    fn a_closure_is_a_handler_too() {
        let app = Logging::new(|req: Request| Response::new(201, &req.path));

        let response = app.handle(Request::new("POST", "/users"));

        assert_eq!(response, Response::new(201, "/users"));
        assert_eq!(app.lines(), vec!["POST /users -> 201"]);
    }
}
