//! `patterns dev check`: can this workbook ship? The catalog is valid, every
//! exercise has a solution and Cargo targets, the originals manifest names the
//! exercise files, every solution passes with clippy warnings denied, and every
//! exercise fails while unsolved. All checks share the same few cargo invocations
//! and run in parallel.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use patterns_core::catalog::{Exercise, INFO_FILE};
use patterns_core::check;
use patterns_core::contract;
use patterns_core::originals::ORIGINALS_FILE;
use patterns_core::process::Cancel;
use patterns_core::verdict::{Side, Status};

use super::{bin_targets, current_originals};
use crate::commands::{BuildProgress, jobs};
use crate::open;
use crate::output::{self, BAD, BOLD, DIM, GOOD};

pub fn check(
    dir: Option<&Path>,
    requested_jobs: Option<usize>,
    cancel: &Cancel,
) -> Result<ExitCode> {
    let started = Instant::now();
    let workbook = open::workbook(dir)?;
    let catalog = &workbook.catalog;
    let mut out = anstream::stdout();
    let mut failures: Vec<String> = Vec::new();
    writeln!(
        out,
        "{GOOD}✓{GOOD:#} {INFO_FILE}: {} exercises in {} topics",
        catalog.exercises.len(),
        catalog.topics().len()
    )?;

    // Files and Cargo targets.
    let targets = bin_targets(&workbook.root)?;
    for exercise in &catalog.exercises {
        if !workbook.root.join(exercise.solution_path()).is_file() {
            failures.push(format!(
                "{}: no solution file {}; write the reference solution",
                exercise.name,
                exercise.solution_path().display()
            ));
        }
        for target in [exercise.name.clone(), exercise.solution_target()] {
            if !targets.contains_key(&target) {
                failures.push(format!(
                    "{}: no Cargo bin target `{target}`; run `patterns dev update`",
                    exercise.name
                ));
            }
        }
    }
    if !failures.is_empty() {
        return finish(&mut out, &failures, started);
    }

    // What learners get must be what the manifest names as the originals.
    let manifest = current_originals(&workbook)?;
    match &workbook.originals {
        None => failures.push(format!(
            "there is no {ORIGINALS_FILE}; run `patterns dev update` to write it"
        )),
        Some(listed) => {
            for (path, id) in &manifest.files {
                if listed.files.get(path) != Some(id) {
                    failures.push(format!(
                        "{path} is not the original {ORIGINALS_FILE} names; if it holds the starting code learners should get, run `patterns dev update`"
                    ));
                }
            }
            for path in listed
                .files
                .keys()
                .filter(|p| !manifest.files.contains_key(*p))
            {
                failures.push(format!(
                    "{ORIGINALS_FILE} lists {path}, which is no exercise of info.toml; run `patterns dev update`"
                ));
            }
        }
    }

    // The learner must face the very tests the reference solution passes.
    for exercise in &catalog.exercises {
        if let Some(problem) = tests_differ(&workbook.root, exercise) {
            failures.push(problem);
        }
    }

    let progress = BuildProgress::new();
    let mut items: Vec<(&Exercise, Side)> = Vec::new();
    for exercise in &catalog.exercises {
        items.push((exercise, Side::Solution));
    }
    let unsolved: Vec<&Exercise> = catalog
        .exercises
        .iter()
        .filter(|e| !e.skip_check_unsolved)
        .collect();
    for exercise in &unsolved {
        items.push((exercise, Side::Exercise));
    }
    let options = check::Options {
        jobs: jobs(requested_jobs),
        lint_all: false,
        cancel: Some(cancel.clone()),
    };
    // Solutions are linted with warnings denied; exercises are expected to fail, so
    // linting them would only cost time. Two passes keep that distinction simple.
    let solution_items: Vec<(&Exercise, Side)> = items
        .iter()
        .copied()
        .filter(|(_, side)| *side == Side::Solution)
        .collect();
    let exercise_items: Vec<(&Exercise, Side)> = items
        .iter()
        .copied()
        .filter(|(_, side)| *side == Side::Exercise)
        .collect();
    let lint_options = check::Options {
        lint_all: true,
        ..options.clone()
    };
    let solutions = check::check_many(&workbook, &solution_items, &lint_options, &|e| {
        progress.event(e)
    })
    .context("cannot run cargo; is Rust installed?")?;
    let exercises = check::check_many(&workbook, &exercise_items, &options, &|e| progress.event(e))
        .context("cannot run cargo; is Rust installed?")?;
    progress.clear();
    if solutions
        .iter()
        .chain(&exercises)
        .any(|v| v.status == Status::Cancelled)
    {
        bail!("interrupted");
    }

    let passing = solutions.iter().filter(|v| v.is_done()).count();
    writeln!(
        out,
        "{} solutions: {passing} of {} pass with clippy warnings denied",
        mark(passing == solutions.len()),
        solutions.len()
    )?;
    for (exercise, verdict) in catalog.exercises.iter().zip(&solutions) {
        // A test exercise without tests would pass vacuously, unsolved or not.
        if exercise.test && verdict.is_done() && verdict.test_counts().1 == 0 {
            failures.push(format!(
                "{} has no tests; add tests that fail on the starting code, or set test = false",
                exercise.name
            ));
        }
    }
    for verdict in solutions.iter().filter(|v| !v.is_done()) {
        let mut text = Vec::new();
        output::write_verdict(&mut text, verdict)?;
        failures.push(format!(
            "solution of {} ({}): {}\n{}",
            verdict.exercise,
            verdict.file.display(),
            verdict.status.describe(),
            indent(&String::from_utf8_lossy(&text))
        ));
    }

    let failing = exercises.iter().filter(|v| !v.is_done()).count();
    writeln!(
        out,
        "{} exercises: {failing} of {} fail unsolved{}",
        mark(failing == exercises.len()),
        exercises.len(),
        match catalog.exercises.len() - unsolved.len() {
            0 => String::new(),
            skipped => format!(" ({skipped} skipped by skip_check_unsolved)"),
        }
    )?;
    for verdict in &exercises {
        if verdict.is_done() {
            failures.push(format!(
                "exercise {} passes unsolved; make a test fail on the starting code, or set skip_check_unsolved = true",
                verdict.exercise
            ));
        } else if verdict.status == Status::BuildFailed {
            failures.push(format!(
                "exercise {}: cargo failed: {}",
                verdict.exercise,
                verdict.cargo_error.as_deref().unwrap_or("no message")
            ));
        }
    }
    finish(&mut out, &failures, started)
}

/// A problem when the `mod tests` of the exercise and of its solution differ
/// (compared as token streams, so formatting and comments do not count).
fn tests_differ(root: &Path, exercise: &Exercise) -> Option<String> {
    let tests_of = |path: &Path| -> Result<Option<String>, String> {
        let text = std::fs::read_to_string(root.join(path))
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        contract::tests_tokens(&text).map_err(|e| format!("{} does not parse: {e}", path.display()))
    };
    match (
        tests_of(&exercise.path()),
        tests_of(&exercise.solution_path()),
    ) {
        (Ok(mine), Ok(theirs)) if mine == theirs => None,
        (Ok(_), Ok(_)) => Some(format!(
            "{}: the tests of {} and {} differ; the learner must face the tests the solution passes",
            exercise.name,
            exercise.path().display(),
            exercise.solution_path().display()
        )),
        (Err(problem), _) | (_, Err(problem)) => Some(format!("{}: {problem}", exercise.name)),
    }
}

fn mark(ok: bool) -> String {
    if ok {
        format!("{GOOD}✓{GOOD:#}")
    } else {
        format!("{BAD}✗{BAD:#}")
    }
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn finish(out: &mut dyn Write, failures: &[String], started: Instant) -> Result<ExitCode> {
    let seconds = started.elapsed().as_secs_f64();
    if failures.is_empty() {
        writeln!(
            out,
            "{GOOD}dev check passed{GOOD:#} {DIM}in {seconds:.1} s{DIM:#}"
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(out, "\n{BOLD}What failed:{BOLD:#}")?;
    for failure in failures {
        writeln!(out, "{BAD}✗{BAD:#} {failure}")?;
    }
    writeln!(
        out,
        "{BAD}dev check failed{BAD:#}: {} problem{} {DIM}in {seconds:.1} s{DIM:#}",
        failures.len(),
        if failures.len() == 1 { "" } else { "s" }
    )?;
    Ok(ExitCode::FAILURE)
}
