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

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::architecture::{self, CheckOutcome};
use crate::cargo::{self, BuildOutput, BuildProgress, Diagnostic, Location, Mode};
use crate::catalog::Exercise;
use crate::contract::{self, SourceTest, TestChange};
use crate::libtest::{self, TestOutcome, TestStatus};
use crate::originals;
use crate::placeholders::{self, Placeholder};
use crate::process::{self, Cancel, Ending, Limits};
use crate::provenance::Records;
use crate::targets::{Package, Targets};
use crate::workbook::Workbook;

/// Which file of an exercise to check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The learner's file under `exercises/`.
    Exercise,
    /// The reference solution under `solutions/`.
    Solution,
}

impl Side {
    fn target(self, exercise: &Exercise) -> String {
        match self {
            Side::Exercise => exercise.name.clone(),
            Side::Solution => exercise.solution_target(),
        }
    }

    fn file(self, exercise: &Exercise) -> PathBuf {
        match self {
            Side::Exercise => exercise.path(),
            Side::Solution => exercise.solution_path(),
        }
    }
}

/// The overall result of a check, the first reason it is not done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Done,
    /// rustc reported errors.
    CompileError,
    /// Cargo itself failed (a Cargo.toml problem, a missing target or dependency).
    BuildFailed,
    /// The tests or the program ran past the timeout and were killed.
    TimedOut,
    TestsFailed,
    /// The learner's tests are not the original ones (a test removed, weakened,
    /// ignored, or the module switched off).
    TestsChanged,
    /// The test binary exited successfully before every test reported a result
    /// (`std::process::exit` in a test, or in the code it calls).
    TestsUnfinished,
    /// `main` (or the test binary) exited with a failure status.
    ProgramFailed,
    /// An architecture check found the pattern missing.
    ChecksFailed,
    /// A `todo!()` or `unimplemented!()` is left.
    PlaceholdersLeft,
    /// `strict_clippy` and clippy reported something.
    ClippyFindings,
    /// The check was stopped before it finished (a newer save, Ctrl-C).
    Cancelled,
}

impl Status {
    pub fn is_done(self) -> bool {
        self == Status::Done
    }

    /// The check judged the learner's code (and progress should follow it), rather
    /// than being stopped or failing for reasons outside it (cargo could not build:
    /// no network for a dependency, a broken Cargo.toml).
    pub fn judges_the_code(self) -> bool {
        !matches!(self, Status::Cancelled | Status::BuildFailed)
    }

    /// A few words for people.
    pub fn describe(self) -> &'static str {
        match self {
            Status::Done => "done",
            Status::CompileError => "does not compile",
            Status::BuildFailed => "cargo could not build it",
            Status::TimedOut => "timed out (is there an infinite loop?)",
            Status::TestsFailed => "tests fail",
            Status::TestsUnfinished => "tests did not finish",
            Status::TestsChanged => "the tests were changed",
            Status::ProgramFailed => "the program failed",
            Status::ChecksFailed => "architecture checks fail",
            Status::PlaceholdersLeft => "todo!() left",
            Status::ClippyFindings => "clippy has findings",
            Status::Cancelled => "cancelled",
        }
    }
}

/// Everything a check found out about one exercise file.
#[derive(Debug, Clone)]
pub struct Verdict {
    pub exercise: String,
    pub side: Side,
    /// The exercise is judged by its tests (else by its `main`).
    pub test: bool,
    pub status: Status,
    /// The file that was checked, relative to the workbook root.
    pub file: PathBuf,
    /// Compiler diagnostics (errors and warnings), rendered with ANSI colours.
    pub diagnostics: Vec<Diagnostic>,
    /// Where the first compile error is.
    pub first_error: Option<Location>,
    /// Cargo's own message when it failed without a compiler diagnostic.
    pub cargo_error: Option<String>,
    /// Per test, in the harness's (alphabetical) order. Empty for `test = false`.
    pub tests: Vec<TestOutcome>,
    /// What the tests or the program printed (stdout, then stderr), lossily decoded.
    pub output: String,
    /// The output went past the cap and was cut.
    pub output_truncated: bool,
    /// The program's exit code, when it ran and exited normally.
    pub exit_code: Option<i32>,
    /// How the program ended when it did not exit by itself (a signal).
    pub crash: Option<String>,
    pub placeholders: Vec<Placeholder>,
    /// How the learner's tests differ from the original ones they must keep.
    pub tests_changed: Vec<TestChange>,
    pub checks: Vec<CheckOutcome>,
    /// Clippy's findings under `strict_clippy`.
    pub clippy: Vec<Diagnostic>,
    pub timeout: Duration,
    pub elapsed: Duration,
}

impl Verdict {
    /// A verdict with nothing found yet: done until a check says otherwise.
    pub fn new(exercise: &Exercise, side: Side) -> Verdict {
        Verdict {
            exercise: exercise.name.clone(),
            side,
            test: exercise.test,
            status: Status::Done,
            file: side.file(exercise),
            diagnostics: Vec::new(),
            first_error: None,
            cargo_error: None,
            tests: Vec::new(),
            output: String::new(),
            output_truncated: false,
            exit_code: None,
            crash: None,
            placeholders: Vec::new(),
            tests_changed: Vec::new(),
            checks: Vec::new(),
            clippy: Vec::new(),
            timeout: exercise.timeout,
            elapsed: Duration::ZERO,
        }
    }

    pub fn is_done(&self) -> bool {
        self.status.is_done()
    }

    /// Tests that passed, and tests in all (ignored ones excluded).
    pub fn test_counts(&self) -> (usize, usize) {
        let counted = self
            .tests
            .iter()
            .filter(|t| t.status != TestStatus::Ignored);
        let total = counted.clone().count();
        let passed = counted.filter(|t| t.status == TestStatus::Passed).count();
        (passed, total)
    }

    /// The verdict in one line, for the banner of the screen and the last line of
    /// `patterns run`: why the exercise is not done, with the figures that matter.
    /// Every status is worded here, and only here, at this length.
    pub fn headline(&self) -> String {
        let (passed, total) = self.test_counts();
        match self.status {
            Status::CompileError => match &self.first_error {
                Some(at) => format!("does not compile: first error at {at}"),
                None => "does not compile".to_owned(),
            },
            Status::TimedOut => format!(
                "timed out after {} s and stopped: is there an infinite loop?",
                self.timeout.as_secs()
            ),
            Status::TestsFailed => format!("tests fail: {passed} of {total} pass"),
            Status::TestsChanged => {
                let changes: Vec<String> = self
                    .tests_changed
                    .iter()
                    .map(TestChange::describe)
                    .collect();
                format!(
                    "the tests are not the original ones: {}",
                    changes.join(", ")
                )
            }
            Status::TestsUnfinished => {
                let unfinished = self
                    .tests
                    .iter()
                    .filter(|t| t.status == TestStatus::DidNotFinish)
                    .count();
                let (tests, they) = if unfinished == 1 {
                    ("test", "it")
                } else {
                    ("tests", "they")
                };
                format!(
                    "{unfinished} {tests} did not finish: the test binary ended before {they} reported a result (does the code call std::process::exit?)"
                )
            }
            Status::ProgramFailed => {
                let program = if !self.test {
                    "the program"
                } else {
                    "the test binary"
                };
                match (&self.crash, self.exit_code) {
                    (Some(crash), _) => format!("{program} crashed: {crash}"),
                    (None, Some(code)) => format!("{program} exited with code {code}"),
                    (None, None) => format!("{program} stopped abnormally"),
                }
            }
            status => status.describe().to_owned(),
        }
    }

    /// Compile errors only.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| d.is_error())
    }
}

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

/// One cargo invocation per package and mode that the exercises need (more when a
/// target could not be reached or its binary cannot be trusted).
fn build_all(
    workbook: &Workbook,
    packages: &Targets,
    items: &[(&Exercise, Side)],
    cancel: Option<&Cancel>,
    on_event: &(dyn Fn(Event<'_>) + Sync),
) -> std::io::Result<Vec<BuildOutput>> {
    let root = workbook.root.as_path();
    let records = Records::new(&workbook.state_dir());
    let mut outputs = Vec::new();
    for (mode, wants_tests) in [(Mode::Test, true), (Mode::Run, false)] {
        let sources: Vec<(String, PathBuf)> = items
            .iter()
            .filter(|(e, _)| e.test == wants_tests)
            .map(|(e, side)| (side.target(e), root.join(side.file(e))))
            .collect();
        let names: Vec<String> = sources.iter().map(|(name, _)| name.clone()).collect();
        // A target no package has is reported as "no binary" by the caller.
        for (package, names) in by_package(packages, &names) {
            let targets: Vec<(String, PathBuf)> = sources
                .iter()
                .filter(|(name, _)| names.contains(name))
                .cloned()
                .collect();
            if !build_package(
                root,
                package,
                &targets,
                mode,
                &records,
                cancel,
                on_event,
                &mut outputs,
            )? {
                return Ok(outputs);
            }
        }
    }
    Ok(outputs)
}

/// `targets` grouped by the package that builds them, in the order they first
/// appear; targets no package has are left out.
fn by_package<'a>(packages: &'a Targets, targets: &[String]) -> Vec<(&'a Package, Vec<String>)> {
    let mut groups: Vec<(&Package, Vec<String>)> = Vec::new();
    for target in targets {
        let Some(package) = packages.package(target) else {
            continue;
        };
        match groups.iter_mut().find(|(p, _)| p.id == package.id) {
            Some((_, list)) => list.push(target.clone()),
            None => groups.push((package, vec![target.clone()])),
        }
    }
    groups
}

/// Builds `targets` of one package until each has a binary (built from its
/// source as it is now) or a diagnostic. Returns false when the build stopped
/// (cancelled, or cargo itself failed).
#[allow(clippy::too_many_arguments)]
fn build_package(
    root: &Path,
    package: &Package,
    targets: &[(String, PathBuf)],
    mode: Mode,
    records: &Records,
    cancel: Option<&Cancel>,
    on_event: &(dyn Fn(Event<'_>) + Sync),
    outputs: &mut Vec<BuildOutput>,
) -> std::io::Result<bool> {
    let source_id = |path: &Path| {
        std::fs::read_to_string(path)
            .map(|text| originals::blob_id(&text))
            .unwrap_or_default()
    };
    let mut cleaned = false;
    let mut pending: Vec<&(String, PathBuf)> = targets.iter().collect();
    while !pending.is_empty() {
        let before: Vec<String> = pending
            .iter()
            .map(|(_, source)| source_id(source))
            .collect();
        let names: Vec<String> = pending.iter().map(|(name, _)| name.clone()).collect();
        let mut output = cargo::build(root, &package.id, &names, mode, cancel, |progress| {
            on_event(Event::Building(progress));
        })?;
        let mut unreached = Vec::new();
        let mut stale = Vec::new();
        for (&target, id) in pending.iter().zip(&before) {
            let (name, source) = target;
            let Some(build) = output.targets.get_mut(name) else {
                continue;
            };
            match build.executable.clone() {
                // `cargo test` has no `--keep-going`: it stops scheduling at the
                // first target that fails to compile. Build again what it never
                // reached (one more round per broken target).
                None if build.errors().next().is_none() => unreached.push(target),
                None => {}
                // Built just now from the source (unless it was saved meanwhile:
                // then the next check builds again).
                Some(executable) if !build.fresh && source_id(source) == *id => {
                    let _ = records.remember(name, &executable, id);
                }
                Some(_) if !build.fresh => {}
                // A binary cargo calls fresh that no record vouches for: a copied
                // or moved workbook, a shared target directory.
                Some(executable) if !records.vouches(name, &executable, id) => {
                    build.executable = None;
                    stale.push(target);
                }
                Some(_) => {}
            }
        }
        let stop = output.cancelled || output.cargo_error.is_some();
        outputs.push(output);
        if stop {
            return Ok(false);
        }
        let progressed = unreached.len() < pending.len();
        let rebuild = !stale.is_empty() && !cleaned;
        if rebuild {
            // Cargo would call them fresh again: forget what it built for this
            // package (its dependencies stay) and compile from the sources.
            cargo::clean(root, &package.name)?;
            cleaned = true;
            unreached.extend(stale);
        }
        if !progressed && !rebuild {
            break;
        }
        pending = unreached;
    }
    Ok(true)
}

/// What a check learns from the file's syntax tree, besides the verdict's fields.
#[derive(Debug, Default)]
struct Source {
    /// The tests the learner's file declares.
    tests: Vec<SourceTest>,
    /// The tests that must pass: the original's, when the learner must keep them.
    expected: Option<Vec<SourceTest>>,
}

/// Placeholders, architecture checks, the declared tests and whether they are still
/// the original's, read from the file in-process.
fn read_source(
    workbook: &Workbook,
    exercise: &Exercise,
    side: Side,
    verdict: &mut Verdict,
) -> Source {
    let Ok(text) = std::fs::read_to_string(workbook.root.join(&verdict.file)) else {
        return Source::default();
    };
    let Ok(file) = syn::parse_file(&text) else {
        return Source::default();
    };
    verdict.placeholders = placeholders::placeholders(&file);
    verdict.checks = architecture::evaluate(&exercise.checks, &file);
    let mut source = Source {
        tests: contract::tests_in(&file),
        expected: None,
    };
    if side == Side::Exercise
        && exercise.test
        && let Some(original) = kept_tests(workbook, exercise)
    {
        verdict.tests_changed = contract::compare(&original, &file);
        source.expected = Some(contract::tests_in(&original));
    }
    source
}

/// The file whose tests the learner must keep. In a workbook with
/// `originals.toml` (ours), every exercise's tests are its solution's (`dev check`
/// holds authors to it): the original, or the solution when the original cannot be
/// found. Without it (a rustlings set), only an original whose `mod tests` is its
/// solution's too; where they differ (the learner writes the tests, as in
/// rustlings' `tests1`) or either is unknown, the learner's tests are theirs.
fn kept_tests(workbook: &Workbook, exercise: &Exercise) -> Option<syn::File> {
    let parse = |text: &str| syn::parse_file(text).ok();
    let original = workbook
        .original(exercise)
        .ok()
        .and_then(|o| parse(&o.text));
    let solution = || {
        std::fs::read_to_string(workbook.root.join(exercise.solution_path()))
            .ok()
            .and_then(|text| parse(&text))
    };
    if workbook.originals.is_some() {
        return original.or_else(solution);
    }
    let original = original?;
    let tokens = |file: &syn::File| contract::tests_module(file).map(contract::module_tokens);
    let theirs = tokens(&original)?;
    (tokens(&solution()?).as_deref() == Some(theirs.as_str())).then_some(original)
}

enum RunResult {
    Tests {
        listed: Vec<String>,
        run: std::io::Result<process::Finished>,
        /// Read from the whole of stdout as it streamed, past the output cap.
        results: libtest::Results,
    },
    Program(std::io::Result<process::Finished>),
    ListFailed(std::io::Result<process::Finished>),
}

fn run_binary(
    root: &Path,
    exercise: &Exercise,
    executable: &Path,
    cancel: Option<&Cancel>,
) -> RunResult {
    let limits = Limits {
        timeout: Some(exercise.timeout),
        cancel: cancel.cloned(),
    };
    let command = |args: &[&str]| {
        let mut command = Command::new(executable);
        // Panic messages without backtraces: the verdict shows the message and place.
        command
            .current_dir(root)
            .args(args)
            .env("RUST_BACKTRACE", "0");
        command
    };
    if !exercise.test {
        return RunResult::Program(process::run(command(&[]), &limits, |_, _| {}));
    }
    let list = process::run(
        command(&["--list", "--format", "terse"]),
        &limits,
        |_, _| {},
    );
    let listed = match &list {
        Ok(finished) if finished.success() => {
            libtest::parse_list(&String::from_utf8_lossy(&finished.stdout))
        }
        _ => return RunResult::ListFailed(list),
    };
    let mut results = libtest::Results::default();
    let run = process::run(command(&["--color", "never"]), &limits, |stream, line| {
        if stream == process::Stream::Stdout {
            results.feed(&String::from_utf8_lossy(line));
        }
    });
    RunResult::Tests {
        listed,
        run,
        results,
    }
}

/// `workbook/../exercises/x.rs` (the path rustc was given, as a panic message
/// shows it) written as `exercises/x.rs` wherever it appears in `text`.
fn tidy_mentions(text: &str, file: &str) -> String {
    let needle = format!("/../{file}");
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(&needle) {
        let token_start = rest[..at]
            .rfind(|c: char| c.is_whitespace() || c == '\'' || c == '"' || c == '(')
            .map_or(0, |i| i + 1);
        out.push_str(&rest[..token_start]);
        out.push_str(file);
        rest = &rest[at + needle.len()..];
    }
    out.push_str(rest);
    out
}

fn apply_run(verdict: &mut Verdict, result: RunResult, source: &Source) {
    let (finished, tests) = match result {
        RunResult::Tests {
            listed,
            run,
            results,
        } => (run, Some((listed, results))),
        RunResult::Program(run) | RunResult::ListFailed(run) => (run, None),
    };
    let finished = match finished {
        Ok(finished) => finished,
        Err(error) => {
            verdict.status = Status::ProgramFailed;
            verdict.output = format!("could not start the exercise's binary: {error}");
            return;
        }
    };
    // Panic messages name the file as rustc was given it; name the learner's
    // file instead, in the output and so in the parsed test locations too.
    let file = verdict.file.to_string_lossy().replace('\\', "/");
    let stdout = tidy_mentions(&String::from_utf8_lossy(&finished.stdout), &file);
    let stderr = tidy_mentions(&String::from_utf8_lossy(&finished.stderr), &file);
    verdict.output = if stderr.trim().is_empty() {
        stdout.clone()
    } else {
        format!("{stdout}{stderr}")
    };
    verdict.output_truncated = finished.truncated;
    if finished.truncated {
        verdict.output.push_str(&format!(
            "\n[output cut at {} MiB per stream]\n",
            process::OUTPUT_CAP / (1024 * 1024)
        ));
    }
    if let Some((listed, results)) = tests {
        // The tests that count are the original's when the learner must keep
        // them: one deleted or never run is missing, not forgotten.
        let mut names = listed;
        for test in source.expected.iter().flatten() {
            if !names.contains(&test.name) {
                names.push(test.name.clone());
            }
        }
        verdict.tests = libtest::outcomes(&names, &results, &stdout);
        // An `#[ignore]`d test is skipped, reported or not (an early exit may
        // have come before the harness reported it).
        for test in &mut verdict.tests {
            if test.status == TestStatus::DidNotFinish
                && source
                    .tests
                    .iter()
                    .any(|t| t.ignored && t.name == test.name)
            {
                test.status = TestStatus::Ignored;
            }
        }
    }

    let runtime_status = match finished.ending {
        Ending::Cancelled => Status::Cancelled,
        Ending::TimedOut => Status::TimedOut,
        Ending::Exited(status) => {
            verdict.exit_code = status.code();
            verdict.crash = crash_description(status);
            if verdict.tests.iter().any(|t| t.status == TestStatus::Failed) {
                Status::TestsFailed
            } else if !status.success() {
                Status::ProgramFailed
            } else if verdict
                .tests
                .iter()
                .any(|t| t.status == TestStatus::DidNotFinish)
            {
                // Exit status 0 proves nothing: `std::process::exit(0)` in a test
                // ends the binary "successfully" before the other tests report.
                Status::TestsUnfinished
            } else {
                Status::Done
            }
        }
    };
    verdict.status = if runtime_status == Status::Cancelled {
        runtime_status
    } else if !verdict.tests_changed.is_empty() {
        // Whatever changed tests say, they are not the exercise's.
        Status::TestsChanged
    } else if runtime_status != Status::Done {
        runtime_status
    } else if verdict.checks.iter().any(|c| !c.violations.is_empty()) {
        Status::ChecksFailed
    } else if !verdict.placeholders.is_empty() {
        Status::PlaceholdersLeft
    } else {
        Status::Done
    };
}

/// How a program that did not exit by itself ended, for people.
fn crash_description(status: std::process::ExitStatus) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        let signal = status.signal()?;
        let (name, why) = match signal {
            6 => (
                "SIGABRT",
                "an abort: a stack overflow, a panic while panicking, or std::process::abort",
            ),
            11 => ("SIGSEGV", "a memory fault"),
            9 => ("SIGKILL", "killed from outside (out of memory?)"),
            4 => ("SIGILL", "an illegal instruction"),
            8 => ("SIGFPE", "an arithmetic fault"),
            7 => ("SIGBUS", "a bus error"),
            _ => ("a signal", "stopped from outside or by a fault"),
        };
        Some(format!("it was killed by signal {signal} ({name}): {why}"))
    }
    #[cfg(not(unix))]
    {
        status
            .code()
            .is_none()
            .then(|| "it stopped abnormally".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn panic_locations_are_shown_relative_to_the_workbook() {
        use std::os::unix::process::ExitStatusExt;
        let exercise = crate::catalog::Catalog::from_toml(
            "format_version = 1\n[[exercises]]\nname = \"a\"\ndir = \"t\"\nhint = \"h\"\n",
            None,
        )
        .unwrap()
        .exercises
        .remove(0);
        let mut verdict = Verdict::new(&exercise, Side::Exercise);
        let stdout = "test tests::t ... FAILED\n\nfailures:\n\n---- tests::t stdout ----\n\nthread 'tests::t' panicked at workbook/../exercises/t/a.rs:9:5:\nboom\n\nfailures:\n    tests::t\n";
        let run = process::Finished {
            ending: Ending::Exited(std::process::ExitStatus::from_raw(101 << 8)),
            stdout: stdout.as_bytes().to_vec(),
            stderr: Vec::new(),
            truncated: false,
            elapsed: Duration::ZERO,
        };
        apply_run(
            &mut verdict,
            RunResult::Tests {
                listed: vec!["tests::t".to_owned()],
                results: {
                    let mut results = libtest::Results::default();
                    stdout.lines().for_each(|line| results.feed(line));
                    results
                },
                run: Ok(run),
            },
            &Source::default(),
        );
        assert_eq!(
            verdict.tests[0].location.as_deref(),
            Some("exercises/t/a.rs:9:5")
        );
        assert!(
            verdict
                .output
                .contains("panicked at exercises/t/a.rs:9:5:\nboom"),
            "{}",
            verdict.output
        );
    }

    #[test]
    fn program_output_names_the_learners_file() {
        assert_eq!(
            tidy_mentions(
                "thread 'main' panicked at workbook/../exercises/t/a.rs:39:5:\nat (workbook/../exercises/t/a.rs)",
                "exercises/t/a.rs"
            ),
            "thread 'main' panicked at exercises/t/a.rs:39:5:\nat (exercises/t/a.rs)"
        );
        assert_eq!(
            tidy_mentions("nothing here", "exercises/t/a.rs"),
            "nothing here"
        );
    }
}
