//! # Layering: parse, don't validate
//!
//! Check input once, at the boundary, and keep the result in a type that
//! cannot hold a bad value. Code behind the boundary takes that type, so it
//! never re-checks and never forgets to check.
//!
//! ## The problem
//!
//! The invitation service used to take `email: &str`:
//!
//! ```text
//! fn invite(&mut self, email: &str) -> Result<(), InviteError> {
//!     if !is_valid_email(email) { return Err(InviteError::InvalidEmail) }
//!     let domain = email.split('@').nth(1).unwrap();   // "valid", so fine?
//!     ...
//! ```
//!
//! The handler validated too, and the CSV importer did not. One path
//! lowercased, another did not, so `Ada@Example.com` was invited twice. A
//! `bool` from `is_valid_email` is forgotten on the next line. A **type** is
//! not: a function that takes `Email` cannot be called with an unchecked
//! string.
//!
//! ## Your task
//!
//! `Email` lives in its own module, and its field is private, so the only way
//! to get one is `Email::try_from`. The service below already takes `Email`
//! and validates nothing. Make the type keep its promise:
//!
//! 1. `TryFrom<&str>`: trim surrounding whitespace, then check in this order:
//!    not empty (`Empty`); at most 254 characters (`TooLong`); no whitespace
//!    inside (`ContainsWhitespace`); exactly one `@` (`NotOneAt`); something
//!    before the `@` (`MissingLocalPart`); a domain with a `.` that is neither
//!    its first nor its last character (`InvalidDomain`). Store the address
//!    in lower case.
//! 2. `TryFrom<String>`: the same rules; reuse the first impl.
//! 3. Close the back door: `#[derive(Deserialize)]` on `Email` fills the
//!    field straight from JSON and never calls `try_from`. Tell serde to
//!    deserialize through `TryFrom<String>` instead (a container attribute).
//!
//! ## When not to use it
//!
//! A value you only pass along and never rely on, such as a free-text
//! comment, does not need a type. Do not put checks that need I/O in the
//! type ("is this email already registered?"): that is a business rule for
//! the service. A newtype holds what can be known from the value alone.

mod email {
    use serde::{Deserialize, Serialize};
    use std::fmt;

    /// An email address that passed `Email::try_from`: trimmed, lower case,
    /// one `@` with a name before it and a dotted domain after it.
    ///
    /// The field is private: outside this module, `try_from` is the only
    /// way to build one.
    // TODO: `Deserialize` as derived here bypasses `try_from`. Add a serde
    // attribute so it deserializes a `String` and converts it with `try_from`.
    #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub struct Email(String);

    #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
    pub enum EmailError {
        #[error("an email address is required")]
        Empty,
        #[error("an email address has at most 254 characters")]
        TooLong,
        #[error("an email address cannot contain spaces")]
        ContainsWhitespace,
        #[error("an email address needs exactly one @")]
        NotOneAt,
        #[error("an email address needs a name before the @")]
        MissingLocalPart,
        #[error("the domain of an email address needs a dot, as in example.com")]
        InvalidDomain,
    }

    impl TryFrom<&str> for Email {
        type Error = EmailError;

        fn try_from(raw: &str) -> Result<Self, Self::Error> {
            // TODO: trim, check the rules in the order of the task, and
            // build the lower-case `Email`.
            todo!()
        }
    }

    impl TryFrom<String> for Email {
        type Error = EmailError;

        fn try_from(raw: String) -> Result<Self, Self::Error> {
            // TODO: the same rules, without writing them twice.
            todo!()
        }
    }

    impl Email {
        pub fn as_str(&self) -> &str {
            &self.0
        }

        /// The part after the `@`.
        pub fn domain(&self) -> &str {
            // Every `Email` went through `try_from`, which accepts exactly one
            // '@'; the private field means nothing else can build one. So this
            // cannot fail, unless something bypasses `try_from`.
            let (_, domain) = self
                .0
                .split_once('@')
                .expect("an Email always contains one '@'");
            domain
        }
    }

    impl fmt::Display for Email {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(&self.0)
        }
    }
}

// ---- The service: takes `Email`, validates nothing (do not change) ----------

mod invitations {
    use crate::email::Email;

    #[derive(Debug, PartialEq, Eq)]
    pub enum InviteError {
        DomainNotAllowed { domain: String },
        AlreadyInvited,
    }

    /// Invites people from the company's own domains to the workspace.
    pub struct InvitationService {
        allowed_domains: Vec<String>,
        invited: Vec<Email>,
    }

    impl InvitationService {
        pub fn new(allowed_domains: &[&str]) -> Self {
            let allowed_domains = allowed_domains.iter().map(|d| d.to_string()).collect();
            Self {
                allowed_domains,
                invited: Vec::new(),
            }
        }

        /// No "is it valid?" here, and no lowercasing: an `Email` already is.
        pub fn invite(&mut self, email: Email) -> Result<(), InviteError> {
            let domain = email.domain();
            if !self.allowed_domains.iter().any(|allowed| allowed == domain) {
                let domain = domain.to_string();
                return Err(InviteError::DomainNotAllowed { domain });
            }
            if self.invited.contains(&email) {
                return Err(InviteError::AlreadyInvited);
            }
            self.invited.push(email);
            Ok(())
        }

        pub fn invited(&self) -> &[Email] {
            &self.invited
        }
    }
}

// ---- The boundary: JSON in, `Email` out (do not change) --------------------

use email::Email;
use invitations::{InvitationService, InviteError};
use serde::Deserialize;
use serde_json::json;

/// The body of `POST /invitations`. Deserializing it *is* the validation:
/// an invalid email never becomes an `InviteRequest`.
#[derive(Debug, Deserialize)]
struct InviteRequest {
    email: Email,
}

/// `POST /invitations`: returns the status and the JSON body.
fn invite_handler(service: &mut InvitationService, body: &str) -> (u16, String) {
    let request: InviteRequest = match serde_json::from_str(body) {
        Ok(request) => request,
        // Not JSON at all: 400. JSON whose values break a rule (the email
        // refused by `Email::try_from`) or have the wrong type: 422.
        Err(error) => {
            let status = if error.is_data() { 422 } else { 400 };
            let body = json!({ "error": "invalid_request", "detail": error.to_string() });
            return (status, body.to_string());
        }
    };
    match service.invite(request.email) {
        Ok(()) => (201, json!({ "invited": true }).to_string()),
        // 422, not 403: 403 is about the caller's permission, and this is
        // a rule about the invitee's address.
        Err(InviteError::DomainNotAllowed { domain }) => {
            let body = json!({ "error": "domain_not_allowed", "domain": domain });
            (422, body.to_string())
        }
        Err(InviteError::AlreadyInvited) => {
            (409, json!({ "error": "already_invited" }).to_string())
        }
    }
}

fn main() {
    // This exercise is checked by its tests.
}

#[cfg(test)]
mod tests {
    use super::email::{Email, EmailError};
    use super::*;

    fn parse(raw: &str) -> Result<String, EmailError> {
        Email::try_from(raw).map(|email| email.as_str().to_string())
    }

    #[test]
    fn trims_and_lowercases_the_address() {
        assert_eq!(
            parse("  Ada.Lovelace@Example.COM \n"),
            Ok("ada.lovelace@example.com".into())
        );
    }

    #[test]
    fn two_spellings_of_one_address_are_equal() {
        let typed = Email::try_from("ADA@example.com").unwrap();
        let pasted = Email::try_from(" ada@EXAMPLE.com").unwrap();

        assert_eq!(typed, pasted);
    }

    #[test]
    fn an_owned_string_is_parsed_by_the_same_rules() {
        let email = Email::try_from(String::from(" Grace@Navy.MIL ")).unwrap();
        assert_eq!(email.as_str(), "grace@navy.mil");

        let refused = Email::try_from(String::from("grace.navy.mil"));
        assert_eq!(refused, Err(EmailError::NotOneAt));
    }

    #[test]
    fn refuses_an_empty_or_blank_address() {
        assert_eq!(parse(""), Err(EmailError::Empty));
        assert_eq!(parse("   \t"), Err(EmailError::Empty));
    }

    #[test]
    fn refuses_an_address_over_254_characters_but_not_at_254() {
        let domain = "@example.com";
        let longest = format!("{}{domain}", "a".repeat(254 - domain.len()));
        let too_long = format!("a{longest}");

        assert!(parse(&longest).is_ok(), "254 characters are allowed");
        assert_eq!(parse(&too_long), Err(EmailError::TooLong));
    }

    #[test]
    fn refuses_whitespace_inside_the_address() {
        assert_eq!(
            parse("ada lovelace@example.com"),
            Err(EmailError::ContainsWhitespace)
        );
        assert_eq!(
            parse("ada@exam\tple.com"),
            Err(EmailError::ContainsWhitespace)
        );
    }

    #[test]
    fn refuses_no_at_or_more_than_one() {
        assert_eq!(parse("ada.example.com"), Err(EmailError::NotOneAt));
        assert_eq!(parse("ada@@example.com"), Err(EmailError::NotOneAt));
        assert_eq!(parse("ada@home@example.com"), Err(EmailError::NotOneAt));
    }

    #[test]
    fn refuses_a_missing_name_before_the_at() {
        assert_eq!(parse("@example.com"), Err(EmailError::MissingLocalPart));
    }

    #[test]
    fn refuses_a_domain_without_an_inner_dot() {
        for raw in ["ada@", "ada@localhost", "ada@.com", "ada@example."] {
            assert_eq!(parse(raw), Err(EmailError::InvalidDomain), "input: {raw:?}");
        }
        assert!(parse("ada@mail.example.co.uk").is_ok());
    }

    #[test]
    fn the_domain_is_what_follows_the_at() {
        let email = Email::try_from("Ada@Example.com").unwrap();
        assert_eq!(email.domain(), "example.com");
    }

    #[test]
    fn deserializing_parses_and_normalises_the_email() {
        let request: InviteRequest =
            serde_json::from_str(r#"{"email": " Ada@Example.com"}"#).unwrap();

        assert_eq!(request.email.as_str(), "ada@example.com");
    }

    #[test]
    fn deserializing_refuses_an_invalid_email_with_the_reason() {
        let result = serde_json::from_str::<InviteRequest>(r#"{"email": "ada.example.com"}"#);

        let error = result.expect_err("an invalid email must not deserialize");
        assert!(
            error.to_string().contains("exactly one @"),
            "the error should say why: {error}"
        );
    }

    #[test]
    fn displays_as_the_normalised_address() {
        let email = Email::try_from(" Ada@Example.com ").unwrap();

        assert_eq!(email.to_string(), "ada@example.com");
    }

    #[test]
    fn serializes_as_a_plain_string() {
        let email = Email::try_from("Ada@Example.com").unwrap();

        assert_eq!(
            serde_json::to_string(&email).unwrap(),
            r#""ada@example.com""#
        );
    }

    #[test]
    fn an_email_deserializes_from_every_kind_of_json_input() {
        // An escape makes serde_json build a new string: nothing to borrow.
        let escaped: InviteRequest =
            serde_json::from_str(r#"{"email": "ada\u0040example.com"}"#).unwrap();
        let from_value: InviteRequest =
            serde_json::from_value(json!({ "email": "Ada@Example.com" })).unwrap();
        let from_reader: InviteRequest =
            serde_json::from_reader(r#"{"email": "ada@example.com"}"#.as_bytes()).unwrap();

        for request in [escaped, from_value, from_reader] {
            assert_eq!(request.email.as_str(), "ada@example.com");
        }
    }

    #[test]
    fn the_handler_answers_400_to_a_body_that_is_not_json() {
        let mut service = InvitationService::new(&["example.com"]);

        let (status, body) = invite_handler(&mut service, r#"{"email": "ada@example.com""#);

        assert_eq!(status, 400, "body: {body}");
        assert!(service.invited().is_empty());
    }

    #[test]
    fn the_handler_answers_422_with_the_reason_before_the_service_sees_anything() {
        let mut service = InvitationService::new(&["example.com"]);

        let (status, body) = invite_handler(&mut service, r#"{"email": "ada@"}"#);

        assert_eq!(status, 422);
        assert!(body.contains("needs a dot"), "body: {body}");
        assert!(service.invited().is_empty());
    }

    #[test]
    fn the_handler_invites_a_valid_address_once_in_any_spelling() {
        let mut service = InvitationService::new(&["example.com"]);

        let first = invite_handler(&mut service, r#"{"email": "Ada@Example.com"}"#);
        let again = invite_handler(&mut service, r#"{"email": " ada@example.COM "}"#);
        let outsider = invite_handler(&mut service, r#"{"email": "eve@evil.test"}"#);

        assert_eq!(first.0, 201);
        assert_eq!(
            again.0, 409,
            "the same address in other letters is a duplicate"
        );
        assert_eq!(outsider.0, 422);
        let invited: Vec<&str> = service.invited().iter().map(Email::as_str).collect();
        assert_eq!(invited, ["ada@example.com"]);
    }
}
