//! `forbid_types`: every mention of a type, aliases seen through.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;

// ---------------------------------------------------------------- forbid_types

#[test]
fn forbid_types_reports_every_mention() {
    let rule = r#"
kind = "forbid_types"
in = ["UserService", "impl UserService"]
types = ["HashMap"]
message = "The service holds the repository trait, not a map."
"#;
    let source = r#"
use std::collections::HashMap;

struct UserService {
    users: Mutex<HashMap<u64, User>>,
}

impl UserService {
    fn new() -> Self {
        Self { users: Mutex::new(HashMap::new()) }
    }
}
"#;
    let result = outcome(rule, source);
    assert_eq!(
        result.summary,
        "UserService, impl UserService must not mention HashMap"
    );
    assert_eq!(
        run(rule, source),
        [
            "5:18 mentions HashMap (std::collections::HashMap)",
            "10:34 mentions HashMap (std::collections::HashMap)",
        ]
    );
}

#[test]
fn forbid_types_passes_a_service_that_names_only_the_trait() {
    let rule = r#"
kind = "forbid_types"
in = "UserService"
types = ["HashMap", "rusqlite::*"]
message = "m"
"#;
    let source = r#"
use std::collections::HashMap;
struct UserService<R: UserRepository> { repo: R }
struct InMemoryUsers { users: HashMap<u64, User> }
"#;
    assert_eq!(run(rule, source), Vec::<String>::new());
}

#[test]
fn forbid_types_follows_aliases_and_globs_in_a_module() {
    let rule = r#"
kind = "forbid_types"
in = "mod domain"
types = ["axum::*", "rusqlite::*"]
message = "The domain knows nothing of HTTP or SQL."
"#;
    let source = r#"
use rusqlite::Connection as Db;

mod domain {
    use axum::Json;
    use rusqlite::*;

    pub struct User { pub name: String }

    pub fn load(db: &super::Db) -> Json<User> {
        todo!()
    }

    pub fn save(db: &Db) {}
}
"#;
    assert_eq!(
        run(rule, source),
        [
            "5:15 mentions axum::Json",
            "6:19 mentions rusqlite::*",
            "10:22 mentions super::Db (rusqlite::Connection)",
            "10:36 mentions Json (axum::Json)",
            "14:22 mentions Db (rusqlite::Connection)",
        ]
    );
}

#[test]
fn forbid_types_sees_types_in_signatures_bounds_and_expressions() {
    let rule = r#"
kind = "forbid_types"
in = "handler"
types = ["Connection"]
message = "m"
"#;
    let source = r#"
fn handler<C: Into<Connection>>(c: C) -> Result<(), Error>
where
    C: Clone,
{
    let pool: Vec<Connection> = Vec::new();
    let _ = Connection::open_in_memory();
    Ok(())
}
"#;
    assert_eq!(
        run(rule, source),
        [
            "2:20 mentions Connection",
            "6:19 mentions Connection",
            "7:13 mentions Connection",
        ]
    );
}
