//! How long the architecture checks of one exercise take: parsing the
//! learner's file with syn and evaluating every check on it, which is what
//! each verdict pays on top of running the tests. The budget is 5 ms for all
//! checks of one exercise; this prints medians of many runs, for a synthetic
//! exercise that uses every rule kind and for every exercise of the
//! curriculum (its checks on its solution, reach and order rules included).
//!
//! Run with `cargo bench --bench checks`.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use std::path::Path;

use patterns_core::architecture::{Check, evaluate};
use patterns_core::catalog::Catalog;

const WARMUP: usize = 50;
const ITERATIONS: usize = 1_000;
/// Runs per exercise of the curriculum, which has about thirty.
const CURRICULUM_ITERATIONS: usize = 200;
/// The budget for all checks of one exercise, parse included.
const BUDGET: Duration = Duration::from_millis(5);

/// The checks of a "cached user service" exercise, as they would stand in
/// info.toml.
const INFO_TOML: &str = r#"
[[exercises]]
name = "cached_user_service"
dir = "03_caching"
hints = ["Put the cache in front of the repository, behind the same trait."]

[[exercises.checks]]
kind = "forbid_calls"
in = "create_user_handler"
calls = ["InMemoryUsers::*", "HashMap::*", "*.lock", "std::fs::*", "*.unwrap"]
message = "The handler talks to storage directly; call UserService instead."

[[exercises.checks]]
kind = "require_calls"
in = "create_user_handler"
calls = ["UserService::register"]
message = "The handler must hand the work to UserService::register."

[[exercises.checks]]
kind = "forbid_types"
in = ["UserService", "impl UserService"]
types = ["HashMap", "InMemoryUsers", "Mutex"]
message = "UserService depends on the UserRepository trait, not on a storage."

[[exercises.checks]]
kind = "require_impl"
type = "InMemoryUsers"
trait = "UserRepository"
message = "InMemoryUsers is the in-memory adapter of the UserRepository port."

[[exercises.checks]]
kind = "require_impl"
type = "CachedUsers"
trait = "UserRepository"
message = "The cache is a decorator: it implements the trait it wraps."

[[exercises.checks]]
kind = "depend_on_trait"
in = "UserService"
field = "repo"
trait = "UserRepository"
message = "Inject the repository as a generic R: UserRepository."

[[exercises.checks]]
kind = "depend_on_trait"
in = "CachedUsers"
field = "clock"
trait = "Clock"
message = "Inject the clock so tests control expiry."

[[exercises.checks]]
kind = "require_calls"
in = ["CachedUsers::save", "CachedUsers::delete"]
calls = ["*.remove", "*.invalidate"]
message = "Every write must invalidate the cached entry, or readers see stale users."

[[exercises.checks]]
kind = "forbid_calls"
in = "mod domain"
calls = ["println!", "dbg!", "*.unwrap", "*.expect", "std::time::*"]
message = "The domain is pure: no printing, no panics, no reading the clock."

[[exercises.checks]]
kind = "forbid_types"
in = "mod domain"
types = ["axum::*", "rusqlite::*", "std::sync::*"]
message = "The domain knows nothing of HTTP, SQL or threads."

[[exercises.checks]]
kind = "require_calls"
in = "impl Handler for Logging"
calls = ["Logger::log"]
message = "The logging middleware must log through the injected Logger."

[[exercises.checks]]
kind = "depend_on_trait"
in = "with_logging"
param = "logger"
trait = "Logger"
message = "Take the logger as a trait, so tests can capture lines."

[[exercises.checks]]
kind = "forbid_calls"
in = "create_user_handler"
calls = ["*.save", "*.find", "InMemoryUsers::*"]
stop_at = ["UserService::register"]
message = "The handler reaches storage only through the service."

[[exercises.checks]]
kind = "require_calls_after"
in = ["CachedUsers::save", "CachedUsers::delete"]
calls = ["CachedUsers::invalidate"]
after = ["UserRepository::save", "UserRepository::delete"]
message = "Invalidate after the write, never before."

[[exercises.checks]]
kind = "require_calls_before"
in = "impl UserRepository for CachedUsers"
calls = ["Clock::now"]
before = ["*.insert"]
message = "Stamp an entry with the injected clock before caching it."

[[exercises.checks]]
kind = "require_literal_args"
in = "impl UserService"
calls = ["*.fetch_add"]
message = "Ids step by a fixed amount."
"#;

/// A solution the checks above accept: about 230 lines, tests included.
const SOLUTION: &str = r#"
//! Cache-aside in front of a repository, behind the same trait.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub mod domain {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct UserId(pub u64);

    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct User {
        pub id: UserId,
        pub name: String,
    }

    #[derive(Debug, PartialEq, Eq)]
    pub enum DomainError {
        EmptyName,
        NameTooLong { max: usize },
    }

    pub fn validate_name(name: &str) -> Result<String, DomainError> {
        let trimmed = name.trim();
        if trimmed.is_empty() {
            return Err(DomainError::EmptyName);
        }
        if trimmed.chars().count() > 64 {
            return Err(DomainError::NameTooLong { max: 64 });
        }
        Ok(trimmed.to_string())
    }
}

use domain::{DomainError, User, UserId};

#[derive(Debug, PartialEq, Eq)]
pub enum RepoError {
    Unavailable,
}

pub trait UserRepository {
    fn find(&self, id: UserId) -> Option<User>;
    fn save(&self, user: User) -> Result<(), RepoError>;
    fn delete(&self, id: UserId) -> Result<(), RepoError>;
}

pub trait Clock: Send + Sync {
    fn now(&self) -> Duration;
}

pub trait Logger {
    fn log(&self, line: &str);
}

#[derive(Default)]
pub struct InMemoryUsers {
    users: Mutex<HashMap<UserId, User>>,
}

impl UserRepository for InMemoryUsers {
    fn find(&self, id: UserId) -> Option<User> {
        let users = self.users.lock().ok()?;
        users.get(&id).cloned()
    }

    fn save(&self, user: User) -> Result<(), RepoError> {
        let mut users = self.users.lock().map_err(|_| RepoError::Unavailable)?;
        users.insert(user.id, user);
        Ok(())
    }

    fn delete(&self, id: UserId) -> Result<(), RepoError> {
        let mut users = self.users.lock().map_err(|_| RepoError::Unavailable)?;
        users.remove(&id);
        Ok(())
    }
}

struct Entry {
    user: User,
    stored_at: Duration,
}

/// Reads go to the cache first; writes go to the inner repository and then
/// drop the cached entry, so the next read sees the new value.
pub struct CachedUsers<R> {
    inner: R,
    cache: Mutex<HashMap<UserId, Entry>>,
    clock: Arc<dyn Clock>,
    ttl: Duration,
}

impl<R: UserRepository> CachedUsers<R> {
    pub fn new(inner: R, clock: Arc<dyn Clock>, ttl: Duration) -> Self {
        Self {
            inner,
            cache: Mutex::new(HashMap::new()),
            clock,
            ttl,
        }
    }

    fn invalidate(&self, id: UserId) {
        if let Ok(mut cache) = self.cache.lock() {
            cache.remove(&id);
        }
    }
}

impl<R: UserRepository> UserRepository for CachedUsers<R> {
    fn find(&self, id: UserId) -> Option<User> {
        let now = self.clock.now();
        if let Ok(cache) = self.cache.lock() {
            if let Some(entry) = cache.get(&id) {
                if now.saturating_sub(entry.stored_at) < self.ttl {
                    return Some(entry.user.clone());
                }
            }
        }
        let user = self.inner.find(id)?;
        if let Ok(mut cache) = self.cache.lock() {
            cache.insert(id, Entry { user: user.clone(), stored_at: now });
        }
        Some(user)
    }

    fn save(&self, user: User) -> Result<(), RepoError> {
        let id = user.id;
        self.inner.save(user)?;
        self.invalidate(id);
        Ok(())
    }

    fn delete(&self, id: UserId) -> Result<(), RepoError> {
        self.inner.delete(id)?;
        self.invalidate(id);
        Ok(())
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum ServiceError {
    Invalid(DomainError),
    Storage(RepoError),
}

pub struct UserService<R> {
    repo: R,
    next_id: std::sync::atomic::AtomicU64,
}

impl<R: UserRepository> UserService<R> {
    pub fn new(repo: R) -> Self {
        Self { repo, next_id: std::sync::atomic::AtomicU64::new(1) }
    }

    pub fn register(&self, name: &str) -> Result<User, ServiceError> {
        let name = domain::validate_name(name).map_err(ServiceError::Invalid)?;
        let id = UserId(self.next_id.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
        let user = User { id, name };
        self.repo.save(user.clone()).map_err(ServiceError::Storage)?;
        Ok(user)
    }

    pub fn rename(&self, id: UserId, name: &str) -> Result<Option<User>, ServiceError> {
        let name = domain::validate_name(name).map_err(ServiceError::Invalid)?;
        let Some(mut user) = self.repo.find(id) else {
            return Ok(None);
        };
        user.name = name;
        self.repo.save(user.clone()).map_err(ServiceError::Storage)?;
        Ok(Some(user))
    }
}

pub struct Request {
    pub path: String,
    pub body: String,
}

#[derive(Debug, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub body: String,
}

pub fn create_user_handler<R: UserRepository>(service: &UserService<R>, request: &Request) -> Response {
    match service.register(&request.body) {
        Ok(user) => Response { status: 201, body: format!("{{\"id\":{}}}", user.id.0) },
        Err(ServiceError::Invalid(error)) => Response { status: 422, body: format!("{error:?}") },
        Err(ServiceError::Storage(_)) => Response { status: 503, body: String::new() },
    }
}

pub trait Handler {
    fn handle(&self, request: &Request) -> Response;
}

pub struct Logging<H, L> {
    inner: H,
    logger: L,
}

pub fn with_logging<H: Handler, L: Logger>(inner: H, logger: L) -> Logging<H, L> {
    Logging { inner, logger }
}

impl<H: Handler, L: Logger> Handler for Logging<H, L> {
    fn handle(&self, request: &Request) -> Response {
        let response = self.inner.handle(request);
        self.logger.log(&format!("{} -> {}", request.path, response.status));
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};

    struct FakeClock(AtomicU64);

    impl Clock for FakeClock {
        fn now(&self) -> Duration {
            Duration::from_secs(self.0.load(Ordering::SeqCst))
        }
    }

    #[test]
    fn a_write_invalidates_the_cached_user() {
        let clock = Arc::new(FakeClock(AtomicU64::new(0)));
        let repo = CachedUsers::new(InMemoryUsers::default(), clock, Duration::from_secs(60));
        let service = UserService::new(repo);
        let user = service.register("Ada").unwrap();
        assert_eq!(service.repo.find(user.id).unwrap().name, "Ada");
        service.rename(user.id, "Grace").unwrap();
        assert_eq!(service.repo.find(user.id).unwrap().name, "Grace");
    }

    #[test]
    fn the_handler_rejects_an_empty_name() {
        let service = UserService::new(InMemoryUsers::default());
        let request = Request { path: "/users".to_string(), body: "  ".to_string() };
        assert_eq!(create_user_handler(&service, &request).status, 422);
    }
}
"#;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(problem) => {
            eprintln!("bench checks: {problem}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let info: toml::Table = toml::from_str(INFO_TOML).map_err(|e| e.to_string())?;
    let tables = info
        .get("exercises")
        .and_then(|v| v.as_array())
        .and_then(|exercises| exercises.first())
        .and_then(|exercise| exercise.get("checks"))
        .and_then(|checks| checks.as_array())
        .ok_or("INFO_TOML has no [[exercises.checks]]")?;
    let mut checks = Vec::new();
    for table in tables {
        let table = table.as_table().ok_or("a check is not a table")?;
        checks.push(Check::from_table(table).map_err(|errors| errors.join("; "))?);
    }

    // The figures only mean something if the checks do their work on this
    // file: every target must exist and every check must pass.
    let file = syn::parse_file(SOLUTION).map_err(|e| e.to_string())?;
    for check in &checks {
        let missing = check.missing_targets(&file);
        if !missing.is_empty() {
            return Err(format!("{}: solution lacks {missing:?}", check.summary()));
        }
    }
    for outcome in evaluate(&checks, &file) {
        if !outcome.passed() {
            return Err(format!(
                "{} failed: {:?}",
                outcome.summary, outcome.violations
            ));
        }
    }
    drop(file);

    let lines = SOLUTION.lines().count();
    println!(
        "architecture checks: {} checks on a {lines}-line exercise, {ITERATIONS} iterations",
        checks.len()
    );

    let parse_and_evaluate = measure(Spans::Clear, || {
        let file = syn::parse_file(SOLUTION).map_err(|e| e.to_string())?;
        Ok(evaluate(&checks, &file).len())
    })?;
    report("parse + evaluate", &parse_and_evaluate);

    let file = syn::parse_file(SOLUTION).map_err(|e| e.to_string())?;
    let evaluate_only = measure(Spans::Keep, || Ok(evaluate(&checks, &file).len()))?;
    report("evaluate only", &evaluate_only);
    drop(file);

    let validate = measure(Spans::Keep, || {
        let mut valid = 0;
        for table in tables.iter().filter_map(|t| t.as_table()) {
            valid += usize::from(Check::from_table(table).is_ok());
        }
        Ok(valid)
    })?;
    report("validate checks (load time)", &validate);
    curriculum()
}

/// Every exercise of the curriculum with checks: its checks on its solution.
fn curriculum() -> Result<(), String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let info = std::fs::read_to_string(root.join("info.toml")).map_err(|e| e.to_string())?;
    let catalog = Catalog::from_toml(&info, None).map_err(|e| e.to_string())?;
    println!(
        "the curriculum's checks on its solutions, medians of {CURRICULUM_ITERATIONS} iterations each:"
    );
    let mut worst: Option<(String, Duration)> = None;
    // `cargo bench --bench checks -- NAME..` measures only those exercises.
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let wanted = |name: &str| only.is_empty() || only.iter().any(|o| o == name);
    for exercise in catalog
        .exercises
        .iter()
        .filter(|e| !e.checks.is_empty() && wanted(&e.name))
    {
        let path = root.join(exercise.solution_path());
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let timings = measure_n(CURRICULUM_ITERATIONS, Spans::Clear, || {
            let file = syn::parse_file(&text).map_err(|e| e.to_string())?;
            let outcomes = evaluate(&exercise.checks, &file);
            Ok(outcomes.iter().filter(|o| o.passed()).count())
        })?;
        let file = syn::parse_file(&text).map_err(|e| e.to_string())?;
        let evaluating = measure_n(CURRICULUM_ITERATIONS, Spans::Keep, || {
            Ok(evaluate(&exercise.checks, &file).len())
        })?;
        drop(file);
        let median =
            |sorted: &[Duration]| sorted.get(sorted.len() / 2).copied().unwrap_or_default();
        let total = median(&timings);
        println!(
            "  {:<48} parse + evaluate {:>9.3?}   evaluate {:>9.3?}",
            format!(
                "{} ({} checks, {} lines)",
                exercise.name,
                exercise.checks.len(),
                text.lines().count()
            ),
            total,
            median(&evaluating)
        );
        if worst.as_ref().is_none_or(|(_, w)| total > *w) {
            worst = Some((exercise.name.clone(), total));
        }
    }
    if let Some((name, median)) = worst {
        let verdict = if median < BUDGET { "within" } else { "OVER" };
        println!(
            "  slowest: {name}, median {median:.3?} for parse + evaluate, {verdict} the {BUDGET:?} budget"
        );
        if median >= BUDGET {
            return Err(format!(
                "{name} takes {median:?}, over the {BUDGET:?} budget"
            ));
        }
    }
    Ok(())
}

/// Whether `measure` may clear proc-macro2's span map between runs.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Spans {
    /// Each run parses and drops its own file.
    Clear,
    /// A parsed file outlives the runs; its spans must stay valid.
    Keep,
}

/// Runs `work` WARMUP + ITERATIONS times and returns the sorted timings of
/// the measured runs.
fn measure(
    spans: Spans,
    work: impl FnMut() -> Result<usize, String>,
) -> Result<Vec<Duration>, String> {
    measure_n(ITERATIONS, spans, work)
}

/// Runs `work` WARMUP + `iterations` times and returns the sorted timings of
/// the measured runs.
fn measure_n(
    iterations: usize,
    spans: Spans,
    mut work: impl FnMut() -> Result<usize, String>,
) -> Result<Vec<Duration>, String> {
    let mut timings = Vec::with_capacity(iterations);
    for i in 0..WARMUP + iterations {
        let start = Instant::now();
        let produced = work()?;
        let elapsed = start.elapsed();
        std::hint::black_box(produced);
        if i >= WARMUP {
            timings.push(elapsed);
        }
        // Every parse registers its source text with proc-macro2's span map
        // for the lifetime of the thread; when nothing parsed is alive,
        // clear it to keep each iteration alike.
        if spans == Spans::Clear {
            proc_macro2::extra::invalidate_current_thread_spans();
        }
    }
    timings.sort_unstable();
    Ok(timings)
}

fn report(what: &str, sorted: &[Duration]) {
    let at = |q: f64| {
        let i = ((sorted.len() as f64 - 1.0) * q).round() as usize;
        sorted.get(i).copied().unwrap_or_default()
    };
    println!(
        "  {what:<48} median {:>9.3?}   p90 {:>9.3?}   min {:>9.3?}",
        at(0.5),
        at(0.9),
        at(0.0)
    );
}
