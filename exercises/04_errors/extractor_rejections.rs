//! # Typed errors: extractor rejections in the API's own envelope
//!
//! Every error of the orders API answers `{"error": {"code", "message"}}`
//! with a JSON content type: `AppError` and its `IntoResponse` see to it.
//! Every error but the most common one. When a body is not the JSON a
//! handler expects, axum's `Json` extractor refuses the request *before the
//! handler runs*, and answers in its own words: plain text, with no code.
//! Those refusals are *rejections*, and each extractor has a type for them
//! (`JsonRejection`, `PathRejection`, ...). To answer them in the API's
//! shape, give the handlers an extractor whose rejection is your `AppError`.
//!
//! ```text
//!   request ──> AppJson<T> ──ok──> handler ──> Result<_, AppError>
//!                 │ Json<T> said no
//!                 └─ JsonRejection ──From──> AppError ──> status + {"error": {..}}
//! ```
//!
//! ## The problem
//!
//! The mobile team's crash reports point at the error parser: a release that
//! sent `"quantity": "2"` got `422 text/plain` "Failed to deserialize the JSON
//! body into the target type: ...", and the app, which reads `error.code` from
//! every 4xx, crashed on the plain text. A partner that posts without a
//! content type gets a plain-text 415 and retries it forever, because its
//! client files an unreadable error body under "server error, try again".
//!
//! ## Your task
//!
//! 1. `impl From<JsonRejection> for AppError`: match the rejection's
//!    variants. A syntax error (`JsonSyntaxError`, also an empty body) is
//!    `MalformedJson` (400), a missing or wrong content type
//!    (`MissingJsonContentType`) is `NotJson` (415), JSON of the wrong shape
//!    (`JsonDataError`: a missing field, a string for a number) is
//!    `InvalidBody` (422). `MalformedJson` and `InvalidBody` carry serde's
//!    own words: `serde_detail`, given below. Every other rejection (a body
//!    over the 4 KiB limit, a client that hung up, a variant a later axum
//!    adds: the enum is non-exhaustive) keeps its status and its
//!    `body_text()` in `BodyRejected`.
//! 2. Write the body of `AppJson<T>`'s `from_request`: run `Json<T>`'s own
//!    extractor and turn its rejection into an `AppError`.
//! 3. Make both handlers take their body as `AppJson<..>`.
//!
//! The tests send bodies through the `Router` with `oneshot` and read the
//! status, the content type and the envelope. Architecture checks: the
//! handlers do not parse bodies or look at rejections themselves, the router
//! does not rewrite axum's answers after the fact, and the mapping decides
//! by variant, not by reading axum's text.
//!
//! ## When not to use it
//!
//! A prototype or an internal tool whose clients never parse error bodies
//! can live with axum's plain text. Where you want the wrapper without
//! writing it: `axum-extra`'s `WithRejection<Json<T>, AppError>` does the
//! same per parameter, and axum's `#[derive(FromRequest)]` with
//! `#[from_request(via(Json), rejection(AppError))]` writes `AppJson` for
//! you. And serde's words name Rust types (`expected u32`): a public API may
//! prefer its own message per field (see `validation_errors`).
use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, FromRequest, Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{post, put};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// The most books one order may ask for.
const MAX_QUANTITY: u32 = 10;

/// Orders are a few dozen bytes; anything this large is a mistake or abuse.
const BODY_LIMIT_BYTES: usize = 4 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct Order {
    id: u64,
    isbn: String,
    quantity: u32,
}

#[derive(Debug, Deserialize)]
struct NewOrder {
    isbn: String,
    quantity: u32,
}

#[derive(Debug, Deserialize)]
struct QuantityChange {
    quantity: u32,
}

// ---- Storage (do not change) ---------------------------------------------

#[derive(Default)]
struct OrderBook {
    orders: Mutex<Vec<Order>>,
}

impl OrderBook {
    fn add(&self, isbn: String, quantity: u32) -> Order {
        let mut orders = self.orders.lock().unwrap_or_else(PoisonError::into_inner);
        let order = Order {
            id: orders.len() as u64 + 1,
            isbn,
            quantity,
        };
        orders.push(order.clone());
        order
    }

    fn set_quantity(&self, id: u64, quantity: u32) -> Option<Order> {
        let mut orders = self.orders.lock().unwrap_or_else(PoisonError::into_inner);
        let order = orders.iter_mut().find(|order| order.id == id)?;
        order.quantity = quantity;
        Some(order.clone())
    }
}

// ---- Errors --------------------------------------------------------------

/// Every error the orders API answers, in one envelope.
#[derive(Debug, thiserror::Error)]
enum AppError {
    #[error("order {0} not found")]
    OrderNotFound(u64),
    #[error("quantity must be between 1 and {MAX_QUANTITY}")]
    InvalidQuantity,
    /// The body is not JSON at all: a syntax error, or no body.
    #[error("the request body is not valid JSON: {0}")]
    MalformedJson(String),
    /// The body may be JSON, but the request does not say so.
    #[error("send the body as JSON, with content-type: application/json")]
    NotJson,
    /// Valid JSON of the wrong shape: a missing field, a string for a number.
    #[error("the request body does not fit: {0}")]
    InvalidBody(String),
    /// Any other refusal of the body (too large, cut off), with its status.
    #[error("the request body was refused: {reason}")]
    BodyRejected { status: StatusCode, reason: String },
}

impl AppError {
    fn status(&self) -> StatusCode {
        match self {
            AppError::OrderNotFound(_) => StatusCode::NOT_FOUND,
            AppError::InvalidQuantity | AppError::InvalidBody(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            AppError::MalformedJson(_) => StatusCode::BAD_REQUEST,
            AppError::NotJson => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::BodyRejected { status, .. } => *status,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            AppError::OrderNotFound(_) => "order_not_found",
            AppError::InvalidQuantity => "invalid_quantity",
            AppError::MalformedJson(_) => "malformed_json",
            AppError::NotJson => "unsupported_media_type",
            AppError::InvalidBody(_) => "invalid_body",
            AppError::BodyRejected { .. } => "body_rejected",
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let body = json!({ "error": { "code": self.code(), "message": self.to_string() } });
        (self.status(), Json(body)).into_response()
    }
}

/// serde's own words about what is wrong, without axum's prefix: the
/// rejection's `source()`, such as
/// `quantity: invalid type: string "two", expected u32 at line 1 column 33`.
fn serde_detail(rejection: &dyn std::error::Error) -> String {
    rejection
        .source()
        .map_or_else(|| rejection.to_string(), ToString::to_string)
}

/// The one place where axum's JSON rejections become the API's errors.
///
/// The statuses are axum's, and they are the right ones: 400 when the body
/// is not JSON, 415 when the request does not say it is JSON, 422 when it is
/// JSON of the wrong shape. A client reacts differently to each (fix the
/// serializer, set the header, fix the field), so they stay apart; what
/// changes is the shape of the answer. The match is on the variants, never
/// on the text: axum may reword its messages in any release.
impl From<JsonRejection> for AppError {
    fn from(rejection: JsonRejection) -> Self {
        // TODO: match the variants of `rejection` (see the task); keep the
        // status and the `body_text()` of any other rejection.
        todo!()
    }
}

/// `Json<T>`, whose rejection is an `AppError`.
///
/// A handler that takes `AppJson<T>` cannot answer a bad body in any other
/// shape, and a handler added next year gets the envelope by writing the
/// same type. Mapping in each handler (a `Result<Json<T>, JsonRejection>`
/// parameter and a `match`) works too, until the one handler that forgets.
struct AppJson<T>(T);

impl<S, T> FromRequest<S> for AppJson<T>
where
    Json<T>: FromRequest<S, Rejection = JsonRejection>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        // TODO: run axum's `Json::<T>::from_request(request, state)` and turn
        // its rejection into an `AppError`.
        todo!()
    }
}

// ---- Handlers ------------------------------------------------------------

type Orders = Arc<OrderBook>;

fn check_quantity(quantity: u32) -> Result<(), AppError> {
    if (1..=MAX_QUANTITY).contains(&quantity) {
        Ok(())
    } else {
        Err(AppError::InvalidQuantity)
    }
}

/// `POST /orders`.
async fn create_order(
    State(orders): State<Orders>,
    // TODO: take the body as `AppJson`, so a bad one answers in the envelope.
    Json(new): Json<NewOrder>,
) -> Result<(StatusCode, Json<Order>), AppError> {
    check_quantity(new.quantity)?;
    let order = orders.add(new.isbn, new.quantity);
    Ok((StatusCode::CREATED, Json(order)))
}

/// `PUT /orders/{id}/quantity`. The body extractor comes last: it consumes
/// the request, so axum runs it after `Path`.
async fn change_quantity(
    State(orders): State<Orders>,
    Path(id): Path<u64>,
    // TODO: the body as `AppJson` here too.
    Json(change): Json<QuantityChange>,
) -> Result<Json<Order>, AppError> {
    check_quantity(change.quantity)?;
    let order = orders
        .set_quantity(id, change.quantity)
        .ok_or(AppError::OrderNotFound(id))?;
    Ok(Json(order))
}

fn app(orders: Orders) -> Router {
    Router::new()
        .route("/orders", post(create_order))
        .route("/orders/{id}/quantity", put(change_quantity))
        .layer(DefaultBodyLimit::max(BODY_LIMIT_BYTES))
        .with_state(orders)
}

fn main() {
    // This exercise is checked by its tests.
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::header;
    use http_body_util::BodyExt;
    use serde_json::Value;
    use tower::ServiceExt;

    fn book_with_one_order() -> Orders {
        let orders = OrderBook::default();
        orders.add("978-0134685991".to_string(), 1);
        Arc::new(orders)
    }

    /// A request with `body` as it is, and a content type only if given.
    fn request(method: &str, uri: &str, content_type: Option<&str>, body: &str) -> Request {
        let mut builder = Request::builder().method(method).uri(uri);
        if let Some(content_type) = content_type {
            builder = builder.header(header::CONTENT_TYPE, content_type);
        }
        builder
            .body(Body::from(body.to_string()))
            .expect("a valid request")
    }

    fn post_json(body: &str) -> Request {
        request("POST", "/orders", Some("application/json"), body)
    }

    /// Sends one request and returns the status, the content type and the
    /// body parsed as JSON.
    async fn send(request: Request) -> (StatusCode, String, Value) {
        let response = app(book_with_one_order())
            .oneshot(request)
            .await
            .expect("the router never fails");
        let status = response.status();
        let content_type = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("the body can be read")
            .to_bytes();
        let body = serde_json::from_slice(&bytes).unwrap_or_else(|_| {
            panic!(
                "{status}: the body is axum's plain text, not the API's JSON envelope: {:?}",
                String::from_utf8_lossy(&bytes)
            )
        });
        (status, content_type, body)
    }

    /// Checks the envelope `{"error": {"code", "message"}}` and nothing
    /// else, and returns the message.
    fn assert_envelope(body: &Value, code: &str) -> String {
        let expected_keys = |value: &Value| {
            value
                .as_object()
                .map(|object| object.keys().cloned().collect::<Vec<_>>())
        };
        assert_eq!(
            expected_keys(body),
            Some(vec!["error".to_string()]),
            "the body is {body}"
        );
        assert_eq!(
            expected_keys(&body["error"]),
            Some(vec!["code".to_string(), "message".to_string()]),
            "the body is {body}"
        );
        assert_eq!(body["error"]["code"], code, "the body is {body}");
        body["error"]["message"]
            .as_str()
            .expect("the message is a string")
            .to_string()
    }

    #[tokio::test]
    async fn a_valid_order_is_created_with_201() {
        let (status, _, body) =
            send(post_json(r#"{"isbn": "978-1718503106", "quantity": 2}"#)).await;

        assert_eq!(status, StatusCode::CREATED);
        assert_eq!(
            body,
            json!({ "id": 2, "isbn": "978-1718503106", "quantity": 2 })
        );
    }

    #[tokio::test]
    async fn malformed_json_is_a_400_in_the_envelope() {
        let (status, content_type, body) =
            send(post_json(r#"{"isbn": "978-1718503106", "quantity": }"#)).await;

        assert_eq!(
            status,
            StatusCode::BAD_REQUEST,
            "a body that is not JSON at all is a 400"
        );
        assert_eq!(content_type, "application/json");
        let message = assert_envelope(&body, "malformed_json");
        assert!(
            message.starts_with("the request body is not valid JSON: ")
                && message.contains("line 1 column"),
            "the message says what is wrong and where, in serde's words: {message:?}"
        );
    }

    #[tokio::test]
    async fn an_empty_body_is_malformed_json() {
        let (status, _, body) = send(post_json("")).await;

        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_envelope(&body, "malformed_json");
    }

    #[tokio::test]
    async fn a_body_without_a_json_content_type_is_a_415_in_the_envelope() {
        let valid = r#"{"isbn": "978-1718503106", "quantity": 2}"#;
        for content_type in [None, Some("text/plain")] {
            let (status, content_type_back, body) =
                send(request("POST", "/orders", content_type, valid)).await;

            assert_eq!(
                status,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "content type {content_type:?}"
            );
            assert_eq!(content_type_back, "application/json");
            let message = assert_envelope(&body, "unsupported_media_type");
            assert_eq!(
                message,
                "send the body as JSON, with content-type: application/json"
            );
        }
    }

    #[tokio::test]
    async fn a_field_of_the_wrong_type_is_a_422_naming_the_field() {
        let (status, content_type, body) = send(post_json(
            r#"{"isbn": "978-1718503106", "quantity": "two"}"#,
        ))
        .await;

        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "valid JSON of the wrong shape is a 422"
        );
        assert_eq!(content_type, "application/json");
        let message = assert_envelope(&body, "invalid_body");
        assert!(
            message.starts_with("the request body does not fit: ") && message.contains("quantity"),
            "the message names the field to fix: {message:?}"
        );
    }

    #[tokio::test]
    async fn a_missing_field_is_a_422_naming_the_field() {
        let (status, _, body) = send(post_json(r#"{"isbn": "978-1718503106"}"#)).await;

        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let message = assert_envelope(&body, "invalid_body");
        assert!(
            message.contains("missing field `quantity`"),
            "the message names the missing field: {message:?}"
        );
    }

    #[tokio::test]
    async fn a_body_over_the_limit_keeps_its_413_in_the_envelope() {
        let with_note = |note_bytes: usize| {
            let note = "x".repeat(note_bytes);
            post_json(&format!(
                r#"{{"isbn": "978-1718503106", "quantity": 1, "gift_note": "{note}"}}"#
            ))
        };
        let (status, _, _) = send(with_note(3_000)).await;
        assert_eq!(
            status,
            StatusCode::CREATED,
            "a long gift note fits in 4 KiB"
        );

        let (status, content_type, body) = send(with_note(4 * 1024)).await;

        assert_eq!(
            status,
            StatusCode::PAYLOAD_TOO_LARGE,
            "keep the status of a rejection you do not name: 413 says \"send less\", 400 says \"fix your JSON\""
        );
        assert_eq!(content_type, "application/json");
        let message = assert_envelope(&body, "body_rejected");
        assert!(
            message.starts_with("the request body was refused: "),
            "{message:?}"
        );
    }

    #[tokio::test]
    async fn the_quantity_endpoint_answers_bad_bodies_in_the_envelope_too() {
        let (status, _, body) = send(request(
            "PUT",
            "/orders/1/quantity",
            Some("application/json"),
            r#"{"quantity": -1}"#,
        ))
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_envelope(&body, "invalid_body");

        let (status, _, body) = send(request(
            "PUT",
            "/orders/1/quantity",
            None,
            r#"{"quantity": 3}"#,
        ))
        .await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert_envelope(&body, "unsupported_media_type");
    }

    #[tokio::test]
    async fn the_service_errors_keep_their_envelope() {
        let change = |uri: &str, quantity: u32| {
            request(
                "PUT",
                uri,
                Some("application/json"),
                &json!({ "quantity": quantity }).to_string(),
            )
        };

        let (status, _, body) = send(change("/orders/1/quantity", 3)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            body,
            json!({ "id": 1, "isbn": "978-0134685991", "quantity": 3 })
        );

        let (status, _, body) = send(change("/orders/9/quantity", 3)).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(
            assert_envelope(&body, "order_not_found"),
            "order 9 not found"
        );

        let (status, _, body) = send(change("/orders/1/quantity", 11)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_envelope(&body, "invalid_quantity");
    }
}
