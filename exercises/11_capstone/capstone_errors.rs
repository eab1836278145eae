//! # Capstone 3/5: typed errors through IntoResponse
//!
//! Stash now stores bookmarks in SQLite (step 2). This step gives its
//! failures names and answers each honestly: a **typed error** per layer
//! (`StoreError` for storage, `BookmarkError` for the use cases), converted
//! at each border, and **one `impl IntoResponse`** that turns the service's
//! error into a status and a JSON envelope. Handlers return
//! `Result<_, BookmarkError>` and use `?`; none of them picks an error status.
//!
//! ```text
//!   sqlx::Error ──From──> StoreError ──> BookmarkError ──IntoResponse──> status + envelope
//!   (driver)              DuplicateUrl     NotFound(id)       404 not_found
//!                         Database(..)     Invalid{..}        422 invalid_bookmark
//!                                          DuplicateUrl(url)  409 duplicate_url
//!                                          Storage(..)        500 internal (cause logged)
//! ```
//!
//! ## The problem
//!
//! Every failure is a bare 500 today. A client posting a link twice cannot
//! tell it from an outage and retries forever; the mobile team asks for a
//! body they can branch on; and the first draft of a fix put SQLite's error
//! message ("no such table: bookmarks") in the response, which tells an
//! attacker the schema.
//!
//! ## Your task
//!
//! 1. `impl From<sqlx::Error> for StoreError`: a unique violation is
//!    `DuplicateUrl`, everything else `Database(error)`. sqlx's
//!    `Error::Database(db)` carries the driver's error; ask it
//!    `db.is_unique_violation()`, never its message text.
//! 2. `impl IntoResponse for BookmarkError`: 404 `not_found`, 422
//!    `invalid_bookmark`, 409 `duplicate_url`, 500 `internal`, each as
//!    `{"error": {"code": .., "message": ..}}`. The message is the error's
//!    `Display`, except for a 500: there it is `"internal error"`, and the
//!    cause goes to the log (`tracing::error!`, with `causes(&self)`).
//!
//! The service (validation, mapping a duplicate to its url) and the
//! handlers are written already.
//!
//! ## When not to use it
//!
//! A typed enum per layer is worth it where callers branch on the cases. An
//! internal tool whose every failure is "log it and answer 500" can use
//! `anyhow` with one `IntoResponse` wrapper; and a layer with one caller may
//! pass the lower layer's error through instead of inventing its own.

use std::future::Future;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::sqlite::{SqlitePool, SqlitePoolOptions};
use sqlx::{FromRow, SqlSafeStr};

// ---- Domain ----------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
struct Bookmark {
    id: i64,
    url: String,
    title: String,
}

#[derive(Debug, Clone, Deserialize)]
struct NewBookmark {
    url: String,
    title: String,
}

// ---- Storage: the port -------------------------------------------------------

/// What the storage can report, in the storage's words: the caller needs to
/// tell "that url is taken" (its fault, a 409) from "the database failed"
/// (ours, a 500), and nothing finer.
#[derive(Debug, thiserror::Error)]
enum StoreError {
    #[error("a bookmark for this url exists")]
    DuplicateUrl,
    #[error("the database failed")]
    Database(#[source] sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        // TODO: a unique violation reported by the database is DuplicateUrl
        // (the bookmarks table has one unique column: url); any other error
        // stays a Database error.
        StoreError::Database(error)
    }
}

/// The storage port.
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

// ---- Storage: the SQLite adapter (step 2's answer) ----------------------------

/// The schema, as migrations. Each has a version; sqlx records the versions it
/// ran in `_sqlx_migrations` (with a checksum), so running them at every start
/// applies only the new ones and refuses a migration edited after it ran.
/// A real project keeps them as files (`migrations/0001_create_bookmarks.sql`)
/// and embeds them with `sqlx::migrate!()`; this exercise is one file, so they
/// are written here.
fn migrator() -> Migrator {
    Migrator::with_migrations(vec![Migration::new(
        1,
        "create bookmarks".into(),
        MigrationType::Simple,
        CREATE_BOOKMARKS.into_sql_str(),
        false,
    )])
}

/// `INTEGER PRIMARY KEY` is SQLite's rowid: ids are assigned in insertion
/// order. `UNIQUE` on the url lets the database, not a check-then-insert in
/// the code, refuse a second bookmark for a link (two requests at once cannot
/// both pass a check; a constraint holds under any concurrency).
const CREATE_BOOKMARKS: &str = "
    CREATE TABLE bookmarks (
        id    INTEGER PRIMARY KEY,
        url   TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL
    )";

/// Opens the database and brings its schema up to date: migrations run at
/// start, before the first request, so no handler ever sees an old schema.
async fn open_database() -> Result<SqlitePool, sqlx::Error> {
    // An in-memory SQLite database lives as long as a connection to it is
    // open. A pool closes idle connections (after 10 minutes by default) and
    // old ones (after 30): the database, and every bookmark, would vanish
    // with them. So: one connection, kept forever. (A file database, as in
    // production, needs none of this; SQLite has one writer at a time anyway.)
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .idle_timeout(None)
        .max_lifetime(None)
        .connect("sqlite::memory:")
        .await?;
    migrator().run(&pool).await?;
    Ok(pool)
}

/// The adapter: a pool is cheap to clone and safe to share, so this is all
/// the state a repository needs.
struct SqliteBookmarks {
    pool: SqlitePool,
}

impl SqliteBookmarks {
    fn new(pool: SqlitePool) -> Self {
        Self { pool }
    }
}

// Every value goes in through `.bind(..)` and a `?` placeholder, never into
// the SQL text: the database receives the statement and the values apart, so
// a title such as `'); DROP TABLE bookmarks; --` is only a title. (sqlx 0.9
// accepts only `&'static str` as SQL for that reason; a `String` needs
// `AssertSqlSafe`, a visible promise in review.)
impl BookmarkRepository for SqliteBookmarks {
    async fn insert(&self, new: NewBookmark) -> Result<Bookmark, StoreError> {
        // RETURNING gives the stored row, id included, in the same statement.
        let bookmark = sqlx::query_as::<_, Bookmark>(
            "INSERT INTO bookmarks (url, title) VALUES (?, ?) RETURNING id, url, title",
        )
        .bind(new.url)
        .bind(new.title)
        .fetch_one(&self.pool)
        .await?;
        Ok(bookmark)
    }

    async fn find(&self, id: i64) -> Result<Option<Bookmark>, StoreError> {
        // fetch_optional: no row is an answer (None), not an error.
        let bookmark =
            sqlx::query_as::<_, Bookmark>("SELECT id, url, title FROM bookmarks WHERE id = ?")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(bookmark)
    }

    async fn list(&self) -> Result<Vec<Bookmark>, StoreError> {
        // Without ORDER BY, SQL promises no order at all.
        let bookmarks =
            sqlx::query_as::<_, Bookmark>("SELECT id, url, title FROM bookmarks ORDER BY id")
                .fetch_all(&self.pool)
                .await?;
        Ok(bookmarks)
    }

    async fn replace(&self, id: i64, new: NewBookmark) -> Result<Option<Bookmark>, StoreError> {
        // One statement: no row updated means no row returned, so None.
        let bookmark = sqlx::query_as::<_, Bookmark>(
            "UPDATE bookmarks SET url = ?, title = ? WHERE id = ? RETURNING id, url, title",
        )
        .bind(new.url)
        .bind(new.title)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(bookmark)
    }

    async fn delete(&self, id: i64) -> Result<bool, StoreError> {
        // The database says how many rows the DELETE removed: 0 is a 404.
        // Asking first (SELECT, then DELETE) would race with another delete.
        let done = sqlx::query("DELETE FROM bookmarks WHERE id = ?")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}

// ---- Service -------------------------------------------------------------------

/// What can go wrong in a use case, in the service's words. No status codes:
/// a CLI or a queue consumer uses the same service and the same errors; the
/// HTTP edge alone decides what each one is on the wire.
#[derive(Debug, thiserror::Error)]
enum BookmarkError {
    #[error("bookmark {0} not found")]
    NotFound(i64),
    #[error("{field} {reason}")]
    Invalid {
        field: &'static str,
        reason: &'static str,
    },
    #[error("a bookmark for {0} exists already")]
    DuplicateUrl(String),
    /// The `#[source]` keeps sqlx's error, for the log.
    #[error("storage failed")]
    Storage(#[source] StoreError),
}

impl BookmarkError {
    /// A storage error of a write of `url`: a duplicate is the client's
    /// problem and says which url; anything else is ours.
    fn from_store(error: StoreError, url: String) -> Self {
        match error {
            StoreError::DuplicateUrl => BookmarkError::DuplicateUrl(url),
            other => BookmarkError::Storage(other),
        }
    }
}

fn validate(new: &NewBookmark) -> Result<(), BookmarkError> {
    if new.title.trim().is_empty() {
        return Err(BookmarkError::Invalid {
            field: "title",
            reason: "must not be empty",
        });
    }
    if !(new.url.starts_with("https://") || new.url.starts_with("http://")) {
        return Err(BookmarkError::Invalid {
            field: "url",
            reason: "must start with http:// or https://",
        });
    }
    Ok(())
}

struct BookmarkService<R> {
    repo: R,
}

impl<R: BookmarkRepository> BookmarkService<R> {
    fn new(repo: R) -> Self {
        Self { repo }
    }

    async fn create(&self, new: NewBookmark) -> Result<Bookmark, BookmarkError> {
        validate(&new)?;
        let url = new.url.clone();
        self.repo
            .insert(new)
            .await
            .map_err(|error| BookmarkError::from_store(error, url))
    }

    async fn get(&self, id: i64) -> Result<Bookmark, BookmarkError> {
        self.repo
            .find(id)
            .await
            .map_err(BookmarkError::Storage)?
            .ok_or(BookmarkError::NotFound(id))
    }

    async fn list(&self) -> Result<Vec<Bookmark>, BookmarkError> {
        self.repo.list().await.map_err(BookmarkError::Storage)
    }

    async fn replace(&self, id: i64, new: NewBookmark) -> Result<Bookmark, BookmarkError> {
        validate(&new)?;
        let url = new.url.clone();
        self.repo
            .replace(id, new)
            .await
            .map_err(|error| BookmarkError::from_store(error, url))?
            .ok_or(BookmarkError::NotFound(id))
    }

    async fn delete(&self, id: i64) -> Result<(), BookmarkError> {
        match self.repo.delete(id).await.map_err(BookmarkError::Storage)? {
            true => Ok(()),
            false => Err(BookmarkError::NotFound(id)),
        }
    }
}

// ---- HTTP ------------------------------------------------------------------

/// The one place where an error becomes a response: every handler returns
/// `Result<_, BookmarkError>` and uses `?`, and axum calls this for the `Err`.
impl IntoResponse for BookmarkError {
    fn into_response(self) -> Response {
        // TODO: choose the status and the code for each variant, and answer
        // (status, Json(json!({ "error": { "code": code, "message": message } }))).
        // For a 500, the message is "internal error", and the error and its
        // causes go to the log: tracing::error!(error = %self, cause = %causes(&self), "request failed").
        StatusCode::INTERNAL_SERVER_ERROR.into_response()
    }
}

/// The chain of `source()`s under an error, joined with ": ", such as
/// "the database failed: error returned from database: no such table".
fn causes(error: &dyn std::error::Error) -> String {
    let mut chain = Vec::new();
    let mut source = error.source();
    while let Some(cause) = source {
        chain.push(cause.to_string());
        source = cause.source();
    }
    chain.join(": ")
}

async fn list_bookmarks<R: BookmarkRepository>(
    State(service): State<Arc<BookmarkService<R>>>,
) -> Result<Json<Vec<Bookmark>>, BookmarkError> {
    Ok(Json(service.list().await?))
}

async fn get_bookmark<R: BookmarkRepository>(
    State(service): State<Arc<BookmarkService<R>>>,
    Path(id): Path<i64>,
) -> Result<Json<Bookmark>, BookmarkError> {
    Ok(Json(service.get(id).await?))
}

async fn create_bookmark<R: BookmarkRepository>(
    State(service): State<Arc<BookmarkService<R>>>,
    Json(new): Json<NewBookmark>,
) -> Result<impl IntoResponse, BookmarkError> {
    let bookmark = service.create(new).await?;
    let location = format!("/bookmarks/{}", bookmark.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(bookmark),
    ))
}

async fn replace_bookmark<R: BookmarkRepository>(
    State(service): State<Arc<BookmarkService<R>>>,
    Path(id): Path<i64>,
    Json(new): Json<NewBookmark>,
) -> Result<Json<Bookmark>, BookmarkError> {
    Ok(Json(service.replace(id, new).await?))
}

async fn delete_bookmark<R: BookmarkRepository>(
    State(service): State<Arc<BookmarkService<R>>>,
    Path(id): Path<i64>,
) -> Result<StatusCode, BookmarkError> {
    service.delete(id).await?;
    Ok(StatusCode::NO_CONTENT)
}

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
    use std::cell::RefCell;
    use std::sync::Once;
    use tower::ServiceExt;

    async fn service() -> (Router, SqlitePool) {
        let pool = open_database().await.unwrap();
        let app = app(BookmarkService::new(SqliteBookmarks::new(pool.clone())));
        (app, pool)
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

    async fn send(app: &Router, req: Request<Body>) -> (StatusCode, Value) {
        let response = app.clone().oneshot(req).await.unwrap();
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    fn bookmark(url: &str, title: &str) -> Option<Value> {
        Some(json!({ "url": url, "title": title }))
    }

    #[tokio::test]
    async fn an_unknown_id_is_404_in_the_error_envelope() {
        let (app, _pool) = service().await;

        let (status, body) = send(&app, request("GET", "/bookmarks/7", None)).await;

        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(
            body,
            json!({ "error": { "code": "not_found", "message": "bookmark 7 not found" } })
        );
    }

    #[tokio::test]
    async fn deleting_or_replacing_an_unknown_id_is_the_same_404() {
        let (app, _pool) = service().await;

        let deleted = send(&app, request("DELETE", "/bookmarks/3", None)).await;
        let replaced = send(
            &app,
            request("PUT", "/bookmarks/3", bookmark("https://a.example", "a")),
        )
        .await;

        let expected =
            json!({ "error": { "code": "not_found", "message": "bookmark 3 not found" } });
        assert_eq!(deleted, (StatusCode::NOT_FOUND, expected.clone()));
        assert_eq!(replaced, (StatusCode::NOT_FOUND, expected));
    }

    #[tokio::test]
    async fn an_invalid_bookmark_is_422_and_says_which_field() {
        let (app, pool) = service().await;

        let no_title = send(
            &app,
            request("POST", "/bookmarks", bookmark("https://a.example", "  ")),
        )
        .await;
        let bad_url = send(
            &app,
            request("POST", "/bookmarks", bookmark("javascript:alert(1)", "xss")),
        )
        .await;

        assert_eq!(no_title.0, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            no_title.1,
            json!({ "error": { "code": "invalid_bookmark", "message": "title must not be empty" } })
        );
        assert_eq!(bad_url.0, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(bad_url.1["error"]["code"], "invalid_bookmark");
        assert_eq!(
            bad_url.1["error"]["message"],
            "url must start with http:// or https://"
        );
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM bookmarks")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(count, 0, "nothing invalid is stored");
    }

    #[tokio::test]
    async fn a_second_bookmark_for_a_url_is_409_from_the_databases_constraint() {
        let (app, _pool) = service().await;
        send(
            &app,
            request("POST", "/bookmarks", bookmark("https://a.example", "a")),
        )
        .await;
        send(
            &app,
            request("POST", "/bookmarks", bookmark("https://b.example", "b")),
        )
        .await;

        let created = send(
            &app,
            request("POST", "/bookmarks", bookmark("https://a.example", "again")),
        )
        .await;
        let replaced = send(
            &app,
            request("PUT", "/bookmarks/2", bookmark("https://a.example", "b")),
        )
        .await;

        let expected = json!({ "error": {
            "code": "duplicate_url",
            "message": "a bookmark for https://a.example exists already",
        } });
        assert_eq!(created, (StatusCode::CONFLICT, expected.clone()), "POST");
        assert_eq!(
            replaced,
            (StatusCode::CONFLICT, expected),
            "PUT onto another's url"
        );
    }

    #[tokio::test]
    async fn a_failing_database_is_500_and_the_client_learns_nothing_of_it() {
        let (app, pool) = service().await;
        sqlx::query("DROP TABLE bookmarks")
            .execute(&pool)
            .await
            .unwrap();

        let (status, body) = send(&app, request("GET", "/bookmarks", None)).await;
        let posted = send(
            &app,
            request("POST", "/bookmarks", bookmark("https://a.example", "a")),
        )
        .await;

        let expected = json!({ "error": { "code": "internal", "message": "internal error" } });
        assert_eq!(
            status,
            StatusCode::INTERNAL_SERVER_ERROR,
            "GET with no table"
        );
        assert_eq!(body, expected, "no SQL, no table name, no driver message");
        assert_eq!(
            posted,
            (StatusCode::INTERNAL_SERVER_ERROR, expected),
            "a failing INSERT is not a duplicate"
        );
    }

    #[tokio::test]
    async fn successes_are_unchanged() {
        let (app, _pool) = service().await;

        let created = send(
            &app,
            request("POST", "/bookmarks", bookmark("https://a.example", "a")),
        )
        .await;
        let read = send(&app, request("GET", "/bookmarks/1", None)).await;
        let deleted = send(&app, request("DELETE", "/bookmarks/1", None)).await;

        assert_eq!(created.0, StatusCode::CREATED);
        assert_eq!(
            read,
            (
                StatusCode::OK,
                json!({ "id": 1, "url": "https://a.example", "title": "a" })
            )
        );
        assert_eq!(deleted.0, StatusCode::NO_CONTENT);
    }

    #[test]
    fn only_a_unique_violation_is_a_duplicate() {
        assert!(matches!(
            StoreError::from(sqlx::Error::RowNotFound),
            StoreError::Database(_)
        ));
        assert!(matches!(
            StoreError::from(sqlx::Error::PoolClosed),
            StoreError::Database(_)
        ));
    }

    thread_local! {
        /// The `cause` of every event logged on this thread since
        /// `capture_causes`. (A tokio test runs on the thread of its test.)
        static CAUSES: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
    }

    /// Keeps the `cause` field of every event, on the thread that logged
    /// it, as a log pipeline would see it.
    struct CauseLog;

    impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for CauseLog {
        fn on_event(
            &self,
            event: &tracing::Event<'_>,
            _: tracing_subscriber::layer::Context<'_, S>,
        ) {
            let mut cause = CauseField(None);
            event.record(&mut cause);
            if let Some(cause) = cause.0 {
                CAUSES.with(|causes| causes.borrow_mut().push(cause));
            }
        }
    }

    struct CauseField(Option<String>);

    impl tracing::field::Visit for CauseField {
        fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
            if field.name() == "cause" {
                self.0 = Some(format!("{value:?}"));
            }
        }
    }

    /// Starts this thread's log afresh. `CauseLog` is the process's global
    /// subscriber, installed once: a subscriber per test (`set_default`)
    /// races with the other tests' threads over which events are enabled at
    /// all, and the test would fail now and then.
    fn capture_causes() {
        use tracing_subscriber::layer::SubscriberExt;
        static INSTALLED: Once = Once::new();
        INSTALLED.call_once(|| {
            let subscriber = tracing_subscriber::registry().with(CauseLog);
            tracing::subscriber::set_global_default(subscriber).unwrap();
        });
        // An event first seen while no subscriber existed yet may still be
        // marked "never enabled": ask every dispatcher again.
        tracing::callsite::rebuild_interest_cache();
        CAUSES.with(|causes| causes.borrow_mut().clear());
    }

    fn logged_causes() -> Vec<String> {
        CAUSES.with(|causes| causes.borrow().clone())
    }

    #[tokio::test]
    async fn a_500_is_logged_with_the_whole_chain_of_its_causes() {
        capture_causes();
        let (app, pool) = service().await;
        sqlx::query("DROP TABLE bookmarks")
            .execute(&pool)
            .await
            .unwrap();

        let (status, _) = send(&app, request("GET", "/bookmarks", None)).await;

        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        let causes = logged_causes();
        assert_eq!(
            causes.len(),
            1,
            "one error logged, with a cause: {causes:?}"
        );
        assert!(
            causes[0].starts_with("the database failed: ")
                && causes[0].contains("no such table: bookmarks"),
            "the cause is every source under the error, outermost first: {:?}",
            causes[0]
        );
    }
}
