//! The tests are the contract: an exercise's tests as its source declares them,
//! and whether a learner's tests are still the original's.
//!
//! A verdict never trusts what a test binary says about itself alone. The names of
//! the tests, and which of them are `#[ignore]`d, are read here from the syntax tree
//! (syn), so that a test that never reported (the binary exited early) is missed
//! rather than forgotten. And where an exercise's original `mod tests` is its
//! solution's too, the learner's `mod tests` must stay that module: a deleted test,
//! a weakened assertion, an added `#[ignore]` or `#[should_panic]`, an emptied
//! module or a `#[cfg(test)]` turned off each make the verdict "tests changed",
//! whatever the binary says. [`restore_tests`] puts the original module back and
//! keeps the rest of the learner's file.
//!
//! Modules and items are compared as token streams, so formatting and comments do
//! not count. This module reads syntax trees and returns values; it never runs
//! anything.

use std::collections::BTreeSet;
use std::ops::Range;

use quote::ToTokens;
use syn::spanned::Spanned;
use syn::visit::Visit;

/// The name of the module that holds an exercise's tests.
pub const TESTS_MODULE: &str = "tests";

/// One test function as the source declares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceTest {
    /// The path libtest gives it, e.g. `tests::finds_a_saved_user`.
    pub name: String,
    /// Marked `#[ignore]`: the harness skips it unless asked.
    pub ignored: bool,
}

/// Where and why a source text does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ParseError {
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    pub message: String,
}

/// A source text's syntax tree, or where it does not parse.
pub fn parse(text: &str) -> Result<syn::File, ParseError> {
    match syn::parse_file(text) {
        Ok(file) => Ok(file),
        Err(error) => {
            let start = error.span().start();
            Err(ParseError {
                line: start.line,
                column: start.column + 1,
                message: error.to_string(),
            })
        }
    }
}

/// Every function in `file` marked `#[test]` (or `#[tokio::test]` and the like: any
/// attribute whose last path segment is `test`), in source order.
pub fn tests_in(file: &syn::File) -> Vec<SourceTest> {
    let mut finder = TestFinder::default();
    finder.visit_file(file);
    finder.found
}

#[derive(Default)]
struct TestFinder {
    module: Vec<String>,
    found: Vec<SourceTest>,
}

impl<'ast> Visit<'ast> for TestFinder {
    fn visit_item_mod(&mut self, module: &'ast syn::ItemMod) {
        self.module.push(module.ident.to_string());
        syn::visit::visit_item_mod(self, module);
        self.module.pop();
    }

    fn visit_item_fn(&mut self, function: &'ast syn::ItemFn) {
        if is_test(&function.attrs) {
            let mut name = self.module.join("::");
            if !name.is_empty() {
                name.push_str("::");
            }
            name.push_str(&function.sig.ident.to_string());
            self.found.push(SourceTest {
                name,
                ignored: function.attrs.iter().any(|a| a.path().is_ident("ignore")),
            });
        }
        // Functions nested in a function are not tests libtest can find.
    }
}

/// How a learner's tests differ from the original ones.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "change", content = "name", rename_all = "snake_case")]
pub enum TestChange {
    /// The file has no `mod tests` any more.
    ModuleMissing,
    /// The module's attributes changed (`#[cfg(test)]` turned into something else).
    ModuleAttributes,
    /// A test function of the original is gone.
    Removed(String),
    /// A function of the module (a test or a helper) is not the original's.
    Changed(String),
    /// A function the original module does not have.
    Added(String),
    /// Something other than a function in the module changed (a `use`, a fake).
    OtherItems,
    /// The file defines a macro the tests use (`macro_rules! assert_eq`), which
    /// would change what the tests check.
    MacroShadowed(String),
}

impl TestChange {
    /// The change in a few words, e.g. ``the test `rejects_duplicates` was removed``.
    pub fn describe(&self) -> String {
        match self {
            TestChange::ModuleMissing => format!("the `mod {TESTS_MODULE}` module is gone"),
            TestChange::ModuleAttributes => {
                format!("the attributes of `mod {TESTS_MODULE}` changed")
            }
            TestChange::Removed(name) => format!("the test `{name}` was removed"),
            TestChange::Changed(name) => format!("`{name}` was changed"),
            TestChange::Added(name) => format!("`{name}` was added"),
            TestChange::OtherItems => format!("other items of `mod {TESTS_MODULE}` changed"),
            TestChange::MacroShadowed(name) => {
                format!("the file defines `{name}!`, which the tests use")
            }
        }
    }
}

/// The top-level `mod tests` of `file`, whatever its attributes.
pub fn tests_module(file: &syn::File) -> Option<&syn::ItemMod> {
    file.items.iter().find_map(|item| match item {
        syn::Item::Mod(module) if module.ident == TESTS_MODULE => Some(module),
        _ => None,
    })
}

/// The `mod tests` of a file as tokens (`None` when it has none), for comparing
/// an exercise's tests with its solution's.
pub fn tests_tokens(file: &syn::File) -> Option<String> {
    tests_module(file).map(module_tokens)
}

/// The module as tokens, for comparing modules whatever their formatting.
pub fn module_tokens(module: &syn::ItemMod) -> String {
    module.to_token_stream().to_string()
}

/// How `learner`'s tests differ from `original`'s; empty when they are the same.
/// An original without a `mod tests` has no tests to keep.
pub fn compare(original: &syn::File, learner: &syn::File) -> Vec<TestChange> {
    let Some(theirs) = tests_module(original) else {
        return Vec::new();
    };
    let mut changes = Vec::new();
    match tests_module(learner) {
        None => changes.push(TestChange::ModuleMissing),
        Some(mine) if module_tokens(mine) != module_tokens(theirs) => {
            compare_modules(theirs, mine, &mut changes);
        }
        Some(_) => {}
    }
    let used = macros_used(theirs);
    let defined_before = macros_defined(original);
    for name in macros_defined(learner) {
        if used.contains(&name) && !defined_before.contains(&name) {
            changes.push(TestChange::MacroShadowed(name));
        }
    }
    changes
}

fn compare_modules(theirs: &syn::ItemMod, mine: &syn::ItemMod, changes: &mut Vec<TestChange>) {
    let tokens = |attrs: &[syn::Attribute]| {
        attrs
            .iter()
            .map(|a| a.to_token_stream().to_string())
            .collect::<Vec<_>>()
    };
    let visibility = |module: &syn::ItemMod| module.vis.to_token_stream().to_string();
    if tokens(&theirs.attrs) != tokens(&mine.attrs) || visibility(theirs) != visibility(mine) {
        changes.push(TestChange::ModuleAttributes);
    }
    let items = |module: &syn::ItemMod| -> Vec<syn::Item> {
        module
            .content
            .as_ref()
            .map(|(_, items)| items.clone())
            .unwrap_or_default()
    };
    let (theirs, mine) = (items(theirs), items(mine));
    let functions = |items: &[syn::Item]| -> Vec<(String, String, bool)> {
        items
            .iter()
            .filter_map(|item| match item {
                syn::Item::Fn(function) => Some((
                    function.sig.ident.to_string(),
                    function.to_token_stream().to_string(),
                    is_test(&function.attrs),
                )),
                _ => None,
            })
            .collect()
    };
    let (their_fns, my_fns) = (functions(&theirs), functions(&mine));
    for (name, tokens, test) in &their_fns {
        match my_fns.iter().find(|(n, ..)| n == name) {
            None if *test => changes.push(TestChange::Removed(name.clone())),
            None => changes.push(TestChange::Changed(name.clone())),
            Some((_, mine, _)) if mine != tokens => changes.push(TestChange::Changed(name.clone())),
            Some(_) => {}
        }
    }
    for (name, ..) in &my_fns {
        if !their_fns.iter().any(|(n, ..)| n == name) {
            changes.push(TestChange::Added(name.clone()));
        }
    }
    let others = |items: &[syn::Item]| -> Vec<String> {
        items
            .iter()
            .filter(|item| !matches!(item, syn::Item::Fn(_)))
            .map(|item| item.to_token_stream().to_string())
            .collect()
    };
    if others(&theirs) != others(&mine) {
        changes.push(TestChange::OtherItems);
    }
}

fn is_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|attr| {
        attr.path()
            .segments
            .last()
            .is_some_and(|segment| segment.ident == "test")
    })
}

/// The names of the macros a module invokes (`assert_eq`, `matches`, ...).
fn macros_used(module: &syn::ItemMod) -> BTreeSet<String> {
    #[derive(Default)]
    struct Used(BTreeSet<String>);
    impl<'ast> Visit<'ast> for Used {
        fn visit_macro(&mut self, mac: &'ast syn::Macro) {
            if let Some(last) = mac.path.segments.last() {
                self.0.insert(last.ident.to_string());
            }
            syn::visit::visit_macro(self, mac);
        }
    }
    let mut used = Used::default();
    used.visit_item_mod(module);
    used.0
}

/// The macro names a file brings into scope outside its tests: `macro_rules!`
/// definitions, any renaming `use` (`use std::assert_ne as assert_eq`), and a
/// `use` of a name from the file's own modules (where a `macro_rules!` may hide).
/// Importing a crate's macro under its own name (`use serde_json::json;`) brings
/// the same macro the tests mean, and is no change to them.
fn macros_defined(file: &syn::File) -> BTreeSet<String> {
    #[derive(Default)]
    struct Defined {
        names: BTreeSet<String>,
        local_modules: BTreeSet<String>,
    }
    impl Defined {
        fn use_tree(&mut self, tree: &syn::UseTree, local: bool) {
            match tree {
                syn::UseTree::Path(path) => self.use_tree(&path.tree, local),
                syn::UseTree::Name(name) if local => {
                    self.names.insert(name.ident.to_string());
                }
                syn::UseTree::Rename(rename) => {
                    self.names.insert(rename.rename.to_string());
                }
                syn::UseTree::Group(group) => {
                    for tree in &group.items {
                        self.use_tree(tree, local);
                    }
                }
                syn::UseTree::Name(_) | syn::UseTree::Glob(_) => {}
            }
        }
    }
    impl<'ast> Visit<'ast> for Defined {
        fn visit_item_mod(&mut self, module: &'ast syn::ItemMod) {
            if module.ident != TESTS_MODULE {
                syn::visit::visit_item_mod(self, module);
            }
        }
        fn visit_item_macro(&mut self, item: &'ast syn::ItemMacro) {
            if let Some(name) = &item.ident {
                self.names.insert(name.to_string());
            }
            syn::visit::visit_item_macro(self, item);
        }
        fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
            let root = match &item.tree {
                syn::UseTree::Path(path) => Some(path.ident.to_string()),
                _ => None,
            };
            let local = match root.as_deref() {
                Some("crate" | "self" | "super") => true,
                Some(root) => self.local_modules.contains(root),
                // `use name;` or `use {a, b};`: nothing says where from.
                None => true,
            };
            self.use_tree(&item.tree, local);
        }
    }
    let mut defined = Defined::default();
    // Every module of the file outside the tests, wherever it is declared.
    struct Modules<'a>(&'a mut BTreeSet<String>);
    impl<'ast> Visit<'ast> for Modules<'_> {
        fn visit_item_mod(&mut self, module: &'ast syn::ItemMod) {
            if module.ident != TESTS_MODULE {
                self.0.insert(module.ident.to_string());
                syn::visit::visit_item_mod(self, module);
            }
        }
    }
    Modules(&mut defined.local_modules).visit_file(file);
    defined.visit_file(file);
    defined.names
}

/// Why the original tests could not be put back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RestoreError {
    #[error("the original has no `mod tests` to put back")]
    NoTests,
    #[error("the file does not parse ({0}); fix that first, or reset the whole exercise")]
    Unparsable(String),
}

/// `learner_text` with its `mod tests` (whatever its attributes) replaced by the
/// original's, as written there; appended when the learner's file has none. The
/// rest of the learner's file is kept byte for byte.
pub fn restore_tests(learner_text: &str, original_text: &str) -> Result<String, RestoreError> {
    let original = syn::parse_file(original_text).map_err(|_| RestoreError::NoTests)?;
    let theirs = tests_module(&original).ok_or(RestoreError::NoTests)?;
    let module_text = &original_text[item_range(theirs)];
    let learner =
        syn::parse_file(learner_text).map_err(|e| RestoreError::Unparsable(e.to_string()))?;
    Ok(match tests_module(&learner) {
        Some(mine) => {
            let range = item_range(mine);
            format!(
                "{}{module_text}{}",
                &learner_text[..range.start],
                &learner_text[range.end..]
            )
        }
        None => {
            let separator = if learner_text.ends_with('\n') {
                "\n"
            } else {
                "\n\n"
            };
            format!("{learner_text}{separator}{module_text}\n")
        }
    })
}

/// The bytes of a module item, from its first attribute to its closing brace.
fn item_range(module: &syn::ItemMod) -> Range<usize> {
    let start = module
        .attrs
        .iter()
        .filter(|a| matches!(a.style, syn::AttrStyle::Outer))
        .map(|a| a.pound_token.span.byte_range().start)
        .chain([module.mod_token.span.byte_range().start])
        .min()
        .unwrap_or(0);
    let end = match (&module.content, &module.semi) {
        (Some((brace, _)), _) => brace.span.close().byte_range().end,
        (None, Some(semi)) => semi.span.byte_range().end,
        (None, None) => module.span().byte_range().end,
    };
    start..end
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(source: &str) -> Vec<(String, bool)> {
        tests_in(&syn::parse_file(source).unwrap())
            .into_iter()
            .map(|t| (t.name, t.ignored))
            .collect()
    }

    #[test]
    fn finds_tests_with_their_module_path_and_ignore_marks() {
        let source = r#"
fn main() {}
#[cfg(test)]
mod tests {
    #[test]
    fn plain() {}
    #[test]
    #[ignore = "slow"]
    fn slow() {}
    #[tokio::test]
    async fn on_tokio() {}
    fn helper() {}
    mod nested {
        #[test]
        fn deep() {}
    }
}
"#;
        assert_eq!(
            names(source),
            vec![
                ("tests::plain".to_owned(), false),
                ("tests::slow".to_owned(), true),
                ("tests::on_tokio".to_owned(), false),
                ("tests::nested::deep".to_owned(), false),
            ]
        );
    }

    #[test]
    fn a_test_at_the_crate_root_has_no_module_prefix() {
        assert_eq!(
            names("#[test]\nfn alone() {}\n"),
            vec![("alone".to_owned(), false)]
        );
    }

    const ORIGINAL: &str = "fn add(a: u32, b: u32) -> u32 {
    a + b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adds() {
        assert_eq!(add(2, 3), 5);
    }

    #[test]
    fn adds_zero() {
        assert_eq!(add(0, 3), 3);
    }
}
";

    fn changes(learner: &str) -> Vec<TestChange> {
        compare(
            &syn::parse_file(ORIGINAL).unwrap(),
            &syn::parse_file(learner).unwrap(),
        )
    }

    #[test]
    fn formatting_comments_and_the_code_under_test_are_not_changes() {
        let mine = ORIGINAL.replace("a + b", "b + a // mine").replace(
            "assert_eq!(add(2, 3), 5);",
            "assert_eq!(\n add(2, 3),\n 5\n); // note",
        );
        assert_eq!(changes(&mine), vec![]);
    }

    #[test]
    fn every_way_of_editing_the_tests_into_passing_is_a_change() {
        let cases = [
            (
                ORIGINAL.replace(
                    "    #[test]\n    fn adds_zero() {\n        assert_eq!(add(0, 3), 3);\n    }\n",
                    "",
                ),
                vec![TestChange::Removed("adds_zero".into())],
            ),
            (
                ORIGINAL.replace("assert_eq!(add(2, 3), 5)", "assert!(add(2, 3) > 0)"),
                vec![TestChange::Changed("adds".into())],
            ),
            (
                ORIGINAL.replace(
                    "#[test]\n    fn adds()",
                    "#[test]\n    #[ignore]\n    fn adds()",
                ),
                vec![TestChange::Changed("adds".into())],
            ),
            (
                ORIGINAL.replace(
                    "#[test]\n    fn adds()",
                    "#[test]\n    #[should_panic]\n    fn adds()",
                ),
                vec![TestChange::Changed("adds".into())],
            ),
            (
                ORIGINAL.replace("#[cfg(test)]", "#[cfg(any())]"),
                vec![TestChange::ModuleAttributes],
            ),
            (
                ORIGINAL.replace("mod tests", "mod my_tests"),
                vec![TestChange::ModuleMissing],
            ),
            (
                format!(
                    "{}#[cfg(test)]\nmod tests {{}}\n",
                    &ORIGINAL[..ORIGINAL.find("#[cfg(test)]").unwrap()]
                ),
                vec![
                    TestChange::Removed("adds".into()),
                    TestChange::Removed("adds_zero".into()),
                    TestChange::OtherItems,
                ],
            ),
            (
                ORIGINAL.replace(
                    "    #[test]\n    fn adds()",
                    "    #[test]\n    fn mine() {}\n\n    #[test]\n    fn adds()",
                ),
                vec![TestChange::Added("mine".into())],
            ),
            (
                format!("macro_rules! assert_eq {{ ($($t:tt)*) => {{}}; }}\n{ORIGINAL}"),
                vec![TestChange::MacroShadowed("assert_eq".into())],
            ),
            (
                format!("use std::assert_ne as assert_eq;\n{ORIGINAL}"),
                vec![TestChange::MacroShadowed("assert_eq".into())],
            ),
            (
                format!(
                    "mod sneaky {{\n    macro_rules! assert_eq {{ ($($t:tt)*) => {{}}; }}\n    pub(crate) use assert_eq;\n}}\nuse sneaky::assert_eq;\n{ORIGINAL}"
                ),
                vec![TestChange::MacroShadowed("assert_eq".into())],
            ),
            (
                format!("use crate::{{assert_eq}};\n{ORIGINAL}"),
                vec![TestChange::MacroShadowed("assert_eq".into())],
            ),
            // A crate's macro under its own name is the macro the tests mean.
            (format!("use std::assert_eq;\n{ORIGINAL}"), vec![]),
        ];
        for (learner, expected) in cases {
            assert_eq!(changes(&learner), expected, "{learner}");
        }
    }

    #[test]
    fn an_original_without_tests_has_nothing_to_keep() {
        let original = syn::parse_file("fn main() {}").unwrap();
        let learner = syn::parse_file("fn main() {}\n#[cfg(test)]\nmod tests {}\n").unwrap();
        assert_eq!(compare(&original, &learner), vec![]);
    }

    #[test]
    fn restoring_puts_the_original_module_back_and_keeps_the_rest() {
        let mine = ORIGINAL
            .replace("a + b", "a.wrapping_add(b) // my solution")
            .replace("#[cfg(test)]\nmod tests", "#[cfg(any())]\nmod tests")
            .replace("assert_eq!(add(0, 3), 3);", "");
        let restored = restore_tests(&mine, ORIGINAL).unwrap();
        assert_eq!(
            restored,
            ORIGINAL.replace("a + b", "a.wrapping_add(b) // my solution")
        );
        assert_eq!(changes(&restored), vec![]);
    }

    #[test]
    fn restoring_appends_a_module_that_is_gone() {
        let code = &ORIGINAL[..ORIGINAL.find("#[cfg(test)]").unwrap()];
        let restored = restore_tests(code.trim_end(), ORIGINAL).unwrap();
        assert_eq!(restored, ORIGINAL);
        assert!(matches!(
            restore_tests("fn main( {", ORIGINAL),
            Err(RestoreError::Unparsable(_))
        ));
    }
}
