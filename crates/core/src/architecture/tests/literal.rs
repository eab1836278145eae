//! `require_literal_args`: SQL text is a literal or a constant, wherever the
//! call is and however the helpers pass it along.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;

const SQL_IS_FIXED: &str = r#"
kind = "require_literal_args"
in = "impl SqliteUsers"
calls = ["Connection::execute", "Connection::query_row"]
message = "Bind values as parameters."
"#;

fn repo(body: &str) -> String {
    format!(
        r#"use rusqlite::{{Connection, params}};
const INSERT: &str = "INSERT INTO users (email) VALUES (?1)";
struct SqliteUsers {{ conn: Connection }}
impl SqliteUsers {{
{body}
}}
"#
    )
}

#[test]
fn literals_constants_and_helpers_fed_with_them_pass() {
    for body in [
        "    fn insert(&self, email: &str) { self.conn.execute(\"INSERT INTO users (email) VALUES (?1)\", params![email]); }",
        "    fn insert(&self, email: &str) { self.conn.execute(INSERT, params![email]); }",
        "    fn insert(&self, email: &str) { let sql = INSERT; Connection::execute(&self.conn, sql, params![email]); }",
        "    const FIND: &'static str = \"SELECT id FROM users WHERE email = ?1\";\n    fn find(&self, email: &str) { self.conn.query_row(Self::FIND, params![email], |r| r.get(0)); }",
        // A helper that takes the SQL is fine when its callers pass fixed text.
        "    fn run(&self, sql: &str, email: &str) { self.conn.execute(sql, params![email]); }\n    fn insert(&self, email: &str) { self.run(INSERT, email); }\n    fn touch(&self, email: &str) { self.run(concat!(\"UPDATE users \", \"SET seen = 1 WHERE email = ?1\"), email); }",
    ] {
        assert_eq!(
            run(SQL_IS_FIXED, &repo(body)),
            Vec::<String>::new(),
            "{body}"
        );
    }
}

#[test]
fn sql_built_from_values_fails_where_it_is_built() {
    let format = "    fn insert(&self, email: &str) { self.conn.execute(&format!(\"INSERT INTO users VALUES ('{email}')\"), []); }";
    assert_eq!(
        run(SQL_IS_FIXED, &repo(format)),
        ["5:55 argument 1 of rusqlite::Connection::execute is built at run time: format!(..)"]
    );
    let plus = "    fn insert(&self, email: &str) {\n        let sql = \"INSERT INTO users VALUES ('\".to_owned() + email + \"')\";\n        self.conn.execute(&sql, []);\n    }";
    assert_eq!(
        run(SQL_IS_FIXED, &repo(plus)),
        [
            "7:27 argument 1 of rusqlite::Connection::execute is built at run time: sql, from \"INSERT INT..\".to_owned(..) + .."
        ]
    );
    let concat = "    fn insert(&self, email: &str) { self.conn.execute(&[\"INSERT INTO users VALUES ('\", email, \"')\"].concat(), []); }";
    assert_eq!(
        run(SQL_IS_FIXED, &repo(concat)),
        ["5:55 argument 1 of rusqlite::Connection::execute is built at run time: [..].concat(..)"]
    );
    let written = "    fn insert(&self, email: &str) {\n        let mut sql = String::new();\n        write!(sql, \"INSERT INTO users VALUES ('{email}')\").ok();\n        self.conn.execute(&sql, []);\n    }";
    assert_eq!(
        run(SQL_IS_FIXED, &repo(written)),
        [
            "8:27 argument 1 of rusqlite::Connection::execute is built at run time: sql, a `mut` variable"
        ]
    );
}

#[test]
fn a_helper_fed_with_built_sql_fails_at_the_caller_that_builds_it() {
    let body = "    fn run(&self, sql: &str) { self.conn.execute(sql, []); }\n    fn insert(&self, email: &str) { self.run(&format!(\"INSERT INTO users VALUES ('{email}')\")); }";
    assert_eq!(
        run(SQL_IS_FIXED, &repo(body)),
        [
            "6:46 argument 1 of rusqlite::Connection::execute, passed as sql to SqliteUsers::run, is built at run time: format!(..)"
        ]
    );
    // A free helper outside the target is reached; the violation is where
    // the target builds the text.
    let source = format!(
        "{}fn exec(conn: &Connection, sql: String) {{ conn.execute(&sql, []); }}\n",
        repo(
            "    fn insert(&self, email: &str) { exec(&self.conn, format!(\"INSERT '{email}'\")); }"
        )
    );
    assert_eq!(
        run(SQL_IS_FIXED, &source),
        [
            "5:54 argument 1 of rusqlite::Connection::execute, passed as sql to exec, is built at run time: format!(..)"
        ]
    );
}

#[test]
fn the_arg_position_skips_the_receiver() {
    let rule = SQL_IS_FIXED.replace("message", "arg = 2\nmessage");
    let body =
        "    fn insert(&self, email: &str) { self.conn.execute(INSERT, email.to_string()); }";
    assert_eq!(
        run(&rule, &repo(body)),
        [
            "5:63 argument 2 of rusqlite::Connection::execute is parameter email of SqliteUsers::insert; pass a literal or a constant"
        ]
    );
}
