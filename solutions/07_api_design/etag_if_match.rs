//! # API design: optimistic concurrency with ETag and If-Match (solution)

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct Document {
    id: u64,
    title: String,
    body: String,
    /// Starts at 1, goes up by one with every write. Not in the JSON: the
    /// client sees it as the ETag.
    #[serde(skip)]
    version: u64,
}

#[derive(Debug, Clone, Deserialize)]
struct Edit {
    title: String,
    body: String,
}

// ---- The store (do not change) ----------------------------------------------

/// Which versions a conditional write accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Precondition {
    /// `If-Match: *`: any version, as long as the document exists.
    Any,
    /// `If-Match: "v3"` (or a list): one of these versions.
    OneOf(Vec<u64>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum ReplaceError {
    NotFound,
    /// Someone else wrote first; `current` is the version now stored.
    VersionMismatch {
        current: u64,
    },
}

trait DocumentStore: Send + Sync {
    fn get(&self, id: u64) -> Option<Document>;

    /// Writes whatever the document holds now: the last writer wins. For
    /// the nightly import, which owns every document it writes.
    fn replace(&self, id: u64, edit: Edit) -> Option<Document>;

    /// Writes only if the stored version satisfies `precondition`, checked
    /// and written in one step:
    ///
    /// ```sql
    /// UPDATE documents SET title = $3, body = $4, version = version + 1
    /// WHERE id = $1 AND version = ANY($2)
    /// ```
    ///
    /// Zero rows updated means someone else wrote first (or the document is
    /// gone): a second query tells which.
    fn replace_if(
        &self,
        id: u64,
        precondition: &Precondition,
        edit: Edit,
    ) -> Result<Document, ReplaceError>;
}

#[derive(Default)]
struct InMemoryDocuments {
    documents: Mutex<BTreeMap<u64, Document>>,
}

impl InMemoryDocuments {
    fn with(documents: impl IntoIterator<Item = Document>) -> Self {
        let documents = documents.into_iter().map(|d| (d.id, d)).collect();
        Self {
            documents: Mutex::new(documents),
        }
    }

    fn write(document: &mut Document, edit: Edit) -> Document {
        document.title = edit.title;
        document.body = edit.body;
        document.version += 1;
        document.clone()
    }
}

impl DocumentStore for InMemoryDocuments {
    fn get(&self, id: u64) -> Option<Document> {
        let documents = self
            .documents
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        documents.get(&id).cloned()
    }

    fn replace(&self, id: u64, edit: Edit) -> Option<Document> {
        let mut documents = self
            .documents
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        documents
            .get_mut(&id)
            .map(|document| Self::write(document, edit))
    }

    fn replace_if(
        &self,
        id: u64,
        precondition: &Precondition,
        edit: Edit,
    ) -> Result<Document, ReplaceError> {
        // One lock around the check and the write: nobody can write between
        // them, as no transaction can between the WHERE and the SET.
        let mut documents = self
            .documents
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let document = documents.get_mut(&id).ok_or(ReplaceError::NotFound)?;
        let accepted = match precondition {
            Precondition::Any => true,
            Precondition::OneOf(versions) => versions.contains(&document.version),
        };
        if !accepted {
            return Err(ReplaceError::VersionMismatch {
                current: document.version,
            });
        }
        Ok(Self::write(document, edit))
    }
}

// ---- ETags ----------------------------------------------------------------------

/// The ETag of a version: a *strong* tag, a quoted string.
///
/// Built from the version the store keeps, not from a hash of the body: it
/// costs nothing, and it changes on every write even when a write puts the
/// same text back (which matters for "did anyone touch it since I read it").
fn etag(version: u64) -> String {
    format!("\"v{version}\"")
}

/// The precondition of an `If-Match` header, `None` when there is none.
///
/// `If-Match` uses the *strong* comparison (RFC 9110, 13.1.1): a weak tag
/// (`W/"v3"`) promises only "equivalent", never "the same bytes", so it
/// matches nothing, and neither does anything this API never sent. A list
/// matches if any of its tags does; a proxy may split a list over several
/// header lines.
fn precondition(headers: &HeaderMap) -> Option<Precondition> {
    let values: Vec<&str> = headers
        .get_all(header::IF_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .collect();
    if values.is_empty() {
        return None;
    }
    let tags = values
        .iter()
        .flat_map(|value| value.split(','))
        .map(str::trim);
    let mut versions = Vec::new();
    for tag in tags {
        if tag == "*" {
            return Some(Precondition::Any);
        }
        let version = tag
            .strip_prefix("\"v")
            .and_then(|rest| rest.strip_suffix('"'))
            .and_then(|digits| digits.parse::<u64>().ok());
        // Only a tag exactly as `etag` writes it: "v01" and "v+1" parse,
        // but this API never sent them.
        versions.extend(version.filter(|&version| etag(version) == tag));
    }
    Some(Precondition::OneOf(versions))
}

// ---- Handlers ------------------------------------------------------------------

type Store = Arc<dyn DocumentStore>;

fn with_etag(status: StatusCode, document: Document) -> Response {
    let tag = etag(document.version);
    (status, [(header::ETAG, tag)], Json(document)).into_response()
}

/// `GET /documents/{id}`: the document and its ETag.
async fn get_document(State(store): State<Store>, Path(id): Path<u64>) -> Response {
    match store.get(id) {
        Some(document) => with_etag(StatusCode::OK, document),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// `PUT /documents/{id}`, only with `If-Match`.
///
/// The handler never compares versions itself: reading the version and then
/// writing leaves a gap in which another editor can save, and that save
/// would be overwritten. The store compares and writes in one step; the
/// handler only translates the outcome.
async fn put_document(
    State(store): State<Store>,
    Path(id): Path<u64>,
    headers: HeaderMap,
    Json(edit): Json<Edit>,
) -> Response {
    // No If-Match: the client did not say which version it edited. 428
    // tells it to (RFC 6585) instead of guessing "the latest".
    let Some(precondition) = precondition(&headers) else {
        return (
            StatusCode::PRECONDITION_REQUIRED,
            "send If-Match with the ETag you edited",
        )
            .into_response();
    };
    match store.replace_if(id, &precondition, edit) {
        Ok(document) => with_etag(StatusCode::OK, document),
        Err(ReplaceError::NotFound) => StatusCode::NOT_FOUND.into_response(),
        // The current ETag helps the client: fetch, merge, and try again.
        Err(ReplaceError::VersionMismatch { current }) => (
            StatusCode::PRECONDITION_FAILED,
            [(header::ETAG, etag(current))],
            "the document changed since you read it",
        )
            .into_response(),
    }
}

fn app(store: Store) -> Router {
    Router::new()
        .route("/documents/{id}", get(get_document).put(put_document))
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
    use std::sync::atomic::{AtomicBool, Ordering};
    use tower::ServiceExt;

    fn handbook() -> Document {
        Document {
            id: 1,
            title: "Handbook".to_string(),
            body: "Welcome!".to_string(),
            version: 1,
        }
    }

    fn store() -> Arc<InMemoryDocuments> {
        Arc::new(InMemoryDocuments::with([handbook()]))
    }

    async fn get_doc(store: Store, id: u64) -> Response {
        let request = Request::builder()
            .uri(format!("/documents/{id}"))
            .body(Body::empty())
            .unwrap();
        app(store).oneshot(request).await.unwrap()
    }

    async fn put_doc(store: Store, if_match: &[&str], body: &str) -> Response {
        let mut request = Request::builder()
            .method(Method::PUT)
            .uri("/documents/1")
            .header(header::CONTENT_TYPE, "application/json");
        for value in if_match {
            request = request.header(header::IF_MATCH, *value);
        }
        let edit = json!({ "title": "Handbook", "body": body }).to_string();
        app(store)
            .oneshot(request.body(Body::from(edit)).unwrap())
            .await
            .unwrap()
    }

    fn etag_of(response: &Response) -> Option<&str> {
        response
            .headers()
            .get(header::ETAG)
            .and_then(|v| v.to_str().ok())
    }

    async fn body_json(response: Response) -> Value {
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        serde_json::from_slice(&bytes).unwrap()
    }

    #[tokio::test]
    async fn a_document_comes_with_its_version_as_a_strong_etag() {
        let response = get_doc(store(), 1).await;

        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            etag_of(&response),
            Some("\"v1\""),
            "a quoted string, not W/\"..\""
        );
        assert_eq!(
            body_json(response).await,
            json!({ "id": 1, "title": "Handbook", "body": "Welcome!" })
        );
        assert_eq!(get_doc(store(), 9).await.status(), StatusCode::NOT_FOUND);
    }

    #[tokio::test]
    async fn a_put_with_the_current_etag_saves_and_answers_the_next_etag() {
        let store = store();

        let response = put_doc(store.clone(), &["\"v1\""], "Welcome aboard!").await;

        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(etag_of(&response), Some("\"v2\""), "the new version's tag");
        assert_eq!(body_json(response).await["body"], "Welcome aboard!");
        assert_eq!(store.get(1).unwrap().version, 2);
    }

    #[tokio::test]
    async fn the_second_of_two_editors_gets_412_and_the_first_edit_survives() {
        let store = store();
        let ada_read = get_doc(store.clone(), 1).await;
        let grace_read = get_doc(store.clone(), 1).await;
        let ada_tag = etag_of(&ada_read).unwrap().to_string();
        let grace_tag = etag_of(&grace_read).unwrap().to_string();

        let ada = put_doc(store.clone(), &[&ada_tag], "Ada's welcome").await;
        let grace = put_doc(store.clone(), &[&grace_tag], "Grace's welcome").await;

        assert_eq!(ada.status(), StatusCode::OK);
        assert_eq!(
            grace.status(),
            StatusCode::PRECONDITION_FAILED,
            "Grace edited version 1, which is gone"
        );
        assert_eq!(
            etag_of(&grace),
            Some("\"v2\""),
            "the 412 names the current version, so the client can fetch it and merge"
        );
        assert_eq!(
            store.get(1).unwrap().body,
            "Ada's welcome",
            "no lost update"
        );
    }

    #[tokio::test]
    async fn a_put_without_if_match_is_428_and_changes_nothing() {
        let store = store();

        let response = put_doc(store.clone(), &[], "Blind write").await;

        assert_eq!(response.status(), StatusCode::PRECONDITION_REQUIRED);
        assert_eq!(store.get(1).unwrap(), handbook());
    }

    #[tokio::test]
    async fn a_weak_etag_never_satisfies_if_match() {
        let store = store();

        let response = put_doc(store.clone(), &["W/\"v1\""], "Weak").await;

        assert_eq!(
            response.status(),
            StatusCode::PRECONDITION_FAILED,
            "If-Match compares strongly: W/ tags never match"
        );
        assert_eq!(store.get(1).unwrap(), handbook());
    }

    #[tokio::test]
    async fn a_tag_this_api_never_sent_matches_nothing() {
        for tag in ["v1", "\"1\"", "\"v1", "\"vone\"", "\"v01\"", "\"v+1\"", ""] {
            let store = store();

            let response = put_doc(store.clone(), &[tag], "Guess").await;

            assert_eq!(
                response.status(),
                StatusCode::PRECONDITION_FAILED,
                "If-Match: {tag}"
            );
            assert_eq!(store.get(1).unwrap(), handbook());
        }
    }

    #[tokio::test]
    async fn any_tag_of_a_list_may_match() {
        let one_line = store();
        let two_lines = store();

        let listed = put_doc(one_line.clone(), &["\"v7\", \"v1\""], "Listed").await;
        let split = put_doc(two_lines.clone(), &["\"v7\"", "\"v1\""], "Split").await;

        assert_eq!(listed.status(), StatusCode::OK);
        assert_eq!(one_line.get(1).unwrap().body, "Listed");
        assert_eq!(
            split.status(),
            StatusCode::OK,
            "a list may come as several header lines"
        );
        assert_eq!(two_lines.get(1).unwrap().body, "Split");
    }

    #[tokio::test]
    async fn if_match_star_accepts_any_version() {
        let store = store();
        store.replace(
            1,
            Edit {
                title: "Handbook".into(),
                body: "Imported".into(),
            },
        );

        let response = put_doc(store.clone(), &["*"], "Mine, whatever it was").await;

        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(etag_of(&response), Some("\"v3\""));
    }

    #[tokio::test]
    async fn a_put_to_a_missing_document_is_404() {
        let store: Store = Arc::new(InMemoryDocuments::default());

        let response = put_doc(store, &["\"v1\""], "Nobody home").await;

        assert_eq!(response.status(), StatusCode::NOT_FOUND);
    }

    /// A store in which another editor saves right after any read, and
    /// before any write: the moment a handler that reads, compares and then
    /// writes is exposed.
    struct RivalSavesInBetween {
        inner: InMemoryDocuments,
        rival_saved: AtomicBool,
    }

    impl RivalSavesInBetween {
        fn rival_saves_once(&self) {
            if !self.rival_saved.swap(true, Ordering::SeqCst) {
                let rival = Edit {
                    title: "Handbook".into(),
                    body: "Rival's welcome".into(),
                };
                self.inner.replace(1, rival);
            }
        }
    }

    impl DocumentStore for RivalSavesInBetween {
        fn get(&self, id: u64) -> Option<Document> {
            let read = self.inner.get(id);
            self.rival_saves_once();
            read
        }

        fn replace(&self, id: u64, edit: Edit) -> Option<Document> {
            self.rival_saves_once();
            self.inner.replace(id, edit)
        }

        fn replace_if(
            &self,
            id: u64,
            precondition: &Precondition,
            edit: Edit,
        ) -> Result<Document, ReplaceError> {
            self.rival_saves_once();
            self.inner.replace_if(id, precondition, edit)
        }
    }

    #[tokio::test]
    async fn a_save_between_the_check_and_the_write_is_not_overwritten() {
        let store = Arc::new(RivalSavesInBetween {
            inner: InMemoryDocuments::with([handbook()]),
            rival_saved: AtomicBool::new(false),
        });

        let response = put_doc(store.clone(), &["\"v1\""], "Mine").await;

        assert_eq!(
            response.status(),
            StatusCode::PRECONDITION_FAILED,
            "the rival saved version 2 before this write"
        );
        assert_eq!(store.inner.get(1).unwrap().body, "Rival's welcome");
    }
}
