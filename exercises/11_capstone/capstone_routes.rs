//! # Capstone 1/5: routes on axum
//!
//! The capstone builds one small service, step by step, on the crates real
//! Rust backends use: axum for HTTP, sqlx on SQLite for storage, typed errors
//! that become responses, tower middleware and tracing, and a moka cache. Each
//! step is one file that starts from the previous step's answer.
//!
//! This step puts the **layers of topic 01** on axum: a router maps a method
//! and a path to a handler; the handler extracts what it needs (`State`,
//! `Path`, `Json`), calls the service, and turns the result into a status,
//! headers and a body. The service knows nothing of HTTP; the repository is a
//! trait, so the next step can swap the storage without touching a route.
//!
//! ```text
//!   request ──> Router ──> handler ──> BookmarkService ──> BookmarkRepository
//!               (method,    (HTTP in,    (use cases)        (port: in memory
//!                path)       HTTP out)                        now, SQLite next)
//! ```
//!
//! ## The problem
//!
//! Stash, a read-later service, began as a hackathon script: bookmarks in a
//! `BTreeMap`, one hand-written `match` on the request line. The team is
//! making it a real service. The storage and the service below are kept; the
//! HTTP side is being rewritten on axum, and only listing, reading and
//! replacing are done.
//!
//! ## Your task
//!
//! 1. `create_bookmark`: ask the service to create the bookmark and answer
//!    `201 Created` with a `Location: /bookmarks/{id}` header and the
//!    bookmark as JSON. `list_bookmarks` and `get_bookmark` show the shapes.
//! 2. `delete_bookmark`: `204 No Content` when the bookmark was deleted,
//!    `404 Not Found` when there was none.
//! 3. `app`: route `GET` and `POST` on `/bookmarks`, and `GET`, `PUT` and
//!    `DELETE` on `/bookmarks/{id}` (axum 0.8 writes a path parameter as
//!    `{id}`). One `.route` per path, with its methods chained on it.
//!
//! Handlers only translate: they call `BookmarkService`, never the
//! repository (an architecture check looks).
//!
//! ## When not to use it
//!
//! A generic handler per route and a repository trait are worth it for a
//! service that will grow. A one-off internal endpoint (a webhook that writes
//! one line to a log) is a single `async fn` with no layers at all.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

// ---- Domain ----------------------------------------------------------------

/// A saved link: what the service stores and what its API returns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct Bookmark {
    id: i64,
    url: String,
    title: String,
}

/// What a client sends to create or replace a bookmark: everything but the id,
/// which the storage assigns.
#[derive(Debug, Clone, Deserialize)]
struct NewBookmark {
    url: String,
    title: String,
}

// ---- Storage: the port and an in-memory adapter ------------------------------

/// Storage failed (the next step puts SQLite behind this trait).
#[derive(Debug)]
struct StoreError(String);

/// The storage port. `impl Future + Send` rather than `async fn`: axum runs
/// handlers on a multi-threaded runtime, so their futures (and the futures of
/// everything they await) must be `Send`; a bare `async fn` in a trait does
/// not promise that to generic callers.
trait BookmarkRepository: Send + Sync + 'static {
    fn insert(&self, new: NewBookmark)
    -> impl Future<Output = Result<Bookmark, StoreError>> + Send;
    fn find(&self, id: i64) -> impl Future<Output = Result<Option<Bookmark>, StoreError>> + Send;
    fn list(&self) -> impl Future<Output = Result<Vec<Bookmark>, StoreError>> + Send;
    /// `None` when there is no bookmark `id`.
    fn replace(
        &self,
        id: i64,
        new: NewBookmark,
    ) -> impl Future<Output = Result<Option<Bookmark>, StoreError>> + Send;
    /// `false` when there was no bookmark `id`.
    fn delete(&self, id: i64) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

/// The hackathon's storage, kept as the adapter for this step.
#[derive(Default)]
struct InMemoryBookmarks {
    rows: Mutex<BTreeMap<i64, Bookmark>>,
}

impl InMemoryBookmarks {
    fn rows(&self) -> Result<std::sync::MutexGuard<'_, BTreeMap<i64, Bookmark>>, StoreError> {
        self.rows
            .lock()
            .map_err(|_| StoreError("a writer panicked".into()))
    }
}

impl BookmarkRepository for InMemoryBookmarks {
    async fn insert(&self, new: NewBookmark) -> Result<Bookmark, StoreError> {
        let mut rows = self.rows()?;
        let id = rows.keys().next_back().map_or(1, |last| last + 1);
        let bookmark = Bookmark {
            id,
            url: new.url,
            title: new.title,
        };
        rows.insert(id, bookmark.clone());
        Ok(bookmark)
    }

    async fn find(&self, id: i64) -> Result<Option<Bookmark>, StoreError> {
        Ok(self.rows()?.get(&id).cloned())
    }

    async fn list(&self) -> Result<Vec<Bookmark>, StoreError> {
        Ok(self.rows()?.values().cloned().collect())
    }

    async fn replace(&self, id: i64, new: NewBookmark) -> Result<Option<Bookmark>, StoreError> {
        let mut rows = self.rows()?;
        Ok(rows.get_mut(&id).map(|row| {
            row.url = new.url;
            row.title = new.title;
            row.clone()
        }))
    }

    async fn delete(&self, id: i64) -> Result<bool, StoreError> {
        Ok(self.rows()?.remove(&id).is_some())
    }
}

// ---- Service ---------------------------------------------------------------

/// The use cases. Thin for now; validation and typed errors come in step 3.
struct BookmarkService<R> {
    repo: R,
}

impl<R: BookmarkRepository> BookmarkService<R> {
    fn new(repo: R) -> Self {
        Self { repo }
    }

    async fn create(&self, new: NewBookmark) -> Result<Bookmark, StoreError> {
        self.repo.insert(new).await
    }

    async fn get(&self, id: i64) -> Result<Option<Bookmark>, StoreError> {
        self.repo.find(id).await
    }

    async fn list(&self) -> Result<Vec<Bookmark>, StoreError> {
        self.repo.list().await
    }

    async fn replace(&self, id: i64, new: NewBookmark) -> Result<Option<Bookmark>, StoreError> {
        self.repo.replace(id, new).await
    }

    async fn delete(&self, id: i64) -> Result<bool, StoreError> {
        self.repo.delete(id).await
    }
}

// ---- HTTP ------------------------------------------------------------------

/// Every storage failure answers the same, for now: step 3 makes it precise.
fn storage_failed(_: StoreError) -> Response {
    StatusCode::INTERNAL_SERVER_ERROR.into_response()
}

/// The state every handler shares is one service, behind an `Arc` because axum
/// clones the state for each request.
async fn list_bookmarks<R: BookmarkRepository>(
    State(service): State<Arc<BookmarkService<R>>>,
) -> Response {
    match service.list().await {
        Ok(bookmarks) => Json(bookmarks).into_response(),
        Err(error) => storage_failed(error),
    }
}

async fn get_bookmark<R: BookmarkRepository>(
    State(service): State<Arc<BookmarkService<R>>>,
    Path(id): Path<i64>,
) -> Response {
    match service.get(id).await {
        Ok(Some(bookmark)) => Json(bookmark).into_response(),
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(error) => storage_failed(error),
    }
}

async fn replace_bookmark<R: BookmarkRepository>(
    State(service): State<Arc<BookmarkService<R>>>,
    Path(id): Path<i64>,
    Json(new): Json<NewBookmark>,
) -> Response {
    match service.replace(id, new).await {
        Ok(Some(bookmark)) => Json(bookmark).into_response(),
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(error) => storage_failed(error),
    }
}

async fn create_bookmark<R: BookmarkRepository>(
    State(service): State<Arc<BookmarkService<R>>>,
    Json(new): Json<NewBookmark>,
) -> Response {
    // TODO: create it through the service; answer 201 with a Location header
    // ("/bookmarks/{id}") and the bookmark as JSON. A tuple
    // (StatusCode, [(header::LOCATION, value)], Json(..)) is a response
    // (`header` is `axum::http::header`).
    let _ = (service, new);
    StatusCode::NOT_IMPLEMENTED.into_response()
}

async fn delete_bookmark<R: BookmarkRepository>(
    State(service): State<Arc<BookmarkService<R>>>,
    Path(id): Path<i64>,
) -> Response {
    // TODO: delete it through the service: 204 when it was there, 404 when not.
    let _ = (service, id);
    StatusCode::NOT_IMPLEMENTED.into_response()
}

/// The router: one resource, two paths, a method router on each. The
/// handlers are generic over the repository, so the tests (and the next
/// steps) can put any storage behind the same routes.
fn app<R: BookmarkRepository>(service: BookmarkService<R>) -> Router {
    // TODO: route POST on /bookmarks (chain `.post(..)` on the `get`), and
    // GET, PUT and DELETE on /bookmarks/{id}.
    Router::new()
        .route("/bookmarks", get(list_bookmarks::<R>))
        .with_state(Arc::new(service))
}

fn main() {
    // The tests decide; `main` is for experiments.
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use http_body_util::BodyExt;
    use serde_json::{Value, json};
    use tower::ServiceExt;

    fn test_app() -> Router {
        app(BookmarkService::new(InMemoryBookmarks::default()))
    }

    fn request(method: &str, uri: &str, body: Option<Value>) -> Request<Body> {
        let builder = Request::builder().method(method).uri(uri);
        match body {
            Some(json) => builder
                .header("content-type", "application/json")
                .body(Body::from(json.to_string()))
                .unwrap(),
            None => builder.body(Body::empty()).unwrap(),
        }
    }

    async fn send(app: &Router, req: Request<Body>) -> Response {
        app.clone().oneshot(req).await.unwrap()
    }

    async fn json_body(response: Response) -> Value {
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        serde_json::from_slice(&bytes).unwrap_or(Value::Null)
    }

    fn rust_book() -> Value {
        json!({ "url": "https://doc.rust-lang.org/book/", "title": "The Book" })
    }

    fn axum_docs() -> Value {
        json!({ "url": "https://docs.rs/axum", "title": "axum" })
    }

    #[tokio::test]
    async fn creating_answers_201_with_a_location_and_the_bookmark() {
        let app = test_app();

        let response = send(&app, request("POST", "/bookmarks", Some(rust_book()))).await;

        assert_eq!(response.status(), StatusCode::CREATED, "POST /bookmarks");
        assert_eq!(
            response
                .headers()
                .get("location")
                .map(|v| v.to_str().unwrap()),
            Some("/bookmarks/1"),
            "a 201 says where the new bookmark lives"
        );
        assert_eq!(
            json_body(response).await,
            json!({ "id": 1, "url": "https://doc.rust-lang.org/book/", "title": "The Book" })
        );
    }

    #[tokio::test]
    async fn a_created_bookmark_can_be_read_at_its_location() {
        let app = test_app();
        send(&app, request("POST", "/bookmarks", Some(rust_book()))).await;
        let created = send(&app, request("POST", "/bookmarks", Some(axum_docs()))).await;
        let location = created.headers()["location"].to_str().unwrap().to_owned();

        let response = send(&app, request("GET", &location, None)).await;

        assert_eq!(response.status(), StatusCode::OK, "GET {location}");
        assert_eq!(
            json_body(response).await,
            json!({ "id": 2, "url": "https://docs.rs/axum", "title": "axum" })
        );
    }

    #[tokio::test]
    async fn the_list_shows_every_bookmark_in_the_order_they_were_created() {
        let app = test_app();
        send(&app, request("POST", "/bookmarks", Some(rust_book()))).await;
        send(&app, request("POST", "/bookmarks", Some(axum_docs()))).await;

        let response = send(&app, request("GET", "/bookmarks", None)).await;

        assert_eq!(response.status(), StatusCode::OK);
        let titles: Vec<Value> = json_body(response)
            .await
            .as_array()
            .unwrap()
            .iter()
            .map(|bookmark| bookmark["title"].clone())
            .collect();
        assert_eq!(titles, vec![json!("The Book"), json!("axum")]);
    }

    #[tokio::test]
    async fn an_unknown_id_is_404() {
        let app = test_app();

        let response = send(&app, request("GET", "/bookmarks/7", None)).await;

        assert_eq!(response.status(), StatusCode::NOT_FOUND);
    }

    #[tokio::test]
    async fn replacing_changes_the_stored_bookmark() {
        let app = test_app();
        send(&app, request("POST", "/bookmarks", Some(rust_book()))).await;

        let replaced = send(&app, request("PUT", "/bookmarks/1", Some(axum_docs()))).await;
        let read = send(&app, request("GET", "/bookmarks/1", None)).await;

        assert_eq!(replaced.status(), StatusCode::OK);
        assert_eq!(json_body(read).await["title"], "axum");
    }

    #[tokio::test]
    async fn deleting_answers_204_and_the_bookmark_is_gone() {
        let app = test_app();
        send(&app, request("POST", "/bookmarks", Some(rust_book()))).await;

        let deleted = send(&app, request("DELETE", "/bookmarks/1", None)).await;
        let read = send(&app, request("GET", "/bookmarks/1", None)).await;

        assert_eq!(
            deleted.status(),
            StatusCode::NO_CONTENT,
            "DELETE /bookmarks/1"
        );
        assert_eq!(read.status(), StatusCode::NOT_FOUND, "GET after DELETE");
    }

    #[tokio::test]
    async fn deleting_an_unknown_id_is_404() {
        let app = test_app();
        send(&app, request("POST", "/bookmarks", Some(rust_book()))).await;

        let response = send(&app, request("DELETE", "/bookmarks/2", None)).await;

        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let list = send(&app, request("GET", "/bookmarks", None)).await;
        assert_eq!(json_body(list).await.as_array().map(Vec::len), Some(1));
    }

    #[tokio::test]
    async fn a_method_the_resource_does_not_have_is_405() {
        let app = test_app();

        let on_item = send(&app, request("POST", "/bookmarks/1", Some(rust_book()))).await;
        let on_collection = send(&app, request("DELETE", "/bookmarks", None)).await;

        assert_eq!(on_item.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(on_collection.status(), StatusCode::METHOD_NOT_ALLOWED);
    }

    /// A storage that fails every call, as a full disk would. The routes are
    /// generic over the repository, so it goes behind them unchanged.
    struct FailingStorage;

    fn disk_full() -> StoreError {
        StoreError("disk full".into())
    }

    impl BookmarkRepository for FailingStorage {
        async fn insert(&self, _: NewBookmark) -> Result<Bookmark, StoreError> {
            Err(disk_full())
        }

        async fn find(&self, _: i64) -> Result<Option<Bookmark>, StoreError> {
            Err(disk_full())
        }

        async fn list(&self) -> Result<Vec<Bookmark>, StoreError> {
            Err(disk_full())
        }

        async fn replace(&self, _: i64, _: NewBookmark) -> Result<Option<Bookmark>, StoreError> {
            Err(disk_full())
        }

        async fn delete(&self, _: i64) -> Result<bool, StoreError> {
            Err(disk_full())
        }
    }

    #[tokio::test]
    async fn a_storage_failure_is_500_on_every_route() {
        let broken = app(BookmarkService::new(FailingStorage));
        let requests = [
            ("POST", "/bookmarks", Some(rust_book())),
            ("GET", "/bookmarks", None),
            ("GET", "/bookmarks/1", None),
            ("PUT", "/bookmarks/1", Some(axum_docs())),
            ("DELETE", "/bookmarks/1", None),
        ];

        for (method, uri, body) in requests {
            let response = send(&broken, request(method, uri, body)).await;

            assert_eq!(
                response.status(),
                StatusCode::INTERNAL_SERVER_ERROR,
                "{method} {uri} when the storage fails: 500, the server's fault, never a success"
            );
        }
    }
}
