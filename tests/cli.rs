//! Runs the real `patterns` binary against small fixture workbooks.
//!
//! Each test copies a fixture from `tests/fixtures/` into a temporary folder, so the
//! fixtures stay pristine and tests can run in parallel. The fixtures are hermetic:
//! no dependencies, no network.

// Test helpers may unwrap: a failure there is a failing test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use support::{Fixture, Headless, edit, runs_started};

#[test]
fn a_passing_exercise_is_done_and_the_next_becomes_current() {
    let fixture = Fixture::new("workbook");
    let run = fixture.run(&["run"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        run.stdout,
        "Tests: 1 of 1 pass\n  ✓ doubles\n✓ passing is done\nNext: failing. `patterns run` checks it.\n"
    );
    let state = fixture.state();
    assert!(state.contains("current = \"failing\""), "{state}");
    assert!(
        state.contains("[exercises.passing]\ndone = true"),
        "{state}"
    );
}

#[test]
fn failing_tests_are_listed_with_their_messages() {
    let fixture = Fixture::new("workbook");
    let run = fixture.run(&["run", "failing"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stdout,
        "Tests: 1 of 2 pass
  ✗ adds_two_and_three
      assertion `left == right` failed: 2 + 3 should be 5
        left: 6
       right: 5
      at exercises/basics/failing.rs:18:9
  ✓ adds_two_and_two
  - adds_large_numbers (ignored)
✗ failing: tests fail: 1 of 2 pass
Stuck? `patterns hint` shows hint 1 of 1.
"
    );
    assert!(fixture.state().contains("attempts = 1"));
}

#[test]
fn a_compile_error_shows_rustc_and_the_first_error_place() {
    let fixture = Fixture::new("workbook");
    let run = fixture.run(&["run", "broken_build"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains("error[E0308]: mismatched types"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains(" --> exercises/basics/broken_build.rs:4:18")
    );
    assert!(run.stdout.contains(
        "✗ broken_build: does not compile: first error at exercises/basics/broken_build.rs:4:18"
    ));
    // NO_COLOR: rustc's colours are dropped too.
    assert!(!run.stdout.contains('\u{1b}'));
}

#[test]
fn an_endless_loop_is_stopped_at_the_timeout() {
    let fixture = Fixture::new("workbook");
    fixture.run(&["run", "passing"]); // build the fixture outside the timed part
    let started = Instant::now();
    let run = fixture.run(&["run", "endless"]);
    let elapsed = started.elapsed();
    assert_eq!(run.code, 1);
    assert!(
        run.stdout
            .contains("… counts_down_from_three (did not finish)")
    );
    assert!(run.stdout.contains("✓ finishes_quickly"));
    assert!(
        run.stdout
            .contains("✗ endless: timed out after 1 s and stopped: is there an infinite loop?")
    );
    assert!(elapsed < Duration::from_secs(30), "{elapsed:?}");
}

#[test]
fn command_line_verdicts_look_like_this() {
    // One snapshot per kind of verdict, as `patterns run` prints it (NO_COLOR).
    let fixture = Fixture::new("workbook");
    for name in [
        "passing",
        "failing",
        "broken_build",
        "endless",
        "program",
        "placeholder",
    ] {
        let run = fixture.run(&["run", name]);
        insta::assert_snapshot!(format!("run_{name}"), run.stdout);
    }
    fixture.write_originals();
    fixture.git(&["init", "-q"]);
    fixture.git(&["add", "exercises"]);
    fixture.git(&["commit", "-qm", "start"]);
    edit(
        &fixture,
        "exercises/basics/failing.rs",
        "assert_eq!(add(2, 3), 5,",
        "assert_eq!(add(2, 3), 6,",
    );
    let run = fixture.run(&["run", "failing"]);
    insta::assert_snapshot!("run_tests_changed", run.stdout);
}

#[test]
fn a_test_binary_that_exits_early_is_not_done() {
    let fixture = Fixture::new("workbook");
    // The code under test ends the process "successfully" before any test reports.
    edit(
        &fixture,
        "exercises/basics/failing.rs",
        "a * b",
        "std::process::exit(0)",
    );
    let run = fixture.run(&["run", "failing"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout.contains("Tests: 0 of 2 pass\n")
            && run.stdout.contains("… adds_two_and_two (did not finish)")
            && run.stdout.contains("- adds_large_numbers (ignored)")
            && run.stdout.contains(
                "✗ failing: 2 tests did not finish: the test binary ended before they reported a result (does the code call std::process::exit?)"
            ),
        "{}",
        run.stdout
    );
}

#[test]
fn output_past_the_cap_does_not_hide_passing_tests() {
    let fixture = Fixture::new("workbook");
    // 2 MiB written around the harness's capture, then the test passes.
    edit(
        &fixture,
        "exercises/basics/passing.rs",
        "        assert_eq!(double(2), 4);",
        "        use std::io::Write;\n        std::io::stdout().write_all(&vec![b'x'; 2 << 20]).unwrap();\n        assert_eq!(double(2), 4);",
    );
    let run = fixture.run(&["run", "passing"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(
        run.stdout.contains("Tests: 1 of 1 pass\n  ✓ doubles\n"),
        "{}",
        &run.stdout[..run.stdout.len().min(400)]
    );
}

#[test]
fn the_tests_are_the_contract() {
    let fixture = Fixture::new("workbook");
    fixture.write_originals();
    fixture.git(&["init", "-q"]);
    fixture.git(&["add", "exercises"]);
    fixture.git(&["commit", "-qm", "start"]);
    let file = "exercises/basics/failing.rs";
    let original = std::fs::read_to_string(fixture.path(file)).unwrap();
    let solved = original.replace("a * b", "a + b");
    let failing_test = "    #[test]\n    fn adds_two_and_three() {\n        assert_eq!(add(2, 3), 5, \"2 + 3 should be 5\");\n    }\n";
    assert!(original.contains(failing_test));
    // Each of these makes the unsolved exercise "pass" its own tests.
    let cheats = [
        (
            original.replace(failing_test, ""),
            "the test `adds_two_and_three` was removed",
        ),
        (
            original.replace("assert_eq!(add(2, 3), 5,", "assert_eq!(add(2, 3), 6,"),
            "`adds_two_and_three` was changed",
        ),
        (
            original.replace(
                "    #[test]\n    fn adds_two_and_three",
                "    #[test]\n    #[ignore]\n    fn adds_two_and_three",
            ),
            "`adds_two_and_three` was changed",
        ),
        (
            original.replace(
                "    #[test]\n    fn adds_two_and_three",
                "    #[test]\n    #[should_panic]\n    fn adds_two_and_three",
            ),
            "`adds_two_and_three` was changed",
        ),
        (
            original.replace("#[cfg(test)]", "#[cfg(any())]"),
            "the attributes of `mod tests` changed",
        ),
        (
            format!(
                "{}#[cfg(test)]\nmod tests {{}}\n",
                &original[..original.find("#[cfg(test)]").unwrap()]
            ),
            "the test `adds_two_and_two` was removed",
        ),
    ];
    for (cheat, change) in cheats {
        std::fs::write(fixture.path(file), &cheat).unwrap();
        let run = fixture.run(&["run", "failing"]);
        assert_eq!(run.code, 1, "{cheat}\n{}", run.stdout);
        assert!(
            run.stdout.contains("✗ failing: the tests are not the original ones: ")
                && run.stdout.contains(change)
                && run.stdout.contains("`patterns reset failing --tests` puts the original tests back and keeps the rest of your code (your version is saved first)."),
            "{cheat}\n{}",
            run.stdout
        );
    }

    // Putting the tests back keeps the learner's code; a backup is kept.
    let cheat_with_fix = solved.replace(failing_test, "");
    std::fs::write(fixture.path(file), &cheat_with_fix).unwrap();
    let reset = fixture.run(&["reset", "failing", "--tests"]);
    assert_eq!(reset.code, 0, "{}", reset.stderr);
    assert!(
        reset.stdout.starts_with(
            "Put the original tests back into exercises/basics/failing.rs (from the workbook's git history); the rest of your code is as it was.\nYour version is saved as .patterns/backups/failing-"
        ),
        "{}",
        reset.stdout
    );
    assert_eq!(std::fs::read_to_string(fixture.path(file)).unwrap(), solved);
    assert_eq!(fixture.run(&["run", "failing"]).code, 0);
}

#[test]
fn without_the_original_the_solutions_tests_are_the_contract() {
    // A workbook of ours (it has originals.toml) whose original text cannot be
    // found: no git, not built into this patterns.
    let fixture = Fixture::new("workbook");
    fixture.write_originals();
    edit(
        &fixture,
        "exercises/basics/failing.rs",
        "assert_eq!(add(2, 3), 5,",
        "assert_eq!(add(2, 3), 6,",
    );
    let run = fixture.run(&["run", "failing"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout.contains("`adds_two_and_three` was changed"),
        "{}",
        run.stdout
    );
}

#[test]
fn tests_the_learner_writes_are_theirs() {
    // As in rustlings' tests1 (a set without originals.toml): the original's tests
    // differ from the solution's, so the learner writes (and may change) them.
    let fixture = Fixture::new("workbook");
    fixture.git(&["init", "-q"]);
    fixture.git(&["add", "exercises"]);
    fixture.git(&["commit", "-qm", "start"]);
    edit(
        &fixture,
        "solutions/basics/failing.rs",
        "\"2 + 3 should be 5\"",
        "\"the sum of 2 and 3\"",
    );
    edit(&fixture, "exercises/basics/failing.rs", "a * b", "a + b");
    edit(
        &fixture,
        "exercises/basics/failing.rs",
        "assert_eq!(add(2, 3), 5, \"2 + 3 should be 5\");",
        "assert_eq!(add(2, 3), 5);",
    );
    let run = fixture.run(&["run", "failing"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    // Where the committed tests are the solution's, they are the contract there too.
    edit(
        &fixture,
        "solutions/basics/failing.rs",
        "\"the sum of 2 and 3\"",
        "\"2 + 3 should be 5\"",
    );
    let run = fixture.run(&["run", "failing"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout.contains("`adds_two_and_three` was changed"),
        "{}",
        run.stdout
    );
}

/// A copy of `from`'s folder made with `cp -a` (times kept, target directory and
/// all), as an instructor hands out a pre-built workbook.
#[cfg(unix)]
fn copied(from: &Fixture) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let status = Command::new("cp")
        .arg("-a")
        .arg(format!("{}/.", from.root().display()))
        .arg(dir.path())
        .status()
        .unwrap();
    assert!(status.success());
    Fixture::at(dir)
}

#[cfg(unix)]
#[test]
fn a_copied_or_moved_workbook_is_judged_by_its_own_files() {
    let a = Fixture::new("layered");
    let adds = "exercises/basics/adds.rs";
    let greets = "exercises/basics/greets.rs";
    let unsolved_adds = std::fs::read_to_string(a.path(adds)).unwrap();
    let unsolved_greets = std::fs::read_to_string(a.path(greets)).unwrap();
    let solve = |f: &Fixture| {
        for name in ["adds", "greets"] {
            std::fs::copy(
                f.path(&format!("solutions/basics/{name}.rs")),
                f.path(&format!("exercises/basics/{name}.rs")),
            )
            .unwrap();
        }
    };
    // A is built unsolved, then solved.
    assert_eq!(a.run(&["run", "adds"]).code, 1);
    solve(&a);
    assert_eq!(a.run(&["run", "adds"]).code, 0);
    assert_eq!(a.run(&["run", "greets"]).code, 0);

    // B, a copy of A, starts over: its own unsolved files must be judged.
    let b = copied(&a);
    std::fs::write(b.path(adds), &unsolved_adds).unwrap();
    std::fs::write(b.path(greets), &unsolved_greets).unwrap();
    let run = b.run(&["run", "adds"]);
    assert_eq!(run.code, 1, "B judged by A's solved build:\n{}", run.stdout);
    assert!(
        run.stdout.contains("✗ adds: tests fail: 0 of 1 pass"),
        "{}",
        run.stdout
    );
    let run = b.run(&["run", "greets"]);
    assert_eq!(run.code, 1, "B judged by A's solved build:\n{}", run.stdout);
    // And B's solution is B's.
    solve(&b);
    assert_eq!(b.run(&["run", "adds"]).code, 0);
    assert_eq!(b.run(&["run", "greets"]).code, 0);

    // A copy that nobody edits after copying is still judged by its own files
    // once A changes under it.
    let c = copied(&a);
    std::fs::write(a.path(adds), &unsolved_adds).unwrap();
    assert_eq!(c.run(&["run", "adds"]).code, 0);
    assert_eq!(a.run(&["run", "adds"]).code, 1);

    // D, B moved elsewhere, goes on from B's files.
    let d_dir = tempfile::tempdir().unwrap();
    let d_root = d_dir.path().join("moved");
    std::fs::rename(b.root(), &d_root).unwrap();
    let d = Fixture::at(d_dir);
    let in_d = |args: &[&str]| {
        let mut command = d.command(args);
        command
            .current_dir(&d_root)
            .env("CARGO_TARGET_DIR", d_root.join("target"));
        command.output().unwrap().status.code()
    };
    assert_eq!(in_d(&["run", "adds"]), Some(0));
    std::fs::write(d_root.join(adds), &unsolved_adds).unwrap();
    assert_eq!(in_d(&["run", "adds"]), Some(1));
}

#[test]
fn a_compile_error_inside_a_macro_points_at_the_learners_line() {
    let fixture = Fixture::new("workbook");
    edit(
        &fixture,
        "exercises/basics/passing.rs",
        "fn main() {}",
        "#[derive(Debug)]\nstruct D(u32);\n\nfn main() {\n    assert_eq!(vec![D(1)], vec![D(1)]);\n}",
    );
    let run = fixture.run(&["run", "passing"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains(
            "✗ passing: does not compile: first error at exercises/basics/passing.rs:5:5"
        ),
        "{}",
        run.stdout
    );
}

#[cfg(unix)]
#[test]
fn a_crash_says_why() {
    let fixture = Fixture::new("workbook");
    // The code under test aborts the whole test binary.
    edit(
        &fixture,
        "exercises/basics/failing.rs",
        "    a * b\n",
        "    if a == 2 && b == 3 {\n        std::process::abort();\n    }\n    a * b\n",
    );
    let run = fixture.run(&["run", "failing"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout.contains(
            "✗ failing: the test binary crashed: it was killed by signal 6 (SIGABRT): an abort: a stack overflow, a panic while panicking, or std::process::abort"
        ),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("Test output\n"), "{}", run.stdout);
}

#[test]
fn a_learners_escape_codes_never_reach_the_terminal() {
    let fixture = Fixture::new("workbook");
    // A failure message that would clear the screen, with a NUL in it, and a
    // program that prints the same.
    edit(
        &fixture,
        "exercises/basics/failing.rs",
        "\"2 + 3 should be 5\"",
        "\"\\u{1b}[2J\\u{0}cleared\"",
    );
    edit(
        &fixture,
        "exercises/basics/program.rs",
        "fn main() {",
        "fn main() {\n    println!(\"\\u{1b}]0;title\\u{7}\\u{1b}[2Jcleared\\u{0}\");",
    );
    for name in ["failing", "program"] {
        // With colours on, as in a terminal: our own colours stay, theirs go.
        let output = fixture
            .command(&["run", name])
            .env_remove("NO_COLOR")
            .env("CLICOLOR_FORCE", "1")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_eq!(output.status.code(), Some(1), "{stdout}");
        assert!(
            stdout.contains("cleared") && stdout.contains("\u{1b}[1m"),
            "{stdout:?}"
        );
        assert!(
            !stdout.contains("\u{1b}[2J")
                && !stdout.contains("\u{1b}]")
                && !stdout.contains('\u{0}')
                && !stdout.contains('\u{7}'),
            "{stdout:?}"
        );
    }
}

#[test]
fn a_program_exercise_shows_its_output_and_exit_code() {
    let fixture = Fixture::new("workbook");
    let run = fixture.run(&["run", "program"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stdout,
        "Program output\nhello from the program\n✗ program: the program exited with code 3\nStuck? `patterns hint` shows hint 1 of 1.\n"
    );
    std::fs::copy(
        fixture.path("solutions/basics/program.rs"),
        fixture.path("exercises/basics/program.rs"),
    )
    .unwrap();
    assert_eq!(fixture.run(&["run", "program"]).code, 0);
}

#[test]
fn a_todo_left_keeps_an_exercise_open_even_when_tests_pass() {
    let fixture = Fixture::new("workbook");
    let run = fixture.run(&["run", "placeholder"]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains(
        "todo!() left at exercises/basics/placeholder.rs:5:5; replace it with your code"
    ));
    assert!(run.stdout.contains("✗ placeholder: todo!() left"));
}

#[test]
fn a_todo_under_another_name_is_still_a_todo() {
    let fixture = Fixture::new("workbook");
    let file = "exercises/basics/placeholder.rs";
    edit(&fixture, file, "    todo!()", "    later!()");
    edit(
        &fixture,
        file,
        "fn main() {}",
        "use std::todo as later;\n\nfn main() {}",
    );
    let run = fixture.run(&["run", "placeholder"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout
            .contains("later!() left at exercises/basics/placeholder.rs:7:5"),
        "{}",
        run.stdout
    );
    edit(&fixture, file, "    later!()", "    r#todo!()");
    let run = fixture.run(&["run", "placeholder"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout
            .contains("todo!() left at exercises/basics/placeholder.rs:7:5"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_broken_info_toml_lists_every_problem_and_exits_2() {
    let fixture = Fixture::new("broken_info");
    let run = fixture.run(&["run"]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        "error: info.toml:5:8: exercise name \"First One\" may only use lowercase letters a-z, digits and _; rename it, e.g. \"first_one\"
info.toml:9:1: exercise \"second\" has no hint; add hint = \"...\" or hints = [\"nudge\", \"approach\"]
info.toml:11:7: exercise \"second\": dir \"../escape\" must be one plain folder name under exercises/ (letters, digits, _ and -; no /, no ..); e.g. dir = \"02_repositories\"
info.toml:12:1: unknown key \"hnit\" in [[exercises]]; did you mean \"hint\"?
"
    );
}

#[test]
fn hints_are_revealed_one_level_at_a_time_and_remembered() {
    let fixture = Fixture::new("workbook");
    let first = fixture.run(&["hint"]);
    assert_eq!(
        first.stdout,
        "Hint 1 of 3 for passing:\nfirst nudge\n`patterns hint` again for hint 2 of 3.\n"
    );
    fixture.run(&["hint"]);
    let third = fixture.run(&["hint"]);
    assert_eq!(
        third.stdout,
        "Hint 3 of 3 for passing:\nthird, nearly the code\nThat was the last hint.\n"
    );
    assert!(fixture.state().contains("hints_revealed = 3"));
    let again = fixture.run(&["hint", "passing", "--level", "1"]);
    assert!(
        again
            .stdout
            .starts_with("Hint 1 of 3 for passing:\nfirst nudge\n")
    );
    assert!(fixture.state().contains("hints_revealed = 3"));
    let wrong = fixture.run(&["hint", "--level", "4"]);
    assert_eq!(wrong.code, 2);
    assert_eq!(
        wrong.stderr,
        "error: passing has 3 hints; pick --level 1 to 3, not 4\n"
    );
}

#[test]
fn an_unknown_exercise_suggests_the_closest_name() {
    let fixture = Fixture::new("workbook");
    let run = fixture.run(&["run", "failin"]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        "error: there is no exercise \"failin\"; did you mean \"failing\"?\n"
    );
}

#[test]
fn reset_restores_the_committed_text_and_keeps_a_backup() {
    let fixture = Fixture::new("workbook");
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .current_dir(fixture.root())
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
    };
    git(&["init", "-q"]);
    git(&["add", "info.toml", "exercises"]);
    git(&[
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@t",
        "commit",
        "-qm",
        "start",
    ]);
    let file = fixture.path("exercises/basics/failing.rs");
    let original = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, "// my attempt\n").unwrap();

    let run = fixture.run(&["reset", "failing"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), original);
    let backup_line = run.stdout.lines().nth(1).unwrap();
    let backup = backup_line
        .strip_prefix("Your version is saved as ")
        .and_then(|s| s.strip_suffix('.'))
        .unwrap();
    assert!(backup.starts_with(".patterns/backups/failing-"), "{backup}");
    assert_eq!(
        std::fs::read_to_string(fixture.path(backup)).unwrap(),
        "// my attempt\n"
    );
}

#[test]
fn reset_without_an_original_refuses_and_changes_nothing() {
    let fixture = Fixture::new("workbook");
    let file = fixture.path("exercises/basics/failing.rs");
    std::fs::write(&file, "// my attempt\n").unwrap();
    let run = fixture.run(&["reset", "failing"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("cannot find the original text of exercises/basics/failing.rs")
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "// my attempt\n");
}

#[test]
fn reset_never_gives_back_a_learners_commit_as_the_original() {
    let fixture = Fixture::new("workbook");
    fixture.write_originals();
    fixture.git(&["init", "-q"]);
    fixture.git(&["add", "."]);
    fixture.git(&["commit", "-qm", "start"]);
    let file = fixture.path("exercises/basics/failing.rs");
    let original = std::fs::read_to_string(&file).unwrap();
    // The learner commits their work, then changes info.toml (as a pull would).
    std::fs::write(&file, "// my committed attempt\n").unwrap();
    fixture.git(&["commit", "-qam", "my work"]);
    let info = std::fs::read_to_string(fixture.path("info.toml")).unwrap();
    std::fs::write(fixture.path("info.toml"), format!("{info}\n# pulled\n")).unwrap();

    let run = fixture.run(&["reset", "failing"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.starts_with(
            "Reset exercises/basics/failing.rs to its original text (from the workbook's git history)."
        ),
        "{}",
        run.stdout
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), original);
}

#[test]
fn reset_takes_the_original_built_into_patterns() {
    // One of this repository's exercises, edited, in a workbook without git: the
    // only copy of its original is the one built into the binary.
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let relative = "exercises/00_intro/intro_tests.rs";
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("exercises/00_intro")).unwrap();
    std::fs::write(
        dir.path().join("info.toml"),
        "format_version = 1\n[[exercises]]\nname = \"intro_tests\"\ndir = \"00_intro\"\nhint = \"h\"\n",
    )
    .unwrap();
    let original = std::fs::read_to_string(repo.join(relative)).unwrap();
    let id = patterns_core::originals::blob_id(&original);
    std::fs::write(
        dir.path().join("originals.toml"),
        format!("[files]\n{relative:?} = \"{id}\"\n"),
    )
    .unwrap();
    std::fs::write(dir.path().join(relative), "// mine\n").unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_patterns"))
        .current_dir(dir.path())
        .args(["reset", "intro_tests"])
        .env("NO_COLOR", "1")
        .env_remove("PATTERNS_WORKBOOK")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{output:?}");
    assert!(
        stdout.contains("(from the copy built into patterns)"),
        "{stdout}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join(relative)).unwrap(),
        original
    );
}

#[test]
fn a_reset_that_cannot_keep_a_backup_changes_nothing_and_says_where() {
    let fixture = Fixture::new("workbook");
    fixture.write_originals();
    let file = fixture.path("exercises/basics/failing.rs");
    // The backup folder cannot be made: a file stands in its place.
    std::fs::create_dir_all(fixture.path(".patterns")).unwrap();
    std::fs::write(fixture.path(".patterns/backups"), "").unwrap();
    fixture.git(&["init", "-q"]);
    fixture.git(&["add", "exercises"]);
    fixture.git(&["commit", "-qm", "start"]);
    std::fs::write(&file, "// my attempt\n").unwrap();
    let run = fixture.run(&["reset", "failing"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    let backups = fixture.path(".patterns/backups");
    assert_eq!(
        run.stderr,
        format!(
            "error: cannot save your version of exercises/basics/failing.rs to {}: File exists (os error 17); nothing was changed. Make that folder writable, or copy your file elsewhere and reset again\n",
            backups.canonicalize().unwrap().display()
        )
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "// my attempt\n");
}

#[test]
fn a_package_cleaned_for_one_untrusted_binary_is_built_again_whole() {
    // Binaries no record vouches for make patterns clean their package; what it
    // built of that package before, tests and programs alike, is then gone too.
    let fixture = Fixture::new("workbook");
    let first = fixture.run(&["verify", "--jobs", "2"]);
    let table = |out: &str| -> Vec<String> {
        out.lines()
            .filter(|l| !l.contains("exercises done"))
            .map(str::to_owned)
            .collect()
    };
    for record in ["program", "passing"] {
        let path = fixture.path(&format!(".patterns/builds/{record}"));
        assert!(path.is_file(), "no record {}", path.display());
        std::fs::remove_file(&path).unwrap();
        let again = fixture.run(&["verify", "--jobs", "2"]);
        assert_eq!(
            table(&again.stdout),
            table(&first.stdout),
            "{}",
            again.stdout
        );
        assert!(
            !again.stdout.contains("could not start"),
            "{}",
            again.stdout
        );
    }
}

#[test]
fn verify_checks_everything_and_restores_done_marks() {
    let fixture = Fixture::new("workbook");
    let run = fixture.run(&["verify", "--jobs", "2"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 7, "{}", run.stdout);
    assert!(
        lines[0].starts_with("✓ passing ") && lines[0].ends_with("1/1 tests  done"),
        "{}",
        run.stdout
    );
    assert!(
        lines[1].starts_with("✗ failing ") && lines[1].ends_with("1/2 tests  tests fail"),
        "{}",
        run.stdout
    );
    assert!(
        lines[2].ends_with("0/0 tests  does not compile"),
        "{}",
        run.stdout
    );
    assert!(lines[3].ends_with("timed out (is there an infinite loop?)"));
    assert!(lines[4].ends_with("main  the program failed"));
    assert!(lines[5].ends_with("todo!() left"));
    assert!(lines[6].starts_with("1 of 6 exercises done ("));
    let state = fixture.state();
    assert!(
        state.contains("[exercises.passing]\ndone = true"),
        "{state}"
    );
    // verify does not count its checks as the learner's attempts.
    assert!(!state.contains("attempts = 1"), "{state}");
}

#[test]
fn done_follows_the_code() {
    let fixture = Fixture::new("workbook");
    assert_eq!(fixture.run(&["run", "passing"]).code, 0);
    let progress = |fixture: &Fixture| -> serde_json::Value {
        let run = fixture.run(&["progress", "--json"]);
        serde_json::from_str::<serde_json::Value>(&run.stdout).unwrap()["topics"][0]["exercises"][0]
            .clone()
    };
    let before = progress(&fixture);
    assert_eq!(before["status"], "done");
    // A later edit breaks it: `verify` finds it failing and progress agrees.
    edit(&fixture, "exercises/basics/passing.rs", "x * 2", "x * 3");
    let verify = fixture.run(&["verify"]);
    assert!(
        verify.stdout.contains("0 of 6 exercises done"),
        "{}",
        verify.stdout
    );
    let after = progress(&fixture);
    assert_eq!(after["status"], "started");
    // The time it was first done stays, for reports; verify counts no attempt.
    assert_eq!(after["done_at"], before["done_at"]);
    assert_eq!(after["attempts"], 0);
    assert!(
        fixture
            .run(&["progress"])
            .stdout
            .starts_with("0 of 6 exercises done")
    );
}

#[test]
fn absurd_numbers_in_the_progress_file_break_nothing() {
    let fixture = Fixture::new("workbook");
    std::fs::create_dir_all(fixture.path(".patterns")).unwrap();
    std::fs::write(
        fixture.path(".patterns/state.toml"),
        format!(
            "version = 1\ncurrent = \"failing\"\n[exercises.failing]\nattempts = {}\nhints_revealed = {}\n",
            u32::MAX,
            u64::MAX
        ),
    )
    .unwrap();
    let hint = fixture.run(&["hint"]);
    assert_eq!(hint.code, 0, "{}", hint.stderr);
    assert!(
        hint.stdout.starts_with("Hint 1 of 1 for failing:"),
        "{}",
        hint.stdout
    );
    let run = fixture.run(&["run"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        fixture
            .state()
            .contains(&format!("attempts = {}", u32::MAX))
    );
}

#[cfg(unix)]
#[test]
fn a_state_folder_that_cannot_be_written_hides_no_verdict_or_hint() {
    let fixture = Fixture::new("workbook");
    // `.patterns` points nowhere: nothing can be read from it or written to it.
    std::os::unix::fs::symlink(fixture.path("nowhere/at/all"), fixture.path(".patterns")).unwrap();
    let run = fixture.run(&["run", "passing"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("✓ passing is done"), "{}", run.stdout);
    assert!(
        run.stderr
            .starts_with("warning: cannot save your progress to ")
            && run.stderr.contains("this step is not remembered"),
        "{}",
        run.stderr
    );
    let hint = fixture.run(&["hint", "failing"]);
    assert_eq!(hint.code, 0, "{}", hint.stderr);
    assert!(
        hint.stdout
            .starts_with("Hint 1 of 1 for failing:\nMake add add.\n"),
        "{}",
        hint.stdout
    );
    assert!(
        hint.stderr
            .starts_with("warning: cannot save your progress to "),
        "{}",
        hint.stderr
    );
}

#[test]
fn removing_the_state_folder_does_not_let_a_second_writer_in() {
    let fixture = Fixture::new("workbook");
    let workbook = patterns_core::workbook::Workbook::open(fixture.root()).unwrap();
    let _held = workbook.lock("patterns watch").unwrap();
    std::fs::remove_dir_all(fixture.path(".patterns")).unwrap();
    let run = fixture.run(&["run"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stderr.starts_with("error: another patterns ("),
        "{}",
        run.stderr
    );
}

#[test]
fn a_progress_save_that_failed_is_tried_again() {
    use std::io::Write;
    let fixture = Fixture::new("workbook");
    let mut watch = Headless::start(&fixture);
    assert_eq!(watch.next("verdict")["exercise"], "passing");
    watch.drain(Duration::from_millis(300));
    // The state file becomes unwritable (a folder stands in its place).
    let state = fixture.path(".patterns/state.toml");
    std::fs::remove_file(&state).unwrap();
    std::fs::create_dir(&state).unwrap();
    edit(&fixture, "exercises/basics/failing.rs", "a * b", "a + b");
    assert_eq!(watch.next("verdict")["done"], true);
    let error = watch.next("error");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .starts_with("cannot save progress to "),
        "{error}"
    );
    // It can be written again: quitting saves what the failed save held.
    std::fs::remove_dir(&state).unwrap();
    writeln!(watch.child.stdin.as_mut().unwrap(), "quit").unwrap();
    assert!(watch.child.wait().unwrap().success());
    let saved = fixture.state();
    assert!(
        saved.contains("[exercises.failing]\ndone = true"),
        "{saved}"
    );
}

#[test]
fn progress_that_cannot_be_saved_by_the_end_is_reported_on_exit() {
    use std::io::Write;
    let fixture = Fixture::new("workbook");
    let mut watch = Headless::start(&fixture);
    watch.next("verdict");
    // The first verdict is saved (it moved on to failing) before the file goes:
    // a save between removing it and the folder taking its place would win.
    let deadline = Instant::now() + Duration::from_secs(30);
    while !fixture.state().contains("current = \"failing\"") {
        assert!(
            Instant::now() < deadline,
            "the first verdict was never saved"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let state = fixture.path(".patterns/state.toml");
    std::fs::remove_file(&state).unwrap();
    std::fs::create_dir(&state).unwrap();
    edit(&fixture, "exercises/basics/failing.rs", "a * b", "a + b");
    watch.next("error");
    writeln!(watch.child.stdin.as_mut().unwrap(), "quit").unwrap();
    let output = watch.child.wait().unwrap();
    assert_eq!(output.code(), Some(2));
}

#[test]
fn a_corrupt_progress_file_is_kept_aside_and_work_goes_on() {
    let fixture = Fixture::new("workbook");
    std::fs::create_dir_all(fixture.path(".patterns")).unwrap();
    std::fs::write(fixture.path(".patterns/state.toml"), "current = [\n").unwrap();
    let run = fixture.run(&["progress"]);
    assert_eq!(run.code, 0);
    assert!(
        run.stderr.starts_with("warning: your progress file ")
            && run.stderr.contains("could not be read")
            && run
                .stderr
                .contains("Run `patterns verify` to restore the done marks"),
        "{}",
        run.stderr
    );
    let kept: Vec<String> = std::fs::read_dir(fixture.path(".patterns"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("state.toml.corrupt-"))
        .collect();
    assert_eq!(kept.len(), 1);
}

#[test]
fn progress_as_json_has_topics_and_records() {
    let fixture = Fixture::new("workbook");
    fixture.run(&["run"]);
    fixture.run(&["hint"]);
    let run = fixture.run(&["progress", "--json"]);
    assert_eq!(run.code, 0);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["done"], 1);
    assert_eq!(json["total"], 6);
    assert_eq!(json["current"], "failing");
    let topic = &json["topics"][0];
    assert_eq!(topic["topic"], "basics");
    assert_eq!(topic["done"], 1);
    assert_eq!(topic["exercises"][0]["name"], "passing");
    assert_eq!(topic["exercises"][0]["status"], "done");
    assert_eq!(topic["exercises"][1]["hints_revealed"], 1);
    assert!(topic["exercises"][0]["done_at"].is_string());
    assert_eq!(topic["exercises"][2]["status"], "not_started");
}

/// The export's schema, version 1, as docs/progress-export.md describes it:
/// `patterns report` and an instructor's own scripts read these keys.
#[test]
fn the_progress_export_keeps_its_pinned_schema() {
    let fixture = Fixture::new("workbook");
    fixture.run(&["run"]);
    let run = fixture.run(&["progress", "--json", "--name", "Ada Lovelace"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let keys = |value: &serde_json::Value| -> Vec<String> {
        let mut keys: Vec<String> = value.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        keys
    };
    assert_eq!(
        keys(&json),
        [
            "active_secs",
            "current",
            "done",
            "generated_at",
            "learner",
            "topics",
            "total",
            "track",
            "tracks",
            "version"
        ]
    );
    assert_eq!(json["version"], 1);
    assert_eq!(json["learner"], "Ada Lovelace");
    assert!(json["track"].is_null());
    assert_eq!(
        keys(&json["topics"][0]),
        ["done", "exercises", "title", "topic", "total"]
    );
    assert_eq!(
        keys(&json["topics"][0]["exercises"][0]),
        [
            "active_secs",
            "attempts",
            "done_at",
            "first_seen",
            "hints",
            "hints_revealed",
            "name",
            "status"
        ]
    );
    let generated = json["generated_at"].as_str().unwrap();
    assert!(
        generated.len() == 20 && generated.ends_with('Z'),
        "RFC 3339 in UTC: {generated}"
    );
}

#[test]
fn a_second_process_is_refused_while_the_workbook_is_locked() {
    let fixture = Fixture::new("workbook");
    let workbook = patterns_core::workbook::Workbook::open(fixture.root()).unwrap();
    let _held = workbook.lock("patterns watch").unwrap();
    let run = fixture.run(&["run"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .starts_with("error: another patterns (patterns watch, pid "),
        "{}",
        run.stderr
    );
    // Reading progress needs no lock, nor does reading a hint (its reveal is
    // not recorded then: the lock holder keeps progress).
    assert_eq!(fixture.run(&["progress"]).code, 0);
    let hint = fixture.run(&["hint", "passing", "--level", "3"]);
    assert_eq!(hint.code, 0, "{}", hint.stderr);
    assert!(
        hint.stdout
            .starts_with("Hint 3 of 3 for passing:\nthird, nearly the code\n")
            && hint
                .stdout
                .contains("(Not counted as revealed: patterns watch, pid "),
        "{}",
        hint.stdout
    );
    assert!(!fixture.state().contains("hints_revealed"));
}

#[test]
fn outside_a_workbook_the_error_says_where_to_go() {
    let empty = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_patterns"))
        .current_dir(empty.path())
        .arg("progress")
        .env_remove("PATTERNS_WORKBOOK")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.starts_with("error: no info.toml in "), "{stderr}");
    assert!(stderr.contains("run patterns inside a workbook"));
}

#[test]
fn completions_and_version_work() {
    let fixture = Fixture::new("workbook");
    let run = fixture.run(&["completions", "bash"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("_patterns()"));
    let version = fixture.run(&["--version"]);
    assert_eq!(
        version.stdout,
        format!("patterns {}\n", env!("CARGO_PKG_VERSION"))
    );
    let usage = fixture.run(&["run", "--nope"]);
    assert_eq!(usage.code, 2);
}

#[test]
fn watch_needs_a_terminal_and_says_what_to_use_instead() {
    let fixture = Fixture::new("workbook");
    let output = fixture
        .command(&["watch"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("patterns watch needs a terminal")
            && stderr.contains("`patterns run`")
            && stderr.contains("--headless"),
        "{stderr}"
    );
}

#[test]
fn headless_checks_the_current_exercise_then_each_save_once() {
    let fixture = Fixture::new("workbook");
    let watch = Headless::start(&fixture);
    let watching = watch.next("watching");
    assert_eq!(watching["exercise"], "passing");
    let first = watch.next("verdict");
    assert_eq!(first["exercise"], "passing");
    assert_eq!(first["done"], true);
    assert_eq!(first["tests_passed"], 1);
    let done = watch.next("done");
    assert_eq!(done["next"], "failing");
    watch.drain(Duration::from_millis(300));

    // Write in place: one run.
    let file = fixture.path("exercises/basics/failing.rs");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replace("a * b", "a + b")).unwrap();
    let verdict = watch.next("verdict");
    assert_eq!(verdict["exercise"], "failing");
    assert_eq!(verdict["done"], true);
    let after = watch.drain(Duration::from_millis(700));
    assert_eq!(runs_started(&after), 0, "{after:?}");

    // Write to a temporary file, then rename it over the exercise: one run.
    let file = fixture.path("exercises/basics/broken_build.rs");
    let fixed = std::fs::read_to_string(&file)
        .unwrap()
        .replace("\"forty-two\"", "42");
    let temp = fixture.path("exercises/basics/.broken_build.rs.tmp");
    std::fs::write(&temp, fixed).unwrap();
    std::fs::rename(&temp, &file).unwrap();
    let verdict = watch.next("verdict");
    assert_eq!(verdict["exercise"], "broken_build");
    assert_eq!(verdict["done"], true);
    let after = watch.drain(Duration::from_millis(700));
    assert_eq!(runs_started(&after), 0, "{after:?}");

    // A burst of saves: one verdict, on the last. (A loaded machine may deliver
    // the burst's notifications in two parts; the second run then replaces the
    // first before it reports. The saves module tests the coalescing itself.)
    let file = fixture.path("exercises/basics/placeholder.rs");
    let text = std::fs::read_to_string(&file).unwrap();
    for i in 0..10 {
        std::fs::write(&file, format!("{text}// save {i}\n")).unwrap();
    }
    let events = watch.drain(Duration::from_secs(3));
    let verdicts: Vec<_> = events.iter().filter(|e| e["event"] == "verdict").collect();
    assert_eq!(verdicts.len(), 1, "{events:?}");
    assert_eq!(verdicts[0]["exercise"], "placeholder", "{events:?}");
}

#[test]
fn a_save_during_a_run_replaces_that_run() {
    let fixture = Fixture::new("workbook");
    let watch = Headless::start(&fixture);
    watch.next("verdict"); // the current exercise, passing
    watch.drain(Duration::from_millis(300));
    // `endless` runs for its full 1 s timeout; save again while it runs.
    let file = fixture.path("exercises/basics/endless.rs");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, format!("{text}// first\n")).unwrap();
    let first = watch.next("run_started");
    std::thread::sleep(Duration::from_millis(200));
    let fixed = text.replace(
        "        // Never changes n: loops forever.\n",
        "        n -= 1;\n",
    );
    std::fs::write(&file, fixed).unwrap();
    let verdict = watch.next("verdict");
    assert_ne!(
        verdict["run"], first["run"],
        "the first run reported: {verdict}"
    );
    assert_eq!(verdict["done"], true, "{verdict}");
}

/// Processes whose program lies under `root` (the fixture's test binaries, cargo
/// builds them under root/target), from /proc.
#[cfg(target_os = "linux")]
fn processes_under(root: &Path) -> Vec<String> {
    let root = root.canonicalize().unwrap();
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        if let Ok(exe) = std::fs::read_link(entry.path().join("exe"))
            && exe.starts_with(&root)
        {
            found.push(format!(
                "{} {}",
                entry.file_name().to_string_lossy(),
                exe.display()
            ));
        }
    }
    found
}

/// Waits until `check` holds, for up to 30 s.
#[cfg(target_os = "linux")]
fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !check() {
        assert!(Instant::now() < deadline, "{what}: not within 30 s");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The fixture with `endless` made current and given a long timeout, so that a
/// check of it runs until stopped.
#[cfg(target_os = "linux")]
fn endless_fixture() -> Fixture {
    let fixture = Fixture::new("workbook");
    edit(
        &fixture,
        "info.toml",
        "timeout_secs = 1",
        "timeout_secs = 600",
    );
    std::fs::create_dir_all(fixture.path(".patterns")).unwrap();
    std::fs::write(
        fixture.path(".patterns/state.toml"),
        "version = 1\ncurrent = \"endless\"\nwelcomed = true\ntopics_introduced = [\"basics\"]\n",
    )
    .unwrap();
    fixture
}

#[cfg(target_os = "linux")]
#[test]
fn nothing_a_check_starts_outlives_headless_watch() {
    use std::io::Write;
    // Each way out: the quit command, the end of stdin, SIGTERM, SIGHUP.
    for way in ["quit", "eof", "TERM", "HUP"] {
        let fixture = endless_fixture();
        let mut watch = Headless::start(&fixture);
        assert_eq!(watch.next("run_started")["exercise"], "endless");
        eventually("the endless test runs", || {
            !processes_under(fixture.root()).is_empty()
        });
        match way {
            "quit" => writeln!(watch.child.stdin.as_mut().unwrap(), "quit").unwrap(),
            "eof" => drop(watch.child.stdin.take()),
            signal => {
                let status = Command::new("kill")
                    .args([&format!("-{signal}"), &watch.child.id().to_string()])
                    .status()
                    .unwrap();
                assert!(status.success());
            }
        }
        eventually(&format!("patterns exits after {way}"), || {
            watch.child.try_wait().unwrap().is_some()
        });
        assert_eq!(
            processes_under(fixture.root()),
            Vec::<String>::new(),
            "left running after {way}"
        );
    }
}

#[cfg(target_os = "linux")]
#[test]
fn nothing_a_check_starts_outlives_the_watch_screen() {
    use std::io::Write;
    // The screen needs a terminal: `script` gives it a pseudo-terminal whose
    // input is ours. Each way out: q, Ctrl-C (a key in raw mode), check all then
    // q, and SIGHUP (the terminal closed).
    for way in ["q", "ctrl-c", "c then q", "HUP"] {
        let fixture = endless_fixture();
        let mut child = Command::new("script")
            .args(["-q", "-e", "-c"])
            .arg(format!(
                "stty cols 100 rows 30; exec {} watch",
                env!("CARGO_BIN_EXE_patterns")
            ))
            .arg("/dev/null")
            .current_dir(fixture.root())
            .env("CARGO_TARGET_DIR", fixture.path("target"))
            .env_remove("PATTERNS_WORKBOOK")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        eventually("the endless test runs", || {
            !processes_under(fixture.root()).is_empty()
        });
        let stdin = child.stdin.as_mut().unwrap();
        match way {
            "q" => stdin.write_all(b"q").unwrap(),
            "ctrl-c" => stdin.write_all(b"\x03").unwrap(),
            "c then q" => {
                stdin.write_all(b"c").unwrap();
                stdin.flush().unwrap();
                std::thread::sleep(Duration::from_millis(500));
                stdin.write_all(b"q").unwrap();
            }
            _ => {
                let patterns = Command::new("pgrep")
                    .args(["-f", &format!("{} watch", env!("CARGO_BIN_EXE_patterns"))])
                    .output()
                    .unwrap();
                for pid in String::from_utf8_lossy(&patterns.stdout).split_whitespace() {
                    let _ = Command::new("kill").args(["-HUP", pid]).status();
                }
            }
        }
        stdin.flush().unwrap();
        eventually(&format!("patterns exits after {way}"), || {
            child.try_wait().unwrap().is_some()
        });
        eventually(&format!("nothing left running after {way}"), || {
            processes_under(fixture.root()).is_empty()
        });
    }
}

#[test]
fn verify_json_grades_from_the_code_in_a_pinned_schema() {
    let fixture = Fixture::new("workbook");
    // A progress file that claims everything is done changes nothing.
    std::fs::create_dir_all(fixture.path(".patterns")).unwrap();
    std::fs::write(
        fixture.path(".patterns/state.toml"),
        "current = \"failing\"\n\n[exercises.failing]\ndone = true\n",
    )
    .unwrap();
    // Nor does a test bent to pass (add multiplies: 2 * 3 is 6).
    fixture.write_originals();
    edit(
        &fixture,
        "exercises/basics/failing.rs",
        "assert_eq!(add(2, 3), 5",
        "assert_eq!(add(2, 3), 6",
    );
    let run = fixture.run(&["verify", "--json"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let keys = |value: &serde_json::Value| -> Vec<String> {
        let mut keys: Vec<String> = value.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        keys
    };
    // The schema of version 1. A field that changes or goes away needs a new
    // version (and docs/autograding.md says so).
    assert_eq!(report["version"], 1);
    assert_eq!(
        keys(&report),
        ["done", "duration_ms", "exercises", "ok", "total", "version"]
    );
    let exercises = report["exercises"].as_array().unwrap();
    assert_eq!(
        keys(&exercises[0]),
        [
            "checks_failed",
            "done",
            "first_error",
            "headline",
            "name",
            "status",
            "tests_changed",
            "tests_passed",
            "tests_total",
            "topic"
        ]
    );
    assert_eq!(report["ok"], false);
    assert_eq!(report["total"], 6);
    assert_eq!(report["done"], 1, "{}", run.stdout);
    let by_name = |name: &str| exercises.iter().find(|e| e["name"] == name).unwrap();
    assert_eq!(by_name("passing")["done"], true);
    let failing = by_name("failing");
    assert_eq!(failing["done"], false, "{failing}");
    assert_eq!(failing["status"], "tests_changed", "{failing}");
    assert_eq!(
        failing["tests_changed"][0]["change"], "changed",
        "{failing}"
    );
    let broken = by_name("broken_build");
    assert_eq!(broken["status"], "compile_error");
    assert_eq!(
        broken["first_error"],
        "exercises/basics/broken_build.rs:4:18"
    );
}

#[test]
fn a_track_shapes_the_path_and_every_command_follows_it() {
    let fixture = Fixture::new("workbook");
    let info = fixture.path("info.toml");
    let text = std::fs::read_to_string(&info).unwrap();
    std::fs::write(
        &info,
        format!(
            "{text}\n[[tracks]]\nname = \"short\"\ntitle = \"The short way\"\ninclude = [\"passing\", \"program\"]\n"
        ),
    )
    .unwrap();

    let unknown = fixture.run(&["progress", "--track", "shrt"]);
    assert_eq!(unknown.code, 2);
    assert!(
        unknown
            .stderr
            .contains("there is no track \"shrt\" in info.toml; did you mean \"short\"?"),
        "{}",
        unknown.stderr
    );

    // `run` on the track checks the track's first exercise and remembers the track.
    let run = fixture.run(&["run", "--track", "short"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("✓ passing"), "{}", run.stdout);
    assert!(
        fixture.state().contains("track = \"short\""),
        "{}",
        fixture.state()
    );
    // The next exercise is the track's next, not info.toml's.
    let progress = fixture.run(&["progress"]);
    assert!(
        progress.stdout.contains("Track: The short way (short;"),
        "{}",
        progress.stdout
    );
    assert!(
        progress.stdout.contains("1 of 2 exercises done"),
        "{}",
        progress.stdout
    );
    assert!(
        progress.stdout.contains("Current: program"),
        "{}",
        progress.stdout
    );
    assert!(!progress.stdout.contains("failing"), "{}", progress.stdout);
    assert!(progress.stdout.contains("▶ short"), "{}", progress.stdout);
    // An exercise outside the track is named as such.
    let outside = fixture.run(&["run", "failing"]);
    assert_eq!(outside.code, 2);
    assert!(
        outside.stderr.contains(
            "there is no exercise \"failing\" in the track \"short\" (`--track all` leaves it)"
        ),
        "{}",
        outside.stderr
    );

    let verify = fixture.run(&["verify", "--json"]);
    let report: serde_json::Value = serde_json::from_str(&verify.stdout).unwrap();
    assert_eq!(report["total"], 2, "{report}");
    assert_eq!(report["exercises"][1]["name"], "program");

    let json = fixture.run(&["progress", "--json"]);
    let report: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(report["track"], "short");
    assert_eq!(report["tracks"][0]["done"], 1, "{report}");
    assert_eq!(report["tracks"][0]["total"], 2, "{report}");

    // `--track all` is the whole workbook again, and remembered by a writer.
    let all = fixture.run(&["run", "--track", "all", "passing"]);
    assert_eq!(all.code, 0, "{}{}", all.stdout, all.stderr);
    assert!(!fixture.state().contains("track ="), "{}", fixture.state());
    let progress = fixture.run(&["progress"]);
    assert!(
        progress.stdout.contains("of 6 exercises done"),
        "{}",
        progress.stdout
    );
}

#[test]
fn watch_follows_the_track_it_is_given() {
    let fixture = Fixture::new("workbook");
    let info = fixture.path("info.toml");
    let text = std::fs::read_to_string(&info).unwrap();
    std::fs::write(
        &info,
        format!("{text}\n[[tracks]]\nname = \"programs\"\ntitle = \"Programs\"\ninclude = [\"program\"]\n"),
    )
    .unwrap();
    let watch = Headless::start_with(&fixture, &["--track", "programs"]);
    let verdict = watch.next("verdict");
    assert_eq!(verdict["exercise"], "program", "{verdict}");
}
