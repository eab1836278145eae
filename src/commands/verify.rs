//! `patterns verify`: check every exercise from the code, print a table, and
//! bring progress in line with it.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::time::{Instant, SystemTime};

use anyhow::{Context, Result, bail};
use patterns_core::catalog::Exercise;
use patterns_core::check;
use patterns_core::process::Cancel;
use patterns_core::verdict::{Side, Status};

use super::{BuildProgress, jobs};
use crate::open::OpenWorkbook;
use crate::output::{BAD, DIM, GOOD};

pub fn verify(
    dir: Option<&Path>,
    requested_jobs: Option<usize>,
    cancel: &Cancel,
) -> Result<ExitCode> {
    let mut open = OpenWorkbook::open(dir, Some("patterns verify"))?;
    let catalog = open.session.catalog.clone();
    let exercises: Vec<&Exercise> = catalog.exercises.iter().collect();
    let progress = BuildProgress::new();
    let started = Instant::now();
    let items: Vec<(&Exercise, Side)> = exercises.iter().map(|e| (*e, Side::Exercise)).collect();
    let options = check::Options {
        jobs: jobs(requested_jobs),
        lint_solutions: false,
        cancel: Some(cancel.clone()),
    };
    let verdicts = check::check_many(&open.workbook, &items, &options, &|event| {
        progress.event(event)
    })
    .context("cannot run cargo; is Rust installed (https://rustup.rs)?")?;
    progress.clear();
    if verdicts.iter().any(|v| v.status == Status::Cancelled) {
        bail!("interrupted");
    }
    let elapsed = started.elapsed();
    open.session.record_all(&verdicts, SystemTime::now());

    let mut out = anstream::stdout();
    let width = exercises.iter().map(|e| e.name.len()).max().unwrap_or(8);
    let topic_width = exercises.iter().map(|e| e.topic().len()).max().unwrap_or(5);
    for (exercise, verdict) in exercises.iter().zip(&verdicts) {
        let (passed, total) = verdict.test_counts();
        let tests = if exercise.test {
            format!("{passed}/{total} tests")
        } else {
            "main".to_owned()
        };
        let (mark, style) = if verdict.is_done() {
            ("✓", GOOD)
        } else {
            ("✗", BAD)
        };
        writeln!(
            out,
            "{style}{mark}{style:#} {:<width$}  {DIM}{:<topic_width$}{DIM:#}  {:>11}  {}",
            exercise.name,
            exercise.topic(),
            tests,
            verdict.status.describe()
        )?;
    }
    let done = verdicts.iter().filter(|v| v.is_done()).count();
    writeln!(
        out,
        "{done} of {} exercises done ({:.1} s)",
        verdicts.len(),
        elapsed.as_secs_f64()
    )?;
    out.flush()?;
    open.save();
    Ok(if done == verdicts.len() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
