//! The tests are the contract: an exercise's tests as its source declares them.
//!
//! A verdict never trusts what a test binary says about itself alone. The names of
//! the tests, and which of them are `#[ignore]`d, are read here from the syntax tree
//! (syn), so that a test that never reported (the binary exited early) is missed
//! rather than forgotten.
//!
//! This module reads syntax trees and returns values; it never runs anything.

use syn::visit::Visit;

/// One test function as the source declares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceTest {
    /// The path libtest gives it, e.g. `tests::finds_a_saved_user`.
    pub name: String,
    /// Marked `#[ignore]`: the harness skips it unless asked.
    pub ignored: bool,
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
        let is_test = function.attrs.iter().any(|attr| {
            attr.path()
                .segments
                .last()
                .is_some_and(|segment| segment.ident == "test")
        });
        if is_test {
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
}
