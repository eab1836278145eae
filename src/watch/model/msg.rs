//! The messages the loop receives from every thread, and the effects an update
//! asks the loop to carry out.

use std::path::PathBuf;

use patterns_core::cargo::BuildProgress;
use patterns_core::verdict::{Status, Verdict};
use patterns_core::workbook::ResetScope;

use super::Viewport;
use crate::watch::events::Report;

/// Everything the loop receives, from any thread.
#[derive(Debug)]
pub enum Msg {
    Key(crossterm::event::KeyEvent),
    /// Mouse wheel: positive scrolls down.
    Scroll(i16),
    Resize,
    /// A `.rs` file under exercises/ was saved (relative to the workbook root).
    FileChanged(PathBuf),
    /// Something to tell the learner once (a watcher error, another file saved).
    Notice(String),
    /// The watcher polls the files instead of using notifications, and why.
    Polling(String),
    /// Progress of the check numbered `run`.
    Building {
        run: u64,
        progress: BuildProgress,
    },
    /// The check numbered `run` finished.
    Checked {
        run: u64,
        verdict: Box<Verdict>,
    },
    /// The check could not run at all (cargo missing, ...).
    CheckFailed {
        run: u64,
        message: String,
    },
    /// Check-all progress and result: a line, each exercise as it is checked,
    /// then all verdicts.
    AllProgress(String),
    AllOne {
        name: String,
        status: Status,
    },
    AllChecked(Vec<Verdict>),
    /// The result of a reset: what to tell the learner, or why nothing changed.
    ResetDone {
        name: String,
        scope: ResetScope,
        result: Result<String, String>,
    },
    /// The solution's text for the side-by-side view.
    Solution {
        name: String,
        text: String,
        mine: String,
    },
    /// A periodic wake-up while a check runs (for the elapsed time).
    Tick,
    /// SIGTERM, SIGHUP, SIGINT from outside.
    Signal,
    /// A line from stdin in headless mode (`run [NAME]`, `quit`).
    Command(String),
    /// Progress could not be saved; what to tell the learner.
    SaveFailed(String),
    /// The frame just drawn, for scrolling.
    Viewport(Viewport),
}

/// What the loop must do after an update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Check this exercise as check number `run` (cancelling any check under way).
    Check {
        name: String,
        run: u64,
    },
    CheckAll,
    SaveProgress,
    Reset {
        name: String,
        scope: ResetScope,
    },
    LoadSolution(String),
    /// Tell a headless listener (an editor, a script) what happened.
    Report(Report),
    Quit,
}
