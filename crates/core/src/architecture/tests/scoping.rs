//! Name resolution and scoping details the rules depend on.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::calls::HANDLER_USES_SERVICE;
use super::declarations::{REPOSITORY_IMPL, SERVICE_DEPENDS_ON_PORT};
use super::*;

// ------------------------------------------------------------ scoping details

#[test]
fn a_trait_method_target_names_every_implementation_and_the_default() {
    let rule = r#"
kind = "forbid_calls"
in = "UserRepository::save"
calls = ["println!"]
message = "m"
"#;
    let source = r#"
trait UserRepository {
    fn save(&self) { println!("default"); }
}
struct A;
struct B;
impl UserRepository for A { fn save(&self) { println!("a"); } }
impl UserRepository for B {}
impl B { fn save(&self) { println!("inherent, not the trait's"); } }
"#;
    assert_eq!(
        run(rule, source),
        ["3:22 uses println!", "7:46 uses println!"]
    );
}

#[test]
fn uses_inside_a_function_body_are_followed() {
    let rule = r#"
kind = "forbid_calls"
in = "handler"
calls = ["std::fs::*"]
message = "m"
"#;
    let source = r#"
fn handler() {
    use std::fs::{self as disk};
    disk::remove_file("x");
}
fn other() {
    disk::remove_file("not the same disk");
}
"#;
    assert_eq!(
        run(rule, source),
        ["4:5 calls disk::remove_file (std::fs::remove_file)"]
    );
}

#[test]
fn qualified_calls_name_their_type() {
    let rule = r#"
kind = "forbid_calls"
in = "handler"
calls = ["Connection::close", "Repo::save"]
message = "m"
"#;
    let source = r#"
fn handler(c: Conn) {
    <Connection>::close(c);
    <InMemory as Repo>::save(&c);
}
"#;
    assert_eq!(
        run(rule, source),
        ["3:5 calls Connection::close", "4:5 calls Repo::save"]
    );
}

#[test]
fn a_closure_parameter_shadows_an_outer_variable() {
    let rule = r#"
kind = "forbid_calls"
in = "handler"
calls = ["Connection::execute"]
message = "m"
"#;
    // The outer `db` is a Service, so its `execute` is fine; the closure's
    // `db` is something else the checks cannot type, matched by name.
    let source = r#"
struct Service;
fn handler(db: Service, pools: Vec<Pool>) {
    db.execute();
    pools.iter().for_each(|db| db.execute());
    db.execute();
}
"#;
    assert_eq!(
        run(rule, source),
        ["5:35 calls .execute(..) (receiver type unknown, matched by method name)"]
    );
}

#[test]
fn local_macros_are_expanded_where_they_are_invoked() {
    let rule = r#"
kind = "forbid_calls"
in = "*"
calls = ["Connection::open"]
message = "m"
"#;
    // The call in the macro's body is reached through the macro, once
    // however often it is invoked; the arguments are the handler's own.
    let source = r#"
macro_rules! connect {
    ($path:expr) => { Connection::open($path) };
}
fn handler() {
    let a = connect!("users.db");
    let b = connect!(Connection::open("other.db"));
}
"#;
    assert_eq!(
        run(rule, source),
        [
            "3:23 handler -> connect! -> calls Connection::open",
            "7:22 calls Connection::open"
        ]
    );
}

#[test]
fn several_checks_evaluate_in_order_on_one_file() {
    let file = syn::parse_file(
        "struct UserService<R: UserRepository> { repo: R }\nfn create_user_handler() {}\n",
    )
    .unwrap();
    let outcomes = evaluate(
        &[
            check(SERVICE_DEPENDS_ON_PORT),
            check(HANDLER_USES_SERVICE),
            check(REPOSITORY_IMPL),
        ],
        &file,
    );
    let passed: Vec<bool> = outcomes.iter().map(CheckOutcome::passed).collect();
    assert_eq!(passed, [true, false, false]);
    assert_eq!(
        outcomes[1].violations,
        [Violation {
            line: 2,
            column: 4,
            detail: "create_user_handler does not call UserService::create_user".to_string(),
        }]
    );
}

#[test]
fn forbid_types_sees_through_the_files_type_aliases() {
    let rule = r#"
kind = "forbid_types"
in = "UserService"
types = ["rusqlite::Connection"]
message = "m"
"#;
    let source = r#"
type Db = rusqlite::Connection;
type Shared = std::sync::Arc<Db>;
struct UserService { db: Shared }
"#;
    assert_eq!(
        run(rule, source),
        ["4:26 mentions Shared (rusqlite::Connection)"]
    );
}
