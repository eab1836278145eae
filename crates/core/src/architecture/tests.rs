//! Each rule kind on a passing and a failing snippet, the name-resolution
//! edge cases the rules depend on, and the exact text of validation errors.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::{Check, CheckOutcome, Violation, evaluate};

fn table(text: &str) -> toml::Table {
    toml::from_str(text).expect("test table is valid TOML")
}

fn check(text: &str) -> Check {
    match Check::from_table(&table(text)) {
        Ok(check) => check,
        Err(errors) => panic!("check should be valid: {errors:?}"),
    }
}

fn errors(text: &str) -> Vec<String> {
    match Check::from_table(&table(text)) {
        Ok(check) => panic!("check should be rejected: {check:?}"),
        Err(errors) => errors,
    }
}

fn outcome(rule: &str, source: &str) -> CheckOutcome {
    let file = syn::parse_file(source).expect("test source parses");
    let mut outcomes = evaluate(&[check(rule)], &file);
    assert_eq!(outcomes.len(), 1);
    outcomes.remove(0)
}

/// `line:column detail` of every violation.
fn run(rule: &str, source: &str) -> Vec<String> {
    outcome(rule, source)
        .violations
        .iter()
        .map(
            |Violation {
                 line,
                 column,
                 detail,
             }| format!("{line}:{column} {detail}"),
        )
        .collect()
}

fn missing(rule: &str, source: &str) -> Vec<String> {
    let file = syn::parse_file(source).expect("test source parses");
    check(rule).missing_targets(&file)
}

// ---------------------------------------------------------------- forbid_calls

const HANDLER_FORBIDS_STORAGE: &str = r#"
kind = "forbid_calls"
in = "create_user_handler"
calls = ["Connection::execute", "*.query", "std::fs::*"]
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

const HANDLER_USES_SERVICE: &str = r#"
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

// ---------------------------------------------------------------- require_impl

const REPOSITORY_IMPL: &str = r#"
kind = "require_impl"
type = "InMemoryUsers"
trait = "UserRepository"
message = "InMemoryUsers is the in-memory adapter of the UserRepository port."
"#;

#[test]
fn require_impl_passes_with_the_impl() {
    let source = r#"
pub trait UserRepository { fn save(&self); }
pub struct InMemoryUsers;
impl UserRepository for InMemoryUsers { fn save(&self) {} }
"#;
    let result = outcome(REPOSITORY_IMPL, source);
    assert!(result.passed());
    assert_eq!(
        result.summary,
        "InMemoryUsers must implement UserRepository"
    );
}

#[test]
fn require_impl_fails_at_the_type_and_ignores_test_impls() {
    let source = r#"
pub trait UserRepository { fn save(&self); }
pub struct InMemoryUsers;
impl InMemoryUsers { fn save(&self) {} }

#[cfg(test)]
mod tests {
    impl super::UserRepository for super::InMemoryUsers { fn save(&self) {} }
}
"#;
    assert_eq!(
        run(REPOSITORY_IMPL, source),
        ["3:12 no impl UserRepository for InMemoryUsers"]
    );
    assert_eq!(
        run(REPOSITORY_IMPL, "struct InMemoryUser;\n"),
        ["1:1 InMemoryUsers not found; did you mean InMemoryUser?"]
    );
}

#[test]
fn require_impl_accepts_qualified_and_aliased_traits() {
    let source = r#"
mod ports { pub trait UserRepository {} }
use ports::UserRepository as Repo;
struct InMemoryUsers;
impl Repo for InMemoryUsers {}
"#;
    assert_eq!(run(REPOSITORY_IMPL, source), Vec::<String>::new());
    let generic = r#"
struct InMemoryUsers<S>(S);
impl<S: Store> crate::ports::UserRepository for InMemoryUsers<S> {}
"#;
    assert_eq!(run(REPOSITORY_IMPL, generic), Vec::<String>::new());
}

// ------------------------------------------------------------- depend_on_trait

const SERVICE_DEPENDS_ON_PORT: &str = r#"
kind = "depend_on_trait"
in = "UserService"
field = "repo"
trait = "UserRepository"
message = "Inject the repository: hold a generic R: UserRepository or a dyn UserRepository."
"#;

#[test]
fn depend_on_trait_accepts_every_abstract_form() {
    for source in [
        "struct UserService<R: UserRepository> { repo: R }",
        "struct UserService<R> where R: UserRepository { repo: R }",
        "struct UserService<R> { repo: R }\nimpl<T: UserRepository + Send> UserService<T> {}",
        "struct UserService { repo: Box<dyn UserRepository> }",
        "struct UserService { repo: Arc<dyn UserRepository + Send + Sync> }",
        "struct UserService<'a> { repo: &'a dyn UserRepository }",
        "struct UserService { repo: Arc<Mutex<dyn UserRepository>> }",
        "type SharedRepo = Arc<dyn UserRepository>;\nstruct UserService { repo: SharedRepo }",
    ] {
        assert_eq!(
            run(SERVICE_DEPENDS_ON_PORT, source),
            Vec::<String>::new(),
            "{source}"
        );
    }
}

#[test]
fn depend_on_trait_rejects_concrete_and_unbounded_dependencies() {
    assert_eq!(
        run(
            SERVICE_DEPENDS_ON_PORT,
            "struct UserService {\n    repo: Arc<Mutex<InMemoryUsers>>,\n}"
        ),
        ["2:11 field repo has concrete type Arc<Mutex<InMemoryUsers>>"]
    );
    assert_eq!(
        run(SERVICE_DEPENDS_ON_PORT, "struct UserService<R> { repo: R }"),
        ["1:31 field repo is generic R without a trait bound"]
    );
    assert_eq!(
        run(
            SERVICE_DEPENDS_ON_PORT,
            "struct UserService<R: Clone> { repo: Box<R> }"
        ),
        ["1:38 field repo is bound by Clone, not UserRepository"]
    );
    assert_eq!(
        run(SERVICE_DEPENDS_ON_PORT, "struct UserService { store: Db }"),
        ["1:8 UserService has no field repo"]
    );
    assert_eq!(
        run(SERVICE_DEPENDS_ON_PORT, "fn UserService() {}"),
        ["1:1 struct UserService not found"]
    );
    assert_eq!(
        outcome(
            SERVICE_DEPENDS_ON_PORT,
            "struct UserService<R: UserRepository> { repo: R }"
        )
        .summary,
        "UserService field repo must be a generic or dyn UserRepository, not a concrete type"
    );
}

#[test]
fn depend_on_trait_checks_fn_params_with_impl_and_method_generics() {
    let rule = r#"
kind = "depend_on_trait"
in = "UserService::new"
param = "clock"
message = "Inject the clock."
"#;
    let ok = r#"
struct UserService<C> { clock: C }
impl<C: Clock> UserService<C> {
    fn new(clock: C) -> Self { Self { clock } }
}
"#;
    assert_eq!(run(rule, ok), Vec::<String>::new());
    assert_eq!(
        run(
            rule,
            "struct UserService;\nimpl UserService { fn new(clock: impl Clock) {} }"
        ),
        Vec::<String>::new()
    );
    assert_eq!(
        run(
            rule,
            "struct UserService;\nimpl UserService {\n    fn new(clock: SystemClock) {}\n}"
        ),
        ["3:19 param clock has concrete type SystemClock"]
    );
    assert_eq!(
        run(
            rule,
            "struct UserService;\nimpl UserService { fn new<C: Clone>(clock: C) {} }"
        ),
        ["2:44 param clock is bound only by Clone; bound it by the trait it depends on"]
    );
    assert_eq!(
        run(
            rule,
            "struct UserService;\nimpl UserService { fn new(now: u64) {} }"
        ),
        ["2:23 UserService::new has no param clock"]
    );
}

#[test]
fn depend_on_trait_reads_free_fn_params_and_extractors() {
    let rule = r#"
kind = "depend_on_trait"
in = "create_user_handler"
param = "service"
trait = "UserApi"
message = "m"
"#;
    assert_eq!(
        run(
            rule,
            "async fn create_user_handler(State(service): State<Arc<dyn UserApi>>) {}"
        ),
        ["1:46 param service has concrete type State<Arc<dyn UserApi>>"]
    );
    assert_eq!(
        run(rule, "fn create_user_handler<S: UserApi>(service: &S) {}"),
        Vec::<String>::new()
    );
    assert_eq!(
        run(rule, "fn create_user_handler(service: &dyn Other) {}"),
        ["1:33 param service is bound by Other, not UserApi"]
    );
}

// ------------------------------------------------------------ missing_targets

#[test]
fn missing_targets_lists_what_the_solution_lacks() {
    let source = r#"
struct UserService { repo: Box<dyn UserRepository> }
impl UserService { fn create(&self) {} }
fn handler() {}
"#;
    let rule = r#"
kind = "forbid_calls"
in = ["handler", "UserService::create", "UserService::delete", "impl UserService", "impl Display for UserService", "mod domain", "*"]
calls = ["*.unwrap"]
message = "m"
"#;
    assert_eq!(
        missing(rule, source),
        [
            "UserService::delete",
            "impl Display for UserService",
            "mod domain"
        ]
    );
    assert_eq!(missing(REPOSITORY_IMPL, source), ["InMemoryUsers"]);
    assert_eq!(
        missing(SERVICE_DEPENDS_ON_PORT, source),
        Vec::<String>::new()
    );
    let other_field = SERVICE_DEPENDS_ON_PORT.replace("\"repo\"", "\"store\"");
    assert_eq!(
        missing(&other_field, source),
        ["field store of UserService"]
    );
}

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
            "unknown check kind \"lint\"; use one of forbid_calls, require_calls, forbid_types, require_impl, depend_on_trait"
        ]
    );
    assert_eq!(
        errors("in = \"f\"\ncalls = [\"x\"]\nmessage = \"m\""),
        [
            "check is missing field \"kind\"; add kind = \"forbid_calls\" (one of forbid_calls, require_calls, forbid_types, require_impl, depend_on_trait)"
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
        ["unknown field \"severity\" in check; kind \"forbid_calls\" takes in, calls, message"]
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
fn macros_by_example_are_not_expanded() {
    let rule = r#"
kind = "forbid_calls"
in = "*"
calls = ["Connection::open"]
message = "m"
"#;
    // A documented limit: the body of a `macro_rules!` is not Rust code until
    // it is expanded, so the call inside is invisible, while the arguments
    // of the invocation are still seen.
    let source = r#"
macro_rules! connect {
    ($path:expr) => { Connection::open($path) };
}
fn handler() {
    let a = connect!("users.db");
    let b = connect!(Connection::open("other.db"));
}
"#;
    assert_eq!(run(rule, source), ["7:22 calls Connection::open"]);
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
