//! Reach: a rule judges what its target reaches in the file, through free
//! helpers, methods of other local types, trait impls, closures and local
//! macros, and reports the path of calls that led to each violation.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;

const HANDLER_NO_DB: &str = r#"
kind = "forbid_calls"
in = "handler"
calls = ["Database::*"]
message = "m"
"#;

const HANDLER_NO_DB_TYPE: &str = r#"
kind = "forbid_types"
in = "handler"
types = ["Database"]
message = "m"
"#;

/// The layers every snippet below shares.
const LAYERS: &str = r#"
struct Database { rows: Vec<u64> }
impl Database { fn select(&self, team: u64) -> Vec<u64> { self.rows.clone() } }
trait Repo { fn count(&self, team: u64) -> usize; }
struct Service<R> { repo: R }
impl<R: Repo> Service<R> { fn create(&mut self, team: u64) -> usize { self.repo.count(team) } }
struct DbRepo { db: Database }
impl Repo for DbRepo { fn count(&self, team: u64) -> usize { self.db.select(team).len() } }
struct App { service: Service<DbRepo> }
"#;

fn with_layers(code: &str) -> String {
    format!("{LAYERS}{code}")
}

#[test]
fn a_call_moved_into_a_free_helper_is_reported_with_its_path() {
    let source = with_layers(
        "fn handler(app: &App) -> usize { team_rows(app, 1) }\n\
         fn team_rows(app: &App, team: u64) -> usize { app.service.repo.db.select(team).len() }\n",
    );
    assert_eq!(
        run(HANDLER_NO_DB, &source),
        ["11:67 handler -> team_rows -> calls Database::select"]
    );
    assert_eq!(
        run(HANDLER_NO_DB_TYPE, &source),
        [
            "11:64 handler -> team_rows -> reaches Database through .db",
            "11:67 handler -> team_rows -> calls .select(..) on a Database"
        ]
    );
}

#[test]
fn a_method_of_another_local_type_is_followed() {
    let source = with_layers(
        "impl App { fn count_rows(&self, team: u64) -> usize { self.service.repo.db.select(team).len() } }\n\
         fn handler(app: &App) -> usize { app.count_rows(1) }\n",
    );
    assert_eq!(
        run(HANDLER_NO_DB, &source),
        ["10:76 handler -> App::count_rows -> calls Database::select"]
    );
}

#[test]
fn an_extension_trait_implemented_for_a_local_type_is_followed() {
    let source = with_layers(
        "trait TeamRows { fn team_rows(&self, team: u64) -> usize; }\n\
         impl TeamRows for App { fn team_rows(&self, team: u64) -> usize { self.service.repo.db.select(team).len() } }\n\
         fn handler(app: &App) -> usize { app.team_rows(1) }\n",
    );
    assert_eq!(
        run(HANDLER_NO_DB_TYPE, &source),
        [
            "11:85 handler -> App::team_rows -> reaches Database through .db",
            "11:88 handler -> App::team_rows -> calls .select(..) on a Database"
        ]
    );
    // A trait's default body counts for the types that implement the trait.
    let source = with_layers(
        "trait TeamRows { fn db(&self) -> &Database; fn rows(&self) -> usize { self.db().rows.len() } }\n\
         impl TeamRows for App { fn db(&self) -> &Database { &self.service.repo.db } }\n\
         fn handler(app: &App) -> usize { app.rows() }\n",
    );
    assert_eq!(
        run(HANDLER_NO_DB_TYPE, &source),
        ["10:81 handler -> TeamRows::rows -> reads .rows of a Database"]
    );
}

#[test]
fn calls_through_a_generic_or_dyn_receiver_are_not_followed() {
    // The handler depends on the service; the service depends on the Repo
    // trait. Which Repo runs is decided elsewhere: nothing is reached.
    let source = with_layers("fn handler(app: &mut App) -> usize { app.service.create(1) }\n");
    assert_eq!(run(HANDLER_NO_DB, &source), Vec::<String>::new());
    let source = with_layers("fn handler(repo: &dyn Repo) -> usize { repo.count(1) }\n");
    assert_eq!(run(HANDLER_NO_DB, &source), Vec::<String>::new());
}

#[test]
fn stop_at_leaves_what_a_sanctioned_call_does_to_the_callee() {
    let rule = |stop: &str| {
        format!(
            "kind = \"forbid_calls\"\nin = \"handler\"\ncalls = [\"*.select\"]\n{stop}message = \"m\"\n"
        )
    };
    let source = "struct Db;\nimpl Db { fn select(&self) {} }\n\
                  struct Service { db: Db }\n\
                  impl Service { fn create(&self) { self.db.select() } fn peek(&self) { self.db.select() } }\n\
                  fn handler(s: &Service) { s.create(); s.peek(); }\n";
    assert_eq!(
        run(&rule(""), source),
        [
            "4:43 handler -> Service::create -> calls .select(..)",
            "4:79 handler -> Service::peek -> calls .select(..)"
        ]
    );
    assert_eq!(
        run(&rule("stop_at = [\"Service::create\"]\n"), source),
        ["4:79 handler -> Service::peek -> calls .select(..)"]
    );
}

#[test]
fn closures_and_cfg_test_impls_are_code_the_target_reaches() {
    let source = with_layers(
        "#[cfg(test)]\nimpl App { fn peek(&self) -> usize { self.service.repo.db.rows.len() } }\n\
         fn handler(app: &App) -> usize { let count = |a: &App| a.peek(); count(app) }\n",
    );
    assert_eq!(
        run(HANDLER_NO_DB, &source),
        ["11:59 handler -> App::peek -> uses field Database::rows"]
    );
}

#[test]
fn a_local_macro_is_expanded_where_it_is_invoked() {
    let source = with_layers(
        "macro_rules! rows {\n    ($app:expr, $team:expr) => { $app.service.repo.db.select($team) };\n}\n\
         fn handler(app: &App) -> usize { rows!(app, 1).len() }\n",
    );
    assert_eq!(
        run(HANDLER_NO_DB, &source),
        ["11:55 handler -> rows! -> calls Database::select"]
    );
}

#[test]
fn a_required_call_is_satisfied_wherever_it_is_reached() {
    let rule = r#"
kind = "require_calls"
in = "impl Handler for Logging"
calls = ["Handler::handle"]
message = "m"
"#;
    let base = "trait Handler { fn handle(&self, r: u8) -> u8; }\n\
                struct Logging<H> { inner: H }\n";
    let through_helper = format!(
        "{base}impl<H: Handler> Logging<H> {{ fn forward(&self, r: u8) -> u8 {{ self.inner.handle(r) }} }}\n\
         impl<H: Handler> Handler for Logging<H> {{ fn handle(&self, r: u8) -> u8 {{ self.forward(r) }} }}\n"
    );
    assert_eq!(run(rule, &through_helper), Vec::<String>::new());
    let through_free_fn = format!(
        "{base}fn pass_on(next: &impl Handler, r: u8) -> u8 {{ next.handle(r) }}\n\
         impl<H: Handler> Handler for Logging<H> {{ fn handle(&self, r: u8) -> u8 {{ pass_on(&self.inner, r) }} }}\n"
    );
    assert_eq!(run(rule, &through_free_fn), Vec::<String>::new());
    let through_blanket = format!(
        "{base}trait Forward {{ fn forward(&self, r: u8) -> u8; }}\n\
         impl<T: Handler> Forward for T {{ fn forward(&self, r: u8) -> u8 {{ self.handle(r) }} }}\n\
         impl<H: Handler> Handler for Logging<H> {{ fn handle(&self, r: u8) -> u8 {{ self.inner.forward(r) }} }}\n"
    );
    assert_eq!(run(rule, &through_blanket), Vec::<String>::new());
    let answers_itself = format!(
        "{base}impl<H: Handler> Handler for Logging<H> {{ fn handle(&self, r: u8) -> u8 {{ r }} }}\n"
    );
    assert_eq!(
        run(rule, &answers_itself),
        ["3:30 impl Handler for Logging does not call Handler::handle"]
    );
}

#[test]
fn recursion_and_unknown_receivers_end_the_walk() {
    let source = "struct Db;\nimpl Db { fn select(&self) {} }\n\
                  fn a(db: &Db, n: u8) { if n > 0 { b(db, n - 1) } }\n\
                  fn b(db: &Db, n: u8) { a(db, n); db.select() }\n\
                  fn handler(db: &Db, pool: Pool) { a(db, 3); pool.get().unique_helper(); }\n\
                  struct Other;\nimpl Other { fn unique_helper(&self) { Db.select() } fn len(&self) { Db.select() } }\n";
    let rule =
        "kind = \"forbid_calls\"\nin = \"handler\"\ncalls = [\"Db::select\"]\nmessage = \"m\"\n";
    // `unique_helper` is the file's only method of that name, so an unknown
    // receiver reaches it; `len` is too common a name to guess.
    assert_eq!(
        run(rule, source),
        [
            "4:37 handler -> a -> b -> calls Db::select",
            "7:43 handler -> Other::unique_helper -> calls Db::select"
        ]
    );
}
