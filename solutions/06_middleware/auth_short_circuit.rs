//! # Middleware: authentication that short-circuits (solution)

use std::collections::BTreeMap;
use std::sync::Arc;

/// Who is calling, as established by authentication.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Identity {
    user_id: String,
    admin: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Request {
    method: String,
    path: String,
    headers: BTreeMap<String, String>,
    /// Set by middleware, never by the client (like `http::Extensions`):
    /// endpoints read the caller from here instead of parsing headers again.
    identity: Option<Identity>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Response {
    status: u16,
    headers: BTreeMap<String, String>,
    body: String,
}

trait Handler {
    fn handle(&self, req: Request) -> Response;
}

impl<F: Fn(Request) -> Response> Handler for F {
    fn handle(&self, req: Request) -> Response {
        self(req)
    }
}

/// Checks a bearer token (a signed JWT, a session table, an identity
/// provider) and says whose it is, or `None` if it is not valid.
trait TokenVerifier {
    fn verify(&self, token: &str) -> Option<Identity>;
}

/// The token of an `Authorization: Bearer <token>` header value. The scheme
/// is case-insensitive (RFC 9110), the token is not.
fn bearer_token(header: &str) -> Option<&str> {
    let (scheme, token) = header.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// 401 for a request that brought no bearer token: "we do not know who you
/// are". `WWW-Authenticate` tells the client which scheme to use; HTTP
/// requires it on every 401 (RFC 9110 §15.5.2).
fn unauthorized() -> Response {
    challenge("Bearer")
}

/// 401 for a bearer token the verifier rejects (expired, revoked, unknown).
/// RFC 6750 §3.1 names this `error="invalid_token"`, so the client knows to
/// refresh its token rather than send the user back to the login page. It
/// tells the caller nothing about the token it does not already know.
fn invalid_token() -> Response {
    challenge("Bearer error=\"invalid_token\"")
}

fn challenge(www_authenticate: &str) -> Response {
    let mut response = Response {
        status: 401,
        body: "authentication required".to_string(),
        ..Response::default()
    };
    response
        .headers
        .insert("www-authenticate".to_string(), www_authenticate.to_string());
    response
}

/// 403: "we know who you are, and you may not do this". Retrying with the
/// same credentials will not help, so there is no `WWW-Authenticate`.
fn forbidden() -> Response {
    Response {
        status: 403,
        body: "forbidden".to_string(),
        ..Response::default()
    }
}

// ---- Middleware ----------------------------------------------------------

/// Lets a request through only with a valid bearer token, and attaches the
/// caller's identity to it.
struct RequireAuth<H> {
    inner: H,
    verifier: Arc<dyn TokenVerifier>,
}

impl<H: Handler> RequireAuth<H> {
    fn new(inner: H, verifier: Arc<dyn TokenVerifier>) -> Self {
        Self { inner, verifier }
    }
}

impl<H: Handler> Handler for RequireAuth<H> {
    fn handle(&self, mut req: Request) -> Response {
        // The short circuit: on both failures the inner handler never runs,
        // so no endpoint can forget the check or do work before it.
        let Some(token) = req
            .headers
            .get("authorization")
            .and_then(|value| bearer_token(value))
        else {
            return unauthorized();
        };
        // One body for every failure; only the challenge differs, as RFC 6750
        // asks, so a client refreshes a rejected token instead of logging
        // the user out. Which check failed (expired, revoked, unknown) stays
        // in our logs.
        let Some(identity) = self.verifier.verify(token) else {
            return invalid_token();
        };
        // Overwrites whatever was there: only this middleware says who the
        // caller is.
        req.identity = Some(identity);
        self.inner.handle(req)
    }
}

/// Lets only administrators through. Goes inside `RequireAuth`.
struct AdminOnly<H> {
    inner: H,
}

impl<H: Handler> AdminOnly<H> {
    fn new(inner: H) -> Self {
        Self { inner }
    }
}

impl<H: Handler> Handler for AdminOnly<H> {
    fn handle(&self, req: Request) -> Response {
        match &req.identity {
            // Nobody authenticated the request: the stack is wired wrongly.
            // Fail closed, with the answer that is true: we do not know who
            // this is.
            None => unauthorized(),
            Some(identity) if !identity.admin => forbidden(),
            Some(_) => self.inner.handle(req),
        }
    }
}

fn main() {
    // This exercise is checked by its tests.
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::{Cell, RefCell};

    /// Knows two tokens: Ada's (admin) and Bob's.
    struct FakeVerifier;

    impl TokenVerifier for FakeVerifier {
        fn verify(&self, token: &str) -> Option<Identity> {
            match token {
                "tok-ada" => Some(Identity {
                    user_id: "ada".to_string(),
                    admin: true,
                }),
                "tok-bob" => Some(Identity {
                    user_id: "bob".to_string(),
                    admin: false,
                }),
                _ => None,
            }
        }
    }

    /// Counts its calls and remembers the identity it was handed.
    #[derive(Default)]
    struct Endpoint {
        calls: Cell<usize>,
        seen: RefCell<Option<Identity>>,
    }

    impl Handler for &Endpoint {
        fn handle(&self, req: Request) -> Response {
            self.calls.set(self.calls.get() + 1);
            *self.seen.borrow_mut() = req.identity;
            Response {
                status: 200,
                body: "secret report".to_string(),
                ..Response::default()
            }
        }
    }

    fn request(authorization: Option<&str>) -> Request {
        let mut req = Request {
            method: "GET".to_string(),
            path: "/reports".to_string(),
            ..Request::default()
        };
        if let Some(value) = authorization {
            req.headers
                .insert("authorization".to_string(), value.to_string());
        }
        req
    }

    fn auth<H: Handler>(inner: H) -> RequireAuth<H> {
        RequireAuth::new(inner, Arc::new(FakeVerifier))
    }

    /// A 401 for a request without a usable bearer token.
    fn assert_unauthorized(response: &Response) {
        assert_eq!(response.status, 401);
        assert_eq!(
            response.headers.get("www-authenticate").map(String::as_str),
            Some("Bearer"),
            "a 401 must say which scheme to use"
        );
        assert!(!response.body.contains("secret"));
    }

    /// A 401 for a bearer token the verifier rejected.
    fn assert_invalid_token(response: &Response) {
        assert_eq!(response.status, 401);
        assert_eq!(
            response.headers.get("www-authenticate").map(String::as_str),
            Some("Bearer error=\"invalid_token\""),
            "a rejected token gets RFC 6750's invalid_token, so the client refreshes it"
        );
        assert_eq!(response.body, "authentication required");
    }

    #[test]
    fn a_request_without_a_token_gets_401_and_never_reaches_the_endpoint() {
        let endpoint = Endpoint::default();
        let app = auth(&endpoint);

        let response = app.handle(request(None));

        assert_unauthorized(&response);
        assert_eq!(endpoint.calls.get(), 0);
    }

    #[test]
    fn an_unknown_token_gets_401_and_never_reaches_the_endpoint() {
        let endpoint = Endpoint::default();
        let app = auth(&endpoint);

        let response = app.handle(request(Some("Bearer tok-mallory")));

        assert_invalid_token(&response);
        assert_eq!(endpoint.calls.get(), 0);
    }

    #[test]
    fn a_header_that_is_not_a_bearer_token_gets_401() {
        let endpoint = Endpoint::default();
        let app = auth(&endpoint);

        for value in [
            "Basic tok-ada",
            "tok-ada",
            "Bearer",
            "Bearer ",
            "Bearertok-ada",
        ] {
            let response = app.handle(request(Some(value)));
            assert_unauthorized(&response);
        }
        assert_eq!(endpoint.calls.get(), 0);
    }

    #[test]
    fn a_valid_token_reaches_the_endpoint_once_with_the_identity_attached() {
        let endpoint = Endpoint::default();
        let app = auth(&endpoint);

        let response = app.handle(request(Some("Bearer tok-bob")));

        assert_eq!(response.status, 200);
        assert_eq!(response.body, "secret report");
        assert_eq!(endpoint.calls.get(), 1);
        assert_eq!(
            *endpoint.seen.borrow(),
            Some(Identity {
                user_id: "bob".to_string(),
                admin: false,
            })
        );
    }

    #[test]
    fn the_scheme_is_case_insensitive() {
        let endpoint = Endpoint::default();
        let app = auth(&endpoint);

        let response = app.handle(request(Some("bearer tok-ada")));

        assert_eq!(response.status, 200);
    }

    #[test]
    fn an_identity_sent_along_by_the_caller_is_not_trusted() {
        let endpoint = Endpoint::default();
        let app = auth(&endpoint);
        let mut forged = request(Some("Bearer tok-bob"));
        forged.identity = Some(Identity {
            user_id: "ada".to_string(),
            admin: true,
        });

        app.handle(forged);

        assert_eq!(
            endpoint
                .seen
                .borrow()
                .as_ref()
                .map(|id| id.user_id.as_str()),
            Some("bob"),
            "the token decides who the caller is"
        );
    }

    #[test]
    fn an_identity_without_a_token_gets_401_and_never_reaches_the_endpoint() {
        let endpoint = Endpoint::default();
        let app = auth(AdminOnly::new(&endpoint));
        let mut forged = request(None);
        forged.identity = Some(Identity {
            user_id: "ada".to_string(),
            admin: true,
        });

        let response = app.handle(forged);

        assert_unauthorized(&response);
        assert_eq!(
            endpoint.calls.get(),
            0,
            "an identity that came with the request is not an authentication"
        );
    }

    #[test]
    fn a_known_user_who_is_not_an_admin_gets_403_not_401() {
        let endpoint = Endpoint::default();
        let app = auth(AdminOnly::new(&endpoint));

        let response = app.handle(request(Some("Bearer tok-bob")));

        assert_eq!(
            (response.status, response.body.as_str()),
            (403, "forbidden")
        );
        assert_eq!(
            response.headers.get("www-authenticate"),
            None,
            "new credentials would not help"
        );
        assert_eq!(endpoint.calls.get(), 0);
    }

    #[test]
    fn an_admin_passes_both_checks() {
        let endpoint = Endpoint::default();
        let app = auth(AdminOnly::new(&endpoint));

        let response = app.handle(request(Some("Bearer tok-ada")));

        assert_eq!(response.status, 200);
        assert_eq!(endpoint.calls.get(), 1);
    }

    #[test]
    fn an_anonymous_caller_of_an_admin_route_gets_401_not_403() {
        let endpoint = Endpoint::default();
        let app = auth(AdminOnly::new(&endpoint));

        let response = app.handle(request(None));

        assert_unauthorized(&response);
        assert_eq!(endpoint.calls.get(), 0);
    }

    #[test]
    fn admin_only_without_auth_in_front_fails_closed_with_401() {
        let endpoint = Endpoint::default();
        let app = AdminOnly::new(&endpoint);

        let response = app.handle(request(Some("Bearer tok-ada")));

        assert_unauthorized(&response);
        assert_eq!(endpoint.calls.get(), 0);
    }

    #[test]
    fn a_closure_can_be_the_endpoint() {
        let app = auth(|req: Request| Response {
            status: 200,
            body: req.identity.map(|id| id.user_id).unwrap_or_default(),
            ..Response::default()
        });

        let response = app.handle(request(Some("Bearer tok-bob")));

        assert_eq!((response.status, response.body.as_str()), (200, "bob"));
    }
}
