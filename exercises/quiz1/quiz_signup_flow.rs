//! # Quiz 1: a signup flow, from request to response
//!
//! This quiz puts the first topics together: a thin handler, a service with
//! business rules over a repository trait, a typed error that knows its HTTP
//! status and JSON body, and validation that reports every field at once.
//! There is no web framework: the handler takes a request struct and returns
//! `(status, json)`, the way an axum handler would after extraction.
//!
//! ```text
//!  SignupRequest ──> handle_signup ──> validate ──> SignupService<R>::signup ──> R: UserRepository
//!                         │                                  │
//!  (status, JSON) <── SignupError::status / body <── Err(SignupError)
//! ```
//!
//! ## Requirements
//!
//! **Validation** (`validate`), every broken field at once, in this order,
//! one error per field:
//!
//! | field          | rule (after trimming)                         | code          | message                      |
//! |----------------|-----------------------------------------------|---------------|------------------------------|
//! | `email`        | `local@domain` with a `.` in the domain        | `invalid`     | `not a valid email address`  |
//! | `display_name` | not empty                                     | `required`    | `must not be empty`          |
//! | `display_name` | at most 30 characters                         | `too_long`    | `at most 30 characters`      |
//! | `password`     | at least 12 characters (not trimmed)          | `too_short`   | `at least 12 characters`     |
//!
//! A valid signup has the email trimmed and lowercased and the name trimmed.
//!
//! **Business rules** (`SignupService::signup`), in this order:
//!
//! 1. An address at one of the service's blocked domains is refused
//!    (`DomainNotAllowed`), without asking the repository.
//! 2. An address that is already registered is refused (`EmailTaken`). This
//!    look before the insert is not what keeps addresses unique (that is the
//!    unique index, rule 3, as `uniqueness_conflict` taught); it is kept for
//!    a clear answer in the common case without a failed insert. In Postgres
//!    a failed `INSERT` also aborts the surrounding transaction, which is
//!    why real code often writes `INSERT ... ON CONFLICT DO NOTHING
//!    RETURNING id` and treats "no row returned" as taken.
//! 3. Otherwise the user is inserted with `hash_password(password)`, never
//!    the password itself. If the insert fails with `DuplicateEmail` (another
//!    signup won the race between the check and the insert), that is
//!    `EmailTaken` too; any other repository failure is `Internal`, keeping the
//!    `RepoError` as its `source()`.
//!
//! **Responses** (`handle_signup`, through `SignupError::status` and `body`):
//!
//! | outcome            | status | body                                                                                           |
//! |--------------------|-------:|------------------------------------------------------------------------------------------------|
//! | created            | 201    | `{"id": 1, "email": "ada@example.com", "display_name": "Ada"}`                                 |
//! | `Invalid`          | 422    | `{"error": {"code": "validation_failed", "message": "some fields are invalid", "fields": [..]}}` |
//! | `DomainNotAllowed` | 422    | `{"error": {"code": "domain_not_allowed", "message": "this email domain is not accepted"}}`    |
//! | `EmailTaken`       | 409    | `{"error": {"code": "email_taken", "message": "an account with this email already exists"}}`   |
//! | `Internal`         | 500    | `{"error": {"code": "internal", "message": "internal error"}}`                                 |
//!
//! Each entry of `fields` is a `FieldError` as JSON. The messages are the
//! `Display` texts of `SignupError` (derive `thiserror::Error`).
//!
//! The handler validates and calls the service; it never talks to the
//! repository. The service knows nothing of statuses or JSON.
//!
//! The tests compile once `SignupError` implements `std::error::Error`; then
//! each `todo!()` is a failing test to turn green.
//!
//! ## When not to use it
//!
//! Four layers for one insert is a lot. A prototype endpoint can validate and
//! insert in the handler; split it up when the rules grow or need tests
//! without a database, which for signups happens early.

use serde::Serialize;
use serde_json::{Value, json};

/// The request body, as the framework would have deserialised it.
struct SignupRequest {
    email: String,
    display_name: String,
    password: String,
}

/// What is wrong with one field of the request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct FieldError {
    field: &'static str,
    code: &'static str,
    message: &'static str,
}

impl FieldError {
    fn new(field: &'static str, code: &'static str, message: &'static str) -> Self {
        Self {
            field,
            code,
            message,
        }
    }
}

/// A request that passed validation, normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ValidSignup {
    email: String,
    display_name: String,
    password: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct User {
    id: u64,
    email: String,
    display_name: String,
}

// ---- Storage port (do not change) ----------------------------------------

/// A user to insert; the repository assigns the id.
#[derive(Debug, Clone, PartialEq, Eq)]
struct NewUser {
    email: String,
    display_name: String,
    password_hash: String,
}

#[derive(Debug, thiserror::Error)]
enum RepoError {
    /// The unique index on `users.email` refused the row.
    #[error("duplicate key value violates unique constraint \"users_email_key\"")]
    DuplicateEmail,
    #[error("database unavailable: {0}")]
    Unavailable(String),
}

trait UserRepository {
    /// The user with this (lowercase) email, if any.
    fn find_by_email(&self, email: &str) -> Result<Option<User>, RepoError>;
    fn insert(&mut self, user: NewUser) -> Result<User, RepoError>;
}

/// A stand-in for argon2: the point is only that the password is not stored.
fn hash_password(password: &str) -> String {
    let sum: u64 = password.bytes().map(u64::from).sum();
    format!("toyhash${}${sum:x}", password.len())
}

// ---- Validation ----------------------------------------------------------

// TODO: every broken field, in form order, one error per field.
fn validate(request: &SignupRequest) -> Result<ValidSignup, Vec<FieldError>> {
    todo!()
}

// ---- Errors --------------------------------------------------------------

// TODO: derive `thiserror::Error` with the messages of the responses table;
// `Internal` keeps the `RepoError` as its source.
#[derive(Debug)]
enum SignupError {
    Invalid(Vec<FieldError>),
    DomainNotAllowed,
    EmailTaken,
    Internal(RepoError),
}

impl SignupError {
    // TODO: the status of the responses table.
    fn status(&self) -> u16 {
        todo!()
    }

    // TODO: the JSON body of the responses table.
    fn body(&self) -> Value {
        todo!()
    }
}

// ---- Service -------------------------------------------------------------

struct SignupService<R: UserRepository> {
    repo: R,
    blocked_domains: Vec<String>,
}

impl<R: UserRepository> SignupService<R> {
    fn new(repo: R, blocked_domains: &[&str]) -> Self {
        Self {
            repo,
            blocked_domains: blocked_domains.iter().map(|d| d.to_string()).collect(),
        }
    }

    fn repository(&self) -> &R {
        &self.repo
    }

    // TODO: the business rules, in order.
    fn signup(&mut self, signup: ValidSignup) -> Result<User, SignupError> {
        todo!()
    }
}

// ---- Handler -------------------------------------------------------------

// TODO: validate, call the service, and turn the outcome into a response.
fn handle_signup<R: UserRepository>(
    service: &mut SignupService<R>,
    request: &SignupRequest,
) -> (u16, Value) {
    todo!()
}

fn main() {
    // This exercise is checked by its tests.
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;
    use std::error::Error;

    /// How the fake database behaves.
    #[derive(Default, Clone, Copy)]
    enum Mode {
        #[default]
        Working,
        /// Another signup inserts the same email between our lookup and our
        /// insert: lookups find nothing, inserts hit the unique index.
        LosesTheRace,
        Down,
    }

    #[derive(Default)]
    struct FakeUsers {
        stored: Vec<NewUser>,
        /// Every call, lookups and inserts alike.
        calls: Cell<usize>,
        mode: Mode,
    }

    impl FakeUsers {
        fn in_mode(mode: Mode) -> Self {
            Self {
                mode,
                ..Self::default()
            }
        }

        fn holding_ada() -> Self {
            Self {
                stored: vec![NewUser {
                    email: "ada@example.com".to_string(),
                    display_name: "Ada".to_string(),
                    password_hash: hash_password("correct horse 42"),
                }],
                ..Self::default()
            }
        }

        fn user(&self, index: usize) -> User {
            let stored = &self.stored[index];
            User {
                id: index as u64 + 1,
                email: stored.email.clone(),
                display_name: stored.display_name.clone(),
            }
        }
    }

    impl UserRepository for FakeUsers {
        fn find_by_email(&self, email: &str) -> Result<Option<User>, RepoError> {
            self.calls.set(self.calls.get() + 1);
            match self.mode {
                Mode::Down => Err(RepoError::Unavailable(
                    "connection refused at 10.0.0.3:5432".to_string(),
                )),
                Mode::LosesTheRace => Ok(None),
                Mode::Working => Ok(self
                    .stored
                    .iter()
                    .position(|user| user.email == email)
                    .map(|index| self.user(index))),
            }
        }

        fn insert(&mut self, user: NewUser) -> Result<User, RepoError> {
            self.calls.set(self.calls.get() + 1);
            match self.mode {
                Mode::Down => Err(RepoError::Unavailable(
                    "connection refused at 10.0.0.3:5432".to_string(),
                )),
                Mode::LosesTheRace => Err(RepoError::DuplicateEmail),
                Mode::Working => {
                    self.stored.push(user);
                    Ok(self.user(self.stored.len() - 1))
                }
            }
        }
    }

    fn service(repo: FakeUsers) -> SignupService<FakeUsers> {
        SignupService::new(repo, &["mailinator.com"])
    }

    fn request(email: &str, display_name: &str, password: &str) -> SignupRequest {
        SignupRequest {
            email: email.to_string(),
            display_name: display_name.to_string(),
            password: password.to_string(),
        }
    }

    fn grace() -> SignupRequest {
        request(" Grace@Example.com", " Grace Hopper ", "COBOL forever 1959")
    }

    #[test]
    fn a_valid_signup_is_created_with_201_and_a_hashed_password() {
        let mut service = service(FakeUsers::holding_ada());

        let response = handle_signup(&mut service, &grace());

        assert_eq!(
            response,
            (
                201,
                json!({ "id": 2, "email": "grace@example.com", "display_name": "Grace Hopper" })
            )
        );
        assert_eq!(
            service.repository().stored[1],
            NewUser {
                email: "grace@example.com".to_string(),
                display_name: "Grace Hopper".to_string(),
                password_hash: hash_password("COBOL forever 1959"),
            }
        );
    }

    #[test]
    fn an_invalid_request_is_422_with_every_field_and_touches_nothing() {
        let mut service = service(FakeUsers::default());

        let response = handle_signup(&mut service, &request("grace", "  ", "short"));

        assert_eq!(
            response,
            (
                422,
                json!({ "error": {
                    "code": "validation_failed",
                    "message": "some fields are invalid",
                    "fields": [
                        { "field": "email", "code": "invalid", "message": "not a valid email address" },
                        { "field": "display_name", "code": "required", "message": "must not be empty" },
                        { "field": "password", "code": "too_short", "message": "at least 12 characters" },
                    ],
                } })
            )
        );
        assert_eq!(
            service.repository().calls.get(),
            0,
            "validation comes first"
        );
    }

    #[test]
    fn validation_reports_later_fields_when_earlier_ones_are_fine() {
        let long_name = "G".repeat(31);

        let result = validate(&request("grace@example.com", &long_name, "short"));

        assert_eq!(
            result,
            Err(vec![
                FieldError::new("display_name", "too_long", "at most 30 characters"),
                FieldError::new("password", "too_short", "at least 12 characters"),
            ])
        );
    }

    #[test]
    fn the_length_limits_are_inclusive_and_the_password_is_not_trimmed() {
        let thirty = "é".repeat(30);
        // Ten characters and two spaces: twelve, as typed.
        let at_the_limits = validate(&request("grace@example.com", &thirty, " passphrase "));
        let one_short = validate(&request("grace@example.com", "Grace", "eleven char"));

        assert_eq!(
            at_the_limits.map(|signup| signup.display_name),
            Ok(thirty),
            "30 characters of name and 12 of password are allowed"
        );
        assert_eq!(
            one_short,
            Err(vec![FieldError::new(
                "password",
                "too_short",
                "at least 12 characters"
            )])
        );
    }

    #[test]
    fn an_email_needs_a_name_before_the_at_and_a_dot_after_it() {
        for email in ["@example.com", "grace@localhost", "grace.example.com"] {
            let result = validate(&request(email, "Grace", "COBOL forever 1959"));
            assert_eq!(
                result,
                Err(vec![FieldError::new(
                    "email",
                    "invalid",
                    "not a valid email address"
                )]),
                "email {email:?}"
            );
        }
    }

    #[test]
    fn a_taken_email_is_409_whatever_its_case() {
        let mut service = service(FakeUsers::holding_ada());

        let response = handle_signup(
            &mut service,
            &request("ADA@example.com", "Ada again", "correct horse 42"),
        );

        assert_eq!(
            response,
            (
                409,
                json!({ "error": {
                    "code": "email_taken",
                    "message": "an account with this email already exists",
                } })
            )
        );
        assert_eq!(service.repository().stored.len(), 1, "nothing is inserted");
    }

    #[test]
    fn a_blocked_domain_is_refused_before_the_repository_is_asked() {
        // A repository that is down: asking it would turn this into a 500.
        let mut service = service(FakeUsers::in_mode(Mode::Down));

        let response = handle_signup(
            &mut service,
            &request("throwaway@mailinator.com", "Nobody", "correct horse 42"),
        );

        assert_eq!(
            response,
            (
                422,
                json!({ "error": {
                    "code": "domain_not_allowed",
                    "message": "this email domain is not accepted",
                } })
            )
        );
        assert_eq!(service.repository().calls.get(), 0);
    }

    #[test]
    fn losing_the_race_to_the_unique_index_is_still_409() {
        let mut service = service(FakeUsers::in_mode(Mode::LosesTheRace));

        let (status, body) = handle_signup(&mut service, &grace());

        assert_eq!(status, 409);
        assert_eq!(body["error"]["code"], "email_taken");
    }

    #[test]
    fn a_database_outage_is_500_without_details() {
        let mut service = service(FakeUsers::in_mode(Mode::Down));

        let response = handle_signup(&mut service, &grace());

        assert_eq!(
            response,
            (
                500,
                json!({ "error": { "code": "internal", "message": "internal error" } })
            )
        );
    }

    #[test]
    fn the_service_keeps_the_cause_of_an_outage_for_the_logs() {
        let mut service = service(FakeUsers::in_mode(Mode::Down));
        let signup = validate(&grace()).expect("Grace's request is valid");

        let error = service.signup(signup).unwrap_err();

        assert!(matches!(error, SignupError::Internal(_)), "got {error:?}");
        let cause = error.source().expect("Internal has a source");
        assert_eq!(
            cause.to_string(),
            "database unavailable: connection refused at 10.0.0.3:5432"
        );
    }

    #[test]
    fn the_service_speaks_in_variants_not_statuses() {
        let mut taken = service(FakeUsers::holding_ada());
        let mut blocked = service(FakeUsers::default());
        let ada = validate(&request("ada@example.com", "Ada", "correct horse 42"))
            .expect("Ada's request is valid");
        let spam = validate(&request("x@mailinator.com", "X", "correct horse 42"))
            .expect("the request itself is valid");

        assert!(matches!(taken.signup(ada), Err(SignupError::EmailTaken)));
        assert!(matches!(
            blocked.signup(spam),
            Err(SignupError::DomainNotAllowed)
        ));
        assert!(blocked.repository().stored.is_empty());
    }

    #[test]
    fn the_stored_hash_depends_on_the_password_and_is_not_the_password() {
        let hash = hash_password("COBOL forever 1959");

        assert!(!hash.is_empty());
        assert!(!hash.contains("COBOL"));
        assert_ne!(hash, hash_password("COBOL forever 1960"));
    }
}
