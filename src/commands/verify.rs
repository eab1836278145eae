//! `patterns verify [--json]`: check every exercise from the code, print a table
//! (or, for an autograder, JSON), and bring progress in line with it.
//!
//! The verdicts come from the code alone, never from the progress file, with the
//! tests the learner must keep compared with the originals: what CI grades.

use std::io::Write;
use std::process::ExitCode;
use std::time::{Instant, SystemTime};

use anyhow::{Context, Result, bail};
use patterns_core::catalog::Exercise;
use patterns_core::check;
use patterns_core::contract::TestChange;
use patterns_core::process::Cancel;
use patterns_core::verdict::{Side, Status, Verdict};
use serde::Serialize;

use super::{BuildProgress, jobs};
use crate::open::{OpenWorkbook, Selection};
use crate::output::{BAD, DIM, GOOD};

/// The version of `verify --json`'s schema: it changes when a field changes
/// meaning or goes away (fields may be added within a version).
const JSON_VERSION: u32 = 1;

/// What `verify --json` prints (docs/autograding.md).
#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    /// Every exercise is done.
    ok: bool,
    done: usize,
    total: usize,
    duration_ms: u64,
    exercises: Vec<JsonExercise<'a>>,
}

#[derive(Serialize)]
struct JsonExercise<'a> {
    name: &'a str,
    topic: &'a str,
    status: Status,
    done: bool,
    /// The verdict in one line, for people.
    headline: String,
    tests_passed: usize,
    tests_total: usize,
    /// How the tests differ from the ones the exercise came with.
    tests_changed: &'a [TestChange],
    /// `file:line:col` of the first compile error.
    first_error: Option<String>,
    /// The architecture checks that fail, as their summaries.
    checks_failed: Vec<&'a str>,
}

impl<'a> JsonExercise<'a> {
    fn new(exercise: &'a Exercise, verdict: &'a Verdict) -> JsonExercise<'a> {
        let (tests_passed, tests_total) = verdict.test_counts();
        JsonExercise {
            name: &exercise.name,
            topic: exercise.topic(),
            status: verdict.status,
            done: verdict.is_done(),
            headline: verdict.headline(),
            tests_passed,
            tests_total,
            tests_changed: &verdict.tests_changed,
            first_error: verdict.first_error.as_ref().map(ToString::to_string),
            checks_failed: verdict
                .checks
                .iter()
                .filter(|c| !c.passed())
                .map(|c| c.summary.as_str())
                .collect(),
        }
    }
}

pub fn verify(
    at: &Selection,
    requested_jobs: Option<usize>,
    json: bool,
    cancel: &Cancel,
) -> Result<ExitCode> {
    let mut open = OpenWorkbook::open(at, Some("patterns verify"))?;
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

    let done = verdicts.iter().filter(|v| v.is_done()).count();
    let code = if done == verdicts.len() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    };
    let mut out = anstream::stdout();
    if json {
        let report = JsonReport {
            version: JSON_VERSION,
            ok: done == verdicts.len(),
            done,
            total: verdicts.len(),
            duration_ms: u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
            exercises: exercises
                .iter()
                .zip(&verdicts)
                .map(|(e, v)| JsonExercise::new(e, v))
                .collect(),
        };
        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
        out.flush()?;
        open.save();
        return Ok(code);
    }
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
    writeln!(
        out,
        "{done} of {} exercises done ({:.1} s)",
        verdicts.len(),
        elapsed.as_secs_f64()
    )?;
    out.flush()?;
    open.save();
    Ok(code)
}
