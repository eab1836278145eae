//! Checking exercises: from source file to [`Verdict`].
//!
//! One check is one cargo invocation (`cargo test --no-run`, or `cargo build` for
//! `test = false`) followed by running the built binary directly under the
//! exercise's timeout, plus in-process reads of the syntax tree (placeholders left,
//! architecture checks). Clippy runs for `strict_clippy` exercises whose tests
//! pass. Many exercises ([`check_many`]) share those cargo invocations and run their
//! binaries on a bounded pool of threads.
//!
//! A set in rustlings' format (not `strict`) gets rustlings' verdict: after the
//! tests pass, `main` runs too (where it has a statement) and clippy's deny-level
//! lints fail the exercise.
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

use build::{Wanted, build_all, by_package};
use run::{apply_main, apply_run, run_binary, run_main};
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
    /// Run clippy (warnings denied) on every solution that passes, not only on
    /// `strict_clippy` exercises (for `dev check`).
    pub lint_solutions: bool,
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
        lint_solutions: false,
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
    // Read the sources first (placeholders, architecture checks, the tests they
    // declare, whether `main` must run too): they decide what to build.
    let sources: Vec<Source> = exercises
        .iter()
        .enumerate()
        .map(|(index, exercise)| {
            read_source(workbook, exercise, sides[index], &mut verdicts[index])
        })
        .collect();
    // rustlings runs `main` after the tests pass; a set in its format is judged
    // the same way (ours keep `main` for experiments, and do not pay the build).
    let runs_main: Vec<bool> = (0..items.len())
        .map(|i| !workbook.catalog.strict && exercises[i].test && sources[i].main_has_code)
        .collect();
    let mut wanted: Vec<Wanted> = Vec::new();
    for (index, exercise) in exercises.iter().enumerate() {
        let target = sides[index].target(exercise);
        let source = root.join(sides[index].file(exercise));
        let mode = if exercise.test { Mode::Test } else { Mode::Run };
        wanted.push(Wanted {
            target: target.clone(),
            source: source.clone(),
            mode,
            record: target.clone(),
        });
        if runs_main[index] {
            wanted.push(Wanted {
                record: format!("{target}.main"),
                target,
                source,
                mode: Mode::Run,
            });
        }
    }
    let builds = build_all(workbook, &packages, &wanted, cancel, on_event)?;
    if builds.iter().any(|b| b.cancelled) {
        for verdict in &mut verdicts {
            verdict.status = Status::Cancelled;
            verdict.elapsed = started.elapsed();
        }
        return Ok(verdicts);
    }
    let built = |target: &str, mode: Mode| {
        builds
            .iter()
            .filter(|b| b.mode == mode)
            .map(|b| b.target(target))
            .find(|t| t.executable.is_some() || !t.diagnostics.is_empty())
            .unwrap_or_default()
    };

    // Collect the binaries: the test harness or the program, and `main` where
    // it runs after the tests.
    let mut runnable: Vec<(usize, PathBuf, Option<PathBuf>)> = Vec::new();
    for (index, exercise) in exercises.iter().enumerate() {
        let verdict = &mut verdicts[index];
        let target = sides[index].target(exercise);
        let mode = if exercise.test { Mode::Test } else { Mode::Run };
        let build = built(&target, mode);
        verdict.diagnostics = build.diagnostics.clone();
        verdict.first_error = build.errors().find_map(|d| d.location.clone());
        let main = runs_main[index]
            .then(|| built(&target, Mode::Run).executable)
            .flatten();
        match build.executable {
            Some(executable) if !runs_main[index] || main.is_some() => {
                runnable.push((index, executable, main));
            }
            _ => {
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
    // Clippy sees every exercise of a rustlings set (a deny-level lint fails it,
    // as in rustlings); in ours only `strict_clippy` ones and, for `dev check`,
    // every solution. Those count every finding.
    let denies_warnings = |exercise: &Exercise, side: Side| {
        exercise.strict_clippy || (options.lint_solutions && side == Side::Solution)
    };
    let lints = |exercise: &Exercise, verdict: &Verdict| {
        (denies_warnings(exercise, verdict.side) || !workbook.catalog.strict)
            && verdict.status == Status::Done
    };
    let next = AtomicUsize::new(0);
    let shared = std::sync::Mutex::new(verdicts);
    std::thread::scope(|scope| {
        for _ in 0..options.jobs.clamp(1, runnable.len().max(1)) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some((index, executable, main)) = runnable.get(i) else {
                        break;
                    };
                    let exercise = exercises[*index];
                    on_event(Event::Running {
                        exercise: &exercise.name,
                    });
                    let result = run_binary(root, exercise, executable, cancel);
                    let Ok(mut verdict) = shared.lock().map(|all| all[*index].clone()) else {
                        break;
                    };
                    apply_run(&mut verdict, result, &sources[*index]);
                    if let Some(main) = main
                        && verdict.status == Status::Done
                    {
                        apply_main(&mut verdict, run_main(root, exercise, main, cancel));
                    }
                    verdict.elapsed = started.elapsed();
                    let finished = shared.lock().ok().map(|mut all| {
                        all[*index] = verdict;
                        all[*index].clone()
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
        let mut lint = BuildOutput::new(Mode::Clippy);
        for (package, names) in by_package(&packages, &targets) {
            let output = cargo::build(
                root,
                &package.id,
                &names,
                Mode::Clippy,
                false,
                cancel,
                |_| {},
            )?;
            lint.targets.extend(output.targets);
            lint.cancelled |= output.cancelled;
            lint.cargo_error = lint.cargo_error.or(output.cargo_error);
        }
        for &i in &strict {
            let findings: Vec<Diagnostic> = lint
                .target(&sides[i].target(exercises[i]))
                .diagnostics
                .into_iter()
                .filter(|d| denies_warnings(exercises[i], sides[i]) || d.is_error())
                .collect();
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
