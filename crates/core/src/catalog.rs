//! The catalog: `info.toml` turned into the list of exercises the runner works on.
//!
//! Parsing happens in two stages, so that an author sees every problem at once:
//! the text is read into raw serde structs that mirror the file ([`RawInfo`],
//! [`RawExercise`]), then [`Catalog::from_toml`] validates them into domain types
//! ([`Catalog`], [`Exercise`]) and reports each problem as
//! `info.toml:LINE:COL: what is wrong; how to fix it`.
//!
//! The format is a superset of the rustlings v6 community-set format, so an existing
//! rustlings exercise set loads unchanged. This module must never touch the terminal
//! or run anything: it reads files and returns values.

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use crate::architecture::Check;
use crate::suggest::closest;

/// The file name of the catalog at the root of a workbook.
pub const INFO_FILE: &str = "info.toml";
/// The folder, under the workbook root, that holds the exercises.
pub const EXERCISES_DIR: &str = "exercises";
/// The folder, under the workbook root, that holds the reference solutions.
pub const SOLUTIONS_DIR: &str = "solutions";
/// How long an exercise's program or tests may run when `timeout_secs` is not set.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// The longest `timeout_secs` an exercise may ask for.
pub const MAX_TIMEOUT_SECS: u64 = 600;
/// The longest exercise name, in bytes.
pub const MAX_NAME_LEN: usize = 32;

const TOP_LEVEL_KEYS: &[&str] = &[
    "format_version",
    "welcome_message",
    "final_message",
    "exercises",
];
const EXERCISE_KEYS: &[&str] = &[
    "name",
    "dir",
    "test",
    "strict_clippy",
    "hint",
    "hints",
    "skip_check_unsolved",
    "timeout_secs",
    "checks",
];

/// `info.toml` as written, before validation.
#[derive(Debug, Deserialize)]
pub struct RawInfo {
    /// The version of this file's format. Must be `1` (the rustlings v6 format and
    /// patterns' additions to it).
    pub format_version: Spanned<i64>,
    /// Shown once, the first time a learner starts the workbook.
    pub welcome_message: Option<String>,
    /// Shown when every exercise is done.
    pub final_message: Option<String>,
    /// The exercises, in the order learners take them.
    #[serde(default)]
    pub exercises: Vec<Spanned<RawExercise>>,
}

/// One `[[exercises]]` table as written, before validation.
#[derive(Debug, Deserialize)]
pub struct RawExercise {
    /// Unique name: lowercase ASCII letters, digits and `_`, at most 32 bytes. It is
    /// also the file's stem (`exercises/<dir>/<name>.rs`) and the Cargo bin target's
    /// name (the solution's target is `<name>_sol`).
    pub name: Spanned<String>,
    /// The topic folder under `exercises/` and `solutions/`: one plain folder name
    /// such as `02_repositories`. Without it the file is `exercises/<name>.rs`.
    pub dir: Option<Spanned<String>>,
    /// `true` (the default): the exercise is done when all its tests pass.
    /// `false`: its `main` is run and must exit with status 0.
    #[serde(default = "yes")]
    pub test: bool,
    /// Also require `cargo clippy` to report nothing (warnings count). Default `false`.
    #[serde(default)]
    pub strict_clippy: bool,
    /// A single hint (the rustlings field). Use `hints` for progressive hints.
    pub hint: Option<Spanned<String>>,
    /// Progressive hints, revealed one at a time: a nudge, then the approach, then
    /// nearly the code. Give either `hint` or `hints`.
    pub hints: Option<Spanned<Vec<Spanned<String>>>>,
    /// `dev check` normally insists that the unsolved exercise fails; `true` skips
    /// that (for exercises that already pass and teach by reading). Default `false`.
    #[serde(default)]
    pub skip_check_unsolved: bool,
    /// Seconds the exercise's program or tests may run before they are killed and
    /// reported as timed out. Default 10, at most 600.
    pub timeout_secs: Option<Spanned<i64>>,
    /// Architecture checks on the exercise's syntax tree; see docs/checks.md.
    #[serde(default)]
    pub checks: Vec<Spanned<toml::Table>>,
}

fn yes() -> bool {
    true
}

/// The validated list of exercises of a workbook.
#[derive(Debug, Clone, PartialEq)]
pub struct Catalog {
    pub welcome_message: Option<String>,
    pub final_message: Option<String>,
    pub exercises: Vec<Exercise>,
}

/// One validated exercise.
#[derive(Debug, Clone, PartialEq)]
pub struct Exercise {
    pub name: String,
    pub dir: Option<String>,
    pub test: bool,
    pub strict_clippy: bool,
    pub skip_check_unsolved: bool,
    /// At least one, none empty.
    pub hints: Vec<String>,
    pub timeout: Duration,
    pub checks: Vec<Check>,
}

impl Exercise {
    /// The exercise's file, relative to the workbook root.
    pub fn path(&self) -> PathBuf {
        self.file_under(EXERCISES_DIR)
    }

    /// The reference solution's file, relative to the workbook root.
    pub fn solution_path(&self) -> PathBuf {
        self.file_under(SOLUTIONS_DIR)
    }

    /// The Cargo bin target of the solution.
    pub fn solution_target(&self) -> String {
        format!("{}_sol", self.name)
    }

    /// The topic this exercise belongs to: its `dir`, or `exercises` when it has none.
    pub fn topic(&self) -> &str {
        self.dir.as_deref().unwrap_or(EXERCISES_DIR)
    }

    fn file_under(&self, root: &str) -> PathBuf {
        let mut path = PathBuf::from(root);
        if let Some(dir) = &self.dir {
            path.push(dir);
        }
        path.push(format!("{}.rs", self.name));
        path
    }
}

/// A topic's name for people: `02_repositories` reads as `repositories`.
pub fn topic_title(topic: &str) -> &str {
    let rest = topic.trim_start_matches(|c: char| c.is_ascii_digit());
    match rest.strip_prefix('_') {
        Some(title) if rest.len() < topic.len() && !title.is_empty() => title,
        _ => topic,
    }
}

/// Everything wrong with an `info.toml`, each problem with its place in the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct CatalogError {
    pub problems: Vec<Problem>,
}

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, problem) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}

/// One problem in `info.toml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{INFO_FILE}:{}:{}: {}",
            self.line, self.column, self.message
        )
    }
}

/// Collects problems with their positions in the source text.
struct Problems<'a> {
    text: &'a str,
    list: Vec<Problem>,
}

impl<'a> Problems<'a> {
    fn new(text: &'a str) -> Self {
        Problems {
            text,
            list: Vec::new(),
        }
    }

    fn at(&mut self, span: Range<usize>, message: impl Into<String>) {
        let (line, column) = line_column(self.text, span.start);
        self.list.push(Problem {
            line,
            column,
            message: message.into(),
        });
    }

    fn finish(self) -> Result<(), CatalogError> {
        if self.list.is_empty() {
            Ok(())
        } else {
            Err(self.into_error())
        }
    }

    fn into_error(mut self) -> CatalogError {
        self.list.sort_by_key(|p| (p.line, p.column));
        CatalogError {
            problems: self.list,
        }
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

impl Catalog {
    /// Validates the text of an `info.toml`. With `root`, also checks that the files
    /// it names exist and stay inside the workbook, and that every check names items
    /// the solution has.
    pub fn from_toml(text: &str, root: Option<&Path>) -> Result<Catalog, CatalogError> {
        Catalog::parse(text, root.map(|r| (r, true)))
    }

    /// Like [`Catalog::from_toml`] with a root, but trusts that the checks name
    /// items the solutions have (parsing every solution costs ~0.5 ms each; the
    /// workbook caches a successful verification, see `Workbook::open`).
    pub fn from_toml_unverified(text: &str, root: &Path) -> Result<Catalog, CatalogError> {
        Catalog::parse(text, Some((root, false)))
    }

    fn parse(text: &str, root: Option<(&Path, bool)>) -> Result<Catalog, CatalogError> {
        let mut problems = Problems::new(text);
        let document = match toml::de::DeTable::parse(text) {
            Ok(document) => document,
            Err(error) => {
                let span = error.span().unwrap_or(0..0);
                problems.at(
                    span,
                    format!(
                        "this is not valid TOML: {}; fix the syntax",
                        first_line(error.message())
                    ),
                );
                return Err(problems.into_error());
            }
        };
        report_unknown_keys(document.get_ref(), &mut problems);

        let raw: RawInfo = match toml::from_str(text) {
            Ok(raw) => raw,
            Err(error) => {
                problems.at(
                    error.span().unwrap_or(0..0),
                    format!("{}; fix the value", first_line(error.message())),
                );
                return Err(problems.into_error());
            }
        };
        let catalog = validate(raw, root, &mut problems);
        problems.finish()?;
        Ok(catalog)
    }

    /// The exercise called `name`, if the catalog has one.
    pub fn find(&self, name: &str) -> Option<&Exercise> {
        self.exercises.iter().find(|e| e.name == name)
    }

    /// The position of the exercise called `name`.
    pub fn position(&self, name: &str) -> Option<usize> {
        self.exercises.iter().position(|e| e.name == name)
    }

    /// Topics in the order of their first exercise, each with its exercises.
    pub fn topics(&self) -> Vec<(&str, Vec<&Exercise>)> {
        let mut topics: Vec<(&str, Vec<&Exercise>)> = Vec::new();
        for exercise in &self.exercises {
            match topics.iter_mut().find(|(t, _)| *t == exercise.topic()) {
                Some((_, list)) => list.push(exercise),
                None => topics.push((exercise.topic(), vec![exercise])),
            }
        }
        topics
    }

    /// A suggestion for a mistyped exercise name.
    pub fn did_you_mean(&self, name: &str) -> Option<&str> {
        closest(name, self.exercises.iter().map(|e| e.name.as_str()))
    }
}

fn first_line(message: &str) -> &str {
    message
        .lines()
        .next()
        .unwrap_or(message)
        .trim_end_matches('.')
}

/// Why a workbook's catalog could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Invalid(#[from] CatalogError),
}

fn unknown_key_message(key: &str, known: &[&str], place: &str) -> String {
    match closest(key, known.iter().copied()) {
        Some(suggestion) => {
            format!("unknown key \"{key}\" {place}; did you mean \"{suggestion}\"?")
        }
        None => format!(
            "unknown key \"{key}\" {place}; the known keys are {}",
            known.join(", ")
        ),
    }
}

fn report_unknown_keys(document: &toml::de::DeTable<'_>, problems: &mut Problems<'_>) {
    for (key, value) in document {
        if !TOP_LEVEL_KEYS.contains(&key.get_ref().as_ref()) {
            problems.at(
                key.span(),
                unknown_key_message(key.get_ref(), TOP_LEVEL_KEYS, "at the top level"),
            );
            continue;
        }
        if key.get_ref() != "exercises" {
            continue;
        }
        let toml::de::DeValue::Array(exercises) = value.get_ref() else {
            continue;
        };
        for exercise in exercises {
            let toml::de::DeValue::Table(table) = exercise.get_ref() else {
                continue;
            };
            for key in table.keys() {
                if !EXERCISE_KEYS.contains(&key.get_ref().as_ref()) {
                    problems.at(
                        key.span(),
                        unknown_key_message(key.get_ref(), EXERCISE_KEYS, "in [[exercises]]"),
                    );
                }
            }
        }
    }
}

fn validate(raw: RawInfo, root: Option<(&Path, bool)>, problems: &mut Problems<'_>) -> Catalog {
    if *raw.format_version.get_ref() != 1 {
        problems.at(
            raw.format_version.span(),
            format!(
                "unsupported format_version {}; this version of patterns reads format_version = 1",
                raw.format_version.get_ref()
            ),
        );
    }
    if raw.exercises.is_empty() {
        problems.at(
            0..0,
            "there are no exercises; add an [[exercises]] table with name, dir and hint",
        );
    }

    let mut seen: HashMap<String, Range<usize>> = HashMap::new();
    let mut exercises = Vec::with_capacity(raw.exercises.len());
    for spanned in raw.exercises {
        let table_span = spanned.span();
        let raw = spanned.into_inner();
        if let Some(exercise) = validate_exercise(raw, table_span, root, &mut seen, problems) {
            exercises.push(exercise);
        }
    }
    Catalog {
        welcome_message: raw.welcome_message,
        final_message: raw.final_message,
        exercises,
    }
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn valid_dir(dir: &str) -> bool {
    !dir.is_empty()
        && !dir.starts_with('.')
        && dir
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn validate_exercise(
    raw: RawExercise,
    table_span: Range<usize>,
    root: Option<(&Path, bool)>,
    seen: &mut HashMap<String, Range<usize>>,
    problems: &mut Problems<'_>,
) -> Option<Exercise> {
    let name_span = raw.name.span();
    let name = raw.name.into_inner();
    let mut ok = true;

    if !valid_name(&name) {
        ok = false;
        problems.at(
            name_span.clone(),
            format!(
                "exercise name \"{name}\" may only use lowercase letters a-z, digits and _; rename it, e.g. \"{}\"",
                suggest_name(&name)
            ),
        );
    } else if name.len() > MAX_NAME_LEN {
        ok = false;
        problems.at(
            name_span.clone(),
            format!(
                "exercise name \"{name}\" is {} bytes long; shorten it to at most {MAX_NAME_LEN}",
                name.len()
            ),
        );
    }
    if let Some(first) = seen.get(&name) {
        ok = false;
        let (line, column) = line_column(problems.text, first.start);
        problems.at(
            name_span.clone(),
            format!(
                "exercise name \"{name}\" is used twice (first at {INFO_FILE}:{line}:{column}); give each exercise its own name"
            ),
        );
    } else {
        seen.insert(name.clone(), name_span.clone());
    }

    let dir = match raw.dir {
        Some(dir) if !valid_dir(dir.get_ref()) => {
            ok = false;
            problems.at(
                dir.span(),
                format!(
                    "exercise \"{name}\": dir \"{}\" must be one plain folder name under exercises/ (letters, digits, _ and -; no /, no ..); e.g. dir = \"02_repositories\"",
                    dir.get_ref()
                ),
            );
            None
        }
        Some(dir) => Some(dir.into_inner()),
        None => None,
    };

    let hints = match (raw.hint, raw.hints) {
        (Some(hint), Some(hints)) => {
            ok = false;
            problems.at(
                hints.span(),
                format!(
                    "exercise \"{name}\" has both hint and hints; keep one (hints = [..] for progressive hints)"
                ),
            );
            let _ = hint;
            Vec::new()
        }
        (Some(hint), None) => {
            let span = hint.span();
            let hint = hint.into_inner();
            if hint.trim().is_empty() {
                ok = false;
                problems.at(
                    span,
                    format!(
                        "exercise \"{name}\" has an empty hint; write one, e.g. hint = \"Start from the failing test's message.\""
                    ),
                );
            }
            vec![hint]
        }
        (None, Some(hints)) => {
            let span = hints.span();
            let hints = hints.into_inner();
            if hints.is_empty() {
                ok = false;
                problems.at(
                    span,
                    format!(
                        "exercise \"{name}\" has an empty hints list; add at least one hint, a nudge first"
                    ),
                );
            }
            for (level, hint) in hints.iter().enumerate() {
                if hint.get_ref().trim().is_empty() {
                    ok = false;
                    problems.at(
                        hint.span(),
                        format!(
                            "exercise \"{name}\": hint {} is empty; write it or remove it",
                            level + 1
                        ),
                    );
                }
            }
            hints.into_iter().map(Spanned::into_inner).collect()
        }
        (None, None) => {
            ok = false;
            problems.at(
                table_span.clone(),
                format!(
                    "exercise \"{name}\" has no hint; add hint = \"...\" or hints = [\"nudge\", \"approach\"]"
                ),
            );
            Vec::new()
        }
    };

    let timeout = match raw.timeout_secs {
        Some(secs) => match u64::try_from(*secs.get_ref()) {
            Ok(s) if (1..=MAX_TIMEOUT_SECS).contains(&s) => Duration::from_secs(s),
            _ => {
                ok = false;
                problems.at(
                    secs.span(),
                    format!(
                        "exercise \"{name}\": timeout_secs = {} is out of range; use 1 to {MAX_TIMEOUT_SECS} (default 10)",
                        secs.get_ref()
                    ),
                );
                DEFAULT_TIMEOUT
            }
        },
        None => DEFAULT_TIMEOUT,
    };

    let mut checks = Vec::with_capacity(raw.checks.len());
    for table in &raw.checks {
        match Check::from_table(table.get_ref()) {
            Ok(check) => checks.push(check),
            Err(messages) => {
                ok = false;
                for message in messages {
                    problems.at(
                        table.span(),
                        format!("exercise \"{name}\": check: {message}"),
                    );
                }
            }
        }
    }

    let exercise = Exercise {
        name,
        dir,
        test: raw.test,
        strict_clippy: raw.strict_clippy,
        skip_check_unsolved: raw.skip_check_unsolved,
        hints,
        timeout,
        checks,
    };
    if ok && let Some(root) = root {
        ok = check_files(&exercise, root, table_span, problems);
    }
    ok.then_some(exercise)
}

/// The exercise file must exist and stay inside the workbook (a `dir` that is a
/// symbolic link to elsewhere is refused); checks must name items the solution has.
fn check_files(
    exercise: &Exercise,
    (root, verify_solutions): (&Path, bool),
    span: Range<usize>,
    problems: &mut Problems<'_>,
) -> bool {
    let name = &exercise.name;
    let path = exercise.path();
    let full = root.join(&path);
    if !full.is_file() {
        problems.at(
            span,
            format!(
                "exercise \"{name}\": file {} not found; create it or fix name/dir",
                path.display()
            ),
        );
        return false;
    }
    let inside = match (full.canonicalize(), root.canonicalize()) {
        (Ok(file), Ok(root)) => file.starts_with(root.join(EXERCISES_DIR)),
        _ => false,
    };
    if !inside {
        problems.at(
            span,
            format!(
                "exercise \"{name}\": {} leads outside the workbook's exercises/ folder; make it a real file, not a link",
                path.display()
            ),
        );
        return false;
    }
    if exercise.checks.is_empty() || !verify_solutions {
        return true;
    }
    let solution = root.join(exercise.solution_path());
    let Ok(source) = std::fs::read_to_string(&solution) else {
        // Learners' copies may ship without solutions; `dev check` reports a missing one.
        return true;
    };
    let Ok(file) = syn::parse_file(&source) else {
        problems.at(
            span,
            format!(
                "exercise \"{name}\": solution {} does not parse, so its checks cannot be verified; fix the solution",
                exercise.solution_path().display()
            ),
        );
        return false;
    };
    let mut ok = true;
    for check in &exercise.checks {
        for missing in check.missing_targets(&file) {
            ok = false;
            problems.at(
                span.clone(),
                format!(
                    "exercise \"{name}\": check \"{}\" names {missing}, which the solution does not have; fix the check or the solution",
                    check.summary()
                ),
            );
        }
    }
    ok
}

fn suggest_name(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| match c {
            'A'..='Z' => c.to_ascii_lowercase(),
            'a'..='z' | '0'..='9' | '_' => c,
            _ => '_',
        })
        .collect();
    out.truncate(MAX_NAME_LEN);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> Vec<String> {
        match Catalog::from_toml(text, None) {
            Ok(_) => Vec::new(),
            Err(error) => error.problems.iter().map(ToString::to_string).collect(),
        }
    }

    const GOOD: &str = r#"format_version = 1
welcome_message = "hi"

[[exercises]]
name = "intro1"
dir = "00_intro"
test = false
hint = "Read the comment."

[[exercises]]
name = "repo_trait"
dir = "02_repositories"
hints = ["a nudge", "the approach"]
timeout_secs = 3
strict_clippy = true
"#;

    #[test]
    fn a_valid_catalog_becomes_exercises_with_defaults() {
        let catalog = Catalog::from_toml(GOOD, None).unwrap();
        assert_eq!(catalog.welcome_message.as_deref(), Some("hi"));
        let [intro, repo] = &catalog.exercises[..] else {
            panic!("two exercises expected");
        };
        assert_eq!(intro.path(), PathBuf::from("exercises/00_intro/intro1.rs"));
        assert_eq!(
            repo.solution_path(),
            PathBuf::from("solutions/02_repositories/repo_trait.rs")
        );
        assert!(!intro.test && repo.test);
        assert_eq!(intro.hints, vec!["Read the comment."]);
        assert_eq!(repo.hints.len(), 2);
        assert_eq!(intro.timeout, DEFAULT_TIMEOUT);
        assert_eq!(repo.timeout, Duration::from_secs(3));
        assert!(repo.strict_clippy && !repo.skip_check_unsolved);
        assert_eq!(repo.solution_target(), "repo_trait_sol");
    }

    #[test]
    fn a_rustlings_v6_set_without_dirs_loads() {
        let text = "format_version = 1\n[[exercises]]\nname = \"intro1\"\nhint = \"h\"\nskip_check_unsolved = true\n";
        let catalog = Catalog::from_toml(text, None).unwrap();
        assert_eq!(
            catalog.exercises[0].path(),
            PathBuf::from("exercises/intro1.rs")
        );
        assert_eq!(catalog.exercises[0].topic(), "exercises");
    }

    #[test]
    fn every_problem_is_reported_at_once_with_its_place() {
        let text = r#"format_version = 1

[[exercises]]
name = "Cache-Aside"
dir = "../outside"
hint = ""

[[exercises]]
name = "ok_one"
dir = "a/b"
hints = ["fine", " "]

[[exercises]]
name = "ok_one"
hint = "x"

[[exercises]]
name = "this_name_is_far_too_long_for_a_bin"
hint = "x"
timeout_secs = 0

[[exercises]]
name = "no_hint"
"#;
        assert_eq!(
            problems(text),
            vec![
                "info.toml:4:8: exercise name \"Cache-Aside\" may only use lowercase letters a-z, digits and _; rename it, e.g. \"cache_aside\"",
                "info.toml:5:7: exercise \"Cache-Aside\": dir \"../outside\" must be one plain folder name under exercises/ (letters, digits, _ and -; no /, no ..); e.g. dir = \"02_repositories\"",
                "info.toml:6:8: exercise \"Cache-Aside\" has an empty hint; write one, e.g. hint = \"Start from the failing test's message.\"",
                "info.toml:10:7: exercise \"ok_one\": dir \"a/b\" must be one plain folder name under exercises/ (letters, digits, _ and -; no /, no ..); e.g. dir = \"02_repositories\"",
                "info.toml:11:18: exercise \"ok_one\": hint 2 is empty; write it or remove it",
                "info.toml:14:8: exercise name \"ok_one\" is used twice (first at info.toml:9:8); give each exercise its own name",
                "info.toml:18:8: exercise name \"this_name_is_far_too_long_for_a_bin\" is 35 bytes long; shorten it to at most 32",
                "info.toml:20:16: exercise \"this_name_is_far_too_long_for_a_bin\": timeout_secs = 0 is out of range; use 1 to 600 (default 10)",
                "info.toml:22:1: exercise \"no_hint\" has no hint; add hint = \"...\" or hints = [\"nudge\", \"approach\"]",
            ]
        );
    }

    #[test]
    fn unknown_keys_are_errors_with_a_suggestion() {
        let text = "format_version = 1\nwelcome_mesage = \"x\"\n\n[[exercises]]\nname = \"a\"\nhnit = \"h\"\nhint = \"h\"\nflavour = 1\n";
        assert_eq!(
            problems(text),
            vec![
                "info.toml:2:1: unknown key \"welcome_mesage\" at the top level; did you mean \"welcome_message\"?",
                "info.toml:6:1: unknown key \"hnit\" in [[exercises]]; did you mean \"hint\"?",
                "info.toml:8:1: unknown key \"flavour\" in [[exercises]]; the known keys are name, dir, test, strict_clippy, hint, hints, skip_check_unsolved, timeout_secs, checks",
            ]
        );
    }

    #[test]
    fn an_unsupported_format_version_is_named() {
        let text = "format_version = 2\n[[exercises]]\nname = \"a\"\nhint = \"h\"\n";
        assert_eq!(
            problems(text),
            vec![
                "info.toml:1:18: unsupported format_version 2; this version of patterns reads format_version = 1"
            ]
        );
    }

    #[test]
    fn both_hint_and_hints_is_ambiguous() {
        let text =
            "format_version = 1\n[[exercises]]\nname = \"a\"\nhint = \"h\"\nhints = [\"x\"]\n";
        assert_eq!(
            problems(text),
            vec![
                "info.toml:5:9: exercise \"a\" has both hint and hints; keep one (hints = [..] for progressive hints)"
            ]
        );
    }

    #[test]
    fn syntax_and_type_errors_point_at_the_value() {
        let broken = "format_version = 1\n[[exercises]\nname = \"a\"\n";
        let found = problems(broken);
        assert_eq!(found.len(), 1);
        assert!(
            found[0].starts_with("info.toml:2:") && found[0].contains("this is not valid TOML"),
            "{found:?}"
        );

        let wrong_type =
            "format_version = 1\n[[exercises]]\nname = \"a\"\nhint = \"h\"\ntest = \"yes\"\n";
        let found = problems(wrong_type);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].starts_with("info.toml:5:8: ") && found[0].ends_with("; fix the value"),
            "{found:?}"
        );
    }

    #[test]
    fn an_empty_catalog_says_what_to_add() {
        assert_eq!(
            problems("format_version = 1\n"),
            vec![
                "info.toml:1:1: there are no exercises; add an [[exercises]] table with name, dir and hint"
            ]
        );
    }

    #[test]
    fn missing_files_and_escaping_links_are_reported() {
        let root = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join("exercises/t")).unwrap();
        std::fs::write(outside.path().join("b.rs"), "fn main() {}").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(outside.path(), root.path().join("exercises/link")).unwrap();
        let text = "format_version = 1\n[[exercises]]\nname = \"a\"\ndir = \"t\"\nhint = \"h\"\n[[exercises]]\nname = \"b\"\ndir = \"link\"\nhint = \"h\"\n";
        let error = Catalog::from_toml(text, Some(root.path())).unwrap_err();
        let messages: Vec<String> = error.problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages[0],
            "info.toml:2:1: exercise \"a\": file exercises/t/a.rs not found; create it or fix name/dir"
        );
        #[cfg(unix)]
        assert_eq!(
            messages[1],
            "info.toml:6:1: exercise \"b\": exercises/link/b.rs leads outside the workbook's exercises/ folder; make it a real file, not a link"
        );
    }

    #[test]
    fn topic_titles_drop_the_ordering_prefix() {
        assert_eq!(topic_title("02_repositories"), "repositories");
        assert_eq!(topic_title("exercises"), "exercises");
        assert_eq!(topic_title("2024"), "2024");
    }
}
