//! # Service layer: business rules live in the service
//!
//! A service is where the rules of one use case are written down, once, in
//! terms of the domain. The handler translates HTTP; the repository stores
//! and finds. Neither decides.
//!
//! ## The problem
//!
//! Plans allow at most 3 active projects, and a suspended account may not
//! create any. Those checks were written in the HTTP handler, because that is
//! where the feature started. Then support added a CSV importer that calls
//! the service directly, and a customer imported 40 projects on a 3-project
//! plan from a suspended account. The rules protected one door, not the house.
//! And the handler checks the limit before the suspension, so a suspended
//! user is told to upgrade their plan.
//!
//! ## Your task
//!
//! 1. Implement the rules in `ProjectService::create_project`, in this order
//!    (the first that applies is the error returned):
//!    - the account must exist: `UnknownAccount(owner)`;
//!    - it must not be suspended: `AccountSuspended`;
//!    - it must have fewer than `MAX_ACTIVE_PROJECTS` projects that are not
//!      archived: `LimitReached { limit }`;
//!    - no project of this owner, archived or not, may have the same name,
//!      compared ignoring case and surrounding spaces: `NameTaken`.
//!      Other owners may use the name.
//!
//!    Then save the project (name trimmed, not archived, id from the store)
//!    and return it. A refused request saves nothing.
//! 2. Remove the checks from `create_project_handler`: it keeps only the
//!    translation of the service's answer to a status.
//!
//! Why this order? From the most fundamental problem to the most specific:
//! a suspended account learns nothing about its projects, and an account at
//! the limit is told so before its name is judged, since no other name would
//! get through either.
//!
//! ## When not to use it
//!
//! A service with no rules, only `self.store.save(x)`, is a pass-through
//! layer: let the handler call the repository. And a rule that must hold
//! under concurrent requests (two imports racing for the last slot) also
//! needs the database: a transaction, a lock or a constraint.

use std::collections::HashMap;

/// An account may own at most this many active (not archived) projects.
const MAX_ACTIVE_PROJECTS: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct AccountId(u64);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct ProjectId(u64);

#[derive(Debug, Clone, PartialEq, Eq)]
struct Account {
    id: AccountId,
    suspended: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Project {
    id: ProjectId,
    owner: AccountId,
    name: String,
    archived: bool,
}

/// Storage for accounts and projects. It answers questions and stores what it
/// is given; it knows no rules.
trait ProjectStore {
    fn find_account(&self, id: AccountId) -> Option<Account>;
    /// Every project of `owner`, archived ones included.
    fn projects_of(&self, owner: AccountId) -> Vec<Project>;
    fn next_project_id(&mut self) -> ProjectId;
    /// Stores `project`, replacing any stored project with the same id.
    fn save_project(&mut self, project: Project);
}

/// Why a project could not be created. When several apply, the first one in
/// this list is returned.
#[derive(Debug, PartialEq, Eq)]
enum CreateProjectError {
    UnknownAccount(AccountId),
    AccountSuspended,
    LimitReached { limit: usize },
    NameTaken,
}

// ---- The service ---------------------------------------------------------

/// The project use cases: the one place every way in goes through.
struct ProjectService<S: ProjectStore> {
    store: S,
}

impl<S: ProjectStore> ProjectService<S> {
    fn new(store: S) -> Self {
        Self { store }
    }

    /// Read access to the store, for queries and tests. Writes go through the
    /// service's methods, so no `&mut S` is handed out.
    fn store(&self) -> &S {
        &self.store
    }

    /// Creates a project named `name` for `owner`, if the rules allow it.
    fn create_project(
        &mut self,
        owner: AccountId,
        name: &str,
    ) -> Result<Project, CreateProjectError> {
        // TODO: check the four rules here, in the order given at the top of
        // the file, before anything is saved.
        let project = Project {
            id: self.store.next_project_id(),
            owner,
            name: name.to_string(),
            archived: false,
        };
        self.store.save_project(project.clone());
        Ok(project)
    }
}

// ---- Two ways in: HTTP and the bulk importer -----------------------------

#[derive(Debug, PartialEq, Eq)]
struct Response {
    status: u16,
    body: String,
}

/// `POST /accounts/{owner}/projects`. Translates HTTP to a service call and
/// the result back.
fn create_project_handler<S: ProjectStore>(
    service: &mut ProjectService<S>,
    owner: AccountId,
    name: &str,
) -> Response {
    // TODO: these rules belong in `ProjectService::create_project` (and this
    // order is wrong). Move them there; the handler keeps only the `match`.
    let active = service
        .store()
        .projects_of(owner)
        .iter()
        .filter(|project| !project.archived)
        .count();
    if active >= MAX_ACTIVE_PROJECTS {
        return Response {
            status: 422,
            body: "upgrade your plan for more projects".to_string(),
        };
    }
    match service.store().find_account(owner) {
        None => {
            return Response {
                status: 404,
                body: "no such account".to_string(),
            };
        }
        Some(account) if account.suspended => {
            return Response {
                status: 403,
                body: "account suspended".to_string(),
            };
        }
        Some(_) => {}
    }

    match service.create_project(owner, name) {
        Ok(project) => Response {
            status: 201,
            body: project.name,
        },
        Err(error) => Response {
            status: status_for(&error),
            // A stable code, never `{error:?}`: Debug output is for
            // developers, changes with any refactoring, and may hold data.
            body: error_code(&error).to_string(),
        },
    }
}

fn status_for(error: &CreateProjectError) -> u16 {
    match error {
        CreateProjectError::UnknownAccount(_) => 404,
        CreateProjectError::AccountSuspended => 403,
        CreateProjectError::LimitReached { .. } => 422,
        CreateProjectError::NameTaken => 409,
    }
}

fn error_code(error: &CreateProjectError) -> &'static str {
    match error {
        CreateProjectError::UnknownAccount(_) => "unknown_account",
        CreateProjectError::AccountSuspended => "account_suspended",
        CreateProjectError::LimitReached { .. } => "project_limit_reached",
        CreateProjectError::NameTaken => "name_taken",
    }
}

/// Creates projects from a CSV upload: one name per line. A second way in,
/// without HTTP. Do not change it: once the rules are in the service, it
/// obeys them too.
fn import_projects<S: ProjectStore>(
    service: &mut ProjectService<S>,
    owner: AccountId,
    csv: &str,
) -> Vec<Result<Project, CreateProjectError>> {
    csv.lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| service.create_project(owner, line))
        .collect()
}

// ---- Storage (do not change) ---------------------------------------------

#[derive(Default)]
struct InMemoryStore {
    accounts: HashMap<AccountId, Account>,
    projects: Vec<Project>,
    last_id: u64,
}

impl ProjectStore for InMemoryStore {
    fn find_account(&self, id: AccountId) -> Option<Account> {
        self.accounts.get(&id).cloned()
    }

    fn projects_of(&self, owner: AccountId) -> Vec<Project> {
        self.projects
            .iter()
            .filter(|project| project.owner == owner)
            .cloned()
            .collect()
    }

    fn next_project_id(&mut self) -> ProjectId {
        self.last_id += 1;
        ProjectId(self.last_id)
    }

    fn save_project(&mut self, project: Project) {
        self.projects.retain(|stored| stored.id != project.id);
        self.projects.push(project);
    }
}

fn main() {
    // This exercise is checked by its tests.
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builders for the tests' stores.
    impl InMemoryStore {
        fn with_account(mut self, id: u64, suspended: bool) -> Self {
            let id = AccountId(id);
            self.accounts.insert(id, Account { id, suspended });
            self
        }

        fn with_project(mut self, owner: u64, name: &str, archived: bool) -> Self {
            self.last_id += 1;
            self.projects.push(Project {
                id: ProjectId(self.last_id),
                owner: AccountId(owner),
                name: name.to_string(),
                archived,
            });
            self
        }
    }

    const ADA: AccountId = AccountId(1);
    const GRACE: AccountId = AccountId(2);

    fn service(store: InMemoryStore) -> ProjectService<InMemoryStore> {
        ProjectService::new(store)
    }

    fn names(service: &ProjectService<InMemoryStore>, owner: AccountId) -> Vec<String> {
        let mut names: Vec<String> = service
            .store()
            .projects_of(owner)
            .into_iter()
            .map(|project| project.name)
            .collect();
        names.sort();
        names
    }

    /// Ada owns three active projects: she is at the limit.
    fn ada_at_the_limit() -> InMemoryStore {
        InMemoryStore::default()
            .with_account(1, false)
            .with_project(1, "website", false)
            .with_project(1, "blog", false)
            .with_project(1, "shop", false)
    }

    #[test]
    fn an_active_account_below_the_limit_creates_a_project() {
        let mut service = service(InMemoryStore::default().with_account(1, false));

        let project = service.create_project(ADA, " website ").unwrap();

        assert_eq!(project.owner, ADA);
        assert_eq!(project.name, "website");
        assert!(!project.archived);
        assert_eq!(service.store().projects_of(ADA), vec![project]);
    }

    #[test]
    fn an_unknown_account_cannot_create_a_project() {
        let mut service = service(InMemoryStore::default());

        let result = service.create_project(AccountId(99), "website");

        assert_eq!(
            result,
            Err(CreateProjectError::UnknownAccount(AccountId(99)))
        );
        assert!(service.store().projects_of(AccountId(99)).is_empty());
    }

    #[test]
    fn a_suspended_account_cannot_create_a_project() {
        let mut service = service(InMemoryStore::default().with_account(1, true));

        let result = service.create_project(ADA, "website");

        assert_eq!(result, Err(CreateProjectError::AccountSuspended));
        assert!(names(&service, ADA).is_empty(), "nothing may be saved");
    }

    #[test]
    fn a_fourth_active_project_is_refused() {
        let mut service = service(ada_at_the_limit());

        let result = service.create_project(ADA, "docs");

        assert_eq!(result, Err(CreateProjectError::LimitReached { limit: 3 }));
        assert_eq!(names(&service, ADA), ["blog", "shop", "website"]);
    }

    #[test]
    fn archived_projects_do_not_count_towards_the_limit() {
        let store = InMemoryStore::default()
            .with_account(1, false)
            .with_project(1, "website", false)
            .with_project(1, "blog", false)
            .with_project(1, "old shop", true);
        let mut service = service(store);

        assert!(service.create_project(ADA, "docs").is_ok());
        assert_eq!(
            service.create_project(ADA, "api"),
            Err(CreateProjectError::LimitReached { limit: 3 }),
            "website, blog and docs are active now"
        );
    }

    #[test]
    fn names_are_unique_per_owner_ignoring_case_and_spaces() {
        let store = InMemoryStore::default()
            .with_account(1, false)
            .with_project(1, "Website", false);
        let mut service = service(store);

        assert_eq!(
            service.create_project(ADA, "website"),
            Err(CreateProjectError::NameTaken)
        );
        assert_eq!(
            service.create_project(ADA, " WEBSITE "),
            Err(CreateProjectError::NameTaken)
        );
        assert_eq!(names(&service, ADA), ["Website"]);
    }

    #[test]
    fn an_archived_project_keeps_its_name() {
        let store = InMemoryStore::default()
            .with_account(1, false)
            .with_project(1, "website", true);
        let mut service = service(store);

        assert_eq!(
            service.create_project(ADA, "website"),
            Err(CreateProjectError::NameTaken)
        );
    }

    #[test]
    fn another_owner_may_use_the_same_name() {
        let store = InMemoryStore::default()
            .with_account(1, false)
            .with_account(2, false)
            .with_project(1, "website", false);
        let mut service = service(store);

        let project = service.create_project(GRACE, "website").unwrap();

        assert_eq!(project.owner, GRACE);
    }

    #[test]
    fn suspension_wins_over_the_limit_and_the_name() {
        // Suspended, at the limit, and asking for a taken name: one answer.
        let store = ada_at_the_limit().with_account(1, true);
        let mut service = service(store);

        assert_eq!(
            service.create_project(ADA, "website"),
            Err(CreateProjectError::AccountSuspended)
        );
    }

    #[test]
    fn the_limit_wins_over_a_taken_name() {
        // No name would get through, so the limit is the useful answer.
        let mut service = service(ada_at_the_limit());

        assert_eq!(
            service.create_project(ADA, "website"),
            Err(CreateProjectError::LimitReached { limit: 3 })
        );
    }

    #[test]
    fn the_importer_obeys_the_same_rules_as_the_http_handler() {
        let store = InMemoryStore::default()
            .with_account(1, false)
            .with_project(1, "website", false);
        let mut service = service(store);

        let results = import_projects(&mut service, ADA, "blog\nWebsite\nshop\ndocs\n");

        let outcomes: Vec<Result<String, CreateProjectError>> = results
            .into_iter()
            .map(|result| result.map(|project| project.name))
            .collect();
        assert_eq!(
            outcomes,
            vec![
                Ok("blog".to_string()),
                Err(CreateProjectError::NameTaken),
                Ok("shop".to_string()),
                Err(CreateProjectError::LimitReached { limit: 3 }),
            ]
        );
        assert_eq!(names(&service, ADA), ["blog", "shop", "website"]);
    }

    #[test]
    fn the_handler_only_translates_the_service_answer() {
        let mut service = service(ada_at_the_limit().with_account(2, true));

        let full = create_project_handler(&mut service, ADA, "docs");
        let suspended = create_project_handler(&mut service, GRACE, "docs");
        let unknown = create_project_handler(&mut service, AccountId(99), "docs");

        assert_eq!(
            (full.status, full.body.as_str()),
            (422, "project_limit_reached")
        );
        assert_eq!(
            (suspended.status, suspended.body.as_str()),
            (403, "account_suspended")
        );
        assert_eq!(
            (unknown.status, unknown.body.as_str()),
            (404, "unknown_account")
        );
    }
}
