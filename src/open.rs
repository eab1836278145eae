//! Opening a workbook for a command: its root, catalog and originals, the
//! learner's session (progress), and the lock of a command that writes.
//!
//! Every command and the watch screen open a workbook through [`OpenWorkbook`], so
//! that finding the root, choosing the track, warning about a progress file kept
//! aside, and saying why progress could not be saved happen in one place.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use patterns_core::catalog::{ALL_TRACKS, Catalog};
use patterns_core::progress::{Progress, Store};
use patterns_core::session::Session;
use patterns_core::workbook::{Lock, Workbook};

use crate::output::WARN;

/// The root named on the command line, else the nearest folder at or above the
/// current one that has an `info.toml`.
pub fn root(dir: Option<&Path>) -> Result<PathBuf> {
    Ok(match dir {
        Some(dir) => dir.to_path_buf(),
        None => Workbook::find_root(&std::env::current_dir()?)?,
    })
}

/// The workbook at `dir` (or found from the current folder), finding original
/// texts in this binary's curriculum first.
pub fn workbook(dir: Option<&Path>) -> Result<Workbook> {
    Ok(Workbook::open(&root(dir)?)?.with_embedded(crate::originals::ORIGINALS))
}

/// How many warnings about its info.toml a command says before it goes on.
const WARNINGS_SHOWN: usize = 3;

/// What is odd but accepted in the workbook's info.toml, a few at most (a
/// rustlings set may carry a key of its own on every exercise).
pub fn warnings(workbook: &Workbook) -> Vec<String> {
    let all = &workbook.catalog.warnings;
    let mut lines: Vec<String> = all
        .iter()
        .take(WARNINGS_SHOWN)
        .map(ToString::to_string)
        .collect();
    if all.len() > WARNINGS_SHOWN {
        lines.push(format!(
            "and {} more about info.toml; `patterns dev check` lists them all",
            all.len() - WARNINGS_SHOWN
        ));
    }
    lines
}

/// A workbook opened for a learner: where they stand, where it is saved, and (for
/// a command that changes things) the workbook's lock.
/// Which workbook, and which of its tracks, a learner's command works on.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// `--workbook DIR`; by default the nearest folder with an info.toml.
    pub dir: Option<PathBuf>,
    /// `--track NAME` (or `all`); by default the track the learner follows.
    pub track: Option<String>,
}

pub struct OpenWorkbook {
    pub workbook: Workbook,
    pub store: Store,
    pub session: Session,
    _lock: Option<Lock>,
}

impl OpenWorkbook {
    /// Opens the workbook on the selected track; `lock_as` takes its lock for a
    /// command that writes (which also remembers a track chosen with `--track`).
    pub fn open(at: &Selection, lock_as: Option<&str>) -> Result<OpenWorkbook> {
        let workbook = workbook(at.dir.as_deref())?;
        let lock = match lock_as {
            Some(what) => Some(workbook.lock(what)?),
            None => None,
        };
        let store = workbook.store();
        let loaded = store
            .load()
            .with_context(|| format!("cannot read {}", store.path().display()))?;
        if let Some(warning) = &loaded.warning {
            let mut err = anstream::stderr();
            let _ = writeln!(err, "{WARN}warning{WARN:#}: {warning}");
        }
        for line in warnings(&workbook) {
            let mut err = anstream::stderr();
            let _ = writeln!(err, "{WARN}warning{WARN:#}: {line}");
        }
        let mut progress = loaded.progress;
        let catalog = on_track(&workbook, at, &progress)?;
        if lock_as.is_some() && at.track.is_some() {
            progress.track = catalog.track.as_ref().map(|t| t.name.clone());
        }
        let session = Session::new(catalog, progress);
        Ok(OpenWorkbook {
            workbook,
            store,
            session,
            _lock: lock,
        })
    }

    /// Saves progress; when it cannot, says so on stderr (after whatever the
    /// command showed: a verdict or a hint is never hidden by it).
    pub fn save(&self) {
        if let Err(error) = self.store.save(&self.session.progress) {
            let mut err = anstream::stderr();
            let _ = writeln!(
                err,
                "{WARN}warning{WARN:#}: cannot save your progress to {} ({error}); this step is not remembered. Make that folder writable; `patterns verify` rebuilds the done marks from your code.",
                self.store.path().display()
            );
        }
    }

    /// `path` relative to the workbook root, for messages.
    pub fn relative(&self, path: &Path) -> PathBuf {
        path.strip_prefix(&self.workbook.root)
            .unwrap_or(path)
            .to_path_buf()
    }
}

/// The catalog of the track asked for on the command line, else of the one the
/// learner follows, else the whole workbook. A remembered track that info.toml
/// no longer has is said, and the whole workbook is used.
fn on_track(workbook: &Workbook, at: &Selection, progress: &Progress) -> Result<Catalog> {
    let catalog = &workbook.catalog;
    match at.track.as_deref() {
        Some(ALL_TRACKS) => Ok(catalog.clone()),
        Some(name) => Ok(catalog.for_track(name)?),
        None => match progress.track.as_deref() {
            None => Ok(catalog.clone()),
            Some(name) => catalog.for_track(name).or_else(|error| {
                let mut err = anstream::stderr();
                let _ = writeln!(
                    err,
                    "{WARN}warning{WARN:#}: you followed the track \"{name}\", but {error}; showing the whole workbook"
                );
                Ok(catalog.clone())
            }),
        },
    }
}
