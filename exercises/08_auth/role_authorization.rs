//! # Auth: role-based authorization, 401 and 403 told apart
//!
//! Authentication says *who* is calling; authorization says *what they may
//! do*. Role-based access control (RBAC) gives each user a role and each role
//! a set of **permissions**; code asks for a permission, never for a role:
//!
//! ```text
//!   request ──> AuthUser extractor ── no / bad token ──> 401 + WWW-Authenticate
//!                 │
//!                 └─ handler: user.require(Permission::CreateProject)? ── not granted ──> 403
//!                      │
//!                      └─ service.delete(&user, id): load the project ── missing ──> 404
//!                             not yours, and you may not delete others' ──> 403
//!
//!   Role::grants(permission) -- the one place that maps roles to permissions:
//!               ReadProjects  CreateProject  DeleteOwnProject  DeleteAnyProject  ReadAuditLog
//!     viewer        yes            -               -                 -                -
//!     member        yes           yes             yes                -                -
//!     admin         yes           yes             yes               yes              yes
//! ```
//!
//! **401** is "I do not know who you are" (log in; a challenge says how);
//! **403** is "I know who you are, and no" (logging in again will not help).
//! Authentication runs first, so a request without a token is a 401 even
//! on a route its role could never use.
//!
//! ## The problem
//!
//! The project API checks roles where it happens to remember:
//! `if user.role != Role::Admin` in one handler, `== Role::Viewer` in
//! another, nothing in a third. Viewers create projects; members delete
//! each other's projects (the API looked up the project, but never its
//! owner); and adding a "billing" role meant reading every handler.
//!
//! ## Your task
//!
//! 1. `Role::grants`: the table above. Match on the permission, without a
//!    `_` arm, so that a new permission cannot compile until it is decided.
//! 2. `AuthUser::require`: `Ok(())` when the role grants the permission,
//!    else `ApiError::Forbidden`.
//! 3. The handlers: replace every role check with `user.require(..)?` for
//!    the route's permission (`ReadProjects`, `CreateProject`,
//!    `ReadAuditLog`). Deleting is decided by the service.
//! 4. `ProjectService::delete`: a caller who may delete nothing is refused
//!    before the project is looked up (403); a missing project is 404; an
//!    admin (`DeleteAnyProject`) may delete any project, a member
//!    (`DeleteOwnProject`) only its own (otherwise 403).
//!
//! ## When not to use it
//!
//! Roles are coarse. When rules depend on relations ("editors of *this*
//! folder", "members of the project's team") or on attributes (region,
//! time, plan), a role table grows a role per case: model the relations
//! (ReBAC, as in Google's Zanzibar: SpiceDB, OpenFGA) or evaluate policies
//! (ABAC: Cedar, Oso, OPA). Keep the shape, though: code asks a policy
//! one question, and the policy lives in one place.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::{FromRef, FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::json;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Role {
    Viewer,
    Member,
    Admin,
}

/// What a caller may do. Handlers and services speak only of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Permission {
    ReadProjects,
    CreateProject,
    DeleteOwnProject,
    DeleteAnyProject,
    ReadAuditLog,
}

impl Role {
    /// The whole policy, in one place.
    fn grants(self, permission: Permission) -> bool {
        // TODO: the table of the header, as a match on `permission` with no
        // `_` arm.
        let _ = permission;
        self == Role::Admin
    }
}

// ---- Authentication (the extractor of auth_extractor, given) -------------------

#[derive(Debug, Clone, PartialEq, Eq)]
struct Claims {
    sub: String,
    role: Role,
}

trait TokenVerifier: Send + Sync {
    fn verify(&self, token: &str) -> Option<Claims>;
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct AuthUser {
    user_id: String,
    role: Role,
}

impl AuthUser {
    fn can(&self, permission: Permission) -> bool {
        self.role.grants(permission)
    }

    /// `Ok` if the caller holds `permission`, else 403.
    fn require(&self, permission: Permission) -> Result<(), ApiError> {
        // TODO: Forbidden unless the caller's role grants `permission`.
        let _ = permission;
        Ok(())
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
    Arc<dyn TokenVerifier>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let token = bearer_token(&parts.headers).ok_or(ApiError::Unauthenticated)?;
        let verifier: Arc<dyn TokenVerifier> = Arc::from_ref(state);
        let claims = verifier.verify(token).ok_or(ApiError::Unauthenticated)?;
        Ok(AuthUser {
            user_id: claims.sub,
            role: claims.role,
        })
    }
}

// ---- Errors -------------------------------------------------------------------

#[derive(Debug, PartialEq, Eq)]
enum ApiError {
    /// 401: we do not know who you are (a challenge says how to tell us).
    Unauthenticated,
    /// 403: we know who you are, and you may not do this. Logging in again
    /// will not help, so there is no challenge.
    Forbidden,
    NotFound,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, message) = match self {
            ApiError::Unauthenticated => (
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "sign in to use this endpoint",
            ),
            ApiError::Forbidden => (
                StatusCode::FORBIDDEN,
                "forbidden",
                "you do not have permission to do this",
            ),
            ApiError::NotFound => (StatusCode::NOT_FOUND, "not_found", "no such project"),
        };
        let body = Json(json!({ "error": { "code": code, "message": message } }));
        if status == StatusCode::UNAUTHORIZED {
            return (status, [(header::WWW_AUTHENTICATE, "Bearer")], body).into_response();
        }
        (status, body).into_response()
    }
}

// ---- The service ----------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct Project {
    id: u64,
    name: String,
    owner: String,
}

#[derive(Default)]
struct ProjectService {
    projects: Mutex<BTreeMap<u64, Project>>,
}

impl ProjectService {
    fn list(&self) -> Vec<Project> {
        let projects = self.projects.lock().unwrap_or_else(PoisonError::into_inner);
        projects.values().cloned().collect()
    }

    fn create(&self, owner: &AuthUser, name: &str) -> Project {
        let mut projects = self.projects.lock().unwrap_or_else(PoisonError::into_inner);
        let id = projects.keys().next_back().map_or(1, |last| last + 1);
        let project = Project {
            id,
            name: name.to_string(),
            owner: owner.user_id.clone(),
        };
        projects.insert(id, project.clone());
        project
    }

    /// Who may delete *this* project depends on the project: only the
    /// service, which loads it, can decide.
    fn delete(&self, actor: &AuthUser, id: u64) -> Result<(), ApiError> {
        // TODO: refuse a caller who may delete nothing before looking the
        // project up; then 404 for a missing project; then the ownership
        // rule (DeleteAnyProject, or DeleteOwnProject and the owner).
        let _ = actor;
        let mut projects = self.projects.lock().unwrap_or_else(PoisonError::into_inner);
        projects.remove(&id).ok_or(ApiError::NotFound)?;
        Ok(())
    }
}

// ---- HTTP -----------------------------------------------------------------------

#[derive(Clone)]
struct AppState {
    tokens: Arc<dyn TokenVerifier>,
    projects: Arc<ProjectService>,
}

impl FromRef<AppState> for Arc<dyn TokenVerifier> {
    fn from_ref(state: &AppState) -> Self {
        state.tokens.clone()
    }
}

#[derive(Deserialize)]
struct NewProject {
    name: String,
}

// TODO: every handler asks for the one permission its route needs with
// `user.require(Permission::..)?`, instead of checking roles (or nothing).

async fn list_projects(
    user: AuthUser,
    State(state): State<AppState>,
) -> Result<Json<Vec<Project>>, ApiError> {
    Ok(Json(state.projects.list()))
}

async fn create_project(
    user: AuthUser,
    State(state): State<AppState>,
    Json(new): Json<NewProject>,
) -> Result<(StatusCode, Json<Project>), ApiError> {
    let project = state.projects.create(&user, &new.name);
    Ok((StatusCode::CREATED, Json(project)))
}

async fn delete_project(
    user: AuthUser,
    State(state): State<AppState>,
    Path(id): Path<u64>,
) -> Result<StatusCode, ApiError> {
    if user.role == Role::Viewer {
        return Err(ApiError::Forbidden);
    }
    state.projects.delete(&user, id)?;
    Ok(StatusCode::NO_CONTENT)
}

async fn audit_log(user: AuthUser) -> Result<Json<Vec<String>>, ApiError> {
    if user.role != Role::Admin {
        return Err(ApiError::Forbidden);
    }
    Ok(Json(vec!["project 1 created by ada".to_string()]))
}

fn app(state: AppState) -> Router {
    Router::new()
        .route("/projects", get(list_projects).post(create_project))
        .route("/projects/{id}", delete(delete_project))
        .route("/audit-log", get(audit_log))
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
    use tower::ServiceExt;

    struct FakeTokens;

    impl TokenVerifier for FakeTokens {
        /// "<user>-<role>" is a valid token for that user and role.
        fn verify(&self, token: &str) -> Option<Claims> {
            let (user, role) = token.split_once('-')?;
            let role = serde_json::from_value(json!(role)).ok()?;
            Some(Claims {
                sub: user.to_string(),
                role,
            })
        }
    }

    /// Projects 1 ("Apollo", owned by ada) and 2 ("Gemini", owned by bob).
    fn test_app() -> (Router, Arc<ProjectService>) {
        let projects = Arc::new(ProjectService::default());
        for (owner, name) in [("ada", "Apollo"), ("bob", "Gemini")] {
            let owner = AuthUser {
                user_id: owner.to_string(),
                role: Role::Member,
            };
            projects.create(&owner, name);
        }
        let state = AppState {
            tokens: Arc::new(FakeTokens),
            projects: projects.clone(),
        };
        (app(state), projects)
    }

    async fn send(
        app: Router,
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
        app.oneshot(request.body(body).unwrap()).await.unwrap()
    }

    async fn json_body(response: Response) -> Value {
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        serde_json::from_slice(&bytes).unwrap()
    }

    fn names(projects: &ProjectService) -> Vec<String> {
        projects.list().into_iter().map(|p| p.name).collect()
    }

    #[test]
    fn the_policy_grants_each_role_exactly_its_permissions() {
        use Permission::*;
        let all = [
            ReadProjects,
            CreateProject,
            DeleteOwnProject,
            DeleteAnyProject,
            ReadAuditLog,
        ];
        let granted = |role: Role| -> Vec<Permission> {
            all.into_iter().filter(|p| role.grants(*p)).collect()
        };

        assert_eq!(granted(Role::Viewer), [ReadProjects]);
        assert_eq!(
            granted(Role::Member),
            [ReadProjects, CreateProject, DeleteOwnProject]
        );
        assert_eq!(granted(Role::Admin), all);
    }

    #[tokio::test]
    async fn a_viewer_can_list_projects_but_not_create_one() {
        let (app, projects) = test_app();

        let listed = send(
            app.clone(),
            Method::GET,
            "/projects",
            Some("vic-viewer"),
            None,
        )
        .await;
        let created = send(
            app,
            Method::POST,
            "/projects",
            Some("vic-viewer"),
            Some(json!({ "name": "Skylab" })),
        )
        .await;

        assert_eq!(listed.status(), StatusCode::OK);
        assert_eq!(json_body(listed).await.as_array().unwrap().len(), 2);
        assert_eq!(created.status(), StatusCode::FORBIDDEN);
        assert_eq!(names(&projects), ["Apollo", "Gemini"]);
    }

    #[tokio::test]
    async fn a_member_creates_a_project_it_owns() {
        let (app, _) = test_app();

        let response = send(
            app,
            Method::POST,
            "/projects",
            Some("cy-member"),
            Some(json!({ "name": "Skylab" })),
        )
        .await;

        assert_eq!(response.status(), StatusCode::CREATED);
        assert_eq!(
            json_body(response).await,
            json!({ "id": 3, "name": "Skylab", "owner": "cy" })
        );
    }

    #[tokio::test]
    async fn a_member_deletes_its_own_project_but_not_anothers() {
        let (app, projects) = test_app();

        let others = send(
            app.clone(),
            Method::DELETE,
            "/projects/2",
            Some("ada-member"),
            None,
        )
        .await;
        assert_eq!(others.status(), StatusCode::FORBIDDEN);
        assert!(
            others.headers().get("www-authenticate").is_none(),
            "a 403 is not a login problem: no challenge"
        );
        assert_eq!(
            json_body(others).await,
            json!({ "error": {
                "code": "forbidden",
                "message": "you do not have permission to do this",
            } })
        );
        assert_eq!(names(&projects), ["Apollo", "Gemini"]);

        let own = send(app, Method::DELETE, "/projects/1", Some("ada-member"), None).await;
        assert_eq!(own.status(), StatusCode::NO_CONTENT);
        assert_eq!(names(&projects), ["Gemini"]);
    }

    #[tokio::test]
    async fn an_admin_deletes_any_project() {
        let (app, projects) = test_app();

        let response = send(app, Method::DELETE, "/projects/2", Some("root-admin"), None).await;

        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        assert_eq!(names(&projects), ["Apollo"]);
    }

    #[tokio::test]
    async fn a_missing_project_is_404_for_those_who_may_delete_and_403_for_the_rest() {
        let (app, _) = test_app();

        let member = send(
            app.clone(),
            Method::DELETE,
            "/projects/9",
            Some("ada-member"),
            None,
        )
        .await;
        let viewer = send(app, Method::DELETE, "/projects/9", Some("vic-viewer"), None).await;

        assert_eq!(member.status(), StatusCode::NOT_FOUND);
        assert_eq!(
            viewer.status(),
            StatusCode::FORBIDDEN,
            "a viewer may delete nothing: it learns nothing about which ids exist"
        );
    }

    #[tokio::test]
    async fn no_token_is_401_before_any_permission_is_considered() {
        let (app, projects) = test_app();

        for (method, path) in [
            (Method::GET, "/projects"),
            (Method::DELETE, "/projects/1"),
            (Method::GET, "/audit-log"),
        ] {
            let response = send(app.clone(), method, path, None, None).await;

            assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{path}");
            assert_eq!(response.headers()["www-authenticate"], "Bearer");
        }
        let basic = Request::builder()
            .method(Method::DELETE)
            .uri("/projects/1")
            .header("authorization", "Basic root-admin")
            .body(Body::empty())
            .unwrap();
        let response = app.oneshot(basic).await.unwrap();
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "another scheme's credentials are no bearer token"
        );
        assert_eq!(names(&projects), ["Apollo", "Gemini"]);
    }

    #[tokio::test]
    async fn the_audit_log_is_for_admins_only() {
        let (app, _) = test_app();

        let admin = send(
            app.clone(),
            Method::GET,
            "/audit-log",
            Some("root-admin"),
            None,
        )
        .await;
        let member = send(app, Method::GET, "/audit-log", Some("ada-member"), None).await;

        assert_eq!(admin.status(), StatusCode::OK);
        assert_eq!(member.status(), StatusCode::FORBIDDEN);
    }
}
