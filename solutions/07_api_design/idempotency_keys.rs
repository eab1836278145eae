//! # API design: idempotency keys for POST (solution)

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
struct PaymentRequest {
    amount_cents: u64,
    currency: String,
    card_token: String,
}

// ---- The payment provider (do not change) -----------------------------------

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
enum GatewayError {
    /// A final answer: the same card will be declined again.
    #[error("the card was declined")]
    Declined,
    /// Nothing happened; trying again later may work.
    #[error("the payment provider is unavailable")]
    Unavailable,
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// Charges a card; on success, the provider's payment id.
trait PaymentGateway: Send + Sync {
    fn charge(&self, request: PaymentRequest) -> BoxFuture<Result<String, GatewayError>>;
}

// ---- What was answered, per key ---------------------------------------------

/// A response as it was sent, to send again.
#[derive(Debug, Clone, PartialEq)]
struct StoredResponse {
    status: StatusCode,
    body: Value,
}

impl IntoResponse for StoredResponse {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}

/// The state of one key: being processed, or answered.
///
/// Both remember the request, so that a key sent again with a different
/// request is told apart from a retry. (A real store keeps a hash of the
/// request body instead, in a table with a unique index on the key.)
enum Slot {
    InFlight {
        request: PaymentRequest,
    },
    Done {
        request: PaymentRequest,
        response: StoredResponse,
    },
}

/// What to do with a request, given its key.
#[derive(Debug, PartialEq)]
enum Begin {
    /// A new key, now claimed: process the request.
    Proceed,
    /// Answered before: send the same answer again, do nothing else.
    Replay(StoredResponse),
    /// The first request with this key has not finished yet.
    InFlight,
    /// The key was used for a different request.
    Mismatch,
}

/// The keys a client has used: `(client, key)` to a slot.
///
/// A simplification on purpose: nothing expires here. A real store keeps
/// keys for a day or so (Stripe: 24 hours), and gives an in-flight claim a
/// deadline, so that a server that died mid-request does not block the key
/// forever.
#[derive(Default)]
struct IdempotencyStore {
    slots: Mutex<HashMap<(String, String), Slot>>,
}

impl IdempotencyStore {
    /// Looks the key up and, if it is new, claims it, in one step.
    ///
    /// One lock around both: with a look-up and an insert under two locks,
    /// two retries arriving together both find nothing and both charge (in
    /// SQL: `INSERT .. ON CONFLICT DO NOTHING` and look at rows affected).
    fn begin(&self, client: &str, key: &str, request: &PaymentRequest) -> Begin {
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        match slots.entry((client.to_string(), key.to_string())) {
            Entry::Vacant(vacant) => {
                vacant.insert(Slot::InFlight {
                    request: request.clone(),
                });
                Begin::Proceed
            }
            Entry::Occupied(occupied) => match occupied.get() {
                Slot::InFlight { request: first } | Slot::Done { request: first, .. }
                    if first != request =>
                {
                    Begin::Mismatch
                }
                Slot::InFlight { .. } => Begin::InFlight,
                Slot::Done { response, .. } => Begin::Replay(response.clone()),
            },
        }
    }

    /// Keeps the answer for the retries to come.
    fn complete(&self, client: &str, key: &str, response: StoredResponse) {
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(slot) = slots.get_mut(&(client.to_string(), key.to_string()))
            && let Slot::InFlight { request } = slot
        {
            let request = request.clone();
            *slot = Slot::Done { request, response };
        }
    }

    /// Gives the key back: the request had no effect, a retry may try again.
    fn release(&self, client: &str, key: &str) {
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        slots.remove(&(client.to_string(), key.to_string()));
    }
}

// ---- The endpoint ---------------------------------------------------------------

struct AppState {
    gateway: Arc<dyn PaymentGateway>,
    keys: IdempotencyStore,
}

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = json!({ "error": { "code": code, "message": message } });
    (status, Json(body)).into_response()
}

fn header_text<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

/// `POST /payments` with an `Idempotency-Key` header.
///
/// The key is scoped to the client: two clients that happen to pick the
/// same key are two payments, and neither ever sees the other's answer.
async fn create_payment(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Json(request): Json<PaymentRequest>,
) -> Response {
    // Who is calling: a stand-in for the authenticated client (08_auth).
    let Some(client) = header_text(&headers, "x-client-id") else {
        return error(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "who is calling?",
        );
    };
    let Some(key) = header_text(&headers, "idempotency-key") else {
        return error(
            StatusCode::BAD_REQUEST,
            "idempotency_key_required",
            "send an Idempotency-Key header, and the same one when you retry",
        );
    };
    match state.keys.begin(client, key, &request) {
        Begin::Proceed => {}
        Begin::Replay(stored) => {
            // Stripe's header: lets a client (and its logs) see a replay.
            let mut response = stored.into_response();
            let replayed = HeaderValue::from_static("true");
            response
                .headers_mut()
                .insert("idempotent-replayed", replayed);
            return response;
        }
        Begin::InFlight => {
            return error(
                StatusCode::CONFLICT,
                "request_in_progress",
                "a request with this key is still being processed; retry in a moment",
            );
        }
        Begin::Mismatch => {
            return error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                "this key was used for a different request",
            );
        }
    }
    let outcome = state.gateway.charge(request.clone()).await;
    let stored = match outcome {
        Ok(payment_id) => StoredResponse {
            status: StatusCode::CREATED,
            body: json!({
                "id": payment_id,
                "amount_cents": request.amount_cents,
                "currency": request.currency,
            }),
        },
        // A decline is an answer: a retry must get it again, not a second
        // attempt at the card.
        Err(GatewayError::Declined) => StoredResponse {
            status: StatusCode::PAYMENT_REQUIRED,
            body: json!({ "error": { "code": "card_declined", "message": "the card was declined" } }),
        },
        // Nothing happened: free the key, so the client's retry (with the
        // same key) really tries again. Storing this 503 would replay it
        // forever; keeping the claim would answer 409 forever.
        Err(GatewayError::Unavailable) => {
            state.keys.release(client, key);
            return error(
                StatusCode::SERVICE_UNAVAILABLE,
                "provider_unavailable",
                "try again with the same Idempotency-Key",
            );
        }
    };
    state.keys.complete(client, key, stored.clone());
    stored.into_response()
}

fn app(gateway: Arc<dyn PaymentGateway>) -> Router {
    let state = AppState {
        gateway,
        keys: IdempotencyStore::default(),
    };
    Router::new()
        .route("/payments", post(create_payment))
        .with_state(Arc::new(state))
}

fn main() {
    // This exercise is checked by its tests.
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use http_body_util::BodyExt;
    use std::collections::VecDeque;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::sync::Notify;
    use tower::ServiceExt;

    /// Counts charges and answers "pay_1", "pay_2", ... unless told
    /// otherwise. A held gateway keeps its first charge waiting inside
    /// `charge` until released; later charges go through.
    #[derive(Default)]
    struct FakeGateway {
        charges: AtomicUsize,
        outcomes: Mutex<VecDeque<Result<(), GatewayError>>>,
        held: Mutex<Option<(Arc<Notify>, Arc<Notify>)>>,
    }

    impl FakeGateway {
        fn answering(outcomes: impl IntoIterator<Item = Result<(), GatewayError>>) -> Self {
            Self {
                outcomes: Mutex::new(outcomes.into_iter().collect()),
                ..Self::default()
            }
        }

        fn charges(&self) -> usize {
            self.charges.load(Ordering::SeqCst)
        }
    }

    impl PaymentGateway for Arc<FakeGateway> {
        fn charge(&self, _request: PaymentRequest) -> BoxFuture<Result<String, GatewayError>> {
            let gateway = self.clone();
            Box::pin(async move {
                let held = gateway.held.lock().unwrap().take();
                if let Some((entered, release)) = held {
                    entered.notify_one();
                    release.notified().await;
                }
                let n = gateway.charges.fetch_add(1, Ordering::SeqCst) + 1;
                let outcome = gateway
                    .outcomes
                    .lock()
                    .unwrap()
                    .pop_front()
                    .unwrap_or(Ok(()));
                outcome.map(|()| format!("pay_{n}"))
            })
        }
    }

    fn payment(amount_cents: u64) -> Value {
        json!({ "amount_cents": amount_cents, "currency": "EUR", "card_token": "tok_visa" })
    }

    fn post(client: Option<&str>, key: Option<&str>, body: &Value) -> Request<Body> {
        let mut request = Request::builder()
            .method("POST")
            .uri("/payments")
            .header("content-type", "application/json");
        if let Some(client) = client {
            request = request.header("x-client-id", client);
        }
        if let Some(key) = key {
            request = request.header("idempotency-key", key);
        }
        request.body(Body::from(body.to_string())).unwrap()
    }

    async fn send(app: &Router, request: Request<Body>) -> (StatusCode, Value, bool) {
        let response = app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let replayed = response.headers().get("idempotent-replayed").is_some();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (status, serde_json::from_slice(&bytes).unwrap(), replayed)
    }

    fn app_with(gateway: &Arc<FakeGateway>) -> Router {
        app(Arc::new(gateway.clone()))
    }

    #[tokio::test]
    async fn a_first_request_charges_once_and_answers_201() {
        let gateway = Arc::new(FakeGateway::default());
        let app = app_with(&gateway);

        let (status, body, replayed) =
            send(&app, post(Some("shop-1"), Some("k-1"), &payment(1_999))).await;

        assert_eq!(status, StatusCode::CREATED);
        assert_eq!(
            body,
            json!({ "id": "pay_1", "amount_cents": 1_999, "currency": "EUR" })
        );
        assert!(!replayed, "the first answer is no replay");
        assert_eq!(gateway.charges(), 1);
    }

    #[tokio::test]
    async fn a_retry_with_the_same_key_replays_the_answer_and_charges_nothing() {
        let gateway = Arc::new(FakeGateway::default());
        let app = app_with(&gateway);
        let (_, first, _) = send(&app, post(Some("shop-1"), Some("k-1"), &payment(1_999))).await;

        let (status, again, replayed) =
            send(&app, post(Some("shop-1"), Some("k-1"), &payment(1_999))).await;

        assert_eq!(
            status,
            StatusCode::CREATED,
            "the same status as the first time"
        );
        assert_eq!(again, first, "the same body: the same payment");
        assert!(replayed, "idempotent-replayed: true says it is a replay");
        assert_eq!(gateway.charges(), 1, "the card was charged once");
    }

    #[tokio::test]
    async fn a_new_key_is_a_new_payment() {
        let gateway = Arc::new(FakeGateway::default());
        let app = app_with(&gateway);

        let (_, first, _) = send(&app, post(Some("shop-1"), Some("k-1"), &payment(1_999))).await;
        let (status, second, replayed) =
            send(&app, post(Some("shop-1"), Some("k-2"), &payment(1_999))).await;

        assert_eq!(status, StatusCode::CREATED);
        assert!(!replayed);
        assert_ne!(first["id"], second["id"]);
        assert_eq!(gateway.charges(), 2, "the customer meant to pay twice");
    }

    #[tokio::test]
    async fn the_same_key_for_a_different_request_is_422() {
        let gateway = Arc::new(FakeGateway::default());
        let app = app_with(&gateway);
        send(&app, post(Some("shop-1"), Some("k-1"), &payment(1_999))).await;

        let (status, body, _) =
            send(&app, post(Some("shop-1"), Some("k-1"), &payment(5_000))).await;

        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["error"]["code"], "idempotency_key_reused");
        assert_eq!(gateway.charges(), 1);
    }

    #[tokio::test]
    async fn a_request_without_a_key_is_400_and_charges_nothing() {
        let gateway = Arc::new(FakeGateway::default());
        let app = app_with(&gateway);

        let (status, body, _) = send(&app, post(Some("shop-1"), None, &payment(1_999))).await;

        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["error"]["code"], "idempotency_key_required");
        assert_eq!(gateway.charges(), 0);
    }

    #[tokio::test]
    async fn a_request_from_nobody_is_401_and_charges_nothing() {
        let gateway = Arc::new(FakeGateway::default());
        let app = app_with(&gateway);

        let (status, _, _) = send(&app, post(None, Some("k-1"), &payment(1_999))).await;

        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(gateway.charges(), 0);
    }

    #[tokio::test]
    async fn keys_belong_to_one_client() {
        let gateway = Arc::new(FakeGateway::default());
        let app = app_with(&gateway);

        let (_, shop_1, _) = send(
            &app,
            post(Some("shop-1"), Some("order-42"), &payment(1_999)),
        )
        .await;
        let (status, shop_2, replayed) = send(
            &app,
            post(Some("shop-2"), Some("order-42"), &payment(1_999)),
        )
        .await;

        assert_eq!(status, StatusCode::CREATED);
        assert!(!replayed, "shop-2 never sent this key before");
        assert_ne!(
            shop_2["id"], shop_1["id"],
            "shop-2 must never see shop-1's payment"
        );
        assert_eq!(gateway.charges(), 2);
    }

    #[tokio::test]
    async fn a_retry_while_the_first_request_is_still_charging_is_409() {
        let entered = Arc::new(Notify::new());
        let release = Arc::new(Notify::new());
        let gateway = Arc::new(FakeGateway {
            held: Mutex::new(Some((entered.clone(), release.clone()))),
            ..FakeGateway::default()
        });
        let app = app_with(&gateway);
        let mut first = tokio::spawn({
            let app = app.clone();
            async move { send(&app, post(Some("shop-1"), Some("k-1"), &payment(1_999))).await }
        });
        tokio::select! {
            () = entered.notified() => {}
            answered = &mut first => {
                let (status, body, _) = answered.unwrap();
                panic!("the first request never reached the provider: {status} {body}");
            }
        }

        let (status, body, _) =
            send(&app, post(Some("shop-1"), Some("k-1"), &payment(1_999))).await;

        assert_eq!(
            status,
            StatusCode::CONFLICT,
            "the first request holds the key"
        );
        assert_eq!(body["error"]["code"], "request_in_progress");
        release.notify_one();
        let (first_status, _, _) = first.await.unwrap();
        assert_eq!(first_status, StatusCode::CREATED);
        assert_eq!(gateway.charges(), 1);
        let (status, _, replayed) =
            send(&app, post(Some("shop-1"), Some("k-1"), &payment(1_999))).await;
        assert_eq!(
            (status, replayed),
            (StatusCode::CREATED, true),
            "now it is answered"
        );
    }

    #[tokio::test]
    async fn a_declined_card_is_an_answer_and_is_replayed_too() {
        let gateway = Arc::new(FakeGateway::answering([Err(GatewayError::Declined)]));
        let app = app_with(&gateway);

        let (status, body, _) =
            send(&app, post(Some("shop-1"), Some("k-1"), &payment(1_999))).await;
        let (again, again_body, replayed) =
            send(&app, post(Some("shop-1"), Some("k-1"), &payment(1_999))).await;

        assert_eq!(status, StatusCode::PAYMENT_REQUIRED);
        assert_eq!(body["error"]["code"], "card_declined");
        assert_eq!((again, replayed), (StatusCode::PAYMENT_REQUIRED, true));
        assert_eq!(again_body, body);
        assert_eq!(gateway.charges(), 1, "a declined card is not tried again");
    }

    #[tokio::test]
    async fn an_unavailable_provider_frees_the_key_for_the_retry() {
        let gateway = Arc::new(FakeGateway::answering([
            Err(GatewayError::Unavailable),
            Ok(()),
        ]));
        let app = app_with(&gateway);

        let (status, body, _) =
            send(&app, post(Some("shop-1"), Some("k-1"), &payment(1_999))).await;
        let (retry, retry_body, replayed) =
            send(&app, post(Some("shop-1"), Some("k-1"), &payment(1_999))).await;

        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(body["error"]["code"], "provider_unavailable");
        assert_eq!(
            retry,
            StatusCode::CREATED,
            "nothing happened the first time: the retry charges"
        );
        assert!(!replayed);
        assert_eq!(retry_body["id"], "pay_2");
        assert_eq!(gateway.charges(), 2);
    }
}
