//! Text for the command line: the verdict as the core describes it, rendered with
//! anstyle, and the small pieces tables are made of.
//!
//! Everything is written through `anstream`, which drops colours (ours and rustc's)
//! when the output is not a terminal or `NO_COLOR` is set. Text a learner's
//! program wrote loses its escape sequences and control characters first, so
//! nothing it prints can clear or garble the terminal.

use std::io::{self, Write};

use anstyle::{AnsiColor, Style};
use patterns_core::describe::{self, Action, Line, Tone};
use patterns_core::verdict::Verdict;

pub const GOOD: Style = AnsiColor::Green.on_default().bold();
pub const BAD: Style = AnsiColor::Red.on_default().bold();
pub const WARN: Style = AnsiColor::Yellow.on_default().bold();
pub const DIM: Style = Style::new().dimmed();
pub const BOLD: Style = Style::new().bold();

fn style(tone: Tone) -> Style {
    match tone {
        Tone::Plain => Style::new(),
        Tone::Good => GOOD,
        Tone::Bad => BAD,
        Tone::Warn => WARN,
        Tone::Dim => DIM,
        Tone::Strong => BOLD,
    }
}

/// Writes a verdict the way `patterns run` shows it: the core's description, then
/// the headline.
pub fn write_verdict(out: &mut dyn Write, verdict: &Verdict) -> io::Result<()> {
    let name = &verdict.exercise;
    for line in describe::verdict(verdict) {
        match line {
            Line::Text(pieces) => {
                for piece in pieces {
                    let style = style(piece.tone);
                    write!(out, "{style}{}{style:#}", piece.text)?;
                }
                writeln!(out)?;
            }
            Line::Compiler(rendered) => write_block(out, &rendered)?,
            Line::Program(text) => write_block(out, &describe::printable(&text))?,
            Line::Action(Action::RestoreTests) => writeln!(
                out,
                "`patterns reset {name} --tests` {}.",
                Action::RestoreTests.text()
            )?,
            Line::Blank => writeln!(out)?,
        }
    }
    if verdict.is_done() {
        writeln!(out, "{GOOD}✓ {name} is done{GOOD:#}")
    } else {
        writeln!(out, "{BAD}✗ {name}: {}{BAD:#}", verdict.headline())
    }
}

/// Text of several lines, ended by a newline.
fn write_block(out: &mut dyn Write, text: &str) -> io::Result<()> {
    write!(out, "{text}")?;
    if !text.ends_with('\n') {
        writeln!(out)?;
    }
    Ok(())
}

/// `1 exercise`, `3 exercises`.
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
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
