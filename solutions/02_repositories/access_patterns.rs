//! # Repository: a method per access pattern (solution)
//!
//! The service says *what* it needs ("how many are open", "these agents"),
//! and the adapter answers each need with one statement. The trait grows a
//! method per access pattern, named in the domain's language; it does not
//! grow a way to pass SQL through.

use rusqlite::{Connection, OptionalExtension, Row, params, params_from_iter};
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct TicketId(i64);

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct AgentId(i64);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Open,
    Closed,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Ticket {
    id: TicketId,
    subject: String,
    status: Status,
    assignee: Option<AgentId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Agent {
    id: AgentId,
    name: String,
}

/// One line of the dashboard's "recent tickets" list.
#[derive(Debug, Clone, PartialEq, Eq)]
struct TicketLine {
    id: TicketId,
    subject: String,
    /// The assignee's name; `None` for an unassigned ticket.
    assignee: Option<String>,
}

#[derive(Debug, thiserror::Error)]
#[error("the helpdesk store failed")]
struct RepoError(#[source] Box<dyn std::error::Error + Send + Sync>);

trait TicketRepository {
    /// Every ticket, oldest first. The nightly export needs them all; a
    /// request handler almost never does.
    fn find_all(&self) -> Result<Vec<Ticket>, RepoError>;
    /// The `limit` newest tickets, newest first.
    fn newest(&self, limit: usize) -> Result<Vec<Ticket>, RepoError>;
    /// How many tickets are open: one number, counted where the rows are.
    fn count_open(&self) -> Result<usize, RepoError>;
}

trait AgentRepository {
    fn find_by_id(&self, id: AgentId) -> Result<Option<Agent>, RepoError>;
    /// The agents with these ids, in no particular order. Unknown ids are
    /// left out; an empty slice asks for nothing.
    fn find_by_ids(&self, ids: &[AgentId]) -> Result<Vec<Agent>, RepoError>;
}

// ---- SQLite ---------------------------------------------------------------------

const SCHEMA: &str = "
    CREATE TABLE agents (
        id   INTEGER PRIMARY KEY,
        name TEXT NOT NULL
    );
    CREATE TABLE tickets (
        id       INTEGER PRIMARY KEY,
        subject  TEXT NOT NULL,
        status   TEXT NOT NULL CHECK (status IN ('open', 'closed')),
        assignee INTEGER REFERENCES agents (id)
    );
    CREATE INDEX tickets_by_status ON tickets (status);
";

struct SqliteHelpdesk {
    conn: Connection,
}

impl SqliteHelpdesk {
    fn open_in_memory() -> Result<Self, RepoError> {
        let conn = Connection::open_in_memory().map_err(storage)?;
        conn.execute_batch(SCHEMA).map_err(storage)?;
        Ok(Self { conn })
    }

    fn tickets(&self, sql: &str, params: impl rusqlite::Params) -> Result<Vec<Ticket>, RepoError> {
        let mut statement = self.conn.prepare(sql).map_err(storage)?;
        let rows = statement
            .query_map(params, ticket_from_row)
            .map_err(storage)?;
        rows.collect::<Result<_, _>>().map_err(storage)
    }
}

fn storage(error: rusqlite::Error) -> RepoError {
    RepoError(Box::new(error))
}

/// A row of `SELECT id, subject, status, assignee FROM tickets`.
fn ticket_from_row(row: &Row<'_>) -> rusqlite::Result<Ticket> {
    // The table's CHECK allows only these two words.
    let status = match row.get_ref(2)?.as_str()? {
        "open" => Status::Open,
        _ => Status::Closed,
    };
    Ok(Ticket {
        id: TicketId(row.get(0)?),
        subject: row.get(1)?,
        status,
        assignee: row.get::<_, Option<i64>>(3)?.map(AgentId),
    })
}

/// A row of `SELECT id, name FROM agents`.
fn agent_from_row(row: &Row<'_>) -> rusqlite::Result<Agent> {
    Ok(Agent {
        id: AgentId(row.get(0)?),
        name: row.get(1)?,
    })
}

impl TicketRepository for SqliteHelpdesk {
    fn find_all(&self) -> Result<Vec<Ticket>, RepoError> {
        self.tickets(
            "SELECT id, subject, status, assignee FROM tickets ORDER BY id",
            [],
        )
    }

    fn newest(&self, limit: usize) -> Result<Vec<Ticket>, RepoError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.tickets(
            "SELECT id, subject, status, assignee FROM tickets ORDER BY id DESC LIMIT ?1",
            params![limit],
        )
    }

    fn count_open(&self) -> Result<usize, RepoError> {
        // The database counts (through the index on `status`) and sends one
        // row back. Loading every ticket to count them in Rust reads the
        // whole table, and gets slower with every ticket ever filed.
        self.conn
            .query_row(
                "SELECT count(*) FROM tickets WHERE status = 'open'",
                [],
                |row| row.get(0),
            )
            .map_err(storage)
    }
}

impl AgentRepository for SqliteHelpdesk {
    fn find_by_id(&self, id: AgentId) -> Result<Option<Agent>, RepoError> {
        self.conn
            .query_row(
                "SELECT id, name FROM agents WHERE id = ?1",
                params![id.0],
                agent_from_row,
            )
            .optional()
            .map_err(storage)
    }

    fn find_by_ids(&self, ids: &[AgentId]) -> Result<Vec<Agent>, RepoError> {
        if ids.is_empty() {
            // Nothing to ask; and `IN ()` is an error in most databases
            // (SQLite happens to accept it).
            return Ok(Vec::new());
        }
        // One `?` per id. `format!` builds only the placeholders, never
        // values: the ids travel as parameters. (Postgres takes the whole
        // list as one array parameter: `WHERE id = ANY($1)`. SQLite limits
        // a statement to 32766 parameters; a caller with more ids would
        // send them in chunks.)
        let placeholders = vec!["?"; ids.len()].join(", ");
        let sql = format!("SELECT id, name FROM agents WHERE id IN ({placeholders})");
        let mut statement = self.conn.prepare(&sql).map_err(storage)?;
        let agents = statement
            .query_map(params_from_iter(ids.iter().map(|id| id.0)), agent_from_row)
            .map_err(storage)?;
        agents.collect::<Result<_, _>>().map_err(storage)
    }
}

// ---- The service ----------------------------------------------------------------

/// What the helpdesk's start page shows.
struct Dashboard<R> {
    repo: R,
}

impl<R: TicketRepository + AgentRepository> Dashboard<R> {
    fn new(repo: R) -> Self {
        Self { repo }
    }

    /// The number on the "open tickets" badge.
    fn open_tickets(&self) -> Result<usize, RepoError> {
        self.repo.count_open()
    }

    /// The `limit` newest tickets, each with its assignee's name.
    fn recent(&self, limit: usize) -> Result<Vec<TicketLine>, RepoError> {
        let tickets = self.repo.newest(limit)?;

        // Two statements, however long the list: the tickets, then every
        // assignee they mention, at once. Asking `find_by_id` per ticket
        // would be one statement per line (N+1), each a round trip to a
        // real database server.
        let mut ids: Vec<AgentId> = tickets
            .iter()
            .filter_map(|ticket| ticket.assignee)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let names: HashMap<AgentId, String> = self
            .repo
            .find_by_ids(&ids)?
            .into_iter()
            .map(|agent| (agent.id, agent.name))
            .collect();

        let lines = tickets
            .into_iter()
            .map(|ticket| TicketLine {
                assignee: ticket.assignee.and_then(|id| names.get(&id).cloned()),
                id: ticket.id,
                subject: ticket.subject,
            })
            .collect();
        Ok(lines)
    }
}

fn main() {
    // This exercise is checked by its tests.
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::trace::{TraceEvent, TraceEventCodes};
    use std::cell::{Cell, RefCell};

    // ---- A query counter --------------------------------------------------
    //
    // SQLite calls `count_event` when a statement starts and for every row it
    // returns. The counters are per thread, and each test runs on a thread
    // of its own; `measure` resets them before the call it measures.

    thread_local! {
        static ROWS: Cell<usize> = const { Cell::new(0) };
        static STATEMENTS: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
    }

    fn count_event(event: TraceEvent<'_>) {
        match event {
            TraceEvent::Stmt(_, sql) => STATEMENTS.with_borrow_mut(|all| all.push(sql.to_string())),
            TraceEvent::Row(_) => ROWS.with(|rows| rows.set(rows.get() + 1)),
            _ => {}
        }
    }

    /// What one call cost the database.
    struct Cost {
        statements: Vec<String>,
        rows: usize,
    }

    impl std::fmt::Display for Cost {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            let (statements, rows) = (self.statements.len(), self.rows);
            let plural = |n: usize| if n == 1 { "" } else { "s" };
            write!(f, "{statements} statement{}, ", plural(statements))?;
            write!(f, "{rows} row{}:", plural(rows))?;
            let mut seen: Vec<(&str, usize)> = Vec::new();
            for sql in &self.statements {
                match seen.iter_mut().find(|(text, _)| *text == sql.as_str()) {
                    Some((_, times)) => *times += 1,
                    None => seen.push((sql, 1)),
                }
            }
            for (sql, times) in seen {
                write!(
                    f,
                    "\n  {times} x {}",
                    sql.split_whitespace().collect::<Vec<_>>().join(" ")
                )?;
            }
            Ok(())
        }
    }

    fn measure<T>(call: impl FnOnce() -> T) -> (T, Cost) {
        STATEMENTS.with_borrow_mut(Vec::clear);
        ROWS.with(|rows| rows.set(0));
        let value = call();
        let cost = Cost {
            statements: STATEMENTS.with_borrow_mut(std::mem::take),
            rows: ROWS.with(Cell::get),
        };
        (value, cost)
    }

    // ---- Test data --------------------------------------------------------

    fn add_agents(conn: &Connection, count: i64) {
        for id in 1..=count {
            conn.execute(
                "INSERT INTO agents (id, name) VALUES (?1, ?2)",
                params![id, format!("Agent {id}")],
            )
            .unwrap();
        }
    }

    fn add_ticket(conn: &Connection, subject: &str, status: &str, assignee: Option<i64>) {
        conn.execute(
            "INSERT INTO tickets (subject, status, assignee) VALUES (?1, ?2, ?3)",
            params![subject, status, assignee],
        )
        .unwrap();
    }

    /// A dashboard over a fresh database, filled by `fill`, with the query
    /// counter listening from then on.
    fn dashboard(fill: impl FnOnce(&Connection)) -> Dashboard<SqliteHelpdesk> {
        let repo = SqliteHelpdesk::open_in_memory().unwrap();
        fill(&repo.conn);
        repo.conn.trace_v2(
            TraceEventCodes::SQLITE_TRACE_STMT | TraceEventCodes::SQLITE_TRACE_ROW,
            Some(count_event),
        );
        Dashboard::new(repo)
    }

    fn line(id: i64, subject: &str, assignee: Option<&str>) -> TicketLine {
        TicketLine {
            id: TicketId(id),
            subject: subject.to_string(),
            assignee: assignee.map(str::to_string),
        }
    }

    // ---- What the other callers still use -----------------------------------

    #[test]
    fn the_nightly_export_and_single_lookups_still_work() {
        let dashboard = dashboard(|conn| {
            add_agents(conn, 2);
            add_ticket(conn, "Login fails", "open", Some(2));
            add_ticket(conn, "Invoice missing", "closed", None);
        });
        let repo = &dashboard.repo;

        assert_eq!(
            repo.find_all().unwrap(),
            vec![
                Ticket {
                    id: TicketId(1),
                    subject: "Login fails".to_string(),
                    status: Status::Open,
                    assignee: Some(AgentId(2)),
                },
                Ticket {
                    id: TicketId(2),
                    subject: "Invoice missing".to_string(),
                    status: Status::Closed,
                    assignee: None,
                },
            ],
            "find_all is the nightly export's: every ticket, oldest first"
        );
        assert_eq!(
            repo.find_by_id(AgentId(2)).unwrap(),
            Some(Agent {
                id: AgentId(2),
                name: "Agent 2".to_string(),
            })
        );
        assert_eq!(repo.find_by_id(AgentId(9)).unwrap(), None);
    }

    // ---- The badge --------------------------------------------------------

    #[test]
    fn open_tickets_counts_only_the_open_ones() {
        let dashboard = dashboard(|conn| {
            add_agents(conn, 2);
            for n in 0..20 {
                let status = if n % 3 == 0 { "open" } else { "closed" };
                add_ticket(conn, &format!("Ticket {n}"), status, Some(n % 2 + 1));
            }
        });

        assert_eq!(dashboard.open_tickets().unwrap(), 7);
    }

    #[test]
    fn open_tickets_is_zero_on_a_quiet_day() {
        let dashboard = dashboard(|conn| add_ticket(conn, "Printer on fire", "closed", None));

        assert_eq!(dashboard.open_tickets().unwrap(), 0);
    }

    #[test]
    fn open_tickets_asks_the_database_for_one_number() {
        let dashboard = dashboard(|conn| {
            for n in 0..300 {
                let status = if n % 3 == 0 { "open" } else { "closed" };
                add_ticket(conn, &format!("Ticket {n}"), status, None);
            }
        });

        let (open, cost) = measure(|| dashboard.open_tickets().unwrap());

        assert_eq!(open, 100);
        assert!(
            cost.statements.len() == 1 && cost.rows <= 1,
            "counting 100 open tickets cost {cost}\n\
             One statement that returns one row would do: let the database count."
        );
    }

    // ---- The recent list --------------------------------------------------

    #[test]
    fn recent_lists_the_newest_tickets_with_their_assignees_names() {
        let dashboard = dashboard(|conn| {
            add_agents(conn, 3);
            add_ticket(conn, "Login fails", "open", Some(2));
            add_ticket(conn, "Invoice missing", "closed", Some(1));
            add_ticket(conn, "New laptop", "open", None);
            add_ticket(conn, "VPN drops", "open", Some(2));
            add_ticket(conn, "Refund", "open", Some(3));
        });

        let lines = dashboard.recent(4).unwrap();

        assert_eq!(
            lines,
            vec![
                line(5, "Refund", Some("Agent 3")),
                line(4, "VPN drops", Some("Agent 2")),
                line(3, "New laptop", None),
                line(2, "Invoice missing", Some("Agent 1")),
            ]
        );
    }

    #[test]
    fn recent_runs_two_statements_however_long_the_list() {
        let dashboard = dashboard(|conn| {
            add_agents(conn, 10);
            for n in 0..30 {
                add_ticket(conn, &format!("Ticket {n}"), "open", Some(n % 10 + 1));
            }
        });

        let (lines, cost) = measure(|| dashboard.recent(30).unwrap());

        assert_eq!(lines.len(), 30);
        assert_eq!(lines[0], line(30, "Ticket 29", Some("Agent 10")));
        assert!(
            cost.statements.len() <= 2,
            "listing 30 tickets cost {cost}\n\
             One statement for the tickets and one for all their agents would do."
        );
    }

    #[test]
    fn recent_reads_only_the_agents_it_shows() {
        let dashboard = dashboard(|conn| {
            add_agents(conn, 50);
            for n in 0..5 {
                add_ticket(conn, &format!("Ticket {n}"), "open", Some(n % 2 + 7));
            }
        });

        let (lines, cost) = measure(|| dashboard.recent(5).unwrap());

        assert_eq!(lines[4], line(1, "Ticket 0", Some("Agent 7")));
        assert!(
            cost.rows <= 5 + 2,
            "5 tickets by 2 agents cost {cost}\n\
             Ask once for the 2 agents the list names: not one at a time, not all 50."
        );
    }

    #[test]
    fn recent_without_assignees_names_nobody() {
        let dashboard = dashboard(|conn| {
            add_agents(conn, 3);
            add_ticket(conn, "Coffee machine", "open", None);
            add_ticket(conn, "Parking permit", "open", None);
        });

        let (lines, cost) = measure(|| dashboard.recent(10).unwrap());

        assert_eq!(
            lines,
            vec![
                line(2, "Parking permit", None),
                line(1, "Coffee machine", None),
            ]
        );
        assert!(cost.statements.len() <= 2, "cost {cost}");
    }
}
