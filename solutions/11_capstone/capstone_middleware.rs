//! # Capstone 4/5: middleware and tracing (solution)

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::extract::{Path, Request, State};
use axum::http::{self, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::sqlite::{SqlitePool, SqlitePoolOptions};
use sqlx::{FromRow, SqlSafeStr};
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::trace::TraceLayer;
use tracing::{Span, field};

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

/// The bookmark routes, as the previous steps built them.
fn bookmark_routes<R: BookmarkRepository>(service: BookmarkService<R>) -> Router {
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

async fn health() -> &'static str {
    "ok"
}

// ---- Middleware: who is calling ---------------------------------------------------

/// Who is calling, once the API key is checked. The auth middleware puts it
/// in the request's extensions; whatever runs after it (the rate limit, a
/// handler) reads it from there and never sees the key itself.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Caller(String);

/// The API keys and whose they are. (Production stores hashes of the keys,
/// compares in constant time, and loads them from a database: topic 08.)
#[derive(Clone)]
struct ApiKeys(Arc<HashMap<String, Caller>>);

/// What a 401 answers in `www-authenticate`: which credentials to send.
const API_KEY_CHALLENGE: &str = "ApiKey header=\"x-api-key\"";

/// Lets a request through only with a known `x-api-key`, and tells the rest
/// of the stack who is calling.
async fn require_api_key(State(keys): State<ApiKeys>, mut req: Request, next: Next) -> Response {
    let caller = req
        .headers()
        .get("x-api-key")
        .and_then(|value| value.to_str().ok())
        .and_then(|key| keys.0.get(key))
        .cloned();
    let Some(caller) = caller else {
        // Answered here: the handler, the rate limit and the database never
        // see the request. The envelope is the service's, and the challenge
        // is required on every 401.
        let mut response = envelope(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "missing or unknown API key",
        );
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static(API_KEY_CHALLENGE),
        );
        return response;
    };
    // The request's span (made by the trace layer, which runs outside this
    // middleware) gets the caller's name: never the key, which is a secret.
    tracing::Span::current().record("caller", caller.0.as_str());
    req.extensions_mut().insert(caller);
    next.run(req).await
}

// ---- Middleware: how often ---------------------------------------------------------

/// The time, injected: tests move it by hand instead of sleeping.
trait Clock: Send + Sync + 'static {
    fn now(&self) -> Instant;
}

struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }
}

/// A fixed window per caller: `limit` requests per `window`, counted from
/// the caller's first request of the window. (Topic 09 builds token buckets;
/// the `governor` crate is the production version of both.)
struct RateLimiter {
    limit: u32,
    window: Duration,
    clock: Arc<dyn Clock>,
    windows: Mutex<HashMap<Caller, (Instant, u32)>>,
}

impl RateLimiter {
    fn new(limit: u32, window: Duration, clock: Arc<dyn Clock>) -> Self {
        Self {
            limit,
            window,
            clock,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one request of `caller`: `Err(wait)` when it is over its limit,
    /// with how long until its window ends.
    fn check(&self, caller: &Caller) -> Result<(), Duration> {
        let now = self.clock.now();
        // A panic while counting cannot leave the counts half-written, so a
        // poisoned lock is still good to use.
        let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        let (started, used) = windows.entry(caller.clone()).or_insert((now, 0));
        if now.duration_since(*started) >= self.window {
            (*started, *used) = (now, 0);
        }
        if *used < self.limit {
            *used += 1;
            Ok(())
        } else {
            Err(self.window - now.duration_since(*started))
        }
    }
}

/// Refuses a caller over its limit with 429 and `Retry-After`.
async fn rate_limit(State(limiter): State<Arc<RateLimiter>>, req: Request, next: Next) -> Response {
    // The caller comes from the auth middleware, which must therefore run
    // first. Limits are per *authenticated* caller: a header the client
    // chose (the raw key, x-forwarded-for) would let it pick a new quota.
    let Some(caller) = req.extensions().get::<Caller>() else {
        // Unreachable when the layers are in order; refusing (rather than
        // letting it through unlimited) keeps a wrong order from failing open.
        return envelope(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal error",
        );
    };
    match limiter.check(caller) {
        Ok(()) => next.run(req).await,
        Err(wait) => {
            // Whole seconds, rounded up: a client retrying after a
            // rounded-down time would be refused once more.
            let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            let mut response = envelope(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                "too many requests; retry later",
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            response
        }
    }
}

// ---- Middleware: which request -------------------------------------------------------

/// Request ids "req-1", "req-2", ...: predictable in tests (production uses
/// tower-http's `MakeRequestUuid`).
#[derive(Clone, Default)]
struct SequentialIds(Arc<AtomicU64>);

impl MakeRequestId for SequentialIds {
    fn make_request_id<B>(&mut self, _request: &http::Request<B>) -> Option<RequestId> {
        let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
        let value = HeaderValue::try_from(format!("req-{n}")).ok()?;
        Some(RequestId::new(value))
    }
}

/// The span every request runs in: every event logged while serving it (the
/// service's, sqlx's, an error's) carries these fields, so one request id
/// finds all of a request's lines. Only what is safe to log: no headers, no
/// body, no query string (tokens hide there too). `caller` and `status` are
/// declared empty and recorded when known; a field not declared here cannot
/// be recorded later.
fn request_span(req: &Request) -> Span {
    let request_id = req
        .extensions()
        .get::<RequestId>()
        .and_then(|id| id.header_value().to_str().ok())
        .unwrap_or("none");
    tracing::info_span!(
        "request",
        request_id,
        method = %req.method(),
        path = req.uri().path(),
        caller = field::Empty,
        status = field::Empty,
    )
}

fn record_status(response: &Response, _latency: Duration, span: &Span) {
    span.record("status", response.status().as_u16());
}

// ---- The application ----------------------------------------------------------------------

/// Everything the layers need besides the service.
struct Layers {
    keys: ApiKeys,
    limiter: Arc<RateLimiter>,
    ids: SequentialIds,
}

fn app<R: BookmarkRepository>(service: BookmarkService<R>, layers: Layers) -> Router {
    // `route_layer` wraps the bookmark routes only, and only once a route
    // matched: /health stays public, an unknown path stays a 404. The last
    // layer added runs first, so read from the bottom: the key is checked,
    // then the caller's quota is counted.
    let api = bookmark_routes(service)
        .route_layer(middleware::from_fn_with_state(layers.limiter, rate_limit))
        .route_layer(middleware::from_fn_with_state(layers.keys, require_api_key));

    // On every request, read from the bottom again: SetRequestId gives the
    // request its id (or keeps the client's); the trace layer opens the span
    // with that id, so everything below, rejections included, is logged in
    // it; PropagateRequestId copies the id onto whatever response comes back.
    Router::new()
        .route("/health", get(health))
        .merge(api)
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_response(record_status),
        )
        .layer(SetRequestIdLayer::x_request_id(layers.ids))
}

fn main() {
    // The tests decide; `main` is for experiments.
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use http_body_util::BodyExt;
    use serde_json::Value;
    use std::collections::BTreeMap;
    use tower::ServiceExt;
    use tracing::field::{Field, Visit};
    use tracing::span::{Attributes, Id, Record};
    use tracing::{Event, Subscriber};
    use tracing_subscriber::layer::{Context, SubscriberExt};
    use tracing_subscriber::registry::LookupSpan;
    use tracing_subscriber::{Layer, Registry};

    // ---- A subscriber that keeps what was logged, for the tests to read ----

    type Fields = BTreeMap<String, String>;

    struct FieldsVisitor<'a>(&'a mut Fields);

    impl Visit for FieldsVisitor<'_> {
        fn record_str(&mut self, field: &Field, value: &str) {
            self.0.insert(field.name().to_string(), value.to_string());
        }

        fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
            self.0
                .insert(field.name().to_string(), format!("{value:?}"));
        }
    }

    /// A span once closed, or an event with the spans it happened in.
    #[derive(Debug, Clone)]
    struct Logged {
        name: String,
        level: tracing::Level,
        fields: Fields,
        /// For an event: the fields of each span around it, innermost first.
        scope: Vec<(String, Fields)>,
        /// For a "request" span: how many were opened before it.
        opened: usize,
    }

    /// A "request" span's place among those opened.
    struct Opened(usize);

    #[derive(Clone, Default)]
    struct Capture {
        spans: Arc<Mutex<Vec<Logged>>>,
        events: Arc<Mutex<Vec<Logged>>>,
        /// "request" spans opened: one closes when its last handle drops,
        /// which the database's worker thread may hold a moment longer.
        requests_opened: Arc<std::sync::atomic::AtomicUsize>,
    }

    impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Capture {
        fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
            let mut fields = Fields::new();
            attrs.record(&mut FieldsVisitor(&mut fields));
            ctx.span(id).unwrap().extensions_mut().insert(fields);
            if attrs.metadata().name() == "request" {
                let opened = self
                    .requests_opened
                    .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                ctx.span(id)
                    .unwrap()
                    .extensions_mut()
                    .insert(Opened(opened));
            }
        }

        fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
            let span = ctx.span(id).unwrap();
            let mut extensions = span.extensions_mut();
            if let Some(fields) = extensions.get_mut::<Fields>() {
                values.record(&mut FieldsVisitor(fields));
            }
        }

        fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
            let mut fields = Fields::new();
            event.record(&mut FieldsVisitor(&mut fields));
            let scope = ctx
                .event_scope(event)
                .map(|spans| {
                    spans
                        .map(|span| {
                            let fields = span.extensions().get::<Fields>().cloned();
                            (span.name().to_string(), fields.unwrap_or_default())
                        })
                        .collect()
                })
                .unwrap_or_default();
            self.events.lock().unwrap().push(Logged {
                name: fields.get("message").cloned().unwrap_or_default(),
                level: *event.metadata().level(),
                fields,
                scope,
                opened: 0,
            });
        }

        fn on_close(&self, id: Id, ctx: Context<'_, S>) {
            let span = ctx.span(&id).unwrap();
            let fields = span
                .extensions()
                .get::<Fields>()
                .cloned()
                .unwrap_or_default();
            self.spans.lock().unwrap().push(Logged {
                name: span.name().to_string(),
                level: *span.metadata().level(),
                fields,
                scope: Vec::new(),
                opened: span.extensions().get::<Opened>().map_or(0, |o| o.0),
            });
        }
    }

    thread_local! {
        /// This thread's capture. Each test runs on a thread of its own (a
        /// current-thread runtime), under one global subscriber: a subscriber
        /// per test (`set_default`) races with the other tests' threads over
        /// which call sites are enabled, and a span goes missing now and then.
        static CURRENT: std::cell::RefCell<Option<Capture>> =
            const { std::cell::RefCell::new(None) };
    }

    /// The global subscriber's layer: a span belongs to the capture of the
    /// thread that opened it (it is closed wherever its last handle drops,
    /// perhaps on a database worker's thread); an event, to the capture of
    /// its span, else of its thread.
    struct PerThread;

    fn current() -> Option<Capture> {
        CURRENT.with(|capture| capture.borrow().clone())
    }

    fn owner<S: Subscriber + for<'a> LookupSpan<'a>>(
        id: &Id,
        ctx: &Context<'_, S>,
    ) -> Option<Capture> {
        ctx.span(id)?.extensions().get::<Capture>().cloned()
    }

    impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for PerThread {
        fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
            if let Some(capture) = current() {
                if let Some(span) = ctx.span(id) {
                    span.extensions_mut().insert(capture.clone());
                }
                capture.on_new_span(attrs, id, ctx);
            }
        }

        fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
            if let Some(capture) = owner(id, &ctx) {
                capture.on_record(id, values, ctx);
            }
        }

        fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
            let of_span = ctx
                .event_span(event)
                .and_then(|span| span.extensions().get::<Capture>().cloned());
            if let Some(capture) = of_span.or_else(current) {
                capture.on_event(event, ctx);
            }
        }

        fn on_close(&self, id: Id, ctx: Context<'_, S>) {
            if let Some(capture) = owner(&id, &ctx) {
                capture.on_close(id, ctx);
            }
        }
    }

    /// A fresh capture for this thread, under the global subscriber.
    fn capture() -> Capture {
        static INSTALLED: std::sync::Once = std::sync::Once::new();
        INSTALLED.call_once(|| {
            tracing::subscriber::set_global_default(Registry::default().with(PerThread)).unwrap();
        });
        // A call site first seen before the subscriber existed may still be
        // marked "never enabled": ask again.
        tracing::callsite::rebuild_interest_cache();
        let log = Capture::default();
        CURRENT.with(|current| *current.borrow_mut() = Some(log.clone()));
        log
    }

    impl Capture {
        /// The fields of every "request" span, once all have closed (within
        /// five seconds: a span still open then is a test failure).
        fn request_spans(&self) -> Vec<Fields> {
            let closed = || {
                let spans = self.spans.lock().unwrap();
                spans.iter().filter(|span| span.name == "request").count()
            };
            let opened = self
                .requests_opened
                .load(std::sync::atomic::Ordering::SeqCst);
            let deadline = std::time::Instant::now() + Duration::from_secs(5);
            while closed() < opened && std::time::Instant::now() < deadline {
                std::thread::yield_now();
            }
            // In the order they were opened: the order they closed in is the
            // order their last handles dropped.
            let spans = self.spans.lock().unwrap();
            let mut requests: Vec<&Logged> =
                spans.iter().filter(|span| span.name == "request").collect();
            requests.sort_by_key(|span| span.opened);
            requests.iter().map(|span| span.fields.clone()).collect()
        }

        fn everything(&self) -> Vec<Logged> {
            let mut all = self.spans.lock().unwrap().clone();
            all.extend(self.events.lock().unwrap().iter().cloned());
            all
        }
    }

    // ---- The service under test ----

    #[derive(Clone)]
    struct ManualClock(Arc<Mutex<Instant>>);

    impl ManualClock {
        fn advance(&self, by: Duration) {
            *self.0.lock().unwrap() += by;
        }
    }

    impl Clock for ManualClock {
        fn now(&self) -> Instant {
            *self.0.lock().unwrap()
        }
    }

    struct Fixture {
        app: Router,
        pool: SqlitePool,
        clock: ManualClock,
        log: Capture,
    }

    /// Alice and Bob have keys; each may make 3 requests a minute.
    async fn fixture() -> Fixture {
        let log = capture();
        let pool = open_database().await.unwrap();
        let clock = ManualClock(Arc::new(Mutex::new(Instant::now())));
        let keys = HashMap::from([
            ("key-alice".to_string(), Caller("alice".to_string())),
            ("key-bob".to_string(), Caller("bob".to_string())),
        ]);
        let layers = Layers {
            keys: ApiKeys(Arc::new(keys)),
            limiter: Arc::new(RateLimiter::new(
                3,
                Duration::from_secs(60),
                Arc::new(clock.clone()),
            )),
            ids: SequentialIds::default(),
        };
        let service = BookmarkService::new(SqliteBookmarks::new(pool.clone()));
        Fixture {
            app: app(service, layers),
            pool,
            clock,
            log,
        }
    }

    struct Answer {
        status: StatusCode,
        headers: http::HeaderMap,
        body: Value,
        /// The body as written, for an answer that is not JSON (`/health`).
        text: String,
    }

    impl Answer {
        fn header(&self, name: &str) -> Option<&str> {
            self.headers.get(name).and_then(|value| value.to_str().ok())
        }
    }

    async fn send(app: &Router, method: &str, uri: &str, headers: &[(&str, &str)]) -> Answer {
        let mut builder = Request::builder().method(method).uri(uri);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let body = if method == "POST" {
            builder = builder.header("content-type", "application/json");
            Body::from(r#"{ "url": "https://docs.rs/tower", "title": "tower" }"#)
        } else {
            Body::empty()
        };
        let response = app
            .clone()
            .oneshot(builder.body(body).unwrap())
            .await
            .unwrap();
        let (parts, body) = response.into_parts();
        let bytes = body.collect().await.unwrap().to_bytes();
        Answer {
            status: parts.status,
            headers: parts.headers,
            body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
            text: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    const ALICE: (&str, &str) = ("x-api-key", "key-alice");
    const BOB: (&str, &str) = ("x-api-key", "key-bob");
    const MALLORY: (&str, &str) = ("x-api-key", "key-mallory");

    // ---- Auth ----

    #[tokio::test]
    async fn a_known_key_gets_through() {
        let f = fixture().await;

        let created = send(&f.app, "POST", "/bookmarks", &[ALICE]).await;
        let listed = send(&f.app, "GET", "/bookmarks", &[BOB]).await;

        assert_eq!(created.status, StatusCode::CREATED);
        assert_eq!(listed.status, StatusCode::OK);
        assert_eq!(listed.body[0]["title"], "tower");
    }

    #[tokio::test]
    async fn no_key_or_an_unknown_key_is_401_in_the_envelope_and_nothing_is_stored() {
        let f = fixture().await;

        let missing = send(&f.app, "POST", "/bookmarks", &[]).await;
        let unknown = send(
            &f.app,
            "POST",
            "/bookmarks",
            &[("x-api-key", "key-mallory")],
        )
        .await;

        for answer in [&missing, &unknown] {
            assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
            assert_eq!(
                answer.body,
                json!({ "error": { "code": "unauthenticated", "message": "missing or unknown API key" } })
            );
            assert_eq!(
                answer.header("www-authenticate"),
                Some(API_KEY_CHALLENGE),
                "HTTP requires a challenge on every 401"
            );
        }
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM bookmarks")
            .fetch_one(&f.pool)
            .await
            .unwrap();
        assert_eq!(count, 0, "a rejected request never reaches the handler");
    }

    #[tokio::test]
    async fn the_health_check_is_public_and_an_unknown_path_is_404() {
        let f = fixture().await;

        let health = send(&f.app, "GET", "/health", &[]).await;
        let unknown = send(&f.app, "GET", "/nope", &[]).await;

        assert_eq!(health.status, StatusCode::OK, "/health needs no key");
        assert_eq!(health.text, "ok", "a load balancer reads the body too");
        assert_eq!(
            unknown.status,
            StatusCode::NOT_FOUND,
            "the key check wraps the matched routes only (route_layer)"
        );
    }

    // ---- Rate limit ----

    #[tokio::test]
    async fn a_caller_over_its_limit_gets_429_with_retry_after_rounded_up() {
        let f = fixture().await;
        for _ in 0..3 {
            let answer = send(&f.app, "GET", "/bookmarks", &[ALICE]).await;
            assert_eq!(
                answer.status,
                StatusCode::OK,
                "the first 3 in a minute pass"
            );
        }
        f.clock.advance(Duration::from_millis(20_500));

        let fourth = send(&f.app, "GET", "/bookmarks", &[ALICE]).await;

        assert_eq!(fourth.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(
            fourth.body,
            json!({ "error": { "code": "rate_limited", "message": "too many requests; retry later" } })
        );
        assert_eq!(
            fourth.header("retry-after"),
            Some("40"),
            "39.5 s are left in the window: retrying after 39 would be refused again"
        );
    }

    #[tokio::test]
    async fn limits_are_per_caller_and_the_window_ends() {
        let f = fixture().await;
        for _ in 0..4 {
            send(&f.app, "GET", "/bookmarks", &[ALICE]).await;
        }

        let bob = send(&f.app, "GET", "/bookmarks", &[BOB]).await;
        f.clock.advance(Duration::from_secs(60));
        let alice_next_minute = send(&f.app, "GET", "/bookmarks", &[ALICE]).await;

        assert_eq!(bob.status, StatusCode::OK, "Alice's requests are not Bob's");
        assert_eq!(alice_next_minute.status, StatusCode::OK, "a new window");
    }

    #[tokio::test]
    async fn requests_with_a_wrong_key_use_nobodys_quota() {
        let f = fixture().await;
        for _ in 0..5 {
            let answer = send(&f.app, "GET", "/bookmarks", &[("x-api-key", "key-alice ")]).await;
            assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
        }

        let alice = send(&f.app, "GET", "/bookmarks", &[ALICE]).await;

        assert_eq!(alice.status, StatusCode::OK);
    }

    // ---- Request ids and tracing ----

    #[tokio::test]
    async fn every_answer_carries_a_request_id_rejections_too() {
        let f = fixture().await;

        let served = send(&f.app, "GET", "/bookmarks", &[ALICE]).await;
        let rejected = send(&f.app, "GET", "/bookmarks", &[]).await;
        let kept = send(&f.app, "GET", "/health", &[("x-request-id", "gw-7f3a")]).await;

        assert_eq!(served.header("x-request-id"), Some("req-1"));
        assert_eq!(rejected.header("x-request-id"), Some("req-2"));
        assert_eq!(
            kept.header("x-request-id"),
            Some("gw-7f3a"),
            "a client's id is kept"
        );
    }

    #[tokio::test]
    async fn each_request_is_one_span_with_its_id_method_path_caller_and_status() {
        let f = fixture().await;

        send(&f.app, "POST", "/bookmarks", &[ALICE]).await;
        send(
            &f.app,
            "GET",
            "/bookmarks/1",
            &[("x-request-id", "gw-7f3a")],
        )
        .await;

        let spans = f.log.request_spans();
        let expected: Vec<Fields> = vec![
            Fields::from([
                ("request_id".into(), "req-1".into()),
                ("method".into(), "POST".into()),
                ("path".into(), "/bookmarks".into()),
                ("caller".into(), "alice".into()),
                ("status".into(), "201".into()),
            ]),
            Fields::from([
                ("request_id".into(), "gw-7f3a".into()),
                ("method".into(), "GET".into()),
                ("path".into(), "/bookmarks/1".into()),
                ("status".into(), "401".into()),
            ]),
        ];
        assert_eq!(
            spans, expected,
            "the fields of each closed \"request\" span"
        );
    }

    #[tokio::test]
    async fn a_500_is_logged_with_its_cause_in_its_requests_span() {
        let f = fixture().await;
        sqlx::query("DROP TABLE bookmarks")
            .execute(&f.pool)
            .await
            .unwrap();

        let answer = send(&f.app, "GET", "/bookmarks", &[ALICE]).await;

        assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR);
        let events = f.log.events.lock().unwrap().clone();
        let failed = events
            .iter()
            .find(|event| event.name == "request failed")
            .expect("an event \"request failed\" for the 500");
        assert_eq!(failed.level, tracing::Level::ERROR);
        assert!(
            failed.fields["cause"].contains("no such table: bookmarks"),
            "the cause chain is in the log: {:?}",
            failed.fields
        );
        let (span, fields) = failed.scope.last().expect("the event is inside a span");
        assert_eq!(span, "request", "the outermost span is the request's");
        assert_eq!(fields.get("request_id").map(String::as_str), Some("req-1"));
    }

    #[tokio::test]
    async fn no_api_key_is_ever_logged() {
        let f = fixture().await;

        send(&f.app, "POST", "/bookmarks", &[ALICE]).await;
        send(&f.app, "GET", "/bookmarks", &[("x-api-key", "key-mallory")]).await;

        let everything = f.log.everything();
        assert!(!everything.is_empty(), "the requests were traced");
        for logged in everything {
            for value in logged.fields.values() {
                assert!(
                    !value.contains("key-alice") && !value.contains("key-mallory"),
                    "an API key was logged in {logged:?}"
                );
            }
        }
    }

    /// Sends `body` as JSON with the `caller`'s key.
    async fn send_json(
        app: &Router,
        method: &str,
        uri: &str,
        caller: (&str, &str),
        body: Value,
    ) -> Answer {
        let request = Request::builder()
            .method(method)
            .uri(uri)
            .header(caller.0, caller.1)
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        let response = app.clone().oneshot(request).await.unwrap();
        let (parts, body) = response.into_parts();
        let bytes = body.collect().await.unwrap().to_bytes();
        Answer {
            status: parts.status,
            headers: parts.headers,
            body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
            text: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    #[tokio::test]
    async fn a_delete_needs_a_key_then_answers_204_and_the_bookmark_is_gone() {
        let f = fixture().await;
        send(&f.app, "POST", "/bookmarks", &[ALICE]).await;

        let anonymous = send(&f.app, "DELETE", "/bookmarks/1", &[]).await;
        let still_there = send(&f.app, "GET", "/bookmarks/1", &[BOB]).await;
        let deleted = send(&f.app, "DELETE", "/bookmarks/1", &[ALICE]).await;
        let gone = send(&f.app, "GET", "/bookmarks/1", &[BOB]).await;
        let again = send(&f.app, "DELETE", "/bookmarks/1", &[ALICE]).await;

        assert_eq!(
            anonymous.status,
            StatusCode::UNAUTHORIZED,
            "DELETE without a key"
        );
        assert_eq!(
            (still_there.status, still_there.body["url"].clone()),
            (StatusCode::OK, json!("https://docs.rs/tower")),
            "a refused DELETE deletes nothing"
        );
        assert_eq!(
            deleted.status,
            StatusCode::NO_CONTENT,
            "DELETE with Alice's key"
        );
        assert_eq!(gone.status, StatusCode::NOT_FOUND, "GET after the DELETE");
        assert_eq!(
            (again.status, again.body),
            (
                StatusCode::NOT_FOUND,
                json!({ "error": { "code": "not_found", "message": "bookmark 1 not found" } })
            ),
            "the second DELETE"
        );
    }

    #[tokio::test]
    async fn behind_the_key_refusals_are_the_services_and_an_unknown_key_changes_nothing() {
        let f = fixture().await;
        send(&f.app, "POST", "/bookmarks", &[ALICE]).await;

        let duplicate = send(&f.app, "POST", "/bookmarks", &[ALICE]).await;
        let blank_title = json!({ "url": "https://docs.rs/tower", "title": " " });
        let invalid = send_json(&f.app, "PUT", "/bookmarks/1", ALICE, blank_title).await;
        let renamed = json!({ "url": "https://docs.rs/tower-http", "title": "tower-http" });
        let unknown = send_json(&f.app, "PUT", "/bookmarks/1", MALLORY, renamed.clone()).await;
        let still = send(&f.app, "GET", "/bookmarks/1", &[BOB]).await;
        let replaced = send_json(&f.app, "PUT", "/bookmarks/1", BOB, renamed).await;

        assert_eq!(
            (duplicate.status, duplicate.body),
            (
                StatusCode::CONFLICT,
                json!({ "error": {
                    "code": "duplicate_url",
                    "message": "a bookmark for https://docs.rs/tower exists already",
                } })
            ),
            "POST of a url that is saved already"
        );
        assert_eq!(
            (invalid.status, invalid.body),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                json!({ "error": { "code": "invalid_bookmark", "message": "title must not be empty" } })
            ),
            "PUT with a blank title"
        );
        assert_eq!(
            (replaced.status, replaced.body),
            (
                StatusCode::OK,
                json!({ "id": 1, "url": "https://docs.rs/tower-http", "title": "tower-http" })
            ),
            "PUT with Bob's key"
        );
        assert_eq!(
            (unknown.status, still.body["title"].clone()),
            (StatusCode::UNAUTHORIZED, json!("tower")),
            "a PUT with an unknown key changes nothing"
        );
    }

    #[tokio::test]
    async fn retry_after_is_exact_when_the_window_ends_on_a_whole_second() {
        let f = fixture().await;
        for _ in 0..3 {
            send(&f.app, "GET", "/bookmarks", &[ALICE]).await;
        }
        f.clock.advance(Duration::from_secs(20));

        let fourth = send(&f.app, "GET", "/bookmarks", &[ALICE]).await;

        assert_eq!(fourth.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(
            fourth.header("retry-after"),
            Some("40"),
            "exactly 40 s are left in the window: 41 would keep the client waiting a second too long"
        );
    }
}
