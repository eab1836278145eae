//! # Layering: handler, service, repository
//!
//! Each layer has one job. The **handler** turns HTTP into a call and the
//! result back into HTTP. The **service** holds the business rules. The
//! **repository** is the only code that talks to storage.
//!
//! ## The problem
//!
//! `create_project_handler` does everything at once: it parses the JSON body,
//! reads the team's projects from the database, applies the plan's rules (at
//! most three projects per team, no two with the same name) and inserts the
//! row. It works. But the rules can only be tested by building HTTP requests
//! against a database. When the CLI importer needs the same rules, someone
//! copies them, and the copies drift apart. Renaming a column means editing a
//! handler.
//!
//! ## Your task
//!
//! This is a refactoring: the handler's tests pass now and must still pass
//! when you are done. The tests of the new parts fail until you write them.
//!
//! 1. Implement `ProjectRepository` for `DatabaseProjects`: turn rows into
//!    `Project`s and back. This is the only code that may touch `Database`.
//! 2. Move the rules into `ProjectService::create_project`. It works through
//!    the `ProjectRepository` trait, so the tests can give it a fake store.
//! 3. Put the service into `App` in place of the database. `App::new` builds
//!    the repository and the service, so it is the one place that knows which
//!    storage is used.
//! 4. Leave the handler with three steps: parse the body, call the service,
//!    turn the result or the error into a `Response`.
//!
//! The checks make sure the handler no longer touches the database and that
//! it calls the service.
//!
//! ## When not to use it
//!
//! A handler that only reads one row and returns it has no rules to move. A
//! service that only forwards to the repository is extra code with no benefit.
//! Split when there is a rule to protect or a second caller. Then do it before
//! the rule is copied into the second caller.

use serde::Deserialize;
use serde_json::{Value, json};

/// The plan's limit: a team may own at most this many projects.
const MAX_PROJECTS_PER_TEAM: usize = 3;

// ---- HTTP, reduced to what this exercise needs (do not change) -----------

struct Request {
    body: String,
}

#[derive(Debug, PartialEq)]
struct Response {
    status: u16,
    body: Value,
}

// ---- The database (do not change) ----------------------------------------

/// A stand-in for a SQL client: rows in, rows out, no rules.
#[derive(Default)]
struct Database {
    projects: Vec<ProjectRow>,
}

#[derive(Debug, Clone)]
struct ProjectRow {
    id: u64,
    team_id: u64,
    name: String,
}

impl Database {
    /// `SELECT id, team_id, name FROM projects WHERE team_id = ?1 ORDER BY id`
    fn select_projects_by_team(&self, team_id: u64) -> Vec<ProjectRow> {
        self.projects
            .iter()
            .filter(|row| row.team_id == team_id)
            .cloned()
            .collect()
    }

    /// `INSERT INTO projects (team_id, name) VALUES (?1, ?2) RETURNING id`
    fn insert_project(&mut self, team_id: u64, name: &str) -> u64 {
        let id = self.projects.len() as u64 + 1;
        self.projects.push(ProjectRow {
            id,
            team_id,
            name: name.to_string(),
        });
        id
    }
}

// ---- The domain -----------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct TeamId(u64);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct ProjectId(u64);

#[derive(Debug, Clone, PartialEq, Eq)]
struct Project {
    id: ProjectId,
    team: TeamId,
    name: String,
}

#[derive(Debug, PartialEq, Eq)]
enum CreateProjectError {
    /// The team already owns `limit` projects.
    LimitReached { limit: usize },
    /// The team already has a project with this name, in any letter case.
    NameTaken,
}

// ---- The repository: the only code that knows the storage -----------------

/// Stores projects. (Do not change the trait.)
trait ProjectRepository {
    /// The team's projects, oldest first.
    fn projects_of_team(&self, team: TeamId) -> Vec<Project>;
    /// Stores a new project for `team` and returns it with its new id.
    fn insert(&mut self, team: TeamId, name: &str) -> Project;
}

/// The `ProjectRepository` over the database.
struct DatabaseProjects {
    db: Database,
}

impl DatabaseProjects {
    fn new(db: Database) -> Self {
        Self { db }
    }
}

impl ProjectRepository for DatabaseProjects {
    fn projects_of_team(&self, team: TeamId) -> Vec<Project> {
        // TODO: select the team's rows and turn each into a `Project`.
        todo!()
    }

    fn insert(&mut self, team: TeamId, name: &str) -> Project {
        // TODO: insert the row and return the `Project` it stands for.
        todo!()
    }
}

// ---- The service: the rules, and nothing of HTTP or SQL -------------------

struct ProjectService<R> {
    repo: R,
}

impl<R: ProjectRepository> ProjectService<R> {
    fn new(repo: R) -> Self {
        Self { repo }
    }

    /// Read access to the store, for tests.
    fn repository(&self) -> &R {
        &self.repo
    }

    /// Creates a project for `team`, unless the team is at its limit or
    /// already uses the name. The limit is checked first.
    fn create_project(&mut self, team: TeamId, name: &str) -> Result<Project, CreateProjectError> {
        // TODO: move the two rules here from the handler, written against
        // `self.repo`. A refused project must not be stored.
        todo!()
    }
}

// ---- The web layer -------------------------------------------------------

/// What every handler receives, like axum's `State`.
struct App {
    // TODO: hold the service (over `DatabaseProjects`) instead of the database.
    db: Database,
}

impl App {
    /// Wires the application together.
    fn new(db: Database) -> Self {
        // TODO: build the repository and the service from `db`.
        Self { db }
    }
}

/// The JSON body of `POST /projects`.
#[derive(Deserialize)]
struct CreateProjectBody {
    team_id: u64,
    name: String,
}

/// `POST /projects`
// TODO: keep the parsing and the responses; hand everything in between to
// `app`'s service and map its errors to the same statuses and bodies as now.
fn create_project_handler(app: &mut App, request: &Request) -> Response {
    let body: CreateProjectBody = match serde_json::from_str(&request.body) {
        Ok(body) => body,
        // Not JSON at all is 400; JSON of the wrong shape (a missing
        // field, a string for a number) is 422, as axum's `Json` answers.
        Err(error) if error.is_data() => {
            return Response {
                status: 422,
                body: json!({ "error": "invalid_body", "detail": error.to_string() }),
            };
        }
        Err(error) => {
            return Response {
                status: 400,
                body: json!({ "error": "invalid_json", "detail": error.to_string() }),
            };
        }
    };

    let existing = app.db.select_projects_by_team(body.team_id);
    if existing.len() >= MAX_PROJECTS_PER_TEAM {
        return Response {
            status: 422,
            body: json!({ "error": "project_limit_reached", "limit": MAX_PROJECTS_PER_TEAM }),
        };
    }
    let wanted = body.name.to_lowercase();
    if existing.iter().any(|row| row.name.to_lowercase() == wanted) {
        return Response {
            status: 409,
            body: json!({ "error": "name_taken" }),
        };
    }

    let id = app.db.insert_project(body.team_id, &body.name);
    Response {
        status: 201,
        body: json!({ "id": id, "team_id": body.team_id, "name": body.name }),
    }
}

fn main() {
    // This exercise is checked by its tests.
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A test double: projects in a list, plus a count of inserts, so a test
    /// can tell that a refused project was never written.
    #[derive(Default)]
    struct FakeProjects {
        projects: Vec<Project>,
        inserts: usize,
    }

    impl FakeProjects {
        fn holding(names: &[(u64, &str)]) -> Self {
            let projects = names
                .iter()
                .enumerate()
                .map(|(index, (team, name))| Project {
                    id: ProjectId(index as u64 + 1),
                    team: TeamId(*team),
                    name: name.to_string(),
                })
                .collect();
            Self {
                projects,
                inserts: 0,
            }
        }
    }

    impl ProjectRepository for FakeProjects {
        fn projects_of_team(&self, team: TeamId) -> Vec<Project> {
            let mine = self.projects.iter().filter(|project| project.team == team);
            mine.cloned().collect()
        }

        fn insert(&mut self, team: TeamId, name: &str) -> Project {
            self.inserts += 1;
            let project = Project {
                id: ProjectId(self.projects.len() as u64 + 1),
                team,
                name: name.to_string(),
            };
            self.projects.push(project.clone());
            project
        }
    }

    fn post(app: &mut App, body: &str) -> Response {
        let request = Request {
            body: body.to_string(),
        };
        create_project_handler(app, &request)
    }

    // ---- The service, with no HTTP and no database ----------------------

    #[test]
    fn the_service_creates_a_project_for_a_team_with_room() {
        let mut service = ProjectService::new(FakeProjects::holding(&[(7, "Apollo")]));

        let project = service.create_project(TeamId(7), "Gemini").unwrap();

        assert_eq!(project.team, TeamId(7));
        assert_eq!(project.name, "Gemini");
        assert_eq!(service.repository().inserts, 1);
        assert_eq!(service.repository().projects.len(), 2);
    }

    #[test]
    fn the_service_refuses_a_fourth_project_and_stores_nothing() {
        let full = [(7, "Apollo"), (7, "Gemini"), (7, "Mercury")];
        let mut service = ProjectService::new(FakeProjects::holding(&full));

        let result = service.create_project(TeamId(7), "Artemis");

        assert_eq!(result, Err(CreateProjectError::LimitReached { limit: 3 }));
        assert_eq!(service.repository().inserts, 0);
    }

    #[test]
    fn the_service_refuses_a_name_the_team_uses_in_any_letter_case() {
        let mut service = ProjectService::new(FakeProjects::holding(&[(7, "Apollo")]));

        let result = service.create_project(TeamId(7), "APOLLO");

        assert_eq!(result, Err(CreateProjectError::NameTaken));
        assert_eq!(service.repository().inserts, 0);
    }

    #[test]
    fn the_service_counts_and_compares_only_the_teams_own_projects() {
        let others = [(1, "Apollo"), (1, "Gemini"), (1, "Mercury")];
        let mut service = ProjectService::new(FakeProjects::holding(&others));

        let project = service.create_project(TeamId(7), "Apollo").unwrap();

        assert_eq!(project.team, TeamId(7));
        assert_eq!(service.repository().inserts, 1);
    }

    #[test]
    fn the_service_checks_the_limit_before_the_name() {
        let full = [(7, "Apollo"), (7, "Gemini"), (7, "Mercury")];
        let mut service = ProjectService::new(FakeProjects::holding(&full));

        let result = service.create_project(TeamId(7), "Apollo");

        assert_eq!(result, Err(CreateProjectError::LimitReached { limit: 3 }));
    }

    // ---- The repository over the database ------------------------------

    #[test]
    fn the_repository_maps_the_teams_rows_to_projects() {
        let mut db = Database::default();
        db.insert_project(7, "Apollo");
        db.insert_project(1, "Vostok");
        db.insert_project(7, "Gemini");
        let repo = DatabaseProjects::new(db);

        let projects = repo.projects_of_team(TeamId(7));

        let expected = vec![
            Project {
                id: ProjectId(1),
                team: TeamId(7),
                name: "Apollo".to_string(),
            },
            Project {
                id: ProjectId(3),
                team: TeamId(7),
                name: "Gemini".to_string(),
            },
        ];
        assert_eq!(projects, expected);
    }

    #[test]
    fn the_repository_inserts_a_row_and_returns_the_project_with_its_id() {
        let mut db = Database::default();
        db.insert_project(1, "Vostok");
        let mut repo = DatabaseProjects::new(db);

        let project = repo.insert(TeamId(7), "Apollo");

        assert_eq!(project.id, ProjectId(2));
        assert_eq!(repo.projects_of_team(TeamId(7)), vec![project]);
        assert_eq!(repo.db.projects.len(), 2);
    }

    // ---- The handler: same behaviour as before the refactoring ---------

    #[test]
    fn the_handler_answers_201_with_the_new_project() {
        let mut app = App::new(Database::default());

        let response = post(&mut app, r#"{"team_id": 7, "name": "Apollo"}"#);

        let expected = json!({ "id": 1, "team_id": 7, "name": "Apollo" });
        assert_eq!(response.status, 201);
        assert_eq!(response.body, expected);
    }

    #[test]
    fn the_handler_answers_400_to_a_body_that_is_not_json() {
        let mut app = App::new(Database::default());

        let response = post(&mut app, r#"{"team_id": 7,"#);

        assert_eq!(response.status, 400);
        assert_eq!(response.body["error"], "invalid_json");
    }

    #[test]
    fn the_handler_answers_422_to_json_of_the_wrong_shape() {
        let mut app = App::new(Database::default());

        let response = post(&mut app, r#"{"team_id": "seven"}"#);

        assert_eq!(response.status, 422);
        assert_eq!(response.body["error"], "invalid_body");
    }

    #[test]
    fn the_handler_answers_409_to_a_taken_name() {
        let mut app = App::new(Database::default());
        post(&mut app, r#"{"team_id": 7, "name": "Apollo"}"#);

        let response = post(&mut app, r#"{"team_id": 7, "name": "apollo"}"#);

        assert_eq!(response.status, 409);
        assert_eq!(response.body, json!({ "error": "name_taken" }));
    }

    #[test]
    fn the_handler_answers_422_when_the_team_is_at_its_limit() {
        let mut app = App::new(Database::default());
        for name in ["Apollo", "Gemini", "Mercury"] {
            let body = json!({ "team_id": 7, "name": name }).to_string();
            assert_eq!(post(&mut app, &body).status, 201);
        }

        let response = post(&mut app, r#"{"team_id": 7, "name": "Artemis"}"#);

        let expected = json!({ "error": "project_limit_reached", "limit": 3 });
        assert_eq!(response.status, 422);
        assert_eq!(response.body, expected);
    }
}
