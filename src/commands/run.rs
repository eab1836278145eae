//! `patterns run [NAME]`: check one exercise once and print its verdict.

use std::io::Write;
use std::process::ExitCode;
use std::time::SystemTime;

use anyhow::{Context, Result, bail};
use patterns_core::check;
use patterns_core::process::Cancel;
use patterns_core::verdict::{Side, Status};

use super::BuildProgress;
use crate::open::{OpenWorkbook, Selection};
use crate::output::{self, BOLD, DIM};

pub fn run(at: &Selection, name: Option<&str>, cancel: &Cancel) -> Result<ExitCode> {
    let mut open = OpenWorkbook::open(at, Some("patterns run"))?;
    let exercise = open.session.pick(name)?.clone();
    let progress = BuildProgress::new();
    let verdict = check::check(
        &open.workbook,
        &exercise,
        Side::Exercise,
        Some(cancel),
        &|event| progress.event(event),
    )
    .context("cannot run cargo; is Rust installed (https://rustup.rs)?")?;
    progress.clear();
    if verdict.status == Status::Cancelled {
        bail!("interrupted");
    }
    let recorded = open.session.record(&verdict, true, SystemTime::now());

    let mut out = anstream::stdout();
    output::write_verdict(&mut out, &verdict)?;
    let code = if verdict.is_done() {
        match recorded.moved_to {
            Some(next) => writeln!(out, "Next: {BOLD}{next}{BOLD:#}. `patterns run` checks it.")?,
            None if recorded.all_done => {
                writeln!(out, "Every exercise is done.")?;
                if let Some(message) = &open.session.catalog.final_message {
                    writeln!(out, "\n{}", message.trim_end())?;
                }
            }
            None => {}
        }
        ExitCode::SUCCESS
    } else {
        let revealed = open.session.hints_revealed(&exercise.name);
        if revealed < exercise.hints.len() {
            writeln!(
                out,
                "{DIM}Stuck? `patterns hint` shows hint {} of {}.{DIM:#}",
                revealed + 1,
                exercise.hints.len()
            )?;
        }
        ExitCode::FAILURE
    };
    out.flush()?;
    open.save();
    Ok(code)
}
