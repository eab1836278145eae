//! # API design: a DataLoader against N+1 queries
//!
//! In GraphQL the client decides how deep a query goes, and each field has
//! its own resolver. A list of 50 projects, each with its owner, runs the
//! `owner` resolver 50 times: 1 query for the projects, then N queries for
//! their owners, the *N+1* problem. A DataLoader collects the keys the
//! resolvers ask for while a query runs, and loads them in one batch:
//!
//! ```text
//!   without:  projects ─> find(1) find(2) find(1) find(3) ...   1 + N queries
//!   with:     projects ─> load_one(1) load_one(2) ...  ┐
//!                          (queued for a moment)       └─> find_many([1, 2, 3])
//!                                                                 1 + 1 queries
//! ```
//!
//! ## The problem
//!
//! The project list of the mobile app asks for
//! `{ projects { name owner { name } } }`. Each request sends 51 queries to
//! the database, most of them for the same handful of users, and the
//! database's CPU alarm goes off every morning when everyone opens the app.
//!
//! ## Your task
//!
//! 1. `UserLoader`: implement `async_graphql::dataloader::Loader<u64>`:
//!    `load` gets every id queued in this round and answers them with one
//!    `find_many`.
//! 2. `ProjectNode::owner`: load the owner through a
//!    `DataLoader<UserLoader>` taken from the context
//!    (`loader.load_one(id).await?`), not with `find`.
//! 3. Put a `DataLoader::new(UserLoader { .. }, tokio::spawn)` where the
//!    resolvers can find it: in the data of each request
//!    (`request.data(loader)`, in `graphql`), so that nothing it loads
//!    outlives the request.
//!
//! The tests count how the user repository is asked: one `find_many` per
//! request, each owner once, no `find`.
//!
//! ## When not to use it
//!
//! When the parent query can fetch the children itself with a join (a
//! REST endpoint with a fixed shape, a report), a join is one query, not
//! two. And a DataLoader batches within one request only: the same user
//! loaded by a thousand requests a second is a job for a cache.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;

use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, EmptyMutation, EmptySubscription, ID, Object, Schema};
use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};

// ---- The domain (do not change) ---------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
struct Project {
    id: u64,
    name: String,
    owner_id: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct User {
    id: u64,
    name: String,
}

trait ProjectRepository: Send + Sync {
    /// `SELECT * FROM projects ORDER BY id`
    fn all(&self) -> Vec<Project>;
}

trait UserRepository: Send + Sync {
    /// `SELECT * FROM users WHERE id = $1`: one round trip per user.
    fn find(&self, id: u64) -> Option<User>;

    /// `SELECT * FROM users WHERE id = ANY($1)`: one round trip for all of
    /// them. Ids with no user are simply absent from the map.
    fn find_many(&self, ids: &[u64]) -> HashMap<u64, User>;
}

// ---- The loader ------------------------------------------------------------------

/// Loads users in batches.
struct UserLoader {
    users: Arc<dyn UserRepository>,
}

// TODO: impl async_graphql::dataloader::Loader<u64> for UserLoader: one
// `find_many` for all the ids of a batch. (`type Value = User;`, and
// `type Error = Infallible;` since `find_many` cannot fail.)

// ---- The schema -------------------------------------------------------------------

struct ProjectNode(Project);

#[Object(name = "Project")]
impl ProjectNode {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    /// The owner; `null` if the user is gone.
    async fn owner(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<UserNode>> {
        // TODO: one query per project: ask a DataLoader<UserLoader> instead.
        let users = ctx.data::<Arc<dyn UserRepository>>()?;
        Ok(users.find(self.0.owner_id).map(UserNode))
    }
}

struct UserNode(User);

#[Object(name = "User")]
impl UserNode {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn name(&self) -> &str {
        &self.0.name
    }
}

struct QueryRoot;

#[Object]
impl QueryRoot {
    async fn projects(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ProjectNode>> {
        let projects = ctx.data::<Arc<dyn ProjectRepository>>()?;
        Ok(projects.all().into_iter().map(ProjectNode).collect())
    }
}

type ProjectSchema = Schema<QueryRoot, EmptyMutation, EmptySubscription>;

#[derive(Clone)]
struct AppState {
    schema: ProjectSchema,
    users: Arc<dyn UserRepository>,
}

fn build_schema(
    projects: Arc<dyn ProjectRepository>,
    users: Arc<dyn UserRepository>,
) -> ProjectSchema {
    Schema::build(QueryRoot, EmptyMutation, EmptySubscription)
        .data(projects)
        .data(users)
        .finish()
}

/// `POST /graphql`
async fn graphql(
    State(state): State<AppState>,
    Json(request): Json<async_graphql::Request>,
) -> Json<async_graphql::Response> {
    // TODO: a fresh DataLoader<UserLoader> in this request's data.
    Json(state.schema.execute(request).await)
}

fn app(projects: Arc<dyn ProjectRepository>, users: Arc<dyn UserRepository>) -> Router {
    let state = AppState {
        schema: build_schema(projects, users.clone()),
        users,
    };
    Router::new()
        .route("/graphql", post(graphql))
        .with_state(state)
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
    use std::sync::Mutex;
    use tower::ServiceExt;

    struct Projects(Vec<Project>);

    impl ProjectRepository for Projects {
        fn all(&self) -> Vec<Project> {
            self.0.clone()
        }
    }

    /// Users in memory, counting how the database would be asked.
    #[derive(Default)]
    struct CountingUsers {
        users: Mutex<HashMap<u64, User>>,
        single_finds: Mutex<Vec<u64>>,
        batches: Mutex<Vec<Vec<u64>>>,
    }

    impl CountingUsers {
        fn with(users: &[(u64, &str)]) -> Arc<Self> {
            let users = users
                .iter()
                .map(|&(id, name)| {
                    (
                        id,
                        User {
                            id,
                            name: name.to_string(),
                        },
                    )
                })
                .collect();
            Arc::new(Self {
                users: Mutex::new(users),
                ..Self::default()
            })
        }

        fn rename(&self, id: u64, name: &str) {
            self.users.lock().unwrap().get_mut(&id).unwrap().name = name.to_string();
        }

        /// Every batch, its ids sorted (a loader may pass them in any order).
        fn batches(&self) -> Vec<Vec<u64>> {
            let mut batches = self.batches.lock().unwrap().clone();
            for batch in &mut batches {
                batch.sort_unstable();
            }
            batches
        }

        fn single_finds(&self) -> usize {
            self.single_finds.lock().unwrap().len()
        }
    }

    impl UserRepository for CountingUsers {
        fn find(&self, id: u64) -> Option<User> {
            self.single_finds.lock().unwrap().push(id);
            self.users.lock().unwrap().get(&id).cloned()
        }

        fn find_many(&self, ids: &[u64]) -> HashMap<u64, User> {
            self.batches.lock().unwrap().push(ids.to_vec());
            let users = self.users.lock().unwrap();
            ids.iter()
                .filter_map(|id| users.get(id).map(|user| (*id, user.clone())))
                .collect()
        }
    }

    /// Six projects owned by users 1, 2, 1, 3, 2 and 9 (9 does not exist).
    fn projects() -> Arc<dyn ProjectRepository> {
        let owners = [1, 2, 1, 3, 2, 9];
        let projects = owners
            .iter()
            .zip(1..)
            .map(|(&owner_id, id)| Project {
                id,
                name: format!("project {id}"),
                owner_id,
            })
            .collect();
        Arc::new(Projects(projects))
    }

    fn users() -> Arc<CountingUsers> {
        CountingUsers::with(&[(1, "Ada"), (2, "Grace"), (3, "Alan")])
    }

    async fn query(app: &Router, query: &str) -> Value {
        let body = json!({ "query": query }).to_string();
        let request = Request::post("/graphql")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .unwrap();
        let response = app.clone().oneshot(request).await.unwrap();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let response: Value = serde_json::from_slice(&bytes).unwrap();
        assert!(
            response.get("errors").is_none(),
            "unexpected errors: {response}"
        );
        response["data"].clone()
    }

    fn owner_names(data: &Value) -> Vec<Value> {
        data["projects"]
            .as_array()
            .unwrap()
            .iter()
            .map(|project| project["owner"]["name"].clone())
            .collect()
    }

    #[tokio::test(start_paused = true)]
    async fn the_owners_of_a_list_are_loaded_in_one_batch() {
        let users = users();
        let app = app(projects(), users.clone());

        query(&app, "{ projects { name owner { name } } }").await;

        assert_eq!(users.single_finds(), 0, "no user is looked up one by one");
        assert_eq!(
            users.batches(),
            [vec![1, 2, 3, 9]],
            "one batch, each owner asked for once"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn owners_asked_for_in_two_places_are_loaded_once() {
        let users = users();
        let app = app(projects(), users.clone());

        let data = query(
            &app,
            "{ mine: projects { owner { name } } all: projects { name owner { id } } }",
        )
        .await;

        assert_eq!(data["mine"][1]["owner"]["name"], "Grace");
        assert_eq!(data["all"][1]["owner"]["id"], "2");
        assert_eq!(
            users.batches(),
            [vec![1, 2, 3, 9]],
            "both lists resolve together: one batch, no id twice"
        );
        assert_eq!(users.single_finds(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn every_project_still_gets_its_own_owner() {
        let users = users();
        let app = app(projects(), users);

        let data = query(&app, "{ projects { id owner { id name } } }").await;

        assert_eq!(
            owner_names(&data),
            [
                json!("Ada"),
                json!("Grace"),
                json!("Ada"),
                json!("Alan"),
                json!("Grace"),
                Value::Null
            ],
            "project 6's owner does not exist: null"
        );
        assert_eq!(data["projects"][3]["owner"]["id"], "3");
        assert_eq!(data["projects"][5]["id"], "6");
    }

    #[tokio::test(start_paused = true)]
    async fn a_query_that_asks_for_no_owner_loads_no_user() {
        let users = users();
        let app = app(projects(), users.clone());

        let data = query(&app, "{ projects { name } }").await;

        assert_eq!(data["projects"][0]["name"], "project 1");
        assert_eq!(users.single_finds(), 0);
        assert!(users.batches().is_empty());
    }

    #[tokio::test(start_paused = true)]
    async fn each_request_loads_afresh() {
        let users = users();
        let app = app(projects(), users.clone());
        let before = query(&app, "{ projects { owner { name } } }").await;

        users.rename(1, "Ada Lovelace");
        let after = query(&app, "{ projects { owner { name } } }").await;

        assert_eq!(owner_names(&before)[0], "Ada");
        assert_eq!(
            owner_names(&after)[0],
            "Ada Lovelace",
            "no user outlives its request"
        );
        assert_eq!(users.batches().len(), 2, "one batch per request");
    }
}
