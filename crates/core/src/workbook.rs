//! A workbook on disk: its root, catalog, state folder, lock, and the original text
//! of its exercises.
//!
//! Everything patterns writes lives under `.patterns/` in the workbook (state,
//! backups, the lock), which ignores itself for git. A learner's exercise file is
//! only ever replaced by [`Workbook::reset`], and only after a backup was written.

use std::fs::{File, TryLockError};
use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::catalog::{Catalog, Exercise, INFO_FILE, LoadError};
use crate::contract;
use crate::originals::{self, Embedded, Manifest, ManifestError, Original, OriginalSource};
use crate::progress::{self, Store};

/// The folder, under the workbook root, where patterns keeps its state.
pub const STATE_DIR: &str = ".patterns";

/// Why a workbook could not be opened or used.
#[derive(Debug, thiserror::Error)]
pub enum WorkbookError {
    #[error(
        "no {INFO_FILE} in {} or any folder above it; run patterns inside a workbook (the folder with info.toml)",
        .0.display()
    )]
    NotFound(PathBuf),
    #[error(transparent)]
    Catalog(#[from] LoadError),
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    #[error(
        "another patterns ({0}) is using this workbook; quit it first (its screen has the same commands), or wait for it to finish"
    )]
    Locked(String),
    #[error(transparent)]
    Io(#[from] io::Error),
    #[error(
        "cannot find the original text of {path}: the file has changed, this patterns was built without it, and git does not have it; get the file from the workbook's repository"
    )]
    NoOriginal { path: String },
    #[error(
        "cannot save your version of {} to {}: {error}; nothing was changed. Make that folder writable, or copy your file elsewhere and reset again",
        file.display(), backup.display()
    )]
    Backup {
        file: PathBuf,
        backup: PathBuf,
        error: io::Error,
    },
    #[error("cannot put the original tests back into {}: {reason}", path.display())]
    TestsNotRestored {
        path: PathBuf,
        reason: contract::RestoreError,
    },
    #[error("cannot write {}: {error}; your version is saved as {}", file.display(), backup.as_deref().map_or_else(|| "(it had no changes)".into(), |b| b.display().to_string()))]
    Restore {
        file: PathBuf,
        backup: Option<PathBuf>,
        error: io::Error,
    },
}

/// An opened workbook.
#[derive(Debug, Clone)]
pub struct Workbook {
    /// Absolute, canonical.
    pub root: PathBuf,
    pub catalog: Catalog,
    /// `originals.toml`, when the workbook has one.
    pub originals: Option<Manifest>,
    /// Original texts the running binary carries (see [`Workbook::with_embedded`]).
    embedded: Embedded,
}

impl Workbook {
    /// The nearest folder at or above `start` that has an `info.toml`.
    pub fn find_root(start: &Path) -> Result<PathBuf, WorkbookError> {
        let start = start.canonicalize()?;
        start
            .ancestors()
            .find(|dir| dir.join(INFO_FILE).is_file())
            .map(Path::to_path_buf)
            .ok_or(WorkbookError::NotFound(start))
    }

    /// Opens the workbook at `root`, validating its catalog.
    pub fn open(root: &Path) -> Result<Workbook, WorkbookError> {
        let root = root.canonicalize()?;
        let info_text =
            std::fs::read_to_string(root.join(INFO_FILE)).map_err(|source| LoadError::Read {
                path: root.join(INFO_FILE),
                source,
            })?;
        let mut catalog =
            Catalog::from_toml_unverified(&info_text, &root).map_err(LoadError::from)?;
        // Verifying that every check names items its solution has means parsing
        // every solution: remember a success until info.toml or a solution changes.
        let stamp = root.join(STATE_DIR).join("verified-checks");
        let fingerprint = checks_fingerprint(&root, &info_text, &catalog);
        if std::fs::read_to_string(&stamp).ok().as_deref() != Some(fingerprint.as_str()) {
            catalog = Catalog::from_toml(&info_text, Some(&root)).map_err(LoadError::from)?;
            if root.join(STATE_DIR).is_dir() {
                // Only a cache: failing to write it costs time, nothing else.
                let _ = std::fs::write(&stamp, &fingerprint);
            }
        }
        let originals = Manifest::load(&root)?;
        Ok(Workbook {
            root,
            catalog,
            originals,
            embedded: &[],
        })
    }

    /// The workbook, finding original texts in `embedded` first (the `patterns`
    /// binary carries its own curriculum's).
    pub fn with_embedded(mut self, embedded: Embedded) -> Workbook {
        self.embedded = embedded;
        self
    }

    pub fn state_dir(&self) -> PathBuf {
        self.root.join(STATE_DIR)
    }

    /// The progress store, in `.patterns/` (which ignores itself for git).
    /// The folder is created when it can be; when it cannot, saving says why.
    pub fn store(&self) -> Store {
        let _ = self.ensure_state_dir();
        Store::new(self.state_dir().join("state.toml"))
    }

    /// Creates `.patterns/` (which ignores itself for git) if it is not there.
    pub fn ensure_state_dir(&self) -> io::Result<()> {
        let dir = self.state_dir();
        std::fs::create_dir_all(&dir)?;
        let ignore = dir.join(".gitignore");
        if !ignore.exists() {
            std::fs::write(
                ignore,
                "# patterns' own state: progress, backups, lock\n*\n",
            )?;
        }
        Ok(())
    }

    /// Takes the workbook's lock for `what` (e.g. "patterns watch"), refusing when
    /// another process holds it. The lock is released when [`Lock`] drops or the
    /// process dies.
    ///
    /// On Unix the lock is on the workbook's folder itself, so that removing
    /// `.patterns/` (or making it unwritable) cannot let a second writer in; who
    /// holds it is noted in `.patterns/lock`, for the refusal's message. Elsewhere
    /// the lock is on that file.
    pub fn lock(&self, what: &str) -> Result<Lock, WorkbookError> {
        let note = self.state_dir().join("lock");
        #[cfg(unix)]
        let file = File::open(&self.root)?;
        #[cfg(not(unix))]
        let file = {
            self.ensure_state_dir()?;
            File::options()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&note)?
        };
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let holder = std::fs::read_to_string(&note).unwrap_or_default();
                let holder = holder.trim();
                return Err(WorkbookError::Locked(if holder.is_empty() {
                    "another process".to_owned()
                } else {
                    holder.to_owned()
                }));
            }
            Err(TryLockError::Error(error)) => return Err(error.into()),
        }
        // Only a note for the message of a refused second process.
        let _ = self
            .ensure_state_dir()
            .and_then(|()| std::fs::write(&note, format!("{what}, pid {}", std::process::id())));
        Ok(Lock { _file: file })
    }

    /// The absolute path of an exercise's file.
    pub fn exercise_file(&self, exercise: &Exercise) -> PathBuf {
        self.root.join(exercise.path())
    }

    /// The original text of an exercise, from a source the learner's edits and
    /// commits cannot change (see [`crate::originals`]).
    pub fn original(&self, exercise: &Exercise) -> Result<Original, WorkbookError> {
        let relative = exercise.path().to_string_lossy().replace('\\', "/");
        let found = match &self.originals {
            Some(manifest) => manifest.original(&self.root, &relative, self.embedded),
            None => originals::from_git_head(&self.root, &relative),
        };
        found.ok_or(WorkbookError::NoOriginal { path: relative })
    }

    /// Puts the exercise back to its original text, after copying the learner's
    /// version to `.patterns/backups/`. Returns the backup's path (None when the file
    /// was missing or already original). When the backup cannot be written, the
    /// file is left as it is.
    pub fn reset(&self, exercise: &Exercise) -> Result<Reset, WorkbookError> {
        let original = self.original(exercise)?;
        self.replace(exercise, &original.text).map(|backup| Reset {
            backup,
            source: original.source,
        })
    }

    /// Puts back the whole file or only its tests, as `scope` says.
    pub fn reset_scope(
        &self,
        exercise: &Exercise,
        scope: ResetScope,
    ) -> Result<Reset, WorkbookError> {
        match scope {
            ResetScope::Exercise => self.reset(exercise),
            ResetScope::Tests => self.restore_tests(exercise),
        }
    }

    /// Puts the original `mod tests` back into the exercise's file and keeps the
    /// rest of the learner's code, after saving their version under
    /// `.patterns/backups/`. Returns the backup's path (None when nothing changed).
    pub fn restore_tests(&self, exercise: &Exercise) -> Result<Reset, WorkbookError> {
        let original = self.original(exercise)?;
        let file = self.exercise_file(exercise);
        let mine = std::fs::read_to_string(&file).map_err(|error| WorkbookError::Restore {
            file: file.clone(),
            backup: None,
            error,
        })?;
        let restored = contract::restore_tests(&mine, &original.text).map_err(|reason| {
            WorkbookError::TestsNotRestored {
                path: exercise.path(),
                reason,
            }
        })?;
        self.replace(exercise, &restored).map(|backup| Reset {
            backup,
            source: original.source,
        })
    }

    /// Writes `text` over the exercise's file, after saving the learner's version
    /// (when it differs) under `.patterns/backups/`. Returns the backup's path.
    pub fn replace(
        &self,
        exercise: &Exercise,
        text: &str,
    ) -> Result<Option<PathBuf>, WorkbookError> {
        let file = self.exercise_file(exercise);
        let current = match std::fs::read(&file) {
            Ok(bytes) => Some(bytes),
            Err(error) if error.kind() == io::ErrorKind::NotFound => None,
            Err(error) => {
                return Err(WorkbookError::Restore {
                    file,
                    backup: None,
                    error,
                });
            }
        };
        let backup = match current {
            Some(bytes) if bytes != text.as_bytes() => Some(self.backup(exercise, &bytes)?),
            _ => None,
        };
        progress::write_atomically(&file, text.as_bytes()).map_err(|error| {
            WorkbookError::Restore {
                file: file.clone(),
                backup: backup.clone(),
                error,
            }
        })?;
        Ok(backup)
    }

    fn backup(&self, exercise: &Exercise, bytes: &[u8]) -> Result<PathBuf, WorkbookError> {
        let dir = self.state_dir().join("backups");
        let failed = |error| WorkbookError::Backup {
            file: exercise.path(),
            backup: dir.clone(),
            error,
        };
        std::fs::create_dir_all(&dir).map_err(failed)?;
        let stamp = progress::timestamp(SystemTime::now()).replace(':', "-");
        let mut path = dir.join(format!("{}-{stamp}.rs", exercise.name));
        let mut n = 1;
        while path.exists() {
            path = dir.join(format!("{}-{stamp}-{n}.rs", exercise.name));
            n += 1;
        }
        progress::write_atomically(&path, bytes).map_err(failed)?;
        Ok(path)
    }
}

/// What the verification of the checks against the solutions depended on: the
/// catalog's text and each solution's size and modification time.
fn checks_fingerprint(root: &Path, info_text: &str, catalog: &Catalog) -> String {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    env!("CARGO_PKG_VERSION").hash(&mut hasher);
    info_text.hash(&mut hasher);
    for exercise in catalog.exercises.iter().filter(|e| !e.checks.is_empty()) {
        let path = exercise.solution_path();
        path.hash(&mut hasher);
        if let Ok(meta) = std::fs::metadata(root.join(&path)) {
            meta.len().hash(&mut hasher);
            if let Ok(modified) = meta.modified() {
                modified.hash(&mut hasher);
            }
        }
    }
    format!("{:016x}\n", hasher.finish())
}

/// What a reset puts back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResetScope {
    /// The whole file.
    Exercise,
    /// Only the original `mod tests`; the rest of the learner's code stays.
    Tests,
}

/// The outcome of a reset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reset {
    /// Where the learner's version was saved, if it differed from the original.
    pub backup: Option<PathBuf>,
    pub source: OriginalSource,
}

/// Held while a process works on the workbook.
#[derive(Debug)]
pub struct Lock {
    _file: File,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workbook() -> (tempfile::TempDir, Workbook) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("exercises/t")).unwrap();
        std::fs::write(
            dir.path().join("info.toml"),
            "format_version = 1\n[[exercises]]\nname = \"a\"\ndir = \"t\"\nhint = \"h\"\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("exercises/t/a.rs"), "// original\n").unwrap();
        let workbook = Workbook::open(dir.path()).unwrap();
        (dir, workbook)
    }

    #[test]
    fn checks_are_verified_against_the_solution_again_after_it_changes() {
        let (dir, _) = workbook();
        std::fs::write(
            dir.path().join("info.toml"),
            "format_version = 1\n[[exercises]]\nname = \"a\"\ndir = \"t\"\nhint = \"h\"\n\n[[exercises.checks]]\nkind = \"require_calls\"\nin = \"handler\"\ncalls = \"service\"\nmessage = \"go through the service\"\n",
        )
        .unwrap();
        std::fs::create_dir_all(dir.path().join("solutions/t")).unwrap();
        std::fs::create_dir_all(dir.path().join(STATE_DIR)).unwrap();
        let solution = dir.path().join("solutions/t/a.rs");
        std::fs::write(&solution, "fn service() {}\nfn handler() { service() }\n").unwrap();
        assert!(Workbook::open(dir.path()).is_ok());
        assert!(dir.path().join(STATE_DIR).join("verified-checks").is_file());
        // The cached verification holds while nothing changed.
        assert!(Workbook::open(dir.path()).is_ok());
        std::fs::write(
            &solution,
            "fn service() {}\nfn renamed_handler() { service() }\n",
        )
        .unwrap();
        let error = Workbook::open(dir.path()).unwrap_err().to_string();
        assert!(
            error.contains("which the solution does not have"),
            "{error}"
        );
    }

    #[test]
    fn finds_the_root_from_a_subfolder() {
        let (dir, _) = workbook();
        let root = Workbook::find_root(&dir.path().join("exercises/t")).unwrap();
        assert_eq!(root, dir.path().canonicalize().unwrap());
        let elsewhere = tempfile::tempdir().unwrap();
        assert!(matches!(
            Workbook::find_root(elsewhere.path()),
            Err(WorkbookError::NotFound(_))
        ));
    }

    #[test]
    fn a_second_lock_is_refused_with_the_holder_named() {
        let (_dir, workbook) = workbook();
        let held = workbook.lock("patterns watch").unwrap();
        let error = workbook.lock("patterns run").unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "another patterns (patterns watch, pid {}) is using this workbook; quit it first (its screen has the same commands), or wait for it to finish",
                std::process::id()
            )
        );
        drop(held);
        assert!(workbook.lock("patterns run").is_ok());
    }

    #[test]
    fn reset_from_git_keeps_a_backup() {
        let (dir, workbook) = workbook();
        let git = |args: &[&str]| {
            let status = std::process::Command::new("git")
                .current_dir(dir.path())
                .args(args)
                .output()
                .unwrap();
            assert!(status.status.success(), "{status:?}");
        };
        git(&["init", "-q"]);
        git(&["add", "."]);
        git(&[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "commit",
            "-qm",
            "start",
        ]);
        let file = dir.path().join("exercises/t/a.rs");
        std::fs::write(&file, "// my work\n").unwrap();
        let exercise = workbook.catalog.exercises[0].clone();
        let reset = workbook.reset(&exercise).unwrap();
        assert_eq!(reset.source, OriginalSource::GitHead);
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "// original\n");
        let backup = reset.backup.unwrap();
        assert!(backup.starts_with(workbook.state_dir().join("backups")));
        assert_eq!(std::fs::read_to_string(backup).unwrap(), "// my work\n");
        // Resetting an untouched file writes no backup.
        assert_eq!(workbook.reset(&exercise).unwrap().backup, None);
    }

    #[test]
    fn reset_without_any_original_says_so_and_touches_nothing() {
        let (dir, workbook) = workbook();
        let file = dir.path().join("exercises/t/a.rs");
        std::fs::write(&file, "// my work\n").unwrap();
        let error = workbook
            .reset(&workbook.catalog.exercises[0].clone())
            .unwrap_err();
        assert!(matches!(error, WorkbookError::NoOriginal { .. }), "{error}");
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "// my work\n");
    }
}
