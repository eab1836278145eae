//! # Capstone 2/5: a repository on sqlx and SQLite
//!
//! Step 1 put Stash's routes on axum over a `BookmarkRepository` trait with
//! an in-memory adapter. This step writes the adapter the service will run
//! on: **sqlx** over SQLite, with the schema as **migrations** that run when
//! the database opens. Nothing above the trait changes; that is the point of
//! having it.
//!
//! ```text
//!   handlers ──> BookmarkService ──> BookmarkRepository (trait)
//!                                        │
//!                                    SqliteBookmarks ──> SqlitePool ──> SQLite
//!                                        (SQL, binds,      (connections)  (in memory
//!                                         row mapping)                     for tests)
//!   open_database: connect, then run the migrations, then serve
//! ```
//!
//! sqlx is async and pure Rust; its compile-time checked `query!` macros need
//! a database (or saved `.sqlx` data) while compiling, so this workbook uses
//! the runtime-checked `sqlx::query` and `sqlx::query_as` with a `FromRow`
//! struct. Same driver, same binds; the SQL is checked when it runs (the
//! tests run every statement).
//!
//! ## The problem
//!
//! The hackathon's `BTreeMap` forgot everything on every deploy. The team
//! wants SQLite now (Postgres later, behind the same trait), a schema that
//! is versioned with the code, and no SQL injection: the first bug report
//! was a bookmark titled `Rust's "ownership"` that broke a hand-built query.
//!
//! ## Your task
//!
//! 1. `CREATE_BOOKMARKS`: the table `bookmarks` with `id INTEGER PRIMARY KEY`,
//!    and `url` and `title`, both `TEXT NOT NULL`; a second bookmark for the
//!    same url must be refused by the database (`UNIQUE`).
//! 2. `open_database`: an in-memory pool that never closes its connection
//!    (read the comment there), then run `migrator()` on it.
//! 3. `insert`, `replace`, `delete` of `SqliteBookmarks`: SQL with `?`
//!    placeholders and `.bind(..)` for every value. `find` and `list` show
//!    the shape. `replace` and `delete` report an unknown id as `None` and
//!    `false`, not as an error.
//!
//! ## When not to use it
//!
//! A repository trait over sqlx pays off when the storage may change or the
//! service is tested without a database. A small tool that will only ever
//! talk to one SQLite file can call sqlx from its functions directly; and
//! when every query is known at build time and CI has a database, the
//! `query!` macros catch a wrong column before the tests run.

use std::future::Future;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::sqlite::SqlitePool;
use sqlx::{FromRow, SqlSafeStr};

// ---- Domain ----------------------------------------------------------------

/// A saved link. `FromRow` maps a row's columns to the fields by name, so a
/// query that selects `id, url, title` reads straight into it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
struct Bookmark {
    id: i64,
    url: String,
    title: String,
}

/// What a client sends to create or replace a bookmark.
#[derive(Debug, Clone, Deserialize)]
struct NewBookmark {
    url: String,
    title: String,
}

// ---- Storage: the port -------------------------------------------------------

/// Storage failed. It keeps sqlx's error as its source, for the logs; the next
/// step tells a duplicate URL from a database that is down.
#[derive(Debug, thiserror::Error)]
#[error("storage failed")]
struct StoreError(#[from] sqlx::Error);

/// The storage port, unchanged from step 1: the routes and the service do not
/// notice that SQLite is now behind it.
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

// ---- Storage: the SQLite adapter ---------------------------------------------

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

/// The first migration: the bookmarks table.
// TODO: give the table its `url` and `title` columns (TEXT, never NULL), and
// let the database refuse a second bookmark with the same url.
const CREATE_BOOKMARKS: &str = "
    CREATE TABLE bookmarks (
        id    INTEGER PRIMARY KEY
    )";

/// Opens the database and brings its schema up to date: migrations run at
/// start, before the first request, so no handler ever sees an old schema.
async fn open_database() -> Result<SqlitePool, sqlx::Error> {
    // TODO: an in-memory SQLite database lives as long as a connection to it
    // is open, and a pool closes idle connections (after 10 minutes by
    // default) and old ones (after 30). Build the pool with
    // SqlitePoolOptions so that its connection is never closed (one
    // connection is enough), then run the migrations: migrator().run(&pool).
    let pool = SqlitePool::connect("sqlite::memory:").await?;
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
        // TODO: INSERT the url and title, and return the stored row (its id
        // is assigned by the database; `RETURNING id, url, title` gives it).
        let _ = new;
        Err(not_written())
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
        // TODO: UPDATE the bookmark's url and title; None when there is no
        // bookmark `id`.
        let _ = (id, new);
        Err(not_written())
    }

    async fn delete(&self, id: i64) -> Result<bool, StoreError> {
        // TODO: DELETE the bookmark; false when there was none.
        let _ = id;
        Err(not_written())
    }
}

/// What the unwritten methods answer until you write them.
fn not_written() -> StoreError {
    StoreError(sqlx::Error::Protocol("not written yet".into()))
}

// ---- Service (unchanged) -----------------------------------------------------

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

// ---- HTTP (step 1's answer) -----------------------------------------------------

/// Every storage failure answers the same, for now: the next step makes it
/// precise.
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

    async fn database() -> SqlitePool {
        open_database().await.expect("open_database failed")
    }

    fn test_app(pool: &SqlitePool) -> Router {
        app(BookmarkService::new(SqliteBookmarks::new(pool.clone())))
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

    /// The rows as the table holds them, read without the repository.
    async fn rows(pool: &SqlitePool) -> Vec<(i64, String, String)> {
        sqlx::query_as("SELECT id, url, title FROM bookmarks ORDER BY id")
            .fetch_all(pool)
            .await
            .unwrap()
    }

    fn new_bookmark(url: &str, title: &str) -> NewBookmark {
        NewBookmark {
            url: url.to_string(),
            title: title.to_string(),
        }
    }

    #[tokio::test]
    async fn migrations_run_when_the_database_opens() {
        let pool = database().await;

        let versions: Vec<i64> =
            sqlx::query_scalar("SELECT version FROM _sqlx_migrations ORDER BY version")
                .fetch_all(&pool)
                .await
                .expect("no _sqlx_migrations table: run the migrator in open_database");
        assert_eq!(versions, vec![1], "migration 1 is recorded as applied");
        let columns: Vec<String> =
            sqlx::query_scalar("SELECT name FROM pragma_table_info('bookmarks')")
                .fetch_all(&pool)
                .await
                .unwrap();
        assert_eq!(columns, vec!["id", "url", "title"]);
    }

    #[tokio::test]
    async fn the_in_memory_database_is_never_closed_under_the_service() {
        let pool = database().await;

        let options = pool.options();
        assert_eq!(
            options.get_idle_timeout(),
            None,
            "an idle connection closed by the pool takes the in-memory database with it"
        );
        assert_eq!(
            options.get_max_lifetime(),
            None,
            "a connection retired for its age takes the in-memory database with it"
        );
    }

    #[tokio::test]
    async fn a_created_bookmark_is_a_row_and_can_be_read_back() {
        let pool = database().await;
        let app = test_app(&pool);

        let created = send(
            &app,
            request(
                "POST",
                "/bookmarks",
                Some(json!({ "url": "https://docs.rs/sqlx", "title": "sqlx" })),
            ),
        )
        .await;

        assert_eq!(created.status(), StatusCode::CREATED);
        assert_eq!(created.headers()["location"], "/bookmarks/1");
        assert_eq!(
            rows(&pool).await,
            vec![(1, "https://docs.rs/sqlx".to_string(), "sqlx".to_string())]
        );
        let read = send(&app, request("GET", "/bookmarks/1", None)).await;
        assert_eq!(
            json_body(read).await,
            json!({ "id": 1, "url": "https://docs.rs/sqlx", "title": "sqlx" })
        );
    }

    #[tokio::test]
    async fn ids_follow_insertion_order_and_the_list_keeps_it() {
        let pool = database().await;
        let repo = SqliteBookmarks::new(pool.clone());

        let first = repo
            .insert(new_bookmark("https://z.example", "zebra"))
            .await
            .unwrap();
        let second = repo
            .insert(new_bookmark("https://a.example", "aardvark"))
            .await
            .unwrap();
        let response = send(&test_app(&pool), request("GET", "/bookmarks", None)).await;

        assert_eq!((first.id, second.id), (1, 2));
        assert_eq!(
            json_body(response).await,
            json!([
                { "id": 1, "url": "https://z.example", "title": "zebra" },
                { "id": 2, "url": "https://a.example", "title": "aardvark" },
            ])
        );
    }

    #[tokio::test]
    async fn replacing_updates_the_row_and_an_unknown_id_is_404() {
        let pool = database().await;
        let app = test_app(&pool);
        let repo = SqliteBookmarks::new(pool.clone());
        repo.insert(new_bookmark("https://a.example", "a"))
            .await
            .unwrap();
        repo.insert(new_bookmark("https://b.example", "b"))
            .await
            .unwrap();

        let replaced = send(
            &app,
            request(
                "PUT",
                "/bookmarks/2",
                Some(json!({ "url": "https://c.example", "title": "c" })),
            ),
        )
        .await;
        let unknown = send(
            &app,
            request(
                "PUT",
                "/bookmarks/9",
                Some(json!({ "url": "https://d.example", "title": "d" })),
            ),
        )
        .await;

        assert_eq!(replaced.status(), StatusCode::OK);
        assert_eq!(
            json_body(replaced).await,
            json!({ "id": 2, "url": "https://c.example", "title": "c" })
        );
        assert_eq!(unknown.status(), StatusCode::NOT_FOUND, "PUT /bookmarks/9");
        assert_eq!(
            rows(&pool).await,
            vec![
                (1, "https://a.example".to_string(), "a".to_string()),
                (2, "https://c.example".to_string(), "c".to_string()),
            ],
            "only bookmark 2 changed"
        );
    }

    #[tokio::test]
    async fn deleting_removes_the_row_and_an_unknown_id_is_404() {
        let pool = database().await;
        let app = test_app(&pool);
        let repo = SqliteBookmarks::new(pool.clone());
        repo.insert(new_bookmark("https://a.example", "a"))
            .await
            .unwrap();
        repo.insert(new_bookmark("https://b.example", "b"))
            .await
            .unwrap();

        let deleted = send(&app, request("DELETE", "/bookmarks/1", None)).await;
        let again = send(&app, request("DELETE", "/bookmarks/1", None)).await;

        assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
        assert_eq!(again.status(), StatusCode::NOT_FOUND, "the second DELETE");
        assert_eq!(
            rows(&pool).await,
            vec![(2, "https://b.example".to_string(), "b".to_string())]
        );
    }

    #[tokio::test]
    async fn values_are_bound_never_spliced_into_the_sql() {
        let pool = database().await;
        let repo = SqliteBookmarks::new(pool.clone());
        let title = "Rust's \"ownership\"'); DROP TABLE bookmarks; --";

        let stored = repo
            .insert(new_bookmark("https://q.example/?a='1'", title))
            .await;
        let replaced = repo
            .replace(1, new_bookmark("https://q.example/?b='2'", title))
            .await;

        assert_eq!(stored.unwrap().title, title);
        assert_eq!(
            replaced.unwrap().map(|b| b.url),
            Some("https://q.example/?b='2'".to_string())
        );
        assert_eq!(
            rows(&pool).await[0].2,
            title,
            "the title is stored as written"
        );
    }

    #[tokio::test]
    async fn the_schema_refuses_a_second_bookmark_for_the_same_url() {
        let pool = database().await;
        let repo = SqliteBookmarks::new(pool.clone());
        repo.insert(new_bookmark("https://a.example", "first"))
            .await
            .unwrap();

        let second = repo
            .insert(new_bookmark("https://a.example", "second"))
            .await;

        assert!(second.is_err(), "a UNIQUE constraint on url refuses it");
        assert_eq!(rows(&pool).await.len(), 1);
    }

    #[tokio::test]
    async fn an_unknown_id_is_none_not_an_error() {
        let pool = database().await;
        let repo = SqliteBookmarks::new(pool.clone());

        assert!(
            matches!(repo.find(3).await, Ok(None)),
            "find(3) on an empty table"
        );
        assert!(matches!(
            repo.replace(3, new_bookmark("https://x.example", "x"))
                .await,
            Ok(None)
        ));
        assert!(matches!(repo.delete(3).await, Ok(false)));
    }

    #[tokio::test]
    async fn a_database_that_fails_answers_500_on_every_route() {
        let pool = database().await;
        let app = test_app(&pool);
        let repo = SqliteBookmarks::new(pool.clone());
        repo.insert(new_bookmark("https://a.example", "a"))
            .await
            .unwrap();
        sqlx::query("DROP TABLE bookmarks")
            .execute(&pool)
            .await
            .unwrap();
        let requests = [
            (
                "POST",
                "/bookmarks",
                Some(json!({ "url": "https://b.example", "title": "b" })),
            ),
            ("GET", "/bookmarks", None),
            ("GET", "/bookmarks/1", None),
            (
                "PUT",
                "/bookmarks/1",
                Some(json!({ "url": "https://c.example", "title": "c" })),
            ),
            ("DELETE", "/bookmarks/1", None),
        ];

        for (method, uri, body) in requests {
            let response = send(&app, request(method, uri, body)).await;

            assert_eq!(
                response.status(),
                StatusCode::INTERNAL_SERVER_ERROR,
                "{method} {uri} with the table gone: 500, the server's fault, never a success"
            );
        }
    }
}
