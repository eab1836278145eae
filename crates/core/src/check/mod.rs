//! Checking exercises: from source file to [`Verdict`].
//!
//! One check is one cargo invocation (`cargo test --no-run`, or `cargo build` for
//! `test = false`) followed by running the built binary directly under the
//! exercise's timeout, plus in-process reads of the syntax tree (placeholders left,
//! architecture checks). Clippy runs only for `strict_clippy` exercises whose tests
//! pass. Many exercises ([`check_many`]) share those cargo invocations and run their
//! binaries on a bounded pool of threads.
//!
//! This module knows nothing of terminals: it reports [`Event`]s to a callback and
//! returns values; the CLI and the watch screen decide how to show them.
//!
//! Inside: `build` (the cargo invocations, and which binaries to trust), `source`
//! (what the syntax tree says), `run` (running a binary and reading what it did).

mod build;
mod run;
mod source;

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use crate::cargo::{self, BuildOutput, BuildProgress, Diagnostic, Mode};
use crate::catalog::Exercise;
use crate::process::Cancel;
use crate::targets::Targets;
use crate::verdict::{Side, Status, Verdict};
use crate::workbook::Workbook;

use build::{build_all, by_package};
use run::{apply_run, run_binary};
use source::{Source, read_source};

/// What a check reports while it works.
#[derive(Debug, Clone)]
pub enum Event<'a> {
    /// Cargo's progress through the build (dependencies first, then the exercises).
    Building(BuildProgress),
    /// The build is done; the named target's binary runs now.
    Running { exercise: &'a str },
    /// Clippy runs on these exercises.
    Linting,
    /// One exercise's verdict is final (each is reported once, as soon as it is).
    Checked(&'a Verdict),
}

/// How [`check_many`] works.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// At most this many exercise binaries run at once.
    pub jobs: usize,
    /// Run clippy (warnings denied) on every target that passes, not only on
    /// `strict_clippy` exercises (for `dev check` on solutions).
    pub lint_all: bool,
    /// Stops the cargo invocations and the binaries when set.
    pub cancel: Option<Cancel>,
}

/// Checks one exercise file.
pub fn check(
    workbook: &Workbook,
    exercise: &Exercise,
    side: Side,
    cancel: Option<&Cancel>,
    on_event: &(dyn Fn(Event<'_>) + Sync),
) -> std::io::Result<Verdict> {
    let options = Options {
        jobs: 1,
        lint_all: false,
        cancel: cancel.cloned(),
    };
    let mut verdicts = check_many(workbook, &[(exercise, side)], &options, on_event)?;
    Ok(verdicts.remove(0))
}

/// Checks many exercise files (learners' or solutions), sharing cargo invocations
/// and running at most `options.jobs` binaries at once. Verdicts come back in the
/// order of `items`.
pub fn check_many(
    workbook: &Workbook,
    items: &[(&Exercise, Side)],
    options: &Options,
    on_event: &(dyn Fn(Event<'_>) + Sync),
) -> std::io::Result<Vec<Verdict>> {
    let root = workbook.root.as_path();
    let started = Instant::now();
    let cancel = options.cancel.as_ref();
    let exercises: Vec<&Exercise> = items.iter().map(|(e, _)| *e).collect();
    let sides: Vec<Side> = items.iter().map(|(_, s)| *s).collect();
    let mut verdicts: Vec<Verdict> = items.iter().map(|(e, s)| Verdict::new(e, *s)).collect();

    // Records and the target map live in `.patterns/`; without it every check
    // rebuilds.
    let _ = workbook.ensure_state_dir();
    let packages = match Targets::load(root, &workbook.state_dir()) {
        Ok(targets) => targets,
        Err(error) => {
            for verdict in &mut verdicts {
                verdict.status = Status::BuildFailed;
                verdict.cargo_error = Some(error.to_string());
                on_event(Event::Checked(verdict));
            }
            return Ok(verdicts);
        }
    };
    let builds = build_all(workbook, &packages, items, cancel, on_event)?;
    if builds.iter().any(|b| b.cancelled) {
        for verdict in &mut verdicts {
            verdict.status = Status::Cancelled;
            verdict.elapsed = started.elapsed();
        }
        return Ok(verdicts);
    }

    // Read the sources (placeholders, architecture checks, the tests they declare)
    // and collect the binaries.
    let mut sources: Vec<Source> = Vec::with_capacity(items.len());
    let mut runnable: Vec<(usize, PathBuf)> = Vec::new();
    for (index, exercise) in exercises.iter().enumerate() {
        let verdict = &mut verdicts[index];
        let target = sides[index].target(exercise);
        let build = builds
            .iter()
            .map(|b| b.target(&target))
            .find(|t| t.executable.is_some() || !t.diagnostics.is_empty())
            .unwrap_or_default();
        verdict.diagnostics = build.diagnostics.clone();
        verdict.first_error = build.errors().find_map(|d| d.location.clone());
        sources.push(read_source(workbook, exercise, sides[index], verdict));
        match build.executable {
            Some(executable) => runnable.push((index, executable)),
            None => {
                verdict.status = if verdict.errors().next().is_some() {
                    Status::CompileError
                } else {
                    verdict.cargo_error = builds.iter().find_map(|b| b.cargo_error.clone());
                    if verdict.cargo_error.is_none() {
                        verdict.cargo_error = Some(format!(
                            "cargo built no binary for target `{target}`; is it a [[bin]] of the workbook's Cargo.toml? (`patterns dev update` writes them)"
                        ));
                    }
                    Status::BuildFailed
                };
                verdict.elapsed = started.elapsed();
                on_event(Event::Checked(verdict));
            }
        }
    }

    // Run the binaries on a bounded pool; each verdict is reported as soon as
    // it is final (those that clippy still has to see, after clippy).
    let lints = |exercise: &Exercise, verdict: &Verdict| {
        (exercise.strict_clippy || options.lint_all) && verdict.status == Status::Done
    };
    let next = AtomicUsize::new(0);
    let shared = std::sync::Mutex::new(verdicts);
    std::thread::scope(|scope| {
        for _ in 0..options.jobs.clamp(1, runnable.len().max(1)) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some((index, executable)) = runnable.get(i) else {
                        break;
                    };
                    let exercise = exercises[*index];
                    on_event(Event::Running {
                        exercise: &exercise.name,
                    });
                    let result = run_binary(root, exercise, executable, cancel);
                    let finished = shared.lock().ok().map(|mut all| {
                        let verdict = &mut all[*index];
                        apply_run(verdict, result, &sources[*index]);
                        verdict.elapsed = started.elapsed();
                        verdict.clone()
                    });
                    if let Some(verdict) = finished
                        && !lints(exercise, &verdict)
                    {
                        on_event(Event::Checked(&verdict));
                    }
                }
            });
        }
    });
    let mut verdicts = shared
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);

    // Clippy, only where everything else passed.
    let strict: Vec<usize> = (0..exercises.len())
        .filter(|&i| lints(exercises[i], &verdicts[i]))
        .collect();
    if !strict.is_empty() {
        on_event(Event::Linting);
        let targets: Vec<String> = strict
            .iter()
            .map(|&i| sides[i].target(exercises[i]))
            .collect();
        let mut lint = BuildOutput::default();
        for (package, names) in by_package(&packages, &targets) {
            let output = cargo::build(root, &package.id, &names, Mode::Clippy, cancel, |_| {})?;
            lint.targets.extend(output.targets);
            lint.cancelled |= output.cancelled;
            lint.cargo_error = lint.cargo_error.or(output.cargo_error);
        }
        for &i in &strict {
            let findings: Vec<Diagnostic> = lint.target(&sides[i].target(exercises[i])).diagnostics;
            let verdict = &mut verdicts[i];
            if lint.cancelled {
                verdict.status = Status::Cancelled;
            } else if !findings.is_empty() {
                verdict.clippy = findings;
                verdict.status = Status::ClippyFindings;
            } else if let Some(error) = &lint.cargo_error {
                verdict.cargo_error = Some(error.clone());
                verdict.status = Status::BuildFailed;
            }
            verdict.elapsed = started.elapsed();
        }
    }

    for &i in &strict {
        on_event(Event::Checked(&verdicts[i]));
    }
    Ok(verdicts)
}
