//! The kinds of rule an instructor can write, and the fields each one takes.
//!
//! `Kind` is an exhaustive enum: a kind added to the list without its own
//! branch in `spec` does not compile, so it can never parse as another kind.
//! The order of `Kind::ALL` and of each kind's fields is the order the docs
//! and the error messages list them in.

/// A rule kind, as named by `kind = "..."` in info.toml.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    ForbidCalls,
    RequireCalls,
    ForbidTypes,
    RequireImpl,
    DependOnTrait,
    RequireCallsAfter,
    RequireCallsBefore,
    RequireLiteralArgs,
}

impl Kind {
    pub(crate) const ALL: [Kind; 8] = [
        Kind::ForbidCalls,
        Kind::RequireCalls,
        Kind::ForbidTypes,
        Kind::RequireImpl,
        Kind::DependOnTrait,
        Kind::RequireCallsAfter,
        Kind::RequireCallsBefore,
        Kind::RequireLiteralArgs,
    ];

    /// The name written in info.toml.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::ForbidCalls => "forbid_calls",
            Kind::RequireCalls => "require_calls",
            Kind::ForbidTypes => "forbid_types",
            Kind::RequireImpl => "require_impl",
            Kind::DependOnTrait => "depend_on_trait",
            Kind::RequireCallsAfter => "require_calls_after",
            Kind::RequireCallsBefore => "require_calls_before",
            Kind::RequireLiteralArgs => "require_literal_args",
        }
    }

    /// The fields the kind takes besides `kind`.
    pub(crate) fn fields(self) -> &'static [&'static str] {
        match self {
            Kind::ForbidCalls => &["in", "calls", "stop_at", "message"],
            Kind::RequireCalls => &["in", "calls", "message"],
            Kind::ForbidTypes => &["in", "types", "stop_at", "message"],
            Kind::RequireImpl => &["type", "trait", "message"],
            Kind::DependOnTrait => &["in", "field", "param", "trait", "message"],
            Kind::RequireCallsAfter => &["in", "calls", "after", "message"],
            Kind::RequireCallsBefore => &["in", "calls", "before", "message"],
            Kind::RequireLiteralArgs => &["in", "calls", "arg", "message"],
        }
    }

    pub(crate) fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|kind| kind.name() == name)
    }

    /// Every kind's name, for "use one of ..." messages.
    pub(crate) fn names() -> String {
        Kind::ALL.map(Kind::name).join(", ")
    }

    /// Every field some kind takes, sorted and without repeats.
    pub(crate) fn all_fields() -> Vec<&'static str> {
        let mut fields: Vec<&str> = Kind::ALL
            .iter()
            .flat_map(|kind| kind.fields().iter().copied())
            .collect();
        fields.sort_unstable();
        fields.dedup();
        fields
    }
}

#[cfg(test)]
mod tests {
    use super::Kind;

    #[test]
    fn every_kind_round_trips_through_its_name_and_takes_a_message() {
        for kind in Kind::ALL {
            assert_eq!(Kind::from_name(kind.name()), Some(kind));
            assert!(kind.fields().contains(&"message"), "{kind:?}");
        }
        assert_eq!(Kind::from_name("forbid_cals"), None);
    }
}
