//! Property tests of what patterns reads from outside: `info.toml`, the progress
//! file and a test binary's output. Whatever the input, nothing panics, and every
//! rejection is a message that says where and what.
//!
//! Each property runs `CASES` generated inputs (set `PROPTEST_CASES` to run more).

// Test helpers may unwrap: a failure there is a failing test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use patterns_core::catalog::Catalog;
use patterns_core::libtest::{self, Results, TestStatus};
use patterns_core::progress::Store;
use proptest::prelude::*;

const CASES: u32 = 2000;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(CASES),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// A TOML value of any of the types a key could be given.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        any::<bool>().prop_map(|b| b.to_string()),
        "[a-zA-Z0-9_ ./-]{0,12}".prop_map(|s| format!("{s:?}")),
        Just("\"\"".to_owned()),
        Just("[]".to_owned()),
        prop::collection::vec("[a-z ]{0,8}", 0..4).prop_map(|v| format!("{v:?}")),
        Just("{ a = 1 }".to_owned()),
        Just("1.5".to_owned()),
    ]
}

/// A value of the type `key` wants (mostly) or of any other type, so that
/// documents get past parsing into validation as often as not.
fn value_for(key: &str) -> BoxedStrategy<String> {
    let string = |pattern: &'static str| pattern.prop_map(|s: String| format!("{s:?}")).boxed();
    let right: BoxedStrategy<String> = match key {
        "format_version" => prop_oneof![Just(1i64), any::<i64>()]
            .prop_map(|n| n.to_string())
            .boxed(),
        "timeout_secs" => prop_oneof![-2i64..700, any::<i64>()]
            .prop_map(|n| n.to_string())
            .boxed(),
        "test" | "strict_clippy" | "skip_check_unsolved" => {
            any::<bool>().prop_map(|b| b.to_string()).boxed()
        }
        "name" => string("[a-z_]{1,8}|[A-Za-z0-9_ -]{0,40}|übung1"),
        "dir" => string("[a-z0-9_]{1,8}|\\.\\./x|a/b|"),
        "hints" | "calls" | "types" => prop::collection::vec("[a-zA-Z_:*.]{0,10}", 0..4)
            .prop_map(|v| format!("{v:?}"))
            .boxed(),
        "kind" => prop::sample::select(vec![
            "forbid_calls",
            "require_calls",
            "forbid_types",
            "require_impl",
            "depend_on_trait",
            "forbid_cals",
        ])
        .prop_map(|k| format!("{k:?}"))
        .boxed(),
        "in" | "type" | "trait" => string("[a-zA-Z_:*]{0,16}"),
        _ => string("[a-zA-Z0-9 ._-]{0,20}"),
    };
    prop_oneof![16 => right, 1 => value()].boxed()
}

/// A key: one info.toml knows (mostly), or anything; and a value for it.
fn pair(known: &'static [&'static str]) -> impl Strategy<Value = (String, String)> {
    prop_oneof![
        6 => prop::sample::select(known).prop_map(str::to_owned),
        1 => "[a-z_]{1,10}",
    ]
    .prop_flat_map(|key| {
        let value = value_for(&key);
        (Just(key), value)
    })
}

const TOP: &[&str] = &["format_version", "welcome_message", "final_message"];
const EXERCISE: &[&str] = &[
    "name",
    "dir",
    "test",
    "strict_clippy",
    "hint",
    "hints",
    "skip_check_unsolved",
    "timeout_secs",
];
const CHECK: &[&str] = &["kind", "in", "calls", "types", "message", "type", "trait"];

/// An info.toml-shaped document: top-level keys, exercises, checks, any values.
fn info_toml() -> impl Strategy<Value = String> {
    // The fields every document needs come first (mostly), so that most get
    // past parsing into validation; the rest are any mix.
    let with = |first: &'static str, known| {
        (
            prop::option::weighted(
                0.9,
                value_for(first).prop_map(move |v| (first.to_owned(), v)),
            ),
            prop::collection::vec(pair(known), 0..7),
        )
            .prop_map(|(first, mut rest)| {
                rest.splice(0..0, first);
                rest
            })
    };
    (
        with("format_version", TOP),
        prop::collection::vec(
            (
                with("name", EXERCISE),
                prop::collection::vec(with("kind", CHECK), 0..2),
            ),
            0..4,
        ),
    )
        .prop_map(|(top, exercises)| {
            let mut text = String::new();
            let mut seen = std::collections::HashSet::new();
            for (k, v) in top {
                if seen.insert(k.clone()) {
                    text.push_str(&format!("{k} = {v}\n"));
                }
            }
            for (fields, checks) in exercises {
                text.push_str("\n[[exercises]]\n");
                let mut seen = std::collections::HashSet::new();
                for (k, v) in fields {
                    if seen.insert(k.clone()) {
                        text.push_str(&format!("{k} = {v}\n"));
                    }
                }
                for check in checks {
                    text.push_str("[[exercises.checks]]\n");
                    let mut seen = std::collections::HashSet::new();
                    for (k, v) in check {
                        if seen.insert(k.clone()) {
                            text.push_str(&format!("{k} = {v}\n"));
                        }
                    }
                }
            }
            text
        })
}

fn assert_rejection_is_a_message(text: &str) {
    if let Err(error) = Catalog::from_toml(text, None) {
        assert!(!error.problems.is_empty(), "a rejection without a problem");
        let lines = text.lines().count().max(1);
        for problem in &error.problems {
            assert!(
                problem.line >= 1 && problem.line <= lines + 1 && problem.column >= 1,
                "{problem} is not a place in the file"
            );
            assert!(
                problem.message.len() > 10,
                "{problem}: says too little to act on"
            );
            assert!(problem.to_string().starts_with("info.toml:"), "{problem}");
        }
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_text_as_info_toml_is_read_or_rejected_with_messages(text in any::<String>()) {
        assert_rejection_is_a_message(&text);
    }

    #[test]
    fn any_info_toml_shaped_document_is_read_or_rejected_with_messages(text in info_toml()) {
        assert_rejection_is_a_message(&text);
    }

    #[test]
    fn any_progress_file_loads_or_is_kept_aside_with_a_warning(
        bytes in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..200),
            (any::<u32>(), any::<i64>(), any::<bool>(), "[a-z_]{0,8}").prop_map(|(v, n, b, s)| {
                format!(
                    "version = {v}\ncurrent = {s:?}\nwelcomed = {b}\n[exercises.{s}x]\ndone = {b}\nattempts = {n}\nhints_revealed = {n}\n"
                )
                .into_bytes()
            }),
        ]
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.toml");
        std::fs::write(&path, &bytes).unwrap();
        let loaded = Store::new(path.clone()).load().unwrap();
        match loaded.warning {
            // Unreadable: kept aside, never lost, and the learner is told where.
            Some(warning) => {
                prop_assert!(!path.exists());
                prop_assert!(warning.contains("could not be read"), "{}", warning);
                let kept: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
                prop_assert_eq!(kept.len(), 1);
                let aside = kept[0].as_ref().unwrap().path();
                prop_assert_eq!(std::fs::read(aside).unwrap(), bytes);
            }
            None => prop_assert!(path.exists()),
        }
    }

    #[test]
    fn any_test_output_gives_an_outcome_for_each_test_and_no_other(
        lines in prop::collection::vec(
            prop_oneof![
                any::<String>(),
                ("[a-c]", prop::sample::select(vec!["ok", "FAILED", "ignored", "bench", ""]))
                    .prop_map(|(n, r)| format!("test tests::{n} ... {r}")),
                Just("failures:".to_owned()),
                "[a-c]".prop_map(|n| format!("---- tests::{n} stdout ----")),
                Just("thread 'x' panicked at a.rs:1:2:".to_owned()),
            ],
            0..30,
        )
    ) {
        let names = vec!["tests::a".to_owned(), "tests::b".to_owned()];
        let stdout = lines.join("\n");
        let mut results = Results::default();
        for line in &lines {
            results.feed(line);
        }
        let outcomes = libtest::outcomes(&names, &results, &stdout);
        prop_assert_eq!(
            outcomes.iter().map(|o| o.name.as_str()).collect::<Vec<_>>(),
            vec!["tests::a", "tests::b"]
        );
        for outcome in &outcomes {
            // Only a failure has a message.
            prop_assert!(outcome.message.is_none() || outcome.status == TestStatus::Failed);
        }
        libtest::parse_list(&stdout);
    }
}
