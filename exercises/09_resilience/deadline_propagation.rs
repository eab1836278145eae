//! # Resilience: a timeout, and a deadline passed down
//!
//! Every call across a network needs a **timeout**: without one, a service
//! that hangs holds your request, its memory and its connection for ever.
//! But a timeout per call is not enough. A request that makes two calls with
//! a 1 s timeout each can take 2 s, while the client that sent it gave up
//! after 1 s: the second second is work for nobody. So the request gets one
//! **deadline**, an instant, set once at the edge and passed down:
//!
//! ```text
//!   gateway ── x-timeout-ms: 800 ──> handler: deadline = now + min(800 ms, 1 s)
//!                                       │
//!       reserve(sku, within = 800 ms) <─┤  bounded by the deadline
//!       charge(cents, within = 500 ms) <┘  gets what is left, not a fresh second
//! ```
//!
//! Each call is bounded by the deadline (`tokio::time::timeout_at` drops the
//! call's future when it passes, which cancels it) and is *told* the time it
//! has left, so that it can bound its own calls in turn (gRPC sends it as
//! `grpc-timeout`; here it is the `within` argument). A call is not started
//! at all when too little time is left to finish it.
//!
//! ## The problem
//!
//! The checkout reserves stock, then charges the card, each call with its
//! own 1 s timeout. On a slow day both took 0.9 s: the customer's app had
//! given up at 1 s and showed "try again", the card was charged at 1.8 s,
//! and the customer paid twice.
//!
//! ## Your task
//!
//! 1. `deadline_for`: the deadline of a request: `x-timeout-ms` if the
//!    gateway sent a readable one, never more than `MAX_BUDGET`, and
//!    `MAX_BUDGET` without one.
//! 2. `time_for`: the time left for a step, or
//!    `CheckoutError::DeadlineExceeded { step }` if it is below `MIN_USEFUL`.
//! 3. `checkout`: both calls bounded by the one deadline, each told the time
//!    left, the second not started if too little is left.
//!
//! The tests run on tokio's paused clock (`start_paused = true`): a
//! `tokio::time::sleep` in a fake service moves the clock instantly, and the
//! tests measure virtual time exactly. That is why the code uses
//! `tokio::time::Instant`, not `std::time::Instant`.
//!
//! ## When not to use it
//!
//! A background job with no one waiting needs timeouts on its calls (so it
//! never hangs), not a deadline from a caller. And do not pass a deadline to
//! work that must finish once started (writing the outbox after a charge):
//! bound what you start, not the clean-up of what already happened.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Json, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde::Deserialize;
use tokio::time::{Instant, timeout};

/// The most a checkout may take, whatever the caller allows.
const MAX_BUDGET: Duration = Duration::from_secs(1);

/// What the checkout did before: a timeout per call.
const CALL_TIMEOUT: Duration = Duration::from_secs(1);

/// Below this, a call is not worth starting: it could not finish in time.
const MIN_USEFUL: Duration = Duration::from_millis(50);

/// The instant by which the whole request must be answered. Made once, at
/// the edge, and passed down to every call the request makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Deadline(Instant);

impl Deadline {
    fn after(budget: Duration) -> Self {
        Deadline(Instant::now() + budget)
    }

    /// The time left; zero once the deadline has passed.
    fn remaining(&self) -> Duration {
        self.0.saturating_duration_since(Instant::now())
    }
}

#[derive(Debug, PartialEq, Eq)]
enum CheckoutError {
    /// The deadline passed during `step`, or too little time was left to
    /// start it.
    DeadlineExceeded {
        step: &'static str,
    },
    Downstream(String),
}

// Futures returned by the services are `Send`, so that an axum handler can
// hold them across an `.await`; an implementation may still be an `async fn`.
trait Inventory: Send + Sync {
    /// Reserves one unit of `sku`. `within` is the time the caller can
    /// wait: the service passes it on to its own calls, and gives up when
    /// it is gone.
    fn reserve(
        &self,
        sku: &str,
        within: Duration,
    ) -> impl Future<Output = Result<(), String>> + Send;
}

trait Payments: Send + Sync {
    fn charge(
        &self,
        cents: u64,
        within: Duration,
    ) -> impl Future<Output = Result<String, String>> + Send;
}

#[derive(Debug, Deserialize)]
struct Order {
    sku: String,
    cents: u64,
}

/// Reserves the stock, then charges the card, both within `deadline`.
async fn checkout(
    inventory: &impl Inventory,
    payments: &impl Payments,
    order: &Order,
    deadline: Deadline,
) -> Result<String, CheckoutError> {
    // TODO: one deadline for the whole request. Bound each call by it
    // (`tokio::time::timeout_at(deadline.0, ..)`), tell each call the time
    // left (`time_for`), and start no call with too little time left.
    let _ = deadline;
    timeout(CALL_TIMEOUT, inventory.reserve(&order.sku, CALL_TIMEOUT))
        .await
        .map_err(|_elapsed| CheckoutError::DeadlineExceeded { step: "reserve" })?
        .map_err(CheckoutError::Downstream)?;

    timeout(CALL_TIMEOUT, payments.charge(order.cents, CALL_TIMEOUT))
        .await
        .map_err(|_elapsed| CheckoutError::DeadlineExceeded { step: "charge" })?
        .map_err(CheckoutError::Downstream)
}

/// The time left for `step`, or an error if it is too little to start it:
/// failing now is better than starting work whose answer nobody will read.
fn time_for(deadline: Deadline, step: &'static str) -> Result<Duration, CheckoutError> {
    // TODO: an error for `step` when less than MIN_USEFUL is left.
    let _ = step;
    Ok(deadline.remaining())
}

/// The deadline of a request: what the caller says it can wait
/// (`x-timeout-ms`, set by the gateway to the time *it* has left), never more
/// than `MAX_BUDGET`; `MAX_BUDGET` when the header is missing or unreadable.
fn deadline_for(headers: &HeaderMap) -> Deadline {
    // TODO: read x-timeout-ms (milliseconds); cap it at MAX_BUDGET; use
    // MAX_BUDGET when it is missing or unreadable.
    let _ = headers;
    Deadline::after(MAX_BUDGET)
}

struct Shop<I, P> {
    inventory: I,
    payments: P,
}

async fn checkout_handler<I: Inventory, P: Payments>(
    State(shop): State<Arc<Shop<I, P>>>,
    headers: HeaderMap,
    Json(order): Json<Order>,
) -> Response {
    let deadline = deadline_for(&headers);
    match checkout(&shop.inventory, &shop.payments, &order, deadline).await {
        Ok(charge_id) => (StatusCode::OK, charge_id).into_response(),
        Err(CheckoutError::DeadlineExceeded { step }) => (
            StatusCode::GATEWAY_TIMEOUT,
            format!("no answer in time ({step})"),
        )
            .into_response(),
        Err(CheckoutError::Downstream(message)) => {
            (StatusCode::BAD_GATEWAY, message).into_response()
        }
    }
}

fn app<I: Inventory + 'static, P: Payments + 'static>(shop: Arc<Shop<I, P>>) -> Router {
    Router::new()
        .route("/checkout", post(checkout_handler::<I, P>))
        .with_state(shop)
}

fn main() {
    // This exercise is checked by its tests.
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use std::sync::Mutex;
    use tower::ServiceExt;

    const MS: Duration = Duration::from_millis(1);

    /// A downstream service that takes `takes` to answer, and notes how
    /// much time it was given each time it was called.
    struct Slow {
        takes: Duration,
        given: Mutex<Vec<Duration>>,
    }

    impl Slow {
        fn taking(takes: Duration) -> Self {
            Self {
                takes,
                given: Mutex::new(Vec::new()),
            }
        }

        async fn answer(&self, within: Duration) {
            self.given.lock().unwrap().push(within);
            tokio::time::sleep(self.takes).await;
        }

        fn given(&self) -> Vec<Duration> {
            self.given.lock().unwrap().clone()
        }
    }

    impl Inventory for Slow {
        async fn reserve(&self, _sku: &str, within: Duration) -> Result<(), String> {
            self.answer(within).await;
            Ok(())
        }
    }

    impl Payments for Slow {
        async fn charge(&self, _cents: u64, within: Duration) -> Result<String, String> {
            self.answer(within).await;
            Ok("ch_1".to_string())
        }
    }

    fn order() -> Order {
        Order {
            sku: "sku-1".into(),
            cents: 4_200,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn fast_services_complete_the_checkout() {
        let (inventory, payments) = (Slow::taking(100 * MS), Slow::taking(100 * MS));
        let start = Instant::now();

        let result = checkout(&inventory, &payments, &order(), Deadline::after(MAX_BUDGET)).await;

        assert_eq!(result, Ok("ch_1".to_string()));
        assert_eq!(start.elapsed(), 200 * MS);
    }

    #[tokio::test(start_paused = true)]
    async fn the_whole_request_stops_at_the_deadline() {
        let (inventory, payments) = (Slow::taking(600 * MS), Slow::taking(600 * MS));
        let start = Instant::now();

        let result = checkout(&inventory, &payments, &order(), Deadline::after(MAX_BUDGET)).await;

        assert_eq!(
            result,
            Err(CheckoutError::DeadlineExceeded { step: "charge" })
        );
        assert_eq!(
            start.elapsed(),
            1_000 * MS,
            "two calls of 0.6 s each fit a 1 s timeout each, but not one 1 s \
             deadline: the caller gave up at 1 s"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn each_call_is_told_the_time_left() {
        let (inventory, payments) = (Slow::taking(300 * MS), Slow::taking(100 * MS));

        let result = checkout(&inventory, &payments, &order(), Deadline::after(MAX_BUDGET)).await;

        assert!(result.is_ok());
        assert_eq!(inventory.given(), [1_000 * MS]);
        assert_eq!(
            payments.given(),
            [700 * MS],
            "the reservation used 0.3 s of the second"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_hanging_service_is_abandoned_at_the_deadline() {
        let (inventory, payments) = (Slow::taking(Duration::from_secs(3_600)), Slow::taking(MS));
        let start = Instant::now();

        let result = checkout(&inventory, &payments, &order(), Deadline::after(MAX_BUDGET)).await;

        assert_eq!(
            result,
            Err(CheckoutError::DeadlineExceeded { step: "reserve" })
        );
        assert_eq!(start.elapsed(), 1_000 * MS);
        assert!(
            payments.given().is_empty(),
            "no charge without a reservation"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_call_is_not_started_with_too_little_time_left() {
        let (inventory, payments) = (Slow::taking(970 * MS), Slow::taking(MS));
        let start = Instant::now();

        let result = checkout(&inventory, &payments, &order(), Deadline::after(MAX_BUDGET)).await;

        assert_eq!(
            result,
            Err(CheckoutError::DeadlineExceeded { step: "charge" })
        );
        assert!(
            payments.given().is_empty(),
            "30 ms is too little to charge a card: do not start"
        );
        assert_eq!(
            start.elapsed(),
            970 * MS,
            "and fail at once, without waiting"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn exactly_the_minimum_left_is_enough_to_start() {
        let (inventory, payments) = (Slow::taking(950 * MS), Slow::taking(10 * MS));

        let result = checkout(&inventory, &payments, &order(), Deadline::after(MAX_BUDGET)).await;

        assert_eq!(result, Ok("ch_1".to_string()));
        assert_eq!(payments.given(), [MIN_USEFUL], "50 ms left is just enough");
    }

    #[tokio::test(start_paused = true)]
    async fn a_downstream_error_is_not_a_timeout() {
        struct Broken;
        impl Payments for Broken {
            async fn charge(&self, _cents: u64, _within: Duration) -> Result<String, String> {
                Err("card processor said 500".into())
            }
        }

        let result = checkout(
            &Slow::taking(MS),
            &Broken,
            &order(),
            Deadline::after(MAX_BUDGET),
        )
        .await;

        assert_eq!(
            result,
            Err(CheckoutError::Downstream("card processor said 500".into()))
        );
    }

    async fn post_checkout(
        timeout_header: Option<&str>,
        inventory: Duration,
    ) -> (StatusCode, Duration) {
        let shop = Arc::new(Shop {
            inventory: Slow::taking(inventory),
            payments: Slow::taking(MS),
        });
        let mut request = Request::post("/checkout").header("content-type", "application/json");
        if let Some(value) = timeout_header {
            request = request.header("x-timeout-ms", value);
        }
        let request = request
            .body(Body::from(r#"{"sku":"sku-1","cents":4200}"#))
            .unwrap();
        let start = Instant::now();
        let response = app(shop).oneshot(request).await.unwrap();
        (response.status(), start.elapsed())
    }

    #[tokio::test(start_paused = true)]
    async fn the_handler_answers_504_at_the_deadline() {
        let (status, took) = post_checkout(None, Duration::from_secs(5)).await;

        assert_eq!(status, StatusCode::GATEWAY_TIMEOUT);
        assert_eq!(took, MAX_BUDGET);
    }

    #[tokio::test(start_paused = true)]
    async fn a_shorter_deadline_from_the_gateway_is_kept() {
        let (status, took) = post_checkout(Some("300"), 400 * MS).await;

        assert_eq!(status, StatusCode::GATEWAY_TIMEOUT);
        assert_eq!(
            took,
            300 * MS,
            "the gateway has 0.3 s left: an answer after that reaches nobody"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_longer_deadline_from_the_gateway_is_capped() {
        let (status, took) = post_checkout(Some("60000"), Duration::from_secs(5)).await;

        assert_eq!(status, StatusCode::GATEWAY_TIMEOUT);
        assert_eq!(took, MAX_BUDGET, "a caller cannot buy more than 1 s");
    }

    #[tokio::test(start_paused = true)]
    async fn an_unreadable_header_gets_the_default_budget() {
        let (ok_status, _) = post_checkout(Some("soon"), 900 * MS).await;
        let (late_status, took) = post_checkout(Some("-5"), Duration::from_secs(5)).await;

        assert_eq!(ok_status, StatusCode::OK);
        assert_eq!(late_status, StatusCode::GATEWAY_TIMEOUT);
        assert_eq!(took, MAX_BUDGET);
    }
}
