//! # Layering: a response model (DTO) apart from the storage model (solution)
//!
//! Two types on purpose: `UserRecord` changes with the schema, `UserResponse`
//! with the API contract, and the `From` impl is the one place where the two
//! meet. A new column cannot reach a client until someone adds it here.

use serde::Serialize;
use std::collections::BTreeMap;

// ---- Storage (do not change) ---------------------------------------------

/// A user as the database stores it. Never sent to a client.
#[derive(Debug, Clone, PartialEq, Eq)]
struct UserRecord {
    id: u64,
    email: String,
    display_name: String,
    password_hash: String,
    /// Unix seconds of the click on the confirmation link, if any.
    email_verified_at: Option<u64>,
    failed_logins: u32,
    support_notes: String,
}

#[derive(Default)]
struct UserStore {
    users: BTreeMap<u64, UserRecord>,
}

impl UserStore {
    fn insert(&mut self, user: UserRecord) {
        self.users.insert(user.id, user);
    }

    fn find(&self, id: u64) -> Option<&UserRecord> {
        self.users.get(&id)
    }

    /// Every user, in id order.
    fn all(&self) -> impl Iterator<Item = &UserRecord> {
        self.users.values()
    }
}

// ---- HTTP (do not change) ------------------------------------------------

#[derive(Debug)]
struct Response {
    status: u16,
    /// The JSON text sent to the client.
    body: String,
}

impl Response {
    /// A response whose body is `value` as JSON.
    fn json(status: u16, value: &impl Serialize) -> Response {
        let body = match serde_json::to_string(value) {
            Ok(body) => body,
            // Our own types always serialize; a failure is a bug, so it is a 500.
            Err(_) => return Response::internal_error(),
        };
        Response { status, body }
    }

    fn internal_error() -> Response {
        let body = r#"{"error":"internal"}"#.to_string();
        Response { status: 500, body }
    }
}

// ---- The API's view of a user ----------------------------------------------

/// A user as the API publishes it.
///
/// An allow-list: only what is declared here can ever be sent. The JSON
/// names are part of the contract and are fixed by `rename_all`, so a Rust
/// or database rename never changes the wire format by accident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
struct UserResponse {
    id: u64,
    email: String,
    display_name: String,
    /// Clients need a yes or no; when it happened is the server's business.
    email_verified: bool,
}

impl From<&UserRecord> for UserResponse {
    // No `..` and no wildcard: every published field is picked by hand, and
    // the fields left out (hash, counters, notes) are left out by default.
    fn from(record: &UserRecord) -> Self {
        UserResponse {
            id: record.id,
            email: record.email.clone(),
            display_name: record.display_name.clone(),
            email_verified: record.email_verified_at.is_some(),
        }
    }
}

// ---- Handlers --------------------------------------------------------------

/// `GET /users/{id}`
fn get_user(store: &UserStore, id: u64) -> Response {
    match store.find(id) {
        Some(record) => Response::json(200, &UserResponse::from(record)),
        None => Response::json(404, &ErrorBody::new("user_not_found")),
    }
}

/// `GET /users`
fn list_users(store: &UserStore) -> Response {
    let users = store.all().map(UserResponse::from).collect();
    Response::json(200, &UserList { users })
}

/// `{"users": [...]}`: an object, not a bare array, so the API can add
/// `nextCursor` or a total later without breaking clients.
#[derive(Serialize)]
struct UserList {
    users: Vec<UserResponse>,
}

/// `{"error": "..."}`: errors get a response model too.
#[derive(Serialize)]
struct ErrorBody {
    error: &'static str,
}

impl ErrorBody {
    fn new(error: &'static str) -> Self {
        Self { error }
    }
}

fn main() {
    // This exercise is checked by its tests.
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    const ADA_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$ada-secret-hash";
    const GRACE_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$grace-secret-hash";

    fn ada() -> UserRecord {
        UserRecord {
            id: 7,
            email: "ada@example.com".to_string(),
            display_name: "Ada Lovelace".to_string(),
            password_hash: ADA_HASH.to_string(),
            email_verified_at: Some(1_700_000_000),
            failed_logins: 2,
            support_notes: "asked for a refund twice".to_string(),
        }
    }

    fn grace() -> UserRecord {
        UserRecord {
            id: 3,
            email: "grace@example.com".to_string(),
            display_name: "Grace Hopper".to_string(),
            password_hash: GRACE_HASH.to_string(),
            email_verified_at: None,
            failed_logins: 0,
            support_notes: String::new(),
        }
    }

    fn store() -> UserStore {
        let mut store = UserStore::default();
        store.insert(ada());
        store.insert(grace());
        store
    }

    fn body_json(response: &Response) -> Value {
        serde_json::from_str(&response.body).expect("the body is JSON")
    }

    /// Fails if any secret or internal field of a record shows up in `body`.
    fn assert_nothing_internal_in(body: &str) {
        for secret in [ADA_HASH, GRACE_HASH, "argon2", "refund", "password"] {
            assert!(!body.contains(secret), "{secret:?} leaked into {body}");
        }
        for internal in ["failed_logins", "failedLogins", "support", "verified_at"] {
            assert!(!body.contains(internal), "{internal:?} leaked into {body}");
        }
    }

    #[test]
    fn a_user_response_has_exactly_the_published_fields() {
        let response = UserResponse::from(&ada());

        let expected = json!({
            "id": 7,
            "email": "ada@example.com",
            "displayName": "Ada Lovelace",
            "emailVerified": true,
        });
        assert_eq!(serde_json::to_value(&response).unwrap(), expected);
    }

    #[test]
    fn a_user_without_a_verification_time_is_not_verified() {
        let response = serde_json::to_value(UserResponse::from(&grace())).unwrap();

        assert_eq!(response["emailVerified"], json!(false));
    }

    #[test]
    fn get_user_answers_200_with_the_response_model() {
        let response = get_user(&store(), 7);

        assert_eq!(response.status, 200);
        let expected = serde_json::to_value(UserResponse::from(&ada())).unwrap();
        assert_eq!(body_json(&response), expected);
    }

    #[test]
    fn get_user_never_sends_the_password_hash_or_internal_fields() {
        let response = get_user(&store(), 7);

        assert_nothing_internal_in(&response.body);
    }

    #[test]
    fn get_user_answers_404_for_an_unknown_id() {
        let response = get_user(&store(), 99);

        assert_eq!(response.status, 404);
        assert_eq!(body_json(&response), json!({ "error": "user_not_found" }));
    }

    #[test]
    fn list_users_wraps_the_users_in_id_order() {
        let response = list_users(&store());

        assert_eq!(response.status, 200);
        let body = body_json(&response);
        let ids: Vec<&Value> = body["users"]
            .as_array()
            .expect("a \"users\" array")
            .iter()
            .map(|user| &user["id"])
            .collect();
        assert_eq!(ids, [&json!(3), &json!(7)]);
        assert_eq!(body["users"][0]["displayName"], json!("Grace Hopper"));
    }

    #[test]
    fn list_users_never_sends_the_password_hash_or_internal_fields() {
        let response = list_users(&store());

        assert_nothing_internal_in(&response.body);
    }

    #[test]
    fn an_empty_store_lists_no_users() {
        let response = list_users(&UserStore::default());

        assert_eq!(body_json(&response), json!({ "users": [] }));
    }
}
