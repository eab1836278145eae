//! # Auth: an authenticated-user extractor for axum (solution)
//!
//! Authentication is written once, as a type: a handler that names
//! `AuthUser` in its signature cannot run without a verified caller, and one
//! that names `Option<AuthUser>` runs for anonymous callers too but still
//! refuses a bad token. The rejection renders the 401 with its challenge.

use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts, OptionalFromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use serde_json::json;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum Role {
    Member,
    Admin,
}

/// What a verified token says (the claims of `signed_tokens`).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Claims {
    sub: String,
    role: Role,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TokenError {
    Malformed,
    BadSignature,
    Expired,
}

/// The token service of `signed_tokens`, behind a trait so that handlers
/// and tests do not depend on keys and clocks.
trait TokenVerifier: Send + Sync {
    fn verify(&self, token: &str) -> Result<Claims, TokenError>;
}

/// Who is calling: only the extractor below can make one, from a verified
/// token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct AuthUser {
    user_id: String,
    role: Role,
}

/// Why a request is not authenticated. Both are 401: "I do not know who you
/// are". They differ in what the client should do next.
#[derive(Debug)]
enum AuthError {
    /// No bearer token: the client should log in.
    MissingCredentials,
    /// A token that is not ours, or has expired: the client should refresh
    /// it (or log in again), not retry it.
    InvalidToken(TokenError),
}

impl IntoResponse for AuthError {
    fn into_response(self) -> Response {
        // RFC 6750 §3: every 401 carries a challenge; `error="invalid_token"`
        // tells a client that a token was presented and refused, so it
        // refreshes instead of sending the user to the login page. Which
        // check failed (expired, bad signature) stays in our logs: one body
        // for all of them tells an attacker nothing.
        let (challenge, code, message) = match self {
            AuthError::MissingCredentials => {
                ("Bearer", "unauthenticated", "sign in to use this endpoint")
            }
            AuthError::InvalidToken(_) => (
                r#"Bearer error="invalid_token""#,
                "invalid_token",
                "the access token is invalid or expired",
            ),
        };
        let body = json!({ "error": { "code": code, "message": message } });
        (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, challenge)],
            Json(body),
        )
            .into_response()
    }
}

/// The token of an `Authorization: Bearer <token>` header. The scheme is
/// case-insensitive; another scheme, or no token, is no bearer token.
fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// Generic over the state: any router whose state can hand out the
/// verifier (`FromRef`) can use `AuthUser`, without knowing its other parts.
impl<S> FromRequestParts<S> for AuthUser
where
    Arc<dyn TokenVerifier>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AuthError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let token = bearer_token(&parts.headers).ok_or(AuthError::MissingCredentials)?;
        let verifier: Arc<dyn TokenVerifier> = Arc::from_ref(state);
        let claims = verifier.verify(token).map_err(AuthError::InvalidToken)?;
        Ok(AuthUser {
            user_id: claims.sub,
            role: claims.role,
        })
    }
}

/// `Option<AuthUser>`: anonymous is fine, a bad token is not.
impl<S> OptionalFromRequestParts<S> for AuthUser
where
    Arc<dyn TokenVerifier>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AuthError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        if bearer_token(&parts.headers).is_none() {
            return Ok(None);
        }
        // A token was presented: it must be valid. Falling back to
        // anonymous would hide an expired session from the client, which
        // would then never refresh it.
        <AuthUser as FromRequestParts<S>>::from_request_parts(parts, state)
            .await
            .map(Some)
    }
}

// ---- The application ----------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct Article {
    title: String,
    author: String,
    published: bool,
}

trait ArticleStore: Send + Sync {
    fn all(&self) -> Vec<Article>;
}

#[derive(Clone)]
struct AppState {
    tokens: Arc<dyn TokenVerifier>,
    articles: Arc<dyn ArticleStore>,
}

impl FromRef<AppState> for Arc<dyn TokenVerifier> {
    fn from_ref(state: &AppState) -> Self {
        state.tokens.clone()
    }
}

async fn health() -> &'static str {
    "ok"
}

/// Cannot run without a verified caller: the signature says so.
async fn me(user: AuthUser) -> Json<AuthUser> {
    Json(user)
}

/// Published articles for everyone; a signed-in author also sees their drafts.
async fn articles(user: Option<AuthUser>, State(state): State<AppState>) -> Json<Vec<Article>> {
    let viewer = user.map(|user| user.user_id);
    let visible = state
        .articles
        .all()
        .into_iter()
        .filter(|article| article.published || viewer.as_deref() == Some(&article.author))
        .collect();
    Json(visible)
}

fn app(state: AppState) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/me", get(me))
        .route("/articles", get(articles))
        .with_state(state)
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
    use serde_json::Value;
    use std::collections::HashMap;
    use tower::ServiceExt;

    /// Knows a few tokens by heart: what a verifier decided is all the
    /// extractor needs.
    struct FakeTokens(HashMap<&'static str, Result<Claims, TokenError>>);

    impl TokenVerifier for FakeTokens {
        fn verify(&self, token: &str) -> Result<Claims, TokenError> {
            self.0
                .get(token)
                .cloned()
                .unwrap_or(Err(TokenError::Malformed))
        }
    }

    struct FixedArticles;

    impl ArticleStore for FixedArticles {
        fn all(&self) -> Vec<Article> {
            vec![
                article("Release notes", "ada", true),
                article("Half-written", "ada", false),
                article("Bob's draft", "bob", false),
            ]
        }
    }

    fn article(title: &str, author: &str, published: bool) -> Article {
        Article {
            title: title.to_string(),
            author: author.to_string(),
            published,
        }
    }

    fn claims(sub: &str, role: Role) -> Result<Claims, TokenError> {
        Ok(Claims {
            sub: sub.to_string(),
            role,
        })
    }

    fn test_app() -> Router {
        let tokens = FakeTokens(HashMap::from([
            ("ada-token", claims("ada", Role::Member)),
            ("root-token", claims("root", Role::Admin)),
            ("expired-token", Err(TokenError::Expired)),
        ]));
        app(AppState {
            tokens: Arc::new(tokens),
            articles: Arc::new(FixedArticles),
        })
    }

    async fn get(path: &str, authorization: Option<&str>) -> Response {
        let mut request = Request::builder().uri(path);
        if let Some(value) = authorization {
            request = request.header("authorization", value);
        }
        test_app()
            .oneshot(request.body(Body::empty()).unwrap())
            .await
            .unwrap()
    }

    async fn json_body(response: Response) -> Value {
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        serde_json::from_slice(&bytes).unwrap()
    }

    fn challenge(response: &Response) -> Option<&str> {
        response
            .headers()
            .get("www-authenticate")
            .and_then(|value| value.to_str().ok())
    }

    fn titles(body: &Value) -> Vec<&str> {
        body.as_array()
            .unwrap()
            .iter()
            .map(|article| article["title"].as_str().unwrap())
            .collect()
    }

    #[tokio::test]
    async fn a_valid_token_reaches_the_handler_as_the_caller() {
        let response = get("/me", Some("Bearer root-token")).await;

        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            json_body(response).await,
            json!({ "user_id": "root", "role": "admin" })
        );
    }

    #[tokio::test]
    async fn no_token_is_401_with_a_bearer_challenge() {
        let response = get("/me", None).await;

        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(challenge(&response), Some("Bearer"));
        assert_eq!(
            json_body(response).await,
            json!({ "error": {
                "code": "unauthenticated",
                "message": "sign in to use this endpoint",
            } })
        );
    }

    #[tokio::test]
    async fn another_scheme_is_no_bearer_token() {
        let response = get("/me", Some("Basic YWRhOmh1bnRlcjI=")).await;

        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(challenge(&response), Some("Bearer"));
    }

    #[tokio::test]
    async fn the_scheme_is_case_insensitive() {
        let response = get("/me", Some("bearer ada-token")).await;

        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(json_body(response).await["user_id"], "ada");
    }

    #[tokio::test]
    async fn a_refused_token_is_401_invalid_token() {
        for token in ["Bearer expired-token", "Bearer forged"] {
            let response = get("/me", Some(token)).await;

            assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{token}");
            assert_eq!(
                challenge(&response),
                Some(r#"Bearer error="invalid_token""#),
                "RFC 6750: a refused token is `invalid_token`, so the client refreshes it"
            );
            assert_eq!(
                json_body(response).await,
                json!({ "error": {
                    "code": "invalid_token",
                    "message": "the access token is invalid or expired",
                } }),
                "one body whatever the reason: expired and forged look alike"
            );
        }
    }

    #[tokio::test]
    async fn a_public_route_needs_no_token() {
        let response = get("/health", None).await;

        assert_eq!(response.status(), StatusCode::OK);
        let body = response.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(&body[..], b"ok");
    }

    #[tokio::test]
    async fn an_anonymous_reader_sees_only_published_articles() {
        let response = get("/articles", None).await;

        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(titles(&json_body(response).await), ["Release notes"]);
    }

    #[tokio::test]
    async fn a_signed_in_author_also_sees_their_drafts() {
        let response = get("/articles", Some("Bearer ada-token")).await;

        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            titles(&json_body(response).await),
            ["Release notes", "Half-written"]
        );
    }

    #[tokio::test]
    async fn a_bad_token_on_an_optional_route_is_401_not_anonymous() {
        let response = get("/articles", Some("Bearer expired-token")).await;

        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "a client whose session expired must hear it, not silently see less"
        );
        assert_eq!(
            challenge(&response),
            Some(r#"Bearer error="invalid_token""#)
        );
    }
}
