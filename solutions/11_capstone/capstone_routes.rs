//! # Capstone 1/5: routes on axum (solution)

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
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
    match service.create(new).await {
        // 201 says "a new resource exists", and `Location` says where: the
        // client (or a proxy) can follow it without knowing our URL scheme.
        // The body repeats the bookmark, so the client learns its id without
        // a second request.
        Ok(bookmark) => (
            StatusCode::CREATED,
            [(header::LOCATION, format!("/bookmarks/{}", bookmark.id))],
            Json(bookmark),
        )
            .into_response(),
        Err(error) => storage_failed(error),
    }
}

async fn delete_bookmark<R: BookmarkRepository>(
    State(service): State<Arc<BookmarkService<R>>>,
    Path(id): Path<i64>,
) -> Response {
    match service.delete(id).await {
        // 204: done, and nothing to say; a body would be ignored anyway.
        Ok(true) => StatusCode::NO_CONTENT.into_response(),
        Ok(false) => StatusCode::NOT_FOUND.into_response(),
        Err(error) => storage_failed(error),
    }
}

/// The router: one resource, two paths, a method router on each. axum answers
/// 405 for a method a path does not route and 404 for a path it does not know,
/// so those need no code. The handlers are generic over the repository, so the
/// tests (and the next steps) can put any storage behind the same routes.
fn app<R: BookmarkRepository>(service: BookmarkService<R>) -> Router {
    Router::new()
        .route(
            "/bookmarks",
            get(list_bookmarks::<R>).post(create_bookmark::<R>),
        )
        .route(
            "/bookmarks/{id}",
            get(get_bookmark::<R>)
                .put(replace_bookmark::<R>)
                .delete(delete_bookmark::<R>),
        )
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
