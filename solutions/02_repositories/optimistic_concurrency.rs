//! # Repository: lost updates and optimistic concurrency (solution)
//!
//! Every page carries the version its reader saw. The UPDATE itself checks
//! that version and bumps it, in one statement, so no other save can land
//! between the check and the write. Zero rows changed means "not as you
//! saw it": the adapter asks why only then, and answers with a typed error.

use rusqlite::{Connection, OptionalExtension, Row, params};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct PageId(i64);

#[derive(Debug, Clone, PartialEq, Eq)]
struct Page {
    id: PageId,
    title: String,
    body: String,
    /// The version this copy was read at. Every save adds one.
    version: u32,
}

#[derive(Debug, thiserror::Error)]
enum RepoError {
    #[error("there is no page {0:?}")]
    NotFound(PageId),
    /// Someone saved the page after this copy was read. Nothing was written.
    #[error(
        "page {id:?} changed since you read it: you edited version {expected}, it is at {actual}"
    )]
    Conflict {
        id: PageId,
        expected: u32,
        actual: u32,
    },
    #[error("the page store failed")]
    Storage(#[source] Box<dyn std::error::Error + Send + Sync>),
}

trait PageRepository {
    /// A new page, at version 1.
    fn create(&self, title: &str, body: &str) -> Result<Page, RepoError>;
    fn find(&self, id: PageId) -> Result<Option<Page>, RepoError>;
    /// Writes the page's title and body, if the stored page is still at
    /// `page.version`, and returns the page at its new version. A page saved
    /// by someone else since is `Conflict`; a deleted one is `NotFound`.
    fn save(&self, page: &Page) -> Result<Page, RepoError>;
    fn delete(&self, id: PageId) -> Result<(), RepoError>;
}

// ---- SQLite ---------------------------------------------------------------------

const SCHEMA: &str = "
    CREATE TABLE pages (
        id      INTEGER PRIMARY KEY,
        title   TEXT NOT NULL,
        body    TEXT NOT NULL,
        version INTEGER NOT NULL
    );
";

struct SqlitePages {
    conn: Connection,
}

impl SqlitePages {
    fn open_in_memory() -> Result<Self, RepoError> {
        let conn = Connection::open_in_memory().map_err(storage)?;
        conn.execute_batch(SCHEMA).map_err(storage)?;
        Ok(Self { conn })
    }

    /// Why a versioned UPDATE changed no row: the page is gone, or it is at
    /// another version. Asked only *after* the UPDATE missed, so it decides
    /// nothing: the UPDATE already refused the write.
    fn missed_update(&self, page: &Page) -> RepoError {
        let current = self
            .conn
            .query_row(
                "SELECT version FROM pages WHERE id = ?1",
                params![page.id.0],
                |row| row.get(0),
            )
            .optional();
        match current {
            Ok(Some(actual)) => RepoError::Conflict {
                id: page.id,
                expected: page.version,
                actual,
            },
            // Deleted since it was read: not a conflict to resolve by
            // reloading, since there is nothing to reload.
            Ok(None) => RepoError::NotFound(page.id),
            Err(error) => storage(error),
        }
    }
}

fn storage(error: rusqlite::Error) -> RepoError {
    RepoError::Storage(Box::new(error))
}

/// A row of `SELECT id, title, body, version FROM pages`.
fn page_from_row(row: &Row<'_>) -> rusqlite::Result<Page> {
    Ok(Page {
        id: PageId(row.get(0)?),
        title: row.get(1)?,
        body: row.get(2)?,
        version: row.get(3)?,
    })
}

impl PageRepository for SqlitePages {
    fn create(&self, title: &str, body: &str) -> Result<Page, RepoError> {
        self.conn
            .execute(
                "INSERT INTO pages (title, body, version) VALUES (?1, ?2, 1)",
                params![title, body],
            )
            .map_err(storage)?;
        Ok(Page {
            id: PageId(self.conn.last_insert_rowid()),
            title: title.to_string(),
            body: body.to_string(),
            version: 1,
        })
    }

    fn find(&self, id: PageId) -> Result<Option<Page>, RepoError> {
        self.conn
            .query_row(
                "SELECT id, title, body, version FROM pages WHERE id = ?1",
                params![id.0],
                page_from_row,
            )
            .optional()
            .map_err(storage)
    }

    fn save(&self, page: &Page) -> Result<Page, RepoError> {
        // The check and the write are one statement: the row is changed only
        // if it still has the version this copy was read at, and the version
        // moves on in the same step. Reading the version first and writing
        // after would leave a gap for another save, and a transaction does
        // not close it at READ COMMITTED, Postgres's default.
        let changed = self
            .conn
            .execute(
                "UPDATE pages SET title = ?1, body = ?2, version = version + 1
                 WHERE id = ?3 AND version = ?4",
                params![page.title, page.body, page.id.0, page.version],
            )
            .map_err(storage)?;
        if changed == 0 {
            return Err(self.missed_update(page));
        }
        Ok(Page {
            version: page.version + 1,
            ..page.clone()
        })
    }

    fn delete(&self, id: PageId) -> Result<(), RepoError> {
        self.conn
            .execute("DELETE FROM pages WHERE id = ?1", params![id.0])
            .map_err(storage)?;
        Ok(())
    }
}

// ---- The service ----------------------------------------------------------------

/// How many times `edit_page` tries, in all, before it reports the conflict.
const MAX_ATTEMPTS: usize = 3;

/// Loads the page, applies `change` and saves it. After a conflict it starts
/// over from a fresh copy, so the change lands on top of the other save
/// instead of erasing it.
///
/// Retrying is right for a change that means the same whatever the page
/// says now (a bot appending a line). A person's edit was made against what
/// they saw: return the `Conflict` and let them look again (an HTTP API
/// answers 409, or 412 for a failed `If-Match`).
fn edit_page<R: PageRepository>(
    repo: &R,
    id: PageId,
    change: impl Fn(&mut Page),
) -> Result<Page, RepoError> {
    let mut attempts = 0;
    loop {
        attempts += 1;
        // Load inside the loop: retrying the save alone would send the same
        // stale version (refused again), or, with the version patched up,
        // overwrite the other writer's change after all.
        let mut page = repo.find(id)?.ok_or(RepoError::NotFound(id))?;
        change(&mut page);
        match repo.save(&page) {
            // Bounded: under heavy contention, give up and say so.
            Err(RepoError::Conflict { .. }) if attempts < MAX_ATTEMPTS => continue,
            outcome => return outcome,
        }
    }
}

fn main() {
    // This exercise is checked by its tests.
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    fn pages() -> SqlitePages {
        SqlitePages::open_in_memory().unwrap()
    }

    fn stored(repo: &SqlitePages, id: PageId) -> Page {
        repo.find(id).unwrap().expect("the page is stored")
    }

    // ---- The repository -----------------------------------------------------

    #[test]
    fn a_new_page_is_at_version_1() {
        let repo = pages();

        let page = repo.create("Onboarding", "Welcome!").unwrap();

        assert_eq!(page.version, 1);
        assert_eq!(stored(&repo, page.id), page);
    }

    #[test]
    fn each_save_moves_the_version_on_by_one() {
        let repo = pages();
        let mut page = repo.create("Onboarding", "Welcome!").unwrap();

        page.title = "Onboarding guide".to_string();
        let saved = repo.save(&page).unwrap();
        assert_eq!(saved.version, 2, "save returns the page at its new version");

        let mut again = saved.clone();
        again.body = "Welcome aboard!".to_string();
        let saved_again = repo.save(&again).unwrap();

        assert_eq!(saved_again.version, 3);
        assert_eq!(stored(&repo, page.id), saved_again);
        assert_eq!(saved_again.title, "Onboarding guide");
    }

    #[test]
    fn the_second_of_two_interleaved_saves_is_refused() {
        let repo = pages();
        let id = repo.create("Onbording", "Welcome!").unwrap().id;

        // Ada and Grace open the same page, at the same version.
        let mut adas = stored(&repo, id);
        let mut graces = stored(&repo, id);
        // Ada fixes the title and saves first.
        adas.title = "Onboarding".to_string();
        repo.save(&adas).unwrap();
        // Grace adds a paragraph to the copy she read before Ada's save.
        graces.body = "Welcome! Your laptop is on your desk.".to_string();
        let result = repo.save(&graces);

        match result {
            Err(RepoError::Conflict {
                id: conflict_id,
                expected,
                actual,
            }) => assert_eq!((conflict_id, expected, actual), (id, 1, 2)),
            other => panic!(
                "Grace's copy is at version 1 and the page is at 2 now: expected \
                 Conflict {{ expected: 1, actual: 2 }}, got {other:?}"
            ),
        }
        let page = stored(&repo, id);
        assert_eq!(
            (page.title.as_str(), page.body.as_str(), page.version),
            ("Onboarding", "Welcome!", 2),
            "a refused save must change nothing: Ada's title stays"
        );
    }

    #[test]
    fn the_refused_writer_can_reload_and_save_on_top() {
        let repo = pages();
        let id = repo.create("Onbording", "Welcome!").unwrap().id;
        let mut adas = stored(&repo, id);
        let mut graces = stored(&repo, id);
        adas.title = "Onboarding".to_string();
        repo.save(&adas).unwrap();
        graces.body = "Welcome! Your laptop is on your desk.".to_string();
        assert!(
            repo.save(&graces).is_err(),
            "Grace's copy is at version 1, the page at 2: her save must be refused"
        );

        let mut fresh = stored(&repo, id);
        fresh.body = graces.body.clone();
        let saved = repo.save(&fresh).unwrap();

        assert_eq!(saved.version, 3);
        assert_eq!(
            (saved.title.as_str(), saved.body.as_str()),
            ("Onboarding", "Welcome! Your laptop is on your desk.")
        );
    }

    #[test]
    fn saving_a_page_deleted_since_it_was_read_is_not_found() {
        let repo = pages();
        let mut page = repo.create("Old policy", "...").unwrap();
        repo.delete(page.id).unwrap();

        page.body = "Updated".to_string();
        let result = repo.save(&page);

        assert!(
            matches!(result, Err(RepoError::NotFound(id)) if id == page.id),
            "the page is gone, which is not a conflict: expected NotFound, got {result:?}"
        );
    }

    // ---- The service ----------------------------------------------------------

    /// Another writer that strikes between `edit_page`'s load and its save:
    /// right after each of the first `interruptions` loads, it does
    /// `interrupt` to the stored page. Also counts the saves.
    struct Interrupted<'a> {
        repo: &'a SqlitePages,
        interruptions: Cell<usize>,
        interrupt: fn(&SqlitePages, PageId),
        saves: Cell<usize>,
    }

    impl<'a> Interrupted<'a> {
        fn new(
            repo: &'a SqlitePages,
            interruptions: usize,
            interrupt: fn(&SqlitePages, PageId),
        ) -> Self {
            Self {
                repo,
                interruptions: Cell::new(interruptions),
                interrupt,
                saves: Cell::new(0),
            }
        }
    }

    impl PageRepository for Interrupted<'_> {
        fn create(&self, title: &str, body: &str) -> Result<Page, RepoError> {
            self.repo.create(title, body)
        }

        fn find(&self, id: PageId) -> Result<Option<Page>, RepoError> {
            let found = self.repo.find(id)?;
            if self.interruptions.get() > 0 {
                self.interruptions.set(self.interruptions.get() - 1);
                (self.interrupt)(self.repo, id);
            }
            Ok(found)
        }

        fn save(&self, page: &Page) -> Result<Page, RepoError> {
            self.saves.set(self.saves.get() + 1);
            assert!(
                self.saves.get() <= 10,
                "edit_page saved 10 times and keeps going: bound the retries by MAX_ATTEMPTS"
            );
            self.repo.save(page)
        }

        fn delete(&self, id: PageId) -> Result<(), RepoError> {
            self.repo.delete(id)
        }
    }

    /// The other writer: a colleague who adds a line to the page.
    fn colleague_adds_a_line(repo: &SqlitePages, id: PageId) {
        let mut page = stored(repo, id);
        page.body.push_str("\n- badge from reception");
        repo.save(&page).unwrap();
    }

    fn colleague_deletes_it(repo: &SqlitePages, id: PageId) {
        repo.delete(id).unwrap();
    }

    fn add_wifi_line(page: &mut Page) {
        page.body.push_str("\n- wifi password from IT");
    }

    #[test]
    fn edit_page_applies_the_change_and_saves() {
        let repo = pages();
        let id = repo.create("Checklist", "Day one:").unwrap().id;

        let page = edit_page(&repo, id, add_wifi_line).unwrap();

        assert_eq!(page.version, 2, "edit_page returns the page as saved");
        assert_eq!(stored(&repo, id).body, "Day one:\n- wifi password from IT");
    }

    #[test]
    fn edit_page_starts_over_after_a_conflict_and_keeps_both_changes() {
        let repo = pages();
        let id = repo.create("Checklist", "Day one:").unwrap().id;
        let interrupted = Interrupted::new(&repo, 1, colleague_adds_a_line);

        let page = edit_page(&interrupted, id, add_wifi_line).unwrap();

        assert_eq!(
            stored(&repo, id).body,
            "Day one:\n- badge from reception\n- wifi password from IT",
            "the colleague's line was saved first; ours must land on top of it, not erase it"
        );
        assert_eq!(page.version, 3);
        assert_eq!(
            interrupted.saves.get(),
            2,
            "one refused save, one that worked"
        );
    }

    #[test]
    fn edit_page_gives_up_with_the_conflict_after_max_attempts() {
        let repo = pages();
        let id = repo.create("Checklist", "Day one:").unwrap().id;
        let interrupted = Interrupted::new(&repo, usize::MAX, colleague_adds_a_line);

        let result = edit_page(&interrupted, id, add_wifi_line);

        assert!(
            matches!(result, Err(RepoError::Conflict { .. })),
            "a page that changes before every save: expected Conflict, got {result:?}"
        );
        assert_eq!(interrupted.saves.get(), MAX_ATTEMPTS, "saves tried");
        assert!(
            !stored(&repo, id).body.contains("wifi"),
            "every save was refused, so our line is not stored"
        );
    }

    #[test]
    fn edit_page_does_not_retry_a_page_deleted_under_it() {
        let repo = pages();
        let id = repo.create("Checklist", "Day one:").unwrap().id;
        let interrupted = Interrupted::new(&repo, 1, colleague_deletes_it);

        let result = edit_page(&interrupted, id, add_wifi_line);

        assert!(
            matches!(result, Err(RepoError::NotFound(missing)) if missing == id),
            "expected NotFound, got {result:?}"
        );
        assert_eq!(interrupted.saves.get(), 1, "saves tried");
    }

    #[test]
    fn edit_page_of_an_unknown_page_is_not_found() {
        let repo = pages();

        let result = edit_page(&repo, PageId(42), add_wifi_line);

        assert!(
            matches!(result, Err(RepoError::NotFound(PageId(42)))),
            "expected NotFound(PageId(42)), got {result:?}"
        );
    }
}
