//! # Welcome: how this workbook works (solution)
//!
//! Linus gets `active: false` because he has not confirmed his email, and
//! `summarize` counts with an iterator filter.

struct User {
    email: &'static str,
    /// An account becomes active once its owner confirms their email address.
    active: bool,
}

fn summarize(users: &[User]) -> String {
    // Counting with `filter` keeps the rule for "active" in one visible place;
    // a dashboard query would carry the same condition in its WHERE clause.
    let active = users.iter().filter(|user| user.active).count();
    format!("{} users, {active} active", users.len())
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
        User {
            email: "linus@example.com",
            active: false,
        },
    ];

    for user in &users {
        let status = if user.active { "active" } else { "pending" };
        println!("{:<20} {status}", user.email);
    }

    let summary = summarize(&users);
    println!("{summary}");

    assert_eq!(summary, "3 users, 1 active");
}
