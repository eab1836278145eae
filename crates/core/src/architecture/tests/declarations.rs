//! `require_impl`, `depend_on_trait`, and the items a rule names (`missing_targets`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;

// ---------------------------------------------------------------- require_impl

pub(super) const REPOSITORY_IMPL: &str = r#"
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

pub(super) const SERVICE_DEPENDS_ON_PORT: &str = r#"
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
