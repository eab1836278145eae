//! The one-shot commands: run, hint, reset, verify, progress, dev check/update.
//!
//! Each opens the workbook, does its one thing with the core library, and prints
//! for a person (or JSON for a script). Errors go back to `main` as `anyhow` errors
//! with a message that says what to do.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Instant, SystemTime};

use anyhow::{Context, Result, bail};
use patterns_core::catalog::{Exercise, topic_title};
use patterns_core::check::{self, Event, Side, Status, Verdict};
use patterns_core::process::Cancel;
use patterns_core::progress::{Progress, Store};
use patterns_core::workbook::{Lock, Workbook};

use crate::output::{self, BAD, BOLD, DIM, GOOD, WARN};

/// A usage problem: bad arguments, an unknown exercise. Exits with status 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// The workbook, its progress and (for commands that change things) its lock.
pub struct Session {
    pub workbook: Workbook,
    pub store: Store,
    pub progress: Progress,
    _lock: Option<Lock>,
}

impl Session {
    /// Opens the workbook at `dir` (or found from the current folder); `lock_as` takes
    /// the workbook's lock for a command that writes.
    pub fn open(dir: Option<&Path>, lock_as: Option<&str>) -> Result<Session> {
        let root = match dir {
            Some(dir) => dir.to_path_buf(),
            None => Workbook::find_root(&std::env::current_dir()?)?,
        };
        let workbook = Workbook::open(&root)?.with_embedded(crate::originals::ORIGINALS);
        let lock = match lock_as {
            Some(what) => Some(workbook.lock(what)?),
            None => None,
        };
        let store = workbook.store();
        let loaded = store
            .load()
            .with_context(|| format!("cannot read {}", store.path().display()))?;
        if let Some(warning) = &loaded.warning {
            let mut err = anstream::stderr();
            let _ = writeln!(err, "{WARN}warning{WARN:#}: {warning}");
        }
        Ok(Session {
            workbook,
            store,
            progress: loaded.progress,
            _lock: lock,
        })
    }

    /// Saves progress; when it cannot, says so on stderr (after whatever the
    /// command showed: a verdict or a hint is never hidden by it).
    pub fn save(&self) {
        if let Err(error) = self.store.save(&self.progress) {
            let mut err = anstream::stderr();
            let _ = writeln!(
                err,
                "{WARN}warning{WARN:#}: cannot save your progress to {} ({error}); this step is not remembered. Make that folder writable; `patterns verify` rebuilds the done marks from your code.",
                self.store.path().display()
            );
        }
    }

    /// The exercise called `name`, or an error that suggests the closest name.
    pub fn exercise(&self, name: &str) -> Result<&Exercise> {
        let catalog = &self.workbook.catalog;
        catalog.find(name).ok_or_else(|| {
            let hint = match catalog.did_you_mean(name) {
                Some(close) => format!("did you mean \"{close}\"?"),
                None => "`patterns progress` lists them".to_owned(),
            };
            UsageError(format!("there is no exercise \"{name}\"; {hint}")).into()
        })
    }

    /// The current exercise: the stored one, else the first not done, else the last.
    pub fn current(&self) -> &Exercise {
        let exercises = &self.workbook.catalog.exercises;
        self.progress
            .current
            .as_deref()
            .and_then(|name| self.workbook.catalog.find(name))
            .or_else(|| exercises.iter().find(|e| !self.progress.is_done(&e.name)))
            .or(exercises.last())
            // A validated catalog has at least one exercise.
            .unwrap_or(&exercises[0])
    }

    /// NAME if given, else the current exercise.
    pub fn pick(&self, name: Option<&str>) -> Result<Exercise> {
        Ok(match name {
            Some(name) => self.exercise(name)?.clone(),
            None => self.current().clone(),
        })
    }

    /// The first exercise after `name` (wrapping around) that is not done.
    pub fn next_pending(&self, name: &str) -> Option<&Exercise> {
        let exercises = &self.workbook.catalog.exercises;
        let start = self.workbook.catalog.position(name).map_or(0, |i| i + 1);
        (0..exercises.len())
            .map(|k| &exercises[(start + k) % exercises.len()])
            .find(|e| !self.progress.is_done(&e.name))
    }

    /// Records a verdict: the done mark or an attempt; a done current exercise moves
    /// the current one on. Returns the new current exercise's name when it moved.
    pub fn record(&mut self, verdict: &Verdict, count_attempt: bool) -> Option<String> {
        let now = SystemTime::now();
        if !verdict.status.judges_the_code() {
            return None;
        }
        let was_current = self.current().name == verdict.exercise;
        self.progress
            .record_check(&verdict.exercise, verdict.is_done(), count_attempt, now);
        if verdict.is_done() && was_current {
            let next = self.next_pending(&verdict.exercise).map(|e| e.name.clone());
            if let Some(next) = &next {
                self.progress.current = Some(next.clone());
            }
            return next;
        }
        None
    }
}

pub fn jobs(requested: Option<usize>) -> usize {
    requested
        .filter(|&n| n > 0)
        .or_else(|| std::thread::available_parallelism().ok().map(Into::into))
        .unwrap_or(2)
}

/// Shows cargo's build progress on one stderr line, when stderr is a terminal.
pub struct ProgressLine {
    tty: bool,
    shown: std::sync::atomic::AtomicBool,
}

impl ProgressLine {
    pub fn new() -> ProgressLine {
        ProgressLine {
            tty: std::io::stderr().is_terminal(),
            shown: std::sync::atomic::AtomicBool::new(false),
        }
    }

    pub fn event(&self, event: Event<'_>) {
        if !self.tty {
            return;
        }
        let line = match event {
            Event::Building(progress) => format!(
                "Building {}/{} {} {}",
                progress.done,
                progress.total,
                output::bar(progress.done, progress.total, 20),
                progress.current
            ),
            Event::Running { exercise } => format!("Running {exercise}"),
            Event::Linting => "Running clippy".to_owned(),
            Event::Checked(_) => return,
        };
        let width = 78;
        let line: String = line.chars().take(width).collect();
        eprint!("\r{line:<width$}");
        self.shown.store(true, std::sync::atomic::Ordering::SeqCst);
    }

    pub fn clear(&self) {
        if self.shown.swap(false, std::sync::atomic::Ordering::SeqCst) {
            eprint!("\r{:<78}\r", "");
        }
    }
}

pub fn run(dir: Option<&Path>, name: Option<&str>, cancel: &Cancel) -> Result<ExitCode> {
    let mut session = Session::open(dir, Some("patterns run"))?;
    let exercise = session.pick(name)?;
    let line = ProgressLine::new();
    let verdict = check::check(
        &session.workbook,
        &exercise,
        Side::Exercise,
        Some(cancel),
        &|event| line.event(event),
    )
    .context("cannot run cargo; is Rust installed (https://rustup.rs)?")?;
    line.clear();
    if verdict.status == Status::Cancelled {
        bail!("interrupted");
    }
    let moved_to = session.record(&verdict, true);

    let mut out = anstream::stdout();
    output::write_verdict(&mut out, &verdict)?;
    let code = if verdict.is_done() {
        match moved_to {
            Some(next) => writeln!(out, "Next: {BOLD}{next}{BOLD:#}. `patterns run` checks it.")?,
            None if session.next_pending(&exercise.name).is_none() => {
                writeln!(out, "Every exercise is done.")?;
                if let Some(message) = &session.workbook.catalog.final_message {
                    writeln!(out, "\n{}", message.trim_end())?;
                }
            }
            None => {}
        }
        ExitCode::SUCCESS
    } else {
        let revealed = session
            .progress
            .record(&exercise.name)
            .map_or(0, |r| r.hints_revealed);
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
    session.save();
    Ok(code)
}

pub fn hint(dir: Option<&Path>, name: Option<&str>, level: Option<usize>) -> Result<ExitCode> {
    let mut session = Session::open(dir, Some("patterns hint"))?;
    let exercise = session.pick(name)?;
    let count = exercise.hints.len();
    let revealed = session
        .progress
        .record(&exercise.name)
        .map_or(0, |r| r.hints_revealed);
    let level = match level {
        Some(level) if (1..=count).contains(&level) => level,
        Some(level) => {
            return Err(UsageError(format!(
                "{} has {count} hint{}; pick --level 1{}, not {level}",
                exercise.name,
                if count == 1 { "" } else { "s" },
                if count > 1 {
                    format!(" to {count}")
                } else {
                    String::new()
                }
            ))
            .into());
        }
        None => revealed.saturating_add(1).min(count),
    };
    let record = session
        .progress
        .record_mut(&exercise.name, SystemTime::now());
    record.hints_revealed = record.hints_revealed.max(level);

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
    session.save();
    Ok(ExitCode::SUCCESS)
}

pub fn reset(dir: Option<&Path>, name: &str, tests_only: bool) -> Result<ExitCode> {
    let mut session = Session::open(dir, Some("patterns reset"))?;
    let exercise = session.exercise(name)?.clone();
    let file = exercise.path();
    let mut out = anstream::stdout();
    if tests_only {
        let done = session.workbook.restore_tests(&exercise)?;
        match done.backup {
            Some(backup) => writeln!(
                out,
                "Put the original tests back into {} (from {}); the rest of your code is as it was.\nYour version is saved as {}.",
                file.display(),
                done.source.describe(),
                relative(&session.workbook.root, &backup).display()
            )?,
            None => writeln!(
                out,
                "{} already has the original tests; nothing changed.",
                file.display()
            )?,
        }
        return Ok(ExitCode::SUCCESS);
    }
    let done = session.workbook.reset(&exercise)?;
    session.progress.clear_done(&exercise.name);
    let source = done.source.describe();
    match done.backup {
        Some(backup) => writeln!(
            out,
            "Reset {} to its original text (from {source}).\nYour version is saved as {}.",
            file.display(),
            relative(&session.workbook.root, &backup).display()
        )?,
        None => writeln!(
            out,
            "{} already had its original text; nothing to back up.",
            file.display()
        )?,
    }
    out.flush()?;
    session.save();
    Ok(ExitCode::SUCCESS)
}

fn relative(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}

pub fn verify(
    dir: Option<&Path>,
    requested_jobs: Option<usize>,
    cancel: &Cancel,
) -> Result<ExitCode> {
    let mut session = Session::open(dir, Some("patterns verify"))?;
    let catalog = session.workbook.catalog.clone();
    let exercises: Vec<&Exercise> = catalog.exercises.iter().collect();
    let line = ProgressLine::new();
    let started = Instant::now();
    let items: Vec<(&Exercise, Side)> = exercises.iter().map(|e| (*e, Side::Exercise)).collect();
    let options = check::Options {
        jobs: jobs(requested_jobs),
        lint_all: false,
        cancel: Some(cancel.clone()),
    };
    let verdicts = check::check_many(&session.workbook, &items, &options, &|event| {
        line.event(event)
    })
    .context("cannot run cargo; is Rust installed (https://rustup.rs)?")?;
    line.clear();
    if verdicts.iter().any(|v| v.status == Status::Cancelled) {
        bail!("interrupted");
    }
    let elapsed = started.elapsed();
    for verdict in &verdicts {
        session.record(verdict, false);
    }
    if let Some(first) = verdicts.iter().find(|v| !v.is_done()) {
        session.progress.current = Some(first.exercise.clone());
    }

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
    session.save();
    Ok(if done == verdicts.len() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

#[derive(serde::Serialize)]
struct ProgressReport<'a> {
    done: usize,
    total: usize,
    current: &'a str,
    topics: Vec<TopicReport<'a>>,
}

#[derive(serde::Serialize)]
struct TopicReport<'a> {
    topic: &'a str,
    title: &'a str,
    done: usize,
    total: usize,
    exercises: Vec<ExerciseReport<'a>>,
}

#[derive(serde::Serialize)]
struct ExerciseReport<'a> {
    name: &'a str,
    done: bool,
    attempts: u32,
    hints_revealed: usize,
    hints: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    first_seen: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    done_at: Option<&'a str>,
}

pub fn progress(dir: Option<&Path>, json: bool) -> Result<ExitCode> {
    let session = Session::open(dir, None)?;
    let catalog = &session.workbook.catalog;
    let progress = &session.progress;
    let topics: Vec<TopicReport<'_>> = catalog
        .topics()
        .into_iter()
        .map(|(topic, exercises)| TopicReport {
            topic,
            title: topic_title(topic),
            done: exercises
                .iter()
                .filter(|e| progress.is_done(&e.name))
                .count(),
            total: exercises.len(),
            exercises: exercises
                .iter()
                .map(|e| {
                    let record = progress.record(&e.name);
                    ExerciseReport {
                        name: &e.name,
                        done: progress.is_done(&e.name),
                        attempts: record.map_or(0, |r| r.attempts),
                        hints_revealed: record.map_or(0, |r| r.hints_revealed),
                        hints: e.hints.len(),
                        first_seen: record.and_then(|r| r.first_seen.as_deref()),
                        done_at: record.and_then(|r| r.done_at.as_deref()),
                    }
                })
                .collect(),
        })
        .collect();
    let report = ProgressReport {
        done: topics.iter().map(|t| t.done).sum(),
        total: catalog.exercises.len(),
        current: &session.current().name,
        topics,
    };

    let mut out = anstream::stdout();
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(
        out,
        "{BOLD}{} of {} exercises done{BOLD:#} ({}%)  {}",
        report.done,
        report.total,
        output::percent(report.done, report.total),
        output::bar(report.done, report.total, 30)
    )?;
    writeln!(out, "Current: {BOLD}{}{BOLD:#}\n", report.current)?;
    let width = catalog
        .exercises
        .iter()
        .map(|e| e.name.len())
        .max()
        .unwrap_or(8);
    for topic in &report.topics {
        writeln!(
            out,
            "{BOLD}{}{BOLD:#} {}/{}  {}",
            topic.title,
            topic.done,
            topic.total,
            output::bar(topic.done, topic.total, 10)
        )?;
        for exercise in &topic.exercises {
            let (mark, style) = if exercise.done {
                ("✓", GOOD)
            } else if exercise.name == report.current {
                ("▶", WARN)
            } else {
                ("·", DIM)
            };
            write!(out, "  {style}{mark}{style:#} {:<width$}", exercise.name)?;
            if exercise.attempts > 0 || exercise.hints_revealed > 0 {
                write!(
                    out,
                    "  {DIM}{} attempt{}, {} of {} hints{DIM:#}",
                    exercise.attempts,
                    if exercise.attempts == 1 { "" } else { "s" },
                    exercise.hints_revealed,
                    exercise.hints
                )?;
            }
            writeln!(out)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn completions(shell: clap_complete::Shell) -> Result<ExitCode> {
    let mut command = <crate::cli::Cli as clap::CommandFactory>::command();
    clap_complete::generate(shell, &mut command, "patterns", &mut std::io::stdout());
    Ok(ExitCode::SUCCESS)
}
