//! The architecture checks against written-down designs: every tangled
//! variant (tests pass, the pattern is broken) must be rejected by the
//! exercise's checks, and every clean variant written differently (a helper,
//! another order, a call by its path) must pass them.
//!
//! The variants live next to the wrong answers, in `tests/variants/*.toml`,
//! as edits to the solution: `expect = "checks_fail"` with a `class` (how the
//! design gets around the pattern) and optionally `rejected_by` (the numbers
//! of the checks that must fail, counted from 1 in info.toml), or
//! `expect = "pass"`. Nothing is compiled: the edited text is parsed with syn
//! and evaluated with the same `patterns_core::architecture::evaluate` a
//! verdict uses, so the suite takes well under a second.
//!
//! It prints the counts per class and per exercise, and fails with every
//! variant that got the wrong answer.

// Test helpers may unwrap: a failure there is a failing test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use patterns_core::architecture::{Check, CheckOutcome, evaluate};
use patterns_core::catalog::Catalog;
use serde::Deserialize;

/// What this suite runs; `tests_fail` belongs to `tests/wrong_answers.rs`.
const CHECKS_FAIL: &str = "checks_fail";
const PASS: &str = "pass";

/// The ways a design gets around a check, as `class` names them.
const CLASSES: [&str; 9] = [
    "direct",
    "moved_out",
    "field_chain",
    "path_call",
    "attribute",
    "order_scope",
    "sql_built",
    "print_family",
    "bypass",
];

/// Each exercise with checks needs at least this many of each.
const MIN_TANGLED: usize = 3;
const MIN_CLEAN: usize = 1;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct VariantFile {
    #[serde(default)]
    variant: Vec<Variant>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Variant {
    name: String,
    why: String,
    expect: String,
    /// How a tangled variant gets around the pattern (see [`CLASSES`]); for a
    /// clean one, how it is written differently (free text).
    #[serde(default)]
    class: Option<String>,
    /// Checks (1-based, in info.toml order) that must reject the variant.
    #[serde(default)]
    rejected_by: Vec<usize>,
    /// For the wrong-answer suite.
    #[serde(default, rename = "caught_by")]
    _caught_by: Vec<String>,
    #[serde(default)]
    edit: Vec<Edit>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Edit {
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

/// One variant's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answer {
    Rejected,
    Accepted,
}

/// Counts of one row of the summary.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    tangled: usize,
    tangled_rejected: usize,
    clean: usize,
    clean_accepted: usize,
}

impl Tally {
    fn add(&mut self, expect: &str, answer: Answer) {
        if expect == CHECKS_FAIL {
            self.tangled += 1;
            self.tangled_rejected += usize::from(answer == Answer::Rejected);
        } else {
            self.clean += 1;
            self.clean_accepted += usize::from(answer == Answer::Accepted);
        }
    }

    fn line(&self) -> String {
        format!(
            "tangled {:>2}/{:<2} rejected   clean {:>2}/{:<2} accepted",
            self.tangled_rejected, self.tangled, self.clean_accepted, self.clean
        )
    }
}

/// Judges the variants of one exercise; pushes every problem, worded for the
/// person who must fix it, and returns each variant's answer.
fn judge(
    label: &str,
    checks: &[Check],
    solution: &str,
    variants: &[Variant],
    problems: &mut Vec<String>,
) -> Vec<(Variant, Answer)> {
    let mut answers = Vec::new();
    let mut names = BTreeSet::new();
    for variant in variants {
        let shown = format!("{label}: variant {:?}", variant.name);
        // Names are unique across both suites' variants of a file.
        if !names.insert(variant.name.clone()) {
            problems.push(format!("{shown}: the name is used twice in this file"));
            continue;
        }
        if variant.expect != CHECKS_FAIL && variant.expect != PASS {
            continue;
        }
        if variant.why.trim().is_empty() {
            problems.push(format!("{shown}: say in `why` what the design does"));
        }
        if variant.expect == CHECKS_FAIL {
            match variant.class.as_deref() {
                Some(class) if CLASSES.contains(&class) => {}
                Some(class) => {
                    problems.push(format!(
                        "{shown}: class {class:?} is not one of {CLASSES:?}"
                    ));
                    continue;
                }
                None => {
                    problems.push(format!(
                        "{shown}: a tangled variant names its class, one of {CLASSES:?}"
                    ));
                    continue;
                }
            }
        }
        if checks.is_empty() {
            problems.push(format!("{shown}: the exercise has no checks to judge it"));
            continue;
        }
        if let Some(&bad) = variant
            .rejected_by
            .iter()
            .find(|&&n| n == 0 || n > checks.len())
        {
            problems.push(format!(
                "{shown}: rejected_by names check {bad}; the exercise has checks 1 to {}",
                checks.len()
            ));
            continue;
        }
        let text = match apply_edits(solution, &variant.edit) {
            Ok(text) => text,
            Err(error) => {
                problems.push(format!("{shown}: {error}"));
                continue;
            }
        };
        if text == solution {
            problems.push(format!("{shown}: the edits leave the solution unchanged"));
            continue;
        }
        let file = match syn::parse_file(&text) {
            Ok(file) => file,
            Err(error) => {
                let at = error.span().start();
                problems.push(format!(
                    "{shown}: the edited solution does not parse ({}:{}: {error}); a learner's compiler would stop there",
                    at.line,
                    at.column + 1
                ));
                continue;
            }
        };
        let outcomes = evaluate(checks, &file);
        let failed: Vec<usize> = outcomes
            .iter()
            .enumerate()
            .filter(|(_, o)| !o.passed())
            .map(|(i, _)| i + 1)
            .collect();
        let answer = if failed.is_empty() {
            Answer::Accepted
        } else {
            Answer::Rejected
        };
        let why = &variant.why;
        if variant.expect == CHECKS_FAIL {
            if answer == Answer::Accepted {
                problems.push(format!(
                    "{shown} ({why}): ACCEPTED, but it is tangled; every check passes on it"
                ));
            }
            let missed: Vec<usize> = variant
                .rejected_by
                .iter()
                .copied()
                .filter(|n| !failed.contains(n))
                .collect();
            if answer == Answer::Rejected && !missed.is_empty() {
                problems.push(format!(
                    "{shown} ({why}): check(s) {missed:?} should reject it and pass; rejected by {failed:?} only:\n{}",
                    describe(&outcomes)
                ));
            }
        } else if answer == Answer::Rejected {
            problems.push(format!(
                "{shown} ({why}): REJECTED, but it is clean:\n{}",
                describe(&outcomes)
            ));
        }
        answers.push((variant.clone(), answer));
    }
    answers
}

/// The failing checks of an evaluation, with their violations.
fn describe(outcomes: &[CheckOutcome]) -> String {
    let mut text = String::new();
    for (i, outcome) in outcomes.iter().enumerate() {
        if outcome.passed() {
            continue;
        }
        let _ = writeln!(text, "    check {}: {}", i + 1, outcome.summary);
        for v in &outcome.violations {
            let _ = writeln!(text, "      {}:{}  {}", v.line, v.column, v.detail);
        }
    }
    text
}

fn read_variants(path: &Path) -> Result<Vec<Variant>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let file: VariantFile = toml::from_str(&text).map_err(|e| e.to_string())?;
    Ok(file.variant)
}

#[test]
fn tangled_designs_are_rejected_and_clean_ones_accepted() {
    let started = Instant::now();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let info = std::fs::read_to_string(root.join("info.toml")).unwrap();
    let catalog = Catalog::from_toml(&info, None).unwrap();
    let mut problems = Vec::new();
    let mut by_exercise: BTreeMap<String, Tally> = BTreeMap::new();
    let mut by_class: BTreeMap<String, Tally> = BTreeMap::new();
    let mut total = Tally::default();
    for exercise in &catalog.exercises {
        let shown = format!("tests/variants/{}.toml", exercise.name);
        let path: PathBuf = root.join(&shown);
        let variants = if path.exists() {
            match read_variants(&path) {
                Ok(variants) => variants,
                Err(error) => {
                    problems.push(format!("{shown}: {error}"));
                    continue;
                }
            }
        } else {
            Vec::new()
        };
        let solution = std::fs::read_to_string(root.join(exercise.solution_path())).unwrap();
        // The variants are judged against checks the solution itself passes.
        let outcomes = evaluate(&exercise.checks, &syn::parse_file(&solution).unwrap());
        if outcomes.iter().any(|o| !o.passed()) {
            problems.push(format!(
                "{}: the solution fails its own checks:\n{}",
                exercise.solution_path().display(),
                describe(&outcomes)
            ));
        }
        let answers = judge(
            &shown,
            &exercise.checks,
            &solution,
            &variants,
            &mut problems,
        );
        let tally = by_exercise.entry(exercise.name.clone()).or_default();
        for (variant, answer) in &answers {
            tally.add(&variant.expect, *answer);
            total.add(&variant.expect, *answer);
            let class = match variant.expect.as_str() {
                CHECKS_FAIL => variant.class.clone().unwrap_or_default(),
                _ => "(clean)".to_string(),
            };
            by_class
                .entry(class)
                .or_default()
                .add(&variant.expect, *answer);
        }
        if !exercise.checks.is_empty() && (tally.tangled < MIN_TANGLED || tally.clean < MIN_CLEAN) {
            problems.push(format!(
                "{shown}: {} tangled and {} clean variant(s); an exercise with checks needs at least {MIN_TANGLED} tangled (expect = \"checks_fail\") and {MIN_CLEAN} clean (expect = \"pass\")",
                tally.tangled, tally.clean
            ));
        }
    }

    let mut summary =
        String::from("\narchitecture checks against tangled and clean designs (tests/variants):\n");
    for (class, tally) in &by_class {
        let _ = writeln!(summary, "  class {class:<14} {}", tally.line());
    }
    for (exercise, tally) in by_exercise.iter().filter(|(_, t)| t.tangled + t.clean > 0) {
        let _ = writeln!(summary, "  {exercise:<24} {}", tally.line());
    }
    let _ = writeln!(
        summary,
        "  all: {}; {:.0?}",
        total.line(),
        started.elapsed()
    );
    // Straight to stderr: libtest captures print! but this summary is the point.
    let _ = std::io::stderr().write_all(summary.as_bytes());

    if !problems.is_empty() {
        let mut list = String::new();
        for problem in &problems {
            let _ = writeln!(list, "- {problem}");
        }
        panic!(
            "{} problem(s) with the checks' variants:\n{list}",
            problems.len()
        );
    }
}

/// Half-written code: every solution with one line in so many left out is
/// evaluated, when it still parses, without a panic and with one outcome per
/// check.
#[test]
fn solutions_with_a_line_missing_are_evaluated_without_panicking() {
    const EVERY: usize = 17;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let info = std::fs::read_to_string(root.join("info.toml")).unwrap();
    let catalog = Catalog::from_toml(&info, None).unwrap();
    let mut evaluated = 0;
    for exercise in catalog.exercises.iter().filter(|e| !e.checks.is_empty()) {
        let solution = std::fs::read_to_string(root.join(exercise.solution_path())).unwrap();
        let lines: Vec<&str> = solution.lines().collect();
        for skip in (0..lines.len()).step_by(EVERY) {
            let text: Vec<&str> = lines
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != skip)
                .map(|(_, line)| *line)
                .collect();
            if let Ok(file) = syn::parse_file(&text.join("\n")) {
                assert_eq!(
                    evaluate(&exercise.checks, &file).len(),
                    exercise.checks.len()
                );
                evaluated += 1;
            }
        }
    }
    assert!(evaluated > 100, "only {evaluated} edited solutions parsed");
}

/// The suite can fail: a tangled design the checks miss and a clean one they
/// reject are both reported, with what the checks said.
#[test]
fn a_missed_tangle_and_a_rejected_clean_design_are_both_reported() {
    let table: toml::Table = toml::from_str(
        r#"
kind = "forbid_calls"
in = "handler"
calls = ["Database::query"]
message = "Go through the service."
"#,
    )
    .unwrap();
    let checks = [Check::from_table(&table).unwrap()];
    let solution = "fn handler(service: &Service) { service.run(); }\n";
    let variant = |name: &str, expect: &str, replace: &str| Variant {
        name: name.to_string(),
        why: "w".to_string(),
        expect: expect.to_string(),
        class: Some("direct".to_string()),
        rejected_by: vec![1],
        _caught_by: Vec::new(),
        edit: vec![Edit {
            find: "service.run();".to_string(),
            replace: replace.to_string(),
        }],
    };
    let variants = [
        // Tangled, but through a method the pattern does not name: missed.
        variant("missed", CHECKS_FAIL, "service.db.select();"),
        // Clean, but calls the forbidden thing: rejected.
        variant("rejected", PASS, "Database::query();"),
        // Both right: no problem.
        variant("caught", CHECKS_FAIL, "Database::query();"),
        variant("clean", PASS, "service.run_twice();"),
    ];
    let mut problems = Vec::new();
    let answers = judge("x.toml", &checks, solution, &variants, &mut problems);
    assert_eq!(answers.len(), 4);
    assert_eq!(problems.len(), 2, "{problems:#?}");
    assert!(problems[0].starts_with("x.toml: variant \"missed\" (w): ACCEPTED, but it is tangled"));
    assert!(
        problems[1].starts_with("x.toml: variant \"rejected\" (w): REJECTED, but it is clean:")
    );
    assert!(
        problems[1].contains("1:33  calls Database::query"),
        "{}",
        problems[1]
    );
}
