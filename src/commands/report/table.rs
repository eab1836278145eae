//! The cohort in the terminal: learners, exercises along the path, and where
//! learners get stuck.

use std::io::{self, Write};

use patterns_core::cohort::Cohort;

use super::{duration, figure, tracks_text};
use crate::output::{self, BOLD, DIM, WARN};

pub fn write(out: &mut dyn Write, cohort: &Cohort) -> io::Result<()> {
    writeln!(
        out,
        "{BOLD}{}{BOLD:#}, {}, following {}\n",
        output::count(cohort.learners.len(), "learner"),
        output::count(cohort.exercises.len(), "exercise"),
        tracks_text(cohort)
    )?;

    let width = cohort
        .learners
        .iter()
        .map(|l| l.name.chars().count())
        .max()
        .unwrap_or(0)
        .clamp(7, 24);
    writeln!(
        out,
        "{BOLD}{:<width$}     done       progress     active  working on{BOLD:#}",
        "Learner"
    )?;
    for learner in &cohort.learners {
        writeln!(
            out,
            "{:<width$}  {:>7} {:>3}%  {}  {:>7}  {}",
            truncate(&learner.name, width),
            format!("{}/{}", learner.done, learner.total),
            learner.completion().round(),
            output::bar(learner.done, learner.total, 10),
            duration(learner.active_secs as f64),
            learner.current
        )?;
    }

    let width = cohort
        .exercises
        .iter()
        .map(|e| e.name.len() + 2)
        .max()
        .unwrap_or(0)
        .max(8);
    writeln!(
        out,
        "\n{BOLD}{:<width$}     done        attempts  hints   active{BOLD:#}",
        "Exercise"
    )?;
    let mut topic = None;
    for exercise in &cohort.exercises {
        if topic != Some(&exercise.topic) {
            topic = Some(&exercise.topic);
            writeln!(out, "{DIM}{}{DIM:#}", exercise.topic_title)?;
        }
        let mark = if exercise.signals.is_empty() {
            format!("{:<width$}", format!("  {}", exercise.name))
        } else {
            format!("{WARN}{:<width$}{WARN:#}", format!("! {}", exercise.name))
        };
        writeln!(
            out,
            "{mark}  {:>7} {:>3}%  {:>8}  {:>5}  {:>7}",
            format!("{}/{}", exercise.done, exercise.learners),
            exercise.completion().round(),
            figure(exercise.median_attempts),
            figure(exercise.median_hints),
            exercise.median_active_secs.map_or("-".to_owned(), duration)
        )?;
    }
    writeln!(
        out,
        "{DIM}done: of the learners whose path has it; attempts, hints, active: medians of those who worked on it{DIM:#}"
    )?;

    let stuck = cohort.stuck();
    writeln!(out, "\n{BOLD}Where learners get stuck{BOLD:#}")?;
    if stuck.is_empty() {
        writeln!(out, "  no exercise stands out from the rest of the path")?;
    }
    for exercise in stuck {
        let why: Vec<&str> = exercise.signals.iter().map(|s| s.text()).collect();
        writeln!(
            out,
            "{WARN}!{WARN:#} {} ({}): {}; {} of {} who started it not done",
            exercise.name,
            exercise.topic_title,
            why.join(", "),
            exercise.started - exercise.done,
            exercise.started
        )?;
    }
    Ok(())
}

/// At most `width` characters, with `…` when cut.
fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_owned()
    } else {
        let mut cut: String = text.chars().take(width - 1).collect();
        cut.push('…');
        cut
    }
}
