//! # Layering: a response model (DTO) apart from the storage model
//!
//! The struct you store and the JSON you send are two different things.
//! Storage keeps everything about a user, including secrets and support
//! notes. The API promises a few fields under stable names. A **response
//! model** (a DTO, data transfer object) is the type that makes that promise,
//! built from the stored record at the edge.
//!
//! ## The problem
//!
//! Someone put `#[derive(Serialize)]` on `UserRecord` and returned it from
//! `GET /users/7`. Every client now receives the password hash, the failed
//! login count and the support team's notes. Next month a column
//! `totp_secret` is added to the record, and it leaks too: with one shared
//! struct, every field added to storage is published by default. The field
//! names are stuck as well. Renaming `display_name` in the database now
//! breaks the mobile app.
//!
//! `#[serde(skip)]` on the secret fields only patches this: the next field
//! still leaks unless someone remembers to skip it.
//!
//! ## Your task
//!
//! The API contract for a user, in camelCase, exactly these four fields:
//!
//! ```json
//! { "id": 7, "email": "ada@example.com", "displayName": "Ada Lovelace", "emailVerified": true }
//! ```
//!
//! `emailVerified` is true when the record has an `email_verified_at` time.
//!
//! 1. Give `UserResponse` these fields, with serde attributes for the names.
//! 2. Build it from a record in `From<&UserRecord> for UserResponse`.
//! 3. Make both handlers send `UserResponse`s: `get_user` answers one user or
//!    a 404 with `{"error": "user_not_found"}`, and `list_users` answers
//!    `{"users": [...]}`, in id order.
//!
//! `UserRecord` must stay without `Serialize`. That way the compiler stops
//! anyone who tries to send it.
//!
//! ## When not to use it
//!
//! An internal admin tool, or a type that exists only to be sent (it has no
//! secrets and no storage of its own), can derive `Serialize` directly. A
//! second struct with the same fields is boilerplate. Use separate types when
//! the stored shape and the published shape have reasons to differ, which is
//! true for almost every user-facing record.

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
// TODO: add the contract's fields and name them in camelCase for JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct UserResponse {}

impl From<&UserRecord> for UserResponse {
    fn from(record: &UserRecord) -> Self {
        // TODO: copy what the contract publishes, derive `email_verified`.
        todo!()
    }
}

// ---- Handlers --------------------------------------------------------------

/// `GET /users/{id}`
fn get_user(store: &UserStore, id: u64) -> Response {
    // TODO: 200 with the user's `UserResponse`, or 404 with
    // {"error": "user_not_found"}.
    todo!()
}

/// `GET /users`
fn list_users(store: &UserStore) -> Response {
    // TODO: 200 with {"users": [...]}, one `UserResponse` per user, in id order.
    // A small `#[derive(Serialize)]` struct for the wrapper is the usual way.
    todo!()
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
