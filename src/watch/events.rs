//! What headless watch reports, one JSON object per line (see docs/headless.md).
//!
//! The events are a typed enum, tagged by `"event"`, so that the format is
//! written down in one place and the compiler holds every emitter to it.

use patterns_core::contract::TestChange;
use patterns_core::verdict::{Status, Verdict};
use serde::Serialize;

/// One line of headless output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Report {
    /// Once, at start: how saves are noticed, and the current exercise.
    Watching { mode: String, exercise: String },
    /// A check starts.
    RunStarted { exercise: String, run: u64 },
    /// Cargo's progress through the build of a check.
    Building { run: u64, done: usize, total: usize },
    /// A check finished.
    Verdict {
        run: u64,
        exercise: String,
        status: Status,
        done: bool,
        tests_passed: usize,
        tests_total: usize,
        first_error: Option<String>,
        tests_changed: Vec<TestChange>,
        duration_ms: u64,
    },
    /// After a verdict that is done: the new current exercise, if it moved.
    Done {
        exercise: String,
        next: Option<String>,
    },
    /// The watcher fell back to polling, could not watch, ...
    Notice { message: String },
    /// Something a person should read.
    Error {
        message: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        run: Option<u64>,
    },
}

impl Report {
    /// The `verdict` event of check `run`.
    pub fn verdict(run: u64, verdict: &Verdict) -> Report {
        let (tests_passed, tests_total) = verdict.test_counts();
        Report::Verdict {
            run,
            exercise: verdict.exercise.clone(),
            status: verdict.status,
            done: verdict.is_done(),
            tests_passed,
            tests_total,
            first_error: verdict.first_error.as_ref().map(ToString::to_string),
            tests_changed: verdict.tests_changed.clone(),
            duration_ms: u64::try_from(verdict.elapsed.as_millis()).unwrap_or(u64::MAX),
        }
    }
}
