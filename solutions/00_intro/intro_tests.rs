//! # Exercises checked by tests (solution)

/// Returns the form of `raw` used to store and look up an account, or `None`
/// if `raw` is not an email address.
fn normalize_email(raw: &str) -> Option<String> {
    let trimmed = raw.trim();
    // `split_once` checks the shape and hands us both halves in one step. This
    // is a sanity check, not full address validation: only a confirmation mail
    // proves an address works, so the rule stays deliberately loose.
    let (local, domain) = trimmed.split_once('@')?;
    if local.is_empty() || domain.is_empty() {
        return None;
    }
    // Lowercase last, on the whole address, so the stored form and the lookup
    // form come out of the same function and cannot drift apart.
    Some(trimmed.to_lowercase())
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
