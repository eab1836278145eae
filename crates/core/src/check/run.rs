//! Running an exercise's binary under its limits and reading what it did: the
//! tests' results (from the whole stream), the program's output, how it ended.

use std::path::Path;
use std::process::Command;

use crate::catalog::Exercise;
use crate::libtest::{self, TestStatus};
use crate::process::{self, Cancel, Ending, Limits};
use crate::verdict::{Status, Verdict};

use super::source::Source;

pub(super) enum RunResult {
    Tests {
        listed: Vec<String>,
        run: std::io::Result<process::Finished>,
        /// Read from the whole of stdout as it streamed, past the output cap.
        results: libtest::Results,
    },
    Program(std::io::Result<process::Finished>),
    ListFailed(std::io::Result<process::Finished>),
}

pub(super) fn run_binary(
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

/// Runs a test exercise's `main` (after its tests passed) under its limits.
pub(super) fn run_main(
    root: &Path,
    exercise: &Exercise,
    executable: &Path,
    cancel: Option<&Cancel>,
) -> std::io::Result<process::Finished> {
    let limits = Limits {
        timeout: Some(exercise.timeout),
        cancel: cancel.cloned(),
    };
    let mut command = Command::new(executable);
    command.current_dir(root).env("RUST_BACKTRACE", "0");
    process::run(command, &limits, |_, _| {})
}

/// What `main` did after the tests passed: nothing to say when it succeeded;
/// else it decides the verdict, and its output is what the learner needs.
pub(super) fn apply_main(verdict: &mut Verdict, main: std::io::Result<process::Finished>) {
    let finished = match main {
        Ok(finished) => finished,
        Err(error) => {
            verdict.status = Status::MainFailed;
            verdict.output = format!("could not start the exercise's main: {error}");
            return;
        }
    };
    let status = match finished.ending {
        Ending::Cancelled => Status::Cancelled,
        Ending::TimedOut => Status::TimedOut,
        Ending::Exited(status) if status.success() => return,
        Ending::Exited(status) => {
            verdict.exit_code = status.code();
            verdict.crash = crash_description(status);
            Status::MainFailed
        }
    };
    let file = verdict.file.to_string_lossy().replace('\\', "/");
    verdict.output = tidy_mentions(
        &format!(
            "{}{}",
            String::from_utf8_lossy(&finished.stdout),
            String::from_utf8_lossy(&finished.stderr)
        ),
        &file,
    );
    verdict.output_truncated = finished.truncated;
    verdict.status = status;
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

pub(super) fn apply_run(verdict: &mut Verdict, result: RunResult, source: &Source) {
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
    use std::time::Duration;

    use super::*;
    use crate::verdict::Side;

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
