//! # Resilience: per-client rate limits with governor (solution)

use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use governor::clock::{Clock, DefaultClock, FakeRelativeClock};
use governor::middleware::NoOpMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};

/// A limiter with one state per client key, on the clock `C`.
type ClientLimiter<C> =
    RateLimiter<String, DefaultKeyedStateStore<String>, C, NoOpMiddleware<<C as Clock>::Instant>>;

/// 3 searches at once per client, then one more every 2 s.
fn search_quota() -> Quota {
    // governor implements GCRA, which allows exactly what a token bucket of
    // the same size and rate allows: the period is the time to earn one
    // token, the burst is the bucket's capacity. `with_period` refuses a zero
    // period (no limit) with `None`; the fallback is the burst alone.
    let burst = NonZeroU32::new(3).unwrap_or(NonZeroU32::MIN);
    Quota::with_period(Duration::from_secs(2))
        .unwrap_or_else(|| Quota::per_second(burst))
        .allow_burst(burst)
}

/// The limiter and the clock it runs on: the clock that says how long a
/// refused client must wait has to be the limiter's own.
struct Limits<C: Clock> {
    limiter: ClientLimiter<C>,
    clock: C,
}

impl<C: Clock + Clone> Limits<C> {
    fn new(quota: Quota, clock: C) -> Self {
        Self {
            limiter: RateLimiter::hashmap_with_clock(quota, clock.clone()),
            clock,
        }
    }

    /// Forgets the clients whose state is back to "never seen": what
    /// `forget_idle` did by hand in `per_client_rate_limit`. Call it from a
    /// periodic task.
    fn forget_idle(&self) {
        self.limiter.retain_recent();
    }
}

fn client_key(req: &Request) -> String {
    req.headers()
        .get("x-api-key")
        .and_then(|value| value.to_str().ok())
        .map_or_else(|| "anonymous".to_owned(), str::to_owned)
}

/// Whole seconds, rounded up, at least 1, as in the previous exercise.
fn retry_after_secs(wait: Duration) -> u64 {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    secs.max(1)
}

async fn rate_limit<C>(State(limits): State<Arc<Limits<C>>>, req: Request, next: Next) -> Response
where
    C: Clock + Send + Sync + 'static,
{
    match limits.limiter.check_key(&client_key(&req)) {
        Ok(()) => next.run(req).await,
        Err(not_until) => {
            // `NotUntil` knows the earliest instant a request will conform;
            // the wait is measured from *now on the limiter's clock*. Another
            // clock (`Instant::now()`, a `DefaultClock` made here) is another
            // time line, and the wait computed across the two is nonsense.
            let wait = not_until.wait_time_from(limits.clock.now());
            let secs = retry_after_secs(wait);
            (
                StatusCode::TOO_MANY_REQUESTS,
                [(header::RETRY_AFTER, HeaderValue::from(secs))],
                format!("too many requests; retry after {secs} s"),
            )
                .into_response()
        }
    }
}

#[derive(Default)]
struct SearchIndex {
    searches: AtomicUsize,
}

async fn search(State(index): State<Arc<SearchIndex>>) -> &'static str {
    index.searches.fetch_add(1, Ordering::SeqCst);
    "3 flights to Lisbon"
}

async fn health() -> &'static str {
    "ok"
}

fn app<C>(limits: Arc<Limits<C>>, index: Arc<SearchIndex>) -> Router
where
    C: Clock + Send + Sync + 'static,
{
    let api = Router::new()
        .route("/search", get(search))
        .route_layer(middleware::from_fn_with_state(limits, rate_limit::<C>))
        .with_state(index);
    Router::new().route("/health", get(health)).merge(api)
}

fn main() {
    // This exercise is checked by its tests. In a service, on governor's
    // default (monotonic) clock:
    let limits = Arc::new(Limits::new(search_quota(), DefaultClock::default()));
    let _app = app(limits, Arc::default());
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    struct Harness {
        clock: FakeRelativeClock,
        limits: Arc<Limits<FakeRelativeClock>>,
        index: Arc<SearchIndex>,
    }

    impl Harness {
        fn new() -> Self {
            let clock = FakeRelativeClock::default();
            // Far from zero, as a real clock is: a limiter must not assume
            // that time starts when it does.
            clock.advance(Duration::from_secs(1_000));
            let limits = Arc::new(Limits::new(search_quota(), clock.clone()));
            Self {
                clock,
                limits,
                index: Arc::default(),
            }
        }

        async fn get(&self, path: &str, key: Option<&str>) -> Response {
            let mut request = Request::builder().uri(path);
            if let Some(key) = key {
                request = request.header("x-api-key", key);
            }
            app(self.limits.clone(), self.index.clone())
                .oneshot(request.body(Body::empty()).unwrap())
                .await
                .unwrap()
        }

        fn searches(&self) -> usize {
            self.index.searches.load(Ordering::SeqCst)
        }
    }

    fn retry_after(response: &Response) -> Option<&str> {
        response
            .headers()
            .get(header::RETRY_AFTER)
            .and_then(|value| value.to_str().ok())
    }

    #[test]
    fn the_quota_is_three_at_once_then_one_every_two_seconds() {
        let quota = search_quota();

        assert_eq!(quota.burst_size().get(), 3);
        assert_eq!(quota.replenish_interval(), Duration::from_secs(2));
    }

    #[tokio::test]
    async fn requests_within_the_limit_are_served() {
        let harness = Harness::new();

        for _ in 0..3 {
            let response = harness.get("/search", Some("partner-a")).await;
            assert_eq!(response.status(), StatusCode::OK);
        }
        assert_eq!(harness.searches(), 3);
    }

    #[tokio::test]
    async fn over_the_limit_is_429_with_retry_after_and_no_search() {
        let harness = Harness::new();
        for _ in 0..3 {
            harness.get("/search", Some("partner-a")).await;
        }

        let response = harness.get("/search", Some("partner-a")).await;

        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(retry_after(&response), Some("2"));
        assert_eq!(harness.searches(), 3);
    }

    #[tokio::test]
    async fn retry_after_is_measured_on_the_limiters_clock_and_rounded_up() {
        let harness = Harness::new();
        for _ in 0..3 {
            harness.get("/search", Some("partner-a")).await;
        }

        harness.clock.advance(Duration::from_millis(500));
        let after_half_a_second = harness.get("/search", Some("partner-a")).await;
        harness.clock.advance(Duration::from_millis(1_100));
        let after_1_6_seconds = harness.get("/search", Some("partner-a")).await;

        assert_eq!(retry_after(&after_half_a_second), Some("2"));
        assert_eq!(retry_after(&after_1_6_seconds), Some("1"));
    }

    #[tokio::test]
    async fn each_client_has_its_own_limit() {
        let harness = Harness::new();
        for _ in 0..4 {
            harness.get("/search", Some("crawler")).await;
        }

        let response = harness.get("/search", Some("partner-b")).await;

        assert_eq!(response.status(), StatusCode::OK);
    }

    #[tokio::test]
    async fn a_request_is_allowed_again_after_the_period() {
        let harness = Harness::new();
        for _ in 0..4 {
            harness.get("/search", Some("partner-a")).await;
        }

        harness.clock.advance(Duration::from_secs(2));
        let response = harness.get("/search", Some("partner-a")).await;

        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(harness.searches(), 4);
    }

    #[tokio::test]
    async fn the_health_check_is_never_limited() {
        let harness = Harness::new();

        for _ in 0..10 {
            let response = harness.get("/health", None).await;
            assert_eq!(response.status(), StatusCode::OK);
        }
        let search = harness.get("/search", None).await;
        assert_eq!(search.status(), StatusCode::OK);
        let health = harness.get("/health", None).await;
        let body = health.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(&body[..], b"ok");
    }

    #[tokio::test]
    async fn idle_clients_are_forgotten_but_limited_ones_are_kept() {
        let harness = Harness::new();
        harness.get("/search", Some("partner-a")).await;
        harness.clock.advance(Duration::from_secs(60));
        for _ in 0..4 {
            harness.get("/search", Some("crawler")).await;
        }

        harness.limits.forget_idle();

        assert_eq!(harness.limits.limiter.len(), 1);
        let response = harness.get("/search", Some("crawler")).await;
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    }
}
