//! # Capstone 5/5: a moka cache, invalidated on write
//!
//! Stash is live (steps 1 to 4). Shared links are read far more often than
//! they are written, and every read is a query. This step puts **moka**, the
//! cache Rust services use (a concurrent, bounded cache after Java's
//! Caffeine), in front of the repository as a **decorator**: it implements
//! `BookmarkRepository` and wraps another one, so the service does not
//! change and cannot tell.
//!
//! ```text
//!   BookmarkService ──> CachedBookmarks ──────────> SqliteBookmarks ──> SQLite
//!                        (moka, by id)    miss       (step 2)
//!     find(id):    hit ─> the copy        ──────────> find, keep a Some
//!     replace/delete(id):                 ──────────> write, then invalidate(id)
//!     insert, list:                       ──────────> passed through
//!
//!   build_app (the composition root) is the only code that puts them together
//! ```
//!
//! The middleware of step 4 is left out of this file to keep it short; in
//! the service it stays where it was.
//!
//! ## The problem
//!
//! A link posted in a busy chat channel is read 20 000 times in an hour, a
//! query each time. The team wants those reads answered from memory, without
//! a reader ever seeing a bookmark that was changed or deleted, and without
//! the cache growing until the process is killed.
//!
//! ## Your task
//!
//! 1. `CachedBookmarks::new`: a `moka::future::Cache` bounded by `capacity`
//!    entries and by a time to live of `ttl` (`Cache::builder()`).
//! 2. `find`: answer from the cache when it has the id; otherwise ask
//!    `self.inner`, and keep the bookmark if there was one. Cache neither
//!    errors nor "not found".
//! 3. `replace` and `delete`: write through `self.inner`, then drop the id
//!    from the cache (`invalidate`), whatever the write answered.
//! 4. `build_app`: put the cache between the service and the SQLite
//!    repository (10 000 entries, five minutes).
//!
//! ## When not to use it
//!
//! Data that must never be stale (a balance, stock at checkout) is not
//! cached. Several instances behind a load balancer each have their own moka
//! cache, and a write on one cannot invalidate the others: share a cache
//! (Redis) or accept staleness up to the TTL. And measure first: SQLite
//! answering by primary key from its page cache is already fast.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use moka::future::Cache;
use serde::{Deserialize, Serialize};
use serde_json::json;
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

// ---- Storage (steps 2 and 3) ---------------------------------------------------

#[derive(Debug, thiserror::Error)]
enum StoreError {
    #[error("a bookmark for this url exists")]
    DuplicateUrl,
    #[error("the database failed")]
    Database(#[source] sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        match &error {
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::DuplicateUrl,
            _ => StoreError::Database(error),
        }
    }
}

trait BookmarkRepository: Send + Sync + 'static {
    fn insert(&self, new: NewBookmark)
    -> impl Future<Output = Result<Bookmark, StoreError>> + Send;
    fn find(&self, id: i64) -> impl Future<Output = Result<Option<Bookmark>, StoreError>> + Send;
    fn list(&self) -> impl Future<Output = Result<Vec<Bookmark>, StoreError>> + Send;
    fn replace(
        &self,
        id: i64,
        new: NewBookmark,
    ) -> impl Future<Output = Result<Option<Bookmark>, StoreError>> + Send;
    fn delete(&self, id: i64) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

fn migrator() -> Migrator {
    Migrator::with_migrations(vec![Migration::new(
        1,
        "create bookmarks".into(),
        MigrationType::Simple,
        "CREATE TABLE bookmarks (
            id    INTEGER PRIMARY KEY,
            url   TEXT NOT NULL UNIQUE,
            title TEXT NOT NULL
        )"
        .into_sql_str(),
        false,
    )])
}

/// An in-memory database that lives as long as its one connection: never
/// closed by the pool (step 2).
async fn open_database() -> Result<SqlitePool, sqlx::Error> {
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .idle_timeout(None)
        .max_lifetime(None)
        .connect("sqlite::memory:")
        .await?;
    migrator().run(&pool).await?;
    Ok(pool)
}

struct SqliteBookmarks {
    pool: SqlitePool,
}

impl SqliteBookmarks {
    fn new(pool: SqlitePool) -> Self {
        Self { pool }
    }
}

impl BookmarkRepository for SqliteBookmarks {
    async fn insert(&self, new: NewBookmark) -> Result<Bookmark, StoreError> {
        let sql = "INSERT INTO bookmarks (url, title) VALUES (?, ?) RETURNING id, url, title";
        Ok(sqlx::query_as(sql)
            .bind(new.url)
            .bind(new.title)
            .fetch_one(&self.pool)
            .await?)
    }

    async fn find(&self, id: i64) -> Result<Option<Bookmark>, StoreError> {
        let sql = "SELECT id, url, title FROM bookmarks WHERE id = ?";
        Ok(sqlx::query_as(sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    async fn list(&self) -> Result<Vec<Bookmark>, StoreError> {
        let sql = "SELECT id, url, title FROM bookmarks ORDER BY id";
        Ok(sqlx::query_as(sql).fetch_all(&self.pool).await?)
    }

    async fn replace(&self, id: i64, new: NewBookmark) -> Result<Option<Bookmark>, StoreError> {
        let sql = "UPDATE bookmarks SET url = ?, title = ? WHERE id = ? RETURNING id, url, title";
        Ok(sqlx::query_as(sql)
            .bind(new.url)
            .bind(new.title)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    async fn delete(&self, id: i64) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM bookmarks WHERE id = ?")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}

// ---- Service (step 3) ------------------------------------------------------------

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
    #[error("storage failed")]
    Storage(#[source] StoreError),
}

impl BookmarkError {
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

// ---- HTTP: errors and handlers (steps 1 and 3) -----------------------------------

/// The error envelope, `{"error": {"code", "message"}}`: every error answer
/// of the service, the middleware's 401 and 429 included, has this shape.
fn envelope(status: StatusCode, code: &str, message: &str) -> Response {
    let body = json!({ "error": { "code": code, "message": message } });
    (status, Json(body)).into_response()
}

impl IntoResponse for BookmarkError {
    fn into_response(self) -> Response {
        let (status, code) = match &self {
            BookmarkError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            BookmarkError::Invalid { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_bookmark"),
            BookmarkError::DuplicateUrl(_) => (StatusCode::CONFLICT, "duplicate_url"),
            BookmarkError::Storage(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        };
        if status.is_server_error() {
            tracing::error!(error = %self, cause = %causes(&self), "request failed");
            return envelope(status, code, "internal error");
        }
        envelope(status, code, &self.to_string())
    }
}

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

// ---- The cache: a decorator of the repository ------------------------------------

/// A read-through cache in front of any repository, implementing the same
/// trait: the service cannot tell it is there, and the cache sees every read
/// and every write, because they all go through it.
///
/// What is cached: single bookmarks by id, the hot path (every shared link
/// is a `GET /bookmarks/{id}`). Not the list: it changes on every write, and
/// caching it well needs invalidation by more than an id.
struct CachedBookmarks<R> {
    inner: R,
    by_id: Cache<i64, Bookmark>,
}

impl<R: BookmarkRepository> CachedBookmarks<R> {
    /// Bounded twice: by `capacity` entries (moka evicts with TinyLFU, which
    /// keeps the often-read ones) and by `ttl`, a safety net for what
    /// invalidation cannot see: a write by another process, or a reader that
    /// loaded the old row just before a write and stores it just after.
    fn new(inner: R, capacity: u64, ttl: Duration) -> Self {
        // TODO: bound the cache: at most `capacity` entries, none older than
        // `ttl` (Cache::builder() has a setting for each).
        let _ = (capacity, ttl);
        let by_id = Cache::builder().build();
        Self { inner, by_id }
    }
}

impl<R: BookmarkRepository> BookmarkRepository for CachedBookmarks<R> {
    async fn insert(&self, new: NewBookmark) -> Result<Bookmark, StoreError> {
        // A new id was never cached (misses are not), so nothing to drop.
        self.inner.insert(new).await
    }

    async fn find(&self, id: i64) -> Result<Option<Bookmark>, StoreError> {
        // TODO: answer from self.by_id when it has the id; otherwise ask
        // self.inner and keep what it found. Keep no error and no "not
        // found": a bookmark created a moment later must be seen.
        self.inner.find(id).await
    }

    async fn list(&self) -> Result<Vec<Bookmark>, StoreError> {
        self.inner.list().await
    }

    async fn replace(&self, id: i64, new: NewBookmark) -> Result<Option<Bookmark>, StoreError> {
        // TODO: after the write, whatever it answered, drop the id from the
        // cache (a write that timed out may still have committed).
        self.inner.replace(id, new).await
    }

    async fn delete(&self, id: i64) -> Result<bool, StoreError> {
        // TODO: the same as replace.
        self.inner.delete(id).await
    }
}

// ---- The application --------------------------------------------------------------

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

/// The composition root: the one place that knows every concrete piece.
/// The cache is chosen here, not in the service (which only knows the
/// trait) and not in the SQLite adapter (which only knows SQL).
fn build_app(pool: SqlitePool) -> Router {
    // TODO: put the cache between the service and SQLite: 10 000 entries,
    // five minutes.
    app(BookmarkService::new(SqliteBookmarks::new(pool)))
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
    use serde_json::Value;
    use std::cell::RefCell;
    use std::sync::Once;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use tower::ServiceExt;

    /// The SQLite repository, counting its `find`s; it can also be told to
    /// fail, before a read or after a write (a write that committed, then
    /// timed out on the way back).
    #[derive(Clone)]
    struct Spy {
        inner: Arc<SqliteBookmarks>,
        finds: Arc<AtomicUsize>,
        fail_reads: Arc<AtomicBool>,
        fail_after_writes: Arc<AtomicBool>,
    }

    impl Spy {
        fn finds(&self) -> usize {
            self.finds.load(Ordering::SeqCst)
        }

        fn timeout<T>(&self, done: Result<T, StoreError>) -> Result<T, StoreError> {
            if self.fail_after_writes.load(Ordering::SeqCst) {
                return Err(StoreError::Database(sqlx::Error::PoolTimedOut));
            }
            done
        }
    }

    impl BookmarkRepository for Spy {
        async fn insert(&self, new: NewBookmark) -> Result<Bookmark, StoreError> {
            self.inner.insert(new).await
        }

        async fn find(&self, id: i64) -> Result<Option<Bookmark>, StoreError> {
            self.finds.fetch_add(1, Ordering::SeqCst);
            if self.fail_reads.load(Ordering::SeqCst) {
                return Err(StoreError::Database(sqlx::Error::PoolTimedOut));
            }
            self.inner.find(id).await
        }

        async fn list(&self) -> Result<Vec<Bookmark>, StoreError> {
            self.inner.list().await
        }

        async fn replace(&self, id: i64, new: NewBookmark) -> Result<Option<Bookmark>, StoreError> {
            let done = self.inner.replace(id, new).await;
            self.timeout(done)
        }

        async fn delete(&self, id: i64) -> Result<bool, StoreError> {
            let done = self.inner.delete(id).await;
            self.timeout(done)
        }
    }

    async fn fixture() -> (Router, Spy) {
        let pool = open_database().await.unwrap();
        let spy = Spy {
            inner: Arc::new(SqliteBookmarks::new(pool)),
            finds: Arc::default(),
            fail_reads: Arc::default(),
            fail_after_writes: Arc::default(),
        };
        let cached = CachedBookmarks::new(spy.clone(), 100, Duration::from_secs(60));
        (app(BookmarkService::new(cached)), spy)
    }

    async fn send(
        app: &Router,
        method: &str,
        uri: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let builder = Request::builder().method(method).uri(uri);
        let request = match body {
            Some(json) => builder
                .header("content-type", "application/json")
                .body(Body::from(json.to_string())),
            None => builder.body(Body::empty()),
        };
        let response = app.clone().oneshot(request.unwrap()).await.unwrap();
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

    async fn create(app: &Router, url: &str, title: &str) {
        let (status, _) = send(app, "POST", "/bookmarks", bookmark(url, title)).await;
        assert_eq!(status, StatusCode::CREATED);
    }

    #[tokio::test]
    async fn a_second_read_is_served_from_the_cache() {
        let (app, spy) = fixture().await;
        create(&app, "https://a.example", "a").await;

        let first = send(&app, "GET", "/bookmarks/1", None).await;
        let second = send(&app, "GET", "/bookmarks/1", None).await;

        assert_eq!(first.0, StatusCode::OK);
        assert_eq!(first, second);
        assert_eq!(
            spy.finds(),
            1,
            "the second GET never reached the repository"
        );
    }

    #[tokio::test]
    async fn replacing_drops_the_cached_bookmark() {
        let (app, _spy) = fixture().await;
        create(&app, "https://a.example", "old title").await;
        send(&app, "GET", "/bookmarks/1", None).await;

        send(
            &app,
            "PUT",
            "/bookmarks/1",
            bookmark("https://a.example", "new title"),
        )
        .await;
        let (_, read) = send(&app, "GET", "/bookmarks/1", None).await;

        assert_eq!(read["title"], "new title", "a reader sees the write");
    }

    #[tokio::test]
    async fn deleting_drops_the_cached_bookmark() {
        let (app, _spy) = fixture().await;
        create(&app, "https://a.example", "a").await;
        send(&app, "GET", "/bookmarks/1", None).await;

        send(&app, "DELETE", "/bookmarks/1", None).await;
        let (status, _) = send(&app, "GET", "/bookmarks/1", None).await;

        assert_eq!(status, StatusCode::NOT_FOUND, "a deleted bookmark is gone");
    }

    #[tokio::test]
    async fn a_write_that_fails_after_committing_still_drops_the_entry() {
        let (app, spy) = fixture().await;
        create(&app, "https://a.example", "old title").await;
        create(&app, "https://b.example", "b").await;
        send(&app, "GET", "/bookmarks/1", None).await;
        send(&app, "GET", "/bookmarks/2", None).await;

        spy.fail_after_writes.store(true, Ordering::SeqCst);
        let (replaced, _) = send(
            &app,
            "PUT",
            "/bookmarks/1",
            bookmark("https://a.example", "new title"),
        )
        .await;
        let (deleted, _) = send(&app, "DELETE", "/bookmarks/2", None).await;
        spy.fail_after_writes.store(false, Ordering::SeqCst);

        assert_eq!(replaced, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(deleted, StatusCode::INTERNAL_SERVER_ERROR);
        let (_, read) = send(&app, "GET", "/bookmarks/1", None).await;
        assert_eq!(read["title"], "new title", "the write had committed");
        let (status, _) = send(&app, "GET", "/bookmarks/2", None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "the delete had committed");
    }

    #[tokio::test]
    async fn a_write_drops_only_its_own_entry() {
        let (app, spy) = fixture().await;
        create(&app, "https://a.example", "a").await;
        create(&app, "https://b.example", "b").await;
        send(&app, "GET", "/bookmarks/1", None).await;
        send(&app, "GET", "/bookmarks/2", None).await;

        send(
            &app,
            "PUT",
            "/bookmarks/1",
            bookmark("https://a.example", "a2"),
        )
        .await;
        send(&app, "DELETE", "/bookmarks/1", None).await;
        send(&app, "GET", "/bookmarks/2", None).await;

        assert_eq!(
            spy.finds(),
            2,
            "bookmark 2 stayed cached through writes to 1"
        );
    }

    #[tokio::test]
    async fn not_found_is_not_cached() {
        let (app, _spy) = fixture().await;

        let (before, _) = send(&app, "GET", "/bookmarks/1", None).await;
        create(&app, "https://a.example", "a").await;
        let (after, _) = send(&app, "GET", "/bookmarks/1", None).await;

        assert_eq!(before, StatusCode::NOT_FOUND);
        assert_eq!(
            after,
            StatusCode::OK,
            "the bookmark created after a miss is seen"
        );
    }

    #[tokio::test]
    async fn a_failing_read_is_an_error_and_is_not_cached() {
        let (app, spy) = fixture().await;
        create(&app, "https://a.example", "a").await;

        spy.fail_reads.store(true, Ordering::SeqCst);
        let (failed, _) = send(&app, "GET", "/bookmarks/1", None).await;
        spy.fail_reads.store(false, Ordering::SeqCst);
        let (recovered, _) = send(&app, "GET", "/bookmarks/1", None).await;

        assert_eq!(failed, StatusCode::INTERNAL_SERVER_ERROR, "not a 404");
        assert_eq!(recovered, StatusCode::OK);
    }

    #[tokio::test]
    async fn the_list_is_never_stale() {
        let (app, _spy) = fixture().await;
        create(&app, "https://a.example", "a").await;
        send(&app, "GET", "/bookmarks", None).await;

        send(
            &app,
            "PUT",
            "/bookmarks/1",
            bookmark("https://a.example", "a2"),
        )
        .await;
        create(&app, "https://b.example", "b").await;
        let (_, list) = send(&app, "GET", "/bookmarks", None).await;

        assert_eq!(list[0]["title"], "a2");
        assert_eq!(list.as_array().map(Vec::len), Some(2));
    }

    #[tokio::test]
    async fn the_cache_is_bounded_in_size_and_in_time() {
        let pool = open_database().await.unwrap();

        let cached = CachedBookmarks::new(SqliteBookmarks::new(pool), 100, Duration::from_secs(60));

        let policy = cached.by_id.policy();
        assert_eq!(
            policy.max_capacity(),
            Some(100),
            "at most `capacity` entries"
        );
        assert_eq!(
            policy.time_to_live(),
            Some(Duration::from_secs(60)),
            "no entry outlives the ttl"
        );
    }

    #[tokio::test]
    async fn the_service_as_built_for_production_works() {
        let pool = open_database().await.unwrap();
        let app = build_app(pool);

        create(&app, "https://a.example", "a").await;
        let read = send(&app, "GET", "/bookmarks/1", None).await;

        assert_eq!(read.0, StatusCode::OK);
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
    async fn refused_writes_answer_as_without_the_cache_and_drop_nothing() {
        let (app, spy) = fixture().await;
        create(&app, "https://a.example", "a").await;
        create(&app, "https://b.example", "b").await;
        send(&app, "GET", "/bookmarks/1", None).await;

        let duplicate = send(
            &app,
            "POST",
            "/bookmarks",
            bookmark("https://a.example", "again"),
        )
        .await;
        let invalid = send(
            &app,
            "PUT",
            "/bookmarks/1",
            bookmark("https://a.example", " "),
        )
        .await;
        let deleted = send(&app, "DELETE", "/bookmarks/2", None).await;
        let again = send(&app, "DELETE", "/bookmarks/2", None).await;
        let read = send(&app, "GET", "/bookmarks/1", None).await;

        assert_eq!(
            duplicate,
            (
                StatusCode::CONFLICT,
                json!({ "error": {
                    "code": "duplicate_url",
                    "message": "a bookmark for https://a.example exists already",
                } })
            ),
            "POST of a url that is saved already"
        );
        assert_eq!(
            invalid,
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                json!({ "error": { "code": "invalid_bookmark", "message": "title must not be empty" } })
            ),
            "PUT with a blank title"
        );
        assert_eq!(deleted.0, StatusCode::NO_CONTENT, "DELETE /bookmarks/2");
        assert_eq!(
            again.0,
            StatusCode::NOT_FOUND,
            "the second DELETE /bookmarks/2"
        );
        assert_eq!(
            read,
            (
                StatusCode::OK,
                json!({ "id": 1, "url": "https://a.example", "title": "a" })
            ),
            "bookmark 1 as it was"
        );
        assert_eq!(
            spy.finds(),
            1,
            "bookmark 1 stayed cached: the refused writes changed nothing, the deletes were of bookmark 2"
        );
    }

    #[tokio::test]
    async fn while_the_database_fails_cached_reads_go_on_and_writes_are_500_with_their_cause_logged()
     {
        capture_causes();
        let (app, spy) = fixture().await;
        create(&app, "https://a.example", "a").await;
        send(&app, "GET", "/bookmarks/1", None).await;
        sqlx::query("DROP TABLE bookmarks")
            .execute(&spy.inner.pool)
            .await
            .unwrap();

        let cached = send(&app, "GET", "/bookmarks/1", None).await;
        let posted = send(
            &app,
            "POST",
            "/bookmarks",
            bookmark("https://b.example", "b"),
        )
        .await;

        assert_eq!(
            cached.0,
            StatusCode::OK,
            "bookmark 1 is served from the cache, without the database"
        );
        assert_eq!(
            posted,
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                json!({ "error": { "code": "internal", "message": "internal error" } })
            ),
            "a failing INSERT is a 500, not a duplicate"
        );
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
