//! The `macro_rules!` expander on its own: which rule fits, repetitions,
//! and invocations no rule fits.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proc_macro2::TokenStream;

use super::super::macros::{UNBOUND, expand};

fn definition(text: &str) -> syn::ItemMacro {
    syn::parse_str(text).unwrap()
}

fn expanded(def: &str, input: &str) -> Vec<String> {
    let input: TokenStream = input.parse().unwrap();
    expand(&definition(def), &input)
        .into_iter()
        .map(|t| t.to_string())
        .collect()
}

#[test]
fn a_rule_binds_its_metavariables_and_the_first_fitting_rule_wins() {
    let def = "macro_rules! rows { ($app:expr, $team:expr) => { $app.db.rows($team) }; ($app:expr) => { $app.db.all() }; }";
    assert_eq!(expanded(def, "app, 7"), ["app . db . rows (7)"]);
    assert_eq!(expanded(def, "state.app"), ["state . app . db . all ()"]);
}

#[test]
fn repetitions_expand_once_per_value() {
    let def = "macro_rules! log { ($($arg:expr),*) => { $(eprintln!(\"{}\", $arg);)* }; }";
    assert_eq!(
        expanded(def, "a, b.c"),
        ["eprintln ! (\"{}\" , a) ; eprintln ! (\"{}\" , b . c) ;"]
    );
}

#[test]
fn an_invocation_no_rule_fits_still_shows_every_body() {
    let def =
        "macro_rules! m { (one $x:ident) => { $x.query() }; () => { std::fs::read(\"a\") }; }";
    assert_eq!(
        expanded(def, "two three"),
        [
            format!("{UNBOUND} . query ()"),
            "std :: fs :: read (\"a\")".to_string()
        ]
    );
}

#[test]
fn nonsense_never_panics() {
    for def in [
        "macro_rules! m { }",
        "macro_rules! m { ($) => { $ }; }",
        "macro_rules! m { ($($x:tt)*) => { $($x)* $($y)* }; }",
    ] {
        for input in ["", "$", "a b c", "(,,,)", "1, 2,"] {
            let _ = expanded(def, input);
        }
    }
}
