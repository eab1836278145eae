//! # Middleware: on an axum router
//!
//! axum routes requests; tower does its middleware. There are two ways to
//! write one: `axum::middleware::from_fn` turns an async function
//! `(extractors.., Request, Next) -> Response` into a layer, and any tower
//! `Layer` (tower-http's, or your own) goes on directly. Both are attached
//! with `.layer(..)` (every request) or `.route_layer(..)` (only requests that
//! matched a route of that router).
//!
//! **Order in axum: the last layer added runs first.** Each `.layer` wraps
//! everything built so far, so read a router's layers bottom-up:
//!
//! ```text
//!   Router::new().route(..)
//!       .layer(A)        request ──> B ──> A ──> handler
//!       .layer(B)        response <── B <── A <──┘
//! ```
//!
//! (tower's `ServiceBuilder` reads top-down: its first layer is outermost.)
//!
//! ## The problem
//!
//! The reporting API must check an API key on `/reports`, keep `/health`
//! public for the load balancer, answer 404 (not 401) for paths that do not
//! exist, and put an `x-request-id` on every response, rejections included,
//! so that a client's "I got a 401" can be found in the logs. The router
//! below compiles, but gets the last three wrong.
//!
//! ## Your task
//!
//! 1. `require_api_key`: compare the `x-api-key` header with the expected
//!    key; on a mismatch or a missing header, answer
//!    `401 "missing or invalid API key"` with the challenge
//!    `www-authenticate: ApiKey header="x-api-key"` (HTTP requires one on
//!    every 401; `API_KEY_CHALLENGE` holds it), without calling `next`;
//!    otherwise `next.run(req).await`.
//! 2. In `app`, apply the key check with `.route_layer(..)` to the protected
//!    router only (remember `from_fn_with_state` carries its own state).
//! 3. In `app`, order the two tower-http request-id layers so that
//!    `SetRequestIdLayer` runs before `PropagateRequestIdLayer`.
//!
//! ## When not to use it
//!
//! Per-handler concerns do not need middleware: an extractor (a
//! `FromRequestParts` type such as `ApiUser`) checks one route's input and
//! hands the handler a typed value, visibly, in its signature. Use
//! middleware for what must wrap *every* request of a group, including the
//! ones that fail.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};

/// The key clients of the reporting API must send in `x-api-key`.
#[derive(Clone)]
struct ApiKey(Arc<str>);

/// Where reports come from (a database or a warehouse in production).
trait ReportStore: Send + Sync {
    fn quarterly(&self) -> String;
}

/// Request ids "req-1", "req-2", ...: tower-http's `MakeRequestId`, so the
/// ids are predictable in tests (production would use `MakeRequestUuid`).
#[derive(Clone, Default)]
struct SequentialIds(Arc<AtomicU64>);

impl MakeRequestId for SequentialIds {
    fn make_request_id<B>(&mut self, _request: &axum::http::Request<B>) -> Option<RequestId> {
        let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
        let value = HeaderValue::try_from(format!("req-{n}")).ok()?;
        Some(RequestId::new(value))
    }
}

// ---- Middleware ----------------------------------------------------------

/// Lets a request through only with the right `x-api-key` header.
///
/// A `from_fn` middleware is an async function with extractors, the request
/// and `next`: no `Service` or `Layer` types to write. Enough for a one-off
/// like this; a reusable middleware is a tower layer (previous exercise).
async fn require_api_key(State(expected): State<ApiKey>, req: Request, next: Next) -> Response {
    // TODO: read the x-api-key header; if it is not `expected`, answer 401
    // "missing or invalid API key" without calling `next`; otherwise pass the
    // request on with next.run(req).await.
    todo!()
}

/// What a 401 answers in `www-authenticate`: which credentials to send.
/// API keys have no registered scheme; naming the header is the convention.
const API_KEY_CHALLENGE: &str = "ApiKey header=\"x-api-key\"";

// ---- Handlers ------------------------------------------------------------

async fn health() -> &'static str {
    "ok"
}

/// Knows nothing of keys: by the time it runs, the middleware has decided.
async fn reports(State(store): State<Arc<dyn ReportStore>>) -> String {
    store.quarterly()
}

// ---- The router ----------------------------------------------------------

fn app(key: ApiKey, ids: SequentialIds, store: Arc<dyn ReportStore>) -> Router {
    // TODO: guard only the protected routes: move the key check from the
    // whole router to a `.route_layer(..)` here, before `.with_state`.
    let protected = Router::new()
        .route("/reports", get(reports))
        .with_state(store);

    // TODO: every response needs the request id, 401s too. Which of these
    // two layers runs first on the request? Which one should?
    Router::new()
        .route("/health", get(health))
        .merge(protected)
        .layer(middleware::from_fn_with_state(key, require_api_key))
        .layer(SetRequestIdLayer::x_request_id(ids))
        .layer(PropagateRequestIdLayer::x_request_id())
}

fn main() {
    // This exercise is checked by its tests.
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use http_body_util::BodyExt;
    use std::sync::atomic::AtomicUsize;
    use tower::ServiceExt;

    /// Counts how often a report was produced.
    #[derive(Default)]
    struct CountingStore(AtomicUsize);

    impl CountingStore {
        fn served(&self) -> usize {
            self.0.load(Ordering::SeqCst)
        }
    }

    impl ReportStore for CountingStore {
        fn quarterly(&self) -> String {
            self.0.fetch_add(1, Ordering::SeqCst);
            "Q3: 42 widgets".to_string()
        }
    }

    fn test_app(store: Arc<CountingStore>) -> Router {
        app(
            ApiKey(Arc::from("key-123")),
            SequentialIds::default(),
            store,
        )
    }

    fn get_request(path: &str, headers: &[(&str, &str)]) -> Request {
        let mut builder = Request::builder().uri(path);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(Body::empty()).unwrap()
    }

    async fn body_text(response: Response) -> String {
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    fn request_id(response: &Response) -> Option<&str> {
        response
            .headers()
            .get("x-request-id")
            .and_then(|value| value.to_str().ok())
    }

    #[tokio::test]
    async fn the_right_key_gets_the_report() {
        let store = Arc::new(CountingStore::default());

        let response = test_app(store.clone())
            .oneshot(get_request("/reports", &[("x-api-key", "key-123")]))
            .await
            .unwrap();

        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(body_text(response).await, "Q3: 42 widgets");
        assert_eq!(store.served(), 1);
    }

    #[tokio::test]
    async fn no_key_is_401_and_the_handler_never_runs() {
        let store = Arc::new(CountingStore::default());

        let response = test_app(store.clone())
            .oneshot(get_request("/reports", &[]))
            .await
            .unwrap();

        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            response.headers()["www-authenticate"],
            API_KEY_CHALLENGE,
            "HTTP requires a challenge on every 401"
        );
        assert_eq!(body_text(response).await, "missing or invalid API key");
        assert_eq!(store.served(), 0);
    }

    #[tokio::test]
    async fn a_wrong_key_is_401_and_the_handler_never_runs() {
        let store = Arc::new(CountingStore::default());

        let response = test_app(store.clone())
            .oneshot(get_request("/reports", &[("x-api-key", "key-124")]))
            .await
            .unwrap();

        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(response.headers()["www-authenticate"], API_KEY_CHALLENGE);
        assert_eq!(store.served(), 0);
    }

    #[tokio::test]
    async fn the_health_check_needs_no_key() {
        let store = Arc::new(CountingStore::default());

        let response = test_app(store)
            .oneshot(get_request("/health", &[]))
            .await
            .unwrap();

        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(body_text(response).await, "ok");
    }

    #[tokio::test]
    async fn an_unknown_path_is_404_not_401() {
        let store = Arc::new(CountingStore::default());

        let response = test_app(store)
            .oneshot(get_request("/nope", &[]))
            .await
            .unwrap();

        assert_eq!(
            response.status(),
            StatusCode::NOT_FOUND,
            "the key check belongs to the matched routes only (route_layer)"
        );
    }

    #[tokio::test]
    async fn every_response_carries_a_request_id_even_a_rejection() {
        let store = Arc::new(CountingStore::default());

        let rejected = test_app(store.clone())
            .oneshot(get_request("/reports", &[]))
            .await
            .unwrap();
        let served = test_app(store)
            .oneshot(get_request("/reports", &[("x-api-key", "key-123")]))
            .await
            .unwrap();

        assert_eq!(rejected.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            request_id(&rejected),
            Some("req-1"),
            "SetRequestId must run before PropagateRequestId: add it last"
        );
        assert_eq!(request_id(&served), Some("req-1"));
    }

    #[tokio::test]
    async fn an_incoming_request_id_is_kept() {
        let store = Arc::new(CountingStore::default());

        let response = test_app(store)
            .oneshot(get_request("/health", &[("x-request-id", "gateway-7f3a")]))
            .await
            .unwrap();

        assert_eq!(request_id(&response), Some("gateway-7f3a"));
    }
}
