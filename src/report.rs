//! Verdicts and tables as text for the command line.
//!
//! Everything is written through `anstream`, which drops colours (ours and rustc's)
//! when the output is not a terminal or `NO_COLOR` is set.

use std::io::{self, Write};

use anstyle::{AnsiColor, Style};
use patterns_core::check::{Status, Verdict};
use patterns_core::libtest::TestStatus;

pub const GOOD: Style = AnsiColor::Green.on_default().bold();
pub const BAD: Style = AnsiColor::Red.on_default().bold();
pub const WARN: Style = AnsiColor::Yellow.on_default().bold();
pub const DIM: Style = Style::new().dimmed();
pub const BOLD: Style = Style::new().bold();

/// Writes a verdict the way `patterns run` shows it.
pub fn write_verdict(out: &mut dyn Write, verdict: &Verdict) -> io::Result<()> {
    let file = verdict.file.display();
    // Warnings come first only when the build failed; otherwise after the results.
    let compiled = verdict.status != Status::CompileError;
    for diagnostic in verdict
        .diagnostics
        .iter()
        .filter(|d| !compiled || d.is_error())
    {
        write!(out, "{}", diagnostic.rendered)?;
    }
    if let Some(error) = &verdict.cargo_error {
        writeln!(out, "{error}")?;
    }

    if !verdict.tests.is_empty() {
        let (passed, total) = verdict.test_counts();
        writeln!(out, "{BOLD}Tests{BOLD:#}: {passed} of {total} pass")?;
        for test in &verdict.tests {
            let (mark, style) = match test.status {
                TestStatus::Passed => ("✓", GOOD),
                TestStatus::Failed => ("✗", BAD),
                TestStatus::Ignored => ("-", DIM),
                TestStatus::DidNotFinish => ("…", WARN),
            };
            write!(out, "  {style}{mark}{style:#} {}", test.short_name())?;
            match test.status {
                TestStatus::Ignored => write!(out, " {DIM}(ignored){DIM:#}")?,
                TestStatus::DidNotFinish => write!(out, " {WARN}(did not finish){WARN:#}")?,
                _ => {}
            }
            writeln!(out)?;
            if let Some(message) = &test.message {
                for line in printable(message).lines() {
                    writeln!(out, "      {line}")?;
                }
            }
            if let Some(location) = &test.location {
                writeln!(out, "      {DIM}at {location}{DIM:#}")?;
            }
        }
    }
    // A program's output, and a test binary's when it tells why the tests did not
    // all finish (a crash, an early exit).
    let shows_output = verdict.tests.is_empty()
        || matches!(
            verdict.status,
            Status::ProgramFailed | Status::TestsUnfinished
        );
    if shows_output && !verdict.output.trim().is_empty() && verdict.status != Status::CompileError {
        writeln!(out, "{BOLD}Output{BOLD:#}:")?;
        let output = printable(&verdict.output);
        write!(out, "{output}")?;
        if !output.ends_with('\n') {
            writeln!(out)?;
        }
    }

    if !verdict.checks.is_empty() {
        writeln!(out, "{BOLD}Architecture checks{BOLD:#}:")?;
        for check in &verdict.checks {
            if check.violations.is_empty() {
                writeln!(out, "  {GOOD}✓{GOOD:#} {}", check.summary)?;
            } else {
                writeln!(out, "  {BAD}✗{BAD:#} {}", check.summary)?;
                writeln!(out, "      {}", check.message)?;
                for violation in &check.violations {
                    writeln!(
                        out,
                        "      {DIM}{file}:{}:{}{DIM:#} {}",
                        violation.line, violation.column, violation.detail
                    )?;
                }
            }
        }
    }

    for placeholder in &verdict.placeholders {
        writeln!(
            out,
            "{WARN}{}!(){WARN:#} left at {file}:{}:{}; replace it with your code",
            placeholder.macro_name, placeholder.line, placeholder.column
        )?;
    }
    for finding in &verdict.clippy {
        write!(out, "{}", finding.rendered)?;
    }
    if compiled {
        for warning in verdict.diagnostics.iter().filter(|d| !d.is_error()) {
            write!(out, "{}", warning.rendered)?;
        }
    }

    let name = &verdict.exercise;
    if verdict.is_done() {
        writeln!(out, "{GOOD}✓ {name} is done{GOOD:#}")?;
    } else {
        writeln!(out, "{BAD}✗ {name}: {}{BAD:#}", verdict.headline())?;
        if verdict.status == Status::TestsChanged {
            writeln!(
                out,
                "`patterns reset {name} --tests` puts the original tests back and keeps the rest of your code (your version is saved first)."
            )?;
        }
    }
    Ok(())
}

/// Text a learner's program wrote, safe to print: no escape sequences (one that
/// clears the screen or moves the cursor must not reach the terminal) and no
/// control characters but newlines and tabs.
fn printable(text: &str) -> String {
    anstream::adapter::strip_str(text)
        .to_string()
        .chars()
        .filter(|&c| c == '\n' || c == '\t' || !c.is_control())
        .collect()
}

/// A bar of `width` cells, `done` of `total` filled.
pub fn bar(done: usize, total: usize, width: usize) -> String {
    let filled = (done * width).checked_div(total).unwrap_or(0).min(width);
    format!("{}{}", "█".repeat(filled), "░".repeat(width - filled))
}

/// `done` of `total` as a whole percentage.
pub fn percent(done: usize, total: usize) -> usize {
    (done * 100).checked_div(total).unwrap_or(0)
}
