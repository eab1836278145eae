//! Finding `todo!()` and `unimplemented!()` left in an exercise.
//!
//! An exercise is not done while one of these is left, even if no test reaches it.
//! The file is read as a syntax tree (syn), so a `todo!` in a comment or a string
//! does not count, and macros nested in other macros' arguments (`vec![todo!()]`)
//! are found by walking their token streams. So are the other spellings of the
//! same macros: a raw identifier (`r#todo!()`) and a renamed import
//! (`use std::todo as later; later!()`).

use proc_macro2::{TokenStream, TokenTree};
use syn::ext::IdentExt;
use syn::visit::Visit;

/// Where a placeholder macro was left: 1-based line and column, and which macro.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Placeholder {
    pub line: usize,
    pub column: usize,
    pub macro_name: String,
}

const PLACEHOLDERS: &[&str] = &["todo", "unimplemented"];

/// Every placeholder macro in `file`.
pub fn placeholders(file: &syn::File) -> Vec<Placeholder> {
    let mut aliases = Aliases::default();
    aliases.visit_file(file);
    let mut finder = Finder {
        names: PLACEHOLDERS
            .iter()
            .map(|name| (*name).to_owned())
            .chain(aliases.0)
            .collect(),
        found: Vec::new(),
    };
    finder.visit_file(file);
    finder.found.sort_by_key(|p| (p.line, p.column));
    finder.found.dedup();
    finder.found
}

/// Parses `source` and finds its placeholders; `None` when it does not parse (the
/// compiler will say why).
pub fn placeholders_in(source: &str) -> Option<Vec<Placeholder>> {
    syn::parse_file(source).ok().map(|file| placeholders(&file))
}

/// Names the file imports a placeholder macro under: `use std::todo as later;`.
#[derive(Default)]
struct Aliases(Vec<String>);

impl<'ast> Visit<'ast> for Aliases {
    fn visit_use_rename(&mut self, rename: &'ast syn::UseRename) {
        if PLACEHOLDERS.contains(&rename.ident.unraw().to_string().as_str()) {
            self.0.push(rename.rename.unraw().to_string());
        }
    }
}

struct Finder {
    /// `todo`, `unimplemented` and the aliases the file gives them.
    names: Vec<String>,
    found: Vec<Placeholder>,
}

impl Finder {
    /// Notes `ident` when it names a placeholder macro (`ident!` was seen).
    fn note(&mut self, ident: &proc_macro2::Ident) {
        let name = ident.unraw().to_string();
        if self.names.contains(&name) {
            let start = ident.span().start();
            self.found.push(Placeholder {
                line: start.line,
                column: start.column + 1,
                macro_name: name,
            });
        }
    }

    /// Looks for `todo !` (and the aliases) inside a macro's unparsed arguments.
    fn scan_tokens(&mut self, tokens: TokenStream) {
        let mut previous: Option<proc_macro2::Ident> = None;
        for tree in tokens {
            match tree {
                TokenTree::Punct(punct) if punct.as_char() == '!' => {
                    if let Some(ident) = previous.take() {
                        self.note(&ident);
                    }
                }
                TokenTree::Ident(ident) => previous = Some(ident),
                TokenTree::Group(group) => {
                    previous = None;
                    self.scan_tokens(group.stream());
                }
                _ => previous = None,
            }
        }
    }
}

impl<'ast> Visit<'ast> for Finder {
    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        if let Some(last) = mac.path.segments.last() {
            self.note(&last.ident);
        }
        self.scan_tokens(mac.tokens.clone());
        syn::visit::visit_macro(self, mac);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(source: &str) -> Vec<(usize, usize, String)> {
        placeholders_in(source)
            .unwrap()
            .into_iter()
            .map(|p| (p.line, p.column, p.macro_name))
            .collect()
    }

    #[test]
    fn finds_todo_and_unimplemented_in_code() {
        let source = "fn a() -> u8 {\n    todo!()\n}\nfn b() { unimplemented!(\"later\") }\nfn c() { std::todo!() }\n";
        assert_eq!(
            lines(source),
            vec![
                (2, 5, "todo".to_owned()),
                (4, 10, "unimplemented".to_owned()),
                (5, 15, "todo".to_owned())
            ]
        );
    }

    #[test]
    fn ignores_comments_and_strings() {
        let source = "// todo!() later\nfn a() -> &'static str { \"todo!()\" }\n/// unimplemented!()\nfn b() {}\n";
        assert!(lines(source).is_empty());
    }

    #[test]
    fn finds_placeholders_nested_in_other_macros() {
        let source = "fn a() -> Vec<u8> { vec![1, todo!()] }\nfn b() { println!(\"{}\", format!(\"{:?}\", unimplemented!())); }\n";
        assert_eq!(
            lines(source),
            vec![
                (1, 29, "todo".to_owned()),
                (2, 41, "unimplemented".to_owned())
            ]
        );
    }

    #[test]
    fn finds_placeholders_under_other_names() {
        let source = "use std::todo as later;\nuse core::unimplemented as r#soon;\nfn a() -> u8 { later!() }\nfn b() -> u8 { r#todo!() }\nfn c() -> u8 { soon!() }\nmacro_rules! wrapped { () => { todo!() }; }\n";
        assert_eq!(
            lines(source),
            vec![
                (3, 16, "later".to_owned()),
                (4, 16, "todo".to_owned()),
                (5, 16, "soon".to_owned()),
                (6, 32, "todo".to_owned()),
            ]
        );
    }

    #[test]
    fn an_unparsable_file_is_left_to_the_compiler() {
        assert_eq!(placeholders_in("fn a( {"), None);
    }
}
