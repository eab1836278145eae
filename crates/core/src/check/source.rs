//! What a check reads from the file's syntax tree: placeholders left, the
//! architecture checks, the tests it declares and whether they are still the
//! original ones.

use crate::architecture;
use crate::catalog::Exercise;
use crate::contract::{self, SourceTest};
use crate::placeholders;
use crate::verdict::{Side, Verdict};
use crate::workbook::Workbook;

/// What a check learns from the file's syntax tree, besides the verdict's fields.
#[derive(Debug, Default)]
pub(super) struct Source {
    /// The tests the learner's file declares.
    pub(super) tests: Vec<SourceTest>,
    /// The tests that must pass: the original's, when the learner must keep them.
    pub(super) expected: Option<Vec<SourceTest>>,
    /// `fn main` has a statement, so running it could fail (rustlings runs
    /// `main` after the tests; an empty one cannot fail, and is not built).
    /// True when the file does not parse: it would not compile either.
    pub(super) main_has_code: bool,
}

/// Placeholders, architecture checks, the declared tests and whether they are still
/// the original's, read from the file in-process.
pub(super) fn read_source(
    workbook: &Workbook,
    exercise: &Exercise,
    side: Side,
    verdict: &mut Verdict,
) -> Source {
    let unreadable = Source {
        main_has_code: true,
        ..Source::default()
    };
    let Ok(text) = std::fs::read_to_string(workbook.root.join(&verdict.file)) else {
        return unreadable;
    };
    let Ok(file) = syn::parse_file(&text) else {
        return unreadable;
    };
    verdict.placeholders = placeholders::placeholders(&file);
    verdict.checks = architecture::evaluate(&exercise.checks, &file);
    let mut source = Source {
        tests: contract::tests_in(&file),
        expected: None,
        main_has_code: main_has_code(&file),
    };
    if side == Side::Exercise
        && exercise.test
        && let Some(original) = kept_tests(workbook, exercise, &text, &file)
    {
        verdict.tests_changed = contract::compare(&original, &file);
        source.expected = Some(contract::tests_in(&original));
    }
    source
}

/// Whether the file's top-level `fn main` has a statement (one it lacks has
/// nothing to run, and `main` of another module is not the program's).
fn main_has_code(file: &syn::File) -> bool {
    file.items.iter().any(|item| match item {
        syn::Item::Fn(function) => function.sig.ident == "main" && !function.block.stmts.is_empty(),
        _ => false,
    })
}

/// The file whose tests the learner must keep. In a workbook with
/// `originals.toml` (ours), every exercise's tests are its solution's (`dev check`
/// holds authors to it): the original, or the solution when the original cannot be
/// found. Without it (a rustlings set), only an original whose `mod tests` is its
/// solution's too; where they differ (the learner writes the tests, as in
/// rustlings' `tests1`) or either is unknown, the learner's tests are theirs.
fn kept_tests(
    workbook: &Workbook,
    exercise: &Exercise,
    text: &str,
    file: &syn::File,
) -> Option<syn::File> {
    let parse = |text: &str| syn::parse_file(text).ok();
    // Unchanged (as in `dev check`), the original is the file already parsed.
    let original = workbook.original(exercise).ok().and_then(|o| {
        if o.text == text {
            Some(file.clone())
        } else {
            parse(&o.text)
        }
    });
    let solution = || {
        std::fs::read_to_string(workbook.root.join(exercise.solution_path()))
            .ok()
            .and_then(|text| parse(&text))
    };
    if workbook.originals.is_some() {
        return original.or_else(solution);
    }
    let original = original?;
    let tokens = |file: &syn::File| contract::tests_module(file).map(contract::module_tokens);
    let theirs = tokens(&original)?;
    (tokens(&solution()?).as_deref() == Some(theirs.as_str())).then_some(original)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn main_has_code_only_with_a_statement() {
        let has = |text: &str| main_has_code(&syn::parse_file(text).unwrap());
        assert!(!has("fn main() {}"));
        assert!(!has(
            "fn main() {\n    // You can optionally experiment here.\n}"
        ));
        assert!(has("fn main() { let _ = 1; }"));
        assert!(has("fn main() { panic!() }"));
        assert!(has("fn main() { helper() }\nfn helper() {}"));
        assert!(!has(
            "mod inner { pub fn main() { panic!() } }\nfn main() {}"
        ));
        // No `main` at all does not compile as a bin; nothing to run either.
        assert!(!has("fn helper() {}"));
    }
}
