//! A verdict: everything a check found out about one exercise file, and its
//! status in a line (the one place each status is worded at that length; the
//! details are laid out by `crate::describe`).

use std::path::PathBuf;
use std::time::Duration;

use crate::architecture::CheckOutcome;
use crate::cargo::{Diagnostic, Location};
use crate::catalog::Exercise;
use crate::contract::TestChange;
use crate::libtest::{TestOutcome, TestStatus};
use crate::placeholders::Placeholder;

/// Which file of an exercise to check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The learner's file under `exercises/`.
    Exercise,
    /// The reference solution under `solutions/`.
    Solution,
}

impl Side {
    /// The Cargo target of this side of `exercise`.
    pub fn target(self, exercise: &Exercise) -> String {
        match self {
            Side::Exercise => exercise.name.clone(),
            Side::Solution => exercise.solution_target(),
        }
    }

    /// The file of this side of `exercise`, relative to the workbook root.
    pub fn file(self, exercise: &Exercise) -> PathBuf {
        match self {
            Side::Exercise => exercise.path(),
            Side::Solution => exercise.solution_path(),
        }
    }
}

/// The overall result of a check, the first reason it is not done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Done,
    /// rustc reported errors.
    CompileError,
    /// Cargo itself failed (a Cargo.toml problem, a missing target or dependency).
    BuildFailed,
    /// The tests or the program ran past the timeout and were killed.
    TimedOut,
    TestsFailed,
    /// The learner's tests are not the original ones (a test removed, weakened,
    /// ignored, or the module switched off).
    TestsChanged,
    /// The test binary exited successfully before every test reported a result
    /// (`std::process::exit` in a test, or in the code it calls).
    TestsUnfinished,
    /// `main` (or the test binary) exited with a failure status.
    ProgramFailed,
    /// The tests passed, then `main` failed (a rustlings set runs it too).
    MainFailed,
    /// An architecture check found the pattern missing.
    ChecksFailed,
    /// A `todo!()` or `unimplemented!()` is left.
    PlaceholdersLeft,
    /// Clippy reported what the exercise may not have: anything under
    /// `strict_clippy`, a deny-level lint in a rustlings set.
    ClippyFindings,
    /// The check was stopped before it finished (a newer save, Ctrl-C).
    Cancelled,
}

impl Status {
    pub fn is_done(self) -> bool {
        self == Status::Done
    }

    /// The check judged the learner's code (and progress should follow it), rather
    /// than being stopped or failing for reasons outside it (cargo could not build:
    /// no network for a dependency, a broken Cargo.toml).
    pub fn judges_the_code(self) -> bool {
        !matches!(self, Status::Cancelled | Status::BuildFailed)
    }

    /// A few words for people.
    pub fn describe(self) -> &'static str {
        match self {
            Status::Done => "done",
            Status::CompileError => "does not compile",
            Status::BuildFailed => "cargo could not build it",
            Status::TimedOut => "timed out (is there an infinite loop?)",
            Status::TestsFailed => "tests fail",
            Status::TestsUnfinished => "tests did not finish",
            Status::TestsChanged => "the tests were changed",
            Status::ProgramFailed => "the program failed",
            Status::MainFailed => "main failed",
            Status::ChecksFailed => "architecture checks fail",
            Status::PlaceholdersLeft => "todo!() left",
            Status::ClippyFindings => "clippy has findings",
            Status::Cancelled => "cancelled",
        }
    }
}

/// Everything a check found out about one exercise file.
#[derive(Debug, Clone)]
pub struct Verdict {
    pub exercise: String,
    pub side: Side,
    /// The exercise is judged by its tests (else by its `main`).
    pub test: bool,
    pub status: Status,
    /// The file that was checked, relative to the workbook root.
    pub file: PathBuf,
    /// Compiler diagnostics (errors and warnings), rendered with ANSI colours.
    pub diagnostics: Vec<Diagnostic>,
    /// Where the first compile error is.
    pub first_error: Option<Location>,
    /// Cargo's own message when it failed without a compiler diagnostic.
    pub cargo_error: Option<String>,
    /// Per test, in the harness's (alphabetical) order. Empty for `test = false`.
    pub tests: Vec<TestOutcome>,
    /// What the tests or the program printed (stdout, then stderr), lossily decoded.
    pub output: String,
    /// The output went past the cap and was cut.
    pub output_truncated: bool,
    /// The program's exit code, when it ran and exited normally.
    pub exit_code: Option<i32>,
    /// How the program ended when it did not exit by itself (a signal).
    pub crash: Option<String>,
    pub placeholders: Vec<Placeholder>,
    /// How the learner's tests differ from the original ones they must keep.
    pub tests_changed: Vec<TestChange>,
    pub checks: Vec<CheckOutcome>,
    /// Clippy's findings under `strict_clippy`.
    pub clippy: Vec<Diagnostic>,
    pub timeout: Duration,
    pub elapsed: Duration,
}

impl Verdict {
    /// A verdict with nothing found yet: done until a check says otherwise.
    pub fn new(exercise: &Exercise, side: Side) -> Verdict {
        Verdict {
            exercise: exercise.name.clone(),
            side,
            test: exercise.test,
            status: Status::Done,
            file: side.file(exercise),
            diagnostics: Vec::new(),
            first_error: None,
            cargo_error: None,
            tests: Vec::new(),
            output: String::new(),
            output_truncated: false,
            exit_code: None,
            crash: None,
            placeholders: Vec::new(),
            tests_changed: Vec::new(),
            checks: Vec::new(),
            clippy: Vec::new(),
            timeout: exercise.timeout,
            elapsed: Duration::ZERO,
        }
    }

    pub fn is_done(&self) -> bool {
        self.status.is_done()
    }

    /// Tests that passed, and tests in all (ignored ones excluded).
    pub fn test_counts(&self) -> (usize, usize) {
        let counted = self
            .tests
            .iter()
            .filter(|t| t.status != TestStatus::Ignored);
        let total = counted.clone().count();
        let passed = counted.filter(|t| t.status == TestStatus::Passed).count();
        (passed, total)
    }

    /// The verdict in one line, for the banner of the screen and the last line of
    /// `patterns run`: why the exercise is not done, with the figures that matter.
    /// Every status is worded here, and only here, at this length.
    pub fn headline(&self) -> String {
        let (passed, total) = self.test_counts();
        match self.status {
            Status::CompileError => match &self.first_error {
                Some(at) => format!("does not compile: first error at {at}"),
                None => "does not compile".to_owned(),
            },
            Status::TimedOut => format!(
                "timed out after {} s and stopped: is there an infinite loop?",
                self.timeout.as_secs()
            ),
            Status::TestsFailed => format!("tests fail: {passed} of {total} pass"),
            Status::TestsChanged => {
                let changes: Vec<String> = self
                    .tests_changed
                    .iter()
                    .map(TestChange::describe)
                    .collect();
                format!(
                    "the tests are not the original ones: {}",
                    changes.join(", ")
                )
            }
            Status::TestsUnfinished => {
                let unfinished = self
                    .tests
                    .iter()
                    .filter(|t| t.status == TestStatus::DidNotFinish)
                    .count();
                let (tests, they) = if unfinished == 1 {
                    ("test", "it")
                } else {
                    ("tests", "they")
                };
                format!(
                    "{unfinished} {tests} did not finish: the test binary ended before {they} reported a result (does the code call std::process::exit?)"
                )
            }
            Status::ProgramFailed => {
                let program = if !self.test {
                    "the program"
                } else {
                    "the test binary"
                };
                match (&self.crash, self.exit_code) {
                    (Some(crash), _) => format!("{program} crashed: {crash}"),
                    (None, Some(code)) => format!("{program} exited with code {code}"),
                    (None, None) => format!("{program} stopped abnormally"),
                }
            }
            Status::MainFailed => match (&self.crash, self.exit_code) {
                (Some(crash), _) => format!("the tests pass, but main crashed: {crash}"),
                (None, Some(code)) => format!("the tests pass, but main exited with code {code}"),
                (None, None) => "the tests pass, but main stopped abnormally".to_owned(),
            },
            status => status.describe().to_owned(),
        }
    }

    /// Compile errors only.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| d.is_error())
    }
}
