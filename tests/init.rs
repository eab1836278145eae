//! `patterns init`: a standalone workbook from the curriculum built into the
//! binary, that builds with no network, and never written over a learner's
//! work.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::Fixture;

fn initialized() -> Fixture {
    let parent = Fixture::at(tempfile::tempdir().unwrap());
    let run = parent.run(&["init", "wb"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("wrote a workbook of 85 exercises to wb"),
        "{}",
        run.stdout
    );
    Fixture::at_path(parent, "wb")
}

#[test]
fn init_writes_a_workbook_that_builds_offline_and_runs() {
    let workbook = initialized();
    for file in [
        "info.toml",
        "Cargo.toml",
        "Cargo.lock",
        "originals.toml",
        "README.md",
        ".gitignore",
        "rust-analyzer.toml",
        ".vscode/settings.json",
        "exercises/00_intro/Cargo.toml",
        "exercises/00_intro/README.md",
        "exercises/00_intro/intro_tests.rs",
        "exercises/11_capstone/Cargo.toml",
    ] {
        assert!(workbook.path(file).is_file(), "no {file}");
    }
    assert!(!workbook.path("solutions").exists());

    // The first check, with cargo barred from the network: the locked versions
    // come from the local cache (or a vendored copy).
    let run = workbook
        .command(&["run", "intro_tests"])
        .env("CARGO_NET_OFFLINE", "true")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert_eq!(
        run.status.code(),
        Some(1),
        "{stdout}{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(stdout.contains("✗ intro_tests: tests fail"), "{stdout}");

    // The learner's edits are theirs: the tests they came with still bind them.
    support::edit(
        &workbook,
        "exercises/00_intro/intro_tests.rs",
        "#[test]",
        "#[ignore]\n    #[test]",
    );
    let run = workbook.run(&["run", "intro_tests"]);
    assert!(
        run.stdout.contains("the tests are not the original ones"),
        "{}",
        run.stdout
    );
}

#[test]
fn init_ci_adds_the_grading_workflow() {
    let parent = Fixture::at(tempfile::tempdir().unwrap());
    assert_eq!(parent.run(&["init", "plain"]).code, 0);
    assert!(!parent.path("plain/.github").exists());
    assert_eq!(parent.run(&["init", "graded", "--ci"]).code, 0);
    let workflow =
        std::fs::read_to_string(parent.path("graded/.github/workflows/patterns.yml")).unwrap();
    assert!(workflow.contains("run: patterns verify --json > verdicts.json"));
}

#[test]
fn init_never_writes_over_a_workbook() {
    let workbook = initialized();
    let exercise = workbook.path("exercises/00_intro/intro_tests.rs");
    std::fs::write(&exercise, "// my work\n").unwrap();
    let parent = workbook.dir.path();
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_patterns"))
        .current_dir(parent)
        .args(["init", "wb"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains(
            "wb is not empty (it holds a workbook); `patterns init` writes a new workbook into a new or empty folder. To go on with it, run `patterns` there"
        ),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&exercise).unwrap(), "// my work\n");
}

/// A newer patterns in an older workbook says what its curriculum adds, and
/// changes nothing: the learner's files and progress stay as they are.
#[test]
fn a_newer_patterns_says_what_changed_and_touches_nothing() {
    let workbook = initialized();
    assert!(
        !workbook.run(&["progress"]).stdout.contains("Note:"),
        "a workbook this patterns made is up to date"
    );
    // Make it look older: made by 0.0.9, without the last exercise, and with
    // another starting text for intro_tests.
    support::edit(
        &workbook,
        "Cargo.toml",
        &format!("version = \"{}\"", env!("CARGO_PKG_VERSION")),
        "version = \"0.0.9\"",
    );
    let info = std::fs::read_to_string(workbook.path("info.toml")).unwrap();
    let last = info.rfind("[[exercises]]").unwrap();
    std::fs::write(workbook.path("info.toml"), &info[..last]).unwrap();
    let originals = std::fs::read_to_string(workbook.path("originals.toml")).unwrap();
    let line = originals
        .lines()
        .find(|l| l.starts_with("\"exercises/00_intro/intro_tests.rs\""))
        .unwrap();
    std::fs::write(
        workbook.path("originals.toml"),
        originals.replace(
            line,
            "\"exercises/00_intro/intro_tests.rs\" = \"0000000000000000000000000000000000000000\"",
        ),
    )
    .unwrap();
    let before =
        std::fs::read_to_string(workbook.path("exercises/00_intro/intro_tests.rs")).unwrap();

    let run = workbook.run(&["progress"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.starts_with(&format!(
            "Note: this workbook was made by patterns 0.0.9; this patterns ({}) has a newer curriculum: exercises 1 new (capstone_cache); 1 with new starting code (intro_tests). Nothing here was changed; `patterns init NEW-FOLDER` writes the new one beside it.",
            env!("CARGO_PKG_VERSION")
        )),
        "{}",
        run.stdout
    );
    assert_eq!(
        std::fs::read_to_string(workbook.path("exercises/00_intro/intro_tests.rs")).unwrap(),
        before
    );
    assert!(
        !workbook
            .path("exercises/11_capstone/capstone_cache.rs.new")
            .exists()
    );
}
