//! # API design: a DataLoader against N+1 queries (solution)

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};
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
///
/// Every `load_one` made while a query is being resolved is queued; the
/// DataLoader waits a moment (1 ms by default, until the resolvers of this
/// round have all asked), then calls `load` once with every distinct id.
/// Resolvers of a list run concurrently, so the owners of all projects of
/// a page land in one batch: 1 + 1 queries instead of 1 + N.
struct UserLoader {
    users: Arc<dyn UserRepository>,
}

impl Loader<u64> for UserLoader {
    type Value = User;
    /// `find_many` cannot fail here. A repository that can would return
    /// `Arc<TheError>`: the error is cloned to every resolver that waited.
    type Error = Infallible;

    async fn load(&self, ids: &[u64]) -> Result<HashMap<u64, User>, Infallible> {
        Ok(self.users.find_many(ids))
    }
}

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

    /// The owner, through the request's loader: this resolver runs once per
    /// project, the query once per batch. `null` if the user is gone.
    async fn owner(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<UserNode>> {
        let loader = ctx.data::<DataLoader<UserLoader>>()?;
        let owner = loader.load_one(self.0.owner_id).await?;
        Ok(owner.map(UserNode))
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

/// Repositories live as long as the schema; the loader is made per request
/// (in `graphql`), so nothing it loads outlives the request that asked.
#[derive(Clone)]
struct AppState {
    schema: ProjectSchema,
    users: Arc<dyn UserRepository>,
}

fn build_schema(projects: Arc<dyn ProjectRepository>) -> ProjectSchema {
    Schema::build(QueryRoot, EmptyMutation, EmptySubscription)
        .data(projects)
        .finish()
}

/// `POST /graphql`, with a fresh loader in the request's data.
///
/// Per request, because a loader that caches (`DataLoader::with_cache`)
/// would otherwise keep serving a user as they were when first loaded, to
/// every later request, and across users whose permissions differ.
async fn graphql(
    State(state): State<AppState>,
    Json(request): Json<async_graphql::Request>,
) -> Json<async_graphql::Response> {
    let loader = DataLoader::new(
        UserLoader {
            users: state.users.clone(),
        },
        tokio::spawn,
    );
    Json(state.schema.execute(request.data(loader)).await)
}

fn app(projects: Arc<dyn ProjectRepository>, users: Arc<dyn UserRepository>) -> Router {
    let state = AppState {
        schema: build_schema(projects),
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
