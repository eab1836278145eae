//! # Typed errors: `?` and `From` between layers
//!
//! Each layer has its own error type, in its own words. At the boundary, one
//! `From` impl translates the lower layer's error into the upper one's, so the
//! upper layer's code propagates with a plain `?` and keeps the original error
//! as its `source()`.
//!
//! ## The problem
//!
//! The storage layer fails with `StorageError`: `Conflict` when a unique index
//! refuses a row, `Unavailable` when the database cannot be reached. The
//! workspace service turns every storage error into `Internal(String)` with
//! `map_err(|e| ServiceError::Internal(e.to_string()))`. Two things went wrong:
//! creating a workspace whose name is taken answers "internal error" (a 500
//! instead of a 409), and when the database is down the log says
//! "internal error" and nothing more. `e.to_string()` kept only the top
//! message, "storage unavailable", in a `String` that is not a `source()`, and
//! dropped the `io::Error` below it that said *why* (connection refused).
//!
//! ## Your task
//!
//! 1. Make `ServiceError::Internal` hold the `StorageError` itself and return
//!    it from `source()` (thiserror: `#[source]` on the field). Keep the
//!    `#[error("internal error")]` text: the cause is reached through
//!    `source()`, so repeating it in the message would print it twice.
//! 2. Implement `From<StorageError> for ServiceError`: a conflict on the
//!    name's unique index (`NAME_UNIQUE`) becomes `AlreadyExists`; anything
//!    else, a conflict on another index included, becomes `Internal`. Only
//!    the constraint the use case expects is the caller's mistake: a
//!    conflict on some other index (an external id, a slug) is our bug, and
//!    "this name is taken" would be a lie.
//! 3. Rewrite the service's methods with `?` instead of `map_err`.
//!
//! `#[from]` on `Internal` would write a `From` for you, but it would turn a
//! conflict into `Internal` too: a layer boundary is where errors change
//! *meaning*, and that takes a `match`.
//!
//! ## When not to use it
//!
//! Between modules that share one error type, there is nothing to translate.
//! And when an upper layer never branches on a lower layer's failures, one
//! `Internal(#[from] ...)` variant (or `anyhow` in a binary) is enough.

use std::error::Error;
use std::io;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct WorkspaceId(u64);

#[derive(Debug, Clone, PartialEq, Eq)]
struct Workspace {
    id: WorkspaceId,
    name: String,
    archived: bool,
}

// ---- Storage layer (do not change) ---------------------------------------

/// How the store fails, in the store's words.
#[derive(Debug, thiserror::Error)]
enum StorageError {
    /// A unique index refused the row.
    #[error("unique constraint {constraint} violated")]
    Conflict { constraint: &'static str },
    /// The database could not be reached.
    #[error("storage unavailable")]
    Unavailable(#[source] io::Error),
}

/// The unique index on workspace names, as the store reports it.
const NAME_UNIQUE: &str = "workspaces_name_key";

trait WorkspaceStore {
    /// Inserts a workspace named `name`. Names are unique.
    fn insert(&mut self, name: &str) -> Result<WorkspaceId, StorageError>;
    fn find(&self, id: WorkspaceId) -> Result<Option<Workspace>, StorageError>;
    fn update(&mut self, workspace: &Workspace) -> Result<(), StorageError>;
}

// ---- Service layer -------------------------------------------------------

/// How the service fails, in the words of its callers.
#[derive(Debug, thiserror::Error)]
enum ServiceError {
    #[error("workspace name must not be empty")]
    EmptyName,
    #[error("a workspace with this name already exists")]
    AlreadyExists,
    #[error("workspace not found")]
    NotFound,
    // TODO: hold the `StorageError` and expose it as the `source()`.
    #[error("internal error")]
    Internal(String),
}

// TODO: translate a storage error into a service error.
impl From<StorageError> for ServiceError {
    fn from(error: StorageError) -> Self {
        todo!()
    }
}

struct WorkspaceService<S: WorkspaceStore> {
    store: S,
}

impl<S: WorkspaceStore> WorkspaceService<S> {
    fn new(store: S) -> Self {
        Self { store }
    }

    fn create(&mut self, name: &str) -> Result<Workspace, ServiceError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(ServiceError::EmptyName);
        }
        // TODO: propagate with `?`.
        let id = self
            .store
            .insert(name)
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        Ok(Workspace {
            id,
            name: name.to_string(),
            archived: false,
        })
    }

    fn archive(&mut self, id: WorkspaceId) -> Result<Workspace, ServiceError> {
        // TODO: propagate with `?`; a missing workspace is `NotFound`.
        let found = self
            .store
            .find(id)
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let mut workspace = found.ok_or(ServiceError::NotFound)?;
        workspace.archived = true;
        self.store
            .update(&workspace)
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        Ok(workspace)
    }
}

/// The error and all its causes on one line, as a log line shows them.
fn report(error: &dyn Error) -> String {
    let mut line = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        line.push_str(": ");
        line.push_str(&inner.to_string());
        cause = inner.source();
    }
    line
}

fn main() {
    // This exercise is checked by its tests.
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A working store that can be told to fail its next call.
    #[derive(Default)]
    struct ScriptedStore {
        workspaces: Vec<Workspace>,
        next_failure: Option<StorageError>,
    }

    impl ScriptedStore {
        fn failing_with(error: StorageError) -> Self {
            Self {
                next_failure: Some(error),
                ..Self::default()
            }
        }

        fn fail_next(&mut self) -> Result<(), StorageError> {
            match self.next_failure.take() {
                Some(error) => Err(error),
                None => Ok(()),
            }
        }
    }

    impl WorkspaceStore for ScriptedStore {
        fn insert(&mut self, name: &str) -> Result<WorkspaceId, StorageError> {
            self.fail_next()?;
            if self.workspaces.iter().any(|w| w.name == name) {
                return Err(StorageError::Conflict {
                    constraint: NAME_UNIQUE,
                });
            }
            let id = WorkspaceId(self.workspaces.len() as u64 + 1);
            self.workspaces.push(Workspace {
                id,
                name: name.to_string(),
                archived: false,
            });
            Ok(id)
        }

        fn find(&self, id: WorkspaceId) -> Result<Option<Workspace>, StorageError> {
            if self.next_failure.is_some() {
                // `find` takes `&self` and cannot take the failure; it
                // reports an outage while one is scripted.
                return Err(outage());
            }
            Ok(self.workspaces.iter().find(|w| w.id == id).cloned())
        }

        fn update(&mut self, workspace: &Workspace) -> Result<(), StorageError> {
            self.fail_next()?;
            for stored in &mut self.workspaces {
                if stored.id == workspace.id {
                    *stored = workspace.clone();
                }
            }
            Ok(())
        }
    }

    fn outage() -> StorageError {
        StorageError::Unavailable(io::Error::new(
            io::ErrorKind::ConnectionRefused,
            "connection refused",
        ))
    }

    #[test]
    fn creates_a_workspace() {
        let mut service = WorkspaceService::new(ScriptedStore::default());

        let created = service.create("  Research ").unwrap();

        assert_eq!(created.name, "Research");
        assert_eq!(service.store.workspaces, vec![created]);
    }

    #[test]
    fn a_storage_conflict_becomes_already_exists() {
        let mut service = WorkspaceService::new(ScriptedStore::default());
        service.create("Research").unwrap();

        let result = service.create("Research");

        assert!(
            matches!(result, Err(ServiceError::AlreadyExists)),
            "got {result:?}"
        );
    }

    #[test]
    fn an_outage_becomes_internal_and_keeps_the_storage_error_as_source() {
        let mut service = WorkspaceService::new(ScriptedStore::failing_with(outage()));

        let error = service.create("Research").unwrap_err();

        assert!(matches!(error, ServiceError::Internal(..)), "got {error:?}");
        let source = error
            .source()
            .expect("Internal must return the storage error from source()");
        let storage = source
            .downcast_ref::<StorageError>()
            .expect("the source must be the StorageError itself, not a copy of its text");
        assert!(matches!(storage, StorageError::Unavailable(_)));
    }

    #[test]
    fn the_whole_cause_chain_survives_and_is_printed_once() {
        let mut service = WorkspaceService::new(ScriptedStore::failing_with(outage()));

        let error = service.create("Research").unwrap_err();

        assert_eq!(
            report(&error),
            "internal error: storage unavailable: connection refused"
        );
    }

    #[test]
    fn archiving_an_unknown_workspace_is_not_found() {
        let mut service = WorkspaceService::new(ScriptedStore::default());

        let result = service.archive(WorkspaceId(7));

        assert!(
            matches!(result, Err(ServiceError::NotFound)),
            "got {result:?}"
        );
    }

    #[test]
    fn archiving_saves_the_archived_workspace() {
        let mut service = WorkspaceService::new(ScriptedStore::default());
        let created = service.create("Research").unwrap();

        let archived = service.archive(created.id).unwrap();

        assert!(archived.archived);
        assert_eq!(service.store.workspaces, vec![archived]);
    }

    #[test]
    fn an_outage_while_archiving_is_internal_with_its_source() {
        let mut service = WorkspaceService::new(ScriptedStore::default());
        let created = service.create("Research").unwrap();
        service.store.next_failure = Some(outage());

        let error = service.archive(created.id).unwrap_err();

        assert_eq!(
            report(&error),
            "internal error: storage unavailable: connection refused"
        );
    }

    #[test]
    fn a_conflict_on_another_index_is_internal_not_already_exists() {
        let mut service =
            WorkspaceService::new(ScriptedStore::failing_with(StorageError::Conflict {
                constraint: "workspaces_external_id_key",
            }));

        let error = service.create("Research").unwrap_err();

        assert!(
            matches!(error, ServiceError::Internal(_)),
            "only the name's index means \"name taken\"; got {error:?}"
        );
        assert_eq!(
            report(&error),
            "internal error: unique constraint workspaces_external_id_key violated"
        );
    }
}
