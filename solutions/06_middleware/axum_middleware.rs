//! # Middleware: on an axum router (solution)

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
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
    let presented = req
        .headers()
        .get("x-api-key")
        .and_then(|value| value.to_str().ok());
    // A real service compares keys in constant time (e.g. the `subtle`
    // crate) and stores only their hashes; `==` keeps the exercise on the
    // middleware's shape.
    if presented != Some(&*expected.0) {
        // Answering here, without `next.run`, is the short circuit: the
        // handler and the store behind it never see the request.
        // With a challenge: HTTP requires one on every 401 (RFC 9110
        // §15.5.2), as `auth_short_circuit` taught.
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, API_KEY_CHALLENGE)],
            "missing or invalid API key",
        )
            .into_response();
    }
    next.run(req).await
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
    // `route_layer` wraps only the routes above it, and only once a route
    // has matched: an unknown path stays a 404 instead of becoming a 401,
    // and the routes merged in below (the health check) stay public.
    let protected = Router::new()
        .route("/reports", get(reports))
        .route_layer(middleware::from_fn_with_state(key, require_api_key))
        .with_state(store);

    // Each `.layer` wraps everything added before it, so the LAST layer
    // added is the OUTERMOST and runs first on the request. Read bottom-up:
    // SetRequestId gives the request its id, then PropagateRequestId sees
    // it and copies it to the response, whoever answered (even the API key
    // check's 401). Swapped, Propagate would run before there is an id.
    // (tower's `ServiceBuilder` reads the other way: top-down.)
    Router::new()
        .route("/health", get(health))
        .merge(protected)
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(ids))
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
