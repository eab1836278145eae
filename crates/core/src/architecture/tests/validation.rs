//! Validation: every problem of a table reported at once, with the fix.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::calls::HANDLER_FORBIDS_STORAGE;
use super::*;

// ------------------------------------------------------------------ validation

#[test]
fn validation_names_an_unknown_kind_and_suggests_the_nearest() {
    assert_eq!(
        errors("kind = \"forbid_cals\"\nin = \"f\"\ncalls = [\"x\"]\nmessage = \"m\""),
        ["unknown check kind \"forbid_cals\"; did you mean \"forbid_calls\"?"]
    );
    assert_eq!(
        errors("kind = \"lint\"\nmessage = \"m\""),
        [
            "unknown check kind \"lint\"; use one of forbid_calls, require_calls, forbid_types, require_impl, depend_on_trait, require_calls_after, require_calls_before, require_literal_args"
        ]
    );
    assert_eq!(
        errors("in = \"f\"\ncalls = [\"x\"]\nmessage = \"m\""),
        [
            "check is missing field \"kind\"; add kind = \"forbid_calls\" (one of forbid_calls, require_calls, forbid_types, require_impl, depend_on_trait, require_calls_after, require_calls_before, require_literal_args)"
        ]
    );
}

#[test]
fn validation_names_unknown_fields_with_the_nearest() {
    assert_eq!(
        errors("kind = \"forbid_calls\"\nin = \"f\"\ncalls = [\"x\"]\nmesage = \"m\""),
        [
            "unknown field \"mesage\" in check; did you mean \"message\"?",
            "check \"forbid_calls\" is missing field \"message\"; add message = \"...\" telling the learner what to change",
        ]
    );
    assert_eq!(
        errors("kind = \"forbid_types\"\nin = \"f\"\ntype = \"HashMap\"\nmessage = \"m\""),
        [
            "field \"type\" does not apply to kind \"forbid_types\"; did you mean \"types\"?",
            "check \"forbid_types\" is missing field \"types\"; add types = [\"HashMap\"]",
        ]
    );
    assert_eq!(
        errors(
            "kind = \"forbid_calls\"\nin = \"f\"\ncalls = [\"x\"]\nmessage = \"m\"\nseverity = \"high\""
        ),
        [
            "unknown field \"severity\" in check; kind \"forbid_calls\" takes in, calls, stop_at, message"
        ]
    );
}

#[test]
fn validation_rejects_malformed_patterns_with_a_fix() {
    let cases = [
        (
            "Connection::",
            "malformed pattern \"Connection::\" in calls: a path cannot end with \"::\"; write \"Connection::*\" to match everything under Connection, or \"Connection\" for Connection itself",
        ),
        (
            "Connection.execute",
            "malformed pattern \"Connection.execute\" in calls: \".\" is only allowed right after \"*\"; write \"Connection::execute\" for the method of a type or \"*.execute\" for any method named execute",
        ),
        (
            "*.query()",
            "malformed pattern \"*.query()\" in calls: drop the parentheses and write \"*.query\"",
        ),
        (
            "std::*::write",
            "malformed pattern \"std::*::write\" in calls: \"*\" may only stand alone as the last segment, as in \"std::fs::*\"; for any method of one name write \"*.name\"",
        ),
        (
            "*",
            "malformed pattern \"*\" in calls: \"*\" would match every path; name a module or type before \"*\", as in \"std::fs::*\"",
        ),
        (
            "Vec<u8>::new",
            "malformed pattern \"Vec<u8>::new\" in calls: generic arguments are not matched; drop them and write \"Vec\"",
        ),
        (
            "",
            "malformed pattern \"\" in calls: the pattern is empty; write a path such as \"Connection::execute\", \"*.query\", \"std::fs::*\" or \"println!\"",
        ),
        (
            "log::*!",
            "malformed pattern \"log::*!\" in calls: a macro pattern names one macro, as in \"println!\"; \"*\" is not allowed",
        ),
        (
            "a b",
            "malformed pattern \"a b\" in calls: \"a b\" is not a Rust identifier",
        ),
    ];
    for (pattern, expected) in cases {
        let text = format!(
            "kind = \"forbid_calls\"\nin = \"f\"\ncalls = [\"{pattern}\"]\nmessage = \"m\""
        );
        assert_eq!(errors(&text), [expected], "{pattern}");
    }
    assert_eq!(
        errors(
            "kind = \"forbid_types\"\nin = \"f\"\ntypes = [\"println!\", \"*.x\"]\nmessage = \"m\""
        ),
        [
            "malformed pattern \"println!\" in types: types names paths, not macros; write a path such as \"HashMap\" or \"axum::*\"",
            "malformed pattern \"*.x\" in types: types names paths, not method calls; write a path such as \"HashMap\" or \"axum::*\"",
        ]
    );
}

#[test]
fn validation_rejects_empty_lists_wrong_types_and_bad_targets() {
    assert_eq!(
        errors("kind = \"forbid_calls\"\nin = []\ncalls = []\nmessage = \"\""),
        [
            "field \"message\" is empty; write what the learner should change",
            "field \"in\" is empty; add in = \"create_user_handler\" (a fn, \"Type::method\", \"impl Type\", \"mod name\" or \"*\")",
            "field \"calls\" is empty; list at least one pattern, like calls = [\"Connection::execute\"]",
        ]
    );
    assert_eq!(
        errors(
            "kind = \"require_calls\"\nin = \"function handler\"\ncalls = [\"x\", 3]\nmessage = \"m\""
        ),
        [
            "malformed target \"function handler\" in \"in\": \"function\" is not an item kind; use one of fn, struct, enum, union, trait, mod, type, const, static, or impl",
            "field \"calls\" must list strings, like calls = [\"Connection::execute\"]; item 2 is an integer",
        ]
    );
    assert_eq!(
        errors("kind = \"forbid_types\"\nin = \"impl\"\ntypes = \"HashMap\"\nmessage = 1"),
        [
            "field \"message\" must be a string, like message = \"...\" telling the learner what to change; found an integer",
            "malformed target \"impl\" in \"in\": write the type after impl, as in \"impl UserService\"",
        ]
    );
}

#[test]
fn validation_of_require_impl_and_depend_on_trait() {
    assert_eq!(
        errors("kind = \"require_impl\"\ntype = \"Users::\"\nmessage = \"m\""),
        [
            "malformed pattern \"Users::\" in type: a path cannot end with \"::\"; write \"Users\"",
            "check \"require_impl\" is missing field \"trait\"; add trait = \"UserRepository\"",
        ]
    );
    assert_eq!(
        errors("kind = \"depend_on_trait\"\nin = \"UserService\"\nmessage = \"m\""),
        [
            "check \"depend_on_trait\" is missing field \"field\" or \"param\"; add field = \"repo\" for a struct field or param = \"repo\" for a fn parameter"
        ]
    );
    assert_eq!(
        errors(
            "kind = \"depend_on_trait\"\nin = \"impl UserService\"\nfield = \"repo\"\nmessage = \"m\""
        ),
        [
            "depend_on_trait with \"field\" needs a struct in \"in\", like in = \"UserService\"; \"impl UserService\" is not one"
        ]
    );
    assert_eq!(
        errors(
            "kind = \"depend_on_trait\"\nin = \"f\"\nfield = \"repo\"\nparam = \"repo\"\ntrait = \"Repo*\"\nmessage = \"m\""
        ),
        [
            "malformed pattern \"Repo*\" in trait: \"*\" is not allowed in trait; name one item, such as \"UserRepository\"",
            "use either \"field\" (a struct field) or \"param\" (a fn parameter), not both",
        ]
    );
}

#[test]
fn checks_are_plain_values() {
    let a = check(HANDLER_FORBIDS_STORAGE);
    let b = a.clone();
    assert_eq!(a, b);
    assert_eq!(
        a.message(),
        "The handler talks to storage directly; call the service instead."
    );
}

#[test]
fn validation_of_the_order_and_literal_kinds_and_stop_at() {
    assert_eq!(
        errors(
            "kind = \"require_calls_after\"\nin = \"UserService::rename\"\ncalls = \"UserCache::invalidate\"\nbefore = \"UserRepository::save\"\nmessage = \"m\""
        ),
        [
            "field \"before\" does not apply to kind \"require_calls_after\"; it takes in, calls, after, message",
            "check \"require_calls_after\" is missing field \"after\"; add after = [\"UserRepository::save\"]",
        ]
    );
    assert_eq!(
        errors(
            "kind = \"require_calls_before\"\nin = \"product\"\ncalls = \"ProductCache::get\"\nbefor = \"ProductRepository::find\"\nmessage = \"m\""
        ),
        [
            "unknown field \"befor\" in check; did you mean \"before\"?",
            "check \"require_calls_before\" is missing field \"before\"; add before = [\"ProductRepository::find\"]",
        ]
    );
    assert_eq!(
        errors(
            "kind = \"require_literal_args\"\nin = \"impl Repo\"\ncalls = [\"format!\", \"Connection::execute\"]\narg = 0\nmessage = \"m\""
        ),
        [
            "require_literal_args judges the arguments of calls, and \"format!\" is a macro; name a function or method, like calls = [\"Connection::execute\"]",
            "field \"arg\" counts arguments from 1, the receiver not counted; 0 is not a position, write arg = 1 for the first",
        ]
    );
    assert_eq!(
        errors(
            "kind = \"require_literal_args\"\nin = \"impl Repo\"\ncalls = \"Connection::execute\"\narg = \"first\"\nmessage = \"m\""
        ),
        [
            "field \"arg\" must be a number, like arg = 1 (the first argument after the receiver); found a string"
        ]
    );
    assert_eq!(
        errors("kind = \"forbid_calls\"\nin = \"f\"\ncalls = \"x\"\nstop_at = []\nmessage = \"m\""),
        [
            "field \"stop_at\" is empty; name the calls to stop at, like stop_at = [\"ProjectService::create_project\"], or leave it out"
        ]
    );
    assert_eq!(
        errors(
            "kind = \"forbid_types\"\nin = \"f\"\ntypes = \"X\"\nstop_at = \"Service.create\"\nmessage = \"m\""
        ),
        [
            "malformed pattern \"Service.create\" in stop_at: \".\" is only allowed right after \"*\"; write \"Service::create\" for the method of a type or \"*.create\" for any method named create"
        ]
    );
    assert_eq!(
        errors(
            "kind = \"require_calls\"\nin = \"f\"\ncalls = \"x\"\nstop_at = \"y\"\nmessage = \"m\""
        ),
        ["field \"stop_at\" does not apply to kind \"require_calls\"; it takes in, calls, message"]
    );
    assert_eq!(
        errors("kind = \"forbid_calls\"\nin = \"f\"\ncalls = \"x\"\nstop = \"y\"\nmessage = \"m\""),
        ["unknown field \"stop\" in check; did you mean \"stop_at\"?"]
    );
    let summary = |text: &str| check(text).summary();
    assert_eq!(
        summary(
            "kind = \"require_calls_after\"\nin = [\"UserService::rename\", \"UserService::delete\"]\ncalls = \"UserCache::invalidate\"\nafter = [\"UserRepository::save\", \"UserRepository::delete\"]\nmessage = \"m\""
        ),
        "UserService::rename, UserService::delete must call UserCache::invalidate after UserRepository::save, UserRepository::delete"
    );
    assert_eq!(
        summary(
            "kind = \"require_calls_before\"\nin = \"CatalogService::product\"\ncalls = \"ProductCache::get\"\nbefore = \"ProductRepository::find\"\nmessage = \"m\""
        ),
        "CatalogService::product must call ProductCache::get before ProductRepository::find"
    );
    assert_eq!(
        summary(
            "kind = \"require_literal_args\"\nin = \"impl SqliteUsers\"\ncalls = [\"Connection::execute\", \"Connection::query_row\"]\nmessage = \"m\""
        ),
        "impl SqliteUsers must pass a literal or a constant as argument 1 of Connection::execute, Connection::query_row"
    );
}
