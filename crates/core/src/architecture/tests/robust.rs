//! The checks run on learners' half-written code: whatever file parses,
//! every kind of rule evaluates without panicking, recursion included.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;

use super::*;

/// One of every kind, naming items the fragments below declare.
const RULES: [&str; 9] = [
    "kind = \"forbid_calls\"\nin = [\"handler\", \"impl App\", \"*\"]\ncalls = [\"Db::*\", \"*.query\", \"println!\", \"Db::rows\"]\nstop_at = \"Service::run\"\nmessage = \"m\"",
    "kind = \"require_calls\"\nin = [\"handler\", \"mod inner\"]\ncalls = [\"Service::run\", \"Repo::save\"]\nmessage = \"m\"",
    "kind = \"forbid_types\"\nin = [\"handler\", \"App\", \"impl Repo for Db\"]\ntypes = [\"Db\", \"serde::*\"]\nmessage = \"m\"",
    "kind = \"require_impl\"\ntype = \"Db\"\ntrait = \"Repo\"\nmessage = \"m\"",
    "kind = \"depend_on_trait\"\nin = \"App\"\nfield = \"db\"\nmessage = \"m\"",
    "kind = \"require_calls_after\"\nin = [\"handler\", \"App::go\"]\ncalls = \"*.invalidate\"\nafter = [\"Repo::save\", \"*.query\"]\nmessage = \"m\"",
    "kind = \"require_calls_before\"\nin = \"handler\"\ncalls = \"*.get\"\nbefore = \"*.query\"\nmessage = \"m\"",
    "kind = \"require_literal_args\"\nin = [\"handler\", \"impl App\"]\ncalls = [\"Db::query\", \"*.execute\"]\narg = 1\nmessage = \"m\"",
    "kind = \"require_literal_args\"\nin = \"*\"\ncalls = \"helper\"\narg = 2\nmessage = \"m\"",
];

/// Pieces of Rust a file is put together from; `X`, `Y` become names.
const FRAGMENTS: [&str; 24] = [
    "struct App { db: Db, inner: Box<dyn Repo> }",
    "struct Db { rows: Vec<u8> }",
    "trait Repo { fn save(&self, x: u8) -> u8 { self.save(x) } }",
    "impl Repo for Db { fn save(&self, x: u8) -> u8 { X(x) } }",
    "impl<T: Repo> Ext for T { fn X(&self) { self.save(1); } }",
    "fn X(x: u8) -> u8 { Y(x) }",
    "fn Y(x: u8) -> u8 { X(x) }",
    "fn handler(app: &App) { app.X(); app.db.query(&format!(\"{}\", 1)); helper(1, \"s\"); }",
    "fn helper(n: u8, sql: &str) { Db::query(sql); helper(n, sql) }",
    "impl App { fn X(&self) { self.Y(); self.db.rows.len(); } fn Y(&self) { self.X() } }",
    "impl App { fn go(&self) -> Result<(), E> { self.inner.save(1)?; if true { return Ok(()) } self.invalidate(); Ok(()) } }",
    "macro_rules! X { ($a:expr) => { $a.query(); X!($a) }; ($($t:tt)*) => { $($t)* }; }",
    "fn Y() { X!(db); X!(1, 2, 3); X!(); }",
    "macro_rules! Y { ($($x:ident),+ $(,)?) => { $( $x.query(); )+ }; }",
    "fn Z(db: Db) { Y!(db, db,); let f = |d: Db| d.execute(format!(\"{}\", 1)); f(db); }",
    "#[derive(serde::Serialize, Debug)] struct Z;",
    "mod inner { use super::*; pub fn X() { super::Y(); <Db as Repo>::save(&Db { rows: vec![] }, 1); } }",
    "fn W() { let s = String::new(); let t = s + \"x\"; Db::query(&t); R::save(&t); <dyn Repo>::save; }",
    "impl<R: Repo> Service<R> { fn run(&self) { match 1 { 1 if true => {} _ => loop { break } } } }",
    "struct Service<R> { repo: R }",
    "fn V<T: Repo>(t: &T) { T::save(t, 1); while let Some(x) = None::<u8> { t.save(x); } }",
    "async fn U(app: App) { let x = async { app.db.query() }.await; }",
    "impl Db { const SQL: &'static str = \"q\"; fn query(&self, s: &str) { self.execute(Self::SQL) } }",
    "fn T() -> Result<(), E> { let Some(x) = None::<u8> else { panic!() }; X(x)?; Ok(()) }",
];

fn file() -> impl Strategy<Value = String> {
    let names = prop::sample::select(vec!["a", "b", "query", "save", "handler", "X"]);
    (
        prop::collection::vec(prop::sample::select(FRAGMENTS.to_vec()), 1..10),
        names.clone(),
        names,
    )
        .prop_map(|(parts, x, y)| parts.join("\n").replace('X', x).replace('Y', y))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_file_that_parses_is_evaluated_without_panicking(source in file()) {
        if let Ok(file) = syn::parse_file(&source) {
            let checks: Vec<Check> = RULES.iter().map(|r| check(r)).collect();
            let outcomes = evaluate(&checks, &file);
            prop_assert_eq!(outcomes.len(), RULES.len());
            for check in &checks {
                let _ = check.missing_targets(&file);
            }
        }
    }
}
