//! Architecture checks: rules about the *shape* of a learner's code that
//! tests cannot see.
//!
//! A handler that queries the database itself, a service that holds a
//! concrete `HashMap` instead of the repository trait, a domain function that
//! prints: each can pass every test and still miss the pattern the exercise
//! teaches. An exercise lists `[[exercises.checks]]` in info.toml; each table
//! becomes a [`Check`] when the catalog loads ([`Check::from_table`]), and
//! [`evaluate`] runs them on the syntax tree of the learner's file as part of
//! every verdict. A failing check fails the exercise like a failing test, and
//! each [`Violation`] points at `line:column` of the offending code.
//!
//! This module is core library code: it reads a `syn::File` and returns
//! plain data. It must never print, touch the terminal or the file system,
//! or panic on any input; whatever it cannot analyse it treats as unknown and
//! says so in a violation's detail. The rule language and its limits are
//! documented for instructors in `docs/checks.md`.
//!
//! Inside, in the order a check travels:
//! - reading info.toml: `kind` (the rule kinds and their fields), `spec`
//!   and `fields` (a table becomes a `Rule`, every problem reported with a
//!   fix), `pattern` and `target` (the two small languages of a check);
//! - reading the file: `index` (what it declares), `scope` (names),
//!   `infer` and `types` (types, as far as declarations tell), `syntax`
//!   (small readers of syntax);
//! - walking code: `scan` with `visit`, `call_site`, `locals`,
//!   `macro_args`, `macros` and `args` turns an entry into `event`s and a
//!   flow; `callees` says which local functions a call may run;
//! - judging: `reach` follows calls from a target, `matching` says what a
//!   pattern makes of an event, and `rules` hands each kind to `presence`
//!   (forbid/require), `order` (after/before), `literal` (fixed arguments)
//!   or `dependency` (impls and injected traits).

mod args;
mod call_site;
mod callees;
mod dependency;
mod event;
mod fields;
mod index;
mod infer;
mod kind;
mod literal;
mod locals;
mod macro_args;
mod macros;
mod matching;
mod order;
mod pattern;
mod presence;
mod reach;
mod rules;
mod scan;
mod scope;
mod spec;
mod syntax;
mod target;
mod types;
mod visit;

#[cfg(test)]
mod tests;

use index::FileIndex;
use reach::Evaluation;
use rules::Rule;

/// A validated rule, built from one `[[exercises.checks]]` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    rule: Rule,
    message: String,
}

impl Check {
    /// Validates one table from info.toml.
    ///
    /// On failure, returns every problem of the table, each saying what is
    /// wrong and how to fix it, such as
    /// `unknown check kind "forbid_cals"; did you mean "forbid_calls"?`.
    /// The caller adds where the table is.
    pub fn from_table(table: &toml::Table) -> Result<Check, Vec<String>> {
        let (rule, message) = spec::parse(table)?;
        Ok(Check { rule, message })
    }

    /// One line naming the rule for a checklist, such as
    /// `create_user_handler must not call Connection::execute`.
    pub fn summary(&self) -> String {
        self.rule.summary()
    }

    /// The explanation the instructor wrote, shown when the check fails.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The items this rule names that `file` lacks, as written in the rule
    /// (`create_user_handler`, `impl UserService`, `field repo of
    /// UserService`). Run against an exercise's solution when the catalog
    /// loads: a rule naming an item the solution does not have is a catalog
    /// error, not something to discover on a learner's screen.
    pub fn missing_targets(&self, file: &syn::File) -> Vec<String> {
        self.rule.missing_targets(&FileIndex::new(file))
    }
}

/// The result of one check on one file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CheckOutcome {
    /// [`Check::summary`], for the checklist line.
    pub summary: String,
    /// [`Check::message`], the instructor's explanation.
    pub message: String,
    /// Empty when the check passed, in source order otherwise.
    pub violations: Vec<Violation>,
}

impl CheckOutcome {
    pub fn passed(&self) -> bool {
        self.violations.is_empty()
    }
}

/// One place where the code breaks a rule.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Violation {
    /// 1-based line of the offending code; 1 when the problem is something
    /// missing, such as the item the rule names.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
    /// What was found, such as `calls Connection::execute` or
    /// `fn create_user_handler not found`.
    pub detail: String,
}

/// Evaluates every check against one parsed file, in the order given.
///
/// The file is indexed once and each item is walked once, however many
/// checks name it.
pub fn evaluate(checks: &[Check], file: &syn::File) -> Vec<CheckOutcome> {
    let index = FileIndex::new(file);
    let mut evaluation = Evaluation::new(&index);
    checks
        .iter()
        .map(|check| CheckOutcome {
            summary: check.summary(),
            message: check.message.clone(),
            violations: check.rule.evaluate(&mut evaluation),
        })
        .collect()
}
