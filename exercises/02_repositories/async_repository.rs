//! # Repository: async traits behind an axum handler
//!
//! A real repository awaits its database, so its trait is async. Rust has
//! `async fn` in traits, and a service generic over such a trait compiles
//! and passes its unit tests. Then it meets a web server, and two questions
//! a synchronous trait never raised come up:
//!
//! - **Is the future `Send`?** axum runs handlers on a multi-threaded
//!   runtime, where a task may move to another thread at any `.await`, so a
//!   handler's future must be `Send`. Inside a generic handler the compiler
//!   knows only what the trait promises, and an `async fn` in a trait
//!   promises nothing about `Send`.
//! - **Can it be `dyn`?** A trait object needs one return type for every
//!   implementation; each `async fn` returns its own anonymous future. An
//!   `async fn` trait cannot be used as `dyn Trait`.
//!
//! ## The problem
//!
//! The team moved its user store to sqlx, and every repository method
//! became `async fn`. `UserService<R>` compiled; `app`, the router, did not:
//! "the trait bound `fn(..) {get_profile::<R>}: Handler<_, _>` is not
//! satisfied", a page of it. Then operations asked for the avatar store to
//! be chosen from the config at startup (this server, a CDN, or none), and
//! `Arc<dyn AvatarStore>` was refused too.
//!
//! **This file does not compile yet: the compiler's errors are where the
//! exercise starts.** First `AvatarStore` is "not dyn compatible". Once it
//! is, "future cannot be sent between threads safely" appears: the test
//! helpers `profile_from_any_store` and `rename_in_any_store` ask for `Send`
//! futures directly, and so say plainly what the router's "`Handler<_, _>`
//! is not satisfied" means.
//!
//! ## Your task
//!
//! 1. `AvatarStore` is used as `Arc<dyn AvatarStore>`. Make it
//!    dyn-compatible: put `#[async_trait]` (from the `async_trait` crate) on
//!    the trait and on each of its impls, or return
//!    `Pin<Box<dyn Future<Output = ..> + Send + '_>>` by hand, which is what
//!    that macro writes.
//! 2. `UserRepository` is used through a type parameter. Make its futures
//!    `Send` as part of the contract: write each method as
//!    `fn find(&self, id: UserId) -> impl Future<Output = ..> + Send;`.
//!    The implementations can stay `async fn`.
//! 3. `UserService::rename`: trim the name and refuse a blank one, load the
//!    user, change the name, save, and answer with the new profile. Every
//!    repository call returns a future: nothing happens until it is awaited.
//!
//! The router at the bottom (`app`) is done: axum sends `GET /users/{id}`
//! to `get_profile` and `PUT /users/{id}/name` to `rename_user`, each
//! handler taking the shared service from the router's `State` and the id
//! from the `Path`. The tests call it with `oneshot`, no port opened. A
//! check makes sure the handlers leave the work to the service, and that
//! nothing runs a future on a blocking thread to dodge the `Send` bound.
//!
//! ## When not to use it
//!
//! Don't box every trait by reflex: `#[async_trait]` allocates on each call
//! and hides the future's type. Keep `impl Future + Send` for the traits
//! your services take as type parameters, and box only where you need
//! `dyn`. And a trait whose one implementation never awaits anything
//! (a cache in memory) can simply stay synchronous.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct UserId(u64);

#[derive(Debug, Clone, PartialEq, Eq)]
struct User {
    id: UserId,
    name: String,
}

#[derive(Debug, thiserror::Error)]
#[error("the user store is unavailable")]
struct RepoError;

// ---- The ports --------------------------------------------------------------------

/// Users, wherever they are kept (Postgres through sqlx in production).
// TODO: promise that the returned futures are `Send`.
trait UserRepository {
    async fn find(&self, id: UserId) -> Result<Option<User>, RepoError>;
    async fn save(&self, user: User) -> Result<(), RepoError>;
}

/// Where avatar images are kept: on this server, on a CDN, or nowhere,
/// chosen from the config at startup.
// TODO: make it usable as `dyn AvatarStore` (`#[async_trait]` on the trait
// and its impls, or boxed futures by hand).
trait AvatarStore: Send + Sync {
    async fn avatar_url(&self, id: UserId) -> Option<String>;
}

// ---- Adapters ---------------------------------------------------------------------

/// The in-memory twin of the Postgres adapter.
#[derive(Default)]
struct InMemoryUsers {
    users: Mutex<HashMap<UserId, User>>,
}

impl InMemoryUsers {
    fn with(users: &[(u64, &str)]) -> Self {
        let users = users
            .iter()
            .map(|&(id, name)| {
                let user = User {
                    id: UserId(id),
                    name: name.to_string(),
                };
                (user.id, user)
            })
            .collect();
        Self {
            users: Mutex::new(users),
        }
    }
}

impl UserRepository for InMemoryUsers {
    async fn find(&self, id: UserId) -> Result<Option<User>, RepoError> {
        let users = self.users.lock().map_err(|_| RepoError)?;
        Ok(users.get(&id).cloned())
    }

    async fn save(&self, user: User) -> Result<(), RepoError> {
        let mut users = self.users.lock().map_err(|_| RepoError)?;
        users.insert(user.id, user);
        Ok(())
    }
}

/// Avatars served by this application.
struct LocalAvatars;

impl AvatarStore for LocalAvatars {
    async fn avatar_url(&self, id: UserId) -> Option<String> {
        Some(format!("/avatars/{}.png", id.0))
    }
}

/// Avatars on a CDN (in production, a HEAD request to see if one exists).
struct CdnAvatars {
    base_url: String,
}

impl AvatarStore for CdnAvatars {
    async fn avatar_url(&self, id: UserId) -> Option<String> {
        Some(format!("{}/u/{}.png", self.base_url, id.0))
    }
}

/// Avatars switched off.
struct NoAvatars;

impl AvatarStore for NoAvatars {
    async fn avatar_url(&self, _id: UserId) -> Option<String> {
        None
    }
}

/// The avatar store the `avatars` setting names: `local`, `none` or
/// `cdn:<base url>`.
fn avatar_store(setting: &str) -> Option<Arc<dyn AvatarStore>> {
    match setting {
        "local" => Some(Arc::new(LocalAvatars)),
        "none" => Some(Arc::new(NoAvatars)),
        _ => {
            let base_url = setting.strip_prefix("cdn:")?.to_string();
            Some(Arc::new(CdnAvatars { base_url }))
        }
    }
}

// ---- The service ------------------------------------------------------------------

const DEFAULT_AVATAR: &str = "/avatars/default.png";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Profile {
    id: u64,
    name: String,
    avatar_url: String,
}

#[derive(Debug, thiserror::Error)]
enum ServiceError {
    #[error("there is no user {0:?}")]
    NotFound(UserId),
    #[error("a name cannot be blank")]
    BlankName,
    #[error(transparent)]
    Unavailable(#[from] RepoError),
}

struct UserService<R> {
    users: R,
    avatars: Arc<dyn AvatarStore>,
}

impl<R: UserRepository> UserService<R> {
    fn new(users: R, avatars: Arc<dyn AvatarStore>) -> Self {
        Self { users, avatars }
    }

    async fn profile(&self, id: UserId) -> Result<Profile, ServiceError> {
        let user = self
            .users
            .find(id)
            .await?
            .ok_or(ServiceError::NotFound(id))?;
        let avatar_url = self.avatars.avatar_url(id).await;
        Ok(Profile {
            id: user.id.0,
            name: user.name,
            avatar_url: avatar_url.unwrap_or_else(|| DEFAULT_AVATAR.to_string()),
        })
    }

    /// Gives the user a new name, trimmed, and returns the new profile.
    async fn rename(&self, id: UserId, name: &str) -> Result<Profile, ServiceError> {
        // TODO: a blank name (after trimming) is `BlankName`, and nothing is
        // saved. Otherwise load the user (`NotFound` if there is none),
        // change the name, save, and return `self.profile(id).await`.
        todo!()
    }
}

// ---- HTTP -------------------------------------------------------------------------

impl IntoResponse for ServiceError {
    fn into_response(self) -> Response {
        let status = match self {
            ServiceError::NotFound(_) => StatusCode::NOT_FOUND,
            ServiceError::BlankName => StatusCode::UNPROCESSABLE_ENTITY,
            ServiceError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        };
        (status, self.to_string()).into_response()
    }
}

#[derive(Deserialize)]
struct RenameRequest {
    name: String,
}

async fn get_profile<R: UserRepository + Send + Sync + 'static>(
    State(service): State<Arc<UserService<R>>>,
    Path(id): Path<u64>,
) -> Result<Json<Profile>, ServiceError> {
    Ok(Json(service.profile(UserId(id)).await?))
}

async fn rename_user<R: UserRepository + Send + Sync + 'static>(
    State(service): State<Arc<UserService<R>>>,
    Path(id): Path<u64>,
    Json(request): Json<RenameRequest>,
) -> Result<Json<Profile>, ServiceError> {
    Ok(Json(service.rename(UserId(id), &request.name).await?))
}

fn app<R: UserRepository + Send + Sync + 'static>(service: Arc<UserService<R>>) -> Router {
    Router::new()
        .route("/users/{id}", get(get_profile::<R>))
        .route("/users/{id}/name", put(rename_user::<R>))
        .with_state(service)
}

fn main() {
    // This exercise is checked by its tests.
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    /// A store whose database is down.
    struct DownUsers;

    impl UserRepository for DownUsers {
        async fn find(&self, _id: UserId) -> Result<Option<User>, RepoError> {
            Err(RepoError)
        }

        async fn save(&self, _user: User) -> Result<(), RepoError> {
            Err(RepoError)
        }
    }

    fn service_with<R: UserRepository>(users: R, avatars: &str) -> Arc<UserService<R>> {
        let avatars = avatar_store(avatars).expect("a known avatar setting");
        Arc::new(UserService::new(users, avatars))
    }

    fn ada_and_grace() -> InMemoryUsers {
        InMemoryUsers::with(&[(1, "Ada"), (2, "Grace")])
    }

    async fn send(router: Router, request: Request<Body>) -> (StatusCode, String) {
        let response = router.oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (status, String::from_utf8(bytes.to_vec()).unwrap())
    }

    fn get_request(path: &str) -> Request<Body> {
        Request::get(path).body(Body::empty()).unwrap()
    }

    fn rename_request(id: u64, json: &str) -> Request<Body> {
        Request::put(format!("/users/{id}/name"))
            .header("content-type", "application/json")
            .body(Body::from(json.to_string()))
            .unwrap()
    }

    fn profile(body: &str) -> Profile {
        serde_json::from_str(body).unwrap_or_else(|_| panic!("not a profile: {body}"))
    }

    /// What the router needs of a generic service, said directly: its
    /// futures may move to another thread. These fail to compile, with a
    /// plainer error than the router's, while the trait does not promise it.
    fn assert_send<T: Send>(value: T) -> T {
        value
    }

    async fn profile_from_any_store<R: UserRepository + Sync>(
        service: &UserService<R>,
        id: UserId,
    ) -> Result<Profile, ServiceError> {
        assert_send(service.profile(id)).await
    }

    async fn rename_in_any_store<R: UserRepository + Sync>(
        service: &UserService<R>,
        id: UserId,
        name: &str,
    ) -> Result<Profile, ServiceError> {
        assert_send(service.rename(id, name)).await
    }

    #[tokio::test]
    async fn the_profile_has_the_name_and_the_avatar() {
        let service = service_with(ada_and_grace(), "local");

        let (status, body) = send(app(service), get_request("/users/1")).await;

        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(
            profile(&body),
            Profile {
                id: 1,
                name: "Ada".to_string(),
                avatar_url: "/avatars/1.png".to_string()
            }
        );
    }

    #[tokio::test]
    async fn the_avatar_comes_from_the_store_the_config_names() {
        let on_cdn = service_with(ada_and_grace(), "cdn:https://cdn.example.com");
        let switched_off = service_with(ada_and_grace(), "none");

        let (_, cdn_body) = send(app(on_cdn), get_request("/users/2")).await;
        let (_, none_body) = send(app(switched_off), get_request("/users/2")).await;

        assert_eq!(
            profile(&cdn_body).avatar_url,
            "https://cdn.example.com/u/2.png"
        );
        assert_eq!(profile(&none_body).avatar_url, DEFAULT_AVATAR);
        assert!(
            avatar_store("ftp").is_none(),
            "an unknown setting is refused"
        );
    }

    #[tokio::test]
    async fn a_generic_service_works_with_any_store() {
        let service = service_with(ada_and_grace(), "local");

        let found = profile_from_any_store(&service, UserId(2)).await.unwrap();
        let renamed = rename_in_any_store(&service, UserId(2), "Grace Hopper").await;
        let down = service_with(DownUsers, "local");
        let failed = profile_from_any_store(&down, UserId(2)).await;

        assert_eq!(found.name, "Grace");
        assert_eq!(renamed.unwrap().name, "Grace Hopper");
        assert!(
            matches!(failed, Err(ServiceError::Unavailable(_))),
            "{failed:?}"
        );
    }

    #[tokio::test]
    async fn an_unknown_user_is_404() {
        let service = service_with(ada_and_grace(), "local");

        let (status, _) = send(app(service), get_request("/users/7")).await;

        assert_eq!(status, StatusCode::NOT_FOUND);
    }

    #[tokio::test]
    async fn a_store_that_is_down_is_503() {
        let service = service_with(DownUsers, "local");

        let (status, _) = send(app(service), get_request("/users/1")).await;

        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    }

    #[tokio::test]
    async fn rename_stores_the_trimmed_name_and_answers_with_the_profile() {
        let service = service_with(ada_and_grace(), "local");
        let router = app(service);

        let (status, body) = send(
            router.clone(),
            rename_request(1, r#"{"name": "  Ada Lovelace "}"#),
        )
        .await;
        let (_, after) = send(router, get_request("/users/1")).await;

        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(profile(&body).name, "Ada Lovelace");
        assert_eq!(
            profile(&after).name,
            "Ada Lovelace",
            "the new name must be stored: was the save awaited?"
        );
    }

    #[tokio::test]
    async fn a_blank_name_is_422_and_changes_nothing() {
        let service = service_with(ada_and_grace(), "local");
        let router = app(service);

        let (status, _) = send(router.clone(), rename_request(2, r#"{"name": "   "}"#)).await;
        let (_, after) = send(router, get_request("/users/2")).await;

        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(profile(&after).name, "Grace");
    }

    #[tokio::test]
    async fn renaming_an_unknown_user_is_404_and_creates_nobody() {
        let service = service_with(ada_and_grace(), "local");
        let router = app(service);

        let (status, _) = send(router.clone(), rename_request(7, r#"{"name": "Eve"}"#)).await;
        let (after, _) = send(router, get_request("/users/7")).await;

        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(after, StatusCode::NOT_FOUND, "user 7 must still not exist");
    }

    #[tokio::test]
    async fn renaming_while_the_store_is_down_is_503() {
        let service = service_with(DownUsers, "local");

        let (status, _) = send(app(service), rename_request(1, r#"{"name": "Ada"}"#)).await;

        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    }
}
