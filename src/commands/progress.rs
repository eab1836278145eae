//! `patterns progress [--json] [--name NAME]`: where the learner stands, overall,
//! per topic and per track. `--json` is the export an instructor collects for
//! `patterns report` (its schema is the core's `export` module).

use std::io::Write;
use std::path::Path;
use std::process::{Command, ExitCode};
use std::time::SystemTime;

use anyhow::Result;
use patterns_core::export::{Export, Standing};

use crate::open::{OpenWorkbook, Selection};
use crate::output::{self, BOLD, DIM, GOOD, WARN};

pub fn progress(at: &Selection, json: bool, name: Option<&str>) -> Result<ExitCode> {
    let open = OpenWorkbook::open(at, None)?;
    let learner = name
        .map(str::to_owned)
        .or_else(|| git_user_name(&open.workbook.root));
    let export = Export::new(
        &open.session.catalog,
        &open.workbook.catalog,
        &open.session.progress,
        &open.session.current().name,
        learner,
        SystemTime::now(),
    );
    let mut out = anstream::stdout();
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(&export)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(notice) =
        crate::curriculum::upgrade_notice(&open.workbook.root, &open.workbook.catalog)
    {
        writeln!(out, "{WARN}Note:{WARN:#} {notice}.\n")?;
    }
    if let Some(track) = &open.session.catalog.track {
        writeln!(
            out,
            "Track: {BOLD}{}{BOLD:#} ({}; `--track all` for the whole workbook)",
            track.title, track.name
        )?;
    }
    writeln!(
        out,
        "{BOLD}{} of {} exercises done{BOLD:#} ({}%)  {}",
        export.done,
        export.total,
        output::percent(export.done, export.total),
        output::bar(export.done, export.total, 30)
    )?;
    writeln!(out, "Current: {BOLD}{}{BOLD:#}\n", export.current)?;
    let width = export.exercises().map(|e| e.name.len()).max().unwrap_or(8);
    for topic in &export.topics {
        writeln!(
            out,
            "{BOLD}{}{BOLD:#} {}/{}  {}",
            topic.title,
            topic.done,
            topic.total,
            output::bar(topic.done, topic.total, 10)
        )?;
        for exercise in &topic.exercises {
            let (mark, style) = if exercise.status == Standing::Done {
                ("✓", GOOD)
            } else if exercise.name == export.current {
                ("▶", WARN)
            } else {
                ("·", DIM)
            };
            write!(out, "  {style}{mark}{style:#} {:<width$}", exercise.name)?;
            if exercise.attempts > 0 || exercise.hints_revealed > 0 {
                write!(
                    out,
                    "  {DIM}{}, {} of {} hints{DIM:#}",
                    output::count(exercise.attempts as usize, "attempt"),
                    exercise.hints_revealed,
                    exercise.hints
                )?;
            }
            writeln!(out)?;
        }
    }
    if !export.tracks.is_empty() {
        writeln!(out, "\n{BOLD}Tracks{BOLD:#} (`--track NAME` follows one)")?;
        let width = export
            .tracks
            .iter()
            .map(|t| t.name.len())
            .max()
            .unwrap_or(8);
        for track in &export.tracks {
            let mark = if export.track.as_deref() == Some(track.name.as_str()) {
                "▶"
            } else {
                " "
            };
            writeln!(
                out,
                "{mark} {:<width$}  {} {}/{}  {DIM}{}{DIM:#}",
                track.name,
                output::bar(track.done, track.total, 10),
                track.done,
                track.total,
                track.title
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// git's `user.name` for the workbook, if git is there and has one.
fn git_user_name(root: &Path) -> Option<String> {
    let output = Command::new("git")
        .current_dir(root)
        .args(["config", "user.name"])
        .output()
        .ok()?;
    let name = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    (output.status.success() && !name.is_empty()).then_some(name)
}
