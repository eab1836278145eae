//! Reading the stable test harness's plain output into per-test outcomes.
//!
//! `cargo test -- --format json` needs a nightly toolchain, so the runner reads what
//! libtest prints by default: `--list` for the names, then the `test NAME ... ok`
//! lines and the `---- NAME stdout ----` blocks of the failures. A test that never
//! reported (the binary crashed or was killed) stays [`TestStatus::DidNotFinish`].

/// How one test ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TestStatus {
    Passed,
    Failed,
    Ignored,
    /// The test binary stopped (crash, timeout) before this test reported.
    DidNotFinish,
}

/// One test of an exercise and how it went.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TestOutcome {
    /// The test's path inside the crate, e.g. `tests::finds_a_saved_user`.
    pub name: String,
    pub status: TestStatus,
    /// For a failure: the panic message (or what the failure block says).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// For a failure: where it panicked, as `file:line:col`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

impl TestOutcome {
    /// The name without the leading `tests::` module most exercises use.
    pub fn short_name(&self) -> &str {
        self.name.strip_prefix("tests::").unwrap_or(&self.name)
    }
}

/// Test names from `TESTBIN --list --format terse` (lines `name: test`).
pub fn parse_list(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .filter_map(|line| line.strip_suffix(": test"))
        .map(str::to_owned)
        .collect()
}

/// How many result lines [`Results`] remembers; a program printing more is lying.
const MAX_RESULTS: usize = 100_000;

/// The harness's result lines (`test NAME ... ok`), read one line at a time as the
/// test binary prints them, so that none is lost when the kept output is cut at its
/// cap. Only lines before the `failures:` section count: what follows is the
/// captured output of failed tests, which may say anything.
#[derive(Debug, Clone, Default)]
pub struct Results {
    statuses: std::collections::HashMap<String, TestStatus>,
    in_failures: bool,
}

impl Results {
    /// Reads one line of the test binary's stdout.
    pub fn feed(&mut self, line: &str) {
        if self.in_failures {
            return;
        }
        if line == "failures:" {
            self.in_failures = true;
            return;
        }
        // The result usually starts the line, but a test that wrote to stdout
        // around the harness's capture may have left an unended line before it.
        let Some((name, status)) = line
            .match_indices("test ")
            .find_map(|(at, _)| result_line(&line[at + 5..]))
        else {
            return;
        };
        if self.statuses.len() < MAX_RESULTS || self.statuses.contains_key(name) {
            // A test reported twice keeps its worst result.
            let entry = self.statuses.entry(name.to_owned()).or_insert(status);
            if status == TestStatus::Failed {
                *entry = status;
            }
        }
    }

    /// What the harness said of the test called `name`, if anything.
    pub fn status(&self, name: &str) -> Option<TestStatus> {
        self.statuses.get(name).copied()
    }
}

/// `NAME ... ok` (what follows `test `) as a name and a status. A
/// `#[should_panic]` test is reported as `NAME - should panic ... ok`.
fn result_line(rest: &str) -> Option<(&str, TestStatus)> {
    let (name, result) = rest.split_once(" ... ")?;
    let name = name.strip_suffix(" - should panic").unwrap_or(name);
    if name.is_empty() || name.contains(char::is_whitespace) {
        return None;
    }
    let status = if result == "ok" {
        TestStatus::Passed
    } else if result == "FAILED" {
        TestStatus::Failed
    } else if result.starts_with("ignored") {
        TestStatus::Ignored
    } else {
        return None;
    };
    Some((name, status))
}

/// Outcomes for the tests called `names`, in that order: their results from
/// `results`, their failure messages from `stdout` (the kept output). A test the
/// harness never reported did not finish.
pub fn outcomes(names: &[String], results: &Results, stdout: &str) -> Vec<TestOutcome> {
    let mut outcomes: Vec<TestOutcome> = names
        .iter()
        .map(|name| TestOutcome {
            name: name.clone(),
            status: results.status(name).unwrap_or(TestStatus::DidNotFinish),
            message: None,
            location: None,
        })
        .collect();
    for (name, block) in failure_blocks(stdout) {
        if let Some(outcome) = outcomes
            .iter_mut()
            .find(|o| o.name == name && o.status == TestStatus::Failed)
        {
            let (message, location) = panic_message(&block);
            outcome.message = Some(message);
            outcome.location = location;
        }
    }
    outcomes
}

/// Outcomes for `listed` tests from the whole of the harness's default output.
pub fn parse_run(stdout: &str, listed: &[String]) -> Vec<TestOutcome> {
    let mut results = Results::default();
    for line in stdout.lines() {
        results.feed(line);
    }
    outcomes(listed, &results, stdout)
}

/// The `---- NAME stdout ----` blocks of the failures section.
fn failure_blocks(stdout: &str) -> Vec<(String, String)> {
    let mut blocks = Vec::new();
    let mut current: Option<(String, Vec<&str>)> = None;
    for line in stdout.lines() {
        let header = line
            .strip_prefix("---- ")
            .and_then(|rest| rest.strip_suffix(" stdout ----"));
        if let Some(name) = header {
            if let Some((name, lines)) = current.take() {
                blocks.push((name, lines.join("\n")));
            }
            current = Some((name.to_owned(), Vec::new()));
        } else if line == "failures:" || line.starts_with("test result: ") {
            if let Some((name, lines)) = current.take() {
                blocks.push((name, lines.join("\n")));
            }
        } else if let Some((_, lines)) = current.as_mut() {
            lines.push(line);
        }
    }
    if let Some((name, lines)) = current {
        blocks.push((name, lines.join("\n")));
    }
    blocks
}

/// The panic message and location in a failure block; the whole block when it holds
/// no panic (a test that returned `Err`, or a `should_panic` that did not panic).
fn panic_message(block: &str) -> (String, Option<String>) {
    let lines: Vec<&str> = block.lines().collect();
    let panic_line = lines
        .iter()
        .position(|l| l.starts_with("thread '") && l.contains(" panicked at "));
    let Some(index) = panic_line else {
        return (block.trim().to_owned(), None);
    };
    let header = lines[index];
    let after = header
        .split_once(" panicked at ")
        .map_or("", |(_, rest)| rest);
    // Since Rust 1.73 the location ends the line (`at src/x.rs:3:5:`) and the message
    // follows on the next lines; older toolchains put `'message', src/x.rs:3:5` inline.
    let (location, mut message_lines) = match after.strip_suffix(':') {
        Some(location) => (Some(location.to_owned()), Vec::new()),
        None => match after.rsplit_once("', ") {
            Some((message, location)) => (
                Some(location.to_owned()),
                vec![message.trim_start_matches('\'')],
            ),
            None => (None, vec![after]),
        },
    };
    for line in &lines[index + 1..] {
        if line.starts_with("note: run with `RUST_BACKTRACE")
            || line.starts_with("stack backtrace:")
            || (line.starts_with("thread '") && line.contains(" panicked at "))
        {
            break;
        }
        message_lines.push(line);
    }
    while message_lines.last().is_some_and(|l| l.trim().is_empty()) {
        message_lines.pop();
    }
    let before = lines[..index].join("\n");
    let mut message = message_lines.join("\n");
    if message.is_empty() {
        message = before.trim().to_owned();
    }
    (message, location)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIST: &str = "tests::a_fails: test\ntests::b_passes: test\ntests::c_ignored: test\ntests::d_errs: test\n\n4 tests, 0 benchmarks\n";

    const RUN: &str = "
running 4 tests
test tests::c_ignored ... ignored, slow
test tests::b_passes ... ok
test tests::d_errs ... FAILED
test tests::a_fails ... FAILED

failures:

---- tests::d_errs stdout ----
Error: \"user not found\"

---- tests::a_fails stdout ----
printed by the test

thread 'tests::a_fails' (4242) panicked at exercises/02_repositories/x.rs:40:9:
assertion `left == right` failed: save must replace
  left: 2
 right: 1
note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace


failures:
    tests::a_fails
    tests::d_errs

test result: FAILED. 1 passed; 2 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.00s
";

    #[test]
    fn a_should_panic_test_is_read_by_its_name() {
        let mut results = Results::default();
        results.feed("test tests::rejects - should panic ... ok");
        results.feed("test tests::also - should panic ... FAILED");
        assert_eq!(results.status("tests::rejects"), Some(TestStatus::Passed));
        assert_eq!(results.status("tests::also"), Some(TestStatus::Failed));
    }

    #[test]
    fn lists_test_names() {
        assert_eq!(
            parse_list(LIST),
            vec![
                "tests::a_fails",
                "tests::b_passes",
                "tests::c_ignored",
                "tests::d_errs"
            ]
        );
    }

    #[test]
    fn reads_pass_fail_ignore_and_panic_messages() {
        let outcomes = parse_run(RUN, &parse_list(LIST));
        let by_name = |n: &str| outcomes.iter().find(|o| o.name == n).unwrap();
        let failed = by_name("tests::a_fails");
        assert_eq!(failed.status, TestStatus::Failed);
        assert_eq!(
            failed.message.as_deref(),
            Some("assertion `left == right` failed: save must replace\n  left: 2\n right: 1")
        );
        assert_eq!(
            failed.location.as_deref(),
            Some("exercises/02_repositories/x.rs:40:9")
        );
        assert_eq!(by_name("tests::b_passes").status, TestStatus::Passed);
        assert_eq!(by_name("tests::c_ignored").status, TestStatus::Ignored);
        let errs = by_name("tests::d_errs");
        assert_eq!(errs.status, TestStatus::Failed);
        assert_eq!(errs.message.as_deref(), Some("Error: \"user not found\""));
        assert_eq!(errs.location, None);
        assert_eq!(failed.short_name(), "a_fails");
    }

    #[test]
    fn reads_the_old_inline_panic_format() {
        let out = "test t ... FAILED\n\nfailures:\n\n---- t stdout ----\nthread 't' panicked at 'boom', src/main.rs:3:5\nnote: run with `RUST_BACKTRACE=1`\n\nfailures:\n    t\n";
        let outcomes = parse_run(out, &["t".to_owned()]);
        assert_eq!(outcomes[0].message.as_deref(), Some("boom"));
        assert_eq!(outcomes[0].location.as_deref(), Some("src/main.rs:3:5"));
    }

    #[test]
    fn result_lines_in_the_failures_section_do_not_count() {
        // A failing test printed a line that looks like a result; it is captured
        // output, shown after `failures:`, not a result.
        let out = "test tests::a ... FAILED\n\nfailures:\n\n---- tests::a stdout ----\ntest tests::b ... ok\n\nfailures:\n    tests::a\n";
        let listed = vec!["tests::a".to_owned(), "tests::b".to_owned()];
        let outcomes = parse_run(out, &listed);
        assert_eq!(outcomes[0].status, TestStatus::Failed);
        assert_eq!(outcomes[1].status, TestStatus::DidNotFinish);
    }

    #[test]
    fn a_result_after_unended_program_output_counts() {
        let out = "xxxxxtest tests::a ... ok\n";
        let outcomes = parse_run(out, &["tests::a".to_owned()]);
        assert_eq!(outcomes[0].status, TestStatus::Passed);
    }

    #[test]
    fn a_test_reported_twice_keeps_its_failure() {
        let out = "test t ... FAILED\ntest t ... ok\n";
        let outcomes = parse_run(out, &["t".to_owned()]);
        assert_eq!(outcomes[0].status, TestStatus::Failed);
    }

    #[test]
    fn tests_that_never_reported_did_not_finish() {
        let out = "\nrunning 2 tests\ntest tests::quick ... ok\n";
        let listed = vec!["tests::quick".to_owned(), "tests::loops".to_owned()];
        let outcomes = parse_run(out, &listed);
        assert_eq!(outcomes[0].status, TestStatus::Passed);
        assert_eq!(outcomes[1].status, TestStatus::DidNotFinish);
    }

    #[test]
    fn a_todo_panic_is_the_message() {
        let out = "test tests::t ... FAILED\n\nfailures:\n\n---- tests::t stdout ----\n\nthread 'tests::t' panicked at exercises/a.rs:7:5:\nnot yet implemented\nnote: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n\n\nfailures:\n    tests::t\n\ntest result: FAILED. 0 passed; 1 failed\n";
        let outcomes = parse_run(out, &["tests::t".to_owned()]);
        assert_eq!(outcomes[0].message.as_deref(), Some("not yet implemented"));
    }
}
