//! # Exercises checked by tests
//!
//! Most exercises are checked by tests: small functions at the bottom of the
//! file, in `mod tests`, that call your code and assert what it must do. The
//! verdict lists every test with `ok` or `FAILED`, so you see a checklist of
//! what works and what does not yet. A failing `assert_eq!` shows `left` (what
//! your code returned) and `right` (what the test expected). The exercise is
//! done when all tests pass. Read the tests: they are the precise statement of
//! the task.
//!
//! Hints come in levels. Each `patterns hint` reveals one more, from a nudge to
//! nearly the code; `patterns hint --level 1` shows a given level again. Try
//! the first one before reading further: a nudge is often all you need.
//!
//! ## The problem
//!
//! A user signs up as `Ada@Example.com ` (with a stray space from a paste) and
//! later tries to log in as `ada@example.com`. If the service compares the raw
//! strings, she is told her account does not exist. So every email address is
//! normalised once, at the edge, before it is stored or looked up.
//!
//! ## Your task
//!
//! Finish `normalize_email`. Two of the four tests already pass: the function
//! trims whitespace. It must also lowercase the address, and return `None` for
//! input that is not an address at all: no `@`, or nothing before or after it.
//!
//! (Strictly, the part before `@` may be case-sensitive, but no mainstream mail
//! provider treats it so, and users do not expect it either.)

/// Returns the form of `raw` used to store and look up an account, or `None`
/// if `raw` is not an email address.
fn normalize_email(raw: &str) -> Option<String> {
    let trimmed = raw.trim();
    // TODO: return `None` unless `trimmed` has text on both sides of an `@`.
    // TODO: lowercase the address.
    Some(trimmed.to_string())
}

fn main() {
    // Exercises checked by tests need no `main`. It is here only so the file
    // builds as a program; you can use it to experiment.
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_an_address_that_is_already_normal() {
        assert_eq!(
            normalize_email("ada@example.com"),
            Some("ada@example.com".to_string())
        );
    }

    #[test]
    fn ignores_surrounding_whitespace() {
        assert_eq!(
            normalize_email("  ada@example.com\n"),
            Some("ada@example.com".to_string())
        );
    }

    #[test]
    fn lowercases_so_any_spelling_finds_the_same_account() {
        assert_eq!(
            normalize_email("Ada.Lovelace@Example.COM"),
            Some("ada.lovelace@example.com".to_string())
        );
    }

    #[test]
    fn rejects_input_that_is_not_an_address() {
        for raw in ["", "   ", "ada.example.com", "@example.com", "ada@", " @ "] {
            assert_eq!(normalize_email(raw), None, "input: {raw:?}");
        }
    }
}
