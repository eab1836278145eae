//! Each rule kind on a passing and a failing snippet, the name-resolution
//! edge cases the rules depend on, and the exact text of validation errors.
//! One file per subject; the helpers here turn a rule written as in
//! info.toml and a source text into `line:column detail` strings.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::{Check, CheckOutcome, Violation, evaluate};

mod calls;
mod declarations;
mod literal;
mod macros;
mod order;
mod paths;
mod reach;
mod robust;
mod scoping;
mod types;
mod validation;

pub(super) fn table(text: &str) -> toml::Table {
    toml::from_str(text).expect("test table is valid TOML")
}

pub(super) fn check(text: &str) -> Check {
    match Check::from_table(&table(text)) {
        Ok(check) => check,
        Err(errors) => panic!("check should be valid: {errors:?}"),
    }
}

pub(super) fn errors(text: &str) -> Vec<String> {
    match Check::from_table(&table(text)) {
        Ok(check) => panic!("check should be rejected: {check:?}"),
        Err(errors) => errors,
    }
}

pub(super) fn outcome(rule: &str, source: &str) -> CheckOutcome {
    let file = syn::parse_file(source).expect("test source parses");
    let mut outcomes = evaluate(&[check(rule)], &file);
    assert_eq!(outcomes.len(), 1);
    outcomes.remove(0)
}

/// `line:column detail` of every violation.
pub(super) fn run(rule: &str, source: &str) -> Vec<String> {
    outcome(rule, source)
        .violations
        .iter()
        .map(
            |Violation {
                 line,
                 column,
                 detail,
             }| format!("{line}:{column} {detail}"),
        )
        .collect()
}

pub(super) fn missing(rule: &str, source: &str) -> Vec<String> {
    let file = syn::parse_file(source).expect("test source parses");
    check(rule).missing_targets(&file)
}
