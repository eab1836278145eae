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
//!
//! Inside: `raw` (the file's schema, documented field by field: the reference),
//! `validate` (turning it into a catalog), `problems` (where each problem is),
//! `tracks` (named paths through the exercises).

mod problems;
mod raw;
#[cfg(test)]
mod tests;
mod tracks;
mod validate;

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::architecture::Check;
use crate::suggest::closest;

pub use problems::{CatalogError, Problem, line_column};
use problems::{Problems, first_line};
pub use raw::{RawExercise, RawInfo};
pub use tracks::{ALL as ALL_TRACKS, RawTrack, Track, UnknownTrack};

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

/// The validated list of exercises of a workbook.
#[derive(Debug, Clone, PartialEq)]
pub struct Catalog {
    pub welcome_message: Option<String>,
    pub final_message: Option<String>,
    /// patterns' stricter authoring rules are on (see [`RawInfo::strict`]).
    pub strict: bool,
    pub exercises: Vec<Exercise>,
    /// Named paths through the exercises (`[[tracks]]`).
    pub tracks: Vec<Track>,
    /// The track this catalog is the view of ([`Catalog::for_track`]), if any:
    /// then `exercises` are the track's, in its order.
    pub track: Option<Track>,
    /// What is odd but accepted (an unknown key, a name outside the convention):
    /// say it, and go on.
    pub warnings: Vec<Problem>,
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
        // Whether the rules are strict decides what is an error and what a warning.
        let strict = document
            .get_ref()
            .get("strict")
            .is_some_and(|v| matches!(v.get_ref(), toml::de::DeValue::Boolean(true)));
        validate::report_unknown_keys(document.get_ref(), strict, &mut problems);

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
        let mut catalog = validate::validate(raw, root, &mut problems);
        catalog.warnings = problems.take_warnings();
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

    /// Topics in info.toml's order, each with its exercises: a run of exercises of
    /// one topic is a group, and a topic that comes back later (a rustlings quiz
    /// in `quizzes/` between other topics) is a group again there.
    pub fn topics(&self) -> Vec<(&str, Vec<&Exercise>)> {
        let mut topics: Vec<(&str, Vec<&Exercise>)> = Vec::new();
        for exercise in &self.exercises {
            match topics.last_mut() {
                Some((topic, list)) if *topic == exercise.topic() => list.push(exercise),
                _ => topics.push((exercise.topic(), vec![exercise])),
            }
        }
        topics
    }

    /// A suggestion for a mistyped exercise name.
    pub fn did_you_mean(&self, name: &str) -> Option<&str> {
        closest(name, self.exercises.iter().map(|e| e.name.as_str()))
    }
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
