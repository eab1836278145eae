//! `patterns progress [--json]`: where the learner stands, overall and per topic.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use patterns_core::catalog::topic_title;

use crate::open::{OpenWorkbook, Selection};
use crate::output::{self, BOLD, DIM, GOOD, WARN};

#[derive(serde::Serialize)]
struct ProgressReport<'a> {
    /// The track followed (its name), if any: then the figures are the track's.
    track: Option<&'a str>,
    done: usize,
    total: usize,
    current: &'a str,
    topics: Vec<TopicReport<'a>>,
    /// Every track of the workbook, with where the learner stands on it.
    tracks: Vec<TrackReport<'a>>,
}

#[derive(serde::Serialize)]
struct TrackReport<'a> {
    name: &'a str,
    title: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    done: usize,
    total: usize,
}

#[derive(serde::Serialize)]
struct TopicReport<'a> {
    topic: &'a str,
    title: &'a str,
    done: usize,
    total: usize,
    exercises: Vec<ExerciseReport<'a>>,
}

#[derive(serde::Serialize)]
struct ExerciseReport<'a> {
    name: &'a str,
    done: bool,
    attempts: u32,
    hints_revealed: usize,
    hints: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    first_seen: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    done_at: Option<&'a str>,
}

pub fn progress(at: &Selection, json: bool) -> Result<ExitCode> {
    let open = OpenWorkbook::open(at, None)?;
    let catalog = &open.session.catalog;
    let progress = &open.session.progress;
    let topics: Vec<TopicReport<'_>> = catalog
        .topics()
        .into_iter()
        .map(|(topic, exercises)| TopicReport {
            topic,
            title: topic_title(topic),
            done: exercises
                .iter()
                .filter(|e| progress.is_done(&e.name))
                .count(),
            total: exercises.len(),
            exercises: exercises
                .iter()
                .map(|e| {
                    let record = progress.record(&e.name);
                    ExerciseReport {
                        name: &e.name,
                        done: progress.is_done(&e.name),
                        attempts: record.map_or(0, |r| r.attempts),
                        hints_revealed: record.map_or(0, |r| r.hints_revealed),
                        hints: e.hints.len(),
                        first_seen: record.and_then(|r| r.first_seen.as_deref()),
                        done_at: record.and_then(|r| r.done_at.as_deref()),
                    }
                })
                .collect(),
        })
        .collect();
    let tracks: Vec<TrackReport<'_>> = open
        .workbook
        .catalog
        .tracks
        .iter()
        .map(|track| TrackReport {
            name: &track.name,
            title: &track.title,
            description: track.description.as_deref(),
            done: track
                .exercises
                .iter()
                .filter(|e| progress.is_done(e))
                .count(),
            total: track.exercises.len(),
        })
        .collect();
    let followed = catalog.track.as_ref();
    let report = ProgressReport {
        track: followed.map(|t| t.name.as_str()),
        tracks,
        done: topics.iter().map(|t| t.done).sum(),
        total: catalog.exercises.len(),
        current: &open.session.current().name,
        topics,
    };

    let mut out = anstream::stdout();
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(track) = followed {
        writeln!(
            out,
            "Track: {BOLD}{}{BOLD:#} ({}; `--track all` for the whole workbook)",
            track.title, track.name
        )?;
    }
    writeln!(
        out,
        "{BOLD}{} of {} exercises done{BOLD:#} ({}%)  {}",
        report.done,
        report.total,
        output::percent(report.done, report.total),
        output::bar(report.done, report.total, 30)
    )?;
    writeln!(out, "Current: {BOLD}{}{BOLD:#}\n", report.current)?;
    let width = catalog
        .exercises
        .iter()
        .map(|e| e.name.len())
        .max()
        .unwrap_or(8);
    for topic in &report.topics {
        writeln!(
            out,
            "{BOLD}{}{BOLD:#} {}/{}  {}",
            topic.title,
            topic.done,
            topic.total,
            output::bar(topic.done, topic.total, 10)
        )?;
        for exercise in &topic.exercises {
            let (mark, style) = if exercise.done {
                ("✓", GOOD)
            } else if exercise.name == report.current {
                ("▶", WARN)
            } else {
                ("·", DIM)
            };
            write!(out, "  {style}{mark}{style:#} {:<width$}", exercise.name)?;
            if exercise.attempts > 0 || exercise.hints_revealed > 0 {
                write!(
                    out,
                    "  {DIM}{}, {} of {} hints{DIM:#}",
                    crate::output::count(exercise.attempts as usize, "attempt"),
                    exercise.hints_revealed,
                    exercise.hints
                )?;
            }
            writeln!(out)?;
        }
    }
    if !report.tracks.is_empty() {
        writeln!(out, "\n{BOLD}Tracks{BOLD:#} (`--track NAME` follows one)")?;
        let width = report
            .tracks
            .iter()
            .map(|t| t.name.len())
            .max()
            .unwrap_or(8);
        for track in &report.tracks {
            let mark = if report.track == Some(track.name) {
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
