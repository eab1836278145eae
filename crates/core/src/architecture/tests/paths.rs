//! Calls written by their path (`Trait::m(&x)`, `Type::m(x)`, `R::m` with
//! `R: Trait`, `<T as Trait>::m`, `<dyn Trait>::m`) match the same patterns
//! as method calls; attributes and derives are mentions; field chains reach
//! into the types of the fields.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;

#[test]
fn a_method_called_by_its_path_matches_method_patterns() {
    let rule = r#"
kind = "forbid_calls"
in = "UserService::register"
calls = ["*.find_by_email", "*.unwrap", "*.to_string"]
message = "m"
"#;
    let source = r#"
trait UserRepository { fn find_by_email(&self, e: &str) -> Option<u8>; }
struct UserService<R> { repo: R }
impl<R: UserRepository> UserService<R> {
    fn register(&self, e: &str) -> String {
        let a = UserRepository::find_by_email(&self.repo, e);
        let b = R::find_by_email(&self.repo, e);
        let c = <R as UserRepository>::find_by_email(&self.repo, e);
        Option::unwrap(a);
        b.map(ToString::to_string).unwrap_or_default()
    }
}
"#;
    assert_eq!(
        run(rule, source),
        [
            "6:17 calls UserRepository::find_by_email",
            "7:17 calls R::find_by_email",
            "8:17 calls UserRepository::find_by_email",
            "9:9 calls Option::unwrap",
            "10:15 refers to ToString::to_string",
        ]
    );
}

#[test]
fn a_path_call_on_a_generic_matches_the_trait_it_is_bounded_by() {
    let rule = r#"
kind = "require_calls"
in = "impl Handler for Logging"
calls = ["Handler::handle"]
message = "m"
"#;
    let source = |call: &str| {
        format!(
            "trait Handler {{ fn handle(&self, r: u8) -> u8; }}\n\
             struct Logging<H> {{ inner: H }}\n\
             impl<H: Handler> Handler for Logging<H> {{ fn handle(&self, r: u8) -> u8 {{ {call} }} }}\n"
        )
    };
    for call in [
        "H::handle(&self.inner, r)",
        "Handler::handle(&self.inner, r)",
        "<H as Handler>::handle(&self.inner, r)",
        "<dyn Handler>::handle(&self.inner, r)",
    ] {
        assert_eq!(run(rule, &source(call)), Vec::<String>::new(), "{call}");
    }
    let rule = rule.replace("Handler::handle", "Logging::handle");
    assert_eq!(
        run(&rule, &source("H::handle(&self.inner, r)")),
        ["3:30 impl Handler for Logging does not call Logging::handle"]
    );
}

#[test]
fn a_trait_method_called_by_its_path_is_no_constructor() {
    // `ProjectStore::find_account(..)` returns what the trait says; the
    // `.is_some_and` after it is no call on a ProjectStore.
    let rule = r#"
kind = "forbid_calls"
in = "handler"
calls = ["ProjectStore::*"]
message = "m"
"#;
    let source = r#"
trait ProjectStore { fn find_account(&self, id: u64) -> Option<Account>; }
struct Account { suspended: bool }
fn handler<S: ProjectStore>(store: &S) -> bool {
    ProjectStore::find_account(store, 1).is_some_and(|a| a.suspended)
}
"#;
    assert_eq!(run(rule, source), ["5:5 calls ProjectStore::find_account"]);
}

#[test]
fn attribute_paths_and_derives_are_mentions() {
    let rule = r#"
kind = "forbid_types"
in = "mod pricing"
types = ["serde::*"]
message = "m"
"#;
    let source = r#"
use serde::Serialize;
mod pricing {
    #[derive(Debug, serde::Deserialize)]
    pub struct Line { sku: String }
    #[derive(Clone, super::Serialize)]
    pub struct Quote { total: u64 }
    /// Doc comments are attributes too, and mention nothing.
    #[derive(Debug)]
    pub struct Plain;
}
"#;
    assert_eq!(
        run(rule, source),
        [
            "4:21 mentions serde::Deserialize",
            "6:21 mentions super::Serialize (serde::Serialize)"
        ]
    );
    let clean = "mod pricing {\n    #[derive(Debug, Clone)]\n    pub struct Quote;\n}\n";
    assert_eq!(run(rule, clean), Vec::<String>::new());
}

#[test]
fn a_mention_through_super_reads_as_written() {
    let rule = r#"
kind = "forbid_types"
in = "mod pricing"
types = ["QuoteRequest"]
message = "m"
"#;
    let source = "struct QuoteRequest;\nmod pricing {\n    fn f(_: super::QuoteRequest) {}\n}\n";
    assert_eq!(run(rule, source), ["3:13 mentions super::QuoteRequest"]);
}

#[test]
fn a_field_chain_reaches_the_types_of_its_fields() {
    let types = r#"
kind = "forbid_types"
in = "handler"
types = ["Database", "ProjectRow"]
message = "m"
"#;
    let calls = r#"
kind = "forbid_calls"
in = "handler"
calls = ["Database::*"]
message = "m"
"#;
    let source = r#"
struct ProjectRow { team: u64 }
struct Database { projects: Vec<ProjectRow> }
struct Repo { db: std::sync::Arc<std::sync::Mutex<Database>> }
struct Service<R> { repo: R }
struct App { projects: Service<Repo> }
fn handler(app: &App) -> usize {
    app.projects.repo.db.lock().unwrap().projects.iter().filter(|r| r.team == 1).count()
}
"#;
    assert_eq!(
        run(types, source),
        [
            "8:23 reaches Database through .db",
            "8:42 reads .projects of a Database"
        ]
    );
    assert_eq!(run(calls, source), ["8:42 uses field Database::projects"]);
    // Holding the service is no reaching into what it is generic over.
    let clean = source.replace(
        "app.projects.repo.db.lock().unwrap().projects.iter().filter(|r| r.team == 1).count()",
        "app.projects.repo.db.lock().map_or(0, |_| 1)",
    );
    assert_eq!(run(types, &clean), ["8:23 reaches Database through .db"]);
    let service_only = source.replace(
        "app.projects.repo.db.lock().unwrap().projects.iter().filter(|r| r.team == 1).count()",
        "{ let _ = &app.projects; 0 }",
    );
    assert_eq!(run(types, &service_only), Vec::<String>::new());
}
