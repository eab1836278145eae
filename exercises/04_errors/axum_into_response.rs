//! # Typed errors: `AppError` as an axum response
//!
//! In axum, a handler may return `Result<T, E>` when both `T` and `E`
//! implement `IntoResponse`. Implement it once for your `AppError`, and every
//! handler can use `?`: the error picks its own status and JSON body, and the
//! handlers contain no error formatting at all.
//!
//! ## The problem
//!
//! Handlers of the users API each built their error responses by hand:
//! `return (StatusCode::NOT_FOUND, "not found").into_response()` here, a JSON
//! body there, a forgotten `match` arm that answered 200 with an empty body
//! somewhere else. Handlers returned `Response`, so the compiler could not
//! tell success from failure, and `?` was unusable.
//!
//! ## Your task
//!
//! 1. Implement `IntoResponse for AppError`: the status from `status()` and a
//!    JSON body (`axum::Json`)
//!    `{"error": {"code": ..., "message": ...}}` with `code()` and the
//!    `Display` text.
//! 2. Write the `get_user` handler: `GET /users/{id}` answers the user as
//!    JSON, or `AppError::UserNotFound(id)`. Use `?` for store failures;
//!    `create_user` shows how (and its comment says what it simplifies).
//!
//! The tests send requests to the `Router` with `tower::ServiceExt::oneshot`:
//! no server, no port.
//!
//! ## When not to use it
//!
//! A single endpoint with a single failure mode can return
//! `(StatusCode, Json<..>)` directly. And errors that axum produces before
//! your handler runs (a malformed JSON body, a non-numeric path) are
//! *rejections*, not your `AppError`; turning those into your JSON shape takes
//! a custom extractor or `axum-extra`'s `WithRejection`.

use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct User {
    id: u64,
    email: String,
    name: String,
}

#[derive(Debug, Deserialize)]
struct NewUser {
    email: String,
    name: String,
}

// ---- Storage (do not change) ---------------------------------------------

#[derive(Debug, thiserror::Error)]
#[error("connection refused at {0}")]
struct StoreError(String);

trait UserStore: Send + Sync {
    fn find(&self, id: u64) -> Result<Option<User>, StoreError>;
    fn find_by_email(&self, email: &str) -> Result<Option<User>, StoreError>;
    fn insert(&self, new: NewUser) -> Result<User, StoreError>;
}

#[derive(Default)]
struct InMemoryStore {
    users: Mutex<Vec<User>>,
}

impl UserStore for InMemoryStore {
    fn find(&self, id: u64) -> Result<Option<User>, StoreError> {
        let users = self.users.lock().map_err(|_| poisoned())?;
        Ok(users.iter().find(|user| user.id == id).cloned())
    }

    fn find_by_email(&self, email: &str) -> Result<Option<User>, StoreError> {
        let users = self.users.lock().map_err(|_| poisoned())?;
        Ok(users.iter().find(|user| user.email == email).cloned())
    }

    fn insert(&self, new: NewUser) -> Result<User, StoreError> {
        let mut users = self.users.lock().map_err(|_| poisoned())?;
        let user = User {
            id: users.len() as u64 + 1,
            email: new.email,
            name: new.name,
        };
        users.push(user.clone());
        Ok(user)
    }
}

fn poisoned() -> StoreError {
    StoreError("in-memory store (lock poisoned)".to_string())
}

// ---- Errors --------------------------------------------------------------

#[derive(Debug, thiserror::Error)]
enum AppError {
    #[error("user {0} not found")]
    UserNotFound(u64),
    #[error("an account with this email already exists")]
    EmailTaken,
    /// The message stays generic; the store error is the `source()`.
    #[error("internal error")]
    Internal(#[from] StoreError),
}

impl AppError {
    fn status(&self) -> StatusCode {
        match self {
            AppError::UserNotFound(_) => StatusCode::NOT_FOUND,
            AppError::EmailTaken => StatusCode::CONFLICT,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            AppError::UserNotFound(_) => "user_not_found",
            AppError::EmailTaken => "email_taken",
            AppError::Internal(_) => "internal",
        }
    }
}

// TODO: the status and {"error": {"code": ..., "message": ...}} as JSON.
impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        todo!()
    }
}

// ---- Handlers ------------------------------------------------------------

type Store = Arc<dyn UserStore>;

// TODO: the user as JSON, `AppError::UserNotFound(id)` if there is none, and
// `?` for store failures.
async fn get_user(State(store): State<Store>, Path(id): Path<u64>) -> Result<Json<User>, AppError> {
    todo!()
}

/// `POST /users`. Simplified on purpose: look-then-insert lets two
/// concurrent signups with one email both pass the look (see
/// `uniqueness_conflict`). A real store refuses the duplicate in the insert
/// itself, and the handler maps that refusal to `EmailTaken`.
async fn create_user(
    State(store): State<Store>,
    Json(new): Json<NewUser>,
) -> Result<(StatusCode, Json<User>), AppError> {
    if store.find_by_email(&new.email)?.is_some() {
        return Err(AppError::EmailTaken);
    }
    let user = store.insert(new)?;
    Ok((StatusCode::CREATED, Json(user)))
}

fn app(store: Store) -> Router {
    Router::new()
        .route("/users", post(create_user))
        .route("/users/{id}", get(get_user))
        .with_state(store)
}

fn main() {
    // This exercise is checked by its tests.
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::{Request, header};
    use http_body_util::BodyExt;
    use serde_json::{Value, json};
    use tower::ServiceExt;

    /// A store whose database is unreachable.
    struct DownStore;

    impl UserStore for DownStore {
        fn find(&self, _: u64) -> Result<Option<User>, StoreError> {
            Err(StoreError("10.0.0.3:5432".to_string()))
        }
        fn find_by_email(&self, _: &str) -> Result<Option<User>, StoreError> {
            Err(StoreError("10.0.0.3:5432".to_string()))
        }
        fn insert(&self, _: NewUser) -> Result<User, StoreError> {
            Err(StoreError("10.0.0.3:5432".to_string()))
        }
    }

    fn store_with_ada() -> Store {
        let store = InMemoryStore::default();
        store
            .insert(NewUser {
                email: "ada@example.com".to_string(),
                name: "Ada".to_string(),
            })
            .expect("the in-memory store accepts Ada");
        Arc::new(store)
    }

    fn get(uri: &str) -> Request<Body> {
        Request::get(uri)
            .body(Body::empty())
            .expect("a valid request")
    }

    fn post_json(uri: &str, body: Value) -> Request<Body> {
        Request::post(uri)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .expect("a valid request")
    }

    /// Sends one request to the router and returns status, content type and
    /// the body parsed as JSON.
    async fn send(store: Store, request: Request<Body>) -> (StatusCode, String, Value) {
        let response = app(store)
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
                "the body is not JSON: {:?}",
                String::from_utf8_lossy(&bytes)
            )
        });
        (status, content_type, body)
    }

    #[tokio::test]
    async fn an_existing_user_is_answered_as_json() {
        let (status, _, body) = send(store_with_ada(), get("/users/1")).await;

        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            body,
            json!({ "id": 1, "email": "ada@example.com", "name": "Ada" })
        );
    }

    #[tokio::test]
    async fn a_missing_user_is_a_404_with_a_json_error() {
        let (status, content_type, body) = send(store_with_ada(), get("/users/7")).await;

        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(content_type, "application/json");
        assert_eq!(
            body,
            json!({ "error": { "code": "user_not_found", "message": "user 7 not found" } })
        );
    }

    #[tokio::test]
    async fn a_taken_email_is_a_409() {
        let request = post_json(
            "/users",
            json!({ "email": "ada@example.com", "name": "Ada again" }),
        );

        let (status, _, body) = send(store_with_ada(), request).await;

        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!(
            body,
            json!({ "error": {
                "code": "email_taken",
                "message": "an account with this email already exists",
            } })
        );
    }

    #[tokio::test]
    async fn a_new_user_is_created_with_201() {
        let request = post_json(
            "/users",
            json!({ "email": "grace@example.com", "name": "Grace" }),
        );

        let (status, _, body) = send(store_with_ada(), request).await;

        assert_eq!(status, StatusCode::CREATED);
        assert_eq!(
            body,
            json!({ "id": 2, "email": "grace@example.com", "name": "Grace" })
        );
    }

    #[tokio::test]
    async fn a_store_failure_is_a_500_that_hides_the_cause() {
        let (status, content_type, body) = send(Arc::new(DownStore), get("/users/1")).await;

        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(content_type, "application/json");
        assert_eq!(
            body,
            json!({ "error": { "code": "internal", "message": "internal error" } })
        );
    }
}
