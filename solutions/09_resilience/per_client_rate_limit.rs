//! # Resilience: per-client rate limits that answer 429 with Retry-After (solution)

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// A monotonic clock, shared by the requests of every thread.
trait Clock: Send + Sync {
    fn now(&self) -> Duration;
}

/// The real clock, for production.
struct SystemClock {
    start: Instant,
}

impl Clock for SystemClock {
    fn now(&self) -> Duration {
        self.start.elapsed()
    }
}

/// A clock that moves only when a test says so.
#[derive(Default)]
struct FakeClock {
    nanos: AtomicU64,
}

impl FakeClock {
    fn advance(&self, by: Duration) {
        let by = u64::try_from(by.as_nanos()).unwrap_or(u64::MAX);
        self.nanos.fetch_add(by, Ordering::SeqCst);
    }
}

impl Clock for FakeClock {
    fn now(&self) -> Duration {
        Duration::from_nanos(self.nanos.load(Ordering::SeqCst))
    }
}

// ---- The token bucket of the previous exercise -----------------------------

/// The bucket of `token_bucket`, told the time instead of holding a clock:
/// the limiter holds one clock for all its buckets.
struct TokenBucket {
    capacity: u32,
    refill_every: Duration,
    tokens: u32,
    last_refill: Duration,
}

impl TokenBucket {
    fn full(capacity: u32, refill_every: Duration, now: Duration) -> Self {
        Self {
            capacity,
            refill_every,
            tokens: capacity,
            last_refill: now,
        }
    }

    /// Takes a token, or says how long until the next one.
    fn try_acquire(&mut self, now: Duration) -> Result<(), Duration> {
        self.refill(now);
        if self.tokens > 0 {
            self.tokens -= 1;
            return Ok(());
        }
        Err(self
            .refill_every
            .saturating_sub(now.saturating_sub(self.last_refill)))
    }

    /// Whether the bucket has refilled completely by `now`.
    fn is_full(&mut self, now: Duration) -> bool {
        self.refill(now);
        self.tokens == self.capacity
    }

    fn refill(&mut self, now: Duration) {
        let earned = now.saturating_sub(self.last_refill).as_nanos() / self.refill_every.as_nanos();
        match u32::try_from(earned) {
            Ok(earned) if earned < self.capacity - self.tokens => {
                self.tokens += earned;
                self.last_refill += self.refill_every * earned;
            }
            _ => {
                self.tokens = self.capacity;
                self.last_refill = now;
            }
        }
    }
}

// ---- The limiter -------------------------------------------------------------

/// One token bucket per client: a client that floods the API empties its own
/// bucket, and everyone else's is untouched.
struct RateLimiter {
    /// A std `Mutex`, held for a few arithmetic operations and never across
    /// an `.await`. (A tokio `Mutex` would allow holding it across
    /// `next.run(req).await`, and every request of every client would then
    /// wait for the one before it.)
    buckets: Mutex<HashMap<String, TokenBucket>>,
    capacity: u32,
    refill_every: Duration,
    clock: Arc<dyn Clock>,
}

impl RateLimiter {
    fn new(capacity: u32, refill_every: Duration, clock: Arc<dyn Clock>) -> Self {
        Self {
            buckets: Mutex::new(HashMap::new()),
            capacity,
            refill_every,
            clock,
        }
    }

    /// Takes a token from `client`'s bucket, or says how long until the next.
    fn check(&self, client: &str) -> Result<(), Duration> {
        let now = self.clock.now();
        // A poisoned lock only means another request panicked while holding
        // it; the buckets are plain numbers and still usable.
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        // A client seen for the first time starts with a full bucket.
        buckets
            .entry(client.to_owned())
            .or_insert_with(|| TokenBucket::full(self.capacity, self.refill_every, now))
            .try_acquire(now)
    }

    /// Drops the buckets that are full again. A full bucket behaves exactly
    /// like a new one, so forgetting it changes no answer, and the map holds
    /// only the clients active in the last `capacity * refill_every` instead
    /// of every key ever seen. A service calls this every minute or so.
    fn forget_idle(&self) {
        let now = self.clock.now();
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        buckets.retain(|_, bucket| !bucket.is_full(now));
    }

    fn tracked_clients(&self) -> usize {
        self.buckets
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .len()
    }
}

// ---- HTTP --------------------------------------------------------------------

/// Who is asking: the API key, or "anonymous" for all callers without one
/// (they share one bucket, so that leaving the key out is no way around the
/// limit).
fn client_key(req: &Request) -> String {
    req.headers()
        .get("x-api-key")
        .and_then(|value| value.to_str().ok())
        .map_or_else(|| "anonymous".to_owned(), str::to_owned)
}

/// `Retry-After` in whole seconds, rounded up: rounding down would tell a
/// client to come back before the token is there (and "0" to come back at
/// once), and it would be refused again.
fn retry_after_secs(wait: Duration) -> u64 {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    secs.max(1)
}

async fn rate_limit(State(limiter): State<Arc<RateLimiter>>, req: Request, next: Next) -> Response {
    match limiter.check(&client_key(&req)) {
        Ok(()) => next.run(req).await,
        Err(wait) => {
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

/// Counts searches, so the tests can see that a refused request never
/// reached the handler.
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

fn app(limiter: Arc<RateLimiter>, index: Arc<SearchIndex>) -> Router {
    // The limit guards the API only: the load balancer's health check must
    // never be refused, or a busy instance would be taken out of rotation.
    let api = Router::new()
        .route("/search", get(search))
        .route_layer(middleware::from_fn_with_state(limiter, rate_limit))
        .with_state(index);
    Router::new().route("/health", get(health)).merge(api)
}

fn main() {
    // This exercise is checked by its tests. In a service, 10 searches a
    // second per client with bursts of 20:
    let clock = Arc::new(SystemClock {
        start: Instant::now(),
    });
    let limiter = Arc::new(RateLimiter::new(20, Duration::from_millis(100), clock));
    let _app = app(limiter, Arc::default());
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    const REFILL_EVERY: Duration = Duration::from_secs(2);

    struct Harness {
        clock: Arc<FakeClock>,
        limiter: Arc<RateLimiter>,
        index: Arc<SearchIndex>,
    }

    impl Harness {
        /// 3 searches at once per client, then one every 2 s.
        fn new() -> Self {
            let clock = Arc::new(FakeClock::default());
            let limiter = Arc::new(RateLimiter::new(3, REFILL_EVERY, clock.clone()));
            Self {
                clock,
                limiter,
                index: Arc::default(),
            }
        }

        async fn get(&self, path: &str, key: Option<&str>) -> Response {
            let mut request = Request::builder().uri(path);
            if let Some(key) = key {
                request = request.header("x-api-key", key);
            }
            app(self.limiter.clone(), self.index.clone())
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
        assert_eq!(
            retry_after(&response),
            Some("2"),
            "the next token is 2 s away"
        );
        assert_eq!(harness.searches(), 3, "a refused request is not searched");
    }

    #[tokio::test]
    async fn retry_after_rounds_up_to_whole_seconds() {
        let harness = Harness::new();
        for _ in 0..3 {
            harness.get("/search", Some("partner-a")).await;
        }

        harness.clock.advance(Duration::from_millis(500));
        let after_half_a_second = harness.get("/search", Some("partner-a")).await;
        harness.clock.advance(Duration::from_millis(1_100));
        let after_1_6_seconds = harness.get("/search", Some("partner-a")).await;

        assert_eq!(
            retry_after(&after_half_a_second),
            Some("2"),
            "1.5 s to wait: a client told \"1\" would come back too early"
        );
        assert_eq!(
            retry_after(&after_1_6_seconds),
            Some("1"),
            "0.4 s to wait is \"1\", never \"0\""
        );
    }

    #[test]
    fn retry_after_is_never_zero_and_never_too_early() {
        assert_eq!(retry_after_secs(Duration::from_nanos(1)), 1);
        assert_eq!(retry_after_secs(Duration::from_secs(1)), 1);
        assert_eq!(retry_after_secs(Duration::from_millis(1_001)), 2);
        assert_eq!(retry_after_secs(Duration::from_secs(7)), 7);
        assert_eq!(retry_after_secs(Duration::ZERO), 1);
    }

    #[tokio::test]
    async fn each_client_has_its_own_bucket() {
        let harness = Harness::new();
        for _ in 0..4 {
            harness.get("/search", Some("crawler")).await;
        }

        let response = harness.get("/search", Some("partner-b")).await;

        assert_eq!(
            response.status(),
            StatusCode::OK,
            "the crawler emptied its own bucket, not partner-b's"
        );
    }

    #[tokio::test]
    async fn callers_without_a_key_share_one_bucket() {
        let harness = Harness::new();
        for _ in 0..3 {
            harness.get("/search", None).await;
        }

        let response = harness.get("/search", None).await;

        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        let keyed = harness.get("/search", Some("partner-a")).await;
        assert_eq!(keyed.status(), StatusCode::OK);
    }

    #[tokio::test]
    async fn a_token_comes_back_after_the_refill_period() {
        let harness = Harness::new();
        for _ in 0..4 {
            harness.get("/search", Some("partner-a")).await;
        }

        harness.clock.advance(REFILL_EVERY);
        let response = harness.get("/search", Some("partner-a")).await;

        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(harness.searches(), 4);
    }

    #[tokio::test]
    async fn time_spent_full_is_not_saved_up() {
        let harness = Harness::new();
        harness.get("/search", Some("partner-a")).await;
        harness.clock.advance(Duration::from_millis(2_500));

        for _ in 0..3 {
            let response = harness.get("/search", Some("partner-a")).await;
            assert_eq!(response.status(), StatusCode::OK);
        }
        let fourth = harness.get("/search", Some("partner-a")).await;
        harness.clock.advance(Duration::from_millis(1_600));
        let later = harness.get("/search", Some("partner-a")).await;

        assert_eq!(fourth.status(), StatusCode::TOO_MANY_REQUESTS, "3 at most");
        assert_eq!(
            later.status(),
            StatusCode::TOO_MANY_REQUESTS,
            "the bucket was full again at 2.5 s (time spent full earns nothing), \
             so the next token comes at 4.5 s, not 4.0 s"
        );
    }

    #[tokio::test]
    async fn the_health_check_is_never_limited() {
        let harness = Harness::new();

        for _ in 0..10 {
            let response = harness.get("/health", None).await;
            assert_eq!(response.status(), StatusCode::OK);
        }
        let health = harness.get("/health", None).await;
        let body = health.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(&body[..], b"ok");
        let search = harness.get("/search", None).await;
        assert_eq!(
            search.status(),
            StatusCode::OK,
            "health checks do not spend the anonymous bucket"
        );
    }

    #[tokio::test]
    async fn idle_clients_are_forgotten_but_limited_ones_are_kept() {
        let harness = Harness::new();
        harness.get("/search", Some("partner-a")).await;
        harness.clock.advance(Duration::from_secs(60));
        for _ in 0..4 {
            harness.get("/search", Some("crawler")).await;
        }
        assert_eq!(harness.limiter.tracked_clients(), 2);

        harness.limiter.forget_idle();

        assert_eq!(
            harness.limiter.tracked_clients(),
            1,
            "partner-a's bucket is full again and can go; the crawler's cannot"
        );
        let response = harness.get("/search", Some("crawler")).await;
        assert_eq!(
            response.status(),
            StatusCode::TOO_MANY_REQUESTS,
            "forgetting the crawler's bucket would have handed it a full one"
        );
    }
}
