//! # API design: status codes and one error envelope
//!
//! A client decides what to do next from the status code: retry, fix the
//! request, ask the user, give up. And it reads the details from one JSON
//! shape, whatever went wrong, so it needs one parser, not one per failure.
//!
//! ```text
//!   400 Bad Request             the body is not JSON at all
//!   404 Not Found               no such resource (or no such route)
//!   405 Method Not Allowed      the resource exists, the method does not
//!   409 Conflict                fine request, but it clashes with the
//!                               resource's current state (a slug taken,
//!                               an archived project): may work later
//!   415 Unsupported Media Type  the body is not sent as application/json
//!   422 Unprocessable Content   well-formed, but breaks a rule of the data:
//!                               will never work as sent; say which fields
//!   500 Internal Server Error   our fault; say nothing about the cause
//!
//!   { "error": { "code": "slug_taken", "message": "...", "details": [..] } }
//! ```
//!
//! ## The problem
//!
//! The mobile app shows an error screen from `error.code`. In its crash
//! reports: a duplicate slug answered 500, a missing field answered axum's
//! plain text `Failed to deserialize the JSON body...` (the app's JSON parser
//! crashed on it), and a typo in a URL answered an empty 404. Three error
//! formats, one of them not JSON.
//!
//! ## Your task
//!
//! 1. `From<ProjectError> for ApiError`: the status and `code` of each
//!    domain error, by the table above (codes: `project_not_found`,
//!    `slug_taken`, `project_archived`, `validation_failed` with the fields
//!    as `details`, `internal`). The message is the error's `Display`,
//!    except for a store failure: `"internal error"`, and log the cause.
//! 2. `From<JsonRejection> for ApiError`: what axum's `Json` extractor
//!    refuses, in the envelope too (codes: `malformed_json`, `invalid_body`,
//!    `unsupported_media_type`). `ApiJson` already calls it.
//! 3. `app`: no handler runs for an unknown path or a wrong method. Make
//!    axum answer those in the envelope too (`no_such_route`,
//!    `method_not_allowed`).
//!
//! The handlers stay as they are: they only use `?`.
//!
//! ## When not to use it
//!
//! Do not invent a status per error: a client branches on a handful of
//! classes, and on `code` for the rest. Do not use 200 with
//! `{"ok": false}`: caches, retries, monitoring and every HTTP client
//! library read the status. And for a public API, RFC 9457's "problem
//! details" (`application/problem+json`: `type`, `title`, `status`,
//! `detail`) is a standard envelope worth adopting instead of your own.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

// ---- The domain (do not change) --------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct Project {
    id: u64,
    slug: String,
    name: String,
    archived: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct FieldError {
    field: &'static str,
    problem: &'static str,
}

/// What can go wrong, in the domain's words: no status codes here.
#[derive(Debug, thiserror::Error)]
enum ProjectError {
    #[error("project {0} not found")]
    NotFound(u64),
    #[error("the slug {0:?} is taken")]
    SlugTaken(String),
    #[error("project {0} is archived")]
    Archived(u64),
    #[error("the project is invalid")]
    Invalid(Vec<FieldError>),
    #[error("the project store failed")]
    Store(#[source] StoreError),
}

#[derive(Debug, thiserror::Error)]
#[error("connection to {0} refused")]
struct StoreError(String);

/// The rules of projects, over a store that can fail.
struct ProjectService {
    projects: Mutex<BTreeMap<u64, Project>>,
    /// Set by a test to make every call fail as a lost database would.
    down: Option<StoreError>,
}

impl ProjectService {
    fn new() -> Self {
        Self {
            projects: Mutex::new(BTreeMap::new()),
            down: None,
        }
    }

    fn projects(&self) -> Result<std::sync::MutexGuard<'_, BTreeMap<u64, Project>>, ProjectError> {
        if let Some(StoreError(address)) = &self.down {
            return Err(ProjectError::Store(StoreError(address.clone())));
        }
        Ok(self.projects.lock().unwrap_or_else(PoisonError::into_inner))
    }

    fn validate(slug: &str, name: &str) -> Result<(), ProjectError> {
        let mut problems = Vec::new();
        let slug_chars = slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !(3..=40).contains(&slug.len()) || !slug_chars {
            problems.push(FieldError {
                field: "slug",
                problem: "3 to 40 characters of a-z, 0-9 and -",
            });
        }
        if name.trim().is_empty() {
            problems.push(FieldError {
                field: "name",
                problem: "must not be blank",
            });
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ProjectError::Invalid(problems))
        }
    }

    fn create(&self, slug: String, name: String) -> Result<Project, ProjectError> {
        Self::validate(&slug, &name)?;
        let mut projects = self.projects()?;
        if projects.values().any(|p| p.slug == slug) {
            return Err(ProjectError::SlugTaken(slug));
        }
        let id = projects.keys().next_back().map_or(1, |last| last + 1);
        let project = Project {
            id,
            slug,
            name,
            archived: false,
        };
        projects.insert(id, project.clone());
        Ok(project)
    }

    fn get(&self, id: u64) -> Result<Project, ProjectError> {
        let projects = self.projects()?;
        projects.get(&id).cloned().ok_or(ProjectError::NotFound(id))
    }

    fn rename(&self, id: u64, name: String) -> Result<Project, ProjectError> {
        let mut projects = self.projects()?;
        let project = projects.get_mut(&id).ok_or(ProjectError::NotFound(id))?;
        if project.archived {
            return Err(ProjectError::Archived(id));
        }
        Self::validate(&project.slug, &name)?;
        project.name = name;
        Ok(project.clone())
    }

    fn archive(&self, id: u64) -> Result<(), ProjectError> {
        let mut projects = self.projects()?;
        let project = projects.get_mut(&id).ok_or(ProjectError::NotFound(id))?;
        project.archived = true;
        Ok(())
    }
}

// ---- The envelope (do not change) -------------------------------------------

/// Every error of this API, in one shape:
///
/// ```json
/// { "error": { "code": "slug_taken", "message": "...", "details": [..] } }
/// ```
///
/// `code` is for programs (a client switches on it; it never changes once
/// published), `message` is for people (it may be reworded any day),
/// `details` lists the fields at fault when there are any.
#[derive(Debug)]
struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    details: Vec<FieldError>,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            details: Vec::new(),
        }
    }
}

#[derive(Serialize)]
struct Envelope<'a> {
    error: Body<'a>,
}

#[derive(Serialize)]
struct Body<'a> {
    code: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    details: Vec<Detail<'a>>,
}

#[derive(Serialize)]
struct Detail<'a> {
    field: &'a str,
    problem: &'a str,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let details = self
            .details
            .iter()
            .map(|d| Detail {
                field: d.field,
                problem: d.problem,
            })
            .collect();
        let envelope = Envelope {
            error: Body {
                code: self.code,
                message: &self.message,
                details,
            },
        };
        (self.status, Json(envelope)).into_response()
    }
}

// ---- From the domain and from axum to the envelope ---------------------------

/// The one place where a domain error picks its status.
impl From<ProjectError> for ApiError {
    fn from(error: ProjectError) -> Self {
        // TODO: a status, a code and a message for each variant; the fields
        // at fault go to `details`. A store failure's cause is for the logs
        // (`tracing::error!(error = &cause as &dyn std::error::Error, "...")`),
        // never for the client.
        todo!()
    }
}

/// axum's `Json` rejects a body before any handler runs, with a plain-text
/// answer of its own. Mapped here, rejections speak the envelope too.
impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        // TODO: the envelope for each kind of rejection. Look at the variants
        // of `JsonRejection`, and at what a rejection already knows about
        // itself (`status()`, `body_text()`).
        todo!()
    }
}

/// `Json`, with its rejection turned into an `ApiError`.
struct ApiJson<T>(T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    Json<T>: FromRequest<S, Rejection = JsonRejection>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let Json(value) = Json::<T>::from_request(req, state).await?;
        Ok(ApiJson(value))
    }
}

// ---- Handlers (do not change) ----------------------------------------------

type Service = Arc<ProjectService>;

#[derive(Deserialize)]
struct NewProject {
    slug: String,
    name: String,
}

#[derive(Deserialize)]
struct Rename {
    name: String,
}

async fn create_project(
    State(service): State<Service>,
    ApiJson(new): ApiJson<NewProject>,
) -> Result<impl IntoResponse, ApiError> {
    let project = service.create(new.slug, new.name)?;
    let location = format!("/projects/{}", project.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(project),
    ))
}

async fn get_project(
    State(service): State<Service>,
    Path(id): Path<u64>,
) -> Result<Json<Project>, ApiError> {
    Ok(Json(service.get(id)?))
}

async fn rename_project(
    State(service): State<Service>,
    Path(id): Path<u64>,
    ApiJson(rename): ApiJson<Rename>,
) -> Result<Json<Project>, ApiError> {
    Ok(Json(service.rename(id, rename.name)?))
}

async fn archive_project(
    State(service): State<Service>,
    Path(id): Path<u64>,
) -> Result<StatusCode, ApiError> {
    service.archive(id)?;
    Ok(StatusCode::NO_CONTENT)
}

// ---- Fallbacks and the router -----------------------------------------------

/// No route matched the path.
async fn no_such_route() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "no_such_route", "no such route")
}

/// The path exists, the method does not.
async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "method not allowed on this resource",
    )
}

fn app(service: Service) -> Router {
    // TODO: when no route matches, or no method of a route does, axum
    // answers an empty 404 or 405 of its own. Give the router the two
    // handlers above for those cases (look for "fallback" in `Router`'s
    // methods, and read what each applies to: one only covers the routes
    // added before it).
    Router::new()
        .route("/projects", post(create_project))
        .route("/projects/{id}", get(get_project).patch(rename_project))
        .route("/projects/{id}/archive", post(archive_project))
        .with_state(service)
}

fn main() {
    // This exercise is checked by its tests.
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Method;
    use http_body_util::BodyExt;
    use serde_json::{Value, json};
    use tower::ServiceExt;

    /// A service holding project 1, "web-shop", and project 2, archived.
    fn service() -> Service {
        let service = ProjectService::new();
        service
            .create("web-shop".into(), "Web shop".into())
            .unwrap();
        service
            .create("old-site".into(), "Old site".into())
            .unwrap();
        service.archive(2).unwrap();
        Arc::new(service)
    }

    fn json_request(method: Method, uri: &str, body: &str) -> Request {
        Request::builder()
            .method(method)
            .uri(uri)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap()
    }

    fn empty_request(method: Method, uri: &str) -> Request {
        Request::builder()
            .method(method)
            .uri(uri)
            .body(Body::empty())
            .unwrap()
    }

    async fn send(service: Service, request: Request) -> Response {
        app(service).oneshot(request).await.unwrap()
    }

    /// Asserts the response is the envelope with `status` and `code`, and
    /// returns its `error` object.
    async fn assert_envelope(response: Response, status: StatusCode, code: &str) -> Value {
        assert_eq!(response.status(), status);
        let content_type = response.headers().get(header::CONTENT_TYPE).cloned();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        assert_eq!(
            content_type.as_ref().and_then(|v| v.to_str().ok()),
            Some("application/json"),
            "every error is JSON in the envelope, this one was: {text:?}"
        );
        let body: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(body["error"]["code"], code, "in {body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "every error has a message, in {body}"
        );
        body["error"].clone()
    }

    #[tokio::test]
    async fn creating_answers_201_with_location() {
        let response = send(
            service(),
            json_request(
                Method::POST,
                "/projects",
                r#"{"slug":"blog","name":"Blog"}"#,
            ),
        )
        .await;

        assert_eq!(response.status(), StatusCode::CREATED);
        assert_eq!(response.headers()[header::LOCATION], "/projects/3");
    }

    #[tokio::test]
    async fn archiving_answers_204() {
        let response = send(
            service(),
            empty_request(Method::POST, "/projects/1/archive"),
        )
        .await;

        assert_eq!(response.status(), StatusCode::NO_CONTENT);
    }

    #[tokio::test]
    async fn an_unknown_project_is_404() {
        let response = send(service(), empty_request(Method::GET, "/projects/42")).await;

        let error = assert_envelope(response, StatusCode::NOT_FOUND, "project_not_found").await;
        assert_eq!(error["message"], "project 42 not found");
        assert_eq!(
            error.get("details"),
            None,
            "no details without fields at fault"
        );
    }

    #[tokio::test]
    async fn a_taken_slug_is_409() {
        let response = send(
            service(),
            json_request(
                Method::POST,
                "/projects",
                r#"{"slug":"web-shop","name":"Another shop"}"#,
            ),
        )
        .await;

        let error = assert_envelope(response, StatusCode::CONFLICT, "slug_taken").await;
        assert_eq!(error["message"], "the slug \"web-shop\" is taken");
    }

    #[tokio::test]
    async fn renaming_an_archived_project_is_409() {
        let response = send(
            service(),
            json_request(Method::PATCH, "/projects/2", r#"{"name":"New old site"}"#),
        )
        .await;

        assert_envelope(response, StatusCode::CONFLICT, "project_archived").await;
    }

    #[tokio::test]
    async fn breaking_the_rules_is_422_with_every_field_at_fault() {
        let response = send(
            service(),
            json_request(
                Method::POST,
                "/projects",
                r#"{"slug":"No Spaces!","name":"  "}"#,
            ),
        )
        .await;

        let error = assert_envelope(
            response,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_eq!(
            error["details"],
            json!([
                { "field": "slug", "problem": "3 to 40 characters of a-z, 0-9 and -" },
                { "field": "name", "problem": "must not be blank" },
            ])
        );
    }

    #[tokio::test]
    async fn a_rename_that_breaks_a_rule_is_422() {
        let response = send(
            service(),
            json_request(Method::PATCH, "/projects/1", r#"{"name":""}"#),
        )
        .await;

        let error = assert_envelope(
            response,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_eq!(error["details"][0]["field"], "name");
    }

    #[tokio::test]
    async fn broken_json_is_400_in_the_envelope() {
        let response = send(
            service(),
            json_request(Method::POST, "/projects", r#"{"slug":"blog","#),
        )
        .await;

        assert_envelope(response, StatusCode::BAD_REQUEST, "malformed_json").await;
    }

    #[tokio::test]
    async fn json_of_the_wrong_shape_is_422_in_the_envelope() {
        let response = send(
            service(),
            json_request(Method::POST, "/projects", r#"{"slug":"blog"}"#),
        )
        .await;

        let error =
            assert_envelope(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body").await;
        assert!(
            error["message"].as_str().unwrap().contains("name"),
            "the message says which field is missing: {error}"
        );
    }

    #[tokio::test]
    async fn a_body_that_is_not_json_is_415_in_the_envelope() {
        let request = Request::builder()
            .method(Method::POST)
            .uri("/projects")
            .header(header::CONTENT_TYPE, "text/plain")
            .body(Body::from("slug=blog"))
            .unwrap();

        let response = send(service(), request).await;

        assert_envelope(
            response,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        )
        .await;
    }

    #[tokio::test]
    async fn an_unknown_route_is_404_in_the_envelope() {
        let response = send(service(), empty_request(Method::GET, "/projets/1")).await;

        assert_envelope(response, StatusCode::NOT_FOUND, "no_such_route").await;
    }

    #[tokio::test]
    async fn an_unsupported_method_is_405_in_the_envelope_with_allow() {
        let response = send(service(), empty_request(Method::DELETE, "/projects/1")).await;

        let allow = response.headers().get(header::ALLOW).cloned();
        assert_envelope(
            response,
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
        )
        .await;
        let allow = allow.expect("a 405 lists the allowed methods in Allow");
        assert!(
            allow.to_str().unwrap().contains("PATCH"),
            "Allow: {allow:?}"
        );
    }

    #[tokio::test]
    async fn a_store_failure_is_500_and_hides_its_cause() {
        let service = ProjectService {
            down: Some(StoreError("10.0.0.3:5432".to_string())),
            ..ProjectService::new()
        };

        let response = send(Arc::new(service), empty_request(Method::GET, "/projects/1")).await;

        let error = assert_envelope(response, StatusCode::INTERNAL_SERVER_ERROR, "internal").await;
        assert!(
            !error.to_string().contains("10.0.0.3"),
            "the client must not learn where the database is: {error}"
        );
    }
}
