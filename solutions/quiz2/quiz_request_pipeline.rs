//! # Quiz: a request pipeline (solution)

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde_json::json;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Method {
    Get,
    Put,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Request {
    method: Method,
    path: String,
    headers: BTreeMap<String, String>,
    body: String,
    /// The authenticated caller; set by `RequireAuth`, never by the client.
    user: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Response {
    status: u16,
    headers: BTreeMap<String, String>,
    body: String,
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct StoreError(String);

#[derive(Debug, thiserror::Error)]
enum ApiError {
    #[error("authentication required")]
    Unauthenticated,
    #[error("note {0} not found")]
    NotFound(String),
    #[error("a note must not be empty")]
    EmptyNote,
    #[error("storage failed: {0}")]
    Storage(#[from] StoreError),
}

impl ApiError {
    fn status(&self) -> u16 {
        match self {
            ApiError::Unauthenticated => 401,
            ApiError::NotFound(_) => 404,
            ApiError::EmptyNote => 422,
            ApiError::Storage(_) => 500,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            ApiError::Unauthenticated => "unauthenticated",
            ApiError::NotFound(_) => "not_found",
            ApiError::EmptyNote => "empty_note",
            ApiError::Storage(_) => "internal",
        }
    }
}

/// Every layer of the pipeline, and the endpoint at its end.
trait Handler {
    fn handle(&self, req: Request) -> Result<Response, ApiError>;
}

/// Says whose a bearer token is, or `None`.
trait TokenVerifier {
    fn verify(&self, token: &str) -> Option<String>;
}

trait NoteStore {
    fn get(&self, id: &str) -> Result<Option<String>, StoreError>;
    fn put(&self, id: &str, text: &str, author: &str) -> Result<(), StoreError>;
}

/// The operators' log: where the detail of a 5xx goes, never to the client.
trait Logger {
    fn error(&self, line: &str);
}

// ---- The endpoint (given) ------------------------------------------------

/// `GET /notes/{id}` answers the note's text; `PUT /notes/{id}` stores the
/// body as the note's text (204).
struct NotesEndpoint {
    store: Arc<dyn NoteStore>,
}

impl Handler for NotesEndpoint {
    fn handle(&self, req: Request) -> Result<Response, ApiError> {
        let id = req
            .path
            .strip_prefix("/notes/")
            .ok_or_else(|| ApiError::NotFound(req.path.clone()))?;
        match req.method {
            Method::Get => {
                let text = self
                    .store
                    .get(id)?
                    .ok_or_else(|| ApiError::NotFound(id.to_string()))?;
                Ok(Response {
                    status: 200,
                    body: text,
                    ..Response::default()
                })
            }
            Method::Put => {
                if req.body.trim().is_empty() {
                    return Err(ApiError::EmptyNote);
                }
                let author = req.user.as_deref().unwrap_or("anonymous");
                self.store.put(id, &req.body, author)?;
                Ok(Response {
                    status: 204,
                    ..Response::default()
                })
            }
        }
    }
}

// ---- Middleware ----------------------------------------------------------

/// Requires `authorization: Bearer <token>` with a token `verifier` knows.
struct RequireAuth {
    inner: Box<dyn Handler>,
    verifier: Arc<dyn TokenVerifier>,
}

/// The token of an `authorization: Bearer <token>` header. The scheme is
/// case-insensitive (RFC 9110 §11.1), as in `auth_short_circuit`.
fn bearer_token(header: &str) -> Option<&str> {
    let (scheme, token) = header.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

impl Handler for RequireAuth {
    fn handle(&self, mut req: Request) -> Result<Response, ApiError> {
        let user = req
            .headers
            .get("authorization")
            .and_then(|value| bearer_token(value))
            .and_then(|token| self.verifier.verify(token))
            // Short circuit with an error, not a hand-made response: the
            // error mapping outside turns it into the same JSON as any other.
            .ok_or(ApiError::Unauthenticated)?;
        // Always overwritten, never "kept if present": only this layer may
        // say who the caller is, and a `user` that arrived with the request
        // came from whoever built it.
        req.user = Some(user);
        self.inner.handle(req)
    }
}

/// Caches successful `GET` responses by path; a write to a path drops its
/// entry.
///
/// A cache by path alone is correct only because every authenticated user
/// sees the same note. If responses depended on the caller, the key would
/// have to include the user, or the cache would hand one user's data to
/// another.
struct ResponseCache {
    inner: Box<dyn Handler>,
    entries: RefCell<HashMap<String, Response>>,
}

impl Handler for ResponseCache {
    fn handle(&self, req: Request) -> Result<Response, ApiError> {
        let path = req.path.clone();
        match req.method {
            Method::Get => {
                if let Some(hit) = self.entries.borrow().get(&path) {
                    return Ok(hit.clone());
                }
                let response = self.inner.handle(req)?;
                // Only a 200 is cached: an error (a 404 for a note about to be
                // created, a 500 during an outage) would otherwise outlive its
                // cause. Errors leave through `?` above before reaching here.
                if response.status == 200 {
                    self.entries.borrow_mut().insert(path, response.clone());
                }
                Ok(response)
            }
            Method::Put => {
                let outcome = self.inner.handle(req);
                // After the write, and whatever its outcome: a write that
                // failed or timed out may still have reached the store, and
                // dropping an entry costs only one reload. After, not before:
                // dropping it first lets a read in between cache the old note
                // again. (With concurrent readers even "after" leaves a small
                // window, see `invalidate_on_write`; this `RefCell` cache is
                // single-threaded and has none.)
                self.entries.borrow_mut().remove(&path);
                outcome
            }
        }
    }
}

/// The outermost layer: the only one that returns a bare `Response`, so every
/// error of every inner layer passes through it. The types make it outermost.
struct App {
    inner: Box<dyn Handler>,
    logger: Arc<dyn Logger>,
}

impl App {
    fn serve(&self, req: Request) -> Response {
        match self.inner.handle(req) {
            Ok(response) => response,
            Err(error) => {
                let status = error.status();
                let (code, message) = if status >= 500 {
                    // The detail goes to the log, not to the client. (A real
                    // service logs the whole `source()` chain and a request
                    // id the body repeats, as `internal_errors_hidden` does.)
                    self.logger.error(&error.to_string());
                    ("internal", "internal error".to_string())
                } else {
                    (error.code(), error.to_string())
                };
                let body = json!({ "error": { "code": code, "message": message } });
                let mut response = Response {
                    status,
                    body: body.to_string(),
                    ..Response::default()
                };
                response
                    .headers
                    .insert("content-type".to_string(), "application/json".to_string());
                if status == 401 {
                    // HTTP requires a challenge on every 401 (RFC 9110 §15.5.2).
                    response
                        .headers
                        .insert("www-authenticate".to_string(), "Bearer".to_string());
                }
                response
            }
        }
    }
}

/// The pipeline, outermost first: errors -> auth -> cache -> endpoint.
///
/// Auth goes outside the cache: a cache outside auth would answer anonymous
/// callers from memory, the endpoint's protection bypassed by a hit.
fn build_app(
    store: Arc<dyn NoteStore>,
    verifier: Arc<dyn TokenVerifier>,
    logger: Arc<dyn Logger>,
) -> App {
    let endpoint = NotesEndpoint { store };
    let cache = ResponseCache {
        inner: Box::new(endpoint),
        entries: RefCell::new(HashMap::new()),
    };
    let auth = RequireAuth {
        inner: Box::new(cache),
        verifier,
    };
    App {
        inner: Box::new(auth),
        logger,
    }
}

fn main() {
    // This exercise is checked by its tests.
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};
    use std::sync::Mutex;

    /// A working store that counts reads and remembers authors.
    #[derive(Default)]
    struct CountingStore {
        notes: Mutex<HashMap<String, (String, String)>>,
        reads: Mutex<usize>,
    }

    impl CountingStore {
        fn with_note(id: &str, text: &str) -> Arc<Self> {
            let store = Self::default();
            store
                .notes
                .lock()
                .unwrap()
                .insert(id.to_string(), (text.to_string(), "seed".to_string()));
            Arc::new(store)
        }

        fn reads(&self) -> usize {
            *self.reads.lock().unwrap()
        }

        fn author_of(&self, id: &str) -> Option<String> {
            self.notes.lock().unwrap().get(id).map(|(_, a)| a.clone())
        }
    }

    impl NoteStore for CountingStore {
        fn get(&self, id: &str) -> Result<Option<String>, StoreError> {
            *self.reads.lock().unwrap() += 1;
            Ok(self.notes.lock().unwrap().get(id).map(|(t, _)| t.clone()))
        }

        fn put(&self, id: &str, text: &str, author: &str) -> Result<(), StoreError> {
            self.notes
                .lock()
                .unwrap()
                .insert(id.to_string(), (text.to_string(), author.to_string()));
            Ok(())
        }
    }

    struct DownStore;

    impl NoteStore for DownStore {
        fn get(&self, _: &str) -> Result<Option<String>, StoreError> {
            Err(StoreError(
                "connection refused at 10.0.0.3:5432".to_string(),
            ))
        }

        fn put(&self, _: &str, _: &str, _: &str) -> Result<(), StoreError> {
            Err(StoreError(
                "connection refused at 10.0.0.3:5432".to_string(),
            ))
        }
    }

    struct FakeVerifier;

    impl TokenVerifier for FakeVerifier {
        fn verify(&self, token: &str) -> Option<String> {
            (token == "tok-ada").then(|| "ada".to_string())
        }
    }

    /// Keeps every line logged, for the tests to read.
    #[derive(Default)]
    struct RecordingLogger {
        lines: Mutex<Vec<String>>,
    }

    impl Logger for RecordingLogger {
        fn error(&self, line: &str) {
            self.lines.lock().unwrap().push(line.to_string());
        }
    }

    /// Stores the note, then reports a failure: a write whose answer was
    /// lost (a timeout after the commit).
    struct StoresThenFails(Arc<CountingStore>);

    impl NoteStore for StoresThenFails {
        fn get(&self, id: &str) -> Result<Option<String>, StoreError> {
            self.0.get(id)
        }

        fn put(&self, id: &str, text: &str, author: &str) -> Result<(), StoreError> {
            self.0.put(id, text, author)?;
            Err(StoreError("timed out waiting for the commit".to_string()))
        }
    }

    fn app(store: Arc<dyn NoteStore>) -> App {
        build_app(
            store,
            Arc::new(FakeVerifier),
            Arc::new(RecordingLogger::default()),
        )
    }

    fn request(method: Method, path: &str, token: Option<&str>, body: &str) -> Request {
        let mut headers = BTreeMap::new();
        if let Some(token) = token {
            headers.insert("authorization".to_string(), format!("Bearer {token}"));
        }
        Request {
            method,
            path: path.to_string(),
            headers,
            body: body.to_string(),
            user: None,
        }
    }

    fn get(path: &str) -> Request {
        request(Method::Get, path, Some("tok-ada"), "")
    }

    fn put(path: &str, body: &str) -> Request {
        request(Method::Put, path, Some("tok-ada"), body)
    }

    fn error_of(response: &Response) -> Value {
        assert_eq!(
            response.headers.get("content-type").map(String::as_str),
            Some("application/json")
        );
        serde_json::from_str(&response.body).expect("an error body is JSON")
    }

    #[test]
    fn an_authenticated_read_returns_the_note() {
        let store = CountingStore::with_note("1", "buy milk");

        let response = app(store).serve(get("/notes/1"));

        assert_eq!(response.status, 200);
        assert_eq!(response.body, "buy milk");
    }

    #[test]
    fn a_request_without_a_valid_token_is_a_401_json_error_that_reads_nothing() {
        let store = CountingStore::with_note("1", "buy milk");
        let app = app(store.clone());

        let missing = app.serve(request(Method::Get, "/notes/1", None, ""));
        let invalid = app.serve(request(Method::Get, "/notes/1", Some("tok-eve"), ""));

        for response in [&missing, &invalid] {
            assert_eq!(response.status, 401);
            assert_eq!(
                error_of(response),
                json!({ "error": { "code": "unauthenticated", "message": "authentication required" } })
            );
        }
        assert_eq!(store.reads(), 0);
    }

    #[test]
    fn a_missing_note_is_a_404_json_error() {
        let response = app(Arc::new(CountingStore::default())).serve(get("/notes/9"));

        assert_eq!(response.status, 404);
        assert_eq!(
            error_of(&response),
            json!({ "error": { "code": "not_found", "message": "note 9 not found" } })
        );
    }

    #[test]
    fn an_empty_note_is_a_422_json_error() {
        let response = app(Arc::new(CountingStore::default())).serve(put("/notes/1", "  "));

        assert_eq!(response.status, 422);
        assert_eq!(error_of(&response)["error"]["code"], "empty_note");
    }

    #[test]
    fn a_storage_failure_is_a_500_without_its_detail() {
        let response = app(Arc::new(DownStore)).serve(get("/notes/1"));

        assert_eq!(response.status, 500);
        assert_eq!(
            error_of(&response),
            json!({ "error": { "code": "internal", "message": "internal error" } })
        );
    }

    #[test]
    fn a_storage_failure_leaves_its_detail_in_the_log() {
        let logger = Arc::new(RecordingLogger::default());
        let app = build_app(Arc::new(DownStore), Arc::new(FakeVerifier), logger.clone());

        app.serve(get("/notes/1"));
        app.serve(get("/notes/2"));

        let lines = logger.lines.lock().unwrap().clone();
        assert_eq!(lines.len(), 2, "one line per 5xx: {lines:?}");
        assert!(
            lines[0].contains("connection refused at 10.0.0.3:5432"),
            "the log must say what failed: {lines:?}"
        );
    }

    #[test]
    fn a_client_error_is_not_logged_as_an_error() {
        let logger = Arc::new(RecordingLogger::default());
        let store = Arc::new(CountingStore::default());
        let app = build_app(store, Arc::new(FakeVerifier), logger.clone());

        app.serve(get("/notes/9"));
        app.serve(request(Method::Get, "/notes/9", None, ""));

        assert_eq!(*logger.lines.lock().unwrap(), Vec::<String>::new());
    }

    #[test]
    fn a_401_challenges_the_caller_for_a_bearer_token() {
        let app = app(CountingStore::with_note("1", "buy milk"));

        let missing = app.serve(request(Method::Get, "/notes/1", None, ""));
        let invalid = app.serve(request(Method::Get, "/notes/1", Some("tok-eve"), ""));
        let fine = app.serve(get("/notes/1"));

        for response in [&missing, &invalid] {
            assert_eq!(
                response.headers.get("www-authenticate").map(String::as_str),
                Some("Bearer"),
                "HTTP requires a challenge on every 401"
            );
        }
        assert_eq!(fine.headers.get("www-authenticate"), None);
    }

    #[test]
    fn the_bearer_scheme_is_case_insensitive() {
        let app = app(CountingStore::with_note("1", "buy milk"));
        let with = |authorization: &str| {
            let mut req = request(Method::Get, "/notes/1", None, "");
            req.headers
                .insert("authorization".to_string(), authorization.to_string());
            app.serve(req).status
        };

        assert_eq!(with("bearer tok-ada"), 200);
        assert_eq!(
            with("Basic tok-ada"),
            401,
            "another scheme is no bearer token"
        );
    }

    #[test]
    fn an_identity_sent_with_the_request_is_not_trusted() {
        let store = CountingStore::with_note("1", "buy milk");
        let app = app(store.clone());

        let mut forged = request(Method::Put, "/notes/1", None, "hacked");
        forged.user = Some("ada".to_string());
        let rejected = app.serve(forged);
        let mut spoofed = put("/notes/1", "call Bob");
        spoofed.user = Some("mallory".to_string());
        app.serve(spoofed);

        assert_eq!(rejected.status, 401, "no token, whatever `user` says");
        assert_eq!(
            store.author_of("1").as_deref(),
            Some("ada"),
            "the author is who the token says, not what the request claimed"
        );
    }

    #[test]
    fn a_failed_write_still_invalidates_the_cached_read() {
        let store = CountingStore::with_note("1", "buy milk");
        let app = app(Arc::new(StoresThenFails(store.clone())));

        app.serve(get("/notes/1"));
        let written = app.serve(put("/notes/1", "buy oat milk"));
        let reread = app.serve(get("/notes/1"));

        assert_eq!(written.status, 500);
        assert_eq!(
            reread.body, "buy oat milk",
            "the write reached the store although it reported a failure; the cache must not hide it"
        );
    }

    #[test]
    fn a_second_read_is_served_from_the_cache() {
        let store = CountingStore::with_note("1", "buy milk");
        let app = app(store.clone());

        let first = app.serve(get("/notes/1"));
        let second = app.serve(get("/notes/1"));

        assert_eq!(first, second);
        assert_eq!(store.reads(), 1);
    }

    #[test]
    fn a_write_invalidates_the_cached_read() {
        let store = CountingStore::with_note("1", "buy milk");
        let app = app(store.clone());

        app.serve(get("/notes/1"));
        let written = app.serve(put("/notes/1", "buy oat milk"));
        let reread = app.serve(get("/notes/1"));

        assert_eq!(written.status, 204);
        assert_eq!(reread.body, "buy oat milk");
        assert_eq!(store.reads(), 2);
    }

    #[test]
    fn a_write_records_the_authenticated_user_as_author() {
        let store = Arc::new(CountingStore::default());

        app(store.clone()).serve(put("/notes/2", "call Bob"));

        assert_eq!(store.author_of("2").as_deref(), Some("ada"));
    }

    #[test]
    fn an_error_is_not_cached() {
        let store = Arc::new(CountingStore::default());
        let app = app(store.clone());

        let before = app.serve(get("/notes/3"));
        app.serve(put("/notes/3", "new note"));
        let after = app.serve(get("/notes/3"));

        assert_eq!(before.status, 404);
        assert_eq!(after.status, 200);
        assert_eq!(after.body, "new note");
    }

    #[test]
    fn auth_runs_before_the_cache_so_a_cached_note_is_not_served_anonymously() {
        let store = CountingStore::with_note("1", "the launch date");
        let app = app(store);

        app.serve(get("/notes/1"));
        let anonymous = app.serve(request(Method::Get, "/notes/1", None, ""));

        assert_eq!(anonymous.status, 401, "a cache hit must not bypass auth");
        assert!(!anonymous.body.contains("launch"));
    }

    #[test]
    fn an_unauthenticated_write_changes_nothing() {
        let store = CountingStore::with_note("1", "buy milk");
        let app = app(store.clone());

        app.serve(get("/notes/1"));
        let rejected = app.serve(request(Method::Put, "/notes/1", None, "hacked"));
        let reread = app.serve(get("/notes/1"));

        assert_eq!(rejected.status, 401);
        assert_eq!(reread.body, "buy milk");
        assert_eq!(store.author_of("1").as_deref(), Some("seed"));
    }
}
