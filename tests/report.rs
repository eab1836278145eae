//! `patterns report` over sample exports (tests/fixtures/exports: four learners,
//! one of them with an older export too, a JSON file that is not an export and
//! one of a newer schema), and over exports the binary made itself.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::Fixture;

fn report(args: &[&str]) -> support::Run {
    let fixture = Fixture::new("exports");
    fixture.run(&[&["report"], args].concat())
}

#[test]
fn the_table_shows_learners_exercises_and_where_they_get_stuck() {
    let run = report(&["."]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = &run.stdout;
    assert!(
        out.starts_with("4 learners, 5 exercises, following the whole workbook"),
        "{out}"
    );
    // Per learner: done of total, the share, time active, the exercise they are on.
    let ada = out.lines().find(|l| l.starts_with("Ada Lovelace")).unwrap();
    assert!(ada.contains("4/5  80%"), "{ada}");
    assert!(ada.contains("1h 36m  invalidate_on_write"), "{ada}");
    // Per exercise: done of the learners, and the medians of those who worked on it.
    let line = |name: &str| {
        out.lines()
            .find(|l| l.split_whitespace().find(|w| *w != "!") == Some(name))
            .unwrap_or_else(|| panic!("no line for {name} in\n{out}"))
            .to_owned()
    };
    let tangled = line("tangled_handler");
    assert_eq!(
        tangled.split_whitespace().collect::<Vec<_>>(),
        ["tangled_handler", "4/4", "100%", "1.5", "0.5", "9m"]
    );
    // cache_aside: 9 attempts against a typical 2, an hour, every hint, 2 of 3 stuck.
    assert!(line("cache_aside").starts_with("! cache_aside"));
    let stuck = out.split("Where learners get stuck").nth(1).unwrap();
    assert_eq!(
        stuck.trim(),
        "! cache_aside (caching): many attempts, long time active, most hints revealed, most who started have not finished; 2 of 3 who started it not done"
    );
    // The front of the cohort (one learner started, nobody done) is not "stuck".
    assert!(!line("invalidate_on_write").starts_with('!'));
}

#[test]
fn files_that_are_not_exports_are_skipped_with_the_reason() {
    let run = report(&["."]);
    let skipped: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(skipped.len(), 4, "{}", run.stderr);
    assert!(run.stderr.contains(
        "skipped ./notes.json: it is not a progress export (it has no version); make it with `patterns progress --json > FILE`"
    ));
    assert!(run.stderr.contains(
        "skipped ./team-b/future.json: it has schema version 2, and this patterns reads version 1"
    ));
    assert!(
        run.stderr
            .contains("skipped ./ada-monday.json: a newer export of the same learner was given")
    );
    // CI keeps verify's verdicts beside the export; a folder of artifacts has both.
    assert!(run.stderr.contains(
        "skipped ./team-b/verdicts.json: it is `patterns verify --json`'s verdicts, not a progress export"
    ));

    let none = report(&["notes.json"]);
    assert_eq!(none.code, 2);
    assert!(
        none.stderr.contains(
            "error: no progress export could be read from notes.json; each learner makes one with `patterns progress --json > NAME.json`"
        ),
        "{}",
        none.stderr
    );
    let missing = report(&["nowhere"]);
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.contains("cannot read nowhere"),
        "{}",
        missing.stderr
    );
}

#[test]
fn csv_has_a_row_per_exercise_or_per_learner() {
    let run = report(&[".", "--csv"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rows: Vec<&str> = run.stdout.split("\r\n").collect();
    assert_eq!(
        rows[..3],
        [
            "topic,exercise,learners,started,done,completion_percent,median_attempts,median_hints_revealed,hints,median_active_secs,stuck",
            "01_layering,logic_without_http,4,4,4,100,1,0,3,270,",
            "01_layering,tangled_handler,4,4,4,100,1.5,0.5,3,550,",
        ]
    );
    assert_eq!(
        rows[4],
        "05_caching,cache_aside,4,3,1,25,9,3,3,3600,many attempts; long time active; most hints revealed; most who started have not finished"
    );
    assert_eq!(rows.len(), 7, "a header, five rows and the last line's end");

    let run = report(&["team-b", "barbara.json", "--csv", "--learners"]);
    let rows: Vec<&str> = run.stdout.split("\r\n").collect();
    assert_eq!(
        rows[..2],
        [
            "learner,file,track,done,total,completion_percent,active_secs,current,generated_at",
            // Quoted for the comma and quotes, and not a formula in a spreadsheet.
            "\"'=Barbara, \"\"Liskov\"\"\",barbara.json,,3,5,60,4580,cache_aside,2026-11-21T18:10:00Z",
        ]
    );
    assert_eq!(rows.len(), 5, "{}", run.stdout);
}

#[test]
fn the_web_page_is_self_contained_and_charts_every_exercise() {
    let run = report(&[".", "--html"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page = &run.stdout;
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.trim_end().ends_with("</html>"));
    // Nothing fetched: no script, no stylesheet or image from elsewhere; the only
    // URL is the SVG namespace.
    assert!(!page.contains("<script"));
    assert!(!page.contains("<link"));
    assert!(!page.contains("src="));
    assert_eq!(page.matches("://").count(), 1, "{page}");
    assert!(page.contains("xmlns=\"http://www.w3.org/2000/svg\""));
    // The chart: one group per exercise with its name, two bars (started, done),
    // one mark where learners get stuck; the topics named over their exercises.
    assert_eq!(page.matches("<g class=\"exercise\">").count(), 5);
    assert_eq!(page.matches("<rect ").count(), 10);
    assert_eq!(page.matches("<path class=\"stuck\"").count(), 1);
    assert!(page.contains("<title>cache_aside: 1 of 4 done, 3 started</title>"));
    assert!(page.contains(">layering</text>") && page.contains(">caching</text>"));
    // The done bar of logic_without_http (4 of 4) is the chart's full height.
    assert!(page.contains("height=\"160.0\" fill=\"#2563eb\""), "{page}");
    // Tables, and a learner's name escaped.
    assert!(page.contains("<b>cache_aside</b> (caching): many attempts"));
    assert!(page.contains("=Barbara, &quot;Liskov&quot;"));
    assert!(!page.contains("\"Liskov\""));
    assert_eq!(page.matches("<tr class=\"stuck\">").count(), 1);
}

/// The whole way: learners export with `patterns progress --json`, the
/// instructor reports on the files.
#[test]
fn exports_made_by_progress_are_what_report_reads() {
    let fixture = Fixture::new("workbook");
    assert_eq!(fixture.run(&["run", "passing"]).code, 0);
    fixture.run(&["run", "failing"]);
    fixture.run(&["hint"]);
    let exports = tempfile::tempdir().unwrap();
    for name in ["Ada", "Bo"] {
        let run = fixture.run(&["progress", "--json", "--name", name]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        std::fs::write(exports.path().join(format!("{name}.json")), run.stdout).unwrap();
    }
    let run = fixture.run(&["report", exports.path().to_str().unwrap(), "--csv"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("basics,passing,2,2,2,100,0,0,"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("basics,failing,2,2,0,0,1,1,"),
        "{}",
        run.stdout
    );
}
