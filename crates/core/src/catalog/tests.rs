//! The catalog: what info.toml may say, and every problem's message.

use super::*;

fn problems(text: &str) -> Vec<String> {
    match Catalog::from_toml(text, None) {
        Ok(_) => Vec::new(),
        Err(error) => error.problems.iter().map(ToString::to_string).collect(),
    }
}

const GOOD: &str = r#"format_version = 1
welcome_message = "hi"

[[exercises]]
name = "intro1"
dir = "00_intro"
test = false
hint = "Read the comment."

[[exercises]]
name = "repo_trait"
dir = "02_repositories"
hints = ["a nudge", "the approach"]
timeout_secs = 3
strict_clippy = true
"#;

#[test]
fn a_valid_catalog_becomes_exercises_with_defaults() {
    let catalog = Catalog::from_toml(GOOD, None).unwrap();
    assert_eq!(catalog.welcome_message.as_deref(), Some("hi"));
    let [intro, repo] = &catalog.exercises[..] else {
        panic!("two exercises expected");
    };
    assert_eq!(intro.path(), PathBuf::from("exercises/00_intro/intro1.rs"));
    assert_eq!(
        repo.solution_path(),
        PathBuf::from("solutions/02_repositories/repo_trait.rs")
    );
    assert!(!intro.test && repo.test);
    assert_eq!(intro.hints, vec!["Read the comment."]);
    assert_eq!(repo.hints.len(), 2);
    assert_eq!(intro.timeout, DEFAULT_TIMEOUT);
    assert_eq!(repo.timeout, Duration::from_secs(3));
    assert!(repo.strict_clippy && !repo.skip_check_unsolved);
    assert_eq!(repo.solution_target(), "repo_trait_sol");
}

#[test]
fn a_rustlings_v6_set_without_dirs_loads() {
    let text = "format_version = 1\n[[exercises]]\nname = \"intro1\"\nhint = \"h\"\nskip_check_unsolved = true\n";
    let catalog = Catalog::from_toml(text, None).unwrap();
    assert_eq!(
        catalog.exercises[0].path(),
        PathBuf::from("exercises/intro1.rs")
    );
    assert_eq!(catalog.exercises[0].topic(), "exercises");
}

#[test]
fn every_problem_is_reported_at_once_with_its_place() {
    let text = r#"format_version = 1
strict = true

[[exercises]]
name = "Cache-Aside"
dir = "../outside"
hint = ""

[[exercises]]
name = "ok_one"
dir = "a/b"
hints = ["fine", " "]

[[exercises]]
name = "ok_one"
hint = "x"

[[exercises]]
name = "this_name_is_far_too_long_for_a_bin"
hint = "x"
timeout_secs = 0

[[exercises]]
name = "no_hint"
"#;
    assert_eq!(
        problems(text),
        vec![
            "info.toml:5:8: exercise name \"Cache-Aside\" may only use lowercase letters a-z, digits and _; rename it, e.g. \"cache_aside\"",
            "info.toml:6:7: exercise \"Cache-Aside\": dir \"../outside\" must be one plain folder name under exercises/ (letters, digits, _ and -; no /, no ..); e.g. dir = \"02_repositories\"",
            "info.toml:7:8: exercise \"Cache-Aside\" has an empty hint; write one, e.g. hint = \"Start from the failing test's message.\"",
            "info.toml:11:7: exercise \"ok_one\": dir \"a/b\" must be one plain folder name under exercises/ (letters, digits, _ and -; no /, no ..); e.g. dir = \"02_repositories\"",
            "info.toml:12:18: exercise \"ok_one\": hint 2 is empty; write it or remove it",
            "info.toml:15:8: exercise name \"ok_one\" is used twice (first at info.toml:10:8); give each exercise its own name",
            "info.toml:19:8: exercise name \"this_name_is_far_too_long_for_a_bin\" is 35 bytes long; shorten it to at most 32",
            "info.toml:21:16: exercise \"this_name_is_far_too_long_for_a_bin\": timeout_secs = 0 is out of range; use 1 to 600 (default 10)",
            "info.toml:23:1: exercise \"no_hint\" has no hint; add hint = \"...\" or hints = [\"nudge\", \"approach\"]",
        ]
    );
}

#[test]
fn in_a_strict_catalog_unknown_keys_are_errors_with_a_suggestion() {
    let text = "format_version = 1\nstrict = true\nwelcome_mesage = \"x\"\n\n[[exercises]]\nname = \"a\"\nhnit = \"h\"\nhint = \"h\"\nflavour = 1\n";
    assert_eq!(
        problems(text),
        vec![
            "info.toml:3:1: unknown key \"welcome_mesage\" at the top level; did you mean \"welcome_message\"?",
            "info.toml:7:1: unknown key \"hnit\" in [[exercises]]; did you mean \"hint\"?",
            "info.toml:9:1: unknown key \"flavour\" in [[exercises]]; the known keys are name, dir, test, strict_clippy, hint, hints, skip_check_unsolved, timeout_secs, checks",
        ]
    );
}

#[test]
fn a_rustlings_set_may_have_keys_and_names_of_its_own() {
    // Without `strict`, what rustlings accepts loads; it is said, not refused.
    let text = "format_version = 1\nauthors = [\"x\"]\n\n[[exercises]]\nname = \"Übung1\"\ndifficulty = 2\nhint = \"h\"\n[[exercises]]\nname = \"bad name\"\nhint = \"h\"\n";
    assert_eq!(
        problems(text),
        vec![
            "info.toml:9:8: exercise name \"bad name\" may only use lowercase letters a-z, digits and _; rename it, e.g. \"bad_name\""
        ]
    );
    let text = text.replace("\n[[exercises]]\nname = \"bad name\"\nhint = \"h\"\n", "\n");
    let catalog = Catalog::from_toml(&text, None).unwrap();
    assert!(!catalog.strict);
    assert_eq!(catalog.exercises[0].name, "Übung1");
    let warnings: Vec<String> = catalog.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        vec![
            "info.toml:2:1: unknown key \"authors\" at the top level; the known keys are format_version, welcome_message, final_message, strict, exercises, tracks",
            "info.toml:5:8: exercise name \"Übung1\" may only use lowercase letters a-z, digits and _; rename it, e.g. \"ubung1\"",
            "info.toml:6:1: unknown key \"difficulty\" in [[exercises]]; the known keys are name, dir, test, strict_clippy, hint, hints, skip_check_unsolved, timeout_secs, checks",
        ]
    );
}

#[test]
fn topics_keep_the_order_of_info_toml() {
    let text = "format_version = 1\n[[exercises]]\nname = \"if1\"\ndir = \"03_if\"\nhint = \"h\"\n[[exercises]]\nname = \"quiz1\"\ndir = \"quizzes\"\nhint = \"h\"\n[[exercises]]\nname = \"vecs1\"\ndir = \"05_vecs\"\nhint = \"h\"\n[[exercises]]\nname = \"quiz2\"\ndir = \"quizzes\"\nhint = \"h\"\n";
    let catalog = Catalog::from_toml(text, None).unwrap();
    let topics: Vec<(&str, usize)> = catalog
        .topics()
        .iter()
        .map(|(topic, exercises)| (*topic, exercises.len()))
        .collect();
    assert_eq!(
        topics,
        vec![("03_if", 1), ("quizzes", 1), ("05_vecs", 1), ("quizzes", 1)]
    );
}

#[test]
fn an_unsupported_format_version_is_named() {
    let text = "format_version = 2\n[[exercises]]\nname = \"a\"\nhint = \"h\"\n";
    assert_eq!(
        problems(text),
        vec![
            "info.toml:1:18: unsupported format_version 2; this version of patterns reads format_version = 1"
        ]
    );
}

#[test]
fn both_hint_and_hints_is_ambiguous() {
    let text = "format_version = 1\n[[exercises]]\nname = \"a\"\nhint = \"h\"\nhints = [\"x\"]\n";
    assert_eq!(
        problems(text),
        vec![
            "info.toml:5:9: exercise \"a\" has both hint and hints; keep one (hints = [..] for progressive hints)"
        ]
    );
}

#[test]
fn syntax_and_type_errors_point_at_the_value() {
    let broken = "format_version = 1\n[[exercises]\nname = \"a\"\n";
    let found = problems(broken);
    assert_eq!(found.len(), 1);
    assert!(
        found[0].starts_with("info.toml:2:") && found[0].contains("this is not valid TOML"),
        "{found:?}"
    );

    let wrong_type =
        "format_version = 1\n[[exercises]]\nname = \"a\"\nhint = \"h\"\ntest = \"yes\"\n";
    let found = problems(wrong_type);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with("info.toml:5:8: ") && found[0].ends_with("; fix the value"),
        "{found:?}"
    );
}

#[test]
fn an_empty_catalog_says_what_to_add() {
    assert_eq!(
        problems("format_version = 1\n"),
        vec![
            "info.toml:1:1: there are no exercises; add an [[exercises]] table with name, dir and hint"
        ]
    );
}

#[test]
fn missing_files_and_escaping_links_are_reported() {
    let root = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(root.path().join("exercises/t")).unwrap();
    std::fs::write(outside.path().join("b.rs"), "fn main() {}").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(outside.path(), root.path().join("exercises/link")).unwrap();
    let text = "format_version = 1\n[[exercises]]\nname = \"a\"\ndir = \"t\"\nhint = \"h\"\n[[exercises]]\nname = \"b\"\ndir = \"link\"\nhint = \"h\"\n";
    let error = Catalog::from_toml(text, Some(root.path())).unwrap_err();
    let messages: Vec<String> = error.problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        messages[0],
        "info.toml:2:1: exercise \"a\": file exercises/t/a.rs not found; create it or fix name/dir"
    );
    #[cfg(unix)]
    assert_eq!(
        messages[1],
        "info.toml:6:1: exercise \"b\": exercises/link/b.rs leads outside the workbook's exercises/ folder; make it a real file, not a link"
    );
}

#[test]
fn topic_titles_drop_the_ordering_prefix() {
    assert_eq!(topic_title("02_repositories"), "repositories");
    assert_eq!(topic_title("exercises"), "exercises");
    assert_eq!(topic_title("2024"), "2024");
}
