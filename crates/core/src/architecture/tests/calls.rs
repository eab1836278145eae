//! `forbid_calls` and `require_calls`: what counts as a call, and where.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;

// ---------------------------------------------------------------- forbid_calls

pub(super) const HANDLER_FORBIDS_STORAGE: &str = r#"
kind = "forbid_calls"
in = "create_user_handler"
calls = ["Connection::execute", "*.query", "std::fs::*"]
stop_at = "UserService::create_user"
message = "The handler talks to storage directly; call the service instead."
"#;

#[test]
fn forbid_calls_passes_when_the_handler_goes_through_the_service() {
    let source = r#"
use rusqlite::Connection;

pub struct UserService { db: Connection }

impl UserService {
    pub fn create_user(&self, name: &str) -> u64 {
        self.db.execute("INSERT INTO users (name) VALUES (?1)", [name]);
        1
    }
}

pub fn create_user_handler(service: &UserService, name: &str) -> u64 {
    service.create_user(name)
}
"#;
    let result = outcome(HANDLER_FORBIDS_STORAGE, source);
    assert!(result.passed(), "{:?}", result.violations);
    assert_eq!(
        result.summary,
        "create_user_handler must not call Connection::execute, *.query, std::fs::*"
    );
    assert_eq!(
        result.message,
        "The handler talks to storage directly; call the service instead."
    );
}

#[test]
fn forbid_calls_reports_each_call_with_its_position() {
    let source = r#"
use rusqlite::Connection;

pub fn create_user_handler(conn: &Connection, name: &str) -> usize {
    let rows = conn.query("SELECT 1");
    conn.execute("INSERT INTO users (name) VALUES (?1)", [name]);
    std::fs::write("audit.log", name);
    rows
}
"#;
    assert_eq!(
        run(HANDLER_FORBIDS_STORAGE, source),
        [
            "5:21 calls .query(..)",
            "6:10 calls rusqlite::Connection::execute",
            "7:5 calls std::fs::write",
        ]
    );
}

#[test]
fn forbid_calls_sees_method_calls_on_fields_of_self() {
    let rule = r#"
kind = "forbid_calls"
in = "impl UserService"
calls = ["HashMap::insert"]
message = "Store users through the repository."
"#;
    let source = r#"
use std::collections::HashMap;
use std::sync::Mutex;

struct UserService { users: Mutex<HashMap<u64, String>>, names: Vec<String> }

impl UserService {
    fn add(&self, id: u64, name: String) {
        self.names.insert(0, name.clone());
        self.users.lock().unwrap().insert(id, name);
    }
}
"#;
    assert_eq!(
        run(rule, source),
        ["10:36 calls std::collections::HashMap::insert"]
    );
}

#[test]
fn forbid_calls_tells_a_known_receiver_from_an_unknown_one() {
    let rule = r#"
kind = "forbid_calls"
in = "handler"
calls = ["Connection::execute"]
message = "m"
"#;
    let source = r#"
struct Service;
impl Service { fn execute(&self) {} }

fn handler(service: Service, pool: Pool) {
    service.execute();
    let conn = pool.get();
    conn.execute();
}
"#;
    assert_eq!(
        run(rule, source),
        ["8:10 calls .execute(..) (receiver type unknown, matched by method name)"]
    );
}

#[test]
fn forbid_calls_follows_use_aliases() {
    let rule = r#"
kind = "forbid_calls"
in = "handler"
calls = ["rusqlite::Connection::open", "std::fs::*"]
message = "m"
"#;
    let source = r#"
use rusqlite::Connection as Db;
use std::fs;
use std::{io::{self, Write}, path::{Path as P}};

fn handler() {
    let db = Db::open("users.db");
    fs::write("a", "b");
    let _ = P::new("x");
    let _ = io::stdout();
}
"#;
    assert_eq!(
        run(rule, source),
        [
            "7:14 calls Db::open (rusqlite::Connection::open)",
            "8:5 calls fs::write (std::fs::write)",
        ]
    );
}

#[test]
fn forbid_calls_follows_grouped_renames() {
    let rule = r#"
kind = "forbid_calls"
in = "handler"
calls = ["Connection::open"]
message = "m"
"#;
    let source = r#"
use rusqlite::{Connection as Db, params};

fn handler() {
    let conn = Db::open("users.db").unwrap();
    conn.execute("DELETE FROM users", params![]);
}
"#;
    assert_eq!(
        run(rule, source),
        ["5:16 calls Db::open (rusqlite::Connection::open)"]
    );
}

#[test]
fn forbid_calls_types_a_local_from_its_constructor() {
    let rule = r#"
kind = "forbid_calls"
in = "handler"
calls = ["Connection::execute"]
message = "m"
"#;
    let source = r#"
use rusqlite::Connection as Db;

fn handler() -> Result<(), Error> {
    let conn = Db::open("users.db")?;
    conn.execute("DELETE FROM users", []);
    Ok(())
}
"#;
    assert_eq!(
        run(rule, source),
        ["6:10 calls rusqlite::Connection::execute"]
    );
}

#[test]
fn forbid_calls_looks_inside_closures_and_async_blocks() {
    let rule = r#"
kind = "forbid_calls"
in = "handler"
calls = ["*.query", "Connection::open"]
message = "m"
"#;
    let source = r#"
fn handler(ids: Vec<u64>, db: Db) {
    let rows: Vec<_> = ids.iter().map(|id| db.query(id)).collect();
    let task = async move {
        let conn = Connection::open("x").await;
    };
    let opener = Connection::open;
}
"#;
    assert_eq!(
        run(rule, source),
        [
            "3:47 calls .query(..)",
            "5:20 calls Connection::open",
            "7:18 refers to Connection::open",
        ]
    );
}

#[test]
fn forbid_calls_looks_inside_macro_arguments() {
    let rule = r#"
kind = "forbid_calls"
in = "handler"
calls = ["*.query", "*.unwrap"]
message = "m"
"#;
    let source = r#"
fn handler(repo: Repo) {
    println!("{}", repo.query(1));
    assert!(repo.query(2).is_empty());
    let all = vec![repo.query(3), repo.query(4)];
    let n = vec![repo.query(5); 2];
    let s = format!("{:?}", all.first().unwrap());
    let j = json!({ "user": repo.query(6) });
}
"#;
    assert_eq!(
        run(rule, source),
        [
            "3:25 calls .query(..)",
            "4:18 calls .query(..)",
            "5:25 calls .query(..)",
            "5:40 calls .query(..)",
            "6:23 calls .query(..)",
            "7:41 calls .unwrap(..)",
            "8:34 calls .query(..)",
        ]
    );
}

#[test]
fn forbid_calls_matches_macros_through_aliases() {
    let rule = r#"
kind = "forbid_calls"
in = "handler"
calls = ["tracing::info!"]
message = "m"
"#;
    let source = "use tracing::info;\nfn handler() { info!(\"x\"); tracing::info!(\"y\"); }\n";
    assert_eq!(
        run(rule, source),
        [
            "2:16 uses info! (tracing::info!)",
            "2:28 uses tracing::info!"
        ]
    );
}

#[test]
fn forbid_calls_matches_macros() {
    let rule = r#"
kind = "forbid_calls"
in = "mod domain"
calls = ["println!", "dbg!"]
message = "The domain does not print; return a value and let the caller log it."
"#;
    let source = r#"
mod domain {
    pub fn total(prices: &[u64]) -> u64 {
        let sum = prices.iter().sum();
        println!("total {sum}");
        sum
    }
}

fn main() {
    println!("{}", domain::total(&[1, 2]));
}
"#;
    let result = outcome(rule, source);
    assert_eq!(result.summary, "mod domain must not call println!, dbg!");
    assert_eq!(run(rule, source), ["5:9 uses println!"]);
}

#[test]
fn forbid_calls_on_type_method_scope_includes_trait_impls() {
    let rule = r#"
kind = "forbid_calls"
in = ["InMemoryUsers::save", "UserService::register"]
calls = ["*.unwrap"]
message = "m"
"#;
    let source = r#"
struct InMemoryUsers;
struct UserService;

impl UserRepository for InMemoryUsers {
    fn save(&self, user: User) {
        self.inner.lock().unwrap();
    }
    fn find(&self) {
        self.inner.lock().unwrap();
    }
}

impl UserService {
    fn register(&self) {
        let user = parse().unwrap();
    }
    fn other(&self) {
        parse().unwrap();
    }
}
"#;
    assert_eq!(
        run(rule, source),
        ["7:27 calls .unwrap(..)", "16:28 calls .unwrap(..)"]
    );
}

#[test]
fn forbid_calls_on_impl_scope_covers_every_method_and_only_that_type() {
    let rule = r#"
kind = "forbid_calls"
in = "impl UserService"
calls = ["*.unwrap"]
message = "m"
"#;
    let source = r#"
struct UserService;
struct Other;

impl UserService {
    fn a(&self) { x().unwrap(); }
}
impl Display for UserService {
    fn fmt(&self) { y().unwrap(); }
}
impl Other {
    fn b(&self) { z().unwrap(); }
}
"#;
    assert_eq!(
        run(rule, source),
        ["6:23 calls .unwrap(..)", "9:25 calls .unwrap(..)"]
    );
}

#[test]
fn forbid_calls_on_the_whole_file_skips_tests() {
    let rule = r#"
kind = "forbid_calls"
in = "*"
calls = ["*.unwrap"]
message = "m"
"#;
    let source = r#"
fn a() { x().unwrap(); }

#[cfg(test)]
mod tests {
    #[test]
    fn t() { super::a(); y().unwrap(); }
}
"#;
    let result = outcome(rule, source);
    assert_eq!(result.summary, "the file must not call *.unwrap");
    assert_eq!(run(rule, source), ["2:14 calls .unwrap(..)"]);
}

#[test]
fn cfg_test_code_outside_the_tests_module_is_code() {
    // It is compiled into the test binary, the one the verdict runs.
    let rule = r#"
kind = "forbid_calls"
in = "*"
calls = ["*.unwrap"]
message = "m"
"#;
    let source = r#"
struct S;
#[cfg(test)]
fn helper() { x().unwrap(); }
#[cfg(test)]
impl S { fn b(&self) { y().unwrap(); } }
#[cfg(test)]
mod more { fn c() { w().unwrap(); } }
#[cfg(test)]
mod tests {
    fn t() { z().unwrap(); }
}
"#;
    assert_eq!(
        run(rule, source),
        [
            "4:19 calls .unwrap(..)",
            "6:28 calls .unwrap(..)",
            "8:25 calls .unwrap(..)"
        ]
    );
}

#[test]
fn forbid_calls_uses_self_and_expands_it() {
    let rule = r#"
kind = "forbid_calls"
in = "UserService::new"
calls = ["UserService::connect"]
message = "m"
"#;
    let source = r#"
struct UserService;
impl UserService {
    fn new() -> Self { Self::connect() }
    fn connect() -> Self { UserService }
}
"#;
    assert_eq!(
        run(rule, source),
        ["4:24 calls Self::connect (UserService::connect)"]
    );
}

#[test]
fn a_missing_target_is_a_violation_with_a_suggestion() {
    let source = "pub fn create_user(name: &str) {}\n";
    assert_eq!(
        run(HANDLER_FORBIDS_STORAGE, source),
        ["1:1 fn create_user_handler not found; did you mean create_user?"]
    );
    let rule = r#"
kind = "forbid_calls"
in = "UserService::create"
calls = ["*.unwrap"]
message = "m"
"#;
    assert_eq!(
        run(
            rule,
            "struct UserService;\nimpl UserService { fn creat(&self) {} }\n"
        ),
        ["1:1 UserService::create not found; did you mean UserService::creat?"]
    );
}

#[test]
fn a_bare_name_never_names_a_method() {
    let rule = r#"
kind = "forbid_calls"
in = "register"
calls = ["*.unwrap"]
message = "m"
"#;
    let source = "struct S;\nimpl S { fn register(&self) { x().unwrap(); } }\n";
    assert_eq!(
        run(rule, source),
        ["1:1 fn register not found; did you mean S::register?"]
    );
}

// --------------------------------------------------------------- require_calls

pub(super) const HANDLER_USES_SERVICE: &str = r#"
kind = "require_calls"
in = "create_user_handler"
calls = ["UserService::create_user"]
message = "The handler must hand the work to UserService."
"#;

#[test]
fn require_calls_passes_through_a_field_a_param_or_a_generic() {
    let through_param = r#"
struct UserService;
impl UserService { fn create_user(&self) {} }
fn create_user_handler(service: &UserService) { service.create_user(); }
"#;
    assert_eq!(
        run(HANDLER_USES_SERVICE, through_param),
        Vec::<String>::new()
    );

    let through_state = r#"
struct UserService;
impl UserService { fn create_user(&self) {} }
struct AppState { users: Arc<UserService> }
async fn create_user_handler(State(state): State<AppState>) {
    tokio::spawn(async move { state.users.create_user() });
}
"#;
    assert_eq!(
        run(HANDLER_USES_SERVICE, through_state),
        Vec::<String>::new()
    );
}

#[test]
fn require_calls_fails_at_the_function_name() {
    let source = r#"
struct UserService;
impl UserService { fn create_user(&self) {} }
struct Other;
impl Other { fn create_user(&self) {} }

fn create_user_handler(db: &Other) {
    db.create_user();
}
"#;
    let result = outcome(HANDLER_USES_SERVICE, source);
    assert_eq!(
        result.summary,
        "create_user_handler must call UserService::create_user"
    );
    assert_eq!(
        run(HANDLER_USES_SERVICE, source),
        ["7:4 create_user_handler does not call UserService::create_user"]
    );
}

#[test]
fn require_calls_accepts_any_of_several_and_lists_them_when_none() {
    let rule = r#"
kind = "require_calls"
in = "get_user"
calls = ["Cache::get", "*.get_cached"]
message = "Read through the cache first."
"#;
    let source = "fn get_user(repo: &Repo) { repo.find(1); }\n";
    assert_eq!(
        run(rule, source),
        ["1:4 get_user calls none of Cache::get, *.get_cached"]
    );
    assert_eq!(
        outcome(rule, source).summary,
        "get_user must call one of Cache::get, *.get_cached"
    );
    let ok = "fn get_user(cache: &dyn Cache) { cache.get(1); }\n";
    assert_eq!(run(rule, ok), Vec::<String>::new());
}

#[test]
fn require_calls_resolves_calls_through_generic_and_dyn_receivers_by_trait() {
    let rule = r#"
kind = "require_calls"
in = "UserService::rename"
calls = ["UserRepository::save"]
message = "m"
"#;
    let generic = r#"
struct UserService<R> { repo: R }
impl<R: UserRepository> UserService<R> {
    fn rename(&mut self) { self.repo.save(); }
}
"#;
    assert_eq!(run(rule, generic), Vec::<String>::new());
    let boxed = r#"
struct UserService { repo: Box<dyn UserRepository + Send> }
impl UserService {
    fn rename(&mut self) { self.repo.save(); }
}
"#;
    assert_eq!(run(rule, boxed), Vec::<String>::new());
    let concrete = r#"
struct UserService { repo: InMemoryUsers }
impl UserService {
    fn rename(&mut self) { self.repo.save(); }
}
"#;
    assert_eq!(
        run(rule, concrete),
        ["4:8 UserService::rename does not call UserRepository::save"]
    );
}

#[test]
fn require_calls_sees_invalidation_in_a_cache_write_path() {
    let rule = r#"
kind = "require_calls"
in = ["CachedUsers::save", "CachedUsers::delete"]
calls = ["*.invalidate", "*.remove"]
message = "Every write must invalidate the cached entry."
"#;
    let source = r#"
struct CachedUsers<R> { inner: R, cache: Mutex<HashMap<u64, User>> }
impl<R: UserRepository> UserRepository for CachedUsers<R> {
    fn find(&self, id: u64) -> Option<User> { self.inner.find(id) }
    fn save(&self, user: User) {
        self.cache.lock().unwrap().remove(&user.id);
        self.inner.save(user)
    }
    fn delete(&self, id: u64) {
        self.inner.delete(id)
    }
}
"#;
    assert_eq!(
        run(rule, source),
        ["9:8 CachedUsers::delete calls none of *.invalidate, *.remove"]
    );
}
