//! Notices when the learner saves an exercise, whatever their editor does to the file
//! system to save it, and says so once per save.
//!
//! Editors save in many ways: they write in place, truncate and write, write a temporary
//! file and rename it over the original (vim, VS Code, JetBrains "safe write", emacs), or
//! delete and create. One save is a burst of raw events on several paths, among them
//! swap, backup, lock and temporary files. This module waits for the burst to end (a
//! quiet period of [`QUIET`]) and then looks at the files *as they are now*, not at the
//! events, so neither the order nor the shape of an editor's events matters: a path whose
//! content differs from what was last seen is reported once as [`WatchEvent::Changed`].
//!
//! Where native events are known to go missing (a Windows drive seen from WSL, a network
//! file system) or the native watcher cannot start, it polls instead and says why, once.
//!
//! It must never: report anything but a `.rs` file under `exercises/` (never a swap,
//! backup or temporary file); use CPU while nothing happens (its thread blocks on a
//! channel and only sets a timeout while a burst is being waited out); write to any file;
//! panic; or call back after its [`Watcher`] has been dropped.
//!
//! Inside: `debounce` (waiting out a burst and comparing contents), `mounts` (where
//! native events go missing, so it polls).

mod debounce;
mod mounts;
#[cfg(test)]
mod tests;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Sender};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use anyhow::{Context, bail};
use notify::{Event, PollWatcher, RecommendedWatcher, RecursiveMode};

use debounce::Debouncer;
use mounts::polling_reason;

/// How long the folder must stay quiet after an event before a save counts as done.
/// Editors finish one save well within this; a person cannot save twice within it.
pub(super) const QUIET: Duration = Duration::from_millis(20);
/// The longest a change waits while events keep coming (a tool rewriting files
/// non-stop), so that a steady stream cannot hold every report back forever.
pub(super) const MAX_DELAY: Duration = Duration::from_secs(1);
/// How often polling looks at every exercise.
const POLL_INTERVAL: Duration = Duration::from_millis(500);
/// The folder under the workbook root that holds the learner's files.
pub(super) const EXERCISES: &str = "exercises";
/// How to watch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WatchMode {
    /// The operating system's change notifications (inotify, FSEvents, ...).
    Native,
    /// Looking at every exercise every half second.
    Poll,
}

/// What the watcher reports, through the callback, from its own thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WatchEvent {
    /// A `.rs` file under exercises/ was saved (debounced), relative to the workbook root.
    Changed(PathBuf),
    /// The watcher chose polling, and why (say it to the learner once).
    Polling(String),
    /// Something went wrong; a message a person can act on.
    Error(String),
}

/// Watches a workbook's exercises; dropping it stops watching.
pub struct Watcher {
    mode: WatchMode,
    /// Kept alive only: dropping it ends notify's own thread.
    _backend: Box<dyn notify::Watcher + Send>,
    /// Tells the debounce thread to stop.
    stop: Sender<Message>,
    /// The debounce thread, joined on drop so that no callback runs afterwards.
    debouncer: Option<JoinHandle<()>>,
}

/// What the debounce thread receives.
pub(super) enum Message {
    Notify(notify::Result<Event>),
    Stop,
}

impl Watcher {
    /// Starts watching `root/exercises` recursively. Events go to `send`, which must not
    /// block for long (the app wraps an mpsc Sender in it).
    pub fn start(
        root: &Path,
        mode: WatchMode,
        send: impl Fn(WatchEvent) + Send + 'static,
    ) -> anyhow::Result<Watcher> {
        Watcher::start_with_quiet(root, mode, QUIET, send)
    }

    /// [`Watcher::start`] with another quiet period (tests of the coalescing
    /// that must not depend on how busy the machine is).
    pub(super) fn start_with_quiet(
        root: &Path,
        mode: WatchMode,
        quiet: Duration,
        send: impl Fn(WatchEvent) + Send + 'static,
    ) -> anyhow::Result<Watcher> {
        let root = fs::canonicalize(root).with_context(|| {
            format!(
                "cannot open the workbook folder {}; check that it exists",
                root.display()
            )
        })?;
        let exercises = root.join(EXERCISES);
        if !exercises.is_dir() {
            bail!(
                "{} has no {EXERCISES}/ folder to watch; run patterns from the workbook folder (the one with info.toml)",
                root.display()
            );
        }

        let (sender, receiver) = mpsc::channel();
        let (backend, mode, notice) = open_backend(&exercises, mode, &sender)?;
        // Taken once the watch is set up: a save after `start` returns both differs from
        // the baseline and has its events queued. (A save during `start` itself may go
        // unreported: the baseline already holds its content.)
        let debouncer = Debouncer::new(root, exercises, quiet, send);
        let debouncer = thread::Builder::new()
            .name("patterns-watcher".to_owned())
            .spawn(move || debouncer.run(&receiver, notice))
            .context("cannot start the file watcher's thread; the system may be out of resources, try again")?;

        Ok(Watcher {
            mode,
            _backend: backend,
            stop: sender,
            debouncer: Some(debouncer),
        })
    }

    /// Which mode is in effect (after any automatic fallback).
    pub fn mode(&self) -> WatchMode {
        self.mode
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        // The thread may already be gone; then there is nobody to tell.
        let _ = self.stop.send(Message::Stop);
        if let Some(debouncer) = self.debouncer.take() {
            // Joining from the debounce thread itself (a callback that drops its own
            // watcher) would wait forever; that thread stops right after anyway.
            if debouncer.thread().id() != thread::current().id() {
                let _ = debouncer.join();
            }
        }
    }
}

/// Starts notify the way `asked` and the file system call for. Returns the watcher,
/// the mode in effect, and why it polls (if it does).
fn open_backend(
    exercises: &Path,
    asked: WatchMode,
    sender: &Sender<Message>,
) -> anyhow::Result<(Box<dyn notify::Watcher + Send>, WatchMode, Option<String>)> {
    let reason = match asked {
        WatchMode::Poll => {
            "watching by polling, as asked with --poll; saves show within about a second".to_owned()
        }
        WatchMode::Native => match polling_reason(exercises) {
            Some(reason) => reason,
            None => match native_watcher(exercises, sender) {
                Ok(watcher) => return Ok((watcher, WatchMode::Native, None)),
                Err(error) => format!(
                    "the native file watcher could not start ({}); watching by polling",
                    describe(&error)
                ),
            },
        },
    };
    let watcher = poll_watcher(exercises, sender).with_context(|| {
        format!(
            "cannot watch {} for changes, not even by polling; check that the folder is readable",
            exercises.display()
        )
    })?;
    Ok((watcher, WatchMode::Poll, Some(reason)))
}

fn native_watcher(
    exercises: &Path,
    sender: &Sender<Message>,
) -> notify::Result<Box<dyn notify::Watcher + Send>> {
    use notify::Watcher as _;
    let mut watcher = RecommendedWatcher::new(forward_to(sender), notify::Config::default())?;
    watcher.watch(exercises, RecursiveMode::Recursive)?;
    Ok(Box::new(watcher))
}

fn poll_watcher(
    exercises: &Path,
    sender: &Sender<Message>,
) -> notify::Result<Box<dyn notify::Watcher + Send>> {
    use notify::Watcher as _;
    // notify compares modification times in whole seconds, so two saves within one
    // second would look alike; comparing contents catches them. The exercises are a
    // few dozen small files, so reading them twice a second costs little.
    let config = notify::Config::default()
        .with_poll_interval(POLL_INTERVAL)
        .with_compare_contents(true);
    let mut watcher = PollWatcher::new(forward_to(sender), config)?;
    watcher.watch(exercises, RecursiveMode::Recursive)?;
    Ok(Box::new(watcher))
}

/// notify's callback: hands every raw event to the debounce thread, never blocking.
fn forward_to(sender: &Sender<Message>) -> impl FnMut(notify::Result<Event>) + Send + 'static {
    let sender = sender.clone();
    move |event| {
        // Fails only once the debounce thread has stopped, when nobody wants events.
        let _ = sender.send(Message::Notify(event));
    }
}

/// A notify error as a person reads it.
pub(super) fn describe(error: &notify::Error) -> String {
    match error.kind {
        notify::ErrorKind::MaxFilesWatch => {
            "the system's limit on watched folders is reached; raise fs.inotify.max_user_watches"
                .to_owned()
        }
        _ => error.to_string(),
    }
}
