//! # Middleware: a pipeline with an explicit order
//!
//! Real services stack several middlewares: a request id, logging, auth, a
//! cache. Nesting them by hand (`Log::new(Auth::new(Cache::new(endpoint)))`)
//! gets unreadable, so frameworks build the nesting from a list. The list's
//! order *is* the behaviour: each middleware wraps the ones after it.
//!
//! ```text
//!   Pipeline::new().layer(auth).layer(log).handler(endpoint)
//!
//!   request  ──> auth ──> log ──> endpoint
//!   response <── auth <── log <──────┘        trace: auth>log>handler<log<auth
//! ```
//!
//! ## The problem
//!
//! A cache placed *outside* auth answers unauthenticated clients from the
//! cache; a logger placed *inside* auth never logs the 401s an attacker
//! causes. Both are one line swapped in a list, and both pass every happy-path
//! test. So the order must be defined once, in the pipeline builder, and
//! pinned by tests.
//!
//! ## Your task
//!
//! 1. `Trace::call`: append `name>` to the request's `x-trace` header, call
//!    `next` once, then append `<name` to the response's `x-trace` header
//!    (create the header when it is missing).
//! 2. `Layered::handle`: run the middleware with the rest of the pipeline as
//!    its `next`.
//! 3. `Pipeline::handler`: wrap the endpoint in every middleware so that the
//!    **first one added is the outermost** (it sees the request first and the
//!    response last), as tower's `ServiceBuilder` does. A fold over the list
//!    does it, in one direction only.
//!
//! ## When not to use it
//!
//! With two middlewares that never change, plain nesting (exercise
//! `handler_trait`) is clearer than a builder and a `dyn` call per layer.
//! Build from a list when the stack is long, differs per route, or is
//! configured.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::rc::Rc;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Request {
    path: String,
    headers: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Response {
    status: u16,
    headers: BTreeMap<String, String>,
    body: String,
}

/// Anything that turns a request into a response.
trait Handler {
    fn handle(&self, req: Request) -> Response;
}

impl<F: Fn(Request) -> Response> Handler for F {
    fn handle(&self, req: Request) -> Response {
        self(req)
    }
}

/// One step of the pipeline. It gets the request and `next`, the rest of the
/// pipeline; it may change the request, call `next` (once), change the
/// response, or answer by itself without calling `next`.
trait Middleware {
    fn call(&self, req: Request, next: &dyn Handler) -> Response;
}

/// A middleware bound to the rest of the pipeline: together they are a
/// handler again.
struct Layered {
    middleware: Box<dyn Middleware>,
    next: Box<dyn Handler>,
}

impl Handler for Layered {
    fn handle(&self, req: Request) -> Response {
        // TODO: call the middleware, handing it `self.next` as its `next`.
        todo!()
    }
}

/// Collects middleware in the order a request meets them.
#[derive(Default)]
struct Pipeline {
    middlewares: Vec<Box<dyn Middleware>>,
}

impl Pipeline {
    fn new() -> Self {
        Self::default()
    }

    /// Adds a middleware *inside* the ones added before it.
    fn layer(mut self, middleware: impl Middleware + 'static) -> Self {
        self.middlewares.push(Box::new(middleware));
        self
    }

    /// The finished pipeline around `endpoint`.
    fn handler(self, endpoint: impl Handler + 'static) -> Box<dyn Handler> {
        // TODO: wrap `endpoint` in a `Layered` per middleware, so that the
        // first middleware added ends up outermost.
        todo!()
    }
}

// ---- Middleware ----------------------------------------------------------

/// Appends `name>` to the request's `x-trace` header on the way in and
/// `<name` to the response's `x-trace` header on the way out.
struct Trace(&'static str);

impl Middleware for Trace {
    fn call(&self, req: Request, next: &dyn Handler) -> Response {
        // TODO: way in, next, way out.
        todo!()
    }
}

/// Answers 401 without calling `next` when there is no `authorization` header.
struct RequireAuthorization;

impl Middleware for RequireAuthorization {
    fn call(&self, req: Request, next: &dyn Handler) -> Response {
        if !req.headers.contains_key("authorization") {
            return Response {
                status: 401,
                ..Response::default()
            };
        }
        next.handle(req)
    }
}

fn main() {
    // This exercise is checked by its tests.
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Counts its calls and ends the trace: response `x-trace` is the
    /// request's `x-trace` followed by `handler`.
    fn endpoint(calls: Rc<Cell<usize>>) -> impl Handler + 'static {
        move |req: Request| {
            calls.set(calls.get() + 1);
            let trace = req.headers.get("x-trace").cloned().unwrap_or_default();
            let mut response = Response {
                status: 200,
                body: "ok".to_string(),
                ..Response::default()
            };
            response
                .headers
                .insert("x-trace".to_string(), format!("{trace}handler"));
            response
        }
    }

    fn trace_of(response: &Response) -> &str {
        response.headers.get("x-trace").map_or("", String::as_str)
    }

    fn authorized() -> Request {
        let mut req = Request {
            path: "/reports".to_string(),
            ..Request::default()
        };
        req.headers
            .insert("authorization".to_string(), "Bearer t".to_string());
        req
    }

    #[test]
    fn an_empty_pipeline_is_just_the_endpoint() {
        let calls = Rc::new(Cell::new(0));
        let app = Pipeline::new().handler(endpoint(calls.clone()));

        let response = app.handle(authorized());

        assert_eq!(trace_of(&response), "handler");
        assert_eq!(calls.get(), 1);
    }

    #[test]
    fn a_middleware_works_on_the_way_in_and_on_the_way_out() {
        let calls = Rc::new(Cell::new(0));
        let app = Pipeline::new()
            .layer(Trace("log"))
            .handler(endpoint(calls.clone()));

        let response = app.handle(authorized());

        assert_eq!(trace_of(&response), "log>handler<log");
        assert_eq!(response.body, "ok");
        assert_eq!(calls.get(), 1);
    }

    #[test]
    fn the_first_layer_added_is_the_outermost() {
        let calls = Rc::new(Cell::new(0));
        let app = Pipeline::new()
            .layer(Trace("auth"))
            .layer(Trace("log"))
            .handler(endpoint(calls.clone()));

        let response = app.handle(authorized());

        assert_eq!(trace_of(&response), "auth>log>handler<log<auth");
    }

    #[test]
    fn three_layers_nest_like_parentheses() {
        let calls = Rc::new(Cell::new(0));
        let app = Pipeline::new()
            .layer(Trace("id"))
            .layer(Trace("log"))
            .layer(Trace("auth"))
            .handler(endpoint(calls.clone()));

        let response = app.handle(authorized());

        assert_eq!(
            trace_of(&response),
            "id>log>auth>handler<auth<log<id",
            "each request passes id, log, auth in the order they were added"
        );
        assert_eq!(calls.get(), 1);
    }

    #[test]
    fn a_rejecting_middleware_stops_the_request_before_the_inner_layers() {
        let calls = Rc::new(Cell::new(0));
        let app = Pipeline::new()
            .layer(Trace("log"))
            .layer(RequireAuthorization)
            .layer(Trace("cache"))
            .handler(endpoint(calls.clone()));

        let response = app.handle(Request::default());

        assert_eq!(response.status, 401);
        assert_eq!(calls.get(), 0, "the endpoint must not run");
        assert_eq!(
            trace_of(&response),
            "<log",
            "log is outside auth and sees the 401; cache is inside and never runs"
        );
    }

    #[test]
    fn an_inner_layer_never_sees_a_request_rejected_outside_it() {
        let calls = Rc::new(Cell::new(0));
        let app = Pipeline::new()
            .layer(RequireAuthorization)
            .layer(Trace("log"))
            .handler(endpoint(calls.clone()));

        let rejected = app.handle(Request::default());
        let accepted = app.handle(authorized());

        assert_eq!(rejected.status, 401);
        assert_eq!(
            trace_of(&rejected),
            "",
            "log is inside auth: a rejected request never reaches it"
        );
        assert_eq!(trace_of(&accepted), "log>handler<log");
        assert_eq!(calls.get(), 1);
    }
}
