//! # Auth: role-based authorization, 401 and 403 told apart (solution)
//!
//! Roles map to permissions in one function; handlers ask for a permission,
//! never for a role; a rule that needs the record (ownership) is decided by
//! the service that loads it. Authentication comes first (401), then the
//! permission (403), then the record (404, or 403 when it is not yours).

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
    /// The whole policy, in one place. The match is over permissions and
    /// has no `_` arm: adding a permission does not compile until someone
    /// decides, here, who gets it (deny by default, by the compiler).
    fn grants(self, permission: Permission) -> bool {
        use Role::{Admin, Member};
        match permission {
            Permission::ReadProjects => true,
            Permission::CreateProject | Permission::DeleteOwnProject => {
                matches!(self, Member | Admin)
            }
            Permission::DeleteAnyProject | Permission::ReadAuditLog => self == Admin,
        }
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
    /// service, which loads it, can decide. A handler would need to load it
    /// first, and the next handler would forget to.
    fn delete(&self, actor: &AuthUser, id: u64) -> Result<(), ApiError> {
        // The coarse check first: a caller who may delete nothing learns
        // nothing about which projects exist (403 before 404).
        if !actor.can(Permission::DeleteOwnProject) && !actor.can(Permission::DeleteAnyProject) {
            return Err(ApiError::Forbidden);
        }
        let mut projects = self.projects.lock().unwrap_or_else(PoisonError::into_inner);
        let project = projects.get(&id).ok_or(ApiError::NotFound)?;
        let own = project.owner == actor.user_id;
        let allowed = actor.can(Permission::DeleteAnyProject)
            || (own && actor.can(Permission::DeleteOwnProject));
        if !allowed {
            return Err(ApiError::Forbidden);
        }
        projects.remove(&id);
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

// Every handler takes `AuthUser` (no token: 401 before it runs) and asks for
// the one permission its route needs; none of them knows what a role is.

async fn list_projects(
    user: AuthUser,
    State(state): State<AppState>,
) -> Result<Json<Vec<Project>>, ApiError> {
    user.require(Permission::ReadProjects)?;
    Ok(Json(state.projects.list()))
}

async fn create_project(
    user: AuthUser,
    State(state): State<AppState>,
    Json(new): Json<NewProject>,
) -> Result<(StatusCode, Json<Project>), ApiError> {
    user.require(Permission::CreateProject)?;
    let project = state.projects.create(&user, &new.name);
    Ok((StatusCode::CREATED, Json(project)))
}

async fn delete_project(
    user: AuthUser,
    State(state): State<AppState>,
    Path(id): Path<u64>,
) -> Result<StatusCode, ApiError> {
    state.projects.delete(&user, id)?;
    Ok(StatusCode::NO_CONTENT)
}

async fn audit_log(user: AuthUser) -> Result<Json<Vec<String>>, ApiError> {
    user.require(Permission::ReadAuditLog)?;
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
