//! # Typed errors: `?` and `From` between layers (solution)

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
    /// The store failed in a way the caller cannot fix. The storage error
    /// rides along as `source()`, so whoever logs this sees the whole chain
    /// down to the `io::Error`; the message itself stays generic, because a
    /// `Display` that also printed the source would show it twice in
    /// `report` and in every error-chain printer (anyhow, tracing, eyre).
    #[error("internal error")]
    Internal(#[source] StorageError),
}

/// The one place where storage failures get their meaning for the service.
///
/// Written by hand rather than with `#[from]`: the variants do not map one to
/// one. A conflict on the name's unique index is the caller's mistake (the
/// name is taken), so it becomes a domain error the handler answers with 409.
/// A conflict on any other index means our code broke an invariant, and
/// every other storage failure is ours too: those stay wrapped, so nothing
/// is lost. The `match` has no `_` arm: a new `StorageError` variant must be
/// decided here.
impl From<StorageError> for ServiceError {
    fn from(error: StorageError) -> Self {
        match error {
            StorageError::Conflict {
                constraint: NAME_UNIQUE,
            } => ServiceError::AlreadyExists,
            StorageError::Conflict { .. } | StorageError::Unavailable(_) => {
                ServiceError::Internal(error)
            }
        }
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
        // `?` calls `From<StorageError>`: the translation lives in one impl
        // instead of a `map_err` at every call, where one would be forgotten.
        let id = self.store.insert(name)?;
        Ok(Workspace {
            id,
            name: name.to_string(),
            archived: false,
        })
    }

    fn archive(&mut self, id: WorkspaceId) -> Result<Workspace, ServiceError> {
        // Two different failures, two operators: `?` for the store failing,
        // `ok_or` for the store answering "no such workspace", which is a
        // normal answer the service turns into its own error.
        let mut workspace = self.store.find(id)?.ok_or(ServiceError::NotFound)?;
        workspace.archived = true;
        self.store.update(&workspace)?;
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
