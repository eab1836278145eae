//! The watch screen without a terminal: update logic (message -> model -> effects)
//! and every view as a snapshot on ratatui's `TestBackend`.

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use patterns_core::cargo::{BuildProgress, Diagnostic, Location};
use patterns_core::catalog::Catalog;
use patterns_core::libtest::{TestOutcome, TestStatus};
use patterns_core::progress::Progress;
use patterns_core::session::Session;
use patterns_core::verdict::{Side, Status, Verdict};
use patterns_core::workbook::ResetScope;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::events::Report;
use super::model::{App, Effect, Filter, Msg, Overlay, Screen, Viewport};
use super::view;

const CATALOG: &str = r#"format_version = 1
welcome_message = "Welcome to the workbook.\nEdit, save, read the verdict."
final_message = "You finished every exercise."

[[exercises]]
name = "intro_tests"
dir = "00_intro"
hint = "Read the failing test's message."

[[exercises]]
name = "repository_trait"
dir = "02_repositories"
hints = ["Look at how the tests call the repository.", "find_by_id takes &self and returns Option<User>.", "fn find_by_id(&self, id: UserId) -> Option<User>;"]

[[exercises]]
name = "in_memory_repository"
dir = "02_repositories"
hint = "A HashMap keyed by id."
"#;

fn now() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000)
}

fn no_intro(_: &str) -> Option<String> {
    None
}

fn app() -> App {
    let catalog = Catalog::from_toml(CATALOG, None).unwrap();
    let progress = Progress {
        welcomed: true,
        ..Progress::default()
    };
    App::new(Session::new(catalog, progress), false)
}

fn key(app: &mut App, code: KeyCode) -> Vec<Effect> {
    app.update(
        Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)),
        now(),
        &no_intro,
    )
}

fn verdict(app: &App, status: Status) -> Verdict {
    let exercise = app.exercise();
    Verdict {
        exercise: exercise.name.clone(),
        side: Side::Exercise,
        test: exercise.test,
        status,
        file: exercise.path(),
        diagnostics: Vec::new(),
        first_error: None,
        cargo_error: None,
        tests: Vec::new(),
        output: String::new(),
        output_truncated: false,
        exit_code: Some(0),
        crash: None,
        placeholders: Vec::new(),
        tests_changed: Vec::new(),
        checks: Vec::new(),
        clippy: Vec::new(),
        timeout: Duration::from_secs(10),
        elapsed: Duration::from_millis(420),
    }
}

fn test(name: &str, status: TestStatus, message: Option<&str>) -> TestOutcome {
    TestOutcome {
        name: format!("tests::{name}"),
        status,
        message: message.map(str::to_owned),
        location: message.map(|_| "exercises/00_intro/intro_tests.rs:40:9".to_owned()),
    }
}

fn failing_verdict(app: &App) -> Verdict {
    let mut verdict = verdict(app, Status::TestsFailed);
    verdict.tests = vec![
        test("keeps_a_normal_address", TestStatus::Passed, None),
        test(
            "lowercases_the_address",
            TestStatus::Failed,
            Some(
                "assertion `left == right` failed\n  left: \"Ada@Example.com\"\n right: \"ada@example.com\"",
            ),
        ),
        test("trims_spaces", TestStatus::Passed, None),
    ];
    verdict
}

/// Sends a verdict as the answer to the check under way.
fn deliver(app: &mut App, verdict: Verdict) -> Vec<Effect> {
    let run = app.running.as_ref().map_or(0, |r| r.run);
    app.update(
        Msg::Checked {
            run,
            verdict: Box::new(verdict),
        },
        now(),
        &no_intro,
    )
}

fn started(app: &mut App) {
    let effects = app.start(now(), &no_intro);
    assert!(matches!(effects[0], Effect::Check { .. }));
}

fn render(app: &App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| {
            view::draw(frame, app);
        })
        .unwrap();
    terminal.backend().to_string()
}

// ---- update logic ----

fn reports(effects: &[Effect]) -> Vec<Report> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Report(report) => Some(report.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn headless_is_the_same_machine_reporting_what_happens() {
    let catalog = Catalog::from_toml(CATALOG, None).unwrap();
    let mut app = App::headless(Session::new(catalog, Progress::default()), false);
    // No welcome overlay without a screen.
    assert_eq!(app.overlay, None);
    let started = app.start(now(), &no_intro);
    assert_eq!(
        reports(&started),
        vec![Report::RunStarted {
            exercise: "intro_tests".into(),
            run: 1
        }]
    );
    let done = verdict(&app, Status::Done);
    let effects = deliver(&mut app, done);
    let reported = reports(&effects);
    assert!(
        matches!(
            &reported[0],
            Report::Verdict {
                done: true,
                run: 1,
                ..
            }
        ),
        "{reported:?}"
    );
    assert_eq!(
        reported[1],
        Report::Done {
            exercise: "intro_tests".into(),
            next: Some("repository_trait".into())
        }
    );
    assert!(effects.contains(&Effect::SaveProgress));
    // Headless checks any saved exercise, not only the one shown.
    let effects = app.update(
        Msg::FileChanged(PathBuf::from(
            "exercises/02_repositories/in_memory_repository.rs",
        )),
        now(),
        &no_intro,
    );
    assert!(effects.contains(&Effect::Check {
        name: "in_memory_repository".into(),
        run: 2
    }));
    // Commands from stdin.
    let effects = app.update(Msg::Command("run repositry_trait".into()), now(), &no_intro);
    assert_eq!(
        reports(&effects),
        vec![Report::Error {
            message: "there is no exercise \"repositry_trait\"; did you mean \"repository_trait\"?"
                .into(),
            run: None
        }]
    );
    assert_eq!(
        app.update(Msg::Command("quit".into()), now(), &no_intro),
        vec![Effect::Quit]
    );
    assert!(app.quit);
}

#[test]
fn the_screen_reports_nothing_and_checks_only_what_it_shows() {
    let mut app = app();
    let started = app.start(now(), &no_intro);
    assert!(reports(&started).is_empty());
    let effects = app.update(
        Msg::FileChanged(PathBuf::from(
            "exercises/02_repositories/in_memory_repository.rs",
        )),
        now(),
        &no_intro,
    );
    assert!(effects.is_empty());
    assert_eq!(
        app.notice.as_deref(),
        Some("in_memory_repository changed; it is not the current exercise (l opens the list)")
    );
}

#[test]
fn a_runaway_hint_or_state_value_never_breaks_the_screen() {
    // A 10 MB hint in info.toml and absurd numbers in the state file.
    let hint = "word ".repeat(2 * 1024 * 1024);
    let catalog = Catalog::from_toml(
        &format!("format_version = 1\n[[exercises]]\nname = \"a\"\nhints = [{hint:?}, \"two\"]\n"),
        None,
    )
    .unwrap();
    let mut progress = Progress::default();
    let record = progress.record_mut("a", now());
    record.hints_revealed = usize::MAX;
    record.attempts = u32::MAX;
    let mut app = App::new(Session::new(catalog, progress), false);
    for (width, height) in [(80, 24), (40, 10), (200, 60), (20, 5)] {
        let screen = render(&app, width, height);
        assert!(!screen.is_empty());
    }
    app.update(
        Msg::Key(KeyEvent::new(KeyCode::Char('h'), KeyModifiers::NONE)),
        now(),
        &no_intro,
    );
    let screen = render(&app, 80, 24);
    assert!(
        screen.contains("Hint 1 of 2") && screen.contains("word word"),
        "{screen}"
    );
}

#[test]
fn a_done_exercise_that_fails_again_is_failing_again() {
    let mut app = app();
    started(&mut app);
    let done = verdict(&app, Status::Done);
    deliver(&mut app, done);
    assert!(app.session.progress.is_done("intro_tests"));
    app.update(
        Msg::Key(KeyEvent::new(KeyCode::Char('r'), KeyModifiers::NONE)),
        now(),
        &no_intro,
    );
    let failing = verdict(&app, Status::TestsFailed);
    deliver(&mut app, failing);
    assert!(!app.is_done());
    assert!(!app.session.progress.is_done("intro_tests"));
    assert!(
        app.session
            .progress
            .record("intro_tests")
            .unwrap()
            .done_at
            .is_some()
    );
    // A check that could not judge the code (cargo failed) changes nothing.
    app.update(
        Msg::Key(KeyEvent::new(KeyCode::Char('r'), KeyModifiers::NONE)),
        now(),
        &no_intro,
    );
    let done = verdict(&app, Status::Done);
    deliver(&mut app, done);
    app.update(
        Msg::Key(KeyEvent::new(KeyCode::Char('r'), KeyModifiers::NONE)),
        now(),
        &no_intro,
    );
    let broken = verdict(&app, Status::BuildFailed);
    deliver(&mut app, broken);
    assert!(app.session.progress.is_done("intro_tests"));
}

#[test]
fn starting_checks_the_current_exercise() {
    let mut app = app();
    let effects = app.start(now(), &no_intro);
    assert_eq!(
        effects,
        vec![Effect::Check {
            name: "intro_tests".into(),
            run: 1
        }]
    );
    assert!(app.is_refreshing());
}

#[test]
fn a_save_of_the_current_file_reruns_and_a_stale_result_is_dropped() {
    let mut app = app();
    started(&mut app);
    let effects = app.update(
        Msg::FileChanged(PathBuf::from("exercises/00_intro/intro_tests.rs")),
        now(),
        &no_intro,
    );
    assert_eq!(
        effects,
        vec![Effect::Check {
            name: "intro_tests".into(),
            run: 2
        }]
    );
    // The answer to run 1 arrives late: it must not show as current.
    let old = failing_verdict(&app);
    let effects = app.update(
        Msg::Checked {
            run: 1,
            verdict: Box::new(old),
        },
        now(),
        &no_intro,
    );
    assert!(effects.is_empty());
    assert!(app.verdict.is_none());
    assert!(app.is_refreshing());
}

#[test]
fn another_exercises_file_does_not_hijack_the_screen() {
    let mut app = app();
    started(&mut app);
    let effects = app.update(
        Msg::FileChanged(PathBuf::from(
            "exercises/02_repositories/in_memory_repository.rs",
        )),
        now(),
        &no_intro,
    );
    assert!(effects.is_empty());
    assert_eq!(app.exercise().name, "intro_tests");
    assert_eq!(
        app.notice.as_deref(),
        Some("in_memory_repository changed; it is not the current exercise (l opens the list)")
    );
}

#[test]
fn a_notice_about_another_file_goes_with_the_next_verdict() {
    let mut app = app();
    started(&mut app);
    app.update(
        Msg::FileChanged(PathBuf::from(
            "exercises/02_repositories/in_memory_repository.rs",
        )),
        now(),
        &no_intro,
    );
    assert!(app.notice.is_some());
    let failing = failing_verdict(&app);
    deliver(&mut app, failing);
    assert_eq!(app.notice, None);
    app.update(
        Msg::Polling("watching by polling: nfs".into()),
        now(),
        &no_intro,
    );
    assert!(render(&app, 80, 20).contains("watching by polling: nfs"));
}

#[test]
fn done_does_not_advance_until_n_is_pressed() {
    let mut app = app();
    started(&mut app);
    assert!(key(&mut app, KeyCode::Char('n')).is_empty());
    assert_eq!(
        app.notice.as_deref(),
        Some("finish this exercise first (h for a hint)")
    );
    let done = verdict(&app, Status::Done);
    let effects = deliver(&mut app, done);
    assert_eq!(effects, vec![Effect::SaveProgress]);
    assert_eq!(app.exercise().name, "intro_tests");
    assert!(app.session.progress.is_done("intro_tests"));
    let effects = key(&mut app, KeyCode::Char('n'));
    assert_eq!(
        effects,
        vec![
            Effect::Check {
                name: "repository_trait".into(),
                run: 2
            },
            Effect::SaveProgress
        ]
    );
    assert_eq!(
        app.session.progress.current.as_deref(),
        Some("repository_trait")
    );
}

#[test]
fn a_failed_check_counts_an_attempt() {
    let mut app = app();
    started(&mut app);
    let failing = failing_verdict(&app);
    deliver(&mut app, failing);
    assert_eq!(
        app.session.progress.record("intro_tests").unwrap().attempts,
        1
    );
    assert!(!app.session.progress.is_done("intro_tests"));
}

#[test]
fn hints_are_revealed_one_level_at_a_time() {
    let mut app = app();
    app.current = 1;
    assert_eq!(
        key(&mut app, KeyCode::Char('h')),
        vec![Effect::SaveProgress]
    );
    key(&mut app, KeyCode::Char('h'));
    assert_eq!(app.hints_revealed(), 2);
    key(&mut app, KeyCode::Char('h'));
    assert!(key(&mut app, KeyCode::Char('h')).is_empty());
    assert_eq!(app.hints_revealed(), 3);
    assert_eq!(app.notice.as_deref(), Some("that was the last hint"));
}

#[test]
fn hints_read_after_done_are_shown_but_not_counted() {
    let mut app = app();
    app.current = 1;
    app.session
        .progress
        .record_check("repository_trait", true, true, now());
    assert!(key(&mut app, KeyCode::Char('h')).is_empty());
    assert_eq!(app.overlay, Some(Overlay::Hints));
    assert_eq!(app.hints_revealed(), 1);
    assert_eq!(app.session.hints_revealed("repository_trait"), 0);
    // Closing and opening again shows them again without revealing another.
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Char('h'));
    assert_eq!(app.hints_revealed(), 1);
}

#[test]
fn scrolling_stays_within_what_the_frame_showed() {
    let mut app = app();
    app.update(
        Msg::Viewport(Viewport {
            rows: 10,
            max_scroll: 25,
        }),
        now(),
        &no_intro,
    );
    key(&mut app, KeyCode::Char('G'));
    assert_eq!(app.scroll, 25);
    // `k` after `G` moves at once.
    key(&mut app, KeyCode::Char('k'));
    assert_eq!(app.scroll, 24);
    key(&mut app, KeyCode::PageDown);
    assert_eq!(app.scroll, 25);
    key(&mut app, KeyCode::PageUp);
    assert_eq!(app.scroll, 17);
    // A new verdict is read from its top.
    started(&mut app);
    let failing = failing_verdict(&app);
    deliver(&mut app, failing);
    assert_eq!(app.scroll, 0);
    // The help overlay scrolls itself, not the verdict behind it.
    app.scroll = 3;
    key(&mut app, KeyCode::Char('?'));
    key(&mut app, KeyCode::Char('j'));
    assert_eq!((app.scroll, app.overlay_scroll), (3, 1));
}

#[test]
fn a_notice_goes_with_the_next_key() {
    let mut app = app();
    key(&mut app, KeyCode::Char('s'));
    assert!(app.notice.is_some());
    key(&mut app, KeyCode::Char('j'));
    assert_eq!(app.notice, None);
}

#[test]
fn a_topic_is_introduced_whichever_exercise_opens_it_and_on_i() {
    let mut app = app();
    let intro = |topic: &str| Some(format!("# {topic}\nWhy this topic exists."));
    // Straight from the list into the second exercise of 02_repositories.
    key(&mut app, KeyCode::Char('l'));
    key(&mut app, KeyCode::Char('j'));
    key(&mut app, KeyCode::Char('j'));
    app.update(
        Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
        now(),
        &intro,
    );
    assert_eq!(app.exercise().name, "in_memory_repository");
    assert!(
        matches!(&app.overlay, Some(Overlay::TopicIntro { topic, .. }) if topic == "02_repositories")
    );
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.overlay, None);
    // `i` opens it again, any time.
    app.update(
        Msg::Key(KeyEvent::new(KeyCode::Char('i'), KeyModifiers::NONE)),
        now(),
        &intro,
    );
    assert!(matches!(app.overlay, Some(Overlay::TopicIntro { .. })));
}

#[test]
fn a_search_puts_the_best_match_first() {
    let catalog = Catalog::from_toml(
        "format_version = 1\n[[exercises]]\nname = \"logic_without_http\"\nhint = \"h\"\n[[exercises]]\nname = \"http_caching\"\nhint = \"h\"\n[[exercises]]\nname = \"memoize\"\nhint = \"h\"\n",
        None,
    )
    .unwrap();
    let mut app = App::new(Session::new(catalog, Progress::default()), false);
    app.session.progress.welcomed = true;
    key(&mut app, KeyCode::Char('l'));
    key(&mut app, KeyCode::Char('/'));
    for c in "http".chars() {
        key(&mut app, KeyCode::Char(c));
    }
    assert_eq!(app.visible(), vec![1, 0]);
    assert_eq!(app.list.selected, 1);
}

#[test]
fn the_solution_opens_only_after_done() {
    let mut app = app();
    started(&mut app);
    assert!(key(&mut app, KeyCode::Char('s')).is_empty());
    let done = verdict(&app, Status::Done);
    deliver(&mut app, done);
    assert_eq!(
        key(&mut app, KeyCode::Char('s')),
        vec![Effect::LoadSolution("intro_tests".into())]
    );
}

#[test]
fn reset_asks_first() {
    let mut app = app();
    assert!(key(&mut app, KeyCode::Char('x')).is_empty());
    assert_eq!(
        app.overlay,
        Some(Overlay::ConfirmReset {
            name: "intro_tests".into(),
            scope: ResetScope::Exercise
        })
    );
    assert!(key(&mut app, KeyCode::Char('n')).is_empty());
    assert_eq!(app.overlay, None);
    key(&mut app, KeyCode::Char('x'));
    assert_eq!(
        key(&mut app, KeyCode::Char('y')),
        vec![Effect::Reset {
            name: "intro_tests".into(),
            scope: ResetScope::Exercise
        }]
    );
    // `t` puts back only the tests, after asking too.
    key(&mut app, KeyCode::Char('t'));
    assert_eq!(
        key(&mut app, KeyCode::Char('y')),
        vec![Effect::Reset {
            name: "intro_tests".into(),
            scope: ResetScope::Tests
        }]
    );
}

#[test]
fn a_failed_reset_changes_nothing_and_its_message_stays() {
    let mut app = app();
    app.session
        .progress
        .record_check("intro_tests", true, true, now());
    let effects = app.update(
        Msg::ResetDone {
            name: "intro_tests".into(),
            scope: ResetScope::Exercise,
            result: Err("cannot reset intro_tests: no room".into()),
        },
        now(),
        &|_| None,
    );
    assert_eq!(effects, vec![]);
    assert!(app.session.progress.is_done("intro_tests"));
    assert_eq!(
        app.notice.as_deref(),
        Some("cannot reset intro_tests: no room")
    );
}

#[test]
fn finishing_the_last_exercise_checks_all_then_shows_the_final_message() {
    let mut app = app();
    app.session
        .progress
        .record_check("repository_trait", true, true, now());
    app.session
        .progress
        .record_check("in_memory_repository", true, true, now());
    started(&mut app);
    let done = verdict(&app, Status::Done);
    let effects = deliver(&mut app, done);
    assert_eq!(effects, vec![Effect::SaveProgress, Effect::CheckAll]);
    let all: Vec<Verdict> = ["intro_tests", "repository_trait", "in_memory_repository"]
        .iter()
        .map(|name| {
            let mut v = verdict(&app, Status::Done);
            v.exercise = (*name).to_owned();
            v
        })
        .collect();
    app.update(Msg::AllChecked(all), now(), &no_intro);
    assert_eq!(app.overlay, Some(Overlay::Final));
}

#[test]
fn check_all_shows_each_result_as_it_arrives() {
    let mut app = app();
    assert_eq!(key(&mut app, KeyCode::Char('c')), vec![Effect::CheckAll]);
    app.update(
        Msg::AllOne {
            name: "repository_trait".into(),
            status: Status::CompileError,
        },
        now(),
        &no_intro,
    );
    assert_eq!(
        app.checking_all.as_deref(),
        Some("1 of 3 exercises checked, 0 done")
    );
    key(&mut app, KeyCode::Char('l'));
    let screen = render(&app, 80, 14);
    assert!(
        screen.contains("repository_trait  does not compile"),
        "{screen}"
    );
}

#[test]
fn the_welcome_shows_once_then_the_topic_introduction() {
    let catalog = Catalog::from_toml(CATALOG, None).unwrap();
    let mut app = App::new(Session::new(catalog, Progress::default()), false);
    assert_eq!(app.overlay, Some(Overlay::Welcome));
    let intro = |topic: &str| Some(format!("# {topic}\nWhy this topic exists."));
    app.start(now(), &intro);
    assert_eq!(app.overlay, Some(Overlay::Welcome));
    let effects = app.update(
        Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
        now(),
        &intro,
    );
    assert_eq!(effects, vec![Effect::SaveProgress]);
    assert!(app.session.progress.welcomed);
    assert!(matches!(app.overlay, Some(Overlay::TopicIntro { .. })));
    key(&mut app, KeyCode::Esc);
    assert_eq!(
        app.session.progress.topics_introduced,
        vec!["00_intro".to_owned()]
    );
}

#[test]
fn the_list_filters_searches_and_opens() {
    let mut app = app();
    app.session
        .progress
        .record_check("intro_tests", true, true, now());
    key(&mut app, KeyCode::Char('l'));
    assert_eq!(app.screen, Screen::List);
    key(&mut app, KeyCode::Char('f'));
    assert_eq!(app.list.filter, Filter::Pending);
    assert_eq!(app.visible(), vec![1, 2]);
    key(&mut app, KeyCode::Char('/'));
    for c in "memory".chars() {
        key(&mut app, KeyCode::Char(c));
    }
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.visible(), vec![2]);
    assert_eq!(app.list.selected, 2);
    let effects = key(&mut app, KeyCode::Enter);
    assert_eq!(app.exercise().name, "in_memory_repository");
    assert_eq!(app.screen, Screen::Exercise);
    assert!(matches!(effects[0], Effect::Check { .. }));
    // Opening the list again and pressing / starts a new search.
    key(&mut app, KeyCode::Char('l'));
    key(&mut app, KeyCode::Char('/'));
    key(&mut app, KeyCode::Char('i'));
    assert_eq!(app.list.search, "i");
}

#[test]
fn ctrl_c_and_signals_quit() {
    let mut app = app();
    let effects = app.update(
        Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
        now(),
        &no_intro,
    );
    assert_eq!(effects, vec![Effect::Quit]);
    let mut other = self::app();
    assert_eq!(
        other.update(Msg::Signal, now(), &no_intro),
        vec![Effect::Quit]
    );
}

// ---- views ----

#[test]
fn view_failing_tests() {
    let mut app = app();
    started(&mut app);
    let failing = failing_verdict(&app);
    deliver(&mut app, failing);
    insta::assert_snapshot!(render(&app, 80, 20));
}

#[test]
fn view_compile_error() {
    let mut app = app();
    started(&mut app);
    let mut verdict = verdict(&app, Status::CompileError);
    verdict.first_error = Some(Location {
        file: "exercises/00_intro/intro_tests.rs".into(),
        line: 12,
        column: 18,
    });
    verdict.diagnostics = vec![Diagnostic {
        level: "error".into(),
        rendered: "\u{1b}[1m\u{1b}[91merror[E0308]\u{1b}[0m\u{1b}[1m: mismatched types\u{1b}[0m\n  --> exercises/00_intro/intro_tests.rs:12:18\n   |\n12 |     let x: u32 = \"a\";\n   |            ---   ^^^ expected `u32`, found `&str`\n".into(),
        location: verdict.first_error.clone(),
    }];
    deliver(&mut app, verdict);
    insta::assert_snapshot!(render(&app, 80, 18));
}

#[test]
fn view_timed_out() {
    let mut app = app();
    started(&mut app);
    let mut verdict = verdict(&app, Status::TimedOut);
    verdict.tests = vec![
        test("counts_down", TestStatus::DidNotFinish, None),
        test("finishes_quickly", TestStatus::Passed, None),
    ];
    deliver(&mut app, verdict);
    insta::assert_snapshot!(render(&app, 80, 14));
}

#[test]
fn view_done() {
    let mut app = app();
    started(&mut app);
    let mut verdict = verdict(&app, Status::Done);
    verdict.tests = vec![
        test("keeps_a_normal_address", TestStatus::Passed, None),
        test("lowercases_the_address", TestStatus::Passed, None),
    ];
    deliver(&mut app, verdict);
    insta::assert_snapshot!(render(&app, 80, 14));
}

#[test]
fn view_hint_level_two_of_three() {
    let mut app = app();
    app.current = 1;
    started(&mut app);
    key(&mut app, KeyCode::Char('h'));
    key(&mut app, KeyCode::Char('h'));
    let mut verdict = verdict(&app, Status::CompileError);
    verdict.diagnostics = vec![Diagnostic {
        level: "error".into(),
        rendered: "error[E0599]: no method named `find_by_id` found\n".into(),
        location: None,
    }];
    deliver(&mut app, verdict);
    insta::assert_snapshot!(render(&app, 80, 20));
}

#[test]
fn view_help_overlay() {
    let mut app = app();
    key(&mut app, KeyCode::Char('?'));
    insta::assert_snapshot!(render(&app, 80, 50));
}

#[test]
fn view_list_with_filter_and_search() {
    let mut app = app();
    app.session
        .progress
        .record_check("intro_tests", true, true, now());
    key(&mut app, KeyCode::Char('l'));
    key(&mut app, KeyCode::Char('f'));
    key(&mut app, KeyCode::Char('/'));
    for c in "repo".chars() {
        key(&mut app, KeyCode::Char(c));
    }
    insta::assert_snapshot!(render(&app, 70, 14));
}

#[test]
fn view_dependency_build_progress() {
    let mut app = app();
    started(&mut app);
    let run = app.running.as_ref().unwrap().run;
    app.update(
        Msg::Building {
            run,
            progress: BuildProgress {
                done: 34,
                total: 120,
                current: "serde, syn".into(),
            },
        },
        now(),
        &no_intro,
    );
    insta::assert_snapshot!(render(&app, 80, 12));
}

#[test]
fn view_refreshing_keeps_the_old_result_marked() {
    let mut app = app();
    started(&mut app);
    let failing = failing_verdict(&app);
    deliver(&mut app, failing);
    app.update(
        Msg::FileChanged(PathBuf::from("exercises/00_intro/intro_tests.rs")),
        now(),
        &no_intro,
    );
    let screen = render(&app, 80, 12);
    assert!(
        screen.contains("checking your latest save… (the result below is from the previous one)"),
        "{screen}"
    );
}

#[test]
fn view_terminal_too_small() {
    let app = app();
    insta::assert_snapshot!(render(&app, 30, 6));
}

#[test]
fn view_confirm_reset_and_welcome() {
    let catalog = Catalog::from_toml(CATALOG, None).unwrap();
    let app = App::new(Session::new(catalog, Progress::default()), false);
    insta::assert_snapshot!("welcome", render(&app, 80, 14));
    let mut app = self::app();
    key(&mut app, KeyCode::Char('x'));
    insta::assert_snapshot!("confirm_reset", render(&app, 80, 14));
}

#[test]
fn view_solution_as_a_diff() {
    let mut app = app();
    started(&mut app);
    let done = verdict(&app, Status::Done);
    deliver(&mut app, done);
    app.update(
        Msg::Solution {
            name: "intro_tests".into(),
            text: "fn normalize(s: &str) -> String {\n    s.trim().to_lowercase()\n}\n".into(),
            mine: "fn normalize(s: &str) -> String {\n    s.to_lowercase().trim().into()\n}\n"
                .into(),
        },
        now(),
        &no_intro,
    );
    insta::assert_snapshot!(render(&app, 80, 12));
}

// ---- the screen at the sizes learners use ----

const LONG_HINT: &str = "Take `mut req`. Decide the id first with a `match` on `req.headers.get(REQUEST_ID)`: a guard `Some(id) if is_acceptable_id(id)` keeps it, anything else draws `self.ids.next_id()`. Insert it back into `req.headers` before calling the inner handler, so that every layer below sees the same id, and the response carries it too.";

const TOPIC_README: &str = "# Caching

A cache keeps an answer near the caller so that the next caller does not pay for
it again. It trades freshness for speed: every entry is a copy that can be stale.

```
handler ──▶ cache ──miss──▶ repository
   ▲          │
   └── hit ───┘
```

Do:
- give every entry a TTL **and** an invalidation path, preferably both;
- measure first.

Don't cache errors.
";

fn screens() -> Vec<(&'static str, App)> {
    let catalog = Catalog::from_toml(
        &format!(
            "format_version = 1\n[[exercises]]\nname = \"request_id_logging\"\ndir = \"06_middleware\"\nhints = [\"Where is the id decided?\", \"Decide it once, at the edge.\", {LONG_HINT:?}]\n"
        ),
        None,
    )
    .unwrap();
    let progress = Progress {
        welcomed: true,
        topics_introduced: vec!["06_middleware".into()],
        ..Progress::default()
    };
    let base = App::new(Session::new(catalog, progress), false);

    let mut failing = base.clone();
    started(&mut failing);
    let mut tests_fail = verdict(&failing, Status::TestsFailed);
    tests_fail.tests = vec![
        test("an_incoming_id_is_kept", TestStatus::Passed, None),
        test(
            "a_request_without_an_id_gets_a_fresh_one_on_the_request_and_the_response",
            TestStatus::Failed,
            Some(
                "assertion `left == right` failed: the response must carry the id the request was given, so that a client can quote it\n  left: None\n right: Some(\"req-1\")",
            ),
        ),
    ];
    deliver(&mut failing, tests_fail);

    let mut hints = failing.clone();
    for _ in 0..3 {
        key(&mut hints, KeyCode::Char('h'));
    }

    let mut compile = base.clone();
    started(&mut compile);
    let mut broken = verdict(&compile, Status::CompileError);
    broken.first_error = Some(Location {
        file: "exercises/06_middleware/request_id_logging.rs".into(),
        line: 297,
        column: 48,
    });
    deliver(&mut compile, broken);

    let mut intro = base.clone();
    intro.overlay = Some(Overlay::TopicIntro {
        topic: "05_caching".into(),
        text: TOPIC_README.into(),
    });

    vec![
        ("failing", failing),
        ("hints", hints),
        ("compile_error", compile),
        ("topic_intro", intro),
    ]
}

#[test]
fn screens_at_80x24_and_100x30() {
    for (name, app) in screens() {
        for (width, height) in [(80, 24), (100, 30)] {
            insta::assert_snapshot!(
                format!("screen_{name}_{width}x{height}"),
                render(&app, width, height)
            );
        }
    }
}

/// What a learner can read of an overlay at `width`x`height`: every screen
/// from the top to the end of its scrolling, as text. Each frame tells the
/// model how far it may scroll, as the terminal loop does.
fn readable(app: &mut App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    let mut frame = |app: &mut App| {
        let mut drawn = app.viewport;
        terminal
            .draw(|frame| drawn = view::draw(frame, app))
            .unwrap();
        app.update(Msg::Viewport(drawn), now(), &no_intro);
        format!("{}", terminal.backend())
    };
    let mut last = frame(app);
    let mut seen = last.clone();
    for _ in 0..400 {
        key(app, KeyCode::Char('j'));
        let screen = frame(app);
        if screen == last {
            break;
        }
        seen.push_str(&screen);
        last = screen;
    }
    seen
}

/// The columns of text in an overlay at 80 columns.
const PANEL_TEXT: usize = 74;

/// The real curriculum at 80x24, as a learner reads it: every hint of every
/// exercise can be read to its last word, and every line of every topic
/// introduction's diagrams shows whole, never wrapped.
#[test]
fn every_hint_and_every_topic_diagram_of_the_curriculum_reads_whole_at_80x24() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("info.toml")).unwrap();
    let catalog = Catalog::from_toml(&text, None).unwrap();
    let words = |text: &str| -> Vec<String> {
        text.split_whitespace()
            .filter(|w| w.chars().count() >= 4)
            .map(str::to_owned)
            .collect()
    };
    let mut missing = Vec::new();
    for (index, exercise) in catalog.exercises.iter().enumerate() {
        let progress = Progress {
            welcomed: true,
            current: Some(exercise.name.clone()),
            topics_introduced: exercise.dir.iter().cloned().collect(),
            ..Progress::default()
        };
        let mut app = App::new(Session::new(catalog.clone(), progress), false);
        assert_eq!(app.exercise().name, catalog.exercises[index].name);
        for _ in 0..exercise.hints.len() {
            key(&mut app, KeyCode::Char('h'));
        }
        let seen = readable(&mut app, 80, 24);
        // A word longer than the panel is cut into lines of the panel's width.
        let shown = |word: &str| {
            let chars: Vec<char> = word.chars().collect();
            chars
                .chunks(PANEL_TEXT)
                .all(|piece| seen.contains(&piece.iter().collect::<String>()))
        };
        for (level, hint) in exercise.hints.iter().enumerate() {
            if let Some(word) = words(hint).into_iter().find(|w| !shown(w)) {
                missing.push(format!("{} hint {}: `{word}`", exercise.name, level + 1));
            }
        }
    }

    let mut topics: Vec<&str> = catalog
        .exercises
        .iter()
        .filter_map(|e| e.dir.as_deref())
        .collect();
    topics.dedup();
    for topic in topics {
        let Ok(readme) =
            std::fs::read_to_string(root.join("exercises").join(topic).join("README.md"))
        else {
            continue;
        };
        let mut app = app();
        app.overlay = Some(Overlay::TopicIntro {
            topic: topic.to_owned(),
            text: readme.clone(),
        });
        let seen = readable(&mut app, 80, 24);
        let mut in_block = false;
        for line in readme.lines() {
            if line.starts_with("```") {
                in_block = !in_block;
            } else if in_block && !line.trim().is_empty() && !seen.contains(line.trim_end()) {
                missing.push(format!("{topic} README: `{}`", line.trim_end()));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "not readable whole at 80x24:\n{}",
        missing.join("\n")
    );
}
