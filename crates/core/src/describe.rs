//! A verdict described for people, once: lines of toned text in one order, which
//! the command line renders with anstyle and the watch screen with ratatui.
//!
//! Every status, section and sentence about a verdict is worded here (and its
//! one-line summary in [`Verdict::headline`]); a front end only chooses colours for
//! the tones and says how a learner does an [`Action`] there (a key, a command).
//! Text that a learner's program wrote is kept apart ([`Line::Program`]), for each
//! front end to make safe in its own way.

use crate::cargo::strip_ansi;
use crate::libtest::TestStatus;
use crate::verdict::{Status, Verdict};

/// How a piece of text reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Plain,
    /// Passed, done.
    Good,
    /// Failed.
    Bad,
    /// Needs attention (did not finish, a `todo!()` left).
    Warn,
    /// Secondary (where, why).
    Dim,
    /// A heading.
    Strong,
}

/// A run of text with one tone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    pub tone: Tone,
    pub text: String,
}

/// Something the learner can do about a verdict; each front end says how (a key on
/// the screen, a command on the command line) before [`Action::text`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// `patterns reset NAME --tests`, `t` in watch.
    RestoreTests,
}

impl Action {
    /// What the action does, after the key or command that does it.
    pub fn text(self) -> &'static str {
        match self {
            Action::RestoreTests => {
                "puts the original tests back and keeps the rest of your code (your version is saved first)"
            }
        }
    }
}

/// One line of a described verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    Text(Vec<Piece>),
    /// rustc's or cargo's own rendering, with its colours, over several lines.
    Compiler(String),
    /// What the learner's program printed (several lines): any bytes at all.
    Program(String),
    Action(Action),
    Blank,
}

fn piece(tone: Tone, text: impl Into<String>) -> Piece {
    Piece {
        tone,
        text: text.into(),
    }
}

fn text(pieces: Vec<Piece>) -> Line {
    Line::Text(pieces)
}

/// The verdict's details, in the order both front ends show them: the tests (how
/// they changed, then each test), the architecture checks, placeholders left,
/// cargo's complaint, then the compiler's errors, clippy's findings, the program's
/// output and the compiler's warnings. The headline ([`Verdict::headline`]) is not
/// part of it: each front end places it.
pub fn verdict(verdict: &Verdict) -> Vec<Line> {
    let mut lines = Vec::new();
    tests(verdict, &mut lines);
    checks(verdict, &mut lines);
    let file = verdict.file.display();
    for placeholder in &verdict.placeholders {
        lines.push(text(vec![
            piece(Tone::Warn, format!("{}!()", placeholder.macro_name)),
            piece(
                Tone::Plain,
                format!(
                    " left at {file}:{}:{}; replace it with your code",
                    placeholder.line, placeholder.column
                ),
            ),
        ]));
    }
    if let Some(error) = &verdict.cargo_error {
        lines.push(Line::Compiler(error.clone()));
    }

    let compiled = verdict.status != Status::CompileError;
    let mut output = Vec::new();
    for diagnostic in verdict.errors() {
        output.push(Line::Compiler(diagnostic.rendered.clone()));
    }
    if !compiled {
        // When it does not compile, the warnings may explain the errors.
        for warning in verdict.diagnostics.iter().filter(|d| !d.is_error()) {
            output.push(Line::Compiler(warning.rendered.clone()));
        }
    }
    for finding in &verdict.clippy {
        output.push(Line::Compiler(finding.rendered.clone()));
    }
    if compiled && shows_output(verdict) {
        let title = if verdict.status == Status::MainFailed {
            "Output of main"
        } else if verdict.test {
            "Test output"
        } else {
            "Program output"
        };
        output.push(text(vec![piece(Tone::Strong, title)]));
        output.push(Line::Program(verdict.output.clone()));
    }
    if compiled {
        for warning in verdict.diagnostics.iter().filter(|d| !d.is_error()) {
            output.push(Line::Compiler(warning.rendered.clone()));
        }
    }
    if !output.is_empty() {
        if !lines.is_empty() {
            lines.push(Line::Blank);
        }
        lines.extend(output);
    }
    lines
}

/// A program's output always; a test binary's when it says why not every test
/// passed or finished (a crash, an early exit), not when the tests say it all.
fn shows_output(verdict: &Verdict) -> bool {
    !verdict.output.trim().is_empty()
        && (!verdict.test
            || matches!(
                verdict.status,
                Status::ProgramFailed | Status::MainFailed | Status::TestsUnfinished
            ))
}

fn tests(verdict: &Verdict, lines: &mut Vec<Line>) {
    if !verdict.tests_changed.is_empty() {
        lines.push(text(vec![piece(
            Tone::Bad,
            "The tests are not the original ones:",
        )]));
        for change in &verdict.tests_changed {
            lines.push(text(vec![
                piece(Tone::Bad, "  ✗ "),
                piece(Tone::Plain, change.describe()),
            ]));
        }
        lines.push(Line::Action(Action::RestoreTests));
        lines.push(Line::Blank);
    }
    if verdict.tests.is_empty() {
        return;
    }
    let (passed, total) = verdict.test_counts();
    lines.push(text(vec![piece(
        Tone::Strong,
        format!("Tests: {passed} of {total} pass"),
    )]));
    // Failures first, so that they are what a learner sees without scrolling.
    let mut ordered: Vec<&crate::libtest::TestOutcome> = verdict.tests.iter().collect();
    ordered.sort_by_key(|t| match t.status {
        TestStatus::Failed => 0,
        TestStatus::DidNotFinish => 1,
        TestStatus::Passed => 2,
        TestStatus::Ignored => 3,
    });
    for test in ordered {
        let (mark, tone, note) = match test.status {
            TestStatus::Passed => ("✓", Tone::Good, ""),
            TestStatus::Failed => ("✗", Tone::Bad, ""),
            TestStatus::Ignored => ("-", Tone::Dim, " (ignored)"),
            TestStatus::DidNotFinish => ("…", Tone::Warn, " (did not finish)"),
        };
        lines.push(text(vec![
            piece(tone, format!("  {mark} ")),
            piece(Tone::Plain, test.short_name()),
            piece(Tone::Dim, note),
        ]));
        if let Some(message) = &test.message {
            for line in printable(message).lines() {
                lines.push(text(vec![piece(Tone::Plain, format!("      {line}"))]));
            }
        }
        if let Some(location) = &test.location {
            lines.push(text(vec![piece(Tone::Dim, format!("      at {location}"))]));
        }
    }
}

fn checks(verdict: &Verdict, lines: &mut Vec<Line>) {
    if verdict.checks.is_empty() {
        return;
    }
    lines.push(text(vec![piece(Tone::Strong, "Architecture checks")]));
    for check in &verdict.checks {
        if check.violations.is_empty() {
            lines.push(text(vec![
                piece(Tone::Good, "  ✓ "),
                piece(Tone::Plain, check.summary.clone()),
            ]));
            continue;
        }
        lines.push(text(vec![
            piece(Tone::Bad, "  ✗ "),
            piece(Tone::Plain, check.summary.clone()),
        ]));
        lines.push(text(vec![piece(
            Tone::Plain,
            format!("      {}", check.message),
        )]));
        for violation in &check.violations {
            lines.push(text(vec![
                piece(
                    Tone::Dim,
                    format!(
                        "      {}:{}:{} ",
                        verdict.file.display(),
                        violation.line,
                        violation.column
                    ),
                ),
                piece(Tone::Plain, violation.detail.clone()),
            ]));
        }
    }
}

/// Text a learner's code produced, safe to show anywhere: no escape sequences and
/// no control characters but newlines and tabs.
pub fn printable(text: &str) -> String {
    strip_ansi(text)
        .chars()
        .filter(|&c| c == '\n' || c == '\t' || !c.is_control())
        .collect()
}
