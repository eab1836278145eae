//! `info.toml` as written, before validation: the serde structs mirror the file,
//! and their doc comments are the reference for every field.

use serde::Deserialize;
use toml::Spanned;

pub(super) const TOP_LEVEL_KEYS: &[&str] = &[
    "format_version",
    "welcome_message",
    "final_message",
    "strict",
    "exercises",
    "tracks",
];
pub(super) const EXERCISE_KEYS: &[&str] = &[
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
    /// patterns' stricter rules, for collections written for patterns (`dev new`
    /// sets it): unknown keys and names outside `[a-z0-9_]` are errors, not
    /// warnings, and `dev check` insists that every exercise parses, has a
    /// solution, and has its solution's tests. A rustlings set leaves it out.
    #[serde(default)]
    pub strict: bool,
    /// The exercises, in the order learners take them.
    #[serde(default)]
    pub exercises: Vec<Spanned<RawExercise>>,
    /// Named paths through the exercises, for workshops; see `tracks.rs`.
    #[serde(default)]
    pub tracks: Vec<Spanned<super::tracks::RawTrack>>,
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

pub(super) fn yes() -> bool {
    true
}
