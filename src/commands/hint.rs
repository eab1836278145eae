//! `patterns hint [NAME] [--level N]`: the next hint (or hint N) of an exercise.

use std::io::Write;
use std::process::ExitCode;
use std::time::SystemTime;

use anyhow::Result;
use patterns_core::workbook::WorkbookError;

use super::UsageError;
use crate::open::{OpenWorkbook, Selection};
use crate::output::{BOLD, DIM};

pub fn hint(at: &Selection, name: Option<&str>, level: Option<usize>) -> Result<ExitCode> {
    // Reading a hint needs no lock: while `patterns watch` holds it, the hint is
    // shown and only its reveal goes unrecorded (watch keeps its own progress).
    let (mut open, locked_by) = match OpenWorkbook::open(at, Some("patterns hint")) {
        Ok(open) => (open, None),
        Err(error) => match error.downcast_ref::<WorkbookError>() {
            Some(WorkbookError::Locked(holder)) => {
                let holder = holder.clone();
                (OpenWorkbook::open(at, None)?, Some(holder))
            }
            _ => return Err(error),
        },
    };
    let exercise = open.session.pick(name)?.clone();
    let count = exercise.hints.len();
    let level = open
        .session
        .reveal_hint(&exercise.name, level, SystemTime::now())
        .map_err(|e| UsageError(e.to_string()))?;

    let mut out = anstream::stdout();
    writeln!(
        out,
        "{BOLD}Hint {level} of {count}{BOLD:#} for {}:",
        exercise.name
    )?;
    writeln!(out, "{}", exercise.hints[level - 1].trim_end())?;
    if level < count {
        writeln!(
            out,
            "{DIM}`patterns hint` again for hint {} of {count}.{DIM:#}",
            level + 1
        )?;
    } else if count > 1 {
        writeln!(out, "{DIM}That was the last hint.{DIM:#}")?;
    }
    out.flush()?;
    match locked_by {
        None => open.save(),
        Some(holder) => writeln!(
            out,
            "{DIM}(Not counted as revealed: {holder} is using the workbook; its screen shows hints with h.){DIM:#}"
        )?,
    }
    Ok(ExitCode::SUCCESS)
}
