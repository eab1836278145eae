//! # Caching: HTTP caching headers (solution)

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Serialize;

// Cache-Control by how the data behaves, one constant per kind of resource
// so a reviewer sees the whole policy in one place.

/// A fingerprinted asset: its name changes whenever its content does, so a
/// given URL never changes. Any cache (`public`) may keep it for a year, and
/// `immutable` tells browsers not to revalidate it even on reload.
const ASSET_CACHE_CONTROL: &str = "public, max-age=31536000, immutable";

/// One user's profile, which they can edit at any moment: only that user's
/// browser may store it (`private` keeps it out of CDNs and shared proxies,
/// which would serve it to the next person), and `no-cache` makes the browser
/// revalidate with the ETag before every reuse: an edit shows at once, and an
/// unchanged profile costs a 304 without a body. (`max-age=60` would show the
/// user their old profile for a minute after they changed it.)
const PROFILE_CACHE_CONTROL: &str = "private, no-cache";

/// Money: no cache anywhere may store it, not even the browser's disk.
/// (`no-cache` would not do: it *stores* and revalidates before reuse.)
const BALANCE_CACHE_CONTROL: &str = "no-store";

const APP_JS: &str = "console.log('shop ready');";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct Profile {
    name: String,
    bio: String,
}

#[derive(Clone, Default)]
struct AppState {
    profiles: Arc<Mutex<HashMap<u64, Profile>>>,
    balances: Arc<Mutex<HashMap<u64, i64>>>,
}

fn app(state: AppState) -> Router {
    Router::new()
        .route("/assets/app.3f9a1c.js", get(app_js))
        .route("/users/{id}/profile", get(profile))
        .route("/accounts/{id}/balance", get(balance))
        .with_state(state)
}

/// 64-bit FNV-1a: a tiny hash whose output is fixed by its definition.
///
/// An ETag must be the same for the same content on every instance and after
/// every deploy, or clients get 200s where 304s were due. That rules out
/// `std::hash::DefaultHasher`, whose algorithm the standard library may change
/// in any release, and `RandomState`, which differs per process on purpose.
/// FNV is not cryptographic; it does not need to be, since an ETag only has
/// to change when the content does. (A version number kept with the data is
/// just as good and avoids hashing the body at all.)
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// A strong ETag for a response body: a quoted string, as HTTP requires.
fn etag_for(body: &[u8]) -> String {
    format!("\"{:016x}\"", fnv1a(body))
}

/// Whether `If-None-Match` names `etag`, so the client's copy is current.
///
/// The header is a list (`"a", "b"`), possibly over several header lines, or
/// `*`. It uses the *weak* comparison: `W/"abc"` matches `"abc"`, because
/// some proxies weaken ETags when they re-compress a body, and for "is your
/// copy still good?" that is fine. Splitting on `,` is a simplification that
/// holds for our hex tags; an entity-tag may contain a comma in general.
fn if_none_match_matches(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag)
}

async fn app_js() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript"),
            (header::CACHE_CONTROL, ASSET_CACHE_CONTROL),
        ],
        APP_JS,
    )
        .into_response()
}

async fn profile(
    State(state): State<AppState>,
    Path(id): Path<u64>,
    headers: HeaderMap,
) -> Response {
    let found = state
        .profiles
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .get(&id)
        .cloned();
    let Some(profile) = found else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let body = match serde_json::to_vec(&profile) {
        Ok(body) => body,
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    // The ETag is computed from the exact bytes we would send, so it changes
    // when, and only when, the representation does.
    let etag = etag_for(&body);
    if if_none_match_matches(&headers, &etag) {
        // 304 has no body, but it must carry the ETag and Cache-Control a 200
        // would have: the client uses them to refresh its stored copy's
        // freshness. The saving is the body, not the request; the handler
        // still loaded and serialized the profile. (Skipping even that needs
        // a version kept with the data, compared before loading.)
        return (
            StatusCode::NOT_MODIFIED,
            [
                (header::ETAG, etag),
                (header::CACHE_CONTROL, PROFILE_CACHE_CONTROL.to_string()),
            ],
        )
            .into_response();
    }
    (
        [
            (header::CONTENT_TYPE, "application/json".to_string()),
            (header::ETAG, etag),
            (header::CACHE_CONTROL, PROFILE_CACHE_CONTROL.to_string()),
        ],
        body,
    )
        .into_response()
}

async fn balance(State(state): State<AppState>, Path(id): Path<u64>) -> Response {
    let found = state
        .balances
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .get(&id)
        .copied();
    match found {
        Some(cents) => (
            [(header::CACHE_CONTROL, BALANCE_CACHE_CONTROL)],
            axum::Json(serde_json::json!({ "balance_cents": cents })),
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

fn main() {
    // This exercise is checked by its tests.
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::{Body, Bytes};
    use axum::http::Request;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    fn state() -> AppState {
        let state = AppState::default();
        state.profiles.lock().unwrap().insert(
            1,
            Profile {
                name: "Ada".to_string(),
                bio: "Analyst".to_string(),
            },
        );
        state.balances.lock().unwrap().insert(1, 12_345);
        state
    }

    async fn get(
        state: &AppState,
        uri: &str,
        if_none_match: Option<&str>,
    ) -> (StatusCode, HeaderMap, Bytes) {
        let mut request = Request::get(uri);
        if let Some(tag) = if_none_match {
            request = request.header(header::IF_NONE_MATCH, tag);
        }
        let response = app(state.clone())
            .oneshot(request.body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, headers, body)
    }

    fn header_of(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
        headers.get(name).map(|value| value.to_str().unwrap())
    }

    /// The directives of a Cache-Control header, in any order and spacing:
    /// `"private, max-age=60"` and `"max-age=60,private"` say the same.
    fn directives(headers: &HeaderMap) -> Vec<String> {
        let mut directives: Vec<String> = header_of(headers, header::CACHE_CONTROL)
            .unwrap_or_default()
            .split(',')
            .map(|directive| directive.trim().to_ascii_lowercase())
            .filter(|directive| !directive.is_empty())
            .collect();
        directives.sort();
        directives
    }

    #[tokio::test]
    async fn a_first_request_gets_the_profile_with_an_etag() {
        let state = state();

        let (status, headers, body) = get(&state, "/users/1/profile", None).await;

        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(&body).unwrap(),
            serde_json::json!({"name": "Ada", "bio": "Analyst"})
        );
        let etag = header_of(&headers, header::ETAG).expect("an ETag header");
        assert!(
            etag.len() > 2 && etag.starts_with('"') && etag.ends_with('"'),
            "an ETag is a quoted string, like \"5e1f0c\"; got {etag}"
        );
    }

    #[tokio::test]
    async fn the_same_content_gets_the_same_etag() {
        let state = state();

        let (_, first, _) = get(&state, "/users/1/profile", None).await;
        let (_, second, _) = get(&state, "/users/1/profile", None).await;

        assert_eq!(first.get(header::ETAG), second.get(header::ETAG));
        assert!(first.get(header::ETAG).is_some());
    }

    #[tokio::test]
    async fn a_matching_if_none_match_gets_304_with_no_body() {
        let state = state();
        let (_, headers, _) = get(&state, "/users/1/profile", None).await;
        let etag = header_of(&headers, header::ETAG).expect("an ETag header");

        let (status, headers, body) = get(&state, "/users/1/profile", Some(etag)).await;

        assert_eq!(status, StatusCode::NOT_MODIFIED);
        assert!(body.is_empty(), "a 304 has no body");
        assert_eq!(
            header_of(&headers, header::ETAG),
            Some(etag),
            "a 304 repeats the ETag"
        );
        assert_eq!(
            directives(&headers),
            ["no-cache", "private"],
            "a 304 repeats Cache-Control, so the client can refresh its copy"
        );
    }

    #[tokio::test]
    async fn a_changed_profile_gets_200_and_a_new_etag() {
        let state = state();
        let (_, headers, _) = get(&state, "/users/1/profile", None).await;
        let old_etag = header_of(&headers, header::ETAG)
            .expect("an ETag header")
            .to_string();

        state.profiles.lock().unwrap().get_mut(&1).unwrap().bio = "Countess".to_string();
        let (status, headers, body) = get(&state, "/users/1/profile", Some(&old_etag)).await;

        assert_eq!(status, StatusCode::OK, "the client's copy is out of date");
        assert!(String::from_utf8_lossy(&body).contains("Countess"));
        let new_etag = header_of(&headers, header::ETAG).expect("an ETag header");
        assert_ne!(new_etag, old_etag, "new content, new ETag");
    }

    #[tokio::test]
    async fn if_none_match_may_list_several_tags_and_weak_ones() {
        let state = state();
        let (_, headers, _) = get(&state, "/users/1/profile", None).await;
        let etag = header_of(&headers, header::ETAG).expect("an ETag header");

        let listed = format!("\"something-older\", {etag}");
        let (status, _, _) = get(&state, "/users/1/profile", Some(&listed)).await;
        assert_eq!(status, StatusCode::NOT_MODIFIED, "If-None-Match: {listed}");

        let weak = format!("W/{etag}");
        let (status, _, _) = get(&state, "/users/1/profile", Some(&weak)).await;
        assert_eq!(status, StatusCode::NOT_MODIFIED, "If-None-Match: {weak}");

        let (status, _, _) = get(&state, "/users/1/profile", Some("\"nope\"")).await;
        assert_eq!(status, StatusCode::OK);
    }

    #[tokio::test]
    async fn if_none_match_star_matches_any_current_version() {
        let (status, headers, body) = get(&state(), "/users/1/profile", Some("*")).await;

        assert_eq!(status, StatusCode::NOT_MODIFIED, "If-None-Match: *");
        assert!(body.is_empty());
        assert!(header_of(&headers, header::ETAG).is_some());
    }

    #[tokio::test]
    async fn if_none_match_may_arrive_as_several_header_lines() {
        let state = state();
        let (_, headers, _) = get(&state, "/users/1/profile", None).await;
        let etag = header_of(&headers, header::ETAG).expect("an ETag header");
        let request = Request::get("/users/1/profile")
            .header(header::IF_NONE_MATCH, "\"something-older\"")
            .header(header::IF_NONE_MATCH, etag)
            .body(Body::empty())
            .unwrap();

        let response = app(state.clone()).oneshot(request).await.unwrap();

        assert_eq!(
            response.status(),
            StatusCode::NOT_MODIFIED,
            "the current tag is on the second If-None-Match line"
        );
    }

    #[tokio::test]
    async fn a_profile_is_private_and_always_revalidated() {
        let (_, headers, _) = get(&state(), "/users/1/profile", None).await;

        assert_eq!(
            directives(&headers),
            ["no-cache", "private"],
            "a profile must never be stored by a shared cache (CDN, proxy), \
             and its user must see their own edit at once"
        );
    }

    #[tokio::test]
    async fn a_versioned_asset_is_cached_for_a_year_everywhere() {
        let (status, headers, body) = get(&state(), "/assets/app.3f9a1c.js", None).await;

        assert_eq!(status, StatusCode::OK);
        assert_eq!(body, APP_JS);
        assert_eq!(
            directives(&headers),
            ["immutable", "max-age=31536000", "public"]
        );
    }

    #[tokio::test]
    async fn a_balance_is_never_stored() {
        let (status, headers, _) = get(&state(), "/accounts/1/balance", None).await;

        assert_eq!(status, StatusCode::OK);
        assert_eq!(directives(&headers), ["no-store"]);
    }

    #[tokio::test]
    async fn an_unknown_profile_is_404() {
        let (status, _, _) = get(&state(), "/users/9/profile", None).await;

        assert_eq!(status, StatusCode::NOT_FOUND);
    }

    #[test]
    fn the_etag_depends_on_the_content_only() {
        assert_eq!(
            etag_for(b"{\"name\":\"Ada\"}"),
            etag_for(b"{\"name\":\"Ada\"}")
        );
        assert_ne!(
            etag_for(b"{\"name\":\"Ada\"}"),
            etag_for(b"{\"name\":\"Bob\"}")
        );
    }

    #[test]
    fn the_etag_is_fnv1a_so_every_instance_and_release_agrees() {
        // Published FNV-1a 64-bit values: any instance, any Rust version.
        assert_eq!(etag_for(b""), "\"cbf29ce484222325\"");
        assert_eq!(etag_for(b"a"), "\"af63dc4c8601ec8c\"");
    }
}
