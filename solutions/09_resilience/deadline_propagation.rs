//! # Resilience: a timeout, and a deadline passed down (solution)

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Json, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde::Deserialize;
// tokio's Instant, not std's: it follows tokio's clock, which tests pause
// and move, and it is what `timeout_at` takes.
use tokio::time::{Instant, timeout_at};

/// The most a checkout may take, whatever the caller allows.
const MAX_BUDGET: Duration = Duration::from_secs(1);

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
    // One deadline for the whole request. Each call gets what is *left*, is
    // abandoned when the deadline passes (`timeout_at` drops its future,
    // which cancels it), and is told the time it has, so that it can do the
    // same below. A fresh timeout per call would let two slow calls take
    // twice the budget, long after the caller gave up.
    let within = time_for(deadline, "reserve")?;
    timeout_at(deadline.0, inventory.reserve(&order.sku, within))
        .await
        .map_err(|_elapsed| CheckoutError::DeadlineExceeded { step: "reserve" })?
        .map_err(CheckoutError::Downstream)?;

    let within = time_for(deadline, "charge")?;
    timeout_at(deadline.0, payments.charge(order.cents, within))
        .await
        .map_err(|_elapsed| CheckoutError::DeadlineExceeded { step: "charge" })?
        .map_err(CheckoutError::Downstream)
}

/// The time left for `step`, or an error if it is too little to start it:
/// failing now is better than starting work whose answer nobody will read.
fn time_for(deadline: Deadline, step: &'static str) -> Result<Duration, CheckoutError> {
    let left = deadline.remaining();
    if left < MIN_USEFUL {
        return Err(CheckoutError::DeadlineExceeded { step });
    }
    Ok(left)
}

/// The deadline of a request: what the caller says it can wait
/// (`x-timeout-ms`, set by the gateway to the time *it* has left), never more
/// than `MAX_BUDGET`; `MAX_BUDGET` when the header is missing or unreadable.
fn deadline_for(headers: &HeaderMap) -> Deadline {
    let asked = headers
        .get("x-timeout-ms")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok())
        .map(Duration::from_millis);
    let budget = asked.map_or(MAX_BUDGET, |asked| asked.min(MAX_BUDGET));
    Deadline::after(budget)
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
