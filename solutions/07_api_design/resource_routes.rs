//! # API design: resources, routes and methods (solution)

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Deserializer, Serialize};

// ---- The model and its store (do not change) -----------------------------

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct Task {
    id: u64,
    project_id: u64,
    title: String,
    done: bool,
    assignee: Option<String>,
}

/// What a client sends to create a task, and to replace one with `PUT`.
#[derive(Debug, Deserialize)]
struct TaskInput {
    title: String,
    #[serde(default)]
    done: bool,
    #[serde(default)]
    assignee: Option<String>,
}

/// The tasks of every project. A `Mutex` around maps: a stand-in for a table.
#[derive(Default)]
struct TaskStore {
    inner: Mutex<Tables>,
}

#[derive(Default)]
struct Tables {
    projects: BTreeSet<u64>,
    tasks: BTreeMap<u64, Task>,
    last_id: u64,
}

impl TaskStore {
    fn tables(&self) -> std::sync::MutexGuard<'_, Tables> {
        // A panic while holding the lock leaves plain data behind, never a
        // half-written task, so the data is still good to use.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn add_project(&self, project_id: u64) {
        self.tables().projects.insert(project_id);
    }

    /// `None` when the project does not exist.
    fn tasks_of(&self, project_id: u64) -> Option<Vec<Task>> {
        let tables = self.tables();
        tables.projects.contains(&project_id).then(|| {
            let tasks = tables.tasks.values();
            tasks
                .filter(|t| t.project_id == project_id)
                .cloned()
                .collect()
        })
    }

    /// `None` when the project does not exist.
    fn insert(&self, project_id: u64, input: TaskInput) -> Option<Task> {
        let mut tables = self.tables();
        if !tables.projects.contains(&project_id) {
            return None;
        }
        tables.last_id += 1;
        let task = Task {
            id: tables.last_id,
            project_id,
            title: input.title,
            done: input.done,
            assignee: input.assignee,
        };
        tables.tasks.insert(task.id, task.clone());
        Some(task)
    }

    fn get(&self, id: u64) -> Option<Task> {
        self.tables().tasks.get(&id).cloned()
    }

    /// Applies `change` to the task and returns it as changed; `None` when
    /// there is no such task.
    fn update(&self, id: u64, change: impl FnOnce(&mut Task)) -> Option<Task> {
        let mut tables = self.tables();
        let task = tables.tasks.get_mut(&id)?;
        change(task);
        Some(task.clone())
    }

    fn remove(&self, id: u64) -> Option<Task> {
        self.tables().tasks.remove(&id)
    }
}

// ---- PATCH: a JSON merge patch --------------------------------------------

/// A `PATCH` body: every field may be left out, and left out means "keep".
///
/// `assignee` has three states, so it needs two `Option`s: absent
/// (`None`: keep), `null` (`Some(None)`: unassign), a name (`Some(Some(..))`:
/// assign). A plain `Option<String>` cannot tell absent from `null`, which
/// is the bug where "mark it done" also unassigns the task.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct TaskPatch {
    title: Option<String>,
    done: Option<bool>,
    #[serde(default, deserialize_with = "present")]
    assignee: Option<Option<String>>,
}

/// For a field that is present, wraps whatever it holds (`null` included) in
/// `Some`; `#[serde(default)]` makes an absent field `None`.
fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

impl TaskPatch {
    /// Changes the fields the client sent and nothing else.
    fn apply(self, task: &mut Task) {
        // `if let` per field, not a rebuild of the task: a field added to
        // `Task` later is kept by every old client's patch.
        if let Some(title) = self.title {
            task.title = title;
        }
        if let Some(done) = self.done {
            task.done = done;
        }
        if let Some(assignee) = self.assignee {
            task.assignee = assignee;
        }
    }
}

// ---- Handlers ------------------------------------------------------------

type Store = Arc<TaskStore>;

/// A list is wrapped in an object, not sent as a bare array: a later
/// `next_cursor` or `total` is then a new field, not a breaking change.
#[derive(Serialize)]
struct TaskList {
    items: Vec<Task>,
}

/// `GET /projects/{project_id}/tasks`
async fn list_tasks(
    State(store): State<Store>,
    Path(project_id): Path<u64>,
) -> Result<Json<TaskList>, StatusCode> {
    let items = store.tasks_of(project_id).ok_or(StatusCode::NOT_FOUND)?;
    Ok(Json(TaskList { items }))
}

/// `POST /projects/{project_id}/tasks`
///
/// `201 Created` says a new resource exists, and `Location` says where: the
/// client follows it instead of building the URL itself, so the URL scheme
/// stays the server's to change. The body repeats the task, so the client
/// learns its id and defaults without a second request.
async fn create_task(
    State(store): State<Store>,
    Path(project_id): Path<u64>,
    Json(input): Json<TaskInput>,
) -> Result<impl IntoResponse, StatusCode> {
    let task = store
        .insert(project_id, input)
        .ok_or(StatusCode::NOT_FOUND)?;
    let location = format!("/tasks/{}", task.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(task),
    ))
}

/// `GET /tasks/{id}`
async fn get_task(
    State(store): State<Store>,
    Path(id): Path<u64>,
) -> Result<Json<Task>, StatusCode> {
    store.get(id).map(Json).ok_or(StatusCode::NOT_FOUND)
}

/// `PUT /tasks/{id}`: the body is the whole new task. A field the client
/// leaves out takes its default (`assignee` becomes `None`): that is what
/// "replace" means, and why partial changes are a `PATCH`.
async fn replace_task(
    State(store): State<Store>,
    Path(id): Path<u64>,
    Json(input): Json<TaskInput>,
) -> Result<Json<Task>, StatusCode> {
    let replaced = store.update(id, |task| {
        task.title = input.title;
        task.done = input.done;
        task.assignee = input.assignee;
    });
    replaced.map(Json).ok_or(StatusCode::NOT_FOUND)
}

/// `PATCH /tasks/{id}`: changes only the fields in the body.
async fn patch_task(
    State(store): State<Store>,
    Path(id): Path<u64>,
    Json(patch): Json<TaskPatch>,
) -> Result<Json<Task>, StatusCode> {
    let patched = store.update(id, |task| patch.apply(task));
    patched.map(Json).ok_or(StatusCode::NOT_FOUND)
}

/// `DELETE /tasks/{id}`
///
/// `204 No Content`: done, and nothing to say. Deleting again finds nothing
/// and answers 404; the *effect* is the same (the task is gone), which is
/// what makes `DELETE` idempotent and safe to retry.
async fn delete_task(State(store): State<Store>, Path(id): Path<u64>) -> StatusCode {
    match store.remove(id) {
        Some(_) => StatusCode::NO_CONTENT,
        None => StatusCode::NOT_FOUND,
    }
}

// ---- The router ----------------------------------------------------------

/// Nouns in the path, verbs in the method.
///
/// A collection lives under its parent (`/projects/{id}/tasks`: the tasks
/// of that project), and each task has one canonical URL of its own
/// (`/tasks/{id}`), not `/projects/{p}/tasks/{id}`: the client needs only the
/// id, and a task moved to another project keeps its URL ("shallow
/// nesting"). One `.route` per path with every method chained: axum then
/// answers other methods with 405 and an `Allow` header by itself.
fn app(store: Store) -> Router {
    Router::new()
        .route(
            "/projects/{project_id}/tasks",
            get(list_tasks).post(create_task),
        )
        .route(
            "/tasks/{id}",
            get(get_task)
                .put(replace_task)
                .patch(patch_task)
                .delete(delete_task),
        )
        .with_state(store)
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
    use serde_json::{Value, json};
    use tower::ServiceExt;

    /// Project 1 with tasks 1 ("Write the spec", assigned to ada) and 2
    /// ("Review", done); project 2 with task 3.
    fn seeded_store() -> Store {
        let store = TaskStore::default();
        store.add_project(1);
        store.add_project(2);
        let tasks = [
            (1, "Write the spec", false, Some("ada")),
            (1, "Review", true, None),
            (2, "Ship", false, None),
        ];
        for (project_id, title, done, assignee) in tasks {
            let input = TaskInput {
                title: title.to_string(),
                done,
                assignee: assignee.map(str::to_string),
            };
            store.insert(project_id, input).unwrap();
        }
        Arc::new(store)
    }

    async fn send(store: &Store, method: Method, uri: &str, body: Option<Value>) -> Response {
        let builder = Request::builder().method(method).uri(uri);
        let request = match body {
            Some(json) => builder
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(json.to_string())),
            None => builder.body(Body::empty()),
        };
        app(store.clone()).oneshot(request.unwrap()).await.unwrap()
    }

    async fn body_bytes(response: Response) -> Vec<u8> {
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        bytes.to_vec()
    }

    async fn body_json(response: Response) -> Value {
        serde_json::from_slice(&body_bytes(response).await).unwrap()
    }

    #[tokio::test]
    async fn listing_is_get_on_the_collection_of_one_project() {
        let store = seeded_store();

        let response = send(&store, Method::GET, "/projects/1/tasks", None).await;

        assert_eq!(response.status(), StatusCode::OK);
        let body = body_json(response).await;
        let titles: Vec<&str> = body["items"]
            .as_array()
            .expect("the list is an object with an \"items\" array")
            .iter()
            .map(|task| task["title"].as_str().unwrap())
            .collect();
        assert_eq!(
            titles,
            ["Write the spec", "Review"],
            "only project 1's tasks"
        );
    }

    #[tokio::test]
    async fn the_tasks_of_an_unknown_project_are_404() {
        let store = seeded_store();

        let response = send(&store, Method::GET, "/projects/9/tasks", None).await;

        assert_eq!(response.status(), StatusCode::NOT_FOUND);
    }

    #[tokio::test]
    async fn creating_is_post_on_the_collection_and_answers_201_with_location() {
        let store = seeded_store();

        let response = send(
            &store,
            Method::POST,
            "/projects/2/tasks",
            Some(json!({ "title": "Write release notes" })),
        )
        .await;

        assert_eq!(
            response.status(),
            StatusCode::CREATED,
            "a new resource: 201"
        );
        let location = response.headers().get(header::LOCATION).cloned();
        assert_eq!(
            location.as_ref().map(|value| value.to_str().unwrap()),
            Some("/tasks/4"),
            "Location names the new task's own URL"
        );
        let created = body_json(response).await;
        assert_eq!(
            created["id"], 4,
            "the body is the created task, id included"
        );
        assert_eq!(created["project_id"], 2);
        assert_eq!(created["done"], false);

        let followed = send(&store, Method::GET, "/tasks/4", None).await;
        assert_eq!(
            followed.status(),
            StatusCode::OK,
            "the Location can be followed"
        );
        assert_eq!(body_json(followed).await["title"], "Write release notes");
    }

    #[tokio::test]
    async fn creating_in_an_unknown_project_is_404_and_creates_nothing() {
        let store = seeded_store();

        let response = send(
            &store,
            Method::POST,
            "/projects/9/tasks",
            Some(json!({ "title": "Lost" })),
        )
        .await;

        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        assert_eq!(store.get(4), None);
    }

    #[tokio::test]
    async fn a_task_is_read_at_its_own_url() {
        let store = seeded_store();

        let found = send(&store, Method::GET, "/tasks/3", None).await;
        let missing = send(&store, Method::GET, "/tasks/99", None).await;

        assert_eq!(found.status(), StatusCode::OK);
        assert_eq!(
            body_json(found).await,
            json!({ "id": 3, "project_id": 2, "title": "Ship", "done": false, "assignee": null })
        );
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    }

    #[tokio::test]
    async fn put_replaces_the_whole_task() {
        let store = seeded_store();

        let response = send(
            &store,
            Method::PUT,
            "/tasks/1",
            Some(json!({ "title": "Write the spec, v2", "done": true })),
        )
        .await;

        assert_eq!(response.status(), StatusCode::OK);
        let task = store.get(1).unwrap();
        assert_eq!(task.title, "Write the spec, v2");
        assert!(task.done);
        assert_eq!(
            task.assignee, None,
            "PUT replaces: a field the body leaves out is reset, not kept"
        );
        assert_eq!(body_json(response).await["assignee"], Value::Null);
    }

    #[tokio::test]
    async fn put_on_a_missing_task_is_404() {
        let store = seeded_store();

        let response = send(
            &store,
            Method::PUT,
            "/tasks/99",
            Some(json!({ "title": "x" })),
        )
        .await;

        assert_eq!(response.status(), StatusCode::NOT_FOUND);
    }

    #[tokio::test]
    async fn patch_changes_only_the_fields_it_sends() {
        let store = seeded_store();

        let response = send(
            &store,
            Method::PATCH,
            "/tasks/1",
            Some(json!({ "done": true })),
        )
        .await;

        assert_eq!(response.status(), StatusCode::OK);
        let task = store.get(1).unwrap();
        assert!(task.done);
        assert_eq!(task.title, "Write the spec", "the title was not sent: kept");
        assert_eq!(
            task.assignee.as_deref(),
            Some("ada"),
            "the assignee was not sent: kept (absent is not null)"
        );
        assert_eq!(
            body_json(response).await["done"],
            true,
            "the body is the patched task"
        );
    }

    #[tokio::test]
    async fn patch_with_null_clears_an_optional_field() {
        let store = seeded_store();

        let response = send(
            &store,
            Method::PATCH,
            "/tasks/1",
            Some(json!({ "assignee": null })),
        )
        .await;

        assert_eq!(response.status(), StatusCode::OK);
        let task = store.get(1).unwrap();
        assert_eq!(task.assignee, None, "null means: unassign");
        assert!(!task.done, "done was not sent: kept");
    }

    #[tokio::test]
    async fn patch_sets_a_new_value() {
        let store = seeded_store();

        send(
            &store,
            Method::PATCH,
            "/tasks/2",
            Some(json!({ "title": "Review twice", "assignee": "grace" })),
        )
        .await;

        let task = store.get(2).unwrap();
        assert_eq!(task.title, "Review twice");
        assert_eq!(task.assignee.as_deref(), Some("grace"));
        assert!(task.done, "done was not sent: kept");
    }

    #[tokio::test]
    async fn patch_on_a_missing_task_is_404() {
        let store = seeded_store();

        let response = send(
            &store,
            Method::PATCH,
            "/tasks/99",
            Some(json!({ "done": true })),
        )
        .await;

        assert_eq!(response.status(), StatusCode::NOT_FOUND);
    }

    #[tokio::test]
    async fn delete_answers_204_with_no_body_and_a_second_delete_is_404() {
        let store = seeded_store();

        let response = send(&store, Method::DELETE, "/tasks/2", None).await;

        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        assert!(body_bytes(response).await.is_empty(), "204 has no body");
        assert_eq!(store.get(2), None);
        let again = send(&store, Method::DELETE, "/tasks/2", None).await;
        assert_eq!(
            again.status(),
            StatusCode::NOT_FOUND,
            "nothing left to delete"
        );
        assert!(store.get(1).is_some(), "only task 2 was deleted");
    }

    #[tokio::test]
    async fn a_get_never_deletes() {
        let store = seeded_store();

        // A link prefetcher or a crawler follows every link with GET.
        let response = send(&store, Method::GET, "/tasks/2/delete", None).await;

        assert_eq!(response.status(), StatusCode::NOT_FOUND, "no such resource");
        assert!(store.get(2).is_some(), "a GET must never change anything");
    }

    #[tokio::test]
    async fn a_method_the_resource_does_not_support_is_405_with_allow() {
        let store = seeded_store();

        let response = send(
            &store,
            Method::POST,
            "/tasks/1",
            Some(json!({ "title": "x" })),
        )
        .await;

        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
        let allow = response.headers()[header::ALLOW]
            .to_str()
            .unwrap()
            .to_string();
        for method in ["GET", "PUT", "PATCH", "DELETE"] {
            assert!(
                allow.contains(method),
                "Allow: {allow} should list {method}"
            );
        }
        assert_eq!(store.get(5), None);
    }
}
