//! # Middleware: a tower `Layer` and `Service` of your own (solution)

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::{HeaderName, HeaderValue, Request, Response};
use tower::{Layer, Service};

static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Hands out fresh request ids. `Send + Sync` because one generator is shared
/// by every clone of the service, on every worker thread.
trait IdGenerator: Send + Sync {
    fn next_id(&self) -> String;
}

/// Whether an incoming id may be kept (given, as in `request_id_logging`): a
/// client chooses it, and it ends up in every log line of the request, so
/// only short ids of letters, digits and dashes are. Anything else is
/// replaced by a fresh id.
fn is_acceptable_id(id: &HeaderValue) -> bool {
    (1..=64).contains(&id.len())
        && id
            .as_bytes()
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
}

/// A boxed future: the simplest way to name the type of an `async` block in
/// an associated type. It costs one allocation per request.
type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// The layer: a factory that wraps any service `S` in a `RequestId<S>`.
/// `ServiceBuilder` and axum's `.layer(..)` take layers, not services, so a
/// middleware can be declared before the service it will wrap exists.
#[derive(Clone)]
struct RequestIdLayer {
    ids: Arc<dyn IdGenerator>,
}

impl RequestIdLayer {
    fn new(ids: Arc<dyn IdGenerator>) -> Self {
        Self { ids }
    }
}

impl<S> Layer<S> for RequestIdLayer {
    type Service = RequestId<S>;

    fn layer(&self, inner: S) -> Self::Service {
        // Every service the layer wraps shares the one generator.
        RequestId {
            inner,
            ids: Arc::clone(&self.ids),
        }
    }
}

/// The service: keeps an incoming `x-request-id` or sets a fresh one on the
/// request, and copies it to the response.
#[derive(Clone)]
struct RequestId<S> {
    inner: S,
    ids: Arc<dyn IdGenerator>,
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for RequestId<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    S::Future: Send + 'static,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = BoxFuture<Result<Self::Response, Self::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        // We are ready exactly when the inner service is. Answering
        // `Ready(Ok(()))` ourselves would hide back-pressure (a full
        // connection pool, a concurrency limit) and break the contract that
        // `call` only follows a successful `poll_ready` of the same service.
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<ReqBody>) -> Self::Future {
        let id = match req.headers().get(&REQUEST_ID) {
            // A client picks the incoming id: keep it only if it is one we
            // are willing to write into every log line of this request.
            Some(incoming) if is_acceptable_id(incoming) => Some(incoming.clone()),
            // A generator that produced a value HTTP cannot carry is a bug in
            // the generator; the request still goes through, without an id.
            _ => HeaderValue::try_from(self.ids.next_id()).ok(),
        };
        if let Some(id) = &id {
            req.headers_mut().insert(REQUEST_ID.clone(), id.clone());
        }
        // The inner service is called here, synchronously, not inside the
        // async block: the block must be 'static and cannot borrow `self`,
        // and the call has to follow the `poll_ready` that made us ready.
        let future = self.inner.call(req);
        Box::pin(async move {
            // Errors pass through untouched: this middleware has nothing to
            // add to a failure.
            let mut response = future.await?;
            if let Some(id) = id {
                response.headers_mut().insert(REQUEST_ID.clone(), id);
            }
            Ok(response)
        })
    }
}

fn main() {
    // This exercise is checked by its tests.
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::convert::Infallible;
    use std::sync::atomic::{AtomicU64, Ordering};
    use tower::{ServiceBuilder, ServiceExt};

    /// "req-1", "req-2", ...; counts what it handed out.
    #[derive(Default)]
    struct SequentialIds(AtomicU64);

    impl SequentialIds {
        fn issued(&self) -> u64 {
            self.0.load(Ordering::SeqCst)
        }
    }

    impl IdGenerator for SequentialIds {
        fn next_id(&self) -> String {
            format!("req-{}", self.0.fetch_add(1, Ordering::SeqCst) + 1)
        }
    }

    /// The endpoint answers with the request id it saw.
    async fn echo_id(req: Request<String>) -> Result<Response<String>, Infallible> {
        let seen = req
            .headers()
            .get(&REQUEST_ID)
            .and_then(|value| value.to_str().ok())
            .unwrap_or("none")
            .to_string();
        Ok(Response::new(format!("endpoint saw {seen}")))
    }

    fn request(id: Option<&str>) -> Request<String> {
        let mut builder = Request::builder().uri("/users");
        if let Some(id) = id {
            builder = builder.header("x-request-id", id);
        }
        builder.body(String::new()).unwrap()
    }

    fn response_id<B>(response: &Response<B>) -> Option<&str> {
        response
            .headers()
            .get(&REQUEST_ID)
            .and_then(|value| value.to_str().ok())
    }

    #[tokio::test]
    async fn a_request_without_an_id_gets_one_on_the_request_and_the_response() {
        let ids = Arc::new(SequentialIds::default());
        let service = ServiceBuilder::new()
            .layer(RequestIdLayer::new(ids.clone()))
            .service_fn(echo_id);

        let response = service.oneshot(request(None)).await.unwrap();

        assert_eq!(response.body(), "endpoint saw req-1");
        assert_eq!(response_id(&response), Some("req-1"));
    }

    #[tokio::test]
    async fn an_incoming_id_is_kept_and_none_is_drawn() {
        let ids = Arc::new(SequentialIds::default());
        let service = ServiceBuilder::new()
            .layer(RequestIdLayer::new(ids.clone()))
            .service_fn(echo_id);

        let response = service
            .oneshot(request(Some("gateway-7f3a")))
            .await
            .unwrap();

        assert_eq!(response.body(), "endpoint saw gateway-7f3a");
        assert_eq!(response_id(&response), Some("gateway-7f3a"));
        assert_eq!(ids.issued(), 0);
    }

    #[tokio::test]
    async fn clones_of_the_service_share_one_generator() {
        let ids = Arc::new(SequentialIds::default());
        let service = ServiceBuilder::new()
            .layer(RequestIdLayer::new(ids.clone()))
            .service_fn(echo_id);

        let first = service.clone().oneshot(request(None)).await.unwrap();
        let second = service.oneshot(request(None)).await.unwrap();

        assert_eq!(response_id(&first), Some("req-1"));
        assert_eq!(response_id(&second), Some("req-2"));
    }

    #[tokio::test]
    async fn the_endpoints_response_passes_through() {
        let ids = Arc::new(SequentialIds::default());
        let service = ServiceBuilder::new()
            .layer(RequestIdLayer::new(ids))
            .service_fn(|_req: Request<String>| async {
                let response = Response::builder()
                    .status(201)
                    .header("location", "/users/7")
                    .body("created".to_string())
                    .unwrap();
                Ok::<_, Infallible>(response)
            });

        let response = service.oneshot(request(None)).await.unwrap();

        assert_eq!(response.status(), 201);
        assert_eq!(response.headers()["location"], "/users/7");
        assert_eq!(response.body(), "created");
    }

    /// A backend that is never ready, like a service whose connection pool
    /// is exhausted. Calling it without asking first is a bug.
    #[derive(Clone)]
    struct Overloaded;

    impl Service<Request<String>> for Overloaded {
        type Response = Response<String>;
        type Error = String;
        type Future = std::future::Ready<Result<Response<String>, String>>;

        fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), String>> {
            Poll::Ready(Err("backend overloaded".to_string()))
        }

        fn call(&mut self, _req: Request<String>) -> Self::Future {
            panic!("called although poll_ready did not say ready");
        }
    }

    #[tokio::test]
    async fn readiness_is_the_inner_services_readiness() {
        let ids = Arc::new(SequentialIds::default());
        let service = ServiceBuilder::new()
            .layer(RequestIdLayer::new(ids.clone()))
            .service(Overloaded);

        let result = service.oneshot(request(None)).await;

        assert_eq!(result.unwrap_err(), "backend overloaded");
        assert_eq!(ids.issued(), 0, "no request was made, so no id was drawn");
    }

    #[tokio::test]
    async fn an_unacceptable_incoming_id_is_replaced() {
        let ids = Arc::new(SequentialIds::default());
        let service = ServiceBuilder::new()
            .layer(RequestIdLayer::new(ids.clone()))
            .service_fn(echo_id);
        let long = "7".repeat(65);

        let spaced = service.clone().oneshot(request(Some("a b"))).await.unwrap();
        let too_long = service.oneshot(request(Some(&long))).await.unwrap();

        assert_eq!(spaced.body(), "endpoint saw req-1");
        assert_eq!(response_id(&spaced), Some("req-1"));
        assert_eq!(response_id(&too_long), Some("req-2"));
    }

    /// Ready only after its own `poll_ready`, like a service holding a
    /// connection it reserved there. A clone starts unready: it has reserved
    /// nothing. Calling a clone that was never asked is the classic
    /// clone-then-call bug of hand-written tower services.
    struct ReservesOnReady {
        reserved: bool,
    }

    impl Clone for ReservesOnReady {
        fn clone(&self) -> Self {
            Self { reserved: false }
        }
    }

    impl Service<Request<String>> for ReservesOnReady {
        type Response = Response<String>;
        type Error = String;
        type Future = std::future::Ready<Result<Response<String>, String>>;

        fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), String>> {
            self.reserved = true;
            Poll::Ready(Ok(()))
        }

        fn call(&mut self, _req: Request<String>) -> Self::Future {
            let answer = if std::mem::take(&mut self.reserved) {
                Ok(Response::new("served".to_string()))
            } else {
                Err("called a service whose poll_ready was never asked".to_string())
            };
            std::future::ready(answer)
        }
    }

    #[tokio::test]
    async fn the_service_that_was_asked_to_be_ready_is_the_one_called() {
        let ids = Arc::new(SequentialIds::default());
        let service = ServiceBuilder::new()
            .layer(RequestIdLayer::new(ids))
            .service(ReservesOnReady { reserved: false });

        let response = service.oneshot(request(None)).await;

        assert_eq!(response.map(|r| r.into_body()), Ok("served".to_string()));
    }

    #[tokio::test]
    async fn the_layer_stacks_with_tower_http_layers() {
        use tower_http::set_header::SetResponseHeaderLayer;

        let ids = Arc::new(SequentialIds::default());
        let service = ServiceBuilder::new()
            .layer(SetResponseHeaderLayer::if_not_present(
                http::header::CACHE_CONTROL,
                HeaderValue::from_static("no-store"),
            ))
            .layer(RequestIdLayer::new(ids))
            .service_fn(echo_id);

        let response = service.oneshot(request(None)).await.unwrap();

        assert_eq!(response.headers()["cache-control"], "no-store");
        assert_eq!(response_id(&response), Some("req-1"));
    }
}
