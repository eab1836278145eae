//! The debounce thread: waits for a burst of raw events to end, then looks at the
//! touched files as they are and reports each exercise whose content changed, once.
//!
//! Hand-written on purpose: the debouncer crates wake up periodically and report
//! events, not contents; a save that rewrites a file with the same text, or a burst
//! of ten writes, must come out as no change or one change.

use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode};
use notify::{Event, EventKind};

use super::{MAX_DELAY, Message, WatchEvent, describe};

/// The debounce thread's state: what each exercise held when last seen.
pub(super) struct Debouncer<F> {
    /// The canonical workbook root; reported paths are relative to it.
    root: PathBuf,
    exercises: PathBuf,
    /// How long a file must rest before its change is reported.
    quiet: Duration,
    /// Content hash of every exercise as last seen or reported.
    baseline: HashMap<PathBuf, u64>,
    send: F,
    /// The last error reported, so that a repeated one is said once.
    last_error: Option<String>,
}

/// Paths touched since the last flush.
#[derive(Default)]
struct Pending {
    paths: BTreeSet<PathBuf>,
    /// Events were lost (the kernel's queue overflowed): look at everything.
    rescan: bool,
}

impl<F: Fn(WatchEvent)> Debouncer<F> {
    /// A debouncer for the `.rs` files under `exercises`, with their contents as
    /// they are now as the baseline.
    pub(super) fn new(root: PathBuf, exercises: PathBuf, quiet: Duration, send: F) -> Debouncer<F> {
        let mut baseline = HashMap::new();
        for path in rust_files(&exercises) {
            if let Ok(bytes) = fs::read(&path) {
                baseline.insert(path, content_hash(&bytes));
            }
        }
        Debouncer {
            root,
            exercises,
            quiet,
            baseline,
            send,
            last_error: None,
        }
    }

    pub(super) fn run(mut self, receiver: &Receiver<Message>, notice: Option<String>) {
        if let Some(reason) = notice {
            (self.send)(WatchEvent::Polling(reason));
        }
        let mut pending = Pending::default();
        // When to flush, while something is pending; `flush_by` caps how far later
        // events may push it.
        let mut deadline: Option<Instant> = None;
        let mut flush_by: Option<Instant> = None;
        loop {
            let received = match deadline {
                None => receiver.recv().map_err(|_| RecvTimeoutError::Disconnected),
                Some(at) => receiver.recv_timeout(at.saturating_duration_since(Instant::now())),
            };
            match received {
                Ok(Message::Stop) | Err(RecvTimeoutError::Disconnected) => return,
                Ok(Message::Notify(Ok(event))) => {
                    if note(&event, &mut pending) {
                        let now = Instant::now();
                        let by = *flush_by.get_or_insert(now + MAX_DELAY);
                        deadline = Some((now + self.quiet).min(by));
                    }
                }
                Ok(Message::Notify(Err(error))) => self.report_error(&error),
                Err(RecvTimeoutError::Timeout) => {
                    self.flush(std::mem::take(&mut pending));
                    deadline = None;
                    flush_by = None;
                }
            }
        }
    }

    /// Looks at every touched path as it is now and reports the exercises whose content
    /// changed, once each, in path order.
    fn flush(&mut self, pending: Pending) {
        let mut files = BTreeSet::new();
        if pending.rescan {
            self.baseline.retain(|path, _| path.is_file());
            files.extend(rust_files(&self.exercises));
        }
        for path in pending.paths {
            match fs::metadata(&path) {
                // A folder created or moved in: its files may predate the folder's watch.
                Ok(meta) if meta.is_dir() => files.extend(rust_files(&path)),
                Ok(meta) if meta.is_file() && is_exercise_file(&path) => {
                    files.insert(path);
                }
                Ok(_) => {}
                // Gone (renamed away, deleted): forget it, so that it counts as changed
                // when it comes back, however late.
                Err(_) => self.baseline.retain(|known, _| !known.starts_with(&path)),
            }
        }
        for path in files {
            self.check(path);
        }
    }

    /// Reports `path` if its content differs from the baseline.
    fn check(&mut self, path: PathBuf) {
        match fs::read(&path) {
            Ok(bytes) => {
                let hash = content_hash(&bytes);
                if self.baseline.insert(path.clone(), hash) == Some(hash) {
                    return;
                }
            }
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                self.baseline.remove(&path);
                return;
            }
            // Unreadable right now: report it anyway, and the check shows why.
            Err(_) => {
                self.baseline.remove(&path);
            }
        }
        if let Ok(relative) = path.strip_prefix(&self.root) {
            (self.send)(WatchEvent::Changed(relative.to_path_buf()));
        }
    }

    fn report_error(&mut self, error: &notify::Error) {
        let message = match error.kind {
            notify::ErrorKind::MaxFilesWatch => "the system's limit on watched folders is reached, so new folders under exercises/ go unnoticed; raise fs.inotify.max_user_watches or restart patterns with --poll".to_owned(),
            _ => format!(
                "the file watcher reported a problem ({}); if saves stop being noticed, restart patterns with --poll",
                describe(error)
            ),
        };
        if self.last_error.as_deref() != Some(message.as_str()) {
            self.last_error = Some(message.clone());
            (self.send)(WatchEvent::Error(message));
        }
    }
}

/// Adds the paths of `event` that may matter to `pending`; says whether any did.
fn note(event: &Event, pending: &mut Pending) -> bool {
    if event.need_rescan() {
        pending.rescan = true;
        return true;
    }
    // Opening and reading change nothing, and reading is what `check` does: noting it
    // would make every flush cause another.
    if let EventKind::Access(kind) = event.kind
        && kind != AccessKind::Close(AccessMode::Write)
    {
        return false;
    }
    let mut noted = false;
    for path in &event.paths {
        if worth_a_look(path) {
            pending.paths.insert(path.clone());
            noted = true;
        }
    }
    noted
}

/// Whether an event on `path` may concern an exercise: a `.rs` file, or a folder (which
/// has no extension) that may hold some.
fn worth_a_look(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|name| name.to_str()) else {
        return false;
    };
    !is_scratch_name(name) && path.extension().is_none_or(|extension| extension == "rs")
}

/// Whether `path` names an exercise file: `.rs`, and no editor's scratch file.
pub(super) fn is_exercise_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|name| name.to_str())
        .is_some_and(|name| !is_scratch_name(name))
        && path.extension().is_some_and(|extension| extension == "rs")
}

/// Names that editors use for swap, backup, lock and temporary files.
fn is_scratch_name(name: &str) -> bool {
    // Hidden: vim's `.name.swp`, emacs's `.#name` lock, gedit's `.goutputstream-*`.
    name.starts_with('.')
        // emacs's auto-save `#name#`.
        || name.starts_with('#')
        || name.ends_with('#')
        // vim's and emacs's backups.
        || name.ends_with('~')
        // vim's probe for whether it may create files in the folder.
        || name == "4913"
        || [
            ".swp",
            ".swx",
            ".swo",
            ".tmp",
            ".bak",
            ".orig",
            "___jb_tmp___",
            "___jb_old___",
        ]
        .iter()
        .any(|suffix| name.ends_with(suffix))
}

/// Every exercise file under `dir`, not following links to folders (no loops).
pub(super) fn rust_files(dir: &Path) -> BTreeSet<PathBuf> {
    let mut found = BTreeSet::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let Ok(entries) = fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            // Hidden folders hold no exercises (and may be large, like `.git`).
            let hidden = entry.file_name().to_string_lossy().starts_with('.');
            match entry.file_type() {
                Ok(kind) if kind.is_dir() && !hidden => folders.push(path),
                Ok(_) if is_exercise_file(&path) && path.is_file() => {
                    found.insert(path);
                }
                _ => {}
            }
        }
    }
    found
}

fn content_hash(bytes: &[u8]) -> u64 {
    let mut hasher = DefaultHasher::new();
    bytes.hash(&mut hasher);
    hasher.finish()
}
