//! `patterns dev check`: can this workbook ship? Everything an author can get
//! wrong, found in one run and reported at once, each with its place and a fix:
//!
//! - the catalog (its problems, and its warnings);
//! - the Cargo targets follow info.toml (`dev update` writes them);
//! - every exercise has a `// TODO`, no `#[test]` where `test = false`, and no
//!   file in `exercises/` or `solutions/` that belongs to no exercise;
//! - every solution is rustfmt-clean, passes with clippy warnings denied, and
//!   its architecture checks pass on it; every exercise fails while unsolved;
//! - in a strict workbook (`strict = true`, ours) also: every exercise has a
//!   solution and parses, its tests are its solution's, and `originals.toml`
//!   names the exercise files. A rustlings set is not held to those (a syntax
//!   error can be its lesson, a test can be the learner's to write).
//!
//! `--json` prints the same findings for CI. All builds share a few cargo
//! invocations and run in parallel.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use patterns_core::catalog::{EXERCISES_DIR, Exercise, INFO_FILE, LoadError, SOLUTIONS_DIR};
use patterns_core::check;
use patterns_core::contract;
use patterns_core::originals::ORIGINALS_FILE;
use patterns_core::process::Cancel;
use patterns_core::targets::Targets;
use patterns_core::verdict::{Side, Status, Verdict};
use patterns_core::workbook::{Workbook, WorkbookError};
use serde::Serialize;

use super::bins::{self, Manifest};
use super::current_originals;
use crate::commands::{BuildProgress, jobs};
use crate::open;
use crate::output::{self, BAD, BOLD, DIM, GOOD, WARN};

/// One thing `dev check` found.
#[derive(Debug, Clone, Serialize)]
struct Finding {
    /// Which rule: `catalog`, `target`, `todo`, `rustfmt`, ...
    rule: &'static str,
    severity: Severity,
    /// Where: `file`, `file:line` or `file:line:col`, relative to the root.
    #[serde(skip_serializing_if = "Option::is_none")]
    place: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    exercise: Option<String>,
    /// What is wrong and how to fix it.
    message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
enum Severity {
    Error,
    Warning,
}

/// What `--json` prints.
#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    ok: bool,
    strict: bool,
    exercises: usize,
    solutions_passing: usize,
    solutions_checked: usize,
    exercises_failing_unsolved: usize,
    exercises_checked_unsolved: usize,
    errors: usize,
    warnings: usize,
    duration_ms: u64,
    findings: &'a [Finding],
}

#[derive(Default)]
struct Findings(Vec<Finding>);

impl Findings {
    fn error(
        &mut self,
        rule: &'static str,
        place: Option<String>,
        exercise: Option<&str>,
        message: String,
    ) {
        self.0.push(Finding {
            rule,
            severity: Severity::Error,
            place,
            exercise: exercise.map(str::to_owned),
            message,
        });
    }

    fn warning(&mut self, rule: &'static str, place: Option<String>, message: String) {
        self.0.push(Finding {
            rule,
            severity: Severity::Warning,
            place,
            exercise: None,
            message,
        });
    }

    fn errors(&self) -> usize {
        self.0
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count()
    }
}

/// Counts for the summary.
#[derive(Default)]
struct Counts {
    solutions_passing: usize,
    solutions_checked: usize,
    failing_unsolved: usize,
    checked_unsolved: usize,
    skipped_unsolved: usize,
}

pub fn check(
    dir: Option<&Path>,
    requested_jobs: Option<usize>,
    json: bool,
    cancel: &Cancel,
) -> Result<ExitCode> {
    let started = Instant::now();
    let mut findings = Findings::default();
    let workbook = match open::workbook(dir) {
        Ok(workbook) => workbook,
        Err(error) if json => {
            // The catalog's problems are findings too, for CI to read.
            if let Some(WorkbookError::Catalog(LoadError::Invalid(invalid))) =
                error.downcast_ref::<WorkbookError>()
            {
                for problem in &invalid.problems {
                    findings.error(
                        "catalog",
                        Some(format!("{INFO_FILE}:{}:{}", problem.line, problem.column)),
                        None,
                        problem.message.clone(),
                    );
                }
                return finish(&findings, &Counts::default(), false, 0, json, started);
            }
            return Err(error);
        }
        Err(error) => return Err(error),
    };
    let catalog = &workbook.catalog;
    let mut out = anstream::stdout();
    if !json {
        writeln!(
            out,
            "{GOOD}✓{GOOD:#} {INFO_FILE}: {} in {}{}",
            output::count(catalog.exercises.len(), "exercise"),
            output::count(catalog.topics().len(), "topic"),
            if catalog.strict { " (strict)" } else { "" }
        )?;
    }
    for warning in &catalog.warnings {
        findings.warning(
            "catalog",
            Some(format!("{INFO_FILE}:{}:{}", warning.line, warning.column)),
            warning.message.clone(),
        );
    }

    let targets = bins::targets(&workbook)?;
    check_files(&workbook, &mut findings);
    check_targets(&workbook, &targets, &mut findings)?;
    // Without its targets in line with info.toml, cargo builds the wrong files
    // or none: the builds wait until `dev update` has run.
    let targets_in_sync = !findings.0.iter().any(|f| f.rule == "target");
    if catalog.strict {
        check_originals(&workbook, &mut findings)?;
        check_topics(&workbook, &mut findings);
    }
    check_sources(&workbook, &mut findings);
    check_format(&workbook, &targets, &mut findings);
    if !targets_in_sync {
        if !json {
            writeln!(
                out,
                "{WARN}!{WARN:#} nothing built: the Cargo targets do not follow {INFO_FILE} (see below)"
            )?;
        }
        return finish(
            &findings,
            &Counts::default(),
            catalog.strict,
            catalog.exercises.len(),
            json,
            started,
        );
    }

    let counts = check_builds(&workbook, requested_jobs, cancel, json, &mut findings)?;
    if !json {
        writeln!(
            out,
            "{} solutions: {} of {} pass with clippy warnings denied",
            mark(counts.solutions_passing == counts.solutions_checked),
            counts.solutions_passing,
            counts.solutions_checked
        )?;
        writeln!(
            out,
            "{} exercises: {} of {} fail unsolved{}",
            mark(counts.failing_unsolved == counts.checked_unsolved),
            counts.failing_unsolved,
            counts.checked_unsolved,
            match counts.skipped_unsolved {
                0 => String::new(),
                skipped => format!(" ({skipped} skipped by skip_check_unsolved)"),
            }
        )?;
    }
    finish(
        &findings,
        &counts,
        catalog.strict,
        catalog.exercises.len(),
        json,
        started,
    )
}

/// Solutions that exist (a strict workbook needs every one), and files in the
/// exercise folders that belong to no exercise.
fn check_files(workbook: &Workbook, findings: &mut Findings) {
    let root = &workbook.root;
    let catalog = &workbook.catalog;
    let mut known: BTreeSet<PathBuf> = BTreeSet::new();
    for exercise in &catalog.exercises {
        known.insert(root.join(exercise.path()));
        let solution = exercise.solution_path();
        known.insert(root.join(&solution));
        if !root.join(&solution).is_file() && catalog.strict {
            findings.error(
                "solution",
                Some(shown(&solution)),
                Some(&exercise.name),
                format!(
                    "{}: no solution file {}; write the reference solution",
                    exercise.name,
                    shown(&solution)
                ),
            );
        }
    }
    for folder in [EXERCISES_DIR, SOLUTIONS_DIR] {
        for file in files_under(&root.join(folder)) {
            let is_readme = file.file_name().is_some_and(|n| n == "README.md");
            if !known.contains(&file) && !is_readme {
                let relative = file.strip_prefix(root).unwrap_or(&file).to_path_buf();
                findings.error(
                    "stray-file",
                    Some(shown(&relative)),
                    None,
                    format!(
                        "{} belongs to no exercise of {INFO_FILE}; add its exercise, or move it out of {folder}/",
                        shown(&relative)
                    ),
                );
            }
        }
    }
}

/// Every file below `dir` (none when it does not exist).
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return files;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(files_under(&path));
        } else {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// The Cargo targets say what info.toml says (`dev update` writes them).
fn check_targets(workbook: &Workbook, targets: &Targets, findings: &mut Findings) -> Result<()> {
    let plan = bins::plan(workbook, targets)?;
    for (path, wanted) in &plan.wanted {
        let manifest = Manifest::read(path)?;
        let dir = manifest.dir().to_path_buf();
        let place = Some(shown(path.strip_prefix(&workbook.root).unwrap_or(path)));
        let current: Vec<_> = manifest
            .bins()
            .into_iter()
            .filter(|b| bins::in_exercise_folders(&workbook.root, &dir, &b.path))
            .collect();
        for bin in wanted {
            match current.iter().find(|c| c.name == bin.name) {
                None => findings.error(
                    "target",
                    place.clone(),
                    None,
                    format!(
                        "no Cargo bin target `{}` (for {}); run `patterns dev update`",
                        bin.name, bin.path
                    ),
                ),
                Some(current) if current.path != bin.path => findings.error(
                    "target",
                    place.clone(),
                    None,
                    format!(
                        "the Cargo bin target `{}` builds {}, not {}; run `patterns dev update`",
                        bin.name, current.path, bin.path
                    ),
                ),
                Some(_) => {}
            }
        }
        for bin in current
            .iter()
            .filter(|c| !wanted.iter().any(|w| w.name == c.name))
        {
            findings.error(
                "target",
                place.clone(),
                None,
                format!(
                    "the Cargo bin target `{}` builds {}, which is no exercise or solution of {INFO_FILE}; run `patterns dev update`",
                    bin.name, bin.path
                ),
            );
        }
    }
    Ok(())
}

/// Every topic has a README: the introduction learners see when they first open
/// one of its exercises.
fn check_topics(workbook: &Workbook, findings: &mut Findings) {
    for (topic, exercises) in workbook.catalog.topics() {
        if exercises.iter().all(|e| e.dir.is_none()) {
            continue; // exercises/ itself: no topic
        }
        let readme = Path::new(EXERCISES_DIR).join(topic).join("README.md");
        if !workbook.root.join(&readme).is_file() {
            findings.warning(
                "topic-readme",
                Some(shown(&readme)),
                format!(
                    "topic {topic} has no {}: learners get no introduction to it; write one (the pattern, the problem it solves, when not to use it)",
                    shown(&readme)
                ),
            );
        }
    }
}

/// What learners get is what the manifest names as the originals.
fn check_originals(workbook: &Workbook, findings: &mut Findings) -> Result<()> {
    let current = current_originals(workbook)?;
    match &workbook.originals {
        None => findings.error(
            "originals",
            Some(ORIGINALS_FILE.to_owned()),
            None,
            format!("there is no {ORIGINALS_FILE}; run `patterns dev update` to write it"),
        ),
        Some(listed) => {
            for (path, id) in &current.files {
                if listed.files.get(path) != Some(id) {
                    findings.error(
                        "originals",
                        Some(path.clone()),
                        None,
                        format!(
                            "{path} is not the original {ORIGINALS_FILE} names; if it holds the starting code learners should get, run `patterns dev update`"
                        ),
                    );
                }
            }
            for path in listed
                .files
                .keys()
                .filter(|p| !current.files.contains_key(*p))
            {
                findings.error(
                    "originals",
                    Some(ORIGINALS_FILE.to_owned()),
                    None,
                    format!(
                        "{ORIGINALS_FILE} lists {path}, which is no exercise of {INFO_FILE}; run `patterns dev update`"
                    ),
                );
            }
        }
    }
    Ok(())
}

/// What the sources say: a `// TODO` to work on, no tests where `test = false`,
/// and in a strict workbook, files that parse and tests that are the solution's.
fn check_sources(workbook: &Workbook, findings: &mut Findings) {
    let strict = workbook.catalog.strict;
    for exercise in &workbook.catalog.exercises {
        let path = exercise.path();
        let Ok(text) = std::fs::read_to_string(workbook.root.join(&path)) else {
            continue; // the catalog has said it is missing
        };
        let name = Some(exercise.name.as_str());
        if !text.contains("TODO") {
            findings.error(
                "todo",
                Some(shown(&path)),
                name,
                format!(
                    "{} has no `// TODO`; mark every place the learner must change",
                    shown(&path)
                ),
            );
        }
        let parsed = contract::parse(&text);
        match &parsed {
            Ok(file) if !exercise.test => {
                if let Some(test) = contract::tests_in(file).first() {
                    findings.error(
                        "test-in-program",
                        Some(shown(&path)),
                        name,
                        format!(
                            "{} has a #[test] ({}) but `test = false`: its tests never run; set test = true or remove the tests",
                            shown(&path),
                            test.name
                        ),
                    );
                }
            }
            Err(error) if strict => {
                findings.error(
                    "parse",
                    Some(format!("{}:{}:{}", shown(&path), error.line, error.column)),
                    name,
                    format!(
                        "{} does not parse ({error}); in a strict workbook every exercise parses (set strict = false if a syntax error is the lesson)",
                        shown(&path)
                    ),
                );
            }
            _ => {}
        }
        if strict
            && exercise.test
            && let Ok(file) = &parsed
        {
            tests_equal(workbook, exercise, contract::tests_tokens(file), findings);
        }
    }
}

/// The learner must face the very tests the reference solution passes.
fn tests_equal(
    workbook: &Workbook,
    exercise: &Exercise,
    mine: Option<String>,
    findings: &mut Findings,
) {
    let solution = exercise.solution_path();
    let Ok(solution_text) = std::fs::read_to_string(workbook.root.join(&solution)) else {
        return;
    };
    match contract::parse(&solution_text) {
        Ok(theirs) if mine == contract::tests_tokens(&theirs) => {}
        Ok(_) => findings.error(
            "tests-differ",
            Some(shown(&exercise.path())),
            Some(&exercise.name),
            format!(
                "{}: the tests of {} and {} differ; the learner must face the tests the solution passes",
                exercise.name,
                shown(&exercise.path()),
                shown(&solution)
            ),
        ),
        Err(error) => findings.error(
            "parse",
            Some(format!("{}:{}:{}", shown(&solution), error.line, error.column)),
            Some(&exercise.name),
            format!("{} does not parse ({error}); fix the solution", shown(&solution)),
        ),
    }
}

/// Every solution as rustfmt writes it (with its target's edition).
fn check_format(workbook: &Workbook, targets: &Targets, findings: &mut Findings) {
    let mut by_edition: std::collections::BTreeMap<String, Vec<PathBuf>> = Default::default();
    for exercise in &workbook.catalog.exercises {
        let path = exercise.solution_path();
        if !workbook.root.join(&path).is_file() {
            continue;
        }
        let edition = targets
            .bins
            .get(&exercise.solution_target())
            .map(|bin| bin.edition.clone())
            .filter(|e| !e.is_empty())
            .unwrap_or_else(|| "2021".to_owned());
        by_edition.entry(edition).or_default().push(path);
    }
    for (edition, files) in by_edition {
        let output = Command::new("rustfmt")
            .current_dir(&workbook.root)
            .args(["--check", "--edition", &edition])
            .args(&files)
            .output();
        let output = match output {
            Ok(output) => output,
            Err(_) => {
                findings.warning(
                    "rustfmt",
                    None,
                    "rustfmt is not installed, so the solutions' formatting is not checked; `rustup component add rustfmt` installs it".to_owned(),
                );
                return;
            }
        };
        // `Diff in /abs/path/x.rs:12:` heads each difference.
        let stdout = String::from_utf8_lossy(&output.stdout);
        let mut seen = BTreeSet::new();
        for line in stdout.lines() {
            let Some(place) = line
                .strip_prefix("Diff in ")
                .map(|p| p.trim_end_matches(':'))
            else {
                continue;
            };
            let (file, line_no) = place.rsplit_once(':').unwrap_or((place, ""));
            let file = Path::new(file);
            let relative = file
                .strip_prefix(&workbook.root)
                .unwrap_or(file)
                .to_path_buf();
            if seen.insert(relative.clone()) {
                findings.error(
                    "rustfmt",
                    Some(if line_no.is_empty() {
                        shown(&relative)
                    } else {
                        format!("{}:{line_no}", shown(&relative))
                    }),
                    None,
                    format!(
                        "{} is not formatted as rustfmt writes it; run `rustfmt --edition {edition} {}`",
                        shown(&relative),
                        shown(&relative)
                    ),
                );
            }
        }
    }
}

/// Every solution passes (clippy warnings denied), every exercise fails unsolved.
fn check_builds(
    workbook: &Workbook,
    requested_jobs: Option<usize>,
    cancel: &Cancel,
    json: bool,
    findings: &mut Findings,
) -> Result<Counts> {
    let catalog = &workbook.catalog;
    let with_solution: Vec<&Exercise> = catalog
        .exercises
        .iter()
        .filter(|e| workbook.root.join(e.solution_path()).is_file())
        .collect();
    let unsolved: Vec<&Exercise> = catalog
        .exercises
        .iter()
        .filter(|e| !e.skip_check_unsolved)
        .collect();
    let progress = BuildProgress::new();
    let show = |event: check::Event<'_>| {
        if !json {
            progress.event(event);
        }
    };
    // One check of both sides, so that each package builds in one invocation.
    // Solutions are linted with warnings denied; exercises are expected to fail,
    // so linting them would only cost time.
    let options = check::Options {
        jobs: jobs(requested_jobs),
        lint_solutions: true,
        cancel: Some(cancel.clone()),
    };
    let items: Vec<(&Exercise, Side)> = with_solution
        .iter()
        .map(|e| (*e, Side::Solution))
        .chain(unsolved.iter().map(|e| (*e, Side::Exercise)))
        .collect();
    let mut verdicts = check::check_many(workbook, &items, &options, &show)
        .context("cannot run cargo; is Rust installed?")?;
    let exercises = verdicts.split_off(with_solution.len());
    let solutions = verdicts;
    progress.clear();
    if solutions
        .iter()
        .chain(&exercises)
        .any(|v| v.status == Status::Cancelled)
    {
        bail!("interrupted");
    }

    for (exercise, verdict) in with_solution.iter().zip(&solutions) {
        let place = Some(shown(&exercise.solution_path()));
        if !verdict.is_done() {
            findings.error(
                "solution-fails",
                place,
                Some(&exercise.name),
                format!(
                    "solution of {} ({}): {}\n{}",
                    exercise.name,
                    shown(&exercise.solution_path()),
                    verdict.status.describe(),
                    indent(&rendered(verdict)?)
                ),
            );
        } else if exercise.test && verdict.test_counts().1 == 0 {
            // A test exercise without tests would pass vacuously, unsolved or not.
            findings.error(
                "no-tests",
                place,
                Some(&exercise.name),
                format!(
                    "{} has no tests; add tests that fail on the starting code, or set test = false",
                    exercise.name
                ),
            );
        }
    }
    for (exercise, verdict) in unsolved.iter().zip(&exercises) {
        if verdict.is_done() {
            findings.error(
                "passes-unsolved",
                Some(shown(&exercise.path())),
                Some(&exercise.name),
                format!(
                    "exercise {} passes unsolved; make a test fail on the starting code, or set skip_check_unsolved = true",
                    exercise.name
                ),
            );
        } else if verdict.status == Status::BuildFailed {
            findings.error(
                "cargo",
                Some(shown(&exercise.path())),
                Some(&exercise.name),
                format!(
                    "exercise {}: cargo failed: {}",
                    exercise.name,
                    verdict.cargo_error.as_deref().unwrap_or("no message")
                ),
            );
        }
    }
    Ok(Counts {
        solutions_passing: solutions.iter().filter(|v| v.is_done()).count(),
        solutions_checked: solutions.len(),
        failing_unsolved: exercises.iter().filter(|v| !v.is_done()).count(),
        checked_unsolved: exercises.len(),
        skipped_unsolved: catalog.exercises.len() - unsolved.len(),
    })
}

fn rendered(verdict: &Verdict) -> Result<String> {
    let mut text = Vec::new();
    output::write_verdict(&mut text, verdict)?;
    Ok(String::from_utf8_lossy(&text).into_owned())
}

fn shown(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
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

fn finish(
    findings: &Findings,
    counts: &Counts,
    strict: bool,
    exercises: usize,
    json: bool,
    started: Instant,
) -> Result<ExitCode> {
    let errors = findings.errors();
    let warnings = findings.0.len() - errors;
    let code = if errors == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    };
    let mut out = anstream::stdout();
    if json {
        let report = JsonReport {
            version: 1,
            ok: errors == 0,
            strict,
            exercises,
            solutions_passing: counts.solutions_passing,
            solutions_checked: counts.solutions_checked,
            exercises_failing_unsolved: counts.failing_unsolved,
            exercises_checked_unsolved: counts.checked_unsolved,
            errors,
            warnings,
            duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            findings: &findings.0,
        };
        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
        return Ok(code);
    }
    let seconds = started.elapsed().as_secs_f64();
    if warnings > 0 {
        writeln!(out, "\n{BOLD}Warnings:{BOLD:#}")?;
        for finding in findings
            .0
            .iter()
            .filter(|f| f.severity == Severity::Warning)
        {
            writeln!(out, "{WARN}!{WARN:#} {}", line(finding))?;
        }
    }
    if errors == 0 {
        writeln!(
            out,
            "{GOOD}dev check passed{GOOD:#} {DIM}in {seconds:.1} s{DIM:#}"
        )?;
        return Ok(code);
    }
    writeln!(out, "\n{BOLD}What failed:{BOLD:#}")?;
    for finding in findings.0.iter().filter(|f| f.severity == Severity::Error) {
        writeln!(out, "{BAD}✗{BAD:#} {}", line(finding))?;
    }
    writeln!(
        out,
        "{BAD}dev check failed{BAD:#}: {} {DIM}in {seconds:.1} s{DIM:#}",
        output::count(errors, "problem")
    )?;
    Ok(code)
}

/// A finding as a line: its message, which names its place (`place: ` in front
/// where the message does not).
fn line(finding: &Finding) -> String {
    match &finding.place {
        Some(place)
            if place.contains(':')
                && !finding.message.starts_with(place.as_str())
                && !finding.message.contains(place.as_str()) =>
        {
            format!("{place}: {}", finding.message)
        }
        _ => finding.message.clone(),
    }
}
