//! # Quiz: team notes, signed in
//!
//! A small multi-team notes API on axum, in the shape of everything so far:
//! thin handlers, services that decide, a repository behind a trait, one
//! error type that renders every failure, and now authentication and
//! authorization through all of it. Passwords (Argon2id), tokens (HMAC),
//! the role policy, the handlers and the router are given; the rest is
//! yours.
//!
//! ```text
//!   POST /login {email, password} ──> AuthService::login ──> {"token": ..}
//!   GET|POST /notes, GET|DELETE /notes/{id}
//!     └─ AuthUser (extractor) ──> handler ──> NoteService ──> NoteRepository (team-scoped)
//!   every failure: ApiError ──> IntoResponse ──> status + {"error": {"code", "message"}}
//! ```
//!
//! ## Requirements
//!
//! - **Login.** `AuthService::login` returns a token (`self.tokens.issue`
//!   with the account's id, team and role) for the right password. A wrong
//!   password and an unknown email are both `InvalidCredentials`, and an
//!   unknown email costs one password verification too (against
//!   `self.dummy_hash`). A stored hash that cannot be checked is
//!   `Internal`.
//! - **Authentication.** `AuthUser` is an extractor: no bearer token
//!   (`bearer_token` is given) is `Unauthenticated`; a token that
//!   `tokens.verify` refuses (forged, expired) is `InvalidToken`.
//! - **Errors.** `ApiError` renders as its status with the body
//!   `{"error": {"code": .., "message": <Display>}}`: `unauthenticated`
//!   (401, for `Unauthenticated` and `InvalidCredentials`), `invalid_token`
//!   (401), `forbidden` (403), `not_found` (404), `empty_note` (422),
//!   `internal` (500). Every 401 carries `WWW-Authenticate`: `Bearer`, or
//!   `Bearer error="invalid_token"` for `InvalidToken`; no other status
//!   does. An internal error's cause goes to the log (`tracing::error!`),
//!   never into the body.
//! - **Teams.** A note belongs to a team; the caller's team is the one in
//!   the token, whatever the URL or the body say. `InMemoryNotes` answers
//!   every method for the given team only: another team's note is not
//!   found, exactly like a missing one (404, even for an admin).
//! - **Permissions.** Everyone reads (`ReadNotes`); members and admins write
//!   (`WriteNotes`, else 403); a member deletes only notes it wrote, an
//!   admin (`DeleteAnyNote`) any note of its team. Text is trimmed; an
//!   empty note is `EmptyNote`.
//!
//! Architecture checks: handlers only call services; `NoteService` holds
//! the repository as a trait; neither the handlers nor the service speak
//! of roles (they ask for permissions); the service never filters by team
//! itself (the repository does).
//!
//! ## When not to use it
//!
//! Everything here lives in one process and one in-memory store. With a
//! real database the repository's team predicate moves into SQL (as in
//! `tenant_isolation`); with several services, the token is verified by
//! each of them, or by a gateway that forwards the verified identity over
//! a channel clients cannot reach.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{self, PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use axum::extract::{FromRef, FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::Sha256;

// ---- Identities -----------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
struct TeamId(u64);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
struct UserId(u64);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Role {
    Viewer,
    Member,
    Admin,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Permission {
    ReadNotes,
    WriteNotes,
    DeleteAnyNote,
}

impl Role {
    /// The policy, in one place (given).
    fn grants(self, permission: Permission) -> bool {
        match permission {
            Permission::ReadNotes => true,
            Permission::WriteNotes => matches!(self, Role::Member | Role::Admin),
            Permission::DeleteAnyNote => self == Role::Admin,
        }
    }
}

// ---- Errors ---------------------------------------------------------------------

#[derive(Debug, thiserror::Error)]
#[error("the note store failed: {0}")]
struct StoreError(String);

#[derive(Debug, thiserror::Error)]
enum ApiError {
    #[error("sign in to use this endpoint")]
    Unauthenticated,
    #[error("the access token is invalid or expired")]
    InvalidToken,
    #[error("invalid email or password")]
    InvalidCredentials,
    #[error("you do not have permission to do this")]
    Forbidden,
    #[error("no such note")]
    NotFound,
    #[error("a note must not be empty")]
    EmptyNote,
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        ApiError::Internal(Box::new(error))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        // TODO: status, code and challenge per variant; the JSON envelope;
        // log an Internal error's cause with tracing::error!.
        todo!()
    }
}

// ---- Passwords and tokens (given: the patterns of 08_auth) ----------------------

/// Argon2id password hashes; counts verifications (a metric).
struct Passwords {
    argon2: Argon2<'static>,
    verifications: AtomicU32,
}

impl Passwords {
    fn with_params(params: Params) -> Self {
        Self {
            argon2: Argon2::new(Algorithm::Argon2id, Version::V0x13, params),
            verifications: AtomicU32::new(0),
        }
    }

    fn hash(&self, password: &str) -> Result<String, password_hash::Error> {
        Ok(self.argon2.hash_password(password.as_bytes())?.to_string())
    }

    fn verify(&self, password: &str, stored: &str) -> Result<bool, password_hash::Error> {
        self.verifications.fetch_add(1, Ordering::SeqCst);
        let stored = PasswordHash::new(stored).map_err(password_hash::Error::from)?;
        match self.argon2.verify_password(password.as_bytes(), &stored) {
            Ok(()) => Ok(true),
            Err(password_hash::Error::PasswordInvalid) => Ok(false),
            Err(error) => Err(error),
        }
    }
}

/// Wall-clock seconds since the Unix epoch.
trait Clock: Send + Sync {
    fn unix_now(&self) -> u64;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Claims {
    sub: UserId,
    team: TeamId,
    role: Role,
    exp: u64,
}

/// `<claims>.<mac>` tokens, HMAC-SHA256, checked in constant time.
struct Tokens {
    secret: Vec<u8>,
    clock: Arc<dyn Clock>,
    ttl_secs: u64,
}

impl Tokens {
    fn mac(&self) -> Hmac<Sha256> {
        // HMAC accepts a key of any length, so this cannot fail.
        #[allow(clippy::expect_used)]
        Hmac::new_from_slice(&self.secret).expect("HMAC takes a key of any length")
    }

    fn issue(&self, sub: UserId, team: TeamId, role: Role) -> String {
        let exp = self.clock.unix_now().saturating_add(self.ttl_secs);
        let claims = Claims {
            sub,
            team,
            role,
            exp,
        };
        // Serializing plain numbers and enums cannot fail.
        #[allow(clippy::expect_used)]
        let claims = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).expect("claims serialize"));
        let mut mac = self.mac();
        mac.update(claims.as_bytes());
        let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        format!("{claims}.{signature}")
    }

    fn verify(&self, token: &str) -> Option<Claims> {
        let (claims, signature) = token.split_once('.')?;
        let mut mac = self.mac();
        mac.update(claims.as_bytes());
        mac.verify_slice(&URL_SAFE_NO_PAD.decode(signature).ok()?)
            .ok()?;
        let claims: Claims = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(claims).ok()?).ok()?;
        (self.clock.unix_now() < claims.exp).then_some(claims)
    }
}

// ---- Accounts and login -----------------------------------------------------------

#[derive(Debug, Clone)]
struct Account {
    id: UserId,
    team: TeamId,
    role: Role,
    email: String,
    password_hash: String,
}

trait AccountStore: Send + Sync {
    fn find_by_email(&self, email: &str) -> Option<Account>;
}

struct AuthService {
    accounts: Arc<dyn AccountStore>,
    passwords: Passwords,
    tokens: Tokens,
    dummy_hash: String,
}

impl AuthService {
    /// A token for the account with this email and password. Unknown
    /// emails and wrong passwords get the same error after the same work.
    fn login(&self, email: &str, password: &str) -> Result<String, ApiError> {
        // TODO: the account, the password (the same error and the same work
        // for an unknown email), then a token.
        todo!()
    }
}

// ---- The caller ---------------------------------------------------------------------

/// Who is calling, from a verified token.
#[derive(Debug, Clone, PartialEq, Eq)]
struct AuthUser {
    id: UserId,
    team: TeamId,
    role: Role,
}

impl AuthUser {
    fn can(&self, permission: Permission) -> bool {
        self.role.grants(permission)
    }

    fn require(&self, permission: Permission) -> Result<(), ApiError> {
        if self.can(permission) {
            Ok(())
        } else {
            Err(ApiError::Forbidden)
        }
    }
}

fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

impl<S> FromRequestParts<S> for AuthUser
where
    Arc<AuthService>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        // TODO: the bearer token, verified by the AuthService's tokens
        // (`Arc::<AuthService>::from_ref(state)`), into an AuthUser.
        todo!()
    }
}

// ---- Notes: repository and service ----------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct Note {
    id: u64,
    #[serde(skip)]
    team: TeamId,
    author: UserId,
    text: String,
}

/// Every method takes the team: no note is reachable without one.
trait NoteRepository: Send + Sync {
    fn list(&self, team: TeamId) -> Result<Vec<Note>, StoreError>;
    fn find(&self, team: TeamId, id: u64) -> Result<Option<Note>, StoreError>;
    fn insert(&self, team: TeamId, author: UserId, text: &str) -> Result<Note, StoreError>;
    /// Whether a note of this team was deleted.
    fn delete(&self, team: TeamId, id: u64) -> Result<bool, StoreError>;
}

#[derive(Default)]
struct InMemoryNotes {
    notes: Mutex<Vec<Note>>,
}

impl NoteRepository for InMemoryNotes {
    fn list(&self, team: TeamId) -> Result<Vec<Note>, StoreError> {
        // TODO: the notes of `team`, in id order.
        todo!()
    }

    fn find(&self, team: TeamId, id: u64) -> Result<Option<Note>, StoreError> {
        // TODO: the note `id`, if it is `team`'s.
        todo!()
    }

    fn insert(&self, team: TeamId, author: UserId, text: &str) -> Result<Note, StoreError> {
        let mut notes = self.notes.lock().unwrap_or_else(PoisonError::into_inner);
        let id = notes.iter().map(|n| n.id).max().unwrap_or(0) + 1;
        let note = Note {
            id,
            team,
            author,
            text: text.to_string(),
        };
        notes.push(note.clone());
        Ok(note)
    }

    fn delete(&self, team: TeamId, id: u64) -> Result<bool, StoreError> {
        // TODO: delete the note `id` if it is `team`'s; say whether one was.
        todo!()
    }
}

struct NoteService {
    repo: Arc<dyn NoteRepository>,
}

impl NoteService {
    // TODO: each method asks for its permission, then goes through
    // self.repo with the caller's team.

    fn list(&self, user: &AuthUser) -> Result<Vec<Note>, ApiError> {
        todo!()
    }

    fn get(&self, user: &AuthUser, id: u64) -> Result<Note, ApiError> {
        todo!()
    }

    fn create(&self, user: &AuthUser, text: &str) -> Result<Note, ApiError> {
        todo!()
    }

    /// Members delete their own notes, admins any note of their team;
    /// another team's note is not found, exactly like a missing one.
    fn delete(&self, user: &AuthUser, id: u64) -> Result<(), ApiError> {
        todo!()
    }
}

// ---- HTTP (given) -------------------------------------------------------------------------

#[derive(Clone)]
struct AppState {
    auth: Arc<AuthService>,
    notes: Arc<NoteService>,
}

impl FromRef<AppState> for Arc<AuthService> {
    fn from_ref(state: &AppState) -> Self {
        state.auth.clone()
    }
}

#[derive(Deserialize)]
struct LoginForm {
    email: String,
    password: String,
}

#[derive(Deserialize)]
struct NewNote {
    text: String,
}

async fn login(
    State(state): State<AppState>,
    Json(form): Json<LoginForm>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let token = state.auth.login(&form.email, &form.password)?;
    Ok(Json(json!({ "token": token })))
}

async fn list_notes(
    user: AuthUser,
    State(state): State<AppState>,
) -> Result<Json<Vec<Note>>, ApiError> {
    Ok(Json(state.notes.list(&user)?))
}

async fn get_note(
    user: AuthUser,
    State(state): State<AppState>,
    Path(id): Path<u64>,
) -> Result<Json<Note>, ApiError> {
    Ok(Json(state.notes.get(&user, id)?))
}

async fn create_note(
    user: AuthUser,
    State(state): State<AppState>,
    Json(new): Json<NewNote>,
) -> Result<Response, ApiError> {
    let note = state.notes.create(&user, &new.text)?;
    let location = format!("/notes/{}", note.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(note),
    )
        .into_response())
}

async fn delete_note(
    user: AuthUser,
    State(state): State<AppState>,
    Path(id): Path<u64>,
) -> Result<StatusCode, ApiError> {
    state.notes.delete(&user, id)?;
    Ok(StatusCode::NO_CONTENT)
}

fn app(state: AppState) -> Router {
    Router::new()
        .route("/login", post(login))
        .route("/notes", get(list_notes).post(create_note))
        .route("/notes/{id}", get(get_note).delete(delete_note))
        .with_state(state)
}

fn main() {
    // This exercise is checked by its tests.
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::{Method, Request};
    use http_body_util::BodyExt;
    use serde_json::Value;
    use std::sync::atomic::AtomicU64;
    use tower::ServiceExt;

    const START: u64 = 1_700_000_000;
    const TTL: u64 = 15 * 60;

    struct FakeClock(AtomicU64);

    impl Clock for FakeClock {
        fn unix_now(&self) -> u64 {
            self.0.load(Ordering::SeqCst)
        }
    }

    struct Accounts(HashMap<String, Account>);

    impl AccountStore for Accounts {
        fn find_by_email(&self, email: &str) -> Option<Account> {
            self.0.get(email).cloned()
        }
    }

    /// A store whose disk is full.
    struct BrokenNotes;

    impl NoteRepository for BrokenNotes {
        fn list(&self, _: TeamId) -> Result<Vec<Note>, StoreError> {
            Err(StoreError(
                "disk full on db-7, table team_2_notes".to_string(),
            ))
        }
        fn find(&self, _: TeamId, _: u64) -> Result<Option<Note>, StoreError> {
            Err(StoreError("disk full".to_string()))
        }
        fn insert(&self, _: TeamId, _: UserId, _: &str) -> Result<Note, StoreError> {
            Err(StoreError("disk full".to_string()))
        }
        fn delete(&self, _: TeamId, _: u64) -> Result<bool, StoreError> {
            Err(StoreError("disk full".to_string()))
        }
    }

    struct World {
        app: Router,
        clock: Arc<FakeClock>,
        auth: Arc<AuthService>,
    }

    const ACME: TeamId = TeamId(1);
    const GLOBEX: TeamId = TeamId(2);

    /// Acme: ada (admin), bob (member), vic (viewer); Globex: gus (member).
    /// Every password is "<name> pass". Notes 1 and 2 are Acme's (by bob
    /// and ada), note 3 is Globex's (by gus).
    fn world_with(repo: Arc<dyn NoteRepository>) -> World {
        // TEST-ONLY Argon2 parameters, tiny so that debug builds stay fast.
        let passwords = Passwords::with_params(Params::new(8, 1, 1, None).unwrap());
        let people = [
            (1, ACME, Role::Admin, "ada"),
            (2, ACME, Role::Member, "bob"),
            (3, ACME, Role::Viewer, "vic"),
            (4, GLOBEX, Role::Member, "gus"),
        ];
        let mut accounts = HashMap::new();
        for (id, team, role, name) in people {
            let email = format!("{name}@example.com");
            let account = Account {
                id: UserId(id),
                team,
                role,
                email: email.clone(),
                password_hash: passwords.hash(&format!("{name} pass")).unwrap(),
            };
            accounts.insert(email, account);
        }
        let clock = Arc::new(FakeClock(AtomicU64::new(START)));
        let tokens = Tokens {
            secret: b"test secret, not for production".to_vec(),
            clock: clock.clone(),
            ttl_secs: TTL,
        };
        let dummy_hash = passwords.hash("nobody's password").unwrap();
        let auth = Arc::new(AuthService {
            accounts: Arc::new(Accounts(accounts)),
            passwords,
            tokens,
            dummy_hash,
        });
        let notes = Arc::new(NoteService { repo });
        let app = app(AppState {
            auth: auth.clone(),
            notes,
        });
        World { app, clock, auth }
    }

    fn world() -> World {
        let repo = InMemoryNotes::default();
        repo.insert(ACME, UserId(2), "bob's plan").unwrap();
        repo.insert(ACME, UserId(1), "ada's roadmap").unwrap();
        repo.insert(GLOBEX, UserId(4), "gus's secret").unwrap();
        world_with(Arc::new(repo))
    }

    async fn send(
        world: &World,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Response {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        let body = match body {
            Some(json) => {
                request = request.header("content-type", "application/json");
                Body::from(json.to_string())
            }
            None => Body::empty(),
        };
        world
            .app
            .clone()
            .oneshot(request.body(body).unwrap())
            .await
            .unwrap()
    }

    async fn json_body(response: Response) -> Value {
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        serde_json::from_slice(&bytes).unwrap()
    }

    async fn login_as(world: &World, name: &str) -> String {
        let form =
            json!({ "email": format!("{name}@example.com"), "password": format!("{name} pass") });
        let response = send(world, Method::POST, "/login", None, Some(form)).await;
        assert_eq!(response.status(), StatusCode::OK, "login as {name}");
        json_body(response).await["token"]
            .as_str()
            .unwrap()
            .to_string()
    }

    fn texts(body: &Value) -> Vec<&str> {
        body.as_array()
            .unwrap()
            .iter()
            .map(|note| note["text"].as_str().unwrap())
            .collect()
    }

    #[tokio::test]
    async fn a_login_returns_a_token_that_opens_the_teams_notes() {
        let world = world();

        let token = login_as(&world, "bob").await;
        let response = send(&world, Method::GET, "/notes", Some(&token), None).await;

        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            json_body(response).await,
            json!([
                { "id": 1, "author": 2, "text": "bob's plan" },
                { "id": 2, "author": 1, "text": "ada's roadmap" },
            ])
        );
    }

    #[tokio::test]
    async fn a_wrong_password_and_an_unknown_email_are_the_same_401_after_the_same_work() {
        let world = world();
        let attempts = [
            json!({ "email": "bob@example.com", "password": "ada pass" }),
            json!({ "email": "eve@example.com", "password": "bob pass" }),
        ];

        let mut answers = Vec::new();
        for form in attempts {
            let before = world.auth.passwords.verifications.load(Ordering::SeqCst);
            let response = send(&world, Method::POST, "/login", None, Some(form)).await;
            let work = world.auth.passwords.verifications.load(Ordering::SeqCst) - before;
            let status = response.status();
            let challenge = response.headers().get("www-authenticate").cloned();
            answers.push((status, challenge, json_body(response).await, work));
        }

        assert_eq!(answers[0].0, StatusCode::UNAUTHORIZED);
        assert_eq!(
            answers[0].1.as_ref().map(|v| v.to_str().unwrap()),
            Some("Bearer")
        );
        assert_eq!(
            answers[0].2,
            json!({ "error": { "code": "unauthenticated", "message": "invalid email or password" } })
        );
        assert_eq!(
            answers[0], answers[1],
            "the answer must not tell which emails exist"
        );
        assert_eq!(
            answers[1].3, 1,
            "an unknown email costs one verification too"
        );
    }

    #[tokio::test]
    async fn no_token_is_401_with_a_challenge_in_the_error_envelope() {
        let world = world();

        let response = send(&world, Method::GET, "/notes", None, None).await;

        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(response.headers()["www-authenticate"], "Bearer");
        assert_eq!(
            json_body(response).await,
            json!({ "error": { "code": "unauthenticated", "message": "sign in to use this endpoint" } })
        );

        let token = login_as(&world, "bob").await;
        let basic = Request::builder()
            .uri("/notes")
            .header("authorization", format!("Basic {token}"))
            .body(Body::empty())
            .unwrap();
        let response = world.app.clone().oneshot(basic).await.unwrap();
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "a token sent under another scheme is no bearer token"
        );
    }

    #[tokio::test]
    async fn a_forged_or_expired_token_is_401_invalid_token() {
        let world = world();
        let token = login_as(&world, "bob").await;
        let (claims, signature) = token.split_once('.').unwrap();
        let promoted = String::from_utf8(URL_SAFE_NO_PAD.decode(claims).unwrap())
            .unwrap()
            .replace("member", "admin");
        let forged = format!("{}.{signature}", URL_SAFE_NO_PAD.encode(promoted));

        let response = send(&world, Method::GET, "/notes", Some(&forged), None).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            response.headers()["www-authenticate"],
            r#"Bearer error="invalid_token""#
        );

        world.clock.0.fetch_add(TTL, Ordering::SeqCst);
        let response = send(&world, Method::GET, "/notes", Some(&token), None).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(json_body(response).await["error"]["code"], "invalid_token");
    }

    #[tokio::test]
    async fn each_team_sees_only_its_own_notes() {
        let world = world();
        let gus = login_as(&world, "gus").await;

        let response = send(&world, Method::GET, "/notes", Some(&gus), None).await;

        assert_eq!(texts(&json_body(response).await), ["gus's secret"]);
    }

    #[tokio::test]
    async fn another_teams_note_is_not_found_like_a_missing_one() {
        let world = world();
        let gus = login_as(&world, "gus").await;
        let ada = login_as(&world, "ada").await;

        let read = send(&world, Method::GET, "/notes/1", Some(&gus), None).await;
        let deleted = send(&world, Method::DELETE, "/notes/3", Some(&ada), None).await;
        let missing = send(&world, Method::GET, "/notes/99", Some(&gus), None).await;

        assert_eq!(read.status(), StatusCode::NOT_FOUND);
        assert_eq!(deleted.status(), StatusCode::NOT_FOUND, "even for an admin");
        let (read, missing) = (json_body(read).await, json_body(missing).await);
        assert_eq!(
            read, missing,
            "another team's note and no note look the same"
        );
        let own = send(&world, Method::GET, "/notes/3", Some(&gus), None).await;
        assert_eq!(json_body(own).await["text"], "gus's secret");
    }

    #[tokio::test]
    async fn a_viewer_reads_but_may_not_write() {
        let world = world();
        let vic = login_as(&world, "vic").await;

        let read = send(&world, Method::GET, "/notes/2", Some(&vic), None).await;
        let write = send(
            &world,
            Method::POST,
            "/notes",
            Some(&vic),
            Some(json!({ "text": "hello" })),
        )
        .await;

        assert_eq!(read.status(), StatusCode::OK);
        assert_eq!(write.status(), StatusCode::FORBIDDEN);
        assert!(
            write.headers().get("www-authenticate").is_none(),
            "a 403 is not a login problem: no challenge"
        );
        assert_eq!(json_body(write).await["error"]["code"], "forbidden");
    }

    #[tokio::test]
    async fn a_member_creates_a_note_in_the_team_of_its_token() {
        let world = world();
        let gus = login_as(&world, "gus").await;

        let created = send(
            &world,
            Method::POST,
            "/notes",
            Some(&gus),
            Some(json!({ "text": "  quarterly numbers ", "team": 1 })),
        )
        .await;

        assert_eq!(created.status(), StatusCode::CREATED);
        assert_eq!(created.headers()["location"], "/notes/4");
        assert_eq!(
            json_body(created).await,
            json!({ "id": 4, "author": 4, "text": "quarterly numbers" })
        );
        let bob = login_as(&world, "bob").await;
        let acme = send(&world, Method::GET, "/notes", Some(&bob), None).await;
        assert_eq!(
            texts(&json_body(acme).await),
            ["bob's plan", "ada's roadmap"],
            "the team comes from the token, not from the body"
        );
    }

    #[tokio::test]
    async fn an_empty_note_is_422() {
        let world = world();
        let bob = login_as(&world, "bob").await;

        let response = send(
            &world,
            Method::POST,
            "/notes",
            Some(&bob),
            Some(json!({ "text": "   " })),
        )
        .await;

        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            json_body(response).await,
            json!({ "error": { "code": "empty_note", "message": "a note must not be empty" } })
        );
    }

    #[tokio::test]
    async fn members_delete_their_own_notes_and_admins_any_of_their_team() {
        let world = world();
        let bob = login_as(&world, "bob").await;
        let ada = login_as(&world, "ada").await;

        let others = send(&world, Method::DELETE, "/notes/2", Some(&bob), None).await;
        let own = send(&world, Method::DELETE, "/notes/1", Some(&bob), None).await;
        let by_admin = send(&world, Method::DELETE, "/notes/2", Some(&ada), None).await;
        let again = send(&world, Method::DELETE, "/notes/2", Some(&ada), None).await;

        assert_eq!(others.status(), StatusCode::FORBIDDEN);
        assert_eq!(own.status(), StatusCode::NO_CONTENT);
        assert_eq!(by_admin.status(), StatusCode::NO_CONTENT);
        assert_eq!(again.status(), StatusCode::NOT_FOUND);
        let left = send(&world, Method::GET, "/notes", Some(&ada), None).await;
        assert_eq!(texts(&json_body(left).await), Vec::<&str>::new());
    }

    #[test]
    fn the_repository_answers_for_the_given_team_only() {
        let repo = InMemoryNotes::default();
        let acme = repo.insert(ACME, UserId(2), "bob's plan").unwrap();
        let globex = repo.insert(GLOBEX, UserId(4), "gus's secret").unwrap();

        assert_eq!(repo.find(GLOBEX, acme.id).unwrap(), None);
        assert_eq!(repo.list(GLOBEX).unwrap(), [globex]);
        assert!(!repo.delete(GLOBEX, acme.id).unwrap());
        assert_eq!(repo.find(ACME, acme.id).unwrap(), Some(acme.clone()));
        assert!(repo.delete(ACME, acme.id).unwrap());
        assert_eq!(repo.list(ACME).unwrap(), []);
    }

    #[tokio::test]
    async fn a_storage_failure_is_a_generic_500() {
        let world = world_with(Arc::new(BrokenNotes));
        let bob = login_as(&world, "bob").await;

        let response = send(&world, Method::GET, "/notes", Some(&bob), None).await;

        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(
            json_body(response).await,
            json!({ "error": { "code": "internal", "message": "internal error" } }),
            "the store's message (hosts, tables) stays in the log"
        );
    }
}
