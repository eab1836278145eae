//! # Resilience: tower's timeout, concurrency limit and load shedding
//!
//! The earlier exercises built the protections by hand. In an axum service
//! they come from tower, as layers:
//!
//! - `tower::timeout` (`.timeout(d)` on a `ServiceBuilder`): the request
//!   fails with `Elapsed` after `d`; its handler's future is dropped.
//! - `tower::limit`: at most N requests in flight. `ConcurrencyLimitLayer`
//!   gives each service it wraps a semaphore of its own;
//!   `GlobalConcurrencyLimitLayer::with_semaphore(Arc<Semaphore>)` shares one.
//! - `tower::load_shed` (`.load_shed()`): a limit alone makes the request
//!   over it *wait* for a place. Load shedding refuses it at once with
//!   `Overloaded` instead: the bulkhead's "refuse, don't queue".
//! - `axum::error_handling::HandleErrorLayer`: axum needs every service to
//!   answer with a response; tower's layers answer with errors. This layer,
//!   outermost, turns them into responses with a function you write.
//!
//! ```text
//!   request ─> HandleError ─> LoadShed ─> global limit (4) ─> Timeout (2 s) ─> handler
//!                  ▲             │ no place: Overloaded          │ Elapsed
//!                  └─ 503 + Retry-After / 504 <──────────────────┘
//! ```
//!
//! `ServiceBuilder` reads top-down (its first layer is the outermost), and
//! axum's `Router::layer` wraps **each route separately**: a limit layer
//! there that makes a semaphore per service it wraps limits each route
//! (and each method) on its own.
//!
//! ## The problem
//!
//! The reporting API has a database pool of 4 connections. When month-end
//! reports run long, requests queue for a connection for minutes; clients
//! time out and retry, and the queue only grows. The team wants: every
//! request answered within 2 s (504 after that), at most 4 requests in
//! flight over the whole API, and the fifth refused at once with 503 and
//! `Retry-After: 1`.
//!
//! ## Your task
//!
//! 1. `handle_error`: `Elapsed` (a timeout) is 504; `Overloaded` (shed) is
//!    503 with `Retry-After: 1`; anything else 500. `error.is::<T>()` tells
//!    them apart.
//! 2. `app`: build the stack with `ServiceBuilder` and put it on the router
//!    with `.layer(..)`: `HandleErrorLayer::new(handle_error)`, `.load_shed()`,
//!    a global limit of `MAX_IN_FLIGHT` shared by every route, and
//!    `.timeout(REQUEST_TIMEOUT)`, in an order that sheds rather than queues.
//!
//! ## When not to use it
//!
//! A concurrency limit protects *this* service from overload; it does not
//! share capacity fairly between clients (that is the per-client rate limit)
//! and it is no substitute for timeouts on the calls the handlers make (a
//! deadline). And tune the numbers from measurements: a limit far below what
//! the database can take turns away requests that would have been served.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{BoxError, Router};
use tokio::sync::Semaphore;
use tower::load_shed::error::Overloaded;
use tower::timeout::error::Elapsed;

/// The longest any request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(2);

/// Requests in flight over the whole API: the database pool has 4
/// connections, and a fifth request would only wait for one.
const MAX_IN_FLIGHT: usize = 4;

/// Where the handlers' work happens (a database in production).
trait Backend: Send + Sync {
    fn work(&self, what: &'static str) -> impl Future<Output = String> + Send;
}

/// Turns the errors of tower's layers into responses. axum needs every
/// service to answer with a response, never an error; tower's middleware
/// answers with errors, so `HandleErrorLayer` sits outside them and calls
/// this.
async fn handle_error(error: BoxError) -> Response {
    // TODO: a timeout (`Elapsed`) is 504; a shed request (`Overloaded`) is
    // 503 with `Retry-After: 1` (`header::RETRY_AFTER`); anything else 500.
    let _ = error;
    (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
}

async fn reports<B: Backend>(State(backend): State<Arc<B>>) -> String {
    backend.work("reports").await
}

async fn search<B: Backend>(State(backend): State<Arc<B>>) -> String {
    backend.work("search").await
}

fn app<B: Backend + 'static>(backend: Arc<B>) -> Router {
    // TODO: protect every route with a `tower::ServiceBuilder` stack on
    // `.layer(..)`: `axum::error_handling::HandleErrorLayer::new(handle_error)`,
    // `.load_shed()`, one limit of MAX_IN_FLIGHT shared by all routes
    // (`tower::limit::GlobalConcurrencyLimitLayer::with_semaphore`), and
    // `.timeout(REQUEST_TIMEOUT)`. The first layer added is the outermost.
    Router::new()
        .route("/reports", get(reports::<B>))
        .route("/search", get(search::<B>))
        .with_state(backend)
}

fn main() {
    // This exercise is checked by its tests.
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use tokio::time::Instant;
    use tower::ServiceExt;

    /// A backend that holds every call until the test opens the gate, then
    /// takes `takes` to answer.
    struct Gated {
        gate: Semaphore,
        takes: Duration,
        inside: AtomicUsize,
        finished: AtomicUsize,
    }

    impl Gated {
        fn new(open: bool, takes: Duration) -> Arc<Self> {
            let permits = if open { Semaphore::MAX_PERMITS } else { 0 };
            Arc::new(Self {
                gate: Semaphore::new(permits),
                takes,
                inside: AtomicUsize::new(0),
                finished: AtomicUsize::new(0),
            })
        }

        fn inside(&self) -> usize {
            self.inside.load(Ordering::SeqCst)
        }
    }

    impl Backend for Gated {
        async fn work(&self, what: &'static str) -> String {
            self.inside.fetch_add(1, Ordering::SeqCst);
            self.gate.acquire().await.unwrap().forget();
            tokio::time::sleep(self.takes).await;
            self.finished.fetch_add(1, Ordering::SeqCst);
            format!("{what} done")
        }
    }

    fn get_request(path: &str) -> Request<Body> {
        Request::get(path).body(Body::empty()).unwrap()
    }

    /// Lets the spawned requests run until `until` holds.
    async fn settle(until: impl Fn() -> bool) {
        for _ in 0..100 {
            if until() {
                return;
            }
            tokio::task::yield_now().await;
        }
        panic!("the spawned requests never got there");
    }

    /// Four requests held inside the handlers: two reports, two searches.
    async fn fill_the_api(backend: &Arc<Gated>, router: &Router) {
        for path in ["/reports", "/reports", "/search", "/search"] {
            let request = router.clone().oneshot(get_request(path));
            tokio::spawn(request);
        }
        settle(|| backend.inside() == 4).await;
    }

    #[tokio::test(start_paused = true)]
    async fn a_quick_request_is_served() {
        let backend = Gated::new(true, Duration::from_millis(30));

        let response = app(backend).oneshot(get_request("/search")).await.unwrap();

        assert_eq!(response.status(), StatusCode::OK);
    }

    #[tokio::test(start_paused = true)]
    async fn a_slow_request_is_cut_off_with_504() {
        let backend = Gated::new(true, Duration::from_secs(30));
        let start = Instant::now();

        let response = app(backend).oneshot(get_request("/reports")).await.unwrap();

        assert_eq!(response.status(), StatusCode::GATEWAY_TIMEOUT);
        assert_eq!(start.elapsed(), REQUEST_TIMEOUT);
    }

    #[tokio::test(start_paused = true)]
    async fn the_fifth_request_in_flight_is_shed_at_once() {
        let backend = Gated::new(false, Duration::ZERO);
        let router = app(backend.clone());
        fill_the_api(&backend, &router).await;

        let fifth = tokio::time::timeout(
            Duration::from_millis(1),
            router.clone().oneshot(get_request("/search")),
        )
        .await;

        let response = fifth
            .expect("the fifth request waited for a place; shed it at once")
            .unwrap();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers()[header::RETRY_AFTER], "1");
        assert_eq!(
            backend.inside(),
            4,
            "a shed request never reaches a handler"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn the_limit_is_one_for_the_whole_api_not_one_per_route() {
        let backend = Gated::new(false, Duration::ZERO);
        let router = app(backend.clone());
        fill_the_api(&backend, &router).await;

        let another_report = tokio::time::timeout(
            Duration::from_millis(1),
            router.clone().oneshot(get_request("/reports")),
        )
        .await;

        let response = another_report
            .expect("the request waited for a place; shed it at once")
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::SERVICE_UNAVAILABLE,
            "2 reports and 2 searches are in flight: the 4 connections are taken"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn places_come_back_when_requests_finish() {
        let backend = Gated::new(false, Duration::ZERO);
        let router = app(backend.clone());
        fill_the_api(&backend, &router).await;

        backend.gate.add_permits(Semaphore::MAX_PERMITS);
        settle(|| backend.finished.load(Ordering::SeqCst) == 4).await;
        let response = router.oneshot(get_request("/search")).await.unwrap();

        assert_eq!(response.status(), StatusCode::OK);
    }

    #[tokio::test(start_paused = true)]
    async fn a_timed_out_request_gives_its_place_back() {
        let backend = Gated::new(false, Duration::ZERO);
        let router = app(backend.clone());
        for _ in 0..MAX_IN_FLIGHT {
            let request = router.clone().oneshot(get_request("/reports"));
            let response = tokio::time::timeout(REQUEST_TIMEOUT * 2, request)
                .await
                .expect("a request to a backend that never answers was never cut off")
                .unwrap();
            assert_eq!(response.status(), StatusCode::GATEWAY_TIMEOUT);
        }

        backend.gate.add_permits(Semaphore::MAX_PERMITS);
        let response = router.oneshot(get_request("/reports")).await.unwrap();

        assert_eq!(response.status(), StatusCode::OK);
    }

    #[tokio::test]
    async fn each_error_has_its_status() {
        let timed_out = handle_error(Box::new(Elapsed::new())).await;
        let shed = handle_error(Box::new(Overloaded::new())).await;
        let other = handle_error("the database is on fire".into()).await;

        assert_eq!(timed_out.status(), StatusCode::GATEWAY_TIMEOUT);
        assert_eq!(shed.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(shed.headers()[header::RETRY_AFTER], "1");
        assert_eq!(other.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
