//! # Welcome: how this workbook works
//!
//! Each exercise is one small Rust file about one backend pattern. You fix it
//! until the workbook accepts it, then move on. The loop:
//!
//! 1. Read the header (this comment): the pattern, the problem it solves, your task.
//! 2. Edit the places marked `// TODO` and save. `patterns watch` re-checks the
//!    file on every save and shows the verdict: the compiler error, the failing
//!    test, or your program's output.
//! 3. Stuck? Ask `patterns hint` (watch mode has a key for it too). Hints come
//!    in levels: a nudge first, then the approach, then nearly the code.
//! 4. An exercise is done when it builds, its checks pass, and no `todo!()` is
//!    left in the file. `todo!()` compiles but panics when it runs; it marks code
//!    that is not written yet.
//!
//! This first exercise has no tests. It passes when `main` runs and exits
//! successfully; a panic (a failed `assert_eq!`, a `todo!()`) makes it fail.
//!
//! ## Your task
//!
//! `main` prints a list of accounts and a one-line summary such as an admin
//! dashboard would show: `3 users, 1 active`. Two things stand in the way:
//!
//! 1. The file does not compile. The compiler will tell you that a field is
//!    missing where Linus's account is created. Linus signed up but has not
//!    confirmed his email yet, so his account is not active.
//! 2. Once it compiles, the program panics with "not yet implemented":
//!    `summarize` is a `todo!()`. Write it.

struct User {
    email: &'static str,
    /// An account becomes active once its owner confirms their email address.
    active: bool,
}

fn summarize(users: &[User]) -> String {
    // TODO: count all users and the active ones, and return the summary in the
    // form "3 users, 1 active".
    todo!()
}

fn main() {
    let users = [
        User {
            email: "ada@example.com",
            active: true,
        },
        User {
            email: "grace@example.com",
            active: false,
        },
        // TODO: the compiler reports a missing field here. Add it.
        User {
            email: "linus@example.com",
        },
    ];

    for user in &users {
        let status = if user.active { "active" } else { "pending" };
        println!("{:<20} {status}", user.email);
    }

    let summary = summarize(&users);
    println!("{summary}");

    // This line is the check: if the summary is wrong, `assert_eq!` panics, the
    // program exits with an error, and the verdict shows both values.
    assert_eq!(summary, "3 users, 1 active");
}
