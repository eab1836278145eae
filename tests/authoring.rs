//! The authors' commands against fixture workbooks: `dev check` (each rule),
//! `dev update`, `dev new` and `dev add`, and sets in rustlings' format.

// Test helpers may unwrap: a failure there is a failing test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::{Path, PathBuf};

use support::{Fixture, edit};

#[test]
fn dev_check_lists_what_fails() {
    let fixture = Fixture::new("workbook");
    let run = fixture.run(&["dev", "check"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("✓ info.toml: 6 exercises in 1 topic"));
    assert!(
        run.stdout
            .contains("✓ solutions: 6 of 6 pass with clippy warnings denied"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("✗ exercises: 5 of 6 fail unsolved"));
    assert!(run.stdout.contains(
        "✗ exercise passing passes unsolved; make a test fail on the starting code, or set skip_check_unsolved = true"
    ));
}

#[test]
fn dev_check_reports_a_missing_solution_and_target() {
    let fixture = Fixture::new("workbook");
    std::fs::remove_file(fixture.path("solutions/basics/program.rs")).unwrap();
    let manifest = std::fs::read_to_string(fixture.path("Cargo.toml")).unwrap();
    let manifest = manifest.replace(
        "[[bin]]\nname = \"failing_sol\"\npath = \"solutions/basics/failing.rs\"\n",
        "",
    );
    std::fs::write(fixture.path("Cargo.toml"), manifest).unwrap();
    fixture.make_strict();
    let run = fixture.run(&["dev", "check"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains(
            "✗ no Cargo bin target `failing_sol` (for solutions/basics/failing.rs); run `patterns dev update`"
        ),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains(
        "✗ program: no solution file solutions/basics/program.rs; write the reference solution"
    ));
}

#[test]
fn dev_check_holds_a_rustlings_set_to_rustlings_rules() {
    // Not strict: a missing solution, no originals.toml and tests that differ
    // from the solution's are the author's choice, as rustlings allows.
    let fixture = Fixture::new("workbook");
    std::fs::remove_file(fixture.path("solutions/basics/program.rs")).unwrap();
    let solution = fixture.path("solutions/basics/failing.rs");
    let text = std::fs::read_to_string(&solution).unwrap();
    std::fs::write(
        &solution,
        text.replace("assert_eq!(add(2, 3), 5", "assert_eq!(add(2, 3), 5 + 0"),
    )
    .unwrap();
    let run = fixture.run(&["dev", "check"]);
    assert!(!run.stdout.contains("no solution file"), "{}", run.stdout);
    assert!(!run.stdout.contains("originals.toml"), "{}", run.stdout);
    assert!(!run.stdout.contains("differ"), "{}", run.stdout);
    // The solution target of program is gone from the plan: a stray now.
    assert!(
        run.stdout.contains("✗ the Cargo bin target `program_sol` builds solutions/basics/program.rs, which is no exercise or solution of info.toml; run `patterns dev update`"),
        "{}",
        run.stdout
    );
    let update = fixture.run(&["dev", "update"]);
    assert_eq!(update.code, 0, "{}{}", update.stdout, update.stderr);
    let manifest = std::fs::read_to_string(fixture.path("Cargo.toml")).unwrap();
    assert!(!manifest.contains("program_sol"), "{manifest}");
    assert!(!fixture.path("originals.toml").exists());
    let run = fixture.run(&["dev", "check"]);
    assert!(!run.stdout.contains("program_sol"), "{}", run.stdout);
}

#[test]
fn dev_check_wants_originals_that_name_the_exercise_files() {
    let fixture = Fixture::new("workbook");
    fixture.make_strict();
    let run = fixture.run(&["dev", "check"]);
    assert!(
        run.stdout
            .contains("✗ there is no originals.toml; run `patterns dev update` to write it"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(
            "! topic basics has no exercises/basics/README.md: learners get no introduction to it"
        ),
        "{}",
        run.stdout
    );
    fixture.write_originals();
    edit(&fixture, "exercises/basics/failing.rs", "a * b", "a + b");
    let run = fixture.run(&["dev", "check"]);
    assert!(
        run.stdout.contains(
            "✗ exercises/basics/failing.rs is not the original originals.toml names; if it holds the starting code learners should get, run `patterns dev update`"
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn dev_check_refuses_a_test_exercise_without_tests() {
    let fixture = Fixture::new("workbook");
    std::fs::write(
        fixture.path("solutions/basics/passing.rs"),
        "fn main() {}\n",
    )
    .unwrap();
    let run = fixture.run(&["dev", "check"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains(
            "✗ passing has no tests; add tests that fail on the starting code, or set test = false"
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn dev_check_refuses_tests_that_differ_from_the_solutions() {
    let fixture = Fixture::new("workbook");
    fixture.make_strict();
    let solution = fixture.path("solutions/basics/failing.rs");
    let text = std::fs::read_to_string(&solution).unwrap();
    std::fs::write(
        &solution,
        text.replace("assert_eq!(add(2, 3), 5", "assert_eq!(add(2, 3), 5 + 0"),
    )
    .unwrap();
    let run = fixture.run(&["dev", "check"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains(
            "✗ failing: the tests of exercises/basics/failing.rs and solutions/basics/failing.rs differ; the learner must face the tests the solution passes"
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn dev_check_json_names_each_rule_its_place_and_exercise() {
    let fixture = Fixture::new("workbook");
    std::fs::write(fixture.path("exercises/basics/notes.rs"), "// scratch\n").unwrap();
    edit(
        &fixture,
        "exercises/basics/failing.rs",
        "// TODO: make add add.",
        "",
    );
    let program = fixture.path("exercises/basics/program.rs");
    let text = std::fs::read_to_string(&program).unwrap();
    std::fs::write(&program, format!("{text}\n#[test]\nfn runs() {{}}\n")).unwrap();
    let run = fixture.run(&["dev", "check", "--json"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["version"], 1);
    assert_eq!(report["ok"], false);
    assert_eq!(report["strict"], false);
    let found: Vec<(String, String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["place"].as_str().unwrap_or("").to_owned(),
                f["exercise"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    let expect = |rule: &str, place: &str, exercise: &str| {
        assert!(
            found.contains(&(rule.into(), place.into(), exercise.into())),
            "no {rule} at {place} in {found:?}"
        );
    };
    expect("stray-file", "exercises/basics/notes.rs", "");
    // Everything is found at once: a stray file stops nothing.
    let rules: Vec<(&str, &str)> = found
        .iter()
        .map(|(rule, _, exercise)| (rule.as_str(), exercise.as_str()))
        .collect();
    for wanted in [
        ("todo", "failing"),
        ("test-in-program", "program"),
        ("passes-unsolved", "passing"),
    ] {
        assert!(rules.contains(&wanted), "no {wanted:?} in {rules:?}");
    }
    assert_eq!(report["errors"], rules.len());
}

/// Copies each solution of the fixture over its exercise.
fn solve_all(fixture: &Fixture) {
    for dir in ["00_intro", "01_syntax", "02_tests"] {
        for entry in std::fs::read_dir(fixture.path(&format!("solutions/{dir}"))).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name();
            std::fs::copy(
                entry.path(),
                fixture.path(&format!("exercises/{dir}/{}", name.to_string_lossy())),
            )
            .unwrap();
        }
    }
}

#[test]
fn a_rustlings_set_runs_with_warnings_about_what_rustlings_ignores() {
    let fixture = Fixture::new("rustlings_set");
    let run = fixture.run(&["run", "hello"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    for warning in [
        "warning: info.toml:10:1: unknown key \"authors\" at the top level",
        "warning: info.toml:20:8: exercise name \"Semicolon\" may only use lowercase letters a-z, digits and _; rename it, e.g. \"semicolon\"",
        "warning: info.toml:23:1: unknown key \"difficulty\" in [[exercises]]",
    ] {
        assert!(run.stderr.contains(warning), "{warning}\n{}", run.stderr);
    }
    assert!(
        run.stdout
            .contains("✗ hello: the program exited with code 1"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_rustlings_set_gets_rustlings_verdicts() {
    let fixture = Fixture::new("rustlings_set");
    // The tests pass, but rustlings runs `main` too, and it panics.
    let run = fixture.run(&["run", "main_panics"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("Tests: 1 of 1 pass"), "{}", run.stdout);
    assert!(run.stdout.contains("Output of main"), "{}", run.stdout);
    assert!(
        run.stdout.contains("attempt to divide by zero"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("✗ main_panics: the tests pass, but main exited with code 101"),
        "{}",
        run.stdout
    );
    // The tests pass, but a deny-level clippy lint fails it (no strict_clippy).
    let run = fixture.run(&["run", "approx_pi"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("approx_constant"), "{}", run.stdout);
    assert!(
        run.stdout.contains("✗ approx_pi: clippy has findings"),
        "{}",
        run.stdout
    );
    // A syntax error is a compile error like any other.
    let run = fixture.run(&["run", "Semicolon"]);
    assert!(run.stdout.contains("does not compile"), "{}", run.stdout);

    solve_all(&fixture);
    let verify = fixture.run(&["verify"]);
    assert_eq!(verify.code, 1, "{}{}", verify.stdout, verify.stderr);
    assert!(
        verify.stdout.contains("5 of 6 exercises done"),
        "{}",
        verify.stdout
    );
    // A clippy warning that is not deny-level does not fail an exercise.
    edit(
        &fixture,
        "exercises/02_tests/write_assert.rs",
        "    // You can optionally experiment here.\n",
        "    let unused = vec![1];\n    let _ = unused.len();\n",
    );
    let run = fixture.run(&["run", "write_assert"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

#[test]
fn dev_check_and_update_accept_a_set_rustlings_accepts() {
    let fixture = Fixture::new("rustlings_set");
    let manifest = std::fs::read_to_string(fixture.path("Cargo.toml")).unwrap();
    let check = fixture.run(&["dev", "check"]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    assert!(
        check
            .stdout
            .contains("✓ info.toml: 6 exercises in 3 topics\n"),
        "{}",
        check.stdout
    );
    assert!(
        check.stdout.contains("✓ solutions: 5 of 5 pass"),
        "{}",
        check.stdout
    );
    assert!(
        check.stdout.contains("✓ exercises: 6 of 6 fail unsolved"),
        "{}",
        check.stdout
    );
    assert!(
        check
            .stdout
            .contains("! info.toml:10:1: unknown key \"authors\""),
        "{}",
        check.stdout
    );
    let update = fixture.run(&["dev", "update"]);
    assert_eq!(update.code, 0, "{}{}", update.stdout, update.stderr);
    assert_eq!(
        std::fs::read_to_string(fixture.path("Cargo.toml")).unwrap(),
        manifest,
        "dev update changed a manifest that was in sync"
    );
    assert!(!fixture.path("originals.toml").exists());
    // A new exercise gets its inline bin entries, after the others.
    std::fs::write(
        fixture.path("exercises/02_tests/another.rs"),
        "fn main() {\n    // TODO: nothing\n}\n",
    )
    .unwrap();
    let info = std::fs::read_to_string(fixture.path("info.toml")).unwrap();
    std::fs::write(
        fixture.path("info.toml"),
        format!("{info}\n[[exercises]]\nname = \"another\"\ndir = \"02_tests\"\ntest = false\nhint = \"h\"\n"),
    )
    .unwrap();
    let update = fixture.run(&["dev", "update"]);
    assert_eq!(update.code, 0, "{}{}", update.stdout, update.stderr);
    let manifest = std::fs::read_to_string(fixture.path("Cargo.toml")).unwrap();
    assert!(
        manifest.contains("  { name = \"unsolved\", path = \"exercises/02_tests/unsolved.rs\" },\n  { name = \"another\", path = \"exercises/02_tests/another.rs\" },\n]"),
        "{manifest}"
    );
    assert!(
        manifest.starts_with("# Don't edit the `bin` list manually!"),
        "{manifest}"
    );
}

/// Every file under `dir` with its text, for "nothing changed" checks.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.ends_with("target") || path.ends_with(".git") || path.ends_with(".patterns") {
                continue;
            }
            if path.is_dir() {
                pending.push(path);
            } else {
                let text = std::fs::read(&path).unwrap();
                files.push((path, text));
            }
        }
    }
    files.sort();
    files
}

/// `patterns dev new` in a new temporary folder.
fn new_collection() -> Fixture {
    let fixture = Fixture::at(tempfile::tempdir().unwrap());
    let run = fixture.run(&["dev", "new", "course", "--no-git"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    Fixture::at_path(fixture, "course")
}

#[test]
fn dev_new_and_dev_add_make_a_collection_that_dev_check_accepts_and_watch_runs() {
    let fixture = new_collection();
    for file in [
        "info.toml",
        "Cargo.toml",
        "README.md",
        ".gitignore",
        ".vscode/settings.json",
        "rust-analyzer.toml",
        "originals.toml",
        "exercises/01_first_topic/first_exercise.rs",
        "exercises/01_first_topic/README.md",
        "solutions/01_first_topic/first_exercise.rs",
        ".github/workflows/patterns.yml",
    ] {
        assert!(fixture.path(file).is_file(), "no {file}");
    }
    // CI grades every push from the code and keeps the verdicts.
    let workflow = std::fs::read_to_string(fixture.path(".github/workflows/patterns.yml")).unwrap();
    assert!(workflow.contains("run: patterns verify --json > verdicts.json"));
    assert!(workflow.contains("uses: actions/upload-artifact@v4"));
    let info = std::fs::read_to_string(fixture.path("info.toml")).unwrap();
    assert!(info.contains("\nstrict = true\n"), "{info}");
    let add = fixture.run(&["dev", "add", "02_caching", "ttl", "--program"]);
    assert_eq!(add.code, 0, "{}{}", add.stdout, add.stderr);
    let add = fixture.run(&["dev", "add", "01_first_topic", "second"]);
    assert_eq!(add.code, 0, "{}{}", add.stdout, add.stderr);
    assert!(
        add.stdout
            .contains("added second to info.toml (after first_exercise)"),
        "{}",
        add.stdout
    );

    // The entry follows its topic's last exercise; the rest is as it was.
    let after = std::fs::read_to_string(fixture.path("info.toml")).unwrap();
    let first = after.find("name = \"first_exercise\"").unwrap();
    let second = after.find("name = \"second\"").unwrap();
    let ttl = after.find("name = \"ttl\"").unwrap();
    assert!(first < second && second < ttl, "{after}");
    assert!(after.starts_with(&info[..info.find("[[exercises]]").unwrap()]));
    let program = std::fs::read_to_string(fixture.path("exercises/02_caching/ttl.rs")).unwrap();
    assert!(program.starts_with("//! # Ttl\n"), "{program}");
    assert!(program.contains("// TODO"), "{program}");
    assert!(
        after.contains("name = \"ttl\"\ndir = \"02_caching\"\ntest = false\n"),
        "{after}"
    );
    let manifest = std::fs::read_to_string(fixture.path("Cargo.toml")).unwrap();
    for bin in [
        "first_exercise",
        "first_exercise_sol",
        "second",
        "second_sol",
        "ttl",
        "ttl_sol",
    ] {
        assert!(
            manifest.contains(&format!("name = \"{bin}\"")),
            "{bin}: {manifest}"
        );
    }

    let check = fixture.run(&["dev", "check"]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    assert!(
        check.stdout.contains("✓ exercises: 3 of 3 fail unsolved"),
        "{}",
        check.stdout
    );

    let watch = support::Headless::start(&fixture);
    let verdict = watch.next("verdict");
    assert_eq!(verdict["exercise"], "first_exercise", "{verdict}");
    assert_eq!(verdict["done"], false, "{verdict}");
    std::fs::copy(
        fixture.path("solutions/01_first_topic/first_exercise.rs"),
        fixture.path("exercises/01_first_topic/first_exercise.rs"),
    )
    .unwrap();
    let verdict = watch.next("verdict");
    assert_eq!(verdict["done"], true, "{verdict}");
}

#[test]
fn dev_new_wants_a_new_or_empty_folder() {
    let fixture = Fixture::at(tempfile::tempdir().unwrap());
    std::fs::create_dir(fixture.path("taken")).unwrap();
    std::fs::write(fixture.path("taken/notes.txt"), "mine").unwrap();
    let run = fixture.run(&["dev", "new", "taken", "--no-git"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains(
            "taken is not empty; `patterns dev new` starts a collection in a new or empty folder"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read_dir(fixture.path("taken")).unwrap().count(), 1);
}

#[test]
fn dev_add_refuses_what_the_catalog_refuses_and_writes_nothing() {
    let fixture = new_collection();
    let before = snapshot(fixture.root());
    for (args, said) in [
        (
            ["01_first_topic", "Bad"],
            "cannot add Bad: exercise name \"Bad\" may only use lowercase letters a-z, digits and _; rename it, e.g. \"bad\"",
        ),
        (
            ["01_first_topic", "first_exercise"],
            "cannot add first_exercise: exercise name \"first_exercise\" is used twice",
        ),
        (
            ["../up", "x"],
            "dir \"../up\" must be one plain folder name",
        ),
    ] {
        let run = fixture.run(&["dev", "add", args[0], args[1]]);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stdout);
        assert!(run.stderr.contains(said), "{args:?}: {}", run.stderr);
    }
    // A file in the way is never overwritten.
    std::fs::create_dir_all(fixture.path("solutions/03_x")).unwrap();
    std::fs::write(fixture.path("solutions/03_x/mine.rs"), "// mine\n").unwrap();
    let before_mine = snapshot(fixture.root());
    let run = fixture.run(&["dev", "add", "03_x", "mine"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("solutions/03_x/mine.rs exists already"),
        "{}",
        run.stderr
    );
    assert_eq!(snapshot(fixture.root()), before_mine);
    std::fs::remove_dir_all(fixture.path("solutions/03_x")).unwrap();
    assert_eq!(snapshot(fixture.root()), before);
}

#[test]
fn dev_add_writes_a_rustlings_entry_in_a_rustlings_set() {
    let fixture = Fixture::new("rustlings_set");
    let run = fixture.run(&["dev", "add", "02_tests", "extra"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let info = std::fs::read_to_string(fixture.path("info.toml")).unwrap();
    // After unsolved (the topic's last), with one `hint` as rustlings reads it.
    assert!(
        info.ends_with("name = \"unsolved\"\ndir = \"02_tests\"\nhint = \"Return 42.\"\n\n[[exercises]]\nname = \"extra\"\ndir = \"02_tests\"\nhint = \"\"\"\nWhere to look, then the approach.\"\"\"\n"),
        "{info}"
    );
    let manifest = std::fs::read_to_string(fixture.path("Cargo.toml")).unwrap();
    assert!(
        manifest.contains("  { name = \"extra\", path = \"exercises/02_tests/extra.rs\" },\n  { name = \"extra_sol\", path = \"solutions/02_tests/extra.rs\" },\n]"),
        "{manifest}"
    );
    assert!(!fixture.path("originals.toml").exists());
}

#[test]
fn dev_update_keeps_each_exercise_in_its_package_and_puts_new_ones_with_their_topic() {
    let fixture = Fixture::new("layered");
    let add = fixture.run(&["dev", "add", "net", "ping"]);
    assert_eq!(add.code, 0, "{}{}", add.stdout, add.stderr);
    // The author moves the net topic to a package of its own (one that needs a
    // heavy dependency, say).
    let workbook = fixture.path("workbook/Cargo.toml");
    let text = std::fs::read_to_string(&workbook).unwrap();
    let ping = "\n[[bin]]\nname = \"ping\"\npath = \"../exercises/net/ping.rs\"\n\n[[bin]]\nname = \"ping_sol\"\npath = \"../solutions/net/ping.rs\"\n";
    assert!(text.contains(ping), "{text}");
    std::fs::write(&workbook, text.replace(ping, "")).unwrap();
    std::fs::create_dir_all(fixture.path("workbook/net")).unwrap();
    std::fs::write(
        fixture.path("workbook/net/Cargo.toml"),
        format!(
            "[package]\nname = \"net\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n# Listed by patterns.\n{}",
            ping.replace("../", "../../")
        ),
    )
    .unwrap();
    edit(
        &fixture,
        "Cargo.toml",
        "members = [\"workbook\"]",
        "members = [\"workbook\", \"workbook/net\"]",
    );

    let add = fixture.run(&["dev", "add", "net", "pong"]);
    assert_eq!(add.code, 0, "{}{}", add.stdout, add.stderr);
    let add = fixture.run(&["dev", "add", "basics", "third"]);
    assert_eq!(add.code, 0, "{}{}", add.stdout, add.stderr);
    let net = std::fs::read_to_string(fixture.path("workbook/net/Cargo.toml")).unwrap();
    let main = std::fs::read_to_string(&workbook).unwrap();
    assert!(net.contains("# Listed by patterns.\n"), "{net}");
    for name in ["ping", "pong"] {
        assert!(
            net.contains(&format!(
                "name = \"{name}\"\npath = \"../../exercises/net/{name}.rs\""
            )),
            "{net}"
        );
        assert!(!main.contains(&format!("name = \"{name}\"")), "{main}");
    }
    assert!(
        main.contains("name = \"third\"\npath = \"../exercises/basics/third.rs\""),
        "{main}"
    );
    assert!(!net.contains("third"), "{net}");
    let update = fixture.run(&["dev", "update"]);
    assert!(
        update.stdout.contains("workbook/Cargo.toml is up to date"),
        "{}",
        update.stdout
    );
    assert!(
        update
            .stdout
            .contains("workbook/net/Cargo.toml is up to date"),
        "{}",
        update.stdout
    );
}
