//! # Quiz 1: a signup flow, from request to response (solution)

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

/// Checks the shape of the request, field by field, and normalises it.
///
/// A pure function of the request: no repository, no configuration. Rules
/// that need either (is the address taken? is the domain blocked?) are
/// business rules and live in the service, after the shape is known to be
/// right. Every check runs, so the client learns all problems at once.
fn validate(request: &SignupRequest) -> Result<ValidSignup, Vec<FieldError>> {
    let mut errors = Vec::new();

    let email = request.email.trim().to_lowercase();
    let is_email = email
        .split_once('@')
        .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'));
    if !is_email {
        errors.push(FieldError::new(
            "email",
            "invalid",
            "not a valid email address",
        ));
    }

    let display_name = request.display_name.trim();
    if display_name.is_empty() {
        errors.push(FieldError::new(
            "display_name",
            "required",
            "must not be empty",
        ));
    } else if display_name.chars().count() > 30 {
        errors.push(FieldError::new(
            "display_name",
            "too_long",
            "at most 30 characters",
        ));
    }

    // Not trimmed: spaces are legitimate characters of a passphrase.
    if request.password.chars().count() < 12 {
        errors.push(FieldError::new(
            "password",
            "too_short",
            "at least 12 characters",
        ));
    }

    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(ValidSignup {
        email,
        display_name: display_name.to_string(),
        password: request.password.clone(),
    })
}

// ---- Errors --------------------------------------------------------------

/// Every way a signup can fail, in the words of the use case.
///
/// The service returns it and knows nothing of HTTP; `status` and `body` are
/// the one place where it becomes a response, so every failure of the flow
/// has the same JSON shape.
#[derive(Debug, thiserror::Error)]
enum SignupError {
    #[error("some fields are invalid")]
    Invalid(Vec<FieldError>),
    #[error("this email domain is not accepted")]
    DomainNotAllowed,
    #[error("an account with this email already exists")]
    EmailTaken,
    /// Generic text, cause in `source()`: the body shows the text, the log
    /// (where a real service would write it) shows the chain.
    #[error("internal error")]
    Internal(#[source] RepoError),
}

/// The storage boundary: a duplicate key means the same thing as the
/// service's own "email taken" check (it is the same rule, enforced by the
/// database when two signups race), so it gets the same variant; every
/// other storage failure is ours.
impl From<RepoError> for SignupError {
    fn from(error: RepoError) -> Self {
        match error {
            RepoError::DuplicateEmail => SignupError::EmailTaken,
            RepoError::Unavailable(_) => SignupError::Internal(error),
        }
    }
}

impl SignupError {
    fn status(&self) -> u16 {
        match self {
            SignupError::Invalid(_) | SignupError::DomainNotAllowed => 422,
            SignupError::EmailTaken => 409,
            SignupError::Internal(_) => 500,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            SignupError::Invalid(_) => "validation_failed",
            SignupError::DomainNotAllowed => "domain_not_allowed",
            SignupError::EmailTaken => "email_taken",
            SignupError::Internal(_) => "internal",
        }
    }

    /// The `Display` text is safe to show for every variant, `Internal`
    /// included, because no variant puts its cause into its text.
    fn body(&self) -> Value {
        match self {
            SignupError::Invalid(fields) => json!({ "error": {
                "code": self.code(),
                "message": self.to_string(),
                "fields": fields,
            } }),
            _ => json!({ "error": { "code": self.code(), "message": self.to_string() } }),
        }
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

    /// Registers a validated signup.
    ///
    /// Taking `ValidSignup` rather than the request means the rules below
    /// never see a malformed address: the type says validation happened.
    fn signup(&mut self, signup: ValidSignup) -> Result<User, SignupError> {
        // The cheapest rule first, and one that needs no storage: a blocked
        // domain is refused even while the database is down.
        let domain = signup
            .email
            .split_once('@')
            .map_or("", |(_, domain)| domain);
        if self
            .blocked_domains
            .iter()
            .any(|blocked| blocked.eq_ignore_ascii_case(domain))
        {
            return Err(SignupError::DomainNotAllowed);
        }
        // Not the uniqueness check: the unique index is (mapped by
        // `From<RepoError>` below), and it decides when two signups race past
        // this look together. The look only gives the common case a clear
        // answer without a failed insert. (In Postgres a failed INSERT aborts
        // the transaction around it; `INSERT ... ON CONFLICT DO NOTHING
        // RETURNING id` gets the same answer without an error.)
        if self.repo.find_by_email(&signup.email)?.is_some() {
            return Err(SignupError::EmailTaken);
        }
        let user = self.repo.insert(NewUser {
            email: signup.email,
            display_name: signup.display_name,
            password_hash: hash_password(&signup.password),
        })?;
        Ok(user)
    }
}

// ---- Handler -------------------------------------------------------------

/// `POST /signup`: translation only, no rules.
///
/// Request in, validated input to the service, outcome out as status and
/// JSON. It holds the service, never the repository, so no rule can be
/// skipped by a handler that "just checks quickly" itself.
fn handle_signup<R: UserRepository>(
    service: &mut SignupService<R>,
    request: &SignupRequest,
) -> (u16, Value) {
    let outcome = validate(request)
        .map_err(SignupError::Invalid)
        .and_then(|signup| service.signup(signup));
    match outcome {
        // The response model is spelled out here rather than derived from
        // `User`: adding a field to the domain type must not silently add
        // it to the public API.
        Ok(user) => (
            201,
            json!({ "id": user.id, "email": user.email, "display_name": user.display_name }),
        ),
        Err(error) => (error.status(), error.body()),
    }
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
