//! # API design: a GraphQL schema over the service layer
//!
//! GraphQL is one endpoint where the client writes the query: which
//! objects, which fields, in one round trip. `async-graphql` turns Rust
//! types into a schema; each field is a *resolver*, an async function that
//! produces the field's value. The architecture question is what resolvers
//! call. The answer is the same as for REST handlers: the service layer,
//! so that both doors follow the same rules.
//!
//! ```text
//!   GET  /projects/1  ─> REST handler ──┐
//!                                       ├─> ProjectService ─> ProjectStore
//!   POST /graphql     ─> resolvers ─────┘   (the rules)        (rows)
//! ```
//!
//! ## The problem
//!
//! The mobile team got a GraphQL endpoint in a hurry. Its resolvers read
//! and write the store directly, so they skip what `ProjectService` does:
//! archived projects show up in the list, slugs with spaces are accepted,
//! and a taken slug comes back as a bare "slug taken" that the app cannot
//! tell from other errors. The REST API, which calls the service, has none
//! of these bugs.
//!
//! ## Your task
//!
//! 1. `build_schema`: put the service, not the store, in the schema's data.
//! 2. The resolvers of `QueryRoot` and `MutationRoot`: take the service from
//!    the context (`ctx.data::<Service>()?`) and call it. A project that
//!    does not exist is `null`, not an error.
//! 3. `ErrorExtensions for ProjectError`: a GraphQL error whose message is
//!    the error's `Display` and whose `extensions.code` is `NOT_FOUND`,
//!    `SLUG_TAKEN` or `VALIDATION_FAILED`; `create_project` returns it.
//!
//! The tests send queries through the axum router (`POST /graphql`) and read
//! projects back through the REST route.
//!
//! ## When not to use it
//!
//! GraphQL pays off when many clients need different slices of a graph of
//! objects. For a handful of fixed screens, or public data that HTTP caches
//! should serve (GraphQL queries are POSTs to one URL: no `Cache-Control`
//! per resource), REST is simpler. And a schema clients can query freely
//! needs limits a REST API does not: query depth and complexity
//! (`Schema::build(..).limit_depth(..)`), and the N+1 loads of the next
//! exercise.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use async_graphql::{
    Context, EmptySubscription, ErrorExtensions, ID, Object, Schema, SimpleObject,
};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Serialize;

// ---- The domain: one service for every door (do not change) -----------------

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct Project {
    id: u64,
    slug: String,
    name: String,
    archived: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
enum ProjectError {
    #[error("project {0} not found")]
    NotFound(u64),
    #[error("the slug {0:?} is taken")]
    SlugTaken(String),
    #[error("{0}")]
    Invalid(&'static str),
}

#[derive(Debug)]
struct SlugTaken;

/// Storage: rows in, rows out, no rules.
trait ProjectStore: Send + Sync {
    fn find_row(&self, id: u64) -> Option<Project>;
    fn all_rows(&self) -> Vec<Project>;
    fn insert_row(&self, slug: String, name: String) -> Result<Project, SlugTaken>;
}

#[derive(Default)]
struct InMemoryProjects {
    rows: Mutex<BTreeMap<u64, Project>>,
}

impl InMemoryProjects {
    fn with(projects: impl IntoIterator<Item = Project>) -> Self {
        let rows = projects.into_iter().map(|p| (p.id, p)).collect();
        Self {
            rows: Mutex::new(rows),
        }
    }
}

impl ProjectStore for InMemoryProjects {
    fn find_row(&self, id: u64) -> Option<Project> {
        let rows = self.rows.lock().unwrap_or_else(PoisonError::into_inner);
        rows.get(&id).cloned()
    }

    fn all_rows(&self) -> Vec<Project> {
        let rows = self.rows.lock().unwrap_or_else(PoisonError::into_inner);
        rows.values().cloned().collect()
    }

    fn insert_row(&self, slug: String, name: String) -> Result<Project, SlugTaken> {
        let mut rows = self.rows.lock().unwrap_or_else(PoisonError::into_inner);
        if rows.values().any(|p| p.slug == slug) {
            return Err(SlugTaken);
        }
        let id = rows.keys().next_back().map_or(1, |last| last + 1);
        let project = Project {
            id,
            slug,
            name,
            archived: false,
        };
        rows.insert(id, project.clone());
        Ok(project)
    }
}

/// The rules: archived projects are not listed, slugs are checked, a
/// taken slug is a `ProjectError`. REST and GraphQL both call this, so both
/// follow the rules without knowing them.
struct ProjectService {
    store: Arc<dyn ProjectStore>,
}

impl ProjectService {
    fn get(&self, id: u64) -> Result<Project, ProjectError> {
        self.store.find_row(id).ok_or(ProjectError::NotFound(id))
    }

    fn list_active(&self) -> Vec<Project> {
        let mut projects = self.store.all_rows();
        projects.retain(|p| !p.archived);
        projects
    }

    fn create(&self, slug: String, name: String) -> Result<Project, ProjectError> {
        let valid_slug = (3..=40).contains(&slug.len())
            && slug
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !valid_slug {
            return Err(ProjectError::Invalid(
                "a slug is 3 to 40 characters of a-z, 0-9 and -",
            ));
        }
        if name.trim().is_empty() {
            return Err(ProjectError::Invalid("a name must not be blank"));
        }
        self.store
            .insert_row(slug.clone(), name)
            .map_err(|SlugTaken| ProjectError::SlugTaken(slug))
    }
}

type Service = Arc<ProjectService>;

// ---- The REST door (do not change) -------------------------------------------

async fn get_project_rest(
    State(service): State<Service>,
    Path(id): Path<u64>,
) -> Result<Json<Project>, StatusCode> {
    service.get(id).map(Json).map_err(|_| StatusCode::NOT_FOUND)
}

// ---- The GraphQL door ------------------------------------------------------------

/// What GraphQL clients see of a project. Like a REST response model, it is
/// the API's type, not the domain's: `archived` is not part of it.
#[derive(SimpleObject)]
#[graphql(name = "Project")]
struct ProjectNode {
    id: ID,
    slug: String,
    name: String,
}

impl From<Project> for ProjectNode {
    fn from(project: Project) -> Self {
        Self {
            id: ID(project.id.to_string()),
            slug: project.slug,
            name: project.name,
        }
    }
}

/// A domain error as a GraphQL error.
impl ErrorExtensions for ProjectError {
    fn extend(&self) -> async_graphql::Error {
        // TODO: the message, and a `code` in the error's extensions
        // (`async_graphql::Error::new(..).extend_with(|_, e| e.set(..))`).
        todo!()
    }
}

// TODO: resolvers that call the service, not the store.
struct QueryRoot;

#[Object]
impl QueryRoot {
    /// One project; `null` when there is no such project.
    async fn project(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<Option<ProjectNode>> {
        let store = ctx.data::<Arc<dyn ProjectStore>>()?;
        let Ok(id) = id.parse::<u64>() else {
            return Ok(None);
        };
        Ok(store.find_row(id).map(ProjectNode::from))
    }

    /// The active projects.
    async fn projects(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ProjectNode>> {
        let store = ctx.data::<Arc<dyn ProjectStore>>()?;
        Ok(store
            .all_rows()
            .into_iter()
            .map(ProjectNode::from)
            .collect())
    }
}

struct MutationRoot;

#[Object]
impl MutationRoot {
    async fn create_project(
        &self,
        ctx: &Context<'_>,
        slug: String,
        name: String,
    ) -> async_graphql::Result<ProjectNode> {
        let store = ctx.data::<Arc<dyn ProjectStore>>()?;
        let project = store
            .insert_row(slug, name)
            .map_err(|SlugTaken| async_graphql::Error::new("slug taken"))?;
        Ok(project.into())
    }
}

type ProjectSchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

fn build_schema(service: Service) -> ProjectSchema {
    // TODO: the resolvers should find the service here, not the store.
    Schema::build(QueryRoot, MutationRoot, EmptySubscription)
        .data(service.store.clone())
        .finish()
}

// ---- Both doors on one router (do not change) ----------------------------------

/// `POST /graphql`: what `async-graphql-axum`'s `GraphQL` service does,
/// written out.
async fn graphql(
    State(schema): State<ProjectSchema>,
    Json(request): Json<async_graphql::Request>,
) -> Json<async_graphql::Response> {
    Json(schema.execute(request).await)
}

fn app(service: Service) -> Router {
    let rest = Router::new()
        .route("/projects/{id}", get(get_project_rest))
        .with_state(service.clone());
    let graphql = Router::new()
        .route("/graphql", post(graphql))
        .with_state(build_schema(service));
    rest.merge(graphql)
}

fn main() {
    // This exercise is checked by its tests.
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::{Request, header};
    use http_body_util::BodyExt;
    use serde_json::{Value, json};
    use tower::ServiceExt;

    fn project(id: u64, slug: &str, archived: bool) -> Project {
        Project {
            id,
            slug: slug.to_string(),
            name: slug.replace('-', " "),
            archived,
        }
    }

    /// Project 1 "web-shop", project 2 "old-site" (archived), 3 "blog".
    fn service() -> Service {
        let store = InMemoryProjects::with([
            project(1, "web-shop", false),
            project(2, "old-site", true),
            project(3, "blog", false),
        ]);
        Arc::new(ProjectService {
            store: Arc::new(store),
        })
    }

    async fn graphql(service: &Service, query: &str) -> Value {
        let body = json!({ "query": query }).to_string();
        let request = Request::post("/graphql")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .unwrap();
        let response = app(service.clone()).oneshot(request).await.unwrap();
        assert_eq!(
            response.status(),
            StatusCode::OK,
            "GraphQL answers 200, errors included"
        );
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        serde_json::from_slice(&bytes).unwrap()
    }

    async fn rest_get(service: &Service, uri: &str) -> (StatusCode, Value) {
        let request = Request::get(uri).body(Body::empty()).unwrap();
        let response = app(service.clone()).oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    fn no_errors(response: &Value) {
        assert!(
            response.get("errors").is_none(),
            "unexpected errors: {response}"
        );
    }

    #[tokio::test]
    async fn a_project_is_read_by_id() {
        let service = service();

        let response = graphql(&service, r#"{ project(id: "1") { id slug name } }"#).await;

        no_errors(&response);
        assert_eq!(
            response["data"],
            json!({ "project": { "id": "1", "slug": "web-shop", "name": "web shop" } })
        );
    }

    #[tokio::test]
    async fn a_missing_project_is_null_not_an_error() {
        let service = service();

        let response = graphql(&service, r#"{ project(id: "42") { slug } }"#).await;

        no_errors(&response);
        assert_eq!(response["data"], json!({ "project": null }));
    }

    #[tokio::test]
    async fn the_list_follows_the_services_rule_and_hides_archived_projects() {
        let service = service();

        let response = graphql(&service, "{ projects { slug } }").await;

        no_errors(&response);
        assert_eq!(
            response["data"]["projects"],
            json!([{ "slug": "web-shop" }, { "slug": "blog" }]),
            "old-site is archived: the service never lists it"
        );
    }

    #[tokio::test]
    async fn archived_is_not_part_of_the_graphql_type() {
        let service = service();

        let response = graphql(&service, r#"{ project(id: "2") { slug archived } }"#).await;

        assert_eq!(
            response["data"],
            Value::Null,
            "the query is refused as a whole"
        );
        let message = response["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains("archived"), "{message}");
    }

    #[tokio::test]
    async fn a_project_created_through_graphql_is_there_for_rest() {
        let service = service();

        let response = graphql(
            &service,
            r#"mutation { createProject(slug: "docs", name: "Docs") { id slug } }"#,
        )
        .await;

        no_errors(&response);
        assert_eq!(
            response["data"]["createProject"],
            json!({ "id": "4", "slug": "docs" })
        );
        let (status, rest) = rest_get(&service, "/projects/4").await;
        assert_eq!(status, StatusCode::OK, "one service behind both doors");
        assert_eq!(rest["name"], "Docs");
    }

    #[tokio::test]
    async fn a_slug_that_breaks_the_rules_is_a_validation_error() {
        let service = service();

        let response = graphql(
            &service,
            r#"mutation { createProject(slug: "No Spaces!", name: "x") { id } }"#,
        )
        .await;

        assert_eq!(response["data"], Value::Null);
        let error = &response["errors"][0];
        assert_eq!(
            error["extensions"]["code"], "VALIDATION_FAILED",
            "in {response}"
        );
        assert_eq!(
            error["message"],
            "a slug is 3 to 40 characters of a-z, 0-9 and -"
        );
        assert_eq!(error["path"], json!(["createProject"]));
        assert_eq!(service.list_active().len(), 2, "nothing was created");
    }

    #[tokio::test]
    async fn a_blank_name_is_a_validation_error() {
        let service = service();

        let response = graphql(
            &service,
            r#"mutation { createProject(slug: "docs", name: "  ") { id } }"#,
        )
        .await;

        assert_eq!(
            response["errors"][0]["extensions"]["code"],
            "VALIDATION_FAILED"
        );
        assert_eq!(response["errors"][0]["message"], "a name must not be blank");
        let (status, _) = rest_get(&service, "/projects/4").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }

    #[tokio::test]
    async fn a_taken_slug_is_a_conflict_with_its_own_code() {
        let service = service();

        let response = graphql(
            &service,
            r#"mutation { createProject(slug: "old-site", name: "Old site 2") { id } }"#,
        )
        .await;

        let error = &response["errors"][0];
        assert_eq!(error["extensions"]["code"], "SLUG_TAKEN", "in {response}");
        assert_eq!(error["message"], "the slug \"old-site\" is taken");
    }

    #[tokio::test]
    async fn one_request_can_ask_for_several_things_at_once() {
        let service = service();

        let response = graphql(
            &service,
            r#"{ shop: project(id: "1") { name } blog: project(id: "3") { name } projects { id } }"#,
        )
        .await;

        no_errors(&response);
        assert_eq!(
            response["data"],
            json!({
                "shop": { "name": "web shop" },
                "blog": { "name": "blog" },
                "projects": [{ "id": "1" }, { "id": "3" }],
            })
        );
    }

    #[tokio::test]
    async fn an_id_that_is_no_number_finds_nothing() {
        let service = service();

        let response = graphql(&service, r#"{ project(id: "web-shop") { id } }"#).await;

        no_errors(&response);
        assert_eq!(response["data"]["project"], Value::Null);
    }
}
