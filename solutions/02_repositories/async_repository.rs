//! # Repository: async traits behind an axum handler (solution)
//!
//! Two async ports, two answers. `UserRepository` is used through a type
//! parameter: its methods return `impl Future + Send`, so a generic service
//! can run on a multi-threaded server, at no cost at run time. `AvatarStore`
//! is picked at startup and held as `Arc<dyn AvatarStore>`: `#[async_trait]`
//! boxes each returned future, which makes the trait usable as `dyn` (and
//! Send) for one allocation per call.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
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
///
/// Written out as `fn .. -> impl Future<..> + Send` rather than `async fn`:
/// the bound is part of the contract, so every implementation must return a
/// future that may move between threads, and generic code may rely on it.
/// Implementations can still be written as `async fn`. (The
/// `trait_variant` crate writes this form for you from an `async fn`
/// trait.)
trait UserRepository {
    fn find(&self, id: UserId) -> impl Future<Output = Result<Option<User>, RepoError>> + Send;
    fn save(&self, user: User) -> impl Future<Output = Result<(), RepoError>> + Send;
}

/// Where avatar images are kept: on this server, on a CDN, or nowhere,
/// chosen from the config at startup.
///
/// Used as `dyn AvatarStore`, so its methods cannot return `impl Future`
/// (a trait object needs one concrete return type for every
/// implementation). `#[async_trait]` rewrites each `async fn` to return
/// `Pin<Box<dyn Future<Output = ..> + Send + '_>>`.
#[async_trait]
trait AvatarStore: Send + Sync {
    async fn avatar_url(&self, id: UserId) -> Option<String>;
}

// ---- Adapters ---------------------------------------------------------------------

/// The in-memory twin of the Postgres adapter. A std `Mutex` is fine in
/// async code as long as no guard is held across an `.await`; here none
/// is, since nothing inside awaits.
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

#[async_trait]
impl AvatarStore for LocalAvatars {
    async fn avatar_url(&self, id: UserId) -> Option<String> {
        Some(format!("/avatars/{}.png", id.0))
    }
}

/// Avatars on a CDN (in production, a HEAD request to see if one exists).
struct CdnAvatars {
    base_url: String,
}

#[async_trait]
impl AvatarStore for CdnAvatars {
    async fn avatar_url(&self, id: UserId) -> Option<String> {
        Some(format!("{}/u/{}.png", self.base_url, id.0))
    }
}

/// Avatars switched off.
struct NoAvatars;

#[async_trait]
impl AvatarStore for NoAvatars {
    async fn avatar_url(&self, _id: UserId) -> Option<String> {
        None
    }
}

/// The avatar store the `avatars` setting names: `local`, `none` or
/// `cdn:<base url>`. The type is decided by a string read at run time, which
/// only a trait object can express.
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
    ///
    /// Load, change, save without a version: two renames at once, and the
    /// last one wins. Fine for a name; `optimistic_concurrency` shows the
    /// version check for data where it is not.
    async fn rename(&self, id: UserId, name: &str) -> Result<Profile, ServiceError> {
        // Validate before touching the store: a refused rename writes nothing.
        let name = name.trim();
        if name.is_empty() {
            return Err(ServiceError::BlankName);
        }
        let mut user = self
            .users
            .find(id)
            .await?
            .ok_or(ServiceError::NotFound(id))?;
        user.name = name.to_string();
        // Without `.await` this line would build the future and drop it:
        // nothing saved, and only a warning (`unused_must_use`) to say so.
        self.users.save(user).await?;
        self.profile(id).await
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

// axum runs handlers on a multi-threaded runtime, where a task may move to
// another thread at any `.await`: a handler's future must be `Send`. Inside
// `get_profile::<R>`, the compiler knows only what `R: UserRepository`
// promises, which is why the trait must promise `Send`.

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
