//! The wrong answers a learner is likely to write must fail the tests that are
//! meant to catch them.
//!
//! Each `tests/variants/<exercise>.toml` lists *variants*: a solution with a few
//! textual edits that turn it into a plausible wrong answer (`<=` for `<`, a
//! forgotten invalidation, a lock taken twice), the reason it is wrong, and the
//! tests that must fail on it. This suite applies the edits, compiles every
//! variant in one generated Cargo workspace (one bin target per variant, one
//! `cargo build --tests`, so rustc builds them in parallel and the workbook's
//! dependencies come from the shared target directory), runs each variant's test
//! binary and fails with a list of the variants that slipped through.
//!
//! A variant that does not compile is broken, not caught: the learner's compiler
//! would have caught it, not the tests. Fix its edits.
//!
//! It never changes the workbook: the scratch workspace lives under
//! `target/wrong-answers/`, and files there are rewritten only when their text
//! changes, so a second run rebuilds only the variants that changed.

// Test helpers may unwrap: a failure there is a failing test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde::Deserialize;

/// Where the workbook packages live: every workspace member under it builds
/// exercises, and the variants share its dependencies.
const WORKBOOK_DIR: &str = "workbook";

/// Longer than any exercise's test run; a variant that deadlocks is killed then.
const RUN_TIMEOUT: Duration = Duration::from_secs(60);

/// The only `expect` this suite runs; the others belong to the checks suite.
const TESTS_FAIL: &str = "tests_fail";
const KNOWN_EXPECTS: [&str; 3] = [TESTS_FAIL, "checks_fail", "pass"];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct VariantFile {
    #[serde(default)]
    variant: Vec<Variant>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Variant {
    /// Unique within its file; with the exercise, the variant's bin name.
    name: String,
    /// Why this answer is wrong, in one sentence a learner would understand.
    why: String,
    /// `tests_fail` here; `checks_fail` and `pass` are for the checks suite.
    expect: String,
    /// Tests (`tests::name`) that must fail on this variant; `main` for an
    /// exercise checked by running its program (`test = false`).
    #[serde(default)]
    caught_by: Vec<String>,
    /// For the checks suite (`tests/checks_variants.rs`); skipped here.
    #[serde(default, rename = "class")]
    _class: Option<String>,
    /// For the checks suite; skipped here.
    #[serde(default, rename = "rejected_by")]
    _rejected_by: Vec<usize>,
    /// Applied to the solution's text, in order.
    #[serde(default)]
    edit: Vec<Edit>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Edit {
    /// Must occur exactly once in the text as edited so far.
    find: String,
    replace: String,
}

/// Applies `edits` in order; each `find` must occur exactly once.
fn apply_edits(text: &str, edits: &[Edit]) -> Result<String, String> {
    let mut text = text.to_string();
    for (index, edit) in edits.iter().enumerate() {
        let count = text.matches(edit.find.as_str()).count();
        if count != 1 || edit.find.is_empty() {
            return Err(format!(
                "edit {} finds {:?} {count} times; it must occur exactly once (add context to `find`)",
                index + 1,
                edit.find
            ));
        }
        text = text.replacen(edit.find.as_str(), &edit.replace, 1);
    }
    Ok(text)
}

/// One workbook package: its dependencies and which solutions it builds.
struct Package {
    /// Folder name inside the scratch workspace (the package's name).
    dir: String,
    /// `[package]` name, as in Cargo.lock, so locked versions carry over.
    name: String,
    dependencies: toml::Table,
    lints: Option<toml::Value>,
    /// Solution bin paths (relative to the repository root) this package builds.
    solutions: BTreeSet<PathBuf>,
}

/// The workspace members under `workbook/`, from the root manifest.
fn workbook_members(root: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    let table: toml::Table = text.parse().unwrap();
    table["workspace"]["members"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m.as_str())
        .filter(|m| *m == WORKBOOK_DIR || m.starts_with(&format!("{WORKBOOK_DIR}/")))
        .map(str::to_owned)
        .collect()
}

fn read_packages(root: &Path) -> Vec<Package> {
    workbook_members(root)
        .iter()
        .map(|dir| {
            let manifest = root.join(dir).join("Cargo.toml");
            let text = std::fs::read_to_string(&manifest).unwrap();
            let table: toml::Table = text.parse().unwrap();
            let name = table["package"]["name"].as_str().unwrap().to_string();
            let dependencies = table["dependencies"].as_table().unwrap().clone();
            let mut solutions = BTreeSet::new();
            for bin in table
                .get("bin")
                .and_then(|b| b.as_array())
                .into_iter()
                .flatten()
            {
                let path = bin["path"].as_str().unwrap();
                let resolved = normalize(&Path::new(dir).join(path));
                if resolved.starts_with("solutions") {
                    solutions.insert(resolved);
                }
            }
            Package {
                dir: name.clone(),
                name,
                dependencies,
                lints: table.get("lints").cloned(),
                solutions,
            }
        })
        .collect()
}

/// `a/b/../c` -> `a/c`, without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// Exercise name -> solution path, from info.toml.
fn read_catalog(root: &Path) -> BTreeMap<String, PathBuf> {
    let text = std::fs::read_to_string(root.join("info.toml")).unwrap();
    let table: toml::Table = text.parse().unwrap();
    table["exercises"]
        .as_array()
        .unwrap()
        .iter()
        .map(|exercise| {
            let name = exercise["name"].as_str().unwrap().to_string();
            let mut path = PathBuf::from("solutions");
            if let Some(dir) = exercise.get("dir").and_then(|d| d.as_str()) {
                path.push(dir);
            }
            path.push(format!("{name}.rs"));
            (name, path)
        })
        .collect()
}

/// A variant ready to build.
struct Prepared {
    exercise: String,
    variant: Variant,
    /// The bin target: `<exercise>__<variant>`.
    bin: String,
    package: usize,
}

/// What went wrong with one variant, worded for the person who must fix it.
#[derive(Default)]
struct Problems(Vec<String>);

impl Problems {
    fn add(&mut self, what: String) {
        self.0.push(what);
    }
}

fn write_if_changed(path: &Path, text: &str) {
    if std::fs::read_to_string(path).ok().as_deref() != Some(text) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

/// The target directory of the workspace running this test, shared with the
/// scratch workspace so dependencies compile once.
fn target_dir(root: &Path) -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        let dir = PathBuf::from(dir);
        return if dir.is_absolute() {
            dir
        } else {
            root.join(dir)
        };
    }
    // The test binary is <target>/<profile>/deps/wrong_answers-<hash>.
    let exe = std::env::current_exe().unwrap();
    exe.ancestors()
        .nth(3)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| root.join("target"))
}

/// Writes the scratch workspace: one package per workbook package, one bin per
/// variant, the repository's Cargo.lock for the same dependency versions.
fn write_workspace(
    scratch: &Path,
    root: &Path,
    packages: &[Package],
    prepared: &[(Prepared, String)],
) {
    let members: Vec<String> = packages.iter().map(|p| format!("{:?}", p.dir)).collect();
    write_if_changed(
        &scratch.join("Cargo.toml"),
        &format!(
            "# Generated by tests/wrong_answers.rs; do not edit.\n[workspace]\nresolver = \"3\"\nmembers = [{}]\n",
            members.join(", ")
        ),
    );
    // Cargo prunes what this workspace does not use and keeps every version
    // it does, so the variants build against exactly the workbook's crates.
    // The copy is refreshed whenever the repository's lock file changes.
    let source = std::fs::read_to_string(root.join("Cargo.lock")).unwrap();
    let copied = scratch.join("Cargo.lock.source");
    if std::fs::read_to_string(&copied).ok().as_deref() != Some(source.as_str()) {
        std::fs::write(scratch.join("Cargo.lock"), &source).unwrap();
        std::fs::write(&copied, &source).unwrap();
    }
    for (index, package) in packages.iter().enumerate() {
        let dir = scratch.join(&package.dir);
        let mut manifest = toml::Table::new();
        let mut meta = toml::Table::new();
        meta.insert("name".into(), package.name.clone().into());
        meta.insert("version".into(), "0.0.0".into());
        meta.insert("edition".into(), "2024".into());
        meta.insert("publish".into(), false.into());
        meta.insert("autobins".into(), false.into());
        manifest.insert("package".into(), meta.into());
        manifest.insert("dependencies".into(), package.dependencies.clone().into());
        if let Some(lints) = &package.lints {
            manifest.insert("lints".into(), lints.clone());
        }
        let mut bins = Vec::new();
        // A package needs a target even when no variant uses it.
        write_if_changed(&dir.join("src/lib.rs"), "");
        let mut wanted = BTreeSet::new();
        for (variant, text) in prepared.iter().filter(|(v, _)| v.package == index) {
            let file = format!("src/{}.rs", variant.bin);
            write_if_changed(&dir.join(&file), text);
            wanted.insert(format!("{}.rs", variant.bin));
            let mut bin = toml::Table::new();
            bin.insert("name".into(), variant.bin.clone().into());
            bin.insert("path".into(), file.into());
            bins.push(toml::Value::Table(bin));
        }
        // Variants removed from the toml files leave no stale targets behind.
        if let Ok(entries) = std::fs::read_dir(dir.join("src")) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if name != "lib.rs" && !wanted.contains(&name) {
                    std::fs::remove_file(entry.path()).unwrap();
                }
            }
        }
        manifest.insert("bin".into(), bins.into());
        let text = format!(
            "# Generated by tests/wrong_answers.rs; do not edit.\n{}",
            toml::to_string(&manifest).unwrap()
        );
        write_if_changed(&dir.join("Cargo.toml"), &text);
    }
}

#[derive(Deserialize)]
struct CargoMessage {
    reason: String,
    target: Option<CargoTarget>,
    profile: Option<CargoProfile>,
    executable: Option<PathBuf>,
    message: Option<CompilerMessage>,
}

#[derive(Deserialize)]
struct CargoTarget {
    name: String,
}

#[derive(Deserialize)]
struct CargoProfile {
    test: bool,
}

#[derive(Deserialize)]
struct CompilerMessage {
    level: String,
    rendered: Option<String>,
}

struct Built {
    /// Each bin's test harness.
    executables: BTreeMap<String, PathBuf>,
    /// Each bin's own `main`, for the exercises checked by running it.
    programs: BTreeMap<String, PathBuf>,
    errors: BTreeMap<String, String>,
    cargo_stderr: String,
}

fn build(scratch: &Path, target: &Path, programs: &[&str]) -> Built {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .current_dir(scratch)
        // `cargo build --tests` builds each bin with its test harness, like
        // `cargo test --no-run`, and unlike it keeps going past a variant
        // that does not compile. The plain binary is built only for the
        // variants checked by running main.
        .args([
            "build",
            "--tests",
            "--keep-going",
            "--workspace",
            "--message-format=json",
        ]);
    for program in programs {
        command.args(["--bin", program]);
    }
    let output = command
        .env("CARGO_TARGET_DIR", target)
        // Each variant is built once: incremental state would only fill the
        // disk (16 GB for the whole suite).
        .env("CARGO_INCREMENTAL", "0")
        .env_remove("RUSTFLAGS")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let mut built = Built {
        executables: BTreeMap::new(),
        programs: BTreeMap::new(),
        errors: BTreeMap::new(),
        cargo_stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    for line in output.stdout.split(|b| *b == b'\n') {
        let Ok(message) = serde_json::from_slice::<CargoMessage>(line) else {
            continue;
        };
        let Some(target) = message.target else {
            continue;
        };
        match message.reason.as_str() {
            "compiler-artifact" => {
                if let Some(exe) = message.executable {
                    if message.profile.is_some_and(|p| p.test) {
                        built.executables.insert(target.name, exe);
                    } else {
                        built.programs.insert(target.name, exe);
                    }
                }
            }
            "compiler-message" => {
                if let Some(m) = message.message.filter(|m| m.level == "error") {
                    let entry = built.errors.entry(target.name).or_default();
                    entry.push_str(m.rendered.as_deref().unwrap_or(""));
                }
            }
            _ => {}
        }
    }
    built
}

/// In `caught_by`, the exercise's `main`: for exercises checked by running it
/// (`test = false`), the variant must make it fail.
const MAIN: &str = "main";

/// Runs a program to its end (or [`RUN_TIMEOUT`]): passed when it exits with 0.
fn run_main(program: &Path) -> Outcome {
    let mut child = Command::new(program)
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + RUN_TIMEOUT;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return if status.success() {
                Outcome::Passed
            } else {
                Outcome::Failed
            };
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Outcome::TimedOut;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A test's outcome as libtest reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Passed,
    Failed,
    TimedOut,
}

/// Every test the binary has, by name.
fn list_tests(exe: &Path) -> Result<BTreeSet<String>, String> {
    let output = Command::new(exe)
        .args(["--list", "--format=terse"])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", exe.display()))?;
    Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.strip_suffix(": test"))
        .map(str::to_string)
        .collect())
}

/// Runs exactly `tests`, killing the binary after [`RUN_TIMEOUT`]; a test that
/// had not finished then counts as timed out (a learner would see it fail).
fn run_tests(exe: &Path, tests: &[String]) -> BTreeMap<String, Outcome> {
    let mut child = Command::new(exe)
        .arg("--exact")
        .args(tests)
        .args(["--test-threads", "1"])
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut lines = String::new();
        let _ = BufReader::new(stdout).read_to_string(&mut lines);
        lines
    });
    let started = Instant::now();
    let mut timed_out = false;
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if started.elapsed() > RUN_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            timed_out = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let stdout = reader.join().unwrap();
    let mut outcomes = BTreeMap::new();
    for line in BufReader::new(stdout.as_bytes())
        .lines()
        .map_while(Result::ok)
    {
        let Some(rest) = line.strip_prefix("test ") else {
            continue;
        };
        if let Some(name) = rest.strip_suffix(" ... ok") {
            outcomes.insert(name.to_string(), Outcome::Passed);
        } else if let Some(name) = rest.strip_suffix(" ... FAILED") {
            outcomes.insert(name.to_string(), Outcome::Failed);
        }
    }
    if timed_out {
        for test in tests {
            outcomes.entry(test.clone()).or_insert(Outcome::TimedOut);
        }
    }
    outcomes
}

/// What running one variant's named tests gave: each test's outcome, or why
/// they could not be run.
type RunResult = Result<BTreeMap<String, Outcome>, String>;

/// Per exercise: variants, caught.
type Tally = BTreeMap<String, (usize, usize)>;

#[test]
fn every_wrong_answer_fails_the_tests_that_should_catch_it() {
    let started = Instant::now();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let catalog = read_catalog(root);
    let packages = read_packages(root);
    let mut problems = Problems::default();

    // Read and check every variant file before building anything.
    let mut prepared: Vec<(Prepared, String)> = Vec::new();
    let mut files: BTreeMap<String, usize> = BTreeMap::new();
    let mut other_expects = 0;
    let variants_dir = root.join("tests/variants");
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&variants_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    entries.sort();
    for path in entries {
        let exercise = path.file_stem().unwrap().to_string_lossy().into_owned();
        let shown = format!("tests/variants/{exercise}.toml");
        let Some(solution) = catalog.get(&exercise) else {
            problems.add(format!(
                "{shown}: no exercise {exercise:?} in info.toml; name the file after the exercise"
            ));
            continue;
        };
        let file: VariantFile = match toml::from_str(&std::fs::read_to_string(&path).unwrap()) {
            Ok(file) => file,
            Err(error) => {
                problems.add(format!("{shown}: {error}"));
                continue;
            }
        };
        let Some(package) = packages.iter().position(|p| p.solutions.contains(solution)) else {
            problems.add(format!(
                "{shown}: {} is no bin target of a workbook package",
                solution.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(root.join(solution)).unwrap();
        let mut names = BTreeSet::new();
        for variant in file.variant {
            let label = format!("{shown}: variant {:?}", variant.name);
            if !names.insert(variant.name.clone()) {
                problems.add(format!("{label}: the name is used twice in this file"));
                continue;
            }
            if variant.name.is_empty()
                || !variant
                    .name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            {
                problems.add(format!("{label}: name it in [a-z0-9_]"));
                continue;
            }
            if !KNOWN_EXPECTS.contains(&variant.expect.as_str()) {
                problems.add(format!(
                    "{label}: expect = {:?}; use one of {KNOWN_EXPECTS:?}",
                    variant.expect
                ));
                continue;
            }
            if variant.expect != TESTS_FAIL {
                other_expects += 1;
                continue;
            }
            if variant.why.trim().is_empty() {
                problems.add(format!(
                    "{label}: say in `why` what is wrong with this answer"
                ));
            }
            if variant.caught_by.is_empty() {
                problems.add(format!(
                    "{label}: name the tests that must fail in `caught_by`"
                ));
                continue;
            }
            if variant.edit.is_empty() {
                problems.add(format!(
                    "{label}: no [[variant.edit]]; it would be the solution itself"
                ));
                continue;
            }
            let edited = match apply_edits(&text, &variant.edit) {
                Ok(edited) => edited,
                Err(error) => {
                    problems.add(format!("{label}: {error} in {}", solution.display()));
                    continue;
                }
            };
            if edited == text {
                problems.add(format!("{label}: the edits leave the solution unchanged"));
                continue;
            }
            *files.entry(exercise.clone()).or_default() += 1;
            let bin = format!("{exercise}__{}", variant.name);
            prepared.push((
                Prepared {
                    exercise: exercise.clone(),
                    variant,
                    bin,
                    package,
                },
                edited,
            ));
        }
    }
    // The house rule: every exercise has at least two wrong answers written down.
    for exercise in catalog.keys() {
        let count = files.get(exercise).copied().unwrap_or(0);
        if count < 2 {
            problems.add(format!(
                "tests/variants/{exercise}.toml: {count} tests_fail variant(s); write down at least two plausible wrong answers"
            ));
        }
    }

    let target = target_dir(root);
    let scratch = target.join("wrong-answers/workspace");
    write_workspace(&scratch, root, &packages, &prepared);
    let build_started = Instant::now();
    let programs: Vec<&str> = prepared
        .iter()
        .filter(|(p, _)| p.variant.caught_by == [MAIN])
        .map(|(p, _)| p.bin.as_str())
        .collect();
    let built = build(&scratch, &target, &programs);
    let build_time = build_started.elapsed();
    if built.executables.is_empty() && !prepared.is_empty() {
        panic!(
            "the scratch workspace did not build at all:\n{}",
            built.cargo_stderr
        );
    }

    // Run each variant's named tests, two at a time (the machine has 2 cores).
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, RunResult)>> = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some((variant, _)) = prepared.get(index) else {
                        break;
                    };
                    if variant.variant.caught_by == [MAIN] {
                        // An exercise checked by running `main`: it must fail.
                        let Some(program) = built.programs.get(&variant.bin) else {
                            continue;
                        };
                        let result = Ok(BTreeMap::from([(MAIN.to_owned(), run_main(program))]));
                        results.lock().unwrap().push((index, result));
                        continue;
                    }
                    let Some(exe) = built.executables.get(&variant.bin) else {
                        continue;
                    };
                    let result = list_tests(exe).and_then(|all| {
                        let unknown: Vec<&String> = variant
                            .variant
                            .caught_by
                            .iter()
                            .filter(|t| !all.contains(*t))
                            .collect();
                        if unknown.is_empty() {
                            Ok(run_tests(exe, &variant.variant.caught_by))
                        } else {
                            Err(format!(
                                "caught_by names tests the exercise does not have: {unknown:?}"
                            ))
                        }
                    });
                    results.lock().unwrap().push((index, result));
                }
            });
        }
    });
    let results: BTreeMap<usize, _> = results.into_inner().unwrap().into_iter().collect();

    let mut tally: Tally = BTreeMap::new();
    for (index, (variant, _)) in prepared.iter().enumerate() {
        let label = format!(
            "tests/variants/{}.toml: variant {:?} ({})",
            variant.exercise, variant.variant.name, variant.variant.why
        );
        let entry = tally.entry(variant.exercise.clone()).or_default();
        entry.0 += 1;
        let Some(result) = results.get(&index) else {
            // No error of its own: cargo stopped for another reason (a
            // dependency, the disk), which its last lines say.
            let tail = || {
                let lines: Vec<&str> = built.cargo_stderr.lines().collect();
                format!(
                    "no test binary was built; cargo said last:\n{}",
                    lines[lines.len().saturating_sub(5)..].join("\n")
                )
            };
            let error = built.errors.get(&variant.bin).cloned().unwrap_or_else(tail);
            problems.add(format!("{label}: does not compile, so it is a broken variant, not a caught one; fix its edits:\n{}", indent(&error)));
            continue;
        };
        match result {
            Err(error) => problems.add(format!("{label}: {error}")),
            Ok(outcomes) => {
                let slipped: Vec<&String> = variant
                    .variant
                    .caught_by
                    .iter()
                    .filter(|test| outcomes.get(*test).is_none_or(|o| *o == Outcome::Passed))
                    .collect();
                if slipped.is_empty() {
                    entry.1 += 1;
                } else {
                    problems.add(format!(
                        "{label}: NOT CAUGHT: these tests pass on it: {slipped:?}"
                    ));
                }
            }
        }
    }

    let mut summary = String::from("\nwrong answers (tests/variants):\n");
    let mut topics: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for (exercise, (total, caught)) in &tally {
        let topic = catalog[exercise]
            .parent()
            .and_then(Path::file_name)
            .map_or_else(String::new, |d| d.to_string_lossy().into_owned());
        let t = topics.entry(topic).or_default();
        t.0 += total;
        t.1 += caught;
        let _ = writeln!(summary, "  {exercise:<24} {caught:>2}/{total:<2} caught");
    }
    let (total, caught) = tally
        .values()
        .fold((0, 0), |(t, c), (tt, cc)| (t + tt, c + cc));
    for (topic, (t, c)) in &topics {
        let _ = writeln!(summary, "  topic {topic:<18} {c:>3}/{t:<3} caught");
    }
    let _ = writeln!(
        summary,
        "  {caught}/{total} variants caught over {} exercises; {other_expects} variants for other suites; build {:.0?}, total {:.0?}",
        tally.len(),
        build_time,
        started.elapsed()
    );
    // Straight to stderr: libtest captures print! but this summary is the point.
    let _ = std::io::stderr().write_all(summary.as_bytes());

    if !problems.0.is_empty() {
        let mut list = String::new();
        for problem in &problems.0 {
            let _ = writeln!(list, "- {problem}");
        }
        panic!(
            "{} problem(s) with the wrong-answer variants:\n{list}",
            problems.0.len()
        );
    }
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("    {l}\n")).collect()
}

#[test]
fn an_edit_must_find_its_text_exactly_once() {
    let edit = |find: &str| Edit {
        find: find.to_string(),
        replace: "X".to_string(),
    };
    assert_eq!(apply_edits("a < b", &[edit("<")]).unwrap(), "a X b");
    assert!(
        apply_edits("a < b < c", &[edit("<")])
            .unwrap_err()
            .contains("2 times")
    );
    assert!(
        apply_edits("a b", &[edit("<")])
            .unwrap_err()
            .contains("0 times")
    );
    assert!(apply_edits("a b", &[edit("")]).is_err());
    // Edits see the text as changed by the edits before them.
    assert_eq!(
        apply_edits("a < b", &[edit("<"), edit("X b")]).unwrap(),
        "a X"
    );
}
