//! `patterns reset NAME [--tests]`: put an exercise (or only its tests) back to
//! its original text, after saving the learner's version.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;

use crate::open::{OpenWorkbook, Selection};

pub fn reset(at: &Selection, name: &str, tests_only: bool) -> Result<ExitCode> {
    let mut open = OpenWorkbook::open(at, Some("patterns reset"))?;
    let exercise = open.session.exercise(name)?.clone();
    let file = exercise.path();
    let mut out = anstream::stdout();
    if tests_only {
        let done = open.workbook.restore_tests(&exercise)?;
        match done.backup {
            Some(backup) => writeln!(
                out,
                "Put the original tests back into {} (from {}); the rest of your code is as it was.\nYour version is saved as {}.",
                file.display(),
                done.source.describe(),
                open.relative(&backup).display()
            )?,
            None => writeln!(
                out,
                "{} already has the original tests; nothing changed.",
                file.display()
            )?,
        }
        return Ok(ExitCode::SUCCESS);
    }
    let done = open.workbook.reset(&exercise)?;
    open.session.progress.clear_done(&exercise.name);
    match done.backup {
        Some(backup) => writeln!(
            out,
            "Reset {} to its original text (from {}).\nYour version is saved as {}.",
            file.display(),
            done.source.describe(),
            open.relative(&backup).display()
        )?,
        None => writeln!(
            out,
            "{} already had its original text; nothing to back up.",
            file.display()
        )?,
    }
    out.flush()?;
    open.save();
    Ok(ExitCode::SUCCESS)
}
